/* byte_images.c - byte images served as float batches (ganlab/dataset.h), shared by the image
 * dataset plugins.
 *
 * Maths: v = (x / 255 - 0.5) / 0.5 in float, torchvision's ToTensor + Normalize((0.5,), (0.5,)),
 * tabulated once per instance so a batch is one lookup per value.
 *
 * It does not decode files or check the plugin's sizes: the plugin fills pixels (or the file-backed
 * fields), labels and the shape before the first get(). File-backed items are read one pread() per
 * item: indices are shuffled, and an item (784 bytes for Fashion-MNIST) costs about a microsecond
 * from the page cache; pread keeps no file position, so forked processes may share the fd.
 */
#include <ganlab/dataset.h>

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util/byte_images_file.h"
#include "util/fs.h"

gl_byte_images *gl_byte_images_new(const char *plugin)
{
    gl_byte_images *d = calloc(1, sizeof *d); /* freed by gl_byte_images_free */
    if (!d)
        return NULL;
    d->plugin = plugin;
    d->fd = -1;
    for (int v = 0; v < 256; v++)
        d->scale[v] = ((float)v / 255.0f - 0.5f) / 0.5f;
    return d;
}

void gl_byte_images_free(gl_byte_images *d)
{
    if (!d)
        return;
    free(d->pixels);
    free(d->labels);
    for (int i = 0; d->class_names && i < d->n_classes; i++)
        free(d->class_names[i]);
    free(d->class_names);
    if (d->fd >= 0)
        close(d->fd);
    free(d->path);
    free(d->item);
    free(d);
}

void gl_byte_images_info(const gl_byte_images *d, gl_dataset_info *info)
{
    info->ndim = 3;
    info->shape[0] = d->c;
    info->shape[1] = d->h;
    info->shape[2] = d->w;
    info->n_classes = d->n_classes;
    info->n_items = d->n;
    info->lo = -1.0f;
    info->hi = 1.0f;
    info->class_names = (const char *const *)d->class_names;
}

/* Item i of a file-backed d into d->item. Returns the bytes read; errno is 0 unless it failed. */
static ssize_t read_item(const gl_byte_images *d, int64_t i, size_t item)
{
    ssize_t r;
    do {
        errno = 0;
        r = pread(d->fd, d->item, item, (off_t)(d->offset + i * (int64_t)item));
    } while (r < 0 && errno == EINTR);
    return r;
}

/* Whether d's file still has the size and modification time it had when checked. Called after a
 * call's reads: a rewrite that changed bytes already read has changed these first. One fstat per
 * call, well under a microsecond. */
static int file_unchanged(const gl_byte_images *d)
{
    struct stat st;
    return fstat(d->fd, &st) == 0 && st.st_size == d->fd_size && gl_mtime_ns(&st) == d->fd_mtime_ns;
}

int gl_byte_images_get(const gl_byte_images *d, const int64_t *indices, int n, float *x,
                       int32_t *labels, gl_error *err)
{
    const size_t hw = (size_t)d->h * d->w, item = hw * d->c;
    const int transpose = d->channels_last && d->c > 1; /* one channel: both layouts agree */
    for (int k = 0; k < n; k++) {
        int64_t i = indices[k];
        if (i < 0 || i >= d->n)
            return gl_error_add(err, GL_ERR_RUN, "dataset '%s': item %lld out of range [0, %lld)",
                                d->plugin, (long long)i, (long long)d->n);
        const uint8_t *src = d->pixels ? d->pixels + (size_t)i * item : d->item;
        if (!d->pixels && read_item(d, i, item) != (ssize_t)item)
            return gl_error_add(err, GL_ERR_RUN, "dataset '%s': %s: cannot read item %lld: %s",
                                d->plugin, d->path, (long long)i,
                                errno ? strerror(errno) : "the file is shorter than when opened");
        float *dst = x + (size_t)k * item; /* (C, H, W) */
        if (transpose) {
            for (size_t q = 0; q < hw; q++)
                for (int c = 0; c < d->c; c++)
                    dst[(size_t)c * hw + q] = d->scale[src[q * d->c + c]];
        } else {
            for (size_t q = 0; q < item; q++)
                dst[q] = d->scale[src[q]];
        }
        if (labels && d->labels)
            labels[k] = d->labels[i];
    }
    if (!d->pixels && n > 0 && !file_unchanged(d))
        return gl_error_add(err, GL_ERR_RUN,
                            "dataset '%s': %s: changed while the run read it (its size or "
                            "modification time is not what it was when opened): restart the run",
                            d->plugin, d->path);
    return GL_OK;
}

int gl_byte_images_attach(gl_byte_images *d, int fd, int64_t offset, const struct stat *st,
                          const char *name, size_t item, gl_error *err)
{
    d->fd = fd;
    d->offset = offset;
    d->fd_size = st->st_size;
    d->fd_mtime_ns = gl_mtime_ns(st);
    d->path = strdup(name);
    d->item = malloc(item ? item : 1);
    if (!d->path || !d->item)
        return gl_error_add(err, GL_ERR_INPUT, "dataset '%s': out of memory", d->plugin);
    return GL_OK;
}

int gl_data_in_memory(const char *plugin, int *yes, gl_error *err)
{
    const char *v = getenv("GANLAB_DATA_IN_MEMORY");
    *yes = v && strcmp(v, "1") == 0;
    if (v && *v && strcmp(v, "0") != 0 && strcmp(v, "1") != 0)
        return gl_error_add(err, GL_ERR_INPUT,
                            "dataset '%s': GANLAB_DATA_IN_MEMORY=%s: expected 1 (the images in "
                            "memory) or 0 (read from the page cache)",
                            plugin, v);
    return GL_OK;
}

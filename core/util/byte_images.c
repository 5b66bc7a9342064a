/* byte_images.c - byte images served as float batches (ganlab/dataset.h), shared by the image
 * dataset plugins.
 *
 * Maths: v = (x / 255 - 0.5) / 0.5 in float, torchvision's ToTensor + Normalize((0.5,), (0.5,)),
 * tabulated once per instance so a batch is one lookup per value.
 *
 * It does not decode files or check the plugin's sizes: the plugin fills pixels, labels and the
 * shape before the first get().
 */
#include <ganlab/dataset.h>

#include <stdlib.h>

gl_byte_images *gl_byte_images_new(const char *plugin)
{
    gl_byte_images *d = calloc(1, sizeof *d); /* freed by gl_byte_images_free */
    if (!d)
        return NULL;
    d->plugin = plugin;
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
        const uint8_t *src = d->pixels + (size_t)i * item;
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
    return GL_OK;
}

/* ganlab/dataset.h - byte images served as float batches: a helper for image dataset plugins.
 *
 * An image dataset usually decodes everything in open() and keeps the pixels as bytes (a quarter of
 * the memory of floats; gl_idx_load leaves them in a file, see fd below, and
 * gl_byte_images_cached puts what open() decodes into one), then scales each batch in get() as
 * torchvision's ToTensor + Normalize((0.5,), (0.5,)) does, in float:
 *
 *     v = (x / 255 - 0.5) / 0.5,   so v lies in [-1, 1]
 *
 * through a 256-entry table, so get() is a lookup per value and never allocates. A gl_byte_images
 * holds those bytes (and the labels), and does the rest a plugin would otherwise copy: the batch
 * loop with its bounds check, the label copy, the (H, W, C) -> (C, H, W) transposition of files
 * stored channels-last, and filling gl_dataset_info. The bundled `idx` and `image_folder` plugins
 * use it.
 *
 * Example (the plugin's instance is the gl_byte_images itself):
 *     static int my_open(const gl_params *p, uint64_t seed, void **self, gl_dataset_info *info,
 *                        gl_error *err)
 *     {
 *         gl_byte_images *d = gl_byte_images_new("mine");   // freed in my_close
 *         *self = d;
 *         if (!d) return gl_error_add(err, GL_ERR_INPUT, "dataset 'mine': out of memory");
 *         ... decode: d->pixels = malloc(n * c * h * w); d->n, d->c, d->h, d->w = ...;
 *         ... labelled: d->labels = malloc(n * sizeof *d->labels); d->n_classes = ...;
 *         gl_byte_images_info(d, info);
 *         return GL_OK;
 *     }
 *     static int my_get(void *self, const int64_t *idx, int n, float *x, int32_t *labels,
 *                       gl_error *err)
 *     { return gl_byte_images_get(self, idx, n, x, labels, err); }
 *     static void my_close(void *self) { gl_byte_images_free(self); }
 *
 * What it does not do: decoding, resizing, other value ranges or normalisations, augmentation.
 */
#ifndef GANLAB_DATASET_H
#define GANLAB_DATASET_H

#include <ganlab/api.h>

#include <stddef.h>
#include <stdint.h>

#include <ganlab/config.h>
#include <ganlab/error.h>
#include <ganlab/plugin.h>

#ifdef __cplusplus
extern "C" {
#endif

/* The largest height or width of an image a bundled dataset accepts; the core's sample grids and
 * exports fit any image up to this size (core/image's GL_IMAGE_GRID_MAX_SIDE leaves room). */
#define GL_DATASET_MAX_SIDE 16384

typedef struct gl_byte_images {
    const char *plugin; /* the dataset plugin's name, for messages ("dataset 'NAME': ...");
                           static text of the plugin */
    uint8_t *pixels;    /* n items of c * h * w bytes, (C, H, W) each, or (H, W, C) when
                           channels_last; malloc'ed by the plugin, freed by
                           gl_byte_images_free */
    int32_t *labels;    /* (n), or NULL when unlabelled; malloc'ed by the plugin, freed by
                           gl_byte_images_free */
    int64_t n;          /* items */
    int c, h, w;        /* channels, height, width of every item */
    int channels_last;  /* 1: items are stored (H, W, C), as IDX and PNG files hold them */
    int n_classes;      /* 0 when unlabelled */
    float scale[256];   /* byte -> value, filled by gl_byte_images_new */
    char **class_names; /* (n_classes) names, or NULL; each and the array malloc'ed by the
                           plugin, freed by gl_byte_images_free */
    /* File-backed items (gl_idx_load): when pixels is NULL, get() reads item i with pread() from
     * fd at offset + i * (c * h * w), so the bytes live in the kernel's page cache, shared by
     * every process that reads the file, instead of in each process's memory. These fields were
     * appended within ABI 2 (GL_ABI_VERSION unchanged): only gl_byte_images_new allocates the
     * struct, so a plugin built against the shorter layout never sees them. */
    int fd;         /* -1 (gl_byte_images_new): items in pixels; else closed by
                       gl_byte_images_free */
    int64_t offset; /* the byte offset of item 0 in fd */
    char *path;     /* fd's file as messages name it; malloc'ed, freed by gl_byte_images_free */
    uint8_t *item;  /* one item's bytes, get()'s scratch so that get() never allocates;
                       malloc'ed with fd, freed by gl_byte_images_free */
    int64_t fd_size, fd_mtime_ns; /* fd's size and modification time (ns since the epoch) when it
                                     was checked: get() fails once they differ, since a file
                                     rewritten during a run would give a mix of old and new items */
} gl_byte_images;

/* A zeroed gl_byte_images (fd -1) with the scale table filled, for plugin `plugin` (kept, not
 * copied). Returns NULL when out of memory. The caller frees it with gl_byte_images_free. */
GL_API gl_byte_images *gl_byte_images_new(const char *plugin);

/* Frees d->pixels, d->labels, d->class_names, d->path, d->item (with free()), closes d->fd and
 * frees d. d may be NULL. */
GL_API void gl_byte_images_free(gl_byte_images *d);

/* Fills *info: shape (c, h, w), n_classes, n items, values in [-1, 1]. */
GL_API void gl_byte_images_info(const gl_byte_images *d, gl_dataset_info *info);

/* gl_dataset_plugin.get for d: fills x (n, C, H, W) with the scaled items at indices[0..n) and,
 * when both labels and d->labels are set, labels (n). Returns GL_OK, or GL_ERR_RUN with
 * "dataset 'NAME': item I out of range [0, N)" for the first index outside [0, d->n), or naming
 * d->path and the item when a file-backed item cannot be read, or d->path when its file has changed
 * since it was opened (size or modification time; checked after the reads of each call). The items
 * before a failure are filled.
 * Does not allocate. */
GL_API int gl_byte_images_get(const gl_byte_images *d, const int64_t *indices, int n, float *x,
                              int32_t *labels, gl_error *err);

/* ---------------------------------------------------------------- IDX files */

#define GL_IDX_DEFAULT_DIR    "/usr/share/datasets/fashion-mnist"
#define GL_IDX_DEBIAN_PACKAGE "dataset-fashion-mnist"

/* The keys of a dataset schema that gl_idx_load reads (entries of a gl_param_spec array). */
/* clang-format off */
#define GL_IDX_PARAMS                                                                              \
    {"path", GL_PARAM_PATH, GL_IDX_DEFAULT_DIR, 0, GL_NO_RANGE, NULL,                              \
     "directory holding {train,t10k}-{images-idx3,labels-idx1}-ubyte[.gz] (Debian: "               \
     GL_IDX_DEBIAN_PACKAGE ")"},                                                                   \
    {"split", GL_PARAM_CHOICE, "train", 0, GL_NO_RANGE, "train|test",                              \
     "which files of `path` to read: train-* or t10k-*"},                                          \
    {"images", GL_PARAM_PATH, "", 0, GL_NO_RANGE, NULL,                                            \
     "explicit images file (idx3 or idx4, raw or .gz); overrides path and split"},                 \
    {"labels", GL_PARAM_PATH, "", 0, GL_NO_RANGE, NULL,                                            \
     "explicit labels file (idx1) for `images`; empty: unlabelled"},                               \
    {"n_classes", GL_PARAM_INT, "0", 0, 0, 1000000, NULL,                                          \
     "number of classes; 0: the largest label + 1"},                                               \
    {"max_items", GL_PARAM_INT, "0", 0, 0, 1e15, NULL,                                             \
     "use only the first max_items items (for quick runs); 0: all"}
/* clang-format on */

/* Keeps what a plugin decodes in open() (PNG or other files) in the user's cache directory, so it
 * is decoded once for every later run, and every process reads the items from the page cache, as
 * gl_idx_load's are (see fd above). key (key_len bytes) must name the decoded bytes exactly:
 * every source file's path, size and modification time, every parameter that changes the
 * decoding, and a version of the decoding code to raise when it changes what a file decodes to
 * (the plugin's name is added). With a whole entry for key that holds the n, c, h and w
 * the caller set in d before the call (each 0: any), d becomes file-backed on it (n, c, h, w and
 * channels_last from the entry) and decode is not called; an entry of another shape counts as
 * damaged and is written again. Without one,
 * decode(ud, d, err) fills d->pixels, n, c, h, w and channels_last as open() would; the bytes go
 * into a new entry, which d then reads (pixels freed). When no cache can be written (logged), or
 * GANLAB_DATA_IN_MEMORY=1 is set, d keeps the decoded pixels. Labels, n_classes and class names
 * stay the caller's. Returns decode's status, or GL_ERR_INPUT (GANLAB_DATA_IN_MEMORY other than
 * 0, 1 or empty; out of memory). */
GL_API int gl_byte_images_cached(gl_byte_images *d, const void *key, size_t key_len,
                                 int (*decode)(void *ud, gl_byte_images *d, gl_error *err),
                                 void *ud, gl_error *err);

/* Reads the IDX images (idx3 grey or idx4 colour, raw or gzip) and labels (idx1) that p's
 * GL_IDX_PARAMS keys name, validating both completely (magic, dimensions, sizes, counts, label
 * range), into a new *out (items channels-last, labels when a labels file is named; free with
 * gl_byte_images_free, also on failure, when *out may be partly filled or NULL). The items are
 * file-backed (see gl_byte_images.fd): a raw file is read in place, a gzip file through its
 * decompressed copy in the user's cache directory (written once); they are held in memory
 * (pixels) instead when the environment sets GANLAB_DATA_IN_MEMORY=1, when the file is not a
 * regular file, or when no cache can be written (logged). Messages start "dataset 'PLUGIN': " and
 * name the file and the fault. GL_OK or GL_ERR_INPUT. */
GL_API int gl_idx_load(const gl_params *p, const char *plugin, gl_byte_images **out, gl_error *err);

#ifdef __cplusplus
}
#endif

#endif

/* export.c - `ganlab sample`'s output files (docs/formats.md): a PNG grid (or scatter plot for 2-D
 * data), CSV, or MNIST-format IDX, chosen by the output's extension. Every file is written
 * atomically. Images map the dataset's value range [lo, hi] linearly to 0..255, as the sample grids
 * do. */
#include "train/run.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "image/image.h"
#include "util/atomic.h"

static int ends_with(const char *s, const char *suffix)
{
    size_t n = strlen(s), k = strlen(suffix);
    return n >= k && strcmp(s + n - k, suffix) == 0;
}

static int write_csv(const gl_session *s, const char *path, const float *x, const int32_t *labels,
                     int n, gl_error *err)
{
    gl_atomic_file af;
    if (gl_atomic_open(&af, path, err) != GL_OK)
        return GL_ERR_RUN;
    size_t d = s->item_size;
    for (size_t j = 0; j < d; j++) {
        if (d == 2)
            fputs(j ? ",y" : "x", af.fp);
        else
            fprintf(af.fp, "%sx%zu", j ? "," : "", j);
    }
    fputs(labels ? ",label\n" : "\n", af.fp);
    for (int i = 0; i < n; i++) {
        for (size_t j = 0; j < d; j++)
            fprintf(af.fp, "%s%.9g", j ? "," : "", x[(size_t)i * d + j]);
        if (labels)
            fprintf(af.fp, ",%d", labels[i]);
        fputc('\n', af.fp);
    }
    return gl_atomic_commit(&af, err) == GL_OK ? GL_OK : GL_ERR_RUN;
}

static void put_be32(FILE *f, uint32_t v)
{
    unsigned char b[4] = {(unsigned char)(v >> 24), (unsigned char)(v >> 16),
                          (unsigned char)(v >> 8), (unsigned char)v};
    fwrite(b, 1, 4, f);
}

/* IDX: magic 0x0000 08 ndim, big-endian u32 dims, then uint8 data. */
static int write_idx(const char *path, int ndim, const uint32_t *dims, const uint8_t *data,
                     size_t bytes, gl_error *err)
{
    gl_atomic_file af;
    if (gl_atomic_open(&af, path, err) != GL_OK)
        return GL_ERR_RUN;
    put_be32(af.fp, 0x00000800u | (uint32_t)ndim);
    for (int i = 0; i < ndim; i++)
        put_be32(af.fp, dims[i]);
    fwrite(data, 1, bytes, af.fp);
    return gl_atomic_commit(&af, err) == GL_OK ? GL_OK : GL_ERR_RUN;
}

static int export_idx(const gl_session *s, const char *path, const float *x, const int32_t *labels,
                      int n, gl_error *err)
{
    if (s->data.ndim != 3)
        return gl_error_add(err, GL_ERR_INPUT,
                            "%s: .idx output needs image data; dataset '%s' has "
                            "%d-D items (write .csv instead)",
                            path, s->names[0], s->data.ndim);
    int c = s->data.shape[0], h = s->data.shape[1], w = s->data.shape[2];
    size_t bytes = (size_t)n * s->item_size;
    /* Freed below. */
    uint8_t *u = malloc(bytes ? bytes : 1);
    if (!u)
        return gl_error_add(err, GL_ERR_RUN, "out of memory");
    float lo = s->data.lo, span = s->data.hi - s->data.lo;
    /* (N, C, H, W) floats -> (N, H, W[, C]) bytes, as IDX stores colour last. */
    for (int i = 0; i < n; i++)
        for (int ch = 0; ch < c; ch++)
            for (int p = 0; p < h * w; p++) {
                float v = (x[((size_t)i * c + ch) * h * w + p] - lo) / span;
                v = v < 0 ? 0 : v > 1 ? 1 : v;
                u[((size_t)i * h * w + p) * c + ch] = (uint8_t)floorf(255.0f * v + 0.5f);
            }
    uint32_t dims[4] = {(uint32_t)n, (uint32_t)h, (uint32_t)w, (uint32_t)c};
    int rc = write_idx(path, c == 1 ? 3 : 4, dims, u, bytes, err);
    free(u);
    if (rc != GL_OK || !labels)
        return rc;
    char lpath[4096];
    snprintf(lpath, sizeof lpath, "%.*s-labels.idx", (int)(strlen(path) - 4), path);
    /* Freed below. */
    uint8_t *lb = malloc((size_t)n ? (size_t)n : 1);
    if (!lb)
        return gl_error_add(err, GL_ERR_RUN, "out of memory");
    for (int i = 0; i < n; i++)
        lb[i] = (uint8_t)labels[i];
    uint32_t ldim = (uint32_t)n;
    rc = write_idx(lpath, 1, &ldim, lb, (size_t)n, err);
    free(lb);
    return rc;
}

#define PNG_PAD 2

/* The grid's columns for n images (ceil(sqrt(n)), more when that many rows do not fit, fewer when
 * the images are too wide) and their shape; 0 when n of them cannot fit one grid, *most then
 * being how many can. */
static int png_cols(const gl_session *s, int n, int *c, int *h, int *w, long *most)
{
    *c = s->data.ndim == 3 ? s->data.shape[0] : 1;
    *h = s->data.ndim == 3 ? s->data.shape[1] : 1;
    *w = s->data.ndim == 3 ? s->data.shape[2] : (int)s->item_size;
    int across, down;
    gl_image_grid_capacity(*h, *w, PNG_PAD, &across, &down);
    *most = (long)across * down;
    if (*most < n)
        return 0;
    int cols = (int)ceil(sqrt((double)n));
    if ((n + cols - 1) / cols > down)
        cols = (n + down - 1) / down;
    return cols < across ? cols : across;
}

static int export_png(gl_session *s, const char *path, const float *x, int n, gl_error *err)
{
    if (s->data.ndim == 1 && s->item_size == 2) {
        gl_scatter_opts o = {.size = 512, .title = "generated samples"};
        return gl_scatter_png(path, NULL, 0, x, n, NULL, 0, &o, err);
    }
    int c, h, w;
    long most;
    int cols = png_cols(s, n, &c, &h, &w, &most);
    return gl_image_grid_png(path, x, n, c, h, w, s->data.lo, s->data.hi, cols, PNG_PAD, err);
}

int gl_train_export_samples(gl_session *s, const char *path, int n, int label, uint64_t seed,
                            gl_error *err)
{
    int png = ends_with(path, ".png"), csv = ends_with(path, ".csv"), idx = ends_with(path, ".idx");
    if (!png && !csv && !idx)
        return gl_error_add(err, GL_ERR_INPUT, "%s: the output must end in .png, .csv or .idx",
                            path);
    int k = s->model_env.conditional ? s->data.n_classes : 0;
    if (label >= 0 && (k == 0 || label >= k))
        return gl_error_add(err, GL_ERR_INPUT,
                            k ? "--label %d: the model has labels 0..%d"
                              : "--label %d: the model is not conditional",
                            label, k - 1);
    int c, h, w;
    long most;
    if (png && !(s->data.ndim == 1 && s->item_size == 2) && png_cols(s, n, &c, &h, &w, &most) == 0)
        return gl_error_add(err, GL_ERR_INPUT,
                            "%s: %d images of %d x %d pixels do not fit one PNG grid (at most "
                            "%d x %d pixels): ask for at most %ld with -n, or write .csv or .idx",
                            path, n, w, h, GL_IMAGE_GRID_MAX_SIDE, GL_IMAGE_GRID_MAX_SIDE, most);
    /* Freed below. */
    float *x = malloc((size_t)n * s->item_size * sizeof *x);
    int32_t *labels = k ? malloc((size_t)n * sizeof *labels) : NULL;
    if (!x || (k && !labels)) {
        free(x);
        free(labels);
        return gl_error_add(err, GL_ERR_RUN, "out of memory for %d samples", n);
    }
    for (int i = 0; k && i < n; i++)
        labels[i] = label >= 0 ? label : i % k;
    gl_rng rng;
    gl_rng_init(&rng, seed, GL_STREAM_EVAL);
    int rc = GL_OK;
    /* In slices of at most one batch so memory stays that of training. */
    for (int at = 0; rc == GL_OK && at < n; at += s->batch) {
        int m = n - at < s->batch ? n - at : s->batch;
        rc = gl_session_sample(s, &rng, m, labels ? labels + at : NULL,
                               x + (size_t)at * s->item_size, err);
    }
    if (rc == GL_OK)
        rc = png   ? export_png(s, path, x, n, err)
             : csv ? write_csv(s, path, x, labels, n, err)
                   : export_idx(s, path, x, labels, n, err);
    free(x);
    free(labels);
    return rc;
}

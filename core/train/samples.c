/* samples.c - the sample images of a run: G's output on the same fixed noise (stream FIXED) at
 * every sample step, so frames are comparable. Images: a grid of 8 columns, 64 samples, or for a
 * conditional model one row of 8 per class (label = row). 2-D data: 1000 generated points over 1000
 * real ones. Allocates its buffers per call: this runs every sample_every steps, outside the step.
 */
#include "train/run.h"

#include <stdlib.h>

#include "image/image.h"

#define GRID_COLS      8
#define GRID_N         64
#define MAX_CLASS_ROWS 16
#define POINTS         1000

static int scatter(gl_session *s, const char *path, gl_rng *rng, gl_error *err)
{
    int n_real = s->data.n_items < POINTS ? (int)s->data.n_items : POINTS;
    /* Freed below. */
    float *fake = malloc(POINTS * 2 * sizeof *fake);
    float *real = malloc((size_t)n_real * 2 * sizeof *real);
    int64_t *idx = malloc((size_t)n_real * sizeof *idx);
    int32_t *labels = malloc(POINTS * sizeof *labels);
    int rc = fake && real && idx && labels ? GL_OK : gl_error_add(err, GL_ERR_RUN, "out of memory");
    for (int i = 0; rc == GL_OK && i < n_real; i++)
        idx[i] = i;
    if (rc == GL_OK)
        rc = s->dataset_p->get(s->dataset, idx, n_real, real, s->data.n_classes ? labels : NULL,
                               err);
    for (int i = 0; rc == GL_OK && i < POINTS; i++)
        labels[i] = s->data.n_classes > 0 ? i % s->data.n_classes : 0;
    if (rc == GL_OK)
        rc = gl_session_sample(s, rng, POINTS, labels, fake, err);
    gl_scatter_opts o = {.size = 512, .title = "generated (orange) over real (grey)"};
    if (rc == GL_OK)
        rc = gl_scatter_png(path, real, n_real, fake, POINTS, NULL, 0, &o, err);
    free(fake);
    free(real);
    free(idx);
    free(labels);
    return rc;
}

static int grid(gl_session *s, const char *path, gl_rng *rng, gl_error *err)
{
    int classes = s->model_env.conditional ? s->data.n_classes : 0;
    if (classes > MAX_CLASS_ROWS)
        classes = MAX_CLASS_ROWS;
    int n = classes ? classes * GRID_COLS : GRID_N;
    int c = s->data.ndim == 3 ? s->data.shape[0] : 1;
    int h = s->data.ndim == 3 ? s->data.shape[1] : 1;
    int w = s->data.ndim == 3 ? s->data.shape[2] : (int)s->item_size;
    /* Freed below. */
    float *x = malloc((size_t)n * s->item_size * sizeof *x);
    int32_t *labels = malloc((size_t)n * sizeof *labels);
    int rc = x && labels ? GL_OK : gl_error_add(err, GL_ERR_RUN, "out of memory");
    for (int i = 0; rc == GL_OK && i < n; i++)
        labels[i] = classes ? i / GRID_COLS : 0;
    if (rc == GL_OK)
        rc = gl_session_sample(s, rng, n, labels, x, err);
    if (rc == GL_OK)
        rc = gl_image_grid_png(path, x, n, c, h, w, s->data.lo, s->data.hi, GRID_COLS, 2, err);
    free(x);
    free(labels);
    return rc;
}

void gl_train_samples_path(const char *dir, uint64_t step, char *path, size_t cap)
{
    snprintf(path, cap, "%s/samples/step_%08llu.png", dir, (unsigned long long)step);
}

int gl_train_write_samples(gl_session *s, const char *dir, uint64_t step, gl_error *err)
{
    char path[4096];
    gl_train_samples_path(dir, step, path, sizeof path);
    gl_rng rng;
    gl_rng_init(&rng, s->seed, GL_STREAM_FIXED);
    return s->data.ndim == 1 && s->item_size == 2 ? scatter(s, path, &rng, err)
                                                  : grid(s, path, &rng, err);
}

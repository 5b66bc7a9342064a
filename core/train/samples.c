/* samples.c - the sample images of a run: G's output on the same fixed noise (stream FIXED) at
 * every sample step, so frames are comparable. Images: a grid of 8 columns, 64 samples, or for a
 * conditional model one row of 8 per class (label = row), each row headed by its class name (the
 * dataset's, else the class index) in a margin on the left. 2-D data: 1000 generated points over
 * 1000 real ones. Allocates its buffers per call: this runs every sample_every steps, outside the
 * step.
 */
#include "train/run.h"

#include <stdlib.h>

#include "image/image.h"

#define GRID_COLS      8
#define GRID_N         64
#define GRID_PAD       2
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

/* The conditional grid g (gh, gw, c bytes) as an RGB PNG with a left margin holding each row's
 * class name, centred on the row (rows of h + GRID_PAD pixels). */
static int labelled_png(const gl_session *s, const char *path, const uint8_t *g, int gw, int gh,
                        int c, int rows, int h, gl_error *err)
{
    char label[MAX_CLASS_ROWS][32];
    int margin = 0;
    for (int r = 0; r < rows; r++) {
        const char *const *names = s->data.class_names;
        if (names && names[r])
            snprintf(label[r], sizeof label[r], "%s", names[r]);
        else
            snprintf(label[r], sizeof label[r], "%d", r);
        int tw = gl_text_width(label[r], 1);
        margin = tw > margin ? tw : margin;
    }
    margin += 2 * GRID_PAD + 2;
    gl_canvas cv;
    if (gl_canvas_create(&cv, margin + gw, gh, (gl_rgb){0, 0, 0}, err) != GL_OK)
        return GL_ERR_RUN;
    for (int y = 0; y < gh; y++)
        for (int x = 0; x < gw; x++) {
            const uint8_t *p = g + ((size_t)y * gw + x) * c;
            gl_canvas_set(&cv, margin + x, y, (gl_rgb){p[0], p[c == 3], p[c == 3 ? 2 : 0]});
        }
    for (int r = 0; r < rows; r++)
        gl_canvas_text(&cv, GRID_PAD + 1, GRID_PAD + r * (h + GRID_PAD) + (h - GL_FONT_H) / 2,
                       label[r], 1, (gl_rgb){255, 255, 255});
    int rc = gl_canvas_write_png(&cv, path, err);
    gl_canvas_destroy(&cv);
    return rc;
}

static int grid(gl_session *s, const char *path, gl_rng *rng, gl_error *err)
{
    int classes = s->model_env.conditional ? s->data.n_classes : 0;
    if (classes > MAX_CLASS_ROWS)
        classes = MAX_CLASS_ROWS;
    int c = s->data.ndim == 3 ? s->data.shape[0] : 1;
    int h = s->data.ndim == 3 ? s->data.shape[1] : 1;
    int w = s->data.ndim == 3 ? s->data.shape[2] : (int)s->item_size;
    /* Images so large that 8 columns or all rows do not fit a grid give fewer columns and rows
     * (a row per class while they fit), never a grid the image code refuses. */
    int across, down;
    gl_image_grid_capacity(h, w, GRID_PAD, &across, &down);
    int cols = across < GRID_COLS ? across : GRID_COLS;
    int rows = classes ? classes : GRID_N / GRID_COLS;
    if (rows > down)
        rows = down;
    if (classes)
        classes = rows;
    int n = rows * cols;
    /* Freed below. */
    float *x = malloc((size_t)n * s->item_size * sizeof *x);
    int32_t *labels = malloc((size_t)n * sizeof *labels);
    int rc = x && labels ? GL_OK : gl_error_add(err, GL_ERR_RUN, "out of memory");
    for (int i = 0; rc == GL_OK && i < n; i++)
        labels[i] = classes ? i / cols : 0;
    if (rc == GL_OK)
        rc = gl_session_sample(s, rng, n, labels, x, err);
    uint8_t *g = NULL; /* freed below */
    int gw, gh;
    if (rc == GL_OK && !classes)
        rc = gl_image_grid_png(path, x, n, c, h, w, s->data.lo, s->data.hi, cols, GRID_PAD, err);
    else if (rc == GL_OK)
        rc = gl_image_grid(&g, &gw, &gh, x, n, c, h, w, s->data.lo, s->data.hi, cols, GRID_PAD,
                           err);
    if (rc == GL_OK && classes)
        rc = labelled_png(s, path, g, gw, gh, c, classes, h, err);
    free(g);
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

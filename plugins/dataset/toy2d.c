/* toy2d.c - dataset plugin `toy2d`: the 2-D Gaussian mixtures used to measure mode collapse
 * (the "ring" of 8 and the "grid" of 25 of Metz et al. 2017, Srivastava et al. 2017).
 *
 * The mode centres, which an evaluator recomputes from the same parameters (docs/datasets.md):
 *   ring, m modes, radius R:   mode k at R * (cos(2 pi k / m), sin(2 pi k / m)), k = 0..m-1
 *   grid, m = s*s modes, half-width R: step = 2R / (s - 1);
 *                              mode k = i*s + j (row-major) at (-R + i*step, -R + j*step)
 * Defaults: ring m = 8, R = 2, std 0.02; grid m = 25, R = 4 (so {-4,-2,0,2,4}^2), std 0.05.
 *
 * Item i is a pure function of (seed, i): block i of Philox stream GL_STREAM_DATASET gives four
 * 32-bit words w0..w3; the mode is k = floor(w0 * m / 2^32), and Box-Muller on
 * u1 = (w1 + 1) / 2^32 in (0, 1] and u2 = w2 / 2^32 gives both coordinates' noise:
 *   x = centre_k + std * sqrt(-2 ln u1) * (cos 2 pi u2, sin 2 pi u2).
 * The label is k. An epoch holds `size` items; the core's shuffle picks which indices a batch gets,
 * so nothing is stored and every epoch of every run with the same seed sees the same points.
 *
 * The centres and the std are also exported through the descriptor's `modes` (for modes2d).
 *
 * What it does not do: other mixtures, anisotropic noise.
 */
#include <ganlab/plugin.h>
#include <ganlab/rng.h>

#include <math.h>
#include <stdlib.h>
#include <string.h>

static const gl_param_spec toy2d_params[] = {
    {"mixture", GL_PARAM_CHOICE, "ring", 0, GL_NO_RANGE, "ring|grid",
     "ring: modes on a circle; grid: modes on a square lattice, row-major"},
    {"modes", GL_PARAM_INT, "0", 0, 0, 1000000, NULL,
     "number of modes (grid: a perfect square); 0: 8 for ring, 25 for grid"},
    {"radius", GL_PARAM_FLOAT, "0", 0, 0, 1e6, NULL,
     "ring radius / grid half-width; 0: 2 for ring, 4 for grid"},
    {"std", GL_PARAM_FLOAT, "0", 0, 0, 1e6, NULL,
     "standard deviation of each mode; 0: 0.02 for ring, 0.05 for grid"},
    {"size", GL_PARAM_INT, "100000", 0, 1, 1e12, NULL,
     "items in one epoch (drawn afresh from (seed, index), nothing is stored)"},
    {NULL, 0, NULL, 0, GL_NO_RANGE, NULL, NULL}};

typedef struct toy2d {
    uint64_t seed;
    int64_t size;
    int modes;
    float std;
    float (*centres)[2]; /* (modes, 2); freed by toy2d_close */
} toy2d;

static void toy2d_close(void *self)
{
    toy2d *t = self;
    if (!t)
        return;
    free(t->centres);
    free(t);
}

/* The centres of the formula in the file comment. */
static int fill_centres(toy2d *t, int grid, double radius, gl_error *err)
{
    int side = 0;
    if (grid) {
        side = (int)lround(sqrt((double)t->modes));
        if (side * side != t->modes || side < 2)
            return gl_error_add(err, GL_ERR_INPUT,
                                "key 'dataset.modes': %d is not a square of at least 4, as a grid "
                                "needs (e.g. 25 = 5x5)",
                                t->modes);
    }
    t->centres = malloc((size_t)t->modes * sizeof *t->centres); /* freed by toy2d_close */
    if (!t->centres)
        return gl_error_add(err, GL_ERR_INPUT, "dataset 'toy2d': out of memory");
    for (int k = 0; k < t->modes; k++) {
        if (grid) {
            double step = 2.0 * radius / (side - 1);
            t->centres[k][0] = (float)(-radius + (k / side) * step);
            t->centres[k][1] = (float)(-radius + (k % side) * step);
        } else {
            double a = 2.0 * M_PI * k / t->modes;
            t->centres[k][0] = (float)(radius * cos(a));
            t->centres[k][1] = (float)(radius * sin(a));
        }
    }
    return GL_OK;
}

static int toy2d_open(const gl_params *p, uint64_t seed, void **self, gl_dataset_info *info,
                      gl_error *err)
{
    *self = NULL;
    int grid = strcmp(gl_params_string(p, "mixture"), "grid") == 0;
    toy2d *t = calloc(1, sizeof *t); /* freed by toy2d_close, which the core always calls */
    if (!t)
        return gl_error_add(err, GL_ERR_INPUT, "dataset 'toy2d': out of memory");
    *self = t;
    t->seed = seed;
    t->size = gl_params_int(p, "size");
    t->modes = (int)gl_params_int(p, "modes");
    if (t->modes == 0)
        t->modes = grid ? 25 : 8;
    double radius = gl_params_float(p, "radius");
    if (radius == 0.0)
        radius = grid ? 4.0 : 2.0;
    t->std = (float)gl_params_float(p, "std");
    if (t->std == 0.0f)
        t->std = grid ? 0.05f : 0.02f;
    int rc = fill_centres(t, grid, radius, err);
    if (rc != GL_OK)
        return rc;

    /* Values beyond 6 std of the outermost mode have probability below 1e-8 per item. */
    float bound = (float)(radius + 6.0 * t->std);
    info->ndim = 1;
    info->shape[0] = 2;
    info->shape[1] = info->shape[2] = 0;
    info->n_classes = t->modes;
    info->n_items = t->size;
    info->lo = -bound;
    info->hi = bound;
    return GL_OK;
}

static int toy2d_get(void *self, const int64_t *indices, int n, float *x, int32_t *labels,
                     gl_error *err)
{
    const toy2d *t = self;
    for (int k = 0; k < n; k++) {
        int64_t i = indices[k];
        if (i < 0 || i >= t->size)
            return gl_error_add(err, GL_ERR_RUN,
                                "dataset 'toy2d': item %lld out of range [0, %lld)", (long long)i,
                                (long long)t->size);
        uint32_t w[4];
        gl_rng_block(t->seed, GL_STREAM_DATASET, (uint64_t)i, w);
        int mode = (int)(((uint64_t)w[0] * (uint64_t)t->modes) >> 32);
        double u1 = ((double)w[1] + 1.0) / 4294967296.0;
        double u2 = (double)w[2] / 4294967296.0;
        double r = t->std * sqrt(-2.0 * log(u1));
        x[2 * k] = t->centres[mode][0] + (float)(r * cos(2.0 * M_PI * u2));
        x[2 * k + 1] = t->centres[mode][1] + (float)(r * sin(2.0 * M_PI * u2));
        if (labels)
            labels[k] = mode;
    }
    return GL_OK;
}

static int toy2d_modes(void *self, const float **centres, float *std)
{
    const toy2d *t = self;
    *centres = &t->centres[0][0];
    *std = t->std;
    return t->modes;
}

static const gl_dataset_plugin toy2d_plugin = {
    .hdr = {GL_ABI_VERSION, GL_KIND_DATASET, sizeof(gl_dataset_plugin), "toy2d",
            "2-D Gaussian mixtures for mode collapse: ring of 8, grid of 25", toy2d_params},
    .open = toy2d_open,
    .get = toy2d_get,
    .close = toy2d_close,
    .modes = toy2d_modes,
};

GL_PLUGIN_EXPORT const gl_plugin_header *gl_plugin_entry(void) { return &toy2d_plugin.hdr; }

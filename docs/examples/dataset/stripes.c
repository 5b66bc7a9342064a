/* stripes.c - an example dataset plugin (docs/plugins.md): 1x8x8 images of stripes, labelled
 * horizontal (0) or vertical (1), generated from the item's index alone.
 *
 * Item i: class i mod 2, stripe period 2 + (i / 2) mod 3 pixels, phase (i / 6) mod 8; pixels are
 * +1 on a stripe and -1 between, so every batch lies in [-1, 1]. An item is a pure function of its
 * index, which is what the contract of get() asks: the core shuffles indices, and a resumed run
 * asks for the same indices again.
 *
 * Build out of tree (tests/e2e/oot.sh does this against a staged install):
 *     cc stripes.c $(pkg-config --cflags --libs ganlab) -shared -fPIC -o stripes.so
 */
#include <ganlab/plugin.h>

#include <stdlib.h>

enum { SIDE = 8 };

typedef struct stripes {
    int64_t n;
} stripes;

static const gl_param_spec params[] = {
    {"items", GL_PARAM_INT, "1024", 0, 2, 1e7, NULL, "images in one epoch"},
    {NULL, 0, NULL, 0, GL_NO_RANGE, NULL, NULL},
};

static int open_(const gl_params *p, uint64_t seed, void **self, gl_dataset_info *info,
                 gl_error *err)
{
    stripes *s = malloc(sizeof *s); /* freed by close_ */
    *self = s;
    if (!s)
        return gl_error_add(err, GL_ERR_RUN, "dataset 'stripes': out of memory");
    s->n = gl_params_int(p, "items");
    *info = (gl_dataset_info){
        .ndim = 3, .shape = {1, SIDE, SIDE}, .n_classes = 2, .n_items = s->n, .lo = -1, .hi = 1};
    gl_plugin_log(GL_LOG_INFO, "stripes", "%lld generated images", (long long)s->n);
    return GL_OK;
}

/* x (n, 1, 8, 8), labels (n) or NULL. No allocation: it is called in the training step. */
static int get(void *self, const int64_t *indices, int n, float *x, int32_t *labels, gl_error *err)
{
    for (int b = 0; b < n; b++) {
        int64_t i = indices[b];
        int vertical = (int)(i % 2), period = 2 + (int)((i / 2) % 3), phase = (int)((i / 6) % 8);
        float *img = x + (size_t)b * SIDE * SIDE;
        for (int r = 0; r < SIDE; r++)
            for (int c = 0; c < SIDE; c++) {
                int along = vertical ? c : r;
                img[r * SIDE + c] = ((along + phase) / period) % 2 ? 1.0f : -1.0f;
            }
        if (labels)
            labels[b] = vertical;
    }
    return GL_OK;
}

static void close_(void *self) { free(self); }

static const gl_dataset_plugin plugin = {
    .hdr = {GL_ABI_VERSION, GL_KIND_DATASET, sizeof plugin, "stripes",
            "example: 8x8 horizontal or vertical stripes, labelled", params},
    .open = open_,
    .get = get,
    .close = close_,
    .modes = NULL, /* not a mixture of known modes */
};

GL_PLUGIN_EXPORT const gl_plugin_header *gl_plugin_entry(void) { return &plugin.hdr; }

/* stacked.c - dataset plugin `stacked`: the stacked-MNIST benchmark of the mode-collapse papers
 * (Metz et al. 2017, VEEGAN, PacGAN, R3GAN) built from any grey IDX set: item k is three items of
 * the source set, drawn uniformly and independently, as the three channels of one (3, H, W) image,
 * and its label is the triple of their labels, (y0 K + y1) K + y2 for K source classes (1,000
 * modes for K = 10). The source is read by libganlab's gl_idx_load with the `idx` plugin's keys
 * (Fashion-MNIST by default: Debian packages no MNIST, so the default is not the papers' digits).
 *
 * The triples are drawn at open from (experiment seed, GL_STREAM_DATASET) and kept as source
 * indices (3 int32 per item), so the images are never stored: get() scales the three source items
 * straight into the batch. The same seed and source give the same dataset; `split: test` draws
 * its triples from the source's test set (the classifier evaluator's held-out data).
 *
 * What it does not do: colour sources (each channel is one grey image), other stacking depths.
 */
#include <ganlab/dataset.h>
#include <ganlab/plugin.h>
#include <ganlab/rng.h>

#include <stdlib.h>
#include <string.h>

static const gl_param_spec stacked_params[] = {
    GL_IDX_PARAMS,
    {"items", GL_PARAM_INT, "128000", 0, 1, 1e8, NULL,
     "stacked items in the set (each three random source items as channels)"},
    {NULL, 0, NULL, 0, GL_NO_RANGE, NULL, NULL}};

typedef struct stacked {
    gl_byte_images *src; /* the grey source set, labelled */
    int32_t *triples;    /* (items, 3) source indices */
    int64_t items;
    int k; /* source classes */
} stacked;

static void stacked_close(void *self)
{
    stacked *s = self;
    if (!s)
        return;
    gl_byte_images_free(s->src);
    free(s->triples);
    free(s);
}

static int stacked_open(const gl_params *p, uint64_t seed, void **self, gl_dataset_info *info,
                        gl_error *err)
{
    stacked *s = calloc(1, sizeof *s); /* freed by stacked_close (always called) */
    *self = s;
    if (!s)
        return gl_error_add(err, GL_ERR_INPUT, "dataset 'stacked': out of memory");
    int rc = gl_idx_load(p, "stacked", &s->src, err);
    if (rc != GL_OK)
        return rc;
    if (s->src->c != 1 || !s->src->labels)
        return gl_error_add(err, GL_ERR_INPUT,
                            "dataset 'stacked': the source set must be grey (1 channel, it has "
                            "%d) and labelled (%s), since each item stacks three of its images "
                            "as channels and is labelled by their three labels",
                            s->src->c, s->src->labels ? "it is" : "it has no labels file");
    if (s->src->n_classes > 1290) /* K^3 must fit an int32 label */
        return gl_error_add(err, GL_ERR_INPUT,
                            "dataset 'stacked': %d source classes give %d^3 labels, too many",
                            s->src->n_classes, s->src->n_classes);
    s->k = s->src->n_classes;
    s->items = gl_params_int(p, "items");
    s->triples = malloc((size_t)s->items * 3 * sizeof *s->triples); /* freed by stacked_close */
    if (!s->triples)
        return gl_error_add(err, GL_ERR_INPUT, "dataset 'stacked': out of memory for %lld items",
                            (long long)s->items);
    gl_rng r;
    gl_rng_init(&r, seed, GL_STREAM_DATASET);
    for (int64_t i = 0; i < 3 * s->items; i++)
        s->triples[i] = (int32_t)gl_rng_below(&r, (uint64_t)s->src->n);
    *info = (gl_dataset_info){.ndim = 3,
                              .shape = {3, s->src->h, s->src->w},
                              .n_classes = s->k * s->k * s->k,
                              .n_items = s->items,
                              .lo = -1,
                              .hi = 1};
    return GL_OK;
}

static int stacked_get(void *self, const int64_t *indices, int n, float *x, int32_t *labels,
                       gl_error *err)
{
    const stacked *s = self;
    size_t plane = (size_t)s->src->h * (size_t)s->src->w;
    for (int i = 0; i < n; i++) {
        if (indices[i] < 0 || indices[i] >= s->items)
            return gl_error_add(err, GL_ERR_RUN,
                                "dataset 'stacked': item %lld out of range [0, %lld)",
                                (long long)indices[i], (long long)s->items);
        const int32_t *t = s->triples + 3 * indices[i];
        int32_t y[3];
        for (int c = 0; c < 3; c++) {
            int64_t j = t[c];
            int rc = gl_byte_images_get(s->src, &j, 1, x + ((size_t)i * 3 + (size_t)c) * plane,
                                        &y[c], err);
            if (rc != GL_OK)
                return rc;
        }
        if (labels)
            labels[i] = (y[0] * s->k + y[1]) * s->k + y[2];
    }
    return GL_OK;
}

static const gl_dataset_plugin stacked_plugin = {
    .hdr = {GL_ABI_VERSION, GL_KIND_DATASET, sizeof(gl_dataset_plugin), "stacked",
            "stacked MNIST-style set: three random grey IDX items as channels, label the triple",
            stacked_params},
    .open = stacked_open,
    .get = stacked_get,
    .close = stacked_close,
};

GL_PLUGIN_EXPORT const gl_plugin_header *gl_plugin_entry(void) { return &stacked_plugin.hdr; }

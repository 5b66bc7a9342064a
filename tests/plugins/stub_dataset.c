/* stub_dataset.c - a well-formed dataset plugin "stub_dataset" with no parameters, so the CLI's
 * tests can validate a complete config without the real dataset plugins. Never opened. */
#include <ganlab/plugin.h>

static int open_(const gl_params *params, uint64_t seed, void **self, gl_dataset_info *info,
                 gl_error *err)
{
    return GL_ERR_INPUT; /* for validation tests only */
}

static int get(void *self, const int64_t *indices, int n, float *x, int32_t *labels, gl_error *err)
{
    return GL_ERR_RUN;
}

static void close_(void *self) {}

static const gl_dataset_plugin plugin = {
    .hdr = {GL_ABI_VERSION, GL_KIND_DATASET, sizeof plugin, "stub_dataset", "test dataset", NULL},
    .open = open_,
    .get = get,
    .close = close_,
};

GL_PLUGIN_EXPORT const gl_plugin_header *gl_plugin_entry(void) { return &plugin.hdr; }

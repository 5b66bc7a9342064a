/* bad_optimizer.c - plain SGD (p -= 0.01 g) whose step_scaled takes the plausible shortcut of
 * scaling the rate (p -= 0.01 f g) instead of blending as plugin.h asks: the values land within
 * an ulp or two, but not on the bytes the core's own blend gives, so `ganlab plugin-check` must
 * fail the step_scaled check and pass the descent. */
#include <ganlab/plugin.h>

static int bad_create(const gl_params *params, int *state_per_param, void **self, gl_error *err)
{
    *state_per_param = 0;
    *self = NULL;
    return GL_OK;
}

static void bad_step(void *self, float *param, const float *grad, float *state, size_t n,
                     uint64_t step)
{
    for (size_t i = 0; i < n; i++)
        param[i] -= 0.01f * grad[i];
}

static void bad_step_scaled(void *self, float *param, const float *grad, float *state, size_t n,
                            uint64_t step, float lr_scale)
{
    for (size_t i = 0; i < n; i++)
        param[i] -= 0.01f * lr_scale * grad[i];
}

static void bad_destroy(void *self) {}

static const gl_optimizer_plugin plugin = {
    .hdr = {GL_ABI_VERSION, GL_KIND_OPTIMIZER, sizeof plugin, "bad_optimizer",
            "SGD whose step_scaled scales the rate instead of blending", NULL},
    .create = bad_create,
    .step = bad_step,
    .destroy = bad_destroy,
    .step_scaled = bad_step_scaled,
};

GL_PLUGIN_EXPORT const gl_plugin_header *gl_plugin_entry(void) { return &plugin.hdr; }

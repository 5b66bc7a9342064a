/* stub_model.c - a well-formed model plugin "stub_model" with one parameter, so the CLI's tests
 * can validate a complete config without the real model plugins. Its create fails with no
 * message, or with width 999 declares a conditional model with no parameters whatever the data
 * (a contract breach the core must refuse). */
#include <ganlab/plugin.h>

static const gl_param_spec params[] = {
    {"width", GL_PARAM_INT, "8", 0, 1, 1024, NULL, "a width"},
    {0},
};

static int create(const gl_params *p, gl_model_env *env, gl_net *g, gl_net *d, void **self,
                  gl_error *err)
{
    if (gl_params_int(p, "width") != 999)
        return GL_ERR_INPUT; /* for validation tests only */
    env->latent_dim = 1;
    env->conditional = 1;
    *self = NULL;
    return GL_OK;
}

static gl_tensor *run(void *self, gl_ctx *ctx, gl_tensor *x, const int32_t *labels, int train)
{
    return NULL;
}

static void destroy(void *self) {}

static const gl_model_plugin plugin = {
    .hdr = {GL_ABI_VERSION, GL_KIND_MODEL, sizeof plugin, "stub_model", "test model", params},
    .create = create,
    .generate = run,
    .discriminate = run,
    .destroy = destroy,
};

GL_PLUGIN_EXPORT const gl_plugin_header *gl_plugin_entry(void) { return &plugin.hdr; }

/* wrong_kind.c - a valid loss plugin "wrong_kind", for asking for it as an optimizer. */
#include <ganlab/plugin.h>

static int create(const gl_params *params, void **self, gl_error *err)
{
    *self = NULL;
    return GL_OK;
}

static int loss(void *self, const gl_loss_env *env, gl_loss_result *out, gl_error *err)
{
    return GL_OK;
}

static void destroy(void *self) {}

static const gl_loss_plugin plugin = {
    .hdr = {GL_ABI_VERSION, GL_KIND_LOSS, sizeof plugin, "wrong_kind", "a loss", NULL},
    .create = create,
    .d_loss = loss,
    .g_loss = loss,
    .destroy = destroy,
};

GL_PLUGIN_EXPORT const gl_plugin_header *gl_plugin_entry(void) { return &plugin.hdr; }

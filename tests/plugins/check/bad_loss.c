/* bad_loss.c - a deliberately wrong loss plugin "bad_loss" for the plugin checker's tests: its
 * d_loss is the non-saturating BCE loss, softplus(-D(x)) + softplus(D(G(z))) averaged, but the real
 * half goes through gl_detach, so its value is right and its gradient w.r.t. D misses the real
 * term. `ganlab plugin-check` must catch that; g_loss (softplus(-D(G(z)))) is right. */
#include <string.h>

#include <ganlab/autograd.h>
#include <ganlab/plugin.h>
#include <ganlab/tensor.h>

static int create(const gl_params *p, void **self, gl_error *err)
{
    *self = NULL;
    return GL_OK;
}

static void destroy(void *self) {}

static int finish(const gl_loss_env *env, gl_tensor *loss, gl_loss_result *out, gl_error *err)
{
    memset(out, 0, sizeof *out);
    int rc = gl_ctx_status(env->ctx, err);
    if (rc == GL_OK && !loss)
        rc = gl_error_add(err, GL_ERR_RUN, "loss 'bad_loss': no output");
    out->loss = loss;
    return rc;
}

static int d_loss(void *self, const gl_loss_env *env, gl_loss_result *out, gl_error *err)
{
    gl_ctx *c = env->ctx;
    gl_tensor *real = gl_detach(c, env->discriminate(env->core, env->real, env->labels));
    gl_tensor *fake = gl_detach(c, env->generate(env->core, env->batch, env->labels));
    gl_tensor *d_fake = env->discriminate(env->core, fake, env->labels);
    gl_tensor *loss = gl_add(c, gl_mean(c, gl_softplus(c, gl_scale(c, real, -1))),
                             gl_mean(c, gl_softplus(c, d_fake)));
    return finish(env, loss, out, err);
}

static int g_loss(void *self, const gl_loss_env *env, gl_loss_result *out, gl_error *err)
{
    gl_ctx *c = env->ctx;
    gl_tensor *d = env->discriminate(env->core, env->generate(env->core, env->batch, env->labels),
                                     env->labels);
    return finish(env, gl_mean(c, gl_softplus(c, gl_scale(c, d, -1))), out, err);
}

static const gl_loss_plugin plugin = {
    .hdr = {GL_ABI_VERSION, GL_KIND_LOSS, sizeof plugin, "bad_loss",
            "test plugin: d_loss detaches its real term", NULL},
    .create = create,
    .d_loss = d_loss,
    .g_loss = g_loss,
    .destroy = destroy,
};

GL_PLUGIN_EXPORT const gl_plugin_header *gl_plugin_entry(void) { return &plugin.hdr; }

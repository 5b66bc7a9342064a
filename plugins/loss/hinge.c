/* hinge.c - loss plugin `hinge`: the hinge loss of geometric GAN (Lim & Ye 2017) as SN-GAN
 * (Miyato et al. 2018) and BigGAN use it, on D's raw output:
 *
 *   D:  d_loss = mean relu(1 - D(x)) + mean relu(1 + D(sg[G(z)]))        (terms d_real, d_fake)
 *   G:  g_loss = -mean D(G(z))                                            (term g_adv)
 *
 * D is pushed to at least +1 on real data and at most -1 on fakes and is not rewarded beyond the
 * margins, so a sample D already classifies confidently gives it no gradient. sg = stop-gradient
 * (gl_detach); a conditional model's fakes are made for, and judged under, the real batch's labels.
 */
#include <ganlab/autograd.h>
#include <ganlab/plugin.h>
#include <ganlab/tensor.h>

static int hinge_create(const gl_params *p, void **self, gl_error *err)
{
    (void)p;
    (void)err;
    *self = NULL;
    return GL_OK;
}

static void hinge_destroy(void *self) { (void)self; }

static int hinge_d_loss(void *self, const gl_loss_env *env, gl_loss_result *out, gl_error *err)
{
    gl_ctx *ctx = env->ctx;
    gl_tensor *real = env->discriminate(env->core, env->real, env->labels);
    gl_tensor *fake = gl_detach(ctx, env->generate(env->core, env->batch, env->labels));
    gl_tensor *fake_out = env->discriminate(env->core, fake, env->labels);
    gl_tensor *d_real = gl_mean(ctx, gl_relu(ctx, gl_add_scalar(ctx, gl_scale(ctx, real, -1), 1)));
    gl_tensor *d_fake = gl_mean(ctx, gl_relu(ctx, gl_add_scalar(ctx, fake_out, 1)));
    out->loss = gl_add(ctx, d_real, d_fake);
    if (!out->loss)
        return GL_OK; /* the core reports the engine's error (plugin.h, losses) */
    gl_loss_term(out, "d_real", gl_tensor_item(d_real));
    gl_loss_term(out, "d_fake", gl_tensor_item(d_fake));
    return GL_OK;
}

static int hinge_g_loss(void *self, const gl_loss_env *env, gl_loss_result *out, gl_error *err)
{
    gl_ctx *ctx = env->ctx;
    gl_tensor *fake = env->generate(env->core, env->batch, env->labels);
    out->loss = gl_scale(ctx, gl_mean(ctx, env->discriminate(env->core, fake, env->labels)), -1);
    if (out->loss)
        gl_loss_term(out, "g_adv", gl_tensor_item(out->loss));
    return GL_OK;
}

static const gl_loss_plugin hinge_plugin = {
    .hdr = {GL_ABI_VERSION, GL_KIND_LOSS, sizeof(gl_loss_plugin), "hinge",
            "hinge loss (geometric GAN, SN-GAN): margins at +-1 for D, -mean D(G(z)) for G", NULL},
    .create = hinge_create,
    .d_loss = hinge_d_loss,
    .g_loss = hinge_g_loss,
    .destroy = hinge_destroy,
    .flags = 0u,
};

GL_PLUGIN_EXPORT const gl_plugin_header *gl_plugin_entry(void) { return &hinge_plugin.hdr; }

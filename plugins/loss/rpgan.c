/* rpgan.c - loss plugin `rpgan`: the relativistic pairing GAN (Jolicoeur-Martineau 2019, "The
 * relativistic discriminator", RpGAN) as R3GAN (Huang et al. 2024, eq. 2) uses it, on D's raw
 * output, pairing the i-th real sample with the i-th fake:
 *
 *   D:  d_loss = mean_i softplus(-(D(x_i) - D(sg[G(z)]_i)))      (= -mean log s(D(x) - D(fake)))
 *   G:  g_loss = mean_i softplus(-(D(G(z)_i) - D(x_i)))          (the same game, roles swapped)
 *
 * D only has to rank each real sample above its fake partner, not to place both on an absolute
 * scale; Sun et al. (2020) show that this landscape has no mode-dropping local minima of the kind
 * the original loss has, which is why R3GAN builds on it, with the core's R1 and R2 penalties
 * (train.r1_gamma, train.r2_gamma) for convergence. Terms: D: d_rel = mean (D(x) - D(fake)) (the
 * margin D holds), d_real, d_fake (the means); G: g_adv (= g_loss), g_rel = mean (D(G(z)) - D(x)).
 *
 * G's loss needs D(x): the core's real batch of the step. A conditional model is refused there,
 * since G's update gives the loss the labels of the fakes to draw, not those of the real batch.
 */
#include <ganlab/autograd.h>
#include <ganlab/plugin.h>
#include <ganlab/tensor.h>

static int rpgan_create(const gl_params *p, void **self, gl_error *err)
{
    (void)p;
    (void)err;
    *self = NULL;
    return GL_OK;
}

static void rpgan_destroy(void *self) { (void)self; }

/* mean softplus(-(a - b)) (1) and, in *margin, mean (a - b) (1). */
static gl_tensor *pair_loss(gl_ctx *ctx, gl_tensor *a, gl_tensor *b, gl_tensor **margin)
{
    gl_tensor *diff = gl_sub(ctx, a, b);
    *margin = gl_mean(ctx, diff);
    return gl_mean(ctx, gl_softplus(ctx, gl_scale(ctx, diff, -1)));
}

static int rpgan_d_loss(void *self, const gl_loss_env *env, gl_loss_result *out, gl_error *err)
{
    gl_ctx *ctx = env->ctx;
    gl_tensor *real = env->discriminate(env->core, env->real, env->labels);
    gl_tensor *fake = gl_detach(ctx, env->generate(env->core, env->batch, env->labels));
    gl_tensor *fake_out = env->discriminate(env->core, fake, env->labels), *margin = NULL;
    gl_tensor *d_real = gl_mean(ctx, real), *d_fake = gl_mean(ctx, fake_out);
    out->loss = pair_loss(ctx, real, fake_out, &margin);
    if (!out->loss || !d_real || !d_fake)
        return GL_OK; /* the core reports the engine's error (plugin.h, losses) */
    gl_loss_term(out, "d_rel", gl_tensor_item(margin));
    gl_loss_term(out, "d_real", gl_tensor_item(d_real));
    gl_loss_term(out, "d_fake", gl_tensor_item(d_fake));
    return GL_OK;
}

static int rpgan_g_loss(void *self, const gl_loss_env *env, gl_loss_result *out, gl_error *err)
{
    gl_ctx *ctx = env->ctx;
    if (env->labels)
        return gl_error_add(err, GL_ERR_INPUT,
                            "loss 'rpgan' cannot train a conditional model: G's update pairs its "
                            "fakes with the real batch, whose labels it is not given; use "
                            "conditional: false");
    gl_tensor *fake = env->generate(env->core, env->batch, NULL);
    gl_tensor *fake_out = env->discriminate(env->core, fake, NULL);
    gl_tensor *real = env->discriminate(env->core, env->real, NULL), *margin = NULL;
    out->loss = pair_loss(ctx, fake_out, real, &margin);
    if (!out->loss)
        return GL_OK; /* the core reports the engine's error (plugin.h, losses) */
    gl_loss_term(out, "g_adv", gl_tensor_item(out->loss));
    gl_loss_term(out, "g_rel", gl_tensor_item(margin));
    return GL_OK;
}

static const gl_loss_plugin rpgan_plugin = {
    .hdr = {GL_ABI_VERSION, GL_KIND_LOSS, sizeof(gl_loss_plugin), "rpgan",
            "relativistic pairing GAN (RpGAN, as in R3GAN): softplus(-(D(x) - D(G(z)))) paired",
            NULL},
    .create = rpgan_create,
    .d_loss = rpgan_d_loss,
    .g_loss = rpgan_g_loss,
    .destroy = rpgan_destroy,
    .flags = 0u,
};

GL_PLUGIN_EXPORT const gl_plugin_header *gl_plugin_entry(void) { return &rpgan_plugin.hdr; }

/* lsgan.c - loss plugin `lsgan`: least squares GAN (Mao et al. 2017) on D's raw output, with the
 * paper's a-b-c coding (a: D's target for fakes, b: for real data, c: the value G wants D to give
 * its fakes):
 *
 *   D:  d_loss = 1/2 mean (D(x) - b)^2 + 1/2 mean (D(sg[G(z)]) - a)^2     (terms d_real, d_fake)
 *   G:  g_loss = 1/2 mean (D(G(z)) - c)^2                                 (term g_adv)
 *
 * Defaults a = 0, b = c = 1 (the paper's 0-1 coding, its eq. 9). Unlike the sigmoid of bce, the
 * square keeps penalising fakes that lie on the right side of D's boundary but far from the data,
 * so G's gradient does not vanish there. With b - c = 1 and b - a = 2 (a = -1, b = 1, c = 0) the
 * minimum is the Pearson chi^2 divergence (the paper's eq. 8). sg = stop-gradient (gl_detach); a
 * conditional model's fakes are made for, and judged under, the real batch's labels.
 */
#include <stdlib.h>

#include <ganlab/autograd.h>
#include <ganlab/plugin.h>
#include <ganlab/tensor.h>

static const gl_param_spec lsgan_params[] = {
    {"a", GL_PARAM_FLOAT, "0", 0, -1e3, 1e3, NULL, "D's target for fakes (0 in the 0-1 coding)"},
    {"b", GL_PARAM_FLOAT, "1", 0, -1e3, 1e3, NULL,
     "D's target for real data (1 in the 0-1 coding)"},
    {"c", GL_PARAM_FLOAT, "1", 0, -1e3, 1e3, NULL,
     "the value G wants D to give its fakes (1 in the 0-1 coding)"},
    {NULL, 0, NULL, 0, GL_NO_RANGE, NULL, NULL}};

typedef struct lsgan {
    float a, b, c;
} lsgan;

static int lsgan_create(const gl_params *p, void **self, gl_error *err)
{
    lsgan *l = calloc(1, sizeof *l);
    *self = l;
    if (!l)
        return gl_error_add(err, GL_ERR_RUN, "loss 'lsgan': out of memory");
    l->a = (float)gl_params_float(p, "a");
    l->b = (float)gl_params_float(p, "b");
    l->c = (float)gl_params_float(p, "c");
    return GL_OK;
}

static void lsgan_destroy(void *self) { free(self); }

/* 1/2 mean (d - target)^2 (1). */
static gl_tensor *half_msq(gl_ctx *ctx, gl_tensor *d, float target)
{
    return gl_scale(ctx, gl_mean(ctx, gl_square(ctx, gl_add_scalar(ctx, d, -target))), 0.5f);
}

static int lsgan_d_loss(void *self, const gl_loss_env *env, gl_loss_result *out, gl_error *err)
{
    const lsgan *l = self;
    gl_ctx *ctx = env->ctx;
    gl_tensor *real = env->discriminate(env->core, env->real, env->labels);
    gl_tensor *fake = gl_detach(ctx, env->generate(env->core, env->batch, env->labels));
    gl_tensor *fake_out = env->discriminate(env->core, fake, env->labels);
    gl_tensor *d_real = half_msq(ctx, real, l->b), *d_fake = half_msq(ctx, fake_out, l->a);
    out->loss = gl_add(ctx, d_real, d_fake);
    if (!out->loss)
        return GL_OK; /* the core reports the engine's error (plugin.h, losses) */
    gl_loss_term(out, "d_real", gl_tensor_item(d_real));
    gl_loss_term(out, "d_fake", gl_tensor_item(d_fake));
    return GL_OK;
}

static int lsgan_g_loss(void *self, const gl_loss_env *env, gl_loss_result *out, gl_error *err)
{
    const lsgan *l = self;
    gl_tensor *fake = env->generate(env->core, env->batch, env->labels);
    out->loss = half_msq(env->ctx, env->discriminate(env->core, fake, env->labels), l->c);
    if (out->loss)
        gl_loss_term(out, "g_adv", gl_tensor_item(out->loss));
    return GL_OK;
}

static const gl_loss_plugin lsgan_plugin = {
    .hdr = {GL_ABI_VERSION, GL_KIND_LOSS, sizeof(gl_loss_plugin), "lsgan",
            "least squares GAN (LSGAN): D regresses real to b and fakes to a, G its fakes to c",
            lsgan_params},
    .create = lsgan_create,
    .d_loss = lsgan_d_loss,
    .g_loss = lsgan_g_loss,
    .destroy = lsgan_destroy,
    .flags = 0u,
};

GL_PLUGIN_EXPORT const gl_plugin_header *gl_plugin_entry(void) { return &lsgan_plugin.hdr; }

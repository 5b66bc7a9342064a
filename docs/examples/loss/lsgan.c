/* lsgan.c - an example loss plugin (docs/plugins.md): least squares GAN (Mao et al. 2017) with the
 * 0-1 coding, D's output read as a score without a sigmoid:
 *
 *   D:  d_loss = 1/2 mean (D(x) - 1)^2 + w 1/2 mean D(sg[G(z)])^2    (terms d_real, d_fake)
 *   G:  g_loss = 1/2 mean (D(G(z)) - 1)^2                            (term g_adv)
 *
 * sg = stop-gradient (gl_detach): the core differentiates d_loss w.r.t. D only, so G's backward
 * pass would be wasted work. Everything is built through the engine in env->ctx; a failed op
 * returns NULL and the ops after it too, so the plugin need not check: it returns GL_OK and the
 * core reports the engine's error (plugin.h, "losses"). It reads values (gl_tensor_item) only
 * after checking the loss exists. It keeps no state: the parameter is its only field.
 *
 * Build out of tree: cc lsgan.c $(pkg-config --cflags --libs ganlab) -shared -fPIC -o lsgan.so
 */
#include <ganlab/autograd.h>
#include <ganlab/plugin.h>
#include <ganlab/tensor.h>

#include <stdlib.h>

typedef struct lsgan {
    float weight; /* of the fake term in d_loss */
} lsgan;

static const gl_param_spec params[] = {
    {"fake_weight", GL_PARAM_FLOAT, "1", 0, 0, 100, NULL, "w: weight of D's fake term"},
    {NULL, 0, NULL, 0, GL_NO_RANGE, NULL, NULL},
};

static int create(const gl_params *p, void **self, gl_error *err)
{
    lsgan *l = malloc(sizeof *l); /* freed by destroy */
    *self = l;
    if (!l)
        return gl_error_add(err, GL_ERR_RUN, "loss 'lsgan': out of memory");
    l->weight = (float)gl_params_float(p, "fake_weight");
    return GL_OK;
}

/* 1/2 mean (d - target)^2 (1). */
static gl_tensor *half_mse(gl_ctx *ctx, gl_tensor *d, float target)
{
    return gl_scale(ctx, gl_mean(ctx, gl_square(ctx, gl_add_scalar(ctx, d, -target))), 0.5f);
}

static int d_loss(void *self, const gl_loss_env *env, gl_loss_result *out, gl_error *err)
{
    const lsgan *l = self;
    gl_ctx *ctx = env->ctx;
    gl_tensor *fake = gl_detach(ctx, env->generate(env->core, env->batch, env->labels));
    gl_tensor *real_term = half_mse(ctx, env->discriminate(env->core, env->real, env->labels), 1);
    gl_tensor *fake_term = half_mse(ctx, env->discriminate(env->core, fake, env->labels), 0);
    out->loss = gl_add(ctx, real_term, gl_scale(ctx, fake_term, l->weight));
    if (!out->loss)
        return GL_OK;
    gl_loss_term(out, "d_real", gl_tensor_item(real_term));
    gl_loss_term(out, "d_fake", gl_tensor_item(fake_term));
    return GL_OK;
}

static int g_loss(void *self, const gl_loss_env *env, gl_loss_result *out, gl_error *err)
{
    gl_tensor *fake = env->generate(env->core, env->batch, env->labels); /* attached to G */
    out->loss = half_mse(env->ctx, env->discriminate(env->core, fake, env->labels), 1);
    if (out->loss)
        gl_loss_term(out, "g_adv", gl_tensor_item(out->loss));
    return GL_OK;
}

static void destroy(void *self) { free(self); }

static const gl_loss_plugin plugin = {
    .hdr = {GL_ABI_VERSION, GL_KIND_LOSS, sizeof plugin, "lsgan",
            "example: least squares GAN (0-1 coding)", params},
    .create = create,
    .d_loss = d_loss,
    .g_loss = g_loss,
    .destroy = destroy,
    .flags = 0u, /* no gradient w.r.t. D's input */
};

GL_PLUGIN_EXPORT const gl_plugin_header *gl_plugin_entry(void) { return &plugin.hdr; }

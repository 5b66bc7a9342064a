/* bce.c - loss plugin `bce`: the original GAN objective (Goodfellow et al. 2014) on D's logits,
 * with BCE(l, t) = mean_i [softplus(l_i) - t l_i] = mean_i -[t log s(l_i) + (1-t) log(1 - s(l_i))],
 * s the sigmoid, computed stably from the logit (torch's BCEWithLogitsLoss):
 *
 *   D:  d_loss = BCE(D(x), real_label) + BCE(D(sg[G(z)]), 0)     (terms d_real, d_fake)
 *       sg = stop-gradient (gl_detach): D's backward never enters G. Summed as the tutorial does,
 *       each term a mean over the batch. real_label < 1 is one-sided label smoothing (Salimans et
 *       al. 2016: 0.9); the fake target stays 0, since smoothing it too rewards G's mistakes.
 *   G:  non_saturating (default): g_loss = BCE(D(G(z)), 1) = -mean log s(D(G(z)))
 *       minimax:                  g_loss = -BCE(D(G(z)), 0) = mean log(1 - s(D(G(z))))
 *       The minimax form is the game's value but its gradient vanishes while D rejects G's samples
 *       easily (early training), hence the default; both have the same fixed point.
 *       G's z is fresh (the core draws new noise on every generate), as in the tutorial.
 *
 * Diagnostics (terms, not differentiated): d_x = mean s(D(x)), d_g_z = mean s(D(G(z))) (G: the
 * fresh batch), the probabilities D assigns to "real"; at equilibrium both approach 1/2.
 * A conditional model's fakes are generated for the real batch's labels.
 *
 * What it does not do: smoothing of the fake target, label flipping, a gradient penalty (see
 * wgan_gp), feature matching.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <ganlab/autograd.h>
#include <ganlab/plugin.h>
#include <ganlab/tensor.h>

static const gl_param_spec bce_params[] = {
    {"generator", GL_PARAM_CHOICE, "non_saturating", 0, GL_NO_RANGE, "non_saturating|minimax",
     "G's objective: maximise log D(G(z)) (non_saturating) or minimise log(1 - D(G(z)))"},
    {"real_label", GL_PARAM_FLOAT, "1.0", 0, 0, 1, NULL,
     "D's target for real data; below 1 (e.g. 0.9) is one-sided label smoothing"},
    {NULL, 0, NULL, 0, GL_NO_RANGE, NULL, NULL}};

typedef struct bce {
    int minimax;
    float real_label;
} bce;

static int bce_create(const gl_params *p, void **self, gl_error *err)
{
    bce *l = calloc(1, sizeof *l);
    *self = l;
    if (!l)
        return gl_error_add(err, GL_ERR_RUN, "loss 'bce': out of memory");
    l->minimax = strcmp(gl_params_string(p, "generator"), "minimax") == 0;
    l->real_label = (float)gl_params_float(p, "real_label");
    return GL_OK;
}

static void bce_destroy(void *self) { free(self); }

/* mean sigmoid of logits (B, 1), not NULL: a diagnostic, read off the values without recording. */
static double mean_prob(gl_tensor *logits)
{
    const gl_real *v = gl_tensor_data(logits);
    size_t n = gl_tensor_numel(logits);
    double s = 0.0;
    for (size_t i = 0; i < n; i++)
        s += 1.0 / (1.0 + exp(-(double)v[i]));
    return s / (double)n;
}

static int bce_d_loss(void *self, const gl_loss_env *env, gl_loss_result *out, gl_error *err)
{
    const bce *l = self;
    gl_ctx *ctx = env->ctx;
    gl_tensor *real_logit = env->discriminate(env->core, env->real, env->labels);
    gl_tensor *fake = gl_detach(ctx, env->generate(env->core, env->batch, env->labels));
    gl_tensor *fake_logit = env->discriminate(env->core, fake, env->labels);
    gl_tensor *d_real = gl_bce_with_logits_const(ctx, real_logit, l->real_label);
    gl_tensor *d_fake = gl_bce_with_logits_const(ctx, fake_logit, 0);
    out->loss = gl_add(ctx, d_real, d_fake);
    if (!out->loss)
        return GL_OK; /* the core reports the engine's error (plugin.h, losses) */
    gl_loss_term(out, "d_real", gl_tensor_item(d_real));
    gl_loss_term(out, "d_fake", gl_tensor_item(d_fake));
    gl_loss_term(out, "d_x", mean_prob(real_logit));
    gl_loss_term(out, "d_g_z", mean_prob(fake_logit));
    return GL_OK;
}

static int bce_g_loss(void *self, const gl_loss_env *env, gl_loss_result *out, gl_error *err)
{
    const bce *l = self;
    gl_ctx *ctx = env->ctx;
    gl_tensor *fake = env->generate(env->core, env->batch, env->labels);
    gl_tensor *logit = env->discriminate(env->core, fake, env->labels);
    out->loss = l->minimax ? gl_scale(ctx, gl_bce_with_logits_const(ctx, logit, 0), -1)
                           : gl_bce_with_logits_const(ctx, logit, 1);
    if (!out->loss)
        return GL_OK; /* the core reports the engine's error */
    gl_loss_term(out, "g_adv", gl_tensor_item(out->loss));
    gl_loss_term(out, "d_g_z", mean_prob(logit));
    return GL_OK;
}

static const gl_loss_plugin bce_plugin = {
    .hdr = {GL_ABI_VERSION, GL_KIND_LOSS, sizeof(gl_loss_plugin), "bce",
            "original GAN loss (BCE on D's logits), non-saturating or minimax G", bce_params},
    .create = bce_create,
    .d_loss = bce_d_loss,
    .g_loss = bce_g_loss,
    .destroy = bce_destroy,
    .flags = 0u,
};

GL_PLUGIN_EXPORT const gl_plugin_header *gl_plugin_entry(void) { return &bce_plugin.hdr; }

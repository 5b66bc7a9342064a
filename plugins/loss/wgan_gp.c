/* wgan_gp.c - loss plugin `wgan_gp`: Wasserstein GAN with gradient penalty (Gulrajani et al. 2017),
 * D read as a critic whose raw output (no sigmoid) estimates the Wasserstein-1 distance:
 *
 *   D:  d_loss = mean D(sg[G(z)]) - mean D(x) + lambda mean_i (||grad_xh D(xh_i)||_2 - 1)^2
 *                [+ drift mean D(x)^2]
 *       xh_i = eps_i x_i + (1 - eps_i) sg[G(z)]_i,   eps_i ~ U(0, 1), one per sample,
 *       drawn from env->rng (the penalty stream, so resumed runs redraw the same eps).
 *       The norm is over all of an item's elements. The penalty is differentiated w.r.t. D's
 *       parameters through the input gradient: gl_grad with create_graph, then the core's
 *       gl_backward goes through that recorded gradient (second order).
 *       The drift term (Karras et al. 2018, epsilon 0.001 there) keeps D(x) from wandering off,
 *       which the loss alone does not pin down (it is invariant to adding a constant to D).
 *   G:  g_loss = -mean D(G(z)), with fresh noise.
 * Terms: D: wasserstein = mean D(x) - mean D(fake) (the critic's distance estimate, the number to
 * watch), gp (the penalty before lambda), d_real, d_fake, and drift (mean D(x)^2) when drift > 0;
 * G: g_adv (= g_loss).
 * sg = stop-gradient (gl_detach). A conditional model's fakes use the real batch's labels, and the
 * interpolates are judged under the same labels.
 *
 * Sets GL_LOSS_INPUT_GRADIENT: the core refuses a D with batch statistics (batch norm), for which
 * D(xh_i) would depend on the other interpolates and the per-sample penalty would be meaningless.
 *
 * What it does not do: the one-sided penalty max(0, ||g|| - 1)^2, weight clipping (the original
 * WGAN). R1/R2 (zero-centred penalties on real data or fakes) are the core's, for any loss.
 */
#include <stdlib.h>

#include <ganlab/autograd.h>
#include <ganlab/plugin.h>
#include <ganlab/rng.h>
#include <ganlab/tensor.h>

static const gl_param_spec wgan_gp_params[] = {
    {"lambda", GL_PARAM_FLOAT, "10", 0, 0, 1e6, NULL,
     "weight of the gradient penalty (10 in Gulrajani et al.)"},
    {"drift", GL_PARAM_FLOAT, "0.0", 0, 0, 1e6, NULL,
     "weight of the drift penalty mean D(x)^2 (0.001 in Karras et al.; 0: off)"},
    {NULL, 0, NULL, 0, GL_NO_RANGE, NULL, NULL}};

typedef struct wgan_gp {
    float lambda, drift;
} wgan_gp;

static int wgan_gp_create(const gl_params *p, void **self, gl_error *err)
{
    wgan_gp *l = calloc(1, sizeof *l);
    *self = l;
    if (!l)
        return gl_error_add(err, GL_ERR_RUN, "loss 'wgan_gp': out of memory");
    l->lambda = (float)gl_params_float(p, "lambda");
    l->drift = (float)gl_params_float(p, "drift");
    return GL_OK;
}

static void wgan_gp_destroy(void *self) { free(self); }

/* xh = eps x + (1 - eps) f, eps (B) ~ U(0, 1) from rng; a new leaf (B, item...) owned by ctx that
 * requires gradients. x and f are constants here, so this is plain arithmetic, not recorded. */
static gl_tensor *interpolate(gl_ctx *ctx, gl_tensor *x, gl_tensor *f, gl_rng *rng)
{
    int shape[GL_MAX_DIMS], nd = gl_tensor_ndim(x);
    for (int i = 0; i < nd; i++)
        shape[i] = gl_tensor_dim(x, i);
    gl_tensor *xh = gl_tensor_new(ctx, nd, shape);
    if (!xh)
        return NULL;
    size_t b = (size_t)shape[0], item = gl_tensor_numel(x) / b;
    const gl_real *xv = gl_tensor_data(x), *fv = gl_tensor_data(f);
    gl_real *hv = gl_tensor_data(xh);
    /* One eps per sample, drawn as one block: a data-parallel rank draws its rows' (rng.h). */
    gl_rng_batch_begin(rng, b);
    for (size_t i = 0; i < b; i++) {
        gl_real eps = gl_rng_uniform(rng);
        for (size_t j = i * item; j < (i + 1) * item; j++)
            hv[j] = eps * xv[j] + (1 - eps) * fv[j];
    }
    gl_rng_batch_end(rng, b);
    gl_tensor_set_requires_grad(xh, 1);
    return xh;
}

/* *gp = mean_i (||grad_xh D(xh)_i|| - 1)^2 (1), recorded so that it can be differentiated again;
 * NULL when an engine op failed (the error is in ctx). */
static int penalty(const gl_loss_env *env, gl_tensor *xh, gl_tensor **gp, gl_error *err)
{
    gl_ctx *ctx = env->ctx;
    gl_tensor *d = env->discriminate(env->core, xh, env->labels); /* (B, 1) */
    gl_tensor *ones = gl_tensor_full_like(ctx, d, 1);
    gl_tensor *gx = NULL; /* (B, item...) */
    *gp = NULL;
    if (!ones)
        return GL_OK;
    int rc = gl_grad(ctx, 1, &d, &ones, 1, &xh, &gx, 1, err);
    if (rc != GL_OK)
        return rc;
    gl_tensor *dev = gl_add_scalar(ctx, gl_row_l2norm(ctx, gx), -1); /* (B, 1) */
    *gp = gl_mean(ctx, gl_square(ctx, dev));
    return GL_OK;
}

static int wgan_gp_d_loss(void *self, const gl_loss_env *env, gl_loss_result *out, gl_error *err)
{
    const wgan_gp *l = self;
    gl_ctx *ctx = env->ctx;
    gl_tensor *real_out = env->discriminate(env->core, env->real, env->labels); /* (B, 1) */
    gl_tensor *fake = gl_detach(ctx, env->generate(env->core, env->batch, env->labels));
    gl_tensor *fake_out = env->discriminate(env->core, fake, env->labels);
    if (!real_out || !fake_out)
        return GL_OK; /* the core reports the engine's error (plugin.h, losses) */
    /* interpolate() reads fake's values, so it needs fake itself (not NULL: fake_out is not). */
    gl_tensor *xh = interpolate(ctx, env->real, fake, env->rng), *gp = NULL;
    int rc = xh ? penalty(env, xh, &gp, err) : GL_OK;
    if (rc != GL_OK || !gp)
        return rc;
    gl_tensor *d_real = gl_mean(ctx, real_out), *d_fake = gl_mean(ctx, fake_out);
    gl_tensor *loss = gl_add(ctx, gl_sub(ctx, d_fake, d_real), gl_scale(ctx, gp, l->lambda));
    gl_tensor *drift = NULL;
    if (l->drift > 0) {
        drift = gl_mean(ctx, gl_square(ctx, real_out));
        loss = gl_add(ctx, loss, gl_scale(ctx, drift, l->drift));
    }
    out->loss = loss;
    if (!loss)
        return GL_OK;
    gl_loss_term(out, "wasserstein", gl_tensor_item(d_real) - gl_tensor_item(d_fake));
    gl_loss_term(out, "gp", gl_tensor_item(gp));
    gl_loss_term(out, "d_real", gl_tensor_item(d_real));
    gl_loss_term(out, "d_fake", gl_tensor_item(d_fake));
    if (drift)
        gl_loss_term(out, "drift", gl_tensor_item(drift));
    return GL_OK;
}

static int wgan_gp_g_loss(void *self, const gl_loss_env *env, gl_loss_result *out, gl_error *err)
{
    gl_ctx *ctx = env->ctx;
    gl_tensor *fake = env->generate(env->core, env->batch, env->labels);
    out->loss = gl_scale(ctx, gl_mean(ctx, env->discriminate(env->core, fake, env->labels)), -1);
    if (out->loss)
        gl_loss_term(out, "g_adv", gl_tensor_item(out->loss));
    return GL_OK;
}

static const gl_loss_plugin wgan_gp_plugin = {
    .hdr = {GL_ABI_VERSION, GL_KIND_LOSS, sizeof(gl_loss_plugin), "wgan_gp",
            "Wasserstein loss with gradient penalty on interpolates (WGAN-GP)", wgan_gp_params},
    .create = wgan_gp_create,
    .d_loss = wgan_gp_d_loss,
    .g_loss = wgan_gp_g_loss,
    .destroy = wgan_gp_destroy,
    .flags = GL_LOSS_INPUT_GRADIENT,
};

GL_PLUGIN_EXPORT const gl_plugin_header *gl_plugin_entry(void) { return &wgan_gp_plugin.hdr; }

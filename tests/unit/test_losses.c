/* test_losses.c - the loss plugins `bce` and `wgan_gp`, loaded from their built shared objects, run
 * by a stand-in for the runner (the gl_loss_env callbacks) over:
 *   - toy nets with closed forms: G(z) = base + shift (shift (F) the one parameter of G) and the
 *     linear critic D(x) = w.x + b, for which grad_x D = w, so the gradient penalty is
 *     (||w|| - 1)^2 whatever the interpolation; every loss, term and parameter gradient is compared
 *     with its hand-derived value (in double);
 *   - the tutorial fixture through the real mlp plugin (bce's losses and gradients against torch);
 *   - small mlp / dcgan critics, where d_loss's parameter gradient, which goes through the recorded
 *     input gradient of the penalty (second order), is compared with finite differences;
 *   - the core's R1 / R2 penalties (core/train/penalty.c) on the tutorial D step against torch.
 */
#include <check.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <ganlab/autograd.h>
#include <ganlab/nn.h>
#include <ganlab/rng.h>
#include <ganlab/tensor.h>

#include "test_models_util.h"
#include "train/penalty.h"

#define B        4
#define F        3
#define MAX_SEEN 8

/* ---------------------------------------------------------------- a stand-in runner */

typedef struct runner {
    gl_ctx *ctx;
    tm_model *m; /* G and D of a model plugin; when NULL, the toy nets: */
    gl_net *gnet, *dnet;
    gl_tensor *shift, *w, *b; /* shift (F) in gnet; w (1, F), b (1) in dnet */
    const gl_real *base;      /* toy G's base (B, F) */
    const float *z;           /* fixed noise (B, latent), or NULL: from `noise` */
    gl_rng noise;
    gl_tensor *seen[MAX_SEEN]; /* the inputs discriminate was given, in order */
    int n_seen;
} runner;

static gl_tensor *r_generate(void *ud, int n, const int32_t *labels)
{
    runner *r = ud;
    if (!r->m) {
        int shape[2] = {n, F};
        return gl_add_bias(r->ctx, gl_tensor_from(r->ctx, 2, shape, r->base), r->shift);
    }
    int shape[2] = {n, r->m->env.latent_dim};
    gl_tensor *z = gl_tensor_new(r->ctx, 2, shape);
    ck_assert_ptr_nonnull(z);
    if (r->z)
        memcpy(gl_tensor_data(z), r->z, gl_tensor_numel(z) * sizeof(gl_real));
    else
        gl_rng_fill_normal(&r->noise, gl_tensor_data(z), gl_tensor_numel(z), 0, 1);
    return r->m->mp->generate(r->m->self, r->ctx, z, labels, 1);
}

static gl_tensor *r_discriminate(void *ud, gl_tensor *x, const int32_t *labels)
{
    runner *r = ud;
    if (r->n_seen < MAX_SEEN)
        r->seen[r->n_seen++] = x;
    if (!r->m)
        return gl_linear(r->ctx, x, r->w, r->b);
    return r->m->mp->discriminate(r->m->self, r->ctx, x, labels, 1);
}

static gl_loss_env make_env(runner *r, gl_tensor *real, const int32_t *labels, gl_rng *penalty)
{
    gl_loss_env env = {r->ctx,  real, labels,     gl_tensor_dim(real, 0),
                       penalty, r,    r_generate, r_discriminate};
    return env;
}

/* ---------------------------------------------------------------- toy nets */

static const gl_real toy_x[B * F] = {0.5f,   -1.0f, 0.25f, 1.5f, 0.0f, -0.5f,
                                     -0.75f, 0.5f,  1.0f,  0.2f, 0.3f, -1.2f};
static const gl_real toy_base[B * F] = {-0.3f, 0.8f, 0.1f,  0.6f,  -0.9f, 0.4f,
                                        1.1f,  0.2f, -0.6f, -0.2f, -0.4f, 0.7f};
static const gl_real toy_w[F] = {0.8f, -0.6f, 1.1f}, toy_b = 0.3f;
static const gl_real toy_shift[F] = {0.1f, -0.2f, 0.05f};

static void toy_open(runner *r)
{
    memset(r, 0, sizeof *r);
    gl_error err;
    gl_error_init(&err);
    r->gnet = gl_net_create("G");
    r->dnet = gl_net_create("D");
    int sf[1] = {F}, sw[2] = {1, F}, sb[1] = {1};
    r->shift = gl_net_param(r->gnet, "shift", 1, sf, gl_init_zeros());
    r->w = gl_net_param(r->dnet, "w", 2, sw, gl_init_zeros());
    r->b = gl_net_param(r->dnet, "b", 1, sb, gl_init_zeros());
    gl_rng init;
    gl_rng_init(&init, 1, GL_STREAM_INIT);
    ck_assert_msg(gl_net_finalize(r->gnet, &init, &err) == GL_OK, "%s", err.text);
    ck_assert_msg(gl_net_finalize(r->dnet, &init, &err) == GL_OK, "%s", err.text);
    memcpy(gl_tensor_data(r->shift), toy_shift, sizeof toy_shift);
    memcpy(gl_tensor_data(r->w), toy_w, sizeof toy_w);
    gl_tensor_data(r->b)[0] = toy_b;
    r->base = toy_base;
    r->ctx = gl_ctx_create();
}

static void toy_close(runner *r)
{
    gl_ctx_destroy(r->ctx);
    gl_net_destroy(r->gnet);
    gl_net_destroy(r->dnet);
}

static gl_tensor *toy_real(runner *r)
{
    int shape[2] = {B, F};
    return gl_tensor_from(r->ctx, 2, shape, toy_x);
}

/* Hand values of the toy: logits of real and fake rows, and the fake rows. */
typedef struct toy_hand {
    double lr[B], lf[B], fake[B][F];
} toy_hand;

static toy_hand toy_values(void)
{
    toy_hand h;
    for (int i = 0; i < B; i++) {
        h.lr[i] = h.lf[i] = toy_b;
        for (int j = 0; j < F; j++) {
            h.fake[i][j] = (double)toy_base[i * F + j] + toy_shift[j];
            h.lr[i] += (double)toy_w[j] * toy_x[i * F + j];
            h.lf[i] += (double)toy_w[j] * h.fake[i][j];
        }
    }
    return h;
}

static double softplus(double x) { return x > 0 ? x + log1p(exp(-x)) : log1p(exp(x)); }

static double sigmoid(double x) { return 1 / (1 + exp(-x)); }

#define ASSERT_NEAR(got, want, tol)                                                              \
    ck_assert_msg(fabs((double)(got) - (double)(want)) <= (tol)*fmax(1.0, fabs((double)(want))), \
                  "%s = %.9g, expected %.9g", #got, (double)(got), (double)(want))

/* The value of the term called name in res. */
static double term(const gl_loss_result *res, const char *name)
{
    for (int i = 0; i < res->n_terms; i++)
        if (strcmp(res->term_names[i], name) == 0)
            return res->term_values[i];
    ck_abort_msg("no term %s", name);
    return NAN;
}

static void open_loss(tm_loss *l, const char *name, const char *body)
{
    gl_error err;
    gl_error_init(&err);
    ck_assert_msg(tm_loss_open(l, name, body, &err) == GL_OK, "%s", err.text);
}

/* Runs d_loss (d = 1) or g_loss and backpropagates the loss into net (zeroed first). */
static gl_loss_result run_loss(tm_loss *l, runner *r, int d, gl_net *net, gl_rng *penalty,
                               gl_tensor *real, const int32_t *labels)
{
    gl_error err;
    gl_error_init(&err);
    gl_loss_env env = make_env(r, real, labels, penalty);
    gl_loss_result res = {0}; /* zeroed, as the core does (plugin.h) */
    int rc = d ? l->lp->d_loss(l->self, &env, &res, &err)
               : l->lp->g_loss(l->self, &env, &res, &err);
    ck_assert_msg(rc == GL_OK, "%s", err.text);
    ck_assert_int_eq(gl_tensor_numel(res.loss), 1);
    gl_net_zero_grad(net);
    ck_assert_msg(gl_backward(r->ctx, res.loss, net, &err) == GL_OK, "%s", err.text);
    return res;
}

/* ---------------------------------------------------------------- bce */

START_TEST(bce_d_loss_by_hand)
{
    const char *bodies[] = {"", "  real_label: 0.9\n"};
    const double targets[] = {1.0, 0.9};
    for (int v = 0; v < 2; v++) {
        tm_loss l;
        open_loss(&l, "bce", bodies[v]);
        ck_assert_uint_eq(l.lp->flags, 0);
        runner r;
        toy_open(&r);
        gl_rng pen;
        gl_rng_init(&pen, 1, GL_STREAM_PENALTY);
        gl_loss_result res = run_loss(&l, &r, 1, r.dnet, &pen, toy_real(&r), NULL);
        toy_hand h = toy_values();
        double t = targets[v], d_real = 0, d_fake = 0, d_x = 0, d_g_z = 0, gb = 0, gw[F] = {0};
        for (int i = 0; i < B; i++) {
            d_real += (softplus(h.lr[i]) - t * h.lr[i]) / B;
            d_fake += softplus(h.lf[i]) / B;
            d_x += sigmoid(h.lr[i]) / B;
            d_g_z += sigmoid(h.lf[i]) / B;
            gb += (sigmoid(h.lr[i]) - t + sigmoid(h.lf[i])) / B;
            for (int j = 0; j < F; j++)
                gw[j] += ((sigmoid(h.lr[i]) - t) * toy_x[i * F + j] +
                          sigmoid(h.lf[i]) * h.fake[i][j]) /
                         B;
        }
        ASSERT_NEAR(gl_tensor_item(res.loss), d_real + d_fake, 1e-5);
        ASSERT_NEAR(term(&res, "d_real"), d_real, 1e-5);
        ASSERT_NEAR(term(&res, "d_fake"), d_fake, 1e-5);
        ASSERT_NEAR(term(&res, "d_x"), d_x, 1e-5);
        ASSERT_NEAR(term(&res, "d_g_z"), d_g_z, 1e-5);
        for (int j = 0; j < F; j++)
            ASSERT_NEAR(gl_tensor_grad(r.w)[j], gw[j], 1e-5);
        ASSERT_NEAR(gl_tensor_grad(r.b)[0], gb, 1e-5);
        /* The fakes were detached: nothing reaches G. */
        gl_error err;
        gl_error_init(&err);
        gl_net_zero_grad(r.gnet);
        ck_assert_msg(gl_backward(r.ctx, res.loss, r.gnet, &err) == GL_OK, "%s", err.text);
        for (int j = 0; j < F; j++)
            ck_assert(gl_tensor_grad(r.shift)[j] == 0);
        toy_close(&r);
        tm_loss_close(&l);
    }
}
END_TEST

START_TEST(bce_g_loss_by_hand)
{
    const char *bodies[] = {"", "  generator: minimax\n"};
    for (int minimax = 0; minimax < 2; minimax++) {
        tm_loss l;
        open_loss(&l, "bce", bodies[minimax]);
        runner r;
        toy_open(&r);
        gl_loss_result res = run_loss(&l, &r, 0, r.gnet, NULL, toy_real(&r), NULL);
        toy_hand h = toy_values();
        /* non-saturating: mean softplus(-lf), d/dshift = -mean s(-lf) w;
         * minimax: -mean softplus(lf), d/dshift = -mean s(lf) w. */
        double g = 0, dl = 0, d_g_z = 0;
        for (int i = 0; i < B; i++) {
            g += (minimax ? -softplus(h.lf[i]) : softplus(-h.lf[i])) / B;
            dl += -(minimax ? sigmoid(h.lf[i]) : sigmoid(-h.lf[i])) / B;
            d_g_z += sigmoid(h.lf[i]) / B;
        }
        ASSERT_NEAR(gl_tensor_item(res.loss), g, 1e-5);
        ASSERT_NEAR(term(&res, "g_adv"), g, 1e-5);
        ASSERT_NEAR(term(&res, "d_g_z"), d_g_z, 1e-5);
        for (int j = 0; j < F; j++)
            ASSERT_NEAR(gl_tensor_grad(r.shift)[j], dl * toy_w[j], 1e-5);
        toy_close(&r);
        tm_loss_close(&l);
    }
}
END_TEST

/* Fixture name (after "G." / "D.") -> parameter name; D's map is the first three layers. */
static const char *const map_g[] = {
    "0.weight", "model.0.weight", "0.bias",   "model.0.bias",   "2.weight", "model.2.weight",
    "2.bias",   "model.2.bias",   "4.weight", "model.4.weight", "4.bias",   "model.4.bias",
    "6.weight", "model.6.weight", "6.bias",   "model.6.bias",   NULL};
static const char *const map_d[] = {"0.weight", "model.0.weight", "0.bias", "model.0.bias",
                                    "2.weight", "model.2.weight", "2.bias", "model.2.bias",
                                    "4.weight", "model.4.weight", "4.bias", "model.4.bias",
                                    NULL};

static void assert_fixture(double got, const fx_file *f, const char *name)
{
    const fx_tensor *t = fx_find(f, name);
    ck_assert_ptr_nonnull(t);
    ASSERT_NEAR(got, t->data[0], 1e-4);
}

static void assert_grads(gl_net *net, const fx_file *f, const char *prefix, const char *const *map)
{
    char msg[512], src[128];
    for (int i = 0; map[i]; i += 2) {
        gl_tensor *p = gl_net_find(net, map[i + 1]);
        snprintf(src, sizeof src, "%s.%s", prefix, map[i]);
        ck_assert_ptr_nonnull(p);
        ck_assert_msg(
            fx_match(gl_tensor_grad(p), gl_tensor_numel(p), fx_find(f, src), 1e-4, msg, sizeof msg),
            "%s", msg);
    }
}

/* bce with the tutorial networks (mlp defaults) reproduces the PyTorch tutorial's D and G steps. */
START_TEST(bce_matches_pytorch_tutorial)
{
    fx_file f;
    gl_error err;
    gl_error_init(&err);
    ck_assert_msg(fx_load("tutorial.tensors", &f, &err) == GL_OK, "%s", err.text);
    tm_model m;
    gl_dataset_info data = tm_images(1, 28, 28, 0);
    ck_assert_msg(tm_model_open(&m, "mlp", "", &data, 3, &err) == GL_OK, "%s", err.text);
    char msg[512];
    ck_assert_msg(tm_load_weights(m.g, &f, "G", map_g, msg, sizeof msg), "%s", msg);
    ck_assert_msg(tm_load_weights(m.d, &f, "D", map_d, msg, sizeof msg), "%s", msg);
    tm_loss l;
    open_loss(&l, "bce", "");
    runner r = {.ctx = gl_ctx_create(), .m = &m, .z = fx_find(&f, "z_d")->data};
    int xs[4] = {8, 1, 28, 28};
    gl_tensor *x = gl_tensor_from(r.ctx, 4, xs, fx_find(&f, "x")->data);

    gl_loss_result res = run_loss(&l, &r, 1, m.d, NULL, x, NULL);
    assert_fixture(gl_tensor_item(res.loss), &f, "d.loss");
    assert_fixture(term(&res, "d_real"), &f, "d.loss_real");
    assert_fixture(term(&res, "d_fake"), &f, "d.loss_fake");
    double p_real = 0;
    for (int i = 0; i < 8; i++)
        p_real += fx_find(&f, "d.prob_real")->data[i] / 8;
    ASSERT_NEAR(term(&res, "d_x"), p_real, 1e-5);
    assert_grads(m.d, &f, "d.grad.D", map_d);

    gl_ctx_reset(r.ctx);
    r.z = fx_find(&f, "z_g")->data;
    res = run_loss(&l, &r, 0, m.g, NULL, x, NULL);
    assert_fixture(gl_tensor_item(res.loss), &f, "g.loss");
    assert_grads(m.g, &f, "g.grad.G", map_g);

    gl_ctx_destroy(r.ctx);
    tm_loss_close(&l);
    tm_model_close(&m);
    fx_free(&f);
}
END_TEST

/* ---------------------------------------------------------------- wgan_gp */

START_TEST(wgan_gp_by_hand)
{
    const char *bodies[] = {"", "  lambda: 2.5\n  drift: 0.01\n"};
    const double lambdas[] = {10, 2.5}, drifts[] = {0, 0.01};
    for (int v = 0; v < 2; v++) {
        tm_loss l;
        open_loss(&l, "wgan_gp", bodies[v]);
        ck_assert_uint_eq(l.lp->flags, GL_LOSS_INPUT_GRADIENT);
        runner r;
        toy_open(&r);
        gl_rng pen;
        gl_rng_init(&pen, 5, GL_STREAM_PENALTY);
        gl_loss_result res = run_loss(&l, &r, 1, r.dnet, &pen, toy_real(&r), NULL);
        toy_hand h = toy_values();
        double lam = lambdas[v], dr = drifts[v], norm = 0, mr = 0, mf = 0, m2 = 0, gw[F], gb = 0;
        for (int j = 0; j < F; j++)
            norm += (double)toy_w[j] * toy_w[j];
        norm = sqrt(norm);
        for (int i = 0; i < B; i++) {
            mr += h.lr[i] / B;
            mf += h.lf[i] / B;
            m2 += h.lr[i] * h.lr[i] / B;
            gb += 2 * dr * h.lr[i] / B;
        }
        /* d/dw [mean lf - mean lr + lam (|w| - 1)^2 + dr mean lr^2] */
        for (int j = 0; j < F; j++) {
            gw[j] = 2 * lam * (norm - 1) * toy_w[j] / norm;
            for (int i = 0; i < B; i++)
                gw[j] += (h.fake[i][j] - toy_x[i * F + j] + 2 * dr * h.lr[i] * toy_x[i * F + j]) /
                         B;
        }
        double gp = (norm - 1) * (norm - 1);
        ASSERT_NEAR(gl_tensor_item(res.loss), mf - mr + lam * gp + dr * m2, 1e-5);
        ASSERT_NEAR(term(&res, "wasserstein"), mr - mf, 1e-5);
        ASSERT_NEAR(term(&res, "gp"), gp, 1e-5);
        ASSERT_NEAR(term(&res, "d_real"), mr, 1e-5);
        ASSERT_NEAR(term(&res, "d_fake"), mf, 1e-5);
        ck_assert_int_eq(res.n_terms, dr > 0 ? 5 : 4);
        if (dr > 0)
            ASSERT_NEAR(term(&res, "drift"), m2, 1e-5);
        for (int j = 0; j < F; j++)
            ASSERT_NEAR(gl_tensor_grad(r.w)[j], gw[j], 1e-5);
        ASSERT_NEAR(gl_tensor_grad(r.b)[0], gb, 1e-5);

        gl_ctx_reset(r.ctx);
        res = run_loss(&l, &r, 0, r.gnet, &pen, toy_real(&r), NULL);
        ASSERT_NEAR(gl_tensor_item(res.loss), -mf, 1e-5);
        ASSERT_NEAR(term(&res, "g_adv"), -mf, 1e-5);
        for (int j = 0; j < F; j++)
            ASSERT_NEAR(gl_tensor_grad(r.shift)[j], -toy_w[j], 1e-5);
        toy_close(&r);
        tm_loss_close(&l);
    }
}
END_TEST

/* The third input D sees is the interpolate eps x + (1 - eps) G(z), one eps per row from the
 * penalty stream, which advances by exactly B uniforms. */
START_TEST(wgan_gp_interpolates)
{
    tm_loss l;
    open_loss(&l, "wgan_gp", "");
    runner r;
    toy_open(&r);
    gl_rng pen, expect;
    gl_rng_init(&pen, 9, GL_STREAM_PENALTY);
    expect = pen;
    run_loss(&l, &r, 1, r.dnet, &pen, toy_real(&r), NULL);
    ck_assert_int_ge(r.n_seen, 3);
    gl_tensor *xh = r.seen[2];
    ck_assert(gl_tensor_requires_grad(xh));
    toy_hand h = toy_values();
    for (int i = 0; i < B; i++) {
        double eps = gl_rng_uniform(&expect);
        for (int j = 0; j < F; j++)
            ASSERT_NEAR(gl_tensor_data(xh)[i * F + j],
                        eps * toy_x[i * F + j] + (1 - eps) * h.fake[i][j], 1e-6);
    }
    ck_assert_mem_eq(&pen, &expect, sizeof pen);
    toy_close(&r);
    tm_loss_close(&l);
}
END_TEST

/* d_loss of wgan_gp as a function of D's parameters, everything else fixed: the noise and penalty
 * streams restart from the same state on every evaluation. */
typedef struct gp_probe {
    tm_loss *l;
    runner *r;
    gl_rng noise0, pen0;
    gl_tensor *real; /* made in a context of its own */
    const int32_t *labels;
} gp_probe;

static gl_tensor *gp_probe_loss(gp_probe *p)
{
    gl_error err;
    gl_error_init(&err);
    gl_ctx_reset(p->r->ctx);
    p->r->noise = p->noise0;
    gl_rng pen = p->pen0;
    gl_loss_env env = make_env(p->r, p->real, p->labels, &pen);
    gl_loss_result res = {0};
    ck_assert_msg(p->l->lp->d_loss(p->l->self, &env, &res, &err) == GL_OK, "%s", err.text);
    return res.loss;
}

static double gp_probe_value(void *ud) { return gl_tensor_item(gp_probe_loss(ud)); }

static void check_penalised_critic(const char *model, const char *body, gl_dataset_info data,
                                   const int32_t *labels)
{
    gl_error err;
    gl_error_init(&err);
    tm_model m;
    ck_assert_msg(tm_model_open(&m, model, body, &data, 21, &err) == GL_OK, "%s", err.text);
    tm_loss l;
    open_loss(&l, "wgan_gp", "");
    runner r = {.ctx = gl_ctx_create(), .m = &m};
    gp_probe p = {.l = &l, .r = &r};
    gl_rng_init(&p.noise0, 4, GL_STREAM_NOISE);
    gl_rng_init(&p.pen0, 4, GL_STREAM_PENALTY);
    gl_ctx *real_ctx = gl_ctx_create();
    int shape[4] = {B, data.shape[0], data.shape[1], data.shape[2]};
    p.real = gl_tensor_new(real_ctx, 1 + data.ndim, shape);
    gl_rng rr;
    gl_rng_init(&rr, 8, 1000);
    gl_rng_fill_uniform(&rr, gl_tensor_data(p.real), gl_tensor_numel(p.real), -1, 1);
    p.labels = labels;

    gl_net_zero_grad(m.d);
    ck_assert_msg(gl_backward(r.ctx, gp_probe_loss(&p), m.d, &err) == GL_OK, "%s", err.text);
    char msg[512];
    ck_assert_msg(tm_check_grads(m.d, gp_probe_value, &p, 40, 13, msg, sizeof msg), "%s: %s", model,
                  msg);
    gl_ctx_destroy(real_ctx);
    gl_ctx_destroy(r.ctx);
    tm_loss_close(&l);
    tm_model_close(&m);
}

START_TEST(wgan_gp_second_order_gradients)
{
    static const int32_t labels[B] = {1, 0, 2, 1};
    check_penalised_critic("mlp",
                           "  latent_dim: 3\n  g_hidden: [4]\n  d_hidden: [5, 4]\n"
                           "  activation: tanh\n  d_norm: layer\n  g_output: none\n"
                           "  conditional: true\n  label_mode: embedding\n",
                           tm_vectors(3, 3), labels);
    check_penalised_critic("mlp", "  latent_dim: 2\n  g_hidden: [4]\n  d_hidden: [6]\n",
                           tm_vectors(2, 0), NULL);
    check_penalised_critic("dcgan", "  latent_dim: 2\n  ngf: 2\n  ndf: 2\n  g_norm: none\n",
                           tm_images(1, 4, 4, 0), NULL);
}
END_TEST

/* A batch-norm critic has no second-order rule: d_loss fails with the engine's message instead of
 * computing a wrong penalty (the core refuses the pair earlier, from the flags). */
START_TEST(wgan_gp_batch_norm_critic_fails)
{
    gl_error err;
    gl_error_init(&err);
    tm_model m;
    gl_dataset_info data = tm_vectors(2, 0);
    ck_assert_msg(tm_model_open(&m, "mlp", "  d_hidden: [4]\n  d_norm: batch\n", &data, 1, &err) ==
                      GL_OK,
                  "%s", err.text);
    ck_assert_uint_eq(m.env.flags, GL_MODEL_D_BATCH_STATS);
    tm_loss l;
    open_loss(&l, "wgan_gp", "");
    runner r = {.ctx = gl_ctx_create(), .m = &m};
    gl_rng_init(&r.noise, 1, GL_STREAM_NOISE);
    gl_rng pen;
    gl_rng_init(&pen, 1, GL_STREAM_PENALTY);
    int shape[2] = {B, 2};
    gl_loss_env env = make_env(&r, gl_tensor_new(r.ctx, 2, shape), NULL, &pen);
    gl_loss_result res = {0};
    ck_assert_int_eq(l.lp->d_loss(l.self, &env, &res, &err), GL_ERR_INPUT);
    ck_assert_msg(err.count > 0, "no message");
    gl_ctx_destroy(r.ctx);
    tm_loss_close(&l);
    tm_model_close(&m);
}
END_TEST

/* ---------------------------------------------------------------- hinge, lsgan, rpgan */

/* Like assert_grads, to 1e-4 of the net's largest gradient rather than each tensor's (rpgan's
 * output bias gets exactly 0: D(x) - D(fake) cancels it). */
static void assert_net_grads(gl_net *net, const fx_file *f, const char *prefix,
                             const char *const *map)
{
    char src[128];
    double big = 0;
    for (int pass = 0; pass < 2; pass++)
        for (int i = 0; map[i]; i += 2) {
            gl_tensor *p = gl_net_find(net, map[i + 1]);
            snprintf(src, sizeof src, "%s.%s", prefix, map[i]);
            const fx_tensor *t = fx_find(f, src);
            ck_assert_msg(p && t && t->n == gl_tensor_numel(p), "%s", src);
            for (size_t k = 0; k < t->n; k++) {
                double want = t->data[k], got = gl_tensor_grad(p)[k];
                if (pass == 0)
                    big = fmax(big, fabs(want));
                else
                    ck_assert_msg(fabs(got - want) <= 1e-4 * big, "%s[%zu] = %g, PyTorch %g", src,
                                  k, got, want);
            }
        }
    ck_assert(big > 0);
}

/* Each loss's D and G steps on a small mlp pair against PyTorch (losses.tensors): losses, the real
 * term, and every parameter gradient of the net updated. */
START_TEST(new_losses_match_pytorch)
{
    static const char *const names[] = {"hinge", "lsgan", "rpgan"};
    static const char *const bodies[] = {"", "  a: -1\n  b: 1\n  c: 0.5\n", ""};
    static const char *const real_terms[] = {"d_real", "d_real", NULL};
    static const char *const map[] = {"model.0.weight",
                                      "model.0.weight",
                                      "model.0.bias",
                                      "model.0.bias",
                                      "model.2.weight",
                                      "model.2.weight",
                                      "model.2.bias",
                                      "model.2.bias",
                                      "model.4.weight",
                                      "model.4.weight",
                                      "model.4.bias",
                                      "model.4.bias",
                                      NULL};
    static const char *const small_g[] = {"model.0.weight", "model.0.weight", "model.0.bias",
                                          "model.0.bias",   "model.2.weight", "model.2.weight",
                                          "model.2.bias",   "model.2.bias",   NULL};
    const char *name = names[_i];
    fx_file f;
    gl_error err;
    gl_error_init(&err);
    ck_assert_msg(fx_load("losses.tensors", &f, &err) == GL_OK, "%s", err.text);
    tm_model m;
    gl_dataset_info data = tm_vectors(16, 0);
    ck_assert_msg(tm_model_open(&m, "mlp",
                                "  latent_dim: 6\n  g_hidden: [12]\n  d_hidden: [10, 8]\n", &data,
                                3, &err) == GL_OK,
                  "%s", err.text);
    char msg[512], fx[64];
    ck_assert_msg(tm_load_weights(m.g, &f, "G", small_g, msg, sizeof msg), "%s", msg);
    ck_assert_msg(tm_load_weights(m.d, &f, "D", map, msg, sizeof msg), "%s", msg);
    tm_loss l;
    open_loss(&l, name, bodies[_i]);
    ck_assert_uint_eq(l.lp->flags, 0);
    runner r = {.ctx = gl_ctx_create(), .m = &m, .z = fx_find(&f, "z_d")->data};
    int xs[2] = {8, 16};
    gl_tensor *x = gl_tensor_from(r.ctx, 2, xs, fx_find(&f, "x")->data);
    gl_loss_result res = run_loss(&l, &r, 1, m.d, NULL, x, NULL);
    snprintf(fx, sizeof fx, "%s.d.loss", name);
    assert_fixture(gl_tensor_item(res.loss), &f, fx);
    snprintf(fx, sizeof fx, "%s.d.part0", name);
    if (real_terms[_i])
        assert_fixture(term(&res, real_terms[_i]), &f, fx);
    snprintf(fx, sizeof fx, "%s.d.grad.D", name);
    assert_net_grads(m.d, &f, fx, map);

    gl_ctx_reset(r.ctx);
    r.z = fx_find(&f, "z_g")->data;
    x = gl_tensor_from(r.ctx, 2, xs, fx_find(&f, "x")->data);
    res = run_loss(&l, &r, 0, m.g, NULL, x, NULL);
    snprintf(fx, sizeof fx, "%s.g.loss", name);
    assert_fixture(gl_tensor_item(res.loss), &f, fx);
    ASSERT_NEAR(term(&res, "g_adv"), gl_tensor_item(res.loss), 1e-6);
    snprintf(fx, sizeof fx, "%s.g.grad.G", name);
    assert_net_grads(m.g, &f, fx, small_g);

    gl_ctx_destroy(r.ctx);
    tm_loss_close(&l);
    tm_model_close(&m);
    fx_free(&f);
}
END_TEST

/* rpgan's G update has no labels for the real batch: a conditional model is refused with a
 * message, not trained against mislabelled real data. */
START_TEST(rpgan_refuses_conditional)
{
    tm_loss l;
    open_loss(&l, "rpgan", "");
    runner r;
    toy_open(&r);
    static const int32_t labels[B] = {0, 1, 0, 1};
    gl_loss_env env = make_env(&r, toy_real(&r), labels, NULL);
    gl_loss_result res = {0};
    gl_error err;
    gl_error_init(&err);
    ck_assert_int_eq(l.lp->g_loss(l.self, &env, &res, &err), GL_ERR_INPUT);
    ck_assert_msg(strstr(err.text, "conditional"), "%s", err.text);
    toy_close(&r);
    tm_loss_close(&l);
}
END_TEST

/* ---------------------------------------------------------------- R1 / R2 */

/* The core's zero-centred penalties on the tutorial networks: alone (values and their second-order
 * parameter gradients against torch; nothing reaches G) and added to bce's D loss. */
START_TEST(zc_penalties_match_pytorch)
{
    fx_file tut, zc;
    gl_error err;
    gl_error_init(&err);
    ck_assert_msg(fx_load("tutorial.tensors", &tut, &err) == GL_OK, "%s", err.text);
    ck_assert_msg(fx_load("zc.tensors", &zc, &err) == GL_OK, "%s", err.text);
    tm_model m;
    gl_dataset_info data = tm_images(1, 28, 28, 0);
    ck_assert_msg(tm_model_open(&m, "mlp", "", &data, 3, &err) == GL_OK, "%s", err.text);
    char msg[512];
    ck_assert_msg(tm_load_weights(m.g, &tut, "G", map_g, msg, sizeof msg), "%s", msg);
    ck_assert_msg(tm_load_weights(m.d, &tut, "D", map_d, msg, sizeof msg), "%s", msg);
    runner r = {.ctx = gl_ctx_create(), .m = &m, .z = fx_find(&tut, "z_d")->data};
    int xs[4] = {8, 1, 28, 28};
    gl_tensor *x = gl_tensor_from(r.ctx, 4, xs, fx_find(&tut, "x")->data);
    gl_loss_env env = make_env(&r, x, NULL, NULL);

    int one = 1;
    gl_loss_result res = {.loss = gl_tensor_new(r.ctx, 1, &one)};
    gl_tensor_data(res.loss)[0] = 0;
    ck_assert_msg(gl_zc_penalties_add(&env, r_generate(&r, 8, NULL), 10, 4, &res, &err) == GL_OK,
                  "%s", err.text);
    ck_assert_int_eq(res.n_terms, 2);
    /* Relative: the penalties are ~1e-2 here. */
    ASSERT_NEAR(term(&res, "r1") / fx_find(&zc, "zc.r1")->data[0], 1, 1e-4);
    ASSERT_NEAR(term(&res, "r2") / fx_find(&zc, "zc.r2")->data[0], 1, 1e-4);
    ASSERT_NEAR(gl_tensor_item(res.loss) / fx_find(&zc, "zc.penalty")->data[0], 1, 1e-4);
    gl_net_zero_grad(m.d);
    ck_assert_msg(gl_backward(r.ctx, res.loss, m.d, &err) == GL_OK, "%s", err.text);
    assert_grads(m.d, &zc, "zc.grad.D", map_d);
    gl_net_zero_grad(m.g);
    ck_assert_msg(gl_backward(r.ctx, res.loss, m.g, &err) == GL_OK, "%s", err.text);
    for (size_t i = 0; i < gl_net_numel(m.g); i++)
        ck_assert(gl_net_grads(m.g)[i] == 0);

    /* On top of bce's D loss, with its own fakes (the same z). */
    gl_ctx_reset(r.ctx);
    tm_loss l;
    open_loss(&l, "bce", "");
    x = gl_tensor_from(r.ctx, 4, xs, fx_find(&tut, "x")->data);
    env = make_env(&r, x, NULL, NULL);
    memset(&res, 0, sizeof res); /* zeroed, as the core does (plugin.h) */
    ck_assert_msg(l.lp->d_loss(l.self, &env, &res, &err) == GL_OK, "%s", err.text);
    int n_bce = res.n_terms;
    gl_tensor *bce_loss = res.loss;
    /* Gammas of 0 add nothing. */
    ck_assert_msg(gl_zc_penalties_add(&env, NULL, 0, 0, &res, &err) == GL_OK, "%s", err.text);
    ck_assert_ptr_eq(res.loss, bce_loss);
    ck_assert_int_eq(res.n_terms, n_bce);
    ck_assert_msg(gl_zc_penalties_add(&env, r_generate(&r, 8, NULL), 10, 4, &res, &err) == GL_OK,
                  "%s", err.text);
    ck_assert_int_eq(res.n_terms, n_bce + 2);
    assert_fixture(gl_tensor_item(res.loss), &zc, "zc.loss");

    /* A loss that filled every term leaves no room: a message, not an overflow. */
    res.n_terms = GL_LOSS_MAX_TERMS;
    ck_assert_int_eq(gl_zc_penalties_add(&env, NULL, 1, 0, &res, &err), GL_ERR_RUN);
    ck_assert_msg(strstr(err.text, "r1_gamma"), "%s", err.text);

    tm_loss_close(&l);
    gl_ctx_destroy(r.ctx);
    tm_model_close(&m);
    fx_free(&zc);
    fx_free(&tut);
}
END_TEST

/* Every parameter of these plugins has a doc line (hinge and rpgan have none); unknown keys are
 * refused by the schema. */
START_TEST(schemas_documented)
{
    const char *kinds[] = {"model", "model", "loss", "loss", "loss"};
    const char *names[] = {"mlp", "dcgan", "bce", "wgan_gp", "lsgan"};
    const gl_plugin_kind k[] = {GL_KIND_MODEL, GL_KIND_MODEL, GL_KIND_LOSS, GL_KIND_LOSS,
                                GL_KIND_LOSS};
    for (int i = 0; i < 5; i++) {
        fx_plugin p;
        gl_error err;
        gl_error_init(&err);
        ck_assert_msg(fx_plugin_open(&p, kinds[i], names[i], k[i], &err) == GL_OK, "%s", err.text);
        ck_assert_ptr_nonnull(p.hdr->params);
        for (const gl_param_spec *s = p.hdr->params; s->name; s++)
            ck_assert_msg(s->doc && strlen(s->doc) > 10, "%s.%s has no doc", names[i], s->name);
        fx_plugin_close(&p);
    }
    tm_loss l;
    gl_error err;
    gl_error_init(&err);
    ck_assert_int_eq(tm_loss_open(&l, "wgan_gp", "  lamda: 5\n", &err), GL_ERR_INPUT);
    ck_assert_msg(strstr(err.text, "lamda"), "%s", err.text);
}
END_TEST

static Suite *losses_suite(void)
{
    Suite *s = suite_create("losses");
    TCase *tc = tcase_create("bce");
    tcase_add_test(tc, bce_d_loss_by_hand);
    tcase_add_test(tc, bce_g_loss_by_hand);
    tcase_add_test(tc, bce_matches_pytorch_tutorial);
    suite_add_tcase(s, tc);
    tc = tcase_create("wgan_gp");
    tcase_add_test(tc, wgan_gp_by_hand);
    tcase_add_test(tc, wgan_gp_interpolates);
    tcase_add_test(tc, wgan_gp_second_order_gradients);
    tcase_add_test(tc, wgan_gp_batch_norm_critic_fails);
    tcase_add_test(tc, schemas_documented);
    suite_add_tcase(s, tc);
    tc = tcase_create("hinge_lsgan_rpgan");
    tcase_add_loop_test(tc, new_losses_match_pytorch, 0, 3);
    tcase_add_test(tc, rpgan_refuses_conditional);
    suite_add_tcase(s, tc);
    tc = tcase_create("r1_r2");
    tcase_add_test(tc, zc_penalties_match_pytorch);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(losses_suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}

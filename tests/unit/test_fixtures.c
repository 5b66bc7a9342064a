/* test_fixtures.c - the engine against PyTorch: rebuilds the networks of
 * tests/reference/make_fixtures.py with ganlab's ops and layers, loads the stored weights and
 * inputs, and matches every stored output, loss and gradient; then runs the adam plugin's step on
 * the stored parameters and gradients, and the conditional mlp model plugin (one-hot, embedding and
 * projection conditioning) with the stored weights.
 *
 * Tolerance: every tensor must match to 1e-4 of its own largest magnitude,
 * max |got - torch| <= 1e-4 * max |torch| (the references are float64 results rounded to float32,
 * so this measures the engine's float32 error alone). For Adam the compared quantity is the update
 * p_t - p_{t-1} (of size ~lr), not p itself, since a relative bound on p (~0.05) would let any
 * update of the right sign pass; and torch's own float32 run must agree with the plugin to 2e-6 of
 * max |p| (a few float32 ulps).
 *
 * Not covered here: batch norm (its train-mode statistics are checked in the engine's own tests).
 */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include <ganlab/autograd.h>
#include <ganlab/nn.h>
#include <ganlab/rng.h>
#include <ganlab/tensor.h>

#include "fixture.h"

#define TOL 1e-4
#define B   8

static fx_file tut, gp, conv, adam_fx, cond_fx;

static void load_all(void)
{
    gl_error err;
    gl_error_init(&err);
    if (fx_load("tutorial.tensors", &tut, &err) != GL_OK ||
        fx_load("wgan_gp.tensors", &gp, &err) != GL_OK ||
        fx_load("dcgan.tensors", &conv, &err) != GL_OK ||
        fx_load("adam.tensors", &adam_fx, &err) != GL_OK ||
        fx_load("cond.tensors", &cond_fx, &err) != GL_OK) {
        gl_error_print(&err, stderr);
        abort();
    }
}

static void free_all(void)
{
    fx_free(&tut);
    fx_free(&gp);
    fx_free(&conv);
    fx_free(&adam_fx);
    fx_free(&cond_fx);
}

static const fx_tensor *need(const fx_file *f, const char *name)
{
    const fx_tensor *t = fx_find(f, name);
    ck_assert_msg(t != NULL, "the fixture has no tensor '%s' (rerun make_fixtures.py?)", name);
    return t;
}

static void expect(const float *got, size_t n, const fx_file *f, const char *name, double tol)
{
    char msg[512];
    ck_assert_msg(fx_match(got, n, need(f, name), tol, msg, sizeof msg), "%s", msg);
}

static void expect_t(gl_tensor *t, const fx_file *f, const char *name)
{
    ck_assert_msg(t != NULL, "no tensor computed for %s", name);
    expect(gl_tensor_data(t), gl_tensor_numel(t), f, name, TOL);
}

/* A context tensor of the given shape holding the fixture's values. */
static gl_tensor *input(gl_ctx *ctx, const fx_file *f, const char *name, int ndim, const int *shape)
{
    const fx_tensor *t = need(f, name);
    gl_tensor *x = gl_tensor_from(ctx, ndim, shape, t->data);
    ck_assert_ptr_nonnull(x);
    ck_assert_uint_eq(gl_tensor_numel(x), t->n);
    return x;
}

/* Finalises net (the draws are then overwritten) and copies every parameter "NAME" from the
 * fixture's "prefix.NAME". */
static void load_net(gl_net *net, const fx_file *f, const char *prefix)
{
    gl_rng rng;
    gl_rng_init(&rng, 1, GL_STREAM_INIT);
    gl_error err;
    gl_error_init(&err);
    ck_assert_msg(gl_net_finalize(net, &rng, &err) == GL_OK, "%s", err.text);
    for (int i = 0; i < gl_net_n_params(net); i++) {
        gl_tensor *p = gl_net_param_at(net, i);
        char name[256];
        snprintf(name, sizeof name, "%s.%s", prefix, gl_tensor_name(p));
        const fx_tensor *t = need(f, name);
        ck_assert_msg(t->n == gl_tensor_numel(p), "%s: %zu values, the net wants %zu", name, t->n,
                      gl_tensor_numel(p));
        memcpy(gl_tensor_data(p), t->data, t->n * sizeof(float));
    }
    gl_net_zero_grad(net);
}

/* Compares every parameter gradient of net with the fixture's "prefix.NAME". */
static void expect_grads(gl_net *net, const fx_file *f, const char *prefix)
{
    for (int i = 0; i < gl_net_n_params(net); i++) {
        gl_tensor *p = gl_net_param_at(net, i);
        char name[256];
        snprintf(name, sizeof name, "%s.%s", prefix, gl_tensor_name(p));
        expect(gl_tensor_grad(p), gl_tensor_numel(p), f, name, TOL);
    }
}

static void backward(gl_ctx *ctx, gl_tensor *loss, gl_net *net)
{
    gl_error err;
    gl_error_init(&err);
    gl_net_zero_grad(net);
    ck_assert_msg(gl_backward(ctx, loss, net, &err) == GL_OK, "%s", err.text);
}

/* d out / d x as a constant tensor (out a scalar, or summed with weights ones). */
static gl_tensor *input_grad(gl_ctx *ctx, gl_tensor *out, gl_tensor *x, int create_graph)
{
    gl_error err;
    gl_error_init(&err);
    gl_tensor *ones = gl_tensor_full_like(ctx, out, 1.0f), *g = NULL;
    ck_assert_msg(gl_grad(ctx, 1, &out, &ones, 1, &x, &g, create_graph, &err) == GL_OK, "%s",
                  err.text);
    return g;
}

/* ---------------------------------------------------------------- the tutorial's MLPs */

/* Linear layers named "0", "2", "4", ... (nn.Sequential indices, activations in between),
 * LeakyReLU(0.2) after each but the last, `last` after the last. */
typedef struct mlp {
    gl_net *net;
    gl_linear_layer l[4];
    int n;
    gl_act last;
} mlp;

static void mlp_build(mlp *m, const char *net_name, const int *sizes, int n, gl_act last,
                      const fx_file *f)
{
    m->net = gl_net_create(net_name);
    m->n = n;
    m->last = last;
    for (int i = 0; i < n; i++) {
        char name[8];
        snprintf(name, sizeof name, "%d", 2 * i);
        gl_linear_layer_declare(&m->l[i], m->net, name, sizes[i], sizes[i + 1], 1);
    }
    load_net(m->net, f, net_name);
}

static gl_tensor *mlp_forward(gl_ctx *ctx, const mlp *m, gl_tensor *x)
{
    for (int i = 0; i < m->n; i++)
        x = gl_linear_layer_forward(ctx, &m->l[i], x, i < m->n - 1 ? GL_ACT_LEAKY_RELU : m->last,
                                    0.2f);
    return x;
}

static const int d_sizes[] = {784, 512, 256, 1}, g_sizes[] = {100, 256, 512, 1024, 784};
static const int shape_img[2] = {B, 784}, shape_z[2] = {B, 100}, shape_eps[2] = {B, 1};

/* The tutorial's D step: d_loss = BCE(D(x), 1) + BCE(D(G(z_d)), 0) (the sigmoid folded into a
 * BCE with logits) and its gradients for D. */
START_TEST(tutorial_d_step)
{
    mlp d, g;
    mlp_build(&d, "D", d_sizes, 3, GL_ACT_NONE, &tut);
    mlp_build(&g, "G", g_sizes, 4, GL_ACT_TANH, &tut);
    gl_ctx *ctx = gl_ctx_create();
    gl_tensor *x = input(ctx, &tut, "x", 2, shape_img), *z = input(ctx, &tut, "z_d", 2, shape_z);
    gl_tensor *fake = mlp_forward(ctx, &g, z);
    expect_t(fake, &tut, "d.fake");
    gl_tensor *lr = mlp_forward(ctx, &d, x), *lf = mlp_forward(ctx, &d, fake);
    expect_t(lr, &tut, "d.logit_real");
    expect_t(lf, &tut, "d.logit_fake");
    expect_t(gl_sigmoid(ctx, lr), &tut, "d.prob_real");
    expect_t(gl_sigmoid(ctx, lf), &tut, "d.prob_fake");
    gl_tensor *loss_real = gl_bce_with_logits_const(ctx, lr, 1.0f);
    gl_tensor *loss_fake = gl_bce_with_logits_const(ctx, lf, 0.0f);
    gl_tensor *loss = gl_add(ctx, loss_real, loss_fake);
    expect_t(loss_real, &tut, "d.loss_real");
    expect_t(loss_fake, &tut, "d.loss_fake");
    expect_t(loss, &tut, "d.loss");
    backward(ctx, loss, d.net);
    expect_grads(d.net, &tut, "d.grad.D");
    gl_ctx_destroy(ctx);
    gl_net_destroy(d.net);
    gl_net_destroy(g.net);
}
END_TEST

/* The G step: non-saturating g_loss = BCE(D(G(z_g)), 1) and its gradients for G. */
START_TEST(tutorial_g_step)
{
    mlp d, g;
    mlp_build(&d, "D", d_sizes, 3, GL_ACT_NONE, &tut);
    mlp_build(&g, "G", g_sizes, 4, GL_ACT_TANH, &tut);
    gl_ctx *ctx = gl_ctx_create();
    gl_tensor *fake = mlp_forward(ctx, &g, input(ctx, &tut, "z_g", 2, shape_z));
    expect_t(fake, &tut, "g.fake");
    gl_tensor *logit = mlp_forward(ctx, &d, fake);
    expect_t(logit, &tut, "g.logit");
    expect_t(gl_sigmoid(ctx, logit), &tut, "g.prob");
    gl_tensor *loss = gl_bce_with_logits_const(ctx, logit, 1.0f);
    expect_t(loss, &tut, "g.loss");
    backward(ctx, loss, g.net);
    expect_grads(g.net, &tut, "g.grad.G");
    gl_ctx_destroy(ctx);
    gl_net_destroy(d.net);
    gl_net_destroy(g.net);
}
END_TEST

/* WGAN-GP with the same D as a critic: the gradient penalty through double backward. */
/* The penalty 10 mean((||d sum D(x_hat) / d x_hat|| - 1)^2) of critic output d_out at x_hat, its
 * gradient, norms and value checked against f's "<prefix>gp.*"; differentiable again. */
static gl_tensor *expect_penalty(gl_ctx *ctx, gl_tensor *d_out, gl_tensor *xh, const fx_file *f,
                                 const char *prefix)
{
    char name[64];
    gl_tensor *gx = input_grad(ctx, d_out, xh, 1);
    snprintf(name, sizeof name, "%sgp.grad_x_hat", prefix);
    expect_t(gx, f, name);
    gl_tensor *norm = gl_row_l2norm(ctx, gx);
    snprintf(name, sizeof name, "%sgp.grad_norm", prefix);
    expect_t(norm, f, name);
    gl_tensor *pen = gl_scale(ctx, gl_mean(ctx, gl_square(ctx, gl_add_scalar(ctx, norm, -1.0f))),
                              10.0f);
    snprintf(name, sizeof name, "%sgp.penalty", prefix);
    expect_t(pen, f, name);
    return pen;
}

START_TEST(wgan_gp_penalty)
{
    mlp d;
    mlp_build(&d, "D", d_sizes, 3, GL_ACT_NONE, &tut);
    gl_ctx *ctx = gl_ctx_create();
    gl_tensor *x = input(ctx, &gp, "x", 2, shape_img),
              *fake = input(ctx, &gp, "fake", 2, shape_img);
    gl_tensor *eps = input(ctx, &gp, "eps", 2, shape_eps);
    /* x_hat = eps x + (1 - eps) fake, a constant input like the runner's interpolates. */
    gl_tensor *xh = gl_tensor_new(ctx, 2, shape_img);
    const float *xv = gl_tensor_data(x), *fv = gl_tensor_data(fake), *ev = gl_tensor_data(eps);
    for (int b = 0; b < B; b++)
        for (int i = 0; i < 784; i++)
            gl_tensor_data(xh)[b * 784 + i] = ev[b] * xv[b * 784 + i] +
                                              (1 - ev[b]) * fv[b * 784 + i];
    gl_tensor_set_requires_grad(xh, 1);
    gl_tensor *pen = expect_penalty(ctx, mlp_forward(ctx, &d, xh), xh, &gp, "");
    gl_tensor *cr = mlp_forward(ctx, &d, x), *cf = mlp_forward(ctx, &d, fake);
    expect_t(cr, &gp, "gp.c_real");
    expect_t(cf, &gp, "gp.c_fake");
    gl_tensor *loss = gl_add(ctx, gl_sub(ctx, gl_mean(ctx, cf), gl_mean(ctx, cr)), pen);
    expect_t(loss, &gp, "gp.loss");
    backward(ctx, loss, d.net);
    expect_grads(d.net, &gp, "gp.grad.D");
    gl_ctx_destroy(ctx);
    gl_net_destroy(d.net);
}
END_TEST

/* ---------------------------------------------------------------- DCGAN-shaped conv nets */

typedef struct conv_g {
    gl_net *net;
    gl_linear_layer fc;     /* "0": 16 -> 32*7*7 */
    gl_conv_layer up1, up2; /* "3": 32 -> 16, 7 -> 14; "5": 16 -> 1, 14 -> 28 */
} conv_g;

typedef struct conv_d {
    gl_net *net;
    gl_conv_layer c1, c2;   /* "0": 1 -> 16, 28 -> 14; "2": 16 -> 32, 14 -> 7 */
    gl_layer_norm_layer ln; /* "3" in the layer-norm variant only */
    gl_linear_layer fc;     /* "5" (or "6" with layer norm): 1568 -> 1 */
    int with_ln;
} conv_d;

static void conv_g_build(conv_g *g)
{
    g->net = gl_net_create("G");
    gl_linear_layer_declare(&g->fc, g->net, "0", 16, 32 * 7 * 7, 1);
    gl_conv_transpose2d_layer_declare(&g->up1, g->net, "3", 32, 16, 4, 2, 1, 0, 1);
    gl_conv_transpose2d_layer_declare(&g->up2, g->net, "5", 16, 1, 4, 2, 1, 0, 1);
    load_net(g->net, &conv, "G");
}

static gl_tensor *conv_g_forward(gl_ctx *ctx, const conv_g *g, gl_tensor *z)
{
    static const int map[4] = {B, 32, 7, 7};
    gl_tensor *h = gl_linear_layer_forward(ctx, &g->fc, z, GL_ACT_LEAKY_RELU, 0.2f);
    h = gl_reshape(ctx, h, 4, map);
    h = gl_leaky_relu(ctx, gl_conv_layer_forward(ctx, &g->up1, h), 0.2f);
    return gl_tanh(ctx, gl_conv_layer_forward(ctx, &g->up2, h));
}

static void conv_d_build(conv_d *d, int with_ln)
{
    static const int item[3] = {32, 7, 7};
    const char *name = with_ln ? "DL" : "D";
    d->net = gl_net_create(name);
    d->with_ln = with_ln;
    gl_conv2d_layer_declare(&d->c1, d->net, "0", 1, 16, 4, 2, 1, 1);
    gl_conv2d_layer_declare(&d->c2, d->net, "2", 16, 32, 4, 2, 1, 1);
    if (with_ln)
        gl_layer_norm_layer_declare(&d->ln, d->net, "3", 3, item);
    gl_linear_layer_declare(&d->fc, d->net, with_ln ? "6" : "5", 32 * 7 * 7, 1, 1);
    load_net(d->net, &conv, name);
}

static gl_tensor *conv_d_forward(gl_ctx *ctx, const conv_d *d, gl_tensor *x)
{
    gl_tensor *h = gl_leaky_relu(ctx, gl_conv_layer_forward(ctx, &d->c1, x), 0.2f);
    h = gl_conv_layer_forward(ctx, &d->c2, h);
    if (d->with_ln)
        h = gl_layer_norm_layer_forward(ctx, &d->ln, h);
    h = gl_leaky_relu(ctx, h, 0.2f);
    return gl_linear_layer_forward(ctx, &d->fc, gl_flatten(ctx, h), GL_ACT_NONE, 0);
}

static const int shape_x4[4] = {B, 1, 28, 28}, shape_z16[2] = {B, 16};

/* Critic loss mean D(x) - mean D(G(z)) (G(z) detached): D's gradients and the input gradient. */
START_TEST(conv_critic)
{
    conv_g g;
    conv_d d;
    conv_g_build(&g);
    conv_d_build(&d, 0);
    gl_ctx *ctx = gl_ctx_create();
    gl_tensor *x = input(ctx, &conv, "x", 4, shape_x4), *z = input(ctx, &conv, "z", 2, shape_z16);
    gl_tensor_set_requires_grad(x, 1);
    gl_tensor *out = conv_g_forward(ctx, &g, z);
    expect_t(out, &conv, "conv.g_out");
    gl_tensor *dr = conv_d_forward(ctx, &d, x), *df = conv_d_forward(ctx, &d, gl_detach(ctx, out));
    expect_t(dr, &conv, "conv.d_real");
    expect_t(df, &conv, "conv.d_fake");
    gl_tensor *loss = gl_sub(ctx, gl_mean(ctx, dr), gl_mean(ctx, df));
    expect_t(loss, &conv, "conv.d_loss");
    expect_t(input_grad(ctx, loss, x, 0), &conv, "conv.grad_x");
    backward(ctx, loss, d.net);
    expect_grads(d.net, &conv, "conv.grad.D");
    gl_ctx_destroy(ctx);
    gl_net_destroy(g.net);
    gl_net_destroy(d.net);
}
END_TEST

/* Generator loss -mean D(G(z)): G's gradients (through both transposed convs) and d/dz. */
START_TEST(conv_generator)
{
    conv_g g;
    conv_d d;
    conv_g_build(&g);
    conv_d_build(&d, 0);
    gl_ctx *ctx = gl_ctx_create();
    gl_tensor *z = input(ctx, &conv, "z", 2, shape_z16);
    gl_tensor_set_requires_grad(z, 1);
    gl_tensor *loss = gl_scale(
        ctx, gl_mean(ctx, conv_d_forward(ctx, &d, conv_g_forward(ctx, &g, z))), -1.0f);
    expect_t(loss, &conv, "conv.g_loss");
    expect_t(input_grad(ctx, loss, z, 0), &conv, "conv.grad_z");
    backward(ctx, loss, g.net);
    expect_grads(g.net, &conv, "conv.grad.G");
    gl_ctx_destroy(ctx);
    gl_net_destroy(g.net);
    gl_net_destroy(d.net);
}
END_TEST

START_TEST(conv_layer_norm_critic)
{
    conv_d d;
    conv_d_build(&d, 1);
    gl_ctx *ctx = gl_ctx_create();
    gl_tensor *x = input(ctx, &conv, "x", 4, shape_x4);
    gl_tensor_set_requires_grad(x, 1);
    gl_tensor *r = conv_d_forward(ctx, &d, x);
    expect_t(r, &conv, "ln.d_real");
    gl_tensor *loss = gl_mean(ctx, r);
    expect_t(loss, &conv, "ln.loss");
    expect_t(input_grad(ctx, loss, x, 0), &conv, "ln.grad_x");
    backward(ctx, loss, d.net);
    expect_grads(d.net, &conv, "ln.grad.DL");
    gl_ctx_destroy(ctx);
    gl_net_destroy(d.net);
}
END_TEST

/* ---------------------------------------------------------------- the adam plugin */

/* Two Adam steps of the plugin (from the build tree, parameters through the config) over one
 * block [p.a | p.b], as the runner passes a net's values and grads. */
START_TEST(adam_two_steps)
{
    fx_plugin plug;
    gl_error err;
    gl_error_init(&err);
    ck_assert_msg(fx_plugin_open(&plug, "optimizer", "adam", GL_KIND_OPTIMIZER, &err) == GL_OK,
                  "%s", err.text);
    const gl_optimizer_plugin *opt = (const gl_optimizer_plugin *)plug.hdr;
    char dir[4096];
    ck_assert_int_eq(fx_tempdir(dir, sizeof dir), GL_OK);
    gl_cfg *cfg;
    ck_assert_msg(fx_params(dir,
                            "optimizer:\n  generator:\n    plugin: adam\n    lr: 0.0002\n"
                            "    beta1: 0.9\n    beta2: 0.999\n    eps: 1e-8\n"
                            "  discriminator:\n    plugin: adam\n",
                            plug.hdr, &cfg, &err) == GL_OK,
                  "%s", err.text);
    void *self = NULL;
    int per = 0;
    ck_assert_msg(opt->create(gl_cfg_params(cfg, "optimizer.generator"), &per, &self, &err) ==
                      GL_OK,
                  "%s", err.text);
    ck_assert_int_eq(per, 2);

    static const char *const part[2] = {"a", "b"};
    enum { NA = 64, N = 64 + 128 };
    float p[N], g[N], prev[N], state[2 * N] = {0}, delta[N];
    char name[32];
    for (int k = 0; k < 2; k++) {
        snprintf(name, sizeof name, "p0.%s", part[k]);
        memcpy(p + k * NA, need(&adam_fx, name)->data, (k ? 128 : 64) * sizeof(float));
    }
    for (uint64_t step = 1; step <= 2; step++) {
        for (int k = 0; k < 2; k++) {
            snprintf(name, sizeof name, "g%d.%s", (int)step, part[k]);
            memcpy(g + k * NA, need(&adam_fx, name)->data, (k ? 128 : 64) * sizeof(float));
        }
        memcpy(prev, p, sizeof p);
        opt->step(self, p, g, state, N, step);
        for (int i = 0; i < N; i++)
            delta[i] = p[i] - prev[i];
        for (int k = 0; k < 2; k++) {
            size_t off = (size_t)k * NA, n = k ? 128 : 64;
            snprintf(name, sizeof name, "d%d.%s", (int)step, part[k]);
            expect(delta + off, n, &adam_fx, name, TOL);
            snprintf(name, sizeof name, "p%d.%s", (int)step, part[k]);
            expect(p + off, n, &adam_fx, name, TOL);
            snprintf(name, sizeof name, "f%d.%s", (int)step, part[k]);
            expect(p + off, n, &adam_fx, name, 2e-6);
        }
    }
    opt->destroy(self);
    gl_cfg_destroy(cfg);
    fx_rmtree(dir);
    fx_plugin_close(&plug);
}
END_TEST

/* ---------------------------------------------------------------- the conditional mlp plugin */

/* The networks of cond.tensors; the activation and G's output are spelled out so that a change of
 * the plugin's defaults cannot silently move the test away from the fixture. */
#define COND_YAML                                                                     \
    "model:\n  plugin: mlp\n  latent_dim: 6\n  g_hidden: [12]\n  d_hidden: [10, 8]\n" \
    "  activation: leaky_relu\n  slope: 0.2\n  g_output: tanh\n  conditional: true\n"

/* The fixture's configurations by tag (make_fixtures.py's docstring). */
static const struct cond_config {
    const char *tag, *yaml;
} cond_configs[] = {
    {"P", COND_YAML "  label_mode: one_hot\n  d_condition: projection\n"},
    {"E", COND_YAML "  label_mode: embedding\n  embed_dim: 5\n  d_condition: input\n"},
};

/* An instance of the mlp plugin from the build tree, created the way the runner creates it. */
typedef struct cond_model {
    fx_plugin plug;
    const gl_model_plugin *mp;
    gl_cfg *cfg; /* owns the gl_params, which must outlive the instance */
    char dir[4096];
    gl_net *g, *d;
    void *self;
} cond_model;

/* net's parameters are the fixture's "prefix.*" in the same order (torch's named_parameters): a
 * torch state_dict maps onto the net one to one only then. */
static void cond_expect_names(gl_net *net, const char *prefix)
{
    size_t len = strlen(prefix);
    int k = 0;
    for (int i = 0; i < cond_fx.n; i++) {
        const char *name = cond_fx.t[i].name;
        if (strncmp(name, prefix, len) != 0 || name[len] != '.')
            continue;
        ck_assert_msg(k < gl_net_n_params(net), "the plugin declares no parameter %s", name);
        ck_assert_str_eq(gl_tensor_name(gl_net_param_at(net, k)), name + len + 1);
        k++;
    }
    ck_assert_int_eq(gl_net_n_params(net), k);
}

/* Opens configuration c on items of 16 values in 3 classes and loads its weights (TAG.G.*,
 * TAG.D.*). */
static void cond_open(cond_model *m, const struct cond_config *c)
{
    gl_error err;
    gl_error_init(&err);
    memset(m, 0, sizeof *m);
    ck_assert_msg(fx_plugin_open(&m->plug, "model", "mlp", GL_KIND_MODEL, &err) == GL_OK, "%s",
                  err.text);
    m->mp = (const gl_model_plugin *)m->plug.hdr;
    ck_assert_int_eq(fx_tempdir(m->dir, sizeof m->dir), GL_OK);
    ck_assert_msg(fx_params(m->dir, c->yaml, m->plug.hdr, &m->cfg, &err) == GL_OK, "%s", err.text);
    /* No dropout stream: d_dropout is 0, so the plugin must not need one. */
    gl_model_env env = {
        .data = {.ndim = 1, .shape = {16}, .n_classes = 3, .n_items = B, .lo = -1.0f, .hi = 1.0f}};
    m->g = gl_net_create("G");
    m->d = gl_net_create("D");
    ck_assert_msg(m->mp->create(gl_cfg_params(m->cfg, "model"), &env, m->g, m->d, &m->self, &err) ==
                      GL_OK,
                  "%s", err.text);
    ck_assert_int_eq(env.conditional, 1);
    ck_assert_int_eq(env.latent_dim, 6);
    char prefix[8];
    snprintf(prefix, sizeof prefix, "%s.G", c->tag);
    load_net(m->g, &cond_fx, prefix);
    cond_expect_names(m->g, prefix);
    snprintf(prefix, sizeof prefix, "%s.D", c->tag);
    load_net(m->d, &cond_fx, prefix);
    cond_expect_names(m->d, prefix);
}

static void cond_close(cond_model *m)
{
    m->mp->destroy(m->self);
    gl_net_destroy(m->g);
    gl_net_destroy(m->d);
    gl_cfg_destroy(m->cfg);
    fx_rmtree(m->dir);
    fx_plugin_close(&m->plug);
}

/* "TAG.what", valid until the next call. */
static const char *cond_name(const char *tag, const char *what)
{
    static char buf[64];
    snprintf(buf, sizeof buf, "%s.%s", tag, what);
    return buf;
}

/* The fixture's labels, stored as float values. */
static void cond_labels(int32_t *y)
{
    const fx_tensor *t = need(&cond_fx, "y");
    ck_assert_uint_eq(t->n, B);
    for (int b = 0; b < B; b++)
        y[b] = (int32_t)t->data[b];
}

static const int shape_item16[2] = {B, 16}, shape_z6[2] = {B, 6};

/* Configuration _i: G(z, y) and D(x, y); mean D(x, y) differentiated for D and x, and
 * mean D(G(z, y), y) for G (through the label code of both nets). */
START_TEST(cond_mlp_d_and_g)
{
    const struct cond_config *c = &cond_configs[_i];
    cond_model m;
    cond_open(&m, c);
    int32_t y[B];
    cond_labels(y);
    gl_ctx *ctx = gl_ctx_create();
    gl_tensor *x = input(ctx, &cond_fx, "x", 2, shape_item16);
    gl_tensor *z = input(ctx, &cond_fx, "z", 2, shape_z6);
    gl_tensor_set_requires_grad(x, 1);
    gl_tensor *fake = m.mp->generate(m.self, ctx, z, y, 1);
    expect_t(fake, &cond_fx, cond_name(c->tag, "g_out"));
    gl_tensor *d_out = m.mp->discriminate(m.self, ctx, x, y, 1);
    expect_t(d_out, &cond_fx, cond_name(c->tag, "d_out"));
    gl_tensor *d_mean = gl_mean(ctx, d_out);
    expect_t(d_mean, &cond_fx, cond_name(c->tag, "d_mean"));
    expect_t(input_grad(ctx, d_mean, x, 0), &cond_fx, cond_name(c->tag, "grad_x"));
    backward(ctx, d_mean, m.d);
    expect_grads(m.d, &cond_fx, cond_name(c->tag, "grad.D"));
    gl_tensor *d_fake = m.mp->discriminate(m.self, ctx, fake, y, 1);
    expect_t(d_fake, &cond_fx, cond_name(c->tag, "d_fake"));
    gl_tensor *g_mean = gl_mean(ctx, d_fake);
    expect_t(g_mean, &cond_fx, cond_name(c->tag, "g_mean"));
    backward(ctx, g_mean, m.g);
    expect_grads(m.g, &cond_fx, cond_name(c->tag, "grad.G"));
    gl_ctx_destroy(ctx);
    cond_close(&m);
}
END_TEST

/* WGAN-GP's penalty through the projection D: the label's term <proj.weight[y], h> must be
 * differentiable twice, for x_hat and then for D's parameters. */
START_TEST(cond_mlp_projection_penalty)
{
    cond_model m;
    cond_open(&m, &cond_configs[0]);
    int32_t y[B];
    cond_labels(y);
    gl_ctx *ctx = gl_ctx_create();
    gl_tensor *xh = input(ctx, &cond_fx, "x_hat", 2, shape_item16);
    gl_tensor_set_requires_grad(xh, 1);
    gl_tensor *pen = expect_penalty(ctx, m.mp->discriminate(m.self, ctx, xh, y, 1), xh, &cond_fx,
                                    "P.");
    backward(ctx, pen, m.d);
    expect_grads(m.d, &cond_fx, "P.gp.grad.D");
    gl_ctx_destroy(ctx);
    cond_close(&m);
}
END_TEST

int main(void)
{
    load_all(); /* once, before Check forks a child per test */
    Suite *s = suite_create("fixtures");
    TCase *mlp_tc = tcase_create("tutorial_mlp");
    TCase *conv_tc = tcase_create("dcgan_conv");
    TCase *adam_tc = tcase_create("adam");
    TCase *cond_tc = tcase_create("cond_mlp");
    tcase_add_test(mlp_tc, tutorial_d_step);
    tcase_add_test(mlp_tc, tutorial_g_step);
    tcase_add_test(mlp_tc, wgan_gp_penalty);
    tcase_add_test(conv_tc, conv_critic);
    tcase_add_test(conv_tc, conv_generator);
    tcase_add_test(conv_tc, conv_layer_norm_critic);
    tcase_add_test(adam_tc, adam_two_steps);
    tcase_add_loop_test(cond_tc, cond_mlp_d_and_g, 0,
                        (int)(sizeof cond_configs / sizeof cond_configs[0]));
    tcase_add_test(cond_tc, cond_mlp_projection_penalty);
    suite_add_tcase(s, mlp_tc);
    suite_add_tcase(s, conv_tc);
    suite_add_tcase(s, adam_tc);
    suite_add_tcase(s, cond_tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    free_all();
    return failed ? 1 : 0;
}

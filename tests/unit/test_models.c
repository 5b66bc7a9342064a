/* test_models.c - the model plugins `mlp` and `dcgan`, loaded from their built shared objects with
 * parameters from YAML through the config system:
 *   - shapes of G's and D's outputs, parameter names and counts against torch's (the counts were
 *     computed with torch.nn modules of the documented layouts, docs/models.md);
 *   - the tutorial networks and the DCGAN critics against the PyTorch fixtures
 *     (tests/reference/fixtures: outputs, parameter and input gradients, to 1e-4 of their scale);
 *   - conditional variants (one-hot, embedding), normalisations and their flags, dropout, errors;
 *   - parameter gradients of each model against float32 finite differences (test_models_util.h).
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

#define B   4
#define TOL 1e-4

static void open_ok(tm_model *m, const char *name, const char *body, gl_dataset_info data)
{
    gl_error err;
    gl_error_init(&err);
    ck_assert_msg(tm_model_open(m, name, body, &data, 7, &err) == GL_OK, "%s", err.text);
}

/* A constant tensor of normal(0, 1) values (seeded) owned by ctx. */
static gl_tensor *randn(gl_ctx *ctx, int ndim, const int *shape, uint64_t seed)
{
    gl_tensor *t = gl_tensor_new(ctx, ndim, shape);
    ck_assert_ptr_nonnull(t);
    gl_rng r;
    gl_rng_init(&r, seed, 1000);
    gl_rng_fill_normal(&r, gl_tensor_data(t), gl_tensor_numel(t), 0, 1);
    return t;
}

/* x (B, item...) for m's data. */
static gl_tensor *rand_items(gl_ctx *ctx, const tm_model *m, int b, uint64_t seed)
{
    int shape[4] = {b};
    for (int i = 0; i < m->env.data.ndim; i++)
        shape[i + 1] = m->env.data.shape[i];
    return randn(ctx, 1 + m->env.data.ndim, shape, seed);
}

static gl_tensor *rand_z(gl_ctx *ctx, const tm_model *m, int b, uint64_t seed)
{
    int shape[2] = {b, m->env.latent_dim};
    return randn(ctx, 2, shape, seed);
}

static void assert_shape(const gl_tensor *t, int ndim, const int *shape)
{
    ck_assert_ptr_nonnull(t);
    ck_assert_int_eq(gl_tensor_ndim(t), ndim);
    for (int i = 0; i < ndim; i++)
        ck_assert_int_eq(gl_tensor_dim(t, i), shape[i]);
}

/* The parameters of net, in order, are exactly names[] (NULL-terminated). */
static void assert_names(gl_net *net, const char *const *names)
{
    int n = 0;
    for (; names[n]; n++) {
        ck_assert_int_gt(gl_net_n_params(net), n);
        ck_assert_str_eq(gl_tensor_name(gl_net_param_at(net, n)), names[n]);
    }
    ck_assert_int_eq(gl_net_n_params(net), n);
}

static void assert_matches(gl_tensor *t, const fx_file *f, const char *name)
{
    char msg[512];
    ck_assert_ptr_nonnull(t);
    ck_assert_msg(
        fx_match(gl_tensor_data(t), gl_tensor_numel(t), fx_find(f, name), TOL, msg, sizeof msg),
        "%s", msg);
}

static void assert_grads_match(gl_net *net, const fx_file *f, const char *prefix,
                               const char *const *map)
{
    char msg[512], src[128];
    for (int i = 0; map[i]; i += 2) {
        gl_tensor *p = gl_net_find(net, map[i + 1]);
        ck_assert_ptr_nonnull(p);
        snprintf(src, sizeof src, "%s.%s", prefix, map[i]);
        ck_assert_msg(
            fx_match(gl_tensor_grad(p), gl_tensor_numel(p), fx_find(f, src), TOL, msg, sizeof msg),
            "%s", msg);
    }
}

static void load_fixture(fx_file *f, const char *name)
{
    gl_error err;
    gl_error_init(&err);
    ck_assert_msg(fx_load(name, f, &err) == GL_OK, "%s", err.text);
}

/* ---------------------------------------------------------------- mlp */

static const char *const tutorial_g_names[] = {"model.0.weight", "model.0.bias",   "model.2.weight",
                                               "model.2.bias",   "model.4.weight", "model.4.bias",
                                               "model.6.weight", "model.6.bias",   NULL};
static const char *const tutorial_d_names[] = {"model.0.weight",
                                               "model.0.bias",
                                               "model.2.weight",
                                               "model.2.bias",
                                               "model.4.weight",
                                               "model.4.bias",
                                               NULL};

START_TEST(mlp_defaults_are_the_tutorial)
{
    tm_model m;
    open_ok(&m, "mlp", "", tm_images(1, 28, 28, 10));
    ck_assert_int_eq(m.env.latent_dim, 100);
    ck_assert_int_eq(m.env.conditional, 0);
    ck_assert_uint_eq(m.env.flags, 0);
    ck_assert_uint_eq(gl_net_numel(m.g), 1486352);
    ck_assert_uint_eq(gl_net_numel(m.d), 533505);
    assert_names(m.g, tutorial_g_names);
    assert_names(m.d, tutorial_d_names);
    int w6[2] = {784, 1024}, w0[2] = {512, 784};
    assert_shape(gl_net_find(m.g, "model.6.weight"), 2, w6);
    assert_shape(gl_net_find(m.d, "model.0.weight"), 2, w0);

    gl_ctx *ctx = gl_ctx_create();
    gl_tensor *x = m.mp->generate(m.self, ctx, rand_z(ctx, &m, B, 1), NULL, 1);
    int img[4] = {B, 1, 28, 28}, logit[2] = {B, 1};
    assert_shape(x, 4, img);
    for (size_t i = 0; i < gl_tensor_numel(x); i++) /* Tanh output */
        ck_assert(fabsf(gl_tensor_data(x)[i]) < 1.0f);
    assert_shape(m.mp->discriminate(m.self, ctx, x, NULL, 1), 2, logit);
    ck_assert_int_eq(gl_ctx_status(ctx, NULL), GL_OK);
    gl_ctx_destroy(ctx);
    tm_model_close(&m);
}
END_TEST

/* Fixture name (after "G." / "D.") -> parameter name; D's map is the first three layers. */
static const char *const tutorial_map_g[] = {
    "0.weight", "model.0.weight", "0.bias",   "model.0.bias",   "2.weight", "model.2.weight",
    "2.bias",   "model.2.bias",   "4.weight", "model.4.weight", "4.bias",   "model.4.bias",
    "6.weight", "model.6.weight", "6.bias",   "model.6.bias",   NULL};
static const char *const tutorial_map_d[] = {"0.weight", "model.0.weight", "0.bias", "model.0.bias",
                                             "2.weight", "model.2.weight", "2.bias", "model.2.bias",
                                             "4.weight", "model.4.weight", "4.bias", "model.4.bias",
                                             NULL};

/* G(z_d) and D(x) with the fixture's weights give the tutorial's values (the losses and
 * gradients of this fixture are checked through the bce plugin in test_losses.c). */
START_TEST(mlp_matches_pytorch_tutorial)
{
    fx_file f;
    load_fixture(&f, "tutorial.tensors");
    tm_model m;
    open_ok(&m, "mlp", "", tm_images(1, 28, 28, 0));
    char msg[512];
    ck_assert_msg(tm_load_weights(m.g, &f, "G", tutorial_map_g, msg, sizeof msg), "%s", msg);
    ck_assert_msg(tm_load_weights(m.d, &f, "D", tutorial_map_d, msg, sizeof msg), "%s", msg);
    gl_ctx *ctx = gl_ctx_create();
    int zs[2] = {8, 100}, xs[4] = {8, 1, 28, 28};
    gl_tensor *z = gl_tensor_from(ctx, 2, zs, fx_find(&f, "z_d")->data);
    gl_tensor *x = gl_tensor_from(ctx, 4, xs, fx_find(&f, "x")->data);
    assert_matches(m.mp->generate(m.self, ctx, z, NULL, 1), &f, "d.fake");
    assert_matches(m.mp->discriminate(m.self, ctx, x, NULL, 1), &f, "d.logit_real");
    gl_ctx_destroy(ctx);
    tm_model_close(&m);
    fx_free(&f);
}
END_TEST

START_TEST(mlp_toy_data_and_norm_layout)
{
    tm_model m;
    open_ok(&m, "mlp",
            "  latent_dim: 3\n  g_hidden: [8, 8]\n  d_hidden: [6]\n  g_norm: batch\n"
            "  d_norm: layer\n  g_output: none\n  activation: relu\n",
            tm_vectors(2, 0));
    /* G: Linear(3, 8) BN ReLU Linear(8, 8) BN ReLU Linear(8, 2); D: Linear(2, 6) LN ReLU Linear */
    static const char *const g_names[] = {"model.0.weight",
                                          "model.0.bias",
                                          "model.1.weight",
                                          "model.1.bias",
                                          "model.3.weight",
                                          "model.3.bias",
                                          "model.4.weight",
                                          "model.4.bias",
                                          "model.6.weight",
                                          "model.6.bias",
                                          NULL};
    static const char *const d_names[] = {"model.0.weight",
                                          "model.0.bias",
                                          "model.1.weight",
                                          "model.1.bias",
                                          "model.3.weight",
                                          "model.3.bias",
                                          NULL};
    assert_names(m.g, g_names);
    assert_names(m.d, d_names);
    ck_assert_int_eq(gl_net_n_buffers(m.g), 4); /* running mean and var of both batch norms */
    ck_assert_int_eq(gl_net_n_buffers(m.d), 0);
    ck_assert_uint_eq(m.env.flags, 0);
    gl_ctx *ctx = gl_ctx_create();
    gl_tensor *x = m.mp->generate(m.self, ctx, rand_z(ctx, &m, B, 2), NULL, 1);
    int pts[2] = {B, 2}, logit[2] = {B, 1};
    assert_shape(x, 2, pts);
    assert_shape(m.mp->discriminate(m.self, ctx, x, NULL, 1), 2, logit);
    /* A training step moved the running mean away from its initial 0. */
    gl_real *rm = gl_tensor_data(gl_net_find(m.g, "model.1.running_mean"));
    ck_assert(rm[0] != 0 || rm[1] != 0);
    ck_assert_int_eq(gl_ctx_status(ctx, NULL), GL_OK);
    gl_ctx_destroy(ctx);
    tm_model_close(&m);

    open_ok(&m, "mlp", "  d_norm: batch\n  g_hidden: []\n", tm_vectors(2, 0));
    ck_assert_uint_eq(m.env.flags, GL_MODEL_D_BATCH_STATS);
    static const char *const linear_g[] = {"model.0.weight", "model.0.bias", NULL};
    assert_names(m.g, linear_g); /* no hidden layer: G is one Linear(100, 2) */
    ck_assert_uint_eq(gl_net_numel(m.g), 202);
    tm_model_close(&m);
}
END_TEST

/* G(z, labels) or D(x, labels) of model m on fixed inputs. */
static gl_tensor *run_cond(tm_model *m, gl_ctx *ctx, int which, const int32_t *labels, int train)
{
    return which == 0 ? m->mp->generate(m->self, ctx, rand_z(ctx, m, B, 3), labels, train)
                      : m->mp->discriminate(m->self, ctx, rand_items(ctx, m, B, 4), labels, train);
}

/* Changing item 0's label changes item 0's output only (in evaluation mode, where batch norm
 * uses its running statistics and so does not mix items). */
static void assert_label_matters(tm_model *m)
{
    static const int32_t la[B] = {0, 1, 2, 3}, lb[B] = {5, 1, 2, 3};
    gl_ctx *ctx = gl_ctx_create();
    for (int which = 0; which < 2; which++) {
        gl_tensor *a = run_cond(m, ctx, which, la, 0), *b = run_cond(m, ctx, which, lb, 0);
        ck_assert_ptr_nonnull(a);
        ck_assert_ptr_nonnull(b);
        size_t per = gl_tensor_numel(a) / B;
        double d0 = 0, rest = 0;
        for (size_t i = 0; i < gl_tensor_numel(a); i++) {
            double d = fabs(gl_tensor_data(a)[i] - gl_tensor_data(b)[i]);
            if (i < per)
                d0 += d;
            else
                rest += d;
        }
        ck_assert_msg(d0 > 1e-6, "net %d ignores the label", which);
        ck_assert_msg(rest == 0, "net %d mixes items (%g)", which, rest);
    }
    ck_assert_int_eq(gl_ctx_status(ctx, NULL), GL_OK);
    gl_ctx_destroy(ctx);
}

START_TEST(mlp_conditional)
{
    tm_model m;
    open_ok(&m, "mlp", "  conditional: true\n", tm_images(1, 28, 28, 10));
    ck_assert_int_eq(m.env.conditional, 1);
    ck_assert_uint_eq(gl_net_numel(m.g), 1488912);
    ck_assert_uint_eq(gl_net_numel(m.d), 538625);
    int w0[2] = {256, 110}, d0[2] = {512, 794};
    assert_shape(gl_net_find(m.g, "model.0.weight"), 2, w0);
    assert_shape(gl_net_find(m.d, "model.0.weight"), 2, d0);
    assert_label_matters(&m);
    tm_model_close(&m);

    open_ok(&m, "mlp", "  conditional: true\n  label_mode: embedding\n  embed_dim: 5\n",
            tm_images(1, 28, 28, 10));
    ck_assert_uint_eq(gl_net_numel(m.g), 1487682);
    ck_assert_uint_eq(gl_net_numel(m.d), 536115);
    int emb[2] = {10, 5};
    ck_assert_str_eq(gl_tensor_name(gl_net_param_at(m.g, 0)), "label_emb.weight");
    assert_shape(gl_net_param_at(m.g, 0), 2, emb);
    assert_shape(gl_net_param_at(m.d, 0), 2, emb);
    assert_label_matters(&m);
    tm_model_close(&m);
}
END_TEST

START_TEST(conditional_needs_labels)
{
    const char *models[] = {"mlp", "dcgan"};
    for (int i = 0; i < 2; i++) {
        tm_model m;
        gl_dataset_info data = tm_images(1, 28, 28, 0);
        gl_error err;
        gl_error_init(&err);
        ck_assert_int_eq(tm_model_open(&m, models[i], "  conditional: true\n", &data, 1, &err),
                         GL_ERR_INPUT);
        ck_assert_msg(strstr(err.text, "model.conditional") && strstr(err.text, models[i]) &&
                          strstr(err.text, "no labels"),
                      "%s", err.text);
    }
}
END_TEST

START_TEST(mlp_dropout)
{
    tm_model m;
    open_ok(&m, "mlp", "  d_dropout: 0.5\n  d_hidden: [64]\n", tm_vectors(2, 0));
    gl_ctx *ctx = gl_ctx_create();
    gl_tensor *x = rand_items(ctx, &m, B, 5);
    gl_rng before = m.dropout;
    gl_tensor *e1 = m.mp->discriminate(m.self, ctx, x, NULL, 0);
    gl_tensor *e2 = m.mp->discriminate(m.self, ctx, x, NULL, 0);
    ck_assert_mem_eq(&before, &m.dropout, sizeof before); /* evaluation draws nothing */
    gl_tensor *t1 = m.mp->discriminate(m.self, ctx, x, NULL, 1);
    gl_tensor *t2 = m.mp->discriminate(m.self, ctx, x, NULL, 1);
    ck_assert(memcmp(&before, &m.dropout, sizeof before) != 0); /* the core's stream is used */
    ck_assert_mem_eq(gl_tensor_data(e1), gl_tensor_data(e2), B * sizeof(gl_real));
    ck_assert(memcmp(gl_tensor_data(t1), gl_tensor_data(t2), B * sizeof(gl_real)) != 0);
    ck_assert(memcmp(gl_tensor_data(t1), gl_tensor_data(e1), B * sizeof(gl_real)) != 0);
    gl_ctx_destroy(ctx);
    tm_model_close(&m);
}
END_TEST

/* ---------------------------------------------------------------- gradients */

/* f = sum(out * r) for fixed r, out = G(z) or D(x) of fixed inputs. */
typedef struct probe {
    tm_model *m;
    gl_ctx *ctx;
    int which; /* 0: G, 1: D */
    const int32_t *labels;
} probe;

static gl_tensor *probe_loss(probe *p)
{
    gl_ctx *ctx = p->ctx;
    gl_tensor *out = run_cond(p->m, ctx, p->which, p->labels, 1);
    ck_assert_ptr_nonnull(out);
    int shape[4];
    for (int i = 0; i < gl_tensor_ndim(out); i++)
        shape[i] = gl_tensor_dim(out, i);
    gl_tensor *r = randn(ctx, gl_tensor_ndim(out), shape, 6);
    return gl_sum(ctx, gl_mul(ctx, out, r));
}

static double probe_value(void *ud)
{
    probe *p = ud;
    gl_ctx_reset(p->ctx);
    gl_ctx_set_grad_enabled(p->ctx, 0);
    double v = gl_tensor_item(probe_loss(p));
    gl_ctx_reset(p->ctx);
    return v;
}

/* Parameter gradients of G and of D of model m against finite differences. */
static void check_model_grads(tm_model *m, const int32_t *labels)
{
    gl_error err;
    gl_error_init(&err);
    char msg[512];
    for (int which = 0; which < 2; which++) {
        gl_net *net = which ? m->d : m->g;
        probe p = {m, gl_ctx_create(), which, labels};
        gl_net_zero_grad(net);
        ck_assert_msg(gl_backward(p.ctx, probe_loss(&p), net, &err) == GL_OK, "%s", err.text);
        ck_assert_msg(tm_check_grads(net, probe_value, &p, 40, 11, msg, sizeof msg), "%s", msg);
        gl_ctx_destroy(p.ctx);
    }
}

static const int32_t grad_labels[B] = {2, 0, 1, 2};

START_TEST(mlp_gradients)
{
    tm_model m;
    open_ok(&m, "mlp",
            "  latent_dim: 3\n  g_hidden: [5, 4]\n  d_hidden: [6]\n  activation: tanh\n"
            "  g_norm: layer\n  d_norm: layer\n  g_output: tanh\n  conditional: true\n"
            "  label_mode: embedding\n  embed_dim: 2\n",
            tm_vectors(3, 3));
    check_model_grads(&m, grad_labels);
    tm_model_close(&m);

    open_ok(&m, "mlp",
            "  latent_dim: 4\n  g_hidden: [6]\n  d_hidden: [5, 3]\n  g_norm: batch\n"
            "  g_output: sigmoid\n  conditional: true\n",
            tm_images(1, 2, 2, 3));
    check_model_grads(&m, grad_labels);
    tm_model_close(&m);
}
END_TEST

/* ---------------------------------------------------------------- dcgan */

START_TEST(dcgan_shapes_and_counts)
{
    tm_model m;
    open_ok(&m, "dcgan", "", tm_images(1, 28, 28, 0));
    ck_assert_int_eq(m.env.latent_dim, 100);
    ck_assert_uint_eq(m.env.flags, 0); /* layer norm in D by default */
    ck_assert_uint_eq(gl_net_numel(m.g), 766017);
    ck_assert_uint_eq(gl_net_numel(m.d), 151105);
    static const char *const g_names[] = {"fc.weight",
                                          "fc.bias",
                                          "model.0.weight",
                                          "model.0.bias",
                                          "model.2.weight",
                                          "model.2.bias",
                                          "model.3.weight",
                                          "model.3.bias",
                                          "model.5.weight",
                                          "model.5.bias",
                                          NULL};
    static const char *const d_names[] = {"model.0.weight", "model.0.bias",   "model.2.weight",
                                          "model.2.bias",   "model.3.weight", "model.3.bias",
                                          "fc.weight",      "fc.bias",        NULL};
    assert_names(m.g, g_names);
    assert_names(m.d, d_names);
    gl_ctx *ctx = gl_ctx_create();
    gl_tensor *x = m.mp->generate(m.self, ctx, rand_z(ctx, &m, B, 1), NULL, 1);
    int img[4] = {B, 1, 28, 28}, logit[2] = {B, 1};
    assert_shape(x, 4, img);
    assert_shape(m.mp->discriminate(m.self, ctx, x, NULL, 1), 2, logit);
    ck_assert_int_eq(gl_ctx_status(ctx, NULL), GL_OK);
    gl_ctx_destroy(ctx);
    tm_model_close(&m);

    open_ok(&m, "dcgan", "  conditional: true\n", tm_images(3, 32, 32, 10));
    ck_assert_uint_eq(gl_net_numel(m.g), 1043907);
    ck_assert_uint_eq(gl_net_numel(m.d), 169153);
    ctx = gl_ctx_create();
    static const int32_t labels[B] = {0, 9, 3, 3};
    x = m.mp->generate(m.self, ctx, rand_z(ctx, &m, B, 1), labels, 1);
    int img3[4] = {B, 3, 32, 32};
    assert_shape(x, 4, img3);
    assert_shape(m.mp->discriminate(m.self, ctx, x, labels, 1), 2, logit);
    ck_assert_int_eq(gl_ctx_status(ctx, NULL), GL_OK);
    gl_ctx_destroy(ctx);
    assert_label_matters(&m);
    tm_model_close(&m);

    open_ok(&m, "dcgan", "  norm: batch\n  g_norm: none\n", tm_images(1, 28, 28, 0));
    ck_assert_uint_eq(m.env.flags, GL_MODEL_D_BATCH_STATS);
    ck_assert_int_eq(gl_net_n_buffers(m.g), 0);
    ck_assert_int_eq(gl_net_n_buffers(m.d), 2);
    ck_assert_str_eq(gl_tensor_name(gl_net_param_at(m.g, 2)), "model.1.weight");
    tm_model_close(&m);
}
END_TEST

START_TEST(dcgan_refuses_other_data)
{
    const gl_dataset_info bad[] = {tm_vectors(2, 0), tm_images(1, 30, 30, 0)};
    for (int i = 0; i < 2; i++) {
        tm_model m;
        gl_error err;
        gl_error_init(&err);
        ck_assert_int_eq(tm_model_open(&m, "dcgan", "", &bad[i], 1, &err), GL_ERR_INPUT);
        ck_assert_msg(strstr(err.text, "model 'dcgan'") && strstr(err.text, "multiples of 4"), "%s",
                      err.text);
    }
}
END_TEST

/* D of dcgan (ndf 16) is the fixture's critic D (norm: none) and DL (norm: layer). */
START_TEST(dcgan_critic_matches_pytorch)
{
    fx_file f;
    load_fixture(&f, "dcgan.tensors");
    static const char *const map_d[] = {"0.weight", "model.0.weight", "0.bias", "model.0.bias",
                                        "2.weight", "model.2.weight", "2.bias", "model.2.bias",
                                        "5.weight", "fc.weight",      "5.bias", "fc.bias",
                                        NULL};
    static const char *const map_dl[] = {
        "0.weight", "model.0.weight", "0.bias",   "model.0.bias",   "2.weight", "model.2.weight",
        "2.bias",   "model.2.bias",   "3.weight", "model.3.weight", "3.bias",   "model.3.bias",
        "6.weight", "fc.weight",      "6.bias",   "fc.bias",        NULL};
    const char *bodies[] = {"  ndf: 16\n  ngf: 2\n  latent_dim: 16\n  norm: none\n",
                            "  ndf: 16\n  ngf: 2\n  latent_dim: 16\n  norm: layer\n"};
    gl_error err;
    gl_error_init(&err);
    char msg[512];
    for (int layer = 0; layer < 2; layer++) {
        tm_model m;
        open_ok(&m, "dcgan", bodies[layer], tm_images(1, 28, 28, 0));
        ck_assert_msg(
            tm_load_weights(m.d, &f, layer ? "DL" : "D", layer ? map_dl : map_d, msg, sizeof msg),
            "%s", msg);
        gl_ctx *ctx = gl_ctx_create();
        int xs[4] = {8, 1, 28, 28};
        gl_tensor *x = gl_tensor_from(ctx, 4, xs, fx_find(&f, "x")->data);
        gl_tensor_set_requires_grad(x, 1);
        gl_tensor *real = m.mp->discriminate(m.self, ctx, x, NULL, 1);
        assert_matches(real, &f, layer ? "ln.d_real" : "conv.d_real");
        gl_tensor *loss = gl_mean(ctx, real);
        if (!layer) { /* conv.d_loss = mean D(x) - mean D(fake) */
            gl_tensor *fake = gl_tensor_from(ctx, 4, xs, fx_find(&f, "conv.g_out")->data);
            gl_tensor *d_fake = m.mp->discriminate(m.self, ctx, fake, NULL, 1);
            assert_matches(d_fake, &f, "conv.d_fake");
            loss = gl_sub(ctx, loss, gl_mean(ctx, d_fake));
        }
        assert_matches(loss, &f, layer ? "ln.loss" : "conv.d_loss");
        gl_tensor *gx = NULL;
        ck_assert_msg(gl_grad(ctx, 1, &loss, NULL, 1, &x, &gx, 0, &err) == GL_OK, "%s", err.text);
        assert_matches(gx, &f, layer ? "ln.grad_x" : "conv.grad_x");
        gl_net_zero_grad(m.d);
        ck_assert_msg(gl_backward(ctx, loss, m.d, &err) == GL_OK, "%s", err.text);
        assert_grads_match(m.d, &f, layer ? "ln.grad.DL" : "conv.grad.D", layer ? map_dl : map_d);
        gl_ctx_destroy(ctx);
        tm_model_close(&m);
    }
    fx_free(&f);
}
END_TEST

START_TEST(dcgan_gradients)
{
    tm_model m;
    open_ok(&m, "dcgan", "  latent_dim: 3\n  ngf: 3\n  ndf: 2\n  conditional: true\n",
            tm_images(2, 8, 8, 3));
    check_model_grads(&m, grad_labels);
    tm_model_close(&m);

    open_ok(&m, "dcgan",
            "  latent_dim: 2\n  ngf: 2\n  ndf: 3\n  g_norm: layer\n  norm: none\n"
            "  conditional: true\n  label_mode: embedding\n  embed_dim: 2\n",
            tm_images(1, 4, 8, 3));
    check_model_grads(&m, grad_labels);
    tm_model_close(&m);
}
END_TEST

static Suite *models_suite(void)
{
    Suite *s = suite_create("models");
    TCase *tc = tcase_create("mlp");
    tcase_add_test(tc, mlp_defaults_are_the_tutorial);
    tcase_add_test(tc, mlp_matches_pytorch_tutorial);
    tcase_add_test(tc, mlp_toy_data_and_norm_layout);
    tcase_add_test(tc, mlp_conditional);
    tcase_add_test(tc, conditional_needs_labels);
    tcase_add_test(tc, mlp_dropout);
    tcase_add_test(tc, mlp_gradients);
    suite_add_tcase(s, tc);
    tc = tcase_create("dcgan");
    tcase_add_test(tc, dcgan_shapes_and_counts);
    tcase_add_test(tc, dcgan_refuses_other_data);
    tcase_add_test(tc, dcgan_critic_matches_pytorch);
    tcase_add_test(tc, dcgan_gradients);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(models_suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}

/* test_models_dreg.c - D's regularisers in the model plugins (layers.h: model.spectral_norm,
 * model.minibatch_std, mlp's d_activation maxout) against PyTorch (dreg.tensors, see
 * tests/reference/make_fixtures.py): D's output, a loss through D's input gradient (second order),
 * every parameter gradient and the spectral-norm vectors after two training forwards. Also that
 * eval forwards leave the vectors alone, that a packing D is D on the pack's samples side by side,
 * and that packing and conditioning are refused together.
 */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include <ganlab/autograd.h>
#include <ganlab/nn.h>
#include <ganlab/tensor.h>

#include "test_models_util.h"

#define TOL 1e-4

typedef struct dreg_case {
    const char *tag, *model, *body;
    int images;                 /* inputs xi (B, 1, 8, 8), else x (B, 16) */
    const char *const *params;  /* fixture name -> parameter, pairs, NULL-terminated */
    const char *const *buffers; /* fixture name (without 0 / 1) -> buffer; NULL: none */
} dreg_case;

static const char *const mlp_params[] = {"0.weight", "model.0.weight", "0.bias", "model.0.bias",
                                         "2.weight", "model.2.weight", "2.bias", "model.2.bias",
                                         "4.weight", "model.4.weight", "4.bias", "model.4.bias",
                                         NULL};
static const char *const mb_params[] = {"0.weight", "model.0.weight", "0.bias", "model.0.bias",
                                        "2.weight", "model.2.weight", "2.bias", "model.2.bias",
                                        "5.weight", "model.5.weight", "5.bias", "model.5.bias",
                                        NULL};
static const char *const cv_params[] = {"0.weight", "model.0.weight", "0.bias", "model.0.bias",
                                        "2.weight", "model.2.weight", "2.bias", "model.2.bias",
                                        "6.weight", "fc.weight",      "6.bias", "fc.bias",
                                        NULL};
static const char *const sn_buffers[] = {"0.u", "model.0.weight_u", "0.v", "model.0.weight_v",
                                         "2.u", "model.2.weight_u", "2.v", "model.2.weight_v",
                                         "4.u", "model.4.weight_u", "4.v", "model.4.weight_v",
                                         NULL};
static const char *const cv_buffers[] = {"0.u", "model.0.weight_u", "0.v", "model.0.weight_v",
                                         "2.u", "model.2.weight_u", "2.v", "model.2.weight_v",
                                         "6.u", "fc.weight_u",      "6.v", "fc.weight_v",
                                         NULL};

#define MLP_D "  latent_dim: 2\n  g_hidden: [3]\n  d_hidden: [10, 8]\n  g_output: none\n"

static const dreg_case cases[] = {
    {"sn", "mlp", MLP_D "  spectral_norm: true\n", 0, mlp_params, sn_buffers},
    {"mb", "mlp", MLP_D "  minibatch_std: true\n", 0, mb_params, NULL},
    {"mx", "mlp", MLP_D "  d_activation: maxout\n  maxout_pieces: 3\n", 0, mlp_params, NULL},
    {"cv", "dcgan",
     "  latent_dim: 2\n  ngf: 2\n  ndf: 4\n  norm: none\n  spectral_norm: true\n"
     "  minibatch_std: true\n",
     1, cv_params, cv_buffers},
};

/* The buffers of map against fixture TAG.NAME + suffix ("0": before, "1": after the forwards). */
static void assert_buffers(gl_net *net, const fx_file *f, const char *tag, const char *const *map,
                           const char *suffix)
{
    char src[128], msg[512];
    for (int i = 0; map && map[i]; i += 2) {
        snprintf(src, sizeof src, "%s.%s%s", tag, map[i], suffix);
        gl_tensor *b = gl_net_find(net, map[i + 1]);
        ck_assert_ptr_nonnull(b);
        ck_assert_msg(
            fx_match(gl_tensor_data(b), gl_tensor_numel(b), fx_find(f, src), TOL, msg, sizeof msg),
            "%s: %s", src, msg);
    }
}

static void load_buffers(gl_net *net, const fx_file *f, const char *tag, const char *const *map)
{
    char src[128];
    for (int i = 0; map && map[i]; i += 2) {
        snprintf(src, sizeof src, "%s.%s0", tag, map[i]);
        const fx_tensor *t = fx_find(f, src);
        gl_tensor *b = gl_net_find(net, map[i + 1]);
        ck_assert_msg(t && b && t->n == gl_tensor_numel(b), "%s -> %s", src, map[i + 1]);
        memcpy(gl_tensor_data(b), t->data, t->n * sizeof(float));
    }
}

START_TEST(d_regularisers_match_pytorch)
{
    const dreg_case *c = &cases[_i];
    fx_file f;
    gl_error err;
    gl_error_init(&err);
    ck_assert_msg(fx_load("dreg.tensors", &f, &err) == GL_OK, "%s", err.text);
    tm_model m;
    gl_dataset_info data = c->images ? tm_images(1, 8, 8, 0) : tm_vectors(16, 0);
    ck_assert_msg(tm_model_open(&m, c->model, c->body, &data, 5, &err) == GL_OK, "%s", err.text);
    char prefix[16], msg[512];
    snprintf(prefix, sizeof prefix, "%s.D", c->tag);
    ck_assert_msg(tm_load_weights(m.d, &f, prefix, c->params, msg, sizeof msg), "%s", msg);
    ck_assert_int_eq(gl_net_n_buffers(m.d), c->buffers ? 6 : 0);
    load_buffers(m.d, &f, c->tag, c->buffers);

    gl_ctx *ctx = gl_ctx_create();
    int shape[4] = {8, 16, 1, 1};
    if (c->images) {
        shape[1] = 1;
        shape[2] = shape[3] = 8;
    }
    int nd = c->images ? 4 : 2;
    gl_tensor *x = gl_tensor_from(ctx, nd, shape, fx_find(&f, c->images ? "xi" : "x")->data);
    gl_tensor *xh = gl_tensor_from(ctx, nd, shape,
                                   fx_find(&f, c->images ? "xi_hat" : "x_hat")->data);
    gl_tensor_set_requires_grad(xh, 1);
    gl_tensor *out = m.mp->discriminate(m.self, ctx, x, NULL, 1);
    gl_tensor *dh = m.mp->discriminate(m.self, ctx, xh, NULL, 1), *gx = NULL;
    ck_assert_msg(gl_ctx_status(ctx, &err) == GL_OK, "%s", err.text);
    gl_tensor *ones = gl_tensor_full_like(ctx, dh, 1);
    ck_assert_msg(gl_grad(ctx, 1, &dh, &ones, 1, &xh, &gx, 1, &err) == GL_OK, "%s", err.text);
    gl_tensor *loss = gl_add(ctx, gl_mean(ctx, out),
                             gl_mean(ctx, gl_row_sum(ctx, gl_square(ctx, gx))));
    ck_assert_msg(gl_ctx_status(ctx, &err) == GL_OK, "%s", err.text);
    char name[64];
    snprintf(name, sizeof name, "%s.out", c->tag);
    ck_assert_msg(fx_match(gl_tensor_data(out), 8, fx_find(&f, name), TOL, msg, sizeof msg), "%s",
                  msg);
    snprintf(name, sizeof name, "%s.loss", c->tag);
    ck_assert_msg(fx_match(gl_tensor_data(loss), 1, fx_find(&f, name), TOL, msg, sizeof msg), "%s",
                  msg);
    gl_net_zero_grad(m.d);
    ck_assert_msg(gl_backward(ctx, loss, m.d, &err) == GL_OK, "%s", err.text);
    for (int i = 0; c->params[i]; i += 2) {
        snprintf(name, sizeof name, "%s.grad.%s", c->tag, c->params[i]);
        gl_tensor *p = gl_net_find(m.d, c->params[i + 1]);
        ck_assert_msg(fx_match(gl_tensor_grad(p), gl_tensor_numel(p), fx_find(&f, name), TOL, msg,
                               sizeof msg),
                      "%s: %s", name, msg);
    }
    assert_buffers(m.d, &f, c->tag, c->buffers, "1");

    /* An eval forward uses the vectors and leaves them as they are. */
    if (c->buffers) {
        size_t n = gl_net_buffer_numel(m.d);
        gl_real *before = malloc(n * sizeof *before);
        memcpy(before, gl_net_buffer_values(m.d), n * sizeof *before);
        gl_ctx_reset(ctx);
        x = gl_tensor_from(ctx, nd, shape, fx_find(&f, c->images ? "xi" : "x")->data);
        ck_assert_ptr_nonnull(m.mp->discriminate(m.self, ctx, x, NULL, 0));
        ck_assert_mem_eq(gl_net_buffer_values(m.d), before, n * sizeof *before);
        free(before);
    }
    gl_ctx_destroy(ctx);
    tm_model_close(&m);
    fx_free(&f);
}
END_TEST

/* pack m: D's output for a batch of m k samples is, pack by pack, that of the same D without
 * packing on the pack's samples side by side (mlp: (m F) features; dcgan: (m C) channels), and
 * the model tells the core its m. */
START_TEST(pack_is_d_on_the_samples_side_by_side)
{
    const char *models[] = {"mlp", "dcgan"};
    const char *packed[] = {"  latent_dim: 2\n  g_hidden: [3]\n  d_hidden: [5]\n  pack: 3\n",
                            "  latent_dim: 2\n  ngf: 2\n  ndf: 3\n  norm: none\n  pack: 3\n"};
    const char *plain[] = {"  latent_dim: 2\n  g_hidden: [3]\n  d_hidden: [5]\n",
                           "  latent_dim: 2\n  ngf: 2\n  ndf: 3\n  norm: none\n"};
    gl_dataset_info one[2] = {tm_vectors(4, 0), tm_images(1, 8, 8, 0)};
    gl_dataset_info wide[2] = {tm_vectors(12, 0), tm_images(3, 8, 8, 0)};
    for (int i = 0; i < 2; i++) {
        gl_error err;
        gl_error_init(&err);
        tm_model a, b;
        ck_assert_msg(tm_model_open(&a, models[i], packed[i], &one[i], 1, &err) == GL_OK, "%s",
                      err.text);
        ck_assert_int_eq(a.env.pack, 3);
        ck_assert_msg(tm_model_open(&b, models[i], plain[i], &wide[i], 1, &err) == GL_OK, "%s",
                      err.text);
        ck_assert_int_eq(gl_net_numel(a.d), gl_net_numel(b.d));
        memcpy(gl_net_values(b.d), gl_net_values(a.d), gl_net_numel(a.d) * sizeof(gl_real));
        gl_ctx *ctx = gl_ctx_create();
        int item = i ? 64 : 4, xs[4] = {6, 1, 8, 8}, ws[4] = {2, 3, 8, 8};
        if (!i) {
            xs[1] = 4;
            ws[1] = 12;
        }
        gl_tensor *x = gl_tensor_new(ctx, i ? 4 : 2, xs);
        gl_rng r;
        gl_rng_init(&r, 9, 1000);
        gl_rng_fill_uniform(&r, gl_tensor_data(x), 6 * (size_t)item, -1, 1);
        /* Same bytes: (6, item) is (2, 3 item), pack by pack. */
        gl_tensor *xw = gl_tensor_from(ctx, i ? 4 : 2, ws, gl_tensor_data(x));
        gl_tensor *da = a.mp->discriminate(a.self, ctx, x, NULL, 1);
        gl_tensor *db = b.mp->discriminate(b.self, ctx, xw, NULL, 1);
        ck_assert_msg(gl_ctx_status(ctx, &err) == GL_OK, "%s", err.text);
        ck_assert_int_eq(gl_tensor_dim(da, 0), 2);
        ck_assert_mem_eq(gl_tensor_data(da), gl_tensor_data(db), 2 * sizeof(gl_real));
        gl_ctx_destroy(ctx);
        tm_model_close(&a);
        tm_model_close(&b);
    }
}
END_TEST

START_TEST(pack_refuses_conditional)
{
    const char *models[] = {"mlp", "dcgan"};
    for (int i = 0; i < 2; i++) {
        tm_model m;
        gl_error err;
        gl_error_init(&err);
        gl_dataset_info data = tm_images(1, 8, 8, 3);
        ck_assert_int_eq(
            tm_model_open(&m, models[i], "  pack: 2\n  conditional: true\n", &data, 1, &err),
            GL_ERR_INPUT);
        ck_assert_msg(strstr(err.text, "model.pack"), "%s", err.text); /* m is closed */
    }
}
END_TEST

int main(void)
{
    Suite *s = suite_create("models_dreg");
    TCase *tc = tcase_create("dreg");
    tcase_add_loop_test(tc, d_regularisers_match_pytorch, 0, (int)(sizeof cases / sizeof *cases));
    tcase_add_test(tc, pack_is_d_on_the_samples_side_by_side);
    tcase_add_test(tc, pack_refuses_conditional);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}

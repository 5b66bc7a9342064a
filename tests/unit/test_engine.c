/* test_engine.c - the float engine as libganlab ships it: contexts and the arena, the allocation
 * count of steady-state training steps, nets and their initialisation, op values worked out by
 * hand, the autograd API (targets, detach, no-grad, errors) and run-to-run determinism.
 * Gradients themselves are checked against finite differences in test_grad.c (double build).
 */
#include <check.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <ganlab/autograd.h>
#include <ganlab/nn.h>
#include <ganlab/rng.h>
#include <ganlab/tensor.h>

static gl_tensor *from(gl_ctx *ctx, int rows, int cols, const float *v)
{
    int shape[2] = {rows, cols};
    return gl_tensor_from(ctx, 2, shape, v);
}

static void assert_values(gl_tensor *t, const float *want, size_t n, double tol)
{
    ck_assert_ptr_nonnull(t);
    ck_assert_uint_eq(gl_tensor_numel(t), n);
    for (size_t i = 0; i < n; i++)
        ck_assert_msg(fabs(gl_tensor_data(t)[i] - want[i]) <= tol, "element %zu: %g, want %g", i,
                      (double)gl_tensor_data(t)[i], (double)want[i]);
}

/* ---------------------------------------------------------------- contexts and errors */

START_TEST(test_ctx_errors_are_sticky)
{
    gl_ctx *ctx = gl_ctx_create();
    float a[6] = {1, 2, 3, 4, 5, 6};
    gl_tensor *x = from(ctx, 2, 3, a), *y = from(ctx, 3, 2, a);
    ck_assert_int_eq(gl_tensor_ndim(x), 2);
    ck_assert_int_eq(gl_tensor_dim(x, 1), 3);
    ck_assert_int_eq(gl_tensor_dim(x, 3), 1);
    ck_assert_ptr_null(gl_add(ctx, x, y));
    ck_assert_ptr_null(gl_tanh(ctx, gl_add(ctx, x, y))); /* NULL propagates */
    gl_error err;
    gl_error_init(&err);
    ck_assert_int_eq(gl_ctx_status(ctx, &err), GL_ERR_INPUT);
    ck_assert_ptr_nonnull(strstr(err.text, "add: shapes (2, 3) and (3, 2) differ"));
    gl_tensor *g;
    gl_error_init(&err);
    ck_assert_int_eq(gl_grad(ctx, 1, &x, NULL, 1, &x, &g, 0, &err), GL_ERR_INPUT);
    gl_ctx_reset(ctx);
    ck_assert_int_eq(gl_ctx_status(ctx, NULL), GL_OK);
    int bad[2] = {2, 0};
    ck_assert_ptr_null(gl_tensor_new(ctx, 2, bad));
    ck_assert_int_eq(gl_ctx_status(ctx, NULL), GL_ERR_INPUT);
    gl_ctx_destroy(ctx);
}
END_TEST

START_TEST(test_grad_needs_requires_grad)
{
    gl_ctx *ctx = gl_ctx_create();
    float a[2] = {1, 2};
    gl_tensor *x = from(ctx, 1, 2, a), *g;
    gl_tensor *s = gl_sum(ctx, gl_square(ctx, x));
    gl_error err;
    gl_error_init(&err);
    ck_assert_int_eq(gl_grad(ctx, 1, &s, NULL, 1, &x, &g, 0, &err), GL_ERR_INPUT);
    ck_assert_ptr_nonnull(strstr(err.text, "gl_tensor_set_requires_grad"));
    gl_tensor_set_requires_grad(x, 1);
    s = gl_sum(ctx, gl_square(ctx, x));
    ck_assert_int_eq(gl_grad(ctx, 1, &s, NULL, 1, &x, &g, 0, NULL), GL_OK);
    const float want[2] = {2, 4};
    assert_values(g, want, 2, 0);
    gl_ctx_destroy(ctx);
}
END_TEST

/* ---------------------------------------------------------------- nets */

START_TEST(test_net_blocks_and_init)
{
    gl_net *net = gl_net_create("D");
    gl_linear_layer l1;
    gl_conv_layer ct;
    gl_batch_norm_layer bn;
    gl_linear_layer_declare(&l1, net, "model.0", 784, 512, 1);
    gl_conv_transpose2d_layer_declare(&ct, net, "up", 8, 4, 4, 2, 1, 0, 1);
    gl_batch_norm_layer_declare(&bn, net, "bn", 4);
    gl_rng rng;
    gl_rng_init(&rng, 7, GL_STREAM_INIT);
    ck_assert_int_eq(gl_net_finalize(net, &rng, NULL), GL_OK);
    ck_assert_int_eq(gl_net_n_params(net), 6);
    ck_assert_int_eq(gl_net_n_buffers(net), 2);
    ck_assert_uint_eq(gl_net_numel(net), 784 * 512 + 512 + 8 * 4 * 16 + 4 + 4 + 4);
    ck_assert_uint_eq(gl_net_buffer_numel(net), 8);
    /* one block, declaration order */
    ck_assert_ptr_eq(gl_tensor_data(l1.w), gl_net_values(net));
    ck_assert_ptr_eq(gl_tensor_data(l1.b), gl_net_values(net) + 784 * 512);
    ck_assert_ptr_eq(gl_tensor_grad(l1.b), gl_net_grads(net) + 784 * 512);
    ck_assert_ptr_eq(gl_net_find(net, "bn.running_var"), bn.running_var);
    ck_assert_str_eq(gl_tensor_name(ct.w), "up.weight");
    ck_assert_ptr_null(gl_tensor_grad(bn.running_mean));
    /* torch's bounds: 1/sqrt(784) for the linear layer, 1/sqrt(Co k k) = 1/8 for the transpose */
    double lmax = 0, tmax = 0;
    for (size_t i = 0; i < gl_tensor_numel(l1.w); i++)
        lmax = fmax(lmax, fabs(gl_tensor_data(l1.w)[i]));
    for (size_t i = 0; i < gl_tensor_numel(ct.w); i++)
        tmax = fmax(tmax, fabs(gl_tensor_data(ct.w)[i]));
    ck_assert(lmax <= 1 / sqrt(784.0) && lmax > 0.9 / sqrt(784.0));
    ck_assert(tmax <= 0.125 && tmax > 0.1);
    ck_assert_float_eq(gl_tensor_data(bn.w)[3], 1);
    ck_assert_float_eq(gl_tensor_data(bn.b)[3], 0);
    ck_assert_float_eq(gl_tensor_data(bn.running_var)[0], 1);
    /* the same seed gives the same net */
    gl_net *again = gl_net_create("D");
    gl_linear_layer_declare(&l1, again, "model.0", 784, 512, 1);
    gl_rng_init(&rng, 7, GL_STREAM_INIT);
    ck_assert_int_eq(gl_net_finalize(again, &rng, NULL), GL_OK);
    ck_assert_int_eq(memcmp(gl_net_values(again), gl_net_values(net), 784 * 512 * sizeof(float)),
                     0);
    gl_net_destroy(again);
    gl_net_destroy(net);
}
END_TEST

START_TEST(test_net_declaration_faults)
{
    gl_net *net = gl_net_create("G");
    int shape[2] = {2, 2}, bad[2] = {2, -1};
    ck_assert_ptr_nonnull(gl_net_param(net, "w", 2, shape, gl_init_zeros()));
    ck_assert_ptr_null(gl_net_param(net, "w", 2, shape, gl_init_zeros()));
    ck_assert_ptr_null(gl_net_buffer(net, "v", 2, bad, gl_init_zeros()));
    gl_error err;
    gl_error_init(&err);
    ck_assert_int_eq(gl_net_finalize(net, NULL, &err), GL_ERR_INPUT);
    ck_assert_int_eq(err.count, 2);
    ck_assert_ptr_nonnull(strstr(err.text, "net G: parameter name 'w' is already declared"));
    ck_assert_ptr_nonnull(strstr(err.text, "'v' has a bad shape"));
    gl_net_destroy(net);
}
END_TEST

/* ---------------------------------------------------------------- op values */

START_TEST(test_linear_and_activations)
{
    gl_ctx *ctx = gl_ctx_create();
    const float x[4] = {1, 2, -1, 0.5f}, w[6] = {1, 0, 0, 1, 1, -1}, b[3] = {0.5f, -3, 0};
    int three = 3;
    gl_tensor *tx = from(ctx, 2, 2, x), *tw = from(ctx, 3, 2, w);
    gl_tensor *tb = gl_tensor_from(ctx, 1, &three, b);
    const float lin[6] = {1.5f, -1, -1, -0.5f, -2.5f, -1.5f};
    assert_values(gl_linear(ctx, tx, tw, tb), lin, 6, 1e-6);
    const float leaky[6] = {1.5f, -0.2f, -0.2f, -0.1f, -0.5f, -0.3f};
    assert_values(gl_linear_act(ctx, tx, tw, tb, GL_ACT_LEAKY_RELU, 0.2f), leaky, 6, 1e-6);
    const float big[4] = {-100, 100, 0, 30};
    gl_tensor *tbig = from(ctx, 1, 4, big);
    const float sp[4] = {0, 100, (float)log(2.0), 30}, sg[4] = {0, 1, 0.5f, 1};
    assert_values(gl_softplus(ctx, tbig), sp, 4, 1e-5);
    assert_values(gl_sigmoid(ctx, tbig), sg, 4, 1e-6);
    const float ls[4] = {-100, 0, -(float)log(2.0), 0};
    assert_values(gl_log_sigmoid(ctx, tbig), ls, 4, 1e-5);
    /* BCE with logits: mean of softplus(x) - t x */
    const float bce = (float)((log(2.0) + 100 + 0 + 30 - 0.5 * 30) / 4);
    const float bce_v[1] = {bce};
    const float t[4] = {0, 0, 0, 0.5f};
    assert_values(gl_bce_with_logits(ctx, tbig, from(ctx, 1, 4, t)), bce_v, 1, 1e-4);
    const float bce_c[1] = {
        (float)((100 + 0 + log(2.0) + 30) / 4 - 1.0 * (-100 + 100 + 0 + 30) / 4)};
    assert_values(gl_bce_with_logits_const(ctx, tbig, 1), bce_c, 1, 1e-4);
    ck_assert_int_eq(gl_ctx_status(ctx, NULL), GL_OK);
    gl_ctx_destroy(ctx);
}
END_TEST

START_TEST(test_conv_values)
{
    gl_ctx *ctx = gl_ctx_create();
    /* 1x1x3x3 image 1..9, 1x1x2x2 kernel of ones, stride 1, pad 0: sums of 2x2 windows */
    float img[9], ones[4] = {1, 1, 1, 1}, bias = 0.5f;
    for (int i = 0; i < 9; i++)
        img[i] = (float)(i + 1);
    int xs[4] = {1, 1, 3, 3}, ws[4] = {1, 1, 2, 2}, one = 1;
    gl_tensor *x = gl_tensor_from(ctx, 4, xs, img), *w = gl_tensor_from(ctx, 4, ws, ones);
    gl_tensor *b = gl_tensor_from(ctx, 1, &one, &bias);
    const float c[4] = {12.5f, 16.5f, 24.5f, 28.5f};
    gl_tensor *y = gl_conv2d(ctx, x, w, b, 1, 0);
    assert_values(y, c, 4, 1e-5);
    ck_assert_int_eq(gl_tensor_dim(y, 2), 2);
    /* padding 1, stride 2: corners of the padded image */
    const float p[4] = {1, 5, 11, 28};
    assert_values(gl_conv2d(ctx, x, w, NULL, 2, 1), p, 4, 1e-5);
    /* transposed conv spreads each input over a 2x2 block: 1x1x2x2 -> 1x1x3x3 */
    int ts[4] = {1, 1, 2, 2};
    const float in2[4] = {1, 2, 3, 4};
    gl_tensor *t = gl_conv_transpose2d(ctx, gl_tensor_from(ctx, 4, ts, in2), w, NULL, 1, 0, 0);
    const float tv[9] = {1, 3, 2, 4, 10, 6, 3, 7, 4};
    assert_values(t, tv, 9, 1e-5);
    /* DCGAN's 4x4 stride 2 pad 1 upsampling doubles the size */
    int ds[4] = {2, 3, 7, 7}, dw[4] = {3, 5, 4, 4};
    gl_tensor *up = gl_conv_transpose2d(ctx, gl_tensor_new(ctx, 4, ds), gl_tensor_new(ctx, 4, dw),
                                        NULL, 2, 1, 0);
    ck_assert_int_eq(gl_tensor_dim(up, 1), 5);
    ck_assert_int_eq(gl_tensor_dim(up, 2), 14);
    gl_ctx_destroy(ctx);
}
END_TEST

START_TEST(test_norm_values)
{
    gl_ctx *ctx = gl_ctx_create();
    const float x[6] = {1, 10, 3, 20, 5, 60}; /* (3, 2): channel 0 = 1, 3, 5 */
    int two = 2;
    gl_tensor *tx = from(ctx, 3, 2, x);
    gl_tensor *rm = gl_tensor_new(ctx, 1, &two), *rv = gl_tensor_full_like(ctx, rm, 1);
    gl_tensor *y = gl_batch_norm(ctx, tx, NULL, NULL, rm, rv, 1, 0.1f, 0);
    /* channel 0: mean 3, biased var 8/3 */
    ck_assert_float_eq_tol(gl_tensor_data(y)[0], -2 / sqrt(8.0 / 3), 1e-5);
    ck_assert_float_eq_tol(gl_tensor_data(y)[2], 0, 1e-6);
    ck_assert_float_eq_tol(gl_tensor_data(rm)[0], 0.3, 1e-6);
    ck_assert_float_eq_tol(gl_tensor_data(rv)[0], 0.9 + 0.1 * 4, 1e-5); /* unbiased var 4 */
    /* eval uses the running stats: (x - 0.3) / sqrt(1.3) */
    gl_tensor *e = gl_batch_norm(ctx, tx, NULL, NULL, rm, rv, 0, 0.1f, 0);
    ck_assert_float_eq_tol(gl_tensor_data(e)[0], 0.7 / sqrt(1.3), 1e-5);
    /* layer norm: each row mean 0, variance 1 */
    gl_tensor *l = gl_layer_norm(ctx, tx, NULL, NULL, 0);
    ck_assert_float_eq_tol(gl_tensor_data(l)[0], -1, 1e-6);
    ck_assert_float_eq_tol(gl_tensor_data(l)[1], 1, 1e-6);
    gl_ctx_destroy(ctx);
}
END_TEST

START_TEST(test_shape_ops)
{
    gl_ctx *ctx = gl_ctx_create();
    const float a[4] = {1, 2, 3, 4}, b[2] = {5, 6};
    gl_tensor *parts[2] = {from(ctx, 2, 2, a), from(ctx, 2, 1, b)};
    const float cat[6] = {1, 2, 5, 3, 4, 6};
    gl_tensor *c = gl_concat(ctx, 2, parts);
    assert_values(c, cat, 6, 0);
    const float sl[2] = {2, 4};
    assert_values(gl_slice_cols(ctx, c, 1, 1), sl, 2, 0);
    const int32_t lab[3] = {2, 0, 1};
    const float oh[6] = {0, 0, 1, 1, 0, 0};
    assert_values(gl_one_hot(ctx, lab, 2, 3), oh, 6, 0);
    const float emb[6] = {5, 6, 1, 2, 3, 4};
    gl_tensor *table = from(ctx, 3, 2, (const float[]){1, 2, 3, 4, 5, 6});
    assert_values(gl_embedding(ctx, table, lab, 3), emb, 6, 0);
    const int32_t badlab[1] = {3};
    ck_assert_ptr_null(gl_one_hot(ctx, badlab, 1, 3));
    gl_ctx_reset(ctx);
    const float rs[2] = {3, 7}, nm[2] = {(float)sqrt(5.0), 5};
    gl_tensor *m = from(ctx, 2, 2, (const float[]){1, 2, 3, 4});
    assert_values(gl_row_sum(ctx, m), rs, 2, 0);
    assert_values(gl_row_l2norm(ctx, m), nm, 2, 1e-6);
    const float mean[1] = {2.5f};
    assert_values(gl_mean(ctx, m), mean, 1, 0);
    int shape[4] = {1, 4, 1, 1};
    ck_assert_int_eq(gl_tensor_dim(gl_reshape(ctx, m, 4, shape), 1), 4);
    ck_assert_ptr_eq(gl_tensor_data(gl_flatten(ctx, m)), gl_tensor_data(m));
    gl_ctx_destroy(ctx);
}
END_TEST

/* ---------------------------------------------------------------- autograd API */

typedef struct gan {
    gl_net *g, *d;
    gl_linear_layer g1, g2, d1, d2;
} gan;

/* share: G and D get one gradient block (gl_net_share_grads), as training sessions do. */
static void gan_init(gan *m, int latent, int hidden, int item, int share)
{
    m->g = gl_net_create("G");
    m->d = gl_net_create("D");
    gl_linear_layer_declare(&m->g1, m->g, "g1", latent, hidden, 1);
    gl_linear_layer_declare(&m->g2, m->g, "g2", hidden, item, 1);
    gl_linear_layer_declare(&m->d1, m->d, "d1", item, hidden, 1);
    gl_linear_layer_declare(&m->d2, m->d, "d2", hidden, 1, 1);
    if (share)
        ck_assert_int_eq(gl_net_share_grads(m->g, m->d, NULL), GL_OK);
    gl_rng rng;
    gl_rng_init(&rng, 3, GL_STREAM_INIT);
    ck_assert_int_eq(gl_net_finalize(m->g, &rng, NULL), GL_OK);
    ck_assert_int_eq(gl_net_finalize(m->d, &rng, NULL), GL_OK);
}

static gl_tensor *gen(gl_ctx *ctx, gan *m, gl_tensor *z)
{
    gl_tensor *h = gl_linear_layer_forward(ctx, &m->g1, z, GL_ACT_LEAKY_RELU, 0.2f);
    return gl_linear_layer_forward(ctx, &m->g2, h, GL_ACT_TANH, 0);
}

static gl_tensor *disc(gl_ctx *ctx, gan *m, gl_tensor *x)
{
    gl_tensor *h = gl_linear_layer_forward(ctx, &m->d1, x, GL_ACT_LEAKY_RELU, 0.2f);
    return gl_linear_layer_forward(ctx, &m->d2, h, GL_ACT_NONE, 0);
}

static void sgd(gl_net *net)
{
    float *v = gl_net_values(net), *g = gl_net_grads(net);
    for (size_t i = 0; i < gl_net_numel(net); i++)
        v[i] -= 0.01f * g[i];
}

/* One tutorial-style step: D on real and detached fake (BCE), then G; optionally a WGAN-GP term. */
static void train_step(gl_ctx *ctx, gan *m, gl_rng *rng, int batch, int latent, int item, int gp)
{
    gl_ctx_reset(ctx);
    int zs[2] = {batch, latent}, xs[2] = {batch, item};
    gl_tensor *z = gl_tensor_new(ctx, 2, zs), *real = gl_tensor_new(ctx, 2, xs);
    gl_rng_fill_normal(rng, gl_tensor_data(z), gl_tensor_numel(z), 0, 1);
    gl_rng_fill_uniform(rng, gl_tensor_data(real), gl_tensor_numel(real), -1, 1);
    gl_tensor *fake = gl_detach(ctx, gen(ctx, m, z));
    gl_tensor *loss = gl_add(ctx, gl_bce_with_logits_const(ctx, disc(ctx, m, real), 1),
                             gl_bce_with_logits_const(ctx, disc(ctx, m, fake), 0));
    if (gp) {
        gl_tensor *xh = gl_scale(ctx, gl_add(ctx, real, fake), 0.5f), *gx;
        gl_tensor_set_requires_grad(xh, 1);
        gl_tensor *dh = disc(ctx, m, xh);
        gl_tensor *ones = gl_tensor_full_like(ctx, dh, 1);
        ck_assert_int_eq(gl_grad(ctx, 1, &dh, &ones, 1, &xh, &gx, 1, NULL), GL_OK);
        gl_tensor *pen = gl_mean(ctx,
                                 gl_square(ctx, gl_add_scalar(ctx, gl_row_l2norm(ctx, gx), -1)));
        loss = gl_add(ctx, loss, gl_scale(ctx, pen, 10));
    }
    gl_net_zero_grad(m->d);
    ck_assert_int_eq(gl_backward(ctx, loss, m->d, NULL), GL_OK);
    sgd(m->d);
    gl_tensor *gl = gl_bce_with_logits_const(ctx, disc(ctx, m, gen(ctx, m, z)), 1);
    gl_net_zero_grad(m->g);
    ck_assert_int_eq(gl_backward(ctx, gl, m->g, NULL), GL_OK);
    sgd(m->g);
}

START_TEST(test_steady_state_allocates_nothing)
{
    gan m;
    gan_init(&m, 8, 16, 12, 0);
    gl_ctx *ctx = gl_ctx_create();
    gl_rng rng;
    gl_rng_init(&rng, 5, GL_STREAM_NOISE);
    int gp = _i;
    train_step(ctx, &m, &rng, 32, 8, 12, gp);
    uint64_t before = gl_engine_alloc_count();
    size_t bytes = gl_ctx_arena_bytes(ctx);
    for (int step = 2; step <= 6; step++)
        train_step(ctx, &m, &rng, 32, 8, 12, gp);
    ck_assert_uint_eq(gl_engine_alloc_count(), before);
    ck_assert_uint_eq(gl_ctx_arena_bytes(ctx), bytes);
    gl_ctx_destroy(ctx);
    gl_net_destroy(m.g);
    gl_net_destroy(m.d);
}
END_TEST

START_TEST(test_backward_touches_only_its_net)
{
    gan m;
    gan_init(&m, 4, 6, 5, 0);
    gl_ctx *ctx = gl_ctx_create();
    int zs[2] = {3, 4};
    gl_tensor *z = gl_tensor_full_like(ctx, gl_tensor_new(ctx, 2, zs), 0.5f);
    gl_net_zero_grad(m.g);
    gl_net_zero_grad(m.d);
    gl_tensor *loss = gl_mean(ctx, disc(ctx, &m, gen(ctx, &m, z)));
    ck_assert_int_eq(gl_backward(ctx, loss, m.d, NULL), GL_OK);
    double gsum = 0, dsum = 0;
    for (size_t i = 0; i < gl_net_numel(m.g); i++)
        gsum += fabs(gl_net_grads(m.g)[i]);
    for (size_t i = 0; i < gl_net_numel(m.d); i++)
        dsum += fabs(gl_net_grads(m.d)[i]);
    ck_assert(gsum == 0 && dsum > 0);
    /* through a detach, G gets nothing either */
    loss = gl_mean(ctx, disc(ctx, &m, gl_detach(ctx, gen(ctx, &m, z))));
    ck_assert_int_eq(gl_backward(ctx, loss, m.g, NULL), GL_OK);
    for (size_t i = 0; i < gl_net_numel(m.g); i++)
        ck_assert_float_eq(gl_net_grads(m.g)[i], 0);
    /* with recording off nothing requires a gradient */
    gl_ctx_set_grad_enabled(ctx, 0);
    ck_assert(!gl_tensor_requires_grad(gen(ctx, &m, z)));
    gl_ctx_set_grad_enabled(ctx, 1);
    ck_assert(gl_tensor_requires_grad(gen(ctx, &m, z)));
    gl_ctx_destroy(ctx);
    gl_net_destroy(m.g);
    gl_net_destroy(m.d);
}
END_TEST

/* G and D with one gradient block train exactly as with two (each update zeroes its own net's
 * gradients first), the smaller net's gradients lie at the block's start, and sharing is refused
 * once a net is finalized or already shares. */
START_TEST(test_shared_grads)
{
    float *values[2][2];
    for (int share = 0; share < 2; share++) {
        gan m;
        gan_init(&m, 8, 16, 12, share);
        ck_assert(share == (gl_net_grads(m.g) == gl_net_grads(m.d)));
        ck_assert_ptr_eq(gl_tensor_grad(m.d1.w), gl_net_grads(m.d));
        gl_ctx *ctx = gl_ctx_create();
        gl_rng rng;
        gl_rng_init(&rng, 5, GL_STREAM_NOISE);
        for (int step = 0; step < 3; step++)
            train_step(ctx, &m, &rng, 32, 8, 12, step == 2);
        gl_net *nets[2] = {m.g, m.d};
        for (int i = 0; i < 2; i++) {
            size_t bytes = gl_net_numel(nets[i]) * sizeof(float);
            values[share][i] = malloc(bytes);
            memcpy(values[share][i], gl_net_values(nets[i]), bytes);
        }
        gl_error err;
        gl_error_init(&err);
        ck_assert_int_eq(gl_net_share_grads(m.g, m.d, &err), GL_ERR_INPUT);
        ck_assert_ptr_nonnull(strstr(err.text, "not yet finalized nor sharing"));
        gl_ctx_destroy(ctx);
        gl_net_destroy(m.g);
        gl_net_destroy(m.d);
    }
    size_t numel[2] = {8 * 16 + 16 + 16 * 12 + 12, 12 * 16 + 16 + 16 + 1};
    for (int i = 0; i < 2; i++) {
        ck_assert_int_eq(memcmp(values[0][i], values[1][i], numel[i] * sizeof(float)), 0);
        free(values[0][i]);
        free(values[1][i]);
    }
}
END_TEST

/* The same work twice, with 2 threads, gives bit-identical parameters. */
START_TEST(test_deterministic)
{
    float *result[2];
    size_t n = 0;
    gl_engine_set_threads(2);
    ck_assert_int_eq(gl_engine_threads(), 2);
    for (int run = 0; run < 2; run++) {
        gan m;
        gan_init(&m, 32, 128, 200, 0);
        gl_ctx *ctx = gl_ctx_create();
        gl_rng rng;
        gl_rng_init(&rng, 9, GL_STREAM_NOISE);
        for (int step = 0; step < 3; step++)
            train_step(ctx, &m, &rng, 64, 32, 200, 1);
        n = gl_net_numel(m.d);
        result[run] = malloc(n * sizeof(float));
        memcpy(result[run], gl_net_values(m.d), n * sizeof(float));
        gl_ctx_destroy(ctx);
        gl_net_destroy(m.g);
        gl_net_destroy(m.d);
    }
    ck_assert_int_eq(memcmp(result[0], result[1], n * sizeof(float)), 0);
    free(result[0]);
    free(result[1]);
    gl_engine_set_threads(1);
}
END_TEST

static Suite *engine_suite(void)
{
    Suite *s = suite_create("engine");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, test_ctx_errors_are_sticky);
    tcase_add_test(tc, test_grad_needs_requires_grad);
    tcase_add_test(tc, test_net_blocks_and_init);
    tcase_add_test(tc, test_net_declaration_faults);
    tcase_add_test(tc, test_linear_and_activations);
    tcase_add_test(tc, test_conv_values);
    tcase_add_test(tc, test_norm_values);
    tcase_add_test(tc, test_shape_ops);
    tcase_add_loop_test(tc, test_steady_state_allocates_nothing, 0, 2);
    tcase_add_test(tc, test_backward_touches_only_its_net);
    tcase_add_test(tc, test_shared_grads);
    tcase_add_test(tc, test_deterministic);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(engine_suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}

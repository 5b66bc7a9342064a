/* test_grad.c - finite-difference checks of every engine op, first and second order, in double
 * precision (linked against libengine_double: the engine built with gl_real = double).
 *
 * For an op f with inputs x_1..x_k (each a random leaf tensor requiring a gradient):
 *   L(x)  = sum(R . y) + 0.25 sum(y^2),  y = f(x), R a fixed pattern
 *           (the square makes the upstream gradient depend on x, so second-order rules are
 *            exercised through their gradient argument too);
 *   first order:  dL/dx_i from gl_grad (create_graph 0 = kernels, and create_graph 1 = the recorded
 *                 rules) against central differences of L;
 *   second order: S(x) = sum_i sum(Q_i . (dL/dx_i)^2), dS/dx_i from gl_grad through the recorded
 *                 first gradients, against central differences of S (computed from create_graph 0
 *                 gradients, already checked).
 * Central differences in double with h = 1e-6 are accurate to ~1e-9, so tolerances are
 * |analytic - numeric| <= 1e-6 (1 + |numeric|).
 * Also: gl_backward into a net's gradient block through a WGAN-GP penalty (the path the runner
 * uses), and the refusal of batch norm (train) under create_graph.
 */
#include <check.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <ganlab/autograd.h>
#include <ganlab/nn.h>
#include <ganlab/rng.h>
#include <ganlab/tensor.h>

#define MAX_IN 4
#define STEP   1e-6
#define TOL    1e-6

typedef struct spec {
    int ndim;
    int shape[4];
    double lo, hi; /* values drawn uniformly from [lo, hi] */
} spec;

typedef gl_tensor *(*op_fn)(gl_ctx *ctx, gl_tensor **in, const void *ud);

typedef struct gcase {
    const char *name;
    op_fn f;
    const void *ud;
    int n_in;
    spec in[MAX_IN];
    int second; /* has second-order rules: check them (first and second order) */
} gcase;

static size_t numel(const spec *s)
{
    size_t n = 1;
    for (int i = 0; i < s->ndim; i++)
        n *= (size_t)s->shape[i];
    return n;
}

/* A fixed pattern of t's shape with values in about [-1, 1]: sin(0.7 i + phase). */
static gl_tensor *pattern(gl_ctx *ctx, gl_tensor *t, double phase)
{
    gl_tensor *p = gl_tensor_full_like(ctx, t, 0);
    for (size_t i = 0; i < gl_tensor_numel(p); i++)
        gl_tensor_data(p)[i] = sin(0.7 * (double)i + phase);
    return p;
}

static gl_tensor *loss_of(gl_ctx *ctx, gl_tensor *y)
{
    gl_tensor *lin = gl_sum(ctx, gl_mul(ctx, pattern(ctx, y, 0.3), y));
    return gl_add(ctx, lin, gl_scale(ctx, gl_sum(ctx, gl_square(ctx, y)), 0.25));
}

/* Leaf inputs from data (copied), requiring gradients. */
static void make_inputs(gl_ctx *ctx, const gcase *c, double *const *data, gl_tensor **in)
{
    for (int i = 0; i < c->n_in; i++) {
        in[i] = gl_tensor_from(ctx, c->in[i].ndim, c->in[i].shape, data[i]);
        gl_tensor_set_requires_grad(in[i], 1);
    }
}

/* L at data, and (when grads) dL/dx_i into grads[i] via the kernels. */
static double eval_loss(const gcase *c, double *const *data, double **grads)
{
    gl_ctx *ctx = gl_ctx_create();
    gl_tensor *in[MAX_IN], *g[MAX_IN];
    make_inputs(ctx, c, data, in);
    gl_tensor *l = loss_of(ctx, c->f(ctx, in, c->ud));
    ck_assert_msg(l != NULL && gl_ctx_status(ctx, NULL) == GL_OK, "%s: forward failed", c->name);
    double v = gl_tensor_item(l);
    if (grads) {
        ck_assert_int_eq(gl_grad(ctx, 1, &l, NULL, c->n_in, in, g, 0, NULL), GL_OK);
        for (int i = 0; i < c->n_in; i++)
            memcpy(grads[i], gl_tensor_data(g[i]), numel(&c->in[i]) * sizeof(double));
    }
    gl_ctx_destroy(ctx);
    return v;
}

/* S = sum_i sum(Q_i . (dL/dx_i)^2) from the kernel gradients. */
static double eval_penalty(const gcase *c, double *const *data)
{
    double *grads[MAX_IN], s = 0;
    for (int i = 0; i < c->n_in; i++)
        grads[i] = calloc(numel(&c->in[i]), sizeof(double));
    eval_loss(c, data, grads);
    for (int i = 0; i < c->n_in; i++) {
        for (size_t j = 0; j < numel(&c->in[i]); j++)
            s += sin(0.7 * (double)j + 1.1 + i) * grads[i][j] * grads[i][j];
        free(grads[i]);
    }
    return s;
}

static void compare(const gcase *c, const char *what, int i, size_t j, double analytic,
                    double numeric)
{
    ck_assert_msg(fabs(analytic - numeric) <= TOL * (1 + fabs(numeric)),
                  "%s: %s d/d in%d[%zu]: analytic %.12g, numeric %.12g", c->name, what, i, j,
                  analytic, numeric);
}

/* Central difference of fn with respect to every element of every input, against an[i][j]. */
static void check_numeric(const gcase *c, double **data, double **an, const char *what,
                          double (*fn)(const gcase *, double *const *))
{
    for (int i = 0; i < c->n_in; i++)
        for (size_t j = 0; j < numel(&c->in[i]); j++) {
            double keep = data[i][j];
            data[i][j] = keep + STEP;
            double up = fn(c, data);
            data[i][j] = keep - STEP;
            double down = fn(c, data);
            data[i][j] = keep;
            compare(c, what, i, j, an[i][j], (up - down) / (2 * STEP));
        }
}

static double loss_only(const gcase *c, double *const *data) { return eval_loss(c, data, NULL); }

static void run_case(const gcase *c)
{
    gl_rng rng;
    gl_rng_init(&rng, 42, 99);
    double *data[MAX_IN], *an[MAX_IN];
    for (int i = 0; i < c->n_in; i++) {
        size_t n = numel(&c->in[i]);
        data[i] = malloc(n * sizeof(double));
        an[i] = malloc(n * sizeof(double));
        for (size_t j = 0; j < n; j++)
            data[i][j] = c->in[i].lo + (c->in[i].hi - c->in[i].lo) * gl_rng_uniform_double(&rng);
    }

    /* First order, kernels. */
    eval_loss(c, data, an);
    check_numeric(c, data, an, "grad", loss_only);

    if (!c->second) /* no recorded rule (batch norm, train): first order only */
        goto done;
    /* First order, recorded rules (create_graph), must agree with the kernels. */
    gl_ctx *ctx = gl_ctx_create();
    gl_tensor *in[MAX_IN], *g[MAX_IN], *h[MAX_IN];
    make_inputs(ctx, c, data, in);
    gl_tensor *l = loss_of(ctx, c->f(ctx, in, c->ud));
    ck_assert_int_eq(gl_grad(ctx, 1, &l, NULL, c->n_in, in, g, 1, NULL), GL_OK);
    for (int i = 0; i < c->n_in; i++)
        for (size_t j = 0; j < numel(&c->in[i]); j++)
            compare(c, "graph grad", i, j, gl_tensor_data(g[i])[j], an[i][j]);

    gl_tensor *s = NULL;
    for (int i = 0; i < c->n_in; i++) {
        gl_tensor *q = pattern(ctx, g[i], 1.1 + i);
        gl_tensor *term = gl_sum(ctx, gl_mul(ctx, q, gl_square(ctx, g[i])));
        s = s ? gl_add(ctx, s, term) : term;
    }
    ck_assert_int_eq(gl_grad(ctx, 1, &s, NULL, c->n_in, in, h, 0, NULL), GL_OK);
    for (int i = 0; i < c->n_in; i++)
        memcpy(an[i], gl_tensor_data(h[i]), numel(&c->in[i]) * sizeof(double));
    check_numeric(c, data, an, "second order", eval_penalty);
    gl_ctx_destroy(ctx);
done:
    for (int i = 0; i < c->n_in; i++) {
        free(data[i]);
        free(an[i]);
    }
}

/* ---------------------------------------------------------------- the ops under test */

/* clang-format off */
#define S2(a, b) {2, {a, b, 1, 1}, -1, 1}
#define S4(a, b, c, d) {4, {a, b, c, d}, -1, 1}
#define POS2(a, b) {2, {a, b, 1, 1}, 0.5, 1.5}
/* clang-format on */

static gl_tensor *f_add(gl_ctx *x, gl_tensor **i, const void *u) { return gl_add(x, i[0], i[1]); }
static gl_tensor *f_sub(gl_ctx *x, gl_tensor **i, const void *u) { return gl_sub(x, i[0], i[1]); }
static gl_tensor *f_mul(gl_ctx *x, gl_tensor **i, const void *u) { return gl_mul(x, i[0], i[1]); }
static gl_tensor *f_div(gl_ctx *x, gl_tensor **i, const void *u) { return gl_div(x, i[0], i[1]); }
static gl_tensor *f_scale(gl_ctx *x, gl_tensor **i, const void *u)
{
    return gl_scale(x, i[0], -1.7);
}
static gl_tensor *f_add_scalar(gl_ctx *x, gl_tensor **i, const void *u)
{
    return gl_add_scalar(x, i[0], 0.4);
}
static gl_tensor *f_square(gl_ctx *x, gl_tensor **i, const void *u) { return gl_square(x, i[0]); }
static gl_tensor *f_sqrt(gl_ctx *x, gl_tensor **i, const void *u) { return gl_sqrt(x, i[0]); }
static gl_tensor *f_recip0(gl_ctx *x, gl_tensor **i, const void *u) { return gl_recip0(x, i[0]); }
static gl_tensor *f_relu(gl_ctx *x, gl_tensor **i, const void *u) { return gl_relu(x, i[0]); }
static gl_tensor *f_leaky(gl_ctx *x, gl_tensor **i, const void *u)
{
    return gl_leaky_relu(x, i[0], 0.2);
}
static gl_tensor *f_tanh(gl_ctx *x, gl_tensor **i, const void *u) { return gl_tanh(x, i[0]); }
static gl_tensor *f_sigmoid(gl_ctx *x, gl_tensor **i, const void *u) { return gl_sigmoid(x, i[0]); }
static gl_tensor *f_softplus(gl_ctx *x, gl_tensor **i, const void *u)
{
    return gl_softplus(x, i[0]);
}
static gl_tensor *f_logsig(gl_ctx *x, gl_tensor **i, const void *u)
{
    return gl_log_sigmoid(x, i[0]);
}

static gl_tensor *f_sum(gl_ctx *x, gl_tensor **i, const void *u) { return gl_sum(x, i[0]); }
static gl_tensor *f_mean(gl_ctx *x, gl_tensor **i, const void *u) { return gl_mean(x, i[0]); }
static gl_tensor *f_row_sum(gl_ctx *x, gl_tensor **i, const void *u) { return gl_row_sum(x, i[0]); }
static gl_tensor *f_row_mean(gl_ctx *x, gl_tensor **i, const void *u)
{
    return gl_row_mean(x, i[0]);
}
static gl_tensor *f_l2norm(gl_ctx *x, gl_tensor **i, const void *u)
{
    return gl_row_l2norm(x, i[0]);
}
static gl_tensor *f_channel_sum(gl_ctx *x, gl_tensor **i, const void *u)
{
    return gl_channel_sum(x, i[0]);
}
/* expand: i[1] only supplies the target shape (and its gradient is 0) */
static gl_tensor *f_expand(gl_ctx *x, gl_tensor **i, const void *u)
{
    return gl_mul(x, gl_expand(x, i[0], i[1]), i[1]);
}
static gl_tensor *f_add_bias(gl_ctx *x, gl_tensor **i, const void *u)
{
    return gl_add_bias(x, i[0], i[1]);
}

static const int tt[4][2] = {{0, 0}, {1, 0}, {0, 1}, {1, 1}};
static gl_tensor *f_matmul(gl_ctx *x, gl_tensor **i, const void *u)
{
    const int *t = u;
    return gl_matmul(x, i[0], i[1], t[0], t[1]);
}

static const gl_act acts[5] = {GL_ACT_NONE, GL_ACT_RELU, GL_ACT_LEAKY_RELU, GL_ACT_TANH,
                               GL_ACT_SIGMOID};
static gl_tensor *f_linear(gl_ctx *x, gl_tensor **i, const void *u)
{
    return gl_linear_act(x, i[0], i[1], i[2], *(const gl_act *)u, 0.2);
}
static gl_tensor *f_linear_nobias(gl_ctx *x, gl_tensor **i, const void *u)
{
    return gl_linear(x, i[0], i[1], NULL);
}

typedef struct conv_args {
    int stride, pad, out_pad;
} conv_args;
static const conv_args conv_a = {1, 1, 0}, conv_b = {2, 0, 0}, convt_a = {2, 1, 1},
                       convt_b = {1, 0, 0};
static gl_tensor *f_conv(gl_ctx *x, gl_tensor **i, const void *u)
{
    const conv_args *a = u;
    return gl_conv2d(x, i[0], i[1], i[2], a->stride, a->pad);
}
static gl_tensor *f_convt(gl_ctx *x, gl_tensor **i, const void *u)
{
    const conv_args *a = u;
    return gl_conv_transpose2d(x, i[0], i[1], i[2], a->stride, a->pad, a->out_pad);
}

/* Batch norm with running statistics made in the context (train mode updates them in place). */
static gl_tensor *f_bn(gl_ctx *x, gl_tensor **i, const void *u)
{
    int train = *(const int *)u, c = gl_tensor_dim(i[0], 1);
    gl_tensor *rm = gl_tensor_new(x, 1, &c), *rv = gl_tensor_new(x, 1, &c);
    for (int k = 0; k < c; k++) {
        gl_tensor_data(rm)[k] = 0.1 * k;
        gl_tensor_data(rv)[k] = 1 + 0.3 * k;
    }
    return gl_batch_norm(x, i[0], i[1], i[2], rm, rv, train, 0.1, 1e-5);
}
static const int bn_train = 1, bn_eval = 0;
static gl_tensor *f_ln(gl_ctx *x, gl_tensor **i, const void *u)
{
    return gl_layer_norm(x, i[0], i[1], i[2], 1e-5);
}
static gl_tensor *f_ln_plain(gl_ctx *x, gl_tensor **i, const void *u)
{
    return gl_layer_norm(x, i[0], NULL, NULL, 1e-5);
}

static gl_tensor *f_reshape(gl_ctx *x, gl_tensor **i, const void *u)
{
    int shape[3] = {3, 2, 2};
    return gl_tanh(x, gl_reshape(x, i[0], 3, shape));
}
static gl_tensor *f_flatten(gl_ctx *x, gl_tensor **i, const void *u)
{
    return gl_tanh(x, gl_flatten(x, i[0]));
}
static gl_tensor *f_concat(gl_ctx *x, gl_tensor **i, const void *u) { return gl_concat(x, 3, i); }
static gl_tensor *f_slice(gl_ctx *x, gl_tensor **i, const void *u)
{
    return gl_slice_cols(x, i[0], 2, 3);
}
static const int32_t labels[5] = {2, 0, 2, 3, 1};
static gl_tensor *f_embedding(gl_ctx *x, gl_tensor **i, const void *u)
{
    return gl_mul(x, gl_embedding(x, i[0], labels, 5), i[1]);
}
static gl_tensor *f_dropout(gl_ctx *x, gl_tensor **i, const void *u)
{
    gl_rng r = *(const gl_rng *)u; /* same mask at every evaluation */
    return gl_dropout(x, i[0], 0.4, &r, 1);
}
static gl_tensor *f_bce(gl_ctx *x, gl_tensor **i, const void *u)
{
    return gl_bce_with_logits(x, i[0], i[1]);
}
static gl_tensor *f_bce_const(gl_ctx *x, gl_tensor **i, const void *u)
{
    return gl_bce_with_logits_const(x, i[0], 0.9);
}

/* A small critic: linear, leaky, layer norm, linear, with an embedding concatenated. */
static gl_tensor *f_critic(gl_ctx *x, gl_tensor **i, const void *u)
{
    gl_tensor *parts[2] = {i[0], gl_embedding(x, i[3], labels, 5)};
    gl_tensor *h = gl_linear_act(x, gl_concat(x, 2, parts), i[1], NULL, GL_ACT_LEAKY_RELU, 0.2);
    h = gl_layer_norm(x, h, NULL, NULL, 1e-5);
    return gl_linear(x, gl_softplus(x, h), i[2], NULL);
}

static const gcase elementwise_cases[] = {
    {"add", f_add, NULL, 2, {S2(3, 4), S2(3, 4)}, 1},
    {"sub", f_sub, NULL, 2, {S2(3, 4), S2(3, 4)}, 1},
    {"mul", f_mul, NULL, 2, {S2(3, 4), S2(3, 4)}, 1},
    {"div", f_div, NULL, 2, {S2(3, 4), POS2(3, 4)}, 1},
    {"scale", f_scale, NULL, 1, {S2(3, 4)}, 1},
    {"add_scalar", f_add_scalar, NULL, 1, {S2(3, 4)}, 1},
    {"square", f_square, NULL, 1, {S2(3, 4)}, 1},
    {"sqrt", f_sqrt, NULL, 1, {POS2(3, 4)}, 1},
    {"recip0", f_recip0, NULL, 1, {POS2(3, 4)}, 1},
    {"relu", f_relu, NULL, 1, {S2(3, 4)}, 1},
    {"leaky_relu", f_leaky, NULL, 1, {S2(3, 4)}, 1},
    {"tanh", f_tanh, NULL, 1, {S2(3, 4)}, 1},
    {"sigmoid", f_sigmoid, NULL, 1, {S2(3, 4)}, 1},
    {"softplus", f_softplus, NULL, 1, {{2, {3, 4}, -4, 4}}, 1},
    {"log_sigmoid", f_logsig, NULL, 1, {{2, {3, 4}, -4, 4}}, 1},
    {"sum", f_sum, NULL, 1, {S4(2, 3, 2, 2)}, 1},
    {"mean", f_mean, NULL, 1, {S4(2, 3, 2, 2)}, 1},
    {"row_sum", f_row_sum, NULL, 1, {S4(2, 3, 2, 2)}, 1},
    {"row_mean", f_row_mean, NULL, 1, {S2(3, 5)}, 1},
    {"row_l2norm", f_l2norm, NULL, 1, {S4(3, 2, 2, 2)}, 1},
    {"channel_sum", f_channel_sum, NULL, 1, {S4(2, 3, 2, 2)}, 1},
    {"expand scalar", f_expand, NULL, 2, {{1, {1}, -1, 1}, S4(2, 3, 2, 2)}, 1},
    {"expand rows", f_expand, NULL, 2, {S2(2, 1), S4(2, 3, 2, 2)}, 1},
    {"expand channels", f_expand, NULL, 2, {{1, {3}, -1, 1}, S4(2, 3, 2, 2)}, 1},
    {"add_bias 2d", f_add_bias, NULL, 2, {S2(3, 4), {1, {4}, -1, 1}}, 1},
    {"add_bias 4d", f_add_bias, NULL, 2, {S4(2, 3, 2, 2), {1, {3}, -1, 1}}, 1},
};

static const gcase linear_cases[] = {
    {"matmul", f_matmul, tt[0], 2, {S2(3, 4), S2(4, 5)}, 1},
    {"matmul ta", f_matmul, tt[1], 2, {S2(4, 3), S2(4, 5)}, 1},
    {"matmul tb", f_matmul, tt[2], 2, {S2(3, 4), S2(5, 4)}, 1},
    {"matmul ta tb", f_matmul, tt[3], 2, {S2(4, 3), S2(5, 4)}, 1},
    {"linear", f_linear, &acts[0], 3, {S2(3, 4), S2(5, 4), {1, {5}, -1, 1}}, 1},
    {"linear relu", f_linear, &acts[1], 3, {S2(3, 4), S2(5, 4), {1, {5}, -1, 1}}, 1},
    {"linear leaky", f_linear, &acts[2], 3, {S2(3, 4), S2(5, 4), {1, {5}, -1, 1}}, 1},
    {"linear tanh", f_linear, &acts[3], 3, {S2(3, 4), S2(5, 4), {1, {5}, -1, 1}}, 1},
    {"linear sigmoid", f_linear, &acts[4], 3, {S2(3, 4), S2(5, 4), {1, {5}, -1, 1}}, 1},
    {"linear 4d no bias", f_linear_nobias, NULL, 2, {S4(2, 2, 1, 3), S2(4, 6)}, 1},
    {"conv2d s1 p1", f_conv, &conv_a, 3, {S4(2, 2, 4, 4), S4(3, 2, 3, 3), {1, {3}, -1, 1}}, 1},
    {"conv2d s2 p0", f_conv, &conv_b, 3, {S4(2, 2, 5, 5), S4(3, 2, 3, 3), {1, {3}, -1, 1}}, 1},
    {"conv_transpose2d s2 p1 op1",
     f_convt,
     &convt_a,
     3,
     {S4(2, 2, 3, 3), S4(2, 3, 3, 3), {1, {3}, -1, 1}},
     1},
    {"conv_transpose2d s1",
     f_convt,
     &convt_b,
     3,
     {S4(1, 2, 3, 3), S4(2, 2, 2, 2), {1, {2}, -1, 1}},
     1},
};

static gl_rng dropout_rng = {7, 5, 0, {0, 0, 0, 0}, 4};

static const gcase other_cases[] = {
    {"batch_norm train 2d", f_bn, &bn_train, 3, {S2(5, 3), {1, {3}, 0.5, 1.5}, {1, {3}, -1, 1}}, 0},
    /* more channels than one block of the (B, C) kernels (64) */
    {"batch_norm train 2d wide",
     f_bn,
     &bn_train,
     3,
     {S2(3, 70), {1, {70}, 0.5, 1.5}, {1, {70}, -1, 1}},
     0},
    {"batch_norm train 4d",
     f_bn,
     &bn_train,
     3,
     {S4(2, 3, 2, 2), {1, {3}, 0.5, 1.5}, {1, {3}, -1, 1}},
     0},
    {"batch_norm eval",
     f_bn,
     &bn_eval,
     3,
     {S4(2, 3, 2, 2), {1, {3}, 0.5, 1.5}, {1, {3}, -1, 1}},
     1},
    {"layer_norm 2d", f_ln, NULL, 3, {S2(3, 5), {1, {5}, 0.5, 1.5}, {1, {5}, -1, 1}}, 1},
    {"layer_norm 4d",
     f_ln,
     NULL,
     3,
     {S4(2, 2, 2, 2), {3, {2, 2, 2}, 0.5, 1.5}, {3, {2, 2, 2}, -1, 1}},
     1},
    {"layer_norm plain", f_ln_plain, NULL, 1, {S2(3, 5)}, 1},
    {"reshape", f_reshape, NULL, 1, {S2(3, 4)}, 1},
    {"flatten", f_flatten, NULL, 1, {S4(2, 3, 2, 1)}, 1},
    {"concat 2d", f_concat, NULL, 3, {S2(2, 3), S2(2, 1), S2(2, 2)}, 1},
    {"concat 4d", f_concat, NULL, 3, {S4(2, 1, 2, 2), S4(2, 2, 2, 2), S4(2, 1, 2, 2)}, 1},
    {"slice_cols", f_slice, NULL, 1, {S4(2, 2, 2, 2)}, 1},
    {"embedding", f_embedding, NULL, 2, {S2(4, 3), S2(5, 3)}, 1},
    {"dropout", f_dropout, &dropout_rng, 1, {S2(4, 5)}, 1},
    {"bce_with_logits", f_bce, NULL, 2, {{2, {3, 2}, -3, 3}, {2, {3, 2}, 0, 1}}, 1},
    {"bce_with_logits const", f_bce_const, NULL, 1, {{2, {3, 2}, -3, 3}}, 1},
    {"critic", f_critic, NULL, 4, {S2(5, 3), S2(4, 5), S2(1, 4), S2(4, 2)}, 1},
};

#define N_OF(a) (int)(sizeof a / sizeof a[0])

START_TEST(test_elementwise) { run_case(&elementwise_cases[_i]); }
END_TEST
START_TEST(test_linear) { run_case(&linear_cases[_i]); }
END_TEST
START_TEST(test_other) { run_case(&other_cases[_i]); }
END_TEST

/* Batch norm in train mode has no second-order rule: create_graph through it is refused. */
START_TEST(test_batch_norm_refuses_create_graph)
{
    gl_ctx *ctx = gl_ctx_create();
    int shape[2] = {4, 3}, c = 3;
    gl_tensor *x = gl_tensor_full_like(ctx, gl_tensor_new(ctx, 2, shape), 0);
    for (int i = 0; i < 12; i++)
        gl_tensor_data(x)[i] = sin(i);
    gl_tensor_set_requires_grad(x, 1);
    gl_tensor *rm = gl_tensor_new(ctx, 1, &c), *rv = gl_tensor_full_like(ctx, rm, 1);
    gl_tensor *y = gl_sum(ctx,
                          gl_square(ctx, gl_batch_norm(ctx, x, NULL, NULL, rm, rv, 1, 0.1, 1e-5)));
    gl_tensor *g;
    gl_error err;
    gl_error_init(&err);
    ck_assert_int_eq(gl_grad(ctx, 1, &y, NULL, 1, &x, &g, 1, &err), GL_ERR_INPUT);
    ck_assert_ptr_nonnull(strstr(err.text, "batch_norm"));
    ck_assert_int_eq(gl_grad(ctx, 1, &y, NULL, 1, &x, &g, 0, NULL), GL_OK);
    gl_ctx_destroy(ctx);
}
END_TEST

/* gl_backward through a WGAN-GP penalty into a net's gradient block, against finite differences
 * over the parameters: the runner's path for a penalised critic. */
typedef struct critic {
    gl_net *net;
    gl_linear_layer l1, l2;
    gl_layer_norm_layer ln;
} critic;

static double critic_loss(critic *m, gl_ctx *ctx, int backward)
{
    int shape[2] = {4, 3};
    gl_tensor *xh = gl_tensor_new(ctx, 2, shape);
    for (int i = 0; i < 12; i++)
        gl_tensor_data(xh)[i] = cos(1.3 * i);
    gl_tensor_set_requires_grad(xh, 1);
    gl_tensor *h = gl_linear_layer_forward(ctx, &m->l1, xh, GL_ACT_TANH, 0);
    h = gl_layer_norm_layer_forward(ctx, &m->ln, h);
    gl_tensor *d = gl_linear_layer_forward(ctx, &m->l2, gl_leaky_relu(ctx, h, 0.2), GL_ACT_NONE, 0);
    gl_tensor *ones = gl_tensor_full_like(ctx, d, 1), *gx;
    ck_assert_int_eq(gl_grad(ctx, 1, &d, &ones, 1, &xh, &gx, 1, NULL), GL_OK);
    gl_tensor *gp = gl_mean(ctx, gl_square(ctx, gl_add_scalar(ctx, gl_row_l2norm(ctx, gx), -1)));
    gl_tensor *loss = gl_add(ctx, gl_mean(ctx, d), gl_scale(ctx, gp, 10));
    if (backward)
        ck_assert_int_eq(gl_backward(ctx, loss, m->net, NULL), GL_OK);
    return gl_tensor_item(loss);
}

START_TEST(test_backward_gradient_penalty)
{
    critic m;
    m.net = gl_net_create("D");
    int item = 6;
    gl_linear_layer_declare(&m.l1, m.net, "l1", 3, 6, 1);
    gl_layer_norm_layer_declare(&m.ln, m.net, "ln", 1, &item);
    gl_linear_layer_declare(&m.l2, m.net, "l2", 6, 1, 1);
    gl_rng rng;
    gl_rng_init(&rng, 1, GL_STREAM_INIT);
    ck_assert_int_eq(gl_net_finalize(m.net, &rng, NULL), GL_OK);
    size_t n = gl_net_numel(m.net);
    double *v = gl_net_values(m.net), *g = gl_net_grads(m.net);
    for (size_t i = 0; i < n; i++) /* make the layer norm's affine part non-trivial */
        v[i] += 0.1 * sin((double)i);
    gl_ctx *ctx = gl_ctx_create();
    gl_net_zero_grad(m.net);
    critic_loss(&m, ctx, 1);
    double *an = malloc(n * sizeof *an);
    memcpy(an, g, n * sizeof *an);
    /* A second backward accumulates: the block must hold twice the gradient. */
    gl_ctx_reset(ctx);
    critic_loss(&m, ctx, 1);
    for (size_t i = 0; i < n; i++) {
        ck_assert_double_eq_tol(g[i], 2 * an[i], 1e-12 * (1 + fabs(an[i])));
        double keep = v[i];
        v[i] = keep + STEP;
        gl_ctx_reset(ctx);
        double up = critic_loss(&m, ctx, 0);
        v[i] = keep - STEP;
        gl_ctx_reset(ctx);
        double down = critic_loss(&m, ctx, 0);
        v[i] = keep;
        double num = (up - down) / (2 * STEP);
        ck_assert_msg(fabs(an[i] - num) <= TOL * (1 + fabs(num)),
                      "param %zu (%s...): backward %.12g, numeric %.12g", i,
                      gl_tensor_name(gl_net_param_at(m.net, 0)), an[i], num);
    }
    free(an);
    gl_ctx_destroy(ctx);
    gl_net_destroy(m.net);
}
END_TEST

static Suite *grad_suite(void)
{
    Suite *s = suite_create("grad");
    TCase *tc = tcase_create("finite differences");
    tcase_add_loop_test(tc, test_elementwise, 0, N_OF(elementwise_cases));
    tcase_add_loop_test(tc, test_linear, 0, N_OF(linear_cases));
    tcase_add_loop_test(tc, test_other, 0, N_OF(other_cases));
    tcase_add_test(tc, test_batch_norm_refuses_create_graph);
    tcase_add_test(tc, test_backward_gradient_penalty);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(grad_suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}

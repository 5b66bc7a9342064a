/* test_engine_backend.c - the float engine's product kernels (oneDNN where the build has it, else
 * its own) against direct sums in double, in fp32 and in bf16; the bf16 refusal; no allocation in
 * a steady-state convolutional step; same bytes twice with 2 threads; bf16 products seeing every
 * update of a parameter; a gradient graph's products (a penalty's) in fp32 under bf16.
 *
 * Tolerances are bounds, not guesses: with M = the direct sum of |a_i b_i| for one output, fp32
 * must be within 1e-5 M (+1e-6) and bf16 within 2^-7 M (+1e-6): rounding both inputs of a product
 * to bf16 (8 significant bits) moves it by at most 2^-8 |a b|, and fp32 accumulation adds far less;
 * the bound is that, doubled. Each convolution kernel (forward, backward-data, backward-weight) is
 * checked as a value and as a gradient, first and second order (the WGAN-GP penalty's path); what
 * gl_grad builds with create_graph, and its gradients, are held to fp32's bound under bf16 too.
 */
#include <check.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <ganlab/autograd.h>
#include <ganlab/nn.h>
#include <ganlab/rng.h>
#include <ganlab/tensor.h>

typedef struct geom {
    int b, ci, h, w, co, k, s, p, ho, wo;
} geom;

static const geom geoms[] = {
    {2, 3, 9, 9, 5, 3, 2, 1, 5, 5},    /* odd channel counts */
    {2, 16, 8, 8, 32, 4, 2, 1, 4, 4},  /* blocked layouts */
    {3, 1, 12, 12, 8, 4, 2, 1, 6, 6},  /* one input channel, as a DCGAN's first layer */
    {2, 8, 14, 14, 16, 4, 2, 1, 7, 7}, /* a DCGAN's halving shape */
};

static void fill(float *v, size_t n, unsigned seed)
{
    for (size_t i = 0; i < n; i++) {
        seed = seed * 1664525u + 1013904223u;
        v[i] = (float)((seed >> 8) / 8388608.0 - 1.0);
    }
}

static size_t xs(const geom *g) { return (size_t)g->b * g->ci * g->h * g->w; }
static size_t ys(const geom *g) { return (size_t)g->b * g->co * g->ho * g->wo; }
static size_t ws(const geom *g) { return (size_t)g->co * g->ci * g->k * g->k; }

/* The three bilinear maps as direct sums, each with its bound M (sums of |a b|):
 *   conv:   y[n,o,oy,ox]   = sum x[n,c,iy,ix] w[o,c,ky,kx]
 *   data:   dx[n,c,iy,ix]  = sum g[n,o,oy,ox] w[o,c,ky,kx]
 *   weight: dw[o,c,ky,kx]  = sum x[n,c,iy,ix] g[n,o,oy,ox]     (iy = oy s - p + ky, ...) */
enum { CONV, DATA, WEIGHT };

static void direct(int kind, const geom *g, const float *a, const float *b, double *out,
                   double *bound)
{
    size_t n_out = kind == CONV ? ys(g) : kind == DATA ? xs(g) : ws(g);
    memset(out, 0, n_out * sizeof *out);
    memset(bound, 0, n_out * sizeof *bound);
    for (int n = 0; n < g->b; n++)
        for (int o = 0; o < g->co; o++)
            for (int c = 0; c < g->ci; c++)
                for (int oy = 0; oy < g->ho; oy++)
                    for (int ox = 0; ox < g->wo; ox++)
                        for (int ky = 0; ky < g->k; ky++)
                            for (int kx = 0; kx < g->k; kx++) {
                                int iy = oy * g->s - g->p + ky, ix = ox * g->s - g->p + kx;
                                if (iy < 0 || iy >= g->h || ix < 0 || ix >= g->w)
                                    continue;
                                size_t xi = (((size_t)n * g->ci + c) * g->h + iy) * g->w + ix;
                                size_t yi = (((size_t)n * g->co + o) * g->ho + oy) * g->wo + ox;
                                size_t wi = (((size_t)o * g->ci + c) * g->k + ky) * g->k + kx;
                                size_t ia = kind == DATA ? yi : xi;
                                size_t ib = kind == WEIGHT ? yi : wi;
                                size_t io = kind == CONV ? yi : kind == DATA ? xi : wi;
                                out[io] += (double)a[ia] * b[ib];
                                bound[io] += fabs((double)a[ia] * b[ib]);
                            }
}

/* The bound's factor for a product of the engine's precision, or of fp32 whatever the precision
 * (the products of a gradient graph, built by gl_grad with create_graph, and of its rules). */
static double rel_tol(int fp32)
{
    return gl_engine_precision() == GL_PRECISION_BF16 && !fp32 ? 1.0 / 128 : 1e-5;
}

enum { ENGINE, FP32 };

static void check_against(const char *what, gl_tensor *t, int kind, const geom *g, const float *a,
                          const float *b, int fp32)
{
    ck_assert_ptr_nonnull(t);
    size_t n = gl_tensor_numel(t);
    double *want = malloc(n * sizeof *want), *bound = malloc(n * sizeof *bound);
    direct(kind, g, a, b, want, bound);
    for (size_t i = 0; i < n; i++) {
        double err = fabs(gl_tensor_data(t)[i] - want[i]);
        ck_assert_msg(err <= rel_tol(fp32) * bound[i] + 1e-6,
                      "%s, geometry ci %d co %d, element %zu: %g, want %g (bound %g)", what, g->ci,
                      g->co, i, (double)gl_tensor_data(t)[i], want[i], bound[i]);
    }
    free(want);
    free(bound);
}

static gl_tensor *tensor(gl_ctx *ctx, int d0, int d1, int d2, int d3, const float *v)
{
    int shape[4] = {d0, d1, d2, d3};
    gl_tensor *t = gl_tensor_from(ctx, 4, shape, v);
    gl_tensor_set_requires_grad(t, 1);
    return t;
}

/* <a, b> recorded, for losses. */
static gl_tensor *dot(gl_ctx *ctx, gl_tensor *a, gl_tensor *b)
{
    return gl_sum(ctx, gl_mul(ctx, a, b));
}

/* The gradients of L = <conv(x, w), r> (or the linear layer's): dx = data(r, w), dw = weight(x, r),
 * in the engine's precision without create_graph and in fp32 with it; grads: those with it. */
static void check_first_order(gl_ctx *ctx, const char *op, gl_tensor *loss, gl_tensor **ins,
                              const geom *g, const float *x, const float *w, const float *r,
                              gl_tensor **grads)
{
    gl_error err;
    gl_error_init(&err);
    for (int graph = 0; graph <= 1; graph++) {
        char dx[64], dw[64];
        snprintf(dx, sizeof dx, "%s dx%s", op, graph ? " (create_graph)" : "");
        snprintf(dw, sizeof dw, "%s dw%s", op, graph ? " (create_graph)" : "");
        ck_assert_int_eq(gl_grad(ctx, 1, &loss, NULL, 2, ins, grads, graph, &err), GL_OK);
        check_against(dx, grads[0], DATA, g, r, w, graph ? FP32 : ENGINE);
        check_against(dw, grads[1], WEIGHT, g, x, r, graph ? FP32 : ENGINE);
    }
}

/* conv2d: y = conv(x, w); L = <y, r>: dx = data(r, w), dw = weight(x, r), in the engine's
 * precision without create_graph and in fp32 with it; through the recorded dx (a gradient graph:
 * fp32 again), d<dx, q>/dw = weight(q, r). conv_transpose2d: y = data(u, w), du = conv(r, w),
 * dw = weight(r, u). */
static void check_geometry(const geom *g)
{
    float *x = malloc(xs(g) * sizeof *x), *q = malloc(xs(g) * sizeof *q);
    float *w = malloc(ws(g) * sizeof *w), *r = malloc(ys(g) * sizeof *r);
    float *u = malloc(ys(g) * sizeof *u), *rt = malloc(xs(g) * sizeof *rt);
    fill(x, xs(g), 1), fill(q, xs(g), 2), fill(w, ws(g), 3), fill(r, ys(g), 4);
    fill(u, ys(g), 5), fill(rt, xs(g), 6);
    gl_ctx *ctx = gl_ctx_create();
    gl_error err;
    gl_error_init(&err);

    gl_tensor *tx = tensor(ctx, g->b, g->ci, g->h, g->w, x);
    gl_tensor *tw = tensor(ctx, g->co, g->ci, g->k, g->k, w);
    gl_tensor *tr = tensor(ctx, g->b, g->co, g->ho, g->wo, r);
    gl_tensor *tq = tensor(ctx, g->b, g->ci, g->h, g->w, q);
    gl_tensor *y = gl_conv2d(ctx, tx, tw, NULL, g->s, g->p);
    check_against("conv2d", y, CONV, g, x, w, ENGINE);
    gl_tensor *loss = dot(ctx, y, tr), *ins[2] = {tx, tw}, *grads[2];
    check_first_order(ctx, "conv2d", loss, ins, g, x, w, r, grads);
    gl_tensor *pen = dot(ctx, grads[0], tq), *dw2;
    ck_assert_int_eq(gl_grad(ctx, 1, &pen, NULL, 1, &tw, &dw2, 0, &err), GL_OK);
    check_against("conv2d d<dx, q>/dw", dw2, WEIGHT, g, q, r, FP32);

    gl_tensor *tu = tensor(ctx, g->b, g->co, g->ho, g->wo, u);
    gl_tensor *trt = tensor(ctx, g->b, g->ci, g->h, g->w, rt);
    int op = (g->h + 2 * g->p - g->k) % g->s; /* the output padding that gives back h */
    gl_tensor *yt = gl_conv_transpose2d(ctx, tu, tw, NULL, g->s, g->p, op);
    check_against("conv_transpose2d", yt, DATA, g, u, w, ENGINE);
    gl_tensor *lt = dot(ctx, yt, trt), *tins[2] = {tu, tw};
    ck_assert_int_eq(gl_grad(ctx, 1, &lt, NULL, 2, tins, grads, 0, &err), GL_OK);
    check_against("conv_transpose2d du", grads[0], CONV, g, rt, w, ENGINE);
    check_against("conv_transpose2d dw", grads[1], WEIGHT, g, rt, u, ENGINE);
    ck_assert_int_eq(gl_ctx_status(ctx, &err), GL_OK);
    gl_ctx_destroy(ctx);
    free(x), free(q), free(w), free(r), free(u), free(rt);
}

/* Linear y = x w^T (B, in) -> (B, out) as a 1x1 "convolution" of the direct sums: with x as
 * (B, in, 1, 1) and w as (out, in, 1, 1), y is conv, dx data and dw weight. */
static void check_linear(void)
{
    const geom g = {8, 40, 1, 1, 24, 1, 1, 0, 1, 1};
    float *x = malloc(xs(&g) * sizeof *x), *w = malloc(ws(&g) * sizeof *w);
    float *r = malloc(ys(&g) * sizeof *r), *q = malloc(xs(&g) * sizeof *q);
    fill(x, xs(&g), 7), fill(w, ws(&g), 8), fill(r, ys(&g), 9), fill(q, xs(&g), 10);
    gl_ctx *ctx = gl_ctx_create();
    gl_error err;
    gl_error_init(&err);
    int xsh[2] = {g.b, g.ci}, wsh[2] = {g.co, g.ci}, ysh[2] = {g.b, g.co};
    gl_tensor *tx = gl_tensor_from(ctx, 2, xsh, x), *tw = gl_tensor_from(ctx, 2, wsh, w);
    gl_tensor *tr = gl_tensor_from(ctx, 2, ysh, r), *tq = gl_tensor_from(ctx, 2, xsh, q);
    gl_tensor_set_requires_grad(tx, 1);
    gl_tensor_set_requires_grad(tw, 1);
    gl_tensor *y = gl_linear(ctx, tx, tw, NULL);
    check_against("linear", y, CONV, &g, x, w, ENGINE);
    gl_tensor *loss = dot(ctx, y, tr), *ins[2] = {tx, tw}, *grads[2];
    check_first_order(ctx, "linear", loss, ins, &g, x, w, r, grads);
    gl_tensor *pen = dot(ctx, grads[0], tq), *dw2;
    ck_assert_int_eq(gl_grad(ctx, 1, &pen, NULL, 1, &tw, &dw2, 0, &err), GL_OK);
    check_against("linear d<dx, q>/dw", dw2, WEIGHT, &g, q, r, FP32);
    gl_ctx_destroy(ctx);
    free(x), free(w), free(r), free(q);
}

/* _i: 0 fp32, 1 bf16 (skipped where the CPU or build cannot). */
static int use_precision(int i)
{
    gl_error err;
    gl_error_init(&err);
    if (i == 1 && gl_engine_bf16_missing())
        return 0;
    ck_assert_int_eq(gl_engine_set_precision(i ? GL_PRECISION_BF16 : GL_PRECISION_FP32, &err),
                     GL_OK);
    return 1;
}

START_TEST(test_products_match_direct_sums)
{
    if (!use_precision(_i))
        return;
    for (int threads = 1; threads <= 2; threads++) {
        gl_engine_set_threads(threads);
        for (size_t i = 0; i < sizeof geoms / sizeof geoms[0]; i++)
            check_geometry(&geoms[i]);
        check_linear();
    }
    gl_engine_set_threads(1);
    use_precision(0);
}
END_TEST

START_TEST(test_bf16_refused_without_the_instructions)
{
    gl_error err;
    gl_error_init(&err);
    setenv("GANLAB_FAKE_NO_BF16", "1", 1);
    ck_assert_ptr_nonnull(gl_engine_bf16_missing());
    ck_assert_int_eq(gl_engine_set_precision(GL_PRECISION_BF16, &err), GL_ERR_INPUT);
    ck_assert_int_eq(gl_engine_precision(), GL_PRECISION_FP32);
    ck_assert_msg(strstr(err.text, "AVX512_BF16") || strstr(err.text, "oneDNN"), "%s", err.text);
    unsetenv("GANLAB_FAKE_NO_BF16");
}
END_TEST

/* bf16 products read a parameter through its net's bf16 copy, made once per change of the values:
 * a forward after the values were written through gl_net_values (as an optimizer does) or
 * gl_tensor_data sees the new values, one with no write in between the same ones, and steps after
 * the first (forward, backward into the net, an update) allocate nothing. */
START_TEST(test_bf16_weights_follow_updates)
{
    if (!use_precision(1))
        return;
    const geom g = {8, 40, 1, 1, 24, 1, 1, 0, 1, 1};
    float *x = malloc(xs(&g) * sizeof *x), *w = malloc(ws(&g) * sizeof *w);
    float *r = malloc(ys(&g) * sizeof *r);
    fill(x, xs(&g), 14), fill(w, ws(&g), 15), fill(r, ys(&g), 16);
    gl_net *net = gl_net_create("N");
    gl_linear_layer l;
    gl_linear_layer_declare(&l, net, "fc", g.ci, g.co, 0);
    gl_rng rng;
    gl_rng_init(&rng, 1, 0);
    gl_error err;
    gl_error_init(&err);
    ck_assert_int_eq(gl_net_finalize(net, &rng, &err), GL_OK);
    memcpy(gl_net_values(net), w, ws(&g) * sizeof *w);
    gl_ctx *ctx = gl_ctx_create();
    int xsh[2] = {g.b, g.ci}, ysh[2] = {g.b, g.co};
    uint64_t allocs = 0;
    for (int round = 0; round < 6; round++) {
        gl_ctx_reset(ctx);
        gl_tensor *tx = gl_tensor_from(ctx, 2, xsh, x);
        gl_tensor_set_requires_grad(tx, 1);
        gl_tensor *y = gl_linear_layer_forward(ctx, &l, tx, GL_ACT_NONE, 0);
        check_against("linear after an update", y, CONV, &g, x, w, ENGINE);
        /* Read again in the same context: the same copy. */
        check_against("linear again", gl_linear_layer_forward(ctx, &l, tx, GL_ACT_NONE, 0), CONV,
                      &g, x, w, ENGINE);
        gl_net_zero_grad(net);
        ck_assert_int_eq(gl_backward(ctx, dot(ctx, y, gl_tensor_from(ctx, 2, ysh, r)), net, &err),
                         GL_OK);
        if (round == 1)
            allocs = gl_engine_alloc_count();
        /* Rounds 0-3 change the values, by turns through either accessor; 4 and 5 leave them. */
        if (round < 4) {
            float *v = round % 2 ? gl_tensor_data(l.w) : gl_net_values(net);
            for (size_t i = 0; i < ws(&g); i++)
                v[i] = w[i] = 0.5f * w[i] - 0.25f * gl_tensor_grad(l.w)[i];
        }
    }
    ck_assert_uint_eq(gl_engine_alloc_count(), allocs);
    ck_assert_int_eq(gl_ctx_status(ctx, &err), GL_OK);
    gl_ctx_destroy(ctx);
    gl_net_destroy(net);
    use_precision(0);
    free(x), free(w), free(r);
}
END_TEST

/* A WGAN-GP critic's penalty: a 64-48-32-1 leaky-ReLU MLP D, gx = dD/dx by gl_grad with
 * create_graph, gp = mean((||gx|| - 1)^2), then gl_backward of gp into D's gradient block. */
enum { PB = 16, PIN = 64, PH1 = 48, PH2 = 32 };

typedef struct penalised {
    float h[PB * (PH1 + PH2)], d[PB]; /* D's hidden layers and output */
    float gp;
    float *grads; /* (numel of D), the caller's */
} penalised;

static void critic_penalty(gl_net *net, gl_linear_layer *l, const float *x, penalised *out)
{
    gl_ctx *ctx = gl_ctx_create();
    gl_error err;
    gl_error_init(&err);
    int xsh[2] = {PB, PIN};
    gl_tensor *tx = gl_tensor_from(ctx, 2, xsh, x);
    gl_tensor_set_requires_grad(tx, 1);
    gl_tensor *h1 = gl_linear_layer_forward(ctx, &l[0], tx, GL_ACT_LEAKY_RELU, 0.2f);
    gl_tensor *h2 = gl_linear_layer_forward(ctx, &l[1], h1, GL_ACT_LEAKY_RELU, 0.2f);
    gl_tensor *d = gl_linear_layer_forward(ctx, &l[2], h2, GL_ACT_NONE, 0);
    gl_tensor *ones = gl_tensor_full_like(ctx, d, 1), *gx;
    ck_assert_int_eq(gl_grad(ctx, 1, &d, &ones, 1, &tx, &gx, 1, &err), GL_OK);
    gl_tensor *gp = gl_mean(ctx, gl_square(ctx, gl_add_scalar(ctx, gl_row_l2norm(ctx, gx), -1)));
    gl_net_zero_grad(net);
    ck_assert_int_eq(gl_backward(ctx, gp, net, &err), GL_OK);
    memcpy(out->h, gl_tensor_data(h1), PB * PH1 * sizeof *out->h);
    memcpy(out->h + PB * PH1, gl_tensor_data(h2), PB * PH2 * sizeof *out->h);
    memcpy(out->d, gl_tensor_data(d), sizeof out->d);
    out->gp = gl_tensor_data(gp)[0];
    memcpy(out->grads, gl_net_grads(net), gl_net_numel(net) * sizeof *out->grads);
    gl_ctx_destroy(ctx);
}

/* The largest |a_i - b_i| over the largest |b_i|. */
static double rel_diff(const float *a, const float *b, size_t n)
{
    double diff = 0, scale = 0;
    for (size_t i = 0; i < n; i++) {
        diff = fmax(diff, fabs((double)a[i] - b[i]));
        scale = fmax(scale, fabs((double)b[i]));
    }
    return diff / scale;
}

/* Under bf16 the penalty and its gradient stay fp32 (docs/engine.md): D's forward differs from
 * fp32's by a bf16-sized amount (over 2^-12 of its scale; fp32 would differ by nothing), yet the
 * penalty and D's gradient of it agree with fp32's to 1e-6 of their scale (bf16 products in the
 * gradient graph move them by 1e-3 to 1e-2). The gradient graph reads D's forward only through
 * the signs of the leaky ReLUs' inputs: biases of +-3 (alternating by unit) keep each one at
 * least 16 times its bf16 change away from zero (checked), so both slopes are used and none flips.
 * (1e-6, not 0: equal bytes would hold only while the fp32 products are the same kernels.) */
START_TEST(test_bf16_penalty_stays_fp32)
{
    if (gl_engine_bf16_missing())
        return;
    gl_net *net = gl_net_create("D");
    gl_linear_layer l[3];
    gl_linear_layer_declare(&l[0], net, "fc1", PIN, PH1, 1);
    gl_linear_layer_declare(&l[1], net, "fc2", PH1, PH2, 1);
    gl_linear_layer_declare(&l[2], net, "fc3", PH2, 1, 1);
    gl_rng rng;
    gl_rng_init(&rng, 3, 0);
    gl_error err;
    gl_error_init(&err);
    ck_assert_int_eq(gl_net_finalize(net, &rng, &err), GL_OK);
    for (int k = 0; k < 2; k++)
        for (int j = 0; j < l[k].out; j++)
            gl_tensor_data(l[k].b)[j] = j % 2 ? -3 : 3;
    float x[PB * PIN];
    fill(x, PB * PIN, 17);
    size_t np = gl_net_numel(net);
    penalised p[2] = {{.grads = malloc(np * sizeof(float))}, {.grads = malloc(np * sizeof(float))}};
    for (int i = 0; i < 2; i++) {
        use_precision(i);
        critic_penalty(net, l, x, &p[i]);
    }
    use_precision(0);
    size_t nh = PB * (PH1 + PH2);
    for (size_t i = 0; i < nh; i++)
        ck_assert_msg(fabs(p[0].h[i]) >= 16 * fabs(p[1].h[i] - p[0].h[i]),
                      "data: hidden unit %zu is %g in fp32, %g in bf16", i, (double)p[0].h[i],
                      (double)p[1].h[i]);
    double fwd = fmax(rel_diff(p[1].h, p[0].h, nh), rel_diff(p[1].d, p[0].d, PB));
    ck_assert_msg(fwd > 1.0 / 4096, "D's forward under bf16 is within %g of fp32's", fwd);
    double gp = rel_diff(&p[1].gp, &p[0].gp, 1), grads = rel_diff(p[1].grads, p[0].grads, np);
    ck_assert_msg(gp <= 1e-6 && grads <= 1e-6, "penalty %.3g, its gradient %.3g from fp32's", gp,
                  grads);
    gl_net_destroy(net);
    free(p[0].grads), free(p[1].grads);
}
END_TEST

/* A critic's step with a gradient penalty through two convolutions and a transposed one. */
static double conv_step(gl_ctx *ctx, const float *x, const float *w1, const float *w2)
{
    const geom *g = &geoms[3];
    gl_error err;
    gl_error_init(&err);
    gl_ctx_reset(ctx);
    gl_tensor *tx = tensor(ctx, g->b, g->ci, g->h, g->w, x);
    gl_tensor *tw1 = tensor(ctx, g->co, g->ci, g->k, g->k, w1);
    gl_tensor *tw2 = tensor(ctx, g->co, g->ci, g->k, g->k, w2);
    gl_tensor *h = gl_leaky_relu(ctx, gl_conv2d(ctx, tx, tw1, NULL, g->s, g->p), 0.2f);
    gl_tensor *back = gl_conv_transpose2d(ctx, h, tw2, NULL, g->s, g->p, 0);
    gl_tensor *out = gl_sum(ctx, gl_square(ctx, back)), *gx, *ins[2] = {tw1, tw2}, *gw[2];
    ck_assert_int_eq(gl_grad(ctx, 1, &out, NULL, 1, &tx, &gx, 1, &err), GL_OK);
    gl_tensor *loss = gl_add(ctx, out, gl_sum(ctx, gl_square(ctx, gx)));
    ck_assert_int_eq(gl_grad(ctx, 1, &loss, NULL, 2, ins, gw, 0, &err), GL_OK);
    return gl_tensor_data(gw[0])[0] + gl_tensor_data(gw[1])[1];
}

START_TEST(test_conv_steady_state_and_determinism)
{
    if (!use_precision(_i))
        return;
    const geom *g = &geoms[3];
    float *x = malloc(xs(g) * sizeof *x), *w1 = malloc(ws(g) * sizeof *w1);
    float *w2 = malloc(ws(g) * sizeof *w2);
    fill(x, xs(g), 11), fill(w1, ws(g), 12), fill(w2, ws(g), 13);
    gl_engine_set_threads(2);
    gl_ctx *ctx = gl_ctx_create();
    double first = conv_step(ctx, x, w1, w2);
    uint64_t allocs = gl_engine_alloc_count();
    size_t bytes = gl_ctx_arena_bytes(ctx);
    for (int step = 0; step < 3; step++) {
        double again = conv_step(ctx, x, w1, w2);
        ck_assert_msg(memcmp(&again, &first, sizeof first) == 0, "%.17g then %.17g", first, again);
    }
    ck_assert_uint_eq(gl_engine_alloc_count(), allocs);
    ck_assert_uint_eq(gl_ctx_arena_bytes(ctx), bytes);
    gl_ctx_destroy(ctx);
    gl_engine_set_threads(1);
    use_precision(0);
    free(x), free(w1), free(w2);
}
END_TEST

static Suite *backend_suite(void)
{
    Suite *s = suite_create("engine_backend");
    TCase *tc = tcase_create("core");
    tcase_set_timeout(tc, 60);
    tcase_add_loop_test(tc, test_products_match_direct_sums, 0, 2);
    tcase_add_test(tc, test_bf16_refused_without_the_instructions);
    tcase_add_test(tc, test_bf16_weights_follow_updates);
    tcase_add_test(tc, test_bf16_penalty_stays_fp32);
    tcase_add_loop_test(tc, test_conv_steady_state_and_determinism, 0, 2);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(backend_suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}

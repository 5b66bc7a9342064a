/* bench_engine.c - engine micro-benchmark: the tutorial GAN's networks (G 100-256-512-1024-784,
 * D 784-512-256-1, LeakyReLU 0.2, Tanh, BCE on logits) at batch 64 and 256.
 *
 * Times, per batch size, the best of several repeats of (docs/performance.md):
 *   d_step  D(real) and D(fake.detach()) forward, BCE, backward into D's gradient block;
 *   g_step  D(G(z)) forward, BCE, backward into G's gradient block (D's weights not
 * differentiated); train   d_step + g_step with a fresh G(z), as one training step of the tutorial
 * (no optimizer). (inputs drawn once, outside the timed loops) and reports ms per iteration and
 * GFLOP/s counting only the matrix products (2 m n k each: forward, and backward dW for every layer
 * and dX for every layer whose input needs it), next to one large sgemm (1024^3) in the same run as
 * the machine's reference. Usage: bench_engine [threads]   (default 1). Not run by make check.
 * Output lines: "name batch ms GFLOP/s" and "sgemm1024 - ms GFLOP/s", parsed by
 * run_engine_bench.sh.
 */
#include <cblas.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include <ganlab/autograd.h>
#include <ganlab/nn.h>
#include <ganlab/rng.h>
#include <ganlab/tensor.h>

static const int g_dims[5] = {100, 256, 512, 1024, 784};
static const int d_dims[4] = {784, 512, 256, 1};

typedef struct model {
    gl_net *g, *d;
    gl_linear_layer gl[4], dl[3];
} model;

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static gl_tensor *generate(gl_ctx *ctx, model *m, gl_tensor *z)
{
    for (int i = 0; i < 4; i++)
        z = gl_linear_layer_forward(ctx, &m->gl[i], z, i < 3 ? GL_ACT_LEAKY_RELU : GL_ACT_TANH,
                                    0.2f);
    return z;
}

static gl_tensor *discriminate(gl_ctx *ctx, model *m, gl_tensor *x)
{
    for (int i = 0; i < 3; i++)
        x = gl_linear_layer_forward(ctx, &m->dl[i], x, i < 2 ? GL_ACT_LEAKY_RELU : GL_ACT_NONE,
                                    0.2f);
    return x;
}

enum { FWD, FWD_BWD, FWD_BWD_INPUT };

/* Matrix-product flops of an MLP: forward only, or forward and backward (dW of every layer, dX of
 * every layer but the first unless FWD_BWD_INPUT). */
static double mlp_flops(const int *dims, int layers, int batch, int mode)
{
    double f = 0;
    for (int i = 0; i < layers; i++) {
        double mnk = 2.0 * batch * dims[i] * dims[i + 1];
        f += mode == FWD ? mnk : mnk * (2 + (i > 0 || mode == FWD_BWD_INPUT));
    }
    return f;
}

enum { D_STEP, G_STEP, TRAIN };

#define MAX_BATCH 256

/* Inputs drawn once, outside the timed loops (as the torch script does): noise for two G passes
 * and a real batch. */
typedef struct pool {
    float z[2][MAX_BATCH * 100];
    float real[MAX_BATCH * 784];
} pool;

static void run(gl_ctx *ctx, model *m, int what, int batch, const pool *p)
{
    gl_ctx_reset(ctx);
    int zs[2] = {batch, 100}, xs[4] = {batch, 1, 28, 28};
    gl_tensor *z = gl_tensor_from(ctx, 2, zs, p->z[0]), *real = gl_tensor_from(ctx, 4, xs, p->real);
    if (what != G_STEP) {
        gl_tensor *fake = gl_detach(ctx, generate(ctx, m, z));
        gl_tensor *loss = gl_add(ctx, gl_bce_with_logits_const(ctx, discriminate(ctx, m, real), 1),
                                 gl_bce_with_logits_const(ctx, discriminate(ctx, m, fake), 0));
        gl_net_zero_grad(m->d);
        gl_backward(ctx, loss, m->d, NULL);
    }
    if (what != D_STEP) {
        if (what == TRAIN)
            z = gl_tensor_from(ctx, 2, zs, p->z[1]);
        gl_tensor *loss = gl_bce_with_logits_const(ctx, discriminate(ctx, m, generate(ctx, m, z)),
                                                   1);
        gl_net_zero_grad(m->g);
        gl_backward(ctx, loss, m->g, NULL);
    }
}

static double best_ms(gl_ctx *ctx, model *m, int what, int batch, const pool *p)
{
    int iters = batch >= 256 ? 10 : 30;
    for (int i = 0; i < 5; i++)
        run(ctx, m, what, batch, p);
    double best = 1e30;
    for (int rep = 0; rep < 7; rep++) {
        double t0 = now();
        for (int i = 0; i < iters; i++)
            run(ctx, m, what, batch, p);
        double ms = (now() - t0) * 1e3 / iters;
        best = ms < best ? ms : best;
    }
    return best;
}

static double sgemm_ms(void)
{
    int n = 1024;
    float *a = calloc((size_t)n * n, sizeof *a), *b = calloc((size_t)n * n, sizeof *b),
          *c = calloc((size_t)n * n, sizeof *c);
    for (size_t i = 0; i < (size_t)n * n; i++) {
        a[i] = (float)(i % 7) * 0.1f;
        b[i] = (float)(i % 5) * 0.1f;
    }
    double best = 1e30;
    for (int rep = 0; rep < 5; rep++) {
        double t0 = now();
        cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, n, n, n, 1, a, n, b, n, 0, c, n);
        double ms = (now() - t0) * 1e3;
        best = ms < best ? ms : best;
    }
    free(a);
    free(b);
    free(c);
    return best;
}

int main(int argc, char **argv)
{
    int threads = argc > 1 ? atoi(argv[1]) : 1;
    gl_engine_set_threads(threads);
    model m = {gl_net_create("G"), gl_net_create("D"), {{0}}, {{0}}};
    char name[32];
    for (int i = 0; i < 4; i++) {
        snprintf(name, sizeof name, "model.%d", 2 * i);
        gl_linear_layer_declare(&m.gl[i], m.g, name, g_dims[i], g_dims[i + 1], 1);
    }
    for (int i = 0; i < 3; i++) {
        snprintf(name, sizeof name, "model.%d", 2 * i);
        gl_linear_layer_declare(&m.dl[i], m.d, name, d_dims[i], d_dims[i + 1], 1);
    }
    gl_rng rng;
    gl_rng_init(&rng, 1, GL_STREAM_INIT);
    gl_error err;
    gl_error_init(&err);
    if (gl_net_finalize(m.g, &rng, &err) != GL_OK || gl_net_finalize(m.d, &rng, &err) != GL_OK) {
        gl_error_print(&err, stderr);
        return 1;
    }
    gl_ctx *ctx = gl_ctx_create();
    static pool p;
    gl_rng_init(&rng, 1, GL_STREAM_NOISE);
    for (int k = 0; k < 2; k++)
        gl_rng_fill_normal(&rng, p.z[k], MAX_BATCH * 100, 0, 1);
    gl_rng_fill_uniform(&rng, p.real, MAX_BATCH * 784, -1, 1);
    printf("# threads %d\n", threads);
    double ms = sgemm_ms();
    printf("sgemm1024 - %.3f %.1f\n", ms, 2.0 * 1024 * 1024 * 1024 / (ms * 1e6));
    static const char *names[3] = {"d_step", "g_step", "train"};
    static const int batches[2] = {64, 256};
    for (int bi = 0; bi < 2; bi++) {
        int b = batches[bi];
        double flops[3] = {
            mlp_flops(g_dims, 4, b, FWD) + 2 * mlp_flops(d_dims, 3, b, FWD_BWD),
            mlp_flops(g_dims, 4, b, FWD_BWD) + mlp_flops(d_dims, 3, b, FWD_BWD_INPUT), 0};
        flops[2] = flops[0] + flops[1];
        for (int w = 0; w < 3; w++) {
            double t = best_ms(ctx, &m, w, b, &p);
            printf("%s %d %.3f %.1f\n", names[w], b, t, flops[w] / (t * 1e6));
        }
    }
    gl_ctx_destroy(ctx);
    gl_net_destroy(m.g);
    gl_net_destroy(m.d);
    return 0;
}

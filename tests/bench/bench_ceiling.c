/* bench_ceiling.c - what the machine allows for one training step of a shipped config: the step's
 * layer products alone, through libganlab's public engine API (so through whatever backend and
 * precision the engine uses), plus one Adam pass over the parameters; printed as images/s (real
 * images seen by D per second). tests/bench/bench_train.sh prints it as ceiling_fp32 / ceiling_bf16
 * next to the training figures. Built by `make`, never run by make check.
 *
 * Usage: bench_ceiling CONFIG PRECISION [SECONDS [--one THREADS]]
 *   CONFIG     gan | wgan_gp | cgan | ring | dcgan_gan | dcgan_wgan_gp | dcgan_cgan
 *   PRECISION  fp32 | bf16 (bf16 prints "-" where the engine has no or refuses bf16)
 *   SECONDS    timed length of each way of running (default 2)
 *   --one T    only this process with T engine threads; prints its images/s and the CPU ms of
 *              a step, all threads (for profiling: CPU time holds better than images/s on a busy
 *              machine)
 * Output: one line "CONFIG PRECISION caller2 workers best" (images/s).
 *
 * The step: the config's networks with their activations, norms, label codes and losses left out,
 * so only the linear layers and convolutions remain, at the config's batch; called exactly as a
 * step calls them: per D update G forward (detached), D forward on the real and the fake batch
 * (and, for WGAN-GP, on interpolates with the input gradient recorded, create_graph), backward
 * into D, Adam over D; then the G update D(G(z)) backward into G, Adam over G. So forward, dX and
 * dW (and the penalty's second-order products) come interleaved as in training, and the engine
 * skips what training skips (no dW of D in the G update).
 * Ways of running, the fastest counted: one caller with 2 engine threads, with libgomp's idle
 * workers spinning and with them sleeping (OMP_WAIT_POLICY active and passive, each in a fresh
 * process), and one 1-thread worker process per vCPU it may run on (sched_getaffinity) each running
 * whole steps (their images added up).
 */
#include <dlfcn.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <ganlab/autograd.h>
#include <ganlab/nn.h>
#include <ganlab/rng.h>
#include <ganlab/tensor.h>

#define MAX_LAYERS 5

/* A config reduced to its products. MLP: dims of G and D. DCGAN: fc, two 4/2/1 (transposed)
 * convolutions each way (dcgan.c), on (c, 28, 28) images. */
typedef struct spec {
    const char *name;
    int batch, n_critic, penalty, conv;
    int g_dims[MAX_LAYERS + 1], n_g; /* MLP: n_g layers, n_g + 1 widths */
    int d_dims[MAX_LAYERS + 1], n_d;
    int latent, d_in_channels; /* DCGAN: G's input width (z and label code), D's input planes */
} spec;

static const spec specs[] = {
    {"gan", 64, 1, 0, 0, {100, 256, 512, 1024, 784}, 4, {784, 512, 256, 1}, 3, 0, 0},
    {"wgan_gp", 64, 5, 1, 0, {100, 256, 512, 1024, 784}, 4, {784, 512, 256, 1}, 3, 0, 0},
    /* one-hot label after z; D's label enters by projection, an embedding, not a product */
    {"cgan", 64, 1, 0, 0, {110, 256, 512, 1024, 784}, 4, {784, 512, 256, 1}, 3, 0, 0},
    {"ring", 256, 1, 0, 0, {2, 128, 128, 128, 2}, 4, {2, 128, 128, 128, 1}, 4, 0, 0},
    {"dcgan_gan", 64, 1, 0, 1, {0}, 0, {0}, 0, 100, 1},
    {"dcgan_wgan_gp", 64, 5, 1, 1, {0}, 0, {0}, 0, 100, 1},
    /* one-hot label after z for G, as 10 constant planes after the image's channel for D */
    {"dcgan_cgan", 64, 1, 0, 1, {0}, 0, {0}, 0, 110, 11},
};

#define NGF  64
#define NDF  64
#define SIDE 28

typedef struct model {
    const spec *sp;
    gl_net *g, *d;
    gl_linear_layer gl[MAX_LAYERS], dl[MAX_LAYERS];
    gl_linear_layer g_fc, d_fc;
    gl_conv_layer g_up1, g_up2, d_conv1, d_conv2;
    gl_ctx *ctx;
    float *real, *z, *xh; /* constant inputs (B, item) / (B, latent); freed by teardown */
    float *state[2];      /* Adam moments of G, D (m then v); freed by teardown */
    long t[2];
} model;

static double clock_s(clockid_t which)
{
    struct timespec ts;
    clock_gettime(which, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static double now(void) { return clock_s(CLOCK_MONOTONIC); }

/* CPU seconds per step (all threads) of the last timed run of steps_per_second. */
static double cpu_per_step;

static void die(const char *what)
{
    fprintf(stderr, "bench_ceiling: %s\n", what);
    exit(1);
}

static int item_size(const spec *sp) { return sp->conv ? SIDE * SIDE : sp->d_dims[0]; }
static int latent(const spec *sp) { return sp->conv ? sp->latent : sp->g_dims[0]; }

static void declare(model *m)
{
    const spec *sp = m->sp;
    char name[32];
    if (sp->conv) {
        gl_linear_layer_declare(&m->g_fc, m->g, "fc", sp->latent, 2 * NGF * 7 * 7, 1);
        gl_conv_transpose2d_layer_declare(&m->g_up1, m->g, "up1", 2 * NGF, NGF, 4, 2, 1, 0, 1);
        gl_conv_transpose2d_layer_declare(&m->g_up2, m->g, "up2", NGF, 1, 4, 2, 1, 0, 1);
        gl_conv2d_layer_declare(&m->d_conv1, m->d, "conv1", sp->d_in_channels, NDF, 4, 2, 1, 1);
        gl_conv2d_layer_declare(&m->d_conv2, m->d, "conv2", NDF, 2 * NDF, 4, 2, 1, 1);
        gl_linear_layer_declare(&m->d_fc, m->d, "fc", 2 * NDF * 7 * 7, 1, 1);
        return;
    }
    for (int i = 0; i < sp->n_g; i++) {
        snprintf(name, sizeof name, "g%d", i);
        gl_linear_layer_declare(&m->gl[i], m->g, name, sp->g_dims[i], sp->g_dims[i + 1], 1);
    }
    for (int i = 0; i < sp->n_d; i++) {
        snprintf(name, sizeof name, "d%d", i);
        gl_linear_layer_declare(&m->dl[i], m->d, name, sp->d_dims[i], sp->d_dims[i + 1], 1);
    }
}

static gl_tensor *generate(model *m, gl_tensor *z)
{
    const spec *sp = m->sp;
    if (!sp->conv) {
        for (int i = 0; i < sp->n_g; i++)
            z = gl_linear_layer_forward(m->ctx, &m->gl[i], z, GL_ACT_NONE, 0);
        return z;
    }
    int shape[4] = {sp->batch, 2 * NGF, 7, 7};
    gl_tensor *h = gl_reshape(m->ctx, gl_linear_layer_forward(m->ctx, &m->g_fc, z, GL_ACT_NONE, 0),
                              4, shape);
    h = gl_conv_layer_forward(m->ctx, &m->g_up1, h);
    return gl_conv_layer_forward(m->ctx, &m->g_up2, h);
}

/* D's input: x (B, item) for an MLP, (B, planes, 28, 28) for DCGAN; a conditional DCGAN's label
 * planes are appended as constants (no product involves them but the first convolution's). */
static gl_tensor *discriminate(model *m, gl_tensor *x)
{
    const spec *sp = m->sp;
    if (!sp->conv) {
        for (int i = 0; i < sp->n_d; i++)
            x = gl_linear_layer_forward(m->ctx, &m->dl[i], x, GL_ACT_NONE, 0);
        return x;
    }
    if (sp->d_in_channels > 1) {
        int shape[4] = {sp->batch, sp->d_in_channels - 1, SIDE, SIDE};
        gl_tensor *planes = gl_tensor_new(m->ctx, 4, shape);
        gl_tensor *parts[2] = {x, planes};
        x = gl_concat(m->ctx, 2, parts);
    }
    x = gl_conv_layer_forward(m->ctx, &m->d_conv1, x);
    x = gl_conv_layer_forward(m->ctx, &m->d_conv2, x);
    return gl_linear_layer_forward(m->ctx, &m->d_fc, x, GL_ACT_NONE, 0);
}

static gl_tensor *input(model *m, const float *data)
{
    int shape[4] = {m->sp->batch, 1, SIDE, SIDE};
    if (!m->sp->conv)
        shape[1] = item_size(m->sp);
    return gl_tensor_from(m->ctx, m->sp->conv ? 4 : 2, shape, data);
}

/* The optimizer pass of a step: torch.optim.Adam's update (lr 2e-4, betas 0.5 / 0.999) by the
 * engine's own kernel, the one training runs (vectorised, split over the engine's threads). */
static void adam(model *m, int which)
{
    gl_net *net = which ? m->d : m->g;
    gl_adam_update(gl_net_values(net), gl_net_grads(net), m->state[which], gl_net_numel(net),
                   (uint64_t)++m->t[which], 2e-4, 0.5, 0.999, 1e-8, 0.0);
}

static void backward(model *m, gl_tensor *loss, int which)
{
    gl_error err = {0};
    gl_net *net = which ? m->d : m->g;
    gl_net_zero_grad(net);
    if (gl_ctx_status(m->ctx, &err) != GL_OK || gl_backward(m->ctx, loss, net, &err) != GL_OK)
        die(err.text);
    adam(m, which);
    gl_ctx_reset(m->ctx);
}

static void step(model *m)
{
    const spec *sp = m->sp;
    int zshape[2] = {sp->batch, latent(sp)};
    for (int c = 0; c < sp->n_critic; c++) {
        gl_tensor *fake = gl_detach(m->ctx, generate(m, gl_tensor_from(m->ctx, 2, zshape, m->z)));
        gl_tensor *loss = gl_add(m->ctx, gl_sum(m->ctx, discriminate(m, input(m, m->real))),
                                 gl_sum(m->ctx, discriminate(m, fake)));
        if (sp->penalty) {
            gl_tensor *xh = input(m, m->xh), *gx = NULL;
            gl_tensor_set_requires_grad(xh, 1);
            gl_tensor *d = discriminate(m, xh);
            gl_tensor *ones = gl_tensor_full_like(m->ctx, d, 1);
            gl_error err = {0};
            if (gl_grad(m->ctx, 1, &d, &ones, 1, &xh, &gx, 1, &err) != GL_OK)
                die(err.text);
            loss = gl_add(m->ctx, loss, gl_sum(m->ctx, gl_square(m->ctx, gx)));
        }
        backward(m, loss, 1);
    }
    gl_tensor *out = discriminate(m, generate(m, gl_tensor_from(m->ctx, 2, zshape, m->z)));
    backward(m, gl_sum(m->ctx, out), 0);
}

static void setup(model *m, const spec *sp)
{
    gl_error err = {0};
    memset(m, 0, sizeof *m);
    m->sp = sp;
    m->g = gl_net_create("G");
    m->d = gl_net_create("D");
    m->ctx = gl_ctx_create();
    if (!m->g || !m->d || !m->ctx)
        die("out of memory");
    declare(m);
    gl_rng rng;
    gl_rng_init(&rng, 1, 0);
    if (gl_net_finalize(m->g, &rng, &err) != GL_OK || gl_net_finalize(m->d, &rng, &err) != GL_OK)
        die(err.text);
    size_t item = (size_t)sp->batch * item_size(sp), z = (size_t)sp->batch * latent(sp);
    m->real = malloc(item * sizeof *m->real);
    m->xh = malloc(item * sizeof *m->xh);
    m->z = malloc(z * sizeof *m->z);
    for (int k = 0; k < 2; k++)
        if (!(m->state[k] = calloc(2 * gl_net_numel(k ? m->d : m->g), sizeof *m->state[k])))
            die("out of memory");
    if (!m->real || !m->xh || !m->z)
        die("out of memory");
    gl_rng_fill_uniform(&rng, m->real, item, -1, 1);
    gl_rng_fill_uniform(&rng, m->xh, item, -1, 1);
    gl_rng_fill_normal(&rng, m->z, z, 0, 1);
}

static void teardown(model *m)
{
    gl_ctx_destroy(m->ctx);
    gl_net_destroy(m->g);
    gl_net_destroy(m->d);
    free(m->real);
    free(m->xh);
    free(m->z);
    for (int k = 0; k < 2; k++)
        free(m->state[k]);
}

/* Returns 0 when the engine has no bf16 or refuses it here; the symbol is looked up at run time so
 * that this benchmark builds and runs (fp32 only) against an engine without precisions. */
static int set_precision(const char *precision)
{
    if (strcmp(precision, "fp32") == 0)
        return 1;
    if (strcmp(precision, "bf16") != 0)
        die("PRECISION must be fp32 or bf16");
    int (*set)(int, gl_error *) = (int (*)(int, gl_error *))dlsym(RTLD_DEFAULT,
                                                                  "gl_engine_set_precision");
    gl_error err = {0};
    return set && set(1 /* GL_PRECISION_BF16 */, &err) == GL_OK;
}

/* Steps per second with `threads` engine threads, timed over `seconds` of steps after a warm-up.
 * A worker (ready >= 0) writes a byte to ready after its warm-up and waits for one on go, so that
 * the workers' timed spans coincide. */
static double steps_per_second(const spec *sp, int threads, double seconds, int ready, int go)
{
    model m;
    gl_engine_set_threads(threads);
    setup(&m, sp);
    for (int i = 0; i < 3; i++)
        step(&m);
    char c = 'r';
    if (ready >= 0 && (write(ready, &c, 1) != 1 || read(go, &c, 1) != 1))
        die("pipe failed");
    long n = 0;
    double t0 = now(), t = t0, c0 = clock_s(CLOCK_PROCESS_CPUTIME_ID);
    while (t - t0 < seconds) {
        step(&m);
        n++;
        t = now();
    }
    cpu_per_step = (clock_s(CLOCK_PROCESS_CPUTIME_ID) - c0) / (double)n;
    teardown(&m);
    return (double)n / (t - t0);
}

/* `workers` 1-thread processes timed together. Returns their steps per second added up. Run before
 * this process starts any engine threads (they would not survive the fork). */
static double run_workers(const spec *sp, int workers, double seconds)
{
    int ready[2], go[2], rates[2];
    if (pipe(ready) || pipe(go) || pipe(rates))
        die("pipe failed");
    for (int w = 0; w < workers; w++) {
        pid_t pid = fork();
        if (pid < 0)
            die("fork failed");
        if (pid == 0) {
            double rate = steps_per_second(sp, 1, seconds, ready[1], go[0]);
            _exit(write(rates[1], &rate, sizeof rate) == sizeof rate ? 0 : 1);
        }
    }
    char c;
    for (int w = 0; w < workers; w++)
        if (read(ready[0], &c, 1) != 1)
            die("a worker failed to start");
    for (int w = 0; w < workers; w++)
        if (write(go[1], "g", 1) != 1)
            die("pipe write failed");
    double sum = 0;
    for (int w = 0; w < workers; w++) {
        double rate;
        int status;
        if (read(rates[0], &rate, sizeof rate) != sizeof rate || wait(&status) < 0 ||
            !WIFEXITED(status) || WEXITSTATUS(status) != 0)
            die("a worker failed");
        sum += rate;
    }
    return sum;
}

/* Steps per second of one caller with 2 engine threads, in a fresh process of this program with
 * OMP_WAIT_POLICY=policy: libgomp reads the policy only when it loads, and which policy is faster
 * depends on the machine (spinning workers answer sooner; on a host whose vCPUs share cores, or
 * that is busy, the spinning one slows its partner), so the ceiling tries both. */
static double run_caller(const char *policy, char **argv, const char *seconds)
{
    int out[2];
    if (pipe(out))
        die("pipe failed");
    pid_t pid = fork();
    if (pid < 0)
        die("fork failed");
    if (pid == 0) {
        if (dup2(out[1], STDOUT_FILENO) < 0 || setenv("OMP_WAIT_POLICY", policy, 1) != 0)
            _exit(1);
        execl("/proc/self/exe", argv[0], argv[1], argv[2], seconds, "--one", "2", (char *)NULL);
        _exit(1);
    }
    close(out[1]);
    char line[64] = "";
    ssize_t got = read(out[0], line, sizeof line - 1);
    int status;
    if (got <= 0 || waitpid(pid, &status, 0) < 0 || !WIFEXITED(status) || WEXITSTATUS(status) != 0)
        die("a caller run failed");
    close(out[0]);
    return atof(line);
}

int main(int argc, char **argv)
{
    if (argc < 3)
        die("usage: bench_ceiling CONFIG fp32|bf16 [SECONDS [--one THREADS]]");
    const spec *sp = NULL;
    for (size_t i = 0; i < sizeof specs / sizeof *specs; i++)
        if (strcmp(argv[1], specs[i].name) == 0)
            sp = &specs[i];
    if (!sp)
        die("unknown CONFIG (gan wgan_gp cgan ring dcgan_gan dcgan_wgan_gp dcgan_cgan)");
    const char *sec = argc > 3 ? argv[3] : "2";
    double seconds = atof(sec);
    if (!(seconds > 0))
        die("SECONDS must be > 0");
    /* Set before any fork, so the workers inherit it. */
    if (!set_precision(argv[2])) {
        printf("%s %s - - -\n", sp->name, argv[2]);
        return 0;
    }
    double img = (double)sp->batch * sp->n_critic;
    if (argc > 5 && strcmp(argv[4], "--one") == 0) {
        int threads = atoi(argv[5]);
        if (threads < 1)
            die("--one needs a thread count >= 1");
        double rate = steps_per_second(sp, threads, seconds, -1, -1) * img;
        printf("%.3f %.3f\n", rate, 1e3 * cpu_per_step);
        return 0;
    }
    cpu_set_t set;
    int vcpus = sched_getaffinity(0, sizeof set, &set) == 0 ? CPU_COUNT(&set) : 1;
    double workers = vcpus > 1 ? run_workers(sp, vcpus, seconds) * img : 0;
    double active = run_caller("active", argv, sec), passive = run_caller("passive", argv, sec);
    double caller = active > passive ? active : passive;
    double best = caller > workers ? caller : workers;
    printf("%s %s %.1f %.1f %.1f\n", sp->name, argv[2], caller, workers, best);
    return 0;
}

/* sgd.c - stochastic gradient descent with momentum, as torch.optim.SGD computes it (maximize off;
 * the single-tensor CPU path).
 *
 * Maths, for step t = 1, 2, ... with gradient g, parameter p and momentum buffer b:
 *     g <- g + weight_decay * p                       (when weight_decay != 0)
 *     when momentum != 0:
 *         b <- g                                       at t = 1 (torch clones the first gradient)
 *         b <- momentum * b + (1 - dampening) * g      after
 *         g <- g + momentum * b  (nesterov)   or   g <- b
 *     p <- p - lr * g
 *
 * Rounding: float32, one rounding per operation in torch's order. torch's vectorised kernels fuse
 * the multiply-adds of add_ with alpha where the CPU has FMA; this file rounds each operation
 * instead (a libm fmaf call per element costs more than the rest of the update on CPUs built
 * without FMA), so it agrees with torch to an ulp or so per step. The loops have no branch on the
 * options (they are chosen once per pass) and restrict pointers, so they can vectorise.
 * The weight decay term is added even when weight_decay is 0 (it then adds 0 * p).
 * State: 1 float per element (b) when momentum != 0, else none.
 * It does not implement maximize (not a parameter here).
 */
#include <ganlab/plugin.h>

#include <math.h>
#include <stdlib.h>

typedef struct sgd {
    float lr, momentum, dampening, weight_decay;
    int nesterov;
} sgd;

static const gl_param_spec params[] = {
    {"lr", GL_PARAM_FLOAT, "0.001", 0, 0.0, HUGE_VAL, NULL, "learning rate"},
    {"momentum", GL_PARAM_FLOAT, "0", 0, 0.0, HUGE_VAL, NULL, "momentum factor (0: none)"},
    {"dampening", GL_PARAM_FLOAT, "0", 0, 0.0, 1.0, NULL, "dampening of the momentum"},
    {"nesterov", GL_PARAM_BOOL, "false", 0, GL_NO_RANGE, NULL,
     "Nesterov momentum (needs momentum > 0 and dampening 0)"},
    {"weight_decay", GL_PARAM_FLOAT, "0", 0, 0.0, HUGE_VAL, NULL,
     "L2 penalty added to the gradient"},
    {0},
};

static int sgd_create(const gl_params *p, int *state_per_param, void **self, gl_error *err)
{
    sgd o = {
        .lr = (float)gl_params_float(p, "lr"),
        .momentum = (float)gl_params_float(p, "momentum"),
        .dampening = (float)gl_params_float(p, "dampening"),
        .weight_decay = (float)gl_params_float(p, "weight_decay"),
        .nesterov = gl_params_bool(p, "nesterov"),
    };
    if (o.nesterov && (o.momentum <= 0.0f || o.dampening != 0.0f))
        return gl_error_add(err, GL_ERR_INPUT,
                            "plugin 'sgd': nesterov needs momentum > 0 and dampening 0");
    sgd *s = malloc(sizeof *s); /* freed by sgd_destroy */
    if (!s)
        return gl_error_add(err, GL_ERR_RUN, "plugin 'sgd': out of memory");
    *s = o;
    *self = s;
    *state_per_param = o.momentum != 0.0f ? 1 : 0;
    return GL_OK;
}

/* p <- p - lr (g + wd p), for momentum 0. */
static void sgd_pass(float *restrict param, const float *restrict grad, size_t n, float neg_lr,
                     float wd)
{
    for (size_t i = 0; i < n; i++)
        param[i] += neg_lr * (grad[i] + wd * param[i]);
}

/* The momentum update; `first` (step 1: b takes the gradient as is) and `nesterov` are the same for
 * the whole pass, so each selection is a blend, not a branch. w = 1 - dampening. */
static void sgd_momentum_pass(float *restrict param, const float *restrict grad, float *restrict b,
                              size_t n, float neg_lr, float wd, float momentum, float w, int first,
                              int nesterov)
{
    for (size_t i = 0; i < n; i++) {
        float g = grad[i] + wd * param[i];
        float bi = first ? g : b[i] * momentum + w * g;
        b[i] = bi;
        param[i] += neg_lr * (nesterov ? g + momentum * bi : bi);
    }
}

static void sgd_step(void *self, float *param, const float *grad, float *state, size_t n,
                     uint64_t step)
{
    const sgd *o = self;
    if (o->momentum == 0.0f)
        sgd_pass(param, grad, n, -o->lr, o->weight_decay);
    else /* state: b (n) */
        sgd_momentum_pass(param, grad, state, n, -o->lr, o->weight_decay, o->momentum,
                          1.0f - o->dampening, step == 1, o->nesterov);
}

static void sgd_destroy(void *self) { free(self); }

static const gl_optimizer_plugin sgd_plugin = {
    .hdr = {GL_ABI_VERSION, GL_KIND_OPTIMIZER, sizeof(gl_optimizer_plugin), "sgd",
            "SGD with momentum, dampening and Nesterov, as torch.optim.SGD (float32)", params},
    .create = sgd_create,
    .step = sgd_step,
    .destroy = sgd_destroy,
};

GL_PLUGIN_EXPORT const gl_plugin_header *gl_plugin_entry(void) { return &sgd_plugin.hdr; }

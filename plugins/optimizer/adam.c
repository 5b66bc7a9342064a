/* adam.c - the Adam optimizer, as torch.optim.Adam computes it (amsgrad, maximize and decoupled
 * weight decay off; the single-tensor CPU path torch takes by default for CPU tensors).
 *
 * Maths, for step t = 1, 2, ... with gradient g, parameter p, state m, v (both start at 0):
 *     g  <- g + weight_decay * p                 (when weight_decay != 0)
 *     m  <- lerp(m, g, 1 - beta1)                 = beta1 m + (1 - beta1) g
 *     v  <- beta2 v + (1 - beta2) g^2
 *     p  <- p - lr / (1 - beta1^t) * m / (sqrt(v) / sqrt(1 - beta2^t) + eps)
 *
 * Rounding, to match torch in float32: the bias corrections and the step size are computed in
 * double (torch does them in Python floats) and rounded to float once; every per-element operation
 * is float32 in torch's order. torch's vectorised kernels fuse some multiply-adds (lerp_, add_ with
 * alpha) where the CPU has FMA; this file rounds each operation instead, so that the loop
 * vectorises on every x86-64 CPU, and agrees with torch to an ulp or so per step
 * (tests/unit/test_fixtures.c checks two steps against torch).
 *
 * The update itself is libganlab's gl_adam_update (nn.h), which the classifier evaluator's own
 * training uses too.
 * State: 2 floats per element, planar: m = state[0, n), v = state[n, 2n).
 * It does not implement amsgrad or maximize (not parameters here).
 */
#include <ganlab/nn.h>
#include <ganlab/plugin.h>

#include <math.h>
#include <stdlib.h>

typedef struct adam {
    double lr, beta1, beta2;
    float eps, weight_decay;
} adam;

static const gl_param_spec params[] = {
    {"lr", GL_PARAM_FLOAT, "0.001", 0, 0.0, HUGE_VAL, NULL, "learning rate"},
    {"beta1", GL_PARAM_FLOAT, "0.9", 0, 0.0, 1.0, NULL,
     "decay of the first-moment average (must be < 1)"},
    {"beta2", GL_PARAM_FLOAT, "0.999", 0, 0.0, 1.0, NULL,
     "decay of the second-moment average (must be < 1)"},
    {"eps", GL_PARAM_FLOAT, "1e-08", 0, 0.0, HUGE_VAL, NULL, "added to the denominator"},
    {"weight_decay", GL_PARAM_FLOAT, "0", 0, 0.0, HUGE_VAL, NULL,
     "L2 penalty added to the gradient"},
    {0},
};

static int adam_create(const gl_params *p, int *state_per_param, void **self, gl_error *err)
{
    adam a = {
        .lr = gl_params_float(p, "lr"),
        .beta1 = gl_params_float(p, "beta1"),
        .beta2 = gl_params_float(p, "beta2"),
        .eps = (float)gl_params_float(p, "eps"),
        .weight_decay = (float)gl_params_float(p, "weight_decay"),
    };
    if (a.beta1 >= 1.0 || a.beta2 >= 1.0)
        return gl_error_add(err, GL_ERR_INPUT,
                            "plugin 'adam': beta1 and beta2 must be below 1 (got %g and %g)",
                            a.beta1, a.beta2);
    adam *s = malloc(sizeof *s); /* freed by adam_destroy */
    if (!s)
        return gl_error_add(err, GL_ERR_RUN, "plugin 'adam': out of memory");
    *s = a;
    *self = s;
    *state_per_param = 2;
    return GL_OK;
}

static void adam_step(void *self, float *param, const float *grad, float *state, size_t n,
                      uint64_t step)
{
    const adam *a = self;
    gl_adam_update(param, grad, state, n, step, a->lr, a->beta1, a->beta2, a->eps, a->weight_decay);
}

static void adam_step_scaled(void *self, float *param, const float *grad, float *state, size_t n,
                             uint64_t step, float lr_scale)
{
    const adam *a = self;
    gl_adam_update_scaled(param, grad, state, n, step, a->lr, a->beta1, a->beta2, a->eps,
                          a->weight_decay, lr_scale);
}

static void adam_destroy(void *self) { free(self); }

static const gl_optimizer_plugin adam_plugin = {
    .hdr = {GL_ABI_VERSION, GL_KIND_OPTIMIZER, sizeof(gl_optimizer_plugin), "adam",
            "Adam with bias correction, as torch.optim.Adam (float32)", params},
    .create = adam_create,
    .step = adam_step,
    .destroy = adam_destroy,
    .step_scaled = adam_step_scaled,
};

GL_PLUGIN_EXPORT const gl_plugin_header *gl_plugin_entry(void) { return &adam_plugin.hdr; }

/* rmsprop.c - RMSprop, as torch.optim.RMSprop computes it (maximize off; the single-tensor CPU
 * path).
 *
 * Maths, for each step with gradient g, parameter p and state s (square average), a (gradient
 * average, centered only), b (momentum buffer, momentum > 0 only), all starting at 0:
 *     g <- g + weight_decay * p                        (when weight_decay != 0)
 *     s <- alpha s + (1 - alpha) g^2
 *     centered: a <- lerp(a, g, 1 - alpha);  d = sqrt(s - a^2) + eps
 *     else:                                   d = sqrt(s) + eps
 *     momentum > 0: b <- momentum b + g / d;  p <- p - lr b
 *     else:                                   p <- p - lr g / d
 *
 * Rounding: float32, one rounding per operation in torch's order; the lerp's weight (1 - alpha) is
 * computed in double and rounded once. torch's vectorised kernels fuse the multiply-adds of lerp_
 * and add_ with alpha where the CPU has FMA; this file rounds each operation instead (a libm fmaf
 * call per element costs more than the rest of the update on CPUs built without FMA), so it agrees
 * with torch to an ulp or so per step. Each combination of centered and momentum is its own loop
 * (see rmsprop_pass), with restrict pointers and no branch, so that it can vectorise. The weight
 * decay term is added even when weight_decay is 0 (it then adds 0 * p).
 * State: planar, s = state[0, n), then a (centered), then b (momentum > 0): 1 to 3 floats per
 * element. It does not implement maximize (not a parameter here).
 */
#include <ganlab/plugin.h>

#include <math.h>
#include <stdlib.h>

typedef struct rmsprop {
    float lr, alpha, eps, weight_decay, momentum;
    double alpha_d;
    int centered;
} rmsprop;

static const gl_param_spec params[] = {
    {"lr", GL_PARAM_FLOAT, "0.01", 0, 0.0, HUGE_VAL, NULL, "learning rate"},
    {"alpha", GL_PARAM_FLOAT, "0.99", 0, 0.0, 1.0, NULL,
     "smoothing constant of the square average"},
    {"eps", GL_PARAM_FLOAT, "1e-08", 0, 0.0, HUGE_VAL, NULL, "added to the denominator"},
    {"weight_decay", GL_PARAM_FLOAT, "0", 0, 0.0, HUGE_VAL, NULL,
     "L2 penalty added to the gradient"},
    {"momentum", GL_PARAM_FLOAT, "0", 0, 0.0, HUGE_VAL, NULL, "momentum factor (0: none)"},
    {"centered", GL_PARAM_BOOL, "false", 0, GL_NO_RANGE, NULL,
     "normalise by the estimated variance of the gradient"},
    {0},
};

static int rmsprop_create(const gl_params *p, int *state_per_param, void **self, gl_error *err)
{
    rmsprop o = {
        .lr = (float)gl_params_float(p, "lr"),
        .alpha_d = gl_params_float(p, "alpha"),
        .eps = (float)gl_params_float(p, "eps"),
        .weight_decay = (float)gl_params_float(p, "weight_decay"),
        .momentum = (float)gl_params_float(p, "momentum"),
        .centered = gl_params_bool(p, "centered"),
    };
    o.alpha = (float)o.alpha_d;
    rmsprop *s = malloc(sizeof *s); /* freed by rmsprop_destroy */
    if (!s)
        return gl_error_add(err, GL_ERR_RUN, "plugin 'rmsprop': out of memory");
    *s = o;
    *self = s;
    *state_per_param = 1 + (o.centered != 0) + (o.momentum > 0.0f);
    return GL_OK;
}

/* The constants of one step. */
typedef struct pass_consts {
    float alpha, w, neg_lr, wd, eps, momentum;
    /* torch's lerp(a, g, w) is a + w (g - a) for w < 0.5 and g - (1 - w)(g - a) otherwise: `low`
     * picks the form for the pass, lerp_w is w or w - 1 to match */
    int low;
    float lerp_w;
} pass_consts;

/* One pass over n parameters: sq (n) always, avg (n) when centered, buf (n) when momentum.
 * rmsprop_step calls it with constant centered and momentum, so after inlining each combination is
 * a loop of its own and neither test is left in it. */
static inline void rmsprop_pass(float *restrict param, const float *restrict grad,
                                float *restrict sq, float *restrict avg, float *restrict buf,
                                size_t n, pass_consts k, int centered, int momentum)
{
    for (size_t i = 0; i < n; i++) {
        float g = grad[i] + k.wd * param[i];
        float s = sq[i] * k.alpha + k.w * g * g;
        sq[i] = s;
        float d;
        if (centered) {
            float a = avg[i], diff = g - a;
            a = k.low ? a + k.lerp_w * diff : g + k.lerp_w * diff;
            avg[i] = a;
            d = sqrtf(s - a * a) + k.eps;
        } else {
            d = sqrtf(s) + k.eps;
        }
        if (momentum) {
            float b = buf[i] * k.momentum + g / d;
            buf[i] = b;
            param[i] += k.neg_lr * b;
        } else {
            param[i] += k.neg_lr * g / d;
        }
    }
}

static void rmsprop_step(void *self, float *param, const float *grad, float *state, size_t n,
                         uint64_t step)
{
    const rmsprop *o = self;
    float w = (float)(1.0 - o->alpha_d);
    int low = fabsf(w) < 0.5f;
    pass_consts k = {o->alpha, w,           -o->lr, o->weight_decay,
                     o->eps,   o->momentum, low,    low ? w : w - 1.0f};
    /* state, planar: sq, then avg when centered, then buf when momentum > 0 */
    if (o->centered && o->momentum > 0.0f)
        rmsprop_pass(param, grad, state, state + n, state + 2 * n, n, k, 1, 1);
    else if (o->centered)
        rmsprop_pass(param, grad, state, state + n, NULL, n, k, 1, 0);
    else if (o->momentum > 0.0f)
        rmsprop_pass(param, grad, state, NULL, state + n, n, k, 0, 1);
    else
        rmsprop_pass(param, grad, state, NULL, NULL, n, k, 0, 0);
}

static void rmsprop_destroy(void *self) { free(self); }

static const gl_optimizer_plugin rmsprop_plugin = {
    .hdr = {GL_ABI_VERSION, GL_KIND_OPTIMIZER, sizeof(gl_optimizer_plugin), "rmsprop",
            "RMSprop, optionally centered and with momentum, as torch.optim.RMSprop (float32)",
            params},
    .create = rmsprop_create,
    .step = rmsprop_step,
    .destroy = rmsprop_destroy,
};

GL_PLUGIN_EXPORT const gl_plugin_header *gl_plugin_entry(void) { return &rmsprop_plugin.hdr; }

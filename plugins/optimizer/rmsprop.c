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
 * Rounding as torch's float32 kernels: lerp_ and add_ with alpha are fused multiply-adds in its
 * vectorised CPU path (fmaf here); mul_, addcmul_ and addcdiv_ round each operation.
 * State: planar, s = state[0, n), then a (centered), then b (momentum > 0): 1 to 3 floats per element.
 * It does not implement maximize (not a parameter here).
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
    {"alpha", GL_PARAM_FLOAT, "0.99", 0, 0.0, 1.0, NULL, "smoothing constant of the square average"},
    {"eps", GL_PARAM_FLOAT, "1e-08", 0, 0.0, HUGE_VAL, NULL, "added to the denominator"},
    {"weight_decay", GL_PARAM_FLOAT, "0", 0, 0.0, HUGE_VAL, NULL, "L2 penalty added to the gradient"},
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

/* torch's lerp for a float weight: the form it picks depends on whether the weight is below 0.5. */
static float lerp(float start, float end, float weight)
{
    return fabsf(weight) < 0.5f ? fmaf(weight, end - start, start)
                                : fmaf(weight - 1.0f, end - start, end);
}

static void rmsprop_step(void *self, float *param, const float *grad, float *state, size_t n,
                         uint64_t step)
{
    const rmsprop *o = self;
    float *sq = state;                              /* (n) */
    float *avg = o->centered ? state + n : NULL;    /* (n) when centered */
    float *buf = state + n * (1 + (o->centered != 0)); /* (n) when momentum > 0 */
    float w = (float)(1.0 - o->alpha_d);
    for (size_t i = 0; i < n; i++) {
        float g = grad[i];
        if (o->weight_decay != 0.0f)
            g = fmaf(param[i], o->weight_decay, g);
        float s = sq[i] * o->alpha;
        sq[i] = s + w * g * g;
        float d;
        if (avg) {
            avg[i] = lerp(avg[i], g, w);
            d = sqrtf(sq[i] + -1.0f * avg[i] * avg[i]);
        } else {
            d = sqrtf(sq[i]);
        }
        d = d + o->eps;
        if (o->momentum > 0.0f) {
            float b = buf[i] * o->momentum;
            buf[i] = b + 1.0f * g / d;
            param[i] = fmaf(buf[i], -o->lr, param[i]);
        } else {
            param[i] = param[i] + -o->lr * g / d;
        }
    }
}

static void rmsprop_destroy(void *self)
{
    free(self);
}

static const gl_optimizer_plugin rmsprop_plugin = {
    .hdr = {GL_ABI_VERSION, GL_KIND_OPTIMIZER, sizeof(gl_optimizer_plugin), "rmsprop",
            "RMSprop, optionally centered and with momentum, as torch.optim.RMSprop (float32)",
            params},
    .create = rmsprop_create,
    .step = rmsprop_step,
    .destroy = rmsprop_destroy,
};

GL_PLUGIN_EXPORT const gl_plugin_header *gl_plugin_entry(void)
{
    return &rmsprop_plugin.hdr;
}

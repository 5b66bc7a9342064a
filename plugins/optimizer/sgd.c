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
 * Rounding as torch's float32 kernels: add_ with alpha is a fused multiply-add in its vectorised
 * CPU path, so fmaf is used for those; mul_ is a separate rounding.
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
    {"weight_decay", GL_PARAM_FLOAT, "0", 0, 0.0, HUGE_VAL, NULL, "L2 penalty added to the gradient"},
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

static void sgd_step(void *self, float *param, const float *grad, float *state, size_t n,
                     uint64_t step)
{
    const sgd *o = self;
    float *b = state; /* (n) when momentum != 0 */
    for (size_t i = 0; i < n; i++) {
        float g = grad[i];
        if (o->weight_decay != 0.0f)
            g = fmaf(param[i], o->weight_decay, g);
        if (o->momentum != 0.0f) {
            b[i] = step == 1 ? g : fmaf(g, 1.0f - o->dampening, b[i] * o->momentum);
            g = o->nesterov ? fmaf(b[i], o->momentum, g) : b[i];
        }
        param[i] = fmaf(g, -o->lr, param[i]);
    }
}

static void sgd_destroy(void *self)
{
    free(self);
}

static const gl_optimizer_plugin sgd_plugin = {
    .hdr = {GL_ABI_VERSION, GL_KIND_OPTIMIZER, sizeof(gl_optimizer_plugin), "sgd",
            "SGD with momentum, dampening and Nesterov, as torch.optim.SGD (float32)", params},
    .create = sgd_create,
    .step = sgd_step,
    .destroy = sgd_destroy,
};

GL_PLUGIN_EXPORT const gl_plugin_header *gl_plugin_entry(void)
{
    return &sgd_plugin.hdr;
}

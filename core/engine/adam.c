/* adam.c - the Adam update (Kingma & Ba 2015, torch.optim.Adam's arithmetic): gl_adam_update, the
 * `adam` plugin's kernel, and gl_net_adam_step for plugins that train a network of their own (nn.h,
 * "training helpers"). Single precision only: not in the engine's double-precision test build.
 *
 *   g = grad + weight_decay p,  m = beta1 m + (1 - beta1) g,  v = beta2 v + (1 - beta2) g^2,
 *   p -= lr / (1 - beta1^t) * m / (sqrt(v) / sqrt(1 - beta2^t) + eps)
 */
#include "engine.h"

#include <ganlab/nn.h>

#include <math.h>

/* torch's lerp(m, g, w) takes the form m + w (g - m) for w < 0.5 and g - (1 - w)(g - m) otherwise;
 * `low` picks it once for the pass, so the loop has no branch and vectorises (plain multiply-adds:
 * a libm fmaf call per element costs more than the rest of the update on CPUs without FMA). */
static void adam_pass(float *restrict param, const float *restrict grad, float *restrict m,
                      float *restrict v, size_t n, float neg_step_size, float bc2_sqrt, float w1,
                      int low, float beta2, float w2, float eps, float wd)
{
    float w = low ? w1 : w1 - 1.0f;
    GL__SPLIT(n, GL__SPLIT_CHEAP / 4)
    for (size_t i = 0; i < n; i++) {
        float g = grad[i] + wd * param[i];
        float mi = m[i], d = g - mi;
        mi = low ? mi + w * d : g + w * d;
        float vi = v[i] * beta2 + w2 * g * g;
        m[i] = mi;
        v[i] = vi;
        param[i] += neg_step_size * mi / (sqrtf(vi) / bc2_sqrt + eps);
    }
}

void gl_adam_update(float *param, const float *grad, float *state, size_t n, uint64_t step,
                    double lr, double beta1, double beta2, double eps, double weight_decay)
{
    /* Bias corrections and the step size in double (torch computes them as Python floats), then
     * every per-element operation in float32. */
    double t = (double)step;
    float w1 = (float)(1.0 - beta1);
    adam_pass(param, grad, state, state + n, n, (float)-(lr / (1.0 - pow(beta1, t))),
              (float)sqrt(1.0 - pow(beta2, t)), w1, fabsf(w1) < 0.5f, (float)beta2,
              (float)(1.0 - beta2), (float)eps, (float)weight_decay);
}

void gl_net_adam_step(gl_net *net, float *state, uint64_t t, double lr, double beta1, double beta2,
                      double eps)
{
    gl_adam_update(gl_net_values(net), gl_net_grads(net), state, gl_net_numel(net), t, lr, beta1,
                   beta2, eps, 0.0);
}

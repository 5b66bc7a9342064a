/* adam.c - the Adam update (Kingma & Ba 2015, torch.optim.Adam's arithmetic): gl_adam_update and
 * gl_adam_update_scaled, the `adam` plugin's kernels, and gl_net_adam_step for plugins that train a
 * network of their own (nn.h, "training helpers"). Single precision only: not in the engine's
 * double-precision test build.
 *
 *   g = grad + weight_decay p,  m = beta1 m + (1 - beta1) g,  v = beta2 v + (1 - beta2) g^2,
 *   p -= lr / (1 - beta1^t) * m / (sqrt(v) / sqrt(1 - beta2^t) + eps)
 */
#include "engine.h"

#include <ganlab/nn.h>

#include <math.h>

/* torch's lerp(m, g, w) takes the form m + w (g - m) for w < 0.5 and g - (1 - w)(g - m) otherwise;
 * `low` picks it once for the pass (the loop is compiled once for each, so it has no branch and
 * vectorises; plain multiply-adds: a libm fmaf call per element costs more than the rest of the
 * update on CPUs without FMA). The loop is its own function so that its pointers keep `restrict`
 * (an OpenMP region's body reads them from a shared struct: the update had run one float at a time,
 * a quarter of an MLP step); vector division and square root round as the scalar ones do, so the
 * bytes are those of the scalar loop. */
/* The constants of one pass. scaled: the update times lr_scale, blended as the core's fallback
 * blends it (plugin.h, step_scaled), so either way gives the same bytes. */
typedef struct adam_k {
    float neg_step_size, bc2_sqrt, w, beta2, w2, eps, wd, lr_scale;
    int low, scaled;
} adam_k;

static inline __attribute__((always_inline)) void adam_loop(float *restrict param,
                                                            const float *restrict grad,
                                                            float *restrict m, float *restrict v,
                                                            size_t n, const adam_k *k,
                                                            const int low, const int scaled)
{
    const float neg_step_size = k->neg_step_size, bc2_sqrt = k->bc2_sqrt, w = k->w,
                beta2 = k->beta2, w2 = k->w2, eps = k->eps, wd = k->wd, f = k->lr_scale;
    for (size_t i = 0; i < n; i++) {
        float p = param[i], g = grad[i] + wd * p;
        float mi = m[i], d = g - mi;
        mi = low ? mi + w * d : g + w * d;
        float vi = v[i] * beta2 + w2 * g * g;
        m[i] = mi;
        v[i] = vi;
        float p1 = p + neg_step_size * mi / (sqrtf(vi) / bc2_sqrt + eps);
        param[i] = scaled ? p + f * (p1 - p) : p1;
    }
}

static __attribute__((noinline)) void adam_range(float *restrict param, const float *restrict grad,
                                                 float *restrict m, float *restrict v, size_t n,
                                                 const adam_k *k)
{
    if (k->scaled)
        k->low ? adam_loop(param, grad, m, v, n, k, 1, 1)
               : adam_loop(param, grad, m, v, n, k, 0, 1);
    else
        k->low ? adam_loop(param, grad, m, v, n, k, 1, 0)
               : adam_loop(param, grad, m, v, n, k, 0, 0);
}

/* Elements per piece of the split: a piece's four arrays stay within the L1 and L2 caches. */
#define ADAM_PIECE 4096

static void adam_pass(float *param, const float *grad, float *m, float *v, size_t n,
                      const adam_k *k)
{
    size_t pieces = (n + ADAM_PIECE - 1) / ADAM_PIECE;
    GL__SPLIT(n, GL__SPLIT_CHEAP / 4)
    for (size_t p = 0; p < pieces; p++) {
        size_t at = p * ADAM_PIECE, len = n - at < ADAM_PIECE ? n - at : ADAM_PIECE;
        adam_range(param + at, grad + at, m + at, v + at, len, k);
    }
}

void gl_adam_update_scaled(float *param, const float *grad, float *state, size_t n, uint64_t step,
                           double lr, double beta1, double beta2, double eps, double weight_decay,
                           float lr_scale)
{
    /* Bias corrections and the step size in double (torch computes them as Python floats), then
     * every per-element operation in float32. */
    double t = (double)step;
    float w1 = (float)(1.0 - beta1);
    int low = fabsf(w1) < 0.5f;
    adam_k k = {.neg_step_size = (float)-(lr / (1.0 - pow(beta1, t))),
                .bc2_sqrt = (float)sqrt(1.0 - pow(beta2, t)),
                .w = low ? w1 : w1 - 1.0f,
                .beta2 = (float)beta2,
                .w2 = (float)(1.0 - beta2),
                .eps = (float)eps,
                .wd = (float)weight_decay,
                .lr_scale = lr_scale,
                .low = low,
                .scaled = lr_scale != 1.0f};
    adam_pass(param, grad, state, state + n, n, &k);
}

void gl_adam_update(float *param, const float *grad, float *state, size_t n, uint64_t step,
                    double lr, double beta1, double beta2, double eps, double weight_decay)
{
    gl_adam_update_scaled(param, grad, state, n, step, lr, beta1, beta2, eps, weight_decay, 1.0f);
}

void gl_net_adam_step(gl_net *net, float *state, uint64_t t, double lr, double beta1, double beta2,
                      double eps)
{
    gl_adam_update(gl_net_values(net), gl_net_grads(net), state, gl_net_numel(net), t, lr, beta1,
                   beta2, eps, 0.0);
}

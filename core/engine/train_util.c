/* train_util.c - helpers for plugins that train a network of their own (nn.h, "training helpers"):
 * softmax cross-entropy, and Adam (gl_adam_update, also the `adam` plugin's kernel). Listed in
 * core/eval/local.mk (the classifier evaluator is their user), not in the engine's double-precision
 * test build.
 *
 * Cross-entropy is built from recorded ops rather than as an op of its own: with the constant
 * g = (softmax(x) - onehot(y)) / B, sum(x * g) has exactly the gradient of the loss, and adding the
 * constant (loss - sum(x * g)) makes its value the loss, so no gradient rule has to be added to
 * the engine's op table. Softmax and the loss are computed in double, max-subtracted.
 */
#include "engine.h"

#include <ganlab/nn.h>

#include <math.h>
#include <stdlib.h>

gl_tensor *gl_cross_entropy(gl_ctx *ctx, gl_tensor *logits, const int32_t *labels)
{
    logits = gl_flatten(ctx, logits); /* (B, K) */
    if (!logits)
        return NULL;
    int b = gl_tensor_dim(logits, 0), k = gl_tensor_dim(logits, 1);
    gl_tensor *g = gl_tensor_new(ctx, 2, (const int[]){b, k});
    if (!g)
        return NULL;
    const gl_real *x = gl_tensor_data(logits);
    gl_real *gd = gl_tensor_data(g);
    double loss = 0, dot = 0;
    for (int i = 0; i < b; i++) {
        if (labels[i] < 0 || labels[i] >= k)
            return gl_one_hot(ctx, labels + i, 1, k); /* NULL with the engine's bad-label error */
        const gl_real *row = x + (size_t)i * k;
        double mx = row[0], z = 0;
        for (int j = 1; j < k; j++)
            mx = row[j] > mx ? row[j] : mx;
        for (int j = 0; j < k; j++)
            z += exp(row[j] - mx);
        loss += log(z) + mx - row[labels[i]];
        for (int j = 0; j < k; j++) {
            double gj = (exp(row[j] - mx) / z - (j == labels[i])) / b;
            gd[(size_t)i * k + j] = (gl_real)gj;
            dot += row[j] * (double)(gl_real)gj;
        }
    }
    loss /= b;
    gl_tensor *s = gl_sum(ctx, gl_mul(ctx, logits, g));
    return gl_add_scalar(ctx, s, (gl_real)(loss - dot));
}

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

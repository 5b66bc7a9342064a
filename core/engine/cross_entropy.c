/* cross_entropy.c - softmax cross-entropy for plugins that train a classifier (nn.h, "training
 * helpers"). Single precision only: not in the engine's double-precision test build.
 *
 * Cross-entropy is built from recorded ops rather than as an op of its own: with the constant
 * g = (softmax(x) - onehot(y)) / B, sum(x * g) has exactly the gradient of the loss, and adding the
 * constant (loss - sum(x * g)) makes its value the loss, so no gradient rule has to be added to
 * the engine's op table. Softmax and the loss are computed in double, max-subtracted.
 */
#include <ganlab/nn.h>

#include <math.h>

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

/* op_loss.c - binary cross-entropy on logits, mean over all elements (torch BCEWithLogitsLoss).
 *
 * l = mean_i softplus(x_i) - t_i x_i, computed as max(x, 0) - t x + log1p(exp(-|x|)) so that no
 * exp overflows. Gradients: dx = g (sigmoid(x) - t) / N, dt = -g x / N (t a tensor that may
 * require a gradient; a constant target is stored as a scalar). Sums in double, in order.
 */
#include "engine.h"

#include <tgmath.h>

static gl_tensor *bce(gl_ctx *ctx, gl_tensor *x, gl_tensor *t, gl_real c)
{
    if (!x)
        return NULL;
    if (t && !gl__same_shape(x, t)) {
        char sx[64], st[64];
        return gl__fail(ctx, "bce_with_logits", "logits %s and targets %s differ",
                        gl__shape_str(x, sx, sizeof sx), gl__shape_str(t, st, sizeof st));
    }
    int one = 1;
    gl_tensor *y = gl__tensor(ctx, 1, &one, 0);
    if (!y)
        return NULL;
    double acc = 0;
    for (size_t i = 0; i < x->n; i++) {
        gl_real v = x->data[i], ti = t ? t->data[i] : c;
        acc += (v > 0 ? v : 0) - ti * v + log1p(exp(-fabs(v)));
    }
    y->data[0] = (gl_real)(acc / (double)x->n);
    gl_tensor *in[2] = {x, t};
    gl_node *node = gl__record(ctx, GL__OP_BCE_LOGITS, y, 2, in);
    if (node)
        node->f[0] = c;
    return y;
}

gl_tensor *gl_bce_with_logits(gl_ctx *ctx, gl_tensor *x, gl_tensor *t)
{
    return t ? bce(ctx, x, t, 0) : NULL;
}

gl_tensor *gl_bce_with_logits_const(gl_ctx *ctx, gl_tensor *x, gl_real c)
{
    return bce(ctx, x, NULL, c);
}

void gl__bce_logits_fast(gl_ctx *ctx, gl_node *n, const gl_real *g, gl_real *const *gin)
{
    const gl_tensor *x = n->in[0], *t = n->in[1];
    gl_real s = g[0] / (gl_real)x->n;
    if (gin[0])
        for (size_t i = 0; i < x->n; i++)
            gin[0][i] += s * (GL__SIGMOID(x->data[i]) - (t ? t->data[i] : n->f[0]));
    if (gin[1])
        for (size_t i = 0; i < x->n; i++)
            gin[1][i] -= s * x->data[i];
}

int gl__bce_logits_graph(gl_ctx *ctx, gl_node *n, gl_tensor *g, const unsigned char *want,
                         gl_tensor **gin)
{
    gl_tensor *x = n->in[0], *t = n->in[1];
    gl_tensor *e = gl__expand(ctx, g, x, GL__ALL, (gl_real)(1.0 / (double)x->n));
    if (want[0]) {
        gl_tensor *s = gl_sigmoid(ctx, x);
        gin[0] = gl_mul(ctx, e, t ? gl_sub(ctx, s, t) : gl_add_scalar(ctx, s, -n->f[0]));
    }
    if (want[1])
        gin[1] = gl_scale(ctx, gl_mul(ctx, e, x), -1);
    return GL_OK;
}

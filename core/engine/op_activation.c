/* op_activation.c - pointwise nonlinearities: leaky ReLU (ReLU is slope 0), tanh, sigmoid,
 * softplus, log-sigmoid, dropout, and the leaky mask their rules use.
 *
 * Rules:  leaky_relu: g (x > 0 ? 1 : slope), built as leaky_mask(g, y), an op linear in g whose own
 * derivative is the same mask (the mask is constant almost everywhere, so higher derivatives are
 * 0); tanh: g (1 - y^2);  sigmoid: g y (1 - y);  softplus: g sigmoid(x);  log_sigmoid: g
 * sigmoid(-x). Second-order rules are these formulas written with recorded ops (y is the recorded
 * output). Dropout is a product with a constant mask, so it needs no rule of its own.
 */
#include "engine.h"

#include <tgmath.h>

void gl__act_apply(gl_real *y, const gl_real *x, size_t n, gl_act act, gl_real slope)
{
    switch (act) {
    case GL_ACT_NONE:
        if (y != x)
            for (size_t i = 0; i < n; i++)
                y[i] = x[i];
        break;
    case GL_ACT_RELU:
    case GL_ACT_LEAKY_RELU: {
        /* For 0 <= s <= 1, v > 0 ? v : s v equals max(v, s v) (and max(v, 0) for ReLU, which
         * avoids -0): a maxss, where a branch would mispredict on random signs. */
        gl_real s = act == GL_ACT_RELU ? 0 : slope;
        if (s > 0) {
            GL__SPLIT(n, GL__SPLIT_CHEAP)
            for (size_t i = 0; i < n; i++) {
                gl_real v = x[i], w = s * v;
                y[i] = v > w ? v : w;
            }
        } else {
            GL__SPLIT(n, GL__SPLIT_CHEAP)
            for (size_t i = 0; i < n; i++)
                y[i] = x[i] > 0 ? x[i] : 0;
        }
        break;
    }
    case GL_ACT_TANH:
        GL__SPLIT(n, GL__SPLIT_LIBM)
        for (size_t i = 0; i < n; i++)
            y[i] = tanh(x[i]);
        break;
    case GL_ACT_SIGMOID:
        GL__SPLIT(n, GL__SPLIT_LIBM)
        for (size_t i = 0; i < n; i++)
            y[i] = GL__SIGMOID(x[i]);
        break;
    }
}

static gl_tensor *pointwise(gl_ctx *ctx, int op, gl_tensor *x, gl_real slope)
{
    if (!x)
        return NULL;
    gl_tensor *y = gl__tensor_like(ctx, x, 0);
    if (!y)
        return NULL;
    const gl_real *px = x->data;
    gl_real *py = y->data;
    size_t n = x->n;
    switch (op) {
    case GL__OP_LEAKY_RELU:
        gl__act_apply(py, px, n, GL_ACT_LEAKY_RELU, slope);
        break;
    case GL__OP_TANH:
        gl__act_apply(py, px, n, GL_ACT_TANH, 0);
        break;
    case GL__OP_SIGMOID:
        gl__act_apply(py, px, n, GL_ACT_SIGMOID, 0);
        break;
    case GL__OP_SOFTPLUS:
        for (size_t i = 0; i < n; i++)
            py[i] = (px[i] > 0 ? px[i] : 0) + log1p(exp(-fabs(px[i])));
        break;
    default: /* log-sigmoid */
        for (size_t i = 0; i < n; i++)
            py[i] = (px[i] < 0 ? px[i] : 0) - log1p(exp(-fabs(px[i])));
        break;
    }
    gl_node *node = gl__record(ctx, op, y, 1, &x);
    if (node)
        node->f[0] = slope;
    return y;
}

gl_tensor *gl_relu(gl_ctx *ctx, gl_tensor *x) { return pointwise(ctx, GL__OP_LEAKY_RELU, x, 0); }
gl_tensor *gl_tanh(gl_ctx *ctx, gl_tensor *x) { return pointwise(ctx, GL__OP_TANH, x, 0); }
gl_tensor *gl_sigmoid(gl_ctx *ctx, gl_tensor *x) { return pointwise(ctx, GL__OP_SIGMOID, x, 0); }
gl_tensor *gl_softplus(gl_ctx *ctx, gl_tensor *x) { return pointwise(ctx, GL__OP_SOFTPLUS, x, 0); }
gl_tensor *gl_log_sigmoid(gl_ctx *ctx, gl_tensor *x)
{
    return pointwise(ctx, GL__OP_LOG_SIGMOID, x, 0);
}

gl_tensor *gl_leaky_relu(gl_ctx *ctx, gl_tensor *x, gl_real slope)
{
    if (x && !(slope >= 0))
        return gl__fail(ctx, "leaky_relu", "slope %g must be >= 0", (double)slope);
    return pointwise(ctx, GL__OP_LEAKY_RELU, x, slope);
}

gl_tensor *gl_activate(gl_ctx *ctx, gl_tensor *x, gl_act act, gl_real slope)
{
    switch (act) {
    case GL_ACT_NONE:
        return x;
    case GL_ACT_RELU:
        return gl_relu(ctx, x);
    case GL_ACT_LEAKY_RELU:
        return gl_leaky_relu(ctx, x, slope);
    case GL_ACT_TANH:
        return gl_tanh(ctx, x);
    case GL_ACT_SIGMOID:
        return gl_sigmoid(ctx, x);
    }
    return gl__fail(ctx, "activate", "unknown activation %d", (int)act);
}

gl_tensor *gl_dropout(gl_ctx *ctx, gl_tensor *x, gl_real p, gl_rng *rng, int train)
{
    if (!x)
        return NULL;
    if (!(p >= 0 && p < 1))
        return gl__fail(ctx, "dropout", "p = %g must be in [0, 1)", (double)p);
    if (!train || p == 0)
        return x;
    gl_tensor *mask = gl__tensor_like(ctx, x, 0);
    if (!mask)
        return NULL;
    gl_real keep = 1 / (1 - p);
    /* One block of the batch's randomness: a data-parallel rank draws its rows' (ganlab/rng.h). */
    gl_rng_batch_begin(rng, mask->n);
    for (size_t i = 0; i < mask->n; i++)
        mask->data[i] = gl_rng_uniform(rng) < p ? 0 : keep;
    gl_rng_batch_end(rng, mask->n);
    return gl_mul(ctx, x, mask);
}

gl_tensor *gl__leaky_mask(gl_ctx *ctx, gl_tensor *g, gl_tensor *ref, gl_real slope)
{
    if (!g || !ref)
        return NULL;
    gl_tensor *y = gl__tensor_like(ctx, g, 0);
    if (!y)
        return NULL;
    for (size_t i = 0; i < y->n; i++)
        y->data[i] = ref->data[i] > 0 ? g->data[i] : slope * g->data[i];
    gl_tensor *in[2] = {g, ref};
    gl_node *node = gl__record(ctx, GL__OP_LEAKY_MASK, y, 2, in);
    if (node)
        node->f[0] = slope;
    return y;
}

/* ---------------------------------------------------------------- gradient rules */

/* dst += g * act'(.) where the derivative is read from the activation's output y (for the leaky
 * ReLU, y > 0 exactly where x > 0 since slope >= 0). Shared with the fused gl_linear_act. */
void gl__act_grad_acc(gl_real *dst, const gl_real *g, const gl_real *y, gl_act act, gl_real slope,
                      size_t n)
{
    switch (act) {
    case GL_ACT_NONE:
        for (size_t i = 0; i < n; i++)
            dst[i] += g[i];
        break;
    case GL_ACT_RELU:
    case GL_ACT_LEAKY_RELU: {
        gl_real s = act == GL_ACT_RELU ? 0 : slope;
        GL__SPLIT(n, GL__SPLIT_CHEAP)
        for (size_t i = 0; i < n; i++) {
            gl_real k = y[i] > 0 ? 1 : s; /* a select, not a branch */
            dst[i] += k * g[i];
        }
        break;
    }
    case GL_ACT_TANH:
        for (size_t i = 0; i < n; i++)
            dst[i] += g[i] * (1 - y[i] * y[i]);
        break;
    case GL_ACT_SIGMOID:
        for (size_t i = 0; i < n; i++)
            dst[i] += g[i] * y[i] * (1 - y[i]);
        break;
    }
}

/* The same as recorded ops: g * act'(y), differentiable again through y. */
gl_tensor *gl__act_grad(gl_ctx *ctx, gl_tensor *g, gl_tensor *y, gl_act act, gl_real slope)
{
    switch (act) {
    case GL_ACT_NONE:
        return g;
    case GL_ACT_RELU:
    case GL_ACT_LEAKY_RELU:
        return gl__leaky_mask(ctx, g, y, act == GL_ACT_RELU ? 0 : slope);
    case GL_ACT_TANH:
        return gl_mul(ctx, g, gl_add_scalar(ctx, gl_scale(ctx, gl_square(ctx, y), -1), 1));
    case GL_ACT_SIGMOID:
        return gl_mul(ctx, g, gl_mul(ctx, y, gl_add_scalar(ctx, gl_scale(ctx, y, -1), 1)));
    }
    return gl__fail(ctx, "activate", "unknown activation %d", (int)act);
}

void gl__leaky_relu_fast(gl_ctx *ctx, gl_node *n, const gl_real *g, gl_real *const *gin)
{
    gl__act_grad_acc(gin[0], g, n->out->data, GL_ACT_LEAKY_RELU, n->f[0], n->out->n);
}

int gl__leaky_relu_graph(gl_ctx *ctx, gl_node *n, gl_tensor *g, const unsigned char *want,
                         gl_tensor **gin)
{
    gin[0] = gl__act_grad(ctx, g, n->out, GL_ACT_LEAKY_RELU, n->f[0]);
    return GL_OK;
}

void gl__leaky_mask_fast(gl_ctx *ctx, gl_node *n, const gl_real *g, gl_real *const *gin)
{
    if (gin[0])
        gl__act_grad_acc(gin[0], g, n->in[1]->data, GL_ACT_LEAKY_RELU, n->f[0], n->out->n);
}

int gl__leaky_mask_graph(gl_ctx *ctx, gl_node *n, gl_tensor *g, const unsigned char *want,
                         gl_tensor **gin)
{
    if (want[0])
        gin[0] = gl__leaky_mask(ctx, g, n->in[1], n->f[0]);
    return GL_OK;
}

void gl__tanh_fast(gl_ctx *ctx, gl_node *n, const gl_real *g, gl_real *const *gin)
{
    gl__act_grad_acc(gin[0], g, n->out->data, GL_ACT_TANH, 0, n->out->n);
}

int gl__tanh_graph(gl_ctx *ctx, gl_node *n, gl_tensor *g, const unsigned char *want,
                   gl_tensor **gin)
{
    gin[0] = gl__act_grad(ctx, g, n->out, GL_ACT_TANH, 0);
    return GL_OK;
}

void gl__sigmoid_fast(gl_ctx *ctx, gl_node *n, const gl_real *g, gl_real *const *gin)
{
    gl__act_grad_acc(gin[0], g, n->out->data, GL_ACT_SIGMOID, 0, n->out->n);
}

int gl__sigmoid_graph(gl_ctx *ctx, gl_node *n, gl_tensor *g, const unsigned char *want,
                      gl_tensor **gin)
{
    gin[0] = gl__act_grad(ctx, g, n->out, GL_ACT_SIGMOID, 0);
    return GL_OK;
}

void gl__softplus_fast(gl_ctx *ctx, gl_node *n, const gl_real *g, gl_real *const *gin)
{
    const gl_real *x = n->in[0]->data;
    for (size_t i = 0; i < n->out->n; i++)
        gin[0][i] += g[i] * GL__SIGMOID(x[i]);
}

int gl__softplus_graph(gl_ctx *ctx, gl_node *n, gl_tensor *g, const unsigned char *want,
                       gl_tensor **gin)
{
    gin[0] = gl_mul(ctx, g, gl_sigmoid(ctx, n->in[0]));
    return GL_OK;
}

void gl__log_sigmoid_fast(gl_ctx *ctx, gl_node *n, const gl_real *g, gl_real *const *gin)
{
    const gl_real *x = n->in[0]->data;
    for (size_t i = 0; i < n->out->n; i++)
        gin[0][i] += g[i] * GL__SIGMOID(-x[i]);
}

int gl__log_sigmoid_graph(gl_ctx *ctx, gl_node *n, gl_tensor *g, const unsigned char *want,
                          gl_tensor **gin)
{
    gin[0] = gl_mul(ctx, g, gl_sigmoid(ctx, gl_scale(ctx, n->in[0], -1)));
    return GL_OK;
}

/* op_reduce.c - sums, means and broadcasts: reduce (all / per row / per channel), its adjoint
 * expand, the per-row L2 norm and the broadcast bias add.
 *
 * Geometry: a tensor (B, C, S...) is read as B rows of C channels of S = prod(S...) values; a 2-D
 * (B, F) is (B, F, 1) and a 1-D (C) is (1, C, 1).
 * reduce(x, mode, f) = f * (sum over everything -> (1) | each row -> (B, 1) | each channel over
 * batch and space -> (C)); expand(v, like, mode, f) = f * v broadcast to like's shape. They are
 * each other's adjoint, so each one's gradient rule is the other, to any order. Sums accumulate in
 * double in a fixed order, so results do not depend on threads. l2norm: y_b = sqrt(sum_j x_bj^2);
 * dx = x * g / y, taken as 0 where y = 0 (as torch's norm).
 */
#include "engine.h"

#include <tgmath.h>

typedef struct geom {
    size_t b, c, s;
} geom;

static geom geom_of(const gl_tensor *x)
{
    geom g = {1, x->n, 1};
    if (x->ndim >= 2) {
        g.b = (size_t)x->shape[0];
        g.c = (size_t)x->shape[1];
        g.s = x->n / (g.b * g.c);
    }
    return g;
}

/* dst (shape of mode) += f * reduce(x) */
static void reduce_acc(const gl_real *x, geom gm, int mode, gl_real f, gl_real *dst)
{
    if (mode == GL__ALL) {
        double acc = 0;
        for (size_t i = 0; i < gm.b * gm.c * gm.s; i++)
            acc += x[i];
        dst[0] += f * (gl_real)acc;
    } else if (mode == GL__ROWS) {
        size_t row = gm.c * gm.s;
        for (size_t b = 0; b < gm.b; b++) {
            double acc = 0;
            for (size_t j = 0; j < row; j++)
                acc += x[b * row + j];
            dst[b] += f * (gl_real)acc;
        }
    } else if (gm.s == 1) {
        /* (B, C), a bias gradient: each channel's "sum" is one value, added into dst row by row
         * (the general loop's arithmetic, since float -> double -> float is exact), written so
         * that the channel loop vectorises. */
        for (size_t b = 0; b < gm.b; b++) {
            const gl_real *row = x + b * gm.c;
            for (size_t c = 0; c < gm.c; c++)
                dst[c] += f * row[c];
        }
    } else {
        /* batch outer, channels inner: contiguous, and the same order for any thread count */
        for (size_t b = 0; b < gm.b; b++)
            for (size_t c = 0; c < gm.c; c++) {
                const gl_real *p = x + (b * gm.c + c) * gm.s;
                double acc = 0;
                for (size_t s = 0; s < gm.s; s++)
                    acc += p[s];
                dst[c] += f * (gl_real)acc;
            }
    }
}

/* dst (gm) += f * broadcast(v) */
static void expand_acc(const gl_real *v, geom gm, int mode, gl_real f, gl_real *dst)
{
    for (size_t b = 0; b < gm.b; b++)
        for (size_t c = 0; c < gm.c; c++) {
            gl_real a = f * v[mode == GL__ALL ? 0 : mode == GL__ROWS ? b : c];
            gl_real *p = dst + (b * gm.c + c) * gm.s;
            for (size_t s = 0; s < gm.s; s++)
                p[s] += a;
        }
}

void gl__reduce_acc(const gl_real *x, const gl_tensor *like, int mode, gl_real f, gl_real *dst)
{
    reduce_acc(x, geom_of(like), mode, f, dst);
}

void gl__expand_acc(const gl_real *v, const gl_tensor *like, int mode, gl_real f, gl_real *dst)
{
    expand_acc(v, geom_of(like), mode, f, dst);
}

gl_tensor *gl__reduce(gl_ctx *ctx, gl_tensor *x, int mode, gl_real factor)
{
    if (!x)
        return NULL;
    geom gm = geom_of(x);
    int shape[2] = {1, 1};
    int ndim = 1;
    if (mode == GL__ROWS) {
        shape[0] = (int)gm.b;
        ndim = 2;
    } else if (mode == GL__CHANNELS) {
        shape[0] = (int)gm.c;
    }
    gl_tensor *y = gl__tensor(ctx, ndim, shape, 1);
    if (!y)
        return NULL;
    reduce_acc(x->data, gm, mode, factor, y->data);
    gl_node *node = gl__record(ctx, GL__OP_REDUCE, y, 1, &x);
    if (node) {
        node->i[0] = mode;
        node->f[0] = factor;
    }
    return y;
}

gl_tensor *gl__expand(gl_ctx *ctx, gl_tensor *v, const gl_tensor *like, int mode, gl_real factor)
{
    if (!v || !like)
        return NULL;
    gl_tensor *y = gl__tensor_like(ctx, like, 1);
    if (!y)
        return NULL;
    expand_acc(v->data, geom_of(like), mode, factor, y->data);
    gl_node *node = gl__record(ctx, GL__OP_EXPAND, y, 1, &v);
    if (node) {
        node->i[0] = mode;
        node->f[0] = factor;
    }
    return y;
}

gl_tensor *gl_sum(gl_ctx *ctx, gl_tensor *x) { return gl__reduce(ctx, x, GL__ALL, 1); }
gl_tensor *gl_channel_sum(gl_ctx *ctx, gl_tensor *x) { return gl__reduce(ctx, x, GL__CHANNELS, 1); }

gl_tensor *gl_mean(gl_ctx *ctx, gl_tensor *x)
{
    return x ? gl__reduce(ctx, x, GL__ALL, (gl_real)(1.0 / (double)x->n)) : NULL;
}

static gl_tensor *rowwise(gl_ctx *ctx, gl_tensor *x, const char *name, int mean)
{
    if (!x)
        return NULL;
    if (x->ndim < 2)
        return gl__fail(ctx, name, "needs a batch (B, ...), got %d-D", x->ndim);
    return gl__reduce(ctx, x, GL__ROWS, mean ? (gl_real)(1.0 / (double)gl__cols(x)) : 1);
}

gl_tensor *gl_row_sum(gl_ctx *ctx, gl_tensor *x) { return rowwise(ctx, x, "row_sum", 0); }
gl_tensor *gl_row_mean(gl_ctx *ctx, gl_tensor *x) { return rowwise(ctx, x, "row_mean", 1); }

gl_tensor *gl_expand(gl_ctx *ctx, gl_tensor *v, const gl_tensor *like)
{
    if (!v || !like)
        return NULL;
    if (v->n == 1)
        return gl__expand(ctx, v, like, GL__ALL, 1);
    if (v->ndim == 2 && v->shape[1] == 1 && like->ndim >= 2 && v->shape[0] == like->shape[0])
        return gl__expand(ctx, v, like, GL__ROWS, 1);
    if (v->ndim == 1 && like->ndim >= 2 && v->shape[0] == like->shape[1])
        return gl__expand(ctx, v, like, GL__CHANNELS, 1);
    char sv[64], sl[64];
    return gl__fail(ctx, "expand", "cannot broadcast %s to %s (need (1), (B, 1) or (C))",
                    gl__shape_str(v, sv, sizeof sv), gl__shape_str(like, sl, sizeof sl));
}

gl_tensor *gl_row_l2norm(gl_ctx *ctx, gl_tensor *x)
{
    if (!x)
        return NULL;
    if (x->ndim < 2)
        return gl__fail(ctx, "row_l2norm", "needs a batch (B, ...), got %d-D", x->ndim);
    int shape[2] = {gl__rows(x), 1};
    gl_tensor *y = gl__tensor(ctx, 2, shape, 0);
    if (!y)
        return NULL;
    size_t cols = gl__cols(x);
    for (int b = 0; b < shape[0]; b++) {
        double acc = 0;
        const gl_real *p = x->data + (size_t)b * cols;
        for (size_t j = 0; j < cols; j++)
            acc += (double)p[j] * p[j];
        y->data[b] = (gl_real)sqrt(acc);
    }
    gl__record(ctx, GL__OP_ROW_L2NORM, y, 1, &x);
    return y;
}

gl_tensor *gl_add_bias(gl_ctx *ctx, gl_tensor *x, gl_tensor *b)
{
    if (!x || !b)
        return NULL;
    if (x->ndim < 2 || b->n != (size_t)x->shape[1]) {
        char sx[64], sb[64];
        return gl__fail(ctx, "add_bias", "bias %s does not match the channels of %s",
                        gl__shape_str(b, sb, sizeof sb), gl__shape_str(x, sx, sizeof sx));
    }
    gl_tensor *y = gl__tensor_like(ctx, x, 0);
    if (!y)
        return NULL;
    for (size_t i = 0; i < x->n; i++)
        y->data[i] = x->data[i];
    expand_acc(b->data, geom_of(x), GL__CHANNELS, 1, y->data);
    gl_tensor *in[2] = {x, b};
    gl__record(ctx, GL__OP_ADD_BIAS, y, 2, in);
    return y;
}

/* ---------------------------------------------------------------- gradient rules */

void gl__reduce_fast(gl_ctx *ctx, gl_node *n, const gl_real *g, gl_real *const *gin)
{
    expand_acc(g, geom_of(n->in[0]), n->i[0], n->f[0], gin[0]);
}

int gl__reduce_graph(gl_ctx *ctx, gl_node *n, gl_tensor *g, const unsigned char *want,
                     gl_tensor **gin)
{
    gin[0] = gl__expand(ctx, g, n->in[0], n->i[0], n->f[0]);
    return GL_OK;
}

void gl__expand_fast(gl_ctx *ctx, gl_node *n, const gl_real *g, gl_real *const *gin)
{
    reduce_acc(g, geom_of(n->out), n->i[0], n->f[0], gin[0]);
}

int gl__expand_graph(gl_ctx *ctx, gl_node *n, gl_tensor *g, const unsigned char *want,
                     gl_tensor **gin)
{
    gin[0] = gl__as_shape(ctx, gl__reduce(ctx, g, n->i[0], n->f[0]), n->in[0]);
    return GL_OK;
}

void gl__row_l2norm_fast(gl_ctx *ctx, gl_node *n, const gl_real *g, gl_real *const *gin)
{
    const gl_tensor *x = n->in[0];
    size_t cols = gl__cols(x);
    for (int b = 0; b < gl__rows(x); b++) {
        gl_real y = n->out->data[b];
        if (y == 0)
            continue;
        gl_real s = g[b] / y;
        const gl_real *px = x->data + (size_t)b * cols;
        gl_real *d = gin[0] + (size_t)b * cols;
        for (size_t j = 0; j < cols; j++)
            d[j] += s * px[j];
    }
}

int gl__row_l2norm_graph(gl_ctx *ctx, gl_node *n, gl_tensor *g, const unsigned char *want,
                         gl_tensor **gin)
{
    gl_tensor *x = n->in[0];
    gl_tensor *s = gl_mul(ctx, g, gl_recip0(ctx, n->out)); /* (B, 1) */
    gin[0] = gl_mul(ctx, x, gl__expand(ctx, s, x, GL__ROWS, 1));
    return GL_OK;
}

void gl__add_bias_fast(gl_ctx *ctx, gl_node *n, const gl_real *g, gl_real *const *gin)
{
    if (gin[0])
        for (size_t i = 0; i < n->out->n; i++)
            gin[0][i] += g[i];
    if (gin[1])
        reduce_acc(g, geom_of(n->out), GL__CHANNELS, 1, gin[1]);
}

int gl__add_bias_graph(gl_ctx *ctx, gl_node *n, gl_tensor *g, const unsigned char *want,
                       gl_tensor **gin)
{
    gin[0] = g;
    if (want[1])
        gin[1] = gl__as_shape(ctx, gl__reduce(ctx, g, GL__CHANNELS, 1), n->in[1]);
    return GL_OK;
}

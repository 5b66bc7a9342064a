/* op_elementwise.c - elementwise arithmetic on same-shaped tensors: add, sub, mul, div, scale,
 * add_scalar, square, sqrt, recip0, with their gradient rules.
 *
 * Rules (g = incoming gradient, y = output):  add: g, g;  sub: g, -g;  mul: g b, g a;
 * div: g / b, -g y / b;  scale: s g;  add_scalar: g;  square: 2 x g;  sqrt: g / (2 y);
 * recip0: -g y^2 (y = 0 where x = 0, so the gradient is 0 there too).
 * No broadcasting here: gl_expand makes a broadcast explicit (and differentiable).
 */
#include "engine.h"

#include <tgmath.h>

static gl_tensor *binary(gl_ctx *ctx, int op, const char *name, gl_tensor *a, gl_tensor *b)
{
    if (!a || !b)
        return NULL;
    if (!gl__same_shape(a, b)) {
        char sa[64], sb[64];
        return gl__fail(ctx, name, "shapes %s and %s differ", gl__shape_str(a, sa, sizeof sa),
                        gl__shape_str(b, sb, sizeof sb));
    }
    gl_tensor *y = gl__tensor_like(ctx, a, 0);
    if (!y)
        return NULL;
    const gl_real *pa = a->data, *pb = b->data;
    gl_real *py = y->data;
    size_t n = y->n;
    switch (op) {
    case GL__OP_ADD:
        for (size_t i = 0; i < n; i++)
            py[i] = pa[i] + pb[i];
        break;
    case GL__OP_SUB:
        for (size_t i = 0; i < n; i++)
            py[i] = pa[i] - pb[i];
        break;
    case GL__OP_MUL:
        for (size_t i = 0; i < n; i++)
            py[i] = pa[i] * pb[i];
        break;
    default:
        for (size_t i = 0; i < n; i++)
            py[i] = pa[i] / pb[i];
        break;
    }
    gl_tensor *in[2] = {a, b};
    gl__record(ctx, op, y, 2, in);
    return y;
}

gl_tensor *gl_add(gl_ctx *ctx, gl_tensor *a, gl_tensor *b)
{
    return binary(ctx, GL__OP_ADD, "add", a, b);
}
gl_tensor *gl_sub(gl_ctx *ctx, gl_tensor *a, gl_tensor *b)
{
    return binary(ctx, GL__OP_SUB, "sub", a, b);
}
gl_tensor *gl_mul(gl_ctx *ctx, gl_tensor *a, gl_tensor *b)
{
    return binary(ctx, GL__OP_MUL, "mul", a, b);
}
gl_tensor *gl_div(gl_ctx *ctx, gl_tensor *a, gl_tensor *b)
{
    return binary(ctx, GL__OP_DIV, "div", a, b);
}

/* y = f(x) for the unary ops; c is the op's scalar (scale, add_scalar). */
static gl_tensor *unary(gl_ctx *ctx, int op, gl_tensor *x, gl_real c)
{
    if (!x)
        return NULL;
    gl_tensor *y = gl__tensor_like(ctx, x, 0);
    if (!y)
        return NULL;
    const gl_real *px = x->data;
    gl_real *py = y->data;
    size_t n = y->n;
    switch (op) {
    case GL__OP_SCALE:
        for (size_t i = 0; i < n; i++)
            py[i] = c * px[i];
        break;
    case GL__OP_ADD_SCALAR:
        for (size_t i = 0; i < n; i++)
            py[i] = px[i] + c;
        break;
    case GL__OP_SQUARE:
        for (size_t i = 0; i < n; i++)
            py[i] = px[i] * px[i];
        break;
    case GL__OP_SQRT:
        for (size_t i = 0; i < n; i++)
            py[i] = sqrt(px[i]);
        break;
    default:
        for (size_t i = 0; i < n; i++)
            py[i] = px[i] != 0 ? 1 / px[i] : 0;
        break;
    }
    gl_node *node = gl__record(ctx, op, y, 1, &x);
    if (node)
        node->f[0] = c;
    return y;
}

gl_tensor *gl_scale(gl_ctx *ctx, gl_tensor *x, gl_real s) { return unary(ctx, GL__OP_SCALE, x, s); }
gl_tensor *gl_add_scalar(gl_ctx *ctx, gl_tensor *x, gl_real c)
{
    return unary(ctx, GL__OP_ADD_SCALAR, x, c);
}
gl_tensor *gl_square(gl_ctx *ctx, gl_tensor *x) { return unary(ctx, GL__OP_SQUARE, x, 0); }
gl_tensor *gl_sqrt(gl_ctx *ctx, gl_tensor *x) { return unary(ctx, GL__OP_SQRT, x, 0); }
gl_tensor *gl_recip0(gl_ctx *ctx, gl_tensor *x) { return unary(ctx, GL__OP_RECIP0, x, 0); }

/* ---------------------------------------------------------------- gradient rules */

/* dst += s * g */
static void axpy(gl_real *dst, const gl_real *g, gl_real s, size_t n)
{
    if (dst)
        for (size_t i = 0; i < n; i++)
            dst[i] += s * g[i];
}

void gl__add_fast(gl_ctx *ctx, gl_node *n, const gl_real *g, gl_real *const *gin)
{
    axpy(gin[0], g, 1, n->out->n);
    axpy(gin[1], g, 1, n->out->n);
}

int gl__add_graph(gl_ctx *ctx, gl_node *n, gl_tensor *g, const unsigned char *want, gl_tensor **gin)
{
    gin[0] = g;
    gin[1] = g;
    return GL_OK;
}

void gl__sub_fast(gl_ctx *ctx, gl_node *n, const gl_real *g, gl_real *const *gin)
{
    axpy(gin[0], g, 1, n->out->n);
    axpy(gin[1], g, -1, n->out->n);
}

int gl__sub_graph(gl_ctx *ctx, gl_node *n, gl_tensor *g, const unsigned char *want, gl_tensor **gin)
{
    gin[0] = g;
    if (want[1])
        gin[1] = gl_scale(ctx, g, -1);
    return GL_OK;
}

void gl__mul_fast(gl_ctx *ctx, gl_node *n, const gl_real *g, gl_real *const *gin)
{
    const gl_real *a = n->in[0]->data, *b = n->in[1]->data;
    size_t len = n->out->n;
    if (gin[0])
        for (size_t i = 0; i < len; i++)
            gin[0][i] += g[i] * b[i];
    if (gin[1])
        for (size_t i = 0; i < len; i++)
            gin[1][i] += g[i] * a[i];
}

int gl__mul_graph(gl_ctx *ctx, gl_node *n, gl_tensor *g, const unsigned char *want, gl_tensor **gin)
{
    if (want[0])
        gin[0] = gl_mul(ctx, g, n->in[1]);
    if (want[1])
        gin[1] = gl_mul(ctx, g, n->in[0]);
    return GL_OK;
}

void gl__div_fast(gl_ctx *ctx, gl_node *n, const gl_real *g, gl_real *const *gin)
{
    const gl_real *b = n->in[1]->data, *y = n->out->data;
    size_t len = n->out->n;
    if (gin[0])
        for (size_t i = 0; i < len; i++)
            gin[0][i] += g[i] / b[i];
    if (gin[1])
        for (size_t i = 0; i < len; i++)
            gin[1][i] -= g[i] * y[i] / b[i];
}

int gl__div_graph(gl_ctx *ctx, gl_node *n, gl_tensor *g, const unsigned char *want, gl_tensor **gin)
{
    if (want[0])
        gin[0] = gl_div(ctx, g, n->in[1]);
    if (want[1])
        gin[1] = gl_scale(ctx, gl_div(ctx, gl_mul(ctx, g, n->out), n->in[1]), -1);
    return GL_OK;
}

void gl__scale_fast(gl_ctx *ctx, gl_node *n, const gl_real *g, gl_real *const *gin)
{
    axpy(gin[0], g, n->f[0], n->out->n);
}

int gl__scale_graph(gl_ctx *ctx, gl_node *n, gl_tensor *g, const unsigned char *want,
                    gl_tensor **gin)
{
    gin[0] = gl_scale(ctx, g, n->f[0]);
    return GL_OK;
}

void gl__add_scalar_fast(gl_ctx *ctx, gl_node *n, const gl_real *g, gl_real *const *gin)
{
    axpy(gin[0], g, 1, n->out->n);
}

int gl__add_scalar_graph(gl_ctx *ctx, gl_node *n, gl_tensor *g, const unsigned char *want,
                         gl_tensor **gin)
{
    gin[0] = g;
    return GL_OK;
}

void gl__square_fast(gl_ctx *ctx, gl_node *n, const gl_real *g, gl_real *const *gin)
{
    const gl_real *x = n->in[0]->data;
    for (size_t i = 0; i < n->out->n; i++)
        gin[0][i] += 2 * x[i] * g[i];
}

int gl__square_graph(gl_ctx *ctx, gl_node *n, gl_tensor *g, const unsigned char *want,
                     gl_tensor **gin)
{
    gin[0] = gl_scale(ctx, gl_mul(ctx, g, n->in[0]), 2);
    return GL_OK;
}

void gl__sqrt_fast(gl_ctx *ctx, gl_node *n, const gl_real *g, gl_real *const *gin)
{
    const gl_real *y = n->out->data;
    for (size_t i = 0; i < n->out->n; i++)
        gin[0][i] += g[i] / (2 * y[i]);
}

int gl__sqrt_graph(gl_ctx *ctx, gl_node *n, gl_tensor *g, const unsigned char *want,
                   gl_tensor **gin)
{
    gin[0] = gl_scale(ctx, gl_div(ctx, g, n->out), 0.5);
    return GL_OK;
}

void gl__recip0_fast(gl_ctx *ctx, gl_node *n, const gl_real *g, gl_real *const *gin)
{
    const gl_real *y = n->out->data;
    for (size_t i = 0; i < n->out->n; i++)
        gin[0][i] -= g[i] * y[i] * y[i];
}

int gl__recip0_graph(gl_ctx *ctx, gl_node *n, gl_tensor *g, const unsigned char *want,
                     gl_tensor **gin)
{
    gin[0] = gl_scale(ctx, gl_mul(ctx, g, gl_square(ctx, n->out)), -1);
    return GL_OK;
}

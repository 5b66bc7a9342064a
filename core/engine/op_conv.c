/* op_conv.c - 2-D convolution and its two adjoints, by im2col + GEMM, one sample at a time.
 *
 * For one sample, with K = Ci kh kw and L = Ho Wo, im2col turns x (Ci, H, W) into col (K, L) so
 * that conv:         y (Co, L)  = w (Co, K) col (K, L)              (+ bias per channel) bwd_data:
 * col        = w^T (K, Co) g (Co, L);  dx = col2im(col)   (transposed conv) bwd_weight:   dw (Co,
 * K) += g (Co, L) col^T (L, K) The three ops are bilinear and mutually adjoint, so each one's
 * gradient rule is made of the other two (and a channel sum for the bias), to any order: y =
 * conv(x, w):        dx = bwd_data(g, w),      dw = bwd_weight(x, g) y = bwd_data(d, w):    dd =
 * conv(g, w),          dw = bwd_weight(g, d) y = bwd_weight(x, d):  dx = bwd_data(d, g),      dd =
 * conv(x, g) gl_conv_transpose2d is bwd_data (torch's weight layout (Ci_t, Co_t, k, k) is exactly
 * the conv weight (Co, Ci, k, k) of the convolution it transposes) plus a bias. Samples are
 * processed in order and each gemm's reduction is fixed, so results are reproducible. Not provided:
 * groups, dilation, asymmetric stride or padding.
 */
#include "engine.h"

#include <string.h>

typedef struct cgeom {
    int b, ci, h, w, co, kh, kw, s, p, ho, wo;
    int k, l; /* Ci kh kw, Ho Wo */
} cgeom;

static cgeom unpack(const int *g)
{
    cgeom c = {g[GL__CB], g[GL__CCI], g[GL__CH],  g[GL__CW],  g[GL__CCO], g[GL__CKH], g[GL__CKW],
               g[GL__CS], g[GL__CP],  g[GL__CHO], g[GL__CWO], 0,          0};
    c.k = c.ci * c.kh * c.kw;
    c.l = c.ho * c.wo;
    return c;
}

/* col (K, L) = patches of x (Ci, H, W); zeros where the window leaves the image. */
static void im2col(const gl_real *x, const cgeom *c, gl_real *col)
{
    for (int ci = 0; ci < c->ci; ci++)
        for (int ki = 0; ki < c->kh; ki++)
            for (int kj = 0; kj < c->kw; kj++) {
                gl_real *row = col + (size_t)((ci * c->kh + ki) * c->kw + kj) * c->l;
                const gl_real *plane = x + (size_t)ci * c->h * c->w;
                for (int oy = 0; oy < c->ho; oy++) {
                    int iy = oy * c->s - c->p + ki;
                    gl_real *dst = row + (size_t)oy * c->wo;
                    if (iy < 0 || iy >= c->h) {
                        memset(dst, 0, (size_t)c->wo * sizeof *dst);
                        continue;
                    }
                    for (int ox = 0; ox < c->wo; ox++) {
                        int ix = ox * c->s - c->p + kj;
                        dst[ox] = ix >= 0 && ix < c->w ? plane[(size_t)iy * c->w + ix] : 0;
                    }
                }
            }
}

/* dx (Ci, H, W) += the patches of col (K, L) put back where im2col took them. */
static void col2im_acc(const gl_real *col, const cgeom *c, gl_real *dx)
{
    for (int ci = 0; ci < c->ci; ci++)
        for (int ki = 0; ki < c->kh; ki++)
            for (int kj = 0; kj < c->kw; kj++) {
                const gl_real *row = col + (size_t)((ci * c->kh + ki) * c->kw + kj) * c->l;
                gl_real *plane = dx + (size_t)ci * c->h * c->w;
                for (int oy = 0; oy < c->ho; oy++) {
                    int iy = oy * c->s - c->p + ki;
                    if (iy < 0 || iy >= c->h)
                        continue;
                    for (int ox = 0; ox < c->wo; ox++) {
                        int ix = ox * c->s - c->p + kj;
                        if (ix >= 0 && ix < c->w)
                            plane[(size_t)iy * c->w + ix] += row[(size_t)oy * c->wo + ox];
                    }
                }
            }
}

/* y (B, Co, Ho, Wo) += conv(x, w) */
static void conv_acc(const gl_real *x, const gl_real *w, gl_real *y, const cgeom *c, gl_real *col)
{
    for (int n = 0; n < c->b; n++) {
        im2col(x + (size_t)n * c->ci * c->h * c->w, c, col);
        gl__gemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, c->co, c->l, c->k, 1, w, c->k, col,
                 c->l, 1, y + (size_t)n * c->co * c->l, c->l);
    }
}

/* dx (B, Ci, H, W) += bwd_data(g, w) */
static void bwd_data_acc(const gl_real *g, const gl_real *w, gl_real *dx, const cgeom *c,
                         gl_real *col)
{
    for (int n = 0; n < c->b; n++) {
        gl__gemm(CblasRowMajor, CblasTrans, CblasNoTrans, c->k, c->l, c->co, 1, w, c->k,
                 g + (size_t)n * c->co * c->l, c->l, 0, col, c->l);
        col2im_acc(col, c, dx + (size_t)n * c->ci * c->h * c->w);
    }
}

/* dw (Co, Ci, kh, kw) += bwd_weight(x, g) */
static void bwd_weight_acc(const gl_real *x, const gl_real *g, gl_real *dw, const cgeom *c,
                           gl_real *col)
{
    for (int n = 0; n < c->b; n++) {
        im2col(x + (size_t)n * c->ci * c->h * c->w, c, col);
        gl__gemm(CblasRowMajor, CblasNoTrans, CblasTrans, c->co, c->k, c->l, 1,
                 g + (size_t)n * c->co * c->l, c->l, col, c->l, 1, dw, c->k);
    }
}

/* out += op(a, b) for op GL__OP_CONV (x, w), _BWD_DATA (g, w) or _BWD_WEIGHT (x, g): through
 * oneDNN where the build has it and it plans the problem (dnnl.c), else by im2col + GEMM. */
static void conv_kernel(gl_ctx *ctx, int op, const int *geom, const gl_real *a, const gl_real *b,
                        gl_real *out)
{
#ifdef GL__DNNL
    if (gl__dnnl_conv(ctx, op, geom, a, b, out))
        return;
#endif
    cgeom c = unpack(geom);
    gl_real *col = gl__arena(ctx, (size_t)c.k * c.l * sizeof(gl_real));
    if (!col)
        return;
    if (op == GL__OP_CONV)
        conv_acc(a, b, out, &c, col);
    else if (op == GL__OP_CONV_BWD_DATA)
        bwd_data_acc(a, b, out, &c, col);
    else
        bwd_weight_acc(a, b, out, &c, col);
}

/* The three recorded ops. */
static gl_tensor *conv_op(gl_ctx *ctx, int op, gl_tensor *a, gl_tensor *b, gl_tensor *bias,
                          const int *geom)
{
    if (!a || !b)
        return NULL;
    cgeom c = unpack(geom);
    int shape[4];
    if (op == GL__OP_CONV) {
        int s[4] = {c.b, c.co, c.ho, c.wo};
        memcpy(shape, s, sizeof s);
    } else if (op == GL__OP_CONV_BWD_DATA) {
        int s[4] = {c.b, c.ci, c.h, c.w};
        memcpy(shape, s, sizeof s);
    } else {
        int s[4] = {c.co, c.ci, c.kh, c.kw};
        memcpy(shape, s, sizeof s);
    }
    gl_tensor *y = gl__tensor(ctx, 4, shape, 1);
    if (!y)
        return NULL;
    if (bias)
        gl__expand_acc(bias->data, y, GL__CHANNELS, 1, y->data);
    conv_kernel(ctx, op, geom, a->data, b->data, y->data);
    gl_tensor *in[3] = {a, b, bias};
    gl_node *node = gl__record(ctx, op, y, op == GL__OP_CONV ? 3 : 2, in);
    if (node)
        memcpy(node->i, geom, GL__CGEOM * sizeof *geom);
    return y;
}

gl_tensor *gl__conv_fwd(gl_ctx *ctx, gl_tensor *x, gl_tensor *w, gl_tensor *b, const int *geom)
{
    return conv_op(ctx, GL__OP_CONV, x, w, b, geom);
}

gl_tensor *gl__conv_bwd_data(gl_ctx *ctx, gl_tensor *g, gl_tensor *w, const int *geom)
{
    return conv_op(ctx, GL__OP_CONV_BWD_DATA, g, w, NULL, geom);
}

gl_tensor *gl__conv_bwd_weight(gl_ctx *ctx, gl_tensor *x, gl_tensor *g, const int *geom)
{
    return conv_op(ctx, GL__OP_CONV_BWD_WEIGHT, x, g, NULL, geom);
}

/* Checks the operands of a convolution x (B, Ci, H, W) -> (B, Co, Ho, Wo) with weight w
 * (Co, Ci, kh, kw) and fills geom. 0 and a ctx error when they do not fit. */
static int geometry(gl_ctx *ctx, const char *op, const gl_tensor *w, int batch, int ci, int h,
                    int wd, int stride, int pad, int *geom)
{
    char sw[64];
    if (w->ndim != 4 || w->shape[1] != ci || stride < 1 || pad < 0) {
        gl__fail(ctx, op, "weight %s, %d input channels, stride %d, pad %d do not fit",
                 gl__shape_str(w, sw, sizeof sw), ci, stride, pad);
        return 0;
    }
    int g[GL__CGEOM] = {batch,
                        ci,
                        h,
                        wd,
                        w->shape[0],
                        w->shape[2],
                        w->shape[3],
                        stride,
                        pad,
                        (h + 2 * pad - w->shape[2]) / stride + 1,
                        (wd + 2 * pad - w->shape[3]) / stride + 1};
    if (h + 2 * pad < w->shape[2] || wd + 2 * pad < w->shape[3]) {
        gl__fail(ctx, op, "kernel %s is larger than the padded %dx%d input",
                 gl__shape_str(w, sw, sizeof sw), h, wd);
        return 0;
    }
    memcpy(geom, g, sizeof g);
    return 1;
}

gl_tensor *gl_conv2d(gl_ctx *ctx, gl_tensor *x, gl_tensor *w, gl_tensor *b, int stride, int pad)
{
    if (!x || !w)
        return NULL;
    int geom[GL__CGEOM];
    if (x->ndim != 4) {
        char sx[64];
        return gl__fail(ctx, "conv2d", "input %s must be (B, C, H, W)",
                        gl__shape_str(x, sx, sizeof sx));
    }
    if (!geometry(ctx, "conv2d", w, x->shape[0], x->shape[1], x->shape[2], x->shape[3], stride, pad,
                  geom))
        return NULL;
    if (b && b->n != (size_t)w->shape[0])
        return gl__fail(ctx, "conv2d", "bias has %zu elements for %d channels", b->n, w->shape[0]);
    return gl__conv_fwd(ctx, x, w, b, geom);
}

gl_tensor *gl_conv_transpose2d(gl_ctx *ctx, gl_tensor *x, gl_tensor *w, gl_tensor *b, int stride,
                               int pad, int out_pad)
{
    if (!x || !w)
        return NULL;
    char sx[64], sw[64];
    if (x->ndim != 4 || w->ndim != 4 || w->shape[0] != x->shape[1] || stride < 1 || out_pad < 0 ||
        out_pad >= stride)
        return gl__fail(ctx, "conv_transpose2d",
                        "input %s, weight %s (Ci, Co, kh, kw), stride %d, out_pad %d do not fit",
                        gl__shape_str(x, sx, sizeof sx), gl__shape_str(w, sw, sizeof sw), stride,
                        out_pad);
    int h = (x->shape[2] - 1) * stride - 2 * pad + w->shape[2] + out_pad;
    int wd = (x->shape[3] - 1) * stride - 2 * pad + w->shape[3] + out_pad;
    if (h < 1 || wd < 1)
        return gl__fail(ctx, "conv_transpose2d", "output would be %dx%d", h, wd);
    /* The convolution this transposes maps (B, Co_t, h, wd) to x's shape. */
    int geom[GL__CGEOM];
    if (!geometry(ctx, "conv_transpose2d", w, x->shape[0], w->shape[1], h, wd, stride, pad, geom))
        return NULL;
    if (b && b->n != (size_t)w->shape[1])
        return gl__fail(ctx, "conv_transpose2d", "bias has %zu elements for %d channels", b->n,
                        w->shape[1]);
    gl_tensor *y = gl__conv_bwd_data(ctx, x, w, geom);
    return b ? gl_add_bias(ctx, y, b) : y;
}

/* ---------------------------------------------------------------- gradient rules */

void gl__conv_fast(gl_ctx *ctx, gl_node *n, const gl_real *g, gl_real *const *gin)
{
    if (gin[0])
        conv_kernel(ctx, GL__OP_CONV_BWD_DATA, n->i, g, n->in[1]->data, gin[0]);
    if (gin[1])
        conv_kernel(ctx, GL__OP_CONV_BWD_WEIGHT, n->i, n->in[0]->data, g, gin[1]);
    if (gin[2])
        gl__reduce_acc(g, n->out, GL__CHANNELS, 1, gin[2]);
}

int gl__conv_graph(gl_ctx *ctx, gl_node *n, gl_tensor *g, const unsigned char *want,
                   gl_tensor **gin)
{
    if (want[0])
        gin[0] = gl__conv_bwd_data(ctx, g, n->in[1], n->i);
    if (want[1])
        gin[1] = gl__conv_bwd_weight(ctx, n->in[0], g, n->i);
    if (want[2])
        gin[2] = gl__as_shape(ctx, gl__reduce(ctx, g, GL__CHANNELS, 1), n->in[2]);
    return GL_OK;
}

void gl__conv_bwd_data_fast(gl_ctx *ctx, gl_node *n, const gl_real *g, gl_real *const *gin)
{
    if (gin[0])
        conv_kernel(ctx, GL__OP_CONV, n->i, g, n->in[1]->data, gin[0]);
    if (gin[1])
        conv_kernel(ctx, GL__OP_CONV_BWD_WEIGHT, n->i, g, n->in[0]->data, gin[1]);
}

int gl__conv_bwd_data_graph(gl_ctx *ctx, gl_node *n, gl_tensor *g, const unsigned char *want,
                            gl_tensor **gin)
{
    if (want[0])
        gin[0] = gl__conv_fwd(ctx, g, n->in[1], NULL, n->i);
    if (want[1])
        gin[1] = gl__conv_bwd_weight(ctx, g, n->in[0], n->i);
    return GL_OK;
}

void gl__conv_bwd_weight_fast(gl_ctx *ctx, gl_node *n, const gl_real *g, gl_real *const *gin)
{
    if (gin[0])
        conv_kernel(ctx, GL__OP_CONV_BWD_DATA, n->i, n->in[1]->data, g, gin[0]);
    if (gin[1])
        conv_kernel(ctx, GL__OP_CONV, n->i, n->in[0]->data, g, gin[1]);
}

int gl__conv_bwd_weight_graph(gl_ctx *ctx, gl_node *n, gl_tensor *g, const unsigned char *want,
                              gl_tensor **gin)
{
    if (want[0])
        gin[0] = gl__conv_bwd_data(ctx, n->in[1], g, n->i);
    if (want[1])
        gin[1] = gl__conv_fwd(ctx, n->in[0], g, NULL, n->i);
    return GL_OK;
}

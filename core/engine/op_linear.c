/* op_linear.c - matrix products through BLAS gemm: gl_matmul and the fused Linear layer
 * y = act(x w^T + b).
 *
 * Forward of linear: y is pre-filled with b, gemm adds x w^T (beta 1), the activation runs in place
 * on y; only y is kept. Gradients (gp = g * act'(y)):  dx = gp w,  dw = gp^T x,  db = column sums
 * of gp, each accumulated by gemm with beta 1 straight into the destination (for gl_backward, the
 * net's gradient block). No transpose is ever materialised: gemm's transpose flags do it.
 * matmul C = op(A) op(B):  dA = g op(B)^T (transposed back when ta),  dB = op(A)^T g (likewise).
 * The second-order rules are the same formulas with gl_matmul, so they differentiate again.
 */
#include "engine.h"

#include <string.h>

static CBLAS_TRANSPOSE tr(int t) { return t ? CblasTrans : CblasNoTrans; }

/* An operand of a product: its fp32 values and, for the bf16 products, where its bf16 copy comes
 * from: the tensor it is (bf16.c keeps one copy per tensor, and per update of a parameter), else
 * h, a buffer's copy the caller made once for the products that share it. */
typedef struct operand {
    const gl_real *f;
    gl_tensor *t;
    const void *h;
} operand;

static operand of_tensor(gl_tensor *t) { return (operand){t->data, t, NULL}; }

/* A buffer g (n) read by up to two products: converted here once when products are bf16. */
static operand of_buffer(gl_ctx *ctx, const gl_real *g, size_t n)
{
    operand o = {g, NULL, NULL};
#ifdef GL__DNNL
    if (gl__bf16_products(ctx))
        o.h = gl__bf16_copy(ctx, g, n);
#endif
    return o;
}

/* c (m, n) = beta c + op(a) op(b), row-major, beta 0 or 1: OpenBLAS in fp32; oneDNN with bf16
 * inputs and fp32 accumulation when ctx's products are bf16 (gl__bf16_products). */
static void mm(gl_ctx *ctx, int ta, int tb, int m, int n, int k, operand a, int lda, operand b,
               int ldb, int beta, gl_real *c, int ldc)
{
#ifdef GL__DNNL
    if (gl__bf16_products(ctx)) {
        const uint16_t *ha = a.h ? a.h : a.t ? gl__bf16_of(ctx, a.t) : NULL;
        const uint16_t *hb = b.h ? b.h : b.t ? gl__bf16_of(ctx, b.t) : NULL;
        if (!ha || !hb)
            return; /* out of memory: the context's error says so */
        for (int r = 0; r < m && !beta; r++)
            memset(c + (size_t)r * ldc, 0, (size_t)n * sizeof *c);
        if (gl__dnnl_gemm_bf16(ctx, ta, tb, m, n, k, ha, lda, hb, ldb, c, ldc))
            return;
        beta = 1;
    }
#endif
    gl__gemm(CblasRowMajor, tr(ta), tr(tb), m, n, k, 1, a.f, lda, b.f, ldb, beta, c, ldc);
}

gl_tensor *gl_matmul(gl_ctx *ctx, gl_tensor *a, gl_tensor *b, int ta, int tb)
{
    if (!a || !b)
        return NULL;
    char sa[64], sb[64];
    if (a->ndim != 2 || b->ndim != 2)
        return gl__fail(ctx, "matmul", "needs 2-D operands, got %s and %s",
                        gl__shape_str(a, sa, sizeof sa), gl__shape_str(b, sb, sizeof sb));
    int m = a->shape[ta ? 1 : 0], k = a->shape[ta ? 0 : 1];
    int kb = b->shape[tb ? 1 : 0], nn = b->shape[tb ? 0 : 1];
    if (k != kb)
        return gl__fail(ctx, "matmul", "inner dimensions differ: %s%s x %s%s",
                        gl__shape_str(a, sa, sizeof sa), ta ? "^T" : "",
                        gl__shape_str(b, sb, sizeof sb), tb ? "^T" : "");
    int shape[2] = {m, nn};
    gl_tensor *y = gl__tensor(ctx, 2, shape, 0);
    if (!y)
        return NULL;
    mm(ctx, ta, tb, m, nn, k, of_tensor(a), a->shape[1], of_tensor(b), b->shape[1], 0, y->data, nn);
    gl_tensor *in[2] = {a, b};
    gl_node *node = gl__record(ctx, GL__OP_MATMUL, y, 2, in);
    if (node) {
        node->i[0] = ta;
        node->i[1] = tb;
    }
    return y;
}

void gl__matmul_fast(gl_ctx *ctx, gl_node *n, const gl_real *gout, gl_real *const *gin)
{
    gl_tensor *a = n->in[0], *b = n->in[1];
    int ta = n->i[0], tb = n->i[1];
    int m = n->out->shape[0], nn = n->out->shape[1], k = a->shape[ta ? 0 : 1];
    int lda = a->shape[1], ldb = b->shape[1];
    operand g = of_buffer(ctx, gout, n->out->n), oa = of_tensor(a), ob = of_tensor(b);
    if (gin[0]) {
        if (!ta) /* dA (m, k) += g (m, n) op(B)^T */
            mm(ctx, 0, !tb, m, k, nn, g, nn, ob, ldb, 1, gin[0], k);
        else /* dA (k, m) += op(B) (k, n) g^T */
            mm(ctx, tb, 1, k, m, nn, ob, ldb, g, nn, 1, gin[0], m);
    }
    if (gin[1]) {
        if (!tb) /* dB (k, n) += op(A)^T (k, m) g */
            mm(ctx, !ta, 0, k, nn, m, oa, lda, g, nn, 1, gin[1], nn);
        else /* dB (n, k) += g^T op(A) */
            mm(ctx, 1, ta, nn, k, m, g, nn, oa, lda, 1, gin[1], k);
    }
}

int gl__matmul_graph(gl_ctx *ctx, gl_node *n, gl_tensor *g, const unsigned char *want,
                     gl_tensor **gin)
{
    gl_tensor *a = n->in[0], *b = n->in[1];
    int ta = n->i[0], tb = n->i[1];
    if (want[0])
        gin[0] = ta ? gl_matmul(ctx, b, g, tb, 1) : gl_matmul(ctx, g, b, 0, !tb);
    if (want[1])
        gin[1] = tb ? gl_matmul(ctx, g, a, 1, ta) : gl_matmul(ctx, a, g, !ta, 0);
    return GL_OK;
}

gl_tensor *gl_linear_act(gl_ctx *ctx, gl_tensor *x, gl_tensor *w, gl_tensor *b, gl_act act,
                         gl_real slope)
{
    if (!x || !w)
        return NULL;
    char sx[64], sw[64];
    int batch = x->ndim >= 2 ? x->shape[0] : 1;
    size_t in = x->n / (size_t)batch;
    if (x->ndim < 2 || w->ndim != 2 || (size_t)w->shape[1] != in)
        return gl__fail(ctx, "linear", "input %s does not fit weight %s (out, in)",
                        gl__shape_str(x, sx, sizeof sx), gl__shape_str(w, sw, sizeof sw));
    int out = w->shape[0];
    if (b && b->n != (size_t)out)
        return gl__fail(ctx, "linear", "bias has %zu elements, weight %s", b->n,
                        gl__shape_str(w, sw, sizeof sw));
    if (act == GL_ACT_LEAKY_RELU && !(slope >= 0))
        return gl__fail(ctx, "linear", "slope %g must be >= 0", (double)slope);
    int shape[2] = {batch, out};
    gl_tensor *y = gl__tensor(ctx, 2, shape, 0);
    if (!y)
        return NULL;
    for (int r = 0; r < batch; r++) {
        gl_real *row = y->data + (size_t)r * out;
        if (b)
            memcpy(row, b->data, (size_t)out * sizeof *row);
        else
            memset(row, 0, (size_t)out * sizeof *row);
    }
    mm(ctx, 0, 1, batch, out, (int)in, of_tensor(x), (int)in, of_tensor(w), (int)in, 1, y->data,
       out);
    gl__act_apply(y->data, y->data, y->n, act, slope);
    gl_tensor *ins[3] = {x, w, b};
    gl_node *node = gl__record(ctx, GL__OP_LINEAR, y, 3, ins);
    if (node) {
        node->i[0] = act;
        node->f[0] = slope;
    }
    return y;
}

gl_tensor *gl_linear(gl_ctx *ctx, gl_tensor *x, gl_tensor *w, gl_tensor *b)
{
    return gl_linear_act(ctx, x, w, b, GL_ACT_NONE, 0);
}

void gl__linear_fast(gl_ctx *ctx, gl_node *n, const gl_real *g, gl_real *const *gin)
{
    gl_tensor *x = n->in[0], *w = n->in[1];
    int batch = n->out->shape[0], out = n->out->shape[1], in = w->shape[1];
    const gl_real *gp = g;
    if (n->i[0] != GL_ACT_NONE) {
        gl_real *tmp = gl__arena_zero(ctx, n->out->n * sizeof *tmp);
        if (!tmp)
            return;
        gl__act_grad_acc(tmp, g, n->out->data, (gl_act)n->i[0], n->f[0], n->out->n);
        gp = tmp;
    }
    operand gpo = of_buffer(ctx, gp, n->out->n);
    if (gin[0]) /* dx (B, in) += gp (B, out) w (out, in) */
        mm(ctx, 0, 0, batch, in, out, gpo, out, of_tensor(w), in, 1, gin[0], in);
    if (gin[1]) /* dw (out, in) += gp^T (out, B) x (B, in) */
        mm(ctx, 1, 0, out, in, batch, gpo, out, of_tensor(x), in, 1, gin[1], in);
    if (gin[2]) /* db (out) += column sums of gp */
        gl__reduce_acc(gp, n->out, GL__CHANNELS, 1, gin[2]);
}

int gl__linear_graph(gl_ctx *ctx, gl_node *n, gl_tensor *g, const unsigned char *want,
                     gl_tensor **gin)
{
    gl_tensor *x = n->in[0], *w = n->in[1];
    gl_tensor *gp = gl__act_grad(ctx, g, n->out, (gl_act)n->i[0], n->f[0]);
    if (want[0]) {
        gin[0] = gl__as_shape(ctx, gl_matmul(ctx, gp, w, 0, 0), x);
    }
    if (want[1])
        gin[1] = gl_matmul(ctx, gp, x->ndim == 2 ? x : gl_flatten(ctx, x), 1, 0);
    if (want[2]) {
        gin[2] = gl__as_shape(ctx, gl__reduce(ctx, gp, GL__CHANNELS, 1), n->in[2]);
    }
    return GL_OK;
}

/* op_norm.c - batch norm (train and eval) and layer norm.
 *
 * Batch norm, train, per channel c over its m = B*S values (S = H W, or 1 for (B, C)):
 *     mu, var (biased) -> xhat = (x - mu) / sqrt(var + eps),  y = w xhat + b;
 *     running_mean = (1 - mom) running_mean + mom mu,
 *     running_var  = (1 - mom) running_var  + mom var m / (m - 1)        (as torch).
 *     dx = istd / m (m gx - sum gx - xhat sum(gx xhat)) with gx = g w;  dw = sum g xhat;  db = sum
 * g. It has no second-order rule: a batch-normalised critic cannot carry a gradient penalty (the
 *   penalty is per-sample and batch statistics mix samples); gl_grad with create_graph refuses it.
 * Batch norm, eval: y = x (w istd) + (b - mu w istd) with running statistics as constants, built
 *   from recorded ops, so it differentiates to any order.
 * Layer norm over each item (all non-batch dims, D values), torch.nn.LayerNorm(x.shape[1:]):
 *     same xhat per row, y = w xhat + b with w, b shaped like an item;
 *     dx = istd (gx - mean gx - xhat mean(gx xhat)),  dw = sum_b g xhat,  db = sum_b g.
 *   Its second-order rule rebuilds xhat and istd from x with recorded ops, then applies that
 * formula. Statistics are accumulated in double, in a fixed order; batch norm's channels and
 * layer norm's rows (forward) are independent, so they are split over the engine's threads, each
 * channel or row summed by one thread in that order.
 */
#include "engine.h"

#include <tgmath.h>

typedef struct bn_geom {
    size_t b, c, s;
} bn_geom;

static bn_geom bn_geom_of(const gl_tensor *x)
{
    bn_geom g = {(size_t)x->shape[0], (size_t)x->shape[1],
                 x->n / ((size_t)x->shape[0] * x->shape[1])};
    return g;
}

/* Pointer to element (b, c, 0) of x laid out as g. */
#define BN_AT(p, g, bb, cc) ((p) + ((bb) * (g).c + (cc)) * (g).s)

/* Channels per block of the (B, C) kernels below: their sums sit in two small arrays while the
 * block's rows stream through. */
#define BN_BLOCK 64

/* Batch norm's forward on (B, C) for channels [c0, c0 + n): the loop below for S = 1, rows
 * outer so that the channel loops are contiguous and vectorise (the channel-outer loop read a
 * float per cache line, which made batch norm a tenth of a conditional MLP step). Each channel's
 * sums take its values in the same order, so the bytes are those of the general loop. */
static void bn_train_rows(const gl_real *x, gl_real *y, gl_real *stats, bn_geom g, size_t c0,
                          size_t n, const gl_tensor *w, const gl_tensor *b, gl_tensor *rm,
                          gl_tensor *rv, gl_real momentum, gl_real eps)
{
    double sum[BN_BLOCK] = {0}, sq[BN_BLOCK] = {0}, mu[BN_BLOCK];
    gl_real mf[BN_BLOCK], istd[BN_BLOCK], wc[BN_BLOCK], bc[BN_BLOCK];
    for (size_t bb = 0; bb < g.b; bb++)
        for (size_t j = 0; j < n; j++)
            sum[j] += x[bb * g.c + c0 + j];
    for (size_t j = 0; j < n; j++)
        mu[j] = sum[j] / (double)g.b;
    for (size_t bb = 0; bb < g.b; bb++)
        for (size_t j = 0; j < n; j++) {
            double d = x[bb * g.c + c0 + j] - mu[j];
            sq[j] += d * d;
        }
    for (size_t j = 0; j < n; j++) {
        size_t c = c0 + j;
        double var = sq[j] / (double)g.b;
        istd[j] = (gl_real)(1 / sqrt(var + eps));
        mf[j] = stats[c] = (gl_real)mu[j];
        stats[g.c + c] = istd[j];
        wc[j] = w ? w->data[c] : 1;
        bc[j] = b ? b->data[c] : 0;
        rm->data[c] = (1 - momentum) * rm->data[c] + momentum * (gl_real)mu[j];
        rv->data[c] = (1 - momentum) * rv->data[c] +
                      momentum * (gl_real)(var * (double)g.b / (double)(g.b - 1));
    }
    for (size_t bb = 0; bb < g.b; bb++)
        for (size_t j = 0; j < n; j++)
            y[bb * g.c + c0 + j] = (x[bb * g.c + c0 + j] - mf[j]) * istd[j] * wc[j] + bc[j];
}

static gl_tensor *batch_norm_train(gl_ctx *ctx, gl_tensor *x, gl_tensor *w, gl_tensor *b,
                                   gl_tensor *rm, gl_tensor *rv, gl_real momentum, gl_real eps)
{
    bn_geom g = bn_geom_of(x);
    size_t m = g.b * g.s;
    if (m < 2)
        return gl__fail(ctx, "batch_norm", "train mode needs at least 2 values per channel");
    gl_tensor *y = gl__tensor_like(ctx, x, 0);
    gl_real *stats = gl__arena(ctx, 2 * g.c * sizeof *stats); /* mean (C), istd (C) */
    if (!y || !stats)
        return NULL;
    if (g.s == 1) {
        size_t blocks = (g.c + BN_BLOCK - 1) / BN_BLOCK;
        GL__SPLIT(x->n, GL__SPLIT_CHEAP / 4)
        for (size_t k = 0; k < blocks; k++) {
            size_t c0 = k * BN_BLOCK, n = g.c - c0 < BN_BLOCK ? g.c - c0 : BN_BLOCK;
            bn_train_rows(x->data, y->data, stats, g, c0, n, w, b, rm, rv, momentum, eps);
        }
        goto record;
    }
    GL__SPLIT(x->n, GL__SPLIT_CHEAP / 4)
    for (size_t c = 0; c < g.c; c++) {
        double sum = 0, sq = 0;
        for (size_t bb = 0; bb < g.b; bb++) {
            const gl_real *p = BN_AT(x->data, g, bb, c);
            for (size_t s = 0; s < g.s; s++)
                sum += p[s];
        }
        double mu = sum / (double)m;
        for (size_t bb = 0; bb < g.b; bb++) {
            const gl_real *p = BN_AT(x->data, g, bb, c);
            for (size_t s = 0; s < g.s; s++)
                sq += (p[s] - mu) * (p[s] - mu);
        }
        double var = sq / (double)m;
        gl_real istd = (gl_real)(1 / sqrt(var + eps));
        stats[c] = (gl_real)mu;
        stats[g.c + c] = istd;
        gl_real wc = w ? w->data[c] : 1, bc = b ? b->data[c] : 0;
        for (size_t bb = 0; bb < g.b; bb++) {
            const gl_real *p = BN_AT(x->data, g, bb, c);
            gl_real *q = BN_AT(y->data, g, bb, c);
            for (size_t s = 0; s < g.s; s++)
                q[s] = (p[s] - stats[c]) * istd * wc + bc;
        }
        rm->data[c] = (1 - momentum) * rm->data[c] + momentum * (gl_real)mu;
        rv->data[c] = (1 - momentum) * rv->data[c] +
                      momentum * (gl_real)(var * (double)m / (double)(m - 1));
    }
record:;
    gl_tensor *in[3] = {x, w, b};
    gl_node *node = gl__record(ctx, GL__OP_BATCH_NORM, y, 3, in);
    if (node)
        node->aux = stats;
    return y;
}

/* Eval mode from recorded ops: the running statistics enter as constants. */
static gl_tensor *batch_norm_eval(gl_ctx *ctx, gl_tensor *x, gl_tensor *w, gl_tensor *b,
                                  gl_tensor *rm, gl_tensor *rv, gl_real eps)
{
    int c = x->shape[1];
    gl_tensor *istd = gl__tensor(ctx, 1, &c, 0), *shift = gl__tensor(ctx, 1, &c, 0);
    if (!istd || !shift)
        return NULL;
    for (int i = 0; i < c; i++) {
        istd->data[i] = 1 / sqrt(rv->data[i] + eps);
        shift->data[i] = -rm->data[i] * istd->data[i];
    }
    gl_tensor *a = w ? gl_mul(ctx, w, istd) : istd;
    gl_tensor *off = w ? gl_mul(ctx, w, shift) : shift;
    if (b)
        off = gl_add(ctx, off, b);
    return gl_add_bias(ctx, gl_mul(ctx, x, gl_expand(ctx, a, x)), off);
}

gl_tensor *gl_batch_norm(gl_ctx *ctx, gl_tensor *x, gl_tensor *w, gl_tensor *b,
                         gl_tensor *running_mean, gl_tensor *running_var, int train,
                         gl_real momentum, gl_real eps)
{
    if (!x || !running_mean || !running_var)
        return NULL;
    size_t c = x->ndim >= 2 ? (size_t)x->shape[1] : 0;
    if (x->ndim < 2 || running_mean->n != c || running_var->n != c || (w && w->n != c) ||
        (b && b->n != c) || (w && w->ndim != 1) || (b && b->ndim != 1)) {
        char sx[64];
        return gl__fail(ctx, "batch_norm",
                        "input %s needs 1-D weight, bias and running stats "
                        "with one value per channel",
                        gl__shape_str(x, sx, sizeof sx));
    }
    return train ? batch_norm_train(ctx, x, w, b, running_mean, running_var, momentum, eps)
                 : batch_norm_eval(ctx, x, w, b, running_mean, running_var, eps);
}

/* The backward below on (B, C) for channels [c0, c0 + n), rows outer (as bn_train_rows). */
static void bn_fast_rows(const gl_real *x, const gl_real *g, const gl_real *stats, bn_geom gm,
                         size_t c0, size_t n, const gl_tensor *w, gl_real *const *gin)
{
    double sg[BN_BLOCK] = {0}, sgx[BN_BLOCK] = {0};
    gl_real k[BN_BLOCK], a[BN_BLOCK], bcoef[BN_BLOCK];
    const gl_real *mu = stats + c0, *istd = stats + gm.c + c0;
    for (size_t bb = 0; bb < gm.b; bb++)
        for (size_t j = 0; j < n; j++) {
            gl_real q = g[bb * gm.c + c0 + j], p = x[bb * gm.c + c0 + j];
            sg[j] += q;
            sgx[j] += q * (p - mu[j]) * istd[j];
        }
    for (size_t j = 0; j < n; j++) {
        k[j] = (w ? w->data[c0 + j] : 1) * istd[j];
        a[j] = (gl_real)(sg[j] / (double)gm.b);
        bcoef[j] = (gl_real)(sgx[j] / (double)gm.b);
        if (gin[1])
            gin[1][c0 + j] += (gl_real)sgx[j];
        if (gin[2])
            gin[2][c0 + j] += (gl_real)sg[j];
    }
    if (!gin[0])
        return;
    for (size_t bb = 0; bb < gm.b; bb++)
        for (size_t j = 0; j < n; j++) {
            size_t i = bb * gm.c + c0 + j;
            gin[0][i] += k[j] * (g[i] - a[j] - (x[i] - mu[j]) * istd[j] * bcoef[j]);
        }
}

void gl__batch_norm_fast(gl_ctx *ctx, gl_node *n, const gl_real *g, gl_real *const *gin)
{
    const gl_tensor *x = n->in[0], *w = n->in[1];
    bn_geom gm = bn_geom_of(x);
    const gl_real *stats = n->aux;
    double m = (double)(gm.b * gm.s);
    if (gm.s == 1) {
        size_t blocks = (gm.c + BN_BLOCK - 1) / BN_BLOCK;
        GL__SPLIT(x->n, GL__SPLIT_CHEAP / 4)
        for (size_t k = 0; k < blocks; k++) {
            size_t c0 = k * BN_BLOCK, len = gm.c - c0 < BN_BLOCK ? gm.c - c0 : BN_BLOCK;
            bn_fast_rows(x->data, g, stats, gm, c0, len, w, gin);
        }
        return;
    }
    GL__SPLIT(x->n, GL__SPLIT_CHEAP / 4)
    for (size_t c = 0; c < gm.c; c++) {
        gl_real mu = stats[c], istd = stats[gm.c + c], wc = w ? w->data[c] : 1;
        double sg = 0, sgx = 0; /* sum g, sum g xhat */
        for (size_t bb = 0; bb < gm.b; bb++) {
            const gl_real *p = BN_AT(x->data, gm, bb, c), *q = BN_AT(g, gm, bb, c);
            for (size_t s = 0; s < gm.s; s++) {
                sg += q[s];
                sgx += q[s] * (p[s] - mu) * istd;
            }
        }
        if (gin[0]) {
            gl_real k = wc * istd, a = (gl_real)(sg / m), bcoef = (gl_real)(sgx / m);
            for (size_t bb = 0; bb < gm.b; bb++) {
                const gl_real *p = BN_AT(x->data, gm, bb, c), *q = BN_AT(g, gm, bb, c);
                gl_real *d = BN_AT(gin[0], gm, bb, c);
                for (size_t s = 0; s < gm.s; s++)
                    d[s] += k * (q[s] - a - (p[s] - mu) * istd * bcoef);
            }
        }
        if (gin[1])
            gin[1][c] += (gl_real)sgx;
        if (gin[2])
            gin[2][c] += (gl_real)sg;
    }
}

/* ---------------------------------------------------------------- layer norm */

gl_tensor *gl_layer_norm(gl_ctx *ctx, gl_tensor *x, gl_tensor *w, gl_tensor *b, gl_real eps)
{
    if (!x)
        return NULL;
    size_t d = x->ndim >= 2 ? gl__cols(x) : 0;
    if (x->ndim < 2 || (w && w->n != d) || (b && b->n != d)) {
        char sx[64];
        return gl__fail(ctx, "layer_norm", "input %s needs weight and bias of one item's size",
                        gl__shape_str(x, sx, sizeof sx));
    }
    int rows = gl__rows(x);
    gl_tensor *y = gl__tensor_like(ctx, x, 0);
    gl_real *stats = gl__arena(ctx, 2 * (size_t)rows * sizeof *stats); /* mean (B), istd (B) */
    if (!y || !stats)
        return NULL;
    GL__SPLIT(x->n, GL__SPLIT_CHEAP / 4)
    for (int r = 0; r < rows; r++) {
        const gl_real *p = x->data + (size_t)r * d;
        gl_real *q = y->data + (size_t)r * d;
        double sum = 0, sq = 0;
        for (size_t j = 0; j < d; j++)
            sum += p[j];
        double mu = sum / (double)d;
        for (size_t j = 0; j < d; j++)
            sq += (p[j] - mu) * (p[j] - mu);
        gl_real istd = (gl_real)(1 / sqrt(sq / (double)d + eps));
        stats[r] = (gl_real)mu;
        stats[rows + r] = istd;
        for (size_t j = 0; j < d; j++)
            q[j] = (p[j] - stats[r]) * istd * (w ? w->data[j] : 1) + (b ? b->data[j] : 0);
    }
    gl_tensor *in[3] = {x, w, b};
    gl_node *node = gl__record(ctx, GL__OP_LAYER_NORM, y, 3, in);
    if (node) {
        node->aux = stats;
        node->f[0] = eps;
    }
    return y;
}

void gl__layer_norm_fast(gl_ctx *ctx, gl_node *n, const gl_real *g, gl_real *const *gin)
{
    const gl_tensor *x = n->in[0], *w = n->in[1];
    const gl_real *stats = n->aux;
    int rows = gl__rows(x);
    size_t d = gl__cols(x);
    for (int r = 0; r < rows; r++) {
        const gl_real *p = x->data + (size_t)r * d, *q = g + (size_t)r * d;
        gl_real mu = stats[r], istd = stats[rows + r];
        double sgx = 0, sgxx = 0; /* sum gx, sum gx xhat, gx = g w */
        for (size_t j = 0; j < d; j++) {
            gl_real gx = q[j] * (w ? w->data[j] : 1);
            sgx += gx;
            sgxx += gx * (p[j] - mu) * istd;
        }
        gl_real a = (gl_real)(sgx / (double)d), c = (gl_real)(sgxx / (double)d);
        for (size_t j = 0; j < d; j++) {
            gl_real xhat = (p[j] - mu) * istd;
            if (gin[0])
                gin[0][(size_t)r * d + j] += istd * (q[j] * (w ? w->data[j] : 1) - a - xhat * c);
            if (gin[1])
                gin[1][j] += q[j] * xhat;
            if (gin[2])
                gin[2][j] += q[j];
        }
    }
}

int gl__layer_norm_graph(gl_ctx *ctx, gl_node *n, gl_tensor *g, const unsigned char *want,
                         gl_tensor **gin)
{
    gl_tensor *x = gl_flatten(ctx, n->in[0]), *w = n->in[1]; /* (B, D) */
    gl_tensor *g2 = gl_flatten(ctx, g);
    int d = x ? x->shape[1] : 1;
    gl_tensor *xc = gl_sub(ctx, x, gl__expand(ctx, gl_row_mean(ctx, x), x, GL__ROWS, 1));
    gl_tensor *var = gl_row_mean(ctx, gl_square(ctx, xc));
    gl_tensor *istd = gl_recip0(ctx, gl_sqrt(ctx, gl_add_scalar(ctx, var, n->f[0]))); /* (B, 1) */
    gl_tensor *xhat = gl_mul(ctx, xc, gl__expand(ctx, istd, x, GL__ROWS, 1));
    if (want[0]) {
        gl_tensor *gx = g2;
        if (w)
            gx = gl_mul(ctx, g2, gl__expand(ctx, gl_reshape(ctx, w, 1, &d), g2, GL__CHANNELS, 1));
        gl_tensor *m1 = gl__expand(ctx, gl_row_mean(ctx, gx), x, GL__ROWS, 1);
        gl_tensor *m2 = gl__expand(ctx, gl_row_mean(ctx, gl_mul(ctx, gx, xhat)), x, GL__ROWS, 1);
        gl_tensor *inner = gl_sub(ctx, gl_sub(ctx, gx, m1), gl_mul(ctx, xhat, m2));
        gin[0] = gl__as_shape(ctx, gl_mul(ctx, gl__expand(ctx, istd, x, GL__ROWS, 1), inner),
                              n->in[0]);
    }
    if (want[1])
        gin[1] = gl__as_shape(ctx, gl__reduce(ctx, gl_mul(ctx, g2, xhat), GL__CHANNELS, 1), w);
    if (want[2])
        gin[2] = gl__as_shape(ctx, gl__reduce(ctx, g2, GL__CHANNELS, 1), n->in[2]);
    return GL_OK;
}

/* op_shape.c - ops that move data without arithmetic: reshape (a view: shares the data), flatten,
 * concat along dim 1, column slices, one-hot rows and embedding lookup (row gather) with its
 * adjoint (row scatter-add).
 *
 * Rules: reshape: g reshaped back;  concat: the matching column slice of g for each input;
 * slice: g placed between zero columns (a concat with constants);  gather: scatter-add of g into
 * the table's rows;  scatter: gather of g. Each pair is adjoint, so every rule differentiates
 * again. Labels are copied into the context, so the caller's array need not outlive the op.
 */
#include "engine.h"

#include <string.h>

gl_tensor *gl__view(gl_ctx *ctx, gl_tensor *x, int ndim, const int *shape)
{
    gl_tensor *t = gl__arena(ctx, sizeof *t);
    if (!t)
        return NULL;
    memset(t, 0, sizeof *t);
    t->ndim = ndim;
    for (int i = 0; i < GL_MAX_DIMS; i++)
        t->shape[i] = i < ndim ? shape[i] : 1;
    t->n = x->n;
    t->data = x->data;
    t->name = "";
    return t;
}

gl_tensor *gl_reshape(gl_ctx *ctx, gl_tensor *x, int ndim, const int *shape)
{
    if (!x)
        return NULL;
    size_t n = 1;
    for (int i = 0; i < ndim; i++)
        n *= shape[i] > 0 ? (size_t)shape[i] : 0;
    if (ndim < 1 || ndim > GL_MAX_DIMS || n != x->n) {
        char sx[64];
        return gl__fail(ctx, "reshape", "cannot view %s as %d-D with %zu elements",
                        gl__shape_str(x, sx, sizeof sx), ndim, n);
    }
    gl_tensor *y = gl__view(ctx, x, ndim, shape);
    if (y)
        gl__record(ctx, GL__OP_RESHAPE, y, 1, &x);
    return y;
}

gl_tensor *gl_flatten(gl_ctx *ctx, gl_tensor *x)
{
    if (!x)
        return NULL;
    int shape[2] = {x->shape[0], (int)gl__cols(x)};
    return gl_reshape(ctx, x, 2, shape);
}

gl_tensor *gl__as_shape(gl_ctx *ctx, gl_tensor *t, const gl_tensor *like)
{
    if (!t || gl__same_shape(t, like))
        return t;
    return gl_reshape(ctx, t, like->ndim, like->shape);
}

void gl__reshape_fast(gl_ctx *ctx, gl_node *n, const gl_real *g, gl_real *const *gin)
{
    for (size_t i = 0; i < n->out->n; i++)
        gin[0][i] += g[i];
}

int gl__reshape_graph(gl_ctx *ctx, gl_node *n, gl_tensor *g, const unsigned char *want,
                      gl_tensor **gin)
{
    gin[0] = gl__as_shape(ctx, g, n->in[0]);
    return GL_OK;
}

/* ---------------------------------------------------------------- concat and slice */

gl_tensor *gl_concat(gl_ctx *ctx, int n, gl_tensor *const *xs)
{
    if (n < 1)
        return gl__fail(ctx, "concat", "no inputs");
    for (int i = 0; i < n; i++)
        if (!xs[i])
            return NULL;
    const gl_tensor *x0 = xs[0];
    int shape[GL_MAX_DIMS] = {x0->shape[0], 0, x0->shape[2], x0->shape[3]};
    for (int i = 0; i < n; i++) {
        const gl_tensor *x = xs[i];
        if (x->ndim < 2 || x->ndim != x0->ndim || x->shape[0] != x0->shape[0] ||
            x->shape[2] != x0->shape[2] || x->shape[3] != x0->shape[3]) {
            char s0[64], si[64];
            return gl__fail(ctx, "concat", "input %d %s does not fit input 0 %s along dim 1", i,
                            gl__shape_str(x, si, sizeof si), gl__shape_str(x0, s0, sizeof s0));
        }
        shape[1] += x->shape[1];
    }
    gl_tensor *y = gl__tensor(ctx, x0->ndim, shape, 0);
    if (!y)
        return NULL;
    size_t row = gl__cols(y), off = 0;
    for (int i = 0; i < n; i++) {
        size_t cols = gl__cols(xs[i]);
        for (int b = 0; b < shape[0]; b++)
            memcpy(y->data + (size_t)b * row + off, xs[i]->data + (size_t)b * cols,
                   cols * sizeof(gl_real));
        off += cols;
    }
    gl__record(ctx, GL__OP_CONCAT, y, n, xs);
    return y;
}

void gl__concat_fast(gl_ctx *ctx, gl_node *n, const gl_real *g, gl_real *const *gin)
{
    size_t row = gl__cols(n->out), off = 0;
    for (int i = 0; i < n->n_in; i++) {
        size_t cols = gl__cols(n->in[i]);
        if (gin[i])
            for (int b = 0; b < gl__rows(n->out); b++)
                for (size_t j = 0; j < cols; j++)
                    gin[i][(size_t)b * cols + j] += g[(size_t)b * row + off + j];
        off += cols;
    }
}

int gl__concat_graph(gl_ctx *ctx, gl_node *n, gl_tensor *g, const unsigned char *want,
                     gl_tensor **gin)
{
    int off = 0;
    for (int i = 0; i < n->n_in; i++) {
        int cols = (int)gl__cols(n->in[i]);
        if (want[i])
            gin[i] = gl__as_shape(ctx, gl_slice_cols(ctx, g, off, cols), n->in[i]);
        off += cols;
    }
    return GL_OK;
}

gl_tensor *gl_slice_cols(gl_ctx *ctx, gl_tensor *x, int off, int len)
{
    if (!x)
        return NULL;
    size_t cols = gl__cols(x);
    if (x->ndim < 2 || off < 0 || len < 1 || (size_t)off + (size_t)len > cols) {
        char sx[64];
        return gl__fail(ctx, "slice_cols", "columns [%d, %d) out of the rows of %s", off, off + len,
                        gl__shape_str(x, sx, sizeof sx));
    }
    int shape[2] = {x->shape[0], len};
    gl_tensor *y = gl__tensor(ctx, 2, shape, 0);
    if (!y)
        return NULL;
    for (int b = 0; b < shape[0]; b++)
        memcpy(y->data + (size_t)b * len, x->data + (size_t)b * cols + off,
               (size_t)len * sizeof(gl_real));
    gl_node *node = gl__record(ctx, GL__OP_SLICE, y, 1, &x);
    if (node)
        node->i[0] = off;
    return y;
}

void gl__slice_fast(gl_ctx *ctx, gl_node *n, const gl_real *g, gl_real *const *gin)
{
    size_t cols = gl__cols(n->in[0]), len = gl__cols(n->out), off = (size_t)n->i[0];
    for (int b = 0; b < gl__rows(n->out); b++)
        for (size_t j = 0; j < len; j++)
            gin[0][(size_t)b * cols + off + j] += g[(size_t)b * len + j];
}

int gl__slice_graph(gl_ctx *ctx, gl_node *n, gl_tensor *g, const unsigned char *want,
                    gl_tensor **gin)
{
    gl_tensor *x = n->in[0];
    int rows = gl__rows(x), cols = (int)gl__cols(x), off = n->i[0], len = (int)gl__cols(n->out);
    gl_tensor *parts[3];
    int k = 0;
    int before[2] = {rows, off}, after[2] = {rows, cols - off - len};
    if (off > 0)
        parts[k++] = gl__tensor(ctx, 2, before, 1);
    parts[k++] = g;
    if (after[1] > 0)
        parts[k++] = gl__tensor(ctx, 2, after, 1);
    gin[0] = gl__as_shape(ctx, gl_concat(ctx, k, parts), x);
    return GL_OK;
}

/* ---------------------------------------------------------------- labels */

gl_tensor *gl_one_hot(gl_ctx *ctx, const int32_t *labels, int batch, int n_classes)
{
    int shape[2] = {batch, n_classes};
    gl_tensor *y = gl__tensor(ctx, 2, shape, 1);
    if (!y)
        return NULL;
    for (int b = 0; b < batch; b++) {
        if (labels[b] < 0 || labels[b] >= n_classes)
            return gl__fail(ctx, "one_hot", "label %d of item %d is not in [0, %d)", (int)labels[b],
                            b, n_classes);
        y->data[(size_t)b * n_classes + labels[b]] = 1;
    }
    return y;
}

/* Copies labels into ctx after checking them against n_rows. */
static int32_t *keep_labels(gl_ctx *ctx, const char *op, const int32_t *labels, int batch,
                            int n_rows)
{
    for (int b = 0; b < batch; b++)
        if (labels[b] < 0 || labels[b] >= n_rows)
            return gl__fail(ctx, op, "label %d of item %d is not in [0, %d)", (int)labels[b], b,
                            n_rows);
    int32_t *copy = gl__arena(ctx, (size_t)batch * sizeof *copy);
    if (copy)
        memcpy(copy, labels, (size_t)batch * sizeof *copy);
    return copy;
}

/* out[labels[b]] += src[b] (rows of e) */
static void scatter_acc(gl_real *out, const gl_real *src, const int32_t *labels, int batch,
                        size_t e)
{
    for (int b = 0; b < batch; b++)
        for (size_t j = 0; j < e; j++)
            out[(size_t)labels[b] * e + j] += src[(size_t)b * e + j];
}

/* out[b] += src[labels[b]] */
static void gather_acc(gl_real *out, const gl_real *src, const int32_t *labels, int batch, size_t e)
{
    for (int b = 0; b < batch; b++)
        for (size_t j = 0; j < e; j++)
            out[(size_t)b * e + j] += src[(size_t)labels[b] * e + j];
}

gl_tensor *gl_embedding(gl_ctx *ctx, gl_tensor *table, const int32_t *labels, int batch)
{
    if (!table)
        return NULL;
    if (table->ndim != 2)
        return gl__fail(ctx, "embedding", "table must be (n, dim), got %d-D", table->ndim);
    int32_t *lab = keep_labels(ctx, "embedding", labels, batch, table->shape[0]);
    int shape[2] = {batch, table->shape[1]};
    gl_tensor *y = lab ? gl__tensor(ctx, 2, shape, 1) : NULL;
    if (!y)
        return NULL;
    gather_acc(y->data, table->data, lab, batch, (size_t)shape[1]);
    gl_node *node = gl__record(ctx, GL__OP_GATHER_ROWS, y, 1, &table);
    if (node)
        node->aux = lab;
    return y;
}

gl_tensor *gl__scatter_rows(gl_ctx *ctx, gl_tensor *g, const int32_t *labels, int n_rows)
{
    if (!g)
        return NULL;
    int batch = g->shape[0];
    int32_t *lab = keep_labels(ctx, "scatter_rows", labels, batch, n_rows);
    int shape[2] = {n_rows, g->shape[1]};
    gl_tensor *y = lab ? gl__tensor(ctx, 2, shape, 1) : NULL;
    if (!y)
        return NULL;
    scatter_acc(y->data, g->data, lab, batch, (size_t)shape[1]);
    gl_node *node = gl__record(ctx, GL__OP_SCATTER_ROWS, y, 1, &g);
    if (node)
        node->aux = lab;
    return y;
}

void gl__gather_rows_fast(gl_ctx *ctx, gl_node *n, const gl_real *g, gl_real *const *gin)
{
    scatter_acc(gin[0], g, n->aux, n->out->shape[0], (size_t)n->out->shape[1]);
}

int gl__gather_rows_graph(gl_ctx *ctx, gl_node *n, gl_tensor *g, const unsigned char *want,
                          gl_tensor **gin)
{
    gin[0] = gl__scatter_rows(ctx, g, n->aux, n->in[0]->shape[0]);
    return GL_OK;
}

void gl__scatter_rows_fast(gl_ctx *ctx, gl_node *n, const gl_real *g, gl_real *const *gin)
{
    gather_acc(gin[0], g, n->aux, n->in[0]->shape[0], (size_t)n->out->shape[1]);
}

int gl__scatter_rows_graph(gl_ctx *ctx, gl_node *n, gl_tensor *g, const unsigned char *want,
                           gl_tensor **gin)
{
    gin[0] = gl_embedding(ctx, g, n->aux, n->in[0]->shape[0]);
    return GL_OK;
}

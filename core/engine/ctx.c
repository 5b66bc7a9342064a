/* ctx.c - the per-step context: an arena of chunks, the tape, the sticky op error, and tensor
 * creation and accessors.
 *
 * The arena hands out memory from a list of chunks. gl_ctx_reset rewinds every chunk and keeps
 * them: a step that asks for the same sizes in the same order as the previous one lands in exactly
 * the same places, so from the second step on nothing is allocated. A request that does not fit the
 * current chunk moves to the next kept chunk, and past the last one a new chunk (at least twice the
 * previous) is allocated. It does not free individual allocations or compact chunks.
 */
#include "engine.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#define CHUNK_MIN ((size_t)1 << 20)

struct gl__chunk {
    gl__chunk *next;
    size_t size, used;   /* bytes of data */
    unsigned char *data; /* GL__ALIGN-aligned */
};

gl_ctx *gl_ctx_create(void)
{
    gl_ctx *ctx = gl__calloc(1, sizeof *ctx);
    if (ctx)
        ctx->grad_enabled = 1;
    return ctx;
}

void gl_ctx_reset(gl_ctx *ctx)
{
    for (gl__chunk *c = ctx->chunks; c; c = c->next)
        c->used = 0;
    ctx->cur = ctx->chunks;
    ctx->head = ctx->tail = NULL;
    ctx->grad_enabled = 1;
    ctx->fp32_products = 0;
    ctx->status = GL_OK;
    ctx->msg[0] = '\0';
}

void gl_ctx_destroy(gl_ctx *ctx)
{
    if (!ctx)
        return;
    gl__chunk *c = ctx->chunks;
    while (c) {
        gl__chunk *next = c->next;
        gl__free(c->data);
        gl__free(c);
        c = next;
    }
    gl__free(ctx);
}

int gl_ctx_status(const gl_ctx *ctx, gl_error *err)
{
    if (ctx->status != GL_OK)
        gl_error_add(err, ctx->status, "engine: %s", ctx->msg);
    return ctx->status;
}

int gl_ctx_set_grad_enabled(gl_ctx *ctx, int enabled)
{
    int old = ctx->grad_enabled;
    ctx->grad_enabled = enabled != 0;
    return old;
}

size_t gl_ctx_arena_bytes(const gl_ctx *ctx)
{
    size_t total = 0;
    for (const gl__chunk *c = ctx->chunks; c; c = c->next)
        total += c->size;
    return total;
}

void *gl__fail(gl_ctx *ctx, const char *op, const char *fmt, ...)
{
    if (ctx->status != GL_OK)
        return NULL;
    ctx->status = GL_ERR_INPUT;
    int k = snprintf(ctx->msg, sizeof ctx->msg, "%s: ", op);
    va_list ap;
    va_start(ap, fmt);
    if (k > 0 && (size_t)k < sizeof ctx->msg)
        vsnprintf(ctx->msg + k, sizeof ctx->msg - (size_t)k, fmt, ap);
    va_end(ap);
    return NULL;
}

static gl__chunk *chunk_new(size_t size)
{
    gl__chunk *c = gl__malloc(sizeof *c);
    if (!c)
        return NULL;
    c->data = gl__malloc(size);
    if (!c->data) {
        gl__free(c);
        return NULL;
    }
    c->next = NULL;
    c->size = size;
    c->used = 0;
    return c;
}

void *gl__arena(gl_ctx *ctx, size_t bytes)
{
    bytes = (bytes + GL__ALIGN - 1) & ~(size_t)(GL__ALIGN - 1);
    gl__chunk *c = ctx->cur, *last = NULL;
    while (c && c->size - c->used < bytes) {
        last = c;
        c = c->next;
    }
    if (!c) {
        if (!last)
            for (last = ctx->chunks; last && last->next; last = last->next)
                ;
        size_t size = last ? 2 * last->size : CHUNK_MIN;
        if (size < bytes)
            size = bytes;
        c = chunk_new(size);
        if (!c)
            return gl__fail(ctx, "arena", "out of memory (%zu bytes)", size);
        if (last)
            last->next = c;
        else
            ctx->chunks = c;
    }
    ctx->cur = c;
    void *p = c->data + c->used;
    c->used += bytes;
    return p;
}

void *gl__arena_zero(gl_ctx *ctx, size_t bytes)
{
    void *p = gl__arena(ctx, bytes);
    if (p)
        memset(p, 0, bytes);
    return p;
}

const char *gl__shape_str(const gl_tensor *t, char *buf, size_t len)
{
    size_t k = 0;
    buf[0] = '\0';
    for (int i = 0; i < t->ndim && k < len; i++)
        k += (size_t)snprintf(buf + k, len - k, "%s%d", i ? ", " : "(", t->shape[i]);
    if (k < len)
        snprintf(buf + k, len - k, ")");
    return buf;
}

int gl__same_shape(const gl_tensor *a, const gl_tensor *b)
{
    if (a->ndim != b->ndim)
        return 0;
    for (int i = 0; i < a->ndim; i++)
        if (a->shape[i] != b->shape[i])
            return 0;
    return 1;
}

gl_tensor *gl__tensor(gl_ctx *ctx, int ndim, const int *shape, int zero)
{
    if (ndim < 1 || ndim > GL_MAX_DIMS)
        return gl__fail(ctx, "tensor", "%d dimensions (1 to %d allowed)", ndim, GL_MAX_DIMS);
    size_t n = 1;
    for (int i = 0; i < ndim; i++) {
        if (shape[i] < 1)
            return gl__fail(ctx, "tensor", "dimension %d is %d (must be >= 1)", i, shape[i]);
        n *= (size_t)shape[i];
    }
    gl_tensor *t = gl__arena(ctx, sizeof *t);
    gl_real *data = zero ? gl__arena_zero(ctx, n * sizeof(gl_real))
                         : gl__arena(ctx, n * sizeof(gl_real));
    if (!t || !data)
        return NULL;
    memset(t, 0, sizeof *t);
    t->ndim = ndim;
    for (int i = 0; i < GL_MAX_DIMS; i++)
        t->shape[i] = i < ndim ? shape[i] : 1;
    t->n = n;
    t->data = data;
    t->name = "";
    return t;
}

gl_tensor *gl__tensor_like(gl_ctx *ctx, const gl_tensor *x, int zero)
{
    return gl__tensor(ctx, x->ndim, x->shape, zero);
}

gl_node *gl__record(gl_ctx *ctx, int op, gl_tensor *out, int n_in, gl_tensor *const *in)
{
    if (!ctx->grad_enabled || !out)
        return NULL;
    int needed = 0;
    for (int i = 0; i < n_in; i++)
        needed |= in[i] && in[i]->requires_grad;
    if (!needed)
        return NULL;
    gl_node *node = gl__arena(ctx, sizeof *node);
    gl_tensor **ins = gl__arena(ctx, (size_t)n_in * sizeof *ins);
    if (!node || !ins)
        return NULL;
    memset(node, 0, sizeof *node);
    memcpy(ins, in, (size_t)n_in * sizeof *ins);
    node->op = op;
    node->n_in = n_in;
    node->in = ins;
    node->out = out;
    node->fp32 = ctx->fp32_products != 0;
    node->prev = ctx->tail;
    if (ctx->tail)
        ctx->tail->next = node;
    else
        ctx->head = node;
    ctx->tail = node;
    out->node = node;
    out->requires_grad = 1;
    return node;
}

/* ---------------------------------------------------------------- public tensor functions */

gl_tensor *gl_tensor_new(gl_ctx *ctx, int ndim, const int *shape)
{
    return gl__tensor(ctx, ndim, shape, 1);
}

gl_tensor *gl_tensor_from(gl_ctx *ctx, int ndim, const int *shape, const gl_real *data)
{
    gl_tensor *t = gl__tensor(ctx, ndim, shape, 0);
    if (t)
        memcpy(t->data, data, t->n * sizeof(gl_real));
    return t;
}

gl_tensor *gl_tensor_full_like(gl_ctx *ctx, const gl_tensor *x, gl_real v)
{
    if (!x)
        return NULL;
    gl_tensor *t = gl__tensor_like(ctx, x, 0);
    if (t)
        for (size_t i = 0; i < t->n; i++)
            t->data[i] = v;
    return t;
}

gl_real *gl_tensor_data(gl_tensor *t)
{
    if (t->is_param)
        t->lowp_version = 0; /* the caller may write: its bf16 copy is stale (bf16.c) */
    return t->data;
}
int gl_tensor_ndim(const gl_tensor *t) { return t->ndim; }
int gl_tensor_dim(const gl_tensor *t, int i) { return i >= 0 && i < t->ndim ? t->shape[i] : 1; }
size_t gl_tensor_numel(const gl_tensor *t) { return t->n; }
const char *gl_tensor_name(const gl_tensor *t) { return t->name ? t->name : ""; }
double gl_tensor_item(const gl_tensor *t) { return (double)t->data[0]; }

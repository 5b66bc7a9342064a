/* autograd.c - the op table and the reverse-mode driver behind gl_grad and gl_backward.
 *
 * A pass: (1) mark the targets (the inputs asked for, or every parameter of the net) and sweep the
 * tape forward, marking each node output that depends on a target ("reach"); (2) seed the outputs'
 * gradients; (3) sweep the tape backward from its current end, and for each node whose output
 * reaches a target and has a gradient, apply the op's rule for the inputs that reach a target.
 * Without create_graph the rule is a kernel that adds into a buffer per input: an arena buffer for
 * intermediates, and for gl_backward a parameter's slice of the net's gradient block (so nothing
 * is copied afterwards). With create_graph the rule builds its result from recorded ops and the
 * driver sums contributions with gl_add; nodes recorded during the sweep are after its start and
 * are not visited. Per-tensor scratch is tagged with the pass id, so nothing needs clearing.
 * Not done: freeing the graph after use (the context is reset per step), retain_graph semantics
 * (a graph can be differentiated any number of times).
 */
#include "engine.h"

#include <string.h>

#define RULE(op, name) [GL__OP_##op] = {#name, gl__##name##_fast, gl__##name##_graph}

const gl__op_def gl__ops[GL__OP_COUNT] = {
    RULE(ADD, add),
    RULE(SUB, sub),
    RULE(MUL, mul),
    RULE(DIV, div),
    RULE(SCALE, scale),
    RULE(ADD_SCALAR, add_scalar),
    RULE(SQUARE, square),
    RULE(SQRT, sqrt),
    RULE(RECIP0, recip0),
    RULE(LEAKY_RELU, leaky_relu),
    RULE(LEAKY_MASK, leaky_mask),
    RULE(TANH, tanh),
    RULE(SIGMOID, sigmoid),
    RULE(SOFTPLUS, softplus),
    RULE(LOG_SIGMOID, log_sigmoid),
    RULE(REDUCE, reduce),
    RULE(EXPAND, expand),
    RULE(ROW_L2NORM, row_l2norm),
    RULE(ADD_BIAS, add_bias),
    RULE(MATMUL, matmul),
    RULE(LINEAR, linear),
    RULE(CONV, conv),
    RULE(CONV_BWD_DATA, conv_bwd_data),
    RULE(CONV_BWD_WEIGHT, conv_bwd_weight),
    [GL__OP_BATCH_NORM] = {"batch_norm (train mode)", gl__batch_norm_fast, NULL},
    RULE(LAYER_NORM, layer_norm),
    RULE(RESHAPE, reshape),
    RULE(CONCAT, concat),
    RULE(SLICE, slice),
    RULE(GATHER_ROWS, gather_rows),
    RULE(SCATTER_ROWS, scatter_rows),
    RULE(BCE_LOGITS, bce_logits),
};

_Static_assert(sizeof gl__ops / sizeof gl__ops[0] == GL__OP_COUNT, "one rule per op");
_Static_assert(GL__OP_BCE_LOGITS == GL__OP_COUNT - 1, "update gl__ops when adding an op");

static uint64_t pass_counter;

typedef struct pass {
    gl_ctx *ctx;
    uint64_t id;
    int graph;   /* create_graph */
    gl_net *net; /* gl_backward: accumulate into this net's gradient block */
} pass;

static void start(gl_tensor *t, uint64_t id)
{
    if (t->pass != id) {
        t->pass = id;
        t->reach = 0;
        t->gbuf = NULL;
        t->gt = NULL;
    }
}

static int reaches(const gl_tensor *t, uint64_t id) { return t && t->pass == id && t->reach; }

static void mark_target(gl_tensor *p, void *ud)
{
    start(p, ((pass *)ud)->id);
    p->reach = 1;
}

static void sweep_forward(pass *ps, gl_node *last)
{
    for (gl_node *n = ps->ctx->head; n; n = n->next) {
        start(n->out, ps->id);
        for (int i = 0; i < n->n_in && !n->out->reach; i++)
            n->out->reach = (unsigned char)reaches(n->in[i], ps->id);
        if (n == last)
            break;
    }
}

/* Where the fast rule adds t's gradient. */
static gl_real *fast_dest(pass *ps, gl_tensor *t)
{
    if (ps->net && gl__is_param_of(t, ps->net))
        return t->grad;
    if (!t->gbuf)
        t->gbuf = gl__arena_zero(ps->ctx, t->n * sizeof(gl_real));
    return t->gbuf;
}

static int seed(pass *ps, gl_tensor *out, gl_tensor *gout, gl_error *err)
{
    if (gout && !gl__same_shape(gout, out)) {
        char so[64], sg[64];
        return gl_error_add(err, GL_ERR_INPUT, "engine: gradient %s given for an output %s",
                            gl__shape_str(gout, sg, sizeof sg), gl__shape_str(out, so, sizeof so));
    }
    if (!gout && out->n != 1)
        return gl_error_add(err, GL_ERR_INPUT,
                            "engine: an output with %zu elements needs a grad_output", out->n);
    if (!reaches(out, ps->id))
        return GL_OK;
    if (ps->graph) {
        gl_tensor *g = gout ? gout : gl_tensor_full_like(ps->ctx, out, 1);
        out->gt = out->gt ? gl_add(ps->ctx, out->gt, g) : g;
    } else {
        gl_real *d = fast_dest(ps, out);
        for (size_t i = 0; d && i < out->n; i++)
            d[i] += gout ? gout->data[i] : 1;
    }
    return GL_OK;
}

/* Applies n's rule for the inputs in want: a graph rule whose results are summed into the inputs'
 * gradient tensors, or a kernel adding into their buffers. */
static int apply_rule(pass *ps, gl_node *n, const unsigned char *want, gl_error *err)
{
    gl_ctx *ctx = ps->ctx;
    const gl__op_def *def = &gl__ops[n->op];
    if (ps->graph) {
        if (!def->graph)
            return gl_error_add(err, GL_ERR_INPUT,
                                "engine: op %s has no second-order rule, so it cannot be "
                                "differentiated with create_graph (a gradient penalty)",
                                def->name);
        gl_tensor *gin[n->n_in];
        memset(gin, 0, sizeof gin);
        int rc = def->graph(ctx, n, n->out->gt, want, gin);
        if (rc != GL_OK)
            return gl_error_add(err, rc, "engine: op %s: second-order rule failed", def->name);
        for (int i = 0; i < n->n_in; i++)
            if (want[i] && gin[i]) {
                gl_tensor *t = n->in[i];
                t->gt = t->gt ? gl_add(ctx, t->gt, gin[i]) : gin[i];
            }
    } else {
        gl_real *gin[n->n_in];
        for (int i = 0; i < n->n_in; i++)
            gin[i] = want[i] ? fast_dest(ps, n->in[i]) : NULL;
        if (ctx->status == GL_OK)
            def->fast(ctx, n, n->out->gbuf, gin);
    }
    return GL_OK;
}

static int sweep_backward(pass *ps, gl_node *last, gl_error *err)
{
    gl_ctx *ctx = ps->ctx;
    for (gl_node *n = last; n; n = n->prev) {
        gl_tensor *out = n->out;
        if (!reaches(out, ps->id) || !(ps->graph ? out->gt != NULL : out->gbuf != NULL))
            continue;
        unsigned char want[n->n_in];
        int any = 0;
        for (int i = 0; i < n->n_in; i++)
            any |= want[i] = (unsigned char)reaches(n->in[i], ps->id);
        if (!any)
            continue;
        /* A gradient graph's node keeps its fp32 products when it is differentiated. */
        ctx->fp32_products += n->fp32;
        int rc = apply_rule(ps, n, want, err);
        ctx->fp32_products -= n->fp32;
        if (rc != GL_OK)
            return rc;
        if (ctx->status != GL_OK)
            break;
    }
    return gl_ctx_status(ctx, err);
}

static int check_ctx(gl_ctx *ctx, gl_error *err)
{
    if (ctx->status != GL_OK)
        return gl_error_add(err, ctx->status, "engine: cannot differentiate after an op error: %s",
                            ctx->msg);
    return GL_OK;
}

int gl_grad(gl_ctx *ctx, int n_out, gl_tensor *const *outs, gl_tensor *const *grad_outs, int n_in,
            gl_tensor *const *ins, gl_tensor **grads, int create_graph, gl_error *err)
{
    if (check_ctx(ctx, err) != GL_OK)
        return ctx->status;
    for (int i = 0; i < n_in; i++) {
        grads[i] = NULL;
        if (!ins[i] || !ins[i]->requires_grad)
            return gl_error_add(err, GL_ERR_INPUT,
                                "engine: grad input %d %s; call gl_tensor_set_requires_grad "
                                "before using it",
                                i, ins[i] ? "does not require a gradient" : "is NULL");
    }
    for (int j = 0; j < n_out; j++)
        if (!outs[j])
            return gl_error_add(err, GL_ERR_INPUT, "engine: grad output %d is NULL", j);
    pass ps = {ctx, ++pass_counter, create_graph != 0, NULL};
    gl_node *last = ctx->tail;
    for (int i = 0; i < n_in; i++)
        mark_target(ins[i], &ps);
    sweep_forward(&ps, last);
    for (int j = 0; j < n_out; j++)
        if (seed(&ps, outs[j], grad_outs ? grad_outs[j] : NULL, err) != GL_OK)
            return err ? err->status : GL_ERR_INPUT;
    /* A gradient graph (a penalty's) is built with fp32 products, and its nodes say so, so that
     * differentiating it later keeps them fp32 (docs/engine.md, "Backends and precision"). */
    ctx->fp32_products += ps.graph;
    int rc = sweep_backward(&ps, last, err);
    ctx->fp32_products -= ps.graph;
    if (rc != GL_OK)
        return rc;
    for (int i = 0; i < n_in; i++) {
        gl_tensor *t = ins[i];
        if (create_graph)
            grads[i] = t->gt ? t->gt : gl__tensor_like(ctx, t, 1);
        else if (t->gbuf)
            grads[i] = gl_tensor_from(ctx, t->ndim, t->shape, t->gbuf);
        else
            grads[i] = gl__tensor_like(ctx, t, 1);
        if (!grads[i])
            return gl_ctx_status(ctx, err);
    }
    return GL_OK;
}

int gl_backward(gl_ctx *ctx, gl_tensor *loss, gl_net *net, gl_error *err)
{
    if (check_ctx(ctx, err) != GL_OK)
        return ctx->status;
    if (!loss || loss->n != 1)
        return gl_error_add(err, GL_ERR_INPUT, "engine: backward needs a loss with one element");
    pass ps = {ctx, ++pass_counter, 0, net};
    gl_node *last = ctx->tail;
    gl__net_each_param(net, mark_target, &ps);
    sweep_forward(&ps, last);
    if (seed(&ps, loss, NULL, err) != GL_OK)
        return GL_ERR_INPUT;
    return sweep_backward(&ps, last, err);
}

void gl_tensor_set_requires_grad(gl_tensor *t, int on)
{
    if (!t->is_param)
        t->requires_grad = on != 0;
}

int gl_tensor_requires_grad(const gl_tensor *t) { return t->requires_grad; }

gl_tensor *gl_detach(gl_ctx *ctx, gl_tensor *x)
{
    return x ? gl__view(ctx, x, x->ndim, x->shape) : NULL;
}

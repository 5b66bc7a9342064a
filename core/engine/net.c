/* net.c - gl_net: named parameter and buffer declarations, finalised into one block of values, one
 * of gradients and one of buffers (llm.c style), initialised like PyTorch's layers (or DCGAN's,
 * gl_net_set_init).
 *
 * Each declaration is one heap record (the gl_tensor handle and its name) made at declaration time,
 * so handles are stable; finalize only points them into the blocks. Faults in declarations are
 * collected in the net and reported together by gl_net_finalize (declarations cannot fail loudly
 * inside a plugin's create without every call site checking).
 * Initialisation order: parameters in declaration order, then buffers, each element in order,
 * from the one rng given to finalize: the same seed gives the same net.
 */
#include "engine.h"

#include <string.h>
#include <tgmath.h>

typedef struct decl {
    gl_tensor t; /* first: a gl_tensor * of a declaration is a decl * */
    gl_init init;
    char name[];
} decl;

typedef struct list {
    decl **items;
    int n, cap;
} list;

struct gl_net {
    char *name;
    list params, buffers;
    int finalized;
    size_t n_values, n_buffers;
    gl_real *values, *grads, *buffer_values; /* (n_values), (n_values), (n_buffers) */
    gl_net *grads_partner; /* gl_net_share_grads: the net whose gradients share the block */
    int grads_borrowed;    /* grads is grads_partner's block (not freed here) */
    gl_error faults;
    gl_net_init init_scheme; /* gl_net_set_init's, for the layers declared from then on */
    double init_std;
    /* Raised whenever the values are handed out for writing (gl_net_values): a parameter's bf16
     * copy in values_bf16 (n_values, made by the first bf16 product that reads the net; owned
     * here) is current while its lowp_version equals this. */
    uint64_t version;
    uint16_t *values_bf16;
};

gl_init gl_init_zeros(void) { return (gl_init){GL_INIT_ZEROS, 0}; }
gl_init gl_init_ones(void) { return (gl_init){GL_INIT_ONES, 0}; }
gl_init gl_init_uniform(double a) { return (gl_init){GL_INIT_UNIFORM, a}; }
gl_init gl_init_normal(double std) { return (gl_init){GL_INIT_NORMAL, std}; }

gl_init gl_init_fan_in(int fan_in)
{
    return gl_init_uniform(fan_in > 0 ? 1.0 / sqrt((double)fan_in) : 0.0);
}

void gl_net_set_init(gl_net *net, gl_net_init scheme, double std)
{
    if (net->finalized) {
        gl_error_add(&net->faults, GL_ERR_INPUT, "net %s: initialisation scheme set after finalize",
                     net->name);
        return;
    }
    if ((scheme != GL_NET_INIT_TORCH && scheme != GL_NET_INIT_NORMAL) ||
        (scheme == GL_NET_INIT_NORMAL && !(isfinite(std) && std > 0))) {
        gl_error_add(&net->faults, GL_ERR_INPUT,
                     "net %s: initialisation scheme %d with std %g is not valid (torch, or normal "
                     "with a finite std > 0)",
                     net->name, (int)scheme, std);
        return;
    }
    net->init_scheme = scheme;
    net->init_std = std;
}

gl_init gl_net_layer_init(const gl_net *net, gl_layer_role role, int fan_in)
{
    int normal = net->init_scheme == GL_NET_INIT_NORMAL;
    switch (role) {
    case GL_LAYER_WEIGHT:
        return normal ? gl_init_normal(net->init_std) : gl_init_fan_in(fan_in);
    case GL_LAYER_BIAS:
        return normal ? gl_init_zeros() : gl_init_fan_in(fan_in);
    case GL_LAYER_NORM_SCALE:
        return normal ? (gl_init){GL_INIT_NORMAL_ONE, net->init_std} : gl_init_ones();
    default:
        return gl_init_zeros();
    }
}

/* Free with gl_net_destroy. */
gl_net *gl_net_create(const char *name)
{
    gl_net *net = gl__calloc(1, sizeof *net);
    if (!net)
        return NULL;
    size_t len = strlen(name ? name : "") + 1;
    net->name = gl__malloc(len);
    if (!net->name) {
        gl__free(net);
        return NULL;
    }
    memcpy(net->name, name ? name : "", len);
    gl_error_init(&net->faults);
    return net;
}

static void list_free(list *l)
{
    for (int i = 0; i < l->n; i++)
        gl__free(l->items[i]);
    gl__free(l->items);
}

void gl_net_destroy(gl_net *net)
{
    if (!net)
        return;
    list_free(&net->params);
    list_free(&net->buffers);
    gl__free(net->values);
    if (!net->grads_borrowed)
        gl__free(net->grads);
    gl__free(net->buffer_values);
    gl__free(net->values_bf16);
    gl__free(net->name);
    gl__free(net);
}

const char *gl_net_name(const gl_net *net) { return net->name; }

static int list_push(list *l, decl *d)
{
    if (l->n == l->cap) {
        int cap = l->cap ? 2 * l->cap : 16;
        decl **items = gl__malloc((size_t)cap * sizeof *items);
        if (!items)
            return 0;
        if (l->n)
            memcpy(items, l->items, (size_t)l->n * sizeof *items);
        gl__free(l->items);
        l->items = items;
        l->cap = cap;
    }
    l->items[l->n++] = d;
    return 1;
}

static decl *list_find(const list *l, const char *name)
{
    for (int i = 0; i < l->n; i++)
        if (strcmp(l->items[i]->name, name) == 0)
            return l->items[i];
    return NULL;
}

static gl_tensor *declare(gl_net *net, int trainable, const char *name, int ndim, const int *shape,
                          gl_init init)
{
    const char *what = trainable ? "parameter" : "buffer";
    if (net->finalized) {
        gl_error_add(&net->faults, GL_ERR_INPUT, "net %s: %s '%s' declared after finalize",
                     net->name, what, name ? name : "");
        return NULL;
    }
    if (!name || !*name || gl_net_find(net, name)) {
        gl_error_add(&net->faults, GL_ERR_INPUT, "net %s: %s name '%s' is %s", net->name, what,
                     name ? name : "", name && *name ? "already declared" : "empty");
        return NULL;
    }
    int ok = ndim >= 1 && ndim <= GL_MAX_DIMS;
    for (int i = 0; ok && i < ndim; i++)
        ok = shape[i] >= 1;
    if (!ok) {
        gl_error_add(&net->faults, GL_ERR_INPUT,
                     "net %s: %s '%s' has a bad shape (1 to %d dims, each >= 1)", net->name, what,
                     name, GL_MAX_DIMS);
        return NULL;
    }
    size_t len = strlen(name) + 1;
    decl *d = gl__calloc(1, sizeof *d + len);
    if (!d || !list_push(trainable ? &net->params : &net->buffers, d)) {
        gl__free(d);
        gl_error_add(&net->faults, GL_ERR_RUN, "net %s: out of memory declaring '%s'", net->name,
                     name);
        return NULL;
    }
    memcpy(d->name, name, len);
    d->init = init;
    gl_tensor *t = &d->t;
    t->ndim = ndim;
    t->n = 1;
    for (int i = 0; i < GL_MAX_DIMS; i++) {
        t->shape[i] = i < ndim ? shape[i] : 1;
        t->n *= (size_t)t->shape[i];
    }
    t->name = d->name;
    t->net = net;
    t->is_param = (unsigned char)trainable;
    t->requires_grad = (unsigned char)trainable;
    return t;
}

gl_tensor *gl_net_param(gl_net *net, const char *name, int ndim, const int *shape, gl_init init)
{
    return declare(net, 1, name, ndim, shape, init);
}

gl_tensor *gl_net_buffer(gl_net *net, const char *name, int ndim, const int *shape, gl_init init)
{
    return declare(net, 0, name, ndim, shape, init);
}

static void fill(gl_real *x, size_t n, gl_init init, gl_rng *rng)
{
    for (size_t i = 0; i < n; i++) {
        switch (init.kind) {
        case GL_INIT_ZEROS:
            x[i] = 0;
            break;
        case GL_INIT_ONES:
            x[i] = 1;
            break;
        case GL_INIT_UNIFORM:
            x[i] = (gl_real)(init.a * (2.0 * gl_rng_uniform_double(rng) - 1.0));
            break;
        case GL_INIT_NORMAL:
            x[i] = (gl_real)(init.a * gl_rng_normal(rng));
            break;
        case GL_INIT_NORMAL_ONE:
            x[i] = (gl_real)(1.0 + init.a * gl_rng_normal(rng));
            break;
        }
    }
}

/* Points each declaration of l into block (consecutively) and initialises it; returns the size. */
static size_t place(list *l, gl_real *block, gl_real *grads, gl_rng *rng)
{
    size_t off = 0;
    for (int i = 0; i < l->n; i++) {
        gl_tensor *t = &l->items[i]->t;
        if (block) {
            t->data = block + off;
            t->grad = grads ? grads + off : NULL;
            fill(t->data, t->n, l->items[i]->init, rng);
        }
        off += t->n;
    }
    return off;
}

int gl_net_share_grads(gl_net *a, gl_net *b, gl_error *err)
{
    if (a == b || a->finalized || b->finalized || a->grads_partner || b->grads_partner)
        return gl_error_add(err, GL_ERR_INPUT,
                            "gl_net_share_grads(%s, %s): needs two nets not yet finalized nor "
                            "sharing",
                            a->name, b->name);
    a->grads_partner = b;
    b->grads_partner = a;
    return GL_OK;
}

/* The gradient block of net (n_values set): the finalized partner's, or a new one large enough
 * for the partner's declarations too (they are complete when the first net is finalized). */
static gl_real *grads_block(gl_net *net)
{
    gl_net *p = net->grads_partner;
    if (p && p->finalized) {
        net->grads_borrowed = 1;
        return p->grads;
    }
    size_t n = net->n_values, pn = p ? place(&p->params, NULL, NULL, NULL) : 0;
    return gl__calloc(pn > n ? pn : n, sizeof(gl_real));
}

int gl_net_finalize(gl_net *net, gl_rng *rng, gl_error *err)
{
    if (net->faults.status != GL_OK || net->finalized) {
        if (net->finalized)
            return gl_error_add(err, GL_ERR_INPUT, "net %s: finalized twice", net->name);
        const char *line = net->faults.text;
        for (int i = 0; i < net->faults.count; i++) {
            const char *nl = strchr(line, '\n');
            int len = nl ? (int)(nl - line) : (int)strlen(line);
            gl_error_add(err, net->faults.status, "%.*s", len, line);
            line = nl ? nl + 1 : line + len;
        }
        return net->faults.status;
    }
    net->n_values = place(&net->params, NULL, NULL, NULL);
    net->n_buffers = place(&net->buffers, NULL, NULL, NULL);
    net->values = gl__calloc(net->n_values, sizeof(gl_real));
    net->grads = grads_block(net);
    net->buffer_values = gl__calloc(net->n_buffers, sizeof(gl_real));
    if (!net->values || !net->grads || !net->buffer_values)
        return gl_error_add(err, GL_ERR_RUN, "net %s: out of memory for %zu parameters", net->name,
                            net->n_values);
    place(&net->params, net->values, net->grads, rng);
    place(&net->buffers, net->buffer_values, NULL, rng);
    net->finalized = 1;
    net->version = 1; /* no bf16 copy is current (a parameter's lowp_version starts at 0) */
    return GL_OK;
}

size_t gl_net_numel(const gl_net *net) { return net->n_values; }
gl_real *gl_net_values(gl_net *net)
{
    net->version++; /* the caller may write: every bf16 copy is stale */
    return net->values;
}
gl_real *gl_net_grads(gl_net *net) { return net->grads; }
size_t gl_net_buffer_numel(const gl_net *net) { return net->n_buffers; }
gl_real *gl_net_buffer_values(gl_net *net) { return net->buffer_values; }

void gl_net_zero_grad(gl_net *net)
{
    if (net->grads)
        memset(net->grads, 0, net->n_values * sizeof(gl_real));
}

int gl_net_n_params(const gl_net *net) { return net->params.n; }
int gl_net_n_buffers(const gl_net *net) { return net->buffers.n; }

gl_tensor *gl_net_param_at(gl_net *net, int i)
{
    return i >= 0 && i < net->params.n ? &net->params.items[i]->t : NULL;
}

gl_tensor *gl_net_buffer_at(gl_net *net, int i)
{
    return i >= 0 && i < net->buffers.n ? &net->buffers.items[i]->t : NULL;
}

gl_tensor *gl_net_find(gl_net *net, const char *name)
{
    decl *d = list_find(&net->params, name);
    if (!d)
        d = list_find(&net->buffers, name);
    return d ? &d->t : NULL;
}

gl_real *gl_tensor_grad(gl_tensor *p) { return p->grad; }

#ifdef GL__DNNL
const uint16_t *gl__param_bf16(gl_ctx *ctx, gl_tensor *p)
{
    gl_net *net = p->net;
    if (!net->values_bf16) {
        net->values_bf16 = gl__malloc(net->n_values * sizeof *net->values_bf16);
        if (!net->values_bf16)
            return gl__fail(ctx, "bf16", "out of memory for the bf16 copy of net %s (%zu values)",
                            net->name, net->n_values);
    }
    uint16_t *h = net->values_bf16 + (p->data - net->values);
    if (p->lowp_version != net->version) {
        gl__to_bf16(h, p->data, p->n);
        p->lowp_version = net->version;
    }
    return h;
}
#endif

int gl__is_param_of(const gl_tensor *t, const gl_net *net) { return t->is_param && t->net == net; }

void gl__net_each_param(gl_net *net, void (*fn)(gl_tensor *p, void *ud), void *ud)
{
    for (int i = 0; i < net->params.n; i++)
        fn(&net->params.items[i]->t, ud);
}

/* layers.h - the two pieces the bundled models (mlp.c, dcgan.c) share: conditioning on a class
 * label and a choice of normalisation layer. Header-only with static inline functions, so each
 * plugin still builds into one shared object exporting only gl_plugin_entry; if a third model needs
 * them they belong in libganlab's nn.h instead.
 *
 * Label code of a batch, (B, dim):
 *   one_hot:    the constant one-hot rows, dim = n_classes;
 *   embedding:  rows of a learned table `label_emb.weight` (n_classes, embed_dim) (torch's
 *               nn.Embedding, declared FIRST in the net, as a torch module registered before
 *               `model` would be), dim = embed_dim (0 in the config: n_classes).
 * Normalisation of x (B, item...):
 *   batch:  torch BatchNorm1d/2d over the batch (and space) per channel, channels = item[0];
 *   layer:  torch LayerNorm(item shape) over each item;
 *   none:   x itself.
 * Initialisation: `init: normal` sets both nets to nn.h's GL_NET_INIT_NORMAL (DCGAN's), which
 * every layer below and `proj.weight` follow; embeddings and spectral-norm vectors keep theirs.
 * Regularisers of D (docs/models.md has the papers and the maths):
 *   spectral norm:  a weight divided by its largest singular value, estimated by one power
 *                   iteration per training forward, its vectors net buffers NAME.weight_u/_v;
 *   minibatch std:  ProGAN's extra feature, the batch's mean standard deviation;
 *   packing:        PacGAN's m samples judged as one input.
 */
#ifndef GL_PLUGINS_MODEL_LAYERS_H
#define GL_PLUGINS_MODEL_LAYERS_H

#include <math.h>
#include <stdio.h>
#include <string.h>

#include <ganlab/config.h>
#include <ganlab/nn.h>
#include <ganlab/plugin.h>
#include <ganlab/tensor.h>

/* ---------------------------------------------------------------- initialisation */

/* The initialisation parameters of a model's schema (glm_init_set reads them). */
/* clang-format off */
#define GLM_INIT_PARAMS                                                                            \
    {"init", GL_PARAM_CHOICE, "torch", 0, GL_NO_RANGE, "torch|normal",                             \
     "torch: PyTorch's default initialisers; normal: DCGAN's, every linear and convolution "       \
     "weight normal(0, init_std) with zero biases, norm scales normal(1, init_std)"},              \
    {"init_std", GL_PARAM_FLOAT, "0.02", 0, 1e-9, 1e3, NULL,                                       \
     "standard deviation of init: normal (ignored by torch)"}

/* clang-format on */
/* Sets G's and D's initialisation scheme from `init` and `init_std` (nn.h's gl_net_set_init);
 * call before declaring anything into them. */
static inline void glm_init_set(const gl_params *p, gl_net *g, gl_net *d)
{
    gl_net_init scheme = strcmp(gl_params_string(p, "init"), "normal") == 0 ? GL_NET_INIT_NORMAL
                                                                            : GL_NET_INIT_TORCH;
    double std = gl_params_float(p, "init_std");
    gl_net_set_init(g, scheme, std);
    gl_net_set_init(d, scheme, std);
}

/* ---------------------------------------------------------------- conditioning */

/* The conditioning parameters of a model's schema (glm_cond_read reads them). */
/* clang-format off */
#define GLM_COND_PARAMS                                                                            \
    {"conditional", GL_PARAM_BOOL, "false", 0, GL_NO_RANGE, NULL,                                  \
     "G and D take the class label (needs a labelled dataset)"},                                   \
    {"label_mode", GL_PARAM_CHOICE, "one_hot", 0, GL_NO_RANGE, "one_hot|embedding",                \
     "how a label is encoded: constant one-hot row or learned embedding"},                         \
    {"embed_dim", GL_PARAM_INT, "0", 0, 0, 65536, NULL,                                            \
     "width of the learned label embedding; 0: the number of classes"},                            \
    {"d_condition", GL_PARAM_CHOICE, "input", 0, GL_NO_RANGE, "input|projection",                  \
     "where the label enters D: with its input, or projected onto its last features"}

/* clang-format on */
typedef struct glm_cond {
    int on;        /* 1: G and D take labels */
    int embed;     /* 1: learned embedding, 0: one-hot */
    int d_project; /* 1: the label enters D by projection, not with D's input */
    int n_classes;
    int dim; /* width of a label's code */
} glm_cond;

/* Reads `conditional`, `label_mode`, `embed_dim`, `d_condition` and checks the data has classes. */
static inline int glm_cond_read(glm_cond *c, const gl_params *p, const gl_model_env *env,
                                const char *model, gl_error *err)
{
    memset(c, 0, sizeof *c);
    c->on = gl_params_bool(p, "conditional");
    if (!c->on)
        return GL_OK;
    if (env->data.n_classes <= 0)
        return gl_error_add(err, GL_ERR_INPUT,
                            "key 'model.conditional': model '%s' is conditional but the dataset "
                            "has no labels (n_classes = 0); use a labelled dataset or set "
                            "conditional: false",
                            model);
    c->n_classes = env->data.n_classes;
    c->embed = strcmp(gl_params_string(p, "label_mode"), "embedding") == 0;
    c->d_project = strcmp(gl_params_string(p, "d_condition"), "projection") == 0;
    c->dim = c->n_classes;
    if (c->embed && gl_params_int(p, "embed_dim") > 0)
        c->dim = (int)gl_params_int(p, "embed_dim");
    return GL_OK;
}

/* Declares `label_emb.weight` into net when the code is an embedding (call before other layers). */
static inline void glm_cond_declare(const glm_cond *c, gl_embedding_layer *emb, gl_net *net)
{
    if (c->on && c->embed)
        gl_embedding_layer_declare(emb, net, "label_emb", c->n_classes, c->dim);
}

/* labels (B) -> code (B, dim), owned by ctx. NULL labels (the runner passes labels whenever
 * env->conditional is set) give NULL, which the engine's ops pass on to the caller's check. */
static inline gl_tensor *glm_cond_code(gl_ctx *ctx, const glm_cond *c,
                                       const gl_embedding_layer *emb, const int32_t *labels,
                                       int batch)
{
    if (!labels)
        return NULL;
    return c->embed ? gl_embedding_layer_forward(ctx, emb, labels, batch)
                    : gl_one_hot(ctx, labels, batch, c->n_classes);
}

/* Projection discriminator (Miyato & Koyama 2018): instead of entering D with the input, the label
 * picks a row e_y of a learned table `proj.weight` (n_classes, width) and D's output becomes
 * head(h) + <e_y, h>, h being D's last hidden features. D then cannot ignore the label, which a
 * label code concatenated to 794 input pixels lets it do. The table starts like a Linear(width, 1)
 * weight (the net's scheme: uniform(+-1/sqrt(width)) under torch's), so the projection term starts
 * on the head's scale (torch's Embedding default, normal(0, 1), would start it sqrt(width) times
 * larger). */
static inline gl_tensor *glm_proj_declare(const glm_cond *c, gl_net *net, int width)
{
    int shape[2] = {c->n_classes, width};
    return gl_net_param(net, "proj.weight", 2, shape,
                        gl_net_layer_init(net, GL_LAYER_WEIGHT, width));
}

/* head (B, 1) + row_sum(proj[labels] * h), h (B, width). NULL labels give NULL (see above). */
static inline gl_tensor *glm_proj_forward(gl_ctx *ctx, gl_tensor *proj, gl_tensor *head,
                                          gl_tensor *h, const int32_t *labels)
{
    if (!labels)
        return NULL;
    gl_tensor *e = gl_embedding(ctx, proj, labels, gl_tensor_dim(h, 0));
    return gl_add(ctx, head, gl_row_sum(ctx, gl_mul(ctx, e, h)));
}

/* ---------------------------------------------------------------- normalisation */

typedef enum glm_norm_kind { GLM_NORM_NONE = 0, GLM_NORM_BATCH, GLM_NORM_LAYER } glm_norm_kind;

typedef struct glm_norm {
    glm_norm_kind kind;
    gl_batch_norm_layer bn;
    gl_layer_norm_layer ln;
} glm_norm;

/* "none" | "batch" | "layer" (the schema's choices). */
static inline glm_norm_kind glm_norm_parse(const char *s)
{
    return strcmp(s, "batch") == 0   ? GLM_NORM_BATCH
           : strcmp(s, "layer") == 0 ? GLM_NORM_LAYER
                                     : GLM_NORM_NONE;
}

/* Declares NAME.weight, NAME.bias (and batch norm's running statistics) for items of shape
 * item (ndim 1..3). */
static inline void glm_norm_declare(glm_norm *n, glm_norm_kind kind, gl_net *net, const char *name,
                                    int ndim, const int *item)
{
    n->kind = kind;
    if (kind == GLM_NORM_BATCH)
        gl_batch_norm_layer_declare(&n->bn, net, name, item[0]);
    else if (kind == GLM_NORM_LAYER)
        gl_layer_norm_layer_declare(&n->ln, net, name, ndim, item);
}

static inline gl_tensor *glm_norm_forward(gl_ctx *ctx, const glm_norm *n, gl_tensor *x, int train)
{
    switch (n->kind) {
    case GLM_NORM_BATCH:
        return gl_batch_norm_layer_forward(ctx, &n->bn, x, train);
    case GLM_NORM_LAYER:
        return gl_layer_norm_layer_forward(ctx, &n->ln, x);
    default:
        return x;
    }
}

/* ---------------------------------------------------------------- spectral normalisation */

/* The D regularisers' parameters of a model's schema (glm_dreg_read reads them). */
/* clang-format off */
#define GLM_DREG_PARAMS                                                                            \
    {"spectral_norm", GL_PARAM_BOOL, "false", 0, GL_NO_RANGE, NULL,                                \
     "spectral normalisation of every weight of D (Miyato et al. 2018), one power iteration "      \
     "per training forward"},                                                                      \
    {"minibatch_std", GL_PARAM_BOOL, "false", 0, GL_NO_RANGE, NULL,                                \
     "append the batch's mean standard deviation as a feature before D's last layer (ProGAN)"},   \
    {"pack", GL_PARAM_INT, "1", 0, 1, 4, NULL,                                                     \
     "PacGAN: D judges m samples at once (the core draws m times the samples); 1: off"}

/* clang-format on */
typedef struct glm_dreg {
    int spectral_norm, minibatch_std, pack;
} glm_dreg;

/* Reads `spectral_norm`, `minibatch_std`, `pack`; packing is refused for a conditional model
 * (which label would a pack of m samples be judged under?). */
static inline int glm_dreg_read(glm_dreg *r, const gl_params *p, const glm_cond *cond,
                                const char *model, gl_error *err)
{
    r->spectral_norm = gl_params_bool(p, "spectral_norm");
    r->minibatch_std = gl_params_bool(p, "minibatch_std");
    r->pack = (int)gl_params_int(p, "pack");
    if (r->pack > 1 && cond->on)
        return gl_error_add(err, GL_ERR_INPUT,
                            "key 'model.pack': model '%s' packs %d samples per D input, which a "
                            "conditional model cannot (the samples of a pack have their own "
                            "labels); set pack: 1 or conditional: false",
                            model, r->pack);
    return GL_OK;
}

/* A weight w (rows, cols...) normalised by its spectral norm sigma(W), W = w viewed as
 * (rows, cols), as torch.nn.utils.spectral_norm (Miyato et al. 2018): the buffers u (rows) and
 * v (cols) persist, and each training forward makes one power iteration
 *     v <- W^T u / ||W^T u||,   u <- W v / ||W v||,
 * then sigma = u^T W v is a function of W (u, v constants) and the layer uses w / sigma. Eval
 * forwards use the stored u, v unchanged. u and v are net buffers, so checkpoints carry them and a
 * resumed run continues the same iteration. v starts at zero, which no iteration leaves it at: the
 * first forward, seeing it, first makes GLM_SN_WARMUP iterations (as torch's newer
 * parametrizations.spectral_norm does when registered), so that u, v are near W's top singular
 * vectors from the start; the gradient that treats them as constants is then d sigma / d W. */
#define GLM_SN_WARMUP 15

typedef struct glm_sn {
    gl_tensor *u, *v; /* NULL: off */
    int rows, cols;
} glm_sn;

/* Declares NAME.weight_u (rows), N(0, 1) as torch draws it, and NAME.weight_v (cols), zero (see
 * above); torch's buffer names. */
static inline void glm_sn_declare(glm_sn *s, gl_net *net, const char *name, int rows, int cols)
{
    char buf[64];
    s->rows = rows;
    s->cols = cols;
    snprintf(buf, sizeof buf, "%s.weight_u", name);
    s->u = gl_net_buffer(net, buf, 1, &rows, gl_init_normal(1));
    snprintf(buf, sizeof buf, "%s.weight_v", name);
    s->v = gl_net_buffer(net, buf, 1, &cols, gl_init_zeros());
}

/* x / max(||x||, 1e-12) in place (torch's F.normalize). */
static inline void glm_sn_normalize(gl_real *x, int n)
{
    double ss = 0;
    for (int i = 0; i < n; i++)
        ss += (double)x[i] * x[i];
    double norm = sqrt(ss);
    norm = norm > 1e-12 ? norm : 1e-12;
    for (int i = 0; i < n; i++)
        x[i] = (gl_real)(x[i] / norm);
}

/* One power iteration on the buffers (plain arithmetic: torch runs it under no_grad). */
static inline void glm_sn_iterate(const glm_sn *s, const gl_real *w)
{
    gl_real *u = gl_tensor_data(s->u), *v = gl_tensor_data(s->v);
    for (int j = 0; j < s->cols; j++)
        v[j] = 0;
    for (int i = 0; i < s->rows; i++)
        for (int j = 0; j < s->cols; j++)
            v[j] += w[(size_t)i * s->cols + j] * u[i];
    glm_sn_normalize(v, s->cols);
    for (int i = 0; i < s->rows; i++) {
        double acc = 0;
        for (int j = 0; j < s->cols; j++)
            acc += (double)w[(size_t)i * s->cols + j] * v[j];
        u[i] = (gl_real)acc;
    }
    glm_sn_normalize(u, s->rows);
}

/* 1 while v is still all zeros (no forward has iterated yet). */
static inline int glm_sn_fresh(const glm_sn *s)
{
    const gl_real *v = gl_tensor_data(s->v);
    for (int j = 0; j < s->cols; j++)
        if (v[j] != 0)
            return 0;
    return 1;
}

/* A constant (n, 1) copy of a buffer in ctx: the ops keep their inputs by reference, and the next
 * forward of the same update overwrites the buffer. */
static inline gl_tensor *glm_sn_const(gl_ctx *ctx, gl_tensor *buf, int n)
{
    int shape[2] = {n, 1};
    gl_tensor *t = gl_tensor_new(ctx, 2, shape);
    if (t)
        memcpy(gl_tensor_data(t), gl_tensor_data(buf), (size_t)n * sizeof(gl_real));
    return t;
}

/* w / sigma(w) (recorded, w's shape), or w itself when s is off. */
static inline gl_tensor *glm_sn_weight(gl_ctx *ctx, const glm_sn *s, gl_tensor *w, int train)
{
    if (!s->u)
        return w;
    int n = glm_sn_fresh(s) ? GLM_SN_WARMUP + train : train;
    for (int i = 0; i < n; i++)
        glm_sn_iterate(s, gl_tensor_data(w));
    int shape[2] = {s->rows, s->cols};
    gl_tensor *wv = gl_matmul(ctx, gl_reshape(ctx, w, 2, shape), glm_sn_const(ctx, s->v, s->cols),
                              0, 0); /* (rows, 1) */
    gl_tensor *sigma = gl_sum(ctx, gl_mul(ctx, glm_sn_const(ctx, s->u, s->rows), wv));
    return gl_div(ctx, w, gl_expand(ctx, sigma, w));
}

/* A linear layer with an optional spectral norm on its weight. */
typedef struct glm_linear {
    gl_linear_layer l;
    glm_sn sn;
} glm_linear;

static inline void glm_linear_declare(glm_linear *l, gl_net *net, const char *name, int in, int out,
                                      int sn)
{
    gl_linear_layer_declare(&l->l, net, name, in, out, 1);
    memset(&l->sn, 0, sizeof l->sn);
    if (sn)
        glm_sn_declare(&l->sn, net, name, out, in);
}

static inline gl_tensor *glm_linear_forward(gl_ctx *ctx, const glm_linear *l, gl_tensor *x,
                                            gl_act act, gl_real slope, int train)
{
    gl_linear_layer t = l->l;
    t.w = glm_sn_weight(ctx, &l->sn, l->l.w, train);
    return gl_linear_layer_forward(ctx, &t, x, act, slope);
}

/* A convolution (not transposed) with an optional spectral norm on its weight (co, ci k k). */
typedef struct glm_conv {
    gl_conv_layer l;
    glm_sn sn;
} glm_conv;

static inline void glm_conv_declare(glm_conv *c, gl_net *net, const char *name, int ci, int co,
                                    int k, int stride, int pad, int sn)
{
    gl_conv2d_layer_declare(&c->l, net, name, ci, co, k, stride, pad, 1);
    memset(&c->sn, 0, sizeof c->sn);
    if (sn)
        glm_sn_declare(&c->sn, net, name, co, ci * k * k);
}

static inline gl_tensor *glm_conv_forward(gl_ctx *ctx, const glm_conv *c, gl_tensor *x, int train)
{
    gl_conv_layer t = c->l;
    t.w = glm_sn_weight(ctx, &c->sn, c->l.w, train);
    return gl_conv_layer_forward(ctx, &t, x);
}

/* ---------------------------------------------------------------- minibatch standard deviation */

/* ProGAN's minibatch standard deviation (Karras et al. 2018, sec. 3): h (B, F) or (B, C, H, W) ->
 * h with one more feature (B, F + 1) / channel (B, C + 1, H, W) holding, for every sample,
 *     s = mean over features f of sqrt(mean_b (h_bf - mean_b h_bf)^2 + 1e-8),
 * the whole batch as one group. A D that sees how varied its batch is can tell a collapsed
 * generator's batch from real data. The batch means are products with a row of 1/B (recorded, so
 * twice differentiable). */
static inline gl_tensor *glm_mbstd(gl_ctx *ctx, gl_tensor *h)
{
    int b = gl_tensor_dim(h, 0);
    int row[2] = {1, b}, col[2] = {b, 1};
    gl_tensor *avg = gl_tensor_new(ctx, 2, row), *ones = gl_tensor_new(ctx, 2, col);
    if (!avg || !ones)
        return NULL;
    for (int i = 0; i < b; i++) {
        gl_tensor_data(avg)[i] = (gl_real)(1.0 / b);
        gl_tensor_data(ones)[i] = 1;
    }
    gl_tensor *flat = gl_flatten(ctx, h);                                 /* (B, N) */
    gl_tensor *mean = gl_matmul(ctx, avg, flat, 0, 0);                    /* (1, N) */
    gl_tensor *dev = gl_sub(ctx, flat, gl_matmul(ctx, ones, mean, 0, 0)); /* (B, N) */
    gl_tensor *var = gl_matmul(ctx, avg, gl_square(ctx, dev), 0, 0);      /* (1, N) */
    gl_tensor *s = gl_mean(ctx, gl_sqrt(ctx, gl_add_scalar(ctx, var, 1e-8f)));
    int nd = gl_tensor_ndim(h), shape[4] = {b, 1, 1, 1};
    for (int i = 2; i < nd; i++)
        shape[i] = gl_tensor_dim(h, i);
    gl_tensor *like = gl_tensor_new(ctx, nd, shape);
    gl_tensor *parts[2] = {h, like ? gl_expand(ctx, s, like) : NULL};
    return gl_concat(ctx, 2, parts);
}

/* ---------------------------------------------------------------- packing */

/* PacGAN (Lin et al. 2018): x (B m, item...) -> (B, m item...) with the m consecutive samples of a
 * pack side by side: (B m, F) -> (B, m F); images (B m, C, H, W) -> (B, m C, H, W), the samples
 * stacked as channels as PacGAN's DCGAN does. Both are the same bytes, so a reshape. */
static inline gl_tensor *glm_pack(gl_ctx *ctx, gl_tensor *x, int m)
{
    if (m <= 1 || !x)
        return x;
    int nd = gl_tensor_ndim(x), shape[4];
    for (int i = 0; i < nd; i++)
        shape[i] = gl_tensor_dim(x, i);
    shape[0] /= m;
    shape[1] *= m;
    return gl_reshape(ctx, x, nd, shape);
}

#endif

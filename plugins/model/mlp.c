/* mlp.c - model plugin `mlp`: generator and discriminator as multilayer perceptrons.
 *
 * With the defaults these are exactly the networks of the PyTorch tutorial GAN
 * (/work/shared/reference/tutorial_gan.py), parameter for parameter:
 *   G: z (B, 100) -> Linear 256 -> LReLU(0.2) -> Linear 512 -> LReLU -> Linear 1024 -> LReLU
 *        -> Linear 784 -> Tanh -> reshape (B, 1, 28, 28)          1,486,352 parameters
 *   D: x (B, 1, 28, 28) -> flatten 784 -> Linear 512 -> LReLU(0.2) -> Linear 256 -> LReLU
 *        -> Linear 1 (the logit)                                      533,505 parameters
 * D ends in its logit, not in the tutorial's Sigmoid: the losses apply the sigmoid inside a stable
 * BCE-with-logits (bce) or want the raw critic value (wgan_gp).
 *
 * Each net is a torch nn.Sequential called `model`: for every hidden width
 *   Linear, [BatchNorm1d | LayerNorm] (g_norm/d_norm), activation, [Dropout] (D, d_dropout > 0)
 * then the output Linear (and G's output activation), and parameters are named after the
 * Sequential's module indices (model.0.weight, model.0.bias, model.2.weight, ...), declared in
 * torch's order, so a torch state_dict maps one to one. Conditional (cGAN, Mirza & Osindero 2014):
 * a label code (layers.h; `label_emb.weight` first when learned) is concatenated after z for G and
 * after the flattened x for D, widening the first Linear; or, with d_condition: projection, D's
 * label enters by projection onto its last hidden features (layers.h, `proj.weight` last).
 *
 * Dropout masks come from the run's dropout stream (env->dropout_rng, owned and checkpointed by the
 * core), so they follow the experiment seed and a resumed run continues them.
 *
 * D's options (layers.h, docs/models.md): d_activation (default: activation) may be maxout
 * (Goodfellow et al. 2013): the hidden Linear has width * maxout_pieces outputs, viewed as
 * (pieces, width) piece-major, and the unit keeps the largest of its pieces. spectral_norm divides
 * every Linear weight of D by its spectral norm; minibatch_std widens the input of D's output
 * Linear by one feature; pack m makes D's input the m samples of a pack side by side (m * item
 * wide) and its output one value per pack.
 *
 * Initialisation (layers.h): torch's defaults, or with init: normal DCGAN's normal(0, init_std)
 * for every Linear weight of G and D (maxout pieces, the output Linears and `proj.weight`
 * included), zero biases and normal(1, init_std) norm scales.
 *
 * What it does not do: skip connections, minibatch discrimination (Salimans et al.), spectral norm
 * of G.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <ganlab/nn.h>
#include <ganlab/plugin.h>
#include <ganlab/tensor.h>

#include "layers.h"

static const gl_param_spec mlp_params[] = {
    {"latent_dim", GL_PARAM_INT, "100", 0, 1, 65536, NULL, "length of the noise vector z"},
    {"g_hidden", GL_PARAM_INT_LIST, "[256, 512, 1024]", 0, 1, 65536, NULL,
     "widths of G's hidden layers, input side first"},
    {"d_hidden", GL_PARAM_INT_LIST, "[512, 256]", 0, 1, 65536, NULL,
     "widths of D's hidden layers, input side first"},
    {"activation", GL_PARAM_CHOICE, "leaky_relu", 0, GL_NO_RANGE, "leaky_relu|relu|tanh",
     "activation after every hidden layer of G (and of D unless d_activation says otherwise)"},
    {"d_activation", GL_PARAM_CHOICE, "activation", 0, GL_NO_RANGE,
     "activation|leaky_relu|relu|tanh|maxout",
     "activation after every hidden layer of D; activation: the same as G's"},
    {"maxout_pieces", GL_PARAM_INT, "5", 0, 2, 64, NULL,
     "pieces per unit of a maxout D (its hidden Linears are this many times wider)"},
    {"slope", GL_PARAM_FLOAT, "0.2", 0, 0, 1, NULL, "negative slope of leaky_relu"},
    {"g_norm", GL_PARAM_CHOICE, "none", 0, GL_NO_RANGE, "none|batch|layer",
     "normalisation after each hidden Linear of G"},
    {"d_norm", GL_PARAM_CHOICE, "none", 0, GL_NO_RANGE, "none|batch|layer",
     "normalisation after each hidden Linear of D (batch cannot be used with a gradient penalty)"},
    {"g_output", GL_PARAM_CHOICE, "tanh", 0, GL_NO_RANGE, "tanh|sigmoid|none",
     "G's output activation: tanh for data in [-1, 1], sigmoid for [0, 1], none for toy data"},
    {"d_dropout", GL_PARAM_FLOAT, "0.0", 0, 0, 0.95, NULL,
     "dropout probability after each hidden activation of D (training steps only)"},
    GLM_COND_PARAMS,
    GLM_DREG_PARAMS,
    GLM_INIT_PARAMS,
    {NULL, 0, NULL, 0, GL_NO_RANGE, NULL, NULL}};

/* Linear -> [norm] -> activation [-> dropout]: one hidden layer. */
typedef struct mlp_hidden {
    glm_linear lin;
    glm_norm norm;
} mlp_hidden;

/* One net (G or D): label code, hidden layers, output Linear. */
typedef struct mlp_net {
    int label_input;        /* 1: the label code is concatenated to the input */
    gl_embedding_layer emb; /* used when the label code is learned and enters the input */
    gl_tensor *proj;        /* D's projection table (layers.h) when d_condition is projection */
    mlp_hidden *hidden;     /* (n_hidden); freed by mlp_destroy */
    int n_hidden;
    glm_linear out;
    gl_act act; /* of the hidden layers, when pieces is 0 */
    int pieces; /* maxout pieces per unit; 0: act */
    int mbstd;  /* 1: minibatch std feature before out */
    gl_act out_act;
    float dropout; /* after each hidden activation; 0 for G */
} mlp_net;

/* What one net is made of besides its widths. */
typedef struct mlp_net_opts {
    gl_act act;
    int pieces, sn, mbstd;
    glm_norm_kind norm;
    float dropout;
} mlp_net_opts;

typedef struct mlp {
    glm_cond cond;
    glm_dreg dreg;
    float slope;
    mlp_net g, d;
    int item_ndim; /* G's output item shape (the dataset's) */
    int item_shape[3];
    gl_rng *dropout_rng; /* the core's (env->dropout_rng) */
} mlp;

static gl_act parse_act(const char *s)
{
    if (strcmp(s, "leaky_relu") == 0)
        return GL_ACT_LEAKY_RELU;
    if (strcmp(s, "relu") == 0)
        return GL_ACT_RELU;
    if (strcmp(s, "tanh") == 0)
        return GL_ACT_TANH;
    if (strcmp(s, "sigmoid") == 0)
        return GL_ACT_SIGMOID;
    return GL_ACT_NONE;
}

/* Declares one net's parameters in torch's order (see the file comment for the names):
 * in (the width of z or flattened x, before the label code) -> widths[0..n) -> out, then for a
 * projection D `proj.weight`. */
static int net_declare(mlp_net *s, gl_net *net, const glm_cond *cond, int is_d, int in,
                       const int64_t *widths, size_t n, int out, const mlp_net_opts *o,
                       gl_error *err)
{
    s->hidden = calloc(n ? n : 1, sizeof *s->hidden);
    if (!s->hidden)
        return gl_error_add(err, GL_ERR_RUN, "model 'mlp': out of memory");
    s->n_hidden = (int)n;
    s->dropout = o->dropout;
    s->act = o->act;
    s->pieces = o->pieces;
    s->mbstd = o->mbstd;
    int k = o->pieces ? o->pieces : 1;
    s->label_input = cond->on && !(is_d && cond->d_project);
    if (s->label_input)
        glm_cond_declare(cond, &s->emb, net);
    char name[32];
    int idx = 0, width = in + (s->label_input ? cond->dim : 0);
    for (size_t i = 0; i < n; i++) {
        snprintf(name, sizeof name, "model.%d", idx++);
        int pre = k * (int)widths[i]; /* a maxout unit's pieces are outputs of the Linear */
        glm_linear_declare(&s->hidden[i].lin, net, name, width, pre, o->sn);
        width = (int)widths[i];
        if (o->norm != GLM_NORM_NONE) {
            snprintf(name, sizeof name, "model.%d", idx++);
            glm_norm_declare(&s->hidden[i].norm, o->norm, net, name, 1, &pre);
        }
        idx += o->dropout > 0.0f ? 2 : 1; /* the activation [and the Dropout] hold no parameters */
    }
    width += o->mbstd;
    idx += o->mbstd; /* the minibatch-std module holds no parameters either */
    snprintf(name, sizeof name, "model.%d", idx);
    glm_linear_declare(&s->out, net, name, width, out, o->sn);
    if (cond->on && is_d && cond->d_project)
        s->proj = glm_proj_declare(cond, net, width);
    return GL_OK;
}

/* Maxout: x (B, k w) viewed as k pieces (B, w) side by side -> their elementwise maximum (B, w),
 * folded as max(a, b) = b + relu(a - b) so that it is made of twice-differentiable ops. */
static gl_tensor *maxout(gl_ctx *ctx, gl_tensor *x, int k)
{
    int w = gl_tensor_dim(x, 1) / k;
    gl_tensor *y = gl_slice_cols(ctx, x, 0, w);
    for (int p = 1; p < k; p++) {
        gl_tensor *piece = gl_slice_cols(ctx, x, p * w, w);
        y = gl_add(ctx, piece, gl_relu(ctx, gl_sub(ctx, y, piece)));
    }
    return y;
}

/* x (B, in) [, labels (B)] -> (B, out). */
static gl_tensor *net_forward(mlp *m, const mlp_net *s, gl_ctx *ctx, gl_tensor *x,
                              const int32_t *labels, int train)
{
    if (s->label_input) {
        gl_tensor *parts[2] = {x,
                               glm_cond_code(ctx, &m->cond, &s->emb, labels, gl_tensor_dim(x, 0))};
        x = gl_concat(ctx, 2, parts);
    }
    for (int i = 0; i < s->n_hidden; i++) {
        const mlp_hidden *h = &s->hidden[i];
        if (h->norm.kind == GLM_NORM_NONE && !s->pieces) {
            x = glm_linear_forward(ctx, &h->lin, x, s->act, m->slope, train);
        } else {
            x = glm_linear_forward(ctx, &h->lin, x, GL_ACT_NONE, 0, train);
            x = glm_norm_forward(ctx, &h->norm, x, train);
            x = s->pieces ? maxout(ctx, x, s->pieces) : gl_activate(ctx, x, s->act, m->slope);
        }
        if (s->dropout > 0.0f)
            x = gl_dropout(ctx, x, s->dropout, m->dropout_rng, train);
    }
    if (s->mbstd)
        x = glm_mbstd(ctx, x);
    gl_tensor *y = glm_linear_forward(ctx, &s->out, x, s->out_act, m->slope, train);
    return s->proj ? glm_proj_forward(ctx, s->proj, y, x, labels) : y;
}

static void mlp_destroy(void *self)
{
    mlp *m = self;
    if (!m)
        return;
    free(m->g.hidden);
    free(m->d.hidden);
    free(m);
}

static int mlp_create(const gl_params *p, gl_model_env *env, gl_net *g, gl_net *d, void **self,
                      gl_error *err)
{
    *self = NULL;
    mlp *m = calloc(1, sizeof *m);
    if (!m)
        return gl_error_add(err, GL_ERR_RUN, "model 'mlp': out of memory");
    *self = m;
    glm_init_set(p, g, d);
    int rc = glm_cond_read(&m->cond, p, env, "mlp", err);
    if (rc == GL_OK)
        rc = glm_dreg_read(&m->dreg, p, &m->cond, "mlp", err);
    if (rc != GL_OK)
        return rc;
    const char *d_act = gl_params_string(p, "d_activation");
    if (strcmp(d_act, "activation") == 0)
        d_act = gl_params_string(p, "activation");
    mlp_net_opts go = {.act = parse_act(gl_params_string(p, "activation")),
                       .norm = glm_norm_parse(gl_params_string(p, "g_norm"))};
    mlp_net_opts dopt = {
        .act = parse_act(d_act),
        .pieces = strcmp(d_act, "maxout") == 0 ? (int)gl_params_int(p, "maxout_pieces") : 0,
        .sn = m->dreg.spectral_norm,
        .mbstd = m->dreg.minibatch_std,
        .norm = glm_norm_parse(gl_params_string(p, "d_norm")),
        .dropout = (float)gl_params_float(p, "d_dropout")};
    m->slope = (float)gl_params_float(p, "slope");
    m->g.out_act = parse_act(gl_params_string(p, "g_output"));
    m->d.out_act = GL_ACT_NONE;
    m->dropout_rng = env->dropout_rng;
    if (dopt.dropout > 0.0f && !m->dropout_rng)
        return gl_error_add(err, GL_ERR_INPUT,
                            "model 'mlp': d_dropout > 0 needs a dropout stream, and the core gave "
                            "none (env->dropout_rng is NULL)");

    int item = 1;
    m->item_ndim = env->data.ndim;
    for (int i = 0; i < env->data.ndim; i++) {
        m->item_shape[i] = env->data.shape[i];
        item *= env->data.shape[i];
    }
    int latent = (int)gl_params_int(p, "latent_dim");
    size_t ng, nd;
    const int64_t *gw = gl_params_int_list(p, "g_hidden", &ng);
    const int64_t *dw = gl_params_int_list(p, "d_hidden", &nd);
    rc = net_declare(&m->g, g, &m->cond, 0, latent, gw, ng, item, &go, err);
    if (rc == GL_OK)
        rc = net_declare(&m->d, d, &m->cond, 1, item * m->dreg.pack, dw, nd, 1, &dopt, err);
    env->latent_dim = latent;
    env->conditional = m->cond.on;
    env->pack = m->dreg.pack;
    env->flags = dopt.norm == GLM_NORM_BATCH ? GL_MODEL_D_BATCH_STATS : 0u;
    return rc;
}

static gl_tensor *mlp_generate(void *self, gl_ctx *ctx, gl_tensor *z, const int32_t *labels,
                               int train)
{
    mlp *m = self;
    gl_tensor *y = net_forward(m, &m->g, ctx, z, labels, train); /* (B, item numel) */
    int shape[GL_MAX_DIMS] = {gl_tensor_dim(z, 0)};
    memcpy(shape + 1, m->item_shape, (size_t)m->item_ndim * sizeof *shape);
    return gl_reshape(ctx, y, 1 + m->item_ndim, shape);
}

static gl_tensor *mlp_discriminate(void *self, gl_ctx *ctx, gl_tensor *x, const int32_t *labels,
                                   int train)
{
    mlp *m = self;
    return net_forward(m, &m->d, ctx, glm_pack(ctx, gl_flatten(ctx, x), m->dreg.pack), labels,
                       train);
}

static const gl_model_plugin mlp_plugin = {
    .hdr = {GL_ABI_VERSION, GL_KIND_MODEL, sizeof(gl_model_plugin), "mlp",
            "fully connected G and D (defaults: the PyTorch tutorial GAN), optionally conditional",
            mlp_params},
    .create = mlp_create,
    .generate = mlp_generate,
    .discriminate = mlp_discriminate,
    .destroy = mlp_destroy,
};

GL_PLUGIN_EXPORT const gl_plugin_header *gl_plugin_entry(void) { return &mlp_plugin.hdr; }

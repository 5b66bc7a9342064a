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
 */
#ifndef GL_PLUGINS_MODEL_LAYERS_H
#define GL_PLUGINS_MODEL_LAYERS_H

#include <string.h>

#include <ganlab/config.h>
#include <ganlab/nn.h>
#include <ganlab/plugin.h>
#include <ganlab/tensor.h>

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
 * weight, uniform(+-1/sqrt(width)), so the projection term starts on the head's scale (torch's
 * Embedding default, normal(0, 1), would start it sqrt(width) times larger). */
static inline gl_tensor *glm_proj_declare(const glm_cond *c, gl_net *net, int width)
{
    int shape[2] = {c->n_classes, width};
    return gl_net_param(net, "proj.weight", 2, shape, gl_init_fan_in(width));
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

#endif

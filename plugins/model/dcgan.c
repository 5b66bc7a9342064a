/* dcgan.c - model plugin `dcgan`: small convolutional G and D (Radford et al. 2016) for images
 * (C, H, W) with H and W multiples of 4: 28x28 MNIST-like, 32x32 CIFAR-like, 1 or 3 channels.
 * Shapes for s = H (= W here), h4 = s/4:
 *   G: z (B, latent) -> fc: Linear -> (B, 2 ngf, h4, h4) -> [g_norm] -> ReLU
 *        -> ConvTranspose(2 ngf, ngf, 4, 2, 1) -> (B, ngf, s/2, s/2) -> [g_norm] -> ReLU
 *        -> ConvTranspose(ngf, C, 4, 2, 1) -> (B, C, s, s) -> Tanh
 *   D: x (B, C, s, s) -> Conv(C, ndf, 4, 2, 1) -> LReLU(0.2) -> (B, ndf, s/2, s/2)
 *        -> Conv(ndf, 2 ndf, 4, 2, 1) -> [norm] -> LReLU(0.2) -> (B, 2 ndf, h4, h4)
 *        -> flatten -> fc: Linear -> (B, 1), the logit / critic value
 * (each 4/2/1 convolution exactly halves, each transposed one exactly doubles a side).
 *
 * Normalisation: G defaults to batch norm (DCGAN's choice: it stabilises G, and G is never
 * differentiated twice). D defaults to layer norm: batch norm in a critic makes D(x_i) depend on
 * the other samples of the batch, which breaks WGAN-GP's per-sample input gradient (and the engine
 * has no second-order rule for it), while layer norm, per sample, works with every loss (Gulrajani
 * et al. 2017 recommend it). `norm: batch` sets GL_MODEL_D_BATCH_STATS so the core refuses it under
 * a gradient penalty; `none` is plain DCGAN D without its BN.
 *
 * Names follow torch modules: G = {label_emb, fc, model (Sequential)}, D = {label_emb, model, fc};
 * model.N indices count every module (norms, activations) as nn.Sequential does.
 * Conditional: the label code (layers.h) is concatenated after z for G; for D it is spread into
 * constant planes (B, dim, s, s) concatenated after x's channels (as conditional DCGANs do), so the
 * first convolution sees the label at every position; or, with d_condition: projection, the label
 * enters D by projection onto the flattened features before fc (layers.h; D = {model, fc, proj}).
 *
 * D's options (layers.h, docs/models.md): spectral_norm divides the weights of D's two convolutions
 * and of fc by their spectral norms; minibatch_std appends one constant plane (the batch's mean
 * standard deviation) after the second convolution's activation, so fc sees (2 ndf + 1) planes;
 * pack m stacks the m samples of a pack as m C input channels and gives one value per pack.
 *
 * Initialisation (layers.h): torch's defaults, or with init: normal DCGAN's own (sec. 4 of the
 * paper): every convolution, transposed convolution and Linear weight normal(0, init_std = 0.02),
 * zero biases, norm scales normal(1, init_std).
 *
 * What it does not do: sizes other than multiples of 4, deeper stacks for larger images.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <ganlab/nn.h>
#include <ganlab/plugin.h>
#include <ganlab/tensor.h>

#include "layers.h"

#define DCGAN_SLOPE 0.2f

static const gl_param_spec dcgan_params[] = {
    {"latent_dim", GL_PARAM_INT, "100", 0, 1, 65536, NULL, "length of the noise vector z"},
    {"ngf", GL_PARAM_INT, "64", 0, 1, 4096, NULL,
     "G's width: channels before its last layer (2 ngf after its Linear)"},
    {"ndf", GL_PARAM_INT, "64", 0, 1, 4096, NULL,
     "D's width: channels after its first convolution (2 ndf after its second)"},
    {"norm", GL_PARAM_CHOICE, "layer", 0, GL_NO_RANGE, "layer|none|batch",
     "D's normalisation after its second convolution (batch cannot be used with a gradient "
     "penalty)"},
    {"g_norm", GL_PARAM_CHOICE, "batch", 0, GL_NO_RANGE, "batch|layer|none",
     "G's normalisation before each ReLU"},
    GLM_COND_PARAMS,
    GLM_DREG_PARAMS,
    GLM_INIT_PARAMS,
    {NULL, 0, NULL, 0, GL_NO_RANGE, NULL, NULL}};

typedef struct dcgan {
    glm_cond cond;
    glm_dreg dreg;
    int c, h, w; /* item shape (C, H, W) */
    int ngf, ndf;
    /* G */
    gl_embedding_layer g_emb;
    gl_linear_layer g_fc; /* -> (2 ngf, H/4, W/4) */
    glm_norm g_norm1, g_norm2;
    gl_conv_layer g_up1, g_up2;
    /* D */
    gl_embedding_layer d_emb; /* with the input only (cond.d_project == 0) */
    glm_conv d_conv1, d_conv2;
    glm_norm d_norm;
    glm_linear d_fc;
    gl_tensor *d_proj; /* `proj.weight` when the label enters D by projection (layers.h) */
} dcgan;

static void dcgan_destroy(void *self) { free(self); }

static void declare_g(dcgan *m, gl_net *g, int latent, glm_norm_kind norm)
{
    int h4 = m->h / 4, w4 = m->w / 4;
    int item1[3] = {2 * m->ngf, h4, w4}, item2[3] = {m->ngf, 2 * h4, 2 * w4};
    glm_cond_declare(&m->cond, &m->g_emb, g);
    gl_linear_layer_declare(&m->g_fc, g, "fc", latent + (m->cond.on ? m->cond.dim : 0),
                            2 * m->ngf * h4 * w4, 1);
    /* model: [norm], ReLU, ConvT, [norm], ReLU, ConvT, Tanh */
    int idx = 0;
    char name[32];
    if (norm != GLM_NORM_NONE) {
        snprintf(name, sizeof name, "model.%d", idx++);
        glm_norm_declare(&m->g_norm1, norm, g, name, 3, item1);
    }
    snprintf(name, sizeof name, "model.%d", ++idx);
    gl_conv_transpose2d_layer_declare(&m->g_up1, g, name, 2 * m->ngf, m->ngf, 4, 2, 1, 0, 1);
    idx++;
    if (norm != GLM_NORM_NONE) {
        snprintf(name, sizeof name, "model.%d", idx++);
        glm_norm_declare(&m->g_norm2, norm, g, name, 3, item2);
    }
    snprintf(name, sizeof name, "model.%d", ++idx);
    gl_conv_transpose2d_layer_declare(&m->g_up2, g, name, m->ngf, m->c, 4, 2, 1, 0, 1);
}

static void declare_d(dcgan *m, gl_net *d, glm_norm_kind norm)
{
    int h4 = m->h / 4, w4 = m->w / 4;
    int item[3] = {2 * m->ndf, h4, w4};
    int label_input = m->cond.on && !m->cond.d_project, sn = m->dreg.spectral_norm;
    if (label_input)
        glm_cond_declare(&m->cond, &m->d_emb, d);
    /* model: Conv, LReLU, Conv, [norm], LReLU */
    glm_conv_declare(&m->d_conv1, d, "model.0",
                     m->c * m->dreg.pack + (label_input ? m->cond.dim : 0), m->ndf, 4, 2, 1, sn);
    glm_conv_declare(&m->d_conv2, d, "model.2", m->ndf, 2 * m->ndf, 4, 2, 1, sn);
    glm_norm_declare(&m->d_norm, norm, d, "model.3", 3, item);
    int features = (2 * m->ndf + m->dreg.minibatch_std) * h4 * w4;
    glm_linear_declare(&m->d_fc, d, "fc", features, 1, sn);
    if (m->cond.on && m->cond.d_project)
        m->d_proj = glm_proj_declare(&m->cond, d, features);
}

static int dcgan_create(const gl_params *p, gl_model_env *env, gl_net *g, gl_net *d, void **self,
                        gl_error *err)
{
    *self = NULL;
    const gl_dataset_info *data = &env->data;
    if (data->ndim != 3 || data->shape[1] < 4 || data->shape[1] % 4 != 0 || data->shape[2] < 4 ||
        data->shape[2] % 4 != 0)
        return gl_error_add(err, GL_ERR_INPUT,
                            "model 'dcgan': needs image items (C, H, W) with H and W multiples of "
                            "4 (e.g. 1x28x28, 3x32x32); the dataset gives %d-D items%s; use model "
                            "'mlp' for other data",
                            data->ndim, data->ndim == 3 ? " of another size" : "");
    dcgan *m = calloc(1, sizeof *m);
    if (!m)
        return gl_error_add(err, GL_ERR_RUN, "model 'dcgan': out of memory");
    *self = m;
    glm_init_set(p, g, d);
    int rc = glm_cond_read(&m->cond, p, env, "dcgan", err);
    if (rc == GL_OK)
        rc = glm_dreg_read(&m->dreg, p, &m->cond, "dcgan", err);
    if (rc != GL_OK)
        return rc;
    m->c = data->shape[0];
    m->h = data->shape[1];
    m->w = data->shape[2];
    m->ngf = (int)gl_params_int(p, "ngf");
    m->ndf = (int)gl_params_int(p, "ndf");
    int latent = (int)gl_params_int(p, "latent_dim");
    glm_norm_kind d_norm = glm_norm_parse(gl_params_string(p, "norm"));
    declare_g(m, g, latent, glm_norm_parse(gl_params_string(p, "g_norm")));
    declare_d(m, d, d_norm);
    env->latent_dim = latent;
    env->conditional = m->cond.on;
    env->pack = m->dreg.pack;
    env->flags = d_norm == GLM_NORM_BATCH ? GL_MODEL_D_BATCH_STATS : 0u;
    return GL_OK;
}

static gl_tensor *dcgan_generate(void *self, gl_ctx *ctx, gl_tensor *z, const int32_t *labels,
                                 int train)
{
    dcgan *m = self;
    int b = gl_tensor_dim(z, 0);
    if (m->cond.on) {
        gl_tensor *parts[2] = {z, glm_cond_code(ctx, &m->cond, &m->g_emb, labels, b)};
        z = gl_concat(ctx, 2, parts);
    }
    int shape[4] = {b, 2 * m->ngf, m->h / 4, m->w / 4};
    gl_tensor *x = gl_reshape(ctx, gl_linear_layer_forward(ctx, &m->g_fc, z, GL_ACT_NONE, 0), 4,
                              shape);
    x = gl_relu(ctx, glm_norm_forward(ctx, &m->g_norm1, x, train));
    x = gl_conv_layer_forward(ctx, &m->g_up1, x); /* (B, ngf, H/2, W/2) */
    x = gl_relu(ctx, glm_norm_forward(ctx, &m->g_norm2, x, train));
    return gl_tanh(ctx, gl_conv_layer_forward(ctx, &m->g_up2, x)); /* (B, C, H, W) */
}

/* code (B, E) -> constant-per-plane maps (B, E, H, W): an outer product with a row of ones,
 * code_col (B*E, 1) x ones (1, H*W), so the maps stay differentiable w.r.t. a learned code. */
static gl_tensor *label_planes(gl_ctx *ctx, gl_tensor *code, int h, int w)
{
    if (!code)
        return NULL;
    int b = gl_tensor_dim(code, 0), e = gl_tensor_dim(code, 1);
    int col[2] = {b * e, 1}, row[2] = {1, h * w}, planes[4] = {b, e, h, w};
    gl_tensor *ones = gl_tensor_new(ctx, 2, row);
    if (!ones)
        return NULL;
    gl_real *o = gl_tensor_data(ones);
    for (int i = 0; i < h * w; i++)
        o[i] = 1;
    gl_tensor *outer = gl_matmul(ctx, gl_reshape(ctx, code, 2, col), ones, 0, 0);
    return gl_reshape(ctx, outer, 4, planes);
}

static gl_tensor *dcgan_discriminate(void *self, gl_ctx *ctx, gl_tensor *x, const int32_t *labels,
                                     int train)
{
    dcgan *m = self;
    x = glm_pack(ctx, x, m->dreg.pack);
    if (m->cond.on && !m->d_proj) {
        gl_tensor *code = glm_cond_code(ctx, &m->cond, &m->d_emb, labels, gl_tensor_dim(x, 0));
        gl_tensor *parts[2] = {x, label_planes(ctx, code, m->h, m->w)};
        x = gl_concat(ctx, 2, parts);
    }
    x = gl_leaky_relu(ctx, glm_conv_forward(ctx, &m->d_conv1, x, train), DCGAN_SLOPE);
    x = glm_conv_forward(ctx, &m->d_conv2, x, train); /* (B, 2 ndf, H/4, W/4) */
    x = gl_leaky_relu(ctx, glm_norm_forward(ctx, &m->d_norm, x, train), DCGAN_SLOPE);
    if (m->dreg.minibatch_std)
        x = glm_mbstd(ctx, x); /* (B, 2 ndf + 1, H/4, W/4) */
    x = gl_flatten(ctx, x);
    gl_tensor *y = glm_linear_forward(ctx, &m->d_fc, x, GL_ACT_NONE, 0, train); /* (B, 1) */
    return m->d_proj ? glm_proj_forward(ctx, m->d_proj, y, x, labels) : y;
}

static const gl_model_plugin dcgan_plugin = {
    .hdr = {GL_ABI_VERSION, GL_KIND_MODEL, sizeof(gl_model_plugin), "dcgan",
            "convolutional G and D for 28x28 / 32x32 images (DCGAN), optionally conditional",
            dcgan_params},
    .create = dcgan_create,
    .generate = dcgan_generate,
    .discriminate = dcgan_discriminate,
    .destroy = dcgan_destroy,
};

GL_PLUGIN_EXPORT const gl_plugin_header *gl_plugin_entry(void) { return &dcgan_plugin.hdr; }

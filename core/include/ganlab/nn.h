/* ganlab/nn.h - parameter sets (gl_net) and the layers model plugins build from them.
 *
 * A gl_net is one network's parameters (G or D). A model plugin declares named tensors into it in
 * `create` (gl_net_param, gl_net_buffer, or a layer's declare function); the core then finalises
 * the net, which puts ALL parameter values into one allocation, all their gradients into a second
 * one and all non-trainable buffers (batch-norm running statistics) into a third, in declaration
 * order, and fills them with each declaration's initialiser drawn from the init stream. Hence an
 * optimizer is a loop over (gl_net_values, gl_net_grads, its state) and a checkpoint writes two
 * blocks. The gl_tensor handles returned by declarations stay valid for the net's life; their data
 * exists from gl_net_finalize on.
 *
 * Initialisers reproduce PyTorch's defaults, the layer declare functions pick them:
 *   Linear / Conv2d weight and bias      uniform(-1/sqrt(fan_in), 1/sqrt(fan_in)),
 *                                        fan_in = in_features or C_in * kh * kw;
 *   ConvTranspose2d weight (Ci, Co, k, k) the same with fan_in = weight.size(1) * kh * kw =
 * Co*kh*kw (torch's _calculate_fan_in_and_fan_out), bias too; BatchNorm / LayerNorm weight 1, bias
 * 0; running mean 0, running var 1; Embedding                            normal(0, 1). (Same
 * distributions as torch, not the same numbers: the draws come from ganlab's Philox stream.)
 * A net set to GL_NET_INIT_NORMAL (gl_net_set_init) gives its linear, convolution and norm layers
 * DCGAN's initialisation instead (see there).
 *
 * Example: the tutorial discriminator 784-512-256-1.
 *
 *     typedef struct { gl_linear_layer l1, l2, l3; } disc;
 *     // in create():
 *     gl_linear_layer_declare(&m->l1, d, "model.0", 784, 512, 1);
 *     gl_linear_layer_declare(&m->l2, d, "model.2", 512, 256, 1);
 *     gl_linear_layer_declare(&m->l3, d, "model.4", 256, 1, 1);
 *     // in discriminate(): x (B, 1, 28, 28) -> logits (B, 1)
 *     gl_tensor *h = gl_linear_layer_forward(ctx, &m->l1, x, GL_ACT_LEAKY_RELU, 0.2f);
 *     h = gl_linear_layer_forward(ctx, &m->l2, h, GL_ACT_LEAKY_RELU, 0.2f);
 *     return gl_linear_layer_forward(ctx, &m->l3, h, GL_ACT_NONE, 0);
 *
 * Declaration faults (a repeated name, a bad shape, declaring after finalising) make the
 * declaration return NULL and are reported, all of them, by gl_net_finalize.
 */
#ifndef GANLAB_NN_H
#define GANLAB_NN_H

#include <ganlab/api.h>

#include <stddef.h>

#include <ganlab/error.h>
#include <ganlab/rng.h>
#include <ganlab/tensor.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct gl_net gl_net;

/* ---------------------------------------------------------------- initialisers */

typedef enum gl_init_kind {
    GL_INIT_ZEROS = 0,
    GL_INIT_ONES,
    GL_INIT_UNIFORM,   /* uniform(-a, a) */
    GL_INIT_NORMAL,    /* normal(0, a) */
    GL_INIT_NORMAL_ONE /* normal(1, a): 1 + a * normal(0, 1) */
} gl_init_kind;

typedef struct gl_init {
    gl_init_kind kind;
    double a;
} gl_init;

GL_API gl_init gl_init_zeros(void);
GL_API gl_init gl_init_ones(void);
GL_API gl_init gl_init_uniform(double a);
GL_API gl_init gl_init_normal(double std);
GL_API gl_init gl_init_fan_in(int fan_in); /* uniform(-1/sqrt(fan_in), 1/sqrt(fan_in)) */

/* ---------------------------------------------------------------- nets */

/* New empty net; name (copied) is used in messages ("G", "D"). Free with gl_net_destroy. */
GL_API gl_net *gl_net_create(const char *name);
GL_API void gl_net_destroy(gl_net *net);
GL_API const char *gl_net_name(const gl_net *net);

/* Declares a trainable parameter / a non-trainable buffer; name is copied and must be unique in the
 * net. Returns the tensor handle (owned by the net), or NULL on a declaration fault. */
GL_API gl_tensor *gl_net_param(gl_net *net, const char *name, int ndim, const int *shape,
                               gl_init init);
GL_API gl_tensor *gl_net_buffer(gl_net *net, const char *name, int ndim, const int *shape,
                                gl_init init);

/* A net's initialisation scheme: the initialisers its layer declare functions (below) pick.
 *   GL_NET_INIT_TORCH (a new net's): torch's defaults, as the file comment lists them.
 *   GL_NET_INIT_NORMAL: DCGAN's (Radford et al. 2016, sec. 4: "All weights were initialized from a
 *     zero-centered Normal distribution with standard deviation 0.02"), as the PyTorch DCGAN
 *     tutorial's weights_init writes it: Linear, Conv2d and ConvTranspose2d weights normal(0, std),
 *     their biases 0; BatchNorm and LayerNorm weights normal(1, std), their biases 0. Embedding
 *     tables and the running statistics keep torch's initialisers.
 * gl_net_set_init applies to the layers declared after it (call it first for a whole net). std
 * is used by GL_NET_INIT_NORMAL only and must then be finite and > 0; a bad std or an unknown
 * scheme is a declaration fault (reported by gl_net_finalize; the scheme is left unchanged), and
 * a call after finalize changes nothing. Draws are made by gl_net_finalize as for any
 * declaration: from the one init stream, in declaration order, so the same seed gives the same
 * net. */
typedef enum gl_net_init { GL_NET_INIT_TORCH = 0, GL_NET_INIT_NORMAL } gl_net_init;
GL_API void gl_net_set_init(gl_net *net, gl_net_init scheme, double std);

/* What a declared tensor is to its layer, for gl_net_layer_init. */
typedef enum gl_layer_role {
    GL_LAYER_WEIGHT = 0, /* a linear or convolution weight with fan_in inputs per output */
    GL_LAYER_BIAS,       /* the bias of such a weight (fan_in: the weight's) */
    GL_LAYER_NORM_SCALE, /* a batch or layer norm's weight (fan_in unused) */
    GL_LAYER_NORM_SHIFT  /* a batch or layer norm's bias (fan_in unused) */
} gl_layer_role;
/* The initialiser net's current scheme gives a tensor of that role: what the layer declare
 * functions use, and what a plugin passes to gl_net_param for a tensor of its own that plays a
 * layer weight's part (so that it follows the scheme too). Torch: fan-in uniform for a weight
 * and its bias, 1 and 0 for a norm; normal: normal(0, std), 0, normal(1, std), 0. */
GL_API gl_init gl_net_layer_init(const gl_net *net, gl_layer_role role, int fan_in);

/* Allocates the three blocks and initialises them in declaration order from rng (advanced).
 * Returns GL_OK, or GL_ERR_INPUT listing every declaration fault / GL_ERR_RUN on out of memory. */
GL_API int gl_net_finalize(gl_net *net, gl_rng *rng, gl_error *err);

/* The blocks (valid after finalize): values and grads hold gl_net_numel elements, buffers
 * gl_net_buffer_numel; each parameter is a contiguous slice in declaration order.
 * Writing values: under engine.precision bf16 the products read each parameter through a bf16
 * copy the engine keeps per net, made again only after the values were handed out for writing
 * (a call of gl_net_values, or of gl_tensor_data on the parameter). So write through a pointer
 * obtained after the last op that read the net, as an optimizer step does (docs/engine.md). */
GL_API size_t gl_net_numel(const gl_net *net);
GL_API gl_real *gl_net_values(gl_net *net);
GL_API gl_real *gl_net_grads(gl_net *net);
GL_API size_t gl_net_buffer_numel(const gl_net *net);
GL_API gl_real *gl_net_buffer_values(gl_net *net);
GL_API void gl_net_zero_grad(gl_net *net);
/* Gives two nets one gradient block, as large as the larger net needs, each net's gradients at
 * its start: for two nets that are never differentiated into together, as a GAN's G and D (each
 * update zeroes its net's gradients, backpropagates into that net only and steps its optimizer
 * before the other net's update begins); a gradient pass into one overwrites the other's
 * gradients. Saves the smaller net's numel of memory. Call after both nets' declarations and
 * before finalizing either; GL_ERR_INPUT otherwise or when a net already shares. */
GL_API int gl_net_share_grads(gl_net *a, gl_net *b, gl_error *err);

/* Enumeration, for checkpoints and logs: parameters, then buffers, in declaration order. */
GL_API int gl_net_n_params(const gl_net *net);
GL_API gl_tensor *gl_net_param_at(gl_net *net, int i);
GL_API int gl_net_n_buffers(const gl_net *net);
GL_API gl_tensor *gl_net_buffer_at(gl_net *net, int i);
GL_API gl_tensor *gl_net_find(gl_net *net, const char *name); /* a parameter or buffer, or NULL */
/* A parameter's gradient slice (numel(p)), or NULL for a buffer / non-parameter. */
GL_API gl_real *gl_tensor_grad(gl_tensor *p);

/* ---------------------------------------------------------------- layers */

/* torch.nn.Linear(in, out, bias): NAME.weight (out, in), NAME.bias (out). */
typedef struct gl_linear_layer {
    gl_tensor *w, *b; /* b NULL without bias */
    int in, out;
} gl_linear_layer;
GL_API void gl_linear_layer_declare(gl_linear_layer *l, gl_net *net, const char *name, int in,
                                    int out, int bias);
/* x (B, in) or (B, ...) flattened -> act(x w^T + b) (B, out). */
GL_API gl_tensor *gl_linear_layer_forward(gl_ctx *ctx, const gl_linear_layer *l, gl_tensor *x,
                                          gl_act act, gl_real slope);

/* torch.nn.Conv2d(ci, co, k, stride, pad, bias) / ConvTranspose2d(ci, co, k, stride, pad, out_pad,
 * bias): NAME.weight (co, ci, k, k) / (ci, co, k, k), NAME.bias (co). */
typedef struct gl_conv_layer {
    gl_tensor *w, *b;
    int ci, co, k, stride, pad, out_pad, transposed;
} gl_conv_layer;
GL_API void gl_conv2d_layer_declare(gl_conv_layer *l, gl_net *net, const char *name, int ci, int co,
                                    int k, int stride, int pad, int bias);
GL_API void gl_conv_transpose2d_layer_declare(gl_conv_layer *l, gl_net *net, const char *name,
                                              int ci, int co, int k, int stride, int pad,
                                              int out_pad, int bias);
GL_API gl_tensor *gl_conv_layer_forward(gl_ctx *ctx, const gl_conv_layer *l, gl_tensor *x);

/* torch.nn.BatchNorm1d/2d(c) (momentum 0.1, eps 1e-5): NAME.weight, NAME.bias (c) parameters and
 * NAME.running_mean, NAME.running_var (c) buffers. Not usable in a penalised critic (autograd.h).
 */
typedef struct gl_batch_norm_layer {
    gl_tensor *w, *b, *running_mean, *running_var;
    gl_real momentum, eps;
} gl_batch_norm_layer;
GL_API void gl_batch_norm_layer_declare(gl_batch_norm_layer *l, gl_net *net, const char *name,
                                        int c);
GL_API gl_tensor *gl_batch_norm_layer_forward(gl_ctx *ctx, const gl_batch_norm_layer *l,
                                              gl_tensor *x, int train);

/* torch.nn.LayerNorm(item_shape) (eps 1e-5, elementwise affine): NAME.weight, NAME.bias
 * shaped item_shape (ndim 1..3), normalising each item of x (B, item...). */
typedef struct gl_layer_norm_layer {
    gl_tensor *w, *b;
    gl_real eps;
} gl_layer_norm_layer;
GL_API void gl_layer_norm_layer_declare(gl_layer_norm_layer *l, gl_net *net, const char *name,
                                        int ndim, const int *item_shape);
GL_API gl_tensor *gl_layer_norm_layer_forward(gl_ctx *ctx, const gl_layer_norm_layer *l,
                                              gl_tensor *x);

/* torch.nn.Embedding(n, dim): NAME.weight (n, dim), normal(0, 1). */
typedef struct gl_embedding_layer {
    gl_tensor *table;
    int n, dim;
} gl_embedding_layer;
GL_API void gl_embedding_layer_declare(gl_embedding_layer *l, gl_net *net, const char *name, int n,
                                       int dim);
/* labels (B) -> (B, dim). */
GL_API gl_tensor *gl_embedding_layer_forward(gl_ctx *ctx, const gl_embedding_layer *l,
                                             const int32_t *labels, int batch);

/* ---------------------------------------------------------------- training helpers
 * For plugins that train a network of their own (the classifier evaluator);
 * core/engine/cross_entropy.c and adam.c. A GAN's own updates go through optimizer plugins instead.
 */

/* Mean softmax cross-entropy of logits (B, K) against labels (B) in [0, K), as torch's
 * F.cross_entropy: a scalar (1) whose value is the loss and whose first derivative with respect to
 * logits is (softmax(logits) - onehot(labels)) / B, so gl_backward trains with it (no higher-order
 * gradient). With recording off it is the value only. NULL (and a ctx error) on a bad label. */
GL_API gl_tensor *gl_cross_entropy(gl_ctx *ctx, gl_tensor *logits, const int32_t *labels);

/* One Adam update of n parameters in place, as torch.optim.Adam (L2 weight_decay added to the
 * gradient; no amsgrad): state is m (n) then v (n), zeroed before step 1; step counts from 1. The
 * one Adam of ganlab: the `adam` optimizer plugin and gl_net_adam_step both call it. */
GL_API void gl_adam_update(float *param, const float *grad, float *state, size_t n, uint64_t step,
                           double lr, double beta1, double beta2, double eps, double weight_decay);

/* gl_adam_update with the update scaled by lr_scale (a learning-rate schedule's factor): each
 * parameter ends as p0 + lr_scale * (p1 - p0) in float, p0 its value before and p1
 * gl_adam_update's result, without a copy of the values; state as gl_adam_update leaves it.
 * lr_scale == 1 is gl_adam_update. The `adam` plugin's step_scaled (plugin.h). */
GL_API void gl_adam_update_scaled(float *param, const float *grad, float *state, size_t n,
                                  uint64_t step, double lr, double beta1, double beta2, double eps,
                                  double weight_decay, float lr_scale);

/* gl_adam_update (no weight decay) of every parameter of net from its gradient block. state: 2 *
 * gl_net_numel(net) floats, zeroed before the first step and owned by the caller; t counts steps
 * from 1. */
GL_API void gl_net_adam_step(gl_net *net, float *state, uint64_t t, double lr, double beta1,
                             double beta2, double eps);

#ifdef __cplusplus
}
#endif
#endif

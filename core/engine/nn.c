/* nn.c - the layers of nn.h: each declares its tensors under torch's state_dict names
 * (NAME.weight, NAME.bias, NAME.running_mean, NAME.running_var) with the initialisers of the net's
 * scheme (gl_net_layer_init: torch's defaults unless set otherwise), and applies the matching op.
 * They hold no state beyond the handles; nothing here allocates except through gl_net declarations.
 */
#include "engine.h"

#include <stdio.h>

/* Declares NAME.SUFFIX. */
static gl_tensor *named(gl_net *net, int trainable, const char *name, const char *suffix, int ndim,
                        const int *shape, gl_init init)
{
    char full[256];
    snprintf(full, sizeof full, "%s.%s", name, suffix);
    return trainable ? gl_net_param(net, full, ndim, shape, init)
                     : gl_net_buffer(net, full, ndim, shape, init);
}

void gl_linear_layer_declare(gl_linear_layer *l, gl_net *net, const char *name, int in, int out,
                             int bias)
{
    int ws[2] = {out, in};
    l->in = in;
    l->out = out;
    l->w = named(net, 1, name, "weight", 2, ws, gl_net_layer_init(net, GL_LAYER_WEIGHT, in));
    l->b = bias ? named(net, 1, name, "bias", 1, &out, gl_net_layer_init(net, GL_LAYER_BIAS, in))
                : NULL;
}

gl_tensor *gl_linear_layer_forward(gl_ctx *ctx, const gl_linear_layer *l, gl_tensor *x, gl_act act,
                                   gl_real slope)
{
    return gl_linear_act(ctx, x, l->w, l->b, act, slope);
}

static void conv_declare(gl_conv_layer *l, gl_net *net, const char *name, int ci, int co, int k,
                         int stride, int pad, int out_pad, int bias, int transposed)
{
    *l = (gl_conv_layer){NULL, NULL, ci, co, k, stride, pad, out_pad, transposed};
    /* torch's fan_in is weight.size(1) * k * k: ci for Conv2d, co for ConvTranspose2d. */
    int ws[4] = {transposed ? ci : co, transposed ? co : ci, k, k};
    int fan_in = ws[1] * k * k;
    l->w = named(net, 1, name, "weight", 4, ws, gl_net_layer_init(net, GL_LAYER_WEIGHT, fan_in));
    l->b = bias ? named(net, 1, name, "bias", 1, &co, gl_net_layer_init(net, GL_LAYER_BIAS, fan_in))
                : NULL;
}

void gl_conv2d_layer_declare(gl_conv_layer *l, gl_net *net, const char *name, int ci, int co, int k,
                             int stride, int pad, int bias)
{
    conv_declare(l, net, name, ci, co, k, stride, pad, 0, bias, 0);
}

void gl_conv_transpose2d_layer_declare(gl_conv_layer *l, gl_net *net, const char *name, int ci,
                                       int co, int k, int stride, int pad, int out_pad, int bias)
{
    conv_declare(l, net, name, ci, co, k, stride, pad, out_pad, bias, 1);
}

gl_tensor *gl_conv_layer_forward(gl_ctx *ctx, const gl_conv_layer *l, gl_tensor *x)
{
    if (l->transposed)
        return gl_conv_transpose2d(ctx, x, l->w, l->b, l->stride, l->pad, l->out_pad);
    return gl_conv2d(ctx, x, l->w, l->b, l->stride, l->pad);
}

void gl_batch_norm_layer_declare(gl_batch_norm_layer *l, gl_net *net, const char *name, int c)
{
    l->w = named(net, 1, name, "weight", 1, &c, gl_net_layer_init(net, GL_LAYER_NORM_SCALE, 0));
    l->b = named(net, 1, name, "bias", 1, &c, gl_net_layer_init(net, GL_LAYER_NORM_SHIFT, 0));
    l->running_mean = named(net, 0, name, "running_mean", 1, &c, gl_init_zeros());
    l->running_var = named(net, 0, name, "running_var", 1, &c, gl_init_ones());
    l->momentum = (gl_real)0.1;
    l->eps = (gl_real)1e-5;
}

gl_tensor *gl_batch_norm_layer_forward(gl_ctx *ctx, const gl_batch_norm_layer *l, gl_tensor *x,
                                       int train)
{
    return gl_batch_norm(ctx, x, l->w, l->b, l->running_mean, l->running_var, train, l->momentum,
                         l->eps);
}

void gl_layer_norm_layer_declare(gl_layer_norm_layer *l, gl_net *net, const char *name, int ndim,
                                 const int *item_shape)
{
    l->w = named(net, 1, name, "weight", ndim, item_shape,
                 gl_net_layer_init(net, GL_LAYER_NORM_SCALE, 0));
    l->b = named(net, 1, name, "bias", ndim, item_shape,
                 gl_net_layer_init(net, GL_LAYER_NORM_SHIFT, 0));
    l->eps = (gl_real)1e-5;
}

gl_tensor *gl_layer_norm_layer_forward(gl_ctx *ctx, const gl_layer_norm_layer *l, gl_tensor *x)
{
    return gl_layer_norm(ctx, x, l->w, l->b, l->eps);
}

void gl_embedding_layer_declare(gl_embedding_layer *l, gl_net *net, const char *name, int n,
                                int dim)
{
    int shape[2] = {n, dim};
    l->n = n;
    l->dim = dim;
    l->table = named(net, 1, name, "weight", 2, shape, gl_init_normal(1.0));
}

gl_tensor *gl_embedding_layer_forward(gl_ctx *ctx, const gl_embedding_layer *l,
                                      const int32_t *labels, int batch)
{
    return gl_embedding(ctx, l->table, labels, batch);
}

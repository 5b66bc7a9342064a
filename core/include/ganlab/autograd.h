/* ganlab/autograd.h - reverse-mode differentiation of what the ops of tensor.h recorded, to any
 * order.
 *
 * Model: each op that has an input requiring a gradient appends a node to its context's tape (in
 * creation order, which is a topological order). Differentiating walks the tape backwards from the
 * outputs, visiting only nodes that lie between the outputs and the requested inputs, and applies
 * each op's gradient rule. Two flavours of every rule exist:
 *   - a kernel that accumulates straight into gradient buffers (fast; used when create_graph is 0);
 *   - a rule written with the differentiable ops themselves (used when create_graph is 1): the
 *     gradients it returns are ordinary recorded tensors, so a function of them (a gradient
 * penalty) can be differentiated again with gl_grad or gl_backward. Ops that have no second-order
 * rule (gl_batch_norm in train mode) make a create_graph call fail with GL_ERR_INPUT;
 * docs/engine.md lists them.
 *
 * Example: WGAN-GP's penalty on interpolates xh (B, 784), then the critic's parameter gradients.
 *
 *     gl_tensor_set_requires_grad(xh, 1);
 *     gl_tensor *d = critic(ctx, xh);                                   // (B, 1)
 *     gl_tensor *gx;
 *     gl_tensor *ones = gl_tensor_full_like(ctx, d, 1.0f);
 *     if (gl_grad(ctx, 1, &d, &ones, 1, &xh, &gx, 1, &err) != GL_OK) ...   // gx (B, 784), recorded
 *     gl_tensor *n = gl_row_l2norm(ctx, gx);                            // (B, 1)
 *     gl_tensor *gp = gl_mean(ctx, gl_square(ctx, gl_add_scalar(ctx, n, -1.0f)));   // (1)
 *     gl_tensor *loss = gl_add(ctx, wdist, gl_scale(ctx, gp, 10.0f));
 *     gl_net_zero_grad(d_net);
 *     gl_backward(ctx, loss, d_net, &err);     // d loss / d theta_D, through the gradient too
 *
 * Writing into a tensor's data after an op consumed it invalidates that op's gradient (ops save
 * their inputs by reference); fill inputs before using them.
 */
#ifndef GANLAB_AUTOGRAD_H
#define GANLAB_AUTOGRAD_H

#include <ganlab/api.h>

#include <ganlab/error.h>
#include <ganlab/tensor.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct gl_net gl_net;

/* Marks a tensor made in a context (an input such as WGAN-GP's interpolates) as a variable that
 * gl_grad may differentiate with respect to. Parameters always require gradients. */
GL_API void gl_tensor_set_requires_grad(gl_tensor *t, int on);
GL_API int gl_tensor_requires_grad(const gl_tensor *t);

/* A new tensor sharing x's data but cut from the graph: no gradient flows through it. */
GL_API gl_tensor *gl_detach(gl_ctx *ctx, gl_tensor *x);

/* Like torch.autograd.grad(outs, ins, grad_outs, create_graph): grads[i] (new tensors owned by ctx,
 * shaped like ins[i]) = sum_j d<outs[j], grad_outs[j]> / d ins[i]. grad_outs may be NULL, or have
 * NULL entries, for scalar outs (gradient 1). An input the outs do not depend on gets zeros.
 * Each ins[i] must require gradients. With create_graph the grads are recorded (differentiable);
 * without, they are constants. Parameter gradient blocks are not touched.
 * Returns GL_OK, or GL_ERR_INPUT with err filled (ctx already failed, bad arguments, or an op with
 * no second-order rule under create_graph). */
GL_API int gl_grad(gl_ctx *ctx, int n_out, gl_tensor *const *outs, gl_tensor *const *grad_outs,
                   int n_in, gl_tensor *const *ins, gl_tensor **grads, int create_graph,
                   gl_error *err);

/* loss.backward() restricted to one net: adds d loss / d p to the gradient block of every parameter
 * p of net that loss depends on (other nets' parameters and inputs are neither computed nor
 * touched). loss must have one element. Returns GL_OK or GL_ERR_INPUT (err filled). */
GL_API int gl_backward(gl_ctx *ctx, gl_tensor *loss, gl_net *net, gl_error *err);

#ifdef __cplusplus
}
#endif
#endif

/* ganlab/tensor.h - tensors, the per-step context that owns them, and the differentiable ops.
 *
 * A gl_tensor is a contiguous array of gl_real (float; double only in the engine's test build) with
 * 1 to 4 dimensions, laid out row-major as (N, C, H, W) / (N, F) / (F). There are two kinds:
 *
 *   - parameters and buffers, declared into a gl_net (nn.h) and living for the whole run in the
 *     net's single value block (and, for parameters, its single gradient block);
 *   - everything else: inputs, intermediates, gradients, created in a gl_ctx. A context is an
 * arena: gl_ctx_reset() frees every tensor it made at once and keeps the memory for the next step,
 * so a training step in steady state makes no heap allocation (gl_engine_alloc_count() proves it).
 *
 * Every op below takes the context that will own its result, computes the forward value at once,
 * and, when gradients are enabled in the context and an input requires a gradient (a parameter, or
 * a tensor marked with gl_tensor_set_requires_grad, or any result of such), records itself on the
 * context's tape so that autograd.h can differentiate it, to any order.
 *
 * Errors: a shape mismatch is a programming error in the caller. The op returns NULL and records
 * the first such error in the context (gl_ctx_status); an op given a NULL input returns NULL, so a
 * chain of ops needs one check at its end (gl_backward/gl_grad also refuse to run on a failed ctx).
 *
 * Example: the tutorial discriminator's loss on a batch of 64 real images,
 *
 *     gl_ctx *ctx = gl_ctx_create();
 *     int shape[2] = {64, 784};
 *     gl_tensor *x = gl_tensor_from(ctx, 2, shape, pixels);            // (64, 784), copied
 *     gl_tensor *h = gl_linear_act(ctx, x, w1, b1, GL_ACT_LEAKY_RELU, 0.2f);   // (64, 512)
 *     h = gl_linear_act(ctx, h, w2, b2, GL_ACT_LEAKY_RELU, 0.2f);            // (64, 256)
 *     gl_tensor *logit = gl_linear(ctx, h, w3, b3);                           // (64, 1)
 *     gl_tensor *loss = gl_bce_with_logits_const(ctx, logit, 1.0f);           // (1)
 *     if (gl_backward(ctx, loss, d_net, &err) != GL_OK) ...                  // autograd.h
 *     gl_ctx_reset(ctx);                                                      // next step
 *
 * Not provided: strides/views other than reshape, broadcasting other than gl_expand's three modes,
 * dtypes other than gl_real, more than 4 dimensions, in-place ops.
 */
#ifndef GANLAB_TENSOR_H
#define GANLAB_TENSOR_H

#include <ganlab/api.h>

#include <stddef.h>
#include <stdint.h>

#include <ganlab/error.h>

#ifdef __cplusplus
extern "C" {
#endif

#ifdef GL_REAL_DOUBLE
typedef double gl_real; /* the engine's gradient-check build only (tests/unit/engine.mk) */
#else
typedef float gl_real;
#endif

#define GL_MAX_DIMS 4

typedef struct gl_ctx gl_ctx;
typedef struct gl_tensor gl_tensor;
typedef struct gl_rng gl_rng;

/* ---------------------------------------------------------------- engine-wide */

/* Sets the threads of OpenBLAS and, with oneDNN, of the OpenMP pool oneDNN, OpenBLAS and the
 * engine's elementwise loops share (docs/engine.md); results depend only on n and the machine.
 * n >= 1. */
GL_API void gl_engine_set_threads(int n);
GL_API int gl_engine_threads(void);
/* For a program's first line: when its threads are OpenMP's (oneDNN builds) and the environment
 * sets no OMP_WAIT_POLICY, sets it to passive and re-executes the program (argv as main got it),
 * since libgomp reads it only while loading. Idle workers then sleep instead of spinning, which on
 * a machine with more threads than free cores multiplied a step's time. Returns when it does not
 * re-execute (or the exec fails). */
GL_API void gl_engine_passive_threads(char *const *argv);
/* The precision of products (linear layers, gl_matmul, convolutions): fp32, or bf16 (inputs
 * rounded to bfloat16, products accumulated in fp32; tensors, gradients and everything else stay
 * fp32). Engine-wide, like the thread count; default fp32. */
typedef enum gl_precision { GL_PRECISION_FP32, GL_PRECISION_BF16 } gl_precision;
/* GL_OK, or GL_ERR_INPUT with the reason in err (the CPU lacks both AVX512_BF16 and AMX-BF16, or
 * this build has no oneDNN) and the precision unchanged. GANLAB_FAKE_NO_BF16=1 in the environment
 * makes the CPU check fail, so the refusal can be tested on any machine. */
GL_API int gl_engine_set_precision(gl_precision p, gl_error *err);
/* NULL when this build and CPU can run GL_PRECISION_BF16, else why not (a static string). */
GL_API const char *gl_engine_bf16_missing(void);
GL_API gl_precision gl_engine_precision(void);
/* Number of heap allocations the engine has made since the process started (every engine
 * allocation goes through one counted allocator). A steady-state step leaves it unchanged. */
GL_API uint64_t gl_engine_alloc_count(void);

/* ---------------------------------------------------------------- contexts */

/* Creates an empty context with gradients enabled. Free with gl_ctx_destroy. NULL on out of memory.
 */
GL_API gl_ctx *gl_ctx_create(void);
/* Frees every tensor the context made (the memory is kept for reuse), clears the tape and the
 * error, and enables gradients again. Tensors the context made must not be used afterwards. */
GL_API void gl_ctx_reset(gl_ctx *ctx);
GL_API void gl_ctx_destroy(gl_ctx *ctx);
/* GL_OK, or the status of the first op error (and its message added to err, which may be NULL). */
GL_API int gl_ctx_status(const gl_ctx *ctx, gl_error *err);
/* Enables (1) or disables (0) recording; returns the previous setting. With recording off
 * (sampling, evaluation) ops compute values only and results never require gradients. */
GL_API int gl_ctx_set_grad_enabled(gl_ctx *ctx, int enabled);
/* Bytes of arena memory the context holds (for logs and the allocation test). */
GL_API size_t gl_ctx_arena_bytes(const gl_ctx *ctx);

/* ---------------------------------------------------------------- tensors */

/* New zero-filled tensor owned by ctx (freed by gl_ctx_reset/destroy). 1 <= ndim <= 4, shape[i]
 * >= 1. It does not require gradients. NULL (and a ctx error) on a bad shape or out of memory. */
GL_API gl_tensor *gl_tensor_new(gl_ctx *ctx, int ndim, const int *shape);
/* Same, filled with a copy of data[0..numel). */
GL_API gl_tensor *gl_tensor_from(gl_ctx *ctx, int ndim, const int *shape, const gl_real *data);
/* Tensor of x's shape filled with v. */
GL_API gl_tensor *gl_tensor_full_like(gl_ctx *ctx, const gl_tensor *x, gl_real v);

GL_API gl_real *gl_tensor_data(gl_tensor *t); /* (numel), row-major; writable (see autograd.h) */
GL_API int gl_tensor_ndim(const gl_tensor *t);
GL_API int gl_tensor_dim(const gl_tensor *t, int i); /* shape[i]; 1 for i >= ndim */
GL_API size_t gl_tensor_numel(const gl_tensor *t);
GL_API const char *gl_tensor_name(const gl_tensor *t); /* a parameter's name, else "" */
GL_API double gl_tensor_item(const gl_tensor *t);      /* element 0, e.g. a loss value */

/* ---------------------------------------------------------------- elementwise (same shapes) */

GL_API gl_tensor *gl_add(gl_ctx *ctx, gl_tensor *a, gl_tensor *b);
GL_API gl_tensor *gl_sub(gl_ctx *ctx, gl_tensor *a, gl_tensor *b);
GL_API gl_tensor *gl_mul(gl_ctx *ctx, gl_tensor *a, gl_tensor *b);
GL_API gl_tensor *gl_div(gl_ctx *ctx, gl_tensor *a, gl_tensor *b);
GL_API gl_tensor *gl_scale(gl_ctx *ctx, gl_tensor *x, gl_real s);      /* s * x */
GL_API gl_tensor *gl_add_scalar(gl_ctx *ctx, gl_tensor *x, gl_real c); /* x + c */
GL_API gl_tensor *gl_square(gl_ctx *ctx, gl_tensor *x);
GL_API gl_tensor *gl_sqrt(gl_ctx *ctx, gl_tensor *x);
/* 1/x, and 0 where x == 0 (derivative -1/x^2, 0 where x == 0): a norm's safe reciprocal. */
GL_API gl_tensor *gl_recip0(gl_ctx *ctx, gl_tensor *x);

/* ---------------------------------------------------------------- activations */

GL_API gl_tensor *gl_relu(gl_ctx *ctx, gl_tensor *x);
GL_API gl_tensor *gl_leaky_relu(gl_ctx *ctx, gl_tensor *x, gl_real slope); /* slope >= 0 */
GL_API gl_tensor *gl_tanh(gl_ctx *ctx, gl_tensor *x);
GL_API gl_tensor *gl_sigmoid(gl_ctx *ctx, gl_tensor *x);
GL_API gl_tensor *gl_softplus(gl_ctx *ctx, gl_tensor *x);    /* log(1 + e^x), stable for any x */
GL_API gl_tensor *gl_log_sigmoid(gl_ctx *ctx, gl_tensor *x); /* -softplus(-x) */
/* Inverted dropout: with train and p > 0 each element is zeroed with probability p and the rest are
 * scaled by 1/(1-p), the mask drawn from rng (advanced); otherwise returns x itself. 0 <= p < 1. */
GL_API gl_tensor *gl_dropout(gl_ctx *ctx, gl_tensor *x, gl_real p, gl_rng *rng, int train);

/* ---------------------------------------------------------------- reductions and broadcasts */

GL_API gl_tensor *gl_sum(gl_ctx *ctx, gl_tensor *x);      /* (...) -> (1) */
GL_API gl_tensor *gl_mean(gl_ctx *ctx, gl_tensor *x);     /* (...) -> (1) */
GL_API gl_tensor *gl_row_sum(gl_ctx *ctx, gl_tensor *x);  /* (B, ...) -> (B, 1) */
GL_API gl_tensor *gl_row_mean(gl_ctx *ctx, gl_tensor *x); /* (B, ...) -> (B, 1) */
GL_API gl_tensor *gl_row_l2norm(gl_ctx *ctx,
                                gl_tensor *x); /* (B, ...) -> (B, 1), ||x_b||_2; gradient 0 at 0 */
/* (B, C, ...) -> (C): sums over the batch and the spatial dims (a bias's gradient). A 1-D x is (C).
 */
GL_API gl_tensor *gl_channel_sum(gl_ctx *ctx, gl_tensor *x);
/* Broadcasts v to the shape of like: v (1) to any shape; v (B, 1) along the rows of like (B, ...);
 * v (C) along the channels of like (B, C, ...) (for 2-D like, C is the feature dim). */
GL_API gl_tensor *gl_expand(gl_ctx *ctx, gl_tensor *v, const gl_tensor *like);
/* x (B, C, ...) + b (C) broadcast over batch and space. */
GL_API gl_tensor *gl_add_bias(gl_ctx *ctx, gl_tensor *x, gl_tensor *b);

/* ---------------------------------------------------------------- matrix products */

/* op(a) op(b) with op = transpose when ta / tb is 1: a (M, K) or (K, M), b (K, N) or (N, K) -> (M,
 * N). */
GL_API gl_tensor *gl_matmul(gl_ctx *ctx, gl_tensor *a, gl_tensor *b, int ta, int tb);

typedef enum gl_act {
    GL_ACT_NONE = 0,
    GL_ACT_RELU,
    GL_ACT_LEAKY_RELU, /* uses slope */
    GL_ACT_TANH,
    GL_ACT_SIGMOID
} gl_act;

/* y = x w^T + b, as torch.nn.Linear: x (B, in) (a 4-D x is flattened), w (out, in), b (out) or
 * NULL -> (B, out). gl_linear_act fuses an activation (one pass, one saved tensor). */
GL_API gl_tensor *gl_linear(gl_ctx *ctx, gl_tensor *x, gl_tensor *w, gl_tensor *b);
GL_API gl_tensor *gl_linear_act(gl_ctx *ctx, gl_tensor *x, gl_tensor *w, gl_tensor *b, gl_act act,
                                gl_real slope);
/* Applies act to x (GL_ACT_NONE returns x). */
GL_API gl_tensor *gl_activate(gl_ctx *ctx, gl_tensor *x, gl_act act, gl_real slope);

/* ---------------------------------------------------------------- convolutions (im2col + GEMM) */

/* torch.nn.functional.conv2d: x (B, Ci, H, W), w (Co, Ci, kh, kw), b (Co) or NULL ->
 * (B, Co, (H + 2 pad - kh) / stride + 1, (W + 2 pad - kw) / stride + 1). */
GL_API gl_tensor *gl_conv2d(gl_ctx *ctx, gl_tensor *x, gl_tensor *w, gl_tensor *b, int stride,
                            int pad);
/* torch.nn.functional.conv_transpose2d: x (B, Ci, H, W), w (Ci, Co, kh, kw), b (Co) or NULL ->
 * (B, Co, (H - 1) stride - 2 pad + kh + out_pad, likewise for W). 0 <= out_pad < stride. */
GL_API gl_tensor *gl_conv_transpose2d(gl_ctx *ctx, gl_tensor *x, gl_tensor *w, gl_tensor *b,
                                      int stride, int pad, int out_pad);

/* ---------------------------------------------------------------- normalisation */

/* Batch norm over (B, H, W) per channel of x (B, C, H, W) or over B per feature of x (B, C).
 * w, b (C) or NULL (no affine). running_mean, running_var (C): buffers of a gl_net.
 * train: normalise with the batch's mean and biased variance and update the running stats in place
 * as torch does (momentum 0.1 by default: r = (1 - m) r + m stat, with the unbiased variance; B*H*W
 * must be >= 2). !train: normalise with the running stats (twice differentiable). The train-mode op
 * has a first derivative only: gl_grad with create_graph refuses it (no batch norm in a penalised
 * critic). */
GL_API gl_tensor *gl_batch_norm(gl_ctx *ctx, gl_tensor *x, gl_tensor *w, gl_tensor *b,
                                gl_tensor *running_mean, gl_tensor *running_var, int train,
                                gl_real momentum, gl_real eps);
/* Layer norm over all non-batch dims of x (B, ...), as torch.nn.LayerNorm(x.shape[1:]):
 * w, b shaped like one item (numel = numel(x) / B) or NULL. Twice differentiable. */
GL_API gl_tensor *gl_layer_norm(gl_ctx *ctx, gl_tensor *x, gl_tensor *w, gl_tensor *b, gl_real eps);

/* ---------------------------------------------------------------- shapes, labels */

/* Same data, new shape (numel must match). gl_flatten: (B, ...) -> (B, rest). */
GL_API gl_tensor *gl_reshape(gl_ctx *ctx, gl_tensor *x, int ndim, const int *shape);
GL_API gl_tensor *gl_flatten(gl_ctx *ctx, gl_tensor *x);
/* Concatenates along dim 1: all (B, F_i) -> (B, sum F_i), or all (B, C_i, H, W) -> (B, sum C_i, H,
 * W). */
GL_API gl_tensor *gl_concat(gl_ctx *ctx, int n, gl_tensor *const *xs);
/* Columns [off, off + len) of x viewed as (B, rest) -> (B, len). */
GL_API gl_tensor *gl_slice_cols(gl_ctx *ctx, gl_tensor *x, int off, int len);
/* labels (B) in [0, n_classes) -> (B, n_classes) constant one-hot rows. NULL on a bad label. */
GL_API gl_tensor *gl_one_hot(gl_ctx *ctx, const int32_t *labels, int batch, int n_classes);
/* Rows of table (n_classes, E) picked by labels (B) -> (B, E) (torch.nn.Embedding). */
GL_API gl_tensor *gl_embedding(gl_ctx *ctx, gl_tensor *table, const int32_t *labels, int batch);

/* ---------------------------------------------------------------- losses */

/* mean over all elements of  softplus(x) - t x  (torch BCEWithLogitsLoss, stable): x any shape,
 * t the same shape (may require gradients) or the constant c. -> (1). */
GL_API gl_tensor *gl_bce_with_logits(gl_ctx *ctx, gl_tensor *x, gl_tensor *t);
GL_API gl_tensor *gl_bce_with_logits_const(gl_ctx *ctx, gl_tensor *x, gl_real c);

#ifdef __cplusplus
}
#endif
#endif

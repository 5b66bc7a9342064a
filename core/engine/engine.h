/* engine.h - internals shared by the engine's files (not installed): the tensor, node and context
 * structs, the counted allocator, the op table and the helpers every op file uses.
 *
 * How an op is put together (docs/engine.md, "Adding an op"): its public function computes the
 * value into a tensor from gl__new_out and calls gl__record, which appends a node to the tape when
 * the result needs a gradient; its entry in gl__ops (autograd.c) gives the two gradient rules:
 *   fast(ctx, node, gout, gin):  gin[i] != NULL: ADD d<out, gout>/d in[i] into gin[i] (kernels);
 *   graph(ctx, node, gout, want, gin): for want[i], set gin[i] to that gradient built from recorded
 *                                      ops (or leave NULL for "none"); GL_OK or GL_ERR_INPUT.
 * The whole engine is compiled twice: with gl_real = float into libganlab, and with
 * -DGL_REAL_DOUBLE into a test-only library for the finite-difference checks.
 */
#ifndef GL_ENGINE_INTERNAL_H
#define GL_ENGINE_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

#include <cblas.h>

#include <config.h>

#include <ganlab/autograd.h>
#include <ganlab/error.h>
#include <ganlab/nn.h>
#include <ganlab/tensor.h>

#ifdef GL_REAL_DOUBLE
#define gl__gemm cblas_dgemm
#else
#define gl__gemm                gl__sgemm
/* cblas_sgemm on OpenBLAS's threads, or on the calling thread alone when the product is too small
 * for a second thread to pay for waking it (blas.c): m n k < GL__GEMM_ONE_THREAD_MNK and
 * k <= GL__GEMM_ONE_THREAD_K. OpenBLAS splits a product over threads by rows and columns of C and
 * never splits k below its block size (384 here), so every element is the same sum either way and
 * the choice does not change a bit of the result. */
void gl__sgemm(CBLAS_ORDER order, CBLAS_TRANSPOSE ta, CBLAS_TRANSPOSE tb, int m, int n, int k,
               float alpha, const float *a, int lda, const float *b, int ldb, float beta, float *c,
               int ldc);
/* After gl_engine_set_threads has set OpenBLAS's count: gl__sgemm's record of it is void. */
void gl__sgemm_threads_reset(void);
#define GL__GEMM_ONE_THREAD_MNK ((double)(1 << 23))
#define GL__GEMM_ONE_THREAD_K   256
#endif

#define GL__ALIGN 64

/* Put before a `for` loop over n elements of elementwise work (each element computed by one thread
 * whatever the split, so results do not depend on the thread count): splits it statically over
 * the engine's threads when n >= min, min chosen so that the work outweighs waking a thread.
 * OpenMP is on where oneDNN is (the same libgomp pool); elsewhere loops stay serial. */
#ifdef _OPENMP
#define GL__PRAGMA(x) _Pragma(#x)
#define GL__SPLIT(n, min)                                                                     \
    GL__PRAGMA(omp parallel for schedule(static) if ((n) >= (min) && gl_engine_threads() > 1)      \
                   num_threads(gl_engine_threads()))
#else
#define GL__SPLIT(n, min)
#endif
/* Thresholds of GL__SPLIT: cheap arithmetic per element, or a libm call per element. */
#define GL__SPLIT_CHEAP ((size_t)1 << 17)
#define GL__SPLIT_LIBM  ((size_t)1 << 13)

/* oneDNN serves the float build only (dnnl.c); the double build always runs its own kernels. */
#if defined(HAVE_DNNL) && !defined(GL_REAL_DOUBLE)
#define GL__DNNL 1
#endif

typedef struct gl_node gl_node;

struct gl_tensor {
    int ndim;
    int shape[GL_MAX_DIMS];
    size_t n;         /* numel */
    gl_real *data;    /* (n); an arena's or a net block's, shared by gl_reshape/gl_detach */
    gl_real *grad;    /* parameters: their slice of the net's gradient block; else NULL */
    gl_node *node;    /* the op that made it when recorded; NULL for leaves */
    gl_net *net;      /* owner of a parameter or buffer */
    const char *name; /* parameters and buffers; else "" */
    unsigned char requires_grad, is_param;
    /* Scratch of one differentiation pass, meaningful only while pass equals that pass's id. */
    uint64_t pass;
    unsigned char reach; /* depends on a differentiation target */
    gl_real *gbuf;       /* fast pass: accumulated gradient (n) */
    gl_tensor *gt;       /* graph pass: accumulated gradient tensor */
    /* bf16 products (bf16.c): the data rounded to bf16, made when a product first reads it; for a
     * parameter, its slice of the net's copy, current while lowp_version is the net's version. */
    const uint16_t *lowp;
    uint64_t lowp_version;
};

struct gl_node {
    int op; /* gl__op */
    int n_in;
    gl_tensor **in; /* (n_in); an entry may be NULL (absent bias) */
    gl_tensor *out;
    gl_node *prev, *next; /* the tape, in creation order */
    gl_real f[2];         /* op scalars (slope, scale, eps, ...) */
    int i[12];            /* op integers (modes, convolution geometry) */
    void *aux;            /* op data saved by the forward (arena) */
    /* Recorded while gl_grad built a gradient graph (create_graph): its products, and those of its
     * rules in any later pass, run in fp32 whatever the engine's precision (gl__bf16_products). */
    unsigned char fp32;
};

typedef struct gl__chunk gl__chunk;

struct gl_ctx {
    gl__chunk *chunks;    /* every chunk, first allocated first */
    gl__chunk *cur;       /* the chunk allocations come from */
    gl_node *head, *tail; /* the tape */
    int grad_enabled;
    /* Nonzero while products must be fp32 under engine.precision bf16: gl_grad is building a
     * gradient graph, or a backward pass runs the rule of a node marked fp32 (autograd.c). */
    int fp32_products;
    int status; /* first op error, GL_OK if none */
    char msg[256];
};

/* Nonzero when ctx's products run in bf16 now: the engine's precision is bf16 and no part of a
 * gradient graph is being built or differentiated (a penalty's products stay fp32). */
static inline int gl__bf16_products(const gl_ctx *ctx)
{
    return gl_engine_precision() == GL_PRECISION_BF16 && !ctx->fp32_products;
}

/* ---- counted heap allocation: every engine malloc goes through these (gl_engine_alloc_count) */
void *gl__malloc(size_t bytes);
void *gl__calloc(size_t n, size_t size);
void gl__free(void *p);

/* ---- arena (ctx.c) */
/* bytes from ctx's arena, GL__ALIGN-aligned, valid until gl_ctx_reset; NULL + ctx error on OOM. */
void *gl__arena(gl_ctx *ctx, size_t bytes);
void *gl__arena_zero(gl_ctx *ctx, size_t bytes);
/* Records the first error of ctx ("op: message"); returns NULL for `return gl__fail(...)`. */
void *gl__fail(gl_ctx *ctx, const char *op, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* ---- tensors and recording (ctx.c) */
/* A new tensor in ctx with uninitialised data (zeroed when zero); NULL + ctx error on failure. */
gl_tensor *gl__tensor(gl_ctx *ctx, int ndim, const int *shape, int zero);
gl_tensor *gl__tensor_like(gl_ctx *ctx, const gl_tensor *x, int zero);
int gl__same_shape(const gl_tensor *a, const gl_tensor *b);
/* "(2, 3, 4)" into buf, for messages. */
const char *gl__shape_str(const gl_tensor *t, char *buf, size_t len);
/* Appends a node for op with inputs in[0..n_in) (NULLs allowed) producing out, if ctx records and
 * an input requires a gradient; marks out as requiring one. Returns the node or NULL (not recorded,
 * or out of memory, which also sets the ctx error). */
gl_node *gl__record(gl_ctx *ctx, int op, gl_tensor *out, int n_in, gl_tensor *const *in);
/* A new unrecorded tensor header on x's data with another shape of the same numel (op_shape.c). */
gl_tensor *gl__view(gl_ctx *ctx, gl_tensor *x, int ndim, const int *shape);
/* t itself when it already has like's shape, else gl_reshape of it to like's shape (op_shape.c). */
gl_tensor *gl__as_shape(gl_ctx *ctx, gl_tensor *t, const gl_tensor *like);
/* Rows of a (B, ...) tensor and the size of one row. */
static inline int gl__rows(const gl_tensor *t) { return t->shape[0]; }
static inline size_t gl__cols(const gl_tensor *t) { return t->n / (size_t)t->shape[0]; }
/* The logistic function without overflow for either sign of x (needs <tgmath.h> in the caller). */
#define GL__SIGMOID(x) ((x) >= 0 ? 1 / (1 + exp(-(x))) : exp(x) / (1 + exp(x)))

/* ---- the op table (autograd.c) */
/* clang-format off */
enum gl__op {
    GL__OP_ADD, GL__OP_SUB, GL__OP_MUL, GL__OP_DIV, GL__OP_SCALE, GL__OP_ADD_SCALAR,
    GL__OP_SQUARE, GL__OP_SQRT, GL__OP_RECIP0,
    GL__OP_LEAKY_RELU, GL__OP_LEAKY_MASK, GL__OP_TANH, GL__OP_SIGMOID, GL__OP_SOFTPLUS,
    GL__OP_LOG_SIGMOID,
    GL__OP_REDUCE, GL__OP_EXPAND, GL__OP_ROW_L2NORM, GL__OP_ADD_BIAS,
    GL__OP_MATMUL, GL__OP_LINEAR,
    GL__OP_CONV, GL__OP_CONV_BWD_DATA, GL__OP_CONV_BWD_WEIGHT,
    GL__OP_BATCH_NORM, GL__OP_LAYER_NORM,
    GL__OP_RESHAPE, GL__OP_CONCAT, GL__OP_SLICE, GL__OP_GATHER_ROWS, GL__OP_SCATTER_ROWS,
    GL__OP_BCE_LOGITS,
    GL__OP_COUNT
};
/* clang-format on */

typedef void (*gl__fast_fn)(gl_ctx *ctx, gl_node *n, const gl_real *gout, gl_real *const *gin);
typedef int (*gl__graph_fn)(gl_ctx *ctx, gl_node *n, gl_tensor *gout, const unsigned char *want,
                            gl_tensor **gin);

typedef struct gl__op_def {
    const char *name;
    gl__fast_fn fast;
    gl__graph_fn graph; /* NULL: no second-order rule (create_graph refuses the op) */
} gl__op_def;

extern const gl__op_def gl__ops[GL__OP_COUNT];

/* Each op file's rules, named gl__<op>_fast / gl__<op>_graph. */
/* clang-format off */
#define GL__RULES(op) \
    void gl__##op##_fast(gl_ctx *ctx, gl_node *n, const gl_real *gout, gl_real *const *gin); \
    int gl__##op##_graph(gl_ctx *ctx, gl_node *n, gl_tensor *gout, const unsigned char *want, \
                         gl_tensor **gin);
GL__RULES(add) GL__RULES(sub) GL__RULES(mul) GL__RULES(div) GL__RULES(scale)
GL__RULES(add_scalar) GL__RULES(square) GL__RULES(sqrt) GL__RULES(recip0)
GL__RULES(leaky_relu) GL__RULES(leaky_mask) GL__RULES(tanh) GL__RULES(sigmoid)
GL__RULES(softplus) GL__RULES(log_sigmoid)
GL__RULES(reduce) GL__RULES(expand) GL__RULES(row_l2norm) GL__RULES(add_bias)
GL__RULES(matmul) GL__RULES(linear)
GL__RULES(conv) GL__RULES(conv_bwd_data) GL__RULES(conv_bwd_weight)
GL__RULES(layer_norm)
GL__RULES(reshape) GL__RULES(concat) GL__RULES(slice) GL__RULES(gather_rows)
GL__RULES(scatter_rows) GL__RULES(bce_logits)
#undef GL__RULES
    /* clang-format on */
    void gl__batch_norm_fast(gl_ctx *ctx, gl_node *n, const gl_real *gout, gl_real *const *gin);

/* ---- internal ops used by gradient rules */
/* reduce / expand modes: over everything to (1); per row (B, ...) <-> (B, 1); per channel
 * (B, C, ...) <-> (C). Both carry a factor (1 for a sum, 1/count for a mean). */
enum { GL__ALL = 0, GL__ROWS = 1, GL__CHANNELS = 2 };
gl_tensor *gl__reduce(gl_ctx *ctx, gl_tensor *x, int mode, gl_real factor);
/* dst += factor * reduce(x), x's data laid out as like (the kernel of gl__reduce). */
void gl__reduce_acc(const gl_real *x, const gl_tensor *like, int mode, gl_real factor,
                    gl_real *dst);
gl_tensor *gl__expand(gl_ctx *ctx, gl_tensor *v, const gl_tensor *like, int mode, gl_real factor);
/* dst (laid out as like) += factor * broadcast(v) (the kernel of gl__expand). */
void gl__expand_acc(const gl_real *v, const gl_tensor *like, int mode, gl_real factor,
                    gl_real *dst);
/* g * (ref > 0 ? 1 : slope): the leaky-ReLU derivative applied to g; ref is never differentiated.
 */
gl_tensor *gl__leaky_mask(gl_ctx *ctx, gl_tensor *g, gl_tensor *ref, gl_real slope);
/* y = act(x) elementwise (y may be x) (op_activation.c). */
void gl__act_apply(gl_real *y, const gl_real *x, size_t n, gl_act act, gl_real slope);
/* g * act'(y), y the activation's output: accumulated into dst / as recorded ops (op_activation.c).
 */
void gl__act_grad_acc(gl_real *dst, const gl_real *g, const gl_real *y, gl_act act, gl_real slope,
                      size_t n);
gl_tensor *gl__act_grad(gl_ctx *ctx, gl_tensor *g, gl_tensor *y, gl_act act, gl_real slope);
/* The adjoint of gather: (B, E) rows added into (n_rows, E) at labels. */
gl_tensor *gl__scatter_rows(gl_ctx *ctx, gl_tensor *g, const int32_t *labels, int n_rows);
/* Convolution geometry in node->i, indexed by these (the convolution's view: x -> y). */
enum {
    GL__CB,
    GL__CCI,
    GL__CH,
    GL__CW,
    GL__CCO,
    GL__CKH,
    GL__CKW,
    GL__CS,
    GL__CP,
    GL__CHO,
    GL__CWO,
    GL__CGEOM
};
gl_tensor *gl__conv_bwd_data(gl_ctx *ctx, gl_tensor *g, gl_tensor *w, const int *geom);
gl_tensor *gl__conv_bwd_weight(gl_ctx *ctx, gl_tensor *x, gl_tensor *g, const int *geom);
gl_tensor *gl__conv_fwd(gl_ctx *ctx, gl_tensor *x, gl_tensor *w, gl_tensor *b, const int *geom);

#ifdef GL__DNNL
/* ---- loading oneDNN (dnnl_api.c): libganlab does not link it, so a run that never needs it
 * never maps it. NULL once libdnnl is loaded and every function found (the first call loads it;
 * thread-safe), else why not ("libdnnl.so.2: cannot open shared object file ..."). */
const char *gl__dnnl_load(void);
/* Nonzero when gl__dnnl_load has succeeded: nothing of oneDNN's exists to release otherwise. */
int gl__dnnl_loaded(void);
/* ---- oneDNN (dnnl.c): each returns 0 when oneDNN cannot plan the problem (the caller runs its
 * own kernel), else 1 with the result added into the destination or a ctx error. */
/* out += conv op (GL__OP_CONV / _BWD_DATA / _BWD_WEIGHT) of a and b over geom, in bf16 when
 * gl__bf16_products(ctx), else fp32 (the precision is part of the plan's key). */
int gl__dnnl_conv(gl_ctx *ctx, int op, const int *geom, const float *a, const float *b, float *out);
/* c (m, n) += op(a) op(b), a and b bf16 (bit patterns), fp32 accumulation; row-major. */
int gl__dnnl_gemm_bf16(gl_ctx *ctx, int ta, int tb, int m, int n, int k, const uint16_t *a, int lda,
                       const uint16_t *b, int ldb, float *c, int ldc);

/* ---- bf16 operands (bf16.c, net.c): each NULL + ctx error when out of memory */
/* dst[i] = src[i] rounded to the nearest bf16 (ties to even), split over the engine's threads. */
void gl__to_bf16(uint16_t *dst, const float *src, size_t n);
/* t's data in bf16: made once per tensor (arena) or, for a parameter, once per change of its
 * net's values (gl__param_bf16). */
const uint16_t *gl__bf16_of(gl_ctx *ctx, gl_tensor *t);
/* A bf16 copy of x (n) in ctx's arena. */
const uint16_t *gl__bf16_copy(gl_ctx *ctx, const float *x, size_t n);
/* Parameter p's slice of its net's bf16 copy of the values, converted again when the values may
 * have changed since (gl_net_values or gl_tensor_data handed them out for writing). */
const uint16_t *gl__param_bf16(gl_ctx *ctx, gl_tensor *p);
#endif

/* ---- nets (net.c) */
/* Nonzero when t is a parameter of net. */
int gl__is_param_of(const gl_tensor *t, const gl_net *net);
/* Calls fn on each parameter of net. */
void gl__net_each_param(gl_net *net, void (*fn)(gl_tensor *p, void *ud), void *ud);

#endif

/* dnnl.c - oneDNN behind the engine's convolutions (fp32 and bf16) and its bf16 matrix products.
 *
 * Each distinct problem (op, geometry or GEMM shape, precision, thread count) gets a plan on first
 * use: oneDNN picks its fastest kernel and memory layout ("any"), and the plan holds the primitive,
 * the reorders between the engine's plain layouts (NCHW, OIHW, row-major) and the kernel's, and
 * memory objects without data. Plans live until the process ends (or the library is unloaded), so
 * the steady-state step creates nothing: running a plan only points its memory objects at the
 * operands and at one reused workspace (the kernel-layout copies and a user-managed scratchpad) and
 * executes. A convolution's result lands in a buffer of the kernel's layout and is added into the
 * destination by a reorder with a sum post-op; a matmul adds into the destination itself (sum
 * post-op): either way every kernel keeps the engine's "accumulate into" contract. bf16
 * convolution plans convert the inputs to bf16 in the input reorders; bf16 matmuls take inputs
 * already rounded (bf16.c); both keep fp32 results (oneDNN accumulates in fp32). A problem oneDNN
 * cannot plan returns 0 and the caller runs the engine's own kernels. Only the float build of the
 * engine uses this file (oneDNN has no f64 convolutions).
 */
#include "engine.h"

#ifdef GL__DNNL

#include <pthread.h>
#include <string.h>

#include "dnnl_api.h" /* <dnnl.h>, its functions loaded on first use */

#define MAX_PLANS 128
#define KEY_INTS  16

enum { IN_A, IN_B, OUT, N_MEM };
#define KIND_GEMM (-1)

typedef struct plan {
    int key[KEY_INTS];
    dnnl_primitive_t prim, to_inner[2]; /* to_inner[i] NULL: input i used as is */
    dnnl_primitive_t to_user;           /* NULL: prim adds into the destination itself */
    dnnl_memory_t user[N_MEM], inner[N_MEM], scratch;
    size_t inner_bytes[N_MEM], scratch_bytes;
    int arg[N_MEM]; /* the primitive's DNNL_ARG_* for a, b and the result */
} plan;

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static dnnl_engine_t engine;
static dnnl_stream_t stream;
static plan plans[MAX_PLANS];
static int n_plans;

static int ok(dnnl_status_t s) { return s == dnnl_success; }

static dnnl_primitive_attr_t attr_user_scratchpad(int sum)
{
    dnnl_primitive_attr_t a = NULL;
    if (!ok(dnnl_primitive_attr_create(&a)))
        return NULL;
    int good = ok(dnnl_primitive_attr_set_scratchpad_mode(a, dnnl_scratchpad_mode_user));
    if (good && sum) {
        dnnl_post_ops_t po = NULL;
        good = ok(dnnl_post_ops_create(&po)) && ok(dnnl_post_ops_append_sum(po, 1.0f)) &&
               ok(dnnl_primitive_attr_set_post_ops(a, po));
        dnnl_post_ops_destroy(po);
    }
    if (!good) {
        dnnl_primitive_attr_destroy(a);
        return NULL;
    }
    return a;
}

static size_t scratch_of(const_dnnl_primitive_desc_t pd)
{
    return dnnl_memory_desc_get_size(dnnl_primitive_desc_query_md(pd, dnnl_query_scratchpad_md, 0));
}

/* A primitive from pd (destroyed here); its scratchpad need raises p->scratch_bytes. */
static dnnl_primitive_t make(plan *p, dnnl_primitive_desc_t pd)
{
    dnnl_primitive_t prim = NULL;
    size_t s = scratch_of(pd);
    if (s > p->scratch_bytes)
        p->scratch_bytes = s;
    if (!ok(dnnl_primitive_create(&prim, pd)))
        prim = NULL;
    dnnl_primitive_desc_destroy(pd);
    return prim;
}

/* A reorder from -> to (adding into `to` when sum), or NULL on failure. */
static dnnl_primitive_t reorder(plan *p, const dnnl_memory_desc_t *from,
                                const dnnl_memory_desc_t *to, int sum)
{
    dnnl_primitive_attr_t a = attr_user_scratchpad(sum);
    dnnl_primitive_desc_t pd = NULL;
    int good = a && ok(dnnl_reorder_primitive_desc_create(&pd, from, engine, to, engine, a));
    dnnl_primitive_attr_destroy(a);
    return good ? make(p, pd) : NULL;
}

static void plan_free(plan *p)
{
    dnnl_primitive_destroy(p->prim);
    dnnl_primitive_destroy(p->to_inner[0]);
    dnnl_primitive_destroy(p->to_inner[1]);
    dnnl_primitive_destroy(p->to_user);
    for (int i = 0; i < N_MEM; i++) {
        dnnl_memory_destroy(p->user[i]);
        dnnl_memory_destroy(p->inner[i]);
    }
    dnnl_memory_destroy(p->scratch);
    memset(p, 0, sizeof *p);
}

/* Completes p from the primitive descriptor pd (taken) whose operands a, b and result are
 * queried by q[] and passed as arg[], and the plain f32 layouts user[] of the engine's operands;
 * sums: pd adds into its result (a sum post-op), which is then the destination itself.
 * 1 on success. */
static int plan_finish(plan *p, dnnl_primitive_desc_t pd, const dnnl_query_t *q, const int *arg,
                       const dnnl_memory_desc_t *user, int sums)
{
    const dnnl_memory_desc_t *inner[N_MEM];
    for (int i = 0; i < N_MEM; i++) {
        inner[i] = dnnl_primitive_desc_query_md(pd, q[i], 0);
        p->inner_bytes[i] = dnnl_memory_desc_get_size(inner[i]);
        p->arg[i] = arg[i];
        if (!ok(dnnl_memory_create(&p->user[i], &user[i], engine, DNNL_MEMORY_NONE)) ||
            !ok(dnnl_memory_create(&p->inner[i], inner[i], engine, DNNL_MEMORY_NONE)))
            goto fail;
    }
    for (int i = 0; i < 2; i++)
        if (!dnnl_memory_desc_equal(&user[i], inner[i]) &&
            !(p->to_inner[i] = reorder(p, &user[i], inner[i], 0)))
            goto fail;
    if (!sums && !(p->to_user = reorder(p, inner[OUT], &user[OUT], 1)))
        goto fail;
    dnnl_memory_desc_t sd;
    dnnl_dims_t bytes = {(dnnl_dim_t)(p->scratch_bytes ? p->scratch_bytes : 1)};
    if (!ok(dnnl_memory_desc_init_by_tag(&sd, 1, bytes, dnnl_u8, dnnl_a)) ||
        !ok(dnnl_memory_create(&p->scratch, &sd, engine, DNNL_MEMORY_NONE)))
        goto fail;
    p->prim = make(p, pd);
    return p->prim != NULL;
fail:
    dnnl_primitive_desc_destroy(pd);
    return 0;
}

static int plain(dnnl_memory_desc_t *md, int d0, int d1, int d2, int d3, dnnl_data_type_t dt,
                 dnnl_format_tag_t tag)
{
    dnnl_dims_t dims = {d0, d1, d2, d3};
    return ok(dnnl_memory_desc_init_by_tag(md, 4, dims, dt, tag));
}

/* The plan of convolution `kind` (GL__OP_CONV / _BWD_DATA / _BWD_WEIGHT) over geom. */
static int plan_conv(plan *p, int kind, int bf16, const int *g)
{
    int b = g[GL__CB], ci = g[GL__CCI], h = g[GL__CH], w = g[GL__CW], co = g[GL__CCO];
    int kh = g[GL__CKH], kw = g[GL__CKW], s = g[GL__CS], pad = g[GL__CP];
    int ho = g[GL__CHO], wo = g[GL__CWO];
    dnnl_data_type_t in = bf16 ? dnnl_bf16 : dnnl_f32, f32 = dnnl_f32;
    dnnl_format_tag_t any = dnnl_format_tag_any;
    /* Under 16 input channels backward-data in the blocked layouts pads the channels to 16 (an
     * image's first convolution ran at 4 GFLOP/s at one channel), so there x and w stay plain
     * (oneDNN's im2col GEMM, 2.5 times faster); forward and backward-weight are faster blocked. */
    int small = ci < 16 && kind == GL__OP_CONV_BWD_DATA;
    dnnl_format_tag_t xt = small ? dnnl_nchw : any, wtag = small ? dnnl_oihw : any;
    dnnl_memory_desc_t ux, uw, uy, x, wt, y, x32, w32, yin;
    if (!plain(&ux, b, ci, h, w, f32, dnnl_nchw) || !plain(&uw, co, ci, kh, kw, f32, dnnl_oihw) ||
        !plain(&uy, b, co, ho, wo, f32, dnnl_nchw) || !plain(&x, b, ci, h, w, in, xt) ||
        !plain(&wt, co, ci, kh, kw, in, wtag) || !plain(&y, b, co, ho, wo, f32, any) ||
        !plain(&x32, b, ci, h, w, f32, xt) || !plain(&w32, co, ci, kh, kw, f32, wtag) ||
        !plain(&yin, b, co, ho, wo, in, any))
        return 0;
    dnnl_dims_t st = {s, s}, pl = {pad, pad};
    dnnl_dims_t pr = {(ho - 1) * s + kh - h - pad, (wo - 1) * s + kw - w - pad};
    dnnl_convolution_desc_t fd, bd;
    dnnl_primitive_attr_t a = attr_user_scratchpad(0);
    dnnl_primitive_desc_t hint = NULL, pd = NULL;
    int good = a &&
               ok(dnnl_convolution_forward_desc_init(&fd, dnnl_forward_training,
                                                     dnnl_convolution_direct, &x, &wt, NULL, &y, st,
                                                     pl, pr)) &&
               ok(dnnl_primitive_desc_create(&hint, &fd, a, engine, NULL));
    if (good && kind == GL__OP_CONV) {
        pd = hint;
        hint = NULL;
    } else if (good && kind == GL__OP_CONV_BWD_DATA) {
        good = ok(dnnl_convolution_backward_data_desc_init(&bd, dnnl_convolution_direct, &x32, &wt,
                                                           &yin, st, pl, pr)) &&
               ok(dnnl_primitive_desc_create(&pd, &bd, a, engine, hint));
    } else if (good) {
        good = ok(dnnl_convolution_backward_weights_desc_init(&bd, dnnl_convolution_direct, &x,
                                                              &w32, NULL, &yin, st, pl, pr)) &&
               ok(dnnl_primitive_desc_create(&pd, &bd, a, engine, hint));
    }
    dnnl_primitive_desc_destroy(hint);
    dnnl_primitive_attr_destroy(a);
    if (!good)
        return 0;
    if (kind == GL__OP_CONV) {
        const dnnl_query_t q[] = {dnnl_query_src_md, dnnl_query_weights_md, dnnl_query_dst_md};
        const int arg[] = {DNNL_ARG_SRC, DNNL_ARG_WEIGHTS, DNNL_ARG_DST};
        const dnnl_memory_desc_t user[] = {ux, uw, uy};
        return plan_finish(p, pd, q, arg, user, 0);
    }
    if (kind == GL__OP_CONV_BWD_DATA) {
        const dnnl_query_t q[] = {dnnl_query_diff_dst_md, dnnl_query_weights_md,
                                  dnnl_query_diff_src_md};
        const int arg[] = {DNNL_ARG_DIFF_DST, DNNL_ARG_WEIGHTS, DNNL_ARG_DIFF_SRC};
        const dnnl_memory_desc_t user[] = {uy, uw, ux};
        return plan_finish(p, pd, q, arg, user, 0);
    }
    const dnnl_query_t q[] = {dnnl_query_src_md, dnnl_query_diff_dst_md,
                              dnnl_query_diff_weights_md};
    const int arg[] = {DNNL_ARG_SRC, DNNL_ARG_DIFF_DST, DNNL_ARG_DIFF_WEIGHTS};
    const dnnl_memory_desc_t user[] = {ux, uy, uw};
    return plan_finish(p, pd, q, arg, user, 0);
}

/* A row-major (rows, cols) f32 or bf16 matrix with leading dimension ld, read transposed when t
 * (dims are those of op(M)). */
static int matrix(dnnl_memory_desc_t *md, int rows, int cols, int ld, int t, dnnl_data_type_t dt)
{
    dnnl_dims_t dims = {rows, cols};
    dnnl_dims_t strides = {t ? 1 : ld, t ? ld : 1};
    return ok(dnnl_memory_desc_init_by_strides(md, 2, dims, dt, strides));
}

/* The plan of C (m, n) += op(A) (m, k) op(B) (k, n) with A and B already bf16 (bf16.c rounds each
 * operand once and keeps the copy), read in place through their strides (oneDNN packs them in its
 * kernel); C added into in place by a sum post-op. */
static int plan_gemm(plan *p, const int *k)
{
    int ta = k[2], tb = k[3], m = k[4], n = k[5], kk = k[6], lda = k[7], ldb = k[8], ldc = k[9];
    dnnl_memory_desc_t a16, b16, uc;
    if (!matrix(&a16, m, kk, lda, ta, dnnl_bf16) || !matrix(&b16, kk, n, ldb, tb, dnnl_bf16) ||
        !matrix(&uc, m, n, ldc, 0, dnnl_f32))
        return 0;
    dnnl_matmul_desc_t md;
    dnnl_primitive_attr_t a = attr_user_scratchpad(1);
    dnnl_primitive_desc_t pd = NULL;
    int good = a && ok(dnnl_matmul_desc_init(&md, &a16, &b16, NULL, &uc)) &&
               ok(dnnl_primitive_desc_create(&pd, &md, a, engine, NULL));
    dnnl_primitive_attr_destroy(a);
    if (!good)
        return 0;
    const dnnl_query_t q[] = {dnnl_query_src_md, dnnl_query_weights_md, dnnl_query_dst_md};
    const int arg[] = {DNNL_ARG_SRC, DNNL_ARG_WEIGHTS, DNNL_ARG_DST};
    const dnnl_memory_desc_t user[] = {a16, b16, uc};
    return plan_finish(p, pd, q, arg, user, 1);
}

/* The plan for key (made on first use: key[0] says which kind), or NULL when oneDNN cannot do it
 * (remembered, so a refused problem is not planned again). */
static plan *lookup(const int *key)
{
    pthread_mutex_lock(&lock);
    plan *p = NULL;
    int i = 0;
    while (i < n_plans && memcmp(plans[i].key, key, sizeof plans[i].key))
        i++;
    if (i < n_plans) {
        p = &plans[i];
    } else if (n_plans < MAX_PLANS && !gl__dnnl_load()) { /* loads libdnnl the first time */
        p = &plans[n_plans++];
        memcpy(p->key, key, sizeof p->key);
        int good =
            (engine || (ok(dnnl_engine_create(&engine, dnnl_cpu, 0)) &&
                        ok(dnnl_stream_create(&stream, engine, dnnl_stream_default_flags)))) &&
            (key[0] == KIND_GEMM ? plan_gemm(p, key) : plan_conv(p, key[0], key[1], key + 4));
        if (!good) {
            plan_free(p);
            memcpy(p->key, key, sizeof p->key);
        }
    }
    pthread_mutex_unlock(&lock);
    return p && p->prim ? p : NULL;
}

static int set(dnnl_memory_t m, const void *data)
{
    return ok(dnnl_memory_set_data_handle(m, (void *)data));
}

static int exec(dnnl_primitive_t prim, int n, const dnnl_exec_arg_t *args)
{
    return ok(dnnl_primitive_execute(prim, stream, n, args));
}

/* The kernel-layout copies and the scratchpad of the running plan: one buffer for every plan,
 * grown (gl__malloc, counted) to the largest need and reused by every call, since each call needs
 * them only while it runs (taking them from the step's arena multiplied a DCGAN step's memory). */
static unsigned char *work;
static size_t work_bytes;

static size_t round_up(size_t n) { return (n + GL__ALIGN - 1) / GL__ALIGN * GL__ALIGN; }

/* Byte offsets in work of the scratchpad and the copies of a, b and the result, and the total. */
static size_t work_layout(const plan *p, size_t *at)
{
    size_t used = round_up(p->scratch_bytes ? p->scratch_bytes : 1);
    for (int i = 0; i < N_MEM; i++) {
        int copied = i == OUT ? p->to_user != NULL : p->to_inner[i] != NULL;
        at[i] = used;
        used += copied ? round_up(p->inner_bytes[i]) : 0;
    }
    return used;
}

/* out += the plan's product of a and b. 1 on success, -1 on failure (out of memory: ctx error
 * set). Called with the lock held (work is shared). */
static int run(gl_ctx *ctx, plan *p, const void *a, const void *b, float *out)
{
    size_t at[N_MEM], need = work_layout(p, at);
    if (need > work_bytes) {
        gl__free(work);
        work_bytes = 0;
        if (!(work = gl__malloc(need))) {
            gl__fail(ctx, "oneDNN", "out of memory for %zu bytes of workspace", need);
            return -1;
        }
        work_bytes = need;
    }
    const void *in[2] = {a, b};
    void *res = p->to_user ? (void *)(work + at[OUT]) : (void *)out;
    if (!set(p->scratch, work) || !set(p->inner[OUT], res) || !set(p->user[OUT], out))
        return -1;
    for (int i = 0; i < 2; i++) {
        if (!set(p->user[i], in[i]) ||
            !set(p->inner[i], p->to_inner[i] ? (const void *)(work + at[i]) : (const void *)in[i]))
            return -1;
        dnnl_exec_arg_t args[] = {{DNNL_ARG_FROM, p->user[i]},
                                  {DNNL_ARG_TO, p->inner[i]},
                                  {DNNL_ARG_SCRATCHPAD, p->scratch}};
        if (p->to_inner[i] && !exec(p->to_inner[i], 3, args))
            return -1;
    }
    dnnl_exec_arg_t args[] = {{p->arg[IN_A], p->inner[IN_A]},
                              {p->arg[IN_B], p->inner[IN_B]},
                              {p->arg[OUT], p->inner[OUT]},
                              {DNNL_ARG_SCRATCHPAD, p->scratch}};
    dnnl_exec_arg_t back[] = {{DNNL_ARG_FROM, p->inner[OUT]},
                              {DNNL_ARG_TO, p->user[OUT]},
                              {DNNL_ARG_SCRATCHPAD, p->scratch}};
    if (!exec(p->prim, 4, args) || (p->to_user && !exec(p->to_user, 3, back)) ||
        !ok(dnnl_stream_wait(stream)))
        return -1;
    return 1;
}

static int ran(gl_ctx *ctx, const char *what, plan *p, const void *a, const void *b, float *out)
{
    if (!p)
        return 0;
    pthread_mutex_lock(&lock);
    int rc = run(ctx, p, a, b, out);
    pthread_mutex_unlock(&lock);
    if (rc < 0 && ctx->status == GL_OK)
        gl__fail(ctx, what, "oneDNN failed to run");
    return 1;
}

/* Plans live until the library is unloaded: a plugin's copy of libganlab goes away at dlclose,
 * and what oneDNN allocated for its plans must not outlive the pointers to it. */
__attribute__((destructor)) static void release_plans(void)
{
    if (!gl__dnnl_loaded())
        return;
    for (int i = 0; i < n_plans; i++)
        plan_free(&plans[i]);
    n_plans = 0;
    gl__free(work);
    work = NULL;
    work_bytes = 0;
    dnnl_stream_destroy(stream);
    dnnl_engine_destroy(engine);
    stream = NULL;
    engine = NULL;
}

int gl__dnnl_conv(gl_ctx *ctx, int kind, const int *geom, const float *a, const float *b,
                  float *out)
{
    int key[KEY_INTS] = {kind, gl__bf16_products(ctx), gl_engine_threads()};
    memcpy(key + 4, geom, GL__CGEOM * sizeof *geom);
    return ran(ctx, "conv", lookup(key), a, b, out);
}

int gl__dnnl_gemm_bf16(gl_ctx *ctx, int ta, int tb, int m, int n, int k, const uint16_t *a, int lda,
                       const uint16_t *b, int ldb, float *c, int ldc)
{
    int key[KEY_INTS] = {KIND_GEMM, 1, ta, tb, m, n, k, lda, ldb, ldc, gl_engine_threads()};
    return ran(ctx, "matmul", lookup(key), a, b, c);
}

#endif

/* blas.c - the float engine's GEMM: OpenBLAS's sgemm with a thread count chosen per product.
 *
 * OpenBLAS threads every product above about 2^18 multiply-adds, but on a 2-vCPU machine a
 * product of the toy ring's MLP (256 x 128 x 128, 0.1 ms) ran slower on two threads than on one:
 * waking the passive worker and OpenBLAS's own hand-offs cost more than half the product
 * (docs/performance.md). So products under GL__GEMM_ONE_THREAD_MNK run on the caller alone. The
 * rule depends only on the shape, so it is deterministic; engine.h says why it leaves the bytes
 * unchanged. */
#include "engine.h"

#ifdef _OPENMP
#include <omp.h>
#else
/* The count OpenBLAS's pthread build was last set to here; 0: gl_engine_set_threads's. */
static int blas_threads;
#endif

void gl__sgemm_threads_reset(void)
{
#ifndef _OPENMP
    blas_threads = 0;
#endif
}

void gl__sgemm(CBLAS_ORDER order, CBLAS_TRANSPOSE ta, CBLAS_TRANSPOSE tb, int m, int n, int k,
               float alpha, const float *a, int lda, const float *b, int ldb, float beta, float *c,
               int ldc)
{
    int one = (double)m * n * k < GL__GEMM_ONE_THREAD_MNK && k <= GL__GEMM_ONE_THREAD_K;
#ifdef _OPENMP
    /* OpenBLAS's OpenMP build takes its count from OpenMP's default team size at every call, and
     * oneDNN reads that too, so it is 1 only during the call. */
    if (one && gl_engine_threads() > 1) {
        omp_set_num_threads(1);
        cblas_sgemm(order, ta, tb, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
        omp_set_num_threads(gl_engine_threads());
        return;
    }
#else
    /* The pthread build keeps the count it is given; switching it (re)assigns its per-thread
     * buffers, so it is switched only when the answer changes from one product to the next. */
    int want = one ? 1 : gl_engine_threads();
    if (want != (blas_threads ? blas_threads : gl_engine_threads())) {
        openblas_set_num_threads(want);
        blas_threads = want;
    }
#endif
    cblas_sgemm(order, ta, tb, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
}

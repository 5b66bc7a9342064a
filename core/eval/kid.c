/* kid.c - Kernel Inception Distance (Binkowski et al. 2018, "Demystifying MMD GANs") on any
 * features (ganlab/metrics.h): the unbiased estimate of the squared maximum mean discrepancy with
 * the cubic polynomial kernel k(x, y) = (x.y / d + 1)^3,
 *
 *   MMD^2_u = sum_{i!=j} k(x_i, x_j) / (s (s-1)) + sum_{i!=j} k(y_i, y_j) / (s (s-1))
 *             - 2 sum_{i,j} k(x_i, y_j) / s^2,
 *
 * averaged over random subsets of s rows of each set, as mimicry, StudioGAN and torch-fidelity
 * report it (their default: 100 subsets of 1000). Unbiased, so it can be slightly negative and
 * does not depend on the sample count in expectation, unlike the Frechet distance.
 *
 * Subsets are drawn without replacement (a partial Fisher-Yates shuffle) from (seed,
 * GL_STREAM_EVAL); the Gram matrices come from single-precision GEMM (OpenBLAS), the kernel and
 * the sums are in double.
 */
#include <ganlab/metrics.h>
#include <ganlab/rng.h>

#include <cblas.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

/* Copies s rows of x (n, d), the first s of the partially shuffled idx, into out (s, d). */
static void draw(gl_rng *r, const float *x, int64_t n, int d, int64_t *idx, int64_t s, float *out)
{
    for (int64_t i = 0; i < s; i++) {
        int64_t j = i + (int64_t)gl_rng_below(r, (uint64_t)(n - i));
        int64_t t = idx[i];
        idx[i] = idx[j];
        idx[j] = t;
        memcpy(out + i * d, x + idx[i] * d, (size_t)d * sizeof *out);
    }
}

/* Sum of k over the s x s Gram matrix g (dot products), without its diagonal when off_diag. */
static double kernel_sum(const float *g, int64_t s, int d, int off_diag)
{
    double sum = 0;
    for (int64_t i = 0; i < s; i++)
        for (int64_t j = 0; j < s; j++)
            if (!off_diag || i != j) {
                double k = (double)g[i * s + j] / d + 1;
                sum += k * k * k;
            }
    return sum;
}

int gl_kernel_inception_distance(const float *real, int64_t n, const float *fake, int64_t m, int d,
                                 int subsets, int64_t subset_size, uint64_t seed, double *mean,
                                 double *std, gl_error *err)
{
    int64_t s = subset_size;
    if (s > n)
        s = n;
    if (s > m)
        s = m;
    if (s < 2 || subsets < 1 || d < 1)
        return gl_error_add(err, GL_ERR_INPUT,
                            "KID needs subsets of at least 2 rows and 1 subset; got %lld real, "
                            "%lld generated rows, subset size %lld, %d subsets",
                            (long long)n, (long long)m, (long long)subset_size, subsets);
    /* Index arrays, two row subsets and three Gram matrices; freed below. */
    int64_t *ir = malloc((size_t)n * sizeof *ir), *ig = malloc((size_t)m * sizeof *ig);
    float *x = malloc((size_t)(s * d) * sizeof *x), *y = malloc((size_t)(s * d) * sizeof *y);
    float *g = malloc((size_t)(s * s) * sizeof *g);
    int rc = GL_OK;
    if (!ir || !ig || !x || !y || !g) {
        rc = gl_error_add(err, GL_ERR_RUN, "out of memory for KID on %lld-row subsets",
                          (long long)s);
    } else {
        for (int64_t i = 0; i < n; i++)
            ir[i] = i;
        for (int64_t i = 0; i < m; i++)
            ig[i] = i;
        gl_rng r;
        gl_rng_init(&r, seed, GL_STREAM_EVAL);
        double sum = 0, sum2 = 0, ss = (double)s;
        for (int t = 0; t < subsets; t++) {
            draw(&r, real, n, d, ir, s, x);
            draw(&r, fake, m, d, ig, s, y);
            cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, (int)s, (int)s, d, 1, x, d, x, d,
                        0, g, (int)s);
            double kxx = kernel_sum(g, s, d, 1);
            cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, (int)s, (int)s, d, 1, y, d, y, d,
                        0, g, (int)s);
            double kyy = kernel_sum(g, s, d, 1);
            cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, (int)s, (int)s, d, 1, x, d, y, d,
                        0, g, (int)s);
            double kxy = kernel_sum(g, s, d, 0);
            double mmd = (kxx + kyy) / (ss * (ss - 1)) - 2 * kxy / (ss * ss);
            sum += mmd;
            sum2 += mmd * mmd;
        }
        *mean = sum / subsets;
        double var = sum2 / subsets - *mean * *mean;
        *std = var > 0 ? sqrt(var) : 0;
    }
    free(ir);
    free(ig);
    free(x);
    free(y);
    free(g);
    return rc;
}

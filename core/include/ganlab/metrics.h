/* ganlab/metrics.h - the sample-quality measures evaluator plugins share (docs/metrics.md).
 *
 * All of them compare a set of generated items with a set of real ones, either through a
 * classifier's predicted class probabilities or through feature vectors (rows of float arrays):
 *
 *   class histograms  classes covered, KL(generated || uniform), Inception Score
 *   Gaussian fit      Frechet distance between N(mu_1, S_1) and N(mu_2, S_2):
 *                       |mu_1 - mu_2|^2 + tr S_1 + tr S_2 - 2 tr sqrt(S_1 S_2)
 *   kernel            KID: unbiased MMD^2 with the cubic polynomial kernel (Binkowski et al. 2018)
 *   k-NN manifolds    improved precision and recall (Kynkaanniemi et al. 2019),
 *                     density and coverage (Naeem et al. 2020)
 *
 * Sums are in double. Nothing here draws random numbers or keeps state, so the same inputs give
 * the same numbers. Functions that allocate scratch memory return GL_ERR_RUN on out of memory.
 *
 * Example: Frechet distance between two feature sets a (n, d) and b (m, d).
 *
 *     double *mu = malloc(2 * d * sizeof *mu), *cov = malloc(2 * d * d * sizeof *cov);
 *     gl_feature_moments(a, n, d, mu, cov, &err);
 *     gl_feature_moments(b, m, d, mu + d, cov + d * d, &err);
 *     double fd;
 *     gl_frechet_distance(mu, cov, mu + d, cov + d * d, d, &fd, &err);
 */
#ifndef GANLAB_METRICS_H
#define GANLAB_METRICS_H

#include <ganlab/api.h>

#include <stddef.h>
#include <stdint.h>

#include <ganlab/error.h>

#ifdef __cplusplus
extern "C" {
#endif

/* ---------------------------------------------------------------- class histograms */

/* Number of classes whose count is at least min_frac of the total (e.g. 0.01), of k counts. */
GL_API int gl_classes_covered(const double *counts, int k, double min_frac);

/* KL(p || uniform) = sum_i p_i log(k p_i), p the normalised counts (k of them), in nats. Empty
 * classes contribute 0 (0 log 0 = 0), so no smoothing is needed in this direction: the value lies
 * in [0, log k], 0 for a uniform histogram and log k when one class has everything. An all-zero
 * histogram (nothing to measure) gives log k, the worst value. */
GL_API double gl_kl_uniform(const double *counts, int k);

/* Inception Score exp(mean_i KL(p(y|x_i) || p(y))) of probs (n, k) (rows sum to 1), with p(y) the
 * mean row; computed over all n rows at once (no splits). In [1, k]. */
GL_API double gl_inception_score(const float *probs, int64_t n, int k);

/* ---------------------------------------------------------------- Gaussian fit */

/* Mean (d) and unbiased covariance (d, d, row-major) of the rows of x (n, d); n >= 2. */
GL_API int gl_feature_moments(const float *x, int64_t n, int d, double *mean, double *cov,
                              gl_error *err);

/* Frechet distance between N(mu1, s1) and N(mu2, s2) (covariances symmetric positive
 * semi-definite, (d, d)). tr sqrt(s1 s2) = tr sqrt(A s2 A) with A = sqrt(s1), both square roots
 * through eigen-decompositions of symmetric matrices (LAPACK dsyev), negative rounding-error
 * eigenvalues clamped to 0. GL_ERR_RUN if LAPACK fails. */
GL_API int gl_frechet_distance(const double *mu1, const double *s1, const double *mu2,
                               const double *s2, int d, double *out, gl_error *err);

/* ---------------------------------------------------------------- kernel distance */

/* Kernel Inception Distance of fake (m, d) against real (n, d): the unbiased MMD^2 estimate with
 * k(x, y) = (x.y / d + 1)^3 on `subsets` random subsets of min(subset_size, n, m) rows of each
 * set (drawn without replacement from (seed, GL_STREAM_EVAL)); *mean and *std (population
 * standard deviation) over the subsets. GL_ERR_INPUT when a subset would have fewer than 2 rows
 * or subsets < 1. Mimicry's and StudioGAN's defaults: 100 subsets of 1000. */
GL_API int gl_kernel_inception_distance(const float *real, int64_t n, const float *fake, int64_t m,
                                        int d, int subsets, int64_t subset_size, uint64_t seed,
                                        double *mean, double *std, gl_error *err);

/* ---------------------------------------------------------------- k-NN manifolds */

/* radius[i] = Euclidean distance from row i of x (n, d) to its k-th nearest other row (itself
 * excluded, duplicates counted). 1 <= k < n. */
GL_API int gl_knn_radii(const float *x, int64_t n, int d, int k, double *radius, gl_error *err);

typedef struct gl_prdc {
    double precision; /* fraction of fake rows inside some real row's k_pr-ball */
    double recall;    /* fraction of real rows inside some fake row's k_pr-ball */
    double density;  /* (1 / (k_dc m)) sum over fakes of the number of real k_dc-balls holding it */
    double coverage; /* fraction of real rows whose k_dc-ball holds some fake row */
} gl_prdc;

/* Precision, recall, density and coverage of fake (m, d) against real (n, d), given the radii of
 * gl_knn_radii: real_r_pr (n) and fake_r_pr (m) with k_pr (3 in Kynkaanniemi et al.), real_r_dc (n)
 * with k_dc (5 in Naeem et al.). A point is inside a ball when its distance is <= the radius. */
GL_API int gl_prdc_compute(const float *real, const double *real_r_pr, const double *real_r_dc,
                           int64_t n, const float *fake, const double *fake_r_pr, int64_t m, int d,
                           int k_dc, gl_prdc *out, gl_error *err);

#ifdef __cplusplus
}
#endif
#endif

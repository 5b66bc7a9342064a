/* frechet.c - Gaussian moments of feature sets and the Frechet distance between two Gaussians
 * (ganlab/metrics.h), as FID computes it (Heusel et al. 2017) but for any features:
 *
 *   FD = |mu_1 - mu_2|^2 + tr S_1 + tr S_2 - 2 tr sqrt(S_1 S_2)
 *
 * S_1 S_2 is not symmetric, but it is similar to A S_2 A with A = S_1^(1/2) (symmetric PSD), whose
 * eigenvalues are those of S_1 S_2 and non-negative; so tr sqrt(S_1 S_2) = sum_i sqrt(lambda_i(A
 * S_2 A)). Both A and those eigenvalues come from LAPACK's dsyev on symmetric matrices, in double;
 * eigenvalues below 0 (rounding) are clamped to 0. OpenBLAS ships LAPACK, so dsyev_ links with the
 * BLAS the engine already uses; its prototype is declared here (no lapacke.h needed).
 */
#include <ganlab/metrics.h>

#include <cblas.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

void dsyev_(const char *jobz, const char *uplo, const int *n, double *a, const int *lda, double *w,
            double *work, const int *lwork, int *info);

int gl_feature_moments(const float *x, int64_t n, int d, double *mean, double *cov, gl_error *err)
{
    if (n < 2)
        return gl_error_add(err, GL_ERR_INPUT, "feature moments need at least 2 rows, got %lld",
                            (long long)n);
    /* Centred copy in double, (n, d); freed below. */
    double *c = malloc((size_t)n * (size_t)d * sizeof *c);
    if (!c)
        return gl_error_add(err, GL_ERR_RUN, "out of memory for the moments of %lld x %d features",
                            (long long)n, d);
    for (int j = 0; j < d; j++)
        mean[j] = 0;
    for (int64_t i = 0; i < n; i++)
        for (int j = 0; j < d; j++)
            mean[j] += x[i * d + j];
    for (int j = 0; j < d; j++)
        mean[j] /= (double)n;
    for (int64_t i = 0; i < n; i++)
        for (int j = 0; j < d; j++)
            c[i * d + j] = x[i * d + j] - mean[j];
    /* cov = c^T c / (n - 1): the upper triangle from dsyrk, mirrored. */
    cblas_dsyrk(CblasRowMajor, CblasUpper, CblasTrans, d, (int)n, 1.0 / (double)(n - 1), c, d, 0.0,
                cov, d);
    for (int i = 0; i < d; i++)
        for (int j = 0; j < i; j++)
            cov[i * d + j] = cov[j * d + i];
    free(c);
    return GL_OK;
}

/* Eigen-decomposition of symmetric a (d, d), overwritten by the eigenvectors (as columns, in
 * LAPACK's column-major reading; a is symmetric, so row-major input is the same matrix); w (d). */
static int eig(double *a, int d, double *w, gl_error *err)
{
    int lwork = -1, info = 0;
    double q;
    dsyev_("V", "U", &d, a, &d, w, &q, &lwork, &info);
    lwork = info == 0 && q >= 1 ? (int)q : 3 * d;
    double *work = malloc((size_t)lwork * sizeof *work); /* freed below */
    if (!work)
        return gl_error_add(err, GL_ERR_RUN, "out of memory for an eigen-decomposition");
    dsyev_("V", "U", &d, a, &d, w, work, &lwork, &info);
    free(work);
    if (info != 0)
        return gl_error_add(err, GL_ERR_RUN, "LAPACK dsyev failed (info %d) on a %dx%d matrix",
                            info, d, d);
    return GL_OK;
}

int gl_frechet_distance(const double *mu1, const double *s1, const double *mu2, const double *s2,
                        int d, double *out, gl_error *err)
{
    size_t dd = (size_t)d * (size_t)d;
    /* v: eigenvectors, a: sqrt(s1), t: scratch (all (d, d)); w: eigenvalues (d). Freed below. */
    double *v = malloc(dd * sizeof *v), *a = malloc(dd * sizeof *a), *t = malloc(dd * sizeof *t);
    double *w = malloc((size_t)d * sizeof *w);
    int rc = v && a && t && w ? GL_OK
                              : gl_error_add(err, GL_ERR_RUN,
                                             "out of memory for a %dx%d Frechet "
                                             "distance",
                                             d, d);
    if (rc == GL_OK) {
        memcpy(v, s1, dd * sizeof *v);
        rc = eig(v, d, w, err);
    }
    if (rc == GL_OK) {
        /* LAPACK's eigenvectors are the columns of column-major v, i.e. the rows of row-major v:
         * A = sum_k sqrt(w_k) v_k v_k^T. */
        for (int k = 0; k < d; k++)
            w[k] = w[k] > 0 ? sqrt(w[k]) : 0;
        for (int k = 0; k < d; k++)
            for (int j = 0; j < d; j++)
                t[k * d + j] = w[k] * v[k * d + j];
        cblas_dgemm(CblasRowMajor, CblasTrans, CblasNoTrans, d, d, d, 1.0, v, d, t, d, 0.0, a, d);
        /* t = A s2 A, symmetrised against rounding. */
        cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, d, d, d, 1.0, a, d, s2, d, 0.0, v,
                    d);
        cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, d, d, d, 1.0, v, d, a, d, 0.0, t, d);
        for (int i = 0; i < d; i++)
            for (int j = 0; j < i; j++)
                t[i * d + j] = t[j * d + i] = 0.5 * (t[i * d + j] + t[j * d + i]);
        rc = eig(t, d, w, err);
    }
    if (rc == GL_OK) {
        double fd = 0;
        for (int i = 0; i < d; i++) {
            double dm = mu1[i] - mu2[i];
            fd += dm * dm + s1[i * d + i] + s2[i * d + i] - 2.0 * (w[i] > 0 ? sqrt(w[i]) : 0);
        }
        *out = fd > 0 ? fd : 0;
    }
    free(v);
    free(a);
    free(t);
    free(w);
    return rc;
}

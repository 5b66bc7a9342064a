/* knn.c - k-nearest-neighbour radii and the manifold measures built on them (ganlab/metrics.h):
 * improved precision and recall (Kynkaanniemi et al. 2019) and density and coverage (Naeem et al.
 * 2020). With B(x, r) the ball of radius r around x, NND_k(x) the distance from x to its k-th
 * nearest neighbour in its own set (itself excluded), reals R (n) and fakes F (m):
 *
 *   precision = (1/m) #{f : f in B(r, NND_kpr(r)) for some r}
 *   recall    = (1/n) #{r : r in B(f, NND_kpr(f)) for some f}
 *   density   = (1/(k_dc m)) sum_f #{r : f in B(r, NND_kdc(r))}
 *   coverage  = (1/n) #{r : some f in B(r, NND_kdc(r))}
 *
 * Squared distances come from one double GEMM per block of rows, |a|^2 + |b|^2 - 2 a.b, negative
 * results (rounding, for equal points) clamped to 0. "Inside a ball" is d^2 <= r^2 + 1e-9 (|a|^2 +
 * |b|^2): the slack, far below any distance that means something, keeps the neighbour that defines
 * a radius inside it although its distance was computed in another block. Exact and O(n m d):
 * fine for the 10^4 points of an evaluation (no approximate search).
 */
#include <ganlab/metrics.h>

#include <cblas.h>
#include <math.h>
#include <stdlib.h>

#define BLOCK 256 /* rows per GEMM block: BLOCK x n doubles of scratch */

#define SLACK 1e-9

/* A double copy of x (n, d) (freed by the caller with free()) and its squared row norms into *x2
 * (likewise). 0 on out of memory. */
static int to_double(const float *x, int64_t n, int d, double **xd, double **x2)
{
    *xd = malloc((size_t)n * (size_t)d * sizeof **xd);
    *x2 = malloc((size_t)n * sizeof **x2);
    if (!*xd || !*x2)
        return 0;
    for (int64_t i = 0; i < n; i++) {
        double s = 0;
        for (int j = 0; j < d; j++) {
            double v = x[i * d + j];
            (*xd)[i * d + j] = v;
            s += v * v;
        }
        (*x2)[i] = s;
    }
    return 1;
}

/* d2 (rows, n) = squared distances between rows a[0..rows) and b[0..n). */
static void block_d2(const double *a, const double *a2, int rows, const double *b, const double *b2,
                     int64_t n, int d, double *d2)
{
    cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasTrans, rows, (int)n, d, -2.0, a, d, b, d, 0.0, d2,
                (int)n);
    for (int i = 0; i < rows; i++)
        for (int64_t j = 0; j < n; j++) {
            double v = d2[i * n + j] + a2[i] + b2[j];
            d2[i * n + j] = v > 0 ? v : 0.0;
        }
}

static int oom(gl_error *err)
{
    return gl_error_add(err, GL_ERR_RUN, "out of memory for nearest-neighbour distances");
}

int gl_knn_radii(const float *x, int64_t n, int d, int k, double *radius, gl_error *err)
{
    if (k < 1 || k >= n)
        return gl_error_add(err, GL_ERR_INPUT, "k-NN radii need 1 <= k < n, got k %d, n %lld", k,
                            (long long)n);
    /* Freed below. */
    double *xd = NULL, *x2 = NULL;
    double *d2 = malloc((size_t)BLOCK * (size_t)n * sizeof *d2);
    double *best = malloc((size_t)k * sizeof *best);
    if (!to_double(x, n, d, &xd, &x2) || !d2 || !best) {
        free(xd);
        free(x2);
        free(d2);
        free(best);
        return oom(err);
    }
    for (int64_t at = 0; at < n; at += BLOCK) {
        int rows = n - at < BLOCK ? (int)(n - at) : BLOCK;
        block_d2(xd + at * d, x2 + at, rows, xd, x2, n, d, d2);
        for (int i = 0; i < rows; i++) {
            /* The k smallest distances to other rows, ascending, by insertion. */
            int have = 0;
            for (int64_t j = 0; j < n; j++) {
                if (j == at + i)
                    continue;
                double v = d2[i * n + j];
                if (have == k && v >= best[k - 1])
                    continue;
                int p = have < k ? have++ : k - 1;
                while (p > 0 && best[p - 1] > v) {
                    best[p] = best[p - 1];
                    p--;
                }
                best[p] = v;
            }
            radius[at + i] = sqrt(best[k - 1]);
        }
    }
    free(xd);
    free(x2);
    free(d2);
    free(best);
    return GL_OK;
}

int gl_prdc_compute(const float *real, const double *real_r_pr, const double *real_r_dc, int64_t n,
                    const float *fake, const double *fake_r_pr, int64_t m, int d, int k_dc,
                    gl_prdc *out, gl_error *err)
{
    if (n < 1 || m < 1 || k_dc < 1)
        return gl_error_add(err, GL_ERR_INPUT, "precision/recall need real and fake points");
    /* rd/fd, r2/f2: double copies and squared norms; recalled: real inside some fake's ball;
     * near: each real's smallest (d^2 - r^2 - slack) over fakes; d2: one block. Freed below. */
    double *rd = NULL, *r2 = NULL, *fd = NULL, *f2 = NULL;
    unsigned char *recalled = calloc((size_t)n, 1);
    double *near = malloc((size_t)n * sizeof *near);
    double *d2 = malloc((size_t)BLOCK * (size_t)n * sizeof *d2);
    int ok = to_double(real, n, d, &rd, &r2);
    ok = to_double(fake, m, d, &fd, &f2) && ok;
    int rc = ok && recalled && near && d2 ? GL_OK : oom(err);
    if (rc == GL_OK) {
        int64_t precise = 0, recall = 0, covered = 0;
        double dense = 0;
        for (int64_t j = 0; j < n; j++)
            near[j] = INFINITY;
        for (int64_t at = 0; at < m; at += BLOCK) {
            int rows = m - at < BLOCK ? (int)(m - at) : BLOCK;
            block_d2(fd + at * d, f2 + at, rows, rd, r2, n, d, d2);
            for (int i = 0; i < rows; i++) {
                double fr = fake_r_pr[at + i], fa2 = f2[at + i];
                int in_some = 0;
                int64_t balls = 0;
                for (int64_t j = 0; j < n; j++) {
                    double v = d2[i * n + j], slack = SLACK * (fa2 + r2[j]);
                    double rp = real_r_pr[j], rc2 = real_r_dc[j] * real_r_dc[j];
                    in_some |= v <= rp * rp + slack;
                    balls += v <= rc2 + slack;
                    recalled[j] |= v <= fr * fr + slack;
                    if (v - rc2 - slack < near[j])
                        near[j] = v - rc2 - slack;
                }
                precise += in_some;
                dense += (double)balls;
            }
        }
        for (int64_t j = 0; j < n; j++) {
            recall += recalled[j];
            covered += near[j] <= 0;
        }
        out->precision = (double)precise / (double)m;
        out->recall = (double)recall / (double)n;
        out->density = dense / ((double)k_dc * (double)m);
        out->coverage = (double)covered / (double)n;
    }
    free(rd);
    free(r2);
    free(fd);
    free(f2);
    free(recalled);
    free(near);
    free(d2);
    return rc;
}

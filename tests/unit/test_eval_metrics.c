/* test_eval_metrics.c - the shared metrics of ganlab/metrics.h on hand-checkable cases: class
 * histograms (uniform, collapsed), the Frechet distance (identical Gaussians, closed forms for
 * commuting and non-commuting covariances, sampled Gaussians), k-NN radii on a line, and
 * precision/recall/density/coverage on constructed point sets (identical, disjoint, a collapsed
 * generator, an outlier), KID (a hand-computed case, the full-set estimate against a direct double
 * loop, subsets reproducible by seed); and nn.h's training helpers the classifier uses
 * (cross-entropy's value and gradient, one Adam step). */
#include <check.h>
#include <math.h>
#include <stdlib.h>

#include <ganlab/autograd.h>
#include <ganlab/metrics.h>
#include <ganlab/nn.h>
#include <ganlab/rng.h>

START_TEST(class_histograms)
{
    double uniform[4] = {25, 25, 25, 25}, one[4] = {0, 100, 0, 0}, none[4] = {0};
    double skew[4] = {50, 25, 25, 0.5};
    ck_assert_int_eq(gl_classes_covered(uniform, 4, 0.01), 4);
    ck_assert_int_eq(gl_classes_covered(one, 4, 0.01), 1);
    ck_assert_int_eq(gl_classes_covered(skew, 4, 0.01), 3); /* 0.5 of 100.5 is under 1% */
    ck_assert_int_eq(gl_classes_covered(none, 4, 0.01), 0);
    ck_assert_double_eq_tol(gl_kl_uniform(uniform, 4), 0.0, 1e-15);
    ck_assert_double_eq_tol(gl_kl_uniform(one, 4), log(4.0), 1e-15);
    ck_assert_double_eq_tol(gl_kl_uniform(none, 4), log(4.0), 1e-15);
    /* p = (1/2, 1/4, 1/4, 0): sum p log 4p = 1/2 log 2 + 0 + 0 */
    double half[4] = {2, 1, 1, 0};
    ck_assert_double_eq_tol(gl_kl_uniform(half, 4), 0.5 * log(2.0), 1e-15);
}
END_TEST

START_TEST(inception_score)
{
    /* Confident and balanced: IS = k. Identical rows (a collapsed generator): IS = 1. */
    float confident[4 * 4] = {0}, same[3 * 4];
    for (int i = 0; i < 4; i++)
        confident[i * 4 + i] = 1;
    for (int i = 0; i < 3; i++)
        for (int j = 0; j < 4; j++)
            same[i * 4 + j] = j == 0 ? 0.7f : 0.1f;
    ck_assert_double_eq_tol(gl_inception_score(confident, 4, 4), 4.0, 1e-12);
    ck_assert_double_eq_tol(gl_inception_score(same, 3, 4), 1.0, 1e-12);
    /* Two rows (1, 0) and (1/2, 1/2): p(y) = (3/4, 1/4);
     * KL1 = log(4/3), KL2 = 1/2 log(2/3) + 1/2 log 2; IS = exp((KL1 + KL2) / 2). */
    float two[4] = {1, 0, 0.5f, 0.5f};
    double want = exp((log(4.0 / 3) + 0.5 * log(2.0 / 3) + 0.5 * log(2.0)) / 2);
    ck_assert_double_eq_tol(gl_inception_score(two, 2, 2), want, 1e-7);
}
END_TEST

START_TEST(moments)
{
    /* rows (1, 2), (3, 2), (5, 8): mean (3, 4); unbiased cov [[4, 6], [6, 12]] */
    float x[6] = {1, 2, 3, 2, 5, 8};
    double mu[2], cov[4];
    gl_error err;
    gl_error_init(&err);
    ck_assert_int_eq(gl_feature_moments(x, 3, 2, mu, cov, &err), GL_OK);
    ck_assert_double_eq_tol(mu[0], 3, 1e-12);
    ck_assert_double_eq_tol(mu[1], 4, 1e-12);
    ck_assert_double_eq_tol(cov[0], 4, 1e-12);
    ck_assert_double_eq_tol(cov[1], 6, 1e-12);
    ck_assert_double_eq_tol(cov[2], 6, 1e-12);
    ck_assert_double_eq_tol(cov[3], 12, 1e-12);
    ck_assert_int_eq(gl_feature_moments(x, 1, 2, mu, cov, &err), GL_ERR_INPUT);
}
END_TEST

START_TEST(frechet_closed_forms)
{
    gl_error err;
    gl_error_init(&err);
    double fd;
    /* identical Gaussians: 0 */
    double mu[3] = {1, -2, 3}, s[9] = {2, 0.5, 0, 0.5, 1, 0.2, 0, 0.2, 3};
    ck_assert_int_eq(gl_frechet_distance(mu, s, mu, s, 3, &fd, &err), GL_OK);
    ck_assert_double_eq_tol(fd, 0.0, 1e-10);
    /* diagonal: |dmu|^2 + sum (sqrt a - sqrt b)^2 = (1 + 4) + (2 - 1)^2 + (3 - 0)^2 = 15 */
    double m1[2] = {0, 0}, m2[2] = {1, 2}, a[4] = {4, 0, 0, 9}, b[4] = {1, 0, 0, 0};
    ck_assert_int_eq(gl_frechet_distance(m1, a, m2, b, 2, &fd, &err), GL_OK);
    ck_assert_double_eq_tol(fd, 15.0, 1e-10);
    /* non-diagonal against the identity: tr S1 + 2 - 2 tr sqrt(S1), eig(S1) = {3, 1} */
    double s1[4] = {2, 1, 1, 2}, id[4] = {1, 0, 0, 1};
    ck_assert_int_eq(gl_frechet_distance(m1, s1, m1, id, 2, &fd, &err), GL_OK);
    ck_assert_double_eq_tol(fd, 4 + 2 - 2 * (sqrt(3.0) + 1), 1e-10);
    /* S1 and S2 that do not commute: S1 = diag(1, 4), S2 = [[2, 1], [1, 2]];
     * tr sqrt(S1 S2) = sqrt(tr(S1 S2) + 2 sqrt(det(S1 S2))) for 2x2: tr = 2 + 8 = 10, det = 12 */
    double d14[4] = {1, 0, 0, 4};
    ck_assert_int_eq(gl_frechet_distance(m1, d14, m1, s1, 2, &fd, &err), GL_OK);
    ck_assert_double_eq_tol(fd, 5 + 4 - 2 * sqrt(10 + 2 * sqrt(12.0)), 1e-10);
}
END_TEST

START_TEST(frechet_of_sampled_gaussians)
{
    /* N(0, I) against N(mu, 4 I) in 4-D: FD = |mu|^2 + 4 (2 - 1)^2 = 1 + 4 = 5 */
    enum { N = 20000, D = 4 };
    float *x = malloc(N * D * sizeof *x), *y = malloc(N * D * sizeof *y);
    gl_rng r;
    gl_rng_init(&r, 7, 99);
    gl_rng_fill_normal(&r, x, N * D, 0, 1);
    gl_rng_fill_normal(&r, y, N * D, 0, 2);
    for (int i = 0; i < N; i++)
        y[i * D] += 1;
    double mx[D], my[D], cx[D * D], cy[D * D], fd;
    gl_error err;
    gl_error_init(&err);
    ck_assert_int_eq(gl_feature_moments(x, N, D, mx, cx, &err), GL_OK);
    ck_assert_int_eq(gl_feature_moments(y, N, D, my, cy, &err), GL_OK);
    ck_assert_int_eq(gl_frechet_distance(mx, cx, my, cy, D, &fd, &err), GL_OK);
    ck_assert_msg(fabs(fd - 5) < 0.15, "FD %g, want 5", fd);
    free(x);
    free(y);
}
END_TEST

/* Unbiased MMD^2 with k(x, y) = (x.y / d + 1)^3 over all rows of a (n, d) and b (n, d), in double.
 */
static double mmd_direct(const float *a, const float *b, int n, int d)
{
    double kaa = 0, kbb = 0, kab = 0;
    for (int i = 0; i < n; i++)
        for (int j = 0; j < n; j++) {
            double daa = 0, dbb = 0, dab = 0;
            for (int c = 0; c < d; c++) {
                daa += (double)a[i * d + c] * a[j * d + c];
                dbb += (double)b[i * d + c] * b[j * d + c];
                dab += (double)a[i * d + c] * b[j * d + c];
            }
            if (i != j) {
                kaa += pow(daa / d + 1, 3);
                kbb += pow(dbb / d + 1, 3);
            }
            kab += pow(dab / d + 1, 3);
        }
    return (kaa + kbb) / (n * (n - 1.0)) - 2 * kab / ((double)n * n);
}

START_TEST(kid_known_values)
{
    gl_error err;
    gl_error_init(&err);
    /* d = 1, real {0, 1}, fake {1, 2}: k(0,1) = 1, k(1,2) = 27; cross terms 1, 1, 8, 27.
     * MMD^2 = 2/2 + 54/2 - 2 * 37/4 = 9.5, the same on every subset (each is the whole set). */
    float real[2] = {0, 1}, fake[2] = {1, 2};
    double mean = -1, std = -1;
    ck_assert_int_eq(
        gl_kernel_inception_distance(real, 2, fake, 2, 1, 5, 1000, 7, &mean, &std, &err), GL_OK);
    ck_assert_double_eq_tol(mean, 9.5, 1e-12);
    ck_assert_double_eq_tol(std, 0, 1e-12);

    /* 40 rows of 8 features: the full-set estimate equals the direct double loop; a shifted set is
     * farther than a fresh sample of the same distribution, which is near 0 (unbiased). */
    enum { N = 40, D = 8 };
    static float a[N * D], b[N * D], c[N * D];
    gl_rng r;
    gl_rng_init(&r, 3, GL_STREAM_EVAL);
    gl_rng_fill_normal(&r, a, N * D, 0, 1);
    gl_rng_fill_normal(&r, b, N * D, 0, 1);
    gl_rng_fill_normal(&r, c, N * D, 1, 1);
    ck_assert_int_eq(gl_kernel_inception_distance(a, N, c, N, D, 3, N, 1, &mean, &std, &err),
                     GL_OK);
    ck_assert_double_eq_tol(mean, mmd_direct(a, c, N, D), 1e-4 * fabs(mean));
    ck_assert_double_eq_tol(std, 0, 1e-6 * mean); /* the same rows in another order */
    double same, same_std;
    ck_assert_int_eq(gl_kernel_inception_distance(a, N, b, N, D, 3, N, 1, &same, &same_std, &err),
                     GL_OK);
    ck_assert_double_eq_tol(same, mmd_direct(a, b, N, D), 1e-4 * fabs(mean));
    ck_assert_msg(fabs(same) < 0.2 * mean, "same distribution %g, shifted %g", same, mean);

    /* Subsets of 10: the same seed gives the same numbers, another seed others; nonzero spread. */
    double m1, s1, m2, s2, m3, s3;
    ck_assert_int_eq(gl_kernel_inception_distance(a, N, c, N, D, 20, 10, 1, &m1, &s1, &err), GL_OK);
    ck_assert_int_eq(gl_kernel_inception_distance(a, N, c, N, D, 20, 10, 1, &m2, &s2, &err), GL_OK);
    ck_assert_int_eq(gl_kernel_inception_distance(a, N, c, N, D, 20, 10, 2, &m3, &s3, &err), GL_OK);
    ck_assert(m1 == m2 && s1 == s2);
    ck_assert(m1 != m3);
    ck_assert(s1 > 0);

    /* A subset of one row has no off-diagonal pairs: refused. */
    ck_assert_int_eq(gl_kernel_inception_distance(a, 1, c, N, D, 3, 10, 1, &m1, &s1, &err),
                     GL_ERR_INPUT);
}
END_TEST

START_TEST(knn_radii_on_a_line)
{
    float x[4] = {0, 1, 3, 6};
    double r[4];
    gl_error err;
    gl_error_init(&err);
    ck_assert_int_eq(gl_knn_radii(x, 4, 1, 1, r, &err), GL_OK);
    ck_assert_double_eq_tol(r[0], 1, 1e-12);
    ck_assert_double_eq_tol(r[1], 1, 1e-12);
    ck_assert_double_eq_tol(r[2], 2, 1e-12);
    ck_assert_double_eq_tol(r[3], 3, 1e-12);
    ck_assert_int_eq(gl_knn_radii(x, 4, 1, 2, r, &err), GL_OK);
    ck_assert_double_eq_tol(r[0], 3, 1e-12);
    ck_assert_double_eq_tol(r[1], 2, 1e-12);
    ck_assert_double_eq_tol(r[2], 3, 1e-12);
    ck_assert_double_eq_tol(r[3], 5, 1e-12);
    ck_assert_int_eq(gl_knn_radii(x, 4, 1, 4, r, &err), GL_ERR_INPUT);
}
END_TEST

/* P/R/D/C of fake against real with k_pr = kp and k_dc = kd. */
static gl_prdc prdc(const float *real, int n, const float *fake, int m, int d, int kp, int kd)
{
    double *rp = malloc(n * sizeof *rp), *rd = malloc(n * sizeof *rd), *fp = malloc(m * sizeof *fp);
    gl_error err;
    gl_error_init(&err);
    gl_prdc out;
    ck_assert_int_eq(gl_knn_radii(real, n, d, kp, rp, &err), GL_OK);
    ck_assert_int_eq(gl_knn_radii(real, n, d, kd, rd, &err), GL_OK);
    ck_assert_int_eq(gl_knn_radii(fake, m, d, kp, fp, &err), GL_OK);
    ck_assert_int_eq(gl_prdc_compute(real, rp, rd, n, fake, fp, m, d, kd, &out, &err), GL_OK);
    free(rp);
    free(rd);
    free(fp);
    return out;
}

START_TEST(prdc_identical_and_disjoint_sets)
{
    enum { N = 300, D = 8 };
    float *x = malloc(N * D * sizeof *x), *far = malloc(N * D * sizeof *far);
    gl_rng r;
    gl_rng_init(&r, 3, 5);
    gl_rng_fill_normal(&r, x, N * D, 0, 1);
    for (int i = 0; i < N * D; i++)
        far[i] = x[i] + 100;
    /* Identical: every fake lies in its own ball; each real ball of the 5-NN radius holds itself
     * and its 5 neighbours, so density = (5 + 1) / 5. */
    gl_prdc p = prdc(x, N, x, N, D, 3, 5);
    ck_assert_double_eq_tol(p.precision, 1, 1e-12);
    ck_assert_double_eq_tol(p.recall, 1, 1e-12);
    ck_assert_double_eq_tol(p.coverage, 1, 1e-12);
    ck_assert_double_eq_tol(p.density, 6.0 / 5.0, 1e-12);
    p = prdc(x, N, far, N, D, 3, 5);
    ck_assert_double_eq_tol(p.precision, 0, 1e-12);
    ck_assert_double_eq_tol(p.recall, 0, 1e-12);
    ck_assert_double_eq_tol(p.coverage, 0, 1e-12);
    ck_assert_double_eq_tol(p.density, 0, 1e-12);
    free(x);
    free(far);
}
END_TEST

START_TEST(prdc_constructed_sets)
{
    /* Reals 0..9 on a line, every 1-NN radius 1. Fakes 0.5 and 100: 0.5 is in the balls of 0 and
     * 1, 100 in none: precision 1/2, density (2 + 0) / (1 * 2) = 1, coverage (reals 0 and 1) 2/10.
     * Fake 0.5's 1-NN radius reaches 100, so every real is recalled: recall 1 (the outlier effect
     * that density and coverage were made to resist). */
    float real[10], fake[2] = {0.5f, 100};
    for (int i = 0; i < 10; i++)
        real[i] = (float)i;
    gl_prdc p = prdc(real, 10, fake, 2, 1, 1, 1);
    ck_assert_double_eq_tol(p.precision, 0.5, 1e-12);
    ck_assert_double_eq_tol(p.recall, 1.0, 1e-12);
    ck_assert_double_eq_tol(p.density, 1.0, 1e-12);
    ck_assert_double_eq_tol(p.coverage, 0.2, 1e-12);
    /* A collapsed generator: 5 copies of real 4. Precision 1 (inside 4's ball), density: each copy
     * is in the 1-NN balls of 3, 4 and 5, so 3 / 1; recall 1/10 (the fakes' radius is 0: only
     * real 4 itself); coverage 3/10 (reals 3, 4, 5). */
    float collapsed[5] = {4, 4, 4, 4, 4};
    p = prdc(real, 10, collapsed, 5, 1, 1, 1);
    ck_assert_double_eq_tol(p.precision, 1.0, 1e-12);
    ck_assert_double_eq_tol(p.recall, 0.1, 1e-12);
    ck_assert_double_eq_tol(p.density, 3.0, 1e-12);
    ck_assert_double_eq_tol(p.coverage, 0.3, 1e-12);
}
END_TEST

START_TEST(cross_entropy_and_adam)
{
    gl_net *net = gl_net_create("t");
    gl_tensor *w = gl_net_param(net, "logits", 2, (const int[]){2, 3}, gl_init_zeros());
    gl_error err;
    gl_error_init(&err);
    gl_rng r;
    gl_rng_init(&r, 1, 1);
    ck_assert_int_eq(gl_net_finalize(net, &r, &err), GL_OK);
    const float x[6] = {1, 2, 3, 0.5f, -1, 0};
    for (int i = 0; i < 6; i++)
        gl_net_values(net)[i] = x[i];
    const int32_t labels[2] = {0, 2};
    gl_ctx *ctx = gl_ctx_create();
    gl_tensor *loss = gl_cross_entropy(ctx, w, labels);
    ck_assert_ptr_nonnull(loss);
    /* row loss = log sum exp(row) - row[label]; mean of the two rows */
    double z0 = exp(1.0) + exp(2.0) + exp(3.0), z1 = exp(0.5) + exp(-1.0) + exp(0.0);
    double want = ((log(z0) - 1) + (log(z1) - 0)) / 2;
    ck_assert_double_eq_tol(gl_tensor_item(loss), want, 1e-6);
    gl_net_zero_grad(net);
    ck_assert_int_eq(gl_backward(ctx, loss, net, &err), GL_OK);
    const float *g = gl_net_grads(net);
    for (int i = 0; i < 6; i++) {
        double z = i < 3 ? z0 : z1, p = exp(x[i]) / z;
        double onehot = (i == 0 || i == 5);
        ck_assert_double_eq_tol(g[i], (p - onehot) / 2, 1e-6);
    }
    /* Adam's first step moves every parameter by lr against the sign of its gradient. */
    float state[12] = {0};
    gl_net_adam_step(net, state, 1, 0.1, 0.9, 0.999, 1e-8);
    for (int i = 0; i < 6; i++)
        ck_assert_double_eq_tol(gl_net_values(net)[i], x[i] - 0.1 * (g[i] > 0 ? 1 : -1), 1e-5);
    /* a label out of range is a ctx error, not a crash */
    gl_ctx_reset(ctx);
    const int32_t bad[2] = {0, 3};
    ck_assert_ptr_null(gl_cross_entropy(ctx, w, bad));
    ck_assert_int_ne(gl_ctx_status(ctx, NULL), GL_OK);
    gl_ctx_destroy(ctx);
    gl_net_destroy(net);
}
END_TEST

static Suite *suite(void)
{
    Suite *s = suite_create("eval_metrics");
    TCase *t = tcase_create("metrics");
    tcase_add_test(t, class_histograms);
    tcase_add_test(t, inception_score);
    tcase_add_test(t, moments);
    tcase_add_test(t, frechet_closed_forms);
    tcase_add_test(t, frechet_of_sampled_gaussians);
    tcase_add_test(t, knn_radii_on_a_line);
    tcase_add_test(t, kid_known_values);
    tcase_add_test(t, prdc_identical_and_disjoint_sets);
    tcase_add_test(t, prdc_constructed_sets);
    tcase_add_test(t, cross_entropy_and_adam);
    suite_add_tcase(s, t);
    return s;
}

int main(void)
{
    SRunner *r = srunner_create(suite());
    srunner_run_all(r, CK_NORMAL);
    int failed = srunner_ntests_failed(r);
    srunner_free(r);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}

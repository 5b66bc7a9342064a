/* test_dataset_toy2d.c - the `toy2d` dataset plugin (loaded from the build tree): mode centres as
 * documented, labels, spread, determinism in (seed, index), and its parameter errors. */
#include <check.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "fixture.h"

#define N 4000

static char dir[4096];

static void setup(void) { ck_assert_int_eq(fx_tempdir(dir, sizeof dir), GL_OK); }

static void teardown(void) { fx_rmtree(dir); }

static void open_ok(fx_dataset *d, const char *yaml, uint64_t seed)
{
    gl_error err;
    gl_error_init(&err);
    ck_assert_msg(fx_dataset_open(d, "toy2d", dir, yaml, seed, &err) == GL_OK, "%s", err.text);
}

/* Draws items 0..N-1 and checks every point against the centre of its label: the offsets'
 * mean is ~0 and their per-coordinate standard deviation is std (to 5%, N = 4000: the standard
 * error of a std estimate is std / sqrt(2 * 2N) ~ 1.1%), and every mode is used. */
static void check_points(fx_dataset *d, const double (*centre)[2], int modes, double std)
{
    static int64_t idx[N];
    static float x[2 * N];
    static int32_t labels[N];
    int count[64] = {0};
    for (int i = 0; i < N; i++)
        idx[i] = i;
    gl_error err;
    gl_error_init(&err);
    ck_assert_int_eq(d->ds->get(d->self, idx, N, x, labels, &err), GL_OK);
    double sum = 0, sq = 0;
    for (int i = 0; i < N; i++) {
        ck_assert(labels[i] >= 0 && labels[i] < modes);
        count[labels[i]]++;
        for (int c = 0; c < 2; c++) {
            double off = x[2 * i + c] - centre[labels[i]][c];
            ck_assert_msg(fabs(off) < 6 * std, "item %d is %g from its mode", i, off);
            ck_assert(x[2 * i + c] > d->info.lo && x[2 * i + c] < d->info.hi);
            sum += off;
            sq += off * off;
        }
    }
    double mean = sum / (2 * N), sd = sqrt(sq / (2 * N) - mean * mean);
    ck_assert_msg(fabs(mean) < 0.1 * std, "mean offset %g", mean);
    ck_assert_msg(fabs(sd / std - 1) < 0.05, "std %g, want %g", sd, std);
    for (int k = 0; k < modes; k++)
        ck_assert_msg(count[k] > N / modes / 2, "mode %d drawn %d times", k, count[k]);
}

START_TEST(ring_defaults)
{
    fx_dataset d;
    open_ok(&d, "dataset:\n  plugin: toy2d\n", 42);
    ck_assert_int_eq(d.info.ndim, 1);
    ck_assert_int_eq(d.info.shape[0], 2);
    ck_assert_int_eq(d.info.n_classes, 8);
    ck_assert_int_eq(d.info.n_items, 100000);
    double centre[8][2];
    for (int k = 0; k < 8; k++) {
        centre[k][0] = 2 * cos(2 * M_PI * k / 8);
        centre[k][1] = 2 * sin(2 * M_PI * k / 8);
    }
    check_points(&d, (const double(*)[2])centre, 8, 0.02);
    fx_dataset_close(&d);
}
END_TEST

START_TEST(grid_defaults)
{
    fx_dataset d;
    open_ok(&d, "dataset:\n  plugin: toy2d\n  mixture: grid\n  size: 5000\n", 7);
    ck_assert_int_eq(d.info.n_classes, 25);
    ck_assert_int_eq(d.info.n_items, 5000);
    double centre[25][2];
    for (int k = 0; k < 25; k++) { /* row-major over {-4,-2,0,2,4}^2 */
        centre[k][0] = -4 + 2 * (k / 5);
        centre[k][1] = -4 + 2 * (k % 5);
    }
    check_points(&d, (const double(*)[2])centre, 25, 0.05);
    fx_dataset_close(&d);
}
END_TEST

START_TEST(custom_ring)
{
    fx_dataset d;
    open_ok(&d, "dataset:\n  plugin: toy2d\n  modes: 5\n  radius: 1.5\n  std: 0.1\n", 3);
    ck_assert_int_eq(d.info.n_classes, 5);
    double centre[5][2];
    for (int k = 0; k < 5; k++) {
        centre[k][0] = 1.5 * cos(2 * M_PI * k / 5);
        centre[k][1] = 1.5 * sin(2 * M_PI * k / 5);
    }
    check_points(&d, (const double(*)[2])centre, 5, 0.1);
    ck_assert_float_eq_tol(d.info.hi, 1.5f + 0.6f, 1e-6f);
    fx_dataset_close(&d);
}
END_TEST

/* Item i depends on (seed, i) only: the order of a request, its batch and the instance do not
 * matter; another seed gives other points. */
START_TEST(pure_function_of_seed_and_index)
{
    fx_dataset a, b, c;
    open_ok(&a, "dataset:\n  plugin: toy2d\n  mixture: grid\n", 11);
    open_ok(&b, "dataset:\n  plugin: toy2d\n  mixture: grid\n", 11);
    open_ok(&c, "dataset:\n  plugin: toy2d\n  mixture: grid\n", 12);
    int64_t fwd[3] = {5, 99999, 17}, rev[3] = {17, 5, 99999};
    float xa[6], xb[6], xc[6];
    int32_t la[3], lb[3];
    gl_error err;
    gl_error_init(&err);
    ck_assert_int_eq(a.ds->get(a.self, fwd, 3, xa, la, &err), GL_OK);
    ck_assert_int_eq(b.ds->get(b.self, rev, 3, xb, lb, &err), GL_OK);
    ck_assert_int_eq(c.ds->get(c.self, fwd, 3, xc, NULL, &err), GL_OK);
    int perm[3] = {1, 2, 0}; /* rev[perm[k]] == fwd[k] */
    for (int k = 0; k < 3; k++) {
        ck_assert_float_eq(xa[2 * k], xb[2 * perm[k]]);
        ck_assert_float_eq(xa[2 * k + 1], xb[2 * perm[k] + 1]);
        ck_assert_int_eq(la[k], lb[perm[k]]);
    }
    ck_assert(memcmp(xa, xc, sizeof xa) != 0);
    int64_t out = 100000;
    ck_assert_int_ne(a.ds->get(a.self, &out, 1, xa, la, &err), GL_OK);
    ck_assert_ptr_nonnull(strstr(err.text, "item 100000 out of range"));
    fx_dataset_close(&a);
    fx_dataset_close(&b);
    fx_dataset_close(&c);
}
END_TEST

START_TEST(errors)
{
    fx_dataset d;
    gl_error err;
    gl_error_init(&err);
    ck_assert_int_ne(fx_dataset_open(&d, "toy2d", dir,
                                     "dataset:\n  plugin: toy2d\n  mixture: grid\n  modes: 24\n", 1,
                                     &err),
                     GL_OK);
    ck_assert_msg(strstr(err.text, "'dataset.modes': 24 is not a square"), "%s", err.text);
    fx_dataset_close(&d);
    gl_error_init(&err);
    ck_assert_int_ne(fx_dataset_open(&d, "toy2d", dir,
                                     "dataset:\n  plugin: toy2d\n  mixture: spiral\n", 1, &err),
                     GL_OK);
    ck_assert_msg(strstr(err.text, "spiral"), "%s", err.text); /* the config's choice check */
    fx_dataset_close(&d);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("dataset_toy2d");
    TCase *tc = tcase_create("toy2d");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, ring_defaults);
    tcase_add_test(tc, grid_defaults);
    tcase_add_test(tc, custom_ring);
    tcase_add_test(tc, pure_function_of_seed_and_index);
    tcase_add_test(tc, errors);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? 1 : 0;
}

/* test_check.c - the plugin checker (core/check): the finite-difference comparison on a function
 * whose gradient is known, the verdicts on bundled plugins (they pass) and on two deliberately
 * wrong ones from tests/plugins/check (a loss whose d_loss detaches its real term, a model whose D
 * detaches its hidden layer: they must fail the gradient checks and nothing else), the parameter
 * handling (--set, required parameters), and finding plugins by name and by file.
 *
 * Plugins come from the build tree ($GL_BUILDDIR); the result lines are captured with
 * open_memstream and searched.
 */
#include <check.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <ganlab/nn.h>
#include <ganlab/tensor.h>

#include "check/check_internal.h"

/* A registry over one directory of the build tree, and the lines of the last check. */
static gl_registry *reg;
static char *text;
static size_t text_len;
static gl_error err;

static void open_dir(const char *sub)
{
    const char *build = getenv("GL_BUILDDIR");
    ck_assert_msg(build != NULL, "GL_BUILDDIR is not set (run through make check)");
    char dir[4096];
    snprintf(dir, sizeof dir, "%s/%s", build, sub);
    const char *dirs[] = {dir};
    gl_error_init(&err);
    ck_assert_msg(gl_registry_open(dirs, 1, &reg, &err) == GL_OK, "%s", err.text);
}

static void teardown(void)
{
    gl_registry_close(reg);
    reg = NULL;
    free(text);
    text = NULL;
}

/* Runs the checks on plugin name (of reg), with sets; returns the status, fills rep and text. */
static int check_name(const char *name, const char *const *sets, int n_sets, gl_check_report *rep)
{
    const gl_registry_entry *e;
    gl_error_init(&err);
    ck_assert_msg(gl_check_find(reg, name, 0, &e, &err) == GL_OK, "%s", err.text);
    free(text);
    FILE *f = open_memstream(&text, &text_len);
    ck_assert_ptr_nonnull(f);
    gl_check_opts opts = {.seed = 1, .sets = sets, .n_sets = n_sets};
    memset(rep, 0, sizeof *rep);
    rep->out = f;
    int rc = gl_check_plugin(e->hdr, e->path, &opts, rep, &err);
    fclose(f);
    return rc;
}

/* 1 when the captured text has a line starting with prefix. */
static int has_line(const char *prefix)
{
    size_t n = strlen(prefix);
    for (const char *l = text; l && *l; l = strchr(l, '\n') ? strchr(l, '\n') + 1 : "")
        if (strncmp(l, prefix, n) == 0)
            return 1;
    return 0;
}

/* ---------------------------------------------------------------- finite differences */

/* f(p) = sum_i c_i p_i^3 over one parameter tensor p (6) of a net. */
typedef struct cubic {
    gl_net *net;
    double c[6];
} cubic;

static int cubic_f(void *ud, double *v, gl_error *e)
{
    cubic *q = ud;
    const gl_real *p = gl_net_values(q->net);
    double s = 0;
    for (int i = 0; i < 6; i++)
        s += q->c[i] * p[i] * p[i] * p[i];
    *v = s;
    return GL_OK;
}

START_TEST(fd_known_gradient)
{
    cubic q = {.c = {1, -2, 0.5, 3, -0.25, 0}};
    q.net = gl_net_create("N");
    int shape[1] = {6};
    ck_assert_ptr_nonnull(gl_net_param(q.net, "p", 1, shape, gl_init_uniform(1.0)));
    gl_rng r;
    gl_rng_init(&r, 5, 1);
    gl_error_init(&err);
    ck_assert_int_eq(gl_net_finalize(q.net, &r, &err), GL_OK);
    gl_real *p = gl_net_values(q.net), *g = gl_net_grads(q.net);
    static const gl_real p0[6] = {0.5f, -0.7f, 0.9f, 0.6f, -0.3f, 0.8f};
    memcpy(p, p0, sizeof p0);
    for (int i = 0; i < 6; i++)
        g[i] = (gl_real)(3 * q.c[i] * p[i] * p[i]); /* the true gradient */
    gl_check_fd fd;
    ck_assert_int_eq(gl_check__grads(q.net, cubic_f, &q, 0, 1, &fd, &err), GL_OK);
    ck_assert_int_eq(fd.n, 6);
    ck_assert_int_eq(fd.bad, 0);
    ck_assert_double_lt(fd.worst, 0.1);
    ck_assert_mem_eq(p, p0, sizeof p0); /* the values are restored */

    g[3] *= 1.2f; /* 20% off in one coordinate */
    ck_assert_int_eq(gl_check__grads(q.net, cubic_f, &q, 0, 1, &fd, &err), GL_OK);
    ck_assert_int_eq(fd.bad, 1);
    ck_assert_ptr_nonnull(strstr(fd.at, "N p[3]: analytic"));

    memset(g, 0, 6 * sizeof *g); /* a detached net: all zero */
    ck_assert_int_eq(gl_check__grads(q.net, cubic_f, &q, 0, 1, &fd, &err), GL_OK);
    ck_assert_int_eq(fd.bad, 5); /* all but c = 0 */
    gl_net_destroy(q.net);
}
END_TEST

/* ---------------------------------------------------------------- bundled plugins pass */

START_TEST(bundled_pass)
{
    static const char *const dirs[][2] = {
        {"plugins/loss/.libs", "bce"},      {"plugins/loss/.libs", "wgan_gp"},
        {"plugins/optimizer/.libs", "sgd"}, {"plugins/optimizer/.libs", "adam"},
        {"plugins/dataset/.libs", "toy2d"}, {"plugins/model/.libs", "mlp"},
    };
    for (size_t i = 0; i < sizeof dirs / sizeof dirs[0]; i++) {
        open_dir(dirs[i][0]);
        gl_check_report rep;
        ck_assert_int_eq(check_name(dirs[i][1], NULL, 0, &rep), GL_OK);
        ck_assert_msg(rep.failed == 0 && rep.passed >= 3, "%s:\n%s", dirs[i][1], text);
        ck_assert(has_line("PASS descriptor: "));
        ck_assert(has_line("PASS parameters: the defaults validate"));
        gl_registry_close(reg);
        reg = NULL;
    }
}
END_TEST

START_TEST(loss_lines)
{
    open_dir("plugins/loss/.libs");
    gl_check_report rep;
    ck_assert_int_eq(check_name("wgan_gp", NULL, 0, &rep), GL_OK);
    ck_assert_int_eq(rep.passed, 8);
    ck_assert_msg(has_line("PASS loss d_loss: gradient w.r.t. D's parameters (with the "
                           "second-order terms of its input-gradient penalty): 97 of 97 "),
                  "%s", text);
    ck_assert(has_line("PASS loss g_loss: gradient w.r.t. G's parameters: 148 of 148 "));
}
END_TEST

/* ---------------------------------------------------------------- wrong plugins fail */

START_TEST(detached_loss_fails)
{
    open_dir("tests/plugins/check/.libs");
    gl_check_report rep;
    ck_assert_int_eq(check_name("bad_loss", NULL, 0, &rep), GL_OK);
    ck_assert_msg(rep.failed == 1, "%s", text);
    ck_assert_msg(has_line("FAIL loss d_loss: gradient w.r.t. D's parameters: "), "%s", text);
    ck_assert(has_line("PASS loss d_loss: a finite scalar"));
    ck_assert(has_line("PASS loss g_loss: gradient w.r.t. G's parameters: 148 of 148 "));
}
END_TEST

START_TEST(detached_model_fails)
{
    open_dir("tests/plugins/check/.libs");
    gl_check_report rep;
    ck_assert_int_eq(check_name("bad_model", NULL, 0, &rep), GL_OK);
    /* two data shapes, G and D gradients each: all four fail; the shapes pass */
    ck_assert_msg(rep.failed == 4, "%s", text);
    ck_assert(has_line("FAIL model on images (1, 28, 28), 10 classes: D gradient of sum w D(x): "));
    ck_assert(has_line("FAIL model on vectors (2), 8 classes: G gradient of sum w D(G(z)): "));
    ck_assert(has_line("PASS model on images (1, 28, 28), 10 classes: G(z) (4, 1, 28, 28), "
                       "D(G(z)) (4, 1)"));
}
END_TEST

/* ---------------------------------------------------------------- parameters */

START_TEST(required_and_set)
{
    open_dir("tests/plugins/.libs");
    gl_check_report rep;
    /* tiny: `seed` is required and has no default */
    ck_assert_int_eq(check_name("tiny", NULL, 0, &rep), GL_ERR_INPUT);
    ck_assert_msg(strstr(err.text,
                         "plugin 'tiny': parameter 'seed' is required and has no "
                         "default, so the plugin cannot be checked with defaults: give it with "
                         "--set seed=VALUE"),
                  "%s", err.text);
    /* with it, the checks run; tiny's step does nothing, so the descent check fails */
    const char *sets[] = {"seed=3", "mode=slow"};
    ck_assert_int_eq(check_name("tiny", sets, 2, &rep), GL_OK);
    ck_assert_int_eq(rep.failed, 1);
    ck_assert(has_line("PASS parameters: the defaults with the --set values validate"));
    ck_assert_msg(has_line("FAIL optimizer: 200 steps on 100/2 sum (p - c)^2 over 100 parameters: "
                           "f 28.2 -> 28.2 (1 times lower"),
                  "%s", text);
    /* a value the schema refuses, and a --set that is not KEY=VALUE */
    const char *bad[] = {"seed=3", "rate=2"};
    ck_assert_int_eq(check_name("tiny", bad, 2, &rep), GL_ERR_INPUT);
    ck_assert_msg(strstr(err.text, "optimizer.generator.rate=2"), "%s", err.text);
    const char *junk[] = {"seed=3", "mode"};
    ck_assert_int_eq(check_name("tiny", junk, 2, &rep), GL_ERR_INPUT);
    ck_assert_str_eq(err.text, "--set 'mode': expected KEY=VALUE");
}
END_TEST

/* ---------------------------------------------------------------- finding plugins */

START_TEST(find_and_files)
{
    ck_assert(gl_check_is_file("./x.so"));
    ck_assert(gl_check_is_file("x.so"));
    ck_assert(gl_check_is_file("dir/x"));
    ck_assert(!gl_check_is_file("adam"));
    ck_assert(!gl_check_is_file(".so"));

    const char *build = getenv("GL_BUILDDIR");
    char path[4096];
    gl_registry *r;
    const gl_registry_entry *e;
    snprintf(path, sizeof path, "%s/tests/plugins/check/.libs/bad_model.so", build);
    gl_error_init(&err);
    ck_assert_int_eq(gl_check_open_file(path, &r, &e, &err), GL_OK);
    ck_assert_str_eq(e->name, "bad_model");
    ck_assert_str_eq(e->path, path);
    gl_registry_close(r);

    snprintf(path, sizeof path, "%s/tests/plugins/.libs/wrong_abi.so", build);
    ck_assert_int_eq(gl_check_open_file(path, &r, &e, &err), GL_ERR_INPUT);
    ck_assert_ptr_null(r);
    ck_assert_msg(strstr(err.text, "was built for plugin ABI 1, but this ganlab has ABI 2"), "%s",
                  err.text);
    gl_error_init(&err);
    ck_assert_int_eq(gl_check_open_file("/nonexistent/x.so", &r, &e, &err), GL_ERR_INPUT);
    ck_assert_str_eq(err.text, "/nonexistent/x.so: no such plugin file");

    open_dir("plugins/optimizer/.libs");
    gl_error_init(&err);
    ck_assert_int_eq(gl_check_find(reg, "adma", 0, &e, &err), GL_ERR_INPUT);
    ck_assert_ptr_nonnull(strstr(err.text, "did you mean 'adam'?"));
    gl_error_init(&err);
    ck_assert_int_eq(gl_check_find(reg, "adam", GL_KIND_LOSS, &e, &err), GL_ERR_INPUT);
    gl_error_init(&err);
    ck_assert_int_eq(gl_check_find(reg, "adam", GL_KIND_OPTIMIZER, &e, &err), GL_OK);
}
END_TEST

static Suite *suite(void)
{
    Suite *s = suite_create("check");
    TCase *tc = tcase_create("check");
    tcase_add_checked_fixture(tc, NULL, teardown);
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, fd_known_gradient);
    tcase_add_test(tc, bundled_pass);
    tcase_add_test(tc, loss_lines);
    tcase_add_test(tc, detached_loss_fails);
    tcase_add_test(tc, detached_model_fails);
    tcase_add_test(tc, required_and_set);
    tcase_add_test(tc, find_and_files);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}

/* test_compare_sweep.c - compare/sweep.h: KEY=[a, b] read with libyaml (commas inside quotes and
 * brackets are safe, each value keeps its YAML text), the cartesian product with the last axis
 * varying fastest, the names of the points (file-name safe, distinct, labels as short as the other
 * keys allow), the keys for GANLAB_HPARAMS, and every fault. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "compare/sweep.h"

static void parse_ok(gl_sweep *s, const char *arg)
{
    gl_error err;
    gl_error_init(&err);
    ck_assert_msg(gl_sweep_parse_arg(s, arg, &err) == GL_OK, "%s: %s", arg, err.text);
}

static void parse_fails(const char *arg, const char *want)
{
    gl_sweep s = {0};
    gl_error err;
    gl_error_init(&err);
    ck_assert_int_eq(gl_sweep_parse_arg(&s, arg, &err), GL_ERR_INPUT);
    ck_assert_msg(strstr(err.text, want) != NULL, "'%s' gave '%s'", arg, err.text);
    gl_sweep_free(&s);
}

START_TEST(product_overrides_and_names)
{
    gl_sweep s = {0};
    ck_assert_int_eq(gl_sweep_points(&s), 1);
    parse_ok(&s, "loss.lambda=[1, 10]");
    parse_ok(&s, "model.g_hidden=[[256, 512], \"a, b\", 'x/y z']");
    ck_assert_int_eq(gl_sweep_points(&s), 6);
    ck_assert_str_eq(s.axes[1].values[0], "[256, 512]");
    ck_assert_str_eq(s.axes[1].values[1], "\"a, b\"");
    char buf[256];
    /* The last axis varies fastest. */
    gl_sweep_override(&s, 0, 0, buf, sizeof buf);
    ck_assert_str_eq(buf, "loss.lambda=1");
    gl_sweep_override(&s, 2, 1, buf, sizeof buf);
    ck_assert_str_eq(buf, "model.g_hidden='x/y z'");
    gl_sweep_override(&s, 3, 0, buf, sizeof buf);
    ck_assert_str_eq(buf, "loss.lambda=10");
    gl_sweep_override(&s, 3, 1, buf, sizeof buf);
    ck_assert_str_eq(buf, "model.g_hidden=[256, 512]");
    gl_sweep_name(&s, 0, buf, sizeof buf);
    ck_assert_str_eq(buf, "lambda-1.g_hidden-256_512");
    gl_sweep_name(&s, 4, buf, sizeof buf);
    ck_assert_str_eq(buf, "lambda-10.g_hidden-a_b");
    gl_sweep_name(&s, 5, buf, sizeof buf);
    ck_assert_str_eq(buf, "lambda-10.g_hidden-x_y_z");
    gl_sweep_keys(&s, buf, sizeof buf);
    ck_assert_str_eq(buf, "loss.lambda,model.g_hidden");
    gl_sweep_free(&s);
}
END_TEST

START_TEST(labels_and_clashing_values)
{
    gl_sweep s = {0};
    parse_ok(&s, "optimizer.generator.lr=[1e-4, 2e-4]");
    parse_ok(&s, "optimizer.discriminator.lr=[1e-4]");
    parse_ok(&s, "dataset.mixture=['a b', a_b, \"a  b\"]");
    char buf[256];
    gl_sweep_name(&s, 0, buf, sizeof buf);
    ck_assert_str_eq(buf, "generator_lr-1e-4.discriminator_lr-1e-4.mixture-a_b");
    gl_sweep_name(&s, 1, buf, sizeof buf);
    ck_assert_str_eq(buf, "generator_lr-1e-4.discriminator_lr-1e-4.mixture-a_b-2");
    gl_sweep_name(&s, 2, buf, sizeof buf);
    ck_assert_str_eq(buf, "generator_lr-1e-4.discriminator_lr-1e-4.mixture-a_b-3");
    gl_sweep_name(&s, 5, buf, sizeof buf);
    ck_assert_str_eq(buf, "generator_lr-2e-4.discriminator_lr-1e-4.mixture-a_b-3");
    /* Every name is made of the characters suite names allow. */
    for (int i = 0; i < gl_sweep_points(&s); i++) {
        gl_sweep_name(&s, i, buf, sizeof buf);
        ck_assert_uint_eq(strspn(buf, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
                                      "0123456789.-_"),
                          strlen(buf));
    }
    gl_sweep_free(&s);
}
END_TEST

START_TEST(faults)
{
    parse_fails("loss.lambda", "--sweep 'loss.lambda' is not KEY=[VALUE, ...]");
    parse_fails("=[1]", "is not KEY=[VALUE, ...]");
    parse_fails("loss.lambda=10", "the values must be a list, e.g. KEY=[1, 10]");
    parse_fails("loss.lambda={a: 1}", "the values must be a list");
    parse_fails("loss.lambda=[]", "sweep of 'loss.lambda' has no values");
    parse_fails("loss.lambda=[1, 2", "not a YAML list");
    parse_fails("loss.lambda=[1, 1]", "'1' is given twice for 'loss.lambda'");
    parse_fails("loss lambda=[1]", "sweep key 'loss lambda' is not a config key");
    parse_fails("loss..lambda=[1]", "is not a config key");
    parse_fails("loss.lambda=[&a 1, *a]", "without aliases");
    parse_fails("experiment.seed=[1, 2]", "'experiment.seed' is set by the suite for each run");
    gl_sweep s = {0};
    gl_error err;
    gl_error_init(&err);
    parse_ok(&s, "a.b=[1, 2]");
    ck_assert_int_eq(gl_sweep_parse_arg(&s, "a.b=[3]", &err), GL_ERR_INPUT);
    ck_assert_ptr_nonnull(strstr(err.text, "'a.b' is swept twice"));
    char big[200] = "c.d=[";
    for (int i = 0; i < 40; i++)
        snprintf(big + strlen(big), sizeof big - strlen(big), "%s%d", i ? "," : "", i);
    strcat(big, "]");
    for (int k = 0; k < 2; k++) {
        big[0] = (char)('c' + k);
        parse_ok(&s, big); /* 2 x 40 x 40 = 3200 points */
    }
    big[0] = 'z';
    gl_error_init(&err);
    ck_assert_int_eq(gl_sweep_parse_arg(&s, big, &err), GL_ERR_INPUT);
    ck_assert_ptr_nonnull(strstr(err.text, "the sweep has 128000 points, more than 4096"));
    gl_sweep_free(&s);
}
END_TEST

int main(void)
{
    Suite *su = suite_create("sweep");
    TCase *tc = tcase_create("sweep");
    tcase_add_test(tc, product_overrides_and_names);
    tcase_add_test(tc, labels_and_clashing_values);
    tcase_add_test(tc, faults);
    suite_add_tcase(su, tc);
    SRunner *sr = srunner_create(su);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}

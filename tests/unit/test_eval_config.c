/* test_eval_config.c - the `eval` section of the config system: the evaluator list validated
 * against each plugin's schema with positions, printed and read back to the same config, diffed,
 * and gl_cfg_params_derive (a section's parameters with some keys changed). */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config/cfg.h"

static const gl_param_spec modes_schema[] = {
    {"samples", GL_PARAM_INT, "2500", 0, 1, 1e8, NULL, "points"},
    {"threshold", GL_PARAM_FLOAT, "3", 0, 0, 100, NULL, "stds"},
    {NULL, 0, NULL, 0, GL_NO_RANGE, NULL, NULL}};
static const gl_param_spec cls_schema[] = {
    {"epochs", GL_PARAM_INT, "3", 0, 1, 1000, NULL, "passes"},
    {"cache", GL_PARAM_BOOL, "true", 0, GL_NO_RANGE, NULL, "cache"},
    {NULL, 0, NULL, 0, GL_NO_RANGE, NULL, NULL}};
static const gl_param_spec data_schema[] = {
    {"split", GL_PARAM_CHOICE, "train", 0, GL_NO_RANGE, "train|test", "split"},
    {"path", GL_PARAM_PATH, "", 0, GL_NO_RANGE, NULL, "dir"},
    {"max_items", GL_PARAM_INT, "0", 0, 0, 1e9, NULL, "items"},
    {NULL, 0, NULL, 0, GL_NO_RANGE, NULL, NULL}};

/* Evaluators modes2d and classifier; a parameterless plugin for every other section. */
static int lookup(void *ud, const char *section, gl_plugin_kind kind, const char *name,
                  const char *where, const gl_param_spec **schema, gl_error *err)
{
    *schema = NULL;
    if (kind != GL_KIND_EVALUATOR)
        return GL_OK;
    ck_assert_str_eq(section, GL_CFG_EVALUATORS);
    if (strcmp(name, "modes2d") == 0)
        *schema = modes_schema;
    else if (strcmp(name, "classifier") == 0)
        *schema = cls_schema;
    else
        return gl_error_add(err, GL_ERR_INPUT, "%s: no evaluator plugin '%s'", where, name);
    return GL_OK;
}

static char dir[256];
static const char base_yaml[] = "dataset: {plugin: d}\nmodel: {plugin: m}\nloss: {plugin: l}\n"
                                "optimizer: {generator: {plugin: o}, discriminator: {plugin: o}}\n"
                                "train: {steps: 10}\n";

static void setup(void)
{
    snprintf(dir, sizeof dir, "/tmp/test_eval_config.XXXXXX");
    ck_assert_ptr_nonnull(mkdtemp(dir));
    ck_assert_int_eq(chdir(dir), 0);
}

static void teardown(void)
{
    char cmd[300];
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    ck_assert_int_eq(system(cmd), 0);
}

static void write_cfg(const char *name, const char *text)
{
    FILE *f = fopen(name, "w");
    ck_assert_ptr_nonnull(f);
    fputs(base_yaml, f);
    fputs(text, f);
    fclose(f);
}

/* Loads and validates name; returns the status and leaves the messages in err (*cfg NULL on
 * failure). */
static int load(const char *name, const char *const *ov, int n, gl_cfg **cfg, gl_error *err)
{
    gl_error_init(err);
    *cfg = NULL;
    int rc = gl_cfg_load(name, ov, n, cfg, err);
    if (rc == GL_OK)
        rc = gl_cfg_validate(*cfg, lookup, NULL, err);
    if (rc != GL_OK) {
        gl_cfg_destroy(*cfg);
        *cfg = NULL;
    }
    return rc;
}

static char *emit(const gl_cfg *cfg)
{
    char *text = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&text, &len);
    gl_error err;
    gl_error_init(&err);
    ck_assert_int_eq(gl_cfg_emit(cfg, f, &err), GL_OK);
    fclose(f);
    return text;
}

START_TEST(evaluators_are_validated_and_printed)
{
    write_cfg("e.yaml", "eval:\n  samples: 500\n  evaluators:\n    - plugin: modes2d\n"
                        "    - plugin: classifier\n      epochs: 7\n");
    gl_cfg *cfg;
    gl_error err;
    ck_assert_msg(load("e.yaml", NULL, 0, &cfg, &err) == GL_OK, "%s", err.text);
    ck_assert_int_eq(gl_params_int(gl_cfg_params(cfg, "eval"), "samples"), 500);
    ck_assert_uint_eq(gl_cfg_n_evaluators(cfg), 2);
    ck_assert_str_eq(gl_cfg_evaluator_plugin(cfg, 0), "modes2d");
    ck_assert_int_eq(gl_params_int(gl_cfg_evaluator_params(cfg, 0), "samples"), 2500);
    ck_assert_str_eq(gl_cfg_evaluator_plugin(cfg, 1), "classifier");
    ck_assert_int_eq(gl_params_int(gl_cfg_evaluator_params(cfg, 1), "epochs"), 7);
    ck_assert_ptr_null(gl_cfg_evaluator_plugin(cfg, 2));
    char *text = emit(cfg);
    ck_assert_msg(strstr(text, "eval:\n  samples: 500\n  evaluators:\n    - plugin: modes2d\n"
                               "      samples: 2500\n      threshold: 3.0\n"
                               "    - plugin: classifier\n      epochs: 7\n      cache: true\n"),
                  "%s", text);
    /* What was printed loads back to the same config and prints the same bytes. */
    FILE *f = fopen("printed.yaml", "w");
    fputs(text, f);
    fclose(f);
    gl_cfg *again;
    ck_assert_msg(load("printed.yaml", NULL, 0, &again, &err) == GL_OK, "%s", err.text);
    char *text2 = emit(again);
    ck_assert_str_eq(text, text2);
    char buf[512];
    ck_assert_int_eq(gl_cfg_diff(cfg, again, NULL, buf, sizeof buf), 0);
    free(text);
    free(text2);
    gl_cfg_destroy(again);
    gl_cfg_destroy(cfg);
}
END_TEST

START_TEST(no_eval_section_means_no_evaluators)
{
    write_cfg("n.yaml", "");
    gl_cfg *cfg;
    gl_error err;
    ck_assert_msg(load("n.yaml", NULL, 0, &cfg, &err) == GL_OK, "%s", err.text);
    ck_assert_uint_eq(gl_cfg_n_evaluators(cfg), 0);
    ck_assert_int_eq(gl_params_int(gl_cfg_params(cfg, "eval"), "samples"), 10000);
    ck_assert_int_eq(gl_params_int(gl_cfg_params(cfg, "train"), "eval_every"), 0);
    char *text = emit(cfg);
    ck_assert_ptr_nonnull(strstr(text, "eval:\n  samples: 10000\n  evaluators: []\n"));
    free(text);
    gl_cfg_destroy(cfg);
}
END_TEST

START_TEST(faults_have_positions)
{
    write_cfg("bad.yaml", "eval:\n  samples: 0\n  evaluatorz: 1\n  evaluators:\n"
                          "    - plugin: modes2d\n      sample: 5\n" /* line 11 */
                          "    - 3\n"
                          "    - {epochs: 2}\n"
                          "    - plugin: nope\n"
                          "    - plugin: classifier\n      epochs: 0\n"
                          "    - plugin: modes2d\n");
    gl_cfg *cfg;
    gl_error err;
    ck_assert_int_eq(load("bad.yaml", NULL, 0, &cfg, &err), GL_ERR_INPUT);
    const char *want[] = {
        "bad.yaml:7:12: 'samples' in eval must be in [1, 1000000000], got 0",
        "bad.yaml:8:3: unknown key 'evaluatorz' in eval (did you mean 'evaluators'?)",
        "bad.yaml:11:7: unknown key 'sample' in evaluator 'modes2d' (did you mean 'samples'?)",
        "bad.yaml:12:7: item 1 of eval.evaluators must be a mapping {plugin: NAME, ...}, not",
        "bad.yaml:13:7: item 2 of eval.evaluators does not name its plugin",
        "bad.yaml:14:15: no evaluator plugin 'nope'",
        "bad.yaml:16:15: 'epochs' in evaluator 'classifier' must be in [1, 1000], got 0",
        "bad.yaml:17:15: evaluator 'modes2d' is listed twice in eval.evaluators (items 0 and 5)"};
    for (size_t i = 0; i < sizeof want / sizeof want[0]; i++)
        ck_assert_msg(strstr(err.text, want[i]), "missing:\n%s\nin:\n%s", want[i], err.text);
    write_cfg("notlist.yaml", "eval: {evaluators: modes2d}\n");
    ck_assert_int_eq(load("notlist.yaml", NULL, 0, &cfg, &err), GL_ERR_INPUT);
    ck_assert_msg(strstr(err.text, "notlist.yaml:6:20: 'evaluators' in eval must be a list of "
                                   "{plugin: NAME, ...}, not a scalar"),
                  "%s", err.text);
}
END_TEST

START_TEST(overrides_and_diff)
{
    write_cfg("o.yaml", "eval: {evaluators: [{plugin: modes2d}]}\n");
    gl_cfg *a, *b, *c;
    gl_error err;
    ck_assert_int_eq(load("o.yaml", NULL, 0, &a, &err), GL_OK);
    const char *ov[] = {"eval.evaluators=[{plugin: modes2d, samples: 100}]"};
    ck_assert_msg(load("o.yaml", ov, 1, &b, &err) == GL_OK, "%s", err.text);
    const char *ov2[] = {"eval.evaluators=[{plugin: classifier}, {plugin: modes2d}]"};
    ck_assert_msg(load("o.yaml", ov2, 1, &c, &err) == GL_OK, "%s", err.text);
    char buf[512];
    ck_assert_int_eq(gl_cfg_diff(a, b, NULL, buf, sizeof buf), 1);
    ck_assert_str_eq(buf, "eval.evaluators[0].samples: 2500 -> 100\n");
    ck_assert_int_eq(gl_cfg_diff(a, c, NULL, buf, sizeof buf), 1);
    ck_assert_str_eq(buf, "eval.evaluators: [modes2d] -> [classifier, modes2d]\n");
    const char *ignore[] = {"eval", NULL};
    ck_assert_int_eq(gl_cfg_diff(a, c, ignore, buf, sizeof buf), 0);
    gl_cfg_destroy(a);
    gl_cfg_destroy(b);
    gl_cfg_destroy(c);
}
END_TEST

START_TEST(derived_params)
{
    write_cfg("d.yaml", "dataset: {plugin: d}\n");
    gl_error err;
    gl_error_init(&err);
    gl_params *base, *test, *bad;
    ck_assert_int_eq(
        gl_cfg_params_derive(data_schema, NULL, "path: data\nmax_items: 5", "base", &base, &err),
        GL_OK);
    char want[400];
    snprintf(want, sizeof want, "%s/data", dir);
    ck_assert_str_eq(gl_params_string(base, "path"), want);
    ck_assert_str_eq(gl_params_string(base, "split"), "train");
    ck_assert_int_eq(
        gl_cfg_params_derive(data_schema, base, "split: test", "test split", &test, &err), GL_OK);
    ck_assert_str_eq(gl_params_string(test, "split"), "test");
    ck_assert_str_eq(gl_params_string(test, "path"), want);
    ck_assert_int_eq(gl_params_int(test, "max_items"), 5);
    ck_assert_int_eq(gl_cfg_params_derive(data_schema, base, "split: dev", "dev split", &bad, &err),
                     GL_ERR_INPUT);
    ck_assert_ptr_null(bad);
    ck_assert_msg(strstr(err.text, "'split' in dev split must be one of train|test, got 'dev'"),
                  "%s", err.text);
    gl_cfg_params_free(base);
    gl_cfg_params_free(test);
}
END_TEST

static Suite *suite(void)
{
    Suite *s = suite_create("eval_config");
    TCase *t = tcase_create("eval_config");
    tcase_add_checked_fixture(t, setup, teardown);
    tcase_add_test(t, evaluators_are_validated_and_printed);
    tcase_add_test(t, no_eval_section_means_no_evaluators);
    tcase_add_test(t, faults_have_positions);
    tcase_add_test(t, overrides_and_diff);
    tcase_add_test(t, derived_params);
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

/* test_config_validate.c - validation against schemas (every fault class, each with its exact
 * position text, all faults reported), gl_params getters, gl_cfg_emit (the load/emit/load/emit
 * fixed point) and gl_cfg_diff. */
#include <check.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "test_config_fake.h"

static gl_error err;
static gl_cfg *cfg;

static void setup(void)
{
    gl_error_init(&err);
    cfg = NULL;
    unsetenv("GANLAB_THREADS");
}

static void teardown(void)
{
    gl_cfg_destroy(cfg);
    cleanup_scratch();
}

static void expect_fault(const char *path, const char *const *ov, int n, const char *want)
{
    gl_cfg_destroy(cfg); /* a config that loaded but failed validation is kept */
    cfg = NULL;
    gl_error_init(&err);
    int rc = load_valid(path, ov, n, &cfg, &err);
    ck_assert_int_eq(rc, GL_ERR_INPUT);
    ck_assert_str_eq(err.text, want);
}

static gl_cfg *load_ok(const char *path, const char *const *ov, int n)
{
    gl_cfg *c = NULL;
    int rc = load_valid(path, ov, n, &c, &err);
    ck_assert_msg(rc == GL_OK, "%s", err.text);
    return c;
}

/* ---------------------------------------------------------------- faults */

START_TEST(every_fault_reported_with_position)
{
    cd_fixtures();
    expect_fault(
        "errors.yaml", NULL, 0,
        "errors.yaml:2:9: 'seed' in experiment must be >= 0, got -1\n"
        "errors.yaml:5:12: 'mixture' in dataset 'toy2d' must be one of ring|grid, got 'rnig' "
        "(did you mean 'ring'?)\n"
        "errors.yaml:6:10: 'modes' in dataset 'toy2d' expects an integer, got 'many'\n"
        "errors.yaml:9:18: 'g_hidden[1]' in model 'mlp' expects an integer, got 'x'\n"
        "errors.yaml:10:15: 'batch_norm' in model 'mlp' expects true or false, got 'yes'\n"
        "errors.yaml:13:3: unknown key 'lamda' in loss 'wgan_gp' (did you mean 'lambda'?)\n"
        "errors.yaml:17:9: 'lr' in optimizer.generator 'adam' expects a number, got the quoted "
        "string '0.1'\n"
        "errors.yaml:20:9: 'lr' in optimizer.discriminator 'adam' must be in [0, 1], got 2\n"
        "errors.yaml:25:3: unknown key 'n_critc' in train (did you mean 'n_critic'?)\n"
        "errors.yaml:22:15: 'batch_size' in train must be in [1, 1048576], got 0\n"
        "errors.yaml:24:3: train sets both 'steps' and 'epochs'; set only one (the other to 0 "
        "or null)");
    ck_assert_int_eq(err.count, 11);
    ck_assert_ptr_nonnull(cfg); /* loaded, not validated */
    ck_assert_ptr_null(gl_cfg_params(cfg, "train"));
    ck_assert_ptr_null(gl_cfg_plugin(cfg, "loss"));
}
END_TEST

START_TEST(missing_sections_plugins_and_keys)
{
    cd_scratch();
    write_file("m.yaml",
               "dataset:\n  mixture: ring\nmodel: {plugin: mlp, latent_dim: 9999999999999999999}\n"
               "optimizer:\n  generator: {plugin: adam}\n"
               "train: {epochs: 2, steps: 0}\n",
               -1);
    expect_fault("m.yaml", NULL, 0,
                 "m.yaml:1:1: section 'dataset' does not name its plugin ('plugin: NAME')\n"
                 "m.yaml:3:34: 'latent_dim' in model 'mlp': 9999999999999999999 is too large for "
                 "a 64-bit integer\n"
                 "m.yaml: missing section 'loss' (it needs at least 'plugin: NAME')\n"
                 "m.yaml: missing section 'optimizer.discriminator' (it needs at least 'plugin: "
                 "NAME')");
    write_file("r.yaml",
               "dataset: {plugin: folder}\nmodel: {plugin: mlp, gains: [1, .5e1, 1e400]}\n"
               "loss: {plugin: bce}\noptimizer:\n  generator: {plugin: adam}\n"
               "  discriminator: {plugin: sgd}\ntrain:\n  log_every: 5\n",
               -1);
    expect_fault("r.yaml", NULL, 0,
                 "r.yaml:1:1: missing required key 'path' in dataset 'folder'\n"
                 "r.yaml:2:39: 'gains[2]' in model 'mlp': 1e400 is too large for a double\n"
                 "r.yaml:7:1: no run length in train: set 'steps' (generator updates) or "
                 "'epochs'");
    /* A run length cleared by an override is blamed on the override. */
    const char *clear[] = {"train.steps="};
    write_file("s.yaml",
               "dataset: {plugin: toy2d}\nmodel: {plugin: mlp}\nloss: {plugin: bce}\n"
               "optimizer:\n  generator: {plugin: adam}\n  discriminator: {plugin: sgd}\n"
               "train:\n  steps: 5\n",
               -1);
    expect_fault("s.yaml", clear, 1,
                 "override 'train.steps=': no run length in train: set 'steps' (generator "
                 "updates) or 'epochs'");
    write_file("p.yaml", "dataset: {plugin: [toy2d]}\n", -1);
    expect_fault("p.yaml", NULL, 0,
                 "p.yaml:1:19: 'plugin' in dataset must be a plugin name, not a list\n"
                 "p.yaml: missing section 'model' (it needs at least 'plugin: NAME')\n"
                 "p.yaml: missing section 'loss' (it needs at least 'plugin: NAME')\n"
                 "p.yaml: missing section 'optimizer.generator' (it needs at least 'plugin: "
                 "NAME')\n"
                 "p.yaml: missing section 'optimizer.discriminator' (it needs at least 'plugin: "
                 "NAME')\n"
                 "p.yaml: no run length in train: set 'steps' (generator updates) or 'epochs'");
}
END_TEST

START_TEST(lookup_failure_reported_at_plugin)
{
    cd_fixtures();
    const char *ov[] = {"loss.plugin=nosuch"};
    expect_fault("good.yaml", ov, 1, "override 'loss.plugin=nosuch': no loss plugin 'nosuch'");
    gl_cfg_destroy(cfg);
    cfg = NULL;
    gl_error_init(&err);
    cd_scratch();
    write_file("k.yaml", "dataset: {plugin: mlp}\n", -1); /* a model plugin as a dataset */
    ck_assert_int_eq(load_valid("k.yaml", NULL, 0, &cfg, &err), GL_ERR_INPUT);
    ck_assert_msg(strncmp(err.text, "k.yaml:1:19: no dataset plugin 'mlp'\n", 36) == 0, "%s",
                  err.text);
}
END_TEST

/* ---------------------------------------------------------------- params and sections */

START_TEST(getters_refuse_wrong_names_and_types)
{
    cd_fixtures();
    cfg = load_ok("good.yaml", NULL, 0);
    const gl_params *m = gl_cfg_params(cfg, "model");
    ck_assert_int_eq(gl_params_int(m, "nope"), 0);
    ck_assert_int_eq(gl_params_int(m, "tag"), 0);                /* a string */
    ck_assert_double_eq(gl_params_float(m, "latent_dim"), 64.0); /* int read as float */
    ck_assert_int_eq(gl_params_bool(m, "latent_dim"), 0);
    ck_assert_str_eq(gl_params_string(m, "latent_dim"), "");
    ck_assert_str_eq(gl_params_string(m, "nope"), "");
    size_t n = 7;
    ck_assert_ptr_null(gl_params_int_list(m, "gains", &n));
    ck_assert_uint_eq(n, 0);
    ck_assert_ptr_null(gl_params_float_list(m, "g_hidden", &n));
    ck_assert_int_eq(gl_params_is_set(m, "g_hidden"), 1);
    ck_assert_int_eq(gl_params_is_set(m, "d_hidden"), 0);
    ck_assert_int_eq(gl_params_is_set(m, "nope"), 0);
    ck_assert_ptr_null(gl_cfg_params(cfg, "nosuch"));
}
END_TEST

START_TEST(section_tables)
{
    const char *want[] = {"dataset", "model", "loss", "optimizer.generator",
                          "optimizer.discriminator"};
    const gl_plugin_kind kinds[] = {GL_KIND_DATASET, GL_KIND_MODEL, GL_KIND_LOSS, GL_KIND_OPTIMIZER,
                                    GL_KIND_OPTIMIZER};
    for (int i = 0; i < 5; i++) {
        ck_assert_str_eq(gl_cfg_plugin_sections[i], want[i]);
        ck_assert_int_eq(gl_cfg_section_kind(want[i]), kinds[i]);
    }
    ck_assert_ptr_null(gl_cfg_plugin_sections[5]);
    ck_assert_int_eq(gl_cfg_section_kind("train"), 0);
    const gl_param_spec *t = gl_cfg_core_schema("train");
    ck_assert_ptr_nonnull(t);
    ck_assert_str_eq(t[0].name, "batch_size");
    ck_assert_str_eq(t[0].default_value, "64");
    ck_assert_ptr_nonnull(gl_cfg_core_schema("experiment"));
    ck_assert_ptr_null(gl_cfg_core_schema("loss"));
}
END_TEST

START_TEST(validate_twice_and_emit_needs_validate)
{
    cd_fixtures();
    ck_assert_int_eq(gl_cfg_load("good.yaml", NULL, 0, &cfg, &err), GL_OK);
    FILE *f = fopen("/dev/null", "w");
    ck_assert_int_eq(gl_cfg_emit(cfg, f, &err), GL_ERR_INPUT);
    fclose(f);
    ck_assert_str_eq(err.text, "good.yaml: a config is printed only after it is validated");
    ck_assert_int_eq(gl_cfg_diff(cfg, cfg, NULL, NULL, 0), -1);
    gl_error_init(&err);
    ck_assert_int_eq(gl_cfg_validate(cfg, fake_lookup, NULL, &err), GL_OK);
    ck_assert_int_eq(gl_cfg_validate(cfg, fake_lookup, NULL, &err), GL_OK);
    ck_assert_int_eq(gl_params_int(gl_cfg_params(cfg, "dataset"), "modes"), 25);
}
END_TEST

/* ---------------------------------------------------------------- emit */

/* Loads path with overrides, emits, loads the emitted text from a scratch file, emits again:
 * the two texts must be identical and the two configs must not differ. Returns the text. */
static char *round_trip(const char *path, const char *const *ov, int n)
{
    cfg = load_ok(path, ov, n);
    char *first = emit_string(cfg);
    char emitted[4096];
    snprintf(emitted, sizeof emitted, "%s/emitted.yaml", cd_scratch());
    write_file("emitted.yaml", first, -1);
    gl_cfg *again = load_ok(emitted, NULL, 0);
    char *second = emit_string(again);
    ck_assert_str_eq(first, second);
    char buf[1024];
    ck_assert_msg(gl_cfg_diff(cfg, again, NULL, buf, sizeof buf) == 0, "%s", buf);
    free(second);
    gl_cfg_destroy(again);
    return first;
}

START_TEST(emit_round_trip_is_a_fixed_point)
{
    const char *dir = cd_fixtures();
    const char *ov[] = {"model.tag=\"a \\\"quoted\\\"\\tword\\n: # not a comment\"",
                        "optimizer.generator.lr=0.1", "loss.lambda=3.0000000000000004",
                        "model.gains=[1e-300, -2.5, 7]", "loss.center=1e6"};
    char *text = round_trip("good.yaml", ov, 5);
    char out_dir[4096];
    snprintf(out_dir, sizeof out_dir, "  out_dir: %s/out\n", dir);
    const char *lines[] = {
        "experiment:\n  name: good\n  seed: 42\n",
        out_dir,
        "dataset:\n  plugin: toy2d\n  mixture: grid\n  modes: 25\n  std: 0.02\n  file: \"\"\n",
        "  g_hidden: [128, 128]\n",
        "  gains: [1e-300, -2.5, 7.0]\n",
        "  batch_norm: false\n",
        "  tag: \"a \\\"quoted\\\"\\tword\\n: # not a comment\"\n",
        "loss:\n  plugin: wgan_gp\n  lambda: 3.0000000000000004\n  center: 1000000.0\n",
        "optimizer:\n  generator:\n    plugin: adam\n    lr: 0.1\n    beta1: 0.5\n",
        "  discriminator:\n    plugin: adam\n    lr: 0.0003\n    beta1: 0.0\n    beta2: 0.999\n",
        "train:\n  batch_size: 32\n  steps: 2000\n  epochs: 0\n  n_critic: 5\n"};
    for (size_t i = 0; i < sizeof lines / sizeof lines[0]; i++)
        ck_assert_msg(strstr(text, lines[i]), "missing:\n%s\nin:\n%s", lines[i], text);
    free(text);
}
END_TEST

START_TEST(emit_quotes_strings_that_would_change)
{
    cd_fixtures();
    const char *words[] = {"yes",   "No",  "null",        "~",  "123", "1e3", "-x",
                           " lead", "a:b", "caf\xc3\xa9", "#c", "[x]", ""};
    for (size_t i = 0; i < sizeof words / sizeof words[0]; i++) {
        char ov[128];
        snprintf(ov, sizeof ov, "model.tag=\"%s\"", words[i]);
        const char *ovs[] = {ov};
        char *text = round_trip("good.yaml", ovs, 1);
        ck_assert_str_eq(gl_params_string(gl_cfg_params(cfg, "model"), "tag"), words[i]);
        char want[128];
        snprintf(want, sizeof want, "  tag: \"%s\"\n", words[i]);
        ck_assert_msg(strstr(text, want), "%s not quoted in\n%s", words[i], text);
        free(text);
        gl_cfg_destroy(cfg);
        cfg = NULL;
        cleanup_scratch();
        cd_fixtures();
    }
}
END_TEST

START_TEST(emit_round_trip_of_composed_config)
{
    cd_fixtures();
    char *text = round_trip("compose/sub/child.yaml", NULL, 0);
    ck_assert_ptr_nonnull(strstr(text, "loss:\n  plugin: bce\n  label_smoothing: 0.0\noptimizer:"));
    free(text);
}
END_TEST

/* ---------------------------------------------------------------- diff */

START_TEST(diff_lists_changed_keys)
{
    cd_fixtures();
    cfg = load_ok("good.yaml", NULL, 0);
    const char *ov[] = {"train.batch_size=128", "loss.plugin=bce", "experiment.threads=77",
                        "model.g_hidden=[1]", "optimizer.generator.lr=0.0001"};
    gl_cfg *b = load_ok("good.yaml", ov, 5);
    char buf[512];
    const char *ignore[] = {"experiment.threads", NULL};
    ck_assert_int_eq(gl_cfg_diff(cfg, b, ignore, buf, sizeof buf), 3);
    ck_assert_str_eq(buf, "model.g_hidden: [128, 128] -> [1]\n"
                          "loss.plugin: wgan_gp -> bce\n"
                          "train.batch_size: 32 -> 128\n");
    const char *ignore_sections[] = {"model", "loss", NULL};
    ck_assert_int_eq(gl_cfg_diff(cfg, b, ignore_sections, buf, sizeof buf), 2);
    char want[256];
    snprintf(want, sizeof want, "experiment.threads: %lld -> 77\ntrain.batch_size: 32 -> 128\n",
             (long long)gl_params_int(gl_cfg_params(cfg, "experiment"), "threads"));
    ck_assert_str_eq(buf, want);
    /* a buffer too small for a line: the count is still right, the line left out */
    char tiny[20];
    ck_assert_int_eq(gl_cfg_diff(cfg, b, ignore, tiny, sizeof tiny), 3);
    ck_assert_str_eq(tiny, "");
    ck_assert_int_eq(gl_cfg_diff(cfg, cfg, NULL, buf, sizeof buf), 0);
    ck_assert_str_eq(buf, "");
    gl_cfg_destroy(b);
}
END_TEST

static Suite *suite(void)
{
    Suite *s = suite_create("config_validate");
    TCase *tc = tcase_create("faults");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, every_fault_reported_with_position);
    tcase_add_test(tc, missing_sections_plugins_and_keys);
    tcase_add_test(tc, lookup_failure_reported_at_plugin);
    suite_add_tcase(s, tc);
    tc = tcase_create("params");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, getters_refuse_wrong_names_and_types);
    tcase_add_test(tc, section_tables);
    tcase_add_test(tc, validate_twice_and_emit_needs_validate);
    suite_add_tcase(s, tc);
    tc = tcase_create("emit");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, emit_round_trip_is_a_fixed_point);
    tcase_add_test(tc, emit_quotes_strings_that_would_change);
    tcase_add_test(tc, emit_round_trip_of_composed_config);
    tcase_add_test(tc, diff_lists_changed_keys);
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

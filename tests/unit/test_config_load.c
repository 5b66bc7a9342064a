/* test_config_load.c - reading configs: parsing, composition through `base:`, command-line
 * overrides, computed defaults (experiment.name, experiment.threads and GANLAB_THREADS), and
 * hostile input (alias bombs, deep nesting, binary and non-UTF-8 files, oversized files). Messages
 * are compared in full, positions included. */
#include <check.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "test_config_fake.h"

/* A complete config but for its loss section. */
#define NO_LOSS                                                                 \
    "dataset: {plugin: toy2d}\nmodel: {plugin: mlp}\n"                          \
    "optimizer:\n  generator: {plugin: adam}\n  discriminator: {plugin: sgd}\n" \
    "train: {steps: 100}\n"
#define MINIMAL NO_LOSS "loss: {plugin: bce}\n"

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

/* Loads (and validates) path, expecting failure with exactly the message text `want`. */
static void expect_fault(const char *path, const char *const *ov, int n, const char *want)
{
    gl_cfg_destroy(cfg); /* a config that loaded but failed validation is kept */
    cfg = NULL;
    gl_error_init(&err);
    int rc = load_valid(path, ov, n, &cfg, &err);
    ck_assert_int_eq(rc, GL_ERR_INPUT);
    ck_assert_str_eq(err.text, want);
}

static void expect_ok(const char *path, const char *const *ov, int n)
{
    gl_cfg_destroy(cfg);
    cfg = NULL;
    int rc = load_valid(path, ov, n, &cfg, &err);
    ck_assert_msg(rc == GL_OK, "%s", err.text);
}

static void assert_ints(const gl_params *p, const char *name, const int64_t *want, size_t n)
{
    size_t got_n = 99;
    const int64_t *got = gl_params_int_list(p, name, &got_n);
    ck_assert_uint_eq(got_n, n);
    for (size_t i = 0; i < n; i++)
        ck_assert_int_eq(got[i], want[i]);
}

/* ---------------------------------------------------------------- parsing */

START_TEST(parses_every_section)
{
    const char *dir = cd_fixtures();
    expect_ok("good.yaml", NULL, 0);
    ck_assert_str_eq(gl_cfg_source(cfg), "good.yaml");
    ck_assert_str_eq(gl_cfg_plugin(cfg, "dataset"), "toy2d");
    ck_assert_str_eq(gl_cfg_plugin(cfg, "optimizer.discriminator"), "adam");
    ck_assert_ptr_null(gl_cfg_plugin(cfg, "train"));
    const gl_params *d = gl_cfg_params(cfg, "dataset");
    ck_assert_str_eq(gl_params_string(d, "mixture"), "grid");
    ck_assert_int_eq(gl_params_int(d, "modes"), 25);
    ck_assert_double_eq(gl_params_float(d, "std"), 0.02);
    ck_assert_str_eq(gl_params_string(d, "file"), "");
    const gl_params *m = gl_cfg_params(cfg, "model");
    assert_ints(m, "g_hidden", (const int64_t[]){128, 128}, 2);
    ck_assert_str_eq(gl_params_string(m, "tag"), "needs: quoting");
    ck_assert_int_eq(gl_params_bool(m, "batch_norm"), 0);
    size_t n;
    const double *gains = gl_params_float_list(m, "gains", &n);
    ck_assert_uint_eq(n, 2);
    ck_assert_double_eq(gains[0], 1.0);
    ck_assert_double_eq(gains[1], 0.5);
    ck_assert_double_eq(gl_params_float(gl_cfg_params(cfg, "loss"), "lambda"), 5.0);
    ck_assert_double_eq(gl_params_float(gl_cfg_params(cfg, "optimizer.generator"), "lr"), 1e-4);
    const gl_params *od = gl_cfg_params(cfg, "optimizer.discriminator");
    ck_assert_double_eq(gl_params_float(od, "lr"), 0.0003);
    ck_assert_double_eq(gl_params_float(od, "beta1"), 0.0);
    ck_assert_double_eq(gl_params_float(od, "beta2"), 0.999);
    const gl_params *t = gl_cfg_params(cfg, "train");
    ck_assert_int_eq(gl_params_int(t, "batch_size"), 32);
    ck_assert_int_eq(gl_params_int(t, "steps"), 2000);
    ck_assert_int_eq(gl_params_int(t, "n_critic"), 5);
    const gl_params *e = gl_cfg_params(cfg, "experiment");
    ck_assert_int_eq(gl_params_int(e, "seed"), 42);
    char out[4096];
    snprintf(out, sizeof out, "%s/out", dir);
    ck_assert_str_eq(gl_params_string(e, "out_dir"), out); /* relative to the file */
}
END_TEST

START_TEST(syntax_error_has_libyaml_position)
{
    cd_fixtures();
    expect_fault("syntax.yaml", NULL, 0,
                 "syntax.yaml:3:2: YAML syntax error: did not find expected key (while parsing a "
                 "block mapping)");
    ck_assert_ptr_null(cfg);
}
END_TEST

START_TEST(structure_faults_all_reported)
{
    cd_fixtures();
    expect_fault("sections.yaml", NULL, 0,
                 "sections.yaml:2:8: section 'model' must be a mapping, not a list\n"
                 "sections.yaml:3:1: unknown section 'trian' (did you mean 'train'?)\n"
                 "sections.yaml:8:3: unknown section 'optimizer.generater' (did you mean "
                 "'optimizer.generator'?)");
    ck_assert_int_eq(err.count, 3);
}
END_TEST

START_TEST(missing_file_and_directory)
{
    cd_fixtures();
    expect_fault("nope.yaml", NULL, 0, "cannot read config 'nope.yaml': No such file or directory");
    expect_fault("compose", NULL, 0, "compose: not a regular file");
    /* An empty base is named where it is given, not read as the naming file's directory. */
    cd_scratch();
    write_file("empty_base.yaml", "base: [\"\"]\n", -1);
    expect_fault("empty_base.yaml", NULL, 0,
                 "empty_base.yaml:1:8: 'base' names an empty file name");
}
END_TEST

START_TEST(yaml_features_refused_or_kept)
{
    cd_scratch();
    write_file("dup.yaml", "train:\n  steps: 1\n  epochs: 2\n  steps: 3\n", -1);
    expect_fault("dup.yaml", NULL, 0,
                 "dup.yaml:4:3: duplicate key 'steps' (first given at line 2)");
    write_file("two.yaml", "train: {}\n---\ntrain: {}\n", -1);
    expect_fault("two.yaml", NULL, 0, "two.yaml:2:1: more than one YAML document in one config");
    write_file("tag.yaml", "train: !!python/object {}\n", -1);
    expect_fault("tag.yaml", NULL, 0,
                 "tag.yaml:1:8: unsupported YAML tag 'tag:yaml.org,2002:python/object' on a "
                 "collection");
    write_file("alias.yaml", "train: *nowhere\n", -1);
    expect_fault("alias.yaml", NULL, 0,
                 "alias.yaml:1:8: unknown alias '*nowhere' (an alias must follow its anchor's "
                 "whole value)");
    write_file("key.yaml", "? [a]\n: 1\n", -1);
    expect_fault("key.yaml", NULL, 0, "key.yaml:1:3: a mapping key must be a scalar, not a list");
    write_file("nul.yaml", "experiment: {name: \"a\\0b\"}\n", -1);
    expect_fault("nul.yaml", NULL, 0, "nul.yaml:1:20: a string may not contain a NUL character");
    write_file("merge.yaml", "x: &d {steps: 1}\ntrain:\n  <<: *d\n", -1);
    expect_fault("merge.yaml", NULL, 0,
                 "merge.yaml:3:3: '<<' (a YAML merge key) is not supported: write the keys out, "
                 "or layer files with 'base:'");
    write_file("list.yaml", "- 1\n", -1);
    expect_fault("list.yaml", NULL, 0,
                 "list.yaml:1:1: the top level of a config must be a mapping of sections, not a "
                 "list");
    /* Anchors, aliases and !!str are fine; an empty section is an empty mapping. */
    write_file("ok.yaml",
               "dataset: {plugin: toy2d}\nmodel: {plugin: mlp, g_hidden: &w [3, 4]}\n"
               "loss: {plugin: bce}\noptimizer:\n  generator: &opt {plugin: adam, lr: 0.25}\n"
               "  discriminator: *opt\ntrain: {steps: 1}\nexperiment:\n"
               "  name: !!str 123\n",
               -1);
    expect_ok("ok.yaml", NULL, 0);
    ck_assert_double_eq(gl_params_float(gl_cfg_params(cfg, "optimizer.discriminator"), "lr"), 0.25);
    ck_assert_str_eq(gl_params_string(gl_cfg_params(cfg, "experiment"), "name"), "123");
}
END_TEST

/* ---------------------------------------------------------------- composition */

START_TEST(bases_merge_in_order_relative_to_file)
{
    const char *dir = cd_fixtures();
    expect_ok("compose/sub/child.yaml", NULL, 0);
    const gl_params *d = gl_cfg_params(cfg, "dataset");
    ck_assert_int_eq(gl_params_int(d, "modes"), 12);      /* from base_a, same plugin */
    ck_assert_double_eq(gl_params_float(d, "std"), 0.25); /* child wins */
    char want[4096];
    snprintf(want, sizeof want, "%s/compose/sub/data/points.bin", dir);
    ck_assert_str_eq(gl_params_string(d, "file"), want);
    assert_ints(gl_cfg_params(cfg, "model"), "g_hidden", (const int64_t[]){7}, 1);
    ck_assert_double_eq(gl_params_float(gl_cfg_params(cfg, "optimizer.generator"), "lr"), 0.002);
    ck_assert_double_eq(gl_params_float(gl_cfg_params(cfg, "optimizer.discriminator"), "lr"),
                        0.0002);
    const gl_params *t = gl_cfg_params(cfg, "train");
    ck_assert_int_eq(gl_params_int(t, "batch_size"), 16); /* base_b */
    ck_assert_int_eq(gl_params_int(t, "steps"), 10);      /* base_a */
    ck_assert_str_eq(gl_params_string(gl_cfg_params(cfg, "experiment"), "name"), "child");
}
END_TEST

START_TEST(plugin_change_drops_earlier_keys)
{
    cd_fixtures();
    /* base_b gives loss wgan_gp with lambda: 1; child switches to bce, so lambda must not reach
     * bce's validation as an unknown key. */
    expect_ok("compose/sub/child.yaml", NULL, 0);
    ck_assert_str_eq(gl_cfg_plugin(cfg, "loss"), "bce");
    ck_assert_double_eq(gl_params_float(gl_cfg_params(cfg, "loss"), "label_smoothing"), 0.0);
    ck_assert_int_eq(gl_params_is_set(gl_cfg_params(cfg, "loss"), "label_smoothing"), 0);
    /* The same through an override. */
    const char *ov[] = {"loss.plugin=wgan_gp"};
    expect_ok("compose/sub/child.yaml", ov, 1);
    ck_assert_double_eq(gl_params_float(gl_cfg_params(cfg, "loss"), "lambda"), 10.0);
}
END_TEST

START_TEST(single_base_name)
{
    cd_fixtures();
    expect_ok("compose/single.yaml", NULL, 0);
    ck_assert_double_eq(gl_params_float(gl_cfg_params(cfg, "loss"), "lambda"), 1.0);
    ck_assert_int_eq(gl_params_int(gl_cfg_params(cfg, "train"), "steps"), 3);
    ck_assert_int_eq(gl_params_int(gl_cfg_params(cfg, "train"), "batch_size"), 16);
}
END_TEST

START_TEST(base_cycles_name_the_chain)
{
    cd_fixtures();
    expect_fault("cycle/a.yaml", NULL, 0,
                 "cycle/b.yaml:1:8: base cycle: cycle/a.yaml -> cycle/b.yaml -> cycle/a.yaml");
    expect_fault("cycle/self.yaml", NULL, 0,
                 "cycle/self.yaml:1:7: base cycle: cycle/self.yaml -> cycle/self.yaml");
    expect_fault("compose/missing_base.yaml", NULL, 0,
                 "compose/missing_base.yaml:1:7: cannot read base 'nope.yaml' (compose/nope.yaml): "
                 "No such file or directory");
}
END_TEST

START_TEST(diamond_bases_are_not_cycles)
{
    cd_scratch();
    write_file("common.yaml", MINIMAL, -1);
    write_file("left.yaml", "base: common.yaml\ntrain: {batch_size: 8}\n", -1);
    write_file("right.yaml", "base: common.yaml\nloss: {label_smoothing: 0.1}\n", -1);
    write_file("top.yaml", "base: [left.yaml, right.yaml]\n", -1);
    expect_ok("top.yaml", NULL, 0);
    /* right re-applies common (batch_size unset there), so left's batch_size survives: merge is
     * key by key. */
    ck_assert_int_eq(gl_params_int(gl_cfg_params(cfg, "train"), "batch_size"), 8);
    ck_assert_double_eq(gl_params_float(gl_cfg_params(cfg, "loss"), "label_smoothing"), 0.1);
    write_file("bad.yaml", "base: {a: 1}\n", -1);
    expect_fault("bad.yaml", NULL, 0,
                 "bad.yaml:1:7: 'base' must be a file name or a list of file names, not a mapping");
}
END_TEST

/* ---------------------------------------------------------------- overrides */

START_TEST(overrides_typed_by_schema)
{
    const char *dir = cd_fixtures();
    const char *ov[] = {
        "train.batch_size=128",    "model.g_hidden=[256,512]", "optimizer.generator.lr=5e-5",
        "dataset.file=x/../y.bin", "model.batch_norm=true",    "experiment.name=yes",
        "train.n_critic="};
    expect_ok("good.yaml", ov, 7);
    const gl_params *t = gl_cfg_params(cfg, "train");
    ck_assert_int_eq(gl_params_int(t, "batch_size"), 128);
    ck_assert_int_eq(gl_params_is_set(t, "batch_size"), 1);
    ck_assert_int_eq(gl_params_int(t, "n_critic"), 1); /* empty value: null, the default */
    ck_assert_int_eq(gl_params_is_set(t, "n_critic"), 0);
    assert_ints(gl_cfg_params(cfg, "model"), "g_hidden", (const int64_t[]){256, 512}, 2);
    ck_assert_int_eq(gl_params_bool(gl_cfg_params(cfg, "model"), "batch_norm"), 1);
    ck_assert_double_eq(gl_params_float(gl_cfg_params(cfg, "optimizer.generator"), "lr"), 5e-5);
    ck_assert_str_eq(gl_params_string(gl_cfg_params(cfg, "experiment"), "name"), "yes");
    char want[4096];
    snprintf(want, sizeof want, "%s/y.bin", dir); /* relative to the working directory */
    ck_assert_str_eq(gl_params_string(gl_cfg_params(cfg, "dataset"), "file"), want);
}
END_TEST

START_TEST(override_path_relative_to_cwd)
{
    const char *fixtures = cd_fixtures();
    char path[4096];
    snprintf(path, sizeof path, "%s/good.yaml", fixtures);
    const char *scratch = cd_scratch();
    const char *ov[] = {"dataset.file=pts.bin", "experiment.out_dir=/abs/./o"};
    expect_ok(path, ov, 2);
    char want[4096];
    snprintf(want, sizeof want, "%s/pts.bin", scratch);
    ck_assert_str_eq(gl_params_string(gl_cfg_params(cfg, "dataset"), "file"), want);
    ck_assert_str_eq(gl_params_string(gl_cfg_params(cfg, "experiment"), "out_dir"), "/abs/o");
}
END_TEST

START_TEST(override_faults_named_as_overrides)
{
    cd_fixtures();
    const char *bad_syntax[] = {"train.batch_size", "train..x=1", "model.g_hidden=[1,", "=3"};
    expect_fault("good.yaml", bad_syntax, 4,
                 "override 'train.batch_size': expected KEY=VALUE, e.g. train.batch_size=128\n"
                 "override 'train..x=1': empty part in the key 'train..x'\n"
                 "override 'model.g_hidden=[1,': YAML syntax error: did not find expected node "
                 "content (while parsing a flow node)\n"
                 "override '=3': expected KEY=VALUE, e.g. train.batch_size=128");
    const char *bad_section[] = {"trian.steps=5"};
    expect_fault("good.yaml", bad_section, 1,
                 "override 'trian.steps=5': unknown section 'trian' (did you mean 'train'?)");
    const char *bad_values[] = {
        "loss.lamda=5",          "dataset.plugin=folder", "optimizer.generator.plugin=nosuch",
        "model.g_hidden={a: 1}", "train.batch_size=1.5",  "experiment.seed=\"3\""};
    expect_fault("good.yaml", bad_values, 6,
                 "override 'experiment.seed=\"3\"': 'seed' in experiment expects an integer, got "
                 "the quoted string '3'\n"
                 "override 'dataset.plugin=folder': missing required key 'path' in dataset "
                 "'folder'\n"
                 "override 'model.g_hidden={a: 1}': 'g_hidden' in model 'mlp' expects a list of "
                 "integers, got a mapping\n"
                 "override 'loss.lamda=5': unknown key 'lamda' in loss 'wgan_gp' (did you mean "
                 "'lambda'?)\n"
                 "override 'optimizer.generator.plugin=nosuch': no optimizer.generator plugin "
                 "'nosuch'\n"
                 "override 'train.batch_size=1.5': 'batch_size' in train expects an integer, got "
                 "'1.5'");
}
END_TEST

/* ---------------------------------------------------------------- defaults */

START_TEST(defaults_filled)
{
    const char *dir = cd_scratch();
    write_file("minimal.yaml", MINIMAL, -1);
    expect_ok("minimal.yaml", NULL, 0);
    const gl_params *e = gl_cfg_params(cfg, "experiment");
    ck_assert_str_eq(gl_params_string(e, "name"), "minimal");
    ck_assert_int_eq(gl_params_is_set(e, "name"), 0);
    ck_assert_int_eq(gl_params_int(e, "seed"), 0);
    char want[4096];
    snprintf(want, sizeof want, "%s/runs", dir);
    ck_assert_str_eq(gl_params_string(e, "out_dir"), want);
    ck_assert_int_eq(gl_params_int(e, "threads"), sysconf(_SC_NPROCESSORS_ONLN));
    ck_assert_int_eq(gl_params_is_set(e, "threads"), 0);
    const gl_params *t = gl_cfg_params(cfg, "train");
    ck_assert_int_eq(gl_params_int(t, "batch_size"), 64);
    ck_assert_int_eq(gl_params_int(t, "n_critic"), 1);
    ck_assert_int_eq(gl_params_int(t, "keep_checkpoints"), 3);
    ck_assert_int_eq(gl_params_int(t, "epochs"), 0);
    ck_assert_int_eq(gl_params_int(t, "log_every"), 100);
    ck_assert_int_eq(gl_params_is_set(t, "steps"), 1);
    ck_assert_int_eq(gl_params_is_set(t, "batch_size"), 0);
    const gl_params *m = gl_cfg_params(cfg, "model");
    assert_ints(m, "g_hidden", (const int64_t[]){256, 512}, 2);
    ck_assert_str_eq(gl_params_string(m, "tag"), "plain text");
    ck_assert_double_eq(gl_params_float(gl_cfg_params(cfg, "optimizer.discriminator"), "lr"), 0.01);
}
END_TEST

START_TEST(null_means_default)
{
    cd_scratch();
    write_file("n.yaml", NO_LOSS "loss: {plugin: wgan_gp, lambda: ~}\nexperiment:\n  name:\n", -1);
    expect_ok("n.yaml", NULL, 0);
    ck_assert_double_eq(gl_params_float(gl_cfg_params(cfg, "loss"), "lambda"), 10.0);
    ck_assert_int_eq(gl_params_is_set(gl_cfg_params(cfg, "loss"), "lambda"), 0);
    ck_assert_str_eq(gl_params_string(gl_cfg_params(cfg, "experiment"), "name"), "n");
}
END_TEST

START_TEST(threads_env_beats_file_not_override)
{
    cd_scratch();
    write_file("t.yaml", MINIMAL "experiment: {threads: 8}\n", -1);
    expect_ok("t.yaml", NULL, 0);
    ck_assert_int_eq(gl_params_int(gl_cfg_params(cfg, "experiment"), "threads"), 8);
    setenv("GANLAB_THREADS", "3", 1);
    expect_ok("t.yaml", NULL, 0);
    ck_assert_int_eq(gl_params_int(gl_cfg_params(cfg, "experiment"), "threads"), 3);
    ck_assert_int_eq(gl_params_is_set(gl_cfg_params(cfg, "experiment"), "threads"), 1);
    const char *ov[] = {"experiment.threads=5"};
    expect_ok("t.yaml", ov, 1);
    ck_assert_int_eq(gl_params_int(gl_cfg_params(cfg, "experiment"), "threads"), 5);
    setenv("GANLAB_THREADS", "many", 1);
    expect_fault("t.yaml", NULL, 0,
                 "environment GANLAB_THREADS=many: 'threads' in experiment expects an integer, "
                 "got 'many'");
    setenv("GANLAB_THREADS", "0", 1);
    expect_fault("t.yaml", NULL, 0,
                 "environment GANLAB_THREADS=0: 'threads' in experiment must be in [1, 4096], "
                 "got 0");
}
END_TEST

/* Unset threads share the online cores among experiment.workers (at least 1 each); a value set by
 * the file or GANLAB_THREADS stays per worker; a bad workers value leaves the default to the cores
 * and is refused by validation. */
START_TEST(threads_default_shares_cores_among_workers)
{
    cd_scratch();
    long cores = sysconf(_SC_NPROCESSORS_ONLN);
    write_file("w.yaml", MINIMAL "experiment: {workers: 2}\n", -1);
    expect_ok("w.yaml", NULL, 0);
    const gl_params *e = gl_cfg_params(cfg, "experiment");
    ck_assert_int_eq(gl_params_int(e, "threads"), cores / 2 < 1 ? 1 : cores / 2);
    const char *many[] = {"experiment.workers=16"};
    expect_ok("w.yaml", many, 1);
    e = gl_cfg_params(cfg, "experiment");
    ck_assert_int_eq(gl_params_int(e, "threads"), cores / 16 < 1 ? 1 : cores / 16);
    const char *set[] = {"experiment.threads=3"};
    expect_ok("w.yaml", set, 1);
    ck_assert_int_eq(gl_params_int(gl_cfg_params(cfg, "experiment"), "threads"), 3);
    setenv("GANLAB_THREADS", "5", 1);
    expect_ok("w.yaml", NULL, 0);
    ck_assert_int_eq(gl_params_int(gl_cfg_params(cfg, "experiment"), "threads"), 5);
    unsetenv("GANLAB_THREADS");
    const char *bad[] = {"experiment.workers=two"};
    expect_fault("w.yaml", bad, 1,
                 "override 'experiment.workers=two': 'workers' in experiment expects an integer, "
                 "got 'two'");
}
END_TEST

/* ---------------------------------------------------------------- hostile input */

/* The refusal comes from the bound on nodes that aliases add, so the work done before it is bounded
 * by that count, not by the 10^9 nodes the file describes. (No timed assertion: the test case's
 * timeout is the guard against a hang.) */
START_TEST(billion_laughs_refused_fast)
{
    cd_fixtures();
    expect_fault("billion.yaml", NULL, 0,
                 "billion.yaml:7:8: alias '*e' would make aliases add more than 100000 nodes; "
                 "refusing the file (an alias bomb?)");
}
END_TEST

START_TEST(deep_nesting_refused)
{
    cd_scratch();
    char text[256] = "a: ";
    memset(text + 3, '[', 100);
    memset(text + 103, ']', 100);
    text[203] = '\n';
    write_file("deep.yaml", text, 204);
    /* the top mapping is level 1, so the 64th '[' (column 67) would be level 65 */
    expect_fault("deep.yaml", NULL, 0, "deep.yaml:1:67: nesting deeper than 64 levels");
}
END_TEST

START_TEST(binary_and_non_utf8_refused)
{
    cd_scratch();
    write_file("bin.yaml", "train:\n  steps: 1\n\0\x01\x02", 21);
    expect_fault("bin.yaml", NULL, 0,
                 "bin.yaml: not a text file (NUL byte at offset 18); a config is UTF-8 YAML");
    write_file("latin1.yaml", "experiment:\n  name: caf\xe9\n", -1);
    expect_fault("latin1.yaml", NULL, 0,
                 "latin1.yaml:2:12: not valid UTF-8 (byte 0xE9); a config is UTF-8 YAML");
    write_file("overlong.yaml", "a: \xc0\xaf\n", -1);
    expect_fault("overlong.yaml", NULL, 0,
                 "overlong.yaml:1:4: not valid UTF-8 (byte 0xC0); a config is UTF-8 YAML");
    write_file("utf8.yaml", MINIMAL "experiment: {name: \"caf\xc3\xa9 \xe2\x9c\x93\"}\n", -1);
    expect_ok("utf8.yaml", NULL, 0);
    ck_assert_str_eq(gl_params_string(gl_cfg_params(cfg, "experiment"), "name"),
                     "caf\xc3\xa9 \xe2\x9c\x93");
}
END_TEST

START_TEST(oversized_refused)
{
    cd_scratch();
    write_file("big.yaml", "", 0);
    ck_assert_int_eq(truncate("big.yaml", (16 << 20) + 1), 0); /* sparse: nothing is written */
    expect_fault("big.yaml", NULL, 0, "big.yaml: larger than the 16 MiB limit for a config file");
    size_t cap = 5000 * 12 + 16, len = 0;
    char *text = malloc(cap);
    len += (size_t)sprintf(text, "x:\n");
    for (int i = 0; i < 5000; i++)
        len += (size_t)sprintf(text + len, "  k%d: 1\n", i);
    write_file("wide.yaml", text, (long)len);
    free(text);
    /* "x:\n" then key k4096 is on line 4098; its value is in column 10 */
    expect_fault("wide.yaml", NULL, 0, "wide.yaml:4098:10: a mapping with more than 4096 keys");
}
END_TEST

START_TEST(alias_text_and_base_fanout_bounded)
{
    cd_scratch();
    /* a 1 MiB string aliased 70 times: with the original and the keys "a" and "b", the 63rd
     * copy would pass 64 MiB of text */
    size_t big = (size_t)1 << 20, len = 0;
    char *text = malloc(big + 1024);
    len += (size_t)sprintf(text, "a: &a \"");
    memset(text + len, 'x', big);
    len += big;
    len += (size_t)sprintf(text + len, "\"\nb: [");
    for (int i = 0; i < 70; i++)
        len += (size_t)sprintf(text + len, "*a, ");
    len += (size_t)sprintf(text + len, "]\n");
    write_file("text.yaml", text, (long)len);
    free(text);
    expect_fault("text.yaml", NULL, 0,
                 "text.yaml:2:253: alias '*a' would take the document past the limit of 1000000 "
                 "nodes or 64 MiB of text (aliases expanded); refusing it");
    /* each level names the next twice: 2^7 reads would be needed, 64 are allowed */
    for (int i = 0; i < 7; i++) {
        char name[32], body[64];
        snprintf(name, sizeof name, "l%d.yaml", i);
        snprintf(body, sizeof body, "base: [l%d.yaml, l%d.yaml]\n", i + 1, i + 1);
        write_file(name, body, -1);
    }
    write_file("l7.yaml", "train: {steps: 1}\n", -1);
    gl_error_init(&err);
    ck_assert_int_eq(load_valid("l0.yaml", NULL, 0, &cfg, &err), GL_ERR_INPUT);
    ck_assert_msg(strstr(err.text, ": more than 64 files read for one config"), "%s", err.text);
    ck_assert_int_eq(err.count, 1);
}
END_TEST

static Suite *suite(void)
{
    Suite *s = suite_create("config_load");
    TCase *tc = tcase_create("parse");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, parses_every_section);
    tcase_add_test(tc, syntax_error_has_libyaml_position);
    tcase_add_test(tc, structure_faults_all_reported);
    tcase_add_test(tc, missing_file_and_directory);
    tcase_add_test(tc, yaml_features_refused_or_kept);
    suite_add_tcase(s, tc);
    tc = tcase_create("compose");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, bases_merge_in_order_relative_to_file);
    tcase_add_test(tc, plugin_change_drops_earlier_keys);
    tcase_add_test(tc, single_base_name);
    tcase_add_test(tc, base_cycles_name_the_chain);
    tcase_add_test(tc, diamond_bases_are_not_cycles);
    suite_add_tcase(s, tc);
    tc = tcase_create("override");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, overrides_typed_by_schema);
    tcase_add_test(tc, override_path_relative_to_cwd);
    tcase_add_test(tc, override_faults_named_as_overrides);
    suite_add_tcase(s, tc);
    tc = tcase_create("defaults");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, defaults_filled);
    tcase_add_test(tc, null_means_default);
    tcase_add_test(tc, threads_env_beats_file_not_override);
    tcase_add_test(tc, threads_default_shares_cores_among_workers);
    suite_add_tcase(s, tc);
    tc = tcase_create("hostile");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, billion_laughs_refused_fast);
    tcase_add_test(tc, deep_nesting_refused);
    tcase_add_test(tc, binary_and_non_utf8_refused);
    tcase_add_test(tc, oversized_refused);
    tcase_add_test(tc, alias_text_and_base_fanout_bounded);
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

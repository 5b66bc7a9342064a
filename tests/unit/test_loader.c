/* test_loader.c - the plugin loader and registry (core/plugin): search order, lookup, shadowing,
 * and every refusal's exact one-line message, through the deliberately broken plugins that
 * tests/plugins/ builds (all in $GL_BUILDDIR/tests/plugins/.libs) and descriptors made here. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "plugin/registry.h"

static char plugdir[4096]; /* $GL_BUILDDIR/tests/plugins/.libs */
static char tmpdir[64];    /* a fresh directory per test, removed afterwards */

static void setup(void)
{
    const char *build = getenv("GL_BUILDDIR");
    ck_assert_msg(build != NULL, "GL_BUILDDIR is not set (run through make check)");
    snprintf(plugdir, sizeof plugdir, "%s/tests/plugins/.libs", build);
    strcpy(tmpdir, "/tmp/gl_test_loader_XXXXXX");
    ck_assert_ptr_nonnull(mkdtemp(tmpdir));
}

static void teardown(void)
{
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmpdir);
    ck_assert_int_eq(system(cmd), 0);
}

/* Writes len bytes of data to tmpdir/name. */
static void write_tmp(const char *name, const void *data, size_t len)
{
    char path[4200];
    snprintf(path, sizeof path, "%s/%s", tmpdir, name);
    FILE *f = fopen(path, "wb");
    ck_assert_ptr_nonnull(f);
    ck_assert_uint_eq(fwrite(data, 1, len, f), len);
    fclose(f);
}

/* Copies plugdir/name to tmpdir/as. */
static void copy_plugin(const char *name, const char *as)
{
    char path[4200];
    snprintf(path, sizeof path, "%s/%s", plugdir, name);
    FILE *f = fopen(path, "rb");
    ck_assert_ptr_nonnull(f);
    static char buf[1 << 20];
    size_t len = fread(buf, 1, sizeof buf, f);
    fclose(f);
    ck_assert_uint_lt(len, sizeof buf);
    write_tmp(as, buf, len);
}

static gl_registry *open_dirs(const char *a, const char *b)
{
    const char *dirs[2] = {a, b};
    gl_registry *reg;
    gl_error err;
    gl_error_init(&err);
    ck_assert_msg(gl_registry_open(dirs, b ? 2 : 1, &reg, &err) == GL_OK, "%s", err.text);
    return reg;
}

/* Looks name up and asserts that it fails with exactly one line, `want`. */
static void expect_refusal(gl_registry *reg, gl_plugin_kind kind, const char *name,
                           const char *section, const char *where, const char *want)
{
    const gl_registry_entry *e = (const gl_registry_entry *)1;
    gl_error err;
    gl_error_init(&err);
    ck_assert_int_eq(gl_registry_find(reg, kind, name, section, where, &e, &err), GL_ERR_INPUT);
    ck_assert_ptr_null(e);
    ck_assert_int_eq(err.count, 1);
    ck_assert_str_eq(err.text, want);
}

START_TEST(search_order)
{
    const char *cli[] = {"/cli/one", "/cli/two"};
    char **dirs;
    int n;
    gl_error err;
    gl_error_init(&err);
    ck_assert_int_eq(gl_plugin_search_dirs(cli, 2, ":/env/a::/env/b:", 1, &dirs, &n, &err), GL_OK);
    ck_assert_int_eq(n, 2 + 2 + 5 + 1);
    ck_assert_str_eq(dirs[0], "/cli/one");
    ck_assert_str_eq(dirs[1], "/cli/two");
    ck_assert_str_eq(dirs[2], "/env/a");
    ck_assert_str_eq(dirs[3], "/env/b");
    ck_assert_str_eq(dirs[4], GL_BUILD_PLUGIN_DIR "/dataset/.libs");
    ck_assert_str_eq(dirs[7], GL_BUILD_PLUGIN_DIR "/optimizer/.libs");
    ck_assert_str_eq(dirs[8], GL_BUILD_PLUGIN_DIR "/evaluator/.libs");
    ck_assert_str_eq(dirs[9], GL_INSTALL_PLUGIN_DIR);
    gl_plugin_dirs_free(dirs, n);

    ck_assert_int_eq(gl_plugin_search_dirs(NULL, 0, NULL, 0, &dirs, &n, &err), GL_OK);
    ck_assert_int_eq(n, 1);
    ck_assert_str_eq(dirs[0], GL_INSTALL_PLUGIN_DIR);
    gl_plugin_dirs_free(dirs, n);
}
END_TEST

START_TEST(test_binary_runs_in_build_tree) { ck_assert_int_eq(gl_plugin_in_build_tree(), 1); }
END_TEST

START_TEST(finds_a_good_plugin_and_its_schema)
{
    gl_registry *reg = open_dirs(plugdir, NULL);
    const gl_registry_entry *e;
    gl_error err;
    gl_error_init(&err);
    ck_assert_int_eq(
        gl_registry_find(reg, GL_KIND_OPTIMIZER, "tiny", "optimizer.generator", NULL, &e, &err),
        GL_OK);
    ck_assert_str_eq(e->hdr->name, "tiny");
    ck_assert_uint_eq(e->hdr->kind, GL_KIND_OPTIMIZER);
    ck_assert_ptr_null(e->problem);
    char want[4200];
    snprintf(want, sizeof want, "%s/tiny.so", plugdir);
    ck_assert_str_eq(e->path, want);

    const gl_param_spec *schema = NULL;
    ck_assert_int_eq(gl_registry_schema_lookup(reg, "optimizer.discriminator", GL_KIND_OPTIMIZER,
                                               "tiny", "x.yaml:1:1", &schema, &err),
                     GL_OK);
    ck_assert_ptr_eq(schema, e->hdr->params);
    ck_assert_str_eq(schema[1].name, "mode");
    ck_assert_int_eq(err.count, 0);
    gl_registry_close(reg);
}
END_TEST

START_TEST(refuses_a_shared_object_without_entry)
{
    gl_registry *reg = open_dirs(plugdir, NULL);
    char want[4400];
    snprintf(want, sizeof want,
             "exp.yaml:3:11: %s/no_entry.so is not a ganlab plugin (it does not export "
             "gl_plugin_entry)",
             plugdir);
    expect_refusal(reg, GL_KIND_OPTIMIZER, "no_entry", "optimizer.generator", "exp.yaml:3:11",
                   want);
    gl_registry_close(reg);
}
END_TEST

START_TEST(refuses_a_file_that_is_not_a_shared_object)
{
    write_tmp("notes.so", "just text\n", 10);
    gl_registry *reg = open_dirs(tmpdir, NULL);
    char want[4400];
    snprintf(want, sizeof want, "%s/notes.so is not a ganlab plugin (not a shared object)", tmpdir);
    expect_refusal(reg, GL_KIND_DATASET, "notes", "dataset", NULL, want);
    gl_registry_close(reg);
}
END_TEST

START_TEST(refuses_another_abi)
{
    gl_registry *reg = open_dirs(plugdir, NULL);
    char want[4600];
    snprintf(want, sizeof want,
             "%s/wrong_abi.so was built for plugin ABI 1, but this ganlab has ABI 2 (ABI 2 "
             "renamed gl_loss_env.runner to core and added gl_eval_env.stop; a loss may leave "
             "failures to the core and add terms with gl_loss_term): rebuild the plugin against "
             "this ganlab",
             plugdir);
    expect_refusal(reg, GL_KIND_OPTIMIZER, "wrong_abi", NULL, NULL, want);
    gl_registry_close(reg);
}
END_TEST

START_TEST(refuses_the_wrong_kind)
{
    gl_registry *reg = open_dirs(plugdir, NULL);
    char want[4400];
    snprintf(want, sizeof want,
             "exp.yaml:7:13: plugin 'wrong_kind' (%s/wrong_kind.so) is a loss plugin, but "
             "section 'optimizer.generator' needs an optimizer plugin",
             plugdir);
    expect_refusal(reg, GL_KIND_OPTIMIZER, "wrong_kind", "optimizer.generator", "exp.yaml:7:13",
                   want);
    snprintf(want, sizeof want,
             "plugin 'wrong_kind' (%s/wrong_kind.so) is a loss plugin, but this needs a dataset "
             "plugin",
             plugdir);
    expect_refusal(reg, GL_KIND_DATASET, "wrong_kind", NULL, NULL, want);

    const gl_registry_entry *e;
    gl_error err;
    gl_error_init(&err);
    ck_assert_int_eq(gl_registry_find(reg, GL_KIND_LOSS, "wrong_kind", "loss", NULL, &e, &err),
                     GL_OK);
    gl_registry_close(reg);
}
END_TEST

START_TEST(refuses_a_missing_function)
{
    gl_registry *reg = open_dirs(plugdir, NULL);
    char want[4400];
    snprintf(want, sizeof want,
             "%s/missing_fn.so: optimizer plugin 'missing_fn' does not set the required function "
             "'step'",
             plugdir);
    expect_refusal(reg, GL_KIND_OPTIMIZER, "missing_fn", NULL, NULL, want);
    gl_registry_close(reg);
}
END_TEST

START_TEST(refuses_two_of_one_name_in_one_directory)
{
    gl_registry *reg = open_dirs(plugdir, NULL);
    char want[4400];
    snprintf(want, sizeof want, "%s has two plugins named 'dup': dup_a.so and dup_b.so; keep one",
             plugdir);
    expect_refusal(reg, GL_KIND_OPTIMIZER, "dup", NULL, NULL, want);
    expect_refusal(reg, 0, "dup", NULL, NULL, want);
    gl_registry_close(reg);
}
END_TEST

START_TEST(not_found_lists_directories_and_a_near_name)
{
    gl_registry *reg = open_dirs(plugdir, "/no/such/dir");
    char want[4400];
    snprintf(want, sizeof want,
             "x.yaml:2:3: optimizer plugin 'tiyn' not found in %s, /no/such/dir; did you mean "
             "'tiny'?",
             plugdir);
    expect_refusal(reg, GL_KIND_OPTIMIZER, "tiyn", "optimizer.generator", "x.yaml:2:3", want);
    snprintf(want, sizeof want, "plugin 'elephant' not found in %s, /no/such/dir", plugdir);
    expect_refusal(reg, 0, "elephant", NULL, NULL, want);
    /* a near name of another kind is no help */
    snprintf(want, sizeof want, "model plugin 'tiyn' not found in %s, /no/such/dir", plugdir);
    expect_refusal(reg, GL_KIND_MODEL, "tiyn", "model", NULL, want);
    gl_registry_close(reg);
}
END_TEST

START_TEST(first_directory_wins_and_shadows)
{
    copy_plugin("tiny.so", "tiny.so");
    gl_registry *reg = open_dirs(tmpdir, plugdir);
    const gl_registry_entry *e;
    gl_error err;
    gl_error_init(&err);
    ck_assert_int_eq(gl_registry_find(reg, GL_KIND_OPTIMIZER, "tiny", NULL, NULL, &e, &err), GL_OK);
    ck_assert_str_eq(e->dir, tmpdir);
    ck_assert_ptr_eq(gl_registry_entry_at(reg, 0), e);
    int shadowed = 0;
    for (size_t i = 1; i < gl_registry_count(reg); i++) {
        const gl_registry_entry *o = gl_registry_entry_at(reg, i);
        if (strcmp(o->name, "tiny") == 0) {
            ck_assert_int_eq(o->shadowed_by, 0);
            ck_assert_str_eq(o->dir, plugdir);
            shadowed++;
        } else if (strcmp(o->name, "dup") != 0) { /* dup_b.so: hidden by dup_a.so */
            ck_assert_int_eq(o->shadowed_by, -1);
        }
    }
    ck_assert_int_eq(shadowed, 1);
    ck_assert_ptr_null(gl_registry_entry_at(reg, gl_registry_count(reg)));
    gl_registry_close(reg);
}
END_TEST

START_TEST(a_broken_file_hides_the_name_it_takes)
{
    write_tmp("tiny.so", "not elf", 7);
    gl_registry *reg = open_dirs(tmpdir, plugdir);
    char want[4400];
    snprintf(want, sizeof want, "%s/tiny.so is not a ganlab plugin (not a shared object)", tmpdir);
    expect_refusal(reg, GL_KIND_OPTIMIZER, "tiny", NULL, NULL, want);
    gl_registry_close(reg);
}
END_TEST

START_TEST(a_directory_given_twice_is_scanned_once)
{
    gl_registry *once = open_dirs(plugdir, NULL);
    char again[4200];
    snprintf(again, sizeof again, "%s/.", plugdir);
    gl_registry *twice = open_dirs(plugdir, again);
    ck_assert_uint_eq(gl_registry_count(twice), gl_registry_count(once));
    ck_assert_uint_eq(gl_registry_count(once), 9);
    gl_registry_close(once);
    gl_registry_close(twice);
}
END_TEST

/* ---------------------------------------------------------------- descriptors made here */

static int ok_create(const gl_params *p, int *n, void **self, gl_error *err) { return GL_OK; }
static void ok_step(void *self, float *p, const float *g, float *s, size_t n, uint64_t t) {}
static void ok_step_scaled(void *self, float *p, const float *g, float *s, size_t n, uint64_t t,
                           float f)
{
}
static void ok_destroy(void *self) {}

/* Checks an optimizer descriptor with the given schema; returns the message ("" when valid). */
static const char *check_schema(const gl_param_spec *params)
{
    static gl_error err;
    gl_optimizer_plugin d = {{GL_ABI_VERSION, GL_KIND_OPTIMIZER, sizeof d, "t", "", params},
                             ok_create,
                             ok_step,
                             ok_destroy};
    gl_error_init(&err);
    int st = gl_plugin_check_descriptor(&d.hdr, "t.so", &err);
    ck_assert_int_eq(st, err.count ? GL_ERR_INPUT : GL_OK);
    ck_assert_int_le(err.count, 1);
    return err.text;
}

START_TEST(descriptor_size_and_functions)
{
    gl_error err;
    gl_error_init(&err);
    gl_optimizer_plugin d = {
        {GL_ABI_VERSION, GL_KIND_OPTIMIZER, sizeof(gl_plugin_header), "t", "", NULL},
        ok_create,
        ok_step,
        ok_destroy};
    ck_assert_int_eq(gl_plugin_check_descriptor(&d.hdr, "t.so", &err), GL_ERR_INPUT);
    char want[256];
    snprintf(want, sizeof want,
             "t.so: descriptor size %zu is smaller than an ABI 2 optimizer descriptor (%zu "
             "bytes): rebuild the plugin against this ganlab",
             sizeof(gl_plugin_header), offsetof(gl_optimizer_plugin, step_scaled));
    ck_assert_str_eq(err.text, want);

    /* A descriptor built before step_scaled was appended is whole: it loads, and the member
     * reads as absent whatever lies past its end. */
    gl_error_init(&err);
    d.step_scaled = ok_step_scaled;
    d.hdr.size = offsetof(gl_optimizer_plugin, step_scaled);
    ck_assert_int_eq(gl_plugin_check_descriptor(&d.hdr, "t.so", &err), GL_OK);
    ck_assert_ptr_null(GL_PLUGIN_OPTIONAL(&d, gl_optimizer_plugin, step_scaled));
    d.hdr.size = sizeof d;
    ck_assert_ptr_nonnull(GL_PLUGIN_OPTIONAL(&d, gl_optimizer_plugin, step_scaled));

    gl_error_init(&err);
    d.hdr.size = sizeof d + 8; /* a newer minor layout is fine */
    d.create = NULL;
    ck_assert_int_eq(gl_plugin_check_descriptor(&d.hdr, "t.so", &err), GL_ERR_INPUT);
    ck_assert_str_eq(err.text, "t.so: optimizer plugin 't' does not set the required function "
                               "'create'");
    gl_error_init(&err);
    d.create = ok_create;
    ck_assert_int_eq(gl_plugin_check_descriptor(&d.hdr, "t.so", &err), GL_OK);

    d.hdr.kind = 9;
    ck_assert_int_eq(gl_plugin_check_descriptor(&d.hdr, "t.so", &err), GL_ERR_INPUT);
    ck_assert_str_eq(err.text, "t.so declares unknown plugin kind 9: rebuild the plugin against "
                               "this ganlab");
}
END_TEST

/* name, type, default, required, then min, max, choices */
#define SPEC(name, type, def, req, ...)          \
    {                                            \
        name, type, def, req, __VA_ARGS__, "doc" \
    }

START_TEST(schema_faults)
{
    const gl_param_spec good[] = {
        SPEC("lr", GL_PARAM_FLOAT, "2e-4", 0, 0, 1, NULL),
        SPEC("n", GL_PARAM_INT, "-3", 0, GL_NO_RANGE, NULL),
        SPEC("on", GL_PARAM_BOOL, "false", 0, GL_NO_RANGE, NULL),
        SPEC("mode", GL_PARAM_CHOICE, "grid", 0, GL_NO_RANGE, "ring|grid"),
        SPEC("sizes", GL_PARAM_INT_LIST, "[256, 512]", 0, 1, 4096, NULL),
        SPEC("none", GL_PARAM_FLOAT_LIST, "[ ]", 0, GL_NO_RANGE, NULL),
        SPEC("root", GL_PARAM_PATH, "", 0, GL_NO_RANGE, NULL),
        SPEC("must", GL_PARAM_STRING, NULL, 1, GL_NO_RANGE, NULL),
        {0},
    };
    ck_assert_str_eq(check_schema(good), "");
    ck_assert_str_eq(check_schema(NULL), "");

    static const struct {
        gl_param_spec spec;
        const char *want;
    } bad[] = {
        {SPEC("Lr", GL_PARAM_FLOAT, "1", 0, GL_NO_RANGE, NULL),
         "t.so: parameter name 'Lr' is not [a-z0-9_]+ starting with a letter"},
        {SPEC("x", 42, "1", 0, GL_NO_RANGE, NULL), "t.so: parameter 'x' has unknown type 42"},
        {SPEC("x", GL_PARAM_FLOAT, NULL, 0, GL_NO_RANGE, NULL),
         "t.so: parameter 'x' is neither required nor has a default"},
        {SPEC("x", GL_PARAM_FLOAT, "1e-3x", 0, GL_NO_RANGE, NULL),
         "t.so: parameter 'x': default '1e-3x' is not a float"},
        {SPEC("x", GL_PARAM_INT, "1.5", 0, GL_NO_RANGE, NULL),
         "t.so: parameter 'x': default '1.5' is not an int"},
        {SPEC("x", GL_PARAM_FLOAT, "2", 0, 0, 1, NULL),
         "t.so: parameter 'x': default 2 is outside its range [0, 1]"},
        {SPEC("x", GL_PARAM_BOOL, "yes", 0, GL_NO_RANGE, NULL),
         "t.so: parameter 'x': default 'yes' is not true or false"},
        {SPEC("x", GL_PARAM_CHOICE, "a", 0, GL_NO_RANGE, "a||b"),
         "t.so: parameter 'x': choices 'a||b' are not distinct non-empty values separated by '|'"},
        {SPEC("x", GL_PARAM_CHOICE, "a", 0, GL_NO_RANGE, "a|b|a"),
         "t.so: parameter 'x': choices 'a|b|a' are not distinct non-empty values separated by '|'"},
        {SPEC("x", GL_PARAM_CHOICE, "a", 0, GL_NO_RANGE, NULL),
         "t.so: parameter 'x': choices '(null)' are not distinct non-empty values separated by "
         "'|'"},
        {SPEC("x", GL_PARAM_CHOICE, "c", 0, GL_NO_RANGE, "a|b"),
         "t.so: parameter 'x': default 'c' is not one of 'a|b'"},
        {SPEC("x", GL_PARAM_STRING, "a", 0, GL_NO_RANGE, "a|b"),
         "t.so: parameter 'x' has choices but its type is string, not choice"},
        {SPEC("x", GL_PARAM_INT_LIST, "[1, x]", 0, GL_NO_RANGE, NULL),
         "t.so: parameter 'x': default '[1, x]' is not an int list"},
        {SPEC("x", GL_PARAM_INT_LIST, "1, 2", 0, GL_NO_RANGE, NULL),
         "t.so: parameter 'x': default '1, 2' is not an int list such as [1, 2]"},
        {SPEC("x", GL_PARAM_FLOAT_LIST, "[0.5, 9]", 0, 0, 1, NULL),
         "t.so: parameter 'x': default 9 is outside its range [0, 1]"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        gl_param_spec one[2] = {bad[i].spec, {0}};
        ck_assert_str_eq(check_schema(one), bad[i].want);
    }
    const gl_param_spec twice[] = {good[0], good[1], good[0], {0}};
    ck_assert_str_eq(check_schema(twice), "t.so: parameter 'lr' is declared twice");
}
END_TEST

static Suite *suite(void)
{
    Suite *s = suite_create("loader");
    TCase *tc = tcase_create("registry");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, search_order);
    tcase_add_test(tc, test_binary_runs_in_build_tree);
    tcase_add_test(tc, finds_a_good_plugin_and_its_schema);
    tcase_add_test(tc, refuses_a_shared_object_without_entry);
    tcase_add_test(tc, refuses_a_file_that_is_not_a_shared_object);
    tcase_add_test(tc, refuses_another_abi);
    tcase_add_test(tc, refuses_the_wrong_kind);
    tcase_add_test(tc, refuses_a_missing_function);
    tcase_add_test(tc, refuses_two_of_one_name_in_one_directory);
    tcase_add_test(tc, not_found_lists_directories_and_a_near_name);
    tcase_add_test(tc, first_directory_wins_and_shadows);
    tcase_add_test(tc, a_broken_file_hides_the_name_it_takes);
    tcase_add_test(tc, a_directory_given_twice_is_scanned_once);
    suite_add_tcase(s, tc);
    TCase *td = tcase_create("descriptor");
    tcase_add_test(td, descriptor_size_and_functions);
    tcase_add_test(td, schema_faults);
    suite_add_tcase(s, td);
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

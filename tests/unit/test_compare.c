/* test_compare.c - core/compare on synthetic run directories (config.yaml, metrics.csv, eval.csv,
 * timing.csv, sample PNGs written by the test): CSV reading, seed suffixes, directions, mean and
 * standard deviation, grouping into variants and their names, the table at equal generator steps
 * (a run that stopped early is left out, a longer one is read at the comparison step), and the
 * report files with the table's values as text. */
#include <check.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <fcntl.h>
#include <unistd.h>

#include "compare/compare.h"
#include "compare/state.h"
#include "fixture.h"
#include "image/image.h"

static char root[512];

static void setup(void) { ck_assert_int_eq(fx_tempdir(root, sizeof root), GL_OK); }

static void teardown(void) { fx_rmtree(root); }

/* Every plugin of the fake configs is parameterless. */
static int lookup(void *ud, const char *section, gl_plugin_kind kind, const char *plugin_name,
                  const char *where, const gl_param_spec **schema, gl_error *err)
{
    *schema = NULL;
    return GL_OK;
}

static void write_text(const char *dir, const char *name, const char *text)
{
    char path[1024];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "w");
    ck_assert_ptr_nonnull(f);
    fputs(text, f);
    ck_assert_int_eq(fclose(f), 0);
}

typedef struct fake {
    const char *name;
    int seed;
    const char *loss; /* the loss plugin's name: what makes variants differ */
    int n_critic, batch, steps;
    const char *metrics, *eval, *timing; /* NULL: no such file */
    int samples;                         /* write samples/step_00000050.png and step_00000100.png */
} fake;

/* A run directory root/<name> for f; its path into dir. */
static void make_run(const fake *f, char *dir, size_t cap)
{
    snprintf(dir, cap, "%s/%s", root, f->name);
    ck_assert_int_eq(mkdir(dir, 0777), 0);
    char cfg[1024];
    /* experiment.name is one directory name (the run directory's own, also for a run in a suite's
     * runs/). */
    const char *base = strrchr(f->name, '/');
    base = base ? base + 1 : f->name;
    /* out_dir and threads differ between seeds, as they may between a suite's runs. */
    snprintf(cfg, sizeof cfg,
             "experiment: {name: %s, seed: %d, out_dir: /tmp/out%d, threads: %d}\n"
             "dataset: {plugin: stub}\nmodel: {plugin: stub}\nloss: {plugin: %s}\n"
             "optimizer: {generator: {plugin: stub}, discriminator: {plugin: stub}}\n"
             "train: {steps: %d, batch_size: %d, n_critic: %d}\n",
             base, f->seed, f->seed, f->seed, f->loss, f->steps, f->batch, f->n_critic);
    write_text(dir, "config.yaml", cfg);
    write_text(dir, "metrics.csv", f->metrics);
    if (f->eval)
        write_text(dir, "eval.csv", f->eval);
    if (f->timing)
        write_text(dir, "timing.csv", f->timing);
    if (f->samples) {
        char path[1024];
        uint8_t px[4] = {10, 10, 10, 10};
        gl_error err;
        gl_error_init(&err);
        snprintf(path, sizeof path, "%s/samples", dir);
        ck_assert_int_eq(mkdir(path, 0777), 0);
        snprintf(path, sizeof path, "%s/samples/step_00000050.png", dir);
        ck_assert_int_eq(gl_png_write(path, px, 2, 2, 1, &err), GL_OK);
        memset(px, 200, sizeof px);
        snprintf(path, sizeof path, "%s/samples/step_00000100.png", dir);
        ck_assert_int_eq(gl_png_write(path, px, 2, 2, 1, &err), GL_OK);
    }
}

/* The suite of synthetic runs the table and report tests share:
 *   A (loss stub, n_critic 1, batch 64): seeds 1 and 2, complete at 100, with eval;
 *   B (loss other, n_critic 5, batch 32): seed 1 complete; seed 2 stopped at step 50;
 *   C (loss stub, 200 steps): complete at 200, no eval.csv. */
static const fake fakes[] = {
    {"A-s1", 1, "stub", 1, 64, 100,
     "step,epoch,d_loss,g_loss,d_real\n50,1,1.0,2.0,0.5\n100,1,1.0,3.0,0.25\n",
     "step,modes2d.modes,modes2d.kl\n100,8,0.5\n", "step,elapsed,images_per_s\n50,1,10\n100,2,10\n",
     1},
    {"B-s1", 1, "other", 5, 32, 100, "step,epoch,d_loss,g_loss,gp\n100,1,-1,0.5,0.1\n",
     "step,modes2d.modes,modes2d.kl\n100,5,2.0\n", "step,elapsed,images_per_s\n100,10,5\n", 0},
    {"A-s2", 2, "stub", 1, 64, 100,
     "step,epoch,d_loss,g_loss,d_real\n50,1,9,9,9\n100,1,3.0,5.0,0.75\n",
     "step,modes2d.modes,modes2d.kl\n100,6,1.5\n", "step,elapsed,images_per_s\n100,4,10\n", 0},
    {"B-s2", 2, "other", 5, 32, 100, "step,epoch,d_loss,g_loss,gp\n50,1,-7,7,7\n",
     "step,modes2d.modes,modes2d.kl\n50,1,9\n", "step,elapsed,images_per_s\n50,3,5\n", 1},
    {"C-s1", 1, "stub", 1, 64, 200, "step,epoch,d_loss,g_loss\n100,1,7,1.5\n200,2,9,2.5\n", NULL,
     "step,elapsed,images_per_s\n100,5,10\n200,10,10\n", 0},
};
enum { N_FAKES = sizeof fakes / sizeof fakes[0] };

static void load_all(gl_cmp_run *runs, char dirs[][600])
{
    gl_error err;
    gl_error_init(&err);
    for (int i = 0; i < N_FAKES; i++) {
        make_run(&fakes[i], dirs[i], sizeof dirs[i]);
        ck_assert_msg(gl_cmp_run_load(dirs[i], lookup, NULL, &runs[i], &err) == GL_OK, "%s",
                      err.text);
    }
}

/* The fakes loaded, grouped and tabled. */
static void load_table(gl_cmp_run *runs, char dirs[][600], gl_cmp_variant **v, int *nv,
                       gl_cmp_table *t)
{
    gl_error err;
    gl_error_init(&err);
    load_all(runs, dirs);
    ck_assert_int_eq(gl_cmp_group(runs, N_FAKES, v, nv, &err), GL_OK);
    ck_assert_int_eq(gl_cmp_table_build(runs, N_FAKES, *v, *nv, 0, t, &err), GL_OK);
}

static char *slurp(const char *path)
{
    FILE *f = fopen(path, "rb");
    ck_assert_msg(f != NULL, "%s missing", path);
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *s = malloc((size_t)n + 1);
    ck_assert_int_eq(fread(s, 1, (size_t)n, f), (size_t)n);
    s[n] = '\0';
    fclose(f);
    return s;
}

/* ---------------------------------------------------------------- pieces */

START_TEST(mean_std_over_finite_values)
{
    const double x[] = {1, 2, 3, 4};
    gl_cmp_cell c = gl_cmp_mean_std(x, 4);
    ck_assert_int_eq(c.n, 4);
    ck_assert_double_eq_tol(c.mean, 2.5, 1e-12);
    ck_assert_double_eq_tol(c.std, sqrt(5.0 / 3.0), 1e-12); /* sample std: n - 1 */
    const double y[] = {NAN, 5, INFINITY};
    c = gl_cmp_mean_std(y, 3);
    ck_assert_int_eq(c.n, 1);
    ck_assert_double_eq(c.mean, 5);
    ck_assert_double_eq(c.std, 0);
    c = gl_cmp_mean_std(y, 1);
    ck_assert_int_eq(c.n, 0);
    ck_assert(isnan(c.mean));
    /* Large values with a small spread: two passes keep the digits. */
    const double z[] = {1e9 + 1, 1e9 + 2, 1e9 + 3};
    c = gl_cmp_mean_std(z, 3);
    ck_assert_double_eq_tol(c.std, 1.0, 1e-9);
}
END_TEST

START_TEST(seed_suffixes_and_directions)
{
    ck_assert_uint_eq(gl_cmp_strip_seed("ring_gan-s12"), 8);
    ck_assert_uint_eq(gl_cmp_strip_seed("ring_gan_seed3"), 8);
    ck_assert_uint_eq(gl_cmp_strip_seed("x-seed0"), 1);
    ck_assert_uint_eq(gl_cmp_strip_seed("x_s7"), 1);
    ck_assert_uint_eq(gl_cmp_strip_seed("ring-2"), 6); /* not a seed suffix */
    ck_assert_uint_eq(gl_cmp_strip_seed("v-s"), 3);
    ck_assert_uint_eq(gl_cmp_strip_seed("-s1"), 3); /* nothing would be left */
    ck_assert_int_eq(gl_cmp_direction("modes2d.modes"), 1);
    ck_assert_int_eq(gl_cmp_direction("modes2d.hq_pct"), 1);
    ck_assert_int_eq(gl_cmp_direction("modes2d.kl"), -1);
    ck_assert_int_eq(gl_cmp_direction("classifier.fd"), -1);
    ck_assert_int_eq(gl_cmp_direction("classifier.is"), 1);
    ck_assert_int_eq(gl_cmp_direction("classifier.kid"), -1);
    ck_assert_int_eq(gl_cmp_direction("classifier.kid_std"), 0);
    ck_assert_int_eq(gl_cmp_direction("classifier.stacked_modes"), 1);
    ck_assert_int_eq(gl_cmp_direction("classifier.stacked_kl"), -1);
    ck_assert_int_eq(gl_cmp_direction("classifier.label_acc"), 1);
    ck_assert_int_eq(gl_cmp_direction("d_loss"), 0);
    ck_assert_int_eq(gl_cmp_direction("kl"), 0); /* a loss term, not a metric */
    ck_assert_int_eq(gl_cmp_direction("foo.bar"), 0);
    ck_assert_str_eq(gl_cmp_direction_text(-1), "lower is better");
    /* docs/metrics.md: density is about 1 for matching sets, not "the more the better". */
    ck_assert_int_eq(gl_cmp_direction("classifier.density"), GL_CMP_NEAR_ONE);
    ck_assert_str_eq(gl_cmp_direction_text(GL_CMP_NEAR_ONE), "closest to 1 is best");
}
END_TEST

START_TEST(csv_rows_partial_line_and_faults)
{
    gl_cmp_csv t;
    gl_error err;
    gl_error_init(&err);
    char path[1024];
    write_text(root, "a.csv", "step,x,y\n1,0.5,\n2,nan,3\n3,1"); /* last row cut short */
    snprintf(path, sizeof path, "%s/a.csv", root);
    ck_assert_int_eq(gl_cmp_csv_read(path, 0, &t, &err), GL_OK);
    ck_assert_int_eq(t.n_cols, 3);
    ck_assert_int_eq(t.n_rows, 2);
    ck_assert_str_eq(t.cols[2], "y");
    ck_assert_double_eq(t.v[1], 0.5);
    ck_assert(isnan(t.v[2])); /* empty field */
    ck_assert(isnan(t.v[4]));
    ck_assert_int_eq(gl_cmp_csv_col(&t, "y"), 2);
    ck_assert_int_eq(gl_cmp_csv_row_at(&t, 1), 0);
    ck_assert_int_eq(gl_cmp_csv_row_at(&t, 100), 1);
    ck_assert_int_eq(gl_cmp_csv_row_at(&t, 0), -1);
    gl_cmp_csv_free(&t);

    write_text(root, "b.csv", "step,x\n1,2\n2,3,4\n");
    snprintf(path, sizeof path, "%s/b.csv", root);
    ck_assert_int_eq(gl_cmp_csv_read(path, 0, &t, &err), GL_ERR_INPUT);
    ck_assert_msg(strstr(err.text, "b.csv:3: 3 fields, the header has 2") != NULL, "%s", err.text);

    gl_error_init(&err);
    write_text(root, "c.csv", "epoch,step\n1,2\n");
    snprintf(path, sizeof path, "%s/c.csv", root);
    ck_assert_int_eq(gl_cmp_csv_read(path, 0, &t, &err), GL_ERR_INPUT);
    ck_assert_msg(strstr(err.text, "c.csv:1: the first column must be 'step'") != NULL, "%s",
                  err.text);

    /* A step that is no whole number (1e300 would not even convert to long long). */
    static const char *const bad_steps[] = {"1e300", "-1", "2.5", "nan"};
    for (int i = 0; i < 4; i++) {
        char text[64], want[64];
        snprintf(text, sizeof text, "step,x\n1,2\n%s,3\n", bad_steps[i]);
        snprintf(want, sizeof want, "d.csv:3: step '%s' is not a whole number", bad_steps[i]);
        write_text(root, "d.csv", text);
        snprintf(path, sizeof path, "%s/d.csv", root);
        gl_error_init(&err);
        ck_assert_int_eq(gl_cmp_csv_read(path, 0, &t, &err), GL_ERR_INPUT);
        ck_assert_msg(strstr(err.text, want) != NULL, "%s", err.text);
    }

    gl_error_init(&err);
    snprintf(path, sizeof path, "%s/missing.csv", root);
    ck_assert_int_eq(gl_cmp_csv_read(path, 1, &t, &err), GL_OK);
    ck_assert_int_eq(t.n_cols, 0);
    ck_assert_int_eq(gl_cmp_csv_read(path, 0, &t, &err), GL_ERR_INPUT);
}
END_TEST

/* ---------------------------------------------------------------- variants and table */

START_TEST(runs_group_into_variants_by_config)
{
    gl_cmp_run runs[N_FAKES];
    char dirs[N_FAKES][600];
    load_all(runs, dirs);
    ck_assert_str_eq(runs[0].name, "A-s1");
    ck_assert_int_eq(runs[1].n_critic, 5);
    ck_assert_int_eq(runs[3].last_step, 50);
    ck_assert_ptr_nonnull(strstr(runs[0].sample, "samples/step_00000100.png"));
    ck_assert_ptr_null(runs[1].sample);

    gl_cmp_variant *v;
    int nv;
    gl_error err;
    gl_error_init(&err);
    ck_assert_int_eq(gl_cmp_group(runs, N_FAKES, &v, &nv, &err), GL_OK);
    ck_assert_int_eq(nv, 3);
    ck_assert_str_eq(v[0].name, "A"); /* A-s1 and A-s2 differ in seed, name, out_dir, threads */
    ck_assert_int_eq(v[0].n_runs, 2);
    ck_assert_int_eq(v[0].runs[0], 0);
    ck_assert_int_eq(v[0].runs[1], 2);
    ck_assert_str_eq(v[1].name, "B");
    ck_assert_int_eq(v[1].n_runs, 2);
    ck_assert_str_eq(v[2].name, "C");
    ck_assert_str_eq(v[0].differs, "");
    ck_assert_msg(strstr(v[1].differs, "loss.plugin: stub -> other") != NULL, "%s", v[1].differs);
    ck_assert_msg(strstr(v[2].differs, "train.steps: 100 -> 200") != NULL, "%s", v[2].differs);
    gl_cmp_variants_free(v, nv);
    for (int i = 0; i < N_FAKES; i++)
        gl_cmp_run_free(&runs[i]);
}
END_TEST

START_TEST(same_names_get_the_differing_keys)
{
    /* Runs made by hand, all called "exp": the names say what differs. Seeds out of order. */
    static const fake same[] = {
        {"exp", 2, "stub", 1, 64, 10, "step,epoch,d_loss,g_loss\n10,1,1,1\n", NULL, NULL, 0},
        {"exp", 1, "other", 1, 64, 10, "step,epoch,d_loss,g_loss\n10,1,1,1\n", NULL, NULL, 0},
        {"exp", 1, "stub", 1, 64, 10, "step,epoch,d_loss,g_loss\n10,1,1,1\n", NULL, NULL, 0},
    };
    gl_cmp_run runs[3];
    gl_error err;
    gl_error_init(&err);
    for (int i = 0; i < 3; i++) {
        char dir[600];
        fake f = same[i];
        char sub[32];
        snprintf(sub, sizeof sub, "exp%d", i);
        snprintf(dir, sizeof dir, "%s/%s", root, sub);
        f.name = sub; /* directory name; the experiment name is patched below */
        make_run(&f, dir, sizeof dir);
        char cfg[1024];
        snprintf(cfg, sizeof cfg,
                 "experiment: {name: exp, seed: %d}\n"
                 "dataset: {plugin: stub}\nmodel: {plugin: stub}\nloss: {plugin: %s}\n"
                 "optimizer: {generator: {plugin: stub}, discriminator: {plugin: stub}}\n"
                 "train: {steps: 10}\n",
                 f.seed, f.loss);
        write_text(dir, "config.yaml", cfg);
        ck_assert_int_eq(gl_cmp_run_load(dir, lookup, NULL, &runs[i], &err), GL_OK);
    }
    gl_cmp_variant *v;
    int nv;
    ck_assert_int_eq(gl_cmp_group(runs, 3, &v, &nv, &err), GL_OK);
    ck_assert_int_eq(nv, 2);
    ck_assert_str_eq(v[0].name, "exp [loss.plugin=stub]");
    ck_assert_str_eq(v[1].name, "exp [loss.plugin=other]");
    ck_assert_int_eq(v[0].runs[0], 2); /* seed 1 first */
    ck_assert_int_eq(v[0].runs[1], 0);
    gl_cmp_variants_free(v, nv);
    for (int i = 0; i < 3; i++)
        gl_cmp_run_free(&runs[i]);
}
END_TEST

static gl_cmp_cell cell(const gl_cmp_table *t, int variant, const char *col)
{
    for (int c = 0; c < t->n_cols; c++)
        if (strcmp(t->cols[c], col) == 0)
            return t->cells[(size_t)variant * (size_t)t->n_cols + (size_t)c];
    ck_abort_msg("no column %s", col);
    return (gl_cmp_cell){0};
}

START_TEST(table_compares_at_equal_generator_steps_or_a_chosen_one)
{
    gl_cmp_run runs[N_FAKES];
    char dirs[N_FAKES][600];
    gl_cmp_variant *v;
    int nv;
    gl_cmp_table t;
    gl_error err;
    gl_error_init(&err);
    load_table(runs, dirs, &v, &nv, &t);
    ck_assert_int_eq(t.step, 100); /* C went to 200, B-s2 stopped at 50 */
    ck_assert_int_eq(t.n_eval_cols, 2);
    ck_assert_int_eq(t.n_cols, 6); /* modes, kl, d_loss, g_loss, d_real, gp */
    ck_assert_str_eq(t.cols[0], "modes2d.modes");
    ck_assert_str_eq(t.cols[5], "gp");
    ck_assert_ptr_nonnull(t.excluded[3]);
    ck_assert_ptr_null(t.excluded[4]);
    /* A: seeds 1 and 2. */
    ck_assert_int_eq(t.used[0], 2);
    ck_assert_double_eq_tol(cell(&t, 0, "modes2d.modes").mean, 7, 1e-12);
    ck_assert_double_eq_tol(cell(&t, 0, "modes2d.modes").std, sqrt(2), 1e-12);
    ck_assert_double_eq_tol(cell(&t, 0, "modes2d.kl").mean, 1, 1e-12);
    ck_assert_double_eq_tol(cell(&t, 0, "d_loss").mean, 2, 1e-12);
    ck_assert_double_eq_tol(cell(&t, 0, "g_loss").mean, 4, 1e-12);
    ck_assert_double_eq_tol(cell(&t, 0, "d_real").std, sqrt(0.125), 1e-12);
    ck_assert_int_eq(cell(&t, 0, "gp").n, 0);
    ck_assert_double_eq_tol(t.wall[0].mean, 3, 1e-12);
    ck_assert_double_eq(t.images[0], 100.0 * 1 * 64);
    /* B: only seed 1 reached step 100. */
    ck_assert_int_eq(t.used[1], 1);
    ck_assert_double_eq(cell(&t, 1, "modes2d.modes").mean, 5);
    ck_assert_double_eq(cell(&t, 1, "d_loss").mean, -1);
    ck_assert_double_eq(t.images[1], 100.0 * 5 * 32);
    ck_assert_double_eq(t.wall[1].mean, 10);
    /* C: read at step 100, not at its last step 200; no eval. */
    ck_assert_double_eq(cell(&t, 2, "d_loss").mean, 7);
    ck_assert_double_eq(t.wall[2].mean, 5);
    ck_assert_int_eq(cell(&t, 2, "modes2d.modes").n, 0);
    gl_cmp_table_free(&t);
    /* compare --at 50: B-s2, which stopped there, is in; every run is read at its row at or
     * before 50. */
    ck_assert_int_eq(gl_cmp_table_build(runs, N_FAKES, v, nv, 50, &t, &err), GL_OK);
    ck_assert_int_eq(t.step, 50);
    for (int i = 0; i < N_FAKES; i++)
        ck_assert_ptr_null(t.excluded[i]);
    ck_assert_double_eq_tol(cell(&t, 0, "d_loss").mean, 5, 1e-12); /* A: 1.0 and 9 */
    ck_assert_double_eq_tol(cell(&t, 0, "g_loss").mean, 5.5, 1e-12);
    ck_assert_int_eq(cell(&t, 0, "modes2d.modes").n, 0); /* A evaluated at 100 only */
    ck_assert_double_eq(t.wall[0].mean, 1);              /* A-s2 timed at 100 only */
    ck_assert_int_eq(t.wall[0].n, 1);
    ck_assert_int_eq(cell(&t, 1, "d_loss").n, 1); /* B-s1 logged at 100 only */
    ck_assert_double_eq(cell(&t, 1, "d_loss").mean, -7);
    ck_assert_double_eq(cell(&t, 1, "modes2d.kl").mean, 9);
    ck_assert_double_eq(t.images[1], 50.0 * 5 * 32);
    ck_assert_int_eq(cell(&t, 2, "d_loss").n, 0); /* C logged from step 100 */
    gl_cmp_table_free(&t);
    /* Step 200: only C reached it. */
    ck_assert_int_eq(gl_cmp_table_build(runs, N_FAKES, v, nv, 200, &t, &err), GL_OK);
    for (int i = 0; i < 4; i++)
        ck_assert_ptr_nonnull(t.excluded[i]);
    ck_assert_ptr_null(t.excluded[4]);
    ck_assert_double_eq(cell(&t, 2, "d_loss").mean, 9);
    gl_cmp_table_free(&t);
    /* Beyond every run: an input error naming the furthest step. */
    ck_assert_int_eq(gl_cmp_table_build(runs, N_FAKES, v, nv, 201, &t, &err), GL_ERR_INPUT);
    ck_assert_msg(strstr(err.text, "comparison step 201") && strstr(err.text, "step 200"), "%s",
                  err.text);
    gl_cmp_table_free(&t);
    /* Before every run's first row (all log from step 50): no table of empty cells either. */
    gl_error_init(&err);
    ck_assert_int_eq(gl_cmp_table_build(runs, N_FAKES, v, nv, 49, &t, &err), GL_ERR_INPUT);
    ck_assert_msg(strstr(err.text, "comparison step 49") &&
                      strstr(err.text, "the earliest is step 50"),
                  "%s", err.text);
    gl_cmp_table_free(&t);
    /* An evaluation before the first metrics row is a row: A-s2 evaluated at 40 instead. */
    ck_assert_int_eq(runs[0].eval.n_rows, 1);
    runs[0].eval.v[0] = 40;
    ck_assert_int_eq(gl_cmp_table_build(runs, N_FAKES, v, nv, 45, &t, &err), GL_OK);
    ck_assert_double_eq(cell(&t, 0, "modes2d.modes").mean, 8);
    ck_assert_int_eq(cell(&t, 0, "d_loss").n, 0);
    gl_cmp_table_free(&t);
    gl_cmp_variants_free(v, nv);
    for (int i = 0; i < N_FAKES; i++)
        gl_cmp_run_free(&runs[i]);
}
END_TEST

static void assert_json_fault(const char *json, const char *want)
{
    gl_cmp_csv row;
    gl_error err;
    gl_error_init(&err);
    ck_assert_int_eq(gl_cmp_eval_json_parse(json, strlen(json), "e.json", &row, &err),
                     GL_ERR_INPUT);
    ck_assert_msg(strstr(err.text, want) != NULL, "'%s' gave '%s'", json, err.text);
    ck_assert_ptr_null(row.cols);
}

START_TEST(eval_json_is_one_more_row)
{
    const char *json =
        "{\n  \"step\": 100,\n  \"modes2d\": {\"modes\": 4, \"kl\": null},\n"
        "  \"classifier\": {\"fd\": 1.5e-2},\n"
        "  \"protocol\": {\"modes2d\": {\"n\": 2500, \"x\": [1, {\"y\": \"z\"}]}}\n}\n";
    gl_cmp_csv row;
    gl_error err;
    gl_error_init(&err);
    ck_assert_msg(gl_cmp_eval_json_parse(json, strlen(json), "e.json", &row, &err) == GL_OK, "%s",
                  err.text);
    ck_assert_int_eq(row.n_rows, 1);
    ck_assert_int_eq(row.n_cols, 4);
    ck_assert_str_eq(row.cols[1], "modes2d.modes");
    ck_assert_str_eq(row.cols[3], "classifier.fd");
    ck_assert_double_eq(row.v[0], 100);
    ck_assert(isnan(row.v[2]));
    ck_assert_double_eq(row.v[3], 0.015);
    /* Into eval.csv's table: at step 100 it fills only what the CSV row lacks; a new step is a new
     * row in step order. */
    gl_cmp_csv t;
    char dir[600], path[1024];
    make_run(&fakes[0], dir, sizeof dir);
    write_text(dir, "eval.csv", "step,modes2d.modes,modes2d.kl\n50,2,0.5\n100,8,\n150,9,0.1\n");
    snprintf(path, sizeof path, "%s/eval.csv", dir);
    ck_assert_int_eq(gl_cmp_csv_read(path, 0, &t, &err), GL_OK);
    ck_assert_int_eq(gl_cmp_csv_merge_row(&t, &row, &err), GL_OK);
    ck_assert_int_eq(t.n_rows, 3);
    ck_assert_int_eq(t.n_cols, 4);
    ck_assert_double_eq(t.v[1 * 4 + 1], 8); /* the CSV's value wins */
    ck_assert(isnan(t.v[1 * 4 + 2]));       /* neither has one */
    ck_assert_double_eq(t.v[1 * 4 + 3], 0.015);
    ck_assert(isnan(t.v[0 * 4 + 3]));
    gl_cmp_csv_free(&t);
    row.v[0] = 120;
    ck_assert_int_eq(gl_cmp_csv_read(path, 0, &t, &err), GL_OK);
    ck_assert_int_eq(gl_cmp_csv_merge_row(&t, &row, &err), GL_OK);
    ck_assert_int_eq(t.n_rows, 4);
    ck_assert_double_eq(t.v[2 * 4], 120);
    ck_assert_double_eq(t.v[2 * 4 + 1], 4);
    ck_assert_double_eq(t.v[3 * 4], 150);
    gl_cmp_csv_free(&t);
    /* No eval.csv at all: the table is the row. */
    memset(&t, 0, sizeof t);
    ck_assert_int_eq(gl_cmp_csv_merge_row(&t, &row, &err), GL_OK);
    ck_assert_int_eq(t.n_rows, 1);
    ck_assert_str_eq(t.cols[0], "step");
    gl_cmp_csv_free(&t);
    gl_cmp_csv_free(&row);
    /* A missing file is no row; a bad one names file:line:col. */
    snprintf(path, sizeof path, "%s/eval.json", dir);
    ck_assert_int_eq(gl_cmp_eval_json_read(path, &row, &err), GL_OK);
    ck_assert_int_eq(row.n_rows, 0);
    /* A run directory's eval.json joins its eval.csv. */
    write_text(dir, "eval.json", json);
    gl_cmp_run run;
    ck_assert_msg(gl_cmp_run_load(dir, lookup, NULL, &run, &err) == GL_OK, "%s", err.text);
    ck_assert_int_eq(run.eval.n_rows, 3);
    ck_assert_int_eq(gl_cmp_csv_col(&run.eval, "classifier.fd"), 3);
    gl_cmp_run_free(&run);
    write_text(dir, "eval.json", "{\"step\": x}");
    ck_assert_int_eq(gl_cmp_run_load(dir, lookup, NULL, &run, &err), GL_ERR_INPUT);
    ck_assert_ptr_nonnull(strstr(err.text, "eval.json:1:10: not a JSON value"));
    assert_json_fault("{\"step\": 1, \"m\": {\"a\": \"x\"}}",
                      "e.json: m.a is not a number or null");
    assert_json_fault("{\"m\": {\"a\": 1}}", "e.json: \"step\" must be a whole number >= 0");
    assert_json_fault("{\"step\": -1}", "\"step\" must be a whole number >= 0");
    assert_json_fault("{\"step\": 1.5}", "\"step\" must be a whole number >= 0");
    assert_json_fault("{\"step\": 1, \"m\": 3}", "\"m\" is not an object of metrics");
    assert_json_fault("{\"step\": 1, \"m\": {\"a\": 1, \"a\": 2}}",
                      "the metric m.a is given twice");
    assert_json_fault("{\"step\": 1} {", "e.json:1:13: text after the JSON value");
    assert_json_fault("[1, 2]", "e.json: not a JSON object");
    assert_json_fault("{\"step\": 1, \"m\": {\"a\": [1]}}", "m.a is not a number or null");
    assert_json_fault("{\"step\": 1,", "e.json:1:12:");
    assert_json_fault("", "e.json:1:1: unexpected end of the input");
    char deep[200] = "{\"step\": 1, \"protocol\": ";
    for (int i = 0; i < 80; i++)
        strcat(deep, "[");
    assert_json_fault(deep, "nested deeper than 64 levels");
}
END_TEST

/* Column index of name in t. */
static int col_of(const gl_cmp_table *t, const char *name)
{
    for (int c = 0; c < t->n_cols; c++)
        if (strcmp(t->cols[c], name) == 0)
            return c;
    ck_abort_msg("no column %s", name);
    return -1;
}

static void assert_points(const gl_cmp_line *l, int n, const double *x, const double *mean,
                          const double *lo, const double *hi)
{
    ck_assert_int_eq(l->n, n);
    for (int i = 0; i < n; i++) {
        ck_assert_double_eq_tol(l->x[i], x[i], 1e-12);
        ck_assert_double_eq_tol(l->mean[i], mean[i], 1e-12);
        ck_assert_double_eq_tol(l->lo[i], lo[i], 1e-12);
        ck_assert_double_eq_tol(l->hi[i], hi[i], 1e-12);
    }
}

/* PacGAN's model.pack = m: D sees m x batch_size real items per update, and the tables and the
 * images axis count them (a model without the parameter, or with it unset, packs 1). */
static const gl_param_spec packer_params[] = {
    {"pack", GL_PARAM_INT, "1", 0, 1, 4, NULL, "samples per D input"}, {NULL}};

static int packer_lookup(void *ud, const char *section, gl_plugin_kind kind,
                         const char *plugin_name, const char *where, const gl_param_spec **schema,
                         gl_error *err)
{
    *schema = strcmp(plugin_name, "packer") == 0 ? packer_params : NULL;
    return GL_OK;
}

START_TEST(packed_runs_count_every_real_item)
{
    static const char *const models[3] = {"{plugin: packer, pack: 3}", "{plugin: packer}",
                                          "{plugin: stub}"};
    static const int64_t want[3] = {96, 32, 32};
    for (int i = 0; i < 3; i++) {
        char dir[1024], cfg[1024];
        snprintf(dir, sizeof dir, "%s/packed%d", root, i);
        ck_assert_int_eq(mkdir(dir, 0777), 0);
        snprintf(cfg, sizeof cfg,
                 "experiment: {name: packed%d, seed: 1}\ndataset: {plugin: stub}\nmodel: %s\n"
                 "loss: {plugin: stub}\n"
                 "optimizer: {generator: {plugin: stub}, discriminator: {plugin: stub}}\n"
                 "train: {steps: 10, batch_size: 32}\n",
                 i, models[i]);
        write_text(dir, "config.yaml", cfg);
        write_text(dir, "metrics.csv", "step,epoch,d_loss,g_loss\n10,0,1,1\n");
        gl_cmp_run run;
        gl_error err;
        gl_error_init(&err);
        ck_assert_msg(gl_cmp_run_load(dir, packer_lookup, NULL, &run, &err) == GL_OK, "%s",
                      err.text);
        ck_assert_int_eq(run.batch_size, want[i]);
        gl_cmp_run_free(&run);
    }
}
END_TEST

/* A budget in epochs is the total_steps run.json records for the latest start or resume, so a run
 * stopped half way is not taken as complete; without a record it is the last logged step. */
START_TEST(epoch_budgets_from_run_json)
{
    static const struct {
        const char *json; /* NULL: no run.json */
        long long total;  /* gl_cmp_recorded_total */
        long long budget;
    } cases[] = {
        {NULL, -1, 40},
        {"{\"threads\": 1, \"total_steps\": 300, \"resumes\": []}", 300, 300},
        {"{\"total_steps\": 300, \"resumes\": [{\"step\": 40, \"total_steps\": 400}]}", 400, 400},
        {"{\"total_steps\": 300, \"resumes\": [{\"step\": 40}]}", -1, 40}, /* an older ganlab */
        {"{\"total_steps\": 300,", -1, 40},                                /* damaged */
        {"{\"total_steps\": \"300\"}", -1, 40},
    };
    char dir[1024];
    snprintf(dir, sizeof dir, "%s/epochs", root);
    ck_assert_int_eq(mkdir(dir, 0777), 0);
    write_text(dir, "config.yaml",
               "experiment: {name: epochs, seed: 1}\ndataset: {plugin: stub}\nmodel: {plugin: "
               "stub}\nloss: {plugin: stub}\n"
               "optimizer: {generator: {plugin: stub}, discriminator: {plugin: stub}}\n"
               "train: {steps: 0, epochs: 3, batch_size: 32}\n");
    write_text(dir, "metrics.csv", "step,epoch,d_loss,g_loss\n20,1,1,1\n40,1,1,1\n");
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        char path[1100];
        snprintf(path, sizeof path, "%s/run.json", dir);
        unlink(path);
        if (cases[i].json)
            write_text(dir, "run.json", cases[i].json);
        ck_assert_int_eq(gl_cmp_recorded_total(dir), cases[i].total);
        gl_cmp_run run;
        gl_error err;
        gl_error_init(&err);
        ck_assert_msg(gl_cmp_run_load(dir, lookup, NULL, &run, &err) == GL_OK, "%s", err.text);
        ck_assert_int_eq(run.budget, cases[i].budget);
        gl_cmp_run_free(&run);
    }
    /* A FIFO in its place is not waited on (suite --status would hang): no record. */
    char path[1100];
    snprintf(path, sizeof path, "%s/run.json", dir);
    unlink(path);
    ck_assert_int_eq(mkfifo(path, 0600), 0);
    ck_assert_int_eq(gl_cmp_recorded_total(dir), -1);
}
END_TEST

START_TEST(chart_lines_bands_and_x_axes)
{
    gl_cmp_run runs[N_FAKES];
    char dirs[N_FAKES][600];
    gl_cmp_variant *v;
    int nv;
    gl_cmp_table t;
    gl_error err;
    gl_error_init(&err);
    load_table(runs, dirs, &v, &nv, &t);
    gl_cmp_chart c;
    /* d_loss of A: seeds 1 (1, 1) and 2 (9, 3) at steps 50 and 100; B only seed 1 (B-s2 stopped
     * early); C to step 200. */
    ck_assert_int_eq(
        gl_cmp_chart_build(runs, v, &t, col_of(&t, "d_loss"), GL_CMP_X_STEPS, &c, &err), GL_OK);
    ck_assert_str_eq(c.title, "d_loss (loss: no better direction)");
    ck_assert_str_eq(c.xlabel, "generator step");
    ck_assert_int_eq(c.n_lines, 3);
    assert_points(&c.lines[0], 2, (double[]){50, 100}, (double[]){5, 2}, (double[]){1, 1},
                  (double[]){9, 3});
    assert_points(&c.lines[1], 1, (double[]){100}, (double[]){-1}, (double[]){-1}, (double[]){-1});
    assert_points(&c.lines[2], 2, (double[]){100, 200}, (double[]){7, 9}, (double[]){7, 9},
                  (double[]){7, 9});
    gl_cmp_chart_free(&c);
    /* Images: step x n_critic x batch_size of each variant. */
    ck_assert_int_eq(
        gl_cmp_chart_build(runs, v, &t, col_of(&t, "d_loss"), GL_CMP_X_IMAGES, &c, &err), GL_OK);
    ck_assert_double_eq(c.lines[0].x[1], 100.0 * 1 * 64);
    ck_assert_double_eq(c.lines[1].x[0], 100.0 * 5 * 32);
    gl_cmp_chart_free(&c);
    /* Wall time: A-s1 logged 1 s at 50, 2 s at 100; A-s2 only 4 s at 100, so 2 s at 50 (linear
     * from 0 s at step 0): means 1.5 and 3. */
    ck_assert_int_eq(gl_cmp_chart_build(runs, v, &t, col_of(&t, "d_loss"), GL_CMP_X_WALL, &c, &err),
                     GL_OK);
    ck_assert_str_eq(c.xlabel, "wall time (s)");
    assert_points(&c.lines[0], 2, (double[]){1.5, 3}, (double[]){5, 2}, (double[]){1, 1},
                  (double[]){9, 3});
    ck_assert_double_eq(c.lines[2].x[1], 10);
    gl_cmp_chart_free(&c);
    /* C has no eval.csv: no line, so no legend entry; B's line keeps B's colour (index 1). */
    ck_assert_int_eq(
        gl_cmp_chart_build(runs, v, &t, col_of(&t, "modes2d.modes"), GL_CMP_X_STEPS, &c, &err),
        GL_OK);
    ck_assert_int_eq(c.n_lines, 2);
    ck_assert_str_eq(c.lines[1].name, "B");
    ck_assert_int_eq(c.lines[1].variant, 1);
    ck_assert_str_eq(c.title, "modes2d.modes (higher is better)");
    gl_cmp_chart_free(&c);
    gl_cmp_x x;
    ck_assert_int_eq(gl_cmp_x_parse("images", "--x", &x, &err), GL_OK);
    ck_assert_int_eq(x, GL_CMP_X_IMAGES);
    ck_assert_int_eq(gl_cmp_x_parse("epochs", "--x", &x, &err), GL_ERR_INPUT);
    ck_assert_ptr_nonnull(strstr(err.text, "--x: 'epochs' is not an x axis (steps|images|wall)"));
    gl_cmp_table_free(&t);
    gl_cmp_variants_free(v, nv);
    for (int i = 0; i < N_FAKES; i++)
        gl_cmp_run_free(&runs[i]);
}
END_TEST

/* The text of the <svg> element whose <title> is title, in html (malloc'd). */
static char *svg_of(const char *html, const char *title)
{
    char key[256];
    snprintf(key, sizeof key, "<title>%s</title>", title);
    const char *t = strstr(html, key);
    ck_assert_msg(t != NULL, "no chart %s", title);
    const char *start = t;
    while (start > html && strncmp(start, "<svg", 4) != 0)
        start--;
    const char *end = strstr(t, "</svg>");
    ck_assert_ptr_nonnull(end);
    return strndup(start, (size_t)(end - start));
}

/* ---------------------------------------------------------------- the report */

START_TEST(report_files_and_values)
{
    char dirs[N_FAKES][600];
    const char *list[N_FAKES];
    for (int i = 0; i < N_FAKES; i++) {
        make_run(&fakes[i], dirs[i], sizeof dirs[i]);
        list[i] = dirs[i];
    }
    char out[700], path[1024], got[1024];
    snprintf(out, sizeof out, "%s/report", root);
    const char *notes[] = {"run X-s9 failed (exit 2)"};
    /* A published row (a suite's reference:) with one value of a measured column and one not. */
    char *keys[] = {"modes2d.modes", "modes2d.hq_pct"}, *values[] = {"23.8 +- 0.7", "91.3"};
    gl_suite_ref ref = {"PacGAN2", "PacGAN Table 1", keys, values, 2};
    gl_compare_opts o = {
        .title = "Test", .notes = notes, .n_notes = 1, .lookup = lookup, .refs = &ref, .n_refs = 1};
    gl_error err;
    gl_error_init(&err);
    ck_assert_msg(gl_compare_report(list, N_FAKES, out, &o, got, sizeof got, &err) == GL_OK, "%s",
                  err.text);
    snprintf(path, sizeof path, "%s/report.html", out);
    ck_assert_str_eq(got, path);

    snprintf(path, sizeof path, "%s/report.md", out);
    char *md = slurp(path);
    ck_assert_ptr_nonnull(strstr(md, "# Test\n"));
    ck_assert_ptr_nonnull(strstr(md, "compared at generator step 100"));
    ck_assert_msg(strstr(md,
                         "| variant | seeds | images seen by D | wall time (s) | modes2d.modes ↑ "
                         "| modes2d.kl ↓ | d_loss | g_loss |\n") != NULL,
                  "%s", md);
    /* Mean ± sample std over seeds; the best mean of a metric with a direction in bold. */
    ck_assert_msg(strstr(md, "| A | 2 | 6400 | 3 ± 1.4 | **7 ± 1.4** | **1 ± 0.71** | 2 ± 1.4 | "
                             "4 ± 1.4 |\n") != NULL,
                  "%s", md);
    ck_assert_msg(strstr(md, "| B | 1 of 2 | 16000 | 10 | 5 | 2 | -1 | 0.5 |\n") != NULL, "%s", md);
    ck_assert_msg(strstr(md, "| C | 1 | 6400 | 5 | - | - | 7 | 1.5 |\n") != NULL, "%s", md);
    ck_assert_msg(strstr(md,
                         "| C | 1 | 6400 | 5 | - | - | 7 | 1.5 |\n"
                         "| PacGAN2 (published) | - | - | - | 23.8 +- 0.7 |  |  |  |\n") != NULL,
                  "%s", md);
    ck_assert_msg(strstr(md, "- **PacGAN2**: PacGAN Table 1; modes2d.hq_pct = 91.3 has no measured "
                             "column\n") != NULL,
                  "%s", md);
    ck_assert_msg(strstr(md, "| variant | d_real | gp |\n") != NULL, "%s", md);
    ck_assert_msg(strstr(md, "| A | 0.5 ± 0.35 | - |\n") != NULL, "%s", md);
    ck_assert_ptr_nonnull(
        strstr(md, "![modes2d.modes (higher is better)](charts/00_modes2d.modes.png)"));
    ck_assert_ptr_nonnull(strstr(md, "(charts/03_g_loss.png)"));
    ck_assert_ptr_null(strstr(md, "charts/04_")); /* loss terms are not charted */
    ck_assert_ptr_nonnull(strstr(md, "samples/00_A.png"));
    ck_assert_ptr_null(strstr(md, "samples/01_B.png")); /* B's seed with samples is left out */
    ck_assert_ptr_nonnull(strstr(md, "B-s2 (seed 2) is not in the table: stopped at step 50"));
    ck_assert_ptr_nonnull(strstr(md, "C-s1 (seed 1) has no eval.csv or eval.json"));
    ck_assert_ptr_nonnull(strstr(md, "trained to step 200; its values are those at step 100"));
    ck_assert_ptr_nonnull(strstr(md, "- run X-s9 failed (exit 2)\n"));
    ck_assert_ptr_nonnull(strstr(md, "loss.plugin: stub -> other"));
    free(md);

    /* The newest sample of A's first seed, copied. */
    uint8_t *px;
    int w, h, c;
    snprintf(path, sizeof path, "%s/samples/00_A.png", out);
    ck_assert_int_eq(gl_png_read(path, &px, &w, &h, &c, &err), GL_OK);
    ck_assert_int_eq(px[0], 200);
    free(px);
    snprintf(path, sizeof path, "%s/charts/01_modes2d.kl.png", out);
    ck_assert_int_eq(gl_png_read(path, &px, &w, &h, &c, &err), GL_OK);
    ck_assert_int_eq(w, 900);
    free(px);

    snprintf(path, sizeof path, "%s/report.html", out);
    char *html = slurp(path);
    /* Charts are inline SVG, the samples embedded PNGs; nothing links outside the file. */
    ck_assert_ptr_null(strstr(html, "<img alt=\"modes2d.modes"));
    ck_assert_ptr_nonnull(strstr(html, "src=\"data:image/png;base64,iVBORw0KGgo"));
    ck_assert_ptr_null(strstr(html, "src=\"charts/"));
    ck_assert_ptr_nonnull(strstr(html, "<div class=\"charts\">\n<svg class=\"chart\""));
    /* The spread goes under the mean; headers may break after a '.'. */
    ck_assert_msg(
        strstr(html, "<td>A</td><td>2</td><td>6400</td><td>3<br><span class=\"sd\">± "
                     "1.4</span></td><td><b>7<br><span class=\"sd\">± 1.4</span></b></td>") != NULL,
        "%s", html);
    ck_assert_ptr_nonnull(strstr(html, "<th>modes2d.<wbr>modes ↑</th>"));
    ck_assert_msg(strstr(html, "<td>PacGAN2 (published)</td><td>-</td><td>-</td><td>-</td><td>23.8 "
                               "+- 0.7</td>") != NULL,
                  "%s", html);
    /* Every text size is at least 12 px. */
    for (const char *p = html; (p = strstr(p, "font-size")) != NULL; p++) {
        const char *num = p + strcspn(p, "0123456789");
        ck_assert_int_ge(atoi(num), 12);
    }
    /* modes2d.modes: the caption is the chart's title; A (two seeds: 8 and 6 at step 100) has a
     * band in its colour, B (one seed in the table) none; C has no data and no legend entry. */
    char *svg = svg_of(html, "modes2d.modes (higher is better)");
    ck_assert_ptr_nonnull(strstr(svg, ">modes2d.modes (higher is better)</text>"));
    ck_assert_ptr_nonnull(strstr(svg, "<polygon fill-opacity=\"0.18\" fill=\"#1f77b4\""));
    ck_assert_ptr_null(strstr(svg, "fill=\"#ff7f0e\" points")); /* B: no band */
    ck_assert_ptr_nonnull(strstr(svg, "<polyline fill=\"none\" stroke-width=\"2\" "
                                      "stroke-linejoin=\"round\" stroke=\"#ff7f0e\""));
    ck_assert_ptr_nonnull(strstr(svg, ">A</text>"));
    ck_assert_ptr_nonnull(strstr(svg, ">B</text>"));
    ck_assert_ptr_null(strstr(svg, ">C</text>"));
    ck_assert_ptr_nonnull(strstr(svg, ">generator step</text>"));
    free(svg);
    /* d_loss: all three variants have data. */
    svg = svg_of(html, "d_loss (loss: no better direction)");
    ck_assert_ptr_nonnull(strstr(svg, ">C</text>"));
    free(svg);
    free(html);
}
END_TEST

START_TEST(report_without_eval_says_so)
{
    char dir[600], early[600];
    make_run(&fakes[4], dir, sizeof dir);
    /* A run that failed before its first metrics row: an empty metrics.csv. */
    fake e = fakes[4];
    e.name = "E-s1";
    e.metrics = "";
    e.loss = "other";
    make_run(&e, early, sizeof early);
    const char *list[] = {dir, "/nonexistent/run", early};
    char out[700], path[1024], got[1024];
    snprintf(out, sizeof out, "%s/r", root);
    gl_compare_opts o = {.lookup = lookup};
    gl_error err;
    gl_error_init(&err);
    /* An unreadable run is an error for `compare`, a note for a suite. */
    ck_assert_int_eq(gl_compare_report(list, 3, out, &o, got, sizeof got, &err), GL_ERR_INPUT);
    ck_assert_ptr_nonnull(strstr(err.text, "/nonexistent/run"));
    o.skip_unreadable = 1;
    gl_error_init(&err);
    ck_assert_msg(gl_compare_report(list, 3, out, &o, got, sizeof got, &err) == GL_OK, "%s",
                  err.text);
    snprintf(path, sizeof path, "%s/report.md", out);
    char *md = slurp(path);
    ck_assert_ptr_nonnull(strstr(md, "# Comparison\n"));
    ck_assert_ptr_nonnull(strstr(md, "no run has evaluation results (eval.csv or eval.json), "
                                     "so the table shows the losses only"));
    ck_assert_ptr_nonnull(strstr(md, "| C | 1 | 12800 | 10 | 9 | 2.5 |\n")); /* at step 200 */
    ck_assert_ptr_nonnull(strstr(md, "/nonexistent/run was left out"));
    ck_assert_ptr_nonnull(strstr(md, "E-s1 (seed 1) is not in the table: logged no step"));
    free(md);
}
END_TEST

START_TEST(report_warns_when_datasets_differ)
{
    char a[600], b[600], path[1024], got[1024], out[700];
    make_run(&fakes[4], a, sizeof a);
    fake f = fakes[4];
    f.name = "D-s1";
    make_run(&f, b, sizeof b);
    snprintf(path, sizeof path, "%s/config.yaml", b);
    char *cfg = slurp(path), *at = strstr(cfg, "dataset: {plugin: stub}");
    ck_assert_ptr_nonnull(at);
    memcpy(at, "dataset: {plugin: real}", 23);
    write_text(b, "config.yaml", cfg);
    free(cfg);
    const char *list[] = {a, b};
    snprintf(out, sizeof out, "%s/w", root);
    gl_compare_opts o = {.lookup = lookup};
    gl_error err;
    gl_error_init(&err);
    ck_assert_msg(gl_compare_report(list, 2, out, &o, got, sizeof got, &err) == GL_OK, "%s",
                  err.text);
    snprintf(path, sizeof path, "%s/report.md", out);
    char *md = slurp(path);
    ck_assert_msg(strstr(md, "> **Warning**: the runs do not all train on the same data (D: "
                             "dataset.plugin: stub -> real, against C), so their metrics are not "
                             "comparable.") != NULL,
                  "%s", md);
    free(md);
    /* The same data: no warning. */
    ck_assert_int_eq(gl_compare_report(list, 1, out, &o, got, sizeof got, &err), GL_OK);
    md = slurp(path);
    ck_assert_ptr_null(strstr(md, "Warning"));
    free(md);
}
END_TEST

/* A suite directory root/suite with runs/NAME made from fake f (steps 100), its last checkpoint at
 * step ck (none when < 0) and logs/NAME.status = status (none when < 0). */
static void suite_run(const char *name, int last_step, int ck, int status)
{
    char dir[700], path[1024], sub[700];
    snprintf(sub, sizeof sub, "%s/suite", root);
    mkdir(sub, 0777);
    snprintf(path, sizeof path, "%s/suite/logs", root);
    mkdir(path, 0777);
    snprintf(path, sizeof path, "%s/suite/runs", root);
    mkdir(path, 0777);
    fake f = fakes[0];
    char metrics[200], full[200];
    snprintf(full, sizeof full, "suite/runs/%s", name);
    f.name = full;
    snprintf(metrics, sizeof metrics, "step,epoch,d_loss,g_loss\n%d,1,1,1\n", last_step);
    f.metrics = metrics;
    make_run(&f, dir, sizeof dir);
    snprintf(path, sizeof path, "%s/checkpoints", dir);
    ck_assert_int_eq(mkdir(path, 0777), 0);
    if (ck >= 0) {
        snprintf(path, sizeof path, "checkpoints/step_%08d.ckpt", ck);
        write_text(dir, path, "x");
    }
    if (status >= 0) {
        char text[16];
        snprintf(text, sizeof text, "%d\n", status);
        snprintf(path, sizeof path, "%s/suite/logs", root);
        snprintf(full, sizeof full, "%s.status", name);
        write_text(path, full, text);
    }
}

static gl_run_state state_of(const char *name, gl_run_status *st)
{
    char sdir[700];
    snprintf(sdir, sizeof sdir, "%s/suite", root);
    gl_error err;
    gl_error_init(&err);
    ck_assert_msg(gl_run_status_get(sdir, name, lookup, NULL, st, &err) == GL_OK, "%s", err.text);
    return st->state;
}

START_TEST(suite_run_states_from_files)
{
    gl_run_status st;
    suite_run("done-s1", 100, 100, -1);   /* reached train.steps with its last checkpoint */
    suite_run("stopped-s1", 60, 50, 143); /* SIGTERM after a checkpoint */
    suite_run("early-s1", 10, -1, 130);   /* stopped before any checkpoint */
    suite_run("failed-s1", 20, -1, 2);    /* exit 2 */
    suite_run("killed-s1", 100, 50, -1);  /* killed after logging step 100, before its ckpt */
    suite_run("requeued-s1", 70, 70, 75); /* stopped to be requeued */
    ck_assert_int_eq(state_of("done-s1", &st), GL_RUN_DONE);
    ck_assert_int_eq(st.step, 100);
    ck_assert_int_eq(st.total, 100);
    ck_assert_int_eq(state_of("stopped-s1", &st), GL_RUN_INTERRUPTED);
    ck_assert_int_eq(st.step, 60);
    ck_assert_int_eq(st.exit_code, 143);
    ck_assert_int_eq(state_of("early-s1", &st), GL_RUN_PENDING);
    ck_assert_int_eq(state_of("failed-s1", &st), GL_RUN_FAILED);
    ck_assert_int_eq(state_of("killed-s1", &st), GL_RUN_INTERRUPTED);
    ck_assert_int_eq(state_of("requeued-s1", &st), GL_RUN_INTERRUPTED);
    ck_assert_int_eq(state_of("never-s1", &st), GL_RUN_PENDING);
    ck_assert_str_eq(st.dir, "");
    ck_assert_int_eq(st.total, -1);
    ck_assert_str_eq(gl_run_state_name(GL_RUN_INTERRUPTED), "interrupted");

    /* Running: a run.lock held by a live process (here this one, through another open file). */
    char path[1024], sdir[700];
    snprintf(path, sizeof path, "%s/suite/runs/stopped-s1/run.lock", root);
    int fd = open(path, O_RDWR | O_CREAT, 0644);
    ck_assert_int_ge(fd, 0);
    ck_assert_int_eq(state_of("stopped-s1", &st), GL_RUN_INTERRUPTED); /* free lock */
    ck_assert_int_eq(flock(fd, LOCK_EX | LOCK_NB), 0);
    ck_assert_int_eq(state_of("stopped-s1", &st), GL_RUN_RUNNING);
    /* A run.lock naming a dead process of this host is stale: not even tried (a try-lock could
     * race a training that starts). */
    char host[256], text[300];
    ck_assert_int_eq(gethostname(host, sizeof host), 0);
    host[sizeof host - 1] = '\0';
    pid_t dead = fork();
    if (dead == 0)
        _exit(0);
    ck_assert_int_eq(waitpid(dead, NULL, 0), dead);
    snprintf(text, sizeof text, "%s:%ld\n", host, (long)dead);
    ck_assert_int_eq(pwrite(fd, text, strlen(text), 0), (ssize_t)strlen(text));
    ck_assert_int_eq(state_of("stopped-s1", &st), GL_RUN_INTERRUPTED);
    close(fd);
    ck_assert_int_eq(state_of("stopped-s1", &st), GL_RUN_INTERRUPTED);
    /* Without a run.lock: the launcher's pid file, while that process lives. */
    snprintf(sdir, sizeof sdir, "%s/suite", root);
    gl_error err;
    gl_error_init(&err);
    ck_assert_int_eq(gl_run_mark_started(sdir, "failed-s1", getpid(), &err), GL_OK);
    ck_assert_int_eq(state_of("failed-s1", &st), GL_RUN_RUNNING);
    ck_assert_int_eq(st.exit_code, -1); /* the earlier attempt's status is gone */
    ck_assert_int_eq(gl_run_mark_ended(sdir, "failed-s1", 2, &err), GL_OK);
    ck_assert_int_eq(state_of("failed-s1", &st), GL_RUN_FAILED);
    snprintf(path, sizeof path, "%s/suite/logs/failed-s1.pid", root);
    ck_assert_int_ne(access(path, F_OK), 0);
    /* A fresh start after a failure makes NAME-2: the newest attempt counts. */
    suite_run("failed-s1-2", 100, 100, -1);
    ck_assert_int_eq(state_of("failed-s1", &st), GL_RUN_DONE);
    ck_assert_ptr_nonnull(strstr(st.dir, "/suite/runs/failed-s1-2"));
}
END_TEST

int main(void)
{
    Suite *s = suite_create("compare");
    TCase *tc = tcase_create("compare");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, mean_std_over_finite_values);
    tcase_add_test(tc, seed_suffixes_and_directions);
    tcase_add_test(tc, csv_rows_partial_line_and_faults);
    tcase_add_test(tc, runs_group_into_variants_by_config);
    tcase_add_test(tc, same_names_get_the_differing_keys);
    tcase_add_test(tc, table_compares_at_equal_generator_steps_or_a_chosen_one);
    tcase_add_test(tc, eval_json_is_one_more_row);
    tcase_add_test(tc, packed_runs_count_every_real_item);
    tcase_add_test(tc, epoch_budgets_from_run_json);
    tcase_add_test(tc, chart_lines_bands_and_x_axes);
    tcase_add_test(tc, report_files_and_values);
    tcase_add_test(tc, report_without_eval_says_so);
    tcase_add_test(tc, report_warns_when_datasets_differ);
    tcase_add_test(tc, suite_run_states_from_files);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}

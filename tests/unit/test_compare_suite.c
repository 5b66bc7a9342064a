/* test_compare_suite.c - config/suite.h and compare/jobs.h: the suite file parser (what it reads,
 * and every fault with its FILE:LINE:COL), and the pool of child processes (exit statuses, output
 * files, the parallel limit, a stop signal forwarded to the children). */
#include <check.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "compare/jobs.h"
#include "config/suite.h"
#include "fixture.h"

static char root[512];

static void setup(void)
{
    ck_assert_int_eq(fx_tempdir(root, sizeof root), GL_OK);
    char path[700];
    snprintf(path, sizeof path, "%s/exp.yaml", root);
    FILE *f = fopen(path, "w");
    ck_assert_ptr_nonnull(f);
    fputs("train: {steps: 1}\n", f);
    fclose(f);
}

static void teardown(void) { fx_rmtree(root); }

/* Writes text to root/suite.yaml and loads it. */
static int load(const char *text, gl_suite **s, gl_error *err)
{
    char path[700];
    snprintf(path, sizeof path, "%s/suite.yaml", root);
    FILE *f = fopen(path, "w");
    ck_assert_ptr_nonnull(f);
    fputs(text, f);
    fclose(f);
    gl_error_init(err);
    return gl_suite_load(path, s, err);
}

/* Asserts that err has a line ending in "suite.yaml:<where>: <msg>..." */
static void has_fault(const gl_error *err, const char *where_msg)
{
    char want[512];
    snprintf(want, sizeof want, "suite.yaml:%s", where_msg);
    ck_assert_msg(strstr(err->text, want) != NULL, "expected '%s' in:\n%s", want, err->text);
}

START_TEST(reads_a_suite)
{
    gl_suite *s;
    gl_error err;
    int rc = load("name: toy\n"
                  "seeds: [3, 1]\n"
                  "overrides: [train.steps=5, 'train.batch_size=8']\n"
                  "runs:\n"
                  "  - config: exp.yaml\n"
                  "  - config: ./exp.yaml\n"
                  "    overrides: [train.n_critic=5]\n"
                  "    name: wgan.v2\n",
                  &s, &err);
    ck_assert_msg(rc == GL_OK, "%s", err.text);
    ck_assert_str_eq(s->name, "toy");
    ck_assert_int_eq(s->n_seeds, 2);
    ck_assert_int_eq(s->seeds[0], 3);
    ck_assert_int_eq(s->seeds[1], 1);
    ck_assert_int_eq(s->n_overrides, 2);
    ck_assert_str_eq(s->overrides[1], "train.batch_size=8");
    ck_assert_int_eq(s->n_runs, 2);
    ck_assert_str_eq(s->runs[0].name, "exp"); /* the config's base name */
    char want[700];
    snprintf(want, sizeof want, "%s/exp.yaml", root);
    ck_assert_str_eq(s->runs[0].config, want); /* relative to the suite file, absolute */
    ck_assert_str_eq(s->runs[1].config, want);
    ck_assert_int_eq(s->runs[0].n_overrides, 0);
    ck_assert_int_eq(s->runs[1].n_overrides, 1);
    ck_assert_str_eq(s->runs[1].overrides[0], "train.n_critic=5");
    ck_assert_str_eq(s->runs[1].name, "wgan.v2");
    gl_suite_destroy(s);

    /* name defaults to the file's base name; overrides may be left empty. */
    ck_assert_int_eq(load("seeds: [0]\noverrides:\nruns: [{config: exp.yaml}]\n", &s, &err), GL_OK);
    ck_assert_str_eq(s->name, "suite");
    ck_assert_int_eq(s->n_overrides, 0);
    gl_suite_destroy(s);
}
END_TEST

START_TEST(sweep_and_report_sections)
{
    gl_suite *s;
    gl_error err;
    int rc = load("seeds: [1]\n"
                  "runs: [{config: exp.yaml}]\n"
                  "sweep:\n"
                  "  loss.lambda: [1, 1e-4]\n"
                  "  model.g_hidden: [[64, 64], 'a, b', {k: v}]\n"
                  "report: {x: wall}\n",
                  &s, &err);
    ck_assert_msg(rc == GL_OK, "%s", err.text);
    ck_assert_int_eq(s->n_sweep, 2);
    ck_assert_str_eq(s->sweep[0].key, "loss.lambda");
    ck_assert_int_eq(s->sweep[0].n, 2);
    ck_assert_str_eq(s->sweep[0].values[1], "1e-4");
    ck_assert_str_eq(s->sweep[1].values[0], "[64, 64]"); /* as override text */
    ck_assert_str_eq(s->sweep[1].values[1], "\"a, b\"");
    ck_assert_str_eq(s->sweep[1].values[2], "{k: v}");
    ck_assert_ptr_nonnull(strstr(s->sweep[1].where, "suite.yaml:5:3"));
    ck_assert_str_eq(s->report_x, "wall");
    gl_suite_destroy(s);
    rc = load("seeds: [1]\nruns: [{config: exp.yaml}]\nsweep: [1]\nreport: {x: epochs, y: 1}\n", &s,
              &err);
    ck_assert_int_eq(rc, GL_ERR_INPUT);
    has_fault(&err, "3:8: 'sweep' expects a mapping of config keys to lists");
    has_fault(&err, "4:13: report x: 'epochs' is not an x axis (steps, images or wall)");
    has_fault(&err, "4:21: unknown key 'y' in report");
    rc = load("seeds: [1]\nruns: [{config: exp.yaml}]\nsweep: {a.b: 1, c.d: []}\n", &s, &err);
    ck_assert_int_eq(rc, GL_ERR_INPUT);
    has_fault(&err, "3:14: sweep of 'a.b' expects a non-empty list of values");
    has_fault(&err, "3:22: sweep of 'c.d' expects a non-empty list of values");
}
END_TEST

/* reference: rows of published numbers, kept as written; faults with their positions. */
START_TEST(reference_rows)
{
    gl_suite *s;
    gl_error err;
    int rc = load("seeds: [1]\n"
                  "runs: [{config: exp.yaml}]\n"
                  "reference:\n"
                  "  - name: PacGAN2\n"
                  "    source: PacGAN (Lin et al. 2018), Table 1\n"
                  "    values: {modes2d.modes: 23.8 +- 0.7, modes2d.kl: 0.13}\n"
                  "  - {name: GAN, source: VEEGAN Table 1, values: {modes2d.modes: 3.3}}\n",
                  &s, &err);
    ck_assert_msg(rc == GL_OK, "%s", err.text);
    ck_assert_int_eq(s->n_refs, 2);
    ck_assert_str_eq(s->refs[0].name, "PacGAN2");
    ck_assert_str_eq(s->refs[0].source, "PacGAN (Lin et al. 2018), Table 1");
    ck_assert_int_eq(s->refs[0].n, 2);
    ck_assert_str_eq(s->refs[0].keys[0], "modes2d.modes");
    ck_assert_str_eq(s->refs[0].values[0], "23.8 +- 0.7");
    ck_assert_str_eq(s->refs[0].values[1], "0.13");
    ck_assert_str_eq(s->refs[1].values[0], "3.3");
    gl_suite_destroy(s);
    rc = load("seeds: [1]\n"
              "runs: [{config: exp.yaml}]\n"
              "reference:\n"
              "  - {name: a, source: b}\n"
              "  - {name: a, source: b, values: [1], sorce: c}\n"
              "  - {name: a, source: b, values: {x: [1]}}\n"
              "  - 7\n",
              &s, &err);
    ck_assert_int_eq(rc, GL_ERR_INPUT);
    has_fault(&err, "4:5: this reference row lacks 'values'");
    has_fault(&err, "5:39: unknown key 'sorce' in a reference row (did you mean 'source'?)");
    has_fault(&err, "5:34: 'values' expects a mapping of metric columns");
    has_fault(&err, "6:38: 'x' expects a published number (as text)");
    has_fault(&err, "7:5: each reference row is a mapping");
    ck_assert_int_eq(load("seeds: [1]\nruns: [{config: exp.yaml}]\nreference: {a: 1}\n", &s, &err),
                     GL_ERR_INPUT);
    has_fault(&err, "3:12: 'reference' expects a non-empty list of rows");
}
END_TEST

START_TEST(every_fault_with_its_position)
{
    gl_suite *s = (gl_suite *)1;
    gl_error err;
    int rc = load("name: a/b\n"
                  "sedes: [1]\n"
                  "seeds: [1, x, 1, -2]\n"
                  "overrides: [train.steps]\n"
                  "runs:\n"
                  "  - config: missing.yaml\n"
                  "  - overides: [a=1]\n"
                  "    config: exp.yaml\n"
                  "  - config: exp.yaml\n"
                  "  - 5\n",
                  &s, &err);
    ck_assert_int_eq(rc, GL_ERR_INPUT);
    ck_assert_ptr_null(s);
    has_fault(&err, "1:7: 'a/b' is not a usable name");
    has_fault(&err, "2:1: unknown key 'sedes' in a suite (did you mean 'seeds'?)");
    has_fault(&err, "3:12: a seed must be an integer >= 0, got 'x'");
    has_fault(&err, "3:15: seed 1 is given twice");
    has_fault(&err, "3:18: a seed must be an integer >= 0, got '-2'");
    has_fault(&err, "4:13: override 'train.steps' is not KEY=VALUE");
    has_fault(&err, "6:13: cannot read config 'missing.yaml'");
    has_fault(&err, "7:5: unknown key 'overides' in a run (did you mean 'overrides'?)");
    has_fault(&err, "9:5: a second run named 'exp' (the first is at line 7)");
    has_fault(&err, "10:5: each run is a mapping");
    ck_assert_int_eq(err.count, 10);
}
END_TEST

START_TEST(missing_parts_and_bad_yaml)
{
    gl_suite *s;
    gl_error err;
    ck_assert_int_eq(load("", &s, &err), GL_ERR_INPUT);
    ck_assert_ptr_nonnull(strstr(err.text, "suite.yaml: empty suite"));
    ck_assert_int_eq(load("name: x\n", &s, &err), GL_ERR_INPUT);
    has_fault(&err, "1:1: the suite has no 'seeds:'");
    has_fault(&err, "1:1: the suite has no 'runs:'");
    ck_assert_int_eq(load("seeds: 1\nruns: []\n", &s, &err), GL_ERR_INPUT);
    has_fault(&err, "1:8: 'seeds' expects a non-empty list of integers");
    has_fault(&err, "2:7: 'runs' expects a non-empty list of runs");
    ck_assert_int_eq(load("seeds: [1]\nruns:\n  - name: x\n", &s, &err), GL_ERR_INPUT);
    has_fault(&err, "3:5: this run has no 'config:'");
    ck_assert_int_eq(load("seeds: [1\nruns: x\n", &s, &err), GL_ERR_INPUT);
    ck_assert_msg(strstr(err.text, "suite.yaml:") && strstr(err.text, "YAML"), "%s", err.text);
    ck_assert_int_eq(load("- 1\n", &s, &err), GL_ERR_INPUT);
    has_fault(&err, "1:1: a suite is a mapping");
    /* A config that is no file ("" would be the suite's own directory) and a run name that
     * experiment.name would refuse later, far from this line. */
    ck_assert_int_eq(load("seeds: [1]\nruns:\n  - config: ''\n  - config: .\n"
                          "  - {config: exp.yaml, name: -x}\n",
                          &s, &err),
                     GL_ERR_INPUT);
    has_fault(&err, "3:13: 'config' names an empty file name");
    has_fault(&err, "4:13: config '.' is not a regular file");
    has_fault(&err, "5:30: '-x' is not a usable name");
}
END_TEST

/* ---------------------------------------------------------------- jobs */

static volatile sig_atomic_t got_signal;

static void on_term(int sig) { got_signal = sig; }

static int stop_flag(void) { return got_signal; }

typedef struct events {
    int started, finished, running, max_running;
} events;

static void count(void *ud, int i, const gl_job *job, int finished)
{
    events *e = ud;
    if (finished) {
        e->finished++;
        e->running--;
    } else {
        e->started++;
        if (++e->running > e->max_running)
            e->max_running = e->running;
    }
}

START_TEST(jobs_run_in_parallel_with_their_statuses)
{
    char out[4][700], log[4][700];
    char *const ok[] = {"/bin/sh", "-c", "echo first; echo /the/run; echo oops >&2", NULL};
    char *const fail[] = {"/bin/sh", "-c", "sleep 0.2; exit 3", NULL};
    char *const killed[] = {"/bin/sh", "-c", "kill -KILL $$", NULL};
    char *const missing[] = {"/nonexistent/program", NULL};
    char *const *argv[4] = {ok, fail, killed, missing};
    gl_job jobs[4];
    for (int i = 0; i < 4; i++) {
        snprintf(out[i], sizeof out[i], "%s/%d.out", root, i);
        snprintf(log[i], sizeof log[i], "%s/%d.log", root, i);
        jobs[i] = (gl_job){.argv = argv[i], .out_path = out[i], .log_path = log[i]};
    }
    events e = {0};
    gl_error err;
    gl_error_init(&err);
    ck_assert_int_eq(gl_jobs_run(jobs, 4, 2, NULL, count, &e, &err), GL_OK);
    ck_assert_int_eq(e.started, 4);
    ck_assert_int_eq(e.finished, 4);
    ck_assert_int_eq(e.max_running, 2);
    ck_assert_int_eq(jobs[0].status, 0);
    ck_assert_int_eq(jobs[1].status, 3);
    ck_assert_int_eq(jobs[2].status, 128 + SIGKILL);
    ck_assert_int_eq(jobs[3].status, 127);
    ck_assert(jobs[1].seconds >= 0.15);
    char line[64] = "";
    FILE *f = fopen(out[0], "r");
    ck_assert_ptr_nonnull(f);
    ck_assert_ptr_nonnull(fgets(line, sizeof line, f));
    ck_assert_str_eq(line, "first\n");
    fclose(f);
    f = fopen(log[0], "r");
    ck_assert_ptr_nonnull(fgets(line, sizeof line, f));
    ck_assert_str_eq(line, "oops\n");
    fclose(f);
    ck_assert_int_ge(gl_jobs_cores(), 1);
}
END_TEST

START_TEST(a_stop_signal_is_forwarded_and_waited_for)
{
    /* The child signals this process (as a Ctrl-C would), then waits to be stopped itself; the
     * second job must never start. */
    struct sigaction sa, old;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_term;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGTERM, &sa, &old);
    got_signal = 0;
    char out[2][700], log[2][700];
    char *const first[] = {"/bin/sh", "-c", "kill -TERM $PPID; exec sleep 30", NULL};
    char *const second[] = {"/bin/sh", "-c", "exit 0", NULL};
    gl_job jobs[2] = {{.argv = first}, {.argv = second}};
    for (int i = 0; i < 2; i++) {
        snprintf(out[i], sizeof out[i], "%s/s%d.out", root, i);
        snprintf(log[i], sizeof log[i], "%s/s%d.log", root, i);
        jobs[i].out_path = out[i];
        jobs[i].log_path = log[i];
    }
    events e = {0};
    gl_error err;
    gl_error_init(&err);
    ck_assert_int_eq(gl_jobs_run(jobs, 2, 1, stop_flag, count, &e, &err), 128 + SIGTERM);
    sigaction(SIGTERM, &old, NULL);
    ck_assert_int_eq(jobs[0].status, 128 + SIGTERM);
    ck_assert(jobs[0].seconds < 10);
    ck_assert_int_eq(jobs[1].status, -1);
    ck_assert_int_eq(e.started, 1);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("compare_suite");
    TCase *tc = tcase_create("suite");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, reads_a_suite);
    tcase_add_test(tc, sweep_and_report_sections);
    tcase_add_test(tc, reference_rows);
    tcase_add_test(tc, every_fault_with_its_position);
    tcase_add_test(tc, missing_parts_and_bad_yaml);
    tcase_add_test(tc, jobs_run_in_parallel_with_their_statuses);
    tcase_add_test(tc, a_stop_signal_is_forwarded_and_waited_for);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}

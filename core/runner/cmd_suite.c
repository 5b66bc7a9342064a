/* cmd_suite.c - `ganlab suite FILE [-j N] [-o OUT_DIR]`: trains every run of a suite file once per
 * seed, as child processes of this same binary, then compares them (docs/compare.md).
 *
 * Each child is `ganlab train CONFIG <suite overrides> <run overrides> experiment.seed=S
 * experiment.name=<run>-s<S> experiment.out_dir=OUT/runs experiment.threads=T` (the last four win),
 * with stdout to OUT/logs/<run>-s<S>.out (its last line is the run directory) and stderr to
 * OUT/logs/<run>-s<S>.log. Up to N run at once (default: the cores), each with T = max(1, cores /
 * N') threads, N' = min(N, number of runs). Runs start seed by seed (every variant of the first
 * seed, then of the second...), so a suite stopped early still has complete comparisons of its
 * first seeds. A failed run is reported and the others go on; the report is written anyway (with a
 * note per failure) and the exit status is then 1. The last line of stdout is the report's path.
 * SIGINT/SIGTERM are forwarded once to the children, which checkpoint and stop; no report then.
 */
#include "runner/runner.h"
#include "util/fs.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "compare/compare.h"
#include "compare/jobs.h"
#include "config/suite.h"

#define PATH_CAP 4096
#define DIR_CAP  3072 /* the output directory's path; the rest of PATH_CAP is for names in it */
#define N_FIXED  4    /* the overrides the suite sets on every run */

typedef struct child {
    char name[160]; /* <run>-s<seed> */
    char out[PATH_CAP], log[PATH_CAP];
    char fixed[N_FIXED][PATH_CAP + 32];
    const char **argv; /* NULL-terminated; points into the suite, the cli and fixed */
} child;

typedef struct suite_state {
    child *kids;
    int n, started, finished, failed;
} suite_state;

/* The last non-empty line of a text file into buf ("" when there is none). */
static void last_line(const char *path, char *buf, size_t cap)
{
    buf[0] = '\0';
    FILE *f = fopen(path, "r");
    if (!f)
        return;
    char line[PATH_CAP];
    while (fgets(line, sizeof line, f)) {
        line[strcspn(line, "\r\n")] = '\0';
        if (line[0])
            snprintf(buf, cap, "%s", line);
    }
    fclose(f);
}

static void on_event(void *ud, int i, const gl_job *job, int finished)
{
    suite_state *s = ud;
    const child *c = &s->kids[i];
    if (!finished) {
        fprintf(stderr, "[suite] start %s (%d/%d), log: %s\n", c->name, ++s->started, s->n, c->log);
        return;
    }
    s->finished++;
    if (job->status == 0) {
        fprintf(stderr, "[suite] done %s in %.1f s (%d/%d finished)\n", c->name, job->seconds,
                s->finished, s->n);
        return;
    }
    if (gl_runner_stop_signal() && job->status > 128) {
        fprintf(stderr, "[suite] stopped %s after %.1f s\n", c->name, job->seconds);
        return;
    }
    char why[512];
    last_line(c->log, why, sizeof why);
    s->failed++;
    fprintf(stderr, "[suite] FAILED %s (exit %d) after %.1f s: %s\n        log: %s\n", c->name,
            job->status, job->seconds, why[0] ? why : "(no message)", c->log);
}

/* Fills kids (n_seeds x n_runs, seed-major) and their jobs. */
static int plan(const gl_suite *su, const gl_cli *cli, const char *exe, const char *out_dir,
                int threads, child *kids, gl_job *jobs, gl_error *err)
{
    int k = 0;
    for (int si = 0; si < su->n_seeds; si++)
        for (int ri = 0; ri < su->n_runs; ri++, k++) {
            const gl_suite_run *r = &su->runs[ri];
            child *c = &kids[k];
            snprintf(c->name, sizeof c->name, "%s-s%lld", r->name, (long long)su->seeds[si]);
            snprintf(c->out, sizeof c->out, "%.*s/logs/%s.out", DIR_CAP, out_dir, c->name);
            snprintf(c->log, sizeof c->log, "%.*s/logs/%s.log", DIR_CAP, out_dir, c->name);
            snprintf(c->fixed[0], sizeof c->fixed[0], "experiment.seed=%lld",
                     (long long)su->seeds[si]);
            snprintf(c->fixed[1], sizeof c->fixed[1], "experiment.name=%s", c->name);
            snprintf(c->fixed[2], sizeof c->fixed[2], "experiment.out_dir=%s/runs", out_dir);
            snprintf(c->fixed[3], sizeof c->fixed[3], "experiment.threads=%d", threads);
            int n = 4 + 2 * cli->n_plugin_path + su->n_overrides + r->n_overrides + N_FIXED + 1;
            c->argv = calloc((size_t)n, sizeof *c->argv);
            if (!c->argv)
                return gl_error_add(err, GL_ERR_RUN, "out of memory");
            int a = 0;
            c->argv[a++] = exe;
            for (int i = 0; i < cli->n_plugin_path; i++) {
                c->argv[a++] = "--plugin-path";
                c->argv[a++] = cli->plugin_path[i];
            }
            c->argv[a++] = "train";
            c->argv[a++] = "--";
            c->argv[a++] = r->config;
            for (int i = 0; i < su->n_overrides; i++)
                c->argv[a++] = su->overrides[i];
            for (int i = 0; i < r->n_overrides; i++)
                c->argv[a++] = r->overrides[i];
            for (int i = 0; i < N_FIXED; i++)
                c->argv[a++] = c->fixed[i];
            jobs[k] = (gl_job){
                .argv = (char *const *)c->argv, .out_path = c->out, .log_path = c->log};
        }
    return GL_OK;
}

/* The run directories the children printed, and a note for each failed run. The caller frees the
 * strings of dirs and notes (and the arrays, sized n). */
static void results(const suite_state *s, const gl_job *jobs, char **dirs, int *nd, char **notes,
                    int *nn)
{
    for (int i = 0; i < s->n; i++) {
        char dir[PATH_CAP];
        struct stat st;
        last_line(s->kids[i].out, dir, sizeof dir);
        if (dir[0] && stat(dir, &st) == 0 && S_ISDIR(st.st_mode) && (dirs[*nd] = strdup(dir)))
            (*nd)++;
        if (jobs[i].status == 0)
            continue;
        char why[512], line[2 * PATH_CAP];
        last_line(s->kids[i].log, why, sizeof why);
        snprintf(line, sizeof line, "run %s failed (exit %d): %s (log: %s)", s->kids[i].name,
                 jobs[i].status, why[0] ? why : "no message", s->kids[i].log);
        if ((notes[*nn] = strdup(line)))
            (*nn)++;
    }
}

static int compare(const gl_cli *cli, const gl_suite *su, const suite_state *s, const gl_job *jobs,
                   const char *out_dir, gl_error *err)
{
    gl_registry *reg;
    int st = gl_runner_open_registry(cli, &reg, err);
    if (st != GL_OK)
        return st;
    /* All freed below. */
    char **dirs = calloc((size_t)s->n, sizeof *dirs), **notes = calloc((size_t)s->n, sizeof *notes);
    int nd = 0, nn = 0;
    char title[256], report_dir[PATH_CAP], path[PATH_CAP];
    if (!dirs || !notes)
        st = gl_error_add(err, GL_ERR_RUN, "out of memory");
    else
        results(s, jobs, dirs, &nd, notes, &nn);
    snprintf(title, sizeof title, "Suite %s", su->name);
    snprintf(report_dir, sizeof report_dir, "%.*s/report", DIR_CAP, out_dir);
    gl_compare_opts o = {.title = title,
                         .notes = (const char *const *)notes,
                         .n_notes = nn,
                         .lookup = gl_registry_schema_lookup,
                         .ud = reg,
                         .skip_unreadable = 1};
    if (st == GL_OK)
        st = gl_compare_report((const char *const *)dirs, nd, report_dir, &o, path, sizeof path,
                               err);
    if (st == GL_OK)
        printf("%s\n", path);
    for (int i = 0; i < nd; i++)
        free(dirs[i]);
    for (int i = 0; i < nn; i++)
        free(notes[i]);
    free(dirs);
    free(notes);
    gl_registry_close(reg);
    return st;
}

/* arg for a POSIX shell: as is when it is made of safe characters, else in single quotes. */
static void print_shell_word(const char *arg)
{
    if (*arg && strspn(arg, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
                            "_./=:,+-@%") == strlen(arg)) {
        fputs(arg, stdout);
        return;
    }
    putchar('\'');
    for (const char *c = arg; *c; c++)
        fputs(*c == '\'' ? "'\\''" : (char[2]){*c, '\0'}, stdout);
    putchar('\'');
}

/* --dry-run: validates each child's config as `ganlab train` would (plugins loaded, schemas
 * checked) and prints its command line; nothing is trained or written. Every fault is reported. */
static int dry_run(const gl_cli *cli, const suite_state *s, gl_error *err)
{
    gl_registry *reg;
    int st = gl_runner_open_registry(cli, &reg, err), bad = 0;
    if (st != GL_OK)
        return st;
    for (int i = 0; i < s->n; i++) {
        const char *const *argv = s->kids[i].argv;
        int a = 0, n = 0;
        while (strcmp(argv[a], "--") != 0)
            a++;
        while (argv[a + 1 + n])
            n++;
        gl_cli one = {.plugin_path = cli->plugin_path,
                      .n_plugin_path = cli->n_plugin_path,
                      .args = argv + a + 1,
                      .n_args = n};
        gl_cfg *cfg = NULL;
        if (gl_runner_load_config(&one, reg, &cfg, err) != GL_OK) {
            gl_error_add(err, GL_ERR_INPUT, "run %s: its config is invalid (above)",
                         s->kids[i].name);
            bad++;
        }
        gl_cfg_destroy(cfg);
        for (int k = 0; argv[k]; k++) {
            if (k)
                putchar(' ');
            print_shell_word(argv[k]);
        }
        putchar('\n');
    }
    gl_registry_close(reg);
    if (bad)
        return gl_error_add(err, GL_ERR_INPUT, "%d of %d runs have an invalid config", bad, s->n);
    fprintf(stderr, "[suite] %d runs checked, nothing trained\n", s->n);
    return GL_OK;
}

static int jobs_option(const gl_cli *cli, int cores, int *jobs, gl_error *err)
{
    const char *v = gl_cli_option(cli, "-j");
    *jobs = cores;
    if (!v)
        return GL_OK;
    char *end;
    errno = 0;
    long j = strtol(v, &end, 10);
    if (errno || end == v || *end || j < 1 || j > 1024)
        return gl_error_add(err, GL_ERR_INPUT, "option -j: '%s' is not a whole number in [1, 1024]",
                            v);
    *jobs = (int)j;
    return GL_OK;
}

static int run_suite(const gl_cli *cli, const gl_suite *su, gl_error *err)
{
    int cores = gl_jobs_cores(), jobs_max;
    if (jobs_option(cli, cores, &jobs_max, err) != GL_OK)
        return GL_ERR_INPUT;
    char out_dir[PATH_CAP], logs[PATH_CAP + 8], exe[PATH_CAP];
    const char *o = gl_cli_option(cli, "-o");
    if (o && *o)
        snprintf(out_dir, sizeof out_dir, "%s", o);
    else
        snprintf(out_dir, sizeof out_dir, "runs/suites/%s", su->name);
    if (strlen(out_dir) >= DIR_CAP)
        return gl_error_add(err, GL_ERR_INPUT, "-o: a path of more than %d bytes", DIR_CAP - 1);
    snprintf(logs, sizeof logs, "%s/logs", out_dir);
    ssize_t len = readlink("/proc/self/exe", exe, sizeof exe - 1);
    if (len <= 0)
        return gl_error_add(err, GL_ERR_RUN, "cannot find this program (/proc/self/exe): %s",
                            strerror(errno));
    exe[len] = '\0';
    int dry = gl_cli_option(cli, "--dry-run") != NULL;
    if (!dry && gl_mkdir_p(logs, err) != GL_OK)
        return GL_ERR_RUN;
    /* Absolute from here on: the report's path is printed for a user in another directory. */
    char *abs = dry ? NULL : realpath(out_dir, NULL);
    if (!dry && (!abs || strlen(abs) >= DIR_CAP)) {
        free(abs);
        return gl_error_add(err, GL_ERR_RUN, "%s: cannot resolve the path", out_dir);
    }
    if (abs)
        snprintf(out_dir, sizeof out_dir, "%s", abs);
    snprintf(logs, sizeof logs, "%s/logs", out_dir);
    free(abs);
    int n = su->n_seeds * su->n_runs;
    int parallel = jobs_max < n ? jobs_max : n;
    int threads = cores / parallel > 1 ? cores / parallel : 1;
    /* Freed below (with each child's argv). */
    child *kids = calloc((size_t)n, sizeof *kids);
    gl_job *jobs = calloc((size_t)n, sizeof *jobs);
    int st = kids && jobs ? plan(su, cli, exe, out_dir, threads, kids, jobs, err)
                          : gl_error_add(err, GL_ERR_RUN, "out of memory");
    suite_state s = {kids, n, 0, 0, 0};
    if (st == GL_OK && dry) {
        st = dry_run(cli, &s, err);
    } else if (st == GL_OK) {
        fprintf(stderr,
                "[suite] %s: %d runs (%d configs x %d seeds), %d at a time, %d thread%s "
                "each, in %s\n",
                su->name, n, su->n_runs, su->n_seeds, parallel, threads, threads > 1 ? "s" : "",
                out_dir);
        st = gl_jobs_run(jobs, n, parallel, gl_runner_stop_signal, on_event, &s, err);
    }
    if (st > GL_ERR_INPUT) /* stopped by a signal: the runs have checkpointed, no report */
        fprintf(stderr,
                "[suite] stopped; each run can be continued with ganlab train --resume "
                "RUN_DIR (run directories in %s/runs)\n",
                out_dir);
    else if (!dry && (st == GL_OK || s.finished > 0)) {
        int cst = compare(cli, su, &s, jobs, out_dir, err);
        st = cst != GL_OK ? cst : st;
    }
    if (st == GL_OK && s.failed)
        st = gl_error_add(err, GL_ERR_RUN,
                          "%d of %d runs failed (see the report's notes and the "
                          "logs in %s)",
                          s.failed, n, logs);
    for (int i = 0; kids && i < n; i++)
        free(kids[i].argv);
    free(kids);
    free(jobs);
    return st;
}

static int run(const gl_cli *cli, gl_error *err)
{
    gl_suite *su;
    int st = gl_suite_load(cli->args[0], &su, err);
    if (st != GL_OK)
        return st;
    st = run_suite(cli, su, err);
    gl_suite_destroy(su);
    return st;
}

static const gl_option options[] = {
    {"-j", "N"},
    {"-o", "OUT_DIR"},
    {"--dry-run", NULL},
    {NULL, NULL},
};

const gl_command gl_cmd_suite = {
    .name = "suite",
    .synopsis = "FILE [-j N] [-o OUT_DIR] [--dry-run]",
    .summary = "train every run of a suite for every seed, then compare",
    .help = "Trains each run of the suite FILE once per seed as a child `ganlab train`, N at a\n"
            "time, then writes the comparison report (as `ganlab compare`) to OUT_DIR/report.\n"
            "The last line of stdout is the report's path. A failed run is reported and the\n"
            "others go on; the exit status is then 1, with the report still written.\n"
            "SIGINT/SIGTERM stop every run at a checkpoint (exit 130/143, no report).\n"
            "  -j N        runs at once (default: the number of cores); each run gets\n"
            "              max(1, cores / N) threads\n"
            "  -o OUT_DIR  where runs/, logs/ and report/ go (default: runs/suites/NAME)\n"
            "  --dry-run   check every run's config (with its overrides) and print the\n"
            "              child command lines on stdout; train and write nothing\n",
    .min_args = 1,
    .max_args = 1,
    .run = run,
    .options = options,
};

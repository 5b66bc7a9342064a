/* cmd_suite.c - `ganlab suite FILE | --config CFG [--sweep KEY=[..]]... | --name NAME` with
 * [-j N] [-o DIR] [--x AXIS] and one of: (nothing) train what is not done, then compare;
 * --status print each run's state; --dry-run check and print the commands (docs/compare.md).
 *
 * The suite's definition comes from suite_source.c, its runs and their states from suite_plan.c
 * (states: compare/state.h). Training: each run that is pending, failed or interrupted is a child
 * process of this same binary (suite_plan.c gives its command: afresh, or --resume), with stdout to
 * DIR/logs/NAME.out (its last line is the run directory) and stderr to DIR/logs/NAME.log; done
 * runs are skipped, and a run that another process is training is left alone. Up to N children at
 * once (default: the cores), each with T = max(1, cores / min(N, children)) threads; a launcher's
 * record of each child (logs/NAME.pid while it runs, logs/NAME.status when it ends) feeds the
 * states. The keys a run varies reach it as its logging.hparams. A failed run is reported and the
 * others go on; the report (of every run of the suite that has a directory) is written anyway, and
 * the exit status is then 1. SIGINT/SIGTERM are forwarded once to the children, which checkpoint
 * and stop; no report then, and running the suite again resumes them.
 * --launcher slurm submits the runs to Slurm instead (suite_slurm.c); each array task comes back as
 * `ganlab suite ... --task NAME`, which becomes that run's `ganlab train` (exec), and the
 * dependent report job as `ganlab suite ... --report`.
 */
#include "runner/suite_plan.h"
#include "runner/suite_slurm.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "compare/compare.h"
#include "train/rundir.h"
#include "util/fs.h"

#define EXIT_NOT_DONE 4 /* --status: some run is pending, running or interrupted */

typedef struct suite_run {
    const gl_suite_def *d;
    gl_suite_plan *p;
    int *todo; /* (n_todo) the children to start, indices into p->kids */
    int n_todo, started, finished, failed;
} suite_run;

static void on_event(void *ud, int i, const gl_job *job, int finished)
{
    suite_run *s = ud;
    const gl_suite_child *c = &s->p->kids[s->todo[i]];
    gl_error e;
    gl_error_init(&e);
    if (!finished) {
        if (gl_run_mark_started(s->d->dir, c->name, job->pid, &e) != GL_OK)
            fprintf(stderr, "[suite] warning: %s", e.text);
        fprintf(stderr, "[suite] %s %s (%d/%d), log: %s\n",
                c->st.state == GL_RUN_INTERRUPTED ? "resume" : "start", c->name, ++s->started,
                s->n_todo, c->log);
        return;
    }
    s->finished++;
    if (gl_run_mark_ended(s->d->dir, c->name, job->status, &e) != GL_OK)
        fprintf(stderr, "[suite] warning: %s", e.text);
    if (job->status == 0) {
        fprintf(stderr, "[suite] done %s in %.1f s (%d/%d finished)\n", c->name, job->seconds,
                s->finished, s->n_todo);
        return;
    }
    if (gl_runner_stop_signal() && job->status > 128) {
        fprintf(stderr, "[suite] stopped %s after %.1f s\n", c->name, job->seconds);
        return;
    }
    char why[512];
    gl_text_last_line(c->log, why, sizeof why);
    s->failed++;
    fprintf(stderr, "[suite] FAILED %s (exit %d) after %.1f s: %s\n        log: %s\n", c->name,
            job->status, job->seconds, why[0] ? why : "(no message)", c->log);
}

/* ---------------------------------------------------------------- --status */

/* The config a fresh child trains (its operands after "--") loaded and validated as train would;
 * *cfg stays NULL for a resumed child (its config is its run directory's). */
static int child_config(const gl_suite_child *c, const gl_cli *cli, gl_registry *reg, gl_cfg **cfg,
                        gl_error *err)
{
    int a = 0, n = 0;
    *cfg = NULL;
    while (c->argv[a] && strcmp(c->argv[a], "--") != 0)
        a++;
    if (!c->argv[a])
        return GL_OK;
    while (c->argv[a + 1 + n])
        n++;
    gl_cli one = {.plugin_path = cli->plugin_path,
                  .n_plugin_path = cli->n_plugin_path,
                  .args = c->argv + a + 1,
                  .n_args = n};
    return gl_runner_load_config(&one, reg, cfg, err);
}

/* The budget of a run that has no run directory yet: its config resolved as its child would. */
static long long planned_total(const gl_suite_child *c, const gl_cli *cli, gl_registry *reg)
{
    gl_cfg *cfg = NULL;
    gl_error e;
    gl_error_init(&e);
    long long steps = -1;
    if (child_config(c, cli, reg, &cfg, &e) == GL_OK && cfg)
        steps = gl_params_int(gl_cfg_params(cfg, "train"), "steps");
    gl_cfg_destroy(cfg);
    return steps > 0 ? steps : -1;
}

/* One line per run, "NAME STATE STEP/TOTAL" (TOTAL "?" for a budget in epochs not started). */
static int status(const gl_suite_plan *p, const gl_cli *cli, gl_registry *reg)
{
    int failed = 0, done = 0;
    for (int i = 0; i < p->n; i++) {
        const gl_suite_child *c = &p->kids[i];
        long long total = c->st.total >= 0 ? c->st.total : planned_total(c, cli, reg);
        char t[32] = "?";
        if (total >= 0)
            snprintf(t, sizeof t, "%lld", total);
        printf("%s %s %lld/%s\n", c->name, gl_run_state_name(c->st.state), c->st.step, t);
        failed += c->st.state == GL_RUN_FAILED;
        done += c->st.state == GL_RUN_DONE;
    }
    return failed ? GL_ERR_RUN : done == p->n ? GL_OK : EXIT_NOT_DONE;
}

/* ---------------------------------------------------------------- --dry-run */

/* --dry-run: validates each fresh child's config as `ganlab train` would (plugins loaded, schemas
 * checked) and prints the command of every run that would start, as a line a shell runs (done and
 * running runs as comments); nothing is trained or written. Every fault is reported. */
static int dry_run(const gl_suite_plan *p, const gl_cli *cli, gl_registry *reg, gl_error *err)
{
    int bad = 0, todo = 0;
    for (int i = 0; i < p->n; i++) {
        const gl_suite_child *c = &p->kids[i];
        if (c->st.state == GL_RUN_DONE || c->st.state == GL_RUN_RUNNING) {
            printf("# %s: %s (%s)\n", c->name, gl_run_state_name(c->st.state), c->st.dir);
            continue;
        }
        todo++;
        gl_cfg *cfg = NULL;
        if (child_config(c, cli, reg, &cfg, err) != GL_OK) {
            gl_error_add(err, GL_ERR_INPUT, "run %s: its config is invalid (above)", c->name);
            bad++;
        }
        gl_cfg_destroy(cfg);
        for (int k = 0; c->argv[k]; k++) {
            if (k)
                putchar(' ');
            gl_shell_word(stdout, c->argv[k]);
        }
        putchar('\n');
    }
    if (bad)
        return gl_error_add(err, GL_ERR_INPUT, "%d of %d runs have an invalid config", bad, todo);
    fprintf(stderr, "[suite] %d runs checked, nothing trained (%d would train)\n", p->n, todo);
    return GL_OK;
}

/* ---------------------------------------------------------------- training and the report */

static int compare(const gl_suite_def *d, const gl_suite_plan *p, const gl_cli *cli,
                   gl_registry *reg, gl_cmp_x x, gl_error *err)
{
    /* All freed below. */
    char **dirs = calloc((size_t)p->n + 1, sizeof *dirs),
         **notes = calloc((size_t)p->n + 1, sizeof *notes);
    int nd = 0, nn = 0, st = dirs && notes ? GL_OK : gl_error_add(err, GL_ERR_RUN, "out of memory");
    for (int i = 0; st == GL_OK && i < p->n; i++) {
        gl_run_status now;
        gl_error e;
        gl_error_init(&e);
        if (gl_run_status_get(d->dir, p->kids[i].name, gl_registry_schema_lookup, reg, &now, &e) !=
            GL_OK)
            now = p->kids[i].st;
        if (now.dir[0] && (dirs[nd] = strdup(now.dir)))
            nd++;
        char why[512], line[2 * GL_SUITE_PATH_CAP];
        if (now.state == GL_RUN_FAILED) {
            gl_text_last_line(p->kids[i].log, why, sizeof why);
            snprintf(line, sizeof line, "run %s failed (exit %d): %s (log: %s)", p->kids[i].name,
                     now.exit_code, why[0] ? why : "no message", p->kids[i].log);
        } else if (now.state != GL_RUN_DONE) {
            snprintf(line, sizeof line, "run %s is %s", p->kids[i].name,
                     gl_run_state_name(now.state));
        } else {
            continue;
        }
        if ((notes[nn] = strdup(line)))
            nn++;
    }
    char title[256], report_dir[GL_SUITE_PATH_CAP], path[GL_SUITE_PATH_CAP];
    snprintf(title, sizeof title, "Suite %s", d->suite->name);
    snprintf(report_dir, sizeof report_dir, "%.*s/report", GL_SUITE_DIR_CAP, d->dir);
    gl_compare_opts o = {.title = title,
                         .notes = (const char *const *)notes,
                         .n_notes = nn,
                         .lookup = gl_registry_schema_lookup,
                         .ud = reg,
                         .skip_unreadable = 1,
                         .x = x,
                         .refs = d->suite->refs,
                         .n_refs = d->suite->n_refs};
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
    (void)cli;
    return st;
}

static int train(const gl_suite_def *d, gl_suite_plan *p, const gl_cli *cli, gl_registry *reg,
                 int jobs_max, gl_cmp_x x, gl_error *err)
{
    char logs[GL_SUITE_PATH_CAP + 8];
    snprintf(logs, sizeof logs, "%s/logs", d->dir);
    if (gl_mkdir_p(logs, err) != GL_OK || gl_suite_def_save(d, err) != GL_OK)
        return GL_ERR_RUN;
    /* Freed below. */
    suite_run s = {.d = d, .p = p, .todo = calloc((size_t)p->n + 1, sizeof *s.todo)};
    gl_job *jobs = calloc((size_t)p->n + 1, sizeof *jobs);
    int st = s.todo && jobs ? GL_OK : gl_error_add(err, GL_ERR_RUN, "out of memory");
    int skipped = 0;
    for (int i = 0; st == GL_OK && i < p->n; i++) {
        gl_suite_child *c = &p->kids[i];
        if (c->st.state == GL_RUN_DONE) {
            skipped++;
        } else if (c->st.state == GL_RUN_RUNNING) {
            fprintf(stderr, "[suite] %s is running in another process; left alone\n", c->name);
        } else {
            jobs[s.n_todo] = (gl_job){
                .argv = (char *const *)c->argv, .out_path = c->out, .log_path = c->log};
            s.todo[s.n_todo++] = i;
        }
    }
    int parallel = jobs_max < s.n_todo ? jobs_max : s.n_todo;
    if (st == GL_OK) {
        fprintf(stderr,
                "[suite] %s: %d runs (%d configs x %d sweep points x %d seeds), %d done before, "
                "%d to train, %d at a time, in %s\n",
                d->suite->name, p->n, d->suite->n_runs, gl_sweep_points(&d->sweep),
                d->suite->n_seeds, skipped, s.n_todo, parallel, d->dir);
        st = gl_jobs_run(jobs, s.n_todo, parallel > 0 ? parallel : 1, gl_runner_stop_signal,
                         on_event, &s, err);
    }
    if (st > GL_ERR_INPUT) /* stopped by a signal: the runs have checkpointed, no report */
        fprintf(stderr, "[suite] stopped; run the same suite command again to resume\n");
    else if (st == GL_OK || s.finished > 0) {
        int cst = compare(d, p, cli, reg, x, err);
        st = cst != GL_OK ? cst : st;
    }
    if (st == GL_OK && s.failed)
        st = gl_error_add(err, GL_ERR_RUN,
                          "%d of %d runs failed (see the report's notes and the logs in %s)",
                          s.failed, s.n_todo, logs);
    free(s.todo);
    free(jobs);
    return st;
}

/* ---------------------------------------------------------------- the Slurm launcher's parts */

/* --task NAME: becomes the command of run NAME (exec, same pid: the pid recorded is the trainer's),
 * afresh or resumed as its state says; nothing to do when it is done. */
static int task(const gl_suite_def *d, const gl_suite_plan *p, const char *name, gl_error *err)
{
    const gl_suite_child *c = NULL;
    for (int i = 0; i < p->n && !c; i++)
        if (strcmp(p->kids[i].name, name) == 0)
            c = &p->kids[i];
    if (!c)
        return gl_error_add(err, GL_ERR_INPUT, "--task %s: suite %s has no such run", name,
                            d->suite->name);
    if (c->st.state == GL_RUN_DONE) {
        fprintf(stderr, "[suite] %s is done\n", name);
        printf("%s\n", c->st.dir);
        return GL_OK;
    }
    if (c->st.state == GL_RUN_RUNNING)
        return gl_error_add(err, GL_ERR_INPUT, "--task %s: another process trains it (%s)", name,
                            c->st.dir);
    if (gl_run_mark_started(d->dir, name, getpid(), err) != GL_OK)
        return GL_ERR_RUN;
    fprintf(stderr, "[suite] %s %s\n", c->st.state == GL_RUN_INTERRUPTED ? "resume" : "start",
            name);
    fflush(NULL);
    execv(c->argv[0], (char *const *)c->argv);
    return gl_error_add(err, GL_ERR_RUN, "--task %s: cannot run %s: %s", name, c->argv[0],
                        strerror(errno));
}

/* What names this suite again in the Slurm jobs' commands: exe [--plugin-path P]... suite SRC -o
 * DIR [--x X], SRC being the suite file's absolute path or, for a --config suite (whose suite.yaml
 * is saved now unless it is a dry run), --name NAME. Points into d, cli and buf. */
static int self_command(const gl_suite_def *d, const gl_cli *cli, const char *exe, int save,
                        char *buf, size_t cap, const char **self, gl_error *err)
{
    int a = 0;
    self[a++] = exe;
    for (int i = 0; i < cli->n_plugin_path; i++) {
        self[a++] = "--plugin-path";
        self[a++] = cli->plugin_path[i];
    }
    self[a++] = "suite";
    if (d->yaml) {
        if (save && (gl_mkdir_p(d->dir, err) != GL_OK || gl_suite_def_save(d, err) != GL_OK))
            return GL_ERR_RUN;
        self[a++] = "--name";
        self[a++] = d->suite->name;
    } else {
        char *abs = realpath(cli->args[0], NULL);
        if (!abs || strlen(abs) >= cap) {
            free(abs);
            return gl_error_add(err, GL_ERR_INPUT, "%s: cannot resolve the path", cli->args[0]);
        }
        snprintf(buf, cap, "%s", abs); /* starts with '/': no option */
        free(abs);
        self[a++] = buf;
    }
    self[a++] = "-o";
    self[a++] = d->dir;
    if (d->x) {
        self[a++] = "--x";
        self[a++] = d->x;
    }
    self[a] = NULL;
    return GL_OK;
}

static int slurm(const gl_suite_def *d, const gl_suite_plan *p, const gl_cli *cli, const char *exe,
                 int dry, gl_error *err)
{
    gl_slurm_opts o = {0};
    char src[GL_SUITE_PATH_CAP];
    /* Freed below. */
    const char **self = calloc((size_t)(2 * cli->n_plugin_path + 10), sizeof *self);
    int st = self ? gl_slurm_opts_get(cli, &o, err)
                  : gl_error_add(err, GL_ERR_RUN, "out of memory");
    if (st == GL_OK)
        st = self_command(d, cli, exe, !dry, src, sizeof src, self, err);
    if (st == GL_OK)
        st = gl_suite_slurm_submit(d, p, self, &o, dry, err);
    gl_slurm_opts_free(&o);
    free(self);
    return st;
}

/* ---------------------------------------------------------------- the command */

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

/* This program: the path of the running binary for the children, and for printed commands the
 * path a user runs, which for an uninstalled libtool build is the wrapper script one directory up
 * (core/ganlab for core/.libs/lt-ganlab), since the binary inside .libs/ fails outside it. */
static int this_program(char *exe, char *shown, size_t cap, gl_error *err)
{
    ssize_t len = readlink("/proc/self/exe", exe, cap - 1);
    if (len <= 0)
        return gl_error_add(err, GL_ERR_RUN, "cannot find this program (/proc/self/exe): %s",
                            strerror(errno));
    exe[len] = '\0';
    snprintf(shown, cap, "%s", exe);
    char *slash = strrchr(exe, '/');
    if (!slash || slash - exe < 6 || strncmp(slash - 6, "/.libs", 6) != 0)
        return GL_OK;
    const char *base = slash + 1;
    if (strncmp(base, "lt-", 3) == 0)
        base += 3;
    char wrapper[GL_SUITE_PATH_CAP];
    snprintf(wrapper, sizeof wrapper, "%.*s/%s", (int)(slash - 6 - exe), exe, base);
    if (access(wrapper, X_OK) == 0)
        snprintf(shown, cap, "%s", wrapper);
    return GL_OK;
}

/* --threads T (with --task): the run's thread count, the Slurm task's CPUs. */
static int threads_option(const gl_cli *cli, int *threads, gl_error *err)
{
    const char *v = gl_cli_option(cli, "--threads");
    if (!v)
        return GL_OK;
    char *end;
    errno = 0;
    long t = strtol(v, &end, 10);
    if (errno || end == v || *end || t < 1 || t > 1024)
        return gl_error_add(err, GL_ERR_INPUT,
                            "option --threads: '%s' is not a whole number in [1, 1024]", v);
    *threads = (int)t;
    return GL_OK;
}

/* Which of the command's modes: one at most. */
static int mode_option(const gl_cli *cli, const char **mode, gl_error *err)
{
    static const char *const modes[] = {"--dry-run", "--status", "--cancel", "--task", "--report"};
    *mode = NULL;
    for (size_t i = 0; i < sizeof modes / sizeof *modes; i++) {
        if (!gl_cli_option(cli, modes[i]))
            continue;
        if (*mode)
            return gl_error_add(err, GL_ERR_INPUT, "%s and %s do not go together", *mode, modes[i]);
        *mode = modes[i];
    }
    const char *l = gl_cli_option(cli, "--launcher");
    if (l && strcmp(l, "local") != 0 && strcmp(l, "slurm") != 0)
        return gl_error_add(err, GL_ERR_INPUT, "--launcher '%s': use local or slurm", l);
    /* Without it they would be dropped and the suite trained here, on the login node. */
    static const char *const slurm_only[] = {"--partition", "--time", "--mem", "--sbatch-arg"};
    for (size_t i = 0; i < sizeof slurm_only / sizeof *slurm_only; i++)
        if ((!l || strcmp(l, "slurm") != 0) && gl_cli_option(cli, slurm_only[i]))
            return gl_error_add(err, GL_ERR_INPUT, "%s is a Slurm option: add --launcher slurm",
                                slurm_only[i]);
    return GL_OK;
}

static int is(const char *mode, const char *m) { return mode && strcmp(mode, m) == 0; }

/* Everything but --cancel: plan the runs, then do what mode says. */
static int planned(const gl_suite_def *d, const gl_cli *cli, gl_registry *reg, const char *mode,
                   int jobs_max, gl_cmp_x x, gl_error *err)
{
    int cores = gl_jobs_cores(), task_threads = 1, dry = is(mode, "--dry-run");
    char exe[GL_SUITE_PATH_CAP], shown[GL_SUITE_PATH_CAP];
    if (threads_option(cli, &task_threads, err) != GL_OK)
        return GL_ERR_INPUT;
    if (this_program(exe, shown, sizeof exe, err) != GL_OK)
        return GL_ERR_RUN;
    /* Trained here: one suite process at a time, locked before the plan, so that a second one
     * neither starts the runs the first is about to start (as NAME-2) nor plans from states the
     * first is changing. Status, reports, dry runs and Slurm tasks read, or lock their run. */
    const char *launcher = gl_cli_option(cli, "--launcher");
    int slurm_jobs = launcher && strcmp(launcher, "slurm") == 0;
    int lock = -1, here = !is(mode, "--status") && !is(mode, "--task") && !is(mode, "--report") &&
                          !dry && !slurm_jobs;
    if (here && (gl_mkdir_p(d->dir, err) != GL_OK ||
                 gl_rundir_lock(d->dir, GL_RUNDIR_SUITE_LOCK, &lock, err) != GL_OK))
        return err->status;
    gl_suite_plan p = {0};
    int st = gl_suite_plan_make(d, reg, &p, err);
    int n_todo = 0;
    for (int i = 0; i < p.n; i++)
        n_todo += p.kids[i].st.state != GL_RUN_DONE && p.kids[i].st.state != GL_RUN_RUNNING;
    int parallel = jobs_max < n_todo ? jobs_max : n_todo > 0 ? n_todo : 1;
    int threads = is(mode, "--task") ? task_threads : cores / parallel > 1 ? cores / parallel : 1;
    if (st == GL_OK)
        st = gl_suite_plan_commands(&p, d, cli, dry ? shown : exe, threads, err);
    if (st == GL_OK && is(mode, "--status"))
        st = status(&p, cli, reg);
    else if (st == GL_OK && is(mode, "--task"))
        st = task(d, &p, gl_cli_option(cli, "--task"), err);
    else if (st == GL_OK && is(mode, "--report"))
        st = compare(d, &p, cli, reg, x, err);
    else if (st == GL_OK && slurm_jobs)
        st = slurm(d, &p, cli, shown, dry, err);
    else if (st == GL_OK && dry)
        st = dry_run(&p, cli, reg, err);
    else if (st == GL_OK)
        st = train(d, &p, cli, reg, jobs_max, x, err);
    gl_suite_plan_free(&p);
    gl_rundir_unlock(lock);
    return st;
}

static int run(const gl_cli *cli, gl_error *err)
{
    int jobs_max;
    gl_cmp_x x = GL_CMP_X_STEPS;
    const char *mode;
    if (jobs_option(cli, gl_jobs_cores(), &jobs_max, err) != GL_OK ||
        mode_option(cli, &mode, err) != GL_OK)
        return GL_ERR_INPUT;
    gl_registry *reg;
    int st = gl_runner_open_registry(cli, &reg, err);
    if (st != GL_OK)
        return st;
    gl_suite_def d;
    st = gl_suite_def_load(cli, reg, &d, err);
    if (st == GL_OK && d.x)
        st = gl_cmp_x_parse(d.x, "--x", &x, err);
    if (st == GL_OK && is(mode, "--cancel"))
        st = gl_suite_slurm_cancel(&d, err);
    else if (st == GL_OK)
        st = planned(&d, cli, reg, mode, jobs_max, x, err);
    gl_suite_def_free(&d);
    gl_registry_close(reg);
    return st;
}

static const gl_option options[] = {
    {"-j", "N"},
    {"-o", "DIR"},
    {"--dry-run", NULL},
    {"--status", NULL},
    {"--config", "CFG"},
    {"--sweep", "KEY=[V,...]"},
    {"--seeds", "LIST"},
    {"--name", "NAME"},
    {"--x", "steps|images|wall"},
    {"--launcher", "local|slurm"},
    {"--partition", "P"},
    {"--time", "T"},
    {"--mem", "M"},
    {"--sbatch-arg", "ARG"},
    {"--cancel", NULL},
    {"--task", "NAME"},
    {"--threads", "T"},
    {"--report", NULL},
    {NULL, NULL},
};

const gl_command gl_cmd_suite = {
    .name = "suite",
    .synopsis = "(FILE | --config CFG [--sweep KEY=[V,...]]... [--seeds LIST] [KEY=VALUE...] | "
                "--name NAME) [--name NAME] [-j N] [-o DIR] [--x AXIS] [--launcher local|slurm "
                "[--partition P] [--time T] [--mem M] [--sbatch-arg ARG]...] "
                "[--dry-run | --status | --cancel]",
    .summary = "train each run of a suite per seed and sweep point, then compare",
    .help = "Trains each run of the suite FILE once per seed and sweep point as a child\n"
            "`ganlab train`, N at a time, then writes the comparison report (as `ganlab\n"
            "compare`) to DIR/report; the last line of stdout is its path. Run again, it skips\n"
            "the runs that are done and resumes the interrupted ones. A failed run is reported\n"
            "and the others go on; the exit status is then 1, with the report still written.\n"
            "SIGINT/SIGTERM stop every run at a checkpoint (exit 130/143, no report).\n"
            "  --config CFG    a suite of the one config CFG (with the KEY=VALUE overrides)\n"
            "  --sweep KEY=[V,...]  with --config: train at every value of KEY (a YAML list);\n"
            "                  several --sweep give their cartesian product\n"
            "  --seeds LIST    with --config: the seeds, e.g. 1,2,3 (default: the config's)\n"
            "  --name NAME     the suite's name (default: the config's base name); alone, the\n"
            "                  suite made with --config before under that name\n"
            "  -j N            runs at once (default: the number of cores); each run gets\n"
            "                  max(1, cores / N) threads\n"
            "  -o DIR          where runs/, logs/ and report/ go (default: runs/suites/NAME)\n"
            "  --x AXIS        the report charts' x axis: steps, images or wall\n"
            "  --status        print each run as NAME STATE STEP/TOTAL (pending, running,\n"
            "                  interrupted, done, failed); exit 0 when all are done, 1 when\n"
            "                  one failed, 4 otherwise\n"
            "  --dry-run       check every run's config (with its overrides) and print the\n"
            "                  commands that would run, ready to paste; train and write nothing\n"
            "  --launcher slurm  submit the runs not done as one Slurm job array (-j N: N tasks\n"
            "                  at once; each trains with SLURM_CPUS_PER_TASK threads) and a\n"
            "                  report job after it; prints the job ids, then the report's path.\n"
            "                  --dry-run prints the batch scripts (docs/scaling.md)\n"
            "  --partition P, --time T, --mem M, --sbatch-arg ARG  the jobs' #SBATCH options\n"
            "  --cancel        scancel the suite's Slurm jobs (the runs checkpoint)\n"
            "  --task NAME [--threads T]  train run NAME (what a Slurm task runs)\n"
            "  --report        write the report from the runs as they are (the report job)\n",
    .min_args = 0,
    .max_args = -1,
    .run = run,
    .options = options,
};

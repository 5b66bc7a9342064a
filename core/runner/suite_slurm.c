/* suite_slurm.c - the Slurm launcher of `ganlab suite` (suite_slurm.h, docs/scaling.md).
 *
 * Each array task runs `ganlab suite SRC -o DIR --task NAME`, which decides when it starts whether
 * its run is trained afresh or resumed (the suite's run states, compare/state.h), so a requeued
 * task resumes from the checkpoint its previous attempt wrote. The batch script around it forwards
 * Slurm's USR1 warning once, records the exit status in logs/NAME.status and answers 75 with
 * `scontrol requeue`. sbatch, squeue and scancel are run as child processes; nothing links Slurm.
 */
#include "runner/suite_slurm.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "util/atomic.h"
#include "util/fs.h"

#define ID_CAP 64

int gl_slurm_opts_get(const gl_cli *cli, gl_slurm_opts *o, gl_error *err)
{
    memset(o, 0, sizeof *o);
    o->partition = gl_cli_option(cli, "--partition");
    o->time = gl_cli_option(cli, "--time");
    o->mem = gl_cli_option(cli, "--mem");
    const char *j = gl_cli_option(cli, "-j");
    o->throttle = j ? atoi(j) : 0; /* cmd_suite.c has checked it */
    /* Freed by gl_slurm_opts_free. */
    o->sbatch_args = calloc((size_t)cli->n_opts + 1, sizeof *o->sbatch_args);
    if (!o->sbatch_args)
        return gl_error_add(err, GL_ERR_RUN, "out of memory");
    for (int i = 0; i < cli->n_opts; i++)
        if (strcmp(cli->opt_names[i], "--sbatch-arg") == 0)
            o->sbatch_args[o->n_sbatch_args++] = cli->opt_values[i];
    const char *checked[] = {o->partition, o->time, o->mem};
    for (int i = 0; i < 3 + o->n_sbatch_args; i++) {
        const char *v = i < 3 ? checked[i] : o->sbatch_args[i - 3];
        if (v && (!*v || strpbrk(v, "\n\r")))
            return gl_error_add(err, GL_ERR_INPUT,
                                "a Slurm option's value is empty or has a line break: '%.60s'", v);
    }
    return GL_OK;
}

void gl_slurm_opts_free(gl_slurm_opts *o)
{
    free(o->sbatch_args);
    o->sbatch_args = NULL;
}

void gl_shell_word(FILE *f, const char *word)
{
    if (*word && strspn(word, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
                              "_./=:,+-@%") == strlen(word)) {
        fputs(word, f);
        return;
    }
    fputc('\'', f);
    for (const char *c = word; *c; c++)
        fputs(*c == '\'' ? "'\\''" : (char[2]){*c, '\0'}, f);
    fputc('\'', f);
}

static void print_words(FILE *f, const char *const *words)
{
    for (int i = 0; words[i]; i++) {
        if (i)
            fputc(' ', f);
        gl_shell_word(f, words[i]);
    }
}

/* The #SBATCH lines both jobs share: the job's resources as the user asked for them. */
static void resource_lines(FILE *f, const gl_slurm_opts *o)
{
    if (o->partition)
        fprintf(f, "#SBATCH --partition=%s\n", o->partition);
    if (o->time)
        fprintf(f, "#SBATCH --time=%s\n", o->time);
    if (o->mem)
        fprintf(f, "#SBATCH --mem=%s\n", o->mem);
    for (int i = 0; i < o->n_sbatch_args; i++)
        fprintf(f, "#SBATCH %s\n", o->sbatch_args[i]);
}

/* The array's tasks are p's runs at the indices todo[0..n_todo). */
static void tasks_script(FILE *f, const gl_suite_def *d, const gl_suite_plan *p, const int *todo,
                         int n_todo, const char *const *self, const gl_slurm_opts *o)
{
    fprintf(f,
            "#!/bin/bash\n"
            "# Written by `ganlab suite --launcher slurm` (docs/scaling.md): one array task per "
            "run of\n"
            "# suite %s not done when it was submitted. A task trains its run with `ganlab suite "
            "--task`\n"
            "# (afresh, or resumed from its checkpoint after a requeue) and records its exit "
            "status for\n"
            "# `ganlab suite --status`. Slurm's warning (USR1, 120 s before the time limit) makes "
            "the run\n"
            "# checkpoint and exit 75, answered here with `scontrol requeue`; SIGTERM (scancel, "
            "the limit\n"
            "# itself) reaches the run directly, which checkpoints and exits 143: not requeued.\n",
            d->suite->name);
    fprintf(f, "#SBATCH --job-name=ganlab-%s\n", d->suite->name);
    fprintf(f, "#SBATCH --array=0-%d", n_todo - 1);
    if (o->throttle > 0)
        fprintf(f, "%%%d", o->throttle);
    fprintf(f, "\n#SBATCH --output=%s/logs/slurm-%%A_%%a.out\n", d->dir);
    fputs("#SBATCH --open-mode=append\n#SBATCH --requeue\n#SBATCH --signal=B:USR1@120\n", f);
    resource_lines(f, o);
    fputs("set -u\nruns=(", f);
    for (int i = 0; i < n_todo; i++) {
        fputs(i ? " " : "", f);
        gl_shell_word(f, p->kids[todo[i]].name);
    }
    fputs(")\nname=${runs[${SLURM_ARRAY_TASK_ID:?not a Slurm array task}]}\nlog=", f);
    gl_shell_word(f, d->dir);
    fputs("/logs/$name\n"
          "# A warning before the run starts is passed on once it has\n"
          "child= warned=\n"
          "trap 'warned=1; [ -z \"$child\" ] || kill -USR1 \"$child\" 2>/dev/null' USR1\n"
          "trap : TERM\n",
          f);
    print_words(f, self);
    fputs(
        " --task \"$name\" --threads \"${SLURM_CPUS_PER_TASK:-1}\" >>\"$log.out\" "
        "2>>\"$log.log\" &\n"
        "child=$!\n"
        "[ -z \"$warned\" ] || kill -USR1 \"$child\" 2>/dev/null\n"
        "wait \"$child\"\n"
        "rc=$?\n"
        "# wait returns early (128 + the signal) when a trapped signal arrives: wait again\n"
        "while [ \"$rc\" -gt 128 ] && kill -0 \"$child\" 2>/dev/null; do\n"
        "    wait \"$child\"\n"
        "    rc=$?\n"
        "done\n"
        "printf '%d\\n' \"$rc\" >\"$log.status.tmp\" && mv -f \"$log.status.tmp\" "
        "\"$log.status\"\n"
        "rm -f \"$log.pid\"\n"
        "# 75: stopped at a checkpoint to be requeued; 138: killed by USR1 before `ganlab train`\n"
        "# set its handler, so the same from the last checkpoint\n"
        "if [ \"$rc\" -eq 75 ] || [ \"$rc\" -eq 138 ]; then\n"
        "    echo \"ganlab: $name stopped to be requeued; requeueing job $SLURM_JOB_ID\" >&2\n"
        "    scontrol requeue \"$SLURM_JOB_ID\"\n"
        "fi\n"
        "exit \"$rc\"\n",
        f);
}

static void report_script(FILE *f, const gl_suite_def *d, const char *const *self,
                          const gl_slurm_opts *o)
{
    fprintf(f,
            "#!/bin/bash\n"
            "# Written by `ganlab suite --launcher slurm` (docs/scaling.md): the report of suite "
            "%s, once\n"
            "# every task of its job array has ended (submitted with --dependency=afterany).\n",
            d->suite->name);
    fprintf(f, "#SBATCH --job-name=ganlab-%s-report\n", d->suite->name);
    fprintf(f, "#SBATCH --output=%s/logs/slurm-report-%%j.out\n", d->dir);
    resource_lines(f, o);
    fputs("exec ", f);
    print_words(f, self);
    fputs(" --report\n", f);
}

/* Runs argv (a Slurm command) with its stdout into out (trimmed, up to cap); its exit status, or
 * -1 when it could not be run. stderr is the caller's. */
static int capture(char *const argv[], char *out, size_t cap)
{
    int fd[2];
    out[0] = '\0';
    if (pipe(fd) != 0)
        return -1;
    fflush(NULL);
    pid_t pid = fork();
    if (pid < 0) {
        close(fd[0]);
        close(fd[1]);
        return -1;
    }
    if (pid == 0) {
        dup2(fd[1], STDOUT_FILENO);
        close(fd[0]);
        close(fd[1]);
        execvp(argv[0], argv);
        _exit(127);
    }
    close(fd[1]);
    size_t n = 0;
    ssize_t r;
    char sink[256];
    while ((r = read(fd[0], n + 1 < cap ? out + n : sink,
                     n + 1 < cap ? cap - 1 - n : sizeof sink)) > 0 ||
           (r < 0 && errno == EINTR))
        if (r > 0 && n + 1 < cap)
            n += (size_t)r;
    close(fd[0]);
    out[n] = '\0';
    while (n > 0 && strchr("\r\n \t", out[n - 1]))
        out[--n] = '\0';
    int status;
    while (waitpid(pid, &status, 0) < 0)
        if (errno != EINTR)
            return -1;
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

static int write_text(const char *path, void (*fill)(FILE *, const void *), const void *ud,
                      gl_error *err)
{
    gl_atomic_file f;
    if (gl_atomic_open(&f, path, err) != GL_OK)
        return GL_ERR_RUN;
    fill(f.fp, ud);
    return gl_atomic_commit(&f, err);
}

/* The ids in <dir>/slurm/jobs as "A,B" into ids ("" when there is no such file). */
static void recorded_ids(const gl_suite_def *d, char *ids, size_t cap)
{
    char path[GL_SUITE_PATH_CAP], line[ID_CAP];
    snprintf(path, sizeof path, "%.*s/slurm/jobs", GL_SUITE_DIR_CAP, d->dir);
    ids[0] = '\0';
    const char *why;
    FILE *f = gl_fopen_regular(path, "rb", &why);
    if (!f)
        return;
    while (fgets(line, sizeof line, f)) {
        line[strspn(line, "0123456789_")] = '\0';
        if (line[0] && strlen(ids) + strlen(line) + 2 < cap)
            snprintf(ids + strlen(ids), cap - strlen(ids), "%s%s", ids[0] ? "," : "", line);
    }
    fclose(f);
}

typedef struct script_args {
    const gl_suite_def *d;
    const gl_suite_plan *p;
    const int *todo;
    int n_todo;
    const char *const *self;
    const gl_slurm_opts *o;
} script_args;

static void fill_tasks(FILE *f, const void *ud)
{
    const script_args *a = ud;
    tasks_script(f, a->d, a->p, a->todo, a->n_todo, a->self, a->o);
}

static void fill_report(FILE *f, const void *ud)
{
    const script_args *a = ud;
    report_script(f, a->d, a->self, a->o);
}

static void fill_ids(FILE *f, const void *ud) { fputs(ud, f); }

/* sbatch --parsable [extra] script: the job id into id. */
static int sbatch(const char *script, const char *extra, char *id, gl_error *err)
{
    char *argv[] = {"sbatch", "--parsable", (char *)(extra ? extra : script),
                    extra ? (char *)script : NULL, NULL};
    char out[512];
    int rc = capture(argv, out, sizeof out);
    char *semi = strchr(out, ';'); /* "ID;CLUSTER" on a federation */
    if (semi)
        *semi = '\0';
    if (rc < 0 || rc == 127)
        return gl_error_add(err, GL_ERR_RUN, "cannot run sbatch: is Slurm's client on PATH?");
    if (rc != 0 || !out[0] || strspn(out, "0123456789") != strlen(out) || strlen(out) >= ID_CAP)
        return gl_error_add(err, GL_ERR_RUN, "sbatch %s: no job id (exit %d; its message is above)",
                            script, rc);
    snprintf(id, ID_CAP, "%s", out);
    return GL_OK;
}

static int submit(const script_args *a, gl_error *err)
{
    const gl_suite_def *d = a->d;
    char dir[GL_SUITE_PATH_CAP], ids[4 * ID_CAP], queued[1024];
    recorded_ids(d, ids, sizeof ids);
    if (ids[0]) {
        char *argv[] = {"squeue", "--noheader", "--format=%i", "--jobs", ids, NULL};
        if (capture(argv, queued, sizeof queued) == 0 && queued[0])
            return gl_error_add(err, GL_ERR_INPUT,
                                "suite %s: jobs %s of an earlier submission are still queued or "
                                "running; wait for them, or cancel them with --cancel",
                                d->suite->name, ids);
    }
    /* Slurm opens the jobs' output files in logs/ before anything of ours runs. */
    snprintf(dir, sizeof dir, "%.*s/logs", GL_SUITE_DIR_CAP, d->dir);
    if (gl_mkdir_p(dir, err) != GL_OK)
        return GL_ERR_RUN;
    snprintf(dir, sizeof dir, "%.*s/slurm", GL_SUITE_DIR_CAP, d->dir);
    char tasks[GL_SUITE_PATH_CAP + 16], report[GL_SUITE_PATH_CAP + 16], jobs[GL_SUITE_PATH_CAP + 8];
    snprintf(tasks, sizeof tasks, "%s/tasks.sbatch", dir);
    snprintf(report, sizeof report, "%s/report.sbatch", dir);
    snprintf(jobs, sizeof jobs, "%s/jobs", dir);
    char array_id[ID_CAP], report_id[ID_CAP], dep[ID_CAP + 32], text[3 * ID_CAP];
    if (gl_mkdir_p(dir, err) != GL_OK || write_text(tasks, fill_tasks, a, err) != GL_OK ||
        write_text(report, fill_report, a, err) != GL_OK)
        return GL_ERR_RUN;
    if (sbatch(tasks, NULL, array_id, err) != GL_OK)
        return GL_ERR_RUN;
    snprintf(dep, sizeof dep, "--dependency=afterany:%s", array_id);
    snprintf(text, sizeof text, "%s\n", array_id);
    int rc = sbatch(report, dep, report_id, err);
    if (rc == GL_OK)
        snprintf(text, sizeof text, "%s\n%s\n", array_id, report_id);
    /* The ids are recorded even when the report job failed, so --cancel finds the array. */
    if (write_text(jobs, fill_ids, text, err) != GL_OK || rc != GL_OK)
        return GL_ERR_RUN;
    printf("job array %s: %d tasks", array_id, a->n_todo);
    if (a->o->throttle > 0)
        printf(", %d at a time", a->o->throttle);
    printf("\nreport job %s (after the array)\n%s/report/report.html\n", report_id, d->dir);
    return GL_OK;
}

int gl_suite_slurm_submit(const gl_suite_def *d, const gl_suite_plan *p, const char *const *self,
                          const gl_slurm_opts *o, int dry, gl_error *err)
{
    int *todo = calloc((size_t)p->n + 1, sizeof *todo); /* freed below */
    if (!todo)
        return gl_error_add(err, GL_ERR_RUN, "out of memory");
    int n_todo = 0;
    for (int i = 0; i < p->n; i++)
        if (p->kids[i].st.state != GL_RUN_DONE && p->kids[i].st.state != GL_RUN_RUNNING)
            todo[n_todo++] = i;
        else
            fprintf(stderr, "[suite] %s is %s; not submitted\n", p->kids[i].name,
                    gl_run_state_name(p->kids[i].st.state));
    script_args a = {d, p, todo, n_todo, self, o};
    int rc = GL_OK;
    if (n_todo == 0) {
        fprintf(stderr, "[suite] %s: every run is done or running; nothing to submit\n",
                d->suite->name);
    } else if (dry) {
        printf("# %s/slurm/tasks.sbatch\n", d->dir);
        fill_tasks(stdout, &a);
        printf("# %s/slurm/report.sbatch\n", d->dir);
        fill_report(stdout, &a);
    } else {
        rc = submit(&a, err);
    }
    free(todo);
    return rc;
}

int gl_suite_slurm_cancel(const gl_suite_def *d, gl_error *err)
{
    char ids[4 * ID_CAP], out[256];
    recorded_ids(d, ids, sizeof ids);
    if (!ids[0])
        return gl_error_add(err, GL_ERR_INPUT, "%s/slurm/jobs: no jobs recorded for suite %s",
                            d->dir, d->suite->name);
    printf("cancelling jobs %s of suite %s\n", ids, d->suite->name);
    char *argv[] = {"scancel", ids, NULL, NULL}; /* the array and the report job */
    char *comma = strchr(ids, ',');
    if (comma) {
        *comma = '\0';
        argv[2] = comma + 1;
    }
    int rc = capture(argv, out, sizeof out);
    if (rc != 0)
        return gl_error_add(err, GL_ERR_RUN, "scancel: exit %d (its message is above)", rc);
    return GL_OK;
}

/* compare/suite.h - a suite file (the experiments of a comparison) and the pool of child processes
 * that runs them. `ganlab suite` (core/runner/cmd_suite.c) joins the two with the report of
 * compare.h. Internal to libganlab (not installed). Format and behaviour: docs/compare.md.
 *
 *     name: toy                      # optional: the file's base name; names the output directory
 *     seeds: [1, 2, 3]               # every run is trained once per seed
 *     overrides: [train.steps=5000]  # optional: applied to every run
 *     runs:
 *       - config: ../toy/ring_gan.yaml           # relative to the suite file
 *       - config: ../toy/ring_wgan_gp.yaml
 *         overrides: [train.n_critic=5]          # optional: this run's own, after the shared ones
 *         name: wgan5                            # optional: the variant's name (default: the
 *                                                # config's base name); unique in the suite
 *     sweep: {loss.lambda: [1, 10]}  # optional: every run at every point of the product
 *     report: {x: wall}              # optional: the charts' x axis (steps, images, wall)
 */
#ifndef GL_COMPARE_SUITE_H
#define GL_COMPARE_SUITE_H

#include <stdint.h>
#include <sys/types.h>

#include <ganlab/error.h>

/* ---------------------------------------------------------------- the suite file (suite.c) */

typedef struct gl_suite_run {
    char *name;       /* the variant's name: [A-Za-z0-9._-]+, unique in the suite */
    char *config;     /* absolute path of the experiment config */
    char **overrides; /* (n_overrides) "key=value" */
    int n_overrides;
} gl_suite_run;

/* One key of the sweep: section. */
typedef struct gl_suite_axis {
    char *key; /* a config key, as written */
    char *
        *values; /* (n) each value as YAML text, the right side of an override: "10", "[64, 64]" */
    int n;
    char *where; /* "FILE:LINE:COL" of the key, for faults found later (compare/sweep.h) */
} gl_suite_axis;

typedef struct gl_suite {
    char *name;     /* [A-Za-z0-9._-]+ */
    int64_t *seeds; /* (n_seeds) distinct, >= 0 */
    int n_seeds;
    char **overrides; /* (n_overrides) "key=value", for every run */
    int n_overrides;
    gl_suite_run *runs; /* (n_runs), at least one */
    int n_runs;
    gl_suite_axis *sweep; /* (n_sweep) in the file's order */
    int n_sweep;
    char *report_x; /* report: x:, "steps", "images" or "wall"; NULL when not given */
} gl_suite;

/* Reads the suite file path with the config system's bounded YAML reader and checks it: unknown
 * keys (with a near-name suggestion), wrong kinds, seeds that are not distinct integers >= 0,
 * overrides without '=', names that are not file names or not unique, config files that cannot be
 * read, a sweep: that is not a mapping of lists, a report: x that is not an axis. Every fault is
 * reported with FILE:LINE:COL. On success *out is freed with gl_suite_destroy; on failure it is
 * NULL and the status is GL_ERR_INPUT. */
int gl_suite_load(const char *path, gl_suite **out, gl_error *err);
void gl_suite_destroy(gl_suite *s);

/* ---------------------------------------------------------------- child processes (jobs.c) */

typedef struct gl_job {
    char *const *argv;    /* NULL-terminated; argv[0] is the program's path */
    const char *out_path; /* the child's stdout (created or truncated) */
    const char *log_path; /* the child's stderr (created or truncated) */
    pid_t pid;            /* while it runs */
    int status;           /* -1 until it ends; then its exit code, or 128 + the signal that
                             killed it, or 127 when it could not be started */
    double seconds;       /* wall time from start to end */
} gl_job;

/* Called when job i starts (finished 0) and when it ends (finished 1). */
typedef void (*gl_job_event)(void *ud, int i, const gl_job *job, int finished);

/* Runs jobs[0..n) in order, at most max_parallel at a time, each child in its own process group
 * with stdin from /dev/null. A job that fails does not stop the others. stop (may be NULL) is
 * polled for a signal number: when it turns non-zero no more jobs start, that signal is sent once
 * to every running child, and the children are waited for. SIGCHLD, SIGINT and SIGTERM are blocked
 * while it runs (and delivered while it waits), so a signal is never missed between two checks.
 * Returns GL_OK when every job ran to its end (whatever its status), 128 + the signal when stopped,
 * GL_ERR_RUN when a child could not be created (the jobs already running are still waited for). */
int gl_jobs_run(gl_job *jobs, int n, int max_parallel, int (*stop)(void), gl_job_event on_event,
                void *ud, gl_error *err);

/* CPUs this process may run on (sched_getaffinity, else the online count); at least 1. */
int gl_jobs_cores(void);

#endif

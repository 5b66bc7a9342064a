/* compare/jobs.h - a pool of child processes, as `ganlab suite` runs the trainings of a suite
 * (core/runner/cmd_suite.c). Internal to libganlab (not installed). */
#ifndef GL_COMPARE_JOBS_H
#define GL_COMPARE_JOBS_H

#include <sys/types.h>

#include <ganlab/error.h>

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

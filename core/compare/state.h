/* compare/state.h - the state of one run of a suite, derived from what is on disk, so that
 * `ganlab suite --status`, re-running a suite, and any launcher (local child processes, a cluster
 * scheduler) agree on it. Internal to libganlab (not installed). docs/compare.md has the rules.
 *
 * A suite directory OUT holds, for each run NAME (= <variant>-s<seed>):
 *     OUT/logs/NAME.pid     "host:PID" while a launcher runs the child (removed when it ends)
 *     OUT/logs/NAME.status  the exit status of the child's last attempt (written when it ends)
 *     OUT/runs/NAME[-K]/    the run directories of its attempts (docs/formats.md), with run.lock
 *                           while training
 */
#ifndef GL_COMPARE_STATE_H
#define GL_COMPARE_STATE_H

#include <stddef.h>
#include <sys/types.h>

#include <ganlab/error.h>

#include "config/cfg.h"

typedef enum gl_run_state {
    GL_RUN_PENDING,     /* not started, or stopped before its first checkpoint: start it afresh */
    GL_RUN_RUNNING,     /* a live process trains it */
    GL_RUN_INTERRUPTED, /* stopped (signal, requeue, crash) with a checkpoint: resume it */
    GL_RUN_DONE,        /* trained to its budget */
    GL_RUN_FAILED       /* its last attempt exited with an error (exit 1 or 2) */
} gl_run_state;

typedef struct gl_run_status {
    gl_run_state state;
    long long step;  /* the last step in metrics.csv; 0 when none */
    long long total; /* the budget in steps (train.steps); -1 when unknown (a budget in epochs of
                        a run not started) */
    int exit_code;   /* of the last attempt, -1 when none is recorded */
    char dir[4096];  /* the run directory; "" when there is none yet */
} gl_run_status;

/* "pending", "running", "interrupted", "done", "failed". */
const char *gl_run_state_name(gl_run_state s);

/* The state of run `name` of the suite in suite_dir (rules: docs/compare.md). The run directory's
 * config.yaml is validated through lookup (as `compare` does) to read its budget. GL_OK, or
 * GL_ERR_INPUT when a file that is there cannot be read (named in err). */
int gl_run_status_get(const char *suite_dir, const char *name, gl_cfg_schema_lookup lookup,
                      void *ud, gl_run_status *st, gl_error *err);

/* What a launcher records: the child pid started (logs/NAME.pid; a status of an earlier attempt is
 * removed), and its exit status when it ended (logs/NAME.status; the pid file is removed). Both
 * written atomically. */
int gl_run_mark_started(const char *suite_dir, const char *name, pid_t pid, gl_error *err);
int gl_run_mark_ended(const char *suite_dir, const char *name, int exit_code, gl_error *err);

/* The last non-empty line of the text file path into buf ("" when there is none or no file). */
void gl_text_last_line(const char *path, char *buf, size_t cap);

#endif

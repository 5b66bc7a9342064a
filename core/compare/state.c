/* state.c - a suite run's state from its files (state.h). The rules, in order:
 *   running      its run directory's run.lock is locked (flock) by a live process (tried only
 *                when the host:PID it holds is not a dead process of this host); or, without a
 *                run.lock, logs/NAME.pid names a live process on this host
 *   done         metrics.csv reached the budget (train.steps, or for a budget in epochs the steps
 *                run.json records) and a checkpoint of that step exists
 *                (train writes one at the last step), or the last attempt exited 0
 *   failed       the last attempt exited 1..127 other than 75 (75: stopped to be requeued)
 *   interrupted  it has a run directory with a checkpoint (stopped by a signal, killed, requeued)
 *   pending      anything else: never started, or stopped before its first checkpoint
 * The run directory is the newest attempt's: the last of runs/NAME, runs/NAME-2, runs/NAME-3...
 * that exists (train never reuses a directory: a fresh start after a failure makes the next one).
 * Only reads; the lock is tested with a shared, non-blocking flock that is released at once.
 */
#include "compare/state.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "compare/compare.h"
#include "train/rundir.h"
#include "util/atomic.h"
#include "util/fs.h"

#define EXIT_REQUEUE 75

const char *gl_run_state_name(gl_run_state s)
{
    static const char *const names[] = {"pending", "running", "interrupted", "done", "failed"};
    return s >= GL_RUN_PENDING && s <= GL_RUN_FAILED ? names[s] : "?";
}

void gl_text_last_line(const char *path, char *buf, size_t cap)
{
    buf[0] = '\0';
    const char *why;
    FILE *f = gl_fopen_regular(path, &why); /* a FIFO put there would block fopen */
    if (!f)
        return;
    char line[4096];
    while (fgets(line, sizeof line, f)) {
        line[strcspn(line, "\r\n")] = '\0';
        if (line[0])
            snprintf(buf, cap, "%s", line);
    }
    fclose(f);
}

static int is_dir(const char *path)
{
    struct stat st;
    return path[0] && stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

/* What a "host:PID" file (logs/NAME.pid, run.lock) says: 1 a live process on this host, 0 a dead
 * one on this host, -1 unknown (no such file, another host, not host:PID). */
static int holder_alive(const char *path)
{
    char text[512], host[256];
    gl_text_last_line(path, text, sizeof text);
    char *colon = strrchr(text, ':');
    if (!colon || gethostname(host, sizeof host) != 0)
        return -1;
    host[sizeof host - 1] = '\0';
    *colon = '\0';
    char *end;
    long pid = strtol(colon + 1, &end, 10);
    if (strcmp(text, host) != 0 || *end || pid <= 1)
        return -1;
    return kill((pid_t)pid, 0) == 0 || errno == EPERM;
}

/* 1 when dir/run.lock is held by another process, 0 when free, -1 when there is no run.lock. The
 * lock is only tried when the holder it names is not known dead: a shared try-lock, released at
 * once, could make a training that starts at that instant find its run directory locked. */
static int lock_held(const char *dir)
{
    char path[4200];
    snprintf(path, sizeof path, "%s/run.lock", dir);
    int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK);
    if (fd < 0)
        return -1;
    int held = 0;
    if (holder_alive(path) != 0)
        held = flock(fd, LOCK_SH | LOCK_NB) != 0 && errno == EWOULDBLOCK;
    close(fd); /* also releases the shared lock when it was taken */
    return held;
}

/* The step of the newest checkpoint of dir, -1 when it has none. */
static long long newest_checkpoint(const char *dir)
{
    char **names;
    int n;
    gl_error e;
    gl_error_init(&e);
    if (gl_rundir_checkpoints(dir, &names, &n, &e) != GL_OK)
        return -1;
    long long step = -1;
    if (n > 0 && sscanf(names[n - 1], "step_%lld", &step) != 1)
        step = -1;
    gl_rundir_free_names(names, n);
    return step;
}

/* train.steps of the run directory's config (for a budget in epochs, the steps its run.json
 * records; -1 when none), and metrics.csv's last step. */
static int progress(gl_run_status *st, gl_cfg_schema_lookup lookup, void *ud, gl_error *err)
{
    char path[4200];
    snprintf(path, sizeof path, "%s/config.yaml", st->dir);
    if (access(path, F_OK) == 0) {
        gl_cfg *cfg = NULL;
        int rc = gl_cfg_load(path, NULL, 0, &cfg, err);
        if (rc == GL_OK)
            rc = gl_cfg_validate(cfg, lookup, ud, err);
        if (rc == GL_OK) {
            long long steps = gl_params_int(gl_cfg_params(cfg, "train"), "steps");
            st->total = steps > 0 ? steps : gl_cmp_recorded_total(st->dir);
        }
        gl_cfg_destroy(cfg);
        if (rc != GL_OK)
            return rc;
    }
    snprintf(path, sizeof path, "%s/metrics.csv", st->dir);
    gl_cmp_csv m;
    if (gl_cmp_csv_read(path, 1, &m, err) != GL_OK)
        return GL_ERR_INPUT;
    if (m.n_rows > 0)
        st->step = (long long)m.v[(size_t)(m.n_rows - 1) * (size_t)m.n_cols];
    gl_cmp_csv_free(&m);
    return GL_OK;
}

int gl_run_status_get(const char *suite_dir, const char *name, gl_cfg_schema_lookup lookup,
                      void *ud, gl_run_status *st, gl_error *err)
{
    char path[4200], code[64];
    memset(st, 0, sizeof *st);
    st->total = -1;
    st->exit_code = -1;
    for (int k = 1; k < 100000; k++) {
        char dir[sizeof st->dir];
        if (k == 1)
            snprintf(dir, sizeof dir, "%s/runs/%s", suite_dir, name);
        else
            snprintf(dir, sizeof dir, "%s/runs/%s-%d", suite_dir, name, k);
        if (!is_dir(dir))
            break;
        memcpy(st->dir, dir, sizeof dir);
    }
    snprintf(path, sizeof path, "%s/logs/%s.status", suite_dir, name);
    gl_text_last_line(path, code, sizeof code);
    char *end;
    long c = strtol(code, &end, 10);
    if (code[0] && !*end && c >= 0 && c < 256)
        st->exit_code = (int)c;
    if (st->dir[0] && progress(st, lookup, ud, err) != GL_OK)
        return gl_error_add(err, GL_ERR_INPUT, "run %s of suite %s: cannot read its state", name,
                            suite_dir);
    int locked = st->dir[0] ? lock_held(st->dir) : -1;
    snprintf(path, sizeof path, "%s/logs/%s.pid", suite_dir, name);
    long long ck = st->dir[0] ? newest_checkpoint(st->dir) : -1;
    if (locked == 1 || (locked < 0 && holder_alive(path) == 1))
        st->state = GL_RUN_RUNNING;
    else if (st->dir[0] &&
             ((st->total > 0 && st->step >= st->total && ck >= st->total) || st->exit_code == 0))
        st->state = GL_RUN_DONE;
    else if (st->exit_code > 0 && st->exit_code < 128 && st->exit_code != EXIT_REQUEUE)
        st->state = GL_RUN_FAILED;
    else if (ck >= 0)
        st->state = GL_RUN_INTERRUPTED;
    else
        st->state = GL_RUN_PENDING;
    return GL_OK;
}

/* Writes text to logs/NAME.<ext> atomically. */
static int write_mark(const char *suite_dir, const char *name, const char *ext, const char *text,
                      gl_error *err)
{
    char path[4200];
    snprintf(path, sizeof path, "%s/logs/%s.%s", suite_dir, name, ext);
    gl_atomic_file f;
    if (gl_atomic_open(&f, path, err) != GL_OK)
        return GL_ERR_RUN;
    fputs(text, f.fp);
    return gl_atomic_commit(&f, err);
}

int gl_run_mark_started(const char *suite_dir, const char *name, pid_t pid, gl_error *err)
{
    char host[256], text[320];
    if (gethostname(host, sizeof host) != 0)
        snprintf(host, sizeof host, "localhost");
    host[sizeof host - 1] = '\0';
    snprintf(text, sizeof text, "%s:%ld\n", host, (long)pid);
    char path[4200];
    snprintf(path, sizeof path, "%s/logs/%s.status", suite_dir, name);
    unlink(path);
    return write_mark(suite_dir, name, "pid", text, err);
}

int gl_run_mark_ended(const char *suite_dir, const char *name, int exit_code, gl_error *err)
{
    char text[32], path[4200];
    snprintf(text, sizeof text, "%d\n", exit_code);
    int rc = write_mark(suite_dir, name, "status", text, err);
    snprintf(path, sizeof path, "%s/logs/%s.pid", suite_dir, name);
    unlink(path);
    return rc;
}

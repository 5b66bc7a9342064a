/* workers.c - the worker processes of experiment.workers and their barrier (workers.h).
 *
 * The barrier is a counter and a generation in a MAP_SHARED page made before the fork: the last
 * process to arrive resets the counter and advances the generation; the others spin briefly (a
 * reduce of a small net takes microseconds), then yield, then sleep 50 us at a time, 1 ms after
 * 50 ms of waiting (rank 0 writing a checkpoint or running an evaluator takes seconds), checking
 * their peers every 5 ms. */
#include "train/workers.h"

#include <errno.h>
#include <sched.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

typedef struct control {
    atomic_uint arrived;               /* processes at the current barrier */
    atomic_uint generation;            /* barriers passed */
    atomic_int failed;                 /* 0, or 1 + the rank of the first process that failed */
    atomic_int status[GL_WORKERS_MAX]; /* gl_workers_agree's, one per rank */
} control;

static struct {
    int rank, n;
    control *c;   /* the shared page, mapped before the fork (lives as long as the process) */
    int fd;       /* the memfd of dist_local.c's buffers */
    pid_t parent; /* rank 0's pid */
    pid_t pid[GL_WORKERS_MAX]; /* rank 0's: its workers by rank (0: none) */
    int ended[GL_WORKERS_MAX]; /* rank 0's: reaped, with this wait status: */
    int wstatus[GL_WORKERS_MAX];
    int dead; /* rank 0's: the worker whose end, before any failure was flagged, is the failure */
} W = {.n = 1, .fd = -1};

static double now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

static void nap(long ns)
{
    struct timespec t = {0, ns};
    nanosleep(&t, NULL); /* a signal may cut it short: the callers loop */
}

int gl_workers_rank(void) { return W.rank; }
int gl_workers_count(void) { return W.n; }
int gl_workers_fd(void) { return W.fd; }

static void mark_failed(int rank)
{
    int none = 0;
    atomic_compare_exchange_strong(&W.c->failed, &none, 1 + rank);
}

/* What a reaped worker's wait status says, as an error. */
static int report_end(int r, int ws, gl_error *err)
{
    if (WIFSIGNALED(ws))
        return gl_error_add(err, GL_ERR_RUN, "worker %d of %d died (signal %d)", r, W.n,
                            WTERMSIG(ws));
    return gl_error_add(err, GL_ERR_RUN, "worker %d of %d exited with status %d", r, W.n,
                        WEXITSTATUS(ws));
}

/* Rank 0: reaps the workers that ended, without blocking. */
static void reap_ended(void)
{
    for (int r = 1; r < W.n; r++) {
        if (!W.pid[r] || W.ended[r])
            continue;
        pid_t p = waitpid(W.pid[r], &W.wstatus[r], WNOHANG);
        if (p < 0 && errno == ECHILD) /* reaped by someone else: its status is lost */
            W.wstatus[r] = W_EXITCODE(GL_ERR_RUN, 0);
        if (p == W.pid[r] || (p < 0 && errno == ECHILD)) {
            W.ended[r] = 1;
            int none = 0;
            if (atomic_compare_exchange_strong(&W.c->failed, &none, 1 + r))
                W.dead = r;
        }
    }
}

/* Whether a process failed or died (which: peer_error). */
static int peer_down(void)
{
    if (W.rank > 0 && getppid() != W.parent)
        mark_failed(0);
    if (W.rank == 0)
        reap_ended();
    return atomic_load(&W.c->failed) != 0;
}

/* Rank 0 says what ended the run; a worker also says who it is (each prints its own error). */
static int peer_error(gl_error *err)
{
    if (W.rank > 0 && getppid() != W.parent)
        return gl_error_add(err, GL_ERR_RUN, "worker %d of %d: worker 0 died", W.rank, W.n);
    if (W.dead)
        return report_end(W.dead, W.wstatus[W.dead], err);
    int f = atomic_load(&W.c->failed) - 1;
    if (W.rank > 0)
        return gl_error_add(err, GL_ERR_RUN, "worker %d of %d: worker %d failed", W.rank, W.n, f);
    return gl_error_add(err, GL_ERR_RUN, "worker %d of %d failed", f, W.n);
}

int gl_workers_fork(int n, gl_error *err)
{
    if (n < 2)
        return GL_OK;
    W.c = mmap(NULL, sizeof *W.c, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    if (W.c == MAP_FAILED) {
        W.c = NULL;
        return gl_error_add(err, GL_ERR_RUN, "experiment.workers: cannot map shared memory: %s",
                            strerror(errno));
    }
    W.fd = memfd_create("ganlab-workers", MFD_CLOEXEC);
    if (W.fd < 0)
        return gl_error_add(err, GL_ERR_RUN, "experiment.workers: memfd_create: %s",
                            strerror(errno));
    /* An ignored SIGCHLD (inherited from a launcher) would let the kernel reap the workers and
     * take their exit statuses with them. */
    signal(SIGCHLD, SIG_DFL);
    W.n = n;
    W.parent = getpid();
    fflush(NULL); /* else a worker would write rank 0's buffered output again */
    for (int r = 1; r < n; r++) {
        pid_t pid = fork();
        if (pid == 0) {
            W.rank = r;
            memset(W.pid, 0, sizeof W.pid);
            /* Rank 0 killed (SIGKILL cannot be caught): no worker outlives it. */
            if (prctl(PR_SET_PDEATHSIG, SIGKILL) != 0 || getppid() != W.parent)
                _exit(GL_ERR_RUN);
            return GL_OK;
        }
        if (pid < 0) {
            /* The workers already forked see the flag at their first barrier. */
            mark_failed(0);
            return gl_error_add(err, GL_ERR_RUN,
                                "experiment.workers: cannot start worker %d of "
                                "%d: %s",
                                r, n, strerror(errno));
        }
        W.pid[r] = pid;
    }
    return GL_OK;
}

int gl_workers_barrier(gl_error *err)
{
    control *c = W.c;
    unsigned gen = atomic_load(&c->generation);
    if (atomic_fetch_add(&c->arrived, 1) + 1 == (unsigned)W.n) {
        atomic_store(&c->arrived, 0);
        atomic_fetch_add(&c->generation, 1);
        return GL_OK;
    }
    double next_check = 0, since = 0;
    for (unsigned spin = 0;; spin++) {
        if (atomic_load(&c->generation) != gen)
            return GL_OK;
        if (spin < 2000) {
#if defined(__x86_64__) || defined(__i386__)
            __builtin_ia32_pause();
#endif
            continue;
        }
        double t = now();
        since = since ? since : t;
        if (t >= next_check) {
            next_check = t + 5e-3;
            /* A peer that passed this barrier and then ended is no failure here. */
            if (peer_down() && atomic_load(&c->generation) == gen)
                return peer_error(err);
        }
        if (spin < 4000)
            sched_yield();
        else
            nap(t - since < 0.05 ? 50000 : 1000000);
    }
}

int gl_workers_agree(int status, int *worst, gl_error *err)
{
    atomic_store(&W.c->status[W.rank], status);
    if (gl_workers_barrier(err) != GL_OK)
        return GL_ERR_RUN;
    *worst = GL_OK;
    for (int r = 0; r < W.n; r++) {
        int st = atomic_load(&W.c->status[r]);
        *worst = st > *worst ? st : *worst;
    }
    /* No process may write its status for a later agreement before every one read this one. */
    return gl_workers_barrier(err);
}

int gl_workers_end(int status, gl_error *err)
{
    if (W.n < 2)
        return status;
    int failed = status != GL_OK && status < 128;
    if (failed)
        mark_failed(W.rank);
    if (W.rank > 0)
        return status;
    /* A worker ends right after the last step; one that does not is killed rather than waited
     * for: 2 s after a failure, else 60 s (a worker freeing a large data set). */
    double kill_at = now() + 60;
    int grace_cut = 0;
    for (;;) {
        reap_ended();
        int left = 0;
        for (int r = 1; r < W.n; r++)
            left += W.pid[r] && !W.ended[r];
        if (!left)
            break;
        if (atomic_load(&W.c->failed) && !grace_cut) {
            grace_cut = 1;
            kill_at = now() + 2;
        }
        for (int r = 1; now() >= kill_at && r < W.n; r++)
            if (W.pid[r] && !W.ended[r])
                kill(W.pid[r], SIGKILL);
        nap(5000000);
    }
    close(W.fd);
    for (int r = 1; status == GL_OK && r < W.n; r++) {
        int ws = W.wstatus[r];
        if (W.pid[r] && (WIFSIGNALED(ws) || (WEXITSTATUS(ws) != 0 && WEXITSTATUS(ws) < 128)))
            return report_end(r, ws, err);
    }
    return status;
}

/* jobs.c - a pool of child processes (jobs.h): start up to max_parallel, start the next as one
 * ends, forward a stop signal once, wait for all.
 *
 * Waiting without races: SIGCHLD, SIGINT and SIGTERM are blocked while the pool runs, and the only
 * place they are let in is sigsuspend(), which unblocks and sleeps in one step. So a child that
 * ends, or a stop signal that arrives, between a check and the sleep is still pending when the
 * sleep begins and wakes it at once. (SIGCHLD gets an empty handler only so that it interrupts
 * sigsuspend; its default disposition is to be ignored.)
 *
 * Each child gets its own process group, so a Ctrl-C at the terminal reaches only this process,
 * which forwards it exactly once: `ganlab train` takes a second signal as "kill me now", which
 * would cost the child its final checkpoint. A child gets SIGTERM when this process dies
 * (PR_SET_PDEATHSIG), so no run outlives a killed suite. Between fork and exec the child calls only
 * async-signal-safe functions.
 */
#include "compare/jobs.h"

#include <ganlab/plugin.h>

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

int gl_jobs_cores(void)
{
    cpu_set_t set;
    if (sched_getaffinity(0, sizeof set, &set) == 0 && CPU_COUNT(&set) > 0)
        return CPU_COUNT(&set);
    long n = sysconf(_SC_NPROCESSORS_ONLN);
    return n > 0 ? (int)n : 1;
}

static void on_child(int sig) { (void)sig; }

/* In the child: path opened for the run's stdout or stderr, or -1 after saying why on stderr (only
 * calls that are safe after a fork). O_NONBLOCK: a FIFO put there would block the start for good.
 */
static int open_output(const char *path)
{
    static const char head[] = "ganlab: error: ";
    static const char msg[] = ": cannot open for the run's output (not a regular file?)\n";
    struct stat st;
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_NONBLOCK, 0666);
    if (fd >= 0 && fstat(fd, &st) == 0 && S_ISREG(st.st_mode)) {
        fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK);
        return fd;
    }
    if (fd >= 0)
        close(fd);
    /* Best effort: stderr is all the child has to say it with, and it exits 127 either way. */
    if (write(2, head, sizeof head - 1) > 0 && write(2, path, strlen(path)) > 0)
        (void)!write(2, msg, sizeof msg - 1);
    return -1;
}

/* In the child: redirect, restore the signal state the parent had, exec. Never returns. */
static void child(const gl_job *j, const sigset_t *mask, const struct sigaction *chld, pid_t parent)
{
    static const char msg[] = "ganlab: cannot start the run (exec failed)\n";
    setpgid(0, 0);
    /* Its own process group keeps a hangup or Ctrl-C for the suite from reaching the run, so the
     * run must learn of the suite's death another way: SIGTERM when the suite dies however it
     * dies (SIGKILL, SIGHUP), and the run stops at a checkpoint. A suite that died before the
     * prctl left us with another parent already. */
    if (prctl(PR_SET_PDEATHSIG, SIGTERM) != 0 || getppid() != parent)
        _exit(127);
    int in = open("/dev/null", O_RDONLY);
    int out = open_output(j->out_path);
    int log = out < 0 ? -1 : open_output(j->log_path);
    if (in < 0 || out < 0 || log < 0 || dup2(in, 0) < 0 || dup2(out, 1) < 0 || dup2(log, 2) < 0)
        _exit(127);
    sigaction(SIGCHLD, chld, NULL);
    sigprocmask(SIG_SETMASK, mask, NULL);
    execv(j->argv[0], j->argv);
    if (write(2, msg, sizeof msg - 1) < 0)
        _exit(127);
    _exit(127);
}

static int start(gl_job *j, const sigset_t *mask, const struct sigaction *chld, gl_error *err)
{
    pid_t parent = getpid();
    pid_t pid = fork();
    if (pid < 0) {
        j->status = 127;
        return gl_error_add(err, GL_ERR_RUN, "cannot start a run: fork: %s", strerror(errno));
    }
    if (pid == 0)
        child(j, mask, chld, parent);
    j->pid = pid;
    j->seconds = gl_clock_seconds(); /* the start time until it ends */
    return GL_OK;
}

/* Reaps every child that has ended; returns how many did. */
static int reap(gl_job *jobs, int n, gl_job_event on_event, void *ud)
{
    int done = 0, st;
    pid_t pid;
    while ((pid = waitpid(-1, &st, WNOHANG)) > 0)
        for (int i = 0; i < n; i++)
            if (jobs[i].pid == pid && jobs[i].status < 0) {
                jobs[i].status = WIFEXITED(st)     ? WEXITSTATUS(st)
                                 : WIFSIGNALED(st) ? 128 + WTERMSIG(st)
                                                   : 1;
                jobs[i].seconds = gl_clock_seconds() - jobs[i].seconds;
                done++;
                if (on_event)
                    on_event(ud, i, &jobs[i], 1);
            }
    return done;
}

int gl_jobs_run(gl_job *jobs, int n, int max_parallel, int (*stop)(void), gl_job_event on_event,
                void *ud, gl_error *err)
{
    sigset_t block, old, wait_mask;
    sigemptyset(&block);
    sigaddset(&block, SIGCHLD);
    sigaddset(&block, SIGINT);
    sigaddset(&block, SIGTERM);
    struct sigaction sa, old_chld;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_child;
    sigemptyset(&sa.sa_mask);
    sigprocmask(SIG_BLOCK, &block, &old);
    sigaction(SIGCHLD, &sa, &old_chld);
    wait_mask = old;
    sigdelset(&wait_mask, SIGCHLD);
    sigdelset(&wait_mask, SIGINT);
    sigdelset(&wait_mask, SIGTERM);

    for (int i = 0; i < n; i++) {
        jobs[i].status = -1;
        jobs[i].pid = 0;
    }
    int next = 0, running = 0, sig = 0, rc = GL_OK;
    if (max_parallel < 1)
        max_parallel = 1;
    for (;;) {
        running -= reap(jobs, n, on_event, ud);
        int s = stop ? stop() : 0;
        if (s && !sig) {
            sig = s;
            for (int i = 0; i < n; i++)
                if (jobs[i].pid > 0 && jobs[i].status < 0)
                    kill(jobs[i].pid, sig);
        }
        while (!sig && rc == GL_OK && running < max_parallel && next < n) {
            if (start(&jobs[next], &old, &old_chld, err) != GL_OK) {
                rc = GL_ERR_RUN;
                break;
            }
            running++;
            if (on_event)
                on_event(ud, next, &jobs[next], 0);
            next++;
        }
        if (running == 0 && (sig || rc != GL_OK || next == n))
            break;
        sigsuspend(&wait_mask);
    }
    sigaction(SIGCHLD, &old_chld, NULL);
    sigprocmask(SIG_SETMASK, &old, NULL);
    return sig ? 128 + sig : rc;
}

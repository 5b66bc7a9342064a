/* signals.c - SIGINT/SIGTERM (and, for `train`, SIGUSR1) become a flag the runner polls, so a run
 * can stop at a step boundary (and leave its run directory consistent) and main() can exit with
 * 128 + the signal's number, or GL_EXIT_REQUEUE for SIGUSR1. A second signal of any of them kills
 * the process the default way, for a run that does not stop.
 */
#include "runner/runner.h"

#include <errno.h>
#include <signal.h>
#include <string.h>

static volatile sig_atomic_t stop_signal;

static void on_signal(int sig)
{
    if (stop_signal) {
        signal(sig, SIG_DFL);
        raise(sig);
        return;
    }
    stop_signal = sig;
}

int gl_runner_signals_install(gl_error *err)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sigemptyset(&sa.sa_mask);
    if (sigaction(SIGINT, &sa, NULL) != 0 || sigaction(SIGTERM, &sa, NULL) != 0)
        return gl_error_add(err, GL_ERR_RUN, "cannot install signal handlers: %s", strerror(errno));
    return GL_OK;
}

int gl_runner_requeue_signal_install(gl_error *err)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sigemptyset(&sa.sa_mask);
    if (sigaction(SIGUSR1, &sa, NULL) != 0)
        return gl_error_add(err, GL_ERR_RUN, "cannot install the SIGUSR1 handler: %s",
                            strerror(errno));
    return GL_OK;
}

int gl_runner_stop_signal(void) { return stop_signal; }

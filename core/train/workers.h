/* workers.h - the processes of one `ganlab train` with experiment.workers = N > 1 (dist_local.c):
 * rank 0 forks N - 1 workers before any thread exists, and they meet at barriers in shared memory.
 *
 * Never a hang, never an orphan: a barrier's wait checks every few milliseconds whether a worker
 * failed (the shared flag gl_workers_end raises) or died (rank 0 reaps its workers without
 * blocking; a worker sees rank 0 gone, and dies with it by PR_SET_PDEATHSIG), and then fails with
 * a message naming that worker. Rank 0 reaps every worker before `ganlab train` returns. */
#ifndef GL_TRAIN_WORKERS_H
#define GL_TRAIN_WORKERS_H

#include <ganlab/error.h>

#define GL_WORKERS_MAX 16 /* experiment.workers's bound */

/* With n > 1: makes the shared control block and an empty shared-memory file (gl_workers_fd),
 * flushes stdio and forks n - 1 workers; returns GL_OK in every process, each then its own rank.
 * Call it before any thread or open output exists. */
int gl_workers_fork(int n, gl_error *err);
int gl_workers_rank(void);  /* 0 in rank 0 (and without workers), r in worker r */
int gl_workers_count(void); /* n; 1 without workers */

/* The memfd every process shares (sized and mapped by dist_local.c); -1 without workers. */
int gl_workers_fd(void);

/* Waits until every process reached this barrier. GL_ERR_RUN (err says which worker) when a
 * worker failed or died before it did. */
int gl_workers_barrier(gl_error *err);

/* Each process's status in, the worst (the largest) of all out in *worst: whether every process
 * set its run up. GL_ERR_RUN as gl_workers_barrier. */
int gl_workers_agree(int status, int *worst, gl_error *err);

/* At the end of `ganlab train` in every process, with its status (a failure < 128 raises the
 * shared flag, so no process waits for this one). Rank 0 then reaps every worker (a worker that
 * does not exit within 2 s of a failure, or 60 s of rank 0's end, is killed) and returns its own
 * status, or when that is GL_OK and a worker failed or died, GL_ERR_RUN with a message naming it. A
 * worker returns status. */
int gl_workers_end(int status, gl_error *err);

#endif

/* dist.h - data-parallel training: one run over the ranks of an MPI job (`mpirun -np N ganlab
 * train CFG`, docs/scaling.md), or over experiment.workers processes of one `ganlab train`.
 * dist_mpi.c implements it over MPI (./configure --with-mpi); dist_local.c, built otherwise, is
 * one process (rank 0 of 1), or with experiment.workers = N that process and N - 1 forked ones.
 *
 * With one rank (no MPI launcher, -np 1, or the MPI-free build) nothing here changes a run: the
 * step never calls gl_dist_reduce and the run's bytes are those of a build without MPI. With N
 * ranks each rank trains on its 1/N of every global batch with the training streams sliced
 * (gl_rng_set_slice), so every rank draws what one process draws for its samples; one fused
 * all-reduce per update sums the gradients, the nets' buffers, the loss terms and a stop flag. */
#ifndef GL_TRAIN_DIST_H
#define GL_TRAIN_DIST_H

#include "train/train.h"

/* At the start of `ganlab train`: joins the MPI job when an MPI launcher started the process (its
 * environment says so), else stays one rank. GL_ERR_INPUT when launched with several ranks by a
 * build without MPI (each rank would train a run of its own). */
int gl_dist_init(gl_error *err);
/* Once the config and plugins are loaded, before any thread, data or output of the run exist:
 * with workers > 1 (experiment.workers) forks the other ranks (dist_local.c); the MPI build
 * refuses it (GL_ERR_INPUT: its data parallelism is mpirun's). */
int gl_dist_spawn(int workers, gl_error *err);
int gl_dist_rank(void);  /* this process's rank, 0 (the one that writes the run directory) .. */
int gl_dist_ranks(void); /* .. the job's size; 1 without a launcher */

/* Once per run, after every rank set its run up (status: its own result; s NULL when that failed)
 * and before the first step. With several ranks: the worst status of all ranks (a rank whose own
 * set-up passed says another failed); on success rank 0's nets, optimizer state and training state
 * go to every rank, the training streams are sliced, and the fused buffer is allocated (owned here,
 * freed by gl_dist_finish). stop_poll (may be NULL) gives this rank's pending stop signal. */
int gl_dist_start(gl_session *s, int status, int (*stop_poll)(void), gl_error *err);

/* In an update of net `which` (0: G, 1: D) after its backward, with several ranks: replaces the
 * net's gradients, both nets' buffers, *loss and res's term values by their means over the ranks,
 * in one all-reduce that also carries each rank's stop_poll(). Allocates nothing. */
int gl_dist_reduce(gl_session *s, int which, gl_loss_result *res, double *loss, gl_error *err);

/* The stop signal agreed by the last gl_dist_reduce (the lowest rank's that had one), or 0. */
int gl_dist_stop(void);

/* The all-reduces of this process so far and the seconds spent in them (waiting for the slowest
 * rank included): the cost of data parallelism that rank 0 logs (docs/scaling.md). */
void gl_dist_reduce_time(uint64_t *count, double *seconds);

/* At the end of `ganlab train`, with the run's status. A run that failed on its own after
 * gl_dist_start (its error printed here first) aborts the whole job, since the other ranks may be
 * waiting for it; otherwise leaves the MPI job. Returns status. */
int gl_dist_finish(int status, gl_error *err);

#endif

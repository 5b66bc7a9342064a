/* dist_fused.h - what the data-parallel backends (dist_mpi.c, dist_local.c) exchange, in one
 * layout for both: the fused vector of an update, and the state rank 0 sends at the start.
 *
 * The fused vector of an update of net `which`, as floats: [its gradients | G's buffers | D's
 * buffers | the loss | GL_LOSS_MAX_TERMS terms | one stop slot per rank]. Summed over the ranks,
 * the gradients, buffers, loss and terms are then divided by the number of ranks; the stop slots
 * say which ranks had a pending signal. */
#ifndef GL_TRAIN_DIST_FUSED_H
#define GL_TRAIN_DIST_FUSED_H

#include "train/train.h"

/* Floats of the fused vector of net `which`'s update; which -1: the larger of the two. */
size_t gl_dist_fused_size(gl_session *s, int which, int ranks);

/* This rank's fused vector of net `which`'s update into buf (gl_dist_fused_size floats), with
 * stop (its pending signal, or 0) in its own stop slot and 0 in the others. */
void gl_dist_fused_pack(gl_session *s, int which, const gl_loss_result *res, double loss, int rank,
                        int ranks, int stop, float *buf);

/* The sum over the ranks in buf back into the net's gradients, the buffers, *loss and res's terms
 * as means over the ranks. Returns the stop signal of the lowest rank that had one, or 0. */
int gl_dist_fused_unpack(gl_session *s, int which, gl_loss_result *res, double *loss, int ranks,
                         const float *buf);

/* Calls send(block, bytes, ud) for each block of the state that rank 0 sends every rank at the
 * start (the nets' values and buffers, the optimizer state, the training state, the last losses),
 * in a fixed order; stops at the first that returns 0. Returns 1 when every send did. */
int gl_dist_each_state(gl_session *s, int (*send)(void *block, size_t bytes, void *ud), void *ud);

#endif

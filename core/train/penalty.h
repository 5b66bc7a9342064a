/* penalty.h - the zero-centred gradient penalties the core adds to D's loss whatever the loss
 * plugin (train.r1_gamma, train.r2_gamma; docs/training.md):
 *
 *   R1 = gamma1 / 2 * mean_i ||grad_x D(x_i)||^2      on the real batch (Mescheder et al. 2018)
 *   R2 = gamma2 / 2 * mean_i ||grad_f D(f_i)||^2      on the fakes of the same D update
 *
 * The squared norm is over all of an item's elements. Like wgan_gp's penalty the input gradient is
 * recorded (create_graph), so D's backward goes through it (second order). */
#ifndef GL_TRAIN_PENALTY_H
#define GL_TRAIN_PENALTY_H

#include <ganlab/plugin.h>

/* Adds gamma / 2 times each penalty whose gamma is > 0 to res->loss and the penalty before its
 * factor (mean squared norm) to res's terms as "r1" / "r2". D is run through env->discriminate on
 * env->real and on fake (the fakes of this update, attached to G's graph or not: they are
 * detached here), both under env->labels. fake may be NULL when r2_gamma is 0. Returns GL_OK or an
 * error naming the fault (the engine's, or a loss that left no room for the two terms). */
int gl_zc_penalties_add(const gl_loss_env *env, gl_tensor *fake, double r1_gamma, double r2_gamma,
                        gl_loss_result *res, gl_error *err);

#endif

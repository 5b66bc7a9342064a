/* run.h - a whole training run (new or resumed) on top of the session; see run.c. */
#ifndef GL_TRAIN_RUN_H
#define GL_TRAIN_RUN_H

#include "train/train.h"

typedef struct gl_train_opts {
    const char *resume_dir;     /* NULL: a new run directory */
    int (*stop_signal)(void);   /* polled between steps: the signal that asks to stop, or 0 */
} gl_train_opts;

/* Runs cfg (validated against reg) to its budget. dir receives the run directory's path. Returns
 * GL_OK, GL_ERR_INPUT/GL_ERR_RUN with err filled, or 128 + signal when stopped by a signal (after a
 * checkpoint of the last finished step). */
int gl_train_run(const gl_cfg *cfg, const gl_registry *reg, const gl_train_opts *o, char *dir,
                 size_t cap, gl_error *err);

/* Writes samples/step_NNNNNNNN.png: a grid of images from the fixed noise (a row per class for
 * conditional models), or a scatter plot over the real mixture for 2-D data. */
int gl_train_write_samples(gl_session *s, const char *dir, uint64_t step, gl_error *err);

#endif

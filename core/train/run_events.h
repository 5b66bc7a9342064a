/* run_events.h - a training run's event file from its config; see run_events.c and events.h. */
#ifndef GL_TRAIN_RUN_EVENTS_H
#define GL_TRAIN_RUN_EVENTS_H

#include "config/cfg.h"
#include "util/events.h"

/* When logging.tensorboard is true: opens ev in dir (events.h) and writes the config text and the
 * hparams of logging.hparams (GL_ERR_INPUT naming a key the config does not have). When false ev is
 * left closed, so every gl_events_* call on it does nothing. Close with gl_events_close. */
int gl_run_events_open(gl_events *ev, const gl_cfg *cfg, const char *dir, uint64_t step,
                       int resumed, gl_error *err);

/* Checks logging.hparams against cfg (GL_ERR_INPUT naming an unknown key), before anything is
 * written. */
int gl_run_events_check(const gl_cfg *cfg, gl_error *err);

#endif

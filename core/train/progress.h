/* progress.h - the speed of a training run: timing.csv's rows (elapsed seconds, continued across
 * resumes; images per second) and the progress line on stderr and in log.txt (step, epoch, speed,
 * ETA, both losses). The only place that reads the clock during training; no result depends on
 * it. */
#ifndef GL_TRAIN_PROGRESS_H
#define GL_TRAIN_PROGRESS_H

#include "util/csvlog.h"
#include "train/train.h"

typedef struct gl_progress {
    uint64_t total;          /* the budget in generator steps */
    double t0, last_t;       /* clock at the start and at the last row */
    double elapsed0;         /* seconds of the run before this process (a resume) */
    uint64_t step0;          /* the step this process started from: the ETA counts from it */
    uint64_t last_d_updates; /* D updates done at the last row */
} gl_progress;

/* Starts the clock for session s from elapsed0 seconds. */
void gl_progress_start(gl_progress *p, const gl_session *s, uint64_t total, double elapsed0);

/* At a logged step: appends timing.csv's row (ints: the step and epoch columns) and prints the
 * progress line with the session's last losses. Returns the row's images per second. */
double gl_progress_row(gl_progress *p, const gl_session *s, gl_csv *timing,
                       const char *const ints[2], const long long iv[2]);

#endif

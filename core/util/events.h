/* util/events.h - the run's TensorBoard event file (events.out.tfevents.*), written by the training
 * loop next to metrics.csv so that `tensorboard --logdir runs/` shows a run live.
 *
 * One file per training process: a new run's file opens with the file_version event
 * ("brain.Event:2"); a resumed run starts a new file whose first event is a SessionLog START at the
 * resume step (TensorBoard then drops the older files' events after that step, which a resume
 * recomputes), then file_version. Contents (docs/formats.md, "Event files"):
 *   train/NAME   every metrics.csv column (simple_value scalars, step = generator step)
 *   timing/NAME  timing.csv's images_per_s
 *   eval/NAME    every evaluator metric, at its evaluation's step
 *   samples      each sample grid as a PNG image summary
 *   config       the resolved config.yaml as a text summary (markdown code block)
 *   _hparams_/session_start_info  the hparams plugin's session start, for the keys named by
 *                logging.hparams (a suite passes the keys it varies)
 * The messages are encoded here (protobuf wire format, the fields of TensorBoard's event.proto and
 * summary.proto; tests/tools/tensorboard.proto declares them for the test that decodes them with
 * protoc) and framed by util/tfrecord.h. Wall times differ between identical runs, so event files
 * are among the files docs/formats.md lists as not byte-identical.
 *
 * Writes are buffered by stdio; gl_events_flush (called after each log row) pushes them to the
 * file. The first write error is kept and reported by flush/close; later calls then do nothing.
 */
#ifndef GL_UTIL_EVENTS_H
#define GL_UTIL_EVENTS_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <ganlab/error.h>

#include "util/pb.h"

typedef struct gl_events {
    FILE *f;  /* NULL: closed (or never opened: every call does nothing) */
    gl_pb pb; /* the event being encoded; its memory is reused and freed by close */
    int err;  /* the first errno seen while encoding or writing; 0 when none */
    char path[4096];
} gl_events;

/* Creates dir/events.out.tfevents.SECONDS.HOST.PID.STEP and writes its opening events: for a new
 * run (resumed 0) file_version; for a resume, SessionLog START at step, then file_version.
 * GL_ERR_RUN naming the path when it cannot be created. */
int gl_events_open(gl_events *ev, const char *dir, uint64_t step, int resumed, gl_error *err);

/* One event with n scalar values tagged PREFIX/NAME. */
void gl_events_scalars(gl_events *ev, uint64_t step, const char *prefix, int n,
                       const char *const *names, const double *values);

/* One image event from the PNG file at png_path (its bytes stored as they are; height, width and
 * colour space read from its header). GL_ERR_RUN naming the file when it is not a readable PNG. */
int gl_events_image(gl_events *ev, uint64_t step, const char *tag, const char *png_path,
                    gl_error *err);

/* One text event (TensorBoard's text plugin renders it as markdown). */
void gl_events_text(gl_events *ev, uint64_t step, const char *tag, const char *markdown);

/* The hparams plugin's session-start event for n hyperparameters: values are YAML scalars as the
 * config prints them, stored as numbers, booleans or strings by what they parse as. */
void gl_events_hparams(gl_events *ev, uint64_t step, int n, const char *const *keys,
                       const char *const *values);

/* Pushes buffered events to the file. GL_ERR_RUN naming the file after any earlier write error. */
int gl_events_flush(gl_events *ev, gl_error *err);

/* Flushes, closes and frees; safe on a closed or zeroed ev. Same return as gl_events_flush. */
int gl_events_close(gl_events *ev, gl_error *err);

#endif

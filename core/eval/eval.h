/* eval.h - the core's (not installed) side of evaluation: the evaluator plugins of a config's
 * `eval` section run against a training session, the eval.csv rows of a training run, and the
 * eval.json report and table of `ganlab eval` (docs/metrics.md, docs/formats.md).
 *
 * An evaluation never touches the run's own random streams or its parameters: generated samples
 * use their own Philox stream (GL_STREAM_EVAL of the experiment seed, restarted at every
 * evaluation), G runs in eval mode in the session's context (reset afterwards), and real data is
 * read through the dataset's pure get(). So a run with evaluation writes the same checkpoints as
 * one without, and an evaluation of one checkpoint always gives the same numbers (on one machine
 * and thread count).
 */
#ifndef GL_EVAL_H
#define GL_EVAL_H

#include <stdint.h>
#include <stdio.h>

#include <ganlab/plugin.h>
#include <ganlab/rng.h>

#include "config/cfg.h"
#include "plugin/registry.h"

/* What evaluation may use of a training session, filled by its owner (gl_session_eval_source in
 * train.h): evaluation reaches the session only through these fields and callbacks, so the data
 * path runs one way, training -> evaluation. Must outlive the evaluation. */
typedef struct gl_eval_source {
    gl_dataset_info data;
    size_t item_size; /* floats per item */
    int conditional;  /* 1: G takes labels */
    int batch;        /* the most samples asked of sample() at once */
    uint64_t seed;    /* the experiment seed */
    uint64_t step;    /* generator steps done (eval.csv keeps the rows up to it) */
    const gl_dataset_plugin *dataset_p;
    void *dataset; /* the session's open instance (not owned) */
    void *session; /* passed back to sample() */
    /* n (<= batch) samples of G in eval mode with noise from rng into out (n, item size);
     * labels (n) for a conditional model, else NULL. */
    int (*sample)(void *session, gl_rng *rng, int n, const int32_t *labels, float *out,
                  gl_error *err);
    int (*stop_signal)(void); /* the signal that asked the process to stop, or 0; may be NULL */
} gl_eval_source;

typedef struct gl_evaluation gl_evaluation;

/* Creates every evaluator of cfg's eval.evaluators (validated against reg) over src. On success
 * *out is freed with gl_evaluation_close; with no evaluators configured it is a valid evaluation
 * of nothing. */
int gl_evaluation_open(const gl_cfg *cfg, const gl_registry *reg, const gl_eval_source *src,
                       gl_evaluation **out, gl_error *err);
void gl_evaluation_close(gl_evaluation *e);

/* Runs every evaluator on G as it is now; their results stay readable until the next run.
 * 128 + the signal (err says so) when src's stop_signal interrupted an evaluator. */
int gl_evaluation_run(gl_evaluation *e, gl_error *err);

size_t gl_evaluation_count(const gl_evaluation *e);
const char *gl_evaluation_name(const gl_evaluation *e, size_t i); /* the plugin's name */
const gl_eval_result *gl_evaluation_result(const gl_evaluation *e, size_t i);

/* eval.json for the last run of e at step (docs/formats.md), written atomically to path. */
int gl_evaluation_write_json(const gl_evaluation *e, uint64_t step, const char *path,
                             gl_error *err);
/* The readable table of the last run: one line per metric, then each evaluator's protocol. */
void gl_evaluation_print_table(const gl_evaluation *e, uint64_t step, FILE *f);

/* ---------------------------------------------------------------- during training */

typedef struct gl_eval_log gl_eval_log;

/* For `ganlab train`: when train.eval_every > 0 and evaluators are configured, opens them and
 * dir/eval.csv (cut back to the rows at or before src's step, for a resumed run);
 * otherwise *out is NULL, which gl_eval_log_step and gl_eval_log_close accept. */
int gl_eval_log_open(const gl_cfg *cfg, const gl_registry *reg, const gl_eval_source *src,
                     const char *dir, gl_eval_log **out, gl_error *err);
/* At every multiple of train.eval_every and at step == total: evaluates and appends a row
 * (step, then `<evaluator>.<metric>` columns) to eval.csv, and logs a summary line to stderr. */
int gl_eval_log_step(gl_eval_log *l, uint64_t step, uint64_t total, gl_error *err);
/* For a resumed run at step: gl_eval_log_step when that step is due and eval.csv has no row of it
 * (the evaluation after the checkpoint was stopped, killed or failed). */
int gl_eval_log_catch_up(gl_eval_log *l, uint64_t step, uint64_t total, gl_error *err);
void gl_eval_log_close(gl_eval_log *l);
/* Each later row also goes to events (not owned; it must outlive l) as eval/EVALUATOR.METRIC
 * scalars. l may be NULL (no evaluation during training): nothing happens. */
struct gl_events;
void gl_eval_log_set_events(gl_eval_log *l, struct gl_events *events);

/* ---------------------------------------------------------------- the evaluator cache */

/* gl_eval_env.cache_load / cache_save over util/fs.h's gl_cache_dir (core ignored). A name must be
 * a plain file name ([A-Za-z0-9._-], not starting with '.'). */
int gl_eval_cache_load(void *core, const char *name, void **data, size_t *size, gl_error *err);
int gl_eval_cache_save(void *core, const char *name, const void *data, size_t size, gl_error *err);

#endif

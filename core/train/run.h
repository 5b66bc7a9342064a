/* run.h - a whole training run (new or resumed) on top of the session; see run.c. */
#ifndef GL_TRAIN_RUN_H
#define GL_TRAIN_RUN_H

#include "train/train.h"

typedef struct gl_train_opts {
    const char *resume_dir; /* NULL: a new run directory */
    const char *checkpoint; /* with resume_dir: FILE or STEP to resume from; NULL: the newest */
    /* With resume_dir: the config's changes, "key: old -> new" lines (gl_train_resume_changes),
     * for log.txt and run.json; NULL or "" for none. forced: accepted with --force. */
    const char *resume_changes;
    int forced;
    /* The command line and its KEY=VALUE operands, for run.json (argc 0: none). */
    int argc;
    const char *const *argv;
    const char *const *overrides;
    int n_overrides;
    int (*stop_signal)(void); /* polled between steps: the signal that asks to stop, or 0 */
} gl_train_opts;

/* Runs cfg (validated against reg) to its budget. dir receives the run directory's path. Returns
 * GL_OK, GL_ERR_INPUT/GL_ERR_RUN with err filled, or 128 + signal when stopped by a signal (after a
 * checkpoint of the last finished step). A resume whose budget is at or below the checkpoint's step
 * is GL_ERR_INPUT before anything in the run directory changes. */
int gl_train_run(const gl_cfg *cfg, const gl_registry *reg, const gl_train_opts *o, char *dir,
                 size_t cap, gl_error *err);

/* The config to resume the run in dir with: dir/config.yaml plus overrides, validated through
 * lookup. Refused (GL_ERR_INPUT, naming the differing keys) when the overrides change anything but
 * train.steps, train.epochs or experiment.threads, unless force. *out is freed with gl_cfg_destroy.
 */
int gl_train_resume_config(const char *dir, const char *const *overrides, int n_overrides,
                           int force, gl_cfg_schema_lookup lookup, void *ud, gl_cfg **out,
                           gl_error *err);

/* Loads into s the checkpoint of the run in dir that which names (a STEP of dir's checkpoints/ or a
 * FILE), or the newest when which is NULL. When the newest fails its checks, err also lists the
 * older checkpoints that pass them. */
int gl_train_resume_checkpoint(gl_session *s, const char *dir, const char *which, gl_error *err);

/* Every key whose value differs between dir/config.yaml and now (the config the run resumes with),
 * one "key: old -> new" line each, into buf (cap bytes, NUL-terminated). */
int gl_train_resume_changes(const char *dir, const gl_cfg *now, gl_cfg_schema_lookup lookup,
                            void *ud, char *buf, size_t cap, gl_error *err);

/* Writes samples/step_NNNNNNNN.png: a grid of images from the fixed noise (a row per class for
 * conditional models), or a scatter plot over the real mixture for 2-D data. */
int gl_train_write_samples(gl_session *s, const char *dir, uint64_t step, gl_error *err);
/* The path gl_train_write_samples writes for step, into path (cap bytes). */
void gl_train_samples_path(const char *dir, uint64_t step, char *path, size_t cap);

/* `ganlab sample`: n samples from G (eval mode) with noise from (seed, stream EVAL), labels all
 * `label` (>= 0) or i mod n_classes for a conditional model, written to path by its extension:
 * .png (grid of ceil(sqrt(n)) columns, or a scatter plot for 2-D data), .csv, or .idx (uint8
 * images, plus PATH-labels.idx for a conditional model). */
int gl_train_export_samples(gl_session *s, const char *path, int n, int label, uint64_t seed,
                            gl_error *err);

#endif

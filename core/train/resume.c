/* resume.c - the config of a resumed run: the run directory's config.yaml with the command line's
 * overrides, refused when the overrides change what the run computes (they would make the
 * continued run a different experiment), unless forced. What may change: the budget, the thread
 * count, and what is written when (log, sample, evaluation and checkpoint cadences, logging.*,
 * the eval section, engine.precision when the engine has it) - none of them changes a parameter's
 * value at a given step. Every change is logged by the run (gl_train_resume_changes). */
#include "train/run.h"

#include <stdio.h>

static const char *const may_change[] = {"train.steps",
                                         "train.epochs",
                                         "experiment.threads",
                                         "train.log_every",
                                         "train.sample_every",
                                         "train.eval_every",
                                         "train.checkpoint_every",
                                         "train.keep_checkpoints",
                                         "logging",
                                         "eval",
                                         "engine.precision",
                                         NULL};

/* Loads dir/config.yaml, validated; *out freed with gl_cfg_destroy. */
static int load_saved(const char *dir, gl_cfg_schema_lookup lookup, void *ud, gl_cfg **out,
                      gl_error *err)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/config.yaml", dir);
    int rc = gl_cfg_load(path, NULL, 0, out, err);
    if (rc == GL_OK)
        rc = gl_cfg_validate(*out, lookup, ud, err);
    return rc;
}

int gl_train_resume_changes(const char *dir, const gl_cfg *now, gl_cfg_schema_lookup lookup,
                            void *ud, char *buf, size_t cap, gl_error *err)
{
    gl_cfg *saved = NULL;
    buf[0] = '\0';
    int rc = load_saved(dir, lookup, ud, &saved, err);
    if (rc == GL_OK)
        gl_cfg_diff(saved, now, NULL, buf, cap);
    gl_cfg_destroy(saved);
    return rc;
}

int gl_train_resume_config(const char *dir, const char *const *overrides, int n_overrides,
                           int force, gl_cfg_schema_lookup lookup, void *ud, gl_cfg **out,
                           gl_error *err)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/config.yaml", dir);
    gl_cfg *saved = NULL, *now = NULL;
    *out = NULL;
    int rc = load_saved(dir, lookup, ud, &saved, err);
    if (rc == GL_OK)
        rc = gl_cfg_load(path, overrides, n_overrides, &now, err);
    if (rc == GL_OK)
        rc = gl_cfg_validate(now, lookup, ud, err);
    if (rc == GL_OK && !force) {
        char diff[2048];
        int n = gl_cfg_diff(saved, now, may_change, diff, sizeof diff);
        if (n > 0)
            rc = gl_error_add(err, GL_ERR_INPUT,
                              "%s: resuming with a changed config is refused (only the budget, "
                              "experiment.threads, the log/sample/eval/checkpoint cadences, "
                              "train.keep_checkpoints, logging.*, eval.* and engine.precision may "
                              "change; --force overrides, and log.txt records it). Changed:\n%s",
                              dir, diff);
    }
    gl_cfg_destroy(saved);
    if (rc != GL_OK) {
        gl_cfg_destroy(now);
        return rc;
    }
    *out = now;
    return GL_OK;
}

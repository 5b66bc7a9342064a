/* resume.c - the config of a resumed run: the run directory's config.yaml with the command line's
 * overrides, refused when the overrides change what the run computes (they would make the
 * continued run a different experiment), unless forced. What may change: the budget, the thread
 * count, and what is written when (log, sample, evaluation and checkpoint cadences, logging.*,
 * the eval section, engine.precision when the engine has it) - none of them changes a parameter's
 * value at a given step. Every change is logged by the run (gl_train_resume_changes).
 * Also the checkpoint the run continues from (gl_train_resume_checkpoint). */
#include "train/run.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "train/rundir.h"

static const char *const may_change[] = {"train.steps",
                                         "train.epochs",
                                         "experiment.threads",
                                         "experiment.workers",
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
                              "experiment.threads, experiment.workers, the log/sample/eval/"
                              "checkpoint cadences, "
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

/* "STEP" (digits only) names dir's checkpoint of that step; anything else is a file path. */
static void checkpoint_path(const char *dir, const char *which, char *path, size_t cap)
{
    if (which[strspn(which, "0123456789")] == '\0' && strlen(which) <= 19)
        gl_rundir_checkpoint_path(dir, strtoull(which, NULL, 10), path, cap);
    else
        snprintf(path, cap, "%s", which);
}

/* Appends to err the checkpoints of dir older than the newest that pass every check. */
static void list_valid_older(gl_session *s, const char *dir, gl_error *err)
{
    char **names;
    int n;
    if (gl_rundir_checkpoints(dir, &names, &n, NULL) != GL_OK)
        return;
    char list[2048] = "";
    size_t used = 0;
    for (int i = n - 2; i >= 0; i--) {
        char path[4096];
        snprintf(path, sizeof path, "%s/checkpoints/%s", dir, names[i]);
        if (gl_checkpoint_verify(s, path, NULL) == GL_OK && used < sizeof list)
            used += (size_t)snprintf(list + used, sizeof list - used, "%s%s", used ? ", " : "",
                                     names[i]);
    }
    if (used)
        gl_error_add(err, err->status,
                     "%s/checkpoints: valid older checkpoints: %s; resume from one with "
                     "--checkpoint STEP (or FILE)",
                     dir, list);
    else
        gl_error_add(err, err->status, "%s/checkpoints: no older checkpoint is valid either", dir);
    gl_rundir_free_names(names, n);
}

int gl_train_resume_checkpoint(gl_session *s, const char *dir, const char *which, gl_error *err)
{
    char path[4096];
    if (which && !which[0]) /* "" would pass for digits and name step 0 */
        return gl_error_add(err, GL_ERR_INPUT, "--checkpoint '': expected FILE or STEP");
    if (which) {
        checkpoint_path(dir, which, path, sizeof path);
        return gl_checkpoint_load(s, path, err);
    }
    /* A reader (sample, eval) may look at a run that is training: the newest checkpoint can be
     * pruned between the listing and the open. Then the listing is taken again. */
    for (int attempt = 0;; attempt++) {
        gl_error e;
        gl_error_init(&e);
        if (gl_rundir_newest_checkpoint(dir, path, sizeof path, err) != GL_OK)
            return err->status;
        if (gl_checkpoint_load(s, path, &e) == GL_OK)
            return GL_OK;
        if (attempt < 8 && access(path, F_OK) != 0 && errno == ENOENT)
            continue;
        gl_error_add(err, e.status, "%s", e.text);
        list_valid_older(s, dir, err);
        return err->status;
    }
}

/* resume.c - the config of a resumed run: the run directory's config.yaml with the command line's
 * overrides, refused when the overrides change anything but the run's length, thread count or
 * engine precision (the others would make the continued run a different experiment), unless
 * forced. */
#include "train/run.h"

#include <stdio.h>

/* engine.precision too: checkpoints are fp32 whatever the precision of the products. */
static const char *const may_change[] = {"train.steps", "train.epochs", "experiment.threads",
                                         "engine.precision", NULL};

int gl_train_resume_config(const char *dir, const char *const *overrides, int n_overrides,
                           int force, gl_cfg_schema_lookup lookup, void *ud, gl_cfg **out,
                           gl_error *err)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/config.yaml", dir);
    gl_cfg *saved = NULL, *now = NULL;
    *out = NULL;
    int rc = gl_cfg_load(path, NULL, 0, &saved, err);
    if (rc == GL_OK)
        rc = gl_cfg_validate(saved, lookup, ud, err);
    if (rc == GL_OK)
        rc = gl_cfg_load(path, overrides, n_overrides, &now, err);
    if (rc == GL_OK)
        rc = gl_cfg_validate(now, lookup, ud, err);
    if (rc == GL_OK && !force) {
        char diff[2048];
        int n = gl_cfg_diff(saved, now, may_change, diff, sizeof diff);
        if (n > 0)
            rc = gl_error_add(err, GL_ERR_INPUT,
                              "%s: resuming with a changed config is refused (only train.steps, "
                              "train.epochs, experiment.threads and engine.precision may change; "
                              "--force overrides). "
                              "Changed:\n%s",
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

/* run.c - one run directory as the comparison sees it (docs/formats.md): the resolved config
 * (loaded and validated through the same config system as `ganlab train`, so two configs compare
 * value by value), the CSV logs with eval.json's metrics, the newest sample image, and for a budget
 * in epochs the steps run.json records. It does not read checkpoints.
 */
#include "compare/compare.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/json.h"

static int load_config(gl_cmp_run *r, gl_cfg_schema_lookup lookup, void *ud, gl_error *err)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/config.yaml", r->dir);
    int rc = gl_cfg_load(path, NULL, 0, &r->cfg, err);
    if (rc == GL_OK)
        rc = gl_cfg_validate(r->cfg, lookup, ud, err);
    if (rc != GL_OK)
        return gl_error_add(err, rc, "%s: not a run directory ganlab can read", r->dir);
    const gl_params *exp = gl_cfg_params(r->cfg, "experiment");
    const gl_params *train = gl_cfg_params(r->cfg, "train");
    r->name = gl_params_string(exp, "name");
    r->seed = gl_params_int(exp, "seed");
    /* A packing D (PacGAN's model.pack = m) sees m x batch_size real items per update. */
    const gl_params *model = gl_cfg_params(r->cfg, "model");
    int64_t pack = gl_params_is_set(model, "pack") ? gl_params_int(model, "pack") : 1;
    r->batch_size = gl_params_int(train, "batch_size") * (pack > 1 ? pack : 1);
    r->n_critic = gl_params_int(train, "n_critic");
    r->budget = gl_params_int(train, "steps");
    return GL_OK;
}

static int load_csv(gl_cmp_run *r, const char *name, int optional, gl_cmp_csv *t, gl_error *err)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", r->dir, name);
    return gl_cmp_csv_read(path, optional, t, err);
}

/* eval.json's metrics (`ganlab eval` of a checkpoint) merged into the eval table. */
static int load_eval_json(gl_cmp_run *r, gl_error *err)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/eval.json", r->dir);
    gl_cmp_csv row;
    int rc = gl_cmp_eval_json_read(path, &row, err);
    if (rc == GL_OK)
        rc = gl_cmp_csv_merge_row(&r->eval, &row, err);
    gl_cmp_csv_free(&row);
    return rc;
}

/* The newest samples/step_N.png by N (a missing samples/ directory is no sample). */
static int newest_sample(gl_cmp_run *r, gl_error *err)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/samples", r->dir);
    DIR *d = opendir(path);
    if (!d)
        return GL_OK;
    unsigned long long best = 0;
    char best_name[256] = "";
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        unsigned long long step;
        int end = 0;
        if (sscanf(e->d_name, "step_%llu.png%n", &step, &end) == 1 && e->d_name[end] == '\0' &&
            end > 0 && (!best_name[0] || step > best) && strlen(e->d_name) < sizeof best_name) {
            best = step;
            strcpy(best_name, e->d_name);
        }
    }
    closedir(d);
    if (!best_name[0])
        return GL_OK;
    size_t n = strlen(path) + strlen(best_name) + 2;
    r->sample = malloc(n);
    if (!r->sample)
        return gl_error_add(err, GL_ERR_RUN, "out of memory");
    snprintf(r->sample, n, "%s/%s", path, best_name);
    return GL_OK;
}

int gl_cmp_run_load(const char *dir, gl_cfg_schema_lookup lookup, void *ud, gl_cmp_run *r,
                    gl_error *err)
{
    memset(r, 0, sizeof *r);
    r->dir = strdup(dir);
    int rc = r->dir ? load_config(r, lookup, ud, err)
                    : gl_error_add(err, GL_ERR_RUN, "out of memory");
    if (rc == GL_OK)
        rc = load_csv(r, "metrics.csv", 0, &r->metrics, err);
    if (rc == GL_OK)
        rc = load_csv(r, "eval.csv", 1, &r->eval, err);
    if (rc == GL_OK)
        rc = load_eval_json(r, err);
    if (rc == GL_OK)
        rc = load_csv(r, "timing.csv", 1, &r->timing, err);
    if (rc == GL_OK)
        rc = newest_sample(r, err);
    if (rc != GL_OK) {
        gl_cmp_run_free(r);
        return rc;
    }
    if (r->metrics.n_rows > 0)
        r->last_step =
            (long long)r->metrics.v[(size_t)(r->metrics.n_rows - 1) * (size_t)r->metrics.n_cols];
    if (r->budget <= 0) {
        long long recorded = gl_cmp_recorded_total(r->dir);
        r->budget = recorded > 0 ? recorded : r->last_step;
    }
    return GL_OK;
}

long long gl_cmp_recorded_total(const char *dir)
{
    char path[4200];
    snprintf(path, sizeof path, "%s/run.json", dir);
    gl_json *root = NULL;
    gl_error quiet; /* a damaged run.json is reported by the commands that need its plugins */
    gl_error_init(&quiet);
    if (gl_json_load(path, &root, &quiet) != GL_OK)
        return -1;
    const gl_json *t = gl_json_get(root, "total_steps");
    const gl_json *rs = gl_json_get(root, "resumes");
    if (rs && rs->type == GL_JSON_ARRAY && rs->n > 0)
        t = gl_json_get(rs->items[rs->n - 1], "total_steps");
    long long total = t && t->type == GL_JSON_NUMBER && t->number >= 1 && t->number < 9e18
                          ? (long long)t->number
                          : -1;
    gl_json_free(root);
    return total;
}

void gl_cmp_run_free(gl_cmp_run *r)
{
    free(r->dir);
    if (r->cfg)
        gl_cfg_destroy(r->cfg);
    gl_cmp_csv_free(&r->metrics);
    gl_cmp_csv_free(&r->eval);
    gl_cmp_csv_free(&r->timing);
    free(r->sample);
    memset(r, 0, sizeof *r);
}

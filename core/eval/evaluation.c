/* evaluation.c - evaluator plugins over a training session (eval.h): the env they get (generated
 * samples, the data's splits, the mode structure, the cache), and running them.
 *
 * Splits: the training split is the session's own dataset instance when its `split` parameter is
 * absent or already "train"; otherwise, and for the test split, the dataset plugin is opened again
 * with the run's parameters and `split` changed (gl_cfg_params_derive). A dataset without a
 * `split` choice that offers "test" has no held-out data: its test split is the training data, and
 * split_open names it "train" so that protocols say what the reference was.
 *
 * Not here: what the evaluators measure (plugins/evaluator/), eval.csv (log.c), eval.json
 * (report.c).
 */
#include "eval/eval.h"

#include <stdlib.h>
#include <string.h>

typedef struct split {
    int opened;
    const char *name;  /* "train" or "test" (static) */
    void *dataset;     /* the session's instance (not owned) or own_dataset */
    void *own_dataset; /* a reopened instance, closed with the plugin's close */
    gl_params *params; /* its derived parameters (gl_cfg_params_free), kept for its life */
    int64_t n_items;
} split;

struct gl_evaluation {
    const gl_eval_source *s;
    const gl_cfg *cfg;
    gl_eval_env env;
    gl_rng rng;        /* the evaluation stream, restarted by gl_evaluation_run */
    int64_t generated; /* samples drawn since then (default labels continue from it) */
    int32_t *labels;   /* (batch) default labels of a conditional model */
    split splits[2];
    size_t n;
    const gl_evaluator_plugin **p; /* (n) */
    void **self;                   /* (n) instances */
    gl_eval_result *res;           /* (n) */
};

static int oom(gl_error *err)
{
    return gl_error_add(err, GL_ERR_RUN, "out of memory for the evaluation");
}

static int generate(void *core, int n, const int32_t *labels, float *x, gl_error *err)
{
    gl_evaluation *e = core;
    const gl_eval_source *s = e->s;
    int k = s->data.n_classes;
    /* Slices of at most one batch, so G's memory stays that of training. */
    for (int at = 0; at < n; at += s->batch) {
        int m = n - at < s->batch ? n - at : s->batch;
        const int32_t *lab = labels ? labels + at : NULL;
        if (!lab && s->conditional && k > 0) {
            for (int i = 0; i < m; i++)
                e->labels[i] = (int32_t)((e->generated + i) % k);
            lab = e->labels;
        }
        int rc = s->sample(s->session, &e->rng, m, lab, x + (size_t)at * s->item_size, err);
        if (rc != GL_OK)
            return rc;
        e->generated += m;
    }
    return GL_OK;
}

/* The choice parameter `split` of the dataset's schema when it offers `want`, else NULL. */
static const gl_param_spec *split_param(const gl_dataset_plugin *p, const char *want)
{
    for (const gl_param_spec *ps = p->hdr.params; ps && ps->name; ps++) {
        if (strcmp(ps->name, "split") != 0 || ps->type != GL_PARAM_CHOICE || !ps->choices)
            continue;
        size_t len = strlen(want);
        for (const char *c = ps->choices; *c; c += strcspn(c, "|"), c += *c == '|')
            if (strncmp(c, want, len) == 0 && (c[len] == '|' || c[len] == '\0'))
                return ps;
    }
    return NULL;
}

static int reopen(gl_evaluation *e, split *sp, const char *want, gl_error *err)
{
    const gl_eval_source *s = e->s;
    char changes[64], label[96];
    snprintf(changes, sizeof changes, "split: %s", want);
    snprintf(label, sizeof label, "dataset '%s' (%s split for evaluation)", s->dataset_p->hdr.name,
             want);
    int rc = gl_cfg_params_derive(s->dataset_p->hdr.params, gl_cfg_params(e->cfg, "dataset"),
                                  changes, label, &sp->params, err);
    if (rc != GL_OK)
        return rc;
    gl_dataset_info info = {0};
    rc = s->dataset_p->open(sp->params, s->seed, &sp->own_dataset, &info, err);
    if (rc != GL_OK)
        return err->status ? err->status : GL_ERR_INPUT;
    size_t item = 1;
    for (int i = 0; i < info.ndim; i++)
        item *= (size_t)info.shape[i];
    if (info.ndim != s->data.ndim || item != s->item_size || info.n_items < 1)
        return gl_error_add(err, GL_ERR_INPUT,
                            "%s: its items differ in shape from the training "
                            "split's, or it is empty",
                            label);
    sp->dataset = sp->own_dataset;
    sp->n_items = info.n_items;
    return GL_OK;
}

static int split_open(void *core, gl_eval_split which, int64_t *n_items, const char **name,
                      gl_error *err)
{
    gl_evaluation *e = core;
    const gl_eval_source *s = e->s;
    if (which != GL_SPLIT_TRAIN && which != GL_SPLIT_TEST)
        return gl_error_add(err, GL_ERR_INPUT, "evaluation: unknown data split %d", (int)which);
    split *sp = &e->splits[which];
    if (!sp->opened) {
        const char *want = which == GL_SPLIT_TEST ? "test" : "train";
        const char *now = gl_params_string(gl_cfg_params(e->cfg, "dataset"), "split");
        int has = split_param(s->dataset_p, want) != NULL;
        sp->name = has || which == GL_SPLIT_TRAIN ? want : "train";
        if (has && strcmp(now, want) != 0) {
            int rc = reopen(e, sp, want, err);
            if (rc != GL_OK)
                return rc;
        } else {
            sp->dataset = s->dataset;
            sp->n_items = s->data.n_items;
        }
        sp->opened = 1;
    }
    *n_items = sp->n_items;
    *name = sp->name;
    return GL_OK;
}

static int split_get(void *core, gl_eval_split which, const int64_t *indices, int n, float *x,
                     int32_t *labels, gl_error *err)
{
    gl_evaluation *e = core;
    if ((which != GL_SPLIT_TRAIN && which != GL_SPLIT_TEST) || !e->splits[which].opened)
        return gl_error_add(err, GL_ERR_INPUT, "evaluation: data split %d read before split_open",
                            (int)which);
    int rc = e->s->dataset_p->get(e->splits[which].dataset, indices, n, x,
                                  e->s->data.n_classes > 0 ? labels : NULL, err);
    return rc == GL_OK ? GL_OK : (err->status ? err->status : GL_ERR_RUN);
}

static int stop(void *core)
{
    const gl_eval_source *s = ((gl_evaluation *)core)->s;
    return s->stop_signal ? s->stop_signal() : 0;
}

static void fill_env(gl_evaluation *e)
{
    const gl_eval_source *s = e->s;
    gl_eval_env *env = &e->env;
    env->data = s->data;
    env->conditional = s->conditional;
    env->samples = gl_params_int(gl_cfg_params(e->cfg, "eval"), "samples");
    env->seed = s->seed;
    if (s->dataset_p->modes)
        env->n_modes = s->dataset_p->modes(s->dataset, &env->mode_centres, &env->mode_std);
    env->core = e;
    env->generate = generate;
    env->split_open = split_open;
    env->split_get = split_get;
    env->cache_load = gl_eval_cache_load;
    env->cache_save = gl_eval_cache_save;
    env->stop = stop;
}

int gl_evaluation_open(const gl_cfg *cfg, const gl_registry *reg, const gl_eval_source *s,
                       gl_evaluation **out, gl_error *err)
{
    *out = NULL;
    size_t n = gl_cfg_n_evaluators(cfg);
    /* All freed by gl_evaluation_close, also on the failure paths below. */
    gl_evaluation *e = calloc(1, sizeof *e);
    if (!e)
        return oom(err);
    e->s = s;
    e->cfg = cfg;
    e->p = calloc(n + 1, sizeof *e->p);
    e->self = calloc(n + 1, sizeof *e->self);
    e->res = calloc(n + 1, sizeof *e->res);
    e->labels = calloc((size_t)s->batch, sizeof *e->labels);
    if (!e->p || !e->self || !e->res || !e->labels) {
        gl_evaluation_close(e);
        return oom(err);
    }
    fill_env(e);
    for (size_t i = 0; i < n; i++, e->n++) {
        const gl_registry_entry *entry;
        int rc = gl_registry_find(reg, GL_KIND_EVALUATOR, gl_cfg_evaluator_plugin(cfg, i),
                                  GL_CFG_EVALUATORS, NULL, &entry, err);
        if (rc == GL_OK) {
            e->p[i] = (const gl_evaluator_plugin *)entry->hdr;
            rc = e->p[i]->create(gl_cfg_evaluator_params(cfg, i), &e->env, &e->self[i], err);
            if (rc != GL_OK && !err->status)
                rc = gl_error_add(err, GL_ERR_INPUT, "evaluator '%s' could not be created",
                                  e->p[i]->hdr.name);
        }
        if (rc != GL_OK) {
            e->n += e->p[i] != NULL; /* so that close destroys what create may have made */
            gl_evaluation_close(e);
            return rc;
        }
    }
    *out = e;
    return GL_OK;
}

void gl_evaluation_close(gl_evaluation *e)
{
    if (!e)
        return;
    for (size_t i = 0; i < e->n; i++)
        if (e->self[i])
            e->p[i]->destroy(e->self[i]);
    for (int i = 0; i < 2; i++) {
        if (e->splits[i].own_dataset)
            e->s->dataset_p->close(e->splits[i].own_dataset);
        gl_cfg_params_free(e->splits[i].params);
    }
    free(e->p);
    free(e->self);
    free(e->res);
    free(e->labels);
    free(e);
}

int gl_evaluation_run(gl_evaluation *e, gl_error *err)
{
    for (size_t i = 0; i < e->n; i++) {
        /* Every evaluator sees the same noise: its numbers do not depend on the others. */
        gl_rng_init(&e->rng, e->s->seed, GL_STREAM_EVAL);
        e->generated = 0;
        memset(&e->res[i], 0, sizeof e->res[i]);
        int rc = e->p[i]->evaluate(e->self[i], &e->res[i], err);
        int sig = stop(e);
        if (sig)
            return gl_error_add(err, 128 + sig, "evaluator '%s' stopped by signal %d",
                                e->p[i]->hdr.name, sig);
        if (rc != GL_OK)
            return err->status ? err->status : GL_ERR_RUN;
        if (e->res[i].n_metrics < 0 || e->res[i].n_metrics > GL_EVAL_MAX_ITEMS ||
            e->res[i].n_protocol < 0 || e->res[i].n_protocol > GL_EVAL_MAX_ITEMS)
            return gl_error_add(err, GL_ERR_RUN,
                                "evaluator '%s' returned %d metrics and %d "
                                "protocol items (at most %d each)",
                                e->p[i]->hdr.name, e->res[i].n_metrics, e->res[i].n_protocol,
                                GL_EVAL_MAX_ITEMS);
    }
    return GL_OK;
}

size_t gl_evaluation_count(const gl_evaluation *e) { return e ? e->n : 0; }

const char *gl_evaluation_name(const gl_evaluation *e, size_t i) { return e->p[i]->hdr.name; }

const gl_eval_result *gl_evaluation_result(const gl_evaluation *e, size_t i) { return &e->res[i]; }

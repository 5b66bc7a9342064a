/* log.c - evaluation during training (eval.h): every train.eval_every steps and at the last step,
 * one row of eval.csv in the run directory (step, then `<evaluator>.<metric>` columns, %.9g), and a
 * summary line on stderr. train.eval_every 0 means never. A resumed run first cuts eval.csv back
 * to the rows at or before its checkpoint's step, as metrics.csv is. */
#include "eval/eval.h"

#include <stdlib.h>

#include "util/events.h"
#include "util/csvlog.h"

struct gl_eval_log {
    gl_evaluation *e;
    gl_csv csv;
    int64_t every;
    long long last;    /* the step of eval.csv's last row when opened, -1 when none */
    gl_events *events; /* not owned; NULL: none */
};

int gl_eval_log_open(const gl_cfg *cfg, const gl_registry *reg, const gl_eval_source *src,
                     const char *dir, gl_eval_log **out, gl_error *err)
{
    *out = NULL;
    int64_t every = gl_params_int(gl_cfg_params(cfg, "train"), "eval_every");
    if (every <= 0 || gl_cfg_n_evaluators(cfg) == 0)
        return GL_OK;
    /* Freed by gl_eval_log_close. */
    gl_eval_log *l = calloc(1, sizeof *l);
    if (!l)
        return gl_error_add(err, GL_ERR_RUN, "out of memory for the evaluation");
    l->every = every;
    char path[4096];
    snprintf(path, sizeof path, "%s/eval.csv", dir);
    int rc = gl_evaluation_open(cfg, reg, src, &l->e, err);
    if (rc == GL_OK)
        rc = gl_csv_truncate(path, src->step, err);
    if (rc == GL_OK)
        rc = gl_csv_open(&l->csv, path, err);
    l->last = rc == GL_OK ? gl_csv_last_step(path) : -1;
    if (rc != GL_OK) {
        gl_eval_log_close(l);
        return rc;
    }
    *out = l;
    return GL_OK;
}

/* Appends the row of the last evaluation and prints it as one line. */
static int write_row(gl_eval_log *l, uint64_t step, gl_error *err)
{
    size_t total = 0, n = gl_evaluation_count(l->e);
    for (size_t i = 0; i < n; i++)
        total += (size_t)gl_evaluation_result(l->e, i)->n_metrics;
    /* Column names "<evaluator>.<metric>" in one block of fixed-size slots; freed below. */
    enum { SLOT = 128 };
    char *text = malloc(total * SLOT + 1);
    const char **names = malloc((total + 1) * sizeof *names);
    double *values = malloc((total + 1) * sizeof *values);
    if (!text || !names || !values) {
        free(text);
        free(names);
        free(values);
        return gl_error_add(err, GL_ERR_RUN, "out of memory for the evaluation's row");
    }
    size_t c = 0;
    fprintf(stderr, "[eval] step %llu:", (unsigned long long)step);
    for (size_t i = 0; i < n; i++) {
        const gl_eval_result *r = gl_evaluation_result(l->e, i);
        for (int k = 0; k < r->n_metrics; k++, c++) {
            snprintf(text + c * SLOT, SLOT, "%s.%s", gl_evaluation_name(l->e, i),
                     r->metrics[k].name);
            names[c] = text + c * SLOT;
            values[c] = r->metrics[k].value;
            fprintf(stderr, " %s %.4g", names[c], values[c]);
        }
    }
    fputc('\n', stderr);
    static const char *const ints[1] = {"step"};
    long long iv[1] = {(long long)step};
    gl_csv_row(&l->csv, (int)total, names, values, 1, ints, iv);
    if (l->events)
        gl_events_scalars(l->events, step, "eval", (int)total, names, values);
    free(text);
    free(names);
    free(values);
    return gl_csv_check(&l->csv, err);
}

int gl_eval_log_step(gl_eval_log *l, uint64_t step, uint64_t total, gl_error *err)
{
    if (!l || (step != total && step % (uint64_t)l->every != 0))
        return GL_OK;
    int rc = gl_evaluation_run(l->e, err);
    return rc == GL_OK ? write_row(l, step, err) : rc;
}

int gl_eval_log_catch_up(gl_eval_log *l, uint64_t step, uint64_t total, gl_error *err)
{
    if (!l || step == 0 || (long long)step <= l->last)
        return GL_OK;
    return gl_eval_log_step(l, step, total, err);
}

void gl_eval_log_set_events(gl_eval_log *l, gl_events *events)
{
    if (l)
        l->events = events;
}

void gl_eval_log_close(gl_eval_log *l)
{
    if (!l)
        return;
    gl_csv_close(&l->csv);
    gl_evaluation_close(l->e);
    free(l);
}

/* table.c - the final value of every metric for every variant, compared at equal generator steps.
 *
 * Budgets are counted in generator steps (the x axis of every chart), so the comparison step S is
 * one number for all variants: the smallest last step among the runs that completed their budget,
 * or the step the caller asks for (`compare --at`, to read the runs at an earlier budget).
 * A run that went further contributes its values at S (the last logged or evaluated row at or
 * before S); a run that stopped before S (it failed, or was interrupted) is left out and the reason
 * is kept for the report. What D saw differs between variants at equal steps, so the table also
 * carries images seen by D = S * n_critic * batch_size (x model.pack: gl_cmp_run), and the wall
 * time to S (timing.csv).
 */
#include "compare/compare.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void gl_cmp_table_free(gl_cmp_table *t)
{
    for (int i = 0; t->cols && i < t->n_cols; i++)
        free(t->cols[i]);
    for (int i = 0; t->excluded && i < t->n_runs; i++)
        free(t->excluded[i]);
    free(t->cols);
    free(t->cells);
    free(t->wall);
    free(t->images);
    free(t->used);
    free(t->excluded);
    memset(t, 0, sizeof *t);
}

/* Adds the columns of csv (but `skip` ones) that t does not have yet. cap >= every column count. */
static int add_cols(gl_cmp_table *t, const gl_cmp_csv *csv, const char *const *skip)
{
    for (int c = 0; c < csv->n_cols; c++) {
        int known = 0;
        for (const char *const *s = skip; *s; s++)
            known |= strcmp(*s, csv->cols[c]) == 0;
        for (int i = 0; i < t->n_cols && !known; i++)
            known = strcmp(t->cols[i], csv->cols[c]) == 0;
        if (known)
            continue;
        if (!(t->cols[t->n_cols] = strdup(csv->cols[c])))
            return GL_ERR_RUN;
        t->n_cols++;
    }
    return GL_OK;
}

static long long comparison_step(const gl_cmp_run *runs, int n)
{
    long long s = -1, any = -1;
    for (int i = 0; i < n; i++) {
        long long last = runs[i].last_step;
        if (last > 0 && last >= runs[i].budget && (s < 0 || last < s))
            s = last;
        if (last > 0 && (any < 0 || last < any))
            any = last;
    }
    return s >= 0 ? s : any > 0 ? any : 0;
}

/* The value of column name of csv at step s, NaN when there is none. */
static double value_at(const gl_cmp_csv *csv, const char *name, long long s)
{
    int c = gl_cmp_csv_col(csv, name);
    int r = c >= 0 ? gl_cmp_csv_row_at(csv, s) : -1;
    return r >= 0 ? csv->v[(size_t)r * (size_t)csv->n_cols + (size_t)c] : NAN;
}

static void fill(gl_cmp_table *t, const gl_cmp_run *runs, const gl_cmp_variant *v, double *x)
{
    for (int k = 0; k < t->n_variants; k++) {
        const gl_cmp_run *first = &runs[v[k].runs[0]];
        t->images[k] = (double)t->step * (double)first->n_critic * (double)first->batch_size;
        for (int c = -1; c < t->n_cols; c++) { /* c = -1: the wall time */
            int m = 0;
            for (int i = 0; i < v[k].n_runs; i++) {
                const gl_cmp_run *r = &runs[v[k].runs[i]];
                if (t->excluded[v[k].runs[i]])
                    continue;
                x[m++] = c < 0 ? value_at(&r->timing, "elapsed", t->step)
                               : value_at(c < t->n_eval_cols ? &r->eval : &r->metrics, t->cols[c],
                                          t->step);
            }
            t->used[k] = m;
            gl_cmp_cell cell = gl_cmp_mean_std(x, m);
            if (c < 0)
                t->wall[k] = cell;
            else
                t->cells[(size_t)k * (size_t)t->n_cols + (size_t)c] = cell;
        }
    }
}

int gl_cmp_table_build(const gl_cmp_run *runs, int n_runs, const gl_cmp_variant *v, int n_variants,
                       long long at, gl_cmp_table *t, gl_error *err)
{
    memset(t, 0, sizeof *t);
    long long furthest = 0, earliest = -1; /* the last and the first step any run logged */
    for (int i = 0; i < n_runs; i++) {
        if (runs[i].last_step > furthest)
            furthest = runs[i].last_step;
        /* An evaluation may come before the first metrics row (eval_every < log_every). */
        const gl_cmp_csv *logs[3] = {&runs[i].metrics, &runs[i].eval, &runs[i].timing};
        for (int k = 0; k < 3; k++) {
            long long first = logs[k]->n_rows > 0 ? (long long)logs[k]->v[0] : -1;
            if (first >= 0 && (earliest < 0 || first < earliest))
                earliest = first;
        }
    }
    if (at > furthest)
        return gl_error_add(
            err, GL_ERR_INPUT,
            "comparison step %lld: no run reached it (the furthest reached step %lld)", at,
            furthest);
    if (at > 0 && at < earliest)
        return gl_error_add(err, GL_ERR_INPUT,
                            "comparison step %lld: no run logged or evaluated a row at or "
                            "before it (the earliest is step %lld)",
                            at, earliest);
    t->n_variants = n_variants;
    t->n_runs = n_runs;
    t->step = at > 0 ? at : comparison_step(runs, n_runs);
    int cap = 0;
    for (int i = 0; i < n_runs; i++)
        cap += runs[i].eval.n_cols + runs[i].metrics.n_cols;
    t->cols = calloc((size_t)(cap ? cap : 1), sizeof *t->cols);
    t->excluded = calloc((size_t)(n_runs ? n_runs : 1), sizeof *t->excluded);
    t->wall = calloc((size_t)(n_variants ? n_variants : 1), sizeof *t->wall);
    t->images = calloc((size_t)(n_variants ? n_variants : 1), sizeof *t->images);
    t->used = calloc((size_t)(n_variants ? n_variants : 1), sizeof *t->used);
    /* Freed below. */
    double *x = malloc((size_t)(n_runs ? n_runs : 1) * sizeof *x);
    int rc = t->cols && t->excluded && t->wall && t->images && t->used && x ? GL_OK : GL_ERR_RUN;
    static const char *const eval_skip[] = {"step", NULL};
    static const char *const loss_skip[] = {"step", "epoch", NULL};
    for (int i = 0; rc == GL_OK && i < n_runs; i++)
        rc = add_cols(t, &runs[i].eval, eval_skip);
    t->n_eval_cols = t->n_cols;
    for (int i = 0; rc == GL_OK && i < n_runs; i++)
        rc = add_cols(t, &runs[i].metrics, loss_skip);
    for (int i = 0; rc == GL_OK && i < n_runs; i++) {
        if (runs[i].last_step >= t->step && t->step > 0)
            continue;
        char why[160];
        if (runs[i].last_step > 0)
            snprintf(why, sizeof why, "stopped at step %lld, before the comparison step %lld",
                     runs[i].last_step, t->step);
        else
            snprintf(why, sizeof why, "logged no step (metrics.csv has no rows)");
        if (!(t->excluded[i] = strdup(why)))
            rc = GL_ERR_RUN;
    }
    if (rc == GL_OK && !(t->cells = calloc((size_t)(n_variants ? n_variants : 1) *
                                               (size_t)(t->n_cols ? t->n_cols : 1),
                                           sizeof *t->cells)))
        rc = GL_ERR_RUN;
    if (rc == GL_OK)
        fill(t, runs, v, x);
    free(x);
    if (rc != GL_OK) {
        gl_cmp_table_free(t);
        return gl_error_add(err, GL_ERR_RUN, "out of memory building the comparison table");
    }
    return GL_OK;
}

/* charts.c - one PNG line chart per metric: the metric against the generator step, one line per
 * variant. A variant's line is the mean over its seeds at each logged step,
 *     y(s) = mean { value of run r at step s : r in the variant's table runs, value finite },
 * at every step any of them logged (so a seed that logged less often still counts where it did).
 * The note under the title says which direction is better. Drawing is core/image's gl_chart_png.
 * Not done: a band for the spread over seeds (the table gives the standard deviation).
 */
#include "compare/compare.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "image/image.h"

#define WIDTH  900
#define HEIGHT 480
/* longer variant names are cut in the legend (the report has them whole) */
#define LEGEND_CHARS 40

typedef struct point {
    double step, y;
} point;

static int by_step(const void *a, const void *b)
{
    double x = ((const point *)a)->step, y = ((const point *)b)->step;
    return (x > y) - (x < y);
}

/* Fills x[], y[] (room for every row of the variant's runs; pts is scratch of that size too) with
 * the mean line of variant v for column name; returns the number of points. */
static int mean_line(const gl_cmp_run *runs, const gl_cmp_variant *v, const gl_cmp_table *t,
                     const char *name, int from_eval, point *pts, double *x, double *y)
{
    int np = 0;
    for (int i = 0; i < v->n_runs; i++) {
        const gl_cmp_run *r = &runs[v->runs[i]];
        const gl_cmp_csv *csv = from_eval ? &r->eval : &r->metrics;
        int c = gl_cmp_csv_col(csv, name);
        if (t->excluded[v->runs[i]] || c < 0)
            continue;
        for (int row = 0; row < csv->n_rows; row++) {
            double val = csv->v[(size_t)row * (size_t)csv->n_cols + (size_t)c];
            if (isfinite(val))
                pts[np++] = (point){csv->v[(size_t)row * (size_t)csv->n_cols], val};
        }
    }
    qsort(pts, (size_t)np, sizeof *pts, by_step);
    int n = 0;
    for (int i = 0; i < np;) {
        double sum = 0.0;
        int j = i;
        for (; j < np && pts[j].step == pts[i].step; j++)
            sum += pts[j].y;
        x[n] = pts[i].step;
        y[n++] = sum / (j - i);
        i = j;
    }
    return n;
}

int gl_cmp_chart(const gl_cmp_run *runs, const gl_cmp_variant *v, const gl_cmp_table *t, int col,
                 const char *path, gl_error *err)
{
    const char *name = t->cols[col];
    int from_eval = col < t->n_eval_cols;
    size_t rows = 0;
    for (int i = 0; i < t->n_runs; i++)
        rows += (size_t)(from_eval ? runs[i].eval.n_rows : runs[i].metrics.n_rows);
    /* All freed below. */
    point *pts = malloc((rows ? rows : 1) * sizeof *pts);
    double *xy = malloc(2 * (rows ? rows : 1) * sizeof *xy);
    gl_series *series = calloc((size_t)t->n_variants, sizeof *series);
    char(*labels)[LEGEND_CHARS + 4] = calloc((size_t)t->n_variants, sizeof *labels);
    int rc = pts && xy && series && labels ? GL_OK : gl_error_add(err, GL_ERR_RUN, "out of memory");
    /* Variant k's points go to xy[off..off+n) (x) and xy[rows+off..) (y): a run belongs to one
     * variant, so all lines together have at most `rows` points. */
    size_t off = 0;
    for (int k = 0; rc == GL_OK && k < t->n_variants; k++) {
        double *x = xy + off, *y = xy + rows + off;
        int n = mean_line(runs, &v[k], t, name, from_eval, pts, x, y);
        off += (size_t)n;
        if (strlen(v[k].name) > LEGEND_CHARS)
            snprintf(labels[k], sizeof labels[k], "%.*s...", LEGEND_CHARS - 3, v[k].name);
        else
            snprintf(labels[k], sizeof labels[k], "%s", v[k].name);
        series[k] = (gl_series){labels[k], x, y, n};
    }
    int d = gl_cmp_direction(name);
    char note[96];
    snprintf(note, sizeof note, "%s%s; mean over seeds",
             from_eval ? "" : "loss: ", gl_cmp_direction_text(d));
    gl_chart_opts o = {.width = WIDTH,
                       .height = HEIGHT,
                       .title = name,
                       .xlabel = "generator step",
                       .ylabel = name,
                       .note = note};
    if (rc == GL_OK)
        rc = gl_chart_png(path, series, t->n_variants, &o, err);
    free(pts);
    free(xy);
    free(series);
    free(labels);
    return rc;
}

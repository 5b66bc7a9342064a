/* charts.c - the data of one chart per metric: the metric against the generator step (or the real
 * images D saw, or the wall time), one line per variant. At each step s that any of the variant's
 * table runs logged, over the runs r with a finite value v_r(s) there:
 *     mean(s) = mean_r v_r(s),   lo(s) = min_r v_r(s),   hi(s) = max_r v_r(s)
 * (so a seed that logged less often still counts where it did; with one seed the band is the line).
 * The x of the point is s, or s x n_critic x batch_size (the variant's, the same for its seeds), or
 * the mean over those runs of the seconds each took to reach s: timing.csv's `elapsed`,
 * interpolated linearly between its rows (from 0 s at step 0); a step past a run's last timing row
 * has no wall time, and a point none of whose runs has one is left out of a wall-time chart.
 * Variants without a point have no line, so legends list only variants with data. Drawing: svg.c
 * for report.html, core/image's gl_chart_png for report.md.
 */
#include "compare/compare.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "image/image.h"

#define PNG_WIDTH  900
#define PNG_HEIGHT 480
/* longer variant names are cut in the PNG's legend (the report has them whole) */
#define LEGEND_CHARS 40

int gl_cmp_x_parse(const char *text, const char *where, gl_cmp_x *x, gl_error *err)
{
    static const char *const names[] = {"steps", "images", "wall"};
    for (int i = 0; i < 3; i++)
        if (strcmp(text, names[i]) == 0) {
            *x = (gl_cmp_x)i;
            return GL_OK;
        }
    return gl_error_add(err, GL_ERR_INPUT, "%s: '%.40s' is not an x axis (steps|images|wall)",
                        where, text);
}

const char *gl_cmp_x_label(gl_cmp_x x)
{
    return x == GL_CMP_X_IMAGES ? "real images seen by D"
           : x == GL_CMP_X_WALL ? "wall time (s)"
                                : "generator step";
}

void gl_cmp_chart_free(gl_cmp_chart *c)
{
    free(c->lines);
    free(c->pool);
    memset(c, 0, sizeof *c);
}

typedef struct point {
    double step, y;
    int run;
} point;

static int by_step(const void *a, const void *b)
{
    double x = ((const point *)a)->step, y = ((const point *)b)->step;
    return (x > y) - (x < y);
}

/* Seconds run r took to reach step s (see the top of the file); NaN when unknown. */
static double elapsed_at(const gl_cmp_run *r, double s)
{
    const gl_cmp_csv *t = &r->timing;
    int c = gl_cmp_csv_col(t, "elapsed");
    double s0 = 0.0, e0 = 0.0;
    for (int i = 0; c >= 0 && i < t->n_rows; i++) {
        double s1 = t->v[(size_t)i * (size_t)t->n_cols],
               e1 = t->v[(size_t)i * (size_t)t->n_cols + c];
        if (!isfinite(e1))
            continue;
        if (s1 >= s)
            return s1 > s0 ? e0 + (e1 - e0) * (s - s0) / (s1 - s0) : e1;
        s0 = s1;
        e0 = e1;
    }
    return NAN;
}

/* Collects the finite values of column name of variant v's table runs into pts, in step order;
 * returns their count. */
static int gather(const gl_cmp_run *runs, const gl_cmp_variant *v, const gl_cmp_table *t,
                  const char *name, int from_eval, point *pts)
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
                pts[np++] = (point){csv->v[(size_t)row * (size_t)csv->n_cols], val, v->runs[i]};
        }
    }
    qsort(pts, (size_t)np, sizeof *pts, by_step);
    return np;
}

/* Fills line l (its arrays have room for np points) from the sorted points of one variant. */
static void reduce(const gl_cmp_run *runs, const point *pts, int np, gl_cmp_x x, gl_cmp_line *l)
{
    const gl_cmp_run *first = np ? &runs[pts[0].run] : NULL;
    l->n = 0;
    for (int i = 0; i < np;) {
        double sum = 0.0, lo = pts[i].y, hi = pts[i].y, wall = 0.0;
        int j = i, n_wall = 0;
        for (; j < np && pts[j].step == pts[i].step; j++) {
            sum += pts[j].y;
            lo = fmin(lo, pts[j].y);
            hi = fmax(hi, pts[j].y);
            double e = x == GL_CMP_X_WALL ? elapsed_at(&runs[pts[j].run], pts[j].step) : NAN;
            if (isfinite(e)) {
                wall += e;
                n_wall++;
            }
        }
        double px = x == GL_CMP_X_IMAGES
                        ? pts[i].step * (double)first->n_critic * (double)first->batch_size
                    : x == GL_CMP_X_WALL ? (n_wall ? wall / n_wall : NAN)
                                         : pts[i].step;
        if (isfinite(px)) {
            l->x[l->n] = px;
            l->mean[l->n] = sum / (j - i);
            l->lo[l->n] = lo;
            l->hi[l->n++] = hi;
        }
        i = j;
    }
}

int gl_cmp_chart_build(const gl_cmp_run *runs, const gl_cmp_variant *v, const gl_cmp_table *t,
                       int col, gl_cmp_x x, gl_cmp_chart *c, gl_error *err)
{
    memset(c, 0, sizeof *c);
    const char *name = t->cols[col];
    int from_eval = col < t->n_eval_cols;
    int d = gl_cmp_direction(name);
    snprintf(c->title, sizeof c->title, "%s (%s%s)", name,
             from_eval ? "" : "loss: ", gl_cmp_direction_text(d));
    c->xlabel = gl_cmp_x_label(x);
    size_t rows = 0;
    for (int i = 0; i < t->n_runs; i++)
        rows += (size_t)(from_eval ? runs[i].eval.n_rows : runs[i].metrics.n_rows);
    /* A run belongs to one variant, so all lines together have at most `rows` points: line k's
     * arrays are the next slices of the pool. pts is scratch, freed below. */
    point *pts = malloc((rows ? rows : 1) * sizeof *pts);
    c->pool = malloc(4 * (rows ? rows : 1) * sizeof *c->pool);
    c->lines = calloc((size_t)(t->n_variants ? t->n_variants : 1), sizeof *c->lines);
    if (!pts || !c->pool || !c->lines) {
        free(pts);
        gl_cmp_chart_free(c);
        return gl_error_add(err, GL_ERR_RUN, "out of memory drawing the chart of %s", name);
    }
    size_t off = 0;
    for (int k = 0; k < t->n_variants; k++) {
        int np = gather(runs, &v[k], t, name, from_eval, pts);
        gl_cmp_line *l = &c->lines[c->n_lines];
        *l = (gl_cmp_line){.name = v[k].name, .variant = k};
        l->x = c->pool + off;
        l->mean = c->pool + rows + off;
        l->lo = c->pool + 2 * rows + off;
        l->hi = c->pool + 3 * rows + off;
        reduce(runs, pts, np, x, l);
        off += (size_t)l->n;
        c->n_lines += l->n > 0;
    }
    free(pts);
    return GL_OK;
}

int gl_cmp_chart_png(const gl_cmp_chart *c, const char *path, gl_error *err)
{
    /* Both freed below. */
    gl_series *series = calloc((size_t)(c->n_lines ? c->n_lines : 1), sizeof *series);
    char(*labels)[LEGEND_CHARS + 4] = calloc((size_t)(c->n_lines ? c->n_lines : 1), sizeof *labels);
    int rc = series && labels ? GL_OK : gl_error_add(err, GL_ERR_RUN, "out of memory");
    for (int k = 0; rc == GL_OK && k < c->n_lines; k++) {
        const gl_cmp_line *l = &c->lines[k];
        if (strlen(l->name) > LEGEND_CHARS)
            snprintf(labels[k], sizeof labels[k], "%.*s...", LEGEND_CHARS - 3, l->name);
        else
            snprintf(labels[k], sizeof labels[k], "%s", l->name);
        series[k] = (gl_series){labels[k], l->x, l->mean, l->n, l->variant, l->lo, l->hi};
    }
    gl_chart_opts o = {.width = PNG_WIDTH,
                       .height = PNG_HEIGHT,
                       .title = c->title,
                       .xlabel = c->xlabel,
                       .note = "line: mean over seeds; band: min to max over seeds"};
    if (rc == GL_OK)
        rc = gl_chart_png(path, series, c->n_lines, &o, err);
    free(series);
    free(labels);
    return rc;
}

/* report.c - gl_compare_report: run directories in, report.md and report.html out
 * (docs/compare.md).
 *
 * Steps: load every run (run.c), group them into variants (variants.c), take the final values at
 * one generator step (table.c), draw a chart per metric (charts.c), copy the newest sample image of
 * each variant's first seed, then write the same document twice through doc.h (Markdown, and HTML
 * with the images embedded). Every file is written atomically (util/atomic.h); a report directory
 * holds report.md, report.html, charts/ and samples/ and nothing else from this function.
 *
 * Not done: statistical tests between variants (with 2-5 seeds the standard deviation is the honest
 * summary), curves of the spread over seeds.
 */
#include "compare/compare.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "compare/doc.h"
#include "util/atomic.h"
#include "util/fs.h"

#define REL 128 /* room for a path relative to the report directory */

typedef struct report {
    const gl_compare_opts *o;
    const char *dir;
    gl_cmp_run *runs;
    int n_runs;
    gl_cmp_variant *v;
    int nv;
    gl_cmp_table t;
    int table_ok;
    char **notes; /* (n_notes) malloc'd lines */
    int n_notes;
    gl_cmp_chart *charts; /* (t.n_cols) the chart of each charted column (n_lines 0: none) */
    char (*chart)[REL];   /* (t.n_cols) charts/NN_metric.png, "" when the column has no chart */
    char (*sample)[REL];  /* (nv) samples/NN_variant.png, "" when the variant has none */
    char (*caption)[256]; /* (nv) the sample's caption */
} report;

/* Adds a note (printf-style); out of memory drops it, the report goes on. */
__attribute__((format(printf, 2, 3))) static void note(report *r, const char *fmt, ...)
{
    char line[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(line, sizeof line, fmt, ap);
    va_end(ap);
    char **grown = realloc(r->notes, (size_t)(r->n_notes + 1) * sizeof *grown);
    if (!grown)
        return;
    r->notes = grown;
    if ((r->notes[r->n_notes] = strdup(line)) != NULL)
        r->n_notes++;
}

/* name as a file name: letters, digits, '.', '-', '_' kept, anything else '_', at most 48 bytes. */
static void slug(const char *name, char *out, size_t cap)
{
    size_t n = 0;
    for (; *name && n + 1 < cap && n < 48; name++)
        out[n++] = isalnum((unsigned char)*name) || strchr(".-_", *name) ? *name : '_';
    out[n] = '\0';
}

static int copy_file(const char *from, const char *to, gl_error *err)
{
    const char *why;
    FILE *in = gl_fopen_regular(from, &why);
    if (!in)
        return gl_error_add(err, errno ? GL_ERR_RUN : GL_ERR_INPUT, "%s: cannot open: %s", from,
                            why);
    gl_atomic_file out;
    if (gl_atomic_open(&out, to, err) != GL_OK) {
        fclose(in);
        return GL_ERR_RUN;
    }
    char buf[65536];
    size_t got;
    while ((got = fread(buf, 1, sizeof buf, in)) > 0)
        fwrite(buf, 1, got, out.fp);
    int bad = ferror(in);
    fclose(in);
    if (bad) {
        gl_atomic_abort(&out);
        return gl_error_add(err, GL_ERR_RUN, "%s: read error", from);
    }
    return gl_atomic_commit(&out, err);
}

/* ---------------------------------------------------------------- gathering */

static int load_runs(report *r, const char *const *dirs, int n, gl_error *err)
{
    r->runs = calloc((size_t)(n ? n : 1), sizeof *r->runs);
    if (!r->runs)
        return gl_error_add(err, GL_ERR_RUN, "out of memory");
    int rc = GL_OK;
    for (int i = 0; i < n; i++) {
        gl_error e;
        gl_error_init(&e);
        if (gl_cmp_run_load(dirs[i], r->o->lookup, r->o->ud, &r->runs[r->n_runs], &e) == GL_OK) {
            r->n_runs++;
        } else if (r->o->skip_unreadable) {
            note(r, "%s was left out: %.*s", dirs[i], (int)strcspn(e.text, "\n"), e.text);
        } else {
            gl_error_add(err, e.status, "%s", e.text);
            rc = e.status;
        }
    }
    return rc;
}

/* Notes on what the table could not show as asked. */
static void table_notes(report *r)
{
    int with_eval = 0;
    for (int i = 0; i < r->n_runs; i++)
        with_eval += r->runs[i].eval.n_cols > 0;
    for (int i = 0; i < r->n_runs; i++) {
        const gl_cmp_run *run = &r->runs[i];
        if (r->t.excluded[i]) {
            note(r, "%s (seed %lld) is not in the table: %s.", run->dir, (long long)run->seed,
                 r->t.excluded[i]);
            continue;
        }
        if (with_eval && run->eval.n_cols == 0)
            note(r,
                 "%s (seed %lld) has no eval.csv or eval.json: its evaluation columns are empty.",
                 run->dir, (long long)run->seed);
        if (run->last_step > r->t.step)
            note(r, "%s trained to step %lld; its values are those at step %lld.", run->dir,
                 run->last_step, r->t.step);
    }
}

/* "Runs differ in their dataset" with the differing dataset keys of each variant against the first,
 * into buf; "" when all variants train on the same data. */
static void dataset_warning(const report *r, char *buf, size_t cap)
{
    size_t len = 0;
    buf[0] = '\0';
    for (int k = 1; k < r->nv; k++)
        for (const char *l = r->v[k].differs; *l;) {
            size_t n = strcspn(l, "\n");
            if (strncmp(l, "dataset.", 8) == 0 && len < cap) {
                int w = snprintf(buf + len, cap - len, "%s%s: %.*s",
                                 len ? "; " : "the runs do not all train on the same data (",
                                 r->v[k].name, (int)n, l);
                len += w > 0 ? (size_t)w : 0;
            }
            l += n + (l[n] == '\n');
        }
    if (len && len + 80 < cap)
        snprintf(buf + len, cap - len, ", against %s), so their metrics are not comparable.",
                 r->v[0].name);
}

static int charted(const gl_cmp_table *t, int c)
{
    return c < t->n_eval_cols || strcmp(t->cols[c], "d_loss") == 0 ||
           strcmp(t->cols[c], "g_loss") == 0;
}

/* A chart for every charted column with data: kept for report.html (SVG), and a PNG copy for
 * report.md. */
static int draw_charts(report *r, gl_error *err)
{
    r->chart = calloc((size_t)(r->t.n_cols ? r->t.n_cols : 1), sizeof *r->chart);
    r->charts = calloc((size_t)(r->t.n_cols ? r->t.n_cols : 1), sizeof *r->charts);
    if (!r->chart || !r->charts)
        return gl_error_add(err, GL_ERR_RUN, "out of memory");
    for (int c = 0; c < r->t.n_cols && r->nv > 0; c++) {
        if (!charted(&r->t, c))
            continue;
        if (gl_cmp_chart_build(r->runs, r->v, &r->t, c, r->o->x, &r->charts[c], err) != GL_OK)
            return GL_ERR_RUN;
        if (r->charts[c].n_lines == 0)
            continue;
        char s[64], path[4096];
        slug(r->t.cols[c], s, sizeof s);
        snprintf(r->chart[c], REL, "charts/%02d_%s.png", c, s);
        snprintf(path, sizeof path, "%s/%s", r->dir, r->chart[c]);
        if (gl_cmp_chart_png(&r->charts[c], path, err) != GL_OK)
            return GL_ERR_RUN;
    }
    return GL_OK;
}

/* The newest sample of each variant's first seed (the lowest) that is in the table. */
static int copy_samples(report *r, gl_error *err)
{
    r->sample = calloc((size_t)(r->nv ? r->nv : 1), sizeof *r->sample);
    r->caption = calloc((size_t)(r->nv ? r->nv : 1), sizeof *r->caption);
    if (!r->sample || !r->caption)
        return gl_error_add(err, GL_ERR_RUN, "out of memory");
    for (int k = 0; k < r->nv; k++) {
        const gl_cmp_run *run = NULL;
        for (int i = 0; i < r->v[k].n_runs && !run; i++)
            if (r->runs[r->v[k].runs[i]].sample && !r->t.excluded[r->v[k].runs[i]])
                run = &r->runs[r->v[k].runs[i]];
        if (!run)
            continue;
        char s[64], path[4096];
        slug(r->v[k].name, s, sizeof s);
        snprintf(r->sample[k], REL, "samples/%02d_%s.png", k, s);
        snprintf(path, sizeof path, "%s/%s", r->dir, r->sample[k]);
        const char *base = strrchr(run->sample, '/');
        snprintf(r->caption[k], sizeof r->caption[k], "%s (seed %lld, %s)", r->v[k].name,
                 (long long)run->seed, base ? base + 1 : run->sample);
        if (copy_file(run->sample, path, err) != GL_OK)
            return err->status;
    }
    return GL_OK;
}

/* ---------------------------------------------------------------- the document */

static void fmt_cell(gl_cmp_cell c, int runs, char *buf, size_t cap)
{
    int n = 0;
    if (c.n == 0)
        n = snprintf(buf, cap, "-");
    else if (c.n == 1)
        n = snprintf(buf, cap, "%.4g", c.mean);
    else /* two digits of the spread, without an exponent for a spread >= 100 */
        n = snprintf(buf, cap, c.std < 100 ? "%.4g ± %.2g" : "%.4g ± %.0f", c.mean, c.std);
    if (c.n > 0 && c.n < runs && n > 0 && (size_t)n < cap)
        snprintf(buf + n, cap - (size_t)n, " (n=%d)", c.n);
}

/* The best variant for column c (by its direction), or -1 (also when there is nothing to beat). */
static int best_of(const gl_cmp_table *t, int c)
{
    int d = t->n_variants > 1 ? gl_cmp_direction(t->cols[c]) : 0, best = -1;
    double best_score = 0.0;
    for (int k = 0; d && k < t->n_variants; k++) {
        double m = t->cells[(size_t)k * (size_t)t->n_cols + (size_t)c].mean;
        double score = d == GL_CMP_NEAR_ONE ? -fabs(m - 1.0) : d * m; /* larger is better */
        if (isfinite(score) && (best < 0 || score > best_score)) {
            best = k;
            best_score = score;
        }
    }
    return best;
}

/* Cells in a row of the table with the main columns (in_main: the metrics and the two losses) or
 * of the loss terms' table; 0 when that table would have no value column or no row. */
static int table_width(const report *r, int in_main)
{
    int fixed = in_main ? 4 : 1, n = fixed;
    for (int c = 0; c < r->t.n_cols; c++)
        n += charted(&r->t, c) == in_main;
    return n == fixed || r->nv == 0 ? 0 : n;
}

/* A published row (reference:) of the main table: its name marked published, no seeds, images
 * or wall time, and each value under its metric's column (the others empty). */
static void reference_row(gl_cmp_doc *d, const gl_suite_ref *ref, const gl_cmp_table *t, int n,
                          const int *col, const char **cells, char (*text)[96], int *bold)
{
    snprintf(text[0], sizeof text[0], "%s (published)", ref->name);
    cells[0] = text[0];
    for (int i = 1; i < n; i++) {
        cells[i] = i < 4 ? "-" : "";
        bold[i] = 0;
        for (int j = 0; i >= 4 && j < ref->n; j++)
            if (strcmp(ref->keys[j], t->cols[col[i]]) == 0)
                cells[i] = ref->values[j];
    }
    d->ops->table_row(d, n, cells, bold);
}

/* The table of table_width(r, in_main) cells per row (nothing when that is 0). Out of memory
 * leaves the table out. */
static void metric_table(gl_cmp_doc *d, const report *r, int in_main)
{
    const gl_cmp_table *t = &r->t;
    int fixed = in_main ? 4 : 1, n = table_width(r, in_main);
    if (!n)
        return;
    /* All freed below. */
    const char **cells = calloc((size_t)n, sizeof *cells);
    char(*text)[96] = calloc((size_t)n, sizeof *text);
    int *col = calloc((size_t)n, sizeof *col), *bold = calloc((size_t)n, sizeof *bold);
    if (!cells || !text || !col || !bold) {
        free(cells), free(text), free(col), free(bold);
        return;
    }
    static const char *const heads[4] = {"variant", "seeds", "images seen by D", "wall time (s)"};
    for (int i = 0; i < fixed; i++)
        cells[i] = heads[i];
    for (int c = 0, i = fixed; c < t->n_cols; c++) {
        if (charted(t, c) != in_main)
            continue;
        int dir = gl_cmp_direction(t->cols[c]);
        snprintf(text[i], sizeof text[i], "%s%s", t->cols[c],
                 dir == GL_CMP_NEAR_ONE ? " →1"
                 : dir > 0              ? " ↑"
                 : dir < 0              ? " ↓"
                                        : "");
        cells[i] = text[i];
        col[i++] = c;
    }
    d->ops->table_head(d, n, cells);
    for (int k = 0; k < r->nv; k++) {
        cells[0] = r->v[k].name;
        if (in_main) {
            snprintf(text[1], sizeof text[1], t->used[k] < r->v[k].n_runs ? "%d of %d" : "%d",
                     t->used[k], r->v[k].n_runs);
            snprintf(text[2], sizeof text[2], "%.0f", t->images[k]);
            fmt_cell(t->wall[k], t->used[k], text[3], sizeof text[3]);
            for (int i = 1; i < 4; i++)
                cells[i] = text[i];
        }
        for (int i = fixed; i < n; i++) {
            fmt_cell(t->cells[(size_t)k * (size_t)t->n_cols + (size_t)col[i]], t->used[k], text[i],
                     sizeof text[i]);
            cells[i] = text[i];
            bold[i] = best_of(t, col[i]) == k;
        }
        d->ops->table_row(d, n, cells, bold);
    }
    for (int k = 0; in_main && k < r->o->n_refs; k++)
        reference_row(d, &r->o->refs[k], t, n, col, cells, text, bold);
    d->ops->table_end(d);
    free(cells), free(text), free(col), free(bold);
}

/* Where each published row is from, and its values that have no measured column. */
static void reference_notes(gl_cmp_doc *d, const report *r)
{
    if (!r->o->n_refs)
        return;
    d->ops->para(d, "Rows marked (published) are numbers from the papers, in their own settings "
                    "and budgets, as the suite's reference: gives them; they were not measured "
                    "here and are never bold:");
    for (int k = 0; k < r->o->n_refs; k++) {
        const gl_suite_ref *ref = &r->o->refs[k];
        char text[1024];
        int len = snprintf(text, sizeof text, "%s", ref->source);
        for (int j = 0; j < ref->n; j++) {
            int found = 0;
            for (int c = 0; c < r->t.n_cols && !found; c++)
                found = strcmp(ref->keys[j], r->t.cols[c]) == 0;
            if (!found && len > 0 && (size_t)len < sizeof text)
                len += snprintf(text + len, sizeof text - (size_t)len,
                                "; %s = %s has no measured column", ref->keys[j], ref->values[j]);
        }
        d->ops->item(d, ref->name, text);
    }
    d->ops->items_end(d);
}

static int write_doc(gl_cmp_doc *d, const report *r, gl_error *err)
{
    const gl_cmp_table *t = &r->t;
    char line[1024];
    d->ops->begin(d, r->o->title ? r->o->title : "Comparison");
    snprintf(line, sizeof line,
             "%d runs in %d variants, compared at generator step %lld (budgets are compared at "
             "equal generator steps; \"images seen by D\" is step x n_critic x batch_size x pack). "
             "Values "
             "are the mean ± sample standard deviation over seeds.",
             r->n_runs, r->nv, t->step);
    d->ops->para(d, line);
    dataset_warning(r, line, sizeof line);
    if (line[0])
        d->ops->warning(d, line);
    /* compare --at reads the runs at an earlier step: "final" would misname it. */
    d->ops->heading(d, r->o->at > 0 ? "Metrics at the chosen step" : "Final metrics");
    if (r->n_runs > 0 && t->n_eval_cols == 0)
        d->ops->para(d, "Note: no run has evaluation results (eval.csv or eval.json), so the "
                        "table shows the losses only, which do not measure sample quality. Add an "
                        "eval: section to the configs, or run ganlab eval on each run, to measure "
                        "it.");
    if (table_width(r, 1)) {
        metric_table(d, r, 1);
        d->ops->para(d, "↑ higher is better, ↓ lower is better, →1 closest to 1 is best (the best "
                        "mean in bold); losses have no better direction: they measure the game "
                        "between G and D, and "
                        "different losses are on different scales. (n=K): only K seeds had a "
                        "value.");
        reference_notes(d, r);
    } else {
        d->ops->para(d, "No run could be compared.");
    }
    if (table_width(r, 0)) {
        d->ops->heading(d, "Loss terms");
        d->ops->para(d, "The terms each loss logs (metrics.csv), at the same step.");
        metric_table(d, r, 0);
    }
    /* Freed below; out of memory leaves the charts out. */
    const gl_cmp_chart **charts = calloc((size_t)(t->n_cols ? t->n_cols : 1), sizeof *charts);
    const char **pngs = calloc((size_t)(t->n_cols ? t->n_cols : 1), sizeof *pngs);
    int n_charts = 0;
    for (int c = 0; charts && pngs && c < t->n_cols; c++)
        if (r->chart[c][0]) {
            charts[n_charts] = &r->charts[c];
            pngs[n_charts++] = r->chart[c];
        }
    if (n_charts) {
        d->ops->heading(d, "Charts");
        snprintf(line, sizeof line,
                 "Each metric against %s: per variant, the mean over its seeds (line) and the "
                 "smallest to the largest seed (band).",
                 r->o->x == GL_CMP_X_IMAGES ? "the real images seen by D"
                 : r->o->x == GL_CMP_X_WALL ? "the seconds of training (timing.csv)"
                                            : "the generator step");
        d->ops->para(d, line);
        d->ops->charts(d, n_charts, charts, pngs);
    }
    free(charts);
    free(pngs);
    const char *paths[64], *caps[64];
    int ns = 0;
    for (int k = 0; k < r->nv && ns < 64; k++)
        if (r->sample[k][0]) {
            paths[ns] = r->sample[k];
            caps[ns++] = r->caption[k];
        }
    if (ns) {
        d->ops->heading(d, "Samples");
        d->ops->para(d, "The newest sample image of each variant's first seed.");
        if (d->ops->figures(d, ns, paths, caps, err) != GL_OK)
            return GL_ERR_RUN;
    }
    if (r->nv)
        d->ops->heading(d, "Variants");
    for (int k = 0; k < r->nv; k++) {
        int len = 0;
        for (int i = 0; i < r->v[k].n_runs && len >= 0 && (size_t)len < sizeof line; i++) {
            const gl_cmp_run *run = &r->runs[r->v[k].runs[i]];
            len += snprintf(line + len, sizeof line - (size_t)len, "%s%s (seed %lld)",
                            i ? ", " : "", run->dir, (long long)run->seed);
        }
        d->ops->item(d, r->v[k].name, line);
    }
    d->ops->items_end(d);
    for (int k = 1; k < r->nv; k++) {
        snprintf(line, sizeof line, "%s differs from %s in:", r->v[k].name, r->v[0].name);
        d->ops->para(d, line);
        d->ops->pre(d, r->v[k].differs[0] ? r->v[k].differs : "(nothing but the seed keys)\n");
    }
    if (r->n_notes)
        d->ops->heading(d, "Notes");
    for (int i = 0; i < r->n_notes; i++)
        d->ops->item(d, NULL, r->notes[i]);
    d->ops->items_end(d);
    d->ops->end(d);
    return GL_OK;
}

static int write_file(const report *r, const char *name, const gl_cmp_doc_ops *ops, char *path,
                      size_t cap, gl_error *err)
{
    snprintf(path, cap, "%s/%s", r->dir, name);
    gl_atomic_file f;
    if (gl_atomic_open(&f, path, err) != GL_OK)
        return GL_ERR_RUN;
    gl_cmp_doc d = {ops, f.fp, r->dir, 0};
    if (write_doc(&d, r, err) != GL_OK) {
        gl_atomic_abort(&f);
        return GL_ERR_RUN;
    }
    return gl_atomic_commit(&f, err);
}

int gl_compare_report(const char *const *run_dirs, int n, const char *out_dir,
                      const gl_compare_opts *o, char *report_path, size_t cap, gl_error *err)
{
    report r = {.o = o, .dir = out_dir};
    char sub[4096];
    for (int i = 0; i < o->n_notes; i++)
        note(&r, "%s", o->notes[i]);
    int rc = load_runs(&r, run_dirs, n, err);
    if (rc == GL_OK)
        rc = gl_cmp_group(r.runs, r.n_runs, &r.v, &r.nv, err);
    if (rc == GL_OK &&
        (rc = gl_cmp_table_build(r.runs, r.n_runs, r.v, r.nv, o->at, &r.t, err)) == GL_OK)
        r.table_ok = 1;
    if (rc == GL_OK)
        table_notes(&r);
    if (rc == GL_OK)
        rc = gl_mkdir_p(out_dir, err);
    snprintf(sub, sizeof sub, "%s/charts", out_dir);
    if (rc == GL_OK)
        rc = gl_mkdir_p(sub, err);
    snprintf(sub, sizeof sub, "%s/samples", out_dir);
    if (rc == GL_OK)
        rc = gl_mkdir_p(sub, err);
    if (rc == GL_OK)
        rc = draw_charts(&r, err);
    if (rc == GL_OK)
        rc = copy_samples(&r, err);
    if (rc == GL_OK)
        rc = write_file(&r, "report.md", &gl_cmp_doc_md, sub, sizeof sub, err);
    if (rc == GL_OK)
        rc = write_file(&r, "report.html", &gl_cmp_doc_html, report_path, cap, err);
    for (int i = 0; i < r.n_runs; i++)
        gl_cmp_run_free(&r.runs[i]);
    free(r.runs);
    gl_cmp_variants_free(r.v, r.nv);
    for (int c = 0; r.charts && c < r.t.n_cols; c++)
        gl_cmp_chart_free(&r.charts[c]);
    if (r.table_ok)
        gl_cmp_table_free(&r.t);
    for (int i = 0; i < r.n_notes; i++)
        free(r.notes[i]);
    free(r.notes);
    free(r.charts);
    free(r.chart);
    free(r.sample);
    free(r.caption);
    return rc;
}

/* compare/compare.h - comparing finished runs: `ganlab compare RUN_DIR... -o DIR` and the last step
 * of `ganlab suite` (docs/compare.md). Internal to libganlab (not installed).
 *
 * The path through this area, one file per step:
 *   csv.c      a run's CSV logs (metrics.csv, eval.csv, timing.csv) as numeric tables
 *   eval_json.c the metrics of `ganlab eval` (eval.json) as one more row of eval.csv's table
 *   run.c      one run directory: its resolved config, logs, newest sample image
 *   variants.c runs whose configs differ only in the seed (and name, out_dir, threads) form one
 *              variant; each variant gets a readable name
 *   stats.c    mean and standard deviation over seeds; which direction of a metric is better
 *   table.c    the final value of every metric per variant, at one generator step for all
 *   charts.c   each metric against the step (or images, or wall time), one line per variant: the
 *              mean over seeds with its min-max band; as PNG
 *   svg.c      the same chart as SVG for report.html
 *   doc_md.c, doc_html.c   the two output formats behind one small document interface (doc.h)
 *   report.c   gl_compare_report: all of the above into report.md and report.html
 *
 * Example:
 *     char path[4096];
 *     gl_compare_opts o = {.lookup = gl_registry_schema_lookup, .ud = reg};
 *     if (gl_compare_report(dirs, n, "out", &o, path, sizeof path, err) != GL_OK) ...
 */
#ifndef GL_COMPARE_COMPARE_H
#define GL_COMPARE_COMPARE_H

#include <stddef.h>
#include <stdio.h>
#include <stdint.h>

#include <ganlab/error.h>

#include "config/cfg.h"
#include "config/suite.h"

/* ---------------------------------------------------------------- CSV logs (csv.c) */

/* A CSV file of numbers with a header whose first column is `step`. */
typedef struct gl_cmp_csv {
    int n_cols;  /* 0 for an empty file (a run that failed before its first row) or a missing
                    optional one */
    char **cols; /* (n_cols) column names, cols[0] is "step" */
    int n_rows;
    double *v; /* (n_rows, n_cols); an empty or non-numeric field is NaN */
} gl_cmp_csv;

/* Reads path into *t (freed with gl_cmp_csv_free). A last line without its newline is a row being
 * written (or cut by a crash) and is left out. A missing file is GL_OK with an empty table when
 * optional, else an error; a header without `step` first, or a row whose field count differs from
 * the header's, is GL_ERR_INPUT naming path:line. */
int gl_cmp_csv_read(const char *path, int optional, gl_cmp_csv *t, gl_error *err);
void gl_cmp_csv_free(gl_cmp_csv *t);
/* Index of column name, or -1. */
int gl_cmp_csv_col(const gl_cmp_csv *t, const char *name);
/* The row to use at generator step `step`: the last one whose step is <= step, or -1. */
int gl_cmp_csv_row_at(const gl_cmp_csv *t, long long step);
/* Adds the one row of `row` (a table of n_rows 1; nothing for 0) to t: its new columns are added
 * (NaN in t's other rows), and it goes where its step sorts; when t has a row at that step, only
 * that row's non-finite cells take row's values. GL_ERR_RUN when out of memory (t unchanged). */
int gl_cmp_csv_merge_row(gl_cmp_csv *t, const gl_cmp_csv *row, gl_error *err);

/* ---------------------------------------------------------------- eval.json (eval_json.c) */

/* The metrics of `ganlab eval`'s eval.json text as a one-row table: step, then
 * "<evaluator>.<metric>" (null is NaN; `protocol` is skipped). name labels faults (GL_ERR_INPUT;
 * syntax at NAME:LINE:COL). *row is freed with gl_cmp_csv_free. */
int gl_cmp_eval_json_parse(const char *json, size_t len, const char *name, gl_cmp_csv *row,
                           gl_error *err);
/* The same from the file path; a missing file is GL_OK with an empty table (n_rows 0). */
int gl_cmp_eval_json_read(const char *path, gl_cmp_csv *row, gl_error *err);

/* ---------------------------------------------------------------- one run (run.c) */

typedef struct gl_cmp_run {
    char *dir;        /* as given (malloc'd) */
    gl_cfg *cfg;      /* dir/config.yaml, validated */
    const char *name; /* experiment.name (owned by cfg) */
    int64_t seed, n_critic;
    int64_t batch_size;  /* real items per D update: train.batch_size x model.pack (when set) */
    gl_cmp_csv metrics;  /* metrics.csv: step, epoch, d_loss, g_loss, terms... */
    gl_cmp_csv eval;     /* eval.csv with eval.json's row merged in; n_cols 0 when the run has
                            neither */
    gl_cmp_csv timing;   /* timing.csv; n_cols 0 when the run has none */
    long long last_step; /* step of metrics.csv's last row (0 when it has none) */
    long long budget;    /* train.steps; for a run measured in epochs the total_steps run.json
                            records, else last_step */
    char *sample;        /* newest samples/step_*.png (malloc'd), NULL when none */
} gl_cmp_run;

/* Loads run directory dir: config.yaml (gl_cfg_load, then gl_cfg_validate through lookup),
 * metrics.csv (required), eval.csv, eval.json and timing.csv (optional), the newest sample. On
 * failure err names the file and *r is freed. Always pair a GL_OK with gl_cmp_run_free. */
int gl_cmp_run_load(const char *dir, gl_cfg_schema_lookup lookup, void *ud, gl_cmp_run *r,
                    gl_error *err);
void gl_cmp_run_free(gl_cmp_run *r);
/* The budget in generator steps that run directory dir's run.json records for its latest start or
 * resume (`total_steps`: train.epochs counted in batches), or -1 when it records none (no
 * run.json, a damaged one, or one written before the field existed). */
long long gl_cmp_recorded_total(const char *dir);

/* ---------------------------------------------------------------- variants (variants.c) */

/* Keys that do not make two runs different variants (gl_cfg_diff's ignore list). */
extern const char *const gl_cmp_seed_keys[];

typedef struct gl_cmp_variant {
    char *name; /* readable, unique among the variants (malloc'd) */
    int *runs;  /* (n_runs) indices into the runs array, in ascending seed order */
    int n_runs;
    char *differs; /* "key: a -> b" lines against the first variant (malloc'd; "" for it) */
} gl_cmp_variant;

/* Groups runs into variants in the order their first run appears. Names: the experiment name
 * without a seed suffix ("-s3", "_seed3"); when two variants would share a name, the keys in which
 * they differ are added ("ring_gan [train.n_critic=5]"). *out is freed with gl_cmp_variants_free.
 * GL_ERR_RUN only when out of memory. */
int gl_cmp_group(const gl_cmp_run *runs, int n, gl_cmp_variant **out, int *n_out, gl_error *err);
void gl_cmp_variants_free(gl_cmp_variant *v, int n);
/* The length of name without a trailing seed suffix: "-s<digits>", "_s<digits>", "-seed<digits>"
 * or "_seed<digits>" (so "ring_gan-s12" gives 8); strlen(name) when it has none. */
size_t gl_cmp_strip_seed(const char *name);

/* ---------------------------------------------------------------- statistics (stats.c) */

typedef struct gl_cmp_cell {
    double mean; /* NaN when n == 0 */
    double std;  /* sample standard deviation (n - 1 in the denominator); 0 when n == 1 */
    int n;       /* finite values the cell is made of */
} gl_cmp_cell;

/* Mean and standard deviation of the finite values among x[0..n); non-finite ones are left out. */
gl_cmp_cell gl_cmp_mean_std(const double *x, int n);

/* A metric whose ideal is 1 (density): the best value is the one nearest 1. */
#define GL_CMP_NEAR_ONE 2

/* +1 when a larger value of metric is better, -1 when smaller is better, GL_CMP_NEAR_ONE when the
 * value nearest 1 is, 0 when none is known (losses, unknown metrics). Decided by the metric's own
 * name, the part after the evaluator's "name." (a name without a dot is a loss), from the table in
 * stats.c (docs/metrics.md). */
int gl_cmp_direction(const char *metric);
/* "higher is better", "lower is better", "closest to 1 is best" or "no better direction" for d. */
const char *gl_cmp_direction_text(int d);

/* ---------------------------------------------------------------- final values (table.c) */

typedef struct gl_cmp_table {
    long long step; /* the generator step every variant is compared at */
    int n_variants;
    int n_cols;
    char **cols;        /* (n_cols) metric names: eval.csv's columns, then metrics.csv's */
    int n_eval_cols;    /* cols[0..n_eval_cols) come from eval.csv */
    gl_cmp_cell *cells; /* (n_variants, n_cols): values at `step`, over the variant's seeds */
    gl_cmp_cell *wall;  /* (n_variants) seconds of training to `step` (timing.csv's elapsed) */
    double *images;  /* (n_variants) real images seen by D: step * n_critic * batch_size * pack */
    int *used;       /* (n_variants) runs that reached `step` and are in the cells */
    char **excluded; /* (n_runs) why run i is not in the table (malloc'd), or NULL */
    int n_runs;
} gl_cmp_table;

/* The comparison step is `at` when it is above 0, else the smallest last step among the runs that
 * finished their budget (all runs when none did); runs that stopped before it are left out of the
 * cells (excluded[] says why), runs that went further contribute their values at it. GL_ERR_INPUT
 * when `at` is beyond every run's last step or before every run's first row (of metrics.csv,
 * eval.csv or timing.csv). *t is freed with gl_cmp_table_free. */
int gl_cmp_table_build(const gl_cmp_run *runs, int n_runs, const gl_cmp_variant *v, int n_variants,
                       long long at, gl_cmp_table *t, gl_error *err);
void gl_cmp_table_free(gl_cmp_table *t);

/* ---------------------------------------------------------------- charts (charts.c, svg.c) */

/* What a chart's x axis counts: generator steps, real images seen by D (step x n_critic x
 * batch_size, per variant), or seconds of training (timing.csv's elapsed). */
typedef enum gl_cmp_x { GL_CMP_X_STEPS, GL_CMP_X_IMAGES, GL_CMP_X_WALL } gl_cmp_x;

/* "steps", "images" or "wall" into *x: GL_OK, else GL_ERR_INPUT naming what is allowed, with
 * `where` (e.g. "--x") in front. */
int gl_cmp_x_parse(const char *text, const char *where, gl_cmp_x *x, gl_error *err);
/* The axis title: "generator step", "real images seen by D", "wall time (s)". */
const char *gl_cmp_x_label(gl_cmp_x x);

/* One variant in a chart: at each x, the mean over its seeds and the smallest and largest value. */
typedef struct gl_cmp_line {
    const char *name;           /* the variant's name (owned by the variant) */
    int variant;                /* its index, which picks its colour: the same in every chart */
    int n;                      /* points, in ascending x */
    double *x, *mean, *lo, *hi; /* (n) each; x, mean, lo and hi are finite */
} gl_cmp_line;

typedef struct gl_cmp_chart {
    char title[256];    /* the caption: "modes2d.kl (lower is better)" */
    const char *xlabel; /* gl_cmp_x_label */
    int n_lines;        /* the variants with at least one point, in variant order */
    gl_cmp_line *lines; /* (n_lines); every line's arrays are in one allocation, `pool` */
    double *pool;
} gl_cmp_chart;

/* The chart of metric `col` of table t (columns below t->n_eval_cols come from the runs' eval
 * data, the others from metrics.csv) over the runs in the table, against x. A variant without a
 * finite value of the metric has no line. *c is freed with gl_cmp_chart_free, also on failure
 * (GL_ERR_RUN, out of memory). */
int gl_cmp_chart_build(const gl_cmp_run *runs, const gl_cmp_variant *v, const gl_cmp_table *t,
                       int col, gl_cmp_x x, gl_cmp_chart *c, gl_error *err);
void gl_cmp_chart_free(gl_cmp_chart *c);
/* The chart as a 900 x 480 PNG (core/image's gl_chart_png: mean lines over min-max bands), for
 * report.md. */
int gl_cmp_chart_png(const gl_cmp_chart *c, const char *path, gl_error *err);
/* The chart as an inline <svg> element: the title on top, the mean lines over min-max bands, the
 * legend below the plot, all text 12 px or larger at its natural width GL_CMP_SVG_WIDTH (the
 * report's grid never shows it narrower unless the window is). */
#define GL_CMP_SVG_WIDTH 560
void gl_cmp_chart_svg(FILE *f, const gl_cmp_chart *c);

/* ---------------------------------------------------------------- the report (report.c) */

typedef struct gl_compare_opts {
    const char *title;        /* heading; NULL: "Comparison" */
    const char *const *notes; /* lines added to the report's notes (e.g. failed suite runs) */
    int n_notes;
    gl_cfg_schema_lookup lookup; /* validates each run's config.yaml (the plugin registry's) */
    void *ud;
    int skip_unreadable;      /* a run directory that cannot be read becomes a note, not an
                                 error (a suite's run that failed before writing its files) */
    gl_cmp_x x;               /* the charts' x axis */
    long long at;             /* the table's comparison step (`--at`); 0: the default rule */
    const gl_suite_ref *refs; /* (n_refs) published rows (a suite's reference:), shown under the
                                 measured ones in the main table, marked published */
    int n_refs;
} gl_compare_opts;

/* Loads the run directories, groups them, and writes into out_dir (created if needed): report.md,
 * a self-contained report.html (images embedded as data: URIs), charts/<metric>.png and
 * samples/<variant>.png, each atomically. report_path receives report.html's path.
 * GL_ERR_INPUT for an unreadable run directory, GL_ERR_RUN for an I/O failure. */
int gl_compare_report(const char *const *run_dirs, int n, const char *out_dir,
                      const gl_compare_opts *o, char *report_path, size_t cap, gl_error *err);

#endif

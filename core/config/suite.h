/* config/suite.h - a suite file: the experiments of a comparison. It is read by the config system's
 * YAML reader, so it lives with it; `ganlab suite` (core/runner/cmd_suite.c) runs it with the
 * child-process pool of compare/jobs.h and reports it with compare.h. Internal to libganlab (not
 * installed). Format and behaviour: docs/compare.md.
 *
 *     name: toy                      # optional: the file's base name; names the output directory
 *     seeds: [1, 2, 3]               # every run is trained once per seed
 *     overrides: [train.steps=5000]  # optional: applied to every run
 *     runs:
 *       - config: ../toy/ring_gan.yaml           # relative to the suite file
 *       - config: ../toy/ring_wgan_gp.yaml
 *         overrides: [train.n_critic=5]          # optional: this run's own, after the shared ones
 *         name: wgan5                            # optional: the variant's name (default: the
 *                                                # config's base name); unique in the suite
 *     sweep: {loss.lambda: [1, 10]}  # optional: every run at every point of the product
 *     report: {x: wall}              # optional: the charts' x axis (steps, images, wall)
 *     reference:                     # optional: published rows, shown beside the measured ones
 *       - name: PacGAN2
 *         source: PacGAN (Lin et al. 2018), Table 1
 *         values: {modes2d.modes: 23.8 +- 0.7, modes2d.kl: 0.13}   # metric column: text
 */
#ifndef GL_CONFIG_SUITE_H
#define GL_CONFIG_SUITE_H

#include <stdint.h>

#include <ganlab/error.h>

typedef struct gl_suite_run {
    char *name;       /* the variant's name: [A-Za-z0-9._-]+, unique in the suite */
    char *config;     /* absolute path of the experiment config */
    char **overrides; /* (n_overrides) "key=value" */
    int n_overrides;
} gl_suite_run;

/* One key of the sweep: section. */
typedef struct gl_suite_axis {
    char *key;     /* a config key, as written */
    char **values; /* (n) each value as YAML text, an override's right side: "10", "[64, 64]" */
    int n;
    char *where; /* "FILE:LINE:COL" of the key, for faults found later (compare/sweep.h) */
} gl_suite_axis;

/* One row of published numbers (reference:): the report shows it under the measured rows, marked
 * published, with each value in the column of its metric. */
typedef struct gl_suite_ref {
    char *name;    /* the row's label, e.g. "PacGAN2" */
    char *source;  /* where the numbers are from, e.g. "PacGAN (Lin et al. 2018), Table 1" */
    char **keys;   /* (n) metric columns, e.g. "modes2d.modes" */
    char **values; /* (n) as written, e.g. "23.8 +- 0.7" */
    int n;
} gl_suite_ref;

/* The most runs a suite may plan (seeds x runs x sweep points), and so the most seeds: a plan holds
 * about 9 KB a run, and a list past this is a slip of the keyboard, not an experiment. */
#define GL_SUITE_MAX_RUNS 10000

typedef struct gl_suite {
    char *name;     /* [A-Za-z0-9._-]+ */
    int64_t *seeds; /* (n_seeds) distinct, >= 0 */
    int n_seeds;
    char **overrides; /* (n_overrides) "key=value", for every run */
    int n_overrides;
    gl_suite_run *runs; /* (n_runs), at least one */
    int n_runs;
    gl_suite_axis *sweep; /* (n_sweep) in the file's order */
    int n_sweep;
    char *report_x;     /* report: x:, "steps", "images" or "wall"; NULL when not given */
    gl_suite_ref *refs; /* (n_refs) reference: rows in the file's order */
    int n_refs;
} gl_suite;

/* Reads the suite file path with the config system's bounded YAML reader and checks it: unknown
 * keys (with a near-name suggestion), wrong kinds, seeds that are not distinct integers >= 0,
 * overrides without '=', names that are not file names or not unique, config files that cannot be
 * read, a sweep: that is not a mapping of lists, a report: x that is not an axis. Every fault is
 * reported with FILE:LINE:COL. On success *out is freed with gl_suite_destroy; on failure it is
 * NULL and the status is GL_ERR_INPUT. */
int gl_suite_load(const char *path, gl_suite **out, gl_error *err);
void gl_suite_destroy(gl_suite *s);

#endif

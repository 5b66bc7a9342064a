/* suite_plan.h - what `ganlab suite` (cmd_suite.c) works from: the suite's definition, wherever it
 * comes from (suite_source.c: a suite file, or --config with --sweep), and the plan of its child
 * runs with the state of each (suite_plan.c). docs/compare.md describes the behaviour.
 */
#ifndef GL_RUNNER_SUITE_PLAN_H
#define GL_RUNNER_SUITE_PLAN_H

#include "compare/jobs.h"
#include "compare/state.h"
#include "compare/sweep.h"
#include "config/suite.h"
#include "runner/runner.h"

#define GL_SUITE_PATH_CAP 4096
#define GL_SUITE_DIR_CAP  3072 /* the suite directory's path; the rest is for names in it */

/* ---------------------------------------------------------------- the definition (suite_source.c)
 */

typedef struct gl_suite_def {
    gl_suite *suite;             /* seeds, shared overrides, runs */
    gl_sweep sweep;              /* the points every run is trained at (no axes: once) */
    char dir[GL_SUITE_PATH_CAP]; /* the suite directory: -o, else runs/suites/<name> */
    const char *x;               /* the report's x axis: --x, else NULL (steps) */
    char *yaml;                  /* for --config: the equivalent suite file, written to
                                    <dir>/suite.yaml when the suite runs (malloc'd); else NULL */
} gl_suite_def;

/* The suite of the command line: FILE; or --config CFG [--sweep KEY=[..]]... [--seeds LIST]
 * [--name NAME] [KEY=VALUE...]; or --name NAME alone (the suite.yaml that a --config suite left in
 * its directory). GL_ERR_INPUT with the fault. *d is freed with gl_suite_def_free (also on
 * failure). */
int gl_suite_def_load(const gl_cli *cli, gl_registry *reg, gl_suite_def *d, gl_error *err);
void gl_suite_def_free(gl_suite_def *d);
/* Writes d->yaml to <dir>/suite.yaml (atomically) when there is one. */
int gl_suite_def_save(const gl_suite_def *d, gl_error *err);

/* ---------------------------------------------------------------- the runs (suite_plan.c) */

typedef struct gl_suite_child {
    char name[256];    /* <variant>-s<seed>: the run's name, its logs' names */
    char variant[200]; /* <run name>[.<sweep point name>] */
    int64_t seed;
    gl_run_status st;  /* its state when planned */
    int run;           /* index into the suite's runs */
    int point;         /* index of the sweep point */
    const char **argv; /* NULL-terminated; points into the definition, the cli and the strings
                          below */
    char **owned;      /* (n_owned) strings argv points to (malloc'd) */
    int n_owned;
    char out[GL_SUITE_PATH_CAP], log[GL_SUITE_PATH_CAP]; /* logs/<name>.out and .log */
} gl_suite_child;

typedef struct gl_suite_plan {
    gl_suite_child *kids; /* (n) seed by seed, then run by run, then sweep point by point */
    int n;
} gl_suite_plan;

/* Plans every run of d: its name and state (gl_run_status_get, configs validated through reg).
 * GL_ERR_INPUT when a name would be too long or a run directory cannot be read. */
int gl_suite_plan_make(const gl_suite_def *d, gl_registry *reg, gl_suite_plan *p, gl_error *err);
/* The command of each child: exe [--plugin-path P]... train -- CONFIG <suite overrides> <run
 * overrides> <sweep overrides> [logging.hparams=KEYS] experiment.seed=S experiment.name=NAME
 * experiment.out_dir=DIR/runs experiment.threads=T (KEYS: the swept keys and those of the run's own
 * overrides, when there are any and no override sets logging.hparams), or for an interrupted run
 * exe [--plugin-path P]... train --resume RUN_DIR experiment.threads=T. Also sets out and log. */
int gl_suite_plan_commands(gl_suite_plan *p, const gl_suite_def *d, const gl_cli *cli,
                           const char *exe, int threads, gl_error *err);
void gl_suite_plan_free(gl_suite_plan *p);

#endif

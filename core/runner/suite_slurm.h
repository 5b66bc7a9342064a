/* suite_slurm.h - `ganlab suite ... --launcher slurm`: the suite's runs as one Slurm job array and
 * a dependent report job (docs/scaling.md). cmd_suite.c plans the runs; this file writes the batch
 * scripts, submits them with sbatch, records the job ids and cancels them.
 */
#ifndef GL_RUNNER_SUITE_SLURM_H
#define GL_RUNNER_SUITE_SLURM_H

#include <stdio.h>

#include "runner/suite_plan.h"

typedef struct gl_slurm_opts {
    const char *partition, *time, *mem; /* NULL: the cluster's default */
    const char **sbatch_args;           /* (n_sbatch_args) each --sbatch-arg, in order (malloc'd
                                           array; the strings point into the cli) */
    int n_sbatch_args;
    int throttle; /* array tasks at once (%K): -j, else no limit (0) */
} gl_slurm_opts;

/* The launcher's options of the command line; GL_ERR_INPUT for a value that would break the batch
 * script (a newline). The caller frees o with gl_slurm_opts_free. */
int gl_slurm_opts_get(const gl_cli *cli, gl_slurm_opts *o, gl_error *err);
void gl_slurm_opts_free(gl_slurm_opts *o);

/* Writes <dir>/slurm/tasks.sbatch (one array task per run of p that is not done or running) and
 * <dir>/slurm/report.sbatch, submits them (the report `afterany` the array), records the ids in
 * <dir>/slurm/jobs and prints them, the report's path last. self: this program and the arguments
 * that name the suite again (exe [--plugin-path P]... suite SRC... -o DIR), NULL-terminated.
 * dry: print both scripts on stdout and write or submit nothing. GL_ERR_INPUT when jobs of an
 * earlier submission are still queued or running, GL_ERR_RUN when sbatch fails. */
int gl_suite_slurm_submit(const gl_suite_def *d, const gl_suite_plan *p, const char *const *self,
                          const gl_slurm_opts *o, int dry, gl_error *err);

/* `--cancel`: scancel the jobs <dir>/slurm/jobs names. Their runs checkpoint (SIGTERM) and are
 * not requeued. */
int gl_suite_slurm_cancel(const gl_suite_def *d, gl_error *err);

/* word for a POSIX shell: as is when it is made of safe characters, else in single quotes. */
void gl_shell_word(FILE *f, const char *word);

#endif

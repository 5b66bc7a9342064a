/* rundir.h - the run directory's layout (docs/formats.md): config.yaml, metrics.csv, timing.csv,
 * log.txt, samples/step_NNNNNNNN.png, checkpoints/step_NNNNNNNN.ckpt. */
#ifndef GL_TRAIN_RUNDIR_H
#define GL_TRAIN_RUNDIR_H

#include <stddef.h>
#include <stdint.h>

#include <ganlab/error.h>

/* Creates out_dir (and parents) and a new run directory in it, writing its path into dir ("" when
 * none was created). */
int gl_rundir_create(const char *out_dir, const char *name, char *dir, size_t cap, gl_error *err);
void gl_rundir_checkpoint_path(const char *dir, uint64_t step, char *path, size_t cap);
/* Checkpoint file names of dir in step order: *names is a new array the caller frees with
 * gl_rundir_free_names. */
int gl_rundir_checkpoints(const char *dir, char ***names, int *n, gl_error *err);
void gl_rundir_free_names(char **names, int n);
int gl_rundir_newest_checkpoint(const char *dir, char *path, size_t cap, gl_error *err);
/* Removes all but the newest keep checkpoints of steps up to step (the one just written). Newer
 * ones, left by the run before a resume from an older checkpoint, are not counted or removed. */
void gl_rundir_prune(const char *dir, int keep, uint64_t step);

/* The writers' locks: run.lock for training (train, train --resume), eval.lock for `ganlab eval`'s
 * outputs. Readers (sample, compare, eval's reading of checkpoints) take neither. */
#define GL_RUNDIR_LOCK      "run.lock"
#define GL_RUNDIR_EVAL_LOCK "eval.lock"
/* In a suite's directory, while `ganlab suite` trains its runs here (not under Slurm, whose tasks
 * each lock their run). */
#define GL_RUNDIR_SUITE_LOCK "suite.lock"
/* Takes the exclusive lock dir/name (flock; the file then holds "host:PID") for as long as *fd
 * stays open; gl_rundir_unlock releases it. GL_ERR_INPUT naming the holder when another process
 * holds it; never waits. */
int gl_rundir_lock(const char *dir, const char *name, int *fd, gl_error *err);
void gl_rundir_unlock(int fd);
/* Removes from dir, dir/checkpoints and dir/samples the temporary files that writers of this host
 * left when they died (gl_atomic_is_stale_tmp). Call with the lock held. */
void gl_rundir_clean_stale(const char *dir);

#endif

/* provenance.h - run.json: what produced a run directory (docs/formats.md, "run.json"): ganlab's
 * version and git description, the command line and its overrides, the host, CPU and BLAS backend,
 * the thread count, the budget in steps, start and finish times, every plugin file that ran (kind,
 * name, path, SHA-256), and one entry per resume with its config changes. Rewritten atomically at
 * each start and finish; its times and host make it one of the files that differ between identical
 * runs.
 *
 * gl_provenance_plugin_dirs reads it back so that sample, eval, resume and compare find a plugin
 * that is not on the search path at the path it ran from, after checking its hash. */
#ifndef GL_TRAIN_PROVENANCE_H
#define GL_TRAIN_PROVENANCE_H

#include <stdint.h>

#include "config/cfg.h"
#include "plugin/registry.h"

typedef struct gl_provenance {
    int argc; /* the command line (argv[0] included), or 0 */
    const char *const *argv;
    const char *const *overrides; /* the KEY=VALUE operands */
    int n_overrides;
    const char *changes; /* on resume: "key: old -> new" lines (gl_train_resume_changes), or NULL */
    int forced;          /* on resume: --force was given */
    uint64_t total_steps; /* the budget in generator steps, train.epochs counted in batches */
} gl_provenance;

/* At the start of a run (resumed: step > 0 and dir/run.json kept, a resume entry appended): writes
 * dir/run.json with finished null. The plugins are those cfg names, found in reg. */
int gl_provenance_start(const char *dir, const gl_cfg *cfg, const gl_registry *reg,
                        const gl_provenance *p, int resumed, uint64_t step, gl_error *err);
/* When the run reached its budget: sets finished (and the last resume's) to now. */
int gl_provenance_finish(const char *dir, gl_error *err);

/* For a command reading run directory dir: the directories of the plugins dir/run.json records that
 * reg (the normal search path) does not have, after checking each file's SHA-256 against the record
 * (a mismatch or a missing file is GL_ERR_INPUT naming the file). Each is said on stderr. *dirs is
 * a new array of *n new strings (freed with gl_plugin_dirs_free); none (and GL_OK) without
 * run.json. */
int gl_provenance_plugin_dirs(const char *dir, const gl_registry *reg, char ***dirs, int *n,
                              gl_error *err);

#endif

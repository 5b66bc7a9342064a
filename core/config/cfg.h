/* cfg.h - the core's (not installed) view of an experiment config: load, compose, override,
 * validate against plugin schemas, print. Plugins see only ganlab/config.h's gl_params.
 *
 * Pipeline (docs/config.md):
 *   gl_cfg_load:     read YAML (bounded: file size, nesting depth, alias expansion; UTF-8 only),
 *                    follow `base:` layers (cycles are errors), merge key by key (a list replaces a
 *                    list; a layer that changes a section's `plugin` drops the keys earlier layers
 *                    gave that section), then apply command-line overrides `a.b.c=YAML`.
 *                    Computed defaults: experiment.name (the file's base name) and
 *                    experiment.threads (GANLAB_THREADS, which beats the files but not an override,
 *                    else the number of online cores).
 *                    Structural checks: unknown top-level section, a section that is not a mapping.
 *   gl_cfg_validate: for each plugin section ask `lookup` for the plugin's schema, then check every
 *                    key (unknown with a near-name suggestion, type, range, choices, required) and
 *                    fill defaults. The core sections (experiment, train, eval) have built-in
 * schemas. train: steps and epochs both set, or neither, is a fault. eval.evaluators: a list of
 * plugin mappings, each checked like a plugin section against its evaluator plugin's schema; a
 * plugin listed twice is a fault (its metrics would share column names). Every fault is reported
 * with file:line:col (or "override 'k=v'"). gl_cfg_emit:     the fully resolved config as YAML that
 * loads back to the identical config.
 */
#ifndef GL_CFG_H
#define GL_CFG_H

#include <stdio.h>

#include <ganlab/config.h>
#include <ganlab/error.h>
#include <ganlab/plugin.h>

typedef struct gl_cfg gl_cfg;

/* The plugin sections, in the order they are validated and printed. */
extern const char *const gl_cfg_plugin_sections[];       /* NULL-terminated: "dataset", "model",
                                                             "loss", "optimizer.generator",
                                                             "optimizer.discriminator" */
gl_plugin_kind gl_cfg_section_kind(const char *section); /* 0 for a core section */

/* The core sections, with built-in schemas; NULL-name terminated. after_plugins: printed after the
 * plugin sections (train) rather than before them (experiment). */
typedef struct gl_cfg_core_section {
    const char *name;
    const gl_param_spec *schema;
    int after_plugins;
} gl_cfg_core_section;
extern const gl_cfg_core_section gl_cfg_core_sections[];
/* The built-in schema of core section `section`, or NULL. For `ganlab plugins`-style listings. */
const gl_param_spec *gl_cfg_core_schema(const char *section);

/* Reads path and its bases, applies overrides ("key.path=yaml value"). On success *out is a new
 * config the caller frees with gl_cfg_destroy. On failure *out is NULL and err holds every fault.
 */
int gl_cfg_load(const char *path, const char *const *overrides, int n_overrides, gl_cfg **out,
                gl_error *err);

/* Finds the schema for `plugin_name` of `kind` (used for `section`). Returns GL_OK and sets *schema
 * (may be NULL for a plugin without parameters), or fills err (plugin not found, wrong kind...).
 * where is "file:line:col" of the `plugin:` value, for the message. */
typedef int (*gl_cfg_schema_lookup)(void *ud, const char *section, gl_plugin_kind kind,
                                    const char *plugin_name, const char *where,
                                    const gl_param_spec **schema, gl_error *err);

/* The schemas lookup returns are kept (not copied) by cfg: they must outlive it (the registry must
 * stay open until gl_cfg_destroy). May be called again (e.g. with another lookup). */
int gl_cfg_validate(gl_cfg *cfg, gl_cfg_schema_lookup lookup, void *ud, gl_error *err);

/* After a successful validate (NULL before, or for an unknown section): */
const char *gl_cfg_plugin(const gl_cfg *cfg, const char *section);      /* "mlp" */
const gl_params *gl_cfg_params(const gl_cfg *cfg, const char *section); /* plugin's or core's
                                                                          ("experiment", "train") */
const char *gl_cfg_source(const gl_cfg *cfg); /* the path it was loaded from */
/* The value of a dotted key ("loss.lambda", "optimizer.generator.lr", "loss.plugin") as YAML text
 * into buf (truncated to cap, always NUL-terminated). 0, or -1 when the config (validated) has no
 * such key. For the hparams a run records (logging.hparams). */
int gl_cfg_value_text(const gl_cfg *cfg, const char *key, char *buf, size_t cap);

/* The key of the eval section that lists the evaluator plugins (also the section name their
 * lookups and messages use). */
#define GL_CFG_EVALUATORS "eval.evaluators"

/* The evaluators of eval.evaluators after a successful validate (0 before): their count, and item
 * i's plugin name and parameters (owned by cfg). */
size_t gl_cfg_n_evaluators(const gl_cfg *cfg);
const char *gl_cfg_evaluator_plugin(const gl_cfg *cfg, size_t i);
const gl_params *gl_cfg_evaluator_params(const gl_cfg *cfg, size_t i);

/* New parameters for schema: base's values (base may be NULL: the defaults) with the keys of the
 * YAML mapping `changes` ("split: test"; NULL or "" for none) laid over them, validated as a
 * section named label (in messages). Relative paths in changes are taken from the working
 * directory. For the core's derived plugin instances (a dataset's test split). On success *out is
 * freed with gl_cfg_params_free; on failure it is NULL and err says why. */
int gl_cfg_params_derive(const gl_param_spec *schema, const gl_params *base, const char *changes,
                         const char *label, gl_params **out, gl_error *err);
void gl_cfg_params_free(gl_params *p);

/* Writes the resolved config (every default filled in, paths absolute, floats shortest round-trip)
 * as YAML that gl_cfg_load reads back to the identical config. Fails before validate. */
int gl_cfg_emit(const gl_cfg *cfg, FILE *f, gl_error *err);

/* Keys whose values differ between two validated configs, one line each into buf (always
 * NUL-terminated; lines that do not fit are left out): "train.batch_size: 64 -> 128". A changed
 * plugin gives one line ("loss.plugin: wgan_gp -> hinge") and that section's keys are not compared.
 * ignore: NULL-terminated list (or NULL) of keys ("experiment.threads") or whole sections
 * ("experiment") to skip. Returns the number of differing keys, -1 if either is not validated.
 * For refusing a resume with a changed config. */
int gl_cfg_diff(const gl_cfg *a, const gl_cfg *b, const char *const *ignore, char *buf, size_t cap);

void gl_cfg_destroy(gl_cfg *cfg);

#endif

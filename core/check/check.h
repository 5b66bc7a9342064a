/* check.h - the core's (not installed) plugin checker behind `ganlab plugin-check`: it loads any
 * plugin and exercises it the way the runner will, printing one line per check.
 *
 * What is checked, by kind (docs/plugin-check.md has the numbers and their reasons):
 *   every kind  the descriptor and schema (gl_plugin_check_descriptor), and that the schema's
 *               defaults, with the --set values, validate through the config system;
 *   dataset     open with those parameters; the declared shape, item count and range; a first,
 *               a last and a random batch: values finite and inside [lo, hi], labels inside
 *               [0, n_classes); the same indices give the same bytes (also after reopening), and an
 *               item's bytes do not depend on its place in the batch;
 *   model       created on images (1, 28, 28) with 10 classes and on vectors (2) with 8 classes,
 *               also conditional when the schema has a `conditional` bool: nets finalise, G and D
 *               give the right shapes with finite values in train and eval mode, and the parameter
 *               gradients of a scalar of D(G(z)) (w.r.t. G) and of D(x) (w.r.t. D) match central
 *               finite differences on sampled coordinates (every parameter tensor included);
 *   loss        with a small built-in G and D (tanh MLPs on 4-vectors) behind fake runner
 *               callbacks that replay the same noise: finite scalar D and G losses and terms, and
 *               their gradients w.r.t. D's / G's parameters against finite differences of the
 *               whole loss (for a GL_LOSS_INPUT_GRADIENT loss that includes the second-order terms
 *               of its penalty);
 *   optimizer   lowers a quadratic over 100 parameters 100-fold in 200 steps, values stay finite;
 *   evaluator   created on two synthetic runs (a 2-D mixture of 4 modes, 1x8x8 images of 2
 *               classes) whose "generator" samples the data's own distribution; evaluated twice:
 *               1 to GL_EVAL_MAX_ITEMS named, finite metrics, the same both times.
 * A data variant a model refuses with an input error (dcgan on 2-vectors) is a SKIP line, not a
 * failure, as long as some variant is accepted; an evaluator's refusals are SKIP lines.
 *
 * The checker runs plugins in this process: a plugin that crashes crashes the check. It does not
 * check speed, allocations of a training step, or what a plugin prints.
 */
#ifndef GL_CHECK_H
#define GL_CHECK_H

#include <stdint.h>
#include <stdio.h>

#include <ganlab/error.h>
#include <ganlab/plugin.h>

#include "plugin/registry.h"

typedef struct gl_check_opts {
    uint64_t seed;           /* every random draw of the checks derives from it */
    const char *const *sets; /* "KEY=VALUE" for the plugin's own section (--set), in order */
    int n_sets;
    int coords; /* finite-difference coordinates per model net; 0: 24 */
} gl_check_opts;

/* Counts of the lines printed; out (may be NULL: count only) receives them. */
typedef struct gl_check_report {
    FILE *out;
    int passed, failed, skipped;
} gl_check_report;

/* Runs every check of hdr's kind (path only names the file in messages), printing one line per
 * check to rep->out ("PASS ...", "FAIL ...", "SKIP ...") and counting them in rep.
 * Returns GL_OK when the checks ran (whatever they found: see rep->failed); GL_ERR_INPUT with err
 * filled when the plugin cannot be checked (a required parameter without default and no --set, a
 * --set the schema refuses); GL_ERR_RUN on out of memory. */
int gl_check_plugin(const gl_plugin_header *hdr, const char *path, const gl_check_opts *opts,
                    gl_check_report *rep, gl_error *err);

/* The plugin named name in reg, of kind (0: any kind, but then the name must be unambiguous).
 * On success *out stays valid until gl_registry_close(reg); else err has one line (the registry's
 * not-found / unusable message, or which kinds share the name). */
int gl_check_find(const gl_registry *reg, const char *name, uint32_t kind,
                  const gl_registry_entry **out, gl_error *err);

/* Loads the plugin file path (an out-of-tree .so) by opening a registry over its directory (every
 * *.so there is loaded, as for --plugin-path). On success *reg is the new registry (the caller
 * closes it with gl_registry_close) and *out its entry for path; a file that is missing or not a
 * usable plugin is GL_ERR_INPUT with the loader's one-line reason. */
int gl_check_open_file(const char *path, gl_registry **reg, const gl_registry_entry **out,
                       gl_error *err);

/* 1 when arg names a file rather than a plugin (it contains '/' or ends in ".so"). */
int gl_check_is_file(const char *arg);

#endif

/* check_internal.h - what the files of core/check share and nobody else sees: result lines, the
 * parameters of the plugin under test, the finite-difference gradient comparison, and one entry
 * point per plugin kind. Named gl_check__* because libganlab exports every gl_ symbol; the double
 * underscore marks them as private to core/check.
 */
#ifndef GL_CHECK_INTERNAL_H
#define GL_CHECK_INTERNAL_H

#include <stddef.h>

#include <ganlab/nn.h>

#include "check/check.h"
#include "config/cfg.h"

/* ---------------------------------------------------------------- result lines */

typedef enum gl_check_verdict { GL_CHECK_PASS = 0, GL_CHECK_FAIL, GL_CHECK_SKIP } gl_check_verdict;

/* Prints "PASS text" / "FAIL text" / "SKIP text" as one line to rep->out and counts it. */
void gl_check__line(gl_check_report *rep, gl_check_verdict v, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* PASS when ok, else FAIL. */
void gl_check__verdict(gl_check_report *rep, int ok, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* The error's lines joined by "; " into buf (for a FAIL line), then err is cleared. */
void gl_check__error_text(gl_error *err, char *buf, size_t cap);

/* ---------------------------------------------------------------- parameters */

/* Validates hdr's schema defaults with opts->sets (and then extra, "KEY=VALUE" or NULL) through
 * the config system (a temporary experiment file with hdr's plugin in its section), so the values
 * a plugin gets are exactly what a config would give it. On success *cfg owns *params (free with
 * gl_cfg_destroy). GL_ERR_INPUT with err filled: a required parameter missing from the sets, or a
 * value the schema refuses; GL_ERR_RUN: out of memory or no temporary file. */
int gl_check__params(const gl_plugin_header *hdr, const gl_check_opts *opts, const char *extra,
                     gl_cfg **cfg, const gl_params **params, gl_error *err);

/* The schema entry called name, or NULL. */
const gl_param_spec *gl_check__param(const gl_plugin_header *hdr, const char *name);

/* ---------------------------------------------------------------- finite differences */

/* A scalar function of a net's parameter values, evaluated afresh at each call (the comparison
 * perturbs one value in the net's block between calls). Returns GL_OK and *v, or a status with a
 * message in err. */
typedef int (*gl_check_scalar_fn)(void *ud, double *v, gl_error *err);

typedef struct gl_check_fd {
    int n;        /* coordinates compared */
    int bad;      /* of them, outside the tolerance */
    double worst; /* largest |analytic - fd| / tolerance (<= 1 passes) */
    char at[256]; /* the worst coordinate: "NAME[i]: analytic A, finite difference F" */
} gl_check_fd;

/* Compares the gradient block of net (filled by the caller's gl_backward of f) with central
 * differences of f at coords coordinates drawn from seed (every parameter tensor gets at least one;
 * coords <= 0 or >= the parameter count: all of them). Returns GL_OK with *r filled, or the status
 * of a failed evaluation of f (err filled) or GL_ERR_RUN on out of memory. The values are restored.
 */
int gl_check__grads(gl_net *net, gl_check_scalar_fn f, void *ud, int coords, uint64_t seed,
                    gl_check_fd *r, gl_error *err);

/* One result line for r: "PASS|FAIL what: N coordinates, worst W of the tolerance (AT)". */
void gl_check__grads_line(gl_check_report *rep, const gl_check_fd *r, const char *what);

/* ---------------------------------------------------------------- the kinds */

/* Each runs its kind's checks (check.h) and returns GL_OK unless the plugin cannot be checked
 * (GL_ERR_INPUT) or memory ran out (GL_ERR_RUN); what the checks find goes to rep. */
int gl_check__dataset(const gl_plugin_header *hdr, const gl_check_opts *opts, gl_check_report *rep,
                      gl_error *err);
int gl_check__model(const gl_plugin_header *hdr, const gl_check_opts *opts, gl_check_report *rep,
                    gl_error *err);
int gl_check__loss(const gl_plugin_header *hdr, const gl_check_opts *opts, gl_check_report *rep,
                   gl_error *err);
int gl_check__optimizer(const gl_plugin_header *hdr, const gl_check_opts *opts,
                        gl_check_report *rep, gl_error *err);
int gl_check__evaluator(const gl_plugin_header *hdr, const gl_check_opts *opts,
                        gl_check_report *rep, gl_error *err);

#endif

/* compare/sweep.h - a sweep: config keys, each with a list of values, expanded to their cartesian
 * product. Each point of the product is one variant of a suite, named from its values. Read from a
 * suite file's `sweep:` section or from `ganlab suite --sweep 'KEY=[a, b]'`. Internal to
 * libganlab (not installed). docs/compare.md has the syntax and the naming.
 *
 *     gl_sweep s = {0};
 *     gl_sweep_parse_arg(&s, "loss.lambda=[1, 10]", err);      // one axis per argument
 *     gl_sweep_parse_arg(&s, "train.n_critic=[1, 5]", err);
 *     for (int i = 0; i < gl_sweep_points(&s); i++) {
 *         gl_sweep_override(&s, i, 0, buf, cap);                // "loss.lambda=1", ...
 *         gl_sweep_name(&s, i, name, sizeof name);              // "lambda-1.n_critic-1", ...
 *     }
 *     gl_sweep_free(&s);
 */
#ifndef GL_COMPARE_SWEEP_H
#define GL_COMPARE_SWEEP_H

#include <stddef.h>

#include <ganlab/error.h>

#define GL_SWEEP_MAX_POINTS 4096

typedef struct gl_sweep_axis {
    char *key; /* a config key, "loss.lambda" */
    char **
        values; /* (n) each value as YAML text, the right side of an override: "10", "[256, 512]" */
    int n;
    char **slugs; /* (n) each value as a name part: "10", "256_512" (unique in the axis) */
    char *label;  /* the key's shortest tail of components unique among the axes: "lambda" */
} gl_sweep_axis;

typedef struct gl_sweep {
    gl_sweep_axis *axes; /* (n_axes), in the order given; the last varies fastest */
    int n_axes;
} gl_sweep;

/* Adds the axis key with the values (YAML texts, copied). Faults (GL_ERR_INPUT, `where` in front,
 * e.g. "suite.yaml:4:3"): a key that is not a config key's shape, is already swept or is one the
 * suite sets per run (experiment.seed, name, out_dir, threads), an empty list, a value given
 * twice, more than GL_SWEEP_MAX_POINTS points. */
int gl_sweep_add(gl_sweep *s, const char *key, const char *const *values, int n, const char *where,
                 gl_error *err);
/* Adds "KEY=[a, b, ...]": the list is a YAML flow sequence read by libyaml, so a value may hold
 * commas inside quotes or brackets ("[256, 512]"); each value keeps its YAML text. */
int gl_sweep_parse_arg(gl_sweep *s, const char *arg, gl_error *err);
void gl_sweep_free(gl_sweep *s);

/* The number of points (1 for a sweep without axes: the run itself). */
int gl_sweep_points(const gl_sweep *s);
/* The override "KEY=VALUE" of axis a at point i, into buf. */
void gl_sweep_override(const gl_sweep *s, int i, int a, char *buf, size_t cap);
/* The name of point i: "<label>-<value>" per axis, joined by '.', each value with characters other
 * than letters, digits, '.', '-' and '_' replaced (a run of them becomes one '_', none at either
 * end); "" without axes. Two values of an axis that would read the same get "-2", "-3"... on the
 * later ones, so the points' names are distinct. */
void gl_sweep_name(const gl_sweep *s, int i, char *buf, size_t cap);
/* The swept keys joined by ',' ("loss.lambda,train.n_critic"): the value of GANLAB_HPARAMS for the
 * children (docs/compare.md). */
void gl_sweep_keys(const gl_sweep *s, char *buf, size_t cap);

#endif

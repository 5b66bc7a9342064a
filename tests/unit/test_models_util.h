/* test_models_util.h - scaffolding shared by test_models.c and test_losses.c (tests only):
 *   - a model or loss plugin instance made the way the runner makes one: the real shared object
 *     from the build tree (fixture.h's fx_plugin_open), parameters from a YAML snippet through the
 *     config system (fx_params), nets finalised from the init stream;
 *   - copying PyTorch fixture weights into a net under a name map;
 *   - a float32 finite-difference check of a net's parameter gradients.
 */
#ifndef GL_TEST_MODELS_UTIL_H
#define GL_TEST_MODELS_UTIL_H

#include <stdint.h>

#include <ganlab/nn.h>
#include <ganlab/plugin.h>
#include <ganlab/rng.h>
#include <ganlab/tensor.h>

#include "fixture.h"

typedef struct tm_model {
    fx_plugin plugin;
    const gl_model_plugin *mp;
    gl_cfg *cfg;   /* owns the params the instance was given */
    char dir[256]; /* temp dir of the YAML file */
    gl_net *g, *d;
    void *self;
    gl_model_env env;
    gl_rng dropout; /* env.dropout_rng points here */
} tm_model;

/* Loads model plugin `name`, validates "model:\n  plugin: NAME\n" + body (indented lines of the
 * section, e.g. "  latent_dim: 4\n"), creates it for data and finalises G and D from
 * (seed, GL_STREAM_INIT). On failure err holds the messages and m is closed. Always pair with
 * tm_model_close. */
int tm_model_open(tm_model *m, const char *name, const char *body, const gl_dataset_info *data,
                  uint64_t seed, gl_error *err);
void tm_model_close(tm_model *m);

typedef struct tm_loss {
    fx_plugin plugin;
    const gl_loss_plugin *lp;
    gl_cfg *cfg;
    char dir[256];
    void *self;
} tm_loss;

/* Same for a loss plugin ("loss:\n  plugin: NAME\n" + body). */
int tm_loss_open(tm_loss *l, const char *name, const char *body, gl_error *err);
void tm_loss_close(tm_loss *l);

/* Dataset descriptions: images (c, h, w) in [-1, 1], and vectors (f). */
gl_dataset_info tm_images(int c, int h, int w, int n_classes);
gl_dataset_info tm_vectors(int f, int n_classes);

/* Copies fixture tensor PREFIX.SRC into net parameter DST for each pair (src, dst) of map
 * (NULL-terminated, 2 strings per entry). 1 on success; 0 with msg on a missing name or size. */
int tm_load_weights(gl_net *net, const fx_file *f, const char *prefix, const char *const *map,
                    char *msg, size_t cap);

/* A scalar function of the parameters of the net being checked (evaluated without recording). */
typedef double (*tm_scalar_fn)(void *ud);

/* Compares analytic[i] (the net's gradient block after a backward of f) with central differences
 * of f at n_check coordinates drawn from seed: each parameter tensor's first and last element and
 * the rest at random. A coordinate passes when, at step 1e-2, 2.5e-3 or 6.25e-4,
 *     |fd - analytic| <= 2e-2 |analytic| + 2e-3 max_j |analytic_j|:
 * the smaller steps are tried only after a miss, for the (Leaky)ReLU kinks that a step of 1e-2
 * crosses in a net of many units (float32 rounding limits how small a step can usefully be).
 * Returns 1 when all pass, else 0 with the worst coordinate described in msg. */
int tm_check_grads(gl_net *net, tm_scalar_fn f, void *ud, int n_check, uint64_t seed, char *msg,
                   size_t cap);

#endif

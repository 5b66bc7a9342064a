/* fixture.h - test scaffolding shared by the dataset and PyTorch-fixture suites (tests only, not
 * part of libganlab):
 *   - reading the ".tensors" files tests/reference/make_fixtures.py writes (format in its
 * docstring), and comparing a computed array with a stored tensor;
 *   - loading a built plugin's shared object from the build tree the way the core does (dlopen,
 *     gl_plugin_entry) and turning a YAML snippet into the validated gl_params it receives, through
 *     the real config system (gl_cfg_load + gl_cfg_validate with the plugin's schema).
 */
#ifndef GL_TEST_FIXTURE_H
#define GL_TEST_FIXTURE_H

#include <stddef.h>
#include <stdint.h>

#include <ganlab/error.h>
#include <ganlab/plugin.h>

#include "config/cfg.h"

/* ---------------------------------------------------------------- tensors files */

typedef struct fx_tensor {
    char *name;
    int ndim; /* 1..4 */
    int dims[4];
    size_t n;    /* product of dims */
    float *data; /* (dims...) row-major; float16 entries are widened exactly */
} fx_tensor;

typedef struct fx_file {
    fx_tensor *t;
    int n;
} fx_file;

/* Reads path (absolute, or relative to $GL_SRCDIR/tests/reference/fixtures when it has no '/').
 * On success f holds every tensor; free with fx_free. On failure err names the file and the fault.
 */
int fx_load(const char *path, fx_file *f, gl_error *err);
void fx_free(fx_file *f);
/* The tensor called name, or NULL. */
const fx_tensor *fx_find(const fx_file *f, const char *name);

/* 1 when got[0..want->n) matches want within tol relative to the tensor's largest magnitude:
 * max_i |got_i - want_i| <= tol * max(max_i |want_i|, tiny). Otherwise 0 and msg (cap bytes) says
 * which element is worst. n must equal want->n (else 0 and a message). */
int fx_match(const float *got, size_t n, const fx_tensor *want, double tol, char *msg, size_t cap);

/* ---------------------------------------------------------------- plugins */

/* A plugin loaded from $GL_BUILDDIR/plugins/KIND/.libs/NAME.so. */
typedef struct fx_plugin {
    void *handle; /* dlclose'd by fx_plugin_close */
    const gl_plugin_header *hdr;
} fx_plugin;

/* dlopen + gl_plugin_entry + ABI and kind checks. GL_OK or err filled. */
int fx_plugin_open(fx_plugin *p, const char *kind_dir, const char *name, gl_plugin_kind kind,
                   gl_error *err);
void fx_plugin_close(fx_plugin *p);

/* Writes yaml to dir/experiment.yaml (so relative paths in it resolve against dir) over a base
 * dir/stub_base.yaml giving every other section a parameterless "stub" plugin, loads and
 * validates it with `hdr`'s schema answering for the plugin sections of hdr's kind, and returns the
 * config in *cfg (free with gl_cfg_destroy). A section's parameters: gl_cfg_params(*cfg,
 * "dataset"). */
int fx_params(const char *dir, const char *yaml, const gl_plugin_header *hdr, gl_cfg **cfg,
              gl_error *err);

/* A dataset plugin instance opened the way the runner opens one. */
typedef struct fx_dataset {
    fx_plugin plugin;
    const gl_dataset_plugin *ds;
    gl_cfg *cfg; /* owns the gl_params, which must outlive the instance */
    void *self;
    gl_dataset_info info;
} fx_dataset;

/* Loads dataset plugin `name`, validates yaml (written into dir, see fx_params) and opens it with
 * seed. On failure err holds the messages (of the config or of the plugin's open) and d is closed.
 * Always pair with fx_dataset_close. */
int fx_dataset_open(fx_dataset *d, const char *name, const char *dir, const char *yaml,
                    uint64_t seed, gl_error *err);
void fx_dataset_close(fx_dataset *d);

/* A new empty temporary directory (mkdtemp under $TMPDIR or /tmp); path into buf. */
int fx_tempdir(char *buf, size_t cap);
/* Removes dir and everything in it (for fx_tempdir results). */
void fx_rmtree(const char *dir);
/* The files in dir (names starting with '.' left out; 0 when dir is missing); the path of the last
 * one read into last (when not NULL). */
int fx_count_files(const char *dir, char *last, size_t cap);

#endif

/* test_config_fake.h - what the config tests share: hand-written plugin schemas behind a fake
 * gl_cfg_schema_lookup, and helpers for fixture and scratch directories. */
#ifndef TEST_CONFIG_FAKE_H
#define TEST_CONFIG_FAKE_H

#include <stddef.h>

#include "config/cfg.h"

/* Plugins: dataset toy2d, folder; model mlp; loss wgan_gp, bce; optimizer adam, sgd.
 * An unknown name fails with "WHERE: no SECTION plugin 'NAME'". */
int fake_lookup(void *ud, const char *section, gl_plugin_kind kind, const char *plugin_name,
                const char *where, const gl_param_spec **schema, gl_error *err);

/* chdir into $GL_SRCDIR/tests/data/config (fixtures); returns that absolute path (static). */
const char *cd_fixtures(void);
/* mkdtemp a scratch directory and chdir into it; cleanup_scratch removes it and what
 * write_file put in it. */
const char *cd_scratch(void);
void cleanup_scratch(void);
/* Writes len bytes of text to file name in the scratch directory (len -1: strlen). */
void write_file(const char *name, const char *text, long len);

/* gl_cfg_load, then gl_cfg_validate with fake_lookup when the load succeeded. */
int load_valid(const char *path, const char *const *overrides, int n, gl_cfg **cfg, gl_error *err);

/* The config printed by gl_cfg_emit, as a new string (free). Fails the test if emit fails. */
char *emit_string(const gl_cfg *cfg);

#endif

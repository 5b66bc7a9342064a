/* fuzz_config.c - libFuzzer harness: the YAML config loader with `base:` composition (files from
 * the in-memory table of fuzz_files.c: main.yaml and up to three bases), then validation of the
 * core sections and the emitter. Any input must give GL_OK or an error message, never a crash,
 * a leak or a hang. */
#include <stdio.h>
#include <stdlib.h>

#include "config/cfg.h"
#include "fuzz_files.h"

/* No plugins: every plugin section is an error, the core sections are still checked. */
static int no_plugins(void *ud, const char *section, gl_plugin_kind kind, const char *plugin_name,
                      const char *where, const gl_param_spec **schema, gl_error *err)
{
    *schema = NULL;
    return gl_error_add(err, GL_ERR_INPUT, "%s: no plugin '%s'", where, plugin_name);
}

/* experiment.threads from the environment: the default would ask sysconf for the core count on
 * every input, which reads /sys and is most of an input's time. */
int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    setenv("GANLAB_THREADS", "1", 1);
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fuzz_files_set(data, size);
    gl_error err;
    gl_error_init(&err);
    gl_cfg *cfg = NULL;
    if (gl_cfg_load("main.yaml", NULL, 0, &cfg, &err) == GL_OK) {
        gl_cfg_validate(cfg, no_plugins, NULL, &err);
        static FILE *null;
        if (!null)
            null = fopen("/dev/null", "w");
        if (null) {
            gl_error e2;
            gl_error_init(&e2);
            gl_cfg_emit(cfg, null, &e2);
        }
    }
    gl_cfg_destroy(cfg);
    return 0;
}

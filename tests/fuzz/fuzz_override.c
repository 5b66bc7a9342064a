/* fuzz_override.c - libFuzzer harness: the command-line override parser. Each line of the input is
 * one KEY=VALUE override applied over a small fixed config (from the in-memory file table), then
 * the result is validated. */
#include <stdlib.h>
#include <string.h>

#include "config/cfg.h"
#include "fuzz_files.h"

#define MAX_OVERRIDES 16

static const char base[] = "experiment: {seed: 1}\n"
                           "train: {steps: 10, batch_size: 4}\n"
                           "dataset: {plugin: toy2d}\n";

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
    char *text = malloc(size + 1);
    if (!text)
        return 0;
    memcpy(text, data, size);
    text[size] = '\0';
    const char *ov[MAX_OVERRIDES];
    int n = 0;
    for (char *line = text; n < MAX_OVERRIDES && line;) {
        char *nl = strchr(line, '\n');
        if (nl)
            *nl = '\0';
        ov[n++] = line;
        line = nl ? nl + 1 : NULL;
    }
    fuzz_files_set((const uint8_t *)base, sizeof base - 1);
    gl_error err;
    gl_error_init(&err);
    gl_cfg *cfg = NULL;
    if (gl_cfg_load("main.yaml", ov, n, &cfg, &err) == GL_OK)
        gl_cfg_validate(cfg, no_plugins, NULL, &err);
    gl_cfg_destroy(cfg);
    free(text);
    return 0;
}

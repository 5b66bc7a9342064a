/* cmd_config.c - `ganlab config CFG [KEY=VALUE...]`: the config as the runner will see it, with
 * bases merged, overrides applied, every plugin's defaults filled in, validated against the
 * plugins' schemas, printed as YAML on stdout (which loads back to the same config). */
#include "runner/runner.h"

#include <stdio.h>

static int run(const gl_cli *cli, gl_error *err)
{
    gl_registry *reg;
    int st = gl_runner_open_registry(cli, &reg, err);
    if (st != GL_OK)
        return st;
    gl_cfg *cfg;
    st = gl_runner_load_config(cli, reg, &cfg, err);
    if (st == GL_OK) {
        st = gl_cfg_emit(cfg, stdout, err);
        gl_cfg_destroy(cfg);
    }
    gl_registry_close(reg);
    return st;
}

const gl_command gl_cmd_config = {
    .name = "config",
    .synopsis = "CFG [KEY=VALUE...]",
    .summary = "print the resolved config as YAML",
    .help = "Loads CFG (and its bases), applies the overrides (e.g. train.batch_size=32),\n"
            "validates it against the plugins it names and prints it on stdout with every\n"
            "default filled in. Exit status 2 when the config or a plugin is invalid.\n",
    .min_args = 1,
    .max_args = -1,
    .run = run,
};

/* setup.c - the set-up steps the commands share: the plugin registry over the search path, and a
 * config loaded, overridden and validated against it. Nothing here prints; failures go to err. */
#include "runner/runner.h"

#include <stdlib.h>
#include <string.h>

int gl_runner_open_registry(const gl_cli *cli, gl_registry **reg, gl_error *err)
{
    char **dirs;
    int n;
    int st = gl_plugin_search_dirs(cli->plugin_path, cli->n_plugin_path, getenv(GL_PLUGIN_PATH_ENV),
                                   gl_plugin_in_build_tree(), &dirs, &n, err);
    if (st != GL_OK)
        return st;
    st = gl_registry_open((const char *const *)dirs, n, reg, err);
    gl_plugin_dirs_free(dirs, n);
    return st;
}

int gl_runner_load_config(const gl_cli *cli, gl_registry *reg, gl_cfg **cfg, gl_error *err)
{
    int st = gl_cfg_load(cli->args[0], cli->args + 1, cli->n_args - 1, cfg, err);
    if (st != GL_OK)
        return st;
    st = gl_cfg_validate(*cfg, gl_registry_schema_lookup, reg, err);
    if (st != GL_OK) {
        gl_cfg_destroy(*cfg);
        *cfg = NULL;
    }
    return st;
}

const char *gl_cli_option(const gl_cli *cli, const char *name)
{
    const char *v = NULL;
    for (int i = 0; i < cli->n_opts; i++)
        if (strcmp(cli->opt_names[i], name) == 0)
            v = cli->opt_values[i];
    return v;
}

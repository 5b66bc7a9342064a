/* setup.c - the set-up steps the commands share: the plugin registry over the search path, and a
 * config loaded, overridden and validated against it. Nothing here prints; failures go to err. */
#include "runner/runner.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "train/provenance.h"

/* The registry over the search path followed by extra[0..n_extra). */
static int open_with(const gl_cli *cli, char **extra, int n_extra, gl_registry **reg, gl_error *err)
{
    char **dirs;
    int n;
    int st = gl_plugin_search_dirs(cli->plugin_path, cli->n_plugin_path, getenv(GL_PLUGIN_PATH_ENV),
                                   gl_plugin_in_build_tree(), &dirs, &n, err);
    if (st != GL_OK)
        return st;
    /* The search path, then the extra directories; freed below (strings not owned). */
    const char **all = malloc((size_t)(n + n_extra) * sizeof *all);
    if (!all) {
        gl_plugin_dirs_free(dirs, n);
        return gl_error_add(err, GL_ERR_RUN, "out of memory");
    }
    for (int i = 0; i < n; i++)
        all[i] = dirs[i];
    for (int i = 0; i < n_extra; i++)
        all[n + i] = extra[i];
    st = gl_registry_open(all, n + n_extra, reg, err);
    free(all);
    gl_plugin_dirs_free(dirs, n);
    return st;
}

int gl_runner_open_registry(const gl_cli *cli, gl_registry **reg, gl_error *err)
{
    return open_with(cli, NULL, 0, reg, err);
}

/* An empty RUN_DIR would read "/config.yaml"; a run directory named twice (by any path) would count
 * as two seeds of its variant in a comparison, with a made-up standard deviation. */
static int check_run_dirs(const char *const *run_dirs, int n_runs, gl_error *err)
{
    struct stat *st = calloc((size_t)(n_runs ? n_runs : 1), sizeof *st);
    if (!st)
        return gl_error_add(err, GL_ERR_RUN, "out of memory");
    int rc = GL_OK;
    for (int i = 0; i < n_runs && rc == GL_OK; i++) {
        if (!run_dirs[i][0]) {
            rc = gl_error_add(err, GL_ERR_INPUT, "an empty RUN_DIR names no run directory");
            break;
        }
        if (stat(run_dirs[i], &st[i]) != 0)
            st[i].st_ino = 0; /* reported by whatever reads it */
        for (int j = 0; j < i && rc == GL_OK; j++)
            if (st[i].st_ino && st[j].st_ino == st[i].st_ino && st[j].st_dev == st[i].st_dev)
                rc = gl_error_add(err, GL_ERR_INPUT,
                                  "%s names the run directory %s again (a run counts once)",
                                  run_dirs[i], run_dirs[j]);
    }
    free(st);
    return rc;
}

int gl_runner_open_registry_for_runs(const gl_cli *cli, const char *const *run_dirs, int n_runs,
                                     gl_registry **reg, gl_error *err)
{
    *reg = NULL;
    int st = check_run_dirs(run_dirs, n_runs, err);
    if (st != GL_OK)
        return st;
    st = open_with(cli, NULL, 0, reg, err);
    char **extra = NULL;
    int n_extra = 0;
    for (int r = 0; st == GL_OK && r < n_runs; r++) {
        char **dirs;
        int n;
        st = gl_provenance_plugin_dirs(run_dirs[r], *reg, &dirs, &n, err);
        if (st != GL_OK || n == 0) {
            gl_plugin_dirs_free(dirs, n);
            continue;
        }
        char **grown = realloc(extra, (size_t)(n_extra + n) * sizeof *grown);
        if (!grown) {
            gl_plugin_dirs_free(dirs, n);
            st = gl_error_add(err, GL_ERR_RUN, "out of memory");
            break;
        }
        extra = grown;
        for (int i = 0; i < n; i++)
            extra[n_extra++] = dirs[i];
        free(dirs); /* the strings now belong to extra */
    }
    if (st == GL_OK && n_extra > 0) {
        gl_registry_close(*reg);
        *reg = NULL;
        st = open_with(cli, extra, n_extra, reg, err);
    }
    gl_plugin_dirs_free(extra, n_extra);
    if (st != GL_OK && *reg) {
        gl_registry_close(*reg);
        *reg = NULL;
    }
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

int gl_cli_int_option(const gl_cli *cli, const char *name, long long lo, long long hi,
                      long long def, long long *out, gl_error *err)
{
    const char *v = gl_cli_option(cli, name);
    *out = def;
    if (!v)
        return GL_OK;
    char *end;
    errno = 0;
    long long x = strtoll(v, &end, 10);
    if (errno || end == v || *end || x < lo || x > hi)
        return gl_error_add(err, GL_ERR_INPUT,
                            "option %s: '%s' is not a whole number in [%lld, %lld]", name, v, lo,
                            hi);
    *out = x;
    return GL_OK;
}

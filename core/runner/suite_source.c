/* suite_source.c - where a suite's definition comes from (suite_plan.h):
 *   FILE                      a suite file (config/suite.h), its sweep: section included;
 *   --config CFG ...          one run of CFG, with the command line's overrides, --sweep axes and
 *                             --seeds; it is written out as the equivalent suite file
 *                             <dir>/suite.yaml when it runs, so that
 *   --name NAME               alone finds it again (for --status and re-runs).
 * The suite directory is -o DIR, else runs/suites/<name>, for all three.
 */
#include "runner/suite_plan.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "util/atomic.h"

void gl_suite_def_free(gl_suite_def *d)
{
    gl_suite_destroy(d->suite);
    gl_sweep_free(&d->sweep);
    free(d->yaml);
    memset(d, 0, sizeof *d);
}

/* A suite name: letters, digits, '.', '-', '_', not starting with '.' or '-', at most 100 bytes. */
static int name_ok(const char *s)
{
    return s[0] && s[0] != '.' && s[0] != '-' && strlen(s) <= 100 &&
           s[strspn(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-")] ==
               '\0';
}

/* The base name of path without its extension ("configs/toy/ring_gan.yaml" -> "ring_gan"). */
static char *stem(const char *path)
{
    const char *base = strrchr(path, '/');
    base = base ? base + 1 : path;
    const char *dot = strrchr(base, '.');
    return strndup(base, dot && dot != base ? (size_t)(dot - base) : strlen(base));
}

/* --seeds "1,2,3" or "[1, 2, 3]": distinct integers >= 0 into s->seeds. */
static int parse_seeds(const char *text, gl_suite *s, gl_error *err)
{
    s->seeds = calloc(strlen(text) / 2 + 1, sizeof *s->seeds);
    if (!s->seeds)
        return gl_error_add(err, GL_ERR_RUN, "out of memory");
    const char *p = text + strspn(text, " [");
    while (*p && *p != ']') {
        char *end;
        errno = 0;
        long long v = strtoll(p, &end, 10);
        if (end == p || errno || v < 0)
            return gl_error_add(err, GL_ERR_INPUT,
                                "--seeds '%.60s': seeds are integers >= 0, e.g. --seeds 1,2,3",
                                text);
        if (s->n_seeds == GL_SUITE_MAX_RUNS) /* before the quadratic check for repeats */
            return gl_error_add(err, GL_ERR_INPUT, "--seeds: more than %d seeds",
                                GL_SUITE_MAX_RUNS);
        for (int i = 0; i < s->n_seeds; i++)
            if (s->seeds[i] == v)
                return gl_error_add(err, GL_ERR_INPUT, "--seeds: seed %lld is given twice", v);
        s->seeds[s->n_seeds++] = v;
        p = end + strspn(end, " ");
        if (*p == ',')
            p += 1 + strspn(p + 1, " ");
        else if (*p && strcmp(p, "]") != 0)
            return gl_error_add(err, GL_ERR_INPUT,
                                "--seeds '%.60s': seeds are integers >= 0, e.g. --seeds 1,2,3",
                                text);
    }
    if (s->n_seeds == 0)
        return gl_error_add(err, GL_ERR_INPUT, "--seeds '%.60s' names no seed", text);
    return GL_OK;
}

/* The config's own experiment.seed, with the overrides applied. */
static int config_seed(const gl_cli *cli, gl_registry *reg, const char *cfg_path, int64_t *seed,
                       gl_error *err)
{
    const char **args = calloc((size_t)cli->n_args + 1, sizeof *args); /* freed below */
    if (!args)
        return gl_error_add(err, GL_ERR_RUN, "out of memory");
    args[0] = cfg_path;
    for (int i = 0; i < cli->n_args; i++)
        args[i + 1] = cli->args[i];
    gl_cli one = {.plugin_path = cli->plugin_path,
                  .n_plugin_path = cli->n_plugin_path,
                  .args = args,
                  .n_args = cli->n_args + 1};
    gl_cfg *cfg = NULL;
    int rc = gl_runner_load_config(&one, reg, &cfg, err);
    if (rc == GL_OK)
        *seed = gl_params_int(gl_cfg_params(cfg, "experiment"), "seed");
    gl_cfg_destroy(cfg);
    free(args);
    return rc;
}

/* s as a YAML double-quoted scalar. */
static void yaml_quoted(FILE *f, const char *s)
{
    fputc('"', f);
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        if (c == '"' || c == '\\')
            fprintf(f, "\\%c", c);
        else if (c < 0x20)
            fprintf(f, "\\x%02x", c);
        else
            fputc(c, f);
    }
    fputc('"', f);
}

/* The suite file equivalent to d (seeds, overrides, sweep, the one run) into d->yaml. */
static int equivalent_file(gl_suite_def *d, gl_error *err)
{
    const gl_suite *s = d->suite;
    size_t len;
    FILE *f = open_memstream(&d->yaml, &len);
    if (!f)
        return gl_error_add(err, GL_ERR_RUN, "out of memory");
    fputs("# Written by ganlab suite --config (docs/compare.md): `ganlab suite --name NAME` and\n"
          "# `ganlab suite FILE` run this suite again.\n",
          f);
    fprintf(f, "name: %s\nseeds: [", s->name);
    for (int i = 0; i < s->n_seeds; i++)
        fprintf(f, "%s%lld", i ? ", " : "", (long long)s->seeds[i]);
    fputs("]\noverrides: [", f);
    for (int i = 0; i < s->n_overrides; i++) {
        fputs(i ? ", " : "", f);
        yaml_quoted(f, s->overrides[i]);
    }
    fputs("]\n", f);
    if (d->sweep.n_axes)
        fputs("sweep:\n", f);
    for (int a = 0; a < d->sweep.n_axes; a++) {
        fprintf(f, "  %s: [", d->sweep.axes[a].key);
        for (int i = 0; i < d->sweep.axes[a].n; i++)
            fprintf(f, "%s%s", i ? ", " : "", d->sweep.axes[a].values[i]);
        fputs("]\n", f);
    }
    if (d->x)
        fprintf(f, "report: {x: %s}\n", d->x);
    fputs("runs:\n  - config: ", f);
    yaml_quoted(f, s->runs[0].config);
    fprintf(f, "\n    name: %s\n", s->runs[0].name);
    return fclose(f) == 0 && d->yaml ? GL_OK : gl_error_add(err, GL_ERR_RUN, "out of memory");
}

static int from_config(const gl_cli *cli, gl_registry *reg, const char *cfg, const char *name,
                       gl_suite_def *d, gl_error *err)
{
    gl_suite *s = d->suite = calloc(1, sizeof *d->suite);
    if (!s || !(s->runs = calloc(1, sizeof *s->runs)))
        return gl_error_add(err, GL_ERR_RUN, "out of memory");
    s->n_runs = 1;
    gl_suite_run *r = &s->runs[0];
    if (!(r->config = realpath(cfg, NULL)))
        return gl_error_add(err, GL_ERR_INPUT, "--config %s: %s", cfg, strerror(errno));
    if (!(r->name = stem(r->config)) || !(s->name = name ? strdup(name) : stem(r->config)))
        return gl_error_add(err, GL_ERR_RUN, "out of memory");
    if (!name_ok(s->name))
        return gl_error_add(err, GL_ERR_INPUT,
                            "'%s' is not a usable suite name: use letters, digits, '.', '-' and "
                            "'_', not first '.' or '-' (give one with --name)",
                            s->name);
    if (!name_ok(r->name)) /* the runs' names start with it; --name names only the suite */
        return gl_error_add(err, GL_ERR_INPUT,
                            "--config %s: '%s' is not a usable run name: use letters, digits, "
                            "'.', '-' and '_', not first '.' or '-' (rename the file)",
                            cfg, r->name);
    if (!(s->overrides = calloc((size_t)cli->n_args + 1, sizeof *s->overrides)))
        return gl_error_add(err, GL_ERR_RUN, "out of memory");
    for (int i = 0; i < cli->n_args; i++) {
        const char *eq = strchr(cli->args[i], '=');
        if (!eq || eq == cli->args[i])
            return gl_error_add(err, GL_ERR_INPUT,
                                "'%s': with --config, the operands are overrides KEY=VALUE",
                                cli->args[i]);
        if (!(s->overrides[s->n_overrides++] = strdup(cli->args[i])))
            return gl_error_add(err, GL_ERR_RUN, "out of memory");
    }
    for (int i = 0; i < cli->n_opts; i++)
        if (strcmp(cli->opt_names[i], "--sweep") == 0 &&
            gl_sweep_parse_arg(&d->sweep, cli->opt_values[i], err) != GL_OK)
            return GL_ERR_INPUT;
    const char *seeds = gl_cli_option(cli, "--seeds");
    if (seeds)
        return parse_seeds(seeds, s, err);
    if (!(s->seeds = calloc(1, sizeof *s->seeds)))
        return gl_error_add(err, GL_ERR_RUN, "out of memory");
    s->n_seeds = 1;
    return config_seed(cli, reg, r->config, &s->seeds[0], err);
}

int gl_suite_def_load(const gl_cli *cli, gl_registry *reg, gl_suite_def *d, gl_error *err)
{
    memset(d, 0, sizeof *d);
    const char *cfg = gl_cli_option(cli, "--config"), *name = gl_cli_option(cli, "--name");
    const char *o = gl_cli_option(cli, "-o");
    d->x = gl_cli_option(cli, "--x");
    if (name && !name_ok(name))
        return gl_error_add(err, GL_ERR_INPUT,
                            "--name '%.60s': use letters, digits, '.', '-' and '_', not first "
                            "'.' or '-' (it names a directory)",
                            name);
    if (!cfg && (gl_cli_option(cli, "--sweep") || gl_cli_option(cli, "--seeds")))
        return gl_error_add(err, GL_ERR_INPUT,
                            "--sweep and --seeds make a suite of --config CFG (a suite file has "
                            "its own sweep: and seeds:)");
    int rc;
    char path[GL_SUITE_PATH_CAP + 16];
    if (cfg) {
        if ((rc = from_config(cli, reg, cfg, name, d, err)) == GL_OK)
            rc = equivalent_file(d, err);
    } else if (cli->n_args == 1) {
        rc = gl_suite_load(cli->args[0], &d->suite, err);
    } else if (name && cli->n_args == 0) {
        if (o && *o)
            snprintf(path, sizeof path, "%.*s/suite.yaml", GL_SUITE_DIR_CAP, o);
        else
            snprintf(path, sizeof path, "runs/suites/%s/suite.yaml", name);
        if (access(path, R_OK) != 0)
            return gl_error_add(err, GL_ERR_INPUT,
                                "%s: %s (only a suite made with --config leaves one; for a suite "
                                "file, give the FILE)",
                                path, strerror(errno));
        rc = gl_suite_load(path, &d->suite, err);
    } else {
        return gl_error_add(err, GL_ERR_INPUT,
                            "suite needs a suite FILE, or --config CFG, or --name NAME of a suite "
                            "made with --config");
    }
    for (int i = 0; rc == GL_OK && !cfg && i < d->suite->n_sweep; i++) {
        const gl_suite_axis *ax = &d->suite->sweep[i];
        rc = gl_sweep_add(&d->sweep, ax->key, (const char *const *)ax->values, ax->n, ax->where,
                          err);
    }
    if (rc != GL_OK)
        return rc;
    if (!d->x)
        d->x = d->suite->report_x;
    if (name && !cfg && strcmp(name, d->suite->name) != 0)
        return gl_error_add(err, GL_ERR_INPUT, "--name %s: the suite is named %s", name,
                            d->suite->name);
    /* Absolute: the children and the report's path printed for the user work from anywhere. */
    char *cwd = getcwd(NULL, 0);
    const char *rel = o && *o ? o : NULL;
    if (!cwd)
        return gl_error_add(err, GL_ERR_RUN, "cannot get the working directory: %s",
                            strerror(errno));
    if (rel && rel[0] == '/')
        snprintf(d->dir, sizeof d->dir, "%s", rel);
    else if (rel)
        snprintf(d->dir, sizeof d->dir, "%s/%s", cwd, rel);
    else
        snprintf(d->dir, sizeof d->dir, "%s/runs/suites/%s", cwd, d->suite->name);
    free(cwd);
    if (strlen(d->dir) >= GL_SUITE_DIR_CAP)
        return gl_error_add(err, GL_ERR_INPUT, "-o: a path of more than %d bytes",
                            GL_SUITE_DIR_CAP - 1);
    return GL_OK;
}

int gl_suite_def_save(const gl_suite_def *d, gl_error *err)
{
    if (!d->yaml)
        return GL_OK;
    char path[GL_SUITE_PATH_CAP + 16];
    snprintf(path, sizeof path, "%s/suite.yaml", d->dir);
    gl_atomic_file f;
    if (gl_atomic_open(&f, path, err) != GL_OK)
        return GL_ERR_RUN;
    fputs(d->yaml, f.fp);
    return gl_atomic_commit(&f, err);
}

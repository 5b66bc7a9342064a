/* cmd_plugin_check.c - `ganlab plugin-check NAME|FILE.so [--kind KIND] [--seed S] [--set K=V]...`:
 * finds the plugin (by name through the search path, or a file by path) and runs core/check's
 * checks on it, one line per check on stdout, then a summary line. Status: 0 when every check
 * passed, 1 when one failed, 2 for bad usage or a plugin that cannot be loaded or checked
 * (docs/plugin-check.md). The checks run on one thread so that finite differences compare
 * bit-reproducible evaluations. */
#include "runner/runner.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <ganlab/tensor.h>

#include "check/check.h"

static int parse_kind(const char *s, uint32_t *kind, gl_error *err)
{
    for (uint32_t k = GL_KIND_DATASET; k <= GL_KIND_EVALUATOR; k++)
        if (strcmp(s, gl_plugin_kind_name(k)) == 0) {
            *kind = k;
            return GL_OK;
        }
    return gl_error_add(err, GL_ERR_INPUT,
                        "--kind '%s': expected dataset, model, loss, optimizer "
                        "or evaluator",
                        s);
}

static int parse_seed(const char *s, uint64_t *seed, gl_error *err)
{
    char *end;
    errno = 0;
    unsigned long long v = strtoull(s, &end, 10);
    if (errno || end == s || *end || s[0] == '-')
        return gl_error_add(err, GL_ERR_INPUT, "--seed '%s': expected an integer >= 0", s);
    *seed = v;
    return GL_OK;
}

/* The --set values, in order, into a new array (*sets, freed by the caller with free). */
static int collect_sets(const gl_cli *cli, const char ***sets, int *n, gl_error *err)
{
    *n = 0;
    *sets = calloc((size_t)cli->n_opts + 1, sizeof **sets);
    if (!*sets)
        return gl_error_add(err, GL_ERR_RUN, "out of memory");
    for (int i = 0; i < cli->n_opts; i++)
        if (strcmp(cli->opt_names[i], "--set") == 0)
            (*sets)[(*n)++] = cli->opt_values[i];
    return GL_OK;
}

static int check(const gl_registry_entry *e, uint32_t kind, const gl_check_opts *opts,
                 gl_error *err)
{
    if (kind && e->hdr->kind != kind)
        return gl_error_add(err, GL_ERR_INPUT, "%s is a %s plugin, not a %s plugin", e->path,
                            gl_plugin_kind_name(e->hdr->kind), gl_plugin_kind_name(kind));
    printf("checking %s plugin '%s' (%s)\n", gl_plugin_kind_name(e->hdr->kind), e->name, e->path);
    gl_check_report rep = {.out = stdout};
    int st = gl_check_plugin(e->hdr, e->path, opts, &rep, err);
    if (st != GL_OK)
        return st;
    printf("%d passed, %d failed, %d skipped\n", rep.passed, rep.failed, rep.skipped);
    if (rep.failed)
        return gl_error_add(err, GL_ERR_RUN, "plugin '%s': %d of %d checks failed", e->name,
                            rep.failed, rep.passed + rep.failed);
    return GL_OK;
}

static int run(const gl_cli *cli, gl_error *err)
{
    gl_check_opts opts = {.seed = 1};
    uint32_t kind = 0;
    const char *k = gl_cli_option(cli, "--kind"), *s = gl_cli_option(cli, "--seed");
    const char **sets = NULL;
    int st = k ? parse_kind(k, &kind, err) : GL_OK;
    if (st == GL_OK && s)
        st = parse_seed(s, &opts.seed, err);
    if (st == GL_OK)
        st = collect_sets(cli, &sets, &opts.n_sets, err);
    opts.sets = sets;
    gl_registry *reg = NULL;
    const gl_registry_entry *e = NULL;
    if (st == GL_OK && gl_check_is_file(cli->args[0])) {
        st = gl_check_open_file(cli->args[0], &reg, &e, err);
    } else if (st == GL_OK) {
        st = gl_runner_open_registry(cli, &reg, err);
        if (st == GL_OK)
            st = gl_check_find(reg, cli->args[0], kind, &e, err);
    }
    if (st == GL_OK) {
        gl_engine_set_threads(1);
        st = check(e, kind, &opts, err);
    }
    gl_registry_close(reg);
    free(sets);
    return st;
}

static const gl_option options[] = {
    {"--kind", "KIND"},
    {"--seed", "S"},
    {"--set", "KEY=VALUE"},
    {NULL, NULL},
};

const gl_command gl_cmd_plugin_check = {
    .name = "plugin-check",
    .synopsis = "NAME|FILE.so [--kind KIND] [--seed S] [--set KEY=VALUE]...",
    .summary = "load a plugin and check it (shapes, gradients, determinism)",
    .help = "Loads plugin NAME from the search path, or the plugin file FILE.so (a path, or a\n"
            "name ending in .so), and checks it with its default parameters: the descriptor and\n"
            "schema; a dataset's shape, range, labels and determinism; a model's shapes and\n"
            "parameter gradients against finite differences; a loss's values and gradients\n"
            "(penalty included) with a small built-in G and D; an optimizer's descent on a\n"
            "quadratic. One PASS/FAIL/SKIP line per check on stdout.\n"
            "  --kind KIND       dataset, model, loss, optimizer or evaluator: which plugin NAME\n"
            "                    means when several kinds share it\n"
            "  --seed S          seed of every random draw of the checks (default 1)\n"
            "  --set KEY=VALUE   a parameter of the plugin instead of its default (repeatable;\n"
            "                    needed for a required parameter without default)\n"
            "Exit status: 0 all checks passed, 1 a check failed, 2 bad usage, or a plugin that\n"
            "cannot be loaded or checked.\n",
    .min_args = 1,
    .max_args = 1,
    .run = run,
    .options = options,
};

/* cmd_compare.c - `ganlab compare RUN_DIR... -o DIR [--title TEXT] [--x AXIS] [--at STEP]`: a
 * comparison report of finished runs (core/compare, docs/compare.md). The plugin registry is opened
 * only to validate each run's config.yaml, so configs are compared value by value with their
 * defaults filled in. The path of report.html is the last line of stdout. */
#include "runner/runner.h"

#include <stdint.h>
#include <stdio.h>
#include <unistd.h>

#include "compare/compare.h"

/* A report written into a run directory would put its samples/ beside the run's own sample grids
 * (and compare would later read them as the run's). */
static int check_out(const char *out, gl_error *err)
{
    static const char *const marks[] = {"run.json", "config.yaml"};
    for (size_t i = 0; i < sizeof marks / sizeof *marks; i++) {
        char path[4096];
        snprintf(path, sizeof path, "%s/%s", out, marks[i]);
        if (access(path, F_OK) == 0)
            return gl_error_add(err, GL_ERR_INPUT,
                                "-o %s: a run directory (it has %s); write the report elsewhere",
                                out, marks[i]);
    }
    return GL_OK;
}

static int run(const gl_cli *cli, gl_error *err)
{
    const char *out = gl_cli_option(cli, "-o");
    if (!out || !*out)
        return gl_error_add(err, GL_ERR_INPUT, "compare needs -o DIR (where the report goes)");
    if (check_out(out, err) != GL_OK)
        return GL_ERR_INPUT;
    gl_cmp_x x = GL_CMP_X_STEPS;
    const char *xs = gl_cli_option(cli, "--x");
    if (xs && gl_cmp_x_parse(xs, "option --x", &x, err) != GL_OK)
        return GL_ERR_INPUT;
    long long at;
    if (gl_cli_int_option(cli, "--at", 1, INT64_MAX, 0, &at, err) != GL_OK)
        return GL_ERR_INPUT;
    gl_registry *reg;
    int st = gl_runner_open_registry_for_runs(cli, cli->args, cli->n_args, &reg, err);
    if (st != GL_OK)
        return st;
    gl_compare_opts o = {.title = gl_cli_option(cli, "--title"),
                         .lookup = gl_registry_schema_lookup,
                         .ud = reg,
                         .x = x,
                         .at = at};
    char path[4096];
    st = gl_compare_report(cli->args, cli->n_args, out, &o, path, sizeof path, err);
    if (st == GL_OK)
        printf("%s\n", path);
    gl_registry_close(reg);
    return st;
}

static const gl_option options[] = {
    {"-o", "DIR"},    {"--title", "TEXT"}, {"--x", "steps|images|wall"},
    {"--at", "STEP"}, {NULL, NULL},
};

const gl_command gl_cmd_compare = {
    .name = "compare",
    .synopsis = "RUN_DIR... -o DIR [--title TEXT] [--x steps|images|wall] [--at STEP]",
    .summary = "compare runs: tables, charts and samples in a report",
    .help = "Groups the runs into variants (runs whose configs differ only in experiment.seed,\n"
            "name, out_dir and threads), and writes DIR/report.md and a self-contained\n"
            "DIR/report.html: the final metrics per variant (mean and standard deviation over\n"
            "seeds, at equal generator steps), a chart per metric (mean over seeds with a\n"
            "min-max band), the newest samples side by side. The last line of stdout is\n"
            "report.html's path.\n"
            "  -o DIR        the report's directory (created if needed)\n"
            "  --title TEXT  the report's heading (default: Comparison)\n"
            "  --x AXIS      the charts' x axis: steps (generator steps, the default), images\n"
            "                (real images seen by D) or wall (seconds of training)\n"
            "  --at STEP     compare the runs at this generator step (each run's last logged\n"
            "                or evaluated row at or before it) instead of at the smallest\n"
            "                budget; runs that stopped before it are left out\n",
    .min_args = 1,
    .max_args = -1,
    .run = run,
    .options = options,
};

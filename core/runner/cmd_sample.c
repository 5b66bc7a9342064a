/* cmd_sample.c - `ganlab sample RUN_DIR [-n N] [--label K] [--seed S] [--checkpoint FILE|STEP] -o
 * OUT`: samples from a run's generator (newest checkpoint by default) into a PNG, CSV or IDX file
 * (docs/formats.md). Deterministic: the same checkpoint, seed, n and label give the same bytes. */
#include "runner/runner.h"

#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "train/run.h"

/* OUT is written through a temporary file beside it, so its directory must exist: a missing one
 * (or OUT a directory) is the user's slip, said before the checkpoint is read. */
static int check_out(const char *out, gl_error *err)
{
    struct stat st;
    if (stat(out, &st) == 0 && S_ISDIR(st.st_mode))
        return gl_error_add(err, GL_ERR_INPUT, "-o %s: a directory; name a file", out);
    char *copy = strdup(out); /* dirname may write into its argument; freed below */
    if (!copy)
        return gl_error_add(err, GL_ERR_RUN, "out of memory");
    const char *dir = dirname(copy);
    int rc = stat(dir, &st) == 0 && S_ISDIR(st.st_mode)
                 ? GL_OK
                 : gl_error_add(err, GL_ERR_INPUT, "-o %s: %s is not a directory", out, dir);
    free(copy);
    return rc;
}

static int sample(const gl_cli *cli, gl_registry *reg, gl_cfg *cfg, gl_error *err)
{
    long long n, label, seed;
    const char *out = gl_cli_option(cli, "-o");
    if (!out || !*out)
        return gl_error_add(err, GL_ERR_INPUT, "sample needs -o OUT (.png, .csv or .idx)");
    if (check_out(out, err) != GL_OK)
        return err->status;
    int64_t exp_seed = gl_params_int(gl_cfg_params(cfg, "experiment"), "seed");
    if (gl_cli_int_option(cli, "-n", 1, 1000000, 64, &n, err) != GL_OK ||
        gl_cli_int_option(cli, "--label", 0, 1000000, -1, &label, err) != GL_OK ||
        gl_cli_int_option(cli, "--seed", 0, INT64_MAX, exp_seed, &seed, err) != GL_OK)
        return GL_ERR_INPUT;
    gl_session *s;
    int st = gl_session_create(cfg, reg, &s, err);
    if (st != GL_OK)
        return st;
    st = gl_train_resume_checkpoint(s, cli->args[0], gl_cli_option(cli, "--checkpoint"), err);
    if (st == GL_OK)
        st = gl_train_export_samples(s, out, (int)n, (int)label, (uint64_t)seed, err);
    gl_session_destroy(s);
    return st;
}

static int run(const gl_cli *cli, gl_error *err)
{
    gl_registry *reg;
    int st = gl_runner_open_registry_for_runs(cli, cli->args, 1, &reg, err);
    if (st != GL_OK)
        return st;
    gl_cfg *cfg;
    st = gl_train_resume_config(cli->args[0], NULL, 0, 0, gl_registry_schema_lookup, reg, &cfg,
                                err);
    if (st == GL_OK) {
        st = sample(cli, reg, cfg, err);
        gl_cfg_destroy(cfg);
    }
    gl_registry_close(reg);
    return st;
}

static const gl_option options[] = {
    {"-n", "N"},   {"--label", "K"}, {"--seed", "S"}, {"--checkpoint", "FILE|STEP"},
    {"-o", "OUT"}, {NULL, NULL},
};

const gl_command gl_cmd_sample = {
    .name = "sample",
    .synopsis = "RUN_DIR [-n N] [--label K] [--seed S] [--checkpoint FILE|STEP] -o OUT",
    .summary = "draw samples from a run's generator",
    .help =
        "Samples N (64) items from the generator of RUN_DIR's newest checkpoint (or FILE, or\n"
        "RUN_DIR/checkpoints/step_STEP.ckpt) with noise from seed S (the experiment's seed),\n"
        "into OUT by its extension:\n"
        "  .png  a grid of ceil(sqrt(N)) columns (a scatter plot for 2-D data)\n"
        "  .csv  a header (x,y or x0,x1,...) and one sample per row, then `label` if conditional\n"
        "  .idx  MNIST-format uint8 images, and OUT-labels.idx for a conditional model\n"
        "A conditional model gets labels i mod K, or all K with --label K.\n",
    .min_args = 1,
    .max_args = 1,
    .run = run,
    .options = options,
};

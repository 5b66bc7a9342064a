/* cmd_train.c - `ganlab train CFG [KEY=VALUE...]` and `ganlab train --resume RUN_DIR
 * [KEY=VALUE...]`: set-up (config, plugins, validation), then the run (core/train/run.c). The run
 * directory's path is the last line of stdout, also when the run failed or was stopped after
 * creating it. */
#include "runner/runner.h"

#include <signal.h>
#include <stdio.h>

#include "train/dist.h"
#include "train/run.h"

static int load(const gl_cli *cli, gl_registry *reg, const char *resume, gl_cfg **cfg,
                gl_error *err)
{
    if (!resume) {
        if (gl_cli_option(cli, "--checkpoint"))
            return gl_error_add(err, GL_ERR_INPUT, "--checkpoint needs --resume RUN_DIR");
        if (gl_cli_option(cli, "--force"))
            return gl_error_add(err, GL_ERR_INPUT, "--force needs --resume RUN_DIR");
        if (cli->n_args < 1)
            return gl_error_add(err, GL_ERR_INPUT,
                                "train needs a config file (or --resume RUN_DIR)");
        return gl_runner_load_config(cli, reg, cfg, err);
    }
    return gl_train_resume_config(resume, cli->args, cli->n_args,
                                  gl_cli_option(cli, "--force") != NULL, gl_registry_schema_lookup,
                                  reg, cfg, err);
}

static int train(const gl_cli *cli, gl_error *err)
{
    const char *resume = gl_cli_option(cli, "--resume");
    gl_registry *reg;
    int st = resume ? gl_runner_open_registry_for_runs(cli, &resume, 1, &reg, err)
                    : gl_runner_open_registry(cli, &reg, err);
    if (st != GL_OK)
        return st;
    gl_cfg *cfg = NULL;
    st = load(cli, reg, resume, &cfg, err);
    char changes[4096] = "";
    if (st == GL_OK && resume)
        st = gl_train_resume_changes(resume, cfg, gl_registry_schema_lookup, reg, changes,
                                     sizeof changes, err);
    if (st == GL_OK) {
        char dir[4096] = "";
        gl_train_opts o = {.resume_dir = resume,
                           .checkpoint = gl_cli_option(cli, "--checkpoint"),
                           .resume_changes = changes,
                           .forced = gl_cli_option(cli, "--force") != NULL,
                           .argc = cli->argc,
                           .argv = cli->argv,
                           .overrides = resume ? cli->args : cli->args + 1,
                           .n_overrides = resume ? cli->n_args : cli->n_args - 1,
                           .stop_signal = gl_runner_stop_signal};
        st = gl_train_run(cfg, reg, &o, dir, sizeof dir, err);
        if (dir[0])
            printf("%s\n", dir);
        gl_cfg_destroy(cfg);
    }
    gl_registry_close(reg);
    return st;
}

/* Under mpirun every rank runs this (docs/scaling.md); a rank that did not get the signal itself
 * exits with the code of the one the ranks agreed on: 75 for SIGUSR1, as main() does. */
static int run(const gl_cli *cli, gl_error *err)
{
    if (gl_runner_requeue_signal_install(err) != GL_OK)
        return GL_ERR_RUN;
    int st = gl_dist_init(err);
    if (st == GL_OK)
        st = train(cli, err);
    st = gl_dist_finish(st, err);
    return st == 128 + SIGUSR1 ? GL_EXIT_REQUEUE : st;
}

static const gl_option options[] = {
    {"--resume", "RUN_DIR"},
    {"--force", NULL},
    {"--checkpoint", "FILE|STEP"},
    {NULL, NULL},
};

const gl_command gl_cmd_train = {
    .name = "train",
    .synopsis =
        "CFG [KEY=VALUE...] | --resume RUN_DIR [--checkpoint FILE|STEP] [--force] [KEY=VALUE...]",
    .summary = "train the experiment CFG, or continue a run",
    .help =
        "Loads and validates CFG with the overrides (as `ganlab config` does), loads every\n"
        "plugin it names, then trains in a new run directory <out_dir>/<name>[-N], whose path\n"
        "is the last line of stdout. SIGINT/SIGTERM finish the step, write a checkpoint and\n"
        "exit 130/143; SIGUSR1 does the same and exits 75 (stopped to be requeued).\n"
        "  --resume RUN_DIR  continue RUN_DIR from its newest checkpoint; overrides may change\n"
        "                    the budget (train.steps, train.epochs, above the checkpoint's\n"
        "                    step), experiment.threads, experiment.workers, train.log_every,\n"
        "                    sample_every, eval_every, checkpoint_every, keep_checkpoints,\n"
        "                    logging.*, eval.* and engine.precision; each change is recorded\n"
        "                    in log.txt\n"
        "  --checkpoint FILE|STEP  with --resume: continue from this checkpoint (a file, or\n"
        "                    the step of one in RUN_DIR/checkpoints) instead of the newest\n"
        "  --force           with --resume: accept any other change (also recorded)\n",
    .min_args = 0,
    .max_args = -1,
    .run = run,
    .options = options,
};

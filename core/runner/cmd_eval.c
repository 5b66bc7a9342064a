/* cmd_eval.c - `ganlab eval RUN_DIR [--checkpoint FILE|STEP] [eval.KEY=VALUE...]`: runs the
 * evaluators of the run's eval section on its newest checkpoint (or FILE), writes RUN_DIR/eval.json
 * atomically and prints a table on stdout (docs/metrics.md, docs/formats.md).
 *
 * Overrides may change only the eval section (which evaluators, their parameters, the sample
 * count): they change what is measured, never the run that is measured. */
#include "runner/runner.h"

#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "eval/eval.h"
#include "train/rundir.h"
#include "train/run.h"

static int evaluate(const gl_cli *cli, gl_registry *reg, gl_cfg *cfg, gl_error *err)
{
    const char *dir = cli->args[0];
    char path[4096];
    if (gl_cfg_n_evaluators(cfg) == 0)
        return gl_error_add(err, GL_ERR_INPUT,
                            "%s/config.yaml: no evaluators in eval.evaluators; "
                            "add some, e.g. 'eval.evaluators=[{plugin: modes2d}]'",
                            dir);
    gl_engine_set_threads((int)gl_params_int(gl_cfg_params(cfg, "experiment"), "threads"));
    gl_session *s;
    int st = gl_session_create(cfg, reg, &s, err);
    if (st != GL_OK)
        return st;
    gl_evaluation *e = NULL;
    /* eval.json has one writer at a time; the run itself may be training meanwhile. */
    int lock;
    st = gl_rundir_lock(dir, GL_RUNDIR_EVAL_LOCK, &lock, err);
    struct stat out;
    snprintf(path, sizeof path, "%s/eval.json", dir);
    /* A directory there would fail the rename that puts eval.json in place: said before the
     * evaluation (minutes with a classifier to train), not after it. */
    if (st == GL_OK && lstat(path, &out) == 0 && S_ISDIR(out.st_mode))
        st = gl_error_add(err, GL_ERR_INPUT, "%s: a directory is where it goes; move it away",
                          path);
    if (st == GL_OK)
        st = gl_train_resume_checkpoint(s, dir, gl_cli_option(cli, "--checkpoint"), err);
    gl_eval_source src;
    gl_session_eval_source(s, gl_runner_stop_signal, &src);
    if (st == GL_OK)
        st = gl_evaluation_open(cfg, reg, &src, &e, err);
    if (st == GL_OK)
        st = gl_evaluation_run(e, err);
    if (st == GL_OK)
        st = gl_evaluation_write_json(e, s->st.step, path, err);
    if (st == GL_OK)
        gl_evaluation_print_table(e, s->st.step, stdout);
    gl_evaluation_close(e);
    gl_session_destroy(s);
    gl_rundir_unlock(lock);
    return st;
}

static int run(const gl_cli *cli, gl_error *err)
{
    for (int i = 1; i < cli->n_args; i++)
        if (strncmp(cli->args[i], "eval.", 5) != 0)
            return gl_error_add(err, GL_ERR_INPUT,
                                "override '%s': eval may change only the eval "
                                "section (eval.KEY=VALUE)",
                                cli->args[i]);
    gl_registry *reg;
    int st = gl_runner_open_registry_for_runs(cli, cli->args, 1, &reg, err);
    if (st != GL_OK)
        return st;
    gl_cfg *cfg;
    /* Forced: the overrides were checked above to touch only what is measured. */
    st = gl_train_resume_config(cli->args[0], cli->args + 1, cli->n_args - 1, 1,
                                gl_registry_schema_lookup, reg, &cfg, err);
    if (st == GL_OK) {
        st = evaluate(cli, reg, cfg, err);
        gl_cfg_destroy(cfg);
    }
    gl_registry_close(reg);
    return st;
}

static const gl_option options[] = {
    {"--checkpoint", "FILE|STEP"},
    {NULL, NULL},
};

const gl_command gl_cmd_eval = {
    .name = "eval",
    .synopsis = "RUN_DIR [--checkpoint FILE|STEP] [eval.KEY=VALUE...]",
    .summary = "measure a run's generator with its evaluators",
    .help = "Runs the evaluators of RUN_DIR's eval section on the generator of its newest\n"
            "checkpoint (or FILE), writes RUN_DIR/eval.json and prints a table. Overrides may\n"
            "change the eval section only, e.g. 'eval.evaluators=[{plugin: modes2d}]' or\n"
            "eval.samples=2000. Deterministic: the same checkpoint gives the same numbers.\n",
    .min_args = 1,
    .max_args = -1,
    .run = run,
    .options = options,
};

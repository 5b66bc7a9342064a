/* runner.h - what the ganlab command's files share: the parsed command line, the shape of a
 * command (one per file, cmd_NAME.c), and the set-up steps several commands repeat.
 *
 * Only main() turns a status into an exit code (docs/cli.md): GL_OK 0, GL_ERR_RUN 1,
 * GL_ERR_INPUT 2, 128 + signal when stopped by SIGINT/SIGTERM, GL_EXIT_REQUEUE when `train` was
 * stopped by SIGUSR1 to be requeued (a scheduler's warning before a time limit or preemption).
 */
#ifndef GL_RUNNER_H
#define GL_RUNNER_H

#include <ganlab/error.h>

#include "config/cfg.h"
#include "plugin/registry.h"

/* The command line after the global options are taken out. Points into argv. */
typedef struct gl_cli {
    const char *const *plugin_path; /* every --plugin-path DIR, in order */
    int n_plugin_path;
    const char *const *args; /* the command's operands */
    int n_args;
    const char *const *opt_names;  /* the command's own options given, as declared ("--resume") */
    const char *const *opt_values; /* their values; "" for a flag */
    int n_opts;
    int argc; /* the whole command line (for run.json) */
    const char *const *argv;
} gl_cli;

/* An option of one command. Command options follow the command's name on the command line. */
typedef struct gl_option {
    const char *name;  /* "--resume", "-n" */
    const char *value; /* the value's name in help ("DIR"), or NULL for a flag */
} gl_option;

/* The value of option name ("" for a flag), or NULL when it was not given. The last one wins. */
const char *gl_cli_option(const gl_cli *cli, const char *name);
/* Option name's value as a whole decimal number in [lo, hi] into *out, or def when it is absent.
 * GL_ERR_INPUT naming the option and its value when it is not one. */
int gl_cli_int_option(const gl_cli *cli, const char *name, long long lo, long long hi,
                      long long def, long long *out, gl_error *err);

typedef struct gl_command {
    const char *name;
    const char *synopsis; /* operands, e.g. "CFG [KEY=VALUE...]" */
    const char *summary;  /* one line for `ganlab --help` */
    const char *help;     /* the body of `ganlab NAME --help` (after the usage line) */
    int min_args, max_args;
    int (*run)(const gl_cli *cli, gl_error *err);
    const gl_option *options; /* NULL-name terminated; NULL for none */
} gl_command;

extern const gl_command gl_cmd_config, gl_cmd_plugins, gl_cmd_train, gl_cmd_sample;
extern const gl_command gl_cmd_compare, gl_cmd_suite;
extern const gl_command gl_cmd_eval;
extern const gl_command gl_cmd_plugin_check;

/* Opens the registry over the full search path (--plugin-path, GANLAB_PLUGIN_PATH, build tree,
 * install dir). The caller closes *reg with gl_registry_close. */
int gl_runner_open_registry(const gl_cli *cli, gl_registry **reg, gl_error *err);
/* The same for commands that read run directories (sample, eval, train --resume, compare): a
 * plugin that run_dirs[i]/run.json records and the search path lacks is loaded from its recorded
 * file's directory, searched last, after its SHA-256 is checked (train/provenance.h). An empty
 * RUN_DIR, or one directory named twice, is GL_ERR_INPUT before anything is read. */
int gl_runner_open_registry_for_runs(const gl_cli *cli, const char *const *run_dirs, int n_runs,
                                     gl_registry **reg, gl_error *err);

/* Loads args[0] with args[1..] as overrides and validates it against the plugins of reg.
 * The caller frees *cfg with gl_cfg_destroy. */
int gl_runner_load_config(const gl_cli *cli, gl_registry *reg, gl_cfg **cfg, gl_error *err);

/* SIGINT and SIGTERM set a flag instead of killing the process, so that a command can stop at a
 * safe point (the training loop checks it); gl_runner_stop_signal says which arrived, or 0. */
int gl_runner_signals_install(gl_error *err);
int gl_runner_stop_signal(void);
/* `train` only: SIGUSR1 stops like SIGTERM, but main() exits GL_EXIT_REQUEUE (75, EX_TEMPFAIL:
 * "try again"), which the Slurm launcher's batch script answers with `scontrol requeue`, while 143
 * stays "cancelled, do not requeue". */
#define GL_EXIT_REQUEUE 75
int gl_runner_requeue_signal_install(gl_error *err);

#endif

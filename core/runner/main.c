/* main.c - the ganlab command: a table of commands, the global options, and the one place that
 * turns a status into an exit code (docs/cli.md). Each command lives in its own cmd_NAME.c.
 *
 * Global options may come before or after the command: --plugin-path DIR (repeatable, also
 * --plugin-path=DIR), -h/--help, --version; "--" ends the options. After the command's name, the
 * command's own options (gl_command.options, e.g. train's --resume DIR; also --name=VALUE) are
 * accepted too. Everything else that starts with '-' is an unknown option (usage, exit 2). stdout
 * carries only what a script reads (help, version, a command's output); messages go to stderr.
 */
#include "config.h"
#include "runner/runner.h"
#include "train/dist.h"

#include <ganlab/tensor.h>

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const gl_command *const commands[] = {
    &gl_cmd_config, &gl_cmd_plugins,      &gl_cmd_train,   &gl_cmd_sample,
    &gl_cmd_eval,   &gl_cmd_plugin_check, &gl_cmd_compare, &gl_cmd_suite,
};

/* dispatch's answer when it printed help or the version: exit 0 with nothing more to say. */
enum { PRINTED_HELP = -1 };

/* Prints "  NAME SYNOPSIS", wrapping between words before column 100 (continuation lines indented
 * by 4). Returns the width of the last line. */
static int print_synopsis(FILE *f, const char *name, const char *synopsis)
{
    int w = fprintf(f, "  %s", name);
    const char *p = synopsis;
    while (*p) {
        size_t n = strcspn(p, " ");
        if (w + 1 + (int)n > 100) {
            fputs("\n   ", f);
            w = 3;
        }
        w += fprintf(f, " %.*s", (int)n, p);
        p += n;
        while (*p == ' ')
            p++;
    }
    return w;
}

static void usage(FILE *f)
{
    fprintf(f, "usage: ganlab [--plugin-path DIR]... COMMAND [ARGS...]\n"
               "       ganlab COMMAND --help | ganlab --help | ganlab --version\n\ncommands:\n");
    /* The whole synopsis, never cut: one too wide for its column puts the summary on the next
     * line, under the others, and one wider than the terminal's 100 columns wraps between words. */
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++) {
        int w = print_synopsis(f, commands[i]->name, commands[i]->synopsis);
        if (w > 30)
            fprintf(f, "\n%31s%s\n", "", commands[i]->summary);
        else
            fprintf(f, "%*s %s\n", 30 - w, "", commands[i]->summary);
    }
    fprintf(f,
            "\noptions:\n"
            "  --plugin-path DIR            search DIR for plugins first (repeatable)\n"
            "  -h, --help                   show this help, or COMMAND's\n"
            "  --version                    print the version and the plugin ABI\n"
            "\nPlugins are searched in: each --plugin-path, $%s (colon-separated),\n"
            "the build tree when run from it, then %s.\n"
            "Exit status: 0 ok, 1 a run failed, 2 bad usage or input,\n"
            "130/143 stopped by SIGINT/SIGTERM.\n",
            GL_PLUGIN_PATH_ENV, GL_INSTALL_PLUGIN_DIR);
}

static void command_usage(const gl_command *c, FILE *f)
{
    fprintf(f, "usage: ganlab %s %s\n%s", c->name, c->synopsis, c->help);
}

static const gl_command *find_command(const char *name)
{
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
        if (strcmp(commands[i]->name, name) == 0)
            return commands[i];
    return NULL;
}

/* Parsed argv: the global options and, in order, the operands (the first is the command). */
typedef struct options {
    const char **plugin_path;
    int n_plugin_path;
    const char **operands;
    int n_operands;
    const char **opt_names, **opt_values; /* the command's own options */
    int n_opts;
    int help, version;
    int argc;
    const char *const *argv;    /* the whole command line, for run.json */
    int bad_usage;              /* set with the error: main adds the usage text */
    const gl_command *usage_of; /* ... of this command rather than the general one */
} options;

/* The command's declaration of option a (without any "=VALUE"), or NULL. */
static const gl_option *command_option(const char *cmd, const char *a)
{
    const gl_command *c = cmd ? find_command(cmd) : NULL;
    size_t len = strcspn(a, "=");
    for (const gl_option *op = c ? c->options : NULL; op && op->name; op++)
        if (strlen(op->name) == len && strncmp(op->name, a, len) == 0)
            return op;
    return NULL;
}

/* Fills o from argv (o's arrays have room for argc entries). Returns GL_OK or a usage error. */
static int parse_options(int argc, char **argv, options *o, gl_error *err)
{
    o->bad_usage = 1;
    int only_operands = 0;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        const gl_option *op;
        if (only_operands || a[0] != '-' || a[1] == '\0')
            o->operands[o->n_operands++] = a;
        else if (strcmp(a, "--") == 0)
            only_operands = 1;
        else if (strcmp(a, "--plugin-path") == 0) {
            if (i + 1 >= argc)
                return gl_error_add(err, GL_ERR_INPUT, "option --plugin-path needs a directory");
            o->plugin_path[o->n_plugin_path++] = argv[++i];
        } else if (strncmp(a, "--plugin-path=", 14) == 0)
            o->plugin_path[o->n_plugin_path++] = a + 14;
        else if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0)
            o->help = 1;
        else if (strcmp(a, "--version") == 0)
            o->version = 1;
        else if ((op = command_option(o->n_operands ? o->operands[0] : NULL, a)) != NULL) {
            const char *eq = strchr(a, '=');
            const char *v = "";
            if (op->value && eq)
                v = eq + 1;
            else if (op->value && i + 1 < argc)
                v = argv[++i];
            else if (op->value || eq)
                return gl_error_add(err, GL_ERR_INPUT,
                                    op->value ? "option %s needs a value (%s)"
                                              : "option %s takes no value",
                                    op->name, op->value);
            o->opt_names[o->n_opts] = op->name;
            o->opt_values[o->n_opts++] = v;
        } else
            return gl_error_add(err, GL_ERR_INPUT, "unknown option '%s'", a);
    }
    o->bad_usage = 0;
    return GL_OK;
}

/* Runs the command named by the first operand; returns its status, or PRINTED_HELP. */
static int dispatch(options *o, gl_error *err)
{
    if (o->version) {
        printf("ganlab %s (plugin ABI %u)\n", PACKAGE_VERSION, GL_ABI_VERSION);
        return PRINTED_HELP;
    }
    if (o->n_operands == 0 && o->help) {
        usage(stdout);
        return PRINTED_HELP;
    }
    o->bad_usage = 1;
    if (o->n_operands == 0)
        return gl_error_add(err, GL_ERR_INPUT, "no command given");
    const gl_command *c = find_command(o->operands[0]);
    if (!c)
        return gl_error_add(err, GL_ERR_INPUT, "unknown command '%s'", o->operands[0]);
    o->bad_usage = 0;
    if (o->help) {
        command_usage(c, stdout);
        return PRINTED_HELP;
    }
    gl_cli cli = {o->plugin_path,    o->n_plugin_path, o->operands + 1,
                  o->n_operands - 1, o->opt_names,     o->opt_values,
                  o->n_opts,         o->argc,          o->argv};
    if (cli.n_args < c->min_args || (c->max_args >= 0 && cli.n_args > c->max_args)) {
        o->bad_usage = 1;
        o->usage_of = c;
        return gl_error_add(err, GL_ERR_INPUT, "wrong number of arguments for '%s'", c->name);
    }
    int st = gl_runner_signals_install(err);
    return st == GL_OK ? c->run(&cli, err) : st;
}

int main(int argc, char **argv)
{
    gl_engine_passive_threads(argv);
    gl_error err;
    gl_error_init(&err);
    options o = {.argc = argc, .argv = (const char *const *)argv};
    o.plugin_path = calloc((size_t)argc, sizeof *o.plugin_path);
    o.operands = calloc((size_t)argc, sizeof *o.operands);
    o.opt_names = calloc((size_t)argc, sizeof *o.opt_names);
    o.opt_values = calloc((size_t)argc, sizeof *o.opt_values);
    int st = o.plugin_path && o.operands && o.opt_names && o.opt_values
                 ? parse_options(argc, argv, &o, &err)
                 : gl_error_add(&err, GL_ERR_RUN, "out of memory");
    if (st == GL_OK)
        st = dispatch(&o, &err);
    free(o.plugin_path);
    free(o.operands);
    free(o.opt_names);
    free(o.opt_values);
    if (st == PRINTED_HELP)
        return 0;
    if (st != GL_OK)
        gl_error_print(&err, stderr);
    if (o.usage_of)
        command_usage(o.usage_of, stderr);
    else if (o.bad_usage)
        usage(stderr);
    int sig = gl_runner_stop_signal();
    /* Every rank of a data-parallel run (workers, MPI) gets the signal: rank 0 alone says so. */
    int say = sig && gl_dist_rank() == 0;
    if (sig == SIGUSR1) {
        if (say)
            fprintf(stderr, "ganlab: stopped by SIGUSR1, exit %d: requeue to continue\n",
                    GL_EXIT_REQUEUE);
        return GL_EXIT_REQUEUE;
    }
    if (say)
        fprintf(stderr, "ganlab: stopped by %s\n", sig == SIGINT ? "SIGINT" : "SIGTERM");
    return sig ? 128 + sig : st;
}

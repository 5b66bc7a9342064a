/* cmd_train.c - `ganlab train CFG [KEY=VALUE...]`: set-up (config, plugins, validation), then the
 * training run. The run itself is not written yet: train_run() below is the seam where the training
 * loop goes; everything before it is done and tested, so a config that reaches it is valid and
 * every plugin it names is loaded and well formed. */
#include "runner/runner.h"

#include <stddef.h>

/* The descriptors of a validated config's plugin sections, in gl_cfg_plugin_sections order. */
typedef struct train_setup {
    const gl_cfg *cfg;
    const gl_plugin_header *plugins[8];
    int n_plugins;
} train_setup;

/* The seam: the training loop goes here. It may read gl_runner_stop_signal() between steps. */
static int train_run(const train_setup *s, gl_error *err)
{
    return gl_error_add(err, GL_ERR_RUN,
                        "training is not implemented yet (%s is valid and its %d plugins load)",
                        gl_cfg_source(s->cfg), s->n_plugins);
}

/* Looks up every plugin section of cfg (validation loaded them; this keeps their descriptors). */
static int collect_plugins(const gl_registry *reg, train_setup *s, gl_error *err)
{
    for (int i = 0; gl_cfg_plugin_sections[i]; i++) {
        const char *section = gl_cfg_plugin_sections[i];
        const char *name = gl_cfg_plugin(s->cfg, section);
        if (!name)
            return gl_error_add(err, GL_ERR_INPUT, "%s: section '%s' is missing: training needs it",
                                gl_cfg_source(s->cfg), section);
        if (s->n_plugins == (int)(sizeof s->plugins / sizeof s->plugins[0]))
            return gl_error_add(err, GL_ERR_RUN, "too many plugin sections");
        const gl_registry_entry *e;
        if (gl_registry_find(reg, gl_cfg_section_kind(section), name, section, NULL, &e, err) !=
            GL_OK)
            return GL_ERR_INPUT;
        s->plugins[s->n_plugins++] = e->hdr;
    }
    return GL_OK;
}

static int run(const gl_cli *cli, gl_error *err)
{
    gl_registry *reg;
    int st = gl_runner_open_registry(cli, &reg, err);
    if (st != GL_OK)
        return st;
    gl_cfg *cfg;
    st = gl_runner_load_config(cli, reg, &cfg, err);
    if (st == GL_OK) {
        train_setup s = {.cfg = cfg};
        st = collect_plugins(reg, &s, err);
        if (st == GL_OK)
            st = train_run(&s, err);
        gl_cfg_destroy(cfg);
    }
    gl_registry_close(reg);
    return st;
}

const gl_command gl_cmd_train = {
    .name = "train",
    .synopsis = "CFG [KEY=VALUE...]",
    .summary = "train the experiment CFG",
    .help = "Loads and validates CFG with the overrides (as `ganlab config` does), loads every\n"
            "plugin it names, then trains. SIGINT/SIGTERM stop the run (exit 130/143).\n",
    .min_args = 1,
    .max_args = -1,
    .run = run,
};

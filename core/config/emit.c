/* emit.c - gl_cfg_emit: the resolved config as YAML.
 *
 * Sections in their fixed order (sections.c), grouped sections (optimizer.generator) under their
 * group, each with `plugin:` first and then every declared parameter in schema order with its
 * value, given or default. Paths are absolute (already resolved), so the text means the same from
 * any directory; eval's `evaluators` follow its own keys as a block list of plugin mappings
 * (`evaluators: []` when empty). Floats and strings are written as values.c says, so that loading
 * the output gives the identical config and printing that again gives the same bytes. No comments
 * or source names are written: they would break that fixed point.
 */
#include "config/cfg_internal.h"

#include <stdlib.h>
#include <string.h>

/* `plugin:` (when the slot has one) and every parameter, one per line at indent; the first line's
 * indent is written by the caller when first_done (a list item's "- "). */
static void emit_keys(const gl_cfg_slot *slot, int indent, int first_done, gl_cfg_sb *out)
{
    size_t n = slot->params ? slot->params->n : 0;
    if (slot->plugin) {
        gl_cfg__sb_add(out, "%*splugin: ", first_done ? 0 : indent, "");
        gl_cfg__yaml_string(slot->plugin, out);
        gl_cfg__sb_addn(out, "\n", 1);
        first_done = 0;
    }
    for (size_t i = 0; i < n; i++) {
        gl_cfg__sb_add(out, "%*s%s: ", first_done ? 0 : indent, "", slot->schema[i].name);
        gl_cfg__value_yaml(&slot->schema[i], &slot->params->v[i], out);
        gl_cfg__sb_addn(out, "\n", 1);
        first_done = 0;
    }
}

static void emit_section(const gl_cfg_slot *slot, const char *leaf, int indent, gl_cfg_sb *out)
{
    size_t n = slot->params ? slot->params->n : 0;
    gl_cfg__sb_add(out, "%*s%s:%s\n", indent, "", leaf, !slot->plugin && n == 0 ? " {}" : "");
    emit_keys(slot, indent + 2, 0, out);
}

static void emit_evaluators(const gl_cfg *cfg, gl_cfg_sb *out)
{
    gl_cfg__sb_add(out, "  evaluators:%s\n", cfg->n_evals ? "" : " []");
    for (size_t i = 0; i < cfg->n_evals; i++) {
        gl_cfg__sb_add(out, "    - ");
        emit_keys(&cfg->evals[i], 6, 1, out);
    }
}

int gl_cfg_emit(const gl_cfg *cfg, FILE *f, gl_error *err)
{
    if (!cfg->validated)
        return gl_error_add(err, GL_ERR_INPUT, "%s: a config is printed only after it is validated",
                            cfg->source);
    gl_cfg_sb out = {0};
    const char *group = NULL; /* the group whose header was written last, e.g. "optimizer." */
    size_t group_len = 0;
    for (size_t i = 0; i < cfg->n_slots; i++) {
        const char *name = cfg->slots[i].name;
        const char *dot = strchr(name, '.');
        if (!dot) {
            group = NULL;
            emit_section(&cfg->slots[i], name, 0, &out);
            if (strcmp(name, "eval") == 0)
                emit_evaluators(cfg, &out);
            continue;
        }
        size_t len = (size_t)(dot - name) + 1;
        if (!group || group_len != len || strncmp(group, name, len) != 0) {
            gl_cfg__sb_add(&out, "%.*s:\n", (int)len - 1, name);
            group = name;
            group_len = len;
        }
        emit_section(&cfg->slots[i], dot + 1, 2, &out);
    }
    int rc = GL_OK;
    if (out.failed)
        rc = gl_error_add(err, GL_ERR_INPUT, "out of memory printing the config");
    else if (fwrite(out.s, 1, out.len, f) != out.len || fflush(f) != 0)
        rc = gl_error_add(err, GL_ERR_RUN, "cannot write the config");
    free(out.s);
    return rc;
}

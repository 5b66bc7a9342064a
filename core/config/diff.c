/* diff.c - gl_cfg_diff: which resolved values differ between two validated configs (a resumed run
 * against the config it was started with). Values are compared as the YAML text emit would print,
 * which is exact for every type (floats print to round-trip precision). Parameters are matched by
 * name, so a parameter that only one side's schema declares counts as a difference.
 * eval.evaluators: a different list of plugins is one line ("eval.evaluators: [a, b] -> [a]");
 * otherwise item i's parameters are compared as section "eval.evaluators[i]". Ignoring "eval" or
 * "eval.evaluators" skips them.
 */
#include "config/cfg_internal.h"

#include <stdlib.h>
#include <string.h>

#define SHOWN 60 /* bytes of each value shown in a line */

typedef struct diff {
    const char *const *ignore;
    char *buf;
    size_t cap, used;
    int count;
} diff;

static int ignored(const diff *d, const char *section, const char *key)
{
    size_t sl = strlen(section);
    for (const char *const *ig = d->ignore; ig && *ig; ig++) {
        if (strcmp(*ig, section) == 0)
            return 1;
        if (key && strncmp(*ig, section, sl) == 0 && (*ig)[sl] == '.' &&
            strcmp(*ig + sl + 1, key) == 0)
            return 1;
    }
    return 0;
}

static void add_line(diff *d, const char *section, const char *key, const char *a, const char *b)
{
    d->count++;
    if (!d->buf || d->used >= d->cap)
        return;
    int n = snprintf(d->buf + d->used, d->cap - d->used, "%s.%s: %.*s -> %.*s\n", section, key,
                     SHOWN, a, SHOWN, b);
    if (n > 0 && (size_t)n < d->cap - d->used)
        d->used += (size_t)n;
    else
        d->buf[d->used] = '\0'; /* a line that does not fit is left out */
}

/* The value of name in params p as YAML text into out ("(absent)" when p does not declare it). */
static void value_text(const gl_params *p, const char *name, gl_cfg_sb *out)
{
    long i = gl_cfg__params_index(p, name);
    if (i < 0)
        gl_cfg__sb_add(out, "(absent)");
    else
        gl_cfg__value_yaml(&p->spec[i], &p->v[i], out);
}

static void compare(diff *d, const char *section, const gl_params *a, const gl_params *b,
                    const char *name)
{
    if (ignored(d, section, name))
        return;
    gl_cfg_sb ta = {0}, tb = {0};
    value_text(a, name, &ta);
    value_text(b, name, &tb);
    if (ta.failed || tb.failed || strcmp(ta.s, tb.s) != 0)
        add_line(d, section, name, ta.s ? ta.s : "?", tb.s ? tb.s : "?");
    free(ta.s);
    free(tb.s);
}

static void compare_params(diff *d, const char *section, const gl_params *a, const gl_params *b)
{
    for (size_t k = 0; k < a->n; k++)
        compare(d, section, a, b, a->spec[k].name);
    for (size_t k = 0; k < b->n; k++)
        if (gl_cfg__params_index(a, b->spec[k].name) < 0)
            compare(d, section, a, b, b->spec[k].name);
}

/* "[a, b]": the plugin names of cfg's evaluators. */
static void evaluator_names(const gl_cfg *cfg, gl_cfg_sb *out)
{
    gl_cfg__sb_add(out, "[");
    for (size_t i = 0; i < cfg->n_evals; i++)
        gl_cfg__sb_add(out, "%s%s", i ? ", " : "", cfg->evals[i].plugin);
    gl_cfg__sb_add(out, "]");
}

static void compare_evaluators(diff *d, const gl_cfg *a, const gl_cfg *b)
{
    if (ignored(d, "eval", "evaluators"))
        return;
    int same = a->n_evals == b->n_evals;
    for (size_t i = 0; same && i < a->n_evals; i++)
        same = strcmp(a->evals[i].plugin, b->evals[i].plugin) == 0;
    if (!same) {
        gl_cfg_sb ta = {0}, tb = {0};
        evaluator_names(a, &ta);
        evaluator_names(b, &tb);
        add_line(d, "eval", "evaluators", ta.failed ? "?" : ta.s, tb.failed ? "?" : tb.s);
        free(ta.s);
        free(tb.s);
        return;
    }
    for (size_t i = 0; i < a->n_evals; i++) {
        char section[64];
        snprintf(section, sizeof section, "eval.evaluators[%zu]", i);
        compare_params(d, section, a->evals[i].params, b->evals[i].params);
    }
}

int gl_cfg_diff(const gl_cfg *a, const gl_cfg *b, const char *const *ignore, char *buf, size_t cap)
{
    diff d = {.ignore = ignore, .buf = cap ? buf : NULL, .cap = cap};
    if (d.buf)
        buf[0] = '\0';
    if (!a->validated || !b->validated)
        return -1;
    for (size_t i = 0; i < a->n_slots; i++) {
        const gl_cfg_slot *sa = &a->slots[i], *sb = &b->slots[i];
        if (ignored(&d, sa->name, NULL))
            continue;
        if (sa->plugin && strcmp(sa->plugin, sb->plugin) != 0) {
            if (!ignored(&d, sa->name, "plugin"))
                add_line(&d, sa->name, "plugin", sa->plugin, sb->plugin);
            continue;
        }
        compare_params(&d, sa->name, sa->params, sb->params);
    }
    if (!ignored(&d, "eval", NULL))
        compare_evaluators(&d, a, b);
    return d.count;
}

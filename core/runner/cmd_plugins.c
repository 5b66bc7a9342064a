/* cmd_plugins.c - `ganlab plugins [NAME]`: without NAME, every usable plugin by kind with its
 * one-line summary and the files it shadows; with NAME, that plugin's file and its parameters
 * (type, default, range or choices, required, doc). Output goes to stdout; files in the search
 * path that are not usable plugins are warned about on stderr. */
#include "runner/runner.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int by_name(const void *a, const void *b)
{
    const gl_registry_entry *x = *(const gl_registry_entry *const *)a;
    const gl_registry_entry *y = *(const gl_registry_entry *const *)b;
    return strcmp(x->name, y->name);
}

static void print_shadowed(const gl_registry *reg, size_t winner, const char *indent)
{
    for (size_t j = 0; j < gl_registry_count(reg); j++) {
        const gl_registry_entry *e = gl_registry_entry_at(reg, j);
        if (e->shadowed_by == (long)winner)
            printf("%sshadows %s\n", indent, e->path);
    }
}

static int list_all(const gl_registry *reg, gl_error *err)
{
    size_t n = gl_registry_count(reg);
    const gl_registry_entry **sorted = malloc((n + 1) * sizeof *sorted);
    if (!sorted)
        return gl_error_add(err, GL_ERR_RUN, "out of memory listing plugins");
    for (size_t i = 0; i < n; i++) {
        const gl_registry_entry *e = gl_registry_entry_at(reg, i);
        sorted[i] = e;
        if (e->problem && e->shadowed_by < 0)
            fprintf(stderr, "ganlab: warning: %s\n", e->problem);
    }
    qsort(sorted, n, sizeof *sorted, by_name);
    for (uint32_t kind = GL_KIND_DATASET; kind <= GL_KIND_EVALUATOR; kind++) {
        printf("%s:\n", gl_plugin_kind_name(kind));
        int any = 0;
        for (size_t i = 0; i < n; i++) {
            const gl_registry_entry *e = sorted[i];
            if (!e->hdr || e->hdr->kind != kind || e->problem || e->shadowed_by >= 0)
                continue;
            printf("  %-16s %s\n", e->name, e->hdr->summary ? e->hdr->summary : "");
            print_shadowed(reg, (size_t)(e - gl_registry_entry_at(reg, 0)), "                   ");
            any = 1;
        }
        if (!any)
            printf("  (none)\n");
    }
    free(sorted);
    return GL_OK;
}

/* One row of the parameter table, as text. */
typedef struct row {
    char cell[5][128]; /* name, type, default, range or choices, required */
    const char *doc;
} row;

static void fill_row(const gl_param_spec *s, row *r)
{
    snprintf(r->cell[0], sizeof r->cell[0], "%s", s->name);
    snprintf(r->cell[1], sizeof r->cell[1], "%s", gl_param_type_name((uint32_t)s->type));
    snprintf(r->cell[2], sizeof r->cell[2], "%s", s->required ? "-" : s->default_value);
    int numeric = s->type == GL_PARAM_INT || s->type == GL_PARAM_FLOAT ||
                  s->type == GL_PARAM_INT_LIST || s->type == GL_PARAM_FLOAT_LIST;
    if (s->type == GL_PARAM_CHOICE)
        snprintf(r->cell[3], sizeof r->cell[3], "%s", s->choices);
    else if (numeric && s->min <= s->max)
        snprintf(r->cell[3], sizeof r->cell[3], "[%g, %g]", s->min, s->max);
    else
        snprintf(r->cell[3], sizeof r->cell[3], "-");
    snprintf(r->cell[4], sizeof r->cell[4], "%s", s->required ? "yes" : "no");
    r->doc = s->doc ? s->doc : "";
}

static int print_params(const gl_param_spec *params, gl_error *err)
{
    size_t n = 0;
    while (params && params[n].name)
        n++;
    if (n == 0) {
        printf("parameters: none\n");
        return GL_OK;
    }
    row *rows = calloc(n + 1, sizeof *rows);
    if (!rows)
        return gl_error_add(err, GL_ERR_RUN, "out of memory listing parameters");
    static const char *const head[5] = {"name", "type", "default", "range/choices", "required"};
    int width[5];
    for (int c = 0; c < 5; c++) {
        snprintf(rows[0].cell[c], sizeof rows[0].cell[c], "%s", head[c]);
        width[c] = (int)strlen(head[c]);
    }
    rows[0].doc = "doc";
    for (size_t i = 0; i < n; i++) {
        fill_row(&params[i], &rows[i + 1]);
        for (int c = 0; c < 5; c++)
            if ((int)strlen(rows[i + 1].cell[c]) > width[c])
                width[c] = (int)strlen(rows[i + 1].cell[c]);
    }
    printf("parameters:\n");
    for (size_t i = 0; i <= n; i++) {
        for (int c = 0; c < 5; c++)
            printf("  %-*s", width[c], rows[i].cell[c]);
        printf("  %s\n", rows[i].doc);
    }
    free(rows);
    return GL_OK;
}

/* Every usable plugin called name (kinds may share a name), or find's one-line error. */
static int show_one(const gl_registry *reg, const char *name, gl_error *err)
{
    const gl_registry_entry *first;
    int st = gl_registry_find(reg, 0, name, NULL, NULL, &first, err);
    if (st != GL_OK)
        return st;
    for (size_t i = 0; i < gl_registry_count(reg) && st == GL_OK; i++) {
        const gl_registry_entry *e = gl_registry_entry_at(reg, i);
        if (strcmp(e->name, name) != 0 || !e->hdr || e->problem || e->shadowed_by >= 0)
            continue;
        if (e != first)
            printf("\n");
        printf("%s (%s plugin): %s\nfile: %s\n", e->name, gl_plugin_kind_name(e->hdr->kind),
               e->hdr->summary ? e->hdr->summary : "", e->path);
        print_shadowed(reg, i, "");
        st = print_params(e->hdr->params, err);
    }
    return st;
}

static int run(const gl_cli *cli, gl_error *err)
{
    gl_registry *reg;
    int st = gl_runner_open_registry(cli, &reg, err);
    if (st != GL_OK)
        return st;
    st = cli->n_args == 0 ? list_all(reg, err) : show_one(reg, cli->args[0], err);
    gl_registry_close(reg);
    return st;
}

const gl_command gl_cmd_plugins = {
    .name = "plugins",
    .synopsis = "[NAME]",
    .summary = "list plugins, or show the parameters of plugin NAME",
    .help = "Without NAME: every plugin found in the search path, by kind, with its summary\n"
            "and the files of the same name it shadows. With NAME: the plugin's file and its\n"
            "parameters (type, default, range or choices, required, doc).\n",
    .min_args = 0,
    .max_args = 1,
    .run = run,
};

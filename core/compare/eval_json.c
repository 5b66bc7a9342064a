/* eval_json.c - the metrics of `ganlab eval` (eval.json, docs/formats.md) as one more row of a
 * run's evaluation table, so `compare` shows them for runs that did not evaluate while training.
 *
 * eval.json is {"step": N, "<evaluator>": {"<metric>": number|null, ...}, ..., "protocol": {...}},
 * read with the JSON reader run.json is read with (util/json.h: bounded, syntax faults at
 * FILE:LINE:COL). `protocol` is skipped (how the numbers were made; the report does not show it).
 * Merging (gl_cmp_csv_merge_row): the row goes where its step sorts; when eval.csv already has a
 * row at that step, eval.json only fills the columns that row lacks.
 */
#include "compare/compare.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "util/json.h"

#define MAX_COLS 4096

/* Adds column name = v to the one-row table. */
static int add(gl_cmp_csv *t, const char *source, const char *name, double v, gl_error *err)
{
    if (gl_cmp_csv_col(t, name) >= 0)
        return gl_error_add(err, GL_ERR_INPUT, "%s: the metric %.80s is given twice", source, name);
    if (t->n_cols >= MAX_COLS)
        return gl_error_add(err, GL_ERR_INPUT, "%s: more than %d metrics", source, MAX_COLS);
    char **cols = realloc(t->cols, (size_t)(t->n_cols + 1) * sizeof *cols);
    double *vals = cols ? realloc(t->v, (size_t)(t->n_cols + 1) * sizeof *vals) : NULL;
    if (cols)
        t->cols = cols;
    if (vals)
        t->v = vals;
    if (!cols || !vals || !(t->cols[t->n_cols] = strdup(name)))
        return gl_error_add(err, GL_ERR_RUN, "%s: out of memory", source);
    t->v[t->n_cols++] = v;
    return GL_OK;
}

/* One evaluator's object of metrics: numbers, or null (NaN). */
static int evaluator(const gl_json *o, const char *ev, gl_cmp_csv *row, const char *source,
                     gl_error *err)
{
    if (o->type != GL_JSON_OBJECT)
        return gl_error_add(err, GL_ERR_INPUT,
                            "%s: \"%.60s\" is not an object of metrics (evaluator: {metric: "
                            "value})",
                            source, ev);
    int rc = GL_OK;
    for (size_t i = 0; rc == GL_OK && i < o->n; i++) {
        const gl_json *v = o->items[i];
        char col[512];
        snprintf(col, sizeof col, "%s.%s", ev, o->keys[i]);
        if (v->type != GL_JSON_NUMBER && v->type != GL_JSON_NULL)
            rc = gl_error_add(err, GL_ERR_INPUT, "%s: %.80s is not a number or null", source, col);
        else
            rc = add(row, source, col, v->type == GL_JSON_NULL ? NAN : v->number, err);
    }
    return rc;
}

/* The row of the tree root (see the top of the file). */
static int from_tree(const gl_json *root, const char *source, gl_cmp_csv *row, gl_error *err)
{
    if (root->type != GL_JSON_OBJECT)
        return gl_error_add(err, GL_ERR_INPUT, "%s: not a JSON object", source);
    const gl_json *step = gl_json_get(root, "step");
    if (!step || step->type != GL_JSON_NUMBER || !(step->number >= 0 && step->number <= 9e15) ||
        step->number != floor(step->number))
        return gl_error_add(err, GL_ERR_INPUT, "%s: \"step\" must be a whole number >= 0", source);
    int rc = add(row, source, "step", step->number, err);
    for (size_t i = 0; rc == GL_OK && i < root->n; i++)
        if (strcmp(root->keys[i], "step") != 0 && strcmp(root->keys[i], "protocol") != 0)
            rc = evaluator(root->items[i], root->keys[i], row, source, err);
    if (rc == GL_OK)
        row->n_rows = 1;
    return rc;
}

/* The row of a parse (status rc, tree root, freed here). */
static int row_of(int rc, gl_json *root, const char *source, gl_cmp_csv *row, gl_error *err)
{
    if (rc == GL_OK)
        rc = from_tree(root, source, row, err);
    gl_json_free(root);
    if (rc != GL_OK)
        gl_cmp_csv_free(row);
    return rc;
}

int gl_cmp_eval_json_parse(const char *json, size_t len, const char *name, gl_cmp_csv *row,
                           gl_error *err)
{
    memset(row, 0, sizeof *row);
    gl_json *root = NULL;
    int rc = gl_json_parse(json, len, name, &root, err);
    return row_of(rc, root, name, row, err);
}

int gl_cmp_eval_json_read(const char *path, gl_cmp_csv *row, gl_error *err)
{
    memset(row, 0, sizeof *row);
    if (access(path, F_OK) != 0 && errno == ENOENT)
        return GL_OK;
    gl_json *root = NULL;
    int rc = gl_json_load(path, &root, err);
    return row_of(rc, root, path, row, err);
}

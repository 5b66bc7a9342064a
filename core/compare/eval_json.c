/* eval_json.c - the metrics of `ganlab eval` (eval.json, docs/formats.md) as one more row of a
 * run's evaluation table, so `compare` shows them for runs that did not evaluate while training.
 *
 * eval.json is {"step": N, "<evaluator>": {"<metric>": number|null, ...}, ..., "protocol": {...}}.
 * JSON is read with libyaml (this JSON is a subset of YAML's flow style: mappings, numbers, null,
 * double-quoted strings), event by event: no tree is built, nesting deeper than MAX_DEPTH and files
 * over MAX_BYTES are refused, and every fault names the file, line and column. `protocol` is
 * skipped (how the numbers were made; the report does not show it).
 *
 * Merging: the row goes where its step sorts; when eval.csv already has a row at that step,
 * eval.json only fills the columns that row lacks (eval.csv was measured during training, at the
 * same step, so it wins).
 */
#include "compare/compare.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <yaml.h>

#define MAX_BYTES ((size_t)1 << 20)
#define MAX_DEPTH 32
#define MAX_COLS  4096

typedef struct reader {
    yaml_parser_t p;
    const char *name;
    gl_error *err;
    gl_cmp_csv *row;
} reader;

static int fault(reader *r, yaml_mark_t at, const char *what, const char *arg)
{
    return gl_error_add(r->err, GL_ERR_INPUT, "%s:%zu:%zu: %s%.60s", r->name, at.line + 1,
                        at.column + 1, what, arg ? arg : "");
}

/* The next event into ev (deleted by the caller); a syntax error is reported. */
static int next(reader *r, yaml_event_t *ev)
{
    if (yaml_parser_parse(&r->p, ev))
        return GL_OK;
    memset(ev, 0, sizeof *ev);
    if (r->p.error == YAML_MEMORY_ERROR)
        return gl_error_add(r->err, GL_ERR_RUN, "%s: out of memory", r->name);
    return fault(r, r->p.problem_mark, "not valid JSON: ", r->p.problem ? r->p.problem : "?");
}

/* Skips the value whose first event is ev (a scalar, or a whole mapping or sequence). */
static int skip(reader *r, const yaml_event_t *first)
{
    int depth = first->type == YAML_MAPPING_START_EVENT || first->type == YAML_SEQUENCE_START_EVENT;
    while (depth > 0) {
        yaml_event_t ev;
        if (next(r, &ev) != GL_OK)
            return GL_ERR_INPUT;
        if (ev.type == YAML_MAPPING_START_EVENT || ev.type == YAML_SEQUENCE_START_EVENT)
            depth++;
        else if (ev.type == YAML_MAPPING_END_EVENT || ev.type == YAML_SEQUENCE_END_EVENT)
            depth--;
        int deep = depth > MAX_DEPTH;
        yaml_mark_t at = ev.start_mark;
        yaml_event_delete(&ev);
        if (deep)
            return fault(r, at, "nested deeper than the limit", NULL);
    }
    return GL_OK;
}

static const char *text(const yaml_event_t *ev) { return (const char *)ev->data.scalar.value; }

/* A number, or null (NaN); anything else is a fault. */
static int number(reader *r, const yaml_event_t *ev, double *v)
{
    if (ev->type != YAML_SCALAR_EVENT)
        return fault(r, ev->start_mark, "a metric must be a number or null", NULL);
    if (ev->data.scalar.plain_implicit && strcmp(text(ev), "null") == 0) {
        *v = NAN;
        return GL_OK;
    }
    char *end;
    errno = 0;
    *v = strtod(text(ev), &end);
    if (!ev->data.scalar.plain_implicit || end == text(ev) || *end || errno == ERANGE)
        return fault(r, ev->start_mark, "not a number: ", text(ev));
    return GL_OK;
}

/* Adds column name = v to the one-row table. */
static int add(reader *r, yaml_mark_t at, const char *name, double v)
{
    gl_cmp_csv *t = r->row;
    if (gl_cmp_csv_col(t, name) >= 0)
        return fault(r, at, "a metric given twice: ", name);
    if (t->n_cols >= MAX_COLS)
        return fault(r, at, "more metrics than the limit", NULL);
    char **cols = realloc(t->cols, (size_t)(t->n_cols + 1) * sizeof *cols);
    double *vals = cols ? realloc(t->v, (size_t)(t->n_cols + 1) * sizeof *vals) : NULL;
    if (cols)
        t->cols = cols;
    if (vals)
        t->v = vals;
    if (!cols || !vals || !(t->cols[t->n_cols] = strdup(name)))
        return gl_error_add(r->err, GL_ERR_RUN, "%s: out of memory", r->name);
    t->v[t->n_cols++] = v;
    return GL_OK;
}

typedef int (*entry_fn)(reader *r, const yaml_event_t *key, const yaml_event_t *val, void *ud);

/* Calls fn(key, value's first event) for each entry of the mapping whose MAPPING_START was read;
 * GL_OK at its end. fn reads the rest of a value that is a mapping or sequence. */
static int each_entry(reader *r, entry_fn fn, void *ud)
{
    for (;;) {
        yaml_event_t key, val = {0}; /* deleting a zeroed event does nothing */
        if (next(r, &key) != GL_OK)
            return GL_ERR_INPUT;
        if (key.type == YAML_MAPPING_END_EVENT) {
            yaml_event_delete(&key);
            return GL_OK;
        }
        int rc = key.type == YAML_SCALAR_EVENT
                     ? next(r, &val)
                     : fault(r, key.start_mark, "a key must be a string", NULL);
        if (rc == GL_OK)
            rc = fn(r, &key, &val, ud);
        yaml_event_delete(&key);
        yaml_event_delete(&val);
        if (rc != GL_OK)
            return rc;
    }
}

/* A metric of the evaluator named ud. */
static int metric(reader *r, const yaml_event_t *key, const yaml_event_t *val, void *ud)
{
    double v = 0.0;
    int rc = number(r, val, &v);
    if (rc == GL_OK) {
        char col[512];
        snprintf(col, sizeof col, "%s.%s", (const char *)ud, text(key));
        rc = add(r, key->start_mark, col, v);
    }
    return rc;
}

/* An entry of the top object: "step" (into the long long ud), "protocol", or an evaluator. */
static int top_entry(reader *r, const yaml_event_t *key, const yaml_event_t *val, void *ud)
{
    const char *k = text(key);
    if (strcmp(k, "step") == 0) {
        double s = 0.0;
        int rc = number(r, val, &s);
        if (rc == GL_OK && !(s >= 0 && s <= 9e15 && s == floor(s)))
            rc = fault(r, val->start_mark, "\"step\" must be a whole number >= 0", NULL);
        if (rc == GL_OK)
            *(long long *)ud = (long long)s;
        return rc;
    }
    if (strcmp(k, "protocol") == 0)
        return skip(r, val);
    if (val->type == YAML_MAPPING_START_EVENT)
        return each_entry(r, metric, (void *)k);
    return fault(r, val->start_mark, "expected an object of metrics for evaluator ", k);
}

static int top(reader *r, long long *step)
{
    int rc = each_entry(r, top_entry, step);
    if (rc == GL_OK && *step < 0)
        rc = gl_error_add(r->err, GL_ERR_INPUT, "%s: no \"step\"", r->name);
    return rc;
}

/* After the top object: nothing but its end. */
static int end(reader *r)
{
    yaml_event_t ev;
    int rc = next(r, &ev);
    if (rc == GL_OK && ev.type != YAML_DOCUMENT_END_EVENT)
        rc = fault(r, ev.start_mark, "text after the JSON object", NULL);
    yaml_event_delete(&ev);
    if (rc == GL_OK && (rc = next(r, &ev)) == GL_OK && ev.type != YAML_STREAM_END_EVENT)
        rc = fault(r, ev.start_mark, "text after the JSON object", NULL);
    yaml_event_delete(&ev);
    return rc;
}

int gl_cmp_eval_json_parse(const char *json, size_t len, const char *name, gl_cmp_csv *row,
                           gl_error *err)
{
    memset(row, 0, sizeof *row);
    if (len > MAX_BYTES)
        return gl_error_add(err, GL_ERR_INPUT, "%s: larger than %zu MiB", name, MAX_BYTES >> 20);
    reader r = {.name = name, .err = err, .row = row};
    if (!yaml_parser_initialize(&r.p))
        return gl_error_add(err, GL_ERR_RUN, "%s: out of memory", name);
    yaml_parser_set_input_string(&r.p, (const unsigned char *)json, len);
    yaml_parser_set_encoding(&r.p, YAML_UTF8_ENCODING);
    long long step = -1;
    int rc = add(&r, (yaml_mark_t){0}, "step", 0.0); /* column 0, set at the end */
    /* stream start, document start, then the top mapping; its keys are always scalars */
    for (int i = 0; rc == GL_OK && i < 3; i++) {
        yaml_event_t ev;
        if ((rc = next(&r, &ev)) != GL_OK)
            break;
        static const yaml_event_type_t want[3] = {
            YAML_STREAM_START_EVENT, YAML_DOCUMENT_START_EVENT, YAML_MAPPING_START_EVENT};
        if (ev.type != want[i])
            rc = fault(&r, ev.start_mark, "expected a JSON object", NULL);
        yaml_event_delete(&ev);
    }
    if (rc == GL_OK)
        rc = top(&r, &step);
    if (rc == GL_OK)
        rc = end(&r);
    yaml_parser_delete(&r.p);
    if (rc != GL_OK) {
        gl_cmp_csv_free(row);
        return rc;
    }
    row->v[0] = (double)step;
    row->n_rows = 1;
    return GL_OK;
}

int gl_cmp_eval_json_read(const char *path, gl_cmp_csv *row, gl_error *err)
{
    memset(row, 0, sizeof *row);
    FILE *f = fopen(path, "rb");
    if (!f)
        return errno == ENOENT
                   ? GL_OK
                   : gl_error_add(err, GL_ERR_INPUT, "%s: cannot open: %s", path, strerror(errno));
    char *buf = malloc(MAX_BYTES + 1); /* freed below */
    size_t len = buf ? fread(buf, 1, MAX_BYTES + 1, f) : 0;
    int bad = ferror(f);
    fclose(f);
    int rc = !buf  ? gl_error_add(err, GL_ERR_RUN, "%s: out of memory", path)
             : bad ? gl_error_add(err, GL_ERR_INPUT, "%s: read error", path)
                   : gl_cmp_eval_json_parse(buf, len, path, row, err);
    free(buf);
    return rc;
}

/* suite.c - the suite file (suite.h): read with the config system's bounded YAML reader
 * (gl_cfg__read_file: size, depth and alias limits, UTF-8, positions on every node), then checked
 * key by key against the small fixed schema below. Every fault is collected with its FILE:LINE:COL,
 * as for configs. Config files are only checked to be readable here: each run's config is loaded
 * and validated by its own `ganlab train`, so one bad run does not stop the others.
 */
#include "config/suite.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "config/cfg_internal.h"
#include "util/suggest.h"

static const char *const top_keys[] = {"name",  "seeds",  "overrides", "runs",
                                       "sweep", "report", "reference", NULL};
static const char *const ref_keys[] = {"name", "source", "values", NULL};
static const char *const report_keys[] = {"x", NULL};
static const char *const run_keys[] = {"config", "overrides", "name", NULL};

typedef struct parse {
    gl_error *err;
    const gl_cfg_origin *org;
    int rc;
} parse;

static void oom(parse *p)
{
    p->rc = gl_error_add(p->err, GL_ERR_INPUT, "out of memory reading the suite");
}

static void fault(parse *p, const gl_cfg_node *n, int at_key, const char *what, const char *arg)
{
    p->rc = gl_cfg__fault(p->err, n, at_key, what, GL_CFG_CLIP, arg);
}

/* Checks that every key of mapping m is in keys; unknown ones are faults with a suggestion. */
static void known_keys(parse *p, const gl_cfg_node *m, const char *const *keys, const char *where)
{
    for (size_t i = 0; i < m->n; i++) {
        const char *key = m->kids[i]->key;
        int ok = 0;
        gl_suggest s;
        gl_suggest_init(&s, key);
        for (const char *const *k = keys; *k && !ok; k++) {
            ok = strcmp(*k, key) == 0;
            gl_suggest_try(&s, *k, strlen(*k));
        }
        if (ok)
            continue;
        char hint[128];
        gl_suggest_text(&s, hint, sizeof hint);
        p->rc = gl_cfg__fault(p->err, m->kids[i], 1, "unknown key '%.*s' in %s%s (known: %s)",
                              GL_CFG_CLIP, key, where, hint,
                              keys == top_keys ? "name, seeds, overrides, runs, sweep, report, "
                                                 "reference"
                              : keys == report_keys ? "x"
                              : keys == ref_keys    ? "name, source, values"
                                                    : "config, overrides, name");
    }
}

/* A scalar's text, or a fault (NULL) naming what was expected. */
static const char *scalar(parse *p, const gl_cfg_node *n, const char *what)
{
    if (n->kind == GL_CFG_SCALAR && !gl_cfg__is_null(n))
        return n->text;
    p->rc = gl_cfg__fault(p->err, n, 0, "'%s' expects %s, got %s", n->key ? n->key : "item", what,
                          gl_cfg__is_null(n) ? "nothing" : gl_cfg__kind_name(n));
    return NULL;
}

/* A file-name-safe name: letters, digits, '.', '-', '_', not starting with '.' or '-' (a run's
 * name starts its experiment.name, which may not). */
static char *name_value(parse *p, const gl_cfg_node *n)
{
    const char *s = scalar(p, n, "a name");
    if (!s)
        return NULL;
    if (!s[0] || s[0] == '.' || s[0] == '-' ||
        s[strspn(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
                    "0123456789._-")] != '\0' ||
        strlen(s) > 100) {
        fault(p, n, 0,
              "'%.*s' is not a usable name: use letters, digits, '.', '-' and '_', not first "
              "'.' or '-' (it names directories)",
              s);
        return NULL;
    }
    char *copy = strdup(s);
    if (!copy)
        oom(p);
    return copy;
}

/* A list of "key=value" overrides (a null value is an empty list). */
static void overrides(parse *p, const gl_cfg_node *n, char ***out, int *count)
{
    if (gl_cfg__is_null(n))
        return;
    if (n->kind != GL_CFG_SEQ) {
        fault(p, n, 0, "'overrides' expects a list of KEY=VALUE, e.g. [train.steps=5000], got %.*s",
              gl_cfg__kind_name(n));
        return;
    }
    if (!(*out = calloc(n->n ? n->n : 1, sizeof **out))) {
        oom(p);
        return;
    }
    for (size_t i = 0; i < n->n; i++) {
        const char *s = scalar(p, n->kids[i], "KEY=VALUE");
        if (s && (s[0] == '=' || !strchr(s, '='))) {
            fault(p, n->kids[i], 0, "override '%.*s' is not KEY=VALUE (e.g. train.steps=5000)", s);
        } else if (s) {
            if (!((*out)[*count] = strdup(s))) {
                oom(p);
                return;
            }
            (*count)++;
        }
    }
}

static void seeds(parse *p, const gl_cfg_node *n, gl_suite *s)
{
    if (n->kind != GL_CFG_SEQ || n->n == 0) {
        fault(p, n, 0, "'seeds' expects a non-empty list of integers, e.g. [1, 2, 3], got %.*s",
              gl_cfg__kind_name(n));
        return;
    }
    if (n->n > GL_SUITE_MAX_RUNS) { /* before the check for repeats, which is quadratic */
        p->rc = gl_cfg__fault(p->err, n, 0, "%zu seeds: a suite runs at most %d", n->n,
                              GL_SUITE_MAX_RUNS);
        return;
    }
    if (!(s->seeds = calloc(n->n, sizeof *s->seeds))) {
        oom(p);
        return;
    }
    for (size_t i = 0; i < n->n; i++) {
        const gl_cfg_node *k = n->kids[i];
        const char *t = scalar(p, k, "an integer >= 0");
        if (!t)
            continue;
        char *end;
        errno = 0;
        long long v = strtoll(t, &end, 10);
        if (end == t || *end || errno || v < 0) {
            fault(p, k, 0, "a seed must be an integer >= 0, got '%.*s'", t);
            continue;
        }
        for (int j = 0; j < s->n_seeds; j++)
            if (s->seeds[j] == v) {
                fault(p, k, 0, "seed %.*s is given twice", t);
                v = -1;
            }
        if (v >= 0)
            s->seeds[s->n_seeds++] = v;
    }
}

static void run(parse *p, const gl_cfg_node *m, gl_suite_run *r)
{
    if (m->kind != GL_CFG_MAP) {
        fault(p, m, 0, "each run is a mapping with 'config:' (and 'overrides:', 'name:'), not %.*s",
              gl_cfg__kind_name(m));
        return;
    }
    known_keys(p, m, run_keys, "a run");
    const gl_cfg_node *cfg = gl_cfg__node_get(m, "config");
    const gl_cfg_node *ov = gl_cfg__node_get(m, "overrides");
    const gl_cfg_node *name = gl_cfg__node_get(m, "name");
    if (!cfg) {
        p->rc = gl_cfg__fault(p->err, m, 0, "this run has no 'config:' (the experiment to train)");
        return;
    }
    const char *path = scalar(p, cfg, "a config file");
    if (path && !path[0]) { /* joined to the suite's directory it would name the directory */
        p->rc = gl_cfg__fault(p->err, cfg, 0, "'config' names an empty file name");
        return;
    }
    if (path && !(r->config = gl_cfg__path_join(p->org->dir, path))) {
        oom(p);
        return;
    }
    struct stat st;
    if (r->config && access(r->config, R_OK) != 0)
        p->rc = gl_cfg__fault(p->err, cfg, 0, "cannot read config '%.*s': %s", GL_CFG_CLIP, path,
                              strerror(errno));
    else if (r->config && (stat(r->config, &st) != 0 || !S_ISREG(st.st_mode)))
        fault(p, cfg, 0, "config '%.*s' is not a regular file", path);
    if (ov)
        overrides(p, ov, &r->overrides, &r->n_overrides);
    if (name)
        r->name = name_value(p, name);
    else if (r->config && !(r->name = gl_cfg__path_stem(r->config)))
        oom(p);
}

static void runs(parse *p, const gl_cfg_node *n, gl_suite *s)
{
    if (n->kind != GL_CFG_SEQ || n->n == 0) {
        fault(p, n, 0, "'runs' expects a non-empty list of runs (each '- config: FILE'), got %.*s",
              gl_cfg__kind_name(n));
        return;
    }
    if (!(s->runs = calloc(n->n, sizeof *s->runs))) {
        oom(p);
        return;
    }
    for (size_t i = 0; i < n->n; i++) {
        run(p, n->kids[i], &s->runs[s->n_runs++]);
        for (size_t j = 0; j < i && s->runs[i].name; j++)
            if (s->runs[j].name && strcmp(s->runs[i].name, s->runs[j].name) == 0)
                p->rc = gl_cfg__fault(p->err, n->kids[i], 0,
                                      "a second run named '%.*s' (the first is at line %d): "
                                      "give one of them its own 'name:'",
                                      GL_CFG_CLIP, s->runs[i].name, n->kids[j]->line);
    }
}

/* n as YAML flow text: a plain scalar as written, a quoted one double-quoted, lists and mappings
 * in brackets and braces. */
static void yaml_text(FILE *f, const gl_cfg_node *n)
{
    if (n->kind == GL_CFG_SCALAR && n->plain) {
        fputs(n->text, f);
    } else if (n->kind == GL_CFG_SCALAR) {
        fputc('"', f);
        for (const char *c = n->text; *c; c++)
            if (*c == '"' || *c == '\\')
                fprintf(f, "\\%c", *c);
            else if ((unsigned char)*c < 0x20)
                fprintf(f, "\\x%02x", (unsigned char)*c);
            else
                fputc(*c, f);
        fputc('"', f);
    } else {
        fputc(n->kind == GL_CFG_SEQ ? '[' : '{', f);
        for (size_t i = 0; i < n->n; i++) {
            fputs(i ? ", " : "", f);
            if (n->kind == GL_CFG_MAP)
                fprintf(f, "%s: ", n->kids[i]->key);
            yaml_text(f, n->kids[i]);
        }
        fputc(n->kind == GL_CFG_SEQ ? ']' : '}', f);
    }
}

/* sweep: a mapping of config keys to non-empty lists; the keys and values are checked by
 * compare/sweep.h when the suite runs (with `where`). */
static void sweep(parse *p, const gl_cfg_node *n, gl_suite *s)
{
    if (n->kind != GL_CFG_MAP) {
        fault(p, n, 0,
              "'sweep' expects a mapping of config keys to lists, e.g. "
              "{loss.lambda: [1, 10]}, got %.*s",
              gl_cfg__kind_name(n));
        return;
    }
    if (!(s->sweep = calloc(n->n ? n->n : 1, sizeof *s->sweep))) {
        oom(p);
        return;
    }
    for (size_t i = 0; i < n->n; i++) {
        const gl_cfg_node *list = n->kids[i];
        if (list->kind != GL_CFG_SEQ || list->n == 0) {
            p->rc = gl_cfg__fault(p->err, list, 0,
                                  "sweep of '%.*s' expects a non-empty list of values, e.g. [1, "
                                  "10]",
                                  GL_CFG_CLIP, list->key);
            continue;
        }
        gl_suite_axis *ax = &s->sweep[s->n_sweep++];
        char where[4200];
        snprintf(where, sizeof where, "%s:%d:%d", p->org->name, list->kline, list->kcol);
        ax->key = strdup(list->key);
        ax->where = strdup(where);
        ax->values = calloc(list->n, sizeof *ax->values);
        if (!ax->key || !ax->where || !ax->values) {
            oom(p);
            return;
        }
        for (size_t k = 0; k < list->n; k++, ax->n++) {
            size_t len;
            FILE *f = open_memstream(&ax->values[k], &len);
            if (!f) {
                oom(p);
                return;
            }
            yaml_text(f, list->kids[k]);
            if (fclose(f) != 0) {
                oom(p);
                return;
            }
        }
    }
}

static void report(parse *p, const gl_cfg_node *n, gl_suite *s)
{
    if (n->kind != GL_CFG_MAP) {
        fault(p, n, 0, "'report' expects a mapping, e.g. {x: wall}, got %.*s",
              gl_cfg__kind_name(n));
        return;
    }
    known_keys(p, n, report_keys, "report");
    const gl_cfg_node *x = gl_cfg__node_get(n, "x");
    const char *t = x ? scalar(p, x, "steps, images or wall") : NULL;
    if (t && strcmp(t, "steps") != 0 && strcmp(t, "images") != 0 && strcmp(t, "wall") != 0)
        fault(p, x, 0, "report x: '%.*s' is not an x axis (steps, images or wall)", t);
    else if (t && !(s->report_x = strdup(t)))
        oom(p);
}

/* A text of a reference row (any scalar, as written), or a fault. */
static char *ref_text(parse *p, const gl_cfg_node *n, const char *what)
{
    const char *t = scalar(p, n, what);
    char *copy = t ? strdup(t) : NULL;
    if (t && !copy)
        oom(p);
    return copy;
}

static void ref_row(parse *p, const gl_cfg_node *m, gl_suite_ref *r)
{
    if (m->kind != GL_CFG_MAP) {
        fault(p, m, 0, "each reference row is a mapping with name:, source: and values:, not %.*s",
              gl_cfg__kind_name(m));
        return;
    }
    known_keys(p, m, ref_keys, "a reference row");
    const gl_cfg_node *name = gl_cfg__node_get(m, "name"), *src = gl_cfg__node_get(m, "source"),
                      *v = gl_cfg__node_get(m, "values");
    if (!name || !src || !v) {
        p->rc = gl_cfg__fault(p->err, m, 0,
                              "this reference row lacks '%s' (a published row needs its name, "
                              "its source and its values)",
                              !name  ? "name"
                              : !src ? "source"
                                     : "values");
        return;
    }
    r->name = ref_text(p, name, "the row's name");
    r->source = ref_text(p, src, "where the numbers are published");
    if (v->kind != GL_CFG_MAP || v->n == 0) {
        fault(p, v, 0,
              "'values' expects a mapping of metric columns to published numbers, e.g. "
              "{modes2d.modes: 23.8 +- 0.7}, got %.*s",
              gl_cfg__kind_name(v));
        return;
    }
    r->keys = calloc(v->n, sizeof *r->keys);
    r->values = calloc(v->n, sizeof *r->values);
    if (!r->keys || !r->values) {
        oom(p);
        return;
    }
    for (size_t i = 0; i < v->n; i++) {
        char *val = ref_text(p, v->kids[i], "a published number (as text)");
        if (!val)
            continue;
        r->values[r->n] = val;
        if (!(r->keys[r->n++] = strdup(v->kids[i]->key)))
            oom(p);
    }
}

static void refs(parse *p, const gl_cfg_node *n, gl_suite *s)
{
    if (n->kind != GL_CFG_SEQ || n->n == 0) {
        fault(p, n, 0,
              "'reference' expects a non-empty list of rows (each '- name: ...'), got %.*s",
              gl_cfg__kind_name(n));
        return;
    }
    if (!(s->refs = calloc(n->n, sizeof *s->refs))) {
        oom(p);
        return;
    }
    for (size_t i = 0; i < n->n; i++)
        ref_row(p, n->kids[i], &s->refs[s->n_refs++]);
}

static void top(parse *p, const gl_cfg_node *root, const char *path, gl_suite *s)
{
    if (!root) {
        p->rc = gl_error_add(p->err, GL_ERR_INPUT, "%s: empty suite (it needs seeds: and runs:)",
                             path);
        return;
    }
    if (root->kind != GL_CFG_MAP) {
        fault(p, root, 0, "a suite is a mapping (name, seeds, overrides, runs...), not %.*s",
              gl_cfg__kind_name(root));
        return;
    }
    known_keys(p, root, top_keys, "a suite");
    const gl_cfg_node *n;
    if ((n = gl_cfg__node_get(root, "name")) != NULL)
        s->name = name_value(p, n);
    else if (!(s->name = gl_cfg__path_stem(path)))
        oom(p);
    if ((n = gl_cfg__node_get(root, "seeds")) != NULL)
        seeds(p, n, s);
    else
        p->rc = gl_cfg__fault(p->err, root, 0, "the suite has no 'seeds:' (e.g. seeds: [1, 2, 3])");
    if ((n = gl_cfg__node_get(root, "overrides")) != NULL)
        overrides(p, n, &s->overrides, &s->n_overrides);
    if ((n = gl_cfg__node_get(root, "sweep")) != NULL)
        sweep(p, n, s);
    if ((n = gl_cfg__node_get(root, "report")) != NULL)
        report(p, n, s);
    if ((n = gl_cfg__node_get(root, "reference")) != NULL)
        refs(p, n, s);
    if ((n = gl_cfg__node_get(root, "runs")) != NULL)
        runs(p, n, s);
    else
        p->rc = gl_cfg__fault(p->err, root, 0,
                              "the suite has no 'runs:' (a list of '- config: FILE')");
}

int gl_suite_load(const char *path, gl_suite **out, gl_error *err)
{
    *out = NULL;
    parse p = {.err = err, .rc = GL_OK};
    gl_cfg_origin *origins = NULL;
    gl_cfg_node *root = NULL;
    gl_suite *s = calloc(1, sizeof *s);
    char *cwd = getcwd(NULL, 0);
    char *dir = gl_cfg__path_dir(path);
    char *abs_dir = cwd && dir ? gl_cfg__path_join(cwd, dir) : NULL;
    p.org = abs_dir ? gl_cfg__origin_new(&origins, GL_CFG_FROM_FILE, path, abs_dir) : NULL;
    if (!s || !p.org)
        oom(&p);
    else if ((p.rc = gl_cfg__read_file(p.org, &root, err)) == GL_OK)
        top(&p, root, path, s);
    gl_cfg__node_free(root);
    gl_cfg__origins_free(origins);
    free(cwd);
    free(dir);
    free(abs_dir);
    if (p.rc != GL_OK) {
        gl_suite_destroy(s);
        return GL_ERR_INPUT;
    }
    *out = s;
    return GL_OK;
}

static void free_list(char **list, int n)
{
    for (int i = 0; i < n; i++)
        free(list[i]);
    free(list);
}

void gl_suite_destroy(gl_suite *s)
{
    if (!s)
        return;
    for (int i = 0; i < s->n_runs; i++) {
        free(s->runs[i].name);
        free(s->runs[i].config);
        free_list(s->runs[i].overrides, s->runs[i].n_overrides);
    }
    free(s->runs);
    for (int i = 0; i < s->n_sweep; i++) {
        free(s->sweep[i].key);
        free(s->sweep[i].where);
        free_list(s->sweep[i].values, s->sweep[i].n);
    }
    free(s->sweep);
    for (int i = 0; i < s->n_refs; i++) {
        free(s->refs[i].name);
        free(s->refs[i].source);
        free_list(s->refs[i].keys, s->refs[i].n);
        free_list(s->refs[i].values, s->refs[i].n);
    }
    free(s->refs);
    free(s->report_x);
    free(s->name);
    free(s->seeds);
    free_list(s->overrides, s->n_overrides);
    free(s);
}

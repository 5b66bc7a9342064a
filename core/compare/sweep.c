/* sweep.c - sweeps (sweep.h): axes of values, their cartesian product, and the names of its points.
 *
 * Point i of axes with n_0..n_{k-1} values picks value index (i / (n_{a+1} ... n_{k-1})) mod n_a
 * on axis a, so the last axis varies fastest (as itertools.product). A list given on the command
 * line is read with libyaml as one YAML document whose root is a sequence; each item's YAML text is
 * the slice of the input between the item's start and end marks, so a value is passed to the
 * override exactly as written ("'a, b'", "[256, 512]", "1e-4").
 */
#include "compare/sweep.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <yaml.h>

#define MAX_VALUE_BYTES 1024
#define SLUG_CHARS      24 /* of a value in a name */

static void free_list(char **v, int n)
{
    for (int i = 0; v && i < n; i++)
        free(v[i]);
    free(v);
}

void gl_sweep_free(gl_sweep *s)
{
    for (int a = 0; a < s->n_axes; a++) {
        free(s->axes[a].key);
        free(s->axes[a].label);
        free_list(s->axes[a].values, s->axes[a].n);
        free_list(s->axes[a].slugs, s->axes[a].n);
    }
    free(s->axes);
    memset(s, 0, sizeof *s);
}

int gl_sweep_points(const gl_sweep *s)
{
    int n = 1;
    for (int a = 0; a < s->n_axes; a++)
        n *= s->axes[a].n;
    return n;
}

/* A config key: dot-separated names of letters, digits and '_'. */
static int key_ok(const char *k)
{
    if (!*k || *k == '.' || k[strlen(k) - 1] == '.' || strstr(k, ".."))
        return 0;
    for (; *k; k++)
        if (!isalnum((unsigned char)*k) && *k != '_' && *k != '.')
            return 0;
    return 1;
}

/* value as a name part (see gl_sweep_name) into out (SLUG_CHARS + 1 bytes). */
static void slug(const char *value, char *out)
{
    size_t n = 0;
    int gap = 0;
    for (const char *c = value; *c && n < SLUG_CHARS; c++) {
        if (isalnum((unsigned char)*c) || strchr(".-_", *c)) {
            if (gap && n)
                out[n++] = '_';
            if (n < SLUG_CHARS)
                out[n++] = *c;
            gap = 0;
        } else {
            gap = 1;
        }
    }
    out[n] = '\0';
    if (!n)
        snprintf(out, SLUG_CHARS + 1, "x");
}

/* The labels: for each axis, the fewest last components of its key that no other axis's key ends
 * with ("lambda"; "generator.lr" next to "discriminator.lr"), dots made '_'. */
static int relabel(gl_sweep *s)
{
    for (int a = 0; a < s->n_axes; a++) {
        const char *key = s->axes[a].key, *tail = key + strlen(key);
        for (;;) {
            while (tail > key && tail[-1] != '.')
                tail--;
            int clash = 0;
            size_t tl = strlen(tail);
            for (int b = 0; b < s->n_axes && !clash; b++) {
                const char *o = s->axes[b].key;
                size_t ol = strlen(o);
                clash = b != a && ol >= tl && strcmp(o + ol - tl, tail) == 0 &&
                        (ol == tl || o[ol - tl - 1] == '.');
            }
            if (!clash || tail == key)
                break;
            tail--; /* past the '.' to take one more component */
        }
        free(s->axes[a].label);
        if (!(s->axes[a].label = strdup(tail)))
            return GL_ERR_RUN;
        for (char *c = s->axes[a].label; *c; c++)
            *c = *c == '.' ? '_' : *c;
    }
    return GL_OK;
}

int gl_sweep_add(gl_sweep *s, const char *key, const char *const *values, int n, const char *where,
                 gl_error *err)
{
    if (!key_ok(key))
        return gl_error_add(err, GL_ERR_INPUT,
                            "%s: sweep key '%.60s' is not a config key (e.g. loss.lambda)", where,
                            key);
    static const char *const fixed[] = {"experiment.seed", "experiment.name", "experiment.out_dir",
                                        "experiment.threads"};
    for (size_t i = 0; i < sizeof fixed / sizeof fixed[0]; i++)
        if (strcmp(key, fixed[i]) == 0)
            return gl_error_add(err, GL_ERR_INPUT,
                                "%s: '%s' is set by the suite for each run, not swept (seeds: "
                                "or --seeds give the seeds)",
                                where, key);
    for (int a = 0; a < s->n_axes; a++)
        if (strcmp(s->axes[a].key, key) == 0)
            return gl_error_add(err, GL_ERR_INPUT, "%s: '%s' is swept twice", where, key);
    if (n <= 0)
        return gl_error_add(err, GL_ERR_INPUT, "%s: sweep of '%s' has no values (e.g. %s=[1, 10])",
                            where, key, key);
    long points = (long)gl_sweep_points(s) * n;
    if (points > GL_SWEEP_MAX_POINTS)
        return gl_error_add(err, GL_ERR_INPUT, "%s: the sweep has %ld points, more than %d", where,
                            points, GL_SWEEP_MAX_POINTS);
    for (int i = 0; i < n; i++)
        for (int j = 0; j < i; j++)
            if (strcmp(values[i], values[j]) == 0)
                return gl_error_add(err, GL_ERR_INPUT, "%s: '%s' is given twice for '%s'", where,
                                    values[i], key);
    gl_sweep_axis *grown = realloc(s->axes, (size_t)(s->n_axes + 1) * sizeof *grown);
    if (!grown)
        return gl_error_add(err, GL_ERR_RUN, "out of memory");
    s->axes = grown;
    gl_sweep_axis *ax = &s->axes[s->n_axes++];
    memset(ax, 0, sizeof *ax);
    ax->key = strdup(key);
    ax->values = calloc((size_t)n, sizeof *ax->values);
    ax->slugs = calloc((size_t)n, sizeof *ax->slugs);
    int rc = ax->key && ax->values && ax->slugs ? GL_OK : GL_ERR_RUN;
    for (int i = 0; rc == GL_OK && i < n; i++, ax->n++) {
        char part[SLUG_CHARS + 1], named[SLUG_CHARS + 16];
        slug(values[i], part);
        snprintf(named, sizeof named, "%s", part);
        for (int j = 0, k = 2; j < i; j++) /* a clash: the first free "-K" */
            if (strcmp(ax->slugs[j], named) == 0) {
                snprintf(named, sizeof named, "%s-%d", part, k++);
                j = -1;
            }
        ax->values[i] = strdup(values[i]);
        ax->slugs[i] = strdup(named);
        if (!ax->values[i] || !ax->slugs[i])
            rc = GL_ERR_RUN;
    }
    if (rc == GL_OK)
        rc = relabel(s);
    return rc == GL_OK ? GL_OK : gl_error_add(err, GL_ERR_RUN, "out of memory");
}

/* Index of axis a's value at point i. */
static int pick(const gl_sweep *s, int i, int a)
{
    for (int b = s->n_axes - 1; b > a; b--)
        i /= s->axes[b].n;
    return i % s->axes[a].n;
}

void gl_sweep_override(const gl_sweep *s, int i, int a, char *buf, size_t cap)
{
    snprintf(buf, cap, "%s=%s", s->axes[a].key, s->axes[a].values[pick(s, i, a)]);
}

void gl_sweep_name(const gl_sweep *s, int i, char *buf, size_t cap)
{
    size_t len = 0;
    buf[0] = '\0';
    for (int a = 0; a < s->n_axes && len < cap; a++) {
        int w = snprintf(buf + len, cap - len, "%s%s-%s", a ? "." : "", s->axes[a].label,
                         s->axes[a].slugs[pick(s, i, a)]);
        len += w > 0 ? (size_t)w : 0;
    }
}

void gl_sweep_keys(const gl_sweep *s, char *buf, size_t cap)
{
    size_t len = 0;
    buf[0] = '\0';
    for (int a = 0; a < s->n_axes && len < cap; a++) {
        int w = snprintf(buf + len, cap - len, "%s%s", a ? "," : "", s->axes[a].key);
        len += w > 0 ? (size_t)w : 0;
    }
}

/* ---------------------------------------------------------------- KEY=[a, b] */

typedef struct list {
    char **items;
    int n;
} list;

/* The items of the YAML sequence text (the root of its one document), each as its source text. */
static int read_list(const char *text, const char *arg, list *out, gl_error *err)
{
    yaml_parser_t p;
    if (!yaml_parser_initialize(&p))
        return gl_error_add(err, GL_ERR_RUN, "out of memory");
    yaml_parser_set_input_string(&p, (const unsigned char *)text, strlen(text));
    int depth = 0, rc = GL_OK, seen_root = 0;
    size_t start = 0;
    for (int done = 0; rc == GL_OK && !done;) {
        yaml_event_t ev;
        if (!yaml_parser_parse(&p, &ev)) {
            rc = gl_error_add(err, GL_ERR_INPUT,
                              "--sweep '%.80s': not a YAML list: %s at column %zu", arg,
                              p.problem ? p.problem : "?", p.problem_mark.column + 1);
            break;
        }
        int opens = ev.type == YAML_SEQUENCE_START_EVENT || ev.type == YAML_MAPPING_START_EVENT;
        int closes = ev.type == YAML_SEQUENCE_END_EVENT || ev.type == YAML_MAPPING_END_EVENT;
        int item = ev.type == YAML_SCALAR_EVENT || ev.type == YAML_ALIAS_EVENT || opens;
        if (!seen_root && (item || ev.type == YAML_DOCUMENT_END_EVENT)) {
            seen_root = 1;
            if (ev.type != YAML_SEQUENCE_START_EVENT)
                rc = gl_error_add(err, GL_ERR_INPUT,
                                  "--sweep '%.80s': the values must be a list, e.g. KEY=[1, 10]",
                                  arg);
        } else if (depth == 1 && item) {
            start = ev.start_mark.index; /* an item starts */
        }
        if (ev.type == YAML_ALIAS_EVENT || (ev.type == YAML_DOCUMENT_START_EVENT && seen_root))
            rc = gl_error_add(err, GL_ERR_INPUT,
                              "--sweep '%.80s': one plain list, without aliases, please", arg);
        depth += opens - closes;
        size_t end = ev.end_mark.index;
        if (rc == GL_OK && depth == 1 && (ev.type == YAML_SCALAR_EVENT || closes)) {
            size_t n = end - start; /* an item ends */
            char **grown = realloc(out->items, (size_t)(out->n + 1) * sizeof *grown);
            if (!grown || n > MAX_VALUE_BYTES || !(grown[out->n] = strndup(text + start, n)))
                rc = grown && n > MAX_VALUE_BYTES ? gl_error_add(err, GL_ERR_INPUT,
                                                                 "--sweep '%.80s': a value of more "
                                                                 "than %d bytes",
                                                                 arg, MAX_VALUE_BYTES)
                                                  : gl_error_add(err, GL_ERR_RUN, "out of memory");
            else
                out->n++;
            if (grown)
                out->items = grown;
        }
        done = ev.type == YAML_STREAM_END_EVENT;
        yaml_event_delete(&ev);
    }
    yaml_parser_delete(&p);
    return rc;
}

int gl_sweep_parse_arg(gl_sweep *s, const char *arg, gl_error *err)
{
    const char *eq = strchr(arg, '=');
    if (!eq || eq == arg)
        return gl_error_add(err, GL_ERR_INPUT, "--sweep '%.80s' is not KEY=[VALUE, ...]", arg);
    char key[256];
    snprintf(key, sizeof key, "%.*s", (int)(eq - arg < 255 ? eq - arg : 255), arg);
    list l = {0};
    char where[128];
    snprintf(where, sizeof where, "--sweep '%.80s'", arg);
    int rc = read_list(eq + 1, arg, &l, err);
    if (rc == GL_OK)
        rc = gl_sweep_add(s, key, (const char *const *)l.items, l.n, where, err);
    free_list(l.items, l.n);
    return rc;
}

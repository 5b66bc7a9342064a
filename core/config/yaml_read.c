/* yaml_read.c - YAML text to a gl_cfg_node tree, safely.
 *
 * Built on libyaml's event (parser) API rather than its document API so that this file decides what
 * a hostile file may cost. Before libyaml sees a byte, the text must be UTF-8 without NUL bytes (a
 * binary file is named as such). While events arrive:
 *   - nesting deeper than GL_CFG_MAX_DEPTH collections is refused at the opening event;
 *   - every node counts against GL_CFG_MAX_NODES and its text against GL_CFG_MAX_TEXT_BYTES, and
 *     the nodes that aliases add against GL_CFG_MAX_ALIAS_NODES; an alias is refused *before* it
 *     is copied when the copy would pass a bound (each node knows its subtree's size), so a
 *     "billion laughs" file fails after ~10^5 cheap copies, in milliseconds;
 *   - a mapping may hold GL_CFG_MAX_KEYS keys, and duplicate keys are found by sorting (n log n).
 * Anchors are kept in a hash table, so aliases cost O(1) each.
 *
 * Not supported (refused with a message): more than one document, keys that are lists or
 * mappings, tags other than !!str, merge keys (a plain '<<' key). Every node records the 1-based
 * line and column of its value and of its key. Typing of scalars is left to the validator, which
 * knows the schema.
 */
#include "config/cfg_internal.h"

#include <errno.h>
#include <stdarg.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <yaml.h>

#include "util/fs.h"

#define STR_TAG "tag:yaml.org,2002:str"

typedef struct anchor {
    char *name;
    const gl_cfg_node *node;
    gl_cfg_node *owned; /* set when the anchored scalar was a key: the table owns a copy */
    struct anchor *next;
} anchor;

typedef struct level {
    gl_cfg_node *node; /* the open collection */
    char *key;         /* a mapping's key waiting for its value */
    int kline, kcol;
    char *anchor; /* the collection's anchor, registered when it closes */
} level;

typedef struct reader {
    const gl_cfg_origin *org;
    gl_error *err;
    const char *text;
    level stack[GL_CFG_MAX_DEPTH];
    int depth;
    gl_cfg_node *root;
    size_t nodes, bytes;
    size_t alias_nodes; /* nodes added by alias expansion */
    anchor **buckets;
    size_t n_buckets, n_anchors;
} reader;

/* ---------------------------------------------------------------- anchors */

static size_t hash(const char *s)
{
    uint64_t h = 1469598103934665603u; /* FNV-1a */
    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 1099511628211u;
    return (size_t)h;
}

static anchor *anchor_find(const reader *r, const char *name)
{
    if (!r->n_buckets)
        return NULL;
    for (anchor *a = r->buckets[hash(name) & (r->n_buckets - 1)]; a; a = a->next)
        if (strcmp(a->name, name) == 0)
            return a;
    return NULL;
}

static int anchors_grow(reader *r)
{
    size_t nb = r->n_buckets ? r->n_buckets * 2 : 64;
    anchor **b = calloc(nb, sizeof *b);
    if (!b)
        return 0;
    for (size_t i = 0; i < r->n_buckets; i++)
        for (anchor *a = r->buckets[i], *next; a; a = next) {
            next = a->next;
            a->next = b[hash(a->name) & (nb - 1)];
            b[hash(a->name) & (nb - 1)] = a;
        }
    free(r->buckets);
    r->buckets = b;
    r->n_buckets = nb;
    return 1;
}

/* Registers name for node (a later anchor of the same name wins, as YAML says). owned: the table
 * takes the node and frees it. */
static int anchor_put(reader *r, const char *name, const gl_cfg_node *node, gl_cfg_node *owned)
{
    anchor *a = anchor_find(r, name);
    if (a) {
        gl_cfg__node_free(a->owned);
        a->node = node;
        a->owned = owned;
        return GL_OK;
    }
    if (r->n_anchors >= r->n_buckets && !anchors_grow(r))
        goto oom;
    a = calloc(1, sizeof *a);
    if (!a || !(a->name = strdup(name))) {
        free(a);
        goto oom;
    }
    a->node = node;
    a->owned = owned;
    size_t h = hash(name) & (r->n_buckets - 1);
    a->next = r->buckets[h];
    r->buckets[h] = a;
    r->n_anchors++;
    return GL_OK;
oom:
    gl_cfg__node_free(owned);
    return gl_error_add(r->err, GL_ERR_INPUT, "out of memory reading the config");
}

static void anchors_free(reader *r)
{
    for (size_t i = 0; i < r->n_buckets; i++)
        for (anchor *a = r->buckets[i], *next; a; a = next) {
            next = a->next;
            gl_cfg__node_free(a->owned);
            free(a->name);
            free(a);
        }
    free(r->buckets);
}

/* ---------------------------------------------------------------- building the tree */

__attribute__((format(printf, 3, 4))) static int fault_mark(reader *r, yaml_mark_t m,
                                                            const char *fmt, ...)
{
    char msg[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    return gl_cfg__fault_at(r->err, r->org, (int)m.line + 1, (int)m.column + 1, "%s", msg);
}

/* 1 when the next node of the open mapping on top of the stack is a key. */
static int at_key(const reader *r)
{
    const level *l = r->depth ? &r->stack[r->depth - 1] : NULL;
    return l && l->node->kind == GL_CFG_MAP && !l->key;
}

static int over_budget(reader *r, size_t nodes, size_t bytes, yaml_mark_t m, const char *what)
{
    if (r->nodes + nodes <= GL_CFG_MAX_NODES && r->bytes + bytes <= GL_CFG_MAX_TEXT_BYTES)
        return 0;
    fault_mark(r, m,
               "%s would take the document past the limit of %zu nodes or %zu MiB of text "
               "(aliases expanded); refusing it",
               what, GL_CFG_MAX_NODES, GL_CFG_MAX_TEXT_BYTES >> 20);
    return 1;
}

/* Hands a complete value node to the open collection (or makes it the root). */
static int attach(reader *r, gl_cfg_node *n, yaml_mark_t m)
{
    r->nodes += n->weight;
    r->bytes += n->bytes;
    if (r->depth == 0) {
        r->root = n;
        return GL_OK;
    }
    level *l = &r->stack[r->depth - 1];
    if (l->node->kind == GL_CFG_MAP) {
        n->key = l->key;
        n->kline = l->kline;
        n->kcol = l->kcol;
        l->key = NULL;
        if (l->node->n >= GL_CFG_MAX_KEYS) {
            gl_cfg__node_free(n);
            return fault_mark(r, m, "a mapping with more than %d keys", GL_CFG_MAX_KEYS);
        }
    }
    if (gl_cfg__node_append(l->node, n, r->err) != GL_OK) {
        gl_cfg__node_free(n);
        return GL_ERR_INPUT;
    }
    return GL_OK;
}

static int set_key(reader *r, const char *text, yaml_mark_t m)
{
    level *l = &r->stack[r->depth - 1];
    if (!(l->key = strdup(text)))
        return gl_error_add(r->err, GL_ERR_INPUT, "out of memory reading the config");
    l->kline = (int)m.line + 1;
    l->kcol = (int)m.column + 1;
    return GL_OK;
}

static int on_scalar(reader *r, yaml_event_t *ev)
{
    const char *tag = (const char *)ev->data.scalar.tag;
    const char *value = (const char *)ev->data.scalar.value;
    size_t len = ev->data.scalar.length;
    if (tag && strcmp(tag, STR_TAG) != 0)
        return fault_mark(r, ev->start_mark, "unsupported YAML tag '%.*s' (only !!str is allowed)",
                          GL_CFG_CLIP, tag);
    if (memchr(value, '\0', len))
        return fault_mark(r, ev->start_mark, "a string may not contain a NUL character");
    if (over_budget(r, 1, len, ev->start_mark, "this value"))
        return GL_ERR_INPUT;
    gl_cfg_node *n = gl_cfg__scalar_new(
        value, !tag && ev->data.scalar.style == YAML_PLAIN_SCALAR_STYLE, r->org,
        (int)ev->start_mark.line + 1, (int)ev->start_mark.column + 1);
    if (!n)
        return gl_error_add(r->err, GL_ERR_INPUT, "out of memory reading the config");
    const char *anchor_name = (const char *)ev->data.scalar.anchor;
    if (at_key(r) && n->plain && strcmp(n->text, "<<") == 0) {
        /* YAML 1.1's merge key: kept as a key it would only read as "unknown key '<<'". */
        gl_cfg__node_free(n);
        return fault_mark(r, ev->start_mark,
                          "'<<' (a YAML merge key) is not supported: write the keys out, or "
                          "layer files with 'base:'");
    }
    if (at_key(r)) {
        int rc = set_key(r, n->text, ev->start_mark);
        r->nodes++;
        r->bytes += len;
        if (rc == GL_OK && anchor_name)
            return anchor_put(r, anchor_name, n, n);
        gl_cfg__node_free(n);
        return rc;
    }
    if (attach(r, n, ev->start_mark) != GL_OK)
        return GL_ERR_INPUT;
    return anchor_name ? anchor_put(r, anchor_name, n, NULL) : GL_OK;
}

static int on_alias(reader *r, yaml_event_t *ev)
{
    const char *name = (const char *)ev->data.alias.anchor;
    const anchor *a = anchor_find(r, name);
    if (!a)
        return fault_mark(r, ev->start_mark,
                          "unknown alias '*%.*s' (an alias must follow its anchor's whole value)",
                          GL_CFG_CLIP, name);
    if (at_key(r)) {
        if (a->node->kind != GL_CFG_SCALAR)
            return fault_mark(r, ev->start_mark, "alias '*%.*s' used as a key is not a scalar",
                              GL_CFG_CLIP, name);
        return set_key(r, a->node->text, ev->start_mark);
    }
    if (r->alias_nodes + a->node->weight > GL_CFG_MAX_ALIAS_NODES)
        return fault_mark(r, ev->start_mark,
                          "alias '*%.*s' would make aliases add more than %zu nodes; refusing "
                          "the file (an alias bomb?)",
                          GL_CFG_CLIP, name, GL_CFG_MAX_ALIAS_NODES);
    char what[160];
    snprintf(what, sizeof what, "alias '*%.100s'", name);
    if (over_budget(r, a->node->weight, a->node->bytes, ev->start_mark, what))
        return GL_ERR_INPUT;
    r->alias_nodes += a->node->weight;
    gl_cfg_node *c = gl_cfg__node_clone(a->node);
    if (!c)
        return gl_error_add(r->err, GL_ERR_INPUT, "out of memory reading the config");
    free(c->key);
    c->key = NULL;
    c->line = (int)ev->start_mark.line + 1;
    c->col = (int)ev->start_mark.column + 1;
    return attach(r, c, ev->start_mark);
}

static int on_start(reader *r, yaml_event_t *ev, gl_cfg_kind kind, const yaml_char_t *anchor_name,
                    const yaml_char_t *tag)
{
    if (tag)
        return fault_mark(r, ev->start_mark, "unsupported YAML tag '%.*s' on a collection",
                          GL_CFG_CLIP, (const char *)tag);
    if (at_key(r))
        return fault_mark(r, ev->start_mark, "a mapping key must be a scalar, not %s",
                          kind == GL_CFG_MAP ? "a mapping" : "a list");
    if (r->depth == GL_CFG_MAX_DEPTH)
        return fault_mark(r, ev->start_mark, "nesting deeper than %d levels", GL_CFG_MAX_DEPTH);
    if (over_budget(r, 1, 0, ev->start_mark, "this value"))
        return GL_ERR_INPUT;
    gl_cfg_node *n = gl_cfg__node_new(kind, r->org, (int)ev->start_mark.line + 1,
                                      (int)ev->start_mark.column + 1);
    char *a = anchor_name ? strdup((const char *)anchor_name) : NULL;
    if (!n || (anchor_name && !a)) {
        free(n);
        free(a);
        return gl_error_add(r->err, GL_ERR_INPUT, "out of memory reading the config");
    }
    /* Attached now, so the parent's pending key is consumed and r->root owns everything; the
     * node's weight is added to the totals when it closes. */
    n->weight = 0;
    if (attach(r, n, ev->start_mark) != GL_OK) {
        free(a);
        return GL_ERR_INPUT;
    }
    r->stack[r->depth++] = (level){.node = n, .anchor = a};
    return GL_OK;
}

static int cmp_key(const void *x, const void *y)
{
    const gl_cfg_node *a = *(const gl_cfg_node *const *)x, *b = *(const gl_cfg_node *const *)y;
    int c = strcmp(a->key, b->key);
    return c ? c : (a->kline != b->kline ? a->kline - b->kline : a->kcol - b->kcol);
}

/* Reports every key that repeats an earlier key of mapping m. */
static int check_duplicates(reader *r, const gl_cfg_node *m)
{
    if (m->n < 2)
        return GL_OK;
    gl_cfg_node **sorted = malloc(m->n * sizeof *sorted);
    if (!sorted)
        return gl_error_add(r->err, GL_ERR_INPUT, "out of memory reading the config");
    memcpy(sorted, m->kids, m->n * sizeof *sorted);
    qsort(sorted, m->n, sizeof *sorted, cmp_key);
    int rc = GL_OK;
    for (size_t i = 1, first = 0; i < m->n; i++) {
        if (strcmp(sorted[i]->key, sorted[first]->key) != 0) {
            first = i;
            continue;
        }
        rc = gl_cfg__fault(r->err, sorted[i], 1, "duplicate key '%.*s' (first given at line %d)",
                           GL_CFG_CLIP, sorted[i]->key, sorted[first]->kline);
    }
    free(sorted);
    return rc;
}

static int on_end(reader *r)
{
    level *l = &r->stack[--r->depth];
    gl_cfg_node *n = l->node;
    n->weight = 1;
    for (size_t i = 0; i < n->n; i++) {
        n->weight += n->kids[i]->weight;
        n->bytes += n->kids[i]->bytes;
    }
    r->nodes += 1; /* the kids were counted as they arrived */
    int rc = n->kind == GL_CFG_MAP ? check_duplicates(r, n) : GL_OK;
    if (rc == GL_OK && l->anchor)
        rc = anchor_put(r, l->anchor, n, NULL);
    free(l->anchor);
    l->anchor = NULL;
    return rc;
}

/* ---------------------------------------------------------------- the event loop */

/* 1-based line and column (in characters) of byte offset off of the text. */
static void position(const char *text, size_t off, int *line, int *col)
{
    *line = 1;
    *col = 1;
    for (size_t i = 0; i < off; i++) {
        if (text[i] == '\n') {
            ++*line;
            *col = 1;
        } else if (((unsigned char)text[i] & 0xC0) != 0x80) {
            ++*col;
        }
    }
}

static int syntax_error(reader *r, const yaml_parser_t *p)
{
    if (p->error == YAML_MEMORY_ERROR)
        return gl_error_add(r->err, GL_ERR_INPUT, "out of memory reading the config");
    int line = (int)p->problem_mark.line + 1, col = (int)p->problem_mark.column + 1;
    if (p->error == YAML_READER_ERROR)
        position(r->text, p->problem_offset, &line, &col);
    if (p->context)
        return gl_cfg__fault_at(r->err, r->org, line, col, "YAML syntax error: %s (%s)",
                                p->problem ? p->problem : "?", p->context);
    return gl_cfg__fault_at(r->err, r->org, line, col, "YAML syntax error: %s",
                            p->problem ? p->problem : "?");
}

static int run_events(reader *r, yaml_parser_t *p)
{
    int documents = 0;
    for (;;) {
        yaml_event_t ev;
        if (!yaml_parser_parse(p, &ev))
            return syntax_error(r, p);
        int rc = GL_OK, done = 0;
        switch (ev.type) {
        case YAML_STREAM_END_EVENT:
            done = 1;
            break;
        case YAML_DOCUMENT_START_EVENT:
            if (++documents > 1)
                rc = fault_mark(r, ev.start_mark, "more than one YAML document in one config");
            break;
        case YAML_SCALAR_EVENT:
            rc = on_scalar(r, &ev);
            break;
        case YAML_ALIAS_EVENT:
            rc = on_alias(r, &ev);
            break;
        case YAML_SEQUENCE_START_EVENT:
            rc = on_start(r, &ev, GL_CFG_SEQ, ev.data.sequence_start.anchor,
                          ev.data.sequence_start.tag);
            break;
        case YAML_MAPPING_START_EVENT:
            rc = on_start(r, &ev, GL_CFG_MAP, ev.data.mapping_start.anchor,
                          ev.data.mapping_start.tag);
            break;
        case YAML_SEQUENCE_END_EVENT:
        case YAML_MAPPING_END_EVENT:
            rc = on_end(r);
            break;
        default:
            break;
        }
        yaml_event_delete(&ev);
        if (rc != GL_OK || done)
            return rc;
    }
}

/* Offset of the first byte that is not part of valid UTF-8 (no overlong forms, surrogates or
 * code points past U+10FFFF), or len. */
static size_t utf8_invalid_at(const unsigned char *s, size_t len)
{
    size_t i = 0;
    while (i < len) {
        unsigned c = s[i];
        size_t n;
        unsigned lo = 0x80, hi = 0xBF;
        if (c < 0x80) {
            i++;
            continue;
        } else if (c >= 0xC2 && c <= 0xDF) {
            n = 1;
        } else if (c >= 0xE0 && c <= 0xEF) {
            n = 2;
            if (c == 0xE0)
                lo = 0xA0;
            if (c == 0xED)
                hi = 0x9F;
        } else if (c >= 0xF0 && c <= 0xF4) {
            n = 3;
            if (c == 0xF0)
                lo = 0x90;
            if (c == 0xF4)
                hi = 0x8F;
        } else {
            return i;
        }
        if (i + n >= len)
            return i;
        for (size_t k = 1; k <= n; k++) {
            unsigned b = s[i + k];
            if (b < (k == 1 ? lo : 0x80) || b > (k == 1 ? hi : 0xBF))
                return i;
        }
        i += n + 1;
    }
    return len;
}

int gl_cfg__parse(const char *text, size_t len, const gl_cfg_origin *org, gl_cfg_node **out,
                  gl_error *err)
{
    *out = NULL;
    const char *nul = memchr(text, '\0', len);
    if (nul)
        return gl_cfg__fault_at(err, org, 0, 0,
                                "not a text file (NUL byte at offset %zu); a config is UTF-8 YAML",
                                (size_t)(nul - text));
    size_t bad = utf8_invalid_at((const unsigned char *)text, len);
    if (bad < len) {
        int line, col;
        position(text, bad, &line, &col);
        return gl_cfg__fault_at(err, org, line, col,
                                "not valid UTF-8 (byte 0x%02X); a config is UTF-8 YAML",
                                (unsigned char)text[bad]);
    }
    yaml_parser_t p;
    if (!yaml_parser_initialize(&p))
        return gl_error_add(err, GL_ERR_INPUT, "out of memory reading the config");
    yaml_parser_set_input_string(&p, (const unsigned char *)text, len);
    yaml_parser_set_encoding(&p, YAML_UTF8_ENCODING);
    reader r = {.org = org, .err = err, .text = text};
    int rc = run_events(&r, &p);
    yaml_parser_delete(&p);
    for (int i = 0; i < r.depth; i++) {
        free(r.stack[i].key);
        free(r.stack[i].anchor);
    }
    anchors_free(&r);
    if (rc != GL_OK) {
        gl_cfg__node_free(r.root);
        return rc;
    }
    *out = r.root;
    return GL_OK;
}

int gl_cfg__read_file(const gl_cfg_origin *org, gl_cfg_node **out, gl_error *err)
{
    *out = NULL;
    struct stat st;
    int fd = gl_open_regular(org->name, &st);
    if (fd == GL_NOT_REGULAR)
        return gl_cfg__fault_at(err, org, 0, 0, "not a regular file");
    if (fd < 0)
        return gl_cfg__fault_at(err, org, 0, 0, "cannot open: %s", strerror(errno));
    char *buf = NULL;
    size_t len = 0;
    int rc = GL_ERR_INPUT;
    if ((uintmax_t)st.st_size > GL_CFG_MAX_FILE_BYTES) {
        gl_cfg__fault_at(err, org, 0, 0, "larger than the %zu MiB limit for a config file",
                         GL_CFG_MAX_FILE_BYTES >> 20);
    } else if (!(buf = malloc((size_t)st.st_size + 1))) {
        gl_error_add(err, GL_ERR_INPUT, "out of memory reading the config");
    } else {
        /* Reads what fstat promised; a file that grew meanwhile is cut there. */
        rc = GL_OK;
        while (len < (size_t)st.st_size) {
            ssize_t got = read(fd, buf + len, (size_t)st.st_size - len);
            if (got < 0 && errno == EINTR)
                continue;
            if (got < 0) {
                rc = gl_cfg__fault_at(err, org, 0, 0, "cannot read: %s", strerror(errno));
                break;
            }
            if (got == 0)
                break;
            len += (size_t)got;
        }
    }
    close(fd);
    if (rc == GL_OK)
        rc = gl_cfg__parse(buf, len, org, out, err);
    free(buf);
    return rc;
}

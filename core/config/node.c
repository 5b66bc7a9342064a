/* node.c - the config node tree: creation, copying, lookup, and the layer merge that composition
 * (`base:`) and command-line overrides both use.
 *
 * Merge rule: mappings merge key by key, recursively; anything else (a scalar, a list, a null) in
 * the later layer replaces the earlier value, so a list is never concatenated. A mapping that names
 * a different `plugin` than the earlier one replaces it whole: the earlier keys belonged to the
 * other plugin's schema.
 *
 * Recursion here is bounded by the nesting limit the reader enforces (GL_CFG_MAX_DEPTH).
 */
#include "config/cfg_internal.h"

#include <stdlib.h>
#include <string.h>

gl_cfg_node *gl_cfg__node_new(gl_cfg_kind kind, const gl_cfg_origin *org, int line, int col)
{
    gl_cfg_node *n = calloc(1, sizeof *n);
    if (!n)
        return NULL;
    n->kind = kind;
    n->org = org;
    n->line = n->kline = line;
    n->col = n->kcol = col;
    n->weight = 1;
    return n;
}

gl_cfg_node *gl_cfg__scalar_new(const char *text, int plain, const gl_cfg_origin *org, int line,
                                int col)
{
    gl_cfg_node *n = gl_cfg__node_new(GL_CFG_SCALAR, org, line, col);
    if (!n)
        return NULL;
    n->text = strdup(text);
    if (!n->text) {
        free(n);
        return NULL;
    }
    n->plain = plain;
    n->bytes = strlen(text);
    return n;
}

void gl_cfg__node_free(gl_cfg_node *n)
{
    if (!n)
        return;
    for (size_t i = 0; i < n->n; i++)
        gl_cfg__node_free(n->kids[i]);
    free(n->kids);
    free(n->text);
    free(n->key);
    free(n);
}

gl_cfg_node *gl_cfg__node_clone(const gl_cfg_node *n)
{
    gl_cfg_node *c = malloc(sizeof *c);
    if (!c)
        return NULL;
    *c = *n;
    c->kids = NULL;
    c->n = c->cap = 0;
    c->text = n->text ? strdup(n->text) : NULL;
    c->key = n->key ? strdup(n->key) : NULL;
    if ((n->text && !c->text) || (n->key && !c->key) ||
        (n->n && !(c->kids = malloc(n->n * sizeof *c->kids)))) {
        gl_cfg__node_free(c);
        return NULL;
    }
    c->cap = n->n;
    for (; c->n < n->n; c->n++) {
        c->kids[c->n] = gl_cfg__node_clone(n->kids[c->n]);
        if (!c->kids[c->n]) {
            gl_cfg__node_free(c);
            return NULL;
        }
    }
    return c;
}

int gl_cfg__node_reserve(gl_cfg_node *n, size_t more, gl_error *err)
{
    if (n->n + more <= n->cap)
        return GL_OK;
    size_t cap = n->cap ? n->cap * 2 : 4;
    while (cap < n->n + more)
        cap *= 2;
    gl_cfg_node **kids = realloc(n->kids, cap * sizeof *kids);
    if (!kids)
        return gl_error_add(err, GL_ERR_INPUT, "out of memory reading the config");
    n->kids = kids;
    n->cap = cap;
    return GL_OK;
}

int gl_cfg__node_append(gl_cfg_node *parent, gl_cfg_node *kid, gl_error *err)
{
    if (gl_cfg__node_reserve(parent, 1, err) != GL_OK)
        return GL_ERR_INPUT;
    parent->kids[parent->n++] = kid;
    return GL_OK;
}

long gl_cfg__node_find(const gl_cfg_node *m, const char *key)
{
    if (!m || m->kind != GL_CFG_MAP)
        return -1;
    for (size_t i = 0; i < m->n; i++)
        if (strcmp(m->kids[i]->key, key) == 0)
            return (long)i;
    return -1;
}

gl_cfg_node *gl_cfg__node_get(const gl_cfg_node *m, const char *key)
{
    long i = gl_cfg__node_find(m, key);
    return i < 0 ? NULL : m->kids[i];
}

gl_cfg_node *gl_cfg__node_take(gl_cfg_node *m, size_t i)
{
    gl_cfg_node *kid = m->kids[i];
    memmove(m->kids + i, m->kids + i + 1, (m->n - i - 1) * sizeof *m->kids);
    m->n--;
    return kid;
}

gl_cfg_node *gl_cfg__node_path(const gl_cfg_node *root, const char *path)
{
    const gl_cfg_node *n = root;
    char part[128];
    while (n && *path) {
        size_t len = strcspn(path, ".");
        if (len >= sizeof part)
            return NULL;
        memcpy(part, path, len);
        part[len] = '\0';
        n = gl_cfg__node_get(n, part);
        path += len + (path[len] == '.');
    }
    return (gl_cfg_node *)n;
}

int gl_cfg__is_null(const gl_cfg_node *n)
{
    if (!n || n->kind != GL_CFG_SCALAR || !n->plain)
        return 0;
    const char *t = n->text;
    return !*t || strcmp(t, "~") == 0 || strcmp(t, "null") == 0 || strcmp(t, "Null") == 0 ||
           strcmp(t, "NULL") == 0;
}

const char *gl_cfg__kind_name(const gl_cfg_node *n)
{
    if (n->kind == GL_CFG_MAP)
        return "a mapping";
    if (n->kind == GL_CFG_SEQ)
        return "a list";
    return gl_cfg__is_null(n) ? "null" : "a scalar";
}

/* The plugin a mapping names, or NULL. */
static const char *plugin_of(const gl_cfg_node *m)
{
    const gl_cfg_node *p = gl_cfg__node_get(m, "plugin");
    return p && p->kind == GL_CFG_SCALAR && !gl_cfg__is_null(p) ? p->text : NULL;
}

int gl_cfg__merge(gl_cfg_node **a, gl_cfg_node *b, gl_error *err)
{
    gl_cfg_node *old = *a;
    const char *pa = old->kind == GL_CFG_MAP ? plugin_of(old) : NULL;
    const char *pb = b->kind == GL_CFG_MAP ? plugin_of(b) : NULL;
    if (old->kind != GL_CFG_MAP || b->kind != GL_CFG_MAP || (pa && pb && strcmp(pa, pb) != 0)) {
        /* b takes old's place, key included (old's key is the same text). */
        if (old->key && !b->key) {
            b->key = old->key;
            old->key = NULL;
            b->kline = old->kline;
            b->kcol = old->kcol;
        }
        gl_cfg__node_free(old);
        *a = b;
        return GL_OK;
    }
    if (gl_cfg__node_reserve(old, b->n, err) != GL_OK) {
        gl_cfg__node_free(b);
        return GL_ERR_INPUT;
    }
    int rc = GL_OK;
    for (size_t i = 0; i < b->n; i++) {
        gl_cfg_node *kid = b->kids[i];
        b->kids[i] = NULL;
        long j = gl_cfg__node_find(old, kid->key);
        if (j < 0)
            old->kids[old->n++] = kid;
        else if (rc == GL_OK)
            rc = gl_cfg__merge(&old->kids[j], kid, err);
        else
            gl_cfg__node_free(kid);
    }
    b->n = 0;
    gl_cfg__node_free(b);
    return rc;
}

/* where.c - origins (which file, override or default a value came from) and the "WHERE: message"
 * lines every config fault is reported with:
 *     cfg.yaml:12:5: ...                     a value or key in a file (line and column 1-based)
 *     override 'loss.lamda=5': ...           a command-line override
 *     environment GANLAB_THREADS=0: ...      the environment
 */
#include "config/cfg_internal.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

gl_cfg_origin *gl_cfg__origin_new(gl_cfg_origin **list, gl_cfg_from from, const char *name,
                                  const char *dir)
{
    gl_cfg_origin *o = calloc(1, sizeof *o);
    if (!o)
        return NULL;
    o->from = from;
    o->name = strdup(name);
    o->dir = strdup(dir);
    if (!o->name || !o->dir) {
        free(o->name);
        free(o->dir);
        free(o);
        return NULL;
    }
    o->next = *list;
    *list = o;
    return o;
}

void gl_cfg__origins_free(gl_cfg_origin *list)
{
    while (list) {
        gl_cfg_origin *next = list->next;
        free(list->name);
        free(list->dir);
        free(list);
        list = next;
    }
}

void gl_cfg__where_at(const gl_cfg_origin *org, int line, int col, char *buf, size_t cap)
{
    switch (org->from) {
    case GL_CFG_FROM_FILE:
        if (line > 0)
            snprintf(buf, cap, "%s:%d:%d", org->name, line, col);
        else
            snprintf(buf, cap, "%s", org->name);
        break;
    case GL_CFG_FROM_OVERRIDE:
        snprintf(buf, cap, "override '%.*s'", GL_CFG_CLIP, org->name);
        break;
    case GL_CFG_FROM_ENV:
        snprintf(buf, cap, "environment %.*s", GL_CFG_CLIP, org->name);
        break;
    case GL_CFG_FROM_DEFAULT:
        snprintf(buf, cap, "%s", org->name);
        break;
    }
}

void gl_cfg__where(const gl_cfg_node *n, int at_key, char *buf, size_t cap)
{
    gl_cfg__where_at(n->org, at_key ? n->kline : n->line, at_key ? n->kcol : n->col, buf, cap);
}

static int faultv(gl_error *err, const gl_cfg_origin *org, int line, int col, const char *fmt,
                  va_list ap)
{
    char where[512], msg[1024];
    gl_cfg__where_at(org, line, col, where, sizeof where);
    vsnprintf(msg, sizeof msg, fmt, ap);
    return gl_error_add(err, GL_ERR_INPUT, "%s: %s", where, msg);
}

int gl_cfg__fault_at(gl_error *err, const gl_cfg_origin *org, int line, int col, const char *fmt,
                     ...)
{
    va_list ap;
    va_start(ap, fmt);
    int rc = faultv(err, org, line, col, fmt, ap);
    va_end(ap);
    return rc;
}

int gl_cfg__fault(gl_error *err, const gl_cfg_node *n, int at_key, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int rc = faultv(err, n->org, at_key ? n->kline : n->line, at_key ? n->kcol : n->col, fmt, ap);
    va_end(ap);
    return rc;
}

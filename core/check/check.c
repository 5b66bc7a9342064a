/* check.c - the plugin checker's entry points (check.h): finding the plugin by name or file, the
 * checks every kind shares (descriptor, schema, parameters), the dispatch to the kind's checks,
 * and the result lines. */
#include "check/check_internal.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static void vline(gl_check_report *rep, gl_check_verdict v, const char *fmt, va_list ap)
{
    static const char *const word[] = {"PASS", "FAIL", "SKIP"};
    if (v == GL_CHECK_PASS)
        rep->passed++;
    else if (v == GL_CHECK_FAIL)
        rep->failed++;
    else
        rep->skipped++;
    if (!rep->out)
        return;
    fprintf(rep->out, "%s ", word[v]);
    vfprintf(rep->out, fmt, ap);
    fputc('\n', rep->out);
    fflush(rep->out); /* a plugin that crashes later must not take the lines so far with it */
}

void gl_check__line(gl_check_report *rep, gl_check_verdict v, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vline(rep, v, fmt, ap);
    va_end(ap);
}

void gl_check__verdict(gl_check_report *rep, int ok, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vline(rep, ok ? GL_CHECK_PASS : GL_CHECK_FAIL, fmt, ap);
    va_end(ap);
}

void gl_check__error_text(gl_error *err, char *buf, size_t cap)
{
    size_t j = 0;
    for (size_t i = 0; i < err->len && j + 3 < cap; i++) {
        if (err->text[i] == '\n') {
            buf[j++] = ';';
            buf[j++] = ' ';
        } else {
            buf[j++] = err->text[i];
        }
    }
    buf[j] = '\0';
    if (j == 0)
        snprintf(buf, cap, "(no message)");
    gl_error_init(err);
}

const gl_param_spec *gl_check__param(const gl_plugin_header *hdr, const char *name)
{
    for (const gl_param_spec *s = hdr->params; s && s->name; s++)
        if (strcmp(s->name, name) == 0)
            return s;
    return NULL;
}

/* The checks every kind shares. 1 when the descriptor is sound enough to run the kind's checks. */
static int check_common(const gl_plugin_header *hdr, const char *path, const gl_check_opts *opts,
                        gl_check_report *rep, int *status, gl_error *err)
{
    gl_error e;
    gl_error_init(&e);
    char msg[1024];
    if (gl_plugin_check_descriptor(hdr, path, &e) != GL_OK) {
        gl_check__error_text(&e, msg, sizeof msg);
        gl_check__line(rep, GL_CHECK_FAIL, "descriptor: %s", msg);
        return 0;
    }
    int n = 0;
    while (hdr->params && hdr->params[n].name)
        n++;
    gl_check__line(rep, GL_CHECK_PASS,
                   "descriptor: %s plugin '%s', ABI %u, size %u, %d parameter%s",
                   gl_plugin_kind_name(hdr->kind), hdr->name, hdr->abi_version, hdr->size, n,
                   n == 1 ? "" : "s");
    gl_cfg *cfg;
    const gl_params *params;
    *status = gl_check__params(hdr, opts, NULL, &cfg, &params, err);
    if (*status != GL_OK)
        return 0;
    gl_cfg_destroy(cfg);
    gl_check__line(rep, GL_CHECK_PASS, "parameters: the defaults%s validate",
                   opts->n_sets ? " with the --set values" : "");
    return 1;
}

int gl_check_plugin(const gl_plugin_header *hdr, const char *path, const gl_check_opts *opts,
                    gl_check_report *rep, gl_error *err)
{
    int st = GL_OK;
    if (!check_common(hdr, path, opts, rep, &st, err))
        return st;
    switch (hdr->kind) {
    case GL_KIND_DATASET:
        return gl_check__dataset(hdr, opts, rep, err);
    case GL_KIND_MODEL:
        return gl_check__model(hdr, opts, rep, err);
    case GL_KIND_LOSS:
        return gl_check__loss(hdr, opts, rep, err);
    case GL_KIND_OPTIMIZER:
        return gl_check__optimizer(hdr, opts, rep, err);
    default:
        return gl_check__evaluator(hdr, opts, rep, err);
    }
}

static int usable(const gl_registry_entry *e)
{
    return e->hdr && !e->problem && e->shadowed_by < 0;
}

int gl_check_find(const gl_registry *reg, const char *name, uint32_t kind,
                  const gl_registry_entry **out, gl_error *err)
{
    /* Kinds may share a name: without --kind, refuse to guess which one is meant. */
    uint32_t found = 0, other = 0;
    for (size_t i = 0; kind == 0 && i < gl_registry_count(reg); i++) {
        const gl_registry_entry *e = gl_registry_entry_at(reg, i);
        if (!usable(e) || strcmp(e->name, name) != 0 || e->hdr->kind == found)
            continue;
        if (found)
            other = e->hdr->kind;
        else
            found = e->hdr->kind;
    }
    if (other)
        return gl_error_add(err, GL_ERR_INPUT,
                            "there is a %s plugin and a %s plugin named '%s': "
                            "choose one with --kind %s or --kind %s",
                            gl_plugin_kind_name(found), gl_plugin_kind_name(other), name,
                            gl_plugin_kind_name(found), gl_plugin_kind_name(other));
    return gl_registry_find(reg, (gl_plugin_kind)(kind ? kind : found), name, NULL, NULL, out, err);
}

int gl_check_is_file(const char *arg)
{
    size_t n = strlen(arg);
    return strchr(arg, '/') != NULL || (n > 3 && strcmp(arg + n - 3, ".so") == 0);
}

int gl_check_open_file(const char *path, gl_registry **reg, const gl_registry_entry **out,
                       gl_error *err)
{
    *reg = NULL;
    *out = NULL;
    struct stat st;
    if (stat(path, &st) != 0)
        return gl_error_add(err, GL_ERR_INPUT, "%s: no such plugin file", path);
    if (!S_ISREG(st.st_mode)) /* a directory given by mistake is there: not "no such" */
        return gl_error_add(err, GL_ERR_INPUT, "%s: not a regular file (a plugin is a .so file)",
                            path);
    int rc = gl_registry_open_file(path, reg, err);
    if (rc != GL_OK)
        return rc;
    const gl_registry_entry *e = gl_registry_entry_at(*reg, 0);
    if (e && e->hdr && !e->problem) {
        *out = e;
        return GL_OK;
    }
    if (e && e->problem)
        rc = gl_error_add(err, GL_ERR_INPUT, "%s", e->problem);
    else
        rc = gl_error_add(err, GL_ERR_INPUT, "%s is not a ganlab plugin (plugins are *.so files)",
                          path);
    gl_registry_close(*reg);
    *reg = NULL;
    return rc;
}

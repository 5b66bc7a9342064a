/* params.c - gl_params (ganlab/config.h): the typed, validated parameters of one section.
 *
 * Values are filled by the validator, so a getter only looks the name up (a linear scan: schemas
 * are a few dozen entries and plugins read their parameters once, at creation). Asking for a name
 * the schema does not declare, or with a getter of another type, returns 0 / 0.0 / "" / NULL and
 * prints a warning naming the parameter: a plugin bug that every run (and `ganlab plugin-check`,
 * which creates each plugin) shows, without failing a run over it.
 */
#include "config/cfg_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

gl_params *gl_cfg__params_new(const gl_param_spec *spec)
{
    gl_params *p = calloc(1, sizeof *p);
    if (!p)
        return NULL;
    p->spec = spec;
    while (spec && spec[p->n].name)
        p->n++;
    p->v = calloc(p->n + 1, sizeof *p->v);
    if (!p->v) {
        free(p);
        return NULL;
    }
    return p;
}

void gl_cfg__params_free(gl_params *p)
{
    if (!p)
        return;
    for (size_t i = 0; i < p->n; i++) {
        free(p->v[i].s);
        free(p->v[i].ints);
        free(p->v[i].floats);
    }
    free(p->v);
    free(p);
}

long gl_cfg__params_index(const gl_params *p, const char *name)
{
    for (size_t i = 0; p && name && i < p->n; i++)
        if (strcmp(p->spec[i].name, name) == 0)
            return (long)i;
    return -1;
}

/* The value of name when its type is t (or u), else NULL. */
static const gl_param_value *value(const gl_params *p, const char *name, gl_param_type t,
                                   gl_param_type u)
{
    long i = gl_cfg__params_index(p, name);
    if (i < 0 || (p->spec[i].type != t && p->spec[i].type != u)) {
        fprintf(stderr, "ganlab: warning: a plugin asked for parameter '%s', which its schema %s\n",
                name ? name : "(null)", i < 0 ? "does not declare" : "declares with another type");
        return NULL;
    }
    return p->v[i].present ? &p->v[i] : NULL;
}

int64_t gl_params_int(const gl_params *p, const char *name)
{
    const gl_param_value *v = value(p, name, GL_PARAM_INT, GL_PARAM_INT);
    return v ? v->i : 0;
}

double gl_params_float(const gl_params *p, const char *name)
{
    const gl_param_value *v = value(p, name, GL_PARAM_FLOAT, GL_PARAM_INT);
    if (!v)
        return 0.0;
    long i = gl_cfg__params_index(p, name);
    return p->spec[i].type == GL_PARAM_INT ? (double)v->i : v->f;
}

int gl_params_bool(const gl_params *p, const char *name)
{
    const gl_param_value *v = value(p, name, GL_PARAM_BOOL, GL_PARAM_BOOL);
    return v ? (int)v->i : 0;
}

const char *gl_params_string(const gl_params *p, const char *name)
{
    long i = gl_cfg__params_index(p, name);
    if (i < 0 || !p->v[i].present)
        return "";
    gl_param_type t = p->spec[i].type;
    if (t != GL_PARAM_STRING && t != GL_PARAM_CHOICE && t != GL_PARAM_PATH)
        return "";
    return p->v[i].s;
}

const int64_t *gl_params_int_list(const gl_params *p, const char *name, size_t *n)
{
    const gl_param_value *v = value(p, name, GL_PARAM_INT_LIST, GL_PARAM_INT_LIST);
    if (n)
        *n = v ? v->len : 0;
    return v ? v->ints : NULL;
}

const double *gl_params_float_list(const gl_params *p, const char *name, size_t *n)
{
    const gl_param_value *v = value(p, name, GL_PARAM_FLOAT_LIST, GL_PARAM_FLOAT_LIST);
    if (n)
        *n = v ? v->len : 0;
    return v ? v->floats : NULL;
}

int gl_params_is_set(const gl_params *p, const char *name)
{
    long i = gl_cfg__params_index(p, name);
    return i >= 0 && p->v[i].set;
}

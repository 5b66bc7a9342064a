/* schema.c - is a plugin's parameter schema well formed? Checked once, when the plugin is loaded,
 * so that a mistake in a plugin's table is reported against the plugin, not against a user's
 * config.
 *
 * Defaults are YAML scalars as plugin.h documents them, in the plain forms a schema uses: bool
 * "true"/"false", a decimal int, a float strtod accepts (finite), a flow list "[1, 2.5]" of
 * numbers. This file does not validate configs (core/config does, against the same schema).
 */
#include "plugin/loader.h"

#include <assert.h>
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

static const char *const type_names[] = {
    [GL_PARAM_BOOL] = "bool",         [GL_PARAM_INT] = "int",
    [GL_PARAM_FLOAT] = "float",       [GL_PARAM_STRING] = "string",
    [GL_PARAM_CHOICE] = "choice",     [GL_PARAM_PATH] = "path",
    [GL_PARAM_INT_LIST] = "int list", [GL_PARAM_FLOAT_LIST] = "float list",
};
static_assert(sizeof type_names / sizeof type_names[0] == GL_PARAM_FLOAT_LIST + 1,
              "every gl_param_type needs a name");

const char *gl_param_type_name(uint32_t type)
{
    if (type == 0 || type >= sizeof type_names / sizeof type_names[0])
        return NULL;
    return type_names[type];
}

/* Parses the number text[0..len) as an int (is_int) or a finite float. Returns 1 on success. */
static int parse_number(const char *text, size_t len, int is_int, double *out)
{
    char buf[64];
    while (len > 0 && (*text == ' ' || *text == '\t'))
        text++, len--;
    while (len > 0 && (text[len - 1] == ' ' || text[len - 1] == '\t'))
        len--;
    if (len == 0 || len >= sizeof buf)
        return 0;
    memcpy(buf, text, len);
    buf[len] = '\0';
    char *end;
    errno = 0;
    if (is_int) {
        long long v = strtoll(buf, &end, 10);
        *out = (double)v;
    } else {
        *out = strtod(buf, &end);
    }
    return *end == '\0' && errno == 0 && isfinite(*out);
}

/* 1 when the '|'-separated list has non-empty, distinct items. */
static int choices_ok(const char *choices)
{
    if (!choices || !*choices)
        return 0;
    for (const char *item = choices;;) {
        size_t len = strcspn(item, "|");
        if (len == 0)
            return 0;
        for (const char *later = item + len; *later == '|';) {
            later++;
            size_t l2 = strcspn(later, "|");
            if (l2 == len && memcmp(item, later, len) == 0)
                return 0;
            later += l2;
        }
        if (item[len] == '\0')
            return 1;
        item += len + 1;
    }
}

static int is_choice(const char *choices, const char *value)
{
    size_t vlen = strlen(value);
    for (const char *item = choices;;) {
        size_t len = strcspn(item, "|");
        if (len == vlen && memcmp(item, value, len) == 0)
            return 1;
        if (item[len] == '\0')
            return 0;
        item += len + 1;
    }
}

/* Checks that a number of a numeric parameter lies in its inclusive range, when it has one. */
static int check_range(const gl_param_spec *s, double v, const char *path, gl_error *err)
{
    if (s->min <= s->max && (v < s->min || v > s->max))
        return gl_error_add(err, GL_ERR_INPUT,
                            "%s: parameter '%s': default %g is outside its range [%g, %g]", path,
                            s->name, v, s->min, s->max);
    return GL_OK;
}

static int check_list_default(const gl_param_spec *s, const char *path, gl_error *err)
{
    const char *d = s->default_value;
    size_t len = strlen(d);
    int is_int = s->type == GL_PARAM_INT_LIST;
    const char *what = is_int ? "an int list" : "a float list";
    if (len < 2 || d[0] != '[' || d[len - 1] != ']')
        return gl_error_add(err, GL_ERR_INPUT,
                            "%s: parameter '%s': default '%s' is not %s such as [1, 2]", path,
                            s->name, d, what);
    const char *p = d + 1, *end = d + len - 1;
    if (strspn(p, " \t") == (size_t)(end - p))
        return GL_OK; /* [] */
    while (p <= end) {
        const char *comma = memchr(p, ',', (size_t)(end - p));
        const char *stop = comma ? comma : end;
        double v;
        if (!parse_number(p, (size_t)(stop - p), is_int, &v))
            return gl_error_add(err, GL_ERR_INPUT, "%s: parameter '%s': default '%s' is not %s",
                                path, s->name, d, what);
        if (check_range(s, v, path, err) != GL_OK)
            return GL_ERR_INPUT;
        p = stop + 1;
    }
    return GL_OK;
}

/* The default of a parameter that is not required: present, of its type, in range and choices. */
static int check_default(const gl_param_spec *s, const char *path, gl_error *err)
{
    const char *d = s->default_value;
    if (!d)
        return gl_error_add(err, GL_ERR_INPUT,
                            "%s: parameter '%s' is neither required nor has a default", path,
                            s->name);
    double v;
    switch (s->type) {
    case GL_PARAM_BOOL:
        if (strcmp(d, "true") != 0 && strcmp(d, "false") != 0)
            return gl_error_add(err, GL_ERR_INPUT,
                                "%s: parameter '%s': default '%s' is not true or false", path,
                                s->name, d);
        return GL_OK;
    case GL_PARAM_INT:
    case GL_PARAM_FLOAT:
        if (!parse_number(d, strlen(d), s->type == GL_PARAM_INT, &v))
            return gl_error_add(err, GL_ERR_INPUT, "%s: parameter '%s': default '%s' is not %s",
                                path, s->name, d, s->type == GL_PARAM_INT ? "an int" : "a float");
        return check_range(s, v, path, err);
    case GL_PARAM_CHOICE:
        if (!is_choice(s->choices, d))
            return gl_error_add(err, GL_ERR_INPUT,
                                "%s: parameter '%s': default '%s' is not one of '%s'", path,
                                s->name, d, s->choices);
        return GL_OK;
    case GL_PARAM_INT_LIST:
    case GL_PARAM_FLOAT_LIST:
        return check_list_default(s, path, err);
    default: /* string, path: any text */
        return GL_OK;
    }
}

static int check_spec(const gl_param_spec *params, size_t i, const char *path, gl_error *err)
{
    const gl_param_spec *s = &params[i];
    if (!gl_plugin_name_ok(s->name))
        return gl_error_add(err, GL_ERR_INPUT,
                            "%s: parameter name '%s' is not [a-z0-9_]+ starting with a letter",
                            path, s->name);
    for (size_t j = 0; j < i; j++)
        if (strcmp(params[j].name, s->name) == 0)
            return gl_error_add(err, GL_ERR_INPUT, "%s: parameter '%s' is declared twice", path,
                                s->name);
    if (!gl_param_type_name((uint32_t)s->type))
        return gl_error_add(err, GL_ERR_INPUT, "%s: parameter '%s' has unknown type %d", path,
                            s->name, (int)s->type);
    if (s->type == GL_PARAM_CHOICE && !choices_ok(s->choices))
        return gl_error_add(err, GL_ERR_INPUT,
                            "%s: parameter '%s': choices '%s' are not distinct non-empty values "
                            "separated by '|'",
                            path, s->name, s->choices ? s->choices : "(null)");
    if (s->type != GL_PARAM_CHOICE && s->choices)
        return gl_error_add(err, GL_ERR_INPUT,
                            "%s: parameter '%s' has choices but its type is %s, not choice", path,
                            s->name, type_names[s->type]);
    return s->required ? GL_OK : check_default(s, path, err);
}

int gl_plugin_check_schema(const gl_param_spec *params, const char *path, gl_error *err)
{
    for (size_t i = 0; params && params[i].name; i++)
        if (check_spec(params, i, path, err) != GL_OK)
            return GL_ERR_INPUT;
    return GL_OK;
}

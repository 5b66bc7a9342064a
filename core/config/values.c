/* values.c - typed values as YAML text, for gl_cfg_emit and gl_cfg_diff.
 *
 * The text must read back to the identical value: a float is printed with the fewest significant
 * digits (1..17, but no fewer than its integer digits below 1e17, so no "1e+01") that strtod maps
 * back to the same double, and always with a '.' or an exponent
 * so that it reads as a float to a person too; a string is left plain only when it is made of
 * [A-Za-z0-9_./+-], starts with a letter, '_' or '/', and is not a YAML 1.1 bool or null word
 * (yes, no, on, off, ...); anything else is double-quoted with \\, \", \n, \t, \r and \xHH escapes.
 */
#include "config/cfg_internal.h"

#include <ctype.h>
#include <inttypes.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

void gl_cfg__format_double(double v, char *buf, size_t cap)
{
    /* At least the integer digits, so that 10 prints as "10", not "1e+01". */
    double a = fabs(v);
    int digits = a >= 1 && a < 1e17 ? (int)floor(log10(a)) + 1 : 1;
    for (; digits <= 17; digits++) {
        snprintf(buf, cap, "%.*g", digits, v);
        if (strtod(buf, NULL) == v)
            return;
    }
}

static int plain_ok(const char *s)
{
    static const char *const words[] = {"true", "false", "yes", "no",  "on",
                                        "off",  "y",     "n",   "null"};
    if (!isalpha((unsigned char)s[0]) && s[0] != '_' && s[0] != '/')
        return 0;
    for (const char *p = s; *p; p++)
        if (!isalnum((unsigned char)*p) && !strchr("_./+-", *p))
            return 0;
    for (size_t i = 0; i < sizeof words / sizeof words[0]; i++)
        if (strcasecmp(s, words[i]) == 0)
            return 0;
    return 1;
}

void gl_cfg__yaml_string(const char *s, gl_cfg_sb *out)
{
    if (plain_ok(s)) {
        gl_cfg__sb_addn(out, s, strlen(s));
        return;
    }
    gl_cfg__sb_addn(out, "\"", 1);
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        if (*p == '"' || *p == '\\')
            gl_cfg__sb_add(out, "\\%c", *p);
        else if (*p == '\n')
            gl_cfg__sb_addn(out, "\\n", 2);
        else if (*p == '\t')
            gl_cfg__sb_addn(out, "\\t", 2);
        else if (*p == '\r')
            gl_cfg__sb_addn(out, "\\r", 2);
        else if (*p < 0x20 || *p == 0x7F)
            gl_cfg__sb_add(out, "\\x%02X", *p);
        else
            gl_cfg__sb_addn(out, (const char *)p, 1);
    }
    gl_cfg__sb_addn(out, "\"", 1);
}

static void float_yaml(double v, gl_cfg_sb *out)
{
    char buf[40];
    gl_cfg__format_double(v, buf, sizeof buf);
    gl_cfg__sb_add(out, "%s%s", buf, strpbrk(buf, ".e") ? "" : ".0");
}

void gl_cfg__value_yaml(const gl_param_spec *s, const gl_param_value *v, gl_cfg_sb *out)
{
    if (!v->present) {
        gl_cfg__sb_addn(out, "null", 4);
        return;
    }
    switch (s->type) {
    case GL_PARAM_BOOL:
        gl_cfg__sb_add(out, "%s", v->i ? "true" : "false");
        break;
    case GL_PARAM_INT:
        gl_cfg__sb_add(out, "%" PRId64, v->i);
        break;
    case GL_PARAM_FLOAT:
        float_yaml(v->f, out);
        break;
    case GL_PARAM_STRING:
    case GL_PARAM_CHOICE:
    case GL_PARAM_PATH:
        gl_cfg__yaml_string(v->s, out);
        break;
    case GL_PARAM_INT_LIST:
    case GL_PARAM_FLOAT_LIST:
        gl_cfg__sb_addn(out, "[", 1);
        for (size_t k = 0; k < v->len; k++) {
            if (k)
                gl_cfg__sb_addn(out, ", ", 2);
            if (s->type == GL_PARAM_INT_LIST)
                gl_cfg__sb_add(out, "%" PRId64, v->ints[k]);
            else
                float_yaml(v->floats[k], out);
        }
        gl_cfg__sb_addn(out, "]", 1);
        break;
    }
}

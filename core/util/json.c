/* json.c - see util/json.h. A recursive-descent parser over a bounded buffer. */
#include "util/json.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util/fs.h"

#define MAX_DEPTH 64
#define MAX_FILE  (16 << 20)

typedef struct parser {
    const char *s, *end, *source;
    gl_error *err;
    int failed;
} parser;

static int fault(parser *p, const char *at, const char *what)
{
    if (p->failed)
        return -1;
    int line = 1, col = 1;
    for (const char *c = p->s; c < at && c < p->end; c++) {
        if (*c == '\n') {
            line++;
            col = 1;
        } else {
            col++;
        }
    }
    p->failed = 1;
    gl_error_add(p->err, GL_ERR_INPUT, "%s:%d:%d: %s", p->source, line, col, what);
    return -1;
}

static void skip_ws(parser *p, const char **c)
{
    while (*c < p->end && (**c == ' ' || **c == '\t' || **c == '\n' || **c == '\r'))
        (*c)++;
}

void gl_json_free(gl_json *j)
{
    if (!j)
        return;
    for (size_t i = 0; i < j->n; i++) {
        gl_json_free(j->items[i]);
        if (j->keys)
            free(j->keys[i]);
    }
    free(j->items);
    free(j->keys);
    free(j->string);
    free(j);
}

static int hex4(const char *c, unsigned *v)
{
    *v = 0;
    for (int i = 0; i < 4; i++) {
        char h = c[i];
        int d = h >= '0' && h <= '9'   ? h - '0'
                : h >= 'a' && h <= 'f' ? h - 'a' + 10
                : h >= 'A' && h <= 'F' ? h - 'A' + 10
                                       : -1;
        if (d < 0)
            return -1;
        *v = *v * 16 + (unsigned)d;
    }
    return 0;
}

static size_t utf8(unsigned cp, char *out)
{
    if (cp < 0x80) {
        out[0] = (char)cp;
        return 1;
    }
    if (cp < 0x800) {
        out[0] = (char)(0xC0 | cp >> 6);
        out[1] = (char)(0x80 | (cp & 0x3F));
        return 2;
    }
    if (cp < 0x10000) {
        out[0] = (char)(0xE0 | cp >> 12);
        out[1] = (char)(0x80 | (cp >> 6 & 0x3F));
        out[2] = (char)(0x80 | (cp & 0x3F));
        return 3;
    }
    out[0] = (char)(0xF0 | cp >> 18);
    out[1] = (char)(0x80 | (cp >> 12 & 0x3F));
    out[2] = (char)(0x80 | (cp >> 6 & 0x3F));
    out[3] = (char)(0x80 | (cp & 0x3F));
    return 4;
}

/* A string literal at *c (the opening quote) into a new malloc'd string (*out). */
static int string(parser *p, const char **c, char **out)
{
    const char *start = *c;
    (*c)++;
    /* The decoded string is never longer than the literal; freed by the caller or on failure. */
    size_t cap = 1;
    for (const char *q = *c; q < p->end && *q != '"'; q++, cap += 2)
        q += *q == '\\';
    char *s = malloc(cap + 4), *o = s;
    if (!s)
        return fault(p, start, "out of memory");
    while (*c < p->end && **c != '"') {
        unsigned char ch = (unsigned char)**c;
        if (ch < 0x20) {
            free(s);
            return fault(p, *c, "control character in a string");
        }
        if (ch != '\\') {
            *o++ = (char)ch;
            (*c)++;
            continue;
        }
        if (*c + 1 >= p->end)
            break;
        char e = (*c)[1];
        *c += 2;
        const char *map = strchr("\"\"\\\\//b\bf\fn\nr\rt\t", e);
        if (e && map && (map - "\"\"\\\\//b\bf\fn\nr\rt\t") % 2 == 0) {
            *o++ = map[1];
            continue;
        }
        unsigned cp, lo;
        if (e != 'u' || *c + 4 > p->end || hex4(*c, &cp) != 0) {
            free(s);
            return fault(p, *c - 2, "bad escape in a string");
        }
        *c += 4;
        if (cp >= 0xD800 && cp < 0xDC00 && *c + 6 <= p->end && (*c)[0] == '\\' && (*c)[1] == 'u' &&
            hex4(*c + 2, &lo) == 0 && lo >= 0xDC00 && lo < 0xE000) {
            cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
            *c += 6;
        }
        o += utf8(cp, o); /* at most 4 bytes for the 6 or 12 of the escape */
    }
    if (*c >= p->end) {
        free(s);
        return fault(p, start, "unterminated string");
    }
    (*c)++;
    *o = '\0';
    *out = s;
    return 0;
}

static gl_json *value(parser *p, const char **c, int depth);

static int append(parser *p, const char *at, gl_json *j, gl_json *item, char *key)
{
    /* Grown one at a time: run.json's lists are short. */
    gl_json **items = realloc(j->items, (j->n + 1) * sizeof *items);
    if (items)
        j->items = items;
    char **keys = j->type == GL_JSON_OBJECT ? realloc(j->keys, (j->n + 1) * sizeof *keys) : NULL;
    if (keys)
        j->keys = keys;
    if (!items || (j->type == GL_JSON_OBJECT && !keys)) {
        gl_json_free(item);
        free(key);
        return fault(p, at, "out of memory");
    }
    j->items[j->n] = item;
    if (keys)
        j->keys[j->n] = key;
    j->n++;
    return 0;
}

static gl_json *container(parser *p, const char **c, int depth, gl_json *j)
{
    char close = j->type == GL_JSON_ARRAY ? ']' : '}';
    (*c)++;
    skip_ws(p, c);
    if (*c < p->end && **c == close) {
        (*c)++;
        return j;
    }
    for (;;) {
        char *key = NULL;
        skip_ws(p, c);
        if (j->type == GL_JSON_OBJECT) {
            if (*c >= p->end || **c != '"' || string(p, c, &key) != 0)
                break;
            skip_ws(p, c);
            if (*c >= p->end || **c != ':') {
                free(key);
                fault(p, *c, "expected ':' after an object key");
                break;
            }
            (*c)++;
        }
        const char *at = *c;
        gl_json *item = value(p, c, depth + 1);
        if (!item) {
            free(key);
            break;
        }
        if (append(p, at, j, item, key) != 0)
            break;
        skip_ws(p, c);
        if (*c < p->end && **c == ',') {
            (*c)++;
            continue;
        }
        if (*c < p->end && **c == close) {
            (*c)++;
            return j;
        }
        break;
    }
    fault(p, *c,
          j->type == GL_JSON_ARRAY ? "expected ',' or ']' in an array"
                                   : "expected a key string, ',' or '}' in an object");
    gl_json_free(j);
    return NULL;
}

static gl_json *value(parser *p, const char **c, int depth)
{
    skip_ws(p, c);
    if (*c >= p->end) {
        fault(p, *c, "unexpected end of the input");
        return NULL;
    }
    if (depth > MAX_DEPTH) {
        fault(p, *c, "nested deeper than 64 levels");
        return NULL;
    }
    gl_json *j = calloc(1, sizeof *j); /* freed by gl_json_free */
    if (!j) {
        fault(p, *c, "out of memory");
        return NULL;
    }
    static const struct {
        const char *word;
        gl_json_type type;
        double v;
    } words[] = {{"null", GL_JSON_NULL, 0}, {"true", GL_JSON_BOOL, 1}, {"false", GL_JSON_BOOL, 0}};
    for (size_t i = 0; i < 3; i++) {
        size_t n = strlen(words[i].word);
        if ((size_t)(p->end - *c) >= n && memcmp(*c, words[i].word, n) == 0) {
            j->type = words[i].type;
            j->number = words[i].v;
            *c += n;
            return j;
        }
    }
    char ch = **c;
    if (ch == '[' || ch == '{') {
        j->type = ch == '[' ? GL_JSON_ARRAY : GL_JSON_OBJECT;
        return container(p, c, depth, j);
    }
    if (ch == '"') {
        j->type = GL_JSON_STRING;
        if (string(p, c, &j->string) == 0)
            return j;
        free(j);
        return NULL;
    }
    if (ch == '-' || (ch >= '0' && ch <= '9')) {
        char buf[64];
        size_t n = 0;
        while (*c + n < p->end && n < sizeof buf - 1 && strchr("+-.eE0123456789", (*c)[n]))
            n++;
        memcpy(buf, *c, n);
        buf[n] = '\0';
        char *e;
        errno = 0;
        j->type = GL_JSON_NUMBER;
        j->number = strtod(buf, &e);
        if (e == buf + n && n > 0 && isfinite(j->number)) {
            *c += n;
            return j;
        }
    }
    free(j);
    fault(p, *c, "not a JSON value");
    return NULL;
}

int gl_json_parse(const char *text, size_t len, const char *source, gl_json **out, gl_error *err)
{
    parser p = {.s = text, .end = text + len, .source = source, .err = err};
    const char *c = text;
    *out = value(&p, &c, 0);
    if (*out) {
        skip_ws(&p, &c);
        if (c < p.end) {
            fault(&p, c, "text after the JSON value");
            gl_json_free(*out);
            *out = NULL;
        }
    }
    return *out ? GL_OK : GL_ERR_INPUT;
}

int gl_json_load(const char *path, gl_json **out, gl_error *err)
{
    *out = NULL;
    const char *why;
    /* Not fopen: a FIFO (or device) put in a run directory would block the reader for good. */
    FILE *f = gl_fopen_regular(path, "rb", &why);
    if (!f)
        return gl_error_add(err, GL_ERR_INPUT, "%s: cannot open: %s", path, why);
    char *buf = malloc(MAX_FILE + 1); /* freed below */
    size_t n = buf ? fread(buf, 1, MAX_FILE + 1, f) : 0;
    int bad = ferror(f);
    fclose(f);
    int rc;
    if (!buf)
        rc = gl_error_add(err, GL_ERR_RUN, "%s: out of memory", path);
    else if (bad)
        rc = gl_error_add(err, GL_ERR_INPUT, "%s: cannot read", path);
    else if (n > MAX_FILE)
        rc = gl_error_add(err, GL_ERR_INPUT, "%s: larger than 16 MiB", path);
    else
        rc = gl_json_parse(buf, n, path, out, err);
    free(buf);
    return rc;
}

const gl_json *gl_json_get(const gl_json *o, const char *key)
{
    const gl_json *found = NULL;
    for (size_t i = 0; o && o->type == GL_JSON_OBJECT && i < o->n; i++)
        if (strcmp(o->keys[i], key) == 0)
            found = o->items[i];
    return found;
}

const char *gl_json_string(const gl_json *o, const char *key)
{
    const gl_json *v = gl_json_get(o, key);
    return v && v->type == GL_JSON_STRING ? v->string : NULL;
}

void gl_json_write_string(FILE *f, const char *s)
{
    fputc('"', f);
    for (const unsigned char *c = (const unsigned char *)s; *c; c++) {
        if (*c == '"' || *c == '\\')
            fprintf(f, "\\%c", *c);
        else if (*c < 0x20)
            fprintf(f, "\\u%04x", *c);
        else
            fputc(*c, f);
    }
    fputc('"', f);
}

void gl_json_write(FILE *f, const gl_json *j)
{
    switch (j->type) {
    case GL_JSON_NULL:
        fputs("null", f);
        break;
    case GL_JSON_BOOL:
        fputs(j->number ? "true" : "false", f);
        break;
    case GL_JSON_NUMBER:
        fprintf(f, "%.17g", j->number);
        break;
    case GL_JSON_STRING:
        gl_json_write_string(f, j->string);
        break;
    case GL_JSON_ARRAY:
    case GL_JSON_OBJECT:
        fputc(j->type == GL_JSON_ARRAY ? '[' : '{', f);
        for (size_t i = 0; i < j->n; i++) {
            if (i)
                fputs(", ", f);
            if (j->type == GL_JSON_OBJECT) {
                gl_json_write_string(f, j->keys[i]);
                fputs(": ", f);
            }
            gl_json_write(f, j->items[i]);
        }
        fputc(j->type == GL_JSON_ARRAY ? ']' : '}', f);
        break;
    }
}

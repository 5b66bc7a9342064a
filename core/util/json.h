/* util/json.h - a small JSON reader (RFC 8259) into a tree, for the JSON files ganlab writes and
 * reads back (run.json). Bounded: nesting depth 64, input size by the caller; strings are UTF-8 as
 * given (\u escapes are decoded, surrogate pairs included); numbers are doubles. Faults name the
 * source and line:col. Internal to libganlab (not installed).
 *
 * Example:
 *     gl_json *root;
 *     if (gl_json_parse(text, len, "run/run.json", &root, err) != GL_OK) return err->status;
 *     const gl_json *p = gl_json_get(root, "plugins");   // NULL when absent
 *     for (size_t i = 0; p && p->type == GL_JSON_ARRAY && i < p->n; i++) ... p->items[i] ...
 *     gl_json_free(root);
 */
#ifndef GL_UTIL_JSON_H
#define GL_UTIL_JSON_H

#include <stddef.h>
#include <stdio.h>

#include <ganlab/error.h>

typedef enum gl_json_type {
    GL_JSON_NULL,
    GL_JSON_BOOL,
    GL_JSON_NUMBER,
    GL_JSON_STRING,
    GL_JSON_ARRAY,
    GL_JSON_OBJECT
} gl_json_type;

typedef struct gl_json {
    gl_json_type type;
    double number;          /* NUMBER; BOOL: 0 or 1 */
    char *string;           /* STRING (NUL-terminated; an embedded NUL ends it early) */
    size_t n;               /* ARRAY, OBJECT: item count */
    struct gl_json **items; /* ARRAY, OBJECT: the values */
    char **keys;            /* OBJECT: the keys, in file order */
} gl_json;

/* Parses text (len bytes; not NUL-terminated necessarily). On success *out is a new tree freed
 * with gl_json_free; on failure *out is NULL and err has "source:line:col: what" (GL_ERR_INPUT). */
int gl_json_parse(const char *text, size_t len, const char *source, gl_json **out, gl_error *err);
/* Reads and parses the file at path (a regular file of at most 16 MiB). */
int gl_json_load(const char *path, gl_json **out, gl_error *err);
void gl_json_free(gl_json *j);

/* The value of key in object o (the last one when repeated), or NULL (also when o is not an
 * object). gl_json_string: that value's string, or NULL when absent or not a string. */
const gl_json *gl_json_get(const gl_json *o, const char *key);
const char *gl_json_string(const gl_json *o, const char *key);

/* Writes s as a JSON string literal (quotes, escapes for '"', '\\' and control characters). */
void gl_json_write_string(FILE *f, const char *s);
/* Writes j back as compact JSON (numbers %.17g; for copying parts of a file into a new one). */
void gl_json_write(FILE *f, const gl_json *j);

#endif

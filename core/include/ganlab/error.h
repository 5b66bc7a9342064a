/* ganlab/error.h - the error object every fallible ganlab function fills.
 *
 * Convention: a function that can fail returns an int status (GL_OK or a gl_status code) and, on
 * failure, writes one or more human-readable lines into the caller's gl_error. Nothing in the
 * library or a plugin calls exit(); only the runner's main() turns a status into an exit code.
 *
 * Lines are accumulated (gl_error_add) so a validator can report every fault it finds, not only the
 * first. Each line should name where the fault is: "file:line:col: ...", "key 'loss.lambda': ...",
 * or "plugin 'mlp': ...", and where possible the cure.
 *
 * Example:
 *     gl_error err;
 *     gl_error_init(&err);
 *     if (gl_something(..., &err) != GL_OK) { gl_error_print(&err, stderr); return err.status; }
 */
#ifndef GANLAB_ERROR_H
#define GANLAB_ERROR_H

#include <ganlab/api.h>

#include <stdarg.h>
#include <stdio.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Status codes; their values are the runner's exit codes (docs/cli.md). */
typedef enum gl_status {
    GL_OK = 0,
    GL_ERR_RUN =
        1, /* a run failed: non-finite loss, I/O error while training, a child run failed */
    GL_ERR_INPUT = 2 /* bad usage or bad input: config, plugin, data file, checkpoint */
} gl_status;

#define GL_ERROR_CAPACITY 8192

/* Owned by the caller (usually on its stack); holds no heap memory, so there is nothing to free. */
typedef struct gl_error {
    int status;                   /* GL_OK until the first gl_error_set/add */
    int count;                    /* number of lines added */
    size_t len;                   /* bytes used in text */
    char text[GL_ERROR_CAPACITY]; /* lines separated by '\n', no trailing newline; truncated with
                                     "..." */
} gl_error;

GL_API void gl_error_init(gl_error *err);

/* Appends one line (printf-style) and sets err->status to status (the larger status wins).
 * Returns status, so `return gl_error_add(err, GL_ERR_INPUT, "...")` reads naturally. err may be
 * NULL. */
GL_API int gl_error_add(gl_error *err, int status, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
GL_API int gl_error_addv(gl_error *err, int status, const char *fmt, va_list ap);

/* Prints every line to f, each prefixed with "ganlab: error: ". */
GL_API void gl_error_print(const gl_error *err, FILE *f);

#ifdef __cplusplus
}
#endif
#endif

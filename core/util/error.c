/* error.c - the accumulating error object of ganlab/error.h. Bounded: it never allocates, and
 * a message that does not fit is cut with "..." rather than dropped. */
#include <ganlab/error.h>

#include <string.h>

void gl_error_init(gl_error *err)
{
    err->status = GL_OK;
    err->count = 0;
    err->len = 0;
    err->text[0] = '\0';
}

int gl_error_addv(gl_error *err, int status, const char *fmt, va_list ap)
{
    if (!err)
        return status;
    if (status > err->status)
        err->status = status;
    size_t room = sizeof err->text - err->len;
    if (room < 5)
        return status;
    char *at = err->text + err->len;
    if (err->count > 0) {
        *at++ = '\n';
        room--;
    }
    int n = vsnprintf(at, room, fmt, ap);
    if (n < 0)
        n = 0;
    if ((size_t)n >= room) {
        memcpy(err->text + sizeof err->text - 4, "...", 4);
        err->len = sizeof err->text - 1;
    } else {
        err->len = (size_t)(at - err->text) + (size_t)n;
    }
    err->count++;
    return status;
}

int gl_error_add(gl_error *err, int status, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    gl_error_addv(err, status, fmt, ap);
    va_end(ap);
    return status;
}

void gl_error_print(const gl_error *err, FILE *f)
{
    /* Every line, also those a message embeds (a list of changed keys, say). */
    const char *line = err->text;
    while (err->count > 0 && *line) {
        const char *nl = strchr(line, '\n');
        int n = nl ? (int)(nl - line) : (int)strlen(line);
        fprintf(f, "ganlab: error: %.*s\n", n, line);
        if (!nl)
            break;
        line = nl + 1;
    }
}

/* log.c - the core's log (util/log.h) and gl_plugin_log (ganlab/plugin.h) over it.
 *
 * On a terminal, a progress line is rewritten in place, so every other line first clears it
 * ("\r" then erase-line); the file gets plain lines only. Core lines go to the file without the
 * "[who]" prefix (log.txt is the run's own log); a plugin's keep its name, so that a reader of
 * log.txt knows who spoke. */
#include "util/log.h"

#include <stdarg.h>
#include <string.h>
#include <unistd.h>

#include <ganlab/plugin.h>

static FILE *log_file;
static int tty = -1; /* -1: not asked yet */

void gl_log_set_file(FILE *f) { log_file = f; }

static const char *clear(void)
{
    if (tty < 0)
        tty = isatty(STDERR_FILENO);
    return tty ? "\r\033[K" : "";
}

static void to_file(const char *prefix, const char *text)
{
    if (log_file) {
        fprintf(log_file, "%s%s\n", prefix, text);
        fflush(log_file);
    }
}

void gl_log_line(const char *who, const char *fmt, ...)
{
    char text[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(text, sizeof text, fmt, ap);
    va_end(ap);
    fprintf(stderr, "%s[%s] %s\n", clear(), who, text);
    to_file("", text);
}

void gl_log_error_to_file(const char *text)
{
    fputs(clear(), stderr);
    for (const char *line = text; log_file && *line;) {
        size_t n = strcspn(line, "\n");
        fprintf(log_file, "error: %.*s\n", (int)n, line);
        line += n + (line[n] == '\n');
    }
    if (log_file)
        fflush(log_file);
}

void gl_log_progress(const char *who, const char *text, int last)
{
    if (*clear()) {
        fprintf(stderr, "\r\033[K[%s] %s", who, text);
        if (last)
            fputc('\n', stderr);
    } else {
        fprintf(stderr, "[%s] %s\n", who, text);
    }
    to_file("", text);
}

void gl_plugin_log(gl_log_level level, const char *plugin, const char *fmt, ...)
{
    char text[1024], prefix[96];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(text, sizeof text, fmt, ap);
    va_end(ap);
    const char *what = level == GL_LOG_WARNING ? "warning: " : "";
    fprintf(stderr, "%s[%s] %s%s\n", clear(), plugin ? plugin : "plugin", what, text);
    snprintf(prefix, sizeof prefix, "[%s] %s", plugin ? plugin : "plugin", what);
    to_file(prefix, text);
}

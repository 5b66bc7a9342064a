/* util/log.h - the core's log: lines to stderr ("[who] text") and, during `ganlab train`, to the
 * run's log.txt, plus the one live progress line a terminal shows. Plugins reach it through
 * gl_plugin_log (ganlab/plugin.h). Process-wide: a ganlab process runs one command at a time.
 * Not thread-safe: the core and plugins log from the main thread only. */
#ifndef GL_UTIL_LOG_H
#define GL_UTIL_LOG_H

#include <stdio.h>

/* The file that receives every line besides stderr (the run's log.txt), or NULL for none. The
 * caller keeps f open until it sets NULL again. */
void gl_log_set_file(FILE *f);

/* One line: "[who] text" on stderr (clearing a live progress line first); "text" in the file. */
void gl_log_line(const char *who, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* An error's text (its lines) to the file only, for a run's log.txt: main prints it on stderr,
 * once. On a terminal it clears a live progress line, so that main's line starts clean. */
void gl_log_error_to_file(const char *text);

/* A progress line: on a terminal it replaces the previous one in place ("\r", cleared) and ends
 * with a newline only when last; elsewhere it is a plain line. Also a plain line in the file. */
void gl_log_progress(const char *who, const char *text, int last);

#endif

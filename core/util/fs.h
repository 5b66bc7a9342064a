/* util/fs.h - small file-system helpers shared by the run directory, reports, suites and caches. */
#ifndef GL_UTIL_FS_H
#define GL_UTIL_FS_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/stat.h>

#include <ganlab/error.h>

/* mkdir -p: creates path and its missing parents (mode 0777 less the umask). An existing directory
 * is fine. GL_ERR_RUN naming the component that could not be created; GL_ERR_INPUT naming the one
 * that exists but is not a directory (a file, a dangling link, a link loop). */
int gl_mkdir_p(const char *path, gl_error *err);

/* Opens path read-only without ever blocking (a FIFO given as a file would hang a plain open) and
 * fills *st. Returns the descriptor, -1 with errno when open or fstat failed, or GL_NOT_REGULAR
 * (nothing left open) when path is not a regular file. */
#define GL_NOT_REGULAR (-2)
int gl_open_regular(const char *path, struct stat *st);

/* fopen for the files of a run directory that are read ("r", "rb") or appended to ("a", "ab",
 * created when missing): never blocks on a FIFO and refuses anything but a regular file. NULL when
 * it cannot, with *why saying why: "not a regular file" (errno EINVAL, bad input), or
 * strerror(errno) with errno kept. */
FILE *gl_fopen_regular(const char *path, const char *mode, const char **why);

/* st's modification time in nanoseconds: with the size, what says a file was rewritten (a rewrite
 * within the same second keeps st_mtime). */
int64_t gl_mtime_ns(const struct stat *st);

/* The cache directory of every ganlab cache (the evaluator's, the decompressed IDX files):
 * $XDG_CACHE_HOME/ganlab when XDG_CACHE_HOME is an absolute path, else $HOME/.cache/ganlab (the
 * XDG base directory rule) when HOME is one, into buf; not created. GL_ERR_RUN when neither is. */
int gl_cache_dir(char *buf, size_t cap, gl_error *err);

#endif

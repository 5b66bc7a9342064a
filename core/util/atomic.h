/* util/atomic.h - write a file so that readers see either the old file or the complete new one.
 *
 * Internal to libganlab (not installed). The data goes to a temporary file in the target's own
 * directory (rename(2) is atomic only within one filesystem), named "PATH.tmp.HOST.PID.N"; commit
 * flushes it to disk, renames it over PATH and syncs the directory so the rename itself survives a
 * crash. A failure at any step removes the temporary file, so no half-written file is ever left
 * behind, neither under PATH nor under a temporary name.
 *
 * Example:
 *     gl_atomic_file f;
 *     if (gl_atomic_open(&f, "run/metrics.csv", err) != GL_OK) return err->status;
 *     fprintf(f.fp, "step,loss\n");
 *     return gl_atomic_commit(&f, err);    // or gl_atomic_abort(&f) to drop what was written
 */
#ifndef GL_UTIL_ATOMIC_H
#define GL_UTIL_ATOMIC_H

#include <stdio.h>

#include <ganlab/error.h>

typedef struct gl_atomic_file {
    FILE *fp;       /* write here between open and commit/abort; NULL when closed */
    char *path;     /* the final path (malloc'd copy; freed by commit/abort) */
    char *tmp_path; /* the temporary file's path (malloc'd; freed by commit/abort) */
} gl_atomic_file;

/* Creates the temporary file for path (mode 0666 less the umask) and fills *f.
 * Returns GL_OK, or GL_ERR_RUN with a line naming the path and strerror (f is then closed, nothing
 * is left on disk, and commit/abort on it do nothing). */
int gl_atomic_open(gl_atomic_file *f, const char *path, gl_error *err);

/* fflush, fsync, fclose, rename over f->path, fsync of the directory. Always closes f: on success
 * the new file is in place; on failure (a write error seen by ferror, a full disk, rename refused)
 * the temporary file is removed, the old file at path (if any) is untouched, and err names the path
 * and the cause. Returns GL_OK or GL_ERR_RUN. */
int gl_atomic_commit(gl_atomic_file *f, gl_error *err);

/* As gl_atomic_commit, but a file already at f->path stays and f's is dropped (GL_OK either way):
 * for a file that every writer makes the same (a cache entry), since renaming over another
 * writer's file pulls it from under that writer's readers on NFS (they get ESTALE). Uses link(2);
 * a filesystem without hard links gets gl_atomic_commit's rename. */
int gl_atomic_commit_new(gl_atomic_file *f, gl_error *err);

/* Closes and removes the temporary file; the old file at path (if any) is untouched. Safe to call
 * on an already closed f (after commit, abort or a failed open). */
void gl_atomic_abort(gl_atomic_file *f);

/* Whether the file name (or path) is a temporary file of gl_atomic_open left by a process of this
 * host that is no longer alive (killed with SIGKILL, or the machine crashed): such files are never
 * committed and may be removed. A temporary file of another host is never called stale, since a
 * run directory on a shared filesystem may be written from another machine. */
int gl_atomic_is_stale_tmp(const char *name);

/* Removes the stale temporary files (gl_atomic_is_stale_tmp) directly in dir; a missing dir or a
 * file that cannot be removed is left alone. */
void gl_atomic_remove_stale(const char *dir);

#endif

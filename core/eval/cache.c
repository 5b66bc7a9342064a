/* cache.c - the evaluator cache (eval.h): files that are expensive to compute and a function of
 * their name, shared by every run of the user (the classifier evaluator's trained weights).
 *
 * Location: util/fs.h's gl_cache_dir ($XDG_CACHE_HOME/ganlab, else ~/.cache/ganlab). Files are
 * written atomically (util/atomic.h), so a concurrent reader sees the old file or the whole new
 * one; a missing or unreadable file is a miss, never an error. The cache holds no index: deleting
 * the directory is always safe.
 */
#include "eval/eval.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "util/atomic.h"
#include "util/fs.h"

/* dir/name into buf, refusing names that are not plain file names. */
static int cache_path(const char *name, char *buf, size_t cap, gl_error *err)
{
    if (!name[0] || name[0] == '.' ||
        strspn(name, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-") !=
            strlen(name))
        return gl_error_add(err, GL_ERR_INPUT, "cache file name '%s' is not [A-Za-z0-9._-]+", name);
    char dir[4096];
    if (gl_cache_dir(dir, sizeof dir, err) != GL_OK)
        return GL_ERR_RUN;
    int n = snprintf(buf, cap, "%s/%s", dir, name);
    if (n < 0 || (size_t)n >= cap)
        return gl_error_add(err, GL_ERR_RUN, "the cache file's path is too long");
    return GL_OK;
}

int gl_eval_cache_load(void *core, const char *name, void **data, size_t *size, gl_error *err)
{
    *data = NULL;
    *size = 0;
    char path[4200];
    gl_error quiet; /* a cache we cannot locate is a miss */
    gl_error_init(&quiet);
    if (cache_path(name, path, sizeof path, &quiet) != GL_OK)
        return quiet.status == GL_ERR_INPUT ? gl_error_add(err, GL_ERR_INPUT, "%s", quiet.text)
                                            : GL_OK;
    const char *why;
    /* A miss also when it is not a regular file (a FIFO there would block fopen): the entry
     * written after the evaluation replaces it. */
    FILE *f = gl_fopen_regular(path, "rb", &why);
    if (!f)
        return GL_OK;
    struct stat st;
    /* Freed by the caller with free(). */
    void *buf = fstat(fileno(f), &st) == 0 && st.st_size > 0 ? malloc((size_t)st.st_size) : NULL;
    if (buf && fread(buf, 1, (size_t)st.st_size, f) == (size_t)st.st_size) {
        *data = buf;
        *size = (size_t)st.st_size;
    } else {
        free(buf);
    }
    fclose(f);
    return GL_OK;
}

/* mkdir -p of path's directories (up to the last '/'). */
static int make_dirs(const char *path, gl_error *err)
{
    char tmp[4200];
    snprintf(tmp, sizeof tmp, "%s", path);
    for (char *p = tmp + 1; *p; p++) {
        if (*p != '/')
            continue;
        *p = '\0';
        if (mkdir(tmp, 0777) != 0 && errno != EEXIST)
            return gl_error_add(err, GL_ERR_RUN, "cannot create the cache directory %s: %s", tmp,
                                strerror(errno));
        *p = '/';
    }
    return GL_OK;
}

int gl_eval_cache_save(void *core, const char *name, const void *data, size_t size, gl_error *err)
{
    char path[4200];
    if (cache_path(name, path, sizeof path, err) != GL_OK || make_dirs(path, err) != GL_OK)
        return err->status;
    gl_atomic_file af;
    if (gl_atomic_open(&af, path, err) != GL_OK)
        return GL_ERR_RUN;
    fwrite(data, 1, size, af.fp);
    return gl_atomic_commit(&af, err) == GL_OK ? GL_OK : GL_ERR_RUN;
}

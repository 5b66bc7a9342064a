/* fs.c - see util/fs.h. */
#include "util/fs.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

int gl_mkdir_p(const char *path, gl_error *err)
{
    char buf[4096];
    if (!path[0]) /* the loop starts past the first byte */
        return gl_error_add(err, GL_ERR_INPUT, "an empty directory name");
    if (snprintf(buf, sizeof buf, "%s", path) >= (int)sizeof buf)
        return gl_error_add(err, GL_ERR_INPUT, "%s: path too long", path);
    for (char *p = buf + 1;; p++) {
        if (*p && *p != '/')
            continue;
        char c = *p;
        *p = '\0';
        struct stat st;
        int made = mkdir(buf, 0777) == 0;
        if (!made && errno != EEXIST)
            return gl_error_add(err, GL_ERR_RUN, "%s: cannot create directory: %s", buf,
                                strerror(errno));
        /* EEXIST is also a file, or a link to nowhere, named where a directory must be. */
        if (!made && stat(buf, &st) != 0)
            return gl_error_add(err, GL_ERR_INPUT, "%s: not a directory: %s", buf, strerror(errno));
        if (!made && !S_ISDIR(st.st_mode))
            return gl_error_add(err, GL_ERR_INPUT, "%s: not a directory", buf);
        if (!c)
            return GL_OK;
        *p = c;
    }
}

int gl_open_regular(const char *path, struct stat *st)
{
    /* O_NONBLOCK: open(2) of a FIFO with no writer blocks until one comes, before fstat could
     * refuse it. Regular files ignore the flag, so it is cleared only for tidiness. */
    int fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
    if (fd < 0)
        return -1;
    if (fstat(fd, st) != 0) {
        int e = errno;
        close(fd);
        errno = e;
        return -1;
    }
    if (!S_ISREG(st->st_mode)) {
        close(fd);
        return GL_NOT_REGULAR;
    }
    fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK);
    return fd;
}

FILE *gl_fopen_regular(const char *path, const char *mode, const char **why)
{
    struct stat st;
    int fd, append = mode[0] == 'a';
    if (!append)
        fd = gl_open_regular(path, &st);
    else if ((fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_NONBLOCK | O_CLOEXEC, 0666)) >= 0)
        fd = fstat(fd, &st) == 0 && !S_ISREG(st.st_mode) ? (close(fd), GL_NOT_REGULAR) : fd;
    else if (errno == ENXIO || errno == EISDIR) /* ENXIO: a FIFO without a reader */
        fd = GL_NOT_REGULAR;
    FILE *f = fd >= 0 ? fdopen(fd, mode) : NULL;
    if (f) {
        if (append)
            fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK);
        return f;
    }
    int e = errno;
    if (fd >= 0)
        close(fd);
    *why = fd == GL_NOT_REGULAR ? "not a regular file" : strerror(e);
    errno = fd == GL_NOT_REGULAR ? EINVAL : e;
    return NULL;
}

int64_t gl_mtime_ns(const struct stat *st)
{
    return (int64_t)st->st_mtim.tv_sec * 1000000000 + st->st_mtim.tv_nsec;
}

int gl_cache_dir(char *buf, size_t cap, gl_error *err)
{
    const char *xdg = getenv("XDG_CACHE_HOME"), *home = getenv("HOME");
    int n;
    if (xdg && xdg[0] == '/')
        n = snprintf(buf, cap, "%s/ganlab", xdg);
    else if (home && home[0] == '/')
        n = snprintf(buf, cap, "%s/.cache/ganlab", home);
    else /* a relative one would put a cache in whatever directory a run starts in */
        return gl_error_add(err, GL_ERR_RUN,
                            "no cache directory: neither XDG_CACHE_HOME nor HOME is an absolute "
                            "path");
    if (n < 0 || (size_t)n >= cap)
        return gl_error_add(err, GL_ERR_RUN, "the cache directory's path is too long");
    return GL_OK;
}

/* atomic.c - atomic file replacement (util/atomic.h): temporary file + fsync + rename + fsync of
 * the directory. Not done: locking against concurrent writers of the same path (the last commit
 * wins, the first with gl_atomic_commit_new; a run directory has one writer by its run.lock) and
 * Windows. */
#include "util/atomic.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Makes temporary names unique between threads of one process; the PID separates processes. */
static atomic_uint tmp_counter;

/* The host part of temporary names: the host name with '/' (impossible in a file name) replaced. */
static void this_host(char *host, size_t cap)
{
    if (gethostname(host, cap) != 0)
        snprintf(host, cap, "localhost");
    host[cap - 1] = '\0';
    for (char *c = host; *c; c++)
        if (*c == '/')
            *c = '_';
}

int gl_atomic_is_stale_tmp(const char *name)
{
    /* NAME.tmp.HOST.PID.N, HOST possibly with dots: PID and N are the last two parts. */
    const char *tmp = strstr(name, ".tmp.");
    if (!tmp)
        return 0;
    const char *host = tmp + 5;
    const char *dot_n = strrchr(host, '.');
    if (!dot_n || dot_n == host || dot_n[1] == '\0' || dot_n[1 + strspn(dot_n + 1, "0123456789")])
        return 0;
    const char *dot_pid = dot_n - 1;
    while (dot_pid > host && *dot_pid != '.')
        dot_pid--;
    if (dot_pid == host || dot_pid + 1 == dot_n ||
        (size_t)(dot_n - dot_pid - 1) != strspn(dot_pid + 1, "0123456789"))
        return 0;
    char mine[HOST_NAME_MAX + 1];
    this_host(mine, sizeof mine);
    if (strlen(mine) != (size_t)(dot_pid - host) || strncmp(mine, host, strlen(mine)) != 0)
        return 0;
    long pid = strtol(dot_pid + 1, NULL, 10);
    return pid > 0 && kill((pid_t)pid, 0) != 0 && errno == ESRCH;
}

static void release(gl_atomic_file *f)
{
    free(f->path);
    free(f->tmp_path);
    f->fp = NULL;
    f->path = NULL;
    f->tmp_path = NULL;
}

int gl_atomic_open(gl_atomic_file *f, const char *path, gl_error *err)
{
    f->fp = NULL;
    f->tmp_path = NULL;
    f->path = strdup(path);
    char host[HOST_NAME_MAX + 1];
    this_host(host, sizeof host);
    size_t cap = strlen(path) + strlen(host) + 48;
    f->tmp_path = malloc(cap);
    if (!f->path || !f->tmp_path) {
        release(f);
        return gl_error_add(err, GL_ERR_RUN, "%s: out of memory", path);
    }
    int fd = -1;
    /* O_EXCL: never write into a file that someone else created under the same name. */
    for (int attempt = 0; attempt < 16 && fd < 0; attempt++) {
        snprintf(f->tmp_path, cap, "%s.tmp.%s.%ld.%u", path, host, (long)getpid(),
                 atomic_fetch_add(&tmp_counter, 1u));
        fd = open(f->tmp_path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
        if (fd < 0 && errno != EEXIST)
            break;
    }
    if (fd < 0) {
        int e = errno;
        gl_error_add(err, GL_ERR_RUN, "%s: cannot create temporary file %s: %s", path, f->tmp_path,
                     strerror(e));
        release(f);
        return GL_ERR_RUN;
    }
    f->fp = fdopen(fd, "wb");
    if (!f->fp) {
        int e = errno;
        close(fd);
        unlink(f->tmp_path);
        gl_error_add(err, GL_ERR_RUN, "%s: cannot open temporary file: %s", path, strerror(e));
        release(f);
        return GL_ERR_RUN;
    }
    return GL_OK;
}

void gl_atomic_abort(gl_atomic_file *f)
{
    if (f->fp)
        fclose(f->fp);
    if (f->tmp_path)
        unlink(f->tmp_path);
    release(f);
}

/* The rename is only durable once the directory entry is on disk. Some filesystems refuse fsync on
 * a directory (EINVAL); the data itself is already synced there, so that is not an error. */
static int sync_dir(const char *path, gl_error *err)
{
    const char *slash = strrchr(path, '/');
    char *dir = slash ? strndup(path, slash == path ? 1 : (size_t)(slash - path)) : strdup(".");
    if (!dir)
        return gl_error_add(err, GL_ERR_RUN, "%s: out of memory", path);
    int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    int rc = GL_OK;
    if (fd < 0 || (fsync(fd) != 0 && errno != EINVAL))
        rc = gl_error_add(err, GL_ERR_RUN, "%s: cannot sync directory %s: %s", path, dir,
                          strerror(errno));
    if (fd >= 0)
        close(fd);
    free(dir);
    return rc;
}

/* Why an earlier write to fp failed, which ferror() records but errno no longer says: one more
 * byte, into a file that is removed anyway, fails again the same way (a full disk, a quota, a file
 * size limit). EIO when it does not, rather than call a full disk a hardware fault by default. */
static int write_cause(FILE *fp)
{
    clearerr(fp);
    errno = 0;
    return fputc(0, fp) == EOF || fflush(fp) != 0 ? (errno ? errno : EIO) : EIO;
}

/* Puts the written temporary file at f->path: rename(2) over whatever is there, or when !replace
 * link(2), which leaves an existing file alone, then drops the temporary name. A filesystem
 * without hard links gets the rename. Returns 0 or -1 with errno. */
static int place(const gl_atomic_file *f, int replace)
{
    if (!replace && (link(f->tmp_path, f->path) == 0 || errno == EEXIST))
        return unlink(f->tmp_path);
    return rename(f->tmp_path, f->path);
}

static int commit(gl_atomic_file *f, int replace, gl_error *err)
{
    if (!f->fp)
        return gl_error_add(err, GL_ERR_RUN, "atomic write: commit on a file that is not open");
    const char *what = NULL;
    int e = 0;
    if (ferror(f->fp)) {
        what = "write failed";
        e = write_cause(f->fp);
    } else if (fflush(f->fp) != 0) {
        what = "write failed";
        e = errno;
    } else if (fsync(fileno(f->fp)) != 0) {
        what = "fsync failed";
        e = errno;
    }
    int closed = fclose(f->fp);
    f->fp = NULL;
    if (!what && closed != 0) {
        what = "close failed";
        e = errno;
    }
    if (!what && place(f, replace) != 0) {
        what = "rename failed";
        e = errno;
    }
    if (what) {
        gl_error_add(err, GL_ERR_RUN, "%s: %s: %s", f->path, what, strerror(e));
        gl_atomic_abort(f);
        return GL_ERR_RUN;
    }
    int rc = sync_dir(f->path, err);
    release(f);
    return rc;
}

int gl_atomic_commit(gl_atomic_file *f, gl_error *err) { return commit(f, 1, err); }

int gl_atomic_commit_new(gl_atomic_file *f, gl_error *err) { return commit(f, 0, err); }

void gl_atomic_remove_stale(const char *dir)
{
    DIR *d = opendir(dir);
    if (!d)
        return;
    struct dirent *e;
    while ((e = readdir(d)) != NULL)
        if (gl_atomic_is_stale_tmp(e->d_name)) {
            char path[8192];
            if (snprintf(path, sizeof path, "%s/%s", dir, e->d_name) < (int)sizeof path)
                remove(path);
        }
    closedir(d);
}

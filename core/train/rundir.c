/* rundir.c - the run directory: created fresh (never overwriting: <name>, <name>-2, <name>-3, ...),
 * with samples/ and checkpoints/; checkpoint names step_NNNNNNNN.ckpt sort by step, so the newest
 * is the largest name and pruning keeps the last train.keep_checkpoints. One writer at a time holds
 * run.lock; temporary files of writers that died are removed when the next one starts. */
#include "train/rundir.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util/atomic.h"
#include "util/fs.h"

/* dir holds a path only once that directory exists: `train` prints it as the run's. */
static int not_created(char *dir, gl_error *err)
{
    dir[0] = '\0';
    return err->status;
}

int gl_rundir_create(const char *out_dir, const char *name, char *dir, size_t cap, gl_error *err)
{
    if (gl_mkdir_p(out_dir, err) != GL_OK)
        return not_created(dir, err);
    for (int k = 1; k < 100000; k++) {
        int n = k == 1 ? snprintf(dir, cap, "%s/%s", out_dir, name)
                       : snprintf(dir, cap, "%s/%s-%d", out_dir, name, k);
        if (n < 0 || (size_t)n >= cap) {
            gl_error_add(err, GL_ERR_INPUT, "%s/%s: path too long", out_dir, name);
            return not_created(dir, err);
        }
        /* mkdir is the atomic claim: two runs started at once never share a directory. */
        if (mkdir(dir, 0777) == 0) {
            char sub[4096];
            snprintf(sub, sizeof sub, "%s/samples", dir);
            if (gl_mkdir_p(sub, err) != GL_OK)
                return err->status;
            snprintf(sub, sizeof sub, "%s/checkpoints", dir);
            return gl_mkdir_p(sub, err);
        }
        if (errno != EEXIST) {
            gl_error_add(err, GL_ERR_RUN, "%s: cannot create the run directory: %s", dir,
                         strerror(errno));
            return not_created(dir, err);
        }
    }
    gl_error_add(err, GL_ERR_RUN, "%s/%s: too many runs of this name", out_dir, name);
    return not_created(dir, err);
}

void gl_rundir_checkpoint_path(const char *dir, uint64_t step, char *path, size_t cap)
{
    snprintf(path, cap, "%s/checkpoints/step_%08llu.ckpt", dir, (unsigned long long)step);
}

static int is_ckpt(const struct dirent *e)
{
    size_t n = strlen(e->d_name);
    return n > 10 && strncmp(e->d_name, "step_", 5) == 0 && strcmp(e->d_name + n - 5, ".ckpt") == 0;
}

int gl_rundir_checkpoints(const char *dir, char ***names, int *n, gl_error *err)
{
    char sub[4096];
    snprintf(sub, sizeof sub, "%s/checkpoints", dir);
    struct dirent **list = NULL;
    int k = scandir(sub, &list, is_ckpt, alphasort);
    if (k < 0)
        return gl_error_add(err, GL_ERR_INPUT, "%s: not a run directory (no checkpoints/): %s", dir,
                            strerror(errno));
    /* The caller frees with gl_rundir_free_names. */
    *names = calloc((size_t)k + 1, sizeof **names);
    for (int i = 0; i < k; i++) {
        if (*names)
            (*names)[i] = strdup(list[i]->d_name);
        free(list[i]);
    }
    free(list);
    *n = k;
    return *names ? GL_OK : gl_error_add(err, GL_ERR_RUN, "out of memory");
}

void gl_rundir_free_names(char **names, int n)
{
    for (int i = 0; names && i < n; i++)
        free(names[i]);
    free(names);
}

int gl_rundir_newest_checkpoint(const char *dir, char *path, size_t cap, gl_error *err)
{
    char **names;
    int n;
    if (gl_rundir_checkpoints(dir, &names, &n, err) != GL_OK)
        return err->status;
    int rc = GL_OK;
    if (n == 0)
        rc = gl_error_add(err, GL_ERR_INPUT, "%s/checkpoints: no checkpoint to start from", dir);
    else
        snprintf(path, cap, "%s/checkpoints/%s", dir, names[n - 1]);
    gl_rundir_free_names(names, n);
    return rc;
}

static uint64_t name_step(const char *name) { return strtoull(name + 5, NULL, 10); }

void gl_rundir_prune(const char *dir, int keep, uint64_t step)
{
    char **names;
    int n;
    if (keep < 1 || gl_rundir_checkpoints(dir, &names, &n, NULL) != GL_OK)
        return;
    /* By name alone, a resume from an older checkpoint would remove the ones it writes first. */
    int older = 0;
    for (int i = 0; i < n; i++)
        older += name_step(names[i]) <= step;
    for (int i = 0; i < n && older > keep; i++)
        if (name_step(names[i]) <= step) {
            char path[4096];
            snprintf(path, sizeof path, "%s/checkpoints/%s", dir, names[i]);
            remove(path);
            older--;
        }
    gl_rundir_free_names(names, n);
}

/* The holder recorded in an existing lock file, or "unknown" when it cannot be read. */
static void read_holder(int fd, char *holder, size_t cap)
{
    ssize_t n = pread(fd, holder, cap - 1, 0);
    holder[n > 0 ? n : 0] = '\0';
    holder[strcspn(holder, "\n")] = '\0';
    if (!holder[0])
        snprintf(holder, cap, "unknown");
}

/* What the holder of lock `name` is doing, for the message of a second writer. */
static const char *held_for(const char *name)
{
    if (strcmp(name, GL_RUNDIR_LOCK) == 0)
        return "the run is being trained";
    if (strcmp(name, GL_RUNDIR_SUITE_LOCK) == 0)
        return "the suite is being run";
    return "the run is being evaluated";
}

int gl_rundir_lock(const char *dir, const char *name, int *fd_out, gl_error *err)
{
    char path[4096];
    *fd_out = -1;
    snprintf(path, sizeof path, "%s/%s", dir, name);
    int fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0666);
    if (fd < 0)
        return gl_error_add(err, GL_ERR_INPUT, "%s: cannot open the run lock: %s", path,
                            strerror(errno));
    struct stat st;
    if (fstat(fd, &st) == 0 && !S_ISREG(st.st_mode)) {
        close(fd);
        return gl_error_add(err, GL_ERR_INPUT, "%s: the run lock is not a regular file", path);
    }
    /* flock, not a PID file: the kernel drops it when its holder dies, however it died, so a
     * lock left by a killed run never blocks the next one. */
    if (flock(fd, LOCK_EX | LOCK_NB) != 0) {
        int e = errno;
        char holder[300];
        read_holder(fd, holder, sizeof holder);
        close(fd);
        if (e == EWOULDBLOCK)
            return gl_error_add(err, GL_ERR_INPUT,
                                "%s: %s by %s (%s); one writer at a time: wait for it to finish "
                                "or stop it",
                                dir, held_for(name), holder, name);
        return gl_error_add(err, GL_ERR_INPUT, "%s: cannot lock: %s", path, strerror(e));
    }
    char me[300], host[256];
    if (gethostname(host, sizeof host) != 0)
        snprintf(host, sizeof host, "localhost");
    host[sizeof host - 1] = '\0';
    int n = snprintf(me, sizeof me, "%s:%ld\n", host, (long)getpid());
    if (ftruncate(fd, 0) != 0 || pwrite(fd, me, (size_t)n, 0) != n) {
        close(fd);
        return gl_error_add(err, GL_ERR_RUN, "%s: cannot write the run lock: %s", path,
                            strerror(errno));
    }
    *fd_out = fd;
    return GL_OK;
}

void gl_rundir_unlock(int fd)
{
    if (fd >= 0)
        close(fd);
}

void gl_rundir_clean_stale(const char *dir)
{
    static const char *const subs[] = {"", "/checkpoints", "/samples"};
    for (size_t i = 0; i < sizeof subs / sizeof *subs; i++) {
        char sub[4096];
        snprintf(sub, sizeof sub, "%s%s", dir, subs[i]);
        gl_atomic_remove_stale(sub);
    }
}

/* idx_cache.c - see util/idx_cache.h. */
#include "util/idx_cache.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>

#include "util/fs.h"
#include "util/sha256.h"

#define TRAILER 8 /* "GLIC", CRC-32 big-endian */

static void trailer(uint32_t crc, uint8_t out[TRAILER])
{
    memcpy(out, "GLIC", 4);
    for (int i = 0; i < 4; i++)
        out[4 + i] = (uint8_t)(crc >> (24 - 8 * i));
}

int gl_idx_cache_locate_id(gl_idx_cache *c, const void *id, size_t n, gl_error *err)
{
    char dir[4096], hex[65];
    if (gl_cache_dir(dir, sizeof dir, err) != GL_OK)
        return GL_ERR_RUN;
    gl_sha256_hex(id, n, hex);
    hex[32] = '\0'; /* 128 bits tell sources apart */
    int len = snprintf(c->path, sizeof c->path, "%s/idx/%s.idx", dir, hex);
    if (len < 0 || (size_t)len >= sizeof c->path)
        return gl_error_add(err, GL_ERR_RUN, "the cache directory's path is too long");
    return GL_OK;
}

int gl_idx_cache_locate(gl_idx_cache *c, const char *src, const struct stat *st,
                        const uint8_t *header, size_t hlen, const uint8_t gz_trailer[8],
                        gl_error *err)
{
    char abs[PATH_MAX], id[PATH_MAX + 128];
    if (!realpath(src, abs))
        snprintf(abs, sizeof abs, "%s", src);
    int n = snprintf(id, sizeof id, "%s\n%lld\n%lld.%09ld\n%08lx\n%08lx", abs,
                     (long long)st->st_size, (long long)st->st_mtim.tv_sec, st->st_mtim.tv_nsec,
                     crc32(0, header, (uInt)hlen), crc32(0, gz_trailer, 8));
    return gl_idx_cache_locate_id(c, id, (size_t)n < sizeof id ? (size_t)n : sizeof id - 1, err);
}

/* Reads fd to its end, checking it starts with header; returns its CRC-32 over want bytes, or
 * writes what is wrong into why. */
static uint32_t check_payload(int fd, const uint8_t *header, size_t hlen, uint64_t want, char *why,
                              size_t cap)
{
    uint8_t buf[1 << 16];
    uint32_t crc = crc32(0, NULL, 0);
    for (uint64_t got = 0; got < want && !*why;) {
        size_t chunk = want - got < sizeof buf ? (size_t)(want - got) : sizeof buf;
        ssize_t r = read(fd, buf, chunk);
        if (r <= 0)
            snprintf(why, cap, "cannot read: %s", r < 0 ? strerror(errno) : "shorter than stated");
        else if (got == 0 && ((size_t)r < hlen || memcmp(buf, header, hlen) != 0))
            snprintf(why, cap, "holds another file's header");
        else
            crc = crc32(crc, buf, (uInt)r);
        got += r > 0 ? (uint64_t)r : 0;
    }
    return crc;
}

int gl_idx_cache_open(const gl_idx_cache *c, const uint8_t *header, size_t hlen, uint64_t size,
                      struct stat *st, char *why, size_t cap)
{
    *why = '\0';
    int fd = gl_open_regular(c->path, st);
    if (fd < 0) {
        if (fd == GL_NOT_REGULAR || (errno != ENOENT && errno != ENOTDIR))
            snprintf(why, cap, "cannot open: %s",
                     fd == GL_NOT_REGULAR ? "not a regular file" : strerror(errno));
        return -1;
    }
    uint64_t want = hlen + size;
    uint8_t tail[TRAILER], expect[TRAILER];
    if ((uint64_t)st->st_size != want + TRAILER)
        snprintf(why, cap, "holds %lld bytes instead of %llu", (long long)st->st_size,
                 (unsigned long long)(want + TRAILER));
    else {
        uint32_t crc = check_payload(fd, header, hlen, want, why, cap);
        trailer(crc, expect);
        if (!*why && (read(fd, tail, TRAILER) != TRAILER || memcmp(tail, expect, TRAILER) != 0))
            snprintf(why, cap, "its checksum does not match its data");
    }
    if (*why) {
        close(fd);
        return -1;
    }
    return fd;
}

int gl_idx_cache_begin(gl_idx_cache *c, const uint8_t *header, size_t hlen, gl_error *err)
{
    char dir[sizeof c->path];
    snprintf(dir, sizeof dir, "%s", c->path);
    *strrchr(dir, '/') = '\0';
    if (gl_mkdir_p(dir, err) != GL_OK)
        return GL_ERR_RUN;
    gl_atomic_remove_stale(dir); /* 47 MB each, left by a run killed while writing an entry */
    if (gl_atomic_open(&c->af, c->path, err) != GL_OK)
        return GL_ERR_RUN;
    c->crc = crc32(0, NULL, 0);
    return gl_idx_cache_write(c, header, hlen, err);
}

int gl_idx_cache_write(void *cache, const uint8_t *data, size_t n, gl_error *err)
{
    gl_idx_cache *c = cache;
    c->crc = crc32(c->crc, data, (uInt)n); /* n is at most a read buffer's size */
    fwrite(data, 1, n, c->af.fp);          /* a failure stays in ferror(), which commit checks */
    return GL_OK;
}

int gl_idx_cache_commit(gl_idx_cache *c, gl_error *err)
{
    uint8_t tail[TRAILER];
    trailer(c->crc, tail);
    fwrite(tail, 1, TRAILER, c->af.fp);
    return gl_atomic_commit_new(&c->af, err);
}

void gl_idx_cache_abort(gl_idx_cache *c) { gl_atomic_abort(&c->af); }

void gl_idx_cache_remove(const gl_idx_cache *c) { unlink(c->path); }

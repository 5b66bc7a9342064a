/* byte_images_cache.c - gl_byte_images_cached (ganlab/dataset.h): a plugin's decoded images kept
 * in the cache of decompressed IDX files (util/idx_cache.h), in its format: an entry is an IDX
 * file of unsigned bytes with 5 dimensions (n, layout, c, h, w), layout 1 when each item is
 * stored (h, w, c) and 0 for (c, h, w), then the items, then the cache's trailer. The entry's key
 * hashes "decoded", the plugin's name and the plugin's key, so it never names an IDX source's
 * entry, nor another plugin's. */
#include <ganlab/dataset.h>
#include <ganlab/plugin.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "util/byte_images_file.h"
#include "util/fs.h"
#include "util/idx_cache.h"

#define HLEN (4 + 5 * 4)

static void put_u32(uint8_t *p, uint64_t v)
{
    for (int i = 0; i < 4; i++)
        p[i] = (uint8_t)(v >> (24 - 8 * i));
}

static uint64_t get_u32(const uint8_t *p)
{
    return (uint64_t)p[0] << 24 | (uint64_t)p[1] << 16 | (uint64_t)p[2] << 8 | p[3];
}

static void header_of(const gl_byte_images *d, uint8_t h[HLEN])
{
    static const uint8_t magic[4] = {0, 0, 8, 5};
    memcpy(h, magic, 4);
    const uint64_t dims[5] = {(uint64_t)d->n, d->channels_last ? 1 : 0, (uint64_t)d->c,
                              (uint64_t)d->h, (uint64_t)d->w};
    for (int i = 0; i < 5; i++)
        put_u32(h + 4 + 4 * i, dims[i]);
}

/* Makes d file-backed on entry c when it exists, is whole and holds the shape the caller set in
 * want (n, c, h, w; 0: any): 1. 0 when it is missing, or unusable with why saying what is wrong;
 * GL_ERR_INPUT (negative) when out of memory. */
static int use_entry(gl_byte_images *d, const gl_idx_cache *c, const int64_t want[4], char *why,
                     size_t cap, gl_error *err)
{
    uint8_t h[HLEN];
    struct stat st;
    *why = '\0';
    int fd = gl_open_regular(c->path, &st);
    if (fd < 0) {
        /* One that is there but cannot be opened (a link loop, no permission, a directory) is
         * damaged as gl_idx_cache_open sees it: named, removed and written again. */
        if (fd == GL_NOT_REGULAR || (errno != ENOENT && errno != ENOTDIR))
            snprintf(why, cap, "cannot open: %s",
                     fd == GL_NOT_REGULAR ? "not a regular file" : strerror(errno));
        return 0;
    }
    ssize_t got = pread(fd, h, HLEN, 0);
    close(fd);
    uint64_t n = get_u32(h + 4), layout = get_u32(h + 8), ch = get_u32(h + 12),
             hh = get_u32(h + 16), w = get_u32(h + 20);
    if (got != HLEN || memcmp(h, "\0\0\x08\x05", 4) != 0 || layout > 1 || n < 1 || ch < 1 ||
        ch > 4 || hh < 1 || hh > GL_DATASET_MAX_SIDE || w < 1 || w > GL_DATASET_MAX_SIDE) {
        snprintf(why, cap, "holds no decoded images");
        return 0;
    }
    const uint64_t have[4] = {n, ch, hh, w};
    for (int i = 0; i < 4; i++)
        if (want[i] > 0 && have[i] != (uint64_t)want[i]) {
            snprintf(why, cap, "holds %llu items of %llux%llux%llu, not %lld of %lldx%lldx%lld",
                     (unsigned long long)n, (unsigned long long)ch, (unsigned long long)hh,
                     (unsigned long long)w, (long long)want[0], (long long)want[1],
                     (long long)want[2], (long long)want[3]);
            return 0;
        }
    size_t item = (size_t)(ch * hh * w);
    if ((fd = gl_idx_cache_open(c, h, HLEN, n * item, &st, why, cap)) < 0)
        return 0;
    d->n = (int64_t)n;
    d->channels_last = (int)layout;
    d->c = (int)ch;
    d->h = (int)hh;
    d->w = (int)w;
    char name[sizeof c->path + 64];
    snprintf(name, sizeof name, "%s (decoded by '%s')", c->path, d->plugin);
    return gl_byte_images_attach(d, fd, HLEN, &st, name, item, err) == GL_OK ? 1 : GL_ERR_INPUT;
}

/* d's pixels into entry c (GL_OK, or GL_ERR_RUN in err with nothing left on disk). */
static int write_entry(const gl_byte_images *d, gl_idx_cache *c, gl_error *err)
{
    uint8_t h[HLEN];
    header_of(d, h);
    if (gl_idx_cache_begin(c, h, HLEN, err) != GL_OK)
        return GL_ERR_RUN;
    const size_t total = (size_t)d->n * (size_t)d->c * (size_t)d->h * (size_t)d->w;
    const size_t most = (size_t)1 << 20; /* gl_idx_cache_write's CRC takes 32-bit lengths */
    for (size_t off = 0; off < total; off += most)
        gl_idx_cache_write(c, d->pixels + off, total - off < most ? total - off : most, err);
    return gl_idx_cache_commit(c, err);
}

/* The entry for plugin's key into c->path. */
static int locate(gl_idx_cache *c, const char *plugin, const void *key, size_t key_len,
                  gl_error *err)
{
    size_t head = strlen("decoded\n") + strlen(plugin) + 1;
    char *id = malloc(head + key_len + 1); /* freed below; + 1: snprintf's NUL, for key_len 0 */
    if (!id)
        return gl_error_add(err, GL_ERR_RUN, "out of memory");
    snprintf(id, head + 1, "decoded\n%s\n", plugin);
    if (key_len > 0)
        memcpy(id + head, key, key_len);
    int rc = gl_idx_cache_locate_id(c, id, head + key_len, err);
    free(id);
    return rc;
}

int gl_byte_images_cached(gl_byte_images *d, const void *key, size_t key_len,
                          int (*decode)(void *ud, gl_byte_images *d, gl_error *err), void *ud,
                          gl_error *err)
{
    int in_memory;
    if (gl_data_in_memory(d->plugin, &in_memory, err) != GL_OK)
        return GL_ERR_INPUT;
    if (in_memory)
        return decode(ud, d, err);
    gl_idx_cache c = {.path = ""};
    gl_error cerr; /* why no cache can be used: logged, never a failure */
    gl_error_init(&cerr);
    char why[300];
    const int64_t want[4] = {d->n, d->c, d->h, d->w};
    int cache = locate(&c, d->plugin, key, key_len, &cerr) == GL_OK;
    if (cache) {
        int used = use_entry(d, &c, want, why, sizeof why, err);
        if (used != 0)
            return used > 0 ? GL_OK : GL_ERR_INPUT;
        if (*why) {
            gl_plugin_log(GL_LOG_INFO, d->plugin, "%s: %s: writing it again", c.path, why);
            gl_idx_cache_remove(&c);
        }
    }
    int rc = decode(ud, d, err);
    if (rc != GL_OK || !d->pixels)
        return rc;
    if (cache) {
        gl_plugin_log(GL_LOG_INFO, d->plugin, "keeping the decoded images in %s (once)", c.path);
        cache = write_entry(d, &c, &cerr) == GL_OK;
    }
    if (cache) {
        int used = use_entry(d, &c, want, why, sizeof why, err);
        if (used < 0)
            return GL_ERR_INPUT;
        if (used > 0) {
            free(d->pixels);
            d->pixels = NULL;
            return GL_OK;
        }
        gl_error_add(&cerr, GL_ERR_RUN, "%s: %s", c.path, *why ? why : "gone once written");
    }
    gl_plugin_log(GL_LOG_WARNING, d->plugin, "holding the decoded images in memory: %s", cerr.text);
    return GL_OK;
}

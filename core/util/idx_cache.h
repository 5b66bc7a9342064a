/* util/idx_cache.h - decompressed copies of gzip IDX files in the user's cache directory, which
 * gl_idx_load (ganlab/dataset.h) reads in place, so that a dataset's bytes live in the kernel's
 * page cache, shared by every process, instead of in each process's memory. Internal to libganlab.
 *
 * An entry is CACHE/idx/KEY.idx (CACHE: util/fs.h's gl_cache_dir): the IDX file's bytes as
 * decompressed (header, then data), so items sit at the same offsets as in a raw file, then an
 * 8-byte trailer, "GLIC" and the CRC-32 (zlib's) of those bytes big-endian. KEY is the first 32 hex
 * digits of the SHA-256 of the source's absolute path, size, modification time (ns), the CRC-32
 * of its header and its gzip trailer (the CRC-32 and length of the whole decompressed file), so a
 * changed source gets a new entry, even one of the same size with its time set back. An entry is
 * checked completely (size, header, checksum) each time it is opened. Entries are written
 * atomically (util/atomic.h) and never replaced: one is linked in only where there is none
 * (gl_atomic_commit_new), a damaged one is removed first (gl_idx_cache_remove), so no reader of a
 * good entry loses it, even on NFS. Processes that start together at worst each decompress the
 * file, and all read the first copy put in place. The temporary file of a process killed while
 * writing is removed by the next writer. Old entries stay until the directory is deleted, which is
 * always safe.
 */
#ifndef GL_UTIL_IDX_CACHE_H
#define GL_UTIL_IDX_CACHE_H

#include <stddef.h>
#include <stdint.h>
#include <sys/stat.h>

#include <ganlab/error.h>

#include "util/atomic.h"

typedef struct gl_idx_cache {
    char path[4200];   /* the entry */
    gl_atomic_file af; /* while writing it */
    uint32_t crc;      /* of the bytes written so far */
} gl_idx_cache;

/* Fills c->path for the source file src (st: its stat; header: its first hlen bytes, as
 * decompressed; gz_trailer: its last 8 bytes). GL_ERR_RUN when there is no cache directory. */
int gl_idx_cache_locate(gl_idx_cache *c, const char *src, const struct stat *st,
                        const uint8_t *header, size_t hlen, const uint8_t gz_trailer[8],
                        gl_error *err);

/* Fills c->path for the entry named by the n bytes of id (anything that names its content
 * exactly: gl_byte_images_cached's key). GL_ERR_RUN when there is no cache directory. */
int gl_idx_cache_locate_id(gl_idx_cache *c, const void *id, size_t n, gl_error *err);

/* Opens c->path read-only and checks it is a whole entry for header and size bytes of data.
 * Returns the descriptor (close-on-exec; the caller closes it) and its stat as checked in *st, or
 * -1 with what is wrong in why (cap bytes; "" when there is no entry yet). */
int gl_idx_cache_open(const gl_idx_cache *c, const uint8_t *header, size_t hlen, uint64_t size,
                      struct stat *st, char *why, size_t cap);

/* Removes the entry at c->path (a damaged one, before writing it again). */
void gl_idx_cache_remove(const gl_idx_cache *c);

/* Writing an entry: begin creates the directory and a temporary file and writes the header; write
 * appends data (its signature is idx_read.c's data sink's; a write error shows at commit); commit
 * adds the trailer and links the file into place unless an entry is there already (another
 * process's, which is kept and then read: GL_OK too); abort removes it. begin and commit return
 * GL_OK or GL_ERR_RUN naming the path and the cause (after which nothing is left on disk). */
int gl_idx_cache_begin(gl_idx_cache *c, const uint8_t *header, size_t hlen, gl_error *err);
int gl_idx_cache_write(void *cache, const uint8_t *data, size_t n, gl_error *err);
int gl_idx_cache_commit(gl_idx_cache *c, gl_error *err);
void gl_idx_cache_abort(gl_idx_cache *c);

#endif

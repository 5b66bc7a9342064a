/* idx_write.h - writing IDX files for tests and tests/data/make_idx (not part of libganlab). */
#ifndef GL_TEST_IDX_WRITE_H
#define GL_TEST_IDX_WRITE_H

#include <stddef.h>
#include <stdint.h>

/* Writes an IDX file of unsigned bytes: magic 00 00 08 ndim, the ndim dims big-endian, then
 * data[0..len). gz: gzip-compressed, else raw. len need not agree with dims, so tests can write
 * corrupt files. Returns 0 on success, -1 on an I/O error. */
int fx_write_idx(const char *path, int gz, int ndim, const uint32_t *dims, const uint8_t *data,
                 size_t len);

#endif

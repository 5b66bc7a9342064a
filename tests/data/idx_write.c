/* idx_write.c - see idx_write.h. zlib writes both flavours: "wb9" compresses, "wbT" writes the
 * bytes as they are. */
#include "idx_write.h"

#include <zlib.h>

int fx_write_idx(const char *path, int gz, int ndim, const uint32_t *dims, const uint8_t *data,
                 size_t len)
{
    uint8_t head[4 + 4 * 255] = {0, 0, 0x08, (uint8_t)ndim};
    for (int i = 0; i < ndim; i++)
        for (int k = 0; k < 4; k++)
            head[4 + 4 * i + k] = (uint8_t)(dims[i] >> (24 - 8 * k));
    unsigned head_len = 4 + 4 * (unsigned)ndim;
    gzFile f = gzopen(path, gz ? "wb9" : "wbT");
    if (!f)
        return -1;
    int ok = gzwrite(f, head, head_len) == (int)head_len &&
             (len == 0 || gzwrite(f, data, (unsigned)len) == (int)len);
    return gzclose(f) == Z_OK && ok ? 0 : -1;
}

/* fuzz_idx.c - libFuzzer harness: the IDX reader (core/util/idx_read.c, behind gl_idx_load, which
 * the idx and stacked datasets read with), plain and gzip. Its source is included so that the
 * static reader of one file is reached directly.
 * The first input byte chooses: bit 0 gzip-compresses the rest first (so the fuzzer explores IDX
 * contents behind the gzip layer, not only gzip headers); bit 1 reads it as a label file (rank 1)
 * rather than images (rank 3 or 4). */
#include "../../core/util/idx_read.c"

#include "fuzz_files.h"

/* The rest of the input as a gzip stream, in a new buffer the caller frees. */
static uint8_t *gzip(const uint8_t *data, size_t size, size_t *out_size)
{
    z_stream z;
    memset(&z, 0, sizeof z);
    if (deflateInit2(&z, 1, Z_DEFLATED, 31, 8, Z_DEFAULT_STRATEGY) != Z_OK)
        return NULL;
    size_t cap = deflateBound(&z, (uLong)size) + 32;
    uint8_t *out = malloc(cap);
    if (out) {
        z.next_in = (Bytef *)data;
        z.avail_in = (uInt)size;
        z.next_out = out;
        z.avail_out = (uInt)cap;
        deflate(&z, Z_FINISH);
        *out_size = cap - z.avail_out;
    }
    deflateEnd(&z);
    return out;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    int mode = data[0];
    const uint8_t *body = data + 1;
    size_t n = size - 1;
    uint8_t *packed = NULL;
    if (mode & 1) {
        packed = gzip(body, n, &n);
        if (!packed)
            return 0;
        body = packed;
    }
    const char *path = fuzz_memfd(body, n);
    idx_file f;
    gl_error err;
    gl_error_init(&err);
    if (read_idx("idx", path, mode & 2 ? 1 : 3, mode & 2 ? 1 : 4, &f, &err) == GL_OK)
        free(f.data);
    free(packed);
    return 0;
}

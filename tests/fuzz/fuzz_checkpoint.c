/* fuzz_checkpoint.c - libFuzzer harness: the checkpoint reader (gl_checkpoint_decode: magic,
 * version, CRC, sections, then every field of the training state) against a fixed small model of
 * 4 + 2 + 3 + 0 parameter and buffer floats, optimizer state and a 64-item data set, seed 1.
 * The first input byte chooses: bit 0 set, the harness writes the right CRC over the last 4 bytes
 * of the rest first, so that mutations reach the section and field checks behind the checksum;
 * clear, the rest is read as it is. The seed corpus (tests/fuzz/make_seeds.sh) holds valid files of
 * that shape. */
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "fuzz_files.h"
#include "train/train.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    int fix_crc = data[0] & 1;
    data++;
    size--;
    gl_ckpt_expect x = {.bytes = {0, 16, 8, 12, 0, 32, 24}, .n_items = 64, .seed = 1};
    gl_train_state st = {0};
    const unsigned char *payload[GL_CKPT_SECTIONS];
    gl_error err;
    gl_error_init(&err);
    /* A copy of exactly size bytes: a read past the end is a sanitizer error. */
    unsigned char *buf = malloc(size ? size : 1);
    if (!buf)
        return 0;
    memcpy(buf, data, size);
    if (fix_crc && size >= 4) {
        uint32_t crc = (uint32_t)crc32(crc32(0L, Z_NULL, 0), buf, (uInt)(size - 4));
        memcpy(buf + size - 4, &crc, 4);
    }
    if (gl_checkpoint_decode("fuzz.ckpt", buf, size, &x, &st, payload, &err) == GL_OK) {
        volatile unsigned char sum = 0;
        for (int i = 1; i < GL_CKPT_SECTIONS; i++)
            for (size_t k = 0; k < x.bytes[i]; k++)
                sum ^= payload[i][k];
    }
    free(buf);
    return 0;
}

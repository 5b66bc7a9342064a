/* tfrecord.c - see util/tfrecord.h. A byte-wise table CRC: event files are small and written every
 * log interval, so the slicing-by-8 or SSE4.2 variants would buy nothing measurable. */
#include "util/tfrecord.h"

#include <threads.h>

static uint32_t table[256];
static once_flag table_once = ONCE_FLAG_INIT;

static void table_init(void)
{
    for (uint32_t i = 0; i < 256; i++) {
        uint32_t c = i;
        for (int k = 0; k < 8; k++)
            c = c & 1 ? (c >> 1) ^ 0x82F63B78u : c >> 1;
        table[i] = c;
    }
}

uint32_t gl_crc32c(uint32_t crc, const void *data, size_t n)
{
    call_once(&table_once, table_init);
    const unsigned char *p = data;
    crc = ~crc;
    for (size_t i = 0; i < n; i++)
        crc = table[(crc ^ p[i]) & 0xff] ^ (crc >> 8);
    return ~crc;
}

uint32_t gl_crc32c_masked(const void *data, size_t n)
{
    uint32_t crc = gl_crc32c(0, data, n);
    return ((crc >> 15) | (crc << 17)) + 0xa282ead8u;
}

static void put_le(unsigned char *b, uint64_t v, int bytes)
{
    for (int i = 0; i < bytes; i++)
        b[i] = (unsigned char)(v >> (8 * i));
}

int gl_tfrecord_write(FILE *f, const void *data, size_t n)
{
    unsigned char head[12], tail[4];
    put_le(head, n, 8);
    put_le(head + 8, gl_crc32c_masked(head, 8), 4);
    put_le(tail, gl_crc32c_masked(data, n), 4);
    if (fwrite(head, 1, sizeof head, f) != sizeof head || fwrite(data, 1, n, f) != n ||
        fwrite(tail, 1, sizeof tail, f) != sizeof tail)
        return -1;
    return 0;
}

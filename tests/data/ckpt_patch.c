/* ckpt_patch.c - test helper: `ckpt_patch FILE OFFSET VALUE` writes VALUE as a little-endian int64
 * at byte OFFSET of the checkpoint FILE and recomputes its CRC, making a file whose checksum is
 * right but whose fields are whatever the test wants (docs/formats.md has the layout). */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <zlib.h>

int main(int argc, char **argv)
{
    if (argc != 4) {
        fprintf(stderr, "usage: ckpt_patch FILE OFFSET VALUE\n");
        return 2;
    }
    FILE *f = fopen(argv[1], "r+b");
    if (!f || fseek(f, 0, SEEK_END) != 0) {
        perror(argv[1]);
        return 2;
    }
    long n = ftell(f);
    long at = atol(argv[2]);
    unsigned char *b = malloc((size_t)n);
    if (!b || n < 12 || at < 0 || at + 8 > n - 4 || fseek(f, 0, SEEK_SET) != 0 ||
        fread(b, 1, (size_t)n, f) != (size_t)n) {
        fprintf(stderr, "%s: cannot patch offset %ld\n", argv[1], at);
        return 2;
    }
    uint64_t v = (uint64_t)strtoll(argv[3], NULL, 10);
    for (int i = 0; i < 8; i++)
        b[at + i] = (unsigned char)(v >> (8 * i));
    uint32_t crc = (uint32_t)crc32(crc32(0L, Z_NULL, 0), b, (uInt)(n - 4));
    for (int i = 0; i < 4; i++)
        b[n - 4 + i] = (unsigned char)(crc >> (8 * i));
    rewind(f);
    int ok = fwrite(b, 1, (size_t)n, f) == (size_t)n;
    free(b);
    return fclose(f) == 0 && ok ? 0 : 2;
}

/* tfrecord_split - checks a TFRecord file's framing and writes each record's data to its own file,
 * so that a test can decode them one by one with `protoc --decode`:
 *     tfrecord_split FILE PREFIX     writes PREFIX.0, PREFIX.1, ... and prints the record count
 *     tfrecord_split --unescape      stdin: a bytes field as protoc prints it (C escapes: \nnn
 *                                    octal, \xHH, \n \r \t \" \' \\); stdout: the bytes, to
 *                                    decode a message carried as bytes (the hparams plugin data)
 * Exits 1 naming the record and the fault on a bad length CRC, a bad data CRC or a truncated record
 * (a file that ends inside a record is a fault: the writer never leaves one behind after a flush).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/tfrecord.h"

static uint64_t le(const unsigned char *p, int bytes)
{
    uint64_t v = 0;
    for (int i = bytes - 1; i >= 0; i--)
        v = v << 8 | p[i];
    return v;
}

static int unescape(void)
{
    int c;
    while ((c = getchar()) != EOF) {
        if (c == '\n')
            continue;
        if (c != '\\') {
            putchar(c);
            continue;
        }
        c = getchar();
        if (c >= '0' && c <= '7') {
            int v = c - '0';
            for (int k = 0; k < 2 && (c = getchar()) >= '0' && c <= '7'; k++)
                v = v * 8 + (c - '0');
            if (c != EOF && (c < '0' || c > '7'))
                ungetc(c, stdin);
            putchar(v);
        } else if (c == 'x') {
            unsigned v;
            if (scanf("%2x", &v) != 1)
                return 1;
            putchar((int)v);
        } else {
            putchar(c == 'n' ? '\n' : c == 'r' ? '\r' : c == 't' ? '\t' : c);
        }
    }
    return 0;
}

int main(int argc, char **argv)
{
    if (argc == 2 && strcmp(argv[1], "--unescape") == 0)
        return unescape();
    if (argc != 3) {
        fprintf(stderr, "usage: tfrecord_split FILE PREFIX\n");
        return 2;
    }
    FILE *f = fopen(argv[1], "rb");
    if (!f) {
        perror(argv[1]);
        return 1;
    }
    unsigned char head[12], crc[4];
    long count = 0;
    size_t got;
    while ((got = fread(head, 1, sizeof head, f)) == sizeof head) {
        uint64_t n = le(head, 8);
        if (le(head + 8, 4) != gl_crc32c_masked(head, 8)) {
            fprintf(stderr, "%s: record %ld: bad length CRC\n", argv[1], count);
            return 1;
        }
        unsigned char *data = n < (1u << 30) ? malloc(n ? n : 1) : NULL;
        if (!data || fread(data, 1, n, f) != n || fread(crc, 1, 4, f) != 4) {
            fprintf(stderr, "%s: record %ld: truncated\n", argv[1], count);
            return 1;
        }
        if (le(crc, 4) != gl_crc32c_masked(data, n)) {
            fprintf(stderr, "%s: record %ld: bad data CRC\n", argv[1], count);
            return 1;
        }
        char path[4096];
        snprintf(path, sizeof path, "%s.%ld", argv[2], count++);
        FILE *o = fopen(path, "wb");
        if (!o || fwrite(data, 1, n, o) != n || fclose(o) != 0) {
            perror(path);
            return 1;
        }
        free(data);
    }
    if (got != 0) {
        fprintf(stderr, "%s: record %ld: truncated header\n", argv[1], count);
        return 1;
    }
    fclose(f);
    printf("%ld\n", count);
    return 0;
}

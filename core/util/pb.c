/* pb.c - see util/pb.h. */
#include "util/pb.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

enum { WIRE_VARINT = 0, WIRE_I64 = 1, WIRE_LEN = 2, WIRE_I32 = 5 };

static int reserve(gl_pb *pb, size_t more)
{
    if (pb->err)
        return -1;
    if (pb->len + more <= pb->cap)
        return 0;
    size_t cap = pb->cap ? pb->cap : 256;
    while (cap < pb->len + more)
        cap *= 2;
    unsigned char *b = realloc(pb->buf, cap);
    if (!b) {
        pb->err = ENOMEM;
        return -1;
    }
    pb->buf = b;
    pb->cap = cap;
    return 0;
}

static int varint_size(uint64_t v)
{
    int n = 1;
    while (v >= 0x80) {
        v >>= 7;
        n++;
    }
    return n;
}

static void put_varint(unsigned char *p, uint64_t v)
{
    while (v >= 0x80) {
        *p++ = (unsigned char)(v | 0x80);
        v >>= 7;
    }
    *p = (unsigned char)v;
}

static void raw_varint(gl_pb *pb, uint64_t v)
{
    if (reserve(pb, 10) == 0) {
        put_varint(pb->buf + pb->len, v);
        pb->len += (size_t)varint_size(v);
    }
}

static void raw_le(gl_pb *pb, uint64_t v, int bytes)
{
    if (reserve(pb, (size_t)bytes) != 0)
        return;
    for (int i = 0; i < bytes; i++)
        pb->buf[pb->len++] = (unsigned char)(v >> (8 * i));
}

static void key(gl_pb *pb, int field, int wire)
{
    raw_varint(pb, ((uint64_t)field << 3) | (uint64_t)wire);
}

void gl_pb_varint(gl_pb *pb, int field, uint64_t v)
{
    key(pb, field, WIRE_VARINT);
    raw_varint(pb, v);
}

void gl_pb_double(gl_pb *pb, int field, double v)
{
    uint64_t bits;
    memcpy(&bits, &v, sizeof bits);
    key(pb, field, WIRE_I64);
    raw_le(pb, bits, 8);
}

void gl_pb_float(gl_pb *pb, int field, float v)
{
    uint32_t bits;
    memcpy(&bits, &v, sizeof bits);
    key(pb, field, WIRE_I32);
    raw_le(pb, bits, 4);
}

void gl_pb_bytes(gl_pb *pb, int field, const void *data, size_t n)
{
    key(pb, field, WIRE_LEN);
    raw_varint(pb, n);
    if (n && reserve(pb, n) == 0) {
        memcpy(pb->buf + pb->len, data, n);
        pb->len += n;
    }
}

void gl_pb_string(gl_pb *pb, int field, const char *s) { gl_pb_bytes(pb, field, s, strlen(s)); }

size_t gl_pb_begin(gl_pb *pb, int field)
{
    key(pb, field, WIRE_LEN);
    return pb->len;
}

void gl_pb_end(gl_pb *pb, size_t mark)
{
    if (pb->err)
        return;
    size_t n = pb->len - mark;
    int k = varint_size(n);
    if (reserve(pb, (size_t)k) != 0)
        return;
    memmove(pb->buf + mark + k, pb->buf + mark, n);
    put_varint(pb->buf + mark, n);
    pb->len += (size_t)k;
}

void gl_pb_reset(gl_pb *pb)
{
    pb->len = 0;
    pb->err = 0;
}

void gl_pb_free(gl_pb *pb)
{
    free(pb->buf);
    *pb = (gl_pb){0};
}

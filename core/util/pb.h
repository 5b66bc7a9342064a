/* util/pb.h - a protobuf wire-format encoder into a growable buffer, for the few messages ganlab
 * writes (TensorBoard events). Only what those need: varint, 64-bit, 32-bit and length-delimited
 * fields, and nested messages (gl_pb_begin/gl_pb_end; the length is written after the content,
 * which is moved right by the length's varint size, so every length is minimally encoded).
 *
 * Internal to libganlab (not installed). No schema here: the caller names each field's number.
 * An allocation failure is kept in err (ENOMEM) and makes every later call a no-op, so an encoder
 * checks once at the end.
 *
 * Example (Summary.Value {tag: "x", simple_value: 1.5}):
 *     size_t v = gl_pb_begin(&pb, 1);
 *     gl_pb_string(&pb, 1, "x");
 *     gl_pb_float(&pb, 2, 1.5f);
 *     gl_pb_end(&pb, v);
 */
#ifndef GL_UTIL_PB_H
#define GL_UTIL_PB_H

#include <stddef.h>
#include <stdint.h>

typedef struct gl_pb {
    unsigned char *buf; /* malloc'd and grown by the writers; freed with gl_pb_free */
    size_t len, cap;
    int err; /* ENOMEM after a failed allocation; 0 otherwise */
} gl_pb;

void gl_pb_varint(gl_pb *pb, int field,
                  uint64_t v); /* int32/int64 (two's complement), enum, bool */
void gl_pb_double(gl_pb *pb, int field, double v);
void gl_pb_float(gl_pb *pb, int field, float v);
void gl_pb_bytes(gl_pb *pb, int field, const void *data, size_t n);
void gl_pb_string(gl_pb *pb, int field, const char *s);
/* A nested message: returns a mark for gl_pb_end, which writes the length of what came between. */
size_t gl_pb_begin(gl_pb *pb, int field);
void gl_pb_end(gl_pb *pb, size_t mark);
/* Empties the buffer (keeping its memory) and clears err. */
void gl_pb_reset(gl_pb *pb);
void gl_pb_free(gl_pb *pb);

#endif

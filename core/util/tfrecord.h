/* util/tfrecord.h - TFRecord framing, the container of TensorBoard event files.
 *
 * A record is: uint64 length (little-endian), uint32 masked CRC32C of those 8 bytes, the data,
 * uint32 masked CRC32C of the data. CRC32C is the Castagnoli CRC (reflected polynomial 0x82F63B78);
 * the mask is ((crc >> 15) | (crc << 17)) + 0xa282ead8, as TensorFlow's record writer applies it so
 * that a CRC over data that itself holds CRCs stays well distributed.
 *
 * Internal to libganlab (not installed); the test helper tests/tools/tfrecord_split reads records
 * back with the same functions.
 */
#ifndef GL_UTIL_TFRECORD_H
#define GL_UTIL_TFRECORD_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/* CRC32C of n bytes, continuing from crc (0 to start). */
uint32_t gl_crc32c(uint32_t crc, const void *data, size_t n);
/* The masked form stored in a record. */
uint32_t gl_crc32c_masked(const void *data, size_t n);

/* Writes one record of n bytes to f. Returns 0, or -1 on a write error (errno set by stdio). */
int gl_tfrecord_write(FILE *f, const void *data, size_t n);

#endif

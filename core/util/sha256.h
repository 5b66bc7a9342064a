/* util/sha256.h - SHA-256 (FIPS 180-4) of a file, for run.json's record of which plugin files ran
 * and for checking a recorded plugin before loading it again. Internal to libganlab. */
#ifndef GL_UTIL_SHA256_H
#define GL_UTIL_SHA256_H

#include <stddef.h>
#include <stdint.h>

#include <ganlab/error.h>

/* The digest of n bytes as 64 lowercase hex digits and a NUL, into hex (65 bytes). */
void gl_sha256_hex(const void *data, size_t n, char hex[65]);
/* The same for the file at path. GL_ERR_RUN naming the path when it cannot be read. */
int gl_sha256_file(const char *path, char hex[65], gl_error *err);

#endif

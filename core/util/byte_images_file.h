/* util/byte_images_file.h - what libganlab's readers share to serve a gl_byte_images from a file
 * (ganlab/dataset.h, gl_byte_images.fd): gl_idx_load on a raw IDX file or a cache entry, and
 * gl_byte_images_cached on an entry of decoded images. Internal to libganlab. */
#ifndef GL_UTIL_BYTE_IMAGES_FILE_H
#define GL_UTIL_BYTE_IMAGES_FILE_H

#include <stddef.h>
#include <stdint.h>
#include <sys/stat.h>

#include <ganlab/dataset.h>

/* Makes d read item i of item bytes from fd at offset + i * item: takes fd (closed by
 * gl_byte_images_free, also when this fails), records st's size and modification time for get()'s
 * check, and copies name (how messages name the file). GL_OK, or GL_ERR_INPUT when out of memory.
 */
int gl_byte_images_attach(gl_byte_images *d, int fd, int64_t offset, const struct stat *st,
                          const char *name, size_t item, gl_error *err);

/* GANLAB_DATA_IN_MEMORY: *yes is 1 for "1", 0 when unset, empty or "0"; any other value is
 * GL_ERR_INPUT naming it, for plugin's messages. */
int gl_data_in_memory(const char *plugin, int *yes, gl_error *err);

#endif

/* fuzz_png.c - libFuzzer harness: the PNG reader (gl_png_read, which the image_folder dataset
 * reads its files with), the input served from a memfd. */
#include <stdlib.h>

#include "fuzz_files.h"
#include "image/image.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *path = fuzz_memfd(data, size);
    uint8_t *pixels = NULL;
    int w, h, c;
    gl_error err;
    gl_error_init(&err);
    if (gl_png_read(path, &pixels, &w, &h, &c, &err) == GL_OK)
        free(pixels);
    return 0;
}

/* make_png.c - test helper: `make_png PATH WIDTH HEIGHT` writes a grey PNG of that size (a
 * gradient), for tests of images at the size limits. */
#include <stdio.h>
#include <stdlib.h>

#include "image/image.h"

int main(int argc, char **argv)
{
    int w = argc == 4 ? atoi(argv[2]) : 0, h = argc == 4 ? atoi(argv[3]) : 0;
    if (w < 1 || h < 1) {
        fprintf(stderr, "usage: make_png PATH WIDTH HEIGHT\n");
        return 2;
    }
    uint8_t *px = malloc((size_t)w * (size_t)h);
    if (!px)
        return 2;
    for (size_t i = 0; i < (size_t)w * (size_t)h; i++)
        px[i] = (uint8_t)(i * 7);
    gl_error err;
    gl_error_init(&err);
    int rc = gl_png_write(argv[1], px, w, h, 1, &err);
    free(px);
    if (rc != GL_OK)
        gl_error_print(&err, stderr);
    return rc == GL_OK ? 0 : 2;
}

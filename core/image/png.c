/* png.c - 8-bit PNG files through libpng: writing (grey or RGB, atomically via util/atomic.h) and
 * reading back (for tests and tools). libpng reports errors by longjmp; the handlers below copy its
 * message first so it can be put into the caller's gl_error. No text/time chunks are written, so
 * the same pixels always give the same bytes. Not done: alpha, 16-bit output, interlacing. */
#include "image/image.h"

#include <errno.h>
#include <limits.h>
#include <png.h>
#include <setjmp.h>
#include <stdlib.h>
#include <string.h>

#include "util/atomic.h"
#include "util/fs.h"

/* libpng's error_ptr: where its last message lands. */
typedef struct png_msg {
    char text[256];
} png_msg;

static void on_png_error(png_structp png, png_const_charp msg)
{
    png_msg *m = png_get_error_ptr(png);
    snprintf(m->text, sizeof m->text, "%s", msg);
    png_longjmp(png, 1);
}

/* Warnings (e.g. a bad CRC in an ancillary chunk) do not stop reading; they are not worth a log
 * line in a training run either. */
static void on_png_warning(png_structp png, png_const_charp msg)
{
    (void)png;
    (void)msg;
}

/* Rows of pixels as libpng wants them; malloc'd, the caller frees with free(). */
static png_bytep *row_pointers(const uint8_t *pixels, int width, int height, int channels)
{
    png_bytep *rows = malloc((size_t)height * sizeof *rows);
    if (rows)
        for (int y = 0; y < height; y++)
            rows[y] = (png_bytep)(pixels + (size_t)y * (size_t)width * (size_t)channels);
    return rows;
}

/* The libpng part of gl_png_write; separate so that nothing in the caller's frame is live across
 * setjmp/longjmp. */
static int encode(FILE *fp, png_bytep *rows, int width, int height, int channels, png_msg *msg)
{
    png_structp png = png_create_write_struct(PNG_LIBPNG_VER_STRING, msg, on_png_error,
                                              on_png_warning);
    png_infop info = png ? png_create_info_struct(png) : NULL;
    if (!info) {
        png_destroy_write_struct(&png, NULL);
        snprintf(msg->text, sizeof msg->text, "out of memory");
        return -1;
    }
    if (setjmp(png_jmpbuf(png))) {
        png_destroy_write_struct(&png, &info);
        return -1;
    }
    png_init_io(png, fp);
    png_set_IHDR(png, info, (png_uint_32)width, (png_uint_32)height, 8,
                 channels == 1 ? PNG_COLOR_TYPE_GRAY : PNG_COLOR_TYPE_RGB, PNG_INTERLACE_NONE,
                 PNG_COMPRESSION_TYPE_DEFAULT, PNG_FILTER_TYPE_DEFAULT);
    png_write_info(png, info);
    png_write_image(png, rows);
    png_write_end(png, NULL);
    png_destroy_write_struct(&png, &info);
    return 0;
}

int gl_png_write(const char *path, const uint8_t *pixels, int width, int height, int channels,
                 gl_error *err)
{
    if (width <= 0 || height <= 0 || (channels != 1 && channels != 3) ||
        (size_t)width * (size_t)channels > PNG_UINT_31_MAX || height > (int)PNG_UINT_31_MAX)
        return gl_error_add(err, GL_ERR_INPUT,
                            "%s: cannot write a %d x %d PNG with %d channels (need sizes > 0 and "
                            "1 or 3 channels)",
                            path, width, height, channels);
    png_bytep *rows = row_pointers(pixels, width, height, channels);
    if (!rows)
        return gl_error_add(err, GL_ERR_RUN, "%s: out of memory", path);
    gl_atomic_file f;
    if (gl_atomic_open(&f, path, err) != GL_OK) {
        free(rows);
        return GL_ERR_RUN;
    }
    png_msg msg = {""};
    int rc = encode(f.fp, rows, width, height, channels, &msg);
    free(rows);
    if (rc != 0) {
        gl_atomic_abort(&f);
        return gl_error_add(err, GL_ERR_RUN, "%s: PNG encoding failed: %s", path, msg.text);
    }
    return gl_atomic_commit(&f, err);
}

/* The libpng part of gl_png_read. On success *pixels is malloc'd (the caller of gl_png_read frees);
 * it lives in *pixels from the start so the longjmp path can free it. */
static int decode(FILE *fp, uint8_t **pixels, int *width, int *height, int *channels, png_msg *msg)
{
    png_structp png = png_create_read_struct(PNG_LIBPNG_VER_STRING, msg, on_png_error,
                                             on_png_warning);
    png_infop info = png ? png_create_info_struct(png) : NULL;
    png_bytep *volatile rows = NULL; /* volatile: set after setjmp, freed after a longjmp */
    *pixels = NULL;
    if (!info) {
        png_destroy_read_struct(&png, NULL, NULL);
        snprintf(msg->text, sizeof msg->text, "out of memory");
        return -1;
    }
    if (setjmp(png_jmpbuf(png))) {
        png_destroy_read_struct(&png, &info, NULL);
        free(*pixels);
        *pixels = NULL;
        free(rows);
        return -1;
    }
    png_init_io(png, fp);
    png_read_info(png, info);
    png_set_expand(png); /* palette -> RGB, grey < 8 bits -> 8 bits */
    png_set_strip_16(png);
    png_set_strip_alpha(png);
    png_set_interlace_handling(png);
    png_read_update_info(png, info);
    png_uint_32 w = png_get_image_width(png, info), h = png_get_image_height(png, info);
    int ch = png_get_channels(png, info);
    if (w > INT_MAX / 4 || h > INT_MAX / 4 || (ch != 1 && ch != 3))
        png_error(png, "unsupported image size or colour type");
    size_t stride = (size_t)w * (size_t)ch;
    *pixels = malloc(stride * h);
    rows = *pixels ? row_pointers(*pixels, (int)w, (int)h, ch) : NULL;
    if (!rows)
        png_error(png, "out of memory");
    png_read_image(png, rows);
    png_read_end(png, NULL);
    png_destroy_read_struct(&png, &info, NULL);
    free(rows);
    *width = (int)w;
    *height = (int)h;
    *channels = ch;
    return 0;
}

int gl_png_read(const char *path, uint8_t **pixels, int *width, int *height, int *channels,
                gl_error *err)
{
    *pixels = NULL;
    const char *why;
    FILE *fp = gl_fopen_regular(path, "rb", &why); /* a FIFO would block fopen */
    if (!fp)
        return gl_error_add(err, GL_ERR_INPUT, "%s: cannot open: %s", path, why);
    png_msg msg = {""};
    int rc = decode(fp, pixels, width, height, channels, &msg);
    fclose(fp);
    if (rc != 0)
        return gl_error_add(err, GL_ERR_INPUT, "%s: not a readable PNG: %s", path, msg.text);
    return GL_OK;
}

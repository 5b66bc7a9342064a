/* test_image_png.c - PNG round trips through libpng, byte-identical rewrites, and the sample
 * grid's layout and value mapping (checked against hand-computed torchvision-style bytes). */
#include <check.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fixture.h"
#include "image/image.h"

static char dir[512];

static void setup(void) { ck_assert_int_eq(fx_tempdir(dir, sizeof dir), GL_OK); }

static void teardown(void) { fx_rmtree(dir); }

/* Malloc'd contents of path (caller frees); *n gets the size. */
static unsigned char *file_bytes(const char *path, long *n)
{
    FILE *f = fopen(path, "rb");
    ck_assert_ptr_nonnull(f);
    fseek(f, 0, SEEK_END);
    *n = ftell(f);
    rewind(f);
    unsigned char *b = malloc((size_t)*n);
    ck_assert_ptr_nonnull(b);
    ck_assert_int_eq(fread(b, 1, (size_t)*n, f), (size_t)*n);
    fclose(f);
    return b;
}

static void round_trip(int w, int h, int ch)
{
    char path[600];
    snprintf(path, sizeof path, "%s/rt%d.png", dir, ch);
    size_t n = (size_t)w * h * ch;
    uint8_t *px = malloc(n);
    for (size_t i = 0; i < n; i++)
        px[i] = (uint8_t)(i * 37 + 11);
    gl_error err;
    gl_error_init(&err);
    ck_assert_int_eq(gl_png_write(path, px, w, h, ch, &err), GL_OK);
    uint8_t *back;
    int bw, bh, bc;
    ck_assert_int_eq(gl_png_read(path, &back, &bw, &bh, &bc, &err), GL_OK);
    ck_assert_int_eq(bw, w);
    ck_assert_int_eq(bh, h);
    ck_assert_int_eq(bc, ch);
    ck_assert_mem_eq(back, px, n);
    free(back);
    free(px);
}

START_TEST(png_round_trip_rgb_and_grey)
{
    round_trip(7, 5, 3);
    round_trip(3, 4, 1);
    round_trip(1, 1, 3);
}
END_TEST

START_TEST(png_same_pixels_same_bytes)
{
    char a[600], b[600];
    uint8_t px[4 * 3 * 3];
    for (int i = 0; i < (int)sizeof px; i++)
        px[i] = (uint8_t)(i * 7);
    snprintf(a, sizeof a, "%s/a.png", dir);
    snprintf(b, sizeof b, "%s/b.png", dir);
    ck_assert_int_eq(gl_png_write(a, px, 4, 3, 3, NULL), GL_OK);
    ck_assert_int_eq(gl_png_write(b, px, 4, 3, 3, NULL), GL_OK);
    long na, nb;
    unsigned char *ba = file_bytes(a, &na), *bb = file_bytes(b, &nb);
    ck_assert_int_eq(na, nb);
    ck_assert_mem_eq(ba, bb, (size_t)na);
    ck_assert_mem_eq(ba, "\x89PNG\r\n\x1a\n", 8);
    free(ba);
    free(bb);
}
END_TEST

START_TEST(png_read_rejects_non_png)
{
    char path[600];
    snprintf(path, sizeof path, "%s/not.png", dir);
    FILE *f = fopen(path, "wb");
    fputs("this is not a PNG file at all", f);
    fclose(f);
    gl_error err;
    gl_error_init(&err);
    uint8_t *px = (uint8_t *)&err; /* must be reset to NULL */
    int w, h, c;
    ck_assert_int_eq(gl_png_read(path, &px, &w, &h, &c, &err), GL_ERR_INPUT);
    ck_assert_ptr_null(px);
    ck_assert_ptr_nonnull(strstr(err.text, path));
    gl_error_init(&err);
    snprintf(path, sizeof path, "%s/missing.png", dir);
    ck_assert_int_eq(gl_png_read(path, &px, &w, &h, &c, &err), GL_ERR_INPUT);
    ck_assert_ptr_nonnull(strstr(err.text, "No such file"));
}
END_TEST

START_TEST(png_read_rejects_truncated_file)
{
    /* Cut inside the image data: libpng fails after the pixel buffer exists (the longjmp path
     * must free it; ASan would report the leak). */
    char path[600];
    snprintf(path, sizeof path, "%s/cut.png", dir);
    uint8_t px[64 * 64 * 3];
    for (int i = 0; i < (int)sizeof px; i++)
        px[i] = (uint8_t)((i * 2654435761u) >> 24);
    ck_assert_int_eq(gl_png_write(path, px, 64, 64, 3, NULL), GL_OK);
    long n;
    unsigned char *bytes = file_bytes(path, &n);
    FILE *f = fopen(path, "wb");
    fwrite(bytes, 1, (size_t)n / 2, f);
    fclose(f);
    free(bytes);
    gl_error err;
    gl_error_init(&err);
    uint8_t *back;
    int w, h, c;
    ck_assert_int_eq(gl_png_read(path, &back, &w, &h, &c, &err), GL_ERR_INPUT);
    ck_assert_ptr_null(back);
    ck_assert_ptr_nonnull(strstr(err.text, "not a readable PNG"));
}
END_TEST

/* Image k of a grey batch (5, 1, 2, 3): pixel (y, x) = VALS[(k + 3 * y + x) % 6]. */
static const float VALS[6] = {-1.0f, 1.0f, 0.0f, 2.0f, -0.5f, NAN};
static const uint8_t BYTES[6] = {0, 255, 128, 255, 64, 0};

START_TEST(grid_layout_and_mapping_grey)
{
    float x[5 * 2 * 3];
    for (int k = 0; k < 5; k++)
        for (int y = 0; y < 2; y++)
            for (int xx = 0; xx < 3; xx++)
                x[k * 6 + y * 3 + xx] = VALS[(k + 3 * y + xx) % 6];
    uint8_t *g;
    int gw, gh;
    gl_error err;
    gl_error_init(&err);
    ck_assert_int_eq(gl_image_grid(&g, &gw, &gh, x, 5, 1, 2, 3, -1.0f, 1.0f, 2, 1, &err), GL_OK);
    ck_assert_int_eq(gw, 2 * (3 + 1) + 1); /* 2 columns */
    ck_assert_int_eq(gh, 3 * (2 + 1) + 1); /* ceil(5 / 2) rows */
    for (int k = 0; k < 5; k++) {
        int x0 = 1 + (k % 2) * 4, y0 = 1 + (k / 2) * 3;
        for (int y = 0; y < 2; y++)
            for (int xx = 0; xx < 3; xx++)
                ck_assert_uint_eq(g[(y0 + y) * gw + x0 + xx], BYTES[(k + 3 * y + xx) % 6]);
    }
    /* Padding rows/columns and the empty sixth cell stay black. */
    for (int i = 0; i < gw; i++)
        ck_assert_uint_eq(g[i], 0);
    for (int y = 0; y < gh; y++)
        ck_assert_uint_eq(g[y * gw + 4], 0);
    for (int y = 7; y < 9; y++)
        for (int xx = 5; xx < 8; xx++)
            ck_assert_uint_eq(g[y * gw + xx], 0);
    free(g);
}
END_TEST

START_TEST(grid_rgb_channels_and_short_row)
{
    /* 2 RGB images of 1x1, cols 4: only 2 columns are laid out (as make_grid does). */
    float x[2 * 3] = {0.0f, 0.5f, 1.0f, 1.0f, 0.25f, 0.0f};
    uint8_t *g;
    int gw, gh;
    ck_assert_int_eq(gl_image_grid(&g, &gw, &gh, x, 2, 3, 1, 1, 0.0f, 1.0f, 4, 2, NULL), GL_OK);
    ck_assert_int_eq(gw, 2 * 3 + 2);
    ck_assert_int_eq(gh, 5);
    const uint8_t *p0 = g + (2 * gw + 2) * 3, *p1 = g + (2 * gw + 5) * 3;
    ck_assert_uint_eq(p0[0], 0);
    ck_assert_uint_eq(p0[1], 128);
    ck_assert_uint_eq(p0[2], 255);
    ck_assert_uint_eq(p1[0], 255);
    ck_assert_uint_eq(p1[1], 64);
    ck_assert_uint_eq(p1[2], 0);
    free(g);
}
END_TEST

START_TEST(grid_png_round_trip_and_errors)
{
    char path[600];
    snprintf(path, sizeof path, "%s/grid.png", dir);
    float x[4] = {-1.0f, -0.5f, 0.5f, 1.0f}; /* (4, 1, 1, 1) */
    gl_error err;
    gl_error_init(&err);
    ck_assert_int_eq(gl_image_grid_png(path, x, 4, 1, 1, 1, -1.0f, 1.0f, 2, 1, &err), GL_OK);
    uint8_t *px;
    int w, h, c;
    ck_assert_int_eq(gl_png_read(path, &px, &w, &h, &c, &err), GL_OK);
    ck_assert_int_eq(w, 5);
    ck_assert_int_eq(h, 5);
    ck_assert_int_eq(c, 1);
    ck_assert_uint_eq(px[1 * 5 + 1], 0);
    ck_assert_uint_eq(px[1 * 5 + 3], 64);
    ck_assert_uint_eq(px[3 * 5 + 1], 191); /* floor(0.75 * 255 + 0.5) */
    ck_assert_uint_eq(px[3 * 5 + 3], 255);
    free(px);
    ck_assert_int_eq(gl_image_grid_png(path, x, 4, 2, 1, 1, -1.0f, 1.0f, 2, 1, &err), GL_ERR_INPUT);
    gl_error_init(&err);
    ck_assert_int_eq(gl_image_grid_png(path, x, 4, 1, 1, 1, 1.0f, 1.0f, 2, 1, &err), GL_ERR_INPUT);
    ck_assert_ptr_nonnull(strstr(err.text, "empty"));
}
END_TEST

START_TEST(range_skips_non_finite)
{
    float x[5] = {NAN, 0.5f, -2.0f, INFINITY, 3.0f}, lo, hi;
    gl_image_range(x, 5, &lo, &hi);
    ck_assert_float_eq(lo, -2.0f);
    ck_assert_float_eq(hi, 3.0f);
    gl_image_range(x, 1, &lo, &hi);
    ck_assert_float_eq(lo, 0.0f);
    ck_assert_float_eq(hi, 0.0f);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("png");
    TCase *tc = tcase_create("png");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, png_round_trip_rgb_and_grey);
    tcase_add_test(tc, png_same_pixels_same_bytes);
    tcase_add_test(tc, png_read_rejects_non_png);
    tcase_add_test(tc, png_read_rejects_truncated_file);
    tcase_add_test(tc, grid_layout_and_mapping_grey);
    tcase_add_test(tc, grid_rgb_channels_and_short_row);
    tcase_add_test(tc, grid_png_round_trip_and_errors);
    tcase_add_test(tc, range_skips_non_finite);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}

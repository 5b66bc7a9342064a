/* test_image_plot.c - canvas primitives, the bitmap font, tick choice, and that scatter plots and
 * line charts put marks at the pixels the data maps to and give the same bytes for the same input.
 */
#include <check.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fixture.h"
#include "image/image.h"

static const gl_rgb WHITE = {255, 255, 255}, RED = {255, 0, 0};

static int same(gl_rgb a, gl_rgb b) { return a.r == b.r && a.g == b.g && a.b == b.b; }

/* Pixels of colour col inside [x0, x1] x [y0, y1]. */
static int count_colour(const gl_canvas *c, int x0, int y0, int x1, int y1, gl_rgb col)
{
    int n = 0;
    for (int y = y0; y <= y1; y++)
        for (int x = x0; x <= x1; x++)
            n += same(gl_canvas_get(c, x, y), col);
    return n;
}

START_TEST(canvas_primitives_and_clipping)
{
    gl_canvas c;
    gl_error err;
    gl_error_init(&err);
    ck_assert_int_eq(gl_canvas_create(&c, 16, 12, WHITE, &err), GL_OK);
    ck_assert_int_eq(count_colour(&c, 0, 0, 15, 11, WHITE), 16 * 12);
    gl_canvas_set(&c, 3, 4, RED);
    ck_assert(same(gl_canvas_get(&c, 3, 4), RED));
    ck_assert_uint_eq(c.px[(4 * 16 + 3) * 3 + 1], 0); /* (row, column, channel) layout */
    gl_canvas_fill(&c, WHITE);
    gl_canvas_line(&c, 1, 1, 5, 3, RED);
    ck_assert(same(gl_canvas_get(&c, 1, 1), RED));
    ck_assert(same(gl_canvas_get(&c, 5, 3), RED));
    ck_assert_int_eq(count_colour(&c, 0, 0, 15, 11, RED), 5); /* max(dx, dy) + 1 */
    gl_canvas_fill(&c, WHITE);
    gl_canvas_dot(&c, 8, 6, 0, RED);
    ck_assert_int_eq(count_colour(&c, 0, 0, 15, 11, RED), 1);
    gl_canvas_dot(&c, 8, 6, 1, RED);
    ck_assert_int_eq(count_colour(&c, 0, 0, 15, 11, RED), 9);
    gl_canvas_dot(&c, 8, 6, 2, RED);
    ck_assert_int_eq(count_colour(&c, 0, 0, 15, 11, RED), 21); /* 5x5 less the corners */
    gl_canvas_fill(&c, WHITE);
    gl_canvas_rect(&c, 2, 2, 4, 3, RED);
    ck_assert_int_eq(count_colour(&c, 0, 0, 15, 11, RED), 10);
    ck_assert(same(gl_canvas_get(&c, 3, 3), WHITE));
    gl_canvas_fill_rect(&c, -5, -5, 8, 7, RED); /* clipped to 3 x 2 */
    ck_assert_int_eq(count_colour(&c, 0, 0, 1, 15, RED), 4);
    gl_canvas_line(&c, -100, -40, 300, 200, RED); /* far outside: clipped, no crash */
    gl_canvas_dot(&c, -1, -1, 3, RED);
    ck_assert(same(gl_canvas_get(&c, -1, 0), (gl_rgb){0, 0, 0}));
    gl_canvas_destroy(&c);
    gl_canvas_destroy(&c); /* idempotent */
    ck_assert_int_eq(gl_canvas_create(&c, 0, 5, WHITE, &err), GL_ERR_INPUT);
    ck_assert_ptr_null(c.px);
}
END_TEST

START_TEST(font_glyph_pixels)
{
    /* 'A' = {0x7E, 0x11, 0x11, 0x11, 0x7E}: the left stroke spans rows 1..6, the bar is row 4. */
    ck_assert_int_eq(gl_font_pixel('A', 0, 0), 0);
    for (int r = 1; r < 7; r++)
        ck_assert_int_eq(gl_font_pixel('A', 0, r), 1);
    ck_assert_int_eq(gl_font_pixel('A', 2, 0), 1);
    ck_assert_int_eq(gl_font_pixel('A', 2, 1), 0);
    ck_assert_int_eq(gl_font_pixel('A', 2, 4), 1);
    ck_assert_int_eq(gl_font_pixel('A', 5, 0), 0);
    int lit = 0;
    for (int col = 0; col < GL_FONT_W; col++)
        for (int r = 0; r < GL_FONT_H; r++) {
            ck_assert_int_eq(gl_font_pixel(' ', col, r), 0);
            lit += gl_font_pixel('|', col, r);
            ck_assert_int_eq(gl_font_pixel(200, col, r), gl_font_pixel('?', col, r));
        }
    ck_assert_int_eq(lit, 7);
    ck_assert_int_eq(gl_text_width("abc", 1), 17);
    ck_assert_int_eq(gl_text_width("abc", 2), 34);
    ck_assert_int_eq(gl_text_width("ab\nc", 1), 11);
    ck_assert_int_eq(gl_text_width("", 3), 0);
}
END_TEST

START_TEST(font_draws_scaled_and_rotated)
{
    gl_canvas c;
    ck_assert_int_eq(gl_canvas_create(&c, 120, 120, WHITE, NULL), GL_OK);
    ck_assert_int_eq(gl_canvas_text(&c, 10, 20, "A", 2, RED), 10); /* (6 - 1) * 2 */
    ck_assert(same(gl_canvas_get(&c, 14, 20), RED)); /* glyph (2, 0) -> 2x2 block at (14, 20) */
    ck_assert(same(gl_canvas_get(&c, 15, 21), RED));
    ck_assert(same(gl_canvas_get(&c, 14, 22), WHITE)); /* glyph (2, 1) is off */
    ck_assert(same(gl_canvas_get(&c, 10, 20), WHITE)); /* glyph (0, 0) is off */
    ck_assert(same(gl_canvas_get(&c, 10, 22), RED));   /* glyph (0, 1) is on */
    /* 'A' lights 6 + 2 + 2 + 2 + 6 = 18 glyph pixels, each a 2x2 block at scale 2. */
    ck_assert_int_eq(count_colour(&c, 0, 0, 119, 119, RED), 18 * 4);
    gl_canvas_fill(&c, WHITE);
    /* '-' lights row 3 of every column; rotated, that is column x + 3 going up from y. */
    gl_canvas_text_up(&c, 50, 100, "-", 1, RED);
    for (int y = 96; y <= 100; y++)
        ck_assert(same(gl_canvas_get(&c, 53, y), RED));
    ck_assert_int_eq(count_colour(&c, 0, 0, 119, 119, RED), 5);
    gl_canvas_fill(&c, WHITE);
    gl_canvas_text(&c, 0, 0, "-\n-", 1, RED); /* the second line starts GL_FONT_LINE lower */
    ck_assert(same(gl_canvas_get(&c, 0, 3), RED));
    ck_assert(same(gl_canvas_get(&c, 0, 3 + GL_FONT_LINE), RED));
    gl_canvas_destroy(&c);
}
END_TEST

START_TEST(axes_ticks_are_nice)
{
    double t[32], step;
    ck_assert_int_eq(gl_axes_ticks(0.0, 1.0, 6, t, 32, &step), 6);
    ck_assert_double_eq_tol(step, 0.2, 1e-12);
    ck_assert_double_eq_tol(t[5], 1.0, 1e-12);
    ck_assert_int_eq(gl_axes_ticks(-3.0, 3.0, 6, t, 32, &step), 7);
    ck_assert_double_eq(t[3], 0.0);
    ck_assert_int_eq(gl_axes_ticks(0.05, 0.95, 4, t, 32, &step), 4);
    ck_assert_double_eq_tol(t[0], 0.2, 1e-12);
    ck_assert_int_eq(gl_axes_ticks(0.0, 10000.0, 6, t, 32, &step), 6);
    ck_assert_double_eq(step, 2000.0);
    ck_assert_int_eq(gl_axes_ticks(1.0, 1.0, 6, t, 32, &step), 0);
    ck_assert_int_eq(gl_axes_ticks(0.0, NAN, 6, t, 32, &step), 0);
}
END_TEST

START_TEST(scatter_marks_expected_pixels)
{
    gl_canvas c;
    ck_assert_int_eq(gl_canvas_create(&c, 256, 256, WHITE, NULL), GL_OK);
    float real[2] = {0.0f, 0.0f}, fake[4] = {0.5f, 0.5f, 5.0f, 5.0f}, centre[2] = {-0.5f, -0.5f};
    gl_scatter_opts o = {.size = 256, .xmin = -1, .xmax = 1, .ymin = -1, .ymax = 1, .title = "t"};
    gl_axes a;
    gl_error err;
    gl_error_init(&err);
    ck_assert_int_eq(gl_scatter_draw(&c, real, 1, fake, 2, centre, 1, &o, &a, &err), GL_OK);
    /* Plot area: columns 60..239, rows 30..209, so 0 -> 60 + 89.5 and 209 - 89.5, rounded. */
    ck_assert_int_eq(a.left, 60);
    ck_assert_int_eq(a.right, 239);
    ck_assert_int_eq(a.top, 30);
    ck_assert_int_eq(a.bottom, 209);
    ck_assert_int_eq(gl_axes_px(&a, 0.0), 150);
    ck_assert_int_eq(gl_axes_py(&a, 0.0), 120);
    ck_assert_int_eq(count_colour(&c, 149, 119, 151, 121, gl_scatter_real_rgb), 9);
    /* (0.5, 0.5) -> (194.25, 74.75); the point at (5, 5) is outside the range and not drawn. */
    ck_assert_int_eq(count_colour(&c, 193, 74, 195, 76, gl_scatter_fake_rgb), 9);
    ck_assert_int_eq(count_colour(&c, a.left, a.top, a.right, a.bottom, gl_scatter_fake_rgb), 9);
    /* (-0.5, -0.5) -> (105, 164): a cross through the centre and its corners. */
    ck_assert(same(gl_canvas_get(&c, 105, 164), gl_scatter_centre_rgb));
    ck_assert(same(gl_canvas_get(&c, 100, 159), gl_scatter_centre_rgb));
    ck_assert(same(gl_canvas_get(&c, 110, 159), gl_scatter_centre_rgb));
    ck_assert(same(gl_canvas_get(&c, 100, 164), WHITE));
    gl_canvas_destroy(&c);

    /* A derived range: a square around the real points with a 10% margin. */
    ck_assert_int_eq(gl_canvas_create(&c, 256, 256, WHITE, NULL), GL_OK);
    float pts[4] = {1.0f, 2.0f, -1.0f, -2.0f};
    gl_scatter_opts d = {.size = 256};
    ck_assert_int_eq(gl_scatter_draw(&c, pts, 2, NULL, 0, NULL, 0, &d, &a, &err), GL_OK);
    ck_assert_double_eq_tol(a.xmin, -2.2, 1e-9);
    ck_assert_double_eq_tol(a.ymax, 2.2, 1e-9);
    ck_assert_int_eq(
        gl_scatter_draw(&c, pts, 2, NULL, 0, NULL, 0, &(gl_scatter_opts){.size = 300}, &a, &err),
        GL_ERR_INPUT);
    gl_canvas_destroy(&c);
}
END_TEST

/* Malloc'd contents of path (caller frees); *n gets the size. */
static unsigned char *file_bytes(const char *path, long *n)
{
    FILE *f = fopen(path, "rb");
    ck_assert_ptr_nonnull(f);
    fseek(f, 0, SEEK_END);
    *n = ftell(f);
    rewind(f);
    unsigned char *b = malloc((size_t)*n);
    ck_assert_int_eq(fread(b, 1, (size_t)*n, f), (size_t)*n);
    fclose(f);
    return b;
}

static void assert_same_file(const char *a, const char *b)
{
    long na, nb;
    unsigned char *ba = file_bytes(a, &na), *bb = file_bytes(b, &nb);
    ck_assert_int_eq(na, nb);
    ck_assert_mem_eq(ba, bb, (size_t)na);
    free(ba);
    free(bb);
}

static const double AX[4] = {0, 1, 2, 3}, AY[4] = {1, 2, NAN, 4}, BX[2] = {0, 3}, BY[2] = {4, 1};
static const gl_series SERIES[2] = {{"a", AX, AY, 4, 0, NULL, NULL},
                                    {"bee", BX, BY, 2, 1, NULL, NULL}};
static const gl_chart_opts CHART = {400, 240, "FID by step", "step", "FID", "lower is better"};

START_TEST(chart_marks_points_and_gaps)
{
    gl_canvas c;
    ck_assert_int_eq(gl_canvas_create(&c, 400, 240, WHITE, NULL), GL_OK);
    gl_axes a;
    gl_error err;
    gl_error_init(&err);
    ck_assert_int_eq(gl_chart_draw(&c, SERIES, 2, &CHART, &a, &err), GL_OK);
    ck_assert(a.xmin < 0.0 && a.xmax > 3.0 && a.ymin < 1.0 && a.ymax > 4.0);
    gl_rgb ca = gl_chart_colour(0), cb = gl_chart_colour(1);
    ck_assert(!same(ca, cb));
    ck_assert(same(gl_canvas_get(&c, gl_axes_px(&a, 1), gl_axes_py(&a, 2)), ca));
    ck_assert(same(gl_canvas_get(&c, gl_axes_px(&a, 3), gl_axes_py(&a, 4)), ca));
    ck_assert(same(gl_canvas_get(&c, gl_axes_px(&a, 3), gl_axes_py(&a, 1)), cb));
    /* Midway along b's line (Bresenham may sit a pixel off the rounded ideal point). */
    int bx = gl_axes_px(&a, 1.5), by = gl_axes_py(&a, 2.5);
    ck_assert_int_gt(count_colour(&c, bx - 1, by - 1, bx + 1, by + 1, cb), 0);
    /* The NaN at x = 2 breaks series a: nothing of it midway between x = 1 and x = 3. */
    int mx = gl_axes_px(&a, 2), my = gl_axes_py(&a, 3);
    ck_assert_int_eq(count_colour(&c, mx - 3, my - 3, mx + 3, my + 3, ca), 0);
    /* The legend has a swatch of each colour right of the plot. */
    ck_assert_int_gt(count_colour(&c, a.right + 1, a.top, 399, a.bottom, ca), 0);
    ck_assert_int_gt(count_colour(&c, a.right + 1, a.top, 399, a.bottom, cb), 0);
    ck_assert_int_eq(gl_chart_draw(&c, SERIES, 0, &CHART, &a, &err), GL_ERR_INPUT);
    gl_canvas_destroy(&c);
}
END_TEST

START_TEST(chart_band_is_blended_under_the_line)
{
    static const double X[2] = {0, 3}, Y[2] = {2, 2}, LO[2] = {1, 1}, HI[2] = {3, 3};
    const gl_series band = {"band", X, Y, 2, 3, LO, HI};
    gl_canvas c;
    ck_assert_int_eq(gl_canvas_create(&c, 400, 240, WHITE, NULL), GL_OK);
    gl_axes a;
    gl_error err;
    gl_error_init(&err);
    ck_assert_int_eq(gl_chart_draw(&c, &band, 1, &CHART, &a, &err), GL_OK);
    ck_assert(a.ymin < 1.0 && a.ymax > 3.0); /* the axes fit the band */
    gl_rgb col = gl_chart_colour(3),
           in = gl_canvas_get(&c, gl_axes_px(&a, 1.3), gl_axes_py(&a, 2.7));
    /* 20 % of the colour over white (or over a grid line's grey), never the colour itself. */
    ck_assert(!same(in, WHITE) && !same(in, col));
    ck_assert_int_eq(in.r, (int)lround(255 + 0.2 * (col.r - 255)));
    ck_assert_int_eq(in.g, (int)lround(255 + 0.2 * (col.g - 255)));
    ck_assert(same(gl_canvas_get(&c, gl_axes_px(&a, 1.3), gl_axes_py(&a, 2)), col)); /* the line */
    ck_assert(same(gl_canvas_get(&c, gl_axes_px(&a, 1.3), gl_axes_py(&a, 3.2)), WHITE));
    gl_canvas_destroy(&c);
}
END_TEST

START_TEST(pictures_are_deterministic)
{
    char d[512], p1[600], p2[600];
    ck_assert_int_eq(fx_tempdir(d, sizeof d), GL_OK);
    snprintf(p1, sizeof p1, "%s/chart1.png", d);
    snprintf(p2, sizeof p2, "%s/chart2.png", d);
    gl_error err;
    gl_error_init(&err);
    ck_assert_int_eq(gl_chart_png(p1, SERIES, 2, &CHART, &err), GL_OK);
    ck_assert_int_eq(gl_chart_png(p2, SERIES, 2, &CHART, &err), GL_OK);
    assert_same_file(p1, p2);
    uint8_t *px;
    int w, h, ch;
    ck_assert_int_eq(gl_png_read(p1, &px, &w, &h, &ch, &err), GL_OK);
    ck_assert_int_eq(w, 400);
    ck_assert_int_eq(h, 240);
    ck_assert_int_eq(ch, 3);
    free(px);

    float pts[8] = {1, 1, -1, 1, -1, -1, 1, -1};
    gl_scatter_opts o = {.size = 200, .title = "ring"};
    snprintf(p1, sizeof p1, "%s/s1.png", d);
    snprintf(p2, sizeof p2, "%s/s2.png", d);
    ck_assert_int_eq(gl_scatter_png(p1, pts, 4, pts + 2, 2, pts, 1, &o, &err), GL_OK);
    ck_assert_int_eq(gl_scatter_png(p2, pts, 4, pts + 2, 2, pts, 1, &o, &err), GL_OK);
    assert_same_file(p1, p2);
    fx_rmtree(d);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("plot");
    TCase *tc = tcase_create("plot");
    tcase_add_test(tc, canvas_primitives_and_clipping);
    tcase_add_test(tc, font_glyph_pixels);
    tcase_add_test(tc, font_draws_scaled_and_rotated);
    tcase_add_test(tc, axes_ticks_are_nice);
    tcase_add_test(tc, scatter_marks_expected_pixels);
    tcase_add_test(tc, chart_marks_points_and_gaps);
    tcase_add_test(tc, chart_band_is_blended_under_the_line);
    tcase_add_test(tc, pictures_are_deterministic);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}

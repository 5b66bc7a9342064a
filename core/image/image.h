/* image/image.h - PNG files, an RGB canvas with a bitmap font, and the pictures a run writes:
 * sample grids, 2-D scatter plots and line charts. Internal to libganlab (not installed); the
 * runner, the report and the tests include it as "image/image.h".
 *
 * Everything here is deterministic: the same input gives the same bytes (integer rasterisation, no
 * antialiasing, no timestamps in the PNG), so pictures can be compared in tests and between runs.
 * Pixel buffers are row-major, interleaved: uint8_t px[] is (height, width, channels).
 *
 * Example (a 5-column sample grid of tanh outputs, as the tutorial's save_image(..., nrow=5)):
 *     if (gl_image_grid_png("run/samples/step_1000.png", x, 25, 1, 28, 28, -1.0f, 1.0f, 5, 2,
 *                           err) != GL_OK) return err->status;
 */
#ifndef GL_IMAGE_IMAGE_H
#define GL_IMAGE_IMAGE_H

#include <stdint.h>

#include <ganlab/dataset.h>
#include <ganlab/error.h>

/* ---------------------------------------------------------------- PNG (png.c) */

/* Writes pixels (height, width, channels), 8 bits per sample, channels 1 (grey) or 3 (RGB), as a
 * PNG at path, atomically (util/atomic.h: the old file stays until the new one is complete).
 * Returns GL_OK, GL_ERR_INPUT for bad sizes, GL_ERR_RUN for I/O or libpng errors (err names path).
 */
int gl_png_write(const char *path, const uint8_t *pixels, int width, int height, int channels,
                 gl_error *err);

/* Reads any PNG as 8-bit grey (channels 1) or RGB (channels 3): palettes are expanded, 16-bit
 * samples reduced, alpha dropped. On success *pixels is a malloc'd (height, width, channels)
 * buffer that the caller frees with free(). Returns GL_OK or GL_ERR_INPUT (err names path). */
int gl_png_read(const char *path, uint8_t **pixels, int *width, int *height, int *channels,
                gl_error *err);

/* ---------------------------------------------------------------- canvas (canvas.c) */

typedef struct gl_rgb {
    uint8_t r, g, b;
} gl_rgb;

typedef struct gl_canvas {
    int width, height;
    uint8_t *px; /* (height, width, 3) RGB; owned by the canvas */
} gl_canvas;

/* Allocates a width x height canvas filled with bg. Free with gl_canvas_destroy.
 * GL_OK, GL_ERR_INPUT (non-positive or huge size) or GL_ERR_RUN (out of memory). */
int gl_canvas_create(gl_canvas *c, int width, int height, gl_rgb bg, gl_error *err);
/* Frees the pixels; c may be zeroed or already destroyed. */
void gl_canvas_destroy(gl_canvas *c);

/* Drawing clips to the canvas: coordinates outside it are ignored, never an error.
 * (x, y) is (column, row) with (0, 0) the top-left pixel. */
void gl_canvas_fill(gl_canvas *c, gl_rgb col);
void gl_canvas_set(gl_canvas *c, int x, int y, gl_rgb col);
/* The colour at (x, y); black outside the canvas. */
gl_rgb gl_canvas_get(const gl_canvas *c, int x, int y);
/* A 1-pixel line from (x0, y0) to (x1, y1), both ends included (Bresenham). */
void gl_canvas_line(gl_canvas *c, int x0, int y0, int x1, int y1, gl_rgb col);
/* Outline / filled axis-aligned rectangle with top-left (x, y) and size w x h. */
void gl_canvas_rect(gl_canvas *c, int x, int y, int w, int h, gl_rgb col);
void gl_canvas_fill_rect(gl_canvas *c, int x, int y, int w, int h, gl_rgb col);
/* A filled disc: every pixel with dx*dx + dy*dy <= r*r + r (r = 0: one pixel; r = 1: 3x3). */
void gl_canvas_dot(gl_canvas *c, int cx, int cy, int r, gl_rgb col);
/* An 'x' of arm length r centred on (cx, cy), 2 pixels thick so it stands out of a cloud of dots.
 */
void gl_canvas_cross(gl_canvas *c, int cx, int cy, int r, gl_rgb col);
/* gl_png_write of the canvas (RGB). */
int gl_canvas_write_png(const gl_canvas *c, const char *path, gl_error *err);

/* ---------------------------------------------------------------- text (font.c) */

/* A 5x7 ASCII font (codes 32..126; anything else draws as '?') in 6x9 cells: one column of spacing
 * to the right and two rows below each glyph. Every size below is multiplied by an integer scale.
 */
enum { GL_FONT_W = 5, GL_FONT_H = 7, GL_FONT_ADVANCE = 6, GL_FONT_LINE = 9 };

/* 1 when pixel (col, row) of ch's glyph is lit, 0 otherwise (also outside 0..4 x 0..6). */
int gl_font_pixel(int ch, int col, int row);
/* Width in pixels of s drawn at scale (no trailing spacing column); 0 for "". */
int gl_text_width(const char *s, int scale);
/* Draws s with its top-left at (x, y); '\n' starts a new line. Returns the width drawn. */
int gl_canvas_text(gl_canvas *c, int x, int y, const char *s, int scale, gl_rgb col);
/* Draws s rotated 90 degrees counter-clockwise (reading bottom to top, for a y-axis label) with
 * the bottom-left of the text at (x, y). */
void gl_canvas_text_up(gl_canvas *c, int x, int y, const char *s, int scale, gl_rgb col);

/* ---------------------------------------------------------------- sample grids (grid.c) */

/* Lays out n images (n, c, h, w) as torchvision's make_grid/save_image does: min(cols, n) images
 * per row, ceil(n / cols) rows, pad pixels of black between images and around the border, so the
 * grid is (rows * (h + pad) + pad) x (cols' * (w + pad) + pad). A value v maps to the byte
 * floor((clamp(v, lo, hi) - lo) / (hi - lo) * 255 + 0.5); NaN maps to 0. c is 1 (grey, and the grid
 * stays grey) or 3 (RGB). lo < hi is required (use gl_image_range for save_image's normalize=True).
 * On success *out is a malloc'd (*out_h, *out_w, c) buffer that the caller frees with free(). */
int gl_image_grid(uint8_t **out, int *out_w, int *out_h, const float *images, int n, int c, int h,
                  int w, float lo, float hi, int cols, int pad, gl_error *err);
/* The largest side of a grid (PNG allows more; this bounds memory and viewers). Every image a data
 * set may hold (GL_DATASET_MAX_SIDE, ganlab/dataset.h) fits a grid with room for padding. */
#define GL_IMAGE_GRID_MAX_SIDE 65535
_Static_assert(GL_IMAGE_GRID_MAX_SIDE >= 3 * GL_DATASET_MAX_SIDE + 4 * 16,
               "a grid holds at least three of the largest images a dataset gives");
/* How many images of h x w fit one grid with pad: *across per row, *down rows (each >= 1 for h, w
 * up to GL_DATASET_MAX_SIDE and pad <= 16). */
void gl_image_grid_capacity(int h, int w, int pad, int *across, int *down);
/* gl_image_grid, then gl_png_write to path. */
int gl_image_grid_png(const char *path, const float *images, int n, int c, int h, int w, float lo,
                      float hi, int cols, int pad, gl_error *err);
/* The smallest and largest finite value of x[0..count) (what save_image's normalize=True uses
 * without value_range); *lo = *hi = 0 when there is none. */
void gl_image_range(const float *x, long count, float *lo, float *hi);

/* ---------------------------------------------------------------- plot axes (axes.c) */

/* A plot area on a canvas and the data range it shows. y grows upwards in data, downwards in
 * pixels. */
typedef struct gl_axes {
    int left, top, right, bottom;  /* plot area in pixels, edges included */
    double xmin, xmax, ymin, ymax; /* data range; min < max */
} gl_axes;

/* Data -> pixel column / row (rounded to nearest; not clipped). */
int gl_axes_px(const gl_axes *a, double x);
int gl_axes_py(const gl_axes *a, double y);
/* "Nice" tick positions (1, 2 or 5 times a power of ten, about `want` of them) inside [lo, hi].
 * Fills ticks[0..cap) and returns how many; *step gets the spacing. An empty or non-finite range
 * gives 0 ticks. */
int gl_axes_ticks(double lo, double hi, int want, double *ticks, int cap, double *step);
/* Frame, light grid lines, ticks and their labels (scale-1 font), and the axis labels (NULL for
 * none) below and left of the area. */
void gl_axes_draw(gl_canvas *c, const gl_axes *a, const char *xlabel, const char *ylabel);
/* The label of tick v of a 1-2-5 series with spacing step: as many decimals as the step needs
 * ("0.05", "1500"), "%.3g" for very large or small steps. */
void gl_axes_tick_label(char *buf, size_t cap, double v, double step);
/* [lo, hi] grown by frac of its span on each side; a span of 0 becomes +-10% of the value (or +-1
 * at 0) so an axis is never empty. */
void gl_axes_widen(double *lo, double *hi, double frac);
/* Draws title centred across the canvas with its top at row y, at scale 2 when it fits (else 1).
 * Returns the height in pixels of what it drew. */
int gl_axes_title(gl_canvas *c, int y, const char *title);

/* ---------------------------------------------------------------- scatter plots (scatter.c) */

typedef struct gl_scatter_opts {
    int size;                      /* side of the square image in pixels (e.g. 512) */
    double xmin, xmax, ymin, ymax; /* shown range; if xmin >= xmax or ymin >= ymax it is derived:
                                      a square around the real points (else the generated ones)
                                      with a 10% margin */
    const char *title;             /* drawn above the plot; NULL for none */
} gl_scatter_opts;

/* Default colours: real points grey, generated points orange, mode centres black crosses. */
extern const gl_rgb gl_scatter_real_rgb, gl_scatter_fake_rgb, gl_scatter_centre_rgb;

/* Draws real (n_real, 2) points as grey 1-radius dots, then fake (n_fake, 2) as coloured dots, then
 * centres (n_centres, 2) as crosses, over axes with ticks. Any array may be NULL with count 0.
 * c must be a canvas of opts->size x opts->size; *axes_out (may be NULL) receives the axes used so
 * callers and tests can map data to pixels. GL_OK or GL_ERR_INPUT (size mismatch, too small). */
int gl_scatter_draw(gl_canvas *c, const float *real, int n_real, const float *fake, int n_fake,
                    const float *centres, int n_centres, const gl_scatter_opts *opts,
                    gl_axes *axes_out, gl_error *err);
/* gl_scatter_draw onto a new white canvas, written to path with gl_png_write. */
int gl_scatter_png(const char *path, const float *real, int n_real, const float *fake, int n_fake,
                   const float *centres, int n_centres, const gl_scatter_opts *opts, gl_error *err);

/* ---------------------------------------------------------------- line charts (chart.c) */

typedef struct gl_series {
    const char *name; /* legend entry */
    const double *x;  /* (n) e.g. the step */
    const double *y;  /* (n) the metric; a non-finite y leaves a gap in the line */
    int n;
    int colour; /* index into the palette (gl_chart_colour), so that a series can keep its colour
                   across charts that leave other series out */
    const double *lo, *hi; /* (n) a band from lo to hi around the line (the spread over seeds),
                              or NULL for none */
} gl_series;

typedef struct gl_chart_opts {
    int width, height;  /* image size in pixels (e.g. 800 x 500) */
    const char *title;  /* above the plot; NULL for none */
    const char *xlabel; /* e.g. "step"; NULL for none */
    const char *ylabel; /* e.g. "FID"; NULL for none */
    const char *note;   /* e.g. "lower is better", under the title; NULL for none */
} gl_chart_opts;

/* Colour i of a fixed 10-colour palette (cycling). */
gl_rgb gl_chart_colour(int i);

/* Draws the series as coloured lines (with dots at the points for series of at most 100 points),
 * each over its band when it has one (its colour blended 20 % into what is below, so bands that
 * overlap stay visible), over axes that fit every finite point and band, a legend (colour, name)
 * right of the plot, and the title and note above it. c must be opts->width x opts->height. GL_OK
 * or GL_ERR_INPUT (size mismatch or too small, no series). */
int gl_chart_draw(gl_canvas *c, const gl_series *series, int n_series, const gl_chart_opts *opts,
                  gl_axes *axes_out, gl_error *err);
/* gl_chart_draw onto a new white canvas, written to path with gl_png_write. */
int gl_chart_png(const char *path, const gl_series *series, int n_series, const gl_chart_opts *opts,
                 gl_error *err);

#endif

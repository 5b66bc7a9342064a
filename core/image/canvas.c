/* canvas.c - an RGB pixel buffer and integer drawing primitives (pixels, Bresenham lines,
 * rectangles, discs, crosses). Integer-only so the same calls give the same bytes everywhere.
 * Not done: antialiasing, alpha blending, line widths (draw neighbouring lines instead). */
#include "image/image.h"

#include <stdlib.h>

/* Larger canvases are certainly a mistake (a swapped argument), not a picture. */
#define GL_CANVAS_MAX_SIDE 16384

int gl_canvas_create(gl_canvas *c, int width, int height, gl_rgb bg, gl_error *err)
{
    c->width = c->height = 0;
    c->px = NULL;
    if (width <= 0 || height <= 0 || width > GL_CANVAS_MAX_SIDE || height > GL_CANVAS_MAX_SIDE)
        return gl_error_add(err, GL_ERR_INPUT, "canvas: size %d x %d is not in 1..%d", width,
                            height, GL_CANVAS_MAX_SIDE);
    c->px = malloc((size_t)width * (size_t)height * 3);
    if (!c->px)
        return gl_error_add(err, GL_ERR_RUN, "canvas: out of memory for %d x %d", width, height);
    c->width = width;
    c->height = height;
    gl_canvas_fill(c, bg);
    return GL_OK;
}

void gl_canvas_destroy(gl_canvas *c)
{
    free(c->px);
    c->px = NULL;
    c->width = c->height = 0;
}

void gl_canvas_fill(gl_canvas *c, gl_rgb col)
{
    gl_canvas_fill_rect(c, 0, 0, c->width, c->height, col);
}

void gl_canvas_set(gl_canvas *c, int x, int y, gl_rgb col)
{
    if (x < 0 || y < 0 || x >= c->width || y >= c->height)
        return;
    uint8_t *p = c->px + ((size_t)y * (size_t)c->width + (size_t)x) * 3;
    p[0] = col.r;
    p[1] = col.g;
    p[2] = col.b;
}

gl_rgb gl_canvas_get(const gl_canvas *c, int x, int y)
{
    if (x < 0 || y < 0 || x >= c->width || y >= c->height)
        return (gl_rgb){0, 0, 0};
    const uint8_t *p = c->px + ((size_t)y * (size_t)c->width + (size_t)x) * 3;
    return (gl_rgb){p[0], p[1], p[2]};
}

void gl_canvas_line(gl_canvas *c, int x0, int y0, int x1, int y1, gl_rgb col)
{
    /* Bresenham's all-octant form: err tracks dx*|row error| - dy*|column error|. */
    int dx = abs(x1 - x0), sx = x0 < x1 ? 1 : -1;
    int dy = -abs(y1 - y0), sy = y0 < y1 ? 1 : -1;
    int e = dx + dy;
    for (;;) {
        gl_canvas_set(c, x0, y0, col);
        if (x0 == x1 && y0 == y1)
            break;
        int e2 = 2 * e;
        if (e2 >= dy) {
            e += dy;
            x0 += sx;
        }
        if (e2 <= dx) {
            e += dx;
            y0 += sy;
        }
    }
}

void gl_canvas_rect(gl_canvas *c, int x, int y, int w, int h, gl_rgb col)
{
    if (w <= 0 || h <= 0)
        return;
    gl_canvas_line(c, x, y, x + w - 1, y, col);
    gl_canvas_line(c, x, y + h - 1, x + w - 1, y + h - 1, col);
    gl_canvas_line(c, x, y, x, y + h - 1, col);
    gl_canvas_line(c, x + w - 1, y, x + w - 1, y + h - 1, col);
}

void gl_canvas_fill_rect(gl_canvas *c, int x, int y, int w, int h, gl_rgb col)
{
    /* Clip once so the inner loop needs no bounds checks. */
    int x0 = x < 0 ? 0 : x, y0 = y < 0 ? 0 : y;
    int x1 = x + w > c->width ? c->width : x + w, y1 = y + h > c->height ? c->height : y + h;
    for (int yy = y0; yy < y1; yy++)
        for (int xx = x0; xx < x1; xx++) {
            uint8_t *p = c->px + ((size_t)yy * (size_t)c->width + (size_t)xx) * 3;
            p[0] = col.r;
            p[1] = col.g;
            p[2] = col.b;
        }
}

void gl_canvas_dot(gl_canvas *c, int cx, int cy, int r, gl_rgb col)
{
    /* r*r + r rather than r*r: rounder small discs (r = 2 gets its 4 extreme points plus the
     * diagonal neighbours, not a diamond). */
    for (int dy = -r; dy <= r; dy++)
        for (int dx = -r; dx <= r; dx++)
            if (dx * dx + dy * dy <= r * r + r)
                gl_canvas_set(c, cx + dx, cy + dy, col);
}

void gl_canvas_cross(gl_canvas *c, int cx, int cy, int r, gl_rgb col)
{
    for (int k = 0; k <= 1; k++) {
        gl_canvas_line(c, cx - r + k, cy - r, cx + r + k, cy + r, col);
        gl_canvas_line(c, cx - r + k, cy + r, cx + r + k, cy - r, col);
    }
}

int gl_canvas_write_png(const gl_canvas *c, const char *path, gl_error *err)
{
    return gl_png_write(path, c->px, c->width, c->height, 3, err);
}

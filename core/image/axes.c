/* axes.c - the part scatter plots and line charts share: mapping data to pixels, choosing
 * "nice" ticks (1, 2 or 5 times a power of ten, as most plotting libraries do), and drawing the
 * frame, grid, ticks and labels. Not done: log scales, dates, automatic margins (callers leave
 * room: about 8 characters of tick label left of the area and two text lines below it). */
#include "image/image.h"

#include <math.h>
#include <stdio.h>

static const gl_rgb frame_rgb = {64, 64, 64}, grid_rgb = {228, 228, 228}, text_rgb = {0, 0, 0};

/* Pixel coordinates far outside any canvas are clamped so the int conversion stays defined;
 * drawing clips them anyway. */
static int to_pixel(double v)
{
    if (!(v > -1e6))
        return -1000000;
    if (v > 1e6)
        return 1000000;
    return (int)lround(v);
}

int gl_axes_px(const gl_axes *a, double x)
{
    return to_pixel(a->left + (x - a->xmin) / (a->xmax - a->xmin) * (a->right - a->left));
}

int gl_axes_py(const gl_axes *a, double y)
{
    return to_pixel(a->bottom - (y - a->ymin) / (a->ymax - a->ymin) * (a->bottom - a->top));
}

int gl_axes_ticks(double lo, double hi, int want, double *ticks, int cap, double *step)
{
    double raw = (hi - lo) / (want > 0 ? want : 1);
    *step = 0.0;
    if (!(raw > 0.0) || !isfinite(raw))
        return 0;
    double p = pow(10.0, floor(log10(raw)));
    double m = raw / p;
    double st = (m < 1.5 ? 1.0 : m < 3.5 ? 2.0 : m < 7.5 ? 5.0 : 10.0) * p;
    *step = st;
    /* The 1e-9 slack keeps a tick that lies on an end of the range despite rounding. */
    double k0 = ceil(lo / st - 1e-9), k1 = floor(hi / st + 1e-9);
    int n = 0;
    for (double k = k0; k <= k1 && n < cap; k++) {
        double t = k * st;
        ticks[n++] = fabs(t) < st * 1e-9 ? 0.0 : t; /* no "-0" labels */
    }
    return n;
}

void gl_axes_tick_label(char *buf, size_t cap, double v, double step)
{
    if (step >= 1e6 || step < 1e-5) {
        snprintf(buf, cap, "%.3g", v);
        return;
    }
    int decimals = step >= 1.0 ? 0 : (int)ceil(-log10(step) - 1e-9);
    snprintf(buf, cap, "%.*f", decimals, v);
}

void gl_axes_draw(gl_canvas *c, const gl_axes *a, const char *xlabel, const char *ylabel)
{
    double ticks[32], step;
    char label[32];
    int w = a->right - a->left + 1, h = a->bottom - a->top + 1;
    int nx = gl_axes_ticks(a->xmin, a->xmax, 6, ticks, 32, &step);
    for (int i = 0; i < nx; i++) {
        int px = gl_axes_px(a, ticks[i]);
        gl_canvas_line(c, px, a->top, px, a->bottom, grid_rgb);
        gl_canvas_line(c, px, a->bottom, px, a->bottom + 4, frame_rgb);
        gl_axes_tick_label(label, sizeof label, ticks[i], step);
        gl_canvas_text(c, px - gl_text_width(label, 1) / 2, a->bottom + 7, label, 1, text_rgb);
    }
    int ny = gl_axes_ticks(a->ymin, a->ymax, 6, ticks, 32, &step);
    for (int i = 0; i < ny; i++) {
        int py = gl_axes_py(a, ticks[i]);
        gl_canvas_line(c, a->left, py, a->right, py, grid_rgb);
        gl_canvas_line(c, a->left - 4, py, a->left, py, frame_rgb);
        gl_axes_tick_label(label, sizeof label, ticks[i], step);
        gl_canvas_text(c, a->left - 7 - gl_text_width(label, 1), py - GL_FONT_H / 2, label, 1,
                       text_rgb);
    }
    gl_canvas_rect(c, a->left, a->top, w, h, frame_rgb);
    if (xlabel)
        gl_canvas_text(c, a->left + (w - gl_text_width(xlabel, 1)) / 2,
                       a->bottom + 7 + GL_FONT_LINE + 4, xlabel, 1, text_rgb);
    if (ylabel)
        gl_canvas_text_up(c, 4, a->top + (h + gl_text_width(ylabel, 1)) / 2, ylabel, 1, text_rgb);
}

int gl_axes_title(gl_canvas *c, int y, const char *title)
{
    int scale = gl_text_width(title, 2) <= c->width - 8 ? 2 : 1;
    gl_canvas_text(c, (c->width - gl_text_width(title, scale)) / 2, y, title, scale, text_rgb);
    return GL_FONT_H * scale;
}

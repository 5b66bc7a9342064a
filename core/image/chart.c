/* chart.c - a line chart of named series (x = step, y = a metric) for comparison reports: one
 * colour per series from a fixed palette (matplotlib's "tab10", so it reads like familiar plots),
 * 2-pixel lines with a gap at each non-finite y, dots at the points when a series has at most
 * DOT_LIMIT of them, a legend right of the plot, a title and a note ("lower is better") above.
 * The axes fit every finite point with a 5% margin on y and 2% on x.
 * A series may carry a band (lo, hi): filled column by column between the interpolated edges, the
 * colour blended BAND_ALPHA into the pixels below, under every line.
 * Not done: log axes, a legend that wraps when it is taller than the canvas. */
#include "image/image.h"

#include <limits.h>
#include <math.h>

enum {
    MARGIN_LEFT = 70,
    MARGIN_RIGHT = 16,
    MARGIN_BOTTOM = 44,
    LEGEND_ROW = 14,
    SWATCH = 16,
    DOT_LIMIT = 100,
    MIN_WIDTH = 200,
    MIN_HEIGHT = 120
};
#define BAND_ALPHA 0.2

static const gl_rgb palette[10] = {
    {31, 119, 180}, {255, 127, 14},  {44, 160, 44},   {214, 39, 40},  {148, 103, 189},
    {140, 86, 75},  {227, 119, 194}, {127, 127, 127}, {188, 189, 34}, {23, 190, 207},
};

gl_rgb gl_chart_colour(int i) { return palette[(i % 10 + 10) % 10]; }

void gl_axes_widen(double *lo, double *hi, double frac)
{
    double span = *hi - *lo;
    if (span > 0.0) {
        *lo -= frac * span;
        *hi += frac * span;
        return;
    }
    double d = fabs(*lo) > 0.0 ? 0.1 * fabs(*lo) : 1.0;
    *lo -= d;
    *hi += d;
}

/* The ranges of every finite point; 0 when there is none. */
static int data_range(const gl_series *s, int ns, gl_axes *a)
{
    a->xmin = a->ymin = INFINITY;
    a->xmax = a->ymax = -INFINITY;
    for (int k = 0; k < ns; k++)
        for (int i = 0; i < s[k].n; i++) {
            double x = s[k].x[i], y = s[k].y[i];
            if (!isfinite(x) || !isfinite(y))
                continue;
            double lo = s[k].lo && isfinite(s[k].lo[i]) ? fmin(y, s[k].lo[i]) : y;
            double hi = s[k].hi && isfinite(s[k].hi[i]) ? fmax(y, s[k].hi[i]) : y;
            a->xmin = fmin(a->xmin, x);
            a->xmax = fmax(a->xmax, x);
            a->ymin = fmin(a->ymin, lo);
            a->ymax = fmax(a->ymax, hi);
        }
    return a->xmin <= a->xmax;
}

static int band_point(const gl_series *s, int i)
{
    return isfinite(s->x[i]) && isfinite(s->lo[i]) && isfinite(s->hi[i]);
}

/* The band of s between each two neighbouring points that have one, a pixel column at a time (a
 * column two pairs share is blended once). */
static void draw_band(gl_canvas *c, const gl_axes *a, const gl_series *s, gl_rgb col)
{
    int done = INT_MIN; /* the last column blended */
    for (int i = 0; s->lo && s->hi && i + 1 < s->n; i++) {
        if (!band_point(s, i) || !band_point(s, i + 1))
            continue;
        int x0 = gl_axes_px(a, s->x[i]), x1 = gl_axes_px(a, s->x[i + 1]);
        for (int px = x0 > done ? x0 : done + 1; px <= x1; px++) {
            double t = x1 > x0 ? (double)(px - x0) / (x1 - x0) : 0.0;
            int top = gl_axes_py(a, s->hi[i] + t * (s->hi[i + 1] - s->hi[i]));
            int bottom = gl_axes_py(a, s->lo[i] + t * (s->lo[i + 1] - s->lo[i]));
            for (int py = top; py <= bottom; py++) {
                gl_rgb b = gl_canvas_get(c, px, py);
                gl_canvas_set(c, px, py,
                              (gl_rgb){(uint8_t)lround(b.r + BAND_ALPHA * (col.r - b.r)),
                                       (uint8_t)lround(b.g + BAND_ALPHA * (col.g - b.g)),
                                       (uint8_t)lround(b.b + BAND_ALPHA * (col.b - b.b))});
            }
        }
        done = x1 > done ? x1 : done;
    }
}

static void draw_series(gl_canvas *c, const gl_axes *a, const gl_series *s, gl_rgb col)
{
    int have_prev = 0, px0 = 0, py0 = 0;
    for (int i = 0; i < s->n; i++) {
        if (!isfinite(s->x[i]) || !isfinite(s->y[i])) {
            have_prev = 0;
            continue;
        }
        int px = gl_axes_px(a, s->x[i]), py = gl_axes_py(a, s->y[i]);
        if (have_prev) {
            gl_canvas_line(c, px0, py0, px, py, col);
            gl_canvas_line(c, px0, py0 + 1, px, py + 1, col);
        }
        if (s->n <= DOT_LIMIT)
            gl_canvas_dot(c, px, py, 2, col);
        have_prev = 1;
        px0 = px;
        py0 = py;
    }
}

int gl_chart_draw(gl_canvas *c, const gl_series *series, int n_series, const gl_chart_opts *opts,
                  gl_axes *axes_out, gl_error *err)
{
    if (opts->width < MIN_WIDTH || opts->height < MIN_HEIGHT || c->width != opts->width ||
        c->height != opts->height)
        return gl_error_add(err, GL_ERR_INPUT,
                            "line chart: canvas %d x %d does not match %d x %d (at least %d x %d)",
                            c->width, c->height, opts->width, opts->height, MIN_WIDTH, MIN_HEIGHT);
    if (n_series <= 0)
        return gl_error_add(err, GL_ERR_INPUT, "line chart: no series to draw");
    int legend_w = 0;
    for (int k = 0; k < n_series; k++) {
        int w = gl_text_width(series[k].name ? series[k].name : "", 1);
        legend_w = w > legend_w ? w : legend_w;
    }
    legend_w += SWATCH + 6 + 12;
    int y = 8; /* where the next line of text above the plot goes */
    if (opts->title)
        y += gl_axes_title(c, y, opts->title) + 6;
    if (opts->note) {
        gl_canvas_text(c, (c->width - gl_text_width(opts->note, 1)) / 2, y, opts->note, 1,
                       (gl_rgb){96, 96, 96});
        y += GL_FONT_LINE + 4;
    }
    int top = y + 8;
    gl_axes a = {.left = MARGIN_LEFT,
                 .top = top,
                 .right = c->width - MARGIN_RIGHT - legend_w - 1,
                 .bottom = c->height - MARGIN_BOTTOM - 1};
    if (a.right - a.left < 40 || a.bottom - a.top < 40)
        return gl_error_add(err, GL_ERR_INPUT,
                            "line chart: %d x %d leaves no room for the plot next to the legend "
                            "and title",
                            c->width, c->height);
    if (!data_range(series, n_series, &a)) {
        a.xmin = a.ymin = 0.0;
        a.xmax = a.ymax = 1.0;
    }
    gl_axes_widen(&a.xmin, &a.xmax, 0.02);
    gl_axes_widen(&a.ymin, &a.ymax, 0.05);
    gl_axes_draw(c, &a, opts->xlabel, opts->ylabel);
    for (int k = 0; k < n_series; k++)
        draw_band(c, &a, &series[k], gl_chart_colour(series[k].colour));
    for (int k = 0; k < n_series; k++) {
        gl_rgb col = gl_chart_colour(series[k].colour);
        draw_series(c, &a, &series[k], col);
        int lx = a.right + 12, ly = a.top + 4 + k * LEGEND_ROW;
        gl_canvas_fill_rect(c, lx, ly + 2, SWATCH, 3, col);
        gl_canvas_text(c, lx + SWATCH + 6, ly, series[k].name ? series[k].name : "", 1,
                       (gl_rgb){0, 0, 0});
    }
    if (axes_out)
        *axes_out = a;
    return GL_OK;
}

int gl_chart_png(const char *path, const gl_series *series, int n_series, const gl_chart_opts *opts,
                 gl_error *err)
{
    gl_canvas c;
    int rc = gl_canvas_create(&c, opts->width, opts->height, (gl_rgb){255, 255, 255}, err);
    if (rc != GL_OK)
        return rc;
    rc = gl_chart_draw(&c, series, n_series, opts, NULL, err);
    if (rc == GL_OK)
        rc = gl_canvas_write_png(&c, path, err);
    gl_canvas_destroy(&c);
    return rc;
}

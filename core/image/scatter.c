/* scatter.c - a 2-D scatter plot for toy datasets: the real sample in grey, the generator's sample
 * in colour on top (so mode collapse shows as colour on only some grey clusters), the mixture's
 * mode centres as crosses. The plot area is square and, when the range is derived, the same scale
 * on both axes, so a ring of Gaussians looks like a ring. Points outside the range are not drawn.
 * Not done: density shading, more than two point sets. */
#include "image/image.h"

#include <math.h>
#include <stdlib.h>

const gl_rgb gl_scatter_real_rgb = {170, 170, 170};
const gl_rgb gl_scatter_fake_rgb = {255, 127, 14};
const gl_rgb gl_scatter_centre_rgb = {0, 0, 0};

/* Margins around the square plot area: tick labels left, ticks + legend below, title above. */
enum { MARGIN_LEFT = 60, MARGIN_RIGHT = 16, MARGIN_TOP = 30, MIN_SIZE = 128 };

/* The bounding box of pts (n, 2) made square around its centre and grown by 10%; [-1, 1] squared
 * when there are no finite points, a side of 2 around a single point. */
static void derive_range(const float *pts, int n, gl_axes *a)
{
    double x0 = INFINITY, x1 = -INFINITY, y0 = INFINITY, y1 = -INFINITY;
    for (int i = 0; i < n; i++) {
        double x = pts[2 * i], y = pts[2 * i + 1];
        if (!isfinite(x) || !isfinite(y))
            continue;
        x0 = fmin(x0, x);
        x1 = fmax(x1, x);
        y0 = fmin(y0, y);
        y1 = fmax(y1, y);
    }
    if (!(x0 <= x1)) {
        x0 = y0 = -1.0;
        x1 = y1 = 1.0;
    }
    double half = 0.55 * fmax(x1 - x0, y1 - y0);
    if (!(half > 0.0))
        half = 1.0;
    double cx = 0.5 * (x0 + x1), cy = 0.5 * (y0 + y1);
    a->xmin = cx - half;
    a->xmax = cx + half;
    a->ymin = cy - half;
    a->ymax = cy + half;
}

static void draw_points(gl_canvas *c, const gl_axes *a, const float *pts, int n, gl_rgb col)
{
    for (int i = 0; i < n; i++) {
        int px = gl_axes_px(a, pts[2 * i]), py = gl_axes_py(a, pts[2 * i + 1]);
        if (px >= a->left && px <= a->right && py >= a->top && py <= a->bottom)
            gl_canvas_dot(c, px, py, 1, col);
    }
}

/* One legend entry: a sample mark, then the name. Returns the x where the next entry starts. */
static int legend_entry(gl_canvas *c, int x, int y, const char *name, gl_rgb col, int cross)
{
    if (cross)
        gl_canvas_cross(c, x + 3, y + 3, 3, col);
    else
        gl_canvas_dot(c, x + 3, y + 3, 2, col);
    return x + 12 + gl_canvas_text(c, x + 12, y, name, 1, (gl_rgb){0, 0, 0}) + 14;
}

int gl_scatter_draw(gl_canvas *c, const float *real, int n_real, const float *fake, int n_fake,
                    const float *centres, int n_centres, const gl_scatter_opts *opts,
                    gl_axes *axes_out, gl_error *err)
{
    int s = opts->size;
    if (s < MIN_SIZE || c->width != s || c->height != s)
        return gl_error_add(err, GL_ERR_INPUT,
                            "scatter plot: canvas %d x %d does not match size %d (at least %d)",
                            c->width, c->height, s, MIN_SIZE);
    gl_axes a = {.left = MARGIN_LEFT,
                 .top = MARGIN_TOP,
                 .right = s - MARGIN_RIGHT - 1,
                 .bottom = MARGIN_TOP + s - MARGIN_LEFT - MARGIN_RIGHT - 1};
    if (opts->xmin < opts->xmax && opts->ymin < opts->ymax) {
        a.xmin = opts->xmin;
        a.xmax = opts->xmax;
        a.ymin = opts->ymin;
        a.ymax = opts->ymax;
    } else if (n_real > 0) {
        derive_range(real, n_real, &a);
    } else {
        derive_range(fake, n_fake, &a);
    }
    gl_axes_draw(c, &a, NULL, NULL);
    draw_points(c, &a, real, n_real, gl_scatter_real_rgb);
    draw_points(c, &a, fake, n_fake, gl_scatter_fake_rgb);
    for (int i = 0; i < n_centres; i++)
        gl_canvas_cross(c, gl_axes_px(&a, centres[2 * i]), gl_axes_py(&a, centres[2 * i + 1]), 5,
                        gl_scatter_centre_rgb);
    if (opts->title)
        gl_axes_title(c, 8, opts->title);
    int y = a.bottom + 7 + GL_FONT_LINE + 6, x = a.left;
    if (n_real > 0)
        x = legend_entry(c, x, y, "real", gl_scatter_real_rgb, 0);
    if (n_fake > 0)
        x = legend_entry(c, x, y, "generated", gl_scatter_fake_rgb, 0);
    if (n_centres > 0)
        legend_entry(c, x, y, "mode centres", gl_scatter_centre_rgb, 1);
    if (axes_out)
        *axes_out = a;
    return GL_OK;
}

int gl_scatter_png(const char *path, const float *real, int n_real, const float *fake, int n_fake,
                   const float *centres, int n_centres, const gl_scatter_opts *opts, gl_error *err)
{
    gl_canvas c;
    int rc = gl_canvas_create(&c, opts->size, opts->size, (gl_rgb){255, 255, 255}, err);
    if (rc != GL_OK)
        return rc;
    rc = gl_scatter_draw(&c, real, n_real, fake, n_fake, centres, n_centres, opts, NULL, err);
    if (rc == GL_OK)
        rc = gl_canvas_write_png(&c, path, err);
    gl_canvas_destroy(&c);
    return rc;
}

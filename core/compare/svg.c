/* svg.c - a chart (charts.c) as an inline SVG element for report.html: vector lines and real text,
 * so it stays sharp at any zoom and can be searched and copied.
 *
 * Layout, in user units (= CSS pixels at the natural width GL_CMP_SVG_WIDTH; the report's grid
 * columns are at least that wide, so text is never drawn below its nominal size there):
 *     title (15 px, bold) and a note (12 px) on top;
 *     the plot area with grid lines, "nice" ticks (core/image's 1-2-5 series) labelled at 12 px;
 *     per line, the min-max band over seeds (the colour at 18 % opacity) under the mean line
 *     (2 px, with dots when it has at most DOT_LIMIT points);
 *     the legend below the plot, one row per line, so long variant names have the whole width.
 * Colours are core/image's palette by variant index, as in the PNG copies. Numbers are printed
 * with one decimal (%.1f in the C locale the program runs in), so the bytes are deterministic.
 */
#include "compare/compare.h"

#include <math.h>
#include <stdio.h>

#include "compare/doc.h"
#include "image/image.h"

enum {
    LEFT = 64, /* room for the y tick labels */
    RIGHT = 16,
    TOP = 58, /* title and note */
    PLOT_H = 230,
    BELOW = 52, /* x tick labels and the x axis title */
    LEGEND_ROW = 20,
    DOT_LIMIT = 60,
    LEGEND_CHARS = 72 /* longer names are cut in the legend; the full name is its tooltip */
};

typedef struct frame {
    double xmin, xmax, ymin, ymax;
    double left, right, top, bottom;
} frame;

static double px(const frame *f, double x)
{
    return f->left + (x - f->xmin) / (f->xmax - f->xmin) * (f->right - f->left);
}

static double py(const frame *f, double y)
{
    return f->bottom - (y - f->ymin) / (f->ymax - f->ymin) * (f->bottom - f->top);
}

static void fit(const gl_cmp_chart *c, frame *f)
{
    f->xmin = f->ymin = INFINITY;
    f->xmax = f->ymax = -INFINITY;
    for (int k = 0; k < c->n_lines; k++)
        for (int i = 0; i < c->lines[k].n; i++) {
            f->xmin = fmin(f->xmin, c->lines[k].x[i]);
            f->xmax = fmax(f->xmax, c->lines[k].x[i]);
            f->ymin = fmin(f->ymin, c->lines[k].lo[i]);
            f->ymax = fmax(f->ymax, c->lines[k].hi[i]);
        }
    if (!(f->xmin <= f->xmax)) {
        f->xmin = f->ymin = 0.0;
        f->xmax = f->ymax = 1.0;
    }
    gl_axes_widen(&f->xmin, &f->xmax, 0.02);
    gl_axes_widen(&f->ymin, &f->ymax, 0.05);
}

static void text(FILE *o, double x, double y, const char *anchor, const char *extra, const char *s)
{
    fprintf(o, "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"%s\"%s>", x, y, anchor, extra);
    gl_cmp_xml_text(o, s);
    fputs("</text>\n", o);
}

static void axes(FILE *o, const frame *f, const char *xlabel)
{
    double ticks[32], step;
    char label[32];
    int n = gl_axes_ticks(f->xmin, f->xmax, 5, ticks, 32, &step);
    for (int i = 0; i < n; i++) {
        double x = px(f, ticks[i]);
        fprintf(o, "<line stroke=\"#e4e4e4\" x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\"/>\n",
                x, f->top, x, f->bottom);
        gl_axes_tick_label(label, sizeof label, ticks[i], step);
        text(o, x, f->bottom + 17, "middle", "", label);
    }
    n = gl_axes_ticks(f->ymin, f->ymax, 5, ticks, 32, &step);
    for (int i = 0; i < n; i++) {
        double y = py(f, ticks[i]);
        fprintf(o, "<line stroke=\"#e4e4e4\" x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\"/>\n",
                f->left, y, f->right, y);
        gl_axes_tick_label(label, sizeof label, ticks[i], step);
        text(o, f->left - 6, y + 4, "end", "", label);
    }
    fprintf(o,
            "<rect fill=\"none\" stroke=\"#444\" x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" "
            "height=\"%.1f\"/>\n",
            f->left, f->top, f->right - f->left, f->bottom - f->top);
    text(o, (f->left + f->right) / 2, f->bottom + 38, "middle", "", xlabel);
}

/* The band of line l: one polygon, hi left to right then lo right to left. Nothing when hi == lo
 * everywhere (one seed). */
static void band(FILE *o, const frame *f, const gl_cmp_line *l, gl_rgb col)
{
    int spread = 0;
    for (int i = 0; i < l->n; i++)
        spread |= l->hi[i] > l->lo[i];
    if (!spread)
        return;
    fprintf(o, "<polygon fill-opacity=\"0.18\" fill=\"#%02x%02x%02x\" points=\"", col.r, col.g,
            col.b);
    for (int i = 0; i < l->n; i++)
        fprintf(o, "%s%.1f,%.1f", i ? " " : "", px(f, l->x[i]), py(f, l->hi[i]));
    for (int i = l->n - 1; i >= 0; i--)
        fprintf(o, " %.1f,%.1f", px(f, l->x[i]), py(f, l->lo[i]));
    fputs("\"/>\n", o);
}

static void line(FILE *o, const frame *f, const gl_cmp_line *l, gl_rgb col)
{
    fprintf(o,
            "<polyline fill=\"none\" stroke-width=\"2\" stroke-linejoin=\"round\" "
            "stroke=\"#%02x%02x%02x\" points=\"",
            col.r, col.g, col.b);
    for (int i = 0; i < l->n; i++)
        fprintf(o, "%s%.1f,%.1f", i ? " " : "", px(f, l->x[i]), py(f, l->mean[i]));
    fputs("\"/>\n", o);
    for (int i = 0; l->n <= DOT_LIMIT && i < l->n; i++)
        fprintf(o, "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"2.5\" fill=\"#%02x%02x%02x\"/>\n",
                px(f, l->x[i]), py(f, l->mean[i]), col.r, col.g, col.b);
}

static void legend(FILE *o, const gl_cmp_line *l, double y, gl_rgb col)
{
    char cut[LEGEND_CHARS + 8];
    fprintf(o, "<g><title>");
    gl_cmp_xml_text(o, l->name);
    fprintf(
        o, "</title><rect x=\"%d\" y=\"%.1f\" width=\"18\" height=\"4\" fill=\"#%02x%02x%02x\"/>\n",
        LEFT, y - 6, col.r, col.g, col.b);
    snprintf(cut, sizeof cut, "%.*s%s", LEGEND_CHARS, l->name,
             snprintf(NULL, 0, "%s", l->name) > LEGEND_CHARS ? "..." : "");
    text(o, LEFT + 26, y, "start", "", cut);
    fputs("</g>\n", o);
}

void gl_cmp_chart_svg(FILE *o, const gl_cmp_chart *c)
{
    frame f = {.left = LEFT, .right = GL_CMP_SVG_WIDTH - RIGHT, .top = TOP, .bottom = TOP + PLOT_H};
    fit(c, &f);
    int height = TOP + PLOT_H + BELOW + LEGEND_ROW * c->n_lines + 8;
    fprintf(o,
            "<svg class=\"chart\" xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 %d %d\" "
            "role=\"img\" font-family=\"sans-serif\" font-size=\"12\">\n<title>",
            GL_CMP_SVG_WIDTH, height);
    gl_cmp_xml_text(o, c->title);
    fputs("</title>\n", o);
    text(o, GL_CMP_SVG_WIDTH / 2.0, 22, "middle", " font-size=\"15\" font-weight=\"bold\"",
         c->title);
    text(o, GL_CMP_SVG_WIDTH / 2.0, 42, "middle", " fill=\"#666\"",
         "line: mean over seeds; band: min to max over seeds");
    axes(o, &f, c->xlabel);
    for (int k = 0; k < c->n_lines; k++)
        band(o, &f, &c->lines[k], gl_chart_colour(c->lines[k].variant));
    for (int k = 0; k < c->n_lines; k++)
        line(o, &f, &c->lines[k], gl_chart_colour(c->lines[k].variant));
    for (int k = 0; k < c->n_lines; k++)
        legend(o, &c->lines[k], f.bottom + BELOW + LEGEND_ROW * k + 10,
               gl_chart_colour(c->lines[k].variant));
    fputs("</svg>\n", o);
}

/* doc_html.c - the report's blocks (doc.h) as one self-contained HTML page: the style sheet is
 * inline, charts are inline SVG (svg.c) and the sample images are embedded as data: URIs (base64
 * of the PNG file), so report.html can be mailed or archived alone. Text is escaped (& < > ").
 * No script.
 *
 * base64 (RFC 4648): each 3 bytes b0 b1 b2 give the 4 characters of the 6-bit groups
 * b0>>2, (b0&3)<<4|b1>>4, (b1&15)<<2|b2>>6, b2&63; a last group of 1 or 2 bytes is padded with '='.
 */
#include "compare/doc.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "util/fs.h"

#define MAX_IMAGE_BYTES ((long)64 << 20)

/* The first n bytes of s, escaped. */
static void xml_n(FILE *f, const char *s, size_t n)
{
    for (size_t i = 0; i < n && s[i]; i++) {
        switch (s[i]) {
        case '&':
            fputs("&amp;", f);
            break;
        case '<':
            fputs("&lt;", f);
            break;
        case '>':
            fputs("&gt;", f);
            break;
        case '"':
            fputs("&quot;", f);
            break;
        default:
            fputc(s[i], f);
        }
    }
}

void gl_cmp_xml_text(FILE *f, const char *s) { xml_n(f, s, strlen(s)); }

static void base64(FILE *out, const unsigned char *b, size_t n)
{
    static const char abc[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    for (size_t i = 0; i < n; i += 3) {
        unsigned b0 = b[i], b1 = i + 1 < n ? b[i + 1] : 0, b2 = i + 2 < n ? b[i + 2] : 0;
        fputc(abc[b0 >> 2], out);
        fputc(abc[(b0 & 3) << 4 | b1 >> 4], out);
        fputc(i + 1 < n ? abc[(b1 & 15) << 2 | b2 >> 6] : '=', out);
        fputc(i + 2 < n ? abc[b2 & 63] : '=', out);
    }
}

/* Writes the file dir/rel as base64, 3 KiB at a time (a multiple of 3, so no padding inside). */
static int embed(gl_cmp_doc *d, const char *rel, gl_error *err)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", d->dir, rel);
    const char *why;
    FILE *f = gl_fopen_regular(path, "rb", &why);
    if (!f)
        return gl_error_add(err, errno == EINVAL ? GL_ERR_INPUT : GL_ERR_RUN,
                            "%s: cannot open to embed: %s", path, why);
    unsigned char buf[3072];
    size_t got;
    long total = 0;
    fputs("data:image/png;base64,", d->f);
    while ((got = fread(buf, 1, sizeof buf, f)) > 0 && (total += (long)got) <= MAX_IMAGE_BYTES)
        base64(d->f, buf, got);
    int bad = ferror(f) || total > MAX_IMAGE_BYTES;
    fclose(f);
    if (bad)
        return gl_error_add(err, GL_ERR_RUN, "%s: cannot read to embed (or larger than %ld MiB)",
                            path, MAX_IMAGE_BYTES >> 20);
    return GL_OK;
}

static void begin(gl_cmp_doc *d, const char *title)
{
    fputs("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>", d->f);
    gl_cmp_xml_text(d->f, title);
    /* The page and its table fit 1300 px: the table's values break before "±", its headers after
     * each '.', variant names after '.', '_' and '-'. Two chart columns fit; each is at least the
     * SVG's natural width, so chart text is never drawn smaller than 12 px. */
    fputs("</title>\n<style>\n"
          "body { font-family: sans-serif; margin: 0 auto; padding: 1em 2em; max-width: 1300px; "
          "box-sizing: border-box; color: #222; }\n"
          "table { border-collapse: collapse; margin: 1em 0; font-size: 13px; }\n"
          "th, td { border: 1px solid #ccc; padding: 3px 6px; text-align: right; }\n"
          "th { background: #f3f3f3; vertical-align: bottom; }\n"
          "th:first-child, td:first-child { text-align: left; max-width: 16em; "
          "overflow-wrap: break-word; }\n"
          ".sd { color: #555; white-space: nowrap; }\n"
          ".charts { display: grid; gap: 1.5em 2em; grid-template-columns: "
          "repeat(auto-fill, minmax(min(100%, 560px), 1fr)); }\n"
          ".charts svg { display: block; width: 100%; height: auto; }\n"
          ".figs { display: flex; flex-wrap: wrap; gap: 1em; }\n"
          "figure { margin: 0; } figcaption { text-align: center; font-size: 90%; }\n"
          "img { max-width: 100%; image-rendering: pixelated; }\n"
          "pre { background: #f6f6f6; padding: 0.5em; }\n"
          ".warn { background: #fff4d6; border-left: 4px solid #e0a000; padding: 0.5em 1em; }\n"
          "</style>\n</head>\n<body>\n<h1>",
          d->f);
    gl_cmp_xml_text(d->f, title);
    fputs("</h1>\n", d->f);
}

static void end(gl_cmp_doc *d) { fputs("</body>\n</html>\n", d->f); }

static void heading(gl_cmp_doc *d, const char *text)
{
    fputs("<h2>", d->f);
    gl_cmp_xml_text(d->f, text);
    fputs("</h2>\n", d->f);
}

static void para(gl_cmp_doc *d, const char *text)
{
    fputs("<p>", d->f);
    gl_cmp_xml_text(d->f, text);
    fputs("</p>\n", d->f);
}

/* Text with a break opportunity after each of the characters in `after` (a header breaks after
 * '.': "classifier.<wbr>precision"; a variant name also after '_' and '-'). */
static void breakable(FILE *f, const char *s, const char *after)
{
    for (size_t n; s[n = strcspn(s, after)]; s += n + 1) {
        xml_n(f, s, n + 1);
        fputs("<wbr>", f);
    }
    gl_cmp_xml_text(f, s);
}

/* A value: "mean ± sd (n=K)" on two lines, the spread under the mean. */
static void value_text(FILE *f, const char *s)
{
    const char *pm = strstr(s, " ± ");
    if (!pm) {
        gl_cmp_xml_text(f, s);
        return;
    }
    xml_n(f, s, (size_t)(pm - s));
    fputs("<br><span class=\"sd\">", f);
    gl_cmp_xml_text(f, pm + 1);
    fputs("</span>", f);
}

static void warning(gl_cmp_doc *d, const char *text)
{
    fputs("<p class=\"warn\"><b>Warning</b>: ", d->f);
    gl_cmp_xml_text(d->f, text);
    fputs("</p>\n", d->f);
}

static void cells(gl_cmp_doc *d, const char *tag, int n, const char *const *c, const int *bold)
{
    fputs("<tr>", d->f);
    for (int i = 0; i < n; i++) {
        int b = bold && bold[i];
        fprintf(d->f, "<%s>%s", tag, b ? "<b>" : "");
        if (tag[1] == 'h')
            breakable(d->f, c[i], ".");
        else if (i == 0)
            breakable(d->f, c[i], "._-");
        else
            value_text(d->f, c[i]);
        fprintf(d->f, "%s</%s>", b ? "</b>" : "", tag);
    }
    fputs("</tr>\n", d->f);
}

static void table_head(gl_cmp_doc *d, int n, const char *const *c)
{
    fputs("<table>\n", d->f);
    cells(d, "th", n, c, NULL);
}

static void table_row(gl_cmp_doc *d, int n, const char *const *c, const int *bold)
{
    cells(d, "td", n, c, bold);
}

static void table_end(gl_cmp_doc *d) { fputs("</table>\n", d->f); }

static void item(gl_cmp_doc *d, const char *label, const char *text)
{
    if (!d->in_list)
        fputs("<ul>\n", d->f);
    d->in_list = 1;
    fputs("<li>", d->f);
    if (label && label[0]) {
        fputs("<b>", d->f);
        gl_cmp_xml_text(d->f, label);
        fputs("</b>: ", d->f);
    }
    gl_cmp_xml_text(d->f, text);
    fputs("</li>\n", d->f);
}

static void items_end(gl_cmp_doc *d)
{
    if (d->in_list)
        fputs("</ul>\n", d->f);
    d->in_list = 0;
}

static void pre(gl_cmp_doc *d, const char *text)
{
    fputs("<pre>", d->f);
    gl_cmp_xml_text(d->f, text);
    fputs("</pre>\n", d->f);
}

static int figures(gl_cmp_doc *d, int n, const char *const *paths, const char *const *captions,
                   gl_error *err)
{
    fputs("<div class=\"figs\">\n", d->f);
    for (int i = 0; i < n; i++) {
        fputs("<figure><img alt=\"", d->f);
        gl_cmp_xml_text(d->f, captions[i]);
        fputs("\" src=\"", d->f);
        if (embed(d, paths[i], err) != GL_OK)
            return GL_ERR_RUN;
        fputs("\"><figcaption>", d->f);
        gl_cmp_xml_text(d->f, captions[i]);
        fputs("</figcaption></figure>\n", d->f);
    }
    fputs("</div>\n", d->f);
    return GL_OK;
}

static void charts(gl_cmp_doc *d, int n, const gl_cmp_chart *const *c, const char *const *pngs)
{
    (void)pngs;
    fputs("<div class=\"charts\">\n", d->f);
    for (int i = 0; i < n; i++)
        gl_cmp_chart_svg(d->f, c[i]);
    fputs("</div>\n", d->f);
}

const gl_cmp_doc_ops gl_cmp_doc_html = {begin,      end,       heading,   para, warning,
                                        table_head, table_row, table_end, item, items_end,
                                        pre,        figures,   charts};

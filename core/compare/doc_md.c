/* doc_md.c - the report's blocks (doc.h) as GitHub-flavoured Markdown. Images are linked by their
 * relative path (charts/..., samples/... beside report.md), so the directory is the report.
 * Table cells escape '|' and fold newlines, headings fold them; other text is the report's own and
 * written as is.
 */
#include "compare/doc.h"

#include <string.h>

/* Writes s with '|' escaped (in a table) and newlines as spaces. */
static void cell(FILE *f, const char *s)
{
    for (; *s; s++) {
        if (*s == '|')
            fputs("\\|", f);
        else
            fputc(*s == '\n' ? ' ' : *s, f);
    }
}

/* A heading: its text with line breaks as spaces (a --title may hold them), so it stays one. */
static void heading_at(FILE *f, const char *marks, const char *s)
{
    fprintf(f, "%s ", marks);
    for (; *s; s++)
        fputc(*s == '\n' || *s == '\r' ? ' ' : *s, f);
    fputs("\n\n", f);
}

static void begin(gl_cmp_doc *d, const char *title) { heading_at(d->f, "#", title); }

static void end(gl_cmp_doc *d) { (void)d; }

static void heading(gl_cmp_doc *d, const char *text) { heading_at(d->f, "##", text); }

static void para(gl_cmp_doc *d, const char *text) { fprintf(d->f, "%s\n\n", text); }

static void warning(gl_cmp_doc *d, const char *text)
{
    fprintf(d->f, "> **Warning**: %s\n\n", text);
}

static void row(gl_cmp_doc *d, int n, const char *const *cells, const int *bold)
{
    for (int i = 0; i < n; i++) {
        int b = bold && bold[i] && cells[i][0];
        fputs(i ? " | " : "| ", d->f);
        fputs(b ? "**" : "", d->f);
        cell(d->f, cells[i]);
        fputs(b ? "**" : "", d->f);
    }
    fputs(" |\n", d->f);
}

static void table_head(gl_cmp_doc *d, int n, const char *const *cells)
{
    row(d, n, cells, NULL);
    for (int i = 0; i < n; i++)
        fputs(i ? "---|" : "|---|", d->f);
    fputc('\n', d->f);
}

static void table_end(gl_cmp_doc *d) { fputc('\n', d->f); }

static void item(gl_cmp_doc *d, const char *label, const char *text)
{
    d->in_list = 1;
    if (label && label[0])
        fprintf(d->f, "- **%s**: %s\n", label, text);
    else
        fprintf(d->f, "- %s\n", text);
}

static void items_end(gl_cmp_doc *d)
{
    if (d->in_list)
        fputc('\n', d->f);
    d->in_list = 0;
}

static void pre(gl_cmp_doc *d, const char *text)
{
    size_t len = strlen(text);
    fprintf(d->f, "```\n%s%s```\n\n", text, len && text[len - 1] == '\n' ? "" : "\n");
}

/* Side by side as a one-row table: captions in the header, images below. */
static int figures(gl_cmp_doc *d, int n, const char *const *paths, const char *const *captions,
                   gl_error *err)
{
    (void)err;
    if (n == 1) {
        fprintf(d->f, "![%s](%s)\n\n", captions[0], paths[0]);
        return GL_OK;
    }
    table_head(d, n, captions);
    for (int i = 0; i < n; i++)
        fprintf(d->f, "%s![%s](%s)", i ? " | " : "| ", captions[i], paths[i]);
    fputs(" |\n\n", d->f);
    return GL_OK;
}

/* One after the other: the PNG copies carry the title at their top, as the SVGs do. */
static void charts(gl_cmp_doc *d, int n, const gl_cmp_chart *const *c, const char *const *pngs)
{
    for (int i = 0; i < n; i++)
        fprintf(d->f, "![%s](%s)\n\n", c[i]->title, pngs[i]);
}

const gl_cmp_doc_ops gl_cmp_doc_md = {begin,     end,  heading,   para, warning, table_head, row,
                                      table_end, item, items_end, pre,  figures, charts};

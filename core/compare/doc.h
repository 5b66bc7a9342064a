/* compare/doc.h - the few building blocks a comparison report is made of, so that report.c writes
 * the report once and each output format (doc_md.c: Markdown, doc_html.c: a self-contained HTML
 * page) renders the blocks its own way. Text arguments are plain text: each format escapes it.
 */
#ifndef GL_COMPARE_DOC_H
#define GL_COMPARE_DOC_H

#include <stdio.h>

#include <ganlab/error.h>

#include "compare/compare.h"

typedef struct gl_cmp_doc gl_cmp_doc;

typedef struct gl_cmp_doc_ops {
    void (*begin)(gl_cmp_doc *d, const char *title); /* also writes the title as a heading */
    void (*end)(gl_cmp_doc *d);
    void (*heading)(gl_cmp_doc *d, const char *text); /* a section */
    void (*para)(gl_cmp_doc *d, const char *text);
    void (*warning)(gl_cmp_doc *d, const char *text); /* a paragraph that must not be missed */
    /* A table: the header row, then rows; bold[i] marks cell i (NULL: none). */
    void (*table_head)(gl_cmp_doc *d, int n, const char *const *cells);
    void (*table_row)(gl_cmp_doc *d, int n, const char *const *cells, const int *bold);
    void (*table_end)(gl_cmp_doc *d);
    void (*item)(gl_cmp_doc *d, const char *label, const char *text); /* a list entry */
    void (*items_end)(gl_cmp_doc *d);
    /* Preformatted lines (config differences). */
    void (*pre)(gl_cmp_doc *d, const char *text);
    /* n images side by side, each with a caption; paths are relative to the report's directory.
     * GL_OK, or GL_ERR_RUN when an image to embed cannot be read. */
    int (*figures)(gl_cmp_doc *d, int n, const char *const *paths, const char *const *captions,
                   gl_error *err);
    /* n charts, each with its title on top: Markdown links the PNG copy pngs[i] (relative to the
     * report's directory), HTML draws charts[i] as SVG in a grid. */
    void (*charts)(gl_cmp_doc *d, int n, const gl_cmp_chart *const *charts,
                   const char *const *pngs);
} gl_cmp_doc_ops;

struct gl_cmp_doc {
    const gl_cmp_doc_ops *ops;
    FILE *f;         /* where the document goes */
    const char *dir; /* the report's directory (images are read from it) */
    int in_list;     /* an item list is open */
};

extern const gl_cmp_doc_ops gl_cmp_doc_md, gl_cmp_doc_html;

/* s as XML/HTML text: & < > " escaped (doc_html.c; svg.c uses it too). */
void gl_cmp_xml_text(FILE *f, const char *s);

#endif

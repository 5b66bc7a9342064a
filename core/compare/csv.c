/* csv.c - the run's CSV logs as numeric tables: a header naming the columns (the first is `step`),
 * then rows of numbers. The logs are written by ganlab itself (plain fields, no quoting), so this
 * reader does not handle quoted fields; it does handle what a crash leaves behind (a last line cut
 * in the middle, which is dropped; an empty file, from a run that failed before its first row) and
 * refuses anything else that does not fit, naming file:line, steps that do not increase included.
 */
#include "compare/compare.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/fs.h"

#define MAX_COLS 4096

void gl_cmp_csv_free(gl_cmp_csv *t)
{
    for (int i = 0; i < t->n_cols; i++)
        free(t->cols[i]);
    free(t->cols);
    free(t->v);
    memset(t, 0, sizeof *t);
}

/* Splits line (newline removed) at commas in place; fields[] gets at most cap pointers. Returns the
 * field count (which may exceed cap: the rest are not stored). */
static int split(char *line, char **fields, int cap)
{
    int n = 0;
    for (char *p = line;; p++) {
        if (n < cap)
            fields[n] = p;
        n++;
        p = strchr(p, ',');
        if (!p)
            return n;
        *p = '\0';
    }
}

static double number(const char *s)
{
    char *end;
    errno = 0;
    double v = strtod(s, &end);
    return end != s && *end == '\0' ? v : NAN;
}

static int header(gl_cmp_csv *t, char *line, char **fields, const char *path, gl_error *err)
{
    int n = split(line, fields, MAX_COLS);
    if (n > MAX_COLS)
        return gl_error_add(err, GL_ERR_INPUT, "%s:1: more than %d columns", path, MAX_COLS);
    if (strcmp(fields[0], "step") != 0)
        return gl_error_add(err, GL_ERR_INPUT, "%s:1: the first column must be 'step', not '%.40s'",
                            path, fields[0]);
    t->cols = calloc((size_t)n, sizeof *t->cols);
    if (!t->cols)
        return gl_error_add(err, GL_ERR_RUN, "%s: out of memory", path);
    for (t->n_cols = 0; t->n_cols < n; t->n_cols++)
        if (!(t->cols[t->n_cols] = strdup(fields[t->n_cols])))
            return gl_error_add(err, GL_ERR_RUN, "%s: out of memory", path);
    return GL_OK;
}

static int row(gl_cmp_csv *t, char *line, char **fields, int *cap_rows, int lineno,
               const char *path, gl_error *err)
{
    int n = split(line, fields, MAX_COLS);
    if (n != t->n_cols)
        return gl_error_add(err, GL_ERR_INPUT, "%s:%d: %d fields, the header has %d", path, lineno,
                            n, t->n_cols);
    if (t->n_rows == *cap_rows) {
        int cap = *cap_rows ? 2 * *cap_rows : 64;
        double *v = realloc(t->v, (size_t)cap * (size_t)t->n_cols * sizeof *v);
        if (!v)
            return gl_error_add(err, GL_ERR_RUN, "%s: out of memory", path);
        t->v = v;
        *cap_rows = cap;
    }
    double *r = t->v + (size_t)t->n_rows * (size_t)t->n_cols;
    for (int i = 0; i < n; i++)
        r[i] = number(fields[i]);
    /* As eval.json's step: a whole number that converts to long long (readers compare steps). */
    if (!(r[0] >= 0 && r[0] <= 9e15) || r[0] != floor(r[0]))
        return gl_error_add(err, GL_ERR_INPUT, "%s:%d: step '%.40s' is not a whole number >= 0",
                            path, lineno, fields[0]);
    /* ganlab writes one row per step in order; anything else was written by two processes at
     * once (before run.lock) or edited, and would be averaged as if it were one run. */
    if (t->n_rows > 0 && !(r[0] > r[-t->n_cols]))
        return gl_error_add(
            err, GL_ERR_INPUT,
            "%s:%d: step %.0f after step %.0f: the steps must increase (was the run "
            "written by two processes at once?)",
            path, lineno, r[0], r[-t->n_cols]);
    t->n_rows++;
    return GL_OK;
}

int gl_cmp_csv_read(const char *path, int optional, gl_cmp_csv *t, gl_error *err)
{
    memset(t, 0, sizeof *t);
    const char *why;
    FILE *f = gl_fopen_regular(path, &why); /* a FIFO in a run directory would block fopen */
    if (!f) {
        if (optional && errno == ENOENT)
            return GL_OK;
        return gl_error_add(err, GL_ERR_INPUT, "%s: cannot open: %s", path, why);
    }
    /* Both freed below. */
    char **fields = malloc(MAX_COLS * sizeof *fields);
    char *line = NULL;
    size_t line_cap = 0;
    int rc = fields ? GL_OK : gl_error_add(err, GL_ERR_RUN, "%s: out of memory", path);
    int cap_rows = 0, lineno = 0;
    ssize_t len;
    while (rc == GL_OK && (len = getline(&line, &line_cap, f)) > 0) {
        lineno++;
        if (line[len - 1] != '\n')
            break; /* a row cut short */
        line[--len] = '\0';
        if (len && line[len - 1] == '\r')
            line[--len] = '\0';
        if (lineno == 1)
            rc = header(t, line, fields, path, err);
        else if (len)
            rc = row(t, line, fields, &cap_rows, lineno, path, err);
    }
    if (rc == GL_OK && ferror(f))
        rc = gl_error_add(err, GL_ERR_INPUT, "%s: read error", path);
    free(line);
    free(fields);
    fclose(f);
    if (rc != GL_OK)
        gl_cmp_csv_free(t);
    return rc;
}

int gl_cmp_csv_col(const gl_cmp_csv *t, const char *name)
{
    for (int i = 0; i < t->n_cols; i++)
        if (strcmp(t->cols[i], name) == 0)
            return i;
    return -1;
}

int gl_cmp_csv_row_at(const gl_cmp_csv *t, long long step)
{
    int at = -1;
    for (int i = 0; i < t->n_rows; i++)
        if (t->v[(size_t)i * (size_t)t->n_cols] <= (double)step)
            at = i;
    return at;
}

int gl_cmp_csv_merge_row(gl_cmp_csv *t, const gl_cmp_csv *row, gl_error *err)
{
    if (row->n_rows != 1)
        return GL_OK;
    double step = row->v[0];
    int n_new = 0;
    for (int c = 0; c < row->n_cols; c++)
        n_new += gl_cmp_csv_col(t, row->cols[c]) < 0;
    int at = 0, same = -1;
    while (at < t->n_rows && t->v[(size_t)at * (size_t)t->n_cols] < step)
        at++;
    if (at < t->n_rows && t->v[(size_t)at * (size_t)t->n_cols] == step)
        same = at;
    int cols = t->n_cols + n_new, rows = t->n_rows + (same < 0);
    /* Both replace t's arrays below (or are freed on failure). */
    char **names = calloc((size_t)cols, sizeof *names);
    double *v = malloc((size_t)cols * (size_t)rows * sizeof *v);
    if (!names || !v) {
        free(names);
        free(v);
        return gl_error_add(err, GL_ERR_RUN, "out of memory merging eval.json");
    }
    if (t->n_cols) /* an empty table has no array to copy from */
        memcpy(names, t->cols, (size_t)t->n_cols * sizeof *names);
    for (int c = 0, k = t->n_cols; c < row->n_cols; c++)
        if (gl_cmp_csv_col(t, row->cols[c]) < 0 && !(names[k++] = strdup(row->cols[c]))) {
            for (int i = t->n_cols; i < k - 1; i++)
                free(names[i]);
            free(names);
            free(v);
            return gl_error_add(err, GL_ERR_RUN, "out of memory merging eval.json");
        }
    for (int r = 0; r < rows; r++) {
        int from = same >= 0 || r < at ? r : r == at ? -1 : r - 1; /* -1: the new row */
        for (int c = 0; c < cols; c++)
            v[(size_t)r * (size_t)cols + (size_t)c] =
                from >= 0 && c < t->n_cols ? t->v[(size_t)from * (size_t)t->n_cols + (size_t)c]
                                           : NAN;
        if (from >= 0 && from != same)
            continue;
        /* The eval.json row: its values where the CSV row has none. */
        for (int c = 0; c < row->n_cols; c++) {
            int k = -1;
            for (int i = 0; i < cols && k < 0; i++)
                k = strcmp(names[i], row->cols[c]) == 0 ? i : -1;
            double *cell = &v[(size_t)r * (size_t)cols + (size_t)k];
            if (!isfinite(*cell) || from < 0)
                *cell = row->v[c];
        }
    }
    free(t->cols);
    free(t->v);
    t->cols = names;
    t->v = v;
    t->n_cols = cols;
    t->n_rows = rows;
    return GL_OK;
}

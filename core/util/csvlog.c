/* csvlog.c - metrics.csv and timing.csv: one row per logged step, values printed with %.9g (enough
 * to round-trip a float). A resumed run first cuts each file back to the rows at or before the
 * checkpoint's step, so N steps then M more give the same bytes as N+M steps in one go. */
#include "util/csvlog.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "util/atomic.h"
#include "util/fs.h"

int gl_csv_truncate(const char *path, uint64_t step, gl_error *err)
{
    const char *why;
    FILE *in = gl_fopen_regular(path, &why); /* a FIFO put in the run would block fopen */
    if (!in && errno == 0)
        return gl_error_add(err, GL_ERR_INPUT, "%s: cannot open: %s", path, why);
    if (!in)
        return GL_OK; /* nothing logged yet */
    gl_atomic_file af;
    if (gl_atomic_open(&af, path, err) != GL_OK) {
        fclose(in);
        return GL_ERR_RUN;
    }
    char *line = NULL;
    size_t cap = 0;
    int first = 1;
    while (getline(&line, &cap, in) > 0) {
        char *end;
        unsigned long long s = strtoull(line, &end, 10);
        if (first || (end != line && *end == ',' && s <= step))
            fputs(line, af.fp);
        first = 0;
    }
    free(line);
    fclose(in);
    return gl_atomic_commit(&af, err) == GL_OK ? GL_OK : GL_ERR_RUN;
}

double gl_csv_last_second_column(const char *path)
{
    double v = 0;
    const char *why;
    FILE *f = gl_fopen_regular(path, &why);
    if (!f)
        return 0;
    char line[256];
    while (fgets(line, sizeof line, f)) {
        char *comma = strchr(line, ',');
        if (comma && line[0] >= '0' && line[0] <= '9')
            v = strtod(comma + 1, NULL);
    }
    fclose(f);
    return v;
}

int gl_csv_open(gl_csv *c, const char *path, gl_error *err)
{
    const char *why;
    FILE *probe = gl_fopen_regular(path, &why);
    c->has_header = 0;
    if (!probe && errno == 0) /* not a regular file: appending would block on a FIFO */
        return gl_error_add(err, GL_ERR_INPUT, "%s: cannot open: %s", path, why);
    if (probe) {
        c->has_header = fgetc(probe) != EOF;
        fclose(probe);
    }
    c->f = fopen(path, "ab");
    if (!c->f)
        return gl_error_add(err, GL_ERR_RUN, "%s: cannot open for writing: %m", path);
    return GL_OK;
}

void gl_csv_row(gl_csv *c, int n, const char *const *names, const double *values, int n_int,
                const char *const *int_names, const long long *ints)
{
    if (!c->has_header) {
        for (int i = 0; i < n_int; i++)
            fprintf(c->f, "%s%s", i ? "," : "", int_names[i]);
        for (int i = 0; i < n; i++)
            fprintf(c->f, ",%s", names[i]);
        fputc('\n', c->f);
        c->has_header = 1;
    }
    for (int i = 0; i < n_int; i++)
        fprintf(c->f, "%s%lld", i ? "," : "", ints[i]);
    for (int i = 0; i < n; i++)
        fprintf(c->f, ",%.9g", values[i]);
    fputc('\n', c->f);
    fflush(c->f);
}

void gl_csv_close(gl_csv *c)
{
    if (c->f)
        fclose(c->f);
    c->f = NULL;
}

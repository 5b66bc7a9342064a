/* csvlog.c - metrics.csv and timing.csv: one row per logged step, values printed with %.9g (enough
 * to round-trip a float). A resumed run first cuts each file back to the rows at or before the
 * checkpoint's step, so N steps then M more give the same bytes as N+M steps in one go. */
#include "util/csvlog.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "util/atomic.h"
#include "util/fs.h"

int gl_csv_truncate(const char *path, uint64_t step, gl_error *err)
{
    const char *why;
    FILE *in = gl_fopen_regular(path, "rb", &why);
    if (!in && errno == ENOENT)
        return GL_OK; /* nothing logged yet */
    if (!in)
        return gl_error_add(err, GL_ERR_INPUT, "%s: cannot open: %s", path, why);
    gl_atomic_file af;
    if (gl_atomic_open(&af, path, err) != GL_OK) {
        fclose(in);
        return GL_ERR_RUN;
    }
    char *line = NULL;
    size_t cap = 0;
    int first = 1;
    ssize_t len;
    /* A line without its newline was cut by a failed write (a full disk): it and nothing after it
     * is kept, so a cut header is written again whole with the next row. */
    while ((len = getline(&line, &cap, in)) > 0 && line[len - 1] == '\n') {
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
    FILE *f = gl_fopen_regular(path, "rb", &why);
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

long long gl_csv_last_step(const char *path)
{
    long long step = -1;
    const char *why;
    FILE *f = gl_fopen_regular(path, "rb", &why);
    if (!f)
        return -1;
    char *line = NULL;
    size_t cap = 0;
    while (getline(&line, &cap, f) > 0) {
        char *end;
        long long s = strtoll(line, &end, 10);
        if (line[0] >= '0' && line[0] <= '9' && *end == ',')
            step = s;
    }
    free(line);
    fclose(f);
    return step;
}

int gl_csv_open(gl_csv *c, const char *path, gl_error *err)
{
    const char *why;
    c->error = 0;
    snprintf(c->path, sizeof c->path, "%s", path);
    c->f = gl_fopen_regular(path, "ab", &why);
    if (!c->f)
        return gl_error_add(err, errno == EINVAL ? GL_ERR_INPUT : GL_ERR_RUN,
                            "%s: cannot open for writing: %s", path, why);
    struct stat st;
    c->has_header = fstat(fileno(c->f), &st) == 0 && st.st_size > 0;
    return GL_OK;
}

void gl_csv_row(gl_csv *c, int n, const char *const *names, const double *values, int n_int,
                const char *const *int_names, const long long *ints)
{
    errno = 0;
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
    if ((fflush(c->f) != 0 || ferror(c->f)) && !c->error)
        c->error = errno ? errno : EIO;
}

int gl_csv_check(const gl_csv *c, gl_error *err)
{
    if (!c->error)
        return GL_OK;
    return gl_error_add(err, GL_ERR_RUN, "%s: write failed: %s", c->path, strerror(c->error));
}

void gl_csv_close(gl_csv *c)
{
    if (c->f)
        fclose(c->f);
    c->f = NULL;
}

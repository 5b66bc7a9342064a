/* util/csvlog.h - the run's CSV logs (metrics.csv, timing.csv, eval.csv). The header is written
 * with the first row, when the column names are known. */
#ifndef GL_UTIL_CSVLOG_H
#define GL_UTIL_CSVLOG_H

#include <stdint.h>
#include <stdio.h>

#include <ganlab/error.h>

typedef struct gl_csv {
    FILE *f;
    int has_header;
    int error;       /* errno of the first row that could not be written, 0 when none */
    char path[4096]; /* for gl_csv_check's message */
} gl_csv;

/* Keeps the header and the rows whose step (first column) is <= step. A missing file is fine. */
int gl_csv_truncate(const char *path, uint64_t step, gl_error *err);
/* The second column of the last data row of path (timing.csv's elapsed seconds), or 0 when the
 * file is missing or has no rows: a resumed run continues its clock from there. */
double gl_csv_last_second_column(const char *path);
/* The step (first column) of the last data row of path, -1 when the file is missing or has none. */
long long gl_csv_last_step(const char *path);
/* Opens path for appending; close with gl_csv_close. */
int gl_csv_open(gl_csv *c, const char *path, gl_error *err);
/* Writes the integer columns, then the float columns (%.9g). */
void gl_csv_row(gl_csv *c, int n, const char *const *names, const double *values, int n_int,
                const char *const *int_names, const long long *ints);
/* GL_ERR_RUN naming the file and the cause when a row could not be written (a full disk): the
 * file may end in half a row. */
int gl_csv_check(const gl_csv *c, gl_error *err);
void gl_csv_close(gl_csv *c);

#endif

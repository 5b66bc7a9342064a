/* csvlog.h - the run's CSV logs (metrics.csv, timing.csv). The header is written with the first
 * row, when the loss's term names are known. */
#ifndef GL_TRAIN_CSVLOG_H
#define GL_TRAIN_CSVLOG_H

#include <stdint.h>
#include <stdio.h>

#include <ganlab/error.h>

typedef struct gl_csv {
    FILE *f;
    int has_header;
} gl_csv;

/* Keeps the header and the rows whose step (first column) is <= step. A missing file is fine. */
int gl_csv_truncate(const char *path, uint64_t step, gl_error *err);
/* Opens path for appending; close with gl_csv_close. */
int gl_csv_open(gl_csv *c, const char *path, gl_error *err);
/* Writes the integer columns, then the float columns (%.9g). */
void gl_csv_row(gl_csv *c, int n, const char *const *names, const double *values, int n_int,
                const char *const *int_names, const long long *ints);
void gl_csv_close(gl_csv *c);

#endif

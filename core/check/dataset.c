/* dataset.c - the checks of a dataset plugin (check.h): opened with its parameters (defaults or
 * --set) and the check's seed, it must declare a usable shape (1 or 3 dimensions, all >= 1), at
 * least one item, n_classes >= 0 and a finite range lo < hi; then three batches of up to 16 items
 * (the first, the last, and random indices) must be finite, inside [lo, hi], and fully labelled in
 * [0, n_classes) when labelled. Determinism, which resumed runs rely on: the random indices again
 * give the same bytes, reversed they give the same items reversed, and a second instance opened
 * with the same parameters and seed gives the first batch's bytes.
 *
 * What it does not check: the speed of get, that get does not allocate (the ABI asks it), or that
 * the data means anything.
 */
#include "check/check_internal.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <ganlab/rng.h>

#define MAX_BATCH 16

typedef struct drun {
    const gl_dataset_plugin *ds;
    void *self;
    gl_dataset_info info;
    size_t item; /* floats per item */
    int batch;
    float *x, *x2; /* (batch, item) */
    int32_t labels[MAX_BATCH], labels2[MAX_BATCH];
} drun;

/* get() of n indices into x and labels (NULL when unlabelled). On failure msg says why. */
static int get(drun *d, void *self, const int64_t *idx, float *x, int32_t *labels, char *msg,
               size_t cap)
{
    gl_error e;
    gl_error_init(&e);
    for (int i = 0; i < d->batch; i++)
        labels[i] = -1; /* a label get() forgot to write shows up as out of range */
    int rc = d->ds->get(self, idx, d->batch, x, d->info.n_classes > 0 ? labels : NULL, &e);
    if (rc != GL_OK)
        gl_check__error_text(&e, msg, cap);
    return rc;
}

/* The batch at idx: values finite and in range, labels in range. One line. */
static void check_batch(drun *d, const char *what, const int64_t *idx, gl_check_report *rep)
{
    char msg[1024];
    if (get(d, d->self, idx, d->x, d->labels, msg, sizeof msg) != GL_OK) {
        gl_check__line(rep, GL_CHECK_FAIL, "dataset: %s batch: get failed: %s", what, msg);
        return;
    }
    size_t n = (size_t)d->batch * d->item, bad = n;
    float lo = INFINITY, hi = -INFINITY;
    for (size_t i = 0; i < n; i++) {
        float v = d->x[i];
        if (bad == n && !(v >= d->info.lo && v <= d->info.hi))
            bad = i;
        lo = fminf(lo, v);
        hi = fmaxf(hi, v);
    }
    int lmin = 0, lmax = -1, lbad = -1;
    for (int i = 0; d->info.n_classes > 0 && i < d->batch; i++) {
        lmin = i ? (d->labels[i] < lmin ? d->labels[i] : lmin) : d->labels[i];
        lmax = i ? (d->labels[i] > lmax ? d->labels[i] : lmax) : d->labels[i];
        if (lbad < 0 && (d->labels[i] < 0 || d->labels[i] >= d->info.n_classes))
            lbad = i;
    }
    if (bad < n)
        gl_check__line(rep, GL_CHECK_FAIL,
                       "dataset: %s batch: value %g of item %lld is outside "
                       "the declared range [%g, %g]",
                       what, d->x[bad], (long long)idx[bad / d->item], d->info.lo, d->info.hi);
    else if (lbad >= 0)
        gl_check__line(rep, GL_CHECK_FAIL,
                       "dataset: %s batch: label %d of item %lld is outside "
                       "[0, %d)",
                       what, d->labels[lbad], (long long)idx[lbad], d->info.n_classes);
    else if (d->info.n_classes > 0)
        gl_check__line(rep, GL_CHECK_PASS,
                       "dataset: %s batch of %d: values in [%g, %g], labels "
                       "in [%d, %d]",
                       what, d->batch, lo, hi, lmin, lmax);
    else
        gl_check__line(rep, GL_CHECK_PASS, "dataset: %s batch of %d: values in [%g, %g]", what,
                       d->batch, lo, hi);
}

static int same_info(const gl_dataset_info *a, const gl_dataset_info *b)
{
    return a->ndim == b->ndim && memcmp(a->shape, b->shape, sizeof a->shape) == 0 &&
           a->n_classes == b->n_classes && a->n_items == b->n_items && a->lo == b->lo &&
           a->hi == b->hi;
}

/* Same indices, reversed indices, a second instance: "" when all agree, else what differs. */
static void determinism(drun *d, const gl_params *params, const gl_check_opts *opts,
                        const int64_t *first, const int64_t *rnd, char *msg, size_t cap)
{
    size_t bytes = d->item * sizeof *d->x;
    int labelled = d->info.n_classes > 0;
    msg[0] = '\0';
    if (get(d, d->self, rnd, d->x, d->labels, msg, cap) != GL_OK ||
        get(d, d->self, rnd, d->x2, d->labels2, msg, cap) != GL_OK)
        return;
    if (memcmp(d->x, d->x2, bytes * (size_t)d->batch) != 0 ||
        (labelled && memcmp(d->labels, d->labels2, sizeof d->labels) != 0)) {
        snprintf(msg, cap, "the same indices gave different bytes");
        return;
    }
    int64_t rev[MAX_BATCH];
    for (int i = 0; i < d->batch; i++)
        rev[i] = rnd[d->batch - 1 - i];
    if (get(d, d->self, rev, d->x2, d->labels2, msg, cap) != GL_OK)
        return;
    for (int i = 0; i < d->batch; i++) {
        int j = d->batch - 1 - i;
        if (memcmp(d->x + (size_t)i * d->item, d->x2 + (size_t)j * d->item, bytes) != 0 ||
            (labelled && d->labels[i] != d->labels2[j])) {
            snprintf(msg, cap, "item %lld changed with its place in the batch", (long long)rnd[i]);
            return;
        }
    }
    gl_error e;
    gl_error_init(&e);
    void *again = NULL;
    gl_dataset_info info2;
    if (d->ds->open(params, opts->seed, &again, &info2, &e) != GL_OK)
        gl_check__error_text(&e, msg, cap);
    else if (!same_info(&info2, &d->info))
        snprintf(msg, cap, "a second open declared another shape, size or range");
    else if (get(d, d->self, first, d->x, d->labels, msg, cap) == GL_OK &&
             get(d, again, first, d->x2, d->labels2, msg, cap) == GL_OK &&
             (memcmp(d->x, d->x2, bytes * (size_t)d->batch) != 0 ||
              (labelled && memcmp(d->labels, d->labels2, sizeof d->labels) != 0)))
        snprintf(msg, cap, "a second instance opened with the same seed gave other bytes");
    if (again)
        d->ds->close(again);
}

/* 1 when info is usable; else msg says what is wrong. */
static int info_ok(const gl_dataset_info *in, char *msg, size_t cap)
{
    int ok = in->ndim == 1 || in->ndim == 3;
    for (int i = 0; ok && i < in->ndim; i++)
        ok = in->shape[i] >= 1;
    if (!ok)
        snprintf(msg, cap,
                 "declared shape: ndim %d, shape (%d, %d, %d); expected 1 or 3 "
                 "dimensions, each >= 1",
                 in->ndim, in->shape[0], in->shape[1], in->shape[2]);
    else if (in->n_items < 1 || in->n_classes < 0)
        snprintf(msg, cap, "declared %lld items and %d classes", (long long)in->n_items,
                 in->n_classes);
    else if (!(isfinite(in->lo) && isfinite(in->hi) && in->lo < in->hi))
        snprintf(msg, cap, "declared range [%g, %g] is not a finite interval", in->lo, in->hi);
    else
        return 1;
    return 0;
}

int gl_check__dataset(const gl_plugin_header *hdr, const gl_check_opts *opts, gl_check_report *rep,
                      gl_error *err)
{
    drun d;
    memset(&d, 0, sizeof d);
    d.ds = (const gl_dataset_plugin *)hdr;
    gl_cfg *cfg;
    const gl_params *params;
    int rc = gl_check__params(hdr, opts, NULL, &cfg, &params, err);
    if (rc != GL_OK)
        return rc;
    gl_error e;
    gl_error_init(&e);
    char msg[1024];
    if (d.ds->open(params, opts->seed, &d.self, &d.info, &e) != GL_OK) {
        gl_check__error_text(&e, msg, sizeof msg);
        gl_check__line(rep, GL_CHECK_FAIL, "dataset: open: %s", msg);
    } else if (!info_ok(&d.info, msg, sizeof msg)) {
        gl_check__line(rep, GL_CHECK_FAIL, "dataset: %s", msg);
    } else {
        const gl_dataset_info *in = &d.info;
        d.item = (size_t)in->shape[0] * (in->ndim == 3 ? (size_t)in->shape[1] * in->shape[2] : 1);
        char shape[64];
        if (in->ndim == 3)
            snprintf(shape, sizeof shape, "(%d, %d, %d)", in->shape[0], in->shape[1], in->shape[2]);
        else
            snprintf(shape, sizeof shape, "(%d)", in->shape[0]);
        gl_check__line(rep, GL_CHECK_PASS,
                       "dataset: open: %lld items of %s, %d classes, values "
                       "in [%g, %g]",
                       (long long)in->n_items, shape, in->n_classes, in->lo, in->hi);
        d.batch = in->n_items < MAX_BATCH ? (int)in->n_items : MAX_BATCH;
        d.x = malloc((size_t)d.batch * d.item * sizeof *d.x);
        d.x2 = malloc((size_t)d.batch * d.item * sizeof *d.x2);
        if (!d.x || !d.x2) {
            rc = gl_error_add(err, GL_ERR_RUN, "out of memory");
        } else {
            int64_t first[MAX_BATCH], last[MAX_BATCH], rnd[MAX_BATCH];
            gl_rng r;
            gl_rng_init(&r, opts->seed, GL_STREAM_DATA);
            for (int i = 0; i < d.batch; i++) {
                first[i] = i;
                last[i] = in->n_items - d.batch + i;
                rnd[i] = (int64_t)gl_rng_below(&r, (uint64_t)in->n_items);
            }
            check_batch(&d, "first", first, rep);
            check_batch(&d, "last", last, rep);
            check_batch(&d, "random", rnd, rep);
            determinism(&d, params, opts, first, rnd, msg, sizeof msg);
            gl_check__verdict(rep, msg[0] == '\0', "dataset: deterministic%s%s", msg[0] ? ": " : "",
                              msg[0] ? msg
                                     : " (same indices, same bytes; an item's bytes do not "
                                       "depend on its place in the batch or on the instance)");
        }
    }
    if (d.self)
        d.ds->close(d.self);
    free(d.x);
    free(d.x2);
    gl_cfg_destroy(cfg);
    return rc;
}

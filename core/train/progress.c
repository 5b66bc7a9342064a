/* progress.c - timing.csv and the progress line (progress.h). */
#include "train/progress.h"

#include <stdio.h>

#include "util/log.h"

void gl_progress_start(gl_progress *p, const gl_session *s, uint64_t total, double elapsed0)
{
    p->total = total;
    p->elapsed0 = elapsed0;
    p->t0 = p->last_t = gl_clock_seconds();
    p->last_d_updates = s->st.d_updates;
}

void gl_progress_row(gl_progress *p, const gl_session *s, gl_csv *timing, const char *const ints[2],
                     const long long iv[2])
{
    double t = gl_clock_seconds();
    double span = t - p->last_t;
    double imgs = (double)(s->st.d_updates - p->last_d_updates) * s->batch;
    static const char *const tnames[2] = {"elapsed", "images_per_s"};
    double tv[2] = {p->elapsed0 + (t - p->t0), span > 0 ? imgs / span : 0};
    gl_csv_row(timing, 2, tnames, tv, 1, ints, iv);
    p->last_t = t;
    p->last_d_updates = s->st.d_updates;

    uint64_t step = s->st.step;
    double eta = step ? (t - p->t0) / (double)step * (double)(p->total - step) : 0;
    char msg[512];
    snprintf(msg, sizeof msg,
             "step %llu/%llu  epoch %lld  %.0f img/s  ETA %.0fs  d_loss %.4f  g_loss %.4f",
             (unsigned long long)step, (unsigned long long)p->total, iv[1], tv[1], eta,
             s->last_loss[1], s->last_loss[0]);
    gl_log_progress("train", msg, step == p->total);
}

/* progress.c - timing.csv and the progress line (progress.h). */
#include "train/progress.h"

#include <stdio.h>

#include "util/log.h"

void gl_progress_start(gl_progress *p, const gl_session *s, uint64_t total, double elapsed0)
{
    p->total = total;
    p->elapsed0 = elapsed0;
    p->t0 = p->last_t = gl_clock_seconds();
    p->step0 = s->st.step;
    p->last_d_updates = s->st.d_updates;
}

double gl_progress_row(gl_progress *p, const gl_session *s, gl_csv *timing,
                       const char *const ints[2], const long long iv[2])
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
    /* From this process's own pace: a resumed run has done only step - step0 steps in t - t0. */
    uint64_t done = step - p->step0;
    double eta = done ? (t - p->t0) / (double)done * (double)(p->total - step) : 0;
    char msg[512];
    snprintf(msg, sizeof msg,
             "step %llu/%llu  epoch %lld  %.0f img/s  ETA %.0fs  d_loss %.4f  g_loss %.4f",
             (unsigned long long)step, (unsigned long long)p->total, iv[1], tv[1], eta,
             s->last_loss[1], s->last_loss[0]);
    gl_log_progress("train", msg, step == p->total);
    return tv[1];
}

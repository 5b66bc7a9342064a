/* optimizer.c - the check of an optimizer plugin (check.h): with its parameters (the defaults, or
 * --set), it must minimise
 *
 *   f(p) = (k / 2) sum_i (p_i - c_i)^2,   grad_i = k (p_i - c_i),   k = 100, i < 100,
 *
 * from p_i = c_i + d_i, |d_i| in [0.05, 0.1] with random signs, c_i ~ U(-1, 1), lowering f at least
 * 100-fold in 200 steps with every parameter, gradient and state value finite throughout.
 *
 * Why these numbers: the bundled defaults are torch's (lr 1e-3 for Adam and SGD, 1e-2 for
 * RMSprop). Plain SGD contracts the distance by |1 - lr k| per step, so k = 100 makes 200 steps
 * at lr 1e-3 worth a factor 0.9^400 on f, while lr k stays far below the divergence limit 2. Adam
 * and RMSprop move about lr per step whatever k is, so the start lies 0.05-0.1 away: Adam arrives
 * in at most 100 steps and then its steps shrink with the gradient. An optimizer whose defaults
 * need another scale is told so by the numbers in the line and can be checked with --set.
 *
 * What it does not check: allocation inside step (the ABI forbids it; nothing here can see malloc),
 * or agreement with any reference implementation.
 */
#include "check/check_internal.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <ganlab/rng.h>

#define N         100
#define STEPS     200
#define K         100.0f
#define FACTOR    100.0
#define MAX_STATE 1024 /* floats of state per parameter beyond which something is wrong */

static double objective(const float *p, const float *c, float *g)
{
    double f = 0;
    for (int i = 0; i < N; i++) {
        float d = p[i] - c[i];
        g[i] = K * d;
        f += 0.5 * K * (double)d * d;
    }
    return f;
}

static int finite_all(const float *v, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (!isfinite(v[i]))
            return 0;
    return 1;
}

/* Runs the descent; fills f0, f_end and the step at which something stopped being finite (0:
 * never). */
static void descend(const gl_optimizer_plugin *op, void *self, int spp, float *state,
                    const gl_check_opts *opts, double *f0, double *f_end, int *bad_step)
{
    float p[N], c[N], g[N];
    gl_rng r;
    gl_rng_init(&r, opts->seed, GL_STREAM_INIT);
    for (int i = 0; i < N; i++) {
        c[i] = gl_rng_uniform(&r) * 2.0f - 1.0f;
        float d = 0.05f + 0.05f * gl_rng_uniform(&r);
        p[i] = c[i] + (gl_rng_u32(&r) & 1u ? d : -d);
    }
    *f0 = objective(p, c, g);
    *bad_step = 0;
    for (int t = 1; t <= STEPS && !*bad_step; t++) {
        op->step(self, p, g, state, N, (uint64_t)t);
        *f_end = objective(p, c, g);
        if (!finite_all(p, N) || !finite_all(state, (size_t)N * (size_t)spp) || !isfinite(*f_end))
            *bad_step = t;
    }
}

/* step_scaled (when the plugin has one) against what the core does without it: from the same
 * values and state (after a few plain steps), with random normal gradients, step then
 * p0 + f (p1 - p0), at f = 0.37 and f = 0.
 * Every byte of the values and the state must agree (plugin.h). Returns the first differing
 * element as "param i" / "state i" into what, or 0 when none. */
static int scaled_differs(const gl_optimizer_plugin *op, void *self, int spp, float *state,
                          const gl_check_opts *opts, char *what, size_t cap)
{
    void (*scaled)(void *, float *, const float *, float *, size_t, uint64_t,
                   float) = GL_PLUGIN_OPTIONAL(op, gl_optimizer_plugin, step_scaled);
    size_t ns = (size_t)N * (size_t)spp;
    float p[N], q[N], p0[N], g[N], *state2 = state + ns + 1;
    gl_rng r;
    gl_rng_init(&r, opts->seed + 1, GL_STREAM_INIT);
    for (int i = 0; i < N; i++)
        p[i] = gl_rng_uniform(&r) * 2.0f - 1.0f;
    memset(state, 0, ns * sizeof *state);
    uint64_t t = 1;
    for (; t <= 3; t++) {
        gl_rng_fill_normal(&r, g, N, 0.0f, 1.0f);
        op->step(self, p, g, state, N, t);
    }
    static const float fs[] = {0.37f, 0.0f};
    for (int k = 0; k < 2; k++, t++) {
        gl_rng_fill_normal(&r, g, N, 0.0f, 1.0f);
        memcpy(q, p, sizeof p);
        memcpy(p0, p, sizeof p);
        memcpy(state2, state, ns * sizeof *state);
        scaled(self, q, g, state2, N, t, fs[k]);
        op->step(self, p, g, state, N, t);
        for (int i = 0; i < N; i++)
            p[i] = p0[i] + fs[k] * (p[i] - p0[i]);
        for (size_t i = 0; i < N + ns; i++) {
            const float *a = i < N ? &q[i] : &state2[i - N], *b = i < N ? &p[i] : &state[i - N];
            if (memcmp(a, b, sizeof *a)) {
                snprintf(what, cap, "%s %zu at lr_scale %g: %.9g against %.9g",
                         i < N ? "param" : "state", i < N ? i : i - N, (double)fs[k], (double)*a,
                         (double)*b);
                return 1;
            }
        }
    }
    return 0;
}

int gl_check__optimizer(const gl_plugin_header *hdr, const gl_check_opts *opts,
                        gl_check_report *rep, gl_error *err)
{
    const gl_optimizer_plugin *op = (const gl_optimizer_plugin *)hdr;
    gl_cfg *cfg;
    const gl_params *params;
    int rc = gl_check__params(hdr, opts, NULL, &cfg, &params, err);
    if (rc != GL_OK)
        return rc;
    gl_error e;
    gl_error_init(&e);
    char msg[1024];
    void *self = NULL;
    int spp = -1;
    float *state = NULL;
    if (op->create(params, &spp, &self, &e) != GL_OK) {
        gl_check__error_text(&e, msg, sizeof msg);
        gl_check__line(rep, GL_CHECK_FAIL, "optimizer: create with these parameters: %s", msg);
    } else if (spp < 0 || spp > MAX_STATE) {
        gl_check__line(rep, GL_CHECK_FAIL,
                       "optimizer: create says %d floats of state per "
                       "parameter (expected 0 to %d)",
                       spp, MAX_STATE);
    } else if (!(state = calloc(2 * ((size_t)N * (size_t)spp + 1), sizeof *state))) {
        /* Two copies: scaled_differs runs step and step_scaled side by side. */
        rc = gl_error_add(err, GL_ERR_RUN, "out of memory");
    } else {
        double f0, f_end = NAN;
        int bad_step;
        descend(op, self, spp, state, opts, &f0, &f_end, &bad_step);
        if (bad_step)
            gl_check__line(rep, GL_CHECK_FAIL,
                           "optimizer: a parameter, the objective or the state "
                           "is not finite after step %d",
                           bad_step);
        else
            gl_check__verdict(rep, f_end * FACTOR <= f0,
                              "optimizer: %d steps on %g/2 sum (p - c)^2 "
                              "over %d parameters: f %.3g -> %.3g (%.3g times lower; at least %g "
                              "wanted), %d floats of state per parameter",
                              STEPS, (double)K, N, f0, f_end, f0 / f_end, FACTOR, spp);
        char what[160] = "";
        if (GL_PLUGIN_OPTIONAL(op, gl_optimizer_plugin, step_scaled)) {
            int differs = scaled_differs(op, self, spp, state, opts, what, sizeof what);
            gl_check__verdict(rep, !differs,
                              "optimizer: step_scaled gives the bytes of step and the core's "
                              "blend%s%s",
                              differs ? "; not: " : "", what);
        }
    }
    if (self)
        op->destroy(self);
    free(state);
    gl_cfg_destroy(cfg);
    return rc;
}

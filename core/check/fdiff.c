/* fdiff.c - compares a net's analytic parameter gradient with central finite differences, in the
 * float32 the engine computes in.
 *
 *   fd_i = (f(p + h e_i) - f(p - h e_i)) / (p_i^+ - p_i^-)
 *
 * where p_i^+ and p_i^- are the float values actually stored (p_i +- h rounded), so the rounding of
 * the step itself does not count as an error.
 *
 * Step: h = 1e-2 max(|p_i|, 1). The truncation error of a central difference is h^2 f'''/6, about
 * 1e-4 relative at h = 1e-2 for the smooth parts of a net; the rounding error is about
 * eps32 |f| / h with eps32 = 6e-8, a few 1e-6 |f| at h = 1e-2 after the rounding inside the
 * forward pass. A smaller step would drown in rounding, a larger one in curvature. Scaling h with
 * |p_i| keeps the relative perturbation sensible for large weights (embeddings are normal(0, 1)).
 * A step can cross a kink of (leaky) ReLU in some unit; then the difference is off by a jump
 * although the gradient is right, and with hundreds of units behind a coordinate (a bias of G's
 * output feeds every unit of D) a step of 1e-2 crosses several. So after a miss the check tries
 * 4h, 2h (less rounding) and h/2 ... h/256 (fewer kinks) and keeps the difference closest to the
 * analytic value: a right gradient is matched once the step is below the nearest kink, a wrong one
 * (a detached layer gives 0 where the difference is not) is not rescued by any step, because every
 * step's tolerance includes the rounding noise at that step.
 *
 * Tolerance, per coordinate, at step h:
 *   |a - fd| <= 5e-2 max(|a|, |fd|) + 1e-3 G + 4 N / h
 * 5e-2 relative (a kink just inside the step moves the difference by a few percent); 1e-3 of G,
 * the largest |analytic gradient| over the whole net, for coordinates whose gradient is tiny
 * compared with the net's; N, the rounding noise of f, measured: f changes by N when a parameter
 * moves by one float ulp, a change whose true effect (|a| ulp) is negligible, so what is left is
 * the rounding inside the forward pass (the largest over 8 parameters, at least 2^-24 |f|). A
 * gradient that is zero everywhere (a fully detached net) has G = 0, so any difference above the
 * noise fails.
 *
 * Coordinates: one or two per parameter tensor (so a layer cut off by gl_detach is always seen),
 * the rest uniformly at random over all parameters, all drawn from (seed, stream 'fdif').
 */
#include "check/check_internal.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <ganlab/rng.h>

#define FD_STREAM    0x66646966u /* "fdif" */
#define RTOL         5e-2
#define GTOL         1e-3
#define NOISE_PROBES 8

/* Central difference of f in coordinate i at step h; the value is restored. */
static int central(gl_real *values, size_t i, double h, gl_check_scalar_fn f, void *ud, double *fd,
                   gl_error *err)
{
    gl_real keep = values[i];
    gl_real up = (gl_real)(keep + h), down = (gl_real)(keep - h);
    double fu = 0, fl = 0; /* read below even when f failed */
    values[i] = up;
    int rc = f(ud, &fu, err);
    values[i] = down;
    if (rc == GL_OK)
        rc = f(ud, &fl, err);
    values[i] = keep;
    *fd = (fu - fl) / ((double)up - (double)down);
    return rc;
}

/* |a - fd| over its tolerance at step h (see the file comment): <= 1 passes. */
static double miss(double a, double fd, double gmax, double noise, double h)
{
    if (a == fd)
        return 0; /* also where both are 0 and the tolerance would be too */
    return fabs(a - fd) / (RTOL * fmax(fabs(a), fabs(fd)) + GTOL * gmax + 4 * noise / h);
}

/* N of the file comment: the largest change of f, beyond its true part, when one of the first
 * NOISE_PROBES picked coordinates moves up by one ulp. */
static int noise_of(gl_real *values, const double *analytic, const size_t *at, size_t n,
                    gl_check_scalar_fn f, void *ud, double f0, double *noise, gl_error *err)
{
    *noise = fabs(f0) * 0x1p-24;
    for (size_t j = 0; j < n && j < NOISE_PROBES; j++) {
        size_t i = at[j];
        gl_real keep = values[i];
        values[i] = nextafterf(keep, INFINITY);
        double fu;
        int rc = f(ud, &fu, err);
        double true_part = fabs(analytic[i] * ((double)values[i] - keep));
        values[i] = keep;
        if (rc != GL_OK)
            return rc;
        *noise = fmax(*noise, fabs(fu - f0) - true_part);
    }
    return GL_OK;
}

/* The parameter holding flat coordinate i, and i's index inside it. */
static const char *param_of(gl_net *net, size_t i, size_t *at)
{
    for (int p = 0; p < gl_net_n_params(net); p++) {
        gl_tensor *t = gl_net_param_at(net, p);
        if (i < gl_tensor_numel(t)) {
            *at = i;
            return gl_tensor_name(t);
        }
        i -= gl_tensor_numel(t);
    }
    *at = i;
    return "?";
}

/* The coordinates to compare, into *out (the caller frees); their count in *n. */
static int pick(gl_net *net, int coords, uint64_t seed, size_t **out, size_t *n)
{
    size_t total = gl_net_numel(net), k = 0;
    int np = gl_net_n_params(net);
    size_t want = coords <= 0 || (size_t)coords >= total ? total : (size_t)coords;
    size_t cap = want + 2 * (size_t)np;
    size_t *at = malloc((cap ? cap : 1) * sizeof *at);
    if (!at)
        return GL_ERR_RUN;
    if (want == total) {
        for (size_t i = 0; i < total; i++)
            at[k++] = i;
    } else {
        gl_rng r;
        gl_rng_init(&r, seed, FD_STREAM);
        size_t off = 0;
        /* Two per tensor when the budget allows, else one. */
        int per = want >= 2 * (size_t)np ? 2 : 1;
        for (int p = 0; p < np; p++) {
            size_t len = gl_tensor_numel(gl_net_param_at(net, p));
            for (int j = 0; j < per && (size_t)j < len; j++)
                at[k++] = off + (size_t)gl_rng_below(&r, len);
            off += len;
        }
        while (k < want)
            at[k++] = (size_t)gl_rng_below(&r, total);
    }
    *out = at;
    *n = k;
    return GL_OK;
}

int gl_check__grads(gl_net *net, gl_check_scalar_fn f, void *ud, int coords, uint64_t seed,
                    gl_check_fd *r, gl_error *err)
{
    memset(r, 0, sizeof *r);
    size_t total = gl_net_numel(net), *at = NULL, n = 0;
    gl_real *values = gl_net_values(net);
    /* f may run ops that touch the gradient block (a penalty's inner gl_grad does not, but a
     * careless plugin might): keep the analytic values apart. */
    double *analytic = malloc((total ? total : 1) * sizeof *analytic);
    if (!analytic || pick(net, coords, seed, &at, &n) != GL_OK) {
        free(analytic);
        return gl_error_add(err, GL_ERR_RUN, "out of memory comparing gradients of %s",
                            gl_net_name(net));
    }
    double gmax = 0, f0;
    for (size_t i = 0; i < total; i++) {
        analytic[i] = gl_net_grads(net)[i];
        gmax = fmax(gmax, fabs(analytic[i]));
    }
    double noise = 0;
    int rc = f(ud, &f0, err);
    if (rc == GL_OK)
        rc = noise_of(values, analytic, at, n, f, ud, f0, &noise, err);
    r->worst = -1;
    static const double ladder[] = {4,      2,       0.5,      0.25,      0.125,
                                    0.0625, 0.03125, 0.015625, 0.0078125, 0.00390625};
    for (size_t j = 0; j < n && rc == GL_OK; j++) {
        size_t i = at[j];
        double a = analytic[i], h0 = 1e-2 * fmax(fabs(values[i]), 1.0), fd;
        rc = central(values, i, h0, f, ud, &fd, err);
        double ratio = miss(a, fd, gmax, noise, h0);
        for (size_t t = 0; t < sizeof ladder / sizeof ladder[0] && rc == GL_OK && !(ratio <= 1);
             t++) {
            double h = h0 * ladder[t], fd2;
            rc = central(values, i, h, f, ud, &fd2, err);
            double r2 = miss(a, fd2, gmax, noise, h);
            if (rc == GL_OK && r2 < ratio) {
                fd = fd2;
                ratio = r2;
            }
        }
        if (rc != GL_OK)
            break;
        if (!(ratio <= 1.0)) /* NaN fails too */
            r->bad++;
        r->n++;
        if (!(ratio <= r->worst)) {
            r->worst = ratio;
            size_t k;
            const char *name = param_of(net, i, &k);
            snprintf(r->at, sizeof r->at, "%s %s[%zu]: analytic %.4g, finite difference %.4g",
                     gl_net_name(net), name, k, a, fd);
        }
    }
    free(analytic);
    free(at);
    return rc;
}

void gl_check__grads_line(gl_check_report *rep, const gl_check_fd *r, const char *what)
{
    if (r->n == 0) {
        gl_check__line(rep, GL_CHECK_SKIP, "%s: the net has no parameters", what);
        return;
    }
    gl_check__verdict(rep, r->bad == 0,
                      "%s: %d of %d coordinates agree with finite differences, worst at %.2g of "
                      "the tolerance (%s)",
                      what, r->n - r->bad, r->n, r->worst, r->at);
}

/* stats.c - the statistics of a comparison and the better direction of each known metric.
 *
 * Over the seeds of a variant, with x_1..x_n the finite values (a diverged run's NaN is left out
 * and the cell's n says so): mean = sum x_i / n,    std = sqrt(sum (x_i - mean)^2 / (n - 1))   (0
 * when n = 1) the sample standard deviation, since the seeds are a sample of the seeds one could
 * have run. Two passes (mean first) rather than a running sum of squares, which cancels badly when
 * the spread is small against the mean.
 *
 * Directions come from one table, keyed by a metric's own name (after the evaluator's "name."), so
 * a metric keeps its direction whichever evaluator reports it; a column without an evaluator's
 * prefix is a loss. docs/metrics.md defines the metrics;
 * a metric not in the table is shown without a direction. Losses have none: a GAN's losses measure
 * the game, not the samples, and differ in meaning from one loss to another.
 */
#include "compare/compare.h"

#include <math.h>
#include <string.h>

gl_cmp_cell gl_cmp_mean_std(const double *x, int n)
{
    gl_cmp_cell c = {NAN, 0.0, 0};
    double sum = 0.0;
    for (int i = 0; i < n; i++)
        if (isfinite(x[i])) {
            sum += x[i];
            c.n++;
        }
    if (c.n == 0)
        return c;
    c.mean = sum / c.n;
    double ss = 0.0;
    for (int i = 0; i < n; i++)
        if (isfinite(x[i]))
            ss += (x[i] - c.mean) * (x[i] - c.mean);
    c.std = c.n > 1 ? sqrt(ss / (c.n - 1)) : 0.0;
    return c;
}

static const struct {
    const char *metric;
    int direction;
} directions[] = {
    {"modes", +1}, /* modes covered (toy mixtures) or classes produced */
    {"classes", +1},
    {"hq_pct", +1}, /* % of samples near a mode */
    {"kl", -1},     /* KL divergence of the mode / class histogram from the real one */
    {"is", +1},     /* Inception-style score */
    {"fd", -1},     /* Frechet distance (FID-style) */
    {"fid", -1},
    {"precision", +1},
    {"recall", +1},
    {"density", GL_CMP_NEAR_ONE}, /* about 1 for matching sets; above 1 means samples crowd
                                     around dense real regions (docs/metrics.md) */
    {"coverage", +1},
    {"label_acc", +1},     /* conditional models: samples classified as their label */
    {"kid", -1},           /* Kernel Inception Distance (its kid_std has no direction) */
    {"stacked_modes", +1}, /* stacked data: channel triples produced, of 1,000 */
    {"stacked_kl", -1},    /* stacked data: KL of the triples' histogram from uniform */
};

int gl_cmp_direction(const char *metric)
{
    const char *dot = strrchr(metric, '.');
    if (!dot)
        return 0; /* not an evaluator's metric: a loss or a loss term */
    const char *own = dot + 1;
    for (size_t i = 0; i < sizeof directions / sizeof directions[0]; i++)
        if (strcmp(directions[i].metric, own) == 0)
            return directions[i].direction;
    return 0;
}

const char *gl_cmp_direction_text(int d)
{
    return d == GL_CMP_NEAR_ONE ? "closest to 1 is best"
           : d > 0              ? "higher is better"
           : d < 0              ? "lower is better"
                                : "no better direction";
}

/* classes.c - measures of a histogram of predicted classes (ganlab/metrics.h): classes covered,
 * KL(generated || uniform), Inception Score.
 *
 *   covered  #{i : c_i >= min_frac * sum c}
 *   KL       sum_i p_i log(k p_i), p = c / sum c; terms with p_i = 0 are 0 (no smoothing needed in
 *            this direction); an empty histogram gives log k
 *   IS       exp((1/n) sum_x sum_y p(y|x) log(p(y|x) / p(y))), p(y) = (1/n) sum_x p(y|x)
 *            (Salimans et al. 2016), over all n rows (the usual 10 splits are not made)
 */
#include <ganlab/metrics.h>

#include <math.h>
#include <stdlib.h>

int gl_classes_covered(const double *counts, int k, double min_frac)
{
    double total = 0;
    for (int i = 0; i < k; i++)
        total += counts[i];
    int covered = 0;
    for (int i = 0; i < k; i++)
        covered += total > 0 && counts[i] >= min_frac * total;
    return covered;
}

double gl_kl_uniform(const double *counts, int k)
{
    double total = 0;
    for (int i = 0; i < k; i++)
        total += counts[i];
    if (!(total > 0))
        return log((double)k);
    double kl = 0;
    for (int i = 0; i < k; i++)
        if (counts[i] > 0) {
            double p = counts[i] / total;
            kl += p * log(k * p);
        }
    return kl > 0 ? kl : 0; /* rounding can leave -1e-17 for a uniform histogram */
}

double gl_inception_score(const float *probs, int64_t n, int k)
{
    if (n < 1 || k < 1)
        return 1.0;
    /* The marginal p(y): k doubles on the stack would do, but k is unbounded. Freed below. */
    double *py = calloc((size_t)k, sizeof *py);
    if (!py)
        return NAN;
    for (int64_t i = 0; i < n; i++)
        for (int y = 0; y < k; y++)
            py[y] += probs[i * k + y];
    for (int y = 0; y < k; y++)
        py[y] /= (double)n;
    double sum = 0;
    for (int64_t i = 0; i < n; i++)
        for (int y = 0; y < k; y++) {
            double p = probs[i * k + y];
            if (p > 0)
                sum += p * log(p / py[y]);
        }
    free(py);
    return exp(sum / (double)n);
}

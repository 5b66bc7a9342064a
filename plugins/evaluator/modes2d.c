/* modes2d.c - evaluator plugin `modes2d`: mode collapse on a mixture of Gaussians (toy2d), by the
 * protocol of VEEGAN (Srivastava et al. 2017) and PacGAN (Lin et al. 2018).
 *
 * On n generated points (2500 by default), with the dataset's m mode centres c_k and std s:
 *   a point x is high quality when min_k |x - c_k| <= t s (t = 3 standard deviations);
 *   a mode is captured when at least one high-quality point is nearest to it.
 * Metrics:
 *   modes   the number of captured modes (higher is better; m when nothing is missed)
 *   hq_pct  100 x (high-quality points) / n (higher is better)
 *   kl      KL(h || uniform) of the histogram h of high-quality points over their nearest modes, in
 *           nats (lower is better; 0 = every mode equally often, log m = all in one mode or no
 *           high-quality point at all). Empty modes add 0 (0 log 0 = 0): no smoothing is needed in
 *           this direction of the divergence.
 * The centres and s come from the dataset through gl_eval_env (toy2d exports them).
 *
 * What it does not do: per-mode statistics, mixtures with unequal weights or stds.
 */
#include <ganlab/metrics.h>
#include <ganlab/plugin.h>

#include <float.h>
#include <math.h>
#include <stdlib.h>

static const gl_param_spec modes2d_params[] = {
    {"samples", GL_PARAM_INT, "2500", 0, 1, 1e8, NULL,
     "generated points per evaluation (2500 in VEEGAN and PacGAN); not eval.samples"},
    {"threshold", GL_PARAM_FLOAT, "3", 0, 0, 1e6, NULL,
     "a point is high quality within this many standard deviations of its nearest mode"},
    {NULL, 0, NULL, 0, GL_NO_RANGE, NULL, NULL}};

typedef struct modes2d {
    const gl_eval_env *env;
    int n;            /* points per evaluation */
    int d;            /* item size (2 for toy2d) */
    double threshold; /* in standard deviations */
    float *x;         /* (n, d) generated points; freed by destroy */
    double *counts;   /* (m) high-quality points per mode; freed by destroy */
} modes2d;

static void modes2d_destroy(void *self)
{
    modes2d *m = self;
    if (!m)
        return;
    free(m->x);
    free(m->counts);
    free(m);
}

static int modes2d_create(const gl_params *p, const gl_eval_env *env, void **self, gl_error *err)
{
    *self = NULL;
    if (env->n_modes < 1 || env->data.ndim != 1)
        return gl_error_add(err, GL_ERR_INPUT,
                            "evaluator 'modes2d' needs a dataset of points that exports its mode "
                            "centres (such as toy2d); this run's dataset has none");
    /* Freed by modes2d_destroy, which the core calls once create has set *self. */
    modes2d *m = calloc(1, sizeof *m);
    if (!m)
        return gl_error_add(err, GL_ERR_RUN, "evaluator 'modes2d': out of memory");
    *self = m;
    m->env = env;
    m->n = (int)gl_params_int(p, "samples");
    m->d = env->data.shape[0];
    m->threshold = gl_params_float(p, "threshold");
    m->x = malloc((size_t)m->n * (size_t)m->d * sizeof *m->x);
    m->counts = malloc((size_t)env->n_modes * sizeof *m->counts);
    if (!m->x || !m->counts)
        return gl_error_add(err, GL_ERR_RUN, "evaluator 'modes2d': out of memory for %d points",
                            m->n);
    return GL_OK;
}

static int modes2d_evaluate(void *self, gl_eval_result *out, gl_error *err)
{
    modes2d *m = self;
    const gl_eval_env *env = m->env;
    int k = env->n_modes, d = m->d;
    int rc = env->generate(env->core, m->n, NULL, m->x, err);
    if (rc != GL_OK)
        return rc;
    double radius = m->threshold * env->mode_std;
    int hq = 0;
    for (int j = 0; j < k; j++)
        m->counts[j] = 0;
    for (int i = 0; i < m->n; i++) {
        const float *x = m->x + (size_t)i * d;
        double best = DBL_MAX;
        int arg = 0;
        for (int j = 0; j < k; j++) {
            const float *c = env->mode_centres + (size_t)j * d;
            double s = 0;
            for (int t = 0; t < d; t++)
                s += ((double)x[t] - c[t]) * ((double)x[t] - c[t]);
            if (s < best) {
                best = s;
                arg = j;
            }
        }
        if (sqrt(best) <= radius) {
            hq++;
            m->counts[arg] += 1;
        }
    }
    int captured = 0;
    for (int j = 0; j < k; j++)
        captured += m->counts[j] > 0;
    out->n_metrics = 3;
    out->metrics[0] = (gl_eval_item){"modes", captured, NULL};
    out->metrics[1] = (gl_eval_item){"hq_pct", 100.0 * hq / m->n, NULL};
    out->metrics[2] = (gl_eval_item){"kl", gl_kl_uniform(m->counts, k), NULL};
    out->n_protocol = 5;
    out->protocol[0] = (gl_eval_item){"n", m->n, NULL};
    out->protocol[1] = (gl_eval_item){"n_modes", k, NULL};
    out->protocol[2] = (gl_eval_item){"threshold_std", m->threshold, NULL};
    out->protocol[3] = (gl_eval_item){"mode_std", env->mode_std, NULL};
    out->protocol[4] = (gl_eval_item){"seed", (double)env->seed, NULL};
    return GL_OK;
}

static const gl_evaluator_plugin modes2d_plugin = {
    .hdr = {GL_ABI_VERSION, GL_KIND_EVALUATOR, sizeof(gl_evaluator_plugin), "modes2d",
            "modes captured, % high-quality points and KL to uniform on a 2-D mixture (toy2d)",
            modes2d_params},
    .create = modes2d_create,
    .evaluate = modes2d_evaluate,
    .destroy = modes2d_destroy,
};

GL_PLUGIN_EXPORT const gl_plugin_header *gl_plugin_entry(void) { return &modes2d_plugin.hdr; }

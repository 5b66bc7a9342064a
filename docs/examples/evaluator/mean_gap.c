/* mean_gap.c - an example evaluator plugin (docs/plugins.md): how far the mean of G's samples is
 * from the mean of the real data, ||mean_i G(z_i) - mean_j x_j||_2 over every element of an item.
 * 0 for a G that matches the data's first moment (a collapsed G can too: this is a smoke test,
 * not a quality measure).
 *
 * The real mean does not depend on G, so it is computed once, on the first evaluate, from the
 * training split (env->split_open / split_get) and kept. Samples come only from env->generate
 * (the evaluation stream, restarted by the core at every evaluation), so the metric is a function
 * of G alone. Both loops poll env->stop, so SIGINT stops a long evaluation within a slice.
 *
 * Build out of tree: cc mean_gap.c $(pkg-config --cflags --libs ganlab) -shared -fPIC -lm -o
 * mean_gap.so
 */
#include <ganlab/plugin.h>

#include <math.h>
#include <stdlib.h>

enum { SLICE = 64 };

typedef struct mean_gap {
    const gl_eval_env *env;
    int64_t samples;
    size_t item;
    double *real_mean, *fake_mean; /* (item) each */
    float *x;                      /* (SLICE, item) */
    int ready;
} mean_gap;

static const gl_param_spec params[] = {
    {"samples", GL_PARAM_INT, "1000", 0, 1, 1e8, NULL, "generated and real items averaged"},
    {NULL, 0, NULL, 0, GL_NO_RANGE, NULL, NULL},
};

static void destroy(void *self)
{
    mean_gap *m = self;
    free(m->real_mean);
    free(m->fake_mean);
    free(m->x);
    free(m);
}

static int create(const gl_params *p, const gl_eval_env *env, void **self, gl_error *err)
{
    mean_gap *m = calloc(1, sizeof *m); /* freed by destroy, with its buffers */
    *self = m;
    if (!m)
        return gl_error_add(err, GL_ERR_RUN, "evaluator 'mean_gap': out of memory");
    m->env = env;
    m->samples = gl_params_int(p, "samples");
    m->item = 1;
    for (int i = 0; i < env->data.ndim; i++)
        m->item *= (size_t)env->data.shape[i];
    m->real_mean = calloc(m->item, sizeof *m->real_mean);
    m->fake_mean = calloc(m->item, sizeof *m->fake_mean);
    m->x = malloc(SLICE * m->item * sizeof *m->x);
    if (!m->real_mean || !m->fake_mean || !m->x)
        return gl_error_add(err, GL_ERR_RUN, "evaluator 'mean_gap': out of memory");
    return GL_OK;
}

/* mean (item) of n items, read SLICE at a time by fill(m, at, k, err) into m->x. */
static int average(mean_gap *m, int64_t n, int (*fill)(mean_gap *, int64_t, int, gl_error *),
                   double *mean, gl_error *err)
{
    for (size_t j = 0; j < m->item; j++)
        mean[j] = 0;
    for (int64_t at = 0; at < n; at += SLICE) {
        if (m->env->stop(m->env->core))
            return gl_error_add(err, GL_ERR_RUN, "evaluator 'mean_gap': stopped");
        int k = n - at < SLICE ? (int)(n - at) : SLICE;
        int rc = fill(m, at, k, err);
        if (rc != GL_OK)
            return rc;
        for (int i = 0; i < k; i++)
            for (size_t j = 0; j < m->item; j++)
                mean[j] += m->x[(size_t)i * m->item + j];
    }
    for (size_t j = 0; j < m->item; j++)
        mean[j] /= (double)n;
    return GL_OK;
}

static int fill_real(mean_gap *m, int64_t at, int k, gl_error *err)
{
    int64_t idx[SLICE];
    for (int i = 0; i < k; i++)
        idx[i] = at + i;
    return m->env->split_get(m->env->core, GL_SPLIT_TRAIN, idx, k, m->x, NULL, err);
}

static int fill_fake(mean_gap *m, int64_t at, int k, gl_error *err)
{
    return m->env->generate(m->env->core, k, NULL, m->x, err);
}

static int evaluate(void *self, gl_eval_result *out, gl_error *err)
{
    mean_gap *m = self;
    int rc = GL_OK;
    if (!m->ready) {
        int64_t n_real;
        const char *split;
        rc = m->env->split_open(m->env->core, GL_SPLIT_TRAIN, &n_real, &split, err);
        if (rc == GL_OK)
            rc = average(m, n_real < m->samples ? n_real : m->samples, fill_real, m->real_mean,
                         err);
        if (rc != GL_OK)
            return rc;
        m->ready = 1;
        gl_plugin_log(GL_LOG_INFO, "mean_gap", "real mean from %lld %s items",
                      (long long)(n_real < m->samples ? n_real : m->samples), split);
    }
    if ((rc = average(m, m->samples, fill_fake, m->fake_mean, err)) != GL_OK)
        return rc;
    double d2 = 0;
    for (size_t j = 0; j < m->item; j++)
        d2 += (m->fake_mean[j] - m->real_mean[j]) * (m->fake_mean[j] - m->real_mean[j]);
    out->n_metrics = 1;
    out->metrics[0] = (gl_eval_item){"mean_gap", sqrt(d2), NULL};
    out->n_protocol = 1;
    out->protocol[0] = (gl_eval_item){"samples", (double)m->samples, NULL};
    return GL_OK;
}

static const gl_evaluator_plugin plugin = {
    .hdr = {GL_ABI_VERSION, GL_KIND_EVALUATOR, sizeof plugin, "mean_gap",
            "example: distance between the means of generated and real items", params},
    .create = create,
    .evaluate = evaluate,
    .destroy = destroy,
};

GL_PLUGIN_EXPORT const gl_plugin_header *gl_plugin_entry(void) { return &plugin.hdr; }

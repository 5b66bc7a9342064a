/* model.c - the checks of a model plugin (check.h): for each test data shape (images (1, 28, 28)
 * with 10 classes, vectors (2) with 8 classes), and again conditional when the schema has a
 * `conditional` bool, the model is created as the runner creates it, its nets are finalised from
 * the init stream, G and D run on a batch of 4 D outputs (4 m samples for a model packing m) in
 * train and eval mode, and the gradients of
 *
 *   s_G = sum_b w_b D(G(z))_b   w.r.t. G's parameters,     s_D = sum_b w_b D(x)_b   w.r.t. D's
 *
 * (w_b ~ normal(0, 1) fixed, so no sample's gradient can hide behind another's) are compared with
 * finite differences (fdiff.c). The comparison runs in train mode, which is what training
 * differentiates; the dropout stream is rewound and the nets' buffers restored before every
 * evaluation, so each sees the same masks and the same spectral-norm vectors (which a training
 * forward advances by a power iteration), and batch norm's batch statistics depend only on the
 * batch. s is summed in double so that the last reduction adds no rounding to the finite
 * differences.
 *
 * A model that refuses a data shape with an input error (dcgan needs images) gets a SKIP line for
 * it; refusing every shape is a failure.
 */
#include "check/check_internal.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <ganlab/autograd.h>
#include <ganlab/rng.h>
#include <ganlab/tensor.h>

#define BATCH          4
#define DEFAULT_COORDS 24

typedef struct mrun {
    const gl_model_plugin *mp;
    void *self;
    gl_model_env env;
    gl_net *g, *d;
    gl_rng dropout, dropout0; /* the stream the model uses, and where every evaluation starts */
    gl_real *buffers0[2];     /* G's and D's buffers after finalising, restored likewise */
    gl_ctx *ctx;
    size_t item;    /* floats per item */
    int n;          /* samples: BATCH D outputs of env.pack samples each */
    float *z;       /* (n, latent) */
    float *x;       /* (n, item), in [lo, hi] */
    float w[BATCH]; /* weights of the scalar, one per D output */
    int32_t labels[BATCH * GL_MODEL_MAX_PACK];
    int through_g; /* the scalar is of D(G(z)) (1) or of D(x) (0) */
    int train;
    char label[128]; /* "on images (1, 28, 28), 10 classes" */
} mrun;

static const int32_t *labels_of(mrun *m) { return m->env.conditional ? m->labels : NULL; }

static int shape_is(const gl_tensor *t, int ndim, const int *shape)
{
    if (!t || gl_tensor_ndim(t) != ndim)
        return 0;
    for (int i = 0; i < ndim; i++)
        if (gl_tensor_dim(t, i) != shape[i])
            return 0;
    return 1;
}

static void shape_text(const gl_tensor *t, char *buf, size_t cap)
{
    if (!t) {
        snprintf(buf, cap, "nothing");
        return;
    }
    size_t used = 0;
    for (int i = 0; i < gl_tensor_ndim(t) && used < cap; i++)
        used += (size_t)snprintf(buf + used, cap - used, "%s%d", i ? ", " : "(",
                                 gl_tensor_dim(t, i));
    if (used < cap)
        snprintf(buf + used, cap - used, ")");
}

static int all_finite(gl_tensor *t)
{
    const gl_real *v = gl_tensor_data(t);
    for (size_t i = 0; i < gl_tensor_numel(t); i++)
        if (!isfinite(v[i]))
            return 0;
    return 1;
}

/* G(z) (through_g) or x, then D of it, in m->ctx from a fresh start. *gx gets G's output or NULL.
 */
static gl_tensor *forward(mrun *m, gl_tensor **gx)
{
    gl_ctx_reset(m->ctx);
    m->dropout = m->dropout0;
    gl_net *nets[2] = {m->g, m->d};
    for (int i = 0; i < 2; i++)
        if (gl_net_buffer_numel(nets[i]) > 0)
            memcpy(gl_net_buffer_values(nets[i]), m->buffers0[i],
                   gl_net_buffer_numel(nets[i]) * sizeof(gl_real));
    int zs[2] = {m->n, m->env.latent_dim};
    int xs[4] = {m->n, m->env.data.shape[0], m->env.data.shape[1], m->env.data.shape[2]};
    gl_tensor *x;
    if (m->through_g)
        x = m->mp->generate(m->self, m->ctx, gl_tensor_from(m->ctx, 2, zs, m->z), labels_of(m),
                            m->train);
    else
        x = gl_tensor_from(m->ctx, 1 + m->env.data.ndim, xs, m->x);
    if (gx)
        *gx = m->through_g ? x : NULL;
    return x ? m->mp->discriminate(m->self, m->ctx, x, labels_of(m), m->train) : NULL;
}

/* D's output must be (BATCH, 1), one per pack of env.pack samples: the losses and the core rely
 * on it. */
static int d_out_ok(mrun *m, gl_tensor *out, gl_error *err)
{
    static const int want[2] = {BATCH, 1};
    int rc = gl_ctx_status(m->ctx, err);
    if (rc == GL_OK && !shape_is(out, 2, want)) {
        char got[64];
        shape_text(out, got, sizeof got);
        rc = gl_error_add(err, GL_ERR_RUN, "D gave %s, expected (%d, 1)", got, BATCH);
    }
    return rc;
}

/* gl_check_scalar_fn: s = sum_b w_b D(.)_b, evaluated without recording. */
static int scalar(void *ud, double *v, gl_error *err)
{
    mrun *m = ud;
    int prev = gl_ctx_set_grad_enabled(m->ctx, 0);
    gl_tensor *out = forward(m, NULL);
    int rc = d_out_ok(m, out, err);
    gl_ctx_set_grad_enabled(m->ctx, prev);
    if (rc != GL_OK)
        return rc;
    double s = 0;
    for (int b = 0; b < BATCH; b++)
        s += (double)m->w[b] * gl_tensor_data(out)[b];
    *v = s;
    return GL_OK;
}

/* Fills net's gradient block with d s / d net by gl_backward. */
static int analytic(mrun *m, gl_net *net, gl_error *err)
{
    gl_tensor *out = forward(m, NULL);
    int rc = d_out_ok(m, out, err);
    if (rc != GL_OK)
        return rc;
    int ws[2] = {BATCH, 1};
    gl_tensor *s = gl_sum(m->ctx, gl_mul(m->ctx, out, gl_tensor_from(m->ctx, 2, ws, m->w)));
    if ((rc = gl_ctx_status(m->ctx, err)) != GL_OK)
        return rc;
    gl_net_zero_grad(net);
    return gl_backward(m->ctx, s, net, err);
}

/* One gradient line for net (G: through_g). A failed evaluation is a FAIL line too. */
static void grad_check(mrun *m, gl_net *net, int through_g, const gl_check_opts *opts,
                       gl_check_report *rep)
{
    gl_error e;
    gl_error_init(&e);
    char what[192], msg[1024];
    snprintf(what, sizeof what, "model %s: %s gradient of sum w D(%s)", m->label,
             through_g ? "G" : "D", through_g ? "G(z)" : "x");
    m->through_g = through_g;
    m->train = 1;
    gl_check_fd r;
    int rc = analytic(m, net, &e);
    if (rc == GL_OK)
        rc = gl_check__grads(net, scalar, m, opts->coords > 0 ? opts->coords : DEFAULT_COORDS,
                             opts->seed, &r, &e);
    if (rc == GL_OK) {
        gl_check__grads_line(rep, &r, what);
    } else {
        gl_check__error_text(&e, msg, sizeof msg);
        gl_check__line(rep, GL_CHECK_FAIL, "%s: %s", what, msg);
    }
}

/* G and D in train and eval mode: shapes and finite values. 1 when all is well. */
static int shapes(mrun *m, gl_check_report *rep)
{
    gl_error e;
    gl_error_init(&e);
    char msg[1024] = "", gs[64] = "", ds[64] = "";
    int item_shape[4] = {m->n, m->env.data.shape[0], m->env.data.shape[1], m->env.data.shape[2]};
    int ok = 1;
    m->through_g = 1;
    for (m->train = 1; m->train >= 0 && ok; m->train--) {
        gl_tensor *gx, *out = forward(m, &gx);
        int rc = gl_ctx_status(m->ctx, &e);
        shape_text(gx, gs, sizeof gs);
        if (rc != GL_OK)
            gl_check__error_text(&e, msg, sizeof msg);
        else if (!shape_is(gx, 1 + m->env.data.ndim, item_shape))
            snprintf(msg, sizeof msg, "G(z) is %s, expected (%d, item shape)", gs, m->n);
        else if ((rc = d_out_ok(m, out, &e)) != GL_OK)
            gl_check__error_text(&e, msg, sizeof msg);
        else if (!all_finite(gx) || !all_finite(out))
            snprintf(msg, sizeof msg, "G or D gave a value that is not finite");
        if (msg[0]) {
            snprintf(msg + strlen(msg), sizeof msg - strlen(msg), " (%s mode)",
                     m->train ? "train" : "eval");
            ok = 0;
        }
        shape_text(out, ds, sizeof ds);
    }
    if (ok)
        gl_check__line(rep, GL_CHECK_PASS,
                       "model %s: G(z) %s, D(G(z)) %s, finite in train and eval "
                       "mode; latent %d, G %zu and D %zu parameters",
                       m->label, gs, ds, m->env.latent_dim, gl_net_numel(m->g), gl_net_numel(m->d));
    else
        gl_check__line(rep, GL_CHECK_FAIL, "model %s: %s", m->label, msg);
    return ok;
}

/* Creates the model on data, finalises the nets and fills the inputs. Returns GL_OK; GL_ERR_INPUT
 * when the model refused the data (msg says why); GL_ERR_RUN for a failure (msg says). */
static int setup(mrun *m, const gl_params *params, const gl_check_opts *opts, char *msg, size_t cap)
{
    gl_error e;
    gl_error_init(&e);
    gl_rng_init(&m->dropout0, opts->seed, GL_STREAM_DROPOUT);
    m->env.dropout_rng = &m->dropout;
    m->g = gl_net_create("G");
    m->d = gl_net_create("D");
    m->ctx = gl_ctx_create();
    if (!m->g || !m->d || !m->ctx) {
        snprintf(msg, cap, "out of memory");
        return GL_ERR_RUN;
    }
    int rc = m->mp->create(params, &m->env, m->g, m->d, &m->self, &e);
    if (rc != GL_OK) {
        gl_check__error_text(&e, msg, cap);
        return rc == GL_ERR_INPUT ? GL_ERR_INPUT : GL_ERR_RUN;
    }
    if (m->env.latent_dim < 1) {
        snprintf(msg, cap, "create left latent_dim at %d", m->env.latent_dim);
        return GL_ERR_RUN;
    }
    gl_rng init;
    gl_rng_init(&init, opts->seed, GL_STREAM_INIT);
    if (gl_net_finalize(m->g, &init, &e) != GL_OK || gl_net_finalize(m->d, &init, &e) != GL_OK) {
        gl_check__error_text(&e, msg, cap);
        return GL_ERR_RUN;
    }
    gl_net *nets[2] = {m->g, m->d};
    for (int i = 0; i < 2; i++) {
        size_t n = gl_net_buffer_numel(nets[i]);
        /* Freed in teardown. */
        m->buffers0[i] = malloc((n ? n : 1) * sizeof(gl_real));
        if (!m->buffers0[i]) {
            snprintf(msg, cap, "out of memory");
            return GL_ERR_RUN;
        }
        if (n > 0)
            memcpy(m->buffers0[i], gl_net_buffer_values(nets[i]), n * sizeof(gl_real));
    }
    m->item = 1;
    for (int i = 0; i < m->env.data.ndim; i++)
        m->item *= (size_t)m->env.data.shape[i];
    if (m->env.pack < 0 || m->env.pack > GL_MODEL_MAX_PACK) {
        snprintf(msg, cap, "create set pack %d (0..%d allowed)", m->env.pack, GL_MODEL_MAX_PACK);
        return GL_ERR_RUN;
    }
    m->n = BATCH * (m->env.pack > 1 ? m->env.pack : 1);
    m->z = malloc((size_t)m->n * (size_t)m->env.latent_dim * sizeof *m->z);
    m->x = malloc((size_t)m->n * m->item * sizeof *m->x);
    if (!m->z || !m->x) {
        snprintf(msg, cap, "out of memory");
        return GL_ERR_RUN;
    }
    gl_rng r;
    gl_rng_init(&r, opts->seed, GL_STREAM_NOISE);
    gl_rng_fill_normal(&r, m->z, (size_t)m->n * (size_t)m->env.latent_dim, 0.0f, 1.0f);
    gl_rng_fill_uniform(&r, m->x, (size_t)m->n * m->item, m->env.data.lo, m->env.data.hi);
    gl_rng_fill_normal(&r, m->w, BATCH, 0.0f, 1.0f);
    for (int b = 0; b < m->n; b++)
        m->labels[b] = (int32_t)(b % m->env.data.n_classes);
    return GL_OK;
}

static void teardown(mrun *m)
{
    if (m->self)
        m->mp->destroy(m->self);
    gl_net_destroy(m->g);
    gl_net_destroy(m->d);
    gl_ctx_destroy(m->ctx);
    free(m->z);
    free(m->x);
    free(m->buffers0[0]);
    free(m->buffers0[1]);
}

/* One data variant. Returns 1 when the model accepted it, 0 when it refused it; sets *cond when
 * the model made itself conditional. */
static int variant(const gl_model_plugin *mp, const gl_params *params, const gl_dataset_info *data,
                   const char *data_label, int want_cond, const gl_check_opts *opts,
                   gl_check_report *rep, int *cond)
{
    mrun m;
    memset(&m, 0, sizeof m);
    m.mp = mp;
    m.env.data = *data;
    char msg[1024];
    int rc = setup(&m, params, opts, msg, sizeof msg);
    snprintf(m.label, sizeof m.label, "on %s%s", data_label,
             m.env.conditional || want_cond ? ", conditional" : "");
    *cond |= m.env.conditional;
    if (rc == GL_ERR_INPUT)
        gl_check__line(rep, GL_CHECK_SKIP, "model %s: the model refuses this data: %s", m.label,
                       msg);
    else if (rc != GL_OK)
        gl_check__line(rep, GL_CHECK_FAIL, "model %s: %s", m.label, msg);
    else if (want_cond && !m.env.conditional)
        gl_check__line(rep, GL_CHECK_FAIL,
                       "model %s: conditional is true, but create left "
                       "env->conditional at 0",
                       m.label);
    else if (shapes(&m, rep)) {
        grad_check(&m, m.g, 1, opts, rep);
        grad_check(&m, m.d, 0, opts, rep);
    }
    teardown(&m);
    return rc != GL_ERR_INPUT;
}

int gl_check__model(const gl_plugin_header *hdr, const gl_check_opts *opts, gl_check_report *rep,
                    gl_error *err)
{
    static const struct {
        const char *label;
        gl_dataset_info data;
    } datas[] = {
        {"images (1, 28, 28), 10 classes",
         {.ndim = 3, .shape = {1, 28, 28}, .n_classes = 10, .n_items = 1000, .lo = -1, .hi = 1}},
        {"vectors (2), 8 classes",
         {.ndim = 1, .shape = {2, 1, 1}, .n_classes = 8, .n_items = 1000, .lo = -4, .hi = 4}},
    };
    const gl_model_plugin *mp = (const gl_model_plugin *)hdr;
    const gl_param_spec *c = gl_check__param(hdr, "conditional");
    int has_cond = c && c->type == GL_PARAM_BOOL;
    int accepted = 0;
    for (int want_cond = 0; want_cond <= has_cond; want_cond++) {
        gl_cfg *cfg;
        const gl_params *params;
        int rc = gl_check__params(hdr, opts, want_cond ? "conditional=true" : NULL, &cfg, &params,
                                  err);
        if (rc != GL_OK)
            return rc;
        int cond = 0;
        for (size_t i = 0; i < sizeof datas / sizeof datas[0]; i++)
            accepted += variant(mp, params, &datas[i].data, datas[i].label, want_cond, opts, rep,
                                &cond);
        gl_cfg_destroy(cfg);
        if (cond && !want_cond)
            break; /* the defaults are conditional already: nothing new to try */
    }
    if (!accepted)
        gl_check__line(rep, GL_CHECK_FAIL,
                       "model: refuses every test data shape, so nothing of "
                       "it could be checked");
    return GL_OK;
}

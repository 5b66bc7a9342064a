/* step.c - one generator step of the schedule in train.h, and sampling from G.
 *
 * The real batch, the labels and the optimizer state live in buffers the session allocated; the
 * tensors of a step live in the session's context, reset after each update. So a step allocates
 * nothing once the context's arena has grown in the first step. */
#include "train/train.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "train/dist.h"
#include "train/penalty.h"

static void shuffle_epoch(gl_session *s)
{
    for (int64_t i = 0; i < s->data.n_items; i++)
        s->order[i] = i;
    gl_rng r;
    /* One stream per epoch, so an epoch's order is a function of (seed, epoch) alone: a resumed run
     * recomputes it instead of storing it. */
    gl_rng_init(&r, s->seed, ((uint64_t)s->st.epoch << 8) | GL_STREAM_DATA);
    gl_rng_shuffle(&r, s->order, (size_t)s->data.n_items);
}

static int next_batch(gl_session *s, gl_error *err)
{
    int64_t left = s->data.n_items - s->st.pos;
    /* An epoch's last partial batch is kept unless drop_last, cut to whole packs of a packing D
     * on each rank, and skipped when not even one pack per rank is left. */
    int unit = s->pack * s->ranks;
    if (left <= 0 || left < unit || (s->drop_last && left < s->batch)) {
        s->st.epoch++;
        s->st.pos = 0;
        shuffle_epoch(s);
        left = s->data.n_items;
    }
    int b = left < s->batch ? (int)left : s->batch;
    b -= b % unit;
    /* Each rank reads its consecutive share of the global batch (dist.h). */
    int mine = b / s->ranks;
    if (s->dataset_p->get(s->dataset, s->order + s->st.pos + (int64_t)s->rank * mine, mine, s->real,
                          s->data.n_classes > 0 ? s->labels : NULL, err) != GL_OK)
        return err->status ? err->status : GL_ERR_RUN;
    s->st.pos += b;
    s->last_batch = mine;
    return GL_OK;
}

static gl_tensor *batch_tensor(gl_session *s, int b)
{
    int shape[4] = {b, s->data.shape[0], s->data.shape[1], s->data.shape[2]};
    return gl_tensor_from(s->ctx, 1 + s->data.ndim, shape, s->real);
}

static gl_tensor *z_tensor(gl_session *s, gl_rng *rng, int n)
{
    int shape[2] = {n, s->model_env.latent_dim};
    gl_tensor *z = gl_tensor_new(s->ctx, 2, shape);
    if (z)
        gl_rng_fill_normal(rng, gl_tensor_data(z), gl_tensor_numel(z), 0.0f, 1.0f);
    return z;
}

static gl_tensor *generate_cb(void *core, int n, const int32_t *labels)
{
    gl_session *s = core;
    gl_tensor *x = s->model_p->generate(s->model, s->ctx, z_tensor(s, &s->st.noise, n),
                                        s->model_env.conditional ? labels : NULL, 1);
    /* R2 penalises D's gradient at the fakes D is trained on: the first batch of a D update. */
    if (s->in_d_update && !s->d_fake)
        s->d_fake = x;
    return x;
}

/* train.lr_decay's and train.instance_noise's factor: 1 - t / T during generator step t (from 0)
 * of a budget of T. */
static double anneal(const gl_session *s)
{
    double f = 1.0 - (double)s->st.step / (double)(s->total_steps ? s->total_steps : 1);
    return f > 0.0 ? f : 0.0;
}

/* train.instance_noise: x + N(0, sigma_t^2) per element, sigma_t annealed to 0, drawn from the
 * penalty stream (checkpointed). A constant added to x, so the gradient reaches x unchanged. */
static gl_tensor *with_instance_noise(gl_session *s, gl_tensor *x)
{
    double std = s->instance_noise * anneal(s);
    if (std <= 0 || !x)
        return x;
    int shape[GL_MAX_DIMS], nd = gl_tensor_ndim(x);
    for (int i = 0; i < nd; i++)
        shape[i] = gl_tensor_dim(x, i);
    gl_tensor *n = gl_tensor_new(s->ctx, nd, shape);
    if (!n)
        return NULL;
    gl_rng_fill_normal(&s->st.penalty, gl_tensor_data(n), gl_tensor_numel(n), 0.0f, (float)std);
    return gl_add(s->ctx, x, n);
}

static gl_tensor *discriminate_cb(void *core, gl_tensor *x, const int32_t *labels)
{
    gl_session *s = core;
    return s->model_p->discriminate(s->model, s->ctx, with_instance_noise(s, x),
                                    s->model_env.conditional ? labels : NULL, 1);
}

/* The first term that is not finite, else what: so the message names what went bad. */
static const char *bad_term(const gl_loss_result *r, const char *what)
{
    for (int i = 0; i < r->n_terms; i++)
        if (!isfinite(r->term_values[i]))
            return r->term_names[i];
    return what;
}

static int grads_finite(gl_net *net)
{
    /* An exponent of all ones is NaN or Inf. Testing the bits with integer ops lets the compiler
     * vectorise the pass (a float sum would be serial without -ffast-math). */
    const float *g = gl_net_grads(net);
    size_t n = gl_net_numel(net);
    uint32_t bad = 0;
    for (size_t i = 0; i < n; i++) {
        uint32_t u;
        memcpy(&u, &g[i], sizeof u);
        bad |= (u & 0x7f800000u) == 0x7f800000u;
    }
    return !bad;
}

/* The optimizer's update of net `which`. Under train.lr_decay linear the rates are times
 * anneal(s) (as the WGAN-GP authors' code decays them), for every update of step t, D's and G's:
 * every bundled optimizer's update is proportional to its learning rate, so the update at f times
 * the rate is p0 + f (p1 - p0). The plugin's step_scaled blends as it goes; without one the core
 * keeps p0 in prev and blends after step, the same bytes (plugin.h). */
static void apply_update(gl_session *s, int which)
{
    const gl_optimizer_plugin *op = s->opt_p[which];
    gl_real *p = gl_net_values(s->net[which]);
    const gl_real *g = gl_net_grads(s->net[which]);
    size_t n = gl_net_numel(s->net[which]);
    uint64_t t = ++s->st.opt_step[which];
    gl_real f = s->lr_decay ? (gl_real)anneal(s) : 1;
    if (f == 1) {
        op->step(s->opt[which], p, g, s->opt_state[which], n, t);
    } else if (s->step_scaled[which]) {
        s->step_scaled[which](s->opt[which], p, g, s->opt_state[which], n, t, f);
    } else {
        gl_real *prev = s->prev[which];
        memcpy(prev, p, n * sizeof *p);
        op->step(s->opt[which], p, g, s->opt_state[which], n, t);
        for (size_t i = 0; i < n; i++)
            p[i] = prev[i] + f * (p[i] - prev[i]);
    }
}

/* After a failed update of net `which`: the step, the net, the function and the plugins involved,
 * "the plugin gave no message" when nothing before said why, and for a batch of one item the
 * likely cause (batch norm needs two values per channel). */
static int step_failed(gl_session *s, int which, const char *fn, int before, gl_error *err)
{
    int status = err->status ? err->status : GL_ERR_RUN;
    gl_error_add(
        err, status, "step %llu, %s update: %s failed (loss '%s', model '%s', a batch of %d)%s",
        (unsigned long long)s->st.step + 1, which ? "D" : "G", fn, s->names[2], s->names[1],
        s->last_batch, err->count == before ? "; the plugin gave no message" : "");
    if (s->last_batch == 1)
        gl_error_add(err, status,
                     "a batch of one item: batch norm needs at least 2; set train.drop_last=true "
                     "or a train.batch_size that does not leave one item at an epoch's end");
    return status;
}

/* One update of net `which` (0: G, 1: D) with the loss built by the plugin. */
static int update(gl_session *s, int which, gl_loss_result *res, gl_error *err)
{
    static const char *const what[2] = {"the G loss", "the D loss"};
    gl_loss_env env = {
        .ctx = s->ctx,
        .real = batch_tensor(s, s->last_batch),
        .labels = s->model_env.conditional
                      ? (which ? s->labels : s->gen_labels + (size_t)s->rank * s->last_batch)
                      : NULL,
        .batch = s->last_batch,
        .rng = &s->st.penalty,
        .core = s,
        .generate = generate_cb,
        .discriminate = discriminate_cb,
    };
    memset(res, 0, sizeof *res);
    int before = err->count;
    s->in_d_update = which;
    s->d_fake = NULL;
    int rc = which ? s->loss_p->d_loss(s->loss, &env, res, err)
                   : s->loss_p->g_loss(s->loss, &env, res, err);
    s->in_d_update = 0;
    if (rc == GL_OK) {
        char who[96];
        snprintf(who, sizeof who, "loss '%s', %s: ", s->names[2], which ? "d_loss" : "g_loss");
        rc = gl_loss_result_check(s->ctx, res, who, err);
    }
    if (rc == GL_OK && which && (s->r1_gamma > 0 || s->r2_gamma > 0))
        rc = gl_zc_penalties_add(&env, s->d_fake, s->r1_gamma, s->r2_gamma, res, err);
    if (rc != GL_OK)
        return step_failed(s, which, which ? "d_loss" : "g_loss", before, err);
    uint64_t step = s->st.step + 1;
    double v = gl_tensor_item(res->loss);
    if (!isfinite(v) || bad_term(res, NULL))
        return gl_error_add(err, GL_ERR_RUN,
                            "step %llu: %s is %s (the run stopped; the last good "
                            "checkpoint is kept)",
                            (unsigned long long)step, bad_term(res, what[which]),
                            isnan(v) ? "NaN" : "not finite");
    gl_net *net = s->net[which];
    gl_net_zero_grad(net);
    if (gl_backward(s->ctx, res->loss, net, err) != GL_OK)
        return step_failed(s, which, "backward of its loss", before, err);
    if (s->ranks > 1 && gl_dist_reduce(s, which, res, &v, err) != GL_OK)
        return err->status;
    if (!grads_finite(net))
        return gl_error_add(err, GL_ERR_RUN,
                            "step %llu: a gradient of %s is not finite (the run stopped; the last "
                            "good checkpoint is kept)",
                            (unsigned long long)step, what[which]);
    apply_update(s, which);
    s->last_loss[which] = v;
    /* The loss tensor lives in the context being reset: only its value outlives the update. */
    res->loss = NULL;
    gl_ctx_reset(s->ctx);
    return GL_OK;
}

/* The D state an unrolled look-ahead changes (train.unroll_steps): values, optimizer state and
 * update count, buffers, last loss. save = 1 copies them aside, 0 puts them back. */
static void d_state(gl_session *s, int save)
{
    gl_net *d = s->net[1];
    struct {
        void *live, *copy;
        size_t bytes;
    } parts[3] = {
        {gl_net_values(d), s->unroll_save.values, gl_net_numel(d) * sizeof(gl_real)},
        {s->opt_state[1], s->unroll_save.opt_state,
         gl_net_numel(d) * (size_t)s->opt_state_per[1] * sizeof(float)},
        {gl_net_buffer_values(d), s->unroll_save.buffers, gl_net_buffer_numel(d) * sizeof(gl_real)},
    };
    for (int i = 0; i < 3; i++)
        if (parts[i].bytes)
            memcpy(save ? parts[i].copy : parts[i].live, save ? parts[i].live : parts[i].copy,
                   parts[i].bytes);
    if (save) {
        s->unroll_save.opt_step = s->st.opt_step[1];
        s->unroll_save.loss = s->last_loss[1];
    } else {
        s->st.opt_step[1] = s->unroll_save.opt_step;
        s->last_loss[1] = s->unroll_save.loss;
    }
}

/* The G update of an unrolled GAN (Metz et al. 2017): unroll_steps look-ahead updates of D on
 * the step's last real batch (fresh fakes each), G's update against that D, then D back as it
 * was. No gradient flows through the look-ahead (docs/training.md). */
static int unrolled_g_update(gl_session *s, gl_loss_result *g_res, gl_error *err)
{
    gl_loss_result scratch;
    d_state(s, 1);
    int rc = GL_OK;
    for (int k = 0; k < s->unroll_steps && rc == GL_OK; k++)
        rc = update(s, 1, &scratch, err);
    if (rc == GL_OK)
        rc = update(s, 0, g_res, err);
    d_state(s, 0);
    return rc;
}

int gl_session_step(gl_session *s, gl_loss_result *d_res, gl_loss_result *g_res, gl_error *err)
{
    for (int c = 0; c < s->n_critic; c++) {
        int rc = next_batch(s, err);
        if (rc == GL_OK)
            rc = update(s, 1, d_res, err);
        if (rc != GL_OK)
            return rc;
        s->st.d_updates++;
    }
    /* Every rank draws the labels of the whole global batch and uses its share. */
    if (s->model_env.conditional)
        for (int i = 0; i < s->last_batch * s->ranks; i++)
            s->gen_labels[i] = (int32_t)gl_rng_below(&s->st.noise, (uint64_t)s->data.n_classes);
    int rc = s->unroll_steps > 0 ? unrolled_g_update(s, g_res, err) : update(s, 0, g_res, err);
    if (rc == GL_OK)
        s->st.step++;
    return rc;
}

void gl_session_resume_order(gl_session *s)
{
    if (s->st.epoch >= 0)
        shuffle_epoch(s);
}

int gl_session_sample(gl_session *s, gl_rng *rng, int n, const int32_t *labels, float *out,
                      gl_error *err)
{
    int prev = gl_ctx_set_grad_enabled(s->ctx, 0);
    gl_tensor *z = z_tensor(s, rng, n);
    gl_tensor *x = s->model_p->generate(s->model, s->ctx, z,
                                        s->model_env.conditional ? labels : NULL, 0);
    int rc = gl_ctx_status(s->ctx, err);
    if (rc == GL_OK && (!x || gl_tensor_numel(x) != (size_t)n * s->item_size))
        rc = gl_error_add(err, GL_ERR_RUN, "model '%s' generated the wrong shape", s->names[1]);
    if (rc == GL_OK)
        memcpy(out, gl_tensor_data(x), (size_t)n * s->item_size * sizeof *out);
    gl_ctx_reset(s->ctx);
    gl_ctx_set_grad_enabled(s->ctx, prev);
    return rc;
}

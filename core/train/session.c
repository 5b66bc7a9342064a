/* session.c - builds a training session from a validated config: opens the plugins in the order
 * dataset -> model (which needs the data's shape) -> nets (initialised from the init stream, G then
 * D)
 * -> loss -> optimizers, and allocates every buffer the step uses, so that the step itself never
 * allocates. Refuses the combinations the plugins cannot detect alone (batch norm in a critic under
 * a gradient penalty). */
#include "train/train.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "train/dist.h"

static const char *const opt_sections[2] = {"optimizer.generator", "optimizer.discriminator"};

/* After a plugin call that failed: names the plugin and the function, and says so when the plugin
 * added no line of its own (before: err's line count before the call), so a failure is never
 * silent. */
static int plugin_failed(gl_error *err, int before, const char *kind, const char *name,
                         const char *fn)
{
    int status = err->status ? err->status : GL_ERR_INPUT;
    if (err->count == before)
        return gl_error_add(err, status, "%s plugin '%s': %s failed; the plugin gave no message",
                            kind, name, fn);
    return gl_error_add(err, status, "%s plugin '%s': %s failed", kind, name, fn);
}

static const gl_plugin_header *find(const gl_cfg *cfg, const gl_registry *reg, const char *section,
                                    gl_error *err)
{
    const gl_registry_entry *e = NULL;
    const char *name = gl_cfg_plugin(cfg, section);
    if (gl_registry_find(reg, gl_cfg_section_kind(section), name, section, NULL, &e, err) != GL_OK)
        return NULL;
    return e->hdr;
}

static int open_dataset(gl_session *s, const gl_cfg *cfg, const gl_registry *reg, gl_error *err)
{
    s->dataset_p = (const gl_dataset_plugin *)find(cfg, reg, "dataset", err);
    if (!s->dataset_p)
        return GL_ERR_INPUT;
    s->names[0] = s->dataset_p->hdr.name;
    int before = err->count;
    if (s->dataset_p->open(gl_cfg_params(cfg, "dataset"), s->seed, &s->dataset, &s->data, err) !=
        GL_OK)
        return plugin_failed(err, before, "dataset", s->names[0], "open");
    s->item_size = 1;
    for (int i = 0; i < s->data.ndim; i++)
        s->item_size *= (size_t)s->data.shape[i];
    if (s->data.n_items < 1 || s->item_size < 1)
        return gl_error_add(err, GL_ERR_INPUT, "dataset '%s' is empty", s->names[0]);
    return GL_OK;
}

static int open_model(gl_session *s, const gl_cfg *cfg, const gl_registry *reg, gl_error *err)
{
    s->model_p = (const gl_model_plugin *)find(cfg, reg, "model", err);
    if (!s->model_p)
        return GL_ERR_INPUT;
    s->names[1] = s->model_p->hdr.name;
    s->net[0] = gl_net_create("G");
    s->net[1] = gl_net_create("D");
    if (!s->net[0] || !s->net[1])
        return gl_error_add(err, GL_ERR_RUN, "out of memory creating the networks");
    s->model_env.data = s->data;
    s->model_env.dropout_rng = &s->st.dropout;
    int before = err->count;
    if (s->model_p->create(gl_cfg_params(cfg, "model"), &s->model_env, s->net[0], s->net[1],
                           &s->model, err) != GL_OK)
        return plugin_failed(err, before, "model", s->names[1], "create");
    if (s->model_env.latent_dim < 1)
        return gl_error_add(err, GL_ERR_INPUT, "model '%s' declared no latent dimension",
                            s->names[1]);
    /* The contract's rule, checked here so a third-party model cannot get labels that do not
     * exist (labels NULL) into its conditional code. */
    if (s->model_env.conditional && s->data.n_classes < 1)
        return gl_error_add(err, GL_ERR_INPUT,
                            "model '%s' is conditional (G and D take labels), but dataset '%s' "
                            "has no labels",
                            s->names[1], s->names[0]);
    /* An update zeroes, fills and spends one net's gradients before the next update starts
     * (step.c), so G and D share one gradient block: D's 2 MB less for the MLP configs. */
    if (gl_net_share_grads(s->net[0], s->net[1], err) != GL_OK)
        return err->status;
    gl_rng init;
    gl_rng_init(&init, s->seed, GL_STREAM_INIT);
    for (int i = 0; i < 2; i++)
        if (gl_net_finalize(s->net[i], &init, err) != GL_OK)
            return err->status;
    return GL_OK;
}

static int open_loss(gl_session *s, const gl_cfg *cfg, const gl_registry *reg, gl_error *err)
{
    s->loss_p = (const gl_loss_plugin *)find(cfg, reg, "loss", err);
    if (!s->loss_p)
        return GL_ERR_INPUT;
    s->names[2] = s->loss_p->hdr.name;
    if ((s->model_env.flags & GL_MODEL_D_BATCH_STATS) &&
        ((s->loss_p->flags & GL_LOSS_INPUT_GRADIENT) || s->r1_gamma > 0 || s->r2_gamma > 0)) {
        char who[64];
        if (s->loss_p->flags & GL_LOSS_INPUT_GRADIENT)
            snprintf(who, sizeof who, "loss '%s'", s->names[2]);
        else
            snprintf(who, sizeof who, "train.%s_gamma", s->r1_gamma > 0 ? "r1" : "r2");
        return gl_error_add(
            err, GL_ERR_INPUT,
            "%s penalises the critic's input gradient, but model '%s' uses batch "
            "norm in its critic, which has no second-order gradient and mixes the "
            "samples of a batch: set the model's critic normalisation to layer or none",
            who, s->names[1]);
    }
    int before = err->count;
    if (s->loss_p->create(gl_cfg_params(cfg, "loss"), &s->loss, err) != GL_OK)
        return plugin_failed(err, before, "loss", s->names[2], "create");
    return GL_OK;
}

static int open_optimizers(gl_session *s, const gl_cfg *cfg, const gl_registry *reg, gl_error *err)
{
    for (int i = 0; i < 2; i++) {
        s->opt_p[i] = (const gl_optimizer_plugin *)find(cfg, reg, opt_sections[i], err);
        if (!s->opt_p[i])
            return GL_ERR_INPUT;
        int before = err->count;
        if (s->opt_p[i]->create(gl_cfg_params(cfg, opt_sections[i]), &s->opt_state_per[i],
                                &s->opt[i], err) != GL_OK)
            return plugin_failed(err, before, opt_sections[i], s->opt_p[i]->hdr.name, "create");
        size_t n = gl_net_numel(s->net[i]) * (size_t)s->opt_state_per[i];
        /* Freed in gl_session_destroy. */
        s->opt_state[i] = calloc(n ? n : 1, sizeof(float));
        if (!s->opt_state[i])
            return gl_error_add(err, GL_ERR_RUN, "out of memory for the optimizer state");
    }
    /* train.lr_decay's values before an update (step.c) for the nets whose optimizer cannot
     * scale its own update: one buffer for both, owned by prev_block (freed in
     * gl_session_destroy), since an update uses it only while it runs and G's copy alone is 6 MB
     * for the MLP configs. */
    size_t n = 0;
    for (int i = 0; i < 2; i++) {
        s->step_scaled[i] = GL_PLUGIN_OPTIONAL(s->opt_p[i], gl_optimizer_plugin, step_scaled);
        if (s->lr_decay && !s->step_scaled[i] && gl_net_numel(s->net[i]) + 1 > n)
            n = gl_net_numel(s->net[i]) + 1;
    }
    if (n) {
        s->prev_block = malloc(n * sizeof(gl_real));
        if (!s->prev_block)
            return gl_error_add(err, GL_ERR_RUN, "out of memory for the optimizer state");
        for (int i = 0; i < 2; i++)
            s->prev[i] = s->step_scaled[i] ? NULL : s->prev_block;
    }
    return GL_OK;
}

/* A packing D (PacGAN, env.pack = m) judges train.batch_size packs of m samples: the batch the
 * core draws, real and fake, is m times train.batch_size, and every batch a multiple of m. */
static int apply_pack(gl_session *s, gl_error *err)
{
    int m = s->model_env.pack;
    if (m < 0 || m > GL_MODEL_MAX_PACK)
        return gl_error_add(err, GL_ERR_INPUT, "model '%s' set pack %d (0..%d allowed)",
                            s->names[1], m, GL_MODEL_MAX_PACK);
    s->pack = m > 1 ? m : 1;
    if (s->batch % s->ranks != 0)
        return gl_error_add(err, GL_ERR_INPUT,
                            "train.batch_size %d does not split over %d ranks: a data-parallel "
                            "run needs a global batch that is a multiple of the number of ranks "
                            "(mpirun -np)",
                            s->batch, s->ranks);
    s->batch *= s->pack;
    if (s->data.n_items < s->pack)
        return gl_error_add(err, GL_ERR_INPUT,
                            "model '%s' packs %d samples per D input, but dataset '%s' has only "
                            "%lld items",
                            s->names[1], s->pack, s->names[0], (long long)s->data.n_items);
    if (s->data.n_items < (int64_t)s->pack * s->ranks)
        return gl_error_add(err, GL_ERR_INPUT,
                            "dataset '%s' has %lld items, fewer than the %d ranks need for a batch "
                            "(%d each)",
                            s->names[0], (long long)s->data.n_items, s->ranks, s->pack);
    return GL_OK;
}

static int alloc_buffers(gl_session *s, gl_error *err)
{
    size_t b = (size_t)s->batch;
    /* All freed in gl_session_destroy. */
    s->order = malloc((size_t)s->data.n_items * sizeof *s->order);
    s->real = malloc(b * s->item_size * sizeof *s->real);
    s->labels = calloc(b, sizeof *s->labels);
    s->gen_labels = calloc(b, sizeof *s->gen_labels);
    s->ctx = gl_ctx_create();
    if (!s->order || !s->real || !s->labels || !s->gen_labels || !s->ctx)
        return gl_error_add(err, GL_ERR_RUN, "out of memory for the training buffers");
    if (s->unroll_steps > 0) {
        gl_net *d = s->net[1];
        /* All three freed in gl_session_destroy. */
        s->unroll_save.values = malloc((gl_net_numel(d) + 1) * sizeof(gl_real));
        s->unroll_save.opt_state = malloc((gl_net_numel(d) * (size_t)s->opt_state_per[1] + 1) *
                                          sizeof(float));
        s->unroll_save.buffers = malloc((gl_net_buffer_numel(d) + 1) * sizeof(gl_real));
        if (!s->unroll_save.values || !s->unroll_save.opt_state || !s->unroll_save.buffers)
            return gl_error_add(err, GL_ERR_RUN, "out of memory for train.unroll_steps");
    }
    return GL_OK;
}

static uint64_t batches_per_epoch(const gl_session *s)
{
    /* The last partial batch counts unless drop_last, or it holds less than one pack per rank. */
    int64_t rest = s->data.n_items % s->batch;
    return (uint64_t)(s->data.n_items / s->batch +
                      (!s->drop_last && rest >= s->pack * s->ranks ? 1 : 0));
}

/* train.epochs times the batches of an epoch must fit the step counter: a product that wrapped
 * would silently train for a few steps and exit 0. */
static int check_epochs(const gl_session *s, const gl_cfg *cfg, gl_error *err)
{
    uint64_t epochs = (uint64_t)gl_params_int(gl_cfg_params(cfg, "train"), "epochs");
    uint64_t per = batches_per_epoch(s);
    if (per == 0 || epochs <= (uint64_t)INT64_MAX / per)
        return GL_OK;
    return gl_error_add(err, GL_ERR_INPUT,
                        "train.epochs: %llu epochs of %llu batches is more than the %lld "
                        "discriminator updates a run can count",
                        (unsigned long long)epochs, (unsigned long long)per, (long long)INT64_MAX);
}

int gl_session_create(const gl_cfg *cfg, const gl_registry *reg, gl_session **out, gl_error *err)
{
    *out = NULL;
    /* Freed by gl_session_destroy, also on the failure paths below. */
    gl_session *s = calloc(1, sizeof *s);
    if (!s)
        return gl_error_add(err, GL_ERR_RUN, "out of memory");
    const gl_params *exp = gl_cfg_params(cfg, "experiment");
    const gl_params *train = gl_cfg_params(cfg, "train");
    s->seed = (uint64_t)gl_params_int(exp, "seed");
    s->batch = (int)gl_params_int(train, "batch_size");
    s->n_critic = (int)gl_params_int(train, "n_critic");
    s->drop_last = gl_params_bool(train, "drop_last");
    s->lr_decay = strcmp(gl_params_string(train, "lr_decay"), "linear") == 0;
    s->r1_gamma = gl_params_float(train, "r1_gamma");
    s->r2_gamma = gl_params_float(train, "r2_gamma");
    s->instance_noise = gl_params_float(train, "instance_noise");
    s->unroll_steps = (int)gl_params_int(train, "unroll_steps");
    s->rank = gl_dist_rank();
    s->ranks = gl_dist_ranks();
    gl_rng_init(&s->st.noise, s->seed, GL_STREAM_NOISE);
    gl_rng_init(&s->st.penalty, s->seed, GL_STREAM_PENALTY);
    gl_rng_init(&s->st.dropout, s->seed, GL_STREAM_DROPOUT);
    int rc = open_dataset(s, cfg, reg, err);
    if (rc == GL_OK && s->drop_last && s->data.n_items < s->batch)
        rc = gl_error_add(err, GL_ERR_INPUT,
                          "train.drop_last: dataset '%s' has %lld items, fewer "
                          "than train.batch_size (%d), so an epoch would have no batch",
                          s->names[0], (long long)s->data.n_items, s->batch);
    if (rc == GL_OK)
        rc = open_model(s, cfg, reg, err);
    if (rc == GL_OK)
        rc = apply_pack(s, err);
    if (rc == GL_OK)
        rc = check_epochs(s, cfg, err);
    if (rc == GL_OK)
        s->total_steps = gl_session_total_steps(s, cfg);
    if (rc == GL_OK)
        rc = open_loss(s, cfg, reg, err);
    if (rc == GL_OK)
        rc = open_optimizers(s, cfg, reg, err);
    if (rc == GL_OK)
        rc = alloc_buffers(s, err);
    if (rc != GL_OK) {
        gl_session_destroy(s);
        return rc;
    }
    s->st.pos = s->data.n_items; /* forces the first epoch's shuffle */
    s->st.epoch = -1;
    *out = s;
    return GL_OK;
}

void gl_session_destroy(gl_session *s)
{
    if (!s)
        return;
    for (int i = 0; i < 2; i++) {
        if (s->opt[i])
            s->opt_p[i]->destroy(s->opt[i]);
        free(s->opt_state[i]);
    }
    free(s->prev_block);
    if (s->loss)
        s->loss_p->destroy(s->loss);
    if (s->model)
        s->model_p->destroy(s->model);
    if (s->dataset)
        s->dataset_p->close(s->dataset);
    gl_net_destroy(s->net[0]);
    gl_net_destroy(s->net[1]);
    gl_ctx_destroy(s->ctx);
    free(s->order);
    free(s->real);
    free(s->labels);
    free(s->gen_labels);
    free(s->unroll_save.values);
    free(s->unroll_save.opt_state);
    free(s->unroll_save.buffers);
    free(s);
}

uint64_t gl_session_total_steps(const gl_session *s, const gl_cfg *cfg)
{
    const gl_params *train = gl_cfg_params(cfg, "train");
    if (gl_params_int(train, "epochs") > 0) {
        uint64_t d_updates = batches_per_epoch(s) * (uint64_t)gl_params_int(train, "epochs");
        return (d_updates + (uint64_t)s->n_critic - 1) / (uint64_t)s->n_critic;
    }
    return (uint64_t)gl_params_int(train, "steps");
}

/* train.h - the core's (not installed) training machinery: a session of plugin instances built from
 * a validated config, its training loop, checkpoints and run directories. The runner's `train`,
 * `sample` and `eval` commands are thin layers over this.
 *
 * Schedule (the only place that knows it; docs/training.md): one generator step is n_critic
 * discriminator updates, each on the next real batch of the epoch's shuffled order (the last,
 * partial batch of an epoch is kept, as torch's DataLoader does) and a fresh fake batch, then one
 * generator update with fresh noise at the size of the last real batch.
 */
#ifndef GL_TRAIN_H
#define GL_TRAIN_H

#include <stdint.h>
#include <stdio.h>

#include <ganlab/autograd.h>
#include <ganlab/nn.h>
#include <ganlab/plugin.h>
#include <ganlab/rng.h>

#include "config/cfg.h"
#include "eval/eval.h"
#include "plugin/registry.h"

/* What a training step changes besides parameters: everything a checkpoint must restore. */
typedef struct gl_train_state {
    uint64_t step;        /* generator steps done */
    uint64_t d_updates;   /* discriminator updates done */
    int64_t epoch;        /* current epoch (0-based) */
    int64_t pos;          /* items of the current epoch's order consumed */
    uint64_t opt_step[2]; /* per optimizer (0: G, 1: D): updates done */
    gl_rng noise, penalty, dropout;
} gl_train_state;

/* Everything one run needs, built from a validated config. Owns the plugin instances, the two nets,
 * the optimizer state blocks and every buffer of the step (allocated once in gl_session_create). */
typedef struct gl_session {
    uint64_t seed;
    int batch, n_critic; /* batch: the global batch, of all ranks together */
    int pack; /* samples per D output (model_env.pack, at least 1); batch is a multiple of it */
    int rank, ranks;      /* data parallelism (dist.h): this process's share of the global batch */
    int drop_last;        /* train.drop_last: skip an epoch's last, partial batch */
    int lr_decay;         /* train.lr_decay: 1 for linear (to 0 over the budget), 0 for none */
    uint64_t total_steps; /* the budget in generator steps (gl_session_total_steps) */
    double r1_gamma, r2_gamma; /* train.r1_gamma, train.r2_gamma (penalty.h); 0: off */
    double instance_noise;     /* train.instance_noise: D's input noise std at step 0; 0: off */
    int unroll_steps;          /* train.unroll_steps: D look-ahead updates before G's; 0: off */
    const char *names[3];      /* dataset, model, loss plugin names (for messages) */

    const gl_dataset_plugin *dataset_p;
    void *dataset;
    gl_dataset_info data;
    size_t item_size; /* floats per item */

    const gl_model_plugin *model_p;
    void *model;
    gl_model_env model_env;
    gl_net *net[2]; /* 0: G, 1: D */

    const gl_loss_plugin *loss_p;
    void *loss;

    const gl_optimizer_plugin *opt_p[2];
    void *opt[2];
    int opt_state_per[2];
    float *opt_state[2]; /* (numel(net) * opt_state_per) */
    /* opt_p[i]'s step_scaled when it has one (GL_PLUGIN_OPTIONAL), else NULL. */
    void (*step_scaled[2])(void *self, float *param, const float *grad, float *state, size_t n,
                           uint64_t step, float lr_scale);
    /* (numel(net)) the values before an update, with lr_decay for a net whose optimizer has no
     * step_scaled; else NULL. One buffer, the larger such net's size, for both (each update uses
     * it only while it runs); owned by prev_block. */
    gl_real *prev[2];
    gl_real *prev_block;
    struct {              /* D set aside during an unrolled G update (unroll_steps > 0) */
        gl_real *values;  /* (numel(D)) */
        float *opt_state; /* (numel(D) * opt_state_per[1]) */
        gl_real *buffers; /* (buffer numel(D)) */
        uint64_t opt_step;
        double loss;
    } unroll_save;

    gl_ctx *ctx;
    gl_train_state st;

    int64_t *order;      /* (n_items) the current epoch's permutation */
    float *real;         /* (batch, item) */
    int32_t *labels;     /* (batch) real labels */
    int32_t *gen_labels; /* (batch) labels for generated samples, of all ranks */
    int last_batch;      /* size of the last real batch (this rank's share of it) */
    int in_d_update;     /* 1 while the loss plugin builds a D loss */
    gl_tensor *d_fake;   /* the D update's first fake batch (for R2), in ctx; else NULL */
    double last_loss[2]; /* the last G (0) and D (1) loss values */
} gl_session;

/* Opens every plugin named by cfg (validated against reg), declares and initialises the nets from
 * the init stream, and allocates all step buffers. On failure *out is NULL and err says why; on
 * success the caller frees with gl_session_destroy (which must outlive nothing it gave out). */
int gl_session_create(const gl_cfg *cfg, const gl_registry *reg, gl_session **out, gl_error *err);
void gl_session_destroy(gl_session *s);

/* Generator steps in the budget: train.steps, or train.epochs converted (an epoch is one pass of
 * the discriminator over the data). */
uint64_t gl_session_total_steps(const gl_session *s, const gl_cfg *cfg);

/* One generator step (n_critic D updates, then one G update). Fills d_res/g_res with the last D
 * update's and the G update's terms (their loss tensors are gone with the step: the values are in
 * last_loss). GL_ERR_RUN with a message naming the term and the
 * step when a loss or gradient is not finite. */
int gl_session_step(gl_session *s, gl_loss_result *d_res, gl_loss_result *g_res, gl_error *err);

/* After a checkpoint restored st: recomputes the current epoch's order from (seed, epoch). */
void gl_session_resume_order(gl_session *s);

/* Samples n items from G in eval mode into out (n, item) with noise z from rng and labels (NULL:
 * unconditional or i mod n_classes). Uses the session's context (reset afterwards). */
int gl_session_sample(gl_session *s, gl_rng *rng, int n, const int32_t *labels, float *out,
                      gl_error *err);

/* What evaluation may use of s (eval.h), valid while s lives: its data, sampling from G, and
 * stop_signal (may be NULL) for evaluators to poll. */
void gl_session_eval_source(gl_session *s, int (*stop_signal)(void), gl_eval_source *src);

/* Checkpoints: versioned, checksummed, written atomically. No wall-clock time, path or budget. */
int gl_checkpoint_save(const gl_session *s, const char *path, gl_error *err);
/* Reads path whole and applies it to s only when every check of gl_checkpoint_decode passed. */
int gl_checkpoint_load(gl_session *s, const char *path, gl_error *err);
/* The checks of gl_checkpoint_load without applying anything. */
int gl_checkpoint_verify(gl_session *s, const char *path, gl_error *err);

/* The sections of a checkpoint file, in file order (docs/formats.md). */
enum { GL_CKPT_STAT, GL_CKPT_SECTIONS = 7 };
/* What a checkpoint must agree with: each section's payload bytes (GL_CKPT_STAT's is the format's
 * own), the data set's item count and the experiment seed. */
typedef struct gl_ckpt_expect {
    size_t bytes[GL_CKPT_SECTIONS];
    int64_t n_items;
    uint64_t seed;
} gl_ckpt_expect;
/* Checks the whole file in buf (n bytes): magic, version, CRC, section tags and sizes, then every
 * field of the training state against x (counters, epoch, position, RNG states), naming the field
 * that is wrong. On success *st holds the state and payload[i] points into buf at section i; on
 * failure GL_ERR_INPUT, and nothing is written to *st. Pure: the fuzz harness calls it directly. */
int gl_checkpoint_decode(const char *path, const unsigned char *buf, size_t n,
                         const gl_ckpt_expect *x, gl_train_state *st, const unsigned char **payload,
                         gl_error *err);

#endif

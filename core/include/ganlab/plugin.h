/* ganlab/plugin.h - the plugin ABI: what a shared object must export to be a ganlab plugin.
 *
 * A plugin is one shared object built from one .c file. It exports exactly one symbol,
 *
 *     const gl_plugin_header *gl_plugin_entry(void);
 *
 * returning a pointer to a static descriptor. The descriptor is a kind-specific struct
 * (gl_dataset_plugin, gl_model_plugin, ...) whose FIRST member is a gl_plugin_header, so the loader
 * can read the header without knowing the kind. The loader checks, in order: dlopen(RTLD_NOW |
 * RTLD_LOCAL), the entry symbol, abi_version == GL_ABI_VERSION, the kind against the config
 * section, header.size >= the size of the kind's descriptor in ABI 2 (fields are only ever
 * appended, so a plugin built against an older minor layout still loads), and that the required
 * functions are set. A plugin built for another ABI is refused with both numbers and what changed
 * (the changelog is in docs/plugins.md).
 *
 * The parameter schema (gl_param_spec) is what the core validates a config section against before
 * the plugin is created and what `ganlab plugins NAME` prints (docs/config.md). docs/examples/KIND/
 * holds one complete plugin of every kind; `ganlab plugin-check` tests a plugin against the
 * contracts below (docs/plugin-check.md).
 *
 * Rules for every kind (each callback below adds its own):
 * - Threads: the core calls a plugin from one thread at a time; a plugin may use the engine's
 *   threads (through the engine) but MUST NOT keep state shared between instances.
 * - Lifetimes: every `create`/`open` returns an opaque instance through `void **self`, set even on
 *   failure (NULL or a partly built instance); the core calls the matching `destroy`/`close`
 *   exactly once on whatever was set, also when a later step of the set-up failed, and never with
 *   NULL.
 * - Parameters: `params` was validated against the plugin's schema before the call (types, ranges,
 *   choices, required keys), so a plugin reads them with gl_params_* without checking again. The
 *   gl_params object lives until destroy.
 * - Errors: a callback that can fail returns GL_OK or a status with err filled by gl_error_add
 *   (naming the plugin and the cure). It MUST NOT call exit(), abort() on bad input, or print an
 *   error itself: the core prints err. Progress and warnings go through gl_plugin_log.
 * - Determinism: every result is a function of the parameters, the seed and the inputs given; a
 *   plugin MUST NOT read the clock or the environment to decide a result.
 */
#ifndef GANLAB_PLUGIN_H
#define GANLAB_PLUGIN_H

#include <ganlab/api.h>

#include <stddef.h>
#include <stdint.h>

/* Everything a plugin of any kind calls: the engine (tensors, ops, autograd, nets and layers),
 * random streams, typed parameters and errors. */
#include <ganlab/autograd.h>
#include <ganlab/config.h>
#include <ganlab/error.h>
#include <ganlab/nn.h>
#include <ganlab/rng.h>
#include <ganlab/tensor.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Bumped on any incompatible change to a descriptor or to a type a descriptor uses; the changes
 * of each version are listed in docs/plugins.md ("ABI changelog"). 2: gl_loss_env.runner renamed
 * core, gl_eval_env gained stop, gl_loss_term and gl_plugin_log added. */
#define GL_ABI_VERSION 2u

#define GL_PLUGIN_ENTRY_SYMBOL "gl_plugin_entry"

#if defined(__GNUC__)
#define GL_PLUGIN_EXPORT __attribute__((visibility("default")))
#else
#define GL_PLUGIN_EXPORT
#endif

typedef enum gl_plugin_kind {
    GL_KIND_DATASET = 1,
    GL_KIND_MODEL = 2,
    GL_KIND_LOSS = 3,
    GL_KIND_OPTIMIZER = 4,
    GL_KIND_EVALUATOR = 5
} gl_plugin_kind;

typedef enum gl_param_type {
    GL_PARAM_BOOL = 1,
    GL_PARAM_INT,
    GL_PARAM_FLOAT,
    GL_PARAM_STRING,
    GL_PARAM_CHOICE, /* a string from `choices` */
    GL_PARAM_PATH,   /* a string resolved against the directory of the config file that set it */
    GL_PARAM_INT_LIST,
    GL_PARAM_FLOAT_LIST
} gl_param_type;

/* One declared parameter. Arrays of these end with an entry whose name is NULL. */
typedef struct gl_param_spec {
    const char *name; /* snake_case key in the plugin's config section */
    gl_param_type type;
    const char *default_value; /* YAML text ("0.0002", "[256, 512]", "ring"); NULL: no default */
    int required;              /* 1: must be given (default_value is then ignored) */
    double min, max;     /* inclusive range for numbers and list elements; ignored when min > max */
    const char *choices; /* GL_PARAM_CHOICE: allowed values separated by '|', e.g. "ring|grid" */
    const char *doc;     /* one line, shown by `ganlab plugins NAME` */
} gl_param_spec;

/* No range: pass as min, max in a spec. */
#define GL_NO_RANGE 1.0, 0.0

typedef struct gl_plugin_header {
    uint32_t abi_version;        /* GL_ABI_VERSION the plugin was compiled against */
    uint32_t kind;               /* gl_plugin_kind */
    uint32_t size;               /* sizeof the whole kind-specific descriptor */
    const char *name;            /* lookup name, e.g. "wgan_gp"; [a-z0-9_]+ */
    const char *summary;         /* one line for `ganlab plugins` */
    const gl_param_spec *params; /* NULL-name terminated; may be NULL for no parameters */
} gl_plugin_header;

/* ---------------------------------------------------------------- services for plugins */

typedef enum gl_log_level {
    GL_LOG_INFO = 0,   /* progress: "training on 60000 images, 5 epochs" */
    GL_LOG_WARNING = 1 /* something the user should act on; the result is still valid */
} gl_log_level;

/* Logs one line as the core logs its own: to stderr as "[plugin] text" ("[plugin] warning: text"
 * at GL_LOG_WARNING), clearing a live progress line first, and, during `ganlab train`, to the run's
 * log.txt. plugin is the plugin's name; the text needs no newline. Any plugin may call it from any
 * callback (it is not for errors: those go into err). */
GL_API void gl_plugin_log(gl_log_level level, const char *plugin, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Seconds on a monotonic clock, for progress lines (never for a result: see "Determinism"). */
GL_API double gl_clock_seconds(void);

/* ---------------------------------------------------------------- datasets */

typedef struct gl_dataset_info {
    int ndim; /* 1 for vectors (toy2d: shape[0] = 2), 3 for images (C, H, W) */
    int shape[3];
    int n_classes;   /* 0 when unlabelled */
    int64_t n_items; /* items in one epoch */
    float lo, hi;    /* the range the values of a batch lie in, e.g. -1, 1 */
    /* Optional: n_classes names (image_folder: its class directories), owned by the instance and
     * valid until close; NULL (as it arrives) when the data has none. The core writes them beside
     * the rows of a conditional model's sample grids (the class index when NULL). */
    const char *const *class_names;
} gl_dataset_info;

typedef struct gl_dataset_plugin {
    gl_plugin_header hdr;
    /* Opens the data. seed is the experiment seed (for generated data).
     * MUST fill every field of *info (it arrives zeroed) with n_items >= 1, or fail with a message
     * naming the file and the fault (a missing, short or corrupt file is GL_ERR_INPUT). MAY keep
     * the whole data in memory. Paths in params are already absolute. */
    int (*open)(const gl_params *params, uint64_t seed, void **self, gl_dataset_info *info,
                gl_error *err);
    /* Fills x (n, item size) and, when labelled, labels (n) with the items at indices[0..n).
     * The core guarantees 0 <= indices[i] < n_items, n >= 1, and labels == NULL for unlabelled
     * data. The core chooses the order (shuffling is the core's), so the same
     * indices MUST give the same bytes, whatever was read before. Values MUST lie in [lo, hi].
     * Called in the training step: MUST NOT allocate. */
    int (*get)(void *self, const int64_t *indices, int n, float *x, int32_t *labels, gl_error *err);
    void (*close)(void *self);
    /* Optional (NULL: not a mixture of known modes). For a mixture of isotropic Gaussians: sets
     * *centres to the mode centres (n_modes, item size), owned by the instance, and *std to each
     * mode's standard deviation, and returns n_modes (0: none). Evaluators get them in gl_eval_env
     * (modes2d). */
    int (*modes)(void *self, const float **centres, float *std);
} gl_dataset_plugin;

/* ---------------------------------------------------------------- models */

/* What the core tells a model about its data before the model declares its parameters. */
typedef struct gl_model_env {
    gl_dataset_info data;
    int conditional; /* filled by the model: 1 when G and D take labels */
    int latent_dim;  /* filled by the model */
    gl_rng
        *dropout_rng; /* the run's dropout stream, owned by the core; valid for the model's life */
    uint32_t flags;   /* filled by the model: GL_MODEL_D_BATCH_STATS when this instance's D
                         mixes the samples of a batch (batch norm) */
    int pack;         /* filled by the model: m in 2..GL_MODEL_MAX_PACK when D judges packs of
                         m consecutive samples (PacGAN); 0 or 1: one sample per D output */
} gl_model_env;

/* The largest env->pack the core accepts. */
#define GL_MODEL_MAX_PACK 16

typedef struct gl_model_plugin {
    gl_plugin_header hdr;
    /* Declares the parameters of G in g and of D in d (nn.h: gl_net_param, gl_net_buffer) and
     * creates the instance. MUST set env->latent_dim >= 1 and env->conditional (1 only when
     * env->data.n_classes > 0). Values do not exist yet: after create returns, the core allocates
     * every declared tensor and fills it with its declared initialiser from the run's init stream
     * (or a checkpoint). The nets are the core's; the instance may keep pointers to them. */
    int (*create)(const gl_params *params, gl_model_env *env, gl_net *g, gl_net *d, void **self,
                  gl_error *err);
    /* z (B, latent) [, labels (B) in [0, n_classes)] -> samples (B, item shape...), a tensor of
     * ctx recorded through the engine so that gradients reach G's parameters. labels is NULL
     * when the model is not conditional. train: 1 in a training step (batch statistics,
     * dropout), 0 for sampling and evaluation. MUST build everything in ctx (it is reset after
     * every update) and MUST NOT keep a tensor across calls. Returns NULL when an engine op
     * failed (the op recorded the error in ctx; the core reports it). */
    gl_tensor *(*generate)(void *self, gl_ctx *ctx, gl_tensor *z, const int32_t *labels, int train);
    /* x (B, item shape...) [, labels (B)] -> logits / critic values (B, 1), under the rules of
     * generate; with env->pack = m > 1, one value per m consecutive samples, (B / m, 1), and the
     * core passes only batches of a multiple of m samples (it draws m times train.batch_size). x
     * may be real data, a detached fake or a fake still attached to G: D MUST NOT detach or copy x,
     * so that gradients flow to whichever net the core differentiates. */
    gl_tensor *(*discriminate)(void *self, gl_ctx *ctx, gl_tensor *x, const int32_t *labels,
                               int train);
    void (*destroy)(void *self);
} gl_model_plugin;

#define GL_MODEL_D_BATCH_STATS 1u

/* ---------------------------------------------------------------- losses */

#define GL_LOSS_MAX_TERMS 8

/* The scalar a loss returns for one update, with named terms for metrics.csv. */
typedef struct gl_loss_result {
    gl_tensor *loss; /* scalar (1) to differentiate */
    int n_terms;
    const char *term_names[GL_LOSS_MAX_TERMS]; /* static strings, e.g. "d_real", "gp" */
    double term_values[GL_LOSS_MAX_TERMS];
} gl_loss_result;

/* Appends the named term (name: a static [a-z0-9_]+ string, unique in this result) to out, a
 * number for metrics.csv (not differentiated). Terms beyond GL_LOSS_MAX_TERMS are dropped and the
 * core refuses the result, naming the loss. */
static inline void gl_loss_term(gl_loss_result *out, const char *name, double value)
{
    if (out->n_terms < GL_LOSS_MAX_TERMS) {
        out->term_names[out->n_terms] = name;
        out->term_values[out->n_terms] = value;
    }
    out->n_terms++;
}

/* What the core gives a loss for one update: the engine context, the real batch and ways to run
 * the networks (pass `core` back). Valid only during the call. */
typedef struct gl_loss_env {
    gl_ctx *ctx;           /* gradients enabled; reset by the core after the update */
    gl_tensor *real;       /* (B, item...) the real batch, a constant */
    const int32_t *labels; /* (B) the batch's labels for a conditional model, else NULL */
    int batch;             /* B */
    gl_rng *rng;           /* the penalty stream (interpolation weights, ...), checkpointed */
    void *core;
    /* G(z) for n fresh noise vectors from the run's noise stream (labels (n) or NULL), in
     * training mode, attached to G's parameters. NULL when an engine op failed. */
    gl_tensor *(*generate)(void *core, int n, const int32_t *labels);
    /* D(x) (n, 1) in training mode. NULL when x is NULL or an engine op failed. */
    gl_tensor *(*discriminate)(void *core, gl_tensor *x, const int32_t *labels);
} gl_loss_env;

/* A loss builds the objective of one update through the engine; the core differentiates it.
 *
 * d_loss / g_loss: the core guarantees *out is zeroed, env->ctx is empty and records gradients.
 * The plugin MUST build out->loss, a scalar (1) tensor of env->ctx, and MAY add named terms with
 * gl_loss_term. The core then differentiates out->loss with respect to D's parameters (d_loss) or
 * G's (g_loss) only, and steps that net's optimizer. So for d_loss the fakes SHOULD be detached
 * (gl_detach(ctx, env->generate(...))): nothing is wrong without it, but G's backward pass is
 * wasted work; for g_loss they MUST NOT be, or G gets no gradient. Every tensor belongs to env->ctx
 * (freed by the core's reset after the update): the plugin MUST NOT free or keep one.
 * Failures: an engine op or generate()/discriminate() that fails returns NULL and records the
 * error in ctx; ops given NULL return NULL, so the plugin MAY build the whole chain and return
 * GL_OK: the core checks the context first (and prints its error), then that out->loss is set,
 * then that the loss and every term are finite (else the run stops naming the term and step).
 * A plugin that reads a tensor's values (gl_tensor_data, gl_tensor_item) MUST check it for NULL
 * first (return GL_OK with out->loss unset). Return a status of its own only for a fault the core
 * cannot see, with err filled.
 *
 * Example, a least-squares D loss (docs/examples/loss/lsgan.c is the whole plugin):
 *
 *     gl_ctx *ctx = env->ctx;
 *     gl_tensor *fake = gl_detach(ctx, env->generate(env->core, env->batch, env->labels));
 *     gl_tensor *d_real = env->discriminate(env->core, env->real, env->labels); // (B, 1)
 *     gl_tensor *d_fake = env->discriminate(env->core, fake, env->labels);      // (B, 1)
 *     gl_tensor *real_term = gl_mean(ctx, gl_square(ctx, gl_add_scalar(ctx, d_real, -1)));
 *     gl_tensor *fake_term = gl_mean(ctx, gl_square(ctx, d_fake));
 *     out->loss = gl_scale(ctx, gl_add(ctx, real_term, fake_term), 0.5f);    // (1)
 *     if (out->loss)
 *         gl_loss_term(out, "d_real", gl_tensor_item(real_term));
 *     return GL_OK;
 *
 * A penalty on D's input gradient (WGAN-GP, R1) marks an input with gl_tensor_set_requires_grad,
 * takes gl_grad(..., create_graph = 1) of D's output (autograd.h) and sets
 * GL_LOSS_INPUT_GRADIENT; random draws come from env->rng (rng.h). */
typedef struct gl_loss_plugin {
    gl_plugin_header hdr;
    int (*create)(const gl_params *params, void **self, gl_error *err);
    int (*d_loss)(void *self, const gl_loss_env *env, gl_loss_result *out, gl_error *err);
    int (*g_loss)(void *self, const gl_loss_env *env, gl_loss_result *out, gl_error *err);
    void (*destroy)(void *self);
    /* GL_LOSS_INPUT_GRADIENT: differentiates D w.r.t. its input (a gradient penalty); the core
     * then refuses a model whose D has batch statistics (GL_MODEL_D_BATCH_STATS). */
    uint32_t flags;
} gl_loss_plugin;

#define GL_LOSS_INPUT_GRADIENT 1u

/* ---------------------------------------------------------------- optimizers */

typedef struct gl_optimizer_plugin {
    gl_plugin_header hdr;
    /* Creates the instance and says how many floats of state it keeps per parameter element
     * (Adam: 2; 0 for none). The core owns that state (zeroed at the start, checkpointed), so the
     * instance MUST NOT keep state of its own that changes during training. */
    int (*create)(const gl_params *params, int *state_per_param, void **self, gl_error *err);
    /* One update of n parameters in place: param (n), grad (n) (finite: the core checked it),
     * state (n * state_per_param) laid out as the plugin likes. step counts from 1 and is
     * restored on resume. Under a learning-rate schedule the core scales the update afterwards
     * (see step_scaled), so the update MUST be proportional to the plugin's learning rate. MUST
     * NOT allocate, fail or touch anything but param and state. */
    void (*step)(void *self, float *param, const float *grad, float *state, size_t n,
                 uint64_t step);
    void (*destroy)(void *self);
    /* Optional, appended to ABI 2 (NULL, or beyond the end of an older plugin's descriptor: the
     * core copies the values, calls step and scales the update itself). step under a schedule
     * (train.lr_decay) whose factor this update is lr_scale, 0 <= lr_scale < 1: state MUST end as
     * step leaves it, and each parameter as p0 + lr_scale * (p1 - p0), computed in float in that
     * order, where p0 is its value before and p1 the value step would leave, so that a run's
     * bytes do not depend on which of the two the core calls (plugin-check compares them). It
     * saves the core a copy of the values and a pass over them per update. Otherwise as step. */
    void (*step_scaled)(void *self, float *param, const float *grad, float *state, size_t n,
                        uint64_t step, float lr_scale);
} gl_optimizer_plugin;

/* ---------------------------------------------------------------- evaluators */

#define GL_EVAL_MAX_ITEMS 16

/* One named value of an evaluation: a number, or a string when text is not NULL. */
typedef struct gl_eval_item {
    const char *name; /* [a-z0-9_]+, static, e.g. "hq_pct" */
    double value;
    const char *text; /* a string value (static, or the instance's until its next call), or NULL */
} gl_eval_item;

/* What one evaluation returns. metrics: numbers, one column each of eval.csv
 * ("<evaluator>.<metric>") and one key of eval.json; an instance returns the same names in the same
 * order at every call. protocol: how they were measured (sample count, k, seed, reference split,
 * ...), written to eval.json's "protocol". */
typedef struct gl_eval_result {
    int n_metrics;
    gl_eval_item metrics[GL_EVAL_MAX_ITEMS];
    int n_protocol;
    gl_eval_item protocol[GL_EVAL_MAX_ITEMS];
} gl_eval_result;

/* The real data an evaluator may read (gl_eval_env.split_open). */
typedef enum gl_eval_split {
    GL_SPLIT_TRAIN = 0, /* the run's training data */
    GL_SPLIT_TEST = 1   /* the dataset's held-out split; the training data when it has none */
} gl_eval_split;

/* What the core gives an evaluator: the run's data and generator, through callbacks into the core
 * (pass `core` back). Valid for the instance's life. Every function returns GL_OK or a status with
 * err filled. */
typedef struct gl_eval_env {
    gl_dataset_info data;      /* the run's dataset: item shape, classes, value range */
    int conditional;           /* 1: G takes labels */
    int64_t samples;           /* eval.samples: generated samples per evaluation (the evaluator
                                  may cap or override it, and says so in its protocol) */
    uint64_t seed;             /* the experiment seed (evaluation noise is seeded from it) */
    int n_modes;               /* the dataset's modes (gl_dataset_plugin.modes); 0: none */
    const float *mode_centres; /* (n_modes, item size) */
    float mode_std;
    void *core;
    /* x (n, item size) = n samples of G in eval mode. The noise comes from the evaluation stream
     * (GL_STREAM_EVAL), restarted at every evaluation, so sample k of one evaluation is the same
     * function of G every time; the run's own streams are not touched. labels (n): the labels a
     * conditional model is asked for (NULL: i mod n_classes); ignored for other models. Call it in
     * slices of any size: consecutive calls continue the stream. */
    int (*generate)(void *core, int n, const int32_t *labels, float *x, gl_error *err);
    /* Opens split (once; later calls are cheap) and gives its item count and its name ("train",
     * "test"): a dataset with a choice parameter `split` offering "test" is reopened with it (the
     * other parameters unchanged); any other dataset's test split is its training data, named
     * "train" so that protocols say so. */
    int (*split_open)(void *core, gl_eval_split split, int64_t *n_items, const char **name,
                      gl_error *err);
    /* Items indices[0..n) of an opened split into x (n, item size) and labels (n) (or NULL). */
    int (*split_get)(void *core, gl_eval_split split, const int64_t *indices, int n, float *x,
                     int32_t *labels, gl_error *err);
    /* The cache shared by runs ($XDG_CACHE_HOME/ganlab, else ~/.cache/ganlab), for results that
     * are expensive and a function of their name (put a hash of the inputs in it).
     * cache_load: *data is a new buffer (free with free()) of *size bytes, or NULL when the file
     * is absent or unreadable (a cache miss is not an error). cache_save: writes atomically,
     * creating the directory; a failure to save is reported, and the caller may ignore it. */
    int (*cache_load)(void *core, const char *name, void **data, size_t *size, gl_error *err);
    int (*cache_save)(void *core, const char *name, const void *data, size_t size, gl_error *err);
    /* The signal (SIGINT, SIGTERM) that asked the run to stop, or 0. A long evaluate() or
     * create() (training a classifier, extracting features) SHOULD poll it every second or so and,
     * when it is non-zero, return promptly with any status: the core then reports the run as
     * stopped, not as failed, and keeps nothing of the unfinished evaluation. */
    int (*stop)(void *core);
} gl_eval_env;

typedef struct gl_evaluator_plugin {
    gl_plugin_header hdr;
    /* Creates the instance for this run's data, refusing data it cannot measure (e.g. images
     * without labels) with a message saying what it needs. env stays valid until destroy. */
    int (*create)(const gl_params *params, const gl_eval_env *env, void **self, gl_error *err);
    /* Measures G as it is now into *out (zeroed by the core): at most GL_EVAL_MAX_ITEMS metrics
     * and protocol items (the core refuses more). MAY keep what does not depend on G (features of
     * the real data, a trained classifier) across calls. MUST be deterministic given G and the
     * env: draw random numbers only from a stream seeded from env->seed, and samples only through
     * env->generate. MUST NOT change G or the data. */
    int (*evaluate)(void *self, gl_eval_result *out, gl_error *err);
    void (*destroy)(void *self);
} gl_evaluator_plugin;

/* The one symbol a plugin exports. Use as:
 *     GL_PLUGIN_EXPORT const gl_plugin_header *gl_plugin_entry(void) { return &my_plugin.hdr; } */
typedef const gl_plugin_header *(*gl_plugin_entry_fn)(void);

#ifdef __cplusplus
}
#endif
#endif

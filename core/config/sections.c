/* sections.c - which top-level sections a config has, in what order they are validated and printed,
 * and the built-in schemas of the core sections (experiment, train, eval).
 *
 * The core sections are described with the same gl_param_spec a plugin uses, so one validator and
 * one printer serve both. Adding a core section is one line in gl_cfg_core_sections
 * plus its schema; adding a plugin section is one line in gl_cfg_plugin_sections (its kind follows
 * from its first name part, see kinds[]).
 *
 * Defaults computed at load time, not written here: experiment.name (the config file's base name)
 * and experiment.threads (GANLAB_THREADS, else the online cores / experiment.workers); see load.c.
 */
#include "config/cfg_internal.h"

#include <string.h>

/* Largest int64 as a double bound (2^63: every int64 is below it). */
#define I64_MAX_D 9223372036854775807.0

static const gl_param_spec experiment_schema[] = {
    {"name", GL_PARAM_STRING, NULL, 0, GL_NO_RANGE, NULL,
     "name of the run and its directory in out_dir (no '/', not '.' or '..'); default: the "
     "config file's name without its extension"},
    {"seed", GL_PARAM_INT, "0", 0, 0, I64_MAX_D, NULL,
     "master seed: every random stream of the run derives from it"},
    {"out_dir", GL_PARAM_PATH, "runs", 0, GL_NO_RANGE, NULL,
     "directory that receives the run directories (default relative to the working directory)"},
    {"threads", GL_PARAM_INT, NULL, 0, 1, 4096, NULL,
     "threads per process; default: $GANLAB_THREADS, else the online cores / experiment.workers"},
    {"workers", GL_PARAM_INT, "1", 0, 1, 16, NULL,
     "processes that train the run data-parallel, each on its share of every batch with "
     "experiment.threads threads (not in the MPI build: use mpirun)"},
    {NULL, 0, NULL, 0, GL_NO_RANGE, NULL, NULL}};

static const gl_param_spec train_schema[] = {
    {"batch_size", GL_PARAM_INT, "64", 0, 1, 1 << 20, NULL, "items in one batch"},
    {"steps", GL_PARAM_INT, "0", 0, 0, I64_MAX_D, NULL,
     "length of the run in generator updates; 0: not set (set exactly one of steps, epochs)"},
    {"epochs", GL_PARAM_INT, "0", 0, 0, I64_MAX_D, NULL,
     "length of the run in passes over the dataset; 0: not set"},
    {"n_critic", GL_PARAM_INT, "1", 0, 1, 1000, NULL, "discriminator updates per generator update"},
    {"drop_last", GL_PARAM_BOOL, "false", 0, GL_NO_RANGE, NULL,
     "skip an epoch's last, partial batch (false keeps it, as torch's DataLoader does)"},
    {"lr_decay", GL_PARAM_CHOICE, "none", 0, GL_NO_RANGE, "none|linear",
     "learning-rate schedule of both optimizers: none, or linear to 0 over the budget"},
    {"r1_gamma", GL_PARAM_FLOAT, "0", 0, 0, 1e6, NULL,
     "R1: gamma/2 mean ||grad_x D(x)||^2 on real data added to D's loss, any loss; 0: off"},
    {"r2_gamma", GL_PARAM_FLOAT, "0", 0, 0, 1e6, NULL,
     "R2: gamma/2 mean ||grad D||^2 at the D update's fakes added to D's loss; 0: off"},
    {"instance_noise", GL_PARAM_FLOAT, "0", 0, 0, 1e3, NULL,
     "std of Gaussian noise added to D's inputs in training, annealed linearly to 0; 0: off"},
    {"unroll_steps", GL_PARAM_INT, "0", 0, 0, 100, NULL,
     "unrolled GAN: G's update sees D after this many look-ahead D updates; 0: off"},
    {"log_every", GL_PARAM_INT, "100", 0, 0, I64_MAX_D, NULL,
     "steps between log lines and metrics rows; 0: never"},
    {"sample_every", GL_PARAM_INT, "1000", 0, 0, I64_MAX_D, NULL,
     "steps between sample grids; 0: never"},
    {"eval_every", GL_PARAM_INT, "0", 0, 0, I64_MAX_D, NULL,
     "steps between evaluations (eval.csv; also at the last step); 0: never"},
    {"checkpoint_every", GL_PARAM_INT, "1000", 0, 0, I64_MAX_D, NULL,
     "steps between checkpoints; 0: only at the end"},
    {"keep_checkpoints", GL_PARAM_INT, "3", 0, 0, 1000000, NULL,
     "newest checkpoints kept on disk; 0: keep all"},
    {NULL, 0, NULL, 0, GL_NO_RANGE, NULL, NULL}};

/* Besides these keys, eval has `evaluators`: a list of evaluator plugin mappings, which
 * validate.c checks against each plugin's schema (GL_CFG_EVALUATORS). */
static const gl_param_spec eval_schema[] = {
    {"samples", GL_PARAM_INT, "10000", 0, 1, 1e9, NULL,
     "generated samples per evaluation (an evaluator may cap or override it)"},
    {NULL, 0, NULL, 0, GL_NO_RANGE, NULL, NULL}};

/* How the engine computes (docs/engine.md); validate.c refuses what this build or CPU cannot run.
 */
static const gl_param_spec engine_schema[] = {
    {"precision", GL_PARAM_CHOICE, "fp32", 0, GL_NO_RANGE, "fp32|bf16",
     "products (linear layers, convolutions): fp32, or bf16 inputs with fp32 accumulation "
     "(weights, optimizer state, losses stay fp32)"},
    {NULL, 0, NULL, 0, GL_NO_RANGE, NULL, NULL}};

/* What a run writes besides its CSV logs; every key may change on resume (docs/training.md). */
static const gl_param_spec logging_schema[] = {
    {"tensorboard", GL_PARAM_BOOL, "true", 0, GL_NO_RANGE, NULL,
     "write TensorBoard event files (events.out.tfevents.*) in the run directory"},
    {"hparams", GL_PARAM_STRING, "", 0, GL_NO_RANGE, NULL,
     "config keys (comma-separated, e.g. loss.lambda,train.batch_size) recorded as the "
     "TensorBoard hparams of the run; a suite sets it to the keys its variants change"},
    {NULL, 0, NULL, 0, GL_NO_RANGE, NULL, NULL}};

const gl_cfg_core_section gl_cfg_core_sections[] = {
    {"experiment", experiment_schema, 0}, {"engine", engine_schema, 0},
    {"train", train_schema, 1},           {"eval", eval_schema, 1},
    {"logging", logging_schema, 1},       {NULL, NULL, 0}};

const char *const gl_cfg_plugin_sections[] = {
    "dataset", "model", "loss", "optimizer.generator", "optimizer.discriminator", NULL};

/* The plugin kind of a section is named by its first part. */
static const struct {
    const char *name;
    gl_plugin_kind kind;
} kinds[] = {
    {"dataset", GL_KIND_DATASET},
    {"model", GL_KIND_MODEL},
    {"loss", GL_KIND_LOSS},
    {"optimizer", GL_KIND_OPTIMIZER},
};

gl_plugin_kind gl_cfg_section_kind(const char *section)
{
    size_t len = strcspn(section, ".");
    for (size_t i = 0; i < sizeof kinds / sizeof kinds[0]; i++)
        if (strlen(kinds[i].name) == len && memcmp(kinds[i].name, section, len) == 0)
            return kinds[i].kind;
    return (gl_plugin_kind)0;
}

const gl_param_spec *gl_cfg_core_schema(const char *section)
{
    for (const gl_cfg_core_section *c = gl_cfg_core_sections; c->name; c++)
        if (strcmp(c->name, section) == 0)
            return c->schema;
    return NULL;
}

static size_t add(gl_cfg_slot *slots, size_t n, const char *name, const gl_param_spec *schema)
{
    if (slots)
        slots[n] = (gl_cfg_slot){.name = name, .core_schema = schema};
    return n + 1;
}

size_t gl_cfg__sections(gl_cfg_slot *slots)
{
    size_t n = 0;
    for (const gl_cfg_core_section *c = gl_cfg_core_sections; c->name; c++)
        if (!c->after_plugins)
            n = add(slots, n, c->name, c->schema);
    for (const char *const *p = gl_cfg_plugin_sections; *p; p++)
        n = add(slots, n, *p, NULL);
    for (const gl_cfg_core_section *c = gl_cfg_core_sections; c->name; c++)
        if (c->after_plugins)
            n = add(slots, n, c->name, c->schema);
    return n;
}

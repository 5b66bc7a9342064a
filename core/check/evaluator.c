/* evaluator.c - the checks of an evaluator plugin (check.h). The check plays the core with two
 * synthetic runs, and an evaluator may accept either (each refusal is a SKIP line):
 *   mixture  2-D points from 4 Gaussian modes (centres (1,0), (0,1), (-1,0), (0,-1), std 0.05),
 *            labelled by mode, with the modes in the env (what toy2d gives modes2d);
 *   images   1x8x8 images of 2 classes in [-1, 1] (class 0 a horizontal ramp, class 1 a vertical
 *            one, plus noise 0.1), 512 items per split.
 * "Generated" samples are drawn from the same distribution as the real items, from the evaluation
 * stream, restarted at every evaluation as the core does; real item i is a function of (seed, i).
 * The cache always misses and saving succeeds without writing anything.
 *
 * On an accepted run, evaluate is called twice: each call must succeed with 1 to GL_EVAL_MAX_ITEMS
 * metrics named [a-z0-9_]+ with finite values (protocol items named too), and the second call must
 * repeat the first exactly (an evaluator must be deterministic given G and the env).
 *
 * What it does not check: that the metrics mean anything, or their speed.
 */
#include "check/check_internal.h"

#include <math.h>
#include <string.h>

#include <ganlab/rng.h>

#define ITEMS 512
#define SIDE  8
#define MODES 4

static const float centres[MODES * 2] = {1, 0, 0, 1, -1, 0, 0, -1};

typedef struct fake {
    int images; /* which synthetic run */
    uint64_t seed;
    int64_t drawn; /* generated samples drawn in this evaluation */
    gl_eval_env env;
} fake;

/* Item i of the run from stream: x (item size) and its label. Two normals per block of the stream,
 * Box-Muller on the block's words, so an item is a function of (seed, stream, i) alone. */
static int32_t make_item(const fake *f, uint64_t stream, int64_t i, float *x)
{
    int32_t label = (int32_t)(i % (f->images ? 2 : MODES));
    int n = f->images ? SIDE * SIDE : 2;
    for (int k = 0; k < n; k += 2) {
        uint32_t w[4];
        gl_rng_block(f->seed, stream, (uint64_t)i * SIDE * SIDE + (uint64_t)k, w);
        double u1 = (w[0] + 1.0) / 4294967297.0, u2 = w[1] / 4294967296.0;
        double r = sqrt(-2 * log(u1));
        float z[2] = {(float)(r * cos(2 * M_PI * u2)), (float)(r * sin(2 * M_PI * u2))};
        for (int j = 0; j < 2; j++) {
            if (!f->images) {
                x[j] = centres[label * 2 + j] + 0.05f * z[j];
                continue;
            }
            int row = (k + j) / SIDE, col = (k + j) % SIDE;
            float ramp = -1.0f + 2.0f * (float)(label ? row : col) / (SIDE - 1);
            x[k + j] = fmaxf(-1.0f, fminf(1.0f, ramp + 0.1f * z[j]));
        }
    }
    return label;
}

static size_t item_size(const fake *f) { return f->images ? SIDE * SIDE : 2; }

static int fake_generate(void *core, int n, const int32_t *labels, float *x, gl_error *err)
{
    fake *f = core;
    for (int i = 0; i < n; i++)
        make_item(f, GL_STREAM_EVAL, f->drawn++, x + (size_t)i * item_size(f));
    return GL_OK;
}

static int fake_split_open(void *core, gl_eval_split split, int64_t *n_items, const char **name,
                           gl_error *err)
{
    *n_items = ITEMS;
    *name = split == GL_SPLIT_TEST ? "test" : "train";
    return GL_OK;
}

static int fake_split_get(void *core, gl_eval_split split, const int64_t *indices, int n, float *x,
                          int32_t *labels, gl_error *err)
{
    fake *f = core;
    for (int i = 0; i < n; i++) {
        if (indices[i] < 0 || indices[i] >= ITEMS)
            return gl_error_add(err, GL_ERR_RUN, "split_get: index %lld outside [0, %d)",
                                (long long)indices[i], ITEMS);
        /* the test split continues after the training items, so the two differ */
        int32_t l = make_item(f, GL_STREAM_DATASET, indices[i] + (split == GL_SPLIT_TEST) * ITEMS,
                              x + (size_t)i * item_size(f));
        if (labels)
            labels[i] = l;
    }
    return GL_OK;
}

static int fake_cache_load(void *core, const char *name, void **data, size_t *size, gl_error *err)
{
    *data = NULL;
    *size = 0;
    return GL_OK;
}

static int fake_cache_save(void *core, const char *name, const void *data, size_t size,
                           gl_error *err)
{
    return GL_OK;
}

static int fake_stop(void *core) { return 0; }

static void fake_init(fake *f, int images, uint64_t seed)
{
    memset(f, 0, sizeof *f);
    f->images = images;
    f->seed = seed;
    gl_eval_env *e = &f->env;
    if (images) {
        e->data = (gl_dataset_info){.ndim = 3,
                                    .shape = {1, SIDE, SIDE},
                                    .n_classes = 2,
                                    .n_items = ITEMS,
                                    .lo = -1,
                                    .hi = 1};
    } else {
        e->data = (gl_dataset_info){
            .ndim = 1, .shape = {2}, .n_classes = MODES, .n_items = ITEMS, .lo = -2, .hi = 2};
        e->n_modes = MODES;
        e->mode_centres = centres;
        e->mode_std = 0.05f;
    }
    e->samples = 256;
    e->seed = seed;
    e->core = f;
    e->generate = fake_generate;
    e->split_open = fake_split_open;
    e->split_get = fake_split_get;
    e->cache_load = fake_cache_load;
    e->cache_save = fake_cache_save;
    e->stop = fake_stop;
}

static int name_ok(const char *s)
{
    if (!s || !*s)
        return 0;
    for (; *s; s++)
        if (!((*s >= 'a' && *s <= 'z') || (*s >= '0' && *s <= '9') || *s == '_'))
            return 0;
    return 1;
}

/* "" when r is well formed, else what is wrong (into msg). */
static void result_ok(const gl_eval_result *r, char *msg, size_t cap)
{
    msg[0] = '\0';
    if (r->n_metrics < 1 || r->n_metrics > GL_EVAL_MAX_ITEMS || r->n_protocol < 0 ||
        r->n_protocol > GL_EVAL_MAX_ITEMS) {
        snprintf(msg, cap, "%d metrics and %d protocol items (expected 1 to %d, 0 to %d)",
                 r->n_metrics, r->n_protocol, GL_EVAL_MAX_ITEMS, GL_EVAL_MAX_ITEMS);
        return;
    }
    for (int i = 0; i < r->n_metrics; i++)
        if (!name_ok(r->metrics[i].name) ||
            (!r->metrics[i].text && !isfinite(r->metrics[i].value))) {
            snprintf(msg, cap, "metric %d ('%s') is %g", i,
                     r->metrics[i].name ? r->metrics[i].name : "(null)", r->metrics[i].value);
            return;
        }
    for (int i = 0; i < r->n_protocol; i++)
        if (!name_ok(r->protocol[i].name)) {
            snprintf(msg, cap, "protocol item %d has no valid name", i);
            return;
        }
}

static int same_items(const gl_eval_item *a, const gl_eval_item *b, int n)
{
    for (int i = 0; i < n; i++)
        if (strcmp(a[i].name, b[i].name) != 0 || (!a[i].text && a[i].value != b[i].value) ||
            (!a[i].text != !b[i].text) || (a[i].text && strcmp(a[i].text, b[i].text) != 0))
            return 0;
    return 1;
}

/* Two evaluations by an instance created on f; one line. */
static void evaluate_twice(const gl_evaluator_plugin *ev, void *self, fake *f, const char *label,
                           gl_check_report *rep)
{
    gl_error e;
    gl_error_init(&e);
    char msg[1024];
    gl_eval_result r[2];
    for (int k = 0; k < 2; k++) {
        memset(&r[k], 0, sizeof r[k]);
        f->drawn = 0;
        if (ev->evaluate(self, &r[k], &e) != GL_OK) {
            gl_check__error_text(&e, msg, sizeof msg);
            gl_check__line(rep, GL_CHECK_FAIL, "evaluator on %s: evaluate: %s", label, msg);
            return;
        }
        result_ok(&r[k], msg, sizeof msg);
        if (msg[0]) {
            gl_check__line(rep, GL_CHECK_FAIL, "evaluator on %s: %s", label, msg);
            return;
        }
    }
    if (r[0].n_metrics != r[1].n_metrics ||
        !same_items(r[0].metrics, r[1].metrics, r[0].n_metrics)) {
        gl_check__line(rep, GL_CHECK_FAIL,
                       "evaluator on %s: a second evaluation of the same G gave "
                       "other metrics",
                       label);
        return;
    }
    size_t used = 0;
    msg[0] = '\0';
    for (int i = 0; i < r[0].n_metrics && used < sizeof msg; i++) {
        const gl_eval_item *m = &r[0].metrics[i];
        used += m->text ? (size_t)snprintf(msg + used, sizeof msg - used, "%s%s %s", i ? ", " : "",
                                           m->name, m->text)
                        : (size_t)snprintf(msg + used, sizeof msg - used, "%s%s %.4g",
                                           i ? ", " : "", m->name, m->value);
    }
    gl_check__line(rep, GL_CHECK_PASS,
                   "evaluator on %s: %d finite metrics (%s), the same at a "
                   "second evaluation",
                   label, r[0].n_metrics, msg);
}

int gl_check__evaluator(const gl_plugin_header *hdr, const gl_check_opts *opts,
                        gl_check_report *rep, gl_error *err)
{
    static const char *const labels[2] = {"a 2-D mixture of 4 modes", "1x8x8 images of 2 classes"};
    const gl_evaluator_plugin *ev = (const gl_evaluator_plugin *)hdr;
    gl_cfg *cfg;
    const gl_params *params;
    int rc = gl_check__params(hdr, opts, NULL, &cfg, &params, err);
    if (rc != GL_OK)
        return rc;
    for (int images = 0; images < 2; images++) {
        gl_error e;
        gl_error_init(&e);
        char msg[1024];
        fake f;
        fake_init(&f, images, opts->seed);
        void *self = NULL;
        int st = ev->create(params, &f.env, &self, &e);
        if (st == GL_OK) {
            evaluate_twice(ev, self, &f, labels[images], rep);
        } else {
            gl_check__error_text(&e, msg, sizeof msg);
            gl_check__line(rep, st == GL_ERR_INPUT ? GL_CHECK_SKIP : GL_CHECK_FAIL,
                           "evaluator on %s: %s: %s", labels[images],
                           st == GL_ERR_INPUT ? "refuses it" : "create failed", msg);
        }
        if (self)
            ev->destroy(self);
    }
    gl_cfg_destroy(cfg);
    return GL_OK;
}

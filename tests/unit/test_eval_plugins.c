/* test_eval_plugins.c - the bundled evaluators through their ABI, on a hand-made env:
 *   modes2d on points placed at known distances from a ring's centres (all modes, one mode, none,
 *           half of the points high quality);
 *   classifier trained on the small IDX set of tests/data/make_idx (600 train / 200 test images),
 *           then given generators whose answers are known: the test images themselves (identical
 *           sets: FD 0, precision = recall = coverage = 1, density 6/5), a collapsed generator (one
 *           image: 1 class, KL log 10, IS 1), a conditional generator that obeys its labels; and
 *           the cache (a second instance loads the first one's weights); on `stacked` data of
 *           that set, a collapsed generator (1 triple, KL log 1000) and one that draws each of the
 *           1,000 triples once (all modes, KL 0), and the real test items' row.
 * The plugins come from the build tree; the data from a temporary directory. */
#include <check.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fixture.h"

/* ---------------------------------------------------------------- a fake core */

enum gen_mode {
    GEN_POINTS,
    GEN_TEST_IMAGES,
    GEN_ONE_IMAGE,
    GEN_OBEY_LABELS,
    GEN_ONE_TRIPLE,  /* stacked: test source images 0, 0, 0 every time */
    GEN_EVERY_TRIPLE /* stacked: sample i shows the digits of i mod 1000 */
};

typedef struct fake_core {
    enum gen_mode mode;
    const float *points; /* GEN_POINTS: (n_points, 2) handed out in turn */
    int n_points;
    int64_t drawn;
    fx_dataset *split[2]; /* train, test */
    fx_dataset *source;   /* GEN_*_TRIPLE: the grey test images stacked */
    size_t item;
    int calls_with_labels;
} fake_core;

static int gen(void *core, int n, const int32_t *labels, float *x, gl_error *err)
{
    fake_core *f = core;
    for (int i = 0; i < n; i++, f->drawn++) {
        if (f->mode == GEN_POINTS) {
            x[2 * i] = f->points[2 * (f->drawn % f->n_points)];
            x[2 * i + 1] = f->points[2 * (f->drawn % f->n_points) + 1];
            continue;
        }
        if (f->mode == GEN_ONE_TRIPLE || f->mode == GEN_EVERY_TRIPLE) {
            int t = (int)(f->drawn % 1000), digit[3] = {t / 100, t / 10 % 10, t % 10};
            for (int ch = 0; ch < 3; ch++) {
                /* source test image j has label j % 10 (make_idx): 20 of each class */
                int64_t j = f->mode == GEN_ONE_TRIPLE ? 0 : digit[ch] + 10 * ((t + ch) % 20);
                int32_t lab;
                if (f->source->ds->get(f->source->self, &j, 1, x + ((size_t)i * 3 + ch) * 28 * 28,
                                       &lab, err) != GL_OK)
                    return GL_ERR_RUN;
            }
            continue;
        }
        /* test item j has label j % 10 (make_idx) */
        int64_t j = f->mode == GEN_ONE_IMAGE     ? 0
                    : f->mode == GEN_OBEY_LABELS ? labels[i] + 10 * (f->drawn % 20)
                                                 : f->drawn % 200;
        int32_t lab;
        fx_dataset *d = f->split[1];
        if (d->ds->get(d->self, &j, 1, x + (size_t)i * f->item, &lab, err) != GL_OK)
            return GL_ERR_RUN;
    }
    f->calls_with_labels += labels != NULL;
    return GL_OK;
}

static int split_open(void *core, gl_eval_split s, int64_t *n, const char **name, gl_error *err)
{
    fake_core *f = core;
    *n = f->split[s]->info.n_items;
    *name = s == GL_SPLIT_TEST ? "test" : "train";
    return GL_OK;
}

static int split_get(void *core, gl_eval_split s, const int64_t *idx, int n, float *x,
                     int32_t *labels, gl_error *err)
{
    fake_core *f = core;
    return f->split[s]->ds->get(f->split[s]->self, idx, n, x, labels, err);
}

static char cache_dir[4200];

static int cache_load(void *core, const char *name, void **data, size_t *size, gl_error *err)
{
    char path[4400];
    snprintf(path, sizeof path, "%s/%s", cache_dir, name);
    *data = NULL;
    *size = 0;
    FILE *f = fopen(path, "rb");
    if (!f)
        return GL_OK;
    fseek(f, 0, SEEK_END);
    *size = (size_t)ftell(f);
    rewind(f);
    *data = malloc(*size);
    ck_assert_uint_eq(fread(*data, 1, *size, f), *size);
    fclose(f);
    return GL_OK;
}

static int cache_save(void *core, const char *name, const void *data, size_t size, gl_error *err)
{
    char path[4400];
    snprintf(path, sizeof path, "%s/%s", cache_dir, name);
    FILE *f = fopen(path, "wb");
    ck_assert_ptr_nonnull(f);
    fwrite(data, 1, size, f);
    fclose(f);
    return GL_OK;
}

/* The signal gl_eval_env.stop reports: 0 but in classifier_stops_when_asked. */
static int stop_signal;

static int stop(void *core) { return stop_signal; }

static gl_eval_env env_for(fake_core *f)
{
    return (gl_eval_env){.core = f,
                         .generate = gen,
                         .split_open = split_open,
                         .split_get = split_get,
                         .cache_load = cache_load,
                         .cache_save = cache_save,
                         .stop = stop,
                         .seed = 1};
}

static double metric(const gl_eval_result *r, const char *name)
{
    for (int i = 0; i < r->n_metrics; i++)
        if (strcmp(r->metrics[i].name, name) == 0)
            return r->metrics[i].value;
    ck_abort_msg("no metric %s", name);
    return NAN;
}

static double protocol(const gl_eval_result *r, const char *name)
{
    for (int i = 0; i < r->n_protocol; i++)
        if (strcmp(r->protocol[i].name, name) == 0)
            return r->protocol[i].value;
    ck_abort_msg("no protocol item %s", name);
    return NAN;
}

/* Opens evaluator plugin name with the parameters of yaml (one item of eval.evaluators). */
static void open_evaluator(fx_plugin *p, gl_cfg **cfg, const char *name, const char *item,
                           const char *dir)
{
    gl_error err;
    gl_error_init(&err);
    ck_assert_msg(fx_plugin_open(p, "evaluator", name, GL_KIND_EVALUATOR, &err) == GL_OK, "%s",
                  err.text);
    char yaml[512];
    snprintf(yaml, sizeof yaml, "eval:\n  evaluators:\n    - {plugin: %s%s}\n", name, item);
    ck_assert_msg(fx_params(dir, yaml, p->hdr, cfg, &err) == GL_OK, "%s", err.text);
}

/* ---------------------------------------------------------------- modes2d */

static const float ring[16] = {2,
                               0,
                               0,
                               2,
                               -2,
                               0,
                               0,
                               -2,
                               1.41421356f,
                               1.41421356f,
                               -1.41421356f,
                               1.41421356f,
                               -1.41421356f,
                               -1.41421356f,
                               1.41421356f,
                               -1.41421356f};

/* modes, hq_pct and kl of modes2d on points (read before the plugin, which owns the names, is
 * unloaded). */
typedef struct modes_out {
    double modes, hq_pct, kl;
} modes_out;

static modes_out run_modes(const float *points, int n_points)
{
    char dir[256];
    ck_assert_int_eq(fx_tempdir(dir, sizeof dir), 0);
    fx_plugin p;
    gl_cfg *cfg;
    open_evaluator(&p, &cfg, "modes2d", ", samples: 800", dir);
    const gl_evaluator_plugin *ev = (const gl_evaluator_plugin *)p.hdr;
    fake_core f = {.mode = GEN_POINTS, .points = points, .n_points = n_points};
    gl_eval_env env = env_for(&f);
    env.data = (gl_dataset_info){.ndim = 1, .shape = {2}, .n_classes = 8, .n_items = 100};
    env.n_modes = 8;
    env.mode_centres = ring;
    env.mode_std = 0.02f;
    gl_error err;
    gl_error_init(&err);
    void *self = NULL;
    gl_eval_result r = {0};
    ck_assert_msg(ev->create(gl_cfg_evaluator_params(cfg, 0), &env, &self, &err) == GL_OK, "%s",
                  err.text);
    ck_assert_msg(ev->evaluate(self, &r, &err) == GL_OK, "%s", err.text);
    ck_assert_int_eq((int)protocol(&r, "n"), 800);
    ck_assert_int_eq(f.drawn, 800);
    modes_out o = {metric(&r, "modes"), metric(&r, "hq_pct"), metric(&r, "kl")};
    ev->destroy(self);
    gl_cfg_destroy(cfg);
    fx_plugin_close(&p);
    fx_rmtree(dir);
    return o;
}

START_TEST(modes2d_counts_modes)
{
    /* every mode, 0.05 (2.5 std) off its centre: all high quality, uniform */
    float all[16];
    for (int i = 0; i < 16; i++)
        all[i] = ring[i] + (i % 2 ? 0.0f : 0.05f);
    modes_out r = run_modes(all, 8);
    ck_assert_double_eq(r.modes, 8);
    ck_assert_double_eq_tol(r.hq_pct, 100, 1e-12);
    ck_assert_double_eq_tol(r.kl, 0, 1e-12);
    /* a collapsed generator: every point on mode 3 */
    r = run_modes(ring + 6, 1);
    ck_assert_double_eq(r.modes, 1);
    ck_assert_double_eq_tol(r.hq_pct, 100, 1e-12);
    ck_assert_double_eq_tol(r.kl, log(8.0), 1e-12);
    /* nothing near a mode: the origin, and 0.07 (3.5 std) off mode 0 */
    float none[4] = {0, 0, 2.07f, 0};
    r = run_modes(none, 2);
    ck_assert_double_eq(r.modes, 0);
    ck_assert_double_eq_tol(r.hq_pct, 0, 1e-12);
    ck_assert_double_eq_tol(r.kl, log(8.0), 1e-12);
    /* half the points on modes 0 and 1, half far away: 2 modes, 50%, KL log 8 - log 2 */
    float half[8] = {2, 0, 0, 2, 9, 9, 9, 9};
    r = run_modes(half, 4);
    ck_assert_double_eq(r.modes, 2);
    ck_assert_double_eq_tol(r.hq_pct, 50, 1e-12);
    ck_assert_double_eq_tol(r.kl, log(4.0), 1e-12);
}
END_TEST

START_TEST(modes2d_refuses_data_without_modes)
{
    char dir[256];
    ck_assert_int_eq(fx_tempdir(dir, sizeof dir), 0);
    fx_plugin p;
    gl_cfg *cfg;
    open_evaluator(&p, &cfg, "modes2d", "", dir);
    fake_core f = {0};
    gl_eval_env env = env_for(&f);
    env.data = (gl_dataset_info){.ndim = 3, .shape = {1, 28, 28}, .n_classes = 10};
    gl_error err;
    gl_error_init(&err);
    void *self = NULL;
    ck_assert_int_eq(((const gl_evaluator_plugin *)p.hdr)
                         ->create(gl_cfg_evaluator_params(cfg, 0), &env, &self, &err),
                     GL_ERR_INPUT);
    ck_assert_ptr_nonnull(strstr(err.text, "exports its mode centres"));
    gl_cfg_destroy(cfg);
    fx_plugin_close(&p);
    fx_rmtree(dir);
}
END_TEST

START_TEST(toy2d_exports_its_modes)
{
    char dir[256];
    ck_assert_int_eq(fx_tempdir(dir, sizeof dir), 0);
    fx_dataset d;
    gl_error err;
    gl_error_init(&err);
    ck_assert_msg(fx_dataset_open(&d, "toy2d", dir, "dataset: {plugin: toy2d, mixture: grid}\n", 1,
                                  &err) == GL_OK,
                  "%s", err.text);
    ck_assert_ptr_nonnull(d.ds->modes);
    const float *c;
    float std;
    ck_assert_int_eq(d.ds->modes(d.self, &c, &std), 25);
    ck_assert_float_eq(std, 0.05f);
    /* row-major: mode 0 at (-4, -4), mode 1 at (-4, -2), mode 5 at (-2, -4), mode 24 at (4, 4) */
    ck_assert_float_eq(c[0], -4);
    ck_assert_float_eq(c[1], -4);
    ck_assert_float_eq(c[2], -4);
    ck_assert_float_eq(c[3], -2);
    ck_assert_float_eq(c[10], -2);
    ck_assert_float_eq(c[11], -4);
    ck_assert_float_eq(c[48], 4);
    ck_assert_float_eq(c[49], 4);
    fx_dataset_close(&d);
    fx_rmtree(dir);
}
END_TEST

/* ---------------------------------------------------------------- classifier */

static char data_dir[256];
static fx_dataset train_set, test_set;

static void classifier_setup(void)
{
    ck_assert_int_eq(fx_tempdir(data_dir, sizeof data_dir), 0);
    char cmd[8800];
    snprintf(cmd, sizeof cmd, "%s/tests/data/make_idx %s 600 200", getenv("GL_BUILDDIR"), data_dir);
    ck_assert_int_eq(system(cmd), 0);
    snprintf(cache_dir, sizeof cache_dir, "%s/cache", data_dir);
    snprintf(cmd, sizeof cmd, "mkdir -p %s", cache_dir);
    ck_assert_int_eq(system(cmd), 0);
    setenv("XDG_CACHE_HOME", cache_dir, 1); /* the decompressed IDX files: not the user's cache */
    gl_error err;
    gl_error_init(&err);
    char yaml[512];
    snprintf(yaml, sizeof yaml, "dataset: {plugin: idx, path: %s}\n", data_dir);
    ck_assert_msg(fx_dataset_open(&train_set, "idx", data_dir, yaml, 0, &err) == GL_OK, "%s",
                  err.text);
    snprintf(yaml, sizeof yaml, "dataset: {plugin: idx, path: %s, split: test}\n", data_dir);
    ck_assert_msg(fx_dataset_open(&test_set, "idx", data_dir, yaml, 0, &err) == GL_OK, "%s",
                  err.text);
}

static void classifier_teardown(void)
{
    fx_dataset_close(&train_set);
    fx_dataset_close(&test_set);
    fx_rmtree(data_dir);
}

typedef struct cls_run {
    fx_plugin p;
    gl_cfg *cfg;
    const gl_evaluator_plugin *ev;
    fake_core f;
    gl_eval_env env;
    void *self;
} cls_run;

static void cls_open(cls_run *c, int conditional)
{
    memset(c, 0, sizeof *c);
    open_evaluator(&c->p, &c->cfg, "classifier",
                   ", samples: 200, reference: 200, epochs: 4, batch_size: 32", data_dir);
    c->ev = (const gl_evaluator_plugin *)c->p.hdr;
    c->f.split[0] = &train_set;
    c->f.split[1] = &test_set;
    c->f.item = 28 * 28;
    c->env = env_for(&c->f);
    c->env.data = train_set.info;
    c->env.conditional = conditional;
    c->env.samples = 10000;
    gl_error err;
    gl_error_init(&err);
    ck_assert_msg(c->ev->create(gl_cfg_evaluator_params(c->cfg, 0), &c->env, &c->self, &err) ==
                      GL_OK,
                  "%s", err.text);
}

static gl_eval_result cls_eval(cls_run *c, enum gen_mode mode)
{
    c->f.mode = mode;
    c->f.drawn = 0;
    gl_eval_result r = {0};
    gl_error err;
    gl_error_init(&err);
    ck_assert_msg(c->ev->evaluate(c->self, &r, &err) == GL_OK, "%s", err.text);
    ck_assert_int_eq(c->f.drawn, 200);
    return r;
}

static void cls_close(cls_run *c)
{
    c->ev->destroy(c->self);
    gl_cfg_destroy(c->cfg);
    fx_plugin_close(&c->p);
}

START_TEST(classifier_on_known_generators)
{
    cls_run c;
    cls_open(&c, 0);
    /* The test images themselves: identical feature sets. */
    gl_eval_result r = cls_eval(&c, GEN_TEST_IMAGES);
    double acc = protocol(&r, "test_accuracy");
    ck_assert_msg(acc >= 0.9, "test accuracy %g", acc);
    ck_assert_int_eq((int)protocol(&r, "n_reference"), 200);
    ck_assert_double_eq_tol(metric(&r, "fd"), 0, 1e-6);
    ck_assert_double_eq_tol(metric(&r, "precision"), 1, 1e-12);
    ck_assert_double_eq_tol(metric(&r, "recall"), 1, 1e-12);
    ck_assert_double_eq_tol(metric(&r, "coverage"), 1, 1e-12);
    ck_assert_double_eq_tol(metric(&r, "density"), 6.0 / 5.0, 1e-12);
    ck_assert_double_eq(metric(&r, "classes"), 10);
    ck_assert_msg(metric(&r, "kl") < 0.05, "kl %g", metric(&r, "kl"));
    ck_assert_msg(metric(&r, "is") > 7, "is %g", metric(&r, "is"));
    ck_assert_msg(protocol(&r, "fd_floor") > 0, "floor %g", protocol(&r, "fd_floor"));
    ck_assert_int_eq(c.f.calls_with_labels, 0); /* unconditional: no labels asked for */
    /* KID on subsets capped at the 200 images: each subset is the whole set, so no spread. */
    ck_assert_int_eq((int)protocol(&r, "kid_subset_size"), 200);
    double kid_same = metric(&r, "kid");
    ck_assert_double_eq_tol(metric(&r, "kid_std"), 0, 1e-6 * fabs(kid_same) + 1e-9);
    /* A collapsed generator: one image. */
    r = cls_eval(&c, GEN_ONE_IMAGE);
    /* (The very same images are the unbiased estimate's worst case, slightly negative: the
     * cross term includes the pairs of an image with itself, the within terms do not.) */
    ck_assert_msg(kid_same < 0 && metric(&r, "kid") > 20 * -kid_same,
                  "kid %g, of the test images %g", metric(&r, "kid"), kid_same);
    ck_assert_double_eq(metric(&r, "classes"), 1);
    ck_assert_double_eq_tol(metric(&r, "kl"), log(10.0), 1e-12);
    ck_assert_double_eq_tol(metric(&r, "is"), 1, 1e-6);
    ck_assert_double_eq_tol(metric(&r, "precision"), 1, 1e-12);
    ck_assert_double_eq_tol(metric(&r, "recall"), 1.0 / 200, 1e-12);
    ck_assert_msg(metric(&r, "coverage") < 0.1, "coverage %g", metric(&r, "coverage"));
    ck_assert_msg(metric(&r, "fd") > protocol(&r, "fd_floor"), "fd %g", metric(&r, "fd"));
    cls_close(&c);

    /* A second instance finds the first one's classifier in the cache: same accuracy. */
    cls_open(&c, 1);
    r = cls_eval(&c, GEN_OBEY_LABELS);
    ck_assert_double_eq(protocol(&r, "test_accuracy"), acc);
    ck_assert_msg(metric(&r, "label_acc") >= 0.9, "label_acc %g", metric(&r, "label_acc"));
    ck_assert_int_gt(c.f.calls_with_labels, 0);
    cls_close(&c);
}
END_TEST

/* A bf16 run's classifier metrics are those of an fp32 run for the same samples (the classifier
 * trains and measures in fp32), and the run's precision is back when evaluate returns. */
START_TEST(classifier_measures_in_fp32)
{
    if (gl_engine_bf16_missing())
        return; /* no bf16 here: nothing can differ */
    gl_error err;
    gl_error_init(&err);
    cls_run c;
    cls_open(&c, 0);
    ck_assert_int_eq(gl_engine_set_precision(GL_PRECISION_BF16, &err), GL_OK);
    gl_eval_result r = cls_eval(&c, GEN_ONE_IMAGE);
    ck_assert_int_eq(gl_engine_precision(), GL_PRECISION_BF16);
    double fd_bf16 = metric(&r, "fd"), kid_bf16 = metric(&r, "kid");
    ck_assert_int_eq(gl_engine_set_precision(GL_PRECISION_FP32, &err), GL_OK);
    r = cls_eval(&c, GEN_ONE_IMAGE);
    ck_assert_double_eq(metric(&r, "fd"), fd_bf16);
    ck_assert_double_eq(metric(&r, "kid"), kid_bf16);
    cls_close(&c);
}
END_TEST

/* A stop signal during the classifier's training (cache off, so it trains) ends evaluate at the
 * next batch with an error saying so, instead of finishing the epochs. */
START_TEST(classifier_stops_when_asked)
{
    cls_run c;
    memset(&c, 0, sizeof c);
    open_evaluator(&c.p, &c.cfg, "classifier",
                   ", samples: 200, reference: 200, epochs: 4, batch_size: 32, cache: false",
                   data_dir);
    c.ev = (const gl_evaluator_plugin *)c.p.hdr;
    c.f.split[0] = &train_set;
    c.f.split[1] = &test_set;
    c.f.item = 28 * 28;
    c.env = env_for(&c.f);
    c.env.data = train_set.info;
    c.env.samples = 200;
    gl_error err;
    gl_error_init(&err);
    ck_assert_int_eq(c.ev->create(gl_cfg_evaluator_params(c.cfg, 0), &c.env, &c.self, &err), GL_OK);
    stop_signal = 2;
    gl_eval_result r = {0};
    ck_assert_int_ne(c.ev->evaluate(c.self, &r, &err), GL_OK);
    stop_signal = 0;
    ck_assert_msg(strstr(err.text, "stopped"), "%s", err.text);
    ck_assert_int_eq(c.f.drawn, 0); /* it never reached the generator */
    cls_close(&c);
}
END_TEST

/* On stacked data (make_idx's set, 600 training and 300 test triples) the classifier is a grey
 * one of the channels; stacked_modes and stacked_kl count the triples of 1,000 samples. */
START_TEST(classifier_counts_stacked_triples)
{
    fx_dataset tr, te;
    gl_error err;
    gl_error_init(&err);
    char yaml[512];
    snprintf(yaml, sizeof yaml, "dataset: {plugin: stacked, path: %s, items: 600}\n", data_dir);
    ck_assert_msg(fx_dataset_open(&tr, "stacked", data_dir, yaml, 0, &err) == GL_OK, "%s",
                  err.text);
    snprintf(yaml, sizeof yaml, "dataset: {plugin: stacked, path: %s, items: 300, split: test}\n",
             data_dir);
    ck_assert_msg(fx_dataset_open(&te, "stacked", data_dir, yaml, 0, &err) == GL_OK, "%s",
                  err.text);
    cls_run c;
    memset(&c, 0, sizeof c);
    open_evaluator(&c.p, &c.cfg, "classifier",
                   ", samples: 200, reference: 200, epochs: 4, batch_size: 32, "
                   "stacked_samples: 1000",
                   data_dir);
    c.ev = (const gl_evaluator_plugin *)c.p.hdr;
    c.f.split[0] = &tr;
    c.f.split[1] = &te;
    c.f.source = &test_set;
    c.env = env_for(&c.f);
    c.env.data = tr.info;
    c.env.samples = 200;
    ck_assert_msg(c.ev->create(gl_cfg_evaluator_params(c.cfg, 0), &c.env, &c.self, &err) == GL_OK,
                  "%s", err.text);
    gl_eval_result r = {0};
    c.f.mode = GEN_ONE_TRIPLE;
    ck_assert_msg(c.ev->evaluate(c.self, &r, &err) == GL_OK, "%s", err.text);
    ck_assert_int_eq(c.f.drawn, 1000); /* max(samples, stacked_samples) */
    double acc = protocol(&r, "test_accuracy");
    ck_assert_msg(acc == 1, "channel accuracy %g", acc);
    ck_assert_double_eq(metric(&r, "stacked_modes"), 1);
    ck_assert_double_eq_tol(metric(&r, "stacked_kl"), log(1000.0), 1e-12);
    ck_assert_double_eq(metric(&r, "classes"), 1); /* every channel is the same image */
    ck_assert_double_eq(protocol(&r, "stacked_samples"), 1000);
    /* A perfect channel classifier sees each triple once: all modes, uniform. */
    memset(&r, 0, sizeof r);
    c.f.mode = GEN_EVERY_TRIPLE;
    c.f.drawn = 0;
    ck_assert_msg(c.ev->evaluate(c.self, &r, &err) == GL_OK, "%s", err.text);
    ck_assert_double_eq(metric(&r, "stacked_modes"), 1000);
    ck_assert_double_eq_tol(metric(&r, "stacked_kl"), 0, 1e-12);
    ck_assert_double_eq(metric(&r, "classes"), 10);
    /* The real row: the 300 test items' distinct triples, from their labels. */
    int seen[1000] = {0}, distinct = 0;
    for (int64_t i = 0; i < 300; i++) {
        int32_t lab;
        float x[3 * 28 * 28];
        ck_assert_int_eq(te.ds->get(te.self, &i, 1, x, &lab, &err), GL_OK);
        distinct += !seen[lab]++;
    }
    ck_assert_double_eq(protocol(&r, "real_stacked_modes"), distinct);
    double kl = 0;
    for (int t = 0; t < 1000; t++)
        kl += seen[t] ? seen[t] / 300.0 * log(1000.0 * seen[t] / 300.0) : 0;
    ck_assert_double_eq_tol(protocol(&r, "real_stacked_kl"), kl, 1e-12);
    cls_close(&c);
    fx_dataset_close(&tr);
    fx_dataset_close(&te);
}
END_TEST

START_TEST(classifier_refuses_unlabelled_or_points)
{
    char dir[256];
    ck_assert_int_eq(fx_tempdir(dir, sizeof dir), 0);
    fx_plugin p;
    gl_cfg *cfg;
    open_evaluator(&p, &cfg, "classifier", "", dir);
    fake_core f = {0};
    gl_eval_env env = env_for(&f);
    env.samples = 100;
    env.data = (gl_dataset_info){.ndim = 3, .shape = {1, 28, 28}, .n_classes = 0};
    gl_error err;
    gl_error_init(&err);
    void *self = NULL;
    const gl_evaluator_plugin *ev = (const gl_evaluator_plugin *)p.hdr;
    ck_assert_int_eq(ev->create(gl_cfg_evaluator_params(cfg, 0), &env, &self, &err), GL_ERR_INPUT);
    ck_assert_ptr_nonnull(strstr(err.text, "needs labelled images"));
    gl_cfg_destroy(cfg);
    fx_plugin_close(&p);
    fx_rmtree(dir);
}
END_TEST

static Suite *suite(void)
{
    Suite *s = suite_create("eval_plugins");
    TCase *m = tcase_create("modes2d");
    tcase_add_test(m, modes2d_counts_modes);
    tcase_add_test(m, modes2d_refuses_data_without_modes);
    tcase_add_test(m, toy2d_exports_its_modes);
    suite_add_tcase(s, m);
    TCase *c = tcase_create("classifier");
    tcase_add_checked_fixture(c, classifier_setup, classifier_teardown);
    tcase_add_test(c, classifier_on_known_generators);
    tcase_add_test(c, classifier_refuses_unlabelled_or_points);
    tcase_add_test(c, classifier_counts_stacked_triples);
    tcase_add_test(c, classifier_stops_when_asked);
    tcase_add_test(c, classifier_measures_in_fp32);
    suite_add_tcase(s, c);
    return s;
}

int main(void)
{
    SRunner *r = srunner_create(suite());
    srunner_run_all(r, CK_NORMAL);
    int failed = srunner_ntests_failed(r);
    srunner_free(r);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}

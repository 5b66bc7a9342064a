/* test_loader_optim.c - the bundled optimizer plugins (plugins/optimizer), loaded from the build
 * tree through the registry and configured through the real config validator, against values
 * computed by hand (in double, from torch.optim's documented update rules) for two steps.
 *
 * Every case uses p0 = 1 and the gradients 0.5 then -0.25 unless it says otherwise, so the
 * arithmetic in the comments can be followed. float32 results are compared within 2e-7 relative.
 */
#include <check.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <ganlab/rng.h>

#include "config/cfg.h"
#include "plugin/registry.h"

static gl_registry *reg;
static char cfg_path[64];

static void setup(void)
{
    const char *build = getenv("GL_BUILDDIR");
    ck_assert_msg(build != NULL, "GL_BUILDDIR is not set (run through make check)");
    char dir[4096];
    snprintf(dir, sizeof dir, "%s/plugins/optimizer/.libs", build);
    const char *dirs[] = {dir};
    gl_error err;
    gl_error_init(&err);
    ck_assert_msg(gl_registry_open(dirs, 1, &reg, &err) == GL_OK, "%s", err.text);
    strcpy(cfg_path, "/tmp/gl_test_optim_XXXXXX");
    int fd = mkstemp(cfg_path);
    ck_assert_int_ge(fd, 0);
    close(fd);
}

static void teardown(void)
{
    gl_registry_close(reg);
    unlink(cfg_path);
}

/* Only the optimizer sections are under test: the others validate against an empty schema. */
static int lookup(void *ud, const char *section, gl_plugin_kind kind, const char *name,
                  const char *where, const gl_param_spec **schema, gl_error *err)
{
    if (kind != GL_KIND_OPTIMIZER) {
        *schema = NULL;
        return GL_OK;
    }
    return gl_registry_schema_lookup(ud, section, kind, name, where, schema, err);
}

/* Loads a config whose generator optimizer section is `gen` (a YAML flow mapping) and validates
 * it; returns the status, with the config in *cfg on success. */
static int load(const char *gen, gl_cfg **cfg, gl_error *err)
{
    FILE *f = fopen(cfg_path, "w");
    ck_assert_ptr_nonnull(f);
    fprintf(f,
            "dataset: {plugin: d}\nmodel: {plugin: m}\nloss: {plugin: l}\n"
            "optimizer:\n  generator: %s\n  discriminator: {plugin: sgd}\n"
            "train: {steps: 1}\n",
            gen);
    fclose(f);
    gl_error_init(err);
    int st = gl_cfg_load(cfg_path, NULL, 0, cfg, err);
    if (st == GL_OK && (st = gl_cfg_validate(*cfg, lookup, reg, err)) != GL_OK)
        gl_cfg_destroy(*cfg);
    return st;
}

typedef struct optim {
    const gl_optimizer_plugin *plugin;
    void *self;
    int per_param;
} optim;

/* Creates the generator optimizer of `gen`; asserts that it succeeds. */
static optim create(const char *gen)
{
    gl_cfg *cfg;
    gl_error err;
    ck_assert_msg(load(gen, &cfg, &err) == GL_OK, "%s", err.text);
    const gl_registry_entry *e;
    ck_assert_int_eq(gl_registry_find(reg, GL_KIND_OPTIMIZER,
                                      gl_cfg_plugin(cfg, "optimizer.generator"), NULL, NULL, &e,
                                      &err),
                     GL_OK);
    optim o = {(const gl_optimizer_plugin *)e->hdr, NULL, -1};
    int st = o.plugin->create(gl_cfg_params(cfg, "optimizer.generator"), &o.per_param, &o.self,
                              &err);
    ck_assert_msg(st == GL_OK, "%s", err.text);
    gl_cfg_destroy(cfg);
    return o;
}

/* Runs two steps on n elements from p0 with gradients g1 then g2 (each (n)) and checks the
 * parameters after each step against want1, want2. */
static void two_steps(const char *gen, int per_param, size_t n, const float *p0, const float *g1,
                      const float *g2, const double *want1, const double *want2)
{
    optim o = create(gen);
    ck_assert_int_eq(o.per_param, per_param);
    float p[4], state[4 * 3] = {0};
    ck_assert_uint_le(n, 4);
    memcpy(p, p0, n * sizeof *p);
    o.plugin->step(o.self, p, g1, state, n, 1);
    for (size_t i = 0; i < n; i++)
        ck_assert_double_eq_tol(p[i], want1[i], 2e-7 * (1 + fabs(want1[i])));
    o.plugin->step(o.self, p, g2, state, n, 2);
    for (size_t i = 0; i < n; i++)
        ck_assert_double_eq_tol(p[i], want2[i], 2e-7 * (1 + fabs(want2[i])));
    o.plugin->destroy(o.self);
}

static const float p0[] = {1.0f}, g1[] = {0.5f}, g2[] = {-0.25f};

START_TEST(adam_two_steps)
{
    /* lr 0.1. Element 0: t=1: m = 0.05, v = 0.00025, m^ = 0.5, v^ = 0.25, p = 1 - 0.1*0.5/0.5.
     * t=2: m = 0.045 - 0.025 = 0.02, v = 0.00024975 + 0.0000625 = 0.00031225,
     * m^ = 0.02/0.19, v^ = 0.00031225/0.001999, p = 0.9 - 0.1 * 0.1052632 / 0.3952254.
     * Element 1 mirrors with g = -1, 2 from -2; element 2 has zero gradients and stays put. */
    const float p[] = {1.0f, -2.0f, 0.5f}, a[] = {0.5f, -1.0f, 0.0f}, b[] = {-0.25f, 2.0f, 0.0f};
    const double w1[] = {0.900000002, -1.900000001, 0.5}, w2[] = {0.873366299, -1.936610353, 0.5};
    two_steps("{plugin: adam, lr: 0.1}", 2, 3, p, a, b, w1, w2);
}
END_TEST

START_TEST(adam_weight_decay)
{
    /* g1 = 0.5 + 0.1*1 = 0.6 (p = 0.9 as before); g2 = -0.25 + 0.1*0.9 = -0.16. */
    const double w1[] = {0.900000002}, w2[] = {0.854441367};
    two_steps("{plugin: adam, lr: 0.1, weight_decay: 0.1}", 2, 1, p0, g1, g2, w1, w2);
}
END_TEST

/* adam's step_scaled against step followed by the core's blend p0 + f (p1 - p0), byte for byte,
 * over enough elements for the engine's split into pieces and both of torch's lerp forms (beta1
 * 0.9 and 0.3), with weight decay; f = 0 keeps the values. sgd and rmsprop have none: the core
 * blends for them. */
START_TEST(adam_step_scaled_is_the_blend)
{
    enum { N = 3 * 4096 + 77 };
    static float p[N], q[N], p0[N], g[N], s1[2 * N], s2[2 * N];
    static const char *const cfgs[] = {"{plugin: adam, lr: 0.01, weight_decay: 0.01}",
                                       "{plugin: adam, lr: 0.01, beta1: 0.3}"};
    for (int c = 0; c < 2; c++) {
        optim o = create(cfgs[c]);
        ck_assert_ptr_nonnull(GL_PLUGIN_OPTIONAL(o.plugin, gl_optimizer_plugin, step_scaled));
        gl_rng r;
        gl_rng_init(&r, 5, GL_STREAM_INIT);
        for (size_t i = 0; i < N; i++)
            p[i] = gl_rng_uniform(&r) * 2.0f - 1.0f;
        memset(s1, 0, sizeof s1);
        for (uint64_t t = 1; t <= 4; t++) {
            for (size_t i = 0; i < N; i++)
                g[i] = gl_rng_uniform(&r) - 0.5f;
            float f = t == 4 ? 0.0f : 0.37f / (float)t;
            memcpy(q, p, sizeof p);
            memcpy(p0, p, sizeof p);
            memcpy(s2, s1, sizeof s1);
            o.plugin->step_scaled(o.self, q, g, s2, N, t, f);
            o.plugin->step(o.self, p, g, s1, N, t);
            for (size_t i = 0; i < N; i++)
                p[i] = p0[i] + f * (p[i] - p0[i]);
            ck_assert_msg(!memcmp(p, q, sizeof p) && !memcmp(s1, s2, sizeof s1),
                          "config %d, step %d: step_scaled differs from step + blend", c, (int)t);
            if (f == 0.0f)
                ck_assert(!memcmp(q, p0, sizeof q));
        }
        o.plugin->destroy(o.self);
    }
    static const char *const others[] = {"{plugin: sgd}", "{plugin: rmsprop}"};
    for (int c = 0; c < 2; c++) {
        optim o = create(others[c]);
        ck_assert_ptr_null(GL_PLUGIN_OPTIONAL(o.plugin, gl_optimizer_plugin, step_scaled));
        o.plugin->destroy(o.self);
    }
}
END_TEST

START_TEST(sgd_variants)
{
    /* plain: p = 1 - 0.1*0.5 = 0.95, then 0.95 + 0.1*0.25 = 0.975; no state */
    two_steps("{plugin: sgd, lr: 0.1}", 0, 1, p0, g1, g2, (double[]){0.95}, (double[]){0.975});
    /* momentum 0.9: b = 0.5 (the first gradient as is), p = 0.95;
     * b = 0.45 - 0.25 = 0.2, p = 0.95 - 0.02 = 0.93 */
    two_steps("{plugin: sgd, lr: 0.1, momentum: 0.9}", 1, 1, p0, g1, g2, (double[]){0.95},
              (double[]){0.93});
    /* dampening 0.5: b = 0.5 (not dampened at t=1); b = 0.45 + 0.5*(-0.25) = 0.325 */
    two_steps("{plugin: sgd, lr: 0.1, momentum: 0.9, dampening: 0.5}", 1, 1, p0, g1, g2,
              (double[]){0.95}, (double[]){0.9175});
    /* nesterov: g = 0.5 + 0.9*0.5 = 0.95, p = 0.905; b = 0.2, g = -0.25 + 0.18 = -0.07,
     * p = 0.912 */
    two_steps("{plugin: sgd, lr: 0.1, momentum: 0.9, nesterov: true}", 1, 1, p0, g1, g2,
              (double[]){0.905}, (double[]){0.912});
    /* weight decay 0.1: g = 0.6, p = 0.94; g = -0.25 + 0.094 = -0.156, p = 0.9556 */
    two_steps("{plugin: sgd, lr: 0.1, weight_decay: 0.1}", 0, 1, p0, g1, g2, (double[]){0.94},
              (double[]){0.9556});
}
END_TEST

START_TEST(rmsprop_variants)
{
    /* defaults (lr 0.01, alpha 0.99): s = 0.0025, p = 1 - 0.01*0.5/0.05 = 0.9;
     * s = 0.002475 + 0.000625 = 0.0031, p = 0.9 + 0.01*0.25/sqrt(0.0031) */
    two_steps("{plugin: rmsprop}", 1, 1, p0, g1, g2, (double[]){0.900000020},
              (double[]){0.944901337});
    /* centered: a = 0.005, d = sqrt(0.0025 - 0.000025); a = 0.00245, d = sqrt(0.0031 - a^2) */
    two_steps("{plugin: rmsprop, centered: true}", 2, 1, p0, g1, g2, (double[]){0.899496239},
              (double[]){0.944441090});
    /* momentum 0.9: b = 0.5/0.05 = 10, p = 0.9; b = 9 - 0.25/sqrt(0.0031), p = 0.9 - 0.01 b */
    two_steps("{plugin: rmsprop, momentum: 0.9}", 2, 1, p0, g1, g2, (double[]){0.900000020},
              (double[]){0.854901355});
    two_steps("{plugin: rmsprop, momentum: 0.9, centered: true}", 3, 1, p0, g1, g2,
              (double[]){0.899496239}, (double[]){0.853987705});
}
END_TEST

START_TEST(defaults_are_torchs)
{
    gl_cfg *cfg;
    gl_error err;
    ck_assert_msg(load("{plugin: adam}", &cfg, &err) == GL_OK, "%s", err.text);
    const gl_params *p = gl_cfg_params(cfg, "optimizer.generator");
    ck_assert_double_eq(gl_params_float(p, "lr"), 0.001);
    ck_assert_double_eq(gl_params_float(p, "beta1"), 0.9);
    ck_assert_double_eq(gl_params_float(p, "beta2"), 0.999);
    ck_assert_double_eq(gl_params_float(p, "eps"), 1e-8);
    ck_assert_double_eq(gl_params_float(p, "weight_decay"), 0.0);
    p = gl_cfg_params(cfg, "optimizer.discriminator");
    ck_assert_double_eq(gl_params_float(p, "lr"), 0.001);
    ck_assert_double_eq(gl_params_float(p, "momentum"), 0.0);
    ck_assert_int_eq(gl_params_bool(p, "nesterov"), 0);
    gl_cfg_destroy(cfg);
    ck_assert_msg(load("{plugin: rmsprop}", &cfg, &err) == GL_OK, "%s", err.text);
    p = gl_cfg_params(cfg, "optimizer.generator");
    ck_assert_double_eq(gl_params_float(p, "lr"), 0.01);
    ck_assert_double_eq(gl_params_float(p, "alpha"), 0.99);
    ck_assert_int_eq(gl_params_bool(p, "centered"), 0);
    gl_cfg_destroy(cfg);
}
END_TEST

START_TEST(refusals)
{
    gl_cfg *cfg;
    gl_error err;
    ck_assert_msg(load("{plugin: adam, beta1: 1}", &cfg, &err) == GL_OK, "%s", err.text);
    const gl_registry_entry *e;
    ck_assert_int_eq(gl_registry_find(reg, GL_KIND_OPTIMIZER, "adam", NULL, NULL, &e, &err), GL_OK);
    const gl_optimizer_plugin *adam = (const gl_optimizer_plugin *)e->hdr;
    void *self = NULL;
    int k;
    ck_assert_int_eq(adam->create(gl_cfg_params(cfg, "optimizer.generator"), &k, &self, &err),
                     GL_ERR_INPUT);
    ck_assert_str_eq(err.text, "plugin 'adam': beta1 and beta2 must be below 1 (got 1 and 0.999)");
    gl_cfg_destroy(cfg);

    ck_assert_msg(load("{plugin: sgd, nesterov: true}", &cfg, &err) == GL_OK, "%s", err.text);
    ck_assert_int_eq(gl_registry_find(reg, GL_KIND_OPTIMIZER, "sgd", NULL, NULL, &e, &err), GL_OK);
    const gl_optimizer_plugin *sgd = (const gl_optimizer_plugin *)e->hdr;
    ck_assert_int_eq(sgd->create(gl_cfg_params(cfg, "optimizer.generator"), &k, &self, &err),
                     GL_ERR_INPUT);
    ck_assert_str_eq(err.text, "plugin 'sgd': nesterov needs momentum > 0 and dampening 0");
    gl_cfg_destroy(cfg);

    /* through the config validator: the registry's one line, at the `plugin:` value */
    ck_assert_int_eq(load("{plugin: adma}", &cfg, &err), GL_ERR_INPUT);
    ck_assert_ptr_nonnull(strstr(err.text, ":5:23: optimizer plugin 'adma' not found in "));
    ck_assert_ptr_nonnull(strstr(err.text, "; did you mean 'adam'?"));
}
END_TEST

static Suite *suite(void)
{
    Suite *s = suite_create("optimizers");
    TCase *tc = tcase_create("optimizers");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, adam_two_steps);
    tcase_add_test(tc, adam_weight_decay);
    tcase_add_test(tc, adam_step_scaled_is_the_blend);
    tcase_add_test(tc, sgd_variants);
    tcase_add_test(tc, rmsprop_variants);
    tcase_add_test(tc, defaults_are_torchs);
    tcase_add_test(tc, refusals);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}

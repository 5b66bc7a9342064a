/* test_train.c - the training loop end to end on tiny budgets: the run directory's files,
 * determinism (two runs, same bytes), resume (N then M steps == N+M steps in one go), and refusal
 * of damaged or foreign checkpoints and of a changed config on resume, and the linear learning-rate
 * decay. Uses the bundled plugins from the build tree. */
#include <check.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "plugin/registry.h"
#include "train/run.h"

static gl_registry *reg;
static char tmp[256];

static void setup(void)
{
    char **dirs;
    int n;
    gl_error err;
    gl_error_init(&err);
    ck_assert_int_eq(gl_plugin_search_dirs(NULL, 0, NULL, 1, &dirs, &n, &err), GL_OK);
    ck_assert_int_eq(gl_registry_open((const char *const *)dirs, n, &reg, &err), GL_OK);
    gl_plugin_dirs_free(dirs, n);
    snprintf(tmp, sizeof tmp, "/tmp/gl_test_train_XXXXXX");
    ck_assert_ptr_nonnull(mkdtemp(tmp));
}

static void teardown(void)
{
    gl_registry_close(reg);
    char cmd[300];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmp);
    ck_assert_int_eq(system(cmd), 0);
}

static const char *toy_cfg =
    "experiment: {seed: 7, threads: 1, out_dir: %s, name: %s}\n"
    "dataset: {plugin: toy2d, mixture: ring, size: 512}\n"
    "model: {plugin: mlp, latent_dim: 2, g_hidden: [16, 16], d_hidden: [16, 16], activation: "
    "relu,\n"
    "        g_output: none}\n"
    "loss: {plugin: %s}\n"
    "optimizer:\n"
    "  generator: {plugin: adam, lr: 0.001}\n"
    "  discriminator: {plugin: adam, lr: 0.001}\n"
    "train: {batch_size: 64, steps: 12, n_critic: %d, log_every: 3, sample_every: 6,\n"
    "        checkpoint_every: 6, keep_checkpoints: 5}\n";

static gl_cfg *load(const char *loss, int n_critic, const char *out, const char *name,
                    const char *const *ov, int n_ov)
{
    char path[512], text[2048];
    snprintf(path, sizeof path, "%s/%s.yaml", tmp, name);
    snprintf(text, sizeof text, toy_cfg, out, name, loss, n_critic);
    FILE *f = fopen(path, "w");
    ck_assert_ptr_nonnull(f);
    fprintf(f, "%s", text);
    fclose(f);
    gl_cfg *cfg;
    gl_error err;
    gl_error_init(&err);
    int rc = gl_cfg_load(path, ov, n_ov, &cfg, &err);
    if (rc == GL_OK)
        rc = gl_cfg_validate(cfg, gl_registry_schema_lookup, reg, &err);
    if (rc != GL_OK)
        ck_abort_msg("config: %s", err.text);
    return cfg;
}

static int train(gl_cfg *cfg, const char *resume, char *dir, gl_error *err)
{
    gl_train_opts o = {.resume_dir = resume};
    gl_error_init(err);
    return gl_train_run(cfg, reg, &o, dir, 512, err);
}

/* The whole file as a new string (caller frees), NULL if missing. */
static char *slurp(const char *dir, const char *name, size_t *len)
{
    char path[1024];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *buf = malloc((size_t)n + 1);
    ck_assert_int_eq(fread(buf, 1, (size_t)n, f), n);
    buf[n] = '\0';
    fclose(f);
    *len = (size_t)n;
    return buf;
}

static void assert_same_file(const char *a, const char *b, const char *name)
{
    size_t la, lb;
    char *x = slurp(a, name, &la), *y = slurp(b, name, &lb);
    ck_assert_msg(x && y, "%s missing", name);
    ck_assert_msg(la == lb && memcmp(x, y, la) == 0, "%s differs between %s and %s", name, a, b);
    free(x);
    free(y);
}

START_TEST(run_directory_files)
{
    char dir[512];
    gl_error err;
    gl_cfg *cfg = load("bce", 1, tmp, "toy", NULL, 0);
    ck_assert_msg(train(cfg, NULL, dir, &err) == GL_OK, "%s", err.text);
    size_t n;
    char *m = slurp(dir, "metrics.csv", &n);
    ck_assert_ptr_nonnull(m);
    ck_assert_msg(strncmp(m, "step,epoch,d_loss,g_loss", 24) == 0, "header: %s", m);
    /* rows at 3, 6, 9, 12 */
    int rows = 0;
    for (char *p = m; *p; p++)
        rows += *p == '\n';
    ck_assert_int_eq(rows, 5);
    ck_assert_ptr_nonnull(strstr(m, "\n12,"));
    free(m);
    struct stat st;
    const char *files[] = {"config.yaml",
                           "timing.csv",
                           "log.txt",
                           "samples/step_00000006.png",
                           "samples/step_00000012.png",
                           "checkpoints/step_00000006.ckpt",
                           "checkpoints/step_00000012.ckpt"};
    for (size_t i = 0; i < sizeof files / sizeof files[0]; i++) {
        char path[1024];
        snprintf(path, sizeof path, "%s/%s", dir, files[i]);
        ck_assert_msg(stat(path, &st) == 0, "%s missing", path);
    }
    /* A second run of the same name gets a new directory. */
    char dir2[512];
    ck_assert_msg(train(cfg, NULL, dir2, &err) == GL_OK, "%s", err.text);
    ck_assert_msg(strstr(dir2, "toy-2") != NULL, "second run dir %s", dir2);
    assert_same_file(dir, dir2, "metrics.csv");
    assert_same_file(dir, dir2, "checkpoints/step_00000012.ckpt");
    assert_same_file(dir, dir2, "samples/step_00000012.png");
    gl_cfg_destroy(cfg);
}
END_TEST

/* extra: one more override of both runs (NULL: none). */
static void resume_matches_with(const char *loss, int n_critic, const char *extra)
{
    char full[512], part[512];
    gl_error err;
    const char *ov[] = {extra};
    gl_cfg *cfg = load(loss, n_critic, tmp, "full", ov, extra ? 1 : 0);
    ck_assert_msg(train(cfg, NULL, full, &err) == GL_OK, "%s", err.text);
    gl_cfg_destroy(cfg);

    const char *first[] = {"train.steps=6", extra};
    cfg = load(loss, n_critic, tmp, "part", first, extra ? 2 : 1);
    ck_assert_msg(train(cfg, NULL, part, &err) == GL_OK, "%s", err.text);
    gl_cfg_destroy(cfg);

    const char *more[] = {"train.steps=12"};
    gl_error_init(&err);
    ck_assert_msg(gl_train_resume_config(part, more, 1, 0, gl_registry_schema_lookup, reg, &cfg,
                                         &err) == GL_OK,
                  "%s", err.text);
    char again[512];
    ck_assert_msg(train(cfg, part, again, &err) == GL_OK, "%s", err.text);
    gl_cfg_destroy(cfg);
    ck_assert_str_eq(again, part);
    assert_same_file(full, part, "checkpoints/step_00000012.ckpt");
    assert_same_file(full, part, "metrics.csv");
}

static void resume_matches(const char *loss, int n_critic)
{
    resume_matches_with(loss, n_critic, NULL);
}

START_TEST(resume_equals_uninterrupted_bce) { resume_matches("bce", 1); }
END_TEST

START_TEST(resume_equals_uninterrupted_wgan_gp) { resume_matches("wgan_gp", 3); }
END_TEST

/* The spectral-norm vectors are net buffers: the checkpoint carries them. */
START_TEST(resume_equals_uninterrupted_spectral_norm)
{
    resume_matches_with("wgan_gp", 2, "model.spectral_norm=true");
}
END_TEST

START_TEST(resume_refuses_changed_config)
{
    char dir[512];
    gl_error err;
    const char *six[] = {"train.steps=6"};
    gl_cfg *cfg = load("bce", 1, tmp, "chg", six, 1);
    ck_assert_msg(train(cfg, NULL, dir, &err) == GL_OK, "%s", err.text);
    gl_cfg_destroy(cfg);
    const char *ov[] = {"train.batch_size=32"};
    gl_error_init(&err);
    ck_assert_int_eq(
        gl_train_resume_config(dir, ov, 1, 0, gl_registry_schema_lookup, reg, &cfg, &err),
        GL_ERR_INPUT);
    ck_assert_msg(strstr(err.text, "train.batch_size") != NULL, "%s", err.text);
    gl_error_init(&err);
    ck_assert_int_eq(
        gl_train_resume_config(dir, ov, 1, 1, gl_registry_schema_lookup, reg, &cfg, &err), GL_OK);
    gl_cfg_destroy(cfg);

    /* Cadences, logging and the eval section may change without --force; the changes are listed
     * for log.txt. */
    const char *cad[] = {"train.log_every=2", "logging.tensorboard=false", "eval.samples=50",
                         "train.steps=8"};
    gl_error_init(&err);
    ck_assert_msg(
        gl_train_resume_config(dir, cad, 4, 0, gl_registry_schema_lookup, reg, &cfg, &err) == GL_OK,
        "%s", err.text);
    char changes[1024];
    ck_assert_int_eq(gl_train_resume_changes(dir, cfg, gl_registry_schema_lookup, reg, changes,
                                             sizeof changes, &err),
                     GL_OK);
    ck_assert_msg(strstr(changes, "train.log_every: ") && strstr(changes, "-> 2\n") &&
                      strstr(changes, "logging.tensorboard: true -> false") &&
                      strstr(changes, "train.steps: 6 -> 8"),
                  "%s", changes);
    gl_cfg_destroy(cfg);

    /* A budget at the checkpoint's step leaves nothing to do: refused, not a silent success. */
    const char *same[] = {"train.steps=6"};
    ck_assert_int_eq(
        gl_train_resume_config(dir, same, 1, 0, gl_registry_schema_lookup, reg, &cfg, &err), GL_OK);
    char dir2[512];
    gl_error_init(&err);
    ck_assert_int_eq(train(cfg, dir, dir2, &err), GL_ERR_INPUT);
    ck_assert_msg(strstr(err.text, "at or below the checkpoint's step 6"), "%s", err.text);
    gl_cfg_destroy(cfg);
}
END_TEST

START_TEST(damaged_and_foreign_checkpoints_refused)
{
    char dir[512];
    gl_error err;
    const char *six[] = {"train.steps=6"};
    gl_cfg *cfg = load("bce", 1, tmp, "dmg", six, 1);
    ck_assert_msg(train(cfg, NULL, dir, &err) == GL_OK, "%s", err.text);
    char path[1024];
    snprintf(path, sizeof path, "%s/checkpoints/step_00000006.ckpt", dir);

    /* A model of another size: the checkpoint does not fit. */
    const char *wide[] = {"train.steps=6", "model.g_hidden=[32,16]"};
    gl_cfg *other = load("bce", 1, tmp, "dmg_other", wide, 2);
    gl_session *s;
    gl_error_init(&err);
    ck_assert_int_eq(gl_session_create(other, reg, &s, &err), GL_OK);
    gl_error_init(&err);
    ck_assert_int_eq(gl_checkpoint_load(s, path, &err), GL_ERR_INPUT);
    ck_assert_msg(strstr(err.text, "another model") != NULL, "%s", err.text);
    gl_session_destroy(s);
    gl_cfg_destroy(other);

    /* One flipped byte: the checksum catches it. */
    FILE *f = fopen(path, "r+b");
    ck_assert_ptr_nonnull(f);
    fseek(f, 100, SEEK_SET);
    int c = fgetc(f);
    fseek(f, 100, SEEK_SET);
    fputc(c ^ 0x10, f);
    fclose(f);
    gl_error_init(&err);
    ck_assert_int_eq(gl_session_create(cfg, reg, &s, &err), GL_OK);
    gl_error_init(&err);
    ck_assert_int_eq(gl_checkpoint_load(s, path, &err), GL_ERR_INPUT);
    ck_assert_msg(strstr(err.text, "damaged") != NULL, "%s", err.text);
    /* Not a checkpoint at all. */
    snprintf(path, sizeof path, "%s/config.yaml", dir);
    gl_error_init(&err);
    ck_assert_int_eq(gl_checkpoint_load(s, path, &err), GL_ERR_INPUT);
    ck_assert_msg(strstr(err.text, "not a ganlab checkpoint") != NULL, "%s", err.text);
    gl_session_destroy(s);
    gl_cfg_destroy(cfg);
}
END_TEST

START_TEST(diverging_run_stops_with_the_term)
{
    char dir[512];
    gl_error err;
    const char *ov[] = {"optimizer.discriminator.lr=1e30", "optimizer.generator.lr=1e30"};
    gl_cfg *cfg = load("wgan_gp", 1, tmp, "nan", ov, 2);
    ck_assert_int_eq(train(cfg, NULL, dir, &err), GL_ERR_RUN);
    ck_assert_msg(strstr(err.text, "step ") &&
                      (strstr(err.text, "not finite") || strstr(err.text, "NaN")),
                  "%s", err.text);
    gl_cfg_destroy(cfg);
}
END_TEST

START_TEST(steady_state_step_does_not_allocate)
{
    gl_error err;
    gl_cfg *cfg = load("wgan_gp", 2, tmp, "alloc", NULL, 0);
    gl_session *s;
    gl_error_init(&err);
    ck_assert_int_eq(gl_session_create(cfg, reg, &s, &err), GL_OK);
    gl_loss_result d, g;
    for (int i = 0; i < 3; i++)
        ck_assert_msg(gl_session_step(s, &d, &g, &err) == GL_OK, "%s", err.text);
    uint64_t before = gl_engine_alloc_count();
    for (int i = 0; i < 5; i++)
        ck_assert_msg(gl_session_step(s, &d, &g, &err) == GL_OK, "%s", err.text);
    ck_assert_uint_eq(gl_engine_alloc_count(), before);
    gl_session_destroy(s);
    gl_cfg_destroy(cfg);
}
END_TEST

/* One step of a and b (equal so far) and how a's update of D compares with b's: the largest
 * |update_a - f update_b| over the largest |update_b|. (G's update follows D's in a step, so after
 * a decayed step it sees another D; D's update is the clean comparison, and both nets go through
 * the same scaling.) */
static double d_update_ratio_error(gl_session *a, gl_session *b, double f)
{
    gl_loss_result d, g;
    gl_error err;
    gl_error_init(&err);
    size_t n = gl_net_numel(a->net[1]);
    gl_real *before = malloc(n * sizeof *before);
    memcpy(before, gl_net_values(a->net[1]), n * sizeof *before);
    for (int k = 0; k < 2; k++)
        ck_assert_msg(memcmp(gl_net_values(a->net[k]), gl_net_values(b->net[k]),
                             gl_net_numel(a->net[k]) * sizeof(gl_real)) == 0,
                      "the two runs differ before the step");
    ck_assert_msg(gl_session_step(a, &d, &g, &err) == GL_OK, "%s", err.text);
    ck_assert_msg(gl_session_step(b, &d, &g, &err) == GL_OK, "%s", err.text);
    const gl_real *pa = gl_net_values(a->net[1]), *pb = gl_net_values(b->net[1]);
    double big = 0, worst = 0;
    for (size_t i = 0; i < n; i++) {
        double ua = (double)pa[i] - before[i], ub = (double)pb[i] - before[i];
        big = fabs(ub) > big ? fabs(ub) : big;
        worst = fabs(ua - f * ub) > worst ? fabs(ua - f * ub) : worst;
    }
    free(before);
    ck_assert(big > 0);
    return worst / big;
}

/* train.lr_decay linear over 4 steps: step 0 is the plain step, bit for bit; at step 1 D's update
 * is 0.75 of the undecayed one (the same optimizer state, so the same direction). Loop 0: D's
 * Adam scales its own update (step_scaled); loop 1: D's RMSprop has none, so the core blends. */
START_TEST(linear_lr_decay_scales_the_updates)
{
    gl_error err;
    const char *decay[] = {"optimizer.discriminator.plugin=rmsprop", "train.steps=4",
                           "train.lr_decay=linear"},
               *plain[] = {"optimizer.discriminator.plugin=rmsprop", "train.steps=4"};
    int skip = _i == 0; /* adam: leave the optimizer override out */
    gl_cfg *ca = load("bce", 1, tmp, "decay", decay + skip, 3 - skip),
           *cb = load("bce", 1, tmp, "plain", plain + skip, 2 - skip);
    gl_session *a, *b;
    gl_error_init(&err);
    ck_assert_int_eq(gl_session_create(ca, reg, &a, &err), GL_OK);
    ck_assert_int_eq(gl_session_create(cb, reg, &b, &err), GL_OK);
    ck_assert(_i ? !a->step_scaled[1] && a->prev[1] : a->step_scaled[1] && !a->prev[1]);
    ck_assert_double_eq(d_update_ratio_error(a, b, 1.0), 0.0);
    double e = d_update_ratio_error(a, b, 0.75);
    ck_assert_msg(e < 1e-3, "step 1: D's update is not 0.75 of the plain one (error %g)", e);
    gl_session_destroy(a);
    gl_session_destroy(b);
    gl_cfg_destroy(ca);
    gl_cfg_destroy(cb);
}
END_TEST

static double res_term(const gl_loss_result *r, const char *name)
{
    for (int i = 0; i < r->n_terms; i++)
        if (strcmp(r->term_names[i], name) == 0)
            return r->term_values[i];
    ck_abort_msg("no term %s", name);
    return NAN;
}

/* train.r1_gamma / r2_gamma: the first D update's loss is bce's plus gamma/2 times each penalty
 * (the same batch, fakes and parameters as a run without them), the terms r1 and r2 are logged,
 * later steps allocate nothing, and a batch-norm critic is refused. */
START_TEST(r1_r2_penalties_in_the_step)
{
    gl_error err;
    const char *pen[] = {"train.r1_gamma=2", "train.r2_gamma=3"}, *plain[] = {"train.steps=12"};
    gl_cfg *ca = load("bce", 1, tmp, "pen", pen, 2), *cb = load("bce", 1, tmp, "plain", plain, 1);
    gl_session *a, *b;
    gl_error_init(&err);
    ck_assert_int_eq(gl_session_create(ca, reg, &a, &err), GL_OK);
    ck_assert_int_eq(gl_session_create(cb, reg, &b, &err), GL_OK);
    gl_loss_result da, ga, db, gb;
    ck_assert_msg(gl_session_step(a, &da, &ga, &err) == GL_OK, "%s", err.text);
    ck_assert_msg(gl_session_step(b, &db, &gb, &err) == GL_OK, "%s", err.text);
    double r1 = res_term(&da, "r1"), r2 = res_term(&da, "r2");
    ck_assert_msg(r1 > 0 && r2 > 0 && r1 != r2, "r1 %g r2 %g", r1, r2);
    ck_assert_int_eq(da.n_terms, db.n_terms + 2);
    double want = b->last_loss[1] + 1.0 * r1 + 1.5 * r2;
    ck_assert_msg(fabs(a->last_loss[1] - want) < 1e-5, "d_loss %.9g, expected %.9g",
                  a->last_loss[1], want);
    for (int i = 0; i < 2; i++)
        ck_assert_msg(gl_session_step(a, &da, &ga, &err) == GL_OK, "%s", err.text);
    uint64_t before = gl_engine_alloc_count();
    for (int i = 0; i < 3; i++)
        ck_assert_msg(gl_session_step(a, &da, &ga, &err) == GL_OK, "%s", err.text);
    ck_assert_uint_eq(gl_engine_alloc_count(), before);
    gl_session_destroy(a);
    gl_session_destroy(b);
    gl_cfg_destroy(ca);
    gl_cfg_destroy(cb);

    const char *bn[] = {"train.r2_gamma=1", "model.d_norm=batch"};
    gl_cfg *cfg = load("bce", 1, tmp, "bn", bn, 2);
    gl_error_init(&err);
    ck_assert_int_eq(gl_session_create(cfg, reg, &a, &err), GL_ERR_INPUT);
    ck_assert_msg(strstr(err.text, "train.r2_gamma") && strstr(err.text, "batch norm"), "%s",
                  err.text);
    gl_cfg_destroy(cfg);
}
END_TEST

/* Two sessions of the toy config, a with the overrides ov, b without; both made. */
static void pair(gl_session **a, gl_session **b, gl_cfg **ca, gl_cfg **cb, const char *const *ov,
                 int n_ov)
{
    gl_error err;
    const char *plain[] = {"train.steps=12"};
    *ca = load("bce", 1, tmp, "a", ov, n_ov);
    *cb = load("bce", 1, tmp, "b", plain, 1);
    gl_error_init(&err);
    ck_assert_msg(gl_session_create(*ca, reg, a, &err) == GL_OK, "%s", err.text);
    ck_assert_msg(gl_session_create(*cb, reg, b, &err) == GL_OK, "%s", err.text);
}

static void unpair(gl_session *a, gl_session *b, gl_cfg *ca, gl_cfg *cb)
{
    gl_session_destroy(a);
    gl_session_destroy(b);
    gl_cfg_destroy(ca);
    gl_cfg_destroy(cb);
}

/* train.unroll_steps: after a step, D (values, optimizer state and count) is exactly what a run
 * without unrolling has (the look-ahead was undone) while G, which saw the looked-ahead D, is not;
 * later steps allocate nothing. */
START_TEST(unrolled_steps_leave_d_as_it_was)
{
    gl_session *a, *b;
    gl_cfg *ca, *cb;
    const char *ov[] = {"train.unroll_steps=3"};
    pair(&a, &b, &ca, &cb, ov, 1);
    gl_loss_result d, g;
    gl_error err;
    gl_error_init(&err);
    ck_assert_msg(gl_session_step(a, &d, &g, &err) == GL_OK, "%s", err.text);
    ck_assert_msg(gl_session_step(b, &d, &g, &err) == GL_OK, "%s", err.text);
    size_t nd = gl_net_numel(a->net[1]), ng = gl_net_numel(a->net[0]);
    ck_assert_mem_eq(gl_net_values(a->net[1]), gl_net_values(b->net[1]), nd * sizeof(gl_real));
    ck_assert_mem_eq(a->opt_state[1], b->opt_state[1], nd * 2 * sizeof(float));
    ck_assert_uint_eq(a->st.opt_step[1], b->st.opt_step[1]);
    ck_assert_uint_eq(a->st.d_updates, b->st.d_updates);
    ck_assert_double_eq(a->last_loss[1], b->last_loss[1]);
    ck_assert_msg(
        memcmp(gl_net_values(a->net[0]), gl_net_values(b->net[0]), ng * sizeof(gl_real)) != 0,
        "G's update did not see the looked-ahead D");
    ck_assert_msg(gl_session_step(a, &d, &g, &err) == GL_OK, "%s", err.text);
    uint64_t before = gl_engine_alloc_count();
    for (int i = 0; i < 3; i++)
        ck_assert_msg(gl_session_step(a, &d, &g, &err) == GL_OK, "%s", err.text);
    ck_assert_uint_eq(gl_engine_alloc_count(), before);
    unpair(a, b, ca, cb);
}
END_TEST

START_TEST(resume_equals_uninterrupted_unrolled)
{
    resume_matches_with("bce", 1, "train.unroll_steps=2");
}
END_TEST

/* train.instance_noise: every input D sees in a step (bce: real and fake in the D update, the
 * fakes in G's) gets one normal per element from the penalty stream, and the losses change. */
START_TEST(instance_noise_on_every_d_input)
{
    gl_session *a, *b;
    gl_cfg *ca, *cb;
    const char *ov[] = {"train.instance_noise=0.5"};
    pair(&a, &b, &ca, &cb, ov, 1);
    gl_rng expect = a->st.penalty;
    gl_loss_result d, g;
    gl_error err;
    gl_error_init(&err);
    ck_assert_msg(gl_session_step(a, &d, &g, &err) == GL_OK, "%s", err.text);
    ck_assert_msg(gl_session_step(b, &d, &g, &err) == GL_OK, "%s", err.text);
    float scratch[64 * 2];
    for (int i = 0; i < 3; i++)
        gl_rng_fill_normal(&expect, scratch, 64 * 2, 0.0f, 1.0f);
    ck_assert_mem_eq(&a->st.penalty, &expect, sizeof expect);
    ck_assert(a->last_loss[1] != b->last_loss[1]);
    ck_assert(a->last_loss[0] != b->last_loss[0]);
    unpair(a, b, ca, cb);
}
END_TEST

/* model.pack m: the core draws m times train.batch_size items, cuts an epoch's last batch to whole
 * packs (512 = 3 x 150 + 62: a last batch of 60) and counts epochs in those batches. */
START_TEST(pack_draws_m_times_the_batch)
{
    const char *ov[] = {"model.pack=3", "train.batch_size=50", "train.steps=0", "train.epochs=2"};
    gl_cfg *cfg = load("bce", 1, tmp, "pack", ov, 4);
    gl_session *s;
    gl_error err;
    gl_error_init(&err);
    ck_assert_msg(gl_session_create(cfg, reg, &s, &err) == GL_OK, "%s", err.text);
    ck_assert_int_eq(s->pack, 3);
    ck_assert_int_eq(s->batch, 150);
    ck_assert_uint_eq(gl_session_total_steps(s, cfg), 8);
    gl_loss_result d, g;
    const int sizes[5] = {150, 150, 150, 60, 150};
    for (int i = 0; i < 5; i++) {
        ck_assert_msg(gl_session_step(s, &d, &g, &err) == GL_OK, "%s", err.text);
        ck_assert_int_eq(s->last_batch, sizes[i]);
        ck_assert_int_eq(s->st.epoch, i < 4 ? 0 : 1);
    }
    gl_session_destroy(s);
    gl_cfg_destroy(cfg);
}
END_TEST

int main(void)
{
    Suite *su = suite_create("train");
    TCase *tc = tcase_create("train");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, run_directory_files);
    tcase_add_test(tc, resume_equals_uninterrupted_bce);
    tcase_add_test(tc, resume_equals_uninterrupted_wgan_gp);
    tcase_add_test(tc, resume_equals_uninterrupted_spectral_norm);
    tcase_add_test(tc, resume_refuses_changed_config);
    tcase_add_test(tc, damaged_and_foreign_checkpoints_refused);
    tcase_add_test(tc, diverging_run_stops_with_the_term);
    tcase_add_test(tc, steady_state_step_does_not_allocate);
    tcase_add_loop_test(tc, linear_lr_decay_scales_the_updates, 0, 2);
    tcase_add_test(tc, r1_r2_penalties_in_the_step);
    tcase_add_test(tc, unrolled_steps_leave_d_as_it_was);
    tcase_add_test(tc, resume_equals_uninterrupted_unrolled);
    tcase_add_test(tc, instance_noise_on_every_d_input);
    tcase_add_test(tc, pack_draws_m_times_the_batch);
    suite_add_tcase(su, tc);
    SRunner *sr = srunner_create(su);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? 1 : 0;
}

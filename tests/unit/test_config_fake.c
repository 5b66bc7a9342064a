/* test_config_fake.c - the fake plugin schemas and the directory helpers of test_config_fake.h. */
#include "test_config_fake.h"

#include <check.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const gl_param_spec toy2d[] = {
    {"mixture", GL_PARAM_CHOICE, "ring", 0, GL_NO_RANGE, "ring|grid", "layout of the modes"},
    {"modes", GL_PARAM_INT, "8", 0, 1, 1000, NULL, "number of modes"},
    {"std", GL_PARAM_FLOAT, "0.02", 0, 0, 10, NULL, "spread of a mode"},
    {"file", GL_PARAM_PATH, "", 0, GL_NO_RANGE, NULL, "optional points file"},
    {NULL, 0, NULL, 0, GL_NO_RANGE, NULL, NULL}};

static const gl_param_spec folder[] = {
    {"path", GL_PARAM_PATH, NULL, 1, GL_NO_RANGE, NULL, "image directory"},
    {NULL, 0, NULL, 0, GL_NO_RANGE, NULL, NULL}};

static const gl_param_spec mlp[] = {
    {"g_hidden", GL_PARAM_INT_LIST, "[256, 512]", 0, 1, 65536, NULL, "generator widths"},
    {"d_hidden", GL_PARAM_INT_LIST, "[512, 256]", 0, 1, 65536, NULL, "discriminator widths"},
    {"latent_dim", GL_PARAM_INT, "64", 0, 1, 4096, NULL, "noise size"},
    {"gains", GL_PARAM_FLOAT_LIST, "[1.0, 0.5]", 0, GL_NO_RANGE, NULL, "init gains"},
    {"batch_norm", GL_PARAM_BOOL, "false", 0, GL_NO_RANGE, NULL, "batch norm in G"},
    {"tag", GL_PARAM_STRING, "plain text", 0, GL_NO_RANGE, NULL, "free text"},
    {NULL, 0, NULL, 0, GL_NO_RANGE, NULL, NULL}};

static const gl_param_spec wgan_gp[] = {
    {"lambda", GL_PARAM_FLOAT, "10", 0, 0, 1e6, NULL, "gradient penalty weight"},
    {"center", GL_PARAM_FLOAT, "1.0", 0, GL_NO_RANGE, NULL, "target gradient norm"},
    {NULL, 0, NULL, 0, GL_NO_RANGE, NULL, NULL}};

static const gl_param_spec bce[] = {
    {"label_smoothing", GL_PARAM_FLOAT, "0", 0, 0, 1, NULL, "one-sided smoothing"},
    {NULL, 0, NULL, 0, GL_NO_RANGE, NULL, NULL}};

static const gl_param_spec adam[] = {
    {"lr", GL_PARAM_FLOAT, "0.0002", 0, 0, 1, NULL, "learning rate"},
    {"beta1", GL_PARAM_FLOAT, "0.5", 0, 0, 1, NULL, "first moment decay"},
    {"beta2", GL_PARAM_FLOAT, "0.999", 0, 0, 1, NULL, "second moment decay"},
    {NULL, 0, NULL, 0, GL_NO_RANGE, NULL, NULL}};

static const gl_param_spec sgd[] = {{"lr", GL_PARAM_FLOAT, "0.01", 0, 0, 1, NULL, "learning rate"},
                                    {NULL, 0, NULL, 0, GL_NO_RANGE, NULL, NULL}};

static const struct {
    gl_plugin_kind kind;
    const char *name;
    const gl_param_spec *schema;
} plugins[] = {
    {GL_KIND_DATASET, "toy2d", toy2d}, {GL_KIND_DATASET, "folder", folder},
    {GL_KIND_MODEL, "mlp", mlp},       {GL_KIND_LOSS, "wgan_gp", wgan_gp},
    {GL_KIND_LOSS, "bce", bce},        {GL_KIND_OPTIMIZER, "adam", adam},
    {GL_KIND_OPTIMIZER, "sgd", sgd},
};

int fake_lookup(void *ud, const char *section, gl_plugin_kind kind, const char *plugin_name,
                const char *where, const gl_param_spec **schema, gl_error *err)
{
    for (size_t i = 0; i < sizeof plugins / sizeof plugins[0]; i++)
        if (plugins[i].kind == kind && strcmp(plugins[i].name, plugin_name) == 0) {
            *schema = plugins[i].schema;
            return GL_OK;
        }
    return gl_error_add(err, GL_ERR_INPUT, "%s: no %s plugin '%s'", where, section, plugin_name);
}

const char *cd_fixtures(void)
{
    static char dir[PATH_MAX];
    const char *src = getenv("GL_SRCDIR");
    snprintf(dir, sizeof dir, "%s/tests/data/config", src ? src : ".");
    ck_assert_msg(chdir(dir) == 0, "cannot enter %s", dir);
    return dir;
}

static char scratch[64];
static char *written[64];
static int n_written;

const char *cd_scratch(void)
{
    snprintf(scratch, sizeof scratch, "/tmp/ganlab-cfgtest-XXXXXX");
    ck_assert_ptr_nonnull(mkdtemp(scratch));
    ck_assert_int_eq(chdir(scratch), 0);
    return scratch;
}

void write_file(const char *name, const char *text, long len)
{
    FILE *f = fopen(name, "wb");
    ck_assert_ptr_nonnull(f);
    size_t n = len < 0 ? strlen(text) : (size_t)len;
    ck_assert_uint_eq(fwrite(text, 1, n, f), n);
    ck_assert_int_eq(fclose(f), 0);
    if (n_written < 64)
        written[n_written++] = strdup(name);
}

void cleanup_scratch(void)
{
    if (!scratch[0])
        return;
    if (chdir(scratch) == 0)
        for (int i = 0; i < n_written; i++)
            unlink(written[i]);
    for (int i = 0; i < n_written; i++)
        free(written[i]);
    n_written = 0;
    if (chdir("/") == 0)
        rmdir(scratch);
    scratch[0] = '\0';
}

int load_valid(const char *path, const char *const *overrides, int n, gl_cfg **cfg, gl_error *err)
{
    int rc = gl_cfg_load(path, overrides, n, cfg, err);
    if (rc != GL_OK)
        return rc;
    return gl_cfg_validate(*cfg, fake_lookup, NULL, err);
}

char *emit_string(const gl_cfg *cfg)
{
    char *text = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&text, &len);
    ck_assert_ptr_nonnull(f);
    gl_error err;
    gl_error_init(&err);
    int rc = gl_cfg_emit(cfg, f, &err);
    fclose(f);
    ck_assert_msg(rc == GL_OK, "emit failed: %s", err.text);
    return text;
}

/* fixture.c - test scaffolding (see fixture.h): the ".tensors" reader, tolerance checks, plugin
 * loading from the build tree and gl_params from YAML through the real config system.
 *
 * The ".tensors" reader trusts nothing: every length is checked against what is left of the file,
 * so a damaged fixture fails the test with a message instead of reading out of bounds.
 */
#include "fixture.h"

#include <dirent.h>
#include <dlfcn.h>
#include <ftw.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define FX_MAGIC "GLTENSR1"

/* ---------------------------------------------------------------- tensors files */

/* IEEE binary16 -> float, exactly (every half is a float). */
static float half_to_float(uint16_t h)
{
    int sign = h >> 15, exp = (h >> 10) & 0x1f, man = h & 0x3ff;
    float v;
    if (exp == 0)
        v = ldexpf((float)man, -24);
    else if (exp == 31)
        v = man ? NAN : INFINITY;
    else
        v = ldexpf((float)(man | 0x400), exp - 25);
    return sign ? -v : v;
}

/* A cursor over the file's bytes; every take() is bounds-checked. */
typedef struct reader {
    const uint8_t *p, *end;
} reader;

static const uint8_t *take(reader *r, size_t n)
{
    if ((size_t)(r->end - r->p) < n)
        return NULL;
    const uint8_t *at = r->p;
    r->p += n;
    return at;
}

static uint32_t le32(const uint8_t *b)
{
    return (uint32_t)b[0] | (uint32_t)b[1] << 8 | (uint32_t)b[2] << 16 | (uint32_t)b[3] << 24;
}

/* Reads one tensor record into t (allocations owned by t, freed by fx_free). */
static int read_tensor(reader *r, fx_tensor *t, const char *path, gl_error *err)
{
    const uint8_t *b = take(r, 2);
    size_t name_len = b ? (size_t)(b[0] | b[1] << 8) : 0;
    const uint8_t *name = b ? take(r, name_len) : NULL;
    const uint8_t *head = name ? take(r, 2) : NULL;
    if (!head || head[1] < 1 || head[1] > 4 || (head[0] != 1 && head[0] != 2))
        return gl_error_add(err, GL_ERR_INPUT, "%s: corrupt tensor header", path);
    t->name = strndup((const char *)name, name_len);
    t->ndim = head[1];
    t->n = 1;
    for (int i = 0; i < t->ndim; i++) {
        const uint8_t *d = take(r, 4);
        if (!d || le32(d) == 0 || le32(d) > (1u << 28))
            return gl_error_add(err, GL_ERR_INPUT, "%s: %s: bad dimension", path, t->name);
        t->dims[i] = (int)le32(d);
        t->n *= (size_t)t->dims[i];
    }
    size_t width = head[0] == 1 ? 4 : 2;
    const uint8_t *data = t->n <= ((size_t)1 << 30) ? take(r, t->n * width) : NULL;
    t->data = malloc(t->n * sizeof *t->data);
    if (!data || !t->data || !t->name)
        return gl_error_add(err, GL_ERR_INPUT, "%s: %s: truncated data or out of memory", path,
                            t->name ? t->name : "?");
    for (size_t i = 0; i < t->n; i++) {
        if (width == 4) {
            uint32_t u = le32(data + 4 * i);
            memcpy(&t->data[i], &u, 4);
        } else {
            t->data[i] = half_to_float((uint16_t)(data[2 * i] | data[2 * i + 1] << 8));
        }
    }
    return GL_OK;
}

/* The whole file in a malloc'ed buffer (the caller frees it). */
static int slurp(const char *path, uint8_t **buf, size_t *len, gl_error *err)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return gl_error_add(err, GL_ERR_INPUT,
                            "%s: cannot open (run tests/reference/"
                            "make_fixtures.py?)",
                            path);
    fseek(f, 0, SEEK_END);
    long size = ftell(f);
    fseek(f, 0, SEEK_SET);
    *buf = size > 0 ? malloc((size_t)size) : NULL;
    int ok = *buf && fread(*buf, 1, (size_t)size, f) == (size_t)size;
    fclose(f);
    if (!ok) {
        free(*buf);
        *buf = NULL;
        return gl_error_add(err, GL_ERR_INPUT, "%s: cannot read", path);
    }
    *len = (size_t)size;
    return GL_OK;
}

int fx_load(const char *path, fx_file *f, gl_error *err)
{
    char full[4096];
    const char *src = getenv("GL_SRCDIR");
    if (strchr(path, '/'))
        snprintf(full, sizeof full, "%s", path);
    else
        snprintf(full, sizeof full, "%s/tests/reference/fixtures/%s", src ? src : ".", path);
    memset(f, 0, sizeof *f);
    uint8_t *buf;
    size_t len;
    int rc = slurp(full, &buf, &len, err);
    if (rc != GL_OK)
        return rc;
    reader r = {buf, buf + len};
    const uint8_t *magic = take(&r, 8), *count = take(&r, 4);
    if (!magic || memcmp(magic, FX_MAGIC, 8) != 0 || !count || le32(count) > 100000) {
        free(buf);
        return gl_error_add(err, GL_ERR_INPUT, "%s: not a tensors file", full);
    }
    f->t = calloc(le32(count), sizeof *f->t);
    for (uint32_t i = 0; rc == GL_OK && f->t && i < le32(count); i++) {
        rc = read_tensor(&r, &f->t[i], full, err);
        f->n = (int)i + 1;
    }
    if (rc == GL_OK && (!f->t || r.p != r.end))
        rc = gl_error_add(err, GL_ERR_INPUT, "%s: trailing bytes or out of memory", full);
    free(buf);
    if (rc != GL_OK)
        fx_free(f);
    return rc;
}

void fx_free(fx_file *f)
{
    for (int i = 0; i < f->n; i++) {
        free(f->t[i].name);
        free(f->t[i].data);
    }
    free(f->t);
    f->t = NULL;
    f->n = 0;
}

const fx_tensor *fx_find(const fx_file *f, const char *name)
{
    for (int i = 0; i < f->n; i++)
        if (strcmp(f->t[i].name, name) == 0)
            return &f->t[i];
    return NULL;
}

int fx_match(const float *got, size_t n, const fx_tensor *want, double tol, char *msg, size_t cap)
{
    if (!want || !got || n != want->n) {
        snprintf(msg, cap, "%s: %zu values computed, fixture has %zu",
                 want ? want->name : "(missing tensor)", n, want ? want->n : 0);
        return 0;
    }
    double scale = 1e-30, worst = -1.0;
    size_t at = 0;
    for (size_t i = 0; i < n; i++)
        scale = fmax(scale, fabs(want->data[i]));
    for (size_t i = 0; i < n; i++) {
        double d = fabs((double)got[i] - want->data[i]);
        if (!(d <= worst)) /* also catches NaN */
            worst = d, at = i;
        if (isnan(d))
            break;
    }
    if (worst <= tol * scale)
        return 1;
    snprintf(msg, cap,
             "%s: element %zu is %.9g, PyTorch says %.9g (|diff| %.3g > %.1g x max|x| %.3g)",
             want->name, at, got[at], want->data[at], worst, tol, scale);
    return 0;
}

/* ---------------------------------------------------------------- plugins */

int fx_plugin_open(fx_plugin *p, const char *kind_dir, const char *name, gl_plugin_kind kind,
                   gl_error *err)
{
    char path[4096];
    const char *build = getenv("GL_BUILDDIR");
    snprintf(path, sizeof path, "%s/plugins/%s/.libs/%s.so", build ? build : ".", kind_dir, name);
    memset(p, 0, sizeof *p);
    p->handle = dlopen(path, RTLD_NOW | RTLD_LOCAL);
    if (!p->handle)
        return gl_error_add(err, GL_ERR_INPUT, "%s", dlerror());
    gl_plugin_entry_fn entry;
    *(void **)&entry = dlsym(p->handle, GL_PLUGIN_ENTRY_SYMBOL);
    p->hdr = entry ? entry() : NULL;
    if (!p->hdr || p->hdr->abi_version != GL_ABI_VERSION || p->hdr->kind != (uint32_t)kind ||
        strcmp(p->hdr->name, name) != 0) {
        fx_plugin_close(p);
        return gl_error_add(err, GL_ERR_INPUT, "%s: not a %s plugin named %s of ABI %u", path,
                            kind_dir, name, GL_ABI_VERSION);
    }
    return GL_OK;
}

void fx_plugin_close(fx_plugin *p)
{
    if (p->handle)
        dlclose(p->handle);
    p->handle = NULL;
    p->hdr = NULL;
}

/* The lookup the config validator calls: hdr's schema for hdr's plugin, no parameters for the
 * "stub" plugins that fill the sections a test does not care about. */
static int lookup_one(void *ud, const char *section, gl_plugin_kind kind, const char *plugin_name,
                      const char *where, const gl_param_spec **schema, gl_error *err)
{
    const gl_plugin_header *hdr = ud;
    if (strcmp(plugin_name, "stub") == 0) {
        *schema = NULL;
        return GL_OK;
    }
    if (kind != (gl_plugin_kind)hdr->kind || strcmp(plugin_name, hdr->name) != 0)
        return gl_error_add(err, GL_ERR_INPUT,
                            "%s: plugin '%s' for section '%s' is not loaded "
                            "in this test",
                            where, plugin_name, section);
    *schema = hdr->params;
    return GL_OK;
}

/* A complete experiment (the validator wants every section), which the test's yaml overrides
 * through `base:`. */
static const char stub_base[] =
    "dataset: {plugin: stub}\n"
    "model: {plugin: stub}\n"
    "loss: {plugin: stub}\n"
    "optimizer: {generator: {plugin: stub}, discriminator: {plugin: stub}}\n"
    "train: {steps: 1}\n";

static int write_text(const char *dir, const char *name, const char *a, const char *b, char *path,
                      size_t cap, gl_error *err)
{
    snprintf(path, cap, "%s/%s", dir, name);
    FILE *f = fopen(path, "w");
    if (!f)
        return gl_error_add(err, GL_ERR_INPUT, "%s: cannot write", path);
    fputs(a, f);
    fputs(b, f);
    return fclose(f) == 0 ? GL_OK : gl_error_add(err, GL_ERR_INPUT, "%s: cannot write", path);
}

int fx_params(const char *dir, const char *yaml, const gl_plugin_header *hdr, gl_cfg **cfg,
              gl_error *err)
{
    char path[4096];
    *cfg = NULL;
    int rc = write_text(dir, "stub_base.yaml", stub_base, "", path, sizeof path, err);
    if (rc == GL_OK)
        rc = write_text(dir, "experiment.yaml", "base: stub_base.yaml\n", yaml, path, sizeof path,
                        err);
    if (rc == GL_OK)
        rc = gl_cfg_load(path, NULL, 0, cfg, err);
    if (rc == GL_OK)
        rc = gl_cfg_validate(*cfg, lookup_one, (void *)hdr, err);
    if (rc != GL_OK && *cfg) {
        gl_cfg_destroy(*cfg);
        *cfg = NULL;
    }
    return rc;
}

int fx_dataset_open(fx_dataset *d, const char *name, const char *dir, const char *yaml,
                    uint64_t seed, gl_error *err)
{
    memset(d, 0, sizeof *d);
    int rc = fx_plugin_open(&d->plugin, "dataset", name, GL_KIND_DATASET, err);
    if (rc == GL_OK) {
        d->ds = (const gl_dataset_plugin *)d->plugin.hdr;
        rc = fx_params(dir, yaml, d->plugin.hdr, &d->cfg, err);
    }
    if (rc == GL_OK)
        rc = d->ds->open(gl_cfg_params(d->cfg, "dataset"), seed, &d->self, &d->info, err);
    if (rc != GL_OK)
        fx_dataset_close(d);
    return rc;
}

void fx_dataset_close(fx_dataset *d)
{
    if (d->ds && d->self)
        d->ds->close(d->self);
    d->self = NULL;
    d->ds = NULL;
    if (d->cfg)
        gl_cfg_destroy(d->cfg);
    d->cfg = NULL;
    fx_plugin_close(&d->plugin);
}

int fx_tempdir(char *buf, size_t cap)
{
    const char *tmp = getenv("TMPDIR");
    snprintf(buf, cap, "%s/ganlab-test-XXXXXX", tmp && *tmp ? tmp : "/tmp");
    return mkdtemp(buf) ? GL_OK : GL_ERR_INPUT;
}

static int remove_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    return remove(path);
}

void fx_rmtree(const char *dir) { nftw(dir, remove_one, 16, FTW_DEPTH | FTW_PHYS); }

int fx_count_files(const char *dir, char *last, size_t cap)
{
    DIR *dp = opendir(dir);
    int n = 0;
    for (struct dirent *e; dp && (e = readdir(dp));)
        if (e->d_name[0] != '.' && ++n && last)
            snprintf(last, cap, "%s/%s", dir, e->d_name);
    if (dp)
        closedir(dp);
    return n;
}

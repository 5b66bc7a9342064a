/* provenance.c - see train/provenance.h. run.json is written by hand (a fixed set of fields, one
 * per line) and read with util/json.h; on a resume or a finish the earlier content is read back
 * and copied, so the record of the first start and of every resume is kept. */
#include "train/provenance.h"

#include <cblas.h>
#include <libgen.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <ganlab/tensor.h>

#include "config.h"
#include "util/atomic.h"
#include "util/json.h"
#include "util/sha256.h"

/* The instruction-set extensions that change which kernels OpenBLAS and the compiler use. */
static const char *const isa[] = {"sse4_2",  "avx",      "avx2",        "fma",         "f16c",
                                  "avx512f", "avx512bw", "avx512_vnni", "avx512_bf16", "amx_tile",
                                  "asimd",   "sve",      NULL};

static void iso_now(char *buf, size_t cap)
{
    time_t t = time(NULL);
    struct tm tm;
    gmtime_r(&t, &tm);
    strftime(buf, cap, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

static void json_key(FILE *f, const char *key, int first)
{
    fputs(first ? "  " : ",\n  ", f);
    gl_json_write_string(f, key);
    fputs(": ", f);
}

static void string_array(FILE *f, const char *const *s, int n)
{
    fputc('[', f);
    for (int i = 0; i < n; i++) {
        if (i)
            fputs(", ", f);
        gl_json_write_string(f, s[i]);
    }
    fputc(']', f);
}

/* {"model": "...", "features": [...]} from /proc/cpuinfo (x86 "model name"/"flags", Arm
 * "Features"; empty where there is none). */
static void cpu(FILE *f)
{
    char model[256] = "", flags[8192] = "", line[8192];
    FILE *c = fopen("/proc/cpuinfo", "r");
    while (c && fgets(line, sizeof line, c)) {
        char *colon = strchr(line, ':');
        if (!colon)
            continue;
        char *v = colon + 1 + (colon[1] == ' ');
        v[strcspn(v, "\n")] = '\0';
        if (!model[0] && strncmp(line, "model name", 10) == 0)
            snprintf(model, sizeof model, "%s", v);
        else if (!flags[0] && (strncmp(line, "flags", 5) == 0 || strncmp(line, "Features", 8) == 0))
            snprintf(flags, sizeof flags, " %s ", v);
    }
    if (c)
        fclose(c);
    fputs("{\"model\": ", f);
    gl_json_write_string(f, model);
    fputs(", \"features\": [", f);
    int n = 0;
    for (const char *const *x = isa; *x; x++) {
        char word[64];
        snprintf(word, sizeof word, " %s ", *x);
        if (strstr(flags, word))
            fprintf(f, "%s\"%s\"", n++ ? ", " : "", *x);
    }
    fputs("]}", f);
}

/* {"kind", "name", "path", "sha256"} for one plugin cfg names. */
static int plugin(FILE *f, const gl_registry *reg, gl_plugin_kind kind, const char *name,
                  const char *section, int first, gl_error *err)
{
    const gl_registry_entry *e;
    char hex[65];
    if (gl_registry_find(reg, kind, name, section, NULL, &e, err) != GL_OK ||
        gl_sha256_file(e->path, hex, err) != GL_OK)
        return err->status;
    char *real = realpath(e->path, NULL); /* freed below */
    fputs(first ? "\n    {\"kind\": " : ",\n    {\"kind\": ", f);
    gl_json_write_string(f, gl_plugin_kind_name(kind));
    fputs(", \"name\": ", f);
    gl_json_write_string(f, name);
    fputs(", \"path\": ", f);
    gl_json_write_string(f, real ? real : e->path);
    fprintf(f, ", \"sha256\": \"%s\"}", hex);
    free(real);
    return GL_OK;
}

#define MAX_PLUGINS 64

static int plugins(FILE *f, const gl_cfg *cfg, const gl_registry *reg, gl_error *err)
{
    /* Every (kind, section or evaluator, name) the config uses; one entry per kind and name. */
    gl_plugin_kind kinds[MAX_PLUGINS];
    const char *names[MAX_PLUGINS], *sections[MAX_PLUGINS];
    int n = 0;
    for (const char *const *s = gl_cfg_plugin_sections; *s && n < MAX_PLUGINS; s++, n++) {
        kinds[n] = gl_cfg_section_kind(*s);
        names[n] = gl_cfg_plugin(cfg, *s);
        sections[n] = *s;
    }
    for (size_t i = 0; i < gl_cfg_n_evaluators(cfg) && n < MAX_PLUGINS; i++, n++) {
        kinds[n] = GL_KIND_EVALUATOR;
        names[n] = gl_cfg_evaluator_plugin(cfg, i);
        sections[n] = GL_CFG_EVALUATORS;
    }
    fputc('[', f);
    int rc = GL_OK, written = 0;
    for (int i = 0; rc == GL_OK && i < n; i++) {
        int seen = 0;
        for (int j = 0; j < i; j++)
            seen |= kinds[j] == kinds[i] && strcmp(names[j], names[i]) == 0;
        if (!seen)
            rc = plugin(f, reg, kinds[i], names[i], sections[i], written++ == 0, err);
    }
    fputs("\n  ]", f);
    return rc;
}

/* The fields a start writes, at the top level of a new run and in each resume entry. */
static void process_fields(FILE *f, const gl_provenance *p, const char *now, int first)
{
    char host[256] = "";
    gethostname(host, sizeof host - 1);
    json_key(f, "version", first);
    gl_json_write_string(f, PACKAGE_VERSION);
    json_key(f, "git", 0);
    if (GL_GIT_DESCRIBE[0])
        gl_json_write_string(f, GL_GIT_DESCRIBE);
    else
        fputs("null", f);
    json_key(f, "command", 0);
    string_array(f, p->argv, p->argc);
    json_key(f, "overrides", 0);
    string_array(f, p->overrides, p->n_overrides);
    json_key(f, "host", 0);
    gl_json_write_string(f, host);
    json_key(f, "cpu", 0);
    cpu(f);
    json_key(f, "backend", 0);
    char backend[512];
    snprintf(backend, sizeof backend, "%s (core %s)", openblas_get_config(),
             openblas_get_corename());
    gl_json_write_string(f, backend);
    json_key(f, "threads", 0);
    fprintf(f, "%d", gl_engine_threads());
    json_key(f, "total_steps", 0);
    fprintf(f, "%llu", (unsigned long long)p->total_steps);
    json_key(f, "started", 0);
    gl_json_write_string(f, now);
}

/* The members of o except those named in skip, each as "key": value lines. */
static int copy_members(FILE *f, const gl_json *o, const char *const *skip, int first)
{
    for (size_t i = 0; o && i < o->n; i++) {
        int skipped = 0;
        for (const char *const *s = skip; *s; s++)
            skipped |= strcmp(o->keys[i], *s) == 0;
        if (skipped)
            continue;
        json_key(f, o->keys[i], first);
        first = 0;
        gl_json_write(f, o->items[i]);
    }
    return first;
}

static void path_of(const char *dir, char *path, size_t cap)
{
    snprintf(path, cap, "%s/run.json", dir);
}

/* A resume entry from the changes text: step, the process fields, changes, forced. */
static void resume_entry(FILE *f, const gl_provenance *p, uint64_t step, const char *now)
{
    fprintf(f, "{\n  \"step\": %llu,\n", (unsigned long long)step);
    process_fields(f, p, now, 1);
    json_key(f, "finished", 0);
    fputs("null", f);
    json_key(f, "forced", 0);
    fputs(p->forced ? "true" : "false", f);
    json_key(f, "changes", 0);
    fputc('[', f);
    int n = 0;
    for (const char *c = p->changes; c && *c;) {
        size_t len = strcspn(c, "\n");
        char line[1024];
        snprintf(line, sizeof line, "%.*s", (int)len, c);
        fputs(n++ ? ", " : "", f);
        gl_json_write_string(f, line);
        c += len + (c[len] == '\n');
    }
    fputs("]}", f);
}

/* Reads dir/run.json into *old (NULL when absent and optional) and opens its atomic replacement
 * in *af; *now gets the time. The caller writes, frees *old and commits or aborts. */
static int rewrite_open(const char *dir, int optional, gl_json **old, gl_atomic_file *af,
                        char now[32], gl_error *err)
{
    char path[4096];
    path_of(dir, path, sizeof path);
    iso_now(now, 32);
    *old = NULL;
    if (!(optional && access(path, F_OK) != 0) && gl_json_load(path, old, err) != GL_OK)
        return err->status;
    if (gl_atomic_open(af, path, err) != GL_OK) {
        gl_json_free(*old);
        *old = NULL;
        return GL_ERR_RUN;
    }
    return GL_OK;
}

/* The "resumes" member from old's list; the last entry gets finished = finished_now when that is
 * not NULL (this process finished), and entry `add` (not NULL) is appended after them. */
static void resumes(FILE *f, const gl_json *old, const char *finished_now,
                    void (*add)(FILE *, const void *), const void *add_ud)
{
    json_key(f, "resumes", 0);
    fputc('[', f);
    const gl_json *rs = gl_json_get(old, "resumes");
    size_t n = rs && rs->type == GL_JSON_ARRAY ? rs->n : 0;
    for (size_t i = 0; i < n; i++) {
        fputs(i ? ",\n    " : "\n    ", f);
        const gl_json *r = rs->items[i];
        if (!finished_now || i + 1 < n || r->type != GL_JSON_OBJECT) {
            gl_json_write(f, r);
            continue;
        }
        static const char *const fin[] = {"finished", NULL};
        fputs("{\n", f);
        json_key(f, "finished", copy_members(f, r, fin, 1));
        gl_json_write_string(f, finished_now);
        fputs("}", f);
    }
    if (add) {
        fputs(n ? ",\n    " : "\n    ", f);
        add(f, add_ud);
    }
    fputs(n || add ? "\n  ]\n}\n" : "]\n}\n", f);
}

typedef struct resume_ud {
    const gl_provenance *p;
    uint64_t step;
    const char *now;
} resume_ud;

static void add_resume(FILE *f, const void *ud)
{
    const resume_ud *r = ud;
    resume_entry(f, r->p, r->step, r->now);
}

int gl_provenance_start(const char *dir, const gl_cfg *cfg, const gl_registry *reg,
                        const gl_provenance *p, int resumed, uint64_t step, gl_error *err)
{
    char now[32];
    gl_json *old;
    gl_atomic_file af;
    /* A run directory from before run.json existed gets a new record at its resume. */
    if (rewrite_open(dir, 1, &old, &af, now, err) != GL_OK)
        return err->status;
    FILE *f = af.fp;
    fputs("{\n", f);
    if (resumed && old) {
        static const char *const skip[] = {"finished", "plugins", "resumes", NULL};
        copy_members(f, old, skip, 1);
    } else {
        process_fields(f, p, now, 1);
    }
    json_key(f, "finished", 0);
    fputs("null", f);
    json_key(f, "plugins", 0);
    int rc = plugins(f, cfg, reg, err);
    resume_ud ud = {p, step, now};
    resumes(f, resumed ? old : NULL, NULL, resumed ? add_resume : NULL, &ud);
    gl_json_free(old);
    if (rc != GL_OK) {
        gl_atomic_abort(&af);
        return rc;
    }
    return gl_atomic_commit(&af, err);
}

int gl_provenance_finish(const char *dir, gl_error *err)
{
    char now[32];
    gl_json *old;
    gl_atomic_file af;
    if (rewrite_open(dir, 0, &old, &af, now, err) != GL_OK)
        return err->status;
    FILE *f = af.fp;
    static const char *const skip[] = {"finished", "resumes", NULL};
    fputs("{\n", f);
    json_key(f, "finished", copy_members(f, old, skip, 1));
    gl_json_write_string(f, now);
    /* The last resume is this process: it finished now. */
    resumes(f, old, now, NULL, NULL);
    gl_json_free(old);
    return gl_atomic_commit(&af, err);
}

int gl_provenance_plugin_dirs(const char *dir, const gl_registry *reg, char ***dirs, int *n,
                              gl_error *err)
{
    *dirs = NULL;
    *n = 0;
    char path[4096];
    path_of(dir, path, sizeof path);
    gl_json *root = NULL;
    if (access(path, F_OK) != 0)
        return GL_OK;
    if (gl_json_load(path, &root, err) != GL_OK)
        return err->status;
    const gl_json *ps = gl_json_get(root, "plugins");
    size_t cap = ps && ps->type == GL_JSON_ARRAY ? ps->n : 0;
    int rc = GL_OK;
    /* Freed by the caller with gl_plugin_dirs_free. */
    char **out = calloc(cap ? cap : 1, sizeof *out);
    if (!out)
        rc = gl_error_add(err, GL_ERR_RUN, "out of memory");
    for (size_t i = 0; rc == GL_OK && i < cap; i++) {
        const gl_json *e = ps->items[i];
        const char *kind = gl_json_string(e, "kind"), *name = gl_json_string(e, "name");
        const char *file = gl_json_string(e, "path"), *sum = gl_json_string(e, "sha256");
        if (!kind || !name || !file || !sum) {
            rc = gl_error_add(err, GL_ERR_INPUT,
                              "%s: plugins[%zu] lacks kind, name, path or sha256", path, i);
            break;
        }
        uint32_t k = 1;
        while (gl_plugin_kind_name(k) && strcmp(gl_plugin_kind_name(k), kind) != 0)
            k++;
        gl_error quiet;
        gl_error_init(&quiet);
        const gl_registry_entry *found;
        if (!gl_plugin_kind_name(k) ||
            gl_registry_find(reg, (gl_plugin_kind)k, name, NULL, NULL, &found, &quiet) == GL_OK)
            continue;
        char hex[65];
        if (gl_sha256_file(file, hex, err) != GL_OK) {
            rc = gl_error_add(err, GL_ERR_INPUT,
                              "%s: the %s plugin '%s' is not on the plugin search path and its "
                              "recorded file is gone; give --plugin-path",
                              path, kind, name);
            break;
        }
        if (strcmp(hex, sum) != 0) {
            rc = gl_error_add(err, GL_ERR_INPUT,
                              "%s: SHA-256 %s differs from the %s recorded in %s: the plugin "
                              "changed since the run; rebuild it from the run's source or give "
                              "--plugin-path",
                              file, hex, sum, path);
            break;
        }
        char *copy = strdup(file);
        if (!copy || !(out[*n] = strdup(dirname(copy))))
            rc = gl_error_add(err, GL_ERR_RUN, "out of memory");
        else
            fprintf(stderr,
                    "[ganlab] %s plugin '%s' loaded from %s, recorded in %s (SHA-256 "
                    "checked)\n",
                    kind, name, file, path);
        free(copy);
        if (rc == GL_OK)
            (*n)++;
    }
    gl_json_free(root);
    if (rc != GL_OK) {
        gl_plugin_dirs_free(out, *n);
        *n = 0;
        return rc;
    }
    *dirs = out;
    return GL_OK;
}

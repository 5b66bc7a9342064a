/* load.c - gl_cfg_load: a config file, its `base:` layers and the command-line overrides, merged
 * into one tree; then the defaults that are computed rather than declared, and the structural
 * checks that need no schema.
 *
 * Composition: a file's `base:` (one name or a list) names files read first, in order, each merged
 * over the previous, and the file itself merged last (node.c has the merge rule). Base names are
 * relative to the including file. A file that is already being read further up the chain is a cycle
 * (compared by realpath); the same file reached twice by different branches is fine, but the number
 * of files read in all is bounded so that a "diamond" fan-out cannot explode.
 *
 * Overrides: "a.b.c=VALUE", VALUE parsed as YAML, applied in order as further layers; paths in them
 * are relative to the working directory.
 *
 * This file does not type values: the validator does that, knowing the schemas.
 */
#include "config/cfg_internal.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define THREADS_ENV "GANLAB_THREADS"
#define HPARAMS_ENV "GANLAB_HPARAMS"

typedef struct loader {
    gl_cfg *cfg;
    gl_error *err;
    char *chain[GL_CFG_MAX_BASE_DEPTH]; /* realpaths of the files being read, outermost first */
    const char *names[GL_CFG_MAX_BASE_DEPTH]; /* the same files as named in messages */
    int depth;
    int files;
} loader;

static int oom(gl_error *err)
{
    return gl_error_add(err, GL_ERR_INPUT, "out of memory reading the config");
}

static int cycle_error(loader *L, const gl_cfg_node *ref, int from, const char *name)
{
    gl_cfg_sb chain = {0};
    for (int i = from; i < L->depth; i++)
        gl_cfg__sb_add(&chain, "%s -> ", L->names[i]);
    gl_cfg__sb_add(&chain, "%s", name);
    int rc = gl_cfg__fault(L->err, ref, 0, "base cycle: %s", chain.failed ? name : chain.s);
    free(chain.s);
    return rc;
}

static int load_file(loader *L, const char *name, const gl_cfg_node *ref, gl_cfg_node **out);

/* Removes root's `base:` and reads the files it names, merged in order, into *acc (NULL when
 * there are none). name is root's file, which base names are relative to. */
static int read_bases(loader *L, gl_cfg_node *root, const char *name, gl_cfg_node **acc)
{
    *acc = NULL;
    long at = gl_cfg__node_find(root, "base");
    if (at < 0)
        return GL_OK;
    gl_cfg_node *base = gl_cfg__node_take(root, (size_t)at);
    gl_cfg_node **items = &base;
    size_t n = gl_cfg__is_null(base) ? 0 : 1;
    if (base->kind == GL_CFG_SEQ) {
        items = base->kids;
        n = base->n;
    }
    char *dir = gl_cfg__path_dir(name);
    int rc = dir ? GL_OK : oom(L->err);
    for (size_t k = 0; k < n && rc == GL_OK; k++) {
        const gl_cfg_node *it = items[k];
        if (it->kind != GL_CFG_SCALAR || gl_cfg__is_null(it)) {
            rc = gl_cfg__fault(L->err, it, 0,
                               "'base' must be a file name or a list of file names, not %s",
                               gl_cfg__kind_name(it));
            break;
        }
        if (!it->text[0]) { /* joined to dir it would name the directory */
            rc = gl_cfg__fault(L->err, it, 0, "'base' names an empty file name");
            break;
        }
        char *file = gl_cfg__path_join(dir, it->text);
        gl_cfg_node *layer = NULL;
        rc = file ? load_file(L, file, it, &layer) : oom(L->err);
        free(file);
        if (rc == GL_OK) {
            if (*acc)
                rc = gl_cfg__merge(acc, layer, L->err);
            else
                *acc = layer;
        }
    }
    free(dir);
    gl_cfg__node_free(base);
    if (rc != GL_OK) {
        gl_cfg__node_free(*acc);
        *acc = NULL;
    }
    return rc;
}

/* Reads file `name` and its bases into *out. ref is the `base:` entry that named it (NULL for the
 * config itself), for messages. */
static int load_file(loader *L, const char *name, const gl_cfg_node *ref, gl_cfg_node **out)
{
    *out = NULL;
    if (L->depth == GL_CFG_MAX_BASE_DEPTH)
        return gl_cfg__fault(L->err, ref, 0, "bases nested more than %d files deep",
                             GL_CFG_MAX_BASE_DEPTH);
    if (++L->files > GL_CFG_MAX_FILES)
        return gl_cfg__fault(L->err, ref, 0, "more than %d files read for one config",
                             GL_CFG_MAX_FILES);
    char *real = realpath(name, NULL);
    if (!real) {
        if (ref)
            return gl_cfg__fault(L->err, ref, 0, "cannot read base '%.*s' (%s): %s", GL_CFG_CLIP,
                                 ref->text, name, strerror(errno));
        return gl_error_add(L->err, GL_ERR_INPUT, "cannot read config '%s': %s", name,
                            strerror(errno));
    }
    for (int i = 0; i < L->depth; i++)
        if (strcmp(L->chain[i], real) == 0) {
            free(real);
            return cycle_error(L, ref, i, name);
        }
    char *dir = gl_cfg__path_dir(name);
    char *abs_dir = dir ? gl_cfg__path_join(L->cfg->cwd, dir) : NULL;
    const gl_cfg_origin *org =
        abs_dir ? gl_cfg__origin_new(&L->cfg->origins, GL_CFG_FROM_FILE, name, abs_dir) : NULL;
    free(dir);
    free(abs_dir);
    gl_cfg_node *root = NULL;
    int rc = org ? gl_cfg__read_file(org, &root, L->err) : oom(L->err);
    if (rc == GL_OK && !root && !(root = gl_cfg__node_new(GL_CFG_MAP, org, 1, 1)))
        rc = oom(L->err);
    if (rc == GL_OK && root->kind != GL_CFG_MAP)
        rc = gl_cfg__fault(L->err, root, 0,
                           "the top level of a config must be a mapping of sections, not %s",
                           gl_cfg__kind_name(root));
    if (rc != GL_OK) {
        gl_cfg__node_free(root);
        free(real);
        return rc;
    }
    L->chain[L->depth] = real;
    L->names[L->depth] = org->name;
    L->depth++;
    gl_cfg_node *acc;
    rc = read_bases(L, root, name, &acc);
    L->depth--;
    free(real);
    if (rc != GL_OK) {
        gl_cfg__node_free(root);
        return rc;
    }
    if (acc) {
        rc = gl_cfg__merge(&acc, root, L->err);
        if (rc != GL_OK) {
            gl_cfg__node_free(acc);
            return rc;
        }
        root = acc;
    }
    *out = root;
    return GL_OK;
}

/* Applies one "a.b.c=VALUE" override as a layer over cfg->root. */
static int apply_override(gl_cfg *cfg, const char *text, gl_error *err)
{
    const gl_cfg_origin *org = gl_cfg__origin_new(&cfg->origins, GL_CFG_FROM_OVERRIDE, text,
                                                  cfg->cwd);
    if (!org)
        return oom(err);
    const char *eq = strchr(text, '=');
    if (!eq || eq == text)
        return gl_cfg__fault_at(err, org, 0, 0, "expected KEY=VALUE, e.g. train.batch_size=128");
    const char *part[GL_CFG_MAX_DEPTH];
    size_t plen[GL_CFG_MAX_DEPTH];
    int parts = 0;
    for (const char *k = text;; k += plen[parts - 1] + 1) {
        if (parts == GL_CFG_MAX_DEPTH)
            return gl_cfg__fault_at(err, org, 0, 0, "a key of more than %d parts",
                                    GL_CFG_MAX_DEPTH);
        part[parts] = k;
        plen[parts] = strcspn(k, ".=");
        if (plen[parts++] == 0)
            return gl_cfg__fault_at(err, org, 0, 0, "empty part in the key '%.*s'",
                                    (int)(eq - text), text);
        if (k[plen[parts - 1]] == '=')
            break;
    }
    gl_cfg_node *v;
    int rc = gl_cfg__parse(eq + 1, strlen(eq + 1), org, &v, err);
    if (rc != GL_OK)
        return rc;
    if (!v && !(v = gl_cfg__scalar_new("", 1, org, 0, 0)))
        return oom(err);
    /* Wrap the value in one mapping per key part, innermost first. */
    while (parts-- > 0) {
        gl_cfg_node *m = gl_cfg__node_new(GL_CFG_MAP, org, 0, 0);
        v->key = strndup(part[parts], plen[parts]);
        if (!m || !v->key || gl_cfg__node_append(m, v, err) != GL_OK) {
            gl_cfg__node_free(v);
            free(m);
            return oom(err);
        }
        v = m;
    }
    return gl_cfg__merge(&cfg->root, v, err);
}

/* Sets key of mapping m to a new scalar. */
static int set_scalar(gl_cfg_node *m, const char *key, const char *text, int plain,
                      const gl_cfg_origin *org, gl_error *err)
{
    gl_cfg_node *n = gl_cfg__scalar_new(text, plain, org, 0, 0);
    if (!n || !(n->key = strdup(key))) {
        gl_cfg__node_free(n);
        return oom(err);
    }
    long i = gl_cfg__node_find(m, key);
    if (i < 0) {
        if (gl_cfg__node_append(m, n, err) == GL_OK)
            return GL_OK;
        gl_cfg__node_free(n);
        return GL_ERR_INPUT;
    }
    gl_cfg__node_free(m->kids[i]);
    m->kids[i] = n;
    return GL_OK;
}

/* A null section (`train:` with nothing after it) is an empty mapping. */
static void null_to_map(gl_cfg_node *n)
{
    free(n->text);
    n->text = NULL;
    n->kind = GL_CFG_MAP;
    n->plain = 0;
}

/* The mapping of top-level section `name`, created (empty) when absent; NULL when it is there but
 * not a mapping (check_structure reports it) or on allocation failure (*rc set). */
static gl_cfg_node *section_map(gl_cfg *cfg, const char *name, const gl_cfg_origin *def, int *rc,
                                gl_error *err)
{
    gl_cfg_node *m = gl_cfg__node_get(cfg->root, name);
    if (m && m->kind != GL_CFG_MAP && !gl_cfg__is_null(m))
        return NULL;
    if (!m) {
        if (!(m = gl_cfg__node_new(GL_CFG_MAP, def, 0, 0)) || !(m->key = strdup(name)) ||
            gl_cfg__node_append(cfg->root, m, err) != GL_OK) {
            gl_cfg__node_free(m);
            *rc = oom(err);
            return NULL;
        }
    } else if (m->kind != GL_CFG_MAP) {
        null_to_map(m);
    }
    return m;
}

/* A scalar from the environment variable env (when set and not empty) at section.key, unless an
 * override gave that key: the environment beats the files but not the command line. */
static int from_env(gl_cfg *cfg, gl_cfg_node *section, const char *key, const char *env, int plain,
                    int *set, gl_error *err)
{
    const char *v = getenv(env);
    const gl_cfg_node *given = gl_cfg__node_get(section, key);
    *set = 0;
    if (!v || !*v || (given && !gl_cfg__is_null(given) && given->org->from == GL_CFG_FROM_OVERRIDE))
        return GL_OK;
    gl_cfg_sb text = {0};
    gl_cfg__sb_add(&text, "%s=%s", env, v);
    const gl_cfg_origin *org =
        text.failed ? NULL : gl_cfg__origin_new(&cfg->origins, GL_CFG_FROM_ENV, text.s, cfg->cwd);
    free(text.s);
    *set = 1;
    return org ? set_scalar(section, key, v, plain, org, err) : oom(err);
}

/* experiment.workers as given, so that the default threads share the cores among the workers; 1
 * when unset or not a positive integer (validation reports a bad value later). */
static long workers_given(const gl_cfg_node *exp)
{
    const gl_cfg_node *w = gl_cfg__node_get(exp, "workers");
    if (!w || w->kind != GL_CFG_SCALAR || gl_cfg__is_null(w))
        return 1;
    char *end;
    long v = strtol(w->text, &end, 10);
    return end != w->text && *end == '\0' && v >= 1 ? v : 1;
}

/* experiment.name and experiment.threads, when not given (threads: also when the environment says;
 * else the online cores over experiment.workers); logging.hparams from GANLAB_HPARAMS (a suite's
 * swept keys). */
static int fill_computed(gl_cfg *cfg, gl_error *err)
{
    const gl_cfg_origin *def = gl_cfg__origin_new(&cfg->origins, GL_CFG_FROM_DEFAULT, "default",
                                                  cfg->cwd);
    if (!def)
        return oom(err);
    int rc = GL_OK, set;
    gl_cfg_node *logging = getenv(HPARAMS_ENV) ? section_map(cfg, "logging", def, &rc, err) : NULL;
    if (rc == GL_OK && logging)
        rc = from_env(cfg, logging, "hparams", HPARAMS_ENV, 0, &set, err);
    gl_cfg_node *exp = rc == GL_OK ? section_map(cfg, "experiment", def, &rc, err) : NULL;
    if (!exp)
        return rc;
    const gl_cfg_node *name = gl_cfg__node_get(exp, "name");
    if (!name || gl_cfg__is_null(name)) {
        char *stem = gl_cfg__path_stem(cfg->source);
        rc = stem ? set_scalar(exp, "name", stem, 0, def, err) : oom(err);
        free(stem);
    }
    if (rc == GL_OK)
        rc = from_env(cfg, exp, "threads", THREADS_ENV, 1, &set, err);
    const gl_cfg_node *threads = gl_cfg__node_get(exp, "threads");
    if (rc == GL_OK && !set && (!threads || gl_cfg__is_null(threads))) {
        long per = sysconf(_SC_NPROCESSORS_ONLN) / workers_given(exp);
        char buf[32];
        snprintf(buf, sizeof buf, "%ld", per < 1 ? 1L : per);
        rc = set_scalar(exp, "threads", buf, 1, def, err);
    }
    return rc;
}

/* 1 when some section's name is `name`; 2 when some section's name starts with "name.". */
static int section_class(const gl_cfg *cfg, const char *name)
{
    size_t len = strlen(name);
    for (size_t i = 0; i < cfg->n_slots; i++) {
        const char *s = cfg->slots[i].name;
        if (strcmp(s, name) == 0)
            return 1;
        if (strncmp(s, name, len) == 0 && s[len] == '.')
            return 2;
    }
    return 0;
}

/* A section's value must be a mapping (null reads as an empty one). */
static int check_mapping(gl_cfg_node *n, const char *section, gl_error *err)
{
    if (gl_cfg__is_null(n))
        null_to_map(n);
    if (n->kind == GL_CFG_MAP)
        return GL_OK;
    return gl_cfg__fault(err, n, 0, "section '%s' must be a mapping, not %s", section,
                         gl_cfg__kind_name(n));
}

static int unknown_section(const gl_cfg *cfg, const gl_cfg_node *n, const char *name, gl_error *err)
{
    gl_suggest s;
    gl_suggest_init(&s, name);
    size_t dot = strcspn(name, ".");
    for (size_t i = 0; i < cfg->n_slots; i++) {
        const char *cand = cfg->slots[i].name;
        /* a top-level name is compared with the first part of each section */
        gl_suggest_try(&s, cand, name[dot] ? strlen(cand) : strcspn(cand, "."));
    }
    char hint[128];
    gl_suggest_text(&s, hint, sizeof hint);
    return gl_cfg__fault(err, n, 1, "unknown section '%.*s'%s", GL_CFG_CLIP, name, hint);
}

/* Every top-level key is a section or a group of sections (optimizer), each a mapping. */
static int check_structure(gl_cfg *cfg, gl_error *err)
{
    int rc = GL_OK;
    for (size_t i = 0; i < cfg->root->n; i++) {
        gl_cfg_node *sec = cfg->root->kids[i];
        int cls = section_class(cfg, sec->key);
        if (cls == 0) {
            rc = unknown_section(cfg, sec, sec->key, err);
            continue;
        }
        if (check_mapping(sec, sec->key, err) != GL_OK) {
            rc = GL_ERR_INPUT;
            continue;
        }
        for (size_t j = 0; cls == 2 && j < sec->n; j++) {
            gl_cfg_node *sub = sec->kids[j];
            gl_cfg_sb full = {0};
            gl_cfg__sb_add(&full, "%s.%s", sec->key, sub->key);
            if (full.failed)
                rc = oom(err);
            else if (section_class(cfg, full.s) != 1)
                rc = unknown_section(cfg, sub, full.s, err);
            else if (check_mapping(sub, full.s, err) != GL_OK)
                rc = GL_ERR_INPUT;
            free(full.s);
        }
    }
    return rc;
}

int gl_cfg_load(const char *path, const char *const *overrides, int n_overrides, gl_cfg **out,
                gl_error *err)
{
    *out = NULL;
    gl_cfg *cfg = calloc(1, sizeof *cfg);
    if (!cfg)
        return oom(err);
    cfg->n_slots = gl_cfg__sections(NULL);
    cfg->slots = calloc(cfg->n_slots, sizeof *cfg->slots);
    cfg->source = strdup(path);
    cfg->cwd = getcwd(NULL, 0);
    int rc;
    if (!cfg->slots || !cfg->source) {
        rc = oom(err);
    } else if (!cfg->cwd) {
        rc = gl_error_add(err, GL_ERR_INPUT, "cannot get the working directory: %s",
                          strerror(errno));
    } else {
        gl_cfg__sections(cfg->slots);
        loader L = {.cfg = cfg, .err = err};
        rc = load_file(&L, path, NULL, &cfg->root);
    }
    /* Every override is tried, so that each faulty one is reported. */
    for (int i = 0; cfg->root && i < n_overrides; i++)
        if (apply_override(cfg, overrides[i], err) != GL_OK)
            rc = GL_ERR_INPUT;
    if (rc == GL_OK)
        rc = fill_computed(cfg, err);
    if (rc == GL_OK)
        rc = check_structure(cfg, err);
    if (rc != GL_OK) {
        gl_cfg_destroy(cfg);
        return rc;
    }
    *out = cfg;
    return GL_OK;
}

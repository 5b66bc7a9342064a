/* registry.c - every *.so of the search directories, loaded once, and lookup by kind and name.
 *
 * Which entry answers a name: entries are kept in search order. Two entries "clash" when they have
 * the same name and the same kind, or when either could not be read (its kind is unknown, so it
 * clashes with every kind: asking for that name reports its problem rather than silently taking
 * a later directory's plugin). The first of clashing entries wins and shadows the later ones; two
 * clashing entries in one directory are an error, reported for that name.
 *
 * It does not create plugin instances and does not read configs.
 */
#include "plugin/loader.h"
#include "util/suggest.h"

#include <dirent.h>
#include <dlfcn.h>
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

struct gl_registry {
    char **dirs; /* the search directories as given (for messages) */
    int n_dirs;
    gl_registry_entry *entries; /* (n) in search order */
    size_t n, cap;
};

static uint32_t entry_kind(const gl_registry_entry *e) { return e->hdr ? e->hdr->kind : 0; }

static int kinds_clash(uint32_t a, uint32_t b) { return a == b || a == 0 || b == 0; }

static const char *base_name(const char *path)
{
    const char *slash = strrchr(path, '/');
    return slash ? slash + 1 : path;
}

static int is_plugin_file(const struct dirent *d)
{
    size_t len = strlen(d->d_name);
    return d->d_name[0] != '.' && len > 3 && strcmp(d->d_name + len - 3, ".so") == 0;
}

/* A new entry at the end of reg->entries, zeroed but for path, dir and shadowed_by. */
static gl_registry_entry *add_entry(gl_registry *reg, const char *dir, const char *file,
                                    gl_error *err)
{
    if (reg->n == reg->cap) {
        size_t cap = reg->cap ? 2 * reg->cap : 16;
        gl_registry_entry *grown = realloc(reg->entries, cap * sizeof *grown);
        if (!grown) {
            gl_error_add(err, GL_ERR_RUN, "out of memory scanning %s", dir);
            return NULL;
        }
        reg->entries = grown;
        reg->cap = cap;
    }
    gl_registry_entry *e = &reg->entries[reg->n];
    memset(e, 0, sizeof *e);
    e->dir = dir;
    e->shadowed_by = -1;
    size_t len = strlen(dir) + 1 + strlen(file) + 1;
    if (!(e->path = malloc(len))) {
        gl_error_add(err, GL_ERR_RUN, "out of memory scanning %s", dir);
        return NULL;
    }
    snprintf(e->path, len, "%s/%s", dir, file);
    reg->n++;
    return e;
}

static int scan_dir(gl_registry *reg, const char *dir, gl_error *err)
{
    struct dirent **names;
    int n = scandir(dir, &names, is_plugin_file, alphasort);
    if (n < 0) {
        if (errno == ENOENT || errno == ENOTDIR)
            return GL_OK;
        return gl_error_add(err, GL_ERR_INPUT, "cannot read plugin directory %s: %s", dir,
                            strerror(errno));
    }
    int st = GL_OK;
    for (int i = 0; i < n; i++) {
        if (st == GL_OK) {
            gl_registry_entry *e = add_entry(reg, dir, names[i]->d_name, err);
            st = e ? gl_plugin_load_entry(e, names[i]->d_name, err) : GL_ERR_RUN;
        }
        free(names[i]);
    }
    free(names);
    return st;
}

/* Marks the winner of every clash, and the problem of two clashing entries in one directory. */
static int resolve_clashes(gl_registry *reg, gl_error *err)
{
    for (size_t i = 0; i < reg->n; i++) {
        gl_registry_entry *e = &reg->entries[i];
        for (size_t j = 0; j < i; j++) {
            gl_registry_entry *w = &reg->entries[j];
            if (w->shadowed_by >= 0 || strcmp(w->name, e->name) != 0 ||
                !kinds_clash(entry_kind(w), entry_kind(e)))
                continue;
            e->shadowed_by = (long)j;
            if (w->dir == e->dir) {
                gl_error dup;
                gl_error_init(&dup);
                gl_error_add(&dup, GL_ERR_INPUT,
                             "%s has two plugins named '%s': %s and %s; keep "
                             "one",
                             w->dir, w->name, base_name(w->path), base_name(e->path));
                free(w->problem);
                if (!(w->problem = strdup(dup.text)))
                    return gl_error_add(err, GL_ERR_RUN, "out of memory scanning %s", w->dir);
                w->problem_after_kind = 0;
            }
            break;
        }
    }
    return GL_OK;
}

int gl_registry_open(const char *const *dirs, int n_dirs, gl_registry **out, gl_error *err)
{
    *out = NULL;
    gl_registry *reg = calloc(1, sizeof *reg);
    char(*seen)[PATH_MAX] = calloc((size_t)n_dirs + 1, PATH_MAX); /* canonical names scanned */
    int st = reg && seen && (reg->dirs = calloc((size_t)n_dirs + 1, sizeof(char *)))
                 ? GL_OK
                 : gl_error_add(err, GL_ERR_RUN, "out of memory opening the plugin registry");
    int n_seen = 0;
    for (int i = 0; i < n_dirs && st == GL_OK; i++) {
        if (!(reg->dirs[i] = strdup(dirs[i]))) {
            st = gl_error_add(err, GL_ERR_RUN, "out of memory opening the plugin registry");
            break;
        }
        reg->n_dirs++;
        if (!realpath(dirs[i], seen[n_seen]))
            continue; /* does not exist: still named in "not found" messages */
        int again = 0;
        for (int k = 0; k < n_seen && !again; k++)
            again = strcmp(seen[k], seen[n_seen]) == 0;
        if (again)
            continue;
        n_seen++;
        st = scan_dir(reg, reg->dirs[i], err);
    }
    free(seen);
    if (st == GL_OK)
        st = resolve_clashes(reg, err);
    if (st != GL_OK) {
        gl_registry_close(reg);
        return st;
    }
    *out = reg;
    return GL_OK;
}

int gl_registry_open_file(const char *path, gl_registry **out, gl_error *err)
{
    *out = NULL;
    const char *slash = strrchr(path, '/');
    gl_registry *reg = calloc(1, sizeof *reg);
    int st = reg && (reg->dirs = calloc(2, sizeof(char *))) &&
                     (reg->dirs[0] = slash ? strndup(path, (size_t)(slash - path) + (slash == path))
                                           : strdup("."))
                 ? GL_OK
                 : gl_error_add(err, GL_ERR_RUN, "out of memory opening %s", path);
    if (st == GL_OK) {
        reg->n_dirs = 1;
        const char *file = slash ? slash + 1 : path;
        gl_registry_entry *e = add_entry(reg, reg->dirs[0], file, err);
        st = e ? gl_plugin_load_entry(e, file, err) : GL_ERR_RUN;
    }
    if (st != GL_OK) {
        gl_registry_close(reg);
        return st;
    }
    *out = reg;
    return GL_OK;
}

void gl_registry_close(gl_registry *reg)
{
    if (!reg)
        return;
    for (size_t i = 0; i < reg->n; i++) {
        gl_registry_entry *e = &reg->entries[i];
        if (e->handle)
            dlclose(e->handle);
        free(e->path);
        free(e->name);
        free(e->problem);
    }
    free(reg->entries);
    for (int i = 0; i < reg->n_dirs; i++)
        free(reg->dirs[i]);
    free(reg->dirs);
    free(reg);
}

size_t gl_registry_count(const gl_registry *reg) { return reg->n; }

const gl_registry_entry *gl_registry_entry_at(const gl_registry *reg, size_t i)
{
    return i < reg->n ? &reg->entries[i] : NULL;
}

/* The usable plugin of `kind` (0: any) whose name is nearest to name, by util/suggest.h's rule;
 * NULL when none is near enough to be a typo. */
static const char *near_name(const gl_registry *reg, uint32_t kind, const char *name)
{
    gl_suggest s;
    gl_suggest_init(&s, name);
    for (size_t i = 0; i < reg->n; i++) {
        const gl_registry_entry *e = &reg->entries[i];
        if (e->hdr && (!kind || e->hdr->kind == kind))
            gl_suggest_try(&s, e->name, strlen(e->name));
    }
    return s.best; /* a whole entry name: NUL-terminated */
}

/* "an optimizer", "a loss". */
static const char *article(uint32_t kind)
{
    return strchr("aeiou", gl_plugin_kind_name(kind)[0]) ? "an" : "a";
}

static int not_found(const gl_registry *reg, uint32_t kind, const char *name, const char *at,
                     gl_error *err)
{
    char searched[4096] = "";
    size_t used = 0;
    for (int i = 0; i < reg->n_dirs && used < sizeof searched; i++) {
        int w = snprintf(searched + used, sizeof searched - used, "%s%s", i ? ", " : "",
                         reg->dirs[i]);
        used += w > 0 ? (size_t)w : 0;
    }
    const char *near = near_name(reg, kind, name);
    return gl_error_add(err, GL_ERR_INPUT, "%s%s%splugin '%s' not found in %s%s%s%s", at,
                        kind ? gl_plugin_kind_name(kind) : "", kind ? " " : "", name, searched,
                        near ? "; did you mean '" : "", near ? near : "", near ? "'?" : "");
}

int gl_registry_find(const gl_registry *reg, gl_plugin_kind kind, const char *name,
                     const char *section, const char *where, const gl_registry_entry **out,
                     gl_error *err)
{
    *out = NULL;
    char at[1024] = "";
    if (where)
        snprintf(at, sizeof at, "%s: ", where);
    const gl_registry_entry *found = NULL, *other_kind = NULL;
    for (size_t i = 0; i < reg->n && !found; i++) {
        const gl_registry_entry *e = &reg->entries[i];
        if (strcmp(e->name, name) != 0)
            continue;
        if (!kind || kinds_clash(entry_kind(e), kind))
            found = e;
        else if (!other_kind)
            other_kind = e;
    }
    if (found && found->problem && !found->problem_after_kind)
        return gl_error_add(err, GL_ERR_INPUT, "%s%s", at, found->problem);
    if (!found && other_kind)
        return gl_error_add(err, GL_ERR_INPUT,
                            "%splugin '%s' (%s) is %s %s plugin, but %s%s%s%s %s plugin", at, name,
                            other_kind->path, article(entry_kind(other_kind)),
                            gl_plugin_kind_name(entry_kind(other_kind)), section ? "section '" : "",
                            section ? section : "", section ? "' needs " : "this needs ",
                            article(kind), gl_plugin_kind_name(kind));
    if (!found)
        return not_found(reg, kind, name, at, err);
    if (found->problem)
        return gl_error_add(err, GL_ERR_INPUT, "%s%s", at, found->problem);
    *out = found;
    return GL_OK;
}

int gl_registry_schema_lookup(void *ud, const char *section, gl_plugin_kind kind,
                              const char *plugin_name, const char *where,
                              const gl_param_spec **schema, gl_error *err)
{
    const gl_registry_entry *e;
    int st = gl_registry_find(ud, kind, plugin_name, section, where, &e, err);
    *schema = st == GL_OK ? e->hdr->params : NULL;
    return st;
}

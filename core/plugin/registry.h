/* registry.h - the core's (not installed) plugin registry: where plugins are searched, how they are
 * loaded and checked, and how the config validator and the runner find them by kind and name.
 *
 * Search order (docs/plugins.md): every `--plugin-path DIR` in the order given, the directories of
 * GANLAB_PLUGIN_PATH (colon-separated), the build tree's plugins/<kind>/.libs when the running
 * binary lives in the build tree, then the install directory. gl_registry_open loads every *.so of
 * those directories once (dlopen RTLD_NOW | RTLD_LOCAL) and keeps each one, loadable or not, as an
 * entry, so that a lookup can say why a name is unusable and `ganlab plugins` can list what shadows
 * what.
 *
 * Names: a plugin's name is its descriptor's name; a file that could not be read as a plugin is
 * known by its file name without ".so" (so asking for it reports its problem). Plugins of different
 * kinds may share a name. For one kind and name, the first directory that has it wins; later ones
 * are shadowed; two in the same directory are an error.
 *
 * The registry does not create plugin instances and does not read configs.
 */
#ifndef GL_REGISTRY_H
#define GL_REGISTRY_H

#include <stddef.h>

#include <ganlab/error.h>
#include <ganlab/plugin.h>

/* A member appended to a descriptor after ABI 2's first release (plugin.h marks them optional):
 * p->member when the plugin's descriptor (hdr.size) reaches past it, else NULL, so plugins built
 * before the member existed keep loading and get the core's fallback. */
#define GL_PLUGIN_OPTIONAL(p, type, member) \
    ((p)->hdr.size >= offsetof(type, member) + sizeof(p)->member ? (p)->member : NULL)

/* The variable read for extra plugin directories (colon-separated). */
#define GL_PLUGIN_PATH_ENV "GANLAB_PLUGIN_PATH"

/* One *.so found in a search directory. */
typedef struct gl_registry_entry {
    char *path;                  /* dir + "/" + file name */
    const char *dir;             /* the search directory (owned by the registry) */
    char *name;                  /* descriptor name, or the file stem when hdr is NULL */
    const gl_plugin_header *hdr; /* NULL when the file is not a usable plugin of this ABI */
    char *problem;               /* one line saying why it cannot be used, NULL when it can */
    int problem_after_kind;      /* 1: the problem (size, functions, schema) is reported only once
                                    the kind fits, following the loader's order of checks */
    long shadowed_by;            /* index of the entry that hides this one, or -1 */
    void *handle;                /* dlopen handle, NULL when dlopen failed */
} gl_registry_entry;

typedef struct gl_registry gl_registry;

/* The search directories for the given --plugin-path values, env_path (GANLAB_PLUGIN_PATH's value
 * or NULL) and in_build_tree (see gl_plugin_in_build_tree). On success *dirs is a new array of *n
 * new strings; the caller frees it with gl_plugin_dirs_free. Duplicates are kept (the registry
 * ignores a directory it has already scanned). */
int gl_plugin_search_dirs(const char *const *cli_dirs, int n_cli, const char *env_path,
                          int in_build_tree, char ***dirs, int *n, gl_error *err);
void gl_plugin_dirs_free(char **dirs, int n);

/* 1 when /proc/self/exe lies under the build directory this library was compiled in. */
int gl_plugin_in_build_tree(void);

/* Scans dirs in order (a directory that does not exist is skipped, but still named by a "not
 * found" message) and loads every *.so in them, in name order. Files that are not usable plugins
 * are entries with a problem, not failures. Fails only on allocation failure or an unreadable
 * directory. On success *out is a new registry the caller closes with gl_registry_close (which
 * dlcloses every plugin: descriptors found through it are invalid afterwards). */
int gl_registry_open(const char *const *dirs, int n_dirs, gl_registry **out, gl_error *err);
void gl_registry_close(gl_registry *reg);
/* A registry of the one plugin file at path (for plugin-check FILE.so): nothing else in its
 * directory is loaded, so a neighbour's constructor cannot run. Its one entry may have a problem.
 */
int gl_registry_open_file(const char *path, gl_registry **out, gl_error *err);

/* The plugin `name` of `kind` (0: any kind). section ("optimizer.generator", or NULL) and where
 * ("file:line:col", or NULL) only shape the message. On success *out is the descriptor, valid until
 * gl_registry_close; otherwise err gets one line: not found (with the directories searched and a
 * near name), not a plugin, ABI mismatch, wrong kind, two of one name, bad descriptor. */
int gl_registry_find(const gl_registry *reg, gl_plugin_kind kind, const char *name,
                     const char *section, const char *where, const gl_registry_entry **out,
                     gl_error *err);

/* Every entry, in search order (directories in order, files by name within one). */
size_t gl_registry_count(const gl_registry *reg);
const gl_registry_entry *gl_registry_entry_at(const gl_registry *reg, size_t i);

/* A gl_cfg_schema_lookup (core/config/cfg.h) over the registry passed as ud. */
int gl_registry_schema_lookup(void *ud, const char *section, gl_plugin_kind kind,
                              const char *plugin_name, const char *where,
                              const gl_param_spec **schema, gl_error *err);

/* "dataset", "model", "loss", "optimizer", "evaluator"; NULL for an unknown kind. */
const char *gl_plugin_kind_name(uint32_t kind);
/* "bool", "int", "float", "string", "choice", "path", "int list", "float list"; NULL if unknown. */
const char *gl_param_type_name(uint32_t type);

/* Checks a descriptor whose abi_version and name are already known to be good, in the loader's
 * order: a known kind, size against the kind's ABI 1 descriptor, required functions, then the
 * schema (names, types, defaults that parse and fit their range and choices, choices lists). path
 * names the file in the message. Returns GL_OK or GL_ERR_INPUT with one line in err. */
int gl_plugin_check_descriptor(const gl_plugin_header *hdr, const char *path, gl_error *err);

/* plugin.h's contract for a loss's result after d_loss/g_loss returned GL_OK: the context has no
 * error, out->loss is a scalar, the terms are at most GL_LOSS_MAX_TERMS with [a-z0-9_]+ names.
 * GL_ERR_RUN with one line beginning with who (e.g. "loss 'bce', d_loss: ") when it is broken. */
int gl_loss_result_check(gl_ctx *ctx, const gl_loss_result *res, const char *who, gl_error *err);

#endif

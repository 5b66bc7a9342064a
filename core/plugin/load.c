/* load.c - turns one *.so file into a registry entry, following the loader's order of checks:
 * a shared object at all? → dlopen(RTLD_NOW | RTLD_LOCAL) → the gl_plugin_entry symbol → ABI
 * version → a known kind and a valid name → (later, once the kind fits the section) size, required
 * functions, schema. The first failing check becomes the entry's one-line problem.
 *
 * RTLD_NOW so that a plugin with an unresolved symbol fails here, with the symbol's name, and not
 * in the middle of a run; RTLD_LOCAL so that two plugins' static names never collide.
 * It does not decide which entry wins a name (registry.c does).
 */
#include "plugin/loader.h"

#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/fs.h"

/* dlopen's message for a file that is not ELF varies between C libraries, so look first. */
static int is_elf(const char *path)
{
    unsigned char magic[4] = {0};
    const char *why;
    FILE *f = gl_fopen_regular(path, "rb", &why); /* a FIFO named x.so would block fopen */
    if (!f)
        return 0;
    size_t got = fread(magic, 1, sizeof magic, f);
    fclose(f);
    return got == 4 && memcmp(magic, "\177ELF", 4) == 0;
}

/* Sets the problem of e (owned by e, freed by the registry with free). */
static int set_problem(gl_registry_entry *e, const gl_error *problem, int after_kind, gl_error *err)
{
    e->problem = strdup(problem->text);
    e->problem_after_kind = after_kind;
    return e->problem ? GL_OK : gl_error_add(err, GL_ERR_RUN, "out of memory loading %s", e->path);
}

/* What each ABI changed for plugin authors, by version (docs/plugins.md, "ABI changelog"), so
 * that a refused plugin's message says what to change, not only that something did. */
static const char *const abi_changes[GL_ABI_VERSION + 1] = {
    [2] = "ABI 2 renamed gl_loss_env.runner to core and added gl_eval_env.stop; a loss may leave "
          "failures to the core and add terms with gl_loss_term",
};

/* The checks up to the descriptor's header; fills p and returns NULL when one fails. */
static const gl_plugin_header *open_header(gl_registry_entry *e, gl_error *p)
{
    if (!is_elf(e->path)) {
        gl_error_add(p, GL_ERR_INPUT, "%s is not a ganlab plugin (not a shared object)", e->path);
        return NULL;
    }
    e->handle = dlopen(e->path, RTLD_NOW | RTLD_LOCAL);
    if (!e->handle) {
        gl_error_add(p, GL_ERR_INPUT, "cannot load plugin %s", dlerror());
        return NULL;
    }
    gl_plugin_entry_fn entry;
    /* POSIX's way to turn a data pointer from dlsym into a function pointer. */
    *(void **)&entry = dlsym(e->handle, GL_PLUGIN_ENTRY_SYMBOL);
    if (!entry) {
        gl_error_add(p, GL_ERR_INPUT, "%s is not a ganlab plugin (it does not export %s)", e->path,
                     GL_PLUGIN_ENTRY_SYMBOL);
        return NULL;
    }
    const gl_plugin_header *hdr = entry();
    if (!hdr) {
        gl_error_add(p, GL_ERR_INPUT, "%s is not a ganlab plugin (%s returned NULL)", e->path,
                     GL_PLUGIN_ENTRY_SYMBOL);
        return NULL;
    }
    if (hdr->abi_version != GL_ABI_VERSION) {
        /* One line, as every loader problem: the changes since the plugin's ABI, newest last. */
        char changes[1024] = "";
        size_t used = 0;
        for (uint32_t v = hdr->abi_version + 1;
             hdr->abi_version < GL_ABI_VERSION && v <= GL_ABI_VERSION && used < sizeof changes; v++)
            if (abi_changes[v])
                used += (size_t)snprintf(changes + used, sizeof changes - used, " (%s)",
                                         abi_changes[v]);
        gl_error_add(p, GL_ERR_INPUT,
                     "%s was built for plugin ABI %u, but this ganlab has ABI %u%s: rebuild the "
                     "plugin against this ganlab",
                     e->path, (unsigned)hdr->abi_version, GL_ABI_VERSION, changes);
        return NULL;
    }
    if (gl_plugin_check_kind(hdr, e->path, p) != GL_OK)
        return NULL;
    if (!gl_plugin_name_ok(hdr->name)) {
        gl_error_add(p, GL_ERR_INPUT,
                     "%s: plugin name '%s' is not [a-z0-9_]+ starting with a letter", e->path,
                     hdr->name ? hdr->name : "(null)");
        return NULL;
    }
    return hdr;
}

int gl_plugin_load_entry(gl_registry_entry *e, const char *file_name, gl_error *err)
{
    gl_error problem;
    gl_error_init(&problem);
    const gl_plugin_header *hdr = open_header(e, &problem);
    if (!hdr) {
        if (e->handle)
            dlclose(e->handle);
        e->handle = NULL;
        e->name = strndup(file_name, strlen(file_name) - strlen(".so"));
        if (!e->name)
            return gl_error_add(err, GL_ERR_RUN, "out of memory loading %s", e->path);
        return set_problem(e, &problem, 0, err);
    }
    e->hdr = hdr;
    e->name = strdup(hdr->name);
    if (!e->name)
        return gl_error_add(err, GL_ERR_RUN, "out of memory loading %s", e->path);
    if (gl_plugin_check_descriptor(hdr, e->path, &problem) != GL_OK)
        return set_problem(e, &problem, 1, err);
    return GL_OK;
}

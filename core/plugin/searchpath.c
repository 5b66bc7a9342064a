/* searchpath.c - the ordered list of directories plugins are looked up in:
 *   1. each --plugin-path DIR, in the order given;
 *   2. each directory of GANLAB_PLUGIN_PATH (colon-separated; empty parts ignored);
 *   3. when the binary runs from its build tree: GL_BUILD_PLUGIN_DIR/<kind>/.libs for every kind,
 *      where libtool leaves the bundled modules, so `make` then core/ganlab needs no install;
 *   4. GL_INSTALL_PLUGIN_DIR ($(libdir)/ganlab/plugins).
 * It only computes names; whether a directory exists is the registry's business.
 */
#include "plugin/loader.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#ifndef GL_BUILD_DIR
#error "GL_BUILD_DIR, GL_BUILD_PLUGIN_DIR and GL_INSTALL_PLUGIN_DIR come from Makefile.am"
#endif

void gl_plugin_dirs_free(char **dirs, int n)
{
    for (int i = 0; i < n; i++)
        free(dirs[i]);
    free(dirs);
}

/* Appends a copy of s[0..len) to *dirs (grown by one). */
static int push(char ***dirs, int *n, const char *s, size_t len, gl_error *err)
{
    char **grown = realloc(*dirs, (size_t)(*n + 1) * sizeof *grown);
    if (!grown)
        return gl_error_add(err, GL_ERR_RUN, "out of memory building the plugin search path");
    *dirs = grown;
    if (!(grown[*n] = strndup(s, len)))
        return gl_error_add(err, GL_ERR_RUN, "out of memory building the plugin search path");
    (*n)++;
    return GL_OK;
}

static int push_build_tree(char ***dirs, int *n, gl_error *err)
{
    for (uint32_t kind = GL_KIND_DATASET; kind <= GL_KIND_EVALUATOR; kind++) {
        char dir[PATH_MAX];
        int len = snprintf(dir, sizeof dir, "%s/%s/.libs", GL_BUILD_PLUGIN_DIR,
                           gl_plugin_kind_name(kind));
        if (len < 0 || (size_t)len >= sizeof dir)
            return gl_error_add(err, GL_ERR_RUN, "build directory name too long: %s",
                                GL_BUILD_PLUGIN_DIR);
        if (push(dirs, n, dir, (size_t)len, err) != GL_OK)
            return GL_ERR_RUN;
    }
    return GL_OK;
}

int gl_plugin_search_dirs(const char *const *cli_dirs, int n_cli, const char *env_path,
                          int in_build_tree, char ***dirs, int *n, gl_error *err)
{
    *dirs = NULL;
    *n = 0;
    int st = GL_OK;
    for (int i = 0; i < n_cli && st == GL_OK; i++)
        st = push(dirs, n, cli_dirs[i], strlen(cli_dirs[i]), err);
    for (const char *p = env_path; p && *p && st == GL_OK;) {
        size_t len = strcspn(p, ":");
        if (len > 0)
            st = push(dirs, n, p, len, err);
        p += len + (p[len] == ':');
    }
    if (st == GL_OK && in_build_tree)
        st = push_build_tree(dirs, n, err);
    if (st == GL_OK)
        st = push(dirs, n, GL_INSTALL_PLUGIN_DIR, strlen(GL_INSTALL_PLUGIN_DIR), err);
    if (st != GL_OK) {
        gl_plugin_dirs_free(*dirs, *n);
        *dirs = NULL;
        *n = 0;
    }
    return st;
}

int gl_plugin_in_build_tree(void)
{
    char exe[PATH_MAX], build[PATH_MAX];
    if (!realpath("/proc/self/exe", exe) || !realpath(GL_BUILD_DIR, build))
        return 0;
    size_t len = strlen(build);
    return strncmp(exe, build, len) == 0 && exe[len] == '/';
}

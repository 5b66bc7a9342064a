/* params.c - the parameters of the plugin under check, made by the config system itself: a
 * temporary experiment file names the plugin in its section (the other sections name a schema-less
 * placeholder), each --set KEY=VALUE becomes the override SECTION.KEY=VALUE, and gl_cfg_validate
 * fills the defaults. So a default that does not validate, or a --set the schema refuses, is
 * reported exactly as a user's config would be, and the plugin gets the gl_params a run would give
 * it.
 *
 * Evaluators have no config section yet (plugin.h reserves them): their schema is validated in the
 * `model` slot, which changes only the wording of messages ("override 'model.k=v'").
 */
#include "check/check_internal.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* The section a plugin of kind is configured in. */
static const char *section_of(uint32_t kind)
{
    switch (kind) {
    case GL_KIND_DATASET:
        return "dataset";
    case GL_KIND_LOSS:
        return "loss";
    case GL_KIND_OPTIMIZER:
        return "optimizer.generator";
    default:
        return "model";
    }
}

typedef struct lookup_ud {
    const gl_plugin_header *hdr;
    const char *section;
} lookup_ud;

/* hdr's schema for its own section; every other section holds the placeholder, without schema. */
static int lookup(void *ud, const char *section, gl_plugin_kind kind, const char *plugin_name,
                  const char *where, const gl_param_spec **schema, gl_error *err)
{
    const lookup_ud *u = ud;
    *schema = strcmp(section, u->section) == 0 ? u->hdr->params : NULL;
    return GL_OK;
}

/* 1 when a --set (or extra) gives key name. */
static int given(const char *const *sets, int n, const char *extra, const char *name)
{
    size_t len = strlen(name);
    for (int i = 0; i <= n; i++) {
        const char *s = i < n ? sets[i] : extra;
        if (s && strncmp(s, name, len) == 0 && s[len] == '=')
            return 1;
    }
    return 0;
}

/* Writes the experiment file into a new temporary file; its name goes to path (cap >= 64). */
static int write_experiment(const char *name, const char *section, char *path, size_t cap,
                            gl_error *err)
{
    const char *tmp = getenv("TMPDIR");
    snprintf(path, cap, "%s/ganlab-check-XXXXXX.yaml", tmp && *tmp ? tmp : "/tmp");
    int fd = mkstemps(path, 5);
    FILE *f = fd >= 0 ? fdopen(fd, "w") : NULL;
    if (!f) {
        if (fd >= 0) {
            close(fd);
            unlink(path);
        }
        return gl_error_add(err, GL_ERR_RUN, "cannot write a temporary config in %s (TMPDIR)",
                            tmp && *tmp ? tmp : "/tmp");
    }
    /* Every section must name a plugin; "none" stands for those not under check. */
    static const char *const sections[] = {"dataset", "model", "loss"};
    for (size_t i = 0; i < sizeof sections / sizeof sections[0]; i++)
        fprintf(f, "%s: {plugin: %s}\n", sections[i],
                strcmp(sections[i], section) == 0 ? name : "none");
    fprintf(f,
            "optimizer: {generator: {plugin: %s}, discriminator: {plugin: none}}\n"
            "train: {steps: 1}\n",
            strcmp(section, "optimizer.generator") == 0 ? name : "none");
    if (fclose(f) != 0) {
        unlink(path);
        return gl_error_add(err, GL_ERR_RUN, "cannot write the temporary config %s", path);
    }
    return GL_OK;
}

int gl_check__params(const gl_plugin_header *hdr, const gl_check_opts *opts, const char *extra,
                     gl_cfg **cfg, const gl_params **params, gl_error *err)
{
    *cfg = NULL;
    *params = NULL;
    const char *section = section_of(hdr->kind);
    int rc = GL_OK;
    for (const gl_param_spec *s = hdr->params; s && s->name; s++)
        if (s->required && !given(opts->sets, opts->n_sets, extra, s->name))
            rc = gl_error_add(err, GL_ERR_INPUT,
                              "plugin '%s': parameter '%s' is required and has no default, so the "
                              "plugin cannot be checked with defaults: give it with --set %s=VALUE",
                              hdr->name, s->name, s->name);
    if (rc != GL_OK)
        return rc;

    int n = opts->n_sets + (extra != NULL);
    char **over = calloc((size_t)n + 1, sizeof *over);
    if (!over)
        return gl_error_add(err, GL_ERR_RUN, "out of memory");
    for (int i = 0; i < n && rc == GL_OK; i++) {
        const char *s = i < opts->n_sets ? opts->sets[i] : extra;
        if (!strchr(s, '='))
            rc = gl_error_add(err, GL_ERR_INPUT, "--set '%s': expected KEY=VALUE", s);
        else if (!(over[i] = malloc(strlen(section) + strlen(s) + 2)))
            rc = gl_error_add(err, GL_ERR_RUN, "out of memory");
        else
            sprintf(over[i], "%s.%s", section, s);
    }
    char path[4096];
    if (rc == GL_OK &&
        (rc = write_experiment(hdr->name, section, path, sizeof path, err)) == GL_OK) {
        rc = gl_cfg_load(path, (const char *const *)over, n, cfg, err);
        unlink(path);
    }
    lookup_ud ud = {hdr, section};
    if (rc == GL_OK && (rc = gl_cfg_validate(*cfg, lookup, &ud, err)) == GL_OK)
        *params = gl_cfg_params(*cfg, section);
    if (rc != GL_OK && *cfg) {
        gl_cfg_destroy(*cfg);
        *cfg = NULL;
    }
    for (int i = 0; i < n; i++)
        free(over[i]);
    free(over);
    return rc;
}

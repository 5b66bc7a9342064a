/* descriptor.c - what a well-formed descriptor is, per kind: its name in messages, the least size
 * it may declare, and which function pointers it must set. The table below is the only place that
 * knows the kinds; a static_assert keeps it complete when a kind is added to plugin.h.
 *
 * It checks a descriptor's shape, not its behaviour: a plugin whose functions misbehave is caught
 * by the runner or its tests, not here. */
#include "plugin/loader.h"

#include <assert.h>
#include <stddef.h>
#include <string.h>

/* Returns the name of the first required function the descriptor leaves NULL, or NULL. */
typedef const char *(*missing_fn)(const gl_plugin_header *hdr);

static const char *missing_dataset(const gl_plugin_header *hdr)
{
    const gl_dataset_plugin *p = (const gl_dataset_plugin *)hdr;
    return !p->open ? "open" : !p->get ? "get" : !p->close ? "close" : NULL;
}

static const char *missing_model(const gl_plugin_header *hdr)
{
    const gl_model_plugin *p = (const gl_model_plugin *)hdr;
    return !p->create         ? "create"
           : !p->generate     ? "generate"
           : !p->discriminate ? "discriminate"
           : !p->destroy      ? "destroy"
                              : NULL;
}

static const char *missing_loss(const gl_plugin_header *hdr)
{
    const gl_loss_plugin *p = (const gl_loss_plugin *)hdr;
    return !p->create    ? "create"
           : !p->d_loss  ? "d_loss"
           : !p->g_loss  ? "g_loss"
           : !p->destroy ? "destroy"
                         : NULL;
}

static const char *missing_optimizer(const gl_plugin_header *hdr)
{
    const gl_optimizer_plugin *p = (const gl_optimizer_plugin *)hdr;
    return !p->create ? "create" : !p->step ? "step" : !p->destroy ? "destroy" : NULL;
}

static const char *missing_evaluator(const gl_plugin_header *hdr)
{
    const gl_evaluator_plugin *p = (const gl_evaluator_plugin *)hdr;
    return !p->create ? "create" : !p->evaluate ? "evaluate" : !p->destroy ? "destroy" : NULL;
}

static const struct kind_info {
    const char *name;
    uint32_t min_size; /* the ABI 2 descriptor as first released: the least a plugin may
                          declare (members appended since are optional: GL_PLUGIN_OPTIONAL) */
    missing_fn missing;
} kinds[] = {
    [GL_KIND_DATASET] = {"dataset", sizeof(gl_dataset_plugin), missing_dataset},
    [GL_KIND_MODEL] = {"model", sizeof(gl_model_plugin), missing_model},
    [GL_KIND_LOSS] = {"loss", sizeof(gl_loss_plugin), missing_loss},
    [GL_KIND_OPTIMIZER] = {"optimizer", offsetof(gl_optimizer_plugin, step_scaled),
                           missing_optimizer},
    [GL_KIND_EVALUATOR] = {"evaluator", sizeof(gl_evaluator_plugin), missing_evaluator},
};
static_assert(sizeof kinds / sizeof kinds[0] == GL_KIND_EVALUATOR + 1,
              "every gl_plugin_kind needs a row in kinds[]");

static const struct kind_info *kind_info(uint32_t kind)
{
    if (kind == 0 || kind >= sizeof kinds / sizeof kinds[0])
        return NULL;
    return &kinds[kind];
}

const char *gl_plugin_kind_name(uint32_t kind)
{
    const struct kind_info *k = kind_info(kind);
    return k ? k->name : NULL;
}

int gl_plugin_name_ok(const char *name)
{
    if (!name || !(name[0] >= 'a' && name[0] <= 'z'))
        return 0;
    for (const char *c = name; *c; c++)
        if (!((*c >= 'a' && *c <= 'z') || (*c >= '0' && *c <= '9') || *c == '_'))
            return 0;
    return 1;
}

int gl_plugin_check_kind(const gl_plugin_header *hdr, const char *path, gl_error *err)
{
    if (!kind_info(hdr->kind))
        return gl_error_add(err, GL_ERR_INPUT,
                            "%s declares unknown plugin kind %u: rebuild the plugin against this "
                            "ganlab",
                            path, (unsigned)hdr->kind);
    return GL_OK;
}

int gl_plugin_check_descriptor(const gl_plugin_header *hdr, const char *path, gl_error *err)
{
    if (gl_plugin_check_kind(hdr, path, err) != GL_OK)
        return GL_ERR_INPUT;
    const struct kind_info *k = kind_info(hdr->kind);
    if (hdr->size < k->min_size)
        return gl_error_add(err, GL_ERR_INPUT,
                            "%s: descriptor size %u is smaller than an ABI %u %s descriptor (%u "
                            "bytes): rebuild the plugin against this ganlab",
                            path, (unsigned)hdr->size, GL_ABI_VERSION, k->name,
                            (unsigned)k->min_size);
    const char *fn = k->missing(hdr);
    if (fn)
        return gl_error_add(err, GL_ERR_INPUT,
                            "%s: %s plugin '%s' does not set the required function '%s'", path,
                            k->name, hdr->name, fn);
    return gl_plugin_check_schema(hdr->params, path, err);
}

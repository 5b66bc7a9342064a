/* cfg.c - the life of a gl_cfg (gl_cfg_load in load.c creates it) and its accessors. */
#include "config/cfg_internal.h"

#include <stdlib.h>
#include <string.h>

static const gl_cfg_slot *slot_of(const gl_cfg *cfg, const char *section)
{
    for (size_t i = 0; cfg && section && i < cfg->n_slots; i++)
        if (strcmp(cfg->slots[i].name, section) == 0)
            return &cfg->slots[i];
    return NULL;
}

const char *gl_cfg_plugin(const gl_cfg *cfg, const char *section)
{
    const gl_cfg_slot *s = slot_of(cfg, section);
    return s && cfg->validated ? s->plugin : NULL;
}

const gl_params *gl_cfg_params(const gl_cfg *cfg, const char *section)
{
    const gl_cfg_slot *s = slot_of(cfg, section);
    return s && cfg->validated ? s->params : NULL;
}

size_t gl_cfg_n_evaluators(const gl_cfg *cfg) { return cfg && cfg->validated ? cfg->n_evals : 0; }

const char *gl_cfg_evaluator_plugin(const gl_cfg *cfg, size_t i)
{
    return i < gl_cfg_n_evaluators(cfg) ? cfg->evals[i].plugin : NULL;
}

const gl_params *gl_cfg_evaluator_params(const gl_cfg *cfg, size_t i)
{
    return i < gl_cfg_n_evaluators(cfg) ? cfg->evals[i].params : NULL;
}

const char *gl_cfg_source(const gl_cfg *cfg) { return cfg->source; }

int gl_cfg_value_text(const gl_cfg *cfg, const char *key, char *buf, size_t cap)
{
    const char *dot = strrchr(key, '.');
    if (!dot || cap == 0)
        return -1;
    char section[256];
    snprintf(section, sizeof section, "%.*s", (int)(dot - key), key);
    if (strcmp(dot + 1, "plugin") == 0 && gl_cfg_plugin(cfg, section)) {
        snprintf(buf, cap, "%s", gl_cfg_plugin(cfg, section));
        return 0;
    }
    const gl_params *p = gl_cfg_params(cfg, section);
    long i = p ? gl_cfg__params_index(p, dot + 1) : -1;
    if (i < 0)
        return -1;
    gl_cfg_sb t = {0};
    gl_cfg__value_yaml(&p->spec[i], &p->v[i], &t);
    int rc = t.failed || !t.s ? -1 : 0;
    if (rc == 0)
        snprintf(buf, cap, "%s", t.s);
    free(t.s);
    return rc;
}

void gl_cfg_destroy(gl_cfg *cfg)
{
    if (!cfg)
        return;
    if (cfg->slots)
        gl_cfg__slots_reset(cfg);
    free(cfg->slots);
    gl_cfg__node_free(cfg->root);
    gl_cfg__origins_free(cfg->origins);
    free(cfg->source);
    free(cfg->cwd);
    free(cfg);
}

/* test_models_util.c - scaffolding of the model and loss tests (see test_models_util.h). */
#include "test_models_util.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Writes "KIND:\n  plugin: NAME\n" + body into a temp dir and validates it against hdr's schema. */
static int section_params(char *dir, size_t cap, const char *kind, const char *name,
                          const char *body, const gl_plugin_header *hdr, gl_cfg **cfg,
                          gl_error *err)
{
    char yaml[4096];
    if (fx_tempdir(dir, cap) != GL_OK)
        return gl_error_add(err, GL_ERR_INPUT, "cannot make a temporary directory");
    snprintf(yaml, sizeof yaml, "%s:\n  plugin: %s\n%s", kind, name, body ? body : "");
    return fx_params(dir, yaml, hdr, cfg, err);
}

int tm_model_open(tm_model *m, const char *name, const char *body, const gl_dataset_info *data,
                  uint64_t seed, gl_error *err)
{
    memset(m, 0, sizeof *m);
    int rc = fx_plugin_open(&m->plugin, "model", name, GL_KIND_MODEL, err);
    if (rc == GL_OK) {
        m->mp = (const gl_model_plugin *)m->plugin.hdr;
        rc = section_params(m->dir, sizeof m->dir, "model", name, body, m->plugin.hdr, &m->cfg,
                            err);
    }
    if (rc == GL_OK) {
        m->g = gl_net_create("G");
        m->d = gl_net_create("D");
        gl_rng_init(&m->dropout, seed, GL_STREAM_DROPOUT);
        m->env.data = *data;
        m->env.dropout_rng = &m->dropout;
        rc = m->g && m->d
                 ? m->mp->create(gl_cfg_params(m->cfg, "model"), &m->env, m->g, m->d, &m->self, err)
                 : gl_error_add(err, GL_ERR_RUN, "out of memory");
    }
    if (rc == GL_OK) {
        gl_rng init;
        gl_rng_init(&init, seed, GL_STREAM_INIT);
        rc = gl_net_finalize(m->g, &init, err);
        if (rc == GL_OK)
            rc = gl_net_finalize(m->d, &init, err);
    }
    if (rc != GL_OK)
        tm_model_close(m);
    return rc;
}

void tm_model_close(tm_model *m)
{
    if (m->mp && m->self)
        m->mp->destroy(m->self);
    m->self = NULL;
    gl_net_destroy(m->g);
    gl_net_destroy(m->d);
    m->g = m->d = NULL;
    if (m->cfg)
        gl_cfg_destroy(m->cfg);
    m->cfg = NULL;
    if (m->dir[0])
        fx_rmtree(m->dir);
    m->dir[0] = '\0';
    fx_plugin_close(&m->plugin);
    m->mp = NULL;
}

int tm_loss_open(tm_loss *l, const char *name, const char *body, gl_error *err)
{
    memset(l, 0, sizeof *l);
    int rc = fx_plugin_open(&l->plugin, "loss", name, GL_KIND_LOSS, err);
    if (rc == GL_OK) {
        l->lp = (const gl_loss_plugin *)l->plugin.hdr;
        rc = section_params(l->dir, sizeof l->dir, "loss", name, body, l->plugin.hdr, &l->cfg, err);
    }
    if (rc == GL_OK)
        rc = l->lp->create(gl_cfg_params(l->cfg, "loss"), &l->self, err);
    if (rc != GL_OK)
        tm_loss_close(l);
    return rc;
}

void tm_loss_close(tm_loss *l)
{
    if (l->lp && l->self)
        l->lp->destroy(l->self);
    l->self = NULL;
    if (l->cfg)
        gl_cfg_destroy(l->cfg);
    l->cfg = NULL;
    if (l->dir[0])
        fx_rmtree(l->dir);
    l->dir[0] = '\0';
    fx_plugin_close(&l->plugin);
    l->lp = NULL;
}

gl_dataset_info tm_images(int c, int h, int w, int n_classes)
{
    gl_dataset_info d = {
        .ndim = 3, .shape = {c, h, w}, .n_classes = n_classes, .n_items = 100, .lo = -1, .hi = 1};
    return d;
}

gl_dataset_info tm_vectors(int f, int n_classes)
{
    gl_dataset_info d = {
        .ndim = 1, .shape = {f}, .n_classes = n_classes, .n_items = 100, .lo = -4, .hi = 4};
    return d;
}

int tm_load_weights(gl_net *net, const fx_file *f, const char *prefix, const char *const *map,
                    char *msg, size_t cap)
{
    for (int i = 0; map[i]; i += 2) {
        char src[128];
        snprintf(src, sizeof src, "%s.%s", prefix, map[i]);
        const fx_tensor *t = fx_find(f, src);
        gl_tensor *p = gl_net_find(net, map[i + 1]);
        if (!t || !p || t->n != gl_tensor_numel(p)) {
            snprintf(msg, cap, "cannot copy fixture %s (%s) into %s (%s, %zu values)", src,
                     t ? "found" : "missing", map[i + 1], p ? "found" : "missing",
                     p ? gl_tensor_numel(p) : 0);
            return 0;
        }
        gl_real *v = gl_tensor_data(p);
        for (size_t j = 0; j < t->n; j++)
            v[j] = (gl_real)t->data[j];
    }
    return 1;
}

/* Central difference of f in coordinate i of the net's values at step h. */
static double central(gl_real *values, size_t i, double h, tm_scalar_fn f, void *ud)
{
    gl_real keep = values[i];
    values[i] = (gl_real)(keep + h);
    double up = f(ud);
    values[i] = (gl_real)(keep - h);
    double down = f(ud);
    values[i] = keep;
    return (up - down) / (2 * h);
}

int tm_check_grads(gl_net *net, tm_scalar_fn f, void *ud, int n_check, uint64_t seed, char *msg,
                   size_t cap)
{
    size_t n = gl_net_numel(net);
    gl_real *values = gl_net_values(net);
    /* The analytic gradient is copied first: f may run ops that touch nothing, but be safe. */
    double *analytic = malloc(n * sizeof *analytic);
    size_t *at = malloc(((size_t)n_check + 2 * (size_t)gl_net_n_params(net)) * sizeof *at);
    if (!analytic || !at) {
        free(analytic);
        free(at);
        snprintf(msg, cap, "out of memory");
        return 0;
    }
    double gmax = 0;
    for (size_t i = 0; i < n; i++) {
        analytic[i] = gl_net_grads(net)[i];
        gmax = fmax(gmax, fabs(analytic[i]));
    }
    size_t k = 0, off = 0;
    for (int p = 0; p < gl_net_n_params(net); p++) {
        size_t len = gl_tensor_numel(gl_net_param_at(net, p));
        at[k++] = off;
        at[k++] = off + len - 1;
        off += len;
    }
    gl_rng r;
    gl_rng_init(&r, seed, 99);
    for (int i = 0; i < n_check; i++)
        at[k++] = (size_t)gl_rng_below(&r, n);
    int ok = 1;
    double worst = -1;
    for (size_t j = 0; j < k; j++) {
        size_t i = at[j];
        double a = analytic[i], tol = 2e-2 * fabs(a) + 2e-3 * gmax;
        double fd = central(values, i, 1e-2, f, ud);
        for (double h = 2.5e-3; fabs(fd - a) > tol && h > 1e-4; h /= 4) {
            double fd2 = central(values, i, h, f, ud);
            if (fabs(fd2 - a) < fabs(fd - a))
                fd = fd2;
        }
        double excess = fabs(fd - a) - tol;
        if (excess > worst) {
            worst = excess;
            snprintf(msg, cap,
                     "net %s, element %zu: analytic %.6g, finite difference %.6g "
                     "(tolerance %.3g, max |grad| %.3g)",
                     gl_net_name(net), i, a, fd, tol, gmax);
        }
        if (excess > 0)
            ok = 0;
    }
    free(analytic);
    free(at);
    return ok;
}

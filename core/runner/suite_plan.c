/* suite_plan.c - the child runs of a suite (suite_plan.h): for each seed, run and sweep point (in
 * that order, so a suite stopped early has whole comparisons of its first seeds), the run's name,
 * its state from the suite directory (compare/state.h), and the command that trains it: afresh
 * when pending or failed (a failed run starts over in a new run directory), `train --resume` when
 * interrupted. Done and running runs get a command too (shown by --dry-run); the caller decides
 * what to start.
 */
#include "runner/suite_plan.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void gl_suite_plan_free(gl_suite_plan *p)
{
    for (int i = 0; p->kids && i < p->n; i++) {
        free(p->kids[i].argv);
        for (int k = 0; k < p->kids[i].n_owned; k++)
            free(p->kids[i].owned[k]);
        free(p->kids[i].owned);
    }
    free(p->kids);
    memset(p, 0, sizeof *p);
}

/* 1 when the comma-separated list has the key made of the n bytes at key. */
static int listed(const char *list, const char *key, size_t n)
{
    for (const char *k = list; *k;) {
        size_t len = strcspn(k, ",");
        if (len == n && strncmp(k, key, n) == 0)
            return 1;
        k += len + (k[len] == ',');
    }
    return 0;
}

/* The keys child run r varies by the suite's doing, comma-separated, into buf: the swept keys,
 * then the keys of its own overrides, each once: all of them keys its config has, as
 * logging.hparams requires (an override of a key it lacks fails the run anyway), which the keys of
 * the other runs' overrides need not be. "" when there are none, or when an override sets
 * logging.hparams itself. */
static void hparams(const gl_suite_def *d, const gl_suite_run *r, char *buf, size_t cap)
{
    gl_sweep_keys(&d->sweep, buf, cap);
    for (int i = 0; i < r->n_overrides; i++) {
        const char *ov = r->overrides[i];
        size_t n = strcspn(ov, "="), len = strlen(buf);
        if (!listed(buf, ov, n) && len + n + 2 < cap)
            snprintf(buf + len, cap - len, "%s%.*s", len ? "," : "", (int)n, ov);
    }
    for (int i = 0; i < d->suite->n_overrides + r->n_overrides; i++) {
        const char *ov = i < d->suite->n_overrides ? d->suite->overrides[i]
                                                   : r->overrides[i - d->suite->n_overrides];
        if (strncmp(ov, "logging.hparams=", 16) == 0)
            buf[0] = '\0';
    }
}

int gl_suite_plan_make(const gl_suite_def *d, gl_registry *reg, gl_suite_plan *p, gl_error *err)
{
    memset(p, 0, sizeof *p);
    const gl_suite *su = d->suite;
    int points = gl_sweep_points(&d->sweep);
    /* In 64 bits: with at most GL_SUITE_MAX_RUNS seeds and GL_SWEEP_MAX_POINTS points it cannot
     * overflow, where the int product could (and size the plan too small). */
    int64_t n = (int64_t)su->n_seeds * su->n_runs * points;
    if (n > GL_SUITE_MAX_RUNS)
        return gl_error_add(err, GL_ERR_INPUT,
                            "suite '%s': %lld runs (%d seeds x %d runs x %d sweep points), more "
                            "than the %d a suite may plan",
                            su->name, (long long)n, su->n_seeds, su->n_runs, points,
                            GL_SUITE_MAX_RUNS);
    p->n = (int)n;
    /* Freed by gl_suite_plan_free. */
    if (!(p->kids = calloc((size_t)(p->n ? p->n : 1), sizeof *p->kids)))
        return gl_error_add(err, GL_ERR_RUN, "out of memory");
    int k = 0;
    for (int si = 0; si < su->n_seeds; si++)
        for (int ri = 0; ri < su->n_runs; ri++)
            for (int pi = 0; pi < points; pi++, k++) {
                gl_suite_child *c = &p->kids[k];
                char point[512];
                gl_sweep_name(&d->sweep, pi, point, sizeof point);
                int w = snprintf(c->variant, sizeof c->variant, "%s%s%s", su->runs[ri].name,
                                 point[0] ? "." : "", point);
                if (w < 0 || (size_t)w >= sizeof c->variant - 24)
                    return gl_error_add(err, GL_ERR_INPUT,
                                        "the name of run %s at sweep point %s is longer than %zu "
                                        "bytes: sweep fewer keys or shorter values",
                                        su->runs[ri].name, point, sizeof c->variant - 24);
                snprintf(c->name, sizeof c->name, "%s-s%lld", c->variant, (long long)su->seeds[si]);
                c->seed = su->seeds[si];
                c->run = ri;
                c->point = pi;
                if (gl_run_status_get(d->dir, c->name, gl_registry_schema_lookup, reg, &c->st,
                                      err) != GL_OK)
                    return GL_ERR_INPUT;
            }
    return GL_OK;
}

/* A copy of the text made with fmt, kept by c (argv points to it); NULL when out of memory. */
__attribute__((format(printf, 2, 3))) static char *own(gl_suite_child *c, const char *fmt, ...)
{
    char buf[GL_SUITE_PATH_CAP + 64];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    char **grown = realloc(c->owned, (size_t)(c->n_owned + 1) * sizeof *grown);
    if (!grown)
        return NULL;
    c->owned = grown;
    return (c->owned[c->n_owned] = strdup(buf)) ? c->owned[c->n_owned++] : NULL;
}

static int command(gl_suite_child *c, const gl_suite_def *d, const gl_cli *cli, const char *exe,
                   int threads)
{
    const gl_suite *su = d->suite;
    const gl_suite_run *r = &su->runs[c->run];
    int n = 11 + 2 * cli->n_plugin_path + su->n_overrides + r->n_overrides + d->sweep.n_axes;
    free(c->argv);
    if (!(c->argv = calloc((size_t)n, sizeof *c->argv)))
        return GL_ERR_RUN;
    int a = 0;
    c->argv[a++] = exe;
    for (int i = 0; i < cli->n_plugin_path; i++) {
        c->argv[a++] = "--plugin-path";
        c->argv[a++] = cli->plugin_path[i];
    }
    c->argv[a++] = "train";
    if (c->st.state == GL_RUN_INTERRUPTED) {
        c->argv[a++] = "--resume";
        c->argv[a++] = c->st.dir;
    } else {
        c->argv[a++] = "--";
        c->argv[a++] = r->config;
        for (int i = 0; i < su->n_overrides; i++)
            c->argv[a++] = su->overrides[i];
        for (int i = 0; i < r->n_overrides; i++)
            c->argv[a++] = r->overrides[i];
        for (int i = 0; i < d->sweep.n_axes; i++) {
            char ov[2048];
            gl_sweep_override(&d->sweep, c->point, i, ov, sizeof ov);
            c->argv[a++] = own(c, "%s", ov);
        }
        char keys[1024];
        hparams(d, r, keys, sizeof keys);
        if (keys[0])
            c->argv[a++] = own(c, "logging.hparams=%s", keys);
        c->argv[a++] = own(c, "experiment.seed=%lld", (long long)c->seed);
        c->argv[a++] = own(c, "experiment.name=%s", c->name);
        c->argv[a++] = own(c, "experiment.out_dir=%s/runs", d->dir);
    }
    c->argv[a++] = own(c, "experiment.threads=%d", threads);
    for (int i = 0; i < a; i++)
        if (!c->argv[i])
            return GL_ERR_RUN;
    return GL_OK;
}

int gl_suite_plan_commands(gl_suite_plan *p, const gl_suite_def *d, const gl_cli *cli,
                           const char *exe, int threads, gl_error *err)
{
    for (int i = 0; i < p->n; i++) {
        gl_suite_child *c = &p->kids[i];
        for (int k = 0; k < c->n_owned; k++)
            free(c->owned[k]);
        c->n_owned = 0;
        snprintf(c->out, sizeof c->out, "%.*s/logs/%s.out", GL_SUITE_DIR_CAP, d->dir, c->name);
        snprintf(c->log, sizeof c->log, "%.*s/logs/%s.log", GL_SUITE_DIR_CAP, d->dir, c->name);
        if (command(c, d, cli, exe, threads) != GL_OK)
            return gl_error_add(err, GL_ERR_RUN, "out of memory");
    }
    return GL_OK;
}

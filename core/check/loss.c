/* loss.c - the checks of a loss plugin (check.h). A loss reaches the networks only through the
 * core's callbacks (gl_loss_env), so the check plays the core with its own small nets:
 *
 *   G: z (8, 4) -> Linear 16 -> tanh -> Linear 4 -> tanh      D: x (8, 4) -> Linear 16 -> tanh
 *                                                                 -> Linear 1   (the logit /
 * critic)
 *
 * tanh everywhere: smooth (no kinks for the finite differences to cross) and twice differentiable
 * with a non-zero second derivative, so a penalty on D's input gradient has real second-order
 * terms. The real batch is uniform in [-1, 1]. generate() draws its noise from a stream that is
 * rewound before every evaluation, as is env->rng (the penalty stream), so every evaluation of a
 * loss sees the same z and the same interpolation weights: the loss is then a deterministic
 * function of the parameters, and its finite differences mean something.
 *
 * For d_loss (w.r.t. D's parameters) and g_loss (w.r.t. G's), as the core differentiates them:
 * the loss is one finite element, its terms are named and finite, it depends on the net, and its
 * gradient (gl_backward, through the recorded input gradient for a GL_LOSS_INPUT_GRADIENT loss)
 * matches finite differences of the whole loss at every parameter coordinate (the nets have 97 and
 * 148 parameters).
 */
#include "check/check_internal.h"

#include <math.h>
#include <string.h>

#include <ganlab/autograd.h>
#include <ganlab/rng.h>
#include <ganlab/tensor.h>

#define BATCH  8
#define ITEM   4
#define LATENT 4
#define HIDDEN 16

typedef struct lrun {
    const gl_loss_plugin *lp;
    void *self;
    gl_ctx *ctx;
    gl_net *net[2]; /* 0: G, 1: D (gl_loss_result's order in the core) */
    gl_linear_layer g1, g2, d1, d2;
    gl_rng noise, noise0, penalty, penalty0;
    float real[BATCH * ITEM];
    int which; /* the loss being evaluated: 0 g_loss, 1 d_loss */
} lrun;

static gl_tensor *generate_cb(void *core, int n, const int32_t *labels)
{
    lrun *l = core;
    int shape[2] = {n, LATENT};
    gl_tensor *z = gl_tensor_new(l->ctx, 2, shape);
    if (!z)
        return NULL;
    gl_rng_fill_normal(&l->noise, gl_tensor_data(z), gl_tensor_numel(z), 0.0f, 1.0f);
    gl_tensor *h = gl_linear_layer_forward(l->ctx, &l->g1, z, GL_ACT_TANH, 0);
    return gl_linear_layer_forward(l->ctx, &l->g2, h, GL_ACT_TANH, 0);
}

static gl_tensor *discriminate_cb(void *core, gl_tensor *x, const int32_t *labels)
{
    lrun *l = core;
    gl_tensor *h = gl_linear_layer_forward(l->ctx, &l->d1, x, GL_ACT_TANH, 0);
    return gl_linear_layer_forward(l->ctx, &l->d2, h, GL_ACT_NONE, 0);
}

/* One call of the loss from a fresh context and rewound streams. */
static int evaluate(lrun *l, gl_loss_result *res, gl_error *err)
{
    static const int shape[2] = {BATCH, ITEM};
    gl_ctx_reset(l->ctx);
    l->noise = l->noise0;
    l->penalty = l->penalty0;
    gl_loss_env env = {
        .ctx = l->ctx,
        .real = gl_tensor_from(l->ctx, 2, shape, l->real),
        .labels = NULL,
        .batch = BATCH,
        .rng = &l->penalty,
        .core = l,
        .generate = generate_cb,
        .discriminate = discriminate_cb,
    };
    memset(res, 0, sizeof *res);
    int rc = l->which ? l->lp->d_loss(l->self, &env, res, err)
                      : l->lp->g_loss(l->self, &env, res, err);
    return rc == GL_OK ? gl_loss_result_check(l->ctx, res, "", err) : rc;
}

/* gl_check_scalar_fn: the loss value. Recording stays on: a penalty differentiates inside. */
static int scalar(void *ud, double *v, gl_error *err)
{
    gl_loss_result res;
    int rc = evaluate(ud, &res, err);
    if (rc == GL_OK)
        *v = gl_tensor_item(res.loss);
    return rc;
}

/* The value and terms of one loss; its description (for the line) into buf. 1 when sound. */
static int value_ok(const gl_loss_result *res, char *buf, size_t cap)
{
    double v = gl_tensor_item(res->loss);
    size_t used = (size_t)snprintf(buf, cap, "%.4g", v);
    int ok = isfinite(v);
    if (res->n_terms < 0 || res->n_terms > GL_LOSS_MAX_TERMS) {
        snprintf(buf + used, cap - used, ", n_terms %d is outside [0, %d]", res->n_terms,
                 GL_LOSS_MAX_TERMS);
        return 0;
    }
    for (int i = 0; i < res->n_terms && used < cap; i++) {
        const char *name = res->term_names[i];
        ok = ok && name && name[0] && isfinite(res->term_values[i]);
        used += (size_t)snprintf(buf + used, cap - used, "%s %s %.4g", i ? "," : "; terms",
                                 name ? name : "(unnamed)", res->term_values[i]);
    }
    return ok;
}

/* The checks of one of the two losses. */
static void check_one(lrun *l, int which, const gl_check_opts *opts, gl_check_report *rep)
{
    static const char *const fn[2] = {"g_loss", "d_loss"}, *const net[2] = {"G", "D"};
    gl_error e;
    gl_error_init(&e);
    char msg[1024], what[192];
    gl_loss_result res;
    l->which = which;
    gl_net *n = l->net[which];
    int rc = evaluate(l, &res, &e);
    if (rc != GL_OK) {
        gl_check__error_text(&e, msg, sizeof msg);
        gl_check__line(rep, GL_CHECK_FAIL, "loss %s: %s", fn[which], msg);
        return;
    }
    int ok = value_ok(&res, msg, sizeof msg);
    gl_check__verdict(rep, ok, "loss %s: a finite scalar with named, finite terms: %s", fn[which],
                      msg);
    gl_net_zero_grad(n);
    if (gl_backward(l->ctx, res.loss, n, &e) != GL_OK) {
        gl_check__error_text(&e, msg, sizeof msg);
        gl_check__line(rep, GL_CHECK_FAIL, "loss %s: differentiating it w.r.t. %s: %s", fn[which],
                       net[which], msg);
        return;
    }
    double gmax = 0;
    for (size_t i = 0; i < gl_net_numel(n); i++)
        gmax = fmax(gmax, fabs(gl_net_grads(n)[i]));
    gl_check__verdict(rep, gmax > 0,
                      "loss %s: depends on %s's parameters (largest |gradient| %.3g)", fn[which],
                      net[which], gmax);
    snprintf(what, sizeof what, "loss %s: gradient w.r.t. %s's parameters%s", fn[which], net[which],
             which && (l->lp->flags & GL_LOSS_INPUT_GRADIENT)
                 ? " (with the second-order terms of its input-gradient penalty)"
                 : "");
    gl_check_fd r;
    rc = gl_check__grads(n, scalar, l, 0, opts->seed, &r, &e);
    if (rc == GL_OK) {
        gl_check__grads_line(rep, &r, what);
    } else {
        gl_check__error_text(&e, msg, sizeof msg);
        gl_check__line(rep, GL_CHECK_FAIL, "%s: %s", what, msg);
    }
}

/* The nets, the streams and the real batch. */
static int setup(lrun *l, const gl_check_opts *opts, gl_error *err)
{
    l->ctx = gl_ctx_create();
    l->net[0] = gl_net_create("G");
    l->net[1] = gl_net_create("D");
    if (!l->ctx || !l->net[0] || !l->net[1])
        return gl_error_add(err, GL_ERR_RUN, "out of memory");
    gl_linear_layer_declare(&l->g1, l->net[0], "g1", LATENT, HIDDEN, 1);
    gl_linear_layer_declare(&l->g2, l->net[0], "g2", HIDDEN, ITEM, 1);
    gl_linear_layer_declare(&l->d1, l->net[1], "d1", ITEM, HIDDEN, 1);
    gl_linear_layer_declare(&l->d2, l->net[1], "d2", HIDDEN, 1, 1);
    gl_rng r;
    gl_rng_init(&r, opts->seed, GL_STREAM_INIT);
    int rc = gl_net_finalize(l->net[0], &r, err);
    if (rc == GL_OK)
        rc = gl_net_finalize(l->net[1], &r, err);
    gl_rng_init(&l->noise0, opts->seed, GL_STREAM_NOISE);
    gl_rng_init(&l->penalty0, opts->seed, GL_STREAM_PENALTY);
    gl_rng_init(&r, opts->seed, GL_STREAM_DATA);
    gl_rng_fill_uniform(&r, l->real, BATCH * ITEM, -1.0f, 1.0f);
    return rc;
}

int gl_check__loss(const gl_plugin_header *hdr, const gl_check_opts *opts, gl_check_report *rep,
                   gl_error *err)
{
    lrun l;
    memset(&l, 0, sizeof l);
    l.lp = (const gl_loss_plugin *)hdr;
    gl_cfg *cfg;
    const gl_params *params;
    int rc = gl_check__params(hdr, opts, NULL, &cfg, &params, err);
    if (rc != GL_OK)
        return rc;
    rc = setup(&l, opts, err);
    if (rc == GL_OK) {
        gl_error e;
        gl_error_init(&e);
        char msg[1024];
        if (l.lp->create(params, &l.self, &e) != GL_OK) {
            gl_check__error_text(&e, msg, sizeof msg);
            gl_check__line(rep, GL_CHECK_FAIL, "loss: create with these parameters: %s", msg);
        } else {
            check_one(&l, 1, opts, rep);
            check_one(&l, 0, opts, rep);
        }
    }
    if (l.self)
        l.lp->destroy(l.self);
    gl_ctx_destroy(l.ctx);
    gl_net_destroy(l.net[0]);
    gl_net_destroy(l.net[1]);
    gl_cfg_destroy(cfg);
    return rc;
}

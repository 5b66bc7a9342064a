/* penalty.c - R1 and R2, the zero-centred gradient penalties of penalty.h. */
#include "train/penalty.h"

#include <ganlab/autograd.h>
#include <ganlab/tensor.h>

/* *sq = mean_i ||grad_x D(x)_i||^2 (1), recorded; x is cut from its graph first, so the penalty
 * reaches D's parameters only (never G's through the fakes). The sum of squares, not the square of
 * gl_row_l2norm, keeps the second derivative finite where the gradient is 0. */
static int mean_sq_grad(const gl_loss_env *env, gl_tensor *x, gl_tensor **sq, gl_error *err)
{
    gl_ctx *ctx = env->ctx;
    gl_tensor *leaf = gl_detach(ctx, x);
    if (leaf)
        gl_tensor_set_requires_grad(leaf, 1);
    gl_tensor *d = leaf ? env->discriminate(env->core, leaf, env->labels) : NULL;
    int rc = gl_ctx_status(ctx, err);
    if (rc == GL_OK && !d)
        rc = gl_error_add(err, GL_ERR_RUN, "the R1/R2 penalty: D gave no output");
    if (rc != GL_OK)
        return rc;
    gl_tensor *ones = gl_tensor_full_like(ctx, d, 1), *gx = NULL;
    if ((rc = gl_grad(ctx, 1, &d, &ones, 1, &leaf, &gx, 1, err)) != GL_OK)
        return rc;
    *sq = gl_mean(ctx, gl_row_sum(ctx, gl_square(ctx, gx)));
    return gl_ctx_status(ctx, err);
}

int gl_zc_penalties_add(const gl_loss_env *env, gl_tensor *fake, double r1_gamma, double r2_gamma,
                        gl_loss_result *res, gl_error *err)
{
    static const char *const names[2] = {"r1", "r2"};
    gl_tensor *const inputs[2] = {env->real, fake};
    const double gammas[2] = {r1_gamma, r2_gamma};
    for (int k = 0; k < 2; k++) {
        if (gammas[k] <= 0)
            continue;
        if (res->n_terms >= GL_LOSS_MAX_TERMS)
            return gl_error_add(err, GL_ERR_RUN,
                                "train.%s_gamma: the loss filled all %d terms, leaving none for "
                                "the penalty",
                                names[k], GL_LOSS_MAX_TERMS);
        if (!inputs[k])
            return gl_error_add(err, GL_ERR_RUN, "train.r2_gamma: the D update made no fakes");
        gl_tensor *sq = NULL;
        int rc = mean_sq_grad(env, inputs[k], &sq, err);
        if (rc != GL_OK)
            return rc;
        res->loss = gl_add(env->ctx, res->loss, gl_scale(env->ctx, sq, (gl_real)(gammas[k] / 2)));
        if ((rc = gl_ctx_status(env->ctx, err)) != GL_OK)
            return rc;
        gl_loss_term(res, names[k], gl_tensor_item(sq));
    }
    return GL_OK;
}

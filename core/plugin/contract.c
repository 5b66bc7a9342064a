/* contract.c - the checks of plugin.h's contracts that the core makes on what a plugin returned,
 * shared by the training step and `ganlab plugin-check`, so that both refuse the same results with
 * the same words.
 *
 * Not here: the descriptor's shape (descriptor.c), a loss's gradient (core/check/loss.c). */
#include "plugin/registry.h"

#include <ganlab/tensor.h>

#include "plugin/loader.h"

int gl_loss_result_check(gl_ctx *ctx, const gl_loss_result *res, const char *who, gl_error *err)
{
    /* The context first: a failed op makes every later tensor NULL, and its message says why. */
    int rc = gl_ctx_status(ctx, err);
    if (rc != GL_OK)
        return rc;
    if (!res->loss)
        return gl_error_add(err, GL_ERR_RUN, "%sit returned no loss tensor", who);
    if (gl_tensor_numel(res->loss) != 1)
        return gl_error_add(err, GL_ERR_RUN, "%sthe loss has %zu elements, not 1", who,
                            gl_tensor_numel(res->loss));
    if (res->n_terms < 0 || res->n_terms > GL_LOSS_MAX_TERMS)
        return gl_error_add(err, GL_ERR_RUN, "%sit returned %d named terms (at most %d)", who,
                            res->n_terms, GL_LOSS_MAX_TERMS);
    for (int i = 0; i < res->n_terms; i++)
        if (!res->term_names[i] || !gl_plugin_name_ok(res->term_names[i]))
            return gl_error_add(err, GL_ERR_RUN, "%sits term %d has no [a-z0-9_]+ name", who,
                                i + 1);
    return GL_OK;
}

/* sign_sgd.c - an example optimizer plugin (docs/plugins.md): signSGD, p <- p - lr * sign(g).
 *
 * The update is proportional to lr (the core's learning-rate schedule scales it afterwards), keeps
 * no state (state_per_param 0: the core owns all optimizer state) and allocates nothing.
 * tests/e2e/oot.sh builds it against an installed ganlab with nothing but
 *     cc sign_sgd.c $(pkg-config --cflags --libs ganlab) -shared -fPIC -o sign_sgd.so
 * then loads it with `ganlab plugins sign_sgd --plugin-path DIR` and `ganlab plugin-check`.
 */
#include <ganlab/plugin.h>

#include <stdlib.h>

typedef struct sign_sgd {
    float lr;
} sign_sgd;

/* The schema: what a config may set in this plugin's section; the core validates it. */
static const gl_param_spec params[] = {
    {"lr", GL_PARAM_FLOAT, "0.001", 0, 0.0, 1.0, NULL, "step length"},
    {NULL, 0, NULL, 0, GL_NO_RANGE, NULL, NULL},
};

static int create(const gl_params *p, int *state_per_param, void **self, gl_error *err)
{
    sign_sgd *s = malloc(sizeof *s); /* freed by destroy */
    *self = s;
    if (!s)
        return gl_error_add(err, GL_ERR_RUN, "optimizer 'sign_sgd': out of memory");
    s->lr = (float)gl_params_float(p, "lr");
    *state_per_param = 0; /* no optimizer state */
    return GL_OK;
}

static void step(void *self, float *param, const float *grad, float *state, size_t n, uint64_t t)
{
    const sign_sgd *s = self;
    for (size_t i = 0; i < n; i++)
        param[i] -= s->lr * (float)((grad[i] > 0.0f) - (grad[i] < 0.0f));
}

static void destroy(void *self) { free(self); }

static const gl_optimizer_plugin plugin = {
    .hdr = {GL_ABI_VERSION, GL_KIND_OPTIMIZER, sizeof plugin, "sign_sgd",
            "signSGD: steps by the sign of the gradient", params},
    .create = create,
    .step = step,
    .destroy = destroy,
};

GL_PLUGIN_EXPORT const gl_plugin_header *gl_plugin_entry(void) { return &plugin.hdr; }

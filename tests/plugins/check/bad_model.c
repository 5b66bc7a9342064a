/* bad_model.c - a deliberately wrong model plugin "bad_model" for the plugin checker's tests:
 *   G: z (B, 8) -> Linear 16 -> tanh -> Linear item -> reshape (B, item...)
 *   D: x (B, item...) -> flatten -> Linear 16 -> tanh -> [gl_detach] -> Linear 1
 * The detach leaves D's values right but cuts the gradient of its first layer (and, through D, all
 * of G's), which `ganlab plugin-check` must catch. */
#include <stdlib.h>
#include <string.h>

#include <ganlab/autograd.h>
#include <ganlab/nn.h>
#include <ganlab/plugin.h>
#include <ganlab/tensor.h>

typedef struct bad {
    gl_linear_layer g1, g2, d1, d2;
    gl_dataset_info data;
} bad;

static int create(const gl_params *p, gl_model_env *env, gl_net *g, gl_net *d, void **self,
                  gl_error *err)
{
    bad *m = calloc(1, sizeof *m);
    *self = m;
    if (!m)
        return gl_error_add(err, GL_ERR_RUN, "model 'bad_model': out of memory");
    m->data = env->data;
    int item = 1;
    for (int i = 0; i < env->data.ndim; i++)
        item *= env->data.shape[i];
    gl_linear_layer_declare(&m->g1, g, "g1", 8, 16, 1);
    gl_linear_layer_declare(&m->g2, g, "g2", 16, item, 1);
    gl_linear_layer_declare(&m->d1, d, "d1", item, 16, 1);
    gl_linear_layer_declare(&m->d2, d, "d2", 16, 1, 1);
    env->latent_dim = 8;
    env->conditional = 0;
    return GL_OK;
}

static gl_tensor *generate(void *self, gl_ctx *ctx, gl_tensor *z, const int32_t *labels, int train)
{
    bad *m = self;
    gl_tensor *h = gl_linear_layer_forward(ctx, &m->g1, z, GL_ACT_TANH, 0);
    h = gl_linear_layer_forward(ctx, &m->g2, h, GL_ACT_NONE, 0);
    int shape[4] = {gl_tensor_dim(z, 0), m->data.shape[0], m->data.shape[1], m->data.shape[2]};
    return gl_reshape(ctx, h, 1 + m->data.ndim, shape);
}

static gl_tensor *discriminate(void *self, gl_ctx *ctx, gl_tensor *x, const int32_t *labels,
                               int train)
{
    bad *m = self;
    gl_tensor *h = gl_linear_layer_forward(ctx, &m->d1, gl_flatten(ctx, x), GL_ACT_TANH, 0);
    return gl_linear_layer_forward(ctx, &m->d2, gl_detach(ctx, h), GL_ACT_NONE, 0);
}

static void destroy(void *self) { free(self); }

static const gl_model_plugin plugin = {
    .hdr = {GL_ABI_VERSION, GL_KIND_MODEL, sizeof plugin, "bad_model",
            "test plugin: D detaches its hidden layer", NULL},
    .create = create,
    .generate = generate,
    .discriminate = discriminate,
    .destroy = destroy,
};

GL_PLUGIN_EXPORT const gl_plugin_header *gl_plugin_entry(void) { return &plugin.hdr; }

/* tiny_mlp.c - an example model plugin (docs/plugins.md): one hidden layer in G and in D, for any
 * data shape, unconditional.
 *
 *   G: z (B, latent) -> Linear(latent, hidden) -> ReLU -> Linear(hidden, item) -> tanh
 *      -> reshaped to (B, item shape...)
 *   D: x (B, item...) -> flattened -> Linear(item, hidden) -> LeakyReLU(0.2) -> Linear(hidden, 1)
 *
 * create() only declares the parameters (nn.h's layer helpers, each with its initialiser); the core
 * allocates and initialises them afterwards. generate/discriminate build everything in ctx and keep
 * no tensor. tanh keeps G's samples in [-1, 1], the range of the bundled image datasets.
 *
 * Build out of tree: cc tiny_mlp.c $(pkg-config --cflags --libs ganlab) -shared -fPIC -o
 * tiny_mlp.so
 */
#include <ganlab/nn.h>
#include <ganlab/plugin.h>
#include <ganlab/tensor.h>

#include <stdlib.h>

typedef struct tiny_mlp {
    gl_linear_layer g1, g2, d1, d2;
    int item_ndim, item_shape[3];
} tiny_mlp;

static const gl_param_spec params[] = {
    {"latent_dim", GL_PARAM_INT, "16", 0, 1, 4096, NULL, "length of the noise vector z"},
    {"hidden", GL_PARAM_INT, "64", 0, 1, 65536, NULL, "units of the hidden layer of G and of D"},
    {NULL, 0, NULL, 0, GL_NO_RANGE, NULL, NULL},
};

static int create(const gl_params *p, gl_model_env *env, gl_net *g, gl_net *d, void **self,
                  gl_error *err)
{
    tiny_mlp *m = calloc(1, sizeof *m); /* freed by destroy */
    *self = m;
    if (!m)
        return gl_error_add(err, GL_ERR_RUN, "model 'tiny_mlp': out of memory");
    int latent = (int)gl_params_int(p, "latent_dim"), hidden = (int)gl_params_int(p, "hidden");
    int item = 1;
    m->item_ndim = env->data.ndim;
    for (int i = 0; i < env->data.ndim; i++) {
        m->item_shape[i] = env->data.shape[i];
        item *= env->data.shape[i];
    }
    gl_linear_layer_declare(&m->g1, g, "g1", latent, hidden, 1);
    gl_linear_layer_declare(&m->g2, g, "g2", hidden, item, 1);
    gl_linear_layer_declare(&m->d1, d, "d1", item, hidden, 1);
    gl_linear_layer_declare(&m->d2, d, "d2", hidden, 1, 1);
    env->latent_dim = latent;
    env->conditional = 0;
    return GL_OK;
}

static gl_tensor *generate(void *self, gl_ctx *ctx, gl_tensor *z, const int32_t *labels, int train)
{
    const tiny_mlp *m = self;
    gl_tensor *h = gl_linear_layer_forward(ctx, &m->g1, z, GL_ACT_RELU, 0);
    gl_tensor *y = gl_linear_layer_forward(ctx, &m->g2, h, GL_ACT_TANH, 0); /* (B, item) */
    int shape[4] = {gl_tensor_dim(z, 0), m->item_shape[0], m->item_shape[1], m->item_shape[2]};
    return gl_reshape(ctx, y, 1 + m->item_ndim, shape); /* NULL propagates: the core reports it */
}

static gl_tensor *discriminate(void *self, gl_ctx *ctx, gl_tensor *x, const int32_t *labels,
                               int train)
{
    const tiny_mlp *m = self;
    gl_tensor *h = gl_linear_layer_forward(ctx, &m->d1, x, GL_ACT_LEAKY_RELU, 0.2f);
    return gl_linear_layer_forward(ctx, &m->d2, h, GL_ACT_NONE, 0); /* (B, 1) */
}

static void destroy(void *self) { free(self); }

static const gl_model_plugin plugin = {
    .hdr = {GL_ABI_VERSION, GL_KIND_MODEL, sizeof plugin, "tiny_mlp",
            "example: one hidden layer in G and D, any data shape", params},
    .create = create,
    .generate = generate,
    .discriminate = discriminate,
    .destroy = destroy,
};

GL_PLUGIN_EXPORT const gl_plugin_header *gl_plugin_entry(void) { return &plugin.hdr; }

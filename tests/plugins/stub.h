/* stub.h - do-nothing plugin functions for the loader's test plugins (the .c files beside it),
 * which exist only to be loaded, looked up and refused; nothing ever calls these. */
#ifndef GL_TEST_PLUGIN_STUB_H
#define GL_TEST_PLUGIN_STUB_H

#include <ganlab/plugin.h>

static inline int stub_create(const gl_params *params, int *state_per_param, void **self,
                              gl_error *err)
{
    *state_per_param = 0;
    *self = NULL;
    return GL_OK;
}

static inline void stub_step(void *self, float *param, const float *grad, float *state, size_t n,
                             uint64_t step)
{
}

static inline void stub_destroy(void *self) {}

/* An optimizer descriptor named NAME with the given step function and schema. */
/* clang-format off */
#define STUB_OPTIMIZER(NAME, STEP, PARAMS)                                                      \
    static const gl_optimizer_plugin stub_plugin = {                                            \
        .hdr = {GL_ABI_VERSION, GL_KIND_OPTIMIZER, sizeof(gl_optimizer_plugin), NAME,           \
                "test plugin " NAME, PARAMS},                                                   \
        .create = stub_create,                                                                  \
        .step = STEP,                                                                           \
        .destroy = stub_destroy,                                                                \
    };                                                                                          \
    GL_PLUGIN_EXPORT const gl_plugin_header *gl_plugin_entry(void) { return &stub_plugin.hdr; }

/* clang-format on */
#endif

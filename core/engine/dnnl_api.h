/* dnnl_api.h - oneDNN's C API through pointers filled when libdnnl is first needed (dnnl_api.c).
 *
 * libganlab does not link libdnnl: a run that multiplies only in fp32 through OpenBLAS (the MLP
 * configs) never maps its 40 MB of code, relocations and libstdc++ (3.5 MB of peak RSS,
 * docs/performance.md). dnnl.c includes this header for <dnnl.h>, so each dnnl_* call below goes
 * through gl__dnnl_api; a oneDNN function used without a line here stays an undefined symbol and
 * fails the link of every program, which says what to add. gl__dnnl_load (engine.h) fills it.
 * Include only from dnnl.c and dnnl_api.c. */
#ifndef GL_ENGINE_DNNL_API_H
#define GL_ENGINE_DNNL_API_H

#include <dnnl.h>

/* clang-format off */
#define GL__DNNL_FUNCS(X) \
    X(convolution_backward_data_desc_init) X(convolution_backward_weights_desc_init) \
    X(convolution_forward_desc_init) X(engine_create) X(engine_destroy) X(matmul_desc_init) \
    X(memory_create) X(memory_desc_equal) X(memory_desc_get_size) \
    X(memory_desc_init_by_strides) X(memory_desc_init_by_tag) X(memory_destroy) \
    X(memory_set_data_handle) X(post_ops_append_sum) X(post_ops_create) X(post_ops_destroy) \
    X(primitive_attr_create) X(primitive_attr_destroy) X(primitive_attr_set_post_ops) \
    X(primitive_attr_set_scratchpad_mode) X(primitive_create) X(primitive_desc_create) \
    X(primitive_desc_destroy) X(primitive_desc_query_md) X(primitive_destroy) \
    X(primitive_execute) X(reorder_primitive_desc_create) X(stream_create) X(stream_destroy) \
    X(stream_wait)
/* clang-format on */

typedef struct gl__dnnl_api_t {
#define GL__DNNL_FIELD(f) __typeof__(dnnl_##f) *f;
    GL__DNNL_FUNCS(GL__DNNL_FIELD)
#undef GL__DNNL_FIELD
} gl__dnnl_api_t;

extern gl__dnnl_api_t gl__dnnl_api;

#define GL__DNNL_FN(f)                           (*gl__dnnl_api.f)
#define dnnl_convolution_backward_data_desc_init GL__DNNL_FN(convolution_backward_data_desc_init)
#define dnnl_convolution_backward_weights_desc_init \
    GL__DNNL_FN(convolution_backward_weights_desc_init)
#define dnnl_convolution_forward_desc_init      GL__DNNL_FN(convolution_forward_desc_init)
#define dnnl_engine_create                      GL__DNNL_FN(engine_create)
#define dnnl_engine_destroy                     GL__DNNL_FN(engine_destroy)
#define dnnl_matmul_desc_init                   GL__DNNL_FN(matmul_desc_init)
#define dnnl_memory_create                      GL__DNNL_FN(memory_create)
#define dnnl_memory_desc_equal                  GL__DNNL_FN(memory_desc_equal)
#define dnnl_memory_desc_get_size               GL__DNNL_FN(memory_desc_get_size)
#define dnnl_memory_desc_init_by_strides        GL__DNNL_FN(memory_desc_init_by_strides)
#define dnnl_memory_desc_init_by_tag            GL__DNNL_FN(memory_desc_init_by_tag)
#define dnnl_memory_destroy                     GL__DNNL_FN(memory_destroy)
#define dnnl_memory_set_data_handle             GL__DNNL_FN(memory_set_data_handle)
#define dnnl_post_ops_append_sum                GL__DNNL_FN(post_ops_append_sum)
#define dnnl_post_ops_create                    GL__DNNL_FN(post_ops_create)
#define dnnl_post_ops_destroy                   GL__DNNL_FN(post_ops_destroy)
#define dnnl_primitive_attr_create              GL__DNNL_FN(primitive_attr_create)
#define dnnl_primitive_attr_destroy             GL__DNNL_FN(primitive_attr_destroy)
#define dnnl_primitive_attr_set_post_ops        GL__DNNL_FN(primitive_attr_set_post_ops)
#define dnnl_primitive_attr_set_scratchpad_mode GL__DNNL_FN(primitive_attr_set_scratchpad_mode)
#define dnnl_primitive_create                   GL__DNNL_FN(primitive_create)
#define dnnl_primitive_desc_create              GL__DNNL_FN(primitive_desc_create)
#define dnnl_primitive_desc_destroy             GL__DNNL_FN(primitive_desc_destroy)
#define dnnl_primitive_desc_query_md            GL__DNNL_FN(primitive_desc_query_md)
#define dnnl_primitive_destroy                  GL__DNNL_FN(primitive_destroy)
#define dnnl_primitive_execute                  GL__DNNL_FN(primitive_execute)
#define dnnl_reorder_primitive_desc_create      GL__DNNL_FN(reorder_primitive_desc_create)
#define dnnl_stream_create                      GL__DNNL_FN(stream_create)
#define dnnl_stream_destroy                     GL__DNNL_FN(stream_destroy)
#define dnnl_stream_wait                        GL__DNNL_FN(stream_wait)

#endif

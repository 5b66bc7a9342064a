# core/engine: tensors, ops, autograd and nets (docs/engine.md). GL_ENGINE_SOURCES are also built a
# second time with gl_real = double into a test-only library (tests/unit/engine.mk).
GL_ENGINE_SOURCES = core/engine/engine.h core/engine/alloc.c core/engine/ctx.c \
	core/engine/autograd.c core/engine/net.c core/engine/nn.c \
	core/engine/op_elementwise.c core/engine/op_activation.c core/engine/op_reduce.c \
	core/engine/op_linear.c core/engine/op_conv.c core/engine/op_norm.c \
	core/engine/op_shape.c core/engine/op_loss.c \
	core/engine/settings.c
# The training helpers of nn.h (for plugins that train a network of their own) are single
# precision only, so they are not in GL_ENGINE_SOURCES.
core_libganlab_internal_la_SOURCES += $(GL_ENGINE_SOURCES) core/engine/cross_entropy.c core/engine/adam.c \
	core/engine/blas.c
# oneDNN serves only the float engine (libganlab); the double test build never sees it.
if HAVE_DNNL
core_libganlab_internal_la_SOURCES += core/engine/dnnl.c core/engine/dnnl_api.h core/engine/dnnl_api.c
# libdnnl is opened on first use (dnnl_api.c), not linked; its libgomp is linked for the pool.
GL_CORE_LIBS += -lgomp
if SANITIZERS
# ... except under the sanitizers: LeakSanitizer (GCC 12) crashes at exit scanning the thread-local
# storage of a library opened after start, so there it is linked (loaded at start; the linker
# keeps a library it was given, used or not) and dlopen finds it loaded.
GL_CORE_LIBS += -ldnnl
endif
endif
ganlabinclude_HEADERS += core/include/ganlab/tensor.h core/include/ganlab/autograd.h \
	core/include/ganlab/nn.h

# The bf16 operands of products (bf16.c) exist where oneDNN does.
if HAVE_DNNL
core_libganlab_internal_la_SOURCES += core/engine/bf16.c
endif

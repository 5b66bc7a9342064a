# tests/unit/engine.mk: the engine's Check tests.
#   test_engine  (float, libganlab): contexts, arena and allocation count, nets and init, op values,
#                the autograd API, determinism, error paths.
#   test_engine_backend (float): the product kernels (oneDNN or own) against direct sums in fp32 and
#                bf16 with stated bounds, the bf16 refusal, a convolutional step's allocations
#                and determinism, a gradient penalty's products staying fp32 under bf16.
#   test_grad    (double): finite-difference checks of every op, first and second order, against a
#                second build of the engine with gl_real = double (libengine_double, test-only; it
#                carries its own copy of error.c and rng.c and is never linked with libganlab, so
#                the two builds' symbols cannot clash).
check_LTLIBRARIES += tests/unit/libengine_double.la
tests_unit_libengine_double_la_SOURCES = $(GL_ENGINE_SOURCES) core/util/error.c core/util/rng.c
tests_unit_libengine_double_la_CPPFLAGS = $(AM_CPPFLAGS) -DGL_REAL_DOUBLE $(BLAS_CFLAGS)

check_PROGRAMS += tests/unit/test_engine tests/unit/test_engine_backend tests/unit/test_grad
TESTS += tests/unit/test_engine tests/unit/test_engine_backend tests/unit/test_grad

tests_unit_test_engine_SOURCES = tests/unit/test_engine.c
tests_unit_test_engine_CPPFLAGS = $(GL_TEST_CPP_FLAGS)
tests_unit_test_engine_LDADD = $(GL_TEST_LIBS) $(BLAS_LIBS)

tests_unit_test_engine_backend_SOURCES = tests/unit/test_engine_backend.c
tests_unit_test_engine_backend_CPPFLAGS = $(GL_TEST_CPP_FLAGS)
tests_unit_test_engine_backend_LDADD = $(GL_TEST_LIBS) -lm

tests_unit_test_grad_SOURCES = tests/unit/test_grad.c
tests_unit_test_grad_CPPFLAGS = $(AM_CPPFLAGS) -DGL_REAL_DOUBLE $(BLAS_CFLAGS) $(CHECK_CFLAGS)
tests_unit_test_grad_LDADD = tests/unit/libengine_double.la $(BLAS_LIBS) $(CHECK_LIBS) -lm

# The engine micro-benchmark (tests/bench/run_engine_bench.sh runs it against PyTorch); built by
# `make`, never run by make check.
noinst_PROGRAMS += tests/bench/bench_engine
tests_bench_bench_engine_SOURCES = tests/bench/bench_engine.c
tests_bench_bench_engine_CPPFLAGS = $(GL_CORE_CPP_FLAGS)
tests_bench_bench_engine_LDADD = core/libganlab.la $(BLAS_LIBS)

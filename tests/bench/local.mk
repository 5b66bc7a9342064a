# Benchmarks (tests/bench/bench_train.sh runs them): built by `make`, never run by make check.
# bench_ceiling: the step's products alone through the engine, the ceiling of each config.
noinst_PROGRAMS += tests/bench/bench_ceiling
tests_bench_bench_ceiling_SOURCES = tests/bench/bench_ceiling.c
tests_bench_bench_ceiling_CPPFLAGS = $(GL_CORE_CPP_FLAGS)
tests_bench_bench_ceiling_LDADD = core/libganlab.la -ldl -lm
# allreduce_bench.c needs MPI, which the default build has not: built by hand (docs/scaling.md).
EXTRA_DIST += tests/bench/allreduce_bench.c

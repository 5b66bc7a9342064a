# tests/unit/compare.mk: comparisons and suites - CSV logs, variants, statistics, the report on
# synthetic run directories, run states, sweeps, the suite parser's errors, the pool of child processes; and a tiny
# suite end to end through the real binary.
check_PROGRAMS += tests/unit/test_compare tests/unit/test_compare_suite tests/unit/test_compare_sweep
TESTS += tests/unit/test_compare tests/unit/test_compare_suite tests/unit/test_compare_sweep
tests_unit_test_compare_SOURCES = tests/unit/test_compare.c tests/unit/fixture.c
tests_unit_test_compare_CPPFLAGS = $(GL_TEST_CPP_FLAGS)
tests_unit_test_compare_LDADD = $(GL_TEST_LIBS)
tests_unit_test_compare_suite_SOURCES = tests/unit/test_compare_suite.c tests/unit/fixture.c
tests_unit_test_compare_suite_CPPFLAGS = $(GL_TEST_CPP_FLAGS)
tests_unit_test_compare_suite_LDADD = $(GL_TEST_LIBS)
tests_unit_test_compare_sweep_SOURCES = tests/unit/test_compare_sweep.c
tests_unit_test_compare_sweep_CPPFLAGS = $(GL_TEST_CPP_FLAGS)
tests_unit_test_compare_sweep_LDADD = $(GL_TEST_LIBS)

TESTS += tests/e2e/suite.sh
EXTRA_DIST += tests/e2e/suite.sh

# The Slurm launcher with fake sbatch/squeue/scancel/scontrol (a real cluster: .ci/slurm-test).
TESTS += tests/e2e/slurm.sh
EXTRA_DIST += tests/e2e/slurm.sh

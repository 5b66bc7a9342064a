# tests/unit/eval.mk: evaluation - the shared metrics on hand-checkable cases, the eval section of
# the config, the bundled evaluators (the classifier on tests/data/make_idx's small set), and the
# command line end to end (eval.csv during training, `ganlab eval`, determinism). The data comes
# from tests/data/make_idx, a check program (data.mk), so it is built before any test runs.
check_PROGRAMS += tests/unit/test_eval_metrics tests/unit/test_eval_config \
	tests/unit/test_eval_plugins
TESTS += tests/unit/test_eval_metrics tests/unit/test_eval_config tests/unit/test_eval_plugins

tests_unit_test_eval_metrics_SOURCES = tests/unit/test_eval_metrics.c
tests_unit_test_eval_metrics_CPPFLAGS = $(GL_TEST_CPP_FLAGS)
tests_unit_test_eval_metrics_LDADD = $(GL_TEST_LIBS)

tests_unit_test_eval_config_SOURCES = tests/unit/test_eval_config.c
tests_unit_test_eval_config_CPPFLAGS = $(GL_TEST_CPP_FLAGS)
tests_unit_test_eval_config_LDADD = $(GL_TEST_LIBS)

tests_unit_test_eval_plugins_SOURCES = tests/unit/test_eval_plugins.c tests/unit/fixture.c \
	tests/unit/fixture.h
tests_unit_test_eval_plugins_CPPFLAGS = $(GL_TEST_CPP_FLAGS)
tests_unit_test_eval_plugins_LDADD = $(GL_TEST_LIBS) $(PNG_LIBS) $(ZLIB_LIBS)

TESTS += tests/e2e/eval.sh
EXTRA_DIST += tests/e2e/eval.sh

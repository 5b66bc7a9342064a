# tests/unit/loader.mk: tests of the plugin loader, the optimizers and the ganlab command.

# Deliberately broken (and one good) plugins for the loader's tests; all land in tests/plugins/.libs.
GL_TEST_PLUGIN_LD_FLAGS = -module -avoid-version -shared -rpath '$(abs_builddir)/tests/plugins' \
	$(AM_LDFLAGS)
check_LTLIBRARIES += tests/plugins/tiny.la tests/plugins/dup_a.la tests/plugins/dup_b.la \
	tests/plugins/missing_fn.la tests/plugins/no_entry.la tests/plugins/wrong_abi.la \
	tests/plugins/wrong_kind.la tests/plugins/stub_dataset.la tests/plugins/stub_model.la
tests_plugins_tiny_la_SOURCES = tests/plugins/tiny.c tests/plugins/stub.h
tests_plugins_tiny_la_LDFLAGS = $(GL_TEST_PLUGIN_LD_FLAGS)
tests_plugins_dup_a_la_SOURCES = tests/plugins/dup.c tests/plugins/stub.h
tests_plugins_dup_a_la_LDFLAGS = $(GL_TEST_PLUGIN_LD_FLAGS)
tests_plugins_dup_b_la_SOURCES = tests/plugins/dup.c tests/plugins/stub.h
tests_plugins_dup_b_la_LDFLAGS = $(GL_TEST_PLUGIN_LD_FLAGS)
tests_plugins_missing_fn_la_SOURCES = tests/plugins/missing_fn.c tests/plugins/stub.h
tests_plugins_missing_fn_la_LDFLAGS = $(GL_TEST_PLUGIN_LD_FLAGS)
tests_plugins_no_entry_la_SOURCES = tests/plugins/no_entry.c
tests_plugins_no_entry_la_LDFLAGS = $(GL_TEST_PLUGIN_LD_FLAGS)
tests_plugins_wrong_abi_la_SOURCES = tests/plugins/wrong_abi.c
tests_plugins_wrong_abi_la_LDFLAGS = $(GL_TEST_PLUGIN_LD_FLAGS)
tests_plugins_wrong_kind_la_SOURCES = tests/plugins/wrong_kind.c
tests_plugins_wrong_kind_la_LDFLAGS = $(GL_TEST_PLUGIN_LD_FLAGS)
tests_plugins_stub_dataset_la_SOURCES = tests/plugins/stub_dataset.c
tests_plugins_stub_dataset_la_LDFLAGS = $(GL_TEST_PLUGIN_LD_FLAGS)
tests_plugins_stub_model_la_SOURCES = tests/plugins/stub_model.c
tests_plugins_stub_model_la_LDFLAGS = $(GL_TEST_PLUGIN_LD_FLAGS)

check_PROGRAMS += tests/unit/test_loader
tests_unit_test_loader_SOURCES = tests/unit/test_loader.c
tests_unit_test_loader_CPPFLAGS = $(GL_TEST_CPP_FLAGS)
tests_unit_test_loader_LDADD = $(GL_TEST_LIBS)
TESTS += tests/unit/test_loader

check_PROGRAMS += tests/unit/test_loader_optim
tests_unit_test_loader_optim_SOURCES = tests/unit/test_loader_optim.c
tests_unit_test_loader_optim_CPPFLAGS = $(GL_TEST_CPP_FLAGS)
tests_unit_test_loader_optim_LDADD = $(GL_TEST_LIBS)
TESTS += tests/unit/test_loader_optim

# The near-name rule of the registry's (and the config's) "did you mean" hints.
check_PROGRAMS += tests/unit/test_suggest
tests_unit_test_suggest_SOURCES = tests/unit/test_suggest.c
tests_unit_test_suggest_CPPFLAGS = $(GL_TEST_CPP_FLAGS)
tests_unit_test_suggest_LDADD = $(GL_TEST_LIBS)
TESTS += tests/unit/test_suggest

# The ganlab command end to end (exit codes, outputs); the exported symbols against the installed
# headers; and the example plugins of docs/examples/ built out of tree against an installed copy of
# this build with pkg-config alone, then plugin-checked.
TESTS += tests/e2e/cli.sh tests/e2e/symbols.sh tests/e2e/oot.sh
EXTRA_DIST += tests/e2e/cli.sh tests/e2e/symbols.sh tests/e2e/oot.sh tests/e2e/cli_stub.yaml
# oot.sh runs `make install`, whose libtool relinks the plugins in place: every other test, which
# may be loading them, must have finished first.
tests/e2e/oot.log: $(filter-out tests/e2e/oot.log,$(TEST_LOGS))

# tests/unit/check.mk: the plugin checker (core/check, `ganlab plugin-check`): a Check suite over the
# library, with three deliberately wrong plugins it must fail, and an end-to-end run of the command
# over every bundled plugin.

# Wrong plugins, in their own directory so that no other test's listing of tests/plugins sees them.
GL_CHECK_PLUGIN_LD_FLAGS = -module -avoid-version -shared \
	-rpath '$(abs_builddir)/tests/plugins/check' $(AM_LDFLAGS)
check_LTLIBRARIES += tests/plugins/check/bad_loss.la tests/plugins/check/bad_model.la \
	tests/plugins/check/bad_optimizer.la
tests_plugins_check_bad_loss_la_SOURCES = tests/plugins/check/bad_loss.c
tests_plugins_check_bad_loss_la_LDFLAGS = $(GL_CHECK_PLUGIN_LD_FLAGS)
tests_plugins_check_bad_loss_la_LIBADD = core/libganlab.la
tests_plugins_check_bad_model_la_SOURCES = tests/plugins/check/bad_model.c
tests_plugins_check_bad_model_la_LDFLAGS = $(GL_CHECK_PLUGIN_LD_FLAGS)
tests_plugins_check_bad_model_la_LIBADD = core/libganlab.la
tests_plugins_check_bad_optimizer_la_SOURCES = tests/plugins/check/bad_optimizer.c
tests_plugins_check_bad_optimizer_la_LDFLAGS = $(GL_CHECK_PLUGIN_LD_FLAGS)

check_PROGRAMS += tests/unit/test_check
tests_unit_test_check_SOURCES = tests/unit/test_check.c
tests_unit_test_check_CPPFLAGS = $(GL_TEST_CPP_FLAGS)
tests_unit_test_check_LDADD = $(GL_TEST_LIBS)
TESTS += tests/unit/test_check

TESTS += tests/e2e/plugin_check.sh
EXTRA_DIST += tests/e2e/plugin_check.sh
tests/e2e/plugin_check.log: tests/data/make_idx$(EXEEXT)

# tests/unit/models.mk: Check tests of the model plugins (mlp, dcgan) and loss plugins (bce, wgan_gp),
# which load the built shared objects from $GL_BUILDDIR/plugins and take their parameters through the
# config system (fixture.c); test_models_util.c is their shared scaffolding.
GL_MODELS_TEST_SOURCES = tests/unit/test_models_util.c tests/unit/test_models_util.h \
	tests/unit/fixture.c tests/unit/fixture.h

check_PROGRAMS += tests/unit/test_models tests/unit/test_losses tests/unit/test_models_dreg \
	tests/unit/test_models_init
TESTS += tests/unit/test_models tests/unit/test_losses tests/unit/test_models_dreg \
	tests/unit/test_models_init

tests_unit_test_models_SOURCES = tests/unit/test_models.c $(GL_MODELS_TEST_SOURCES)
tests_unit_test_models_CPPFLAGS = $(GL_TEST_CPP_FLAGS)
tests_unit_test_models_LDADD = $(GL_TEST_LIBS)

tests_unit_test_losses_SOURCES = tests/unit/test_losses.c $(GL_MODELS_TEST_SOURCES)
tests_unit_test_losses_CPPFLAGS = $(GL_TEST_CPP_FLAGS)
tests_unit_test_losses_LDADD = $(GL_TEST_LIBS)

tests_unit_test_models_dreg_SOURCES = tests/unit/test_models_dreg.c $(GL_MODELS_TEST_SOURCES)
tests_unit_test_models_dreg_CPPFLAGS = $(GL_TEST_CPP_FLAGS)
tests_unit_test_models_dreg_LDADD = $(GL_TEST_LIBS)

tests_unit_test_models_init_SOURCES = tests/unit/test_models_init.c $(GL_MODELS_TEST_SOURCES)
tests_unit_test_models_init_CPPFLAGS = $(GL_TEST_CPP_FLAGS)
tests_unit_test_models_init_LDADD = $(GL_TEST_LIBS)

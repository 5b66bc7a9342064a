# tests/unit/config.mk: Check tests of core/config (fixtures in tests/data/config).
check_PROGRAMS += tests/unit/test_config_load tests/unit/test_config_validate
TESTS += tests/unit/test_config_load tests/unit/test_config_validate
GL_CONFIG_TEST_SOURCES = tests/unit/test_config_fake.c tests/unit/test_config_fake.h
tests_unit_test_config_load_SOURCES = tests/unit/test_config_load.c $(GL_CONFIG_TEST_SOURCES)
tests_unit_test_config_load_CPPFLAGS = $(GL_TEST_CPP_FLAGS)
tests_unit_test_config_load_LDADD = $(GL_TEST_LIBS)
tests_unit_test_config_validate_SOURCES = tests/unit/test_config_validate.c \
	$(GL_CONFIG_TEST_SOURCES)
tests_unit_test_config_validate_CPPFLAGS = $(GL_TEST_CPP_FLAGS)
tests_unit_test_config_validate_LDADD = $(GL_TEST_LIBS)

# tests/unit/image.mk: Check tests of core/image and core/util/atomic.
check_PROGRAMS += tests/unit/test_image_atomic tests/unit/test_image_png tests/unit/test_image_plot
TESTS += tests/unit/test_image_atomic tests/unit/test_image_png tests/unit/test_image_plot
tests_unit_test_image_atomic_SOURCES = tests/unit/test_image_atomic.c tests/unit/fixture.c
tests_unit_test_image_atomic_CPPFLAGS = $(GL_TEST_CPP_FLAGS)
tests_unit_test_image_atomic_LDADD = $(GL_TEST_LIBS)
tests_unit_test_image_png_SOURCES = tests/unit/test_image_png.c tests/unit/fixture.c
tests_unit_test_image_png_CPPFLAGS = $(GL_TEST_CPP_FLAGS)
tests_unit_test_image_png_LDADD = $(GL_TEST_LIBS)
tests_unit_test_image_plot_SOURCES = tests/unit/test_image_plot.c tests/unit/fixture.c
tests_unit_test_image_plot_CPPFLAGS = $(GL_TEST_CPP_FLAGS)
tests_unit_test_image_plot_LDADD = $(GL_TEST_LIBS)

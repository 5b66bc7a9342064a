# tests/unit/data.mk: Check tests of the dataset plugins and the PyTorch reference fixtures, and
# tests/data/make_idx (a small Fashion-MNIST-like dataset for end-to-end runs).
# fixture.c is the shared scaffolding (tensors files, plugins from the build tree, params via config).
GL_DATA_TEST_SOURCES = tests/unit/fixture.c tests/unit/fixture.h
GL_DATA_TEST_LIBS = $(GL_TEST_LIBS) $(PNG_LIBS) $(ZLIB_LIBS)

check_PROGRAMS += tests/unit/test_dataset_idx tests/unit/test_dataset_toy2d \
	tests/unit/test_dataset_image_folder tests/data/make_idx
TESTS += tests/unit/test_dataset_idx tests/unit/test_dataset_toy2d \
	tests/unit/test_dataset_image_folder

tests_unit_test_dataset_idx_SOURCES = tests/unit/test_dataset_idx.c $(GL_DATA_TEST_SOURCES) \
	tests/data/idx_write.c tests/data/idx_write.h
tests_unit_test_dataset_idx_CPPFLAGS = $(GL_TEST_CPP_FLAGS)
tests_unit_test_dataset_idx_LDADD = $(GL_DATA_TEST_LIBS)

tests_unit_test_dataset_toy2d_SOURCES = tests/unit/test_dataset_toy2d.c $(GL_DATA_TEST_SOURCES)
tests_unit_test_dataset_toy2d_CPPFLAGS = $(GL_TEST_CPP_FLAGS)
tests_unit_test_dataset_toy2d_LDADD = $(GL_DATA_TEST_LIBS)

tests_unit_test_dataset_image_folder_SOURCES = tests/unit/test_dataset_image_folder.c \
	$(GL_DATA_TEST_SOURCES)
tests_unit_test_dataset_image_folder_CPPFLAGS = $(GL_TEST_CPP_FLAGS)
tests_unit_test_dataset_image_folder_LDADD = $(GL_DATA_TEST_LIBS)

tests_data_make_idx_SOURCES = tests/data/make_idx.c tests/data/idx_write.c tests/data/idx_write.h
tests_data_make_idx_CPPFLAGS = $(AM_CPPFLAGS) $(ZLIB_CFLAGS)
tests_data_make_idx_LDADD = $(ZLIB_LIBS) -lm

check_PROGRAMS += tests/unit/test_fixtures
TESTS += tests/unit/test_fixtures
tests_unit_test_fixtures_SOURCES = tests/unit/test_fixtures.c $(GL_DATA_TEST_SOURCES)
tests_unit_test_fixtures_CPPFLAGS = $(GL_TEST_CPP_FLAGS)
tests_unit_test_fixtures_LDADD = $(GL_DATA_TEST_LIBS)

# ganlab/dataset.h (byte images served as float batches) on its own.
check_PROGRAMS += tests/unit/test_byte_images
TESTS += tests/unit/test_byte_images
tests_unit_test_byte_images_SOURCES = tests/unit/test_byte_images.c
tests_unit_test_byte_images_CPPFLAGS = $(GL_TEST_CPP_FLAGS)
tests_unit_test_byte_images_LDADD = $(GL_TEST_LIBS)

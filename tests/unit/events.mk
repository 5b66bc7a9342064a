# tests/unit/events.mk: what a run records about itself. The TensorBoard event writer (CRC32C,
# protobuf encoding, framing), SHA-256 and the JSON reader run.json uses, and the helper
# tests/e2e/events.sh uses to check an event file's framing before protoc decodes it.
check_PROGRAMS += tests/unit/test_events tests/tools/tfrecord_split
TESTS += tests/unit/test_events
tests_unit_test_events_SOURCES = tests/unit/test_events.c tests/unit/fixture.c
tests_unit_test_events_CPPFLAGS = $(GL_TEST_CPP_FLAGS)
tests_unit_test_events_LDADD = $(GL_TEST_LIBS)
tests_tools_tfrecord_split_SOURCES = tests/tools/tfrecord_split.c
tests_tools_tfrecord_split_CPPFLAGS = $(GL_TEST_CPP_FLAGS)
tests_tools_tfrecord_split_LDADD = $(GL_TEST_LIBS)
EXTRA_DIST += tests/tools/tensorboard.proto

TESTS += tests/e2e/events.sh
EXTRA_DIST += tests/e2e/events.sh
tests/e2e/events.log: tests/tools/tfrecord_split$(EXEEXT)

# run.json: provenance and plugins found again from their recorded paths.
TESTS += tests/e2e/provenance.sh
EXTRA_DIST += tests/e2e/provenance.sh

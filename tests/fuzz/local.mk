# tests/fuzz: libFuzzer harnesses of the readers of untrusted input (docs/testing.md, "Fuzzing").
# `make fuzz FUZZ_SECONDS=N` builds each in its own clang build under fuzz/ and runs it for N
# seconds; make check replays the committed seed corpora and regression inputs through the same
# harness code with a plain driver (replay.c), so no crash once found can come back.
FUZZ_SECONDS = 60
GL_FUZZ_REPLAY = tests/fuzz/replay_config tests/fuzz/replay_override tests/fuzz/replay_suite \
	tests/fuzz/replay_idx tests/fuzz/replay_png tests/fuzz/replay_checkpoint \
	tests/fuzz/replay_json tests/fuzz/replay_eval_json tests/fuzz/replay_sweep
check_PROGRAMS += $(GL_FUZZ_REPLAY)
GL_FUZZ_COMMON = tests/fuzz/replay.c tests/fuzz/fuzz_files.h
GL_FUZZ_LIBS = core/libganlab_internal.la $(GL_CORE_LIBS)
GL_FUZZ_WRAP = -Wl,--wrap=realpath,--wrap=gl_cfg__read_file
tests_fuzz_replay_config_SOURCES = $(GL_FUZZ_COMMON) tests/fuzz/fuzz_config.c tests/fuzz/fuzz_files.c
tests_fuzz_replay_config_CPPFLAGS = $(GL_CORE_CPP_FLAGS)
tests_fuzz_replay_config_LDADD = $(GL_FUZZ_LIBS)
tests_fuzz_replay_config_LDFLAGS = $(AM_LDFLAGS) $(GL_FUZZ_WRAP)
tests_fuzz_replay_override_SOURCES = $(GL_FUZZ_COMMON) tests/fuzz/fuzz_override.c \
	tests/fuzz/fuzz_files.c
tests_fuzz_replay_override_CPPFLAGS = $(GL_CORE_CPP_FLAGS)
tests_fuzz_replay_override_LDADD = $(GL_FUZZ_LIBS)
tests_fuzz_replay_override_LDFLAGS = $(AM_LDFLAGS) $(GL_FUZZ_WRAP)
tests_fuzz_replay_suite_SOURCES = $(GL_FUZZ_COMMON) tests/fuzz/fuzz_suite.c tests/fuzz/fuzz_files.c
tests_fuzz_replay_suite_CPPFLAGS = $(GL_CORE_CPP_FLAGS)
tests_fuzz_replay_suite_LDADD = $(GL_FUZZ_LIBS)
tests_fuzz_replay_suite_LDFLAGS = $(AM_LDFLAGS) $(GL_FUZZ_WRAP)
tests_fuzz_replay_idx_SOURCES = $(GL_FUZZ_COMMON) tests/fuzz/fuzz_idx.c tests/fuzz/fuzz_memfd.c
tests_fuzz_replay_idx_CPPFLAGS = $(GL_CORE_CPP_FLAGS)
tests_fuzz_replay_idx_LDADD = $(GL_FUZZ_LIBS)
tests_fuzz_replay_idx_LDFLAGS = $(AM_LDFLAGS) -Wl,--wrap=fsync,--wrap=gl_plugin_log
tests_fuzz_replay_png_SOURCES = $(GL_FUZZ_COMMON) tests/fuzz/fuzz_png.c tests/fuzz/fuzz_memfd.c
tests_fuzz_replay_png_CPPFLAGS = $(GL_CORE_CPP_FLAGS)
tests_fuzz_replay_png_LDADD = $(GL_FUZZ_LIBS)
tests_fuzz_replay_checkpoint_SOURCES = $(GL_FUZZ_COMMON) tests/fuzz/fuzz_checkpoint.c
tests_fuzz_replay_checkpoint_CPPFLAGS = $(GL_CORE_CPP_FLAGS)
tests_fuzz_replay_checkpoint_LDADD = $(GL_FUZZ_LIBS)
tests_fuzz_replay_json_SOURCES = $(GL_FUZZ_COMMON) tests/fuzz/fuzz_json.c
tests_fuzz_replay_json_CPPFLAGS = $(GL_CORE_CPP_FLAGS)
tests_fuzz_replay_json_LDADD = $(GL_FUZZ_LIBS)
tests_fuzz_replay_eval_json_SOURCES = $(GL_FUZZ_COMMON) tests/fuzz/fuzz_eval_json.c
tests_fuzz_replay_eval_json_CPPFLAGS = $(GL_CORE_CPP_FLAGS)
tests_fuzz_replay_eval_json_LDADD = $(GL_FUZZ_LIBS)
tests_fuzz_replay_sweep_SOURCES = $(GL_FUZZ_COMMON) tests/fuzz/fuzz_sweep.c
tests_fuzz_replay_sweep_CPPFLAGS = $(GL_CORE_CPP_FLAGS)
tests_fuzz_replay_sweep_LDADD = $(GL_FUZZ_LIBS)
TESTS += tests/fuzz/replay.sh
EXTRA_DIST += tests/fuzz
tests/fuzz/replay.log: $(GL_FUZZ_REPLAY)

FUZZ_RUNS =
fuzz:
	FUZZ_RUNS=$(FUZZ_RUNS) FUZZ_CORE_LIBS="$(GL_CORE_LIBS)" $(SHELL) $(srcdir)/tests/fuzz/fuzz.sh $(srcdir) $(abs_top_builddir)/fuzz \
		$(FUZZ_SECONDS)
.PHONY: fuzz

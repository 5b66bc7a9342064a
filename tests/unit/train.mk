# tests/unit/train.mk: the training loop end to end on tiny budgets.
check_PROGRAMS += tests/unit/test_train
tests_unit_test_train_SOURCES = tests/unit/test_train.c
tests_unit_test_train_CPPFLAGS = $(GL_TEST_CPP_FLAGS)
tests_unit_test_train_LDADD = $(GL_TEST_LIBS)
TESTS += tests/unit/test_train

# Data-parallel slicing of the random streams (ganlab/rng.h).
check_PROGRAMS += tests/unit/test_rng_slice
tests_unit_test_rng_slice_SOURCES = tests/unit/test_rng_slice.c
tests_unit_test_rng_slice_CPPFLAGS = $(GL_TEST_CPP_FLAGS)
tests_unit_test_rng_slice_LDADD = $(GL_TEST_LIBS)
TESTS += tests/unit/test_rng_slice

# Data-parallel training under mpirun (docs/scaling.md): the MPI build only.
EXTRA_DIST += tests/e2e/mpi.sh
if HAVE_MPI
TESTS += tests/e2e/mpi.sh
tests/e2e/mpi.log: tests/data/make_idx$(EXEEXT)
endif

# experiment.workers (docs/scaling.md): the build without MPI only.
EXTRA_DIST += tests/e2e/workers.sh
if !HAVE_MPI
TESTS += tests/e2e/workers.sh
endif

# The command line end to end: every shipped config, resume, sample, signals.
TESTS += tests/e2e/train.sh
EXTRA_DIST += tests/e2e/train.sh tests/e2e/lib.sh
tests/e2e/train.log: tests/data/make_idx$(EXEEXT)

# Hostile inputs end to end (issue 12): corrupt checkpoints, FIFOs, concurrent writers, bad names.
check_PROGRAMS += tests/data/ckpt_patch
tests_data_ckpt_patch_SOURCES = tests/data/ckpt_patch.c
tests_data_ckpt_patch_CPPFLAGS = $(AM_CPPFLAGS) $(ZLIB_CFLAGS)
tests_data_ckpt_patch_LDADD = $(ZLIB_LIBS)
TESTS += tests/e2e/hostile.sh
EXTRA_DIST += tests/e2e/hostile.sh
tests/e2e/hostile.log: tests/data/ckpt_patch$(EXEEXT)
check_LTLIBRARIES += tests/plugins/ctor/ctor_marker.la
tests_plugins_ctor_ctor_marker_la_SOURCES = tests/plugins/ctor/ctor_marker.c
tests_plugins_ctor_ctor_marker_la_LDFLAGS = -module -avoid-version -shared \
	-rpath '$(abs_builddir)/tests/plugins/ctor' $(AM_LDFLAGS)
tests/e2e/hostile.log: tests/plugins/ctor/ctor_marker.la
check_PROGRAMS += tests/data/make_png
tests_data_make_png_SOURCES = tests/data/make_png.c
tests_data_make_png_CPPFLAGS = $(GL_CORE_CPP_FLAGS)
tests_data_make_png_LDADD = core/libganlab_internal.la $(GL_CORE_LIBS)
tests/e2e/hostile.log: tests/data/make_png$(EXEEXT)

# Damaged run directories end to end: logs and locks replaced by FIFOs or directories.
TESTS += tests/e2e/rundir.sh
EXTRA_DIST += tests/e2e/rundir.sh

# Operands that name nothing usable: empty, named twice, a file where a directory goes.
TESTS += tests/e2e/operands.sh
EXTRA_DIST += tests/e2e/operands.sh

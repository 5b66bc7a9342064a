# core/train: the training session, schedule, checkpoints and run directories, the run's loop
# (run.c) and its speed and progress line (progress.c), and what a run records about itself: the
# TensorBoard event file (run_events.c, over util/events.c) and run.json (provenance.c).
core_libganlab_internal_la_SOURCES += core/train/train.h core/train/run.h core/train/rundir.h \
	core/train/progress.h core/train/session.c core/train/step.c core/train/checkpoint.c \
	core/train/rundir.c core/train/run.c core/train/progress.c core/train/samples.c \
	core/train/resume.c core/train/export.c core/train/eval_source.c core/train/run_events.c \
	core/train/run_events.h core/train/provenance.c core/train/provenance.h \
	core/train/penalty.h core/train/penalty.c core/train/dist.h \
	core/train/dist_fused.h core/train/dist_fused.c
# Data parallelism (dist.h): over MPI with ./configure --with-mpi, else one process or
# experiment.workers forked processes over shared memory.
if HAVE_MPI
core_libganlab_internal_la_SOURCES += core/train/dist_mpi.c
else
core_libganlab_internal_la_SOURCES += core/train/dist_local.c core/train/workers.h \
	core/train/workers.c
endif

# core/train: the training session, schedule, checkpoints and run directories.
core_libganlab_la_SOURCES += core/train/session.c core/train/step.c core/train/checkpoint.c \
	core/train/rundir.c core/train/csvlog.c core/train/run.c core/train/samples.c \
	core/train/resume.c core/train/export.c \
	core/train/penalty.c core/train/penalty.h

# core/train: the training session, schedule, checkpoints and run directories.
core_libganlab_la_SOURCES += core/train/session.c core/train/step.c core/train/checkpoint.c \
	core/train/rundir.c core/train/csvlog.c core/train/run.c core/train/samples.c \
	core/train/resume.c core/train/export.c core/train/events.c core/train/events.h \
	core/train/run_events.c core/train/run_events.h core/train/provenance.c core/train/provenance.h

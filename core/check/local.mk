# core/check: the plugin checker behind `ganlab plugin-check` (docs/plugin-check.md).
core_libganlab_internal_la_SOURCES += core/check/check.h core/check/check_internal.h core/check/check.c \
	core/check/params.c core/check/fdiff.c core/check/dataset.c core/check/model.c \
	core/check/loss.c core/check/optimizer.c core/check/evaluator.c

# core/eval: evaluation (docs/metrics.md): the evaluators of the eval section over what a training
# session gives them (gl_eval_source), eval.csv during training, eval.json, the evaluator cache, and
# the shared metrics (ganlab/metrics.h).
core_libganlab_internal_la_SOURCES += core/eval/eval.h core/eval/evaluation.c core/eval/cache.c \
	core/eval/log.c core/eval/report.c core/eval/classes.c core/eval/frechet.c core/eval/kid.c \
	core/eval/knn.c
ganlabinclude_HEADERS += core/include/ganlab/metrics.h

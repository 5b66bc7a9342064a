# core/eval: evaluation (docs/metrics.md): the evaluators of the eval section over a training
# session, eval.csv during training, eval.json, the evaluator cache, and the shared metrics
# (ganlab/metrics.h). core/engine/train_util.c holds nn.h's training helpers (cross-entropy, an Adam
# step over a net) for evaluators that train a network; it is listed here, outside the engine's
# double-precision test build, because the classifier evaluator is its user.
core_libganlab_la_SOURCES += core/eval/eval.h core/eval/evaluation.c core/eval/cache.c \
	core/eval/log.c core/eval/report.c core/eval/classes.c core/eval/frechet.c core/eval/kid.c \
	core/eval/knn.c core/engine/train_util.c
ganlabinclude_HEADERS += core/include/ganlab/metrics.h

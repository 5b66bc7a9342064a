# plugins/evaluator: one stanza per plugin (see plugins/local.mk)
plugin_LTLIBRARIES += plugins/evaluator/modes2d.la
plugins_evaluator_modes2d_la_SOURCES = plugins/evaluator/modes2d.c
plugins_evaluator_modes2d_la_CFLAGS = $(GL_PLUGIN_CC_FLAGS)
plugins_evaluator_modes2d_la_LDFLAGS = $(GL_PLUGIN_LD_FLAGS)
plugins_evaluator_modes2d_la_LIBADD = $(GL_PLUGIN_LIBS) -lm

plugin_LTLIBRARIES += plugins/evaluator/classifier.la
plugins_evaluator_classifier_la_SOURCES = plugins/evaluator/classifier.c
plugins_evaluator_classifier_la_CFLAGS = $(GL_PLUGIN_CC_FLAGS)
plugins_evaluator_classifier_la_LDFLAGS = $(GL_PLUGIN_LD_FLAGS)
plugins_evaluator_classifier_la_LIBADD = $(GL_PLUGIN_LIBS) -lm

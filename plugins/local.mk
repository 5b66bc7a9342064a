# plugins: each kind keeps its stanzas in plugins/KIND/local.mk; one stanza per bundled plugin, all alike:
#   plugin_LTLIBRARIES += plugins/KIND/NAME.la
#   plugins_KIND_NAME_la_SOURCES = plugins/KIND/NAME.c
#   plugins_KIND_NAME_la_CFLAGS = $(GL_PLUGIN_CC_FLAGS)
#   plugins_KIND_NAME_la_LDFLAGS = $(GL_PLUGIN_LD_FLAGS)
#   plugins_KIND_NAME_la_LIBADD = $(GL_PLUGIN_LIBS)
include plugins/dataset/local.mk
include plugins/model/local.mk
include plugins/loss/local.mk
include plugins/optimizer/local.mk
include plugins/evaluator/local.mk

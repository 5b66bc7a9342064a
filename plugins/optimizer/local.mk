# plugins/optimizer: one stanza per plugin (see plugins/local.mk)
plugin_LTLIBRARIES += plugins/optimizer/adam.la
plugins_optimizer_adam_la_SOURCES = plugins/optimizer/adam.c
plugins_optimizer_adam_la_CFLAGS = $(GL_PLUGIN_CC_FLAGS)
plugins_optimizer_adam_la_LDFLAGS = $(GL_PLUGIN_LD_FLAGS)
plugins_optimizer_adam_la_LIBADD = $(GL_PLUGIN_LIBS)

plugin_LTLIBRARIES += plugins/optimizer/sgd.la
plugins_optimizer_sgd_la_SOURCES = plugins/optimizer/sgd.c
plugins_optimizer_sgd_la_CFLAGS = $(GL_PLUGIN_CC_FLAGS)
plugins_optimizer_sgd_la_LDFLAGS = $(GL_PLUGIN_LD_FLAGS)
plugins_optimizer_sgd_la_LIBADD = $(GL_PLUGIN_LIBS)

plugin_LTLIBRARIES += plugins/optimizer/rmsprop.la
plugins_optimizer_rmsprop_la_SOURCES = plugins/optimizer/rmsprop.c
plugins_optimizer_rmsprop_la_CFLAGS = $(GL_PLUGIN_CC_FLAGS)
plugins_optimizer_rmsprop_la_LDFLAGS = $(GL_PLUGIN_LD_FLAGS)
plugins_optimizer_rmsprop_la_LIBADD = $(GL_PLUGIN_LIBS)

# plugins/model: one stanza per plugin (see plugins/local.mk)
plugin_LTLIBRARIES += plugins/model/mlp.la
plugins_model_mlp_la_SOURCES = plugins/model/mlp.c plugins/model/layers.h
plugins_model_mlp_la_CFLAGS = $(GL_PLUGIN_CC_FLAGS)
plugins_model_mlp_la_LDFLAGS = $(GL_PLUGIN_LD_FLAGS)
plugins_model_mlp_la_LIBADD = $(GL_PLUGIN_LIBS)

plugin_LTLIBRARIES += plugins/model/dcgan.la
plugins_model_dcgan_la_SOURCES = plugins/model/dcgan.c plugins/model/layers.h
plugins_model_dcgan_la_CFLAGS = $(GL_PLUGIN_CC_FLAGS)
plugins_model_dcgan_la_LDFLAGS = $(GL_PLUGIN_LD_FLAGS)
plugins_model_dcgan_la_LIBADD = $(GL_PLUGIN_LIBS)

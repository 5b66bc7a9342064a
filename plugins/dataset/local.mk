# plugins/dataset: one stanza per plugin (see plugins/local.mk)
plugin_LTLIBRARIES += plugins/dataset/idx.la
plugins_dataset_idx_la_SOURCES = plugins/dataset/idx.c
plugins_dataset_idx_la_CFLAGS = $(GL_PLUGIN_CC_FLAGS)
plugins_dataset_idx_la_LDFLAGS = $(GL_PLUGIN_LD_FLAGS)
plugins_dataset_idx_la_LIBADD = $(GL_PLUGIN_LIBS)

plugin_LTLIBRARIES += plugins/dataset/toy2d.la
plugins_dataset_toy2d_la_SOURCES = plugins/dataset/toy2d.c
plugins_dataset_toy2d_la_CFLAGS = $(GL_PLUGIN_CC_FLAGS)
plugins_dataset_toy2d_la_LDFLAGS = $(GL_PLUGIN_LD_FLAGS)
plugins_dataset_toy2d_la_LIBADD = $(GL_PLUGIN_LIBS) -lm

plugin_LTLIBRARIES += plugins/dataset/image_folder.la
plugins_dataset_image_folder_la_SOURCES = plugins/dataset/image_folder.c
plugins_dataset_image_folder_la_CPPFLAGS = $(AM_CPPFLAGS) $(PNG_CFLAGS)
plugins_dataset_image_folder_la_CFLAGS = $(GL_PLUGIN_CC_FLAGS)
plugins_dataset_image_folder_la_LDFLAGS = $(GL_PLUGIN_LD_FLAGS)
plugins_dataset_image_folder_la_LIBADD = $(GL_PLUGIN_LIBS) $(PNG_LIBS) -lm

plugin_LTLIBRARIES += plugins/dataset/stacked.la
plugins_dataset_stacked_la_SOURCES = plugins/dataset/stacked.c
plugins_dataset_stacked_la_CFLAGS = $(GL_PLUGIN_CC_FLAGS)
plugins_dataset_stacked_la_LDFLAGS = $(GL_PLUGIN_LD_FLAGS)
plugins_dataset_stacked_la_LIBADD = $(GL_PLUGIN_LIBS)

# core/util: error object, RNG, near-name suggestions, byte images for dataset plugins.
core_libganlab_la_SOURCES += core/util/error.c core/util/rng.c core/util/fs.c core/util/suggest.c \
	core/util/suggest.h core/util/byte_images.c core/util/idx_read.c
ganlabinclude_HEADERS += core/include/ganlab/error.h core/include/ganlab/config.h \
	core/include/ganlab/plugin.h core/include/ganlab/rng.h core/include/ganlab/dataset.h

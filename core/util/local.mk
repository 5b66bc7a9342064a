# core/util: error object, logging, atomic file writes.
core_libganlab_la_SOURCES += core/util/error.c core/util/rng.c
ganlabinclude_HEADERS += core/include/ganlab/error.h core/include/ganlab/config.h \
	core/include/ganlab/plugin.h core/include/ganlab/rng.h

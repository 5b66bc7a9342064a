# core/util: error object, RNG, near-name suggestions, byte images for dataset plugins, the log
# (stderr and log.txt), the monotonic clock, atomic file writes.
core_libganlab_internal_la_SOURCES += core/util/error.c core/util/rng.c core/util/fs.c core/util/suggest.c \
	core/util/suggest.h core/util/byte_images.c core/util/log.h core/util/log.c \
	core/util/clock.c core/util/atomic.c core/util/atomic.h core/util/csvlog.h \
	core/util/csvlog.c
ganlabinclude_HEADERS += core/include/ganlab/api.h core/include/ganlab/error.h core/include/ganlab/config.h \
	core/include/ganlab/plugin.h core/include/ganlab/rng.h core/include/ganlab/dataset.h

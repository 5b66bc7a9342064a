# core/util: error object, RNG, near-name suggestions, byte images for dataset plugins, the log
# (stderr and log.txt), the monotonic clock, atomic file writes, and the encoders and readers of
# what a run records (protobuf, TFRecord, TensorBoard events, SHA-256, JSON).
core_libganlab_internal_la_SOURCES += core/util/error.c core/util/rng.c core/util/fs.c core/util/suggest.c \
	core/util/suggest.h core/util/byte_images.c core/util/log.h core/util/log.c \
	core/util/clock.c core/util/atomic.c core/util/atomic.h core/util/csvlog.h \
	core/util/csvlog.c core/util/pb.c core/util/pb.h core/util/tfrecord.c core/util/tfrecord.h \
	core/util/sha256.c core/util/sha256.h core/util/json.c core/util/json.h \
	core/util/events.c core/util/events.h \
	core/util/idx_read.c core/util/idx_cache.c core/util/idx_cache.h \
	core/util/byte_images_file.h core/util/byte_images_cache.c
ganlabinclude_HEADERS += core/include/ganlab/api.h core/include/ganlab/error.h core/include/ganlab/config.h \
	core/include/ganlab/plugin.h core/include/ganlab/rng.h core/include/ganlab/dataset.h

# core/config: experiment configs - YAML reading (bounded), composition, overrides, validation
# against schemas, gl_params, printing (docs/config.md); suite files (suite.h, docs/compare.md).
core_libganlab_internal_la_SOURCES += core/config/cfg.h core/config/cfg_internal.h core/config/cfg.c \
	core/config/node.c core/config/where.c core/config/text.c \
	core/config/yaml_read.c core/config/load.c core/config/sections.c core/config/validate.c \
	core/config/params.c core/config/values.c core/config/emit.c core/config/diff.c \
	core/config/suite.h core/config/suite.c

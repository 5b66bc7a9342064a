# core/plugin: the plugin registry and loader (registry.h is the core's internal API).
core_libganlab_internal_la_SOURCES += core/plugin/registry.h core/plugin/loader.h \
	core/plugin/descriptor.c core/plugin/schema.c core/plugin/load.c \
	core/plugin/searchpath.c core/plugin/registry.c core/plugin/contract.c

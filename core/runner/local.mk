# core/runner: the ganlab command (main.c and one file per command).
core_ganlab_SOURCES += core/runner/runner.h core/runner/main.c core/runner/setup.c \
	core/runner/signals.c core/runner/cmd_config.c core/runner/cmd_plugins.c \
	core/runner/cmd_train.c core/runner/cmd_sample.c core/runner/cmd_eval.c \
	core/runner/cmd_plugin_check.c \
	core/runner/cmd_compare.c core/runner/cmd_suite.c core/runner/suite_plan.h \
	core/runner/suite_plan.c core/runner/suite_source.c core/runner/suite_slurm.h \
	core/runner/suite_slurm.c

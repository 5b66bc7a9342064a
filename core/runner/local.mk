# core/runner: the ganlab command (main.c and one file per command).
core_ganlab_SOURCES += core/runner/main.c

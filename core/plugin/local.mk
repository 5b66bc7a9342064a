# core/plugin: sources of this area (see Makefile.am)

# core/engine: sources of this area (see Makefile.am)

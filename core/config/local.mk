# core/config: sources of this area (see Makefile.am)

# tests/unit: sources of this area (see Makefile.am)

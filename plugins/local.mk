# plugins: sources of this area (see Makefile.am)

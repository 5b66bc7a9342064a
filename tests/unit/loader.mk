# tests/unit/loader.mk: Check tests of this area (check_PROGRAMS += ..., TESTS += ...)

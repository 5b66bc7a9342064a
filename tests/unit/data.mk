# tests/unit/data.mk: Check tests of this area (check_PROGRAMS += ..., TESTS += ...)

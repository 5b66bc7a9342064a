# tests/unit/config.mk: Check tests of this area (check_PROGRAMS += ..., TESTS += ...)

# tests/unit/engine.mk: Check tests of this area (check_PROGRAMS += ..., TESTS += ...)

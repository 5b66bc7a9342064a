/* fuzz_files.h - what the fuzz harnesses share: an in-memory file table that the config loader
 * reads through (realpath and gl_cfg__read_file are wrapped at link time, see fuzz_files.c, so the
 * loader's own code runs unchanged but its files come from the fuzzer's input), and a memfd for
 * readers that take a path (IDX, PNG).
 *
 * Each harness defines LLVMFuzzerTestOneInput; libFuzzer drives it under `make fuzz`, and
 * replay.c runs it on the committed corpus and regression inputs under `make check`. */
#ifndef GL_FUZZ_FILES_H
#define GL_FUZZ_FILES_H

#include <stddef.h>
#include <stdint.h>

#define FUZZ_MAX_FILES 4

/* Splits data at each line "#>" into up to FUZZ_MAX_FILES files named main.yaml, a.yaml, b.yaml,
 * c.yaml (the rest goes into the last) and serves them by base name. */
void fuzz_files_set(const uint8_t *data, size_t size);

/* Replaces the content of the harness's memfd with data; returns its path (/proc/self/fd/N). */
const char *fuzz_memfd(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
/* Optional (libFuzzer calls it once before the first input when a harness defines it); replay.c
 * calls it too. */
int LLVMFuzzerInitialize(int *argc, char ***argv) __attribute__((weak));

#endif

/* fuzz_suite.c - libFuzzer harness: the suite file parser (gl_suite_load), its file served from
 * the in-memory table as main.yaml. */
#include "config/suite.h"
#include "fuzz_files.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fuzz_files_set(data, size);
    gl_error err;
    gl_error_init(&err);
    gl_suite *s = NULL;
    if (gl_suite_load("main.yaml", &s, &err) == GL_OK)
        gl_suite_destroy(s);
    return 0;
}

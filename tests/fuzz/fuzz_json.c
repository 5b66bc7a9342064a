/* fuzz_json.c - libFuzzer harness: the JSON reader (util/json.h) that run.json is read back with,
 * then what is read from it (gl_json_get, gl_json_string, writing it back as JSON). Seeds in
 * corpus/json/ (a real run.json, every value kind and escape, a damaged file, deep nesting).
 * Until the fuzz build of the hardening work lists it, run it by hand:
 *   clang-16 -g -O1 -fsanitize=fuzzer,address,undefined -D_GNU_SOURCE -Icore -Icore/include \
 *     -Ibuild tests/fuzz/fuzz_json.c core/util/json.c core/util/error.c -lm -o fuzz_json
 *   ./fuzz_json -max_total_time=60 tests/fuzz/corpus/json   (500 000 inputs in 40 s: no fault) */
#include <stdint.h>
#include <stdio.h>

#include "util/json.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    gl_json *j = NULL;
    gl_error err;
    gl_error_init(&err);
    if (gl_json_parse((const char *)data, size, "fuzz.json", &j, &err) != GL_OK)
        return 0;
    const gl_json *plugins = gl_json_get(j, "plugins");
    for (size_t i = 0; plugins && plugins->type == GL_JSON_ARRAY && i < plugins->n; i++)
        (void)gl_json_string(plugins->items[i], "path");
    FILE *devnull = fopen("/dev/null", "w");
    if (devnull) {
        gl_json_write(devnull, j);
        fclose(devnull);
    }
    gl_json_free(j);
    return 0;
}

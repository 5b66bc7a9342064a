/* fuzz_sweep.c - libFuzzer harness: the sweep syntax (gl_sweep_parse_arg). Each line of the input
 * is one KEY=[V, ...] argument; every point's overrides and name are then made. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "compare/sweep.h"

#define MAX_ARGS 4

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *text = malloc(size + 1);
    if (!text)
        return 0;
    memcpy(text, data, size);
    text[size] = '\0';
    gl_sweep s = {0};
    gl_error err;
    gl_error_init(&err);
    int n = 0;
    for (char *line = text; line && n < MAX_ARGS; n++) {
        char *nl = strchr(line, '\n');
        if (nl)
            *nl = '\0';
        gl_sweep_parse_arg(&s, line, &err);
        line = nl ? nl + 1 : NULL;
    }
    char buf[4096];
    for (int i = 0; i < gl_sweep_points(&s) && i < 64; i++) {
        for (int a = 0; a < s.n_axes; a++)
            gl_sweep_override(&s, i, a, buf, sizeof buf);
        gl_sweep_name(&s, i, buf, sizeof buf);
    }
    gl_sweep_keys(&s, buf, sizeof buf);
    gl_sweep_free(&s);
    free(text);
    return 0;
}

/* tiny.c - a valid optimizer plugin "tiny" with one parameter of most types, for the loader's
 * tests (lookup, shadowing, schema lookup, `ganlab plugins tiny`). It never steps anything. */
#include "stub.h"

static const gl_param_spec params[] = {
    {"rate", GL_PARAM_FLOAT, "0.5", 0, 0.0, 1.0, NULL, "a float in [0, 1]"},
    {"mode", GL_PARAM_CHOICE, "fast", 0, GL_NO_RANGE, "fast|slow", "a choice"},
    {"sizes", GL_PARAM_INT_LIST, "[2, 3]", 0, 1.0, 8.0, NULL, "ints in [1, 8]"},
    {"seed", GL_PARAM_INT, NULL, 1, GL_NO_RANGE, NULL, "required, no default"},
    {0},
};

STUB_OPTIMIZER("tiny", stub_step, params)

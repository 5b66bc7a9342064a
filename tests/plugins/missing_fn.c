/* missing_fn.c - an optimizer plugin that leaves its required `step` function NULL. */
#include "stub.h"

STUB_OPTIMIZER("missing_fn", NULL, NULL)

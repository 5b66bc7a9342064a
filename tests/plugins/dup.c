/* dup.c - built twice (dup_a.so and dup_b.so in one directory): two plugins named "dup", which
 * the loader must refuse to choose between. */
#include "stub.h"

STUB_OPTIMIZER("dup", stub_step, NULL)

/* alloc.c - the engine's one heap allocator, counted.
 *
 * Every heap allocation the engine makes (contexts, arena chunks, nets and their blocks) goes
 * through gl__malloc/gl__calloc, which count calls, so a test can assert that steady-state training
 * steps allocate nothing: the arena grows during the first step and is reused afterwards.
 * Memory is 64-byte aligned (cache lines, and SIMD loads in OpenBLAS's packing).
 */
#include "engine.h"

#include <stdlib.h>
#include <string.h>

static uint64_t alloc_count;

/* Free with gl__free. */
void *gl__malloc(size_t bytes)
{
    void *p = NULL;
    alloc_count++;
    if (posix_memalign(&p, GL__ALIGN, bytes ? bytes : GL__ALIGN) != 0)
        return NULL;
    return p;
}

/* Free with gl__free. */
void *gl__calloc(size_t n, size_t size)
{
    if (size && n > SIZE_MAX / size)
        return NULL;
    void *p = gl__malloc(n * size);
    if (p)
        memset(p, 0, n * size);
    return p;
}

void gl__free(void *p) { free(p); }

uint64_t gl_engine_alloc_count(void) { return alloc_count; }

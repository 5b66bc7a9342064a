/* settings.c - the engine-wide settings: threads and the precision of products.
 *
 * Threads: OpenBLAS's count and, with oneDNN, OpenMP's (oneDNN runs on libgomp), so both libraries
 * use the same number of workers. bf16 needs a CPU that multiplies bf16 natively (AVX512_BF16 or
 * AMX-BF16, read from CPUID) and oneDNN to do it; without them bf16 would be emulated at a fraction
 * of fp32's speed, so it is refused rather than run slowly.
 */
#include "engine.h"

#include <cpuid.h>
#include <stdlib.h>
#include <string.h>
#ifdef GL__DNNL
#include <omp.h>
#endif

static int engine_threads = 1;
static gl_precision engine_precision = GL_PRECISION_FP32;

void gl_engine_set_threads(int n)
{
    if (n < 1)
        n = 1;
    engine_threads = n;
    openblas_set_num_threads(n);
#ifdef GL__DNNL
    omp_set_num_threads(n);
#endif
}

int gl_engine_threads(void) { return engine_threads; }

/* CPUID leaf 7: AVX512_BF16 is EAX bit 5 of sub-leaf 1, AMX-BF16 EDX bit 22 of sub-leaf 0. */
static int cpu_has_bf16(void)
{
    const char *fake = getenv("GANLAB_FAKE_NO_BF16");
    if (fake && strcmp(fake, "1") == 0)
        return 0;
    unsigned a, b, c, d;
    if (__get_cpuid_max(0, NULL) < 7)
        return 0;
    __cpuid_count(7, 1, a, b, c, d);
    int avx512_bf16 = (a >> 5) & 1;
    __cpuid_count(7, 0, a, b, c, d);
    int amx_bf16 = (d >> 22) & 1;
    return avx512_bf16 || amx_bf16;
}

int gl_engine_set_precision(gl_precision p, gl_error *err)
{
    if (p == GL_PRECISION_BF16) {
#ifndef GL__DNNL
        return gl_error_add(err, GL_ERR_INPUT,
                            "engine.precision bf16 needs oneDNN, and this build has none "
                            "(install libdnnl-dev and configure again)");
#endif
        if (!cpu_has_bf16())
            return gl_error_add(err, GL_ERR_INPUT,
                                "engine.precision bf16 needs a CPU with AVX512_BF16 or AMX-BF16, "
                                "and this one has neither%s",
                                getenv("GANLAB_FAKE_NO_BF16") ? " (GANLAB_FAKE_NO_BF16 is set)"
                                                              : "");
    }
    engine_precision = p;
    return GL_OK;
}

gl_precision gl_engine_precision(void) { return engine_precision; }

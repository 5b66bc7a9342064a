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
#include <unistd.h>
#ifdef GL__DNNL
#include <omp.h>
#include <stdio.h>
#endif

static int engine_threads = 1;
static gl_precision engine_precision = GL_PRECISION_FP32;

void gl_engine_set_threads(int n)
{
    if (n < 1)
        n = 1;
    engine_threads = n;
    openblas_set_num_threads(n);
#ifndef GL_REAL_DOUBLE
    gl__sgemm_threads_reset();
#endif
#ifdef GL__DNNL
    omp_set_num_threads(n);
#endif
}

int gl_engine_threads(void) { return engine_threads; }

void gl_engine_passive_threads(char *const *argv)
{
#ifdef GL__DNNL
    if (getenv("OMP_WAIT_POLICY") || setenv("OMP_WAIT_POLICY", "passive", 1) != 0)
        return;
    execv("/proc/self/exe", argv);
#endif
}

#ifdef GL__DNNL
/* CPUID leaf 7: AVX512_BF16 is EAX bit 5 of sub-leaf 1, AMX-BF16 EDX bit 22 of sub-leaf 0. */
static int cpu_has_bf16(void)
{
    unsigned a, b, c, d;
    if (__get_cpuid_max(0, NULL) < 7)
        return 0;
    __cpuid_count(7, 1, a, b, c, d);
    int avx512_bf16 = (a >> 5) & 1;
    __cpuid_count(7, 0, a, b, c, d);
    int amx_bf16 = (d >> 22) & 1;
    return avx512_bf16 || amx_bf16;
}
#endif

const char *gl_engine_bf16_missing(void)
{
#ifndef GL__DNNL
    return "it needs oneDNN and this build has none (install libdnnl-dev and configure again)";
#else
    const char *fake = getenv("GANLAB_FAKE_NO_BF16");
    if (fake && strcmp(fake, "1") == 0)
        return "the CPU has neither AVX512_BF16 nor AMX-BF16 (GANLAB_FAKE_NO_BF16=1 says so)";
    if (!cpu_has_bf16())
        return "the CPU has neither AVX512_BF16 nor AMX-BF16";
    /* Loads libdnnl (a bf16 run needs it at its first product anyway). */
    const char *load = gl__dnnl_load();
    if (load) {
        static char why[320];
        snprintf(why, sizeof why, "oneDNN's library did not load: %s", load);
        return why;
    }
    return NULL;
#endif
}

int gl_engine_set_precision(gl_precision p, gl_error *err)
{
    const char *why = p == GL_PRECISION_BF16 ? gl_engine_bf16_missing() : NULL;
    if (why)
        return gl_error_add(err, GL_ERR_INPUT, "engine.precision bf16: %s", why);
    engine_precision = p;
    return GL_OK;
}

gl_precision gl_engine_precision(void) { return engine_precision; }

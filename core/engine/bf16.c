/* bf16.c - the bf16 operands of the products under engine.precision bf16 (docs/engine.md).
 *
 * oneDNN multiplies bf16 inputs; the engine's tensors stay fp32. Each operand is rounded once and
 * the copy kept where the next product finds it: an intermediate's on the tensor itself (arena
 * memory, gone at gl_ctx_reset, like the tensor), a parameter's in its net's bf16 copy of the
 * values (net.c), converted again only after the values were handed out for writing. Converting
 * both operands inside every product (one oneDNN reorder each) had cost twice the products
 * themselves in an MLP step: the weights were rounded four times per step and the activations
 * twice. Only the float engine with oneDNN uses this file.
 */
#include "engine.h"

#ifdef GL__DNNL

#include <string.h>

/* Round to nearest, ties to even, on the bit pattern; a NaN stays a (quiet) NaN. */
static inline __attribute__((always_inline)) void to_bf16_loop(uint16_t *restrict dst,
                                                               const float *restrict src, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        uint32_t u;
        memcpy(&u, &src[i], sizeof u);
        uint32_t r = (u + 0x7fffu + ((u >> 16) & 1u)) >> 16;
        dst[i] = (uint16_t)((u & 0x7fffffffu) > 0x7f800000u ? (u >> 16) | 0x40u : r);
    }
}

/* The same loop in AVX-512 (three times the SSE2 loop's speed), which every CPU that runs bf16
 * products has (AVX512_BF16 or AMX-BF16 come with AVX512BW); the bits are the same either way. */
__attribute__((target("avx512f,avx512bw,avx512vl"))) static void to_bf16_avx512(
    uint16_t *restrict dst, const float *restrict src, size_t n)
{
    to_bf16_loop(dst, src, n);
}

static void to_bf16_sse2(uint16_t *restrict dst, const float *restrict src, size_t n)
{
    to_bf16_loop(dst, src, n);
}

static void to_bf16_range(uint16_t *restrict dst, const float *restrict src, size_t n)
{
    static int wide = -1;
    if (wide < 0)
        wide = __builtin_cpu_supports("avx512bw") && __builtin_cpu_supports("avx512vl");
    (wide ? to_bf16_avx512 : to_bf16_sse2)(dst, src, n);
}

/* Elements per piece of the split (a piece is one call of the vector loop). */
#define PIECE 8192

void gl__to_bf16(uint16_t *dst, const float *src, size_t n)
{
    size_t pieces = (n + PIECE - 1) / PIECE;
    GL__SPLIT(n, GL__SPLIT_CHEAP)
    for (size_t p = 0; p < pieces; p++) {
        size_t at = p * PIECE;
        to_bf16_range(dst + at, src + at, n - at < PIECE ? n - at : PIECE);
    }
}

const uint16_t *gl__bf16_copy(gl_ctx *ctx, const float *x, size_t n)
{
    uint16_t *h = gl__arena(ctx, n * sizeof *h);
    if (h)
        gl__to_bf16(h, x, n);
    return h;
}

const uint16_t *gl__bf16_of(gl_ctx *ctx, gl_tensor *t)
{
    if (t->is_param)
        return gl__param_bf16(ctx, t);
    /* An intermediate does not change once an op has read it (autograd.h), so one copy serves
     * every product that reads it until the context is reset. */
    if (!t->lowp)
        t->lowp = gl__bf16_copy(ctx, t->data, t->n);
    return t->lowp;
}

#endif

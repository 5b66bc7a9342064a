/* ganlab/rng.h - counter-based random numbers (Philox4x32-10, Salmon et al. 2011).
 *
 * Why counter-based: a value is a pure function of (key, stream, counter), so a run's randomness is
 * fully described by a few integers. A checkpoint stores the counters, a resumed run continues the
 * exact sequence, and separate streams (init, data order, noise, penalty, dropout, fixed samples)
 * never disturb one another: adding a draw to one stream changes no other stream's numbers.
 *
 * A gl_rng is a plain value type: copy it to fork it; no allocation, nothing to free.
 */
#ifndef GANLAB_RNG_H
#define GANLAB_RNG_H

#include <ganlab/api.h>

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* The run's named streams; plugins that need their own randomness take the one they are given. */
enum gl_rng_stream {
    GL_STREAM_INIT = 1,    /* parameter initialisation */
    GL_STREAM_DATA = 2,    /* epoch shuffles */
    GL_STREAM_NOISE = 3,   /* latent noise of training steps */
    GL_STREAM_PENALTY = 4, /* interpolation weights and other loss randomness */
    GL_STREAM_DROPOUT = 5,
    GL_STREAM_FIXED = 6,   /* the fixed noise of sample grids */
    GL_STREAM_DATASET = 7, /* generated datasets (toy2d) */
    GL_STREAM_EVAL = 8
};

typedef struct gl_rng {
    uint64_t key;     /* the experiment seed */
    uint64_t stream;  /* a gl_rng_stream or any other tag */
    uint64_t counter; /* blocks of 4 x 32 bits consumed */
    uint32_t buf[4];  /* the current block */
    uint32_t used;    /* words of buf consumed (4 = empty) */
    /* Data-parallel slicing (gl_rng_set_slice): this process is rank slice_rank of slice_ranks;
     * 0 ranks: unsliced. In what was the struct's tail padding, so its size and layout are as
     * before. */
    uint16_t slice_rank, slice_ranks;
} gl_rng;

GL_API void gl_rng_init(gl_rng *r, uint64_t seed, uint64_t stream);
/* The four 32-bit words of block `counter` of (seed, stream), with no state: for data that must be
 * a function of an index, such as toy2d's item i. */
GL_API void gl_rng_block(uint64_t seed, uint64_t stream, uint64_t counter, uint32_t out[4]);

GL_API uint32_t gl_rng_u32(gl_rng *r);
GL_API uint64_t gl_rng_u64(gl_rng *r);
/* Uniform in [0, 1) with 24 random bits (float) / 53 bits (double). */
GL_API float gl_rng_uniform(gl_rng *r);
GL_API double gl_rng_uniform_double(gl_rng *r);
/* Standard normal (Box-Muller on two uniforms, cosine branch only, so each draw is two fresh
 * uniforms). */
GL_API float gl_rng_normal(gl_rng *r);
/* Uniform integer in [0, n), without modulo bias. n > 0. */
GL_API uint64_t gl_rng_below(gl_rng *r, uint64_t n);
/* Fills x[0..n) with normal(mean, std) / uniform(lo, hi). */
GL_API void gl_rng_fill_normal(gl_rng *r, float *x, size_t n, float mean, float std);
GL_API void gl_rng_fill_uniform(gl_rng *r, float *x, size_t n, float lo, float hi);
/* Fisher-Yates shuffle of idx[0..n). */
GL_API void gl_rng_shuffle(gl_rng *r, int64_t *idx, size_t n);

/* Data-parallel training (docs/scaling.md). The core slices the training streams (noise, penalty,
 * dropout) of rank `rank` of `ranks` processes, each holding its `1 / ranks` of the global batch.
 * A sliced stream draws each batch-shaped block of randomness as this rank's rows of the global
 * block: it skips the words of the ranks before it, draws its own, and skips those after it, so
 * that it draws what one process draws for those samples, and its state afterwards is one
 * process's state after the whole block. ranks <= 1 unslices. gl_rng_fill_normal and
 * gl_rng_fill_uniform are such blocks; code that draws a batch's values one by one brackets them
 * with gl_rng_batch_begin/end (words: the 32-bit words this rank draws between them: 1 per
 * gl_rng_uniform, 4 per gl_rng_normal). Draws outside a block are not sliced. Unsliced streams
 * (every stream outside a data-parallel run) are not affected. */
GL_API void gl_rng_set_slice(gl_rng *r, int rank, int ranks);
GL_API void gl_rng_batch_begin(gl_rng *r, uint64_t words);
GL_API void gl_rng_batch_end(gl_rng *r, uint64_t words);

#ifdef __cplusplus
}
#endif
#endif

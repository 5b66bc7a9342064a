/* rng.c - Philox4x32-10 and the distributions built on it (see ganlab/rng.h).
 * Box-Muller uses only its cosine branch so there is no cached second value: the whole state is
 * (key, stream, counter, buf, used), which a checkpoint stores as is. */
#include <ganlab/rng.h>

#include <math.h>

#define PHILOX_M0 0xD2511F53u
#define PHILOX_M1 0xCD9E8D57u
#define PHILOX_W0 0x9E3779B9u
#define PHILOX_W1 0xBB67AE85u

static void mulhilo(uint32_t a, uint32_t b, uint32_t *hi, uint32_t *lo)
{
    uint64_t p = (uint64_t)a * b;
    *hi = (uint32_t)(p >> 32);
    *lo = (uint32_t)p;
}

void gl_rng_block(uint64_t seed, uint64_t stream, uint64_t counter, uint32_t out[4])
{
    /* counter words: (counter lo, counter hi, stream lo, stream hi); key: seed. */
    uint32_t c0 = (uint32_t)counter, c1 = (uint32_t)(counter >> 32);
    uint32_t c2 = (uint32_t)stream, c3 = (uint32_t)(stream >> 32);
    uint32_t k0 = (uint32_t)seed, k1 = (uint32_t)(seed >> 32);
    for (int round = 0; round < 10; round++) {
        uint32_t hi0, lo0, hi1, lo1;
        mulhilo(PHILOX_M0, c0, &hi0, &lo0);
        mulhilo(PHILOX_M1, c2, &hi1, &lo1);
        uint32_t n0 = hi1 ^ c1 ^ k0, n1 = lo1, n2 = hi0 ^ c3 ^ k1, n3 = lo0;
        c0 = n0;
        c1 = n1;
        c2 = n2;
        c3 = n3;
        k0 += PHILOX_W0;
        k1 += PHILOX_W1;
    }
    out[0] = c0;
    out[1] = c1;
    out[2] = c2;
    out[3] = c3;
}

void gl_rng_init(gl_rng *r, uint64_t seed, uint64_t stream)
{
    r->key = seed;
    r->stream = stream;
    r->counter = 0;
    r->used = 4;
    for (int i = 0; i < 4; i++)
        r->buf[i] = 0;
    r->slice_rank = 0;
    r->slice_ranks = 0;
}

void gl_rng_set_slice(gl_rng *r, int rank, int ranks)
{
    r->slice_rank = (uint16_t)(ranks > 1 ? rank : 0);
    r->slice_ranks = (uint16_t)(ranks > 1 ? ranks : 0);
}

/* Moves r forward by `words` 32-bit words, into the state r would have after drawing them one by
 * one: counter = the blocks fetched, buf = the last of them, used = its words consumed. */
static void skip_words(gl_rng *r, uint64_t words)
{
    if (words == 0)
        return;
    uint64_t pos = r->counter * 4 - (4 - r->used) + words;
    r->counter = (pos + 3) / 4;
    r->used = (uint32_t)(pos - (r->counter - 1) * 4);
    gl_rng_block(r->key, r->stream, r->counter - 1, r->buf);
}

void gl_rng_batch_begin(gl_rng *r, uint64_t words)
{
    if (r->slice_ranks > 1)
        skip_words(r, words * r->slice_rank);
}

void gl_rng_batch_end(gl_rng *r, uint64_t words)
{
    if (r->slice_ranks > 1)
        skip_words(r, words * (uint64_t)(r->slice_ranks - 1 - r->slice_rank));
}

uint32_t gl_rng_u32(gl_rng *r)
{
    if (r->used >= 4) {
        gl_rng_block(r->key, r->stream, r->counter++, r->buf);
        r->used = 0;
    }
    return r->buf[r->used++];
}

uint64_t gl_rng_u64(gl_rng *r)
{
    uint64_t hi = gl_rng_u32(r);
    return (hi << 32) | gl_rng_u32(r);
}

float gl_rng_uniform(gl_rng *r) { return (float)(gl_rng_u32(r) >> 8) * (1.0f / 16777216.0f); }

double gl_rng_uniform_double(gl_rng *r)
{
    return (double)(gl_rng_u64(r) >> 11) * (1.0 / 9007199254740992.0);
}

float gl_rng_normal(gl_rng *r)
{
    /* 1 - u keeps the log's argument in (0, 1]. */
    double u1 = 1.0 - gl_rng_uniform_double(r);
    double u2 = gl_rng_uniform_double(r);
    return (float)(sqrt(-2.0 * log(u1)) * cos(2.0 * M_PI * u2));
}

uint64_t gl_rng_below(gl_rng *r, uint64_t n)
{
    uint64_t limit = UINT64_MAX - UINT64_MAX % n;
    uint64_t v;
    do {
        v = gl_rng_u64(r);
    } while (v >= limit);
    return v % n;
}

void gl_rng_fill_normal(gl_rng *r, float *x, size_t n, float mean, float std)
{
    gl_rng_batch_begin(r, 4 * (uint64_t)n); /* a normal is two 64-bit uniforms */
    for (size_t i = 0; i < n; i++)
        x[i] = mean + std * gl_rng_normal(r);
    gl_rng_batch_end(r, 4 * (uint64_t)n);
}

void gl_rng_fill_uniform(gl_rng *r, float *x, size_t n, float lo, float hi)
{
    gl_rng_batch_begin(r, n);
    for (size_t i = 0; i < n; i++)
        x[i] = lo + (hi - lo) * gl_rng_uniform(r);
    gl_rng_batch_end(r, n);
}

void gl_rng_shuffle(gl_rng *r, int64_t *idx, size_t n)
{
    for (size_t i = n; i > 1; i--) {
        size_t j = (size_t)gl_rng_below(r, i);
        int64_t t = idx[i - 1];
        idx[i - 1] = idx[j];
        idx[j] = t;
    }
}

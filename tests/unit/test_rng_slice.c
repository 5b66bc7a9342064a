/* test_rng_slice.c - data-parallel slicing of the counter-based streams (ganlab/rng.h): the ranks'
 * draws, side by side, are one process's draws, and every rank ends in one process's state. */
#include <check.h>
#include <string.h>

#include <ganlab/rng.h>

enum { SAMPLES_PER_RANK = 3, MAX_RANKS = 5, PER_SAMPLE = 7 };

static void same_state(const gl_rng *a, const gl_rng *b)
{
    ck_assert_uint_eq(a->counter, b->counter);
    ck_assert_uint_eq(a->used, b->used);
    ck_assert_mem_eq(a->buf, b->buf, sizeof a->buf);
}

/* One process draws a global batch of n samples in three blocks (normals, uniforms, and uniforms
 * drawn one by one between batch_begin/end), starting `skew` words into a block; each of `ranks`
 * ranks draws its n / ranks samples of each. */
static void draw(gl_rng *r, int samples, float *normals, float *uniforms, float *single)
{
    gl_rng_fill_normal(r, normals, (size_t)samples * PER_SAMPLE, 0.5f, 2.0f);
    gl_rng_fill_uniform(r, uniforms, (size_t)samples * PER_SAMPLE, -1.0f, 1.0f);
    gl_rng_batch_begin(r, (uint64_t)samples);
    for (int i = 0; i < samples; i++)
        single[i] = gl_rng_uniform(r);
    gl_rng_batch_end(r, (uint64_t)samples);
}

START_TEST(ranks_concatenated_are_one_process)
{
    enum { N = SAMPLES_PER_RANK * MAX_RANKS };
    for (int ranks = 1; ranks <= MAX_RANKS; ranks++)
        for (int skew = 0; skew < 4; skew++) {
            int n = SAMPLES_PER_RANK * ranks;
            float normals[N * PER_SAMPLE], uniforms[N * PER_SAMPLE], single[N];
            gl_rng one;
            gl_rng_init(&one, 42, GL_STREAM_NOISE);
            for (int k = 0; k < skew; k++)
                gl_rng_u32(&one);
            gl_rng start = one;
            draw(&one, n, normals, uniforms, single);
            for (int rank = 0; rank < ranks; rank++) {
                float rn[SAMPLES_PER_RANK * PER_SAMPLE], ru[SAMPLES_PER_RANK * PER_SAMPLE];
                float rs[SAMPLES_PER_RANK];
                gl_rng r = start;
                gl_rng_set_slice(&r, rank, ranks);
                draw(&r, SAMPLES_PER_RANK, rn, ru, rs);
                size_t rows = SAMPLES_PER_RANK * PER_SAMPLE, at = (size_t)rank * rows;
                ck_assert_mem_eq(rn, normals + at, sizeof rn);
                ck_assert_mem_eq(ru, uniforms + at, sizeof ru);
                ck_assert_mem_eq(rs, single + rank * SAMPLES_PER_RANK, sizeof rs);
                same_state(&r, &one);
            }
        }
}
END_TEST

START_TEST(unsliced_draws_are_unchanged)
{
    /* Outside a block a sliced stream draws as before, and one rank of one is no slicing. */
    gl_rng a, b;
    gl_rng_init(&a, 7, GL_STREAM_PENALTY);
    gl_rng_init(&b, 7, GL_STREAM_PENALTY);
    gl_rng_set_slice(&b, 1, 3);
    for (int i = 0; i < 9; i++)
        ck_assert_uint_eq(gl_rng_u32(&a), gl_rng_u32(&b));
    gl_rng_set_slice(&b, 0, 1);
    float x[5], y[5];
    gl_rng_fill_normal(&a, x, 5, 0, 1);
    gl_rng_fill_normal(&b, y, 5, 0, 1);
    ck_assert_mem_eq(x, y, sizeof x);
    same_state(&a, &b);
    ck_assert_uint_eq(b.slice_ranks, 0);
}
END_TEST

START_TEST(skipping_lands_on_the_drawn_state)
{
    /* The last rank of two skips nothing after its block; the first skips 4k + 1 words: its state
     * must be the one drawing them would give, whatever the skew (buf included, for checkpoints).
     */
    for (uint64_t words = 1; words < 10; words++) {
        gl_rng drawn, skipped;
        gl_rng_init(&drawn, 3, GL_STREAM_DROPOUT);
        skipped = drawn;
        gl_rng_set_slice(&skipped, 0, 2);
        gl_rng_batch_begin(&skipped, words);
        gl_rng_batch_end(&skipped, words);
        for (uint64_t i = 0; i < words; i++)
            gl_rng_u32(&drawn);
        same_state(&drawn, &skipped);
    }
}
END_TEST

int main(void)
{
    Suite *su = suite_create("rng_slice");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, ranks_concatenated_are_one_process);
    tcase_add_test(tc, unsliced_draws_are_unchanged);
    tcase_add_test(tc, skipping_lands_on_the_drawn_state);
    suite_add_tcase(su, tc);
    SRunner *sr = srunner_create(su);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? 1 : 0;
}

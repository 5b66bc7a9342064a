/* test_suggest.c - util/suggest.h, the one near-name rule of the config's and the plugin registry's
 * "did you mean" hints: optimal string alignment distance d, suggested when 1 <= d and
 * 3d <= max(len) + 1, the first of equally near candidates, nothing for words over 64 bytes. */
#include <check.h>
#include <stdio.h>
#include <string.h>

#include "util/suggest.h"

/* The suggestion for word among the NULL-terminated candidates, or "" for none. */
static const char *nearest(const char *word, const char *const *cands)
{
    static char buf[128];
    gl_suggest s;
    gl_suggest_init(&s, word);
    for (int i = 0; cands[i]; i++)
        gl_suggest_try(&s, cands[i], strlen(cands[i]));
    snprintf(buf, sizeof buf, "%.*s", s.best ? (int)s.best_len : 0, s.best ? s.best : "");
    return buf;
}

START_TEST(typos_are_found)
{
    const char *const optim[] = {"adam", "rmsprop", "sgd", NULL};
    ck_assert_str_eq(nearest("adma", optim), "adam"); /* a swap counts 1 */
    ck_assert_str_eq(nearest("adamw", optim), "adam");
    ck_assert_str_eq(nearest("sg", optim), "sgd");
    ck_assert_str_eq(nearest("rmsprp", optim), "rmsprop");
    const char *const keys[] = {"lr", "lambda", "n_critic", NULL};
    ck_assert_str_eq(nearest("lamda", keys), "lambda");
    ck_assert_str_eq(nearest("n_critc", keys), "n_critic");
}
END_TEST

START_TEST(far_words_and_exact_matches_are_not)
{
    const char *const models[] = {"mlp", "dcgan", NULL};
    ck_assert_str_eq(nearest("mpx", models), ""); /* d = 2 > (3 + 1) / 3 */
    ck_assert_str_eq(nearest("mlp", models), ""); /* d = 0: not a typo */
    ck_assert_str_eq(nearest("x", models), "");
    char longw[70];
    memset(longw, 'a', sizeof longw - 1);
    longw[sizeof longw - 1] = '\0';
    const char *const near_long[] = {longw + 1, NULL}; /* one letter shorter, but over 64 */
    ck_assert_str_eq(nearest(longw, near_long), "");
}
END_TEST

START_TEST(first_of_equals_and_candidate_prefixes)
{
    const char *const two[] = {"ac", "ad", NULL};
    ck_assert_str_eq(nearest("ab", two), "ac");
    gl_suggest s;
    gl_suggest_init(&s, "trian");
    gl_suggest_try(&s, "train.steps", 5); /* only "train" is the candidate */
    char hint[64];
    gl_suggest_text(&s, hint, sizeof hint);
    ck_assert_str_eq(hint, " (did you mean 'train'?)");
    gl_suggest_init(&s, "zzzzz");
    gl_suggest_try(&s, "train", 5);
    gl_suggest_text(&s, hint, sizeof hint);
    ck_assert_str_eq(hint, "");
}
END_TEST

int main(void)
{
    Suite *s = suite_create("suggest");
    TCase *tc = tcase_create("suggest");
    tcase_add_test(tc, typos_are_found);
    tcase_add_test(tc, far_words_and_exact_matches_are_not);
    tcase_add_test(tc, first_of_equals_and_candidate_prefixes);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? 1 : 0;
}

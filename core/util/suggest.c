/* suggest.c - "did you mean 'lambda'?" for a misspelt key, section, choice or plugin name
 * (util/suggest.h).
 *
 * Distance: optimal string alignment (Levenshtein plus the transposition of two adjacent bytes, the
 * commonest typo), O(len(word) * len(candidate)) time with three rows of the DP table. A candidate
 * is suggested when its distance d satisfies 1 <= d and 3d <= max(len) + 1, i.e. roughly a third of
 * the letters may be wrong; words longer than 64 bytes get no suggestion (they are not typos).
 */
#include "util/suggest.h"

#include <stdio.h>
#include <string.h>

#define MAX_WORD 64

static int osa_distance(const char *a, size_t la, const char *b, size_t lb)
{
    int rows[3][MAX_WORD + 1];
    int *prev2 = rows[0], *prev = rows[1], *cur = rows[2];
    for (size_t j = 0; j <= lb; j++)
        prev[j] = (int)j;
    for (size_t i = 1; i <= la; i++) {
        cur[0] = (int)i;
        for (size_t j = 1; j <= lb; j++) {
            int cost = a[i - 1] != b[j - 1];
            int d = prev[j] + 1;
            if (cur[j - 1] + 1 < d)
                d = cur[j - 1] + 1;
            if (prev[j - 1] + cost < d)
                d = prev[j - 1] + cost;
            if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] &&
                prev2[j - 2] + 1 < d)
                d = prev2[j - 2] + 1;
            cur[j] = d;
        }
        int *t = prev2;
        prev2 = prev;
        prev = cur;
        cur = t;
    }
    return prev[lb];
}

void gl_suggest_init(gl_suggest *s, const char *word)
{
    s->word = word;
    s->best = NULL;
    s->best_len = 0;
    s->best_d = -1;
}

void gl_suggest_try(gl_suggest *s, const char *cand, size_t len)
{
    size_t wl = strlen(s->word);
    if (wl > MAX_WORD || len > MAX_WORD)
        return;
    int d = osa_distance(s->word, wl, cand, len);
    size_t longest = wl > len ? wl : len;
    if (d < 1 || (size_t)(3 * d) > longest + 1 || (s->best && d >= s->best_d))
        return;
    s->best = cand;
    s->best_len = len;
    s->best_d = d;
}

void gl_suggest_text(const gl_suggest *s, char *buf, size_t cap)
{
    if (s->best)
        snprintf(buf, cap, " (did you mean '%.*s'?)", (int)s->best_len, s->best);
    else if (cap)
        buf[0] = '\0';
}

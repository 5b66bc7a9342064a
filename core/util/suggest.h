/* util/suggest.h - "did you mean 'lambda'?": the nearest of some candidates to a misspelt word.
 *
 * Internal to libganlab (not installed). Used by the config (unknown keys, sections, choices) and
 * the plugin registry (unknown plugin names), so every near-name hint follows one rule: optimal
 * string alignment distance (Levenshtein plus the swap of two adjacent bytes), suggested when
 * 1 <= d and 3d <= max(len) + 1; the first of equally near candidates wins; words longer than 64
 * bytes get no suggestion.
 *
 * Example:
 *     gl_suggest s;
 *     gl_suggest_init(&s, "lamda");
 *     gl_suggest_try(&s, "lambda", 6);            // once per candidate
 *     if (s.best) ... "%.*s", (int)s.best_len, s.best
 */
#ifndef GL_UTIL_SUGGEST_H
#define GL_UTIL_SUGGEST_H

#include <stddef.h>

typedef struct gl_suggest {
    const char *word; /* the misspelt word (NUL-terminated; not copied) */
    const char *best; /* the nearest candidate so far, or NULL; not NUL-terminated: best_len */
    size_t best_len;
    int best_d;
} gl_suggest;

void gl_suggest_init(gl_suggest *s, const char *word);
/* Considers the candidate cand[0, len) (not copied: it must outlive s). */
void gl_suggest_try(gl_suggest *s, const char *cand, size_t len);
/* Writes " (did you mean 'x'?)" into buf when a candidate was near enough, else "". */
void gl_suggest_text(const gl_suggest *s, char *buf, size_t cap);

#endif

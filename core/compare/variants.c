/* variants.c - which runs are seeds of the same experiment, and what to call each experiment.
 *
 * Two runs belong to one variant when gl_cfg_diff finds no difference between their resolved
 * configs other than the keys of gl_cmp_seed_keys. Grouping is against each variant's first run,
 * which is exact because "differs only in those keys" is an equivalence.
 *
 * A variant is named after its first run's experiment name without the seed suffix that
 * `ganlab suite` adds ("ring_gan-s3" -> "ring_gan"). When that does not tell variants apart (runs
 * made by hand, all called "ring_gan"), the name gets the values in which the variant differs from
 * the others that share it: "ring_gan [train.n_critic=5]".
 */
#include "compare/compare.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define DIFF_CAP      4096
#define NAME_MAX_KEYS 120 /* bytes of "key=value" text added to a name */

/* logging: TensorBoard files and their hparams change no result, so they make no variant. */
const char *const gl_cmp_seed_keys[] = {
    "experiment.seed",    "experiment.name", "experiment.out_dir",
    "experiment.threads", "logging",         NULL};

size_t gl_cmp_strip_seed(const char *name)
{
    static const char *const marks[] = {"-s", "_s", "-seed", "_seed"};
    size_t len = strlen(name), digits = 0;
    while (digits < len && isdigit((unsigned char)name[len - 1 - digits]))
        digits++;
    if (digits == 0)
        return len;
    for (size_t i = 0; i < sizeof marks / sizeof marks[0]; i++) {
        size_t m = strlen(marks[i]);
        if (len > digits + m && strncmp(name + len - digits - m, marks[i], m) == 0)
            return len - digits - m;
    }
    return len;
}

void gl_cmp_variants_free(gl_cmp_variant *v, int n)
{
    for (int i = 0; v && i < n; i++) {
        free(v[i].name);
        free(v[i].runs);
        free(v[i].differs);
    }
    free(v);
}

static int diff(const gl_cmp_run *a, const gl_cmp_run *b, char *buf, size_t cap)
{
    return gl_cfg_diff(a->cfg, b->cfg, gl_cmp_seed_keys, buf, cap);
}

/* Appends "key=value" for each "key: value -> other" line of lines whose key text is not in out
 * yet, while out stays under NAME_MAX_KEYS bytes. */
static void add_keys(char *out, size_t cap, const char *lines)
{
    for (const char *l = lines; *l;) {
        const char *eol = strchr(l, '\n');
        size_t len = eol ? (size_t)(eol - l) : strlen(l);
        const char *colon = memchr(l, ':', len);
        const char *arrow = colon ? strstr(colon, " -> ") : NULL;
        if (colon && arrow && arrow < l + len) {
            char item[256];
            snprintf(item, sizeof item, "%.*s=%.*s", (int)(colon - l), l, (int)(arrow - colon - 2),
                     colon + 2);
            char probe[260];
            snprintf(probe, sizeof probe, "%.*s=", (int)(colon - l), l);
            size_t used = strlen(out);
            if (!strstr(out, probe) && used + strlen(item) + 2 < NAME_MAX_KEYS &&
                used + strlen(item) + 2 < cap)
                snprintf(out + used, cap - used, "%s%s", used ? ", " : "", item);
        }
        l += len + (eol != NULL);
    }
}

/* Names every variant (see the top of the file); base names are already in v[i].name. */
static int name_variants(const gl_cmp_run *runs, gl_cmp_variant *v, int n, gl_error *err)
{
    char *lines = malloc(DIFF_CAP); /* freed below */
    if (!lines)
        return gl_error_add(err, GL_ERR_RUN, "out of memory");
    char **named = calloc((size_t)n, sizeof *named); /* freed below, moved into v */
    int rc = named ? GL_OK : gl_error_add(err, GL_ERR_RUN, "out of memory");
    for (int i = 0; rc == GL_OK && i < n; i++) {
        char keys[NAME_MAX_KEYS + 8] = "";
        for (int j = 0; j < n; j++)
            if (j != i && strcmp(v[i].name, v[j].name) == 0 &&
                diff(&runs[v[i].runs[0]], &runs[v[j].runs[0]], lines, DIFF_CAP) > 0)
                add_keys(keys, sizeof keys, lines);
        size_t size = strlen(v[i].name) + strlen(keys) + 16;
        if (!(named[i] = malloc(size)))
            rc = gl_error_add(err, GL_ERR_RUN, "out of memory");
        else if (keys[0])
            snprintf(named[i], size, "%s [%s]", v[i].name, keys);
        else
            snprintf(named[i], size, "%s", v[i].name);
    }
    /* Names still equal (differences that did not fit): number the later ones. */
    for (int i = 0; rc == GL_OK && i < n; i++)
        for (int j = 0, k = 2; j < i; j++)
            if (strcmp(named[i], named[j]) == 0) {
                size_t size = strlen(named[i]) + 16;
                char *s = malloc(size);
                if (!s) {
                    rc = gl_error_add(err, GL_ERR_RUN, "out of memory");
                    break;
                }
                snprintf(s, size, "%s #%d", named[i], k++);
                free(named[i]);
                named[i] = s;
                j = -1; /* check the new name against all earlier ones again */
            }
    for (int i = 0; i < n; i++) {
        if (rc == GL_OK) {
            free(v[i].name);
            v[i].name = named[i];
        } else if (named) {
            free(named[i]);
        }
    }
    free(named);
    free(lines);
    return rc;
}

static void seed_order(const gl_cmp_run *runs, gl_cmp_variant *v)
{
    for (int i = 1; i < v->n_runs; i++) /* insertion sort: stable, and a variant is small */
        for (int j = i; j > 0 && runs[v->runs[j]].seed < runs[v->runs[j - 1]].seed; j--) {
            int t = v->runs[j];
            v->runs[j] = v->runs[j - 1];
            v->runs[j - 1] = t;
        }
}

int gl_cmp_group(const gl_cmp_run *runs, int n, gl_cmp_variant **out, int *n_out, gl_error *err)
{
    *out = NULL;
    *n_out = 0;
    gl_cmp_variant *v = calloc((size_t)(n > 0 ? n : 1), sizeof *v);
    if (!v)
        return gl_error_add(err, GL_ERR_RUN, "out of memory");
    int nv = 0, rc = GL_OK;
    for (int i = 0; rc == GL_OK && i < n; i++) {
        int k = 0;
        while (k < nv && diff(&runs[v[k].runs[0]], &runs[i], NULL, 0) != 0)
            k++;
        if (k == nv) {
            size_t len = gl_cmp_strip_seed(runs[i].name);
            v[k].runs = malloc((size_t)n * sizeof *v[k].runs);
            v[k].name = strndup(runs[i].name, len);
            nv++;
            if (!v[k].runs || !v[k].name) {
                rc = gl_error_add(err, GL_ERR_RUN, "out of memory");
                break;
            }
        }
        v[k].runs[v[k].n_runs++] = i;
    }
    for (int k = 0; rc == GL_OK && k < nv; k++) {
        seed_order(runs, &v[k]);
        char *lines = calloc(1, DIFF_CAP);
        if (!lines)
            rc = gl_error_add(err, GL_ERR_RUN, "out of memory");
        else if (k > 0)
            diff(&runs[v[0].runs[0]], &runs[v[k].runs[0]], lines, DIFF_CAP);
        v[k].differs = lines;
    }
    if (rc == GL_OK)
        rc = name_variants(runs, v, nv, err);
    if (rc != GL_OK) {
        gl_cmp_variants_free(v, nv);
        return rc;
    }
    *out = v;
    *n_out = nv;
    return GL_OK;
}

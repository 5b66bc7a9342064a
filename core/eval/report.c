/* report.c - the report of `ganlab eval` (eval.h, docs/formats.md): eval.json, written atomically,
 *
 *   {"step": S, "<evaluator>": {"<metric>": value, ...}, ...,
 *    "protocol": {"<evaluator>": {"n": N, "k": K, "seed": S, "reference": "test", ...}, ...}}
 *
 * numbers with %.9g (non-finite ones as null, which JSON lacks a number for), strings escaped; and
 * a table for people on stdout. Keys keep the evaluators' order. */
#include "eval/eval.h"

#include <math.h>

#include "util/atomic.h"
#include "util/json.h"

static void json_item(FILE *f, const gl_eval_item *it, int first)
{
    fputs(first ? "" : ", ", f);
    gl_json_write_string(f, it->name);
    fputs(": ", f);
    if (it->text)
        gl_json_write_string(f, it->text);
    else if (isfinite(it->value))
        fprintf(f, "%.9g", it->value);
    else
        fputs("null", f);
}

int gl_evaluation_write_json(const gl_evaluation *e, uint64_t step, const char *path, gl_error *err)
{
    gl_atomic_file af;
    if (gl_atomic_open(&af, path, err) != GL_OK)
        return GL_ERR_RUN;
    FILE *f = af.fp;
    size_t n = gl_evaluation_count(e);
    fprintf(f, "{\n  \"step\": %llu,\n", (unsigned long long)step);
    for (size_t i = 0; i < n; i++) {
        const gl_eval_result *r = gl_evaluation_result(e, i);
        fputs("  ", f);
        gl_json_write_string(f, gl_evaluation_name(e, i));
        fputs(": {", f);
        for (int k = 0; k < r->n_metrics; k++)
            json_item(f, &r->metrics[k], k == 0);
        fputs("},\n", f);
    }
    fputs("  \"protocol\": {", f);
    for (size_t i = 0; i < n; i++) {
        const gl_eval_result *r = gl_evaluation_result(e, i);
        fputs(i ? ",\n    " : "\n    ", f);
        gl_json_write_string(f, gl_evaluation_name(e, i));
        fputs(": {", f);
        for (int k = 0; k < r->n_protocol; k++)
            json_item(f, &r->protocol[k], k == 0);
        fputs("}", f);
    }
    fputs(n ? "\n  }\n}\n" : "}\n}\n", f);
    return gl_atomic_commit(&af, err) == GL_OK ? GL_OK : GL_ERR_RUN;
}

void gl_evaluation_print_table(const gl_evaluation *e, uint64_t step, FILE *f)
{
    size_t n = gl_evaluation_count(e);
    fprintf(f, "step %llu\n%-14s %-12s %14s\n", (unsigned long long)step, "evaluator", "metric",
            "value");
    for (size_t i = 0; i < n; i++) {
        const gl_eval_result *r = gl_evaluation_result(e, i);
        for (int k = 0; k < r->n_metrics; k++)
            fprintf(f, "%-14s %-12s %14.6g\n", gl_evaluation_name(e, i), r->metrics[k].name,
                    r->metrics[k].value);
    }
    for (size_t i = 0; i < n; i++) {
        const gl_eval_result *r = gl_evaluation_result(e, i);
        fprintf(f, "%s protocol:", gl_evaluation_name(e, i));
        for (int k = 0; k < r->n_protocol; k++) {
            const gl_eval_item *it = &r->protocol[k];
            if (it->text)
                fprintf(f, " %s=%s", it->name, it->text);
            else
                fprintf(f, " %s=%.6g", it->name, it->value);
        }
        fputc('\n', f);
    }
}

/* fuzz_eval_json.c - libFuzzer harness: the eval.json reader of `ganlab compare`
 * (gl_cmp_eval_json_parse), then its row merged into a small eval.csv table. Seeds in
 * corpus/eval_json/.
 * `make fuzz` runs it (tests/fuzz/fuzz.sh eval_json); make check replays the corpus (replay.sh). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "compare/compare.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    gl_error err;
    gl_error_init(&err);
    gl_cmp_csv row;
    if (gl_cmp_eval_json_parse((const char *)data, size, "eval.json", &row, &err) != GL_OK)
        return 0;
    /* step,m.a at steps 0 and 100 */
    char *cols[2] = {strdup("step"), strdup("m.a")};
    double *v = malloc(4 * sizeof *v);
    gl_cmp_csv t = {.n_cols = 2, .cols = malloc(2 * sizeof(char *)), .n_rows = 2, .v = v};
    if (cols[0] && cols[1] && t.cols && v) {
        memcpy(t.cols, cols, sizeof cols);
        v[0] = 0, v[1] = 1, v[2] = 100, v[3] = 2;
        gl_cmp_csv_merge_row(&t, &row, &err);
        gl_cmp_csv_free(&t);
    } else {
        free(cols[0]), free(cols[1]), free(t.cols), free(v);
    }
    gl_cmp_csv_free(&row);
    return 0;
}

/* fuzz_files.c - see fuzz_files.h. */
#include "fuzz_files.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config/cfg_internal.h"

/* The harness is linked from objects (libFuzzer) or the static core library (make check) with
 * -Wl,--wrap=realpath,--wrap=gl_cfg__read_file, so the loader's calls reach __wrap_NAME. */

static const char *const names[FUZZ_MAX_FILES] = {"main.yaml", "a.yaml", "b.yaml", "c.yaml"};
static struct {
    const char *text;
    size_t len;
} files[FUZZ_MAX_FILES];
static int n_files;

void fuzz_files_set(const uint8_t *data, size_t size)
{
    const char *p = (const char *)data, *end = p + size;
    n_files = 0;
    while (n_files < FUZZ_MAX_FILES) {
        const char *cut = NULL;
        for (const char *q = p; n_files + 1 < FUZZ_MAX_FILES && q + 3 <= end; q++)
            if ((q == (const char *)data || q[-1] == '\n') && q[0] == '#' && q[1] == '>' &&
                (q + 2 == end || q[2] == '\n')) {
                cut = q;
                break;
            }
        files[n_files].text = p;
        files[n_files].len = (size_t)((cut ? cut : end) - p);
        n_files++;
        if (!cut)
            break;
        p = cut + 3 > end ? end : cut + 3;
    }
}

/* The table entry for a path: by its last component, so "./a.yaml" and "x/../a.yaml" agree. */
static int lookup(const char *path)
{
    const char *base = strrchr(path, '/');
    base = base ? base + 1 : path;
    for (int i = 0; i < n_files; i++)
        if (strcmp(base, names[i]) == 0)
            return i;
    return -1;
}

char *__wrap_realpath(const char *path, char *resolved);
char *__wrap_realpath(const char *path, char *resolved)
{
    int i = lookup(path);
    if (i < 0) {
        errno = ENOENT;
        return NULL;
    }
    char buf[64];
    snprintf(buf, sizeof buf, "/fuzz/%s", names[i]);
    if (resolved)
        return strcpy(resolved, buf);
    return strdup(buf);
}

int __wrap_gl_cfg__read_file(const gl_cfg_origin *org, gl_cfg_node **out, gl_error *err);
int __wrap_gl_cfg__read_file(const gl_cfg_origin *org, gl_cfg_node **out, gl_error *err)
{
    *out = NULL;
    int i = lookup(org->name);
    if (i < 0)
        return gl_cfg__fault_at(err, org, 0, 0, "cannot open: %s", strerror(ENOENT));
    if (files[i].len > GL_CFG_MAX_FILE_BYTES)
        return gl_cfg__fault_at(err, org, 0, 0, "too large");
    /* A copy of exactly len bytes, so that a read past the end is a sanitizer error. */
    char *copy = malloc(files[i].len ? files[i].len : 1);
    if (!copy)
        return GL_ERR_INPUT;
    memcpy(copy, files[i].text, files[i].len);
    int rc = gl_cfg__parse(copy, files[i].len, org, out, err);
    free(copy);
    return rc;
}

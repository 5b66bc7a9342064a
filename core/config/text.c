/* text.c - a growing string for messages and YAML output, and lexical path handling.
 *
 * Paths are joined and normalized lexically ("a/./b/../c" -> "a/c"), as Go's filepath.Clean does:
 * the file system is not consulted, so a ".." after a symbolic link follows the written path, not
 * the link's target. That is what a user reading the config expects.
 */
#include "config/cfg_internal.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

static int sb_room(gl_cfg_sb *b, size_t more)
{
    if (b->failed)
        return 0;
    if (b->len + more + 1 <= b->cap)
        return 1;
    size_t cap = b->cap ? b->cap : 64;
    while (cap < b->len + more + 1)
        cap *= 2;
    char *s = realloc(b->s, cap);
    if (!s) {
        b->failed = 1;
        return 0;
    }
    b->s = s;
    b->cap = cap;
    return 1;
}

void gl_cfg__sb_addn(gl_cfg_sb *b, const char *text, size_t n)
{
    if (!sb_room(b, n))
        return;
    memcpy(b->s + b->len, text, n);
    b->len += n;
    b->s[b->len] = '\0';
}

void gl_cfg__sb_add(gl_cfg_sb *b, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (n < 0 || !sb_room(b, (size_t)n))
        return;
    va_start(ap, fmt);
    vsnprintf(b->s + b->len, (size_t)n + 1, fmt, ap);
    va_end(ap);
    b->len += (size_t)n;
}

char *gl_cfg__path_dir(const char *path)
{
    const char *slash = strrchr(path, '/');
    if (!slash)
        return strdup(".");
    if (slash == path)
        return strdup("/");
    return strndup(path, (size_t)(slash - path));
}

char *gl_cfg__path_stem(const char *path)
{
    const char *slash = strrchr(path, '/');
    const char *base = slash ? slash + 1 : path;
    const char *dot = strrchr(base, '.');
    return strndup(base, dot && dot != base ? (size_t)(dot - base) : strlen(base));
}

/* Normalizes p in place: no "." parts, no empty parts, ".." removes the part before it when there
 * is one (at the root it is dropped; leading ".." of a relative path stay). */
static void normalize(char *p)
{
    int abs = p[0] == '/';
    char *out = p + abs, *in = p + abs;
    char *base = out; /* out may not back up before base (leading ".." parts) */
    for (int last = !*in; !last;) {
        size_t len = strcspn(in, "/");
        last = in[len] == '\0'; /* read before writing: out may overwrite in's bytes */
        const char *part = in;
        in += len + !last;
        if (len == 0 || (len == 1 && part[0] == '.'))
            continue;
        if (len == 2 && part[0] == '.' && part[1] == '.') {
            if (out > base) {
                out--; /* drop the trailing '/' of out, then the last part */
                while (out > base && out[-1] != '/')
                    out--;
            } else if (!abs) {
                memmove(out, "../", 3);
                out += 3;
                base = out;
            }
        } else {
            memmove(out, part, len);
            out += len;
            *out++ = '/';
        }
    }
    if (out > p + abs && out[-1] == '/')
        out--;
    if (out == p)
        *out++ = '.';
    *out = '\0';
}

char *gl_cfg__path_join(const char *dir, const char *p)
{
    size_t ld = strlen(dir), lp = strlen(p);
    char *s = malloc(ld + lp + 2);
    if (!s)
        return NULL;
    if (p[0] == '/') {
        memcpy(s, p, lp + 1);
    } else {
        memcpy(s, dir, ld);
        s[ld] = '/';
        memcpy(s + ld + 1, p, lp + 1);
    }
    normalize(s);
    return s;
}

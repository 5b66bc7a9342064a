#!/bin/sh
# symbols.sh - libganlab.so exports exactly the functions its installed headers declare: every
# function declared in core/include/ganlab/*.h (comments stripped; function-pointer types and
# static inline helpers are not exported functions) is exported, and nothing else is (no engine
# gl__ internals, no session, config or registry functions). The ganlab command exports the same
# list, so the plugins it loads bind to its copy of the core (Makefile.am).
# Needs GL_BUILDDIR and GL_SRCDIR (make check sets them).
set -u
B=${GL_BUILDDIR:?run through make check}
S=${GL_SRCDIR:?run through make check}
T=$(mktemp -d /tmp/gl_symbols_XXXXXX) || exit 99
trap 'rm -rf "$T"' EXIT
fail() { echo "FAIL: $*"; exit 1; }

lib=$B/core/.libs/libganlab.so
[ -f "$lib" ] || fail "no $lib"
# What the linker adds to any ELF file, a program's copy-relocated stdio and the sanitizers'
# runtime flags (--enable-sanitizers) are not the API.
linker='_init|_fini|_edata|_end|__bss_start|_start|_IO_stdin_used|data_start|__data_start'
exported() { nm -D --defined-only "$1" | awk 'NF == 3 { print $3 }' |
    grep -vxE "$linker|std(out|err|in)@.*|__(asan|ubsan|lsan|sanitizer)_.*" | sort -u; }
exported "$lib" >"$T/exported"
# core/ganlab is libtool's wrapper script when the command links the uninstalled libganlab.so.
cmd=$B/core/.libs/ganlab
[ -f "$cmd" ] || cmd=$B/core/ganlab
exported "$cmd" >"$T/command"
[ -s "$T/exported" ] || fail "libganlab.so exports nothing"

# Declarations: the headers without comments (the compiler strips them, without expanding
# includes or macros), one statement per line; a name followed by '(' that is not a
# function-pointer type "(*name)" and not defined "static inline".
for h in "$S"/core/include/ganlab/*.h; do
    ${CC:-cc} -fpreprocessed -dD -E -P "$h" 2>/dev/null || fail "cannot read $h"
done | grep -v '^#' | tr '\n' ' ' | tr ';{}' '\n\n\n' >"$T/statements"
grep -oE '(\(\*[[:space:]]*)?\bgl_[a-z0-9_]+[[:space:]]*\(' "$T/statements" | grep -v '^(' |
    sed 's/[[:space:]]*($//' | sort -u >"$T/named"
grep -E 'static[[:space:]]+inline' "$T/statements" |
    grep -oE '\bgl_[a-z0-9_]+[[:space:]]*\(' | sed 's/[[:space:]]*($//' | sort -u >"$T/inline"
comm -23 "$T/named" "$T/inline" >"$T/declared"
[ "$(wc -l <"$T/declared")" -gt 100 ] || fail "found only $(wc -l <"$T/declared") declarations"

comm -13 "$T/declared" "$T/exported" >"$T/leaked"
comm -23 "$T/declared" "$T/exported" >"$T/missing"
[ -s "$T/leaked" ] && fail "exported but in no installed header: $(tr '\n' ' ' <"$T/leaked")"
[ -s "$T/missing" ] &&
    fail "declared in an installed header but not exported (no GL_API?):" \
        "$(tr '\n' ' ' <"$T/missing")"
cmp -s "$T/exported" "$T/command" || fail "the ganlab command exports another list than" \
    "libganlab.so: $(comm -3 "$T/exported" "$T/command" | tr '\n' ' ')"
echo "symbols.sh: $(wc -l <"$T/exported") exported functions, each declared in an installed header"

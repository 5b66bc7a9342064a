#!/bin/sh
# replay.sh - make check's part of fuzzing: each harness (built by tests/fuzz/local.mk with the
# replay.c driver) runs once on its committed seed corpus and on every regression input (inputs
# that once crashed it, tests/fuzz/regressions/NAME/). Needs GL_BUILDDIR and GL_SRCDIR.
B=${GL_BUILDDIR:?run through make check}
S=${GL_SRCDIR:?run through make check}
fails=0
for h in config override suite idx png checkpoint json eval_json sweep; do
    set -- "$S/tests/fuzz/corpus/$h"
    [ -d "$S/tests/fuzz/regressions/$h" ] && set -- "$@" "$S/tests/fuzz/regressions/$h"
    out=$(cd "$S/tests/fuzz" && timeout 60 "$B/tests/fuzz/replay_$h" "$@" 2>&1)
    rc=$?
    echo "$h: $out" | tail -n 1
    [ $rc -eq 0 ] || { echo "FAIL: replay_$h exited $rc:"; echo "$out" | tail -n 20; fails=$((fails + 1)); }
done
exit $((fails > 0))

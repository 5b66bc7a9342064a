# lib.sh - what the end-to-end scripts that drive the ganlab binary share; sourced first:
#     . "${GL_SRCDIR:?run through make check}/tests/e2e/lib.sh"
# B, S: the build and source trees (from make check); G: the binary; T: a scratch directory removed
# on exit, which is also the classifier evaluator's cache, so no test reads or fills a user's cache;
# fail MSG counts a failure in $fails; run WANT_RC ARGS... runs ganlab with stdout in $T/out and
# stderr in $T/err and fails unless it exits WANT_RC.
set -u
B=${GL_BUILDDIR:?run through make check}
S=${GL_SRCDIR:?run through make check}
G="$B/core/ganlab"
T=$(mktemp -d /tmp/gl_e2e_XXXXXX) || exit 99
trap 'rm -rf "$T"' EXIT
unset GANLAB_PLUGIN_PATH
XDG_CACHE_HOME=$T/cache
export XDG_CACHE_HOME
fails=0
fail() { echo "FAIL: $*"; fails=$((fails + 1)); }

run() {
    want=$1; shift
    "$G" "$@" >"$T/out" 2>"$T/err"
    rc=$?
    [ "$rc" -eq "$want" ] || { fail "ganlab $* exited $rc, expected $want:"; tail -5 "$T/err"; }
}

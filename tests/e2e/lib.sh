# lib.sh - what the end-to-end scripts that drive the ganlab binary share; sourced first:
#     . "${GL_SRCDIR:?run through make check}/tests/e2e/lib.sh"
# B, S: the build and source trees (from make check); G: the binary; T: a scratch directory removed
# on exit, which is also the classifier evaluator's cache, so no test reads or fills a user's cache;
# fail MSG counts a failure in $fails; run WANT_RC ARGS... runs ganlab with stdout in $T/out and
# stderr in $T/err and fails unless it exits WANT_RC; close and same compare two runs' metrics.csv
# (within a tolerance) and checkpoints (byte for byte).
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

# Every value of metrics.csv files $1 and $2 (the same rows and columns) within $3, rows up to $4.
close() {
    awk -F, -v tol="$3" -v rows="${4:-1000000}" '
        NR == FNR { a[FNR] = $0; next }
        FNR > 1 && FNR <= rows + 1 {
            n = split(a[FNR], x, ",")
            if (n != NF) { print "row " FNR - 1 ": columns differ"; bad = 1; exit }
            for (i = 1; i <= NF; i++) {
                d = x[i] - $i; d = d < 0 ? -d : d; m = x[i] < 0 ? -x[i] : x[i]
                if (d > tol * (m > 1 ? m : 1)) {
                    print "row " FNR - 1 ", column " i ": " x[i] " vs " $i; bad = 1; exit
                }
            }
        }
        END { if (!bad && FNR != NR - FNR) { print "row counts differ"; bad = 1 }; exit bad }' "$1" "$2" ||
        fail "$2 is not within $3 of $1"
}
# Checkpoint $3 and metrics.csv of run dirs $1 and $2 byte for byte.
same() {
    cmp -s "$1/metrics.csv" "$2/metrics.csv" || fail "$2/metrics.csv differs from $1's"
    cmp -s "$1/checkpoints/$3" "$2/checkpoints/$3" || fail "$2/checkpoints/$3 differs from $1's"
}

#!/bin/sh
# fuzz.sh SRCDIR OUTDIR SECONDS [HARNESS...] - builds each libFuzzer harness of tests/fuzz/ in its
# own clang build (OUTDIR/NAME/: clang-16 with -fsanitize=fuzzer,address,undefined, the harness
# and only the core sources it needs), then runs it for SECONDS on a copy of its committed seed
# corpus plus what earlier runs found (OUTDIR/NAME/corpus/), one harness at a time. A crash stops
# the script with exit 1 and leaves the input as OUTDIR/NAME/crash-*: copy it into
# tests/fuzz/regressions/NAME/ once fixed, so make check replays it. The last lines of each run's
# log (executions, coverage) are printed. Harnesses: config override suite idx png checkpoint
# json eval_json sweep.
# FUZZ_RUNS=N in the environment also stops each run after N executions (whichever comes first).
set -u
S=$(cd "${1:?usage: fuzz.sh SRCDIR OUTDIR SECONDS [HARNESS...]}" && pwd)
O=${2:?}
SECS=${3:?}
shift 3
[ $# -gt 0 ] || set -- config override suite idx png checkpoint json eval_json sweep
CC=${FUZZ_CC:-clang-16}
command -v "$CC" >/dev/null || { echo "fuzz.sh: $CC not found (Debian: clang-16 libfuzzer-16-dev)"; exit 2; }

sources() {
    util="$S/core/util/*.c"
    case $1 in
    config | override) echo "$util $S/core/config/*.c $S/tests/fuzz/fuzz_files.c" ;;
    suite) echo "$util $S/core/config/*.c $S/tests/fuzz/fuzz_files.c" ;;
    # fuzz_idx.c includes idx_read.c itself.
    idx) echo "$(ls "$S"/core/util/*.c | grep -v /idx_read.c) $S/core/config/*.c $S/tests/fuzz/fuzz_memfd.c" ;;
    png) echo "$util $S/core/image/png.c $S/tests/fuzz/fuzz_memfd.c" ;;
    checkpoint) echo "$S/core/train/checkpoint.c" ;;
    json) echo "$util" ;;
    eval_json) echo "$util $S/core/compare/eval_json.c $S/core/compare/csv.c" ;;
    sweep) echo "$util $S/core/compare/sweep.c" ;;
    *) echo "fuzz.sh: no harness '$1'" >&2; exit 2 ;;
    esac
}
# What a harness's instrumented sources call besides comes, uninstrumented, from the build's core
# library (the fuzzer never drives it), so moving code between files of the core needs no change
# here; its objects are used only for symbols the instrumented ones lack.
libs() {
    case $1 in
    config | override | suite) wrap="-Wl,--wrap=realpath,--wrap=gl_cfg__read_file" ;;
    idx) wrap="-Wl,--wrap=fsync,--wrap=gl_plugin_log" ;;
    *) wrap="" ;;
    esac
    # FUZZ_CORE_LIBS: the libraries the core links with in this build (make fuzz passes them:
    # the BLAS, and oneDNN with libgomp when configure found it).
    echo "$wrap $O/../core/.libs/libganlab_internal.a ${FUZZ_CORE_LIBS:-$(pkg-config --libs \
        yaml-0.1 libpng) -lopenblas -lz -lm} -lpthread -ldl"
}

for h in "$@"; do
    d="$O/$h"
    mkdir -p "$d/obj" "$d/corpus"
    echo "== fuzz $h: building in $d"
    flags="-std=c11 -D_GNU_SOURCE -g -O2 -fsanitize=fuzzer-no-link,address,undefined
        -fno-sanitize-recover=undefined -I$S/core/include -I$S/core $(pkg-config --cflags yaml-0.1 libpng)"
    objs=""
    # shellcheck disable=SC2046 # the source lists are globs meant to split
    for src in $(sources "$h") "$S/tests/fuzz/fuzz_$h.c"; do
        obj="$d/obj/$(echo "${src#"$S"/}" | tr / _).o"
        # Rebuilt when the source or any header is newer (no dependency tracking here).
        if [ ! -e "$obj" ] || [ "$src" -nt "$obj" ] ||
            [ -n "$(find "$S/core" "$S/plugins" "$S/tests/fuzz" -name '*.h' -newer "$obj" | head -n 1)" ]; then
            # shellcheck disable=SC2086
            $CC $flags -c "$src" -o "$obj" || exit 2
        fi
        objs="$objs $obj"
    done
    # shellcheck disable=SC2086
    $CC -fsanitize=fuzzer,address,undefined $objs $(libs "$h") -o "$d/fuzz_$h" || exit 2
    echo "== fuzz $h: running ${SECS}s"
    UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 "$d/fuzz_$h" -max_total_time="$SECS" \
        ${FUZZ_RUNS:+-runs="$FUZZ_RUNS"} \
        -timeout=10 -rss_limit_mb=2048 -max_len=16384 -print_final_stats=1 \
        -artifact_prefix="$d/" "$d/corpus" "$S/tests/fuzz/corpus/$h" >"$d/log" 2>&1
    rc=$?
    grep -E "^(#[0-9]+.*DONE|stat::number_of_executed_units|stat::peak_rss_mb|Done [0-9]+ runs)" "$d/log"
    if [ $rc -ne 0 ]; then
        tail -n 40 "$d/log"
        echo "== fuzz $h: FAILED (exit $rc); input: $(ls "$d"/crash-* "$d"/leak-* "$d"/timeout-* "$d"/oom-* 2>/dev/null | head -n 1)"
        exit 1
    fi
done

#!/bin/bash
# run_engine_bench.sh - the engine against PyTorch on the tutorial GAN's networks.
# Runs tests/bench/bench_engine (from BUILDDIR, default .) and bench_engine_torch.py (with
# /usr/bin/python3) each at 1 and 2 threads with OMP_WAIT_POLICY=passive and OPENBLAS_NUM_THREADS
# set, keeps each side's faster time per line, and prints ganlab ms, torch ms and the speed-up
# (torch ms / ganlab ms; > 1 means ganlab is faster). Usage: run_engine_bench.sh [BUILDDIR]
set -eu
build=${1:-.}
here=$(cd "$(dirname "$0")" && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
export OMP_WAIT_POLICY=passive
for t in 1 2; do
    OPENBLAS_NUM_THREADS=$t OMP_NUM_THREADS=$t "$build/tests/bench/bench_engine" "$t" > "$tmp/gl$t"
    OPENBLAS_NUM_THREADS=$t OMP_NUM_THREADS=$t /usr/bin/python3 "$here/bench_engine_torch.py" "$t" \
        > "$tmp/pt$t"
done
grep '^sgemm' "$tmp/gl1" | awk '{printf "sgemm 1024^3, 1 thread: %.1f GFLOP/s\n", $4}'
grep -hv '^#' "$tmp/gl1" "$tmp/gl2" | grep -v '^sgemm' | sort -k1,1 -k2,2n -k3,3g |
    awk '!seen[$1" "$2]++ {print $1, $2, $3, $4}' > "$tmp/gl"
grep -hv '^#' "$tmp/pt1" "$tmp/pt2" | sort -k1,1 -k2,2n -k3,3g |
    awk '!seen[$1" "$2]++ {print $1, $2, $3}' > "$tmp/pt"
printf '%-8s %5s %10s %9s %10s %8s\n' step batch ganlab_ms GFLOP/s torch_ms speedup
join -j1 <(awk '{print $1"@"$2, $3, $4}' "$tmp/gl" | sort) \
    <(awk '{print $1"@"$2, $3}' "$tmp/pt" | sort) 2>/dev/null |
    awk '{split($1, k, "@"); printf "%-8s %5d %10.2f %9.1f %10.2f %8.2f\n", k[1], k[2], $2, $3, $4, $4 / $2}' |
    sort -k2,2n -k1,1

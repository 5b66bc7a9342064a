#!/usr/bin/env bash
# The whole process of a training run against its loop (issue 11's target: whole-process images/s
# within 5 % of the in-loop figure), with the start-up split into its phases. Not part of make
# check (docs/performance.md).
#   tests/bench/whole_process.sh [BUILD_DIR] [STEPS] [CONFIG] [KEY=VALUE...]
# Defaults: 1500 steps of configs/fashion_mnist/gan.yaml with its own cadences (log every 100,
# samples and a checkpoint at step 938 and at the last step) and train.eval_every=0: evaluation is
# a measurement the config asks for, timed on its own in eval.csv's run, not training.
# Prints:
#   start-up, the fastest of five 1-step runs phase by phase (the machine may be shared): exec ->
#     data file opened (runtime, config, plugins), data loading (images and labels read, decoded
#     and checked), the rest up to the loop (nets, optimizer state, run directory, logs);
#   in-loop images/s: steps x n_critic x batch over timing.csv's elapsed at the last step (the
#     loop from its first step to the last log row, the step-938 sample and checkpoint included);
#   after the loop: the last sample and checkpoint and the exit;
#   whole-process images/s: the same images over the process's wall time, and its ratio to in-loop.
# Times come from strace (openat and exit only, filtered in the kernel with --seccomp-bpf, so the
# run is not slowed).
set -euo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
# shellcheck source=tests/bench/lib.sh
. "$top/tests/bench/lib.sh"
build=$(cd "${1:-$top/build}" && pwd)
steps=${2:-1500}
cfg=${3:-$top/configs/fashion_mnist/gan.yaml}
shift $(($# > 3 ? 3 : $#))
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
command -v strace >/dev/null || { echo "whole_process.sh: needs strace" >&2; exit 2; }
args=(train.epochs=0 train.eval_every=0 experiment.out_dir="$tmp/runs" "$@")
per_step=$(train_images_per_step "$build/core/ganlab" "$cfg" "${args[@]}")
# Where core/ganlab is libtool's wrapper script, trace the real binary in .libs.
bin=$build/core/ganlab
[ "$(head -c 2 "$bin")" != "#!" ] || bin=$build/core/.libs/ganlab
traced() { # TRACE_FILE STEPS: one traced run
  rm -rf "$tmp/runs"
  LD_LIBRARY_PATH=$build/core/.libs${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH} \
    strace -f --seccomp-bpf -ttt -e trace=execve,openat,close,exit_group -o "$1" \
    "$bin" train "$cfg" "${args[@]}" train.steps="$2" >/dev/null 2>"$tmp/stderr" ||
    { cat "$tmp/stderr" >&2; exit 1; }
}
# Marks: exec; the first data file opened; the close after the last data file opened (read,
# decoded, checked); timing.csv opened (the loop starts right after the logs); exit.
marks() {
  awk '
    / execve\(/ && !t0 { t0 = $2 }
    / openat\(/ && /idx[0-9]-ubyte|\.idx|datasets\// && !/ENOENT/ {
      if (!d0) d0 = $2
      open = 1
      next
    }
    / close\(/ && open { d1 = $2; open = 0 }
    / openat\(/ && /timing\.csv/ && !loop0 { loop0 = $2 }
    / exit_group\(/ { t1 = $2 }
    END { printf "%.6f %.6f %.6f %.6f\n", d0 - t0, d1 - d0, loop0 - d1, t1 - t0 }' "$1"
}
# Start-up: the fastest of 5 one-step runs, phase by phase (the machine is shared).
for i in 1 2 3 4 5; do
  traced "$tmp/trace1" 1
  marks "$tmp/trace1"
done | sort -n -k2,2 | head -n 1 >"$tmp/startup"
read -r to_data loading to_loop _ <"$tmp/startup"
printf 'start-up (fastest of 5): %.3f s to the data, data loading %.3f s, %.3f s more %s\n' \
  "$to_data" "$loading" "$to_loop" "to the loop"
traced "$tmp/trace" "$steps"
run=$(ls -d "$tmp"/runs/*/)
elapsed=$(tail -n 1 "$run/timing.csv" | cut -d, -f2)
read -r _ _ _ wall < <(marks "$tmp/trace")
loop0=$(awk '/ openat\(/ && /timing\.csv/ { print $2; exit }' "$tmp/trace")
t0=$(awk '/ execve\(/ { print $2; exit }' "$tmp/trace")
awk -v steps="$steps" -v per="$per_step" -v elapsed="$elapsed" -v wall="$wall" -v t0="$t0" \
  -v loop0="$loop0" 'BEGIN {
    images = steps * per
    inloop = images / elapsed
    whole = images / wall
    printf "%d steps: start-up %.3f s, loop %.2f s (timing.csv), in-loop %.0f images/s\n", steps,
      loop0 - t0, elapsed, inloop
    printf "after the loop: %.3f s (last sample, checkpoint, exit)\n", wall - (loop0 - t0) - elapsed
    printf "whole process: %.2f s, %.0f images/s = %.1f %% of in-loop\n", wall, whole,
      100 * whole / inloop
  }'

#!/usr/bin/env bash
# Data-parallel training speed on this machine (docs/scaling.md): fashion_mnist/gan.yaml (the MLP)
# and dcgan_gan.yaml trained by one process with 2 threads (1p_t2), one process with 1 thread
# (1p_t1), and `mpirun -np 2` with 1 thread per rank (2r_t1; 2r_t1y: with Open MPI's
# mpi_yield_when_idle, so that a rank waiting in the all-reduce yields its CPU), side by side in one run (ROUNDS rounds, interleaved, so
# that a change of the machine's load hits every variant). Needs the MPI build (--with-mpi) and the
# Fashion-MNIST data. Not part of make check.
#   tests/bench/mpi_scaling.sh [MPI_BUILD_DIR] [STEPS] [ROUNDS]
# A row per run: config, variant, images/s (real images D sees per second, from timing.csv: a run
# of 11 w steps logged every w steps, timed from the first row to the last, so start-up and the
# warm-up steps are left out), and for two ranks rank 0's time in the fused all-reduces (waiting
# for the other rank included) per step, from log.txt's total over the run's calls, and as a share
# of the step's time at that images/s.
# STEPS (default 300) is the MLP's run length; the DCGAN runs a tenth of it.
set -euo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
# shellcheck source=tests/bench/lib.sh
. "$top/tests/bench/lib.sh"
build=$(cd "${1:-$top/build-mpi}" && pwd)
budget=${2:-300}
rounds=${3:-2}
ganlab=$build/core/ganlab
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
mpi=(mpirun -np 2 --bind-to none --mca btl self,vader)
[ "$(id -u)" -ne 0 ] || mpi+=(--allow-run-as-root)

# run CONFIG STEPS VARIANT -> "images_per_s allreduce_ms_per_step share" ("-" for one process)
run() {
  local cfg=$1 w=$(($2 / 10)) v=$3 threads=1
  [ $w -ge 1 ] || w=1
  local launch=()
  case $v in
    1p_t2) threads=2 ;;
    2r_t1) launch=("${mpi[@]}") ;;
    2r_t1y) launch=("${mpi[@]}" --mca mpi_yield_when_idle 1) ;;
  esac
  rm -rf "$tmp/runs"
  "${launch[@]}" "$ganlab" train "$cfg" experiment.threads=$threads experiment.out_dir="$tmp/runs" \
    train.epochs=0 train.steps=$((11 * w)) train.log_every=$w train.sample_every=0 \
    train.eval_every=0 train.checkpoint_every=0 >/dev/null 2>"$tmp/stderr" ||
    { cat "$tmp/stderr" >&2; exit 1; }
  local per
  per=$(train_images_per_step "$ganlab" "$cfg")
  local ips share
  ips=$(awk -F, -v w=$w -v per="$per" '$1 == w { e1 = $2 } $1 == 11 * w { en = $2 }
    END { printf "%.1f", 10 * w * per / (en - e1) }' "$tmp"/runs/*/timing.csv)
  share=$(sed -n 's/.*all-reduce: \([0-9]*\) calls, \([0-9.]*\) s .*/\1 \2/p' "$tmp"/runs/*/log.txt |
    awk -v steps=$((11 * w)) -v step_ms="$(awk -v p="$per" -v i="$ips" 'BEGIN { print 1e3 * p / i }')" \
      '{ ms = 1e3 * $2 / steps; printf "%.2f %.1f%%", ms, 100 * ms / step_ms }')
  echo "$ips ${share:-- -}"
}

printf '%-10s %-6s %10s %14s %8s\n' config variant images_s allreduce_ms share
for ((r = 1; r <= rounds; r++)); do
  for c in gan dcgan_gan; do
    steps=$budget
    [ $c = gan ] || steps=$((budget / 10))
    for v in 1p_t2 1p_t1 2r_t1 2r_t1y; do
      # shellcheck disable=SC2046 # the three fields
      printf '%-10s %-6s %10s %14s %8s\n' $c $v $(run "$top/configs/fashion_mnist/$c.yaml" $steps $v)
    done
  done
done

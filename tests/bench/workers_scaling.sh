#!/usr/bin/env bash
# experiment.workers on this machine (docs/scaling.md "Workers in one process"): dcgan_wgan_gp and
# dcgan_gan trained by one process with 2 threads and by 2 workers of 1 thread each, and given an
# MPI build, by `mpirun -np 2` ranks of 1 thread, side by side, ROUNDS rounds interleaved. Needs
# the build without MPI and the Fashion-MNIST data. Not part of make check.
#   tests/bench/workers_scaling.sh [BUILD_DIR] [ROUNDS] [MPI_BUILD_DIR]
# A row per run: images/s (real images D sees per second, from timing.csv of a 22-step run logged
# every 2 steps, from the 2nd row to the last, so start-up and the first steps are left out) and
# rank 0's time in the fused all-reduces per step (waiting for the other worker included).
set -euo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
# shellcheck source=tests/bench/lib.sh
. "$top/tests/bench/lib.sh"
build=$(cd "${1:-$top/build}" && pwd)
rounds=${2:-2}
ganlab=$build/core/ganlab
variants=("1 2" "2 1")
mpi=()
if [ -n "${3:-}" ]; then
  # shellcheck disable=SC2054 # self,vader is one argument
  mpi=(mpirun -np 2 --bind-to none --mca btl self,vader "$(cd "$3" && pwd)/core/ganlab")
  [ "$(id -u)" -ne 0 ] || mpi=("${mpi[0]}" --allow-run-as-root "${mpi[@]:1}")
  variants+=("mpi 1")
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
printf '%-5s %-14s %7s %7s %10s %12s\n' round config workers threads images_s allreduce_ms
for ((r = 1; r <= rounds; r++)); do
  for c in dcgan_wgan_gp dcgan_gan; do
    cfg=$top/configs/fashion_mnist/$c.yaml
    per=$(train_images_per_step "$ganlab" "$cfg")
    for v in "${variants[@]}"; do
      read -r workers threads <<<"$v"
      rm -rf "$tmp/runs"
      launch=("$ganlab" train "$cfg" experiment.workers="$workers")
      [ "$workers" != mpi ] || launch=("${mpi[@]}" train "$cfg")
      "${launch[@]}" experiment.threads="$threads" \
        experiment.out_dir="$tmp/runs" train.epochs=0 train.steps=22 train.log_every=2 \
        train.sample_every=0 train.eval_every=0 train.checkpoint_every=0 >/dev/null \
        2>"$tmp/stderr" || { cat "$tmp/stderr" >&2; exit 1; }
      ips=$(awk -F, -v per="$per" 'NR == 3 { s1 = $1; e1 = $2 } { s = $1; e = $2 }
        END { printf "%.1f", (s - s1) * per / (e - e1) }' "$tmp"/runs/*/timing.csv)
      ms=$(sed -n 's/.*all-reduce: [0-9]* calls, \([0-9.]*\) s .*/\1/p' "$tmp"/runs/*/log.txt |
        awk '{ printf "%.2f", 1e3 * $1 / 22 }')
      printf '%-5s %-14s %7s %7s %10s %12s\n' "$r" "$c" "$workers" "$threads" "$ips" "${ms:--}"
    done
  done
done

#!/usr/bin/env bash
# Images/s and peak memory of `ganlab train` against the PyTorch peer doing exactly the same steps
# (train_torch.py), in one run, as ratios. Not part of make check.
#   tests/bench/bench_train.sh [BUILD_DIR] [STEPS]
# The peer takes PyTorch's best setting on this machine: 1 thread, or 2 with OMP_WAIT_POLICY=passive
# (OPENBLAS_NUM_THREADS set too, since torch.set_num_threads does not cap it), whichever is faster.
set -euo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
build=$(cd "${1:-$top/build}" && pwd)
steps=${2:-1000}
ganlab=$build/core/ganlab
py=/usr/bin/python3
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
have_torch=0
$py -c 'import torch' 2>/dev/null && have_torch=1

# ganlab's images/s from timing.csv is per interval; time the whole run after a warm-up instead:
# images seen by D = steps * n_critic * batch, over the wall time of the run minus set-up (measured
# with a 1-step run of the same config).
run_ganlab() { # config extra-overrides... -> "images_per_s peak_kib"
  local cfg=$1; shift
  local one many
  # /usr/bin/time -o: its report must not go where the run's stderr goes (/dev/null).
  "/usr/bin/time" -o "$tmp/one" -f '%e %M' "$ganlab" train "$cfg" train.steps=1 \
    experiment.threads=2 experiment.out_dir="$tmp" train.sample_every=0 train.log_every=0 \
    train.eval_every=0 train.epochs=0 "$@" >/dev/null 2>&1
  "/usr/bin/time" -o "$tmp/many" -f '%e %M' "$ganlab" train "$cfg" train.steps=$((steps + 1)) \
    experiment.threads=2 experiment.out_dir="$tmp" train.sample_every=0 train.log_every=0 \
    train.eval_every=0 train.epochs=0 "$@" >/dev/null 2>&1
  one=$(tail -n 1 "$tmp/one")
  many=$(tail -n 1 "$tmp/many")
  local n_critic batch
  n_critic=$("$ganlab" config "$cfg" "$@" train.epochs=0 train.steps=1 | awk '/n_critic:/{print $2}')
  batch=$("$ganlab" config "$cfg" "$@" train.epochs=0 train.steps=1 | awk '/batch_size:/{print $2}')
  awk -v a="${one% *}" -v b="${many% *}" -v m="${many#* }" -v s="$steps" -v c="$n_critic" -v bs="$batch" \
    'BEGIN { printf "%.1f %d\n", s * c * bs / (b - a), m }'
}

run_torch() { # variant -> "images_per_s peak_kib"
  local best=0 mem=0 out
  for mode in 1 2; do
    if [ $mode = 1 ]; then
      out=$( { OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 /usr/bin/time -f '%M' \
               $py "$top/tests/bench/train_torch.py" "$1" "$steps" 1; } 2>&1)
    else
      out=$( { OMP_WAIT_POLICY=passive OMP_NUM_THREADS=2 OPENBLAS_NUM_THREADS=2 /usr/bin/time -f '%M' \
               $py "$top/tests/bench/train_torch.py" "$1" "$steps" 2; } 2>&1)
    fi
    local ips=${out%%$'\n'*} m=${out##*$'\n'}
    if awk -v a="$ips" -v b="$best" 'BEGIN{exit !(a > b)}'; then best=$ips; mem=$m; fi
  done
  echo "$best $mem"
}

printf '%-10s %14s %14s %8s %12s %12s %8s\n' variant ganlab_img/s torch_img/s ratio ganlab_MiB \
  torch_MiB mem_ratio
for v in gan wgan_gp cgan toy2d; do
  case $v in
    toy2d) cfg=$top/configs/toy/ring_gan.yaml ;;
    *) cfg=$top/configs/fashion_mnist/$v.yaml ;;
  esac
  read -r gi gm < <(run_ganlab "$cfg")
  if [ $have_torch = 1 ]; then
    read -r ti tm < <(run_torch $v)
  else
    ti=nan; tm=nan
  fi
  awk -v v=$v -v gi="$gi" -v ti="$ti" -v gm="$gm" -v tm="$tm" 'BEGIN {
    printf "%-10s %14.0f %14.0f %8.2f %12.1f %12.1f %8.2f\n", v, gi, ti, gi / ti, gm / 1024,
      tm / 1024, gm / tm }'
done

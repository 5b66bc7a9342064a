#!/usr/bin/env bash
# Training speed of `ganlab train` on every shipped Fashion-MNIST config and the toy ring, in fp32
# and bf16, against the PyTorch peer doing exactly the same steps (train_torch.py) and against the
# machine's ceiling for the config's products (bench_ceiling), all measured in this one run; plus
# ganlab's peak memory. Not part of make check (docs/performance.md).
#   tests/bench/bench_train.sh [BUILD_DIR] [STEPS]
# One row per config: config, ganlab_fp32, ganlab_bf16, torch_fp32, torch_bf16, ratio_fp32,
# ratio_bf16, ceiling_fp32, ceiling_bf16, rss_mib. Speeds are images/s (real images seen by D per
# second), ratios ganlab / PyTorch, rss_mib ganlab's peak resident set (whole process, the larger of
# its fp32 and bf16 runs). "-" where a figure does not exist (no bf16 in this engine or CPU, no
# PyTorch); torch_bf16 is "-" too where ganlab refuses bf16, as there is nothing to compare it with.
# STEPS (default 300) sets the length of each timed run in real images: STEPS batches of 64 for the
# MLP configs, a tenth of that for the DCGAN ones (they are ten times slower), 4 STEPS batches of
# 256 for the ring; a WGAN-GP step counts its 5 critic batches; at least 10 steps.
# The PyTorch peer takes its best of 1 thread and 2 threads with OMP_WAIT_POLICY=passive
# (OPENBLAS_NUM_THREADS set too, since torch.set_num_threads does not cap it); its bf16 is
# torch.autocast on the CPU. Likewise ganlab takes its best of its two ways to use 2 vCPUs: one
# process with 2 threads (t2) and 2 workers of 1 thread (w2, experiment.workers); a last column,
# `ways`, says which won for fp32 and bf16 (e.g. t2/w2). rss_mib is of the one-process runs (a
# workers run holds that in each worker).
set -euo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
# shellcheck source=tests/bench/lib.sh
. "$top/tests/bench/lib.sh"
build=$(cd "${1:-$top/build}" && pwd)
budget=${2:-300}
ganlab=$build/core/ganlab
ceiling=$build/tests/bench/bench_ceiling
py=/usr/bin/python3
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
have_torch=0
$py -c 'import torch' 2>/dev/null && have_torch=1
[ -x "$ceiling" ] || { echo "bench_train.sh: $ceiling missing: run make in $build" >&2; exit 2; }

# ganlab's images/s from its own timing.csv: a run of 11 w steps logged every w steps, timed from
# the first row to the last, so start-up, the first w steps (warm-up) and the last checkpoint are
# left out, as the PyTorch peer leaves out its warm-up. Peak RSS of the whole process.
#   run_ganlab CONFIG STEPS PRECISION WAY -> "images_per_s peak_kib", or "- -" when the precision
#   is refused (STEPS rounded down to a multiple of 10); WAY t2: 2 threads, w2: 2 workers x 1
run_ganlab() {
  local cfg=$1 w=$(($2 / 10)) prec=$3 way=$4
  [ $w -ge 1 ] || w=1
  local args=(experiment.out_dir="$tmp/runs" train.steps=$((11 * w))
    train.log_every="$w" train.sample_every=0 train.eval_every=0 train.epochs=0)
  case $way in
    t2) args+=(experiment.threads=2) ;;
    w2) args+=(experiment.threads=1 experiment.workers=2) ;;
  esac
  [ "$prec" = fp32 ] || args+=(engine.precision="$prec")
  rm -rf "$tmp/runs"
  # /usr/bin/time -o: its report must not go where the run's stderr goes (/dev/null).
  if ! /usr/bin/time -o "$tmp/time" -f '%M' "$ganlab" train "$cfg" "${args[@]}" >/dev/null \
    2>"$tmp/stderr"; then
    [ "$prec$way" != fp32t2 ] || { cat "$tmp/stderr" >&2; exit 1; }
    echo "- -"
    return
  fi
  awk -F, -v w=$w -v per="$(images_per_step "$cfg")" -v m="$(tail -n 1 "$tmp/time")" '
    $1 == w { e1 = $2 } $1 == 11 * w { en = $2 }
    END { printf "%.1f %d\n", 10 * w * per / (en - e1), m }' "$tmp"/runs/*/timing.csv
}

# images_per_step CONFIG: real images D sees per step (n_critic x batch)
images_per_step() { train_images_per_step "$ganlab" "$1"; }

# PyTorch's best of 1 and 2 threads: run_torch VARIANT STEPS PRECISION -> images_per_s
run_torch() {
  local best=0 ips
  for t in 1 2; do
    ips=$(OMP_WAIT_POLICY=passive OMP_NUM_THREADS=$t OPENBLAS_NUM_THREADS=$t \
      $py "$top/tests/bench/train_torch.py" "$1" "$2" $t "$3")
    if awk -v a="$ips" -v b="$best" 'BEGIN{exit !(a > b)}'; then best=$ips; fi
  done
  echo "$best"
}

# best_ganlab NAME CONFIG STEPS PRECISION -> "images_per_s peak_kib way": the faster way; the
# peak memory of the one-process run. Both ways' images/s go to $tmp/ways for the last table.
best_ganlab() {
  local name=$1 t w
  shift
  t=$(run_ganlab "$@" t2)
  w=$(run_ganlab "$@" w2)
  echo "$name $3 ${t%% *} ${w%% *}" >>"$tmp/ways"
  awk -v t="$t" -v w="$w" 'BEGIN {
    split(t, a, " "); split(w, b, " ")
    if (b[1] != "-" && (a[1] == "-" || b[1] + 0 > a[1] + 0)) print b[1], a[2], "w2"
    else print a[1], a[2], (a[1] == "-" ? "-" : "t2") }'
}

printf '%-14s %11s %11s %10s %10s %10s %10s %12s %12s %7s %6s\n' config ganlab_fp32 ganlab_bf16 \
  torch_fp32 torch_bf16 ratio_fp32 ratio_bf16 ceiling_fp32 ceiling_bf16 rss_mib ways
for v in gan wgan_gp cgan dcgan_gan dcgan_wgan_gp dcgan_cgan ring; do
  case $v in
    ring) cfg=$top/configs/toy/ring_gan.yaml peer=toy2d images=$((4 * budget * 256)) ;;
    dcgan_*) cfg=$top/configs/fashion_mnist/$v.yaml peer=$v images=$((budget * 64 / 10)) ;;
    *) cfg=$top/configs/fashion_mnist/$v.yaml peer=$v images=$((budget * 64)) ;;
  esac
  steps=$((images / $(images_per_step "$cfg")))
  [ $steps -ge 10 ] || steps=10
  read -r g32 m32 w32 < <(best_ganlab $v "$cfg" $steps fp32)
  read -r g16 m16 w16 < <(best_ganlab $v "$cfg" $steps bf16)
  t32=-
  t16=-
  if [ $have_torch = 1 ]; then
    t32=$(run_torch $peer $steps fp32)
    # Where ganlab refuses bf16 (no AVX512_BF16 or AMX-BF16), PyTorch's autocast emulates it at
    # 1/10-1/20 of its fp32 speed: minutes per row, for a column nothing is compared with.
    [ "$g16" = - ] || t16=$(run_torch $peer $steps bf16)
  fi
  c32=$("$ceiling" $v fp32 | awk '{print $5}')
  c16=$("$ceiling" $v bf16 | awk '{print $5}')
  awk -v v=$v -v g32="$g32" -v g16="$g16" -v t32="$t32" -v t16="$t16" -v c32="$c32" \
    -v c16="$c16" -v m32="$m32" -v m16="$m16" -v ways="$w32/$w16" '
    function num(x) { return x == "-" ? "-" : sprintf("%.0f", x) }
    function ratio(a, b) { return a == "-" || b == "-" ? "-" : sprintf("%.2f", a / b) }
    BEGIN {
      m = m32; if (m16 != "-" && m16 > m) m = m16
      printf "%-14s %11s %11s %10s %10s %10s %10s %12s %12s %7.1f %6s\n", v, num(g32), num(g16),
        num(t32), num(t16), ratio(g32, t32), ratio(g16, t16), num(c32), num(c16), m / 1024, ways }'
done

# Both ways, so a row's other way stays visible: w2 normalises each worker's half batch in batch
# norm (as PyTorch's DistributedDataParallel does without SyncBatchNorm), t2 the whole batch.
echo
printf '%-14s %-9s %10s %10s\n' config precision t2 w2
awk '{ printf "%-14s %-9s %10s %10s\n", $1, $2, $3 == "-" ? "-" : sprintf("%.0f", $3),
  $4 == "-" ? "-" : sprintf("%.0f", $4) }' "$tmp/ways"

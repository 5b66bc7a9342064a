#!/usr/bin/env bash
# Where one training step of each shipped config goes: `perf record` of `ganlab train` (all its
# threads), samples grouped by function into GEMM/convolution, packing, elementwise, normalisation,
# optimizer, data, thread synchronisation, autograd/arena and other. Not part of make check
# (docs/performance.md shows its output).
#   tests/bench/profile.sh [BUILD_DIR] [STEPS] [CONFIG...]
# A config is recorded twice, for 1 step and for 1 + n steps, and each group's samples of the short
# run are subtracted from the long run's: start-up (reading the data, building the nets) and the
# last step's checkpoint cancel, leaving n steady-state steps. STEPS (default 100) is n for the
# MLP configs in batches of 64 (the DCGAN configs a tenth of it, WGAN-GP counting its 5 critic
# batches, the toy configs 4 STEPS batches of 256; at least 5 steps). CONFIG defaults to every
# configs/fashion_mnist/*.yaml and configs/toy/ring*.yaml. Extra overrides in GANLAB_PROFILE_ARGS
# (e.g. engine.precision=bf16) go to every run.
# Output, per config: wall ms per step (from the two runs' wall times), CPU ms per step (all
# threads), then each group's share of the CPU time in %.
set -euo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
# shellcheck source=tests/bench/lib.sh
. "$top/tests/bench/lib.sh"
build=$(cd "${1:-$top/build}" && pwd)
budget=${2:-100}
shift $(($# > 2 ? 2 : $#))
ganlab=$build/core/ganlab
freq=2000
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
command -v perf >/dev/null || { echo "profile.sh: needs perf (Debian: linux-perf)" >&2; exit 2; }
configs=("$@")
[ ${#configs[@]} -gt 0 ] ||
  configs=("$top"/configs/fashion_mnist/*.yaml "$top"/configs/toy/ring*.yaml)
# oneDNN's generated kernels get names in perf's map file (/tmp/perf-PID.map).
export DNNL_JIT_PROFILE=2
read -r -a extra <<<"${GANLAB_PROFILE_ARGS:-}"

# groups FILE: "group samples" lines from a perf.data file. First match wins: start-up and output
# libraries first (they cancel between the two runs), kernel time as scheduling (sync) or other,
# packing before GEMM (OpenBLAS's sgemm_*copy* are its packing; unnamed OpenBLAS or oneDNN code
# counts as GEMM/convolution).
groups() {
  perf report -i "$1" -n --stdio --no-children --sort dso,sym 2>/dev/null |
    awk 'BEGIN {
      io = "libz|libyaml|libpng|ld-linux|inflate|crc32|_dl_|png_|yaml_"
      ksync = "sched|yield|futex|switch|wake|syscall|sys_call|spin|idle"
      packing = "copy|im2col|col2im|reorder|pack|transpose"
      gemm = "gemm|gemv|brg|conv_fwd|conv_bwd|conv_acc|bwd_data|bwd_weight|jit|dnnl|sdot|saxpy"
      norm = "batch_norm|layer_norm|bnorm|lnorm"
      opt = "adam|rmsprop|sgd|optimizer|grads_finite|shrink_update"
      data = "byte_images|next_batch|rng|shuffle|interpolat|z_tensor|one_hot|embedding|gather_rows"
      sync = "yield|futex|sched|blas_thread|exec_blas|gomp|barrier|spin|pthread_cond|pthread_mutex"
      ag = "record|backward|gl_grad|autograd|tape|arena|ctx|gl__tensor|gl__view|malloc|free|"
      ag = ag "tensor_new|tensor_from|detach"
      ew = "gl__|act_|leaky|tanh|sigmoid|softplus|relu|exp|log|memset|memcpy|memmove|add_bias|"
      ew = ew "reduce|expand|concat|slice|scale|square|sqrt|bce|mean|sum|binary|unary"
    }
    /^ *[0-9.]+%/ {
      n = $2; dso = $3; sym = ""; for (i = 5; i <= NF; i++) sym = sym " " $i
      s = tolower(dso " " sym)
      if (s ~ io) g = "startup_io"
      else if ($4 == "[k]") g = s ~ ksync ? "sync" : "other"
      else if (s ~ packing) g = "packing"
      else if (s ~ gemm) g = "gemm_conv"
      else if (s ~ norm) g = "norm"
      else if (s ~ opt) g = "optimizer"
      else if (s ~ data) g = "data"
      else if (s ~ sync) g = "sync"
      else if (s ~ /openblas|libdnnl/) g = "gemm_conv"
      else if (s ~ ag) g = "autograd"
      else if (s ~ ew) g = "elementwise"
      else g = "other"
      c[g] += n
    }
    END { for (g in c) print g, c[g] }'
}

# record TAG CONFIG STEPS: perf data in $tmp/TAG.data, "wall" seconds in $tmp/TAG.wall
record() {
  local t0 t1
  t0=$(date +%s.%N)
  perf record -q -F $freq -o "$tmp/$1.data" -- "$ganlab" train "$2" train.steps="$3" \
    train.epochs=0 experiment.threads=2 experiment.out_dir="$tmp/runs" train.sample_every=0 \
    train.log_every=0 train.eval_every=0 "${extra[@]}" >/dev/null 2>&1
  t1=$(date +%s.%N)
  awk -v a="$t0" -v b="$t1" 'BEGIN { print b - a }' >"$tmp/$1.wall"
}

cols=(gemm_conv packing elementwise norm optimizer data sync autograd other)
printf '%-28s %8s %8s' config wall_ms cpu_ms
printf ' %11s' "${cols[@]}"
printf '\n'
for cfg in "${configs[@]}"; do
  name=$(basename "$(dirname "$cfg")")/$(basename "$cfg" .yaml)
  per_step=$(train_images_per_step "$ganlab" "$cfg")
  case $name in
    toy/*) images=$((4 * budget * 256)) ;;
    */dcgan_*) images=$((budget * 64 / 10)) ;;
    *) images=$((budget * 64)) ;;
  esac
  steps=$((images / per_step))
  [ $steps -ge 5 ] || steps=5
  record one "$cfg" 1
  record many "$cfg" $((steps + 1))
  groups "$tmp/one.data" >"$tmp/one.g"
  groups "$tmp/many.data" >"$tmp/many.g"
  awk -v name="$name" -v n=$steps -v f=$freq -v w1="$(cat "$tmp/one.wall")" \
    -v wn="$(cat "$tmp/many.wall")" -v cols="${cols[*]}" '
    FNR == NR { one[$1] = $2; next }
    { many[$1] = $2 }
    END {
      k = split(cols, c, " ")
      total = 0
      for (i = 1; i <= k; i++) {
        d[i] = many[c[i]] - one[c[i]]
        if (d[i] < 0) d[i] = 0
        total += d[i]
      }
      printf "%-28s %8.2f %8.2f", name, 1000 * (wn - w1) / n, 1000 * total / f / n
      for (i = 1; i <= k; i++) printf " %10.1f%%", total ? 100 * d[i] / total : 0
      printf "\n"
    }' "$tmp/one.g" "$tmp/many.g"
done

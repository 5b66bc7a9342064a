#!/bin/bash
# same_bytes.sh BUILD_A BUILD_B [OUT]: do two builds train to the same bytes? Short runs of the
# configs whose code paths a speed change touches (toy fixes, the learning-rate decay, penalties,
# packing, spectral norm, the Fashion-MNIST MLPs in fp32 and bf16, one DCGAN), each at 1 and 2
# threads, through both builds; compares metrics.csv and the last checkpoint with cmp. Prints one
# line per run and exits 1 when any differs (2 on a run that failed). Not run by make check:
# about 3 minutes on 2 idle vCPUs; needs Debian's dataset-fashion-mnist.
set -u
[ $# -ge 2 ] || { echo "usage: $0 BUILD_A BUILD_B [OUT]" >&2; exit 2; }
A=$1/core/ganlab B=$2/core/ganlab SRC=$(cd "$(dirname "$0")/../.." && pwd)
OUT=${3:-$(mktemp -d)}
for g in "$A" "$B"; do [ -x "$g" ] || { echo "$0: no $g (build it first)" >&2; exit 2; }; done
[ ! -e "$OUT/a" ] && [ ! -e "$OUT/b" ] || { echo "$0: $OUT holds an earlier comparison" >&2; exit 2; }
mkdir -p "$OUT" || exit 2
status=0
run() { # NAME CONFIG STEPS [KEY=VALUE...]
  local name=$1 cfg=$2 steps=$3
  shift 3
  for t in 1 2; do
    for side in a b; do
      local g=$A
      [ $side = b ] && g=$B
      if ! "$g" train "$SRC/configs/$cfg" experiment.out_dir="$OUT/$side" \
        experiment.name="${name}_t$t" experiment.threads=$t train.epochs=0 train.steps="$steps" \
        train.checkpoint_every="$steps" train.eval_every=0 train.sample_every=0 \
        train.log_every=1 "$@" >/dev/null 2>"$OUT/${name}_t${t}_$side.err"; then
        echo "$name t$t: FAILED in $side ($OUT/${name}_t${t}_$side.err)"; status=2; continue 2
      fi
    done
    local verdict=same f
    for f in metrics.csv "checkpoints/$(ls "$OUT/a/${name}_t$t/checkpoints" | tail -1)"; do
      cmp -s "$OUT/a/${name}_t$t/$f" "$OUT/b/${name}_t$t/$f" || verdict="DIFFERENT ($f)"
    done
    echo "$name t$t: $verdict"
    [ "$verdict" = same ] || [ $status = 2 ] || status=1
  done
}
run ring_gan toy/ring_gan.yaml 300
run grid_wgan_gp toy/grid_wgan_gp.yaml 300
run grid_cgan toy/grid_cgan.yaml 300
run grid_r3gan toy/grid_r3gan.yaml 100
run grid_unrolled toy/grid_unrolled.yaml 100
run ring_instance_noise toy/ring_instance_noise.yaml 200
run grid_spectral_norm toy/grid_spectral_norm.yaml 200
run grid_pacgan_m4 toy/grid_pacgan_paper_m4.yaml 50
run grid_best toy/grid_best.yaml 200
run ring_wgan_gp toy/ring_wgan_gp.yaml 100
run fm_gan fashion_mnist/gan.yaml 60
run fm_gan_lr_decay fashion_mnist/gan.yaml 40 train.lr_decay=linear
run fm_cgan fashion_mnist/cgan.yaml 60
run fm_cgan_bf16 fashion_mnist/cgan.yaml 60 engine.precision=bf16
run fm_wgan_gp fashion_mnist/wgan_gp.yaml 30
run fm_dcgan_gan fashion_mnist/dcgan_gan.yaml 4
[ $# -ge 3 ] || rm -rf "$OUT"
exit $status

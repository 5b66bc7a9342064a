# lib.sh - sourced by the benchmark scripts of tests/bench.
# train_images_per_step GANLAB CONFIG [KEY=VALUE...]: the real images D sees per generator step,
# train.n_critic x train.batch_size x model.pack, read from the resolved config's own sections (an
# evaluator's batch_size, e.g. the classifier's, is not the training batch).
train_images_per_step() {
  local ganlab=$1 cfg=$2
  shift 2
  "$ganlab" config "$cfg" "$@" train.epochs=0 train.steps=1 |
    awk '/^[^ #]/ { sec = $1 }
      sec == "train:" && /^  n_critic:/ { c = $2 }
      sec == "train:" && /^  batch_size:/ { b = $2 }
      sec == "model:" && /^  pack:/ { p = $2 }
      END { print c * b * (p > 1 ? p : 1) }'
}

#!/bin/sh
# shellcheck disable=SC2086 # the override lists are meant to split into words
# events.sh - the TensorBoard event files of a run, decoded: tests/tools/tfrecord_split checks each
# record's framing (masked CRC32C of length and data) and writes the records out, then protoc
# decodes each as tensorflow.Event against tests/tools/tensorboard.proto (TensorBoard's names and
# field numbers). Checks every metrics.csv column, the evaluator's metrics, the sample images, the
# config text, the hparams, a resume's SessionLog START, and logging.tensorboard: false.
. "${GL_SRCDIR:?run through make check}/tests/e2e/lib.sh"
command -v protoc >/dev/null || { echo "protoc not found: install protobuf-compiler (.ci/deps)"; exit 99; }
P="$S/tests/tools"
split="$B/tests/tools/tfrecord_split"

# decode FILE: every event of FILE, decoded, into $T/dec (one after another).
decode() {
    rm -f "$T"/rec.*
    n=$("$split" "$1" "$T/rec") || { fail "$1: bad framing"; return; }
    : >"$T/dec"
    i=0
    while [ "$i" -lt "$n" ]; do
        echo "--- event $i" >>"$T/dec"
        protoc --proto_path="$P" --decode=tensorflow.Event tensorboard.proto <"$T/rec.$i" \
            >>"$T/dec" 2>"$T/protoc.err" || { fail "event $i of $1: $(cat "$T/protoc.err")"; return; }
        i=$((i + 1))
    done
}
in_dec() { grep -qF -- "$1" "$T/dec" || fail "no '$1' in the decoded events of $2"; }
count_dec() { grep -cF -- "$1" "$T/dec"; }

ov="dataset.size=256 train.steps=4 train.batch_size=16 train.log_every=2 train.sample_every=2
 train.eval_every=4 train.checkpoint_every=2 experiment.out_dir=$T/runs experiment.threads=1
 logging.hparams=loss.plugin,optimizer.generator.lr,train.batch_size"
run 0 train "$S/configs/toy/ring_gan.yaml" $ov
dir=$(tail -n 1 "$T/out")
set -- "$dir"/events.out.tfevents.*
[ $# -eq 1 ] && [ -f "$1" ] || fail "expected one event file in $dir, found: $*"
decode "$1"
in_dec 'file_version: "brain.Event:2"' first
# Every metrics.csv column but step, at each logged step; the throughput from timing.csv.
for col in $(head -n 1 "$dir/metrics.csv" | tr ',' ' '); do
    [ "$col" = step ] && continue
    [ "$(count_dec "tag: \"train/$col\"")" -eq 2 ] || fail "train/$col: not at steps 2 and 4"
done
in_dec 'tag: "timing/images_per_s"' first
# The evaluator's metrics, named as eval.csv's columns.
for col in $(head -n 1 "$dir/eval.csv" | tr ',' ' '); do
    [ "$col" = step ] || in_dec "tag: \"eval/$col\"" first
done
# Sample images: PNG bytes (the signature, escaped by protoc) with the file's size.
[ "$(count_dec 'tag: "samples"')" -eq 2 ] || fail "samples: not at steps 2 and 4"
in_dec 'encoded_image_string: "\211PNG' first
in_dec 'height: 512' first
in_dec 'colorspace: 3' first
# The config as text, and the hparams (their plugin data decoded as HParamsPluginData).
in_dec 'plugin_name: "text"' first
in_dec 'string_val: "```yaml' first
in_dec 'plugin_name: "hparams"' first
in_dec 'tag: "_hparams_/session_start_info"' first
grep -A8 'plugin_name: "hparams"' "$T/dec" | sed -n 's/^ *content: "\(.*\)"$/\1/p' | head -n 1 |
    "$split" --unescape >"$T/hp"
protoc --proto_path="$P" --decode=tensorflow.HParamsPluginData tensorboard.proto <"$T/hp" \
    >"$T/hp.txt" 2>&1 || fail "hparams plugin data: $(cat "$T/hp.txt")"
grep -qF 'key: "train.batch_size"' "$T/hp.txt" || fail "hparams: no train.batch_size"
grep -qF 'number_value: 16' "$T/hp.txt" || fail "hparams: batch size not the number 16"
grep -qF 'string_value: "bce"' "$T/hp.txt" || fail "hparams: loss.plugin not the string bce"
grep -qF 'number_value: 0.001' "$T/hp.txt" || fail "hparams: lr not the number 0.001"

# A resume writes a new file that opens with SessionLog START at the checkpoint's step.
first=$1
rm "$dir/checkpoints/step_00000004.ckpt"
run 0 train --resume "$dir" train.steps=6
n=0
for f in "$dir"/events.out.tfevents.*; do
    n=$((n + 1))
    [ "$f" = "$first" ] || second=$f
done
[ "$n" -eq 2 ] || fail "resume: expected 2 event files, found $n"
decode "$second"
sed -n '1,/--- event 1/p' "$T/dec" >"$T/dec0"
grep -qF 'status: START' "$T/dec0" || fail "resume: first event is not SessionLog START"
grep -qF 'step: 2' "$T/dec0" || fail "resume: START not at the checkpoint's step 2"
in_dec 'file_version: "brain.Event:2"' second
[ "$(count_dec 'tag: "train/d_loss"')" -eq 2 ] || fail "resume: train/d_loss not at steps 4 and 6"

# A suite passes its swept keys in GANLAB_HPARAMS: they become logging.hparams (recorded in
# config.yaml) unless an override gives it.
base=$(echo "$ov" | sed 's/ logging.hparams=[^ ]*//')
export GANLAB_HPARAMS=loss.plugin,train.batch_size
run 0 train "$S/configs/toy/ring_gan.yaml" $base experiment.name=env
grep -qF 'hparams: "loss.plugin,train.batch_size"' "$(tail -n 1 "$T/out")/config.yaml" ||
    fail "GANLAB_HPARAMS not in config.yaml"
run 0 config "$S/configs/toy/ring_gan.yaml" logging.hparams=train.steps
grep -qF 'hparams: train.steps' "$T/out" || fail "GANLAB_HPARAMS beat an override"
unset GANLAB_HPARAMS

# An unknown hparams key is refused by name; logging.tensorboard: false writes no event file.
run 2 train "$S/configs/toy/ring_gan.yaml" $ov experiment.name=bad logging.hparams=loss.lamda
grep -qF "'loss.lamda' is not a key" "$T/err" || fail "unknown hparams key: $(tail -n 2 "$T/err")"
[ -e "$T/runs/bad" ] && fail "an unknown hparams key still created its run directory"
run 0 train "$S/configs/toy/ring_gan.yaml" $ov experiment.name=off logging.tensorboard=false
dir=$(tail -n 1 "$T/out")
set -- "$dir"/events.out.tfevents.*
[ -e "$1" ] && fail "logging.tensorboard=false still wrote $1"

# A damaged record is caught by the CRC check.
cp "$first" "$T/bad"
printf 'X' | dd of="$T/bad" bs=1 seek=20 conv=notrunc 2>/dev/null
"$split" "$T/bad" "$T/rec" 2>"$T/split.err" && fail "tfrecord_split accepted a damaged record"
grep -qF 'bad data CRC' "$T/split.err" || fail "damaged record: $(cat "$T/split.err")"

[ "$fails" -eq 0 ]

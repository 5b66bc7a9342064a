#!/bin/sh
# shellcheck disable=SC2086 # the override lists are meant to split into words
# provenance.sh - run.json end to end: its fields after a run and after a resume (with the changes
# the resume made), and an out-of-tree plugin (docs/examples/optimizer/sign_sgd.c, built here
# against the source headers) that sample, eval, compare and resume find again from its recorded
# path without --plugin-path, and refuse when the file's SHA-256 no longer matches or the file is gone.
. "${GL_SRCDIR:?run through make check}/tests/e2e/lib.sh"
has() { grep -qF -- "$2" "$T/$1" || { fail "no '$2' in std$1:"; tail -5 "$T/$1"; }; }
key() { grep -qF -- "\"$1\": " "$2" || fail "$2: no \"$1\""; }

mkdir "$T/oot" && ${CC:-cc} "$S/docs/examples/optimizer/sign_sgd.c" -I"$S/core/include" -shared -fPIC \
    -o "$T/oot/sign_sgd.so" || exit 99
ov="dataset.size=256 train.steps=4 train.batch_size=16 train.log_every=2 train.sample_every=0
 train.checkpoint_every=2 experiment.out_dir=$T/runs experiment.threads=1
 optimizer.generator.plugin=sign_sgd"
run 0 --plugin-path "$T/oot" train "$S/configs/toy/ring_gan.yaml" $ov
dir=$(tail -n 1 "$T/out")
j=$dir/run.json
for k in version git command overrides host cpu model features backend threads total_steps \
         started finished plugins resumes; do key "$k" "$j"; done
grep -qF '"total_steps": 4' "$j" || fail "run.json: total_steps not 4"
grep -qF '"overrides": ["dataset.size=256", ' "$j" || fail "run.json: overrides not in order"
grep -qF '"threads": 1' "$j" || fail "run.json: threads not 1"
grep -qF '"backend": "OpenBLAS' "$j" || fail "run.json: backend not OpenBLAS"
grep -q '"finished": "20[0-9-]*T' "$j" || fail "run.json: finished not set"
sum=$(sha256sum "$T/oot/sign_sgd.so" | cut -d' ' -f1)
grep -qF "{\"kind\": \"optimizer\", \"name\": \"sign_sgd\", \"path\": \"$T/oot/sign_sgd.so\", \"sha256\": \"$sum\"}" "$j" ||
    fail "run.json: sign_sgd not recorded with its path and sha256sum's hash"
grep -qF '"name": "toy2d"' "$j" || fail "run.json: the dataset plugin is not recorded"
[ "$(grep -o '"name": "adam"' "$j" | wc -l)" -eq 1 ] || fail "run.json: adam not recorded once"

# Without --plugin-path: the recorded file, checked, and said so.
run 0 sample "$dir" -n 4 -o "$T/s.csv"
has err "optimizer plugin 'sign_sgd' loaded from $T/oot/sign_sgd.so"
run 0 eval "$dir"
run 0 compare "$dir" -o "$T/cmp"
has err "optimizer plugin 'sign_sgd' loaded from $T/oot/sign_sgd.so"
rm "$dir/checkpoints/step_00000004.ckpt"
run 0 train --resume "$dir" train.steps=6 train.log_every=3
grep -qF '"changes": ["train.steps: 4 -> 6", "train.log_every: 2 -> 3"]' "$j" ||
    fail "run.json: the resume's changes: $(grep changes "$j")"
grep -qF '"step": 2' "$j" || fail "run.json: the resume's step"
grep -qF '"total_steps": 6' "$j" || fail "run.json: the resume's total_steps not 6"
grep -qF '"command": ["'"$S"'/configs' "$j" && fail "run.json: the first command was replaced"
grep -qF "train.steps=4" "$j" || fail "run.json: the first start's overrides are gone"

# A changed file is refused by its hash, a missing one by name; --plugin-path still works.
cp "$T/oot/sign_sgd.so" "$T/keep.so"
printf 'x' >>"$T/oot/sign_sgd.so"
run 2 sample "$dir" -n 4 -o "$T/s.csv"
has err "$T/oot/sign_sgd.so: SHA-256"
has err "differs from the $sum recorded in $j"
run 2 eval "$dir"
rm "$T/oot/sign_sgd.so"
run 2 sample "$dir" -n 4 -o "$T/s.csv"
has err "the optimizer plugin 'sign_sgd' is not on the plugin search path and its recorded file is gone"
mkdir "$T/moved" && cp "$T/keep.so" "$T/moved/sign_sgd.so"
run 0 --plugin-path "$T/moved" sample "$dir" -n 4 -o "$T/s.csv"

# A damaged run.json is named with its line and column.
printf '{"plugins": [\n  {"kind": }' >"$j"
run 2 sample "$dir" -n 4 -o "$T/s.csv"
has err "$j:2:12: not a JSON value"
[ "$fails" -eq 0 ]

#!/bin/sh
# shellcheck disable=SC2086 # the override lists are meant to split into words
# train.sh - `ganlab train` and `ganlab sample` end to end through the command line: every shipped
# config loads, validates and trains a few steps on tiny data (the Fashion-MNIST ones on IDX files
# that tests/data/make_idx writes); the run directory; resume and its refusals; sample's three
# formats; SIGTERM (checkpoint, exit 143, resumable). Needs GL_BUILDDIR and GL_SRCDIR (make check).
. "${GL_SRCDIR:?run through make check}/tests/e2e/lib.sh"
has() { grep -qF -- "$2" "$T/$1" || { fail "no '$2' in std$1:"; tail -5 "$T/$1"; }; }
exists() { [ -e "$1" ] || fail "$1 missing"; }

mkdir -p "$T/data" && "$B/tests/data/make_idx" "$T/data" 96 32 || exit 99
# Small enough to run in a second or two each; every config keeps its plugins and schedule.
tiny_img="dataset.path=$T/data train.epochs=0 train.steps=3 train.batch_size=8 train.log_every=1 eval.samples=64
 train.sample_every=3 train.checkpoint_every=3 experiment.out_dir=$T/runs experiment.threads=1"
tiny_toy="dataset.size=256 train.steps=3 train.batch_size=16 train.log_every=1 train.sample_every=3
 train.checkpoint_every=3 experiment.out_dir=$T/runs experiment.threads=1"
for cfg in "$S"/configs/fashion_mnist/*.yaml "$S"/configs/toy/*.yaml "$S"/configs/stacked/*.yaml; do
    case $cfg in */toy/*) ov=$tiny_toy ;; */stacked/*) ov="$tiny_img dataset.items=64 train.eval_every=0" ;; *) ov=$tiny_img ;; esac
    run 0 config "$cfg" $ov
    run 0 train "$cfg" $ov
    dir=$(tail -n 1 "$T/out")
    for f in config.yaml metrics.csv timing.csv log.txt samples/step_00000003.png \
             checkpoints/step_00000003.ckpt; do exists "$dir/$f"; done
    [ "$(wc -l < "$dir/metrics.csv")" -eq 4 ] || fail "$dir/metrics.csv: expected a header and 3 rows"
done

# The stacked configs' evaluator (eval off above: 26,000 samples is no smoke test) on 64 samples:
# the stacked columns in eval.csv, and the classifier's one grey channel input.
printf 'base: %s\neval:\n  evaluators:\n    - {plugin: classifier, epochs: 1, reference: 32, stacked_samples: 64}\n' \
    "$S/configs/stacked/dcgan.yaml" > "$T/stacked_eval.yaml"
run 0 train "$T/stacked_eval.yaml" $tiny_img dataset.items=64 train.eval_every=3
has err "a grey 10-class classifier per channel"
head -n 1 "$(tail -n 1 "$T/out")/eval.csv" | grep -q "classifier.stacked_modes,classifier.stacked_kl" ||
    fail "stacked eval.csv lacks stacked_modes, stacked_kl"

# The tutorial's config is the tutorial's networks: 1,486,352 + 533,505 parameters.
run 0 plugins mlp
run 0 config "$S/configs/fashion_mnist/gan.yaml"
has out "g_hidden: [256, 512, 1024]"
has out "d_hidden: [512, 256]"
has out "latent_dim: 100"

# An epoch of 40 items in batches of 16: 3 batches, or 2 with drop_last; epochs=2 is 6 or 4 steps.
ep="dataset.size=40 train.batch_size=16 train.steps=0 train.epochs=2 train.log_every=1
 experiment.out_dir=$T/runs experiment.threads=1"
run 0 train "$S/configs/toy/ring_gan.yaml" $ep
[ "$(wc -l < "$(tail -n 1 "$T/out")/metrics.csv")" -eq 7 ] || fail "epochs=2 without drop_last: not 6 steps"
run 0 train "$S/configs/toy/ring_gan.yaml" $ep train.drop_last=true
[ "$(wc -l < "$(tail -n 1 "$T/out")/metrics.csv")" -eq 5 ] || fail "epochs=2 with drop_last: not 4 steps"
run 2 train "$S/configs/toy/ring_gan.yaml" $ep train.drop_last=true dataset.size=8
has err "fewer than train.batch_size"

# Resume: 3 more steps, then refusals.
run 0 train "$S/configs/toy/ring_gan.yaml" $tiny_toy experiment.name=res
dir=$(tail -n 1 "$T/out")
run 0 train --resume "$dir" train.steps=6
[ "$(tail -n 1 "$T/out")" = "$dir" ] || fail "resume printed another directory"
exists "$dir/checkpoints/step_00000006.ckpt"
run 2 train --resume "$dir" train.steps=9 train.batch_size=32
has err "train.batch_size: 16 -> 32"
run 0 train --resume "$dir" --force train.steps=9 train.batch_size=32
grep -qF "resume at step 6 (--force): train.batch_size: 16 -> 32" "$dir/log.txt" ||
    fail "--force change not in log.txt"
grep -qF "batch_size: 32" "$dir/config.yaml" || fail "--force: config.yaml not the current config"
# Harmless changes need no --force and are recorded; a budget at the checkpoint's step exits 2.
run 0 train --resume "$dir" train.steps=10 train.log_every=2
grep -qF "resume at step 9: train.log_every: 1 -> 2" "$dir/log.txt" ||
    fail "log_every change not in log.txt: $(tail -n 3 "$dir/log.txt")"
run 2 train --resume "$dir" train.steps=10
has err "at or below the checkpoint's step 10"
run 2 train --resume "$T/nowhere"

# Sample: CSV, PNG, and IDX refused for 2-D data; labels for a conditional model.
run 0 sample "$dir" -n 10 -o "$T/s.csv"
[ "$(head -n 1 "$T/s.csv")" = "x,y" ] || fail "sample CSV header: $(head -n 1 "$T/s.csv")"
[ "$(wc -l < "$T/s.csv")" -eq 11 ] || fail "sample CSV: expected 10 rows"
run 0 sample "$dir" -n 10 -o "$T/s2.csv"
cmp -s "$T/s.csv" "$T/s2.csv" || fail "sample is not deterministic"
run 0 sample "$dir" -o "$T/s.png"
exists "$T/s.png"
run 2 sample "$dir" -o "$T/s.idx"
has err ".idx output needs image data"
run 2 sample "$dir" -o "$T/s.txt"
run 2 sample "$dir" --label 1 -o "$T/s.csv"
has err "the model is not conditional"

run 0 train "$S/configs/fashion_mnist/cgan.yaml" $tiny_img experiment.name=cg
cg=$(tail -n 1 "$T/out")
# Its sample grid carries the class of each row left of it: RGB, wider than the 8 columns of
# 28 + 2 pixels and the border (242), as tall as 10 rows (302).
set -- $(od -An -tu1 -j16 -N10 "$cg/samples/step_00000003.png")
[ $(($1 * 16777216 + $2 * 65536 + $3 * 256 + $4)) -gt 242 ] || fail "conditional grid: no label margin"
[ $(($7 * 256 + $8)) -eq 302 ] && [ "${10}" -eq 2 ] || fail "conditional grid: not 302 rows of RGB"
run 0 sample "$cg" -n 12 --label 3 -o "$T/c.csv"
[ "$(cut -d, -f785 "$T/c.csv" | sort -u | tr '\n' ' ')" = "3 label " ] ||
    fail "conditional sample labels: $(cut -d, -f785 "$T/c.csv" | sort -u | tr '\n' ' ')"
run 0 sample "$cg" -n 20 -o "$T/c.idx"
exists "$T/c-labels.idx"
[ "$(wc -c < "$T/c.idx")" -eq $((16 + 20 * 784)) ] || fail "c.idx size $(wc -c < "$T/c.idx")"
[ "$(wc -c < "$T/c-labels.idx")" -eq $((8 + 20)) ] || fail "c-labels.idx size"

# Determinism through the CLI: the same config twice gives the same checkpoint and metrics.
run 0 train "$S/configs/toy/grid_wgan_gp.yaml" $tiny_toy experiment.name=det
d1=$(tail -n 1 "$T/out")
run 0 train "$S/configs/toy/grid_wgan_gp.yaml" $tiny_toy experiment.name=det
d2=$(tail -n 1 "$T/out")
[ "$d2" = "$d1-2" ] || fail "second run directory $d2"
cmp -s "$d1/checkpoints/step_00000003.ckpt" "$d2/checkpoints/step_00000003.ckpt" || fail "ckpt differs"
cmp -s "$d1/metrics.csv" "$d2/metrics.csv" || fail "metrics.csv differs"

# A gradient penalty with batch norm in the critic is refused, naming both plugins.
run 2 train "$S/configs/fashion_mnist/dcgan_wgan_gp.yaml" $tiny_img model.norm=batch
has err "loss 'wgan_gp'"
has err "model 'dcgan'"

# stop_run SIG NAME SECONDS: an endless run NAME gets SIG after SECONDS; its exit code in rc.
stop_run() {
    "$G" train "$S/configs/toy/ring_gan.yaml" $tiny_toy train.steps=1000000 \
        train.checkpoint_every=0 experiment.name="$2" >"$T/out" 2>"$T/err" &
    pid=$!
    sleep "$3"
    kill -"$1" "$pid"
    wait "$pid"
    rc=$?
}

# SIGTERM: the step finishes, a checkpoint is written, exit 143; the run resumes.
stop_run TERM sig 2
[ "$rc" -eq 143 ] || fail "SIGTERM gave exit $rc, expected 143"
sig=$(tail -n 1 "$T/out")
ls "$sig"/checkpoints/step_*.ckpt >/dev/null 2>&1 || fail "no checkpoint after SIGTERM"
has err "stopped by signal 15"

# SIGUSR1 (a scheduler's warning before a time limit): the same checkpoint, exit 75 (requeue me);
# resumed to a budget, the run ends bit for bit as a run of that budget that was never stopped.
stop_run USR1 usr1 1
[ "$rc" -eq 75 ] || fail "SIGUSR1 gave exit $rc, expected 75"
has err "exit 75: requeue to continue"
u=$(tail -n 1 "$T/out")
ck=$(ls "$u"/checkpoints/step_*.ckpt 2>/dev/null | tail -n 1)
k=$(basename "$ck" .ckpt | sed 's/^step_0*//')
[ -n "$k" ] || fail "no checkpoint after SIGUSR1"
end=$((k + 2))
last=$(printf 'step_%08d.ckpt' "$end")
run 0 train --resume "$u" train.steps=$end
run 0 train "$S/configs/toy/ring_gan.yaml" $tiny_toy train.steps=$end train.checkpoint_every=0 \
    experiment.name=usr1-ref
cmp -s "$u/checkpoints/$last" "$(tail -n 1 "$T/out")/checkpoints/$last" ||
    fail "the run stopped by SIGUSR1 and resumed differs from one never stopped"

# bf16, where the CPU and the build have it: the products read each net's bf16 copy of its values,
# made again whenever the values change. A bf16 run resumed from its step-2 checkpoint (a fresh copy
# from the loaded values) ends bit for bit as the run never stopped (whose copies followed every
# update); an fp32 checkpoint resumes in bf16.
if "$G" config "$S/configs/toy/ring_gan.yaml" engine.precision=bf16 >/dev/null 2>&1; then
    bf="$tiny_toy train.steps=4 train.checkpoint_every=2 engine.precision=bf16"
    run 0 train "$S/configs/toy/ring_gan.yaml" $bf experiment.name=bf16
    b16=$(tail -n 1 "$T/out")
    cp "$b16/checkpoints/step_00000004.ckpt" "$T/bf16_4.ckpt"
    rm "$b16/checkpoints/step_00000004.ckpt"
    run 0 train --resume "$b16"
    cmp -s "$b16/checkpoints/step_00000004.ckpt" "$T/bf16_4.ckpt" ||
        fail "a bf16 run resumed at step 2 differs from the run never stopped"
    run 0 train "$S/configs/toy/ring_gan.yaml" $tiny_toy train.steps=2 experiment.name=fp32
    f32=$(tail -n 1 "$T/out")
    run 0 train --resume "$f32" train.steps=4 engine.precision=bf16
    grep -qF "engine.precision bf16" "$f32/log.txt" || fail "the fp32 run did not resume in bf16"
fi

[ "$fails" -eq 0 ] && echo "train.sh: all passed"
[ "$fails" -eq 0 ]

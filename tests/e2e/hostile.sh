#!/bin/sh
# hostile.sh - hostile and corrupt inputs end to end (issue 12): each gets exit 2 (1 for a run that
# fails) and a message naming the file and the fault, quickly, with no crash, hang or lost result.
# Needs GL_BUILDDIR and GL_SRCDIR (make check).
. "${GL_SRCDIR:?run through make check}/tests/e2e/lib.sh"
has() { grep -qF -- "$2" "$T/$1" || { fail "no '$2' in std$1:"; tail -5 "$T/$1"; }; }
# Runs ganlab under a 10 s limit (TLIMIT=S for the few heavy runs): a hang is a failure, not a
# stuck make check.
trun() {
    want=$1; shift
    timeout -s KILL "${TLIMIT:-10}" "$G" "$@" >"$T/out" 2>"$T/err"
    rc=$?
    [ "$rc" -eq "$want" ] || { fail "ganlab $* exited $rc, expected $want:"; tail -5 "$T/err"; }
}
toy="$S/configs/toy/ring_gan.yaml"
tiny="dataset.size=64 train.steps=3 train.batch_size=16 train.log_every=1 train.sample_every=0
 train.checkpoint_every=1 train.keep_checkpoints=3 experiment.out_dir=$T/runs experiment.threads=1"

# FIFOs as the config, as a base and as a checkpoint: refused at once, never a blocked open()
# (in run and suite directories: below, with compare).
mkfifo "$T/fifo.yaml" || exit 99
trun 2 config "$T/fifo.yaml"
has err "not a regular file"
printf 'base: fifo.yaml\n' > "$T/with_base.yaml"
trun 2 config "$T/with_base.yaml"
has err "not a regular file"

# Run names that are not one directory inside out_dir; an epoch count whose steps overflow.
for bad in '""' .. ../escape a/b -x; do
    trun 2 config "$toy" "experiment.name=$bad"
    has err "experiment.name"
done
[ -e "$T/escape" ] && fail "experiment.name=../escape wrote outside out_dir"
printf 'base: %s\n' "$toy" > "$T/.yaml"
trun 2 config "$T/.yaml"
has err "experiment.name '.yaml' starts with"
# shellcheck disable=SC2086
trun 2 train "$toy" $tiny train.batch_size=1 train.steps=0 train.epochs=1418980313362273202
has err "train.epochs: 1418980313362273202 epochs of 64 batches is more than"

# A checkpoint whose CRC is right but whose fields are out of range: named, refused, and the valid
# older checkpoints are listed; --checkpoint STEP resumes from one of them.
# shellcheck disable=SC2086
trun 0 train "$toy" $tiny experiment.name=ck
dir=$(tail -n 1 "$T/out")
ck="$dir/checkpoints/step_00000003.ckpt"
cp "$ck" "$T/good.ckpt"
# STAT's payload starts at byte 28: step 0, d_updates 8, epoch 16, pos 24, rng[0].used 88.
"$B/tests/data/ckpt_patch" "$ck" 52 -1 || exit 99
trun 2 train --resume "$dir" train.steps=4
has err "step_00000003.ckpt: field pos: -1 is not in [0, 64]"
has err "valid older checkpoints: step_00000002.ckpt, step_00000001.ckpt"
has err "--checkpoint STEP"
cp "$T/good.ckpt" "$ck" && "$B/tests/data/ckpt_patch" "$ck" 116 9 || exit 99
trun 2 train --resume "$dir" train.steps=4
has err "field rng.noise: used 9 is above 4"
cp "$T/good.ckpt" "$ck" && "$B/tests/data/ckpt_patch" "$ck" 44 99 || exit 99
trun 2 train --resume "$dir" train.steps=4
has err "field epoch: 99"
trun 2 sample "$dir" -n 4 -o "$T/s.csv"
has err "field epoch"
trun 0 train --resume "$dir" --checkpoint 2 train.steps=4
[ -e "$dir/checkpoints/step_00000004.ckpt" ] || fail "--checkpoint 2 did not resume to step 4"
trun 2 train --resume "$dir" --checkpoint "$T/nowhere.ckpt" train.steps=5
has err "nowhere.ckpt: cannot open the checkpoint"
trun 2 train --resume "$dir" --checkpoint "$T/fifo.yaml" train.steps=5
has err "fifo.yaml: not a regular file"
trun 2 train "$toy" --checkpoint 2
has err "--checkpoint needs --resume"

# One writer per run directory: a second --resume while one trains gets exit 2 naming host:PID, and
# metrics.csv keeps one row per step in order; readers do not wait. A lock whose holder died (the
# kernel drops a flock with its process) does not block, and the dead writer's temporary files of
# this host are removed at the next start, another host's are kept.
# shellcheck disable=SC2086
trun 0 train "$toy" $tiny experiment.name=lk
dir=$(tail -n 1 "$T/out")
cp "$dir/checkpoints/step_00000003.ckpt" "$T/lk3.ckpt"
"$G" train --resume "$dir" train.steps=100000 >/dev/null 2>"$T/w1" &
w1=$!
i=0
while ! grep -q "resuming $dir" "$T/w1" && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
trun 2 train --resume "$dir" train.steps=100001
has err "$dir: the run is being trained by $(hostname):$w1 (run.lock)"
trun 0 sample "$dir" -n 4 -o "$T/s.csv"
kill -KILL "$w1"
wait "$w1" 2>/dev/null
host=$(hostname)
: > "$dir/checkpoints/step_00000009.ckpt.tmp.$host.$w1.0"
: > "$dir/samples/step_00000009.png.tmp.$host.$w1.3"
: > "$dir/metrics.csv.tmp.other-host.$w1.0"
: > "$dir/checkpoints/step_00000009.ckpt.tmp.$host.$$.1"
trun 0 train --resume "$dir" --checkpoint "$T/lk3.ckpt" train.steps=5
[ -e "$dir/checkpoints/step_00000009.ckpt.tmp.$host.$w1.0" ] && fail "a dead writer's checkpoint temporary file was kept"
[ -e "$dir/samples/step_00000009.png.tmp.$host.$w1.3" ] && fail "a dead writer's sample temporary file was kept"
[ -e "$dir/metrics.csv.tmp.other-host.$w1.0" ] || fail "another host's temporary file was removed"
[ -e "$dir/checkpoints/step_00000009.ckpt.tmp.$host.$$.1" ] || fail "a live process's temporary file was removed"
steps=$(cut -d, -f1 "$dir/metrics.csv" | tail -n +2 | tr '\n' ' ')
[ "$steps" = "1 2 3 4 5 " ] || fail "metrics.csv steps after a killed writer and a resume: $steps"

# The checkpoint of a step is written before its samples: a sample that cannot be written fails
# the run (exit 1) but loses no checkpoint, also at a step where none was due.
# shellcheck disable=SC2086
trun 0 train "$toy" $tiny experiment.name=sf train.steps=2
sf=$(tail -n 1 "$T/out")
rm -rf "$sf/samples" && : > "$sf/samples"
trun 1 train --resume "$sf" train.steps=3
has err "samples/step_00000003.png"
[ -e "$sf/checkpoints/step_00000003.ckpt" ] || fail "a failed sample lost the checkpoint of its step"
trun 1 train --resume "$sf" --force train.steps=6 train.checkpoint_every=5 train.sample_every=4
[ -e "$sf/checkpoints/step_00000004.ckpt" ] || fail "a failed sample at a step without a checkpoint lost the step"

# compare refuses a metrics.csv whose steps do not increase (what two writers at once left).
sed -n 4p "$dir/metrics.csv" > "$T/row" && cat "$T/row" >> "$dir/metrics.csv"
trun 2 compare "$dir" -o "$T/report"
has err "metrics.csv:7: step 3 after step 5: the steps must increase"
# FIFOs in a run directory (a CSV, the newest sample) and in a suite's logs/: refused or passed
# over at once, never a blocked open().
# shellcheck disable=SC2086
trun 0 train "$toy" $tiny experiment.name=ff train.sample_every=3
ff=$(tail -n 1 "$T/out")
for f in metrics.csv eval.csv timing.csv; do
    cp -r "$ff" "$T/ff_$f" && rm "$T/ff_$f/$f" && mkfifo "$T/ff_$f/$f" || exit 99
    trun 2 compare "$T/ff_$f" -o "$T/report_ff"
    has err "ff_$f/$f: cannot open: not a regular file"
done
mkfifo "$ff/samples/step_00000009.png" || exit 99
trun 2 compare "$ff" -o "$T/report_ff"
has err "samples/step_00000009.png: cannot open: not a regular file"
trun 0 suite --config "$toy" --seeds 1 -o "$T/fsuite" train.steps=2 dataset.size=64 \
    train.batch_size=16 train.sample_every=0
rm "$T/fsuite/logs/ring_gan-s1.status" && mkfifo "$T/fsuite/logs/ring_gan-s1.status" \
    "$T/fsuite/logs/ring_gan-s1.pid" || exit 99
trun 0 suite --config "$toy" --seeds 1 -o "$T/fsuite" train.steps=2 dataset.size=64 \
    train.batch_size=16 train.sample_every=0 --status
has out "ring_gan-s1 done 2/2"
# ... as metrics.csv or timing.csv of a run resumed (a blocked open there ignored SIGTERM too), and
# as a *.so of a plugin directory (every command scans it).
for f in metrics.csv timing.csv; do
    cp -r "$ff" "$T/ffr_$f" && rm "$T/ffr_$f/$f" && mkfifo "$T/ffr_$f/$f" || exit 99
    trun 2 train --resume "$T/ffr_$f" train.steps=4
    has err "ffr_$f/$f: cannot open: not a regular file"
done
mkdir -p "$T/fifo_plugins" && mkfifo "$T/fifo_plugins/x.so" || exit 99
trun 0 --plugin-path "$T/fifo_plugins" plugins adam

# A plugin that fails is named with its function; when it gave no message the core says so. A batch
# of one item under batch norm names the step, the net and the fix.
trun 2 --plugin-path "$B/tests/plugins/.libs" train "$toy" 'model={plugin: stub_model}' \
    experiment.out_dir="$T/runs"
has err "model plugin 'stub_model': create failed; the plugin gave no message"
# A model that declares itself conditional on data without labels (loose PNGs: unlabelled) is
# refused by the core, whatever the plugin does.
mkdir -p "$T/flat" && "$B/tests/data/make_png" "$T/flat/1.png" 4 4 &&
    "$B/tests/data/make_png" "$T/flat/2.png" 4 4 || exit 99
trun 2 --plugin-path "$B/tests/plugins/.libs" train "$toy" 'model={plugin: stub_model, width: 999}' \
    dataset.plugin=image_folder dataset.path="$T/flat" eval.evaluators=[] experiment.out_dir="$T/runs"
has err "model 'stub_model' is conditional (G and D take labels), but dataset 'image_folder' has no labels"
# A FIFO named like a PNG in the folder is named, not read (libpng's open blocked for good).
mkfifo "$T/flat/3.png" || exit 99
trun 2 train "$toy" dataset.plugin=image_folder dataset.path="$T/flat" eval.evaluators=[] \
    experiment.out_dir="$T/runs"
has err "dataset 'image_folder': $T/flat/3.png: not a regular file"
rm "$T/flat/3.png"
trun 1 train "$toy" dataset.size=17 train.batch_size=16 train.steps=4 model.d_norm=batch \
    experiment.out_dir="$T/runs" experiment.threads=1
has err "step 2, D update: d_loss failed (loss 'bce', model 'mlp', a batch of 1)"
[ "$(grep -c "d_loss failed" "$T/err")" -eq 1 ] || fail "the step's failure was printed more than once"
grep -q "error: .*d_loss failed" "$(tail -n 1 "$T/out")/log.txt" || fail "log.txt lacks the failure"
has err "set train.drop_last=true"

# Image folders: a class folder linked to . or .. is refused, an empty one warned about; an image
# as wide as the data set allows still gives sample grids and exports (limits agree), and the
# checkpoint of the step is written.
mkdir -p "$T/img/a" "$T/img/b" && "$B/tests/data/make_png" "$T/img/a/1.png" 8192 2 &&
    "$B/tests/data/make_png" "$T/img/a/2.png" 8192 2 || exit 99
imgrun="dataset.plugin=image_folder dataset.path=$T/img train.steps=2 train.batch_size=2 eval.evaluators=[]
 train.sample_every=2 experiment.out_dir=$T/runs experiment.threads=1 model.g_hidden=[4] model.d_hidden=[4]"
ln -s .. "$T/img/c"
# shellcheck disable=SC2086
trun 2 train "$toy" $imgrun
has err "$T/img/c: a class folder that is above it"
has err "dataset plugin 'image_folder': open failed"
rm "$T/img/c" && ln -s . "$T/img/c"
# shellcheck disable=SC2086
trun 2 train "$toy" $imgrun
has err "$T/img/c: a class folder that is the data set folder itself"
rm "$T/img/c"
# shellcheck disable=SC2086
trun 0 train "$toy" $imgrun
has err "[image_folder] warning: $T/img/b: empty class folder"
dir=$(tail -n 1 "$T/out")
[ -e "$dir/samples/step_00000002.png" ] || fail "no sample grid of 8192-pixel-wide images"
[ -e "$dir/checkpoints/step_00000002.ckpt" ] || fail "no checkpoint of a run on 8192-pixel-wide images"
trun 0 sample "$dir" -n 16 -o "$T/wide.png"
# Images 16384 tall: 3 rows fit a grid, so the run's grid shows 24, sample lays 16 out in 3 rows
# (not 4 x 4) and refuses more than fit (before generating any).
mkdir -p "$T/tall/a" && "$B/tests/data/make_png" "$T/tall/a/1.png" 2 16384 &&
    "$B/tests/data/make_png" "$T/tall/a/2.png" 2 16384 || exit 99
# shellcheck disable=SC2086
TLIMIT=60 trun 0 train "$toy" $imgrun dataset.path="$T/tall"
dir=$(tail -n 1 "$T/out")
[ -e "$dir/samples/step_00000002.png" ] || fail "no sample grid of 16384-pixel-tall images"
TLIMIT=60 trun 0 sample "$dir" -n 16 -o "$T/tall16.png"
trun 2 sample "$dir" -n 50000 -o "$T/tall.png"
has err "tall.png: 50000 images of 2 x 16384 pixels do not fit one PNG grid (at most 65535 x 65535 pixels): ask for at most 49149 with -n"

# A suite killed by SIGKILL or SIGHUP leaves no run training: each child gets SIGTERM when the
# suite dies and stops at a checkpoint.
printf 'name: long\nseeds: [1]\noverrides: [train.steps=1000000, dataset.size=64]\nruns:\n  - config: %s\n' \
    "$toy" > "$T/long.yaml"
# SIGHUP's default action is restored for the suite: a test run under nohup would otherwise pass
# it on ignored, and the suite would rightly outlive the signal.
for sig in KILL HUP; do
    env --default-signal=HUP "$G" suite "$T/long.yaml" -j 1 -o "$T/suite_$sig" >/dev/null 2>&1 &
    su=$!
    # The child is looked for once it trains (before, the libtool wrapper's subshells are children).
    i=0
    while ! ls "$T/suite_$sig"/runs/*/metrics.csv >/dev/null 2>&1 && [ $i -lt 200 ]; do sleep 0.1; i=$((i + 1)); done
    child=$(ps -o pid= --ppid "$su" | tr -d ' ')
    [ -n "$child" ] || { fail "suite started no child"; continue; }
    kill -"$sig" "$su"
    wait "$su" 2>/dev/null
    i=0
    while kill -0 "$child" 2>/dev/null && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
    if kill -0 "$child" 2>/dev/null; then
        fail "the run $child outlived its suite killed by SIG$sig"
        kill -KILL "$child"
    fi
    ls "$T/suite_$sig"/runs/*/checkpoints/step_*.ckpt >/dev/null 2>&1 ||
        fail "the run of a suite killed by SIG$sig left no checkpoint"
done

# ganlab eval: SIGINT while its classifier trains stops it within a second or two (exit 130, the
# evaluator polls gl_eval_env.stop); meanwhile a second eval of the run is refused naming the
# holder of eval.lock, and a reader (sample) does not wait.
mkdir -p "$T/data" && "$B/tests/data/make_idx" "$T/data" 400 100 || exit 99
trun 0 train "$S/configs/fashion_mnist/gan.yaml" dataset.path="$T/data" train.epochs=0 train.steps=2 \
    train.batch_size=16 train.sample_every=0 train.eval_every=0 experiment.out_dir="$T/runs" \
    experiment.threads=1 'eval.evaluators=[{plugin: classifier, epochs: 1000, cache: false}]'
cls=$(tail -n 1 "$T/out")
"$G" eval "$cls" >/dev/null 2>"$T/e1" &
e1=$!
i=0
while ! grep -q "training on" "$T/e1" && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
trun 2 eval "$cls"
has err "$cls: the run is being evaluated by $(hostname):$e1 (eval.lock)"
trun 0 sample "$cls" -n 4 -o "$T/cls.csv"
t0=$(date +%s%N)
kill -INT "$e1"
wait "$e1"
rc=$?
ms=$((($(date +%s%N) - t0) / 1000000))
[ "$rc" -eq 130 ] || fail "eval stopped by SIGINT exited $rc, expected 130: $(tail -n 3 "$T/e1")"
[ "$ms" -lt 3000 ] || fail "eval took $ms ms to stop after SIGINT"

# Corrupt files of the other kinds: each exit 2 naming the file.
cp -r "$T/data" "$T/bad_idx" && head -c 2000 "$T/data/train-images-idx3-ubyte.gz" > "$T/bad_idx/train-images-idx3-ubyte.gz"
trun 2 train "$S/configs/fashion_mnist/gan.yaml" dataset.path="$T/bad_idx" experiment.out_dir="$T/runs"
has err "bad_idx/train-images-idx3-ubyte.gz"
mkdir -p "$T/bad_png/a" && head -c 60 "$T/img/a/1.png" > "$T/bad_png/a/1.png"
# shellcheck disable=SC2086
trun 2 train "$toy" $imgrun dataset.path="$T/bad_png"
has err "bad_png/a/1.png"
printf 'name: x\nruns: [{config: nowhere.yaml}]\nseeds: [1, one]\n' > "$T/bad_suite.yaml"
trun 2 suite "$T/bad_suite.yaml" --dry-run
has err "bad_suite.yaml"
# The models' init options out of their schema: the file, its line and the key are named.
for model in mlp dcgan; do
    for bad in 'init: xavier' 'init: normal\n  init_std: 0' 'init_std: -0.02' 'init_std: .inf'; do
        printf 'base: %s\nmodel:\n  plugin: %s\n  %b\n' "$toy" "$model" "$bad" >"$T/bad_init.yaml"
        trun 2 config "$T/bad_init.yaml"
        has err "bad_init.yaml:"
        has err "'init"
        has err "model '$model'"
    done
done
head -c 512 /dev/urandom > "$T/garbage.yaml"
trun 2 config "$T/garbage.yaml"
has err "garbage.yaml"
mkdir -p "$T/not_a_run"
trun 2 train --resume "$T/not_a_run"
has err "not_a_run"
trun 2 sample "$T/not_a_run" -o "$T/x.csv"
has err "not_a_run"

# plugin-check FILE.so loads that file only: a neighbour's constructor never runs.
mkdir -p "$T/pl" && cp "$B/tests/plugins/.libs/tiny.so" "$B/tests/plugins/ctor/.libs/ctor_marker.so" "$T/pl/" || exit 99
GL_TEST_CTOR_MARK="$T/mark" timeout -s KILL 10 "$G" plugin-check "$T/pl/tiny.so" --set seed=1 >/dev/null 2>&1
[ -e "$T/mark" ] && fail "plugin-check FILE.so ran a neighbouring file's constructor"
GL_TEST_CTOR_MARK="$T/mark" timeout -s KILL 10 "$G" plugin-check "$T/pl/ctor_marker.so" >/dev/null 2>"$T/err"
[ -e "$T/mark" ] || fail "plugin-check ctor_marker.so did not load the file it was given"
has err "ctor_marker.so"

exit $((fails > 0))

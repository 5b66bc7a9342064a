#!/bin/sh
# eval.sh - evaluation end to end through the command line: eval.csv during training (columns,
# cadence, "0 = never"), a run with evaluation writing the same checkpoints as one without,
# `ganlab eval` (eval.json, its table, determinism, overrides limited to the eval section, refusals),
# and the classifier on the small IDX set of tests/data/make_idx with its cache in a temporary
# XDG_CACHE_HOME. Needs GL_BUILDDIR and GL_SRCDIR (make check).
. "${GL_SRCDIR:?run through make check}/tests/e2e/lib.sh"
has() { grep -qF -- "$2" "$T/$1" || { fail "no '$2' in $1:"; tail -5 "$T/$1"; }; }
same() { cmp -s "$1" "$2" || fail "$1 and $2 differ"; }

toy="$S/configs/toy/ring_gan.yaml"
common="dataset.size=512 train.steps=6 train.batch_size=32 train.log_every=2 train.sample_every=0
 train.checkpoint_every=3 experiment.out_dir=$T/runs experiment.threads=1"
modes='eval.evaluators=[{plugin: modes2d, samples: 500}]'

# eval_every 4 over 6 steps: rows at 4 and at the last step, 6.
run 0 train "$toy" $common "$modes" train.eval_every=4 experiment.name=with
with=$(tail -n 1 "$T/out")
printf 'step,modes2d.modes,modes2d.hq_pct,modes2d.kl\n' > "$T/head"
head -n 1 "$with/eval.csv" | cmp -s - "$T/head" || fail "eval.csv header: $(head -n 1 "$with/eval.csv")"
[ "$(cut -d, -f1 "$with/eval.csv" | tr '\n' ' ')" = "step 4 6 " ] || fail "eval.csv steps"
has err "[eval] step 6: modes2d.modes"
# The same run without evaluators, and with eval_every 0 (never): the same checkpoints, no eval.csv.
run 0 train "$toy" $common 'eval.evaluators=[]' experiment.name=without
without=$(tail -n 1 "$T/out")
run 0 train "$toy" $common "$modes" train.eval_every=0 experiment.name=never
never=$(tail -n 1 "$T/out")
for c in step_00000003.ckpt step_00000006.ckpt; do
    same "$with/checkpoints/$c" "$without/checkpoints/$c"
    same "$with/checkpoints/$c" "$never/checkpoints/$c"
done
same "$with/metrics.csv" "$without/metrics.csv"
[ -e "$never/eval.csv" ] && fail "eval_every 0 wrote eval.csv"

# A resumed run cuts eval.csv back to its checkpoint and continues it to the same bytes.
cp "$with/eval.csv" "$T/eval_full.csv"
rm "$with/checkpoints/step_00000006.ckpt"
run 0 train --resume "$with"
same "$with/eval.csv" "$T/eval_full.csv"

# ganlab eval: eval.json and the table; the newest checkpoint by default, or --checkpoint.
run 0 eval "$with"
has out "modes2d        modes"
has out "modes2d protocol: n=500 n_modes=8"
json="$with/eval.json"
grep -q '"step": 6,' "$json" || fail "eval.json step: $(cat "$json")"
grep -q '"modes2d": {"modes": [0-9]*, "hq_pct": [0-9.e+-]*, "kl": [0-9.e+-]*}' "$json" ||
    fail "eval.json metrics: $(cat "$json")"
grep -q '"modes2d": {"n": 500, "n_modes": 8, "threshold_std": 3' "$json" ||
    fail "eval.json protocol: $(cat "$json")"
python3 -c "import json,sys; json.load(open(sys.argv[1]))" "$json" 2>/dev/null ||
    { command -v python3 >/dev/null && fail "eval.json is not JSON"; }
# The last eval.csv row measured the same checkpoint with the same protocol: the same numbers.
tail -n 1 "$with/eval.csv" > "$T/row"
kl=$(sed -n 's/.*"kl": \([0-9.e+-]*\)}.*/\1/p' "$json" | head -n 1)
grep -q ",$kl\$" "$T/row" || fail "eval.json kl $kl differs from eval.csv's last row $(cat "$T/row")"
cp "$json" "$T/first.json"
run 0 eval "$with"
same "$json" "$T/first.json"
run 0 eval "$with" --checkpoint "$with/checkpoints/step_00000003.ckpt"
grep -q '"step": 3,' "$json" || fail "--checkpoint: $(head -n 2 "$json")"
run 0 eval "$with" 'eval.evaluators=[{plugin: modes2d, samples: 100, threshold: 1000}]'
grep -q '"hq_pct": 100,' "$json" || fail "override of the evaluator's parameters: $(cat "$json")"
run 2 eval "$with" train.steps=9
has err "eval may change only the eval section"
run 2 eval "$without"
has err "no evaluators in eval.evaluators"
run 2 eval "$with" 'eval.evaluators=[{plugin: classifier}]'
has err "evaluator 'classifier' needs labelled images"
run 2 eval "$with" 'eval.evaluators=[{plugin: modes2d, sampels: 5}]'
has err "override 'eval.evaluators=[{plugin: modes2d, sampels: 5}]': unknown key 'sampels' in evaluator 'modes2d' (did you mean 'samples'?)"

# The classifier on small IDX data: trained once, cached, then reused.
mkdir -p "$T/data" && "$B/tests/data/make_idx" "$T/data" 400 100 || exit 99
img="$S/configs/fashion_mnist/gan.yaml"
run 0 train "$img" dataset.path="$T/data" train.epochs=0 train.steps=2 train.batch_size=16 \
    train.log_every=1 train.sample_every=0 train.checkpoint_every=2 train.eval_every=0 \
    experiment.out_dir="$T/runs" experiment.threads=1 \
    'eval.evaluators=[{plugin: classifier, epochs: 2, samples: 100, reference: 100}]'
cls=$(tail -n 1 "$T/out")
run 0 eval "$cls"
has err "[classifier] trained in"
for k in '"classes":' '"kl":' '"is":' '"fd":' '"precision":' '"recall":' '"density":' \
         '"coverage":' '"reference": "test"' '"n_reference": 100' '"k": 3' '"k_dc": 5' \
         '"test_accuracy":' '"fd_floor":'; do
    grep -qF "$k" "$cls/eval.json" || fail "classifier eval.json lacks $k: $(cat "$cls/eval.json")"
done
ls "$T/cache/ganlab/"classifier-*.bin >/dev/null 2>&1 || fail "no cached classifier in $T/cache"
cp "$cls/eval.json" "$T/cls.json"
run 0 eval "$cls"
has err "from the cache"
same "$cls/eval.json" "$T/cls.json"
# A FIFO where the cached classifier was is a miss (a plain fopen blocked there for good): the
# classifier is trained again, the same, and a regular entry replaces the FIFO.
f=$(ls "$T/cache/ganlab/"classifier-*.bin | head -n 1)
rm "$f" && mkfifo "$f" || exit 99
timeout -s KILL 60 "$G" eval "$cls" >"$T/out" 2>"$T/err" || fail "eval with a FIFO in the cache exited $?"
has err "[classifier] trained in"
same "$cls/eval.json" "$T/cls.json"
[ -f "$f" ] || fail "the FIFO in the cache was not replaced by an entry"

[ "$fails" -eq 0 ] || { echo "$fails failures"; exit 1; }
echo "eval.sh: all passed"

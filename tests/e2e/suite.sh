#!/bin/sh
# suite.sh - `ganlab suite` and `ganlab compare` end to end through the real binary: a tiny suite
# (toy2d, 2 configs x 2 seeds, 5 steps each) trains as child processes and ends with the report's
# path on stdout; the report groups the 4 runs into 2 variants; a run with a bad override fails
# alone, the suite exits 1 and still writes the report; run again, a suite skips its done runs and
# resumes its interrupted ones; --status gives each run's state (exit 0, 1 or 4); a sweep made with
# --config and --sweep, found again by --name; compare on the same run directories; the suite
# parser's errors reach the user with their positions; --dry-run checks every shipped suite and
# one of its printed commands runs when pasted; compare --at reads the runs at an earlier step;
# a budget in epochs is shown in steps.
# Needs GL_BUILDDIR and GL_SRCDIR (make check).
. "${GL_SRCDIR:?run through make check}/tests/e2e/lib.sh"
has() { grep -qF -- "$2" "$1" || { fail "no '$2' in $1:"; tail -5 "$1"; }; }

cat >"$T/tiny.yaml" <<EOF
name: tiny
seeds: [1, 2]
overrides: [train.steps=5, train.batch_size=16, dataset.size=256, train.log_every=1,
            train.sample_every=5, train.checkpoint_every=5]
runs:
  - config: $S/configs/toy/ring_gan.yaml
  - config: $S/configs/toy/ring_wgan_gp.yaml
    overrides: [train.n_critic=2]
EOF

run 0 suite "$T/tiny.yaml" -j 2 -o "$T/out1"
report=$(tail -n 1 "$T/out")
[ "$report" = "$T/out1/report/report.html" ] || fail "last stdout line is '$report'"
[ -s "$report" ] || fail "$report missing"
md="$T/out1/report/report.md"
has "$md" "4 runs in 2 variants, compared at generator step 5"
has "$md" "| ring_gan | 2 | 80 |"            # 5 steps x 1 D update x 16
has "$md" "| ring_wgan_gp | 2 | 160 |"         # 5 x 2 x 16
has "$md" "samples/00_ring_gan.png"
has "$report" "data:image/png;base64,"
for n in ring_gan-s1 ring_gan-s2 ring_wgan_gp-s1 ring_wgan_gp-s2; do
    [ -s "$T/out1/runs/$n/metrics.csv" ] || fail "run $n missing"
    [ -s "$T/out1/logs/$n.log" ] || fail "log of $n missing"
done
has "$T/err" "[suite] start ring_gan-s1"
has "$T/err" "[suite] done ring_wgan_gp-s2"

# Run again: every run is done, nothing trains, the report is rewritten from all of them.
run 0 suite "$T/tiny.yaml" -j 2 -o "$T/out1"
has "$T/err" "4 runs (2 configs x 1 sweep points x 2 seeds), 4 done before, 0 to train"
has "$T/out1/report/report.md" "4 runs in 2 variants"
run 0 suite "$T/tiny.yaml" -o "$T/out1" --status
has "$T/out" "ring_wgan_gp-s2 done 5/5"
[ "$(wc -l <"$T/out")" -eq 4 ] || fail "--status printed $(wc -l <"$T/out") lines, not 4"

# A suite plans at most 10000 runs (seeds x runs x sweep points; the int product overflowed for
# large lists), and a seed list longer than that is refused before its repeats are checked.
{ echo "name: big"; printf 'seeds: ['; seq -s, 0 3400 | tr -d '\n'; echo ']'; echo "runs:"
  for i in 1 2 3; do echo "  - {config: $S/configs/toy/ring_gan.yaml, name: r$i}"; done; } >"$T/big.yaml"
run 2 suite "$T/big.yaml" -o "$T/big" --dry-run
has "$T/err" "suite 'big': 10203 runs (3401 seeds x 3 runs x 1 sweep points), more than the 10000"
sed "s/^seeds: .*/seeds: [$(seq -s, 0 10000 | tr -d '\n')]/" "$T/big.yaml" >"$T/bigger.yaml"
run 2 suite "$T/bigger.yaml" -o "$T/big" --dry-run
has "$T/err" "10001 seeds: a suite runs at most 10000"
run 2 suite --config "$S/configs/toy/ring_gan.yaml" --seeds "$(seq -s, 0 10000 | tr -d '\n')" \
    -o "$T/big" --dry-run
has "$T/err" "--seeds: more than 10000 seeds"
[ -e "$T/big" ] && fail "a refused suite made its directory"

# One suite process trains in a directory at a time: while another holds its lock (here flock(1)),
# a second exits 2 naming it, before planning or writing anything; --status still reads.
flock "$T/out1/suite.lock" "$G" suite "$T/tiny.yaml" -o "$T/out1" >"$T/out" 2>"$T/err"
rc=$?
[ $rc -eq 2 ] || fail "a suite beside another exited $rc, not 2"
has "$T/err" "$T/out1: the suite is being run by "
has "$T/err" " (suite.lock); one writer at a time"
flock "$T/out1/suite.lock" "$G" suite "$T/tiny.yaml" -o "$T/out1" --status >"$T/out" 2>"$T/err" ||
    fail "--status beside a running suite exited $?"
has "$T/out" "ring_wgan_gp-s2 done 5/5"

# A run killed after its last log row but before its last checkpoint is interrupted, not done; the
# suite run again resumes it from its checkpoint and leaves the done one alone.
sed 's/train.steps=5,/train.steps=10,/; s/seeds: \[1, 2\]/seeds: [1]/' "$T/tiny.yaml" \
    >"$T/again.yaml"
run 0 suite "$T/again.yaml" -o "$T/again"
rm "$T/again/runs/ring_gan-s1/checkpoints/step_00000010.ckpt"
echo 137 >"$T/again/logs/ring_gan-s1.status"   # as the suite records a child killed by SIGKILL
run 4 suite "$T/again.yaml" -o "$T/again" --status
has "$T/out" "ring_gan-s1 interrupted 10/10"
has "$T/out" "ring_wgan_gp-s1 done 10/10"
run 0 suite "$T/again.yaml" -o "$T/again"
has "$T/err" "[suite] resume ring_gan-s1 (1/1)"
[ -s "$T/again/runs/ring_gan-s1/checkpoints/step_00000010.ckpt" ] ||
    fail "the resumed run ended without its checkpoint"
[ -e "$T/again/runs/ring_gan-s1-2" ] && fail "the resumed run got a new directory"
run 0 suite "$T/again.yaml" -o "$T/again" --status

# A budget in epochs: --status counts it in steps from run.json (256 items in batches of 16 for 2
# epochs: 32 batches, 32 generator steps for ring_gan, 16 for ring_wgan_gp's 2 D updates a step).
sed 's/train.steps=5,/train.steps=0, train.epochs=2,/; s/seeds: \[1, 2\]/seeds: [1]/' \
    "$T/tiny.yaml" >"$T/epochs.yaml"
run 0 suite "$T/epochs.yaml" -o "$T/epochs"
run 0 suite "$T/epochs.yaml" -o "$T/epochs" --status
has "$T/out" "ring_gan-s1 done 32/32"
has "$T/out" "ring_wgan_gp-s1 done 16/16"

# The same runs through compare.
run 0 compare "$T"/out1/runs/* -o "$T/cmp" --title "Again"
[ "$(tail -n 1 "$T/out")" = "$T/cmp/report.html" ] || fail "compare printed $(tail -n 1 "$T/out")"
has "$T/cmp/report.md" "# Again"
# A title of two lines stays one heading in report.md.
run 0 compare "$T"/out1/runs/* -o "$T/cmp2" --title "$(printf 'Two\nlines')"
[ "$(head -n 1 "$T/cmp2/report.md")" = "# Two lines" ] ||
    fail "a two-line title: $(head -n 2 "$T/cmp2/report.md")"
has "$T/cmp/report.md" "| ring_gan | 2 | 80 |"
run 0 compare "$T"/out1/runs/* -o "$T/cmp3" --at 3   # an earlier step: every run read there
has "$T/cmp3/report.md" "compared at generator step 3"
has "$T/cmp3/report.md" "## Metrics at the chosen step"
has "$T/cmp3/report.md" "| ring_gan | 2 | 48 |"
run 2 compare "$T"/out1/runs/* -o "$T/cmp4" --at 6
has "$T/err" "comparison step 6: no run reached it (the furthest reached step 5)"
run 2 compare "$T"/out1/runs/* -o "$T/cmp4" --at 3x
has "$T/err" "option --at: '3x' is not a whole number"
[ -e "$T/cmp4" ] && fail "a refused compare made its output directory"
run 2 compare "$T/out1/runs/ring_gan-s1" "$T/nowhere" -o "$T/cmp2"
run 2 compare "$T/out1/runs/ring_gan-s1"

# One bad run: the others go on, the suite exits 1, the report is still written and says why.
sed 's/train.n_critic=2/train.n_critic=0/; s/seeds: \[1, 2\]/seeds: [1]/' "$T/tiny.yaml" >"$T/bad.yaml"
run 1 suite "$T/bad.yaml" -o "$T/out2"
report=$(tail -n 1 "$T/out")
[ "$report" = "$T/out2/report/report.html" ] || fail "failed suite: last stdout line is '$report'"
[ -s "$report" ] || fail "failed suite: no report"
has "$T/err" "[suite] FAILED ring_wgan_gp-s1 (exit 2)"
has "$T/err" "1 of 2 runs failed"
has "$T/out2/report/report.md" "run ring_wgan_gp-s1 failed (exit 2)"
has "$T/out2/report/report.md" "| ring_gan | 1 | 80 |"
run 1 suite "$T/bad.yaml" -o "$T/out2" --status
has "$T/out" "ring_wgan_gp-s1 failed 0/?"   # its config is invalid: no budget
has "$T/out" "ring_gan-s1 done 5/5"

# SIGTERM: forwarded once to the runs, which checkpoint and stop; exit 143, no report.
sed 's/train.steps=5,/train.steps=1000000,/; s/train.checkpoint_every=5/train.checkpoint_every=0/
     s/seeds: \[1, 2\]/seeds: [1]/' \
    "$T/tiny.yaml" >"$T/long.yaml"
"$G" suite "$T/long.yaml" -o "$T/out3" >"$T/out" 2>"$T/err" &
pid=$!
i=0
while [ "$(ls "$T"/out3/runs/*/metrics.csv 2>/dev/null | wc -l)" -lt 2 ] && [ $i -lt 100 ]; do
    sleep 0.1; i=$((i + 1))
done
kill -TERM $pid
wait $pid
rc=$?
[ $rc -eq 143 ] || fail "stopped suite exited $rc, expected 143"
has "$T/err" "[suite] stopped ring_gan-s1"
[ -e "$T/out3/report" ] && fail "a stopped suite wrote a report"
ls "$T"/out3/runs/ring_gan-s1/checkpoints/step_*.ckpt >/dev/null 2>&1 ||
    fail "the stopped run has no checkpoint"
# It is interrupted: --status exits 4, and running the suite again resumes it.
run 4 suite "$T/long.yaml" -o "$T/out3" --status
grep -q "^ring_gan-s1 interrupted [0-9]*/1000000$" "$T/out" || fail "status: $(cat "$T/out")"
run 0 suite "$T/long.yaml" -o "$T/out3" --dry-run
has "$T/out" "train --resume $T/out3/runs/ring_gan-s1 experiment.threads="

# --dry-run: every shipped suite's runs are valid configs; nothing is written; a bad override is
# named with its run and the suite exits 2.
for f in "$S"/configs/suites/*.yaml; do
    run 0 suite "$f" --dry-run -o "$T/dry"
    has "$T/err" "runs checked, nothing trained"
    [ -e "$T/dry" ] && fail "suite --dry-run $f wrote $T/dry"
done
run 0 suite "$T/tiny.yaml" --dry-run -o "$T/dry"
[ "$(wc -l <"$T/out")" -eq 4 ] || fail "--dry-run printed $(wc -l <"$T/out") command lines, not 4"
# The key a run overrides is what this suite varies: its logging.hparams (TensorBoard's hparams).
hp="train.n_critic=2 logging.hparams=train.n_critic experiment.seed="
[ "$(grep -c " $hp" "$T/out")" -eq 2 ] ||
    fail "hparams: $(cat "$T/out")"
[ "$(grep -c "logging.hparams" "$T/out")" -eq 2 ] || fail "hparams of a run without overrides"
# A printed command runs when pasted: it names the binary a user runs, not libtool's inner one.
case "$(head -n 1 "$T/out")" in
"$G "*) ;;
*) fail "--dry-run command: $(head -n 1 "$T/out")" ;;
esac
(cd "$T" && sh -c "$(head -n 1 "$T/out")" >"$T/pasted.out" 2>"$T/pasted.err") ||
    fail "the pasted command failed: $(tail -n 2 "$T/pasted.err")"
[ -s "$T/dry/runs/ring_gan-s1/metrics.csv" ] || fail "the pasted command trained nothing"
rm -rf "$T/dry"
has "$T/out" "train -- $S/configs/toy/ring_wgan_gp.yaml train.steps=5"
has "$T/out" "${hp}2 experiment.name=ring_wgan_gp-s2"
run 2 suite "$T/bad.yaml" --dry-run
has "$T/err" "run ring_wgan_gp-s1: its config is invalid"
has "$T/err" "1 of 2 runs have an invalid config"

# A sweep on the command line: --config with --sweep; each point is a variant named from its
# values; the swept keys are each run's logging.hparams; the suite lives in -o like a file's.
sweep() {
    want=$1
    shift
    run "$want" suite --config "$S/configs/toy/ring_gan.yaml" --sweep 'train.batch_size=[16, 32]' \
        --seeds 1,2 --name sw -o "$T/sw" train.steps=5 dataset.size=256 train.log_every=1 \
        train.sample_every=5 train.checkpoint_every=5 "$@"
}
sweep 0 --dry-run
[ "$(grep -c "^$G train -- .* logging.hparams=train.batch_size experiment" "$T/out")" -eq 4 ] ||
    fail "sweep --dry-run: $(cat "$T/out")"
has "$T/out" "train.batch_size=32 logging.hparams=train.batch_size experiment.seed=2"
sweep 0 -j 2
has "$T/sw/report/report.md" "4 runs in 2 variants"
has "$T/sw/report/report.md" "| ring_gan.batch_size-16 | 2 | 80 |"
has "$T/sw/report/report.md" "| ring_gan.batch_size-32 | 2 | 160 |"
has "$T/sw/suite.yaml" "train.batch_size: [16, 32]"
has "$T/sw/runs/ring_gan.batch_size-16-s1/config.yaml" "hparams: train.batch_size"
# By its name: the suite.yaml it left; and that file is a suite file like any other.
run 0 suite --name sw -o "$T/sw" --status
has "$T/out" "ring_gan.batch_size-32-s2 done 5/5"
[ "$(wc -l <"$T/out")" -eq 4 ] || fail "sweep --status printed $(wc -l <"$T/out") lines, not 4"
run 0 suite "$T/sw/suite.yaml" -o "$T/sw"
has "$T/err" "4 done before, 0 to train"
run 2 suite --config "$S/configs/toy/ring_gan.yaml" --sweep 'train.batch_size=16'
has "$T/err" "the values must be a list, e.g. KEY=[1, 10]"
run 2 suite "$T/tiny.yaml" --sweep 'train.batch_size=[16]'
has "$T/err" "--sweep and --seeds make a suite of --config CFG"

# Suite file faults, with positions.
printf 'seeds: [1]\nrunz: []\n' >"$T/typo.yaml"
run 2 suite "$T/typo.yaml"
has "$T/err" "typo.yaml:2:1: unknown key 'runz' in a suite (did you mean 'runs'?)"
run 2 suite "$T/tiny.yaml" -j 0

[ "$fails" -eq 0 ] || exit 1
echo "suite: all passed"

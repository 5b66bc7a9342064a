#!/bin/sh
# operands.sh - command-line operands and places that name nothing usable: an empty RUN_DIR or
# --checkpoint, one run directory named twice, --force without --resume, an out_dir or -o DIR that
# is empty or a file, sample -o into a missing directory, eval.json a directory, a suite name that starts with '-'. Each exits 2 naming the fault, and nothing
# is written or claimed.
# Needs GL_BUILDDIR and GL_SRCDIR (make check).
. "${GL_SRCDIR:?run through make check}/tests/e2e/lib.sh"
has() { grep -qF -- "$2" "$T/$1" || { fail "no '$2' in std$1:"; tail -5 "$T/$1"; }; }
toy="$S/configs/toy/ring_gan.yaml"
tiny="dataset.size=64 train.steps=2 train.batch_size=16 train.sample_every=0
 experiment.out_dir=$T/runs experiment.threads=1"
# shellcheck disable=SC2086
run 0 train "$toy" $tiny
dir=$(tail -n 1 "$T/out")

# One run named twice (by any path) would be two seeds of its variant, with a spread of 0.
run 2 compare "$dir" "$T/runs/../runs/$(basename "$dir")/" -o "$T/report"
has err "names the run directory $dir again"
[ -e "$T/report" ] && fail "compare wrote a report of one run named twice"

# An empty RUN_DIR is named as such, never read as /config.yaml.
run 2 sample "" -o "$T/s.csv"
has err "an empty RUN_DIR names no run directory"
run 2 eval ""
has err "an empty RUN_DIR"
run 2 train --resume ""
has err "an empty RUN_DIR"
run 2 compare "$dir" "" -o "$T/report"
has err "an empty RUN_DIR"

# An empty --checkpoint is not step 0; --force means nothing without --resume.
run 2 sample "$dir" --checkpoint "" -o "$T/s.csv"
has err "--checkpoint '': expected FILE or STEP"
run 2 train --resume "$dir" --checkpoint= train.steps=3
has err "--checkpoint '': expected FILE or STEP"
# shellcheck disable=SC2086
run 2 train "$toy" $tiny --force
has err "--force needs --resume RUN_DIR"

# out_dir "" is refused with the override that set it; a file where out_dir or -o DIR should be is
# refused, and stdout names no run directory that was never made.
# shellcheck disable=SC2086
run 2 train "$toy" $tiny 'experiment.out_dir=""'
has err "override 'experiment.out_dir=\"\"': experiment.out_dir is empty"
: >"$T/file"
# shellcheck disable=SC2086
run 2 train "$toy" $tiny experiment.out_dir="$T/file"
has err "$T/file: not a directory"
[ -s "$T/out" ] && fail "train printed a run directory it did not create: $(cat "$T/out")"
run 2 compare "$dir" -o "$T/file"
has err "$T/file: not a directory"
run 2 compare "$dir" -o "$dir"
has err "-o $dir: a run directory (it has run.json); write the report elsewhere"
[ -e "$dir/report.md" ] && fail "compare wrote its report into a run directory"

# sample -o into a directory that is not there, or onto a directory: refused before any sampling.
run 2 sample "$dir" -o "$T/nowhere/s.png"
has err "-o $T/nowhere/s.png: $T/nowhere is not a directory"
run 2 sample "$dir" -o "$T/file/s.png"
has err "$T/file is not a directory"
run 2 sample "$dir" -o "$T"
has err "-o $T: a directory; name a file"
run 0 sample "$dir" -o "$T/s.csv"
# eval.json as a directory: named before the evaluation, not by a failed rename after it.
mkdir "$dir/eval.json" || exit 99
run 2 eval "$dir"
has err "$dir/eval.json: a directory is where it goes"
rmdir "$dir/eval.json"

# A suite's names start run names, so they may not start with '-' (experiment.name would refuse
# each run later, far from the operand).
run 2 suite --config "$toy" --name -x --dry-run -o "$T/sx"
has err "--name '-x': use letters, digits"
cp "$toy" "$T/-r.yaml"
run 2 suite --config "$T/-r.yaml" --name ok --dry-run -o "$T/sx"
has err "'-r' is not a usable run name"
[ -e "$T/sx" ] && fail "a refused suite left its directory"

exit $((fails > 0))

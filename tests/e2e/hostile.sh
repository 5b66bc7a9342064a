#!/bin/sh
# hostile.sh - hostile and corrupt inputs end to end (issue 12): each gets exit 2 (1 for a run that
# fails) and a message naming the file and the fault, quickly, with no crash, hang or lost result.
# Needs GL_BUILDDIR and GL_SRCDIR (make check).
. "${GL_SRCDIR:?run through make check}/tests/e2e/lib.sh"
has() { grep -qF -- "$2" "$T/$1" || { fail "no '$2' in std$1:"; tail -5 "$T/$1"; }; }
# Runs ganlab under a 10 s limit: a hang is a failure, not a stuck make check.
trun() {
    want=$1; shift
    timeout -s KILL 10 "$G" "$@" >"$T/out" 2>"$T/err"
    rc=$?
    [ "$rc" -eq "$want" ] || { fail "ganlab $* exited $rc, expected $want:"; tail -5 "$T/err"; }
}
toy="$S/configs/toy/ring_gan.yaml"
tiny="dataset.size=64 train.steps=3 train.batch_size=16 train.log_every=1 train.sample_every=0
 train.checkpoint_every=1 train.keep_checkpoints=3 experiment.out_dir=$T/runs experiment.threads=1"

# FIFOs as the config, as a base and as a checkpoint: refused at once, never a blocked open().
mkfifo "$T/fifo.yaml" || exit 99
trun 2 config "$T/fifo.yaml"
has err "not a regular file"
printf 'base: fifo.yaml\n' > "$T/with_base.yaml"
trun 2 config "$T/with_base.yaml"
has err "not a regular file"

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

exit $((fails > 0))

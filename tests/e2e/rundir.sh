#!/bin/sh
# rundir.sh - damaged run directories end to end: what train --resume, compare and suite --status
# do with a run's files replaced. Each gets exit 2 and a message naming the file, under a 10 s
# limit (a hang fails the test instead of stalling make check), and loses no earlier result.
# Needs GL_BUILDDIR and GL_SRCDIR (make check).
. "${GL_SRCDIR:?run through make check}/tests/e2e/lib.sh"
has() { grep -qF -- "$2" "$T/$1" || { fail "no '$2' in std$1:"; tail -5 "$T/$1"; }; }
trun() {
    want=$1; shift
    timeout -s KILL 10 "$G" "$@" >"$T/out" 2>"$T/err"
    rc=$?
    [ "$rc" -eq "$want" ] || { fail "ganlab $* exited $rc, expected $want:"; tail -5 "$T/err"; }
}
toy="$S/configs/toy/ring_gan.yaml"
tiny="dataset.size=64 train.steps=3 train.batch_size=16 train.log_every=1 train.sample_every=0
 train.checkpoint_every=1 train.keep_checkpoints=3 experiment.out_dir=$T/runs experiment.threads=1"
# shellcheck disable=SC2086
trun 0 train "$toy" $tiny experiment.name=ring_gan-s1
run1=$(tail -n 1 "$T/out")

# An out_dir that is a file (or a link to nowhere) is bad input naming it, not a failed run.
: >"$T/afile" && ln -s "$T/nowhere" "$T/dangling" || exit 99
for out in afile afile/sub dangling; do
    # shellcheck disable=SC2086
    trun 2 train "$toy" $tiny experiment.out_dir="$T/$out"
    has err "$T/${out%/sub}: not a directory"
done

# A FIFO or a directory in place of a log or the lock: named at once ("not a regular file"), never
# a blocked open() (a FIFO without a writer, or without a reader for an append), before the resume
# changes config.yaml or run.json.
for f in metrics.csv timing.csv eval.csv log.txt run.lock; do
    for kind in fifo dir; do
        rm -rf "$T/d" && cp -r "$run1" "$T/d" && rm "$T/d/$f" || exit 99
        if [ $kind = fifo ]; then mkfifo "$T/d/$f"; else mkdir "$T/d/$f"; fi || exit 99
        trun 2 train --resume "$T/d" train.steps=4
        has err "$T/d/$f"
        [ -e "$T/d/checkpoints/step_00000004.ckpt" ] && fail "resumed past a $kind at $f"
        # The finished run's record (its budget, run.json's finished time) stays as it was.
        cmp -s "$run1/config.yaml" "$T/d/config.yaml" || fail "a refused resume rewrote config.yaml"
        cmp -s "$run1/run.json" "$T/d/run.json" || fail "a refused resume rewrote run.json"
    done
done
for f in metrics.csv timing.csv eval.csv; do
    rm -rf "$T/d" && cp -r "$run1" "$T/d" && rm "$T/d/$f" && mkfifo "$T/d/$f" || exit 99
    trun 2 compare "$T/d" -o "$T/report"
    has err "$T/d/$f: cannot open: not a regular file"
done

# compare copies the newest sample grid into its report.
for kind in fifo dir; do
    rm -rf "$T/d" && cp -r "$run1" "$T/d" || exit 99
    if [ $kind = fifo ]; then mkfifo "$T/d/samples/step_00000009.png"; else mkdir "$T/d/samples/step_00000009.png"; fi
    trun 2 compare "$T/d" -o "$T/report"
    has err "$T/d/samples/step_00000009.png: cannot open: not a regular file"
done

# run.json's plugin paths are hashed before use (sample, eval, resume, compare): a device or a FIFO
# recorded there is refused, never read without end.
mkfifo "$T/plugin_fifo" || exit 99
for p in /dev/zero "$T/plugin_fifo"; do
    rm -rf "$T/d" && cp -r "$run1" "$T/d" || exit 99
    sed -i "s|\"name\": \"modes2d\", \"path\": \"[^\"]*\"|\"name\": \"gone\", \"path\": \"$p\"|" "$T/d/run.json"
    trun 2 sample "$T/d" -n 4 -o "$T/s.csv"
    has err "$p: cannot open: not a regular file"
done

# suite --status reads each run's logs/NAME.status and .pid, and its run.lock and metrics.csv.
printf 'name: st\nseeds: [1]\nruns: [{config: %s}]\n' "$toy" >"$T/st.yaml"
for f in logs/ring_gan-s1.status logs/ring_gan-s1.pid runs/ring_gan-s1/run.lock \
    runs/ring_gan-s1/metrics.csv; do
    rm -rf "$T/st" && mkdir -p "$T/st/logs" "$T/st/runs" && cp -r "$run1" "$T/st/runs/" || exit 99
    rm -f "$T/st/$f" && mkfifo "$T/st/$f" || exit 99
    timeout -s KILL 10 "$G" suite "$T/st.yaml" -o "$T/st" --status >"$T/out" 2>"$T/err"
    rc=$?
    [ "$rc" -eq 137 ] && fail "suite --status hung on a FIFO at $f"
    case $f in
    *metrics.csv) [ "$rc" -eq 2 ] || fail "suite --status with a FIFO at $f exited $rc" ;;
    *) [ "$rc" -eq 0 ] || fail "suite --status with a FIFO at $f exited $rc" ;;
    esac
done

# A suite's child writes its output to logs/NAME.out and NAME.log: a FIFO there fails that run (the
# suite exits 1 naming the file), never blocks its start.
printf 'overrides: [train.steps=2, dataset.size=64, train.batch_size=16]\n' >>"$T/st.yaml"
rm -rf "$T/st" && mkdir -p "$T/st/logs" && mkfifo "$T/st/logs/ring_gan-s1.log" || exit 99
trun 1 suite "$T/st.yaml" -o "$T/st"
has err "$T/st/logs/ring_gan-s1.log: cannot open for the run's output"

# A checkpoint that cannot be written (a file size limit stands in for a full disk) fails the run,
# named with the cause; the earlier checkpoints stay.
rm -rf "$T/d" && cp -r "$run1" "$T/d" || exit 99
(trap '' XFSZ && ulimit -f 700 && exec timeout -s KILL 10 "$G" train --resume "$T/d" train.steps=4) \
    >"$T/out" 2>"$T/err"
rc=$?
[ "$rc" -eq 1 ] || fail "a checkpoint past the file size limit exited $rc, expected 1"
has err "$T/d/checkpoints/step_00000004.ckpt: write failed: File too large"
cmp -s "$run1/checkpoints/step_00000003.ckpt" "$T/d/checkpoints/step_00000003.ckpt" ||
    fail "a failed checkpoint lost the one before it"

# A log row that cannot be written fails the run, naming the file: the run went on to exit 0 with
# metrics.csv ending in half a row. Nets small enough that their checkpoint fits under the limit.
small="train.steps=200 train.checkpoint_every=0 logging.tensorboard=false model.g_hidden=[4]
 model.d_hidden=[4]"
# shellcheck disable=SC2086
(trap '' XFSZ && ulimit -f 16 && timeout -s KILL 10 "$G" train "$toy" $tiny $small \
    experiment.name=limit 2>&1 >/dev/null; echo $? >"$T/rc") | grep -v '^.train. step' >"$T/err"
[ "$(cat "$T/rc")" -eq 1 ] || fail "a metrics.csv past the file size limit exited $(cat "$T/rc")"
has err "limit/metrics.csv: write failed: File too large"

# What that failure leaves, a header cut short (no newline), is written again whole on resume: the
# next row was appended to the cut header.
rm -rf "$T/d" && cp -r "$run1" "$T/d" && head -c 10 "$run1/metrics.csv" >"$T/d/metrics.csv" || exit 99
trun 0 train --resume "$T/d" train.steps=4
[ "$(head -n 1 "$T/d/metrics.csv")" = "$(head -n 1 "$run1/metrics.csv")" ] ||
    fail "a cut metrics.csv header was not written again: $(head -n 1 "$T/d/metrics.csv")"
[ "$(cut -d, -f1 "$T/d/metrics.csv" | tail -n +2 | tr '\n' ' ')" = "4 " ] ||
    fail "rows after a cut header: $(cut -d, -f1 "$T/d/metrics.csv" | tr '\n' ' ')"

# A resume from an older checkpoint that ends before the newest: pruning keeps what it wrote.
rm -rf "$T/d" && cp -r "$run1" "$T/d" || exit 99
trun 0 train --resume "$T/d" --checkpoint 1 train.steps=2 train.keep_checkpoints=1
[ -e "$T/d/checkpoints/step_00000002.ckpt" ] || fail "pruning removed the checkpoint just written"
[ -e "$T/d/checkpoints/step_00000001.ckpt" ] && fail "pruning kept more than train.keep_checkpoints"

# A step's samples and evaluation come after its checkpoint: when a kill, a signal or a failure kept
# them from being written (here they are removed), the resume writes them first, and the run ends
# with the files of a run that was never stopped.
cadence="train.sample_every=2 train.eval_every=2"
# shellcheck disable=SC2086
trun 0 train "$toy" $tiny $cadence train.steps=4 experiment.name=whole
whole=$(tail -n 1 "$T/out")
# shellcheck disable=SC2086
trun 0 train "$toy" $tiny $cadence train.steps=2 experiment.name=cut
cut=$(tail -n 1 "$T/out")
rm "$cut/samples/step_00000002.png" && sed -i '$d' "$cut/eval.csv" || exit 99
trun 0 train --resume "$cut" train.steps=4
for f in metrics.csv eval.csv samples/step_00000002.png samples/step_00000004.png \
    checkpoints/step_00000004.ckpt; do
    cmp -s "$whole/$f" "$cut/$f" || fail "$f after a resume differs from an uninterrupted run's"
done

exit $((fails > 0))

#!/bin/sh
# slurm.sh - the Slurm launcher of `ganlab suite` without a cluster: sbatch, squeue, scancel and
# scontrol are fakes on PATH that log their arguments, and the batch scripts run under bash as
# Slurm would run them (SLURM_ARRAY_TASK_ID, SLURM_JOB_ID). Checks the scripts and the submission
# (--dry-run, job ids, the report's dependency, refusal while queued, --cancel), and a task's
# signals: USR1 -> checkpoint, status 75, `scontrol requeue`; the requeued attempt resumes the
# same run; SIGTERM -> 143, no requeue. The real cluster is .ci/slurm-test's (docs/scaling.md).
# Needs GL_BUILDDIR and GL_SRCDIR (make check).
. "${GL_SRCDIR:?run through make check}/tests/e2e/lib.sh"
has() { grep -qF -- "$2" "$1" || { fail "no '$2' in $1:"; tail -5 "$1"; }; }
command -v bash >/dev/null || { echo "no bash: skipped"; exit 77; }

# The fakes: each logs "NAME ARGS" to $T/slurm.log; sbatch prints job ids 101, 102, ...; squeue
# prints what $T/queued holds.
mkdir -p "$T/bin" || exit 99
for c in sbatch squeue scancel scontrol; do
    printf '#!/bin/sh\necho "%s $*" >>"%s/slurm.log"\n' "$c" "$T" >"$T/bin/$c"
done
printf 'n=$(cat "%s/next" 2>/dev/null || echo 101)\necho $((n + 1)) >"%s/next"\necho "$n"\n' \
    "$T" "$T" >>"$T/bin/sbatch"
printf 'cat "%s/queued" 2>/dev/null\n' "$T" >>"$T/bin/squeue"
chmod +x "$T"/bin/* || exit 99
PATH=$T/bin:$PATH
export PATH

printf '%s\n' "name: tiny" "seeds: [1]" \
    "overrides: [train.steps=5, train.batch_size=16, dataset.size=256, train.log_every=1," \
    "            train.sample_every=5, train.checkpoint_every=5]" "runs:" \
    "  - config: $S/configs/toy/ring_gan.yaml" "  - config: $S/configs/toy/grid_gan.yaml" \
    >"$T/tiny.yaml"
D=$T/suite

# The options are checked; --dry-run prints both scripts and writes and submits nothing.
run 2 suite "$T/tiny.yaml" -o "$D" --launcher pbs
has "$T/err" "--launcher 'pbs': use local or slurm"
# Slurm's options without --launcher slurm are refused, never dropped while the suite trains here.
run 2 suite "$T/tiny.yaml" -o "$D" --partition gpu --time 1:00:00
has "$T/err" "--partition is a Slurm option: add --launcher slurm"
[ -e "$D" ] && fail "a suite with Slurm options but no Slurm launcher wrote $D"
run 2 suite "$T/tiny.yaml" -o "$D" --launcher local --sbatch-arg=--exclusive
has "$T/err" "--sbatch-arg is a Slurm option"
run 2 suite "$T/tiny.yaml" -o "$D" --launcher slurm --sbatch-arg "$(printf 'a\nb')"
has "$T/err" "has a line break"
run 2 suite "$T/tiny.yaml" -o "$D" --status --cancel
run 2 suite "$T/tiny.yaml" -o "$D" --cancel
has "$T/err" "no jobs recorded for suite tiny"
run 0 suite "$T/tiny.yaml" -o "$D" --launcher slurm -j 1 --time 0:10:00 --dry-run
has "$T/out" "#SBATCH --array=0-1%1"
has "$T/out" "#SBATCH --signal=B:USR1@120"
has "$T/out" "#SBATCH --time=0:10:00"
has "$T/out" "runs=(ring_gan-s1 grid_gan-s1)"
has "$T/out" "suite $T/tiny.yaml -o $D --report"
[ ! -e "$D" ] && [ ! -e "$T/slurm.log" ] || fail "--dry-run wrote or submitted something"

# Submission: the array, then the report after it; the ids recorded and printed.
run 0 suite "$T/tiny.yaml" -o "$D" --launcher slurm -j 1 --sbatch-arg=--cpus-per-task=1
has "$T/out" "job array 101: 2 tasks, 1 at a time"
has "$T/out" "report job 102 (after the array)"
[ "$(tail -n 1 "$T/out")" = "$D/report/report.html" ] || fail "last line $(tail -n 1 "$T/out")"
has "$T/slurm.log" "sbatch --parsable $D/slurm/tasks.sbatch"
has "$T/slurm.log" "sbatch --parsable --dependency=afterany:101 $D/slurm/report.sbatch"
has "$D/slurm/tasks.sbatch" "#SBATCH --cpus-per-task=1"
echo 101_1 >"$T/queued"
run 2 suite "$T/tiny.yaml" -o "$D" --launcher slurm
has "$T/err" "jobs 101,102 of an earlier submission are still queued or running"
run 0 suite "$T/tiny.yaml" -o "$D" --cancel
has "$T/slurm.log" "scancel 101 102"
rm -f "$T/queued"

# The tasks and the report job, run as Slurm runs them.
for i in 0 1; do
    SLURM_ARRAY_TASK_ID=$i SLURM_JOB_ID=20$i bash "$D/slurm/tasks.sbatch" ||
        fail "task $i exited $?"
done
[ "$(cat "$D/logs/grid_gan-s1.status")" = 0 ] || fail "task 1 recorded no status 0"
bash "$D/slurm/report.sbatch" >"$T/rep" 2>&1 || fail "the report job failed: $(tail -3 "$T/rep")"
has "$T/rep" "$D/report/report.html"
run 0 suite "$T/tiny.yaml" -o "$D" --status
has "$T/out" "ring_gan-s1 done 5/5"
run 0 suite "$T/tiny.yaml" -o "$D" --launcher slurm
has "$T/err" "nothing to submit"

# A --config suite: its suite.yaml is saved at submission, and the jobs name it by --name.
C=$T/cfg
run 0 suite --config "$S/configs/toy/ring_gan.yaml" --seeds 1 train.steps=5 -o "$C" \
    --launcher slurm --dry-run
has "$T/out" "suite --name ring_gan -o $C --task"
[ ! -e "$C" ] || fail "--dry-run of a --config suite wrote $C"
run 0 suite --config "$S/configs/toy/ring_gan.yaml" --seeds 1 train.steps=5 -o "$C" \
    --launcher slurm
[ -s "$C/suite.yaml" ] || fail "no suite.yaml saved for the jobs"
run 4 suite --name ring_gan -o "$C" --status
has "$T/out" "ring_gan-s1 pending 0/5"

# A long run: USR1 to the batch shell -> the run checkpoints, exit 75, the task requeues itself.
sed 's/train.steps=5,/train.steps=1000000,/; s/train.checkpoint_every=5/train.checkpoint_every=0/' \
    "$T/tiny.yaml" >"$T/long.yaml"
L=$T/long
run 0 suite "$T/long.yaml" -o "$L" --launcher slurm
wait_rows() { # until the run has more than $1 lines of metrics
    i=0
    while [ "$(cat "$L/runs/ring_gan-s1/metrics.csv" 2>/dev/null | wc -l)" -le "$1" ] &&
        [ $i -lt 300 ]; do
        sleep 0.1
        i=$((i + 1))
    done
}
SLURM_ARRAY_TASK_ID=0 SLURM_JOB_ID=301 bash "$L/slurm/tasks.sbatch" &
pid=$!
wait_rows 2
kill -USR1 $pid
wait $pid
st=$(cat "$L/logs/ring_gan-s1.status")
[ "$st" = 75 ] || fail "USR1: status $st, expected 75"
has "$T/slurm.log" "scontrol requeue 301"
has "$L/logs/ring_gan-s1.log" "exit 75: requeue to continue"
ls "$L"/runs/ring_gan-s1/checkpoints/step_*.ckpt >/dev/null 2>&1 || fail "no checkpoint after USR1"
run 4 suite "$T/long.yaml" -o "$L" --status
has "$T/out" "ring_gan-s1 interrupted"

# The requeued attempt resumes the same run; SIGTERM (scancel) reaches the run and the shell: 143,
# recorded, and no requeue.
rows=$(wc -l <"$L/runs/ring_gan-s1/metrics.csv")
SLURM_ARRAY_TASK_ID=0 SLURM_JOB_ID=301 bash "$L/slurm/tasks.sbatch" &
pid=$!
wait_rows "$rows"
has "$L/logs/ring_gan-s1.log" "[suite] resume ring_gan-s1"
kill -TERM "$(cut -d: -f2 "$L/logs/ring_gan-s1.pid")" $pid
wait $pid
st=$(cat "$L/logs/ring_gan-s1.status")
[ "$st" = 143 ] || fail "TERM: status $st, expected 143"
[ "$(grep -c "scontrol requeue" "$T/slurm.log")" -eq 1 ] || fail "SIGTERM was requeued"
[ "$(ls -d "$L"/runs/*/ | wc -l)" -eq 1 ] || fail "the requeued attempt made another run directory"

[ "$fails" -eq 0 ] && echo "slurm.sh: all passed"
[ "$fails" -eq 0 ]

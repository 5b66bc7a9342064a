#!/bin/sh
# shellcheck disable=SC2086 # the override lists are meant to split into words
# workers.sh - experiment.workers (docs/scaling.md "Workers in one process"), in the build without
# MPI: two processes of one `ganlab train` on a toy config give the same bytes twice, values within
# 1e-5 of one process's, a resume that continues bit for bit; a worker killed mid-run makes rank 0
# exit 1 naming it within seconds, as rank 0's own failure makes the worker, leaving no process;
# SIGINT to the process group stops both after the same step with a checkpoint (exit 130); bad
# values exit 2 naming the key.
. "${GL_SRCDIR:?run through make check}/tests/e2e/lib.sh"

common="train.log_every=1 train.eval_every=0 train.sample_every=0 experiment.threads=1
 experiment.out_dir=$T/runs"
toy="$S/configs/toy/ring_gan.yaml $common dataset.size=2048 train.batch_size=64 train.n_critic=2
 train.steps=30 train.checkpoint_every=15"

run 0 train $toy experiment.workers=2 experiment.name=w2
two="$T/runs/w2"
[ "$(wc -l <"$T/out")" -eq 1 ] && [ "$(cat "$T/out")" = "$two" ] ||
    fail "stdout is not the one line $two:"
grep -qF "data-parallel over 2 ranks: global batch 64, 32 per rank" "$two/log.txt" ||
    fail "log.txt does not say the run is data-parallel"
run 0 train $toy experiment.workers=2 experiment.name=again
same "$two" "$T/runs/again" step_00000030.ckpt
run 0 train $toy experiment.name=w1
close "$T/runs/w1/metrics.csv" "$two/metrics.csv" 1e-5

# A resume of the two workers at step 15 continues bit for bit; one with another count is recorded.
cp -r "$two" "$T/resumed"
run 0 train --resume "$T/resumed" --checkpoint 15
same "$two" "$T/resumed" step_00000030.ckpt
run 0 train --resume "$T/resumed" train.steps=32 experiment.workers=1
grep -qF "experiment.workers: 2 -> 1" "$T/resumed/log.txt" || fail "the workers change is not in log.txt"

# A long run in its own process group ($! is rank 0 and the group), to the point of 5 logged rows.
start() { # NAME
    setsid "$G" train $toy train.steps=100000000 train.checkpoint_every=200 \
        experiment.workers=2 experiment.name="$1" \
        >"$T/out" 2>"$T/err" &
    pid=$!
    i=0
    until [ -f "$T/runs/$1/metrics.csv" ] && [ "$(wc -l <"$T/runs/$1/metrics.csv")" -gt 5 ]; do
        i=$((i + 1)); [ $i -lt 300 ] || break; sleep 0.05
    done
    worker=$(ps -o pid= --ppid "$pid" | tr -d ' ')
    [ -n "$worker" ] || fail "$1: no worker process"
}
# Waits up to 10 s for rank 0 to exit (rc its status; i: the 50 ms waits), else kills the group.
finish() { # WHAT
    i=0
    while kill -0 "$pid" 2>/dev/null && [ $i -lt 200 ]; do i=$((i + 1)); sleep 0.05; done
    if kill -0 "$pid" 2>/dev/null; then
        fail "$1: rank 0 still runs 10 s later"
        kill -9 -- "-$pid"
    fi
    wait "$pid"
    rc=$?
    sleep 0.1
    ! ps -o pid= --sid "$pid" | grep -q . || { fail "$1: processes left behind"; kill -9 -- "-$pid"; }
}

start killed
[ -z "$worker" ] || kill -9 "$worker"
finish "SIGKILL to the worker"
[ "$i" -lt 100 ] || fail "SIGKILL to the worker: rank 0 took over 5 s to stop"
[ "$rc" -eq 1 ] || fail "SIGKILL to the worker: exit $rc, expected 1"
grep -qF "worker 1 of 2 died (signal 9)" "$T/err" || fail "no message naming the killed worker"

# Rank 0 fails on its own (its checkpoint cannot be written): the worker stops too, saying why.
start failed
rm -rf "$T/runs/failed/checkpoints" && : >"$T/runs/failed/checkpoints"
finish "rank 0's failure"
[ "$rc" -eq 1 ] || fail "rank 0's failure: exit $rc, expected 1"
grep -qF "worker 1 of 2: worker 0 failed" "$T/err" || fail "the worker does not say rank 0 failed"

start stopped
kill -INT -- "-$pid"
finish "SIGINT to the group"
[ "$rc" -eq 130 ] || fail "SIGINT to the group: exit $rc, expected 130"
k=$(tail -n 1 "$T/runs/stopped/metrics.csv" | cut -d, -f1)
[ -f "$T/runs/stopped/checkpoints/step_$(printf %08d "$k").ckpt" ] ||
    fail "SIGINT: no checkpoint at the last logged step $k"
grep -q "stopped by signal 2 after step $k;" "$T/runs/stopped/log.txt" ||
    fail "SIGINT: log.txt does not say it stopped after step $k"
i=0
while kill -0 "$worker" 2>/dev/null && [ $i -lt 200 ]; do i=$((i + 1)); sleep 0.05; done
n=$(grep -c "^ganlab: stopped by SIGINT" "$T/err")
[ "$n" -eq 1 ] || fail "SIGINT: $n 'stopped by SIGINT' lines, expected 1 (rank 0's)"

for v in 0 17 two; do
    run 2 train $toy experiment.workers=$v experiment.name=bad
    grep -qF "'experiment.workers=$v'" "$T/err" || fail "workers=$v: the message does not name it"
done
[ ! -e "$T/runs/bad" ] || fail "a refused run left $T/runs/bad"

[ "$fails" -eq 0 ]

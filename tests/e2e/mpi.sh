#!/bin/sh
# shellcheck disable=SC2086 # the override lists are meant to split into words
# mpi.sh - data-parallel training (`mpirun -np 2 ganlab train`, docs/scaling.md), in the MPI build
# only (./configure --with-mpi). Two ranks on a global batch draw what one process draws, so their
# losses are one process's up to the order of the gradient sums: every logged value within 1e-5 of
# the one-process value (relative to max(1, |value|)) for 50 steps of a toy config and of an MLP
# config (with dropout) on generated data; with the penalties (WGAN-GP's interpolation, R1, R2,
# instance noise) the first step's D terms within 1e-5 (after an update Adam's normalised steps
# of near-zero gradients let later rows drift further, as a change of thread count does). Batch
# norm keeps per-rank statistics: there the first step differs. -np 1 is one process, bit for
# bit. A resume under mpirun continues bit for bit; a signal to one rank stops both at the same
# step with a checkpoint; a global batch that does not split exits 2, as does experiment.workers.
. "${GL_SRCDIR:?run through make check}/tests/e2e/lib.sh"
has() { grep -qF -- "$2" "$T/$1" || { fail "no '$2' in std$1:"; tail -5 "$T/$1"; }; }

np() {
    n=$1; shift
    set -- -np "$n" --oversubscribe --mca btl self,vader --bind-to none "$@"
    [ "$(id -u)" -ne 0 ] || set -- --allow-run-as-root "$@"
    [ -z "${exec_mpirun:-}" ] || exec mpirun "$@" # in the background: $! is mpirun's pid
    mpirun "$@"
}
# mpirun -np N ganlab ARGS... (stdout in $T/out, stderr in $T/err), expected to exit WANT_RC.
mpi() {
    want=$1 n=$2; shift 2
    np "$n" "$G" "$@" >"$T/out" 2>"$T/err"
    rc=$?
    [ "$rc" -eq "$want" ] || { fail "mpirun -np $n ganlab $* exited $rc, expected $want:"; tail -8 "$T/err"; }
}

command -v mpirun >/dev/null || { echo "mpirun not found (Debian openmpi-bin)"; exit 1; }
mkdir -p "$T/data" && "$B/tests/data/make_idx" "$T/data" 96 32 || exit 99
common="train.log_every=1 train.eval_every=0 train.sample_every=0 experiment.threads=1
 experiment.out_dir=$T/runs"
toy="$S/configs/toy/ring_gan.yaml $common dataset.size=2048 train.batch_size=64 train.n_critic=2
 train.steps=50 train.checkpoint_every=25"
mlp="$S/configs/fashion_mnist/gan.yaml $common dataset.path=$T/data train.epochs=~ train.steps=50
 train.batch_size=32 train.checkpoint_every=25 model.g_hidden=[64,64] model.d_hidden=[64,64]"

# A toy config and an MLP config: one process, two ranks, and a resume of the two ranks at 25.
for what in toy mlp; do
    eval "args=\$$what"
    [ "$what" = mlp ] && args="$args model.d_dropout=0.3"
    run 0 train $args experiment.name="$what-1"
    one=$(tail -n 1 "$T/out")
    mpi 0 2 train $args experiment.name="$what-2"
    two=$(tail -n 1 "$T/out")
    has err "data-parallel over 2 ranks: global batch"
    [ "$(wc -l <"$two/metrics.csv")" -eq 51 ] || fail "$two/metrics.csv: expected 50 rows"
    close "$one/metrics.csv" "$two/metrics.csv" 1e-5
    cp -r "$two" "$T/resumed-$what"
    mpi 0 2 train --resume "$T/resumed-$what" --checkpoint 25
    same "$two" "$T/resumed-$what" step_00000050.ckpt
done

# One rank is one process, bit for bit.
mpi 0 1 train $toy experiment.name=toy-np1
same "$T/runs/toy-1" "$(tail -n 1 "$T/out")" step_00000050.ckpt

# Every random draw of a D update: WGAN-GP's interpolation weights, R1 and R2, instance noise,
# and an unrolled G update. Step 1's D terms are computed before any update.
pen="$S/configs/toy/grid_wgan_gp.yaml $common dataset.size=2048 train.batch_size=64
 train.n_critic=1 train.r1_gamma=1 train.r2_gamma=1 train.instance_noise=0.1 train.unroll_steps=1
 train.steps=2"
run 0 train $pen experiment.name=pen-1
mpi 0 2 train $pen experiment.name=pen-2
cut -d, -f1-3,5-10 "$T/runs/pen-1/metrics.csv" >"$T/pen-1.csv"
cut -d, -f1-3,5-10 "$T/runs/pen-2/metrics.csv" >"$T/pen-2.csv"
head -n 1 "$T/pen-1.csv" | grep -q "d_fake,r1,r2" || fail "pen: unexpected columns"
close "$T/pen-1.csv" "$T/pen-2.csv" 1e-5 1

# Batch norm: statistics per rank (as PyTorch DDP's default), so the first D loss is not one
# process's; the running averages, averaged over the ranks, resume bit for bit.
bn="$mlp model.g_norm=batch model.d_norm=batch"
run 0 train $bn experiment.name=bn-1
mpi 0 2 train $bn experiment.name=bn-2
awk -F, 'NR == FNR { if (FNR == 2) a = $3; next }
         FNR == 2 { d = a - $3; exit (d < 0 ? -d : d) > 1e-4 ? 0 : 1 }' \
    "$T/runs/bn-1/metrics.csv" "$T/runs/bn-2/metrics.csv" ||
    fail "batch norm: the two ranks' first d_loss is one process's (synchronised statistics?)"
cp -r "$T/runs/bn-2" "$T/resumed-bn"
mpi 0 2 train --resume "$T/resumed-bn" --checkpoint 25
same "$T/runs/bn-2" "$T/resumed-bn" step_00000050.ckpt

# A signal to one rank stops both after the same step, with a checkpoint: SIGTERM to rank 1
# (exit 143), SIGUSR1 to rank 0 (exit 75, requeue).
stop_rank() { # SIGNAL RANK NAME
    (exec_mpirun=1; np 2 "$G" train $toy train.steps=1000000 experiment.name="$3" >"$T/out" 2>"$T/err") &
    mpirun_pid=$!
    i=0
    until [ -f "$T/runs/$3/metrics.csv" ] && [ "$(wc -l <"$T/runs/$3/metrics.csv")" -gt 20 ]; do
        i=$((i + 1)); [ $i -lt 300 ] || break; sleep 0.1
    done
    for p in $(ps -o pid= --ppid "$mpirun_pid"); do
        tr '\0' '\n' <"/proc/$p/environ" 2>/dev/null | grep -qx "OMPI_COMM_WORLD_RANK=$2" && kill -"$1" "$p"
    done
    wait "$mpirun_pid"
    rc=$?
    k=$(tail -n 1 "$T/runs/$3/metrics.csv" | cut -d, -f1)
    [ -f "$T/runs/$3/checkpoints/step_$(printf %08d "$k").ckpt" ] ||
        fail "$3: no checkpoint at the last logged step $k"
    grep -q "stopped by signal $4 after step $k;" "$T/runs/$3/log.txt" ||
        fail "$3: log.txt does not say it stopped after step $k"
}
stop_rank TERM 1 term 15
[ "$rc" -eq 143 ] || fail "SIGTERM to rank 1: mpirun exited $rc, expected 143"
mpi 0 2 train --resume "$T/runs/term" train.steps=$((k + 5))
stop_rank USR1 0 usr1 10
[ "$rc" -eq 75 ] || fail "SIGUSR1 to rank 0: mpirun exited $rc, expected 75"

# A global batch that does not split over the ranks: exit 2 before any run directory exists.
mpi 2 2 train $toy train.batch_size=63 experiment.name=odd
has err "train.batch_size 63 does not split over 2 ranks"
[ ! -e "$T/runs/odd" ] || fail "a refused run left $T/runs/odd"

# experiment.workers is the MPI-free build's: refused here, under mpirun or not (exit 2).
mpi 2 2 train $toy experiment.workers=2 experiment.name=workers
has err "experiment.workers 2 under mpirun's 2 ranks"
run 2 train $toy experiment.workers=2 experiment.name=workers
grep -qF "this ganlab was built with MPI" "$T/err" || fail "workers=2 without mpirun: not refused"
[ ! -e "$T/runs/workers" ] || fail "a refused run left $T/runs/workers"

[ "$fails" -eq 0 ]

#!/bin/sh
# make_seeds.sh BUILD_DIR - writes the seed corpora of the fuzz harnesses into tests/fuzz/corpus/
# (committed; rerun only to change them). Configs and suites are the shipped ones; IDX and
# checkpoint files are built byte by byte here; PNGs come from `ganlab sample` of a tiny run.
set -eu
S=$(cd "$(dirname "$0")/../.." && pwd)
B=$(cd "${1:?usage: make_seeds.sh BUILD_DIR}" && pwd)
C="$S/tests/fuzz/corpus"
rm -rf "$C"
mkdir -p "$C/config" "$C/override" "$C/suite" "$C/idx" "$C/png" "$C/checkpoint"

# le VALUE BYTES: VALUE as BYTES little-endian bytes; be: big-endian.
le() { v=$1; i=0; while [ $i -lt "$2" ]; do printf "\\$(printf %03o $((v & 255)))"; v=$((v >> 8)); i=$((i + 1)); done; }
be() { i=$(($2 - 1)); while [ $i -ge 0 ]; do printf "\\$(printf %03o $(((${1} >> (8 * i)) & 255)))"; i=$((i - 1)); done; }

# config: every shipped config alone, and compositions of main.yaml over bases split by "#>".
for f in "$S"/configs/toy/*.yaml "$S"/configs/fashion_mnist/*.yaml "$S"/tests/data/config/*.yaml; do
    cp "$f" "$C/config/$(basename "$(dirname "$f")")_$(basename "$f")"
done
printf 'base: [a.yaml, b.yaml]\ntrain: {steps: 5}\n#>\nbase: c.yaml\nmodel: {plugin: mlp}\n#>\nexperiment: &e {seed: 3}\nx: *e\n#>\ntrain: {batch_size: 8, steps: ~}\n' > "$C/config/compose"
printf 'base: main.yaml\n' > "$C/config/cycle"
printf 'base: a.yaml\n#>\nbase: [b.yaml, b.yaml]\n#>\nbase: c.yaml\n#>\ndataset: {plugin: toy2d}\n' > "$C/config/chain"

# override: one KEY=VALUE per line.
printf 'train.steps=5\nmodel.g_hidden=[64, 64]\nexperiment.seed=7\n' > "$C/override/basic"
printf 'eval.evaluators=[{plugin: modes2d}]\ndataset={plugin: toy2d, size: 8}\ntrain.epochs=~\n' > "$C/override/maps"
printf 'a.b.c.d.e=1\n=x\ntrain..steps=2\nexperiment.name=&a [*a]\n' > "$C/override/odd"

cp "$S"/configs/suites/*.yaml "$C/suite/"

# idx: mode byte (bit 0: gzip, bit 1: labels), then the file.
for m in 0 1; do
    { le $((m)) 1; printf '\000\000\010\003'; be 2 4; be 2 4; be 2 4; printf '\001\002\003\004\005\006\007\010'; } > "$C/idx/images$m"
    { le $((m | 2)) 1; printf '\000\000\010\001'; be 3 4; printf '\000\001\002'; } > "$C/idx/labels$m"
done
{ le 0 1; printf '\000\000\010\004'; be 1 4; be 2 4; be 1 4; be 3 4; printf 'abcdef'; } > "$C/idx/colour"
# Decoded-image entries (mode bit 2; bit 3: the harness appends the checksum; bit 4: the harness
# asks for its decoder's 3 x 1 x 4 x 5): whole and of that shape, of 2 items (so of another
# shape), of any shape (1 x 3 x 2 x 2, channels last), and without the checksum.
entry() { le "$1" 1; printf '\000\000\010\005'; be "$2" 4; be "$3" 4; be "$4" 4; be "$5" 4; be "$6" 4; yes abcdefghij | tr -d "\n" | head -c "$7"; }
entry 28 3 0 1 4 5 60 > "$C/idx/entry_whole"
entry 28 2 0 1 4 5 40 > "$C/idx/entry_short"
entry 12 1 1 3 2 2 12 > "$C/idx/entry_any"
entry 4 3 0 1 4 5 60 > "$C/idx/entry_raw"

# checkpoint: mode byte 1 (the harness writes the CRC), then a file of fuzz_checkpoint.c's shape.
sec() { printf '%s' "$1"; le "$2" 8; head -c "$2" /dev/zero; }
rng() { le 1 8; le "$1" 8; le 5 8; le 0 16; le 4 4; le 0 4; }
{
    le 1 1; printf 'GLCKPT\r\n'; le 1 4; le 7 4
    printf 'STAT'; le 192 8; le 3 8; le 3 8; le 0 8; le 48 8; le 3 8; le 3 8; rng 3; rng 4; rng 5
    sec GVAL 16; sec GBUF 8; sec DVAL 12; sec DBUF 0; sec OPTG 32; sec OPTD 24; le 0 4
} > "$C/checkpoint/valid"

# png: a grey 28x28 grid and a 2-D scatter plot from a tiny run.
T=$(mktemp -d) && trap 'rm -rf "$T"' EXIT
mkdir -p "$T/data"
"$B/tests/data/make_idx" "$T/data" 16 8
"$B/core/ganlab" train "$S/configs/fashion_mnist/gan.yaml" dataset.path="$T/data" train.epochs=0 \
    train.steps=1 train.batch_size=8 train.sample_every=0 experiment.out_dir="$T/runs" \
    experiment.threads=1 eval.samples=16 > "$T/out" 2>/dev/null
"$B/core/ganlab" sample "$(tail -n 1 "$T/out")" -n 1 -o "$C/png/grey.png" 2>/dev/null
"$B/core/ganlab" sample "$(tail -n 1 "$T/out")" -n 4 -o "$C/png/grid.png" 2>/dev/null

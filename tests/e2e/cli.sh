#!/bin/sh
# cli.sh - the ganlab command end to end: help, version, usage errors, exit codes, `plugins`
# (listing, shadowing, parameters, near names, broken plugins), `config` (defaults, overrides,
# round trip), `train`'s refusals, and SIGTERM. Runs the built core/ganlab through libtool's wrapper.
# Needs GL_BUILDDIR and GL_SRCDIR (make check sets them).
set -u
B=${GL_BUILDDIR:?run through make check}
S=${GL_SRCDIR:?run through make check}
G="$B/core/ganlab"
P="$B/tests/plugins/.libs"
CFG="$S/tests/e2e/cli_stub.yaml"
T=$(mktemp -d /tmp/gl_cli_XXXXXX) || exit 99
trap 'rm -rf "$T"' EXIT
unset GANLAB_PLUGIN_PATH
fails=0

# run WANT_RC ARGS...: runs ganlab, keeping stdout in $T/out and stderr in $T/err.
run() {
    want=$1; shift
    "$G" "$@" >"$T/out" 2>"$T/err"
    rc=$?
    if [ "$rc" -ne "$want" ]; then
        echo "FAIL: ganlab $* exited $rc, expected $want; stderr:"; cat "$T/err"
        fails=$((fails + 1))
    fi
}
# has FILE TEXT: FILE (out or err) has a line containing TEXT.
has() {
    if ! grep -qF -- "$2" "$T/$1"; then
        echo "FAIL: no '$2' in std$1 of the last command:"; cat "$T/$1"
        fails=$((fails + 1))
    fi
}
# line FILE TEXT: FILE has exactly the line TEXT.
line() {
    if ! grep -qxF -- "$2" "$T/$1"; then
        echo "FAIL: no line '$2' in std$1 of the last command:"; cat "$T/$1"
        fails=$((fails + 1))
    fi
}
empty() {
    if [ -s "$T/$1" ]; then
        echo "FAIL: std$1 of the last command is not empty:"; cat "$T/$1"
        fails=$((fails + 1))
    fi
}

# help, version, usage errors
run 0 --help;              has out "usage: ganlab [--plugin-path DIR]... COMMAND"; empty err
# The top-level help lists every command with its whole synopsis (never cut mid-word; a long one
# wraps between words, so compare with the help's words joined by single spaces).
cp "$T/out" "$T/help"
tr -s ' \n' '  ' <"$T/help" >"$T/help1"
for c in config plugins train sample eval plugin-check compare suite; do
    syn=$("$G" "$c" --help | head -n 1 | sed 's/^usage: ganlab //')
    grep -qF " $syn " "$T/help1" ||
        { echo "FAIL: --help does not show '$syn' whole"; fails=$((fails + 1)); }
done
awk 'length > 100 { exit 1 }' "$T/help" || { echo "FAIL: --help has lines over 100"; fails=$((fails + 1)); }
run 0 --version;           line out "ganlab 0.1.0 (plugin ABI 2)"
run 2;                     line err "ganlab: error: no command given"; has err "usage:"; empty out
run 2 frobnicate;          line err "ganlab: error: unknown command 'frobnicate'"; has err "usage:"
run 2 --frob plugins;      line err "ganlab: error: unknown option '--frob'"; empty out
run 2 plugins --plugin-path; line err "ganlab: error: option --plugin-path needs a directory"
run 0 plugins --help;      line out "usage: ganlab plugins [NAME]"
run 0 config -h;           line out "usage: ganlab config CFG [KEY=VALUE...]"
run 2 plugins a b;         line err "ganlab: error: wrong number of arguments for 'plugins'"
run 2 config;              line err "ganlab: error: wrong number of arguments for 'config'"

# plugins: the bundled optimizers from the build tree
run 0 plugins;             has out "  adam "; has out "  sgd "; has out "  rmsprop "; empty err
line out "optimizer:"
run 0 plugins adam
line out "adam (optimizer plugin): Adam with bias correction, as torch.optim.Adam (float32)"
line out "file: $B/plugins/optimizer/.libs/adam.so"
line out "  lr            float  0.001    [0, inf]       no        learning rate"
run 2 plugins adma
has err "ganlab: error: plugin 'adma' not found in $B/plugins/dataset/.libs, $B/plugins/model/.libs, $B/plugins/loss/.libs, $B/plugins/optimizer/.libs, $B/plugins/evaluator/.libs, /"
has err "/ganlab/plugins; did you mean 'adam'?"

# --plugin-path before or after the command, GANLAB_PLUGIN_PATH, and broken plugins
run 0 --plugin-path "$P" plugins tiny; line out "tiny (optimizer plugin): test plugin tiny"
line out "  seed   int       -        -              yes       required, no default"
line out "  mode   choice    fast     fast|slow      no        a choice"
run 0 plugins tiny --plugin-path="$P"; line out "file: $P/tiny.so"
GANLAB_PLUGIN_PATH="/nowhere:$P" run 0 plugins tiny; line out "file: $P/tiny.so"
run 2 plugins wrong_abi --plugin-path "$P"
line err "ganlab: error: $P/wrong_abi.so was built for plugin ABI 1, but this ganlab has ABI 2 (ABI 2 renamed gl_loss_env.runner to core and added gl_eval_env.stop; a loss may leave failures to the core and add terms with gl_loss_term): rebuild the plugin against this ganlab"
run 2 plugins dup --plugin-path "$P"
line err "ganlab: error: $P has two plugins named 'dup': dup_a.so and dup_b.so; keep one"
run 0 plugins --plugin-path "$P"
line out "  wrong_kind       a loss"
line err "ganlab: warning: $P/no_entry.so is not a ganlab plugin (it does not export gl_plugin_entry)"
line err "ganlab: warning: $P/missing_fn.so: optimizer plugin 'missing_fn' does not set the required function 'step'"

# shadowing: a copy of adam in a directory searched first
mkdir "$T/first" && cp "$B/plugins/optimizer/.libs/adam.so" "$T/first/adam.so"
run 0 plugins --plugin-path "$T/first"
line out "                   shadows $B/plugins/optimizer/.libs/adam.so"
run 0 --plugin-path "$T/first" plugins adam
line out "file: $T/first/adam.so"; line out "shadows $B/plugins/optimizer/.libs/adam.so"

# config: defaults filled in, overrides, a round trip, refusals
run 0 --plugin-path "$P" config "$CFG"; empty err
has out "beta2: 0.999"; has out "width: 8"; has out "plugin: tiny"
cp "$T/out" "$T/resolved.yaml"
run 0 --plugin-path "$P" config "$T/resolved.yaml"
if ! cmp -s "$T/out" "$T/resolved.yaml"; then
    echo "FAIL: config output does not load back to itself"; fails=$((fails + 1))
fi
run 0 --plugin-path "$P" config "$CFG" optimizer.generator.lr=0.125; has out "lr: 0.125"
run 2 --plugin-path "$P" config "$CFG" optimizer.generator.plugin=adma
has err "optimizer plugin 'adma' not found in $P, "
run 2 --plugin-path "$P" config "$CFG" optimizer.discriminator.plugin=wrong_kind
has err "plugin 'wrong_kind' ($P/wrong_kind.so) is a loss plugin, but section 'optimizer.discriminator' needs an optimizer plugin"
run 2 config "$T/no-such.yaml"
# engine.precision: fp32 by default; bf16 refused where the CPU cannot (faked here) or on no oneDNN
run 0 --plugin-path "$P" config "$CFG"; has out "precision: fp32"
GANLAB_FAKE_NO_BF16=1 run 2 --plugin-path "$P" config "$CFG" engine.precision=bf16
has err "engine.precision bf16 is refused: "
GANLAB_FAKE_NO_BF16=1 run 2 --plugin-path "$P" train "$CFG" engine.precision=bf16
run 2 --plugin-path "$P" config "$CFG" engine.precision=fp16

# train refuses a bad config before it starts (training itself: tests/e2e/train.sh)
run 2 --plugin-path "$P" train "$CFG" model.width=0
run 2 train --resume
has err "option --resume needs a value (RUN_DIR)"
run 2 config --resume x "$CFG"
has err "unknown option '--resume'"

# A FIFO as the config is refused at once, without waiting for a writer (tests/e2e/hostile.sh has
# the rest of the hostile inputs; SIGTERM during training: tests/e2e/train.sh)
mkfifo "$T/fifo"
run 2 config "$T/fifo"
has err "not a regular file"

[ "$fails" -eq 0 ] && echo "cli.sh: all passed"
[ "$fails" -eq 0 ]

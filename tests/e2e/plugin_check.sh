#!/bin/sh
# plugin_check.sh - `ganlab plugin-check` end to end: every bundled plugin listed by `ganlab plugins`
# passes (idx and image_folder on small data made here, since their defaults need files CI lacks),
# deliberately wrong plugins fail (exit 1), and usage errors and unusable plugins exit 2.
# Needs GL_BUILDDIR and GL_SRCDIR (make check sets them).
set -u
B=${GL_BUILDDIR:?run through make check}
G="$B/core/ganlab"
P="$B/tests/plugins/.libs"
W="$B/tests/plugins/check/.libs"
T=$(mktemp -d /tmp/gl_pcheck_XXXXXX) || exit 99
trap 'rm -rf "$T"' EXIT
unset GANLAB_PLUGIN_PATH
XDG_CACHE_HOME=$T/cache # the decompressed IDX files: not the user's cache
export XDG_CACHE_HOME
fails=0

# expect WANT_RC ARGS...: runs ganlab plugin-check ARGS, output in $T/out and $T/err.
expect() {
    want=$1; shift
    "$G" plugin-check "$@" >"$T/out" 2>"$T/err"
    rc=$?
    if [ "$rc" -ne "$want" ]; then
        echo "FAIL: ganlab plugin-check $* exited $rc, expected $want:"; cat "$T/out" "$T/err"
        fails=$((fails + 1))
    fi
}
has() {
    if ! grep -qF -- "$2" "$T/$1"; then
        echo "FAIL: no '$2' in std$1 of plugin-check:"; cat "$T/$1"
        fails=$((fails + 1))
    fi
}

# Data for the dataset plugins: IDX files, and a folder of PNGs in two classes (8x8 grey).
mkdir -p "$T/idx" && "$B/tests/data/make_idx" "$T/idx" 64 16 >/dev/null || exit 99
for c in a b; do mkdir -p "$T/png/$c"; done
echo 'iVBORw0KGgoAAAANSUhEUgAAAAgAAAAICAAAAADhZOFXAAAAMklEQVR4nGPgktKy8orKqmIQUjJyCkoqamKACnQxQAUmMUAFZjFABRYxQAVWMUAFNgEA2uYXgSZME2oAAAAASUVORK5CYII=' \
    | base64 -d >"$T/png/a/0.png"
echo 'iVBORw0KGgoAAAANSUhEUgAAAAgAAAAICAAAAADhZOFXAAAAM0lEQVR4nGNIKWmZsmTLkSsMOTU9c9bsOXOHASrwhAEq8IYBKvCFASrwhwEqwMIAFeABAPoTLAF8r+fQAAAAAElFTkSuQmCC' \
    | base64 -d >"$T/png/b/0.png"
cp "$T/png/a/0.png" "$T/png/a/1.png"
cp "$T/png/b/0.png" "$T/png/b/1.png"

# Every bundled plugin, as `ganlab plugins` lists them ("KIND:" headers, "  NAME  summary" rows).
"$G" plugins >"$T/list" 2>/dev/null || { echo "FAIL: ganlab plugins"; exit 1; }
n=0
while read -r first rest; do
    case "$first" in
    *:) kind=${first%:}; continue ;;
    "(none)") continue ;;
    esac
    case "$first" in
    idx | stacked) set -- --set "path=$T/idx" ;;
    image_folder) set -- --set "path=$T/png" --set channels=1 ;;
    *) set -- ;;
    esac
    expect 0 "$first" --kind "$kind" "$@"
    has out "checking $kind plugin '$first'"
    n=$((n + 1))
done <"$T/list"
[ "$n" -ge 10 ] || { echo "FAIL: only $n plugins listed"; fails=$((fails + 1)); }

# D's regularisers (docs/models.md), on small nets: every gradient check passes with them on.
# (Spectral norm's gradient treats the power iteration's vectors as constants, as torch's does,
# which is d sigma / d W only once they have converged; with maxout too, 3 of 24 coordinates of
# this tiny conditional D missed, so maxout is checked without it.)
small="--set latent_dim=3 --set g_hidden=[8] --set d_hidden=[8,6] --set minibatch_std=true"
expect 0 mlp $small --set spectral_norm=true
has out "14 passed, 0 failed, 0 skipped"
expect 0 mlp $small --set d_activation=maxout --set maxout_pieces=3
has out "14 passed, 0 failed, 0 skipped"
expect 0 dcgan --set latent_dim=3 --set ngf=2 --set ndf=3 --set spectral_norm=true \
    --set minibatch_std=true
has out "8 passed, 0 failed, 2 skipped"
# DCGAN's initialisation (model.init: normal): every check passes from the small weights too.
# shellcheck disable=SC2086
expect 0 mlp $small --set init=normal
has out "14 passed, 0 failed, 0 skipped"
expect 0 dcgan --set latent_dim=3 --set ngf=2 --set ndf=3 --set init=normal --set minibatch_std=true
has out "8 passed, 0 failed, 2 skipped"

# Wrong plugins fail, by file, with the failing check named.
expect 1 "$W/bad_loss.so"
has out "FAIL loss d_loss: gradient w.r.t. D's parameters: "
has out "7 passed, 1 failed, 0 skipped"
has err "ganlab: error: plugin 'bad_loss': 1 of 8 checks failed"
expect 1 "$W/bad_model.so" --seed 7
has out "FAIL model on images (1, 28, 28), 10 classes: D gradient of sum w D(x): "
expect 1 "$W/bad_optimizer.so"
has out "PASS optimizer: 200 steps"
has out "FAIL optimizer: step_scaled gives the bytes of step and the core's blend; not: param "
has out "at lr_scale 0.37: "

# Required parameters, --set, --kind, and what cannot be loaded or parsed.
expect 2 tiny --plugin-path "$P"
has err "plugin 'tiny': parameter 'seed' is required and has no default, so the plugin cannot be checked with defaults: give it with --set seed=VALUE"
expect 1 tiny --plugin-path "$P" --set seed=1 --set=mode=slow
has out "FAIL optimizer: 200 steps"
expect 2 sgd --set lr=-1
has err "optimizer.generator.lr=-1"
expect 2 adam --kind loss
has err "is an optimizer plugin, but this needs a loss plugin"
expect 2 adam --kind lossy
has err "--kind 'lossy': expected dataset, model, loss, optimizer or evaluator"
expect 2 adam --seed x
has err "--seed 'x': expected an integer >= 0"
expect 2 "$P/wrong_abi.so"
has err "was built for plugin ABI 1, but this ganlab has ABI 2 (ABI 2 renamed"
expect 2 "$P/missing_fn.so"
has err "does not set the required function"
expect 2 "$T/none.so"
has err "$T/none.so: no such plugin file"
expect 2 "$T"
has err "$T: not a regular file (a plugin is a .so file)"
expect 2 adma
has err "did you mean 'adam'?"
expect 2

[ "$fails" -eq 0 ] || { echo "$fails failure(s)"; exit 1; }
echo "plugin_check.sh: all passed ($n bundled plugins)"

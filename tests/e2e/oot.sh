#!/bin/sh
# oot.sh - out-of-tree plugins against an installed ganlab: `make install DESTDIR=TMP` of this
# build, then every example of docs/examples/KIND/NAME.c (one per kind) compiled with only the
# flags of the installed pkg-config file, then loaded and plugin-checked by the installed ganlab.
# Proves the installed headers, library and .pc suffice, and that the examples keep their
# contracts.
# Also what else the install puts in place: the manual page (`man` finds and renders it), the bash
# completion, every doc and every example config of the source tree.
#
# DESTDIR, not prefix=TMP: libtool refuses to install a module outside the directory it was linked
# for. A staged install is then used the standard way: PKG_CONFIG_SYSROOT_DIR makes pkg-config
# prefix its -I/-L paths with TMP, and LD_LIBRARY_PATH lets the staged binary find its library.
# Needs GL_BUILDDIR and GL_SRCDIR (make check sets them).
set -u
B=${GL_BUILDDIR:?run through make check}
S=${GL_SRCDIR:?run through make check}
T=$(mktemp -d /tmp/gl_oot_XXXXXX) || exit 99
trap 'rm -rf "$T"' EXIT
fail() { echo "FAIL: $*"; exit 1; }

# A sub-make of this build; MAKEFLAGS from make check would pass on its jobserver and targets.
env -u MAKEFLAGS -u MFLAGS make -s -C "$B" install DESTDIR="$T" >"$T/install.log" 2>&1 ||
    { cat "$T/install.log"; fail "make install DESTDIR=$T"; }
pcdir=$(dirname "$(find "$T" -name ganlab.pc)")
libdir=$(dirname "$pcdir")
ganlab=$(find "$T" -path '*/bin/ganlab')
[ -x "$ganlab" ] || fail "no bin/ganlab installed"
export LD_LIBRARY_PATH="$libdir${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"

flags=$(PKG_CONFIG_SYSROOT_DIR="$T" PKG_CONFIG_PATH="$pcdir" pkg-config --cflags --libs ganlab) ||
    fail "pkg-config does not know the installed ganlab"
mkdir "$T/oot"
kinds=
for src in "$S"/docs/examples/*/*.c; do
    kind=$(basename "$(dirname "$src")")
    name=$(basename "$src" .c)
    ${CC:-cc} -std=c11 -Wall -Wextra -Werror -Wno-unused-parameter "$src" $flags -lm -shared \
        -fPIC -o "$T/oot/$name.so" || fail "docs/examples/$kind/$name.c does not build with: $flags"
    "$ganlab" plugin-check "$T/oot/$name.so" --kind "$kind" >"$T/check" 2>&1 ||
        { cat "$T/check"; fail "docs/examples/$kind/$name.c fails plugin-check"; }
    kinds="$kinds $kind"
done
[ "$kinds" = " dataset evaluator loss model optimizer" ] ||
    fail "docs/examples/ should hold one plugin of each kind, found:$kinds"
# docs/plugins.md shows the loss example in full: its copy must be the file.
awk '/^<!-- docs\/examples\/loss\/lsgan.c -->$/ { on = 1; next }
     on && /^```c$/ { copy = 1; next } copy && /^```$/ { exit } copy' "$S/docs/plugins.md" \
    >"$T/shown.c"
cmp -s "$T/shown.c" "$S/docs/examples/loss/lsgan.c" ||
    fail "docs/plugins.md's copy of docs/examples/loss/lsgan.c differs from the file"

out=$("$ganlab" plugins sign_sgd --plugin-path "$T/oot" 2>"$T/err") ||
    { cat "$T/err"; fail "the installed ganlab does not load the example plugin"; }
echo "$out" | grep -qxF "sign_sgd (optimizer plugin): signSGD: steps by the sign of the gradient" ||
    fail "unexpected output: $out"
echo "$out" | grep -qF "  lr    float  0.001    [0, 1]" || fail "unexpected parameters: $out"

# An example evaluator in a real run: its gl_plugin_log line reaches the run's log.txt.
"$ganlab" train "$S/configs/toy/ring_gan.yaml" train.steps=20 train.eval_every=20 \
    'eval.evaluators=[{plugin: mean_gap, samples: 100}]' experiment.out_dir="$T/runs" \
    experiment.name=logged --plugin-path "$T/oot" --plugin-path "$libdir/ganlab/plugins" \
    >/dev/null 2>"$T/err" ||
    { cat "$T/err"; fail "a run with the example evaluator failed"; }
grep -qxF "[mean_gap] real mean from 100 train items" "$T/runs/logged/log.txt" ||
    fail "the plugin's log line is not in log.txt: $(cat "$T/runs/logged/log.txt")"
grep -qE '^20,[0-9.e-]+$' "$T/runs/logged/eval.csv" ||
    fail "no eval.csv row: $(cat "$T/runs/logged/eval.csv")"

# SIGTERM during a long evaluation: the example evaluator polls gl_eval_env.stop, so the run stops
# within a slice, as between steps: a checkpoint of the step, no eval.csv row, exit 143.
"$ganlab" train "$S/configs/toy/ring_gan.yaml" train.steps=1 train.eval_every=1 \
    'eval.evaluators=[{plugin: mean_gap, samples: 100000000}]' experiment.out_dir="$T/runs" \
    experiment.name=stopped --plugin-path "$T/oot" --plugin-path "$libdir/ganlab/plugins" \
    >/dev/null 2>"$T/err" &
pid=$!
log=$T/runs/stopped/log.txt
i=0
until grep -qF "[mean_gap] real mean" "$log" 2>/dev/null; do
    i=$((i + 1))
    [ $i -lt 300 ] || { kill -KILL $pid; fail "the evaluation did not start: $(cat "$T/err")"; }
    sleep 0.1
done
kill -TERM $pid
# Running until it exits (a zombie, state Z, has exited), for at most 20 s.
running() { [ -r /proc/$pid/stat ] && ! grep -q '^[0-9]* (.*) Z' /proc/$pid/stat; }
i=0
while running; do
    i=$((i + 1))
    [ $i -lt 200 ] || { kill -KILL $pid; fail "the evaluation did not stop 20 s after SIGTERM"; }
    sleep 0.1
done
wait $pid
rc=$?
[ $rc -eq 143 ] || fail "SIGTERM during an evaluation gave exit $rc, expected 143: $(cat "$T/err")"
[ -f "$T/runs/stopped/checkpoints/step_00000001.ckpt" ] || fail "no checkpoint after the stop"
grep -qF "stopped by signal 15 after step 1" "$log" || fail "log.txt: $(cat "$log")"
[ "$(wc -l <"$T/runs/stopped/eval.csv")" -le 1 ] || fail "an interrupted evaluation wrote a row"

# The bundled plugins are installed too, and the installed binary finds nothing of the build tree.
"$ganlab" plugins adam --plugin-path "$libdir/ganlab/plugins" >/dev/null 2>"$T/err" ||
    { cat "$T/err"; fail "installed adam does not load"; }
"$ganlab" plugins no_such_plugin 2>"$T/err"
grep -qF "$B/" "$T/err" && fail "the installed ganlab searches the build tree: $(cat "$T/err")"
# The manual page, found by man through the staged MANPATH and rendered without warnings.
man1=$(find "$T" -path '*/man1/ganlab.1')
[ -f "$man1" ] || fail "no man1/ganlab.1 installed"
page=$(LC_ALL=C.UTF-8 MANWIDTH=100 MANPATH="${man1%/man1/ganlab.1}" man --warnings ganlab 2>"$T/man.err") ||
    fail "man ganlab: $(cat "$T/man.err")"
[ -s "$T/man.err" ] && fail "man ganlab warns: $(cat "$T/man.err")"
echo "$page" | grep -q "EXIT STATUS" || fail "man ganlab: no EXIT STATUS section"
LC_ALL=C.UTF-8 man -l "$S/docs/ganlab.1" >/dev/null 2>&1 || fail "man -l docs/ganlab.1"
# The bash completion, and what it offers for a config's keys.
comp=$(find "$T" -path '*/bash-completion/completions/ganlab')
[ -f "$comp" ] || fail "no bash-completion/completions/ganlab installed"
if command -v bash >/dev/null; then
    got=$(PATH="$(dirname "$ganlab"):$PATH" GANLAB_PLUGIN_PATH="$libdir/ganlab/plugins" bash -c '. "$1"; COMP_WORDS=(ganlab train "$2" loss.);
        COMP_CWORD=3; _ganlab; echo "${COMPREPLY[*]}"' - "$comp" "$S/configs/toy/ring_gan.yaml")
    [ "$got" = "loss.plugin= loss.generator= loss.real_label=" ] || fail "completion of loss.: '$got'"
    got=$(PATH="$(dirname "$ganlab"):$PATH" GANLAB_PLUGIN_PATH="$libdir/ganlab/plugins" bash -c '. "$1"; COMP_WORDS=(ganlab pl);
        COMP_CWORD=1; _ganlab; echo "${COMPREPLY[*]}"' - "$comp")
    [ "$got" = "plugins plugin-check" ] || fail "completion of pl: '$got'"
fi
# Every doc and example config of the source, where the docs say.
for f in $(cd "$S" && find configs docs -name '*.yaml' -o -name '*.md' -o -name '*.png' -o -name '*.c') \
         README.md; do
    case $f in
        configs/*) [ -f "$(find "$T" -path "*/share/ganlab/$f")" ] || fail "$f not installed" ;;
        *) [ -f "$(find "$T" -path "*/share/doc/ganlab/$f")" ] || fail "$f not installed" ;;
    esac
done
echo "oot.sh: all passed"

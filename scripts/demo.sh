#!/usr/bin/env bash
# The main job: builds everything (engine and Eclipse update site, tests skipped: ./scripts/test.sh
# runs them), shows the engine version (from the command line tool and through Java/JNA) and the
# path of the update-site zip, then runs the end-to-end demo: a sample C program stopped under
# gdb at a breakpoint is saved into a statefile and killed, then restarted from that statefile
# in a new gdb, which shows the same backtrace and locals and runs it to its end.
# Extra arguments go to Maven.
set -euo pipefail
cd "$(dirname "$(readlink -f "$0")")/.."
# shellcheck source=scripts/lib/env.sh
. scripts/lib/env.sh

ckpt_ensure_packages make:make gcc:gcc gdb:gdb
ckpt_require_commands make gcc gdb
ckpt_find_java

mkdir -p target
log=target/demo-build.log
echo "building engine and update site (./mvnw -B verify -DskipTests; log: $log) ..."
if ! ./mvnw -B -ntp verify -DskipTests "$@" >"$log" 2>&1; then
	tail -n 60 "$log" >&2
	echo "error: build failed, see $log" >&2
	exit 1
fi

site=releng/io.ckpt.repository/target
zip=$(ls "$site"/io.ckpt.repository-*.zip)
core=$(ls "$site"/repository/plugins/io.ckpt.core_*.jar)
jna=$(ls "$site"/repository/plugins/com.sun.jna_*.jar)

echo "engine, command line: $(native/build/bin/ckpt --version)"
echo "engine, Java (JNA):   $(java --enable-native-access=ALL-UNNAMED -cp "$core:$jna" -Dckpt.home=native/build io.ckpt.core.internal.EngineInfo)"
echo "update site:          $(readlink -f "$zip")"
echo "install it into Eclipse CDT with Help > Install New Software > Add > Archive..."

echo
echo "== end-to-end demo =="
work=$(mktemp -d "${TMPDIR:-/tmp}/ckpt-demo.XXXXXX")
trap 'rm -rf "$work"' EXIT
gcc -g -O0 -pthread -o "$work/sample" scripts/demo/sample.c
ext=native/build/share/ckpt/ckpt-gdb.py
view=(-ex 'echo --- backtrace\n' -ex 'bt' -ex 'echo --- locals of price()\n' -ex 'info locals'
	-ex 'echo --- locals of main()\n' -ex 'frame function main' -ex 'info locals' -ex 'echo --- end\n'
	-ex 'frame 0')
# Between the markers: what is compared before and after.
shown() { sed -n '/^--- backtrace/,/^--- end/p' "$1" | grep -v '^--- end'; }

echo "1. gdb runs the sample to a breakpoint in price(), saves it with 'ckpt save', kills it:"
# Through a pipe: the program's output then points outside the tree, and a restart gives it the
# restarting gdb's output instead.
gdb -q -batch -nx -ex "source $ext" -ex 'break price if depth == 0' -ex run "${view[@]}" \
	-ex "ckpt save $work/demo.ckpt" -ex kill "$work/sample" 2>&1 | cat >"$work/before.txt"
grep -E '^Saved ' "$work/before.txt" || { cat "$work/before.txt" >&2; echo "error: the save failed" >&2; exit 1; }
shown "$work/before.txt"
echo
echo "2. what the statefile holds (ckpt info):"
native/build/bin/ckpt info "$work/demo.ckpt" | sed -n '2,7p'
echo
echo "3. a new gdb restarts it with 'ckpt restart' and looks again, then lets it finish:"
gdb -q -batch -nx -ex "source $ext" -ex "ckpt restart $work/demo.ckpt" "${view[@]}" -ex 'continue' \
	"$work/sample" 2>&1 | cat >"$work/after.txt"
shown "$work/after.txt"
grep -E '^order ' "$work/after.txt"
echo
if diff -u <(shown "$work/before.txt") <(shown "$work/after.txt") >&2 && grep -q '^order 42 for ACME' "$work/after.txt"; then
	echo "same backtrace and locals after the restart, and the program ran to its end: yes"
else
	echo "error: the restarted program does not look the same" >&2
	exit 1
fi

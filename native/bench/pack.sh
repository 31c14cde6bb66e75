#!/bin/bash
# ckpt pack benchmark (not a test): a program that maps MIB MiB of libraries of its own (each
# 8 MiB of random bytes in .rodata) is dumped; `ckpt pack` of that statefile is timed against
# `cp` of the same bytes (the statefile, each library and the debug info pack embeds), both with
# the copy synced to disk (pack's fsync, one syncfs after cp), and the packed file's size is compared with the statefile's plus the unique
# embedded bytes.  Medians of RUNS interleaved runs, all from the page cache.
#
#   native/bench/pack.sh [MIB] [RUNS] [DIR]
#
# MIB: library bytes (default 100); RUNS: runs per figure (default 5); DIR: where the files go
# (default a temporary directory under /tmp).
set -u
cd "$(dirname "$0")/.." || exit 1
MIB=${1:-100}
RUNS=${2:-5}
DIR=${3:-$(mktemp -d "${TMPDIR:-/tmp}/ckpt-bench-pack.XXXXXX")}
CKPT=$PWD/build/bin/ckpt
make -s >/dev/null || exit 1
mkdir -p "$DIR/lib"
trap 'kill -9 $TARGET 2>/dev/null; wait $TARGET 2>/dev/null; rm -rf "$DIR"' EXIT
TARGET=

# The libraries: NLIB of 8 MiB each, every one a different random blob and a function that
# touches it; and a program linked against all of them that waits to be dumped.
NLIB=$(( (MIB + 7) / 8 ))
links=()
{
	echo '#include <stdio.h>'
	echo '#include <unistd.h>'
	for i in $(seq 1 "$NLIB"); do echo "int blob_sum_$i(void);"; done
	echo 'int main(void) { long s = 0;'
	for i in $(seq 1 "$NLIB"); do echo "s += blob_sum_$i();"; done
	echo 'printf("ready %ld\n", s); fflush(stdout); pause(); return 0; }'
} >"$DIR/main.c"
for i in $(seq 1 "$NLIB"); do
	head -c $((8 << 20)) /dev/urandom >"$DIR/lib/blob$i"
	cat >"$DIR/lib/lib$i.S" <<EOF
	.section .rodata
	.globl blob_$i
	.hidden blob_$i
blob_$i:
	.incbin "$DIR/lib/blob$i"
	.text
	.globl blob_sum_$i
blob_sum_$i:
	movzbl blob_$i(%rip), %eax
	ret
	.section .note.GNU-stack,"",@progbits
EOF
	gcc -shared -fPIC -o "$DIR/lib/libblob$i.so" "$DIR/lib/lib$i.S" || exit 1
	rm -f "$DIR/lib/blob$i"
	links+=("-lblob$i")
done
gcc -O2 -o "$DIR/target" "$DIR/main.c" -L"$DIR/lib" "${links[@]}" -Wl,-rpath,"$DIR/lib" || exit 1
"$DIR/target" >"$DIR/target.out" &
TARGET=$!
for i in $(seq 1 300); do grep -q ready "$DIR/target.out" 2>/dev/null && break; sleep 0.1; done
"$CKPT" dump $TARGET -o "$DIR/s.ckpt" >/dev/null || exit 1

now() { date +%s.%N; }
elapsed() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.4f", b - a }'; }
median() { sort -g | awk '{ v[NR] = $1 } END { if (NR % 2) print v[(NR + 1) / 2]; else printf "%.4f\n", (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
# The files packing copies: the statefile, every file the program maps and their separate debug
# info (libc's, where the machine has it), each once, as the packed file lists them.
"$CKPT" pack "$DIR/s.ckpt" -o "$DIR/p.ckpt" >/dev/null 2>&1 || exit 1
files=("$DIR/s.ckpt" $("$CKPT" info --json "$DIR/p.ckpt" |
	python3 -c 'import json, sys; print("\n".join(sorted({e["path"] for e in json.load(sys.stdin)["embedded"]})))'))
cat "${files[@]}" >/dev/null # into the page cache
pack_t=() cp_t=()
for r in $(seq 1 "$RUNS"); do
	rm -rf "$DIR/p.ckpt" "$DIR/copy"
	mkdir "$DIR/copy"
	sync
	t=$(now)
	cp "${files[@]}" "$DIR/copy/" && sync -f "$DIR/copy"
	cp_t+=("$(elapsed "$t")")
	sync
	t=$(now)
	"$CKPT" pack "$DIR/s.ckpt" -o "$DIR/p.ckpt" >/dev/null 2>&1 || exit 1
	pack_t+=("$(elapsed "$t")")
done
cp_m=$(printf '%s\n' "${cp_t[@]}" | median)
pack_m=$(printf '%s\n' "${pack_t[@]}" | median)
libs=0
for f in "${files[@]:1}"; do libs=$((libs + $(stat -c %s "$f"))); done
sf=$(stat -c %s "$DIR/s.ckpt")
packed=$(stat -c %s "$DIR/p.ckpt")
echo "ckpt pack benchmark, $(date -u +%Y-%m-%d), $(( libs >> 20 )) MiB of mapped files and their debug info (${#files[@]} files with the statefile), median of $RUNS runs, $(nproc) cores"
awk -v p="$pack_m" -v c="$cp_m" 'BEGIN { printf "ckpt pack %.3f s, cp of the same bytes %.3f s: %.2f x (goal <= 1.5)\n", p, c, p / c }'
awk -v s="$sf" -v l="$libs" -v p="$packed" 'BEGIN {
	printf "packed %.1f MiB, statefile %.1f MiB + unique embedded files %.1f MiB = %.1f MiB: +%.3f%% (goal <= +1%%)\n",
		p / 1048576, s / 1048576, l / 1048576, (s + l) / 1048576, (p - s - l) * 100 / (s + l) }'

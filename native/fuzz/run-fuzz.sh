#!/bin/bash
# The bounded fuzz run of the statefile reader, part of `make -C native test`.
# Builds fuzz_statefile with libFuzzer, ASan and UBSan (clang; installs Debian's clang and
# libclang-rt-14-dev when missing and run as root), seeds it with memory-less copies of real
# statefiles, fuzzes for CKPT_FUZZ_SECONDS (default 60), then replays the malformed corpus
# through the sanitized reader.  Prints PASS/FAIL lines; exits non-zero on any FAIL.
# Crashing inputs are kept in build/fuzz/artifacts/.
set -uo pipefail
cd "$(dirname "$0")/.."
seconds=${CKPT_FUZZ_SECONDS:-60}
ckpt=build/bin/ckpt
out=build/fuzz
mkdir -p "$out/artifacts"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
fails=0
pass() { echo "PASS $1"; }
fail() { echo "FAIL $1: $2"; fails=$((fails + 1)); }

# A toolchain that can build a libFuzzer target with sanitizers.
can_build() {
	printf 'int LLVMFuzzerTestOneInput(const unsigned char *d, unsigned long n) { return 0; }\n' >"$work/probe.c"
	clang -fsanitize=fuzzer,address,undefined -o "$work/probe" "$work/probe.c" >/dev/null 2>&1
}
if ! can_build; then
	if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
		echo "fuzz: installing clang and libclang-rt-14-dev" >&2
		{ apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq clang libclang-rt-14-dev; } >"$work/apt.log" 2>&1
	fi
fi
if ! can_build; then
	fail "fuzz toolchain" "clang with libFuzzer and sanitizers is missing and could not be installed (apt-get install clang libclang-rt-14-dev)"
	exit 1
fi
pass "fuzz toolchain: $(clang --version | head -n 1)"

if clang -std=c11 -D_GNU_SOURCE -g -O1 -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all \
	-Iinclude -Isrc -o "$out/fuzz_statefile" fuzz/fuzz_statefile.c src/*.c -ldl >"$work/build.log" 2>&1; then
	pass "fuzz build: $out/fuzz_statefile (libFuzzer, ASan, UBSan)"
else
	fail "fuzz build" "$(grep -m 1 error "$work/build.log")"
	exit 1
fi

if ! fuzz/make-statefiles.sh "$ckpt" "$work" 2>"$work/seeds.err"; then
	fail "fuzz seeds" "$(tail -n 1 "$work/seeds.err")"
	exit 1
fi
mkdir -p "$work/corpus"
seed_ok=1
for m in single threads tree objects; do
	"$work/bin/mkcorpus" seed "$work/$m.ckpt" "$work/corpus/$m" || seed_ok=0
	"$ckpt" info "$work/corpus/$m" >/dev/null 2>"$work/seed.err" || { seed_ok=0; cat "$work/seed.err"; }
done
# A packed one, so that the embedded file note is fuzzed too.
"$work/bin/mkcorpus" packed "$work/threads.ckpt" "$work/corpus/packed" || seed_ok=0
"$ckpt" info "$work/corpus/packed" >/dev/null 2>"$work/seed.err" || { seed_ok=0; cat "$work/seed.err"; }
if [ "$seed_ok" = 1 ]; then
	pass "fuzz seeds: $(ls "$work/corpus" | wc -l) memory-less real statefiles, $(du -cb "$work"/corpus/* | tail -n 1 | cut -f 1) bytes, accepted by ckpt info"
else
	fail "fuzz seeds" "could not make seeds that ckpt info accepts"
fi

# The bounded run.  Any crash, leak, timeout or out-of-memory stops libFuzzer with an error.
export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1:allocator_may_return_null=0
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
(cd "$work" && "$OLDPWD/$out/fuzz_statefile" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=1024 \
	-malloc_limit_mb=512 -max_len=65536 -dict="$OLDPWD/fuzz/statefile.dict" -print_final_stats=1 \
	-artifact_prefix="$OLDPWD/$out/artifacts/" corpus) >"$work/fuzz.log" 2>&1
rc=$?
runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$work/fuzz.log")
speed=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$work/fuzz.log")
added=$(sed -n 's/^stat::new_units_added: *//p' "$work/fuzz.log")
rss=$(sed -n 's/^stat::peak_rss_mb: *//p' "$work/fuzz.log")
cov=$(grep -o 'cov: [0-9]*' "$work/fuzz.log" | tail -n 1)
if [ "$rc" = 0 ] && [ -n "$runs" ]; then
	pass "fuzz run: ${seconds}s, $runs executions, $speed exec/s, $cov, corpus $(ls "$work/corpus" | wc -l) inputs (+$added), peak RSS ${rss} MB"
else
	cp "$work/fuzz.log" "$out/artifacts/fuzz.log"
	fail "fuzz run" "libFuzzer exited $rc: $(grep -m 1 -E 'ERROR|SUMMARY|Test unit written' "$work/fuzz.log"); log in $out/artifacts/fuzz.log"
fi

# The malformed corpus, replayed through the sanitized reader.
mkdir -p "$work/malformed"
if "$work/bin/mkcorpus" malformed "$work/tree.ckpt" "$work/threads.ckpt" "$work/malformed" "$work/objects.ckpt" >"$work/malformed.txt"; then
	n=$(ls "$work/malformed" | wc -l)
	if (cd "$work" && "$OLDPWD/$out/fuzz_statefile" -rss_limit_mb=1024 -malloc_limit_mb=512 -timeout=10 \
		-artifact_prefix="$OLDPWD/$out/artifacts/" malformed/*) >"$work/replay.log" 2>&1; then
		pass "fuzz replay: $n malformed statefiles through the sanitized reader"
	else
		cp "$work/replay.log" "$out/artifacts/replay.log"
		fail "fuzz replay" "$(grep -m 1 -E 'ERROR|SUMMARY|Running:' "$work/replay.log"); log in $out/artifacts/replay.log"
	fi
else
	fail "fuzz replay" "mkcorpus could not make the malformed corpus"
fi
[ "$fails" = 0 ]

# Shared by the native test scripts: results as PASS/FAIL lines, a scratch directory, and
# helpers to run the self-checking programs in tests/progs.
# Each script sources this from native/ (its working directory).

CKPT=${CKPT:-$PWD/build/bin/ckpt}
FAILURES=0

pass() { echo "PASS $1"; }
fail() { echo "FAIL $1: $2"; FAILURES=$((FAILURES + 1)); }
# check NAME CONDITION-COMMAND... : PASS when the command succeeds.
check() { local name=$1; shift; if "$@"; then pass "$name"; else fail "$name" "$*"; fi; }

need() {
	for tool in "$@"; do
		command -v "$tool" >/dev/null 2>&1 || { fail "prerequisite $tool" "not installed"; exit 1; }
	done
}

SCRATCH=$(mktemp -d "${TMPDIR:-/tmp}/ckpt-tests.XXXXXX")
chmod 755 "$SCRATCH"
cleanup_scratch() {
	# Kill anything a failed test left running, then remove the scratch directory.
	pkill -KILL -f "$SCRATCH/" 2>/dev/null
	rm -rf "$SCRATCH"
}
trap cleanup_scratch EXIT

build_progs() {
	mkdir -p "$SCRATCH/bin"
	for src in tests/progs/*.c; do
		local name=$(basename "$src" .c)
		gcc -O1 -g -pthread -o "$SCRATCH/bin/$name" "$src" -lm || { fail "build $name" "gcc failed"; exit 1; }
	done
}

# wait_for_file PATH [SECONDS]
wait_for_file() {
	local i=0 limit=$(( ${2:-15} * 20 ))
	while [ ! -e "$1" ]; do
		sleep 0.05
		i=$((i + 1))
		[ $i -ge $limit ] && return 1
	done
	return 0
}

# start_prog NAME OUTFILE ARGS... : starts tests/progs/NAME in the background, writing to
# OUTFILE, and waits until it is ready to be checkpointed.  Sets PROG_PID.
start_prog() {
	local name=$1 out=$2
	shift 2
	local ready="$SCRATCH/ready.$name.$RANDOM"
	rm -f "$ready"
	CKPT_TEST_ENV=$name "$SCRATCH/bin/$name" "$ready" "$@" >"$out" 2>&1 &
	PROG_PID=$!
	wait_for_file "$ready" || { echo "program $name never became ready" >&2; return 1; }
}

# expected_output NAME ARGS... : the output of an undisturbed run.
expected_output() {
	local name=$1
	shift
	CKPT_TEST_ENV=$name "$SCRATCH/bin/$name" "$SCRATCH/ready.expected.$name" "$@" 2>&1
}

# One line on stderr, exit status 1: the contract for failures.
one_line_error() { # STATUS STDERRFILE
	[ "$1" = 1 ] && [ "$(wc -l <"$2")" = 1 ] && grep -q '^ckpt: ' "$2"
}

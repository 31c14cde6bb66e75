#!/bin/bash
# ckpt benchmark (not a test): dump and restart of a process with N GiB of touched heap, beside
# the raw copy limit, gdb's gcore and, when installed, CRIU.  Every figure is the median of
# several runs made in this one invocation, and every goal is a ratio of figures measured here.
#
#   native/bench/bench.sh [GIB] [RUNS] [DIR]
#
# GIB: heap size (default 1); RUNS: runs per figure (default 3); DIR: where statefiles are
# written (default a temporary directory on the same file system as /tmp).
set -u
cd "$(dirname "$0")/.." || exit 1
GIB=${1:-1}
RUNS=${2:-3}
DIR=${3:-$(mktemp -d "${TMPDIR:-/tmp}/ckpt-bench.XXXXXX")}
CKPT=$PWD/build/bin/ckpt
make -s >/dev/null || exit 1
mkdir -p "$DIR/bin"
gcc -O2 -pthread -o "$DIR/bin/target" bench/target.c && gcc -O2 -o "$DIR/bin/rawcopy" bench/rawcopy.c || exit 1
command -v gdb >/dev/null || { echo "bench: gdb is needed (for gcore)" >&2; exit 1; }

report="$DIR/report"
"$DIR/bin/target" "$GIB" "$report" 1 >"$DIR/target.out" &
TARGET=$!
trap 'kill -9 $TARGET 2>/dev/null; rm -rf "$DIR"' EXIT
for i in $(seq 1 600); do grep -q ready "$DIR/target.out" 2>/dev/null && break; sleep 0.1; done

now() { date +%s.%N; }
drop_caches() { sync && { echo 3 >/proc/sys/vm/drop_caches; } 2>/dev/null; }
elapsed() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.4f", b - a }'; }
# The longest time the target's heartbeat thread was kept from running since the last call.
target_gap() {
	rm -f "$report"
	kill -USR1 $TARGET
	for i in $(seq 1 200); do [ -s "$report" ] && break; sleep 0.01; done
	awk '{ printf "%.4f", $1 / 1e6 }' "$report"
}
median() { sort -g | awk '{ v[NR] = $1 } END { if (NR % 2) print v[(NR + 1) / 2]; else printf "%.4f\n", (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
declare -A samples
add() { samples[$1]+="$2 "; }
# Every timed step starts with nothing dirty in the page cache, so that its fsync pays for its
# own writes only.
settle() { sync; sleep 0.2; }
# On XFS, the first large write after a file with shared extents (reflinks) is deleted pays for
# freeing them (seen: 5 s instead of 1 s for 1 GiB); an untimed write of the same size absorbs it.
absorb_frees() {
	df --output=fstype "$DIR" | grep -qE 'xfs|btrfs' || return 0
	dd if=/dev/zero of="$DIR/absorb" bs=1M count="$(awk -v g="$GIB" 'BEGIN { printf "%d", g * 1024 }')" conv=fsync status=none; rm -f "$DIR/absorb"
}
get() { echo ${samples[$1]} | tr ' ' '\n' | grep . | median; }

echo "bench: $GIB GiB heap, $RUNS runs, statefiles in $DIR" >&2
for run in $(seq 1 "$RUNS"); do
	echo "bench: run $run" >&2
	# The raw copy limit: stop, read all of it with large process_vm_readv calls, write, sync.
	settle; target_gap >/dev/null
	t=$(now); kill -STOP $TARGET; "$DIR/bin/rawcopy" $TARGET "$DIR/raw.bin" >/dev/null; kill -CONT $TARGET
	add raw "$(elapsed $t)"
	rm -f "$DIR/raw.bin"

	# ckpt dump.
	settle; target_gap >/dev/null
	t=$(now); "$CKPT" dump $TARGET -o "$DIR/full.ckpt" --json >"$DIR/dump.json" || exit 1
	add dump "$(elapsed $t)"
	add dump_pause "$(target_gap)"
	add dump_alloc "$(( $(stat -c %b "$DIR/full.ckpt") * $(stat -c %B "$DIR/full.ckpt") ))"
	add rss "$(( $(awk '/^VmRSS/ { print $2 }' /proc/$TARGET/status) * 1024 ))"

	# Incremental dump after dirtying 1% of the pages.
	if "$CKPT" --help | grep -q -- '--parent'; then
		rm -f "$report"; kill -USR2 $TARGET; for i in $(seq 1 200); do [ -s "$report" ] && break; sleep 0.01; done
		settle; target_gap >/dev/null
		t=$(now); "$CKPT" dump $TARGET -o "$DIR/incr.ckpt" --parent "$DIR/full.ckpt" >/dev/null || exit 1
		add incr "$(elapsed $t)"
		rm -f "$DIR/incr.ckpt"
		absorb_frees
	fi

	# The same in one gdb session, where saves after the first know the pages written since
	# (write tracking) and share the rest with the previous statefile where the file system can.
	settle
	cat >"$DIR/session.gdb" <<-EOF
		ckpt save -w $DIR/gfull.ckpt
		call (void) bench_dirty()
		ckpt save -w $DIR/gincr.ckpt
		detach
	EOF
	gdb -nx -q -batch -iex "source $PWD/build/share/ckpt/ckpt-gdb.py" -p $TARGET -x "$DIR/session.gdb" >"$DIR/session.out" 2>&1
	saves=$(sed -n 's/^Saved .* in \([0-9]*\) ms$/\1/p' "$DIR/session.out")
	[ "$(echo "$saves" | wc -l)" = 2 ] || { cat "$DIR/session.out" >&2; exit 1; }
	add gdb_full "$(echo "$saves" | head -1 | awk '{ print $1 / 1000 }')"
	add gdb_incr "$(echo "$saves" | tail -1 | awk '{ print $1 / 1000 }')"
	rm -f "$DIR/gfull.ckpt" "$DIR/gincr.ckpt"
	absorb_frees

	# gdb's gcore (synced too, as ckpt's statefile and the raw copy are).
	settle; target_gap >/dev/null
	t=$(now); gcore -o "$DIR/gcore" $TARGET >/dev/null 2>&1; sync "$DIR/gcore.$TARGET"
	add gcore "$(elapsed $t)"
	add gcore_pause "$(target_gap)"
	rm -f "$DIR/gcore.$TARGET"

	# Reading the statefile, and eager restart, from the disk (caches dropped, when we may) and
	# from the page cache: the read bandwidth a restart can hope for, and what it gets.
	if drop_caches; then
		t=$(now); cat "$DIR/full.ckpt" >/dev/null
		add read_cold "$(elapsed $t)"
		drop_caches
		t=$(now); pid=$("$CKPT" restart "$DIR/full.ckpt" --stopped --namespace | head -1)
		add restart_cold "$(elapsed $t)"
		kill -9 "$pid" 2>/dev/null
	fi
	t=$(now); cat "$DIR/full.ckpt" >/dev/null
	add read "$(elapsed $t)"
	t=$(now); pid=$("$CKPT" restart "$DIR/full.ckpt" --stopped --namespace | head -1)
	add restart "$(elapsed $t)"
	kill -9 "$pid" 2>/dev/null
	if "$CKPT" --help | grep -q -- '--lazy'; then
		t=$(now); pid=$("$CKPT" restart "$DIR/full.ckpt" --stopped --lazy --namespace | head -1)
		add lazy "$(elapsed $t)"
		kill -9 "$pid" 2>/dev/null
	fi
	rm -f "$DIR/full.ckpt"
done

# CRIU, when a 4.x is installed (Debian's 3.17 fails on this kernel at the vDSO).
criu_version=$(criu --version 2>/dev/null | awk '/Version/ { print $2 }')

row() { # name figure-key note
	printf '| %-44s | %10s | %s\n' "$1" "$2" "$3"
}
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.3f", a / b; else print "-" }'; }

raw=$(get raw); dump=$(get dump); pause=$(get dump_pause); gcore=$(get gcore); gpause=$(get gcore_pause)
read_t=$(get read); restart=$(get restart); alloc=$(get dump_alloc); rss=$(get rss)
echo
echo "ckpt benchmark, $(date -u +%Y-%m-%d), $GIB GiB of touched heap, median of $RUNS runs, $(nproc) cores, kernel $(uname -r)"
echo
echo "| figure | seconds | |"
echo "|---|---:|---|"
row "raw copy limit (process_vm_readv + write + fsync)" "$raw" ""
row "ckpt dump, total" "$dump" "$(ratio $dump $raw) x raw copy (goal <= 1.1); $(ratio $dump $gcore) x gcore (goal < 1)"
row "ckpt dump, target paused (heartbeat)" "$pause" "$(ratio $pause $gpause) x gcore's pause (goal <= 0.02)"
row "gdb gcore, total" "$gcore" ""
row "gdb gcore, target paused (heartbeat)" "$gpause" ""
if [ -n "${samples[incr]:-}" ]; then
	incr=$(get incr)
	row "ckpt dump --parent, 1% of pages dirtied" "$incr" "$(ratio $incr $dump) x full dump (goal <= 0.25)"
fi
gfull=$(get gdb_full); gincr=$(get gdb_incr)
row "ckpt save in gdb, first save" "$gfull" ""
row "ckpt save in gdb, next save, 1% dirtied" "$gincr" "$(ratio $gincr $dump) x full ckpt dump (goal <= 0.25; write tracking)"
if [ -n "${samples[read_cold]:-}" ]; then
	rc=$(get read_cold); rsc=$(get restart_cold)
	row "read the statefile from disk" "$rc" ""
	row "ckpt restart --stopped, eager, from disk" "$rsc" "$(ratio $rc $rsc) of the disk read bandwidth (goal >= 0.8)"
fi
row "read the statefile from the page cache" "$read_t" ""
row "ckpt restart --stopped, eager, page cache" "$restart" "$(ratio $read_t $restart) of the cached read bandwidth"
if [ -n "${samples[lazy]:-}" ]; then
	row "ckpt restart --stopped --lazy" "$(get lazy)" "goal <= 0.100 s"
fi
row "statefile allocated / RSS" "$(ratio $alloc $rss)" "goal <= 1.01"
[ -n "$criu_version" ] && echo "CRIU $criu_version is installed; compare with its restore by hand (criu restore)" ||
	echo "(no CRIU 4.x installed here: the eager restart is not compared with CRIU's restore)"

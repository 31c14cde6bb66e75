#!/bin/bash
# Malformed statefiles, part of `make -C native test`.
# Makes real statefiles (fuzz/make-statefiles.sh), derives the malformed corpus from them
# (fuzz/mkcorpus.c), adds inputs that are not statefiles at all, and checks that for every
# file `ckpt info`, `ckpt info --json`, `ckpt restart` and `ckpt restart --stopped` exit 1
# within a time limit with exactly one line on stderr starting with "ckpt: ", nothing on
# stdout, and no process left behind (runchk makes itself a subreaper and lists every
# descendant that outlives the command, stopped and zombie ones included).
# One PASS/FAIL line per category and command; exits non-zero on any FAIL.
set -uo pipefail
cd "$(dirname "$0")/../.."
ckpt=$PWD/build/bin/ckpt
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
fails=0
pass() { echo "PASS $1"; }
fail() { echo "FAIL $1: $2"; fails=$((fails + 1)); }

if ! gcc -std=c11 -O2 -Wall -Wextra -o "$work/runchk" tests/malformed/runchk.c 2>"$work/cc.err"; then
	fail "malformed: runchk" "$(head -n 1 "$work/cc.err")"
	exit 1
fi
if fuzz/make-statefiles.sh "$ckpt" "$work" 2>"$work/seeds.err"; then
	ok=1
	for m in single threads tree objects; do "$ckpt" info "$work/$m.ckpt" >/dev/null 2>&1 || ok=0; done
	if [ "$ok" = 1 ]; then
		pass "malformed: real statefiles to corrupt (single-threaded, 3 threads, parent+child with a pipe and sockets, kernel objects) are accepted by ckpt info"
	else
		fail "malformed: real statefiles" "ckpt info rejects a fresh statefile"
		exit 1
	fi
else
	fail "malformed: real statefiles" "$(tail -n 1 "$work/seeds.err")"
	exit 1
fi

corpus=$work/corpus
mkdir -p "$corpus"
if ! "$work/bin/mkcorpus" malformed "$work/tree.ckpt" "$work/threads.ckpt" "$corpus" "$work/objects.ckpt" >"$work/categories"; then
	fail "malformed: corpus" "mkcorpus failed"
	exit 1
fi

# The embedded category spoils a statefile packed by hand, which the reader must accept as it is.
if "$work/bin/mkcorpus" packed "$work/threads.ckpt" "$work/packed.ckpt" &&
	"$ckpt" info "$work/packed.ckpt" 2>&1 | grep -q '^    embedded mapped .*/usr/lib/libembedded.so.1$'; then
	pass "malformed: a statefile packed by hand (the seed of the embedded cases) is accepted, its files shown as embedded"
else
	fail "malformed: packed seed" "ckpt info rejects it or does not show its embedded files"
fi

# Inputs that are not statefiles.
: >"$corpus/not-statefile--empty.ckpt"
mkdir "$corpus/not-statefile--directory.ckpt"
mkfifo "$corpus/not-statefile--fifo.ckpt"
ln -s /dev/zero "$corpus/not-statefile--dev-zero.ckpt"
ln -s /dev/null "$corpus/not-statefile--dev-null.ckpt"
ln -s "$work/nonexistent" "$corpus/not-statefile--dangling-symlink.ckpt"
head -c 65536 /dev/urandom >"$corpus/not-statefile--random.ckpt"
printf 'this is a text file\nwith two lines\n' >"$corpus/not-statefile--text.ckpt"
cp "$work/bin/seedprog" "$corpus/not-statefile--elf-executable.ckpt"
head -c 64 "$work/single.ckpt" >"$corpus/not-statefile--elf-header-only.ckpt"
# A valid core file that ckpt did not make: gdb's gcore of the same program.
if command -v gcore >/dev/null; then
	"$work/bin/seedprog" single >"$work/gcore.out" 2>/dev/null </dev/null &
	gpid=$!
	for _ in $(seq 250); do grep -q ready "$work/gcore.out" && break; sleep 0.02; done
	gcore -o "$work/gcore" "$gpid" >"$work/gcore.log" 2>&1
	kill -KILL "$gpid" 2>/dev/null
	wait "$gpid" 2>/dev/null
	if [ -s "$work/gcore.$gpid" ]; then
		mv "$work/gcore.$gpid" "$corpus/not-statefile--gcore.ckpt"
	else
		fail "malformed: gcore" "gcore made no core file: $(tail -n 1 "$work/gcore.log")"
	fi
else
	fail "malformed: gcore" "gcore (gdb) is not installed"
fi
echo "not-statefile $(ls "$corpus" | grep -c '^not-statefile--')" >>"$work/categories"
total=$(ls "$corpus" | wc -l)
echo "malformed corpus: $total files: $(tr '\n' ' ' <"$work/categories")"

# One run: command, limits, and what must hold.  Prints nothing when it holds, else a reason.
check_run() {
	local file=$1 limit=$2
	shift 2
	local res
	res=$("$work/runchk" -t "$limit" -m 2048 -o "$work/out" -e "$work/err" -- "$ckpt" "$@" "$file")
	local status=${res%% *}
	status=${status#status=}
	local left=${res#*left=}
	left=${left%% *}
	local nerr
	nerr=$(wc -l <"$work/err")
	if [ "$status" != "exit:1" ]; then
		echo "$status ($(head -c 160 "$work/err" | tr '\n' ' '))"
	elif [ "$left" != 0 ]; then
		echo "left $left process(es) behind:${res#*left=$left}"
	elif [ "$nerr" != 1 ] || [ "$(wc -c <"$work/err")" -lt 8 ]; then
		echo "$nerr lines on stderr: $(head -c 160 "$work/err" | tr '\n' '|')"
	elif ! head -n 1 "$work/err" | grep -q '^ckpt: '; then
		echo "stderr does not start with 'ckpt: ': $(head -c 100 "$work/err")"
	elif [ -s "$work/out" ]; then
		echo "wrote to stdout: $(head -c 100 "$work/out" | tr '\n' ' ')"
	fi
}

categories=$(ls "$corpus" | sed 's/--.*//' | sort -u)
for mode in ${CKPT_MALFORMED_MODES:-info info-json restart restart-stopped}; do
	case $mode in
	info) args=(info) limit=10 ;;
	info-json) args=(info --json) limit=10 ;;
	restart) args=(restart) limit=10 ;;
	restart-stopped) args=(restart --stopped) limit=10 ;;
	esac
	for cat in $categories; do
		n=0 bad=0 reasons=""
		for f in "$corpus/$cat--"*; do
			n=$((n + 1))
			why=$(check_run "$f" "$limit" "${args[@]}")
			if [ -n "$why" ]; then
				bad=$((bad + 1))
				[ "$bad" -le 3 ] && reasons="$reasons; $(basename "$f" .ckpt): $why"
			fi
		done
		if [ "$bad" = 0 ]; then
			pass "malformed $mode $cat: $n files, each exit 1 with one 'ckpt: ' line, nothing left behind"
		else
			fail "malformed $mode $cat" "$bad of $n files${reasons}"
		fi
	done
done

# The gcore file must be named for what it is.
if [ -e "$corpus/not-statefile--gcore.ckpt" ]; then
	msg=$("$ckpt" info "$corpus/not-statefile--gcore.ckpt" 2>&1)
	if echo "$msg" | grep -q "ckpt did not make"; then
		pass "malformed: a gcore core file is named as not made by ckpt ($msg)"
	else
		fail "malformed: gcore message" "'$msg' does not say that ckpt did not make it"
	fi
fi
# Hostile paths in a statefile that is otherwise valid: a file the program had open, or the
# program itself, is now a FIFO.  Opening a FIFO blocks until the other end is opened, so a
# restart that opens it as it would a regular file hangs.  Restart may refuse (exit 1, one
# line, nothing left) or rebind the fd and succeed, but must not hang; info must not hang.
hostile() {
	local name=$1 path=$2
	mv "$path" "$path.saved"
	mkfifo "$path"
	local res status
	res=$("$work/runchk" -t 10 -m 2048 -o "$work/out" -e "$work/err" -- "$ckpt" info "$work/tree.ckpt")
	status=${res%% *}
	if [ "$status" != "status=exit:0" ]; then
		fail "malformed hostile $name: info" "$res ($(head -c 160 "$work/err"))"
	else
		pass "malformed hostile $name: info does not hang"
	fi
	res=$("$work/runchk" -t 10 -m 2048 -o "$work/out" -e "$work/err" -- "$ckpt" restart --stopped "$work/tree.ckpt")
	status=${res%% *}
	case $status in
	status=exit:0) pass "malformed hostile $name: restart --stopped succeeds without hanging" ;;
	status=exit:1)
		why=$(check_run "$work/tree.ckpt" 10 restart --stopped)
		if [ -z "$why" ]; then
			pass "malformed hostile $name: restart --stopped refuses: $(head -n 1 "$work/err")"
		else
			fail "malformed hostile $name: restart --stopped" "$why"
		fi
		;;
	*) fail "malformed hostile $name: restart --stopped" "$res ($(head -c 160 "$work/err" | tr '\n' ' '))" ;;
	esac
	rm -f "$path"
	mv "$path.saved" "$path"
}
hostile "fd path is a FIFO" "$work/tree.out"
hostile "program file is a FIFO" "$work/bin/seedprog"
[ "$fails" = 0 ]

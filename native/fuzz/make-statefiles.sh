#!/bin/sh
# Makes real statefiles to fuzz and to corrupt: builds seedprog and the corpus generator,
# runs seedprog single-threaded, multi-threaded, as a parent and child joined by a pipe and
# sockets, and with kernel objects of every kind ckpt saves, and dumps each with `ckpt dump --kill`.
#   make-statefiles.sh CKPT WORKDIR
# leaves WORKDIR/single.ckpt, threads.ckpt, tree.ckpt, objects.ckpt,
# WORKDIR/bin/{seedprog,mkcorpus}.
# Exits non-zero with a one-line reason on stderr if anything fails.
set -eu
ckpt=$1
work=$2
here=$(cd "$(dirname "$0")" && pwd)
mkdir -p "$work/bin"
cc=${CC:-gcc}
"$cc" -std=c11 -O1 -g -pthread -Wall -o "$work/bin/seedprog" "$here/seedprog.c"
"$cc" -std=c11 -O2 -g -Wall -Wextra -I"$here/../src" -o "$work/bin/mkcorpus" "$here/mkcorpus.c"
for mode in single threads tree objects; do
	out="$work/$mode.out"
	"$work/bin/seedprog" "$mode" "$work/seed.sock" >"$out" 2>/dev/null </dev/null &
	pid=$!
	i=0
	while ! grep -q ready "$out" 2>/dev/null; do
		i=$((i + 1))
		if [ "$i" -gt 250 ]; then
			kill -KILL "$pid" 2>/dev/null || true
			echo "seedprog $mode did not start" >&2
			exit 1
		fi
		sleep 0.02
	done
	if ! "$ckpt" dump "$pid" -o "$work/$mode.ckpt" --kill >"$work/$mode.dump.log" 2>&1; then
		kill -KILL "$pid" 2>/dev/null || true
		echo "ckpt dump of seedprog $mode failed: $(tail -n 1 "$work/$mode.dump.log")" >&2
		exit 1
	fi
	wait "$pid" 2>/dev/null || true
	# SysV objects outlive their process.
	if [ "$mode" = objects ]; then
		set -- $(sed -n 's/^ipc //p' "$out")
		[ $# = 4 ] && { ipcrm -m "$1" -m "$2" -s "$3" -q "$4" 2>/dev/null || true; }
	fi
done

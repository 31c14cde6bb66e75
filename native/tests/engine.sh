#!/bin/bash
# Capture and restart of real programs (issues 3 and 4): every program in tests/progs checks its
# own state and prints a deterministic result, which must not change when the program is
# checkpointed and left running, checkpointed and killed and restarted (three times from one
# statefile), restarted stopped under gdb, restarted in a namespace, or run as an ordinary user.
# Statefiles are also compared with gdb's own core files (gcore) of the same stopped process.
source tests/lib/common.sh
need gcc gdb python3 gcore readelf eu-readelf eu-stack

out=$("$CKPT" --version)
case "$out" in "ckpt "*) pass "version: $out" ;; *) fail version "$out" ;; esac

build_progs
BIN=$SCRATCH/bin

# Arguments each program needs besides its ready file.
prog_args() {
	case $1 in
	resources | eventloop | unixsockets | unixnames | inflight | locks | ghosts | deleted | cowmaps) mkdir -p "$SCRATCH/work.$1"; echo "$SCRATCH/work.$1" ;;
	bigheap) echo 300 20 19 ;; # its fork comes late: a dump that starts late on a loaded machine would save the child too
	mapfile) echo "$SCRATCH/mapped.dat" ;;
	esac
}
head -c 300000 /dev/urandom >"$SCRATCH/mapped.dat"

# restarted_to STATUS OUTFILE EXPECTED: the restart succeeded and the output is the expected one.
restarted_to() { [ "$1" = 0 ] && [ "$(cat "$2")" = "$3" ]; }

# gdb's view of a core file or a live process: threads and backtraces (and registers), after
# a marker so that gdb's own chatter while loading is left out.  Thread names are shown for
# live processes only, so they are dropped.
gdb_view() { # PROGRAM -c FILE | -p PID [gdb command to run after]
	local prog=$1 how=$2 what=$3 after=${4:-echo}
	gdb -q -batch -nx "$prog" $how "$what" -ex 'echo @@BEGIN\n' -ex 'info threads' -ex 'thread apply all bt' \
		-ex 'info registers' -ex 'p $xmm0' -ex 'p $ymm8' -ex "$after" 2>&1 |
		sed -n '/^@@BEGIN/,$p' | sed -E 's/ \(LWP ([0-9]+)\) "[^"]*"/ (LWP \1)/; s/  +/ /g'
}

tree_rss_kib() { # PID: VmRSS of the process and its descendants
	local total=0 p
	for p in $1 $(pgrep -P "$1"); do
		# A zombie child has no VmRSS line.
		total=$((total + $(awk '/^VmRSS/ {rss = $2} END {print rss + 0}' /proc/$p/status 2>/dev/null || echo 0)))
	done
	echo $total
}

cont_tree() { # PID: SIGCONT to it and all its descendants
	local p
	for p in $(pgrep -P "$1"); do cont_tree "$p"; done
	kill -CONT "$1" 2>/dev/null
}

wait_gone() { # PID [SECONDS]
	local i=0
	while kill -0 "$1" 2>/dev/null; do
		sleep 0.05
		i=$((i + 1))
		[ $i -ge $(( ${2:-20} * 20 )) ] && return 1
	done
}

# A program's output after gcore read all of its memory: gcore faults in the pages of vmaflags's
# lock-on-fault mapping that the program never touched (ckpt itself must not).
after_gcore() { # PROGRAM
	if [ $1 = vmaflags ]; then sed -E 's/^(lock-on-fault: .*), resident [^,]*,/\1, resident (gcore touched it),/'; else cat; fi
}

for prog in single threads tree resources bigheap eventfds eventloop unixsockets unixnames inflight echo sockopts sockkinds timers locks ptys zombie sysvipc seccomp vmaflags attrs ghosts deleted owners cowmaps ids mlocked pidfds novdso; do
	args=$(prog_args $prog)
	expected=$(expected_output $prog $args)
	if [ -z "$expected" ] || echo "$expected" | grep -q 'FAILED CHECK'; then
		fail "$prog: undisturbed run" "$expected"
		continue
	fi

	# 1. Checkpoint and leave running: the program must not notice.
	args=$(prog_args $prog)
	sf="$SCRATCH/$prog.ckpt"
	start_prog $prog "$SCRATCH/$prog.out1" $args || { fail "$prog: start" "not ready"; continue; }
	rss=$(tree_rss_kib $PROG_PID)
	if "$CKPT" dump $PROG_PID -o "$sf" >"$SCRATCH/dump.log" 2>&1; then
		wait $PROG_PID
		check "$prog: runs on unchanged after dump --leave-running" [ "$(cat "$SCRATCH/$prog.out1")" = "$expected" ]
		check "$prog: statefile mode is 0600" [ "$(stat -c %a "$sf")" = 600 ]
		alloc=$(( $(stat -c %b "$sf") * $(stat -c %B "$sf") / 1024 ))
		check "$prog: sparse statefile (allocated ${alloc} KiB, tree RSS ${rss} KiB)" \
			[ $alloc -le $(( rss + rss / 100 + 1024 )) ]
		check "$prog: ckpt info" bash -c '"$0" info "$1" >/dev/null' "$CKPT" "$sf"
		check "$prog: readelf -n reads the statefile" bash -c 'readelf -n "$0" | grep -q NT_PRSTATUS' "$sf"
		check "$prog: eu-readelf -n reads the statefile" bash -c 'eu-readelf -n "$0" | grep -q PRSTATUS' "$sf"
		check "$prog: eu-stack --core shows the main thread's stack" \
			bash -c 'eu-stack --core "$0" -e "$1" 2>/dev/null | grep -q main' "$sf" "$BIN/$prog"
		check "$prog: ckpt info --json is JSON" \
			python3 -c 'import json,sys; d=json.load(sys.stdin); assert d["threads"]>=1' < <("$CKPT" info --json "$sf")
		[ $prog = eventloop ] && check "$prog: ckpt info --json shows the epoll items and inotify watches" python3 -c '
import json, sys
fds = [f for p in json.load(sys.stdin)["processes"] for f in p["fds"]]
items = [i for f in fds if f["kind"] == "epoll" for i in f["items"]]
wds = [w["wd"] for f in fds if f["kind"] == "inotify" for w in f["watches"]]
assert len(items) == 7 and any(i["fd"] != i["file_fd"] for i in items) and wds == [1, 3, 1, 3], (items, wds)' \
			< <("$CKPT" info --json "$sf")
		[ $prog = unixnames ] && check "$prog: ckpt info shows the listener whose path was removed and the connections waiting to be accepted" \
			bash -c '[ "$(grep -c "listening at .*/gone.sock (path removed)" <<<"$0")" = 1 ] &&
				[ "$(grep -c "waits to be accepted" <<<"$0")" = 3 ]' "$("$CKPT" info "$sf")"
	else
		fail "$prog: dump --leave-running" "$(cat "$SCRATCH/dump.log")"
		wait $PROG_PID
	fi

	# 2. Same stopped moment, seen by gdb: our statefile against gdb's gcore (of the root).
	args=$(prog_args $prog)
	start_prog $prog "$SCRATCH/$prog.out2" $args || { fail "$prog: start" "not ready"; continue; }
	"$CKPT" dump $PROG_PID -o "$sf" --leave-stopped >/dev/null 2>&1
	gcore -o "$SCRATCH/$prog.gcore" $PROG_PID >/dev/null 2>&1
	cont_tree $PROG_PID
	gdb_view "$BIN/$prog" -c "$sf" >"$SCRATCH/view.ckpt"
	gdb_view "$BIN/$prog" -c "$SCRATCH/$prog.gcore.$PROG_PID" >"$SCRATCH/view.gcore"
	if diff -u "$SCRATCH/view.gcore" "$SCRATCH/view.ckpt" >"$SCRATCH/view.diff" && [ -s "$SCRATCH/view.ckpt" ]; then
		pass "$prog: gdb shows the statefile exactly as its gcore (threads, backtraces, registers)"
	else
		fail "$prog: statefile vs gcore" "$(head -20 "$SCRATCH/view.diff")"
	fi
	wait $PROG_PID
	check "$prog: runs on unchanged after dump --leave-stopped and SIGCONT" \
		[ "$(after_gcore $prog <"$SCRATCH/$prog.out2")" = "$(after_gcore $prog <<<"$expected")" ]
	rm -f "$SCRATCH/$prog.gcore".*

	# 3. Checkpoint, kill, restart three times from the same statefile.
	args=$(prog_args $prog)
	out="$SCRATCH/$prog.out3"
	start_prog $prog "$out" $args || { fail "$prog: start" "not ready"; continue; }
	if ! "$CKPT" dump $PROG_PID -o "$sf" --kill >"$SCRATCH/dump.log" 2>&1; then
		fail "$prog: dump --kill" "$(cat "$SCRATCH/dump.log")"
		continue
	fi
	wait $PROG_PID 2>/dev/null
	cp "$out" "$SCRATCH/partial"
	# A program's scratch directory comes back as it was at the dump, for every restart.
	work="$SCRATCH/work.$prog"
	[ -d "$work" ] && rm -rf "$SCRATCH/work.saved" && cp -a "$work" "$SCRATCH/work.saved"
	for round in 1 2 3; do
		cp "$SCRATCH/partial" "$out"
		if [ -d "$work" ]; then
			rm -rf "$work"
			cp -a "$SCRATCH/work.saved" "$work"
		fi
		timeout 60 "$CKPT" restart "$sf" >>"$out" 2>"$SCRATCH/restart.err"
		rc=$?
		if [ $rc = 0 ] && [ "$(cat "$out")" = "$expected" ]; then
			pass "$prog: restart #$round gives the undisturbed result"
		else
			fail "$prog: restart #$round" "exit $rc, $(cat "$SCRATCH/restart.err"); output: $(tail -3 "$out")"
		fi
	done
	# A restart that fails once it has bound the sockets whose paths were removed (their files
	# beside the paths, under names of ckpt's own) leaves none of those files behind.
	if [ $prog = unixnames ]; then
		rm -rf "$work"
		cp -a "$SCRATCH/work.saved" "$work"
		before=$(find "$work" | sort)
		CKPT_TEST_FAIL_JOIN=1 timeout 60 "$CKPT" restart "$sf" >/dev/null 2>"$SCRATCH/restart.err"
		check "$prog: a restart that fails before the sockets are joined leaves no socket file of its own behind" \
			bash -c '[ "$0" = "$(find "$1" | sort)" ] && grep -q "^ckpt: .*CKPT_TEST_FAIL_JOIN" "$2"' \
			"$before" "$work" "$SCRATCH/restart.err"
	fi
done

# Raw sockets need CAP_NET_RAW at restart: without it, ckpt check says so, once for each family
# and protocol (the program has three raw sockets of protocol 253, one ICMP and one ICMPv6).
if [ -s "$SCRATCH/sockkinds.ckpt" ]; then
	rdir=$(mktemp -d)
	chmod 755 "$rdir"
	cp "$SCRATCH/sockkinds.ckpt" "$rdir/s.ckpt" && chown nobody "$rdir/s.ckpt"
	out=$(setpriv --reuid=nobody --regid=nogroup --clear-groups "$CKPT" check "$rdir/s.ckpt" 2>&1)
	check "sockkinds: ckpt check without CAP_NET_RAW names the raw sockets" \
		[ "$(grep -c 'PROBLEM  socket     raw6\? protocol [0-9]*: needs CAP_NET_RAW to be made again (fd' <<<"$out")" = 3 ]
	rm -rf "$rdir"
fi
# A tree of 41 processes: the reader kept a pointer to the root's image across the pushes that
# grow the array of images, and checked the root against freed memory (valgrind, when there, makes
# such a read certain to show).
bash -c 'for i in $(seq 40); do sleep 60 & done; wait' &
crowd=$!
for _ in $(seq 100); do [ "$(pgrep -c -P $crowd)" = 40 ] && break; sleep 0.05; done
if "$CKPT" dump $crowd -o "$SCRATCH/crowd.ckpt" --kill >"$SCRATCH/dump.log" 2>&1; then
	reader=("$CKPT")
	command -v valgrind >/dev/null && reader=(valgrind -q --error-exitcode=9 "$CKPT")
	check "41 processes: ckpt info reads the statefile of the tree" bash -c '"$@" >/dev/null' _ "${reader[@]}" info "$SCRATCH/crowd.ckpt"
else
	fail "41 processes: dump --kill" "$(cat "$SCRATCH/dump.log")"
fi
wait $crowd 2>/dev/null
rm -f "$SCRATCH/crowd.ckpt"

# A deleted file comes back in its old directory: with that gone, ckpt check says so, and restart
# refuses in the same words.
if [ -s "$SCRATCH/ghosts.ckpt" ]; then
	rm -rf "$SCRATCH/work.ghosts"
	"$CKPT" check "$SCRATCH/ghosts.ckpt" >"$SCRATCH/check.out" 2>&1
	check "ghosts: ckpt check names a deleted file whose directory restart cannot write" \
		grep -q "PROBLEM .*work.ghosts/ghost.tmp (deleted): .*cannot write here" "$SCRATCH/check.out"
	timeout 60 "$CKPT" restart "$SCRATCH/ghosts.ckpt" >/dev/null 2>"$SCRATCH/err"
	check "ghosts: restart refuses it in the same words" \
		grep -q "^ckpt: cannot restart: .*ghost.tmp (deleted) .*cannot write here" "$SCRATCH/err"
fi

# 3b. Threads and children keep appearing while the tree is being frozen.
expected=$(expected_output spawner)
for round in 1 2 3; do
	start_prog spawner "$SCRATCH/spawner.out"
	"$CKPT" dump $PROG_PID -o "$SCRATCH/spawner.ckpt" >"$SCRATCH/dump.log" 2>&1 || fail "spawner: dump #$round" "$(cat "$SCRATCH/dump.log")"
	wait $PROG_PID
	check "spawner: threads and children created during the freeze all finish (#$round)" \
		[ "$(cat "$SCRATCH/spawner.out")" = "$expected" ]
done

# 3b''. A child in a job-control stop is stopped again after a restart, and its parent sees it.
expected=$(expected_output stopchild)
out="$SCRATCH/stopchild.out"
if [ "$expected" != "child stayed stopped, then ran on" ]; then
	fail "stopchild: undisturbed run" "$expected"
elif start_prog stopchild "$out" && "$CKPT" dump $PROG_PID -o "$SCRATCH/stopchild.ckpt" --kill >"$SCRATCH/dump.log" 2>&1; then
	wait $PROG_PID 2>/dev/null
	check "stopchild: ckpt info shows the stopped child" grep -q 'sid [0-9]*, stopped$' \
		<("$CKPT" info "$SCRATCH/stopchild.ckpt")
	: >"$out"
	timeout 60 "$CKPT" restart "$SCRATCH/stopchild.ckpt" >>"$out" 2>"$SCRATCH/restart.err"
	rc=$?
	check "stopchild: the stopped child is stopped again after restart ($(tail -1 "$out"))" \
		restarted_to $rc "$out" "$expected"
else
	fail "stopchild: dump --kill" "$(cat "$SCRATCH/dump.log")"
fi

# 3b'. Incremental: a dump against an earlier statefile of the same program copies what did not
# change and is complete on its own.  Sharing pages needs a file system with reflinks: the
# test makes a small XFS one (it needs root and xfsprogs, and fails without them), and also runs
# where the scratch directory is, where ckpt must say it writes everything.
# No fork here (fork step -1): a child forked while the second dump runs would be in the tree
# with memory the parent statefile has in no process.  200 steps of 40 ms: both dumps must be
# over long before the program is, even on a loaded machine.
incr_expected=$(expected_output bigheap 300 200 -1)
incremental_test() { # DIR LABEL
	local dir=$1 label=$2
	expected=$incr_expected
	start_prog bigheap "$SCRATCH/incr.out" 300 200 -1
	"$CKPT" dump $PROG_PID -o "$dir/incr-parent.ckpt" >/dev/null 2>"$SCRATCH/incr.err" ||
		fail "incremental ($label): first dump" "$(cat "$SCRATCH/incr.err")"
	sleep 0.3
	"$CKPT" dump $PROG_PID -o "$dir/incr.ckpt" --parent "$dir/incr-parent.ckpt" --kill --json >"$SCRATCH/incr.json" 2>"$SCRATCH/incr.err" ||
		fail "incremental ($label): second dump" "$(cat "$SCRATCH/incr.err")"
	wait $PROG_PID 2>/dev/null
	if ! df --output=fstype "$dir" | grep -qE 'xfs|btrfs'; then
		check "incremental ($label): no reflinks here, so every page is written" \
			python3 -c 'import json,sys; d=json.load(sys.stdin); assert d["parent_bytes"] == 0, d' <"$SCRATCH/incr.json"
	else
		check "incremental ($label): most memory is shared with the parent" \
			python3 -c 'import json,sys; d=json.load(sys.stdin); assert d["parent_bytes"] > d["stored_bytes"] * 0.9, d' <"$SCRATCH/incr.json"
	fi
	rm -f "$dir/incr-parent.ckpt"
	cp "$SCRATCH/incr.out" "$SCRATCH/partial"
	timeout 60 "$CKPT" restart "$dir/incr.ckpt" >>"$SCRATCH/incr.out" 2>"$SCRATCH/restart.err"
	restarted_to $? "$SCRATCH/incr.out" "$expected"
	check "incremental ($label): the statefile restarts on its own, with the undisturbed result" [ $? = 0 ]
}
incremental_test "$SCRATCH" "scratch directory"
if [ "$(id -u)" = 0 ] && command -v mkfs.xfs >/dev/null && truncate -s 1G "$SCRATCH/xfs.img" &&
	mkfs.xfs -q -m reflink=1 "$SCRATCH/xfs.img" && mkdir -p "$SCRATCH/xfs" && mount -o loop "$SCRATCH/xfs.img" "$SCRATCH/xfs"; then
	incremental_test "$SCRATCH/xfs" "XFS with reflinks"
	umount "$SCRATCH/xfs"
else
	fail "incremental (XFS with reflinks)" "cannot make one here (needs root, xfsprogs and a loop device)"
fi
rm -f "$SCRATCH/xfs.img"
"$CKPT" dump $$ -o "$SCRATCH/wrong.ckpt" --parent "$SCRATCH/incr.ckpt" 2>"$SCRATCH/err"
check "incremental: a parent of another program is refused" one_line_error $? "$SCRATCH/err"

# 3c. Lazy restart: big memory paged in on demand and in the background; dropped memory stays
# zero and a child forked meanwhile sees the same heap.
expected=$(expected_output bigheap 300)
start_prog bigheap "$SCRATCH/lazy.out" 300
"$CKPT" dump $PROG_PID -o "$SCRATCH/lazy.ckpt" --kill >/dev/null 2>&1
wait $PROG_PID 2>/dev/null
cp "$SCRATCH/lazy.out" "$SCRATCH/partial"
for round in 1 2; do
	cp "$SCRATCH/partial" "$SCRATCH/lazy.out"
	# The second round pages in slowly, so the fork and the dropped memory meet missing pages.
	slow=; [ $round = 2 ] && slow=1
	env ${slow:+CKPT_TEST_SLOW_PAGER=1} timeout 60 "$CKPT" restart "$SCRATCH/lazy.ckpt" --lazy >>"$SCRATCH/lazy.out" 2>"$SCRATCH/restart.err"
	rc=$?
	if [ $rc = 0 ] && [ "$(cat "$SCRATCH/lazy.out")" = "$expected" ] && [ ! -s "$SCRATCH/restart.err" ]; then
		pass "lazy: restart --lazy gives the undisturbed result (#$round)"
	else
		fail "lazy: restart --lazy #$round" "exit $rc $(cat "$SCRATCH/restart.err"); $(tail -2 "$SCRATCH/lazy.out")"
	fi
done

# 3c'. Lazy restart of locked memory: the pager leaves it alone, so it comes back filled and locked
# (vmaflags's locked region is big enough for the pager to want it otherwise).
expected=$(expected_output vmaflags)
start_prog vmaflags "$SCRATCH/lazyv.out"
"$CKPT" dump $PROG_PID -o "$SCRATCH/lazyv.ckpt" --kill >/dev/null 2>&1
wait $PROG_PID 2>/dev/null
timeout 60 "$CKPT" restart "$SCRATCH/lazyv.ckpt" --lazy >>"$SCRATCH/lazyv.out" 2>"$SCRATCH/restart.err"
rc=$?
if [ $rc = 0 ] && [ "$(cat "$SCRATCH/lazyv.out")" = "$expected" ] && [ ! -s "$SCRATCH/restart.err" ]; then
	pass "lazy: vmaflags's locked mappings come back filled and locked with restart --lazy"
else
	fail "lazy: vmaflags restart --lazy" "exit $rc $(cat "$SCRATCH/restart.err"); $(diff <(echo "$expected") "$SCRATCH/lazyv.out" | head -5)"
fi

# 3d. Connections to peers outside the tree (a TCP and a unix server run here).  The TCP one is
# rebuilt with TCP repair once the saved program is gone, with the bytes queued for it; while
# the saved program still holds it (left stopped), restart gives a socket that reports a reset
# and says so in one line.  The unix one reports a reset; a datagram socket connected to one
# outside that is still there is connected to it again; ckpt info says all this.
outside_servers() { # UNIX-PATH DGRAM-PATH SECONDS: prints the TCP port; sends "queued" to each TCP client, answers "ping"
	python3 -c '
import select, socket, sys, time
t = socket.socket(); t.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1); t.bind(("127.0.0.1", 0)); t.listen(4)
u = socket.socket(socket.AF_UNIX); u.bind(sys.argv[1]); u.listen(4)
d = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM); d.bind(sys.argv[2])
print(t.getsockname()[1], flush=True)
held, conns, end = [], [], time.time() + float(sys.argv[3])
while time.time() < end:
    for s in select.select([t, u, d] + conns, [], [], 0.2)[0]:
        if s is t:
            c = t.accept()[0]; c.sendall(b"queued"); conns.append(c)
        elif s is u:
            held.append(u.accept()[0])
        elif s is d:
            print("outside dgram got", d.recv(16).decode(), flush=True)
        else:
            m = s.recv(16)
            if m == b"ping":
                s.sendall(b"pong")
            elif not m:
                conns.remove(s); held.append(s)' "$@"
}
rm -f "$SCRATCH/outside.sock" "$SCRATCH/outside.dgram"
coproc OUTSIDE { outside_servers "$SCRATCH/outside.sock" "$SCRATCH/outside.dgram" 40; }
read -r -t 10 oport <&"${OUTSIDE[0]}"
rebuilt=$(printf 'tcp: a socket, queued then pong\nunix: a socket, Connection reset by peer\nunix dgram: sent')
if [ -n "$oport" ] && start_prog peerout "$SCRATCH/peerout.out" "$oport" "$SCRATCH/outside.sock" "$SCRATCH/outside.dgram" &&
	"$CKPT" dump $PROG_PID -o "$SCRATCH/peerout.ckpt" --kill >"$SCRATCH/dump.log" 2>&1; then
	wait $PROG_PID 2>/dev/null
	"$CKPT" info "$SCRATCH/peerout.ckpt" >"$SCRATCH/peerout.info"
	"$CKPT" info --json "$SCRATCH/peerout.ckpt" >"$SCRATCH/peerout.json"
	check "sockets: ckpt info says the tcp connection to a peer outside the tree is rebuilt if it can be" \
		grep -q 'tcp established .* outside the tree, 6 bytes to read, 0 to send: rebuilt if its address pair is free, else a reset' "$SCRATCH/peerout.info"
	check "sockets: ckpt info says the unix one will report a reset" \
		[ "$(grep -c 'will report a reset (its peer is outside the tree)' "$SCRATCH/peerout.info")" = 1 ]
	check "sockets: ckpt info says the datagram socket is connected to its outside peer's name again" \
		grep -q "unix dgram connected to $SCRATCH/outside.dgram, outside the tree: connected to that name again" "$SCRATCH/peerout.info"
	check "sockets: ckpt info --json says so too" python3 -c '
import json, sys
d = json.load(sys.stdin)
s = [f["socket"] for p in d["processes"] for f in p["fds"] if "socket" in f]
assert len(s) == 3 and all(x["peer"] == "outside the tree" for x in s), s
t, u, g = s
assert t["type"] == "tcp" and t["repair"] and not t["reports_reset"] and t["reset_if_address_pair_taken"] and t["recv_queue_bytes"] == 6, t
assert u["reports_reset"], u
assert not g["reports_reset"] and g["connects_to_name_again"], g' <"$SCRATCH/peerout.json"
	timeout 60 "$CKPT" restart "$SCRATCH/peerout.ckpt" >"$SCRATCH/peerout.out" 2>"$SCRATCH/restart.err"
	check "sockets: a tcp connection to a peer outside the tree goes on after a restart, with its queued bytes; a datagram socket sends to its outside peer" \
		[ "$(cat "$SCRATCH/peerout.out")" = "$rebuilt" ]
	read -r -t 10 got <&"${OUTSIDE[0]}"
	check "sockets: the outside datagram socket got the byte sent after restart" [ "$got" = "outside dgram got d" ]
else
	fail "sockets: peers outside the tree" "no outside servers, or the dump failed: $(cat "$SCRATCH/dump.log" 2>/dev/null)"
fi
if [ -n "$oport" ] && start_prog peerout "$SCRATCH/peerout2.out" "$oport" "$SCRATCH/outside.sock" "$SCRATCH/outside.dgram" &&
	"$CKPT" dump $PROG_PID -o "$SCRATCH/peerout2.ckpt" --leave-stopped >"$SCRATCH/dump.log" 2>&1; then
	# The restarted program writes where the saved one was to write, in the same file.
	timeout 60 "$CKPT" restart "$SCRATCH/peerout2.ckpt" 2>"$SCRATCH/restart.err"
	check "sockets: while the saved program holds it, the restarted tcp connection reports a reset" \
		[ "$(cat "$SCRATCH/peerout2.out")" = "$(printf 'tcp: a socket, Connection reset by peer\nunix: a socket, Connection reset by peer\nunix dgram: sent')" ]
	check "sockets: restart says so in one line" \
		[ "$(grep -c 'to a peer outside the tree is not rebuilt: its address pair is in use: it reports a reset' "$SCRATCH/restart.err")" = 1 ]
	cont_tree $PROG_PID
	wait $PROG_PID
	check "sockets: the saved program's own tcp connection goes on undisturbed" \
		[ "$(head -n1 "$SCRATCH/peerout2.out")" = "tcp: a socket, queued then pong" ]
else
	fail "sockets: peers outside the tree, left stopped" "the dump failed: $(cat "$SCRATCH/dump.log" 2>/dev/null)"
fi
kill "$OUTSIDE_PID" 2>/dev/null
wait "$OUTSIDE_PID" 2>/dev/null
# The saved program still holds its port (left stopped): ckpt check names the port as a
# problem, and restart refuses in one line with the same words.
expected=$(expected_output echo)
if start_prog echo "$SCRATCH/busy.out" && "$CKPT" dump $PROG_PID -o "$SCRATCH/busy.ckpt" --leave-stopped >/dev/null 2>&1; then
	port=$("$CKPT" info --json "$SCRATCH/busy.ckpt" | python3 -c '
import json, sys
d = json.load(sys.stdin)
print(next(f["socket"]["local"].split(":")[1] for f in d["processes"][0]["fds"]
      if f.get("socket", {}).get("state") == "listening"))')
	"$CKPT" check "$SCRATCH/busy.ckpt" >"$SCRATCH/check.out" 2>/dev/null
	check "sockets: ckpt check names the port the saved program still listens on" \
		grep -q "PROBLEM  socket .*: port $port is taken here" "$SCRATCH/check.out"
	timeout 60 "$CKPT" restart "$SCRATCH/busy.ckpt" >/dev/null 2>"$SCRATCH/err"
	check "sockets: restart refuses a taken port in one line" one_line_error $? "$SCRATCH/err"
	check "sockets: the line names the port" grep -q "port $port is taken here" "$SCRATCH/err"
	cont_tree $PROG_PID
	wait $PROG_PID
	check "sockets: the saved program runs on undisturbed" [ "$(cat "$SCRATCH/busy.out")" = "$expected" ]
else
	fail "sockets: port taken" "the echo program did not start or could not be dumped"
fi

# 4. Restarted stopped: gdb attached by pid sees what gdb sees in the statefile; then it runs on.
for prog in threads single; do
	args=$(prog_args $prog)
	expected=$(expected_output $prog $args)
	sf="$SCRATCH/$prog.ckpt"
	out="$SCRATCH/$prog.out4"
	start_prog $prog "$out" $args || { fail "$prog: start" "not ready"; continue; }
	"$CKPT" dump $PROG_PID -o "$sf" --kill >/dev/null 2>&1
	wait $PROG_PID 2>/dev/null
	cp "$out" "$SCRATCH/partial"
	"$CKPT" restart "$sf" --stopped --pid-file "$SCRATCH/pid" >"$SCRATCH/stopped.out" 2>"$SCRATCH/restart.err"
	rc=$?
	pid=$(cat "$SCRATCH/pid" 2>/dev/null)
	if [ $rc != 0 ] || [ -z "$pid" ]; then
		fail "$prog: restart --stopped" "exit $rc $(cat "$SCRATCH/restart.err")"
		continue
	fi
	check "$prog: restart --stopped prints the pid" [ "$(head -1 "$SCRATCH/stopped.out")" = "$pid" ]
	check "$prog: the restarted tree is stopped" grep -q '^State:.*T (stopped)' /proc/$pid/status
	check "$prog: the restarted tree is not traced" grep -q '^TracerPid:[[:space:]]*0$' /proc/$pid/status
	gdb_view "$BIN/$prog" -c "$sf" >"$SCRATCH/view.core"
	gdb_view "$BIN/$prog" -p "$pid" detach >"$SCRATCH/view.live"
	sed -i '/^\[Inferior 1 (process [0-9]*) detached\]$/d' "$SCRATCH/view.live"
	if diff -u "$SCRATCH/view.core" "$SCRATCH/view.live" >"$SCRATCH/view.diff" && [ -s "$SCRATCH/view.core" ]; then
		pass "$prog: gdb -p on the restarted process shows what gdb -c shows on the statefile"
	else
		fail "$prog: gdb -p vs gdb -c" "$(head -20 "$SCRATCH/view.diff")"
	fi
	# gdb's attach queued SIGSTOPs; the process is still stopped: let it run to the end.
	sleep 0.2
	kill -CONT "$pid"
	wait_gone "$pid" 30
	got=$(cat "$out")
	check "$prog: after restart --stopped and SIGCONT it ends with the undisturbed result" [ "$got" = "$expected" ]
done

# 4b. A program writing into a pipe that leads outside the tree: after restart its output
# comes out of restart's own stdout.
expected=$(expected_output single)
(CKPT_TEST_ENV=single "$BIN/single" "$SCRATCH/ready.pipe" | cat >"$SCRATCH/pipe.before") &
wait_for_file "$SCRATCH/ready.pipe"
ppid=$(pgrep -f "$BIN/single $SCRATCH/ready.pipe\$")
"$CKPT" dump $ppid -o "$SCRATCH/pipe.ckpt" --kill >/dev/null 2>&1
wait
timeout 60 "$CKPT" restart "$SCRATCH/pipe.ckpt" >"$SCRATCH/pipe.after" 2>"$SCRATCH/restart.err"
check "stdio: output to a pipe outside the tree continues on restart's stdout" \
	[ "$(cat "$SCRATCH/pipe.before" "$SCRATCH/pipe.after")" = "$expected" ]

# 5. Inside a new user+pid namespace: the program still sees its own pid.
prog=threads
expected=$(expected_output $prog)
start_prog $prog "$SCRATCH/ns.out"
"$CKPT" dump $PROG_PID -o "$SCRATCH/ns.ckpt" --kill >/dev/null 2>&1
wait $PROG_PID 2>/dev/null
saved_pid=$PROG_PID
"$CKPT" restart "$SCRATCH/ns.ckpt" --namespace --stopped --json >"$SCRATCH/ns.json" 2>"$SCRATCH/restart.err"
outer=$(python3 -c 'import json,sys; print(json.loads(sys.stdin.readline())["pid"])' <"$SCRATCH/ns.json" 2>/dev/null)
if [ -n "$outer" ]; then
	check "namespace: inner pid is the saved pid" grep -q "^NSpid:[[:space:]]*$outer[[:space:]]*$saved_pid\$" /proc/$outer/status
	check "namespace: --json says so" grep -q '"namespace":true' "$SCRATCH/ns.json"
	kill -CONT "$outer"
	wait_gone "$outer" 30
	got=$(cat "$SCRATCH/ns.out"; tail -n +2 "$SCRATCH/ns.json")
	check "namespace: the program ends with the undisturbed result" [ "$got" = "$expected" ]
else
	fail "namespace: restart --namespace" "$(cat "$SCRATCH/restart.err")"
fi

# 5b. A saved pid that looks free but is still taken (as a process group id): restart finds out
# when it asks for it, and goes the namespace way.
expected=$(expected_output groupie)
start_prog groupie "$SCRATCH/groupie.out"
gpid=$PROG_PID
"$CKPT" dump $gpid -o "$SCRATCH/groupie.ckpt" --kill >/dev/null 2>&1
wait $gpid 2>/dev/null
check "pids: the saved pid is free but its group is not" bash -c '[ ! -e /proc/$0 ] && pgrep -g $0 >/dev/null' $gpid
timeout 60 "$CKPT" restart "$SCRATCH/groupie.ckpt" >>"$SCRATCH/groupie.out" 2>"$SCRATCH/restart.err"
rc=$?
check "pids: restart retries in a namespace and gives the undisturbed result (exit $rc)" \
	[ "$(cat "$SCRATCH/groupie.out")" = "$expected" ]

# 6. As an ordinary user (created for the tests): dump and restart without any privilege.
USER_NAME=ckpt-test
id -u $USER_NAME >/dev/null 2>&1 || useradd --no-create-home --shell /usr/sbin/nologin $USER_NAME 2>/dev/null
if id -u $USER_NAME >/dev/null 2>&1; then
	as_user() { setpriv --reuid=$USER_NAME --regid=$USER_NAME --init-groups -- "$@"; }
	cp "$CKPT" "$SCRATCH/ckpt"
	chmod 755 "$SCRATCH/ckpt"
	for prog in single tree vmaflags attrs; do
		udir="$SCRATCH/user.$prog"
		mkdir -p "$udir"
		chown $USER_NAME: "$udir"
		expected=$(cd "$udir" && as_user "$BIN/$prog" "$udir/ready0" 2>&1)
		# The user's own output file, as it would be from the user's own shell.
		(cd "$udir" && as_user sh -c 'exec "$0" "$1" >"$2" 2>&1' "$BIN/$prog" "$udir/ready" "$udir/out") &
		wait_for_file "$udir/ready" || { fail "user: $prog start" "not ready"; continue; }
		upid=$(pgrep -u $USER_NAME -f "$BIN/$prog $udir/ready\$" | head -1)
		as_user "$SCRATCH/ckpt" dump "$upid" -o "$udir/s.ckpt" --kill >"$udir/dump.log" 2>&1 ||
			fail "user: $prog dump" "$(cat "$udir/dump.log")"
		wait
		check "user: $prog statefile belongs to the user, mode 0600" [ "$(stat -c '%U %a' "$udir/s.ckpt")" = "$USER_NAME 600" ]
		before=$(pgrep -u $USER_NAME | sort)
		(cd "$udir" && as_user sh -c 'exec timeout 60 "$0" restart "$1" >>"$2" 2>"$3"' "$SCRATCH/ckpt" "$udir/s.ckpt" \
			"$udir/out" "$udir/restart.err")
		rc=$?
		if [ $rc = 0 ] && [ "$(cat "$udir/out")" = "$expected" ]; then
			pass "user: $prog restarts as an ordinary user"
		else
			fail "user: $prog restart" "exit $rc $(cat "$udir/restart.err"); $(tail -2 "$udir/out")"
		fi
		# Processes of the killed original may linger as zombies until init reaps them.
		check "user: $prog left no process behind" [ -z "$(comm -13 <(echo "$before") <(pgrep -u $USER_NAME | sort))" ]
	done
	# Locked memory beyond the RLIMIT_MEMLOCK of the user restarting: the restart warns once and
	# the program runs on with its memory whole but unlocked.
	udir="$SCRATCH/user.vmaflags"
	(cd "$udir" && as_user sh -c 'exec "$0" "$1" >"$2" 2>&1' "$BIN/vmaflags" "$udir/ready.m" "$udir/out.m") &
	wait_for_file "$udir/ready.m"
	upid=$(pgrep -u $USER_NAME -f "$BIN/vmaflags $udir/ready.m\$" | head -1)
	as_user "$SCRATCH/ckpt" dump "$upid" -o "$udir/m.ckpt" --kill >/dev/null 2>&1
	wait
	(cd "$udir" && as_user sh -c 'ulimit -l 1024 && exec timeout 60 "$0" restart "$1" >>"$2" 2>"$3"' "$SCRATCH/ckpt" \
		"$udir/m.ckpt" "$udir/out.m" "$udir/restart.err")
	rc=$?
	check "user: locked memory over RLIMIT_MEMLOCK: the restart warns in one line" \
		bash -c '[ "$(wc -l <"$0")" = 1 ] && grep -q "^ckpt: .*cannot lock .* KiB of locked memory again" "$0"' "$udir/restart.err"
	unlocked=$(grep '^locked:' "$udir/out" | sed 's/flags lo,/flags -,/; s/locked all of it/locked NOT all of it/')
	check "user: and the program runs on unlocked, its contents whole (exit $rc)" \
		bash -c '[ "$0" = 0 ] && [ -n "$1" ] && grep -qxF "$1" "$2"' "$rc" "$unlocked" "$udir/out.m"
	# Sockets as an ordinary user: unix sockets come back whole; a TCP connection inside the
	# tree cannot be saved without CAP_NET_ADMIN, which the dump says, and so does ckpt info.
	udir="$SCRATCH/user.sockets"
	mkdir -p "$udir/work"
	chown -R $USER_NAME: "$udir"
	expected=$(cd "$udir" && as_user "$BIN/unixsockets" "$udir/ready0" "$udir/work" 2>&1)
	(cd "$udir" && as_user sh -c 'exec "$0" "$1" "$2" >"$3" 2>&1' "$BIN/unixsockets" "$udir/ready" "$udir/work" "$udir/out") &
	wait_for_file "$udir/ready"
	upid=$(pgrep -u $USER_NAME -f "$BIN/unixsockets $udir/ready " | head -1)
	as_user "$SCRATCH/ckpt" dump "$upid" -o "$udir/u.ckpt" --kill >"$udir/dump.log" 2>&1
	wait
	(cd "$udir" && as_user sh -c 'exec timeout 60 "$0" restart "$1" >>"$2" 2>"$3"' "$SCRATCH/ckpt" "$udir/u.ckpt" \
		"$udir/out" "$udir/restart.err")
	check "user: unix sockets restart as an ordinary user with the undisturbed result" [ "$(cat "$udir/out")" = "$expected" ]
	(cd "$udir" && as_user sh -c 'exec "$0" "$1" >"$2" 2>&1' "$BIN/echo" "$udir/ready.tcp" "$udir/out.tcp") &
	wait_for_file "$udir/ready.tcp"
	upid=$(pgrep -u $USER_NAME -f "$BIN/echo $udir/ready.tcp\$" | head -1)
	as_user "$SCRATCH/ckpt" dump "$upid" -o "$udir/t.ckpt" --kill >"$udir/dump.log" 2>&1
	wait
	check "user: the dump says a tcp connection inside the tree needs CAP_NET_ADMIN" \
		grep -q "need CAP_NET_ADMIN to be saved" "$udir/dump.log"
	check "user: ckpt info says both ends will report a reset" \
		[ "$(as_user "$SCRATCH/ckpt" info "$udir/t.ckpt" | grep -c 'will report a reset (saved without CAP_NET_ADMIN)')" = 2 ]
	# The same user's gdb reads the program's symbols after a restart left it stopped (in a
	# user+pid namespace: this user may not choose pids).
	udir="$SCRATCH/user.single"
	(cd "$udir" && as_user sh -c 'exec "$0" "$1" >"$2" 2>&1' "$BIN/single" "$udir/ready.g" "$udir/out.g") &
	wait_for_file "$udir/ready.g"
	upid=$(pgrep -u $USER_NAME -f "$BIN/single $udir/ready.g\$" | head -1)
	as_user "$SCRATCH/ckpt" dump "$upid" -o "$udir/g.ckpt" --kill >/dev/null 2>&1
	wait
	(cd "$udir" && as_user "$SCRATCH/ckpt" restart "$udir/g.ckpt" --stopped --pid-file "$udir/g.pid" >/dev/null 2>&1)
	gpid=$(cat "$udir/g.pid" 2>/dev/null)
	bt=$(as_user timeout 60 gdb -nx -q -batch -p "${gpid:-0}" -ex bt 2>&1)
	check "user: gdb -p by the same user shows the restarted program's functions" \
		bash -c 'grep -q " in main " <<<"$0"' "$bt"
	[ -n "$gpid" ] && kill -9 "$gpid" 2>/dev/null
	# Without privilege, another user's process cannot be dumped.
	sleep 5 &
	rootpid=$!
	as_user "$SCRATCH/ckpt" dump $rootpid -o "$SCRATCH/user.single/x.ckpt" 2>"$SCRATCH/err"
	rc=$?
	check "error: permission denied is one line, exit 1" one_line_error $rc "$SCRATCH/err"
	check "error: permission denied says so" grep -q 'permission denied' "$SCRATCH/err"
	kill $rootpid
else
	fail "user" "cannot create the test user $USER_NAME"
fi

# 7. Errors: one line, exit 1, no file left behind.
"$CKPT" dump 4194000 -o "$SCRATCH/e.ckpt" 2>"$SCRATCH/err"
rc=$?
check "error: no such pid (exit $rc)" one_line_error $rc "$SCRATCH/err"
check "error: no such pid says so" grep -q 'no process with pid 4194000' "$SCRATCH/err"
"$CKPT" dump 2 -o "$SCRATCH/e.ckpt" 2>"$SCRATCH/err"
check "error: kernel thread" one_line_error $? "$SCRATCH/err"
check "error: kernel thread says so" grep -q 'kernel thread' "$SCRATCH/err"
bash -c 'sleep 0.1 & exec sleep 3' &
zparent=$!
sleep 0.5
zombie=$(pgrep -P $zparent)
"$CKPT" dump "$zombie" -o "$SCRATCH/e.ckpt" 2>"$SCRATCH/err"
check "error: zombie" one_line_error $? "$SCRATCH/err"
check "error: zombie says so" grep -q 'zombie' "$SCRATCH/err"
kill $zparent 2>/dev/null
# A full disk: the reason in one line, no file left, and the program goes on undisturbed.
if [ "$(id -u)" = 0 ] && mkdir -p "$SCRATCH/tiny" && mount -t tmpfs -o size=2m tmpfs "$SCRATCH/tiny"; then
	expected=$(expected_output bigheap 300)
	start_prog bigheap "$SCRATCH/full.out" 300
	"$CKPT" dump $PROG_PID -o "$SCRATCH/tiny/e.ckpt" 2>"$SCRATCH/err"
	check "error: full disk" one_line_error $? "$SCRATCH/err"
	check "error: full disk says so" grep -q 'No space left on device' "$SCRATCH/err"
	check "error: full disk leaves no file" [ -z "$(ls -A "$SCRATCH/tiny")" ]
	check "error: full disk leaves the program running, untraced" \
		bash -c 'grep -q "^State:[[:space:]]*[RSD]" /proc/$0/status && grep -q "^TracerPid:[[:space:]]*0$" /proc/$0/status' $PROG_PID
	kill -CONT $PROG_PID 2>/dev/null # not to hang below if the check above failed
	wait $PROG_PID
	check "error: full disk: the program finishes undisturbed" [ "$(cat "$SCRATCH/full.out")" = "$expected" ]
	umount "$SCRATCH/tiny"
else
	fail "error: full disk" "cannot mount a small tmpfs here (needs root)"
fi
sleep 30 &
victim=$!
gdb -q -batch -nx -p $victim -ex 'shell sleep 4' >/dev/null 2>&1 &
gdbpid=$!
for i in $(seq 1 60); do grep -q "^TracerPid:[[:space:]]*$gdbpid" /proc/$victim/status && break; sleep 0.05; done
"$CKPT" dump $victim -o "$SCRATCH/e.ckpt" 2>"$SCRATCH/err"
check "error: already traced" one_line_error $? "$SCRATCH/err"
check "error: already traced names the tracer and ckpt save" grep -q "traced by pid $gdbpid .*ckpt save" "$SCRATCH/err"
kill $victim
wait $gdbpid 2>/dev/null
# What restart cannot rebuild (a packet socket, a pidfd of a process outside the tree, a userfaultfd; deleted files, FIFOs
# and directories are restorable, see ghosts and deleted, and so are pty pairs, see ptys): refused by default, naming it, the
# program undisturbed; saved with --allow-unrestorable, restarted with warnings.
mkdir -p "$SCRATCH/work.lost"
expected=$(expected_output unrestorable "$SCRATCH/work.lost")
start_prog unrestorable "$SCRATCH/lost.out" "$SCRATCH/work.lost"
"$CKPT" dump $PROG_PID -o "$SCRATCH/lost.ckpt" 2>"$SCRATCH/err"
check "unrestorable: refused by default (one line, exit 1)" one_line_error $? "$SCRATCH/err"
check "unrestorable: the refusal names the fd, what it is (its protocol) and the option" \
	grep -q "fd [0-9]* of pid $PROG_PID (socket:.*it is a socket of a kind restart cannot rebuild (PACKET).*--allow-unrestorable" "$SCRATCH/err"
check "unrestorable: no statefile was left" [ ! -e "$SCRATCH/lost.ckpt" ]
wait $PROG_PID
check "unrestorable: the program finishes undisturbed" [ "$(cat "$SCRATCH/lost.out")" = "$expected" ]
start_prog unrestorable "$SCRATCH/lost.out" "$SCRATCH/work.lost"
"$CKPT" dump $PROG_PID -o "$SCRATCH/lost.ckpt" --kill --allow-unrestorable >/dev/null 2>"$SCRATCH/err"
saved_with_warnings() { [ "$1" = 0 ] && [ "$(grep -c 'warning: fd' "$2")" = 3 ] && grep -q "(anon_inode:\[pidfd\]) is a pidfd of a process outside the tree, which restart cannot rebuild" "$2" &&
	grep -q "(anon_inode:\[userfaultfd\])" "$2"; }
check "unrestorable: --allow-unrestorable saves it, warning about each" saved_with_warnings $? "$SCRATCH/err"
wait $PROG_PID 2>/dev/null
timeout 60 "$CKPT" restart "$SCRATCH/lost.ckpt" >>"$SCRATCH/lost.out" 2>"$SCRATCH/err"
check "unrestorable: the saved program restarts, its lost fds as /dev/null, to the undisturbed result" \
	restarted_to $? "$SCRATCH/lost.out" "$expected"
"$CKPT" dump >/dev/null 2>&1
check "error: bad usage exits 2" [ $? = 2 ]
# Usage: each verb has its own --help, and a bad option is one line naming the verb, exit 2.
usage_refused() { # STATUS STDERRFILE PATTERN
	[ "$1" = 2 ] && [ "$(wc -l <"$2")" = 1 ] && grep -q "$3" "$2"
}
for verb in dump restart debug info check label binfmt; do
	"$CKPT" $verb --help >"$SCRATCH/help" 2>&1
	check "usage: ckpt $verb --help shows its synopsis" grep -q "^  ckpt $verb " "$SCRATCH/help"
	"$CKPT" $verb --no-such-option x >/dev/null 2>"$SCRATCH/err"
	check "usage: ckpt $verb with an unknown option exits 2 with one line" \
		usage_refused $? "$SCRATCH/err" "^ckpt: $verb: unknown option '--no-such-option'"
done
"$CKPT" dump 1 -o >/dev/null 2>"$SCRATCH/err"
check "usage: an option without its value is named" usage_refused $? "$SCRATCH/err" "^ckpt: dump: -o needs a value"
"$CKPT" dump 1 -o "$SCRATCH/x.ckpt" --kill --leave-stopped >/dev/null 2>"$SCRATCH/err"
check "usage: two release modes are refused" usage_refused $? "$SCRATCH/err" "choose only one"
"$CKPT" debug "$SCRATCH/x.ckpt" -batch >/dev/null 2>"$SCRATCH/err"
check "usage: gdb's options for ckpt debug go after --" usage_refused $? "$SCRATCH/err" "go after --"
every_verb_listed() {
	for verb in dump restart debug info check label binfmt; do grep -q "^  ckpt $verb " "$1" || return 1; done
}
"$CKPT" --help >"$SCRATCH/help"
check "usage: ckpt --help lists every verb" every_verb_listed "$SCRATCH/help"
# libckpt exports its API only: gdb has an xmalloc of its own, which must not take libckpt's calls.
exports=$(nm -D --defined-only build/lib/libckpt.so | awk '{print $3}')
others=$(echo "$exports" | grep -v '^ckpt_' | tr '\n' ' ')
check "libckpt exports only ckpt_ functions ($(echo "$exports" | wc -l) of them)${others:+; also: $others}" \
	[ -n "$exports" -a -z "$others" ]
check "error: no statefile was left behind" [ ! -e "$SCRATCH/e.ckpt" ]

# 8. Interrupting a dump: the program goes on as before, nothing is left under the final name.
expected=$(expected_output bigheap 300)
start_prog bigheap "$SCRATCH/int.out" 300
CKPT_TEST_SLOW_WRITE=1 "$CKPT" dump $PROG_PID -o "$SCRATCH/int.ckpt" 2>"$SCRATCH/err" &
dumper=$!
for i in $(seq 1 100); do ls "$SCRATCH"/.int.ckpt.*.tmp >/dev/null 2>&1 && break; sleep 0.02; done
sleep 0.2
kill -INT $dumper
wait $dumper
rc=$?
check "interrupt: dump exits 1 with one line" one_line_error $rc "$SCRATCH/err"
check "interrupt: no statefile under the final name" [ ! -e "$SCRATCH/int.ckpt" ]
check "interrupt: no temporary file left" [ -z "$(ls -A "$SCRATCH" | grep '^\.int\.ckpt')" ]
check "interrupt: the program is not traced any more" grep -q '^TracerPid:[[:space:]]*0$' /proc/$PROG_PID/status
wait $PROG_PID
check "interrupt: the program ends with the undisturbed result" [ "$(cat "$SCRATCH/int.out")" = "$expected" ]

# 9. Identity: restart refuses when a file the program maps has changed, and leaves nothing.
start_prog mapfile "$SCRATCH/map.out" "$SCRATCH/mapped.dat"
"$CKPT" dump $PROG_PID -o "$SCRATCH/map.ckpt" --kill >/dev/null 2>&1
wait $PROG_PID 2>/dev/null
echo extra >>"$SCRATCH/mapped.dat"
# runchk (from the malformed tests) is a subreaper: it finds what the restart left behind, and
# only that, whatever else starts on the machine meanwhile.
gcc -std=c11 -O2 -o "$SCRATCH/runchk" tests/malformed/runchk.c || fail "identity: runchk" "gcc failed"
res=$("$SCRATCH/runchk" -t 60 -o "$SCRATCH/out" -e "$SCRATCH/err" -- "$CKPT" restart "$SCRATCH/map.ckpt")
status=${res%% *}
left=${res#*left=}
check "identity: a changed mapped file is refused (one line, exit 1)" one_line_error "${status#status=exit:}" "$SCRATCH/err"
check "identity: the message names the file" grep -q "mapped.dat changed since the snapshot" "$SCRATCH/err"
check "identity: no process left behind" [ "${left%% *}" = 0 ]

# 9b. Portability: ckpt check reports what restart needs from this machine, each problem with
# a remedy, and restart refuses a problem with the same words.
"$CKPT" check "$SCRATCH/map.ckpt" >"$SCRATCH/check.out" 2>"$SCRATCH/check.err"
rc=$?
check "check: a changed mapped file is a problem (exit 1, one line on stderr)" one_line_error $rc "$SCRATCH/check.err"
check "check: the report names the file and a remedy" \
	grep -A1 -q "PROBLEM  file .*mapped.dat: changed since the snapshot" "$SCRATCH/check.out"
"$CKPT" check "$SCRATCH/map.ckpt" --json >"$SCRATCH/check.json" 2>/dev/null
same_words() { # CHECK-JSON RESTART-STDERR: restart's refusal says the first problem's state and remedy
	python3 - "$1" "$2" <<'PY'
import json, sys
report = json.load(open(sys.argv[1]))
refusal = open(sys.argv[2]).read()
first = next(c for c in report["checks"] if c["status"] == "problem")
sys.exit(0 if report["restartable"] is False and first["state"] in refusal and first["remedy"] in refusal else 1)
PY
}
check "check: restart refuses with the words of ckpt check" same_words "$SCRATCH/check.json" "$SCRATCH/err"
mkdir -p "$SCRATCH/work.port"
start_prog resources "$SCRATCH/port.out" "$SCRATCH/work.port" &&
	"$CKPT" dump $PROG_PID -o "$SCRATCH/port.ckpt" --kill >/dev/null 2>&1
wait $PROG_PID 2>/dev/null
"$CKPT" check "$SCRATCH/port.ckpt" --json >"$SCRATCH/port.json" 2>"$SCRATCH/check.err"
all_areas_ok() {
	python3 - "$1" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))
areas = {c["area"] for c in r["checks"]}
bad = [c for c in r["checks"] if c["status"] == "problem"]
need = {"file", "cpu", "vdso", "kernel", "cwd", "open file", "user"}
sys.exit(0 if r["restartable"] and not bad and need <= areas else 1)
PY
}
check "check: a fresh statefile can restart here, every area checked (exit 0)" all_areas_ok "$SCRATCH/port.json"
# A teammate's CPU without some of the saving CPU's instruction sets (made by editing the note).
cp "$SCRATCH/port.ckpt" "$SCRATCH/cpu.ckpt"
python3 tests/lib/cpu_note.py "$SCRATCH/cpu.ckpt"
"$CKPT" check "$SCRATCH/cpu.ckpt" >"$SCRATCH/check.out" 2>/dev/null
check "check: instruction sets this CPU lacks are named, with a remedy" \
	grep -A1 -q "PROBLEM  cpu .*this CPU lacks .*avx512er" "$SCRATCH/check.out"
"$CKPT" check "$SCRATCH/cpu.ckpt" --json >"$SCRATCH/check.json" 2>/dev/null
"$CKPT" restart "$SCRATCH/cpu.ckpt" >/dev/null 2>"$SCRATCH/err"
check "check: restart refuses the CPU (one line, exit 1)" one_line_error $? "$SCRATCH/err"
check "check: with the words of ckpt check" same_words "$SCRATCH/check.json" "$SCRATCH/err"
# A file the program had open, gone on the teammate's machine.
mv "$SCRATCH/work.port/log.txt" "$SCRATCH/work.port/log.moved"
"$CKPT" check "$SCRATCH/port.ckpt" --json >"$SCRATCH/check.json" 2>/dev/null
"$CKPT" restart "$SCRATCH/port.ckpt" >/dev/null 2>"$SCRATCH/err"
check "check: a missing open file is refused with the words of ckpt check" same_words "$SCRATCH/check.json" "$SCRATCH/err"
mv "$SCRATCH/work.port/log.moved" "$SCRATCH/work.port/log.txt"

# 9c. A directory that moved (another machine, another home): the program's output file and its
# working directory are missing where it had them.  Restart refuses, naming the file and
# --map-path; with --map-path OLD=NEW it restarts to the undisturbed result, writing into the
# new place, and ckpt check --map-path shows the mapping.
mkdir -p "$SCRATCH/moved.old" "$SCRATCH/moved.expected"
expected=$(expected_output moved "$SCRATCH/moved.expected")
start_prog moved "$SCRATCH/moved.out" "$SCRATCH/moved.old" &&
	"$CKPT" dump $PROG_PID -o "$SCRATCH/moved.ckpt" --kill >/dev/null 2>&1
wait $PROG_PID 2>/dev/null
mv "$SCRATCH/moved.old" "$SCRATCH/moved.new"
"$CKPT" restart "$SCRATCH/moved.ckpt" >/dev/null 2>"$SCRATCH/err"
check "map-path: a missing output file is refused (one line, exit 1)" one_line_error $? "$SCRATCH/err"
check "map-path: the refusal names the file and suggests --map-path" \
	grep -q "moved.old/out.txt is missing here (fd [0-9]* of pid [0-9]* had it open.*--map-path OLD=NEW" "$SCRATCH/err"
"$CKPT" check "$SCRATCH/moved.ckpt" >"$SCRATCH/check.out" 2>/dev/null
check "map-path: ckpt check reports the file and the working directory missing" \
	[ "$(grep -c "PROBLEM .*moved.old.* is missing here" "$SCRATCH/check.out")" = 2 ]
map="$SCRATCH/moved.old=$SCRATCH/moved.new"
"$CKPT" check "$SCRATCH/moved.ckpt" --map-path "$map" >"$SCRATCH/check.out" 2>&1
check "map-path: ckpt check --map-path can restart (exit 0)" [ $? = 0 ]
check "map-path: ckpt check --map-path shows where each is used from" \
	[ "$(grep -c "note .*moved.old.*is missing here; $SCRATCH/moved.new.* is used instead" "$SCRATCH/check.out")" = 2 ]
"$CKPT" check "$SCRATCH/moved.ckpt" --map-path "/no/such=$SCRATCH/moved.new" >/dev/null 2>&1
check "map-path: a mapping that matches nothing changes nothing (exit 1)" [ $? = 1 ]
"$CKPT" restart "$SCRATCH/moved.ckpt" --map-path "$SCRATCH/moved=$SCRATCH/moved.new" >/dev/null 2>"$SCRATCH/err"
check "map-path: OLD matches whole path components only" \
	grep -q "moved.old/out.txt is missing here" "$SCRATCH/err"
"$CKPT" restart "$SCRATCH/moved.ckpt" --map-path relative=/x >/dev/null 2>"$SCRATCH/err"
check "map-path: a relative OLD is a usage error" usage_refused $? "$SCRATCH/err" "^ckpt: restart: --map-path needs OLD=NEW"
timeout 60 "$CKPT" restart "$SCRATCH/moved.ckpt" --map-path "/no/such=/x" --map-path "$map" \
	>>"$SCRATCH/moved.out" 2>"$SCRATCH/err"
check "map-path: restart --map-path gives the undisturbed result" restarted_to $? "$SCRATCH/moved.out" "$expected"
check "map-path: the program wrote into the new place" \
	cmp -s "$SCRATCH/moved.new/out.txt" "$SCRATCH/moved.expected/out.txt"

# 9d. A vDSO that differs (a teammate's kernel build): the saved vDSO's functions sit elsewhere
# (other_vdso.py swaps two of them, and the program's pointers to them, in the statefile).
# Restart keeps the saved vDSO's code at its address, each function jumping to the same one of
# this kernel's vDSO, and the program calling them in a loop ends with the undisturbed result.
expected=$(expected_output vdsocalls)
start_prog vdsocalls "$SCRATCH/vdso.out" &&
	"$CKPT" dump $PROG_PID -o "$SCRATCH/vdso.ckpt" --kill >/dev/null 2>&1
wait $PROG_PID 2>/dev/null
cp "$SCRATCH/vdso.ckpt" "$SCRATCH/vdso.ckpt.orig"
"$CKPT" check "$SCRATCH/vdso.ckpt" >"$SCRATCH/check.out" 2>&1
check "vdso: before the edit, the vDSO is this kernel's" grep -q "ok  *vdso .*the same as this kernel's" "$SCRATCH/check.out"
python3 tests/lib/other_vdso.py "$SCRATCH/vdso.ckpt" >"$SCRATCH/other_vdso.log" 2>&1
check "vdso: the statefile now has another kernel's vDSO ($(cat "$SCRATCH/other_vdso.log"))" [ $? = 0 ]
"$CKPT" check "$SCRATCH/vdso.ckpt" >"$SCRATCH/check.out" 2>&1
check "vdso: ckpt check reports it as differs, proxied (exit 0)" \
	bash -c '[ $0 = 0 ] && grep -q "note  *vdso .*differs, proxied" "$1"' $? "$SCRATCH/check.out"
timeout 60 "$CKPT" restart "$SCRATCH/vdso.ckpt" >>"$SCRATCH/vdso.out" 2>"$SCRATCH/err"
check "vdso: restart with the vDSO proxied gives the undisturbed result" restarted_to $? "$SCRATCH/vdso.out" "$expected"
# A thread saved with its pc inside a saved vDSO function whose code differs here cannot go on.
cp "$SCRATCH/vdso.ckpt.orig" "$SCRATCH/vdso-pc.ckpt"
python3 tests/lib/other_vdso.py "$SCRATCH/vdso-pc.ckpt" --pc-inside >/dev/null
"$CKPT" check "$SCRATCH/vdso-pc.ckpt" >"$SCRATCH/check.out" 2>/dev/null
check "vdso: ckpt check reports a thread inside a vDSO function that differs here as a problem" \
	grep -A1 -q "PROBLEM  vdso .*cannot be proxied: thread [0-9]* was saved inside the vDSO, at clock_gettime+0x4" "$SCRATCH/check.out"
"$SCRATCH/runchk" -t 60 -o "$SCRATCH/out" -e "$SCRATCH/err" -- "$CKPT" restart "$SCRATCH/vdso-pc.ckpt" >"$SCRATCH/res"
res=$(cat "$SCRATCH/res")
status=${res%% *}
left=${res#*left=}
check "vdso: restart refuses it in one line" one_line_error "${status#status=exit:}" "$SCRATCH/err"
check "vdso: with the words of ckpt check, leaving no process" \
	bash -c 'grep -q "cannot restart: \[vdso\]: differs .*clock_gettime+0x4, whose code differs on this kernel" "$0" && [ "$1" = 0 ]' \
	"$SCRATCH/err" "${left%% *}"
# A hostile saved vDSO image: restart reads it to proxy it, and refuses it in one line.
for what in magic section-table symbols symbol-name; do
	cp "$SCRATCH/vdso.ckpt.orig" "$SCRATCH/vdso-bad.ckpt"
	python3 tests/lib/other_vdso.py "$SCRATCH/vdso-bad.ckpt" --damage $what
	"$CKPT" check "$SCRATCH/vdso-bad.ckpt" >"$SCRATCH/check.out" 2>/dev/null
	grep -q "PROBLEM  vdso .*cannot be proxied: the saved vDSO" "$SCRATCH/check.out"
	reported=$?
	"$SCRATCH/runchk" -t 60 -o "$SCRATCH/out" -e "$SCRATCH/err" -- "$CKPT" restart "$SCRATCH/vdso-bad.ckpt" >"$SCRATCH/res"
	res=$(cat "$SCRATCH/res")
	status=${res%% *}
	left=${res#*left=}
	refused_cleanly() { one_line_error "$1" "$2" && grep -q "cannot be proxied: the saved vDSO" "$2" && [ "$3" = 00 ]; }
	check "vdso: a saved vDSO with damaged $what is a problem for ckpt check and refused by restart in one line" \
		refused_cleanly "${status#status=exit:}" "$SCRATCH/err" "${left%% *}$reported"
done
# A thread saved 4 bytes into a vDSO function whose code is the same here (time) goes on at the
# same place of this kernel's vDSO: restarted stopped, its pc is there.
cp "$SCRATCH/vdso.ckpt.orig" "$SCRATCH/vdso-time.ckpt"
off=$(python3 tests/lib/other_vdso.py "$SCRATCH/vdso-time.ckpt" --pc-in-time | sed -n 's/^pc at vDSO offset //p')
pid=$(timeout 60 "$CKPT" restart "$SCRATCH/vdso-time.ckpt" --stopped 2>"$SCRATCH/err" | head -1)
pc_moved() { # PID OFFSET: the stopped thread's pc (last field of /proc/PID/syscall) is OFFSET into [vdso]
	local base pc
	base=$(awk '/\[vdso\]/ {split($1, a, "-"); print a[1]}' /proc/$1/maps)
	pc=$(awk '{print $NF}' /proc/$1/syscall)
	[ -n "$base" ] && [ -n "$2" ] && [ $((pc)) = $((0x$base + $2)) ]
}
check "vdso: a thread inside an identical vDSO function goes on at the same place of this kernel's ($off)" \
	pc_moved "$pid" "$off"
[ -n "$pid" ] && kill -KILL "$pid" 2>/dev/null

# 9e. Statefiles that run themselves: ckpt binfmt install registers ckpt with binfmt_misc, and
# ./FILE restarts FILE.  Registering needs root (CI runs as root); without root, and without
# binfmt_misc mounted, ckpt says what to run.
binfmt_dir=/proc/sys/fs/binfmt_misc
mounted_here=0
if [ "$(id -u)" != 0 ]; then
	fail "binfmt: registering a handler" "needs root (the tests run as root)"
else
	if ! grep -q " $binfmt_dir binfmt_misc " /proc/mounts; then
		"$CKPT" binfmt install >/dev/null 2>"$SCRATCH/err"
		check "binfmt: without binfmt_misc mounted, install says what to run (one line, exit 1)" \
			bash -c '[ $0 = 1 ] && [ "$(wc -l <"$1")" = 1 ] && grep -q "not mounted; run: mount -t binfmt_misc binfmt_misc $2 && .*ckpt binfmt install" "$1"' \
			$? "$SCRATCH/err" "$binfmt_dir"
		mount -t binfmt_misc binfmt_misc "$binfmt_dir" && mounted_here=1
	fi
	if command -v setpriv >/dev/null; then
		setpriv --reuid=nobody --regid=nogroup --clear-groups "$CKPT" binfmt install >/dev/null 2>"$SCRATCH/err"
		check "binfmt: an ordinary user is told to run it as root (one line, exit 1)" \
			bash -c '[ $0 = 1 ] && [ "$(wc -l <"$1")" = 1 ] && grep -q "needs root; run: sudo .*ckpt binfmt install" "$1"' $? "$SCRATCH/err"
	else
		fail "binfmt: an ordinary user" "setpriv is not installed"
	fi
	"$CKPT" binfmt install >"$SCRATCH/binfmt.out" 2>&1
	check "binfmt: install registers the handler (exit 0)" [ $? = 0 ]
	"$CKPT" binfmt status >"$SCRATCH/binfmt.out" 2>&1
	check "binfmt: status shows it enabled, running this ckpt" grep -q "registered, enabled: executing a statefile runs $(readlink -f "$CKPT")" "$SCRATCH/binfmt.out"
	expected=$(expected_output single)
	start_prog single "$SCRATCH/binfmt.prog.out" && "$CKPT" dump $PROG_PID -o "$SCRATCH/run-me.ckpt" --kill >/dev/null 2>&1
	wait $PROG_PID 2>/dev/null
	chmod +x "$SCRATCH/run-me.ckpt"
	(cd "$SCRATCH" && timeout 60 ./run-me.ckpt >>"$SCRATCH/binfmt.prog.out" 2>"$SCRATCH/err")
	check "binfmt: ./FILE.ckpt restarts it to the undisturbed result" restarted_to $? "$SCRATCH/binfmt.prog.out" "$expected"
	"$CKPT" binfmt remove >/dev/null 2>&1
	check "binfmt: remove takes the handler away (exit 0)" [ $? = 0 -a ! -e $binfmt_dir/ckpt ]
	"$CKPT" binfmt status >"$SCRATCH/binfmt.out" 2>&1
	check "binfmt: status says no handler is registered" grep -q "no ckpt handler is registered" "$SCRATCH/binfmt.out"
	(cd "$SCRATCH" && ./run-me.ckpt) >/dev/null 2>&1
	check "binfmt: without the handler a statefile does not run" [ $? = 126 ]
	[ $mounted_here = 1 ] && umount "$binfmt_dir"
fi

# 9f. Root without CAP_SYS_RESOURCE (as on some machines) saving another user's program: prlimit
# of it is refused, so the limits come from /proc/PID/limits, and the restart has them.
cat >"$SCRATCH/limits.c" <<'LIMITS'
#include <stdio.h>
#include <sys/resource.h>
#include <unistd.h>
int main(void)
{
	struct rlimit nofile = {123, 456}, core = {1000, RLIM_INFINITY};
	if (setrlimit(RLIMIT_NOFILE, &nofile) || setrlimit(RLIMIT_CORE, &core))
		return 1;
	sleep(1);
	getrlimit(RLIMIT_NOFILE, &nofile);
	getrlimit(RLIMIT_CORE, &core);
	printf("nofile %lu %lu core %lu %ld\n", (unsigned long)nofile.rlim_cur, (unsigned long)nofile.rlim_max,
	       (unsigned long)core.rlim_cur, (long)core.rlim_max);
	return 0;
}
LIMITS
gcc -o "$BIN/limits" "$SCRATCH/limits.c"
chmod 755 "$BIN/limits" "$BIN" "$SCRATCH" 2>/dev/null
setpriv --reuid=nobody --regid=nogroup --clear-groups "$BIN/limits" >"$SCRATCH/limits.out" 2>/dev/null </dev/null &
lim_pid=$!
sleep 0.3
lim_target=$(pgrep -n -P $lim_pid 2>/dev/null || echo $lim_pid)
capsh --drop=cap_sys_resource -- -c "exec \"\$0\" dump $lim_target -o \"\$1\" --kill" "$CKPT" "$SCRATCH/limits.ckpt" \
	>/dev/null 2>"$SCRATCH/err"
check "limits: root without CAP_SYS_RESOURCE saves another user's program (limits from /proc)" [ $? = 0 ]
wait $lim_pid 2>/dev/null
: >"$SCRATCH/limits.out"
timeout 30 "$CKPT" restart "$SCRATCH/limits.ckpt" >/dev/null 2>"$SCRATCH/err"
check "limits: the restarted program has its saved soft and hard limits" \
	grep -qx "nofile 123 456 core 1000 -1" "$SCRATCH/limits.out"

# 10. Big reservations (16 TiB PROT_NONE, 64 GiB MAP_NORESERVE) with a few pages in use: the
# statefile holds those pages only, and restart maps the rest again without reserving swap.
expected=$(expected_output reserve)
start_prog reserve "$SCRATCH/reserve.out"
"$CKPT" dump $PROG_PID -o "$SCRATCH/reserve.ckpt" --kill >"$SCRATCH/dump.log" 2>&1
check "reservations: dump" [ $? = 0 ]
wait $PROG_PID 2>/dev/null
check "reservations: the statefile stores the used pages only" \
	[ "$(( $(stat -c %b "$SCRATCH/reserve.ckpt") * $(stat -c %B "$SCRATCH/reserve.ckpt") ))" -lt $((8 << 20)) ]
timeout 60 "$CKPT" restart "$SCRATCH/reserve.ckpt" >>"$SCRATCH/reserve.out" 2>"$SCRATCH/restart.err"
if [ "$(cat "$SCRATCH/reserve.out")" = "$expected" ]; then
	pass "reservations: restart gives the undisturbed result"
else
	fail "reservations: restart" "$(cat "$SCRATCH/restart.err") $(tail -2 "$SCRATCH/reserve.out")"
fi

# 11. Kernel objects of the process (issue 15), beyond what the programs above check themselves.
[ -x "$SCRATCH/runchk" ] || gcc -std=c11 -O2 -o "$SCRATCH/runchk" tests/malformed/runchk.c
# A lock that a process outside the tree holds by now cannot be taken again: one line naming the file.
python3 -c 'import fcntl, sys, time; f = open(sys.argv[1], "r+"); fcntl.flock(f, fcntl.LOCK_SH); open(sys.argv[2], "w").close(); time.sleep(60)' \
	"$SCRATCH/work.locks/flock.lck" "$SCRATCH/lock.held" &
holder=$!
wait_for_file "$SCRATCH/lock.held"
res=$("$SCRATCH/runchk" -t 60 -o "$SCRATCH/out" -e "$SCRATCH/err" -- "$CKPT" restart "$SCRATCH/locks.ckpt")
status=${res%% *}
left=${res#*left=}
check "locks: a lock held outside the tree is refused (one line, exit 1)" one_line_error "${status#status=exit:}" "$SCRATCH/err"
check "locks: the refusal names the file" grep -q "holds a lock on $SCRATCH/work.locks/flock.lck" "$SCRATCH/err"
check "locks: no process left behind" [ "${left%% *}" = 0 ]
kill $holder
wait $holder 2>/dev/null

# Timer ids as kernels before 6.17 give them (no PR_TIMER_CREATE_RESTORE_IDS): every lower id
# is created first and given back.
expected=$(expected_output timers)
start_prog timers "$SCRATCH/timers.seq"
"$CKPT" dump $PROG_PID -o "$SCRATCH/timers-seq.ckpt" --kill >/dev/null 2>&1
wait $PROG_PID 2>/dev/null
CKPT_TEST_TIMER_IDS_IN_SEQUENCE=1 timeout 60 "$CKPT" restart "$SCRATCH/timers-seq.ckpt" >>"$SCRATCH/timers.seq" 2>"$SCRATCH/restart.err"
check "timers: ids come back without PR_TIMER_CREATE_RESTORE_IDS too" [ "$(cat "$SCRATCH/timers.seq")" = "$expected" ]

# SysV objects outlive the processes that were killed at the dump, so the restarts above found
# the saved ids taken and made the objects in an IPC namespace of their own.  Once the ids are
# free, restart makes them in ckpt's own namespace, where they are seen from outside.
sysv_ids() { # STATEFILE: "shm:ID sem:ID ..."
	python3 -c 'import json, sys; print(" ".join("%s:%s" % (o["kind"], o["id"]) for o in json.load(sys.stdin)["sysv_ipc"]))' \
		< <("$CKPT" info --json "$1")
}
remove_sysv() { # IDS...: the leftovers of a killed program
	local o
	for o in "$@"; do
		case ${o%%:*} in shm) ipcrm -m "${o#*:}" ;; sem) ipcrm -s "${o#*:}" ;; msg) ipcrm -q "${o#*:}" ;; esac 2>/dev/null
	done
}
sysv_left() { # IDS...: those that still exist here
	local o
	for o in "$@"; do
		# ipcs -i exits 0 for an id it does not find, and says so on stderr only.
		case ${o%%:*} in shm) ipcs -m -i "${o#*:}" ;; sem) ipcs -s -i "${o#*:}" ;; msg) ipcs -q -i "${o#*:}" ;; esac 2>/dev/null |
			grep -q . && echo "$o"
	done
}
ids=$(sysv_ids "$SCRATCH/sysvipc.ckpt")
check "sysvipc: ckpt info lists the six objects ($ids)" [ "$(echo $ids | wc -w)" = 6 ]
remove_sysv $ids
expected=$(expected_output sysvipc)
: >"$SCRATCH/sysvipc.out3"
"$CKPT" restart "$SCRATCH/sysvipc.ckpt" --stopped --pid-file "$SCRATCH/pid" >/dev/null 2>"$SCRATCH/restart.err"
pid=$(cat "$SCRATCH/pid" 2>/dev/null)
check "sysvipc: with the ids free, the objects are made in ckpt's own IPC namespace" \
	[ -n "$pid" -a "$(sysv_left $ids | wc -w)" = 6 ]
[ -n "$pid" ] && cont_tree "$pid" && wait_gone "$pid" 30
check "sysvipc: there too the program ends with the undisturbed result" [ "$(cat "$SCRATCH/sysvipc.out3")" = "$expected" ]
check "sysvipc: and nothing of it is left" [ -z "$(sysv_left $ids)" ]

# As an ordinary user: the SysV objects come back in an IPC namespace of the user's own
# restart (who may not choose ids in the machine's), timers and zombies as for root; a seccomp
# filter cannot be read without CAP_SYS_ADMIN, so such a process is refused at the dump.
if id -u $USER_NAME >/dev/null 2>&1; then
	udir="$SCRATCH/user.objects"
	mkdir -p "$udir"
	chown $USER_NAME: "$udir"
	for prog in sysvipc timers zombie; do
		expected=$(cd "$udir" && as_user "$BIN/$prog" "$udir/ready0" 2>&1)
		(cd "$udir" && as_user sh -c 'exec "$0" "$1" >"$2" 2>&1' "$BIN/$prog" "$udir/ready.$prog" "$udir/$prog.out") &
		wait_for_file "$udir/ready.$prog" || { fail "user: $prog start" "not ready"; continue; }
		upid=$(pgrep -u $USER_NAME -f "$BIN/$prog $udir/ready.$prog\$" | head -1)
		as_user "$SCRATCH/ckpt" dump "$upid" -o "$udir/$prog.ckpt" --kill >"$udir/dump.log" 2>&1 ||
			fail "user: $prog dump" "$(cat "$udir/dump.log")"
		wait
		(cd "$udir" && as_user sh -c 'exec timeout 60 "$0" restart "$1" >>"$2" 2>"$3"' "$SCRATCH/ckpt" "$udir/$prog.ckpt" \
			"$udir/$prog.out" "$udir/restart.err")
		rc=$?
		if [ $rc = 0 ] && [ "$(cat "$udir/$prog.out")" = "$expected" ]; then
			pass "user: $prog restarts as an ordinary user"
		else
			fail "user: $prog restart" "exit $rc $(cat "$udir/restart.err"); $(tail -2 "$udir/$prog.out")"
		fi
		[ $prog = sysvipc ] && remove_sysv $(sysv_ids "$udir/$prog.ckpt")
	done
	(cd "$udir" && as_user sh -c 'exec "$0" "$1" >"$2" 2>&1' "$BIN/seccomp" "$udir/ready.seccomp" "$udir/seccomp.out") &
	wait_for_file "$udir/ready.seccomp"
	upid=$(pgrep -u $USER_NAME -f "$BIN/seccomp $udir/ready.seccomp\$" | head -1)
	as_user "$SCRATCH/ckpt" dump "$upid" -o "$udir/seccomp.ckpt" --kill 2>"$SCRATCH/err"
	check "user: a seccomp filter the user may not read is refused at the dump (one line, exit 1)" \
		one_line_error $? "$SCRATCH/err"
	check "user: the refusal says why" grep -q "needs CAP_SYS_ADMIN" "$SCRATCH/err"
	wait
	check "user: the refused program goes on undisturbed" \
		[ "$(cat "$udir/seccomp.out")" = "$(cd "$udir" && as_user "$BIN/seccomp" "$udir/ready1" 2>&1)" ]
fi

exit $((FAILURES > 0))

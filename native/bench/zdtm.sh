#!/usr/bin/env bash
# zdtm.sh CRIU_DIR [-o RESULTS] [-j LANES] [TEST...]: run CRIU's zdtm static tests against ckpt.
#
# CRIU_DIR is a CRIU source checkout (only test/zdtm is used). The script builds the static tests
# there, then for each test in scope does what zdtm.py does in its host ("h") flavour, with ckpt in
# place of criu:
#   start it through its Makefile's TEST.pid rule (pidfile and outfile arguments, the test's own
#   arguments), with zdtm.py's environment (unprivileged ids unless the .desc says 'suid'); the
#   pidfile appears once the test said it is ready;
#   ckpt dump --leave-running (the test must not notice), then ckpt dump --kill;
#   ckpt restart --detach of that statefile; SIGTERM to the restarted test; PASS in its outfile.
# The tests' .hook scripts are not run: they inspect CRIU's image files.
#
# One line per test: PASS; FAIL and the first line of the reason (ckpt refused, failed, or the
# test saw a difference); ERROR when the test could not be built or started here, before ckpt
# had any part; SKIP with the class of tests it is outside the scope of. Then the totals and the
# share of PASS among the tests that ran under ckpt (PASS and FAIL). Run as root.
# -j LANES runs that many tests at a time (default 1; the result lines then come in the order
# the tests end). Tests that zdtm marks 'excl', and the socket tests, which bind fixed ports,
# run one at a time after the others.
# Environment: CKPT (the ckpt command), ZDTM_TIMEOUT (seconds per step, default 30).
set -u

usage() { echo "usage: $0 CRIU_DIR [-o RESULTS] [-j LANES] [TEST...]" >&2; exit 2; }
[ $# -ge 1 ] || usage
CRIU_DIR=$(cd "$1" && pwd) || usage
shift
RESULTS=zdtm-results.txt
LANES=1
while [ $# -ge 2 ]; do
	case $1 in
	-o) RESULTS=$2; shift 2 ;;
	-j) LANES=$2; shift 2; [[ $LANES =~ ^[1-9][0-9]*$ ]] || usage ;;
	*) break ;;
	esac
done
[ "$(id -u)" = 0 ] || { echo "zdtm.sh: run as root (the tests change ids)" >&2; exit 2; }

HERE=$(cd "$(dirname "$0")" && pwd)
CKPT=${CKPT:-$HERE/../build/bin/ckpt}
STEP_TIMEOUT=${ZDTM_TIMEOUT:-30}
ZDTM=$CRIU_DIR/test/zdtm
STATIC=$ZDTM/static
WORK=$(mktemp -d)
STATIC_MODE=$(stat -c %a "$STATIC") # the tests that run as another user need it writable
trap 'chmod "$STATIC_MODE" "$STATIC"; rm -rf "$WORK"' EXIT

# Tests outside the scope of a debugger of programs on one machine, each with its reason class.
# Besides these, the .desc files exclude: a flavour list without "h" (needs-namespaces), another
# architecture (arch), 'noauto' (zdtm itself runs them only by hand), 'crfail' (CRIU's own dump is
# meant to fail), and a .checkskip that says no (kernel-feature-missing).
declare -A EXCLUDED=(
	[cgroup00]=cgroup [cgroup01]=cgroup [cgroup02]=cgroup [cgroup03]=cgroup [cgroup04]=cgroup
	[cgroupv2_00]=cgroup [cgroupv2_01]=cgroup [cgroup_ifpriomap]=cgroup [cgroup_ignore]=cgroup
	[cgroup_stray]=cgroup [cgroup_yard]=cgroup [cgroup_threads]=cgroup
	[cgroupns]=needs-namespaces
	[netns_lock_iptables]=criu-specific [netns_lock_nftables]=criu-specific
	[net_lock_socket_iptables]=criu-specific [net_lock_socket_iptables6]=criu-specific
	[net_lock_socket_nftables]=criu-specific [net_lock_socket_nftables6]=criu-specific
	[socket-tcp-skip-in-flight]=criu-specific
	# It wants MAP_DROPPABLE memory to come back zeroed; ckpt keeps its contents, which the
	# kernel's contract for droppable memory allows as well.
	[maps11]=criu-specific
	[socket-tcp-ipt-nfconntrack]=network-outside [socket-tcp-nft-nfconntrack]=network-outside
	[console]=container [vt]=container
	[apparmor]=security-module [apparmor_stacking]=security-module
	[selinux00]=security-module [selinux01]=security-module [selinux02]=security-module
)

say() { printf '%s\n' "$*" | tee -a "$RESULTS"; }

# desc_get TEST KEY: one field of the test's .desc (a Python literal), empty when absent.
desc_get() {
	[ -f "$STATIC/$1.desc" ] || return 0
	python3 -c '
import os, sys
d = eval(open(sys.argv[1]).read(), {"os": os})
print(d.get(sys.argv[2], ""))' "$STATIC/$1.desc" "$2" 2>/dev/null
}

# scope_class TEST: why TEST is outside the scope, empty when it is inside.
scope_class() {
	local t=$1 flavor flags arch
	[ -n "${EXCLUDED[$t]:-}" ] && { echo "${EXCLUDED[$t]}"; return; }
	flavor=$(desc_get "$t" flavor); flags=" $(desc_get "$t" flags) "; arch=$(desc_get "$t" arch)
	if [ -n "$flavor" ] && ! [[ " $flavor " == *" h "* ]]; then echo needs-namespaces; return; fi
	if [ -n "$arch" ] && [ "$arch" != "$(uname -m)" ]; then echo arch; return; fi
	[[ $flags == *" noauto "* ]] && { echo noauto; return; }
	[[ $flags == *" crfail "* ]] && { echo crfail; return; }
	if [ -x "$STATIC/$t.checkskip" ] && ! (cd "$STATIC" && "./$t.checkskip" >/dev/null 2>&1); then
		echo kernel-feature-missing; return
	fi
}

# kill_tree PID...: SIGKILL each process and every process of its session.
kill_tree() {
	local p s
	for p in "$@"; do
		[ -n "$p" ] || continue
		for s in $(ps -eo pid=,sid= | awk -v s="$p" '$2 == s { print $1 }'); do
			kill -KILL "$s" 2>/dev/null
		done
		kill -KILL "$p" 2>/dev/null
	done
}

# kill_leftovers TEST: SIGKILL every process still running TEST's binary (a start that timed
# out leaves the test's launcher waiting for its child; a failed step may leave its children).
kill_leftovers() {
	local exe p
	for exe in /proc/[0-9]*/exe; do
		[ "$(readlink "$exe" 2>/dev/null)" = "$STATIC/$1" ] || continue
		p=${exe#/proc/}
		kill -KILL "${p%/exe}" 2>/dev/null
	done
}

# wait_gone PID: wait until PID no longer exists; fails after the step timeout.
wait_gone() {
	local i=0
	while kill -0 "$1" 2>/dev/null; do
		[ -r "/proc/$1/stat" ] && [ "$(awk '{print $3}' "/proc/$1/stat" 2>/dev/null)" = Z ] && return 0
		i=$((i + 1)); [ $i -gt $((STEP_TIMEOUT * 10)) ] && return 1
		sleep 0.1
	done
}

# verdict TEST: the first line of the test's outfile that says why it failed.
verdict() {
	local out=$STATIC/$1.out
	[ -f "$out" ] || { echo "no outfile"; return; }
	grep -m1 -E 'FAIL|ERR|rror' "$out" || tail -n1 "$out"
}

# first line of a ckpt command's stderr
why() { grep -m1 -v '^$' "$1" | cut -c1-200; }

run_test() {
	local t=$1 pid rpid env=(TMPDIR="${TMPDIR:-/tmp}" ZDTM_THREAD_BOMB=5)
	local WORK=$WORK/$t # a test's own files: tests may run side by side
	mkdir -p "$WORK"
	(cd "$STATIC" && make --no-print-directory -s "$t.cleanout") >/dev/null 2>&1
	if ! (cd "$STATIC" && make --no-print-directory -s "$t") >"$WORK/build" 2>&1; then
		echo "ERROR build: $(grep -m1 -i error "$WORK/build")"; return
	fi
	if ! [[ " $(desc_get "$t" flags) " == *" suid "* ]]; then
		env+=(ZDTM_UID=18943 ZDTM_GID=58467 "ZDTM_GROUPS=27495 48244")
		chmod a+w "$STATIC"
	fi
	if ! (cd "$STATIC" && env "${env[@]}" timeout "$STEP_TIMEOUT" \
		make --no-print-directory -s "$t.pid") >"$WORK/start" 2>&1; then
		echo "ERROR start: $( (grep -m1 . "$WORK/start"; verdict "$t") | head -n1)"; return
	fi
	pid=$(cat "$STATIC/$t.pid")
	kill -0 "$pid" 2>/dev/null || { echo "ERROR start: $(verdict "$t")"; return; }

	if ! timeout "$STEP_TIMEOUT" "$CKPT" dump "$pid" -o "$WORK/$t.running.ckpt" \
		--leave-running >/dev/null 2>"$WORK/err"; then
		echo "FAIL dump --leave-running: $(why "$WORK/err")"; kill_tree "$pid"; return
	fi
	rm -f "$WORK/$t.running.ckpt"
	if ! timeout "$STEP_TIMEOUT" "$CKPT" dump "$pid" -o "$WORK/$t.ckpt" --kill >/dev/null 2>"$WORK/err"; then
		echo "FAIL dump --kill: $(why "$WORK/err")"; kill_tree "$pid"; return
	fi
	wait_gone "$pid" || { echo "FAIL dump --kill left the test running"; kill_tree "$pid"; return; }

	rm -f "$WORK/rpid"
	if ! (cd "$STATIC" && timeout "$STEP_TIMEOUT" "$CKPT" restart "$WORK/$t.ckpt" --detach \
		--pid-file "$WORK/rpid" </dev/null >/dev/null 2>"$WORK/err"); then
		echo "FAIL restart: $(why "$WORK/err")"; kill_tree "$pid"; return
	fi
	rpid=$(cat "$WORK/rpid" 2>/dev/null)
	[ -n "$rpid" ] || { echo "FAIL restart: no pid"; return; }
	rm -f "$WORK/$t.ckpt"
	kill -0 "$rpid" 2>/dev/null || { echo "FAIL restarted test died: $(verdict "$t")"; return; }
	kill -TERM "$rpid"
	if ! wait_gone "$rpid"; then
		echo "FAIL restarted test did not end on SIGTERM"; kill_tree "$rpid"; return
	fi
	kill_tree "$rpid"
	if tail -n5 "$STATIC/$t.out" 2>/dev/null | tr -s ' \t' '\n\n' | grep -qx PASS; then
		echo PASS
	else
		echo "FAIL $(verdict "$t")"
	fi
}

echo "zdtm static tests against ckpt ($("$CKPT" --version 2>&1 | head -n1))" >"$RESULTS"
echo "building $ZDTM/lib and the tests" >&2
make --no-print-directory -s -C "$ZDTM/lib" >"$WORK/build" 2>&1 || { cat "$WORK/build" >&2; exit 1; }

if [ $# -gt 0 ]; then
	TESTS=("$@")
else
	read -r -a TESTS < <(cd "$STATIC" && make --no-print-directory -s \
		--eval 'print-tests: ; @echo $(TST)' print-tests)
fi

# run_one TEST: run it and say its result line.
run_one() {
	local t=$1 res
	res=$(run_test "$t" 2>&1); res=${res%%$'\n'*}
	kill_leftovers "$t"
	(cd "$STATIC" && make --no-print-directory -s "$t.cleanout") >/dev/null 2>&1
	rm -rf "${WORK:?}/$t"
	case $res in
	PASS*) say "PASS  $t" ;;
	FAIL*) say "FAIL  $t: ${res#FAIL }" ;;
	*) say "ERROR $t: ${res#ERROR }" ;;
	esac
}

# alone TEST: whether TEST must not run beside another one.
alone() {
	[[ " $(desc_get "$1" flags) " == *" excl "* ]] && return 0
	[[ $1 =~ sock|sk-|tcp|udp|icmp|packet|netlink|scm ]]
}

skip=0; shared=(); solo=()
for t in "${TESTS[@]}"; do
	class=$(scope_class "$t")
	if [ -n "$class" ]; then
		say "SKIP  $t ($class)"; skip=$((skip + 1)); continue
	fi
	if [ "$LANES" -gt 1 ] && alone "$t"; then solo+=("$t"); else shared+=("$t"); fi
done
for ((lane = 0; lane < LANES; lane++)); do
	(for ((i = lane; i < ${#shared[@]}; i += LANES)); do run_one "${shared[$i]}"; done) &
done
wait
for t in "${solo[@]}"; do run_one "$t"; done
pass=$(grep -c '^PASS ' "$RESULTS"); fail=$(grep -c '^FAIL ' "$RESULTS"); error=$(grep -c '^ERROR ' "$RESULTS")
total=$((pass + fail + error))
say "in scope: $total (PASS $pass, FAIL $fail, ERROR $error); out of scope: $skip"
[ $((pass + fail)) -gt 0 ] && say "share passing: $((pass * 100 / (pass + fail)))% of the $((pass + fail)) that ran under ckpt ($((pass * 100 / total))% counting ERROR)"
exit 0

#!/bin/bash
# Packed statefiles (issue 12): ckpt pack embeds the files a statefile's mappings come from and
# their debug info; the packed file is still a core file for gdb, readelf and eu-stack; a
# program linked against a private library is saved and packed, the library is rebuilt with
# other code at the same path, and the packed file restarts to the undisturbed result while the
# unpacked one refuses, naming the library; ckpt unpack-debug gives gdb names and lines with
# the library gone.  Real programs, real restarts.
source tests/lib/common.sh
source tests/lib/debian_root.sh
need gcc gdb readelf eu-readelf eu-stack objcopy strip sha256sum python3 unshare chroot
# The other release's root is cached where the user keeps caches, not in the scratch directory.
export CKPT_ROOTFS_CACHE=${CKPT_ROOTFS_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/ckpt/rootfs}

"$CKPT" --help >"$SCRATCH/help"
check "usage: ckpt --help lists pack and unpack-debug" \
	bash -c 'grep -q "^  ckpt pack FILE -o OUT" "$0" && grep -q "^  ckpt unpack-debug FILE DIR" "$0"' "$SCRATCH/help"
"$CKPT" pack "$SCRATCH/x.ckpt" >/dev/null 2>"$SCRATCH/err"
check "usage: pack without -o is a usage error (exit 2)" \
	bash -c '[ "$0" = 2 ] && grep -q "^ckpt: pack: where to? (-o OUT)" "$1"' $? "$SCRATCH/err"
"$CKPT" unpack-debug "$SCRATCH/x.ckpt" >/dev/null 2>"$SCRATCH/err"
check "usage: unpack-debug without DIR is a usage error (exit 2)" [ $? = 2 ]

LIB=$SCRATCH/lib
mkdir -p "$LIB"
export XDG_CACHE_HOME=$SCRATCH/cache
# steplib with its debug info in a file of its own, found by .gnu_debuglink (as a distribution
# ships it), at a path of the test's own.
build_lib() { # VERSION
	gcc -O1 -g -shared -fPIC -DSTEP_VERSION="$1" -o "$LIB/libstep.so" tests/pack/steplib.c &&
		objcopy --only-keep-debug "$LIB/libstep.so" "$LIB/libstep.so.debug" &&
		strip --strip-debug "$LIB/libstep.so" &&
		objcopy --add-gnu-debuglink="$LIB/libstep.so.debug" "$LIB/libstep.so"
}
build_id() { readelf -n "$1" | sed -n 's/.*Build ID: //p'; }
build_lib 1 || { fail "build steplib" "gcc failed"; exit 1; }
gcc -O1 -g -o "$SCRATCH/stepper" tests/pack/stepper.c -L"$LIB" -lstep -Wl,-rpath,"$LIB" ||
	{ fail "build stepper" "gcc failed"; exit 1; }
echo "saved notes" >"$SCRATCH/notes.txt"
id1=$(build_id "$LIB/libstep.so")

run_stepper() { # OUT: in the background, until it is ready; sets PROG_PID
	rm -f "$SCRATCH/ready"
	"$SCRATCH/stepper" "$SCRATCH/ready" "$SCRATCH/notes.txt" >"$1" 2>"$SCRATCH/stepper.err" </dev/null &
	PROG_PID=$!
	wait_for_file "$SCRATCH/ready" || { fail "stepper" "never became ready"; exit 1; }
}
expected=$("$SCRATCH/stepper" "$SCRATCH/ready.x" "$SCRATCH/notes.txt" 2>&1)
case $expected in "library version 1, "*) ;; *) fail "stepper: undisturbed run" "$expected"; exit 1 ;; esac

run_stepper "$SCRATCH/out"
"$CKPT" dump $PROG_PID -o "$SCRATCH/s.ckpt" --kill >/dev/null 2>"$SCRATCH/err" || fail "dump" "$(cat "$SCRATCH/err")"
wait $PROG_PID 2>/dev/null
cp "$SCRATCH/out" "$SCRATCH/partial"

# 1. Packing.
"$CKPT" pack "$SCRATCH/s.ckpt" -o "$SCRATCH/p.ckpt" >"$SCRATCH/pack.out" 2>"$SCRATCH/pack.err"
rc=$?
check "pack: exit 0" [ $rc = 0 ]
check "pack: says how big the result is" grep -q "p.ckpt is [0-9.]* MiB" "$SCRATCH/pack.out"
check "pack: warns that memory, environment and files may hold secrets" \
	grep -q "^ckpt: warning: .*memory, its environment and the files it mapped: they may hold secrets" "$SCRATCH/pack.err"
check "pack: the packed file is 0600" [ "$(stat -c %a "$SCRATCH/p.ckpt")" = 600 ]
check "pack: no temporary file left" [ -z "$(ls -A "$SCRATCH" | grep '^\.p\.ckpt')" ]
"$CKPT" info "$SCRATCH/p.ckpt" >"$SCRATCH/info" 2>&1
libc=$(sed -n 's,^ *[0-9a-f]*-[0-9a-f]* r-xp .* \(/.*libc\.so[.0-9]*\)$,\1,p' /proc/self/maps | head -1)
embedded_ok() {
	local f
	for f in "$SCRATCH/stepper" "$LIB/libstep.so" "$libc"; do
		grep -q "^    embedded mapped  *[0-9]*  $f\$" "$SCRATCH/info" || { echo "not embedded: $f"; return 1; }
	done
	grep -q "^    embedded debug info  *[0-9]*  $LIB/libstep.so.debug\$" "$SCRATCH/info" ||
		{ echo "debuglink file not embedded"; return 1; }
	# Separate debug info by build-id, where this machine has it for libc.
	local id=$(build_id "$libc") dbg
	dbg=/usr/lib/debug/.build-id/${id:0:2}/${id:2}.debug
	if [ -e "$dbg" ]; then
		grep -q "^    embedded debug info  *[0-9]*  $dbg\$" "$SCRATCH/info" || { echo "not embedded: $dbg"; return 1; }
	fi
	# Each file once.
	[ -z "$(grep '^    embedded' "$SCRATCH/info" | awk '{print $NF}' | sort | uniq -d)" ]
}
check "pack: ckpt info shows the executable, the libraries and their debug info as embedded, each once" embedded_ok
sizes_ok() { # the packed file is the statefile plus the embedded bytes, page-rounded
	local embedded
	embedded=$(python3 -c 'import json,sys; print(sum(e["size"] for e in json.load(sys.stdin)["embedded"]))' \
		< <("$CKPT" info --json "$SCRATCH/p.ckpt"))
	local s=$(stat -c %s "$SCRATCH/s.ckpt") p=$(stat -c %s "$SCRATCH/p.ckpt")
	[ "$p" -ge $((s + embedded)) ] && [ "$p" -le $((s + embedded + 4096 * 40)) ]
}
check "pack: the packed file is the statefile plus the embedded files" sizes_ok
check "pack: readelf -n reads the packed file" bash -c 'readelf -n "$0" | grep -q NT_PRSTATUS' "$SCRATCH/p.ckpt"
check "pack: eu-readelf -n reads the packed file" bash -c 'eu-readelf -n "$0" | grep -q PRSTATUS' "$SCRATCH/p.ckpt"
check "pack: eu-stack --core shows the saved stack" \
	bash -c 'eu-stack --core "$0" -e "$1" 2>/dev/null | grep -q "step" ' "$SCRATCH/p.ckpt" "$SCRATCH/stepper"
gdb_bt() { # EXE CORE [gdb options...]: the backtrace gdb shows of a core file
	local exe=$1 core=$2
	shift 2
	gdb -q -batch -nx "$@" "$exe" -c "$core" -ex 'echo @@BT\n' -ex bt 2>&1 | sed -n '/^@@BT/,$p'
}
gdb_bt "$SCRATCH/stepper" "$SCRATCH/s.ckpt" >"$SCRATCH/bt.s"
gdb_bt "$SCRATCH/stepper" "$SCRATCH/p.ckpt" >"$SCRATCH/bt.p"
check "pack: gdb shows the packed file's backtrace as the statefile's" \
	bash -c 'grep -q "in step (.*steplib.c:[0-9]" "$0" && diff -q "$0" "$1" >/dev/null' "$SCRATCH/bt.s" "$SCRATCH/bt.p"
"$CKPT" pack "$SCRATCH/p.ckpt" -o "$SCRATCH/pp.ckpt" >/dev/null 2>"$SCRATCH/err"
check "pack: a packed file is not packed again (one line, exit 1)" one_line_error $? "$SCRATCH/err"

# --with-files: the small file the program had open, too.
"$CKPT" pack "$SCRATCH/s.ckpt" -o "$SCRATCH/pf.ckpt" --with-files >/dev/null 2>"$SCRATCH/err"
check "pack --with-files: the open notes file is embedded" \
	bash -c '"$0" info "$1" | grep -q "^    embedded open file  *12  $2\$"' "$CKPT" "$SCRATCH/pf.ckpt" "$SCRATCH/notes.txt"
check "pack --with-files: warns that the files it had open are in it" grep -q "the files it had open" "$SCRATCH/err"

# Interrupted: nothing under the final name, no temporary file.
CKPT_TEST_SLOW_WRITE=1 "$CKPT" pack "$SCRATCH/s.ckpt" -o "$SCRATCH/int.ckpt" >/dev/null 2>"$SCRATCH/err" &
packer=$!
for i in $(seq 1 100); do ls "$SCRATCH"/.int.ckpt.*.tmp >/dev/null 2>&1 && break; sleep 0.02; done
sleep 0.2
kill -INT $packer
wait $packer
check "pack interrupted: exit 1 with one line" one_line_error $? "$SCRATCH/err"
check "pack interrupted: nothing under the final name, no temporary file" \
	bash -c '[ ! -e "$0/int.ckpt" ] && [ -z "$(ls -A "$0" | grep "^\.int\.ckpt")" ]' "$SCRATCH"

# A file that changed since the save cannot be packed: it is not what the program ran.
cp -a "$LIB/libstep.so" "$SCRATCH/libstep.saved"
build_lib 2 || fail "rebuild steplib" "gcc failed"
id2=$(build_id "$LIB/libstep.so")
check "rebuild: the library at the same path has another build-id ($id1, now $id2)" [ -n "$id2" -a "$id1" != "$id2" ]
"$CKPT" pack "$SCRATCH/s.ckpt" -o "$SCRATCH/late.ckpt" >/dev/null 2>"$SCRATCH/err"
check "pack: a changed library is refused (one line, exit 1)" one_line_error $? "$SCRATCH/err"
check "pack: the refusal names the library" grep -q "libstep.so changed since the snapshot" "$SCRATCH/err"

# 2. Restart with the library rebuilt: the unpacked file refuses, the packed one runs the old code.
restarted_to_expected() { [ "$1" = 0 ] && [ "$(cat "$2")" = "$expected" ]; }
cp "$SCRATCH/partial" "$SCRATCH/out"
"$CKPT" restart "$SCRATCH/s.ckpt" >>"$SCRATCH/out" 2>"$SCRATCH/err"
check "restart unpacked: a rebuilt library is refused (one line, exit 1)" one_line_error $? "$SCRATCH/err"
check "restart unpacked: names the library and suggests ckpt pack" \
	grep -q "libstep.so changed since the snapshot (its build-id differs); .*ckpt pack" "$SCRATCH/err"
"$CKPT" check "$SCRATCH/p.ckpt" >"$SCRATCH/check" 2>"$SCRATCH/err"
check "check packed: restart can work here (exit 0)" [ $? = 0 ]
check "check packed: the rebuilt library is reported as embedded" \
	grep -q "^  note     file       $LIB/libstep.so: embedded: restart maps the packed copy, as the file here changed" "$SCRATCH/check"
check "check packed: libc is the same here, and embedded" \
	grep -q "^  ok       file       $libc: the same as when saved (and embedded)" "$SCRATCH/check"
for round in 1 2; do
	cp "$SCRATCH/partial" "$SCRATCH/out"
	timeout 60 "$CKPT" restart "$SCRATCH/p.ckpt" >>"$SCRATCH/out" 2>"$SCRATCH/err"
	check "restart packed #$round: the undisturbed result, with the saved library's code" \
		restarted_to_expected $? "$SCRATCH/out"
done
cache=$XDG_CACHE_HOME/ckpt/files
cache_ok() { # one file, named by its SHA-256, the saved library; the directory private
	local files=("$cache"/*)
	[ ${#files[@]} = 1 ] && [ "$(stat -c %a "$cache")" = 700 ] &&
		[ "$(sha256sum <"${files[0]}" | cut -d' ' -f1)" = "$(basename "${files[0]}")" ] &&
		cmp -s "${files[0]}" "$SCRATCH/libstep.saved"
}
check "restart packed: the saved library is extracted once into a private cache, named by its SHA-256" cache_ok
pid=$("$CKPT" restart "$SCRATCH/p.ckpt" --stopped 2>"$SCRATCH/err" </dev/null | tail -1)
check "restart packed --stopped: /proc/PID/maps names the cached library as a file mapping" \
	grep -q " r-xp .* $cache/[0-9a-f]\{64\}\$" /proc/${pid:-0}/maps
[ -n "$pid" ] && kill -KILL "$pid" 2>/dev/null

# The library gone altogether (the teammate does not have it).
mv "$LIB/libstep.so" "$SCRATCH/libstep.v2"
cp "$SCRATCH/partial" "$SCRATCH/out"
timeout 60 "$CKPT" restart "$SCRATCH/p.ckpt" >>"$SCRATCH/out" 2>"$SCRATCH/err"
check "restart packed, library missing: the undisturbed result" restarted_to_expected $? "$SCRATCH/out"
"$CKPT" restart "$SCRATCH/s.ckpt" >/dev/null 2>"$SCRATCH/err"
check "restart unpacked, library missing: refused, naming it" grep -q "libstep.so is gone" "$SCRATCH/err"

# 3. Debugging the packed file without the library or its debug info: unpack-debug's sysroot.
mv "$LIB/libstep.so.debug" "$SCRATCH/libstep.debug.moved"
"$CKPT" unpack-debug "$SCRATCH/p.ckpt" "$SCRATCH/sysroot" >"$SCRATCH/unpack.out" 2>"$SCRATCH/err"
check "unpack-debug: exit 0, says how to run gdb" grep -q "gdb -ix $SCRATCH/sysroot/gdbinit -c $SCRATCH/p.ckpt" "$SCRATCH/unpack.out"
check "unpack-debug: the library and its debug info under their saved paths" \
	bash -c 'cmp -s "$0$1/libstep.so" "$2" && [ -s "$0$1/libstep.so.debug" ]' "$SCRATCH/sysroot" "$LIB" "$SCRATCH/libstep.saved"
gdb -q -batch -nx -ix "$SCRATCH/sysroot/gdbinit" -c "$SCRATCH/p.ckpt" -ex 'echo @@BT\n' -ex bt 2>&1 |
	sed -n '/^@@BT/,$p' >"$SCRATCH/bt.u"
check "unpack-debug: gdb shows the saved backtrace with names and lines" \
	bash -c 'grep -q "in step (.*) at .*steplib.c:[0-9]" "$0" && grep -q "in main (.*) at .*stepper.c:[0-9]" "$0"' \
	"$SCRATCH/bt.u"
mv "$SCRATCH/libstep.v2" "$LIB/libstep.so"

# A tree of processes: the child images move after the embedded files; every process restarts.
mkdir -p "$SCRATCH/bin"
gcc -O1 -g -pthread -o "$SCRATCH/bin/tree" tests/progs/tree.c 2>"$SCRATCH/err" || fail "build tree" "$(cat "$SCRATCH/err")"
tree_expected=$(expected_output tree)
start_prog tree "$SCRATCH/tree.out" && "$CKPT" dump $PROG_PID -o "$SCRATCH/tree.ckpt" --kill >/dev/null 2>"$SCRATCH/err" ||
	fail "tree: dump" "$(cat "$SCRATCH/err")"
wait $PROG_PID 2>/dev/null
"$CKPT" pack "$SCRATCH/tree.ckpt" -o "$SCRATCH/tree-p.ckpt" >/dev/null 2>"$SCRATCH/err"
check "tree: packed (exit 0)" [ $? = 0 ]
tree_ok() { # the packed file holds the same processes, each with the same mappings and threads
	local a b
	a=$("$CKPT" info --json "$SCRATCH/tree.ckpt" | python3 -c 'import json,sys; d=json.load(sys.stdin); print([(p["pid"], p["mappings"], len(p["threads"]), p["stored_bytes"]) for p in d["processes"]])')
	b=$("$CKPT" info --json "$SCRATCH/tree-p.ckpt" | python3 -c 'import json,sys; d=json.load(sys.stdin); print([(p["pid"], p["mappings"], len(p["threads"]), p["stored_bytes"]) for p in d["processes"]])')
	[ -n "$a" ] && [ "$a" = "$b" ] && [ "$(echo "$a" | grep -o '(' | wc -l)" -ge 2 ]
}
check "tree: the packed file has every process of the statefile" tree_ok
check "tree: eu-stack reads the packed file" bash -c 'eu-stack --core "$0" -e "$1" 2>/dev/null | grep -q main' \
	"$SCRATCH/tree-p.ckpt" "$SCRATCH/bin/tree"
cp "$SCRATCH/tree.out" "$SCRATCH/tree.partial"
timeout 60 "$CKPT" restart "$SCRATCH/tree-p.ckpt" >>"$SCRATCH/tree.out" 2>"$SCRATCH/err"
check "tree: the packed file restarts to the undisturbed result" \
	bash -c '[ "$0" = 0 ] && [ "$(cat "$1")" = "$2" ]' $? "$SCRATCH/tree.out" "$tree_expected"

# An open file missing here: restart of the file packed --with-files makes it again from its
# copy (mode and time kept); without a copy, restart refuses naming it.
cp -p "$SCRATCH/notes.txt" "$SCRATCH/notes.saved"
rm -f "$SCRATCH/notes.txt"
"$CKPT" check "$SCRATCH/pf.ckpt" >"$SCRATCH/check.out" 2>&1
check "pack --with-files: ckpt check says restart makes the missing open file again (exit 0)" \
	bash -c '[ "$0" = 0 ] && grep -q "note .*notes.txt: is missing here: restart makes it again from the packed copy" "$1"' \
	$? "$SCRATCH/check.out"
"$CKPT" restart "$SCRATCH/p.ckpt" >/dev/null 2>"$SCRATCH/err"
check "pack without --with-files: restart refuses the missing open file, naming it" \
	bash -c 'one_line() { [ "$(wc -l <"$1")" = 1 ]; }; one_line "$0" && grep -q "notes.txt is missing here" "$0"' "$SCRATCH/err"
cp "$SCRATCH/partial" "$SCRATCH/out"
timeout 60 "$CKPT" restart "$SCRATCH/pf.ckpt" >/dev/null 2>"$SCRATCH/err"
check "pack --with-files: the packed file restarts to the undisturbed result" \
	bash -c '[ "$0" = 0 ] && [ "$(cat "$1")" = "$2" ]' $? "$SCRATCH/out" "$expected"
check "pack --with-files: the open file is back with its contents, mode and time" \
	bash -c 'cmp -s "$0" "$1" && [ "$(stat -c "%a %Y" "$0")" = "$(stat -c "%a %Y" "$1")" ]' "$SCRATCH/notes.txt" "$SCRATCH/notes.saved"
check "pack --with-files: restart says it made the file again" grep -q "notes.txt was missing here: made again" "$SCRATCH/err"

# 4. Another machine: a root file system of Debian trixie (another glibc, no steplib, no
# stepper), entered with chroot as root in a mount namespace of its own.  The packed file must
# restart there to the undisturbed result, ckpt check must report the libraries as embedded, and
# gdb there must show the saved backtrace with names and lines.
if root=$(debian_root trixie 2>"$SCRATCH/root.err"); then
	pass "another machine: a Debian trixie root with gdb ($root)"
	mkdir -p "$root/opt/ckpt" "$root$SCRATCH" "$root$PWD"
	cp -a build/bin build/lib build/share "$root/opt/ckpt/"
	cp "$SCRATCH/p.ckpt" "$SCRATCH/notes.txt" "$SCRATCH/stepper.err" "$root$SCRATCH/"
	cp "$SCRATCH/partial" "$root$SCRATCH/out"
	rm -rf "$root$SCRATCH/p.ckpt.sysroot" "$root/tmp/ckpt-cache"
	inside() { # COMMAND...: run in the trixie root, with its own /proc and this /dev
		unshare -m bash -c 'mount --make-rprivate / && mount -t proc proc "$0/proc" && mount --rbind /dev "$0/dev" &&
			exec chroot "$0" /usr/bin/env -i HOME=/root XDG_CACHE_HOME=/tmp/ckpt-cache PATH=/usr/bin:/bin LC_ALL=C.UTF-8 "$@"' \
			"$root" "$@"
	}
	other_libc=$(inside /usr/bin/ldd --version 2>&1 | head -1)
	check "another machine: its glibc is not this one's ($other_libc)" \
		[ -n "$other_libc" -a "$other_libc" != "$(ldd --version 2>&1 | head -1)" ]
	inside /opt/ckpt/bin/ckpt check "$SCRATCH/p.ckpt" >"$SCRATCH/check.other" 2>&1
	check "another machine: ckpt check says restart can work there (exit 0)" [ $? = 0 ]
	check "another machine: ckpt check reports the libraries and the program as embedded" \
		bash -c 'for f in "$1" "$2" "$3"; do grep -q "^  note     file       $f: embedded: restart maps the packed copy" "$0" || exit 1; done' \
		"$SCRATCH/check.other" "$LIB/libstep.so" "$libc" "$SCRATCH/stepper"
	timeout 120 bash -c "$(declare -f inside); root=\$0; inside /opt/ckpt/bin/ckpt restart \"\$1\"" \
		"$root" "$SCRATCH/p.ckpt" >"$SCRATCH/restart.other" 2>&1
	rc=$?
	check "another machine: the packed file restarts there to the undisturbed result" \
		bash -c '[ "$0" = 0 ] && [ "$(cat "$1")" = "$2" ]' $rc "$root$SCRATCH/out" "$expected"
	inside /usr/bin/gdb -q -batch -nx -iex "source /opt/ckpt/share/ckpt/ckpt-gdb.py" -ex "ckpt info $SCRATCH/p.ckpt" \
		-ex "core-file $SCRATCH/p.ckpt" -ex 'echo @@BT\n' -ex bt 2>&1 | sed -n '/^@@BT/,$p' >"$SCRATCH/bt.other"
	check "another machine: gdb there shows the saved backtrace, with names and lines, as gdb here" \
		bash -c 'grep -q "in step (.*) at .*steplib.c:[0-9]" "$0" && diff -q "$0" "$1" >/dev/null' "$SCRATCH/bt.other" "$SCRATCH/bt.s"
	# The cached root stays as debootstrap made it.
	rm -rf "$root$SCRATCH" "$root/tmp/ckpt-cache" "$root/opt/ckpt"
	rmdir -p "$root$PWD" 2>/dev/null
	[ $FAILURES = 0 ] || { echo "# trixie: check:"; cat "$SCRATCH/check.other"; echo "# restart:"; cat "$SCRATCH/restart.other"
		echo "# gdb:"; cat "$SCRATCH/bt.other"; echo "# here:"; cat "$SCRATCH/bt.s"; } | head -60
else
	fail "another machine: a Debian trixie root" "$(tail -n 1 "$SCRATCH/root.err")"
fi

exit $((FAILURES > 0))

#!/bin/bash
# Time travel in one gdb session (not a test): automatic snapshots at every step of a program
# with MIB MiB of touched heap, 1% of it written between steps, and Go Back (ckpt back), through
# gdb/MI as CDT drives it.  Prints what a step costs with automatic snapshots against without,
# the disk that STEPS steps' snapshots take beyond the first against the bytes they changed, and
# the time from `ckpt back` to the frame shown; all measured in this one run.  Last, what write
# tracking costs a program of that size on this machine without ckpt or gdb (bench/wpresume.c).
#
#   native/bench/travel.sh [MIB] [STEPS] [DIR]
#
# MIB: heap (default 1024); STEPS: steps with automatic snapshots (default 20); DIR: where the
# snapshots go (default a temporary directory; give one on XFS with reflinks, or btrfs, to
# measure shared extents).
set -u
cd "$(dirname "$0")/.." || exit 1
MIB=${1:-1024}
STEPS=${2:-20}
DIR=${3:-}
make -s >/dev/null || exit 1
MNT=
if [ -z "$DIR" ]; then
	DIR=$(mktemp -d "${TMPDIR:-/tmp}/ckpt-travel.XXXXXX")
	# A file system of its own, so that nothing else changes its free space, with reflinks
	# (XFS) when this user may mount one.
	if [ "$(id -u)" = 0 ] && command -v mkfs.xfs >/dev/null; then
		truncate -s $(( MIB * 3 + 1024 ))M "$DIR/xfs.img" && mkfs.xfs -q -m reflink=1 "$DIR/xfs.img" &&
			mkdir "$DIR/mnt" && mount -o loop "$DIR/xfs.img" "$DIR/mnt" && MNT=$DIR/mnt
	fi
fi
SNAPS=${MNT:-$DIR}/snaps
mkdir -p "$DIR/bin" "$SNAPS"
gcc -g -O0 -o "$DIR/bin/stepper" bench/stepper.c || exit 1
gcc -O2 -o "$DIR/bin/wpresume" bench/wpresume.c || exit 1
# A killed program needs a moment to let its files go before the unmount.
unmount() { for i in $(seq 1 50); do umount "$MNT" 2>/dev/null && return 0; sleep 0.1; done; umount -l "$MNT"; }
trap 'rm -rf "$DIR/bin" "$SNAPS"; [ -n "$MNT" ] && unmount && rm -rf "$DIR"' EXIT
echo "travel: $MIB MiB heap, $STEPS steps, snapshots in $SNAPS ($(df --output=fstype "$SNAPS" | tail -1))" >&2
python3 bench/travel.py "$PWD/build/share/ckpt/ckpt-gdb.py" "$DIR/bin/stepper" "$PWD/bench/stepper.c" \
	"$MIB" "$STEPS" "$SNAPS"
# The engine alone, for comparison with Go Back: restart of the last snapshot, stopped.
last=$(ls -t "$SNAPS"/*.ckpt | head -1)
for lazy in "" --lazy; do
	rm -f "$DIR/pid"
	t=$(date +%s%N)
	# Not through a pipe: the stopped program keeps ckpt's stdout open.
	build/bin/ckpt restart "$last" --stopped $lazy --pid-file "$DIR/pid" >/dev/null 2>&1 </dev/null
	echo "restart_stopped${lazy:+_lazy}_ms $(( ($(date +%s%N) - t) / 1000000 ))"
	kill -9 "$(cat "$DIR/pid" 2>/dev/null)" 2>/dev/null
done
# What write tracking costs the program itself here, outside ckpt and gdb.
"$DIR/bin/wpresume" "$MIB" 20

#!/usr/bin/env bash
# Checks the set-up path of scripts/lib/env.sh on a machine that lacks the packages, without
# touching this machine's packages: a stand-in apt-get and dpkg-query on a PATH of their own
# behave as Debian's do, including the refusal that NodeSource's nodejs causes
# ("nodejs : Conflicts: npm"), which once made apt-get install nothing at all.
# Real installs stay real: ./scripts/test.sh installs with the real apt-get before this runs.
# Prints one PASS or FAIL line per check; exits non-zero on any FAIL.
set -uo pipefail
cd "$(dirname "$(readlink -f "$0")")/../.."
env_sh=$PWD/scripts/lib/env.sh
fails=0
pass() { echo "PASS setup: $1"; }
fail() { echo "FAIL setup: $1: $2"; fails=$((fails + 1)); }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# The tools env.sh uses, and nothing else of this machine's: no real gdb, node or Xvfb.
base=$work/base
mkdir -p "$base"
for t in bash env grep sed awk paste mktemp rm cat head tail readlink dirname sort tr wc touch chmod; do
	ln -s "$(command -v "$t")" "$base/$t"
done

# Writes the stand-ins into $1/bin; installed packages are files in $1/dpkg, their commands
# appear in $1/cmds, and every apt-get call is logged to $1/apt.log.
make_world() {
	local w=$1
	mkdir -p "$w/bin" "$w/dpkg" "$w/cmds"
	cat >"$w/bin/apt-get" <<STUB
#!$base/bash
w=$w
STUB
	cat >>"$w/bin/apt-get" <<'STUB'
echo "$*" >>"$w/apt.log"
[ "$1" = update ] && { echo "Reading package lists... Done"; exit 0; }
shift
pkgs=()
for a in "$@"; do case $a in -*) ;; *) pkgs+=("$a") ;; esac; done
echo "Reading package lists..."
echo "Building dependency tree..."
echo "Reading state information..."
for p in "${pkgs[@]}"; do
	if grep -qx "$p" "$w/unknown" 2>/dev/null; then
		echo "E: Unable to locate package $p"
		exit 100
	fi
done
for p in "${pkgs[@]}"; do
	if [ "$p" = npm ] && [ -e "$w/dpkg/nodejs" ] && [ -e "$w/nodesource" ]; then
		cat <<'APT'
Some packages could not be installed. This may mean that you have
requested an impossible situation or if you are using the unstable
distribution that some required packages have not yet been created
or been moved out of Incoming.
The following information may help to resolve the situation:

The following packages have unmet dependencies:
 libnode108 : Conflicts: nodejs-legacy
 nodejs : Conflicts: npm
E: Unable to correct problems, you have held broken packages.
APT
		exit 100
	fi
done
for p in "${pkgs[@]}"; do
	touch "$w/dpkg/$p"
	case $p in
	elfutils) cmds="eu-stack" ;; xfsprogs) cmds="mkfs.xfs" ;; xvfb) cmds="xvfb-run Xvfb" ;;
	dbus-x11) cmds="dbus-launch" ;; nodejs) cmds="node" ;; libgtk-3-0 | libclang-rt-14-dev) cmds="" ;;
	*) cmds=$p ;;
	esac
	for c in $cmds; do printf '#!/bin/sh\n' >"$w/cmds/$c"; chmod +x "$w/cmds/$c"; done
	echo "Setting up $p ..."
done
exit 0
STUB
	cat >"$w/bin/dpkg-query" <<STUB
#!$base/bash
for p in "\${@: -2}"; do [ -e "$w/dpkg/\$p" ] && echo "ii "; done
exit 0
STUB
	cat >"$w/bin/id" <<STUB
#!$base/bash
[ -e "$w/not-root" ] && echo 1000 || echo 0
STUB
	chmod +x "$w/bin/"*
	: >"$w/apt.log"
}

# run_env WORLD SCRIPT: runs SCRIPT with env.sh sourced, on the world's PATH only.
run_env() {
	local w=$1
	PATH="$w/bin:$w/cmds:$base" "$base/bash" -c ". '$env_sh'; $2" >"$w/out" 2>&1
}

# Every package that test.sh asks for, given a world where nothing is installed.
requested() { grep '^install' "$1/apt.log" | tr ' ' '\n' | grep -v '^-' | grep -v '^install$' | sort -u; }

# 1. NodeSource's nodejs: node and npm are on PATH, Debian's npm is never asked for, and
#    everything else is installed in one apt-get call.
w=$work/nodesource
make_world "$w"
touch "$w/nodesource" "$w/dpkg/nodejs" "$w/cmds/node" "$w/cmds/npm"
chmod +x "$w/cmds/node" "$w/cmds/npm"
run_env "$w" 'ckpt_ensure_packages "${CKPT_TEST_NEEDS[@]}" && ckpt_require_commands make gcc gdb eu-stack mkfs.xfs xvfb-run Xvfb xauth dbus-launch node npm clang'
st=$?
if [ $st -eq 0 ] && ! requested "$w" | grep -qx npm && ! requested "$w" | grep -qx nodejs \
	&& [ "$(grep -c '^install' "$w/apt.log")" = 1 ] && requested "$w" | grep -qx xvfb \
	&& requested "$w" | grep -qx libgtk-3-0; then
	pass "with NodeSource's nodejs and npm on PATH, one apt-get call installs the rest and npm is not asked for"
else
	fail "NodeSource's nodejs" "status $st; apt-get calls: $(tr '\n' '|' <"$w/apt.log"); output: $(tr '\n' '|' <"$w/out")"
fi
grep -q '^installed Debian packages: .*xvfb' "$w/out" \
	&& pass "says what it installed" || fail "says what it installed" "$(tr '\n' '|' <"$w/out")"

# 2. NodeSource's nodejs without npm on PATH: apt-get refuses the whole set because of npm.
#    The others must still be installed, one by one, and the error must name npm and apt's
#    reason.
w=$work/conflict
make_world "$w"
touch "$w/nodesource" "$w/dpkg/nodejs" "$w/cmds/node"
chmod +x "$w/cmds/node"
run_env "$w" 'ckpt_ensure_packages "${CKPT_TEST_NEEDS[@]}" && ckpt_require_commands make gcc gdb eu-stack mkfs.xfs xvfb-run Xvfb xauth dbus-launch node npm clang'
st=$?
others_ok=1
for p in make gcc gdb elfutils xfsprogs xvfb xauth dbus-x11 libgtk-3-0 clang libclang-rt-14-dev; do
	[ -e "$w/dpkg/$p" ] || others_ok=0
	grep -qx "install -y -q $p" "$w/apt.log" || others_ok=0
done
if [ $others_ok = 1 ]; then
	pass "when apt-get refuses the set because of npm, every other package is still requested and installed"
else
	fail "refused set" "apt-get calls: $(tr '\n' '|' <"$w/apt.log")"
fi
if [ $st -ne 0 ] && grep -q '^error: missing commands: npm (package npm: nodejs : Conflicts: npm)' "$w/out" \
	&& [ "$(grep -c '^error' "$w/out")" = 1 ]; then
	pass "the final error names npm and apt's reason: $(grep '^error' "$w/out")"
else
	fail "final error" "status $st; output: $(tr '\n' '|' <"$w/out")"
fi
grep -q 'warning: apt-get could not install npm: nodejs : Conflicts: npm' "$w/out" \
	&& pass "the refused package is named as soon as it is refused" \
	|| fail "refusal warning" "$(tr '\n' '|' <"$w/out")"

# 3. A package this Debian does not have (lldb, say): apt's own reason is kept and named in
#    the error, and every other package is still installed.
w=$work/unknown
make_world "$w"
echo lldb >"$w/unknown"
run_env "$w" 'ckpt_ensure_packages "${CKPT_TEST_NEEDS[@]}" && ckpt_require_commands gdb xvfb-run npm lldb'
st=$?
if [ $st -ne 0 ] && grep -q '^error: missing commands: lldb (package lldb: E: Unable to locate package lldb)' "$w/out" \
	&& [ -e "$w/dpkg/npm" ] && [ -e "$w/dpkg/xvfb" ]; then
	pass "a package apt-get does not know is named with apt's reason and blocks no other"
else
	fail "unknown package" "status $st; output: $(tr '\n' '|' <"$w/out")"
fi

# 4. Nothing missing: apt-get is not run at all.
w=$work/complete
make_world "$w"
for c in make gcc gdb eu-stack mkfs.xfs xvfb-run Xvfb xauth dbus-launch node npm clang lldb debootstrap capsh; do
	printf '#!/bin/sh\n' >"$w/cmds/$c"
	chmod +x "$w/cmds/$c"
done
touch "$w/dpkg/libgtk-3-0" "$w/dpkg/libclang-rt-14-dev"
run_env "$w" 'ckpt_ensure_packages "${CKPT_TEST_NEEDS[@]}"'
if [ ! -s "$w/apt.log" ] && grep -q 'nothing to install' "$w/out"; then
	pass "with everything present, apt-get is not run"
else
	fail "everything present" "apt-get calls: $(tr '\n' '|' <"$w/apt.log")"
fi

# 5. Not root and no sudo: the user is told the command to run, and the error names the commands.
w=$work/user
make_world "$w"
touch "$w/not-root"
run_env "$w" 'ckpt_ensure_packages "${CKPT_TEST_NEEDS[@]}" && ckpt_require_commands gdb xvfb-run'
st=$?
if [ $st -ne 0 ] && [ ! -s "$w/apt.log" ] && grep -q "run 'sudo apt-get install .*xvfb" "$w/out" \
	&& grep -q '^error: missing commands: gdb (package gdb: not installed (not root' "$w/out"; then
	pass "not root and no sudo: names the apt-get command to run and the missing commands"
else
	fail "not root" "status $st; output: $(tr '\n' '|' <"$w/out")"
fi

exit $((fails > 0))

# Shared helpers for scripts/*.sh and .ci/run. Source it; it defines functions only.
# shellcheck shell=bash

# Prints the major version of the JDK at $1 (for example 25), or nothing.
ckpt_java_major() {
	local home=$1 v=
	if [ -r "$home/release" ]; then
		v=$(sed -n 's/^JAVA_VERSION="\([^"]*\)".*/\1/p' "$home/release")
	fi
	if [ -z "$v" ] && [ -x "$home/bin/java" ]; then
		v=$("$home/bin/java" -version 2>&1 | sed -n 's/.* version "\([^"]*\)".*/\1/p' | head -n 1)
	fi
	v=${v#1.}
	v=${v%%[.+-]*}
	case $v in '' | *[!0-9]*) return 0 ;; esac
	echo "$v"
}

# Makes sure JAVA_HOME names a JDK 21 or newer and puts its bin/ first on PATH. Keeps a good
# JAVA_HOME; otherwise takes the javac on PATH if it is new enough, else the newest JDK found
# under /usr/lib/jvm.
ckpt_find_java() {
	local want=21 v home best= best_v=0
	if [ -n "${JAVA_HOME:-}" ]; then
		v=$(ckpt_java_major "$JAVA_HOME")
		if [ -x "$JAVA_HOME/bin/javac" ] && [ "${v:-0}" -ge "$want" ]; then
			export PATH="$JAVA_HOME/bin:$PATH"
			return 0
		fi
		echo "JAVA_HOME=$JAVA_HOME is not a JDK $want or newer (found '${v:-none}'): looking for another one" >&2
	fi
	if command -v javac >/dev/null 2>&1; then
		home=$(dirname "$(dirname "$(readlink -f "$(command -v javac)")")")
		v=$(ckpt_java_major "$home")
		if [ "${v:-0}" -ge "$want" ]; then
			best=$home best_v=$v
		fi
	fi
	if [ -z "$best" ]; then
		for home in /usr/lib/jvm/*; do
			[ -x "$home/bin/javac" ] || continue
			v=$(ckpt_java_major "$home")
			if [ "${v:-0}" -gt "$best_v" ]; then
				best=$home best_v=$v
			fi
		done
	fi
	if [ -z "$best" ] || [ "$best_v" -lt "$want" ]; then
		echo "error: no JDK $want or newer found (JAVA_HOME, javac on PATH, /usr/lib/jvm/*)." >&2
		echo "       Install one (for example Debian's openjdk-21-jdk or a Temurin JDK) and set JAVA_HOME." >&2
		return 1
	fi
	export JAVA_HOME=$best
	export PATH="$JAVA_HOME/bin:$PATH"
	echo "using Java $best_v at $JAVA_HOME"
}

# Tells whether the Debian package $1 is installed (also under its 64-bit time_t name, $1t64).
ckpt_pkg_installed() {
	local status
	# dpkg-query fails when one of the two names is unknown: only its output counts.
	status=$(dpkg-query -W -f='${db:Status-Abbrev}\n' "$1" "${1}t64" 2>/dev/null || true)
	printf '%s\n' "$status" | grep -q '^ii'
}

# Installs the Debian packages given as arguments that are missing, with apt-get, as root or
# through password-less sudo. Runs apt-get update only when something is to be installed.
# When it cannot install, it says so and returns 0: ckpt_require_commands then tells what is fatal.
ckpt_ensure_packages() {
	local missing=() p sudo=()
	if ! command -v dpkg-query >/dev/null 2>&1; then
		echo "warning: not a Debian system; make sure these are installed: $*" >&2
		return 0
	fi
	for p in "$@"; do
		ckpt_pkg_installed "$p" || missing+=("$p")
	done
	[ ${#missing[@]} -eq 0 ] && return 0
	if [ "$(id -u)" -ne 0 ]; then
		if command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
			sudo=(sudo -n)
		else
			echo "warning: missing Debian packages: ${missing[*]} (not root and no password-less sudo:" >&2
			echo "         run 'sudo apt-get install ${missing[*]}')" >&2
			return 0
		fi
	fi
	echo "installing missing Debian packages: ${missing[*]}"
	if ! "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -q \
		|| ! "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -q "${missing[@]}" </dev/null; then
		echo "warning: apt-get could not install: ${missing[*]}" >&2
	fi
	return 0
}

# Fails, naming what is missing, unless every command given as argument is on PATH.
ckpt_require_commands() {
	local missing=() c
	for c in "$@"; do
		command -v "$c" >/dev/null 2>&1 || missing+=("$c")
	done
	if [ ${#missing[@]} -gt 0 ]; then
		echo "error: missing commands: ${missing[*]} (see README.md, Prerequisites)" >&2
		return 1
	fi
}

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

# What the scripts need, as COMMAND:PACKAGE (the Debian package is wanted only when COMMAND is
# not on PATH: npm inside NodeSource's nodejs, or from nvm, needs no Debian npm) or as a bare
# PACKAGE (a library: dpkg decides).
CKPT_TEST_NEEDS=(make:make gcc:gcc gdb:gdb eu-stack:elfutils mkfs.xfs:xfsprogs
	xvfb-run:xvfb Xvfb:xvfb xauth:xauth dbus-launch:dbus-x11 libgtk-3-0 node:nodejs npm:npm
	clang:clang libclang-rt-14-dev lldb:lldb debootstrap:debootstrap capsh:libcap2-bin)

# Filled by ckpt_ensure_packages: what it installed, and why apt-get refused a package.
CKPT_INSTALLED=()
declare -A CKPT_REFUSED=()

# Prints the Debian packages among the needs given as arguments that are missing, one per line.
ckpt_missing_packages() {
	local need cmd pkg
	for need in "$@"; do
		if [ "${need#*:}" != "$need" ]; then
			cmd=${need%%:*} pkg=${need#*:}
			command -v "$cmd" >/dev/null 2>&1 && continue
		else
			pkg=$need
		fi
		ckpt_pkg_installed "$pkg" && continue
		echo "$pkg"
	done | awk '!seen[$0]++'
}

# apt's own reason for refusing PACKAGE, from the log of a failed apt-get install: the unmet
# dependency lines that name it (" nodejs : Conflicts: npm"), else any of them, else the first
# "E:" line.
ckpt_apt_reason() {
	local pkg=$1 log=$2 lines
	lines=$(grep -E '^ +[^ ]+ : ' "$log" | sed 's/^ *//')
	if [ -n "$lines" ]; then
		printf '%s\n' "$lines" | grep -wF -- "$pkg" | paste -sd ';' - | sed 's/;/; /g' | grep . \
			|| printf '%s\n' "$lines" | paste -sd ';' - | sed 's/;/; /g'
		return 0
	fi
	grep -m 1 '^E: ' "$log" || echo "apt-get failed (exit status $3)"
}

# Installs the missing Debian packages for the needs given as arguments (see CKPT_TEST_NEEDS),
# as root or through password-less sudo, with apt-get; runs apt-get update only when something
# is missing. When apt-get refuses the whole set, it installs the packages one by one, so that
# one refused package cannot block the others, and keeps apt's reason for each refusal in
# CKPT_REFUSED. It always returns 0: ckpt_require_commands tells what is fatal.
ckpt_ensure_packages() {
	local missing=() p sudo=() log rc=0
	if ! command -v dpkg-query >/dev/null 2>&1; then
		echo "warning: not a Debian system; make sure these are installed: $*" >&2
		return 0
	fi
	mapfile -t missing < <(ckpt_missing_packages "$@")
	if [ ${#missing[@]} -eq 0 ]; then
		echo "Debian packages: nothing to install"
		return 0
	fi
	if [ "$(id -u)" -ne 0 ]; then
		if command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
			sudo=(sudo -n)
		else
			echo "warning: missing Debian packages: ${missing[*]} (not root and no password-less sudo:" >&2
			echo "         run 'sudo apt-get install ${missing[*]}')" >&2
			for p in "${missing[@]}"; do CKPT_REFUSED[$p]="not installed (not root, no password-less sudo)"; done
			return 0
		fi
	fi
	log=$(mktemp)
	echo "installing missing Debian packages: ${missing[*]}"
	if ! "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -q >"$log" 2>&1; then
		echo "warning: apt-get update failed: $(grep -m 1 '^[EW]: ' "$log" || tail -n 1 "$log")" >&2
	fi
	"${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -q "${missing[@]}" </dev/null >"$log" 2>&1 || rc=$?
	if [ "$rc" -eq 0 ]; then
		CKPT_INSTALLED+=("${missing[@]}")
	elif [ ${#missing[@]} -eq 1 ]; then
		CKPT_REFUSED[${missing[0]}]=$(ckpt_apt_reason "${missing[0]}" "$log" "$rc")
	else
		echo "apt-get refused the set ($(ckpt_apt_reason "" "$log" "$rc")); installing one by one"
		for p in "${missing[@]}"; do
			rc=0
			"${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -q "$p" </dev/null >"$log" 2>&1 || rc=$?
			if [ "$rc" -eq 0 ]; then
				CKPT_INSTALLED+=("$p")
			else
				CKPT_REFUSED[$p]=$(ckpt_apt_reason "$p" "$log" "$rc")
			fi
		done
	fi
	rm -f "$log"
	[ ${#CKPT_INSTALLED[@]} -gt 0 ] && echo "installed Debian packages: ${CKPT_INSTALLED[*]}"
	for p in "${!CKPT_REFUSED[@]}"; do
		echo "warning: apt-get could not install $p: ${CKPT_REFUSED[$p]}" >&2
	done
	return 0
}

# Fails, naming what is missing and, where apt-get refused the package that brings it, apt's
# reason, unless every command given as argument is on PATH. An argument COMMAND:PACKAGE names
# the package; a bare COMMAND is looked up in CKPT_TEST_NEEDS.
ckpt_require_commands() {
	local missing=() arg c pkg need why
	for arg in "$@"; do
		c=${arg%%:*} pkg=
		[ "$c" != "$arg" ] && pkg=${arg#*:}
		command -v "$c" >/dev/null 2>&1 && continue
		if [ -z "$pkg" ]; then
			for need in "${CKPT_TEST_NEEDS[@]}"; do
				[ "${need%%:*}" = "$c" ] && [ "$need" != "$c" ] && pkg=${need#*:}
			done
		fi
		why=
		[ -n "$pkg" ] && [ -n "${CKPT_REFUSED[$pkg]:-}" ] && why=" (package $pkg: ${CKPT_REFUSED[$pkg]})"
		missing+=("$c$why")
	done
	if [ ${#missing[@]} -gt 0 ]; then
		local list
		list=$(printf '%s, ' "${missing[@]}")
		echo "error: missing commands: ${list%, } (see README.md, Prerequisites)" >&2
		return 1
	fi
}

# Prints one line each for the tools the tests use, with their versions and where they are.
ckpt_report_tools() {
	local v
	echo "tools:"
	v=$(gdb --version 2>/dev/null | head -n 1) && echo "  gdb:     ${v:-not found}"
	v=$("$JAVA_HOME/bin/java" -version 2>&1 | head -n 1) && echo "  Java:    $v ($JAVA_HOME)"
	if command -v node >/dev/null 2>&1; then
		echo "  Node.js: $(node --version) ($(command -v node)$(ckpt_node_origin)), npm $(npm --version 2>/dev/null || echo 'not found')"
	else
		echo "  Node.js: not found"
	fi
	if command -v Xvfb >/dev/null 2>&1; then
		# Xvfb has no version option; its Debian package tells.
		echo "  Xvfb:    $(command -v Xvfb), Debian package xvfb $(dpkg-query -W -f='${Version}' xvfb 2>/dev/null || echo '(version unknown)')"
	else
		echo "  Xvfb:    not found"
	fi
	if command -v lldb >/dev/null 2>&1; then
		echo "  lldb:    $(lldb --version 2>/dev/null | head -n 1)"
	else
		echo "  lldb:    not found"
	fi
}

# Where node came from, for the report: a Debian package (Debian's or NodeSource's) or elsewhere.
ckpt_node_origin() {
	local path ver
	path=$(readlink -f "$(command -v node)")
	ver=$(dpkg-query -W -f='${Version}' nodejs 2>/dev/null) || ver=
	case $path in
	/usr/bin/*)
		case $ver in
		*nodesource*) echo ", NodeSource's nodejs $ver" ;;
		'') echo "" ;;
		*) echo ", Debian's nodejs $ver" ;;
		esac
		;;
	*/.nvm/*) echo ", nvm" ;;
	*) echo "" ;;
	esac
}

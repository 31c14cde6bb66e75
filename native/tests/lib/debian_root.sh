# Sourced by tests: a root file system of another Debian release, for "another machine" tests.
# debian_root RELEASE: makes (once) and prints the path of a minimal RELEASE root with gdb, under
# ${XDG_CACHE_HOME:-$HOME/.cache}/ckpt/rootfs/ (CKPT_ROOTFS_CACHE overrides), made with
# debootstrap from the Debian mirror (CKPT_DEBIAN_MIRROR, default deb.debian.org).  A root is
# made under a temporary name and renamed only when complete, so an interrupted run leaves no
# half root under the final name.  On failure it prints the reason on stderr and returns 1.
debian_root() {
	local release=$1
	local cache=${CKPT_ROOTFS_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/ckpt/rootfs}
	local root=$cache/debian-$release-minbase-gdb
	local mirror=${CKPT_DEBIAN_MIRROR:-http://deb.debian.org/debian}
	if [ -x "$root/usr/bin/gdb" ] && [ -e "$root/.complete" ]; then
		echo "$root"
		return 0
	fi
	if [ "$(id -u)" != 0 ]; then
		echo "making a $release root with debootstrap needs root" >&2
		return 1
	fi
	command -v debootstrap >/dev/null 2>&1 || { echo "debootstrap is not installed (apt-get install debootstrap)" >&2; return 1; }
	mkdir -p "$cache" || return 1
	local tmp
	tmp=$(mktemp -d "$cache/.debian-$release.XXXXXX") || return 1
	if ! debootstrap --variant=minbase --include=gdb "$release" "$tmp" "$mirror" >"$tmp.log" 2>&1; then
		echo "debootstrap $release from $mirror failed: $(grep -E '^[EW]:' "$tmp.log" | tail -n 1)" >&2
		rm -rf "$tmp"
		return 1
	fi
	touch "$tmp/.complete"
	rm -rf "$root"
	mv "$tmp" "$root" && rm -f "$tmp.log" || return 1
	echo "$root"
}

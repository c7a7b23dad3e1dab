#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
#
# tests/qemu/systemd/rootfs.sh: prints the path of the systemd lane's Debian 12
# root filesystem (a directory), building it with debootstrap when it is not
# cached yet.  The cache lives outside the clone:
#
#   $HUSK_SYSTEMD_CACHE/rootfs.<hash>/        the tree (hash: packages.list,
#                                             the suite, the variant)
#   $HUSK_SYSTEMD_CACHE/rootfs.<hash>.log     debootstrap's log
#   $HUSK_SYSTEMD_CACHE/debs/                 downloaded .debs, reused
#
# HUSK_SYSTEMD_CACHE defaults to /var/cache/husk-test/systemd.  The build is
# bounded (HUSK_SYSTEMD_DEBOOTSTRAP_TIMEOUT, default 1500 s), runs under
# nice, builds into a temporary directory that is renamed when complete (an
# interrupted build leaves no half tree to be reused) and holds a lock (one
# build at a time).  The mirror is the first Debian archive in this machine's
# apt sources (HUSK_SYSTEMD_MIRROR overrides it): apt's archive may be the
# only one reachable.  Exit status: 0 (path on stdout), 77 when it cannot be
# built here (no debootstrap), 1 when the build failed (the log's tail on
# stderr).
set -u
set -o pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
cache=${HUSK_SYSTEMD_CACHE:-/var/cache/husk-test/systemd}
limit=${HUSK_SYSTEMD_DEBOOTSTRAP_TIMEOUT:-1500}
suite=bookworm
variant=minbase

pkgs=$(sed 's/#.*//' "$here/packages.list" | tr -s ' \t\n' '\n' | grep -v '^$' | sort -u)
key=$(printf '%s\n' "$suite" "$variant" "$pkgs" | sha256sum | cut -c1-16)
dir=$cache/rootfs.$key
if [ -x "$dir/sbin/init" ]; then
	echo "$dir"
	exit 0
fi

command -v debootstrap >/dev/null || {
	echo "debootstrap missing (apt-get install debootstrap)" >&2
	exit 77
}
mirror=${HUSK_SYSTEMD_MIRROR:-}
if [ -z "$mirror" ]; then
	# deb822 (URIs:) or one-line (deb URL suite ...) sources
	mirror=$(cat /etc/apt/sources.list /etc/apt/sources.list.d/*.list \
		/etc/apt/sources.list.d/*.sources 2>/dev/null |
		sed -n -e 's|^URIs: *\(http[^ ]*/debian\)/*$|\1|p' \
			-e 's|^deb  *\(\[[^]]*\] *\)\{0,1\}\(http[^ ]*/debian\)/* .*|\2|p' | head -n 1)
	mirror=${mirror:-http://deb.debian.org/debian}
fi

mkdir -p "$cache/debs"
exec 8>"$cache/rootfs.lock"
flock 8
if [ -x "$dir/sbin/init" ]; then # built while we waited
	echo "$dir"
	exit 0
fi
log=$dir.log
tmp=$dir.tmp
rm -rf "$tmp"
t0=$(date +%s)
echo "rootfs.sh: debootstrap $suite ($variant, $(echo "$pkgs" | wc -l) packages) from $mirror into $tmp" >"$log"
# minbase + the list; no recommends (debootstrap installs none)
if ! timeout -k 10 "$limit" nice -n 10 debootstrap --variant="$variant" \
	--cache-dir="$cache/debs" --include="$(echo "$pkgs" | paste -sd,)" \
	"$suite" "$tmp" "$mirror" >>"$log" 2>&1; then
	echo "rootfs.sh: debootstrap failed or timed out after $(($(date +%s) - t0)) s (log: $log)" >&2
	# debootstrap's own log names the package that failed; keep it
	cat "$tmp/debootstrap/debootstrap.log" >>"$log" 2>/dev/null
	tail -n 15 "$log" >&2
	rm -rf "$tmp"
	exit 1
fi
# no apt lists or archives in the image; the .debs stay in $cache/debs
rm -rf "$tmp"/var/lib/apt/lists/* "$tmp"/var/cache/apt/archives/*.deb
echo "rootfs.sh: built in $(($(date +%s) - t0)) s" >>"$log"
mv "$tmp" "$dir"
# other package lists' trees, logs and images
for old in "$cache"/rootfs.*; do
	case $old in "$dir" | "$dir".* | *.lock) continue ;; esac
	rm -rf "$old"
done
echo "$dir"

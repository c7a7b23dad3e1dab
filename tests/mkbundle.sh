#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
#
# mkbundle.sh [--no-config] DIR [CMD [ARG...]]
#
# Makes an OCI bundle in DIR: DIR/rootfs is a busybox root (Debian's
# busybox-static, /bin/x -> /bin/busybox symlinks, /etc/passwd and group) plus
# the static test payload at /payload; DIR/config.json comes from
# `$RUNTIME spec` when that works, else from the built-in default (runc's), with
# process.terminal off so it runs without a tty, and process.args CMD ARG...
# when given.
#
# Environment: RUNTIME (default build/src/husk), PAYLOAD (default
# build/tests/payload/payload; built with gcc -static if missing), BUSYBOX
# (default /bin/busybox).
set -eu

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
src=$(cd "$here/.." && pwd)
build=${BUILD_DIR:-$src/build}
RUNTIME=${RUNTIME:-$build/src/husk}
PAYLOAD=${PAYLOAD:-$build/tests/payload/payload}
BUSYBOX=${BUSYBOX:-/bin/busybox}
PY=${PY:-/usr/bin/python3}
[ -x "$PY" ] || PY=python3

abs() { case $1 in /*) echo "$1" ;; */*) echo "$PWD/$1" ;; *) command -v "$1" || echo "$PWD/$1" ;; esac; }
RUNTIME=$(abs "$RUNTIME")
PAYLOAD=$(abs "$PAYLOAD")
config=1
if [ "${1:-}" = --no-config ]; then
	config=0
	shift
fi
if [ $# -lt 1 ]; then
	echo "usage: $0 [--no-config] DIR [CMD [ARG...]]" >&2
	exit 2
fi
dir=$1
shift

if [ ! -x "$BUSYBOX" ]; then
	echo "mkbundle: $BUSYBOX not found (apt-get install busybox-static)" >&2
	exit 1
fi
# a dynamic busybox (Debian's `busybox` package) would not run in the rootfs
is_static() { # no PT_INTERP program header
	"$PY" - "$1" <<'PY'
import struct, sys
d = open(sys.argv[1], "rb").read(65536)
if d[:4] != b"\x7fELF" or d[4] != 2:
    sys.exit(1)
phoff, = struct.unpack_from("<Q", d, 32)
phentsize, phnum = struct.unpack_from("<HH", d, 54)
for i in range(phnum):
    if struct.unpack_from("<I", d, phoff + i * phentsize)[0] == 3:
        sys.exit(1)
PY
}
if ! is_static "$BUSYBOX"; then
	echo "mkbundle: $BUSYBOX is not static (apt-get install busybox-static)" >&2
	exit 1
fi
if [ ! -x "$PAYLOAD" ]; then
	# no meson build yet: build the payload on its own
	PAYLOAD=$dir/.payload
	mkdir -p "$dir"
	gcc -O2 -static -o "$PAYLOAD" "$src/tests/payload/payload.c"
fi

r=$dir/rootfs
rm -rf "$r"
mkdir -p "$r"/{bin,sbin,usr/bin,usr/sbin,etc,proc,sys,dev,tmp,root,run,var}
cp "$BUSYBOX" "$r/bin/busybox"
# /bin/x -> /bin/busybox links; without chroot (not root) the slow way
if ! chroot "$r" /bin/busybox --install -s 2>/dev/null; then
	for f in $("$BUSYBOX" --list-full); do
		[ -e "$r/$f" ] || [ -L "$r/$f" ] || ln -s /bin/busybox "$r/$f"
	done
fi
chmod 1777 "$r/tmp"
printf 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/bin/false\n' >"$r/etc/passwd"
printf 'root:x:0:\nnogroup:x:65534:\n' >"$r/etc/group"
cp "$PAYLOAD" "$r/payload"
chmod 755 "$r/payload"
rm -f "$dir/.payload"

[ $config = 1 ] || exit 0
rm -f "$dir/config.json"
if [ -x "$RUNTIME" ] && (cd "$dir" && "$RUNTIME" spec >/dev/null 2>&1) && [ -s "$dir/config.json" ]; then
	"$PY" "$src/tests/functional/cfg.py" edit "$dir/config.json" 'p["terminal"] = False'
else
	"$PY" "$src/tests/functional/cfg.py" new "$dir/config.json" 'args("sh")'
fi
if [ $# -gt 0 ]; then
	"$PY" "$src/tests/functional/cfg.py" args "$dir/config.json" "$@"
fi

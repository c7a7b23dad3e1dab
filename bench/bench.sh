#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
#
# bench/bench.sh [-r husk,crun,runc,floor] [--no-strace] [N]   (N default 100)
#
# Per-container start-up latency of `run` of /bin/true: husk against crun, runc
# and the floor (../shared/bench/floor.c, `floor -f -c`, the least work a
# runtime must do for this bundle).  One bundle: `husk spec` with terminal
# off, args /bin/true and a cgroup namespace; busybox rootfs.  Everything runs
# in ONE private mount namespace without the cgroup2 mount at
# /sys/fs/cgroup/unified (crun 1.8 refuses hybrid hosts), N rounds,
# alternating the runtimes.  Prints the median wall time, min, peak RSS and
# syscall count (strace -f -c, one run) of each, and husk's paired ratios.
# As root.  HUSK=path overrides build/src/husk.
set -eu

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
src=$(cd "$here/.." && pwd)
out=$here/out
runtimes=husk,crun,runc,floor
strace=--strace
n=100
while [ $# -gt 0 ]; do
	case $1 in
	-r) runtimes=$2; shift 2 ;;
	-r*) runtimes=${1#-r}; shift ;;
	--no-strace) strace=; shift ;;
	-h | --help) sed -n '3,14p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
	*) n=$1; shift ;;
	esac
done
[ "$(id -u)" = 0 ] || { echo "bench: run as root" >&2; exit 1; }
PY=/usr/bin/python3
[ -x "$PY" ] || PY=python3
HUSK=${HUSK:-$src/build/src/husk}
mkdir -p "$out"

if [[ ,$runtimes, == *,husk,* ]] && [ ! -x "$HUSK" ]; then
	(cd "$src" && { [ -f build/build.ninja ] || meson setup build >/dev/null; } && ninja -C build >/dev/null)
fi
floor_src=$src/../shared/bench/floor.c
if [[ ,$runtimes, == *,floor,* ]]; then
	if [ ! -f "$floor_src" ]; then
		echo "bench: $floor_src not found: no floor" >&2
		runtimes=$(echo ",$runtimes," | sed 's/,floor,/,/; s/^,//; s/,$//')
	elif [ ! -x "$out/floor" ] || [ "$floor_src" -nt "$out/floor" ]; then
		cc -O2 -o "$out/floor" "$floor_src"
	fi
fi

b=$out/bundle
if [ ! -x "$b/rootfs/bin/busybox" ]; then
	RUNTIME=$HUSK "$src/tests/mkbundle.sh" --no-config "$b"
fi
rm -f "$b/config.json"
if [ -x "$HUSK" ]; then
	(cd "$b" && "$HUSK" spec)
	"$PY" "$src/tests/functional/cfg.py" edit "$b/config.json" 'p["terminal"] = False' \
		'args("/bin/true")' 'ns("cgroup")' \
		'c["ociVersion"] = "1.0.2"' # crun 1.8 refuses newer versions
else
	"$PY" "$src/tests/functional/cfg.py" new "$b/config.json" 'args("/bin/true")' 'ns("cgroup")' \
		'c["hostname"] = "husk"'
fi

state=/run/husk-bench-$$
cmds=()
IFS=, read -ra rts <<<"$runtimes"
for r in "${rts[@]}"; do
	case $r in
	husk) cmds+=("husk=$HUSK --root $state/husk run {id}") ;;
	crun | runc)
		if command -v "$r" >/dev/null; then
			cmds+=("$r=$(command -v "$r") --root $state/$r run {id}")
		else
			echo "bench: $r not installed, skipped" >&2
		fi
		;;
	floor) cmds+=("floor=$out/floor -f -c -r rootfs /bin/true") ;;
	*) echo "bench: unknown runtime $r" >&2; exit 2 ;;
	esac
done
[ ${#cmds[@]} -gt 0 ] || { echo "bench: nothing to run" >&2; exit 1; }
command -v strace >/dev/null || strace=

echo "bench: $(uname -r), $(nproc) CPUs; $(for r in "${rts[@]}"; do
	case $r in
	husk) "$HUSK" --version | head -n1 ;;
	crun | runc) command -v "$r" >/dev/null && "$r" --version | head -n1 ;;
	esac
done | tr '\n' ';' | sed 's/;$//; s/;/; /g')"
rc=0
unshare -m --propagation private sh -c '
	umount /sys/fs/cgroup/unified 2>/dev/null || true
	exec "$@"' sh "$PY" "$here/bench.py" "$n" "$b" "$state" "${cmds[@]}" $strace || rc=$?
rm -rf "$state"
exit $rc

#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
#
# bench/bench.sh [-r husk,crun,runc,floor] [--exec] [--no-strace] [N]   (N default 100)
#
# Per-container start-up latency of `run` of /bin/true: husk against crun, runc
# and the floor (../shared/bench/floor.c, `floor -f -c`, the least work a
# runtime must do for this bundle).  One bundle: `husk spec` with terminal
# off, args /bin/true and a cgroup namespace; busybox rootfs.  Everything runs
# in ONE private mount namespace without the cgroup2 mount at
# /sys/fs/cgroup/unified (crun 1.8 refuses hybrid hosts), N rounds,
# alternating the runtimes.  Prints the median wall time, min, peak RSS and
# syscall count (strace -f -c, one run) of each, and husk's paired ratios.
# --exec: `exec CONTAINER /bin/true` into a running container (one per
# runtime, made first) instead of `run`; the floor has no exec and is left out.
# As root.  HUSK=path overrides build/src/husk; HUSK_BASE=path adds a second
# husk ("husk-base", e.g. a build of an older commit) to the same run, so
# before/after figures are paired on one machine.
set -eu

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
src=$(cd "$here/.." && pwd)
out=$here/out
runtimes=husk,crun,runc,floor
strace=--strace
mode=run
n=100
while [ $# -gt 0 ]; do
	case $1 in
	-r) runtimes=$2; shift 2 ;;
	-r*) runtimes=${1#-r}; shift ;;
	--no-strace) strace=; shift ;;
	--exec) mode="exec"; shift ;;
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
if [ -n "${HUSK_BASE:-}" ]; then
	[ -x "$HUSK_BASE" ] || { echo "bench: HUSK_BASE=$HUSK_BASE is not executable" >&2; exit 1; }
	rts+=(husk-base)
fi
# verb NAME BIN: the command template of one runtime
verb() {
	if [ $mode = exec ]; then
		echo "$1=$2 --root $state/$1 exec bench-exec-$1 /bin/true"
	else
		echo "$1=$2 --root $state/$1 run {id}"
	fi
}
for r in "${rts[@]}"; do
	case $r in
	husk) cmds+=("$(verb husk "$HUSK")") ;;
	husk-base) cmds+=("$(verb husk-base "$HUSK_BASE")") ;;
	crun | runc)
		if command -v "$r" >/dev/null; then
			cmds+=("$(verb "$r" "$(command -v "$r")")")
		else
			echo "bench: $r not installed, skipped" >&2
		fi
		;;
	floor) [ $mode = exec ] || cmds+=("floor=$out/floor -f -c -r rootfs /bin/true") ;;
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
# --exec: one running container per runtime (sleep 3600), made and removed
# inside the same private mount namespace as the runs
if [ $mode = exec ]; then
	eb=$out/bundle-exec
	mkdir -p "$eb"
	cp "$b/config.json" "$eb/config.json"
	"$PY" "$src/tests/functional/cfg.py" edit "$eb/config.json" 'args("/bin/sleep", "3600")' \
		'c["root"]["path"] = "'"$b"'/rootfs"'
	execs=
	for c in "${cmds[@]}"; do
		bin=${c#*=}
		execs="$execs ${c%%=*}=${bin%% *}"
	done
	export BENCH_MODE=exec BENCH_EXEC="$execs" BENCH_STATE=$state BENCH_EB=$eb
fi
rc=0
unshare -m --propagation private sh -c '
	umount /sys/fs/cgroup/unified 2>/dev/null || true
	if [ "$BENCH_MODE" = exec ]; then
		for c in $BENCH_EXEC; do
			"${c#*=}" --root "$BENCH_STATE/${c%%=*}" run -d -b "$BENCH_EB" "bench-exec-${c%%=*}" </dev/null >/dev/null ||
				{ echo "bench: ${c%%=*}: run -d failed" >&2; exit 1; }
		done
	fi
	rc=0
	"$@" || rc=$?
	if [ "$BENCH_MODE" = exec ]; then
		for c in $BENCH_EXEC; do
			"${c#*=}" --root "$BENCH_STATE/${c%%=*}" delete -f "bench-exec-${c%%=*}" >/dev/null 2>&1
		done
	fi
	exit $rc' sh "$PY" "$here/bench.py" "$n" "$b" "$state" "${cmds[@]}" $strace || rc=$?
rm -rf "$state"
exit $rc

#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
#
# /init of the qemu lane's initramfs (see tests/qemu/README.md).  Runs on a
# pure cgroup v2 kernel (booted with cgroup_no_v1=all) under busybox sh:
#
#   stage 1 (pid 1 on the initramfs): copy everything onto a tmpfs and
#           switch_root there - pivot_root(2), which `husk run` uses, fails
#           with EINVAL when the caller's root is the initramfs itself;
#   stage 2: mount proc, sys, dev, cgroup2, tmpfs /tmp and /run, enable every
#           controller at the root, run each unit test executable listed in
#           /husk/tests.list, then the husk smoke checks, and power off.
#
# Output goes to the console (ttyS0) between "=== HUSK-QEMU BEGIN ===" and
# "=== HUSK-QEMU END ===".  Each program's output (TAP, stdout and stderr
# merged) is framed by "=== HUSK-QEMU TEST <name> ===" and
# "=== HUSK-QEMU RC <name> <exit status> ==="; tests/qemu/run.sh parses and
# renumbers it on the host.

PATH=/usr/sbin:/usr/bin:/sbin:/bin
export PATH

if [ "${1:-}" != stage2 ]; then
	mount -t proc proc /proc 2>/dev/null
	mkdir -p /newroot
	mount -t tmpfs -o mode=0755 newroot /newroot
	for f in /*; do
		case $f in
		/newroot | /proc | /sys | /dev) continue ;;
		esac
		cp -a "$f" /newroot/
	done
	mkdir -p /newroot/proc /newroot/sys /newroot/dev
	umount /proc
	exec switch_root /newroot /init stage2
	echo "husk-qemu: switch_root failed" >&2
	poweroff -f
fi

# ---- stage 2 ----
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
mkdir -p /dev/pts /dev/shm /dev/mqueue
mount -t devpts -o newinstance,ptmxmode=0666,mode=0620 devpts /dev/pts
mount -t tmpfs -o mode=1777 shm /dev/shm
mount -t mqueue mqueue /dev/mqueue 2>/dev/null
mount -t tmpfs -o mode=1777 tmpfs /tmp
mount -t tmpfs -o mode=0755 tmpfs /run
mount -t cgroup2 -o nsdelegate cgroup2 /sys/fs/cgroup
# keep kernel messages (OOM kills, ...) from splitting TAP lines
echo 1 >/proc/sys/kernel/printk
hostname husk-qemu
mount --make-rshared /

# lane settings written by run.sh: TEST_TIMEOUT, SMOKE_TIMEOUT
. /husk/lane.conf
# by path: busybox's applets (env, timeout) run their own applets before
# looking in PATH; GNU timeout when there (busybox's leaves its watcher
# process behind when the parent of the timed program is pid 1)
TIMEOUT=timeout
[ -x /usr/bin/timeout ] && [ ! -L /usr/bin/timeout ] && TIMEOUT=/usr/bin/timeout

echo
echo "=== HUSK-QEMU BEGIN ==="
echo "# kernel $(uname -r), $(nproc) cpus, $(sed -n 's/^MemTotal: *//p' /proc/meminfo) memory"
echo "# /proc/filesystems cgroup lines: $(grep cgroup /proc/filesystems | tr '\t\n' '  ')"
echo "# cgroup2 controllers: $(cat /sys/fs/cgroup/cgroup.controllers)"
for c in $(cat /sys/fs/cgroup/cgroup.controllers); do
	echo "+$c" >/sys/fs/cgroup/cgroup.subtree_control ||
		echo "# enabling +$c at the root failed"
done
echo "# root subtree_control: $(cat /sys/fs/cgroup/cgroup.subtree_control)"

# run_test NAME CGROUP TIMEOUT CMD...: run CMD in a fresh cwd, with CGROUP as
# its cgroup, killed after TIMEOUT seconds
run_test() {
	name=$1 cg=$2 limit=$3
	shift 3
	dir=/tmp/run-$name
	mkdir -p "$dir"
	echo "=== HUSK-QEMU TEST $name ==="
	t0=$(date +%s)
	(
		cd "$dir" || exit 1
		echo 0 >"/sys/fs/cgroup$cg/cgroup.procs" || exit 1
		exec env -i PATH="$PATH" HOME=/root TMPDIR=/tmp TERM=dumb \
			RUNTIME=/husk/bin/husk BUILD_DIR=/husk/build \
			PAYLOAD=/husk/build/tests/payload/payload \
			"$TIMEOUT" -s KILL "$limit" "$@"
	) </dev/null 2>&1
	rc=$?
	echo "# $name: $(($(date +%s) - t0)) s"
	echo "=== HUSK-QEMU RC $name $rc ==="
	rm -rf "$dir"
}

# a leaf cgroup with processes in it, like the session scope a user's shell
# runs in on a systemd host; its parent has no processes
mkdir -p /sys/fs/cgroup/husk-qemu-scope/runner
# unit tests from the root cgroup (as root on a container host)
while read -r t; do
	[ -n "$t" ] && run_test "$t" "" "$TEST_TIMEOUT" "/husk/unit/$t"
done </husk/tests.list
# the cgroup test again from the leaf cgroup
if grep -qx test-cgroup /husk/tests.list; then
	run_test test-cgroup@leaf /husk-qemu-scope/runner "$TEST_TIMEOUT" /husk/unit/test-cgroup
fi

# the husk smoke checks, from the leaf cgroup
if [ -x /husk/bin/husk ]; then
	run_test smoke /husk-qemu-scope/runner "$TEST_TIMEOUT" /bin/sh /husk/smoke.sh
else
	echo "=== HUSK-QEMU TEST smoke ==="
	echo "not ok 1 - no husk binary in the build dir (src/husk)"
	echo "1..1"
	echo "=== HUSK-QEMU RC smoke 1 ==="
fi

# the functional suites (tests/functional/*.sh), from the leaf cgroup
while read -r f; do
	[ -n "$f" ] && run_test "functional-$f" /husk-qemu-scope/runner "$FUNCTIONAL_TIMEOUT" \
		/bin/bash "/husk/src/tests/functional/$f.sh"
done </husk/functional.list

# nothing may be left: every test cleans up its cgroups
echo 0 >/sys/fs/cgroup/cgroup.procs
i=0 # let exiting processes go
while [ -s /sys/fs/cgroup/husk-qemu-scope/runner/cgroup.procs ] && [ $i -lt 30 ]; do
	sleep 0.2
	i=$((i + 1))
done
rmdir /sys/fs/cgroup/husk-qemu-scope/runner /sys/fs/cgroup/husk-qemu-scope
left=$(cd /sys/fs/cgroup && find . -mindepth 1 -type d | tr '\n' ' ')
echo "=== HUSK-QEMU TEST cleanup ==="
if [ -z "$left" ]; then
	echo "ok 1 - no cgroups left behind"
else
	echo "not ok 1 - no cgroups left behind"
	echo "# left: $left"
	for p in $(cat $(find /sys/fs/cgroup -mindepth 2 -name cgroup.procs) 2>/dev/null); do
		echo "# process $p ($(cat /proc/$p/cmdline 2>/dev/null | tr '\0' ' ')) in $(cat /proc/$p/cgroup)," \
			"$(grep -E '^(Name|State|PPid|NSpid|SigBlk|SigIgn)' /proc/$p/status | tr '\t\n' '  ')"
	done
fi
echo "1..1"
echo "=== HUSK-QEMU RC cleanup 0 ==="
echo "=== HUSK-QEMU END ==="
sync
poweroff -f

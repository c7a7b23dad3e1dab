#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
#
# husk smoke checks on a pure cgroup v2 kernel, run by tests/qemu/init.sh
# inside the VM (busybox sh) from a leaf cgroup (/husk-qemu-scope/runner, the
# way a shell sits in a session scope on a systemd host).  The bundles under
# /husk/b/ were made on the host by tests/qemu/run.sh; they share one busybox
# rootfs.  Prints TAP.
set -u
. /husk/lane.conf
TIMEOUT=timeout
[ -x /usr/bin/timeout ] && [ ! -L /usr/bin/timeout ] && TIMEOUT=/usr/bin/timeout
H=/husk/bin/husk
R=/run/husk
CG=/sys/fs/cgroup
T=$(mktemp -d /tmp/smoke.XXXXXX)
n=0
failed=0

ok() { n=$((n + 1)); echo "ok $n - $1"; }
not_ok() {
	n=$((n + 1))
	failed=$((failed + 1))
	echo "not ok $n - $1"
	shift
	for l in "$@"; do echo "# $l"; done
}
skip() { n=$((n + 1)); echo "ok $n - $1 # SKIP $2"; }
# check DESCRIPTION COND [DIAG...]: COND is a shell expression for `eval`
check() {
	_desc=$1 _cond=$2
	shift 2
	if eval "$_cond"; then ok "$_desc"; else not_ok "$_desc" "failed: $_cond" "$@"; fi
}
# husk ARGS...: run husk with a timeout, output in $T/out and $T/err, status in $rc
husk() {
	$TIMEOUT -s KILL "$SMOKE_TIMEOUT" $H --root $R "$@" >"$T/out" 2>"$T/err" </dev/null
	rc=$?
}
out() { tr '\n' ' ' <"$T/out" | cut -c1-300; }
err() { tr '\n' ' ' <"$T/err" | cut -c1-300; }
# has FILE STRING: FILE holds a line equal to STRING
has() { grep -qxF -- "$2" "$1"; }
# state_field ID FIELD: "pid"/"status" of `husk state ID`
state_field() {
	$H --root $R state "$1" 2>/dev/null | tr -d '\n' |
		sed -n "s/.*\"$2\" *: *\"\\{0,1\\}\\([^\",}]*\\).*/\\1/p"
}
# wait_status ID STATUS: poll `husk state` up to ~10 s
wait_status() {
	i=0
	while [ $i -lt 50 ]; do
		[ "$(state_field "$1" status)" = "$2" ] && return 0
		sleep 0.2
		i=$((i + 1))
	done
	return 1
}
gone() { [ ! -e "$1" ]; }
cleanup() {
	for id in $($H --root $R list -q 2>/dev/null); do
		$H --root $R delete --force "$id" >/dev/null 2>&1
	done
	rm -rf "$T"
}
trap cleanup EXIT

echo "# husk: $($H --version 2>&1 | tr '\n' ' ')"
for b in /husk/b/*/; do
	mountpoint -q "$b/rootfs" || mount --bind /husk/rootfs "$b/rootfs" ||
		echo "# bind-mounting the rootfs on $b/rootfs failed"
done
echo "# smoke runs in cgroup $(cat /proc/self/cgroup)"
husk_parent=0
[ -d $CG/husk ] && husk_parent=1

# 1. run prints and exits 0
husk run -b /husk/b/hello smoke-hello
check "run: busybox echo in a container, exit 0" \
	'[ $rc -eq 0 ] && has $T/out husk-qemu-hello' "rc=$rc out: $(out)" "err: $(err)"
check "run: state and cgroup gone after run" \
	'! $H --root $R state smoke-hello >/dev/null 2>&1 && gone $CG/husk-qemu/hello' \
	"left: $(ls -d $CG/husk-qemu/hello $R/smoke-hello 2>&1 | tr '\n' ' ')"

# 2. resources read back from inside the container
husk run -b /husk/b/limits smoke-limits
check "run with linux.resources: exit 0" '[ $rc -eq 0 ]' "rc=$rc out: $(out)" "err: $(err)"
for kv in memory.max=67108864 memory.high=50331648 memory.swap.max=33554432 \
	pids.max=32 "cpu.max=50000 100000" cpuset.cpus=0 memory.low=16777216; do
	check "resources: ${kv%%=*} read from inside the container is ${kv#*=}" \
		'has $T/out "$kv"' "out: $(out)" "err: $(err)"
done
check "resources: cpu.weight from cpu.shares 2048 is not the default 100" \
	'grep -q "^cpu.weight=" $T/out && ! has $T/out cpu.weight=100' "out: $(out)"
check "cgroup namespace: the container sees its cgroup as /" \
	'grep -q "^cgroup=/ dir=/sys/fs/cgroup/*$" $T/out' "out: $(out)"
check "the container's cgroup offers cpu, memory and pids to nested use" \
	'grep "^controllers=" $T/out | grep -w cpu | grep -w memory | grep -qw pids' "out: $(out)"
check "/sys/fs/cgroup is read-only inside (spec option ro)" 'has $T/out cgroupfs-ro' "out: $(out)"
check "resources: the cgroup is gone after run" 'gone $CG/husk-qemu/limits' \
	"$(ls $CG/husk-qemu 2>&1 | tr '\n' ' ')"

# 3. create/start/exec/pause/resume/update/kill/delete on one container
husk create -b /husk/b/sleeper smoke-sleeper
check "create: exit 0" '[ $rc -eq 0 ]' "rc=$rc err: $(err)"
pid=$(state_field smoke-sleeper pid)
d=$CG/husk-qemu/sleeper
check "create: the init is in the cgroup from linux.cgroupsPath" \
	'[ -n "$pid" ] && grep -qx "$pid" $d/cgroup.procs' \
	"pid=$pid procs: $(cat $d/cgroup.procs 2>&1 | tr '\n' ' ') /proc/pid/cgroup: $(cat /proc/$pid/cgroup 2>&1)"
check "create: memory.max and pids.max set before start" \
	'[ "$(cat $d/memory.max 2>&1)" = 67108864 ] && [ "$(cat $d/pids.max 2>&1)" = 32 ]' \
	"memory.max=$(cat $d/memory.max 2>&1) pids.max=$(cat $d/pids.max 2>&1)"
husk start smoke-sleeper
check "start: exit 0, status running" '[ $rc -eq 0 ] && wait_status smoke-sleeper running' \
	"rc=$rc err: $(err) status=$(state_field smoke-sleeper status)"
husk exec smoke-sleeper sh -c 'cat /proc/self/cgroup; cat /proc/1/cgroup'
check "exec: joins the init's cgroup" \
	'[ $rc -eq 0 ] && [ $(sort -u $T/out | wc -l) -eq 1 ]' "rc=$rc out: $(out)" "err: $(err)"
husk ps --format json smoke-sleeper
check "ps --format json: lists the init's pid" '[ $rc -eq 0 ] && grep -qw "$pid" $T/out' \
	"rc=$rc pid=$pid out: $(out)" "err: $(err)"
husk pause smoke-sleeper
check "pause: cgroup.freeze is 1, status paused" \
	'[ $rc -eq 0 ] && [ "$(cat $d/cgroup.freeze 2>&1)" = 1 ] && wait_status smoke-sleeper paused' \
	"rc=$rc err: $(err) freeze=$(cat $d/cgroup.freeze 2>&1) status=$(state_field smoke-sleeper status)"
check "pause: cgroup.events says frozen 1" 'grep -qx "frozen 1" $d/cgroup.events' \
	"$(tr '\n' ' ' <$d/cgroup.events 2>&1)"
husk resume smoke-sleeper
check "resume: cgroup.freeze is 0, status running" \
	'[ $rc -eq 0 ] && [ "$(cat $d/cgroup.freeze 2>&1)" = 0 ] && wait_status smoke-sleeper running' \
	"rc=$rc err: $(err) freeze=$(cat $d/cgroup.freeze 2>&1) status=$(state_field smoke-sleeper status)"
husk update --memory 134217728 --pids-limit 64 --cpu-quota 20000 --cpu-period 100000 smoke-sleeper
check "update: memory.max, pids.max, cpu.max changed" \
	'[ $rc -eq 0 ] && [ "$(cat $d/memory.max)" = 134217728 ] && [ "$(cat $d/pids.max)" = 64 ] && [ "$(cat $d/cpu.max)" = "20000 100000" ]' \
	"rc=$rc err: $(err) memory.max=$(cat $d/memory.max 2>&1) pids.max=$(cat $d/pids.max 2>&1) cpu.max=$(cat $d/cpu.max 2>&1)"
husk kill smoke-sleeper KILL
check "kill KILL: status stopped" '[ $rc -eq 0 ] && wait_status smoke-sleeper stopped' \
	"rc=$rc err: $(err) status=$(state_field smoke-sleeper status)"
husk delete smoke-sleeper
check "delete: exit 0, no cgroup and no state left" \
	'[ $rc -eq 0 ] && gone $d && gone $R/smoke-sleeper' \
	"rc=$rc err: $(err) left: $(ls -d $d $R/smoke-sleeper 2>&1 | tr '\n' ' ')"

# 4. delete --force of a running container with extra processes in its cgroup
husk run -d -b /husk/b/sleeper smoke-force
check "run -d: exit 0" '[ $rc -eq 0 ] && wait_status smoke-force running' "rc=$rc err: $(err)"
husk exec -d smoke-force sleep 1000
husk delete --force smoke-force
check "delete --force of a running container: no cgroup and no state left" \
	'[ $rc -eq 0 ] && gone $d && gone $R/smoke-force' \
	"rc=$rc err: $(err) left: $(ls -d $d $R/smoke-force 2>&1 | tr '\n' ' ')"

# 5. kill --all reaches every process of the cgroup
husk run -d -b /husk/b/sleeper smoke-all
husk exec -d smoke-all sleep 1000
sleep 0.5
procs=$(wc -l <$d/cgroup.procs 2>/dev/null)
husk kill --all smoke-all KILL
i=0
while [ $i -lt 50 ] && [ -s $d/cgroup.procs ]; do
	sleep 0.2
	i=$((i + 1))
done
check "kill --all: the cgroup's $procs processes are gone" \
	'[ $rc -eq 0 ] && [ "${procs:-0}" -ge 2 ] && [ ! -s $d/cgroup.procs ]' \
	"rc=$rc err: $(err) procs before=$procs after=$(tr '\n' ' ' <$d/cgroup.procs 2>&1)"
husk delete --force smoke-all

# 6. the device controller (an eBPF program on cgroup2)
husk run -b /husk/b/devices smoke-devices
check "devices: run exit 0" '[ $rc -eq 0 ]' "rc=$rc out: $(out)" "err: $(err)"
check "devices: allowed char device 1:3 can be created and written" \
	'has $T/out null-write-ok' "out: $(out)"
check "devices: write to a device node outside the rules (1:11) is denied" \
	'has $T/out kmsg-write-denied' "out: $(out)"
check "devices: /dev/null, /dev/zero, /dev/urandom usable" 'has $T/out std-devices-ok' "out: $(out)"

# 7. limits enforced: pids and memory
husk run -b /husk/b/pids smoke-pids
check "pids.max 10 enforced (fork fails, pids.current <= 10)" \
	'[ $rc -eq 0 ] && grep -q "^forks-failed=[1-9]" $T/out && grep -q "^pids-ok" $T/out' \
	"rc=$rc out: $(out)" "err: $(err)"
husk run -b /husk/b/oom smoke-oom
check "memory.max 32M enforced: the init is OOM-killed, run exits 137" '[ $rc -eq 137 ]' \
	"rc=$rc out: $(out)" "err: $(err)"
check "oom: the cgroup is gone after run" 'gone $CG/husk-qemu/oom' "$(ls $CG/husk-qemu 2>&1 | tr '\n' ' ')"

# 8. relative and default cgroupsPath from a leaf cgroup (runc puts them under
# the parent of its own cgroup: the caller's cgroup has processes, so the
# no-internal-process rule forbids enabling controllers below it)
for b in relative default; do
	husk create -b /husk/b/$b smoke-$b
	pid=$(state_field smoke-$b pid)
	[ -n "$pid" ] || pid=none
	check "create with a $b cgroupsPath from a leaf cgroup: exit 0" '[ $rc -eq 0 ]' \
		"rc=$rc err: $(err)"
	if [ $rc -ne 0 ]; then
		skip "$b cgroupsPath: memory.max applied" "create failed"
		skip "$b cgroupsPath: delete --force leaves no cgroup" "create failed"
		husk delete --force smoke-$b
		continue
	fi
	echo "# $b cgroupsPath: the init is in $(cat /proc/$pid/cgroup 2>&1)"
	check "$b cgroupsPath: memory.max 67108864 applied" \
		'[ -e /proc/$pid ] && [ "$(cat $CG$(sed -n "s/^0:://p" /proc/$pid/cgroup)/memory.max 2>&1)" = 67108864 ]' \
		"cgroup $(cat /proc/$pid/cgroup 2>&1)"
	cgdir=$CG$(sed -n "s/^0:://p" /proc/$pid/cgroup 2>/dev/null)
	husk delete --force smoke-$b
	check "$b cgroupsPath: delete --force leaves no cgroup" \
		'[ $rc -eq 0 ] && [ "$cgdir" != $CG ] && gone $cgdir' "rc=$rc err: $(err) dir=$cgdir"
done

# 9. a failed create leaves no cgroup (a bad rlimit is caught in the child)
husk run -b /husk/b/badcreate smoke-bad
check "failed create: exit non-zero, no cgroup and no state left" \
	'[ $rc -ne 0 ] && gone $CG/husk-qemu/bad && gone $R/smoke-bad' \
	"rc=$rc err: $(err) left: $(ls -d $CG/husk-qemu/bad $R/smoke-bad 2>&1 | tr '\n' ' ')"

rmdir $CG/husk-qemu 2>/dev/null
# the parent of husk's default cgroup path (/husk/<id>) stays, like runc's
# parents do; remove it if this script made it
if [ $husk_parent = 0 ] && [ -d $CG/husk ]; then
	echo "# $CG/husk (parent of the default cgroupsPath) left by husk: removing it"
	rmdir $CG/husk
fi
echo "1..$n"
[ $failed -eq 0 ]

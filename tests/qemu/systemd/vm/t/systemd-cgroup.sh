#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# husk --systemd-cgroup on the booted systemd machine (pure v2): the
# container's cgroup is a transient scope made over D-Bus.  run, and
# create/start/exec/pause/resume/update/kill/delete with `systemctl show`
# reading the scope's properties back and the cgroup files agreeing; a nested
# slice; the org.systemd.property.* annotations; a bad cgroupsPath; no unit,
# scope or cgroup left.  The start-up time against cgroupfs is printed.
# rc and the variables that check conditions name are set by tap.sh or used in eval
# shellcheck disable=SC2034,SC2154
. /husk/tap.sh
B=/husk/b
hk() { x "$H" --root "$R" --systemd-cgroup "$@"; }
# prop UNIT NAME: the unit's property as systemctl show prints it
prop() { systemctl show -P "$2" "$1" 2>/dev/null; }
# gone UNIT: systemd has no such unit loaded
gone() { [ "$(prop "$1" LoadState)" = not-found ] && [ "$(prop "$1" ActiveState)" = inactive ]; }
# mkcfg SRC DST CGPATH RESOURCES [ANNOTATIONS]: a bundle DST with SRC's rootfs
# with linux.cgroupsPath and more linux.resources keys (JSON text, ending in ,)
mkcfg() {
	mkdir -p "$2"
	sed -e "s|^    \"path\": \"rootfs\"|    \"path\": \"$1/rootfs\"|" \
		-e "s|^  \"linux\": {|  \"linux\": {\"cgroupsPath\": \"$3\",|" \
		-e "s|^    \"resources\": {|    \"resources\": {$4|" \
		-e "s|^  \"ociVersion\": \"\\([^\"]*\\)\",|  \"ociVersion\": \"\\1\", \"annotations\": {${5:-}},|" \
		"$1/config.json" >"$2/config.json"
}
ms() { echo $(($(date +%s%N) / 1000000)); }

echo "# $($H --version 2>&1 | head -n 1)"
check "husk features: linux.cgroup.systemd is true" 'feature systemd' "$($H features 2>&1 | grep -i systemd)"

# run: the default cgroupsPath is runc's, :husk:<id> (system.slice/husk-<id>.scope)
hk run -b $B/hello sd-run
check "husk --systemd-cgroup run: exit 0, the output" \
	'[ $rc = 0 ] && grep -qx husk-systemd-hello $T/out' "rc=$rc out: $(out)" "err: $(err)"
check "after run: no husk-sd-run.scope unit, no cgroup" \
	'gone husk-sd-run.scope && [ ! -e /sys/fs/cgroup/system.slice/husk-sd-run.scope ]' \
	"LoadState=$(prop husk-sd-run.scope LoadState) ActiveState=$(prop husk-sd-run.scope ActiveState)"
hk run -b $B/exit3 sd-exit3
check "husk --systemd-cgroup run: the container's exit status 3" '[ $rc = 3 ]' "rc=$rc err: $(err)"

# the lifecycle in a nested slice, with limits and annotations
U=husk-sd-life.scope
CGP=/husk.slice/husk-test.slice/husk-test-nested.slice/$U
mkcfg $B/sleep "$T/life" "husk-test-nested.slice:husk:sd-life" \
	'"memory": {"limit": 67108864, "swap": 100663296}, "cpu": {"shares": 512, "quota": 50000, "period": 100000, "cpus": "0"}, "pids": {"limit": 64}, "blockIO": {"weight": 500},' \
	"\"org.systemd.property.CollectMode\": \"'inactive-or-failed'\", \"org.systemd.property.TimeoutStopSec\": \"uint64 7\""
hk create -b "$T/life" sd-life
check "husk --systemd-cgroup create" '[ $rc = 0 ] && [ "$(state_field sd-life status)" = created ]' \
	"rc=$rc err: $(err)" "state: $(state_field sd-life status)"
pid=$(state_field sd-life pid)
cg=$(sed -n 's/^0:://p' "/proc/$pid/cgroup" 2>/dev/null)
D=/sys/fs/cgroup$CGP
check "the init is in the scope of the nested slice: $CGP" '[ "$cg" = "$CGP" ]' "cgroup: $cg"
check "the scope is active, delegated, in husk-test-nested.slice" \
	'[ "$(prop $U ActiveState)" = active ] && [ "$(prop $U Delegate)" = yes ] && [ "$(prop $U Slice)" = husk-test-nested.slice ]' \
	"ActiveState=$(prop $U ActiveState) Delegate=$(prop $U Delegate) Slice=$(prop $U Slice)"
check "MemoryMax=64M, memory.max agrees" \
	'[ "$(prop $U MemoryMax)" = 67108864 ] && [ "$(cat $D/memory.max)" = 67108864 ]' \
	"MemoryMax=$(prop $U MemoryMax) memory.max=$(cat $D/memory.max 2>&1)"
check "MemorySwapMax=32M (swap minus memory, as runc), memory.swap.max agrees" \
	'[ "$(prop $U MemorySwapMax)" = 33554432 ] && [ "$(cat $D/memory.swap.max)" = 33554432 ]' \
	"MemorySwapMax=$(prop $U MemorySwapMax) memory.swap.max=$(cat $D/memory.swap.max 2>&1)"
check "CPUWeight=20 (shares 512 as runc converts), cpu.weight agrees" \
	'[ "$(prop $U CPUWeight)" = 20 ] && [ "$(cat $D/cpu.weight)" = 20 ]' \
	"CPUWeight=$(prop $U CPUWeight) cpu.weight=$(cat $D/cpu.weight 2>&1)"
check "CPUQuotaPerSecUSec=500ms, CPUQuotaPeriodUSec=100ms, cpu.max agrees" \
	'[ "$(prop $U CPUQuotaPerSecUSec)" = 500ms ] && [ "$(prop $U CPUQuotaPeriodUSec)" = 100ms ] && [ "$(cat $D/cpu.max)" = "50000 100000" ]' \
	"CPUQuotaPerSecUSec=$(prop $U CPUQuotaPerSecUSec) CPUQuotaPeriodUSec=$(prop $U CPUQuotaPeriodUSec) cpu.max=$(cat $D/cpu.max 2>&1)"
check "AllowedCPUs=0, cpuset.cpus agrees" \
	'[ "$(prop $U AllowedCPUs)" = 0 ] && [ "$(cat $D/cpuset.cpus)" = 0 ]' \
	"AllowedCPUs=$(prop $U AllowedCPUs) cpuset.cpus=$(cat $D/cpuset.cpus 2>&1)"
check "TasksMax=64, pids.max agrees" \
	'[ "$(prop $U TasksMax)" = 64 ] && [ "$(cat $D/pids.max)" = 64 ]' \
	"TasksMax=$(prop $U TasksMax) pids.max=$(cat $D/pids.max 2>&1)"
check "IOWeight=4950 (blkio weight 500 as runc converts it for io.weight), io.weight agrees" \
	'[ "$(prop $U IOWeight)" = 4950 ] && [ "$(cat $D/io.weight)" = "default 4950" ]' "IOWeight=$(prop $U IOWeight) io.weight=$(cat $D/io.weight 2>&1)"
check "annotations: CollectMode=inactive-or-failed, TimeoutStopSec 7 -> TimeoutStopUSec=7s" \
	'[ "$(prop $U CollectMode)" = inactive-or-failed ] && [ "$(prop $U TimeoutStopUSec)" = 7s ]' \
	"CollectMode=$(prop $U CollectMode) TimeoutStopUSec=$(prop $U TimeoutStopUSec)"
# runc 1.1.5 (in the image) with the same config: the same unit properties
RP="MemoryMax MemoryLow MemorySwapMax CPUWeight CPUQuotaPerSecUSec CPUQuotaPeriodUSec AllowedCPUs TasksMax Delegate CollectMode TimeoutStopUSec"
if command -v runc >/dev/null 2>&1; then
	mkcfg $B/sleep "$T/rlife" "husk-test-nested.slice:runc:sd-life" \
		'"memory": {"limit": 67108864, "swap": 100663296}, "cpu": {"shares": 512, "quota": 50000, "period": 100000, "cpus": "0"}, "pids": {"limit": 64}, "blockIO": {"weight": 500},' \
		"\"org.systemd.property.CollectMode\": \"'inactive-or-failed'\", \"org.systemd.property.TimeoutStopSec\": \"uint64 7\""
	x runc --root /run/runc-sd-test --systemd-cgroup create -b "$T/rlife" sd-life-runc
	hv='' rv=''
	for p in $RP; do
		hv="$hv $p=$(prop $U "$p")"
		rv="$rv $p=$(prop runc-sd-life.scope "$p")"
	done
	check "runc 1.1.5 --systemd-cgroup gives its scope the same properties" '[ $rc = 0 ] && [ "$hv" = "$rv" ]' \
		"rc=$rc err: $(err)" "husk:$hv" "runc:$rv"
	runc --root /run/runc-sd-test delete -f sd-life-runc >/dev/null 2>&1
	rm -rf /run/runc-sd-test
else
	skip "runc 1.1.5 --systemd-cgroup gives its scope the same properties" "no runc in the image"
fi
hk start sd-life
check "husk start: running" '[ $rc = 0 ] && wait_status sd-life running' "rc=$rc err: $(err)"
hk exec sd-life sh -c 'cat /proc/self/cgroup'
check "husk exec: the process joins the scope's cgroup" '[ $rc = 0 ] && grep -q "^0::" $T/out' \
	"rc=$rc out: $(out) err: $(err)"
hk ps sd-life
check "husk ps lists the container's process" '[ $rc = 0 ] && grep -q sleep $T/out' "rc=$rc out: $(out) err: $(err)"
hk pause sd-life
check "husk pause: paused, cgroup.freeze 1" \
	'[ $rc = 0 ] && [ "$(state_field sd-life status)" = paused ] && [ "$(cat $D/cgroup.freeze)" = 1 ]' \
	"rc=$rc err: $(err) status=$(state_field sd-life status)"
hk resume sd-life
check "husk resume: running, cgroup.freeze 0" \
	'[ $rc = 0 ] && [ "$(state_field sd-life status)" = running ] && [ "$(cat $D/cgroup.freeze)" = 0 ]' \
	"rc=$rc err: $(err) status=$(state_field sd-life status)"
hk update --memory 134217728 --pids-limit 100 --cpu-share 1024 sd-life
check "husk update: MemoryMax, TasksMax, CPUWeight set on the unit and in the files" \
	'[ $rc = 0 ] && [ "$(prop $U MemoryMax)" = 134217728 ] && [ "$(cat $D/memory.max)" = 134217728 ] && [ "$(prop $U TasksMax)" = 100 ] && [ "$(cat $D/pids.max)" = 100 ] && [ "$(prop $U CPUWeight)" = 39 ] && [ "$(cat $D/cpu.weight)" = 39 ]' \
	"rc=$rc err: $(err)" "MemoryMax=$(prop $U MemoryMax) memory.max=$(cat $D/memory.max 2>&1) TasksMax=$(prop $U TasksMax) pids.max=$(cat $D/pids.max 2>&1) CPUWeight=$(prop $U CPUWeight) cpu.weight=$(cat $D/cpu.weight 2>&1)"
hk kill sd-life KILL
check "husk kill: stopped" '[ $rc = 0 ] && wait_status sd-life stopped' "rc=$rc err: $(err)"
hk delete sd-life
check "husk delete: the unit and its cgroup are gone" \
	'[ $rc = 0 ] && gone $U && [ ! -e "$D" ]' "rc=$rc err: $(err)" \
	"LoadState=$(prop $U LoadState) ActiveState=$(prop $U ActiveState) cgroup exists: $([ -e "$D" ] && echo yes || echo no)"

# delete --force of a running container: the unit goes too
hk run -d -b $B/sleep sd-force
check "husk --systemd-cgroup run -d" '[ $rc = 0 ] && [ "$(prop husk-sd-force.scope ActiveState)" = active ]' \
	"rc=$rc err: $(err)"
hk delete --force sd-force
check "husk delete --force: the unit and its cgroup are gone" \
	'[ $rc = 0 ] && gone husk-sd-force.scope && [ ! -e /sys/fs/cgroup/system.slice/husk-sd-force.scope ]' \
	"rc=$rc err: $(err) ActiveState=$(prop husk-sd-force.scope ActiveState)"

# refused before anything exists, naming the field
mkcfg $B/hello "$T/bad" "a--b.slice:husk:sd-bad" ''
hk run -b "$T/bad" sd-bad
check "a bad slice is refused with the JSON path, nothing left" \
	'[ $rc = 1 ] && grep -q "config.json: linux.cgroupsPath: .a--b.slice:husk:sd-bad.: invalid slice name" $T/err && [ -z "$($H --root $R list -q)" ] && gone husk-sd-bad.scope' \
	"rc=$rc err: $(err)"
mkcfg $B/hello "$T/bad2" "system.slice:husk:sd-bad2" '' "\"org.systemd.property.lower\": \"true\""
hk run -b "$T/bad2" sd-bad2
check "a bad org.systemd.property name is refused, nothing left" \
	'[ $rc = 1 ] && grep -q "config.json: annotations.org.systemd.property.lower: " $T/err && [ -z "$($H --root $R list -q)" ] && gone husk-sd-bad2.scope' \
	"rc=$rc err: $(err)"

# the slices husk asked for stay (systemd keeps them, as with runc): stop them
systemctl stop husk.slice >/dev/null 2>&1
check "no husk scope or cgroup left" \
	'[ -z "$(systemctl list-units --all --plain --no-legend --type=scope,slice "husk*" 2>/dev/null)" ] && [ -z "$(find /sys/fs/cgroup -name "husk*" ! -name husk.mount)" ]' \
	"units: $(systemctl list-units --all --plain --no-legend --type=scope,slice 'husk*' | tr '\n' ' ')" \
	"cgroups: $(find /sys/fs/cgroup -name 'husk*' ! -name husk.mount | tr '\n' ' ')"

# start-up: run of `echo` with each driver, 5 times (ms per run)
for drv in cgroupfs systemd; do
	flag=
	[ $drv = systemd ] && flag=--systemd-cgroup
	t0=$(ms)
	for i in 1 2 3 4 5; do
		"$H" --root "$R" $flag run -b $B/hello "sd-time-$i" >/dev/null 2>&1
	done
	echo "# start-up: husk run of echo, $drv driver: $((($(ms) - t0) / 5)) ms per run (5 runs)"
done
for id in $("$H" --root "$R" list -q 2>/dev/null); do
	"$H" --root "$R" delete --force "$id" >/dev/null 2>&1
done
finish

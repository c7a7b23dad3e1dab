#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# cgroups: placement at cgroupsPath in every v1 hierarchy, resources,
# update, removal (podman and containerd read the cgroup files themselves)
. "$(dirname "$0")/lib.sh"

cgf() { echo "/sys/fs/cgroup/$1/husk-test/$CGNAME/$2"; }
v1() { [ -f /sys/fs/cgroup/memory/memory.limit_in_bytes ] || skip "no cgroup v1 memory hierarchy"; }

test_placement() {
	set_args /payload sleep 60
	rt create --bundle "$B" "$ID"
	pid=$(pid_of "$ID")
	for h in /sys/fs/cgroup/*/; do
		h=$(basename "$h")
		[ "$h" = unified ] && continue
		grep -qx "$pid" "$(cgf "$h" cgroup.procs)" 2>/dev/null ||
			grep -qx "$pid" "$(cgf "$h" tasks)" 2>/dev/null ||
			die "init $pid not in $(cgf "$h" cgroup.procs)"
	done
	rt delete --force "$ID"
	[ -z "$(cgroup_dirs "$CGNAME")" ] || die "cgroups left: $(cgroup_dirs "$CGNAME")"
}

test_resources() {
	v1
	cfg 'l["resources"]["memory"] = {"limit": 67108864}' 'l["resources"]["pids"] = {"limit": 42}' \
		'l["resources"]["cpu"] = {"shares": 512, "quota": 50000, "period": 100000}'
	set_args /payload sleep 60
	rt create --bundle "$B" "$ID"
	m=$(cat "$(cgf memory memory.limit_in_bytes)")
	p=$(cat "$(cgf pids pids.max)")
	s=$(cat "$(cgf cpu cpu.shares)")
	q=$(cat "$(cgf cpu cpu.cfs_quota_us)")
	rt delete --force "$ID"
	assert_eq "$m" 67108864 memory.limit_in_bytes
	assert_eq "$p" 42 pids.max
	assert_eq "$s" 512 cpu.shares
	assert_eq "$q" 50000 cpu.cfs_quota_us
}

test_pids_limit_enforced() {
	v1
	cfg 'l["resources"]["pids"] = {"limit": 3}'
	set_args sh -c 'for i in 1 2 3 4 5; do /payload sleep 1 & done; echo forked; wait'
	rtc run --bundle "$B" "$ID"
	assert_rc_not0 "5 children under pids.max 3"
	assert_err_has "Resource temporarily unavailable"
	assert_out_lacks forked
}

test_update() {
	v1
	set_args /payload sleep 60
	rt run -d --bundle "$B" "$ID"
	echo '{"memory": {"limit": 33554432}, "pids": {"limit": 99}}' >"$TT/r.json"
	rtc update --resources "$TT/r.json" "$ID"
	assert_rc 0 "update --resources"
	assert_eq "$(cat "$(cgf memory memory.limit_in_bytes)")" 33554432 "memory limit after update"
	assert_eq "$(cat "$(cgf pids pids.max)")" 99 "pids.max after update"
	rtc update --pids-limit 77 "$ID"
	assert_rc 0 "update --pids-limit"
	assert_eq "$(cat "$(cgf pids pids.max)")" 77 "pids.max after update --pids-limit"
	rt delete --force "$ID"
}

test_relative_cgroups_path() {
	# relative: under the runtime's own cgroup (runc's rule)
	cfg "c['linux']['cgroupsPath'] = 'husk-test/$CGNAME'"
	set_args /payload sleep 60
	rt create --bundle "$B" "$ID"
	pid=$(pid_of "$ID")
	own=$(sed -n 's/^[0-9]*:pids:\(.*\)/\1/p' /proc/self/cgroup)
	got=$(sed -n 's/^[0-9]*:pids:\(.*\)/\1/p' "/proc/$pid/cgroup")
	rt delete --force "$ID"
	assert_eq "$got" "${own%/}/husk-test/$CGNAME" "cgroup of the init"
	for d in /sys/fs/cgroup/*"${own%/}/husk-test"; do
		rmdir "$d" 2>/dev/null || true
	done
}

test_no_cgroups_path() {
	# no cgroupsPath: the runtime picks one, and removes it on delete
	cfg 'c["linux"].pop("cgroupsPath")'
	set_args /payload sleep 60
	rt create --bundle "$B" "$ID"
	pid=$(pid_of "$ID")
	cg=$(sed -n 's/^[0-9]*:memory:\(.*\)/\1/p' "/proc/$pid/cgroup")
	rt delete --force "$ID"
	[ "$cg" != / ] || die "init left in the root cgroup"
	[ ! -d "/sys/fs/cgroup/memory$cg" ] || die "cgroup $cg left"
}

test_cgroup_mount() {
	# /sys/fs/cgroup in the container shows the container's own cgroups
	set_args /payload cat /sys/fs/cgroup/pids/pids.max ls /sys/fs/cgroup
	cfg 'l["resources"]["pids"] = {"limit": 55}' 'ns("cgroup")'
	rtc run --bundle "$B" "$ID"
	assert_rc 0
	assert_out_line 55
	assert_out_line "ls: memory"
}

t "placement at cgroupsPath in every hierarchy" test_placement
t "memory, pids and cpu resources" test_resources
t "pids limit is enforced" test_pids_limit_enforced
t "update" test_update
t "relative cgroupsPath" test_relative_cgroups_path
t "no cgroupsPath" test_no_cgroups_path
t "/sys/fs/cgroup inside shows the container's cgroups" test_cgroup_mount
finish

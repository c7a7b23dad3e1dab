#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# namespaces: new ones, host ones, joined by path, user (mappings), time (offsets)
. "$(dirname "$0")/lib.sh"

host_ns() { stat -L -c %i "/proc/self/ns/$1"; }
ct_ns() { sed -n "s/^ns: $1 //p" "$OUT"; }

test_new_namespaces() {
	cfg 'ns("cgroup")'
	runp ns pid
	assert_out_line "pid: 1 ppid: 0"
	for n in pid ipc mnt net uts cgroup; do
		[ "$(ct_ns $n)" != "$(host_ns $n)" ] || die "$n namespace is the host's"
	done
	for n in user time; do
		assert_eq "$(ct_ns $n)" "$(host_ns $n)" "$n namespace (not asked for)"
	done
}

test_host_namespaces() {
	cfg 'rmns("network")' 'rmns("ipc")' 'rmns("uts")' 'rmns("pid")' 'c.pop("hostname")' \
		'c["mounts"] = [m for m in c["mounts"] if m["destination"] not in ("/sys", "/sys/fs/cgroup")]' \
		'l.pop("maskedPaths"); l.pop("readonlyPaths")'
	runp ns pid
	for n in ipc net uts pid; do
		assert_eq "$(ct_ns $n)" "$(host_ns $n)" "$n namespace (not asked for)"
	done
	[ "$(ct_ns mnt)" != "$(host_ns mnt)" ] || die "mount namespace is the host's"
	[ "$(val pid | cut -d' ' -f1)" != 1 ] || die "pid 1 without a pid namespace"
}

test_net_namespace_isolated() {
	runp ls /sys/class/net
	assert_eq "$(sed -n 's/^ls: //p' "$OUT" | tr '\n' ' ')" "lo " "interfaces in a new netns"
}

test_join_netns_path() {
	touch "$TT/netns"
	unshare --net="$TT/netns" true || skip "unshare --net=FILE failed"
	want=$(stat -L -c %i "$TT/netns")
	cfg "ns('network', '$TT/netns')"
	rc=0
	(runp ns) || rc=$?
	umount "$TT/netns"
	[ $rc = 0 ] || die "run failed"
	assert_eq "$(ct_ns net)" "$want" "joined netns inode"
}

test_join_ip_netns() {
	command -v ip >/dev/null || skip "no ip(8)"
	name=husk-test-$$-$RANDOM
	ip netns add "$name" || skip "ip netns add failed"
	want=$(stat -L -c %i "/run/netns/$name")
	cfg "ns('network', '/run/netns/$name')"
	rc=0
	(runp ns) || rc=$?
	ip netns del "$name"
	[ $rc = 0 ] || die "run failed"
	assert_eq "$(ct_ns net)" "$want" "joined netns inode"
}

test_join_uts_ipc_path() {
	touch "$TT/uts" "$TT/ipc"
	unshare --uts="$TT/uts" --ipc="$TT/ipc" hostname joined-uts || skip "unshare failed"
	wu=$(stat -L -c %i "$TT/uts")
	wi=$(stat -L -c %i "$TT/ipc")
	cfg "ns('uts', '$TT/uts')" "ns('ipc', '$TT/ipc')" 'c.pop("hostname")'
	rc=0
	(runp ns hostname) || rc=$?
	umount "$TT/uts" "$TT/ipc"
	[ $rc = 0 ] || die "run failed"
	assert_eq "$(ct_ns uts)" "$wu" "joined uts inode"
	assert_eq "$(ct_ns ipc)" "$wi" "joined ipc inode"
	assert_out_line "hostname: joined-uts"
}

test_join_other_container_pidns() {
	set_args /payload sleep 60
	rt run -d --bundle "$B" "$ID-a"
	pa=$(pid_of "$ID-a")
	want=$(stat -L -c %i "/proc/$pa/ns/pid")
	new_bundle "$TT/b2"
	cfg "ns('pid', '/proc/$pa/ns/pid')" "c['linux']['cgroupsPath'] = '/husk-test/$CGNAME-b'"
	rc=0
	(runp ns pid ls /proc) || rc=$?
	rt delete --force "$ID-a"
	[ $rc = 0 ] || die "run failed"
	assert_eq "$(ct_ns pid)" "$want" "joined pid namespace"
	[ "$(val pid | cut -d' ' -f1)" != 1 ] || die "pid 1 in a joined pid namespace"
	assert_out_line "ls: 1"
	[ -z "$(cgroup_dirs "$CGNAME-b")" ] || die "cgroup of the second container left"
}

test_cgroup_namespace() {
	runp cgroup
	grep -q "husk-test/$CGNAME" "$OUT" || die "no cgroup namespace expected: $(cat "$OUT")"
	cfg 'ns("cgroup")'
	runp cgroup
	grep -v '^0::' "$OUT" | grep -v ':/$' && die "cgroup namespace not rooted at the container's cgroup"
	true
}

userns_config() {
	cfg 'ns("user")' \
		'l["uidMappings"] = [{"containerID": 0, "hostID": 100000, "size": 65536}]' \
		'l["gidMappings"] = [{"containerID": 0, "hostID": 200000, "size": 65536}]' \
		'c["mounts"] = [m for m in c["mounts"] if m["destination"] != "/sys/fs/cgroup"]'
}

test_user_namespace() {
	userns_config
	runp ids ns cat /proc/self/uid_map cat /proc/self/gid_map stat /payload
	[ "$(ct_ns user)" != "$(host_ns user)" ] || die "user namespace is the host's"
	assert_out_line "uid: 0 0 0"
	assert_out_line "gid: 0 0 0"
	grep -Eq '^ +0 +100000 +65536$' "$OUT" || die "uid_map: $(cat "$OUT")"
	grep -Eq '^ +0 +200000 +65536$' "$OUT" || die "gid_map: $(cat "$OUT")"
	# host root is not mapped: the rootfs' files show as the overflow ids
	assert_out_has "stat: /payload f 0755 65534 65534"
}

test_user_namespace_host_view() {
	userns_config
	set_args /payload sleep 60
	rt create --bundle "$B" "$ID"
	pid=$(pid_of "$ID")
	m=$(cat "/proc/$pid/uid_map")
	rt delete --force "$ID"
	echo "$m" | grep -Eq '^ +0 +100000 +65536$' || die "uid_map seen from the host: $m"
}

test_user_namespace_uid() {
	userns_config
	cfg 'p["user"] = {"uid": 1000, "gid": 1000}'
	runp ids
	assert_out_line "uid: 1000 1000 1000"
	assert_out_line "gid: 1000 1000 1000"
}

test_time_namespace() {
	is_husk || skip "$RT_NAME has no time namespace support"
	cfg 'ns("time")' \
		'l["timeOffsets"] = {"monotonic": {"secs": 31536000, "nanosecs": 0}, "boottime": {"secs": 63072000, "nanosecs": 0}}'
	hm=$(cut -d' ' -f1 /proc/uptime | cut -d. -f1)
	runp ns clock cat /proc/self/timens_offsets
	[ "$(ct_ns time)" != "$(host_ns time)" ] || die "time namespace is the host's"
	grep -Eq '^monotonic +31536000 +0$' "$OUT" || die "timens_offsets: $(cat "$OUT")"
	grep -Eq '^boottime +63072000 +0$' "$OUT" || die "timens_offsets: $(cat "$OUT")"
	m=$(val clock | cut -d' ' -f2)
	b=$(val clock | cut -d' ' -f4)
	[ "$m" -ge $((hm + 31536000)) ] && [ "$m" -lt $((hm + 31536000 + 600)) ] || die "monotonic $m (host $hm)"
	[ "$b" -ge $((hm + 63072000)) ] || die "boottime $b (host $hm)"
}

test_hostname_needs_uts() {
	cfg 'rmns("uts")' 'c["hostname"] = "nope"'
	rtc run --bundle "$B" "$ID"
	assert_rc_not0 "hostname without a uts namespace"
	[ "$(hostname)" != nope ] || die "changed the host's hostname"
}

t "new pid/ipc/mnt/net/uts/cgroup namespaces" test_new_namespaces
t "host namespaces when not asked for" test_host_namespaces
t "new network namespace has only lo" test_net_namespace_isolated
t "join a netns by path (unshare bind)" test_join_netns_path
t "join a netns made by ip netns add" test_join_ip_netns
t "join uts and ipc namespaces by path" test_join_uts_ipc_path
t "join another container's pid namespace" test_join_other_container_pidns
t "cgroup namespace" test_cgroup_namespace
t "user namespace with uid/gid mappings" test_user_namespace
t "user namespace mappings seen from the host" test_user_namespace_host_view
t "user namespace with a non-root user" test_user_namespace_uid
t "time namespace with timeOffsets" test_time_namespace
t "hostname without a uts namespace is refused" test_hostname_needs_uts
finish

#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# compat-userns (issue 11, item 9): user namespaces and mounts, against husk
# and runc (RUNTIME=/usr/sbin/runc): bind sources the mapped root cannot
# reach, linux.devices in a user namespace, idmapped mounts inside one.
. "$(dirname "$0")/lib.sh"

# container 0 -> host 100000 (uids and gids), 65536 ids
HOST_UID=100000

userns_config() {
	cfg 'ns("user")' \
		"l['uidMappings'] = [{'containerID': 0, 'hostID': $HOST_UID, 'size': 65536}]" \
		"l['gidMappings'] = [{'containerID': 0, 'hostID': $HOST_UID, 'size': 65536}]" \
		'c["mounts"] = [m for m in c["mounts"] if m["destination"] != "/sys/fs/cgroup"]'
}

# a directory only host root can traverse, holding dir/ (owned by the
# container's root, so that it can write there) and file
inaccessible_source() {
	S=$TT/source-inaccessible
	mkdir -m 0700 "$S"
	mkdir "$S/dir"
	echo from-host >"$S/dir/hostfile"
	echo hostfile >"$S/file"
	chown "$HOST_UID:$HOST_UID" "$S/dir"
}

# runc 1.1 and crun open bind sources on the host side, before the init
# enters the user namespace: a source the mapped root cannot reach works
test_bind_source_inaccessible() {
	userns_config
	inaccessible_source
	cfg "mount('/tmp/mount-1', 'bind', '$S/dir', ['rbind'])" \
		"mount('/tmp/file-1', 'bind', '$S/file', ['bind', 'ro'])" \
		"mount('/tmp/mount-2', 'bind', '$S/dir', ['bind', 'ro'])"
	runp cat /tmp/mount-1/hostfile cat /tmp/file-1 write /tmp/mount-1/from-ct \
		stat /tmp/mount-1 stat /tmp/file-1
	assert_out_line from-host
	assert_out_line hostfile
	assert_out_line "write: /tmp/mount-1/from-ct ok"
	# dir/ is the container root's; file is host root's (unmapped: overflow)
	assert_out_has "stat: /tmp/mount-1 d 0755 0 0 "
	assert_out_has "stat: /tmp/file-1 f 0644 65534 65534 "
	[ "$(stat -c %u "$S/dir/from-ct")" = "$HOST_UID" ] || die "the write did not reach the host as uid $HOST_UID"
	# ro on a bind (a remount after the bind) still applies
	runp_rc write /tmp/mount-2/x write /tmp/file-1
	assert_out_has "write: error: /tmp/mount-2/x: Read-only file system"
	assert_out_has "write: error: /tmp/file-1: Read-only file system"
	[ ! -e "$S/dir/x" ] || die "wrote through a read-only bind"
}

# the issue-9 checks hold with a source opened on the host: a destination
# that is an absolute symlink is resolved inside the rootfs
test_bind_source_inaccessible_symlink_dest() {
	userns_config
	inaccessible_source
	mkdir "$TT/hostdir"
	mkdir -p "$B/rootfs$TT/hostdir"
	ln -s "$TT/hostdir" "$B/rootfs/tmp/evil"
	cfg "mount('/tmp/evil', 'bind', '$S/dir', ['rbind'])"
	runp cat /tmp/evil/hostfile
	assert_out_line from-host
	[ ! -e "$TT/hostdir/hostfile" ] || die "the mount went to the host path"
	! grep -qF " $TT/hostdir " /proc/self/mountinfo || die "host path mounted"
}

# the bind is of the container's copy of the source's mount, whose flags the
# user namespace locked: the container's root (even with CAP_SYS_ADMIN) can't
# make a read-only host mount writable (runc 1.1 opens the source in the
# container's mount namespace; a clone of the host's mount would allow it)
test_bind_source_host_flags_locked() {
	userns_config
	mkdir "$TT/rosrc"
	chown "$HOST_UID:$HOST_UID" "$TT/rosrc"
	cfg 'p["capabilities"] = {k: ["CAP_SYS_ADMIN", "CAP_DAC_OVERRIDE"] for k in ("bounding", "effective", "permitted")}' \
		"mount('/tmp/ro', 'bind', '$TT/rosrc', ['rbind'])"
	set_args /bin/sh -c 'mount -o remount,bind,rw /tmp/ro; echo "remount=$?"; touch /tmp/ro/x && echo wrote; true'
	# the read-only host mount, in a mount namespace of the test's own
	RC=0
	# shellcheck disable=SC2016 # expanded by the inner sh
	unshare -m --propagation private sh -c 'mount --bind "$1" "$1" && mount -o remount,bind,ro "$1" && shift && exec "$@"' \
		sh "$TT/rosrc" env HUSK_TEST_MARK="$MARK" timeout -k 5 60 "$RUNTIME" --root "$ROOT" run --bundle "$B" "$ID" \
		>"$OUT" 2>"$ERR" </dev/null || RC=$?
	assert_rc 0 "run"
	assert_out_lacks "remount=0"
	assert_out_lacks "wrote"
	[ ! -e "$TT/rosrc/x" ] || die "wrote through a read-only host mount"
}

# a missing source is still reported (by the runtime side now)
test_bind_source_missing() {
	userns_config
	cfg "mount('/tmp/mount-1', 'bind', '$TT/nonexistent', ['rbind'])"
	set_args /payload echo hi
	rtc run --bundle "$B" "$ID"
	assert_rc_not0 "a missing bind source"
	assert_err_has "$TT/nonexistent"
	if is_husk; then
		assert_err_has "mount \`$TT/nonexistent\` on \`/tmp/mount-1\` (mounts[6])"
		assert_err_has "No such file or directory"
	fi
}

# what both do: a linux.devices entry the host has (/dev/zero, c 1 5) in a
# user namespace is the char device 1:5 and can be read and written
test_device_in_userns() {
	userns_config
	# runc drops its default rule for a listed device: allowed explicitly
	cfg "l['devices'] = [{'path': '/dev/zero', 'type': 'c', 'major': 1, 'minor': 5, 'fileMode': 438}]" \
		"l['resources']['devices'].append({'allow': True, 'type': 'c', 'major': 1, 'minor': 5, 'access': 'rwm'})"
	runp stat /dev/zero write /dev/zero open /dev/zero
	assert_out_has "stat: /dev/zero c 0666 "
	assert_out_has " 1:5 "
	assert_out_line "write: /dev/zero ok"
	assert_out_line "open: /dev/zero ok"
}

# the runtime makes the node (mknod is impossible in a user namespace) and
# chowns it to the entry's uid/gid mapped through the user namespace
test_device_missing_on_host() {
	is_husk || skip "runc 1.1: bind-mounts the host's node in a user namespace, so a device the host lacks fails (bind /dev/husk-test-null: no such file or directory)"
	[ ! -e /dev/husk-test-null ] || skip "the host has /dev/husk-test-null"
	userns_config
	cfg "l['devices'] = [{'path': '/dev/husk-test-null', 'type': 'c', 'major': 1, 'minor': 3, 'fileMode': 432, 'uid': 1000, 'gid': 1001}, {'path': '/dev/sub/husk-test-zero', 'type': 'c', 'major': 1, 'minor': 5}]" \
		'p["user"] = {"uid": 1000, "gid": 1001}'
	runp stat /dev/husk-test-null write /dev/husk-test-null stat /dev/sub/husk-test-zero open /dev/sub/husk-test-zero
	assert_out_has "stat: /dev/husk-test-null c 0660 1000 1001 1:3 "
	assert_out_line "write: /dev/husk-test-null ok"
	assert_out_has "stat: /dev/sub/husk-test-zero c 0666 0 0 1:5 "
	assert_out_line "open: /dev/sub/husk-test-zero ok"
	[ ! -e /dev/husk-test-null ] || die "made the node on the host's /dev"
}

# a device owner outside the mappings can't be given: an error naming the entry
test_device_unmapped_owner() {
	is_husk || skip "runc 1.1: binds the host's node and ignores the entry's uid/gid in a user namespace"
	userns_config
	cfg "l['devices'] = [{'path': '/dev/husk-test-null', 'type': 'c', 'major': 1, 'minor': 3, 'uid': 70000}]"
	set_args /payload echo hi
	rtc run --bundle "$B" "$ID"
	assert_rc_not0 "an unmapped device owner"
	assert_err_has "config.json: linux.devices[0].uid: \`70000\` is not mapped in the user namespace"
}

idmap_source() {
	S=$TT/idsrc
	mkdir "$S"
	echo x >"$S/root-file"
	echo y >"$S/user-file"
	chown 1000:1000 "$S/user-file"
}

# the `idmap` option without mappings: idmapped with the container's user namespace
test_idmap_option_in_userns() {
	is_husk || skip "runc 1.1: no idmapped mounts"
	userns_config
	idmap_source
	cfg "mount('/tmp/idmapped', 'bind', '$S', ['bind', 'idmap'])"
	runp stat /tmp/idmapped/root-file stat /tmp/idmapped/user-file
	# without the idmap host root's file would show as 65534 (unmapped)
	assert_out_has "stat: /tmp/idmapped/root-file f 0644 0 0 "
	assert_out_has "stat: /tmp/idmapped/user-file f 0644 1000 1000 "
}

# mounts[].uidMappings/gidMappings in a user namespace
test_idmap_mappings_in_userns() {
	is_husk || skip "runc 1.1: no idmapped mounts"
	userns_config
	idmap_source
	cfg "mount('/tmp/idmapped', 'bind', '$S', ['bind'])" \
		"c['mounts'][-1]['uidMappings'] = [{'containerID': 0, 'hostID': $((HOST_UID + 500)), 'size': 65536}]" \
		"c['mounts'][-1]['gidMappings'] = [{'containerID': 0, 'hostID': $((HOST_UID + 700)), 'size': 65536}]"
	runp stat /tmp/idmapped/root-file stat /tmp/idmapped/user-file
	assert_out_has "stat: /tmp/idmapped/root-file f 0644 500 700 "
	assert_out_has "stat: /tmp/idmapped/user-file f 0644 1500 1700 "
}

# The idmapped copy of a bind source is made in the container's mount
# namespace too, so it keeps the flags the user namespace locked on the
# source's mount: the container's root, with CAP_SYS_ADMIN, can neither make
# a read-only host mount writable through it nor clear its nosuid (a clone
# of the host's mount carries no locks and would allow both).  $1: how the
# mount asks for the idmap (mappings: its own uidMappings/gidMappings; option:
# the `idmap` option alone, the container's mappings).
idmap_locked_case() {
	userns_config
	mkdir "$TT/rotmp"
	cfg 'p["capabilities"] = {k: ["CAP_SYS_ADMIN", "CAP_DAC_OVERRIDE"] for k in ("bounding", "effective", "permitted")}'
	if [ "$1" = mappings ]; then
		cfg "mount('/tmp/ro', 'bind', '$TT/rotmp', ['rbind'])" \
			"c['mounts'][-1]['uidMappings'] = [{'containerID': 0, 'hostID': $HOST_UID, 'size': 65536}]" \
			"c['mounts'][-1]['gidMappings'] = [{'containerID': 0, 'hostID': $HOST_UID, 'size': 65536}]"
	else
		cfg "mount('/tmp/ro', 'bind', '$TT/rotmp', ['rbind', 'idmap'])"
	fi
	# shellcheck disable=SC2016 # expanded by the inner sh
	set_args /bin/sh -c 'echo "owner=$(stat -c %u:%g /tmp/ro/decoy)"
		mount -o remount,bind,ro,suid /tmp/ro; echo "nosuid-cleared=$?"
		mount -o remount,bind,rw /tmp/ro; echo "remount=$?"
		echo pwned >/tmp/ro/decoy && echo wrote
		grep " /tmp/ro " /proc/self/mountinfo; true'
	# a small tmpfs (idmappable), read-only and nosuid as a mount (the
	# superblock stays writable), in a mount namespace of the test's own
	RC=0
	# shellcheck disable=SC2016,SC2034 # expanded by the inner sh; RC: read by assert_rc
	unshare -m --propagation private sh -c 'd=$1 && shift && mount -t tmpfs -o size=1m,mode=0755 husk-test "$d" &&
		echo original >"$d/decoy" && mount -o remount,bind,ro,nosuid "$d" && "$@"; rc=$?
		cat "$d/decoy" >"$d.after" 2>&1; exit $rc' \
		sh "$TT/rotmp" env HUSK_TEST_MARK="$MARK" timeout -k 5 60 "$RUNTIME" --root "$ROOT" run --bundle "$B" "$ID" \
		>"$OUT" 2>"$ERR" </dev/null || RC=$?
	assert_rc 0 "run"
	# the idmap applies: host root's decoy is the container root's
	assert_out_line "owner=0:0"
	assert_out_lacks "nosuid-cleared=0"
	assert_out_lacks "remount=0"
	assert_out_lacks "wrote"
	assert_out_has " ro,nosuid"
	[ "$(cat "$TT/rotmp.after")" = original ] || die "the decoy changed: $(cat "$TT/rotmp.after")"
}

# an idmapped source the runtime can't find in the container's mount
# namespace: an error naming the mount, nothing left behind (no fallback)
test_idmap_source_missing_in_userns() {
	is_husk || skip "runc 1.1: no idmapped mounts"
	userns_config
	cfg "mount('/tmp/idmapped', 'bind', '$TT/nonexistent', ['bind', 'idmap'])"
	set_args /payload echo hi
	rtc run --bundle "$B" "$ID"
	assert_rc_not0 "a missing idmapped source"
	assert_err_has "mount \`$TT/nonexistent\` on \`/tmp/idmapped\` (mounts[6]): No such file or directory"
}

# a user namespace joined by path (root to root here: the rootfs is host
# root's): the init makes its mount namespace in it, and the runtime clones
# the idmapped tree there as well
test_idmap_joined_userns() {
	is_husk || skip "runc 1.1: no idmapped mounts"
	idmap_source
	unshare -U sleep 60 &
	local holder=$! host ns
	host=$(readlink /proc/self/ns/user)
	# until unshare has made its namespace
	for _ in $(seq 50); do
		ns=$(readlink "/proc/$holder/ns/user") && [ "$ns" != "$host" ] && break
		sleep 0.1
	done
	echo "0 0 65536" >"/proc/$holder/uid_map"
	echo "0 0 65536" >"/proc/$holder/gid_map"
	# proc and sysfs need namespaces the joined one owns
	cfg "ns('user', '/proc/$holder/ns/user')" \
		'c["mounts"] = [m for m in c["mounts"] if m["destination"] not in ("/sys/fs/cgroup", "/proc", "/sys")]' \
		"mount('/tmp/idmapped', 'bind', '$S', ['bind'])" \
		"c['mounts'][-1]['uidMappings'] = [{'containerID': 0, 'hostID': 500, 'size': 65536}]" \
		"c['mounts'][-1]['gidMappings'] = [{'containerID': 0, 'hostID': 700, 'size': 65536}]"
	runp_rc stat /tmp/idmapped/root-file stat /tmp/idmapped/user-file
	kill "$holder"
	wait "$holder" 2>/dev/null || true
	assert_rc 0 "run"
	assert_out_has "stat: /tmp/idmapped/root-file f 0644 500 700 "
	assert_out_has "stat: /tmp/idmapped/user-file f 0644 1500 1700 "
}

test_idmap_mappings_host_flags_locked() {
	is_husk || skip "runc 1.1: no idmapped mounts"
	idmap_locked_case mappings
}

test_idmap_option_host_flags_locked() {
	is_husk || skip "runc 1.1: no idmapped mounts"
	idmap_locked_case option
}

t "bind source under a directory the mapped root cannot traverse" test_bind_source_inaccessible
t "bind source opened on the host: symlinked destination stays in the rootfs" test_bind_source_inaccessible_symlink_dest
t "read-only host mount of a bind source stays locked read-only" test_bind_source_host_flags_locked
t "missing bind source in a user namespace" test_bind_source_missing
t "linux.devices entry the host has, in a user namespace" test_device_in_userns
t "linux.devices entry the host lacks, in a user namespace" test_device_missing_on_host
t "linux.devices owner outside the mappings" test_device_unmapped_owner
t "idmap option without mappings in a user namespace" test_idmap_option_in_userns
t "uidMappings/gidMappings mount in a user namespace" test_idmap_mappings_in_userns
t "read-only nosuid host mount stays locked through uidMappings/gidMappings" test_idmap_mappings_host_flags_locked
t "read-only nosuid host mount stays locked through the idmap option" test_idmap_option_host_flags_locked
t "missing idmapped source in a user namespace" test_idmap_source_missing_in_userns
t "idmapped mount in a user namespace joined by path" test_idmap_joined_userns
finish

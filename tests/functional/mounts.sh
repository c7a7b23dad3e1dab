#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# mounts: options, binds, tmpfs, relative destinations, rro, symlinked
# destinations, read-only root, masked and read-only paths, pivot_root/--no-pivot
. "$(dirname "$0")/lib.sh"

# mnt_line DEST: the container's mountinfo line for DEST (last one wins)
mnt_line() { awk -v d="$1" '$5 == d' "$OUT" | tail -n1; }
# mnt_opts DEST: per-mount options, then super options
mnt_opts() { mnt_line "$1" | awk '{ print $6; for (i = 7; $i != "-"; i++); print $(i + 3) }' | tr '\n' ' '; }
has_opt() { # DEST OPT
	echo ",$(mnt_opts "$1" | tr ' ' ',')," | grep -q ",$2," || {
		cat "$OUT"
		die "$1: option $2 missing: $(mnt_opts "$1")"
	}
}

test_bind_rw() {
	mkdir "$TT/src"
	echo host >"$TT/src/hostfile"
	cfg "mount('/mnt', 'bind', '$TT/src', ['rbind', 'rw'])"
	runp cat /mnt/hostfile write /mnt/fromct
	assert_out_line host
	[ -f "$TT/src/fromct" ] || die "write through the bind did not reach the host"
}

test_bind_ro() {
	mkdir "$TT/src"
	cfg "mount('/mnt', 'bind', '$TT/src', ['rbind', 'ro'])"
	runp_rc write /mnt/f mounts
	assert_rc 1
	assert_out_has "write: error: /mnt/f: Read-only file system"
	has_opt /mnt ro
	[ ! -e "$TT/src/f" ] || die "wrote through a ro bind"
}

test_bind_file() {
	echo content >"$TT/hostfile"
	cfg "mount('/etc/hostfile', 'bind', '$TT/hostfile', ['bind', 'ro'])"
	runp cat /etc/hostfile stat /etc/hostfile
	assert_out_line content
	assert_out_has "stat: /etc/hostfile f "
}

test_nosuid_nodev_noexec() {
	cfg "mount('/mnt', 'tmpfs', 'tmpfs', ['nosuid', 'nodev', 'noexec', 'size=1m'])"
	runp mounts
	has_opt /mnt nosuid
	has_opt /mnt nodev
	has_opt /mnt noexec
	has_opt /mnt rw
}

test_tmpfs_size_mode() {
	cfg "mount('/mnt', 'tmpfs', 'tmpfs', ['size=2m', 'mode=0710', 'uid=5', 'gid=7'])"
	runp mounts stat /mnt
	assert_out_has "stat: /mnt d 0710 5 7 "
	has_opt /mnt size=2048k
	mnt_line /mnt | grep -q ' - tmpfs ' || die "not a tmpfs: $(mnt_line /mnt)"
}

test_relative_destination() {
	# config.md: a relative destination is relative to "/" (deprecated)
	cfg "mount('mnt/rel', 'tmpfs', 'tmpfs', ['size=1m'])"
	runp mounts stat /mnt/rel
	[ -n "$(mnt_line /mnt/rel)" ] || die "no mount at /mnt/rel"
}

test_destination_created() {
	cfg "mount('/new/deep/dir', 'tmpfs', 'tmpfs', ['size=1m'])" "mount('/new/file', 'bind', '$TT/f', ['bind'])"
	echo x >"$TT/f"
	runp stat /new/deep/dir stat /new/file mounts
	assert_out_has "stat: /new/deep/dir d "
	assert_out_has "stat: /new/file f "
	[ -n "$(mnt_line /new/file)" ] || die "no mount at /new/file"
}

test_rro() {
	is_husk || skip "$RT_NAME does not support rro"
	mkdir -p "$TT/src/sub"
	mount -t tmpfs -o size=1m husk-test "$TT/src/sub"
	cfg "mount('/mnt', 'bind', '$TT/src', ['rbind', 'rro'])"
	rc=0
	(runp_rc write /mnt/sub/f write /mnt/f) || rc=$?
	umount "$TT/src/sub"
	[ $rc = 0 ] || die "run failed"
	grep -qx "write: error: /mnt/sub/f: Read-only file system" "$OUT" || die "submount writable: $(cat "$OUT")"
	grep -qx "write: error: /mnt/f: Read-only file system" "$OUT" || die "mount writable: $(cat "$OUT")"
}

test_ro_not_recursive() {
	# plain ro on an rbind only affects the top mount (runc's behaviour)
	mkdir -p "$TT/src/sub"
	mount -t tmpfs -o size=1m husk-test "$TT/src/sub"
	cfg "mount('/mnt', 'bind', '$TT/src', ['rbind', 'ro'])"
	rc=0
	(runp_rc write /mnt/sub/f write /mnt/f) || rc=$?
	umount "$TT/src/sub"
	[ $rc = 0 ] || die "run failed"
	assert_out_line "write: /mnt/sub/f ok"
	assert_out_line "write: error: /mnt/f: Read-only file system"
}

test_symlink_destination_absolute() {
	mkdir "$TT/hostdir"
	ln -s "$TT/hostdir" "$B/rootfs/evil"
	cfg "mount('/evil', 'tmpfs', 'tmpfs', ['size=1m'])" 'c["root"]["readonly"] = False'
	runp write /evil/x
	[ ! -e "$TT/hostdir/x" ] || die "the mount went to the host path"
	! grep -qF " $TT/hostdir " /proc/self/mountinfo || die "host path mounted"
	# it lands inside the rootfs, where the link points to from /
	[ -d "$B/rootfs$TT/hostdir" ] || die "destination not created inside the rootfs"
}

test_symlink_destination_relative_escape() {
	mkdir "$TT/hostdir"
	ln -s "../../../../../../../../../..$TT/hostdir" "$B/rootfs/evil"
	cfg "mount('/evil', 'bind', '$TT/src', ['rbind'])" 'c["root"]["readonly"] = False'
	mkdir "$TT/src"
	echo src >"$TT/src/marker"
	runp cat /evil/marker
	assert_out_line src
	[ ! -e "$TT/hostdir/marker" ] || die "the bind went to the host path"
	! grep -qF " $TT/hostdir " /proc/self/mountinfo || die "host path mounted"
}

test_symlink_in_middle() {
	mkdir "$TT/hostdir"
	ln -s "$TT" "$B/rootfs/link"
	cfg "mount('/link/hostdir', 'tmpfs', 'tmpfs', ['size=1m'])" 'c["root"]["readonly"] = False'
	runp write /link/hostdir/x
	[ ! -e "$TT/hostdir/x" ] || die "the mount went to the host path"
}

test_readonly_root() {
	runp_rc write /x write /tmp/y write /dev/shm/z
	assert_out_line "write: error: /x: Read-only file system"
	assert_out_line "write: error: /tmp/y: Read-only file system"
	assert_out_line "write: /dev/shm/z ok"
	cfg 'c["root"]["readonly"] = False'
	runp write /x
	[ -f "$B/rootfs/x" ] || die "write to a rw root did not land in the rootfs"
}

test_masked_paths_default() {
	# (/proc/kcore is absent on some kernels: use /proc/keys and /proc/timer_list)
	runp_rc stat /proc/keys cat /proc/keys stat /proc/timer_list ls /sys/firmware stat /sys/firmware mounts
	assert_out_has "stat: /proc/keys c 0666 0 0 1:3 0"
	assert_out_has "stat: /proc/timer_list c 0666 0 0 1:3 0"
	# a masked directory is an empty read-only tmpfs
	grep -q '^ls: ' "$OUT" && die "/sys/firmware not empty"
	mnt_line /sys/firmware | grep -q ' - tmpfs ' || die "/sys/firmware: $(mnt_line /sys/firmware)"
	has_opt /sys/firmware ro
}

test_masked_paths_custom() {
	mkdir -p "$B/rootfs/secretdir"
	echo TOPSECRET >"$B/rootfs/secretdir/f"
	echo TOPSECRET >"$B/rootfs/secretfile"
	cfg 'l["maskedPaths"] += ["/secretdir", "/secretfile", "/does/not/exist"]'
	runp_rc cat /secretfile ls /secretdir cat /secretdir/f
	assert_out_lacks TOPSECRET
}

test_readonly_paths() {
	mkdir -p "$B/rootfs/data"
	cfg 'c["root"]["readonly"] = False' 'l["readonlyPaths"] += ["/data", "/does/not/exist"]'
	runp_rc write /data/f write /proc/sys/kernel/domainname write /x
	assert_out_line "write: error: /data/f: Read-only file system"
	assert_out_line "write: error: /proc/sys/kernel/domainname: Read-only file system"
	assert_out_line "write: /x ok"
}

test_proc_sys_mounts() {
	runp mounts
	mnt_line /proc | grep -q ' - proc ' || die "/proc: $(mnt_line /proc)"
	mnt_line /sys | grep -q ' - sysfs ' || die "/sys: $(mnt_line /sys)"
	has_opt /sys ro
	has_opt /proc/sys ro
	has_opt /proc/irq ro
	has_opt / ro
}

test_no_pivot() {
	cfg 'l["maskedPaths"] += ["/secretfile"]'
	echo TOPSECRET >"$B/rootfs/secretfile"
	set_args /payload cwd write /x cat /secretfile stat /proc/keys ls /
	rtc run --no-pivot --bundle "$B" "$ID"
	assert_rc 1 "run --no-pivot"
	assert_out_line "cwd: /"
	assert_out_line "write: error: /x: Read-only file system"
	assert_out_lacks TOPSECRET
	assert_out_has "stat: /proc/keys c 0666 0 0 1:3 0"
	assert_out_line "ls: payload"
}

test_pivot_root_hides_host() {
	runp mounts ls /
	# no host mount point is visible after pivot_root + detaching the old root
	awk '$5 ~ "^('"$TT"'|/work|/home|/boot|/root|/run/)" { print; bad = 1 } END { exit bad }' "$OUT" ||
		die "host mounts visible"
	assert_out_line "ls: payload"
}

test_mount_order_and_stacking() {
	mkdir "$TT/src"
	echo inner >"$TT/src/f"
	cfg "mount('/mnt', 'tmpfs', 'tmpfs', ['size=1m'])" "mount('/mnt/inner', 'bind', '$TT/src', ['rbind', 'ro'])"
	runp cat /mnt/inner/f
	assert_out_line inner
}

test_tmpcopyup() {
	mkdir -p "$B/rootfs/data"
	echo original >"$B/rootfs/data/f"
	cfg "mount('/data', 'tmpfs', 'tmpfs', ['tmpcopyup', 'size=1m'])"
	runp cat /data/f write /data/new mounts
	assert_out_line original
	mnt_line /data | grep -q ' - tmpfs ' || die "/data: $(mnt_line /data)"
	[ ! -e "$B/rootfs/data/new" ] || die "wrote through to the rootfs"
}

test_atime_opts() {
	cfg "mount('/m1', 'tmpfs', 'tmpfs', ['noatime', 'size=1m'])" \
		"mount('/m2', 'tmpfs', 'tmpfs', ['strictatime', 'size=1m'])" \
		"mount('/m3', 'tmpfs', 'tmpfs', ['nodiratime', 'size=1m'])"
	runp mounts
	has_opt /m1 noatime
	mnt_opts /m2 | grep -q 'relatime\|noatime' && die "/m2: $(mnt_opts /m2)"
	has_opt /m3 nodiratime
}

test_nosymfollow() {
	is_husk || skip "$RT_NAME does not support nosymfollow"
	cfg "mount('/m', 'tmpfs', 'tmpfs', ['nosymfollow', 'size=1m'])"
	runp mounts
	has_opt /m nosymfollow
}

test_recursive_noexec() {
	is_husk || skip "$RT_NAME does not support recursive mount options"
	mkdir -p "$TT/src/sub"
	mount -t tmpfs -o size=1m husk-test "$TT/src/sub"
	cfg "mount('/mnt', 'bind', '$TT/src', ['rbind', 'rnoexec', 'rnosuid'])"
	rc=0
	(runp mounts) || rc=$?
	umount "$TT/src/sub"
	[ $rc = 0 ] || die "run failed"
	has_opt /mnt noexec
	has_opt /mnt/sub noexec
	has_opt /mnt/sub nosuid
}

test_bind_propagation() {
	mkdir "$TT/src"
	cfg "mount('/mnt', 'bind', '$TT/src', ['rbind', 'rshared'])" \
		"mount('/mnt2', 'bind', '$TT/src', ['rbind', 'rprivate'])"
	runp mounts
	mnt_line /mnt | grep -q ' shared:' || die "/mnt not shared: $(mnt_line /mnt)"
	mnt_line /mnt2 | grep -q ' shared:\| master:' && die "/mnt2 not private: $(mnt_line /mnt2)"
	true
}

test_rootfs_propagation_private() {
	# by default nothing propagates back to the host
	runp mounts
	mnt_line / | grep -q ' shared:' && die "rootfs shared with the host: $(mnt_line /)"
	true
}

test_user_namespace_devices() {
	cfg 'ns("user")' \
		'l["uidMappings"] = [{"containerID": 0, "hostID": 100000, "size": 65536}]' \
		'l["gidMappings"] = [{"containerID": 0, "hostID": 100000, "size": 65536}]' \
		'c["mounts"] = [m for m in c["mounts"] if m["destination"] != "/sys/fs/cgroup"]'
	runp stat /dev/null write /dev/null stat /dev/zero
	assert_out_has "stat: /dev/null c "
	assert_out_has " 1:3 "
	assert_out_line "write: /dev/null ok"
}

t "rw bind mount" test_bind_rw
t "ro bind mount" test_bind_ro
t "file bind mount" test_bind_file
t "nosuid nodev noexec" test_nosuid_nodev_noexec
t "tmpfs size, mode, uid, gid" test_tmpfs_size_mode
t "relative destination" test_relative_destination
t "missing destinations are created" test_destination_created
t "rro makes submounts read-only" test_rro
t "ro on rbind is not recursive" test_ro_not_recursive
t "absolute symlink destination stays in the rootfs" test_symlink_destination_absolute
t "relative escaping symlink destination stays in the rootfs" test_symlink_destination_relative_escape
t "symlink in the middle of a destination" test_symlink_in_middle
t "read-only root" test_readonly_root
t "default masked paths" test_masked_paths_default
t "custom masked paths (file, dir, missing)" test_masked_paths_custom
t "read-only paths" test_readonly_paths
t "proc, sysfs and default read-only mounts" test_proc_sys_mounts
t "--no-pivot" test_no_pivot
t "pivot_root hides the host's mounts" test_pivot_root_hides_host
t "mounts in order, stacked" test_mount_order_and_stacking
t "tmpcopyup" test_tmpcopyup
t "atime options" test_atime_opts
t "nosymfollow" test_nosymfollow
t "recursive rnoexec, rnosuid" test_recursive_noexec
t "bind propagation rshared, rprivate" test_bind_propagation
t "rootfs is not shared with the host" test_rootfs_propagation_private
t "devices in a user namespace" test_user_namespace_devices
finish

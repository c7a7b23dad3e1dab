#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# /dev: default devices and symlinks, pts, shm, mqueue, linux.devices, the
# device cgroup
. "$(dirname "$0")/lib.sh"

mnt_line() { awk -v d="$1" '$5 == d' "$OUT" | tail -n1; }

test_default_devices() {
	runp stat /dev/null stat /dev/zero stat /dev/full stat /dev/random stat /dev/urandom stat /dev/tty
	assert_out_has "stat: /dev/null c 0666 0 0 1:3 "
	assert_out_has "stat: /dev/zero c 0666 0 0 1:5 "
	assert_out_has "stat: /dev/full c 0666 0 0 1:7 "
	assert_out_has "stat: /dev/random c 0666 0 0 1:8 "
	assert_out_has "stat: /dev/urandom c 0666 0 0 1:9 "
	assert_out_has "stat: /dev/tty c 0666 0 0 5:0 "
}

test_default_devices_usable() {
	runp_rc write /dev/null open /dev/zero open /dev/urandom write /dev/full cat /dev/null
	assert_out_line "write: /dev/null ok"
	assert_out_line "write: error: /dev/full: No space left on device"
	assert_out_line "open: /dev/zero ok"
	assert_out_line "open: /dev/urandom ok"
}

test_dev_symlinks() {
	runp stat /dev/fd stat /dev/stdin stat /dev/stdout stat /dev/stderr stat /dev/ptmx
	assert_out_line "link: /dev/fd /proc/self/fd"
	assert_out_line "link: /dev/stdin /proc/self/fd/0"
	assert_out_line "link: /dev/stdout /proc/self/fd/1"
	assert_out_line "link: /dev/stderr /proc/self/fd/2"
	assert_out_line "link: /dev/ptmx pts/ptmx"
}

test_dev_only_defaults() {
	# no host device leaks into the tmpfs /dev
	runp ls /dev
	sed -n 's/^ls: //p' "$OUT" | sort >"$TT/devs"
	for d in $(cat "$TT/devs"); do
		case $d in
		null | zero | full | random | urandom | tty | ptmx | pts | shm | mqueue | fd | stdin | stdout | stderr) ;;
		core) ;; # runc adds /dev/core -> /proc/kcore
		*) die "unexpected /dev/$d" ;;
		esac
	done
}

test_dev_mounts() {
	runp mounts
	mnt_line /dev | grep -q ' - tmpfs ' || die "/dev: $(mnt_line /dev)"
	mnt_line /dev/pts | grep -q ' - devpts ' || die "/dev/pts: $(mnt_line /dev/pts)"
	mnt_line /dev/pts | grep -q 'newinstance\|ptmxmode=666' || die "/dev/pts: $(mnt_line /dev/pts)"
	mnt_line /dev/shm | grep -q ' - tmpfs ' || die "/dev/shm: $(mnt_line /dev/shm)"
	mnt_line /dev/mqueue | grep -q ' - mqueue ' || die "/dev/mqueue: $(mnt_line /dev/mqueue)"
}

test_dev_pts_private() {
	# a new devpts instance: the host's ptys are not there
	runp ls /dev/pts
	assert_out_line "ls: ptmx"
	[ "$(grep -c '^ls: ' "$OUT")" = 1 ] || die "pts: $(cat "$OUT")"
}

test_linux_devices() {
	cfg 'l["devices"] = [{"path": "/dev/mynull", "type": "c", "major": 1, "minor": 3, "fileMode": 416, "uid": 1000, "gid": 1001}, {"path": "/dev/sub/dir/myzero", "type": "c", "major": 1, "minor": 5}]'
	runp_rc stat /dev/mynull stat /dev/sub/dir/myzero open /dev/mynull open /dev/sub/dir/myzero
	assert_out_has "stat: /dev/mynull c 0640 1000 1001 1:3 "
	grep -q '^stat: /dev/sub/dir/myzero c [0-7]* 0 0 1:5 ' "$OUT" || die "myzero: $(cat "$OUT")"
	# owned by 1000, 0640, and root without CAP_DAC_OVERRIDE (default caps)
	assert_out_line "open: error: /dev/mynull: Permission denied"
	assert_out_line "open: /dev/sub/dir/myzero ok"
}

test_device_cgroup_denies() {
	# a block device node that the device cgroup does not allow: EPERM
	cfg 'l["devices"] = [{"path": "/dev/myblk", "type": "b", "major": 7, "minor": 250}]'
	runp_rc stat /dev/myblk open /dev/myblk
	assert_out_has "stat: /dev/myblk b "
	assert_out_line "open: error: /dev/myblk: Operation not permitted"
}

test_device_cgroup_allows() {
	# allowed by a resources.devices rule: the open reaches the (absent) driver
	cfg 'l["devices"] = [{"path": "/dev/myblk", "type": "b", "major": 7, "minor": 250}]' \
		'l["resources"]["devices"].append({"allow": True, "type": "b", "major": 7, "minor": 250, "access": "rw"})'
	runp_rc open /dev/myblk
	assert_out_lacks "Operation not permitted"
	grep -q "^open: " "$OUT" || die "no result: $(cat "$OUT")"
}

test_device_cgroup_file() {
	# pure cgroup2 has an eBPF program instead (no bpftool here); its
	# behaviour is what "device cgroup denies/allows" check on every version
	cgroup_v2 && skip "devices.list is cgroup v1"
	set_args /payload sleep 60
	rt create --bundle "$B" "$ID"
	f=/sys/fs/cgroup/devices/husk-test/$CGNAME/devices.list
	[ -f "$f" ] || {
		rt delete --force "$ID"
		die "no devices cgroup $f"
	}
	cp "$f" "$TT/list"
	rt delete --force "$ID"
	grep -qx 'c 1:3 rwm' "$TT/list" || die "null not allowed: $(cat "$TT/list")"
	grep -qx 'a \*:\* rwm' "$TT/list" && die "everything allowed"
	grep -qx 'c 136:\* rwm' "$TT/list" || die "ptys not allowed: $(cat "$TT/list")"
	true
}

test_shm_mqueue_usable() {
	runp write /dev/shm/x stat /dev/shm
	assert_out_line "write: /dev/shm/x ok"
	assert_out_has "stat: /dev/shm d 1777 "
}

test_dev_without_spec_mount() {
	# no /dev mount in the config: the runtime still provides the defaults
	cfg 'c["mounts"] = [m for m in c["mounts"] if m["destination"] != "/dev"]'
	runp stat /dev/null
	assert_out_has "stat: /dev/null c 0666 0 0 1:3 "
}

t "default devices" test_default_devices
t "default devices are usable" test_default_devices_usable
t "/dev symlinks" test_dev_symlinks
t "only the default devices in /dev" test_dev_only_defaults
t "/dev, /dev/pts, /dev/shm, /dev/mqueue mounts" test_dev_mounts
t "/dev/pts is a new instance" test_dev_pts_private
t "linux.devices with mode, uid, gid, nested path" test_linux_devices
t "device cgroup denies what is not allowed" test_device_cgroup_denies
t "device cgroup allows resources.devices rules" test_device_cgroup_allows
t "devices.list of the container's cgroup" test_device_cgroup_file
t "/dev/shm usable" test_shm_mqueue_usable
t "default devices without a /dev mount" test_dev_without_spec_mount
finish

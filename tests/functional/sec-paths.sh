#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# sec-paths: paths the image controls must not redirect what husk mounts or
# writes (issue 9, items 4-8): a /dev/null or /dev/console symlink, /proc/sys
# or /proc/self linked to a bind-mounted host directory, /proc or /sys a
# symlink, root.path a symlink.  Every attack aims at decoy files this test
# made; none at a real host file.
. "$(dirname "$0")/lib.sh"

# no_dev_tmpfs: /dev comes from the image (the attacks' precondition)
no_dev_tmpfs() { cfg "c['mounts'] = [m for m in c['mounts'] if m['destination'] != '/dev']"; }
no_proc_mount() { cfg "c['mounts'] = [m for m in c['mounts'] if m['destination'] != '/proc']"; }
# one_line_error: the refusal is one line on stderr, prefixed by the runtime
one_line_error() {
	cat "$ERR"
	[ "$(wc -l <"$ERR")" = 1 ] || {
		show
		die "expected a one-line error"
	}
}
# decoy FILE: a file holding secret=original
decoy() { echo secret=original >"$1"; }
assert_decoy() { # FILE [CONTENT]
	assert_eq "$(cat "$1")" "${2:-secret=original}" "decoy $1"
}

# ---- item 4: masking through an image-controlled /dev/null (CVE-2025-31133 shape) ----

test_mask_devnull_symlink() {
	decoy "$B/rootfs/decoy"
	echo leak=through-dev-null >"$B/rootfs/decoy-src"
	ln -s /decoy-src "$B/rootfs/dev/null"
	no_dev_tmpfs
	cfg "l['maskedPaths'] = ['/decoy']"
	runp_rc cat /decoy
	assert_out_lacks "leak=through-dev-null"
	assert_out_lacks "secret=original"
	assert_rc_not0 "masking with a /dev/null symlink"
	assert_err_has "\`/dev/null\` is not the null device (char 1:3)"
	assert_err_has 'linux.maskedPaths[0]'
	one_line_error
	assert_decoy "$B/rootfs/decoy"
}

test_mask_devnull_not_a_device() {
	# a regular file where /dev/null should be: mknod keeps it (like runc)
	decoy "$B/rootfs/decoy"
	echo leak=regular-file >"$B/rootfs/dev/null"
	no_dev_tmpfs
	cfg "l['maskedPaths'] = ['/decoy']"
	runp_rc cat /decoy
	assert_out_lacks "leak=regular-file"
	assert_rc_not0 "masking with a regular /dev/null"
	assert_err_has "\`/dev/null\` is not the null device (char 1:3)"
	one_line_error
}

test_mask_image_dev_real_null() {
	# /dev from the image, husk makes the real null device: masking works
	decoy "$B/rootfs/decoy"
	mkdir "$B/rootfs/decoydir"
	decoy "$B/rootfs/decoydir/f"
	no_dev_tmpfs
	cfg "l['maskedPaths'] = ['/decoy', '/decoydir', '/missing']"
	runp cat /decoy ls /decoydir stat /decoy
	assert_out_lacks "secret=original"
	grep -q "^stat: /decoy c " "$OUT" || die "/decoy not masked by a char device: $(cat "$OUT")"
}

# ---- item 5: /dev/console replaced by a symlink (CVE-2025-52565 shape) ----

recv() {
	"$PY" "$FT_DIR/recvtty.py" "$TT/tty.sock" "$TT/tty.out" &
	RECV=$!
	trap 'kill $RECV 2>/dev/null || true' EXIT
	for _ in $(seq 100); do
		[ -S "$TT/tty.sock" ] && return 0
		sleep 0.05
	done
	die "receiver did not start"
}

console_attack() { # what /dev/console is made of in the image
	decoy "$B/rootfs/decoy"
	no_dev_tmpfs
	cfg 'p["terminal"] = True'
	set_args /payload stat /decoy
	recv
	rtc create --bundle "$B" --console-socket "$TT/tty.sock" "$ID"
	if [ "$RC" = 0 ]; then
		rt start "$ID" || true
		wait_status "$ID" stopped
		tr -d '\r' <"$TT/tty.out" >"$OUT" 2>/dev/null || true
		rt delete "$ID"
		show
		die "create succeeded with $1"
	fi
	one_line_error
	assert_decoy "$B/rootfs/decoy"
}

test_console_symlink() {
	ln -s /decoy "$B/rootfs/dev/console"
	console_attack "/dev/console a symlink"
	assert_err_has "\`/dev/console\` is a symlink: refusing to mount the console on it"
}

test_console_dir() {
	mkdir "$B/rootfs/dev/console"
	console_attack "/dev/console a directory"
	assert_err_has "\`/dev/console\` is a directory"
}

test_console_dev_symlink() {
	# /dev itself a link: nothing under it is trusted
	mkdir -p "$B/rootfs/devlink"
	rmdir "$B/rootfs/dev"
	ln -s /devlink "$B/rootfs/dev"
	decoy "$B/rootfs/decoy"
	ln -s /decoy "$B/rootfs/devlink/console"
	console_attack "/dev a symlink"
	assert_err_has '/dev'
}

# ---- item 6: /proc writes must land in procfs (CVE-2025-52881 shape) ----

test_sysctl_proc_sys_symlink() {
	mkdir -p "$TT/hostdir/ipv4"
	echo 0 >"$TT/hostdir/ipv4/ip_forward"
	mkdir -p "$B/rootfs/proc/sys"
	ln -s /hostdir "$B/rootfs/proc/sys/net"
	no_proc_mount
	cfg "mount('/hostdir', 'bind', '$TT/hostdir', ['rbind', 'rw'])" \
		"l['sysctl'] = {'net.ipv4.ip_forward': '1'}"
	runp_rc echo ran
	assert_decoy "$TT/hostdir/ipv4/ip_forward" 0
	# husk's own procfs takes the write: the container's real sysctl
	assert_rc 0 "sysctl with a hostile /proc/sys/net"
}

test_sysctl_no_proc_written_right() {
	# no /proc in the container at all: the sysctl still lands in procfs
	no_proc_mount
	cfg "l['sysctl'] = {'kernel.domainname': 'sec-paths.example'}"
	runp hostname
	assert_out_line "domainname: sec-paths.example"
}

test_oom_score_adj_proc_self_symlink() {
	mkdir -p "$TT/hostdir"
	echo 0 >"$TT/hostdir/oom_score_adj"
	ln -s /hostdir "$B/rootfs/proc/self"
	no_proc_mount
	cfg "mount('/hostdir', 'bind', '$TT/hostdir', ['rbind', 'rw'])" 'p["oomScoreAdj"] = 500'
	runp_rc echo ran
	assert_decoy "$TT/hostdir/oom_score_adj" 0
	assert_rc 0 "oomScoreAdj with a hostile /proc/self"
}

test_userns_proc_writes() {
	# in a user namespace the private procfs needs the container's /proc visible
	cfg 'ns("user")' \
		'l["uidMappings"] = [{"containerID": 0, "hostID": 100000, "size": 65536}]' \
		'l["gidMappings"] = [{"containerID": 0, "hostID": 100000, "size": 65536}]' \
		'c["mounts"] = [m for m in c["mounts"] if m["destination"] != "/sys/fs/cgroup"]' \
		"l['sysctl'] = {'net.ipv4.ip_forward': '1'}" \
		"l['maskedPaths'] = ['/decoy', '/proc/kcore']"
	decoy "$B/rootfs/decoy"
	runp sysctl net.ipv4.ip_forward cat /decoy
	assert_out_line "sysctl: net.ipv4.ip_forward 1"
	assert_out_lacks "secret=original"
}

# ---- item 7: /proc or /sys a symlink in the rootfs ----

proc_sys_symlink() { # DIR TYPE
	mkdir "$B/rootfs/elsewhere"
	rmdir "$B/rootfs/$1"
	ln -s /elsewhere "$B/rootfs/$1"
	runp_rc echo ran
	assert_rc_not0 "$2 on a symlinked /$1"
	assert_err_has "filesystem \`$2\` must be mounted on ordinary directory"
	one_line_error
	[ -z "$(ls -A "$B/rootfs/elsewhere")" ] || die "something was made in /elsewhere"
}
test_proc_symlink() { proc_sys_symlink proc proc; }
test_sys_symlink() { proc_sys_symlink sys sysfs; }

# ---- item 8: root.path a symlink ----

test_root_symlink_to_decoy() {
	# the decoy directory stands for "outside" (the host's /)
	mv "$B/rootfs" "$TT/outside"
	ln -s "$TT/outside" "$B/rootfs"
	cfg "mount('/made-by-husk', 'tmpfs', 'tmpfs', ['size=1m'])"
	runp_rc echo ran
	assert_rc_not0 "a symlinked root.path"
	assert_err_has "config.json: root.path: rootfs \`rootfs\` is a symlink or goes through one"
	one_line_error
	[ ! -e "$TT/outside/made-by-husk" ] || die "a mount point was made through the symlink"
}

test_root_through_symlink() {
	mkdir "$TT/real"
	mv "$B/rootfs" "$TT/real/rootfs"
	ln -s "$TT/real" "$B/link"
	cfg "c['root']['path'] = 'link/rootfs'"
	runp_rc echo ran
	assert_rc_not0 "a root.path through a symlink"
	assert_err_has "rootfs \`link/rootfs\` is a symlink or goes through one"
	one_line_error
}

# The host's "/" as the root: the config lacks a mount namespace (and so any
# mounts or masked paths) too, so that a runtime without the root check stops
# at that check instead: nothing is ever made on the host's "/".
root_is_host() { # ROOT.PATH
	cfg "c['root']['path'] = '$1'" "rmns('mount')" "c['mounts'] = []" \
		"l['maskedPaths'] = []" "l['readonlyPaths'] = []"
	runp_rc echo ran
	assert_rc_not0 "root.path \`$1'"
	assert_err_has "config.json: root.path: rootfs \`$1\` is the host's \`/\`"
	one_line_error
}
test_root_symlink_to_host_root() {
	rm -rf "$B/rootfs"
	ln -s / "$B/rootfs"
	root_is_host rootfs
}
test_root_is_host_root() { root_is_host /; }
test_root_dotdot_host_root() { root_is_host ../../../../../../..; }

test_bundle_through_symlink_ok() {
	# only root.path is checked: a bundle reached through a link is fine (runc too)
	ln -s "$B" "$TT/blink"
	set_args /payload echo ran
	rtc run --bundle "$TT/blink" "$ID"
	assert_rc 0 "run --bundle through a symlink"
}

t "mask: image /dev/null a symlink is refused" test_mask_devnull_symlink
t "mask: image /dev/null a regular file is refused" test_mask_devnull_not_a_device
t "mask: image /dev with husk's null device works" test_mask_image_dev_real_null
t "console: /dev/console a symlink is refused" test_console_symlink
t "console: /dev/console a directory is refused" test_console_dir
t "console: /dev a symlink is refused" test_console_dev_symlink
t "sysctl: image /proc/sys/net symlink to a host dir is not written" test_sysctl_proc_sys_symlink
t "sysctl: written without a /proc mount" test_sysctl_no_proc_written_right
t "oomScoreAdj: image /proc/self symlink to a host dir is not written" test_oom_score_adj_proc_self_symlink
t "user namespace: sysctl and masks" test_userns_proc_writes
t "proc on a symlinked /proc is refused" test_proc_symlink
t "sysfs on a symlinked /sys is refused" test_sys_symlink
t "root.path a symlink to a decoy dir is refused" test_root_symlink_to_decoy
t "root.path through a symlink is refused" test_root_through_symlink
t "root.path a symlink to / is refused" test_root_symlink_to_host_root
t "root.path / is refused" test_root_is_host_root
t "root.path .. up to / is refused" test_root_dotdot_host_root
t "bundle through a symlink still runs" test_bundle_through_symlink_ok
finish

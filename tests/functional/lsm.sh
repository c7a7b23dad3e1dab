#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# Linux security modules on a host without SELinux and AppArmor:
# process.selinuxLabel and linux.mountLabel are ignored (runc), an
# apparmorProfile is a clear error that leaves nothing behind
. "$(dirname "$0")/lib.sh"

selinux_on() { [ -e /sys/fs/selinux/enforce ]; }
apparmor_on() {
	[ -d /sys/kernel/security/apparmor ] &&
		[ "$(cat /sys/module/apparmor/parameters/enabled 2>/dev/null)" = Y ]
}

LABEL=system_u:system_r:container_t:s0:c1,c2
MLABEL=system_u:object_r:container_file_t:s0:c1,c2

test_selinux_label_ignored() {
	selinux_on && skip "SELinux is enabled here"
	is_husk || skip "$RT_NAME refuses a selinuxLabel without SELinux"
	cfg "p['selinuxLabel'] = '$LABEL'"
	runp echo hi
	assert_out_line hi
	# create/start the same
	set_args /payload echo hi
	rt create --bundle "$B" "$ID" >"$OUT" 2>"$ERR" </dev/null
	rt start "$ID"
	wait_status "$ID" stopped
	rt delete "$ID"
	assert_out_line hi
}

test_mount_label_accepted() {
	selinux_on && skip "SELinux is enabled here"
	is_husk || skip "$RT_NAME refuses a mountLabel without SELinux"
	cfg "l['mountLabel'] = '$MLABEL'" 'mount("/tmp", "tmpfs", "tmpfs", ["mode=1777"])'
	runp mounts stat /tmp
	grep -q " /tmp [^ ]*.* - tmpfs " "$OUT" || die "no tmpfs on /tmp"
	assert_out_lacks "context="
	assert_out_has "stat: /tmp d 1777 "
}

test_apparmor_refused() {
	apparmor_on && skip "AppArmor is enabled here"
	cfg 'p["apparmorProfile"] = "husk-test-profile"'
	runp_rc echo hi
	assert_rc_not0 "run with an apparmorProfile"
	assert_out_lacks hi
	assert_err_has_i "apparmor"
	is_husk || skip "$RT_NAME's message names neither the profile nor the cause"
	assert_err_has "husk-test-profile"
	assert_err_has "not enabled"
	assert_clean
	rtc create --bundle "$B" "$ID"
	assert_rc_not0 "create with an apparmorProfile"
	assert_err_has "husk-test-profile"
	assert_clean
	# the id is free again
	cfg 'p.pop("apparmorProfile")'
	runp echo hi
	assert_out_line hi
}

test_exec_lsm_flags() {
	set_args /payload sleep 600
	rt run -d --bundle "$B" "$ID" </dev/null
	if ! apparmor_on && is_husk; then
		rtc exec --apparmor husk-test-profile "$ID" /payload echo hi
		assert_rc_not0 "exec --apparmor"
		assert_out_lacks hi
		assert_err_has "husk-test-profile"
		assert_err_has "not enabled"
		# the container is unaffected
		assert_eq "$(status_of "$ID")" running "status after a failed exec"
	fi
	if ! selinux_on && is_husk; then
		rtc exec --process-label "$LABEL" "$ID" /payload echo hi
		assert_rc 0 "exec --process-label"
		assert_out_line hi
	fi
	rt delete --force "$ID"
}

test_exec_process_apparmor() {
	apparmor_on && skip "AppArmor is enabled here"
	is_husk || skip "$RT_NAME's message does not name the profile"
	set_args /payload sleep 600
	rt run -d --bundle "$B" "$ID" </dev/null
	"$PY" - "$TT/p.json" <<'PY'
import json, sys
json.dump({"args": ["/payload", "echo", "hi"], "cwd": "/", "user": {"uid": 0, "gid": 0},
           "apparmorProfile": "husk-test-profile",
           "selinuxLabel": "system_u:system_r:container_t:s0"}, open(sys.argv[1], "w"))
PY
	rtc exec --process "$TT/p.json" "$ID"
	assert_rc_not0 "exec --process with an apparmorProfile"
	assert_err_has "husk-test-profile"
	assert_out_lacks hi
	rt delete --force "$ID"
}

t "process.selinuxLabel is ignored without SELinux" test_selinux_label_ignored
t "linux.mountLabel is accepted without SELinux" test_mount_label_accepted
t "process.apparmorProfile without AppArmor: an error, nothing left" test_apparmor_refused
t "exec --apparmor and --process-label" test_exec_lsm_flags
t "exec --process with an apparmorProfile" test_exec_process_apparmor
finish

#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# failed creates: the error says why, exit 1, and nothing is left behind
# (state dir, cgroup, host mount, process: checked here and by the harness)
. "$(dirname "$0")/lib.sh"

# create_fails WHAT: both create and run fail with status 1, leaving nothing
create_fails() {
	rtc create --bundle "$B" "$ID"
	assert_rc_not0 "create ($1)"
	is_husk && assert_rc 1 "create ($1)"
	assert_clean
	cp "$ERR" "$TT/create.err"
	rtc run --bundle "$B" "$ID"
	assert_rc_not0 "run ($1)"
	is_husk && assert_rc 1 "run ($1)"
	assert_clean
	# the message goes to stderr, stdout stays clean
	[ ! -s "$OUT" ] || die "stdout not empty: $(cat "$OUT")"
	[ -s "$ERR" ] || die "no error message"
	if is_husk; then
		grep -q '^husk: ' "$ERR" || die "message without husk: prefix: $(cat "$ERR")"
	fi
}

test_bad_namespace_type() {
	cfg 'l["namespaces"][2]["type"] = "foo"'
	create_fails "unknown namespace"
	is_husk && assert_err_has "config.json: linux.namespaces[2].type: "
	assert_err_has "foo"
}

test_bad_type() {
	cfg 'p["user"]["uid"] = "zero"'
	create_fails "uid is a string"
	is_husk && assert_err_has "config.json: process.user.uid: "
	true
}

test_bad_json() {
	echo '{"ociVersion": "1.0.2", "process": {' >"$B/config.json"
	create_fails "truncated json"
	is_husk && assert_err_has "config.json"
	true
}

test_missing_config() {
	rm "$B/config.json"
	create_fails "no config.json"
	assert_err_has "config.json"
}

test_missing_bundle() {
	B=$TT/nosuchdir
	create_fails "no bundle"
}

test_relative_cwd() {
	cfg 'p["cwd"] = "relative/dir"'
	create_fails "relative cwd"
	is_husk && assert_err_has "config.json: process.cwd"
	true
}

test_missing_rootfs() {
	cfg 'c["root"]["path"] = "nosuchroot"'
	create_fails "missing rootfs"
	assert_err_has "nosuchroot"
}

test_failing_mount() {
	mkdir -p "$B/rootfs/mnt"
	cfg 'mount("/mnt", "nosuchfs", "none")'
	create_fails "mount of an unknown fs type"
	assert_err_has "/mnt"
}

test_missing_bind_source() {
	cfg "mount('/mnt', 'bind', '$TT/nosuchsource', ['rbind'])"
	create_fails "bind of a missing source"
	assert_err_has "nosuchsource"
}

test_failing_hook() {
	cfg 'hook("createRuntime", "/bin/false")'
	create_fails "createRuntime hook fails"
}

test_missing_executable() {
	set_args foo
	create_fails "missing executable"
	msg='exec: "foo": executable file not found in $PATH'
	# runc quotes it again in its logrus line
	is_husk || msg='executable file not found in $PATH'
	assert_err_has "$msg"
	grep -F "$msg" "$TT/create.err" >/dev/null || die "create: $(cat "$TT/create.err")"
}

test_missing_absolute_executable() {
	set_args /nosuch/prog
	create_fails "missing absolute executable"
	assert_err_has "/nosuch/prog"
	assert_err_has_i "no such file or directory"
}

test_not_executable() {
	set_args /etc/passwd
	create_fails "not executable"
	assert_err_has "/etc/passwd"
	assert_err_has_i "permission denied"
}

test_empty_args() {
	cfg 'p["args"] = []'
	create_fails "empty args"
	is_husk && assert_err_has "config.json: process.args"
	true
}

test_bad_rlimit() {
	cfg 'p["rlimits"] = [{"type": "RLIMIT_FOO", "hard": 1, "soft": 1}]'
	create_fails "unknown rlimit"
	assert_err_has "RLIMIT_FOO"
}

test_bad_capability() {
	# config.md (runtime-spec 1.1+): a capability that cannot be mapped is
	# logged as a warning, runtimes should not fail (runc 1.1 warns too);
	# what is not a string stays an error
	cfg 'p["capabilities"]["bounding"].append("CAP_FOO")'
	runp caps
	assert_err_has CAP_FOO
	is_husk && assert_err_has 'config.json: process.capabilities.bounding[3]: unknown capability `CAP_FOO`, ignored'
	cfg 'p["capabilities"]["bounding"][3] = 7'
	create_fails "a capability that is a number"
	is_husk && assert_err_has "config.json: process.capabilities.bounding[3]: expected a string"
	true
}

test_userns_without_mappings_fails_cleanly() {
	# overlapping ranges: the kernel refuses the uid_map write
	cfg 'ns("user")' 'l["uidMappings"] = [{"containerID": 0, "hostID": 100000, "size": 100}, {"containerID": 50, "hostID": 300000, "size": 100}]' \
		'l["gidMappings"] = [{"containerID": 0, "hostID": 100000, "size": 100}]'
	create_fails "overlapping id mappings"
}

test_missing_ns_path() {
	cfg "ns('network', '$TT/nosuchns')"
	create_fails "namespace path missing"
	assert_err_has "nosuchns"
}

test_log_json_on_error() {
	set_args foo
	rtc --log "$TT/log.json" --log-format json create --bundle "$B" "$ID"
	assert_rc_not0 create
	[ -s "$TT/log.json" ] || die "empty log"
	# the last line is one JSON object with level error and the message
	tail -n1 "$TT/log.json" | cfgpy get 'j["level"]' >"$TT/level"
	assert_eq "$(cat "$TT/level")" error "log level"
	tail -n1 "$TT/log.json" | cfgpy get 'j["msg"]' >"$TT/msg"
	grep -qF 'executable file not found in $PATH' "$TT/msg" || die "log msg: $(cat "$TT/msg")"
	assert_err_has 'executable file not found in $PATH'
	# podman reads the whole log file as ONE JSON object
	cfgpy get 'j["msg"]' <"$TT/log.json" >/dev/null || die "log is not one JSON object: $(cat "$TT/log.json")"
}

# one_line: the error is exactly one line, at most a few hundred bytes
one_line() {
	[ "$(wc -l <"$ERR")" -eq 1 ] || die "not one line: $(head -c 600 "$ERR")"
	[ "$(wc -c <"$ERR")" -le 600 ] || die "$(wc -c <"$ERR") bytes: $(head -c 600 "$ERR")"
}

test_uid_max_refused() {
	# setresuid(-1) means "unchanged": 4294967295 used to run the process as root
	set_args /payload ids
	cfg 'p["user"]["uid"] = 4294967295' 'p["user"]["gid"] = 4294967295'
	create_fails "uid 4294967295"
	is_husk && assert_err_has 'config.json: process.user.uid: `4294967295` is out of range [0, 2147483647]'
	one_line
	cfg 'p["user"] = {"uid": 0, "gid": 0, "additionalGids": [4294967295]}'
	create_fails "additionalGids 4294967295"
	is_husk && assert_err_has 'config.json: process.user.additionalGids[0]: `4294967295` is out of range'
	true
}

test_exec_user_max_refused() {
	set_args /payload sleep 600
	rt run -d --bundle "$B" "$ID" </dev/null
	rtc exec --user 4294967295:4294967295 "$ID" /payload ids
	assert_rc_not0 "exec --user 4294967295:4294967295"
	# a failure of exec itself: 255, as runc's
	is_husk && assert_rc 255 "exec --user"
	is_husk && assert_err_has '--user: `4294967295` is out of range [0, 2147483647]'
	grep -q 'uid: 0' "$OUT" && die "ran as root: $(cat "$OUT")"
	one_line
	rtc exec --user 0:2147483648 "$ID" /payload ids
	assert_rc_not0 "exec --user 0:2147483648"
	is_husk && assert_err_has '--user: `2147483648` is out of range'
	# no exec'd process left: only the init
	[ "$(marked_pids "$MARK" | wc -l)" -le 1 ] || die "processes left: $(marked_pids "$MARK")"
	rt delete --force "$ID"
}

# bad_id ID: create and run refuse it in one line, nothing left behind
bad_id() {
	local id=$1
	shift
	rtc "$@" create --bundle "$B" "$id"
	assert_rc 1 "create $(printf %q "$id")"
	one_line
	assert_clean
	rtc "$@" run --bundle "$B" "$id"
	assert_rc 1 "run $(printf %q "$id")"
	one_line
	assert_clean
}

test_bad_ids() {
	is_husk || skip "husk's id rule (no leading dot)"
	bad_id .x
	assert_err_has 'invalid container id `.x`: starts with a dot'
	# with --no-new-keyring it used to exist, hidden from `list`
	bad_id .x --no-new-keyring
	bad_id ..
	bad_id "$(printf 'a\nb')"
	assert_err_has 'invalid container id `a\nb`'
	bad_id "$(printf 'a\033[2Jb')"
	assert_err_has 'invalid container id `a\x1b[2Jb`'
	bad_id "a/b"
	rtc list -q
	assert_out_lacks x
}

test_cgroup_write_names_field() {
	# a cpu list the kernel refuses: the message says which field
	[ -e /sys/fs/cgroup/cpuset/cpuset.cpus ] || grep -qw cpuset /sys/fs/cgroup/cgroup.controllers 2>/dev/null ||
		skip "no cpuset controller"
	cfg 'l["resources"]["cpu"] = {"cpus": "100000"}'
	create_fails "cpuset.cpus refused by the kernel"
	is_husk && assert_err_has 'config.json: linux.resources.cpu.cpus: write `100000` to `'
	one_line
}

test_huge_values_capped() {
	# 50 MB values: one line of a few hundred bytes naming the field, nothing left
	cfg 'l["cgroupsPath"] = "/husk-test/" + "x" * (50 * 1024 * 1024)'
	create_fails "50 MB cgroupsPath"
	one_line
	assert_err_has 'xxx…`'
	cfg 'l["cgroupsPath"] = "/husk-test/'"$CGNAME"'"' 'c["hostname"] = "x" * (50 * 1024 * 1024)'
	create_fails "50 MB hostname"
	is_husk && assert_err_has 'config.json: hostname: `xxx'
	one_line
	cfg 'c["hostname"] = "h"' 'p["cwd"] = "/" + "x" * (50 * 1024 * 1024)'
	create_fails "50 MB cwd"
	assert_err_has_i "cwd"
	one_line
	cfg 'p["cwd"] = "/"' 'mount("/" + "x" * (50 * 1024 * 1024), "tmpfs", "tmpfs")'
	create_fails "50 MB mount destination"
	one_line
	grep -q "exited unexpectedly" "$ERR" && die "no reason given: $(cat "$ERR")"
	true
}

test_caps_permitted_missing() {
	# effective but not permitted: capset refuses it; the plan says which one
	cfg 'p["capabilities"]["permitted"] = None'
	create_fails "capabilities.permitted null"
	is_husk && assert_err_has 'config.json: process.capabilities.effective[0]: `CAP_AUDIT_WRITE` is not in capabilities.permitted'
	one_line
	cfg 'del p["capabilities"]["permitted"]'
	create_fails "capabilities.permitted missing"
	is_husk && assert_err_has 'config.json: process.capabilities.effective[0]: '
	true
}

test_config_text_refused() {
	# comments and invalid UTF-8: refused with the place, one line
	"$PY" - "$B/config.json" <<-'PYEOF'
		import sys
		p = sys.argv[1]
		t = open(p, "rb").read()
		open(p, "wb").write(b"/* c */" + t)
	PYEOF
	create_fails "a comment in config.json"
	is_husk && assert_err_has 'config.json: invalid JSON: comments are not allowed at line 1, column 1'
	new_bundle "$TT/b2"
	"$PY" - "$B/config.json" <<-'PYEOF'
		import sys
		p = sys.argv[1]
		t = open(p, "rb").read()
		open(p, "wb").write(t.replace(b'"hello"', b'"hel\xed\xa0\x80lo"', 1))
	PYEOF
	grep -q "$(printf '\355\240\200')" "$B/config.json" || die "no surrogate in the config"
	create_fails "a UTF-16 surrogate in config.json"
	is_husk && assert_err_has 'config.json: process.args[2]: invalid JSON: invalid UTF-8 at line'
	one_line
}

t "bad namespace type: config.json path in the message" test_bad_namespace_type
t "wrong JSON type" test_bad_type
t "truncated config.json" test_bad_json
t "missing config.json" test_missing_config
t "missing bundle" test_missing_bundle
t "relative process.cwd" test_relative_cwd
t "missing rootfs" test_missing_rootfs
t "failing mount" test_failing_mount
t "missing bind source" test_missing_bind_source
t "failing createRuntime hook" test_failing_hook
t "missing executable: exact message" test_missing_executable
t "missing absolute executable" test_missing_absolute_executable
t "executable without x bit" test_not_executable
t "empty process.args" test_empty_args
t "unknown rlimit" test_bad_rlimit
t "unknown capability warns, a number is refused" test_bad_capability
t "impossible user namespace mapping" test_userns_without_mappings_fails_cleanly
t "missing namespace path" test_missing_ns_path
t "--log json on error" test_log_json_on_error
t "uid/gid 4294967295 refused, not run as root" test_uid_max_refused
t "exec --user 4294967295:4294967295 refused" test_exec_user_max_refused
t "ids with a leading dot, a newline, control characters refused in one line" test_bad_ids
t "cgroup write failure names the linux.resources field" test_cgroup_write_names_field
t "50 MB values: one capped line naming the field" test_huge_values_capped
t "capabilities.permitted null or missing: the plan names the cap" test_caps_permitted_missing
t "comments and invalid UTF-8 in config.json refused" test_config_text_refused
finish

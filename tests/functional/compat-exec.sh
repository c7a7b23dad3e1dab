#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# Drop-in for runc (issue 11), capabilities and exec: unknown capability
# names warn and are skipped (config.json, exec --cap, exec -p), exec sets
# HOME, exec's process.json without user, exec --cgroup, and exec's exit
# statuses.  Every test runs against husk and runc 1.1 (run-all.sh runs
# this file a second time with RUNTIME=runc); the assertions are the same
# unless a test says why not.
. "$(dirname "$0")/lib.sh"

CAP_KILL=0x20 CAP_NET_BIND=0x400 CAP_AUDIT_WRITE=0x20000000
hex() { printf '%016x' $(($@)); }
DEFAULT_MASK=$(hex $CAP_KILL + $CAP_NET_BIND + $CAP_AUDIT_WRITE)

# up: run the container detached with a long-running init, sets PID
up() {
	set_args /payload sleep 600
	rt run -d --bundle "$B" "$ID" </dev/null
	PID=$(pid_of "$ID")
}
down() { rt delete --force "$ID"; }
# caps_lines: the five Cap* lines of the last payload output, sorted
caps_lines() { grep '^Cap' "$OUT" | sort; }

# ---- item 1: unknown capabilities warn and are skipped ----

# config.md (runtime-spec 1.1+): a capability that cannot be mapped or
# granted MUST be logged as a warning; runtimes SHOULD NOT fail.  runc 1.1
# logs "ignoring unknown or unavailable capabilities: [...]" and runs.
test_caps_unknown_config() {
	runp caps
	base=$(caps_lines)
	cfg 'for s in ("bounding", "effective", "permitted", "ambient"): p["capabilities"][s].insert(1, "CAP_UNKNOWN")' \
		'p["capabilities"]["inheritable"] = ["CAP_UNKNOWN", ""]'
	rtc --log "$TT/log.json" --log-format json run --bundle "$B" "$ID"
	assert_rc 0 "run with CAP_UNKNOWN in every set"
	assert_eq "$(caps_lines)" "$base" "capability sets"
	assert_out_line "CapBnd: $DEFAULT_MASK"
	assert_out_line "CapEff: $DEFAULT_MASK"
	# the warning: in the --log file (runc writes it only there, husk to stderr too)
	grep -qF CAP_UNKNOWN "$ERR" "$TT/log.json" || {
		show
		die "no warning naming CAP_UNKNOWN"
	}
	grep -q '"level":"warning"' "$TT/log.json" || die "no warning in the log: $(cat "$TT/log.json")"
	if is_husk; then
		for s in bounding effective permitted ambient; do
			assert_err_has "husk: warning: config.json: process.capabilities.${s}[1]: unknown capability \`CAP_UNKNOWN\`, ignored"
		done
		assert_err_has "husk: warning: config.json: process.capabilities.inheritable[0]: unknown capability \`CAP_UNKNOWN\`, ignored"
		assert_err_has "husk: warning: config.json: process.capabilities.inheritable[1]: unknown capability \`\`, ignored"
		grep -qF "process.capabilities.bounding[1]: unknown capability \`CAP_UNKNOWN\`, ignored" "$TT/log.json" ||
			die "warning not in --log: $(cat "$TT/log.json")"
	fi
}

# what is not a string is still refused (runc: its JSON decoding fails)
test_caps_not_a_string() {
	cfg 'p["capabilities"]["bounding"].append(5)'
	set_args /payload echo hi
	rtc run --bundle "$B" "$ID"
	assert_rc_not0 "a capability that is a number"
	assert_out_lacks hi
	is_husk && assert_err_has "config.json: process.capabilities.bounding[3]: expected a string, got a number"
	true
}

test_caps_unknown_plan() {
	is_husk || skip "runc 1.1 has no plan command"
	cfg 'p["capabilities"]["bounding"].insert(0, "CAP_UNKNOWN")'
	rtc plan --bundle "$B" "$ID"
	assert_rc 0 "plan with CAP_UNKNOWN"
	assert_err_has "husk: warning: config.json: process.capabilities.bounding[0]: unknown capability \`CAP_UNKNOWN\`, ignored"
	assert_out_line "  bounding: CAP_KILL CAP_NET_BIND_SERVICE CAP_AUDIT_WRITE"
	assert_out_lacks CAP_UNKNOWN
}

test_exec_cap_unknown() {
	up
	rtc exec "$ID" /payload caps
	base=$(caps_lines)
	rtc exec --cap CAP_UNKNOWN "$ID" /payload caps
	assert_rc 0 "exec --cap CAP_UNKNOWN"
	assert_eq "$(caps_lines)" "$base" "capability sets with --cap CAP_UNKNOWN"
	assert_err_has CAP_UNKNOWN
	is_husk && assert_err_has "husk: warning: --cap: unknown capability \`CAP_UNKNOWN\`, ignored"
	# with a known one as well: that one is added
	rtc exec --cap CAP_UNKNOWN --cap CAP_CHOWN "$ID" /payload caps
	assert_rc 0 "exec --cap CAP_UNKNOWN --cap CAP_CHOWN"
	assert_out_line "CapBnd: $(hex 0x1 + $CAP_KILL + $CAP_NET_BIND + $CAP_AUDIT_WRITE)"
	down
}

test_exec_process_cap_unknown() {
	up
	cat >"$TT/process.json" <<'EOF'
{"args": ["/payload", "caps"], "cwd": "/", "user": {"uid": 0, "gid": 0},
 "capabilities": {"bounding": ["CAP_KILL", "CAP_UNKNOWN"], "effective": ["CAP_KILL", "CAP_UNKNOWN"],
                  "permitted": ["CAP_KILL"]}}
EOF
	rtc exec -p "$TT/process.json" "$ID"
	assert_rc 0 "exec -p with CAP_UNKNOWN"
	assert_out_line "CapBnd: $(hex $CAP_KILL)"
	assert_out_line "CapEff: $(hex $CAP_KILL)"
	assert_err_has CAP_UNKNOWN
	is_husk && assert_err_has "husk: warning: $TT/process.json: capabilities.bounding[1]: unknown capability \`CAP_UNKNOWN\`, ignored"
	down
}

# ---- item 2: exec sets HOME from the container's /etc/passwd ----

# add_user NAME UID HOME: a passwd entry (the rootfs files are hard links to
# the shared base: replace the file, never write into it)
add_user() {
	{
		cat "$B/rootfs/etc/passwd"
		echo "$1:x:$2:$2::$3:/bin/sh"
	} >"$TT/passwd"
	rm "$B/rootfs/etc/passwd"
	cp "$TT/passwd" "$B/rootfs/etc/passwd"
}

test_exec_home() {
	add_user worker 1234 /home/worker
	up
	rtc exec "$ID" /payload getenv HOME
	assert_rc 0 "exec getenv HOME"
	assert_out_line "getenv: HOME=/root"
	rtc exec -u 1234 "$ID" /payload getenv HOME
	assert_out_line "getenv: HOME=/home/worker"
	rtc exec -u 65534:65534 "$ID" /payload getenv HOME
	assert_out_line "getenv: HOME=/nonexistent"
	rtc exec -u 4242 "$ID" /payload getenv HOME
	assert_out_line "getenv: HOME=/"
	rtc exec -e HOME=/mine -u 1234 "$ID" /payload getenv HOME
	assert_out_line "getenv: HOME=/mine"
	# process.json: the same rule, and a HOME in its env is kept
	echo '{"args": ["/payload", "getenv", "HOME"], "cwd": "/", "user": {"uid": 1234, "gid": 1234}}' >"$TT/p1.json"
	rtc exec -p "$TT/p1.json" "$ID"
	assert_out_line "getenv: HOME=/home/worker"
	echo '{"args": ["/payload", "getenv", "HOME"], "cwd": "/", "env": ["HOME=/kept"], "user": {"uid": 1234, "gid": 1234}}' >"$TT/p2.json"
	rtc exec -p "$TT/p2.json" "$ID"
	assert_out_line "getenv: HOME=/kept"
	down
}

# the container's own HOME in config.json's env is kept for exec too
test_exec_home_from_config() {
	cfg 'env("HOME=/from-config")'
	up
	rtc exec -u 1234 "$ID" /payload getenv HOME
	assert_rc 0
	assert_out_line "getenv: HOME=/from-config"
	down
}

# ---- item 3: exec's process.json without user runs as 0:0 ----

test_exec_process_no_user() {
	up
	echo '{"args": ["/payload", "ids"], "cwd": "/"}' >"$TT/p.json"
	rtc exec -p "$TT/p.json" "$ID"
	assert_rc 0 "exec -p without user"
	assert_out_line "uid: 0 0 0"
	assert_out_line "gid: 0 0 0"
	echo '{"args": ["/payload", "ids"], "cwd": "/", "user": {"uid": 5}}' >"$TT/p.json"
	rtc exec -p "$TT/p.json" "$ID"
	assert_rc 0 "exec -p without user.gid"
	assert_out_line "uid: 5 5 5"
	assert_out_line "gid: 0 0 0"
	# cwd stays required (runc: "Cwd property must not be empty")
	echo '{"args": ["/payload", "ids"]}' >"$TT/p.json"
	rtc exec -p "$TT/p.json" "$ID"
	assert_rc 255 "exec -p without cwd"
	is_husk && assert_err_has "p.json: cwd: missing required field"
	down
}

test_config_no_user() {
	is_husk || skip "runc 1.1 runs a config.json without process.user as 0:0 (Go's zero value); the spec makes it REQUIRED"
	cfg 'del p["user"]'
	set_args /payload ids
	rtc run --bundle "$B" "$ID"
	assert_rc_not0 "run without process.user"
	assert_err_has "config.json: process.user: missing required field"
}

# ---- item 12: exec --cgroup ----

# make_sub NAME: NAME under the container's cgroup in every hierarchy (a v1
# cpuset one gets its parent's cpus and mems, or the kernel refuses tasks)
make_sub() {
	local d
	for d in $(cgroup_dirs "$CGNAME"); do
		mkdir "$d/$1"
		if [ -f "$d/cpuset.cpus" ]; then
			cat "$d/cpuset.cpus" >"$d/$1/cpuset.cpus"
			cat "$d/cpuset.mems" >"$d/$1/cpuset.mems"
		fi
	done
}
rm_sub() {
	local d
	for d in $(cgroup_dirs "$CGNAME"); do rmdir "$d/$1"; done
}

test_exec_cgroup() {
	up
	make_sub sub
	rtc exec --cgroup sub "$ID" cat /proc/self/cgroup
	assert_rc 0 "exec --cgroup sub"
	# every hierarchy (v1 ones, and the cgroup2 one) has the process in sub
	[ "$(grep -c . "$OUT")" -ge 1 ] || die "no /proc/self/cgroup lines"
	if grep -v ":/husk-test/$CGNAME/sub\$" "$OUT"; then
		show
		die "a hierarchy without sub"
	fi
	# a leading / is relative to the container's cgroup too (runc's path.Join)
	rtc exec --cgroup /sub "$ID" cat /proc/self/cgroup
	assert_rc 0 "exec --cgroup /sub"
	grep -v ":/husk-test/$CGNAME/sub\$" "$OUT" && die "/sub is not the container's sub"
	# without --cgroup: the container's cgroup
	rtc exec "$ID" cat /proc/self/cgroup
	grep -v ":/husk-test/$CGNAME\$" "$OUT" && die "plain exec not in the container's cgroup"
	rm_sub sub
	down
}

test_exec_cgroup_v1_controller() {
	cgroup_v2 && skip "controller:path is for cgroup v1 hierarchies (pure v2 host)"
	up
	make_sub sub
	rtc exec --cgroup memory,pids:sub --cgroup name=systemd:sub "$ID" cat /proc/self/cgroup
	assert_rc 0 "exec --cgroup memory,pids:sub"
	assert_out_has ":memory:/husk-test/$CGNAME/sub"
	assert_out_has ":pids:/husk-test/$CGNAME/sub"
	assert_out_has ":name=systemd:/husk-test/$CGNAME/sub"
	# the other hierarchies keep the container's cgroup
	assert_out_line "$(grep ':freezer:' "/proc/$PID/cgroup")"
	if grep -q '^0::' "/proc/$PID/cgroup"; then
		assert_out_line "$(grep '^0::' "/proc/$PID/cgroup")"
	fi
	rm_sub sub
	down
}

test_exec_cgroup_refused() {
	up
	make_sub sub
	for bad in ../x sub/../.. /../x ../"$CGNAME"x; do
		rtc exec --cgroup "$bad" "$ID" /payload echo hi
		assert_rc 255 "exec --cgroup $bad"
		assert_out_lacks hi
		is_husk && assert_err_has "--cgroup: \`$bad\` is not inside the container's cgroup"
	done
	rtc exec --cgroup memory:../.. "$ID" /payload echo hi
	assert_rc 255 "exec --cgroup memory:../.."
	# the sub-cgroup must exist (runc fails writing its cgroup.procs)
	rtc exec --cgroup nosuch "$ID" /payload echo hi
	assert_rc 255 "exec --cgroup to a missing sub-cgroup"
	assert_out_lacks hi
	assert_err_has nosuch
	is_husk && assert_err_has "--cgroup: sub-cgroup \`nosuch\` does not exist"
	rtc exec --cgroup nosuchctl:sub "$ID" /payload echo hi
	assert_rc 255 "exec --cgroup with an unknown controller"
	assert_err_has nosuchctl
	rtc exec --cgroup a:b:c "$ID" /payload echo hi
	assert_rc 255 "exec --cgroup a:b:c"
	# no process left in the sub-cgroup or anywhere (the harness checks the rest)
	for d in $(cgroup_dirs "$CGNAME"); do
		[ -z "$(cat "$d/sub/cgroup.procs")" ] || die "process left in $d/sub"
	done
	rm_sub sub
	down
}

# ---- item 13: exit statuses ----

test_exec_status_runtime_failures() {
	up
	rtc exec "nosuch-$ID" /payload echo hi
	assert_rc 255 "exec in a missing container"
	rtc exec -u nobody "$ID" /payload ids
	assert_rc 255 "exec -u with a name"
	rtc exec -u 5:x "$ID" /payload ids
	assert_rc 255 "exec -u with a bad gid"
	rtc exec --cwd /no/such/dir "$ID" /payload cwd
	assert_rc 255 "exec --cwd to a missing directory"
	assert_out_lacks "cwd:"
	rtc exec "$ID"
	assert_rc 255 "exec without a command"
	rtc exec -p "$TT/nosuch.json" "$ID"
	assert_rc 255 "exec -p with a missing file"
	echo '{"args": [], "cwd": "/"}' >"$TT/empty.json"
	rtc exec -p "$TT/empty.json" "$ID"
	assert_rc 255 "exec -p with empty args"
	rtc exec --pid-file "$TT/no/such/dir/pid" "$ID" /payload sleep 600
	assert_rc 255 "exec with an unwritable --pid-file"
	# the process was not left running (runc terminates it too)
	sleep 0.2
	[ "$(rt ps "$ID" | grep -c 'payload sleep')" = 1 ] || die "processes left: $(rt ps "$ID")"
	# a usage error is 1, as runc's ("Incorrect Usage")
	rtc exec --no-such-option "$ID" /payload echo hi
	assert_rc 1 "exec with an unknown option"
	down
}

test_exec_status_paused_stopped() {
	up
	rt pause "$ID"
	rtc exec "$ID" /payload echo hi
	assert_rc 255 "exec in a paused container"
	assert_err_has "paused"
	rt resume "$ID"
	rt kill "$ID" KILL
	wait_status "$ID" stopped
	rtc exec "$ID" /payload echo hi
	assert_rc 255 "exec in a stopped container"
	assert_out_lacks hi
	rt delete "$ID"
}

test_exec_status_process() {
	up
	rtc exec "$ID" /payload exit 3
	assert_rc 3 "the process's own status"
	rtc exec "$ID" sh -c 'kill -9 $$'
	assert_rc 137 "killed by SIGKILL: 128+9"
	rtc exec "$ID" /payload exit 0
	assert_rc 0
	down
}

# not found / not runnable: husk gives the shell's 127 / 126 (podman and
# docker report those); runc 1.1 fails in its init before execve: 255
test_exec_status_not_found() {
	up
	rtc exec "$ID" no-such-binary
	if is_husk; then assert_rc 127 "not found"; else assert_rc 255 "not found (runc)"; fi
	assert_err_has no-such-binary
	rtc exec "$ID" /no/such/binary
	if is_husk; then assert_rc 127 "missing path"; else assert_rc 255 "missing path (runc)"; fi
	rtc exec "$ID" /etc/passwd
	if is_husk; then assert_rc 126 "not executable"; else assert_rc 255 "not executable (runc)"; fi
	assert_err_has_i "permission denied"
	down
}

t "unknown capabilities in config.json: warned, skipped" test_caps_unknown_config
t "a capability that is not a string is refused" test_caps_not_a_string
t "husk plan: unknown capabilities skipped, warned" test_caps_unknown_plan
t "exec --cap CAP_UNKNOWN: warned, skipped" test_exec_cap_unknown
t "exec -p with an unknown capability: warned, skipped" test_exec_process_cap_unknown
t "exec sets HOME from /etc/passwd" test_exec_home
t "exec keeps the config's HOME" test_exec_home_from_config
t "exec -p without user runs as 0:0" test_exec_process_no_user
t "config.json without process.user is refused" test_config_no_user
t "exec --cgroup PATH: every hierarchy" test_exec_cgroup
t "exec --cgroup CTRL:PATH: v1 controllers only" test_exec_cgroup_v1_controller
t "exec --cgroup: escapes and missing sub-cgroups refused" test_exec_cgroup_refused
t "exec exits 255 when exec itself fails" test_exec_status_runtime_failures
t "exec exits 255 in a paused or stopped container" test_exec_status_paused_stopped
t "exec exits with the process's status" test_exec_status_process
t "exec of a missing or non-executable command" test_exec_status_not_found
finish

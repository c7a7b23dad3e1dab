#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# Drop-in for runc, the command line (issue 11, items 8, 10, 11, 14, 15, 16):
# every test runs against husk and runc 1.1 (RUNTIME=/usr/sbin/runc) with the
# same assertions; is_husk guards only what runc 1.1 itself lacks.
. "$(dirname "$0")/lib.sh"

# ---- item 8: a terminal with --detach needs --console-socket ----

test_run_detach_terminal() {
	set_args /payload sleep 60
	cfg "c['process']['terminal'] = True"
	rtc run -d --bundle "$B" "$ID"
	# runc: "cannot allocate tty if runc will detach without setting console socket"
	assert_rc_not0 "run -d with a terminal and no --console-socket"
	grep -Eqi 'console.socket' "$ERR" || {
		show
		die "the message does not name the console socket"
	}
	if is_husk; then assert_err_has "--console-socket"; fi
	[ ! -e "$ROOT/$ID" ] || die "state dir left"
}

test_create_terminal() {
	set_args /payload sleep 60
	cfg "c['process']['terminal'] = True"
	rtc create --bundle "$B" "$ID"
	assert_rc_not0 "create with a terminal and no --console-socket"
	grep -Eqi 'console.socket' "$ERR" || {
		show
		die "the message does not name the console socket"
	}
	if is_husk; then assert_err_has "--console-socket"; fi
	[ ! -e "$ROOT/$ID" ] || die "state dir left"
}

# ---- item 10: spec's cgroup namespace only on a pure cgroup v2 host ----

# has_cgroupns FILE: config FILE lists a cgroup namespace
has_cgroupns() {
	"$PY" -c 'import json,sys
ns = [n["type"] for n in json.load(open(sys.argv[1]))["linux"]["namespaces"]]
sys.exit(0 if "cgroup" in ns else 1)' "$1"
}

test_spec_cgroupns() {
	local d want
	want=no
	if cgroup_v2; then want=yes; fi
	for d in plain rootless; do
		mkdir "$TT/$d"
		if [ $d = plain ]; then rtc spec -b "$TT/$d"; else rtc spec --rootless -b "$TT/$d"; fi
		assert_rc 0 "spec ($d)"
		if has_cgroupns "$TT/$d/config.json"; then got=yes; else got=no; fi
		assert_eq "$got" "$want" "cgroup namespace in spec ($d) on this host"
	done
	is_husk || return 0
	# husk only: HUSK_CGROUP_LAYOUT stands for another host's layout
	for l in v1 hybrid v2; do
		mkdir "$TT/$l"
		HUSK_CGROUP_LAYOUT=$l rtc spec -b "$TT/$l"
		assert_rc 0 "spec for $l"
		if has_cgroupns "$TT/$l/config.json"; then got=yes; else got=no; fi
		[ $l = v2 ] && want=yes || want=no
		assert_eq "$got" "$want" "cgroup namespace in spec for a $l host"
	done
}

# the spec's namespaces in the test config: /proc/self/cgroup shows the
# container's real cgroup path where spec leaves the cgroup namespace out
test_spec_namespaces_cgroup_path() {
	mkdir "$TT/s"
	rt spec -b "$TT/s"
	cfg "c['linux']['namespaces'] = __import__('json').load(open('$TT/s/config.json'))['linux']['namespaces']"
	runp cat /proc/self/cgroup
	if cgroup_v2; then
		# the cgroup namespace hides the path: the container is its own root
		assert_out_line "0::/"
	else
		assert_out_has "/husk-test/$CGNAME"
	fi
}

# ---- item 11: kernelTCP ----

kmem_tcp_file() {
	local d
	for d in $(cgroup_dirs "$CGNAME"); do
		[ -e "$d/memory.kmem.tcp.limit_in_bytes" ] && echo "$d/memory.kmem.tcp.limit_in_bytes"
	done
	true
}

test_kernel_tcp() {
	is_husk || skip "runc 1.1: ignores kernelTCP and update --kernel-memory-tcp (\"Kernel memory settings are ignored and will be removed\")"
	[ -e /sys/fs/cgroup/memory/memory.kmem.tcp.limit_in_bytes ] ||
		skip "this kernel's cgroup v1 memory controller has no memory.kmem.tcp.limit_in_bytes"
	set_args /payload sleep 60
	cfg "c['linux']['resources']['memory'] = {'kernelTCP': 8388608}"
	rtc run -d --bundle "$B" "$ID"
	assert_rc 0 "run -d with kernelTCP"
	f=$(kmem_tcp_file)
	[ -n "$f" ] || die "no memory.kmem.tcp.limit_in_bytes in $(cgroup_dirs "$CGNAME")"
	assert_eq "$(cat "$f")" 8388608 "memory.kmem.tcp.limit_in_bytes"
	rtc update --kernel-memory-tcp 16m "$ID"
	assert_rc 0 "update --kernel-memory-tcp"
	assert_eq "$(cat "$f")" 16777216 "memory.kmem.tcp.limit_in_bytes after update"
	rt delete -f "$ID"
}

# ---- item 14: list ----

test_list_fields() {
	set_args /payload sleep 60
	rt create --bundle "$B" "$ID"
	rtc list --format json
	assert_rc 0 "list --format json"
	"$PY" - "$OUT" "$ID" "$B" <<'EOF' || die "list json: $(cat "$OUT")"
import json, sys
v = json.load(open(sys.argv[1]))
assert len(v) == 1, v
e = v[0]
want = {"ociVersion", "id", "pid", "status", "bundle", "rootfs", "created", "owner"}
assert set(e) == want, sorted(set(e) ^ want)
assert e["ociVersion"], e
assert e["id"] == sys.argv[2] and e["status"] == "created" and e["pid"] > 0, e
assert e["bundle"] == sys.argv[3] and e["rootfs"] == sys.argv[3] + "/rootfs", e
assert e["owner"] == "root", e
EOF
	rtc list -q
	assert_rc 0 "list -q"
	assert_eq "$(cat "$OUT")" "$ID" "list -q"
	rtc list
	assert_rc 0 "list"
	head -n1 "$OUT" | grep -Eq '^ID +PID +STATUS +BUNDLE +CREATED +OWNER$' || die "header: $(head -n1 "$OUT")"
	sed -n 2p "$OUT" | grep -Eq "^$ID +[0-9]+ +created +$B +[0-9T:.Z-]+ +root\$" ||
		die "row: $(sed -n 2p "$OUT")"
	rt delete -f "$ID"
}

# ---- item 15: delete of a created container ----

test_delete_created() {
	set_args /payload sleep 60
	rt create --bundle "$B" "$ID"
	pid=$(pid_of "$ID")
	rtc delete "$ID"
	assert_rc 0 "delete of a created container without --force"
	assert_gone "$pid" init
	[ ! -e "$ROOT/$ID" ] || die "state dir left"
	rtc state "$ID"
	assert_rc_not0 "state after delete"
}

test_delete_running_paused() {
	set_args /payload sleep 60
	rt run -d --bundle "$B" "$ID"
	pid=$(pid_of "$ID")
	rtc delete "$ID"
	assert_rc_not0 "delete of a running container without --force"
	alive "$pid" || die "init killed by a refused delete"
	rt pause "$ID"
	rtc delete "$ID"
	assert_rc_not0 "delete of a paused container without --force"
	rt resume "$ID"
	alive "$pid" || die "init killed by a refused delete"
	rt delete --force "$ID"
	assert_gone "$pid" init
}

# ---- item 16: help ----

COMMANDS="create start run exec state kill delete pause resume ps update list spec events features"

test_help_every_command() {
	local c
	for c in $COMMANDS; do
		rtc "$c" --help
		assert_rc 0 "$c --help"
		grep -qi '^usage' "$OUT" || { show; die "$c --help: no usage"; }
		[ ! -s "$ERR" ] || { show; die "$c --help wrote to stderr"; }
		cp "$OUT" "$TT/help"
		rtc "$c" -h
		assert_rc 0 "$c -h"
		cmp -s "$OUT" "$TT/help" || die "$c -h differs from $c --help"
		rtc help "$c"
		assert_rc 0 "help $c"
		cmp -s "$OUT" "$TT/help" || die "help $c differs from $c --help"
	done
	rtc --help
	assert_rc 0 "--help"
	cp "$OUT" "$TT/help"
	# runc prints the help command's own help here; husk, its --help
	rtc help help
	assert_rc 0 "help help"
	if is_husk; then cmp -s "$OUT" "$TT/help" || die "help help differs from --help"; fi
}

test_unknown_command() {
	rtc nosuchcommand
	# runc 1.1 exits 3 with "No help topic for 'nosuchcommand'"
	assert_rc_not0 "unknown command"
	grep -q nosuchcommand "$ERR" || { show; die "the message does not name the command"; }
	if is_husk; then
		assert_rc 1 "unknown command"
		assert_err_has "husk: unknown command \`nosuchcommand\`"
	fi
	rtc help nosuchcommand
	assert_rc_not0 "help of an unknown command"
}

test_version_form() {
	rtc --version
	assert_rc 0 --version
	head -n1 "$OUT" | grep -Eq "^$RT_NAME version [0-9]+\.[0-9]+\.[0-9]+" || die "first line: $(head -n1 "$OUT")"
	sed -n 2p "$OUT" | grep -q '^commit: ' || die "second line: $(sed -n 2p "$OUT")"
	sed -n 3p "$OUT" | grep -Eq '^spec: 1\.[0-9]+\.[0-9]+' || die "third line: $(sed -n 3p "$OUT")"
}

t "run -d with a terminal and no --console-socket is refused" test_run_detach_terminal
t "create with a terminal and no --console-socket is refused" test_create_terminal
t "spec: cgroup namespace only on a pure cgroup v2 host" test_spec_cgroupns
t "spec's namespaces: /proc/self/cgroup shows the real path off v2" test_spec_namespaces_cgroup_path
t "kernelTCP and update --kernel-memory-tcp reach memory.kmem.tcp" test_kernel_tcp
t "list: json fields, -q, table" test_list_fields
t "delete of a created container without --force" test_delete_created
t "delete of a running or paused container without --force fails" test_delete_running_paused
t "--help, -h and help COMMAND for every command" test_help_every_command
t "unknown command" test_unknown_command
t "--version form" test_version_form
finish

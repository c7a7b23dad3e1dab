#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# file descriptors and cwd: only 0-2 (plus --preserve-fds) reach the
# container; LISTEN_FDS/LISTEN_PID; no host cwd
. "$(dirname "$0")/lib.sh"

fd_list() { sed -n 's/^fd: \([0-9]*\) .*/\1/p' "$OUT" | tr '\n' ' ' | sed 's/ $//'; }

test_only_stdio() {
	set_args /payload fds
	# extra fds in the caller (a file, a dir, a pipe) must not leak
	RC=0
	rt run --bundle "$B" "$ID" >"$OUT" 2>"$ERR" 5>"$TT/five" 6<"$TT" 7< <(sleep 1) || RC=$?
	assert_rc 0
	assert_eq "$(fd_list)" "0 1 2" "fds in the container"
}

test_only_stdio_create_start() {
	set_args /payload fds
	RC=0
	rt create --bundle "$B" "$ID" >"$OUT" 2>"$ERR" 5>"$TT/five" 6<"$TT" || RC=$?
	assert_rc 0
	# the init waiting for start holds no fd of the caller's but 0-2
	pid=$(pid_of "$ID")
	for f in /proc/$pid/fd/*; do
		l=$(readlink "$f" || true)
		case $l in "$TT/five" | "$TT") die "host fd ${f##*/} -> $l in the init" ;; esac
	done
	rt start "$ID"
	wait_status "$ID" stopped
	rt delete "$ID"
	assert_eq "$(fd_list)" "0 1 2" "fds in the container"
}

test_preserve_fds() {
	set_args /payload fds fdwrite 3 three fdwrite 4 four
	RC=0
	rt run --preserve-fds 2 --bundle "$B" "$ID" >"$OUT" 2>"$ERR" 3>"$TT/f3" 4>"$TT/f4" 5>"$TT/f5" || RC=$?
	assert_rc 0 "run --preserve-fds 2"
	assert_eq "$(fd_list)" "0 1 2 3 4" "fds in the container"
	assert_eq "$(cat "$TT/f3")" three "fd 3"
	assert_eq "$(cat "$TT/f4")" four "fd 4"
}

test_preserve_fds_create() {
	set_args /payload fdwrite 3 via-create
	rt create --preserve-fds 1 --bundle "$B" "$ID" 3>"$TT/f3"
	rt start "$ID"
	wait_status "$ID" stopped
	rt delete "$ID"
	assert_eq "$(cat "$TT/f3")" via-create "fd 3 after create/start"
}

test_listen_fds() {
	set_args /payload listen fds fdwrite 3 L3 fdwrite 4 L4
	RC=0
	# systemd socket activation of the runtime itself: LISTEN_PID is its pid
	LISTEN_FDS=2 HUSK_TEST_MARK=$MARK sh -c 'export LISTEN_PID=$$; exec "$@"' sh \
		"$RUNTIME" --root "$ROOT" run --bundle "$B" "$ID" >"$OUT" 2>"$ERR" 3>"$TT/l3" 4>"$TT/l4" </dev/null || RC=$?
	assert_rc 0 "run with LISTEN_FDS"
	assert_out_line "listen: fds=2 pid=self"
	assert_eq "$(fd_list)" "0 1 2 3 4" "fds in the container"
	assert_eq "$(cat "$TT/l3")" L3 "fd 3"
	assert_eq "$(cat "$TT/l4")" L4 "fd 4"
}

test_listen_fds_other_pid() {
	# LISTEN_FDS meant for another process is not used
	set_args /payload listen fds
	RC=0
	LISTEN_FDS=1 LISTEN_PID=1 rt run --bundle "$B" "$ID" >"$OUT" 2>"$ERR" 3>"$TT/l3" || RC=$?
	assert_rc 0
	assert_eq "$(fd_list)" "0 1 2" "fds in the container"
	assert_out_lacks "listen: fds=1"
}

test_no_host_cwd() {
	# the runtime runs from a host directory: the process's cwd is inside
	cfg 'p["cwd"] = "/"'
	set_args /payload cwd stat /proc/self/cwd/payload ls /proc/self/cwd
	cd "$TT"
	rtc run --bundle "$B" "$ID"
	assert_rc 0
	assert_out_line "cwd: /"
	assert_out_has "stat: /proc/self/cwd/payload f "
	assert_out_lacks "ls: out"
}

test_no_host_cwd_created() {
	set_args /payload sleep 60
	cd "$TT"
	rt create --bundle "$B" "$ID"
	pid=$(pid_of "$ID")
	cwd=$(readlink "/proc/$pid/cwd")
	rt delete --force "$ID"
	[ "$cwd" != "$TT" ] || die "the waiting init's cwd is the caller's $TT"
}

test_exec_fds() {
	set_args /payload sleep 60
	rt run -d --bundle "$B" "$ID"
	RC=0
	rt exec "$ID" /payload fds >"$OUT" 2>"$ERR" 5>"$TT/five" || RC=$?
	assert_rc 0 exec
	assert_eq "$(fd_list)" "0 1 2" "fds in exec"
	RC=0
	rt exec --preserve-fds 1 "$ID" /payload fds fdwrite 3 ex3 >"$OUT" 2>"$ERR" 3>"$TT/e3" || RC=$?
	assert_rc 0 "exec --preserve-fds 1"
	assert_eq "$(fd_list)" "0 1 2 3" "fds in exec --preserve-fds 1"
	assert_eq "$(cat "$TT/e3")" ex3 "fd 3 in exec"
	rt delete --force "$ID"
}

# rtr ARGS...: the runtime with its state root under $TT/root (so that the
# state root and dir fds, if they leaked, would lead to the test's decoy at
# $TT/decoy); captures like rtc, with fds 3-5 closed in the caller
rtr_closed() {
	RC=0
	HUSK_TEST_MARK=$MARK timeout -k 5 60 "$RUNTIME" --root "$TT/root" "$@" \
		>"$OUT" 2>"$ERR" </dev/null 3>&- 4>&- 5>&- || RC=$?
}
assert_one_line_err() {
	[ "$(wc -l <"$ERR")" = 1 ] || {
		show
		die "expected a one-line error"
	}
}
assert_root_empty() {
	[ -z "$(ls -A "$TT/root" 2>/dev/null)" ] || die "left in the state root: $(ls -A "$TT/root")"
}

test_preserve_fds_not_open() {
	# issue 9.2: fds the caller did not pass were the runtime's own (state
	# root, state dir, cgroup dir), and a cwd through them was on the host
	echo "decoy-$MARK" >"$TT/decoy"
	mkdir -p "$TT/root"
	set_args /payload cwd cat ../decoy cat ../../decoy ls .
	for n in 3 4 5; do
		cfg "p['cwd'] = '/proc/self/fd/$n'"
		rtr_closed run --preserve-fds 3 --bundle "$B" "$ID"
		assert_rc_not0 "run --preserve-fds 3 with fds 3-5 closed (cwd fd $n)"
		assert_out_lacks "decoy-$MARK"
		assert_out_lacks "ls:"
		assert_out_lacks "cwd:"
		assert_one_line_err
		assert_err_has "--preserve-fds 3: fd 3 is not open"
		assert_root_empty
		rtr_closed create --preserve-fds 3 --bundle "$B" "$ID"
		assert_rc_not0 "create --preserve-fds 3 with fds 3-5 closed (cwd fd $n)"
		assert_one_line_err
		assert_err_has "--preserve-fds 3: fd 3 is not open"
		assert_root_empty
	done
	# the same through LISTEN_FDS
	cfg "p['cwd'] = '/proc/self/fd/3'"
	RC=0
	LISTEN_FDS=1 HUSK_TEST_MARK=$MARK sh -c 'export LISTEN_PID=$$; exec "$@"' sh \
		"$RUNTIME" --root "$TT/root" run --bundle "$B" "$ID" >"$OUT" 2>"$ERR" </dev/null 3>&- || RC=$?
	[ "$RC" != 0 ] || die "run with LISTEN_FDS=1 and fd 3 closed succeeded"
	assert_out_lacks "decoy-$MARK"
	assert_one_line_err
	assert_err_has "LISTEN_FDS=1: fd 3 is not open"
	assert_root_empty
}

test_preserve_fds_runtime_own() {
	# an fd the runtime opened before the check (--log) is not the caller's
	echo "decoy-$MARK" >"$TT/decoy"
	mkdir -p "$TT/root"
	set_args /payload fds
	rtr_closed --log "$TT/log" run --preserve-fds 1 --bundle "$B" "$ID"
	assert_rc_not0 "run --preserve-fds 1 with the --log file at fd 3"
	assert_out_lacks "fd: 3"
	assert_one_line_err
	assert_err_has "fd 3 is the runtime's own"
	assert_root_empty
	rtr_closed --log "$TT/log" create --preserve-fds 1 --bundle "$B" "$ID"
	assert_rc_not0 "create --preserve-fds 1 with the --log file at fd 3"
	assert_err_has "fd 3 is the runtime's own"
	assert_root_empty
	# exec the same
	set_args /payload sleep 60
	rt run -d --bundle "$B" "$ID"
	rtc --log "$TT/log" exec --preserve-fds 1 "$ID" /payload fds 3>&-
	assert_rc_not0 "exec --preserve-fds 1 with the --log file at fd 3"
	assert_out_lacks "fd: 3"
	assert_one_line_err
	assert_err_has "fd 3 is the runtime's own"
	rt delete --force "$ID"
}

test_cwd_through_preserved_fd() {
	# issue 9.2, second half: a host directory the caller did pass is not a
	# way out either: the cwd is checked after chdir (runc's message)
	echo "decoy-$MARK" >"$TT/decoy"
	cfg "p['cwd'] = '/proc/self/fd/3'"
	set_args /payload cwd cat decoy ls .
	rtc run --preserve-fds 1 --bundle "$B" "$ID" 3<"$TT"
	assert_rc_not0 "run with cwd through a preserved host directory"
	assert_out_lacks "decoy-$MARK"
	assert_out_lacks "ls:"
	assert_one_line_err
	assert_err_has "outside of container mount namespace root"
	rtc create --preserve-fds 1 --bundle "$B" "$ID" 3<"$TT"
	assert_rc_not0 "create with cwd through a preserved host directory"
	assert_one_line_err
	assert_err_has "outside of container mount namespace root"
}

t "only fds 0-2 reach the container" test_only_stdio
t "only fds 0-2 with create/start" test_only_stdio_create_start
t "--preserve-fds" test_preserve_fds
t "--preserve-fds with create" test_preserve_fds_create
t "LISTEN_FDS/LISTEN_PID" test_listen_fds
t "LISTEN_FDS for another pid is ignored" test_listen_fds_other_pid
t "no host cwd reaches the container" test_no_host_cwd
t "the waiting init has no host cwd" test_no_host_cwd_created
t "exec fds and --preserve-fds" test_exec_fds
t "--preserve-fds refuses fds the caller did not pass (cwd /proc/self/fd/N)" test_preserve_fds_not_open
t "--preserve-fds refuses the runtime's own fds (run, create, exec)" test_preserve_fds_runtime_own
t "cwd through a preserved host directory is refused" test_cwd_through_preserved_fd
finish

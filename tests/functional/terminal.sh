#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# process.terminal over --console-socket (the test receives the pty master)
. "$(dirname "$0")/lib.sh"

# recv [INPUT]: start the receiver on $TT/tty.sock, output in $TT/tty.out
recv() {
	"$PY" "$FT_DIR/recvtty.py" "$TT/tty.sock" "$TT/tty.out" "$@" &
	RECV=$!
	trap 'kill $RECV 2>/dev/null || true' EXIT
	for i in $(seq 100); do
		[ -S "$TT/tty.sock" ] && return 0
		sleep 0.05
	done
	die "receiver did not start"
}
# wait_recv: until the receiver is done (the container closed the pty)
wait_recv() {
	local rc=0
	wait "$RECV" || rc=$?
	[ $rc = 0 ] || die "receiver failed ($rc): $(cat "$TT/tty.out.info" 2>/dev/null)"
	tr -d '\r' <"$TT/tty.out" >"$OUT"
}

test_terminal_console_size() {
	cfg 'p["terminal"] = True' 'p["consoleSize"] = {"height": 30, "width": 100}'
	set_args /payload isatty pid stat /dev/console
	recv
	rtc create --bundle "$B" --console-socket "$TT/tty.sock" "$ID"
	assert_rc 0 "create --console-socket"
	rt start "$ID"
	wait_recv
	grep -q "^fds 1 msg [^ ]* dev c5:2$" "$TT/tty.out.info" || die "received: $(cat "$TT/tty.out.info")"
	for fd in 0 1 2; do
		assert_out_line "isatty: $fd 1 /dev/pts/0"
	done
	assert_out_line "winsize: 30 100"
	assert_out_line "ctty: yes"
	assert_out_line "sid: 1 pgid: 1 tcpgrp: 1"
	grep -q "^stat: /dev/console c [0-7]* [0-9]* [0-9]* 136:0 " "$OUT" || die "/dev/console: $(cat "$OUT")"
	wait_status "$ID" stopped
	rt delete "$ID"
}

test_terminal_input() {
	cfg 'p["terminal"] = True'
	set_args sh -c 'read x; echo "got:$x"'
	recv "hello
"
	rt run -d --bundle "$B" --console-socket "$TT/tty.sock" "$ID"
	wait_recv
	assert_out_line "got:hello"
	wait_status "$ID" stopped
	rt delete "$ID"
}

test_terminal_default_size() {
	cfg 'p["terminal"] = True'
	set_args /payload isatty
	recv
	rt run -d --bundle "$B" --console-socket "$TT/tty.sock" "$ID"
	wait_recv
	assert_out_line "isatty: 1 1 /dev/pts/0"
	wait_status "$ID" stopped
	rt delete "$ID"
}

test_terminal_needs_socket() {
	cfg 'p["terminal"] = True'
	rtc create --bundle "$B" "$ID"
	assert_rc_not0 "terminal without --console-socket"
	assert_clean
}

test_console_socket_missing() {
	cfg 'p["terminal"] = True'
	rtc create --bundle "$B" --console-socket "$TT/nosuch.sock" "$ID"
	assert_rc_not0 "missing console socket"
	assert_clean
}

test_no_terminal_stdio() {
	# without a terminal the container gets the caller's stdio
	set_args /payload isatty
	rtc run --bundle "$B" "$ID"
	assert_rc 0
	assert_out_line "isatty: 0 0 -"
	assert_out_line "isatty: 1 0 -"
	set_args sh -c 'read x; echo "in:$x"; echo err >&2'
	RC=0
	echo piped | rt run --bundle "$B" "$ID" >"$OUT" 2>"$ERR" || RC=$?
	assert_rc 0
	assert_out_line "in:piped"
	grep -qx err "$ERR" || die "stderr: $(cat "$ERR")"
}

test_exec_tty() {
	set_args /payload sleep 60
	rt run -d --bundle "$B" "$ID"
	recv
	rtc exec -d -t --console-socket "$TT/tty.sock" "$ID" /payload isatty
	assert_rc 0 "exec -d -t --console-socket"
	wait_recv
	assert_out_line "isatty: 0 1 /dev/pts/0"
	assert_out_line "isatty: 1 1 /dev/pts/0"
	assert_out_line "ctty: yes"
	grep -q "^fds 1 msg [^ ]* dev c5:2$" "$TT/tty.out.info" || die "received: $(cat "$TT/tty.out.info")"
	rt delete --force "$ID"
}

t "terminal with consoleSize over --console-socket" test_terminal_console_size
t "terminal input" test_terminal_input
t "terminal without consoleSize" test_terminal_default_size
t "terminal needs --console-socket" test_terminal_needs_socket
t "missing console socket" test_console_socket_missing
t "stdio without a terminal" test_no_terminal_stdio
t "exec -t over --console-socket" test_exec_tty
finish

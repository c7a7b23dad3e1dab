#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# sd-notify (issue 12): with NOTIFY_SOCKET in the runtime's environment,
# create/run give the container a socket of the runtime's own at
# /run/notify/notify.sock (NOTIFY_SOCKET set so in the process env), and
# start/run relay its READY=1, with MAINPID, to the caller's socket before
# returning.  Each test makes its own stand-in for systemd's socket
# (notify-recv.py, a unix datagram socket under the test's dir); the
# container sends with the payload's `notify MSG`.
#
# Runs against husk and runc 1.1.5 (RUNTIME=/usr/sbin/runc): the
# assertions are the same unless a test says why not.  "Before the runtime
# returned" is checked by order, never by time: once the runtime is back, the
# test sends its own datagram (TEST=returned) to the same socket, and what
# the runtime relayed must come before it in the receiver's log.
. "$(dirname "$0")/lib.sh"

unset NOTIFY_SOCKET

# recv [ADDR]: start the receiver on ADDR (default $TT/host.sock); sets SOCK, RLOG
recv() {
	SOCK=${1:-$TT/host.sock}
	RLOG=$TT/recv.log
	"$PY" "$FT_DIR/notify-recv.py" "$SOCK" "$RLOG" &
	RPID=$!
	trap 'kill $RPID 2>/dev/null || true' EXIT
	wait_file "$RLOG.ready"
}
# mark: our own datagram, after the runtime returned; wait until it is logged
mark() {
	local _
	"$PAYLOAD" notify-to "$SOCK" TEST=returned >/dev/null
	for _ in $(seq 100); do
		grep -qx TEST=returned "$RLOG" 2>/dev/null && return 0
		sleep 0.1
	done
	die "the receiver did not log our own datagram: $(cat "$RLOG")"
}
# before LINE: LINE was relayed before the runtime returned
before() {
	sed '/^TEST=returned$/q' "$RLOG" | grep -qx -- "$1" ||
		die "\`$1' not relayed before the runtime returned; got: $(cat "$RLOG")"
}
# relayed_never LINE
relayed_never() {
	if grep -qx -- "$1" "$RLOG"; then
		die "\`$1' relayed; got: $(cat "$RLOG")"
	fi
}

# run -d returns only once the container said READY=1 (runc's forward() runs
# the notify socket with the init's pid when detached); MAINPID is the init
test_run_detach_waits_for_ready() {
	recv
	set_args /payload sleep 0.5 notify STATUS=starting notify READY=1 sleep 600
	NOTIFY_SOCKET=$SOCK rtc run -d --bundle "$B" "$ID"
	assert_rc 0 "run -d"
	mark
	before READY=1
	before "MAINPID=$(pid_of "$ID")"
	# runc relays nothing but the READY datagram: STATUS= before it is dropped
	relayed_never STATUS=starting
	rt delete --force "$ID"
}

# create makes <root>/<id>/notify; start binds the socket in it and waits
# for READY=1 (runc's start: notifySocket.waitForContainer)
test_create_start_waits_for_ready() {
	recv
	set_args /payload sleep 0.5 notify READY=1 sleep 600
	NOTIFY_SOCKET=$SOCK rtc create --bundle "$B" "$ID"
	assert_rc 0 create
	[ -d "$ROOT/$ID/notify" ] || die "no notify dir in the state dir: $(ls -la "$ROOT/$ID")"
	NOTIFY_SOCKET=$SOCK rtc start "$ID"
	assert_rc 0 start
	mark
	before READY=1
	before "MAINPID=$(pid_of "$ID")"
	[ -S "$ROOT/$ID/notify/notify.sock" ] || die "no notify.sock in the state dir"
	rt delete --force "$ID"
	# the socket lives in the state dir: gone with it
	[ ! -e "$ROOT/$ID" ] || die "state dir left after delete"
}

# the process env points at the container's socket, replacing the config's
# value; /run/notify is a read-only, nosuid, nodev, noexec bind (runc's options)
test_env_and_mount() {
	recv
	cfg "env('NOTIFY_SOCKET=/elsewhere')"
	NOTIFY_SOCKET=$SOCK runp getenv NOTIFY_SOCKET mounts notify READY=1
	assert_out_line "getenv: NOTIFY_SOCKET=/run/notify/notify.sock"
	assert_out_line "notify: sent to /run/notify/notify.sock"
	grep -qE '^[0-9]+ [0-9]+ [0-9:]+ [^ ]* /run/notify ro,nosuid,nodev,noexec[, ]' "$OUT" || {
		show
		die "no read-only nosuid,nodev,noexec mount on /run/notify"
	}
	# foreground run relays too (MAINPID: the runtime itself, which stays)
	mark
	before READY=1
	sed '/^TEST=returned$/q' "$RLOG" | grep -qE '^MAINPID=[0-9]+$' || die "no MAINPID: $(cat "$RLOG")"
}

# without NOTIFY_SOCKET nothing changes: no env change, no mount, no notify dir
test_no_notify_socket() {
	cfg "env('NOTIFY_SOCKET=/elsewhere')"
	runp getenv NOTIFY_SOCKET mounts
	assert_out_line "getenv: NOTIFY_SOCKET=/elsewhere"
	assert_out_lacks " /run/notify "
	set_args /payload sleep 600
	rtc create --bundle "$B" "$ID"
	assert_rc 0 create
	[ ! -e "$ROOT/$ID/notify" ] || die "a notify dir without NOTIFY_SOCKET"
	rt delete --force "$ID"
}

# the container cannot reach the caller's socket itself: it is not mounted
# in; only the relay gets there
test_caller_socket_unreachable() {
	recv
	set_args /payload notify-to "$SOCK" DIRECT=1 notify READY=1 sleep 600
	NOTIFY_SOCKET=$SOCK rtc run -d --bundle "$B" "$ID"
	assert_rc 0 "run -d"
	mark
	before READY=1
	relayed_never DIRECT=1
	grep -q "^notify-to: error: $SOCK" "$OUT" || {
		show
		die "the container reached the caller's socket"
	}
	rt delete --force "$ID"
}

# a non-root process of the container may notify (runc: socket 0777, dir 0755)
test_non_root_process() {
	recv
	cfg 'p["user"] = {"uid": 1000, "gid": 1000}'
	set_args /payload notify READY=1 sleep 600
	NOTIFY_SOCKET=$SOCK rtc run -d --bundle "$B" "$ID"
	assert_rc 0 "run -d"
	mark
	before READY=1
	rt delete --force "$ID"
}

# an abstract caller socket (@name), as systemd may pass
test_abstract_caller_socket() {
	recv "@husk-ft-$MARK"
	set_args /payload notify READY=1 sleep 600
	NOTIFY_SOCKET=$SOCK rtc run -d --bundle "$B" "$ID"
	assert_rc 0 "run -d"
	mark
	before READY=1
	before "MAINPID=$(pid_of "$ID")"
	rt delete --force "$ID"
}

# the whole READY datagram is relayed (husk; runc 1.1.5 relays its first
# line only), less the fields the runtime owns (MAINPID, BARRIER, FDSTORE...)
test_whole_datagram() {
	is_husk || skip "runc 1.1.5 relays only the first line of the READY datagram"
	recv
	set_args /payload notify "$(printf 'STATUS=up\nREADY=1\nMAINPID=1\nFDSTORE=1')" sleep 600
	NOTIFY_SOCKET=$SOCK rtc run -d --bundle "$B" "$ID"
	assert_rc 0 "run -d"
	mark
	before READY=1
	before STATUS=up
	before "MAINPID=$(pid_of "$ID")"
	relayed_never MAINPID=1
	relayed_never FDSTORE=1
	# then sd_notify_barrier: BARRIER=1 with one fd, answered by closing it
	before "-- fds=1"
	rt delete --force "$ID"
}

# a container that exits without READY=1: start returns (0, as runc's start:
# it stops waiting when the init is gone)
test_exit_without_ready_start() {
	recv
	set_args /payload exit 3
	NOTIFY_SOCKET=$SOCK rtc create --bundle "$B" "$ID"
	assert_rc 0 create
	NOTIFY_SOCKET=$SOCK rtc start "$ID"
	assert_rc 0 start
	! is_husk || assert_err_has "husk: warning: container \`$ID\` exited before it sent READY=1"
	mark
	relayed_never READY=1
	rt delete --force "$ID"
}

# ... and run / run -d return too (runc 1.1.5 hangs in both: its run waits
# for READY=1 while its own pid lives, its run -d while the init's zombie does)
test_exit_without_ready_run() {
	is_husk || skip "runc 1.1.5 hangs until READY=1 comes: run and run -d never return"
	recv
	set_args /payload exit 3
	NOTIFY_SOCKET=$SOCK rtc run --bundle "$B" "$ID"
	assert_rc 3 "run (the container's exit status)"
	NOTIFY_SOCKET=$SOCK rtc run -d --bundle "$B" "$ID"
	assert_rc 0 "run -d"
	assert_err_has "husk: warning: container \`$ID\` exited before it sent READY=1"
	mark
	relayed_never READY=1
	rt delete --force "$ID"
}

# a NOTIFY_SOCKET that is no socket fails before the container runs (runc
# takes a relative path, and ignores a failed connect after starting it)
test_bad_notify_socket() {
	is_husk || skip "runc 1.1.5 starts the container anyway (the relay's error is dropped)"
	set_args /payload sleep 600
	NOTIFY_SOCKET=relative.sock rtc run -d --bundle "$B" "$ID"
	assert_rc_not0 "run -d with a relative NOTIFY_SOCKET"
	assert_err_has "husk: NOTIFY_SOCKET \`relative.sock\`: not an absolute path or an abstract \`@name\`"
	assert_clean
	NOTIFY_SOCKET=$TT/none.sock rtc run -d --bundle "$B" "$ID"
	assert_rc_not0 "run -d with a missing NOTIFY_SOCKET"
	assert_err_has "husk: NOTIFY_SOCKET \`$TT/none.sock\`: connect: No such file or directory"
	assert_clean
	NOTIFY_SOCKET=$TT/none.sock rtc create --bundle "$B" "$ID"
	assert_rc 0 create
	NOTIFY_SOCKET=$TT/none.sock rtc start "$ID"
	assert_rc_not0 "start with a missing NOTIFY_SOCKET"
	assert_eq "$(status_of "$ID")" created "status after the failed start"
	rt delete --force "$ID"
}

# created without NOTIFY_SOCKET, started with it: nothing to relay (husk
# warns and starts; runc's start fails to bind in the missing dir)
test_start_without_create_socket() {
	is_husk || skip "runc 1.1.5's start fails: no notify dir to bind in"
	recv
	set_args /payload sleep 600
	rtc create --bundle "$B" "$ID"
	assert_rc 0 create
	NOTIFY_SOCKET=$SOCK rtc start "$ID"
	assert_rc 0 start
	assert_err_has "husk: warning: NOTIFY_SOCKET is set but container \`$ID\` was created without it"
	assert_eq "$(status_of "$ID")" running
	rt delete --force "$ID"
}

t run-detach-waits-for-ready test_run_detach_waits_for_ready
t create-start-waits-for-ready test_create_start_waits_for_ready
t env-and-mount test_env_and_mount
t no-notify-socket test_no_notify_socket
t caller-socket-unreachable test_caller_socket_unreachable
t non-root-process test_non_root_process
t abstract-caller-socket test_abstract_caller_socket
t whole-datagram test_whole_datagram
t exit-without-ready-start test_exit_without_ready_start
t exit-without-ready-run test_exit_without_ready_run
t bad-notify-socket test_bad_notify_socket
t start-without-create-socket test_start_without_create_socket
finish

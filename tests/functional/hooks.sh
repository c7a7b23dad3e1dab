#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# hooks: every kind, order, state on stdin, args/env, timeout, failures
. "$(dirname "$0")/lib.sh"

# hooks_all: one recording hook of every kind.  Host-side hooks write to
# $TT/hk, startContainer (run in the container) to /hk, bound to $TT/hk.
hooks_all() {
	mkdir -p "$TT/hk"
	cfg "mount('/hk', 'bind', '$TT/hk', ['rbind', 'rw'])"
	for k in prestart createRuntime createContainer poststart poststop; do
		cfg "hook('$k', '/bin/sh', 'sh', '-c', 'cat > $TT/hk/$k.json; echo $k >> $TT/hk/order', env=['HUSK_TEST_MARK=$MARK'])"
	done
	cfg "hook('startContainer', '/bin/sh', 'sh', '-c', 'cat > /hk/startContainer.json; echo startContainer >> /hk/order')"
}
order() { tr '\n' ' ' <"$TT/hk/order" 2>/dev/null | sed 's/ $//'; }
hj() { cfgpy get "$2" <"$TT/hk/$1.json"; }

test_hooks_order_and_state() {
	hooks_all
	set_args /payload sleep 60
	rt create --bundle "$B" "$ID"
	if ! is_husk && [ "$(order)" = "prestart createRuntime createContainer poststart" ]; then
		rt delete --force "$ID"
		skip "$RT_NAME runs poststart hooks at create"
	fi
	assert_eq "$(order)" "prestart createRuntime createContainer" "hooks after create"
	pid=$(pid_of "$ID")
	for k in prestart createRuntime createContainer; do
		assert_eq "$(hj $k 'j["id"]')" "$ID" "$k: id"
		assert_eq "$(hj $k 'j["pid"]')" "$pid" "$k: pid"
		assert_eq "$(hj $k 'j["bundle"]')" "$B" "$k: bundle"
		assert_eq "$(hj $k 'j["ociVersion"][:2]')" "1." "$k: ociVersion"
	done
	rt start "$ID"
	wait_status "$ID" running
	for i in $(seq 50); do grep -q poststart "$TT/hk/order" && break; sleep 0.1; done
	assert_eq "$(order)" "prestart createRuntime createContainer startContainer poststart" "hooks after start"
	assert_eq "$(hj startContainer 'j["id"]')" "$ID" "startContainer: id"
	assert_eq "$(hj poststart 'j["pid"]')" "$pid" "poststart: pid"
	rt kill "$ID" KILL
	wait_status "$ID" stopped
	rt delete "$ID"
	assert_eq "$(order)" "prestart createRuntime createContainer startContainer poststart poststop" "hooks after delete"
	assert_eq "$(hj poststop 'j["id"]')" "$ID" "poststop: id"
	assert_eq "$(hj poststop 'j["status"]')" stopped "poststop: status"
}

test_hooks_run() {
	hooks_all
	runp echo ran
	assert_out_line ran
	if ! is_husk && [ "$(order)" = "prestart createRuntime createContainer poststart startContainer poststop" ]; then
		skip "$RT_NAME runs poststart hooks at create"
	fi
	assert_eq "$(order)" "prestart createRuntime createContainer startContainer poststart poststop" "hooks of run"
}

test_hook_args_env() {
	# busybox picks its applet by argv[0]: args[0] must reach the hook as argv[0]
	cfg "hook('createRuntime', '$T/base/rootfs/bin/busybox', 'sh', '-c', 'echo \"\$0 \$1 \$FOO\" > $TT/h.out', 'zero', 'one', env=['FOO=bar'])"
	runp exit 0
	assert_eq "$(head -n1 "$TT/h.out")" "zero one bar" "hook argv0, args and env"
}

test_hook_timeout() {
	cfg "hook('createRuntime', '/bin/sleep', 'sleep', '30', env=['HUSK_TEST_MARK=$MARK'], timeout=1)"
	rtc create --bundle "$B" "$ID"
	assert_rc_not0 "create with a hook that times out"
	grep -qi "time" "$ERR" || die "message does not mention the timeout: $(cat "$ERR")"
	assert_clean
}

test_failing_prestart() {
	mkdir -p "$TT/hk"
	cfg 'hook("prestart", "/bin/false")' \
		"hook('poststop', '/bin/sh', 'sh', '-c', 'echo poststop >> $TT/hk/order')"
	set_args /payload echo must-not-run
	rtc run --bundle "$B" "$ID"
	assert_rc_not0 "run with a failing prestart hook"
	assert_out_lacks must-not-run
	assert_clean
	# runtime.md: a failed prestart continues the lifecycle at delete,
	# which runs the poststop hooks (runc skips them)
	is_husk && assert_eq "$(order)" poststop "poststop after a failed prestart"
	true
}

test_failing_create_container() {
	cfg 'hook("createContainer", "/bin/false")'
	rtc create --bundle "$B" "$ID"
	assert_rc_not0 "create with a failing createContainer hook"
	assert_clean
}

test_failing_start_container() {
	cfg 'hook("startContainer", "/bin/false")'
	set_args /payload echo must-not-run
	rt create --bundle "$B" "$ID" >"$TT/ct.out" 2>&1
	rtc start "$ID"
	# runtime.md: an error (runc 1.1 only stops the container)
	is_husk && assert_rc_not0 "start with a failing startContainer hook"
	sleep 0.2
	grep -q must-not-run "$TT/ct.out" && die "the process ran"
	rt delete --force "$ID"
}

test_failing_poststart() {
	cfg 'hook("poststart", "/bin/false")'
	set_args /payload sleep 60
	rtc create --bundle "$B" "$ID"
	[ $RC = 0 ] || is_husk || skip "$RT_NAME runs poststart hooks at create"
	assert_rc 0 create
	pid=$(pid_of "$ID")
	rtc start "$ID"
	assert_rc_not0 "start with a failing poststart hook"
	# like runc, the container is stopped
	assert_gone "$pid" "container init"
	rt delete --force "$ID"
}

test_failing_poststop() {
	cfg 'hook("poststop", "/bin/false")'
	set_args /payload exit 0
	rt run -d --bundle "$B" "$ID"
	wait_status "$ID" stopped
	rtc delete "$ID"
	assert_rc 0 "delete with a failing poststop hook"
	[ ! -e "$ROOT/$ID" ] || die "state dir left"
}

test_poststop_failures_are_warnings() {
	mkdir -p "$TT/hk"
	cfg "hook('poststop', '/bin/sh', 'sh', '-c', 'echo first >> $TT/hk/order; echo oops-first; exit 3')" \
		"hook('poststop', '/bin/sh', 'sh', '-c', 'echo second >> $TT/hk/order; exit 0')" \
		"hook('poststop', '/nonexistent/hook')" \
		"hook('poststop', '/bin/sh', 'sh', '-c', 'echo fourth >> $TT/hk/order')"
	set_args /payload exit 0
	rt run -d --bundle "$B" "$ID"
	wait_status "$ID" stopped
	rtc --log "$TT/log.json" --log-format json delete "$ID"
	# runtime-spec: "the runtime MUST log a warning, but the remaining hooks
	# and lifecycle continue"
	assert_rc 0 "delete with failing poststop hooks"
	[ ! -e "$ROOT/$ID" ] || die "state dir left"
	assert_eq "$(order)" "first second fourth" "poststop hooks run"
	is_husk || return 0
	assert_eq "$(grep -c '^husk: warning: ' "$ERR")" 2 "warning lines"
	# shellcheck disable=SC2016 # backticks of the message
	assert_err_has 'husk: warning: hook `poststop[0]` (`/bin/sh`): exit status 3: oops-first'
	# shellcheck disable=SC2016
	assert_err_has 'husk: warning: hook `poststop[2]` (`/nonexistent/hook`)'
	assert_eq "$(grep -c '"level":"warning"' "$TT/log.json")" 2 "warning records in the log"
	grep -q '"level":"error"' "$TT/log.json" && die "an error in the log: $(cat "$TT/log.json")"
	true
}

test_missing_hook_binary() {
	cfg 'hook("createRuntime", "/nonexistent/hook")'
	rtc create --bundle "$B" "$ID"
	assert_rc_not0 "create with a missing hook binary"
	assert_err_has "/nonexistent/hook"
	assert_clean
}

t "hooks: order and state on stdin" test_hooks_order_and_state
t "hooks with run" test_hooks_run
t "hook args (argv0) and env" test_hook_args_env
t "hook timeout" test_hook_timeout
t "failing prestart deletes the container cleanly" test_failing_prestart
t "failing createContainer" test_failing_create_container
t "failing startContainer" test_failing_start_container
t "failing poststart is an error" test_failing_poststart
t "failing poststop is only a warning" test_failing_poststop
t "failing poststop hooks: warnings, the rest run" test_poststop_failures_are_warnings
t "missing hook binary" test_missing_hook_binary
finish

#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# frozen: create keeps a copy of config.json in the state dir; every later
# command (start, exec, kill, ps, events, update, delete, the poststart and
# poststop hooks) reads that copy, never the bundle, which may vanish or change
. "$(dirname "$0")/lib.sh"

# rec KIND WORD: a hook of KIND that appends WORD to $TT/hk/order
rec() {
	cfg "hook('$1', '/bin/sh', 'sh', '-c', 'cat >/dev/null; echo $2 >> $TT/hk/order', env=['HUSK_TEST_MARK=$MARK'])"
}
order() { tr '\n' ' ' <"$TT/hk/order" 2>/dev/null | sed 's/ $//'; }
# wait_order WORDS: until the hooks' record reads WORDS (5 s)
wait_order() {
	for _ in $(seq 50); do
		[ "$(order)" = "$1" ] && return 0
		sleep 0.1
	done
	die "hooks: expected \`$1', got \`$(order)'"
}

test_copy_in_state_dir() {
	is_husk || skip "$RT_NAME keeps no copy of config.json"
	set_args /payload sleep 60
	rt create --bundle "$B" "$ID"
	f=$ROOT/$ID/config.json
	[ -f "$f" ] || die "no config.json in the state dir"
	cmp -s "$f" "$B/config.json" || die "the copy differs from the bundle's config.json"
	assert_eq "$(stat -c %a "$f")" 600 "mode of the copy"
	assert_eq "$(stat -c %u "$f")" 0 "owner of the copy"
	rt delete --force "$ID"
}

test_bundle_gone() {
	is_husk || skip "$RT_NAME reads the bundle after create"
	mkdir -p "$TT/hk"
	rec poststart poststart
	rec poststop poststop
	set_args /payload sleep 60
	rt create --bundle "$B" "$ID"
	# the whole bundle goes away (the rootfs stays mounted in the container)
	mv "$B" "$TT/gone"
	rtc exec "$ID" /payload echo exec-in-created
	assert_rc 0 "exec in a created container without its bundle"
	assert_out_line exec-in-created
	rtc start "$ID"
	assert_rc 0 "start without the bundle"
	wait_status "$ID" running
	wait_order poststart
	rtc exec "$ID" /payload getenv HUSK_TEST_MARK
	assert_rc 0 "exec in a running container without its bundle"
	assert_out_line "getenv: HUSK_TEST_MARK=$MARK"
	rtc ps --format json "$ID"
	assert_rc 0 "ps without the bundle"
	[ "$(cfgpy get 'len(j)' <"$OUT")" -ge 1 ] || die "ps: no processes: $(cat "$OUT")"
	rtc events --stats "$ID"
	assert_rc 0 "events --stats without the bundle"
	assert_eq "$(cfgpy get 'j["type"]' <"$OUT")" stats "events --stats type"
	rtc update --pids-limit 77 "$ID"
	assert_rc 0 "update without the bundle"
	rtc kill "$ID" KILL
	assert_rc 0 "kill without the bundle"
	wait_status "$ID" stopped
	rtc delete "$ID"
	assert_rc 0 "delete without the bundle"
	assert_eq "$(order)" "poststart poststop" "hooks of the frozen config"
	[ ! -e "$ROOT/$ID" ] || die "state dir left"
	mv "$TT/gone" "$B"
}

test_edited_between_create_and_start() {
	is_husk || skip "$RT_NAME reads the bundle after create"
	mkdir -p "$TT/hk"
	rec poststart old-poststart
	rec poststop old-poststop
	cfg "env('FROZEN=original')"
	set_args /payload sleep 60
	rt create --bundle "$B" "$ID"
	# a new config: other hooks, another env
	cfg "c['hooks'] = {}" "env('FROZEN=edited')"
	rec poststart new-poststart
	rec poststop new-poststop
	rt start "$ID"
	wait_status "$ID" running
	wait_order old-poststart
	rtc exec "$ID" /payload getenv FROZEN
	assert_rc 0 exec
	assert_out_line "getenv: FROZEN=original"
	rt kill "$ID" KILL
	wait_status "$ID" stopped
	rt delete "$ID"
	assert_eq "$(order)" "old-poststart old-poststop" "hooks run: those of the config at create"
}

test_removed_between_create_and_start() {
	is_husk || skip "$RT_NAME reads the bundle after create"
	mkdir -p "$TT/hk"
	rec poststart poststart
	rec poststop poststop
	set_args /payload sleep 60
	rt create --bundle "$B" "$ID"
	# hooks removed after create still run: the config at create had them
	cfg "del c['hooks']"
	rt start "$ID"
	wait_status "$ID" running
	wait_order poststart
	rt delete --force "$ID"
	assert_eq "$(order)" "poststart poststop" "hooks removed after create"
}

test_failed_create_leaves_nothing() {
	mkdir -p "$TT/hk"
	# the copy exists while the create runs, and goes with the failed create
	cfg "hook('createRuntime', '/bin/sh', 'sh', '-c', 'cat >/dev/null; cp $ROOT/$ID/config.json $TT/hk/seen; exit 1', env=['HUSK_TEST_MARK=$MARK'])"
	rtc create --bundle "$B" "$ID"
	assert_rc_not0 "create with a failing createRuntime hook"
	if is_husk; then
		cmp -s "$TT/hk/seen" "$B/config.json" || die "no frozen config while the create ran"
	fi
	[ ! -e "$ROOT/$ID" ] || die "state dir left: $(ls -la "$ROOT/$ID")"
	assert_clean
}

t "create copies config.json into the state dir (0600)" test_copy_in_state_dir
t "exec, start, ps, events, update, kill, delete without the bundle" test_bundle_gone
t "an edited config.json changes nothing after create" test_edited_between_create_and_start
t "hooks removed from config.json after create still run" test_removed_between_create_and_start
t "a failed create leaves no frozen config" test_failed_create_leaves_nothing
finish

#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# state: derived status, annotations, timestamps, roots, pause/resume
. "$(dirname "$0")/lib.sh"

test_annotations() {
	cfg 'c["annotations"] = {"org.example.key": "value", "other": ""}'
	set_args /payload sleep 60
	rt create --bundle "$B" "$ID"
	state_json "$ID" >"$TT/s"
	rt delete --force "$ID"
	assert_eq "$(cfgpy get 'j["annotations"]["org.example.key"]' <"$TT/s")" value annotation
	assert_eq "$(cfgpy get 'j["annotations"]["other"]' <"$TT/s")" "" "empty annotation"
}

test_created_timestamp() {
	set_args /payload sleep 60
	rt create --bundle "$B" "$ID"
	state_json "$ID" >"$TT/s"
	rt delete --force "$ID"
	c=$(cfgpy get 'j["created"]' <"$TT/s")
	echo "$c" | grep -Eq '^20[0-9]{2}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(\.[0-9]+)?(Z|[+-][0-9]{2}:[0-9]{2})$' ||
		die "created is not RFC3339: $c"
	[ "$(date -d "$c" +%s)" -ge $(($(date +%s) - 600)) ] || die "created in the past: $c"
}

test_stopped_when_killed_outside() {
	set_args /payload sleep 60
	rt run -d --bundle "$B" "$ID"
	pid=$(pid_of "$ID")
	kill -9 "$pid"
	wait_status "$ID" stopped
	rt delete "$ID"
}

test_stopped_when_created_init_dies() {
	set_args /payload sleep 60
	rt create --bundle "$B" "$ID"
	kill -9 "$(pid_of "$ID")"
	wait_status "$ID" stopped
	rtc start "$ID"
	assert_rc_not0 "start of a stopped container"
	rt delete "$ID"
}

test_other_root() {
	set_args /payload sleep 60
	rt create --bundle "$B" "$ID"
	RC=0
	"$RUNTIME" --root "$ROOT-other" state "$ID" >"$OUT" 2>"$ERR" || RC=$?
	rm -rf "$ROOT-other"
	assert_rc_not0 "state under another root"
	rt delete --force "$ID"
}

test_root_created() {
	rm -rf "$ROOT"
	set_args /payload exit 0
	rtc run --bundle "$B" "$ID"
	assert_rc 0 "run with a missing --root"
	[ -d "$ROOT" ] || die "root not created"
	m=$(stat -c %a "$ROOT")
	[ $((0$m & 022)) = 0 ] || die "root mode $m"
}

test_pause_resume() {
	set_args /payload sleep 60
	rt run -d --bundle "$B" "$ID"
	rtc pause "$ID"
	assert_rc 0 pause
	assert_eq "$(status_of "$ID")" paused "status after pause"
	if [ -e "/sys/fs/cgroup/freezer/husk-test/$CGNAME/freezer.state" ]; then # v1, hybrid
		grep -q FROZEN "/sys/fs/cgroup/freezer/husk-test/$CGNAME/freezer.state" || die "cgroup not frozen"
	else # cgroup v2
		grep -qx "frozen 1" "/sys/fs/cgroup/husk-test/$CGNAME/cgroup.events" || die "cgroup not frozen"
	fi
	rtc resume "$ID"
	assert_rc 0 resume
	assert_eq "$(status_of "$ID")" running "status after resume"
	rtc resume "$ID"
	assert_rc_not0 "resume of a running container"
	rt pause "$ID"
	rt delete --force "$ID"
	[ -z "$(cgroup_dirs "$CGNAME")" ] || die "cgroup left after delete --force of a paused container"
}

test_kill_paused() {
	# runc thaws a paused container for SIGKILL; podman kill and ctr tasks rm -f rely on it
	for all in "" --all; do
		set_args /payload sleep 60
		rt run -d --bundle "$B" "$ID"
		rt pause "$ID"
		rtc kill $all "$ID" 9
		assert_rc 0 "kill $all of a paused container"
		wait_status "$ID" stopped
		rt delete "$ID"
	done
}

test_list_stopped() {
	set_args /payload exit 0
	rt run -d --bundle "$B" "$ID"
	wait_status "$ID" stopped
	rtc list -f json
	assert_eq "$(cfgpy get '[(c["id"], c["status"]) for c in j]' <"$OUT")" "[[\"$ID\", \"stopped\"]]" "list"
	rt delete "$ID"
}

t "annotations in state" test_annotations
t "created timestamp" test_created_timestamp
t "stopped when the init is killed from outside" test_stopped_when_killed_outside
t "stopped when a created init dies" test_stopped_when_created_init_dies
t "another --root does not see the container" test_other_root
t "a missing --root is created" test_root_created
t "pause and resume" test_pause_resume
t "SIGKILL kills a paused container (kill and kill --all)" test_kill_paused
t "list shows stopped containers" test_list_stopped
finish

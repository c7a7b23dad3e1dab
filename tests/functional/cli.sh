#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# command line: --version, --help, kill signals, --log, spec, features
. "$(dirname "$0")/lib.sh"

test_version() {
	rtc --version
	assert_rc 0 --version
	head -n1 "$OUT" | grep -q "^$RT_NAME version [0-9]" || die "first line: $(head -n1 "$OUT")"
	grep -q '^spec: 1\.' "$OUT" || die "no spec version: $(cat "$OUT")"
	if is_husk; then
		assert_out_has "spec: 1.3.0"
		grep -q '^commit: ' "$OUT" || die "no commit line"
	fi
	true
}

test_help() {
	rtc --help
	assert_rc 0 --help
	for c in create start run state kill delete list spec features exec; do
		grep -qw "$c" "$OUT" || die "--help does not list $c"
	done
	rtc create --help
	assert_rc 0 "create --help"
	for o in --bundle --pid-file --console-socket --preserve-fds --no-pivot; do
		grep -q -- "$o" "$OUT" || die "create --help does not list $o"
	done
}

test_unknown_command() {
	rtc nosuchcommand
	assert_rc_not0 "unknown command"
	[ -s "$ERR" ] || die "no message"
	rtc create --nosuchflag x
	assert_rc_not0 "unknown flag"
	[ -s "$ERR" ] || die "no message"
}

test_missing_id() {
	for c in create start state kill delete; do
		rtc $c
		assert_rc_not0 "$c without an id"
	done
}

# kill_with SIGARG NUM: start a trapping payload, kill with SIGARG, expect NUM
kill_with() {
	rt run -d --bundle "$B" "$ID" >"$TT/o" 2>&1
	for i in $(seq 50); do grep -q ready "$TT/o" && break; sleep 0.1; done
	if [ -n "$1" ]; then rt kill "$ID" "$1"; else rt kill "$ID"; fi
	wait_status "$ID" stopped
	rt delete "$ID"
	grep -qx "trap: got $2" "$TT/o" || die "kill $1: $(cat "$TT/o")"
}

test_kill_signal_forms() {
	set_args /payload trap
	kill_with USR1 10
	kill_with SIGUSR2 12
	kill_with 1 1
	kill_with HUP 1
	kill_with "" 15
	# podman's form: the number
	kill_with 15 15
}

test_kill_bad_signal() {
	set_args /payload sleep 60
	rt run -d --bundle "$B" "$ID"
	rtc kill "$ID" NOSUCHSIG
	assert_rc_not0 "kill with an unknown signal"
	rtc kill "$ID" 99
	assert_rc_not0 "kill with signal 99"
	assert_eq "$(status_of "$ID")" running "status after bad kills"
	rt delete --force "$ID"
}

test_kill_all() {
	set_args sh -c '/payload sleep 60 & /payload sleep 60 & wait'
	rt run -d --bundle "$B" "$ID"
	procs=/sys/fs/cgroup/pids/husk-test/$CGNAME/cgroup.procs
	for i in $(seq 50); do [ "$(grep -c . "$procs")" -ge 3 ] && break; sleep 0.1; done
	[ "$(grep -c . "$procs")" -ge 3 ] || die "expected 3 processes: $(cat "$procs")"
	rt kill --all "$ID" KILL
	wait_status "$ID" stopped
	for i in $(seq 20); do [ -z "$(cat "$procs" 2>/dev/null)" ] && break; sleep 0.1; done
	[ -z "$(cat "$procs" 2>/dev/null)" ] || die "processes left: $(cat "$procs")"
	rt delete "$ID"
}

test_log_json() {
	rtc --log "$TT/log.json" --log-format json state nosuchid
	assert_rc_not0
	[ -s "$TT/log.json" ] || die "nothing logged"
	tail -n1 "$TT/log.json" >"$TT/last"
	assert_eq "$(cfgpy get 'j["level"]' <"$TT/last")" error level
	grep -q "does not exist" "$TT/last" || die "msg: $(cat "$TT/last")"
	cfgpy get 'j["time"]' <"$TT/last" | grep -q '^20[0-9][0-9]-' || die "time: $(cat "$TT/last")"
	# every line is one JSON object
	while read -r l; do echo "$l" | cfgpy get 'j["msg"]' >/dev/null || die "not JSON: $l"; done <"$TT/log.json"
}

test_log_appends() {
	echo '{"level":"info","msg":"before","time":"2026-01-01T00:00:00Z"}' >"$TT/log.json"
	rtc --log "$TT/log.json" --log-format json delete nosuchid
	assert_rc_not0
	head -n1 "$TT/log.json" | grep -q before || die "log truncated"
	[ "$(grep -c . "$TT/log.json")" -ge 2 ] || die "nothing appended"
}

test_spec() {
	mkdir "$TT/s"
	cd "$TT/s"
	rtc spec
	assert_rc 0 spec
	[ -f config.json ] || die "no config.json"
	g() { cfgpy get "$1" <config.json; }
	assert_eq "$(g 'j["root"]["path"]')" rootfs root.path
	assert_eq "$(g 'j["process"]["terminal"]')" true process.terminal
	assert_eq "$(g 'j["ociVersion"][:2]')" "1." ociVersion
	assert_eq "$(g 'sorted(n["type"] for n in j["linux"]["namespaces"])')" \
		"$(g 'sorted(set(n["type"] for n in j["linux"]["namespaces"]) | {"pid", "network", "ipc", "uts", "mount"})')" \
		"default namespaces"
	rtc spec
	assert_rc_not0 "spec over an existing config.json"
	mkdir "$TT/s2"
	rtc spec --bundle "$TT/s2"
	assert_rc 0 "spec --bundle"
	[ -f "$TT/s2/config.json" ] || die "spec --bundle wrote no config.json"
}

test_spec_runs() {
	# the default spec (terminal off) runs the busybox bundle
	mkdir "$TT/s"
	cp -al "$T/base/rootfs" "$TT/s/rootfs"
	cd "$TT/s"
	rt spec
	cfgpy edit config.json 'p["terminal"] = False' 'args("/payload", "hostname")' \
		"c['linux']['cgroupsPath'] = '/husk-test/$CGNAME'"
	rtc run --bundle "$TT/s" "$ID"
	assert_rc 0 "run the default spec"
	grep -q '^hostname: ' "$OUT" || die "no output"
}

test_spec_rootless() {
	mkdir "$TT/s"
	rtc spec --rootless --bundle "$TT/s"
	assert_rc 0 "spec --rootless"
	assert_eq "$(cfgpy get '"user" in [n["type"] for n in j["linux"]["namespaces"]]' <"$TT/s/config.json")" true \
		"user namespace in the rootless spec"
}

test_features() {
	rtc features
	assert_rc 0 features
	f=$OUT
	assert_eq "$(cfgpy get 'j["ociVersionMin"][:2]' <"$f")" "1." ociVersionMin
	cfgpy get 'j["ociVersionMax"]' <"$f" >/dev/null || die "no ociVersionMax"
	assert_eq "$(cfgpy get '"createRuntime" in j["hooks"]' <"$f")" true "createRuntime in hooks"
	assert_eq "$(cfgpy get '"rbind" in j["mountOptions"]' <"$f")" true "rbind in mountOptions"
	assert_eq "$(cfgpy get 'all(n in j["linux"]["namespaces"] for n in ["pid", "network", "ipc", "uts", "mount", "user", "cgroup"])' <"$f")" true "namespaces"
	assert_eq "$(cfgpy get '"CAP_SYS_ADMIN" in j["linux"]["capabilities"]' <"$f")" true "capabilities"
	if is_husk; then
		assert_eq "$(cfgpy get 'j["ociVersionMax"]' <"$f")" 1.3.0 ociVersionMax
		assert_eq "$(cfgpy get '"time" in j["linux"]["namespaces"]' <"$f")" true "time namespace"
		assert_eq "$(cfgpy get '"rro" in j["mountOptions"]' <"$f")" true "rro"
	fi
}

# json_lines WHAT FILE: every line of FILE is one JSON value (python3's strict json)
json_lines() {
	"$PY" -c 'import json, sys
def bad(c): raise ValueError("not JSON: " + c)
for l in open(sys.argv[1], encoding="utf-8"):
	json.loads(l, parse_constant=bad)' "$2" || die "$1: not JSON lines: $(cat "$2")"
}
# json_doc WHAT FILE: FILE is one JSON document
json_doc() {
	"$PY" -c 'import json, sys
def bad(c): raise ValueError("not JSON: " + c)
json.loads(open(sys.argv[1], encoding="utf-8").read(), parse_constant=bad)' "$2" ||
		die "$1: not JSON: $(cat "$2")"
}

test_json_outputs() {
	# quotes, backslashes, control characters and U+2028 in an annotation
	cfgpy edit "$B/config.json" "c['annotations'] = {'k\"1': 'a\"b\\\\c\\n\\x01\\u2028\u00e9'}"
	set_args /payload sleep 60
	# a bundle path with a byte that is not UTF-8 (shown as the text \xff)
	bad="$TT/b$(printf '\377')"
	mv "$B" "$bad"
	rt run -d --bundle "$bad" "$ID"
	rtc state "$ID"
	assert_rc 0 state
	json_doc state "$OUT"
	assert_eq "$(cfgpy get 'j["annotations"]["k\"1"] == "a\"b\\c\n\x01\u2028\u00e9"' <"$OUT")" true \
		"annotation read back from state"
	rtc list --format json
	assert_rc 0 "list --format json"
	json_lines "list --format json" "$OUT"
	assert_eq "$(cfgpy get '[c["id"] for c in j]' <"$OUT")" "[\"$ID\"]" "list ids"
	assert_eq "$(cfgpy get 'j[0]["bundle"].endswith("/b\\xff")' <"$OUT")" true "list: bundle"
	rtc events --stats "$ID"
	assert_rc 0 "events --stats"
	json_lines "events --stats" "$OUT"
	assert_eq "$(cfgpy get 'j["type"]' <"$OUT")" stats "events type"
	rtc features
	json_doc features "$OUT"
	# a message quoting a user value with a quote, a tab and a byte that is not UTF-8
	rtc --log "$TT/log.json" --log-format json state "$(printf 'x"\t\377')"
	assert_rc_not0 "state of a bad id"
	json_lines "--log-format json" "$TT/log.json"
	rtc --debug --log "$TT/debug.json" --log-format json list
	json_lines "--debug --log-format json" "$TT/debug.json"
	rt kill "$ID" KILL
	wait_status "$ID" stopped
	rt delete "$ID"
	mv "$bad" "$B"
}

test_global_flags_position() {
	# containerd's form: --root, --log, --log-format before the command
	set_args /payload exit 0
	RC=0
	HUSK_TEST_MARK=$MARK "$RUNTIME" --root "$ROOT" --log "$TT/l.json" --log-format json run --bundle "$B" "$ID" \
		>"$OUT" 2>"$ERR" || RC=$?
	assert_rc 0
}

t "--version" test_version
t "--help" test_help
t "unknown command and flag" test_unknown_command
t "commands need an id" test_missing_id
t "kill: signal names, SIG names, numbers, default" test_kill_signal_forms
t "kill: bad signals" test_kill_bad_signal
t "kill --all" test_kill_all
t "--log --log-format json" test_log_json
t "--log appends" test_log_appends
t "spec" test_spec
t "the default spec runs" test_spec_runs
t "spec --rootless" test_spec_rootless
t "features" test_features
t "state, list, events, features and log lines are JSON" test_json_outputs
t "global flags before the command" test_global_flags_position
finish

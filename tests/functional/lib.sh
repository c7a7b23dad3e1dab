# SPDX-License-Identifier: Apache-2.0
# shellcheck shell=bash
#
# Functional test harness, sourced by tests/functional/*.sh.  Each file defines
# test functions and ends with `t NAME FUNC` lines and `finish`.  Output is TAP.
#
# A test function runs in a subshell with `set -e`, in a fresh bundle $B
# (rootfs = busybox + /payload; config.json = runc's default with terminal off,
# cgroupsPath /husk-test/$CGNAME, process env carrying a marker).  After every
# test the harness checks that nothing is left behind (state dirs under the
# private --root, cgroups, processes carrying the marker, host mounts under the
# temp dir), then cleans up by force.
#
# Environment: RUNTIME (default build/src/husk), BUILD_DIR (default build),
# PAYLOAD, V=1 (print every test's log), ONLY=regex (run matching tests only),
# RT_TIMEOUT (seconds per runtime call, default 60), FT_TEST_TIMEOUT (seconds
# per test, default 240: a test that hangs fails, the suite goes on).

set -u

FT_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
SRC_ROOT=$(cd "$FT_DIR/../.." && pwd)
BUILD_DIR=${BUILD_DIR:-$SRC_ROOT/build}
RUNTIME=${RUNTIME:-$BUILD_DIR/src/husk}
case $RUNTIME in /*) ;; *) RUNTIME=$(command -v "$RUNTIME" || echo "$PWD/$RUNTIME") ;; esac
PAYLOAD=${PAYLOAD:-$BUILD_DIR/tests/payload/payload}
RT_NAME=$(basename "$RUNTIME")
# the distribution's python (a pyenv shim in PATH costs a second per call)
PY=/usr/bin/python3
[ -x "$PY" ] || PY=python3
export PAYLOAD BUILD_DIR PY

T=$(mktemp -d /tmp/husk-ft.XXXXXX)
chmod 755 "$T"
ROOT=/run/husk-test-$$
FT_MARK=hft$$
_n=0
_pass=0
_fail=0
_skip=0

cfgpy() { "$PY" "$FT_DIR/cfg.py" "$@"; }

# ---- assertions (exit the test's subshell) ----

die() {
	echo "FAIL: $*"
	exit 1
}
skip() {
	echo "SKIP: $*"
	exit 77
}
show() { # dump the last command's output
	echo "--- rc=$RC stdout:"
	cat "$OUT" 2>/dev/null
	echo "--- stderr:"
	cat "$ERR" 2>/dev/null
	echo "---"
}
assert_rc() {
	if [ "$RC" != "$1" ]; then
		show
		die "${2:-exit status}: expected $1, got $RC"
	fi
}
assert_rc_not0() {
	if [ "$RC" = 0 ]; then
		show
		die "${1:-command} succeeded, expected a failure"
	fi
}
assert_eq() { # got expected [what]
	[ "$1" = "$2" ] || die "${3:-value}: expected \`$2', got \`$1'"
}
assert_out_line() { # an exact line of $OUT
	grep -qFx -- "$1" "$OUT" || {
		show
		die "no line \`$1' in stdout"
	}
}
assert_out_has() {
	grep -qF -- "$1" "$OUT" || {
		show
		die "\`$1' not in stdout"
	}
}
assert_out_lacks() {
	if grep -qF -- "$1" "$OUT"; then
		show
		die "\`$1' in stdout"
	fi
}
assert_err_has_i() { # case-insensitive (podman matches messages so)
	grep -qiF -- "$1" "$ERR" || {
		show
		die "\`$1' not in stderr (any case)"
	}
}
assert_err_has() {
	grep -qF -- "$1" "$ERR" || {
		show
		die "\`$1' not in stderr"
	}
}
# value of the first stdout line "KEY: value"
val() { sed -n "s/^$1: //p" "$OUT" | head -n1; }

# ---- bundle, config and runtime wrappers ----

# new_bundle [DIR]: fresh bundle in DIR (default $TT/b), sets B
new_bundle() {
	B=${1:-$TT/b}
	mkdir -p "$B"
	# hard links: tests add files but never change the base ones
	cp -al "$T/base/rootfs" "$B/rootfs"
	cfgpy new "$B/config.json" \
		"c['linux']['cgroupsPath'] = '/husk-test/$CGNAME'" \
		"env('HUSK_TEST_MARK=$MARK')"
}
cfg() { cfgpy edit "$B/config.json" "$@"; }
# bundle2 SUFFIX: a second bundle $TT/b-SUFFIX with its own cgroup, sets B
bundle2() {
	new_bundle "$TT/b-$1"
	cfg "c['linux']['cgroupsPath'] = '/husk-test/$CGNAME-$1'"
}
set_args() { cfgpy args "$B/config.json" "$@"; }
# json VALUE...: the arguments as a JSON list of strings (for cfg statements)
json() { "$PY" -c 'import json,sys; print(json.dumps(sys.argv[1:]))' "$@"; }

# rt ARGS...: the runtime with the private root; the marker in its environment
rt() { HUSK_TEST_MARK=$MARK timeout -k 5 "${RT_TIMEOUT:-60}" "$RUNTIME" --root "$ROOT" "$@"; }
# rtc ARGS...: rt capturing stdout/stderr/status in $OUT $ERR $RC; never fails
rtc() {
	RC=0
	rt "$@" >"$OUT" 2>"$ERR" </dev/null || RC=$?
}
# runp SUBCMD...: run the payload with these arguments in $B, expect success
runp() {
	set_args /payload "$@"
	rtc run --bundle "$B" "$ID"
	assert_rc 0 "run /payload $*"
}
# runp_rc SUBCMD...: same, any exit status (in $RC)
runp_rc() {
	set_args /payload "$@"
	rtc run --bundle "$B" "$ID"
}
state_json() { rt state "$1"; }
status_of() { rt state "$1" 2>/dev/null | cfgpy get 'j["status"]' 2>/dev/null || echo none; }
pid_of() { rt state "$1" | cfgpy get 'j["pid"]'; }
# wait_status ID STATUS: poll up to 10 s
wait_status() {
	local i s
	for i in $(seq 100); do
		s=$(status_of "$1")
		[ "$s" = "$2" ] && return 0
		sleep 0.1
	done
	die "container $1: status $s, expected $2"
}
# wait_file FILE: until it exists and is not empty (10 s)
wait_file() {
	local i
	for i in $(seq 100); do
		[ -s "$1" ] && return 0
		sleep 0.1
	done
	die "timed out waiting for $1"
}
# alive PID: exists and is not a zombie
alive() {
	local st
	st=$(sed 's/.*) //' "/proc/$1/stat" 2>/dev/null | cut -d' ' -f1)
	[ -n "$st" ] && [ "$st" != Z ] && [ "$st" != X ]
}
# assert_gone PID: dead (or a zombie) within 2 s
assert_gone() {
	local i
	for i in $(seq 20); do
		alive "$1" || return 0
		sleep 0.1
	done
	die "${2:-process} $1 still alive"
}
is_husk() { [ "$RT_NAME" = husk ]; }
# cgroup_dirs NAME: the husk-test/NAME cgroups in every hierarchy: v1 ones and
# the hybrid unified one at /sys/fs/cgroup/*/husk-test, cgroup2 at
# /sys/fs/cgroup/husk-test (and relative ones under a top-level cgroup there)
cgroup_dirs() { ls -d /sys/fs/cgroup/husk-test/"$1" /sys/fs/cgroup/*/husk-test/"$1" 2>/dev/null || true; }
# cgroup_v2: the host is pure cgroup v2 (the magic: busybox's stat has no
# name for cgroup2fs)
cgroup_v2() { [ "$(stat -fc %t /sys/fs/cgroup 2>/dev/null)" = 63677270 ]; }
marked_pids() {
	grep -lsxzF "HUSK_TEST_MARK=$1" /proc/[0-9]*/environ 2>/dev/null |
		sed 's|/proc/\([0-9]*\)/environ|\1|' | grep -vx "$$" || true
}

# leftovers [MARK [CGNAME]]: print what the test left behind
leftovers() {
	local m=${1:-$MARK} cg=${2:-$CGNAME} d
	for d in "$ROOT"/*; do
		[ -e "$d" ] && echo "state dir $d"
	done
	for d in $(cgroup_dirs "$cg") $(cgroup_dirs "$cg-*"); do
		echo "cgroup $d"
	done
	for d in $(marked_pids "$m"); do
		echo "process $d: $(tr '\0' ' ' <"/proc/$d/cmdline" 2>/dev/null)"
	done
	grep -F " $T/" /proc/self/mountinfo | sed 's/^/mount /' || true
}
# assert_clean: fail if anything is left behind now
assert_clean() {
	local l
	l=$(leftovers)
	[ -z "$l" ] || die "left behind: $l"
}

# force_cleanup MARKPREFIX CGPREFIX: delete every container, kill marked
# processes, remove cgroups and mounts under $T
force_cleanup() {
	local d id p
	for d in "$ROOT"/*; do
		[ -d "$d" ] || continue
		id=$(basename "$d")
		HUSK_TEST_MARK=cleanup timeout -k 2 20 "$RUNTIME" --root "$ROOT" delete --force "$id" >/dev/null 2>&1 || true
	done
	for p in $(grep -lsz "^HUSK_TEST_MARK=$1" /proc/[0-9]*/environ 2>/dev/null |
		sed 's|/proc/\([0-9]*\)/environ|\1|'); do
		[ "$p" = $$ ] || kill -9 "$p" 2>/dev/null || true
	done
	sleep 0.05
	rm -rf "${ROOT:?}"/* 2>/dev/null || true
	for d in /sys/fs/cgroup/husk-test/"$2"* /sys/fs/cgroup/*/husk-test/"$2"*; do
		[ -d "$d" ] && find "$d" -depth -type d -exec rmdir {} + 2>/dev/null
	done
	grep -F " $T/" /proc/self/mountinfo | awk '{print $5}' | sort -r | while read -r d; do
		umount -l "$d" 2>/dev/null || true
	done
	true
}

_final_cleanup() {
	force_cleanup "$FT_MARK" "$FT_MARK-"
	rmdir "$ROOT" 2>/dev/null || rm -rf "${ROOT:?}"
	rmdir /sys/fs/cgroup/husk-test /sys/fs/cgroup/*/husk-test 2>/dev/null || true
	rm -rf "${T:?}"
}
trap _final_cleanup EXIT
trap 'exit 130' INT TERM

# base rootfs, copied into every test's bundle
if ! "$SRC_ROOT/tests/mkbundle.sh" --no-config "$T/base" >"$T/mkbundle.log" 2>&1; then
	cat "$T/mkbundle.log" >&2
	echo "Bail out! cannot make the base bundle"
	exit 1
fi

# t NAME FUNC: run one test
t() {
	local name=$1 fn=$2 rc l
	_n=$((_n + 1))
	if [ -n "${ONLY:-}" ] && ! [[ $name =~ $ONLY ]]; then
		echo "ok $_n - $name # SKIP not selected"
		_skip=$((_skip + 1))
		return
	fi
	TT=$T/t$_n
	MARK=$FT_MARK-$_n
	CGNAME=$FT_MARK-$_n
	ID=c$_n
	OUT=$TT/out
	ERR=$TT/err
	RC=0
	B=$TT/b
	mkdir -p "$TT"
	set -m # the test gets a process group of its own, for the watchdog
	(
		set +m -e
		[ -z "${XTRACE:-}" ] || { PS4='+ $EPOCHREALTIME '; set -x; }
		cd "$TT"
		new_bundle
		"$fn"
	) >"$TT/log" 2>&1 &
	local tpid=$! wpid
	set +m
	# a watchdog: a test that hangs fails after FT_TEST_TIMEOUT seconds (each
	# runtime call is bounded by RT_TIMEOUT already; this catches the rest)
	(
		sleep "${FT_TEST_TIMEOUT:-240}" &
		spid=$!
		trap 'kill $spid 2>/dev/null; exit 0' TERM
		wait $spid
		echo "FAIL: the test hung: killed after ${FT_TEST_TIMEOUT:-240} s" >>"$TT/log"
		kill -KILL -- -$tpid 2>/dev/null
	) &
	wpid=$!
	{ wait $tpid; } 2>/dev/null
	rc=$?
	kill -TERM $wpid 2>/dev/null
	{ wait $wpid; } 2>/dev/null
	l=$(leftovers)
	if [ -n "$l" ] && [ $rc != 77 ]; then
		echo "FAIL: left behind:" >>"$TT/log"
		echo "$l" >>"$TT/log"
		[ $rc = 0 ] && rc=1
	fi
	force_cleanup "$MARK" "$CGNAME"
	if [ $rc = 0 ]; then
		echo "ok $_n - $name"
		_pass=$((_pass + 1))
		[ "${V:-0}" = 1 ] && sed 's/^/# /' "$TT/log"
	elif [ $rc = 77 ]; then
		echo "ok $_n - $name # SKIP $(sed -n 's/^SKIP: //p' "$TT/log" | tail -n1)"
		_skip=$((_skip + 1))
	else
		echo "not ok $_n - $name"
		_fail=$((_fail + 1))
		tail -n 60 "$TT/log" | sed 's/^/# /'
	fi
	rm -rf "$TT"
}

finish() {
	echo "1..$_n"
	echo "# $(basename "$0") ($RT_NAME): $_pass passed, $_fail failed, $_skip skipped"
	[ $_fail = 0 ]
}

# SPDX-License-Identifier: Apache-2.0
# shellcheck shell=sh disable=SC2034 # R, rc: used by the scenarios that source this
# TAP helpers for the systemd lane's scenarios (sourced; POSIX sh).
# H: the husk binary; T: a scratch dir removed at exit; results in $n/$failed.
set -u
T=$(mktemp -d /tmp/scenario.XXXXXX)
n=0
failed=0
R=/run/husk
ok() {
	n=$((n + 1))
	echo "ok $n - $1"
}
not_ok() {
	n=$((n + 1))
	failed=$((failed + 1))
	echo "not ok $n - $1"
	shift
	for l in "$@"; do echo "# $l"; done
}
skip() {
	n=$((n + 1))
	echo "ok $n - $1 # SKIP $2"
}
# check DESCRIPTION COND [DIAG...]: COND is a shell expression for `eval`
check() {
	_desc=$1 _cond=$2
	shift 2
	if eval "$_cond"; then ok "$_desc"; else not_ok "$_desc" "failed: $_cond" "$@"; fi
}
# x CMD...: run CMD (bounded, 60 s), stdout in $T/out, stderr in $T/err, status in $rc
x() {
	timeout -k 5 60 "$@" >"$T/out" 2>"$T/err" </dev/null
	rc=$?
}
out() { tr '\n' ' ' <"$T/out" | cut -c1-300; }
err() { tr '\n' ' ' <"$T/err" | cut -c1-300; }
# feature KEY: husk features' linux.cgroup.KEY is true
feature() {
	$H features 2>/dev/null | tr -d ' \n' | grep -q "\"$1\":true"
}
# state_field ID KEY: a field of `husk state ID` (R: the state root)
state_field() {
	"$H" --root "$R" state "$1" 2>/dev/null | tr -d '\n' |
		sed -n "s/.*\"$2\" *: *\"\\{0,1\\}\\([^\",}]*\\).*/\\1/p"
}
# wait_status ID STATUS: until husk state says STATUS (10 s at most)
wait_status() {
	i=0
	while [ $i -lt 50 ]; do
		[ "$(state_field "$1" status)" = "$2" ] && return 0
		sleep 0.2
		i=$((i + 1))
	done
	return 1
}
finish() {
	echo "1..$n"
	rm -rf "$T"
	[ "$failed" = 0 ]
}

#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# husk with the cgroupfs driver on the booted systemd machine (pure v2): run,
# the exit status, and create/start/state/kill/delete with the container's
# cgroup checked from the host side.  Bundles under /husk/b (made on the host).
# rc and the variables that check conditions name are set by tap.sh or used in eval
# shellcheck disable=SC2034,SC2154
. /husk/tap.sh
B=/husk/b
hk() { x "$H" --root "$R" "$@"; }

echo "# $($H --version 2>&1 | head -n 1)"
hk run -b $B/hello sd-hello
check "husk run: busybox echo, exit 0" '[ $rc = 0 ] && grep -qx husk-systemd-hello $T/out' \
	"rc=$rc out: $(out)" "err: $(err)"
hk run -b $B/exit3 sd-exit3
check "husk run: the container's exit status 3 is husk's" '[ $rc = 3 ]' "rc=$rc err: $(err)"

hk create -b $B/sleep sd-life
check "husk create" '[ $rc = 0 ] && [ "$(state_field sd-life status)" = created ]' \
	"rc=$rc err: $(err)" "state: $(state_field sd-life status)"
pid=$(state_field sd-life pid)
cg=$(sed -n 's/^0:://p' "/proc/$pid/cgroup" 2>/dev/null)
echo "# the container's cgroup: $cg"
check "the container has its own cgroup, outside the lane's unit" \
	'[ -n "$cg" ] && [ -d "/sys/fs/cgroup$cg" ] && [ "${cg#/system.slice/lane-runner.service}" = "$cg" ]' \
	"cgroup: $cg"
hk start sd-life
check "husk start: running" '[ $rc = 0 ] && wait_status sd-life running' "rc=$rc err: $(err)"
hk ps sd-life
check "husk ps lists the container's process" '[ $rc = 0 ] && grep -q sleep $T/out' "rc=$rc out: $(out) err: $(err)"
hk kill sd-life KILL
check "husk kill: stopped" '[ $rc = 0 ] && wait_status sd-life stopped' "rc=$rc err: $(err)"
hk delete sd-life
check "husk delete: the container and its cgroup are gone" \
	'[ $rc = 0 ] && [ -n "$cg" ] && [ ! -e "/sys/fs/cgroup$cg" ]' "rc=$rc err: $(err)" \
	"cgroup $cg exists: $([ -e "/sys/fs/cgroup$cg" ] && echo yes || echo no)"
for id in $("$H" --root "$R" list -q 2>/dev/null); do
	"$H" --root "$R" delete --force "$id" >/dev/null 2>&1
done
finish

#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# A Type=notify unit running `husk run --detach`: active only once the
# container sends READY=1 through husk's NOTIFY_SOCKET relay, with the
# container's init as the unit's main pid (husk relays MAINPID).  The
# container waits for /go/go (a bind of /run/husk-notify-go) before it sends
# READY=1, so "activating before, active after" is checked by order.
# rc and the variables that check conditions name are set by tap.sh or used in eval
# shellcheck disable=SC2034,SC2154
. /husk/tap.sh
B=/husk/b
U=husk-notify-test
id=sd-notify
go=/run/husk-notify-go
# until CMD succeeds, at most 60 s (a bound, not a timing assertion)
until_ok() {
	i=0
	while [ $i -lt 300 ]; do
		eval "$1" && return 0
		sleep 0.2
		i=$((i + 1))
	done
	return 1
}
rm -rf "$go"
mkdir -p "$go"
cat >/run/systemd/system/$U.service <<UNIT
[Service]
Type=notify
ExecStartPre=-$H --root $R delete --force $id
ExecStart=$H --root $R run --detach --bundle $B/notify $id
ExecStopPost=$H --root $R delete --force $id
TimeoutStartSec=300
UNIT
systemctl daemon-reload
x systemctl start --no-block $U
check "Type=notify unit: systemctl start --no-block" '[ $rc = 0 ]' "rc=$rc err: $(err)"
until_ok '[ "$(state_field $id status)" = running ]'
st=$(systemctl is-active $U)
check "before the container's READY=1 the unit is activating" '[ "$st" = activating ]' \
	"is-active: $st" "container: $(state_field $id status)"
: >"$go/go"
until_ok '[ "$(systemctl is-active $U)" = active ]'
st=$(systemctl is-active $U)
check "after the container's READY=1 the unit is active" '[ "$st" = active ]' "is-active: $st" \
	"$(systemctl status --no-pager $U 2>&1 | tail -n 5 | tr '\n' ' ')"
mainpid=$(systemctl show -p MainPID --value $U)
cpid=$(state_field $id pid)
check "the unit's main pid is the container's init (MAINPID relayed)" \
	'[ -n "$cpid" ] && [ "$mainpid" = "$cpid" ]' "MainPID=$mainpid container pid=$cpid"
x systemctl stop $U
check "systemctl stop: the container is gone" \
	'[ $rc = 0 ] && ! "$H" --root "$R" state $id >/dev/null 2>&1 && [ "$(systemctl is-active $U)" != active ]' \
	"rc=$rc err: $(err)"
rm -f /run/systemd/system/$U.service
systemctl daemon-reload
systemctl reset-failed $U 2>/dev/null
rm -rf "$go"
finish

#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# After every scenario: no container, unit, scope or cgroup is left.
# rc and the variables that check conditions name are set by tap.sh or used in eval
# shellcheck disable=SC2034,SC2154
. /husk/tap.sh
x "$H" --root "$R" list -q
check "no husk container left" '[ ! -s $T/out ]' "left: $(out)"
x podman ps -a -q
check "no podman container left" '[ ! -s $T/out ]' "left: $(out)"
# transient scopes: only systemd's own init.scope may exist (no login
# sessions here); libpod-* units are podman's with its systemd manager
units=$(systemctl list-units --all --plain --no-legend --type=scope 2>/dev/null |
	grep -v '^init\.scope ' | tr '\n' ' ')
units="$units$(systemctl list-units --all --plain --no-legend 'libpod*' 2>/dev/null | tr '\n' ' ')"
check "no container unit or scope left" '[ -z "$units" ]' "left: $units"
# husk's cgroupfs default /husk/<id>, podman's libpod-*; the test disk's
# husk.mount is no container.  With its cgroupfs manager podman moves conmon
# to /libpod_parent/conmon and leaves both directories (podman's own, not the
# runtime's, whatever the runtime): they may stay, but without processes.
cgs=$(cd /sys/fs/cgroup && find . -mindepth 1 -type d \( -name '*husk*' -o -name '*libpod*' \
	-o -name 'sd-*' -o -path './libpod_parent/*' \) ! -path ./system.slice/husk.mount \
	! -path ./libpod_parent ! -path ./libpod_parent/conmon | tr '\n' ' ')
check "no container cgroup left" '[ -z "$cgs" ]' "left: $cgs"
procs=$(cat /sys/fs/cgroup/libpod_parent/cgroup.procs /sys/fs/cgroup/libpod_parent/conmon/cgroup.procs 2>/dev/null | tr '\n' ' ')
check "no process left in podman's /libpod_parent" '[ -z "$procs" ]' "pids: $procs"
failed_units=$(systemctl list-units --failed --plain --no-legend | tr '\n' ' ')
check "no failed unit" '[ -z "$failed_units" ]' "failed: $failed_units"
finish

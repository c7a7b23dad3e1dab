#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# The machine itself: systemd is pid 1, the boot finishes, pure cgroup v2.
# rc and the variables that check conditions name are set by tap.sh or used in eval
# shellcheck disable=SC2034,SC2154
. /husk/tap.sh

comm=$(cat /proc/1/comm)
exe=$(readlink /proc/1/exe)
check "systemd is pid 1" '[ "$comm" = systemd ]' "pid 1: $comm ($exe)"
state=$(timeout 240 systemctl is-system-running --wait 2>&1)
echo "# qemu-systemd phase: boot $(cut -d' ' -f1 /proc/uptime) s (uptime when the system was $state)"
check "systemctl is-system-running reaches running or degraded" \
	'[ "$state" = running ] || [ "$state" = degraded ]' "state: $state" \
	"failed units: $(systemctl list-units --failed --plain --no-legend 2>&1 | tr '\n' ' ')" \
	"jobs: $(systemctl list-jobs --plain --no-legend 2>&1 | head -n 5 | tr '\n' ' ')"
if [ "$state" = degraded ]; then
	echo "# failed units: $(systemctl list-units --failed --plain --no-legend | tr '\n' ' ')"
fi
fs=$(stat -fc %T /sys/fs/cgroup)
check "pure cgroup v2: cgroup2 on /sys/fs/cgroup" '[ "$fs" = cgroup2fs ]' "fs type: $fs"
v1=$(grep -c -v '^0::' /proc/self/cgroup)
check "pure cgroup v2: no v1 hierarchy in /proc/self/cgroup" '[ "$v1" = 0 ]' \
	"$(tr '\n' ' ' </proc/self/cgroup)"
cg=$(sed -n 's/^0:://p' /proc/self/cgroup)
check "the lane runs in its unit's cgroup" '[ "$cg" = /system.slice/lane-runner.service ]' "cgroup: $cg"
echo "# root cgroup.subtree_control: $(cat /sys/fs/cgroup/cgroup.subtree_control)"
echo "# systemd $(systemctl --version | head -n 1)"
finish

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
units=$(systemctl list-units --all --plain --no-legend 'libpod*' '*husk*' 'crun*' 2>/dev/null |
	grep -v '^lane-runner' | tr '\n' ' ')
check "no container unit or scope left" '[ -z "$units" ]' "left: $units"
cgs=$(cd /sys/fs/cgroup && find . -mindepth 1 -type d \( -name '*husk*' -o -name '*libpod*' \
	-o -name 'sd-*' \) | tr '\n' ' ')
check "no container cgroup left" '[ -z "$cgs" ]' "left: $cgs"
failed_units=$(systemctl list-units --failed --plain --no-legend | tr '\n' ' ')
check "no failed unit" '[ -z "$failed_units" ]' "failed: $failed_units"
finish

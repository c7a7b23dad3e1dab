#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
#
# Runs inside the systemd lane's VM (lane-runner.service, /bin/sh = dash), from
# the test disk mounted on /husk: each scenario listed in /husk/scenarios.list
# (/husk/t/NAME.sh, TAP) framed as tests/qemu/parse.py expects
# ("=== HUSK-QEMU TEST name ===" ... "=== HUSK-QEMU RC name status ===" between
# BEGIN and END), then powers the machine off.
exec >/dev/ttyS0 2>&1 </dev/null
PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
export PATH
# keep kernel messages (OOM kills, ...) from splitting TAP lines
echo 1 >/proc/sys/kernel/printk
. /husk/lane.conf

echo
echo "=== HUSK-QEMU BEGIN ==="
echo "# kernel $(uname -r), $(nproc) cpus, $(sed -n 's/^MemTotal: *//p' /proc/meminfo) memory," \
	"pid 1 $(cat /proc/1/comm), lane started at uptime $(cut -d' ' -f1 /proc/uptime) s"

# run_test NAME LIMIT: /husk/t/NAME.sh in a fresh cwd, killed after LIMIT s
run_test() {
	name=$1 limit=$2
	dir=/tmp/run-$name
	mkdir -p "$dir"
	echo "=== HUSK-QEMU TEST $name ==="
	t0=$(date +%s)
	(cd "$dir" && exec env -i PATH="$PATH" HOME=/root TMPDIR=/tmp TERM=dumb LANG=C.UTF-8 \
		H=/husk/bin/husk LANE_TIMEOUT="$limit" \
		timeout -k 5 -s TERM "$limit" /bin/sh "/husk/t/$name.sh") 2>&1
	rc=$?
	echo "# $name: $(($(date +%s) - t0)) s"
	echo "=== HUSK-QEMU RC $name $rc ==="
	rm -rf "$dir"
}

lane_t0=$(date +%s)
while read -r s; do
	[ -n "$s" ] && run_test "$s" "$SCENARIO_TIMEOUT"
done </husk/scenarios.list
echo "# qemu-systemd phase: tests $(($(date +%s) - lane_t0)) s"
echo "=== HUSK-QEMU END ==="
sync
# a clean shutdown is part of the test (units stop, scopes go); boot.sh's
# bound ends a VM whose shutdown hangs
systemctl poweroff --no-block

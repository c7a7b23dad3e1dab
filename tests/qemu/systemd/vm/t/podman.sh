#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# Rootful Podman (Debian 12's 4.3, conmon) with husk as its OCI runtime: a
# busybox image imported offline from /husk/img/busybox.tar (made on the host),
# `run --rm` and the exit status with the cgroupfs manager; with Podman's
# default cgroup manager (systemd) only once husk has the systemd driver.
# rc and the variables that check conditions name are set by tap.sh or used in eval
# shellcheck disable=SC2034,SC2154
. /husk/tap.sh
IMG=localhost/husk-busybox:latest
pm() { x podman --runtime "$H" --events-backend file "$@"; }

echo "# $(podman --version 2>&1)"
pm import /husk/img/busybox.tar "$IMG"
check "podman import of the busybox rootfs tarball" '[ $rc = 0 ]' "rc=$rc err: $(err)"
pm --cgroup-manager cgroupfs run --rm --network none "$IMG" echo husk-podman-hello
check "podman --runtime husk run --rm (cgroupfs manager)" \
	'[ $rc = 0 ] && grep -qx husk-podman-hello $T/out' "rc=$rc out: $(out)" "err: $(err)"
pm --cgroup-manager cgroupfs run --rm --network none "$IMG" sh -c 'exit 7'
check "podman run --rm: the container's exit status 7" '[ $rc = 7 ]' "rc=$rc err: $(err)"
if feature systemd; then
	pm --cgroup-manager systemd run --rm --network none "$IMG" echo husk-podman-systemd
	check "podman --runtime husk run --rm (systemd manager)" \
		'[ $rc = 0 ] && grep -qx husk-podman-systemd $T/out' "rc=$rc out: $(out)" "err: $(err)"
else
	skip "podman --runtime husk run --rm (systemd manager)" \
		"husk has no systemd cgroup driver yet (husk features: linux.cgroup.systemd is false)"
fi
pm ps -a -q
check "no podman container left" '[ $rc = 0 ] && [ ! -s $T/out ]' "rc=$rc out: $(out)"
pm rmi -f "$IMG"
finish

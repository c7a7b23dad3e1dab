#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
#
# tests/clients/setup.sh: install the clients the integration tests drive
# (Debian 12 packages), only those missing; quiet.  Services are not started:
# while apt runs, a policy-rc.d (exit 101) stops invoke-rc.d from starting
# containerd or dockerd (an existing policy-rc.d is left alone).
set -u

pkgs="podman conmon containerd docker.io skopeo umoci busybox-static bsdutils coreutils"
missing=
for p in $pkgs; do
	dpkg -s "$p" >/dev/null 2>&1 || missing="$missing $p"
done
[ -n "$missing" ] || exit 0
[ "$(id -u)" = 0 ] || {
	echo "setup: need root to install$missing" >&2
	exit 1
}
policy=/usr/sbin/policy-rc.d
ours=0
if [ ! -e $policy ]; then
	printf '#!/bin/sh\nexit 101\n' >$policy
	chmod 755 $policy
	ours=1
fi
log=$(mktemp /tmp/husk-clients-apt.XXXXXX)
export DEBIAN_FRONTEND=noninteractive
echo "setup: installing$missing"
{ apt-get update -qq && apt-get install -y -qq --no-install-recommends $missing; } >"$log" 2>&1
rc=$?
[ $ours = 0 ] || rm -f $policy
if [ $rc != 0 ]; then
	tail -n 20 "$log" >&2
	echo "setup: apt-get install$missing failed (log: $log)" >&2
	exit 1
fi
rm -f "$log"

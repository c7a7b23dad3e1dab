#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
#
# tests/clients/run.sh [podman|containerd|docker]...: install what is missing
# (setup.sh; NO_INSTALL=1 skips it), then run the client scripts (default:
# all three) and print their results as one TAP stream, each line prefixed
# with the client.  A script that bails out or dies counts as one failure.
# Exit status: 0 when nothing failed (TODO lines are known failures, not
# failures).  Environment: RUNTIME, BUILD_DIR, V, KEEP (see lib.sh).
set -u

dir=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
if [ "${NO_INSTALL:-0}" != 1 ]; then
	"$dir/setup.sh" >&2 || echo "# setup.sh failed: scripts whose client is missing skip" >&2
fi
[ $# -gt 0 ] || set -- podman containerd docker

n=0
failed=0
for c in "$@"; do
	c=${c%.sh}
	c=${c##*/}
	out=$(mktemp /tmp/husk-clients-$c.XXXXXX)
	bash "$dir/$c.sh" >"$out" 2>&1
	rc=$?
	while IFS= read -r line; do
		case $line in
		"ok "* | "not ok "*)
			n=$((n + 1))
			# renumber: "ok 3 - name" -> "ok N - client: name"
			echo "$line" | sed -E "s/^(not ok|ok) [0-9]+ (- )?/\1 $n - $c: /"
			;;
		"1..0 # SKIP"*)
			n=$((n + 1))
			echo "ok $n - $c # SKIP${line#1..0 # SKIP}"
			;;
		"Bail out!"*)
			n=$((n + 1))
			failed=1
			echo "not ok $n - $c: ${line}"
			;;
		1..*) ;;
		*) echo "$line" ;;
		esac
	done <"$out"
	if grep -q '^Bail out!' "$out" || grep '^not ok ' "$out" | grep -qv '# TODO'; then
		failed=1
	elif [ $rc != 0 ]; then
		# died without a failing test
		n=$((n + 1))
		failed=1
		echo "not ok $n - $c exited with $rc"
	fi
	rm -f "$out"
done
echo "1..$n"
exit $failed

#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# Every C file of the tree follows .clang-format (TAP, one line per file).
top=${1:-$(cd "$(dirname "$0")/../.." && pwd)}
cd "$top" || exit 1
if ! command -v clang-format >/dev/null 2>&1; then
	echo "1..0 # SKIP clang-format not installed"
	exit 77
fi
files=$(git ls-files '*.c' '*.h' 2>/dev/null || find libcontainer src include tests oci-conformance -name '*.[ch]')
n=0
bad=0
for f in $files; do
	n=$((n + 1))
	if clang-format --dry-run --Werror "$f" >/dev/null 2>&1; then
		echo "ok $n - $f"
	else
		echo "not ok $n - $f is not formatted (clang-format -i $f)"
		bad=1
	fi
done
echo "1..$n"
exit $bad

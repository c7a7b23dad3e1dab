#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
#
# RUNTIME=/path/to/runtime oci-conformance/run.sh [GROUP...]
#
# OCI runtime-spec conformance suite; prints TAP and a summary, exits 1 if a
# check failed.  Needs root, gcc (static glibc), python3 and busybox-static.
# Everything it makes (work dir, --root state dir, cgroups under
# /husk-test/conformance-*) is removed on exit, also on failure or signal.
here=$(cd "$(dirname "$0")" && pwd)
: "${RUNTIME:?set RUNTIME to the runtime binary, e.g. RUNTIME=/usr/sbin/runc}"
export RUNTIME
exec python3 "$here/run.py" "$@"

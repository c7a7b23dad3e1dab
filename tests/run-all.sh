#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
#
# tests/run-all.sh [FUNCTIONAL...]: THE test command.  As root on Debian 12:
#   1. installs what is missing with apt-get (dpkg -s checks: reruns are fast),
#   2. builds with meson + ninja in $BUILD_DIR (default build/),
#   3. runs the meson unit tests (TAP), tests/fuzz/run.sh 20 (one test),
#      every tests/functional/*.sh (or only the FUNCTIONAL ones named), and,
#      for the whole suite, oci-conformance/ against husk, the pure cgroup v2
#      lane in qemu (tests/qemu) and the real clients (tests/clients: podman,
#      containerd, docker),
#   4. prints the totals as its last line: `N passed, N failed, N skipped`.
# Exits non-zero if anything failed.  Every skip prints its reason; a
# `not ok ... # TODO reason` line is a known failure, listed, not counted.
#
# Environment: BUILD_DIR, RUNTIME (default $BUILD_DIR/src/husk: the
# functional tests run against any runc-compatible runtime), FUZZ_SECONDS
# (default 20), NO_INSTALL=1 (skip apt-get), NO_UNIT=1, NO_FUZZ=1,
# NO_CONFORMANCE=1, NO_QEMU=1, NO_CLIENTS=1, NO_ENOSYS=1 (the second run of
# the unit and functional tests with openat2/clone3 failing), NO_COMPAT_RUNC=1
# (the compat-*.sh suites against runc), HUSK_COMPAT_RUNC, HUSK_QEMU_*,
# HUSK_SYSTEMD_LANE=1 (the booted systemd machine lane, off by default for
# now: tests/qemu/systemd), HUSK_SYSTEMD_*.
set -u

src=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$src" || exit 1
export BUILD_DIR=${BUILD_DIR:-$src/build}
case $BUILD_DIR in /*) ;; *) BUILD_DIR=$src/$BUILD_DIR ;; esac
export RUNTIME=${RUNTIME:-$BUILD_DIR/src/husk}
logdir=$BUILD_DIR/test-logs

pass=0
fail=0
skip=0
failed_names=()

total() {
	local s="$pass passed, $fail failed"
	[ "$skip" = 0 ] || s="$s, $skip skipped"
	echo "$s"
}
abort() { # a step before the tests failed: count it as one failure
	echo "run-all: $*" >&2
	fail=$((fail + 1))
	total
	exit 1
}

# bounded SECONDS CMD...: run one step with a bound that fits it (GNU
# timeout: its whole process group gets SIGTERM, SIGKILL 10 s later); a step
# that hangs becomes one failing test saying so, never a long stall.  The
# lanes and suites bound their own VMs, daemons and containers more tightly
# (tests/qemu/boot.sh, tests/functional/lib.sh, tests/clients/lib.sh).
bounded() {
	local secs=$1 rc=0
	shift
	timeout -k 10 "$secs" "$@" || rc=$?
	if [ $rc = 124 ] || [ $rc = 137 ]; then
		echo "not ok - ${*##*/}: step timed out after $secs s (a hang; see the lines above)"
	fi
	return $rc
}

if [ "$(id -u)" != 0 ]; then
	echo "run-all: must run as root (containers, mounts, cgroups)" >&2
	exit 1
fi

# ---- 1. dependencies ----
pkgs="meson ninja-build pkg-config gcc libc6-dev libyajl-dev libcap-dev libseccomp-dev
libselinux1-dev libapparmor-dev libsystemd-dev busybox-static python3 iproute2 util-linux procps
clang clang-format go-md2man qemu-system-x86 cpio runc debootstrap e2fsprogs uidmap"
if [ "${NO_INSTALL:-0}" != 1 ] && command -v dpkg >/dev/null; then
	missing=
	for p in $pkgs; do
		dpkg -s "$p" >/dev/null 2>&1 || missing="$missing $p"
	done
	if [ -n "$missing" ]; then
		echo "run-all: installing$missing"
		export DEBIAN_FRONTEND=noninteractive
		{ apt-get update -qq && apt-get install -y -qq --no-install-recommends $missing; } \
			>/tmp/husk-apt.log 2>&1 || {
			tail -n 20 /tmp/husk-apt.log >&2
			abort "apt-get install$missing failed"
		}
	fi
fi

# ---- 2. build ----
if [ ! -f "$BUILD_DIR/build.ninja" ]; then
	meson setup "$BUILD_DIR" >/tmp/husk-meson.log 2>&1 || {
		tail -n 30 /tmp/husk-meson.log >&2
		abort "meson setup failed"
	}
fi
ninja -C "$BUILD_DIR" >/tmp/husk-ninja.log 2>&1 || {
	grep -B2 -A10 'error' /tmp/husk-ninja.log | head -n 60 >&2
	abort "build failed"
}
mkdir -p "$logdir"
echo "run-all: built $(cd "$src" && git rev-parse --short HEAD 2>/dev/null || echo '?') in $BUILD_DIR; runtime $RUNTIME"

# count_tap NAME LOG: add a TAP log's results; print failures and skips
count_tap() {
	local name=$1 log=$2 p f s
	p=$(grep -c '^ok ' "$log" | head -n1)
	s=$(grep -c '^ok .*# *SKIP' "$log" | head -n1)
	# `not ok ... # TODO reason`: a known failure, listed with its reason, not counted
	f=$(grep '^not ok ' "$log" | grep -vc '# *TODO' | head -n1)
	p=$((p - s))
	grep -E '^not ok |^ok .*# *SKIP' "$log" | grep -v 'SKIP not selected' | sed "s/^/  $name: /"
	pass=$((pass + p))
	fail=$((fail + f))
	skip=$((skip + s))
	[ "$f" = 0 ] || failed_names+=("$name")
	echo "run-all: $name: $p passed, $f failed, $s skipped"
}

# meson's testlog.json (one JSON object per test) as TAP: every TAP line of a
# test counts; a test with none counts once
unit_py=$(
	cat <<'PY'
import json, re, sys
n = 0
good = ("OK", "SKIP", "EXPECTEDFAIL")
for line in open(sys.argv[1]):
    t = json.loads(line)
    out = t.get("stdout") or ""
    name, res = t["name"], t.get("result", "")
    tap = [l for l in out.splitlines() if re.match(r"(not )?ok\b", l)]
    for l in tap:
        n += 1
        print(re.sub(r"^(not ok|ok)\s*\d*\s*-?\s*", lambda m: "%s %d %s: " % (m.group(1), n, name), l, count=1))
    if res in good and tap:
        continue
    if res not in good and any(l.startswith("not ok") for l in tap):
        continue
    n += 1
    if res == "SKIP":
        why = (out.strip().splitlines() or ["exit 77"])[-1]
        print("ok %d %s # SKIP %s" % (n, name, why.split("SKIP")[-1].strip() or why))
    elif res in good:
        print("ok %d %s" % (n, name))
    else:
        print("not ok %d %s (%s, exit %s)" % (n, name, res, t.get("returncode")))
PY
)

# ---- 3a. unit tests (meson, TAP) ----
if [ "${NO_UNIT:-0}" != 1 ]; then
	echo "run-all: unit tests"
	rm -f "$BUILD_DIR/meson-logs/testlog.json"
	bounded 900 meson test -C "$BUILD_DIR" --no-rebuild --print-errorlogs \
		>"$logdir/unit.log" 2>&1
	# one JSON object per test; count its TAP lines (a test with none counts once)
	"$(command -v /usr/bin/python3 || command -v python3)" - "$BUILD_DIR/meson-logs/testlog.json" \
		>"$logdir/unit.tap" <<<"$unit_py"
	[ -s "$logdir/unit.tap" ] || echo "not ok 1 - unit tests did not run (see $logdir/unit.log)" >"$logdir/unit.tap"
	grep '^not ok - .*step timed out' "$logdir/unit.log" >>"$logdir/unit.tap"
	count_tap unit "$logdir/unit.tap"
fi

# ---- 3b. fuzzing (one test) ----
if [ "${NO_FUZZ:-0}" != 1 ] && [ -x "$src/tests/fuzz/run.sh" ]; then
	echo "run-all: fuzz ${FUZZ_SECONDS:-20} s"
	if bounded $((${FUZZ_SECONDS:-20} + 300)) \
		"$src/tests/fuzz/run.sh" "${FUZZ_SECONDS:-20}" >"$logdir/fuzz.log" 2>&1; then
		if grep -q '^ok .*# *SKIP' "$logdir/fuzz.log"; then
			echo "ok 1 - fuzz $(grep -o '# *SKIP.*' "$logdir/fuzz.log" | head -n1)" >"$logdir/fuzz.tap"
		else
			echo "ok 1 - fuzz" >"$logdir/fuzz.tap"
		fi
	else
		echo "not ok 1 - fuzz (see $logdir/fuzz.log)" >"$logdir/fuzz.tap"
	fi
	count_tap fuzz "$logdir/fuzz.tap"
fi

# ---- 3c. functional tests ----
files=()
if [ $# -gt 0 ]; then
	for a in "$@"; do
		a=${a%.sh}
		files+=("$src/tests/functional/${a##*/}.sh")
	done
else
	for f in "$src"/tests/functional/*.sh; do
		[ "$(basename "$f")" = lib.sh ] || files+=("$f")
	done
fi
for f in "${files[@]}"; do
	n=$(basename "$f" .sh)
	echo "run-all: functional/$n"
	rc=0
	bounded 900 bash "$f" >"$logdir/$n.tap" 2>&1 || rc=$?
	if [ $rc != 0 ] && ! grep -q '^not ok ' "$logdir/$n.tap"; then
		# died without a failing test (bail out, crash): one failure
		tail -n 5 "$logdir/$n.tap" | sed 's/^/  /'
		echo "not ok - $n exited with $rc" >>"$logdir/$n.tap"
	fi
	count_tap "$n" "$logdir/$n.tap"
done

# ---- 3c'. the same suites with openat2 and clone3 failing with ENOSYS ----
# (style.md 14: the fallbacks, the O_NOFOLLOW walk and clone(2), are held to
# the same tests).  tests/unit/nosys wraps each suite in a seccomp filter that
# every child inherits, husk and its containers included.  Whole suite only.
enosys=$BUILD_DIR/tests/unit/nosys
if [ $# -eq 0 ] && [ "${NO_ENOSYS:-0}" != 1 ]; then
	if [ -x "$enosys" ]; then
		if [ "${NO_UNIT:-0}" != 1 ]; then
			echo "run-all: unit tests with openat2 and clone3 failing (ENOSYS)"
			rm -f "$BUILD_DIR"/meson-logs/testlog-enosys*.json
			bounded 900 meson test -C "$BUILD_DIR" --no-rebuild --wrapper "$enosys openat2,clone3" \
				--logbase testlog-enosys --print-errorlogs >"$logdir/unit-enosys.log" 2>&1
			# meson names the log after the wrapper too: testlog-enosys-nosys.json
			"$(command -v /usr/bin/python3 || command -v python3)" - \
				"$BUILD_DIR"/meson-logs/testlog-enosys*.json >"$logdir/unit-enosys.tap" <<<"$unit_py"
			[ -s "$logdir/unit-enosys.tap" ] ||
				echo "not ok 1 - unit tests did not run (see $logdir/unit-enosys.log)" >"$logdir/unit-enosys.tap"
			grep '^not ok - .*step timed out' "$logdir/unit-enosys.log" >>"$logdir/unit-enosys.tap"
			count_tap unit-enosys "$logdir/unit-enosys.tap"
		fi
		for f in "${files[@]}"; do
			n=$(basename "$f" .sh)-enosys
			echo "run-all: functional/$n"
			rc=0
			bounded 900 "$enosys" openat2,clone3 bash "$f" >"$logdir/$n.tap" 2>&1 || rc=$?
			if [ $rc != 0 ] && ! grep -q '^not ok ' "$logdir/$n.tap"; then
				tail -n 5 "$logdir/$n.tap" | sed 's/^/  /'
				echo "not ok - $n exited with $rc" >>"$logdir/$n.tap"
			fi
			count_tap "$n" "$logdir/$n.tap"
		done
	else
		echo "ok 1 - enosys # SKIP no $enosys (an architecture without a seccomp table in nosys.c)" >"$logdir/enosys.tap"
		count_tap enosys "$logdir/enosys.tap"
	fi
fi

# ---- 3c''. the drop-in suites (tests/functional/compat-*.sh) against runc ----
# Each behaviour husk shares with runc is tested against both: the same file,
# RUNTIME=runc (a test skips, naming the reason, only where runc 1.1 lacks the
# behaviour).  Run with the named suites too, when one of them is a compat one.
runc_bin=${HUSK_COMPAT_RUNC:-$(command -v runc || echo /usr/sbin/runc)}
if [ "${NO_COMPAT_RUNC:-0}" != 1 ]; then
	for f in "${files[@]}"; do
		case $(basename "$f") in compat-*.sh) ;; *) continue ;; esac
		n=$(basename "$f" .sh)-runc
		echo "run-all: functional/$n"
		if [ ! -x "$runc_bin" ]; then
			echo "ok 1 - $n # SKIP no runc at $runc_bin" >"$logdir/$n.tap"
			count_tap "$n" "$logdir/$n.tap"
			continue
		fi
		rc=0
		RUNTIME=$runc_bin bounded 900 bash "$f" >"$logdir/$n.tap" 2>&1 || rc=$?
		if [ $rc != 0 ] && ! grep -q '^not ok ' "$logdir/$n.tap"; then
			tail -n 5 "$logdir/$n.tap" | sed 's/^/  /'
			echo "not ok - $n exited with $rc" >>"$logdir/$n.tap"
		fi
		count_tap "$n" "$logdir/$n.tap"
	done
fi

# The lanes below run only for the whole suite (no FUNCTIONAL names given).
# lane NAME RC LOG: count a lane's TAP; a lane that died without a failing
# line is one failure, exit 77 one skip
lane() {
	local name=$1 rc=$2 log=$3
	if [ "$rc" = 77 ]; then
		echo "ok 1 - $name # SKIP $(grep -o 'SKIP.*' "$log" | head -n1 | sed 's/^SKIP *//')" >"$log.tap"
	else
		grep -E '^(not )?ok\b' "$log" >"$log.tap"
		if [ "$rc" != 0 ] && ! grep -q '^not ok ' "$log.tap"; then
			tail -n 5 "$log" | sed 's/^/  /'
			echo "not ok - $name exited with $rc" >>"$log.tap"
		fi
	fi
	count_tap "$name" "$log.tap"
}

# ---- 3d. oci-conformance/ against husk (checks husk is known to fail: xfail list) ----
if [ $# -eq 0 ] && [ "${NO_CONFORMANCE:-0}" != 1 ]; then
	echo "run-all: oci-conformance"
	rc=0
	XFAIL_FILE="$src/oci-conformance/xfail-husk.txt" bounded 900 \
		"$src/oci-conformance/run.sh" \
		>"$logdir/conformance.log" 2>&1 || rc=$?
	lane conformance "$rc" "$logdir/conformance.log"
fi

# ---- 3e. pure cgroup v2: unit tests, smoke and cgroup suites in qemu (6.1, cgroup_no_v1=all) ----
# The accelerator is chosen by a probe (tests/qemu/boot.sh): a /dev/kvm that
# hangs its guests costs seconds, not the lane.  A second, short run plays a
# KVM that never boots (tests/qemu/fake-qemu.sh in front of the real qemu):
# the lane must fall back to TCG and pass, whatever this machine's KVM does.
if [ $# -eq 0 ] && [ "${NO_QEMU:-0}" != 1 ]; then
	echo "run-all: qemu cgroup v2 lane"
	rc=0
	HUSK_QEMU_FUNCTIONAL=${HUSK_QEMU_FUNCTIONAL:-cgroups devices} \
		bounded 900 "$src/tests/qemu/run.sh" "$BUILD_DIR" >"$logdir/qemu.log" 2>&1 || rc=$?
	grep '^# qemu-v2: accelerator: \(kvm\|tcg\) (' "$logdir/qemu.log" | sed 's/^# /  /'
	lane qemu-v2 "$rc" "$logdir/qemu.log"

	echo "run-all: qemu lane with a KVM that never boots (fake), smoke checks only"
	rc=0
	if real_qemu=$(command -v qemu-system-x86_64); then
		HUSK_QEMU_BIN=$src/tests/qemu/fake-qemu.sh FAKE_QEMU_KVM=hang FAKE_QEMU_TCG=exec \
			FAKE_QEMU_REAL=$real_qemu HUSK_QEMU_KVM=1 HUSK_QEMU_KVM_PROBE=5 \
			HUSK_QEMU_UNIT=none HUSK_QEMU_FUNCTIONAL=none \
			bounded 600 "$src/tests/qemu/run.sh" "$BUILD_DIR" \
			>"$logdir/qemu-kvm-hang.log" 2>&1 || rc=$?
		if grep -q '^# qemu-v2: accelerator: tcg (the kvm probe failed: no kernel output under kvm' \
			"$logdir/qemu-kvm-hang.log"; then
			echo "ok - qemu-v2: the hung KVM was stopped after its probe and the VM ran under TCG" \
				>>"$logdir/qemu-kvm-hang.log"
		else
			echo "not ok - qemu-v2: no fallback from the hung KVM to TCG in the log" >>"$logdir/qemu-kvm-hang.log"
		fi
	else
		echo "SKIP qemu-system-x86_64 missing" >"$logdir/qemu-kvm-hang.log"
		rc=77
	fi
	lane qemu-kvm-hang "$rc" "$logdir/qemu-kvm-hang.log"
fi

# ---- 3e'. a booted systemd machine (Debian 12 rootfs from debootstrap, cached in
# /var/cache/husk-test/systemd) in qemu: opt-in until it is proven reliable ----
if [ $# -eq 0 ] && [ "${NO_QEMU:-0}" != 1 ] && [ "${HUSK_SYSTEMD_LANE:-0}" = 1 ]; then
	echo "run-all: qemu systemd lane"
	rc=0
	bounded 1800 "$src/tests/qemu/systemd/run.sh" "$BUILD_DIR" >"$logdir/qemu-systemd.log" 2>&1 || rc=$?
	grep -E '^# qemu-systemd: accelerator: (kvm|tcg) \(|^# qemu-systemd phases:' \
		"$logdir/qemu-systemd.log" | sed 's/^# /  /'
	lane qemu-systemd "$rc" "$logdir/qemu-systemd.log"
fi

# ---- 3f. real clients: podman, containerd (ctr + runc shim v2), docker ----
if [ $# -eq 0 ] && [ "${NO_CLIENTS:-0}" != 1 ]; then
	echo "run-all: clients"
	rc=0
	bounded 1200 "$src/tests/clients/run.sh" >"$logdir/clients.log" 2>&1 || rc=$?
	lane clients "$rc" "$logdir/clients.log"
fi

[ "$fail" = 0 ] || echo "run-all: failures in: ${failed_names[*]} (logs in $logdir)"
total
[ "$fail" = 0 ]

#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
#
# tests/qemu/test-boot.sh: the qemu lane's choice of accelerator (boot.sh),
# driven through fake-qemu.sh: a KVM that hangs after "Probing EDD", one that
# fails at once, one that prints the kernel's first line and no more, a
# working one, no /dev/kvm at all, and a TCG that hangs too.  Short bounds
# (2 s probe, 4 s boot), so the whole file takes about 20 s.  TAP output.
set -u
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
T=$(mktemp -d /tmp/husk-qemu-boot.XXXXXX)
trap 'rm -rf "$T"' EXIT
n=0
failed=0
ok() { n=$((n + 1)); echo "ok $n - $1"; }
nok() {
	n=$((n + 1))
	failed=$((failed + 1))
	echo "not ok $n - $1"
	sed 's/^/#   /' "$T/out" "$T/calls" "$T/calls.args" 2>/dev/null | tail -n 20
}

# boot KVM_MODE TCG_MODE [VAR=VALUE...]: run boot.sh with the fake qemu;
# sets rc, secs; output in $T/out, the fake's calls in $T/calls
boot() {
	local kvm=$1 tcg=$2 t0
	shift 2
	: >"$T/calls"
	: >"$T/calls.args"
	t0=$(date +%s)
	env HUSK_QEMU_BIN="$here/fake-qemu.sh" FAKE_QEMU_KVM="$kvm" FAKE_QEMU_TCG="$tcg" \
		FAKE_QEMU_CALLS="$T/calls" HUSK_QEMU_KVM=1 HUSK_QEMU_KVM_PROBE=2 \
		HUSK_QEMU_BOOT_TIMEOUT=4 "$@" "$here/boot.sh" "$T/serial" 30 -m 64 -kernel vmlinuz \
		-append "console=ttyS0 x=1" >"$T/out" 2>&1
	rc=$?
	secs=$(($(date +%s) - t0))
}
calls() { tr '\n' ',' <"$T/calls" | sed 's/,$//'; }
# every qemu started got the VM's arguments after the accelerator's
args_ok() { ! grep -vx -- '-accel \(kvm -cpu host\|tcg,thread=multi -cpu max\) -m 64 -kernel vmlinuz -append console=ttyS0 x=1' "$T/calls.args"; }
has() { grep -qF -- "$1" "$T/out"; }
lane_passes() { # parse.py turns the serial log into a passing TAP stream
	python3 "$here/parse.py" "$T/serial" >"$T/tap" 2>&1 && grep -q '^ok 1 - qemu-v2: fake: fake test under' "$T/tap"
}

boot hang boot
if [ $rc = 0 ] && [ "$(calls)" = "kvm hang,tcg boot" ] && [ $secs -lt 10 ] && args_ok &&
	has "accelerator: tcg (the kvm probe failed: no kernel output under kvm within 2 s" &&
	has "Probing EDD" && lane_passes; then
	ok "a KVM that hangs after Probing EDD: stopped after the probe, the lane passes under TCG (${secs} s)"
else nok "KVM hang: fallback to TCG (rc $rc, ${secs} s, calls $(calls))"; fi

boot fail boot
if [ $rc = 0 ] && [ "$(calls)" = "kvm fail,tcg boot" ] && args_ok &&
	has "kvm exited with status 1 before the kernel's first line" && lane_passes; then
	ok "a KVM that fails at once: TCG, and the log says why"
else nok "KVM failing at once: fallback to TCG (rc $rc, calls $(calls))"; fi

boot late boot
if [ $rc = 0 ] && [ "$(calls)" = "kvm late,tcg boot" ] &&
	has "no BEGIN marker under kvm within 4 s" && lane_passes; then
	ok "a KVM kernel that never reaches the init: TCG after the boot bound"
else nok "KVM without BEGIN: fallback to TCG (rc $rc, calls $(calls))"; fi

boot boot hang
if [ $rc = 0 ] && [ "$(calls)" = "kvm boot" ] && args_ok && has "accelerator: kvm (kvm ran to the end" && lane_passes; then
	ok "a working KVM is used, TCG never started"
else nok "working KVM used (rc $rc, calls $(calls))"; fi

boot boot boot HUSK_QEMU_KVM=auto HUSK_QEMU_KVM_DEV="$T/no-kvm"
if [ $rc = 0 ] && [ "$(calls)" = "tcg boot" ] && args_ok && has "accelerator: tcg (no writable $T/no-kvm)"; then
	ok "no /dev/kvm: TCG without a probe"
else nok "no /dev/kvm: TCG directly (rc $rc, calls $(calls))"; fi

boot boot boot HUSK_QEMU_KVM=0
if [ $rc = 0 ] && [ "$(calls)" = "tcg boot" ] && has "accelerator: tcg (HUSK_QEMU_KVM=0)"; then
	ok "HUSK_QEMU_KVM=0: TCG only"
else nok "HUSK_QEMU_KVM=0 (rc $rc, calls $(calls))"; fi

boot hang hang
if [ $rc = 125 ] && [ "$(calls)" = "kvm hang,tcg hang" ] && [ $secs -lt 15 ] &&
	has "tcg failed too: no BEGIN marker under tcg within 4 s" &&
	! python3 "$here/parse.py" "$T/serial" --no-boot >"$T/tap" 2>&1 &&
	grep -q '^not ok 1 - qemu-v2: boot: no BEGIN marker.*no accelerator booted' "$T/tap"; then
	ok "KVM and TCG both hang: one failing test with a diagnosis in ${secs} s, not a stall"
else nok "both hang: bounded failure (rc $rc, ${secs} s, calls $(calls))"; fi

# the whole-VM bound is 30 s here; use a short one for this case
: >"$T/calls"
t0=$(date +%s)
HUSK_QEMU_BIN="$here/fake-qemu.sh" FAKE_QEMU_TCG=stall FAKE_QEMU_CALLS="$T/calls" HUSK_QEMU_KVM=0 \
	HUSK_QEMU_BOOT_TIMEOUT=4 "$here/boot.sh" "$T/serial" 3 -m 64 >"$T/out" 2>&1
rc=$?
secs=$(($(date +%s) - t0))
if [ $rc = 124 ] && [ $secs -lt 10 ]; then
	ok "a VM that stalls after BEGIN ends at the whole-VM bound (exit 124, ${secs} s)"
else nok "whole-VM bound (rc $rc, ${secs} s)"; fi

echo "1..$n"
[ $failed = 0 ]

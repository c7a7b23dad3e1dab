#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
#
# tests/qemu/fake-qemu.sh QEMU_ARGS...: a stand-in for qemu-system-x86_64
# (given to boot.sh and run.sh as HUSK_QEMU_BIN) that plays a broken or a
# working accelerator, so the lane's choice of accelerator can be tested on
# any machine.  Per accelerator (-accel kvm or tcg), FAKE_QEMU_KVM and
# FAKE_QEMU_TCG say what happens:
#   hang      SeaBIOS, "Probing EDD", then nothing (nested KVM seen here)
#   fail      qemu's error for a missing KVM module, exit status 1
#   late      the kernel's first line, then nothing (no init)
#   boot      a whole lane run in a few lines: BEGIN, one passing test, END
#   stall     BEGIN, then nothing (the whole-VM bound must end it)
#   exec      exec the real qemu (FAKE_QEMU_REAL, default qemu-system-x86_64)
# Each call appends "ACCEL MODE" to FAKE_QEMU_CALLS when that is set, and its
# whole command line to FAKE_QEMU_CALLS.args.
set -u
accel=tcg
prev=
for a in "$@"; do
	[ "$prev" = -accel ] && case $a in kvm*) accel=kvm ;; esac
	prev=$a
done
if [ $accel = kvm ]; then mode=${FAKE_QEMU_KVM:-boot}; else mode=${FAKE_QEMU_TCG:-boot}; fi
if [ -n "${FAKE_QEMU_CALLS:-}" ]; then
	echo "$accel $mode" >>"$FAKE_QEMU_CALLS"
	echo "$*" >>"$FAKE_QEMU_CALLS.args"
fi
bios() { printf 'SeaBIOS (version 1.16.2-debian-1.16.2-1)\nBooting from ROM...\nProbing EDD (edd=off to disable)... ok\n'; }
case $mode in
hang) bios; exec sleep 3600 ;;
fail)
	echo "Could not access KVM kernel module: No such file or directory"
	echo "qemu-system-x86_64: failed to initialize kvm: No such file or directory"
	exit 1
	;;
late) bios; echo "[    0.000000] Linux version 6.1.0-fake"; exec sleep 3600 ;;
boot | stall)
	bios
	echo "[    0.000000] Linux version 6.1.0-fake"
	echo "=== HUSK-QEMU BEGIN ==="
	[ "$mode" = stall ] && exec sleep 3600
	printf '=== HUSK-QEMU TEST fake ===\nok 1 - fake test under %s\n1..1\n=== HUSK-QEMU RC fake 0 ===\n' $accel
	echo "=== HUSK-QEMU END ==="
	exit 0
	;;
exec) exec "${FAKE_QEMU_REAL:-qemu-system-x86_64}" "$@" ;;
*) echo "fake-qemu: unknown mode $mode" >&2; exit 2 ;;
esac

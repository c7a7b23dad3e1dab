#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
#
# tests/qemu/boot.sh SERIAL_LOG VM_TIMEOUT QEMU_ARGS...
#
# Boots the qemu lane's VM (QEMU_ARGS: everything but the accelerator) with
# its console in SERIAL_LOG, choosing the accelerator by evidence, not by the
# presence of /dev/kvm: a /dev/kvm that exists and is writable can still hang
# a guest (nested KVM on this project's machines hangs right after the boot
# stub's "Probing EDD"), so
#
#   1. with a usable /dev/kvm, the VM starts under KVM and must print the
#      kernel's first console line ("Linux version", KERN_NOTICE: the lane
#      boots with loglevel=6) within HUSK_QEMU_KVM_PROBE seconds (default 10)
#      and the init's BEGIN marker within HUSK_QEMU_BOOT_TIMEOUT (default
#      120); if either is missing, or qemu fails at once (no KVM module, EPERM),
#      the VM is stopped and
#   2. the same VM is started again under TCG, which must print the BEGIN
#      marker within HUSK_QEMU_BOOT_TIMEOUT.
#
# Every VM is bounded by VM_TIMEOUT seconds in all (the whole run, GNU timeout,
# SIGKILL 10 s after SIGTERM).  Prints "# qemu-v2: accelerator: ..." lines
# saying which accelerator ran and why.  Exit status: qemu's (0 when the VM
# powered off), 124 when VM_TIMEOUT expired, 125 when no accelerator booted
# the kernel within the bounds (the serial log keeps the last try's output).
#
# Environment: HUSK_QEMU_BIN (the qemu to run, default qemu-system-x86_64; a
# wrapper script for the tests), HUSK_QEMU_KVM (auto: KVM when /dev/kvm is
# writable, the default; 1: try KVM even without it; 0: TCG only),
# HUSK_QEMU_KVM_DEV (default /dev/kvm), HUSK_QEMU_KVM_PROBE,
# HUSK_QEMU_BOOT_TIMEOUT.
set -u

serial=$1
vm_timeout=$2
shift 2
vm_args=("$@")
qemu=${HUSK_QEMU_BIN:-$(command -v qemu-system-x86_64)}
kvm_mode=${HUSK_QEMU_KVM:-auto}
kvm_dev=${HUSK_QEMU_KVM_DEV:-/dev/kvm}
probe=${HUSK_QEMU_KVM_PROBE:-10}
boot_limit=${HUSK_QEMU_BOOT_TIMEOUT:-120}
kernel_line='Linux version'
begin_marker='=== HUSK-QEMU BEGIN ==='

log() { echo "# qemu-v2: $*"; }
last_line() { grep -a -v '^[[:space:]]*$' "$serial" 2>/dev/null | tail -n 1 | cut -c1-120; }

# stop_vm PID: end the timeout(1) process PID and its qemu (its own process
# group: timeout makes itself a group leader), then reap it
stop_vm() {
	local pid=$1 i=0
	kill -TERM "$pid" 2>/dev/null
	while kill -0 "$pid" 2>/dev/null && [ $i -lt 50 ]; do
		sleep 0.1
		i=$((i + 1))
	done
	kill -KILL -- "-$pid" 2>/dev/null
	wait "$pid" 2>/dev/null
}

# run_vm NAME NEED_KERNEL_S NEED_BEGIN_S ACCEL_ARGS...: boot once (the
# accelerator's arguments, then the VM's).  Sets rc to
# qemu's exit status, or 200 when qemu exited before the kernel's first line,
# 201 when the kernel line was missing after NEED_KERNEL_S seconds (0: not
# watched), 202 when the BEGIN marker was missing after NEED_BEGIN_S; why is
# the reason in words.
run_vm() {
	local name=$1 need_kernel=$2 need_begin=$3 pid t0 now seen_kernel=0 seen_begin=0
	shift 3
	: >"$serial"
	t0=$(date +%s%N)
	timeout -k 10 "$vm_timeout" "$qemu" "$@" "${vm_args[@]}" </dev/null >"$serial" 2>&1 &
	pid=$!
	while :; do
		if ! kill -0 "$pid" 2>/dev/null; then
			wait "$pid"
			rc=$?
			grep -qaF "$begin_marker" "$serial" && seen_begin=1
			grep -qaF "$kernel_line" "$serial" && seen_kernel=1
			if [ $seen_begin = 0 ] && [ $seen_kernel = 0 ] && [ "$need_kernel" != 0 ]; then
				why="$name exited with status $rc before the kernel's first line ($(last_line))"
				rc=200
			else
				why="$name ran to the end (qemu exit status $rc)"
			fi
			return
		fi
		now=$((($(date +%s%N) - t0) / 1000000000))
		[ $seen_kernel = 1 ] || ! grep -qaF "$kernel_line" "$serial" || seen_kernel=1
		[ $seen_begin = 1 ] || ! grep -qaF "$begin_marker" "$serial" || {
			seen_begin=1
			log "accelerator: $name booted to the init's BEGIN marker in ${now} s"
		}
		if [ $seen_begin = 0 ]; then
			if [ "$need_kernel" != 0 ] && [ $seen_kernel = 0 ] && [ "$now" -ge "$need_kernel" ]; then
				stop_vm "$pid"
				rc=201
				why="no kernel output under $name within $need_kernel s (last console line: $(last_line))"
				return
			fi
			if [ "$now" -ge "$need_begin" ]; then
				stop_vm "$pid"
				rc=202
				why="no BEGIN marker under $name within $need_begin s (last console line: $(last_line))"
				return
			fi
		fi
		sleep 0.2
	done
}

try_kvm=0
case $kvm_mode in
0) kvm_why="HUSK_QEMU_KVM=0" ;;
1) try_kvm=1 ;;
*)
	if [ -w "$kvm_dev" ]; then
		try_kvm=1
	else
		kvm_why="no writable $kvm_dev"
	fi
	;;
esac

if [ $try_kvm = 1 ]; then
	log "accelerator: trying kvm (probe: kernel output within $probe s, BEGIN within $boot_limit s)"
	run_vm kvm "$probe" "$boot_limit" -accel kvm -cpu host
	if [ "$rc" -lt 200 ]; then
		log "accelerator: kvm ($why)"
		exit "$rc"
	fi
	kvm_why="the kvm probe failed: $why"
	cp "$serial" "$serial.kvm"
fi
log "accelerator: tcg ($kvm_why)"
run_vm tcg 0 "$boot_limit" -accel tcg,thread=multi -cpu max
if [ "$rc" -ge 200 ]; then
	log "accelerator: tcg failed too: $why"
	exit 125
fi
log "accelerator: tcg ($why)"
exit "$rc"

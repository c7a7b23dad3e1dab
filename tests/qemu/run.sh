#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
#
# tests/qemu/run.sh [BUILD_DIR]
#
# Runs husk's unit tests and husk smoke checks on a pure cgroup v2 kernel
# (Debian's 6.1 kernel, booted with cgroup_no_v1=all) under qemu, and prints
# the results as TAP: "ok N - qemu-v2: <program>: <test>".  Exit status 0 when
# all passed, 1 when something failed, the VM did not boot or timed out, 77
# when the lane cannot run here (no qemu, no kernel package).
#
# BUILD_DIR (default: build-qemu, configured and built here) must hold a built
# tree: src/husk, tests/unit/test-*, tests/payload/payload.  Whatever of these
# exists is used.
#
# Environment: HUSK_QEMU_CACHE (kernel and initramfs cache, default
# build-qemu-cache/ in the source tree), HUSK_QEMU_KERNEL (a vmlinuz to boot
# instead of the downloaded one), HUSK_QEMU_TIMEOUT (seconds for the whole VM,
# default 600), HUSK_QEMU_TEST_TIMEOUT (seconds per test program, default 240),
# HUSK_QEMU_VERBOSE=1 (print every line, not only failures' diagnostics),
# HUSK_QEMU_FUNCTIONAL="cgroups devices ..." or "all" (tests/functional suites
# to run in the VM too, from a leaf cgroup: slow under TCG, a minute or more per
# suite; default "cgroups devices"; "none" for the unit tests and smoke checks
# only, about a minute), HUSK_QEMU_FUNCTIONAL_TIMEOUT (per suite, default 360 s),
# HUSK_QEMU_UNIT="test-cgroup ..." (the unit test programs to run in the VM,
# default "all"; "none" for the smoke checks alone).
#
# The accelerator is chosen by tests/qemu/boot.sh: KVM only when a short probe
# shows the kernel booting under it, else TCG; the log says which ran and why
# (HUSK_QEMU_BIN, HUSK_QEMU_KVM, HUSK_QEMU_KVM_PROBE, HUSK_QEMU_BOOT_TIMEOUT:
# see boot.sh).  A VM that boots under neither is one failing test.
set -u
set -o pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
src=$(cd "$here/../.." && pwd)
cache=${HUSK_QEMU_CACHE:-$src/build-qemu-cache}
vm_timeout=${HUSK_QEMU_TIMEOUT:-600}
test_timeout=${HUSK_QEMU_TEST_TIMEOUT:-240}
functional=${HUSK_QEMU_FUNCTIONAL:-cgroups devices}
unit=${HUSK_QEMU_UNIT:-all}
busybox=/bin/busybox

skip_lane() {
	echo "1..0 # SKIP qemu-v2: $1"
	exit 77
}
fail_lane() {
	echo "not ok 1 - qemu-v2: $1"
	echo "1..1"
	exit 1
}
log() { echo "# qemu-v2: $*"; }

mkdir -p "$cache"
# one run at a time per cache (the initramfs tree and serial log live there)
exec 9>"$cache/lock"
flock 9
if [ $# -ge 1 ]; then
	build=$(cd "$1" && pwd) || fail_lane "no build dir \`$1\`"
else
	build=$src/build-qemu
	if [ ! -f "$build/build.ninja" ]; then
		meson setup "$build" "$src" >"$cache/meson.log" 2>&1 ||
			log "meson setup failed (see $cache/meson.log); using what exists"
	fi
	ninja -C "$build" -k 0 >"$cache/ninja.log" 2>&1 ||
		log "ninja failed (see $cache/ninja.log); using what was built"
fi

qemu=${HUSK_QEMU_BIN:-$(command -v qemu-system-x86_64)} ||
	skip_lane "qemu-system-x86_64 missing (apt-get install qemu-system-x86)"
[ -x $busybox ] || skip_lane "$busybox missing (apt-get install busybox-static)"
[ "$(uname -m)" = x86_64 ] || skip_lane "needs an x86_64 host"

# ---- the kernel: Debian's newest linux-image-6.1.0-N-amd64, unpacked once ----
kdir=$cache/kernel
if [ -n "${HUSK_QEMU_KERNEL:-}" ]; then
	vmlinuz=$HUSK_QEMU_KERNEL
	kconfig=$(dirname "$vmlinuz")/config-$(basename "$vmlinuz" | sed 's/^vmlinuz-//')
else
	if [ ! -s "$kdir/vmlinuz" ]; then
		pkg=$(apt-cache pkgnames linux-image-6.1.0- 2>/dev/null |
			grep -E '^linux-image-6\.1\.0-[0-9]+-amd64$' | sort -V | tail -n 1)
		[ -n "$pkg" ] || skip_lane "no linux-image-6.1.0-*-amd64 package known to apt"
		rm -rf "$kdir.tmp"
		mkdir -p "$kdir.tmp"
		(cd "$kdir.tmp" && apt-get download "$pkg" >download.log 2>&1) ||
			skip_lane "apt-get download $pkg failed: $(tail -n 1 "$kdir.tmp/download.log")"
		dpkg -x "$kdir.tmp"/*.deb "$kdir.tmp/x" || fail_lane "dpkg -x $pkg failed"
		cp "$kdir.tmp"/x/boot/vmlinuz-* "$kdir.tmp/vmlinuz" &&
			cp "$kdir.tmp"/x/boot/config-* "$kdir.tmp/config" &&
			echo "$pkg" >"$kdir.tmp/package" || fail_lane "no vmlinuz in $pkg"
		rm -rf "$kdir.tmp/x" "$kdir.tmp"/*.deb "$kdir"
		mv "$kdir.tmp" "$kdir"
	fi
	vmlinuz=$kdir/vmlinuz
	kconfig=$kdir/config
fi
# built in, not modules: the initramfs carries no modules
if [ -f "$kconfig" ]; then
	missing=
	for o in CGROUPS MEMCG CGROUP_PIDS CPUSETS CGROUP_SCHED CFS_BANDWIDTH BLK_CGROUP \
		CGROUP_HUGETLB CGROUP_BPF BPF_SYSCALL NAMESPACES USER_NS PID_NS NET_NS UTS_NS \
		IPC_NS SECCOMP_FILTER DEVTMPFS BLK_DEV_INITRD RD_GZIP SERIAL_8250_CONSOLE TMPFS \
		UNIX POSIX_MQUEUE PROC_FS SYSFS; do
		grep -qx "CONFIG_$o=y" "$kconfig" || missing="$missing $o"
	done
	[ -z "$missing" ] || fail_lane "kernel config lacks (=y):$missing"
fi

# ---- the initramfs ----
stage=$cache/initramfs.d
rm -rf "$stage"
mkdir -p "$stage"/{bin,sbin,usr/bin,usr/sbin,etc,proc,sys,dev,tmp,run,root,husk/unit,husk/bin,husk/b}

# copy_elf FILE DEST: FILE at DEST in the initramfs, with the libraries ldd names
copy_elf() {
	install -D -m 0755 "$1" "$stage$2" || return 1
	ldd "$1" 2>/dev/null | while read -r a b c _; do
		lib=
		if [ "$b" = "=>" ] && [ "${c#/}" != "$c" ]; then
			lib=$c
		elif [ "${a#/}" != "$a" ]; then
			lib=$a # the dynamic loader
		elif [ "$b" = "=>" ] && [ "$c" = not ]; then
			log "$1: library $a not found"
		fi
		[ -n "$lib" ] && [ ! -e "$stage$lib" ] || continue
		install -D -m 0755 "$(readlink -f "$lib")" "$stage$lib"
		case $lib in
		/lib/* | /lib64/* | /usr/lib/*) ;;
		*) # from the build tree: where the loader looks by default
			install -D -m 0755 "$(readlink -f "$lib")" "$stage/usr/lib/x86_64-linux-gnu/${lib##*/}" ;;
		esac
	done
	return 0
}

cp $busybox "$stage/bin/busybox"
# /bin/sh as on the host (Debian: dash), so that tests see the shell they were
# written against; busybox provides every other command
sh_real=$(readlink -f /bin/sh)
if [ "${sh_real##*/}" != busybox ] && [ -x "$sh_real" ]; then
	copy_elf "$sh_real" /bin/sh
fi
# GNU timeout: busybox's leaves its watcher process behind (see init.sh)
gnu_timeout=$(command -v timeout)
[ -n "$gnu_timeout" ] && copy_elf "$(readlink -f "$gnu_timeout")" /usr/bin/timeout
for f in $($busybox --list-full); do
	[ -e "$stage/$f" ] || [ -L "$stage/$f" ] || ln -s /bin/busybox "$stage/$f"
done
printf 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/bin/false\n' \
	>"$stage/etc/passwd"
printf 'root:x:0:\nnogroup:x:65534:\n' >"$stage/etc/group"
install -m 0755 "$here/init.sh" "$stage/init"
install -m 0755 "$here/smoke.sh" "$stage/husk/smoke.sh"
printf 'TEST_TIMEOUT=%s\nSMOKE_TIMEOUT=%s\nFUNCTIONAL_TIMEOUT=%s\n' "$test_timeout" 60 \
	"${HUSK_QEMU_FUNCTIONAL_TIMEOUT:-360}" >"$stage/husk/lane.conf"

husk=$build/src/husk
if [ -x "$husk" ]; then
	copy_elf "$husk" /husk/bin/husk
else
	log "no $husk: the smoke checks do not run"
fi
: >"$stage/husk/tests.list"
for t in "$build"/tests/unit/test-*; do
	[ -f "$t" ] && [ -x "$t" ] || continue
	case $t in *.p | *.sh) continue ;; esac
	case " $unit " in " all " | *" ${t##*/} "*) ;; *) continue ;; esac
	head -c 4 "$t" | grep -q ELF || continue
	copy_elf "$t" "/husk/unit/${t##*/}" && echo "${t##*/}" >>"$stage/husk/tests.list"
done
sort -o "$stage/husk/tests.list" "$stage/husk/tests.list"
log "unit tests: $(tr '\n' ' ' <"$stage/husk/tests.list")"

# ---- functional suites (tests/functional/*.sh: bash and python3 needed) ----
: >"$stage/husk/functional.list"
if [ "$functional" != none ] && [ -x "$husk" ] && [ -x "$build/tests/payload/payload" ]; then
	py=$(readlink -f /usr/bin/python3)
	pylib=/usr/lib/${py##*/}
	if [ -x /bin/bash ] && [ -x "$py" ] && [ -d "$pylib" ]; then
		copy_elf "$(readlink -f /bin/bash)" /bin/bash
		copy_elf "$py" "$py"
		ln -sf "${py##*/}" "$stage/usr/bin/python3"
		# the standard library without tests, GUIs and other heavy parts
		mkdir -p "$stage$pylib"
		tar -C "$pylib" -cf - --exclude=test --exclude=tests --exclude=idlelib \
			--exclude=tkinter --exclude=lib2to3 --exclude=ensurepip --exclude=pydoc_data \
			--exclude=site-packages --exclude=dist-packages --exclude='config-*' \
			--exclude=turtledemo --exclude='_test*' --exclude='xxlimited*' \
			--exclude='_ctypes_test*' . | tar -C "$stage$pylib" -xf -
		for so in "$pylib"/lib-dynload/*.so; do
			[ -e "$stage$so" ] && copy_elf "$so" "$so"
		done
		mkdir -p "$stage/husk/src/tests" "$stage/husk/build/src" "$stage/husk/build/tests/payload"
		cp -a "$src/tests/functional" "$stage/husk/src/tests/"
		cp -a "$src/tests/mkbundle.sh" "$stage/husk/src/tests/"
		ln -s /husk/bin/husk "$stage/husk/build/src/husk"
		install -m 0755 "$build/tests/payload/payload" "$stage/husk/build/tests/payload/payload"
		if [ "$functional" = all ]; then
			functional=$(cd "$src/tests/functional" && ls ./*.sh | sed 's|^\./||; s|\.sh$||' | grep -vx lib)
		fi
		for f in $functional; do
			if [ -f "$src/tests/functional/$f.sh" ]; then
				echo "$f" >>"$stage/husk/functional.list"
			else
				log "no tests/functional/$f.sh"
			fi
		done
		log "functional suites: $(tr '\n' ' ' <"$stage/husk/functional.list")"
	else
		log "bash or python3 missing here: no functional suites"
	fi
fi

# ---- bundles for the smoke checks (one busybox rootfs, hard-linked) ----
if [ -x "$husk" ]; then
	payload=$build/tests/payload/payload
	base=$cache/bundle
	rm -rf "$base"
	if [ -x "$src/tests/mkbundle.sh" ]; then
		BUILD_DIR=$build RUNTIME=$husk PAYLOAD=$payload BUSYBOX=$busybox \
			"$src/tests/mkbundle.sh" "$base" >"$cache/mkbundle.log" 2>&1 ||
			log "mkbundle.sh failed: $(tail -n 1 "$cache/mkbundle.log")"
	fi
	if [ ! -x "$base/rootfs/bin/busybox" ]; then # by hand
		rm -rf "$base"
		mkdir -p "$base"/rootfs/{bin,proc,sys,dev,tmp,etc,root}
		cp $busybox "$base/rootfs/bin/busybox"
		for f in $($busybox --list-full); do
			mkdir -p "$base/rootfs/${f%/*}"
			[ -e "$base/rootfs/$f" ] || ln -s /bin/busybox "$base/rootfs/$f"
		done
		cp "$stage/etc/passwd" "$stage/etc/group" "$base/rootfs/etc/"
	fi
	python3 "$here/bundles.py" "$base/config.json" "$stage/husk/b" ||
		fail_lane "bundles.py failed"
	# one rootfs; smoke.sh bind-mounts it on each bundle's rootfs/
	cp -a "$base/rootfs" "$stage/husk/rootfs"
	for b in "$stage"/husk/b/*/; do
		mkdir -p "$b/rootfs"
	done
fi

initrd=$cache/initramfs.gz
(cd "$stage" && find . -mindepth 1 | $busybox cpio -o -H newc 2>/dev/null | gzip -1 >"$initrd") ||
	fail_lane "making the initramfs failed"
log "kernel $(cat "$kdir/package" 2>/dev/null || echo "$vmlinuz"), initramfs $(du -h "$initrd" | cut -f1)"

# ---- boot: the accelerator is chosen by evidence (boot.sh) ----
serial=$cache/serial.log
start=$(date +%s)
# loglevel=6, not quiet: the kernel's first line ("Linux version", a notice)
# reaches the console at once, so boot.sh tells a hung KVM in seconds
HUSK_QEMU_BIN=$qemu "$here/boot.sh" "$serial" "$vm_timeout" -m 1024 -smp 2 -nographic \
	-no-reboot -nic none -kernel "$vmlinuz" -initrd "$initrd" \
	-append "console=ttyS0 cgroup_no_v1=all panic=-1 loglevel=6"
qrc=$?
log "VM ran $(($(date +%s) - start)) s (exit status $qrc); serial log: $serial"
args=("$serial")
[ $qrc -eq 124 ] || [ $qrc -eq 137 ] && args+=(--timed-out)
[ $qrc -eq 125 ] && args+=(--no-boot)
[ "${HUSK_QEMU_VERBOSE:-0}" = 1 ] && args+=(--verbose)
python3 "$here/parse.py" "${args[@]}"
prc=$?
[ $prc -eq 0 ] && [ $qrc -ne 0 ] && echo "# qemu-v2: but qemu exited with status $qrc" && exit 1
exit $prc

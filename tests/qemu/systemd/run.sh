#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
#
# tests/qemu/systemd/run.sh [BUILD_DIR]
#
# The systemd lane: boots a Debian 12 root filesystem (debootstrap, cached
# outside the clone: rootfs.sh) with systemd as pid 1 on pure cgroup v2 under
# qemu, runs the scenarios in vm/t/ there (lane-runner.service) with husk from
# BUILD_DIR on a second disk, and prints their TAP:
# "ok N - qemu-systemd: <scenario>: <test>".  Exit status 0 when all passed, 1
# when something failed, the VM did not boot or timed out, 77 when the lane
# cannot run here (no qemu, no debootstrap, not x86_64, not root).
#
# BUILD_DIR (default build/) must hold src/husk (static, as meson builds it)
# and tests/payload/payload.
#
# Environment: HUSK_SYSTEMD_CACHE (default /var/cache/husk-test/systemd: the
# rootfs tree, its ext4 image, the downloaded .debs), HUSK_SYSTEMD_WORK (this
# clone's initramfs, test disk and serial log; default build-qemu-systemd/),
# HUSK_SYSTEMD_TIMEOUT (the whole VM, default 900 s), HUSK_SYSTEMD_SCENARIOS
# (default "systemd husk podman notify cleanup"; systemd and cleanup always
# run), HUSK_SYSTEMD_SCENARIO_TIMEOUT (per scenario, default 300 s),
# HUSK_SYSTEMD_MIRROR, HUSK_SYSTEMD_DEBOOTSTRAP_TIMEOUT (rootfs.sh),
# HUSK_QEMU_VERBOSE=1, and boot.sh's HUSK_QEMU_BIN, HUSK_QEMU_KVM,
# HUSK_QEMU_KVM_PROBE, HUSK_QEMU_BOOT_TIMEOUT (here default 400 s: the BEGIN
# marker comes once systemd has started the runner, not from an initramfs).
set -u
set -o pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
src=$(cd "$here/../../.." && pwd)
cache=${HUSK_SYSTEMD_CACHE:-/var/cache/husk-test/systemd}
work=${HUSK_SYSTEMD_WORK:-$src/build-qemu-systemd}
vm_timeout=${HUSK_SYSTEMD_TIMEOUT:-900}
scenarios=${HUSK_SYSTEMD_SCENARIOS:-husk systemd-cgroup podman notify}
busybox=/bin/busybox
t_start=$(date +%s)

log() { echo "# qemu-systemd: $*"; }
skip_lane() {
	echo "1..0 # SKIP qemu-systemd: $1"
	exit 77
}
fail_lane() {
	echo "not ok 1 - qemu-systemd: $1"
	echo "1..1"
	exit 1
}

[ "$(uname -m)" = x86_64 ] || skip_lane "needs an x86_64 host"
[ "$(id -u)" = 0 ] || skip_lane "needs root (debootstrap, image ownership)"
qemu=${HUSK_QEMU_BIN:-$(command -v qemu-system-x86_64)} ||
	skip_lane "qemu-system-x86_64 missing (apt-get install qemu-system-x86)"
[ -x $busybox ] || skip_lane "$busybox missing (apt-get install busybox-static)"
command -v mkfs.ext4 >/dev/null || skip_lane "mkfs.ext4 missing (apt-get install e2fsprogs)"
build=$(cd "${1:-$src/build}" 2>/dev/null && pwd) || fail_lane "no build dir \`${1:-$src/build}\`"
husk=$build/src/husk
payload=$build/tests/payload/payload
[ -x "$husk" ] || fail_lane "no husk binary \`$husk\` (build first)"
# the test disk carries husk alone, no libraries: it must be static
if ldd "$husk" >/dev/null 2>&1; then
	fail_lane "\`$husk\` is dynamically linked; the lane needs the static build"
fi

mkdir -p "$work" "$cache"
exec 9>"$work/lock" # one run at a time per work dir
flock 9

# ---- phase 1: the rootfs (debootstrap once, cached) ----
t0=$(date +%s)
rootfs=$("$here/rootfs.sh" 2>"$work/rootfs.err")
rc=$?
[ $rc = 77 ] && skip_lane "$(tail -n 1 "$work/rootfs.err")"
[ $rc = 0 ] || fail_lane "building the rootfs failed: $(tail -n 3 "$work/rootfs.err" | tr '\n' ' ')"
t_debootstrap=$(($(date +%s) - t0))
kver=$(cd "$rootfs/lib/modules" && ls | sort -V | tail -n 1)
[ -n "$kver" ] && [ -f "$rootfs/boot/vmlinuz-$kver" ] || fail_lane "no kernel in $rootfs"
log "rootfs $rootfs (kernel $kver), $t_debootstrap s$(grep -o ' built in [0-9]* s' "$rootfs.log" | head -n 1 | sed 's/^/; first build:/')"

# ---- phase 2: the root disk image (ext4, made from the tree; cached) ----
# the tree's own settings for the lane, written into the cached tree (each
# file is overwritten whole, so this is idempotent)
customize() {
	local r=$1
	printf '/dev/vda / ext4 rw,noatime 0 0\n/dev/vdb /husk ext4 rw,noatime,nofail 0 0\n' >"$r/etc/fstab"
	echo husk-systemd >"$r/etc/hostname"
	# a fixed machine id: no first-boot presets
	echo 8d7a3a6f0c1e4b5e9a4f2d6c1b3e5a70 >"$r/etc/machine-id"
	mkdir -p "$r/husk"
	install -m 0644 "$here/lane-runner.service" "$r/etc/systemd/system/lane-runner.service"
	mkdir -p "$r/etc/systemd/system/multi-user.target.wants"
	ln -sfn ../lane-runner.service "$r/etc/systemd/system/multi-user.target.wants/lane-runner.service"
	# no login prompt on the lane's console; no timers that would start
	# maintenance work during the tests
	local u
	for u in serial-getty@ttyS0.service getty@tty1.service apt-daily.timer \
		apt-daily-upgrade.timer e2scrub_all.timer fstrim.timer dpkg-db-backup.timer; do
		ln -sfn /dev/null "$r/etc/systemd/system/$u"
	done
}
t0=$(date +%s)
ikey=$(cat <(echo "$rootfs") "$here/run.sh" "$here/lane-runner.service" | sha256sum | cut -c1-16)
image=$rootfs.img
if [ "$(cat "$image.key" 2>/dev/null)" != "$ikey" ] || [ ! -s "$image" ]; then
	exec 8>"$cache/image.lock"
	flock 8
	if [ "$(cat "$image.key" 2>/dev/null)" != "$ikey" ] || [ ! -s "$image" ]; then
		customize "$rootfs"
		size=$(($(du -sm "$rootfs" | cut -f1) + 768))
		rm -f "$image.tmp"
		mkfs.ext4 -q -F -L husk-root -d "$rootfs" "$image.tmp" "${size}M" >"$work/mkfs.log" 2>&1 ||
			fail_lane "mkfs.ext4 -d $rootfs failed: $(tail -n 2 "$work/mkfs.log" | tr '\n' ' ')"
		# a running lane keeps the old file open: rename, never overwrite
		mv "$image.tmp" "$image" && echo "$ikey" >"$image.key"
	fi
	flock -u 8
fi
t_image=$(($(date +%s) - t0))
log "root image $image ($(du -h "$image" | cut -f1)), $t_image s"

# ---- phase 3: the initramfs (busybox + virtio/ext4 modules) and the test disk ----
t0=$(date +%s)
stage=$work/initramfs.d
rm -rf "$stage"
mkdir -p "$stage"/{bin,sbin,dev,proc,sys,root,lib/modules}
cp $busybox "$stage/bin/busybox"
for f in sh mount umount insmod sleep mkdir cut tr poweroff switch_root; do
	ln -s busybox "$stage/bin/$f"
done
ln -s ../bin/busybox "$stage/sbin/switch_root"
mknod "$stage/dev/console" c 5 1
install -m 0755 "$here/initrd-init.sh" "$stage/init"
# modules in dependency order, from the rootfs's modules.dep
mdir=$rootfs/lib/modules/$kver
: >"$stage/modules.list"
add_module() { # add_module NAME
	local path dep
	path=$(grep -E "(^|/)$1\.ko(\.[a-z]+)?:" "$mdir/modules.dep" | head -n 1 | cut -d: -f1)
	[ -n "$path" ] || return 0 # built in
	grep -qxF "$path" "$stage/modules.list" && return 0
	for dep in $(grep -E "^$path:" "$mdir/modules.dep" | cut -d: -f2); do
		dep=${dep##*/}
		add_module "${dep%%.ko*}"
	done
	install -D -m 0644 "$mdir/$path" "$stage/lib/modules/$path"
	echo "$path" >>"$stage/modules.list"
}
for m in crc32c_generic virtio_pci virtio_blk ext4; do
	add_module "$m"
done
initrd=$work/initramfs.gz
(cd "$stage" && find . -mindepth 1 | $busybox cpio -o -H newc 2>/dev/null | gzip -1 >"$initrd") ||
	fail_lane "making the initramfs failed"

# the test disk: husk, the scenarios, bundles, an image tarball for podman
disk=$work/disk.d
rm -rf "$disk"
mkdir -p "$disk"/{bin,t,b,img}
install -m 0755 "$husk" "$disk/bin/husk"
install -m 0644 "$here/vm/lane.sh" "$here/vm/tap.sh" "$disk/"
install -m 0755 "$here"/vm/t/*.sh "$disk/t/"
printf 'SCENARIO_TIMEOUT=%s\n' "${HUSK_SYSTEMD_SCENARIO_TIMEOUT:-300}" >"$disk/lane.conf"
{
	echo systemd
	for s in $scenarios; do
		case $s in systemd | cleanup) continue ;; esac
		if [ -f "$here/vm/t/$s.sh" ]; then echo "$s"; else log "no scenario vm/t/$s.sh"; fi
	done
	echo cleanup
} >"$disk/scenarios.list"
mkb() { # mkb NAME CMD...: a busybox bundle from tests/mkbundle.sh
	local b=$1
	shift
	BUILD_DIR=$build RUNTIME=$husk PAYLOAD=$payload BUSYBOX=$busybox \
		"$src/tests/mkbundle.sh" "$disk/b/$b" "$@" >>"$work/mkbundle.log" 2>&1 ||
		fail_lane "tests/mkbundle.sh $b failed: $(tail -n 1 "$work/mkbundle.log")"
}
: >"$work/mkbundle.log"
mkb hello echo husk-systemd-hello
mkb exit3 sh -c 'exit 3'
mkb sleep sleep 600
# notify: READY=1 once the scenario creates /go/go (a bind of the VM's
# /run/husk-notify-go): the unit's activation is checked by order, not time
mkb notify sh -c 'while [ ! -e /go/go ]; do sleep 0.1; done; /payload notify READY=1; exec sleep 600'
python3 - "$disk/b/notify/config.json" <<'PY' || fail_lane "the notify bundle's config.json"
import json, sys
p = sys.argv[1]
c = json.load(open(p))
c["mounts"].append({"destination": "/go", "type": "bind", "source": "/run/husk-notify-go",
                    "options": ["rbind", "ro"]})
json.dump(c, open(p, "w"), indent=1)
PY
tar -C "$disk/b/hello/rootfs" --numeric-owner -cf "$disk/img/busybox.tar" . ||
	fail_lane "tar of the busybox rootfs failed"
testimg=$work/husk.img
rm -f "$testimg"
mkfs.ext4 -q -F -L husk-test -d "$disk" "$testimg" "$(($(du -sm "$disk" | cut -f1) + 64))M" \
	>"$work/mkfs-test.log" 2>&1 || fail_lane "mkfs.ext4 of the test disk failed: $(tail -n 1 "$work/mkfs-test.log")"
t_disks=$(($(date +%s) - t0))
log "initramfs $(du -h "$initrd" | cut -f1) ($(wc -l <"$stage/modules.list") modules), test disk $(du -h "$testimg" | cut -f1), $t_disks s"
log "scenarios: $(tr '\n' ' ' <"$disk/scenarios.list")"

# ---- phase 4: boot (boot.sh picks the accelerator) and the tests ----
serial=$work/serial.log
t0=$(date +%s)
# -snapshot: the cached root image is never written (writes go to a
# temporary overlay), so parallel runs share it
HUSK_QEMU_BIN=$qemu HUSK_QEMU_BOOT_TIMEOUT=${HUSK_QEMU_BOOT_TIMEOUT:-400} \
	"$here/../boot.sh" "$serial" "$vm_timeout" -m 2048 -smp 2 -nographic -no-reboot \
	-nic none -snapshot -kernel "$rootfs/boot/vmlinuz-$kver" -initrd "$initrd" \
	-drive "file=$image,format=raw,if=virtio" -drive "file=$testimg,format=raw,if=virtio" \
	-append "console=ttyS0 loglevel=6 panic=-1 cgroup_no_v1=all systemd.unified_cgroup_hierarchy=1 systemd.show_status=error fsck.mode=skip" |
	sed 's/^# qemu-v2: /# qemu-systemd: /'
qrc=${PIPESTATUS[0]}
t_vm=$(($(date +%s) - t0))
log "VM ran $t_vm s (exit status $qrc); serial log: $serial"
args=("$serial")
[ $qrc -eq 124 ] || [ $qrc -eq 137 ] && args+=(--timed-out)
[ $qrc -eq 125 ] && args+=(--no-boot)
[ "${HUSK_QEMU_VERBOSE:-0}" = 1 ] && args+=(--verbose)
python3 "$here/../parse.py" "${args[@]}" | sed -e 's/^\(\(not \)\{0,1\}ok [0-9]* - \)qemu-v2: /\1qemu-systemd: /' \
	-e 's/^# qemu-v2/# qemu-systemd/'
prc=${PIPESTATUS[0]}
boot=$(sed -n 's/^# qemu-systemd phase: boot \([0-9.]*\) s.*/\1/p' "$serial" | head -n 1 | tr -d '\r')
tests=$(sed -n 's/^# qemu-systemd phase: tests \([0-9]*\) s.*/\1/p' "$serial" | head -n 1 | tr -d '\r')
echo "# qemu-systemd phases: debootstrap ${t_debootstrap} s, root image ${t_image} s," \
	"initramfs + test disk ${t_disks} s, VM ${t_vm} s (boot to running ${boot:-?} s," \
	"tests ${tests:-?} s), total $(($(date +%s) - t_start)) s"
[ $prc -eq 0 ] && [ $qrc -ne 0 ] && echo "# qemu-systemd: but qemu exited with status $qrc" && exit 1
exit $prc

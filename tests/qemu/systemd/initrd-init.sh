#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
#
# /init of the systemd lane's initramfs (busybox): the Debian kernel has
# virtio-blk and ext4 as modules, so load them (the list, in dependency order,
# is /modules.list, written by run.sh from the rootfs's modules.dep), mount the
# root disk /dev/vda and hand over to systemd.
PATH=/bin:/sbin
export PATH
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
while read -r m; do
	insmod "/lib/modules/$m" 2>/dev/null
done </modules.list
i=0
while [ ! -b /dev/vda ] && [ $i -lt 100 ]; do
	sleep 0.1
	i=$((i + 1))
done
mkdir -p /root
if ! mount -t ext4 -o rw /dev/vda /root; then
	echo "husk-systemd-initrd: cannot mount /dev/vda (modules: $(cut -d' ' -f1 /proc/modules | tr '\n' ' '))"
	poweroff -f
fi
umount /dev /sys /proc
exec switch_root /root /sbin/init

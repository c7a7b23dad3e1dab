#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Write the config.json of each smoke-check bundle of the qemu lane.

  bundles.py BASE_CONFIG OUT_DIR

BASE_CONFIG is tests/mkbundle.sh's config.json (`husk spec` or runc's default);
when missing, a minimal default is used.  Each bundle OUT_DIR/<name>/ gets a
config.json; run.sh hard-links the busybox rootfs next to it.  smoke.sh holds
the checks that go with each bundle.
"""
import copy
import json
import os
import sys

MINIMAL = {
    "ociVersion": "1.0.2",
    "process": {
        "terminal": False, "user": {"uid": 0, "gid": 0}, "args": ["sh"], "cwd": "/",
        "env": ["PATH=/usr/sbin:/usr/bin:/sbin:/bin"],
        "capabilities": {k: ["CAP_AUDIT_WRITE", "CAP_KILL", "CAP_NET_BIND_SERVICE"]
                         for k in ("bounding", "effective", "permitted")},
        "noNewPrivileges": True,
    },
    "root": {"path": "rootfs", "readonly": True},
    "hostname": "husk-qemu",
    "mounts": [
        {"destination": "/proc", "type": "proc", "source": "proc"},
        {"destination": "/dev", "type": "tmpfs", "source": "tmpfs",
         "options": ["nosuid", "strictatime", "mode=755", "size=65536k"]},
        {"destination": "/sys", "type": "sysfs", "source": "sysfs",
         "options": ["nosuid", "noexec", "nodev", "ro"]},
        {"destination": "/sys/fs/cgroup", "type": "cgroup", "source": "cgroup",
         "options": ["nosuid", "noexec", "nodev", "relatime", "ro"]},
    ],
    "linux": {"resources": {"devices": [{"allow": False, "access": "rwm"}]}},
}

MiB = 1024 * 1024

# print each resource file of the container's cgroup as name=value
READ_BACK = r"""
p=$(sed -n 's/^0:://p' /proc/self/cgroup)
d=/sys/fs/cgroup$p
[ -e "$d/memory.max" ] || d=/sys/fs/cgroup
echo "cgroup=$p dir=$d"
for f in memory.max memory.high memory.low memory.swap.max pids.max cpu.max cpu.weight cpuset.cpus; do
	echo "$f=$(cat $d/$f 2>&1)"
done
echo "controllers=$(cat $d/cgroup.controllers 2>&1)"
if mkdir $d/husk-qemu-x 2>/dev/null; then echo cgroupfs-writable; rmdir $d/husk-qemu-x; else echo cgroupfs-ro; fi
"""

DEVICES = r"""
if mknod /tmp/null c 1 3 && echo x >/tmp/null; then echo null-write-ok; fi
if mknod /tmp/kmsg c 1 11 2>/dev/null; then
	if echo husk-qemu-devices-test >/tmp/kmsg; then echo kmsg-write-allowed; else echo kmsg-write-denied; fi
else
	echo "mknod 1:11 denied"; echo kmsg-write-denied
fi
head -c 1 /dev/zero >/dev/null && head -c 1 /dev/urandom >/dev/null && echo x >/dev/null && echo std-devices-ok
"""

# the inner shell dies on the first failed fork; the outer one (the container's
# init) then reports with builtins only, since it cannot fork either
PIDS = r"""
sh -c 'i=0; while [ $i -lt 30 ]; do sleep 100 & i=$((i+1)); echo $i >/tmp/n; done' 2>/tmp/err
read n </tmp/n; read cur </sys/fs/cgroup/pids.current; read e </tmp/err
echo "started=$n pids.current=$cur err=$e"
case "$e" in *fork*) echo forks-failed=1 ;; *) echo forks-failed=0 ;; esac
[ "$cur" -le 10 ] && [ "$n" -lt 30 ] && echo pids-ok
kill -9 -1
"""


def main():
    base_path, out = sys.argv[1], sys.argv[2]
    try:
        with open(base_path) as f:
            base = json.load(f)
    except (OSError, ValueError):
        base = MINIMAL
    base = copy.deepcopy(base)
    base["root"] = {"path": "rootfs", "readonly": True}
    p = base.setdefault("process", {})
    p["terminal"] = False
    p.pop("consoleSize", None)
    lx = base.setdefault("linux", {})
    nss = list(lx.get("namespaces", []))
    for t in ("pid", "ipc", "uts", "mount", "cgroup"):
        if not any(n.get("type") == t for n in nss):
            nss.append({"type": t})
    lx["namespaces"] = nss
    # a writable /tmp on the read-only root (no nodev: the devices check makes nodes there)
    base["mounts"] = [m for m in base.get("mounts", []) if m.get("destination") != "/tmp"]
    base["mounts"].append({"destination": "/tmp", "type": "tmpfs", "source": "tmpfs",
                           "options": ["nosuid", "mode=1777", "size=4m"]})
    res = lx.setdefault("resources", {})
    res.setdefault("devices", [{"allow": False, "access": "rwm"}])

    def bundle(name, args, cgroups_path=None, resources=None, edit=None):
        c = copy.deepcopy(base)
        c["process"]["args"] = ["sh", "-c", args] if isinstance(args, str) else args
        if cgroups_path is not None:
            c["linux"]["cgroupsPath"] = cgroups_path
        else:
            c["linux"].pop("cgroupsPath", None)
        if resources:
            c["linux"]["resources"].update(resources)
        if edit:
            edit(c)
        d = os.path.join(out, name)
        os.makedirs(d, exist_ok=True)
        with open(os.path.join(d, "config.json"), "w") as f:
            json.dump(c, f, indent=2)
            f.write("\n")

    limits = {"memory": {"limit": 64 * MiB}, "pids": {"limit": 32}}
    bundle("hello", "echo husk-qemu-hello", "/husk-qemu/hello")
    bundle("limits", READ_BACK, "/husk-qemu/limits", {
        "memory": {"limit": 64 * MiB, "reservation": 16 * MiB, "swap": 96 * MiB},
        "pids": {"limit": 32},
        "cpu": {"shares": 2048, "quota": 50000, "period": 100000, "cpus": "0"},
        "unified": {"memory.high": str(48 * MiB)},
    })
    bundle("sleeper", ["sleep", "1000"], "/husk-qemu/sleeper", limits)

    def mknod_cap(c):
        caps = c["process"].setdefault("capabilities", {})
        for k in ("bounding", "effective", "permitted"):
            caps.setdefault(k, [])
            if "CAP_MKNOD" not in caps[k]:
                caps[k].append("CAP_MKNOD")
    bundle("devices", DEVICES, "/husk-qemu/devices", edit=mknod_cap)
    bundle("pids", PIDS, "/husk-qemu/pids", {"pids": {"limit": 10}})
    bundle("oom", "x=a; while :; do x=$x$x; done", "/husk-qemu/oom",
           {"memory": {"limit": 32 * MiB, "swap": 32 * MiB}})
    bundle("relative", ["sleep", "1000"], "husk-qemu-rel", limits)
    bundle("default", ["sleep", "1000"], None, limits)

    def bad_mount(c):
        c["mounts"].append({"destination": "/mnt", "type": "bind",
                            "source": "/nonexistent-husk-qemu", "options": ["rbind"]})
    bundle("badcreate", "echo should-not-run", "/husk-qemu/bad", limits, bad_mount)
    return 0


if __name__ == "__main__":
    sys.exit(main())

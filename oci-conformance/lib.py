# SPDX-License-Identifier: Apache-2.0
"""Shared machinery of the conformance suite: TAP output, the runtime under
test, bundles (busybox-static rootfs + the static checker), output parsing."""

import copy
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))

CAPS_ALL = [
    "CAP_CHOWN", "CAP_DAC_OVERRIDE", "CAP_DAC_READ_SEARCH", "CAP_FOWNER", "CAP_FSETID", "CAP_KILL",
    "CAP_SETGID", "CAP_SETUID", "CAP_SETPCAP", "CAP_LINUX_IMMUTABLE", "CAP_NET_BIND_SERVICE",
    "CAP_NET_BROADCAST", "CAP_NET_ADMIN", "CAP_NET_RAW", "CAP_IPC_LOCK", "CAP_IPC_OWNER", "CAP_SYS_MODULE",
    "CAP_SYS_RAWIO", "CAP_SYS_CHROOT", "CAP_SYS_PTRACE", "CAP_SYS_PACCT", "CAP_SYS_ADMIN", "CAP_SYS_BOOT",
    "CAP_SYS_NICE", "CAP_SYS_RESOURCE", "CAP_SYS_TIME", "CAP_SYS_TTY_CONFIG", "CAP_MKNOD", "CAP_LEASE",
    "CAP_AUDIT_WRITE", "CAP_AUDIT_CONTROL", "CAP_SETFCAP", "CAP_MAC_OVERRIDE", "CAP_MAC_ADMIN", "CAP_SYSLOG",
    "CAP_WAKE_ALARM", "CAP_BLOCK_SUSPEND", "CAP_AUDIT_READ", "CAP_PERFMON", "CAP_BPF", "CAP_CHECKPOINT_RESTORE",
]

DEFAULT_CAPS = ["CAP_AUDIT_WRITE", "CAP_KILL", "CAP_NET_BIND_SERVICE"]


def caps_from_mask(hexmask):
    m = int(hexmask, 16)
    return sorted(c for i, c in enumerate(CAPS_ALL) if m & (1 << i))


def parse_output(text):
    """checker output: key=value lines; repeated keys collect into lists."""
    d = {}
    for line in text.splitlines():
        if "=" not in line:
            continue
        k, v = line.split("=", 1)
        if k in ("env", "mnt"):
            d.setdefault(k, []).append(v)
        else:
            d[k] = v
    return d


def parse_mountinfo(lines):
    """mount point -> dict(opts=set, fstype, source, super=set); last (topmost) wins."""
    mounts = {}
    for line in lines or []:
        pre, _, post = line.partition(" - ")
        f = pre.split()
        p = post.split()
        if len(f) < 6 or len(p) < 2:
            continue
        mp = f[4].replace("\\040", " ")
        mounts[mp] = {
            "opts": set(f[5].split(",")),
            "optional": f[6:],
            "root": f[3],
            "fstype": p[0],
            "source": p[1],
            "super": set(p[2].split(",")) if len(p) > 2 else set(),
        }
    return mounts


class Suite:
    def __init__(self, runtime, work, tag):
        self.runtime = runtime
        self.work = work
        self.tag = tag
        self.root = os.path.join(work, "state")
        self.n = 0
        self.results = []  # (section, check, status, detail)
        self.ids = set()
        self.cgroups = set()
        self.nbundle = 0
        self.xfail = set()
        xf = os.environ.get("XFAIL_FILE")
        if xf:
            with open(xf) as f:
                self.xfail = {line.strip() for line in f if line.strip() and not line.startswith("#")}
        os.makedirs(self.root, mode=0o700)
        self.build_rootfs_parts()

    # ---- TAP ------------------------------------------------------------
    def _emit(self, status, section, check, cite, detail):
        self.n += 1
        name = f"{section}: {check}"
        known = name in self.xfail
        if status == "fail" and known:
            status = "xfail"
        self.results.append((section, check, status, detail))
        if status == "skip":
            print(f"ok {self.n} - {name} # SKIP {detail}")
            return
        todo = " # TODO known failure (XFAIL_FILE)" if status == "xfail" else ""
        print(f"{'ok' if status == 'pass' else 'not ok'} {self.n} - {name}{todo}")
        if status == "pass" and known:
            print("#   listed in XFAIL_FILE but passed: remove it from the list")
        if status in ("fail", "xfail"):
            if cite:
                print(f"#   spec: {cite}")
            for line in str(detail).splitlines() or [""]:
                print(f"#   {line}")
        sys.stdout.flush()

    def check(self, section, check, cond, cite, expected=None, got=None, note=None):
        detail = note or ""
        if not cond:
            detail = f"expected: {expected}\ngot: {got}" + (f"\n{note}" if note else "")
        self._emit("pass" if cond else "fail", section, check, cite, detail)
        return bool(cond)

    def eq(self, section, check, got, expected, cite):
        return self.check(section, check, got == expected, cite, expected, got)

    def skip(self, section, check, reason):
        self._emit("skip", section, check, "", reason)

    # ---- runtime ----------------------------------------------------------
    def rt(self, *args, stdin=None, timeout=30, cwd=None, wrap=()):
        """Runs the runtime; stdio go to files, not pipes: a container's
        process inherits them and may outlive the command (create, run -d)."""
        cmd = list(wrap) + [self.runtime, "--root", self.root] + list(args)
        # stdin is an empty file of the suite's own, never the host's /dev/null:
        # a runtime that chowns its stdio to the container's root in a user
        # namespace would chown the host's /dev/null: crun 1.8 does (checked
        # with a decoy c 1:3 node as its stdin: owned by 100000:100000 after a
        # run with that mapping); husk and runc leave a 1:3 device alone
        with tempfile.TemporaryFile("w+") as out, tempfile.TemporaryFile("w+") as err, \
                tempfile.TemporaryFile("r") as empty:
            try:
                p = subprocess.run(cmd, stdin=empty, stdout=out, stderr=err, timeout=timeout,
                                   cwd=cwd)
                rc = p.returncode
            except subprocess.TimeoutExpired:
                rc = 124
                err.write(f"\ntimed out after {timeout}s: {' '.join(args)}")
            out.seek(0)
            err.seek(0)
            return rc, out.read(), err.read()

    def state(self, cid):
        rc, out, err = self.rt("state", cid)
        if rc != 0:
            return None
        try:
            return json.loads(out)
        except ValueError:
            return {"_unparsable": out}

    def wait_status(self, cid, want, timeout=5.0):
        end = time.time() + timeout
        st = None
        while time.time() < end:
            st = self.state(cid)
            if st and st.get("status") == want:
                return st
            time.sleep(0.05)
        return st

    def new_id(self):
        self.nbundle += 1
        cid = f"conf-{self.tag}-{self.nbundle}"
        self.ids.add(cid)
        return cid

    def cleanup_container(self, cid):
        if self.state(cid) is not None:
            self.rt("delete", "--force", cid, timeout=15)

    # ---- bundles ----------------------------------------------------------
    def build_rootfs_parts(self):
        self.checker = os.path.join(self.work, "checker")
        src = os.path.join(HERE, "checker.c")
        r = subprocess.run(["gcc", "-static", "-O1", "-o", self.checker, src],
                           stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        if r.returncode != 0:
            raise RuntimeError("gcc -static checker.c failed:\n" + r.stdout)
        self.busybox = os.environ.get("BUSYBOX", "/bin/busybox")
        self.applets = ["sh", "cat", "echo", "sleep", "true", "false", "ls", "mkdir", "touch"]

    def bundle(self, cfg, name=None):
        """Makes WORK/bundles/NAME with rootfs and config.json; returns its path."""
        name = name or f"bundle-{time.time_ns()}"
        b = os.path.join(self.work, "bundles", name)
        rootfs = os.path.join(b, "rootfs")
        for d in ("bin", "proc", "sys", "dev", "tmp", "etc", "root", "out", "hooks", "usr/local/bin", "work"):
            os.makedirs(os.path.join(rootfs, d), exist_ok=True)
        os.chmod(os.path.join(rootfs, "tmp"), 0o1777)
        # copies, never hard links of host files: the rootfs is writable
        shutil.copy2(self.busybox, os.path.join(rootfs, "bin/busybox"))
        shutil.copy2(self.checker, os.path.join(rootfs, "bin/checker"))
        for a in self.applets:
            os.symlink("busybox", os.path.join(rootfs, "bin", a))
        with open(os.path.join(rootfs, "etc/passwd"), "w") as f:
            f.write("root:x:0:0:root:/root:/bin/sh\nuser:x:1000:1000:user:/work:/bin/sh\n")
        with open(os.path.join(rootfs, "etc/group"), "w") as f:
            f.write("root:x:0:\nuser:x:1000:\n")
        self.write_config(b, cfg)
        return b

    @staticmethod
    def write_config(b, cfg):
        with open(os.path.join(b, "config.json"), "w") as f:
            json.dump(cfg, f, indent=1)

    def base_config(self, args):
        return copy.deepcopy({
            "ociVersion": "1.0.2",
            "process": {
                "terminal": False,
                "user": {"uid": 0, "gid": 0},
                "args": args,
                "env": ["PATH=/bin:/usr/local/bin", "TERM=xterm"],
                "cwd": "/",
                "capabilities": {k: list(DEFAULT_CAPS) for k in ("bounding", "effective", "permitted")},
                "rlimits": [{"type": "RLIMIT_NOFILE", "hard": 1024, "soft": 1024}],
                "noNewPrivileges": True,
            },
            "root": {"path": "rootfs", "readonly": False},
            "hostname": "conformance",
            "mounts": [
                {"destination": "/proc", "type": "proc", "source": "proc"},
                {"destination": "/dev", "type": "tmpfs", "source": "tmpfs",
                 "options": ["nosuid", "strictatime", "mode=755", "size=65536k"]},
                {"destination": "/dev/pts", "type": "devpts", "source": "devpts",
                 "options": ["nosuid", "noexec", "newinstance", "ptmxmode=0666", "mode=0620", "gid=5"]},
                {"destination": "/dev/shm", "type": "tmpfs", "source": "shm",
                 "options": ["nosuid", "noexec", "nodev", "mode=1777", "size=65536k"]},
                {"destination": "/dev/mqueue", "type": "mqueue", "source": "mqueue",
                 "options": ["nosuid", "noexec", "nodev"]},
                {"destination": "/sys", "type": "sysfs", "source": "sysfs",
                 "options": ["nosuid", "noexec", "nodev", "ro"]},
            ],
            "linux": {
                "namespaces": [{"type": t} for t in ("pid", "network", "ipc", "uts", "mount")],
                "maskedPaths": ["/proc/acpi", "/proc/kcore", "/proc/keys", "/proc/latency_stats",
                                "/proc/timer_list", "/proc/timer_stats", "/proc/sched_debug", "/sys/firmware",
                                "/proc/scsi"],
                "readonlyPaths": ["/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys", "/proc/sysrq-trigger"],
            },
        })

    def run_container(self, cfg, timeout=30, extra=(), wrap=()):
        """`run` the bundle in the foreground; returns (rc, parsed stdout, stderr, id, bundle)."""
        cid = self.new_id()
        b = self.bundle(cfg, name=cid)
        rc, out, err = self.rt("run", "--bundle", b, *extra, cid, timeout=timeout, wrap=wrap)
        self.cleanup_container(cid)
        return rc, parse_output(out), err.strip(), cid, b

    def cgroup_path(self, n):
        p = f"/husk-test/conformance-{self.tag}-{n}"
        self.cgroups.add(p)
        return p

    def final_cleanup(self):
        for cid in sorted(self.ids):
            try:
                self.cleanup_container(cid)
            except Exception:
                pass
        # cgroups we named: remove leftovers, deepest first
        for p in sorted(self.cgroups, key=len, reverse=True):
            for d in cgroup_dirs(p):
                try:
                    os.rmdir(d)
                except OSError:
                    pass
        # crun run in a mount namespace without the cgroup2 mount (see README)
        # writes <dir>/cgroup.procs as plain files into the tmpfs below it
        # (for cgroupsPath and, without one, for the id); remove ours
        u = "/sys/fs/cgroup/unified"
        if os.path.isdir(u) and not cgroup2_mounted(u):
            for name in [p.lstrip("/") for p in self.cgroups] + sorted(self.ids):
                d = os.path.join(u, name)
                if os.path.isdir(d):
                    try:
                        procs = os.path.join(d, "cgroup.procs")
                        if os.path.isfile(procs):
                            os.unlink(procs)
                        os.rmdir(d)
                    except OSError:
                        pass
            try:
                os.rmdir(os.path.join(u, "husk-test"))
            except OSError:
                pass


def cgroup2_mounted(path):
    with open("/proc/self/mountinfo") as f:
        for line in f:
            pre, _, post = line.partition(" - ")
            if pre.split()[4] == path and post.split()[0] == "cgroup2":
                return True
    return False


def cgroup_dirs(path):
    """the directories of cgroup path in every mounted hierarchy"""
    out = []
    with open("/proc/self/mountinfo") as f:
        for line in f:
            pre, _, post = line.partition(" - ")
            mp = pre.split()[4]
            if post.split()[0] in ("cgroup", "cgroup2"):
                d = os.path.join(mp, path.lstrip("/"))
                if os.path.isdir(d):
                    out.append(d)
    return out

#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""config.json helper for the functional tests (a tiny jq replacement).

  cfg.py new FILE [STMT...]   write the default config (runc's `spec`, terminal
                              off, no rootless bits), then apply STMTs
  cfg.py edit FILE STMT...    apply python statements to the config
  cfg.py args FILE ARG...     set process.args to ARG...
  cfg.py get EXPR             read JSON on stdin, print EXPR over it (`j`)

STMTs are python statements run with:
  c          the whole config (dict)      p  c["process"]     l  c["linux"]
  args(*a)   set process.args             env(*kv) append to process.env
  ns(t, path=None)  add (or set the path of) namespace t;  rmns(t) removes it
  mount(dest, type="bind", src=None, opts=None)  append a mount
  hook(kind, path, *args, env=None, timeout=None)  append hooks[kind]
Strings print bare; everything else as JSON.
"""
import json
import sys

DEFAULT_CAPS = ["CAP_AUDIT_WRITE", "CAP_KILL", "CAP_NET_BIND_SERVICE"]


def default():
    return {
        "ociVersion": "1.0.2",
        "process": {
            "terminal": False,
            "user": {"uid": 0, "gid": 0},
            "args": ["/payload", "echo", "hello"],
            "env": ["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
                    "TERM=xterm"],
            "cwd": "/",
            "capabilities": {k: list(DEFAULT_CAPS) for k in
                             ("bounding", "effective", "permitted", "ambient")},
            "rlimits": [{"type": "RLIMIT_NOFILE", "hard": 1024, "soft": 1024}],
            "noNewPrivileges": True,
        },
        "root": {"path": "rootfs", "readonly": True},
        "hostname": "husk-test",
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
            {"destination": "/sys/fs/cgroup", "type": "cgroup", "source": "cgroup",
             "options": ["nosuid", "noexec", "nodev", "relatime", "ro"]},
        ],
        "linux": {
            "resources": {"devices": [{"allow": False, "access": "rwm"}]},
            "namespaces": [{"type": t} for t in ("pid", "network", "ipc", "uts", "mount")],
            "maskedPaths": ["/proc/acpi", "/proc/asound", "/proc/kcore", "/proc/keys",
                            "/proc/latency_stats", "/proc/timer_list", "/proc/timer_stats",
                            "/proc/sched_debug", "/sys/firmware", "/proc/scsi"],
            "readonlyPaths": ["/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys",
                              "/proc/sysrq-trigger"],
        },
    }


def apply(c, stmts):
    p = c.setdefault("process", {})
    lx = c.setdefault("linux", {})

    def args(*a):
        p["args"] = [str(x) for x in a]

    def env(*kv):
        p.setdefault("env", []).extend(kv)

    def ns(t, path=None):
        nss = lx.setdefault("namespaces", [])
        for n in nss:
            if n["type"] == t:
                if path is not None:
                    n["path"] = path
                return
        n = {"type": t}
        if path is not None:
            n["path"] = path
        nss.append(n)

    def rmns(t):
        lx["namespaces"] = [n for n in lx.get("namespaces", []) if n["type"] != t]

    def mount(dest, type="bind", src=None, opts=None):
        m = {"destination": dest, "type": type, "source": src if src is not None else type}
        if opts is not None:
            m["options"] = opts
        c.setdefault("mounts", []).append(m)

    def hook(kind, path, *a, env=None, timeout=None):
        h = {"path": path}
        if a:
            h["args"] = list(a)
        if env is not None:
            h["env"] = env
        if timeout is not None:
            h["timeout"] = timeout
        c.setdefault("hooks", {}).setdefault(kind, []).append(h)

    g = {"c": c, "p": p, "l": lx, "args": args, "env": env, "ns": ns, "rmns": rmns,
         "mount": mount, "hook": hook, "json": json}
    for s in stmts:
        exec(s, g)


def main():
    if len(sys.argv) < 3:
        sys.stderr.write(__doc__)
        return 2
    cmd = sys.argv[1]
    if cmd == "get":
        j = json.load(sys.stdin)
        v = eval(sys.argv[2], {"j": j, "json": json})
        print(v if isinstance(v, str) else json.dumps(v))
        return 0
    path = sys.argv[2]
    if cmd == "new":
        c = default()
    elif cmd in ("edit", "args"):
        with open(path) as f:
            c = json.load(f)
        if cmd == "args":
            c["process"]["args"] = sys.argv[3:]
            sys.argv[3:] = []
    else:
        sys.stderr.write(__doc__)
        return 2
    apply(c, sys.argv[3:])
    with open(path + ".tmp", "w") as f:
        json.dump(c, f, indent=2)
        f.write("\n")
    import os
    os.rename(path + ".tmp", path)
    return 0


if __name__ == "__main__":
    sys.exit(main())

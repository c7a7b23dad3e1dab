# SPDX-License-Identifier: Apache-2.0
"""Checks of config.md / config-linux.md / runtime-linux.md, verified from
inside the container by the checker's report."""

import os
import subprocess

from lib import caps_from_mask, parse_mountinfo

HOST_OOM = "7"  # run.py sets its own oom_score_adj to this; the runtime inherits it


def host_ns():
    return {n: str(os.stat(f"/proc/self/ns/{n}").st_ino)
            for n in ("cgroup", "ipc", "mnt", "net", "pid", "time", "user", "uts")
            if os.path.exists(f"/proc/self/ns/{n}")}


def ran(s, sec, rc, out, err):
    return s.check(sec, "container ran the checker", rc == 0 and out.get("done") == "1",
                   "runtime.md#lifecycle: \"the runtime MUST run the user-specified program\"",
                   "exit 0 and the checker's report", f"rc={rc} stderr={err[-400:]!r}")


def t_process(s):
    sec = "config.md#process"
    cfg = s.base_config(["checker", "info", "mountinfo", "write:/conf-rootfs-write",
                         "stat:/dev/fd", "stat:/dev/stdin", "stat:/dev/stdout", "stat:/dev/stderr",
                         "stat:/dev/null", "stat:/dev/zero", "stat:/dev/full", "stat:/dev/random",
                         "stat:/dev/urandom", "stat:/dev/tty", "stat:/dev/ptmx", "write:/dev/null",
                         "read:/dev/zero", "read:/proc/kcore", "read:/proc/timer_list", "read:/sys/firmware",
                         "write:/proc/sys/kernel/domainname"])
    cfg["process"]["env"] = ["PATH=/usr/local/bin:/bin", "CONF_FOO=bar", "CONF_EQ=a=b=c", "CONF_EMPTY="]
    cfg["process"]["cwd"] = "/etc"
    cfg["domainname"] = "conformance.domain"
    rc, o, err, cid, b = s.run_container(cfg)
    if not ran(s, sec, rc, o, err):
        return
    s.check(sec, "args[0] is looked up in PATH like execvp", o.get("done") == "1",
            "config.md#process: args \"entry is used with the same semantics as execvp's file\"", "ran", "no")
    env = o.get("env", [])
    for e in ("CONF_FOO=bar", "CONF_EQ=a=b=c", "CONF_EMPTY=", "PATH=/usr/local/bin:/bin"):
        s.check(sec, f"env has {e}", e in env,
                "config.md#process: env \"with the same semantics as IEEE Std 1003.1-2008's environ\"", e, env)
    s.eq(sec, "cwd is the configured directory", o.get("cwd"), "/etc",
         "config.md#process: cwd \"is the working directory that will be set for the executable\"")
    s.check(sec, "terminal false: stdio are not terminals",
            [o.get(f"isatty.{i}") for i in range(3)] == ["0", "0", "0"],
            "config.md#process: terminal \"specifies whether a terminal is attached to the process, defaults to "
            "false\"", "0 0 0", [o.get(f"isatty.{i}") for i in range(3)])
    s.eq(sec, "runs as uid 0 / gid 0 by default config", o.get("ids"), "0 0 0 0",
         "config.md#posix-platform-user: uid/gid \"specifies the user ID in the container namespace\"")
    s.eq(sec, "noNewPrivileges true sets no_new_privs", o.get("status.NoNewPrivs"), "1",
         "config.md#linux-process: noNewPrivileges \"setting noNewPrivileges to true prevents the process "
         "from gaining additional privileges\"")
    s.eq(sec, "oomScoreAdj unset leaves oom_score_adj unchanged", o.get("oom_score_adj"), HOST_OOM,
         "config.md#linux-process: \"If oomScoreAdj is not set, the runtime MUST NOT change the value of "
         "oom_score_adj\"")
    s.eq(sec, "rlimit RLIMIT_NOFILE 1024/1024", o.get("rlimit.NOFILE"), "1024 1024",
         "config.md#posix-process: rlimits \"rlim.rlim_cur MUST match the configured value\"")
    s.eq("config.md#hostname", "hostname as seen inside", o.get("hostname"), "conformance",
         "config.md#hostname: \"specifies the container's hostname as seen by processes running inside the "
         "container\"")
    s.eq("config.md#domainname", "domainname as seen inside", o.get("domainname"), "conformance.domain",
         "config.md#domainname: \"specifies the container's domainname as seen by processes running inside "
         "the container\"")
    s.eq("config.md#root", "root.readonly false: rootfs writable", o.get("write:/conf-rootfs-write"), "ok",
         "config.md#root: readonly \"If true then the root filesystem MUST be read-only inside the container, "
         "defaults to false\"")
    sec = "runtime-linux.md#file-descriptors"
    fds = o.get("fds", "")
    s.check(sec, "only fds 0,1,2 open", sorted(fds.split(",")) == ["0", "1", "2"],
            "runtime-linux.md#file-descriptors: \"By default, only the stdin, stdout and stderr file descriptors "
            "are kept open for the application by the runtime\"", "0,1,2", fds)
    sec = "runtime-linux.md#dev-symbolic-links"
    for link, target in (("/dev/fd", "/proc/self/fd"), ("/dev/stdin", "/proc/self/fd/0"),
                         ("/dev/stdout", "/proc/self/fd/1"), ("/dev/stderr", "/proc/self/fd/2")):
        got = o.get(f"stat:{link}", "")
        s.check(sec, f"{link} -> {target}", got.startswith("l ") and got.endswith(f"-> {target}"),
                "runtime-linux.md#dev-symbolic-links: \"runtimes MUST create the following symlinks if the "
                "source file exists after processing mounts\"", f"symlink to {target}", got)
    sec = "config-linux.md#default-devices"
    for dev, mm in (("null", "1 3"), ("zero", "1 5"), ("full", "1 7"), ("random", "1 8"), ("urandom", "1 9"),
                    ("tty", "5 0")):
        got = o.get(f"stat:/dev/{dev}", "")
        s.check(sec, f"/dev/{dev} is char {mm.replace(' ', ':')}", got.startswith(f"c {mm} "),
                "config-linux.md#default-devices: \"the runtime MUST also supply\" /dev/null, zero, full, random, urandom, tty", f"c {mm}", got)
    got = o.get("stat:/dev/ptmx", "")
    s.check(sec, "/dev/ptmx is char 5:2 or a symlink to pts/ptmx",
            got.startswith("c 5 2 ") or got.endswith("-> pts/ptmx") or got.endswith("-> /dev/pts/ptmx"),
            "config-linux.md#default-devices: \"/dev/ptmx. A bind-mount or symlink of the container's ptmx\"",
            "c 5 2 or -> pts/ptmx", got)
    s.eq(sec, "/dev/null is writable", o.get("write:/dev/null"), "ok",
         "config-linux.md#default-devices: /dev/null among the devices the runtime MUST supply")
    s.eq(sec, "/dev/zero is readable", o.get("read:/dev/zero"), "bytes 1048576",
         "config-linux.md#default-devices: /dev/zero among the devices the runtime MUST supply")
    sec = "config-linux.md#masked-paths"
    for p in ("/proc/kcore", "/proc/timer_list"):
        if not os.path.exists(p):
            s.skip(sec, f"{p} reads nothing", f"{p} does not exist on this host")
            continue
        got = o.get(f"read:{p}", "")
        s.check(sec, f"{p} reads nothing", got == "bytes 0" or got.startswith("err") and got != "err ENOENT",
                "config-linux.md#masked-paths: maskedPaths \"will mask over the provided paths inside the "
                "container so that they cannot be read\"", "bytes 0 or an error", got)
    got = o.get("read:/sys/firmware", "")
    s.check(sec, "/sys/firmware (directory) is empty", got == "entries 0" or got.startswith("err"),
            "config-linux.md#masked-paths: \"...so that they cannot be read\"", "entries 0", got)
    sec = "config-linux.md#readonly-paths"
    got = o.get("write:/proc/sys/kernel/domainname", "")
    s.check(sec, "/proc/sys is read-only (write fails EROFS)", got == "err EROFS",
            "config-linux.md#readonly-paths: readonlyPaths \"will set the provided paths as readonly inside the "
            "container\"", "err EROFS", got)
    m = parse_mountinfo(o.get("mnt"))
    for p in ("/proc/sys", "/proc/sysrq-trigger", "/proc/irq"):
        if not os.path.exists(p):
            s.skip(sec, f"{p} is a read-only mount", f"{p} does not exist on this host")
            continue
        got = m.get(p)
        s.check(sec, f"{p} is a read-only mount", got and "ro" in got["opts"],
                "config-linux.md#readonly-paths: \"set the provided paths as readonly\"", "ro mount",
                got and sorted(got["opts"]))
    sec = "config-linux.md#default-filesystems"
    for p, t in (("/proc", "proc"), ("/sys", "sysfs"), ("/dev/pts", "devpts"), ("/dev/shm", "tmpfs")):
        got = m.get(p)
        s.check(sec, f"{p} is {t}", got and got["fstype"] == t,
                "config-linux.md#default-filesystems: \"The following filesystems SHOULD be made available in "
                "each container's filesystem\"", t, got and got["fstype"])
    got = m.get("/dev/shm")
    s.check("config.md#mounts", "/dev/shm options nosuid,noexec,nodev applied",
            got and {"nosuid", "noexec", "nodev"} <= got["opts"],
            "config.md#mounts: options \"Mount options of the filesystem to be used\"",
            "nosuid,noexec,nodev", got and sorted(got["opts"]))
    got = m.get("/sys")
    s.check("config.md#mounts", "/sys mounted ro", got and "ro" in got["opts"],
            "config.md#mounts: options (mount(8) `ro`)", "ro", got and sorted(got["opts"]))


def t_mounts(s):
    sec = "config.md#mounts"
    share = os.path.join(s.work, "share")
    os.makedirs(os.path.join(share, "sub"), exist_ok=True)
    with open(os.path.join(share, "hello"), "w") as f:
        f.write("hello\n")
    with open(os.path.join(share, "afile"), "w") as f:
        f.write("file\n")
    cfg = s.base_config(["checker", "mountinfo", "cat:/conf-ro/hello", "write:/conf-ro/new",
                         "cat:/conf-rel/hello", "cat:/conf-file", "stat:/conf-file", "cat:/conf-order/inner/hello",
                         "cat:/conf-notype/hello", "write:/conf-tmpfs/x", "read:/conf-tmpfs"])
    cfg["mounts"] += [
        {"destination": "/conf-tmpfs", "type": "tmpfs", "source": "tmpfs",
         "options": ["nosuid", "nodev", "noexec", "noatime", "mode=1770", "size=1m"]},
        {"destination": "/conf-ro", "type": "none", "source": share, "options": ["rbind", "ro"]},
        {"destination": "/conf-rel", "type": "bind", "source": "relsrc", "options": ["bind"]},
        {"destination": "/conf-file", "type": "bind", "source": os.path.join(share, "afile"),
         "options": ["bind", "ro"]},
        {"destination": "/conf-order", "type": "tmpfs", "source": "tmpfs", "options": ["size=1m"]},
        {"destination": "/conf-order/inner", "type": "bind", "source": share, "options": ["bind"]},
        {"destination": "/conf-notype", "source": share, "options": ["bind"]},
        {"destination": "/conf-tmpro", "type": "tmpfs", "source": "tmpfs", "options": ["ro", "size=1m"]},
    ]
    rro_src, rro_sub = rro_source()
    if rro_src:
        cfg["mounts"].append({"destination": "/conf-rro", "type": "bind", "source": rro_src,
                              "options": ["rbind", "rro", "nosuid", "noexec"]})
    cid = s.new_id()
    b = s.bundle(cfg, name=cid)
    rel = os.path.join(b, "relsrc")
    os.makedirs(rel)
    with open(os.path.join(rel, "hello"), "w") as f:
        f.write("relative\n")
    rc, out, err = s.rt("run", "--bundle", b, cid)
    s.cleanup_container(cid)
    from lib import parse_output
    o = parse_output(out)
    if not ran(s, sec, rc, o, err.strip()):
        return
    m = parse_mountinfo(o.get("mnt"))
    t = m.get("/conf-tmpfs")
    cite = "config.md#mounts: type \"filesystem types supported by the kernel\"; options \"Mount options\""
    s.check(sec, "tmpfs mounted with type tmpfs", t and t["fstype"] == "tmpfs", cite, "tmpfs", t and t["fstype"])
    s.check(sec, "tmpfs per-mount flags nosuid,nodev,noexec,noatime", t and
            {"nosuid", "nodev", "noexec", "noatime"} <= t["opts"], cite, "nosuid,nodev,noexec,noatime",
            t and sorted(t["opts"]))
    s.check(sec, "tmpfs data options size=1m,mode=1770", t and {"size=1024k", "mode=1770"} <= t["super"], cite,
            "size=1024k,mode=1770", t and sorted(t["super"]))
    s.eq(sec, "tmpfs writable", o.get("write:/conf-tmpfs/x"), "ok", cite)
    r = m.get("/conf-ro")
    s.check(sec, "rbind,ro bind mount is read-only", r and "ro" in r["opts"],
            "config.md#mounts: \"A mount is a bind mount if it has either bind or rbind in the options\"; ro",
            "ro", r and sorted(r["opts"]))
    s.eq(sec, "bind mount shows the source's content", o.get("cat:/conf-ro/hello"), "hello",
         "config.md#mounts: source \"a file or directory name for bind mounts\"")
    s.eq(sec, "write into ro bind fails EROFS", o.get("write:/conf-ro/new"), "err EROFS",
         "config.md#mounts: options (mount(8) `ro`)")
    s.eq(sec, "bind source relative to the bundle", o.get("cat:/conf-rel/hello"), "relative",
         "config.md#mounts: source \"Path values for bind mounts are either absolute or relative to the bundle\"")
    s.eq(sec, "file bind mount", o.get("cat:/conf-file"), "file",
         "config.md#mounts: source \"a file or directory name for bind mounts\"")
    s.eq(sec, "mounts applied in the listed order (bind inside an earlier tmpfs)",
         o.get("cat:/conf-order/inner/hello"), "hello",
         "config.md#mounts: \"The runtime MUST mount entries in the listed order\"")
    s.eq(sec, "bind mount without type", o.get("cat:/conf-notype/hello"), "hello",
         "config.md#mounts: type is OPTIONAL; \"A mount is a bind mount if it has either bind or rbind in the "
         "options\"")
    r = m.get("/conf-tmpro")
    s.check(sec, "tmpfs with ro is read-only", r and "ro" in r["opts"], cite, "ro", r and sorted(r["opts"]))
    if not rro_src:
        s.skip(sec, "rro makes submounts read-only", "no host directory with a submount (/dev, /sys/fs/cgroup)")
    else:
        top, sub = m.get("/conf-rro"), m.get("/conf-rro/" + rro_sub)
        s.check(sec, f"rro: rbind of {rro_src} read-only including its submount {rro_sub}",
                top and sub and "ro" in top["opts"] and "ro" in sub["opts"],
                "config.md#mounts: options (paraphrase) the recursive mount attributes of runtime-spec 1.1: `rro` is "
                "`ro` applied to the whole tree (mount_setattr(2) with AT_RECURSIVE); features.md lists it among "
                "mountOptions", "ro on both",
                {"top": top and sorted(top["opts"]), "sub": sub and sorted(sub["opts"])})


def rro_source():
    """a host directory that has a mount below it, and that submount's relative path"""
    with open("/proc/self/mountinfo") as f:
        mps = [line.split()[4] for line in f]
    for src in ("/dev", "/sys/fs/cgroup"):
        for mp in mps:
            if mp.startswith(src + "/") and "/" not in mp[len(src) + 1:]:
                return src, mp[len(src) + 1:]
    return None, None


def t_root_readonly(s):
    sec = "config.md#root"
    cfg = s.base_config(["checker", "write:/conf-new", "write:/tmp/x", "mountinfo"])
    cfg["root"] = {"path": "rootfs", "readonly": True}
    rc, o, err, cid, b = s.run_container(cfg)
    if not ran(s, sec, rc, o, err):
        return
    s.eq(sec, "root.readonly: writing to / fails EROFS", o.get("write:/conf-new"), "err EROFS",
         "config.md#root: readonly \"If true then the root filesystem MUST be read-only inside the container\"")
    m = parse_mountinfo(o.get("mnt"))
    r = m.get("/")
    s.check(sec, "root.readonly: / is a ro mount", r and "ro" in r["opts"],
            "config.md#root: readonly", "ro", r and sorted(r["opts"]))
    # absolute root.path
    cfg = s.base_config(["checker", "info"])
    cid = s.new_id()
    b = s.bundle(cfg, name=cid)
    cfg["root"]["path"] = os.path.join(b, "rootfs")
    s.write_config(b, cfg)
    rc, out, err = s.rt("run", "--bundle", b, cid)
    s.cleanup_container(cid)
    s.check(sec, "root.path absolute", rc == 0 and "done=1" in out,
            "config.md#root: path \"is either an absolute path or a relative path to the bundle\"",
            "ran", f"rc={rc} {err.strip()[-300:]}")


def t_user(s):
    sec = "config.md#posix-platform-user"
    cfg = s.base_config(["checker", "info"])
    cfg["process"]["user"] = {"uid": 1000, "gid": 1001, "additionalGids": [10, 2000], "umask": 0o027}
    rc, o, err, cid, b = s.run_container(cfg)
    if not ran(s, sec, rc, o, err):
        return
    s.eq(sec, "uid 1000 (real, effective, saved, fs)", o.get("status.Uid"), "1000 1000 1000 1000",
         "config.md#posix-platform-user: uid \"specifies the user ID in the container namespace\"")
    s.eq(sec, "gid 1001", o.get("status.Gid"), "1001 1001 1001 1001",
         "config.md#posix-platform-user: gid \"specifies the group ID in the container namespace\"")
    got = sorted((o.get("status.Groups") or "").split())
    s.eq(sec, "additionalGids 10 2000", got, ["10", "2000"],
         "config.md#posix-platform-user: additionalGids \"additional group IDs ... to be added to the process\"")
    s.eq(sec, "umask 027", o.get("status.Umask"), "0027",
         "config.md#posix-platform-user: umask \"specifies the umask of the user\"")


def t_caps(s):
    sec = "config.md#linux-process-capabilities"
    cite = "config.md#linux-process: capabilities \"... capabilities that are kept for the process\""
    # root: after execve the kernel makes P' = I | B and E' = P' for uid 0, so
    # a config with permitted = effective = bounding is exact in all 5 sets.
    full = ["CAP_CHOWN", "CAP_KILL", "CAP_NET_BIND_SERVICE", "CAP_SETUID", "CAP_SETGID"]
    cfg = s.base_config(["checker", "info"])
    cfg["process"]["noNewPrivileges"] = False
    cfg["process"]["capabilities"] = {"bounding": full, "permitted": full, "effective": full,
                                      "inheritable": ["CAP_KILL", "CAP_NET_BIND_SERVICE"],
                                      "ambient": ["CAP_NET_BIND_SERVICE"]}
    rc, o, err, cid, b = s.run_container(cfg)
    if ran(s, sec, rc, o, err):
        for st, key in (("bounding", "CapBnd"), ("permitted", "CapPrm"), ("effective", "CapEff"),
                        ("inheritable", "CapInh"), ("ambient", "CapAmb")):
            got = caps_from_mask(o.get(f"status.{key}", "0"))
            s.eq(sec, f"uid 0: {st} set exact", got, sorted(cfg["process"]["capabilities"][st]), cite)
        s.eq(sec, "noNewPrivileges false leaves no_new_privs off", o.get("status.NoNewPrivs"), "0",
             "config.md#linux-process: noNewPrivileges")
    # non-root: execve keeps B, I, A; P' = E' = A (no file caps)
    cfg = s.base_config(["checker", "info"])
    cfg["process"]["user"] = {"uid": 1000, "gid": 1000}
    caps = {"bounding": ["CAP_CHOWN", "CAP_KILL", "CAP_NET_BIND_SERVICE", "CAP_NET_RAW"],
            "permitted": ["CAP_CHOWN", "CAP_KILL", "CAP_NET_BIND_SERVICE"],
            "effective": ["CAP_KILL", "CAP_NET_BIND_SERVICE"],
            "inheritable": ["CAP_NET_BIND_SERVICE", "CAP_KILL"],
            "ambient": ["CAP_NET_BIND_SERVICE"]}
    cfg["process"]["capabilities"] = caps
    rc, o, err, cid, b = s.run_container(cfg)
    if not ran(s, sec, rc, o, err):
        return
    for st, key in (("bounding", "CapBnd"), ("inheritable", "CapInh"), ("ambient", "CapAmb")):
        got = caps_from_mask(o.get(f"status.{key}", "0"))
        s.eq(sec, f"uid 1000: {st} set exact", got, sorted(caps[st]), cite)
    for st, key in (("permitted", "CapPrm"), ("effective", "CapEff")):
        got = caps_from_mask(o.get(f"status.{key}", "0"))
        s.check(sec, f"uid 1000: {st} = ambient after execve (subset of config)",
                got == sorted(caps["ambient"]), cite, sorted(caps["ambient"]), got)


def t_caps_invalid(s):
    # v1.3.0 changed this rule: an unknown name was an error in v1.0, it is a
    # warning now, and the runtime goes on with the names it knows.
    sec = "config.md#linux-process-capabilities"
    cite = "config.md#linux-process: capabilities \"Any value which cannot be mapped to a relevant kernel " \
           "interface, or cannot be granted otherwise MUST be logged as a warning by the runtime. Runtimes SHOULD " \
           "NOT fail if the container configuration requests capabilities that cannot be granted\""
    bogus = "CAP_CONFORMANCE_BOGUS"
    cfg = s.base_config(["checker", "info"])
    cfg["process"]["noNewPrivileges"] = False
    known = ["CAP_KILL", "CAP_NET_BIND_SERVICE"]
    cfg["process"]["capabilities"] = {k: known + [bogus] for k in ("bounding", "permitted", "effective")}
    cfg["process"]["capabilities"]["inheritable"] = [bogus]
    cfg["process"]["capabilities"]["ambient"] = [bogus]
    rc, o, err, cid, b = s.run_container(cfg)
    s.check(sec, "unknown capability name: the container runs", rc == 0 and "status.CapBnd" in o, cite,
            "exit 0", f"rc={rc} {err[-300:]}")
    s.check(sec, "unknown capability name: a warning names it", bogus in err, cite,
            f"{bogus} on stderr", err[-300:] or "(nothing on stderr)")
    if rc == 0 and "status.CapBnd" in o:
        got = caps_from_mask(o.get("status.CapBnd", "0"))
        s.eq(sec, "unknown capability name: the known ones are granted", got, sorted(known), cite)


def t_rlimits(s):
    sec = "config.md#posix-process-rlimits"
    cfg = s.base_config(["checker", "info"])
    cfg["process"]["rlimits"] = [{"type": "RLIMIT_NOFILE", "soft": 512, "hard": 1000},
                                 {"type": "RLIMIT_MSGQUEUE", "soft": 65536, "hard": 65536},
                                 {"type": "RLIMIT_CORE", "soft": 0, "hard": 1234567}]
    rc, o, err, cid, b = s.run_container(cfg)
    if ran(s, sec, rc, o, err):
        cite = "config.md#posix-process: \"rlim.rlim_cur MUST match the configured value\", \"rlim.rlim_max " \
               "MUST match the configured value\""
        for r in cfg["process"]["rlimits"]:
            name = r["type"][len("RLIMIT_"):]
            s.eq(sec, f"{r['type']} soft {r['soft']} hard {r['hard']}", o.get(f"rlimit.{name}"),
                 f"{r['soft']} {r['hard']}", cite)
    import resource
    cur_soft, cur_hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    can_raise = False
    try:
        with open("/proc/self/status") as f:
            eff = [line.split()[1] for line in f if line.startswith("CapEff:")][0]
        can_raise = bool(int(eff, 16) & (1 << 24))  # CAP_SYS_RESOURCE
    except (OSError, IndexError, ValueError):
        pass
    if cur_hard == resource.RLIM_INFINITY or can_raise:
        s.skip(sec, "hard limit above the runtime's own: error or exact", "the runtime may raise its hard limit here")
    else:
        cfg = s.base_config(["checker", "info"])
        cfg["process"]["rlimits"] = [{"type": "RLIMIT_NOFILE", "soft": cur_hard + 1, "hard": cur_hard + 1}]
        rc, o, err, cid, b = s.run_container(cfg)
        got = o.get("rlimit.NOFILE")
        s.check(sec, "hard limit above the runtime's own (no CAP_SYS_RESOURCE): error, never a different limit",
                rc != 0 or got == f"{cur_hard + 1} {cur_hard + 1}",
                "config.md#posix-process: \"rlim.rlim_max MUST match the configured value\"; runtime.md#lifecycle: "
                "\"If the runtime is unable to create the environment specified in the config.json, it MUST generate "
                "an error\"", f"error, or {cur_hard + 1} {cur_hard + 1}", f"rc={rc} rlimit={got}")
    cfg = s.base_config(["checker", "info"])
    cfg["process"]["rlimits"] = [{"type": "RLIMIT_NOFILE", "soft": 512, "hard": 1000},
                                 {"type": "RLIMIT_NOFILE", "soft": 256, "hard": 1000}]
    rc, o, err, cid, b = s.run_container(cfg)
    s.check(sec, "duplicate rlimit type is an error", rc != 0,
            "config.md#posix-process: \"If rlimits contains duplicated entries with same type, the runtime "
            "MUST generate an error\"", "non-zero exit", f"rc={rc}")
    cfg = s.base_config(["checker", "info"])
    cfg["process"]["rlimits"] = [{"type": "RLIMIT_CONFORMANCE_BOGUS", "soft": 1, "hard": 1}]
    rc, o, err, cid, b = s.run_container(cfg)
    s.check(sec, "unknown rlimit type is an error", rc != 0,
            "config.md#posix-process: \"The runtime MUST generate an error for any values which cannot be "
            "mapped to a relevant kernel interface\"", "non-zero exit", f"rc={rc}")


def t_oom(s):
    sec = "config.md#linux-process"
    cfg = s.base_config(["checker", "info"])
    cfg["process"]["oomScoreAdj"] = 123
    rc, o, err, cid, b = s.run_container(cfg)
    if ran(s, sec, rc, o, err):
        s.eq(sec, "oomScoreAdj 123", o.get("oom_score_adj"), "123",
             "config.md#linux-process: \"If oomScoreAdj is set, the runtime MUST set oom_score_adj to the given "
             "value\"")


def t_newer_process(s, features):
    """Fields added in runtime-spec 1.1-1.3."""
    cfg = s.base_config(["checker", "info"])
    cfg["linux"]["personality"] = {"domain": "LINUX32"}
    rc, o, err, cid, b = s.run_container(cfg)
    s.check("config-linux.md#personality", "domain LINUX32", rc == 0 and o.get("personality") == "8",
            "config-linux.md#personality: domain \"the execution domain\" (LINUX32 = PER_LINUX32)",
            "personality=8", f"rc={rc} personality={o.get('personality')} {err[-200:]}")
    cfg = s.base_config(["checker", "info"])
    cfg["process"]["ioPriority"] = {"class": "IOPRIO_CLASS_BE", "priority": 4}
    rc, o, err, cid, b = s.run_container(cfg)
    s.check("config.md#linux-process", "ioPriority IOPRIO_CLASS_BE 4", rc == 0 and o.get("ioprio") == "2 4",
            "config.md#linux-process: ioPriority \"configures the I/O priority settings for the container's "
            "processes\"", "ioprio class 2 level 4", f"rc={rc} ioprio={o.get('ioprio')} {err[-200:]}")
    cfg = s.base_config(["checker", "info"])
    cfg["process"]["scheduler"] = {"policy": "SCHED_BATCH", "nice": 5}
    rc, o, err, cid, b = s.run_container(cfg)
    s.check("config.md#linux-process", "scheduler SCHED_BATCH nice 5",
            rc == 0 and o.get("sched_policy") == "3" and o.get("nice") == "5",
            "config.md#linux-process: scheduler \"is an object describing the scheduler properties for the process\"",
            "policy 3 nice 5", f"rc={rc} policy={o.get('sched_policy')} nice={o.get('nice')} {err[-200:]}")
    ncpu = os.cpu_count() or 1
    if ncpu < 2:
        s.skip("config.md#linux-process", "execCPUAffinity final", "needs 2 CPUs")
    else:
        last = str(ncpu - 1)
        cfg = s.base_config(["checker", "info"])
        cfg["process"]["execCPUAffinity"] = {"initial": "0", "final": last}
        rc, o, err, cid, b = s.run_container(cfg)
        s.check("config.md#linux-process", f"execCPUAffinity final {last}", rc == 0 and o.get("affinity") == last,
                "config.md#linux-process: execCPUAffinity final \"is a list of CPUs a runtime parent process to be "
                "run on after the transition to container's cgroup\"", last, f"rc={rc} affinity={o.get('affinity')}")


def t_namespaces(s, helper_pid):
    sec = "config-linux.md#namespaces"
    hn = host_ns()
    cfg = s.base_config(["checker", "info"])
    cfg["linux"]["namespaces"] = [{"type": t} for t in ("pid", "network", "ipc", "uts", "mount", "cgroup")]
    rc, o, err, cid, b = s.run_container(cfg)
    if ran(s, sec, rc, o, err):
        for t, n in (("pid", "pid"), ("network", "net"), ("ipc", "ipc"), ("uts", "uts"), ("mount", "mnt"),
                     ("cgroup", "cgroup")):
            s.check(sec, f"{t}: new namespace", o.get(f"ns.{n}") not in (None, hn.get(n)),
                    "config-linux.md#namespaces: \"If path is not specified, the runtime MUST create a new "
                    "container namespace of type type\"", f"!= host {hn.get(n)}", o.get(f"ns.{n}"))
        s.eq(sec, "pid: the process is pid 1 in its new pid namespace", o.get("pid"), "1",
             "config-linux.md#namespaces: pid \"processes inside the container will only be able to see other "
             "processes inside the same container\"")
        cg = (o.get("cgroup") or "").split("\\n")
        s.check(sec, "cgroup: namespace root is the container's cgroup",
                cg and all(line.endswith(":/") for line in cg if line),
                "config-linux.md#namespaces: cgroup \"the container will have an isolated view of the cgroup "
                "hierarchy\"", "every line ends in :/", cg)
        for t, n in (("user", "user"), ("time", "time")):
            s.eq(sec, f"{t} absent: inherits the runtime's namespace", o.get(f"ns.{n}"), hn.get(n),
                 "config-linux.md#namespaces: \"If a namespace type is not specified in the namespaces array, "
                 "the container MUST inherit the runtime namespace of that type\"")
    cfg = s.base_config(["checker", "info"])
    cfg["linux"]["namespaces"] = [{"type": "pid"}, {"type": "mount"}]
    del cfg["hostname"]
    rc, o, err, cid, b = s.run_container(cfg)
    if ran(s, sec, rc, o, err):
        for t, n in (("network", "net"), ("ipc", "ipc"), ("uts", "uts")):
            s.eq(sec, f"{t} absent: inherits the runtime's namespace", o.get(f"ns.{n}"), hn.get(n),
                 "config-linux.md#namespaces: \"If a namespace type is not specified in the namespaces array, "
                 "the container MUST inherit the runtime namespace of that type\"")
    # join by path
    hp = {n: str(os.stat(f"/proc/{helper_pid}/ns/{n}").st_ino) for n in ("net", "ipc", "uts")}
    cfg = s.base_config(["checker", "info"])
    cfg["linux"]["namespaces"] = [{"type": "pid"}, {"type": "mount"},
                                  {"type": "network", "path": f"/proc/{helper_pid}/ns/net"},
                                  {"type": "ipc", "path": f"/proc/{helper_pid}/ns/ipc"},
                                  {"type": "uts", "path": f"/proc/{helper_pid}/ns/uts"}]
    del cfg["hostname"]
    rc, o, err, cid, b = s.run_container(cfg)
    if ran(s, sec, rc, o, err):
        for t, n in (("network", "net"), ("ipc", "ipc"), ("uts", "uts")):
            s.eq(sec, f"{t} path: joins the given namespace", o.get(f"ns.{n}"), hp[n],
                 "config-linux.md#namespaces: path \"the runtime MUST place the container process in the "
                 "namespace associated with that path\"")
    cfg = s.base_config(["checker", "info"])
    cfg["linux"]["namespaces"] = [{"type": "pid"}, {"type": "mount"}, {"type": "network"},
                                  {"type": "uts", "path": f"/proc/{helper_pid}/ns/net"}]
    rc, o, err, cid, b = s.run_container(cfg)
    s.check(sec, "path of the wrong namespace type is an error", rc != 0,
            "config-linux.md#namespaces: \"The runtime MUST generate an error if path is not associated with a "
            "namespace of type type\"", "non-zero exit", f"rc={rc}")
    cfg = s.base_config(["checker", "info"])
    cfg["linux"]["namespaces"] = [{"type": "pid"}, {"type": "mount"}, {"type": "pid"}]
    del cfg["hostname"]
    rc, o, err, cid, b = s.run_container(cfg)
    s.check(sec, "duplicated namespace type is an error", rc != 0,
            "config-linux.md#namespaces: \"If a namespaces field contains duplicated namespaces with same type, "
            "the runtime MUST generate an error\"", "non-zero exit", f"rc={rc}")
    cfg = s.base_config(["checker", "info"])
    cfg["linux"]["namespaces"] = [{"type": "pid"}, {"type": "mount"}]
    rc, o, err, cid, b = s.run_container(cfg)
    s.check("runc-compat#hostname", "hostname without a new uts namespace is an error", rc != 0,
            "not in runtime-spec (config.md#hostname allows the container UTS namespace to be the runtime's): runc "
            "and crun refuse, so that a container cannot rename the host", "non-zero exit",
            f"rc={rc} hostname={o.get('hostname')}")


def t_time_ns(s, features):
    sec = "config-linux.md#namespaces"
    supported = features is not None and "time" in (features.get("linux", {}).get("namespaces") or [])
    cfg = s.base_config(["checker", "info", "cat:/proc/self/timens_offsets"])
    cfg["linux"]["namespaces"].append({"type": "time"})
    cfg["linux"]["timeOffsets"] = {"monotonic": {"secs": 86400, "nanosecs": 0},
                                   "boottime": {"secs": 3600, "nanosecs": 0}}
    rc, o, err, cid, b = s.run_container(cfg)
    if not supported and rc != 0:
        s.skip(sec, "time: new namespace with timeOffsets", "runtime does not support the time namespace "
               f"(features lacks it; create fails: {err.strip()[-150:]})")
        return
    off = o.get("cat:/proc/self/timens_offsets", "")
    s.check(sec, "time: new namespace with timeOffsets", rc == 0 and o.get("ns.time") != host_ns().get("time"),
            "config-linux.md#namespaces: time \"the container will be able to have its own clocks\"",
            "new time namespace", f"rc={rc} ns.time={o.get('ns.time')} {err[-200:]}")
    s.check("config-linux.md#offset-for-time-namespace", "timeOffsets monotonic 86400",
            "monotonic" in off and "86400" in off,
            "config-linux.md#offset-for-time-namespace: timeOffsets \"sets the offset for Time Namespace\"",
            "monotonic 86400 0", off)


def t_userns(s):
    sec = "config-linux.md#user-namespace-mappings"
    os.chmod(s.work, 0o755)
    cfg = s.base_config(["checker", "info", "stat:/dev/null"])
    cfg["linux"]["namespaces"].append({"type": "user"})
    cfg["linux"]["uidMappings"] = [{"containerID": 0, "hostID": 100000, "size": 1000},
                                   {"containerID": 1000, "hostID": 300000, "size": 1000}]
    cfg["linux"]["gidMappings"] = [{"containerID": 0, "hostID": 200000, "size": 65536}]
    cfg["mounts"] = [m for m in cfg["mounts"] if m["destination"] in ("/proc", "/dev", "/dev/pts", "/dev/shm")]
    cfg["mounts"][2]["options"] = ["nosuid", "noexec", "newinstance", "ptmxmode=0666", "mode=0620"]
    rc, o, err, cid, b = s.run_container(cfg)
    if not ran(s, sec, rc, o, err):
        return
    norm = lambda v: " ".join((v or "").replace("\\n", " ").split())
    s.eq(sec, "uid_map is the configured mapping (two ranges)", norm(o.get("uid_map")),
         "0 100000 1000 1000 300000 1000",
         "config-linux.md#user-namespace-mappings: uidMappings \"describes the user namespace uid mappings from "
         "the host to the container\"")
    s.eq(sec, "gid_map is the configured mapping", norm(o.get("gid_map")), "0 200000 65536",
         "config-linux.md#user-namespace-mappings: gidMappings")
    s.check(sec, "user: new namespace", o.get("ns.user") != host_ns()["user"],
            "config-linux.md#namespaces: user \"the container will be able to remap user and group IDs\"",
            "!= host", o.get("ns.user"))
    s.eq(sec, "process is uid 0 inside", o.get("ids"), "0 0 0 0",
         "config.md#posix-platform-user: uid \"in the container namespace\"")


def userns_config(s, args):
    cfg = s.base_config(args)
    cfg["linux"]["namespaces"].append({"type": "user"})
    cfg["linux"]["uidMappings"] = [{"containerID": 0, "hostID": 100000, "size": 65536}]
    cfg["linux"]["gidMappings"] = [{"containerID": 0, "hostID": 100000, "size": 65536}]
    cfg["mounts"] = [m for m in cfg["mounts"] if m["destination"] in ("/proc", "/dev", "/dev/pts", "/dev/shm")]
    cfg["mounts"][2]["options"] = ["nosuid", "noexec", "newinstance", "ptmxmode=0666", "mode=0620"]
    return cfg


def t_userns_devices(s):
    # A device node the host lacks: mknod is refused inside a user namespace,
    # so the runtime has to make it from outside; the spec asks for it all
    # the same.
    sec = "config-linux.md#devices"
    os.chmod(s.work, 0o755)
    cfg = userns_config(s, ["checker", "stat:/dev/conf-userns", "write:/dev/conf-userns-rw"])
    cfg["linux"]["devices"] = [{"path": "/dev/conf-userns", "type": "c", "major": 1, "minor": 3,
                                "fileMode": 0o640, "uid": 1, "gid": 2},
                               {"path": "/dev/conf-userns-rw", "type": "c", "major": 1, "minor": 3,
                                "fileMode": 0o666}]
    rc, o, err, cid, b = s.run_container(cfg)
    if not ran(s, sec, rc, o, err):
        return
    cite = "config-linux.md#devices: \"devices (array of objects) lists devices that MUST be available in the " \
           "container\"; type, major, minor, fileMode, uid, gid (here with a user namespace)"
    s.eq(sec, "user namespace: char device c 1:3 mode 0640 uid 1 gid 2", o.get("stat:/dev/conf-userns"),
         "c 1 3 0640 1 2", cite)
    s.eq(sec, "user namespace: the device works (c 1:3 mode 0666)", o.get("write:/dev/conf-userns-rw"), "ok", cite)


def t_userns_idmap_mount(s):
    sec = "config.md#mounts"
    os.chmod(s.work, 0o755)
    src = os.path.join(s.work, "idmap-src")
    os.makedirs(src, exist_ok=True)
    for name, uid in (("root-file", 0), ("user-file", 1234)):
        with open(os.path.join(src, name), "w") as f:
            f.write("x")
        os.chown(os.path.join(src, name), uid, uid)
    # mount points that exist in the rootfs (/work, /out): the mapped root
    # may not create directories in a rootfs owned by the host's root
    cfg = userns_config(s, ["checker", "stat:/work/root-file", "stat:/work/user-file", "stat:/out/root-file"])
    m = {"destination": "/work", "type": "bind", "source": src, "options": ["bind"],
         "uidMappings": [{"containerID": 0, "hostID": 100000, "size": 65536}],
         "gidMappings": [{"containerID": 0, "hostID": 100000, "size": 65536}]}
    cfg["mounts"].append(m)
    cfg["mounts"].append({"destination": "/out", "type": "bind", "source": src, "options": ["bind"]})
    rc, o, err, cid, b = s.run_container(cfg)
    if not ran(s, sec, rc, o, err):
        return
    cite = "config.md#mounts: uidMappings/gidMappings \"The mapping to convert UIDs/GIDs from the source file " \
           "system to the destination mount point\" (the format of the user namespace mappings)"
    s.eq(sec, "idmapped mount in a user namespace: host uid 0 is uid 0 inside",
         " ".join((o.get("stat:/work/root-file") or "").split()[4:6]), "0 0", cite)
    s.eq(sec, "idmapped mount in a user namespace: host uid 1234 is uid 1234 inside",
         " ".join((o.get("stat:/work/user-file") or "").split()[4:6]), "1234 1234", cite)
    s.eq(sec, "the same source without mappings shows the overflow id",
         " ".join((o.get("stat:/out/root-file") or "").split()[4:6]), "65534 65534",
         "config-linux.md#user-namespace-mappings (a host id outside the mapping has no name inside)")


def t_devices(s):
    sec = "config-linux.md#devices"
    cfg = s.base_config(["checker", "stat:/dev/conf-char", "stat:/dev/conf-blk", "stat:/dev/conf-fifo",
                         "write:/dev/conf-rw", "read:/dev/conf-denied"])
    cfg["linux"]["devices"] = [
        {"path": "/dev/conf-char", "type": "c", "major": 1, "minor": 3, "fileMode": 0o640, "uid": 1, "gid": 2},
        {"path": "/dev/conf-blk", "type": "b", "major": 7, "minor": 0, "fileMode": 0o600, "uid": 0, "gid": 6},
        {"path": "/dev/conf-fifo", "type": "p", "fileMode": 0o644},
        {"path": "/dev/conf-rw", "type": "c", "major": 1, "minor": 3, "fileMode": 0o666},
    ]
    # a host device node the device list does not allow (/dev/kmsg, c 1:11), bound in
    cfg["mounts"].append({"destination": "/dev/conf-denied", "type": "bind", "source": "/dev/kmsg",
                          "options": ["bind"]})
    cfg["linux"]["resources"] = {"devices": [
        {"allow": False, "access": "rwm"},
        {"allow": True, "type": "c", "major": 1, "minor": 3, "access": "rwm"},
        {"allow": True, "type": "c", "major": 1, "minor": 5, "access": "rwm"},
        {"allow": True, "type": "c", "major": 1, "minor": 8, "access": "rwm"},
        {"allow": True, "type": "c", "major": 1, "minor": 9, "access": "rwm"},
        {"allow": True, "type": "c", "major": 5, "minor": 0, "access": "rwm"},
        {"allow": True, "type": "c", "major": 5, "minor": 2, "access": "rwm"},
        {"allow": True, "type": "c", "major": 136, "access": "rwm"},
    ]}
    cfg["linux"]["cgroupsPath"] = s.cgroup_path("dev")
    rc, o, err, cid, b = s.run_container(cfg)
    if not ran(s, sec, rc, o, err):
        return
    cite = "config-linux.md#devices: \"devices (array of objects) lists devices that MUST be available in the " \
           "container\"; type, major, minor, fileMode, uid, gid"
    s.eq(sec, "char device c 1:3 mode 0640 uid 1 gid 2", o.get("stat:/dev/conf-char"), "c 1 3 0640 1 2", cite)
    s.eq(sec, "block device b 7:0 mode 0600 gid 6", o.get("stat:/dev/conf-blk"), "b 7 0 0600 0 6", cite)
    s.eq(sec, "fifo p mode 0644", o.get("stat:/dev/conf-fifo"), "p 0 0 0644 0 0", cite)
    sec = "config-linux.md#allowed-device-list"
    s.eq(sec, "allowed device is writable", o.get("write:/dev/conf-rw"), "ok",
         "config-linux.md#allowed-device-list: allow \"whether the entry is allowed or denied\"")
    s.eq(sec, "device not in the allow list: open fails EPERM", o.get("read:/dev/conf-denied"), "err EPERM",
         "config-linux.md#allowed-device-list: devices \"configures the device allowlist. The runtime MUST "
         "apply entries in the listed order\" (the first entry denies all, /dev/kmsg c 1:11 is never allowed)")


def t_sysctl(s):
    sec = "config-linux.md#sysctl"
    cfg = s.base_config(["checker", "cat:/proc/sys/net/ipv4/ip_forward", "cat:/proc/sys/kernel/msgmax",
                         "cat:/proc/sys/kernel/domainname"])
    cfg["linux"]["sysctl"] = {"net.ipv4.ip_forward": "1", "kernel.msgmax": "4096",
                              "kernel/domainname": "slash.sysctl"}
    rc, o, err, cid, b = s.run_container(cfg)
    if not ran(s, sec, rc, o, err):
        return
    cite = "config-linux.md#sysctl: \"sysctl (object, OPTIONAL) allows kernel parameters to be modified at " \
           "runtime for the container\""
    s.eq(sec, "net.ipv4.ip_forward = 1 (net namespace)", o.get("cat:/proc/sys/net/ipv4/ip_forward"), "1", cite)
    s.eq(sec, "kernel.msgmax = 4096 (ipc namespace)", o.get("cat:/proc/sys/kernel/msgmax"), "4096", cite)
    s.eq(sec, "key with / separators (kernel/domainname)", o.get("cat:/proc/sys/kernel/domainname"),
         "slash.sysctl", cite + " (sysctl(8) accepts / as the separator)")


def t_seccomp(s):
    sec = "config-linux.md#seccomp"
    cfg = s.base_config(["checker", "sys:getpriority", "sys:getsid", "sys:getpgid0", "sys:getpgid1", "info"])
    cfg["linux"]["seccomp"] = {
        "defaultAction": "SCMP_ACT_ALLOW",
        "architectures": ["SCMP_ARCH_X86_64", "SCMP_ARCH_X86", "SCMP_ARCH_X32"],
        "syscalls": [
            {"names": ["getpriority"], "action": "SCMP_ACT_ERRNO", "errnoRet": 42},
            {"names": ["getsid"], "action": "SCMP_ACT_ERRNO"},
            {"names": ["getpgid"], "action": "SCMP_ACT_ERRNO", "errnoRet": 33,
             "args": [{"index": 0, "value": 1, "op": "SCMP_CMP_EQ"}]},
        ],
    }
    rc, o, err, cid, b = s.run_container(cfg)
    if not ran(s, sec, rc, o, err):
        return
    s.eq(sec, "SCMP_ACT_ERRNO with errnoRet 42", o.get("sys:getpriority"), "-1 ENOMSG",
         "config-linux.md#seccomp: errnoRet \"the errno return code to use\"")
    s.eq(sec, "SCMP_ACT_ERRNO without errnoRet returns EPERM", o.get("sys:getsid"), "-1 EPERM",
         "config-linux.md#seccomp: errnoRet \"If not specified then its default value is EPERM\"")
    cite = "config-linux.md#seccomp: args \"index ... value ... op\" (the rule applies only when the condition holds)"
    s.eq(sec, "args condition SCMP_CMP_EQ matches: getpgid(1) gets errnoRet 33", o.get("sys:getpgid1"), "-1 EDOM",
         cite)
    got = o.get("sys:getpgid0", "")
    s.check(sec, "args condition SCMP_CMP_EQ does not match: getpgid(0) allowed", got.endswith(" 0") and
            not got.startswith("-"), cite, "a pgid, errno 0", got)
    s.eq(sec, "filter mode is on", o.get("status.Seccomp"), "2",
         "config-linux.md#seccomp: \"Seccomp provides application sandboxing mechanism in the Linux kernel\"")


def host_mount_of(path):
    """optional fields of the host mount that holds path"""
    best, opt = "", []
    with open("/proc/self/mountinfo") as f:
        for line in f:
            fl = line.split(" - ")[0].split()
            mp = fl[4]
            if (path == mp or path.startswith(mp.rstrip("/") + "/")) and len(mp) >= len(best):
                best, opt = mp, fl[6:]
    return best, opt


def t_propagation(s):
    sec = "config-linux.md#rootfs-mount-propagation"
    mp, opt = host_mount_of(s.work)
    wrap = ()
    if not any(x.startswith("shared:") for x in opt):
        # the bundles' host mount is private: run the runtime in a mount
        # namespace of its own where the bundles live on a shared bind mount,
        # so that slave and shared have a peer group to refer to
        bd = os.path.join(s.work, "bundles")
        os.makedirs(bd, exist_ok=True)
        wrap = ("unshare", "-m", "--propagation", "unchanged", "sh", "-c",
                'mount --make-rprivate / && mount --bind "$0" "$0" && mount --make-shared "$0" && exec "$@"', bd)
    tags = {"private": "no shared:/master: tag on /", "slave": "master:N on /", "rslave": "master:N on /",
            "shared": "shared:N on /", "unbindable": "unbindable on /"}
    for prop, want in (("private", lambda opt: not any(x.startswith(("shared:", "master:")) for x in opt)),
                       ("slave", lambda opt: any(x.startswith("master:") for x in opt)),
                       ("rslave", lambda opt: any(x.startswith("master:") for x in opt)),
                       ("shared", lambda opt: any(x.startswith("shared:") for x in opt)),
                       ("unbindable", lambda opt: "unbindable" in opt)):
        cfg = s.base_config(["checker", "mountinfo"])
        cfg["linux"]["rootfsPropagation"] = prop
        rc, o, err, cid, b = s.run_container(cfg, wrap=wrap)
        m = parse_mountinfo(o.get("mnt"))
        r = m.get("/")
        s.check(sec if prop != "rslave" else "runc-compat#rootfs-propagation", f"rootfsPropagation {prop}",
                rc == 0 and r and want(r["optional"]),
                "config-linux.md#rootfs-mount-propagation: \"rootfsPropagation (string, OPTIONAL) sets the "
                "rootfs's mount propagation. Its value is either shared, slave, private or unbindable\"" +
                (" (rslave is not among them: runc accepts it, so does husk)" if prop == "rslave" else ""), tags[prop],
                f"rc={rc} optional fields of /: {r and r['optional']} {err[-200:]}")


def t_cgroups(s):
    sec = "config-linux.md#control-groups"
    path = s.cgroup_path("res")
    files = ["/sys/fs/cgroup/memory/memory.limit_in_bytes", "/sys/fs/cgroup/memory.max",
             "/sys/fs/cgroup/pids/pids.max", "/sys/fs/cgroup/pids.max",
             "/sys/fs/cgroup/cpu/cpu.shares", "/sys/fs/cgroup/cpu.weight",
             "/sys/fs/cgroup/cpu/cpu.cfs_quota_us", "/sys/fs/cgroup/cpu/cpu.cfs_period_us", "/sys/fs/cgroup/cpu.max",
             "/sys/fs/cgroup/cpuset/cpuset.cpus", "/sys/fs/cgroup/cpuset.cpus",
             "/sys/fs/cgroup/memory/memory.soft_limit_in_bytes", "/sys/fs/cgroup/memory.low",
             "/sys/fs/cgroup/memory/memory.memsw.limit_in_bytes", "/sys/fs/cgroup/memory.swap.max",
             "/sys/fs/cgroup/memory/memory.swappiness", "/sys/fs/cgroup/memory/memory.oom_control"]
    cfg = s.base_config(["checker", "info", "mountinfo"] + [f"cat:{f}" for f in files])
    cfg["mounts"].append({"destination": "/sys/fs/cgroup", "type": "cgroup", "source": "cgroup",
                          "options": ["nosuid", "noexec", "nodev", "relatime", "ro"]})
    cfg["linux"]["cgroupsPath"] = path
    cfg["linux"]["resources"] = {"memory": {"limit": 67108864, "reservation": 33554432, "swap": 100663296,
                                            "swappiness": 10, "disableOOMKiller": True},
                                 "pids": {"limit": 64},
                                 "cpu": {"shares": 512, "quota": 50000, "period": 100000, "cpus": "0"}}
    rc, o, err, cid, b = s.run_container(cfg)
    if not ran(s, sec, rc, o, err):
        return

    def first(*keys):
        for k in keys:
            v = o.get(f"cat:{k}")
            if v is not None and not v.startswith("err"):
                return v
        return None

    v2 = first("/sys/fs/cgroup/memory.max") is not None
    cg = (o.get("cgroup") or "").split("\\n")
    s.check(sec, "process is in cgroupsPath", any(line.endswith(":" + path) for line in cg),
            "config-linux.md#cgroups-path: \"the runtime MUST consistently attach to the same place in the "
            "cgroups hierarchy given the same value of cgroupsPath\"", f"*:{path}", cg)
    s.eq(sec, "memory.limit 64MiB read inside", first("/sys/fs/cgroup/memory/memory.limit_in_bytes",
                                                       "/sys/fs/cgroup/memory.max"), "67108864",
         "config-linux.md#memory: limit \"sets limit of memory usage in bytes\"")
    s.eq(sec, "memory.reservation 32MiB read inside",
         first("/sys/fs/cgroup/memory/memory.soft_limit_in_bytes", "/sys/fs/cgroup/memory.low"), "33554432",
         "config-linux.md#memory: reservation \"sets soft limit of memory usage in bytes\"")
    if not v2:
        s.eq(sec, "memory.swap 96MiB (memory+swap) read inside",
             first("/sys/fs/cgroup/memory/memory.memsw.limit_in_bytes"), "100663296",
             "config-linux.md#memory: swap \"sets limit of memory+Swap usage\"")
        s.eq(sec, "memory.swappiness 10 read inside", first("/sys/fs/cgroup/memory/memory.swappiness"), "10",
             "config-linux.md#memory: swappiness \"sets swappiness parameter of vmscan\"")
        s.eq(sec, "disableOOMKiller sets oom_kill_disable", first("/sys/fs/cgroup/memory/memory.oom_control"),
             "oom_kill_disable 1", "config-linux.md#memory: disableOOMKiller \"disables the OOM killer for out of "
             "memory conditions\"")
    s.eq(sec, "pids.limit 64 read inside", first("/sys/fs/cgroup/pids/pids.max", "/sys/fs/cgroup/pids.max"), "64",
         "config-linux.md#pids: limit \"specifies the maximum number of tasks in the cgroup\"")
    if not v2:
        s.eq(sec, "cpu.shares 512", first("/sys/fs/cgroup/cpu/cpu.shares"), "512",
             "config-linux.md#cpu: shares \"specifies a relative share of CPU time available to the tasks in a "
             "cgroup\"")
        s.eq(sec, "cpu quota 50000 / period 100000",
             f"{first('/sys/fs/cgroup/cpu/cpu.cfs_quota_us')} {first('/sys/fs/cgroup/cpu/cpu.cfs_period_us')}",
             "50000 100000", "config-linux.md#cpu: quota, period")
    else:
        s.eq(sec, "cpu.max 50000 100000", first("/sys/fs/cgroup/cpu.max"), "50000 100000",
             "config-linux.md#cpu: quota, period")
    s.eq(sec, "cpuset.cpus 0", first("/sys/fs/cgroup/cpuset/cpuset.cpus", "/sys/fs/cgroup/cpuset.cpus"), "0",
         "config-linux.md#cpu: cpus \"list of CPUs the container will run in\"")
    m = parse_mountinfo(o.get("mnt"))
    cgm = [mp for mp, v in m.items() if mp.startswith("/sys/fs/cgroup") and v["fstype"] in ("cgroup", "cgroup2")]
    s.check(sec, "cgroup mount inside is read-only", cgm and all("ro" in m[mp]["opts"] for mp in cgm),
            "config.md#mounts: options (`ro` on the cgroup mount)", "ro on every cgroup mount",
            {mp: sorted(m[mp]["opts"]) for mp in cgm})


def t_apparmor_selinux(s):
    aa = os.path.exists("/sys/kernel/security/apparmor") and \
        open("/sys/module/apparmor/parameters/enabled").read().strip() == "Y" \
        if os.path.exists("/sys/module/apparmor/parameters/enabled") else False
    if not aa:
        s.skip("config.md#linux-process", "apparmorProfile", "AppArmor is not enabled on this host")
    else:
        s.skip("config.md#linux-process", "apparmorProfile", "no test profile loaded (not implemented)")
    if not os.path.exists("/sys/fs/selinux/enforce"):
        s.skip("config.md#linux-process", "selinuxLabel", "SELinux is not enabled on this host")
    else:
        s.skip("config.md#linux-process", "selinuxLabel", "no policy for a test label (not implemented)")


def start_helper():
    """A process with its own net, ipc and uts namespaces, for `path` joins."""
    p = subprocess.Popen(["unshare", "--net", "--ipc", "--uts", "sleep", "300"])
    for _ in range(100):
        try:
            if os.readlink(f"/proc/{p.pid}/ns/net") != os.readlink("/proc/self/ns/net"):
                break
        except OSError:
            pass
        import time
        time.sleep(0.02)
    return p

# SPDX-License-Identifier: Apache-2.0
"""runtime.md (state, lifecycle, operations, errors), hooks and features.md,
checked from outside the container through the runtime's CLI."""

import json
import os
import sys
import time

from lib import cgroup_dirs

HOOK_PY = r'''
import json, os, sys
name, log = sys.argv[1], sys.argv[2]
raw = sys.stdin.read()
rec = {"name": name, "raw": raw, "mntns": os.readlink("/proc/self/ns/mnt"), "env": os.environ.get("CONF_HOOK"),
       "argv": sys.argv[1:]}
try:
    st = json.loads(raw)
    pid = st.get("pid") or 0
    rec["state"] = st
    try:
        rec["comm"] = open(f"/proc/{pid}/comm").read().strip() if pid > 0 else None
        rec["pstate"] = [l for l in open(f"/proc/{pid}/status") if l.startswith("State:")][0].split()[1]
    except OSError:
        rec["comm"] = None
        rec["pstate"] = None
    if pid > 0:
        try:
            rec["pid_mntns"] = os.readlink(f"/proc/{pid}/ns/mnt")
        except OSError:
            pass
except ValueError:
    rec["state"] = None
with open(log, "a") as f:
    f.write(json.dumps(rec) + "\n")
sys.exit(int(os.environ.get("CONF_HOOK_EXIT", "0")))
'''


def wait_for(pred, timeout=5.0):
    end = time.time() + timeout
    while time.time() < end:
        v = pred()
        if v:
            return v
        time.sleep(0.05)
    return pred()


def read(path):
    try:
        with open(path) as f:
            return f.read()
    except OSError:
        return None


def t_lifecycle(s):
    sec = "runtime.md#state"
    out = os.path.join(s.work, "lc-out")
    os.makedirs(out)
    cfg = s.base_config(["checker", "touch:/out/marker", "waitsig:/out/sig"])
    cfg["mounts"].append({"destination": "/out", "type": "bind", "source": out, "options": ["bind"]})
    cfg["annotations"] = {"org.conformance.key": "value"}
    cgpath = s.cgroup_path("lc")
    cfg["linux"]["cgroupsPath"] = cgpath
    cfg["linux"]["resources"] = {"pids": {"limit": 100}}
    cid = s.new_id()
    b = s.bundle(cfg, name=cid)
    pidfile = os.path.join(s.work, "lc.pid")
    try:
        rc, o, err = s.rt("create", "--bundle", b, "--pid-file", pidfile, cid)
        if not s.check("runtime.md#create", "create succeeds", rc == 0,
                       "runtime.md#create: \"Using the data in config.json, this operation MUST create a new "
                       "container\"", "exit 0", f"rc={rc} {err.strip()[-400:]}"):
            return
        st = s.state(cid) or {}
        s.eq("runtime.md#create", "status is created after create", st.get("status"), "created",
             "runtime.md#create: \"Upon successful completion of this operation the status property of this "
             "container MUST be created\"")
        s.check(sec, "ociVersion is a string", isinstance(st.get("ociVersion"), str) and st.get("ociVersion"),
                "runtime.md#state: \"ociVersion (string, REQUIRED) is version of the Open Container Initiative "
                "Runtime Specification with which the state complies\"", "non-empty string", st.get("ociVersion"))
        s.eq(sec, "id is the container's id", st.get("id"), cid,
             "runtime.md#state: \"id (string, REQUIRED) is the container's ID\"")
        pid = st.get("pid")
        s.check(sec, "pid is the host pid of the container process", isinstance(pid, int) and pid > 0
                and os.path.exists(f"/proc/{pid}"),
                "runtime.md#state: \"pid (int, REQUIRED when status is created or running on Linux) is the ID of "
                "the container process, as seen by the host\"", "live pid", pid)
        s.eq(sec, "bundle is the absolute bundle path", st.get("bundle"), b,
             "runtime.md#state: \"bundle (string, REQUIRED) is the absolute path to the container's bundle "
             "directory\"")
        s.eq(sec, "annotations from config.json", st.get("annotations"), cfg["annotations"],
             "runtime.md#state: \"annotations (map, OPTIONAL) contains the list of annotations associated with "
             "the container\"")
        pf = (read(pidfile) or "").strip()
        s.eq("runc-cli#create", "--pid-file holds the container's pid", pf, str(pid),
             "runc create --pid-file (CLI convention shared by runc/crun; not in runtime-spec)")
        s.check("runtime.md#create", "user-specified program not run by create",
                not os.path.exists(os.path.join(out, "marker")),
                "runtime.md#create: \"the user-specified program MUST NOT be run at this time\"", "no marker",
                "marker written")
        s.check("runtime.md#create", "resources exist after create (cgroup of cgroupsPath)",
                cgroup_dirs(cgpath), "runtime.md#create: \"all of the resources associated with the container "
                "MUST be created\"", f"cgroup dir for {cgpath}", cgroup_dirs(cgpath))
        # duplicate id
        cfg2 = dict(cfg)
        b2 = s.bundle(cfg2, name=cid + "-dup")
        rc, o, err = s.rt("create", "--bundle", b2, cid)
        st2 = s.state(cid) or {}
        s.check("runtime.md#create", "create with an existing id fails and leaves it alone",
                rc != 0 and st2.get("pid") == pid and st2.get("bundle") == b and st2.get("status") == "created",
                "runtime.md#create: \"If the ID provided is not unique ... the implementation MUST generate an "
                "error and a new container MUST NOT be created\"", "error; same pid/bundle/status",
                f"rc={rc} state={st2}")
        # config changes after create must not matter
        cfg3 = json.loads(json.dumps(cfg))
        cfg3["process"]["args"] = ["checker", "exit:3"]
        s.write_config(b, cfg3)
        rc, o, err = s.rt("start", cid)
        s.check("runtime.md#start", "start succeeds", rc == 0,
                "runtime.md#start: \"This operation MUST run the user-specified program as specified by process\"",
                "exit 0", f"rc={rc} {err.strip()[-300:]}")
        st = s.state(cid) or {}
        s.check("runtime.md#start", "status is running after start", st.get("status") == "running",
                "runtime.md#start: \"Upon successful completion of this operation the status property of this "
                "container MUST be running\"", "running", st.get("status"))
        m = wait_for(lambda: os.path.exists(os.path.join(out, "marker")))
        s.check("runtime.md#start", "start runs the user-specified program", m,
                "runtime.md#start: \"This operation MUST run the user-specified program\"", "marker", "none")
        s.check("runtime.md#lifecycle", "config.json changes after create have no effect",
                m and (s.state(cid) or {}).get("status") == "running",
                "runtime.md#create: \"Any changes made to the config.json file after this operation will not "
                "have an effect on the container\"", "original args ran (marker, still running)",
                f"marker={bool(m)} state={s.state(cid)}")
        rc, o, err = s.rt("start", cid)
        st = s.state(cid) or {}
        s.check("runtime.md#start", "start of a started container fails, no effect",
                rc != 0 and st.get("status") == "running" and st.get("pid") == pid,
                "runtime.md#start: \"Attempting to start an already started container MUST have no effect on the "
                "container and MUST generate an error\"", "error; still running, same pid", f"rc={rc} state={st}")
        rc, o, err = s.rt("delete", cid)
        st = s.state(cid) or {}
        s.check("runtime.md#delete", "delete of a running container fails, no effect",
                rc != 0 and st.get("status") == "running" and os.path.exists(f"/proc/{pid}"),
                "runtime.md#delete: \"Attempting to delete a container whose process is still running MUST "
                "generate an error\"", "error; still running", f"rc={rc} state={st}")
        rc, o, err = s.rt("kill", cid, "USR1")
        s.check("runtime.md#kill", "kill succeeds", rc == 0,
                "runtime.md#kill: \"This operation MUST send the specified signal to the container process\"",
                "exit 0", f"rc={rc} {err.strip()[-300:]}")
        sig = wait_for(lambda: (read(os.path.join(out, "sig")) or "").strip())
        s.eq("runtime.md#kill", "the process got the given signal (SIGUSR1 = 10)", sig, "10",
             "runtime.md#kill: \"This operation MUST send the specified signal to the container process\"")
        st = s.wait_status(cid, "stopped") or {}
        s.eq("runtime.md#kill", "status is stopped once the process exits", st.get("status"), "stopped",
             "runtime.md#kill: \"When the process in the container is stopped ... the status property of this "
             "container MUST be stopped\"")
        rc, o, err = s.rt("kill", cid, "KILL")
        st = s.state(cid) or {}
        s.check("runtime.md#kill", "kill of a stopped container fails, no effect",
                rc != 0 and st.get("status") == "stopped",
                "runtime.md#kill: \"Attempting to send a signal to a container that is neither created nor "
                "running MUST have no effect on the container and MUST generate an error\"", "error; stopped",
                f"rc={rc} state={st}")
        rc, o, err = s.rt("start", cid)
        st = s.state(cid) or {}
        s.check("runtime.md#start", "start of a stopped container fails", rc != 0 and st.get("status") == "stopped",
                "runtime.md#start: \"Attempting to start an already started container MUST have no effect on the "
                "container and MUST generate an error\"", "error; stopped", f"rc={rc} state={st}")
        rc, o, err = s.rt("delete", cid)
        s.check("runtime.md#delete", "delete of a stopped container succeeds", rc == 0,
                "runtime.md#delete: \"Deleting a container MUST delete the resources that were created during the "
                "create step\"", "exit 0", f"rc={rc} {err.strip()[-300:]}")
        s.check("runtime.md#delete", "state after delete is an error", s.state(cid) is None,
                "runtime.md#query-state: \"Attempting to query a container that does not exist MUST generate an "
                "error\"", "error", s.state(cid))
        left = wait_for(lambda: not cgroup_dirs(cgpath), 2.0)
        s.check("runtime.md#delete", "delete removes the container's cgroup", left,
                "runtime.md#delete: \"Deleting a container MUST delete the resources that were created during the "
                "create step\"", "no cgroup dir", cgroup_dirs(cgpath))
        s.check("runtime.md#delete", "bind-mount source left alone", os.path.isdir(out),
                "runtime.md#delete: \"resources associated with the container, but not created by this container, "
                "MUST NOT be deleted\"", "dir kept", "removed")
        rc, o, err = s.rt("create", "--bundle", b, cid)
        s.check("runtime.md#delete", "id reusable after delete", rc == 0,
                "runtime.md#delete: \"Once a container is deleted its ID MAY be used by a subsequent container\"",
                "exit 0", f"rc={rc} {err.strip()[-300:]}")
    finally:
        s.cleanup_container(cid)

    # kill of a created container
    cfg = s.base_config(["checker", "touch:/out/never"])
    out2 = os.path.join(s.work, "lc-out2")
    os.makedirs(out2)
    cfg["mounts"].append({"destination": "/out", "type": "bind", "source": out2, "options": ["bind"]})
    cid = s.new_id()
    b = s.bundle(cfg, name=cid)
    try:
        rc, o, err = s.rt("create", "--bundle", b, cid)
        rc2, o, err = s.rt("kill", cid, "KILL")
        st = s.wait_status(cid, "stopped") or {}
        s.check("runtime.md#kill", "kill of a created container signals it (status stopped)",
                rc == 0 and rc2 == 0 and st.get("status") == "stopped" and not os.path.exists(
                    os.path.join(out2, "never")),
                "runtime.md#kill: \"Attempting to send a signal to a container that is neither created nor running "
                "MUST have no effect on the container and MUST generate an error\" (so a created one can be "
                "signalled); \"This operation MUST send the specified signal to the container process\"",
                "kill ok, stopped, user program never ran", f"create rc={rc} kill rc={rc2} state={st}")
    finally:
        s.cleanup_container(cid)

    # delete of a created container (without --force)
    cfg = s.base_config(["checker", "touch:/out/never"])
    out3 = os.path.join(s.work, "lc-out3")
    os.makedirs(out3)
    cfg["mounts"].append({"destination": "/out", "type": "bind", "source": out3, "options": ["bind"]})
    cid = s.new_id()
    b = s.bundle(cfg, name=cid)
    try:
        rc, o, err = s.rt("create", "--bundle", b, cid)
        pid = (s.state(cid) or {}).get("pid")
        rc2, o, err = s.rt("delete", cid)
        st = s.state(cid) or {}
        s.check("runtime.md#delete", "delete of a created container fails, no effect",
                rc == 0 and rc2 != 0 and st.get("status") == "created" and st.get("pid") == pid,
                "runtime.md#delete: \"Attempting to delete a container that is not stopped MUST have no effect "
                "on the container and MUST generate an error\"", "error; still created, same pid",
                f"create rc={rc} delete rc={rc2} state={st}")
    finally:
        s.cleanup_container(cid)

    # the process exits by itself
    cfg = s.base_config(["checker", "exit:0"])
    cid = s.new_id()
    b = s.bundle(cfg, name=cid)
    try:
        rc, o, err = s.rt("create", "--bundle", b, cid)
        rc2, o, err = s.rt("start", cid)
        st = s.wait_status(cid, "stopped") or {}
        s.check("runtime.md#kill", "status is stopped after the process exits by itself",
                rc == 0 and rc2 == 0 and st.get("status") == "stopped",
                "runtime.md#kill: \"When the process in the container is stopped, irrespective of it being as a "
                "result of a kill operation or any other reason, the status property of this container MUST be "
                "stopped\"", "stopped", f"create rc={rc} start rc={rc2} state={st}")
    finally:
        s.cleanup_container(cid)

    # a missing executable
    cfg = s.base_config(["/no/such/program"])
    rc, o, err, cid, b = s.run_container(cfg)
    s.check("runtime.md#errors", "a missing executable is an error", rc != 0,
            "config.md#process: args \"The executable is the first element and MUST be available at the given path "
            "inside of the rootfs\"; runtime.md#start: \"This operation MUST run the user-specified program\"",
            "non-zero exit", f"rc={rc}")

    # operations on an unknown id
    ghost = f"conf-{s.tag}-does-not-exist"
    for op, args, cite in (
            ("state", ["state", ghost], "runtime.md#query-state: \"Attempting to query a container that does not "
             "exist MUST generate an error\""),
            ("start", ["start", ghost], "runtime.md#start: \"Attempting to start a container that does not exist "
             "MUST generate an error\""),
            ("kill", ["kill", ghost, "TERM"], "runtime.md#kill: \"Attempting to send a signal to a container that "
             "does not exist MUST generate an error\""),
            ("delete", ["delete", ghost], "runtime.md#delete: \"Attempting to delete a container that does not "
             "exist MUST generate an error\"")):
        rc, o, err = s.rt(*args)
        s.check(f"runtime.md#{'query-state' if op == 'state' else op}", f"{op} of an unknown id fails", rc != 0,
                cite, "non-zero exit", f"rc={rc}")

    # a failed create leaves nothing behind
    sec = "runtime.md#errors"
    cfg = s.base_config(["checker", "info"])
    cfg["mounts"].append({"destination": "/nope", "type": "bind", "source": os.path.join(s.work, "no-such-dir"),
                          "options": ["bind"]})
    cgpath = s.cgroup_path("err")
    cfg["linux"]["cgroupsPath"] = cgpath
    cfg["linux"]["resources"] = {"pids": {"limit": 100}}
    cid = s.new_id()
    b = s.bundle(cfg, name=cid)
    try:
        rc, o, err = s.rt("create", "--bundle", b, cid)
        s.check(sec, "create with a missing bind source fails", rc != 0,
                "runtime.md#lifecycle: \"If the runtime is unable to create the environment specified in the "
                "config.json, it MUST generate an error\"", "non-zero exit", f"rc={rc}")
        s.check(sec, "failed create leaves no container", s.state(cid) is None,
                "runtime.md#errors: \"generating an error MUST leave the state of the environment as if the "
                "operation were never attempted\"", "state fails", s.state(cid))
        left = wait_for(lambda: not cgroup_dirs(cgpath), 2.0)
        s.check(sec, "failed create leaves no cgroup", left,
                "runtime.md#errors: \"...as if the operation were never attempted\"", "no cgroup dir",
                cgroup_dirs(cgpath))
        cfg["mounts"].pop()
        s.write_config(b, cfg)
        rc, o, err = s.rt("create", "--bundle", b, cid)
        s.check(sec, "the id is free after a failed create", rc == 0,
                "runtime.md#errors: \"...as if the operation were never attempted\"", "exit 0",
                f"rc={rc} {err.strip()[-300:]}")
    finally:
        s.cleanup_container(cid)

    # delete --force of a running container (runc CLI)
    cfg = s.base_config(["checker", "sleep:60"])
    cid = s.new_id()
    b = s.bundle(cfg, name=cid)
    try:
        rc, o, err = s.rt("run", "--detach", "--bundle", b, cid)
        st = s.state(cid) or {}
        pid = st.get("pid")
        rc, o, err = s.rt("delete", "--force", cid)
        gone = wait_for(lambda: not pid or not os.path.exists(f"/proc/{pid}") or
                        "State:\tZ" in (read(f"/proc/{pid}/status") or ""), 3)
        s.check("runc-cli#delete", "delete --force of a running container kills and removes it",
                rc == 0 and s.state(cid) is None and gone,
                "runc delete --force (CLI convention; runtime.md#delete leaves forced delete to the CLI)",
                "exit 0, state gone, process gone", f"rc={rc} state={s.state(cid)} pid={pid} gone={gone}")
    finally:
        s.cleanup_container(cid)


def hook_entry(s, name, log, extra_env=None):
    env = ["CONF_HOOK=1"] + (extra_env or [])
    return {"path": sys.executable, "args": ["python3", os.path.join(s.work, "hook.py"), name, log], "env": env,
            "timeout": 20}


def read_log(log):
    recs = []
    for line in (read(log) or "").splitlines():
        try:
            recs.append(json.loads(line))
        except ValueError:
            pass
    return recs


def t_hooks(s):
    sec = "config.md#posix-platform-hooks"
    with open(os.path.join(s.work, "hook.py"), "w") as f:
        f.write(HOOK_PY)
    hd = os.path.join(s.work, "hooks-out")
    os.makedirs(hd)
    log = os.path.join(hd, "log")
    cfg = s.base_config(["sh", "-c", "echo process >> /hooks/order; exec sleep 60"])
    cfg["mounts"].append({"destination": "/hooks", "type": "bind", "source": hd, "options": ["bind"]})
    cfg["hooks"] = {
        n: [hook_entry(s, n, log)] for n in ("prestart", "createRuntime", "createContainer", "poststart", "poststop")
    }
    # startContainer runs in the container: its path resolves in the container's root
    cfg["hooks"]["startContainer"] = [{"path": "/bin/sh", "args": [
        "sh", "-c", "cat > /hooks/startContainer.state; echo startContainer >> /hooks/order"]}]
    cid = s.new_id()
    b = s.bundle(cfg, name=cid)
    host_mnt = os.readlink("/proc/self/ns/mnt")
    try:
        rc, o, err = s.rt("create", "--bundle", b, cid)
        if not s.check(sec, "create with hooks succeeds", rc == 0, "config.md#posix-platform-hooks",
                       "exit 0", f"rc={rc} {err.strip()[-400:]}"):
            return
        recs = read_log(log)
        names = [r["name"] for r in recs]
        s.eq("runtime.md#lifecycle", "create runs prestart, createRuntime, createContainer in order", names,
             ["prestart", "createRuntime", "createContainer"],
             "runtime.md#lifecycle: steps 3-5: \"The prestart hooks MUST be invoked\", then createRuntime, then "
             "createContainer")
        st = s.state(cid) or {}
        pid = st.get("pid")
        try:
            ctr_mnt = os.readlink(f"/proc/{pid}/ns/mnt")
        except (OSError, TypeError):
            ctr_mnt = None
        for r in recs:
            if r["name"] not in ("prestart", "createRuntime", "createContainer"):
                continue
            hs = r.get("state") or {}
            s.check(sec, f"{r['name']}: state on stdin (ociVersion, id, bundle)",
                    hs.get("id") == cid and hs.get("bundle") == b and hs.get("ociVersion"),
                    "config.md#posix-platform-hooks: \"The state of the container MUST be passed to hooks over "
                    "stdin\"", f"id={cid} bundle={b}", r.get("raw"))
            s.check(sec, f"{r['name']}: state pid is the host pid", hs.get("pid") == pid,
                    "runtime.md#state: pid \"is the ID of the container process, as seen by the host\"",
                    pid, hs.get("pid"))
            s.check(sec, f"{r['name']}: state status is creating or created",
                    hs.get("status") in ("creating", "created"),
                    "runtime.md#lifecycle: these hooks run as part of create (steps 3-5); runtime.md#state: "
                    "`creating` \"the container is being created\", `created` \"the runtime has finished the "
                    "create operation\" (the spec leaves open which one hooks see)", "creating or created",
                    hs.get("status"))
            s.check(sec, f"{r['name']}: hook env and args passed",
                    r.get("env") == "1" and r.get("argv") == [r["name"], log],
                    "config.md#posix-platform-hooks: args \"with the same semantics as IEEE Std 1003.1-2008 execv's "
                    "argv\"; env \"with the same semantics as IEEE Std 1003.1-2008's environ\"",
                    "CONF_HOOK=1, args", f"env={r.get('env')} argv={r.get('argv')}")
        byname = {r["name"]: r for r in recs}
        for n in ("prestart", "createRuntime"):
            if n in byname:
                s.eq(sec, f"{n} runs in the runtime namespace", byname[n]["mntns"], host_mnt,
                     f"config.md#{n.lower()}-hooks: \"called in the runtime namespace\"")
        if "createContainer" in byname:
            r = byname["createContainer"]
            s.check(sec, "createContainer runs in the container namespace",
                    r["mntns"] != host_mnt and r["mntns"] == ctr_mnt,
                    "config.md#createcontainer-hooks: \"called ... in the container namespace\"",
                    f"container mnt ns {ctr_mnt}", r["mntns"])
        s.check(sec, "startContainer not run by create", not os.path.exists(os.path.join(hd, "order")),
                "runtime.md#lifecycle: startContainer hooks run as part of start (step 7)", "no order file",
                read(os.path.join(hd, "order")))
        rc, o, err = s.rt("start", cid)
        s.check(sec, "start with hooks succeeds", rc == 0, "runtime.md#start", "exit 0",
                f"rc={rc} {err.strip()[-300:]}")
        recs = read_log(log)
        names = [r["name"] for r in recs]
        s.check("runtime.md#lifecycle", "poststart has run when start returns", "poststart" in names,
                "config.md#poststart: \"The poststart hooks MUST be called after the user-specified process is "
                "executed but before the start operation returns\"", "poststart logged", names)
        order = wait_for(lambda: (read(os.path.join(hd, "order")) or "").split(), 3)
        s.eq("runtime.md#lifecycle", "startContainer runs before the user-specified program", order,
             ["startContainer", "process"],
             "config.md#startcontainer-hooks: \"MUST be called before the user-specified process is executed\"")
        sc = {}
        try:
            sc = json.loads(read(os.path.join(hd, "startContainer.state")) or "")
        except ValueError:
            pass
        s.check(sec, "startContainer: state on stdin (id, bundle)", sc.get("id") == cid and sc.get("bundle") == b,
                "config.md#posix-platform-hooks: \"The state of the container MUST be passed to hooks over stdin\"",
                f"id={cid}", sc)
        s.check(sec, "startContainer: state pid is the host pid", sc.get("pid") == pid,
                "runtime.md#state: pid \"is the ID of the container process, as seen by the host\"", pid,
                sc.get("pid"))
        if "poststart" in [r["name"] for r in recs]:
            r = [r for r in recs if r["name"] == "poststart"][0]
            s.check(sec, "poststart runs after the user-specified process started",
                    r.get("comm") in ("sh", "sleep"),
                    "config.md#poststart: \"called after the user-specified process is executed\"",
                    "comm of pid is sh/sleep (the user's program)", r.get("comm"))
            hs = r.get("state") or {}
            s.check(sec, "poststart: state on stdin (id, pid)", hs.get("id") == cid and hs.get("pid") == pid,
                    "config.md#posix-platform-hooks: state on stdin", f"id={cid} pid={pid}", r.get("raw"))
        s.rt("kill", cid, "KILL")
        s.wait_status(cid, "stopped")
        rc, o, err = s.rt("delete", cid)
        recs = read_log(log)
        names = [r["name"] for r in recs]
        s.eq("runtime.md#lifecycle", "full hook order", names,
             ["prestart", "createRuntime", "createContainer", "poststart", "poststop"],
             "runtime.md#lifecycle: prestart, createRuntime, createContainer (create), startContainer, "
             "poststart (start), poststop (delete)")
        ps = [r for r in recs if r["name"] == "poststop"]
        s.check(sec, "poststop has run when delete returns", rc == 0 and ps,
                "config.md#poststop: \"The poststop hooks MUST be called after the container is deleted but "
                "before the delete operation returns\"", "poststop logged", f"rc={rc} {names}")
        if ps:
            hs = ps[0].get("state") or {}
            s.check(sec, "poststop: state on stdin (id, bundle)", hs.get("id") == cid and hs.get("bundle") == b,
                    "config.md#posix-platform-hooks: state on stdin", f"id={cid}", ps[0].get("raw"))
            s.check(sec, "poststop: state status is stopped", hs.get("status") == "stopped",
                    "runtime.md#state: `stopped` \"the container process has exited\"; poststop runs after delete",
                    "stopped", hs.get("status"))
            s.check(sec, "poststop runs after the container process is gone",
                    ps[0].get("pstate") in (None, "Z", "X") or not hs.get("pid"),
                    "config.md#poststop: \"called after the container is deleted\"", "no live process",
                    ps[0].get("pstate"))
    finally:
        s.cleanup_container(cid)

    # a failing createRuntime hook
    log2 = os.path.join(hd, "log2")
    cfg = s.base_config(["checker", "touch:/hooks/ran"])
    cfg["mounts"].append({"destination": "/hooks", "type": "bind", "source": hd, "options": ["bind"]})
    cfg["hooks"] = {"createRuntime": [hook_entry(s, "createRuntime", log2, ["CONF_HOOK_EXIT=1"])],
                    "poststop": [hook_entry(s, "poststop", log2)]}
    cid = s.new_id()
    b = s.bundle(cfg, name=cid)
    try:
        rc, o, err = s.rt("create", "--bundle", b, cid)
        s.check("runtime.md#lifecycle", "failing createRuntime hook: create fails", rc != 0,
                "runtime.md#lifecycle: \"If any createRuntime hook fails, the runtime MUST generate an error, stop "
                "the container, and continue the lifecycle at step 12\"", "non-zero exit", f"rc={rc}")
        s.check("runtime.md#lifecycle", "failing createRuntime hook: container destroyed", s.state(cid) is None,
                "runtime.md#lifecycle: step 12 \"The container MUST be destroyed by undoing the steps performed "
                "during create phase\"", "no container", s.state(cid))
        names = [r["name"] for r in read_log(log2)]
        s.check("runtime.md#lifecycle", "failing createRuntime hook: poststop hooks run", "poststop" in names,
                "runtime.md#lifecycle: step 13 \"The poststop hooks MUST be invoked by the runtime\" after step 12",
                "poststop logged", names)
    finally:
        s.cleanup_container(cid)

    # several hooks of one kind run in the listed order
    log4 = os.path.join(hd, "log4")
    cfg = s.base_config(["checker", "info"])
    cfg["hooks"] = {"createRuntime": [hook_entry(s, n, log4) for n in ("cr-1", "cr-2", "cr-3")],
                    "poststop": [hook_entry(s, n, log4) for n in ("ps-1", "ps-2")]}
    rc, o, err, cid, b = s.run_container(cfg)
    names = [r["name"] for r in read_log(log4)]
    s.eq(sec, "hooks of one kind run in the listed order", names, ["cr-1", "cr-2", "cr-3", "ps-1", "ps-2"],
         "config.md#posix-platform-hooks: \"Hooks MUST be called in the listed order\"")

    # a hook that outlives its timeout
    cfg = s.base_config(["checker", "info"])
    cfg["hooks"] = {"createRuntime": [{"path": "/bin/sleep", "args": ["sleep", "20"], "timeout": 1}]}
    cid = s.new_id()
    b = s.bundle(cfg, name=cid)
    try:
        t0 = time.time()
        rc, o, err = s.rt("create", "--bundle", b, cid)
        took = time.time() - t0
        s.check(sec, "hook timeout aborts the hook and fails create", rc != 0 and took < 10,
                "config.md#posix-platform-hooks: timeout \"is the number of seconds before aborting the hook\"; "
                "runtime.md#lifecycle: a failing createRuntime hook MUST generate an error",
                "error within a few seconds", f"rc={rc} after {took:.1f}s")
    finally:
        s.cleanup_container(cid)

    # a failing poststart hook: an error since runtime-spec v1.3.0 (it was a
    # warning in 1.0.2-1.2; runtime-spec PR #1262)
    log3 = os.path.join(hd, "log3")
    cfg = s.base_config(["checker", "sleep:60"])
    cfg["hooks"] = {"poststart": [hook_entry(s, "poststart", log3, ["CONF_HOOK_EXIT=1"])],
                    "poststop": [hook_entry(s, "poststop", log3)]}
    cid = s.new_id()
    b = s.bundle(cfg, name=cid)
    try:
        rc, o, err = s.rt("create", "--bundle", b, cid)
        rc2, o, err = s.rt("start", cid)
        st = s.wait_status(cid, "stopped", 3) or {}
        s.check("runtime.md#lifecycle", "failing poststart hook: start fails and the container is stopped",
                rc == 0 and rc2 != 0 and st.get("status") in (None, "stopped"),
                "runtime.md#lifecycle (v1.3.0) step 9: \"If any poststart hook fails, the runtime MUST generate an "
                "error, stop the container, and continue the lifecycle at step 12\"", "create ok, start error, stopped",
                f"create rc={rc} start rc={rc2} status={st.get('status')}")
    finally:
        s.cleanup_container(cid)


def t_features(s):
    sec = "features.md"
    rc, out, err = s.rt("features")
    if rc != 0:
        s.skip(sec, "features document", f"`features` not supported (rc={rc}); the operation is optional")
        return None
    try:
        f = json.loads(out)
    except ValueError:
        s.check(sec, "features output is JSON", False, "features.md: \"The features document is a JSON "
                "document\"", "JSON", out[:200])
        return None
    s.check(sec, "ociVersionMin and ociVersionMax present",
            isinstance(f.get("ociVersionMin"), str) and isinstance(f.get("ociVersionMax"), str),
            "features.md: \"ociVersionMin (string, REQUIRED)\", \"ociVersionMax (string, REQUIRED)\"",
            "two strings", {k: f.get(k) for k in ("ociVersionMin", "ociVersionMax")})
    known = {"prestart", "createRuntime", "createContainer", "startContainer", "poststart", "poststop"}
    hooks = f.get("hooks")
    s.check(sec, "hooks lists known hook names", hooks is None or set(hooks) <= known,
            "features.md: hooks \"the list of the recognized hook names\"", sorted(known), hooks)
    ns = (f.get("linux") or {}).get("namespaces")
    base = {"pid", "network", "mount", "ipc", "uts", "user", "cgroup"}
    s.check(sec, "linux.namespaces lists the namespaces the suite uses", ns is None or base <= set(ns),
            "features-linux.md: namespaces \"the list of the recognized namespaces\"", sorted(base), ns)
    lin = f.get("linux") or {}
    caps = lin.get("capabilities")
    used = {"CAP_CHOWN", "CAP_KILL", "CAP_NET_BIND_SERVICE", "CAP_SETUID", "CAP_SETGID", "CAP_NET_RAW",
            "CAP_AUDIT_WRITE"}
    s.check(sec, "linux.capabilities lists the capabilities the suite uses", caps is None or used <= set(caps),
            "features-linux.md: capabilities \"the list of the recognized capabilities\"", sorted(used),
            caps and sorted(used - set(caps)))
    opts = f.get("mountOptions")
    used = {"bind", "rbind", "ro", "nosuid", "nodev", "noexec", "noatime", "rro"}
    s.check(sec, "mountOptions lists the options the suite uses", opts is None or used <= set(opts),
            "features.md: mountOptions \"the list of the recognized mount options\"", sorted(used),
            opts and sorted(used - set(opts)))
    sc = lin.get("seccomp") or {}
    if sc.get("enabled"):
        acts = sc.get("actions")
        s.check(sec, "seccomp.actions lists SCMP_ACT_ALLOW and SCMP_ACT_ERRNO",
                acts is None or {"SCMP_ACT_ALLOW", "SCMP_ACT_ERRNO"} <= set(acts),
                "features-linux.md: seccomp actions \"the list of the recognized actions\"",
                ["SCMP_ACT_ALLOW", "SCMP_ACT_ERRNO"], acts)
    return f


def recv_fd(conn):
    import array
    import socket
    fds = array.array("i")
    msg, anc, flags, addr = conn.recvmsg(4096, socket.CMSG_LEN(4 * fds.itemsize))
    for level, typ, data in anc:
        if level == socket.SOL_SOCKET and typ == socket.SCM_RIGHTS:
            fds.frombytes(data[:len(data) - (len(data) % fds.itemsize)])
    return fds[0] if fds else None


def t_terminal(s):
    import select
    import socket
    from lib import parse_output
    sec = "config.md#process-terminal"
    path = os.path.join(s.work, "console.sock")
    srv = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    srv.bind(path)
    srv.listen(1)
    srv.settimeout(10)
    cfg = s.base_config(["checker", "info", "stat:/dev/console", "mountinfo"])
    cfg["process"]["terminal"] = True
    cfg["process"]["consoleSize"] = {"height": 30, "width": 100}
    cid = s.new_id()
    b = s.bundle(cfg, name=cid)
    master = None
    try:
        rc, o, err = s.rt("create", "--bundle", b, "--console-socket", path, cid)
        if not s.check(sec, "create with a terminal and --console-socket", rc == 0,
                       "config.md#process: terminal \"specifies whether a terminal is attached to the process\"",
                       "exit 0", f"rc={rc} {err.strip()[-300:]}"):
            return
        conn, _ = srv.accept()
        master = recv_fd(conn)
        conn.close()
        if not s.check(sec, "the pty master arrives on the console socket", master is not None,
                       "config.md#process: terminal (runc CLI --console-socket: the master is sent with SCM_RIGHTS)",
                       "an fd", None):
            return
        rc, o, err = s.rt("start", cid)
        buf = b""
        end = time.time() + 10
        while time.time() < end and b"done=1" not in buf:
            r, _, _ = select.select([master], [], [], 0.5)
            if r:
                try:
                    chunk = os.read(master, 65536)
                except OSError:
                    break
                if not chunk:
                    break
                buf += chunk
        out = parse_output(buf.decode(errors="replace").replace("\r", ""))
        s.check(sec, "stdin, stdout and stderr are the terminal",
                [out.get(f"isatty.{i}") for i in range(3)] == ["1", "1", "1"],
                "config.md#process: terminal \"a pseudoterminal pair is allocated for the process and the "
                "pseudoterminal slave is duplicated on the process's standard streams\"", "1 1 1",
                [out.get(f"isatty.{i}") for i in range(3)])
        s.eq(sec, "consoleSize 30x100", out.get("winsize"), "30 100",
             "config.md#process: consoleSize \"specifies the console size in characters of the terminal\"")
        con = out.get("stat:/dev/console", "")
        s.check("config-linux.md#default-devices", "/dev/console is the pty (char 136:N)", con.startswith("c 136 "),
                "config-linux.md#default-devices: \"/dev/console is set up if terminal is enabled in the config by "
                "bind mounting the pseudoterminal pty to /dev/console\"", "c 136 N", con)
    finally:
        if master is not None:
            os.close(master)
        srv.close()
        s.cleanup_container(cid)

#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""OCI runtime-spec conformance suite: RUNTIME=/path/to/runtime run.py [SECTION...]

Prints TAP.  SECTION filters test groups by name (see GROUPS).  Exit status
is 1 if any check failed.  Environment: RUNTIME (required), KEEP=1 keeps the
work directory, RESULTS=FILE writes a JSON list of (section, check, status,
detail)."""

import json
import os
import shutil
import signal
import sys
import tempfile
import time

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import tests_config as tc  # noqa: E402
import tests_runtime as tr  # noqa: E402
from lib import Suite  # noqa: E402


def main():
    runtime = os.environ.get("RUNTIME")
    if not runtime:
        print("run.py: set RUNTIME to the runtime binary", file=sys.stderr)
        return 2
    if os.sep in runtime:
        runtime = os.path.abspath(runtime)
    else:
        runtime = shutil.which(runtime) or runtime
    if not os.access(runtime, os.X_OK):
        print(f"run.py: `{runtime}` is not executable", file=sys.stderr)
        return 2
    if os.geteuid() != 0:
        print("1..0 # SKIP the suite needs root")
        return 0
    with open("/proc/self/oom_score_adj", "w") as f:
        f.write(tc.HOST_OOM)
    only = sys.argv[1:]
    work = tempfile.mkdtemp(prefix="oci-conformance-")
    tag = f"{os.getpid()}"
    s = None
    helper = None
    t0 = time.time()
    interrupted = False

    def on_signal(signum, frame):
        raise KeyboardInterrupt(f"signal {signum}")

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGHUP, on_signal)
    try:
        s = Suite(runtime, work, tag)
        print(f"# runtime: {runtime}")
        print(f"# work: {work}")
        helper = tc.start_helper()
        features = None
        groups = [
            ("features", lambda: None),
            ("process", lambda: tc.t_process(s)),
            ("mounts", lambda: tc.t_mounts(s)),
            ("root", lambda: tc.t_root_readonly(s)),
            ("user", lambda: tc.t_user(s)),
            ("caps", lambda: (tc.t_caps(s), tc.t_caps_invalid(s))),
            ("rlimits", lambda: tc.t_rlimits(s)),
            ("oom", lambda: tc.t_oom(s)),
            ("namespaces", lambda: tc.t_namespaces(s, helper.pid)),
            ("timens", lambda: tc.t_time_ns(s, features)),
            ("userns", lambda: (tc.t_userns(s), tc.t_userns_devices(s), tc.t_userns_idmap_mount(s))),
            ("devices", lambda: tc.t_devices(s)),
            ("sysctl", lambda: tc.t_sysctl(s)),
            ("seccomp", lambda: tc.t_seccomp(s)),
            ("propagation", lambda: tc.t_propagation(s)),
            ("cgroups", lambda: tc.t_cgroups(s)),
            ("newer", lambda: tc.t_newer_process(s, features)),
            ("lsm", lambda: tc.t_apparmor_selinux(s)),
            ("lifecycle", lambda: tr.t_lifecycle(s)),
            ("hooks", lambda: tr.t_hooks(s)),
            ("terminal", lambda: tr.t_terminal(s)),
        ]
        for name, fn in groups:
            if name == "features":
                features = tr.t_features(s)
                continue
            if only and name not in only:
                continue
            try:
                fn()
            except KeyboardInterrupt:
                raise
            except Exception as e:  # a crash in a group is one failure, not the end of the run
                import traceback
                s.check(name, "group ran without a suite error", False, "", "no exception",
                        "".join(traceback.format_exception(e))[-1500:])
    except KeyboardInterrupt as e:
        interrupted = True
        print(f"# interrupted: {e}")
    finally:
        if helper:
            helper.kill()
            helper.wait()
        if s:
            s.final_cleanup()
        if os.environ.get("KEEP") != "1":
            shutil.rmtree(work, ignore_errors=True)
    print(f"1..{s.n if s else 0}")
    if not s:
        return 1
    per = {}
    for sec, chk, st, det in s.results:
        per.setdefault(sec, {"pass": 0, "fail": 0, "skip": 0, "xfail": 0})[st] += 1
    print("# summary by section (pass/fail/skip):")
    for sec in sorted(per):
        c = per[sec]
        print(f"#   {sec}: {c['pass']}/{c['fail'] + c['xfail']}/{c['skip']}")
    tot = {k: sum(c[k] for c in per.values()) for k in ("pass", "fail", "skip", "xfail")}
    for sec, chk, st, det in s.results:
        if st in ("fail", "xfail"):
            print(f"# FAILED: {sec}: {chk}" + (" (known, XFAIL_FILE)" if st == "xfail" else ""))
    xf = f", {tot['xfail']} known failures" if tot["xfail"] else ""
    print(f"# {tot['pass']} passed, {tot['fail']} failed{xf}, {tot['skip']} skipped "
          f"({time.time() - t0:.1f}s, {os.path.basename(runtime)})")
    if os.environ.get("RESULTS"):
        with open(os.environ["RESULTS"], "w") as f:
            json.dump({"runtime": runtime, "results": s.results}, f, indent=1)
    return 1 if tot["fail"] or interrupted else 0


if __name__ == "__main__":
    sys.exit(main())

#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Start-up latency of OCI runtimes (run by bench.sh inside a private mount
namespace; see there).

  bench.py N BUNDLE STATE_DIR NAME=CMD... [--strace]

Each CMD is a shell-free command line template; {id} becomes a fresh
container id.  The runtimes run one after another, N rounds, the starting
runtime rotating each round so that none always runs after the same one.  For
each: the median wall time of a run (fork to reap), the median of the paired
ratios to every other runtime, the peak RSS (ru_maxrss of the reaped
process tree) and, with --strace, the syscall count of one run (strace -f -c).
"""
import os
import shlex
import statistics
import subprocess
import sys
import tempfile
import time


def run_once(argv):
    """-> (seconds, maxrss KiB); raises on failure"""
    t0 = time.perf_counter()
    pid = os.posix_spawn(argv[0], argv, os.environ, file_actions=[
        (os.POSIX_SPAWN_OPEN, 0, "/dev/null", os.O_RDONLY, 0),
        (os.POSIX_SPAWN_OPEN, 1, "/dev/null", os.O_WRONLY, 0)])
    _, status, ru = os.wait4(pid, 0)
    dt = time.perf_counter() - t0
    if os.waitstatus_to_exitcode(status) != 0:
        raise RuntimeError("%s: exit %d" % (" ".join(argv), os.waitstatus_to_exitcode(status)))
    return dt, ru.ru_maxrss


def peak_rss(argv, runs=5):
    """median peak RSS (KiB) of the process tree under /usr/bin/time: a
    child of this python would count python's own pages (fork/vfork before
    exec keeps the old hiwater mark)"""
    v = []
    with tempfile.NamedTemporaryFile("r", suffix=".time") as f:
        for _ in range(runs):
            subprocess.run(["/usr/bin/time", "-f", "%M", "-o", f.name] + argv, check=True,
                           stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL)
            f.seek(0)
            v.append(int(f.read().split()[-1]))
    return statistics.median(v)


def strace_count(argv):
    with tempfile.NamedTemporaryFile("r", suffix=".strace") as f:
        subprocess.run(["strace", "-f", "-c", "-o", f.name] + argv, check=True,
                       stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL)
        for line in f.read().splitlines():
            p = line.split()
            if p and p[-1] == "total":
                return int(p[3])
    return None


def main():
    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    do_strace = "--strace" in sys.argv
    n, bundle, state = int(args[0]), args[1], args[2]
    rts = []
    for spec in args[3:]:
        name, cmd = spec.split("=", 1)
        rts.append((name, cmd))
    os.chdir(bundle)
    times = {name: [] for name, _ in rts}
    rss = {name: [] for name, _ in rts}
    seq = 0

    def argv_of(cmd):
        nonlocal seq
        seq += 1
        a = shlex.split(cmd.replace("{id}", "bench-%d-%d" % (os.getpid(), seq)))
        if not a[0].startswith("/"):
            a[0] = subprocess.run(["sh", "-c", "command -v " + shlex.quote(a[0])],
                                  capture_output=True, text=True).stdout.strip() or a[0]
        return a

    # one warm-up run each (page cache, binaries)
    for name, cmd in rts:
        run_once(argv_of(cmd))
    for r in range(n):
        k = r % len(rts)
        for name, cmd in rts[k:] + rts[:k]:
            dt, _ = run_once(argv_of(cmd))
            times[name].append(dt)
    for name, cmd in rts:
        if os.access("/usr/bin/time", os.X_OK):
            rss[name].append(peak_rss(argv_of(cmd)))
    sc = {}
    if do_strace:
        for name, cmd in rts:
            try:
                sc[name] = strace_count(argv_of(cmd))
            except Exception as e:  # strace missing or failing: no count
                sys.stderr.write("strace %s: %s\n" % (name, e))

    print("%d runs of /bin/true each, alternating; medians" % n)
    print("%-8s %10s %10s %10s %10s" % ("runtime", "wall ms", "min ms", "RSS MiB", "syscalls"))
    for name, _ in rts:
        print("%-8s %10.2f %10.2f %10.1f %10s" % (
            name, statistics.median(times[name]) * 1e3, min(times[name]) * 1e3,
            statistics.median(rss[name]) / 1024 if rss[name] else float("nan"),
            sc.get(name, "-")))
    base = rts[0][0]
    for name, _ in rts[1:]:
        paired = [a / b for a, b in zip(times[base], times[name])]
        print("%s/%s: %.2f (median of paired ratios; ratio of medians %.2f)" % (
            base, name, statistics.median(paired),
            statistics.median(times[base]) / statistics.median(times[name])))
    return 0


if __name__ == "__main__":
    sys.exit(main())

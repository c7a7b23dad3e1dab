#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Turn the qemu lane's serial log into one TAP stream.

  parse.py SERIAL_LOG [--timed-out] [--no-boot] [--verbose]

The VM's /init (tests/qemu/init.sh) prints, between "=== HUSK-QEMU BEGIN ==="
and "=== HUSK-QEMU END ===", sections framed by "=== HUSK-QEMU TEST <name> ==="
and "=== HUSK-QEMU RC <name> <status> ===" holding each program's TAP.  This
prints them renumbered as "ok N - qemu-v2: <name>: <description>", adds a
"not ok" line for a program that exited non-zero without reporting a failure,
died, skipped the rest of its plan or never finished, then "1..N" and a
summary comment.  Diagnostics ("# ...") of failed tests follow their line.
Exit status: 0 when everything passed, 1 otherwise.
"""
import re
import sys

TAP = re.compile(r"^(not ok|ok)\b\s*(\d+)?\s*(?:-\s*)?(.*)$")
PLAN = re.compile(r"^1\.\.(\d+)\s*(?:#\s*(.*))?$")


class Out:
    def __init__(self):
        self.n = 0
        self.failed = 0
        self.skipped = 0
        self.times = []

    def line(self, good, desc, diag=()):
        self.n += 1
        if not good:
            self.failed += 1
        elif re.search(r"#\s*skip", desc, re.I):
            self.skipped += 1
        print(f"{'ok' if good else 'not ok'} {self.n} - qemu-v2: {desc}")
        for d in diag:
            print(f"#   {d}")


def section(out, name, lines, rc, verbose):
    """Print one program's results; rc is None when its section never ended."""
    plan = None
    plan_reason = ""
    seen = 0
    bad = 0
    other = []  # non-TAP output, for programs that fail without saying why
    pending = []  # output since the last test line (some tests explain a failure first)
    i = 0
    while i < len(lines):
        ln = lines[i]
        i += 1
        m = TAP.match(ln)
        if m:
            seen += 1
            good = m.group(1) == "ok"
            todo = re.search(r"#\s*todo", m.group(3), re.I)
            diag = [] if good else [p for p in pending if p.strip()][-10:]
            pending = []
            while i < len(lines) and lines[i].startswith("#"):
                if not good or verbose:
                    diag.append(lines[i])
                i += 1
            if not good and not todo:
                bad += 1
            out.line(good or bool(todo), f"{name}: {m.group(3)}", diag)
            continue
        m = re.match(r"^# (\S+): (\d+) s$", ln)
        if m and m.group(1) == name:
            out.times.append(f"{name} {m.group(2)} s")
            continue
        m = PLAN.match(ln)
        if m:
            plan = int(m.group(1))
            plan_reason = m.group(2) or ""
            continue
        if verbose and ln.strip():
            print(f"#   {name}: {ln}")
        other.append(ln)
        pending.append(ln)
    tail = [ln for ln in other if ln.strip()][-15:]
    if rc is None:
        out.line(False, f"{name}: did not finish (the VM died or timed out)", tail)
    elif rc == 77 or (plan == 0 and seen == 0):
        out.line(True, f"{name} # SKIP {plan_reason or 'exit status 77'}")
    elif rc != 0 and bad == 0:
        why = {137: "killed (SIGKILL: the per-test timeout or the OOM killer)",
               139: "crashed (SIGSEGV)", 134: "aborted (SIGABRT)"}.get(rc, f"exit status {rc}")
        out.line(False, f"{name}: {why}", tail)
    elif plan is not None and plan != seen:
        out.line(False, f"{name}: planned {plan} tests but ran {seen}", tail)
    elif plan is None and seen > 0:
        out.line(False, f"{name}: no TAP plan printed", tail)
    elif plan is None and seen == 0:
        out.line(False, f"{name}: printed no TAP at all (exit status {rc})", tail)


def main():
    args = sys.argv[1:]
    timed_out = "--timed-out" in args
    no_boot = "--no-boot" in args
    verbose = "--verbose" in args
    args = [a for a in args if not a.startswith("--")]
    with open(args[0], "rb") as f:
        raw = f.read().decode("utf-8", "replace")
    lines = [ln.rstrip("\r") for ln in raw.replace("\r\n", "\n").split("\n")]
    lines = [re.sub(r"\x1b\[[0-9;?]*[A-Za-z]", "", ln) for ln in lines]
    out = Out()
    try:
        begin = lines.index("=== HUSK-QEMU BEGIN ===")
    except ValueError:
        out.line(False, "boot: no BEGIN marker on the serial console"
                 + (" (timed out)" if timed_out else "")
                 + (" (no accelerator booted the kernel within the bounds: see the"
                    " '# qemu-v2: accelerator' lines)" if no_boot else ""),
                 [ln for ln in lines if ln.strip()][-30:])
        print(f"1..{out.n}")
        return 1
    end = None
    name, body = None, []
    for ln in lines[begin + 1:]:
        if ln == "=== HUSK-QEMU END ===":
            end = True
            break
        m = re.match(r"^=== HUSK-QEMU TEST (\S+) ===$", ln)
        if m:
            if name is not None:
                section(out, name, body, None, verbose)
            name, body = m.group(1), []
            continue
        m = re.match(r"^=== HUSK-QEMU RC (\S+) (\d+) ===$", ln)
        if m and name == m.group(1):
            section(out, name, body, int(m.group(2)), verbose)
            name, body = None, []
            continue
        if name is not None:
            body.append(ln)
        elif ln.startswith("#"):
            print(ln)
    if name is not None:
        section(out, name, body, None, verbose)
    if end is None:
        tail = [ln for ln in lines[begin:] if ln.strip()][-30:]
        out.line(False, "lane: no END marker" + (" (timed out)" if timed_out else " (the VM died)"),
                 tail)
    print(f"1..{out.n}")
    if out.times:
        print("# qemu-v2 time: " + ", ".join(out.times))
    print(f"# qemu-v2: {out.n - out.failed - out.skipped} passed, {out.failed} failed, "
          f"{out.skipped} skipped")
    return 1 if out.failed else 0


if __name__ == "__main__":
    sys.exit(main())

#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""report.py NAME=RESULTS.json...: markdown tables from run.py's RESULTS files
(per-section pass/fail/skip counts, then each runtime's failed and skipped
checks with the reason)."""

import json
import sys


def main():
    runs = []
    for arg in sys.argv[1:]:
        name, _, path = arg.partition("=")
        with open(path) as f:
            runs.append((name, json.load(f)["results"]))
    sections = sorted({r[0] for _, res in runs for r in res})
    print("| section | " + " | ".join(n for n, _ in runs) + " |")
    print("|---|" + "---|" * len(runs))
    tot = {n: [0, 0, 0] for n, _ in runs}
    for sec in sections:
        cells = []
        for n, res in runs:
            c = [sum(1 for r in res if r[0] == sec and r[2] in sts) for sts in (("pass",), ("fail", "xfail"), ("skip",))]
            tot[n] = [a + b for a, b in zip(tot[n], c)]
            cells.append(f"{c[0]}/{c[1]}" + (f" ({c[2]} skip)" if c[2] else ""))
        print(f"| {sec} | " + " | ".join(cells) + " |")
    print("| **total** | " + " | ".join(f"**{t[0]}/{t[1]}**" + (f" ({t[2]} skip)" if t[2] else "")
                                        for t in tot.values()) + " |")
    for n, res in runs:
        print(f"\n#### {n}: failed checks\n")
        fails = [r for r in res if r[2] in ("fail", "xfail")]
        if not fails:
            print("none")
        for sec, chk, st, det in fails:
            got = " / ".join(line for line in det.splitlines() if line.startswith(("expected", "got")))
            print(f"- `{sec}`: {chk} ({got})")
        skips = [r for r in res if r[2] == "skip"]
        if skips:
            print(f"\n{n} skipped: " + "; ".join(f"{chk} ({det})" for sec, chk, st, det in skips))


if __name__ == "__main__":
    main()

#!/usr/bin/env python3
"""Reference for 'profview diff': the same comparison done with pstats.

  ref_diff.py BASE NEW [--limit N] [--json]

Loads both profiles with pstats.Stats, matches functions by (file, line, name)
(pstats' keys, exact match only), and prints for each function before, after,
delta and % of tottime, cumtime and ncalls (pstats' nc, all calls). Functions
only in BASE are 'gone' (after = 0), only in NEW 'new' (before = 0). Rows are
sorted by the absolute cumtime delta, largest first; ties go to the larger of
before/after cumtime, then to the name (file:line(name) as pstats prints it),
as docs/profview-diff.md describes. --limit N (default 50) keeps the first N
rows; the totals line is never reduced.

This is the baseline of bench/bench_analysis.py: what someone would write
with the standard library to answer "which functions got slower?". --json
prints the rows as JSON instead (used for the benchmark's sanity check).
"""

import argparse
import json
import pstats
import sys


def pct(before, delta):
    return None if before == 0 else delta / before * 100.0


def fmt_pct(before, after, delta):
    if before == 0 and after != 0:
        return "new"
    if after == 0 and before != 0:
        return "gone"
    p = pct(before, delta)
    return "" if p is None else "%+.1f%%" % p


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("base")
    ap.add_argument("new")
    ap.add_argument("--limit", type=int, default=50)
    ap.add_argument("--json", action="store_true")
    a = ap.parse_args()

    sb = pstats.Stats(a.base)
    sn = pstats.Stats(a.new)
    b, n = sb.stats, sn.stats
    zero = (0, 0, 0.0, 0.0, None)
    rows = []
    for func in b.keys() | n.keys():
        _, nc0, tt0, ct0, _ = b.get(func, zero)
        _, nc1, tt1, ct1, _ = n.get(func, zero)
        status = "both" if func in b and func in n else ("removed" if func in b else "added")
        rows.append((-abs(ct1 - ct0), -max(ct0, ct1), pstats.func_std_string(func), func, status,
                     (tt0, tt1), (ct0, ct1), (nc0, nc1)))
    rows.sort(key=lambda r: r[:3])
    matched = sum(1 for r in rows if r[4] == "both")
    added = sum(1 for r in rows if r[4] == "added")
    removed = len(rows) - matched - added
    shown = rows[:a.limit] if a.limit >= 0 else rows

    if a.json:
        json.dump({"matched": matched, "added": added, "removed": removed,
                   "total": {"time": [sb.total_tt, sn.total_tt], "calls": [sb.total_calls, sn.total_calls]},
                   "functions": [{"status": r[4], "file": r[3][0], "line": r[3][1], "name": r[3][2],
                                  "tottime": r[5], "cumtime": r[6], "calls": r[7]} for r in shown]},
                  sys.stdout)
        print()
        return 0

    out = sys.stdout
    out.write("BASE %s\nNEW  %s\n\n" % (a.base, a.new))
    dt = sn.total_tt - sb.total_tt
    dc = sn.total_calls - sb.total_calls
    out.write("total time  %.3f -> %.3f seconds (%+.3f, %s)\n"
              % (sb.total_tt, sn.total_tt, dt, fmt_pct(sb.total_tt, sn.total_tt, dt)))
    out.write("total calls %d -> %d (%+d, %s)\n" % (sb.total_calls, sn.total_calls, dc,
                                                   fmt_pct(sb.total_calls, sn.total_calls, dc)))
    out.write("%d functions matched, %d added, %d removed; ordered by |cumtime delta|\n\n"
              % (matched, added, removed))
    out.write("%41s%41s%41s\n" % ("tottime", "cumtime", "ncalls"))
    out.write(("%9s %9s %9s %8s  " % ("before", "after", "delta", "%")) * 3 + "function\n")
    for r in shown:
        cols = []
        for i, (x0, x1) in enumerate((r[5], r[6], r[7])):
            if i < 2:
                cols.append("%9.3f %9.3f %+9.3f %8s" % (x0, x1, x1 - x0, fmt_pct(x0, x1, x1 - x0)))
            else:
                cols.append("%9d %9d %+9d %8s" % (x0, x1, x1 - x0, fmt_pct(x0, x1, x1 - x0)))
        out.write("  ".join(cols) + "  " + r[2] + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())

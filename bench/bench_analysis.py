#!/usr/bin/env python3
"""Benchmark 'profview callers', 'profview callees' and 'profview diff' against pstats.

On a before/after pair of large real cProfile profiles (BASE = bench/out/big.prof,
the file bench_sort.py uses, and AFTER = bench/out/big-after.prof, a perturbed
run of the same program: see make_big_pair.py), measures in one run:

  callers  reference   python3 -c "import pstats; pstats.Stats(BASE).sort_stats('cumulative').print_callers(50)"
           cold        profview --db FRESH.db callers BASE --by cumulative --limit 50   (new empty store every run)
           warm (path) the same, the store already holding BASE (found by its path+size+mtime)
           warm (id)   profview --db STORE.db callers ID --by cumulative --limit 50
  callees  the same with print_callees(50) / 'profview callees'
  diff     reference   python3 bench/ref_diff.py BASE AFTER --limit 50   (pstats, matched by (file, line, name))
           cold        profview --db FRESH.db diff BASE AFTER --limit 50   (imports both)
           warm (path) the same against a store holding both
           warm (id)   profview --db STORE.db diff ID1 ID2 --limit 50

Uses hyperfine when it is installed (--prepare deletes the cold store and its
-wal/-shm before each cold run, untimed), else times the commands itself; the
number reported is the median. Prints the table, the ratios profview/reference
and PASS/MISS against the targets (cold <= 0.05x, warm <= 0.01x). Before
timing it checks once that callers/callees print what pstats prints (from the
'Ordered by' line on) and compares diff's rows with the reference's, and
reports the result. A command that profview does not have (yet), or that
fails, is reported as such; the references still run. A benchmark, not a test:
exits 0 whether the targets are met or not (non-zero only when it cannot run).

  bench/bench_analysis.py [PROFVIEW] [--quick] [--only callers,callees,diff]
                          [--runs N] [--ref-runs N] [--no-hyperfine] [--json FILE]

PROFVIEW defaults to build/profview. --quick uses the ~20k-function pair
(bench/out/quick.prof, quick-after.prof). Missing profiles are generated
with make_big_pair.py (which runs make_big_profile.py for BASE).
"""

import argparse
import json
import os
import shutil
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
OUT = os.path.join(HERE, "out")
sys.path.insert(0, HERE)
from bench_common import (CommandFailed, loadavg, profile_facts, rm_store,  # noqa: E402
                          shellquote, time_hyperfine, time_python)

TARGET_COLD = 0.05
TARGET_WARM = 0.01
COMMANDS = ("callers", "callees", "diff")
CASES = (("ref", None), ("cold", TARGET_COLD), ("warm_path", TARGET_WARM), ("warm_id", TARGET_WARM))
CASE_LABEL = {"ref": "reference", "cold": "profview cold", "warm_path": "profview warm (path)",
              "warm_id": "profview warm (id)"}


def die(msg):
    print("bench_analysis: " + msg, file=sys.stderr)
    sys.exit(2)


def has_command(pv, name):
    """(True, '') when 'profview NAME --help' works, else (False, why)."""
    r = subprocess.run([pv, name, "--help"], capture_output=True, text=True)
    if r.returncode == 0:
        return True, ""
    msg = (r.stderr.strip().splitlines() or ["exit %d" % r.returncode])[0]
    return False, msg


def body(b):
    """From pstats' '   Ordered by' line on (the by-id header names the stored source)."""
    i = b.find(b"   Ordered by")
    return b if i < 0 else b[i:]


def first_diff(a, b):
    la, lb = a.decode(errors="replace").splitlines(), b.decode(errors="replace").splitlines()
    for k in range(max(len(la), len(lb))):
        x = la[k] if k < len(la) else "<end of output>"
        y = lb[k] if k < len(lb) else "<end of output>"
        if x != y:
            return "line %d: pstats %r / profview %r" % (k + 1, x[:120], y[:120])
    return "same lines, different bytes (line ends?)"


def check_calls_output(ref, outs):
    """callers/callees: byte-compare each profview output with pstats' from 'Ordered by' on."""
    res = {}
    for case, out in outs.items():
        if out is None:
            continue
        same = body(out) == body(ref)
        res[case] = {"same_from_ordered_by": same, "same_whole": out == ref,
                     "first_difference": None if same else first_diff(body(ref), body(out))}
    return res


def check_diff_output(pv, db, base, after, limit, ref_json):
    """diff: profview --format json rows against ref_diff.py --json rows (keys, status, numbers)."""
    r = subprocess.run([pv, "--db", db, "diff", base, after, "--limit", str(limit), "--format", "json"],
                       capture_output=True)
    if r.returncode != 0:
        return {"checked": False, "why": "diff --format json failed: %s"
                % r.stderr.decode(errors="replace").strip()[:200]}
    try:
        got = json.loads(r.stdout)
        rows = got["functions"]
    except (ValueError, KeyError, TypeError) as e:
        return {"checked": False, "why": "cannot read diff --format json: %s" % e}
    ref = ref_json["functions"]
    res = {"checked": True, "ref_rows": len(ref), "profview_rows": len(rows)}
    for k in ("matched", "added", "removed"):
        res[k] = [ref_json[k], got.get(k)]
    problems = []
    for k in ("matched", "added", "removed"):
        if ref_json[k] != got.get(k):
            problems.append("%s: reference %s, profview %s" % (k, ref_json[k], got.get(k)))
    for i, (x, y) in enumerate(zip(ref, rows)):
        kx = (x["file"], x["line"], x["name"], x["status"])
        ky = (y.get("file"), y.get("line"), y.get("name"), y.get("status"))
        if kx != ky:
            problems.append("row %d: reference %s:%s(%s) %s, profview %s:%s(%s) %s" % ((i + 1,) + kx + ky))
            break
        for col in ("tottime", "cumtime", "calls"):
            b0, a0 = x[col]
            c = y.get(col) or {}
            b1, a1 = c.get("before"), c.get("after")
            if not (isinstance(b1, (int, float)) and isinstance(a1, (int, float))
                    and abs(b1 - b0) <= 1e-9 * max(1.0, abs(b0)) and abs(a1 - a0) <= 1e-9 * max(1.0, abs(a0))):
                problems.append("row %d %s: reference %r -> %r, profview %r -> %r" % (i + 1, col, b0, a0, b1, a1))
                break
        else:
            continue
        break
    if len(ref) != len(rows):
        problems.append("rows: reference %d, profview %d" % (len(ref), len(rows)))
    res["same"] = not problems
    res["problems"] = problems
    return res


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("profview", nargs="?", default=os.path.join(ROOT, "build", "profview"))
    ap.add_argument("--quick", action="store_true", help="~20k-function pair, for smoke runs")
    ap.add_argument("--base", help="use this .prof as BASE instead of the generated one")
    ap.add_argument("--after", help="use this .prof as AFTER instead of the generated one")
    ap.add_argument("--only", default=",".join(COMMANDS), help="commands to measure (default: all three)")
    ap.add_argument("--limit", type=int, default=50, help="rows printed (default 50)")
    ap.add_argument("--runs", type=int, default=0,
                    help="timed runs per profview case (default 10 cold, 30 warm; --quick 5, 10)")
    ap.add_argument("--ref-runs", type=int, default=0, help="timed runs per reference (default 5, --quick 3)")
    ap.add_argument("--warmup", type=int, default=None,
                    help="untimed runs first (default 1; --quick: 0 for the references)")
    ap.add_argument("--no-hyperfine", action="store_true", help="time with Python even if hyperfine exists")
    ap.add_argument("--json", help="also write the results here")
    a = ap.parse_args()

    only = [c.strip() for c in a.only.split(",") if c.strip()]
    for c in only:
        if c not in COMMANDS:
            die("--only: unknown command %r (choose from %s)" % (c, ", ".join(COMMANDS)))
    pv = os.path.abspath(a.profview)
    if not os.access(pv, os.X_OK):
        die("no profview binary at %s (build it: ninja -C build)" % pv)
    os.makedirs(OUT, exist_ok=True)
    tag = "quick" if a.quick else "big"
    base = a.base or os.path.join(OUT, tag + ".prof")
    after = a.after or os.path.join(OUT, tag + "-after.prof")
    for f, given in ((base, a.base), (after, a.after)):
        if given and not os.path.exists(f):
            die("no such profile: %s" % f)
    if not os.path.exists(base) or not os.path.exists(after):
        print("generating %s ..." % after, flush=True)
        gen = [sys.executable, os.path.join(HERE, "make_big_pair.py"), "--base", base, "--after", after]
        subprocess.run(gen + (["--quick"] if a.quick else []), check=True)
    base, after = os.path.abspath(base), os.path.abspath(after)
    fb = profile_facts(base)
    fa = profile_facts(after)
    only_b, only_a = len(fb[4] - fa[4]), len(fa[4] - fb[4])

    avail = {c: has_command(pv, c) for c in only}
    cold_db = os.path.join(OUT, "bench-analysis-%s-cold.db" % tag)
    warm_db = os.path.join(OUT, "bench-analysis-%s-warm.db" % tag)
    py = sys.executable or "python3"
    lim = str(a.limit)

    # the warm store: import both once (untimed), learn the ids
    rm_store(warm_db)
    r = subprocess.run([pv, "--db", warm_db, "import", base, after], capture_output=True, text=True)
    ids = r.stdout.split()
    if r.returncode != 0 or len(ids) != 2:
        die("profview import failed (exit %d, output %r): %s" % (r.returncode, r.stdout, r.stderr))
    id_base, id_after = ids

    cmds = {}
    for c in ("callers", "callees"):
        ref = [py, "-c", "import pstats; pstats.Stats(%r).sort_stats('cumulative').print_%s(%d)"
               % (base, c, a.limit)]
        opts = ["--by", "cumulative", "--limit", lim]
        cmds[c] = {"ref": ref,
                   "cold": [pv, "--db", cold_db, c, base] + opts,
                   "warm_path": [pv, "--db", warm_db, c, base] + opts,
                   "warm_id": [pv, "--db", warm_db, c, id_base] + opts}
    cmds["diff"] = {"ref": [py, os.path.join(HERE, "ref_diff.py"), base, after, "--limit", lim],
                    "cold": [pv, "--db", cold_db, "diff", base, after, "--limit", lim],
                    "warm_path": [pv, "--db", warm_db, "diff", base, after, "--limit", lim],
                    "warm_id": [pv, "--db", warm_db, "diff", id_base, id_after, "--limit", lim]}

    # sanity, once, before timing (not a test: reported, never fatal)
    checks, failed = {}, {}
    for c in only:
        ref = subprocess.run(cmds[c]["ref"], capture_output=True)
        if ref.returncode != 0:
            die("reference for %s failed: %s" % (c, ref.stderr.decode(errors="replace")))
        outs = {}
        if avail[c][0]:
            rm_store(cold_db)
            for case in ("cold", "warm_path", "warm_id"):
                r = subprocess.run(cmds[c][case], capture_output=True)
                if r.returncode != 0:
                    failed[(c, case)] = "exit %d: %s" % (r.returncode,
                                                         r.stderr.decode(errors="replace").strip()[:300])
                    outs[case] = None
                else:
                    outs[case] = r.stdout
        if not avail[c][0]:
            checks[c] = None
        elif c == "diff":
            refj = json.loads(subprocess.run(cmds[c]["ref"] + ["--json"], capture_output=True,
                                             check=True).stdout)
            checks[c] = check_diff_output(pv, warm_db, base, after, a.limit, refj)
        else:
            checks[c] = check_calls_output(ref.stdout, outs)
    rm_store(cold_db)

    use_hf = shutil.which("hyperfine") and not a.no_hyperfine
    d_ref, d_cold, d_warm = (3, 5, 10) if a.quick else (5, 10, 30)
    nruns = {"ref": a.ref_runs or d_ref, "cold": a.runs or d_cold,
             "warm_path": a.runs or d_warm, "warm_id": a.runs or d_warm}
    warm_n = lambda case: a.warmup if a.warmup is not None else (0 if a.quick and case == "ref" else 1)
    if use_hf:
        t = lambda cmd, n, prep=None, label="", case="": time_hyperfine(cmd, n, warm_n(case), prep, label)
        prep_cold = ["rm", "-f", cold_db, cold_db + "-wal", cold_db + "-shm"]
    else:
        t = lambda cmd, n, prep=None, label="", case="": time_python(cmd, n, warm_n(case), prep)
        prep_cold = lambda: rm_store(cold_db)

    print("BASE      %s" % base)
    print("          %d bytes (%.1f MiB), %d functions, %d edges, %d calls" % (fb[0], fb[0] / 2**20, fb[1], fb[2], fb[3]))
    print("AFTER     %s" % after)
    print("          %d bytes (%.1f MiB), %d functions, %d edges, %d calls; %d only in BASE, %d only in AFTER"
          % (fa[0], fa[0] / 2**20, fa[1], fa[2], fa[3], only_b, only_a))
    print("profview  %s" % pv)
    for c in only:
        if not avail[c][0]:
            print("          has no '%s' command (%s): only the reference is timed" % (c, avail[c][1]))
    print("python    %s (%s)" % (py, sys.version.split()[0]))
    print("load avg  %s (at start; other work on the machine skews the numbers)" % loadavg())
    print("timing    %s" % ("hyperfine (median of runs)" if use_hf else "python subprocess (median of runs)"),
          flush=True)

    res = {c: {} for c in only}
    for c in only:
        for case, _ in CASES:
            if case != "ref" and not avail[c][0]:
                res[c][case] = {"status": "missing", "why": "profview has no '%s' command" % c}
                continue
            if (c, case) in failed:
                res[c][case] = {"status": "failed", "why": failed[(c, case)]}
                continue
            try:
                r = t(cmds[c][case], nruns[case], prep_cold if case == "cold" else None,
                      label="%s %s" % (c, CASE_LABEL[case]), case=case)
                r["status"] = "ok"
            except CommandFailed as e:
                if case == "ref":
                    die("reference for %s failed while timing: %s" % (c, e))
                r = {"status": "failed", "why": str(e)}
            r["command"] = " ".join(shellquote(x) for x in cmds[c][case])
            res[c][case] = r
            print("  %-8s %-22s %s" % (c, CASE_LABEL[case],
                                       "%.4f s" % r["median"] if r["status"] == "ok" else r["status"]), flush=True)
    rm_store(cold_db)
    rm_store(warm_db)
    print("load avg  %s (at end)" % loadavg())

    print()
    print("%-8s %-22s %10s %10s %10s %5s %9s %8s  %s"
          % ("command", "case", "median s", "min s", "stddev", "runs", "ratio", "target", "verdict"))
    verdicts = {}
    for c in only:
        refm = res[c]["ref"]["median"]
        for case, target in CASES:
            r = res[c][case]
            label = ("pstats" if c != "diff" else "ref_diff.py") if case == "ref" else CASE_LABEL[case]
            if r["status"] != "ok":
                print("%-8s %-22s %10s %10s %10s %5s %9s %8s  %s"
                      % (c, label, "-", "-", "-", "-", "-", "<=%.2fx" % target,
                         "n/a (%s)" % r["why"] if r["status"] == "missing" else "FAILED: %s" % r["why"]))
                verdicts["%s_%s" % (c, case)] = r["status"]
                continue
            ratio = r["median"] / refm
            r["ratio"] = ratio
            if target is None:
                tgt = verdict = "-"
            else:
                tgt = "<=%.2fx" % target
                verdict = "PASS" if ratio <= target else "MISS"
                verdicts["%s_%s" % (c, case)] = verdict
                chk = checks.get(c)
                if c != "diff" and chk and case in chk and not chk[case]["same_from_ordered_by"]:
                    verdict += " (output differs from pstats!)"
            print("%-8s %-22s %10.4f %10.4f %10.4f %5d %8.4fx %8s  %s"
                  % (c, label, r["median"], r["min"], r["stddev"], r["runs"], ratio, tgt, verdict))
    print()
    for c in only:
        refm = res[c]["ref"]["median"]
        if not avail[c][0]:
            print("%-8s profview has no '%s' command yet; reference median %.3f s (cold needs <= %.3f s, warm <= %.4f s)"
                  % (c, c, refm, refm * TARGET_COLD, refm * TARGET_WARM))
            continue
        parts = []
        for case, target in CASES[1:]:
            r = res[c][case]
            parts.append("%s %s" % (case, "%.4fx %s" % (r["ratio"], verdicts["%s_%s" % (c, case)])
                                    if r["status"] == "ok" else r["status"]))
        print("%-8s %s   [needs cold <= %.3f s, warm <= %.4f s]"
              % (c, ", ".join(parts), refm * TARGET_COLD, refm * TARGET_WARM))
    print()
    for c in only:
        chk = checks.get(c)
        if chk is None:
            print("output    %s: not checked (no such command)" % c)
        elif c == "diff":
            if not chk["checked"]:
                print("output    diff: not checked (%s)" % chk["why"])
            elif chk["same"]:
                print("output    diff: same %d rows as ref_diff.py (keys, status, order, before/after values),"
                      " %d/%d/%d matched/added/removed" % ((chk["ref_rows"],) + tuple(chk[k][0] for k in
                                                                                        ("matched", "added", "removed"))))
            else:
                print("output    diff: differs from ref_diff.py: %s" % "; ".join(chk["problems"][:4]))
        else:
            bad = {k: v for k, v in chk.items() if not v["same_from_ordered_by"]}
            if not chk:
                print("output    %s: not checked (every profview case failed)" % c)
            elif not bad:
                whole = all(v["same_whole"] for k, v in chk.items() if k != "warm_id")
                print("output    %s: byte-identical to pstats from 'Ordered by' on for %s%s"
                      % (c, ", ".join(chk), " (cold and path: the whole output)" if whole else ""))
            else:
                for k, v in bad.items():
                    print("output    %s %s: differs from pstats, %s" % (c, k, v["first_difference"]))
    if a.json:
        with open(a.json, "w") as f:
            json.dump({"base": {"path": base, "bytes": fb[0], "functions": fb[1], "edges": fb[2], "calls": fb[3]},
                       "after": {"path": after, "bytes": fa[0], "functions": fa[1], "edges": fa[2], "calls": fa[3],
                                 "only_in_base": only_b, "only_in_after": only_a},
                       "profview": pv, "hyperfine": bool(use_hf), "limit": a.limit,
                       "targets": {"cold": TARGET_COLD, "warm": TARGET_WARM},
                       "available": {c: avail[c][0] for c in only}, "results": res, "verdicts": verdicts,
                       "output_checks": checks}, f, indent=2)
    return 0


if __name__ == "__main__":
    sys.exit(main())

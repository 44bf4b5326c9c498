#!/usr/bin/env python3
"""Issue 14's targets, as ratios against the reference tools in the same run.

For each profile size (a before/after pair of real cProfile profiles made by
make_big_pair.py: 200k -> bench/out/big.prof + big-after.prof, 500k ->
bench/out/big500k.prof + big500k-after.prof, 20k -> quick.prof +
quick-after.prof) it measures:

  cold   (a fresh store every run: import + answer) sort, callers, callees,
         callgraph against pstats / ref_callgraph.py: target <= 0.10x
  warm   (the pair stored already, read by id) sort, show, callers, callees,
         diff, callgraph, list, sql, icicle, export --to folded / speedscope /
         json / pstats: target <= 0.01x the reference where one exists;
         icicle and export folded/speedscope <= 0.5 s on 200k functions,
         growing linearly (0.5 s x functions / 200,000 on other sizes)
  memory peak RSS (wait4 ru_maxrss) of `profview sort FILE` into a fresh store:
         target <= 3x the .prof file's size

The references (one timing each per size, shared by every row that uses it):

  pstats-sort     pstats.Stats(BASE).sort_stats('tottime').print_stats(20)
                  (sort; also show and sql, which answer the same question)
  pstats-callers  pstats.Stats(BASE).sort_stats('cumulative').print_callers(50)
  pstats-callees  the same with print_callees(50)
  ref_diff        bench/ref_diff.py BASE AFTER --limit 50
  ref_callgraph   bench/ref_callgraph.py BASE (what gprof2dot -f pstats does)
  pstats-dump     pstats.Stats(BASE).dump_stats(OUT) (export --to pstats)

list and export --to json have no reference: their time is reported alone.

Before timing, each command's output is checked once against the reference
(the checks of bench_analysis.py and bench_callgraph.py, plus value checks for
show, sql and the exports) and the result is reported, never fatal. Uses
hyperfine when installed (else a Python loop); the number reported is the
median. The machine may be shared: the load average at start and end is
printed. A benchmark, not a test: exits 0 whether the targets are met or not.

  bench/bench_issue14.py [PROFVIEW] [--sizes 200k,500k] [--only CMDS] [--quick]
                         [--runs N] [--ref-runs N] [--no-hyperfine] [--json FILE]
"""

import argparse
import csv
import io
import json
import marshal
import os
import shutil
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
OUT = os.path.join(HERE, "out")
sys.path.insert(0, HERE)
from bench_analysis import check_calls_output, check_diff_output  # noqa: E402
from bench_callgraph import compare_graphs  # noqa: E402
from bench_common import (CommandFailed, loadavg, rm_store, shellquote,  # noqa: E402
                          time_hyperfine, time_python)
from bench_memory import measure  # noqa: E402

TARGET_COLD = 0.10          # x the reference, fresh store
TARGET_WARM = 0.01          # x the reference, stored already
TARGET_VIEW_S = 0.5         # s, derived views warm on the 200k profile ...
VIEW_FUNCTIONS = 200_000    # ... growing linearly with the functions beyond it
TARGET_RSS = 3.0            # x the .prof size, peak RSS of the cold import
LIMIT_SORT, LIMIT_CALLS = 20, 50   # as bench_sort.py and bench_analysis.py print

# size -> (file tag, functions for make_big_pair.py)
SIZES = {"20k": ("quick", 20_000), "200k": ("big", 200_000), "500k": ("big500k", 500_000)}
COLD = ("sort", "callers", "callees", "callgraph")
WARM = ("sort", "show", "callers", "callees", "diff", "callgraph", "list", "sql", "icicle",
        "export-folded", "export-speedscope", "export-json", "export-pstats")
VIEWS = ("icicle", "export-folded", "export-speedscope")
REF_OF = {"sort": "pstats-sort", "show": "pstats-sort", "sql": "pstats-sort", "callers": "pstats-callers",
          "callees": "pstats-callees", "diff": "ref_diff", "callgraph": "ref_callgraph",
          "export-pstats": "pstats-dump"}
ALL = tuple(dict.fromkeys(COLD + WARM + ("memory",)))
SQL = ("SELECT file, line, name, calls, tottime, cumtime FROM functions WHERE profile_id = %s "
       "ORDER BY tottime DESC LIMIT 20")


def die(msg):
    print("bench_issue14: " + msg, file=sys.stderr)
    sys.exit(2)


def note(msg):
    print(msg, file=sys.stderr, flush=True)


def ensure_pair(size):
    """(BASE, AFTER) of the size, made by make_big_pair.py when missing."""
    tag, nfunc = SIZES[size]
    base, after = os.path.join(OUT, tag + ".prof"), os.path.join(OUT, tag + "-after.prof")
    if not (os.path.exists(base) and os.path.exists(after)):
        note("generating %s and %s (a few minutes for 500k functions) ..." % (base, after))
        gen = [sys.executable, os.path.join(HERE, "make_big_pair.py"), "--functions", str(nfunc),
               "--base", base, "--after", after]
        subprocess.run(gen, check=True, stdout=sys.stderr)
    return base, after


def references(py, base, after, dump_out):
    q = lambda s: [py, "-c", "import pstats; s = pstats.Stats(%r); %s" % (base, s)]  # noqa: E731
    return {"pstats-sort": q("s.sort_stats('tottime').print_stats(%d)" % LIMIT_SORT),
            "pstats-callers": q("s.sort_stats('cumulative').print_callers(%d)" % LIMIT_CALLS),
            "pstats-callees": q("s.sort_stats('cumulative').print_callees(%d)" % LIMIT_CALLS),
            "ref_diff": [py, os.path.join(HERE, "ref_diff.py"), base, after, "--limit", str(LIMIT_CALLS)],
            "ref_callgraph": [py, os.path.join(HERE, "ref_callgraph.py"), base],
            "pstats-dump": q("s.dump_stats(%r)" % dump_out)}


def profview_argv(pv, db, cmd, prof, prof2, outs):
    """The command line of CMD on PROF (an id, or the file for cold); PROF2 is diff's second."""
    head = [pv, "--db", db]
    calls = ["--by", "cumulative", "--limit", str(LIMIT_CALLS)]
    return {"sort": head + ["sort", prof, "--by", "tottime", "--limit", str(LIMIT_SORT)],
            "show": head + ["show", prof],
            "callers": head + ["callers", prof] + calls,
            "callees": head + ["callees", prof] + calls,
            "diff": head + ["diff", prof, prof2, "--limit", str(LIMIT_CALLS)],
            "callgraph": head + ["callgraph", prof],
            "list": head + ["list"],
            "sql": head + ["sql", SQL % prof],
            "icicle": head + ["icicle", prof, "-o", outs["icicle"]],
            "export-folded": head + ["export", prof, "--to", "folded", "--unit", "us", "-o", outs["folded"]],
            "export-speedscope": head + ["export", prof, "--to", "speedscope", "-o", outs["speedscope"]],
            "export-json": head + ["export", prof, "--to", "json", "-o", outs["json"]],
            "export-pstats": head + ["export", prof, "--to", "pstats", "-o", outs["pstats"]]}[cmd]


def run(argv):
    r = subprocess.run(argv, capture_output=True)
    if r.returncode != 0:
        raise CommandFailed("exit %d: %s" % (r.returncode, r.stderr.decode(errors="replace").strip()[:300]))
    return r.stdout


def close(a, b, rel=1e-9):
    return abs(a - b) <= rel * max(1.0, abs(a), abs(b))


def top_tottimes(stats, n):
    return sorted((v[2] for v in stats.values()), reverse=True)[:n]


def check_folded(path, stats):
    """Each function's self total in the folded file (its count where it is the leaf) is within
    1 us of its tottime: the estimated tree keeps every function's own time."""
    selfus = {}
    with open(path, "rb") as f:
        for line in f:
            stack, _, count = line.rstrip(b"\n").rpartition(b" ")
            leaf = stack[stack.rfind(b";") + 1:]
            selfus[leaf] = selfus.get(leaf, 0) + int(count)
    bad, worst = 0, None
    for (file, line, name), v in stats.items():
        key = ("%s (%s:%d)" % (name, file, line)).encode("utf-8", "surrogateescape")
        d = abs(selfus.pop(key, 0) - v[2] * 1e6)
        if d > 1.0:
            bad += 1
            worst = max(worst or (0, ""), (d, key.decode(errors="replace")))
    if bad or selfus:
        return False, "%d of %d functions' self totals off by > 1 us (worst %.0f us, %s); %d leaves not in pstats" % (
            bad, len(stats), worst[0] if worst else 0, worst[1] if worst else "-", len(selfus))
    return True, "every function's self total within 1 us of its tottime (%d functions)" % len(stats)


def check_command(cmd, out, ref_out, ctx):
    """(True/False/None, what was found) for one warm command's output."""
    stats = ctx["stats"]
    if cmd in ("sort", "callers", "callees"):
        chk = check_calls_output(ref_out, {"warm": out, **({"cold": ctx["cold_out"][cmd]}
                                                           if ctx["cold_out"].get(cmd) else {})})
        bad = {k: v for k, v in chk.items() if not v["same_from_ordered_by"]}
        if bad:
            return False, "; ".join("%s differs: %s" % (k, v["first_difference"]) for k, v in bad.items())
        return True, "byte-identical to pstats from 'Ordered by' on (%s)" % ", ".join(chk)
    if cmd == "diff":
        chk = check_diff_output(ctx["pv"], ctx["db"], ctx["base"], ctx["after"], LIMIT_CALLS, ctx["ref_diff_json"])
        if not chk["checked"]:
            return None, chk["why"]
        if not chk["same"]:
            return False, "; ".join(chk["problems"][:3])
        return True, "same %d rows as ref_diff.py" % chk["ref_rows"]
    if cmd == "callgraph":
        if not shutil.which("dot"):
            return None, "no Graphviz dot to read the graphs"
        cold = ctx["cold_out"].get("callgraph")
        chk = compare_graphs(ref_out, out)
        if not chk["checked"]:
            return None, chk["why"]
        if cold is not None and cold != out:
            return False, "the cold run's DOT differs from the warm run's"
        if not chk["same"]:
            return False, "; ".join(chk["problems"][:2])
        return True, "same graph as ref_callgraph.py (%d functions, %d calls)" % (chk["ref_functions"],
                                                                                   chk["ref_calls"])
    if cmd == "show":
        got = [f["self"] for f in json.loads(run(ctx["show_json"]))["top_self"]]
        want = top_tottimes(stats, len(got))
        ok = len(got) > 0 and all(close(x, y) for x, y in zip(got, want))
        return ok, "top_self = the %d largest tottimes" % len(got) if ok else "top_self %r, pstats %r" % (
            got[:3], want[:3])
    if cmd == "sql":
        rows = list(csv.DictReader(io.StringIO(run(ctx["sql_csv"]).decode())))
        got = [float(r["tottime"]) for r in rows]
        want = top_tottimes(stats, LIMIT_SORT)
        ok = len(got) == len(want) and all(close(x, y) for x, y in zip(got, want))
        return ok, "the 20 largest tottimes, as pstats has them" if ok else "tottime %r, pstats %r" % (
            got[:3], want[:3])
    if cmd == "list":
        ids = [str(p.get("id")) for p in json.loads(run(ctx["list_json"]))]
        ok = ctx["id_base"] in ids and ctx["id_after"] in ids
        return ok, "lists both stored profiles" if ok else "ids %s" % ids
    outs = ctx["outs"]
    if cmd == "icicle":
        n = os.path.getsize(outs["icicle"])
        return None, "page %.1f MB written (no reference to compare with)" % (n / 1e6)
    if cmd == "export-folded":
        ok, why = check_folded(outs["folded"], stats)
        return ok, why + "; %.0f MB" % (os.path.getsize(outs["folded"]) / 1e6)
    if cmd == "export-speedscope":
        with open(outs["speedscope"]) as f:
            p = json.load(f)["profiles"][0]
        total = sum(v[2] for v in stats.values())
        got = sum(p["weights"])
        ok = p["unit"] == "seconds" and close(got, total, 1e-9)
        return ok, "weights sum to pstats' total %.6f s (%d samples, %.0f MB)" % (
            total, len(p["weights"]), os.path.getsize(outs["speedscope"]) / 1e6) if ok else \
            "weights sum %r %s, pstats' total %r" % (got, p["unit"], total)
    if cmd == "export-json":
        with open(outs["json"]) as f:
            d = json.load(f)
        ok = len(d["functions"]) == len(stats) and len(d["edges"]) == ctx["nedge"]
        return ok, "%d functions, %d edges as pstats (%.0f MB)" % (len(d["functions"]), len(d["edges"]),
                                                                  os.path.getsize(outs["json"]) / 1e6)
    if cmd == "export-pstats":
        with open(outs["pstats"], "rb") as f:
            ok = marshal.load(f) == stats
        return ok, "pstats loads the same stats dict as the original" if ok else "the stats dict differs"
    return None, "-"


def bench_size(size, a, pv, use_hf, t, only):
    base, after = ensure_pair(size)
    base, after = os.path.abspath(base), os.path.abspath(after)
    with open(base, "rb") as f:
        stats = marshal.load(f)
    nfunc, nedge, nbytes = len(stats), sum(len(v[4]) for v in stats.values()), os.path.getsize(base)
    tag = SIZES[size][0]
    cold_db = os.path.join(OUT, "bench14-%s-cold.db" % tag)
    warm_db = os.path.join(OUT, "bench14-%s-warm.db" % tag)
    outs = {k: os.path.join(OUT, "bench14-%s.%s" % (tag, ext)) for k, ext in
            (("icicle", "html"), ("folded", "folded"), ("speedscope", "speedscope.json"), ("json", "json"),
             ("pstats", "out.prof"), ("ref_pstats", "ref.prof"))}
    py = sys.executable or "python3"
    refs = references(py, base, after, outs["ref_pstats"])
    info = {"size": size, "base": base, "after": after, "bytes": nbytes, "functions": nfunc, "edges": nedge,
            "after_bytes": os.path.getsize(after)}
    note("== %s: %s (%.1f MB, %d functions, %d edges) and %s" % (size, base, nbytes / 1e6, nfunc, nedge, after))

    rm_store(warm_db)
    r = subprocess.run([pv, "--db", warm_db, "import", base, after], capture_output=True, text=True)
    ids = r.stdout.split()
    if r.returncode != 0 or len(ids) != 2:
        die("profview import failed (exit %d, output %r): %s" % (r.returncode, r.stdout, r.stderr))
    id_base, id_after = ids
    cold_cmds = {c: profview_argv(pv, cold_db, c, base, after, outs) for c in COLD if c in only}
    warm_cmds = {c: profview_argv(pv, warm_db, c, id_base, id_after, outs) for c in WARM if c in only}
    need_refs = sorted({REF_OF[c] for c in set(cold_cmds) | set(warm_cmds) if c in REF_OF})

    # the checks, once, untimed (the first runs also put the files in the page cache)
    ref_out, failed, checks = {}, {}, {}
    for k in need_refs:
        try:
            ref_out[k] = run(refs[k])
        except CommandFailed as e:
            die("reference %s failed: %s" % (k, e))
    ctx = {"pv": pv, "db": warm_db, "base": base, "after": after, "stats": stats, "nedge": nedge, "outs": outs,
           "id_base": id_base, "id_after": id_after, "cold_out": {},
           "show_json": [pv, "--db", warm_db, "show", id_base, "--format", "json"],
           "sql_csv": [pv, "--db", warm_db, "sql", SQL % id_base, "--format", "csv"],
           "list_json": [pv, "--db", warm_db, "list", "--format", "json"]}
    if "diff" in warm_cmds:
        ctx["ref_diff_json"] = json.loads(run(refs["ref_diff"] + ["--json"]))
    for c, argv in cold_cmds.items():
        rm_store(cold_db)
        try:
            ctx["cold_out"][c] = run(argv)
        except CommandFailed as e:
            failed[("cold", c)] = str(e)
    rm_store(cold_db)
    for c, argv in warm_cmds.items():
        try:
            out = run(argv)
        except CommandFailed as e:
            failed[("warm", c)] = str(e)
            checks[c] = (False, "failed: %s" % e)
            continue
        try:
            checks[c] = check_command(c, out, ref_out.get(REF_OF.get(c)), ctx)
        except (CommandFailed, ValueError, KeyError, OSError) as e:
            checks[c] = (None, "check could not run: %s" % e)
        note("  check %-18s %s %s" % (c, {True: "ok", False: "DIFFERS", None: "-"}[checks[c][0]], checks[c][1]))
    for c in cold_cmds:
        if c not in warm_cmds and c in ctx["cold_out"]:
            chk = check_command(c, ctx["cold_out"][c], ref_out.get(REF_OF[c]), dict(ctx, cold_out={}))
            checks[c] = chk

    quick = a.quick
    n_ref = a.ref_runs or (1 if quick else 3)
    n_cold = a.runs or (3 if quick else 5)
    n_warm = a.runs or (5 if quick else 10)
    if use_hf:
        prep_cold = ["rm", "-f", cold_db, cold_db + "-wal", cold_db + "-shm"]
    else:
        prep_cold = lambda: rm_store(cold_db)  # noqa: E731

    timed = {}

    def timeit(key, argv, n, warmup, prep=None):
        try:
            r = t(argv, n, warmup, prep, "%s %s" % key)
            r["status"] = "ok"
        except CommandFailed as e:
            r = {"status": "failed", "why": str(e)}
        r["command"] = " ".join(shellquote(x) for x in argv)
        timed[key] = r
        note("  %-5s %-18s %s" % (key[0], key[1], "%.4f s" % r["median"] if r["status"] == "ok" else r["why"]))

    for k in need_refs:
        timeit(("ref", k), refs[k], n_ref, 0)
    for c, argv in cold_cmds.items():
        if ("cold", c) in failed:
            timed[("cold", c)] = {"status": "failed", "why": failed[("cold", c)]}
        else:
            timeit(("cold", c), argv, n_cold, 0 if quick else 1, prep_cold)
    for c, argv in warm_cmds.items():
        if ("warm", c) in failed:
            timed[("warm", c)] = {"status": "failed", "why": failed[("warm", c)]}
        else:
            timeit(("warm", c), argv, n_warm, 1)

    mem = None
    if "memory" in only:
        rm_store(cold_db)
        code, rss, wall, cpu, err = measure(cold_cmds.get("sort") or profview_argv(pv, cold_db, "sort", base, after,
                                                                                  outs))
        mem = {"exit": code, "peak_rss": rss, "wall": wall, "cpu": cpu, "bytes": nbytes, "ratio": rss / nbytes,
               "verdict": ("PASS" if rss <= TARGET_RSS * nbytes else "MISS") if code == 0 else "FAILED: " + err[-200:]}
        note("  rss   sort (cold)        %.0f MiB = %.2fx the file" % (rss / 2**20, rss / nbytes))
    rm_store(cold_db)
    rm_store(warm_db)
    for p in outs.values():
        if os.path.exists(p):
            os.unlink(p)

    rows = []
    for mode, cmds in (("cold", cold_cmds), ("warm", warm_cmds)):
        for c in cmds:
            r = timed[(mode, c)]
            refk = REF_OF.get(c)
            ref = timed.get(("ref", refk)) if refk else None
            row = {"size": size, "command": c, "mode": mode, "reference": refk, "functions": nfunc,
                   "ref_s": ref["median"] if ref and ref["status"] == "ok" else None,
                   "s": r.get("median"), "runs": r.get("runs"), "status": r["status"], "why": r.get("why"),
                   "ratio": None, "target": None, "verdict": "-", "command_line": r.get("command"),
                   "check": checks.get(c, (None, "-"))}
            if mode == "warm" and c in VIEWS:
                lim = TARGET_VIEW_S * max(1.0, nfunc / VIEW_FUNCTIONS)
                row["target"] = "<= %.2f s%s" % (lim, "" if nfunc <= VIEW_FUNCTIONS * 1.01 else " (linear)")
                if r["status"] == "ok":
                    row["verdict"] = "PASS" if r["median"] <= lim else "MISS"
            elif refk:
                tgt = TARGET_COLD if mode == "cold" else TARGET_WARM
                row["target"] = "<= %.2fx" % tgt
                if r["status"] == "ok" and row["ref_s"]:
                    row["ratio"] = r["median"] / row["ref_s"]
                    row["verdict"] = "PASS" if row["ratio"] <= tgt else "MISS"
            if r["status"] != "ok":
                row["verdict"] = "FAILED"
            rows.append(row)
    return info, rows, mem, {k[1]: v for k, v in timed.items() if k[0] == "ref"}


def fmt_s(x):
    return "-" if x is None else ("%.3f" % x if x >= 0.1 else "%.4f" % x)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("profview", nargs="?", default=os.path.join(ROOT, "build-release", "profview"))
    ap.add_argument("--sizes", default="200k,500k", help="profile sizes: 20k, 200k, 500k (default 200k,500k)")
    ap.add_argument("--only", default=",".join(ALL), help="commands (and 'memory'), comma-separated")
    ap.add_argument("--quick", action="store_true", help="fewer runs: references 1, cold 3, warm 5, no cold warm-up")
    ap.add_argument("--runs", type=int, default=0, help="timed runs per profview case (default cold 5, warm 10)")
    ap.add_argument("--ref-runs", type=int, default=0, help="timed runs per reference (default 3)")
    ap.add_argument("--no-hyperfine", action="store_true", help="time with Python even if hyperfine exists")
    ap.add_argument("--json", help="also write the results here")
    a = ap.parse_args()

    sizes = [s.strip() for s in a.sizes.split(",") if s.strip()]
    for s in sizes:
        if s not in SIZES:
            die("--sizes: unknown size %r (choose from %s)" % (s, ", ".join(SIZES)))
    only = [c.strip() for c in a.only.split(",") if c.strip()]
    for c in only:
        if c not in ALL:
            die("--only: unknown command %r (choose from %s)" % (c, ", ".join(ALL)))
    pv = os.path.abspath(a.profview)
    if not os.access(pv, os.X_OK):
        die("no profview binary at %s (meson setup build-release --buildtype=release && ninja -C build-release)"
            % pv)
    os.makedirs(OUT, exist_ok=True)
    use_hf = bool(shutil.which("hyperfine")) and not a.no_hyperfine
    if use_hf:
        t = lambda cmd, n, w, prep, label: time_hyperfine(cmd, n, w, prep, label)  # noqa: E731
    else:
        t = lambda cmd, n, w, prep, label: time_python(cmd, n, w, prep)  # noqa: E731
    commit = subprocess.run(["git", "-C", os.path.dirname(pv), "rev-parse", "--short", "HEAD"],
                            capture_output=True, text=True).stdout.strip() or "?"

    t0 = time.time()
    load0 = loadavg()
    results = {"profview": pv, "commit": commit, "python": sys.version.split()[0], "hyperfine": use_hf,
               "cpus": os.cpu_count(), "load_start": load0, "sizes": {}, "rows": [], "memory": {}}
    for s in sizes:
        info, rows, mem, refs = bench_size(s, a, pv, use_hf, t, only)
        info["references"] = refs
        results["sizes"][s] = info
        results["rows"] += rows
        if mem:
            results["memory"][s] = mem
    results["load_end"] = loadavg()
    results["wall_s"] = time.time() - t0

    print("profview  %s (git %s)" % (pv, commit))
    print("python    %s %s; timing: %s, median of runs" % (sys.executable, results["python"],
                                                          "hyperfine -N" if use_hf else "Python loop"))
    for s, info in results["sizes"].items():
        print("%-9s %s: %.1f MB, %d functions, %d edges (AFTER %s)" % (s, info["base"], info["bytes"] / 1e6,
                                                                     info["functions"], info["edges"],
                                                                     os.path.basename(info["after"])))
    print("load avg  %s at start, %s at end, on %d CPUs (a shared machine: other work skews every number)"
          % (load0, results["load_end"], results["cpus"] or 0))
    print()
    print("| size | command | mode | reference | ref s | profview s | ratio | target | verdict | output |")
    print("| --- | --- | --- | --- | ---: | ---: | ---: | --- | --- | --- |")
    for r in results["rows"]:
        chk = {True: "same", False: "DIFFERS", None: "-"}[r["check"][0]]
        print("| %s | %s | %s | %s | %s | %s | %s | %s | %s | %s |"
              % (r["size"], r["command"], r["mode"], r["reference"] or "-", fmt_s(r["ref_s"]),
                 fmt_s(r["s"]) if r["status"] == "ok" else "-",
                 "%.4fx" % r["ratio"] if r["ratio"] is not None else "-", r["target"] or "-",
                 r["verdict"], chk))
    if results["memory"]:
        print()
        print("| size | .prof MB | peak RSS MB (cold `sort FILE`) | RSS / file | target | verdict |")
        print("| --- | ---: | ---: | ---: | --- | --- |")
        for s, m in results["memory"].items():
            print("| %s | %.1f | %.1f | %.2fx | <= %.1fx | %s |" % (s, m["bytes"] / 1e6, m["peak_rss"] / 1e6,
                                                                 m["ratio"], TARGET_RSS, m["verdict"]))
    if len(results["sizes"]) > 1:
        ss = list(results["sizes"])
        lo, hi = ss[0], ss[-1]
        fl, fh = results["sizes"][lo]["functions"], results["sizes"][hi]["functions"]
        by = {(r["size"], r["mode"], r["command"]): r for r in results["rows"] if r["status"] == "ok"}
        print()
        print("growth %s -> %s (functions x%.2f; linear growth = time x%.2f):" % (lo, hi, fh / fl, fh / fl))
        print()
        print("| command | mode | %s s | %s s | time x |" % (lo, hi))
        print("| --- | --- | ---: | ---: | ---: |")
        for (s, mode, c), r in by.items():
            if s == lo and (hi, mode, c) in by:
                print("| %s | %s | %s | %s | %.2f |" % (c, mode, fmt_s(r["s"]), fmt_s(by[(hi, mode, c)]["s"]),
                                                       by[(hi, mode, c)]["s"] / r["s"]))
    print()
    seen = set()
    for r in results["rows"]:
        if (r["size"], r["command"]) not in seen:
            seen.add((r["size"], r["command"]))
            ok, why = r["check"]
            print("output  %-5s %-18s %s: %s" % (r["size"], r["command"],
                                                 {True: "same", False: "DIFFERS", None: "not compared"}[ok], why))
    for r in results["rows"]:
        if r["status"] != "ok":
            print("failed  %-5s %-5s %-18s %s" % (r["size"], r["mode"], r["command"], r["why"]))
    print("total   %.0f s" % results["wall_s"])
    if a.json:
        for r in results["rows"]:
            r["check"] = {"same": r["check"][0], "what": r["check"][1]}
        with open(a.json, "w") as f:
            json.dump(results, f, indent=2)
    return 0


if __name__ == "__main__":
    sys.exit(main())

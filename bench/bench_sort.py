#!/usr/bin/env python3
"""Benchmark 'profview sort' against pstats on a large real cProfile profile.

Measures, in one run and on the same file:
  pstats        python3 -c "import pstats; pstats.Stats(F).sort_stats('tottime').print_stats(20)"
  cold          profview --db FRESH.db sort F --by tottime --limit 20   (new empty store every run)
  warm (path)   the same, the store already holding F (found by the path+size+mtime stat cache)
  warm (id)     profview --db STORE.db sort ID --by tottime --limit 20

Uses hyperfine when it is installed (--prepare deletes the cold store and its
-wal/-shm before each cold run, untimed), else times the commands itself and
reports the median. Prints the table, the ratios profview/pstats and PASS/MISS
against the targets (cold <= 0.10x, warm <= 0.01x). A benchmark, not a test:
exits 0 whether the targets are met or not (non-zero only when it cannot run).

  bench/bench_sort.py [PROFVIEW] [--quick] [--runs N] [--no-hyperfine] [--json FILE]

PROFVIEW defaults to build/profview. --quick uses a ~20k-function profile
(bench/out/quick.prof) for smoke runs; the default is ~200k functions
(bench/out/big.prof). A missing profile is generated with make_big_profile.py.
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

TARGET_COLD = 0.10
TARGET_WARM = 0.01


def die(msg):
    print("bench_sort: " + msg, file=sys.stderr)
    sys.exit(2)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("profview", nargs="?", default=os.path.join(ROOT, "build", "profview"))
    ap.add_argument("--quick", action="store_true", help="~20k-function profile, for smoke runs")
    ap.add_argument("--profile", help="use this .prof instead of the generated one")
    ap.add_argument("--runs", type=int, default=0, help="timed runs per case (default: 5 pstats, 10 cold, 30 warm)")
    ap.add_argument("--warmup", type=int, default=1)
    ap.add_argument("--no-hyperfine", action="store_true", help="time with Python even if hyperfine exists")
    ap.add_argument("--json", help="also write the results here")
    a = ap.parse_args()

    pv = os.path.abspath(a.profview)
    if not os.access(pv, os.X_OK):
        die("no profview binary at %s (build it: ninja -C build)" % pv)
    os.makedirs(OUT, exist_ok=True)
    prof = a.profile or os.path.join(OUT, "quick.prof" if a.quick else "big.prof")
    if not os.path.exists(prof):
        if a.profile:
            die("no such profile: %s" % prof)
        print("generating %s ..." % prof, flush=True)
        gen = [sys.executable, os.path.join(HERE, "make_big_profile.py")] + (["--quick"] if a.quick else [])
        subprocess.run(gen + ["--out", prof], check=True)
    prof = os.path.abspath(prof)
    size, nfunc, nedge, ncalls, _ = profile_facts(prof)

    tag = "quick" if a.quick else "big"
    cold_db = os.path.join(OUT, "bench-%s-cold.db" % tag)
    warm_db = os.path.join(OUT, "bench-%s-warm.db" % tag)
    py = sys.executable or "python3"
    pstats_cmd = [py, "-c", "import pstats; pstats.Stats(%r).sort_stats('tottime').print_stats(20)" % prof]
    args = ["--by", "tottime", "--limit", "20"]
    cold_cmd = [pv, "--db", cold_db, "sort", prof] + args
    warm_path_cmd = [pv, "--db", warm_db, "sort", prof] + args

    # the warm store: import once (untimed), learn the id
    rm_store(warm_db)
    r = subprocess.run([pv, "--db", warm_db, "import", prof], capture_output=True, text=True)
    if r.returncode != 0:
        die("profview import failed: %s" % r.stderr)
    pid = r.stdout.strip().splitlines()[-1]
    warm_id_cmd = [pv, "--db", warm_db, "sort", pid] + args

    # sanity (not a test): the outputs should be the same bytes
    ref = subprocess.run(pstats_cmd, capture_output=True).stdout
    rm_store(cold_db)
    got_cold = subprocess.run(cold_cmd, capture_output=True).stdout
    got_warm = subprocess.run(warm_path_cmd, capture_output=True).stdout
    got_id = subprocess.run(warm_id_cmd, capture_output=True).stdout
    same = {"cold": got_cold == ref, "warm_path": got_warm == ref}
    # by id the header names the stored source, not the path given: compare from the table on
    body = lambda b: b[b.find(b"   Ordered by"):]
    same["warm_id"] = body(got_id) == body(ref)

    use_hf = shutil.which("hyperfine") and not a.no_hyperfine
    runs = lambda d: a.runs or d
    if use_hf:
        t = lambda cmd, n, prep=None, label="": time_hyperfine(cmd, n, a.warmup, prep, label)
        prep_cold = ["rm", "-f", cold_db, cold_db + "-wal", cold_db + "-shm"]
    else:
        t = lambda cmd, n, prep=None, label="": time_python(cmd, n, a.warmup, prep)
        prep_cold = lambda: rm_store(cold_db)

    print("profile   %s" % prof)
    print("          %d bytes (%.1f MiB), %d functions, %d edges, %d calls"
          % (size, size / 2**20, nfunc, nedge, ncalls))
    print("profview  %s" % pv)
    print("python    %s (%s)" % (py, sys.version.split()[0]))
    print("load avg  %s (at start; other work on the machine skews the numbers)" % loadavg(), flush=True)
    print("timing    %s" % ("hyperfine (median of runs)" if use_hf else "python subprocess (median of runs)"),
          flush=True)
    res = {}
    res["pstats"] = t(pstats_cmd, runs(5), label="pstats")
    res["cold"] = t(cold_cmd, runs(10), prep_cold, label="profview cold")
    res["warm_path"] = t(warm_path_cmd, runs(30), label="profview warm (path)")
    res["warm_id"] = t(warm_id_cmd, runs(30), label="profview warm (id)")
    rm_store(cold_db)
    rm_store(warm_db)

    print("load avg  %s (at end)" % loadavg())
    base = res["pstats"]["median"]
    rows = [("pstats", "pstats", None), ("cold", "profview cold", TARGET_COLD),
            ("warm_path", "profview warm (path)", TARGET_WARM), ("warm_id", "profview warm (id)", TARGET_WARM)]
    print()
    print("%-22s %10s %10s %10s %5s %9s %8s  %s" % ("case", "median s", "min s", "stddev", "runs", "ratio", "target", "verdict"))
    verdicts = {}
    for key, label, target in rows:
        r = res[key]
        ratio = r["median"] / base
        r["ratio"] = ratio
        if target is None:
            tgt = verdict = "-"
        else:
            tgt = "<=%.2fx" % target
            verdict = "PASS" if ratio <= target else "MISS"
            verdicts[key] = verdict
            if not same[key]:
                verdict += " (output differs from pstats!)"
        print("%-22s %10.4f %10.4f %10.4f %5d %8.4fx %8s  %s"
              % (label, r["median"], r["min"], r["stddev"], r["runs"], ratio, tgt, verdict))
    print()
    print("cold  %.4fx of pstats (target <= %.2fx): %s   [needs cold <= %.3f s]"
          % (res["cold"]["ratio"], TARGET_COLD, verdicts["cold"], base * TARGET_COLD))
    print("warm  %.4fx (path) / %.4fx (id) of pstats (target <= %.2fx): %s / %s   [needs warm <= %.4f s]"
          % (res["warm_path"]["ratio"], res["warm_id"]["ratio"], TARGET_WARM, verdicts["warm_path"],
             verdicts["warm_id"], base * TARGET_WARM))
    if all(same.values()):
        print("output    byte-identical to pstats for cold, warm (path) and warm (id, from the table on)")
    else:
        print("note: output differs from pstats for: %s" % ", ".join(k for k, v in same.items() if not v))
    if a.json:
        with open(a.json, "w") as f:
            json.dump({"profile": prof, "bytes": size, "functions": nfunc, "edges": nedge, "calls": ncalls,
                       "profview": pv, "hyperfine": bool(use_hf), "results": res, "verdicts": verdicts,
                       "same_output": same}, f, indent=2)
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except CommandFailed as e:
        die(str(e))

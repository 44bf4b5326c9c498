#!/usr/bin/env python3
"""Benchmark the derived views of cProfile data (issue 14): the pictures and
conversions that need the estimated call tree, warm (the profile already stored).

For each profile (default bench/out/big.prof, the 200k-function file the other
benches use; --sizes makes and measures more), in one run:

  load           profview --db STORE callgraph ID -n 100 -e 100 (the store's load of the whole profile,
                 and a graph of no function)
  icicle         profview --db STORE icicle ID -o OUT.html
  folded         profview --db STORE export ID --to folded -o OUT.folded
  speedscope     profview --db STORE export ID --to speedscope -o OUT.speedscope.json
  serve icicle   GET /api/profiles/ID/icicle?depth=24          (what the web UI asks first)
  serve sandwich GET /api/profiles/ID/sandwich?func=F          (F: the heaviest function by cumtime)

Commands are timed with hyperfine when it is installed (else a Python loop), the
HTTP requests from Python against one `profview serve`; each request asks a
max_nodes of its own (one less each time), so that none is answered from the
server's answer cache. The number reported is the median; "- load" subtracts the
median of `load`, which every one of these pays before its own work (the store's
load of the profile, which issue 14 rebuilds), and is what the target is about:
<= 0.5 s on the 200k profile.
Also printed: output sizes, the estimated tree's bound note, and the load average.
A benchmark, not a test: exits 0 whether the target is met or not.

  bench/bench_derived.py [PROFVIEW] [--profile FILE] [--sizes 10000,50000,200000,500000]
                         [--runs N] [--no-hyperfine] [--no-serve] [--json FILE]

PROFVIEW defaults to build/profview. --sizes N,... measures bench/out/derived-N.prof
for each N (made by make_big_profile.py --functions N on first use) instead of
--profile, for the growth from size to size.
"""

import argparse
import http.client
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
OUT = os.path.join(HERE, "out")
sys.path.insert(0, HERE)
from bench_common import (CommandFailed, loadavg, profile_facts, rm_store,  # noqa: E402
                          time_hyperfine, time_python)

TARGET = 0.5
CASES = ("load", "icicle", "folded", "speedscope", "serve icicle", "serve sandwich")


def die(msg):
    print("bench_derived: " + msg, file=sys.stderr)
    sys.exit(2)


def heaviest_function(pv, db, pid):
    """The index of the function with the largest cumtime (the sandwich asked for)."""
    r = subprocess.run([pv, "--db", db, "sort", str(pid), "--by", "cumulative", "--limit", "1", "--format", "json"],
                       capture_output=True, text=True)
    if r.returncode:
        die("sort --format json failed: %s" % r.stderr)
    return json.loads(r.stdout)["functions"][0]["index"]


def start_server(pv, db):
    proc = subprocess.Popen([pv, "--db", db, "serve", "--port", "0"], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)
    m = re.search(r"http://([^/:]+):(\d+)/", proc.stdout.readline())
    if not m:
        proc.kill()
        die("the server did not say its URL: %s" % proc.stderr.read())
    return proc, m.group(1), int(m.group(2))


def time_requests(host, port, paths, runs):
    """Median/min/max of GET each of paths[0..runs] (one per run), and the last size."""
    times, size = [], 0
    for k in range(runs + 1):
        conn = http.client.HTTPConnection(host, port, timeout=600)
        t0 = time.perf_counter()
        conn.request("GET", paths[k])
        resp = conn.getresponse()
        body = resp.read()
        t1 = time.perf_counter()
        conn.close()
        if resp.status != 200:
            raise CommandFailed("GET %s: %d %s" % (paths[k], resp.status, body[:300]))
        if k:   # the first is a warm-up
            times.append(t1 - t0)
        size = len(body)
    return {"median": statistics.median(times), "min": min(times), "max": max(times), "runs": len(times),
            "bytes": size}


def measure(pv, prof, runs, use_hf, serve, tmp):
    db = os.path.join(tmp, "store.db")
    rm_store(db)
    r = subprocess.run([pv, "--db", db, "import", prof], capture_output=True, text=True)
    if r.returncode:
        die("import failed: %s" % r.stderr)
    pid = int(r.stdout.split()[0])
    outs = {"icicle": os.path.join(tmp, "x.html"), "folded": os.path.join(tmp, "x.folded"),
            "speedscope": os.path.join(tmp, "x.speedscope.json")}
    cmds = {"load": [pv, "--db", db, "callgraph", str(pid), "-n", "100", "-e", "100"],
            "icicle": [pv, "--db", db, "icicle", str(pid), "-o", outs["icicle"]],
            "folded": [pv, "--db", db, "export", str(pid), "--to", "folded", "-o", outs["folded"]],
            "speedscope": [pv, "--db", db, "export", str(pid), "--to", "speedscope", "-o", outs["speedscope"]]}
    res, notes = {}, {}
    for case, cmd in cmds.items():
        r = subprocess.run(cmd, capture_output=True, text=True)     # once, for the note and the size
        if r.returncode:
            die("%s failed: %s" % (case, r.stderr))
        notes[case] = [l for l in r.stderr.splitlines() if "bounded" in l]
        res[case] = (time_hyperfine(cmd, runs, 1, None, case) if use_hf else time_python(cmd, runs, 1))
        if case in outs:
            res[case]["bytes"] = os.path.getsize(outs[case])
    if serve:
        func = heaviest_function(pv, db, pid)
        proc, host, port = start_server(pv, db)
        try:
            base = "/api/profiles/%d" % pid
            res["serve icicle"] = time_requests(
                host, port, ["%s/icicle?depth=24&max_nodes=%d" % (base, 200000 - k) for k in range(runs + 1)], runs)
            res["serve sandwich"] = time_requests(
                host, port, ["%s/sandwich?func=%d&max_nodes=%d" % (base, func, 2000000 - k) for k in range(runs + 1)],
                runs)
        finally:
            proc.terminate()
            proc.wait()
    rm_store(db)
    return res, notes


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("profview", nargs="?", default=os.path.join(ROOT, "build", "profview"))
    ap.add_argument("--profile", help="the .prof to measure (default bench/out/big.prof)")
    ap.add_argument("--sizes", help="function counts to make and measure instead, e.g. 10000,50000,200000")
    ap.add_argument("--runs", type=int, default=5, help="timed runs per case (default 5)")
    ap.add_argument("--no-hyperfine", action="store_true", help="time with Python even if hyperfine exists")
    ap.add_argument("--no-serve", action="store_true", help="leave out the served icicle and sandwich")
    ap.add_argument("--json", help="also write the results here")
    a = ap.parse_args()
    pv = os.path.abspath(a.profview)
    if not os.access(pv, os.X_OK):
        die("no profview binary at %s (build it: ninja -C build)" % pv)
    os.makedirs(OUT, exist_ok=True)
    profiles = []
    if a.sizes:
        for n in [int(x) for x in a.sizes.split(",") if x.strip()]:
            p = os.path.join(OUT, "derived-%d.prof" % n)
            if not os.path.exists(p):
                print("generating %s ..." % p, flush=True)
                subprocess.run([sys.executable, os.path.join(HERE, "make_big_profile.py"), "--functions", str(n),
                                "--out", p], check=True)
            profiles.append(p)
    else:
        p = a.profile or os.path.join(OUT, "big.prof")
        if not os.path.exists(p):
            if a.profile:
                die("no such profile: %s" % p)
            subprocess.run([sys.executable, os.path.join(HERE, "make_big_profile.py"), "--out", p], check=True)
        profiles.append(p)
    use_hf = shutil.which("hyperfine") and not a.no_hyperfine
    print("profview  %s" % pv)
    print("timing    %s, %d runs, median" % ("hyperfine -N" if use_hf else "Python loop", a.runs))
    tmp = os.path.join(OUT, "bench-derived-%d" % os.getpid())
    os.makedirs(tmp, exist_ok=True)
    results = []
    try:
        for prof in profiles:
            size, nfuncs, nedges, ncalls, _ = profile_facts(prof)
            print("\n%s: %d bytes, %d functions, %d edges, %d calls (load average %s)"
                  % (prof, size, nfuncs, nedges, ncalls, loadavg()))
            res, notes = measure(pv, prof, a.runs, use_hf, not a.no_serve, tmp)
            load = res["load"]["median"]
            print("  %-15s %9s %9s %9s %12s  %s" % ("case", "median s", "min s", "- load s", "output", "target"))
            for case in CASES:
                if case not in res:
                    continue
                r = res[case]
                net = r["median"] - load if case != "load" else r["median"]
                verdict = "" if case == "load" else ("PASS" if net <= TARGET else "MISS") + " (<= %.1f s)" % TARGET
                out = "%.1f MB" % (r["bytes"] / 1e6) if "bytes" in r else ""
                print("  %-15s %9.3f %9.3f %9.3f %12s  %s" % (case, r["median"], r["min"], net, out, verdict))
            for line in sorted({l for v in notes.values() for l in v}):
                print("  " + line)
            results.append({"profile": prof, "bytes": size, "functions": nfuncs, "edges": nedges,
                            "results": res, "notes": notes})
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    if len(results) > 1:
        print("\ngrowth: ms per 1000 functions + edges, median - load")
        print("  %-15s " % "case" + " ".join("%10s" % ("%dk" % (r["functions"] // 1000)) for r in results))
        for case in CASES[1:]:
            if case not in results[0]["results"]:
                continue
            row = []
            for r in results:
                net = r["results"][case]["median"] - r["results"]["load"]["median"]
                row.append("%10.3f" % (1000 * net / ((r["functions"] + r["edges"]) / 1000)))
            print("  %-15s " % case + " ".join(row))
    if a.json:
        with open(a.json, "w") as f:
            json.dump(results, f, indent=1)
    return 0


if __name__ == "__main__":
    sys.exit(main())

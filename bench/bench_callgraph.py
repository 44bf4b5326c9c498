#!/usr/bin/env python3
"""Benchmark 'profview callgraph' against a gprof2dot-equivalent, and 'profview icicle' on a 1M-node tree.

callgraph, on the large real cProfile profile bench/out/big.prof (~200k
functions, the file bench_sort.py and bench_analysis.py use):

  reference    python3 bench/ref_callgraph.py BIG      (what gprof2dot -f pstats does: pstats load,
                                                         ratios, -n 0.5 / -e 0.1 pruning, DOT out)
  cold         profview --db FRESH.db callgraph BIG     (new empty store every run: import + graph)
  warm (path)  the same against a store already holding BIG (found by path+size+mtime)
  warm (id)    profview --db STORE.db callgraph ID

icicle, on a folded file whose call tree has ~1M nodes (make_big_folded.py
--size 150M --stacks 100000: 1,008,976 nodes):

  cold         profview --db FRESH.db icicle FOLDED -o OUT.html   (import + page)
  warm (id)    profview --db STORE.db icicle ID -o OUT.html        (the page alone)

plus the page's size. Uses hyperfine when installed (else a Python timing
loop); the number reported is the median. Targets: callgraph cold and warm
<= 0.05 x the reference (20 x faster); icicle warm < 1 s and the page < 40 MB.
Before timing, the graph profview draws is compared with the reference's
(both parsed by Graphviz, `dot -Kosage -Tjson`): the functions and calls kept
and their labels (reported, never fatal). A benchmark, not a test: exits 0
whether the targets are met or not (non-zero only when it cannot run).

  bench/bench_callgraph.py [PROFVIEW] [--quick] [--profile FILE] [--folded FILE]
                           [--runs N] [--ref-runs N] [--no-icicle] [--no-hyperfine] [--json FILE]

PROFVIEW defaults to build/profview (use a release build for numbers:
meson setup build-release --buildtype=release && ninja -C build-release).
--quick uses bench/out/quick.prof (20k functions) and a ~100k-node folded file.
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

TARGET_RATIO = 0.05
TARGET_ICICLE_S = 1.0
TARGET_ICICLE_BYTES = 40 * 10**6
CG_CASES = ("ref", "cold", "warm_path", "warm_id")
CASE_LABEL = {"ref": "ref_callgraph.py", "cold": "profview cold", "warm_path": "profview warm (path)",
              "warm_id": "profview warm (id)"}


def die(msg):
    print("bench_callgraph: " + msg, file=sys.stderr)
    sys.exit(2)


def graph_of(dot_bytes):
    """{name line: label lines}, {(caller name, callee name): label lines} of a DOT text, as
    Graphviz reads it; built-ins named as gprof2dot does ('~:0:<...>') are shown by name."""
    r = subprocess.run(["dot", "-Kosage", "-Tjson"], input=dot_bytes, capture_output=True)
    if r.returncode != 0:
        raise ValueError("dot -Tjson: %s" % r.stderr.decode(errors="replace")[:200])
    js = json.loads(r.stdout)
    texts = lambda o: [op["text"] for op in o.get("_ldraw_", []) if op.get("op") == "T"]  # noqa: E731
    byid, nodes = {}, {}
    for o in js.get("objects", []):
        lines = texts(o)
        if not lines:
            continue
        name = lines[0][4:] if lines[0].startswith("~:0:") else lines[0]
        byid[o["_gvid"]] = name
        nodes[name] = lines[1:]
    edges = {(byid[e["tail"]], byid[e["head"]]): texts(e) for e in js.get("edges", [])}
    return nodes, edges


def compare_graphs(ref_dot, pv_dot):
    try:
        rn, re_ = graph_of(ref_dot)
        pn, pe = graph_of(pv_dot)
    except (ValueError, KeyError) as e:
        return {"checked": False, "why": str(e)}
    res = {"checked": True, "ref_functions": len(rn), "pv_functions": len(pn), "ref_calls": len(re_),
           "pv_calls": len(pe)}
    problems = []
    only_r, only_p = sorted(set(rn) - set(pn)), sorted(set(pn) - set(rn))
    if only_r or only_p:
        problems.append("functions only in the reference: %d %s; only in profview: %d %s"
                        % (len(only_r), only_r[:3], len(only_p), only_p[:3]))
    lab = [k for k in set(rn) & set(pn) if rn[k] != pn[k]]
    if lab:
        k = sorted(lab)[0]
        problems.append("%d function labels differ, e.g. %s: reference %r, profview %r" % (len(lab), k, rn[k], pn[k]))
    only_r, only_p = sorted(set(re_) - set(pe)), sorted(set(pe) - set(re_))
    if only_r or only_p:
        problems.append("calls only in the reference: %d %s; only in profview: %d %s"
                        % (len(only_r), only_r[:2], len(only_p), only_p[:2]))
    lab = [k for k in set(re_) & set(pe) if re_[k] != pe[k]]
    pct = [k for k in lab if re_[k][:1] != pe[k][:1]]
    if lab:
        k = sorted(lab)[0]
        problems.append("%d call labels differ (%d in the share), e.g. %s -> %s: reference %r, profview %r"
                        % (len(lab), len(pct), k[0], k[1], re_[k], pe[k]))
    res["same"] = not problems
    res["problems"] = problems
    return res


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("profview", nargs="?", default=os.path.join(ROOT, "build", "profview"))
    ap.add_argument("--quick", action="store_true", help="20k-function profile, ~100k-node folded file")
    ap.add_argument("--profile", help="use this .prof instead of the generated one")
    ap.add_argument("--folded", help="use this folded file for icicle instead of the generated one")
    ap.add_argument("--runs", type=int, default=0, help="timed runs per profview case (default 10 cold, 20 warm)")
    ap.add_argument("--ref-runs", type=int, default=0, help="timed runs of the reference (default 5, --quick 3)")
    ap.add_argument("--warmup", type=int, default=1, help="untimed runs first (default 1)")
    ap.add_argument("--no-icicle", action="store_true", help="skip the icicle part")
    ap.add_argument("--no-hyperfine", action="store_true", help="time with Python even if hyperfine exists")
    ap.add_argument("--json", help="also write the results here")
    a = ap.parse_args()

    pv = os.path.abspath(a.profview)
    if not os.access(pv, os.X_OK):
        die("no profview binary at %s (build it: ninja -C build)" % pv)
    if subprocess.run([pv, "callgraph", "--help"], capture_output=True).returncode != 0:
        die("%s has no callgraph command" % pv)
    if not shutil.which("dot"):
        die("Graphviz's dot is needed for the output check")
    os.makedirs(OUT, exist_ok=True)
    tag = "quick" if a.quick else "big"
    prof = a.profile or os.path.join(OUT, tag + ".prof")
    if a.profile and not os.path.exists(prof):
        die("no such profile: %s" % prof)
    if not os.path.exists(prof):
        print("generating %s ..." % prof, flush=True)
        subprocess.run([sys.executable, os.path.join(HERE, "make_big_profile.py"), "--out", prof]
                       + (["--quick"] if a.quick else []), check=True)
    prof = os.path.abspath(prof)
    facts = profile_facts(prof)

    stacks, size = (10000, "15M") if a.quick else (100000, "150M")
    folded = a.folded or os.path.join(OUT, "folded-%ds-%s-runs.folded" % (stacks, size))
    if not a.no_icicle and not os.path.exists(folded):
        if a.folded:
            die("no such folded file: %s" % folded)
        print("generating %s ..." % folded, flush=True)
        subprocess.run([sys.executable, os.path.join(HERE, "make_big_folded.py"), "--size", size,
                        "--stacks", str(stacks), "--out", folded], check=True)
    folded = os.path.abspath(folded)
    side = {}
    if os.path.exists(folded + ".json"):
        with open(folded + ".json") as f:
            side = json.load(f)

    cold_db = os.path.join(OUT, "bench-callgraph-%s-cold.db" % tag)
    warm_db = os.path.join(OUT, "bench-callgraph-%s-warm.db" % tag)
    html = os.path.join(OUT, "bench-callgraph-%s-icicle.html" % tag)
    py = sys.executable or "python3"

    rm_store(warm_db)
    r = subprocess.run([pv, "--db", warm_db, "import", prof] + ([] if a.no_icicle else [folded]),
                       capture_output=True, text=True)
    ids = r.stdout.split()
    if r.returncode != 0 or len(ids) != (1 if a.no_icicle else 2):
        die("profview import failed (exit %d, output %r): %s" % (r.returncode, r.stdout, r.stderr))
    id_prof = ids[0]
    id_folded = None if a.no_icicle else ids[1]

    cmds = {"ref": [py, os.path.join(HERE, "ref_callgraph.py"), prof],
            "cold": [pv, "--db", cold_db, "callgraph", prof],
            "warm_path": [pv, "--db", warm_db, "callgraph", prof],
            "warm_id": [pv, "--db", warm_db, "callgraph", id_prof]}
    icmds = {} if a.no_icicle else {
        "cold": [pv, "--db", cold_db, "icicle", folded, "-o", html],
        "warm_id": [pv, "--db", warm_db, "icicle", id_folded, "-o", html]}

    # the output check, once, untimed
    ref_out = subprocess.run(cmds["ref"], capture_output=True)
    if ref_out.returncode != 0:
        die("the reference failed: %s" % ref_out.stderr.decode(errors="replace")[-300:])
    failed = {}
    pv_out = None
    rm_store(cold_db)
    for case in ("cold", "warm_path", "warm_id"):
        r = subprocess.run(cmds[case], capture_output=True)
        if r.returncode != 0:
            failed[case] = "exit %d: %s" % (r.returncode, r.stderr.decode(errors="replace").strip()[:300])
        elif pv_out is None:
            pv_out = r.stdout
        elif r.stdout != pv_out:
            failed[case] = "output differs from the cold run's"
    check = compare_graphs(ref_out.stdout, pv_out) if pv_out is not None else {"checked": False,
                                                                                 "why": "every case failed"}
    html_bytes = None
    if icmds:
        rm_store(cold_db)
        for case in ("cold", "warm_id"):
            r = subprocess.run(icmds[case], capture_output=True)
            if r.returncode != 0:
                failed["icicle_" + case] = "exit %d: %s" % (r.returncode, r.stderr.decode(errors="replace").strip()[:300])
        if os.path.exists(html):
            html_bytes = os.path.getsize(html)

    use_hf = shutil.which("hyperfine") and not a.no_hyperfine
    d_ref, d_cold, d_warm = (3, 5, 10) if a.quick else (5, 10, 20)
    nruns = {"ref": a.ref_runs or d_ref, "cold": a.runs or d_cold, "warm_path": a.runs or d_warm,
             "warm_id": a.runs or d_warm}
    if use_hf:
        t = lambda cmd, n, prep=None, label="": time_hyperfine(cmd, n, a.warmup, prep, label)  # noqa: E731
        prep_cold = ["rm", "-f", cold_db, cold_db + "-wal", cold_db + "-shm"]
    else:
        t = lambda cmd, n, prep=None, label="": time_python(cmd, n, a.warmup, prep)  # noqa: E731
        prep_cold = lambda: rm_store(cold_db)  # noqa: E731

    print("PROFILE   %s" % prof)
    print("          %d bytes (%.1f MiB), %d functions, %d edges, %d calls"
          % (facts[0], facts[0] / 2**20, facts[1], facts[2], facts[3]))
    if icmds:
        print("FOLDED    %s" % folded)
        print("          %d bytes, %s distinct stacks, %s call-tree nodes"
              % (os.path.getsize(folded), side.get("distinct_stacks", "?"), side.get("tree_nodes", "?")))
    print("profview  %s" % pv)
    print("python    %s (%s)" % (py, sys.version.split()[0]))
    print("load avg  %s (at start; other work on the machine skews the numbers)" % loadavg())
    print("timing    %s" % ("hyperfine (median of runs)" if use_hf else "python subprocess (median of runs)"),
          flush=True)

    res = {"callgraph": {}, "icicle": {}}
    for case in CG_CASES:
        if case in failed:
            res["callgraph"][case] = {"status": "failed", "why": failed[case]}
            continue
        try:
            r = t(cmds[case], nruns[case], prep_cold if case == "cold" else None, label="callgraph " + case)
            r["status"] = "ok"
        except CommandFailed as e:
            if case == "ref":
                die("the reference failed while timing: %s" % e)
            r = {"status": "failed", "why": str(e)}
        r["command"] = " ".join(shellquote(x) for x in cmds[case])
        res["callgraph"][case] = r
        print("  callgraph %-22s %s" % (CASE_LABEL[case], "%.4f s" % r["median"] if r["status"] == "ok"
                                        else r["status"]), flush=True)
    for case, cmd in icmds.items():
        if "icicle_" + case in failed:
            res["icicle"][case] = {"status": "failed", "why": failed["icicle_" + case]}
            continue
        try:
            r = t(cmd, nruns[case], prep_cold if case == "cold" else None, label="icicle " + case)
            r["status"] = "ok"
        except CommandFailed as e:
            r = {"status": "failed", "why": str(e)}
        r["command"] = " ".join(shellquote(x) for x in cmd)
        res["icicle"][case] = r
        print("  icicle    %-22s %s" % (CASE_LABEL[case], "%.4f s" % r["median"] if r["status"] == "ok"
                                        else r["status"]), flush=True)
    rm_store(cold_db)
    rm_store(warm_db)
    print("load avg  %s (at end)" % loadavg())

    print()
    print("%-10s %-22s %10s %10s %10s %5s %9s %8s  %s"
          % ("command", "case", "median s", "min s", "stddev", "runs", "ratio", "target", "verdict"))
    verdicts = {}
    refm = res["callgraph"]["ref"]["median"]
    for case in CG_CASES:
        r = res["callgraph"][case]
        if r["status"] != "ok":
            print("%-10s %-22s %10s %10s %10s %5s %9s %8s  FAILED: %s"
                  % ("callgraph", CASE_LABEL[case], "-", "-", "-", "-", "-", "<=%.2fx" % TARGET_RATIO, r["why"]))
            verdicts[case] = "failed"
            continue
        ratio = r["median"] / refm
        r["ratio"] = ratio
        if case == "ref":
            tgt = verdict = "-"
        else:
            tgt = "<=%.2fx" % TARGET_RATIO
            verdict = verdicts[case] = "PASS" if ratio <= TARGET_RATIO else "MISS"
        print("%-10s %-22s %10.4f %10.4f %10.4f %5d %8.4fx %8s  %s"
              % ("callgraph", CASE_LABEL[case], r["median"], r["min"], r["stddev"], r["runs"], ratio, tgt, verdict))
    for case in icmds:
        r = res["icicle"][case]
        if r["status"] != "ok":
            print("%-10s %-22s FAILED: %s" % ("icicle", CASE_LABEL[case], r["why"]))
            verdicts["icicle_" + case] = "failed"
            continue
        if case == "warm_id":
            tgt = "<%.1f s" % TARGET_ICICLE_S
            verdict = verdicts["icicle_" + case] = "PASS" if r["median"] < TARGET_ICICLE_S else "MISS"
        else:
            tgt = verdict = "-"
        print("%-10s %-22s %10.4f %10.4f %10.4f %5d %9s %8s  %s"
              % ("icicle", CASE_LABEL[case], r["median"], r["min"], r["stddev"], r["runs"], "-", tgt, verdict))
    print()
    print("callgraph needs cold and warm <= %.3f s (reference median %.3f s)" % (refm * TARGET_RATIO, refm))
    if html_bytes is not None:
        verdicts["icicle_size"] = "PASS" if html_bytes < TARGET_ICICLE_BYTES else "MISS"
        print("icicle    page %d bytes (%.1f MB) for %s call-tree nodes: target < %d MB, %s"
              % (html_bytes, html_bytes / 1e6, side.get("tree_nodes", "?"), TARGET_ICICLE_BYTES // 10**6,
                 verdicts["icicle_size"]))
    if not check["checked"]:
        print("output    not checked (%s)" % check["why"])
    elif check["same"]:
        print("output    profview's graph = the reference's: %d functions, %d calls, same labels"
              % (check["ref_functions"], check["ref_calls"]))
    else:
        print("output    %d/%d functions, %d/%d calls (reference/profview); differs: %s"
              % (check["ref_functions"], check["pv_functions"], check["ref_calls"], check["pv_calls"],
                 "; ".join(check["problems"])))
    for k, v in failed.items():
        if k in ("warm_path", "warm_id") and "differs" in v:
            print("output    %s: %s" % (k, v))
    if a.json:
        with open(a.json, "w") as f:
            json.dump({"profile": {"path": prof, "bytes": facts[0], "functions": facts[1], "edges": facts[2],
                                   "calls": facts[3]},
                       "folded": None if a.no_icicle else {"path": folded, "bytes": os.path.getsize(folded),
                                                           "tree_nodes": side.get("tree_nodes")},
                       "profview": pv, "hyperfine": bool(use_hf), "results": res, "verdicts": verdicts,
                       "icicle_html_bytes": html_bytes, "output_check": check,
                       "targets": {"ratio": TARGET_RATIO, "icicle_s": TARGET_ICICLE_S,
                                   "icicle_bytes": TARGET_ICICLE_BYTES}}, f, indent=2)
    try:
        os.unlink(html)
    except OSError:
        pass
    return 0


if __name__ == "__main__":
    sys.exit(main())

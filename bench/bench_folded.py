#!/usr/bin/env python3
"""Benchmark 'profview import' of large folded-stacks files: throughput, peak memory,
memory against file size and distinct stacks, and flamegraph.pl-style references.

Cases (each file is made by make_big_folded.py into bench/out/ when missing):
  headline   profview --db FRESH import BIG      (BIG: --size, --stacks, --order runs)
  orders     the same content with lines sorted, and shuffled
  scaling    the same distinct stacks at --scale sizes (default 100M,300M + BIG), then
             BIG's size with --wide x the distinct stacks: peak RSS should stay flat
             across sizes and grow with the stacks; wide-first: the same stacks with
             a first run that holds every stack once (--coverage first)
  floor      a 3-line file: profview's RSS with no profile to speak of
  refs       on BIG: cat (the read ceiling), perl ref_fold.pl (flamegraph.pl's input
             phase), python ref_fold.py --mode flamegraph / --mode dict, mawk hash
             aggregation, LC_ALL=C sort | mawk; and ref_fold.pl / --mode dict on the
             smaller scaling files once each for their RSS

Every profview run gets a fresh store (the store file and its -wal/-shm deleted before
the run, untimed): the same content imported twice would be deduplicated, not re-read.
Each file is read once before its runs so that it is in the page cache: MB/s is parse +
import throughput, not disk speed. Wall and CPU time and the peak RSS come from
os.wait4() on the child. MB = 10^6 bytes. The first import of every profview case is
checked against the generator's facts (samples, functions, call-tree nodes).

Targets (from the issue): >= 500 MB/s (median wall, headline file) and memory
proportional to distinct stacks, not file size. A benchmark, not a test: exits 0
whether the targets are met or not (non-zero only when it cannot run).

  bench/bench_folded.py [PROFVIEW] [--quick] [--size 600M] [--stacks 50000]
                        [--runs 5] [--ref-runs 3] [--db-dir DIR] [--json FILE]
                        [--no-refs] [--no-orders] [--no-scaling]
"""

import argparse
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
OUT = os.path.join(HERE, "out")
sys.path.insert(0, HERE)
from bench_common import loadavg, rm_store  # noqa: E402
from make_big_folded import GENERATOR_VERSION, parse_size, size_label  # noqa: E402

TARGET_MBPS = 500.0
AWK_HASH = r'{n=$NF; sub(/[ \t]+[^ \t]+$/, ""); s[$0]+=n} END {for (k in s) {t+=s[k]; d++}; print d, t}'
AWK_ADJ = (r'{n=$NF; sub(/[ \t]+[^ \t]+$/, ""); if ($0 != p) {if (NR>1) {d++; t+=c}; p=$0; c=0}; c+=n} '
           r'END {d++; t+=c; print d, t}')


def die(msg):
    print("bench_folded: " + msg, file=sys.stderr)
    sys.exit(2)


def cpu_pressure():
    try:
        return open("/proc/pressure/cpu").readline().split()[1]  # some avg10=..
    except (OSError, IndexError):
        return "?"


TIME = "/usr/bin/time"


def run_once(cmd, shell=False, env=None):
    """One run: (wall s, cpu s, peak RSS KiB, stdout text); dies on failure.

    The peak RSS comes from GNU time (%M) around the command: a child forked or
    vforked by this Python process starts with Python's own RSS as its maximum
    (Linux carries the pre-exec high-water mark into ru_maxrss), which would hide
    anything smaller. Wall time is perf_counter around the whole; CPU time is
    user + system from os.wait4() (time's own share is negligible)."""
    if shell:
        cmd = ["/bin/sh", "-c", cmd]
    use_time = os.access(TIME, os.X_OK)
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err, \
            tempfile.NamedTemporaryFile("r", suffix=".time") as tf:
        argv = [TIME, "-f", "%M", "-o", tf.name, "--"] + cmd if use_time else cmd
        t0 = time.perf_counter()
        p = subprocess.Popen(argv, stdout=out, stderr=err, env=env)
        _, status, ru = os.wait4(p.pid, 0)
        t1 = time.perf_counter()
        p.returncode = os.waitstatus_to_exitcode(status)
        if p.returncode != 0:
            err.seek(0)
            die("command failed (%d): %s\n%s" % (p.returncode, " ".join(cmd),
                                                 err.read().decode(errors="replace")[-2000:]))
        out.seek(0)
        text = out.read(1 << 20).decode(errors="replace")
        maxrss = ru.ru_maxrss
        if use_time:
            lines = [l for l in tf.read().split("\n") if l.strip()]
            maxrss = int(lines[-1])
    return t1 - t0, ru.ru_utime + ru.ru_stime, maxrss, text


def summarize(xs):
    return {"median": statistics.median(xs), "min": min(xs), "max": max(xs), "all": xs}


def measure(cmd, runs, warmup, prepare=None, shell=False, env=None, first=None):
    """Times cmd runs times after warmup untimed runs; first(stdout) sees the first run's output."""
    walls, cpus, rss = [], [], []
    for k in range(warmup + runs):
        if prepare:
            prepare()
        wall, cpu, maxrss, text = run_once(cmd, shell=shell, env=env)
        if k == 0 and first:
            first(text)
        if k >= warmup:
            walls.append(wall)
            cpus.append(cpu)
            rss.append(maxrss)
    return {"wall": summarize(walls), "cpu": summarize(cpus), "rss_kib": max(rss), "runs": runs}


def warm_cache(path):
    with open(path, "rb", buffering=0) as f:
        while f.read(1 << 23):
            pass


def ensure_file(size, stacks, order, seed, frames, coverage="spread"):
    """The generated file for these arguments, made (or remade, when its sidecar
    says it came from other arguments or an older generator) in bench/out/."""
    path = os.path.join(OUT, "folded-%ds-%s-%s.folded" % (stacks, size_label(size), order))
    if seed != 1 or frames != 4000 or coverage != "spread":
        path = path.replace(".folded", "-seed%d-f%d-%s.folded" % (seed, frames, coverage))
    want = {"generator": GENERATOR_VERSION, "target_size": size, "distinct_stacks": stacks, "order": order,
            "seed": seed, "frames_arg": frames, "coverage": coverage}
    facts = None
    try:
        with open(path + ".json") as f:
            facts = json.load(f)
        if any(facts.get(k) != v for k, v in want.items()) or os.path.getsize(path) != facts["bytes"]:
            facts = None
    except (OSError, ValueError, KeyError):
        facts = None
    if facts is None:
        print("generating %s ..." % os.path.relpath(path), flush=True)
        subprocess.run([sys.executable, os.path.join(HERE, "make_big_folded.py"), "--size", str(size),
                        "--stacks", str(stacks), "--order", order, "--seed", str(seed), "--frames", str(frames),
                        "--coverage", coverage, "--out", path], check=True)
        os.sync()  # the new file's dirty pages would otherwise be flushed during a timed fsync
        with open(path + ".json") as f:
            facts = json.load(f)
    facts["file"] = path
    return facts


HEADER_RE = re.compile(r"([\d.]+) samples, (\d+) functions, (\d+) call-tree nodes")


class Profview:
    def __init__(self, exe, db_dir):
        self.exe = exe
        self.db = os.path.join(db_dir, "bench-folded.db")
        self.checks = []

    def case(self, facts, runs, warmup, label):
        db = self.db
        cmd = [self.exe, "--db", db, "import", facts["file"]]
        result = {}

        def first(text):
            ids = text.split()
            if not ids:
                die("profview import printed no id")
            r = subprocess.run([self.exe, "--db", db, "sort", ids[0], "--limit", "1"], capture_output=True,
                               text=True)
            m = HEADER_RE.search(r.stdout)
            got = (float(m.group(1)), int(m.group(2)), int(m.group(3))) if m else None
            want = (float(facts["total_samples"]), facts["distinct_frames"], facts["tree_nodes"])
            ok = got == want
            result["check"] = {"ok": ok, "got": got, "want": want}
            self.checks.append((label, ok, got, want))

        warm_cache(facts["file"])
        res = measure(cmd, runs, warmup, prepare=lambda: rm_store(db), first=first)
        res.update(result)
        rm_store(db)
        return res


def mbps(nbytes, secs):
    return nbytes / 1e6 / secs if secs > 0 else float("inf")


def fmt_case(name, facts, res, ref_med=None):
    b = facts["bytes"]
    w, c = res["wall"], res["cpu"]
    row = "%-34s %7.1f %8d %7d %8d %7.3f %7.3f %7.3f %7.0f %7.0f %8.1f" % (
        name, b / 1e6, facts["lines"], facts["distinct_stacks"], facts["tree_nodes"], w["min"], w["median"],
        c["median"], mbps(b, w["min"]), mbps(b, w["median"]), res["rss_kib"] / 1024)
    if "check" in res:
        row += "  " + ("ok" if res["check"]["ok"] else "MISMATCH")
    if ref_med is not None:
        row += "  %6.2f" % (w["median"] / ref_med)
    return row


HDR = "%-34s %7s %8s %7s %8s %7s %7s %7s %7s %7s %8s" % (
    "case", "MB", "lines", "stacks", "nodes", "best s", "med s", "cpu s", "MB/s", "MB/s", "RSS MiB")
HDR2 = "%-34s %7s %8s %7s %8s %7s %7s %7s %7s %7s %8s" % ("", "", "", "", "", "", "", "(med)", "best", "med", "peak")


def build_info(exe):
    info = {"path": exe}
    try:
        info["mtime"] = time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(os.path.getmtime(exe)))
        opts = os.path.join(os.path.dirname(exe), "meson-info", "intro-buildoptions.json")
        with open(opts) as f:
            for o in json.load(f):
                if o["name"] in ("buildtype", "b_ndebug"):
                    info[o["name"]] = o["value"]
    except (OSError, ValueError, KeyError):
        pass
    try:
        info["git"] = subprocess.run(["git", "-C", ROOT, "describe", "--always", "--dirty"], capture_output=True,
                                     text=True).stdout.strip()
    except OSError:
        pass
    return info


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("profview", nargs="?", default=os.path.join(ROOT, "build", "profview"))
    ap.add_argument("--quick", action="store_true", help="60M file, 20M/40M scaling, 5k stacks: a smoke run")
    ap.add_argument("--size", type=parse_size, help="headline file size (default 600M)")
    ap.add_argument("--stacks", type=int, help="distinct stacks (default 50000)")
    ap.add_argument("--scale", help="other sizes with the same stacks, comma-separated (default 100M,300M)")
    ap.add_argument("--wide", type=int, default=4, help="stacks multiplier of the wide file (default 4)")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--frames", type=int, default=4000)
    ap.add_argument("--runs", type=int, default=5, help="timed profview runs per case (default 5)")
    ap.add_argument("--ref-runs", type=int, default=3, help="timed runs per reference (default 3)")
    ap.add_argument("--warmup", type=int, default=1, help="untimed profview runs first (default 1)")
    ap.add_argument("--db-dir", default=OUT, help="where the fresh stores go (default bench/out; /dev/shm "
                    "takes the disk's fsync out of the numbers)")
    ap.add_argument("--no-refs", action="store_true")
    ap.add_argument("--no-orders", action="store_true")
    ap.add_argument("--no-scaling", action="store_true")
    ap.add_argument("--json", help="write the results here (default bench/out/bench_folded-<tag>.json)")
    a = ap.parse_args()

    pv = os.path.abspath(a.profview)
    if not os.access(pv, os.X_OK):
        die("no profview binary at %s (build it: ninja -C build)" % pv)
    size = a.size or parse_size("60M" if a.quick else "600M")
    stacks = a.stacks or (5000 if a.quick else 50000)
    scale = [parse_size(s) for s in (a.scale or ("20M,40M" if a.quick else "100M,300M")).split(",") if s]
    os.makedirs(OUT, exist_ok=True)
    os.makedirs(a.db_dir, exist_ok=True)
    tag = "quick" if a.quick else "%s-%ds" % (size_label(size), stacks)
    jpath = a.json or os.path.join(OUT, "bench_folded-%s.json" % tag)

    big = ensure_file(size, stacks, "runs", a.seed, a.frames)
    files = {"big": big}
    if not a.no_orders:
        for o in ("sorted", "shuffled"):
            files[o] = ensure_file(size, stacks, o, a.seed, a.frames)
    if not a.no_scaling:
        for s in scale:
            files["scale-%s" % size_label(s)] = ensure_file(s, stacks, "runs", a.seed, a.frames)
        files["wide"] = ensure_file(size, stacks * a.wide, "runs", a.seed, a.frames)
        # the same stacks, but the file starts with one run holding every stack
        # once (one big collapsed file, then more runs appended)
        files["wide-first"] = ensure_file(size, stacks * a.wide, "runs", a.seed, a.frames, "first")
    tiny = os.path.join(OUT, "tiny.folded")
    with open(tiny, "w") as f:
        f.write("main (app.py:1);work (app.py:5) 3\nmain (app.py:1);idle (app.py:9) 2\nmain (app.py:1) 1\n")
    files["floor"] = {"file": tiny, "bytes": os.path.getsize(tiny), "lines": 3, "distinct_stacks": 3,
                      "tree_nodes": 3, "distinct_frames": 3, "total_samples": 6}

    info = build_info(pv)
    print("profview folded import benchmark")
    print("  binary   %s (%s%s)" % (pv, info.get("buildtype", "?"), ", built " + info["mtime"] if "mtime" in info else ""))
    print("  source   %s   store dir %s" % (info.get("git", "?"), a.db_dir))
    print("  big file %s: %.1f MB, %d lines, %d distinct stacks, %d frames, %d call-tree nodes, depth %d-%d "
          "(mean %.1f), %.0f B/line" % (os.path.relpath(big["file"]), big["bytes"] / 1e6, big["lines"],
                                        big["distinct_stacks"], big["distinct_frames"], big["tree_nodes"],
                                        big["min_depth"], big["max_depth"], big["mean_depth"], big["mean_line_bytes"]))
    print("  load     %s   cpu pressure %s   runs %d (+%d warmup), refs %d" % (
        loadavg(), cpu_pressure(), a.runs, a.warmup, a.ref_runs), flush=True)

    P = Profview(pv, a.db_dir)
    results = {"env": {"profview": info, "loadavg_start": loadavg(), "cpu_pressure_start": cpu_pressure(),
                       "nproc": os.cpu_count(), "db_dir": a.db_dir, "runs": a.runs, "ref_runs": a.ref_runs,
                       "warmup": a.warmup, "time": time.strftime("%Y-%m-%d %H:%M:%S")},
               "files": files, "profview": {}, "refs": {}, "ref_scaling": {}}

    order = ["big"] + [k for k in files if k not in ("big", "floor")] + ["floor"]
    for k in order:
        print("  profview %s ..." % k, flush=True)
        results["profview"][k] = P.case(files[k], a.runs if k != "floor" else max(3, a.runs), a.warmup, k)

    refs = []
    if not a.no_refs:
        f = big["file"]
        c_env = dict(os.environ, LC_ALL="C")
        refs.append(("cat (read ceiling)", ["cat", f], False, None, a.runs))
        if shutil.which("perl"):
            refs.append(("perl ref_fold.pl (flamegraph.pl)", ["perl", os.path.join(HERE, "ref_fold.pl"), f], False,
                         None, a.ref_runs))
        refs.append(("python ref_fold.py flamegraph", [sys.executable, os.path.join(HERE, "ref_fold.py"), "--mode",
                                                        "flamegraph", f], False, None, a.ref_runs))
        refs.append(("python ref_fold.py dict", [sys.executable, os.path.join(HERE, "ref_fold.py"), "--mode", "dict",
                                                  f], False, None, a.ref_runs))
        awk = shutil.which("mawk") or shutil.which("awk")
        if awk:
            refs.append(("%s hash aggregation" % os.path.basename(awk),
                         "%s '%s' %s" % (awk, AWK_HASH, f), True, c_env, a.ref_runs))
            refs.append(("sort | %s (adjacent)" % os.path.basename(awk),
                         "sort -S 4G %s | %s '%s'" % (f, awk, AWK_ADJ), True, c_env, a.ref_runs))
        warm_cache(f)
        for name, cmd, shell, env, runs in refs:
            print("  ref %s ..." % name, flush=True)
            out = {}

            def first(text, out=out):
                out["output"] = text.strip()[:300]
            res = measure(cmd, runs, 0, shell=shell, env=env, first=None if name.startswith("cat") else first)
            res["output"] = out.get("output", "")
            res["cmd"] = cmd if shell else " ".join(cmd)
            results["refs"][name] = res
        # the references' memory against file size (one run each)
        if not a.no_scaling:
            for k in [k for k in files if k.startswith("scale-")] + ["big", "wide"]:
                for name, cmd in (("perl ref_fold.pl (flamegraph.pl)", ["perl", os.path.join(HERE, "ref_fold.pl")]),
                                  ("python ref_fold.py dict", [sys.executable, os.path.join(HERE, "ref_fold.py"),
                                                               "--mode", "dict"])):
                    if name.startswith("perl") and not shutil.which("perl"):
                        continue
                    if k == "big" and name in results["refs"]:
                        results["ref_scaling"].setdefault(name, {})[k] = results["refs"][name]["rss_kib"]
                        continue
                    print("  ref %s on %s (RSS) ..." % (name, k), flush=True)
                    warm_cache(files[k]["file"])
                    _, _, rss, _ = run_once(cmd + [files[k]["file"]])
                    results["ref_scaling"].setdefault(name, {})[k] = rss

    results["env"]["loadavg_end"] = loadavg()
    results["env"]["cpu_pressure_end"] = cpu_pressure()

    # ---- report
    pvr = results["profview"]
    print()
    print("profview import (fresh store each run; MB/s = file MB / wall s)")
    print(HDR + "  check")
    print(HDR2)
    for k in order:
        print(fmt_case(k, files[k], pvr[k]))

    if results["refs"]:
        print()
        print("references on %s (ratio = profview median / reference median wall)" % os.path.relpath(big["file"]))
        print("%-34s %7s %7s %7s %7s %8s %9s %9s  %s" % ("", "best s", "med s", "cpu s", "MB/s", "RSS MiB",
                                                          "pv/ref", "speedup", "output"))
        pv_med = pvr["big"]["wall"]["median"]
        print("%-34s %7.3f %7.3f %7.3f %7.0f %8.1f %9s %9s" % (
            "profview import", pvr["big"]["wall"]["min"], pv_med, pvr["big"]["cpu"]["median"],
            mbps(big["bytes"], pv_med), pvr["big"]["rss_kib"] / 1024, "1", "1"))
        for name, r in results["refs"].items():
            med = r["wall"]["median"]
            r["ratio_profview_over_ref"] = pv_med / med
            print("%-34s %7.3f %7.3f %7.3f %7.0f %8.1f %9.3f %8.1fx  %s" % (
                name, r["wall"]["min"], med, r["cpu"]["median"], mbps(big["bytes"], med), r["rss_kib"] / 1024,
                pv_med / med, med / pv_med, r.get("output", "")[:60]))

    verdicts = {}
    head_mbps = mbps(big["bytes"], pvr["big"]["wall"]["median"])
    verdicts["throughput"] = {"mbps_median": head_mbps, "mbps_best": mbps(big["bytes"], pvr["big"]["wall"]["min"]),
                              "mbps_cpu": mbps(big["bytes"], pvr["big"]["cpu"]["median"]),
                              "target": TARGET_MBPS, "pass": head_mbps >= TARGET_MBPS}
    print()
    print("throughput  %.0f MB/s median wall (best %.0f; %.0f MB per CPU-second, both threads), target >= %.0f: %s" % (
        head_mbps, verdicts["throughput"]["mbps_best"], verdicts["throughput"]["mbps_cpu"], TARGET_MBPS,
        "PASS" if verdicts["throughput"]["pass"] else "MISS"))
    if not a.no_scaling:
        same = [k for k in files if k.startswith("scale-")] + ["big"]
        rss = {k: pvr[k]["rss_kib"] / 1024 for k in same + ["wide", "floor"]}
        floor = rss["floor"]
        flat = max(rss[k] for k in same) / min(rss[k] for k in same)
        grow = (rss["wide"] - floor) / max(1e-9, rss["big"] - floor)
        sizes = sorted(same, key=lambda k: files[k]["bytes"])
        lo, hi = sizes[0], sizes[-1]
        dt = pvr[hi]["wall"]["median"] - pvr[lo]["wall"]["median"]
        marginal = mbps(files[hi]["bytes"] - files[lo]["bytes"], dt) if dt > 0 else float("inf")
        fixed = pvr[lo]["wall"]["median"] - (files[lo]["bytes"] / 1e6) / marginal if dt > 0 else 0.0
        verdicts["memory"] = {"rss_mib": rss, "flat_ratio": flat, "wide_growth_over_floor": grow,
                              "stacks_factor": a.wide, "pass": flat <= 1.15 and grow >= 1.5}
        verdicts["marginal"] = {"mbps": marginal, "fixed_s": fixed, "from": lo, "to": hi}
        print("memory      peak RSS %s MiB for %s (same %d stacks): max/min %.2f; floor %.1f MiB;\n"
              "            %dx stacks at %s: %.1f MiB, %.2fx the same-stacks RSS above the floor: %s" % (
                  " / ".join("%.1f" % rss[k] for k in sizes), " / ".join(size_label(files[k]["target_size"])
                                                                          for k in sizes), stacks, flat, floor,
                  a.wide, size_label(size), rss["wide"], grow, "PASS" if verdicts["memory"]["pass"] else "MISS"))
        print("marginal    %.0f MB/s for the extra (mostly repeated) lines from %s to %s (median wall); the rest,"
              " ~%.3f s, is\n            the fixed cost of the first sight of every stack, tree finish, store and "
              "startup" % (marginal, lo, hi, fixed))
        for name, per in results["ref_scaling"].items():
            print("ref memory  %-32s %s MiB for %s, %.1f MiB with %dx stacks" % (
                name, " / ".join("%.0f" % (per[k] / 1024) for k in sizes if k in per),
                " / ".join(size_label(files[k]["target_size"]) for k in sizes if k in per),
                per.get("wide", 0) / 1024, a.wide))
    bad = [c for c in P.checks if not c[1]]
    if bad:
        for label, _, got, want in bad:
            print("CHECK MISMATCH %s: profview says samples/functions/nodes %s, generator %s" % (label, got, want))
    else:
        print("check       profview's samples, functions and call-tree nodes match the generator on all %d files"
              % len(P.checks))
    print("load        %s -> %s (cpu pressure %s -> %s): other work on this machine shows up in wall times" % (
        results["env"]["loadavg_start"], results["env"]["loadavg_end"], results["env"]["cpu_pressure_start"],
        results["env"]["cpu_pressure_end"]))
    results["verdicts"] = verdicts
    with open(jpath, "w") as f:
        json.dump(results, f, indent=1)
    print("json        %s" % os.path.relpath(jpath))
    return 0


if __name__ == "__main__":
    sys.exit(main())

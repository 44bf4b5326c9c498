"""What the benchmarks share: store clean-up, timing a command (hyperfine or a
Python loop, medians), the facts of a .prof file, the machine's load."""

import json
import marshal
import os
import statistics
import subprocess
import tempfile
import time


class CommandFailed(Exception):
    """A timed command (or hyperfine) exited non-zero."""


def rm_store(db):
    for suffix in ("", "-wal", "-shm"):
        try:
            os.unlink(db + suffix)
        except FileNotFoundError:
            pass


def loadavg():
    try:
        return " ".join(open("/proc/loadavg").read().split()[:3])
    except OSError:
        return "?"


def shellquote(s):
    """hyperfine -N splits its command the way a POSIX shell would (shell-words)."""
    if s and all(c.isalnum() or c in "-_./=:,%+@" for c in s):
        return s
    return "'" + s.replace("'", "'\\''") + "'"


def profile_facts(path):
    """bytes, pstats entries, caller edges, total calls and the set of keys -
    read the way pstats does (marshal)."""
    with open(path, "rb") as f:
        stats = marshal.load(f)
    nedges = sum(len(v[4]) for v in stats.values())
    ncalls = sum(v[1] for v in stats.values())
    return os.path.getsize(path), len(stats), nedges, ncalls, set(stats)


def time_python(cmd, runs, warmup, prepare=None):
    """Median/mean/min/max wall time of cmd (a list), stdout and stderr discarded."""
    times = []
    for k in range(warmup + runs):
        if prepare:
            prepare()
        t0 = time.perf_counter()
        r = subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        t1 = time.perf_counter()
        if r.returncode != 0:
            raise CommandFailed("exit %d: %s: %s" % (r.returncode, " ".join(cmd),
                                                     r.stderr.decode(errors="replace").strip()[:300]))
        if k >= warmup:
            times.append(t1 - t0)
    return {"median": statistics.median(times), "mean": statistics.fmean(times),
            "min": min(times), "max": max(times), "stddev": statistics.pstdev(times), "runs": len(times)}


def time_hyperfine(cmd, runs, warmup, prepare_argv=None, label=""):
    """The same through hyperfine -N (no shell), its JSON export read back."""
    with tempfile.NamedTemporaryFile(suffix=".json", delete=False) as tf:
        jpath = tf.name
    hf = ["hyperfine", "-N", "--style", "none", "--runs", str(runs), "--warmup", str(warmup),
          "--export-json", jpath, "--command-name", label]
    if prepare_argv:
        hf += ["--prepare", " ".join(prepare_argv)]
    hf.append(" ".join(shellquote(a) for a in cmd))
    r = subprocess.run(hf, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        if r.returncode != 0:
            raise CommandFailed("hyperfine failed: %s: %s" % (" ".join(hf),
                                                              r.stderr.decode(errors="replace").strip()[:300]))
        with open(jpath) as f:
            res = json.load(f)["results"][0]
    finally:
        os.unlink(jpath)
    return {"median": res["median"], "mean": res["mean"], "min": res["min"], "max": res["max"],
            "stddev": res.get("stddev") or 0.0, "runs": len(res["times"])}

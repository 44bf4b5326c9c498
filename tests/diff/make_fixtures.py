#!/usr/bin/env python3
"""Make the before/after profile pairs that tests/diff/test_diff.py compares.

    python3 tests/diff/make_fixtures.py [OUTDIR] [--python PY]

OUTDIR defaults to tests/diff/fixtures.  PY (default: pyenv's 3.11.7,
`$(pyenv root)/versions/3.11.7/bin/python`) runs the workloads, so that the
cProfile and the sampled profiles see the same standard library paths.

The workload is one small program in two versions, workload_before.py and
workload_after.py (see README.md for what changed).  Each version is copied
to a fixed path and profiled there, so the file names inside the profiles do
not depend on the checkout:

    BEFORE  at /tmp/pvdiff_a/workload.py  -> before.prof, before*.folded
    AFTER   at /tmp/pvdiff_a/workload.py  -> after.prof, after*.folded
    AFTER   at /tmp/pvdiff_b/workload.py  -> after_b.prof, after_b.folded

* `.prof`: real cProfile, `PY -m cProfile -o OUT /tmp/pvdiff_X/workload.py`.
* `.folded`: the workload run in-process under the sampler of
  tests/sampled/make_fixtures.py (a thread reading sys._current_frames()
  about every millisecond), its stacks cut at the workload's `<module>`
  frame and folded, py-spy style, three ways from the same recording:
    before.folded        `name (file:line)`, line = the def line
                         (co_firstlineno, like cProfile's key)
    before-lines.folded  `name (file:line)`, line = the line being executed
                         (what py-spy really writes)
    after-names.folded   `name` alone (plain folded stacks, no files)

Only this script and the standard library are used.  Every file changes on
regeneration (timings are real); the script then checks that the pair still
shows the intended changes and exits non-zero (CHECK FAILED: ...) if not.
"""

import argparse
import collections
import importlib.util
import os
import pstats
import runpy
import shutil
import subprocess
import sys
import threading

HERE = os.path.dirname(os.path.abspath(__file__))
SAMPLED_DIR = os.path.join(os.path.dirname(HERE), "sampled")
DIR_A = "/tmp/pvdiff_a"
DIR_B = "/tmp/pvdiff_b"
SCRIPT = "workload.py"
# How many times the sampled run repeats the workload (about 0.1 s each), so
# the folded files hold a few hundred samples.
SAMPLED_RUNS = 10

FIXTURES = ("before.prof", "after.prof", "after_b.prof",
            "before.folded", "after.folded", "after_b.folded",
            "before-lines.folded", "after-lines.folded", "after-names.folded")
MAX_TOTAL_BYTES = 300_000


def default_python():
    root = os.environ.get("PYENV_ROOT")
    if not root:
        try:
            root = subprocess.run(["pyenv", "root"], stdout=subprocess.PIPE,
                                  universal_newlines=True, check=True).stdout.strip()
        except (OSError, subprocess.CalledProcessError):
            root = os.path.expanduser("~/.pyenv")
    return os.path.join(root, "versions", "3.11.7", "bin", "python")


def child_env():
    env = dict(os.environ)
    env.update(PYTHONHASHSEED="0", PYTHONDONTWRITEBYTECODE="1", LC_ALL="C.UTF-8", TZ="UTC")
    for k in ("PYTHONPATH", "PYTHONSTARTUP", "PYTHONPROFILEIMPORTTIME"):
        env.pop(k, None)
    return env


def place(version, directory):
    """Copies workload_VERSION.py to DIRECTORY/workload.py; returns that path."""
    os.makedirs(directory, exist_ok=True)
    dest = os.path.join(directory, SCRIPT)
    shutil.copyfile(os.path.join(HERE, "workload_%s.py" % version), dest)
    return dest


# ---------------------------------------------------------------------------
# The sampled run (this script re-invoked under PY with --sample)

def sample(workload, outprefix):
    # tests/sampled/make_fixtures.py, under another name than this script's
    spec = importlib.util.spec_from_file_location(
        "sampled_make_fixtures", os.path.join(SAMPLED_DIR, "make_fixtures.py"))
    sampled_fixtures = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(sampled_fixtures)

    workload = os.path.realpath(workload)

    class WorkloadSampler(sampled_fixtures.Sampler):
        """The sampled fixtures' sampler, with stacks cut at the workload's
        <module> frame and frames kept as (name, file, def line, line)."""

        def _walk(self, ident, frames):
            for _ in range(10):
                frame = frames.get(ident)
                if frame is None:
                    return None
                stack = []
                while frame is not None:
                    code = frame.f_code
                    line = frame.f_lineno      # None at some instructions
                    stack.append((code.co_name, code.co_filename, code.co_firstlineno,
                                  code.co_firstlineno if line is None else line))
                    frame = frame.f_back
                stack.reverse()
                if stack[0][0] == "<module>" and stack[0][1] == __file__:
                    # A whole stack: keep the workload part, if running.
                    for i, f in enumerate(stack):
                        if f[0] == "<module>" and os.path.realpath(f[1]) == workload:
                            return tuple(stack[i:])
                    return None
                # Cut short (a generator suspended mid-walk): look again.
                frames = sys._current_frames()
            raise RuntimeError("could not get a whole stack")

    ident = threading.get_ident()
    sampler = WorkloadSampler([ident])
    sampler.start()
    for _ in range(SAMPLED_RUNS):
        runpy.run_path(workload, run_name="__main__")
    sampler.stop()
    stacks = [stack for _, stack in sampler.samples[ident]]
    if len(stacks) < 100:
        raise RuntimeError("only %d samples" % len(stacks))

    renderings = {
        "": lambda f: "%s (%s:%d)" % (f[0], f[1], f[2]),
        "-lines": lambda f: "%s (%s:%d)" % (f[0], f[1], f[3]),
        "-names": lambda f: f[0],
    }
    for suffix, render in renderings.items():
        counts = collections.Counter()       # first-seen order, not sorted
        for stack in stacks:
            counts[";".join(render(f) for f in stack)] += 1
        with open(outprefix + suffix + ".folded", "w", encoding="utf-8") as out:
            for text, n in counts.items():
                out.write("%s %d\n" % (text, n))
    print("%s: %d samples" % (os.path.basename(outprefix), len(stacks)))
    return 0


# ---------------------------------------------------------------------------
# Checks that the regenerated pair still shows what the tests rely on

def folded_totals(path):
    """{(file, def line, name): total samples} (once per stack) and the sample count."""
    totals = collections.Counter()
    n = 0
    with open(path, encoding="utf-8") as f:
        for line in f:
            stack, _, count = line.rstrip("\n").rpartition(" ")
            frames = set()
            for text in stack.split(";"):
                name, _, rest = text.rpartition(" (")
                file, _, lineno = rest[:-1].rpartition(":")
                frames.add((file, int(lineno), name))
            for fr in frames:
                totals[fr] += int(count)
            n += int(count)
    return totals, n


def by_name(table, directory, name):
    path = os.path.join(directory, SCRIPT)
    hits = [v for k, v in table.items() if k[0] == path and k[2] == name]
    return hits[0] if len(hits) == 1 else None


def self_check(outdir):
    problems = []

    def want(cond, what):
        if not cond:
            problems.append(what)

    cum = {}
    for stem in ("before", "after", "after_b"):
        st = pstats.Stats(os.path.join(outdir, stem + ".prof"))
        cum[stem] = ({k: v[3] for k, v in st.stats.items()}, st.total_tt)
    (b, bt), (a, at) = cum["before"], cum["after"]
    want(by_name(a, DIR_A, "checksum") and by_name(b, DIR_A, "checksum")
         and by_name(a, DIR_A, "checksum") > 2 * by_name(b, DIR_A, "checksum"),
         "checksum is not clearly slower in after.prof")
    want(by_name(a, DIR_A, "tokenize") and by_name(b, DIR_A, "tokenize")
         and by_name(a, DIR_A, "tokenize") * 2 < by_name(b, DIR_A, "tokenize"),
         "tokenize is not clearly faster in after.prof")
    want(by_name(b, DIR_A, "legacy_normalize") and not by_name(a, DIR_A, "legacy_normalize"),
         "legacy_normalize is not removed in after.prof")
    want(by_name(a, DIR_A, "fast_normalize") and not by_name(b, DIR_A, "fast_normalize"),
         "fast_normalize is not added in after.prof")
    want(at > bt * 1.1, "after.prof is not clearly slower in total (%r vs %r)" % (at, bt))
    want(by_name(cum["after_b"][0], DIR_B, "checksum"), "after_b.prof is not from " + DIR_B)
    fb, _ = folded_totals(os.path.join(outdir, "before.folded"))
    fa, _ = folded_totals(os.path.join(outdir, "after.folded"))
    want((by_name(fa, DIR_A, "checksum") or 0) > 2 * (by_name(fb, DIR_A, "checksum") or 1e9),
         "checksum is not clearly slower in after.folded")
    want((by_name(fa, DIR_A, "tokenize") or 0) * 1.5 < (by_name(fb, DIR_A, "tokenize") or 0),
         "tokenize is not clearly faster in after.folded")
    want(by_name(fb, DIR_A, "legacy_normalize") and not by_name(fa, DIR_A, "legacy_normalize"),
         "legacy_normalize is not removed in after.folded")
    want(by_name(fa, DIR_A, "fast_normalize") and not by_name(fb, DIR_A, "fast_normalize"),
         "fast_normalize not sampled in after.folded (rerun)")
    size = sum(os.path.getsize(os.path.join(outdir, n)) for n in FIXTURES)
    want(size <= MAX_TOTAL_BYTES, "fixtures take %d bytes (> %d)" % (size, MAX_TOTAL_BYTES))
    return problems


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("outdir", nargs="?", default=os.path.join(HERE, "fixtures"))
    ap.add_argument("--python", default=None, help="interpreter that runs the workloads")
    ap.add_argument("--sample", nargs=2, metavar=("WORKLOAD", "OUTPREFIX"), help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.sample:
        return sample(*args.sample)

    py = args.python or default_python()
    if not os.path.exists(py):
        print("error: no interpreter %s (give --python)" % py, file=sys.stderr)
        return 1
    outdir = os.path.abspath(args.outdir)
    os.makedirs(outdir, exist_ok=True)
    env = child_env()
    runs = [("before", DIR_A, "before"), ("after", DIR_A, "after"), ("after", DIR_B, "after_b")]
    for version, directory, stem in runs:
        if os.path.isdir(directory):
            shutil.rmtree(directory)
        path = place(version, directory)
        out = os.path.join(outdir, stem)
        subprocess.run([py, "-s", "-m", "cProfile", "-o", out + ".prof", path],
                       cwd=directory, env=env, check=True, stdout=subprocess.DEVNULL)
        subprocess.run([py, "-s", os.path.abspath(__file__), "--sample", path, out],
                       cwd=directory, env=env, check=True)
        if stem == "after_b":
            # one rendering is enough for the other directory
            for suffix in ("-lines", "-names"):
                os.remove(out + suffix + ".folded")
        elif stem == "before":
            os.remove(out + "-names.folded")
    problems = self_check(outdir)
    for p in problems:
        print("CHECK FAILED: " + p, file=sys.stderr)
    for name in FIXTURES:
        print("%9d  %s" % (os.path.getsize(os.path.join(outdir, name)), name))
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())

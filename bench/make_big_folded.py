#!/usr/bin/env python3
"""Generate a large, realistic folded-stacks file for benchmarking profview import.

Folded stacks are one 'frame;frame;...;frame COUNT' line per stack, root first,
as flamegraph.pl's stackcollapse-*.pl, py-spy (-f raw), Austin and inferno write.
Frames here look like py-spy's: 'function (package/module.py:LINE)'.

What is generated (deterministic: the same arguments give the same bytes):

  * frames: --frames distinct frame strings (default 4,000): about 1,500
    functions in about 300 modules of a made-up web application and its
    libraries, each function seen at 1-4 different line numbers (py-spy puts
    the executing line into the frame, so one function is several frames).
    Modules sit in layers (entry, framework, app, services, ORM/db, libs,
    stdlib); a frame calls 3-10 frames of its own or deeper layers.
  * distinct stacks: --stacks of them (default 50,000), depth 10-60. They grow
    like a real call tree: each new stack copies a random prefix of an existing
    one and walks on from there to its own depth, so stacks share long prefixes
    (the call tree has roughly 8-10 nodes per distinct stack). The set of
    distinct stacks depends only on --seed, --frames and --stacks, NOT on
    --size or --order: files of different sizes made with the same three share
    exactly the same stacks (the point of the memory-vs-size benchmark).
  * repeats: a collapsed profile has one line per distinct stack, but people
    concatenate the collapsed output of many runs (or many py-spy dumps, or
    per-host files) before rendering, so a big folded file repeats lines. The
    file is a sequence of "runs": each run draws 20k-200k samples from a skewed
    (Zipf-like, s=1.1) popularity over the stacks and writes one line per
    stack it saw, with the sample count. Runs are added until the file
    reaches --size. So that every file holds the full stack set, each stack no
    run drew gets one line (count 1-40) in a random run (--coverage spread,
    the default); --coverage first instead puts a run holding every stack
    once at the start of the file. The repeat structure then depends on the
    size: a 100M file with 50k stacks is mostly coverage lines, a 600M file
    mostly repeats of the popular stacks.

  --order decides the line order (the content, as a multiset of lines, is the same):
    runs      the runs back to back, each sorted by stack like stackcollapse
              output (the default; what `cat run*.folded > all.folded` gives)
    sorted    all lines sorted bytewise (LC_ALL=C sort), so identical stacks
              are adjacent: the best case for a prefix-sharing reader
    shuffled  lines in random order (py-spy's raw output is in hash order):
              the worst case for prefix sharing

A sidecar FILE.json records the facts (bytes, lines, distinct stacks and frames,
call-tree nodes, total samples, mean depth/line length) for the benchmark to
check the tool's output against.

Usage:
  make_big_folded.py --size 600M [--stacks 50000] [--frames 4000] [--seed 1]
                     [--order runs|sorted|shuffled] [--coverage spread|first] [--out FILE]
Sizes take K/M/G (powers of 1000) or Ki/Mi/Gi (powers of 1024). The default
--out is bench/out/folded-<stacks>s-<size>-<order>.folded. Memory: about 3x the
distinct stacks' text plus a list entry per line; ~0.5 GB for 600M/50k stacks.
"""

import argparse
import bisect
import json
import os
import random
import sys
import time

GENERATOR_VERSION = 2  # bump when the same arguments would give other bytes
HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "out")

# layers of a made-up Django-ish web app: (name, package prefixes, modules in the layer)
LAYERS = [
    ("entry", ["", "gunicorn/", "gunicorn/workers/"], 6),
    ("framework", ["django/core/handlers/", "django/core/", "django/utils/", "django/middleware/",
                   "django/contrib/auth/", "django/views/generic/", "django/template/"], 40),
    ("app", ["shop/views/", "shop/api/", "shop/forms/", "shop/serializers/", "accounts/", "billing/",
             "catalog/", "search/", "notifications/"], 70),
    ("services", ["shop/services/", "billing/services/", "catalog/services/", "common/", "integrations/"], 60),
    ("orm", ["django/db/models/", "django/db/models/sql/", "django/db/backends/", "django/db/backends/postgresql/",
             "psycopg2/", "redis/", "kombu/", "celery/app/"], 50),
    ("libs", ["requests/", "urllib3/", "json/", "jinja2/", "pydantic/", "decimal/", "dateutil/",
              "yaml/", "lxml/", "PIL/"], 45),
    ("stdlib", ["", "encodings/", "email/", "http/", "logging/", "importlib/", "collections/",
                "concurrent/futures/", "asyncio/"], 30),
]
VERBS = ["get", "set", "load", "save", "parse", "render", "build", "check", "resolve", "update", "fetch",
         "apply", "merge", "split", "encode", "decode", "scan", "emit", "visit", "handle", "dispatch", "run",
         "validate", "serialize", "compile", "execute", "iter", "wrap", "call", "process"]
NOUNS = ["user", "order", "token", "node", "record", "request", "config", "cache", "page", "item", "batch",
         "query", "row", "field", "schema", "session", "event", "path", "buffer", "index", "response",
         "context", "template", "queryset", "cursor", "payload", "message", "invoice", "product", "chunk"]
SPECIAL = ["__call__", "__init__", "__iter__", "__getattr__", "<module>", "<listcomp>", "<genexpr>", "wrapper",
           "inner", "_wrapped_view", "get_response", "_get_response", "__enter__", "__exit__"]
ROOTS = ["<module> (manage.py:22)", "run (gunicorn/app/base.py:72)", "_bootstrap (threading.py:995)",
         "_bootstrap_inner (threading.py:1038)", "worker (concurrent/futures/thread.py:83)",
         "start (celery/worker/worker.py:203)"]


def parse_size(s):
    s = s.strip()
    mult = {"": 1, "K": 10**3, "M": 10**6, "G": 10**9, "KI": 2**10, "MI": 2**20, "GI": 2**30}
    num = s.rstrip("kKmMgGiIbB")
    suf = s[len(num):].upper().rstrip("B")
    if suf not in mult or not num:
        raise argparse.ArgumentTypeError("bad size %r (e.g. 600M, 1G, 512Mi)" % s)
    return int(float(num) * mult[suf])


def size_label(n):
    for unit, div in (("G", 10**9), ("M", 10**6), ("K", 10**3)):
        if n >= div and n % div == 0:
            return "%d%s" % (n // div, unit)
    return str(n)


def make_frames(rng, nframes):
    """nframes distinct 'func (path.py:line)' strings, with each frame's layer."""
    frames, layer_of = [], []
    seen = set()
    total_mods = sum(m for _, _, m in LAYERS)
    for li, (lname, pkgs, nmods) in enumerate(LAYERS):
        share = nmods / total_mods
        want = max(1, round(nframes * share))
        mods = []
        for m in range(nmods):
            base = rng.choice(NOUNS) + ("_" + rng.choice(NOUNS) if rng.random() < 0.4 else "")
            if lname == "stdlib" and rng.random() < 0.5:
                base = rng.choice(["threading", "socket", "selectors", "json/decoder", "re", "functools",
                                   "contextlib", "copy", "typing", "base_events", "events", "ssl"])
            mods.append("%s%s.py" % (rng.choice(pkgs), base))
        made = 0
        while made < want:
            mod = rng.choice(mods)
            r = rng.random()
            if r < 0.15:
                fn = rng.choice(SPECIAL)
            elif r < 0.3:
                fn = "%s%s_%s" % ("_" if rng.random() < 0.5 else "", rng.choice(VERBS), rng.choice(NOUNS))
            else:
                fn = "%s_%s" % (rng.choice(VERBS), rng.choice(NOUNS))
            if rng.random() < 0.25 and li >= 2:
                fn = rng.choice(NOUNS).capitalize() + rng.choice(["View", "Serializer", "Manager", "Client",
                                                                  "Handler", "Form", "Model"]) + "." + fn
            first = rng.randint(10, 2400)
            for _ in range(rng.choice((1, 1, 2, 2, 3, 4))):
                if made >= want:
                    break
                s = "%s (%s:%d)" % (fn, mod, first + rng.randint(0, 60))
                if s in seen:
                    continue
                seen.add(s)
                frames.append(s)
                layer_of.append(li)
                made += 1
    return frames, layer_of


def make_callees(rng, frames, layer_of):
    """Each frame calls 3-10 frames of its own layer or the next two."""
    by_layer = [[] for _ in LAYERS]
    for i, l in enumerate(layer_of):
        by_layer[l].append(i)
    callees = []
    for i, l in enumerate(layer_of):
        k = rng.randint(3, 10)
        out = []
        for _ in range(k):
            r = rng.random()
            tl = l if r < 0.35 else min(len(LAYERS) - 1, l + 1) if r < 0.8 else min(len(LAYERS) - 1, l + 2)
            out.append(rng.choice(by_layer[tl]))
        callees.append(out)
    return callees


def zipf_pick(rng, seq):
    """An element of seq, the first ones much more likely (1/(k+1))."""
    n = len(seq)
    # inverse-CDF of a harmonic-ish distribution, cheap and good enough
    k = int((n + 1) ** rng.random()) - 1
    return seq[min(k, n - 1)]


def make_stacks(seed, nframes, nstacks):
    """The distinct stacks (tuples of frame ids), depending only on seed/nframes/nstacks."""
    rng = random.Random("frames-%d-%d" % (seed, nframes))
    frames, layer_of = make_frames(rng, nframes)
    callees = make_callees(rng, frames, layer_of)
    roots = list(range(len(frames), len(frames) + len(ROOTS)))
    frames = frames + ROOTS
    layer_of = layer_of + [0] * len(ROOTS)
    entry = [i for i, l in enumerate(layer_of[:len(callees)]) if l <= 1]
    callees += [[rng.choice(entry) for _ in range(6)] for _ in ROOTS]

    rng = random.Random("stacks-%d-%d-%d" % (seed, nframes, nstacks))
    stacks, seen = [], set()
    attempts = 0
    while len(stacks) < nstacks:
        attempts += 1
        if attempts > nstacks * 50:
            sys.exit("make_big_folded: cannot find %d distinct stacks with these frames" % nstacks)
        depth = min(60, max(10, int(rng.triangular(10, 60, 18))))
        if stacks and rng.random() < 0.97:
            base = stacks[rng.randrange(len(stacks))]
            # keep most of a prefix: real stacks share the deep framework part
            cut = min(len(base), depth - 1, max(1, int(len(base) * rng.uniform(0.55, 1.0))))
            st = list(base[:cut])
        else:
            st = [zipf_pick(rng, roots)]
        while len(st) < depth:
            st.append(zipf_pick(rng, callees[st[-1]]))
        t = tuple(st)
        if t in seen:
            continue
        seen.add(t)
        stacks.append(t)
    return frames, stacks


def tree_nodes(stacks):
    """Nodes of the call tree (distinct prefixes), root not counted."""
    n, prev = 0, ()
    for st in sorted(stacks):
        lcp = 0
        while lcp < len(st) and lcp < len(prev) and st[lcp] == prev[lcp]:
            lcp += 1
        n += len(st) - lcp
        prev = st
    return n


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--size", type=parse_size, default=parse_size("600M"), help="target size (default 600M)")
    ap.add_argument("--stacks", type=int, default=50000, help="distinct stacks (default 50000)")
    ap.add_argument("--frames", type=int, default=4000, help="distinct frame strings (default 4000)")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--order", choices=("runs", "sorted", "shuffled"), default="runs")
    ap.add_argument("--coverage", choices=("spread", "first"), default="spread",
                    help="where the stacks no sampled run drew go: into random runs (default), or a first "
                         "run of every stack once")
    ap.add_argument("--out", help="output file (default bench/out/folded-<stacks>s-<size>-<order>.folded)")
    ap.add_argument("-q", "--quiet", action="store_true")
    a = ap.parse_args()
    out = a.out or os.path.join(OUT, "folded-%ds-%s-%s.folded" % (a.stacks, size_label(a.size), a.order))
    os.makedirs(os.path.dirname(os.path.abspath(out)), exist_ok=True)
    t0 = time.time()

    frames, stacks = make_stacks(a.seed, a.frames, a.stacks)
    texts = [";".join(frames[f] for f in st).encode() for st in stacks]
    used_frames = len({f for st in stacks for f in st})
    nodes = tree_nodes(stacks)

    # the runs: which stack, how many samples; sizes counted exactly
    rng = random.Random("lines-%d-%d-%d-%d" % (a.seed, a.frames, a.stacks, a.size))
    pop = list(range(len(stacks)))
    rng.shuffle(pop)  # popularity rank -> stack
    cum, acc = [], 0.0
    for k in range(len(pop)):
        acc += 1.0 / (k + 1) ** 1.1
        cum.append(acc)
    def cov_count():
        return rng.choice((1, 1, 1, 2, 2, 3, 5, 8, 13, 40))

    def line_size(i, c):
        return len(texts[i]) + 2 + len(str(c))

    # every stack is in the file at least once: a coverage line of its own for
    # each stack that no sampled run happens to draw
    cover = [cov_count() for _ in range(len(stacks))]
    seen = [False] * len(stacks)
    missing = sum(line_size(i, c) for i, c in enumerate(cover))  # bytes of the coverage lines still needed
    size = 0  # bytes of the sampled runs
    runs = []
    while size + missing < a.size:
        k = rng.randint(20000, 200000)
        counts = {}
        for s in rng.choices(pop, cum_weights=cum, k=k):
            counts[s] = counts.get(s, 0) + 1
        run = []
        for i, c in counts.items():
            run.append((i, c))
            size += line_size(i, c)
            if not seen[i] and a.coverage == "spread":
                seen[i] = True
                missing -= line_size(i, cover[i])
            if size + missing >= a.size:
                break
        runs.append(run)
    if a.coverage == "first":
        runs.insert(0, [(i, cover[i]) for i in range(len(stacks))])
    else:
        todo = [i for i in range(len(stacks)) if not seen[i]]
        if not runs:
            runs.append([])
        for i in todo:
            runs[rng.randrange(len(runs))].append((i, cover[i]))
        for run in runs:
            rng.shuffle(run)  # the order within a run is decided below

    if a.order == "runs":
        rank = sorted(range(len(stacks)), key=texts.__getitem__)
        pos = [0] * len(stacks)
        for r, i in enumerate(rank):
            pos[i] = r
        lines = []
        for run in runs:
            run.sort(key=lambda ic: pos[ic[0]])
            lines.extend(run)
    else:
        lines = [ic for run in runs for ic in run]
        if a.order == "sorted":
            # bytewise sort of whole lines, as LC_ALL=C sort does
            lines.sort(key=lambda ic: texts[ic[0]] + b" " + str(ic[1]).encode())
        else:
            rng.shuffle(lines)

    tmp = out + ".tmp"
    written = samples = 0
    with open(tmp, "wb", buffering=1 << 22) as f:
        buf = []
        for i, c in lines:
            cs = str(c).encode()
            buf.append(texts[i])
            buf.append(b" " + cs + b"\n")
            samples += c
            if len(buf) >= 4096:
                data = b"".join(buf)
                written += len(data)
                f.write(data)
                buf = []
        data = b"".join(buf)
        written += len(data)
        f.write(data)
    os.replace(tmp, out)
    facts = {
        "generator": GENERATOR_VERSION, "coverage": a.coverage, "frames_arg": a.frames,
        "file": os.path.abspath(out), "bytes": written, "lines": len(lines), "order": a.order, "seed": a.seed,
        "target_size": a.size, "runs": len(runs), "distinct_stacks": len(stacks), "distinct_frames": used_frames,
        "frame_pool": len(frames), "tree_nodes": nodes, "total_samples": samples,
        "mean_depth": sum(map(len, stacks)) / len(stacks), "max_depth": max(map(len, stacks)),
        "min_depth": min(map(len, stacks)), "distinct_stack_bytes": sum(len(t) for t in texts),
        "mean_line_bytes": written / max(1, len(lines)),
    }
    with open(out + ".json", "w") as f:
        json.dump(facts, f, indent=1)
    if not a.quiet:
        print("%s: %.1f MB, %d lines (%d runs), %d distinct stacks, %d frames, %d tree nodes, "
              "depth %d-%d mean %.1f, %.1f s" % (out, written / 1e6, len(lines), len(runs), len(stacks),
                                                 used_frames, nodes, facts["min_depth"], facts["max_depth"],
                                                 facts["mean_depth"], time.time() - t0))
    return 0


if __name__ == "__main__":
    sys.exit(main())

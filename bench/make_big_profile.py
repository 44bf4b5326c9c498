#!/usr/bin/env python3
"""Generate a large, real cProfile profile for benchmarking profview.

The script writes Python source text for many modules (each with many small
functions), compiles every module under its own file name and execs it, then
runs a call tree over all those functions under cProfile.Profile() and writes
the result with dump_stats().  Every generated function is a real code object
with its own (co_filename, co_firstlineno, co_name), so the pstats dict gets
one entry per function - about --functions of them, plus a few builtins.

Call pattern (deterministic for a given --seed; only the timings vary):
  * a tree: functions are laid out breadth-first and each non-leaf calls its
    1..8 children (fan-out chosen at random), so the tree is ~8-10 levels deep;
  * shared helpers: about half the functions additionally call one or two
    random leaves, so many leaves have several callers (multi-caller edges);
  * no cycles among those calls: the few that would close one (and recurse
    forever) are dropped;
  * recursion: ~2% of the leaves recurse into themselves (depth 2-4) and ~1%
    of leaf pairs call each other (mutual recursion), so ncalls shows "n/m";
  * builtins: many functions call len()/sorted()/max()/str.join, so a handful
    of ('~', 0, '<built-in ...>') entries have tens of thousands of callers;
  * a little busy work (a small loop of random length) in most functions so
    tottime is not all zero;
  * the whole tree is run --rounds times (default 2), so call counts are > 1.

Usage:
  make_big_profile.py [--functions N] [--seed S] [--rounds R] [--out FILE]
  make_big_profile.py --quick            # 20,000 functions -> bench/out/quick.prof
"""

import argparse
import cProfile
import os
import random
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
PER_MODULE = 100  # functions per generated module

VERBS = ["get", "set", "load", "save", "parse", "render", "build", "check", "resolve", "update",
         "fetch", "apply", "merge", "split", "encode", "decode", "scan", "emit", "visit", "handle"]
NOUNS = ["user", "order", "token", "node", "record", "request", "config", "cache", "page", "item",
         "batch", "query", "row", "field", "schema", "session", "event", "path", "buffer", "index"]
PACKAGES = ["core", "api", "db", "web", "util", "models", "services", "plugins", "io", "auth"]


def break_cycles(extra):
    """Leaves call shared leaves too, so a few calls can close a cycle (a leaf
    calling, through others, itself), which would recurse forever: drop each
    call that closes one (a back edge of a depth-first walk in index order).
    Removing calls draws nothing from the random generator, so a plan without
    cycles (the default 200k one) is unchanged."""
    state = [0] * len(extra)            # 0 new, 1 on the walk, 2 done
    for s in range(len(extra)):
        if state[s]:
            continue
        state[s] = 1
        stack = [(s, 0)]
        while stack:
            v, k = stack[-1]
            if k == len(extra[v]):
                state[v] = 2
                stack.pop()
                continue
            w = extra[v][k]
            if state[w] == 1:
                del extra[v][k]         # closes a cycle
                continue
            stack[-1] = (v, k + 1)
            if state[w] == 0:
                state[w] = 1
                stack.append((w, 0))


def plan(n, seed):
    """Decide names, files, children and extra calls of n functions."""
    rng = random.Random(seed)
    children = [[] for _ in range(n)]
    # breadth-first fan-out: node `head` takes the next 1..8 unassigned nodes
    nxt, head = 1, 0
    while nxt < n:
        k = min(rng.choice((1, 2, 2, 3, 3, 4, 4, 5, 6, 8)), n - nxt)
        children[head] = list(range(nxt, nxt + k))
        nxt += k
        head += 1
    leaves = [i for i in range(n) if not children[i]]
    extra = [[] for _ in range(n)]      # calls to shared leaves
    for i in range(n):
        r = rng.random()
        if r < 0.35:
            extra[i].append(rng.choice(leaves))
        elif r < 0.50:
            extra[i].extend(rng.sample(leaves, 2))
    break_cycles(extra)
    selfrec = {}                        # leaf -> recursion depth
    for i in rng.sample(leaves, max(1, len(leaves) // 50)):
        selfrec[i] = rng.randint(2, 4)
    mutual = {}                         # leaf -> partner leaf
    pool = [i for i in rng.sample(leaves, max(2, len(leaves) // 50)) if i not in selfrec]
    for a, b in zip(pool[0::2], pool[1::2]):
        mutual[a], mutual[b] = b, a
    builtin = [rng.random() < 0.3 for _ in range(n)]
    work = [rng.choice((0, 0, 1, 2, 3, 5, 8, 13, 30)) for _ in range(n)]
    names = ["%s_%s_%d" % (rng.choice(VERBS), rng.choice(NOUNS), i) for i in range(n)]
    return children, extra, selfrec, mutual, builtin, work, names


def module_path(m):
    pkg = PACKAGES[m % len(PACKAGES)]
    return "/srv/bigapp/src/bigapp/%s/sub%02d/mod_%05d.py" % (pkg, (m // len(PACKAGES)) % 20, m)


def gen_sources(n, seed):
    children, extra, selfrec, mutual, builtin, work, names = plan(n, seed)
    nmod = (n + PER_MODULE - 1) // PER_MODULE
    for m in range(nmod):
        lines = ['"""generated module %d"""' % m, ""]
        for i in range(m * PER_MODULE, min(n, (m + 1) * PER_MODULE)):
            lines.append("def %s(d, r=0):" % names[i])
            if work[i]:
                lines.append("    x = 0")
                lines.append("    for _ in range(%d):" % work[i])
                lines.append("        x += d")
            for c in children[i]:
                lines.append("    %s(d + 1)" % names[c])
            for c in extra[i]:
                lines.append("    %s(d + 1)" % names[c])
            if i in selfrec:
                lines.append("    if r < %d:" % selfrec[i])
                lines.append("        %s(d, r + 1)" % names[i])
            if i in mutual:
                lines.append("    if r < 3:")
                lines.append("        %s(d, r + 1)" % names[mutual[i]])
            if builtin[i]:
                b = i % 4
                if b == 0:
                    lines.append("    len(__name__)")
                elif b == 1:
                    lines.append("    sorted((3, 1, 2))")
                elif b == 2:
                    lines.append("    max(d, 1)")
                else:
                    lines.append("    ','.join(('a', 'b'))")
            lines.append("    return d")
            lines.append("")
        yield module_path(m), "\n".join(lines) + "\n"
    yield None, names[0]


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--functions", type=int, default=200_000)
    ap.add_argument("--seed", type=int, default=20240229)
    ap.add_argument("--rounds", type=int, default=2, help="times the whole call tree is run")
    ap.add_argument("--out", default=None)
    ap.add_argument("--quick", action="store_true", help="20,000 functions, default out bench/out/quick.prof")
    a = ap.parse_args()
    if a.quick:
        a.functions = 20_000
    if a.out is None:
        a.out = os.path.join(HERE, "out", "quick.prof" if a.quick else "big.prof")
    os.makedirs(os.path.dirname(os.path.abspath(a.out)) or ".", exist_ok=True)

    t0 = time.perf_counter()
    ns = {"__name__": "bigapp", "__builtins__": __builtins__}
    root = None
    for path, src in gen_sources(a.functions, a.seed):
        if path is None:
            root = src
            break
        exec(compile(src, path, "exec"), ns)
    t1 = time.perf_counter()
    entry = ns[root]
    # the tree is ~10 deep, recursion adds a few frames: the default limit is plenty
    sys.setrecursionlimit(max(sys.getrecursionlimit(), 10_000))
    prof = cProfile.Profile()
    prof.enable()
    for _ in range(a.rounds):
        entry(0)
    prof.disable()
    t2 = time.perf_counter()
    tmp = a.out + ".tmp"
    prof.dump_stats(tmp)
    os.replace(tmp, a.out)
    t3 = time.perf_counter()
    prof.create_stats()
    nfunc = len(prof.stats)
    nedge = sum(len(v[4]) for v in prof.stats.values())
    ncalls = sum(v[1] for v in prof.stats.values())
    print("wrote %s: %d bytes, %d functions, %d edges, %d calls "
          "(generate+compile %.1fs, profile %.1fs, dump %.1fs)"
          % (a.out, os.path.getsize(a.out), nfunc, nedge, ncalls, t1 - t0, t2 - t1, t3 - t2))


if __name__ == "__main__":
    main()

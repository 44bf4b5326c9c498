#!/usr/bin/env python3
"""Generate a before/after pair of large, real cProfile profiles for 'profview diff'.

BASE is exactly what make_big_profile.py writes for the same --functions,
--seed and --rounds (the script runs it when BASE is missing, so
bench/out/big.prof is shared with bench_sort.py). AFTER is a second real
cProfile run of a perturbed version of the same generated program:

  * times:    ~20 % of the functions with a busy loop get another loop length,
              ~0.05 % get 20 x their loop (clear regressions) and ~0.05 % drop to
              a loop of 1 (clear improvements); timings also vary run to run;
  * calls:    ~10 % of the functions that call shared leaves call other leaves
              (same number), ~10 % of the self-recursive leaves recurse to
              another depth, ~5 % of the builtin calls are dropped and as many
              functions start calling a builtin, so many ncalls change;
  * removed:  ~1 % of the functions (leaves, not recursive ones) are no longer
              called from anywhere, so they are gone from AFTER's stats;
  * added:    ~1 % new functions ('new_<verb>_<noun>_<k>'), each appended at
              the end of an existing module and called from 1 or 2 functions.

Every function that exists in both keeps its (file, line, name): AFTER's
bodies are never longer than BASE's (shorter ones are padded with blank lines,
extra calls share the 'return d' line), and new functions only go after a
module's last function. So matching by (file, line, name) is exact, and the
added/removed functions are the only unmatched ones.

The changes depend only on --change-seed (and the base plan); the timings
vary from run to run.

Usage:
  make_big_pair.py [--functions N] [--seed S] [--rounds R] [--change-seed C]
                   [--base FILE] [--after FILE] [--force]
  make_big_pair.py --quick      # 20,000 functions: bench/out/quick.prof + quick-after.prof

Defaults: 200,000 functions, bench/out/big.prof and bench/out/big-after.prof.
An existing BASE is reused (unless --force); AFTER is always written.
"""

import argparse
import cProfile
import os
import random
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import make_big_profile as mbp  # noqa: E402  (plan, module_path, gen_sources, PER_MODULE)

BUILTIN_LINES = ["len(__name__)", "sorted((3, 1, 2))", "max(d, 1)", "','.join(('a', 'b'))"]


def body_base(i, p):
    """Function i's lines exactly as make_big_profile.gen_sources writes them."""
    children, extra, selfrec, mutual, builtin, work, names = p
    out = ["def %s(d, r=0):" % names[i]]
    if work[i]:
        out += ["    x = 0", "    for _ in range(%d):" % work[i], "        x += d"]
    out += ["    %s(d + 1)" % names[c] for c in children[i]]
    out += ["    %s(d + 1)" % names[c] for c in extra[i]]
    if i in selfrec:
        out += ["    if r < %d:" % selfrec[i], "        %s(d, r + 1)" % names[i]]
    if i in mutual:
        out += ["    if r < 3:", "        %s(d, r + 1)" % names[mutual[i]]]
    if builtin[i]:
        out.append("    " + BUILTIN_LINES[i % 4])
    out += ["    return d", ""]
    return out


def perturb(p, change_seed):
    """The AFTER program: returns a dict of changes against the base plan p."""
    children, extra, selfrec, mutual, builtin, work, names = p
    n = len(names)
    rng = random.Random(change_seed)
    leaves = [i for i in range(n) if not children[i]]
    cand = [i for i in leaves if i not in selfrec and i not in mutual and i != 0]
    removed = set(rng.sample(cand, min(len(cand), max(1, n // 100))))
    alive_leaves = [i for i in leaves if i not in removed]

    work_a = list(work)
    busy = [i for i in range(n) if work[i] and i not in removed]
    for i in rng.sample(busy, len(busy) // 5):
        work_a[i] = rng.choice((1, 2, 3, 5, 8, 13, 30))
    for i in rng.sample(busy, max(1, n // 2000)):
        work_a[i] = work[i] * 20            # regressions
    for i in rng.sample(busy, max(1, n // 2000)):
        work_a[i] = 1                       # improvements

    extra_a = [[c for c in e if c not in removed] for e in extra]
    with_extra = [i for i in range(n) if extra[i] and i not in removed]
    for i in rng.sample(with_extra, len(with_extra) // 10):
        extra_a[i] = rng.sample(alive_leaves, len(extra[i]))
    selfrec_a = dict(selfrec)
    for i in rng.sample(sorted(selfrec), len(selfrec) // 10):
        selfrec_a[i] = 2 + (selfrec[i] - 2 + rng.randint(1, 2)) % 3
    builtin_a = list(builtin)
    tail = [[] for _ in range(n)]           # statements put on the 'return d' line
    alive = [i for i in range(n) if i not in removed]
    on = [i for i in alive if builtin[i]]
    off = [i for i in alive if not builtin[i]]
    for i in rng.sample(on, len(on) // 20):
        builtin_a[i] = False
    for i in rng.sample(off, min(len(off), len(on) // 20)):
        builtin_a[i] = True
        tail[i].append(BUILTIN_LINES[i % 4])

    # added functions: appended to random modules, called from 1-2 live functions
    nmod = (n + mbp.PER_MODULE - 1) // mbp.PER_MODULE
    added = {}                              # module -> [(name, work, leaf or None)]
    new_calls = []                          # (caller, n + k): the calls of added functions
    for k in range(max(1, n // 100)):
        name = "new_%s_%s_%d" % (rng.choice(mbp.VERBS), rng.choice(mbp.NOUNS), n + k)
        m = rng.randrange(nmod)
        leaf = rng.choice(alive_leaves) if rng.random() < 0.5 else None
        added.setdefault(m, []).append((name, rng.choice((1, 2, 5, 13, 30)), leaf))
        if leaf is not None:
            new_calls.append((n + k, leaf))
        for c in rng.sample(alive, rng.randint(1, 2)):
            tail[c].insert(0, "%s(d + 1)" % name)
            new_calls.append((c, n + k))
    drop_endless_calls(p, removed, extra_a, added, tail, new_calls)
    return {"removed": removed, "work": work_a, "extra": extra_a, "selfrec": selfrec_a,
            "builtin": builtin_a, "tail": tail, "added": added}


def calls_closing_cycles(fixed, calls):
    """The calls (u, v) among CALLS that would close a cycle over FIXED (u -> [v]) and the
    calls kept before them. A shared-leaf call starts the callee with r = 0, so a cycle
    through one (a leaf calling itself, or leaves each other, possibly through a
    mutual-recursion pair) recurses forever. Leaves call only leaves (and added
    functions), so each search stays small."""
    adj = {u: list(vs) for u, vs in enumerate(fixed) if vs}
    dropped = []
    for u, v in calls:
        seen, todo, cycle = {v}, [v], False
        while todo and not cycle:
            x = todo.pop()
            cycle = x == u
            for y in adj.get(x, ()):
                if y not in seen:
                    seen.add(y)
                    todo.append(y)
        if cycle:
            dropped.append((u, v))
        else:
            adj.setdefault(u, []).append(v)
    return dropped


def drop_endless_calls(p, removed, extra_a, added, tail, new_calls):
    """Drop the changed calls that would close a cycle: a redrawn shared-leaf call or an
    added function's call (make_big_profile.py drops those of the base plan). None at 20k
    and 200k functions, so those pairs are what they were."""
    children, extra, selfrec, mutual, builtin, work, names = p
    n = len(names)
    fixed = [[c for c in children[i] if c not in removed] + ([mutual[i]] if i in mutual else [])
             for i in range(n)]
    calls = [(i, c) for i in range(n) if i not in removed for c in extra_a[i]] + new_calls
    for u, v in calls_closing_cycles(fixed, calls):
        if u >= n:                          # an added function's call of a leaf
            m, = [m for m, fs in added.items() for f in fs if f[0].endswith("_%d" % u)]
            added[m] = [(f[0], f[1], None) if f[0].endswith("_%d" % u) else f for f in added[m]]
        elif v >= n:                        # a call of an added function
            tail[u] = [t for t in tail[u] if not t.startswith("new_") or not t.endswith("_%d(d + 1)" % v)]
        else:
            extra_a[u].remove(v)


def body_after(i, p, ch):
    """Function i in AFTER, padded to exactly the base's line count."""
    children, extra, selfrec, mutual, builtin, work, names = p
    base = body_base(i, p)
    if i in ch["removed"]:
        return base                          # still defined (same lines), never called
    out = ["def %s(d, r=0):" % names[i]]
    if ch["work"][i]:
        out += ["    x = 0", "    for _ in range(%d):" % ch["work"][i], "        x += d"]
    out += ["    %s(d + 1)" % names[c] for c in children[i] if c not in ch["removed"]]
    out += ["    %s(d + 1)" % names[c] for c in ch["extra"][i]]
    if i in selfrec:
        out += ["    if r < %d:" % ch["selfrec"][i], "        %s(d, r + 1)" % names[i]]
    if i in mutual:
        out += ["    if r < 3:", "        %s(d, r + 1)" % names[mutual[i]]]
    if builtin[i] and ch["builtin"][i]:
        out.append("    " + BUILTIN_LINES[i % 4])
    out.append("    " + "; ".join(ch["tail"][i] + ["return d"]))
    if len(out) + 1 > len(base):
        raise AssertionError("function %d grew: %d > %d lines" % (i, len(out) + 1, len(base)))
    out += [""] * (len(base) - len(out))
    return out


def after_sources(p, ch):
    names = p[6]
    n = len(names)
    nmod = (n + mbp.PER_MODULE - 1) // mbp.PER_MODULE
    for m in range(nmod):
        lines = ['"""generated module %d"""' % m, ""]
        for i in range(m * mbp.PER_MODULE, min(n, (m + 1) * mbp.PER_MODULE)):
            lines += body_after(i, p, ch)
        for name, w, leaf in ch["added"].get(m, ()):
            lines += ["def %s(d, r=0):" % name, "    x = 0", "    for _ in range(%d):" % w, "        x += d"]
            if leaf is not None:
                lines.append("    %s(d + 1)" % names[leaf])
            lines += ["    return d", ""]
        yield mbp.module_path(m), "\n".join(lines) + "\n"


def check_base_layout(n, seed, p):
    """Our body_base must reproduce make_big_profile's modules exactly (line numbers!)."""
    names = p[6]
    for path, src in mbp.gen_sources(n, seed):
        if path is None:
            break
        m = int(path[-8:-3])
        lines = ['"""generated module %d"""' % m, ""]
        for i in range(m * mbp.PER_MODULE, min(n, (m + 1) * mbp.PER_MODULE)):
            lines += body_base(i, p)
        if "\n".join(lines) + "\n" != src:
            raise AssertionError("layout differs from make_big_profile.py in %s" % path)
    return names[0]


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--functions", type=int, default=200_000)
    ap.add_argument("--seed", type=int, default=20240229, help="the base program (as make_big_profile.py)")
    ap.add_argument("--rounds", type=int, default=2)
    ap.add_argument("--change-seed", type=int, default=7, help="which changes AFTER gets")
    ap.add_argument("--base", default=None)
    ap.add_argument("--after", default=None)
    ap.add_argument("--force", action="store_true", help="regenerate BASE even if it exists")
    ap.add_argument("--quick", action="store_true", help="20,000 functions, bench/out/quick{,-after}.prof")
    a = ap.parse_args()
    if a.quick:
        a.functions = 20_000
    tag = "quick" if a.quick else "big"
    a.base = a.base or os.path.join(HERE, "out", tag + ".prof")
    a.after = a.after or os.path.join(HERE, "out", tag + "-after.prof")
    for f in (a.base, a.after):
        os.makedirs(os.path.dirname(os.path.abspath(f)) or ".", exist_ok=True)

    if a.force or not os.path.exists(a.base):
        subprocess.run([sys.executable, os.path.join(HERE, "make_big_profile.py"), "--functions",
                        str(a.functions), "--seed", str(a.seed), "--rounds", str(a.rounds),
                        "--out", a.base], check=True)
    else:
        print("reusing %s (must come from make_big_profile.py --functions %d --seed %d)"
              % (a.base, a.functions, a.seed))

    t0 = time.perf_counter()
    p = mbp.plan(a.functions, a.seed)
    root = check_base_layout(a.functions, a.seed, p)
    ch = perturb(p, a.change_seed)
    ns = {"__name__": "bigapp", "__builtins__": __builtins__}
    for path, src in after_sources(p, ch):
        exec(compile(src, path, "exec"), ns)
    t1 = time.perf_counter()
    entry = ns[root]
    sys.setrecursionlimit(max(sys.getrecursionlimit(), 10_000))
    prof = cProfile.Profile()
    prof.enable()
    for _ in range(a.rounds):
        entry(0)
    prof.disable()
    t2 = time.perf_counter()
    tmp = a.after + ".tmp"
    prof.dump_stats(tmp)
    os.replace(tmp, a.after)
    prof.create_stats()
    nfunc = len(prof.stats)
    nedge = sum(len(v[4]) for v in prof.stats.values())
    ncalls = sum(v[1] for v in prof.stats.values())
    nadded = sum(len(v) for v in ch["added"].values())
    print("wrote %s: %d bytes, %d functions, %d edges, %d calls; %d removed, %d added "
          "(generate+compile %.1fs, profile %.1fs)"
          % (a.after, os.path.getsize(a.after), nfunc, nedge, ncalls, len(ch["removed"]), nadded,
             t1 - t0, t2 - t1))


if __name__ == "__main__":
    main()

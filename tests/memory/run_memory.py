#!/usr/bin/env python3
"""Memory of imports (issue 20, item 8), on inputs generated here in a temp dir:

  * rss: the peak RSS (wait4's ru_maxrss of a child forked from a small helper) of
    importing folded stacks whose every line names a new function, speedscope
    files of many samples and many events, and a .prof of many functions (read
    a window at a time since issue 14), stays under FLOOR + a factor of the
    input's size (factors measured, then given a margin of about 2: bench/README.md
    has the numbers). FLOOR is the RSS of importing a two-line file, plus SQLite's
    page cache (64 MiB at most). Each import is checked against the generator's
    facts (samples, functions, call-tree nodes, total weight; read from the store
    with sqlite3 by the documented schema).
  * bomb: a gzip bomb of speedscope samples (1 GiB of JSON in about 5 MB) is refused
    as one, in bounded memory.
  * oom: under an address-space cap (RLIMIT_AS, set in the child) every import ends
    either in success or in the one line "error: 'FILE': too large for the memory
    available (about N MiB needed)", exit status 1, the store unchanged; never an
    abort, never another message. Caps from 16 MiB up, for each input and a .prof.

RSS bounds and caps mean nothing under AddressSanitizer (shadow memory, quarantine,
a huge address space): in sanitizer builds those checks are skipped (the imports
still run and are checked), as tests/bad does.

  run_memory.py PROFVIEW [--group rss|bomb|oom]
"""
import argparse
import marshal
import os
import random
import re
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import zlib

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'merge'))
from pvtest import Checks  # noqa: E402

MIB = 1 << 20
SQLITE_CACHE = 64 * MIB      # analysis/store.c: PRAGMA cache_size=-65536
# peak RSS over FLOOR per byte of input; measured (release and debugoptimized
# builds, bench/README.md "Memory"): folded ~5.2, speedscope samples ~0.7,
# events ~0.6; a .prof ~2.6 over FLOOR and the page cache (bench/README.md
# "Issue 14"; the tree of values read before issue 14 took ~12)
FACTOR = {'folded': 10.0, 'sampled': 1.5, 'evented': 1.2, 'prof': 5.0}
OOM_LINE = re.compile(r"error: '(.*)': too large for the memory available \(about \d+ MiB needed\)")

# Runs argv[3:] as a child with RLIMIT_AS argv[2] (0: none) and writes its peak
# RSS (KiB) to argv[1]: forked from this small process, the child does not start
# with the test runner's RSS as its maximum.
RSS_HELPER = r"""
import os, resource, sys
cap = int(sys.argv[2])
pid = os.fork()
if pid == 0:
    try:
        if cap:
            resource.setrlimit(resource.RLIMIT_AS, (cap, cap))
        os.execv(sys.argv[3], sys.argv[3:])
    finally:
        os._exit(127)
_, status, ru = os.wait4(pid, 0)
with open(sys.argv[1], 'w') as f:
    f.write('%d' % ru.ru_maxrss)
code = os.waitstatus_to_exitcode(status)
sys.exit(code if code >= 0 else 128 - code)
"""


class Runner:
    def __init__(self, profview, tmp):
        self.profview = profview
        self.tmp = tmp
        with open(profview, 'rb') as f:
            image = f.read()
        self.sanitized = any(s in image for s in (b'__asan_init', b'__msan_init', b'__tsan_init'))
        self.env = dict(os.environ, ASAN_OPTIONS='detect_leaks=1:exitcode=99:abort_on_error=0',
                        UBSAN_OPTIONS='print_stacktrace=1:halt_on_error=1:exitcode=98', LC_ALL='C')

    def run(self, db, args, cap=0, timeout=600):
        """(exit status, stdout, stderr, peak RSS in bytes)"""
        fd, rss_file = tempfile.mkstemp(dir=self.tmp)
        os.close(fd)
        p = subprocess.run([sys.executable, '-c', RSS_HELPER, rss_file, str(cap), self.profview, '--db', db] + args,
                           stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=self.env,
                           timeout=timeout)
        with open(rss_file) as f:
            rss = int(f.read() or 0) * 1024
        os.unlink(rss_file)
        return p.returncode, p.stdout.decode(errors='replace'), p.stderr.decode(errors='replace'), rss

    def fresh_db(self, name):
        db = os.path.join(self.tmp, name + '.db')
        for suffix in ('', '-wal', '-shm'):
            if os.path.exists(db + suffix):
                os.unlink(db + suffix)
        return db


# --- inputs and what they hold, computed here -----------------------------------------

def make_folded(path, n):
    """n lines, each its own function under main: n samples, n + 1 functions,
    n + 2 nodes (the root, main, the leaves)."""
    with open(path, 'w') as f:
        for i in range(0, n, 50000):
            f.write(''.join('main;fn_%d (pkg/mod_%d.py:%d) 1\n' % (k, k % 1000, k % 700 + 1)
                            for k in range(i, min(n, i + 50000))))
    return {'samples': n, 'functions': n + 1, 'nodes': n + 2, 'weight': float(n)}


def make_sampled(path, n, seed=20):
    """n samples over 2,000 frames and 5,000 stacks 3-8 deep, weights 1-3."""
    rng = random.Random(seed)
    stacks = [tuple(rng.randrange(2000) for _ in range(rng.randint(3, 8))) for _ in range(5000)]
    picks = [stacks[min(int(rng.paretovariate(1.1)), len(stacks)) - 1] for _ in range(n)]
    weights = [1 + k % 3 for k in range(n)]
    with open(path, 'w') as f:
        f.write('{"shared":{"frames":[%s]},"profiles":[{"type":"sampled","name":"main","unit":"none",'
                '"startValue":0,"endValue":%d,"samples":[' % (
                    ','.join('{"name":"fn_%d","file":"pkg/mod_%d.py","line":%d}' % (k, k % 97, k + 1)
                             for k in range(2000)), n))
        f.write(','.join('[%s]' % ','.join(map(str, s)) for s in picks))
        f.write('],"weights":[%s]}]}' % ','.join(map(str, weights)))
    nodes = {()}
    for s in set(picks):
        for d in range(1, len(s) + 1):
            nodes.add(s[:d])
    return {'samples': n, 'functions': len({fr for s in set(picks) for fr in s}), 'nodes': len(nodes),
            'weight': float(sum(weights))}


def make_evented(path, n):
    """n events (a multiple of 4): frame a opened, frame b opened and closed in it,
    a closed; 1 ms each; 500 frames."""
    body = []
    at = 0
    for i in range(n // 4):
        a, b = i % 500, (i * 7 + 1) % 500   # never equal: 6i + 1 is odd
        body.append('{"type":"O","frame":%d,"at":%d},{"type":"O","frame":%d,"at":%d},'
                    '{"type":"C","frame":%d,"at":%d},{"type":"C","frame":%d,"at":%d}'
                    % (a, at, b, at + 1, b, at + 2, a, at + 3))
        at += 4
    with open(path, 'w') as f:
        f.write('{"shared":{"frames":[%s]},"profiles":[{"type":"evented","name":"main","unit":"milliseconds",'
                '"startValue":0,"endValue":%d,"events":[%s]}]}' % (
                    ','.join('{"name":"fn_%d","file":"m.py","line":%d}' % (k, k + 1) for k in range(500)), at,
                    ','.join(body)))
    pairs = {(i % 500, (i * 7 + 1) % 500) for i in range(n // 4)}
    return {'functions': 500, 'nodes': 1 + len({a for a, _ in pairs}) + len(pairs), 'weight': float(at)}


def make_prof(path, n, seed=21):
    """A marshalled pstats dict of n functions, two callers each (of its own
    functions); the facts the store must hold."""
    rng = random.Random(seed)
    keys = [('/srv/app/mod%d.py' % (i % 500), i % 900 + 1, 'fn_%d' % i) for i in range(n)]
    stats = {}
    for k in keys:
        callers = {keys[rng.randrange(n)]: (1, 1, 0.001, 0.002) for _ in range(2)}
        stats[k] = (2, 2, 0.002, 0.004, callers)
    with open(path, 'wb') as f:
        marshal.dump(stats, f)
    return {'functions': n}


def store_facts(db):
    con = sqlite3.connect('file:%s?mode=ro' % db, uri=True)
    try:
        rows = con.execute('SELECT total_samples, function_count, node_count, total_weight FROM profiles '
                           'ORDER BY id DESC LIMIT 1').fetchall()
    finally:
        con.close()
    if not rows:
        return None
    s, f, n, w = rows[0]
    return {'samples': s, 'functions': f, 'nodes': n, 'weight': w}


def store_dump(db):
    con = sqlite3.connect('file:%s?mode=ro' % db, uri=True)
    try:
        return '\n'.join(con.iterdump())
    finally:
        con.close()


# --- the groups ------------------------------------------------------------------------

def floor_rss(r, c):
    small = os.path.join(r.tmp, 'small.folded')
    with open(small, 'w') as f:
        f.write('a;b 1\na;c 2\n')
    rc, _, err, rss = r.run(r.fresh_db('floor'), ['import', small])
    c.eq(rc, 0, 'a two-line import succeeds: %s' % err.strip())
    return rss


def group_rss(r, c):
    floor = floor_rss(r, c)
    print('floor: %.1f MiB (+ %d MiB of SQLite page cache allowed)' % (floor / MIB, SQLITE_CACHE // MIB))
    cases = [('folded', 'distinct.folded', lambda p: make_folded(p, 400000)),
             ('sampled', 'sampled.speedscope.json', lambda p: make_sampled(p, 600000)),
             ('evented', 'evented.speedscope.json', lambda p: make_evented(p, 600000)),
             ('prof', 'synthetic.prof', lambda p: make_prof(p, 300000))]
    for kind, name, make in cases:
        path = os.path.join(r.tmp, name)
        facts = make(path)
        size = os.path.getsize(path)
        db = r.fresh_db(kind)
        rc, out, err, rss = r.run(db, ['import', path])
        if not c.eq(rc, 0, '%s: import succeeds (%s)' % (kind, err.strip()[:200])):
            continue
        got = store_facts(db)
        for k, want in facts.items():
            c.eq(got[k], want, '%s: %s' % (kind, k))
        bound = floor + SQLITE_CACHE + FACTOR[kind] * size
        print('%s: %.1f MB input, peak RSS %.1f MiB (%.2f x the input over the floor), bound %.1f MiB'
              % (kind, size / 1e6, rss / MIB, (rss - floor) / size, bound / MIB))
        if r.sanitized:
            c.skip('%s: RSS bound (sanitizer build)' % kind)
        else:
            c.ok(rss <= bound, '%s: peak RSS %.1f MiB within %.1f MiB' % (kind, rss / MIB, bound / MIB))
        os.unlink(path)


def group_bomb(r, c):
    floor = floor_rss(r, c)
    path = os.path.join(r.tmp, 'bomb.speedscope.json.gz')
    z = zlib.compressobj(1, zlib.DEFLATED, 31)
    with open(path, 'wb') as f:
        f.write(z.compress(b'{"shared":{"frames":[{"name":"a"}]},"profiles":[{"type":"sampled","unit":"none",'
                           b'"samples":[[0]'))
        block = b',[0]' * (MIB // 4)
        for _ in range(1024):
            f.write(z.compress(block))
        f.write(z.compress(b'],"weights":[1]}]}'))
        f.write(z.flush())
    print('bomb: %.1f MB of gzip, 1 GiB of JSON' % (os.path.getsize(path) / 1e6))
    rc, out, err, rss = r.run(r.fresh_db('bomb'), ['import', path])
    c.eq(rc, 1, 'bomb: refused')
    c.ok(re.fullmatch(r"error: '.*': gzip data inflating more than 100-fold .*\n", err) is not None,
         'bomb: refused as a decompression bomb', err)
    print('bomb: peak RSS %.1f MiB' % (rss / MIB))
    if r.sanitized:
        c.skip('bomb: RSS bound (sanitizer build)')
    else:
        c.ok(rss <= floor + 128 * MIB, 'bomb: peak RSS %.1f MiB within the floor + 128 MiB' % (rss / MIB))


def group_oom(r, c):
    inputs = []
    for name, make in (('distinct.folded', lambda p: make_folded(p, 300000)),
                       ('sampled.speedscope.json', lambda p: make_sampled(p, 400000)),
                       ('evented.speedscope.json', lambda p: make_evented(p, 400000)),
                       ('synthetic.prof', lambda p: make_prof(p, 150000))):
        path = os.path.join(r.tmp, name)
        make(path)
        inputs.append(path)
    if r.sanitized:
        c.skip('oom: address-space caps (sanitizer build)', len(inputs))
        for path in inputs:
            rc, _, err, _ = r.run(r.fresh_db('nocap'), ['import', path])
            c.eq(rc, 0, 'oom: %s imports without a cap (%s)' % (os.path.basename(path), err.strip()[:300]))
        return
    base = os.path.join(r.tmp, 'base.folded')
    with open(base, 'w') as f:
        f.write('main;work 3\nmain;idle 1\n')
    base_db = r.fresh_db('base')
    rc, _, err, _ = r.run(base_db, ['import', base])
    c.eq(rc, 0, 'oom: the store is made')
    before = store_dump(base_db)
    refused = {}
    for path in inputs:
        name = os.path.basename(path)
        for cap_mib in (16, 32, 64, 128, 192):
            db = r.fresh_db('oom')
            shutil.copyfile(base_db, db)
            rc, out, err, _ = r.run(db, ['import', path], cap=cap_mib * MIB)
            what = 'oom: %s under %d MiB' % (name, cap_mib)
            if rc == 0:
                c.ok(store_facts(db) is not None and re.fullmatch(r'\d+\n', out), what + ': imported', out)
                continue
            refused.setdefault(name, []).append(cap_mib)
            c.eq(rc, 1, what + ': exit status')
            m = OOM_LINE.fullmatch(err.rstrip('\n'))
            c.ok(m is not None and m.group(1) == path and err.count('\n') == 1, what + ': the one error line', err)
            c.ok(store_dump(db) == before, what + ': the store is unchanged')
    for path in inputs:
        name = os.path.basename(path)
        print('oom: %s refused under %s MiB' % (name, ', '.join(map(str, refused.get(name, [])))))
        c.ok(len(refused.get(name, [])) >= 2, 'oom: %s refused under the small caps' % name)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('profview')
    ap.add_argument('--group', choices=('rss', 'bomb', 'oom'), required=True)
    a = ap.parse_args()
    c = Checks('memory-' + a.group)
    with tempfile.TemporaryDirectory(prefix='pv-memory-') as tmp:
        r = Runner(os.path.abspath(a.profview), tmp)
        {'rss': group_rss, 'bomb': group_bomb, 'oom': group_oom}[a.group](r, c)
    sys.exit(c.done())


if __name__ == '__main__':
    main()

#!/usr/bin/env python3
"""Peak memory of `profview import` on inputs that are big in what the readers
keep: folded stacks whose every line is a new function, speedscope files with
many samples and events, and gzip bombs. Prints input size, peak RSS, RSS per
input byte and per function/sample, wall and CPU time.

Peak RSS is ru_maxrss from wait4() of a child forked by a small helper process
(forked from this script, the child would start with this script's RSS as its
maximum). Every run gets a fresh store. Nothing here is a test: see
tests/memory/ for the bounds that are checked.

  python3 bench/bench_memory.py [PROFVIEW] [--scale 10000000] [--only folded,speedscope,bomb]
"""
import argparse
import gzip
import json
import os
import random
import subprocess
import sys
import tempfile
import time
import zlib

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)

RSS_HELPER = r"""
import os, sys
pid = os.fork()
if pid == 0:
    fd = os.open(os.devnull, os.O_WRONLY)
    os.dup2(fd, 1)
    os.execv(sys.argv[1], sys.argv[1:])
_, status, ru = os.wait4(pid, 0)
sys.stderr.write('\nRUSAGE %d %f %f %d\n' % (ru.ru_maxrss, ru.ru_utime, ru.ru_stime, os.waitstatus_to_exitcode(status)))
"""


def measure(argv):
    """(exit code, peak RSS bytes, wall s, cpu s, stderr without the rusage line)"""
    t0 = time.perf_counter()
    p = subprocess.run([sys.executable, '-c', RSS_HELPER] + argv, stdout=subprocess.DEVNULL,
                       stderr=subprocess.PIPE)
    wall = time.perf_counter() - t0
    err = p.stderr.decode(errors='replace')
    head, _, tail = err.rpartition('\nRUSAGE ')
    rss, ut, st, code = tail.split()
    return int(code), int(rss) * 1024, wall, float(ut) + float(st), head.strip()


def make_folded_distinct(path, n):
    """n lines, each a stack main;fn_K (pkg/mod_M.py:L) of its own function."""
    with open(path, 'w') as f:
        for i in range(0, n, 100000):
            f.write(''.join('main;fn_%d (pkg/mod_%d.py:%d) 1\n' % (k, k % 1000, k % 700 + 1)
                            for k in range(i, min(n, i + 100000))))


def make_speedscope_sampled(path, n, seed=1):
    """n samples over 2,000 frames and 20,000 distinct stacks 3-8 deep, as py-spy
    writes them (weights 1 to 3)."""
    rng = random.Random(seed)
    stacks = []
    for _ in range(20000):
        d = rng.randint(3, 8)
        if stacks and rng.random() < 0.8:
            base = rng.choice(stacks)
            k = rng.randint(1, min(len(base), d - 1))
            stacks.append(base[:k] + [rng.randrange(2000) for _ in range(d - k)])
        else:
            stacks.append([rng.randrange(2000) for _ in range(d)])
    texts = ['[%s]' % ','.join(map(str, s)) for s in stacks]
    with open(path, 'w') as f:
        f.write('{"$schema":"https://www.speedscope.app/file-format-schema.json","shared":{"frames":[')
        f.write(','.join('{"name":"fn_%d","file":"pkg/mod_%d.py","line":%d}' % (k, k % 97, k + 1)
                         for k in range(2000)))
        f.write(']},"profiles":[{"type":"sampled","name":"main","unit":"none","startValue":0,"endValue":%d,'
                '"samples":[' % n)
        for i in range(0, n, 100000):
            f.write((',' if i else '') + ','.join(texts[int(rng.paretovariate(1.2)) % len(texts)]
                                                  for _ in range(i, min(n, i + 100000))))
        f.write('],"weights":[')
        for i in range(0, n, 100000):
            f.write((',' if i else '') + ','.join(str(1 + (k % 3)) for k in range(i, min(n, i + 100000))))
        f.write(']}],"exporter":"bench_memory.py"}')


def make_speedscope_evented(path, n):
    """n events: a frame opened and closed around a nested one, over 1,000 frames."""
    with open(path, 'w') as f:
        f.write('{"shared":{"frames":[%s]},"profiles":[{"type":"evented","name":"main","unit":"milliseconds",'
                '"startValue":0,"endValue":%d,"events":[' % (
                    ','.join('{"name":"fn_%d","file":"m.py","line":%d}' % (k, k + 1) for k in range(1000)), n))
        at = 0
        parts = []
        for i in range(n // 4):
            a, b = i % 1000, (i * 7 + 1) % 1000
            parts.append('{"type":"O","frame":%d,"at":%d},{"type":"O","frame":%d,"at":%d},'
                         '{"type":"C","frame":%d,"at":%d},{"type":"C","frame":%d,"at":%d}'
                         % (a, at, b, at + 1, b, at + 2, a, at + 3))
            at += 4
            if len(parts) == 25000:
                f.write(','.join(parts) + ',')
                parts = []
        f.write(','.join(parts) + ('' if parts else '{"type":"O","frame":0,"at":%d},{"type":"C","frame":0,"at":%d}'
                                   % (at, at)) + ']}]}')


def make_bomb(path, prefix, nbytes, fill=b'\0'):
    """prefix, then nbytes of fill, gzip level 9 streamed (about 1,000:1)."""
    with open(path, 'wb') as f:
        z = zlib.compressobj(9, zlib.DEFLATED, 31)
        f.write(z.compress(prefix))
        block = fill * max(1, (1 << 20) // len(fill))
        for _ in range(nbytes // len(block)):
            f.write(z.compress(block))
        f.write(z.flush())


def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    ap.add_argument('profview', nargs='?', default=os.path.join(ROOT, 'build', 'profview'))
    ap.add_argument('--scale', type=int, default=10000000, help='lines / samples / events of the big inputs')
    ap.add_argument('--only', default='folded,speedscope,evented,bomb')
    ap.add_argument('--dir', default=os.path.join(HERE, 'out'), help='where the inputs go (kept for reuse)')
    ap.add_argument('--json', help='also write the numbers here')
    a = ap.parse_args()
    os.makedirs(a.dir, exist_ok=True)
    only = set(a.only.split(','))
    cases = []
    n = a.scale
    if 'folded' in only:
        cases.append(('folded, %d distinct functions' % n, 'folded-distinct-%d.folded' % n,
                      lambda p: make_folded_distinct(p, n), n, 'function', []))
    if 'speedscope' in only:
        cases.append(('speedscope, %d samples' % n, 'speedscope-sampled-%d.json' % n,
                      lambda p: make_speedscope_sampled(p, n), n, 'sample', []))
    if 'evented' in only:
        cases.append(('speedscope, %d events' % n, 'speedscope-evented-%d.json' % n,
                      lambda p: make_speedscope_evented(p, n), n, 'event', []))
    if 'bomb' in only:
        G = 2 << 30
        cases.append(('gzip bomb, 2 GiB of zeros, --format speedscope', 'bomb-zeros.gz',
                      lambda p: make_bomb(p, b'', G), 0, None, ['--format', 'speedscope']))
        cases.append(('gzip bomb, 2 GiB of zeros, --format pstats', 'bomb-zeros.gz',
                      lambda p: make_bomb(p, b'', G), 0, None, ['--format', 'pstats']))
        cases.append(('gzip bomb, JSON with a 2 GiB string', 'bomb-json-string.gz',
                      lambda p: make_bomb(p, b'{"shared": {"frames": []}, "x": "', G, b'a'), 0, None, []))
        cases.append(('gzip bomb, folded, 2 GiB of one line repeated', 'bomb-folded.gz',
                      lambda p: make_bomb(p, b'', G, b'main;work;leaf 1\n'),
                      0, None, []))
    print('profview: %s' % a.profview)
    print('load average: %s' % ' '.join(open('/proc/loadavg').read().split()[:3]))
    print()
    rows = []
    fmt = '%-52s %10s %10s %8s %12s %8s %8s  %s'
    print(fmt % ('case', 'input MB', 'peak RSS', 'RSS/in', 'RSS per item', 'wall s', 'cpu s', 'result'))
    for label, name, make, count, item, args in cases:
        path = os.path.join(a.dir, name)
        if not os.path.exists(path):
            make(path + '.tmp')
            os.rename(path + '.tmp', path)
        size = os.path.getsize(path)
        with tempfile.TemporaryDirectory() as tmp:
            db = os.path.join(tmp, 'store.db')
            code, rss, wall, cpu, err = measure([a.profview, '--db', db, 'import'] + args + [path])
        result = 'ok' if code == 0 else 'exit %d: %s' % (code, err.splitlines()[-1][:90] if err else '')
        per = '%.0f B/%s' % (rss / count, item) if count else ''
        print(fmt % (label, '%.1f' % (size / 1e6), '%.0f MiB' % (rss / 2**20), '%.1f' % (rss / size), per,
                     '%.1f' % wall, '%.1f' % cpu, result))
        rows.append(dict(case=label, input_bytes=size, peak_rss=rss, wall=wall, cpu=cpu, exit=code, stderr=err,
                         items=count))
        sys.stdout.flush()
    if a.json:
        with open(a.json, 'w') as f:
            json.dump(rows, f, indent=1)


if __name__ == '__main__':
    main()

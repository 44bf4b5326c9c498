#!/usr/bin/env python3
"""--strip-dirs against pstats' strip_dirs(), byte for byte.

A synthetic stats dict (written here with python3's marshal) where several
functions collapse to the same (basename, line, name) triple -- /a/x.py:1(f),
/b/x.py:1(f), /c/d/x.py:1(f) -- with tottimes whose sum depends on the order of the
additions, callers that collide within one function's callers dict, top-level
functions that merge, built-ins, a trailing-slash path and an undecodable path byte.
`profview sort F --strip-dirs [--by KEYS] [...]` must print exactly what
pstats.Stats(F).strip_dirs().sort_stats(KEYS).print_stats(...) prints (F with a
fixed mtime, TZ=UTC, both run from the same folder with the same relative path),
through a file argument and again through the stored id.

usage: test_strip_dirs.py PROFVIEW TESTS_DIR
"""
import marshal
import os
import sys

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from cli_common import EPOCH, Checks, Sandbox, args, first_diff, pstats_text, set_utc  # noqa: E402

TOP = ('jprofile', 0, 'profiler')  # pstats' marker for top-level functions


def synthetic():
    ax, bx, cx = ('/a/x.py', 1, 'f'), ('/b/x.py', 1, 'f'), ('/c/d/x.py', 1, 'f')
    ux = (os.fsdecode(b'/u/\xff/x.py'), 1, 'f')  # undecodable byte in a folder name
    dx = ('/d/x.py', 2, 'f')  # other line: stays apart
    am, bm = ('/a/m.py', 5, 'main'), ('/b/m.py', 5, 'main')
    ch = ('/c/y.py', 7, 'h')
    qa, qb = ('/a/q.py', 3, 'k'), ('/b/q.py', 3, 'k')  # only ever callers
    g = ('/z/g.py', 9, 'g')
    bl = ('~', 0, '<built-in method builtins.len>')
    ap = ('~', 0, "<method 'append' of 'list' objects>")
    tr = ('/trailing/', 4, 'k')  # basename ''
    bare = ('x.py', 1, 'f')  # already bare, merges with the /…/x.py ones
    win = ('C:\\w\\x.py', 1, 'f')  # not a POSIX separator: kept whole
    return {
        am: (1, 1, 0.001, 4.0, {TOP: (1, 1, 0.001, 4.0)}),
        ax: (1, 2, 0.1, 1.0, {am: (2, 1, 0.1, 1.0)}),
        bm: (2, 2, 1.0, 2.0, {TOP: (2, 2, 1.0, 2.0)}),
        bx: (3, 4, 0.2, 2.0, {bm: (4, 3, 0.25, 2.0), g: (9, 9, 9.0, 9.0), am: (8, 8, 0.75, 8.0)}),
        ch: (5, 5, 0.5, 0.5, {qa: (1, 1, 0.125, 0.25), qb: (2, 2, 0.375, 0.5)}),
        cx: (10, 20, 0.3, 3.0, {g: (1, 1, 0.1, 1.0), bm: (16, 16, 16.0, 16.0)}),
        dx: (7, 7, 0.25, 0.25, {ax: (7, 7, 0.25, 0.25)}),
        g: (1, 1, 0.0, 0.0, {bx: (1, 1, 0.0, 0.0)}),
        bl: (6, 6, 0.125, 0.125, {ax: (4, 4, 0.0625, 0.0625), bx: (2, 2, 0.0625, 0.0625)}),
        ux: (2, 3, 0.7, 0.7, {am: (3, 2, 0.7, 0.7)}),
        ap: (40, 40, 0.5, 0.5, {ch: (40, 40, 0.5, 0.5)}),
        tr: (2, 2, 0.0, 0.0, {}),
        bare: (1, 1, 0.3, 0.3, {}),
        win: (1, 1, 0.2, 0.2, {}),
        ('/e/m.py', 6, 'main'): (3, 3, 0.001, 0.002, {}),
    }


CASES = [
    [],
    ['--by', 'calls'],
    ['--by', 'cumulative'],
    ['--by', 'time'],
    ['--by', 'pcalls'],
    ['--by', 'name'],
    ['--by', 'file'],
    ['--by', 'line'],
    ['--by', 'nfl'],
    ['--by', 'stdname'],
    ['--by', 'file,line'],
    ['--by', 'name,file'],
    ['--by', 'calls,name'],
    ['--by', 'time,cumulative,name'],
    ['--by', 'calls', '--reverse'],
    ['--by', 'stdname', '--reverse', '--limit', '4'],
    ['--by', 'cumulative', '--limit', '3'],
    ['--by', 'time', '--fraction', '0.5'],
    ['--by', 'name', '--match', '^x\\.py'],
    ['--by', 'line', '--match', 'main', '--limit', '1'],
    ['--by', 'nfl', '--match', '^\\{'],
    ['--reverse'],
    ['--limit', '5'],
]


def restrictions(case):
    keys, restr, reverse = None, [], False
    i = 0
    while i < len(case):
        a = case[i]
        if a == '--by':
            keys = case[i + 1].split(',')
            i += 2
        elif a == '--limit':
            restr.append(int(case[i + 1]))
            i += 2
        elif a == '--fraction':
            restr.append(float(case[i + 1]))
            i += 2
        elif a == '--match':
            restr.append(case[i + 1])
            i += 2
        elif a == '--reverse':
            reverse = True
            i += 1
        else:
            raise SystemExit('bad case %r' % case)
    return keys, restr, reverse


def main():
    profview, tests_dir = args()
    set_utc()
    c = Checks('strip_dirs')
    with Sandbox(profview) as sb:
        rel = 'strip.prof'
        with open(sb.path(rel), 'wb') as f:
            marshal.dump(synthetic(), f)
        os.utime(sb.path(rel), (EPOCH, EPOCH))
        rc, out, err = sb.run(['import', rel])
        c.eq(rc, 0, 'import exits 0')
        pid = out.decode().strip()
        for case in CASES:
            keys, restr, reverse = restrictions(case)
            want, exc = pstats_text(rel, keys, restr, strip=True, reverse=reverse, cwd=sb.dir)
            what = '--strip-dirs %s' % ' '.join(case)
            if not c.ok(exc is None, '%s: pstats prints it' % what, exc):
                continue
            for ref, label in ((rel, 'file'), (pid, 'id')):
                rc, out, err = sb.run(['sort', ref, '--strip-dirs'] + case)
                if label == 'id':
                    # the stored source is the path as given at import: same header
                    pass
                c.ok(rc == 0 and out == want, '%s (by %s): equals pstats' % (what, label),
                     'exit %d %s\n%s' % (rc, err.decode('utf-8', 'replace'), first_diff(out, want)))
        # without --strip-dirs nothing is merged (sanity check of the synthetic data);
        # two top-level functions there print in set order, so compare the table only
        want, exc = pstats_text(rel, ['calls'], cwd=sb.dir)
        rc, out, err = sb.run(['sort', rel, '--by', 'calls'])
        table = lambda t: t[t.index(b'   ncalls'):] if b'   ncalls' in t else t  # noqa: E731
        c.ok(rc == 0 and table(out) == table(want), 'no --strip-dirs, --by calls: table equals pstats',
             first_diff(table(out), table(want)))
    return c.done()


if __name__ == '__main__':
    sys.exit(main())

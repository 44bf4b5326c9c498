#!/usr/bin/env python3
"""A store whose counts were edited with sqlite3 (issue 20 item 10): every command
that reads it either works or says, in one line, that the store is corrupt; none
overflows a sum (UBSan in the sanitizer build stops the process on a signed
overflow, and the run then shows 'runtime error'), none sizes an allocation by a
stored count, and none changes the store. Also the same sums from real files:
a folded file whose deep stacks carry counts near 2^53, and merges whose sums
would pass 2^63.

usage: test_tampered.py PROFVIEW TESTS_DIR
"""
import hashlib
import marshal
import os
import sqlite3
import sys

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), 'store'))
from cli_common import Checks, Sandbox, args  # noqa: E402
import store_rows  # noqa: E402


def tamper_rows(db, table, edit):
    """Edits every row of table (functions, edges, tree_nodes: the columns of
    docs/schema.md) in the store's packed arrays, as someone with sqlite3 and
    the format could."""
    def mutate(t, rows):
        if t == table:
            for r in rows:
                edit(r)
    store_rows.rewrite(db, mutate)


INT64_MAX = 2 ** 63 - 1
SANITIZER_WORDS = (b'runtime error', b'AddressSanitizer', b'LeakSanitizer', b'UndefinedBehaviorSanitizer')

# Commands over one stored profile: the table, the summary, and those that load
# the whole profile (strip-dirs, filters, merge, call graph, icicle, exports).
READERS = [
    ['sort', '{id}'],
    ['sort', '{id}', '--limit', '3'],
    ['sort', '{id}', '--format', 'json'],
    ['show', '{id}'],
    ['show', '{id}', '--format', 'json'],
    ['list', '--format', 'json'],
    ['sort', '{id}', '--strip-dirs'],
    ['callers', '{id}', '--strip-dirs'],
    ['filter', '{id}', '--focus', '.'],
    ['filter', '{id}', '--hide', 'zzz'],
    ['diff', '{id}', '{id}'],
    ['callgraph', '{id}'],
    ['icicle', '{id}', '-o', 'out.html'],
    ['export', '{id}', '--to', 'json'],
    ['export', '{id}', '--to', 'folded'],
    ['export', '{id}', '--to', 'speedscope'],
    ['export', '{id}', '--to', 'pstats', '-o', 'out.prof'],
]
# merge stores what it makes: run after the store's digest is compared
WRITERS = [
    ['merge', '{id}', '{id}'],
]


def store_digest(db):
    """A digest of every row of every table (the file's bytes move with WAL)."""
    con = sqlite3.connect(db)
    con.text_factory = bytes  # names are bytes, not always UTF-8
    try:
        h = hashlib.sha256()
        for (t,) in con.execute("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name"):
            for row in con.execute('SELECT * FROM "%s" ORDER BY 1, 2' % t.decode()):
                h.update(repr(row).encode())
        return h.hexdigest()
    finally:
        con.close()


def tamper(db, *sql):
    con = sqlite3.connect(db)
    try:
        for s in sql:
            con.execute(s)
        con.commit()
    finally:
        con.close()


def clean(c, what, rc, out, err):
    """Exit 0, or exit 1 with one 'error:' line; never a sanitizer report or a signal."""
    bad = [w for w in SANITIZER_WORDS if w in err]
    c.ok(not bad, '%s: no sanitizer report' % what, err.decode('utf-8', 'replace')[-3000:])
    if rc == 0:
        return c.ok(True, what)
    lines = err.decode('utf-8', 'replace').splitlines()
    errors = [l for l in lines if l.startswith('error: ')]
    return c.ok(rc == 1 and len(errors) == 1, '%s: exit 0, or 1 with one error line (exit %d)' % (what, rc),
                '\n'.join(lines[-10:]))


def run_readers(c, sb, db, pid, tag):
    before = store_digest(db)
    corrupt = 0
    for argv in READERS:
        argv = [a.format(id=pid) for a in argv]
        rc, out, err = sb.run(argv, db=db)
        clean(c, '%s: %s' % (tag, ' '.join(argv)), rc, out, err)
        corrupt += b'corrupt store' in err
    c.eq(store_digest(db), before, '%s: the store is as before' % tag)
    for argv in WRITERS:
        argv = [a.format(id=pid) for a in argv]
        rc, out, err = sb.run(argv, db=db)
        clean(c, '%s: %s' % (tag, ' '.join(argv)), rc, out, err)
        corrupt += b'corrupt store' in err
    return corrupt


def folded_file(path, depth, lines, count):
    with open(path, 'w') as f:
        stack = ';'.join('f%d' % i for i in range(depth))
        for i in range(lines):
            f.write('%s;leaf%d %d\n' % (stack, i, count))
    return path


def main():
    profview, tests_dir = args()
    c = Checks('tampered')
    prof = os.path.join(tests_dir, 'golden', 'fixtures', 'py311-cprofile.prof')
    with Sandbox(profview) as sb:
        # --- a sampled profile whose tree counts were raised near 2^63: the subtree
        # sums (analysis/tree.c) would overflow
        small = folded_file(sb.path('small.folded'), 3, 4, 5)
        db = sb.path('nodes.db')
        rc, out, err = sb.run(['import', small], db=db)
        c.eq(rc, 0, 'import the small folded file')
        tamper_rows(db, 'tree_nodes', lambda r: r.__setitem__(6, INT64_MAX - 1000) if r[1] > 0 else None)
        corrupt = run_readers(c, sb, db, 1, 'tree counts near 2^63')
        # filter x2, callgraph, icicle, the four exports, merge and the two
        # --strip-dirs tables load the tree; the other tables (sort, show, diff)
        # read only functions and edges
        c.ok(corrupt >= 11, 'tree counts near 2^63: the commands that load the tree say the store is corrupt '
             '(%d of %d)' % (corrupt, len(READERS) + len(WRITERS)))
        # negative counts whose magnitudes pass 2^63 together
        tamper_rows(db, 'tree_nodes', lambda r: r.__setitem__(6, -2 ** 62) if r[1] > 0 else None)
        run_readers(c, sb, db, 1, 'tree counts -2^62')

        # --- cProfile data: functions' and edges' calls, and the stored totals
        def near_max(cols):
            def edit(r):
                for k in cols:
                    r[k] = INT64_MAX
            return edit
        for what, sql in [
            ('functions.calls near 2^63', ('functions', near_max((7, 8)))),
            ('edges.calls near 2^63', ('edges', near_max((4, 5)))),
            ('profiles totals near 2^63', 'UPDATE profiles SET total_calls = %d, primitive_calls = %d, '
             'total_samples = %d' % (INT64_MAX, -INT64_MAX, INT64_MAX)),
        ]:
            db = sb.path('calls-%d.db' % len(what))
            rc, out, err = sb.run(['import', prof], db=db)
            c.eq(rc, 0, '%s: import %s' % (what, os.path.basename(prof)))
            if isinstance(sql, tuple):
                tamper_rows(db, *sql)
            else:
                tamper(db, sql)
            run_readers(c, sb, db, 1, what)

        # --- stored sizes that would size allocations: the function and top-level counts
        db = sb.path('sizes.db')
        rc, out, err = sb.run(['import', prof], db=db)
        rc2, out, err = sb.run(['import', small], db=db)
        c.ok(rc == 0 and rc2 == 0, 'sizes: import both files')
        tamper(db, 'UPDATE profiles SET function_count = %d, top_level_count = %d, node_count = %d'
               % (INT64_MAX, 10 ** 15, INT64_MAX))
        for pid in (1, 2):
            run_readers(c, sb, db, pid, 'stored sizes near 2^63, profile %d' % pid)
        tamper(db, 'UPDATE profiles SET function_count = -5, top_level_count = -5, node_count = -5')
        for pid in (1, 2):
            run_readers(c, sb, db, pid, 'stored sizes -5, profile %d' % pid)

        # --- the same sums from real files. A folded file may hold 2^62 samples in
        # all; stacks 40 frames deep make every function's count that large, and
        # their sum over functions (no total of anything) must not be made.
        deep = folded_file(sb.path('deep.folded'), 40, 500, 2 ** 53)
        db = sb.path('deep.db')
        rc, out, err = sb.run(['import', deep], db=db)
        clean(c, 'import 500 stacks 40 deep of 2^53 samples each', rc, out, err)
        c.eq(rc, 0, 'the deep file imports (its total, 500 x 2^53, is below 2^62)')
        rc, out, err = sb.run(['show', '1', '--format', 'json'], db=db)
        c.ok(rc == 0 and b'"total_samples": %d' % (500 * 2 ** 53) in out, 'the deep file: total_samples = 500 x 2^53',
             out[:600])
        run_readers(c, sb, db, 1, 'deep stacks of 2^53 samples')
        # merging it with itself fits (2 x 500 x 2^53 < 2^63); three times does not
        rc, out, err = sb.run(['merge', '1', '1'], db=db)
        clean(c, 'merge the deep profile twice', rc, out, err)
        c.eq(rc, 0, 'merge the deep profile twice (the sum fits)')
        rc, out, err = sb.run(['merge', '1', '1', '1'], db=db)
        clean(c, 'merge the deep profile three times', rc, out, err)
        c.ok(rc == 1 and b'does not fit in 64 bits' in err, 'merge three times: the sum does not fit, said so',
             err.decode('utf-8', 'replace'))

        # cProfile files whose call counts are each within what pstats' reader and
        # profview's allow (their sum fits in int64), merged into a sum that does not
        big = {('/a/x.py', 1, 'f'): (2 ** 60, 2 ** 60, 0.5, 1.0, {}),
               ('/b/x.py', 1, 'f'): (2 ** 60, 2 ** 60, 0.5, 1.0, {('/a/x.py', 1, 'f'): (2 ** 59, 2 ** 59, 0.1, 0.1)})}
        path = sb.path('big.prof')
        with open(path, 'wb') as f:
            marshal.dump(big, f)
        db = sb.path('big.db')
        rc, out, err = sb.run(['import', path], db=db)
        c.eq(rc, 0, 'import a .prof whose counts add up to 2^63 - 1 at most')
        run_readers(c, sb, db, 1, 'counts of 2^60')
        rc, out, err = sb.run(['merge', '1', '1'], db=db)
        clean(c, 'merge the 2^60 profile twice', rc, out, err)
        c.ok(rc == 1 and b'does not fit in 64 bits' in err, 'merge of 2^60 counts twice: refused, said so',
             err.decode('utf-8', 'replace'))
    return c.done()


if __name__ == '__main__':
    sys.exit(main())

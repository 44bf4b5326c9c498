#!/usr/bin/env python3
"""Outputs their consumers can read (issue 20 item 9), checked with the consumers:

* CSV (sort, diff, sql --format csv) read back by Python's csv module from strict
  UTF-8: names that a spreadsheet would run as formulas (=cmd|..., +, -, @, tab,
  CR) come back as text led by a ' (OWASP), numbers are never prefixed, bytes that
  are not UTF-8 are the text \\udcXX (cli_common.csv_cell, the documented policy);
* a profile whose every sample weighs 0 imports; `export --to pstats` and
  `--to folded` refuse it in one line (pstats.Stats cannot load an empty dict,
  flamegraph.pl and import find no stack count in an empty file), leaving no
  file behind; its speedscope and JSON exports parse and re-import; a cProfile
  file whose times are all 0 exports to pstats as Python's pstats reads it;
  weights all under one unit are refused with the --unit to use, and the smaller
  unit's file passes flamegraph.pl's rule and re-imports;
* JSON parsed strictly (no NaN, Infinity): every JSON output of profiles whose
  totals pass the largest double (a merge, a .prof of 1e308 s), and a speedscope
  export whose endValue would be inf is refused in one line;
* `profview sql` writes rows as they come: its peak RSS (wait4) on a generated
  store stays within a bound whatever the rows (the whole result was held
  before: 5M rows, 554 MB), and its aligned text, read twice when big, is what
  Python's sqlite3 gives for the same query.

usage: test_outputs.py PROFVIEW TESTS_DIR
"""
import csv
import io
import json
import marshal
import os
import pstats
import re
import sqlite3
import subprocess
import sys

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from cli_common import CSV_NUMBER_RE, Checks, Sandbox, args, csv_cell  # noqa: E402

# flamegraph.pl's rule for a line (stackcollapse output -> SVG)
FLAMEGRAPH_RE = re.compile(rb'^(.*)\s+?(\d+(?:\.\d*)?)$', re.S)

HOSTILE = [
    "=cmd|' /C calc'!A0",
    '=HYPERLINK("http://example.invalid/x","click")',
    '+1+cmd|x',
    '-2+3+cmd|x',
    '@SUM(1+1)*cmd|x',
    '\tleading tab',
    '\rleading cr',
    '-5',               # a number: never prefixed
    '+1.5e3',           # a number too
    '-',                # not a number
    'semi;colon=1',
    'plain',
    os.fsdecode(b'/src/latin1-\xe9\xff.py'),
    os.fsdecode(b'=\xfe'),
]


def text(b):
    return b.decode('utf-8', 'replace')


def one_error(c, what, rc, err):
    lines = [l for l in err.decode('utf-8', 'replace').splitlines() if not l.startswith('note: ')]
    return c.ok(rc == 1 and len(lines) == 1 and lines[0].startswith('error: '),
                '%s: exit 1 with one error line' % what, 'exit %d\n%s' % (rc, '\n'.join(lines[-5:])))


def strict_json(c, what, out):
    def bad(const):
        raise ValueError('not JSON: %s' % const)
    try:
        return json.loads(out.decode('utf-8'), parse_constant=bad)
    except (ValueError, UnicodeDecodeError) as e:
        c.ok(False, '%s: strict JSON' % what, '%s\n%s' % (e, text(out[:400])))
        return None


def read_csv(c, what, out):
    """Rows of a CSV read the way a careful consumer does: strict UTF-8, newline=''."""
    try:
        t = out.decode('utf-8')
    except UnicodeDecodeError as e:
        c.ok(False, '%s: the CSV is UTF-8' % what, e)
        return []
    return list(csv.reader(io.StringIO(t, newline='')))


def write_prof(path, entries):
    with open(path, 'wb') as f:
        marshal.dump(entries, f)
    return path


def check_csv(c, sb):
    entries = {}
    for i, s in enumerate(HOSTILE):
        entries[(s, i + 1, s)] = (i + 1, i + 1, 0.5 * (i + 1), 1.0 * (i + 1), {})
    base = write_prof(sb.path('hostile.prof'), entries)
    # the same functions slower and faster: negative deltas in diff
    entries2 = {k: (v[0], v[1], v[2] * (0.5 if i % 2 else 2), v[3], {}) for i, (k, v) in enumerate(entries.items())}
    new = write_prof(sb.path('hostile2.prof'), entries2)
    want = {(csv_cell(f), str(line), csv_cell(n)) for (f, line, n) in entries}

    rc, out, err = sb.run(['sort', base, '--format', 'csv'])
    rows = read_csv(c, 'sort csv', out) if c.eq(rc, 0, 'sort --format csv exit code') else []
    if rows:
        head = rows[0]
        got = {(r[head.index('file')], r[head.index('line')], r[head.index('name')]) for r in rows[1:]}
        c.eq(got, want, 'sort csv: file and name cells are the documented text (formulas led by a quote)')
        for r in rows[1:]:
            for col in ('calls', 'primitive_calls', 'tottime', 'cumtime'):
                v = r[head.index(col)]
                c.ok(CSV_NUMBER_RE.match(v), 'sort csv: %s is a plain number: %r' % (col, v))
        cells = [r[head.index('name')] for r in rows[1:]]
        for s in HOSTILE:
            cell = csv_cell(s)
            if s[:1] in '=+-@\t\r' and not CSV_NUMBER_RE.match(s):
                c.ok(cell in cells and cell.startswith("'"), 'a formula stays text: %r' % s)
        c.ok('-5' in cells and '+1.5e3' in cells, 'number-like names are not prefixed', cells)
        c.ok(b'\xff' not in out and b'\\udcff' in out, 'undecodable bytes are the text \\udcXX, not raw bytes')

    rc, out, err = sb.run(['diff', base, new, '--format', 'csv'])
    rows = read_csv(c, 'diff csv', out) if c.eq(rc, 0, 'diff --format csv exit code') else []
    if rows:
        head = rows[0]
        got = {(r[head.index('file')], r[head.index('line')], r[head.index('name')]) for r in rows[1:]}
        c.eq(got, want, 'diff csv: file and name cells are the documented text')
        deltas = [r[head.index('tottime_delta')] for r in rows[1:]]
        c.ok(any(d.startswith('-') for d in deltas) and all(CSV_NUMBER_RE.match(d) for d in deltas),
             'diff csv: negative deltas are plain numbers, not prefixed', deltas)

    rc, out, err = sb.run(['import', base])
    pid = out.split()[-1].decode() if rc == 0 else '1'
    query = ("SELECT name, line, tottime, -1 AS neg, '-7' AS negtext, '=1+1' AS formula, NULL AS empty, "
             "x'3dff' AS blob FROM functions WHERE profile_id = %s ORDER BY idx" % pid)
    rc, out, err = sb.run(['sql', query, '--format', 'csv'])
    rows = read_csv(c, 'sql csv', out) if c.eq(rc, 0, 'sql --format csv exit code') else []
    if rows:
        c.eq(rows[0], ['name', 'line', 'tottime', 'neg', 'negtext', 'formula', 'empty', 'blob'], 'sql csv header')
        c.eq([r[0] for r in rows[1:]], [csv_cell(s) for s in HOSTILE], 'sql csv: text cells as documented')
        c.ok(all(r[3] == '-1' and r[4] == '-7' and r[5] == "'=1+1" and r[6] == '' and r[7] == "x'3dff'"
                 for r in rows[1:]), 'sql csv: numbers and number-like text as they are, a formula led by a quote',
             rows[1:3])
    rc, out, err = sb.run(['sql', 'SELECT 1 AS "=cmd|x", 2 AS "-3"', '--format', 'csv'])
    rows = read_csv(c, 'sql csv header', out)
    c.eq(rows[:1], [["'=cmd|x", '-3']], 'sql csv: a column name that is a formula is led by a quote')


def check_zero(c, sb):
    zero = sb.path('zero.folded')
    with open(zero, 'w') as f:
        f.write('main;work 0\nmain;idle 0\n')
    db = sb.path('zero.db')
    rc, out, err = sb.run(['import', zero], db=db)
    c.eq(rc, 0, 'a zero-weight folded file imports')
    for to in ('pstats', 'folded'):
        dest = sb.path('zero-out.' + to)
        rc, out, err = sb.run(['export', '--to', to, '-o', dest], db=db)
        one_error(c, 'zero-weight export --to %s' % to, rc, err)
        c.ok(b'nothing to export' in err, 'zero-weight export --to %s says why' % to, text(err))
        c.ok(not os.path.exists(dest), 'zero-weight export --to %s leaves no file' % to)
    rc, out, err = sb.run(['export', '--to', 'folded'], db=db)
    c.ok(rc == 1 and out == b'', 'zero-weight export --to folded on stdout: nothing written')
    for to in ('speedscope', 'json'):
        dest = sb.path('zero-out.%s.json' % to)
        rc, out, err = sb.run(['export', '--to', to, '-o', dest], db=db)
        if c.eq(rc, 0, 'zero-weight export --to %s exit code' % to):
            with open(dest, 'rb') as f:
                doc = strict_json(c, 'zero-weight --to %s' % to, f.read())
            c.ok(doc is not None, 'zero-weight --to %s parses' % to)
    rc, out, err = sb.run(['import', sb.path('zero-out.speedscope.json')], db=sb.path('zero2.db'))
    c.eq(rc, 0, 'the zero-weight speedscope export re-imports')

    # cProfile data whose times are all 0 (functions called, no time measured)
    prof = write_prof(sb.path('zero-time.prof'), {('a.py', 1, 'f'): (2, 2, 0.0, 0.0, {}),
                                                   ('a.py', 5, 'g'): (1, 1, 0.0, 0.0, {('a.py', 1, 'f'): (1, 1, 0.0, 0.0)})})
    db = sb.path('zero-time.db')
    dest = sb.path('zero-time-out.prof')
    rc, out, err = sb.run(['export', prof, '--to', 'pstats', '-o', dest], db=db)
    if c.eq(rc, 0, 'zero-time .prof: export --to pstats exit code'):
        try:
            st = pstats.Stats(dest, stream=io.StringIO())
            c.eq(len(st.stats), 2, "zero-time .prof: pstats reads profview's export")
        except Exception as e:  # noqa: BLE001 - the failure is the finding
            c.ok(False, "zero-time .prof: pstats reads profview's export", repr(e))
    rc, out, err = sb.run(['export', prof, '--to', 'folded', '-o', sb.path('zero-time.folded')], db=db)
    one_error(c, 'zero-time .prof: export --to folded', rc, err)

    # weights all under one microsecond: refused with the unit to use; in ns it works
    doc = {'$schema': 'https://www.speedscope.app/file-format-schema.json',
           'shared': {'frames': [{'name': 'a', 'file': 'a.py', 'line': 1}, {'name': 'b', 'file': 'b.py', 'line': 2}]},
           'profiles': [{'type': 'sampled', 'name': 'tiny', 'unit': 'microseconds', 'startValue': 0, 'endValue': 0.3,
                         'samples': [[0], [0, 1]], 'weights': [0.1, 0.2]}]}
    tiny = sb.path('tiny.speedscope.json')
    with open(tiny, 'w') as f:
        json.dump(doc, f)
    db = sb.path('tiny.db')
    rc, out, err = sb.run(['export', tiny, '--to', 'folded'], db=db)
    one_error(c, 'weights under 1 us: export --to folded', rc, err)
    c.ok(b'--unit' in err, 'weights under 1 us: the error names --unit', text(err))
    dest = sb.path('tiny.folded')
    rc, out, err = sb.run(['export', tiny, '--to', 'folded', '--unit', 'ns', '-o', dest], db=db)
    if c.eq(rc, 0, 'weights under 1 us: export --to folded --unit ns'):
        with open(dest, 'rb') as f:
            lines = f.read().split(b'\n')[:-1]
        c.ok(lines and all(FLAMEGRAPH_RE.match(l) for l in lines), "the ns file passes flamegraph.pl's rule", lines)
        rc, out, err = sb.run(['import', dest], db=sb.path('tiny2.db'))
        c.eq(rc, 0, 'the ns file re-imports')


def check_json(c, sb):
    db = sb.path('inf.db')
    frames = [{'name': 'a', 'file': 'a.py', 'line': 1}, {'name': 'b', 'file': 'b.py', 'line': 2}]
    for i, stacks in enumerate(([[0], [0, 1]], [[1], [1, 0]])):
        doc = {'$schema': 'https://www.speedscope.app/file-format-schema.json', 'shared': {'frames': frames},
               'profiles': [{'type': 'sampled', 'name': 'big', 'unit': 'milliseconds', 'startValue': 0,
                             'endValue': 1.5e308, 'samples': stacks, 'weights': [1e308, 0.5e308]}]}
        path = sb.path('big%d.speedscope.json' % i)
        with open(path, 'w') as f:
            json.dump(doc, f)
        rc, out, err = sb.run(['import', path], db=db)
        c.eq(rc, 0, 'import a speedscope file whose total is 1.5e308')
    rc, out, err = sb.run(['merge', '1', '2'], db=db)
    c.eq(rc, 0, 'merge them (the total passes the largest double)')
    prof = write_prof(sb.path('big.prof'), {('a.py', 1, 'f'): (1, 1, 1e308, 1.5e308, {}),
                                             ('a.py', 2, 'g'): (1, 1, 0.9e308, 0.9e308,
                                                                {('a.py', 1, 'f'): (1, 1, 0.9e308, 0.9e308)})})
    rc, out, err = sb.run(['import', prof], db=db)
    c.eq(rc, 0, 'import a .prof of 1e308 s')
    for pid in ('3', '4'):
        for argv in (['show', pid, '--format', 'json'], ['sort', pid, '--format', 'json'],
                     ['callers', pid, '--format', 'json'], ['callees', pid, '--format', 'json'],
                     ['diff', '1', pid, '--format', 'json'], ['diff', pid, pid, '--format', 'json'],
                     ['export', pid, '--to', 'json'], ['list', '--format', 'json'],
                     ['sql', 'SELECT * FROM profiles', '--format', 'json'],
                     ['sql', 'SELECT tottime * 1e300 AS t, -1e999 AS m FROM functions', '--format', 'json']):
            rc, out, err = sb.run(argv, db=db)
            what = ' '.join(argv)
            if c.eq(rc, 0, '%s: exit code' % what):
                c.ok(strict_json(c, what, out) is not None, '%s: strict JSON' % what)
        rc, out, err = sb.run(['export', pid, '--to', 'speedscope', '-o', sb.path('inf.json')], db=db)
        lines = [l for l in text(err).splitlines() if not l.startswith('note: ')]
        c.ok(rc == 1 and len(lines) == 1 and 'endValue' in lines[0] and not os.path.exists(sb.path('inf.json')),
             'export %s --to speedscope with an infinite total: refused in one line, no file' % pid, text(err))


def run_rss(sb, db, argv, dest):
    """(exit code, peak RSS in KiB) of profview --db DB ARGV > dest, by wait4."""
    env = dict(sb.env)
    # ASan keeps freed memory in a quarantine (256 MB): small, so RSS shows live memory
    env['ASAN_OPTIONS'] = env.get('ASAN_OPTIONS', '') + ':quarantine_size_mb=8'
    with open(dest, 'wb') as out:
        p = subprocess.Popen([sb.profview, '--db', db] + argv, stdout=out, stderr=subprocess.DEVNULL, env=env)
        _, status, usage = os.wait4(p.pid, 0)
    return os.waitstatus_to_exitcode(status), usage.ru_maxrss


def py_text(db, query):
    """profview sql's aligned text, computed with Python's sqlite3 (docs/profview-sql.md)."""
    con = sqlite3.connect(db)
    con.text_factory = bytes
    cur = con.execute(query)
    names = [d[0].encode() for d in cur.description]

    def cell(v):
        if v is None:
            return b'NULL'
        if isinstance(v, float):
            return repr(v).encode()
        if isinstance(v, int):
            return str(v).encode()
        return v

    rows = [[cell(v) for v in r] for r in cur]
    con.close()
    width = [max([len(n)] + [len(r[i]) for r in rows]) for i, n in enumerate(names)]
    out = [b'  '.join(n.ljust(width[i]) if i + 1 < len(names) else n for i, n in enumerate(names)) + b'\n',
           b'  '.join(b'-' * w for w in width) + b'\n']
    for r in rows:
        out.append(b''.join(v.ljust(width[i] + 2) if i + 1 < len(r) else v + b'\n' for i, v in enumerate(r)))
    return b''.join(out)


def check_sql_stream(c, sb):
    db = sb.path('big.db')
    folded = sb.path('s.folded')
    with open(folded, 'w') as f:
        f.write('a;b 3\na;c 2\n')
    rc, out, err = sb.run(['import', folded], db=db)
    c.eq(rc, 0, 'sql stream: import a small file')
    n = 20000
    # 20,000 function-like rows made by the query itself (a store that size
    # would be slow to make here), five rows each, some 700 bytes wide: about
    # 70 MB of CSV
    big = ("WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i < 19999), "
           "f AS (SELECT 2 AS profile_id, i AS idx, '/srv/app/module_' || (i % 997) || '.py' AS file, "
           "i % 5000 AS line, 'function_name_' || i AS name, 1 AS in_stats, 0 AS top_level, i AS pcalls, "
           "3 * i AS calls, i * 1e-6 AS tottime, i * 2.5e-6 AS cumtime, NULL AS annotation FROM n), "
           "k(v) AS (VALUES (1), (2), (3), (4), (5)) SELECT f.*, k.v, printf('%.600c', 'w') || f.name "
           "AS wide FROM f, k")
    small = big + ' LIMIT 10'
    for fmt in ('text', 'csv', 'json'):
        rc1, rss_small = run_rss(sb, db, ['sql', small, '--format', fmt], sb.path('small.' + fmt))
        rc2, rss_big = run_rss(sb, db, ['sql', big, '--format', fmt], sb.path('big.' + fmt))
        size = os.path.getsize(sb.path('big.' + fmt))
        c.ok(rc1 == 0 and rc2 == 0 and size > 60 << 20, 'sql --format %s: %d rows, %d MB written' %
             (fmt, 5 * n, size >> 20), (rc1, rc2, size))
        # the whole result held was 1x to 6x its size; rows as they come hold one
        # row (and SQLite's page cache, at most the store's few MB here)
        c.ok(rss_big - rss_small < 40 * 1024, 'sql --format %s: peak RSS %d MB for %d MB of output, %d MB for 10 rows'
             % (fmt, rss_big >> 10, size >> 20, rss_small >> 10))
    # the aligned text, read twice (over 16 MiB of cells), is what Python computes
    with open(sb.path('big.text'), 'rb') as f:
        got = f.read()
    want = py_text(db, big)
    c.ok(got == want, 'sql text of %d rows (two passes) equals the columns Python aligns' % (5 * n),
         'got %d bytes, want %d' % (len(got), len(want)))
    with open(sb.path('small.text'), 'rb') as f:
        c.eq(f.read(), py_text(db, small), 'sql text of 10 rows (one pass) equals what Python aligns')
    with open(sb.path('big.csv'), 'rb') as f:
        rows = read_csv(c, 'big csv', f.read())
    c.eq(len(rows), 5 * n + 1, 'sql csv: every row, and the header')
    with open(sb.path('big.json'), 'rb') as f:
        doc = strict_json(c, 'big json', f.read())
    c.ok(doc is not None and len(doc) == 5 * n, 'sql json: every row')


def main():
    profview, tests_dir = args()
    c = Checks('outputs')
    with Sandbox(profview) as sb:
        check_csv(c, sb)
        check_zero(c, sb)
        check_json(c, sb)
        check_sql_stream(c, sb)
    return c.done()


if __name__ == '__main__':
    sys.exit(main())

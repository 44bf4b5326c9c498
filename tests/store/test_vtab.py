#!/usr/bin/env python3
"""The tables functions, edges and tree_nodes of a version-5 store (issue 14):
virtual tables over each profile's packed arrays. What `profview sql` gives for
them must be the rows the arrays hold, decoded here independently from the
format docs/schema.md describes (store_rows.py); the sqlite3 program with the
extension profview.so must give the same; a query with profile_id = N reads that
profile only; and the arrays conserve what the readers saw (function and edge
counts, pstats' totals against pstats itself).

usage: test_vtab.py PROFVIEW TESTS_DIR EXTENSION SANITIZED(0|1)
"""
import json
import os
import pstats
import shutil
import sqlite3
import subprocess
import sys
import tempfile

sys.dont_write_bytecode = True
HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import store_rows  # noqa: E402

PASSED, FAILED = [0], [0]


def check(ok, what, detail=''):
    if ok:
        PASSED[0] += 1
    else:
        FAILED[0] += 1
        print('FAIL %s' % what)
        if detail:
            print('    %s' % str(detail)[:800])
    return ok


ORDER = {'functions': 'profile_id, idx', 'edges': 'profile_id, callee, ord', 'tree_nodes': 'profile_id, id'}


def rows_of(out):
    """JSON rows of profview sql / sqlite3 -json as lists, numbers as they read."""
    doc = json.loads(out or b'[]')
    return [list(r.values()) for r in doc]


def main():
    profview, tests_dir, ext = (os.path.abspath(a) for a in sys.argv[1:4])
    sanitized = sys.argv[4] == '1'
    fx = os.path.join(tests_dir, 'golden', 'fixtures')
    sx = os.path.join(tests_dir, 'sampled', 'fixtures')
    files = [os.path.join(fx, 'py311-cprofile.prof'), os.path.join(fx, 'py27-cprofile.prof'),
             os.path.join(fx, 'py312-profile.prof'), os.path.join(sx, 'py_sampled-annotated.folded'),
             os.path.join(sx, 'py_evented.speedscope.json'), os.path.join(sx, 'py_threads.speedscope.json')]
    tmp = tempfile.mkdtemp(prefix='pv-vtab-')
    try:
        db = os.path.join(tmp, 'store.db')
        env = dict(os.environ, TZ='UTC')

        def pv(*args):
            return subprocess.run([profview, '--db', db] + list(args), capture_output=True, env=env, cwd=tmp)

        for f in files:
            r = pv('import', f)
            check(r.returncode == 0, 'import %s' % os.path.basename(f), r.stderr)
        con = sqlite3.connect('file:%s?mode=ro' % db, uri=True)
        ids = [r[0] for r in con.execute('SELECT id FROM profiles ORDER BY id')]
        check(len(ids) >= len(files), 'every file stored (%d profiles)' % len(ids))
        tables = [r[0] for r in con.execute("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")]
        check(tables == ['names', 'profile_arrays', 'profiles'], 'the schema holds no row tables', tables)

        # each table, each profile: profview sql = the arrays decoded here
        decoded = {pid: store_rows.read_profile(con, pid) for pid in ids}
        for table, order in ORDER.items():
            for pid in ids:
                r = pv('sql', 'SELECT * FROM %s WHERE profile_id = %d ORDER BY %s' % (table, pid, order),
                       '--format', 'json')
                got = rows_of(r.stdout) if r.returncode == 0 else None
                want = [list(x) for x in decoded[pid][table]]
                check(got == want, '%s of profile %d: profview sql gives the rows the arrays hold (%d)'
                      % (table, pid, len(want)), r.stderr or (got[:2] if got else got, want[:2]))
            r = pv('sql', 'SELECT count(*) FROM %s' % table, '--format', 'json')
            total = sum(len(decoded[p][table]) for p in ids)
            check(r.returncode == 0 and rows_of(r.stdout) == [[total]],
                  '%s without profile_id: every profile (%d rows)' % (table, total), r.stdout + r.stderr)

        # the stored counts agree with the rows, and cProfile's with pstats
        for pid in ids:
            fc, ec, nc, kind, tc, pc, src = con.execute(
                'SELECT function_count, edge_count, node_count, kind, total_calls, primitive_calls, source '
                'FROM profiles WHERE id = ?', (pid,)).fetchone()
            d = decoded[pid]
            check(sum(1 for f in d['functions'] if f[5]) == fc and len(d['edges']) == ec and len(d['tree_nodes']) == nc,
                  'profile %d: function, edge and node counts as its row says' % pid)
            if kind == 'calls' and src.endswith('py311-cprofile.prof'):
                st = pstats.Stats(src)
                check((st.total_calls, st.prim_calls) == (tc, pc), 'profile %d: pstats totals' % pid)
                want = {(f, l, n): (cc, nc_, tt, ct) for (f, l, n), (cc, nc_, tt, ct, _) in st.stats.items()}
                got = {(f[2], f[3], f[4]): (f[7], f[8], f[9], f[10]) for f in d['functions'] if f[5]}
                check(got == want, 'profile %d: every stats entry as pstats reads the file' % pid)
                callers = {((f, l, n), c): v for (f, l, n), (_, _, _, _, cs) in st.stats.items() for c, v in cs.items()}
                key = {f[1]: (f[2], f[3], f[4]) for f in d['functions']}
                got = {(key[e[1]], key[e[3]]): (e[4], e[5], e[6], e[7]) for e in d['edges']}  # (nc, cc, tt, ct)
                check(got == callers, 'profile %d: every caller edge as pstats reads the file' % pid)

        # profile_id = N reads that profile only: another one's damaged arrays do not matter
        damaged = os.path.join(tmp, 'damaged.db')
        con.close()
        shutil.copy(db, damaged)
        c2 = sqlite3.connect(damaged)
        c2.execute("UPDATE profile_arrays SET data = x'00' WHERE profile_id = ? AND array = 'functions'", (ids[-1],))
        c2.commit()
        c2.close()
        r = subprocess.run([profview, '--db', damaged, 'sql', 'SELECT count(*) FROM functions WHERE profile_id = %d'
                            % ids[0], '--format', 'json'], capture_output=True, env=env)
        check(r.returncode == 0 and rows_of(r.stdout) == [[len(decoded[ids[0]]['functions'])]],
              'profile_id = N reads profile N only (another is damaged)', r.stderr)
        r = subprocess.run([profview, '--db', damaged, 'sql', 'SELECT count(*) FROM functions'],
                           capture_output=True, env=env)
        check(r.returncode == 1 and r.stderr.count(b'\n') == 1 and b'corrupt store' in r.stderr
              and b'profile %d' % ids[-1] in r.stderr,
              'a scan over a damaged profile: one line naming it', r.stderr)

        # the sqlite3 program with the extension gives the same rows
        sqlite = shutil.which('sqlite3')
        if sanitized:
            print('SKIP sqlite3 + profview.so: a sanitizer build cannot be loaded into sqlite3')
        elif not sqlite:
            print('SKIP sqlite3 + profview.so: no sqlite3 program (scripts/setup --test installs it)')
        else:
            for table, order in ORDER.items():
                q = 'SELECT * FROM %s ORDER BY %s;' % (table, order)
                a = subprocess.run([sqlite, '-json', '-cmd', '.load %s' % os.path.splitext(ext)[0], db, q],
                                   capture_output=True, env=env)
                b = pv('sql', q.rstrip(';'), '--format', 'json')
                check(a.returncode == 0 and b.returncode == 0 and rows_of(a.stdout) == rows_of(b.stdout),
                      '%s: sqlite3 with profview.so gives what profview sql gives' % table, a.stderr + b.stderr)
            a = subprocess.run([sqlite, db, 'SELECT count(*) FROM functions;'], capture_output=True, env=env)
            check(a.returncode != 0 and b'no such table: functions' in a.stderr,
                  'sqlite3 without the extension: no such table (documented)', a.stdout + a.stderr)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    print('%d passed, %d failed' % (PASSED[0], FAILED[0]))
    return 1 if FAILED[0] else 0


if __name__ == '__main__':
    sys.exit(main())

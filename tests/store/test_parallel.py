#!/usr/bin/env python3
"""Parallel writers (issue 20, item 5), as CI jobs sharing a store run them.

* 50 imports started at once into a store that does not exist yet (its folders
  neither) all land: exit 0, one id each, 50 distinct ids, 50 rows; again with
  readers (list, sort) running alongside, which never fail on a lock.
* 20 imports at once of a bigger generated profile (folded stacks of a few MB,
  each file its own) all land.
* A writer waits for another one longer than SQLite's usual seconds: an import
  behind a write transaction held for 12 s still lands.
* The wait is bounded: with PROFVIEW_LOCK_WAIT=1 an import behind a held write
  lock, or behind another profview creating the store (the folder's flock), exits
  1 after about a second with one line that says why, and changes nothing.

usage: test_parallel.py PROFVIEW TESTS_DIR
"""
import fcntl
import os
import sqlite3
import subprocess
import sys
import threading
import time

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from store_common import Checks, Sandbox, args, cprofile_file, one_line, text  # noqa: E402


def start(sb, argv, db, env=None):
    return subprocess.Popen([sb.profview, '--db', db] + argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            env=env or sb.env, cwd=sb.dir)


def finish(procs, timeout=900):
    out = []
    for p in procs:
        o, e = p.communicate(timeout=timeout)
        out.append((p.returncode, o, e))
    return out


def rows(db):
    con = sqlite3.connect('file:%s?mode=ro' % db, uri=True)
    try:
        return con.execute('SELECT count(*) FROM profiles').fetchone()[0]
    finally:
        con.close()


def check_all_landed(c, results, db, n, label):
    fails = [(rc, text(e)) for rc, o, e in results if rc != 0]
    c.ok(not fails, '%s: every import exits 0' % label, '%d failed: %r' % (len(fails), fails[:5]))
    ids = [o.strip() for rc, o, e in results if rc == 0]
    c.ok(all(i.isdigit() for i in ids) and len(set(ids)) == len(ids) == n,
         '%s: %d distinct ids printed' % (label, n), repr(ids[:60]))
    c.eq(rows(db), n, '%s: %d profiles stored' % (label, n))


def folded_file(path, tag, lines=40000, funcs=4000):
    """Folded stacks: `lines` stacks of up to 12 frames over `funcs` functions of
    module m{tag}, so that each file is its own profile."""
    with open(path, 'w') as f:
        for i in range(lines):
            depth = 3 + i % 10
            frames = ['main (app_%s.py:1)' % tag] + ['f%d (mod%d.py:%d)' % ((i * 7 + k * 131) % funcs, k, k + 1)
                                                   for k in range(depth)]
            f.write(';'.join(frames) + ' %d\n' % (1 + i % 5))
    return path


def main():
    profview, tests_dir = args()
    c = Checks('store-parallel')
    with Sandbox(profview) as sb:
        profs = [cprofile_file(sb.path('p%03d.prof' % i), i + 1000 * k)
                 for k in range(2) for i in range(50)]

        # 50 imports into a new store in new folders
        db = sb.path('fresh', 'a', 'store.db')
        results = finish([start(sb, ['import', p], db) for p in profs[:50]])
        check_all_landed(c, results, db, 50, '50 parallel imports into a new store')

        # again, with readers alongside
        db = sb.path('fresh-b', 'store.db')
        procs = []
        readers = []
        for i, p in enumerate(profs[50:]):
            procs.append(start(sb, ['import', p], db))
            if i % 5 == 0:
                readers.append(start(sb, ['list', '--format', 'json'], db))
                readers.append(start(sb, ['sort', '--limit', '1'], db))
        results = finish(procs)
        check_all_landed(c, results, db, 50, '50 parallel imports with readers')
        rres = finish(readers)
        # before the first import lands a reader finds no store, or one with no profile yet
        bad = [(rc, text(e)) for rc, o, e in rres
               if rc != 0 and b'nothing is stored yet' not in e and b'the store is empty' not in e]
        c.ok(not bad and not any(b'locked' in e for rc, o, e in rres),
             'the readers alongside never fail on a lock (at most: nothing stored yet)', repr(bad[:5]))

        # 20 imports of a bigger profile each
        big = [folded_file(sb.path('big%02d.folded' % i), i) for i in range(20)]
        c.ok(os.path.getsize(big[0]) > 2 << 20, 'the generated folded files are a few MB',
             os.path.getsize(big[0]))
        db = sb.path('big', 'store.db')
        t0 = time.time()
        results = finish([start(sb, ['import', p], db) for p in big])
        check_all_landed(c, results, db, 20, '20 parallel imports of %d MB files' % (os.path.getsize(big[0]) >> 20))
        print('note: 20 big imports took %.1f s' % (time.time() - t0))

        # a writer waits longer than SQLite's usual seconds
        db = sb.path('queue', 'store.db')
        rc, out, err = sb.run(['import', profs[0]], db=db)
        c.ok(rc == 0, 'a store to queue on', text(err))
        con = sqlite3.connect(db, isolation_level=None)
        con.execute('BEGIN IMMEDIATE')
        p = start(sb, ['import', profs[1]], db)
        time.sleep(12)
        c.ok(p.poll() is None, 'the import waits while another holds the write lock for 12 s')
        con.execute('ROLLBACK')
        con.close()
        rc, o, e = finish([p])[0]
        c.ok(rc == 0 and o.strip() == b'2', 'it lands once the lock is free (id 2)', text(o + e))

        # the wait is bounded, and says why
        env = dict(sb.env)
        env['PROFVIEW_LOCK_WAIT'] = '1'
        con = sqlite3.connect(db, isolation_level=None)
        con.execute('BEGIN IMMEDIATE')
        t0 = time.time()
        rc, out, err = sb.run(['import', profs[2]], db=db, env=env)
        took = time.time() - t0
        con.execute('ROLLBACK')
        con.close()
        c.ok(rc == 1 and one_line(err) and err.startswith(b"error: '%s': " % db.encode()) and
             b'stayed locked by another writer for more than 1 s' in err and b'PROFVIEW_LOCK_WAIT' in err,
             'PROFVIEW_LOCK_WAIT=1 behind a held write lock: exit 1, one line that says why', text(err))
        c.ok(0.9 <= took < 60, 'it gave up after about the second asked for (%.1f s)' % took)
        c.eq(rows(db), 2, 'the refused import stored nothing')

        # behind another profview creating the store (the folder's flock)
        folder = sb.path('creating')
        os.mkdir(folder)
        db = os.path.join(folder, 'store.db')
        fd = os.open(folder, os.O_RDONLY)
        fcntl.flock(fd, fcntl.LOCK_EX)
        rc, out, err = sb.run(['import', profs[3]], db=db, env=env)
        c.ok(rc == 1 and one_line(err) and b"kept the store's folder locked for more than 1 s" in err,
             'PROFVIEW_LOCK_WAIT=1 while another creates the store: exit 1, one line that says why', text(err))
        c.ok(not os.path.exists(db), 'and no store file was made')
        # the creator finishes: the waiting import goes on
        p = start(sb, ['import', profs[3]], db)
        threading.Timer(1.0, lambda: fcntl.flock(fd, fcntl.LOCK_UN)).start()
        rc, o, e = finish([p])[0]
        os.close(fd)
        c.ok(rc == 0 and o.strip() == b'1', 'an import waiting for the creation lock lands once it is free',
             text(o + e))
    return c.done()


if __name__ == '__main__':
    sys.exit(main())

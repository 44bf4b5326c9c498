#!/usr/bin/env python3
"""Reading a store wherever its file can be read (issue 20, item 4): list, show,
sort, callers, sql, export and serve on a store in a read-only folder (chmod 555),
a read-only store file in a writable folder (chmod 444), and another user's store,
each with its -wal and -shm files and without them (as a store last closed by a
program that removes them). Nothing is created or changed in the folder; a write
fails with one line. A reader of another user's store sees what its owner imports
meanwhile. An older schema that cannot be upgraded there is said as such.

Run as root, the commands run as the user nobody (root ignores permissions);
otherwise as the user running the test, and the other-user cases are skipped.

usage: test_readonly.py PROFVIEW TESTS_DIR
"""
import json
import os
import shutil
import sqlite3
import stat
import sys

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from store_common import (NOBODY, Checks, Sandbox, Server, args, as_nobody_works, cprofile_file,  # noqa: E402
                          folder_state, one_line, text)


class Reader:
    """Runs profview as the reader: nobody when this is root, else ourselves."""

    def __init__(self, sb, nobody):
        self.sb = sb
        self.prefix = NOBODY if nobody else []

    def run(self, argv, db):
        import subprocess
        p = subprocess.run(self.prefix + [self.sb.profview, '--db', db] + argv, stdout=subprocess.PIPE,
                           stderr=subprocess.PIPE, env=self.sb.env, cwd='/', timeout=300)
        return p.returncode, p.stdout, p.stderr


def make_store(c, sb, folder, profs, keep_aux):
    """A store of the two profiles in folder (names one, two); without its -wal
    and -shm when keep_aux is false (another program's connection, closing last,
    removes them)."""
    os.makedirs(folder)
    db = os.path.join(folder, 'store.db')
    for prof, name in zip(profs, ('one', 'two')):
        rc, out, err = sb.run(['import', prof, '--name', name], db=db)
        c.ok(rc == 0, 'import %s into %s' % (name, os.path.basename(folder)), text(err))
    if keep_aux:
        c.ok(os.path.exists(db + '-wal') and os.path.exists(db + '-shm'), '%s: the -wal and -shm stay'
             % os.path.basename(folder))
    else:
        con = sqlite3.connect(db)
        con.execute('SELECT count(*) FROM sqlite_master').fetchall()
        con.close()
        c.ok(not os.path.exists(db + '-wal') and not os.path.exists(db + '-shm'),
             '%s: the -wal and -shm are gone' % os.path.basename(folder))
    return db


def check_reads(c, sb, rd, db, label, nprofiles=2):
    folder = os.path.dirname(db)
    before = folder_state(folder)
    rc, out, err = rd.run(['list', '--format', 'json'], db)
    try:
        got = [(p['id'], p['names']) for p in json.loads(out)]
    except ValueError:
        got = None
    want = [(1, ['one']), (2, ['two'])] + [(i, []) for i in range(3, nprofiles + 1)]
    c.ok(rc == 0 and got == want, '%s: list --format json' % label, 'exit %d %r\n%s' % (rc, got, text(err)))
    rc, out, err = rd.run(['show', 'one'], db)
    c.ok(rc == 0 and out.startswith(b"profile 1 'one'"), '%s: show one' % label, text(out[:200] + err))
    rc, out, err = rd.run(['sort', 'two', '--format', 'json'], db)
    c.ok(rc == 0 and json.loads(out)['profile']['id'] == 2 and json.loads(out)['functions'],
         '%s: sort two --format json' % label, text(err))
    rc, out, err = rd.run(['sort', '1', '--by', 'calls', '--limit', '3'], db)
    c.ok(rc == 0 and b'function calls' in out and b'(leaf)' in out, '%s: sort 1 (text)' % label,
         text(out + err))
    rc, out, err = rd.run(['callers', 'one', '--match', 'leaf'], db)
    c.ok(rc == 0 and b'(<genexpr>)' in out, '%s: callers one --match leaf' % label, text(out + err))
    rc, out, err = rd.run(['sql', 'SELECT count(*) AS n FROM profiles', '--format', 'csv'], db)
    c.ok(rc == 0 and out == b'n\r\n%d\r\n' % nprofiles, '%s: sql' % label, text(out + err))
    rc, out, err = rd.run(['export', 'one', '--to', 'folded'], db)
    c.ok(rc == 0 and b'leaf' in out, '%s: export one --to folded' % label, text(err))
    srv = Server(sb, db, prefix=rd.prefix)
    try:
        ok = srv.started()
        c.ok(ok, '%s: serve starts' % label, text(srv.stderr()))
        if ok:
            status, doc = srv.get('/api/profiles')
            c.ok(status == 200 and doc and doc.get('total') == nprofiles, '%s: serve lists the profiles' % label,
                 repr(doc)[:300])
            status, doc = srv.get('/api/profiles/one')
            c.ok(status == 200 and doc and doc.get('profile', {}).get('id') == 1,
                 '%s: serve /api/profiles/one' % label, repr(doc)[:300])
            status, doc = srv.get('/api/profiles/1/table?limit=3')
            c.eq(status, 200, '%s: serve /api/profiles/1/table' % label)
    finally:
        rc = srv.stop()
    c.eq(rc, 0, '%s: serve stops' % label)
    c.eq(folder_state(folder), before, '%s: the folder is as it was after every reading command' % label)


def check_write_fails(c, rd, db, prof, label):
    folder = os.path.dirname(db)
    before = folder_state(folder)
    rc, out, err = rd.run(['import', prof], db)
    c.ok(rc == 1 and one_line(err) and err.startswith(b"error: '%s': cannot write the store" % db.encode()),
         '%s: import exits 1 with one line (cannot write the store)' % label, text(err))
    c.eq(folder_state(folder), before, '%s: the failed import changed nothing' % label)


def main():
    profview, tests_dir = args()
    c = Checks('store-readonly')
    nobody = as_nobody_works(profview)
    if os.geteuid() == 0 and not nobody:
        print('SKIP: running as root, and the user nobody cannot run %s' % profview)
        sys.exit(77)
    with Sandbox(profview) as sb:
        os.chmod(sb.dir, 0o755)     # the reader (nobody) walks in
        rd = Reader(sb, nobody)
        profs = [cprofile_file(sb.path('p%d.prof' % i), i) for i in (1, 2, 3)]
        cases = []
        for keep in (True, False):
            tag = 'with' if keep else 'without'
            db = make_store(c, sb, sb.path('ro-folder-%s' % tag), profs[:2], keep)
            os.chmod(os.path.dirname(db), 0o555)
            cases.append((db, 'a read-only folder, %s -wal/-shm' % tag))
            db = make_store(c, sb, sb.path('ro-file-%s' % tag), profs[:2], keep)
            os.chmod(db, 0o444)
            # a folder the reader may write to
            os.chmod(os.path.dirname(db), 0o777 if nobody else 0o755)
            cases.append((db, 'a read-only store file in a writable folder, %s -wal/-shm' % tag))
            if nobody:
                db = make_store(c, sb, sb.path('other-user-%s' % tag), profs[:2], keep)
                cases.append((db, "another user's store, %s -wal/-shm" % tag))
        # a symlink to the store in the read-only folder (SQLite's -wal and -shm are
        # beside the file it leads to)
        link = sb.path('links', 'store.db')
        os.makedirs(os.path.dirname(link))
        os.symlink(cases[0][0], link)
        try:
            check_reads(c, sb, rd, link, 'a symlink to a store in a read-only folder')
            for db, label in cases:
                check_reads(c, sb, rd, db, label)
                if nobody:
                    check_write_fails(c, rd, db, profs[2], label)

            if nobody:
                # the owner imports while nobody's serve reads: seen at once
                db = sb.path('other-user-with', 'store.db')
                srv = Server(sb, db, prefix=rd.prefix)
                try:
                    ok = srv.started()
                    c.ok(ok, "serve of another user's store starts", text(srv.stderr()))
                    if ok:
                        rc, out, err = sb.run(['import', profs[2]], db=db)
                        c.ok(rc == 0, 'the owner imports a third profile while nobody serves', text(err))
                        status, doc = srv.get('/api/profiles')
                        c.ok(status == 200 and doc and doc.get('total') == 3,
                             "nobody's serve lists the profile its owner just imported", repr(doc)[:300])
                finally:
                    srv.stop()
                check_reads(c, sb, rd, db, "another user's store after its owner's import", nprofiles=3)
            else:
                print('SKIP: the other-user cases need root (to run as nobody)')

            # an older schema where it cannot be upgraded: said, nothing changed
            if nobody or os.geteuid() != 0:
                # a store made by the release that wrote version 3 (tests/store/old-stores)
                folder = sb.path('old-schema')
                os.makedirs(folder, exist_ok=True)
                db = os.path.join(folder, 'store.db')
                shutil.copy(os.path.join(tests_dir, 'store', 'old-stores', 'v3', 'store.db'), db)
                con = sqlite3.connect(db)
                names = [[n] if n else [] for (n,) in con.execute('SELECT name FROM profiles ORDER BY id')]
                con.close()
                os.chmod(folder, 0o555)
                before = folder_state(folder)
                rc, out, err = rd.run(['list'], db)
                c.ok(rc == 1 and one_line(err) and b'schema version 3 and needs upgrading to 5' in err,
                     'a version 3 store in a read-only folder: list says it needs upgrading by its owner', text(err))
                c.eq(folder_state(folder), before, 'the version 3 store is as it was')
                os.chmod(folder, 0o755)
                rc, out, err = sb.run(['list', '--format', 'json'], db=db)
                c.ok(rc == 0 and [p['names'] for p in json.loads(out)] == names,
                     'its owner, in a writable folder, upgrades it: the names are there', text(err))
        finally:
            for db, label in cases:
                os.chmod(os.path.dirname(db), 0o755)
                os.chmod(db, stat.S_IRUSR | stat.S_IWUSR)
    return c.done()


if __name__ == '__main__':
    sys.exit(main())

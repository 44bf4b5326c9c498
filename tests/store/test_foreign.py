#!/usr/bin/env python3
"""What --db may point at (issue 20, item 3).

* Another program's SQLite database (made here with Python's sqlite3: WAL mode,
  rollback journal, one kept open by its program with data still in its -wal, one
  with only a view, one with only a user_version) and files that are no database
  at all: every command (import, list, show, sort, callers, callees, sql, export,
  diff, rm, merge, filter, serve...) exits 1 with one line that names the file and
  says what it is, and the folder (the file, its -wal and -shm) is byte for byte as
  it was, with nothing added.
* An empty file, an SQLite database with no schema, and a new path in new folders
  become a store on import (user_version 5, WAL).
* With no store yet, reading commands create nothing (no file, no folder) and say
  so; a PROFILE that is a file imports it and so makes the store, as before; serve
  starts with an empty list and shows a store made while it runs.

usage: test_foreign.py PROFVIEW TESTS_DIR
"""
import json
import os
import sqlite3
import sys

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from store_common import Checks, Sandbox, Server, args, cprofile_file, folder_state, one_line, text  # noqa: E402

LIST_HEADING = (b'   id  name             format     kind     imported                    total unit         '
                b'functions  source\n')
FOREIGN_SUFFIX = b"; profview leaves it alone (--db needs a profview store, an empty file or a new path)\n"


def make_app_db(path, wal):
    """An application's database, as Firefox or a CI tool keeps one."""
    con = sqlite3.connect(path)
    if wal:
        con.execute('PRAGMA journal_mode=WAL')
    con.execute('CREATE TABLE moz_places(id INTEGER PRIMARY KEY, url TEXT)')
    con.execute('CREATE TABLE settings(key TEXT PRIMARY KEY, value TEXT)')
    con.execute('CREATE INDEX places_url ON moz_places(url)')
    con.executemany('INSERT INTO moz_places(url) VALUES (?)', [('https://example.org/%d' % i,) for i in range(50)])
    con.execute("INSERT INTO settings VALUES ('theme', 'dark')")
    con.execute('PRAGMA user_version = 7')
    con.commit()
    con.close()


def commands(sb, prof):
    """(argv, what) of every command, each with what it needs to run."""
    return [
        (['import', prof], 'import FILE'),
        (['import', prof, '--name', 'n1'], 'import FILE --name'),
        (['list'], 'list'),
        (['list', '--format', 'json'], 'list --format json'),
        (['show'], 'show'),
        (['show', '1'], 'show 1'),
        (['show', prof], 'show FILE'),
        (['sort'], 'sort'),
        (['sort', prof], 'sort FILE'),
        (['sort', 'n1'], 'sort NAME'),
        (['callers', prof], 'callers FILE'),
        (['callees', '1'], 'callees 1'),
        (['sql', 'SELECT 1'], 'sql'),
        (['sql', 'SELECT count(*) FROM moz_places'], 'sql on its own table'),
        (['export', '1', '--to', 'json'], 'export 1'),
        (['export', prof, '--to', 'folded'], 'export FILE'),
        (['diff', prof, prof], 'diff FILE FILE'),
        (['merge', prof, prof], 'merge FILE FILE'),
        (['filter', prof, '--focus', 'leaf'], 'filter FILE'),
        (['icicle', prof, '-o', sb.path('out.html')], 'icicle FILE'),
        (['callgraph', prof, '--format', 'dot'], 'callgraph FILE'),
        (['rm', '1'], 'rm 1'),
    ]


def check_refused(c, sb, db, prof, want_line, label, env=None):
    """Every command on db: exit 1, want_line alone on stderr, nothing on stdout,
    the folder unchanged."""
    folder = os.path.dirname(db)
    before = folder_state(folder)
    use_db = env is None
    for argv, what in commands(sb, prof):
        rc, out, err = sb.run(argv, db=db if use_db else False, env=env)
        c.ok(rc == 1 and err == want_line and out == b'',
             '%s: %s exits 1 with the one line that says what the file is' % (label, what),
             'exit %d\nstderr %r\nwant   %r\nstdout %r' % (rc, err[:400], want_line, out[:200]))
        after = folder_state(folder)
        if not c.ok(after == before, '%s: %s leaves the folder byte for byte as it was' % (label, what),
                    'before %r\nafter  %r' % (before, after)):
            before = after
    srv = Server(sb, db, env=env)
    started = srv.started()
    rc = srv.stop() if started else srv.proc.wait(30)
    err = srv.stderr()
    c.ok(not started and rc == 1 and err == want_line, '%s: serve refuses to start, with that line' % label,
         'started %r exit %r stderr %r' % (started, rc, err[:400]))
    c.eq(folder_state(folder), before, '%s: serve leaves the folder as it was' % label)


def foreign(c, sb, prof):
    folder = sb.path('foreign')
    os.mkdir(folder)
    cases = []
    for wal in (True, False):
        p = os.path.join(folder, 'places-%s.sqlite' % ('wal' if wal else 'rollback'))
        make_app_db(p, wal)
        cases.append((p, b"2 tables, none of profview's", 'an app database in %s mode' % ('WAL' if wal else
                                                                                         'rollback journal')))
    # an app database whose program is running: its last commit still in the -wal
    live = os.path.join(folder, 'live.sqlite')
    make_app_db(live, True)
    live_con = sqlite3.connect(live)
    live_con.execute("INSERT INTO settings VALUES ('open', 'yes')")
    live_con.commit()
    cases.append((live, b"2 tables, none of profview's", 'an app database open in its program (data in its -wal)'))
    # a database that borrows one of profview's table names
    borrow = os.path.join(folder, 'borrow.db')
    con = sqlite3.connect(borrow)
    con.execute('CREATE TABLE profiles(user TEXT, avatar BLOB)')
    con.execute('CREATE TABLE sessions(id)')
    con.commit()
    con.close()
    cases.append((borrow, b"2 tables, not profview's schema", 'a database with a table named profiles'))
    view = os.path.join(folder, 'view.db')
    con = sqlite3.connect(view)
    con.execute('CREATE VIEW v AS SELECT 1 AS one')
    con.commit()
    con.close()
    cases.append((view, b'no tables but 1 other schema object', 'a database holding only a view'))
    ver = os.path.join(folder, 'version.db')
    con = sqlite3.connect(ver)
    con.execute('PRAGMA user_version = 12')
    con.commit()
    con.close()
    cases.append((ver, b'no tables, schema version 12', 'a database with only a user_version'))
    for path, what, label in cases:
        line = b"error: '" + path.encode() + b"' is an SQLite database of another program: " + what + FOREIGN_SUFFIX
        check_refused(c, sb, path, prof, line, label)
    # the same through $PROFVIEW_DB
    env = dict(sb.env)
    env['PROFVIEW_DB'] = cases[0][0]
    line = b"error: '" + cases[0][0].encode() + b"' is an SQLite database of another program: 2 tables, none of " \
        b"profview's" + FOREIGN_SUFFIX
    check_refused(c, sb, cases[0][0], prof, line, '$PROFVIEW_DB = an app database', env=env)
    live_con.close()
    # the app still reads its own data
    con = sqlite3.connect(cases[0][0])
    c.eq(con.execute('SELECT count(*), max(url) FROM moz_places').fetchone(), (50, 'https://example.org/9'),
         'the app database still holds its rows')
    con.close()

    # files that are no SQLite database
    other = sb.path('other')
    os.mkdir(other)
    not_db = [(os.path.join(other, 'notes.txt'), b'remember the milk\n', 'a text file'),
              (os.path.join(other, 'a.prof'), open(prof, 'rb').read(), 'a profile passed as --db'),
              (os.path.join(other, 'short.db'), b'SQLite format 3\x00', 'the first 16 bytes of a database')]
    for path, data, label in not_db:
        with open(path, 'wb') as f:
            f.write(data)
        line = b"error: '" + path.encode() + b"' is not an SQLite database, and not empty: profview leaves it " \
            b"alone (--db needs a profview store, an empty file or a new path)\n"
        check_refused(c, sb, path, prof, line, label)
    rc, out, err = sb.run(['list'], db=other)
    c.ok(rc == 1 and err.startswith(b"error: '%s' is a folder" % other.encode()) and one_line(err),
         '--db FOLDER: exit 1, one line that says it is a folder', text(err))


def becomes_store(c, sb, prof):
    cases = []
    empty = sb.path('empty.db')
    open(empty, 'wb').close()
    cases.append((empty, 'an empty file'))
    noschema = sb.path('noschema.db')
    con = sqlite3.connect(noschema)
    con.execute('PRAGMA journal_mode=WAL')   # writes the header: a database with no schema
    con.close()
    cases.append((noschema, 'an SQLite database with no schema'))
    cases.append((sb.path('new', 'deeper', 'store.db'), 'a new path in new folders'))
    for db, label in cases:
        rc, out, err = sb.run(['import', prof], db=db)
        c.ok(rc == 0 and out.strip() == b'1', '%s becomes a store on import (id 1)' % label, text(out + err))
        con = sqlite3.connect('file:%s?mode=ro' % db, uri=True)
        try:
            got = (con.execute('PRAGMA user_version').fetchone()[0], con.execute('PRAGMA journal_mode').fetchone()[0],
                   con.execute('SELECT count(*) FROM profiles').fetchone()[0])
        finally:
            con.close()
        c.eq(got, (5, 'wal', 1), '%s: user_version 5, WAL, one profile' % label)
        rc, out, err = sb.run(['list', '--format', 'json'], db=db)
        c.ok(rc == 0 and [p['id'] for p in json.loads(out)] == [1], '%s: list shows the profile' % label,
             text(err))


def missing(c, sb, prof):
    # no store, no folder: reading creates neither
    db = sb.path('nothing', 'here', 'profiles.db')
    env = dict(sb.env)
    env['XDG_DATA_HOME'] = sb.path('xdg')
    reads = [
        (['list'], 0, LIST_HEADING),
        (['list', '--format', 'json'], 0, b'[]\n'),
        (['sort'], 1, None),
        (['sort', '3'], 1, None),
        (['sort', 'before'], 1, None),
        (['show'], 1, None),
        (['callers', 'latest'], 1, None),
        (['callees', '2'], 1, None),
        (['sql', 'SELECT 1'], 1, None),
        (['export', '1', '--to', 'json'], 1, None),
        (['diff', '1', '2'], 1, None),
        (['merge', '1', '2'], 1, None),
        (['icicle', 'latest', '-o', sb.path('x.html')], 1, None),
        (['callgraph', 'latest', '--format', 'dot'], 1, None),
        (['rm', '1'], 1, None),
    ]
    for use in ('--db', 'default'):
        for argv, want_rc, want_out in reads:
            if use == '--db':
                rc, out, err = sb.run(argv, db=db)
                path = db
            else:
                rc, out, err = sb.run(argv, db=False, env=env)
                path = os.path.join(sb.path('xdg'), 'profview', 'profiles.db')
            what = '%s with no store (%s)' % (' '.join(argv[:2]), use)
            c.ok(rc == want_rc and one_line(err) and path.encode() in err,
                 '%s: exit %d and one line naming the store path' % (what, want_rc),
                 'exit %d\n%s' % (rc, text(err)))
            if want_out is not None:
                c.eq(out, want_out, '%s: an empty list (as for an empty store)' % what)
            else:
                c.eq(out, b'', '%s: nothing on stdout' % what)
        c.ok(not os.path.exists(sb.path('nothing')) and not os.path.exists(sb.path('xdg')),
             'reading commands with no store created no file and no folder (%s)' % use)
    rc, out, err = sb.run(['list'], db=db)
    c.eq(err, b"note: no store at '%s' yet: nothing is stored ('profview import FILE' makes one)\n" % db.encode(),
         'list with no store: the note')
    rc, out, err = sb.run(['sort', 'latest'], db=db)
    c.eq(err, b"error: 'latest': nothing is stored yet (no store at '%s'); give a profile file\n" % db.encode(),
         'sort latest with no store: the error')
    rc, out, err = sb.run(['sort', '3'], db=db)
    c.eq(err, b"error: '3': no such file, and nothing is stored yet (no store at '%s')\n" % db.encode(),
         'sort 3 with no store: the error')
    rc, out, err = sb.run(['list', '--quiet'], db=db)
    c.ok(rc == 0 and err == b'', 'list -q with no store: no note')
    # a failed import creates nothing either
    bad = sb.path('bad.prof')
    with open(bad, 'wb') as f:
        f.write(b'not a profile at all\n')
    rc, out, err = sb.run(['import', bad], db=db)
    c.ok(rc == 1 and not os.path.exists(sb.path('nothing')), 'a failed import with no store creates nothing',
         text(err))

    # serve with no store: an empty list; a store made meanwhile shows up
    srv = Server(sb, db)
    try:
        ok = srv.started()
        c.ok(ok, 'serve starts with no store', text(srv.stderr()))
        if ok:
            status, doc = srv.get('/api/profiles')
            c.ok(status == 200 and doc and doc.get('profiles') == [] and doc.get('total') == 0,
                 'serve with no store: /api/profiles is empty', repr(doc))
            status, doc = srv.get('/api/profiles/1')
            c.eq(status, 404, 'serve with no store: /api/profiles/1 is 404')
            c.ok(not os.path.exists(sb.path('nothing')), 'serve with no store creates nothing')
            rc, out, err = sb.run(['import', prof], db=db)
            c.ok(rc == 0, 'import while serve runs on no store', text(err))
            status, doc = srv.get('/api/profiles')
            c.ok(status == 200 and doc and [p['id'] for p in doc.get('profiles', [])] == [1],
                 'serve shows the store made while it runs', repr(doc)[:300])
    finally:
        rc = srv.stop()
    c.eq(rc, 0, 'serve stops on SIGTERM')
    c.ok(b"note: no store at '%s' yet" % db.encode() in srv.stderr(), 'serve says there is no store yet',
         text(srv.stderr()))

    # a PROFILE that is a file imports it: that makes the store, as before
    db2 = sb.path('made', 'by', 'sort.db')
    rc, out, err = sb.run(['sort', prof], db=db2)
    c.ok(rc == 0 and b'function calls' in out and os.path.isfile(db2), 'sort FILE with no store makes the store',
         text(err))


def main():
    profview, tests_dir = args()
    c = Checks('store-foreign')
    with Sandbox(profview) as sb:
        prof = cprofile_file(sb.path('app.prof'), 5)
        foreign(c, sb, prof)
        becomes_store(c, sb, prof)
        missing(c, sb, prof)
    return c.done()


if __name__ == '__main__':
    sys.exit(main())

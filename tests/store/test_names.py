#!/usr/bin/env python3
"""Names of stored profiles (issue 20, item 6; docs/schema.md, version 4).

A name refers to one profile and stays with it; a profile may have several (like
git tags on one commit). Importing a stored file again with another --name adds
that name, says so, and the first name still resolves; a name another profile
holds is refused with one line and nothing changes; `rm` drops a profile's names
with it. A version 3 store (one name per profile, in profiles.name) is upgraded
in place with its names.

usage: test_names.py PROFVIEW TESTS_DIR
"""
import json
import os
import shutil
import sqlite3
import sys

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from store_common import Checks, Sandbox, args, cprofile_file, one_line, text  # noqa: E402


def counts(db):
    con = sqlite3.connect('file:%s?mode=ro' % db, uri=True)
    try:
        tables = [r[0] for r in con.execute("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")]
        return {t: con.execute('SELECT count(*) FROM "%s"' % t).fetchone()[0] for t in tables}
    finally:
        con.close()


def resolves(sb, ref, db=True):
    """The id `sort REF` finds, or None."""
    rc, out, err = sb.run(['sort', ref, '--format', 'json'], db=db)
    return json.loads(out)['profile']['id'] if rc == 0 else None


def listing(sb, db=True):
    rc, out, err = sb.run(['list', '--format', 'json'], db=db)
    return {p['id']: (p['name'], p['names']) for p in json.loads(out)} if rc == 0 else None


def main():
    profview, tests_dir = args()
    c = Checks('store-names')
    threads = os.path.join(tests_dir, 'sampled', 'fixtures', 'py_threads.speedscope.json')
    with Sandbox(profview) as sb:
        a = cprofile_file(sb.path('a.prof'), 1)
        b = cprofile_file(sb.path('b.prof'), 2)
        rc, out, err = sb.run(['import', a, '--name', 'before'])
        c.ok(rc == 0 and out == b'1\n' and err == b'', 'import a --name before: id 1', text(out + err))
        # the same file, another name: one more name, said on stderr
        rc, out, err = sb.run(['import', a, '--name', 'release-1.2'])
        c.ok(rc == 0 and out == b'1\n', 'import a again --name release-1.2: the same id', text(out + err))
        c.eq(err, b"note: profile 1 is stored already, named 'before'; 'release-1.2' is one more name for it\n",
             'a note says the profile keeps its first name and gets one more')
        c.eq((resolves(sb, 'before'), resolves(sb, 'release-1.2')), (1, 1), 'both names resolve to profile 1')
        c.eq(listing(sb), {1: ('before', ['before', 'release-1.2'])},
             'list --format json: name is the first name, names has both (oldest first)')
        rc, out, err = sb.run(['list'])
        c.ok(rc == 0 and b'before +1' in out, "list (text) shows 'before +1'", text(out))
        rc, out, err = sb.run(['show', 'release-1.2'])
        c.ok(rc == 0 and out.startswith(b"profile 1 'before' (also 'release-1.2')\n"), 'show gives every name',
             text(out[:200] + err))
        # a copy at another path (found by content) and the same name again: nothing new, no note
        os.mkdir(sb.path('copy'))
        with open(a, 'rb') as f, open(sb.path('copy', 'a.prof'), 'wb') as g:
            g.write(f.read())
        before = counts(sb.db)
        rc, out, err = sb.run(['import', sb.path('copy', 'a.prof'), '--name', 'before'])
        c.ok(rc == 0 and out == b'1\n' and err == b'', 'a name the profile has already: exit 0, no note',
             text(out + err))
        c.eq(counts(sb.db), before, 'and nothing changed')
        # a name held by another profile: refused, nothing stored
        rc, out, err = sb.run(['import', b, '--name', 'before'])
        c.eq((rc, out), (1, b''), 'import b --name before (held by profile 1): exit 1, no id')
        c.eq(err, b"error: 'before': profile 1 has this name already (a name stays with its profile); pick another\n",
             'the error says who holds the name')
        c.eq(counts(sb.db), before, 'the refused name left every table as it was')
        rc, out, err = sb.run(['import', b, '--name', 'after'])
        c.ok(rc == 0 and out == b'2\n', 'import b --name after: id 2', text(out + err))
        rc, out, err = sb.run(['import', a, '--name', 'after'])
        c.ok(rc == 1 and one_line(err) and err.startswith(b"error: 'after': profile 2 has this name"),
             'naming stored profile 1 with profile 2\'s name: refused with one line', text(err))
        c.eq(resolves(sb, 'after'), 2, "'after' still names profile 2")
        # names of derived profiles go the same way
        rc, out, err = sb.run(['merge', 'before', 'after', '--name', 'both'])
        c.ok(rc == 0, 'merge --name both', text(err))
        rc, out, err = sb.run(['merge', 'before', 'after', '--name', 'both-again'])
        c.eq(listing(sb).get(3), ('both', ['both', 'both-again']), 'the same merge saved again: one more name')
        rc, out, err = sb.run(['merge', 'after', 'before', '--name', 'release-1.2'])
        c.ok(rc == 1 and one_line(err) and err.startswith(b"error: 'release-1.2': profile 1 has this name"),
             "merge --name with profile 1's name: refused", text(err))
        # the threads of one file: NAME, NAME.2 ...; again with another name
        if os.path.exists(threads):
            rc, out, err = sb.run(['import', threads, '--name', 'thr'])
            ids = out.split()
            c.ok(rc == 0 and len(ids) == 2, 'a file of two threads: two ids', text(out + err))
            rc, out, err = sb.run(['import', threads, '--name', 'threads-v2'])
            c.ok(rc == 0 and out.split() == ids, 'imported again with another name: the same ids', text(out + err))
            lst = listing(sb)
            c.eq([lst.get(int(i), (None, None))[1] for i in ids], [['thr', 'threads-v2'], ['thr.2', 'threads-v2.2']],
                 'each thread has both names')
        # rm drops the profile's names with it
        rc, out, err = sb.run(['rm', 'release-1.2'])
        c.ok(rc == 0, 'rm release-1.2', text(err))
        c.eq((resolves(sb, 'before'), resolves(sb, 'release-1.2')), (None, None), 'neither name of profile 1 resolves')
        con = sqlite3.connect(sb.db)
        c.eq(con.execute('SELECT count(*) FROM names WHERE profile_id = 1').fetchone()[0], 0,
             'no names row of profile 1 is left')
        con.close()
        rc, out, err = sb.run(['import', b, '--name', 'before'])
        c.ok(rc == 0 and out == b'2\n', "'before' is free again: it can name profile 2", text(out + err))
        c.eq(listing(sb).get(2), ('after', ['after', 'before']), 'profile 2: after, before')
        rc, out, err = sb.run(['list', '--format', 'json'])
        rc2, out2, err2 = sb.run(['sql', "SELECT id FROM profiles WHERE id IN (SELECT profile_id FROM names "
                                         "WHERE name LIKE 'befo%')", '--format', 'csv'])
        c.eq(out2, b'id\r\n2\r\n', 'sql: the names table is there to query')

        # a version 3 store made by the release that wrote them (tests/store/old-stores):
        # profiles.name only; upgraded with its names
        v3 = sb.path('v3.db')
        shutil.copy(os.path.join(tests_dir, 'store', 'old-stores', 'v3', 'store.db'), v3)
        con = sqlite3.connect(v3)
        named = con.execute('SELECT name, id FROM profiles WHERE name IS NOT NULL ORDER BY id').fetchall()
        c.eq((con.execute('PRAGMA user_version').fetchone()[0], len(named) >= 2,
              con.execute("SELECT count(*) FROM sqlite_master WHERE name = 'names'").fetchone()[0]), (3, True, 0),
             'the version 3 store: names in profiles.name, no names table')
        con.close()
        first, first_id = named[0]
        c.eq(resolves(sb, first, db=v3), first_id, 'version 3 store: its name resolves (after the upgrade)')
        con = sqlite3.connect(v3)
        c.eq((con.execute('PRAGMA user_version').fetchone()[0],
              sorted(con.execute('SELECT name, profile_id FROM names').fetchall())), (5, sorted(named)),
             'upgraded to version 5, profiles.name copied into names')
        con.close()
        rc, out, err = sb.run(['import', a, '--name', 'new-name'], db=v3)
        got = listing(sb, db=v3)
        new_id = int(out.split()[-1]) if rc == 0 and out.split() else None
        c.ok(new_id is not None and 'new-name' in got.get(new_id, (None, []))[1],
             'the upgraded store takes another name', text(out + err))
    return c.done()


if __name__ == '__main__':
    sys.exit(main())

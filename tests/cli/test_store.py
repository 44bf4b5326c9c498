#!/usr/bin/env python3
"""The store: ids, names, `latest`, errors, where it lives, its format, and that a
failed import changes nothing.

usage: test_store.py PROFVIEW TESTS_DIR
"""
import json
import marshal
import os
import shutil
import sqlite3
import sys

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from cli_common import Checks, Sandbox, args  # noqa: E402


def counts(db):
    """Row count of every table in the store."""
    con = sqlite3.connect(db)
    try:
        tables = [r[0] for r in con.execute("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")]
        return {t: con.execute('SELECT count(*) FROM "%s"' % t).fetchone()[0] for t in tables}
    finally:
        con.close()


def text(b):
    return b.decode('utf-8', 'replace')


def small_dict(tag):
    """A valid little profile; tag makes the content (hence the hash) unique."""
    f = ('/s/%s.py' % tag, 1, 'f')
    g = ('~', 0, '<built-in method len>')
    return {f: (1, 1, 0.5, 1.0, {}), g: (3, 3, 0.25, 0.25, {f: (3, 3, 0.25, 0.25)})}


def write(path, obj=None, raw=None):
    with open(path, 'wb') as fh:
        if raw is not None:
            fh.write(raw)
        else:
            marshal.dump(obj, fh)
    return path


def main():
    profview, tests_dir = args()
    c = Checks('store')
    fixture = os.path.join(tests_dir, 'golden', 'fixtures', 'py311-cprofile.prof')
    with Sandbox(profview) as sb:
        # --- no store yet: reading commands say so and create nothing
        rc, out, err = sb.run(['sort'])
        c.eq(rc, 1, 'sort with no store yet exits 1')
        c.ok(err.startswith(b"error: 'latest': ") and b'nothing is stored yet' in err,
             'sort with no store yet says nothing is stored', text(err))
        c.eq(out, b'', 'sort with no store yet prints nothing on stdout')
        rc, out, err = sb.run(['sort', 'latest'])
        c.ok(rc == 1 and b'nothing is stored yet' in err, 'sort latest with no store yet: exit 1, says so',
             text(err))
        c.ok(not os.path.exists(sb.db), 'sort does not create the store')

        # --- the store's format (made by the first import below)
        first = write(sb.path('first.prof'), small_dict('first'))
        rc, out, err = sb.run(['import', first])
        c.ok(rc == 0 and os.path.exists(sb.db), 'the first import creates the store', text(err))
        con = sqlite3.connect(sb.db)
        c.eq(con.execute('PRAGMA user_version').fetchone()[0], 5, 'PRAGMA user_version = 5')
        c.eq(con.execute('PRAGMA journal_mode').fetchone()[0].lower(), 'wal', 'journal_mode is wal')
        con.close()
        rc, out, err = sb.run(['rm', out.strip().decode()])
        c.ok(rc == 0, 'rm of that first profile', text(err))
        rc, out, err = sb.run(['sort'])
        c.ok(rc == 1 and err.startswith(b"error: 'latest': ") and b'empty' in err,
             'sort on an empty store says it is empty', text(err))

        # --- same content, same id
        a = write(sb.path('a.prof'), small_dict('a'))
        rc1, out1, err1 = sb.run(['import', a])
        c.ok(rc1 == 0 and out1.strip().isdigit(), 'import prints an id', text(out1 + err1))
        rc2, out2, err2 = sb.run(['import', a])
        c.ok(rc2 == 0 and out2 == out1, 'importing the same file twice prints the same id',
             '%r then %r' % (out1, out2))
        os.mkdir(sb.path('elsewhere'))
        copy = sb.path('elsewhere', 'copy-of-a.prof')
        shutil.copyfile(a, copy)
        rc, out, err = sb.run(['import', copy])
        c.ok(rc == 0 and out == out1, 'a copy at another path gets the same id (content hash)',
             '%r vs %r %s' % (out, out1, text(err)))
        os.utime(copy, (1, 1))  # the stat cache must not be fooled by a changed mtime either
        rc, out, err = sb.run(['import', copy])
        c.ok(rc == 0 and out == out1, 'the copy with another mtime still gets the same id', text(out + err))
        c.eq(counts(sb.db).get('profiles'), 1, 'one profile stored for three imports of one content')
        id_a = out1.strip().decode()

        # relative and absolute paths, and sort FILE, find the same profile
        rc, out, err = sb.run(['import', 'a.prof'])
        c.eq(out.strip().decode(), id_a, 'a relative path gives the same id')
        rc, out, err = sb.run(['sort', a, '--format', 'json'])
        c.ok(rc == 0 and json.loads(out)['profile']['id'] == int(id_a), 'sort FILE uses the stored profile',
             text(out[:200] + err))

        # a changed file at the same path is a new profile
        write(a, small_dict('a-changed'))
        rc, out, err = sb.run(['import', a])
        c.ok(rc == 0 and out.strip() and out.strip().decode() != id_a,
             'a file changed in place is imported anew (new id)', text(out + err))
        id_a2 = out.strip().decode()

        # --- names
        b = write(sb.path('b.prof'), small_dict('b'))
        rc, out, err = sb.run(['import', b, '--name', 'bee'])
        c.eq(rc, 0, 'import --name exits 0')
        id_b = out.strip().decode()
        rc, by_name, err = sb.run(['sort', 'bee', '--format', 'json'])
        c.eq(rc, 0, 'sort NAME exits 0')
        rc, by_id, err = sb.run(['sort', id_b, '--format', 'json'])
        c.eq(rc, 0, 'sort ID exits 0')
        if by_name and by_id:
            jn, ji = json.loads(by_name), json.loads(by_id)
            c.eq(jn['profile']['id'], int(id_b), 'sort NAME finds the named profile')
            c.eq(jn['profile']['name'], 'bee', 'the JSON names the profile')
            c.eq(jn, ji, 'sort NAME and sort ID print the same')
        rc, out, err = sb.run(['sort', 'bee'])
        c.ok(rc == 0 and b'/s/b.py:1(f)' in out, 'sort NAME (text) lists its functions', text(out + err))
        # a name already taken by another profile
        cfile = write(sb.path('c.prof'), small_dict('c'))
        before = counts(sb.db)
        rc, out, err = sb.run(['import', cfile, '--name', 'bee'])
        c.eq(rc, 1, 'import --name with a taken name exits 1')
        c.ok(err.startswith(b"error: 'bee': "), "the error names the taken name: error: 'bee': ...", text(err))
        c.eq(counts(sb.db), before, 'a refused name leaves every table as it was')
        # naming a profile that is already stored (same content imported before)
        rc, out, err = sb.run(['import', copy, '--name', 'again'])
        if rc == 0:
            rc2, out2, err2 = sb.run(['sort', 'again', '--format', 'json'])
            c.ok(rc2 == 0 and json.loads(out2)['profile']['id'] == int(id_a),
                 'import --name of already-stored content: the name then resolves (or the import fails)',
                 'import exit 0 printed %r; sort again: exit %d %s' % (out, rc2, text(err2)))
        else:
            c.ok(err.startswith(b'error: '), 'import --name of already-stored content fails with an error',
                 text(err))
        rc, out, err = sb.run(['import', a, b, '--name', 'two'])
        c.eq(rc, 2, 'import --name with two files is a usage error (exit 2)')

        # --- latest
        d = write(sb.path('d.prof'), small_dict('d'))
        rc, out, err = sb.run(['import', d])
        id_d = out.strip().decode()
        for argv, what in ((['sort', 'latest', '--format', 'json'], 'sort latest'),
                           (['sort', '--format', 'json'], 'sort without PROFILE')):
            rc, out, err = sb.run(argv)
            c.ok(rc == 0 and json.loads(out)['profile']['id'] == int(id_d), '%s is the last imported' % what,
                 text(out[:200] + err))
        rc, out, err = sb.run(['import', b])  # already stored: not newer
        rc, out, err = sb.run(['sort', 'latest', '--format', 'json'])
        c.ok(rc == 0 and json.loads(out)['profile']['id'] == int(id_d),
             're-importing an older profile does not make it latest', text(out[:200] + err))
        c.ok(len({id_a, id_a2, id_b, id_d}) == 4, 'distinct contents get distinct ids')

        # --- unknown references: exit 1, error: '<ref>': ...
        for ref in ('999', 'nosuchname', '0', '-1', 'no such name', 'dir/nosuch.prof', 'nosuch.prof', '1x'):
            rc, out, err = sb.run(['sort', '--', ref])
            c.eq(rc, 1, "sort %r exits 1" % ref)
            c.ok(err.startswith(("error: '%s': " % ref).encode()), "sort %r says error: '%s': ..." % (ref, ref),
                 text(err))
            c.eq(out, b'', 'sort %r prints nothing on stdout' % ref)
        rc, out, err = sb.run(['import', sb.path('missing.prof')])
        c.ok(rc == 1 and err.startswith(("error: '%s': " % sb.path('missing.prof')).encode()),
             'import of a missing file: exit 1, error names it', text(err))

        # --- failed imports change nothing
        good = fixture if os.path.exists(fixture) else a
        data = open(good, 'rb').read()
        bad_files = {
            'empty': b'',
            'garbage': b'this is not a profile\n',
            'truncated': data[:len(data) // 2],
            'truncated-by-one': data[:-1],
            'not-a-dict': marshal.dumps([1, 2, 3]),
            'bad-entry': marshal.dumps({('/x.py', 1, 'f'): (1, 1, 0.5, 1.0, {}), ('/y.py', 2, 'g'): 'oops'}),
            'bad-key': marshal.dumps({('/x.py', 1, 'f'): (1, 1, 0.5, 1.0, {}), 'key': (1, 1, 0.5, 1.0, {})}),
            'bad-callers': marshal.dumps({('/x.py', 1, 'f'): (1, 1, 0.5, 1.0, {('/y.py', 2, 'g'): (1, 2)})}),
            'bad-counts': marshal.dumps({('/x.py', 1, 'f'): (1.5, 1, 0.5, 1.0, {})}),
            'trailing-garbage': marshal.dumps(small_dict('t')) + b'\xffjunk',
        }
        for label, raw in bad_files.items():
            path = write(sb.path('bad-%s.prof' % label), raw=raw)
            before = counts(sb.db)
            rc, out, err = sb.run(['import', path])
            if label == 'trailing-garbage':
                # pstats (marshal.load) reads one object and ignores the rest
                c.eq(rc, 0, 'import %s: loads like marshal.load does' % label)
                continue
            c.eq(rc, 1, 'import %s: exit 1' % label)
            c.ok(err.startswith(("error: '%s': " % path).encode()), 'import %s: error names the file' % label,
                 text(err))
            c.eq(out, b'', 'import %s: no id printed' % label)
            c.eq(counts(sb.db), before, 'import %s: every table keeps its row count' % label)
            rc, out, err = sb.run(['sort', path])
            c.eq(rc, 1, 'sort %s: exit 1' % label)
            c.eq(counts(sb.db), before, 'sort %s: every table keeps its row count' % label)
        # several files, one bad: the good ones are stored, exit 1
        e = write(sb.path('e.prof'), small_dict('e'))
        f = write(sb.path('f.prof'), small_dict('f'))
        before = counts(sb.db)
        rc, out, err = sb.run(['import', e, sb.path('bad-garbage.prof'), f])
        c.eq(rc, 1, 'import good bad good: exit 1')
        c.eq(len(out.split()), 2, 'import good bad good: two ids printed')
        c.eq(counts(sb.db)['profiles'], before['profiles'] + 2, 'import good bad good: two profiles stored')

    # --- where the default store lives
    with Sandbox(profview) as sb:
        a = write(sb.path('a.prof'), small_dict('loc'))
        env = dict(sb.env)
        deep = sb.path('env', 'deep', 'er', 'store.db')
        env['PROFVIEW_DB'] = deep
        env['XDG_DATA_HOME'] = sb.path('xdg-unused')
        rc, out, err = sb.run(['import', a], db=None, env=env)
        c.ok(rc == 0 and os.path.isfile(deep), '$PROFVIEW_DB is used, its folders created', text(err))
        c.ok(not os.path.exists(sb.path('xdg-unused')), '$PROFVIEW_DB wins over $XDG_DATA_HOME')
        c.ok(not os.path.exists(os.path.join(sb.home, '.local')), '$PROFVIEW_DB: nothing under $HOME')
        rc, out2, err = sb.run(['sort', '--format', 'json'], db=None, env=env)
        c.ok(rc == 0 and json.loads(out2)['profile']['id'] == int(out), 'later commands find $PROFVIEW_DB')

        other = sb.path('flag', 'x.db')
        rc, out, err = sb.run(['import', a], db=other, env=env)
        c.ok(rc == 0 and os.path.isfile(other), '--db wins over $PROFVIEW_DB (and creates folders)', text(err))

        env = dict(sb.env)
        env['XDG_DATA_HOME'] = sb.path('xdg', 'data')
        rc, out, err = sb.run(['import', a], db=None, env=env)
        xdg_db = sb.path('xdg', 'data', 'profview', 'profiles.db')
        c.ok(rc == 0 and os.path.isfile(xdg_db), '$XDG_DATA_HOME/profview/profiles.db, folders created', text(err))
        c.ok(not os.path.exists(os.path.join(sb.home, '.local')), '$XDG_DATA_HOME: nothing under $HOME')
        env['PROFVIEW_DB'] = ''
        rc, out, err = sb.run(['sort', '--format', 'json'], db=None, env=env)
        c.ok(rc == 0, 'an empty $PROFVIEW_DB counts as unset', text(err))

        env = dict(sb.env)  # neither set
        rc, out, err = sb.run(['import', a], db=None, env=env)
        home_db = os.path.join(sb.home, '.local', 'share', 'profview', 'profiles.db')
        c.ok(rc == 0 and os.path.isfile(home_db), '~/.local/share/profview/profiles.db, folders created',
             text(err))
        env['XDG_DATA_HOME'] = ''
        rc, out, err = sb.run(['sort', '--format', 'json'], db=None, env=env)
        c.ok(rc == 0, 'an empty $XDG_DATA_HOME counts as unset', text(err))
        for db in (deep, other, xdg_db, home_db):
            con = sqlite3.connect(db)
            ok = con.execute('PRAGMA user_version').fetchone()[0] == 5
            ok = ok and con.execute('PRAGMA journal_mode').fetchone()[0].lower() == 'wal'
            con.close()
            c.ok(ok, '%s: user_version 5, journal_mode wal' % os.path.relpath(db, sb.dir))
        # a store of schema version 1 (before sampled profiles) is upgraded in place
        # and keeps its profiles and names: made from the store the version-4 release
        # wrote (tests/store/old-stores/v4) by dropping what versions 2, 3 and 4
        # added; it must read as that store upgraded from version 4 does
        v4_store = os.path.join(tests_dir, 'store', 'old-stores', 'v4', 'store.db')
        v1, v4 = sb.path('v1.db'), sb.path('v4.db')
        shutil.copy(v4_store, v1)
        shutil.copy(v4_store, v4)
        con = sqlite3.connect(v1)
        con.execute('DROP TABLE names')
        con.execute("DELETE FROM profiles WHERE kind != 'calls'")
        for table, col in (('profiles', 'kind'), ('profiles', 'thread'), ('profiles', 'total_weight'),
                           ('profiles', 'total_samples'), ('profiles', 'node_count'), ('functions', 'annotation'),
                           ('tree_nodes', 'count')):
            con.execute('ALTER TABLE %s DROP COLUMN %s' % (table, col))
        con.execute('DROP INDEX edges_by_caller')
        con.execute('PRAGMA user_version = 1')
        con.commit()
        v1_ids = [r[0] for r in con.execute('SELECT id FROM profiles ORDER BY id')]
        v1_named = con.execute('SELECT name, id FROM profiles WHERE name IS NOT NULL ORDER BY id').fetchall()
        con.close()
        same = []
        for pid in v1_ids:
            rc, got, err = sb.run(['sort', str(pid), '--by', 'calls'], db=v1)
            rc4, want, err4 = sb.run(['sort', str(pid), '--by', 'calls'], db=v4)
            same.append(rc == 0 and rc4 == 0 and got == want)
        c.ok(v1_ids and all(same), 'a version 1 store is migrated and reads as the version 4 one does (%d profiles)'
             % len(v1_ids), text(err))
        if v1_named:
            rc, got, err = sb.run(['sort', v1_named[0][0], '--by', 'calls'], db=v1)
            rc4, want, err4 = sb.run(['sort', str(v1_named[0][1]), '--by', 'calls'], db=v4)
            c.ok(rc == 0 and got == want, 'migrated store: the name given in version 1 still resolves', text(err))
        con = sqlite3.connect(v1)
        c.eq(con.execute('PRAGMA user_version').fetchone()[0], 5, 'migrated store: user_version 5')
        c.eq(sorted(con.execute('SELECT name, profile_id FROM names').fetchall()), sorted(v1_named),
             'migrated store: profiles.name went into names')
        c.eq(con.execute("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name").fetchall(),
             [('names',), ('profile_arrays',), ('profiles',)], 'migrated store: the rows packed, the row tables gone')
        c.eq(con.execute("SELECT DISTINCT kind, total_weight = total_time FROM profiles").fetchall(), [('calls', 1)],
             'migrated store: kind calls, total_weight from total_time')
        con.close()
        # a store that cannot be created
        blocker = write(sb.path('blocker'), raw=b'a file, not a folder')
        rc, out, err = sb.run(['import', a], db=os.path.join(blocker, 'sub', 'x.db'))
        c.ok(rc == 1 and err.startswith(b'error: '), 'a store path under a file: exit 1 with an error', text(err))
    return c.done()


if __name__ == '__main__':
    sys.exit(main())

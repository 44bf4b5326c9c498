#!/usr/bin/env python3
"""Stores made by older releases (issue 14): each of old-stores/v*/store.db was
made by the profview of an older commit, which also recorded what it printed for
every read command on it (old-stores/make_old_stores.sh; README.md there). Here
the current profview runs the same commands on a copy of each store: the first
one upgrades it in place, and every command's stdout, stderr and exit status
must be the old binary's, byte for byte; then all of them again on the upgraded
store. Afterwards PRAGMA user_version is the current schema version (the one a
new store gets). A read-only copy (file 444 in a 555 folder) either reads the
same or says, in one line, that it needs upgrading; not a byte of it changes.

Every command runs in the store's folder with --db store.db, as when recorded,
so no output depends on where the store is.

Run as root, the read-only commands run as the user nobody (root ignores
permissions); when nobody cannot run profview, that part is skipped.

usage: test_old_stores.py PROFVIEW TESTS_DIR
"""
import json
import os
import re
import shutil
import sqlite3
import subprocess
import sys

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from store_common import NOBODY, Checks, Sandbox, args, as_nobody_works, folder_state, one_line, text  # noqa: E402

DB = 'store.db'
NEEDS_UPGRADING_RE = re.compile(rb"^error: 'store\.db': store has schema version (\d+) and needs upgrading to (\d+)")


def run(profview, argv, cwd, prefix=(), env=None):
    p = subprocess.run(list(prefix) + [profview, '--db', DB] + list(argv), stdin=subprocess.DEVNULL,
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE, cwd=cwd, env=env, timeout=600)
    return p.returncode, p.stdout, p.stderr


def header_version(db):
    """PRAGMA user_version from the file's header (bytes 60-63), opening no
    connection: SQLite would make -wal and -shm files beside a committed store."""
    with open(db, 'rb') as f:
        head = f.read(64)
    return int.from_bytes(head[60:64], 'big') if head[:16] == b'SQLite format 3\x00' else None


def user_version(db):
    """PRAGMA user_version of a store in the test's own folder."""
    con = sqlite3.connect('file:%s?mode=ro' % db, uri=True)
    try:
        return con.execute('PRAGMA user_version').fetchone()[0]
    finally:
        con.close()


def first_difference(got, want):
    """Where two outputs part, line-wise, for the failure message."""
    gl, wl = got.split(b'\n'), want.split(b'\n')
    for i, (g, w) in enumerate(zip(gl, wl)):
        if g != w:
            return 'line %d:\n  now:  %r\n  want: %r' % (i + 1, g[:300], w[:300])
    return 'now %d lines, want %d lines' % (len(gl), len(wl))


# What profview prints differently, on purpose, since the releases that made the
# older stores: each rule makes, from the old binary's answer, exactly the bytes
# the current profview must print instead (README.md lists them, with why). A
# rule applies to the stores recorded at a schema version below its 'before'.
PROFILE_RECORD_RE = re.compile(rb'(\{"id": \d+, "name": )(null|"(?:[^"\\]|\\.)*")(, )')


def names_member(case, rc, out, err):
    """Schema 4 (bde00ef): a profile may have several names, and its JSON record
    (list, show, export --to json) lists them all after the first, "names":
    [...]; the upgrade makes the name of a version 3 profile its only one. The
    short records of sort, callers, callees and diff have no names, nor have the
    rows of sql."""
    argv = case['argv']
    records = argv[0] in ('list', 'show') and argv[-2:] == ['--format', 'json'] \
        or argv[0] == 'export' and argv[-2:] == ['--to', 'json']
    if not records:
        return None
    new = PROFILE_RECORD_RE.sub(lambda m: m.group(1) + m.group(2) + m.group(3) + b'"names": ' +
                                (b'[]' if m.group(2) == b'null' else b'[' + m.group(2) + b']') + b', ', out)
    return None if new == out else (rc, new, err)


def csv_udc(case, rc, out, err):
    """Issue 20 (88bf89c): CSV text writes bytes that are not UTF-8 as the text
    \\udcXX, as JSON does, instead of as they are."""
    if case['argv'][-2:] != ['--format', 'csv']:
        return None
    new = out.decode('utf-8', 'surrogateescape').encode('utf-8', 'backslashreplace')
    return None if new == out else (rc, new, err)


EMPTY_EXPORTS = {
    'folded': (b'', b'every stack weighs 0, and folded text holds only stacks with a count'),
    'pstats': (b'{0', b'the profile has no functions (every sample weighed 0), and pstats cannot load a '
                      b'profile without any'),
}


def empty_export(case, rc, out, err):
    """Issue 20 (4006623): an export to folded text or pstats with nothing in it
    (no stack weighs anything) is refused, which the old binary wrote: nothing,
    or an empty stats dict."""
    argv = case['argv']
    if argv[0] != 'export' or argv[-2] != '--to' or argv[-1] not in EMPTY_EXPORTS or rc != 0 or \
            out != EMPTY_EXPORTS[argv[-1]][0]:
        return None
    return 1, b'', b"error: '%s': nothing to export: %s\n" % (argv[1].encode(), EMPTY_EXPORTS[argv[-1]][1])


CHANGES = [
    # (rule, applies to stores recorded below this schema version)
    (names_member, 4),
    (csv_udc, 4),
    (empty_export, 4),
]

# Outputs whose writers changed on purpose in the release that brought schema 5
# (issue 14's derived views: the estimated tree's budget and order, speedscope's
# samples depth first, the icicle page's script): no rule can rewrite the old
# bytes into them. For these the answer on the upgraded store must be the answer
# of the same command on a store the current profview makes from the same files
# in the same order (fresh_answers()): what an upgrade must preserve is the data,
# and both stores must give the same bytes from it.
WRITER_CHANGED = re.compile(r'(^p\d+-export-(speedscope|folded)$|^p\d+-icicle$|^icicle-diff$)')


def fresh_answers(sb, c, tests_dir, old, names):
    """The current profview's answers, on a store it makes now from the fixtures
    old_stores.py imports (same order, same ids, mtimes as recorded), for the
    cases named."""
    sys.path.insert(0, os.path.join(tests_dir, 'store', 'old-stores'))
    import old_stores  # noqa: E402
    work = sb.path(os.path.basename(old) + '-fresh')
    os.makedirs(os.path.join(work, 'in'))
    con = sqlite3.connect('file:%s?mode=ro&immutable=1' % os.path.join(old, DB), uri=True)
    mtime = con.execute("SELECT max(source_mtime) FROM profiles WHERE source LIKE 'in/%'").fetchone()[0]
    con.close()
    for rel in [f for f, _ in old_stores.IMPORTS + old_stores.RENAMES] + old_stores.DERIVED_FILES:
        dst = os.path.join(work, 'in', os.path.basename(rel))
        if not os.path.exists(dst):
            shutil.copyfile(os.path.join(tests_dir, rel), dst)
            os.utime(dst, (mtime, mtime))
    steps = [['import', os.path.join('in', os.path.basename(rel))] + o for rel, o in old_stores.IMPORTS]
    for argv in steps:
        run(sb.profview, argv, work, env=sb.env)
    rc, out, err = run(sb.profview, ['sql', "SELECT id FROM profiles WHERE source = 'in/py36-cprofile.prof'",
                                     '--format', 'json'], work, env=sb.env)
    py36 = json.loads(out)[0]['id']
    for argv in [[str(py36) if a == 'py36-cprofile' else a for a in argv] for argv in old_stores.DERIVED]:
        run(sb.profview, argv, work, env=sb.env)
    for rel, o in old_stores.RENAMES:
        run(sb.profview, ['import', os.path.join('in', os.path.basename(rel))] + o, work, env=sb.env)
    answers = {}
    for case in names:
        answers[case['name']] = run(sb.profview, case['argv'], work, env=sb.env)
    c.ok(answers, '%s: a fresh store of the same files for the %d answers whose writers changed'
         % (os.path.basename(old), len(answers)))
    return answers


def expected_now(case, old_out, version, used):
    """What the current profview must answer for a case recorded by an older
    one at schema version `version`: (exit, stdout, stderr)."""
    want = (case['exit'], old_out, case['stderr'].encode('utf-8', 'surrogateescape'))
    for rule, before in CHANGES:
        if version < before:
            new = rule(case, *want)
            if new is not None:
                want = new
                used[rule.__name__] = used.get(rule.__name__, 0) + 1
    return want


def same(c, label, got, case, want):
    """got = (exit, stdout, stderr) against want, the same."""
    rc, out, err = got
    what = '%s: %s' % (label, case['name'])
    if rc != want[0]:
        return c.ok(False, what, 'exit %d, want %d\n%s' % (rc, want[0], text(err)))
    if out != want[1]:
        return c.ok(False, what + ' (stdout)', 'profview %s\n%s' % (' '.join(case['argv'])[:300],
                                                                   first_difference(out, want[1])))
    return c.ok(err == want[2], what + ' (stderr)', first_difference(err, want[2]))


def schema_shape(db):
    """The store's tables (their columns), indexes and virtual tables, as a new
    store has them: what an upgrade must leave."""
    con = sqlite3.connect('file:%s?mode=ro' % db, uri=True)
    try:
        shape = []
        for kind, name, table, sql in sorted(con.execute('SELECT type, name, tbl_name, sql FROM sqlite_master')):
            if kind == 'table' and sql and sql.upper().startswith('CREATE VIRTUAL TABLE'):
                shape.append((kind, name, table, sql))
            elif kind == 'table':
                shape.append((kind, name, table, sorted(con.execute(
                    'SELECT name, type, "notnull", dflt_value, pk FROM pragma_table_info(?)', (name,)))))
            elif kind == 'index':
                shape.append((kind, name, table, con.execute('SELECT * FROM pragma_index_xinfo(?)',
                                                             (name,)).fetchall()))
            else:
                shape.append((kind, name, table, sql))
        return shape
    finally:
        con.close()


def new_store(sb, c, tests_dir):
    """A store the current profview made: its schema version and shape are the
    current ones."""
    folder = sb.path('new')
    os.mkdir(folder)
    prof = os.path.join(tests_dir, 'diff', 'fixtures', 'before.prof')
    rc, out, err = run(sb.profview, ['import', prof], folder, env=sb.env)
    c.ok(rc == 0, 'a new store for its schema version', text(err))
    return os.path.join(folder, DB)


def check_store(c, sb, old, new, reader):
    """Replays old/cases.json on a copy of old/store.db (twice), then on a
    read-only copy."""
    tag = os.path.basename(old)
    version = user_version(new)
    with open(os.path.join(old, 'cases.json'), encoding='utf-8') as f:
        recorded = json.load(f)
    cases = recorded['cases']
    expected, used = {}, {}
    for case in cases:
        with open(os.path.join(old, 'expected', case['name'] + '.out'), 'rb') as f:
            expected[case['name']] = expected_now(case, f.read(), recorded['user_version'], used)
    changed = [case for case in cases if WRITER_CHANGED.match(case['name'])]
    if recorded['user_version'] >= 4:
        fresh = fresh_answers(sb, c, sb.tests_dir, old, changed)
        for case in changed:
            expected[case['name']] = fresh[case['name']]
        used['writer_changed (fresh store)'] = len(changed)
    else:
        # schema 3 moved names on a second import, and these outputs carry the
        # profile's name: no fresh store names its profiles so. The v4 store
        # (same files, same arrays after the upgrade) checks these writers.
        skip = {case['name'] for case in changed}
        cases = [case for case in cases if case['name'] not in skip]
        used['writer_changed (checked on v4)'] = len(skip)
    for rule, n in sorted(used.items()):
        print('%s: %d answers as changed since its release (%s)' % (tag, n, rule))
    original = os.path.join(old, DB)
    c.eq(header_version(original), recorded['user_version'], '%s: the committed store is at its version' % tag)
    c.ok(cases and cases[0]['argv'][0] == 'list', '%s: a reading command comes first' % tag)

    work = sb.path(tag)
    os.mkdir(work)
    shutil.copyfile(original, os.path.join(work, DB))
    for rnd in ('upgrading', 'upgraded'):
        for i, case in enumerate(cases):
            same(c, '%s %s' % (tag, rnd), run(sb.profview, case['argv'], work, env=sb.env), case,
                 expected[case['name']])
            if i == 0 and rnd == 'upgrading':
                c.eq(user_version(os.path.join(work, DB)), version,
                     '%s: the first command (%s) upgraded the store in place' % (tag, case['name']))
    c.eq(user_version(os.path.join(work, DB)), version, '%s: PRAGMA user_version after' % tag)
    c.eq(schema_shape(os.path.join(work, DB)), schema_shape(new),
         '%s: the upgraded store has the tables, columns and indexes of a new one' % tag)
    c.eq(sorted(os.listdir(work)), [DB, DB + '-shm', DB + '-wal'], '%s: nothing but the store in its folder' % tag)

    if reader is None:
        return
    ro = sb.path(tag + '-ro')
    os.mkdir(ro)
    shutil.copyfile(original, os.path.join(ro, DB))
    os.chmod(os.path.join(ro, DB), 0o444)
    os.chmod(ro, 0o555)
    before = folder_state(ro)
    answers = {'read': 0, 'needs upgrading': 0}
    try:
        for case in cases:
            got = run(sb.profview, case['argv'], ro, prefix=reader, env=sb.env)
            rc, out, err = got
            m = NEEDS_UPGRADING_RE.match(err)
            if m:
                answers['needs upgrading'] += 1
                said = (int(m.group(1)), int(m.group(2)))
                c.ok(rc == 1 and one_line(err) and out == b'' and said == (recorded['user_version'], version)
                     and said[0] < said[1],
                     '%s read-only: %s says, in one line, that the store needs upgrading' % (tag, case['name']),
                     text(err))
            else:
                answers['read'] += 1
                same(c, '%s read-only' % tag, got, case, expected[case['name']])
        c.eq(folder_state(ro), before, '%s read-only: not a byte changed' % tag)
        # a current store must read where it cannot be written
        if recorded['user_version'] == version:
            c.eq(answers['needs upgrading'], 0, '%s read-only: a store at the current version reads' % tag)
        print('%s read-only: %d commands read, %d said it needs upgrading' % (tag, answers['read'],
                                                                              answers['needs upgrading']))
    finally:
        os.chmod(ro, 0o755)


def main():
    profview, tests_dir = args()
    c = Checks('store-old-stores')
    here = os.path.join(tests_dir, 'store', 'old-stores')
    olds = sorted(os.path.join(here, d) for d in os.listdir(here)
                  if os.path.exists(os.path.join(here, d, 'cases.json')))
    c.ok(len(olds) >= 2, 'old stores to read: %s' % ', '.join(os.path.basename(d) for d in olds))
    nobody = as_nobody_works(profview)
    reader = NOBODY if nobody else [] if os.geteuid() != 0 else None
    with Sandbox(profview) as sb:
        os.chmod(sb.dir, 0o755)  # the reader (nobody) walks in
        sb.tests_dir = tests_dir
        new = new_store(sb, c, tests_dir)
        for old in olds:
            check_store(c, sb, old, new, reader)
    if reader is None:
        print('SKIP: the read-only copies: running as root, and the user nobody cannot run %s' % profview)
    return c.done()


if __name__ == '__main__':
    sys.exit(main())

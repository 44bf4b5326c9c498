#!/usr/bin/env python3
"""Makes an old store with an older profview, and records what that profview
prints for every read command on it (stdlib only). make_old_stores.sh builds the
binary and calls

    python3 old_stores.py make PROFVIEW TESTS_DIR WORKDIR MTIME

which leaves in WORKDIR: store.db (one checkpointed file), cases.json (each
command, its exit status and stderr) and expected/NAME.out (its stdout, bytes as
written). test_old_stores.py replays cases.json with the current profview.

Every command runs in WORKDIR with `--db store.db`, so no output depends on
where the store is: the test runs them the same way in a folder of its own.
"""
import json
import os
import shutil
import subprocess
import sys

sys.dont_write_bytecode = True

DB = 'store.db'

# What goes into the store, in this order: (fixture under tests/, import options).
# Real files of the real producers (their folders' scripts made them): cProfile and
# `profile` from Python 2.7 to 3.13, cProfile with threads, folded stacks (plain and
# annotated), speedscope sampled, evented and with several threads (also merged),
# Austin with several threads and a full-mode file read by another metric (one of
# its threads weighs nothing by it), folded counts imported with --unit.
IMPORTS = [
    ('golden/fixtures/py27-cprofile.prof', ['--name', 'py27']),
    ('golden/fixtures/py27-profile.prof', ['--name', 'py27-profile']),
    ('golden/fixtures/py36-cprofile.prof', []),
    ('golden/fixtures/py313-cprofile.prof', ['--name', 'py313']),
    ('golden/fixtures/py312-profile.prof', []),
    ('estimate/fixtures/py310-cprofile-threads.prof', ['--name', 'py310-threads']),
    ('diff/fixtures/before.prof', ['--name', 'before']),
    ('diff/fixtures/after.prof', ['--name', 'after']),
    ('sampled/fixtures/py_sampled.folded', ['--name', 'folded']),
    ('sampled/fixtures/py_sampled-annotated.folded', []),
    ('sampled/fixtures/py_sampled.speedscope.json', ['--name', 'speedscope']),
    ('sampled/fixtures/py_evented.speedscope.json', ['--name', 'evented']),
    ('sampled/fixtures/py_threads.speedscope.json', ['--name', 'threads']),
    ('sampled/fixtures/py_threads.speedscope.json', ['--merge-threads', '--name', 'threads-merged']),
    ('austin/fixtures/austin1-threads.austin', ['--name', 'austin']),
    ('austin/fixtures/austin3-full.austin', ['--metric', 'cpu']),
    ('diff/fixtures/before.folded', ['--unit', 'us', '--name', 'before-us']),
]

# Profiles derived by profview itself: merges (cProfile as pstats.Stats(a, b)
# sums, sampled into one tree) and filters (exact on cProfile data, on the
# estimated tree, on stacks).
DERIVED = [
    ['merge', 'before', 'after', '--name', 'merged'],
    ['merge', 'in/a.folded', 'in/b.folded', '--name', 'merged-folded'],
    ['filter', 'py313', '--hide', r'^<frozen|\{built-in', '--save', 'py313-hidden'],
    ['filter', 'py36-cprofile', '--focus', 'json', '--save', 'py36-json'],
    ['filter', 'folded', '--focus', 'json', '--ignore', 'loads', '--save', 'folded-json'],
]
# files the derived ones read (copied into in/ too)
DERIVED_FILES = ['merge/fixtures/a.folded', 'merge/fixtures/b.folded']

# Then files stored already, imported again with another --name: schema 4 adds
# the name (a profile with several), schema 3 moved the only one.
RENAMES = [
    ('golden/fixtures/py313-cprofile.prof', ['--name', 'py313-again']),
    ('sampled/fixtures/py_sampled.folded', ['--name', 'folded-again']),
]

# The formats of profile whose first one gets an icicle page (70 kB of script each).
ICICLE_FORMATS = {'pstats', 'folded', 'speedscope'}
# Whole-profile dumps (JSON, full tables) only for profiles up to this size, and
# folded and speedscope exports of cProfile data (an estimated tree, megabytes of
# text for the larger golden profiles) up to the second: the expected outputs stay
# small. The larger profiles are still read whole by export --to pstats and sort.
FULL_FUNCTIONS, FULL_NODES, ESTIMATED_FUNCTIONS = 250, 1000, 100


def per_profile_cases(p, icicle):
    """The read commands run on the stored profile p (its profiles row)."""
    i = str(p['id'])
    full = p['function_count'] <= FULL_FUNCTIONS and p['node_count'] <= FULL_NODES
    stacks = p['function_count'] <= ESTIMATED_FUNCTIONS if p['kind'] == 'calls' else full
    cases = [
        ('show', ['show', i]),
        ('show-json', ['show', i, '--limit', '3', '--format', 'json']),
        ('sort', ['sort', i]),
        ('sort-json', ['sort', i, '--format', 'json']) if full else None,
        ('sort-tottime', ['sort', i, '--by', 'tottime', '--limit', '12']),
        ('sort-cum-match', ['sort', i, '--by', 'cumulative,name', '--match', '_', '--fraction', '0.5',
                            '--limit', '10']),
        ('sort-calls-strip', ['sort', i, '--by', 'calls,line', '--strip-dirs', '--reverse', '--limit', '10']),
        ('sort-nfl-csv', ['sort', i, '--by', 'nfl', '--limit', '15', '--format', 'csv']),
        ('callers', ['callers', i, '--by', 'cumulative', '--limit', '8']),
        ('callers-json', ['callers', i, '--by', 'tottime', '--limit', '4', '--format', 'json']),
        ('callees', ['callees', i, '--by', 'tottime', '--limit', '8']),
        ('callees-strip', ['callees', i, '--by', 'name', '--strip-dirs', '--match', 'json|sort|_', '--limit', '6']),
        ('callgraph', ['callgraph', i]),
        ('export-folded', ['export', i, '--to', 'folded']) if stacks else None,
        ('export-speedscope', ['export', i, '--to', 'speedscope']) if stacks else None,
        ('export-pstats', ['export', i, '--to', 'pstats']),
        ('export-json', ['export', i, '--to', 'json']) if full else None,
        ('icicle', ['icicle', i]) if icicle and stacks else None,
    ]
    return [('p%02d-%s' % (p['id'], name), argv) for name, argv in filter(None, cases)]


PROFILE_COLUMNS = ('id, name, source, source_mtime, source_abspath, source_size, source_mtime_ns, format, kind, '
                   'thread, producer, dialect, content_hash, part, group_id, imported_at, unit, total_calls, '
                   'primitive_calls, total_time, total_weight, total_samples, node_count, function_count, '
                   'edge_count, top_level_count')
FUNCTION_COLUMNS = ('profile_id, idx, file, line, name, in_stats, top_level, pcalls, calls, tottime, cumtime, '
                    'annotation')
EDGE_COLUMNS = 'profile_id, callee, caller, ord, calls, pcalls, tottime, cumtime, timed'
NODE_COLUMNS = 'profile_id, id, parent, func, self, total, count'


def store_cases(names, full_ids, version):
    """Commands on the whole store and on pairs of profiles: list, diff, the
    tables through `profview sql`. names: {name: id}; full_ids: profiles whose
    rows are dumped whole. Each is (name, argv to replay, argv the old binary
    runs): they differ only for the names table, which schema 3 has not."""
    n = names
    cases = [
        ('list', ['list']),
        ('list-json', ['list', '--format', 'json']),
        ('diff-prof', ['diff', 'before', 'after']),
        ('diff-prof-json', ['diff', 'before', 'after', '--format', 'json']),
        ('diff-pythons', ['diff', str(n['py36-cprofile']), str(n['py313']), '--by', 'tottime%',
                          '--strip-dirs', '--limit', '25']),
        ('diff-sampled', ['diff', str(n['folded']), 'speedscope', '--limit', '20', '--format', 'csv']),
        ('diff-formats', ['diff', str(n['py313']), str(n['folded']), '--match-names', '--limit', '20']),
        ('diff-merged', ['diff', 'merged', 'before', '--by', 'calls']),
        ('callgraph-diff', ['callgraph', 'after', '--diff', 'before', '-c', 'gray']),
        ('callgraph-root', ['callgraph', str(n['folded']), '--root', 'main', '--depth', '3', '-n', '0', '-e', '0']),
        ('icicle-diff', ['icicle', 'speedscope', '--diff', str(n['folded']), '--title', 'diff']),
        ('sql-profiles', ['sql', 'SELECT %s FROM profiles ORDER BY id' % PROFILE_COLUMNS]),
        ('sql-profiles-json', ['sql', 'SELECT %s FROM profiles ORDER BY id' % PROFILE_COLUMNS, '--format', 'json']),
        ('sql-counts', ['sql', 'SELECT p.id, '
                        '(SELECT count(*) FROM functions f WHERE f.profile_id = p.id) AS functions, '
                        '(SELECT count(*) FROM edges e WHERE e.profile_id = p.id) AS edges, '
                        '(SELECT count(*) FROM tree_nodes t WHERE t.profile_id = p.id) AS nodes '
                        'FROM profiles p ORDER BY p.id']),
        ('sql-function-sums', ['sql', 'SELECT profile_id, count(*), sum(in_stats), sum(top_level), sum(pcalls), '
                               'sum(calls), sum(tottime), max(cumtime), min(line), max(length(name)) '
                               'FROM functions GROUP BY profile_id ORDER BY profile_id', '--format', 'csv']),
        ('sql-edge-sums', ['sql', 'SELECT profile_id, count(*), sum(calls), sum(pcalls), sum(tottime), '
                           'sum(cumtime), sum(timed), max(ord) FROM edges GROUP BY profile_id ORDER BY profile_id',
                           '--format', 'csv']),
        ('sql-node-sums', ['sql', 'SELECT profile_id, count(*), sum(self), max(total), sum(count), max(func), '
                           'count(parent) FROM tree_nodes GROUP BY profile_id ORDER BY profile_id', '--format', 'csv']),
        ('sql-top-tottime', ['sql', 'SELECT file, line, name, tottime FROM functions WHERE profile_id = %d AND '
                             'in_stats ORDER BY tottime DESC, idx LIMIT 10' % n['py27']]),
        ('sql-stdname', ['sql', 'SELECT pv_stdname(file, line, name) AS f, calls FROM functions WHERE profile_id '
                         '= %d ORDER BY calls DESC, idx LIMIT 10' % n['py27-profile']]),
        ('sql-callers-join', ['sql', 'SELECT c.file, c.line, c.name, e.calls, e.tottime FROM edges e '
                              'JOIN functions f ON f.profile_id = e.profile_id AND f.idx = e.callee '
                              'JOIN functions c ON c.profile_id = e.profile_id AND c.idx = e.caller '
                              "WHERE e.profile_id = %d AND f.name LIKE '%%sort%%' ORDER BY e.callee, e.ord"
                              % n['py313']]),
        ('sql-stacks', ['sql', 'WITH RECURSIVE up(leaf, node, depth) AS ('
                        'SELECT id, id, 0 FROM tree_nodes WHERE profile_id = {p} AND self > 0 '
                        'UNION ALL SELECT up.leaf, t.parent, depth + 1 FROM up JOIN tree_nodes t '
                        'ON t.profile_id = {p} AND t.id = up.node WHERE t.parent IS NOT NULL) '
                        "SELECT leaf, group_concat(f.name, ' <- ') FROM (SELECT * FROM up ORDER BY leaf, depth) up "
                        'JOIN tree_nodes t ON t.profile_id = {p} AND t.id = up.node AND t.func >= 0 '
                        'JOIN functions f ON f.profile_id = {p} AND f.idx = t.func '
                        'GROUP BY leaf ORDER BY leaf LIMIT 15'.format(p=n['evented'])]),
        ('sql-annotations', ['sql', 'SELECT annotation, count(*) FROM functions WHERE annotation IS NOT NULL '
                             'GROUP BY annotation ORDER BY annotation']),
    ]
    for pid in full_ids:
        cases += [
            ('sql-functions-%02d' % pid, ['sql', 'SELECT %s FROM functions WHERE profile_id = %d ORDER BY idx'
                                          % (FUNCTION_COLUMNS, pid), '--format', 'csv']),
            ('sql-edges-%02d' % pid, ['sql', 'SELECT %s FROM edges WHERE profile_id = %d ORDER BY callee, ord'
                                      % (EDGE_COLUMNS, pid), '--format', 'csv']),
            ('sql-tree-%02d' % pid, ['sql', 'SELECT %s FROM tree_nodes WHERE profile_id = %d ORDER BY id'
                                     % (NODE_COLUMNS, pid), '--format', 'csv']),
        ]
    out = [(name, argv, argv) for name, argv in cases]
    names_sql = 'SELECT name, profile_id, named_at FROM names ORDER BY name'
    # Schema 3 has no names table: the upgrade fills it from profiles.name, with
    # the profile's imported_at as named_at (docs/schema.md), so that is what the
    # version 3 binary is asked.
    old = names_sql if version >= 4 else ('SELECT name, id AS profile_id, imported_at AS named_at FROM profiles '
                                          'WHERE name IS NOT NULL ORDER BY name')
    out.append(('sql-names', ['sql', names_sql], ['sql', old]))
    return out


def run(profview, argv, cwd):
    """(exit status, stdout bytes, stderr bytes) of profview --db store.db ARGV in cwd."""
    p = subprocess.run([profview, '--db', DB] + list(argv), stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                       stderr=subprocess.PIPE, cwd=cwd, timeout=600)
    return p.returncode, p.stdout, p.stderr


def sql_rows(profview, query, cwd):
    rc, out, err = run(profview, ['sql', query, '--format', 'json'], cwd)
    if rc != 0:
        raise SystemExit('profview sql %r: %s' % (query, err.decode('utf-8', 'replace')))
    return json.loads(out.decode('utf-8'))


def import_all(profview, work, steps):
    for argv in steps:
        rc, out, err = run(profview, argv, work)
        if rc != 0:
            raise SystemExit('profview %s: %s' % (' '.join(argv), err.decode('utf-8', 'replace')))


def make(profview, tests_dir, work, mtime):
    """Fills work/store.db with the profview given, and records its outputs."""
    os.makedirs(os.path.join(work, 'in'))
    os.makedirs(os.path.join(work, 'expected'))
    for rel in [f for f, _ in IMPORTS + RENAMES] + DERIVED_FILES:
        dst = os.path.join(work, 'in', os.path.basename(rel))
        if not os.path.exists(dst):
            shutil.copyfile(os.path.join(tests_dir, rel), dst)
            os.utime(dst, (mtime, mtime))

    def imports(table):
        return [['import', os.path.join('in', os.path.basename(rel))] + opts for rel, opts in table]
    import_all(profview, work, imports(IMPORTS))
    # the profile imported without a name that a filter starts from
    py36 = sql_rows(profview, "SELECT id FROM profiles WHERE source = 'in/py36-cprofile.prof'", work)[0]['id']
    import_all(profview, work, [[str(py36) if a == 'py36-cprofile' else a for a in argv] for argv in DERIVED])
    import_all(profview, work, imports(RENAMES))

    version = sql_rows(profview, 'PRAGMA user_version', work)[0]['user_version']
    profiles = sql_rows(profview, 'SELECT id, name, format, kind, function_count, node_count FROM profiles '
                        'ORDER BY id', work)
    ids = {p['name']: p['id'] for p in profiles if p['name']}
    ids['py36-cprofile'] = py36
    # schema 3 moved these names to the second import's
    for first, second in (('py313', 'py313-again'), ('folded', 'folded-again')):
        ids.setdefault(first, ids.get(second))

    cases, icicled = [], set()
    for p in profiles:
        new = per_profile_cases(p, p['format'] in ICICLE_FORMATS and p['format'] not in icicled)
        if any(n.endswith('-icicle') for n, _ in new):
            icicled.add(p['format'])
        cases += [(n, a, a) for n, a in new]
    full_ids = [ids[n] for n in ('before', 'py27-profile', 'evented', 'merged', 'folded-json', 'threads')]
    whole = store_cases(ids, full_ids, version)
    # list first: the first command on an old store is the one that upgrades it
    cases = whole[:2] + cases + whole[2:]

    recorded = []
    for name, argv, old_argv in cases:
        rc, out, err = run(profview, old_argv, work)
        with open(os.path.join(work, 'expected', name + '.out'), 'wb') as f:
            f.write(out)
        case = {'name': name, 'argv': argv, 'exit': rc, 'stderr': err.decode('utf-8', 'surrogateescape')}
        if old_argv != argv:
            case['old_argv'] = old_argv
        recorded.append(case)
    # The store whole in store.db: profview empties (or removes) its -wal when
    # the last connection closes.
    wal = os.path.join(work, DB + '-wal')
    if os.path.exists(wal) and os.path.getsize(wal):
        raise SystemExit('%s is not empty: the store is not in one file' % wal)
    with open(os.path.join(work, 'cases.json'), 'w', encoding='utf-8') as f:
        json.dump({'user_version': version, 'cases': recorded}, f, indent=1)
        f.write('\n')


def main():
    if len(sys.argv) == 6 and sys.argv[1] == 'make':
        make(os.path.abspath(sys.argv[2]), os.path.abspath(sys.argv[3]), os.path.abspath(sys.argv[4]),
             int(sys.argv[5]))
        return 0
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == '__main__':
    sys.exit(main())

#!/usr/bin/env python3
"""Files that are not profiles are refused by name; real folded files import (stdlib only).

  test_foreign.py PROFVIEW TESTS_DIR --group refused|folded [--corpus DIR]

refused  every file of tests/foreign/fixtures listed in expect.tsv (each made by the
         real tool, see make_fixtures.sh), given to `profview import FILE` and
         `profview sort FILE`, exits 1 with exactly one stderr line
         "error: 'FILE' is <what expect.tsv says>", nothing on stdout, and leaves the
         store as it was (every row of every table hashed, as tests/bad/run_bad.py
         does). The same file gzip-compressed is refused the same way, the advice
         beginning with gunzip (a raw pprof file gzipped is just pprof). `--lenient`
         alone refuses it too; `--format folded --lenient` still reads one of them
         (callgrind's cost lines are "stack count" lines) with the total weight
         flamegraph.pl's rule gives, and `--format folded` alone refuses it for
         having too few such lines.
folded   every real folded file -- tests/foreign/fixtures/folded (Austin 1.0 in each
         mode, perf + stackcollapse-perf.pl), tests/sampled/fixtures,
         tests/callgraph/fixtures and the shared corpus (--corpus, default
         ../shared/corpus from the repository root) -- imports with exit 0, and (but
         Austin's, whose metrics are the reader's to interpret) with the total weight
         flamegraph.pl's input rule ^(.*)\\s+(\\d+(?:\\.\\d*)?)$ reads from it, '#'
         comment lines aside. The corpus's empty file is refused as empty. After the
         repository's files, exit 77 (SKIP) when the corpus is absent.

Prints "N passed, N failed"; exit 1 on any failure.
"""
import gzip
import os
import re
import shutil
import sqlite3
import subprocess
import sys
import tempfile

sys.dont_write_bytecode = True
HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, '..', 'bad'))
import run_bad  # noqa: E402  (the store hash and the child environment)

FLAMEGRAPH_LINE = re.compile(r'^(.*)\s+(\d+(?:\.\d*)?)$')
GOOD = os.path.join('golden', 'fixtures', 'py312-cprofile.prof')


class Check:
    def __init__(self):
        self.passed = self.failed = 0

    def ok(self, cond, what, detail=None):
        if cond:
            self.passed += 1
        else:
            self.failed += 1
            print('FAIL %s%s' % (what, '' if detail is None else ': %s' % (detail,)))
        return cond


class Profview:
    def __init__(self, binary, scratch):
        self.binary = binary
        self.db = os.path.join(scratch, 'store.db')
        self.env = dict(os.environ)
        self.env.update(run_bad.CHILD_ENV)
        self.env.pop('PROFVIEW_DB', None)
        self.env['XDG_DATA_HOME'] = os.path.join(scratch, 'xdg')

    def run(self, args, cwd):
        p = subprocess.run([self.binary, '--db', self.db] + args, cwd=cwd, env=self.env, stdin=subprocess.DEVNULL,
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=120)
        return p.returncode, p.stdout.decode('utf-8', 'replace'), p.stderr.decode('utf-8', 'replace')

    def stored(self, pid):
        con = sqlite3.connect('file:%s?mode=ro' % self.db, uri=True)
        try:
            return con.execute('SELECT kind, total_weight FROM profiles WHERE id = ?', (pid,)).fetchone()
        finally:
            con.close()


def read_expect():
    expect = {}
    with open(os.path.join(HERE, 'expect.tsv'), encoding='utf-8') as f:
        for line in f:
            line = line.rstrip('\n')
            if line and not line.startswith('#'):
                name, _, what = line.partition('\t')
                expect[name] = what
    return expect


def flamegraph_weight(data):
    """The sum of the counts of the lines flamegraph.pl reads (comments aside)."""
    if data[:2] in (b'\xff\xfe', b'\xfe\xff'):
        text = data.decode('utf-16')
    else:
        text = data.decode('utf-8-sig', 'surrogateescape')
    total = 0.0
    for line in text.split('\n'):
        line = line[:-1] if line.endswith('\r') else line
        if line.lstrip(' \t').startswith('#'):
            continue
        m = FLAMEGRAPH_LINE.match(line)
        if m:
            total += float(m.group(2))
    return total


def close(a, b):
    return abs(a - b) <= 1e-9 * max(1.0, abs(a), abs(b))


def check_refusal(c, pv, store, cwd, name, mode, want):
    args = ['import', name] if mode == 'import' else ['sort', name, '--limit', '5']
    rc, out, err = pv.run(args, cwd)
    label = '%s [%s]' % (name, mode)
    c.ok(rc == 1, label + ': exit 1', rc)
    c.ok(out == '', label + ': nothing on stdout', out[:200])
    c.ok(err == "error: '%s' is %s\n" % (name, want), label + ': one line saying what it is',
         'got %r, want %r' % (err, "error: '%s' is %s" % (name, want)))
    if not c.ok(store.unchanged(), label + ': store unchanged'):
        store.restore()


def group_refused(c, pv, tests_dir, scratch):
    expect = read_expect()
    fixtures = os.path.join(HERE, 'fixtures')
    c.ok(len(expect) >= 25, 'expect.tsv lists the fixtures', len(expect))
    listed = set(expect)
    present = {f for f in os.listdir(fixtures) if os.path.isfile(os.path.join(fixtures, f))}
    c.ok(listed == present, 'expect.tsv and fixtures/ name the same files',
         'only listed: %s, only present: %s' % (sorted(listed - present), sorted(present - listed)))
    cwd = os.path.join(scratch, 'in')
    os.makedirs(cwd)
    rc, out, err = pv.run(['import', os.path.join(tests_dir, GOOD)], cwd)
    if not c.ok(rc == 0, 'the store gets a good profile first', err):
        return
    store = run_bad.Store(pv.db, os.path.join(scratch, 'pristine'))
    for name, what in sorted(expect.items()):
        src = os.path.join(fixtures, name)
        if not os.path.exists(src):
            continue
        shutil.copy(src, os.path.join(cwd, name))
        for mode in ('import', 'sort'):
            check_refusal(c, pv, store, cwd, name, mode, what.replace('{path}', name))
        with open(src, 'rb') as f:
            data = f.read()
        if data[:2] == b'\x1f\x8b':
            continue    # gzip already
        gz = name + '.gz'
        with open(os.path.join(cwd, gz), 'wb') as f:
            f.write(gzip.compress(data, mtime=0))
        kind, _, todo = what.partition(': ')
        if name == 'cpu.pb':
            want = what.replace('{path}', gz)
        else:
            want = '%s, gzip-compressed: gunzip -k %s, then %s' % (kind, gz, todo.replace('{path}', name))
        check_refusal(c, pv, store, cwd, gz, 'import', want)

    # --lenient alone does not make a foreign file folded; --format folded --lenient does
    name = 'callgrind.out.work'
    check_refusal(c, pv, store, cwd, name, 'import', expect[name].replace('{path}', name))
    rc, out, err = pv.run(['import', '--lenient', name], cwd)
    c.ok(rc == 1 and err.startswith("error: '%s' is a callgrind profile" % name), name + ' --lenient: refused', err)
    rc, out, err = pv.run(['import', '--format', 'folded', name], cwd)
    c.ok(rc == 1 and out == '' and err.startswith("error: '%s': not folded stacks: only " % name) and
         err.count('\n') == 1, name + ' --format folded: refused, too few stack lines', err)
    if not c.ok(store.unchanged(), name + ' --format folded: store unchanged'):
        store.restore()
    rc, out, err = pv.run(['import', '--format', 'folded', '--lenient', name], cwd)
    ids = out.split()
    if c.ok(rc == 0 and len(ids) == 1, name + ' --format folded --lenient: imported', (rc, out, err)):
        c.ok(re.fullmatch(r"warning: '%s': skipped \d+ malformed lines, first at line \d+\n" % re.escape(name), err),
             name + ' --format folded --lenient: the skipped-lines warning', err)
        kind, weight = pv.stored(int(ids[0]))
        with open(os.path.join(cwd, name), 'rb') as f:
            want = flamegraph_weight(f.read())
        c.ok(kind == 'sampled' and close(weight, want), name + " --lenient: the weight of its 'N COUNT' lines",
             (kind, weight, want))


def folded_files(tests_dir, corpus):
    found = []
    for sub in (('foreign', 'fixtures', 'folded'), ('sampled', 'fixtures'), ('callgraph', 'fixtures')):
        d = os.path.join(tests_dir, *sub)
        for fn in sorted(os.listdir(d)):
            if fn.endswith(('.folded', '.folded.gz', '.txt')):
                found.append(os.path.join(d, fn))
    if corpus:
        d = os.path.join(corpus, 'folded')
        found += [os.path.join(d, fn) for fn in sorted(os.listdir(d))]
    return found


def group_folded(c, pv, tests_dir, scratch, corpus):
    have_corpus = os.path.isdir(os.path.join(corpus, 'folded'))
    for path in folded_files(tests_dir, corpus if have_corpus else None):
        name = os.path.basename(path)
        with open(path, 'rb') as f:
            data = f.read()
        if name.endswith('.gz'):
            data = gzip.decompress(data)
        rc, out, err = pv.run(['import', path], scratch)
        if not data:
            c.ok(rc == 1 and err == "error: '%s': empty file\n" % path, name + ': refused as empty', err)
            continue
        ids = out.split()
        if not c.ok(rc == 0 and len(ids) == 1, name + ': imports', (rc, out, err)):
            continue
        kind, weight = pv.stored(int(ids[0]))
        c.ok(kind == 'sampled', name + ': a sampled profile', kind)
        if 'austin' not in name:
            want = flamegraph_weight(data)
            c.ok(close(weight, want), name + ": total weight = the sum of flamegraph.pl's counts", (weight, want))
    return have_corpus


def main(argv):
    if len(argv) < 4 or argv[2] != '--group' or argv[3] not in ('refused', 'folded'):
        print(__doc__)
        return 2
    profview, tests_dir, group = os.path.abspath(argv[0]), os.path.abspath(argv[1]), argv[3]
    corpus = os.path.join(tests_dir, '..', '..', 'shared', 'corpus')
    if len(argv) > 5 and argv[4] == '--corpus':
        corpus = argv[5]
    scratch = tempfile.mkdtemp(prefix='pv-foreign-')
    c = Check()
    skipped = False
    try:
        pv = Profview(profview, scratch)
        if group == 'refused':
            group_refused(c, pv, tests_dir, scratch)
        else:
            skipped = not group_folded(c, pv, tests_dir, scratch, os.path.abspath(corpus))
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    print('%d passed, %d failed' % (c.passed, c.failed))
    if c.failed:
        return 1
    if skipped:
        print('SKIP the shared corpus: %s is absent (the repository\'s folded files passed)' % corpus)
        return 77
    return 0


if __name__ == '__main__':
    sys.exit(main(sys.argv[1:]))

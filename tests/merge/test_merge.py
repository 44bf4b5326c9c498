#!/usr/bin/env python3
"""profview merge (docs/profview-merge.md) against independent references.

usage: test_merge.py PROFVIEW [CORPUS_DIR]

  PROFVIEW    the profview binary
  CORPUS_DIR  the shared conformance corpus (default: ../shared/corpus from the
              repository root); its parts are skipped, saying so, when absent

cProfile data: `profview merge A B C` then `sort`/`callers`/`callees` of the
result must print byte for byte what Python 3.11.7's pstats prints for
`pstats.Stats(A, B, C)` (expected/ID.txt, made by make_fixtures.py from
cases.txt with the Python that wrote the fixtures, from the inputs' folder with
bare names, TZ=UTC, mtimes 1700000000).  Note that Stats(A, B, C) is
Stats(A).add(B, C), and add() takes its arguments in reverse order: the
header lists A, C, B and the functions come in that order of first meeting.
A stored merge as an input is the Stats object of its inputs: `merge M D` is
Stats(A, B, C).add(D) (cases written `(a+b+c) d`).
Also: merging twice finds the same id, a profile merged with itself doubles,
stored ids and names as inputs, --name clashes, and the refusal of `profile`
+ cProfile data.

Sampled data: the merged profile's `export --to speedscope` must be, as a multiset
of stacks with summed weights, the sum of the inputs' stacks as read by the
independent readers of pvtest.py (folded files written by hand, the sampled
fixtures, the corpus; speedscope files with several threads); unit mismatches
and cProfile + sampled data are refused (exit 1, one `error:` line).

Prints "merge: N passed, M failed, K skipped"; exits 1 on any failure.
"""
import json
import os
import shlex
import shutil
import sys

sys.dont_write_bytecode = True
HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
from pvtest import (EPOCH, Checks, Sandbox, cmdline, diff_stacks, error_line,  # noqa: E402
                    read_folded, read_speedscope, scale, single_id, sum_stacks, text)

TESTS = os.path.dirname(HERE)
FIXTURES = os.path.join(HERE, 'fixtures')
GOLDEN_FIXTURES = os.path.join(TESTS, 'golden', 'fixtures')
SAMPLED_FIXTURES = os.path.join(TESTS, 'sampled', 'fixtures')
EXPECTED = os.path.join(HERE, 'expected')


def find_input(name):
    for d in (FIXTURES, GOLDEN_FIXTURES, SAMPLED_FIXTURES):
        p = os.path.join(d, name)
        if os.path.exists(p):
            return p
    raise SystemExit('test_merge: input %s not found' % name)


def load_cases():
    cases = []
    with open(os.path.join(HERE, 'cases.txt'), encoding='utf-8') as f:
        for line in f:
            line = line.strip()
            if not line or line.startswith('#'):
                continue
            cid, inputs, cmd = [p.strip() for p in line.split(' :: ')]
            words = shlex.split(cmd)
            cases.append((cid, tuple(inputs.split()), words[0], words[1:]))
    return cases


def first_diff(got, want):
    gl, wl = got.split(b'\n'), want.split(b'\n')
    for i in range(max(len(gl), len(wl))):
        g = gl[i] if i < len(gl) else b'<missing>'
        w = wl[i] if i < len(wl) else b'<missing>'
        if g != w:
            return 'line %d\n  profview: %r\n  pstats:   %r' % (i + 1, g, w)
    return 'identical?'


class Suite:
    def __init__(self, profview, corpus):
        self.c = Checks('merge')
        self.sb = Sandbox(profview, 'pv-merge-')
        self.corpus = corpus
        self.have = {}

    def run(self, db, argv, cwd=None):
        return self.sb.run(db, argv, cwd=cwd)

    def command_works(self, name):
        if name not in self.have:
            rc, out, err = self.run(self.sb.path('probe.db'), [name, '--help'])
            self.have[name] = (rc == 0, rc, text(out + err).strip()[:300])
        return self.have[name]

    def workdir(self, name, inputs):
        """A folder holding copies of INPUTS with bare names and mtime EPOCH."""
        d = self.sb.path(name)
        os.makedirs(d, exist_ok=True)
        for i in inputs:
            dst = os.path.join(d, os.path.basename(i))
            if not os.path.exists(dst):
                shutil.copyfile(find_input(i) if not os.path.isabs(i) else i, dst)
                os.utime(dst, (EPOCH, EPOCH))
        return d

    def merge(self, db, inputs, what, cwd, extra=()):
        argv = ['merge'] + list(inputs) + list(extra)
        rc, out, err = self.run(db, argv, cwd=cwd)
        pid = single_id(out)
        self.c.ok(rc == 0 and pid is not None, '%s: `%s` exits 0 and prints one id' % (what, cmdline(db, argv)),
                  'exit %d\nstdout %r\nstderr %r' % (rc, text(out)[:300], text(err)[:600]))
        return pid if rc == 0 else None

    def listing(self, db):
        rc, out, err = self.run(db, ['list', '--format', 'json'])
        if rc != 0:
            return None
        try:
            return json.loads(out.decode('utf-8'))
        except ValueError:
            return None

    def entry(self, db, pid):
        for e in self.listing(db) or []:
            if e.get('id') == pid:
                return e
        return None

    def sort_json(self, db, prof, what, cwd=None):
        argv = ['sort', prof, '--format', 'json']
        rc, out, err = self.run(db, argv, cwd=cwd)
        if not self.c.ok(rc == 0, '%s: `%s` exits 0' % (what, cmdline(db, argv)), text(err)[:500]):
            return None
        try:
            return json.loads(out.decode('utf-8', 'surrogateescape'))
        except ValueError as e:
            self.c.ok(False, '%s: sort --format json is JSON' % what, str(e))
            return None

    # ------------------------------------------------------------ cProfile

    def cprofile_cases(self):
        c = self.c
        cases = load_cases()
        calls_ok = {}
        for cmd in ('callers', 'callees'):
            works, rc, msg = self.command_works(cmd)
            calls_ok[cmd] = works
            if not works:
                c.ok(False, '`profview %s --help` works (docs/profview-merge.md: callers and callees of a merge '
                     'print what pstats prints)' % cmd, 'exit %d: %s' % (rc, msg))
        db = self.sb.path('cprofile.db')
        groups = []
        for cid, inputs, cmd, args in cases:
            if inputs not in groups:
                groups.append(inputs)
        ids = {}
        for k, inputs in enumerate(groups):
            wd = self.workdir('cp%d' % k, [n for i in inputs for n in i.strip('()').split('+')])
            args = []
            for i in inputs:
                if i.startswith('('):  # a stored merge as an input: merge it first, pass its id
                    args.append(str(self.merge(db, i[1:-1].split('+'), 'merge %s (to be an input)' % i, wd)))
                else:
                    args.append(i)
            ids[inputs] = (self.merge(db, args, 'merge %s' % ' '.join(inputs), wd, ['--name', 'cp%d' % k]), wd)
        for cid, inputs, cmd, args in cases:
            pid, wd = ids[inputs]
            label = '%s [Stats(%s) %s %s]' % (cid, ', '.join(inputs), cmd, ' '.join(args))
            if cmd in calls_ok and not calls_ok[cmd]:
                c.skip('%s: no %s command' % (cid, cmd))
                continue
            if pid is None:
                c.ok(False, '%s: the merge failed, nothing to print' % label)
                continue
            # the first group prints by name, the others by id
            ref = 'cp%d' % groups.index(inputs) if cid.endswith('-01') else str(pid)
            argv = [cmd, ref] + args
            rc, out, err = self.run(db, argv, cwd=wd)
            exp_err = os.path.join(EXPECTED, cid + '.err')
            if os.path.exists(exp_err):
                c.ok(rc in (1, 2) and err.startswith(b'error: '), '%s: pstats refused, profview must fail' % label,
                     'exit %d' % rc)
                continue
            with open(os.path.join(EXPECTED, cid + '.txt'), 'rb') as f:
                want = f.read()
            c.ok(rc == 0 and out == want, '%s: `%s` prints what pstats prints' % (label, cmdline(db, argv)),
                 'exit %d stderr %r\n%s' % (rc, text(err)[:300], first_diff(out, want)))
        return db, ids, groups

    def cprofile_store(self, db, ids, groups):
        c = self.c
        s3 = ('w_text.prof', 'w_num.prof', 'w_objs.prof')
        pid, wd = ids.get(s3, (None, None))
        entry = self.entry(db, pid) if pid else None
        if pid:
            c.ok(entry is not None and entry.get('format') == 'merge',
                 'merged profile %d is listed with format "merge"' % pid, entry)
            rc, out, err = self.run(db, ['list'])
            rows = [l for l in text(out).splitlines() if l.strip()]
            n = len(self.listing(db) or [])
            c.ok(rc == 0 and len(rows) == n + 1, '`list` (text) prints a heading and one line per profile, merged '
                 'ones included (%d profiles)' % n, text(out)[-1500:])
            before = self.listing(db)
            again = self.merge(db, s3, 'merging the same inputs again', wd)
            c.eq(again, pid, 'merging %s again finds the stored merge (same id)' % ' '.join(s3))
            after = self.listing(db)
            c.ok(before is not None and after is not None and len(after) == len(before),
                 'merging the same inputs again stores nothing new (`list` has as many profiles)',
                 '%d -> %d' % (len(before or []), len(after or [])))

        # stored profiles (a name, an id) as inputs, in a fresh store
        db2 = self.sb.path('byref.db')
        wd2 = self.workdir('byref', s3)
        rc, out, err = self.run(db2, ['import', 'w_text.prof', '--name', 'alpha'], cwd=wd2)
        c.ok(rc == 0, 'import w_text.prof --name alpha', text(err))
        rc, out, err = self.run(db2, ['import', 'w_num.prof'], cwd=wd2)
        num_id = single_id(out)
        c.ok(rc == 0 and num_id is not None, 'import w_num.prof prints its id', text(err))
        if num_id is not None:
            m = self.merge(db2, ['alpha', str(num_id), 'w_objs.prof'], 'merge NAME ID FILE', wd2)
            if m is not None:
                with open(os.path.join(EXPECTED, 's3-01.txt'), 'rb') as f:
                    want = f.read()
                rc, out, err = self.run(db2, ['sort', str(m)], cwd=self.sb.dir)
                c.ok(rc == 0 and out == want,
                     'merge alpha %d w_objs.prof (a name, an id, a file): sort prints Stats(w_text.prof, w_num.prof, '
                     'w_objs.prof) as pstats does (expected/s3-01.txt)' % num_id,
                     'exit %d %s\n%s' % (rc, text(err)[:300], first_diff(out, want)))
                by_path = self.merge(db2, list(s3), 'merge by paths after merge by name/id', wd2)
                c.eq(by_path, m, 'merging the same inputs by path finds the merge made from their name and id')

        # a profile merged with itself doubles every number
        d2 = ('w_num.prof', 'w_num.prof')
        pid, wd = ids.get(d2, (None, None))
        if pid:
            one = self.sort_json(db, 'w_num.prof', 'w_num.prof alone', cwd=wd)
            two = self.sort_json(db, str(pid), 'w_num.prof merged with itself')
            if one and two and not c.ok(all('stdname' in f for f in one['functions'] + two['functions']),
                                        'self-merge: the result is cProfile data (sort --format json has stdname)'):
                pass
            elif one and two:
                c.eq(two.get('total_calls'), 2 * one['total_calls'], 'self-merge: total_calls doubles')
                c.eq(two.get('primitive_calls'), 2 * one['primitive_calls'], 'self-merge: primitive_calls doubles')
                c.eq(two.get('total_time'), 2 * one['total_time'], 'self-merge: total_time doubles')
                keys = ('calls', 'primitive_calls', 'tottime', 'cumtime')
                want = [(f['stdname'],) + tuple(2 * f[k] for k in keys) for f in one['functions']]
                got = [(f['stdname'],) + tuple(f[k] for k in keys) for f in two['functions']]
                bad = [(g, w) for g, w in zip(got, want) if g != w]
                c.ok(len(got) == len(want) and not bad,
                     'self-merge: every function, in the same order, with calls/primitive/tottime/cumtime doubled',
                     '%d vs %d rows; first differences %r' % (len(got), len(want), bad[:3]))

        # --name
        db3 = self.sb.path('names.db')
        wd3 = self.workdir('names', s3)
        rc, out, err = self.run(db3, ['import', 'w_objs.prof', '--name', 'taken'], cwd=wd3)
        taken_id = single_id(out)
        before = self.listing(db3) or []
        argv = ['merge', 'w_text.prof', 'w_num.prof', '--name', 'taken']
        rc, out, err = self.run(db3, argv, cwd=wd3)
        c.ok(rc == 1 and error_line(err), '`%s` (name held by another profile) exits 1 with one error: line'
             % cmdline(db3, argv), 'exit %d stdout %r stderr %r' % (rc, text(out), text(err)))
        after = self.listing(db3) or []
        c.eq([e['id'] for e in after if e.get('format') == 'merge'], [],
             'a merge refused for its name stores no merged profile')
        c.eq([e['id'] for e in after if e.get('name') == 'taken'], [taken_id],
             'the name still belongs to the profile that had it')
        m = self.merge(db3, ['w_text.prof', 'w_num.prof'], 'merge --name nightly', wd3, ['--name', 'nightly'])
        if m is not None:
            d = self.sort_json(db3, 'nightly', 'sort nightly')
            c.ok(d is not None and d['profile'].get('id') == m and d['profile'].get('name') == 'nightly',
                 'the --name given to merge names the merged profile', d and d['profile'])
            again = self.merge(db3, ['w_text.prof', 'w_num.prof'], 'merge the same inputs with the same --name',
                               wd3, ['--name', 'nightly'])
            c.eq(again, m, 'merging the same inputs with the same --name again finds the same profile')
            argv = ['merge', 'w_text.prof', 'w_objs.prof', '--name', 'nightly']
            rc, out, err = self.run(db3, argv, cwd=wd3)
            c.ok(rc == 1 and error_line(err), '`%s` (name held by another merge) exits 1 with one error: line'
                 % cmdline(db3, argv), 'exit %d stdout %r stderr %r' % (rc, text(out), text(err)))
        argv = ['merge']
        rc, out, err = self.run(db3, argv, cwd=wd3)
        c.ok(rc == 2, '`profview merge` without a profile is a usage error, exit 2', 'exit %d %r' % (rc, text(err)))
        argv = ['merge', 'w_text.prof', '--bogus']
        rc, out, err = self.run(db3, argv, cwd=wd3)
        c.ok(rc == 2, '`%s` (unknown option) exits 2' % cmdline(db3, argv), 'exit %d %r' % (rc, text(err)))
        argv = ['merge', 'w_text.prof', 'no-such-file.prof']
        rc, out, err = self.run(db3, argv, cwd=wd3)
        c.ok(rc == 1 and error_line(err), '`%s` (missing input) exits 1 with one error: line' % cmdline(db3, argv),
             'exit %d %r' % (rc, text(err)))

        # profile-module data with cProfile data: pstats raises TypeError on it
        db4 = self.sb.path('mixed.db')
        wd4 = self.workdir('mixed', ['py311-cprofile.prof', 'py311-profile.prof'])
        for pair in (['py311-cprofile.prof', 'py311-profile.prof'], ['py311-profile.prof', 'py311-cprofile.prof']):
            argv = ['merge'] + pair
            rc, out, err = self.run(db4, argv, cwd=wd4)
            c.ok(rc == 1 and error_line(err) and not out.strip(),
                 '`%s` (profile-module + cProfile data, pstats fails) exits 1 with one error: line'
                 % cmdline(db4, argv), 'exit %d stdout %r stderr %r' % (rc, text(out)[:200], text(err)[:500]))
        c.eq([e['id'] for e in (self.listing(db4) or []) if e.get('format') == 'merge'], [],
             'refused profile+cProfile merges store no merged profile')

    # ------------------------------------------------------------ sampled

    def sampled_case(self, db, inputs, want, what, kind=None, unit=None, cwd=None):
        """merge INPUTS; its export --to speedscope must be WANT (a stack multiset)."""
        c = self.c
        pid = self.merge(db, inputs, what, cwd or self.sb.dir)
        if pid is None:
            return None
        # speedscope keeps every weight at full precision (folded text rounds to whole counts)
        dump = os.path.join(self.sb.dir, 'merged-%d.speedscope.json' % pid)
        argv = ['export', str(pid), '--to', 'speedscope', '-o', dump]
        rc, out, err = self.run(db, argv)
        if not c.ok(rc == 0, '%s: `%s` exits 0' % (what, cmdline(db, argv)), text(err)[:500]):
            return pid
        profiles = read_speedscope(dump)
        c.ok(len(profiles) == 1 and profiles[0][0] == 'sampled', '%s: the export is one sampled profile' % what)
        got = profiles[0][2]
        c.ok(not diff_stacks(got, want), '%s: the merged stacks are the sum of the inputs\' stacks' % what,
             '\n'.join(diff_stacks(got, want)))
        e = self.entry(db, pid)
        c.ok(e is not None and e.get('format') == 'merge', '%s: listed with format "merge"' % what, e)
        if kind:
            c.ok(e is not None and e.get('kind') == kind, '%s: kind %s' % (what, kind), e)
        if unit:
            c.ok(e is not None and e.get('unit') == unit, '%s: unit %s' % (what, unit), e)
        return pid

    def refused(self, db, inputs, what, cwd=None):
        before = [e['id'] for e in (self.listing(db) or []) if e.get('format') == 'merge']
        argv = ['merge'] + list(inputs)
        rc, out, err = self.run(db, argv, cwd=cwd)
        self.c.ok(rc == 1 and error_line(err) and not out.strip(),
                  '%s: `%s` exits 1 with one error: line' % (what, cmdline(db, argv)),
                  'exit %d stdout %r stderr %r' % (rc, text(out)[:200], text(err)[:500]))
        after = [e['id'] for e in (self.listing(db) or []) if e.get('format') == 'merge']
        self.c.eq(after, before, '%s: no merged profile stored' % what)

    def sampled(self):
        db = self.sb.path('sampled.db')
        fx = lambda n: os.path.join(FIXTURES, n)  # noqa: E731
        sx = lambda n: os.path.join(SAMPLED_FIXTURES, n)  # noqa: E731
        a, b, frac = read_folded(fx('a.folded')), read_folded(fx('b.folded')), read_folded(fx('frac.folded'))
        self.sampled_case(db, [fx('a.folded'), fx('b.folded')], sum_stacks(a, b), 'merge a.folded b.folded',
                          kind='sampled', unit='samples')
        self.sampled_case(db, [fx('a.folded'), fx('a.folded')], scale(a, 2), 'merge a.folded a.folded (doubles)')
        self.sampled_case(db, [fx('b.folded'), fx('frac.folded'), fx('a.folded')], sum_stacks(a, b, frac),
                          'merge b.folded frac.folded a.folded (fractional counts)')
        # a stored profile (by id) and a file; then the same again finds it
        rc, out, err = self.run(db, ['import', fx('b.folded')])
        bid = single_id(out)
        if self.c.ok(bid is not None, 'import b.folded prints its id', text(err)):
            m1 = self.sampled_case(db, [str(bid), fx('frac.folded')], sum_stacks(b, frac),
                                   'merge ID(b.folded) frac.folded')
            m2 = self.merge(db, [fx('b.folded'), fx('frac.folded')], 'merge b.folded frac.folded by path', self.sb.dir)
            self.c.eq(m2, m1, 'sampled: merging the same inputs by path again finds the same merge')
        # real folded files written by the sampled fixtures' profiler
        names = ['py_sampled.folded', 'py_sampled-crlf.folded', 'py_sampled-annotated.folded']
        if all(os.path.exists(sx(n)) for n in names):
            self.sampled_case(db, [sx(n) for n in names], sum_stacks(*[read_folded(sx(n)) for n in names]),
                              'merge ' + ' '.join(names) + ' (tests/sampled fixtures)', kind='sampled', unit='samples')
        else:
            self.c.skip('tests/sampled fixtures absent')

        # speedscope: several threads go in whole
        th = read_speedscope(fx('threads.speedscope.json'))
        ev = read_speedscope(fx('evented_ms.speedscope.json'))
        self.sampled_case(db, [fx('threads.speedscope.json')], sum_stacks(*[p[2] for p in th]),
                          'merge threads.speedscope.json (a sampled and an evented thread, ms, into one tree)',
                          kind='sampled', unit='milliseconds')
        self.sampled_case(db, [fx('threads.speedscope.json'), fx('evented_ms.speedscope.json')],
                          sum_stacks(*[p[2] for p in th + ev]),
                          'merge threads.speedscope.json evented_ms.speedscope.json', kind='sampled',
                          unit='milliseconds')
        self.sampled_case(db, [fx('evented_ms.speedscope.json'), fx('evented_ms.speedscope.json')],
                          scale(ev[0][2], 2), 'merge evented_ms.speedscope.json twice (evented only)',
                          kind='evented', unit='milliseconds')
        # a stored id is that one profile (one thread of a multi-thread file)
        rc, out, err = self.run(db, ['import', fx('threads.speedscope.json')])
        tids = [int(x) for x in text(out).split()] if rc == 0 else []
        if self.c.ok(len(tids) == 2, 'import threads.speedscope.json prints two ids', text(out + err)):
            self.sampled_case(db, [str(tids[0]), fx('evented_ms.speedscope.json')], sum_stacks(th[0][2], ev[0][2]),
                              'merge ID(MainThread of threads.speedscope.json) evented_ms.speedscope.json '
                              '(a stored id is that one profile)', kind='sampled', unit='milliseconds')
            self.sampled_case(db, [str(tids[1]), fx('evented_ms.speedscope.json')], sum_stacks(th[1][2], ev[0][2]),
                              'merge ID(Worker of threads.speedscope.json) evented_ms.speedscope.json '
                              '(two evented profiles stay evented)', kind='evented', unit='milliseconds')
        names = ['py_sampled.speedscope.json', 'py_threads.speedscope.json', 'py_evented.speedscope.json']
        if all(os.path.exists(sx(n)) for n in names):
            profs = [p for n in names for p in read_speedscope(sx(n))]
            self.sampled_case(db, [sx(n) for n in names], sum_stacks(*[p[2] for p in profs]),
                              'merge ' + ' '.join(names) + ' (ns, 4 threads, sampled and evented)',
                              kind='sampled', unit='nanoseconds')
            self.refused(db, [fx('threads.speedscope.json'), sx('py_threads.speedscope.json')],
                         'milliseconds + nanoseconds')

        # refusals
        self.refused(db, [fx('evented_ms.speedscope.json'), fx('a.folded')],
                     'speedscope evented in milliseconds + folded in samples')
        self.refused(db, [fx('a.folded'), fx('threads.speedscope.json')], 'folded in samples + speedscope in ms')
        wd = self.workdir('mixedkinds', ['w_num.prof'])
        self.refused(db, ['w_num.prof', fx('a.folded')], 'cProfile + folded', cwd=wd)
        self.refused(db, [fx('a.folded'), 'w_num.prof'], 'folded + cProfile', cwd=wd)

    def corpus_part(self):
        c = self.c
        folded = os.path.join(self.corpus, 'folded')
        ss = os.path.join(self.corpus, 'speedscope')
        if not (os.path.isdir(folded) and os.path.isdir(ss)):
            c.skip('corpus: %s (folded/ and speedscope/) is absent' % self.corpus)
            return
        db = self.sb.path('corpus.db')
        sets = [
            ['simple.txt', 'recursion.txt', 'alternating.txt', 'keywords.collapse'],
            ['simple.txt', 'simple-utf16-le.txt', 'simple-crlf.txt'],
            ['inferno_flamegraph_fractional-samples_fractional.txt',
             'inferno_flamegraph_fractional-samples_with-space.txt',
             'inferno_flamegraph_fractional-samples_zero-fractionals.txt'],
            ['inferno_diff-folded_before.txt', 'inferno_diff-folded_after.txt'],
            ['inferno_flamegraph_base_flames.txt',
             'inferno_flamegraph_colors_async-profiler-collapsed-part.txt'],
            ['synapse.collapse', 'perf-vertx-stacks-01-collapsed-all.txt'],
            ['tall.txt', 'simple-with-invalids.txt'],
        ]
        for names in sets:
            paths = [os.path.join(folded, n) for n in names]
            if not all(os.path.exists(p) for p in paths):
                c.skip('corpus: one of %s is absent' % names)
                continue
            self.sampled_case(db, paths, sum_stacks(*[read_folded(p) for p in paths]),
                              'corpus merge ' + ' '.join(names), kind='sampled', unit='samples')
        two = os.path.join(ss, '0.6.0_two-sampled.speedscope.json')
        one = os.path.join(ss, '0.1.2_simple-sampled.speedscope.json')
        if os.path.exists(two) and os.path.exists(one):
            p2 = read_speedscope(two)
            p1 = read_speedscope(one)
            self.sampled_case(db, [two], sum_stacks(*[p[2] for p in p2]),
                              'corpus merge 0.6.0_two-sampled (two profiles into one tree)',
                              kind='sampled', unit='seconds')
            # the known facts, written out: a;b;c 1+1+3, a;b;d 4, a;b 5, per profile
            c.eq(sum_stacks(*[p[2] for p in p2]),
                 {('a', 'b', 'c'): 10.0, ('a', 'b', 'd'): 8.0, ('a', 'b'): 10.0},
                 'the independent speedscope reader reads 0.6.0_two-sampled as speedscope means it')
            self.sampled_case(db, [two, one], sum_stacks(*[p[2] for p in p2 + p1]),
                              'corpus merge 0.6.0_two-sampled + 0.1.2_simple-sampled (seconds)')
            self.refused(db, [two, os.path.join(FIXTURES, 'evented_ms.speedscope.json')],
                         'corpus: speedscope in seconds + speedscope in milliseconds')
            self.refused(db, [two, os.path.join(folded, 'simple.txt')],
                         'corpus: speedscope in seconds + folded in samples')
        # Austin's output weighs microseconds (docs/profview-import.md, Austin): not samples
        austin = os.path.join(folded, 'inferno_flamegraph_austin_flames.txt')
        if os.path.exists(austin):
            self.refused(db, [os.path.join(folded, 'inferno_flamegraph_base_flames.txt'), austin],
                         'corpus: folded in samples + Austin in microseconds')
        pst = os.path.join(self.corpus, 'pstats', 'memtrail.pstats')
        if os.path.exists(pst):
            self.refused(db, [pst, os.path.join(folded, 'simple.txt')], 'corpus: cProfile (memtrail.pstats) + folded')


def main():
    if len(sys.argv) < 2:
        raise SystemExit(__doc__)
    profview = os.path.abspath(sys.argv[1])
    corpus = os.path.abspath(sys.argv[2]) if len(sys.argv) > 2 else \
        os.path.abspath(os.path.join(TESTS, '..', '..', 'shared', 'corpus'))
    s = Suite(profview, corpus)
    try:
        works, rc, msg = s.command_works('merge')
        if not s.c.ok(works, '`profview merge --help` works', 'exit %d: %s' % (rc, msg)):
            return s.c.done()
        db, ids, groups = s.cprofile_cases()
        s.cprofile_store(db, ids, groups)
        s.sampled()
        s.corpus_part()
    finally:
        s.sb.close()
    return s.c.done()


if __name__ == '__main__':
    sys.exit(main())

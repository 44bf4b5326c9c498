#!/usr/bin/env python3
"""profview filter (docs/profview-filter.md) against independent references.

usage: test_filter.py PROFVIEW

Sampled data (exact): for folded inputs the expected stacks of --focus,
--ignore, --root, --hide, --prune-below and their combinations are computed
here from the input's stacks (model below, applied in the doc's fixed order
whatever the command-line order; regexes searched with Python's re in the
display name `name (file:line)`, or `name` for a frame without a file) and
compared, as multisets of stacks, with `profview filter F ... --save NAME`
then `profview export NAME --to folded`.  A case whose result the doc leaves
open is skipped, saying why (a stack whose frames are all hidden; a
--prune-below result that depends on whether PCT is of the input's total or of
the filtered total; a node total equal to the threshold up to rounding).

cProfile data (exact): --hide and --prune-below on a real .prof keep every
other function with its numbers as pstats has them (sort --format json rows,
entry order), and callers/callees print what pstats prints for the stats dict
with those functions and every edge touching them removed.

cProfile data (estimates): --focus/--ignore/--root give a sampled profile in
seconds, format `estimate`, with a note on stderr; sanity checks, and the
focus is checked on the estimated tree that `export --to folded` writes.

Bad input: usage errors exit 2, an invalid regex exits 2 or 1 with one
`error:` line; nothing is stored.

Prints "filter: N passed, M failed, K skipped"; exits 1 on any failure.
"""
import io
import json
import math
import os
import pstats
import re
import shutil
import sys

sys.dont_write_bytecode = True
HERE = os.path.dirname(os.path.abspath(__file__))
TESTS = os.path.dirname(HERE)
sys.path.insert(0, os.path.join(TESTS, 'merge'))
from pvtest import (EPOCH, Checks, Sandbox, add_stack, close, cmdline, diff_stacks, error_line,  # noqa: E402
                    fmt_stacks, parse_export, read_folded, single_id, text)

APP = os.path.join(HERE, 'fixtures', 'app.folded')
PY_SAMPLED = os.path.join(TESTS, 'sampled', 'fixtures', 'py_sampled.folded')
EVENTED_MS = os.path.join(TESTS, 'merge', 'fixtures', 'evented_ms.speedscope.json')
PROF = os.path.join(TESTS, 'golden', 'fixtures', 'py311-cprofile.prof')
W_TEXT = os.path.join(TESTS, 'merge', 'fixtures', 'w_text.prof')


# ------------------------------------------------------------------ the model

class Undefined(Exception):
    """The doc does not say what the result is."""


def matches(frame, regexes):
    return any(re.search(r, frame) for r in regexes)


def op_focus(stacks, res):
    return {s: w for s, w in stacks.items() if any(matches(f, res) for f in s)}


def op_ignore(stacks, res):
    return {s: w for s, w in stacks.items() if not any(matches(f, res) for f in s)}


def op_root(stacks, r):
    out = {}
    for s, w in stacks.items():
        for i, f in enumerate(s):
            if re.search(r, f):
                add_stack(out, s[i:], w)
                break
    return out


def op_hide(stacks, res):
    out = {}
    for s, w in stacks.items():
        kept = tuple(f for f in s if not matches(f, res))
        if not kept:
            raise Undefined('every frame of %s is hidden: the doc does not say where its weight goes' % ';'.join(s))
        add_stack(out, kept, w)
    return out


def op_prune(stacks, pct, total):
    """Cut every call-tree node whose total is under PCT % of TOTAL; the cut
    subtree's weight stays with the parent as self weight. Returns (stacks,
    weight left on the root by cutting a top-level node)."""
    thr = pct / 100.0 * total
    node = {}
    for s, w in stacks.items():
        for i in range(1, len(s) + 1):
            node[s[:i]] = node.get(s[:i], 0.0) + w
    near = [p for p, v in node.items() if v != thr and close(v, thr, 1e-9)]
    if near:
        raise Undefined('node %s has a total within rounding of the threshold %r' % (';'.join(near[0]), thr))
    out = {}
    root = 0.0
    for s, w in stacks.items():
        cut = len(s)
        for i in range(1, len(s) + 1):
            if node[s[:i]] < thr:
                cut = i - 1
                break
        if cut == 0:
            root += w
        else:
            add_stack(out, s[:cut], w)
    return out, root


def model(stacks, focus=(), ignore=(), root=None, hide=(), prune=None):
    """The doc's fixed order: focus, ignore, root, hide, prune-below. Returns
    (stacks, root weight)."""
    original_total = math.fsum(stacks.values())
    if focus:
        stacks = op_focus(stacks, focus)
    if ignore:
        stacks = op_ignore(stacks, ignore)
    if root is not None:
        stacks = op_root(stacks, root)
    if hide:
        stacks = op_hide(stacks, hide)
    root_w = 0.0
    if prune is not None:
        current = math.fsum(stacks.values())
        a = op_prune(stacks, prune, current)
        if not close(current, original_total):
            b = op_prune(stacks, prune, original_total)
            if diff_stacks(a[0], b[0]) or not close(a[1], b[1]):
                raise Undefined('--prune-below %s: the result depends on whether PCT is of the input total (%r) '
                                'or of the filtered total (%r); the doc does not say' % (prune, original_total, current))
        stacks, root_w = a
    if not stacks:
        raise Undefined('nothing is left: the doc does not say whether an empty result is an error')
    return stacks, root_w


def filter_args(focus=(), ignore=(), root=None, hide=(), prune=None, order=None):
    """The command-line options; ORDER lists option names to put first (to check
    that the command-line order does not matter)."""
    parts = {'focus': [], 'ignore': [], 'root': [], 'hide': [], 'prune': []}
    for r in focus:
        parts['focus'] += ['--focus', r]
    for r in ignore:
        parts['ignore'] += ['--ignore', r]
    if root is not None:
        parts['root'] = ['--root', root]
    for r in hide:
        parts['hide'] += ['--hide', r]
    if prune is not None:
        parts['prune'] = ['--prune-below', str(prune)]
    names = list(order or []) + [k for k in ('focus', 'ignore', 'root', 'hide', 'prune') if k not in (order or [])]
    out = []
    for k in names:
        out += parts[k]
    return out


# hand-checked model results on app.folded (total 100): the model is code too
MODEL_SELF_CHECKS = [
    (dict(focus=['parse \\(']),
     {('main (app.py:1)', 'load (io.py:20)', 'parse (parse.py:7)', 'token (parse.py:30)'): 25.0,
      ('main (app.py:1)', 'load (io.py:20)', 'parse (parse.py:7)', 'expr (parse.py:50)', 'expr (parse.py:50)',
       'token (parse.py:30)'): 15.0}),
    (dict(root='expr', hide=['expr']), {('token (parse.py:30)',): 15.0}),
    (dict(focus=['main'], prune=20),
     {('main (app.py:1)', 'load (io.py:20)'): 10.0,
      ('main (app.py:1)', 'load (io.py:20)', 'parse (parse.py:7)'): 15.0,
      ('main (app.py:1)', 'load (io.py:20)', 'parse (parse.py:7)', 'token (parse.py:30)'): 25.0,
      ('main (app.py:1)', 'handle (app.py:30)'): 2.0 + 8.0 + 3.0,
      ('main (app.py:1)', 'handle (app.py:30)', 'query (db.py:12)'): 4.0,
      ('main (app.py:1)', 'handle (app.py:30)', 'query (db.py:12)', 'execute (db.py:40)'): 30.0,
      ('main (app.py:1)',): 1.0}),
]

# (label, options) on app.folded
APP_CASES = [
    ('focus a name', dict(focus=['query'])),
    ('focus the name parse only (not the file parse.py)', dict(focus=['parse \\('])),
    ('focus a file', dict(focus=['\\(parse\\.py:'])),
    ('focus a whole display name', dict(focus=['^token \\(parse\\.py:30\\)$'])),
    ('focus repeated: any', dict(focus=['^log ', 'render'])),
    ('ignore a file', dict(ignore=['logging\\.py'])),
    ('ignore a frame without a file by its bare name', dict(ignore=['^write$'])),
    ('ignore repeated: any', dict(ignore=['io\\.py', '^gc$'])),
    ('root', dict(root='^handle ')),
    ('root at the outermost of a recursion', dict(root='expr')),
    ('root on name or file', dict(root='parse')),
    ('hide a file', dict(hide=['\\(io\\.py'])),
    ('hide a recursive function', dict(hide=['^expr '])),
    ('hide a middle frame', dict(hide=['handle \\(app'])),
    ('hide repeated: any', dict(hide=['^query ', '^render '])),
    ('prune-below (top-level gc goes to the root)', dict(prune=5)),
    ('prune-below with a fraction of a percent', dict(prune=2.5)),
    ('prune-below 0 cuts nothing', dict(prune=0)),
    ('focus then prune-below', dict(focus=['main'], prune=5)),
    ('focus then prune-below 20', dict(focus=['main'], prune=20)),
    ('all five', dict(focus=['main'], ignore=['logging'], root='handle|load', hide=['query'], prune=10)),
    ('root + hide + prune', dict(root='parse \\(', hide=['expr'], prune=20)),
    # the command-line order must not matter: these differ from the given order
    ('order: --hide before --root on the command line', dict(root='load', hide=['load'], order=['hide'])),
    ('order: --hide before --focus', dict(focus=['query'], hide=['query'], order=['hide'])),
    ('order: --root before --ignore', dict(ignore=['query'], root='execute|token', order=['root'])),
    # hiding query joins its small log subtree (4) with handle's (3): 7 stays above 5 %
    ('order: --prune-below before --hide', dict(hide=['^query '], prune=5, order=['prune'])),
]

PY_SAMPLED_CASES = [
    ('focus fib', dict(focus=['^fib '])),
    ('ignore json', dict(ignore=['json'])),
    ('root expr', dict(root='^expr ')),
    ('hide threading and runpy', dict(hide=['threading\\.py|runpy'])),
    ('prune-below 1', dict(prune=1)),
    ('prune-below 0.25', dict(prune=0.25)),
    ('focus workload, hide <...>, prune-below 2', dict(focus=['workload'], hide=['^<'], prune=2)),
    ('ignore + root + hide', dict(ignore=['sort'], root='^main ', hide=['^run_for '])),
]


class Suite:
    def __init__(self, profview):
        self.c = Checks('filter')
        self.sb = Sandbox(profview, 'pv-filter-')
        self.db = self.sb.path('store.db')
        self.n = 0

    def run(self, argv, cwd=None, db=None):
        return self.sb.run(db or self.db, argv, cwd=cwd)

    def listing(self, db=None):
        rc, out, err = self.run(['list', '--format', 'json'], db=db)
        if rc != 0:
            return None
        try:
            return json.loads(out.decode('utf-8'))
        except ValueError:
            return None

    def entry(self, pid):
        for e in self.listing() or []:
            if e.get('id') == pid:
                return e
        return None

    def save(self, src, args, what, db=None, cwd=None):
        """filter SRC ARGS --save NAME: (id, stderr) or (None, None)."""
        self.n += 1
        name = 'f%03d' % self.n
        argv = ['filter', src] + list(args) + ['--save', name]
        rc, out, err = self.run(argv, db=db, cwd=cwd)
        pid = single_id(out)
        if not self.c.ok(rc == 0 and pid is not None, '%s: `%s` exits 0 and prints one id'
                         % (what, cmdline(db or self.db, argv)),
                         'exit %d\nstdout %r\nstderr %r' % (rc, text(out)[:300], text(err)[:600])):
            return None, None, name
        return pid, err, name

    def exported(self, pid, what, db=None):
        argv = ['export', str(pid), '--to', 'folded']
        rc, out, err = self.run(argv, db=db)
        if not self.c.ok(rc == 0, '%s: `%s` exits 0' % (what, cmdline(db or self.db, argv)), text(err)[:500]):
            return None
        got, bad, root = parse_export(out)
        self.c.ok(not bad, '%s: every exported line is `stack COUNT`' % what, bad[:5])
        return got

    def sort_json(self, prof, what, extra=(), db=None, cwd=None):
        argv = ['sort', str(prof), '--format', 'json'] + list(extra)
        rc, out, err = self.run(argv, db=db, cwd=cwd)
        if not self.c.ok(rc == 0, '%s: `%s` exits 0' % (what, cmdline(db or self.db, argv)), text(err)[:500]):
            return None
        try:
            return json.loads(out.decode('utf-8', 'surrogateescape'))
        except ValueError as e:
            self.c.ok(False, '%s: sort --format json is JSON' % what, str(e))
            return None

    # ------------------------------------------------------------ sampled, exact

    def model_self_check(self):
        stacks = read_folded(APP)
        self.c.eq(math.fsum(stacks.values()), 100.0, 'app.folded weighs 100 samples')
        for opts, want in MODEL_SELF_CHECKS:
            got, root = model(stacks, **opts)
            self.c.ok(not diff_stacks(got, want) and root == 0, 'the model itself: %r worked out by hand' % opts,
                      '\n'.join(diff_stacks(got, want)))

    def sampled_cases(self, path, cases, label):
        stacks = read_folded(path)
        total = math.fsum(stacks.values())
        for what, opts in cases:
            what = '%s: %s' % (label, what)
            mopts = {k: v for k, v in opts.items() if k != 'order'}
            try:
                want, root_w = model(stacks, **mopts)
            except Undefined as e:
                self.c.skip('%s: %s' % (what, e))
                continue
            pid, err, name = self.save(path, filter_args(**opts), what)
            if pid is None:
                continue
            got = self.exported(pid, what)
            if got is None:
                continue
            self.c.ok(not diff_stacks(got, want), '%s: `profview export %s --to folded` gives the model\'s stacks'
                      % (what, name),
                      '\n'.join(diff_stacks(got, want)) + '\nwant:\n' + fmt_stacks(want) + '\ngot:\n' + fmt_stacks(got))
            d = self.sort_json(name, what)
            if d:
                want_total = math.fsum(want.values()) + root_w
                self.c.ok(close(d.get('total_weight', float('nan')), want_total),
                          '%s: total_weight %r (%s)' % (what, want_total,
                                                        'unchanged by --prune-below' if root_w else 'sum of the stacks'),
                          'got %r' % d.get('total_weight'))
                self.c.eq(d['profile'].get('kind'), 'sampled', '%s: the result is sampled' % what)
                self.c.eq(d['profile'].get('name'), name, '%s: --save names the result' % what)
                self.c.eq(d['profile'].get('format'), 'filter', '%s: stored with format "filter"' % what)
            if label == 'app.folded':
                # the doc: saving the same filter again finds the stored one
                argv = ['filter', path] + filter_args(**opts) + ['--save', name]
                n = len(self.listing() or [])
                rc, out, err = self.run(argv)
                self.c.ok(rc == 0 and single_id(out) == pid and len(self.listing() or []) == n,
                          '%s: saving the same filter again (`%s`) finds the stored one' % (what, cmdline(self.db, argv)),
                          'exit %d stdout %r stderr %r (first id %d)' % (rc, text(out), text(err), pid))
        return total

    def without_save(self):
        c = self.c
        rc, out, err = self.run(['import', APP])
        app_id = single_id(out)
        before = self.listing()
        argv = ['filter', APP, '--focus', 'query']
        rc, out, err = self.run(argv)
        c.ok(rc == 0 and b'query (db.py:12)' in out and b'execute (db.py:40)' in out and b'read (io.py:40)' not in out,
             '`%s` prints a sort table of the focused profile' % cmdline(self.db, argv),
             'exit %d\n%s\n%s' % (rc, text(out)[:1500], text(err)[:300]))
        lines = text(out).splitlines()
        heading = [i for i, l in enumerate(lines) if l.split()[:2] == ['self', 'self%']]
        c.ok(heading, 'filter without --save prints the sampled table heading (self self% sum% total total% '
             'function)', text(out)[:800])
        rc, out2, err2 = self.run(['filter', APP, '--focus', 'query', '--format', 'json'])
        after = self.listing()
        c.ok(before is not None and after == before,
             'filter without --save stores nothing (`list` is unchanged)',
             'before %r\nafter %r' % ([e['id'] for e in before or []], [e['id'] for e in after or []]))
        # the printed table is the saved profile's table
        pid, _, name = self.save(APP, ['--focus', 'query'], 'filter --focus query')
        if pid is None:
            return
        saved = self.sort_json(name, 'filter --focus query, saved')
        try:
            printed = json.loads(out2.decode('utf-8'))
        except ValueError:
            printed = None
        key = lambda f: (f['display'], f['self'], f['total'], f['samples'], f['self_samples'])  # noqa: E731
        c.ok(rc == 0 and printed and saved and [key(f) for f in printed['functions']] ==
             [key(f) for f in saved['functions']],
             'filter --format json without --save lists the functions `sort` lists for the saved result',
             'exit %d %s' % (rc, text(err2)[:300]))
        rc, out3, err3 = self.run(['filter', APP, '--focus', 'query', '--by', 'total', '--limit', '3'])
        rc4, out4, err4 = self.run(['sort', name, '--by', 'total', '--limit', '3'])

        def rows(b):
            ls = text(b).splitlines()
            h = [i for i, l in enumerate(ls) if l.split()[:2] == ['self', 'self%']]
            return ls[h[0]:] if h else None
        c.ok(rc == 0 and rc4 == 0 and rows(out3) is not None and rows(out3) == rows(out4),
             'filter --by total --limit 3 prints the rows `sort NAME --by total --limit 3` prints',
             'filter:\n%s\nsort:\n%s' % (text(out3)[-600:], text(out4)[-600:]))
        e = self.entry(pid)
        # the same result saved before under another name keeps that name too (a
        # profile may have several)
        c.ok(e is not None and name in (e.get('names') or []) and e.get('kind') == 'sampled' and
             e.get('unit') == 'samples', 'the saved filter result is listed with its name, kind sampled, unit samples',
             e)
        c.ok(app_id is not None and pid != app_id, 'the saved result is a new profile, not the input')

    def evented(self):
        if not os.path.exists(EVENTED_MS):
            self.c.skip('tests/merge/fixtures/evented_ms.speedscope.json absent')
            return
        # a named stored profile as PROFILE, by its name and by its id
        rc, out, err = self.run(['import', EVENTED_MS, '--name', 'ev'])
        ev_id = single_id(out)
        self.c.ok(rc == 0 and ev_id is not None, 'import evented_ms.speedscope.json --name ev', text(err))
        for src in ('ev', str(ev_id), EVENTED_MS):
            what = 'evented ms given as %s: --hide work' % src
            pid, err, name = self.save(src, ['--hide', '^work '], what)
            if pid is None:
                continue
            got = self.exported(pid, what)
            if got is not None:
                want = {('main (app.py:1)',): 8.0}
                self.c.ok(not diff_stacks(got, want), '%s: main keeps all 8 ms' % what,
                          '\n'.join(diff_stacks(got, want)))
            e = self.entry(pid)
            self.c.ok(e is not None and e.get('unit') == 'milliseconds', '%s: the result keeps its unit' % what, e)
            ev = self.entry(ev_id)
            self.c.ok(ev is not None and ev.get('name') == 'ev', '%s: the input keeps its name' % what, ev)

    # ------------------------------------------------------------ cProfile, exact

    def cprofile_exact(self):
        c = self.c
        wd = self.sb.path('cp')
        os.makedirs(wd)
        for src in (PROF, W_TEXT):
            dst = os.path.join(wd, os.path.basename(src))
            shutil.copyfile(src, dst)
            os.utime(dst, (EPOCH, EPOCH))
        # a stored merge (cProfile data) as the input: the reference is Stats(A, B)
        rc, out, err = self.run(['merge', 'w_text.prof', 'py311-cprofile.prof', '--name', 'wm'], cwd=wd)
        c.ok(rc == 0 and single_id(out) is not None, 'merge w_text.prof py311-cprofile.prof --name wm (an input)',
             text(err))
        cases = [
            ('wm', dict(hide=['^<frozen|\\{built-in|re/'])),
            ('wm', dict(prune=3)),
            ('py311-cprofile.prof', dict(hide=['^<frozen|\\{built-in'])),
            ('py311-cprofile.prof', dict(hide=['\\(fib\\)', 'workload\\.py:2\\d\\d\\('])),
            ('py311-cprofile.prof', dict(prune=1)),
            ('py311-cprofile.prof', dict(prune=0.05)),
            ('py311-cprofile.prof', dict(hide=['re/_'], prune=2)),
            ('w_text.prof', dict(hide=['^/'])),
            ('w_text.prof', dict(prune=10)),
        ]
        have = {cmd: self.run([cmd, '--help'])[0] == 0 for cmd in ('callers', 'callees')}
        for cmd, ok in have.items():
            c.ok(ok, '`profview %s --help` works (the doc: callers/callees of a hidden/pruned cProfile result)' % cmd)
        for fname, opts in cases:
            what = 'cProfile %s %s' % (fname, ' '.join(filter_args(**opts)))
            if fname == 'wm':
                st = pstats.Stats(os.path.join(wd, 'w_text.prof'), os.path.join(wd, 'py311-cprofile.prof'),
                                  stream=io.StringIO())
            else:
                st = pstats.Stats(os.path.join(wd, fname), stream=io.StringIO())
            total = st.total_tt
            removed = set()
            near = False
            for func, (cc, nc, tt, ct, callers) in st.stats.items():
                if any(re.search(r, pstats.func_std_string(func)) for r in opts.get('hide', ())):
                    removed.add(func)
                elif 'prune' in opts:
                    thr = opts['prune'] / 100.0 * total
                    if ct != thr and close(ct, thr, 1e-9):
                        near = True
                    if ct < thr:
                        removed.add(func)
            if near:
                c.skip('%s: a cumtime is at the threshold up to rounding' % what)
                continue
            c.ok(0 < len(removed) < len(st.stats), '%s: the case removes some functions and keeps some (test design)'
                 % what, '%d of %d' % (len(removed), len(st.stats)))
            pid, err, name = self.save(fname, filter_args(**opts), what, cwd=wd)
            if pid is None:
                continue
            d = self.sort_json(name, what)
            if d:
                want = [(f[0], f[1], f[2], v[1], v[0], v[2], v[3]) for f, v in st.stats.items() if f not in removed]
                got = [(f.get('file'), f.get('line'), f.get('name'), f.get('calls'), f.get('primitive_calls'),
                        f.get('tottime'), f.get('cumtime')) for f in d['functions']]
                missing = [w for w in want if w not in got]
                extra = [g for g in got if g not in want]
                c.ok(got == want, '%s: sort --format json lists the kept functions in entry order with pstats\' '
                     'numbers unchanged' % what,
                     '%d rows, want %d\nmissing %r\nextra %r' % (len(got), len(want), missing[:3], extra[:3]))
                e = self.entry(pid)
                c.ok(e is not None and e.get('kind') == 'calls', '%s: the result is cProfile data (kind calls)' % what, e)
                c.ok(e is not None and e.get('format') == 'filter', '%s: stored with format "filter"' % what, e)
                # the doc: the header keeps the run's totals
                rc1, t1, _ = self.run(['sort', name, '--limit', '1'])
                rc2, t2, _ = self.run(['sort', fname, '--limit', '1'], cwd=wd)
                tot = lambda b: [l for l in b.split(b'\n') if b'function calls' in l]  # noqa: E731
                c.ok(rc1 == 0 and rc2 == 0 and tot(t1) and tot(t1) == tot(t2),
                     '%s: `sort %s` keeps the run\'s totals line (docs/profview-filter.md)' % (what, name),
                     'result %r\noriginal %r' % (tot(t1), tot(t2)))
            # callers / callees against pstats with the functions and their edges removed
            kept = {}
            for f, (cc, nc, tt, ct, callers) in st.stats.items():
                if f not in removed:
                    kept[f] = (cc, nc, tt, ct, {k: v for k, v in callers.items() if k not in removed})
            for cmd, args in (('callers', ['--by', 'cumulative', '--limit', '15']),
                              ('callees', ['--by', 'tottime', '--limit', '15']),
                              ('callers', []), ('callees', ['--by', 'name'])):
                if not have[cmd]:
                    c.skip('%s: no %s command' % (what, cmd))
                    continue
                want = pstats_calls(kept, cmd, args)
                argv = [cmd, name] + args
                rc, out, err = self.run(argv)
                c.ok(rc == 0 and out == want, '%s: `%s` prints what pstats prints without the removed functions '
                     'and their edges' % (what, cmdline(self.db, argv)),
                     'exit %d %s\n%s' % (rc, text(err)[:300], first_diff(out, want)))
            # the table printed without --save: the rows as pstats prints them
            argv = ['filter', fname] + filter_args(**opts) + ['--by', 'cumulative', '--limit', '12']
            rc, out, err = self.run(argv, cwd=wd)
            want = pstats_calls(kept, 'sort', ['--by', 'cumulative', '--limit', '12'])
            c.ok(rc == 0 and table_rows(out) == table_rows(want) and table_rows(want),
                 '%s: `%s` prints pstats\' rows for the result' % (what, cmdline(self.db, argv)),
                 'exit %d %s\n%s' % (rc, text(err)[:300], first_diff(table_rows(out) or b'', table_rows(want) or b'')))

    # ------------------------------------------------------------ cProfile, estimates

    def cprofile_estimates(self):
        c = self.c
        wd = self.sb.path('cp')
        orig = self.sort_json('py311-cprofile.prof', 'the original .prof', cwd=wd) if os.path.isdir(wd) else None
        rc, out, err = self.run(['export', os.path.join(wd, 'py311-cprofile.prof'), '--to', 'folded'])
        tree, _, _ = parse_export(out) if rc == 0 else ({}, [], 0)
        for opts in (dict(focus=['fib']), dict(ignore=['json|difflib']), dict(root='(^|\\()main\\b'),
                     dict(focus=['fib'], hide=['^<built-in|\\{built-in'])):
            what = 'cProfile estimate %s' % ' '.join(filter_args(**opts))
            pid, err, name = self.save('py311-cprofile.prof', filter_args(**opts), what, cwd=wd)
            if pid is None:
                continue
            c.ok(b'note' in err.lower() and b'estimat' in err.lower(), '%s: a note on stderr says the numbers are '
                 'estimates' % what, text(err))
            e = self.entry(pid)
            c.ok(e is not None and e.get('kind') == 'sampled' and e.get('format') == 'estimate'
                 and e.get('unit') == 'seconds', '%s: `list` says sampled, format estimate, unit seconds' % what, e)
            rc, out, err2 = self.run(['show', name, '--format', 'json'])
            try:
                sh = json.loads(out.decode('utf-8', 'surrogateescape'))['profile']
            except (ValueError, KeyError, TypeError):
                sh = None
            c.ok(rc == 0 and sh is not None and sh.get('format') == 'estimate' and sh.get('kind') == 'sampled',
                 '%s: `show --format json` says sampled, format estimate' % what, 'exit %d %r' % (rc, sh))
            d = self.sort_json(name, what)
            if d and orig:
                c.ok(d['total_weight'] <= orig['total_time'] * (1 + 1e-9),
                     '%s: total %r <= the original total time %r' % (what, d['total_weight'], orig['total_time']))
                if 'focus' in opts:
                    hit = [f for f in d['functions'] if re.search(opts['focus'][0], f['display']) and f['total'] > 0]
                    c.ok(hit, '%s: the focused function is in the result' % what)
                    if tree and 'hide' not in opts:
                        # the doc: --focus works on the tree `export --to folded` writes
                        want = op_focus(tree, opts['focus'])
                        got = self.exported(pid, what)
                        if got is not None:
                            diff = diff_stacks(got, want, rel=1e-6)
                            c.ok(not diff, '%s: the stacks are those of the estimated tree (`export --to folded` of '
                                 'the .prof) that have a frame matching %r' % (what, opts['focus'][0]),
                                 '\n'.join(diff))

    # ------------------------------------------------------------ bad input

    def bad_input(self):
        c = self.c
        before = self.listing()
        for args, codes, what in (
                (['--bogus'], (2,), 'an unknown option'),
                (['--focus'], (2,), '--focus without its REGEX'),
                (['--prune-below', '-1'], (2,), '--prune-below -1'),
                (['--prune-below', '150'], (2,), '--prune-below 150'),
                (['--prune-below', 'abc'], (2,), '--prune-below abc'),
                (['--focus', '('], (1, 2), 'an invalid --focus regex'),
                (['--hide', '[a-'], (1, 2), 'an invalid --hide regex'),
                (['--root', '*x'], (1, 2), 'an invalid --root regex'),
                (['--focus', '(', '--save', 'bad'], (1, 2), 'an invalid regex with --save'),
                (['--format', 'yaml'], (2,), 'an unknown --format')):
            argv = ['filter', APP] + args
            rc, out, err = self.run(argv)
            c.ok(rc in codes and error_line(err) if codes != (2,) else rc == 2,
                 '`%s` (%s) exits %s%s' % (cmdline(self.db, argv), what, ' or '.join(map(str, codes)),
                                           ' with one error: line' if codes != (2,) else ''),
                 'exit %d stdout %r stderr %r' % (rc, text(out)[:200], text(err)[:400]))
        after = self.listing()
        c.ok(after == before, 'refused filters store nothing',
             '%r -> %r' % ([e['id'] for e in before or []], [e['id'] for e in after or []]))


def pstats_calls(stats, cmd, args):
    """What pstats prints (print_stats/print_callers/print_callees) for a Stats
    holding STATS; ARGS: --by KEYS, --limit N."""
    out = io.StringIO(newline='\n')
    st = pstats.Stats(stream=out)
    st.stats = stats
    st.get_top_level_stats()
    if '--by' in args:
        st.sort_stats(*args[args.index('--by') + 1].split(','))
    restr = [int(args[args.index('--limit') + 1])] if '--limit' in args else []
    {'sort': st.print_stats, 'callers': st.print_callers, 'callees': st.print_callees}[cmd](*restr)
    return out.getvalue().encode('utf-8', 'surrogateescape')


def table_rows(b):
    """The function rows of a pstats table: what follows the column heading."""
    ls = b.split(b'\n')
    for i, l in enumerate(ls):
        if l.lstrip().startswith(b'ncalls  tottime  percall  cumtime  percall'):
            return b'\n'.join(ls[i:])
    return None


def first_diff(got, want):
    gl, wl = got.split(b'\n'), want.split(b'\n')
    for i in range(max(len(gl), len(wl))):
        g = gl[i] if i < len(gl) else b'<missing>'
        w = wl[i] if i < len(wl) else b'<missing>'
        if g != w:
            return 'line %d\n  profview: %r\n  pstats:   %r' % (i + 1, g, w)
    return 'identical?'


def main():
    if len(sys.argv) < 2:
        raise SystemExit(__doc__)
    s = Suite(os.path.abspath(sys.argv[1]))
    try:
        s.model_self_check()
        rc, out, err = s.run(['filter', '--help'])
        if not s.c.ok(rc == 0, '`profview filter --help` works', 'exit %d: %s' % (rc, text(out + err)[:300])):
            return s.c.done()
        s.sampled_cases(APP, APP_CASES, 'app.folded')
        if os.path.exists(PY_SAMPLED):
            s.sampled_cases(PY_SAMPLED, PY_SAMPLED_CASES, 'py_sampled.folded')
        else:
            s.c.skip('tests/sampled/fixtures/py_sampled.folded absent')
        s.without_save()
        s.evented()
        s.cprofile_exact()
        s.cprofile_estimates()
        s.bad_input()
    finally:
        s.sb.close()
    return s.c.done()


if __name__ == '__main__':
    sys.exit(main())

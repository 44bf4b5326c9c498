#!/usr/bin/env python3
"""Austin files: every format the real Debian austin 1.0.1 writes (fixtures/austin1-*,
made by make_fixtures.sh) and hand-written samples of Austin 2's and 3's documented
formats (fixtures/austin2*, austin3*; README.md says which document each follows),
imported by profview and checked against what this file's own parser of Austin's
documented format finds in the raw file: per thread, every function's (file, line,
name) self and total weight and sample counts, the total weight and samples, the unit
and the thread's name. Also import --unit for plain folded stacks (shown in sort's
header, show, list and the JSON), and the options' refusals (exit 2 for an unknown
unit or metric; exit 1, one error line and the store unchanged when an option does
not fit the file).

usage: test_austin.py PROFVIEW TESTS_DIR

Prints "N passed, N failed"; exits non-zero on any failure.
"""
import json
import math
import os
import re
import sys

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'cli'))
from cli_common import Checks, Sandbox, args  # noqa: E402

# ---------------------------------------------------------------- Austin's format
#
# Austin 1.x README (Usage, "Normal mode", "Memory and Full modes"):
#   [Process <pid>;]?Thread <tid>[;[frame]]* [metric]*
#   frame: <func> (<mod>);L<line>   with -a: <func> (<mod>:<line>)
#   metric: usec; -m: KB (Austin's source: mem_delta >> 10); -f: usec +KB -KB
# Austin 2.x README: P<pid>;T<tid>[;[frame]]* [metric]*, the same frames, memory
#   in bytes, full mode the same three values.
# Austin 3.x README and austin-python (stats.py Metadata, Metric.parse, Frame.parse):
#   "# key: value" metadata (austin, interval, mode), P<pid>;T<tid>[;frame]* metric
#   frame: <mod>:<func>:<line>   with -a: <mod>:<func>;L<line>
#   mode wall|cpu: usec; memory: signed bytes; full: "usec,idle,memory".

THREAD_1 = re.compile(r'^(?:Process (\d+);)?Thread ([0-9a-fA-F]+)(?=[; ]|$)')
THREAD_23 = re.compile(r'^P(\d+);T([^; ]+)(?=[; ]|$)')
COMMA3 = re.compile(r' (-?\d+),(-?\d+),(-?\d+)$')
SPACE3 = re.compile(r' (-?\d+) (-?\d+) (-?\d+)$')
ONE = re.compile(r' (-?\d+)$')
PAREN = re.compile(r'^(.*?) \((.*)\)$')
LINE_FRAME = re.compile(r'^L(\d+)$')
KIB = 1024


def parse_frames(text):
    """The frames of a sample, root first, as [file, line, name]. A frame "L<line>"
    belongs to the frame before it, as austin-python rewrites it: ");L<n>" into
    ":<n>)" (1.x, 2.x) and ";L<n>" into ":<n>" (3.x -a)."""
    text = re.sub(r'\);L([0-9]+)(?=;|$)', r':\1)', text)
    text = re.sub(r';L([0-9]+)(?=;|$)', r':\1', text)
    out = []
    for f in text.split(';'):
        m = LINE_FRAME.match(f)
        if m and out:
            out[-1][1] = int(m.group(1))
            continue
        m = PAREN.match(f)
        if m:
            name, inside = m.group(1), m.group(2)
            fm = re.match(r'^(.*):(\d+)$', inside)
            out.append([fm.group(1), int(fm.group(2)), name] if fm else [inside, 0, name])
            continue
        parts = f.rsplit(':', 2)
        if len(parts) == 3 and parts[2].isdigit():
            out.append([parts[0], int(parts[2]), parts[1]])
        else:
            out.append(['', 0, f])
    return [tuple(f) for f in out]


def read_austin(path):
    """The samples of an Austin file: (header dict, [(thread label, version,
    frames, metrics, comma)]), version 1 for 'Thread' lines, 2 for 'P;T'."""
    header, samples = {}, []
    with open(path, encoding='utf-8') as fh:
        for line in fh:
            line = line.rstrip('\n')
            if not line.strip():
                continue
            if line.startswith('#'):
                if not samples:
                    key, _, value = line[1:].strip().partition(':')
                    header[key.strip()] = value.strip()
                continue
            m = THREAD_1.match(line)
            if m:
                version, label = 1, (m.group(1) + ':' if m.group(1) else '') + m.group(2)
            else:
                m = THREAD_23.match(line)
                assert m, 'not an Austin line: %r' % line
                version, label = 2, m.group(1) + ':' + m.group(2)
            rest = line[m.end():]
            comma = False
            for rx, is_comma in ((COMMA3, True), (SPACE3, False), (ONE, False)):
                mm = rx.search(rest)
                if mm:
                    comma = is_comma
                    metrics = [int(x) for x in mm.groups()]
                    rest = rest[:mm.start()]
                    break
            else:
                raise AssertionError('no metric: %r' % line)
            frames = parse_frames(rest[1:]) if rest.startswith(';') else []
            assert not rest.strip(' ') or rest.startswith(';'), line
            samples.append((label, version, frames, metrics, comma))
    return header, samples


def weigh(header, full, version, metrics, comma, metric, unit_scale, memory):
    """A sample's weight under a metric, by the rules of the documents above; full:
    the file's samples carry three metrics (its header, or its first sample)."""
    mode = header.get('mode')
    mem_scale = KIB if version == 1 else 1
    if len(metrics) == 3:
        t, a, b = metrics
        if metric in (None, 'time'):
            return t
        if metric == 'cpu':
            assert comma
            return t if a == 0 else 0
        if comma:
            return (b if b > 0 else 0) if metric == 'alloc' else (-b if b < 0 else 0)
        return a * mem_scale if metric == 'alloc' else -b * mem_scale
    v = metrics[0]
    if full:
        # 1.x writes "Thread ..;Bad sample <usec>" with the time alone, even with -f
        return v if metric in (None, 'time') else 0
    if mode == 'memory' or memory or metric in ('alloc', 'dealloc'):
        v *= unit_scale if unit_scale else mem_scale
        return (v if v > 0 else 0) if metric in (None, 'alloc') else (-v if v < 0 else 0)
    return v * (unit_scale or 1)


def expected(path, metric=None, unit_scale=None, memory=False, merge=False):
    """Per thread label (in order of first appearance; one '*' when merged): the
    functions {(file, line, name): [self, total, samples, self_samples]}, the
    total weight and the samples that weigh something."""
    header, samples = read_austin(path)
    full = header.get('mode') == 'full' if 'mode' in header else len(samples[0][3]) == 3
    threads = {}
    for label, version, frames, metrics, comma in samples:
        w = weigh(header, full, version, metrics, comma, metric, unit_scale, memory)
        if w <= 0:
            continue
        t = threads.setdefault('*' if merge else label, {'functions': {}, 'total': 0.0, 'samples': 0})
        t['total'] += w
        t['samples'] += 1
        for k in set(frames):
            f = t['functions'].setdefault(k, [0.0, 0.0, 0, 0])
            f[1] += w
            f[2] += 1
        if frames:
            f = t['functions'][frames[-1]]
            f[0] += w
            f[3] += 1
    return header, threads


def close(a, b):
    return a == b or abs(a - b) <= 1e-9 * max(abs(a), abs(b))


# ---------------------------------------------------------------- profview side

class PV:
    def __init__(self, c, sb):
        self.c, self.sb = c, sb

    def run(self, *argv):
        rc, out, err = self.sb.run(list(argv))
        return rc, out.decode('utf-8', 'replace'), err.decode('utf-8', 'replace')

    def import_ids(self, path, *opts):
        rc, out, err = self.run('import', path, *opts)
        self.c.eq(rc, 0, 'import %s %s: exit 0' % (os.path.basename(path), ' '.join(opts)))
        return [int(x) for x in out.split()], err

    def sort_json(self, pid):
        rc, out, err = self.run('sort', str(pid), '--format', 'json')
        if rc != 0:
            self.c.ok(False, 'sort %s --format json' % pid, err)
            return None
        return json.loads(out)

    def store_state(self):
        rc, out, _ = self.run('sql', 'SELECT id, unit, total_weight, content_hash, part FROM profiles ORDER BY id')
        return out


def check_file(c, pv, path, metric=None, unit=None, unit_scale=None, memory=False, merge=False,
               want_unit='microseconds'):
    name = os.path.basename(path)
    opts = (['--metric', metric] if metric else []) + (['--unit', unit] if unit else []) + \
        (['--merge-threads'] if merge else [])
    what = '%s %s' % (name, ' '.join(opts))
    header, threads = expected(path, metric, unit_scale, memory, merge)
    ids, err = pv.import_ids(path, *opts)
    c.eq(err, '', '%s: nothing on stderr' % what)
    labels = []
    for s in read_austin(path)[1]:
        if s[0] not in labels:
            labels.append(s[0])
    if merge:
        c.eq(len(ids), 1, '%s: one profile' % what)
    else:
        # every thread, in order of appearance; one whose samples all weigh 0
        # under the metric is stored empty
        c.eq(len(ids), len(labels), '%s: a profile per thread' % what)
    got_threads = {}
    for i in ids:
        d = pv.sort_json(i)
        if d is None:
            return ids
        label = d['profile'].get('thread')
        if not merge:
            c.eq(label, labels[ids.index(i)], '%s #%d: thread name, in order' % (what, i))
        got_threads[label if not merge else '*'] = d
        c.eq(d['profile'].get('unit'), want_unit, '%s #%d: unit' % (what, i))
        c.eq(d['profile'].get('format'), 'folded', '%s #%d: format folded' % (what, i))
    if merge:
        want_thread = labels[0] if len(labels) == 1 else None
        c.eq(got_threads['*']['profile'].get('thread'), want_thread, '%s: merged thread name' % what)
    for label, want in threads.items():
        d = got_threads.get(label)
        if not c.ok(d is not None, '%s: thread %s stored' % (what, label), sorted(got_threads, key=str)):
            continue
        tw = '%s [%s]' % (what, label)
        c.ok(close(d['total_weight'], want['total']), '%s: total weight' % tw,
             'got %r want %r' % (d['total_weight'], want['total']))
        c.eq(d['total_samples'], want['samples'], '%s: samples' % tw)
        got = {(f['file'], f['line'], f['name']): f for f in d['functions']}
        wf = want['functions']
        c.eq(sorted(got), sorted(wf), '%s: functions (file, line, name)' % tw)
        bad = []
        for k, (s, t, n, sn) in wf.items():
            g = got.get(k)
            if g is None or not close(g['self'], s) or not close(g['total'], t) or g['samples'] != n or \
                    g['self_samples'] != sn:
                bad.append((k, g and (g['self'], g['total'], g['samples'], g['self_samples']), (s, t, n, sn)))
        c.ok(not bad, '%s: self, total, samples, self_samples of every function' % tw, bad[:5])
    for label, d in got_threads.items():
        if label not in threads:
            c.ok(d['total_weight'] == 0, '%s [%s]: a thread with no weight is empty' % (what, label),
                 d['total_weight'])
    return ids


def refused(c, pv, argv, want_rc, want_text, what):
    before = pv.store_state()
    rc, out, err = pv.run(*argv)
    c.eq(rc, want_rc, '%s: exit %d' % (what, want_rc))
    c.eq(out, '', '%s: nothing on stdout' % what)
    lines = err.splitlines()
    c.ok(lines and want_text in lines[0] and lines[0].startswith('error: '), '%s: says %r' % (what, want_text), err)
    if want_rc == 1:
        c.eq(len(lines), 1, '%s: one error line' % what)
    c.eq(pv.store_state(), before, '%s: store unchanged' % what)


def main():
    profview, tests_dir = args()
    fx = os.path.join(tests_dir, 'austin', 'fixtures')
    c = Checks('austin')

    def f(name):
        return os.path.join(fx, name)

    with Sandbox(profview) as sb:
        pv = PV(c, sb)
        # the real austin 1.0.1: time in microseconds, functions with their lines
        for name in ('austin1-default', 'austin1-alt', 'austin1-sleepless', 'austin1-threads'):
            check_file(c, pv, f(name + '.austin'))
        # full mode: time by default, memory (KiB in 1.x, stored as bytes) on request
        for name in ('austin1-full', 'austin1-alt-full'):
            check_file(c, pv, f(name + '.austin'))
            check_file(c, pv, f(name + '.austin'), metric='alloc', want_unit='bytes')
            check_file(c, pv, f(name + '.austin'), metric='dealloc', want_unit='bytes')
        # memory mode: one metric per line, nothing says it is memory: --metric or --unit
        for name in ('austin1-memory', 'austin1-alt-memory'):
            check_file(c, pv, f(name + '.austin'), metric='alloc', want_unit='bytes')
            check_file(c, pv, f(name + '.austin'), unit='KiB', unit_scale=KIB, memory=True, want_unit='bytes')
            check_file(c, pv, f(name + '.austin'), unit='B', unit_scale=1, memory=True, want_unit='bytes')
        # threads merged: one tree, every thread's samples
        check_file(c, pv, f('austin1-threads.austin'), merge=True)
        # Austin 2 and 3 as documented
        check_file(c, pv, f('austin2.austin'))
        for m in (None, 'alloc', 'dealloc'):
            check_file(c, pv, f('austin2-alt-full.austin'), metric=m,
                       want_unit='bytes' if m else 'microseconds')
        check_file(c, pv, f('austin3-wall.austin'))
        check_file(c, pv, f('austin3-wall.austin'), merge=True)
        check_file(c, pv, f('austin3-cpu-alt.austin'))
        check_file(c, pv, f('austin3-memory.austin'), want_unit='bytes')
        check_file(c, pv, f('austin3-memory.austin'), metric='dealloc', want_unit='bytes')
        for m in (None, 'cpu', 'alloc', 'dealloc'):
            check_file(c, pv, f('austin3-full.austin'), metric=m,
                       want_unit='bytes' if m in ('alloc', 'dealloc') else 'microseconds')

        # the producer from the header, or the format's version
        for name, want in (('austin3-wall', 'austin 3.4.1'), ('austin1-default', 'austin (1.x format)'),
                           ('austin2', 'austin (2.x format)')):
            ids, _ = pv.import_ids(f(name + '.austin'))
            rc, out, _ = pv.run('show', str(ids[0]), '--format', 'json')
            c.eq(rc == 0 and json.loads(out)['profile'].get('producer'), want, '%s: producer' % name)

        # the 1.x default and -a layouts give the same functions for the same frames
        _, alt = read_austin(f('austin1-alt.austin'))
        c.ok(all(fr[1] > 0 for s in alt for fr in s[2] if fr[0]), 'austin1-alt: every frame has a line')
        _, dflt = read_austin(f('austin1-default.austin'))
        c.ok(not any(fr[2].startswith('L') and fr[2][1:].isdigit() for s in dflt for fr in s[2]),
             'austin1-default: no "L<line>" function left (the test parser)')
        ids, _ = pv.import_ids(f('austin1-default.austin'))
        d = pv.sort_json(ids[0])
        c.ok(d and not any(re.match(r'^L\d+$', x['name']) for x in d['functions']),
             'austin1-default: no function named L<line>')

        # another reading of the same file is another profile, found again by its options
        a1, _ = pv.import_ids(f('austin1-full.austin'))
        b1, _ = pv.import_ids(f('austin1-full.austin'), '--metric', 'alloc')
        a2, _ = pv.import_ids(f('austin1-full.austin'))
        b2, _ = pv.import_ids(f('austin1-full.austin'), '--metric', 'alloc')
        c.ok(a1 == a2 and b1 == b2 and not set(a1) & set(b1), 'another metric, other ids; the same, the same ids',
             (a1, b1, a2, b2))

        # options that do not fit the file: exit 1, one line, store unchanged
        refused(c, pv, ['import', f('austin1-full.austin'), '--metric', 'cpu'], 1, 'no idle flag',
                '1.x full --metric cpu')
        refused(c, pv, ['import', f('austin3-wall.austin'), '--unit', 'ns'], 1, "--unit does not apply",
                '3.x --unit')
        refused(c, pv, ['import', f('austin3-memory.austin'), '--metric', 'time'], 1, "--metric time does not apply",
                '3.x memory --metric time')
        refused(c, pv, ['import', f('austin1-full.austin'), '--unit', 'KiB'], 1, "--unit does not apply",
                '1.x full --unit')
        golden = os.path.join(tests_dir, 'golden', 'fixtures')
        prof = sorted(x for x in os.listdir(golden) if x.endswith('.prof'))[0]
        refused(c, pv, ['import', os.path.join(golden, prof), '--unit', 'ns'], 1,
                '--unit applies to folded stacks', '.prof --unit')
        folded = os.path.join(tests_dir, 'sampled', 'fixtures', 'py_sampled.folded')
        refused(c, pv, ['import', folded, '--metric', 'alloc'], 1, '--metric applies to Austin files',
                'plain folded --metric')
        refused(c, pv, ['import', folded, '--unit', 'parsecs'], 2, "unknown --unit 'parsecs'", 'unknown unit')
        refused(c, pv, ['import', folded, '--metric', 'heat'], 2, "unknown --metric 'heat'", 'unknown metric')

        # --unit for plain folded stacks: stored, shown everywhere; a line is a sample
        lines = [ln.rstrip('\n') for ln in open(folded, encoding='utf-8') if ln.strip() and not ln.startswith('#')]
        total = sum(float(ln.rsplit(' ', 1)[1]) for ln in lines)
        for unit, canon, scale, short in (('ns', 'nanoseconds', 1, 'nanoseconds'), ('KiB', 'bytes', 1024, 'bytes')):
            ids, err = pv.import_ids(folded, '--unit', unit)
            d = pv.sort_json(ids[0])
            c.eq(d['profile']['unit'], canon, 'folded --unit %s: sort json unit' % unit)
            c.ok(close(d['total_weight'], total * scale), 'folded --unit %s: total in the unit' % unit,
                 (d['total_weight'], total * scale))
            c.eq(d['total_samples'], len(lines), 'folded --unit %s: one sample per line' % unit)
            rc, out, _ = pv.run('sort', str(ids[0]), '--limit', '3')
            head = [ln for ln in out.splitlines()[:5] if ' samples, ' in ln]
            c.ok(rc == 0 and head and re.search(r'\(%s\), \d+ functions' % short, head[0]),
                 'folded --unit %s: sort header' % unit, out[:400])
            rc, out, _ = pv.run('show', str(ids[0]))
            c.ok(rc == 0 and 'unit %s' % canon in out, 'folded --unit %s: show' % unit, out[:400])
            rc, out, _ = pv.run('list', '--format', 'json')
            rows = [r for r in json.loads(out) if r.get('id') == ids[0]] if rc == 0 else []
            c.ok(rows and rows[0].get('unit') == canon, 'folded --unit %s: list json' % unit, rows)
            rc, out, _ = pv.run('list')
            row = [ln for ln in out.splitlines() if ln.split()[:1] == [str(ids[0])]]
            c.ok(row and canon in row[0], 'folded --unit %s: list' % unit, row)
        ids0, _ = pv.import_ids(folded)
        c.eq(pv.sort_json(ids0[0])['profile']['unit'], 'samples', 'folded without --unit: samples')
    return c.done()


if __name__ == '__main__':
    sys.exit(main())

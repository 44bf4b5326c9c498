#!/usr/bin/env python3
"""profview export --to folded / --to speedscope, for every source kind the repo has
fixtures for, checked against the consumers' own rules and independent references.

    python3 test_export_units.py PROFVIEW TESTS_DIR SHARED_DIR --group GROUP

Sources: cProfile and `profile` files of Python 2.7 and 3.6-3.13 (tests/golden),
a cProfile run whose estimated tree the bound cuts (tests/estimate/layers.py),
the sampled fixtures (folded, speedscope sampled and evented in ns), this folder's
fixtures (speedscope in bytes; evented in fractional microseconds) and, when
SHARED_DIR/corpus exists, the real folded and speedscope corpus.

Groups (each prints "N passed, N failed"; exit 77 = SKIP when nothing could run):
  folded      every line matches flamegraph.pl's input rule (and is not read as a
              differential line) and speedscope's folded rule `^(.*) (\\d+)$`
              (src/import/bg-flamegraph.ts; integers only); the file is one that
              speedscope's text sniffing takes as folded; the default unit per
              source; conservation per function against the same profile's
              `export --to speedscope` (full precision) and, where the fixtures
              give one, the independent reference (expected.json, corpus facts)
  flamegraph  the real SHARED_DIR/ref/flamegraph.pl ignores no line and its
              total equals the sum of the lines (SKIP without SHARED_DIR)
  units       --unit choices and refusals (exit 2, one error line)
  speedscope  `export --to speedscope`: strict JSON, the right unit, weights
              speedscope loads (positive, finite), endValue = their sum, and
              per-function self weights against the independent references
  pstats      cProfile/`profile` sources against pstats' own tottime, read by
              the fixture's own Python ($(pyenv root)/versions/X): per function,
              the speedscope weights (full precision) and the folded counts
              (within half a microsecond), and the tree's total within 0.5 % of
              total_tt. EXPECTED TO FAIL until the conserving estimated tree
              (analysis/tree_estimate.c, issue 13 items 1-2) lands: meson
              registers it with should_fail; remove that to turn it on.
"""
import argparse
import glob
import json
import math
import os
import re
import shutil
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(os.path.dirname(HERE), 'merge'))
import pvtest  # noqa: E402

# flamegraph.pl's parse (stackcollapse output -> SVG), applied to every line
FLAMEGRAPH_RE = re.compile(rb'^(.*)\s+?(\d+(?:\.\d*)?)$', re.S)
# speedscope src/import/bg-flamegraph.ts: /^(.*) (\d+)$/ on each line; JS '.' stops at
# line terminators, so a line must not hold \r, U+2028 or U+2029 either
SPEEDSCOPE_RE = re.compile(rb'^([^\r\n]*) (\d+)$')
JS_LINE_BREAKS = (b'\r', '\u2028'.encode(), '\u2029'.encode())
# speedscope tries "perf script" text before folded: an event header line with a time
PERF_HEAD_RE = re.compile(rb'^(\S.+?)\s+(\d+)(?:/?(\d+))?\s+')
PERF_TIME_RE = re.compile(rb'\s+(\d+\.\d+):\s+')
CODE_ADDR_RE = re.compile(r'(<code object .*? at )0x[0-9a-fA-F]+(, file ")')
ANNOTATION_RE = re.compile(rb'_\[[kjiw]\]$')

SECONDS = {'nanoseconds': 1e-9, 'microseconds': 1e-6, 'milliseconds': 1e-3, 'seconds': 1.0}
SHORT = {'nanoseconds': 'ns', 'microseconds': 'us', 'milliseconds': 'ms'}


class Checks(pvtest.Checks):
    """pvtest's counter, named export-GROUP; SKIP (77) when nothing could run."""

    def done(self):
        print('export-%s: %d passed, %d failed' % (self.name, self.passed, self.failed))
        sys.stdout.flush()
        if not self.passed and not self.failed:
            return 77
        return 1 if self.failed else 0


class Profview:
    """profview with its own store in a scratch folder."""

    def __init__(self, exe):
        self.exe = exe
        self.dir = tempfile.mkdtemp(prefix='pv-export-')
        self.env = dict(os.environ, HOME=self.dir, TZ='UTC')
        self.env.pop('PROFVIEW_DB', None)
        self.db = os.path.join(self.dir, 'store.db')

    def run(self, *argv):
        p = subprocess.run([self.exe, '--db', self.db] + list(argv), stdout=subprocess.PIPE,
                           stderr=subprocess.PIPE, env=self.env, cwd=self.dir, timeout=300)
        return p.returncode, p.stdout, p.stderr

    def close(self):
        shutil.rmtree(self.dir, ignore_errors=True)


# --- sources ------------------------------------------------------------------

class Source:
    """A file to export. kind: cprofile, profile, folded, sampled (speedscope),
    evented (speedscope); unit: the profile's unit as profview holds it; default:
    the folded unit export must pick; ref: {display name: self weight in unit}
    from an independent reference, or None."""

    def __init__(self, path, kind, unit, default, ref=None, idle=0.0):
        self.path, self.kind, self.unit, self.default, self.ref = path, kind, unit, default, ref
        self.idle = idle        # weight outside every frame (evented), not in folded text
        self.name = os.path.relpath(path, os.path.dirname(os.path.dirname(path)))


def whole(values):
    return all(float(v) == math.floor(v) for v in values)


def speedscope_source(path, ref=None, idle=0.0):
    """What a speedscope file's first profile should export as, from the file."""
    with open(path, 'rb') as f:
        data = f.read()
    if path.endswith('.gz'):
        import gzip
        data = gzip.decompress(data)
    prof = json.loads(data)['profiles'][0]
    sampled = prof['type'] == 'sampled'
    unit = prof['unit']
    if unit == 'none':
        unit = 'samples' if sampled else 'none'
    if unit in SECONDS:
        vals = prof['weights'] if sampled else [e['at'] for e in prof['events']]
        own = unit == 'nanoseconds' or (unit in ('microseconds', 'milliseconds') and whole(vals))
        default = unit if own else 'microseconds'
    else:
        default = unit
    return Source(path, 'sampled' if sampled else 'evented', unit, default, ref, idle)


def sources(tests, shared):
    out = []
    for p in sorted(glob.glob(os.path.join(tests, 'golden', 'fixtures', 'py*-*.prof'))):
        kind = 'profile' if p.endswith('-profile.prof') else 'cprofile'
        out.append(Source(p, kind, 'seconds', 'microseconds'))
    # a tree the estimate's bound cuts (tests/estimate/layers.py): what is written
    # with a [folded away] frame must read as well
    out.append(Source(os.path.join(tests, 'estimate', 'fixtures', 'py311-cprofile-layers.prof'), 'cprofile',
                      'seconds', 'microseconds'))
    sdir = os.path.join(tests, 'sampled', 'fixtures')
    with open(os.path.join(sdir, 'expected.json')) as f:
        sexp = json.load(f)['files']
    for name in sorted(sexp):
        p = os.path.join(sdir, name)
        if not os.path.exists(p):
            continue
        prof = sexp[name]['profiles'][0]
        ref = {k: v['self_weight'] for k, v in prof['functions'].items()}
        if sexp[name]['format'] == 'folded':
            out.append(Source(p, 'folded', 'samples', 'samples', ref))
        else:
            idle = prof['duration'] - prof['total_weight'] if prof['type'] == 'evented' else 0.0
            out.append(speedscope_source(p, ref, idle))
    edir = os.path.join(HERE, 'fixtures')
    with open(os.path.join(edir, 'expected.json')) as f:
        eexp = json.load(f)['files']
    for name in sorted(eexp):
        out.append(speedscope_source(os.path.join(edir, name), eexp[name]['self'], eexp[name]['outside']))
    corpus = os.path.join(shared, 'corpus')
    if os.path.isdir(corpus):
        simple = {'a': 0, 'b': 5, 'c': 5, 'd': 4}     # corpus README: 0.0.1_simple's facts
        for p in sorted(glob.glob(os.path.join(corpus, 'speedscope', '0.*.json'))):
            out.append(speedscope_source(p, simple if '0.0.1_simple' in p else None))
        for p in sorted(glob.glob(os.path.join(corpus, 'folded', '*'))):
            if os.path.getsize(p) == 0:         # the empty file is refused
                continue
            # Austin's output (its '# austin:' header and P/T frames) weighs
            # microseconds (# mode: wall; tests/austin), every other file samples
            with open(p, 'rb') as f:
                austin = f.read(4096).startswith(b'# austin:')
            unit = 'microseconds' if austin else 'samples'
            out.append(Source(p, 'folded', unit, unit))
    return out


# --- reading exports ----------------------------------------------------------

def to_bytes(s):
    try:
        return s.encode('utf-8', 'surrogateescape')
    except UnicodeEncodeError:
        return s.encode('utf-8', 'surrogatepass')


def mask(b):
    return CODE_ADDR_RE.sub(r'\g<1>0xADDRESS\g<2>', b.decode('utf-8', 'surrogateescape')).encode(
        'utf-8', 'surrogateescape')


def frame_text(name, file, line):
    """A function as folded text shows it (formats/tree_write.c folded_frame): ';' and
    line breaks in names cannot be written and become ',' and ' '."""
    t = to_bytes(name)
    if file:
        t += b' (' + to_bytes(file) + b':%d)' % (line if line and line > 0 else 0)
    return mask(t.replace(b';', b',').replace(b'\n', b' ').replace(b'\r', b' '))


def folded_lines(out):
    assert out == b'' or out.endswith(b'\n')
    return out.split(b'\n')[:-1] if out else []


def folded_self(lines):
    """{leaf frame (annotation stripped): (count total, variants)} and the total."""
    per, variants, total = {}, {}, 0
    for line in lines:
        stack, count = line.rsplit(b' ', 1)
        leaf = stack.split(b';')[-1]
        key = mask(ANNOTATION_RE.sub(b'', leaf))
        per[key] = per.get(key, 0) + int(count)
        variants.setdefault(key, set()).add(leaf)
        total += int(count)
    return per, {k: len(v) for k, v in variants.items()}, total


def strict_json(data):
    def bad(c):
        raise ValueError('not JSON: %s' % c)
    return json.loads(data, parse_constant=bad)


def speedscope_self(doc):
    """{frame text: self weight}, the empty-stack weight, the profile."""
    prof = doc['profiles'][0]
    frames = doc['shared']['frames']
    per, empty = {}, 0.0
    for stack, w in zip(prof['samples'], prof['weights']):
        if not stack:
            empty += w
            continue
        fr = frames[stack[-1]]
        key = frame_text(fr['name'], fr.get('file'), fr.get('line'))
        per[key] = per.get(key, 0.0) + w
    return per, empty, prof


def note_unit(err):
    if re.search(rb"^note: folded counts are whole numbers of the profile's weights \(it has no unit\)", err,
                 re.M):
        return 'none'
    m = re.search(rb'^note: folded counts are whole (\w+)', err, re.M)
    return m.group(1).decode() if m else None


def scale_between(frm, to):
    if frm in SECONDS and to in SECONDS:
        return SECONDS[frm] / SECONDS[to]
    return 1.0


def compare_self(c, what, got, variants, exact, slack=0.0):
    """Per function: |written - exact| <= half a count per written variant."""
    bad = []
    for key in set(got) | set(exact):
        g, e = got.get(key, 0), exact.get(key, 0.0)
        tol = 0.5 * max(1, variants.get(key, 1)) + 1e-6 * max(1.0, abs(e)) + slack
        if abs(g - e) > tol:
            bad.append('%s: written %s, exact %.6f' % (key.decode('utf-8', 'replace'), g, e))
    c.ok(not bad, '%s: %d functions off by more than half a count' % (what, len(bad)), '\n'.join(sorted(bad)[:20]))


# --- groups -------------------------------------------------------------------

def group_folded(pv, srcs, c):
    for s in srcs:
        rc, out, err = pv.run('export', s.path, '--to', 'folded')
        if not c.eq(rc, 0, '%s: export --to folded exit code' % s.name):
            print('    ' + err.decode('utf-8', 'replace'))
            continue
        lines = folded_lines(out)
        c.ok(lines, '%s: folded export has lines' % s.name)
        fg = [l for l in lines if not FLAMEGRAPH_RE.match(l)]
        c.ok(not fg, "%s: %d of %d lines fail flamegraph.pl's rule" % (s.name, len(fg), len(lines)), fg[:5])
        diff = [l for l in lines if FLAMEGRAPH_RE.match(l) and FLAMEGRAPH_RE.match(FLAMEGRAPH_RE.match(l).group(1))]
        c.ok(not diff, '%s: %d lines flamegraph.pl reads as differential (two counts)' % (s.name, len(diff)),
             diff[:5])
        ss = [l for l in lines if not SPEEDSCOPE_RE.match(l) or any(b in l for b in JS_LINE_BREAKS)]
        c.ok(not ss, "%s: %d of %d lines fail speedscope's folded rule" % (s.name, len(ss), len(lines)), ss[:5])
        zero = [l for l in lines if SPEEDSCOPE_RE.match(l) and int(SPEEDSCOPE_RE.match(l).group(2)) == 0]
        c.ok(not zero, '%s: lines with count 0' % s.name, zero[:5])
        comments = [l for l in lines if l.startswith(b'#') or not l.strip()]
        c.ok(not comments, '%s: comment or blank lines' % s.name, comments[:5])
        try:
            json.loads(out)
            is_json = True
        except ValueError:
            is_json = False
        first = lines[0] if lines else b''
        c.ok(not is_json and not (PERF_HEAD_RE.match(first) and PERF_TIME_RE.search(first)),
             '%s: speedscope would not sniff the text as folded (JSON or perf script)' % s.name)
        c.eq(note_unit(err), s.default, '%s: the unit the note states (default for %s in %s)' % (s.name, s.kind, s.unit))
        rc_q, out_q, err_q = pv.run('-q', 'export', s.path, '--to', 'folded')
        c.ok(rc_q == 0 and out_q == out and b'note:' not in err_q, '%s: -q gives the same lines and no note' % s.name,
             err_q)
        # conservation against the same profile's full-precision speedscope export
        rc, sout, serr = pv.run('-q', 'export', s.path, '--to', 'speedscope')
        if not c.eq(rc, 0, '%s: export --to speedscope exit code' % s.name):
            continue
        doc = strict_json(sout)
        exact, empty, prof = speedscope_self(doc)
        k = scale_between(prof['unit'], s.default)
        exact = {key: v * k for key, v in exact.items()}
        got, variants, total = folded_self(lines)
        compare_self(c, '%s: folded vs speedscope export' % s.name, got, variants, exact)
        nf = len(set(got) | set(exact))
        want_total = math.fsum(exact.values())
        c.ok(abs(total - want_total) <= 0.5 * nf + 1e-6 * max(1, want_total),
             '%s: file total %d vs exact %.3f (%d functions)' % (s.name, total, want_total, nf))
        if s.ref is not None:
            ref = {frame_text_plain(key): v * scale_between(s.unit, s.default) for key, v in s.ref.items()}
            compare_self(c, '%s: folded vs the independent reference' % s.name, got, variants, ref)


def frame_text_plain(display):
    """A reference's display name 'name (file:line)' as folded text shows it."""
    return mask(to_bytes(display).replace(b';', b','))


def group_flamegraph(pv, srcs, c, shared):
    fg = os.path.join(shared, 'ref', 'flamegraph.pl')
    if not os.path.exists(fg) or not shutil.which('perl'):
        print('SKIP flamegraph: %s or perl is absent' % fg)
        return
    for s in srcs:
        rc, out, err = pv.run('-q', 'export', s.path, '--to', 'folded')
        if not c.eq(rc, 0, '%s: export exit code' % s.name):
            continue
        lines = folded_lines(out)
        total = sum(int(l.rsplit(b' ', 1)[1]) for l in lines)
        p = subprocess.run(['perl', fg, '--countname', SHORT.get(s.default, s.default)], input=out,
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=300)
        c.eq(p.returncode, 0, '%s: flamegraph.pl exit code' % s.name)
        c.ok(b'Ignored' not in p.stderr and b'No stack counts' not in p.stderr,
             '%s: flamegraph.pl ignored lines' % s.name, p.stderr.decode('utf-8', 'replace')[-2000:])
        # the root box: "all (N unit, 100%)" (a function may be called "all" too)
        roots = [int(m.replace(b',', b'')) for m in re.findall(rb'<title>all \(([\d,]+) [^,]*, 100%\)', p.stdout)]
        if c.ok(roots, '%s: flamegraph.pl drew the root "all"' % s.name):
            c.eq(max(roots), total, "%s: flamegraph.pl's total = the lines' sum" % s.name)


def group_units(pv, srcs, c, tests):
    def by(kind, unit=None):
        for s in srcs:
            if s.kind == kind and (unit is None or s.unit == unit):
                return s
        return None

    def refused(argv, what, want):
        rc, out, err = pv.run(*argv)
        lines = err.decode('utf-8', 'replace').splitlines()
        errors = [l for l in lines if l.startswith('error: ')]
        c.eq(rc, 2, '%s: exit code' % what)
        c.ok(len(errors) == 1 and want in errors[0], '%s: one error line saying %r' % (what, want), err)
        c.eq(out, b'', '%s: nothing on stdout' % what)

    cp = by('cprofile')
    ev = next(s for s in srcs if s.kind == 'evented' and s.unit == 'nanoseconds')
    totals = {}
    for u, name in (('ns', 'nanoseconds'), ('us', 'microseconds'), ('ms', 'milliseconds'),
                    ('usec', 'microseconds'), ('nanoseconds', 'nanoseconds')):
        rc, out, err = pv.run('export', cp.path, '--to', 'folded', '--unit', u)
        c.eq((rc, note_unit(err)), (0, name), '%s --unit %s: exit code and the unit stated' % (cp.name, u))
        totals[name] = sum(int(l.rsplit(b' ', 1)[1]) for l in folded_lines(out))
    rc, sout, _ = pv.run('-q', 'export', cp.path, '--to', 'speedscope')
    seconds = math.fsum(speedscope_self(strict_json(sout))[0].values())
    nfuncs = len(speedscope_self(strict_json(sout))[0])
    for name, t in totals.items():
        exact = seconds / SECONDS[name]
        c.ok(abs(t - exact) <= 0.5 * nfuncs, '%s in %s: total %d vs %.3f' % (cp.name, name, t, exact))
    # the evented ns source in us: same functions, a thousandth
    rc, out, err = pv.run('export', ev.path, '--to', 'folded', '--unit', 'us')
    c.eq((rc, note_unit(err)), (0, 'microseconds'), '%s --unit us' % ev.name)
    # refusals
    folded = by('folded')
    alloc = next(s for s in srcs if s.unit == 'bytes')
    refused(['export', folded.path, '--to', 'folded', '--unit', 'us'], 'samples --unit us',
            "--unit us does not fit: the profile's weights are samples, not time")
    refused(['export', alloc.path, '--to', 'folded', '--unit', 'ms'], 'bytes --unit ms',
            "--unit ms does not fit: the profile's weights are bytes, not time")
    refused(['export', alloc.path, '--to', 'folded', '--unit', 'samples'], 'bytes --unit samples',
            "--unit samples does not fit: the profile's weights are bytes")
    refused(['export', cp.path, '--to', 'folded', '--unit', 'samples'], 'cProfile --unit samples',
            "--unit samples does not fit: the profile's weights are time (seconds); use ns, us or ms")
    refused(['export', cp.path, '--to', 'folded', '--unit', 'B'], 'cProfile --unit B',
            "--unit B does not fit")
    refused(['export', cp.path, '--to', 'folded', '--unit', 's'], 'cProfile --unit s',
            '--unit s: whole seconds')
    refused(['export', cp.path, '--to', 'folded', '--unit', 'minutes'], '--unit minutes',
            "unknown --unit 'minutes'")
    refused(['export', cp.path, '--to', 'speedscope', '--unit', 'us'], '--to speedscope --unit us',
            '--unit is for --to folded')
    none_src = next((s for s in srcs if s.unit == 'none'), None)
    if none_src:
        refused(['export', none_src.path, '--to', 'folded', '--unit', 'ns'], 'unit-less --unit ns',
                "the profile's weights are none, not time")
    # accepted where they fit
    for s, u, name in ((folded, 'samples', 'samples'), (alloc, 'bytes', 'bytes'), (alloc, 'B', 'bytes')):
        rc, out, err = pv.run('export', s.path, '--to', 'folded', '--unit', u)
        c.eq((rc, note_unit(err)), (0, name), '%s --unit %s' % (s.name, u))
    # a refused export writes no file
    target = os.path.join(pv.dir, 'refused.folded')
    rc, _, _ = pv.run('export', folded.path, '--to', 'folded', '--unit', 'ms', '-o', target)
    c.ok(rc == 2 and not os.path.exists(target), 'a refused --unit leaves no -o file')


def group_speedscope(pv, srcs, c):
    for s in srcs:
        rc, out, err = pv.run('-q', 'export', s.path, '--to', 'speedscope')
        if not c.eq(rc, 0, '%s: export --to speedscope exit code' % s.name):
            continue
        try:
            doc = strict_json(out)
        except ValueError as e:
            c.ok(False, '%s: speedscope export is strict JSON' % s.name, e)
            continue
        c.eq(doc.get('$schema'), 'https://www.speedscope.app/file-format-schema.json', '%s: $schema' % s.name)
        frames = doc['shared']['frames']
        c.ok(all(isinstance(f.get('name'), str) for f in frames), '%s: every frame has a name' % s.name)
        prof = doc['profiles'][0]
        want_unit = {'samples': 'none'}.get(s.unit, s.unit)
        c.eq((prof['type'], prof['unit']), ('sampled', want_unit), '%s: profile type and unit' % s.name)
        samples, weights = prof['samples'], prof['weights']
        c.eq(len(samples), len(weights), '%s: as many weights as samples' % s.name)
        c.ok(all(isinstance(w, (int, float)) and math.isfinite(w) and w > 0 for w in weights),
             '%s: weights are positive finite numbers' % s.name)
        c.ok(all(0 <= i < len(frames) for st in samples for i in st), '%s: frame indexes in range' % s.name)
        span = prof['endValue'] - prof['startValue']
        total = math.fsum(weights)
        c.ok(abs(span - total) <= 1e-9 * max(1.0, total), '%s: endValue - startValue %r = the weights %r' %
             (s.name, span, total))
        per, empty, _ = speedscope_self(doc)
        c.ok(abs(empty - s.idle) <= 1e-6 * max(1.0, s.idle), '%s: the time outside every frame %r (want %r)' %
             (s.name, empty, s.idle))
        if s.ref is not None:
            ref = {frame_text_plain(k): v for k, v in s.ref.items()}
            bad = ['%s: %r vs %r' % (k.decode('utf-8', 'replace'), per.get(k, 0), ref.get(k, 0))
                   for k in set(per) | set(ref)
                   if abs(per.get(k, 0) - ref.get(k, 0)) > 1e-9 * max(1.0, abs(ref.get(k, 0)))]
            c.ok(not bad, '%s: speedscope self weights vs the independent reference' % s.name, '\n'.join(bad[:20]))


def pstats_tottime(py, path, tests):
    """{frame text: tottime} and total_tt from pstats, run by py."""
    prog = ('import sys, json\n'
            'sys.path.insert(0, sys.argv[1])\n'
            'import pstats_dump\n'
            'rows = pstats_dump.dump(sys.argv[2], False)\n'
            'for r in rows:\n'
            '    if not isinstance(r[2], str): r[2] = str(r[2])\n'   # the profile module's code objects
            '    r[7] = []\n'
            'json.dump(rows, sys.stdout)\n')
    p = subprocess.run([py, '-c', prog, os.path.join(tests, 'callgraph'), path], stdout=subprocess.PIPE,
                       stderr=subprocess.PIPE, timeout=120)
    if p.returncode:
        raise RuntimeError(p.stderr.decode('utf-8', 'replace')[-500:])
    rows = json.loads(p.stdout.decode('utf-8', 'surrogateescape'))
    tt = {}
    for file, line, name, cc, nc, t, ct, callers in rows:
        key = frame_text(name, file, line)
        tt[key] = tt.get(key, 0.0) + t
    return tt, math.fsum(r[5] for r in rows)


def group_pstats(pv, srcs, c, tests):
    ran = 0
    for s in srcs:
        if s.kind not in ('cprofile', 'profile'):
            continue
        py = pvtest.fixture_python(s.path)
        if py is None:
            print('SKIP %s: no pyenv Python for it' % s.name)
            continue
        ran += 1
        tt, total_tt = pstats_tottime(py, s.path, tests)
        rc, out, _ = pv.run('-q', 'export', s.path, '--to', 'speedscope')
        per, empty, prof = speedscope_self(strict_json(out))
        bad = ['%s: tree %.9g, tottime %.9g' % (k.decode('utf-8', 'replace'), per.get(k, 0.0), tt.get(k, 0.0))
               for k in set(per) | set(tt) if abs(per.get(k, 0.0) - tt.get(k, 0.0)) > 1e-9]
        c.ok(not bad, '%s: speedscope self seconds = pstats tottime per function (%d off)' % (s.name, len(bad)),
             '\n'.join(sorted(bad)[:15]))
        tree_total = math.fsum(prof['weights'])
        c.ok(abs(tree_total - total_tt) <= 0.005 * total_tt, '%s: tree total %.6f within 0.5 %% of total_tt %.6f' %
             (s.name, tree_total, total_tt))
        rc, out, _ = pv.run('-q', 'export', s.path, '--to', 'folded')
        got, variants, _ = folded_self(folded_lines(out))
        compare_self(c, '%s: folded us vs pstats tottime' % s.name, got, variants,
                     {k: v * 1e6 for k, v in tt.items()})
    if not ran:
        print('SKIP pstats: no pyenv Python found')


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('profview')
    ap.add_argument('tests')
    ap.add_argument('shared')
    ap.add_argument('--group', required=True,
                    choices=['folded', 'flamegraph', 'units', 'speedscope', 'pstats'])
    a = ap.parse_args()
    tests, shared = os.path.abspath(a.tests), os.path.abspath(a.shared)
    if not os.path.isdir(shared):
        print('note: %s is absent: the shared corpus is skipped' % shared)
    c = Checks(a.group)
    pv = Profview(os.path.abspath(a.profview))
    try:
        srcs = sources(tests, shared)
        if a.group == 'folded':
            group_folded(pv, srcs, c)
        elif a.group == 'flamegraph':
            group_flamegraph(pv, srcs, c, shared)
        elif a.group == 'units':
            group_units(pv, srcs, c, tests)
        elif a.group == 'speedscope':
            group_speedscope(pv, srcs, c)
        else:
            group_pstats(pv, srcs, c, tests)
    finally:
        pv.close()
    return c.done()


if __name__ == '__main__':
    sys.exit(main())

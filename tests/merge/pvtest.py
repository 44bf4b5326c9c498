"""Shared bits of the Python tests (standard library only): a check counter with
skips, an isolated profview sandbox, the Python that wrote a pyXY-*.prof fixture,
and independent readers of folded stacks and speedscope JSON that give a profile
as a multiset of stacks (tuple of frame display names -> summed weight).

Nothing here reads profview's code or output to decide what is expected.
"""
import glob
import gzip
import json
import math
import os
import re
import shutil
import subprocess
import sys
import tempfile

EPOCH = 1700000000
REL = 1e-9

ANNOT_RE = re.compile(r'_\[[kjiw]\]$')
COUNT_RE = re.compile(r'^[0-9]+(\.[0-9]*)?$')


def text(b):
    return b.decode('utf-8', 'replace')


class Checks:
    """Counts checks; a failure prints what and why and the run goes on."""

    def __init__(self, name):
        self.name = name
        self.passed = self.failed = self.skipped = 0
        self.shown = 0

    def ok(self, cond, what, detail=None):
        if cond:
            self.passed += 1
            return True
        self.failed += 1
        if self.shown < 150:
            self.shown += 1
            print('FAIL %s' % what)
            if detail:
                for line in str(detail).splitlines()[:30]:
                    print('    ' + line)
        return False

    def eq(self, got, want, what):
        return self.ok(got == want, what, 'got  %r\nwant %r' % (got, want))

    def skip(self, what, n=1):
        self.skipped += n
        print('SKIP %s' % what)

    def done(self):
        print('%s: %d passed, %d failed, %d skipped' % (self.name, self.passed, self.failed, self.skipped))
        sys.stdout.flush()
        return 1 if self.failed or not self.passed else 0


def fixture_python(path):
    """The Python that wrote a pyXY-*.prof fixture (py311-... -> pyenv's 3.11.*),
    whose marshal and pstats read the file as written; the running Python when
    the name has no such tag or is its own version; else None."""
    m = re.match(r'py(\d)(\d+)-', os.path.basename(path))
    if not m:
        return sys.executable
    root = os.environ.get('PYENV_ROOT') or os.path.expanduser('~/.pyenv')
    try:
        root = subprocess.run(['pyenv', 'root'], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                              timeout=20).stdout.decode().strip() or root
    except (OSError, subprocess.TimeoutExpired):
        pass
    for d in sorted(glob.glob(os.path.join(root, 'versions', '%s.%s.*' % (m.group(1), m.group(2))))):
        exe = os.path.join(d, 'bin', 'python')
        if os.path.exists(exe):
            return exe
    if sys.version_info[:2] == (int(m.group(1)), int(m.group(2))):
        return sys.executable
    return None


class Sandbox:
    """A scratch folder with its own HOME; every run gets --db DB."""

    def __init__(self, profview, prefix):
        self.profview = profview
        self.dir = tempfile.mkdtemp(prefix=prefix)
        self.home = os.path.join(self.dir, 'home')
        os.mkdir(self.home)
        self.env = dict(os.environ)
        for k in ('PROFVIEW_DB', 'XDG_DATA_HOME'):
            self.env.pop(k, None)
        self.env['HOME'] = self.home
        self.env['TZ'] = 'UTC'

    def path(self, *parts):
        return os.path.join(self.dir, *parts)

    def run(self, db, argv, cwd=None, timeout=120):
        """(exit code, stdout bytes, stderr bytes) of profview --db DB ARGV."""
        cmd = [self.profview, '--db', db] + [str(a) for a in argv]
        try:
            p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=self.env,
                               cwd=cwd or self.dir, timeout=timeout)
        except subprocess.TimeoutExpired:
            return -999, b'', b'timeout'
        return p.returncode, p.stdout, p.stderr

    def close(self):
        shutil.rmtree(self.dir, ignore_errors=True)


def cmdline(db, argv):
    """The command as a user would type it (for failure messages)."""
    import shlex
    return 'profview --db %s %s' % (os.path.basename(db), ' '.join(shlex.quote(str(a)) for a in argv))


def single_id(out):
    """The id printed by merge / filter --save (one integer line), or None."""
    lines = [l for l in text(out).splitlines() if l.strip()]
    if len(lines) != 1:
        return None
    try:
        return int(lines[0])
    except ValueError:
        return None


def error_line(err):
    """True when stderr is exactly one line starting with 'error: '."""
    lines = [l for l in text(err).splitlines() if l.strip()]
    return len(lines) == 1 and lines[0].startswith('error: ')


# ------------------------------------------------------------------ stacks

def add_stack(stacks, key, w):
    stacks[key] = stacks.get(key, 0.0) + w


def scale(stacks, k):
    return {s: w * k for s, w in stacks.items()}


def sum_stacks(*many):
    out = {}
    for st in many:
        for s, w in st.items():
            add_stack(out, s, w)
    return out


def decode_text(data):
    if data[:2] == b'\x1f\x8b':
        data = gzip.decompress(data)
    if data[:2] == b'\xff\xfe':
        return data[2:].decode('utf-16-le')
    if data[:2] == b'\xfe\xff':
        return data[2:].decode('utf-16-be')
    if data[:3] == b'\xef\xbb\xbf':
        data = data[3:]
    return data.decode('utf-8')


def frame_key(f):
    """A folded frame as profview names it: perf's _[k]/_[j]/_[i]/_[w] suffix is an
    annotation, not part of the name."""
    return ANNOT_RE.sub('', f)


def parse_folded_text(body):
    """Folded text -> (stacks, malformed line numbers). The count follows the last
    space; '#' lines and blank lines are skipped; a line without a numeric count
    is malformed; weight-0 lines add nothing."""
    stacks = {}
    malformed = []
    for no, line in enumerate(body.split('\n'), 1):
        if line.endswith('\r'):
            line = line[:-1]
        if not line.strip() or line.startswith('#'):
            continue
        line = line.rstrip(' \t')
        sp = line.rfind(' ')
        if sp <= 0 or not COUNT_RE.match(line[sp + 1:]):
            malformed.append(no)
            continue
        w = float(line[sp + 1:])
        stack = line[:sp].rstrip(' \t')
        if w == 0:
            continue
        add_stack(stacks, tuple(frame_key(f) for f in stack.split(';')), w)
    return stacks, malformed


def read_folded(path):
    with open(path, 'rb') as f:
        return parse_folded_text(decode_text(f.read()))[0]


def parse_export(out):
    """profview export --to folded output -> (stacks, bad lines). Lines with an
    empty stack (a root weight, if profview writes one) are returned apart."""
    stacks = {}
    bad = []
    root = 0.0
    for line in out.decode('utf-8', 'surrogateescape').split('\n'):
        if not line.strip():
            continue
        sp = line.rfind(' ')
        try:
            w = float(line[sp + 1:])
        except ValueError:
            bad.append(line)
            continue
        stack = line[:sp] if sp > 0 else ''
        if stack == '':
            root += w
            continue
        add_stack(stacks, tuple(frame_key(f) for f in stack.split(';')), w)
    return stacks, bad, root


def speedscope_display(fr):
    name = fr.get('name')
    file = fr.get('file')
    line = fr.get('line')
    if file is not None and file != '':
        return '%s (%s:%d)' % (name, file, int(line) if line is not None else 0)
    return name


def read_speedscope(path):
    """A speedscope file -> [(type, unit, stacks, root_weight)], one per profile.
    sampled: each sample's stack gets its weight (weight 0 skipped, an empty
    stack weighs on the root); evented: each stack gets the time it was the
    innermost one (time with nothing open goes to the root)."""
    with open(path, 'rb') as f:
        d = json.loads(decode_text(f.read()))
    frames = [speedscope_display(fr) for fr in d['shared']['frames']]
    out = []
    for p in d['profiles']:
        stacks = {}
        root = 0.0
        if p['type'] == 'sampled':
            weights = p.get('weights') or [1] * len(p['samples'])
            for sample, w in zip(p['samples'], weights):
                if w == 0:
                    continue
                if not sample:
                    root += w
                    continue
                add_stack(stacks, tuple(frames[i] for i in sample), float(w))
        else:
            open_ = []
            last = p['startValue']
            for ev in p['events']:
                at = ev['at']
                if at > last:
                    if open_:
                        add_stack(stacks, tuple(frames[i] for i in open_), float(at - last))
                    else:
                        root += at - last
                    last = at
                if ev['type'] == 'O':
                    open_.append(ev['frame'])
                else:
                    assert open_ and open_[-1] == ev['frame'], path
                    open_.pop()
            assert not open_, path
            if p['endValue'] > last:
                root += p['endValue'] - last
        out.append((p['type'], p['unit'], stacks, root))
    return out


def close(a, b, rel=REL, abs_=0.0):
    if a == b:
        return True
    return abs(a - b) <= max(rel * max(abs(a), abs(b)), abs_)


def diff_stacks(got, want, rel=REL):
    """[] when the two multisets agree (weights within rel of each other, relative
    to the profile's total for tiny weights), else a few lines saying where not."""
    total = math.fsum(abs(w) for w in want.values()) or 1.0
    tol = rel * total
    msgs = []
    for s in sorted(set(got) | set(want)):
        g, w = got.get(s), want.get(s)
        if g is None:
            if abs(w) > tol:
                msgs.append('missing: %s  %r' % (';'.join(s), w))
        elif w is None:
            if abs(g) > tol:
                msgs.append('extra:   %s  %r' % (';'.join(s), g))
        elif not close(g, w, rel, tol):
            msgs.append('weight:  %s  got %r want %r' % (';'.join(s), g, w))
    if msgs:
        msgs.insert(0, '%d stacks differ (got %d stacks, want %d)' % (len(msgs), len(got), len(want)))
    return msgs[:25]


def fmt_stacks(stacks, limit=20):
    lines = ['%s %r' % (';'.join(s), w) for s, w in sorted(stacks.items())]
    if len(lines) > limit:
        lines = lines[:limit] + ['... %d more' % (len(lines) - limit)]
    return '\n'.join(lines)

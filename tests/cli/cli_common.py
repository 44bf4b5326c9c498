"""Shared bits of the CLI tests (stdlib only): a check counter that prints
"N passed, N failed", running profview in an isolated environment, and reading the
golden fixtures' stats.tsv files.

Every runner is invoked as  python3 test_X.py PROFVIEW TESTS_DIR
(TESTS_DIR = the tests/ source folder, holding golden/fixtures and golden/expected).
"""
import os
import re
import shutil
import subprocess
import sys
import tempfile

# pstats shows a code object's address; profview shows the object's byte offset
CODE_ADDR_RE = re.compile(r'(<code object .*? at )0x[0-9a-fA-F]+(, file ")')
CODE_ADDR_RE_B = re.compile(rb'(<code object .*? at )0x[0-9a-fA-F]+(, file ")')


def mask(text):
    if isinstance(text, bytes):
        return CODE_ADDR_RE_B.sub(rb'\g<1>0xADDRESS\g<2>', text)
    return CODE_ADDR_RE.sub(r'\g<1>0xADDRESS\g<2>', text)


class Checks:
    """Counts checks; a failure prints what and why, the run goes on."""

    def __init__(self, name):
        self.name = name
        self.passed = 0
        self.failed = 0
        self.shown = 0

    def ok(self, cond, what, detail=None):
        if cond:
            self.passed += 1
            return True
        self.failed += 1
        if self.shown < 200:
            self.shown += 1
            print('FAIL %s' % what)
            if detail:
                for line in str(detail).splitlines()[:40]:
                    print('    ' + line)
        return False

    def eq(self, got, want, what):
        return self.ok(got == want, what, 'got  %r\nwant %r' % (got, want))

    def done(self):
        print('%d passed, %d failed' % (self.passed, self.failed))
        sys.stdout.flush()
        return 1 if self.failed or not self.passed else 0


# A CSV cell a spreadsheet reads as a number (never prefixed)
CSV_NUMBER_RE = re.compile(r'^[+-]?([0-9]+\.?[0-9]*|\.[0-9]+)([eE][+-]?[0-9]+)?$')


def csv_cell(s):
    """What a CSV text cell of profview holds for the str s (os.fsdecode's, surrogates
    for undecodable bytes), as documented (docs/profview-sort.md): bytes that are not
    UTF-8 as the text \\udcXX, what Python writes for s to a UTF-8 stream with
    errors='backslashreplace'; and a ' before text that a spreadsheet would take for a
    formula (first character = + - @ tab CR; OWASP), unless the cell is a plain
    number."""
    t = s.encode('utf-8', 'backslashreplace').decode('utf-8')
    if t[:1] in ('=', '+', '-', '@', '\t', '\r') and not CSV_NUMBER_RE.match(t):
        t = "'" + t
    return t


def args():
    if len(sys.argv) < 3:
        raise SystemExit('usage: %s PROFVIEW TESTS_DIR' % sys.argv[0])
    return os.path.abspath(sys.argv[1]), os.path.abspath(sys.argv[2])


class Sandbox:
    """A scratch folder with its own HOME and store, removed at the end."""

    def __init__(self, profview):
        self.profview = profview
        self.dir = tempfile.mkdtemp(prefix='pv-cli-')
        self.home = os.path.join(self.dir, 'home')
        os.mkdir(self.home)
        self.db = os.path.join(self.dir, 'store.db')
        self.env = dict(os.environ)
        for k in ('PROFVIEW_DB', 'XDG_DATA_HOME'):
            self.env.pop(k, None)
        self.env['HOME'] = self.home
        self.env['TZ'] = 'UTC'

    def path(self, *parts):
        return os.path.join(self.dir, *parts)

    def run(self, argv, db=True, env=None, cwd=None, timeout=120):
        """Runs profview ARGV (with --db unless db is False); returns
        (exit code, stdout bytes, stderr bytes)."""
        cmd = [self.profview] + (['--db', self.db] if db is True else ['--db', db] if db else []) + list(argv)
        p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env or self.env,
                           cwd=cwd or self.dir, timeout=timeout)
        return p.returncode, p.stdout, p.stderr

    def close(self):
        shutil.rmtree(self.dir, ignore_errors=True)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


def parse_num(text):
    """A stats.tsv number: '%d' for ints, repr() for floats."""
    try:
        return int(text)
    except ValueError:
        return float(text)


def read_stats_tsv(path):
    """[(file, line, name, cc, nc, tt, ct, callers)] from a stats.tsv, file and name
    as str decoded with surrogateescape (the raw bytes the writing Python printed),
    callers as [(file, line, name, values...)]."""
    entries = []
    with open(path, 'rb') as f:
        for raw in f.read().split(b'\n'):
            if not raw:
                continue
            cols = raw.split(b'\t')
            kind = cols[0]
            file = cols[1].decode('utf-8', 'surrogateescape')
            line = int(cols[2])
            name = cols[3].decode('utf-8', 'surrogateescape')
            nums = [parse_num(c.decode('ascii')) for c in cols[4:]]
            if kind == b'F':
                entries.append((file, line, name) + tuple(nums) + ([],))
            elif kind == b'C':
                entries[-1][-1].append((file, line, name) + tuple(nums))
            else:
                raise ValueError('%s: bad line %r' % (path, raw))
    return entries


def std_name(file, line, name):
    """pstats.func_std_string"""
    if file == '~' and line == 0:
        if name.startswith('<') and name.endswith('>'):
            return '{%s}' % name[1:-1]
        return name
    return '%s:%d(%s)' % (file, line, name)


def fixtures(tests_dir):
    """(stem, fixture path, stats.tsv path) for every golden fixture with a stats.tsv."""
    golden = os.path.join(tests_dir, 'golden')
    out = []
    exp = os.path.join(golden, 'expected')
    for stem in sorted(os.listdir(exp)):
        tsv = os.path.join(exp, stem, 'stats.tsv')
        prof = os.path.join(golden, 'fixtures', stem + '.prof')
        if os.path.exists(tsv) and os.path.exists(prof):
            out.append((stem, prof, tsv))
    return out


EPOCH = 1700000000  # the fixed mtime given to profiles whose text output is compared


def set_utc():
    """pstats prints time.ctime(mtime): make this process's local time UTC, like the
    TZ=UTC profview runs under."""
    import time
    os.environ['TZ'] = 'UTC'
    time.tzset()


def pstats_text(path, keys=None, restrictions=(), strip=False, reverse=False, cwd=None):
    """What python3's pstats prints for Stats(path)[.strip_dirs()][.sort_stats(*keys)]
    [.reverse_order()].print_stats(*restrictions), as bytes (surrogateescape), with
    code-object addresses masked; or (None, exception name) when pstats raises."""
    import io
    import pstats
    old = os.getcwd()
    if cwd:
        os.chdir(cwd)
    try:
        out = io.StringIO(newline='\n')
        try:
            st = pstats.Stats(path, stream=out)
            if strip:
                st.strip_dirs()
            if keys is not None:
                st.sort_stats(*keys)
            if reverse:
                st.reverse_order()
            st.print_stats(*restrictions)
        except Exception as e:  # noqa: BLE001 - the caller compares the refusal
            return None, type(e).__name__
        return mask(out.getvalue().encode('utf-8', 'surrogateescape')), None
    finally:
        os.chdir(old)


def first_diff(a, b):
    """A short description of where two byte strings first differ, line-wise."""
    al, bl = a.split(b'\n'), b.split(b'\n')
    for i, (x, y) in enumerate(zip(al, bl)):
        if x != y:
            return 'line %d:\n  profview: %r\n  pstats:   %r' % (i + 1, x, y)
    return 'lengths differ: profview %d lines, pstats %d lines' % (len(al), len(bl))

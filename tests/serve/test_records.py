#!/usr/bin/env python3
"""One JSON for one thing: the command line and `profview serve` describe the
same stored profile with the same records (docs/serve-api.md).

    python3 tests/serve/test_records.py PROFVIEW TESTS_DIR

Imports cProfile, `profile`, folded and speedscope fixtures into a scratch
store, runs the commands' JSON outputs and starts `profview serve` on the same
store, then checks:

* drift: `list --format json` is /api/profiles (newest first there) key for key
  and value for value; `show --format json` is /api/profiles/{id}; the
  `profile` of `export --to json` is list's PROFILE; `sort`, `callers`,
  `callees` and `diff --format json` are /table, /callers, /callees and
  /api/diff, and their `profile` holds PROFILE's keys and values; the
  sandwich's function is the summary's FUNC of that index;
* the unit: every output names the same unit for a profile, and it is the one
  the file says (seconds for .prof files, samples for folded stacks,
  speedscope's own with "none" meaning samples for sampled profiles), read here
  from the files;
* bytes that are not UTF-8 (real Python 2 and Python 3 runs of a script under
  a Latin-1 path, tests/serve/fixtures; the hostile fixtures of
  tests/callgraph): every JSON, from every endpoint and command, is valid UTF-8
  without U+FFFD, and its file and function names are exactly what Python makes
  of the fixture's bytes (os.fsdecode: \\udcXX per byte), read here with each
  file's own Python's marshal; a source path and a profile name with such
  bytes; an error message quoting such bytes.

Prints `serve-records: N passed, N failed, N skipped`; exits 1 on a failure.
Standard library only.
"""
import glob
import http.client
import json
import os
import re
import shutil
import subprocess
import sys
import threading
import time
import urllib.parse

sys.dont_write_bytecode = True
HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(os.path.dirname(HERE), 'merge'))
from pvtest import Checks, Sandbox, fixture_python  # noqa: E402

R = Checks('serve-records')


# ---------------------------------------------------------------------------
# Running profview and its server


class Env:
    def __init__(self, profview):
        self.sb = Sandbox(profview, 'pv-records-')
        self.db = self.sb.path('store.db')
        self.proc = None
        self.host = self.port = None

    def run(self, argv):
        """(exit code, stdout bytes, stderr bytes); argv items may be bytes."""
        cmd = [self.sb.profview, '--db', self.db] + list(argv)
        p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=self.sb.env, cwd=self.sb.dir,
                           timeout=120)
        return p.returncode, p.stdout, p.stderr

    def cli_json(self, argv, what):
        """The JSON a command prints (raw bytes, document), or (None, None)."""
        rc, out, err = self.run(argv)
        if not R.ok(rc == 0, '%s: exit 0' % what, err.decode('utf-8', 'replace')[-400:]):
            return None, None
        return out, parse(out, what)

    def start(self):
        self.proc = subprocess.Popen([self.sb.profview, 'serve', '--db', self.db, '--port', '0'],
                                     stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                     env=self.sb.env, cwd=self.sb.dir)
        got = []
        done = threading.Event()

        def read():
            for line in iter(self.proc.stdout.readline, b''):
                got.append(line.decode('utf-8', 'replace'))
                if re.search(r'http://\S+:\d+/', line.decode('utf-8', 'replace')):
                    done.set()
            done.set()
        threading.Thread(target=read, daemon=True).start()
        done.wait(20)
        m = re.search(r'http://([^/\s:]+|\[[^\]]+\]):(\d+)/', ''.join(got))
        if not m:
            return False
        self.host, self.port = m.group(1).strip('[]'), int(m.group(2))
        return True

    def get(self, path):
        """(status, raw body) of GET path."""
        conn = http.client.HTTPConnection(self.host, self.port, timeout=60)
        try:
            conn.request('GET', path)
            r = conn.getresponse()
            return r.status, r.read()
        except OSError as exc:
            return None, str(exc).encode()
        finally:
            conn.close()

    def api(self, path, what=None):
        """(raw body, document) of an /api/ answer that must be 200, or (None, None)."""
        status, body = self.get(path)
        what = what or 'GET %s' % path
        if not R.ok(status == 200, '%s: 200' % what, '%r %r' % (status, body[:300])):
            return None, None
        return body, parse(body, what)

    def close(self):
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.sb.close()


def parse(raw, what):
    """JSON from bytes that must be strict UTF-8 (lone surrogates only as \\u escapes)."""
    try:
        return json.loads(raw.decode('utf-8'))
    except (UnicodeDecodeError, ValueError) as exc:
        R.ok(False, '%s: valid UTF-8 JSON' % what, '%s: %r' % (exc, raw[:300]))
        return None


# ---------------------------------------------------------------------------
# What the fixtures hold, read independently


def python_for(path):
    """The Python that wrote a pyXY-*.prof file (its marshal reads it as written);
    marshal's format for plain data is the same in every Python 3."""
    py = fixture_python(path)
    if py is None and re.match(r'py3', os.path.basename(path)):
        return sys.executable
    return py


# Prints each stats key's file and name as hex of its bytes (Python 2: str is
# bytes; Python 3: str encoded back the way marshal stored it).
KEYS_HEX = r'''
import marshal, sys, binascii
d = marshal.load(open(sys.argv[1], 'rb'))
def raw(s):
    if isinstance(s, bytes):
        return s
    if sys.version_info[0] == 2:
        return s.encode('utf-8')
    return s.encode('utf-8', 'surrogateescape')
for k in d:
    sys.stdout.write('%s %s\n' % (binascii.hexlify(raw(k[0])).decode('ascii'), binascii.hexlify(raw(k[2])).decode('ascii')))
'''


def prof_names(path):
    """The set of file and function names of a .prof file as Python 3 text
    (os.fsdecode of the bytes: surrogateescape), or None."""
    py = python_for(path)
    if py is None:
        return None
    p = subprocess.run([py, '-c', KEYS_HEX, path], stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=60)
    if p.returncode != 0:
        return None
    out = set()
    for line in p.stdout.decode('ascii').split('\n'):
        if line.strip():
            for h in line.split():
                out.add(bytes.fromhex(h).decode('utf-8', 'surrogateescape'))
    return out


FRAME_RE = re.compile(rb'^(.*) \((.*):(\d+)\)$')


def folded_names(path):
    """File and function names of a folded file's frames (`name (file:line)` or a
    bare name, docs/sampled.md), as os.fsdecode makes them of the bytes."""
    out = set()
    with open(path, 'rb') as f:
        for line in f.read().split(b'\n'):
            line = line.rstrip(b'\r')
            if not line.strip() or line.startswith(b'#'):
                continue
            for frame in line[:line.rfind(b' ')].split(b';'):
                m = FRAME_RE.match(frame)
                parts = [m.group(1), m.group(2)] if m else [frame]
                out.update(x.decode('utf-8', 'surrogateescape') for x in parts)
    return out


def speedscope_units(path):
    """[unit per profile] as docs/schema.md reads a speedscope file: "none" is
    samples for sampled profiles and stays none for evented ones."""
    with open(path, 'rb') as f:
        d = json.loads(f.read().decode('utf-8'))
    return [('samples' if p['type'] == 'sampled' else 'none') if p['unit'] == 'none' else p['unit']
            for p in d['profiles']]


# ---------------------------------------------------------------------------
# Walking documents


def strings_under(doc, keys=('file', 'name')):
    """Every function's file and name in doc: strings held under these keys, and
    the strings of a "files" array or of a "name" array (the icicle meta's
    funcs.name); not a profile's own name (PROFILE, a diff's sides)."""
    out = []
    stack = [doc]
    while stack:
        x = stack.pop()
        if isinstance(x, dict):
            for k, v in x.items():
                if k in ('profile', 'base', 'new'):
                    continue
                if k in keys and isinstance(v, str):
                    out.append(v)
                elif k in ('files',) + keys and isinstance(v, list):
                    out.extend(s for s in v if isinstance(s, str))
                    stack.extend(s for s in v if not isinstance(s, str))
                else:
                    stack.append(v)
        elif isinstance(x, list):
            stack.extend(x)
    return out


def non_ascii(strings):
    return {s for s in strings if any(ord(c) > 127 for c in s)}


def first_diff(a, b, path='$'):
    """Where two JSON values first differ (key order included), or None."""
    if isinstance(a, dict) and isinstance(b, dict):
        if list(a) != list(b):
            return '%s: keys %r vs %r' % (path, list(a), list(b))
        for k in a:
            d = first_diff(a[k], b[k], '%s.%s' % (path, k))
            if d:
                return d
        return None
    if isinstance(a, list) and isinstance(b, list):
        if len(a) != len(b):
            return '%s: %d vs %d items' % (path, len(a), len(b))
        for i, (x, y) in enumerate(zip(a, b)):
            d = first_diff(x, y, '%s[%d]' % (path, i))
            if d:
                return d
        return None
    if type(a) is not type(b) or a != b:
        return '%s: %r vs %r' % (path, a, b)
    return None


def same(a, b, what):
    d = first_diff(a, b)
    return R.ok(a is not None and b is not None and d is None, what, d or 'a document is missing')


# ---------------------------------------------------------------------------
# Checks


class Prof:
    def __init__(self, label, path, kind, name=None, copy_as=None):
        self.label, self.path, self.kind, self.name = label, path, kind, name
        self.copy_as = copy_as      # import a copy under this (bytes) file name
        self.ids = []
        self.units = None           # expected unit per part
        self.names = None           # expected file/function names (str)


def import_all(env, profs):
    for p in profs:
        path = p.path
        if p.copy_as:
            path = os.path.join(env.sb.dir.encode(), p.copy_as)
            shutil.copyfile(p.path, path)
            p.source = os.fsdecode(path)
        else:
            p.source = path
        argv = ['import', path] + (['--name', p.name] if p.name else [])
        rc, out, err = env.run(argv)
        if R.ok(rc == 0, 'import %s: exit 0' % p.label, err.decode('utf-8', 'replace')[-400:]):
            p.ids = [int(x) for x in out.split()]


def check_list(env, profs):
    """list --format json against /api/profiles: the one PROFILE record."""
    raw, cli = env.cli_json(['list', '--format', 'json'], 'list --format json')
    body, api = env.api('/api/profiles?limit=1000')
    if cli is None or api is None:
        return {}
    apil = api.get('profiles')
    R.ok(isinstance(cli, list) and isinstance(apil, list), 'list and /api/profiles are lists')
    same(cli, list(reversed(apil or [])), 'list --format json = /api/profiles reversed, key for key, value for value')
    byid = {x.get('id'): x for x in cli if isinstance(x, dict)}
    for p in profs:
        for k, i in enumerate(p.ids):
            x = byid.get(i) or {}
            R.eq(x.get('source'), p.source, '%s #%d: PROFILE source is the imported path' % (p.label, i))
            if p.name:
                R.eq(x.get('name'), os.fsdecode(p.name), '%s #%d: PROFILE name' % (p.label, i))
            if p.units:
                R.eq(x.get('unit'), p.units[k], '%s #%d: PROFILE unit is the file\'s' % (p.label, i))
    return byid


def check_profile_docs(env, p, i, listed):
    """show, export --to json, sort, callers, callees: CLI = API, and the unit."""
    what = '%s #%d' % (p.label, i)
    docs = {}       # what -> (raw, doc), for the byte checks
    raw, show = env.cli_json(['show', str(i), '--format', 'json'], '%s: show --format json' % what)
    body, summary = env.api('/api/profiles/%d' % i)
    same(show, summary, '%s: show --format json = /api/profiles/%d' % (what, i))
    docs['show'] = (raw, show)
    docs['summary'] = (body, summary)
    raw, exp = env.cli_json(['export', str(i), '--to', 'json'], '%s: export --to json' % what)
    same((exp or {}).get('profile'), listed, '%s: export --to json\'s profile = list\'s PROFILE' % what)
    docs['export'] = (raw, exp)
    for argv, url in ((['sort'], 'table'), (['callers'], 'callers'), (['callees'], 'callees')):
        raw, cli = env.cli_json(argv + [str(i), '--format', 'json'], '%s: %s --format json' % (what, argv[0]))
        body, api = env.api('/api/profiles/%d/%s' % (i, url))
        same(cli, api, '%s: %s --format json = /api/profiles/%d/%s' % (what, argv[0], i, url))
        docs[argv[0]] = (raw, cli)
        docs[url + ' (api)'] = (body, api)
    # the tables name the profile with PROFILE's keys and values
    for k in ('sort', 'callers', 'callees'):
        head = (docs[k][1] or {}).get('profile') or {}
        diff = {key: (v, listed.get(key)) for key, v in head.items() if listed.get(key, KeyError) != v}
        R.ok(head and not diff, '%s: %s\'s profile = PROFILE\'s %s' % (what, k, ', '.join(head)), repr(diff))
    body, ic = env.api('/api/profiles/%d/icicle' % i)
    docs['icicle (api)'] = (body, ic)
    raw, ss = env.cli_json(['-q', 'export', str(i), '--to', 'speedscope'], '%s: export --to speedscope' % what)
    docs['speedscope'] = (raw, ss)
    # the sandwich's function is the summary's FUNC of that index
    tops = (summary or {}).get('top_total') or []
    if tops:
        f = tops[0]
        body, sw = env.api('/api/profiles/%d/sandwich?func=%d' % (i, f.get('index', -1)))
        same((sw or {}).get('function'), f, '%s: sandwich function = the summary\'s FUNC %r' % (what, f.get('index')))
        docs['sandwich (api)'] = (body, sw)
    # one unit everywhere
    units = {
        'list': listed.get('unit'),
        'show': ((show or {}).get('profile') or {}).get('unit'),
        '/api/profiles/N': ((summary or {}).get('profile') or {}).get('unit'),
        'export --to json': ((exp or {}).get('profile') or {}).get('unit'),
        'sort --format json': ((docs['sort'][1] or {}).get('profile') or {}).get('unit'),
        'callers --format json': ((docs['callers'][1] or {}).get('profile') or {}).get('unit'),
        '/icicle meta': ((ic or {}).get('meta') or {}).get('unit'),
    }
    want = p.units[p.ids.index(i)] if p.units else listed.get('unit')
    bad = {k: v for k, v in units.items() if v != want}
    R.ok(not bad, '%s: every output says unit %r' % (what, want), repr(bad))
    return docs


def check_bytes(p, docs):
    """Names that are not UTF-8 are \\udcXX escapes of the fixture's bytes, everywhere."""
    if p.names is None:
        R.skip('%s: the fixture\'s names could not be read' % p.label)
        return
    want = non_ascii(p.names)
    R.ok(any('\udc80' <= c <= '\udcff' for s in want for c in s),
         '%s: the fixture holds bytes that are not UTF-8 (read with its own Python)' % p.label, repr(want))
    for what, (raw, doc) in docs.items():
        if raw is None or doc is None:
            continue
        label = '%s: %s' % (p.label, what)
        R.ok(b'\\ufffd' not in raw.lower() and '\ufffd'.encode() not in raw, '%s: no U+FFFD' % label)
        got = non_ascii(strings_under(doc.get('shared') if what == 'speedscope' else doc))
        if what in ('summary', 'show', 'sandwich (api)'):
            ok = got <= want        # the top functions are some of them
        else:
            ok = got == want
        R.ok(ok, '%s: file and function names = the fixture\'s, as os.fsdecode() gives them' % label,
             'got  %r\nwant %r' % (sorted(got), sorted(want)))


def check_diff(env, a, b):
    what = 'diff %d %d' % (a, b)
    raw, cli = env.cli_json(['diff', str(a), str(b), '--format', 'json'], '%s --format json' % what)
    body, api = env.api('/api/diff?base=%d&new=%d' % (a, b))
    same(cli, api, '%s --format json = /api/diff?base=%d&new=%d' % (what, a, b))
    return raw, cli


def check_error_bytes(env, named):
    """An error quoting bytes that are not UTF-8; a reference by such a name."""
    status, body = env.get('/api/profiles/%E9%FF')
    doc = parse(body, 'GET /api/profiles/%E9%FF') if status else None
    msg = ((doc or {}).get('error') or {}).get('message', '')
    R.ok(status == 404 and '\udce9\udcff' in msg and b'\\udce9\\udcff' in body,
         'GET /api/profiles/%E9%FF: 404, the message quotes the bytes as \\udce9\\udcff', '%r %r' % (status, body))
    if named and named.ids:
        ref = urllib.parse.quote_from_bytes(named.name, safe='')
        body, doc = env.api('/api/profiles/%s' % ref)
        R.eq(((doc or {}).get('profile') or {}).get('id'), named.ids[0],
             'GET /api/profiles/%s: the profile named %r' % (ref, named.name))


def main():
    if len(sys.argv) < 3:
        raise SystemExit('usage: %s PROFVIEW TESTS_DIR' % sys.argv[0])
    tests = os.path.abspath(sys.argv[2])
    env = Env(os.path.abspath(sys.argv[1]))
    G = os.path.join(tests, 'golden', 'fixtures')
    S = os.path.join(tests, 'sampled', 'fixtures')
    C = os.path.join(tests, 'callgraph', 'fixtures')
    F = os.path.join(HERE, 'fixtures')
    latin2 = Prof('py27-latin1', os.path.join(F, 'py27-latin1.prof'), 'prof', name=b'caf\xe9')
    latin3 = Prof('py311-latin1', os.path.join(F, 'py311-latin1.prof'), 'prof', copy_as=b'lat\xe9n-run.prof')
    profs = [
        Prof('py27-cprofile', os.path.join(G, 'py27-cprofile.prof'), 'prof'),
        Prof('py311-cprofile', os.path.join(G, 'py311-cprofile.prof'), 'prof'),
        Prof('py312-profile', os.path.join(G, 'py312-profile.prof'), 'prof'),
        Prof('py_sampled.folded', os.path.join(S, 'py_sampled.folded'), 'folded'),
        Prof('py_threads.speedscope', os.path.join(S, 'py_threads.speedscope.json'), 'speedscope'),
        Prof('py_evented.speedscope', os.path.join(S, 'py_evented.speedscope.json'), 'speedscope'),
        Prof('hostile_names', os.path.join(C, 'hostile_names.prof'), 'prof'),
        Prof('hostile_files', os.path.join(C, 'hostile_files.prof'), 'prof'),
        Prof('hostile.folded', os.path.join(C, 'hostile.folded'), 'folded'),
        latin2, latin3,
    ]
    for p in profs:
        if p.kind == 'prof':
            p.units = ['seconds']
            if p.label.startswith(('hostile', 'py27-latin1', 'py311-latin1')):
                p.names = prof_names(p.path)
        elif p.kind == 'folded':
            p.units = ['samples']
            if p.label.startswith('hostile'):
                p.names = folded_names(p.path)
        else:
            p.units = speedscope_units(p.path)
    try:
        import_all(env, profs)
        if not R.ok(env.start(), 'serve prints the URL it serves on'):
            return R.done()
        byid = check_list(env, profs)
        for p in profs:
            for i in p.ids:
                docs = check_profile_docs(env, p, i, byid.get(i) or {})
                if p.names is not None:
                    docs['diff'] = check_diff(env, i, i)
                    check_bytes(p, docs)
        if latin2.ids and latin3.ids:
            check_diff(env, latin2.ids[0], latin3.ids[0])
        sampled = [p for p in profs if p.kind != 'prof' and p.ids]
        if len(sampled) >= 2:
            check_diff(env, sampled[0].ids[0], sampled[1].ids[0])
        check_error_bytes(env, latin2)
    finally:
        env.close()
    return R.done()


if __name__ == '__main__':
    sys.exit(main())

#!/usr/bin/env python3
"""HTTP API tests of `profview serve` (docs/serve-api.md).

    python3 tests/serve/test_serve_api.py PROFVIEW TESTS_DIR

TESTS_DIR is the repository's tests/ folder. The test imports real fixtures
(cProfile files of several Pythons from golden/fixtures, folded stacks and
speedscope files from sampled/fixtures, the before/after pair of diff/fixtures,
callgraph/fixtures/hostile_names.prof, plus two files written here: a profile of
20,501 functions and a variant of callgraph/fixtures/tree.folded) into a
scratch store, starts `PROFVIEW serve --db STORE --port 0` and queries every
endpoint. What each answer must hold is computed here, never taken from
profview:

* .prof files are read by pstats itself, run by the Python that wrote the file
  (tests/serve/pstats_query.py: rows of sort_stats/strip_dirs/reverse_order/
  print_stats restrictions, callers dicts, totals);
* folded stacks and speedscope files by tests/merge/pvtest.py's readers; call
  trees, sandwiches, self/total weights and differential trees from those stacks;
* icicle node streams are decoded here from docs/icicle-data.md;
* diff matching (exact, then unique file+name) and numbers from
  docs/profview-diff.md over pstats' numbers;
* the call graph's kept boxes from docs/profview-callgraph.md's node threshold.

Then errors, hostile URLs and raw requests, the static page, concurrency with an
import and an rm running, a second server on a taken port, and SIGINT.

Prints one FAIL line per failed check and `serve-api: N passed, M failed,
K skipped`; exits 1 on any failure. Standard library only.
"""

import base64
import glob
import http.client
import json
import marshal
import math
import os
import re
import signal
import socket
import struct
import subprocess
import sys
import threading
import time
import urllib.parse
import xml.etree.ElementTree as ET

sys.dont_write_bytecode = True
HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(os.path.dirname(HERE), 'merge'))
sys.path.insert(0, os.path.join(os.path.dirname(HERE), 'cli'))
from pvtest import Checks, Sandbox, read_folded, read_speedscope, close, fixture_python  # noqa: E402
from cli_common import mask  # noqa: E402

R = Checks('serve-api')
TESTS = None
SB = None
DB = None
SERVER = None
REL = 1e-9

FLAG_ESTIMATED, FLAG_CUT, FLAG_NEW = 1, 2, 4
JS_TYPES = ('text/javascript', 'application/javascript')


# ---------------------------------------------------------------------------
# The server process and HTTP


class Server:
    """profview serve, its output collected by two reader threads."""

    URL_RE = re.compile(r'http://([^/\s:]+|\[[^\]]+\]):(\d+)/')

    def __init__(self, db, port):
        cmd = [SB.profview, 'serve', '--db', db, '--port', str(port)]
        self.cmd = cmd
        self.out = []
        self.err = []
        self.url = None
        self.host = self.port = None
        self.proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                     stderr=subprocess.PIPE, env=SB.env, cwd=SB.dir)
        self.readers = [threading.Thread(target=self._read, args=(self.proc.stdout, self.out), daemon=True),
                        threading.Thread(target=self._read, args=(self.proc.stderr, self.err), daemon=True)]
        for t in self.readers:
            t.start()

    @staticmethod
    def _read(stream, into):
        for line in iter(stream.readline, b''):
            into.append(line.decode('utf-8', 'replace'))

    def wait_url(self, timeout=20):
        end = time.time() + timeout
        while time.time() < end:
            for line in list(self.out):
                m = self.URL_RE.search(line)
                if m:
                    self.url = m.group(0)
                    self.host = m.group(1).strip('[]')
                    self.port = int(m.group(2))
                    return True
            if self.proc.poll() is not None:
                time.sleep(0.2)
                break
            time.sleep(0.05)
        return False

    def text(self):
        return ''.join(self.out), ''.join(self.err)

    def stop(self, sig=signal.SIGINT, timeout=10):
        """(exit code or None, seconds taken)."""
        t0 = time.time()
        if self.proc.poll() is None:
            self.proc.send_signal(sig)
        try:
            self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            return None, time.time() - t0
        for t in self.readers:
            t.join(5)
        return self.proc.returncode, time.time() - t0

    def kill(self):
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()


class Resp:
    def __init__(self, status=None, reason='', headers=None, body=b'', error=None):
        self.status = status
        self.reason = reason
        self.headers = headers or {}
        self.body = body
        self.error = error
        self._doc = None
        self.json_error = None
        self._parsed = False

    def header(self, name):
        return self.headers.get(name.lower())

    def ctype(self):
        return (self.header('content-type') or '').split(';')[0].strip().lower()

    def doc(self):
        if not self._parsed:
            self._parsed = True
            try:
                self._doc = json.loads(self.body.decode('utf-8'))
            except (ValueError, UnicodeDecodeError) as exc:
                self.json_error = '%s: %s' % (type(exc).__name__, exc)
        return self._doc

    def brief(self):
        if self.error:
            return 'no answer: %s' % self.error
        return 'HTTP %s %s, %s, %d bytes: %r' % (self.status, self.reason, self.header('content-type'),
                                                len(self.body), self.body[:300])


def request(path, method='GET', headers=None, server=None, timeout=30):
    """One request on its own connection; a Resp (error set when there was no answer)."""
    srv = server or SERVER
    conn = http.client.HTTPConnection(srv.host, srv.port, timeout=timeout)
    try:
        conn.request(method, path, headers=headers or {})
        r = conn.getresponse()
        body = r.read()
        return Resp(r.status, r.reason, {k.lower(): v for k, v in r.getheaders()}, body)
    except Exception as exc:  # noqa: BLE001 - a refused/reset connection is a result
        death_note(srv, 'GET %s' % path[:200] if method == 'GET' else '%s %s' % (method, path[:200]))
        return Resp(error='%s: %s' % (type(exc).__name__, exc))
    finally:
        conn.close()


def death_note(srv, last):
    """Once: when the server process has died, say so with its last request and
    the head of what it printed (a sanitizer report starts with ERROR:)."""
    if srv is None or srv.proc.poll() is None or getattr(srv, 'death_told', False):
        return
    time.sleep(0.5)
    srv.death_told = True
    err = srv.text()[1]
    at = err.find('ERROR:')
    head = err[at:] if at >= 0 else err[-3000:]
    print('SERVER DIED (exit %r), noticed at: %s' % (srv.proc.returncode, last))
    for line in head.splitlines()[:70]:
        print('    | ' + line)


def q(path, params):
    """path?params, params a list of (name, value) pairs, form-encoded."""
    if not params:
        return path
    return path + '?' + urllib.parse.urlencode(params)


def api(path, params=None, what=None):
    """GET an /api/ document that must succeed: (Resp, doc or None), with one check."""
    url = q(path, params)
    r = request(url)
    what = what or url
    ok = (r.status == 200 and r.ctype() == 'application/json' and r.doc() is not None)
    detail = r.brief()
    if r.json_error:
        detail += '\n' + r.json_error
    if not R.ok(ok, 'GET %s: 200 application/json' % what, detail):
        return r, None
    return r, r.doc()


def raw(data, server=None, timeout=10, shut=True):
    """Sends raw bytes on a new connection; returns everything read until the
    server closes (or the timeout), or None when the connection failed.
    'Host: HOST' in data becomes the server's own host:port."""
    srv = server or SERVER
    data = data.replace(b'Host: HOST\r\n', b'Host: %s:%d\r\n' % (srv.host.encode(), srv.port))
    try:
        s = socket.create_connection((srv.host, srv.port), timeout=timeout)
    except OSError:
        return None
    got = b''
    try:
        s.sendall(data)
        if shut:
            try:
                s.shutdown(socket.SHUT_WR)
            except OSError:
                pass
        end = time.time() + timeout
        while time.time() < end:
            try:
                chunk = s.recv(65536)
            except socket.timeout:
                break
            except OSError:
                break
            if not chunk:
                break
            got += chunk
            # stop at the end of one answer with a Content-Length
            head, sep, body = got.partition(b'\r\n\r\n')
            if sep:
                m = re.search(rb'(?im)^content-length:\s*(\d+)', head)
                if m and len(body) >= int(m.group(1)):
                    break
    except OSError:
        pass
    finally:
        s.close()
    return got


def raw_status(got):
    if not got:
        return None
    m = re.match(rb'HTTP/1\.[01] (\d{3})', got)
    return int(m.group(1)) if m else -1


def alive(what):
    """The server process runs and answers /api/profiles."""
    running = SERVER.proc.poll() is None
    r = request('/api/profiles?limit=1') if running else Resp(error='process exited %r' % SERVER.proc.returncode)
    return R.ok(running and r.status == 200, 'server still alive and answering after %s' % what,
                r.brief() + '\nstderr: ' + SERVER.text()[1][-1500:])


def check_error(path, status, what=None, method='GET', accept=None):
    """An error answer: HTTP status (one of accept, else status), JSON
    {"error": {"status": S, "message": "..."}} with S the HTTP status."""
    r = request(path, method=method)
    what = what or '%s %s' % (method, path if len(path) < 120 else path[:100] + '...')
    allowed = accept or (status,)
    if not R.ok(r.status in allowed, '%s: HTTP %s' % (what, '/'.join(map(str, allowed))), r.brief()):
        return r
    if method == 'HEAD':
        return r
    R.eq(r.ctype(), 'application/json', '%s: error is application/json' % what)
    d = r.doc()
    good = (isinstance(d, dict) and set(d) == {'error'} and isinstance(d['error'], dict)
            and d['error'].get('status') == r.status and isinstance(d['error'].get('message'), str)
            and d['error']['message'] != '')
    R.ok(good, '%s: body is {"error": {"status": %s, "message": "..."}}' % (what, r.status), r.brief())
    return r


# ---------------------------------------------------------------------------
# Reading fixtures independently


class Pstats:
    """What pstats (of the file's own Python) says about a .prof file."""

    def __init__(self, path, queries):
        self.path = path
        self.ok = False
        py = fixture_python(path)
        if py is None:
            self.why = 'no python for %s' % os.path.basename(path)
            return
        p = subprocess.run([py, os.path.join(HERE, 'pstats_query.py'), path],
                           input=json.dumps(queries).encode(), stdout=subprocess.PIPE,
                           stderr=subprocess.PIPE, timeout=120)
        if p.returncode != 0:
            self.why = '%s cannot read %s: %s' % (py, path, p.stderr.decode('utf-8', 'replace')[-400:])
            return
        d = json.loads(p.stdout.decode('utf-8'))
        self.ok = True
        self.entries = d['entries']
        self.total_calls = d['total_calls']
        self.prim_calls = d['prim_calls']
        self.total_tt = d['total_tt']
        self.answers = d['answers']
        self.stats = {}
        self.callers = {}
        for e in self.entries:
            k = key3(e[0], e[1], e[2])
            self.stats[k] = e[3:7]
            self.callers[k] = {key3(c[0], c[1], c[2]): c[3] for c in e[7]}
        self.callees = {k: {} for k in self.stats}
        for k, cl in self.callers.items():
            for c, v in cl.items():
                self.callees.setdefault(c, {})[k] = v
        self.max_ct = max(v[3] for v in self.stats.values()) if self.stats else 0.0
        self.top_level = d.get('top_level', [])


def edge_cumtime(ps, caller, callee):
    """The time along caller->callee: cProfile's own (nc, cc, tt, ct); for the
    profile module's bare call count, the callee's cumtime shared by calls."""
    v = ps.callers.get(callee, {}).get(caller)
    if v is None:
        return float('nan')
    if isinstance(v, (list, tuple)):
        return v[3]
    nc = ps.stats[callee][1]
    return v / nc * ps.stats[callee][3] if nc else 0.0


def key3(file, line, name):
    return (mask(file), line, mask(name))


def sampled_display(file, line, name):
    """docs/sampled.md: name (file:line), name (file), or the bare name."""
    if file == '':
        return name
    if line:
        return '%s (%s:%d)' % (name, file, line)
    return '%s (%s)' % (name, file)


def std_name(file, line, name):
    if file == '~' and line == 0:
        if name.startswith('<') and name.endswith('>'):
            return '{%s}' % name[1:-1]
        return name
    return '%s:%d(%s)' % (file, line, name)


class Stacks:
    """A sampled profile as a multiset of stacks (tuples of frame display names)."""

    def __init__(self, stacks, root=0.0):
        self.stacks = {s: w for s, w in stacks.items() if w}
        self.root = root
        self.total = math.fsum(self.stacks.values()) + root

    def funcs(self):
        out = set()
        for s in self.stacks:
            out.update(s)
        return out

    def self_of(self, f):
        return math.fsum(w for s, w in self.stacks.items() if s[-1] == f)

    def total_of(self, f):
        return math.fsum(w for s, w in self.stacks.items() if f in s)

    def trie(self):
        """{prefix: [total, self]} of the call tree."""
        t = {}
        for s, w in self.stacks.items():
            for k in range(1, len(s) + 1):
                e = t.setdefault(s[:k], [0.0, 0.0])
                e[0] += w
            t[s][1] += w
        return t

    def recursive(self, f):
        return any(s.count(f) > 1 for s in self.stacks)

    def direct_callers(self, f):
        return {s[i - 1] for s in self.stacks for i in range(1, len(s)) if s[i] == f}

    def direct_callees(self, f):
        return {s[i + 1] for s in self.stacks for i in range(len(s) - 1) if s[i] == f}

    def sandwich(self, f):
        """(callees trie, callers trie) rooted at f, for f never twice on a stack:
        {path starting with f: [total, self]}."""
        below, above = {}, {}
        for s, w in self.stacks.items():
            if f not in s:
                continue
            k = s.index(f)
            down = s[k:]
            up = tuple(reversed(s[:k + 1]))
            for tr, path in ((below, down), (above, up)):
                for j in range(1, len(path) + 1):
                    tr.setdefault(path[:j], [0.0, 0.0])[0] += w
                tr[path][1] += w
        return below, above


# ---------------------------------------------------------------------------
# The icicle node stream (docs/icicle-data.md)


class Tree:
    """A decoded node stream. rec: [up, func, flags, self, count, base_self, base_total]."""

    def __init__(self, meta, recs):
        self.meta = meta
        self.recs = recs
        n = len(recs)
        self.parent = [-1] * n
        self.depth = [0] * n
        self.children = [[] for _ in range(n)]
        for i in range(1, n):
            p = i - recs[i][0]
            self.parent[i] = p
            self.depth[i] = self.depth[p] + 1
            self.children[p].append(i)
        self.total = [r[3] for r in recs]
        for i in range(n - 1, 0, -1):
            self.total[self.parent[i]] += self.total[i]

    def func(self, i):
        """Node i's position in meta.funcs."""
        return self.recs[i][1] - 1

    def pidx(self, pos):
        """The profile's index of the function at position pos of meta.funcs
        (funcs.index; the position itself when the meta has no index array)."""
        ix = self.meta['funcs'].get('index')
        return ix[pos] if isinstance(ix, list) else pos

    def fn(self, i):
        """Node i's function as the profile's index."""
        return self.pidx(self.func(i))

    def flags(self, i):
        return self.recs[i][2]

    def path(self, i):
        """The stack down to node i as profile function indexes."""
        out = []
        while i > 0:
            out.append(self.fn(i))
            i = self.parent[i]
        return tuple(reversed(out))

    def path_pos(self, i):
        """The stack down to node i as positions in meta.funcs."""
        out = []
        while i > 0:
            out.append(self.func(i))
            i = self.parent[i]
        return tuple(reversed(out))

    def paths(self):
        """{tuple of function indexes from node 1 (or the root's children) down: node}
        and a list of paths held twice (siblings of the same function)."""
        out, dup = {}, []
        for i in range(1, len(self.recs)):
            p = self.path(i)
            if p in out:
                dup.append(p)
            out[p] = i
        return out, dup

    def display(self, f):
        funcs = self.meta['funcs']
        return sampled_display(self.meta['files'][funcs['file'][f]], funcs['line'][f], funcs['name'][f])

    def by_display(self, rel_to=0):
        """{tuple of display names from rel_to's children down: [total, self, node]}."""
        out = {}
        base = len(self.path_pos(rel_to))
        stack = [rel_to]
        while stack:
            i = stack.pop()
            for c in self.children[i]:
                p = tuple(self.display(f) for f in self.path_pos(c)[base:])
                out[p] = [self.total[c], self.recs[c][3], c]
                stack.append(c)
        return out


def decode_stream(meta, b64):
    """(Tree or None, problem text or None)."""
    if not isinstance(b64, str) or not isinstance(meta, dict):
        return None, 'nodes is not a string or meta not an object'
    if re.search(r'\s', b64):
        return None, 'the base64 holds white space or line breaks'
    try:
        data = base64.b64decode(b64, validate=True)
    except Exception as exc:  # noqa: BLE001
        return None, 'not base64: %s' % exc
    try:
        is_int = meta['weights'] == 'int'
        if meta['weights'] not in ('int', 'f64'):
            return None, 'weights is %r' % meta['weights']
        diff = meta.get('diff') is not None
        nfuncs = len(meta['funcs']['name'])
        if not (len(meta['funcs']['file']) == nfuncs == len(meta['funcs']['line'])):
            return None, 'funcs arrays of different lengths'
    except (KeyError, TypeError) as exc:
        return None, 'meta lacks %s' % exc
    pos = 0

    def varint():
        nonlocal pos
        v = shift = 0
        for k in range(8):
            if pos >= len(data):
                raise ValueError('stream ends inside a varint')
            c = data[pos]
            pos += 1
            v |= (c & 0x7f) << shift
            shift += 7
            if not c & 0x80:
                return v
        raise ValueError('varint longer than 8 bytes at %d' % pos)

    def weight():
        nonlocal pos
        if is_int:
            return varint()
        if pos + 8 > len(data):
            raise ValueError('stream ends inside a double')
        x = struct.unpack_from('<d', data, pos)[0]
        pos += 8
        return x

    recs = []
    ancestors = []
    try:
        while pos < len(data):
            i = len(recs)
            up, func, flags = varint(), varint(), varint()
            s = weight()
            count = varint()
            bs = bt = None
            if diff:
                bs, bt = weight(), weight()
            if i == 0:
                if up != 0 or func != 0:
                    return None, 'node 0 has up=%d func=%d (want 0, 0)' % (up, func)
            else:
                if up < 1 or up > i:
                    return None, 'node %d: up %d out of range' % (i, up)
                p = i - up
                while ancestors and ancestors[-1] != p:
                    ancestors.pop()
                if not ancestors:
                    return None, 'node %d: parent %d is not an ancestor of node %d (not pre-order)' % (i, p, i - 1)
                if func < 1 or func > nfuncs:
                    return None, 'node %d: func %d not in 1..%d' % (i, func, nfuncs)
            if isinstance(s, float) and not math.isfinite(s):
                return None, 'node %d: self %r' % (i, s)
            if flags & ~7:
                return None, 'node %d: unknown flags %d' % (i, flags)
            ancestors.append(i)
            recs.append([up, func, flags, s, count, bs, bt])
    except ValueError as exc:
        return None, str(exc)
    if not recs:
        return None, 'empty stream'
    if meta.get('nodes') != len(recs):
        return None, 'meta.nodes %r but %d records' % (meta.get('nodes'), len(recs))
    return Tree(meta, recs), None


def get_tree(path, params, what):
    """GET an icicle-like answer: (doc, Tree) or (doc, None); checks it decodes."""
    r, d = api(path, params, what)
    if d is None:
        return None, None
    if not R.ok(isinstance(d, dict) and 'meta' in d and 'nodes' in d, '%s: {"meta", "nodes"}' % what,
                r.brief()):
        return d, None
    t, why = decode_stream(d['meta'], d['nodes'])
    R.ok(t is not None, '%s: node stream decodes (pre-order, varints, meta.nodes)' % what, why)
    return d, t


def diff_maps(got, want, what, rel=REL, fields=('total', 'self')):
    """got/want: {path: [total, self, ...]}; one check that they agree."""
    scale = max([abs(v[0]) for v in want.values()] + [1e-300])
    msgs = []
    for p in sorted(set(got) | set(want), key=lambda x: (len(x), x)):
        g, w = got.get(p), want.get(p)
        name = ';'.join(map(str, p))
        if g is None:
            msgs.append('missing: %s %r' % (name, w[:len(fields)]))
        elif w is None:
            msgs.append('extra:   %s %r' % (name, g[:len(fields)]))
        else:
            for k, f in enumerate(fields):
                if not close(g[k], w[k], rel, rel * scale):
                    msgs.append('%s: %s got %r want %r' % (f, name, g[k], w[k]))
    if msgs:
        msgs.insert(0, '%d differences (got %d nodes, want %d)' % (len(msgs), len(got), len(want)))
    return R.ok(not msgs, what, '\n'.join(msgs[:25]))


# ---------------------------------------------------------------------------
# Setup: fixtures and the store


class Prof:
    """One imported profile and what we know about it independently."""

    def __init__(self, label, path, kind, name=None):
        self.label = label
        self.path = path
        self.kind = kind          # 'pstats' | 'folded' | 'speedscope'
        self.name = name
        self.ids = []
        self.pst = None
        self.stacks = None        # Stacks (sampled)
        self.index = {}           # masked key or display -> index (from the table)
        self.by_index = {}        # index -> row

    @property
    def id(self):
        return self.ids[0] if self.ids else None

    def ref(self):
        return urllib.parse.quote(self.name, safe='') if self.name else str(self.id)


def import_file(p):
    argv = ['import', p.path] + (['--name', p.name] if p.name else [])
    rc, out, err = SB.run(DB, argv)
    ok = R.ok(rc == 0, 'import %s: exit 0' % p.label, err.decode('utf-8', 'replace')[-500:])
    if ok:
        p.ids = [int(x) for x in out.decode().split()]
    return ok


def table_queries(label):
    """(params, pstats query) pairs for /table of a pstats fixture."""
    out = [
        ([], dict(keys=None)),
        ([('by', 'tottime')], dict(keys=['tottime'])),
        ([('by', 'cumulative'), ('limit', '10')], dict(keys=['cumulative'], restrictions=[10])),
        ([('by', 'calls,name')], dict(keys=['calls', 'name'])),
        ([('by', 'nfl'), ('match', 'json'), ('limit', '5')], dict(keys=['nfl'], restrictions=['json', 5])),
        ([('by', 'nfl'), ('limit', '5'), ('match', 'json')], dict(keys=['nfl'], restrictions=[5, 'json'])),
        ([('by', 'pcalls'), ('fraction', '0.1')], dict(keys=['pcalls'], restrictions=[0.1])),
        ([('by', 'stdname'), ('match', 'e'), ('match', '^<'), ('limit', '4')],
         dict(keys=['stdname'], restrictions=['e', '^<', 4])),
        ([('by', 'tottime'), ('strip_dirs', '1'), ('limit', '15')],
         dict(keys=['tottime'], strip=True, restrictions=[15])),
        ([('strip_dirs', '1')], dict(keys=None, strip=True)),
        ([('by', 'cumulative'), ('reverse', '1'), ('limit', '7')],
         dict(keys=['cumulative'], reverse=True, restrictions=[7])),
        ([('by', 'line,filename'), ('fraction', '0.25'), ('match', 'o')],
         dict(keys=['line', 'filename'], restrictions=[0.25, 'o'])),
        ([('by', 'name'), ('limit', '20'), ('fraction', '0.5'), ('match', 'a')],
         dict(keys=['name'], restrictions=[20, 0.5, 'a'])),
    ]
    if label == 'py312-profile':   # names holding code objects: pstats cannot sort by name
        out = [x for x in out if 'name' not in (x[1].get('keys') or []) and 'stdname' not in (x[1].get('keys') or [])
               and 'nfl' not in (x[1].get('keys') or [])]
    return out


def write_big(path, n=20500):
    """A cProfile-format stats dict: main() calling n functions once each."""
    st = {}
    root = ('/big/main.py', 1, 'main')
    tot = 0.0
    for i in range(n):
        k = ('/big/pkg%d/mod.py' % (i // 100), i + 10, 'f%d' % i)
        tt = 1e-6 * ((i * 7919) % 97 + 1)
        tot += tt
        st[k] = (1, 1, tt, tt, {root: (1, 1, tt, tt)})
    st[root] = (1, 1, 1e-3, tot + 1e-3, {})
    with open(path, 'wb') as f:
        marshal.dump(st, f)


def write_tree_variant(src, dst):
    """tree.folded changed: one weight doubled, one stack gone, one new stack."""
    with open(src) as f:
        lines = [l.rstrip('\n') for l in f if l.strip()]
    out = []
    for k, l in enumerate(lines):
        stack, w = l.rsplit(' ', 1)
        if k == 0:
            out.append('%s %d' % (stack, int(w) * 2))
        elif k == 3:
            continue
        else:
            out.append(l)
    out.append('r;a;zz_new 7')
    with open(dst, 'w') as f:
        f.write('\n'.join(out) + '\n')


# ---------------------------------------------------------------------------
# Checks: the profile list and summaries


def profile_fields_check(p, doc):
    """A PROFILE object against what we know of the file."""
    what = '%s profile object' % p.label
    if not R.ok(isinstance(doc, dict), '%s is an object' % what, repr(doc)[:300]):
        return
    want_keys = {'id', 'name', 'source', 'format', 'producer', 'kind', 'unit', 'thread', 'part', 'group_id',
                 'imported_at', 'function_count', 'edge_count', 'total_calls', 'primitive_calls', 'total_time',
                 'total_weight', 'total_samples', 'node_count', 'total'}
    R.eq(sorted(want_keys - set(doc)), [], '%s: has every documented field' % what)
    R.eq(doc.get('source'), p.path, '%s: source is the imported path' % what)
    R.eq(doc.get('name'), p.name, '%s: name' % what)
    R.ok(re.match(r'^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$', str(doc.get('imported_at'))) is not None,
         '%s: imported_at is an ISO UTC time' % what, repr(doc.get('imported_at')))
    if p.kind == 'pstats' and p.pst and p.pst.ok:
        ps = p.pst
        R.eq(doc.get('format'), 'pstats', '%s: format' % what)
        R.eq((doc.get('kind'), doc.get('unit')), ('calls', 'seconds'), '%s: kind, unit' % what)
        R.eq(doc.get('function_count'), len(ps.stats), '%s: function_count = len(pstats stats)' % what)
        R.eq(doc.get('edge_count'), sum(len(c) for c in ps.callers.values()),
             '%s: edge_count = pstats caller entries' % what)
        R.eq((doc.get('total_calls'), doc.get('primitive_calls')), (ps.total_calls, ps.prim_calls),
             '%s: total_calls, primitive_calls as pstats' % what)
        R.ok(close(doc.get('total_time') or 0, ps.total_tt) and close(doc.get('total') or 0, ps.total_tt),
             '%s: total_time = total = pstats total_tt' % what,
             'got %r / %r want %r' % (doc.get('total_time'), doc.get('total'), ps.total_tt))
    elif p.stacks is not None:
        st = p.stacks
        R.eq(doc.get('kind'), 'sampled' if p.label != 'evented' else 'evented', '%s: kind' % what)
        R.eq(doc.get('format'), 'folded' if p.kind == 'folded' else 'speedscope', '%s: format' % what)
        R.ok(close(doc.get('total_weight') or 0, st.total) and close(doc.get('total') or 0, st.total),
             '%s: total_weight = total = sum of the stacks' % what,
             'got %r / %r want %r' % (doc.get('total_weight'), doc.get('total'), st.total))
        R.eq(doc.get('function_count'), len(st.funcs()), '%s: function_count = distinct frames' % what)
        if p.kind == 'folded':
            R.eq((doc.get('unit'), doc.get('total_samples')), ('samples', int(st.total)),
                 '%s: unit samples, total_samples = sum of counts' % what)


def check_profiles_list(profs):
    r, d = api('/api/profiles')
    if d is None:
        return []
    allp = d.get('profiles') or []
    ids = [x.get('id') for x in allp]
    want_ids = sorted({i for p in profs for i in p.ids}, reverse=True)
    R.eq(ids, want_ids, '/api/profiles: every imported profile, newest first')
    R.eq((d.get('total'), d.get('offset'), d.get('limit')), (len(want_ids), 0, 200),
         '/api/profiles: total, offset 0, limit 200')
    byid = {x.get('id'): x for x in allp}
    for p in profs:
        if p.id in byid:
            profile_fields_check(p, byid[p.id])
    # limit / offset
    r, d2 = api('/api/profiles', [('limit', '3'), ('offset', '2')])
    if d2:
        R.eq([x.get('id') for x in d2.get('profiles', [])], want_ids[2:5], '/api/profiles?limit=3&offset=2: ids')
        R.eq((d2.get('total'), d2.get('offset'), d2.get('limit')), (len(want_ids), 2, 3),
             '/api/profiles?limit=3&offset=2: total counts all, offset, limit echoed')
    r, d2 = api('/api/profiles', [('offset', str(len(want_ids) + 5))])
    if d2:
        R.eq((d2.get('profiles'), d2.get('total')), ([], len(want_ids)), '/api/profiles past the end: empty, total')

    # q: name, source, format or thread contains the text, case-insensitive
    def fields(x):
        return [str(x.get(k) or '') for k in ('name', 'source', 'format', 'thread')]
    for text in ('FOLDED', 'pyspy', 'json-worker', 'golden/fixtures/py3', 'Speedscope', 'no such text at all',
                 'hostile names \u00e9'):
        want = [x['id'] for x in allp if any(text.lower() in f.lower() for f in fields(x))]
        r, d3 = api('/api/profiles', [('q', text)], '/api/profiles?q=%s' % text)
        if d3:
            R.eq([x.get('id') for x in d3.get('profiles', [])], want, '/api/profiles?q=%s: the matching ids' % text)
            R.eq(d3.get('total'), len(want), '/api/profiles?q=%s: total' % text)
    # an independent look at q: our own records
    want = sorted({i for p in profs if p.kind == 'folded' for i in p.ids}
                  | {i for p in profs for i in p.ids if p.path.lower().find('folded') >= 0}, reverse=True)
    r, d3 = api('/api/profiles', [('q', 'folded'), ('limit', '1000')])
    if d3:
        R.eq([x.get('id') for x in d3.get('profiles', [])], want, '/api/profiles?q=folded: the folded imports')
    # a speedscope file of several threads: one profile per thread, grouped
    for p in profs:
        if p.label != 'threads.speedscope' or not p.ids:
            continue
        with open(p.path, 'rb') as f:
            names = [x['name'] for x in json.loads(f.read().decode('utf-8'))['profiles']]
        got = [byid.get(i, {}) for i in sorted(p.ids)]
        R.eq([x.get('thread') for x in got], names, '%s: one profile per thread, thread = speedscope name' % p.label)
        R.eq([x.get('part') for x in got], list(range(len(names))), '%s: part 0, 1, ...' % p.label)
        gids = {x.get('group_id') for x in got}
        R.ok(len(gids) == 1 and None not in gids, '%s: one group_id for the threads' % p.label, repr(gids))
        r, d4 = api('/api/profiles', [('q', names[-1].upper())])
        if d4:
            R.eq([x.get('id') for x in d4.get('profiles', [])], [max(p.ids)],
                 '/api/profiles?q=%s: the thread\'s profile' % names[-1].upper())
    return allp


def check_name_refs(p):
    """A name holding '/', '%', a space and UTF-8, percent-encoded in the path."""
    if p.id is None:
        return
    for sub in ('', '/table?limit=1', '/icicle?depth=1'):
        url = '/api/profiles/%s%s' % (p.ref(), sub)
        r = request(url)
        R.ok(r.status == 200, 'GET %s: the profile named %r (names are percent-decoded)' % (url, p.name), r.brief())
        if sub == '' and r.status == 200 and r.doc():
            R.eq((r.doc().get('profile') or {}).get('id'), p.id, 'GET %s: its id' % url)


def check_summary(p):
    """/api/profiles/{ref} by id and by name; top_self/top_total against pstats."""
    refs = [str(p.id)] + ([p.ref()] if p.name else [])
    docs = []
    for ref in refs:
        r, d = api('/api/profiles/%s' % ref)
        if d:
            docs.append(d)
            R.eq((d.get('profile') or {}).get('id'), p.id, '/api/profiles/%s: the profile %s' % (ref, p.label))
    if not docs:
        return
    d = docs[0]
    if len(docs) > 1:
        R.ok(docs[0] == docs[1], '%s: summary by id = by name' % p.label)
    for k in ('top_level', 'top_self', 'top_total'):
        R.ok(isinstance(d.get(k), list), '%s summary: %s is a list' % (p.label, k), repr(d.get(k))[:200])
    if p.stacks is not None:
        st = p.stacks
        for k, fn in (('top_self', st.self_of), ('top_total', st.total_of)):
            want = sorted((fn(f) for f in st.funcs()), reverse=True)[:10]
            got = d.get(k) or []
            gv = [x.get('self' if k == 'top_self' else 'total') for x in got]
            R.ok(len(gv) == len(want) and all(close(a or 0, b) for a, b in zip(gv, want)),
                 '%s summary: %s = the 10 largest from the stacks' % (p.label, k), 'got  %r\nwant %r' % (gv, want))
            bad = [x for x in got if p.index.get(sampled_display(x.get('file') or '', x.get('line') or 0,
                                                                 x.get('name') or '')) != x.get('index')]
            R.ok(not bad, '%s summary: %s indexes are the table\'s' % (p.label, k), repr(bad[:3])[:400])
    if not (p.pst and p.pst.ok):
        return
    ps = p.pst
    tl = d.get('top_level')
    R.ok(isinstance(tl, list) and sorted(map(mask, tl)) == sorted(map(mask, ps.top_level)),
         '%s summary: top_level = pstats\' top_level (functions called by jprofile:0(profiler))' % p.label,
         'got  %r\nwant %r' % (tl, ps.top_level))
    inexact = []
    for k, col in (('top_self', 2), ('top_total', 3)):
        got = d.get(k) or []
        want_vals = sorted((v[col] for v in ps.stats.values()), reverse=True)[:10]
        got_vals = [f.get('self' if col == 2 else 'total') for f in got]
        R.ok(len(got_vals) == len(want_vals) and all(close(g or 0, w) for g, w in zip(got_vals, want_vals)),
             '%s summary: %s values = the 10 largest pstats %s' % (p.label, k, 'tottime' if col == 2 else 'cumtime'),
             'got  %r\nwant %r' % (got_vals, want_vals))
        bad = []
        for f in got:
            key = key3(f.get('file', ''), f.get('line'), f.get('name', ''))
            v = ps.stats.get(key)
            if v and not (same_num(f.get('self'), v[2]) and same_num(f.get('total'), v[3])):
                inexact.append('%s: self %r total %r, pstats (and /table) %r %r' % (std_name(*key), f.get('self'),
                                                                                  f.get('total'), v[2], v[3]))
        for f in got:
            key = key3(f.get('file', ''), f.get('line'), f.get('name', ''))
            v = ps.stats.get(key)
            if v is None:
                bad.append('not a pstats function: %r' % (key,))
                continue
            cc, nc, tt, ct = v
            want = dict(calls=nc, primitive_calls=cc, stdname=mask(std_name(*key)))
            gotf = dict(calls=f.get('calls'), primitive_calls=f.get('primitive_calls'),
                        stdname=mask(f.get('stdname', '')))
            if gotf != want or not close(f.get('self') or 0, tt) or not close(f.get('total') or 0, ct):
                bad.append('%s: got %r want %r' % (key, f, v))
            if key in p.index and f.get('index') != p.index[key]:
                bad.append('%s: index %r, the table says %r' % (key, f.get('index'), p.index[key]))
        R.ok(not bad, '%s summary: every %s FUNC equals pstats (and the table index)' % (p.label, k), '\n'.join(bad[:10]))
    R.ok(not inexact, '%s summary: FUNC self/total are the exact doubles (as /table gives them)' % p.label,
         '\n'.join(inexact[:6]))


# ---------------------------------------------------------------------------
# Tables


def same_num(got, want):
    if want is None or got is None:
        return got is None and want is None
    return got == want and isinstance(got, (int, float)) and not isinstance(got, bool)


def note_index(p, key, idx, what, strip=False):
    """One function -> one index, the same in every answer."""
    reg = p.index if not strip else p.__dict__.setdefault('index_strip', {})
    if key in reg:
        return reg[key] == idx
    reg[key] = idx
    return True


def compare_pstats_table(p, params, ans, doc, what, strip):
    funcs = doc.get('functions')
    if not R.ok(isinstance(funcs, list), '%s: functions is a list' % what, repr(doc)[:300]):
        return
    want = ans['rows']
    R.eq(doc.get('functions_listed'), len(want), '%s: functions_listed' % what)
    R.eq(doc.get('functions_total'), ans['total'], '%s: functions_total' % what)
    keys = dict(params).get('by')
    R.eq(doc.get('ordered_by'), ans['sort_type'] if keys else None, '%s: ordered_by as pstats' % what)
    got_rows = [(mask(f.get('file', '')), f.get('line'), mask(f.get('name', ''))) for f in funcs]
    want_rows = [key3(r[0], r[1], r[2]) for r in want]
    if not R.eq(len(got_rows), len(want_rows), '%s: number of rows' % what):
        pass
    first = next((i for i, (g, w) in enumerate(zip(got_rows, want_rows)) if g != w), None)
    R.ok(first is None and len(got_rows) == len(want_rows), '%s: the rows pstats lists, in its order' % what,
         None if first is None else 'row %d: got %r\n        want %r' % (first, got_rows[first], want_rows[first]))
    bad = []
    seen = set()
    for f, w in zip(funcs, want):
        file, line, name, cc, nc, tt, ct, std = w
        k = key3(file, line, name)
        probs = []
        for fld, val in (('calls', nc), ('primitive_calls', cc), ('tottime', tt), ('cumtime', ct),
                         ('tottime_per_call', tt / nc if nc else None),
                         ('cumtime_per_call', ct / cc if cc else None)):
            if not same_num(f.get(fld), val):
                probs.append('%s %r != %r' % (fld, f.get(fld), val))
        if mask(f.get('stdname', '')) != mask(std):
            probs.append('stdname %r != %r' % (f.get('stdname'), std))
        idx = f.get('index')
        if not isinstance(idx, int) or isinstance(idx, bool) or idx < 0:
            probs.append('index %r' % (idx,))
        else:
            if idx in seen:
                probs.append('index %d twice' % idx)
            seen.add(idx)
            if not note_index(p, k, idx, what, strip):
                probs.append('index %d, elsewhere %r' % (idx, (p.index_strip if strip else p.index).get(k)))
        if probs:
            bad.append('%s: %s' % (std, '; '.join(probs)))
    R.ok(not bad, '%s: every row\'s numbers, stdname and a stable unique index' % what, '\n'.join(bad[:10]))


def check_tables(p, queries):
    base = '/api/profiles/%s/table' % p.ref()
    for (params, _q), ans in zip(queries, p.pst.answers):
        what = q(base, params)
        if ans.get('error'):
            R.skip('%s: pstats raises %s' % (what, ans['error']))
            continue
        r, d = api(base, params, what)
        if d:
            compare_pstats_table(p, params, ans, d, what, bool(_q.get('strip')))
    n = len(p.pst.stats)
    R.ok(p.index and all(0 <= i < n for i in p.index.values()) and len(set(p.index.values())) == len(p.index),
         '%s: indexes are distinct, 0 <= index < function_count' % p.label, repr(sorted(p.index.values()))[:300])


def check_sampled_table(p):
    st = p.stacks
    base = '/api/profiles/%s/table' % p.ref()
    want = {f: (st.self_of(f), st.total_of(f)) for f in st.funcs()}
    for params, key in (([], 'self'), ([('by', 'total')], 'total'), ([('by', 'self'), ('limit', '5')], 'self'),
                        ([('by', 'total'), ('match', 'fib|work')], 'total')):
        what = q(base, params)
        r, d = api(base, params, what)
        if not d:
            continue
        funcs = d.get('functions') or []
        lim = dict(params).get('limit')
        mt = dict(params).get('match')
        exp = {f: v for f, v in want.items() if not mt or re.search(mt, f)}
        col = 0 if key == 'self' else 1
        vals = sorted((v[col] for v in exp.values()), reverse=True)
        if lim:
            vals = vals[:int(lim)]
        R.ok(close(d.get('total_weight') or 0, st.total), '%s: total_weight = sum of the stacks' % what,
             'got %r want %r' % (d.get('total_weight'), st.total))
        R.eq(d.get('functions_total'), len(want), '%s: functions_total = distinct frames' % what)
        got_vals = [f.get(key) for f in funcs]
        R.ok(len(got_vals) == len(vals) and all(close(a or 0, b) for a, b in zip(got_vals, vals)),
             '%s: %s column, largest first, as the stacks give' % (what, key),
             'got  %r\nwant %r' % (got_vals[:12], vals[:12]))
        bad = []
        for f in funcs:
            disp = f.get('display')
            if disp not in exp:
                bad.append('not expected: %r' % disp)
                continue
            s, t = exp[disp]
            if not (close(f.get('self', -1), s) and close(f.get('total', -1), t)):
                bad.append('%s: self/total %r/%r want %r/%r' % (disp, f.get('self'), f.get('total'), s, t))
            if p.kind == 'folded' and (f.get('samples') != int(t) or f.get('self_samples') != int(s)):
                bad.append('%s: samples/self_samples %r/%r want %r/%r' % (disp, f.get('samples'),
                                                                          f.get('self_samples'), t, s))
            idx = f.get('index')
            if not isinstance(idx, int) or not note_index(p, disp, idx, what):
                bad.append('%s: index %r (elsewhere %r)' % (disp, idx, p.index.get(disp)))
        R.ok(not bad, '%s: every row (self, total, samples, stable index)' % what, '\n'.join(bad[:10]))
    n = len(want)
    R.ok(p.index and all(0 <= i < n for i in p.index.values()) and len(set(p.index.values())) == len(p.index),
         '%s: indexes are distinct, 0 <= index < function_count' % p.label, repr(sorted(p.index.values()))[:300])


def check_big_table(p):
    base = '/api/profiles/%s/table' % p.id
    for params in ([], [('limit', '30000')], [('by', 'tottime')]):
        what = q(base, params)
        r, d = api(base, params, what)
        if d:
            R.eq((d.get('functions_total'), d.get('functions_listed'), len(d.get('functions') or [])),
                 (20501, 20000, 20000), '%s: at most 20,000 rows listed (functions_total 20501)' % what)
    r, d = api(base, [('limit', '10')], base + '?limit=10')
    if d:
        R.eq((d.get('functions_listed'), len(d.get('functions') or [])), (10, 10), '%s?limit=10: 10 rows' % base)


# ---------------------------------------------------------------------------
# Callers / callees


def edge_fields(v):
    if isinstance(v, list):
        nc, cc, tt, ct = v
        return {'calls': nc, 'primitive_calls': cc, 'tottime': tt, 'cumtime': ct}
    return {'count': v}


def compare_edges(got, want, what, check_order=True):
    """got: the JSON array; want: {key: pstats value}."""
    keys = [key3(e.get('file', ''), e.get('line'), e.get('name', '')) for e in got]
    wk = sorted(want)
    probs = []
    if sorted(keys) != wk:
        probs.append('functions: got %r\n want %r' % (keys[:8], wk[:8]))
    elif check_order and keys != wk:
        probs.append('order (pstats: by file, line, name): got %r' % keys[:8])
    for e, k in zip(got, keys):
        if k not in want:
            continue
        for fld, val in edge_fields(want[k]).items():
            if not same_num(e.get(fld), val):
                probs.append('%s %s: %r != %r' % (std_name(*k), fld, e.get(fld), val))
    return R.ok(not probs, what, '\n'.join(probs[:12]))


def pick_functions(p):
    """A few interesting functions of a pstats profile: the heaviest, one with
    several callers, a recursive one, one with several callees, a built-in."""
    ps = p.pst
    keys = sorted(ps.stats, key=lambda k: -ps.stats[k][3])
    out = keys[:2]
    many = [k for k in keys if len(ps.callers[k]) >= 3]
    rec = [k for k in keys if k in ps.callers[k]]
    callee_rich = [k for k in keys if len(ps.callees.get(k, {})) >= 4]
    builtin = [k for k in keys if k[0] == '~']
    for group in (many, rec, callee_rich, builtin):
        if group and group[0] not in out:
            out.append(group[0])
    return [k for k in out if k in p.index]


def check_callers(p):
    ps = p.pst
    code_obj = any('<code object' in k[2] for k in ps.stats)
    for k in pick_functions(p):
        idx = p.index[k]
        for kind, want in (('callers', ps.callers[k]), ('callees', ps.callees.get(k, {}))):
            path = '/api/profiles/%s/%s' % (p.ref(), kind)
            what = '%s?func=%d (%s)' % (path, idx, std_name(*k))
            r, d = api(path, [('func', str(idx))], what)
            if not d:
                continue
            funcs = d.get('functions') or []
            if not R.eq([key3(f.get('file', ''), f.get('line'), f.get('name', '')) for f in funcs], [k],
                        '%s: lists exactly that function' % what):
                continue
            f = funcs[0]
            cc, nc, tt, ct = ps.stats[k]
            R.ok(same_num(f.get('calls'), nc) and same_num(f.get('primitive_calls'), cc)
                 and same_num(f.get('tottime'), tt) and same_num(f.get('cumtime'), ct),
                 '%s: the function\'s stats' % what, repr(f)[:300])
            compare_edges(f.get(kind) or [], want, '%s: %s as pstats\' callers dict' % (what, kind),
                          check_order=not code_obj)
    # a listing: same choice as the table, each with its edges
    if p.label == 'py312-profile':
        return
    for kind in ('callers', 'callees'):
        path = '/api/profiles/%s/%s' % (p.ref(), kind)
        params = [('by', 'cumulative'), ('limit', '6')]
        ans = p.pst.answers[len(table_queries(p.label))]   # the extra query: cumulative, 6
        r, d = api(path, params, q(path, params))
        if not d:
            continue
        funcs = d.get('functions') or []
        R.eq([key3(f.get('file', ''), f.get('line'), f.get('name', '')) for f in funcs],
             [key3(*r_[:3]) for r_ in ans['rows']], '%s: the functions pstats lists' % q(path, params))
        for f in funcs:
            k = key3(f.get('file', ''), f.get('line'), f.get('name', ''))
            want = (ps.callers if kind == 'callers' else ps.callees).get(k, {})
            compare_edges(f.get(kind) or [], want, '%s: %s of %s' % (q(path, params), kind, std_name(*k)))
    # func is applied before limit/match: a match that excludes it gives nothing
    if pick_functions(p):
        k = pick_functions(p)[0]
        path = '/api/profiles/%s/callers' % p.ref()
        params = [('func', str(p.index[k])), ('match', '^no such function$')]
        r, d = api(path, params, q(path, params))
        if d:
            R.eq(d.get('functions'), [], '%s: nothing' % q(path, params))
    # strip_dirs: func names an index of the stripped table
    strip_ans = p.pst.answers[len(table_queries(p.label)) + 1]
    if not strip_ans.get('error') and getattr(p, 'index_strip', None):
        rows = strip_ans['rows'][:3]
        for r_ in rows:
            k = key3(*r_[:3])
            if k not in p.index_strip:
                continue
            path = '/api/profiles/%s/callers' % p.ref()
            params = [('strip_dirs', '1'), ('func', str(p.index_strip[k]))]
            r, d = api(path, params, q(path, params))
            if d:
                funcs = d.get('functions') or []
                R.eq([key3(f.get('file', ''), f.get('line'), f.get('name', '')) for f in funcs], [k],
                     '%s: the stripped table\'s function %s' % (q(path, params), std_name(*k)))
                if funcs:
                    compare_edges(funcs[0].get('callers') or [], strip_ans['callers'][rows.index(r_)],
                                  '%s: callers after strip_dirs' % q(path, params))


def check_sampled_callers(p):
    st = p.stacks
    funcs = sorted(st.funcs(), key=lambda f: -st.total_of(f))
    picks = [f for f in funcs if not st.recursive(f)][:4] + [f for f in funcs if st.recursive(f)][:1]
    for f in picks:
        idx = p.index.get(f)
        if idx is None:
            continue
        for kind, want in (('callers', st.direct_callers(f)), ('callees', st.direct_callees(f))):
            path = '/api/profiles/%s/%s' % (p.ref(), kind)
            what = '%s?func=%d (%s)' % (path, idx, f)
            r, d = api(path, [('func', str(idx))], what)
            if not d:
                continue
            lst = d.get('functions') or []
            if not R.eq([x.get('display') for x in lst], [f], '%s: lists exactly that function' % what):
                continue
            edges = lst[0].get(kind) or []
            R.eq(sorted(e.get('display') for e in edges), sorted(want), '%s: the direct %s in the stacks' % (what, kind))
            # numbers of edges whose ends are never repeated on a stack
            bad = []
            for e in edges:
                other = e.get('display')
                a, b = (other, f) if kind == 'callers' else (f, other)
                rel = [(s, w) for s, w in st.stacks.items() if any(s[i] == a and s[i + 1] == b
                                                                   for i in range(len(s) - 1))]
                if any(s.count(a) > 1 or s.count(b) > 1 for s, _ in rel):
                    continue
                tot = math.fsum(w for _, w in rel)
                slf = math.fsum(w for s, w in rel if s[-1] == b and s[-2] == a)
                if not (close(e.get('total', -1), tot) and close(e.get('self', -1), slf)):
                    bad.append('%s -> %s: total/self %r/%r want %r/%r' % (a, b, e.get('total'), e.get('self'),
                                                                          tot, slf))
                if p.kind == 'folded' and e.get('samples') != int(tot):
                    bad.append('%s -> %s: samples %r want %r' % (a, b, e.get('samples'), tot))
            R.ok(not bad, '%s: edge weights (pairs without recursion) from the stacks' % what, '\n'.join(bad[:8]))


# ---------------------------------------------------------------------------
# Icicle


def check_meta_funcs(p, t, what):
    """meta.funcs[index] is the table's function of that index."""
    bad = []
    funcs = t.meta['funcs']
    ix = funcs.get('index')
    if not R.ok(isinstance(ix, list) and len(ix) == len(funcs['name']),
                '%s: meta.funcs.index, one per function' % what, repr(ix)[:200]):
        return
    idx2key = {v: k for k, v in p.index.items()}
    R.eq(len(set(ix)), len(ix), '%s: meta.funcs.index distinct' % what)
    for pos, idx in enumerate(ix):
        key = idx2key.get(idx)
        if key is None:
            bad.append('funcs.index[%d] = %r: no table row has that index' % (pos, idx))
            continue
        file = t.meta['files'][funcs['file'][pos]]
        if p.kind == 'pstats':
            got = key3(file, funcs['line'][pos], funcs['name'][pos])
        else:
            got = t.display(pos)
        if got != key:
            bad.append('funcs[%d] (index %d) = %r, the table says %r' % (pos, idx, got, key))
    R.ok(not bad, '%s: meta.funcs[i] is the table\'s function of index funcs.index[i]' % what, '\n'.join(bad[:8]))


def check_meta_common(p, d, t, what, depth=None, root_path=None):
    """root_path: [{"func": profile index, "total": T}]; the answer's frames are whole:
    {"index": profile index, "name", "file", "line", "total"} (docs/serve-api.md)."""
    m = d['meta']
    R.eq(m.get('version'), 1, '%s: meta.version 1' % what)
    R.eq(m.get('depth'), depth, '%s: meta.depth' % what)
    if root_path is not None:
        got = m.get('root_path')
        nf = len(m['funcs']['name'])

        def same(g, w):
            f = g.get('index') if isinstance(g, dict) else None
            return (isinstance(f, int) and f == w['func'] and isinstance(g.get('name'), str)
                    and isinstance(g.get('file'), str) and isinstance(g.get('line'), int)
                    and close(g.get('total', -1), w['total'], 1e-9, 1e-12))
        ok = isinstance(got, list) and len(got) == len(root_path) and all(same(g, w) for g, w in zip(got, root_path))
        R.ok(ok, '%s: meta.root_path' % what, 'got  %r\nwant %r' % (got, root_path))
    if p.kind == 'pstats':
        R.eq((m.get('kind'), m.get('unit'), m.get('estimated'), m.get('count')), ('calls', 'seconds', True, 'calls'),
             '%s: meta kind/unit/estimated/count' % what)
    elif p.kind == 'folded':
        R.eq((m.get('kind'), m.get('unit'), m.get('estimated'), m.get('count'), m.get('weights')),
             ('sampled', 'samples', False, 'samples', 'int'), '%s: meta kind/unit/estimated/count/weights' % what)


def expected_depth_cut(full, sub_root, depth):
    """Nodes of full's subtree under sub_root deeper than depth levels below sub_root's parent."""
    base = full.depth[sub_root] - 1 if sub_root else 0
    n = 0
    stack = [sub_root]
    while stack:
        i = stack.pop()
        for c in full.children[i]:
            if full.depth[c] - base > depth:
                n += 1
            stack.append(c)
    return n


def check_depth(p, full, path_nodes, depth, what_base, params_base):
    """The answer with depth=D against the full tree: same nodes up to D levels,
    the same totals, deeper nodes folded into their ancestor (self = total, CUT)."""
    params = params_base + [('depth', str(depth))]
    what = '%s depth=%d' % (what_base, depth)
    path = '/api/profiles/%s/icicle' % p.ref()
    d, t = get_tree(path, params, what)
    if t is None:
        return
    sub = path_nodes[-1] if path_nodes else 0
    base = len(full.path(sub)) - 1 if sub else 0       # the answer's node 1 is full's node `sub`
    R.ok(max(t.depth) <= depth, '%s: no node deeper than %d' % (what, depth), 'max depth %d' % max(t.depth))
    full_sub = {}
    stack = [sub]
    while stack:
        i = stack.pop()
        for c in full.children[i]:
            rel = full.path(c)[base:]
            if len(rel) <= depth:
                full_sub[rel] = c
                stack.append(c)
    if sub:
        full_sub[full.path(sub)[base:]] = sub
        full_sub = {k: v for k, v in full_sub.items() if len(k) <= depth}
    got_paths, dup = t.paths()
    R.eq(dup, [], '%s: no function twice among siblings' % what)
    R.eq(sorted(got_paths), sorted(full_sub), '%s: the nodes of the first %d levels' % (what, depth))
    bad = []
    for rel, fi in full_sub.items():
        gi = got_paths.get(rel)
        if gi is None:
            continue
        if not close(t.total[gi], full.total[fi], 1e-9, 1e-12 + 1e-9 * full.total[0]):
            bad.append('%r: total %r want %r' % (rel, t.total[gi], full.total[fi]))
        has_kids = bool(full.children[fi])
        at_limit = t.depth[gi] == depth
        cut = bool(t.flags(gi) & FLAG_CUT)
        if at_limit and has_kids:
            if not cut:
                bad.append('%r: folded children but no CUT flag' % (rel,))
            if not close(t.recs[gi][3], full.total[fi], 1e-9, 1e-12 + 1e-9 * full.total[0]):
                bad.append('%r: self %r, want its whole total %r' % (rel, t.recs[gi][3], full.total[fi]))
        elif cut and not (full.flags(fi) & FLAG_CUT):
            bad.append('%r: CUT flag but nothing was folded' % (rel,))
    R.ok(not bad, '%s: totals kept, folded nodes carry CUT and their subtree\'s weight' % what, '\n'.join(bad[:10]))
    R.ok(close(t.total[0], full.total[sub] if sub else full.total[0], 1e-9, 1e-12),
         '%s: the root total is kept' % what, '%r vs %r' % (t.total[0], full.total[sub] if sub else full.total[0]))
    R.eq(d['meta'].get('depth_cut'), expected_depth_cut(full, sub, depth), '%s: meta.depth_cut' % what)
    R.eq(d['meta'].get('depth'), depth, '%s: meta.depth' % what)


def check_icicle(p):
    """The whole tree against the stacks (sampled) or pstats' edges (calls), then
    path= subtrees and depth= folding against the whole tree."""
    path = '/api/profiles/%s/icicle' % p.ref()
    d, full = get_tree(path, [], path)
    if full is None:
        return
    check_meta_common(p, d, full, path, depth=None, root_path=[])
    R.eq(d['meta'].get('depth_cut'), 0, '%s: meta.depth_cut 0' % path)
    check_meta_funcs(p, full, path)
    paths, dup = full.paths()
    R.eq(dup, [], '%s: no function twice among siblings' % path)
    if p.stacks is not None:
        st = p.stacks
        R.ok(close(full.total[0], st.total), '%s: root total = all samples' % path,
             'got %r want %r' % (full.total[0], st.total))
        want = st.trie()
        diff_maps(full.by_display(), want, '%s: every node\'s total and self = the stacks\' (sum per prefix)' % path)
        if p.kind == 'folded':
            bad = [i for i in range(1, len(full.recs)) if full.recs[i][4] != full.recs[i][3]]
            R.ok(not bad, '%s: count = samples ending at the node (= self for folded counts)' % path,
                 repr([full.recs[i] for i in bad[:5]]))
        R.ok(not any(full.flags(i) & (FLAG_ESTIMATED | FLAG_CUT | FLAG_NEW) for i in range(len(full.recs))),
             '%s: no ESTIMATED/CUT/NEW flags' % path)
    elif p.pst and p.pst.ok:
        ps = p.pst
        idx2key = {v: k for k, v in p.index.items()}
        bad = []
        for i in range(1, len(full.recs)):
            par = full.parent[i]
            k = idx2key.get(full.fn(i))
            if k is None:
                bad.append('node %d: func %d is no table index' % (i, full.fn(i)))
                continue
            if par > 0:
                pk = idx2key.get(full.fn(par))
                if pk not in ps.callers.get(k, {}):
                    bad.append('node %d: %s under %s, which pstats says never calls it' % (i, std_name(*k),
                                                                                        pk and std_name(*pk)))
            # an unmarked box holds pstats' own number: its edge's cumtime under a
            # parent that holds its whole function, or the whole cumtime at the top
            if not full.flags(i) & FLAG_ESTIMATED:
                want = ps.stats[k][3] if par == 0 else edge_cumtime(ps, pk, k)
                if not close(full.total[i], want, 1e-6, 1e-15):
                    bad.append('node %d %s: not ESTIMATED, total %r, but pstats says %r' % (
                        i, std_name(*k), full.total[i], want))
        R.ok(not bad, '%s: every box is a pstats caller->callee edge; an unmarked box holds pstats\' number' % path,
             '\n'.join(bad[:10]))
        tops = {idx2key.get(full.fn(c)) for c in full.children[0]}
        roots = {k for k in ps.stats if not ps.callers[k] and ps.stats[k][3] > 0}
        R.ok(roots <= tops, '%s: functions without callers are children of the root' % path,
             'missing %r' % sorted(roots - tops)[:5])
        bad = [std_name(*idx2key[full.fn(c)]) for c in full.children[0]
               if idx2key.get(full.fn(c)) in roots
               and not close(full.total[c], ps.stats[idx2key[full.fn(c)]][3], 1e-6, 1e-15)]
        R.ok(not bad, '%s: a caller-less function\'s box holds its whole cumtime' % path, repr(bad[:5]))
        # conservation (DESIGN.md: derived trees conserve): every function's boxes
        # hold its tottime between them, and the root the profile's total time
        selfs = {}
        for i in range(1, len(full.recs)):
            selfs[full.fn(i)] = selfs.get(full.fn(i), 0.0) + full.recs[i][3]
        bad = ['%s: boxes hold %r, tottime %r' % (std_name(*k), selfs.get(ix, 0.0), ps.stats[k][2])
               for k, ix in p.index.items() if k in ps.stats and ps.stats[k][2] > 0
               and not close(selfs.get(ix, 0.0), ps.stats[k][2], 1e-9, 1e-15)]
        R.ok(not bad, '%s: every function\'s boxes hold its tottime' % path, '\n'.join(bad[:8]))
        R.ok(close(full.total[0], ps.total_tt, 1e-9, 1e-12), '%s: root total is pstats\' total time' % path,
             '%r vs %r' % (full.total[0], ps.total_tt))
        # a box under a parent box that lacks part of its function's time is an
        # estimate, and so is everything below an estimate
        bad = []
        for i in range(1, len(full.recs)):
            par = full.parent[i]
            if par == 0:
                continue
            pk = idx2key.get(full.fn(par))
            if pk is None:
                continue
            lacks = full.total[par] < ps.stats[pk][3] * (1 - 1e-6)
            if (lacks or full.flags(par) & FLAG_ESTIMATED) and not full.flags(i) & FLAG_ESTIMATED:
                bad.append('node %d %s: not ESTIMATED, but its parent box %s' % (
                    i, std_name(*idx2key.get(full.fn(i), ('?', 0, '?'))),
                    'is ESTIMATED' if full.flags(par) & FLAG_ESTIMATED else
                    'holds %r of its function\'s %r' % (full.total[par], ps.stats[pk][3])))
        R.ok(not bad, '%s: boxes below a split (or below an estimate) are ESTIMATED' % path, '\n'.join(bad[:8]))
    # depth folding of the whole tree
    for depth in (1, 3):
        check_depth(p, full, [], depth, path, [])
    # a subtree: a node a few levels down that has children of its own
    cands = [i for i in range(1, len(full.recs)) if full.children[i] and 2 <= full.depth[i] <= 4]
    if not cands:
        R.skip('%s: no node with children at depth 2..4' % path)
        return
    node = max(cands, key=lambda i: (len(full.children[i]), full.total[i]))
    fpath = full.path(node)
    params = [('path', ','.join(map(str, fpath)))]
    what = q(path, params)
    d2, sub = get_tree(path, params, what)
    if sub is None:
        return
    chain = []
    j = node
    while j > 0:
        chain.append(j)
        j = full.parent[j]
    chain.reverse()
    check_meta_common(p, d2, sub, what, depth=None,
                      root_path=[{'func': full.fn(j), 'total': full.total[j]} for j in chain])
    R.ok(sub.recs[0][1] == 0 and sub.children[0] == [1] and sub.fn(1) == full.fn(node),
         '%s: node 0 a root without function whose only child is the stack\'s last frame' % what,
         'children of 0: %r, node 1 func %r' % (sub.children[0], sub.fn(1) if len(sub.recs) > 1 else None))
    want = {}
    base = len(fpath) - 1
    stack = [node]
    want[tuple(full.display(f) for f in full.path_pos(node)[base:])] = [full.total[node], full.recs[node][3]]
    while stack:
        i = stack.pop()
        for c in full.children[i]:
            want[tuple(full.display(f) for f in full.path_pos(c)[base:])] = [full.total[c], full.recs[c][3]]
            stack.append(c)
    diff_maps(sub.by_display(), want, '%s: the subtree of that node, totals and selfs as in the whole tree' % what)
    R.ok(close(sub.total[0], full.total[node]), '%s: root total = the node\'s total' % what,
         '%r vs %r' % (sub.total[0], full.total[node]))
    for depth in (1, 2):
        check_depth(p, full, [node], depth, what, params)
    # a stack that does not exist: a real function under a parent that never calls it
    leafish = [i for i in range(1, len(full.recs)) if full.depth[i] >= 2 and full.fn(i) not in
               {full.fn(c) for c in full.children[0]}]
    if leafish:
        f = full.fn(leafish[0])
        check_error(q(path, [('path', str(f))]), 404, 'icicle path=%d (no top-level stack of that function)' % f)
    check_error(q(path, [('path', '%d,%d' % (fpath[0], 999999))]), 404, 'icicle path with an unknown function index')


def check_big_icicle(p):
    path = '/api/profiles/%s/icicle' % p.id
    d, full = get_tree(path, [], path)
    if full is None:
        return
    R.eq(len(full.recs), 20502, '%s: root, main and its 20,500 callees' % path)
    d2, t = get_tree(path, [('max_nodes', '100')], path + '?max_nodes=100')
    if t is None:
        return
    R.ok(len(t.recs) <= 100, '%s?max_nodes=100: at most 100 nodes' % path, '%d nodes' % len(t.recs))
    cut = d2['meta'].get('cut')
    R.ok(isinstance(cut, dict) and cut.get('nodes') == 20502 - len(t.recs),
         '%s?max_nodes=100: meta.cut.nodes = the nodes folded away' % path, repr(cut))
    R.ok(close(t.total[0], full.total[0]), '%s?max_nodes=100: root total kept' % path,
         '%r vs %r' % (t.total[0], full.total[0]))
    R.ok(any(t.flags(i) & FLAG_CUT for i in range(len(t.recs))), '%s?max_nodes=100: a node carries CUT' % path)
    check_error(path + '?max_nodes=2000001', 400, 'icicle max_nodes=2000001 (above 2,000,000)')


# ---------------------------------------------------------------------------
# Sandwich


def check_sandwich_common(p, idx, what, want_total, estimated=False):
    """estimated: cProfile data, whose trees are estimated from caller->callee
    edges; a function inside a cycle loses the frames nested in itself, so
    node 1 may hold less than its cumtime, never more."""
    path = '/api/profiles/%s/sandwich' % p.ref()
    r, d = api(path, [('func', str(idx))], what)
    if not d:
        return None, None, None
    trees = []
    for side in ('callees', 'callers'):
        part = d.get(side)
        if not R.ok(isinstance(part, dict) and 'meta' in part and 'nodes' in part, '%s: %s {"meta","nodes"}' % (what, side),
                    repr(part)[:200]):
            trees.append(None)
            continue
        t, why = decode_stream(part['meta'], part['nodes'])
        R.ok(t is not None, '%s: %s stream decodes' % (what, side), why)
        if t is not None:
            ok = (t.recs[0][1] == 0 and t.children[0] == [1] and t.fn(1) == idx)
            R.ok(ok, '%s: %s node 0 a root whose only child, node 1, is the function' % (what, side),
                 'children of 0: %r' % t.children[0])
            if ok and estimated:
                R.ok(0 < t.total[1] <= want_total * (1 + 1e-9) + 1e-15,
                     '%s: %s node 1 total within the function\'s cumtime (estimated tree)' % (what, side),
                     'got %r cumtime %r' % (t.total[1], want_total))
            elif ok:
                R.ok(close(t.total[1], want_total, 1e-9, 1e-15), '%s: %s node 1 total = the function\'s total' % (what, side),
                     'got %r want %r' % (t.total[1], want_total))
        trees.append(t)
    fn = d.get('function') or {}
    R.eq(fn.get('index'), idx, '%s: function.index' % what)
    return d, trees[0], trees[1]


def check_sandwich(p):
    if p.stacks is not None:
        st = p.stacks
        funcs = sorted(st.funcs(), key=lambda f: -st.total_of(f))
        picks = [f for f in funcs if not st.recursive(f)][:5] + [f for f in funcs if st.recursive(f)][:2]
        for f in picks:
            idx = p.index.get(f)
            if idx is None:
                continue
            what = '/api/profiles/%s/sandwich?func=%d (%s)' % (p.ref(), idx, f)
            d, below, above = check_sandwich_common(p, idx, what, st.total_of(f))
            if d is None:
                continue
            fn = d.get('function') or {}
            R.ok(close(fn.get('total', -1), st.total_of(f)) and close(fn.get('self', -1), st.self_of(f)),
                 '%s: function self/total from the stacks' % what, repr(fn)[:300])
            if not st.recursive(f):
                wb, wa = st.sandwich(f)
                if below is not None:
                    diff_maps(below.by_display(), wb, '%s: callees tree = the stacks below the function' % what)
                if above is not None:
                    diff_maps(above.by_display(), wa, '%s: callers tree = the stacks above it, inverted' % what)
            else:
                if below is not None:
                    kids = {below.display(below.func(c)) for c in below.children[1]} if len(below.recs) > 1 else set()
                    R.ok(kids <= st.direct_callees(f), '%s: callees node 1 children are functions it calls' % what,
                         repr(sorted(kids - st.direct_callees(f))))
                if above is not None:
                    kids = {above.display(above.func(c)) for c in above.children[1]} if len(above.recs) > 1 else set()
                    R.ok(kids <= st.direct_callers(f), '%s: callers node 1 children are functions that call it' % what,
                         repr(sorted(kids - st.direct_callers(f))))
    elif p.pst and p.pst.ok:
        ps = p.pst
        idx2key = {v: k for k, v in p.index.items()}
        for k in pick_functions(p)[:4]:
            idx = p.index[k]
            what = '/api/profiles/%s/sandwich?func=%d (%s)' % (p.ref(), idx, std_name(*k))
            d, below, above = check_sandwich_common(p, idx, what, ps.stats[k][3], estimated=True)
            if d is None:
                continue
            fn = d.get('function') or {}
            R.ok(close(fn.get('total') or 0, ps.stats[k][3]) and close(fn.get('self') or 0, ps.stats[k][2])
                 and fn.get('calls') == ps.stats[k][1] and fn.get('primitive_calls') == ps.stats[k][0]
                 and key3(fn.get('file', ''), fn.get('line'), fn.get('name', '')) == k,
                 '%s: function = pstats\' stats' % what, repr(fn)[:300])
            for t, want, side in ((below, ps.callees.get(k, {}), 'callees'), (above, ps.callers[k], 'callers')):
                if t is None or len(t.recs) < 2:
                    continue
                # the tree's first level: real edges of pstats' (frames nested in the
                # function itself are inside its outer frame, so some may be missing)
                kids = {idx2key.get(t.fn(c)) for c in t.children[1]} - {k}
                R.ok(kids <= set(want) - {k},
                     '%s: %s node 1 children are pstats\' %s' % (what, side, side),
                     'got %r\nwant a subset of %r' % (sorted(map(str, kids)), sorted(map(str, set(want) - {k}))))
    path = '/api/profiles/%s/sandwich' % p.ref()
    check_error(path, 400, 'sandwich without func')
    check_error(path + '?func=987654', 404, 'sandwich func=987654 (no such index)')


# ---------------------------------------------------------------------------
# Call graph


GRAY_COLOR = re.compile(r'^#([0-9a-fA-F]{2})\1\1$')


def check_callgraph(p, base=None):
    """The boxes of callgraph.svg are the functions at or above node_thres (their
    table indexes), whatever the theme or diff colouring."""
    path = '/api/profiles/%s/callgraph.svg' % p.ref()
    variants = [([], 0.5), ([('node_thres', '5')], 5.0), ([('node_thres', '2'), ('theme', 'gray')], 2.0)]
    if base is not None:
        variants.append(([('diff', base.ref())], 0.5))
    for params, thres in variants:
        url = q(path, params)
        r = request(url)
        if not R.ok(r.status == 200 and r.ctype() == 'image/svg+xml', 'GET %s: 200 image/svg+xml' % url, r.brief()):
            continue
        try:
            root = ET.fromstring(r.body)
        except ET.ParseError as exc:
            R.ok(False, '%s: well-formed XML' % url, str(exc))
            continue
        R.ok(root.tag == '{http://www.w3.org/2000/svg}svg', '%s: an <svg> document' % url, root.tag)
        groups = [g for g in root.iter('{http://www.w3.org/2000/svg}g') if g.get('class') == 'node']
        ids = [g.get('id') for g in groups]
        bad = [i for i in ids if not re.match(r'^pvf\d+$', i or '')]
        R.ok(ids and not bad, '%s: every node group has id pvfINDEX' % url, repr(bad[:5] or ids[:5]))
        got = sorted(int(i[3:]) for i in ids if re.match(r'^pvf\d+$', i or ''))
        R.eq(len(got), len(set(got)), '%s: node ids distinct' % url)
        if p.pst and p.pst.ok:
            ps = p.pst
            denom = max(ps.total_tt, ps.max_ct)
            want = sorted(p.index[k] for k, v in ps.stats.items() if k in p.index and v[3] / denom * 100 >= thres)
        else:
            st = p.stacks
            want = sorted(p.index[f] for f in st.funcs() if f in p.index and st.total_of(f) / st.total * 100 >= thres)
        R.eq(got, want, '%s: the boxes are the functions whose total share >= %g%% (their table indexes)' % (url, thres))
        if ('theme', 'gray') in params:
            cols = {v for g in groups for e in g.iter() for a, v in e.attrib.items()
                    if a in ('fill', 'stroke') and v.startswith('#')}
            R.ok(cols and all(GRAY_COLOR.match(c) for c in cols), '%s: only grays in the boxes' % url,
                 repr(sorted(c for c in cols if not GRAY_COLOR.match(c))[:8]))
        # the tooltip names the function of that index
        idx2key = {v: k for k, v in p.index.items()}
        badtip = []
        for g in groups[:40]:
            i = int(g.get('id')[3:]) if re.match(r'^pvf\d+$', g.get('id') or '') else None
            k = idx2key.get(i)
            if k is None:
                continue
            disp = std_name(*k) if p.kind == 'pstats' else k
            if '\\' in disp or '&' in disp:
                continue
            tips = [v for e in g.iter() for a, v in e.attrib.items() if a.endswith('title')]
            if not any(mask(t) == disp for t in tips):
                badtip.append('pvf%d: tooltips %r, want %r' % (i, tips[:2], disp))
        R.ok(not badtip, '%s: each box\'s tooltip is the display name of its index' % url, '\n'.join(badtip[:6]))
    url = '/api/profiles/%s/callgraph.dot' % p.ref()
    r = request(url)
    if R.ok(r.status == 200 and r.ctype() == 'text/vnd.graphviz', 'GET %s: 200 text/vnd.graphviz' % url, r.brief()):
        R.ok(re.match(rb'\s*(strict\s+)?digraph\b', r.body) is not None, '%s: a digraph' % url, r.body[:100])
        try:
            pr = subprocess.run(['dot', '-Tjson'], input=r.body, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                timeout=60)
            if R.ok(pr.returncode == 0, '%s: Graphviz reads it' % url, pr.stderr[:300]):
                js = json.loads(pr.stdout.decode('utf-8', 'replace'))
                nodes = [o for o in js.get('objects', []) if 'nodes' not in o]
                R.ok(len(nodes) > 0, '%s: has nodes' % url)
        except OSError:
            R.skip('%s: no dot to parse it' % url)


# ---------------------------------------------------------------------------
# Diff


def diff_expected(a, b):
    """(rows by (status, base key, new key)) after docs/profview-diff.md's matching
    of two pstats tables: exact (file, line, name), then (file, name) unique among
    the unmatched on both sides."""
    A, B = a.stats, b.stats
    pairs = [(k, k, 'exact') for k in A if k in B]
    ua = [k for k in A if k not in B]
    ub = [k for k in B if k not in A]
    ca, cb = {}, {}
    for k in ua:
        ca[(k[0], k[2])] = ca.get((k[0], k[2]), 0) + 1
    for k in ub:
        cb[(k[0], k[2])] = cb.get((k[0], k[2]), 0) + 1
    bmap = {(k[0], k[2]): k for k in ub}
    used_a, used_b = set(), set()
    for k in ua:
        fn = (k[0], k[2])
        if ca.get(fn) == 1 and cb.get(fn) == 1:
            pairs.append((k, bmap[fn], 'file+name'))
            used_a.add(k)
            used_b.add(bmap[fn])
    removed = [k for k in ua if k not in used_a]
    added = [k for k in ub if k not in used_b]
    return pairs, removed, added


def vals(stats, k):
    if k is None:
        return 0.0, 0.0, 0.0
    cc, nc, tt, ct = stats[k]
    return tt, ct, float(nc)


def check_diff(base, new):
    a, b = base.pst, new.pst
    pairs, removed, added = diff_expected(a, b)
    url = '/api/diff'
    params = [('base', base.name), ('new', new.name)]
    what = q(url, params)
    r, d = api(url, params, what)
    if not d:
        return
    R.eq((d.get('matched'), d.get('added'), d.get('removed')), (len(pairs), len(added), len(removed)),
         '%s: matched, added, removed counts' % what)
    R.eq(((d.get('base') or {}).get('id'), (d.get('new') or {}).get('id')), (base.id, new.id), '%s: base/new ids' % what)
    tot = d.get('total') or {}
    R.ok(close((tot.get('time') or {}).get('before', -1), a.total_tt)
         and close((tot.get('time') or {}).get('after', -1), b.total_tt)
         and (tot.get('calls') or {}).get('before') == a.total_calls
         and (tot.get('calls') or {}).get('after') == b.total_calls,
         '%s: totals (time, calls) as pstats\'' % what, repr(tot)[:400])
    expect = {}
    for ka, kb, how in pairs:
        expect[('both', ka)] = (how, vals(a.stats, ka), vals(b.stats, kb), kb)
    for k in removed:
        expect[('removed', k)] = (None, vals(a.stats, k), vals(None, None), None)
    for k in added:
        expect[('added', k)] = (None, vals(None, None), vals(b.stats, k), k)
    rows = d.get('functions') or []
    R.eq(len(rows), len(expect), '%s: one row per function (no limit)' % what)
    bad = []
    for row in rows:
        k = key3(row.get('file', ''), row.get('line'), row.get('name', ''))
        e = expect.get((row.get('status'), k))
        if e is None:
            bad.append('unexpected row %r %s' % (row.get('status'), std_name(*k)))
            continue
        how, before, after, kb = e
        if row.get('match') != how:
            bad.append('%s: match %r want %r' % (std_name(*k), row.get('match'), how))
        if how == 'file+name':
            nk = key3(row.get('new_file', ''), row.get('new_line'), row.get('new_name', ''))
            if nk != kb:
                bad.append('%s: new key %r want %r' % (std_name(*k), nk, kb))
        for j, col in enumerate(('tottime', 'cumtime', 'calls')):
            c = row.get(col) or {}
            bv, av = before[j], after[j]
            pct = None if bv == 0 else (av - bv) / bv * 100
            if not (close(c.get('before', -1), bv) and close(c.get('after', -1), av)
                    and close(c.get('delta', -1e300), av - bv, 1e-9, 1e-15)
                    and ((pct is None and c.get('pct') is None) or (pct is not None and c.get('pct') is not None
                                                                    and close(c['pct'], pct, 1e-6, 1e-9)))):
                bad.append('%s %s: got %r want before %r after %r pct %r' % (std_name(*k), col, c, bv, av, pct))
    R.ok(not bad, '%s: every row\'s status, match and before/after/delta/pct from pstats' % what, '\n'.join(bad[:10]))
    deltas = [abs(((row.get('cumtime') or {}).get('delta') or 0)) for row in rows]
    R.ok(all(x >= y for x, y in zip(deltas, deltas[1:])), '%s: ordered by |cumtime delta|, largest first' % what,
         repr(deltas[:10]))
    # by, limit, match
    params2 = [('base', str(base.id)), ('new', str(new.id)), ('by', 'tottime'), ('limit', '4')]
    r, d2 = api(url, params2, q(url, params2))
    if d2:
        got = d2.get('functions') or []
        td = [abs(((x.get('tottime') or {}).get('delta') or 0)) for x in got]
        alld = sorted((abs(e[2][0] - e[1][0]) for e in expect.values()), reverse=True)[:4]
        R.ok(len(got) == 4 and all(close(x, y, 1e-9, 1e-15) for x, y in zip(td, alld)),
             '%s: the 4 largest |tottime delta|' % q(url, params2), 'got %r want %r' % (td, alld))
    params3 = [('base', base.name), ('new', new.name), ('match', 'work'), ('match', 'py')]
    r, d3 = api(url, params3, q(url, params3))
    if d3:
        names = [std_name(*key3(x.get('file', ''), x.get('line'), x.get('name', ''))) for x in d3.get('functions') or []]
        want = sorted(std_name(*k[1]) for k in expect if re.search('work', std_name(*k[1])) and re.search('py', std_name(*k[1])))
        R.eq(sorted(names), want, '%s: rows matching both regexes' % q(url, params3))
    params4 = [('base', base.name), ('new', new.name), ('normalize', '1')]
    r, d4 = api(url, params4, q(url, params4))
    if d4:
        scale = a.total_tt / b.total_tt
        R.ok(close(d4.get('scale', -1), scale) and d4.get('normalized') is True,
             '%s: normalized, scale = BASE total / NEW total' % q(url, params4), 'scale %r want %r' % (d4.get('scale'), scale))
        bad = []
        for row in d4.get('functions') or []:
            k = key3(row.get('file', ''), row.get('line'), row.get('name', ''))
            e = expect.get((row.get('status'), k))
            if e and not close((row.get('cumtime') or {}).get('after', -1), e[2][1] * scale, 1e-9, 1e-15):
                bad.append('%s: cumtime after %r want %r' % (std_name(*k), (row.get('cumtime') or {}).get('after'),
                                                            e[2][1] * scale))
        R.ok(not bad, '%s: NEW\'s times scaled' % q(url, params4), '\n'.join(bad[:6]))
    check_error(q(url, [('base', base.name)]), 400, 'diff without new')
    check_error(q(url, [('base', 'no-such-profile'), ('new', new.name)]), 404, 'diff base=no-such-profile')
    check_error(q(url, [('base', base.name), ('new', new.name), ('by', 'bogus')]), 400, 'diff by=bogus')
    check_error(q(url, [('base', base.name), ('new', new.name), ('limit', 'x')]), 400, 'diff limit=x')


def check_diff_icicle(base, new):
    """Differential icicle of two folded profiles with the same frames: NEW's tree,
    each node with BASE's self and total of the same stack, NEW flag where BASE
    has no such stack."""
    url = '/api/diff/icicle'
    for norm in (False, True):
        params = [('base', str(base.id)), ('new', str(new.id))] + ([('normalize', '1')] if norm else [])
        what = q(url, params)
        d, t = get_tree(url, params, what)
        if t is None:
            continue
        m = d['meta']
        dm = m.get('diff')
        scale = new.stacks.total / base.stacks.total if norm else 1.0
        R.ok(isinstance(dm, dict) and close(dm.get('base_total', -1), base.stacks.total)
             and close(dm.get('scale', -1), scale) and dm.get('normalized') is norm,
             '%s: meta.diff (base_total, scale, normalized)' % what, repr(dm))
        R.ok(close(t.total[0], new.stacks.total), '%s: root total = NEW\'s total' % what,
             '%r vs %r' % (t.total[0], new.stacks.total))
        nt = new.stacks.trie()
        bt = base.stacks.trie()
        diff_maps(t.by_display(), nt, '%s: node totals and selfs = NEW\'s stacks' % what)
        bad = []
        for pth, (tot, slf, i) in t.by_display().items():
            bw = bt.get(pth)
            want_bt = bw[0] * scale if bw else 0.0
            want_bs = bw[1] * scale if bw else 0.0
            r_ = t.recs[i]
            if not (close(r_[6], want_bt, 1e-9, 1e-12) and close(r_[5], want_bs, 1e-9, 1e-12)):
                bad.append('%s: base self/total %r/%r want %r/%r' % (';'.join(pth), r_[5], r_[6], want_bs, want_bt))
            if bool(r_[2] & FLAG_NEW) != (bw is None):
                bad.append('%s: NEW flag %s, BASE %s the stack' % (';'.join(pth), bool(r_[2] & FLAG_NEW),
                                                                   'has' if bw else 'lacks'))
        R.ok(not bad, '%s: base_self/base_total per stack (scaled) and NEW flags' % what, '\n'.join(bad[:10]))
        if abs(t.recs[0][6] - base.stacks.total * scale) > 1e-9 * base.stacks.total:
            R.ok(False, '%s: root base_total = BASE total (scaled)' % what, '%r' % t.recs[0][6])
        else:
            R.ok(True, '%s: root base_total' % what)
    check_error(q(url, [('new', str(new.id))]), 400, 'diff/icicle without base')


# ---------------------------------------------------------------------------
# Errors and hostile requests


def check_errors(p):
    ref = p.ref()
    check_error('/api/nope', 404, 'unknown route /api/nope')
    check_error('/api/profiles/1/nope', 404, 'unknown route /api/profiles/1/nope')
    check_error('/nope', 404, 'unknown page /nope')
    check_error('/api/profiles/987654', 404, 'unknown profile id')
    check_error('/api/profiles/no-such-name', 404, 'unknown profile name')
    check_error('/api/profiles/987654/table', 404, 'table of an unknown profile')
    check_error('/api/profiles/%s/callers?func=987654' % ref, 404, 'callers func=987654')
    check_error('/api/profiles/%s/callees?func=-1' % ref, 400, 'callees func=-1', accept=(400, 404))
    check_error('/api/profiles/%s/icicle?path=987654' % ref, 404, 'icicle path=987654')
    for bad in ('limit=abc', 'limit=', 'limit=5x', 'limit=-3', 'fraction=abc', 'fraction=1.5', 'reverse=maybe'):
        check_error('/api/profiles/%s/table?%s' % (ref, bad), 400, 'table %s' % bad)
    check_error('/api/profiles/%s/table?by=bogus' % ref, 400, 'table by=bogus (unknown sort key)')
    check_error('/api/profiles/%s/table?by=cum' % ref, 400, 'table by=cum (ambiguous, as pstats)')
    check_error('/api/profiles/%s/table?match=%%28' % ref, 400, 'table match=( (bad regex)')
    check_error('/api/profiles/%s/table?match=%s' % (ref, 'a' * 1001), 400, 'table match of 1001 bytes')
    check_error('/api/profiles/%s/table?bogus=1' % ref, 400, 'table bogus=1 (unknown parameter)')
    check_error('/api/profiles/%s/table?Limit=3' % ref, 400, 'table Limit=3 (parameter names are exact)')
    check_error('/api/profiles?bogus=1', 400, 'profiles bogus=1')
    for sub in ('callers', 'callees', 'icicle', 'sandwich?func=0&', 'callgraph.svg', 'callgraph.dot'):
        url = '/api/profiles/%s/%s%sbogus=1' % (ref, sub, '' if sub.endswith('&') else '?')
        check_error(url, 400, '%s: unknown parameter' % url)
    check_error('/api/diff?base=%s&new=%s&bogus=1' % (ref, ref), 400, 'diff bogus=1')
    check_error('/api/diff/icicle?base=%s&new=%s&by=tottime' % (ref, ref), 400, 'diff/icicle by=tottime (not one of its parameters)')
    r = request('/api/profiles?limit=1')
    R.eq((r.header('content-type') or '').replace(' ', '').lower(), 'application/json;charset=utf-8',
         '/api/ answers are application/json; charset=utf-8')
    check_error('/api/profiles?limit=abc', 400, 'profiles limit=abc')
    check_error('/api/profiles?offset=-1', 400, 'profiles offset=-1')
    check_error('/api/profiles/%s?x=1' % ref, 400, 'summary x=1')
    check_error('/api/profiles/%s/icicle?depth=0' % ref, 400, 'icicle depth=0 (range 1..10000)')
    check_error('/api/profiles/%s/icicle?depth=10001' % ref, 400, 'icicle depth=10001')
    check_error('/api/profiles/%s/icicle?depth=two' % ref, 400, 'icicle depth=two')
    check_error('/api/profiles/%s/icicle?path=1,x' % ref, 400, 'icicle path=1,x', accept=(400, 404))
    check_error('/api/profiles/%s/sandwich?func=abc' % ref, 400, 'sandwich func=abc')
    check_error('/api/profiles/%s/callgraph.svg?theme=nope' % ref, 400, 'callgraph theme=nope')
    check_error('/api/profiles/%s/callgraph.svg?node_thres=abc' % ref, 400, 'callgraph node_thres=abc')
    check_error('/api/profiles/%s/callgraph.svg?root=%%28' % ref, 400, 'callgraph root=( (bad regex)')
    check_error('/api/profiles/%s/callgraph.svg?diff=987654' % ref, 404, 'callgraph diff=987654')
    check_error('/api/profiles/%s/table?by=samples' % ref, 400, 'table by=samples on a cProfile profile')
    for method in ('POST', 'PUT', 'DELETE', 'PATCH'):
        check_error('/api/profiles', 405, method=method)
    check_error('/api/profiles/%s' % ref, 405, method='DELETE')
    # HEAD: the GET's status and headers, no body
    g = request('/api/profiles')
    h = request('/api/profiles', method='HEAD')
    R.ok(h.status == 200 and h.body == b'' and h.ctype() == g.ctype(), 'HEAD /api/profiles: 200, no body, same type',
         h.brief())
    if h.header('content-length') is not None:
        R.eq(h.header('content-length'), str(len(g.body)), 'HEAD /api/profiles: Content-Length of the GET')
    h = request('/api/profiles/987654', method='HEAD')
    R.ok(h.status == 404 and h.body == b'', 'HEAD of an unknown profile: 404, no body', h.brief())
    # 414 and the 32 KiB head
    long_q = '/api/profiles?q=' + 'a' * (8 * 1024 + 10)
    check_error(long_q, 414, 'query string of 8 KiB + 26 bytes')
    r, d = api('/api/profiles', [('q', 'b' * 8000)], '/api/profiles?q=(8000 b)')
    if d:
        R.eq(d.get('total'), 0, '/api/profiles?q=(8000 bytes): a query under 8 KiB is answered (no match)')
    got = raw(b'GET /api/profiles HTTP/1.1\r\nHost: HOST\r\nX-Big: ' + b'y' * (40 * 1024) + b'\r\nConnection: close\r\n\r\n')
    st = raw_status(got)
    R.ok(st is None or (st is not None and 400 <= st < 500), 'request head of 40 KiB: refused (4xx or closed)',
         repr((got or b'')[:200]))
    alive('a 40 KiB request head')


PASSWD = re.compile(rb'root:[^:\n]*:0:0:')


def check_hostile_urls(p):
    """Never a crash, never a file from disk."""
    with open(os.path.join(TESTS, 'meson.build'), 'rb') as f:
        meson_tests = f.read()
    cases = [
        ('/api/profiles/%zz', (400, 404)),
        ('/api/profiles/%', (400, 404)),
        ('/api/profiles/%00', (400, 404)),
        ('/api/profiles/%ff%fe%80', (400, 404)),
        ('/api/profiles/%c0%af', (400, 404)),
        ('/../../etc/passwd', (400, 404)),
        ('/%2e%2e/%2e%2e/etc/passwd', (400, 404)),
        ('/assets/../../../../etc/passwd', (400, 404)),
        ('/assets/%2e%2e%2f%2e%2e%2f%2e%2e%2fetc%2fpasswd', (400, 404)),
        ('/assets/..%2f..%2f..%2f..%2fetc/passwd', (400, 404)),
        ('/assets/../meson.build', (400, 404)),
        ('/assets/%2e%2e/meson.build', (400, 404)),
        ('/assets//etc/passwd', (400, 404)),
        ('/p/../../etc/passwd', (200, 400, 404)),
        ('//', (200, 400, 404)),
        ('//etc/passwd', (400, 404)),
        ('/api/profiles/1/../../', (200, 400, 404)),
        ('/api/profiles/1/../../etc/passwd', (400, 404)),
        ('/api/profiles/' + 'x' * 20000, (400, 404, 414)),
        ('/api/profiles/' + '%41' * 3000 + '/table', (400, 404)),
        ('/api/profiles/%s/table?match=%%ff%%fe' % p.ref(), (200, 400)),
        ('/api/profiles/%s/table?by=%%00' % p.ref(), (400,)),
        ('/api/profiles/%s/table?limit=%%00' % p.ref(), (400,)),
        ('/api/profiles/%s/table?%%zz=1' % p.ref(), (400,)),
        ('/api/profiles/%s/table?&&&=&' % p.ref(), (200, 400)),
        ('/api/profiles?q=%zz', (200, 400)),
        ('/api/profiles?q=%ff', (200, 400)),
        ('/api/profiles/1/table?limit=99999999999999999999999', (200, 400)),
        ('/api/profiles/1/table?limit=1e3', (400,)),
        ('/api/profiles/1/table?fraction=nan', (400,)),
        ('/api/profiles/1/table?fraction=inf', (400,)),
        ('/api/profiles/1/icicle?depth=4294967297', (400,)),
        ('/api/profiles/99999999999999999999999999', (400, 404)),
    ]
    for path, allowed in cases:
        r = request(path)
        shown = path if len(path) < 100 else path[:60] + '...(%d bytes)' % len(path)
        R.ok(r.status in allowed, 'GET %s: HTTP %s' % (shown, '/'.join(map(str, allowed))), r.brief())
        R.ok(not PASSWD.search(r.body or b'') and meson_tests not in (r.body or b'')
             and b"project('profview'" not in (r.body or b''), 'GET %s: no file from disk served' % shown,
             r.body[:200])
        if r.status and r.status >= 400:
            d = r.doc()
            R.ok(isinstance(d, dict) and isinstance(d.get('error'), dict) and d['error'].get('status') == r.status,
                 'GET %s: JSON error body' % shown, r.brief())
    alive('hostile URLs')
    # raw requests: NUL and control bytes in the line, garbage, half requests
    NONE = None
    raws = [
        # a raw NUL byte ends the request target (libmicrohttpd hands over the text before it)
        (b'GET /api/profiles/\x00 HTTP/1.1\r\nHost: HOST\r\nConnection: close\r\n\r\n', 'NUL in the path',
         (NONE, 200, 400, 404)),
        (b'GET /../../../../etc/passwd HTTP/1.1\r\nHost: HOST\r\nConnection: close\r\n\r\n',
         'raw /../../../../etc/passwd', (400, 404)),
        (b'GET ../../etc/passwd HTTP/1.1\r\nHost: HOST\r\nConnection: close\r\n\r\n', 'relative request target',
         (NONE, 400, 404)),
        (b'GET /assets/../../../etc/passwd HTTP/1.0\r\n\r\n', 'raw /assets/../../../etc/passwd HTTP/1.0', (400, 404)),
        (b'GET /assets/..%2f..%2f..%2fetc%2fpasswd HTTP/1.1\r\nHost: HOST\r\nConnection: close\r\n\r\n',
         'raw /assets/..%2f..', (400, 404)),
        (b'GET /api/profiles/%00 HTTP/1.1\r\nHost: HOST\r\nConnection: close\r\n\r\n', 'raw %00 profile',
         (400, 404)),
        (b'\x00\xff\xfe garbage \x01\x02\r\n\r\n', 'binary garbage', (NONE, 400)),
        (b'HELLO\r\n\r\n', 'a request line without a target', (NONE, 400)),
        (b'GET / HTTP/9.9\r\n\r\n', 'HTTP/9.9', (NONE, 400, 505)),
        (b'GET /api/profiles HTTP/1.1\r\nHost: HOST\r\nContent-Length: 5\r\nConnection: close\r\n\r\nhello',
         'GET with a body', (200, 400, 413)),
        (b'GET /api/profiles HTTP/1.1\r\nHost: HOST\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n'
         b'ffffffffffffffff\r\nx\r\n', 'huge chunk size', (NONE, 200, 400, 413, 501)),
        (b'GET /api/profiles HTTP/1.1\r\nHost: HOST\r\nX: \xff\xfe\x00y\r\nConnection: close\r\n\r\n',
         'binary header', (NONE, 200, 400)),
        (b'\r\n' * 5000, 'only line breaks', (NONE, 400)),
    ]
    for data, what, allowed in raws:
        got = raw(data, timeout=2 if None in allowed else 8)
        st = raw_status(got)
        R.ok(got is not None and not PASSWD.search(got or b''), 'raw request (%s): no /etc/passwd' % what,
             repr((got or b'')[:200]))
        R.ok(st in allowed, 'raw request (%s): %s' % (what, '/'.join('closed' if a is None else str(a) for a in allowed)),
             repr((got or b'')[:300]))
    # Host: the server answers to its loopback names (undocumented in serve-api.md: see the report)
    got = raw(b'GET /api/profiles?limit=1 HTTP/1.1\r\nHost: localhost:%d\r\nConnection: close\r\n\r\n'
              % SERVER.port)
    R.eq(raw_status(got), 200, 'raw GET with Host: localhost:PORT: 200')
    got = raw(b'GET /api/profiles?limit=1 HTTP/1.1\r\nHost: evil.example\r\nConnection: close\r\n\r\n')
    st = raw_status(got)
    body = (got or b'').partition(b'\r\n\r\n')[2]
    try:
        d = json.loads(body.decode('utf-8'))
    except ValueError:
        d = None
    R.ok(st is not None and st >= 400 and isinstance(d, dict) and (d.get('error') or {}).get('status') == st,
         'raw GET with a foreign Host: refused with a JSON error', repr((got or b'')[:300]))
    # the request over HTTP/1.0, plain and proper
    got = raw(b'GET /api/profiles?limit=1 HTTP/1.0\r\n\r\n')
    R.eq(raw_status(got), 200, 'raw HTTP/1.0 GET /api/profiles: 200')
    # half a request, then close
    for part in (b'GET /api/prof', b'GET /api/profiles HTTP/1.1\r\nHost: HOST\r\n', b'G'):
        try:
            s = socket.create_connection((SERVER.host, SERVER.port), timeout=5)
            s.sendall(part)
            s.close()
        except OSError:
            pass
    # half a request left open while others are served
    try:
        hang = socket.create_connection((SERVER.host, SERVER.port), timeout=5)
        hang.sendall(b'GET /api/profiles HTTP/1.1\r\nHo')
    except OSError:
        hang = None
    r = request('/api/profiles?limit=1', timeout=10)
    R.eq(r.status, 200, 'a request is served while another connection sits half-sent')
    if hang:
        hang.close()
    alive('garbage, half-sent and closed requests')


# ---------------------------------------------------------------------------
# The page and its assets


def check_static():
    pages = {}
    for path in ('/', '/p/1/table', '/compare/1/2', '/p/1/icicle?path=1,2', '/p/hostile%20names/table'):
        r = request(path)
        ok = R.ok(r.status == 200 and r.ctype() == 'text/html', 'GET %s: 200 text/html' % path, r.brief())
        csp = r.header('content-security-policy') or ''
        R.ok("default-src 'self'" in csp, 'GET %s: Content-Security-Policy default-src \'self\'' % path, repr(csp))
        if ok:
            pages[path] = r.body
            R.ok(re.search(rb'(?i)<!doctype html|<html', r.body) is not None, 'GET %s: an HTML document' % path,
                 r.body[:100])
    bodies = set(pages.values())
    R.eq(len(bodies), 1, 'the page is the same single page at every UI path')
    for name in ('app.js', 'icicle.js'):
        path = '/assets/' + name
        r = request(path)
        R.ok(r.status == 200 and r.ctype() in JS_TYPES and len(r.body) > 100, 'GET %s: 200 JavaScript' % path,
             r.brief())
    src = os.path.join(os.path.dirname(TESTS), 'web', 'icicle.js')
    if os.path.exists(src):
        with open(src, 'rb') as f:
            want = f.read()
        r = request('/assets/icicle.js')
        R.ok(r.body == want, '/assets/icicle.js is web/icicle.js as embedded', '%d bytes vs %d' % (len(r.body), len(want)))
    check_error('/assets/nope.js', 404, '/assets/nope.js')
    check_error('/assets/', 404, '/assets/ (no name)', accept=(404,))
    check_error('/assets/../meson.build', 404, '/assets/../meson.build', accept=(400, 404))
    check_error('/assets/app.js/../../meson.build', 404, '/assets/app.js/../../meson.build', accept=(400, 404))
    h = request('/', method='HEAD')
    R.ok(h.status == 200 and h.body == b'' and h.ctype() == 'text/html', 'HEAD /: 200 text/html, no body', h.brief())


# ---------------------------------------------------------------------------
# Concurrency, import while serving, rm


def check_concurrency(profs, extras):
    """8 threads x 50 requests while `profview import` writes several files into
    the store, then `profview rm` of each."""
    urls = []
    for p in profs:
        if p.id is None:
            continue
        urls.append('/api/profiles/%s/table?by=tottime&limit=20' % p.ref())
        urls.append('/api/profiles/%s' % p.id)
        if p.stacks is not None and p.kind == 'folded':
            urls.append('/api/profiles/%s/icicle' % p.ref())
            urls.append('/api/profiles/%s/sandwich?func=0' % p.ref())
    urls.append('/assets/icicle.js')
    urls.append('/')
    serial = {}
    for u in urls:
        r = request(u)
        serial[u] = (r.status, r.body)
    R.ok(all(v[0] == 200 for v in serial.values()), 'every URL of the concurrency mix answers 200 serially',
         repr([u for u, v in serial.items() if v[0] != 200][:5]))
    results = []
    lock = threading.Lock()
    start = threading.Event()

    def worker(k):
        start.wait()
        local = []
        for j in range(50):
            u = urls[(k * 7 + j) % len(urls)]
            r = request(u, timeout=60)
            local.append((u, r.status, r.body == serial[u][1], r.error))
        with lock:
            results.extend(local)

    threads = [threading.Thread(target=worker, args=(k,)) for k in range(8)]
    for t in threads:
        t.start()
    t0 = time.time()
    start.set()
    imports = []
    for x in extras:     # one after another, while the threads run
        rc, out, err = SB.run(DB, ['import', x.path])
        imports.append((x, rc, time.time() - t0, err))
        if rc == 0:
            x.ids = [int(v) for v in out.decode().split()]
    for t in threads:
        t.join(120)
    took = time.time() - t0
    print('info: 400 requests in %.2fs; imports finished at %s s' % (
        took, ', '.join('%.2f' % i[2] for i in imports)))
    for x, rc, at, err in imports:
        R.ok(rc == 0, 'import %s while 8 threads query the server: exit 0' % x.label,
             err.decode('utf-8', 'replace')[-500:])
    R.ok(imports and imports[0][2] < took, 'the imports ran while the requests did (the first ended before them)',
         'import ended at %.2fs, requests at %.2fs' % (imports[0][2] if imports else -1, took))
    bad = [(u, s, e) for u, s, same, e in results if s != 200]
    R.ok(len(results) == 400 and not bad, '8 threads x 50 requests (with imports running): all 200',
         '%d results, %d failed: %r' % (len(results), len(bad), bad[:5]))
    diff = [u for u, s, same, e in results if s == 200 and not same]
    R.ok(not diff, 'concurrent answers equal the serial ones', repr(diff[:5]))
    new_ids = [x.id for x in extras if x.id]
    if not new_ids:
        return
    r, d = api('/api/profiles')
    if d:
        listed = [x.get('id') for x in d.get('profiles', [])]
        R.eq(listed[:len(new_ids)], sorted(new_ids, reverse=True),
             'the profiles imported while serving are listed first (newest first)')
    r, d = api('/api/profiles/latest')
    if d:
        R.eq((d.get('profile') or {}).get('id'), extras[-1].id, '/api/profiles/latest is the last import')
    first = extras[0]
    if first.id and first.pst and first.pst.ok:
        r, d = api('/api/profiles/%d/table' % first.id, [('by', 'tottime'), ('limit', '3')])
        if d:
            want = sorted((v[2] for v in first.pst.stats.values()), reverse=True)[:3]
            R.eq([f.get('tottime') for f in d.get('functions') or []], want,
                 'the new profile\'s table (by tottime, 3) as pstats')
    for x in extras:
        if not x.id:
            continue
        rc, out, err = SB.run(DB, ['rm', str(x.id)])
        R.ok(rc == 0, 'profview rm %d while serving: exit 0' % x.id, err.decode('utf-8', 'replace')[-300:])
        check_error('/api/profiles/%d' % x.id, 404, 'a removed profile (%s)' % x.label)
    check_error('/api/profiles/%d/table' % first.id, 404, 'the table of a removed profile')
    r, d = api('/api/profiles')
    if d:
        listed = [x.get('id') for x in d.get('profiles', [])]
        R.ok(not set(new_ids) & set(listed), 'removed profiles are no longer listed', repr(listed[:8]))


# ---------------------------------------------------------------------------
# Ports and shutdown


def port_free(host, port):
    try:
        s = socket.create_connection((host, port), timeout=2)
        s.close()
        return False
    except OSError:
        pass
    s = socket.socket(socket.AF_INET6 if ':' in host else socket.AF_INET, socket.SOCK_STREAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        s.bind((host, port))
        return True
    except OSError:
        return False
    finally:
        s.close()


ALARM = re.compile(r'(?i)sanitizer|runtime error|segmentation|core dumped|aborted|assertion|double free|'
                   r'leak|panic|fatal|traceback|heap-|stack-overflow|use-after')


def check_second_server():
    s2 = Server(DB, SERVER.port)
    ok = s2.wait_url()
    out, err = s2.text()
    if not R.ok(ok, 'a second server on the taken port %d starts and prints its URL' % SERVER.port,
                'stdout %r\nstderr %r' % (out[-500:], err[-500:])):
        s2.kill()
        return
    R.ok(s2.port != SERVER.port, 'the second server picked another port than %d' % SERVER.port, s2.url)
    # the note goes to stderr before the URL to stdout, but each pipe has its own
    # reader thread here: give stderr's a moment to catch up
    deadline = time.monotonic() + 5
    while re.search(r'\b%d\b' % SERVER.port, out + err) is None and time.monotonic() < deadline:
        time.sleep(0.05)
        out, err = s2.text()
    R.ok(re.search(r'\b%d\b' % SERVER.port, out + err) is not None and s2.port != SERVER.port,
         'the second server says port %d was taken' % SERVER.port, 'stdout %r\nstderr %r' % (out[-400:], err[-400:]))
    r = request('/api/profiles?limit=1', server=s2)
    R.eq(r.status, 200, 'the second server answers on its own port')
    rc, took = s2.stop()
    R.ok(rc == 0 and took < 5, 'the second server exits 0 on SIGINT within 5 s', 'exit %r after %.1fs' % (rc, took))
    if rc is None:
        s2.kill()
    r = request('/api/profiles?limit=1')
    R.eq(r.status, 200, 'the first server still answers after the second stopped')


def check_shutdown():
    host, port = SERVER.host, SERVER.port
    R.ok(SERVER.proc.poll() is None and not CRASHES, 'the server is still running after every test (no crash)',
         'exit %r; crashed during: %s\nstderr: %s' % (SERVER.proc.returncode, ', '.join(CRASHES) or '-',
                                                     SERVER.text()[1][-2000:]))
    # an idle keep-alive connection must not hold the shutdown up
    try:
        idle = socket.create_connection((host, port), timeout=5)
    except OSError:
        idle = None
    rc, took = SERVER.stop()
    if idle:
        idle.close()
    out, err = SERVER.text()
    R.ok(rc == 0, 'SIGINT: exit status 0', 'exit %r after %.1fs\nstderr: %s' % (rc, took, err[-1500:]))
    R.ok(took < 5, 'SIGINT: exits within 5 s', '%.1fs' % took)
    R.ok(not ALARM.search(out + err), 'nothing alarming on stdout/stderr', (out + err)[-1500:])
    if rc is None:
        SERVER.kill()
    R.ok(port_free(host, port), 'the port %d is free after the server stopped' % port)


# ---------------------------------------------------------------------------


PHASE = [time.time()]
CRASHES = []


def phase(what):
    """Prints the time a group of checks took. When the server died during it,
    that is a failure, and a new server on the same store serves the next group."""
    global SERVER
    now = time.time()
    print('info: %-28s %5.1fs' % (what, now - PHASE[0]))
    PHASE[0] = now
    if SERVER.proc.poll() is None:
        return
    death_note(SERVER, 'the end of: %s' % what)
    CRASHES.append(what)
    R.ok(False, 'the server did not survive: %s (exit %r)' % (what, SERVER.proc.returncode),
         SERVER.text()[1][-1500:])
    SERVER = Server(DB, 0)
    if not SERVER.wait_url():
        raise SystemExit('cannot restart the server: %r' % (SERVER.text(),))
    print('info: restarted the server at %s' % SERVER.url)


def main():
    global TESTS, SB, DB, SERVER
    if len(sys.argv) < 3:
        raise SystemExit('usage: %s PROFVIEW TESTS_DIR' % sys.argv[0])
    profview = os.path.abspath(sys.argv[1])
    TESTS = os.path.abspath(sys.argv[2])
    SB = Sandbox(profview, 'pv-serve-')
    DB = SB.path('store.db')
    t_start = time.time()
    G = os.path.join(TESTS, 'golden', 'fixtures')
    S = os.path.join(TESTS, 'sampled', 'fixtures')
    D = os.path.join(TESTS, 'diff', 'fixtures')
    C = os.path.join(TESTS, 'callgraph', 'fixtures')
    big_path = SB.path('big.prof')
    write_big(big_path)
    tree2 = SB.path('tree-changed.folded')
    write_tree_variant(os.path.join(C, 'tree.folded'), tree2)

    pst = [Prof('py27-cprofile', os.path.join(G, 'py27-cprofile.prof'), 'pstats', 'py27'),
           Prof('py38-cprofile', os.path.join(G, 'py38-cprofile.prof'), 'pstats'),
           Prof('py311-cprofile', os.path.join(G, 'py311-cprofile.prof'), 'pstats', 'main311'),
           Prof('py313-cprofile', os.path.join(G, 'py313-cprofile.prof'), 'pstats'),
           Prof('py312-profile', os.path.join(G, 'py312-profile.prof'), 'pstats'),
           Prof('hostile_names', os.path.join(C, 'hostile_names.prof'), 'pstats', 'hostile names \u00e9'),
           Prof('before', os.path.join(D, 'before.prof'), 'pstats', 'before'),
           Prof('after', os.path.join(D, 'after.prof'), 'pstats', 'after')]
    smp = [Prof('py_sampled.folded', os.path.join(S, 'py_sampled.folded'), 'folded', 'pyspy'),
           Prof('recursion.folded', os.path.join(C, 'recursion.folded'), 'folded'),
           Prof('tree.folded', os.path.join(C, 'tree.folded'), 'folded', 'tree'),
           Prof('tree-changed.folded', tree2, 'folded', 'tree2'),
           Prof('py_sampled.speedscope', os.path.join(S, 'py_sampled.speedscope.json'), 'speedscope'),
           Prof('threads.speedscope', os.path.join(S, 'py_threads.speedscope.json'), 'speedscope')]
    big = Prof('big', big_path, 'pstats')
    slashed = Prof('py39-cprofile', os.path.join(G, 'py39-cprofile.prof'), 'pstats', 'dir/name \u00e9 100%')
    extras = [Prof('py310-cprofile', os.path.join(G, 'py310-cprofile.prof'), 'pstats'),
              Prof('py36-cprofile', os.path.join(G, 'py36-cprofile.prof'), 'pstats'),
              Prof('py37-cprofile', os.path.join(G, 'py37-cprofile.prof'), 'pstats'),
              Prof('py311-profile', os.path.join(G, 'py311-profile.prof'), 'pstats'),
              Prof('py_evented.speedscope', os.path.join(S, 'py_evented.speedscope.json'), 'speedscope')]

    # what pstats says (one process per file; several Pythons)
    for p in pst + extras[:1]:
        qs = [x[1] for x in table_queries(p.label)]
        qs += [dict(keys=['cumulative'], restrictions=[6]), dict(keys=['cumulative'], strip=True)]
        p.pst = Pstats(p.path, qs)
        if not p.pst.ok:
            R.skip('%s: %s' % (p.label, p.pst.why))
    for p in smp:
        if p.kind == 'folded':
            p.stacks = Stacks(read_folded(p.path))
        elif p.label == 'py_sampled.speedscope':
            typ, unit, stacks, root = read_speedscope(p.path)[0]
            p.stacks = Stacks(stacks, root)

    for p in pst + smp + [big, slashed]:
        import_file(p)
    SERVER = Server(DB, 0)
    try:
        if not R.ok(SERVER.wait_url(), 'serve prints the URL it serves on (http://HOST:PORT/)',
                    'stdout %r\nstderr %r' % SERVER.text()):
            SERVER.kill()
            SB.close()
            return R.done()
        print('info: server at %s' % SERVER.url)
        phase('setup (pstats, imports, start)')
        allp = check_profiles_list(pst + smp + [big, slashed])
        check_name_refs(slashed)
        r, d = api('/api/profiles/latest')
        if d:
            R.eq((d.get('profile') or {}).get('id'), max(x.get('id') for x in allp) if allp else None,
                 '/api/profiles/latest: the newest import')
        # the stripped answers need callers: fetch them from pstats' stripped stats
        for p in pst:
            if not (p.pst and p.pst.ok) or p.id is None:
                continue
            check_tables(p, table_queries(p.label))
            check_summary(p)
        for p in smp:
            if p.stacks is not None and p.id is not None:
                check_sampled_table(p)
                check_summary(p)
        if big.id:
            check_big_table(big)
        phase('lists, summaries, tables')
        # callers / callees
        for p in pst:
            if p.pst and p.pst.ok and p.id is not None:
                strip_callers(p)
                check_callers(p)
        for p in smp:
            if p.stacks is not None and p.id is not None and p.kind == 'folded':
                check_sampled_callers(p)
        phase('callers, callees')
        # trees
        for p in pst[:3] + [pst[5]] + smp[:3] + [smp[4]]:
            if p.id is not None and (p.stacks is not None or (p.pst and p.pst.ok)):
                check_icicle(p)
        if big.id:
            check_big_icicle(big)
        phase('icicles')
        for p in [pst[2], pst[6]] + smp[:3]:
            if p.id is not None and (p.stacks is not None or (p.pst and p.pst.ok)):
                check_sandwich(p)
        phase('sandwiches')
        for p in (pst[2], pst[5], smp[0]):
            if p.id is not None:
                check_callgraph(p)
        if pst[6].id and pst[7].id:
            check_callgraph(pst[7], base=pst[6])
        if big.id:
            r = check_error('/api/profiles/%d/callgraph.svg?node_thres=0&edge_thres=0' % big.id, 413,
                            'call graph of 20,501 functions at node_thres=0')
        phase('call graphs')
        if pst[6].pst.ok and pst[7].pst.ok:
            check_diff(pst[6], pst[7])
        check_diff_icicle(smp[2], smp[3])
        phase('diffs')
        check_errors(pst[2])
        phase('errors')
        check_hostile_urls(pst[2])
        phase('hostile URLs')
        check_static()
        phase('static')
        check_concurrency(pst[:4] + smp[:3], extras)
        phase('concurrency')
        check_second_server()
        check_shutdown()
        print('info: %-28s %5.1fs' % ('second server, shutdown', time.time() - PHASE[0]))
    finally:
        SERVER.kill()
        print('info: %.1fs in all' % (time.time() - t_start))
        SB.close()
    return R.done()


def strip_callers(p):
    """The callers of each row of pstats' stripped table (for callers?strip_dirs=1)."""
    ans = p.pst.answers[len(table_queries(p.label)) + 1]
    if ans.get('error'):
        return
    ans['callers'] = [None] * len(ans['rows'])
    stripped = StrippedStats(p.path)
    for j, r_ in enumerate(ans['rows']):
        ans['callers'][j] = stripped.callers.get(key3(*r_[:3]), {}) if stripped.ok else {}


class StrippedStats(Pstats):
    """pstats' entries after strip_dirs()."""

    def __init__(self, path):
        self.ok = False
        py = fixture_python(path)
        if py is None:
            return
        prog = ('import sys, json\nsys.path.insert(0, sys.argv[1])\nimport pstats_query as q\n'
                'st = q.stats_of(sys.argv[2], True)\nsys.stdout.write(json.dumps(q.entries(st)))\n')
        pr = subprocess.run([py, '-c', prog, HERE, path], stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=120)
        if pr.returncode != 0:
            return
        self.ok = True
        self.callers = {}
        for e in json.loads(pr.stdout.decode('utf-8')):
            self.callers[key3(e[0], e[1], e[2])] = {key3(c[0], c[1], c[2]): c[3] for c in e[7]}


if __name__ == '__main__':
    sys.exit(main())

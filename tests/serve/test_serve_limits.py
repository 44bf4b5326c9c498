#!/usr/bin/env python3
"""Bounded work in `profview serve` and the CLI (docs/serve-api.md, "Limits").

    python3 tests/serve/test_serve_limits.py PROFVIEW REPO_ROOT [--slow K]

The profile is real: bench/make_big_profile.py runs a generated program of
20,000 functions under cProfile (PV_LIMITS_FUNCTIONS=200000 for the size of
the issue's report; 20,000 show the same: a pattern with nested repeats costs
milliseconds per name, which was minutes per request at 20,000 names as it was
at 200,000, where a bounded search now fails at the first name). The server
is started here on 127.0.0.1 with --port 0 and stopped by the test.

* CLI: sort/callers/callees --match, diff --match, filter --focus and
  callgraph --root/--leaf with ^(([a-z0-9/_.]+)*)*:$ end in one error line,
  exit 1, in seconds; a plain regex still works.
* API: the same pattern answers 422 with the JSON error well within the
  deadline; eight clients sending it in a loop do not hold up normal requests
  (their latency is measured and bounded generously); a regex that stays under
  the per-search bound but costs ~1 ms a name runs into the deadline (503);
  a client that hangs up frees its turn (the next request that needs one is
  served at once, with --threads 1); SIGTERM stops the server within 5 s while
  such requests (and icicles, a diff icicle, a sandwich) run.
* 257, 600 and 5,000 query parameters: 414 at once.
* 300 idle connections: a normal request is served within a couple of seconds.
* Requests with the headers Debian's chromium sends for a cross-site <img>
  (recorded by tests/browser/test_serve.mjs over the DevTools protocol), or a
  foreign Origin: 403; same-origin requests and links followed from elsewhere:
  served.
* Client mistakes are 4xx (the list is below, plus a sweep of bad values over
  every endpoint): never 500.
* A damaged store (a renamed column; a corrupted page of the functions table):
  2,000 failing requests, 500 with the JSON error each, and no memory growth:
  RSS measured (normal build), LeakSanitizer at exit (sanitizer build).

--slow K scales every time bound (sanitizer builds run ~3x slower). Prints one
FAIL line per failed check and `serve-limits: N passed, M failed, K skipped`.
Standard library only.
"""

import http.client
import json
import os
import random
import re
import signal
import socket
import sqlite3
import subprocess
import sys
import threading
import time
import urllib.parse

sys.dont_write_bytecode = True
HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(os.path.dirname(HERE), 'merge'))
from pvtest import Checks, Sandbox, error_line, text  # noqa: E402

R = Checks('serve-limits')
SB = None
SLOW = 1.0

# Nested repeats over a long run of [a-z0-9/_.] that then fails: exponential
# backtracking on every name of the generated profile (/srv/bigapp/.../mod_NNNNN.py:L(name)).
COSTLY = '^(([a-z0-9/_.]+)*)*:$'
# Under the per-search bound (~200,000 steps, ~1 ms a name) but slow over
# thousands of names: only the deadline stops it.
SLOW_RE = '([a-z0-9_.]+)*[a-z0-9_.]*[a-z0-9_.]*[a-z0-9_.]*:$'

# What Debian's chromium (156) sends for <img src=http://127.0.0.1:PORT/...> on
# a page of http://localhost:OTHER (tests/browser/test_serve.mjs prints it).
CHROMIUM_IMG = {
    'Accept': 'image/jxl,image/avif,image/webp,image/apng,image/svg+xml,image/*,*/*;q=0.8',
    'Referer': 'http://localhost:41091/',
    'Sec-Fetch-Dest': 'image',
    'Sec-Fetch-Mode': 'no-cors',
    'Sec-Fetch-Site': 'cross-site',
    'Sec-Fetch-Storage-Access': 'none',
    'User-Agent': 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) '
                  'HeadlessChrome/156.0.0.0 Safari/537.36',
}


# ---------------------------------------------------------------------------
# The server and HTTP


class Server:
    def __init__(self, db, *args):
        self.cmd = [SB.profview, 'serve', '--db', db, '--port', '0'] + [str(a) for a in args]
        self.proc = subprocess.Popen(self.cmd, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                     stderr=subprocess.PIPE, env=SB.env, cwd=SB.dir)
        self.err = []
        threading.Thread(target=self._drain, args=(self.proc.stderr,), daemon=True).start()
        line = self.proc.stdout.readline().decode('utf-8', 'replace')
        m = re.search(r'http://127\.0\.0\.1:(\d+)/', line)
        self.port = int(m.group(1)) if m else None
        threading.Thread(target=self._drain, args=(self.proc.stdout,), daemon=True).start()

    def _drain(self, stream):
        for line in iter(stream.readline, b''):
            self.err.append(line.decode('utf-8', 'replace'))

    def rss_mb(self):
        with open('/proc/%d/status' % self.proc.pid) as f:
            for line in f:
                if line.startswith('VmRSS:'):
                    return int(line.split()[1]) / 1024.0
        return None

    def stop(self, sig=signal.SIGTERM, timeout=15):
        """(exit code or None, seconds)"""
        t0 = time.monotonic()
        if self.proc.poll() is None:
            self.proc.send_signal(sig)
        try:
            self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
            return None, time.monotonic() - t0
        return self.proc.returncode, time.monotonic() - t0

    def stderr(self):
        time.sleep(0.2)
        return ''.join(self.err)


SANITIZER = re.compile(r'(?i)leaksanitizer|addresssanitizer|undefinedbehaviorsanitizer|runtime error')


def clean_exit(srv, rc, what):
    """Exit 0 and no sanitizer report (LeakSanitizer runs at the server's exit)."""
    err = srv.stderr()
    R.ok(rc == 0 and not SANITIZER.search(err), '%s: exit 0, no sanitizer report' % what,
         'exit %r\n%s' % (rc, err[-2000:]))


class Resp:
    def __init__(self, status=None, body=b'', elapsed=0.0, error=None, headers=None):
        self.status, self.body, self.elapsed, self.error = status, body, elapsed, error
        self.url = None
        self.headers = headers or {}

    def doc(self):
        try:
            return json.loads(self.body.decode('utf-8'))
        except ValueError:
            return None

    def message(self):
        d = self.doc()
        return d['error'].get('message', '') if isinstance(d, dict) and isinstance(d.get('error'), dict) else ''

    def json_error(self):
        d = self.doc()
        return (isinstance(d, dict) and set(d) == {'error'} and isinstance(d['error'], dict)
                and d['error'].get('status') == self.status and isinstance(d['error'].get('message'), str)
                and d['error']['message'] != '')

    def brief(self):
        if self.error:
            return 'no answer after %.2fs: %s' % (self.elapsed, self.error)
        return 'HTTP %s in %.2fs: %r' % (self.status, self.elapsed, self.body[:300])


def get(srv, path, headers=None, timeout=120):
    t0 = time.monotonic()
    c = http.client.HTTPConnection('127.0.0.1', srv.port, timeout=timeout)
    try:
        c.request('GET', path, headers=headers or {})
        r = c.getresponse()
        body = r.read()
        out = Resp(r.status, body, time.monotonic() - t0, headers={k.lower(): v for k, v in r.getheaders()})
    except Exception as exc:  # noqa: BLE001 - no answer is a result
        out = Resp(elapsed=time.monotonic() - t0, error='%s: %s' % (type(exc).__name__, exc))
    finally:
        c.close()
    out.url = path
    return out


def q(path, params):
    return path + '?' + urllib.parse.urlencode(params)


# ---------------------------------------------------------------------------
# The CLI


def check_cli(db, pid):
    bound = 30 * SLOW
    cases = [
        (['sort', pid, '--match', COSTLY], 'sort --match'),
        (['callers', pid, '--match', COSTLY], 'callers --match'),
        (['callees', pid, '--match', COSTLY, '--limit', '5'], 'callees --match'),
        (['diff', pid, pid, '--match', COSTLY], 'diff --match'),
        (['filter', pid, '--focus', COSTLY], 'filter --focus'),
        (['callgraph', pid, '--root', COSTLY], 'callgraph --root'),
        (['callgraph', pid, '--leaf', COSTLY], 'callgraph --leaf'),
    ]
    for argv, what in cases:
        t0 = time.monotonic()
        rc, out, err = SB.run(db, argv, timeout=bound + 30)
        took = time.monotonic() - t0
        R.ok(rc == 1 and error_line(err), 'CLI %s with a costly regex: exit 1, one error line' % what,
             'exit %r after %.1fs\nstderr %r' % (rc, took, text(err)[-400:]))
        R.ok('too costly' in text(err) and COSTLY in text(err), 'CLI %s: the error names the regex, too costly' % what,
             text(err)[-300:])
        R.ok(took < bound, 'CLI %s: ends within %.0fs' % (what, bound), '%.1fs' % took)
    rc, out, err = SB.run(db, ['sort', pid, '--match', r'_1\)$', '--limit', '3'])
    R.ok(rc == 0 and re.search(rb'\(\w+_1\)', out), 'CLI sort --match with a plain regex still lists what it matches',
         text(err)[-300:])


# ---------------------------------------------------------------------------
# The API: the costly pattern, the deadline, hang-ups, shutdown


def check_costly_api(srv, pid, deadline):
    urls = [q('/api/profiles/%s/table' % pid, [('match', COSTLY)]),
            q('/api/profiles/%s/callers' % pid, [('match', COSTLY), ('limit', '5')]),
            q('/api/profiles/%s/table' % pid, [('strip_dirs', '1'), ('match', COSTLY)]),
            q('/api/diff', [('base', pid), ('new', pid), ('match', COSTLY)]),
            q('/api/profiles/%s/callgraph.svg' % pid, [('root', COSTLY)]),
            q('/api/profiles/%s/callgraph.dot' % pid, [('leaf', COSTLY)])]
    for u in urls:
        r = get(srv, u)
        R.ok(r.status == 422 and r.json_error() and 'too costly' in r.message() and COSTLY in r.message(),
             'GET %s: 422, JSON error naming the regex as too costly' % u[:90], r.brief())
        R.ok(r.elapsed < deadline, 'GET %s: answered within the deadline (%.0fs)' % (u[:90], deadline), r.brief())


def latency_under_load(srv, bad_urls, normal_urls, clients, seconds):
    """clients threads send bad_urls in a loop for `seconds`; meanwhile normal_urls
    are requested one after another. Returns (normal Resps, bad Resps)."""
    stop = threading.Event()
    bad = []

    def loop(k):
        i = k
        while not stop.is_set():
            bad.append(get(srv, bad_urls[i % len(bad_urls)]))
            i += 1

    threads = [threading.Thread(target=loop, args=(k,)) for k in range(clients)]
    for t in threads:
        t.start()
    time.sleep(0.5)
    normal = []
    end = time.monotonic() + seconds
    i = 0
    while time.monotonic() < end:
        normal.append((normal_urls[i % len(normal_urls)], get(srv, normal_urls[i % len(normal_urls)], timeout=60)))
        i += 1
        time.sleep(0.1)
    stop.set()
    for t in threads:
        t.join(120)
    return normal, bad


def check_normal_served(srv, pid, small):
    normal_urls = ['/api/profiles?limit=5', '/api/profiles/%s' % pid, '/api/profiles/%s/table?limit=20' % pid,
                   '/api/profiles/%s/icicle' % small, '/', '/assets/app.js']
    bad_urls = [q('/api/profiles/%s/table' % pid, [('match', COSTLY)]),
                q('/api/profiles/%s/callgraph.svg' % pid, [('root', COSTLY)])]
    normal, bad = latency_under_load(srv, bad_urls, normal_urls, 8, 6 * SLOW)
    worst = max((r.elapsed for u, r in normal), default=None)
    print('info: 8 clients sending the costly regex in a loop (%d answers, statuses %s); %d normal requests '
          'meanwhile, slowest %.2fs' % (len(bad), sorted({r.status for r in bad}, key=str), len(normal), worst or -1))
    failed = [(u, r.brief()) for u, r in normal if r.status != 200]
    R.ok(normal and not failed, 'normal requests during 8 costly clients: all 200', failed[:5])
    R.ok(worst is not None and worst < 3 * SLOW, 'normal requests during 8 costly clients: each within %.0fs' % (3 * SLOW),
         sorted(((round(r.elapsed, 2), u) for u, r in normal), reverse=True)[:5])
    R.ok(bad and all(r.status == 422 for r in bad), 'the costly requests meanwhile: all 422',
         [r.brief() for r in bad if r.status != 422][:3])


def check_deadline(db, pid, small):
    """--deadline D: a request past it answers 503; normal ones go on meanwhile."""
    slow_url = q('/api/profiles/%s/table' % pid, [('match', SLOW_RE)])
    # The regex's cost is PCRE2's, which sanitizers do not slow down, and the
    # machine's load changes it: measured here without a deadline, and the
    # deadline set well below it (a deadline scaled by --slow once let it finish).
    srv = Server(db, '--deadline', 0, '--threads', 4)
    r = get(srv, slow_url) if srv.port else None
    srv.stop()
    if not R.ok(r is not None and r.status == 200, 'the slow regex without a deadline: 200',
                r.brief() if r else srv.stderr()):
        return
    d = round(min(2 * SLOW, r.elapsed / 3), 2)
    print('info: the slow regex takes %.2fs without a deadline; --deadline %g' % (r.elapsed, d))
    if not R.ok(d >= 0.5, 'the slow regex takes at least 1.5s (else it says nothing of a deadline)', r.brief()):
        return
    srv = Server(db, '--deadline', d, '--threads', 4)
    if not R.ok(srv.port, 'serve --deadline %g starts' % d, srv.stderr()):
        srv.stop()
        return
    r = get(srv, slow_url)
    R.ok(r.status == 503 and r.json_error() and 'deadline' in r.message(),
         'a regex under the per-search bound, slow over every name: 503 naming the deadline', r.brief())
    R.ok(d - 0.2 <= r.elapsed < d + 5 * SLOW, 'that answer comes at the deadline (%.0fs), not much later' % d,
         r.brief())
    # six at once (more than the 4 turns): the list, summaries and small tables never wait for a turn
    normal_urls = ['/api/profiles?limit=5', '/api/profiles/%s' % pid, '/api/profiles/%s/table?limit=20' % pid, '/']
    normal, bad = latency_under_load(srv, [slow_url], normal_urls, 6, 3 * d)
    worst = max((r.elapsed for u, r in normal), default=None)
    print('info: 6 clients running into a %gs deadline; %d normal requests meanwhile, slowest %.2fs'
          % (d, len(normal), worst or -1))
    R.ok(normal and all(r.status == 200 for u, r in normal) and worst < 3 * SLOW,
         'normal requests while 6 requests run into the deadline: all 200 within %.0fs' % (3 * SLOW),
         [(u, r.brief()) for u, r in normal if r.status != 200 or r.elapsed >= 3 * SLOW][:5])
    late = [r for r in bad if not (r.status == 503 and r.elapsed < d + 5 * SLOW)]
    R.ok(bad and not late, 'those 6 clients: each answer 503 by the deadline (waiting for a turn included)',
         [r.brief() for r in late][:3])
    rc, took = srv.stop()
    clean_exit(srv, rc, 'serve --deadline after requests cut by it')


def check_hangup(db, pid):
    """With one turn: a client that sends a slow request and hangs up frees the
    turn; the next request that needs one is served at once."""
    srv = Server(db, '--deadline', 120, '--threads', 1)
    if not R.ok(srv.port, 'serve --threads 1 starts', srv.stderr()):
        srv.stop()
        return
    slow_url = q('/api/profiles/%s/table' % pid, [('match', SLOW_RE)])
    turn_url = q('/api/profiles/%s/callers' % pid, [('match', r'_1\)$'), ('limit', '3')])
    for k in range(3):
        s = socket.create_connection(('127.0.0.1', srv.port), timeout=10)
        s.sendall(('GET %s HTTP/1.1\r\nHost: 127.0.0.1:%d\r\n\r\n' % (slow_url, srv.port)).encode())
        time.sleep(0.5)
        s.close()
    time.sleep(0.2)
    r = get(srv, turn_url)
    R.ok(r.status == 200, 'after three clients hung up on slow requests, a request that needs the one turn: 200',
         r.brief())
    R.ok(r.elapsed < 5 * SLOW, 'and it is served at once (%.2fs; the hung-up work ran for 120 s otherwise)'
         % r.elapsed, r.brief())
    rc, took = srv.stop()
    clean_exit(srv, rc, 'serve --threads 1 after hung-up clients')


def check_shutdown(db, pid):
    srv = Server(db, '--deadline', 300)
    if not R.ok(srv.port, 'a server for the shutdown starts', srv.stderr()):
        srv.stop()
        return
    slow_url = q('/api/profiles/%s/table' % pid, [('match', SLOW_RE)])
    costly_url = q('/api/profiles/%s/table' % pid, [('strip_dirs', '1'), ('match', SLOW_RE)])
    got = []
    trees = ['/api/diff/icicle?base=%s&new=%s&max_nodes=2000000' % (pid, pid),
             '/api/profiles/%s/icicle?max_nodes=2000000' % pid, '/api/profiles/%s/sandwich?func=1' % pid]
    threads = [threading.Thread(target=lambda u=u: got.append(get(srv, u)))
               for u in [slow_url] * 5 + [costly_url] * 2 + trees]
    for t in threads:
        t.start()
    time.sleep(1.5)
    running = srv.proc.poll() is None
    rc, took = srv.stop(signal.SIGTERM, timeout=30)
    R.ok(running, 'the server runs until SIGTERM')
    clean_exit(srv, rc, 'SIGTERM while 10 requests run')
    R.ok(took < 5, 'SIGTERM while 10 requests run: stopped within 5 s', '%.2fs' % took)
    print('info: SIGTERM with 10 requests computing: stopped in %.2fs' % took)
    for t in threads:
        t.join(30)
    R.ok(all(r.status != 200 for r in got if '/table' in (r.url or '')),
         'the interrupted table requests got no answer of a finished table',
         [r.brief() for r in got if r.status == 200 and '/table' in (r.url or '')][:2])


# ---------------------------------------------------------------------------
# Parameters, idle connections, other sites, client errors


def check_params(srv):
    for n in (257, 600, 5000):
        path = '/api/profiles?' + '&'.join('limit=1' for _ in range(n))
        r = get(srv, path, timeout=20)
        R.ok(r.status == 414 and r.json_error() and '256' in r.message(),
             '%d query parameters: 414 with the JSON error' % n, r.brief())
        R.ok(r.elapsed < 2 * SLOW, '%d query parameters: answered at once' % n, r.brief())
    r = get(srv, '/api/profiles?' + '&'.join('limit=1' for _ in range(256)))
    R.eq(r.status, 200, '256 query parameters: served')
    r = get(srv, '/api/profiles?limit=1')
    R.eq(r.status, 200, 'the server answers after those')


def check_idle(srv):
    idle = []
    try:
        for _ in range(300):
            idle.append(socket.create_connection(('127.0.0.1', srv.port), timeout=5))
    except OSError as exc:
        R.ok(False, '300 connections can be opened', repr(exc))
    for k in range(3):
        r = get(srv, '/api/profiles?limit=1', timeout=30)
        R.ok(r.status == 200 and r.elapsed < 2 * SLOW,
             '%d idle connections open: a normal request is served within %.0fs (#%d)' % (len(idle), 2 * SLOW, k + 1),
             r.brief())
    for s in idle:
        s.close()
    # idle ones are closed by the server after 5 s: one that sent nothing is gone
    s = socket.create_connection(('127.0.0.1', srv.port), timeout=30)
    t0 = time.monotonic()
    try:
        gone = s.recv(1) == b''
    except OSError:
        gone = True
    took = time.monotonic() - t0
    s.close()
    R.ok(gone and 4 < took < 5 + 5 * SLOW, 'a connection that sends nothing is closed after about 5 s',
         'closed %r after %.1fs' % (gone, took))


def check_cross_site(srv, pid):
    host = {'Host': '127.0.0.1:%d' % srv.port}
    for path in ('/api/profiles?limit=1', '/api/profiles/%s/table' % pid, '/assets/app.js', '/'):
        r = get(srv, path, dict(CHROMIUM_IMG, **host))
        R.ok(r.status == 403 and r.json_error() and 'Sec-Fetch-Site' in r.message(),
             'GET %s with the headers chromium sends for a cross-site <img>: 403' % path, r.brief())
        r = get(srv, path, dict(CHROMIUM_IMG, **host, **{'Sec-Fetch-Site': 'same-site'}))
        R.eq(r.status, 403, 'GET %s from a page on another port (Sec-Fetch-Site: same-site): 403' % path)
        r = get(srv, path, dict(host, **{'Sec-Fetch-Site': 'same-origin', 'Sec-Fetch-Mode': 'cors',
                                          'Sec-Fetch-Dest': 'empty'}))
        R.eq(r.status, 200, 'GET %s as the page itself asks (Sec-Fetch-Site: same-origin): 200' % path)
        r = get(srv, path, dict(host, **{'Sec-Fetch-Site': 'none', 'Sec-Fetch-Mode': 'navigate',
                                          'Sec-Fetch-Dest': 'document'}))
        R.eq(r.status, 200, 'GET %s typed in the address bar (Sec-Fetch-Site: none): 200' % path)
    nav = {'Sec-Fetch-Site': 'cross-site', 'Sec-Fetch-Mode': 'navigate', 'Sec-Fetch-Dest': 'document',
           'Referer': 'https://example.org/'}
    r = get(srv, '/p/%s/table' % pid, dict(host, **nav))
    R.eq(r.status, 200, 'a link to the page followed from another site (a top-level navigation): 200')
    r = get(srv, '/p/%s/table' % pid, dict(host, **dict(nav, **{'Sec-Fetch-Dest': 'iframe'})))
    R.eq(r.status, 403, 'the page in another site\'s <iframe>: 403')
    r = get(srv, '/api/profiles?limit=1', dict(host, Origin='http://evil.example'))
    R.ok(r.status == 403 and 'Origin' in r.message(), 'a foreign Origin (browsers without Fetch Metadata): 403',
         r.brief())
    r = get(srv, '/api/profiles?limit=1', dict(host, Origin='null'))
    R.eq(r.status, 403, 'Origin: null: 403')
    r = get(srv, '/api/profiles?limit=1', dict(host, Origin='http://127.0.0.1:%d' % srv.port))
    R.eq(r.status, 200, 'its own Origin: 200')
    r = get(srv, '/api/profiles?limit=1')
    R.eq(r.status, 200, 'no Fetch Metadata, no Origin (curl, scripts): 200')


def check_client_errors(srv, pid, folded):
    """Each client mistake: its 4xx with the JSON error."""
    cases = [
        ('/api/profiles/%s/callgraph.svg?root=zzz_no_such_function' % pid, 404),
        ('/api/profiles/%s/callgraph.dot?leaf=zzz_no_such_function' % pid, 404),
        ('/api/profiles/%s/callgraph.dot?root=get_user&leaf=zzz_nothing' % pid, 404),
        ('/api/profiles/%s/callgraph.dot?root=zzz_nope' % folded, 404),
        ('/api/profiles/%s/callgraph.dot?root=%%28' % pid, 400),
        (q('/api/profiles/%s/callgraph.dot' % pid, [('root', COSTLY)]), 422),
        (q('/api/profiles/%s/table' % pid, [('match', COSTLY)]), 422),
        ('/api/profiles/%s/table?match=%%28' % pid, 400),
        ('/api/profiles/%s/table?by=bogus' % pid, 400),
        ('/api/profiles/%s/table?by=samples' % pid, 400),
        ('/api/profiles/%s/table?limit=-1' % pid, 400),
        ('/api/profiles/%s/table?bogus=1' % pid, 400),
        ('/api/profiles/987654/table', 404),
        ('/api/profiles/no-such-name', 404),
        ('/api/profiles/%s/callers?func=99999999' % pid, 404),
        ('/api/profiles/%s/icicle?path=99999999' % folded, 404),
        ('/api/profiles/%s/icicle?depth=0' % folded, 400),
        ('/api/profiles/%s/sandwich' % folded, 400),
        ('/api/profiles/%s/sandwich?func=99999' % folded, 404),
        ('/api/diff?base=%s' % pid, 400),
        ('/api/diff?base=%s&new=987654' % pid, 404),
        ('/api/diff?base=%s&new=%s&by=bogus' % (pid, pid), 400),
        ('/api/diff?base=%s&new=%s&match=%%28' % (pid, pid), 400),
        ('/api/profiles/%s/callgraph.svg?diff=987654' % pid, 404),
        ('/api/nope', 404),
    ]
    for path, want in cases:
        r = get(srv, path)
        R.ok(r.status == want and r.json_error(), 'GET %s: %d with the JSON error' % (path[:100], want), r.brief())
    # a sweep: bad values for every parameter of every endpoint, never a 5xx
    rnd = random.Random(20)
    values = ['', '0', '-1', '99999999999', 'abc', '1.5', 'nan', 'inf', '(', 'zzz', ',', '1,2', 'cum', 'self',
              'samples', 'nfl', 'latest', 'x' * 300, '%', '\u00e9']
    endpoints = {
        '/api/profiles/{r}/table': ['by', 'limit', 'fraction', 'match', 'strip_dirs', 'reverse'],
        '/api/profiles/{r}/callers': ['by', 'limit', 'fraction', 'match', 'strip_dirs', 'reverse', 'func'],
        '/api/profiles/{r}/icicle': ['path', 'depth', 'max_nodes'],
        '/api/profiles/{r}/sandwich': ['func', 'max_nodes'],
        '/api/profiles/{r}/callgraph.dot': ['node_thres', 'edge_thres', 'root', 'leaf', 'depth', 'theme', 'color_by',
                                            'strip_dirs', 'diff', 'normalize'],
        '/api/diff': ['base', 'new', 'by', 'limit', 'match', 'strip_dirs', 'ignore_lines', 'normalize'],
        '/api/diff/icicle': ['base', 'new', 'normalize', 'path', 'depth', 'max_nodes'],
    }
    server_faults = []
    n = 0
    for ep, names in endpoints.items():
        for ref in (pid, folded, 'latest', '987654'):
            for _ in range(12):
                params = [(k, rnd.choice(values + [str(pid), str(folded)])) for k in rnd.sample(names, rnd.randint(1, min(3, len(names))))]
                if ep.startswith('/api/diff'):
                    params += [('base', ref), ('new', rnd.choice([str(pid), str(folded)]))]
                r = get(srv, q(ep.replace('{r}', str(ref)), params))
                n += 1
                if r.status is None or r.status >= 500 or (r.status >= 400 and not r.json_error()):
                    server_faults.append(r.brief()[:200] + ' <- ' + q(ep.replace('{r}', str(ref)), params)[:150])
    R.ok(not server_faults, 'a sweep of %d requests with bad values: each a 2xx or a 4xx with the JSON error' % n,
         '\n'.join(server_faults[:10]))


# ---------------------------------------------------------------------------
# A damaged store: failing reads leave nothing behind


def damage_column(path):
    c = sqlite3.connect(path)
    c.execute('ALTER TABLE profile_arrays RENAME COLUMN data TO data_damaged')
    c.commit()
    c.close()
    return True


def damage_page(path):
    """Scribbles over the cell pointers of a leaf page in the middle of the
    profile_arrays table (dbstat finds it); False when this SQLite has no dbstat."""
    c = sqlite3.connect(path)
    c.execute('PRAGMA wal_checkpoint(TRUNCATE)')
    c.execute('PRAGMA journal_mode=DELETE')
    size = c.execute('PRAGMA page_size').fetchone()[0]
    try:
        pages = [r[0] for r in c.execute("SELECT pageno FROM dbstat WHERE name = 'profile_arrays' AND pagetype = 'leaf' "
                                         "ORDER BY pageno")]
    except sqlite3.Error:
        pages = []
    c.close()
    if not pages:
        return False
    with open(path, 'r+b') as f:
        f.seek((pages[len(pages) // 2] - 1) * size + 8)
        f.write(b'\xff' * 64)
    return True


def check_damaged(fixture, sanitized):
    urls = ['/api/profiles/1/table?by=tottime', '/api/profiles/1', '/api/profiles/1/callers',
            '/api/profiles/1/icicle', '/api/profiles/1/callgraph.dot', '/api/diff?base=1&new=1']
    for kind, damage in (('a renamed column', damage_column), ('a corrupted page', damage_page)):
        db = SB.path('damaged-%s.db' % kind.split()[-1])
        rc, out, err = SB.run(db, ['import', fixture])
        if not R.ok(rc == 0, 'import for the damaged store', text(err)):
            continue
        if not damage(db):
            R.skip('%s: this SQLite has no dbstat to find a page of the profile_arrays table' % kind)
            continue
        srv = Server(db)
        if not R.ok(srv.port, 'serve on a store with %s starts' % kind, srv.stderr()):
            srv.stop()
            continue
        c = http.client.HTTPConnection('127.0.0.1', srv.port, timeout=60)
        statuses, bad_body, rss = {}, [], []
        total = 2000
        for i in range(total):
            u = urls[i % len(urls)]
            try:
                c.request('GET', u)
                r = c.getresponse()
                body = r.read()
            except Exception as exc:  # noqa: BLE001
                c.close()
                c = http.client.HTTPConnection('127.0.0.1', srv.port, timeout=60)
                statuses[(u, repr(exc)[:60])] = statuses.get((u, repr(exc)[:60]), 0) + 1
                continue
            statuses[(u, r.status)] = statuses.get((u, r.status), 0) + 1
            resp = Resp(r.status, body)
            if r.status != 200 and not resp.json_error():
                bad_body.append((u, body[:200]))
            if i in (300, total - 1):
                rss.append(srv.rss_mb())
        c.close()
        failing = sum(v for (u, s), v in statuses.items() if s == 500)
        print('info: store with %s: %s; RSS %s MB' % (kind, ', '.join('%s %s x%d' % (u, s, v) for (u, s), v in
                                                                         sorted(statuses.items(), key=str)),
                                                       ' -> '.join('%.1f' % x for x in rss)))
        R.ok(failing >= total // 2, 'store with %s: most requests fail (500, the store is damaged)' % kind,
             repr(statuses))
        R.ok(not bad_body, 'store with %s: each failure is a JSON error' % kind, repr(bad_body[:3]))
        if sanitized:
            R.skip('store with %s: RSS in a sanitizer build (LeakSanitizer checks instead)' % kind)
        elif len(rss) == 2 and None not in rss:
            R.ok(rss[1] - rss[0] < 10, 'store with %s: RSS grows less than 10 MB over %d failing requests'
                 % (kind, total - 300), '%.1f MB -> %.1f MB' % tuple(rss))
        rc, took = srv.stop()
        clean_exit(srv, rc, 'the server of the store with %s' % kind)


# ---------------------------------------------------------------------------


def main():
    global SB, SLOW
    args = sys.argv[1:]
    if '--slow' in args:
        i = args.index('--slow')
        SLOW = float(args[i + 1])
        del args[i:i + 2]
    if len(args) < 2:
        raise SystemExit('usage: %s PROFVIEW REPO_ROOT [--slow K]' % sys.argv[0])
    profview, root = os.path.abspath(args[0]), os.path.abspath(args[1])
    sanitized = SLOW > 1
    SB = Sandbox(profview, 'pv-limits-')
    t_start = time.time()
    try:
        n = int(os.environ.get('PV_LIMITS_FUNCTIONS', '20000'))
        big = SB.path('big.prof')
        t0 = time.time()
        p = subprocess.run([sys.executable, os.path.join(root, 'bench', 'make_big_profile.py'), '--functions', str(n),
                            '--rounds', '1', '--out', big], stdout=subprocess.PIPE, stderr=subprocess.PIPE, cwd=SB.dir)
        if not R.ok(p.returncode == 0, 'bench/make_big_profile.py --functions %d' % n, text(p.stderr)[-800:]):
            return R.done()
        print('info: %s (%.1fs)' % (text(p.stdout).strip(), time.time() - t0))
        db = SB.path('store.db')
        rc, out, err = SB.run(db, ['import', big, '--name', 'big'])
        small_fixture = os.path.join(root, 'tests', 'sampled', 'fixtures', 'py_sampled.folded')
        rc2, out2, err2 = SB.run(db, ['import', small_fixture, '--name', 'small'])
        if not R.ok(rc == 0 and rc2 == 0, 'imports', text(err + err2)[-500:]):
            return R.done()
        pid, small = 'big', 'small'
        check_cli(db, pid)
        print('info: CLI done at %.1fs' % (time.time() - t_start))

        deadline = 10 * SLOW
        srv = Server(db, '--deadline', deadline)
        if not R.ok(srv.port, 'serve prints its URL', srv.stderr()):
            srv.stop()
            return R.done()
        try:
            check_costly_api(srv, pid, deadline)
            check_normal_served(srv, pid, small)
            check_params(srv)
            check_cross_site(srv, pid)
            check_client_errors(srv, pid, small)
            check_idle(srv)
        finally:
            rc, took = srv.stop()
            clean_exit(srv, rc, 'the main server')
            R.ok(took < 5, 'the main server stops within 5 s', '%.1fs' % took)
        print('info: API done at %.1fs' % (time.time() - t_start))
        check_deadline(db, pid, small)
        check_hangup(db, pid)
        check_shutdown(db, pid)
        print('info: deadline, hang-up, shutdown done at %.1fs' % (time.time() - t_start))
        check_damaged(os.path.join(root, 'tests', 'golden', 'fixtures', 'py311-cprofile.prof'), sanitized)
    finally:
        print('info: %.1fs in all' % (time.time() - t_start))
        SB.close()
    return R.done()


if __name__ == '__main__':
    main()
    sys.exit(1 if R.failed else 0)

#!/usr/bin/env python3
"""Runs profview on bad .prof inputs and checks the bad-input contract (stdlib only).

  run_bad.py PROFVIEW [--group cases|hostile|truncate|corrupt|folded|speedscope|gzip]...
             [--timeout S] [--only SUBSTRING] [--keep] [-v]

A scratch store gets one good fixture imported first, so it is not empty; its
content (every row of every table, ordered) is hashed.  Then every case from
make_bad.py is written to a file and given to `profview import FILE` and
`profview sort FILE`; each run must

  * end within the timeout, not by a signal, without a sanitizer report
    (ASAN_OPTIONS/UBSAN_OPTIONS make sanitizers exit 99/98 in the child), and
    within 1 GiB of address space (normal builds; an allocation sized by a lying
    length field aborts);
  * exit 1 with exactly one stderr line "error: 'FILE': <what>" (or, where the
    line says what the file is, "error: 'FILE' is <what>") and nothing on
    stdout -- with "at byte N", N <= the file size, when the problem is in the
    file's content -- or, for cases that may legitimately parse (corrupted
    bytes, odd values), exit 0 with a valid import;
  * leave the store exactly as it was (after a failed run); a successful run
    is checked for consistency and the store is then put back.

Import and sort of the same file must agree (same status, same error line).

The folded, speedscope and gzip groups (make_bad.py) also pass import options
(--format, --lenient, --merge-threads; such cases run import only), allow the
reader's "warning: 'FILE': ..." lines on success where the case expects them,
check every imported sampled/evented profile as a call tree (parents first,
finite weights that add up: check_tree) and the case's expected totals, and for
the gzip bombs bound the run's peak RSS (wait4) or give it a bigger address-space
cap. Cases marked sanitizers=False are skipped in ASan builds (no cap there).
Exit status: 0 when every check passes, 1 otherwise (details on stdout).
"""
import argparse
import hashlib
import math
import os
import re
import resource
import shlex
import shutil
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time

sys.dont_write_bytecode = True     # no __pycache__ in the source tree
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), 'store'))
import make_bad  # noqa: E402
import store_rows  # noqa: E402

GOOD_FIXTURES = ('py312-cprofile.prof', 'py311-cprofile.prof', 'synth-bigcounts.prof')
SANITIZER_MARKS = ('AddressSanitizer', 'LeakSanitizer', 'runtime error:', 'UndefinedBehaviorSanitizer',
                   'MemorySanitizer', 'ThreadSanitizer')
CHILD_ENV = {
    'ASAN_OPTIONS': 'detect_leaks=1:exitcode=99:abort_on_error=0',
    'UBSAN_OPTIONS': 'print_stacktrace=1:halt_on_error=1:exitcode=98',
    'LC_ALL': 'C',
    'TZ': 'UTC',
}
AT_BYTE = re.compile(r' at byte (\d+)$')
# Runs argv[2:] as a child and writes its peak RSS (KiB) to argv[1]; exits as the
# child did (a signal is raised again), so the caller sees the same status.
RSS_HELPER = r"""
import os, signal, sys
pid = os.fork()
if pid == 0:
    try:
        os.execv(sys.argv[2], sys.argv[2:])
    finally:
        os._exit(127)
_, status, ru = os.wait4(pid, 0)
with open(sys.argv[1], 'w') as f:
    f.write('%d' % ru.ru_maxrss)
code = os.waitstatus_to_exitcode(status)
if code < 0:
    signal.signal(-code, signal.SIG_DFL)
    os.kill(os.getpid(), -code)
sys.exit(code)
"""
MEMORY_CAP = 1 << 30    # address space of one run (normal builds): inputs are at most a few MB


def store_content_hash(path):
    """sha256 over the schema, user_version and every row of every table, ordered."""
    h = hashlib.sha256()
    con = sqlite3.connect('file:%s?mode=ro' % path, uri=True)
    con.text_factory = bytes    # names are raw bytes, not always UTF-8
    try:
        h.update(repr(con.execute('PRAGMA user_version').fetchall()).encode())
        tables = con.execute("SELECT name, sql FROM sqlite_master WHERE type = 'table' ORDER BY name").fetchall()
        for name, sql in tables:
            name, sql = name.decode(), sql.decode()
            h.update(('\0table %s %s\n' % (name, sql)).encode())
            ncols = len(con.execute('SELECT * FROM "%s" LIMIT 0' % name).description)
            order = ', '.join(str(k + 1) for k in range(ncols))
            for row in con.execute('SELECT * FROM "%s" ORDER BY %s' % (name, order)):
                h.update(repr(row).encode())
                h.update(b'\n')
    finally:
        con.close()
    return h.hexdigest()


def error_what(line, path):
    """What an error line says about path: the text after "error: 'PATH': ", or
    "is ..." after "error: 'PATH' " (a line that says what the file is); None when
    the line is neither."""
    for prefix in ("error: '%s': " % path, "error: '%s' " % path):
        if line.startswith(prefix) and len(line) > len(prefix):
            what = line[len(prefix):]
            if prefix.endswith("': ") or what.startswith('is '):
                return what
    return None


def store_files(path):
    return [path, path + '-wal', path + '-shm', path + '-journal']


def _close(a, b, magnitude):
    return abs(a - b) <= 1e-9 * max(1.0, abs(magnitude))


def check_tree(con, pid):
    """A stored sampled/evented profile is one consistent call tree: node 0 the root,
    parents before children, functions that exist, finite non-negative weights that
    add up (node totals, the root total = total_weight = the sum of self weights,
    functions' self = total_weight minus the root's self), no negative counts."""
    kind, tw, ts, nfunc, nnodes = con.execute(
        'SELECT kind, total_weight, total_samples, function_count, node_count FROM profiles WHERE id = ?',
        (pid,)).fetchone()
    if kind == 'calls':
        return None
    if kind not in ('sampled', 'evented'):
        return 'kind %r' % kind
    if not math.isfinite(tw) or tw < 0:
        return 'total_weight %r is not a finite non-negative number' % tw
    if ts < 0:
        return 'total_samples %d is negative' % ts
    nodes = con.execute('SELECT id, parent, func, self, total, count FROM tree_nodes WHERE profile_id = ? '
                        'ORDER BY id', (pid,)).fetchall()
    if len(nodes) != nnodes:
        return '%d tree nodes, its row says %d' % (len(nodes), nnodes)
    if not nodes or nodes[0][1] is not None:
        return 'node 0 is not a root'
    child_total = [0.0] * len(nodes)
    self_sum = self_abs = 0.0
    for k, (nid, parent, func, slf, total, count) in enumerate(nodes):
        if nid != k:
            return 'node ids are not 0..%d' % (len(nodes) - 1)
        if k and not (parent is not None and 0 <= parent < k):
            return 'node %d has parent %r' % (k, parent)
        if k and not 0 <= func < nfunc:
            return 'node %d names function %d of %d' % (k, func, nfunc)
        if not (math.isfinite(slf) and math.isfinite(total)) or slf < 0:
            return 'node %d: self %r total %r' % (k, slf, total)
        if count < 0:
            return 'node %d: negative count %d' % (k, count)
        if k:
            child_total[parent] += total
        self_sum += slf
        self_abs += abs(slf)
    for k, node in enumerate(nodes):
        if not _close(node[4], node[3] + child_total[k], self_abs):
            return 'node %d: total %r is not self %r + children %r' % (k, node[4], node[3], child_total[k])
    if not _close(nodes[0][4], tw, self_abs) or not _close(self_sum, tw, self_abs):
        return 'root total %r / sum of self %r vs total_weight %r' % (nodes[0][4], self_sum, tw)
    # 9e999 is infinity to SQLite; a NaN is stored as NULL
    fself, bad = con.execute('SELECT total(tottime), sum(tottime IS NULL OR cumtime IS NULL OR abs(tottime) = 9e999 '
                             'OR abs(cumtime) = 9e999 OR calls < 0 OR pcalls < 0) FROM functions '
                             'WHERE profile_id = ?', (pid,)).fetchone()
    if bad:
        return '%d functions with non-finite times or negative counts' % bad
    if not _close(fself, tw - nodes[0][3], self_abs):
        return "functions' self weights sum to %r, total_weight minus root self is %r" % (fself, tw - nodes[0][3])
    bad = con.execute('SELECT count(*) FROM edges WHERE profile_id = ? AND (caller < 0 OR caller >= ? OR '
                      'callee < 0 OR callee >= ?)', (pid, nfunc, nfunc)).fetchone()[0]
    if bad:
        return '%d edges name functions that do not exist' % bad
    return None


def check_expect(con, ids, expect):
    """The facts a case expects of its import (the first profile's; 'profiles': how
    many were printed)."""
    cols = {'samples': 'total_samples', 'weight': 'total_weight', 'functions': 'function_count',
            'nodes': 'node_count', 'kind': 'kind', 'unit': 'unit', 'format': 'format'}
    row = con.execute('SELECT %s FROM profiles WHERE id = ?' % ', '.join(cols.values()), (ids[0],)).fetchone()
    got = dict(zip(cols, row))
    got['profiles'] = len(ids)
    for k, want in sorted(expect.items()):
        have = got[k]
        if k == 'weight':
            if not _close(have, float(want), float(want)):
                return 'total weight %r, expected %r' % (have, want)
        elif have != want:
            return '%s is %r, expected %r' % (k, have, want)
    return None


def file_signature(path):
    """Cheap exact check: the bytes of the store and of any journal next to it."""
    sig = []
    for p in store_files(path):
        try:
            with open(p, 'rb') as f:
                sig.append((os.path.basename(p), hashlib.sha256(f.read()).hexdigest()))
        except FileNotFoundError:
            pass
    return tuple(sig)


class Store:
    def __init__(self, path, pristine_dir):
        self.path = path
        self.pristine_dir = pristine_dir
        os.makedirs(pristine_dir, exist_ok=True)
        for p in store_files(path):
            if os.path.exists(p):
                shutil.copy2(p, os.path.join(pristine_dir, os.path.basename(p)))
        self.content = store_content_hash(path)
        self.sig = file_signature(path)

    def unchanged(self):
        sig = file_signature(self.path)
        if sig == self.sig:
            return True
        if store_content_hash(self.path) == self.content:
            self.sig = sig    # same rows, different bytes (e.g. a journal left behind)
            return True
        return False

    def restore(self):
        for p in store_files(self.path):
            if os.path.exists(p):
                os.unlink(p)
        for fn in os.listdir(self.pristine_dir):
            shutil.copy2(os.path.join(self.pristine_dir, fn), os.path.join(os.path.dirname(self.path), fn))
        self.sig = file_signature(self.path)


class Runner:
    def __init__(self, profview, scratch, timeout, verbose):
        self.profview = profview
        self.scratch = scratch
        self.timeout = timeout
        self.verbose = verbose
        self.failures = []
        self.runs = 0
        self.accepted = []     # 'any' cases that parsed
        self.rejected = 0      # 'any' cases refused with a proper error
        self.slowest = (0.0, None)
        self.env = dict(os.environ)
        self.env.update(CHILD_ENV)
        self.env.pop('PROFVIEW_DB', None)
        self.env['XDG_DATA_HOME'] = os.path.join(scratch, 'xdg')    # never the user's store
        # Without ASan (whose shadow memory needs a huge address space) the address
        # space is capped, so an allocation driven by a lying size field aborts
        # ("out of memory") instead of quietly succeeding.
        with open(profview, 'rb') as f:
            image = f.read()
        self.memory_cap = None if any(s in image for s in (b'__asan_init', b'__msan_init', b'__tsan_init')) \
            else MEMORY_CAP
        self.db = os.path.join(scratch, 'store.db')
        self.indir = os.path.join(scratch, 'in')
        os.makedirs(self.indir)
        self.sanitized = self.memory_cap is None
        self.skipped = []       # cases that do not apply to this build
        self.last_rss = 0
        self.data = None        # the bytes of the case being run

    def run(self, args, timeout=None, memory_cap=None, measure_rss=False):
        """Runs profview; memory_cap replaces the default address-space cap (normal
        builds only); measure_rss sets self.last_rss to the run's peak resident set."""
        argv = [self.profview, '--db', self.db] + args
        cap = (memory_cap or self.memory_cap) if self.memory_cap else None
        preexec = (lambda: resource.setrlimit(resource.RLIMIT_AS, (cap, cap))) if cap else None
        t0 = time.monotonic()
        if measure_rss:
            rc, out, err = self.run_measured(argv, timeout or self.timeout, preexec)
        else:
            p = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                 env=self.env, start_new_session=True, preexec_fn=preexec)
            try:
                out, err = p.communicate(timeout=timeout or self.timeout)
                rc = p.returncode
            except subprocess.TimeoutExpired:
                os.killpg(p.pid, signal.SIGKILL)    # its own session: the run and anything it started
                out, err = p.communicate()
                rc = None
        dt = time.monotonic() - t0
        self.runs += 1
        return argv, rc, out, err, dt

    def run_measured(self, argv, timeout, preexec):
        """The same through RSS_HELPER, which forks profview from a fresh small
        process and reports its peak RSS: measured here, the child would inherit
        this (big) runner's resident pages at the fork, and Linux counts those."""
        fd, rss_file = tempfile.mkstemp(prefix='rss-', dir=self.scratch)
        os.close(fd)
        p = subprocess.Popen([sys.executable, '-c', RSS_HELPER, rss_file] + argv, stdin=subprocess.DEVNULL,
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=self.env, start_new_session=True,
                             preexec_fn=preexec)
        try:
            out, err = p.communicate(timeout=timeout)
            rc = p.returncode
        except subprocess.TimeoutExpired:
            os.killpg(p.pid, signal.SIGKILL)
            out, err = p.communicate()
            rc = None
        try:
            with open(rss_file) as f:
                self.last_rss = int(f.read() or 0) * 1024
        except (OSError, ValueError):
            self.last_rss = 0
        os.unlink(rss_file)
        return rc, out, err

    def setup_store(self, fixtures):
        for fx in GOOD_FIXTURES:
            path = os.path.join(fixtures, fx)
            if os.path.exists(path):
                break
        else:
            raise SystemExit('run_bad: none of %s in %s' % (', '.join(GOOD_FIXTURES), fixtures))
        argv, rc, out, err, _ = self.run(['import', path])
        if rc != 0 or not re.fullmatch(rb'\d+\n', out):
            raise SystemExit('run_bad: cannot import the good fixture %s: exit %s\n%s%s' %
                             (path, rc, out.decode(errors='replace'), err.decode(errors='replace')))
        self.store = Store(self.db, os.path.join(self.scratch, 'pristine'))

    def fail(self, case, mode, argv, rc, out, err, why):
        self.failures.append((case.name, mode, why))
        shown_err = err.decode('utf-8', 'replace')
        if len(shown_err) > 3000:
            shown_err = shown_err[:3000] + '\n[... %d more bytes]' % (len(err) - 3000)
        print('FAIL %s [%s]: %s' % (case.name, mode, why))
        print('  command: %s' % ' '.join(shlex.quote(a) for a in argv))
        print('  exit: %s' % ('none: killed after the timeout' if rc is None else rc))
        if out:
            print('  stdout: %r' % out[:300])
        print('  stderr: %s' % shown_err.rstrip('\n').replace('\n', '\n          '))
        data = self.data
        if data is not None and len(data) <= 160:
            print('  input (%d bytes): %s' % (len(data), data.hex()))
        elif data is not None:
            print('  input: %d bytes, kept as %s' % (len(data), os.path.join(self.indir, case.name + case.ext)))

    def input_path(self, case):
        """Writes the case's input; returns (path, size or None)."""
        self.data = case.data if isinstance(case.data, bytes) else None
        if case.special == 'dir':
            path = os.path.join(self.indir, case.name + '.d')
            os.makedirs(path, exist_ok=True)
            return path, None
        if case.special == 'missing':
            return os.path.join(self.indir, case.name + '-absent.prof'), None
        if case.special == 'missing-dir':
            return os.path.join(self.indir, 'no-such-dir', 'x.prof'), None
        if case.special == 'fifo':
            path = os.path.join(self.indir, case.name + '.fifo')
            if not os.path.exists(path):
                os.mkfifo(path)
            return path, None
        if case.special == 'devnull':
            return '/dev/null', None
        if case.special == 'long-path':
            path = os.path.join(self.indir, *(['d' * 60] * 11), 'long.prof')
            os.makedirs(os.path.dirname(path), exist_ok=True)
            with open(path, 'wb') as f:
                f.write(case.data)
            return path, len(case.data)
        if case.special == 'odd-name':
            path = os.path.join(self.indir, "it's\nodd.prof")
            with open(path, 'wb') as f:
                f.write(case.data)
            return path, len(case.data)
        data = self.data = case.data() if callable(case.data) else case.data
        path = os.path.join(self.indir, case.name + case.ext)
        with open(path, 'wb') as f:
            f.write(data)
        return path, len(data)

    def check_error_line(self, case, path, size, err):
        """None when err is one proper error line for path, else why not."""
        if sum(1 for b in err if b == 0x0a) != 1 or not err.endswith(b'\n'):
            return 'stderr is not exactly one line'
        line = err[:-1].decode('utf-8', 'surrogateescape')
        what = error_what(line, path)
        if what is None and '\n' in path:
            # how a newline in a name is shown is open; the line must still name it
            if not line.startswith("error: '") or not ("': " in line or "' is " in line):
                return 'stderr does not match "error: \'FILE\': <what>"'
            what = line.rsplit("': ", 1)[1] if "': " in line else line.rsplit("' is ", 1)[1]
        elif what is None:
            return 'stderr does not match "error: \'%s\': <what>"' % path
        m = AT_BYTE.search(what)
        if case.at_byte and size is not None and not m:
            return 'no "at byte N" in the error about the file content'
        limit = case.at_max if case.at_max is not None else size
        if m and limit is not None and int(m.group(1)) > limit:
            return 'byte offset %s is beyond the %s %d' % (
                m.group(1), 'file size' if case.at_max is None else 'decompressed size', limit)
        # a tuple: any of them (a refusal that depends on the memory at hand)
        wants = case.stderr if isinstance(case.stderr, tuple) else (case.stderr,)
        if case.stderr and not any(w in what for w in wants):
            return 'error does not contain %s' % ' or '.join(repr(w) for w in wants)
        if case.forbid and case.forbid in what:
            return 'misleading error: it says %r' % case.forbid
        return None

    def check_success_stderr(self, case, mode, path, err):
        """On exit 0: stderr may hold the reader's warnings (as the case allows) and,
        from sort, the note naming which profile of a multi-profile file it shows."""
        text = err.decode('utf-8', 'surrogateescape')
        if not text:
            return 'no warning containing %r' % case.warn if case.warn not in (None, '*') else None
        if not text.endswith('\n'):
            return 'stderr does not end with a newline'
        warned = False
        for line in text[:-1].split('\n'):
            if mode == 'sort' and line.startswith('note: '):
                continue
            if not line.startswith("warning: '%s': " % path):
                return 'exit 0 but something on stderr: %r' % line[:200]
            if case.warn is None:
                return 'unexpected warning: %r' % line[:200]
            warned = warned or case.warn == '*' or case.warn in line
        if case.warn not in (None, '*') and not warned:
            return 'no warning containing %r' % case.warn
        return None

    def check_import(self, out, case=None):
        """A successful import: the printed id(s) name consistent profiles, with the
        facts the case expects (of the first profile; 'profiles': how many ids)."""
        several = case is not None and case.ext != '.prof'
        m = re.fullmatch(rb'(\d+\n)+' if several else rb'(\d+)\n', out)
        if not m:
            return 'import printed %r, not %s' % (out[:100], 'ids' if several else 'one id')
        ids = [int(x) for x in out.split()]
        con = store_rows.connect_rows(self.db, ids)
        try:
            for pid in ids:
                row = con.execute('SELECT function_count, edge_count FROM profiles WHERE id = ?', (pid,)).fetchone()
                if not row:
                    return 'import printed id %d, which is not in the store' % pid
                nstats = con.execute('SELECT count(*) FROM functions WHERE profile_id = ? AND in_stats',
                                     (pid,)).fetchone()[0]
                nedges = con.execute('SELECT count(*) FROM edges WHERE profile_id = ?', (pid,)).fetchone()[0]
                if (nstats, nedges) != tuple(row):
                    return 'stored profile %d has %d functions/%d edges, its row says %d/%d' % (
                        pid, nstats, nedges, row[0], row[1])
                if several:
                    why = check_tree(con, pid)
                    if why:
                        return 'stored profile %d: %s' % (pid, why)
            if case is not None and case.expect:
                return check_expect(con, ids, case.expect)
        finally:
            con.close()
        return None

    def run_case(self, case):
        if self.sanitized and not case.sanitizers:
            self.skipped.append(case.name)
            return
        t0 = time.monotonic()
        path, size = self.input_path(case)
        seen = {}
        for mode in case.modes:
            if mode == 'sort' and not case.sort_on_error and seen.get('import', (0,))[0] == 1:
                continue
            if mode == 'import':
                args = ['import', path] + list(case.args)
            else:
                args = ['sort', path] + list(case.sort_args or ('--by', 'tottime', '--limit', '30'))
            # a case's own timeout is a performance bound, shorter than the runner's; the
            # folded/speedscope/gzip groups' big inputs (gzip bombs) may also get longer
            if not case.timeout:
                timeout = self.timeout
            elif case.ext == '.prof':
                timeout = min(case.timeout * self.slow, self.timeout)
            else:
                timeout = case.timeout * self.slow
            argv, rc, out, err, dt = self.run(args, timeout, case.memory_cap, case.max_rss_mb is not None)
            if dt > self.slowest[0]:
                self.slowest = (dt, '%s [%s]' % (case.name, mode))
            why = None
            text = err.decode('utf-8', 'replace')
            if rc is None:
                why = 'hang: no exit within %ss' % timeout
            elif rc < 0:
                why = 'crash: killed by signal %s' % signal.Signals(-rc).name if -rc in signal.valid_signals() \
                    else 'crash: signal %d' % -rc
            elif any(s in text for s in SANITIZER_MARKS) or rc in (98, 99):
                why = 'sanitizer report (exit %d)' % rc
            elif rc not in (0, 1):
                why = 'exit status %d, not 1' % rc
            elif rc == 0 and case.status == 'error':
                why = 'accepted (exit 0) a file that must be refused'
            elif rc == 1 and case.status == 'ok':
                why = 'refused a file pstats loads' if case.ext == '.prof' else 'refused a valid file'
            elif rc == 1:
                why = self.check_error_line(case, path, size, err)
                if not why and out:
                    why = 'output on stdout from a failed run'
                if not why and not self.store.unchanged():
                    why = 'the store changed after a failed run'
                    self.store.restore()
            else:
                if case.ext == '.prof':
                    why = 'exit 0 but something on stderr' if err else None
                else:
                    why = self.check_success_stderr(case, mode, path, err)
                if why:
                    pass
                elif mode == 'import':
                    why = self.check_import(out, case)
                elif (case.sort_mark or 'function calls').encode() not in out:
                    why = 'sort printed no table'
                if not why and mode == 'sort' and case.stdout and case.stdout.encode() not in out:
                    why = 'sort output lacks %r' % case.stdout
                self.store.restore()
            if not why and case.max_rss_mb is not None:
                # ASan adds shadow memory (1/8) and a quarantine of freed blocks (256 MB)
                bound = case.max_rss_mb * 2 + 256 if self.sanitized else case.max_rss_mb
                if self.last_rss > bound << 20:
                    why = 'used %d MB of memory (peak RSS), more than %d MB' % (self.last_rss >> 20, bound)
            if why:
                self.fail(case, mode, argv, rc, out, err, why)
                self.store.restore()    # so later cases start from the snapshot again
                return
            seen[mode] = (rc, err)
        if len(seen) == 2 and (seen['import'][0] != seen['sort'][0] or (seen['import'][0] == 1 and seen['import'] != seen['sort'])):
            self.failures.append((case.name, 'import/sort', 'import and sort disagree'))
            print('FAIL %s: import and sort disagree: import exit %s %r, sort exit %s %r' % (
                case.name, seen['import'][0], seen['import'][1], seen['sort'][0], seen['sort'][1]))
            return
        if case.status == 'any':
            rc = next(iter(seen.values()))[0]
            if rc == 0:
                self.accepted.append(case.name)
            else:
                self.rejected += 1
        if self.verbose:
            rc, err = next(iter(seen.values()))
            print('ok   %-40s %6.2fs exit %d %s' % (case.name, time.monotonic() - t0, rc,
                                                err.decode('utf-8', 'replace').strip()[:300]))
        if case.data is not None:
            os.unlink(path)
        self.data = None


def main(argv):
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('profview')
    ap.add_argument('--group', action='append', choices=make_bad.GROUPS,
                    help='which cases (default: all); repeatable')
    ap.add_argument('--fixtures', default=make_bad.FIXTURES)
    ap.add_argument('--timeout', type=float, default=float(os.environ.get('PV_BAD_TIMEOUT', 20)),
                    help='seconds per run (default 20, or $PV_BAD_TIMEOUT)')
    ap.add_argument('--slow', type=float, default=1.0,
                    help='scale the cases\' own time bounds (sanitizer builds run ~3x slower)')
    ap.add_argument('--only', help='run only the cases whose name contains this')
    ap.add_argument('--keep', action='store_true', help='keep the scratch directory')
    ap.add_argument('-v', '--verbose', action='store_true', help='a line for every case')
    args = ap.parse_args(argv)
    make_bad.FIXTURES = args.fixtures
    profview = os.path.abspath(args.profview)
    t0 = time.monotonic()
    scratch = tempfile.mkdtemp(prefix='pv-bad-')
    r = Runner(profview, scratch, args.timeout, args.verbose)
    r.slow = args.slow
    r.setup_store(args.fixtures)
    ncases = 0
    for g in args.group or make_bad.GROUPS:
        cases = make_bad.group(g)
        if args.only:
            cases = [c for c in cases if args.only in c.name]
        for c in cases:
            r.run_case(c)
            ncases += 1
    if not r.store.unchanged():
        r.failures.append(('(end)', '', 'store content differs from the snapshot'))
        print('FAIL: at the end the store content differs from the snapshot')
    dt = time.monotonic() - t0
    print('%s: %d cases, %d runs in %.1fs (slowest run %.2fs: %s)' % (
        ','.join(args.group or make_bad.GROUPS), ncases, r.runs, dt, r.slowest[0], r.slowest[1]))
    if r.accepted or r.rejected:
        print('may-parse cases (corrupted bytes, odd values): %d refused with an error, %d imported fine%s' % (
            r.rejected, len(r.accepted), (' (%s%s)' % (', '.join(r.accepted[:8]),
                                                        ', ...' if len(r.accepted) > 8 else '')) if r.accepted else ''))
    if r.skipped:
        print('skipped in a sanitizer build (no address-space cap): %s' % ', '.join(r.skipped))
    if r.failures:
        print('%d FAILED (scratch kept in %s):' % (len(r.failures), scratch))
        for name, mode, why in r.failures:
            print('  %s [%s]: %s' % (name, mode, why))
        return 1
    if args.keep:
        print('scratch kept in %s' % scratch)
    else:
        shutil.rmtree(scratch, ignore_errors=True)
    return 0


if __name__ == '__main__':
    sys.exit(main(sys.argv[1:]))

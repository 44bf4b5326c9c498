"""What the store tests share (stdlib only): the CLI tests' Checks and Sandbox,
real cProfile files made here, a folder's exact contents, `profview serve`
started and asked for its list, and running profview as another user.

Every runner is invoked as  python3 test_X.py PROFVIEW TESTS_DIR
"""
import cProfile
import hashlib
import json
import os
import re
import signal
import subprocess
import sys
import threading
import time
import urllib.request

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'cli'))
from cli_common import Checks, Sandbox, args  # noqa: E402,F401


def workload(n):
    """Something for cProfile to see: a few calls whose counts depend on n."""
    def leaf(i):
        return i * i

    def middle(k):
        return sum(leaf(i) for i in range(k))
    return [middle(k) for k in range(n % 7 + 2)] + sorted(str(i) for i in range(n % 11 + 1))


def cprofile_file(path, n):
    """A real cProfile .prof of workload(n) (its call counts differ with n, so
    every n gives a file of its own content)."""
    prof = cProfile.Profile()
    prof.enable()
    workload(n)
    prof.disable()
    prof.dump_stats(path)
    return path


def folder_state(folder):
    """{name: (mode, size, sha256)} of every file in folder: what a command must
    leave as it was."""
    out = {}
    for name in sorted(os.listdir(folder)):
        p = os.path.join(folder, name)
        st = os.lstat(p)
        digest = None
        if os.path.isfile(p) and os.access(p, os.R_OK):
            with open(p, 'rb') as f:
                digest = hashlib.sha256(f.read()).hexdigest()
        out[name] = (st.st_mode, st.st_size, digest)
    return out


def text(b):
    return b.decode('utf-8', 'replace')


def one_line(err):
    """The stderr of a failed command is one line (no usage, no trace)."""
    return err.count(b'\n') == 1 and err.endswith(b'\n')


NOBODY = ['setpriv', '--reuid=nobody', '--regid=nogroup', '--clear-groups']


def as_nobody_works(profview):
    """Whether this process may run profview as the user nobody: it is root, and
    nobody can reach the binary. None when not."""
    if os.geteuid() != 0:
        return False
    try:
        p = subprocess.run(NOBODY + [profview, '--version'], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                           timeout=60)
    except (OSError, subprocess.TimeoutExpired):
        return False
    return p.returncode == 0


class Server:
    """`profview serve --port 0` (optionally as another user), its output read
    by two threads."""

    URL_RE = re.compile(r'http://[^\s]+:(\d+)/')

    def __init__(self, sb, db, env=None, prefix=()):
        cmd = list(prefix) + [sb.profview, 'serve', '--db', db, '--port', '0']
        self.out, self.err = [], []
        self.port = None
        self.proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                     env=env or sb.env, cwd=sb.dir)
        self.readers = [threading.Thread(target=self._read, args=(self.proc.stdout, self.out), daemon=True),
                        threading.Thread(target=self._read, args=(self.proc.stderr, self.err), daemon=True)]
        for t in self.readers:
            t.start()

    @staticmethod
    def _read(stream, into):
        for line in iter(stream.readline, b''):
            into.append(line)

    def started(self, timeout=60):
        """True once it serves; False when it exited (or never said where)."""
        end = time.time() + timeout
        while time.time() < end:
            for line in list(self.out):
                m = self.URL_RE.search(text(line))
                if m:
                    self.port = int(m.group(1))
                    return True
            if self.proc.poll() is not None:
                for t in self.readers:
                    t.join(5)
                return False
            time.sleep(0.05)
        return False

    def get(self, path):
        """(status, parsed JSON or None)."""
        try:
            with urllib.request.urlopen('http://127.0.0.1:%d%s' % (self.port, path), timeout=60) as r:
                return r.status, json.loads(r.read().decode('utf-8'))
        except urllib.error.HTTPError as e:
            return e.code, None
        except (OSError, ValueError):
            return None, None

    def stop(self):
        """The exit code (None when it would not stop)."""
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
        try:
            self.proc.wait(30)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
            return None
        for t in self.readers:
            t.join(5)
        return self.proc.returncode

    def stderr(self):
        return b''.join(self.err)

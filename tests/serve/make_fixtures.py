#!/usr/bin/env python3
"""Regenerates tests/serve/fixtures/ (standard library only; needs pyenv's
Python 2.7 and 3.11).

    python3 tests/serve/make_fixtures.py [OUTDIR]

Real `python -m cProfile -o OUT SCRIPT` runs of one script that lives under a
path whose bytes are not UTF-8 (Latin-1: b'/tmp/pvfix_lat\\xe9n/caf\\xe9.py'):

* py27-latin1.prof: Python 2.7.18. Python 2 keeps the path as bytes, so the
  file holds the raw byte 0xE9.
* py311-latin1.prof: Python 3.11. Python 3 decodes the path with
  surrogateescape ('caf\\udce9.py') and marshal stores the surrogate as
  ED B3 A9.

test_records.py reads the names back from these bytes itself (each file with
its own Python's marshal) and checks that every JSON profview writes carries
them as \\udcXX escapes. Timings vary from run to run; nothing depends on them.
"""
import os
import shutil
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
DIR = b'/tmp/pvfix_lat\xe9n'
SCRIPT = DIR + b'/caf\xe9.py'

# Python 2 and 3 alike; ASCII, so no coding line is needed.
SOURCE = b'''
def leaf(n):
    s = 0
    for i in range(n):
        s += i * i
    return s


def middle(k):
    return sum(leaf(200 + j) for j in range(k))


def main():
    t = 0
    for r in range(30):
        t += middle(5)
    return t


main()
'''


def python(version):
    root = subprocess.run(['pyenv', 'root'], stdout=subprocess.PIPE, check=True).stdout.decode().strip()
    for d in sorted(os.listdir(os.path.join(root, 'versions'))):
        if d.startswith(version + '.'):
            return os.path.join(root, 'versions', d, 'bin', 'python')
    raise SystemExit('no Python %s under %s' % (version, root))


def main():
    out = sys.argv[1] if len(sys.argv) > 1 else os.path.join(HERE, 'fixtures')
    os.makedirs(out, exist_ok=True)
    os.makedirs(DIR, exist_ok=True)
    try:
        with open(SCRIPT, 'wb') as f:
            f.write(SOURCE)
        for version, name in (('2.7', 'py27-latin1.prof'), ('3.11', 'py311-latin1.prof')):
            dest = os.path.join(out, name)
            subprocess.run([python(version).encode(), b'-m', b'cProfile', b'-o', dest.encode(), SCRIPT],
                           check=True, cwd=DIR)
            print('wrote %s' % dest)
    finally:
        shutil.rmtree(DIR, ignore_errors=True)


if __name__ == '__main__':
    main()

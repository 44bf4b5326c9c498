#!/usr/bin/env python3
"""Regenerate tests/merge's cProfile fixtures and the pstats outputs expected
for the merge cases (cases.txt).

    python3 tests/merge/make_fixtures.py              # fixtures + expected
    python3 tests/merge/make_fixtures.py --expected   # expected only (keeps fixtures)

Fixtures: fixtures/w_text.prof, w_num.prof, w_objs.prof, written by real
cProfile of Python 3.11.7 (pyenv), `python -m cProfile -o FIXTURE W.py` run in
workloads/ (so the scripts' file names are bare).  Expected: expected/ID.txt
for each line of cases.txt, what that same Python's pstats prints for
Stats(INPUT...) and the case (print_merge.py), run as tests/golden does: the
inputs copied to a scratch folder, mtime 1700000000, TZ=UTC, bare names, from
that folder.  expected/ID.err instead (the exception type name) if pstats
refused.  The hand-written folded and speedscope fixtures are not touched.

Same environment as tests/golden/make_fixtures.sh: PYTHONHASHSEED=0,
LC_ALL=C.UTF-8, PYTHONDONTWRITEBYTECODE=1, TZ=UTC, no ASLR (setarch -R) so
that built-in names holding addresses stay the same.
"""
import os
import platform
import shlex
import shutil
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
GOLDEN_FIXTURES = os.path.join(HERE, '..', 'golden', 'fixtures')
EPOCH = 1700000000
VERSION = '3.11.7'
WORKLOADS = ('w_text', 'w_num', 'w_objs')


def python():
    try:
        root = subprocess.run(['pyenv', 'root'], stdout=subprocess.PIPE, check=True).stdout.decode().strip()
    except (OSError, subprocess.CalledProcessError):
        root = os.environ.get('PYENV_ROOT', '/root/.pyenv')
    p = os.path.join(root, 'versions', VERSION, 'bin', 'python')
    if not os.access(p, os.X_OK):
        raise SystemExit('make_fixtures: Python %s not found at %s' % (VERSION, p))
    return p


def env():
    e = dict(os.environ, LC_ALL='C.UTF-8', LANG='C.UTF-8', PYTHONHASHSEED='0',
             PYTHONDONTWRITEBYTECODE='1', TZ='UTC')
    for k in ('PYTHONPATH', 'PYTHONSTARTUP', 'PYTHONHOME', 'PYTHONUTF8', 'PYTHONIOENCODING', 'PYTHONWARNINGS'):
        e.pop(k, None)
    return e


def norand():
    arch = platform.machine()
    try:
        if subprocess.run(['setarch', arch, '-R', 'true']).returncode == 0:
            return ['setarch', arch, '-R']
    except OSError:
        pass
    print('warning: setarch -R unavailable', file=sys.stderr)
    return []


def load_cases():
    cases = []
    with open(os.path.join(HERE, 'cases.txt'), encoding='utf-8') as f:
        for line in f:
            line = line.strip()
            if not line or line.startswith('#'):
                continue
            cid, inputs, cmd = [p.strip() for p in line.split(' :: ')]
            words = shlex.split(cmd)
            cases.append((cid, inputs.split(), words[0], words[1:]))
    return cases


def find_input(name):
    for d in (os.path.join(HERE, 'fixtures'), GOLDEN_FIXTURES):
        p = os.path.join(d, name)
        if os.path.exists(p):
            return p
    raise SystemExit('make_fixtures: input %s not found' % name)


def main():
    only_expected = '--expected' in sys.argv[1:]
    py = python()
    pre = norand()
    if not only_expected:
        wdir = os.path.join(HERE, 'workloads')
        for w in WORKLOADS:
            out = os.path.join(HERE, 'fixtures', w + '.prof')
            subprocess.run(pre + [py, '-s', '-m', 'cProfile', '-o', out, w + '.py'],
                           cwd=wdir, env=env(), check=True)
            print('wrote', os.path.relpath(out, HERE))
    exp_dir = os.path.join(HERE, 'expected')
    for f in os.listdir(exp_dir):
        if f.endswith(('.txt', '.err')):
            os.remove(os.path.join(exp_dir, f))
    work = tempfile.mkdtemp(prefix='pv-merge-fix-')
    try:
        for cid, inputs, cmd, args in load_cases():
            for name in set(n for i in inputs for n in i.strip('()').split('+')):
                dst = os.path.join(work, name)
                shutil.copyfile(find_input(name), dst)
                os.utime(dst, (EPOCH, EPOCH))
            p = subprocess.run(pre + [py, '-s', os.path.join(HERE, 'print_merge.py'), cmd] + args + ['--'] + inputs,
                               cwd=work, env=env(), stdout=subprocess.PIPE, stderr=subprocess.PIPE)
            if p.returncode == 0:
                with open(os.path.join(exp_dir, cid + '.txt'), 'wb') as f:
                    f.write(p.stdout)
            elif p.returncode == 3:
                with open(os.path.join(exp_dir, cid + '.err'), 'wb') as f:
                    f.write(p.stderr)
            else:
                raise SystemExit('make_fixtures: %s failed: %s' % (cid, p.stderr.decode(errors='replace')))
        print('wrote expected/ for %d cases' % len(load_cases()))
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == '__main__':
    main()

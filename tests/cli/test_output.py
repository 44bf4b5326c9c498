#!/usr/bin/env python3
"""-o FILE (DESIGN.md "Writing files") for every command that takes it (export,
callgraph, icicle): devices and FIFOs are written through and stay what they are,
symlinks are followed to the file they name and stay symlinks, a planted temp
name is never followed, a regular file is replaced whole with its permission bits
kept, a failure leaves no file behind; and the output type is read from the name
where -T / --to is not given, checked with independent readers (pstats, minidom,
the PNG and PDF signatures).

Everything happens inside the test's own temp folder: no system path is ever
written (the character device is made there with mknod; without the permission
that check is reported as SKIP, not passed).

usage: test_output.py PROFVIEW TESTS_DIR
"""
import json
import os
import pstats
import shutil
import stat
import subprocess
import sys
import threading
import traceback
import xml.dom.minidom

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from cli_common import Checks, Sandbox, args  # noqa: E402

NOBODY = 65534
PNG_SIGNATURE = b'\x89PNG\r\n\x1a\n'


class Run:
    """profview -q --db DB ARGV in the sandbox, returning (exit, stdout, stderr)."""

    def __init__(self, sb, c):
        self.sb = sb
        self.c = c
        self.skipped = []

    def __call__(self, argv, cwd=None, **kw):
        cmd = [self.sb.profview, '-q', '--db', kw.pop('db', self.sb.db)] + list(argv)
        p = subprocess.run(cmd, stdout=kw.pop('stdout', subprocess.PIPE), stderr=subprocess.PIPE, env=self.sb.env,
                           cwd=cwd or self.sb.dir, timeout=120, **kw)
        return p.returncode, p.stdout, p.stderr

    def skip(self, what, why):
        self.skipped.append(what)
        print('SKIP %s: %s' % (what, why))


def read(path):
    """The file's bytes, or None when it cannot be read (a failed check, not a crash)."""
    try:
        with open(path, 'rb') as f:
            return f.read()
    except OSError:
        return None


def write(path, data):
    with open(path, 'wb') as f:
        f.write(data)


def one_error_line(err):
    lines = err.decode('utf-8', 'replace').splitlines()
    return len(lines) == 1 and lines[0].startswith('error: ')


def leftovers(folder, expected):
    """Names in folder beyond the expected ones (a temp file left behind)."""
    return sorted(set(os.listdir(folder)) - set(expected))


def check_device(run, c, prof):
    """A character device (null, 1,3) made in the sandbox stays a device."""
    d = run.sb.path('dev')
    os.mkdir(d)
    node = os.path.join(d, 'null')
    try:
        os.mknod(node, 0o666 | stat.S_IFCHR, os.makedev(1, 3))
    except (PermissionError, OSError) as e:
        run.skip('-o CHARACTER-DEVICE stays a device (export, callgraph, icicle)', 'mknod not permitted: %s' % e)
        return
    for argv in (['export', prof, '--to', 'json'], ['callgraph', prof, '-T', 'svg'], ['icicle', prof]):
        rc, out, err = run(argv + ['-o', node])
        st = os.lstat(node)
        c.ok(rc == 0 and stat.S_ISCHR(st.st_mode) and st.st_rdev == os.makedev(1, 3),
             '%s -o DEVICE: exit 0, still the character device 1,3' % argv[0],
             'exit %r, mode %o, %r' % (rc, st.st_mode, err[:300]))
        c.eq(leftovers(d, ['null']), [], '%s -o DEVICE: nothing else appears beside it' % argv[0])
    # a device that refuses the bytes (full, 1,7): the error is reported, the device stays
    full = os.path.join(d, 'full')
    os.mknod(full, 0o666 | stat.S_IFCHR, os.makedev(1, 7))
    rc, out, err = run(['export', prof, '--to', 'json', '-o', full])
    c.ok(rc == 1 and one_error_line(err) and stat.S_ISCHR(os.lstat(full).st_mode),
         '-o FULL-DEVICE: exit 1, one error line, still the device', 'exit %r %r' % (rc, err))
    c.eq(leftovers(d, ['null', 'full']), [], '-o FULL-DEVICE: nothing else appears beside it')
    # through a symlink to the device, too
    link = os.path.join(d, 'link')
    os.symlink('null', link)
    rc, out, err = run(['export', prof, '--to', 'folded', '-o', link])
    c.ok(rc == 0 and os.path.islink(link) and stat.S_ISCHR(os.lstat(node).st_mode),
         '-o SYMLINK-TO-DEVICE: exit 0, the link and the device stay', err[:300])


def read_fifo(fd, sink):
    chunks = []
    while True:
        b = os.read(fd, 65536)
        if not b:
            break
        chunks.append(b)
    sink.append(b''.join(chunks))


def check_fifo(run, c, prof):
    """A FIFO gets the bytes and stays a FIFO. The test holds both ends open
    itself (the reader never waits on an open that may not come) and closes its
    own writer once profview has exited."""
    fifo = run.sb.path('fifo')
    os.mkfifo(fifo)
    want = run(['export', prof, '--to', 'folded'])[1]
    rfd = os.open(fifo, os.O_RDONLY | os.O_NONBLOCK)
    wfd = os.open(fifo, os.O_WRONLY)
    os.set_blocking(rfd, True)
    got = []
    reader = threading.Thread(target=read_fifo, args=(rfd, got), daemon=True)
    reader.start()
    rc, out, err = run(['export', prof, '--to', 'folded', '-o', fifo])
    os.close(wfd)
    reader.join(60)
    os.close(rfd)
    c.ok(rc == 0 and got == [want] and want, '-o FIFO: exit 0, the reader gets the same bytes as standard output',
         'exit %r, got %r bytes, want %d: %r' % (rc, [len(g) for g in got], len(want), err[:300]))
    c.ok(stat.S_ISFIFO(os.lstat(fifo).st_mode), '-o FIFO: still a FIFO')


def check_symlinks(run, c, prof):
    """Absolute, relative (to the link's own folder), chained and dangling
    symlinks are written through and stay symlinks."""
    want = run(['export', prof, '--to', 'json'])[1]
    base = run.sb.path('links')
    real = os.path.join(base, 'real')
    sub = os.path.join(base, 'sub')
    os.makedirs(real)
    os.makedirs(sub)
    target = os.path.join(real, 'target.json')
    cases = [
        ('absolute', [('abs', target)], 'abs'),
        ('relative, to the link\'s folder', [('sub/rel', '../real/target.json')], 'sub/rel'),
        ('a chain (absolute -> relative -> relative)',
         [('c1', os.path.join(sub, 'c2')), ('sub/c2', 'c3'), ('sub/c3', '../real/target.json')], 'c1'),
    ]
    for what, links, start in cases:
        write(target, b'old\n')
        os.chmod(target, 0o604)
        for name, to in links:
            os.symlink(to, os.path.join(base, name))
        rc, out, err = run(['export', prof, '--to', 'json', '-o', os.path.join(base, start)], cwd=run.sb.dir)
        c.ok(rc == 0 and read(target) == want, '-o SYMLINK %s: exit 0, the target holds the output' % what,
             'exit %r %r' % (rc, err[:300]))
        c.ok(all(os.path.islink(os.path.join(base, n)) for n, _ in links),
             '-o SYMLINK %s: every link is still a link' % what)
        c.eq(stat.S_IMODE(os.stat(target).st_mode), 0o604, '-o SYMLINK %s: the target keeps its mode' % what)
        c.eq(leftovers(real, ['target.json']), [], '-o SYMLINK %s: no temp file beside the target' % what)
        for name, _ in links:
            os.unlink(os.path.join(base, name))
        os.unlink(target)
    # relative to the link's folder, not to the working directory
    os.symlink('../real/target.json', os.path.join(sub, 'rel'))
    rc, out, err = run(['export', prof, '--to', 'json', '-o', 'rel'], cwd=sub)
    c.ok(rc == 0 and read(target) == want and os.path.islink(os.path.join(sub, 'rel')),
         '-o RELATIVE-SYMLINK from its own folder: the target holds the output', err[:300])
    os.unlink(os.path.join(sub, 'rel'))
    os.unlink(target)
    # dangling: the file it names is created
    os.symlink('real/new.json', os.path.join(base, 'dangling'))
    rc, out, err = run(['export', prof, '--to', 'json', '-o', 'dangling'], cwd=base)
    c.ok(rc == 0 and os.path.exists(os.path.join(real, 'new.json')) and read(os.path.join(real, 'new.json')) == want
         and os.path.islink(os.path.join(base, 'dangling')),
         '-o DANGLING-SYMLINK: the file it names is created, the link stays', err[:300])
    # dangling into a folder that does not exist: one error line, nothing made
    os.symlink('nosuch/x.json', os.path.join(base, 'nowhere'))
    rc, out, err = run(['export', prof, '--to', 'json', '-o', 'nowhere'], cwd=base)
    c.ok(rc == 1 and one_error_line(err) and not os.path.exists(os.path.join(base, 'nosuch')),
         '-o SYMLINK-INTO-MISSING-FOLDER: exit 1, one error line', 'exit %r %r' % (rc, err))
    # a loop
    os.symlink('loop2', os.path.join(base, 'loop1'))
    os.symlink('loop1', os.path.join(base, 'loop2'))
    rc, out, err = run(['export', prof, '--to', 'json', '-o', 'loop1'], cwd=base)
    c.ok(rc == 1 and one_error_line(err) and os.path.islink(os.path.join(base, 'loop1')),
         '-o SYMLINK-LOOP: exit 1, one error line, the links stay', 'exit %r %r' % (rc, err))


def check_planted(run, c, prof):
    """The issue's attack: a symlink at FILE.tmp-PID (the old temp name, with the
    PID the shell hands to exec) must not be followed."""
    d = run.sb.path('planted')
    os.mkdir(d)
    want = run(['export', prof, '--to', 'json'])[1]
    for where in ('relative', 'absolute'):
        victim = os.path.join(d, 'victim-' + where)
        write(victim, b'do not touch\n')
        out_name = 'out-%s.json' % where
        out_arg = out_name if where == 'relative' else os.path.join(d, out_name)
        script = 'ln -s "$1" "$2.tmp-$$" && exec "$3" -q --db "$4" export "$5" --to json -o "$2"'
        p = subprocess.run(['sh', '-c', script, 'sh', victim, out_arg, run.sb.profview, run.sb.db, prof],
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE, cwd=d, env=run.sb.env, timeout=120)
        planted = [n for n in os.listdir(d) if n.startswith(out_name + '.tmp-')]
        c.ok(p.returncode == 0 and read(victim) == b'do not touch\n',
             'planted %s FILE.tmp-PID symlink: the victim is untouched' % where,
             'exit %r %r' % (p.returncode, p.stderr[:300]))
        c.ok(read(os.path.join(d, out_name)) == want and not os.path.islink(os.path.join(d, out_name)),
             'planted %s FILE.tmp-PID symlink: FILE holds the output' % where)
        c.ok(len(planted) == 1 and os.path.islink(os.path.join(d, planted[0])),
             'planted %s FILE.tmp-PID symlink: only the planted link is there, as planted' % where, planted)


def check_modes(run, c, prof):
    """An existing file keeps its permission bits; a new one gets 0666 less the umask."""
    d = run.sb.path('modes')
    os.mkdir(d)
    f = os.path.join(d, 'kept.json')
    for mode in (0o640, 0o600, 0o755):
        write(f, b'old\n')
        os.chmod(f, mode)
        rc, out, err = run(['export', prof, '--to', 'json', '-o', f])
        c.ok(rc == 0 and read(f) != b'old\n', '-o EXISTING (mode %o): exit 0, replaced' % mode, err[:300])
        c.eq(stat.S_IMODE(os.stat(f).st_mode), mode, '-o EXISTING: mode %o kept' % mode)
    for umask in (0o022, 0o027, 0o002):
        new = os.path.join(d, 'new-%o.json' % umask)
        rc, out, err = run(['export', prof, '--to', 'json', '-o', new], preexec_fn=lambda u=umask: os.umask(u))
        c.ok(rc == 0 and os.path.exists(new), '-o NEW (umask %03o): exit 0' % umask, err[:300])
        if os.path.exists(new):
            c.eq(stat.S_IMODE(os.stat(new).st_mode), 0o666 & ~umask, '-o NEW (umask %03o): mode 0666 & ~umask' % umask)
    if os.geteuid() == 0:
        f = os.path.join(d, 'theirs.json')
        write(f, b'old\n')
        os.chown(f, NOBODY, NOBODY)
        os.chmod(f, 0o644)
        rc, out, err = run(['export', prof, '--to', 'json', '-o', f])
        st = os.stat(f)
        c.ok(rc == 0 and (st.st_uid, st.st_gid) == (NOBODY, NOBODY),
             '-o another user\'s file, as root: the owner is kept', 'exit %r uid %d gid %d' % (rc, st.st_uid, st.st_gid))
    c.eq(leftovers(d, os.listdir(d)), [], 'modes: nothing else left')
    names = sorted(os.listdir(d))
    c.ok(not any('.tmp-' in n for n in names), 'modes: no temp file left', names)


def as_unprivileged(run):
    """A preexec_fn that drops root to nobody (so permissions apply), or None when
    the test already runs as a user; (None, reason) when that cannot work."""
    if os.geteuid() != 0:
        return None, None

    def drop():
        os.setgroups([])
        os.setgid(NOBODY)
        os.setuid(NOBODY)
    try:
        p = subprocess.run([run.sb.profview, '--version'], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                           preexec_fn=drop, timeout=60)
    except (OSError, subprocess.SubprocessError) as e:
        return None, 'cannot run profview as nobody: %s' % e
    if p.returncode != 0:
        return None, 'profview does not run as nobody (exit %r)' % p.returncode
    return drop, None


def check_refusals(run, c, prof):
    """A read-only folder, a read-only file, a directory, a missing folder: one
    error line, exit 1, nothing created and nothing changed."""
    d = run.sb.path('refuse')
    os.mkdir(d)
    drop, why = as_unprivileged(run)
    if why:
        run.skip('-o into a read-only folder / onto a read-only file', why)
    else:
        # what the unprivileged run needs: its own store, a readable profile
        own = os.path.join(d, 'own')
        os.mkdir(own)
        os.chmod(run.sb.dir, 0o755)
        os.chmod(d, 0o755)
        os.chmod(own, 0o777)
        mine = os.path.join(own, 'p.prof')
        shutil.copyfile(prof, mine)
        os.chmod(mine, 0o644)
        ro = os.path.join(d, 'ro')
        os.mkdir(ro)
        os.chmod(ro, 0o555)
        kw = {'db': os.path.join(own, 'store.db')}
        if drop:
            kw['preexec_fn'] = drop
        for argv in (['export', mine, '--to', 'json'], ['callgraph', mine, '-T', 'svg'], ['icicle', mine]):
            rc, out, err = run(argv + ['-o', os.path.join(ro, 'out')], **kw)
            c.ok(rc == 1 and one_error_line(err) and os.listdir(ro) == [],
                 '%s -o READ-ONLY-FOLDER/out: exit 1, one error line, nothing made' % argv[0],
                 'exit %r %r %r' % (rc, err, os.listdir(ro)))
        rofile = os.path.join(own, 'ro.json')
        write(rofile, b'read only\n')
        os.chmod(rofile, 0o444)
        if drop:
            os.chown(rofile, NOBODY, NOBODY)
        rc, out, err = run(['export', mine, '--to', 'json', '-o', rofile], **kw)
        c.ok(rc == 1 and one_error_line(err) and read(rofile) == b'read only\n',
             '-o READ-ONLY-FILE (in a writable folder): exit 1, one error line, the file unchanged',
             'exit %r %r' % (rc, err))
        names = os.listdir(own)
        c.ok(not any('.tmp-' in n for n in names), 'read-only cases: no temp file left', names)
        os.chmod(ro, 0o755)
    sub = os.path.join(d, 'adir')
    os.mkdir(sub)
    for argv in (['export', prof, '--to', 'json'], ['callgraph', prof], ['icicle', prof]):
        rc, out, err = run(argv + ['-o', sub])
        c.ok(rc == 1 and one_error_line(err) and os.listdir(sub) == [] and os.path.isdir(sub),
             '%s -o DIRECTORY: exit 1, one error line' % argv[0], 'exit %r %r' % (rc, err))
        rc, out, err = run(argv + ['-o', os.path.join(d, 'nosuch', 'x')])
        c.ok(rc == 1 and one_error_line(err) and not os.path.exists(os.path.join(d, 'nosuch')),
             '%s -o MISSING-FOLDER/x: exit 1, one error line' % argv[0], 'exit %r %r' % (rc, err))


def check_failures_leave_nothing(run, c, prof):
    """A failure after the temp file was made leaves the old file and nothing else."""
    d = run.sb.path('fail')
    os.mkdir(d)
    f = os.path.join(d, 'g.svg')
    write(f, b'old\n')
    rc, out, err = run(['callgraph', prof, '-T', 'bogus', '-o', f])
    c.ok(rc == 1 and one_error_line(err) and read(f) == b'old\n' and os.listdir(d) == ['g.svg'],
         'callgraph -T bogus -o EXISTING: exit 1, the file as it was, nothing else', 'exit %r %r %r' % (
             rc, err, os.listdir(d)))
    rc, out, err = run(['callgraph', prof, '-T', 'bogus', '-o', os.path.join(d, 'new.svg')])
    c.ok(rc == 1 and os.listdir(d) == ['g.svg'], 'callgraph -T bogus -o NEW: no file', os.listdir(d))
    rc, out, err = run(['export', run.sb.path('nosuch.prof'), '--to', 'json', '-o', os.path.join(d, 'x.json')])
    c.ok(rc == 1 and one_error_line(err) and os.listdir(d) == ['g.svg'], 'export of a missing PROFILE -o NEW: no file',
         'exit %r %r %r' % (rc, err, os.listdir(d)))


def check_descriptors(run, c, prof):
    """A symlink (in the sandbox) to /proc/self/fd/1 is the process's own standard
    output: a pipe gets the bytes, a redirected regular file too, and neither the
    link nor anything outside the sandbox is replaced."""
    if not os.path.isdir('/proc/self/fd'):
        run.skip('-o a link to /proc/self/fd/1', 'no /proc')
        return
    d = run.sb.path('fd')
    os.mkdir(d)
    link = os.path.join(d, 'stdout')
    os.symlink('/proc/self/fd/1', link)
    want = run(['export', prof, '--to', 'json'])[1]
    rc, out, err = run(['export', prof, '--to', 'json', '-o', link])
    c.ok(rc == 0 and out == want and os.path.islink(link), '-o LINK-TO-/proc/self/fd/1, a pipe: the bytes arrive',
         'exit %r %r' % (rc, err[:300]))
    redirected = os.path.join(d, 'redirected.json')
    with open(redirected, 'wb') as f:
        f.write(b'head\n')
        f.flush()
        rc, out, err = run(['export', prof, '--to', 'json', '-o', link], stdout=f)
    c.ok(rc == 0 and read(redirected) == b'head\n' + want,
         '-o LINK-TO-/proc/self/fd/1, a file opened by the caller: written at its offset, not replaced',
         'exit %r %r' % (rc, err[:300]))
    c.eq(sorted(os.listdir(d)), ['redirected.json', 'stdout'], '-o LINK-TO-STDOUT: nothing else appears')


def check_no_proc(run, c, prof):
    """Without /proc (nor O_TMPFILE naming) the temp file is made with mkstemp:
    the same results. Run in a private mount namespace with an empty /proc."""
    if os.geteuid() != 0 or not shutil.which('unshare'):
        run.skip('-o without /proc (the mkstemp way)', 'needs root and unshare')
        return
    d = run.sb.path('noproc')
    os.mkdir(d)
    f = os.path.join(d, 'out.json')
    write(f, b'old\n')
    os.chmod(f, 0o640)
    want = run(['export', prof, '--to', 'json'])[1]
    script = ('mount -t tmpfs none /proc && test ! -e /proc/self && '
              'exec "$1" -q --db "$2" export "$3" --to json -o "$4"')
    env = run.sb.env
    try:
        p = subprocess.run(['unshare', '-m', '--propagation', 'private', 'sh', '-c', script, 'sh',
                            run.sb.profview, run.sb.db, prof, f],
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env, timeout=120)
    except (OSError, subprocess.SubprocessError) as e:
        run.skip('-o without /proc (the mkstemp way)', str(e))
        return
    if b'Sanitizer' in p.stderr:
        # the sanitizer runtime reads its options from /proc/self/environ and
        # needs /proc/PID/task for the leak check at exit
        run.skip('-o without /proc (the mkstemp way)', 'a sanitizer build cannot run without /proc')
        return
    if p.returncode != 0 and read(f) == b'old\n' and b'error:' not in p.stderr:
        run.skip('-o without /proc (the mkstemp way)', 'no private mount namespace here: %r' % p.stderr[:200])
        return
    c.ok(p.returncode == 0 and read(f) == want and stat.S_IMODE(os.stat(f).st_mode) == 0o640
         and os.listdir(d) == ['out.json'],
         '-o EXISTING without /proc (mkstemp): replaced, mode kept, no temp left', 'exit %r %r %r' % (
             p.returncode, p.stderr[:300], os.listdir(d)))


def check_types(run, c, prof):
    """The type from the name where -T / --to is not given."""
    d = run.sb.path('types')
    os.mkdir(d)
    o = lambda name: os.path.join(d, name)  # noqa: E731
    rc, out, err = run(['callgraph', prof, '-o', o('g.svg')])
    try:
        doc = xml.dom.minidom.parseString(read(o('g.svg')))
        is_svg = doc.documentElement.tagName == 'svg'
    except Exception:  # noqa: BLE001 - anything unparsable is a failure
        is_svg = False
    c.ok(rc == 0 and is_svg, 'callgraph -o g.svg (no -T): an SVG document', err[:300])
    for name, sig, what in (('g.png', PNG_SIGNATURE, 'a PNG signature'), ('g.PNG', PNG_SIGNATURE, 'any case'),
                            ('g.pdf', b'%PDF-', 'a PDF signature'), ('g.dot', b'digraph', 'DOT text'),
                            ('g.gv', b'digraph', 'DOT text'), ('g.txt', b'digraph', 'an unknown name keeps DOT'),
                            ('graph', b'digraph', 'no extension keeps DOT')):
        rc, out, err = run(['callgraph', prof, '-o', o(name)])
        c.ok(rc == 0 and os.path.exists(o(name)) and read(o(name)).startswith(sig),
             'callgraph -o %s (no -T): %s' % (name, what), 'exit %r %r' % (rc, err[:300]))
    rc, out, err = run(['callgraph', prof, '-T', 'dot', '-o', o('explicit.svg')])
    c.ok(rc == 0 and read(o('explicit.svg')).startswith(b'digraph'), 'callgraph -T dot -o x.svg: -T wins', err[:300])
    rc, out, err = run(['callgraph', prof, '-o', '-'])
    c.ok(rc == 0 and out.startswith(b'digraph'), 'callgraph -o -: DOT on standard output')

    rc, out, err = run(['export', prof, '-o', o('x.prof')])
    try:
        st = pstats.Stats(o('x.prof'))
        loaded = bool(st.stats)
    except Exception:  # noqa: BLE001
        loaded = False
    c.ok(rc == 0 and loaded, 'export -o x.prof (no --to): pstats loads it', err[:300])
    rc, out, err = run(['export', prof, '-o', o('x.folded')])
    lines = read(o('x.folded')).decode('utf-8', 'replace').splitlines() if rc == 0 else []
    c.ok(rc == 0 and lines and all(ln.rsplit(' ', 1)[-1].replace('.', '', 1).replace('e-', '', 1).isdigit()
                                   for ln in lines),
         'export -o x.folded (no --to): stack COUNT lines', err[:300])
    rc, out, err = run(['export', prof, '-o', o('x.speedscope.json')])
    try:
        doc = json.loads(read(o('x.speedscope.json')))
        is_speedscope = 'speedscope' in doc.get('$schema', '')
    except Exception:  # noqa: BLE001
        is_speedscope = False
    c.ok(rc == 0 and is_speedscope, 'export -o x.speedscope.json (no --to): speedscope JSON', err[:300])
    rc, out, err = run(['export', prof, '-o', o('plain.json')])
    c.ok(rc == 2 and not os.path.exists(o('plain.json')) and b'--to' in err,
         'export -o x.json (no --to): a usage error (speedscope or profview JSON?)', 'exit %r %r' % (rc, err))
    rc, out, err = run(['export', prof, '--to', 'json', '-o', o('y.prof')])
    c.ok(rc == 0 and read(o('y.prof')).startswith(b'{'), 'export --to json -o y.prof: --to wins', err[:300])
    rc, out, err = run(['icicle', prof, '-o', o('chart.svg')])
    c.ok(rc == 2 and not os.path.exists(o('chart.svg')), 'icicle -o x.svg: a usage error, no file',
         'exit %r %r' % (rc, err))
    rc, out, err = run(['icicle', prof, '-o', o('chart.html')])
    c.ok(rc == 0 and read(o('chart.html')).lstrip().lower().startswith(b'<!doctype html'),
         'icicle -o x.html: an HTML page', err[:300])
    names = sorted(os.listdir(d))
    c.ok(not any('.tmp-' in n for n in names), 'types: no temp file left', names)


def main():
    profview, tests_dir = args()
    c = Checks('output')
    with Sandbox(profview) as sb:
        prof = sb.path('after.prof')
        shutil.copyfile(os.path.join(tests_dir, 'diff', 'fixtures', 'after.prof'), prof)
        run = Run(sb, c)
        rc, out, err = run(['import', prof])
        if rc != 0:
            print('FAIL import of the fixture: %r' % err)
            return 1
        for check in (check_device, check_fifo, check_symlinks, check_planted, check_modes, check_refusals,
                      check_failures_leave_nothing, check_descriptors, check_no_proc, check_types):
            try:
                check(run, c, prof)
            except Exception:  # noqa: BLE001 - what a broken -o left behind must not stop the run
                c.ok(False, '%s: ran to the end' % check.__name__, traceback.format_exc())
        if run.skipped:
            print('%d checks skipped' % len(run.skipped))
    return c.done()


if __name__ == '__main__':
    sys.exit(main())

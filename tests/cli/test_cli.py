#!/usr/bin/env python3
"""The command line: help, usage errors (exit 2), command prefixes, option values.

usage: test_cli.py PROFVIEW TESTS_DIR
"""
import marshal
import os
import subprocess
import sys

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from cli_common import Checks, Sandbox, args  # noqa: E402


def text(b):
    return b.decode('utf-8', 'replace')


def main():
    profview, tests_dir = args()
    c = Checks('cli')
    with Sandbox(profview) as sb:
        prof = sb.path('p.prof')
        with open(prof, 'wb') as f:
            marshal.dump({('/s/a.py', 1, 'f'): (1, 1, 0.5, 1.0, {}),
                          ('/s/b.py', 2, 'g'): (2, 3, 0.25, 0.75, {('/s/a.py', 1, 'f'): (3, 2, 0.25, 0.75)})}, f)

        # --- help
        for argv in (['--help'], ['-h']):
            rc, out, err = sb.run(argv, db=False)
            c.eq(rc, 0, 'profview %s exits 0' % ' '.join(argv))
            c.ok(out.startswith(b'usage: profview'), 'profview %s prints usage on stdout' % ' '.join(argv), text(out))
            c.ok(b'import' in out and b'sort' in out, 'profview %s lists the commands' % ' '.join(argv))
        for cmd in ('import', 'sort'):
            for argv in ([cmd, '--help'], ['--db', sb.db, cmd, '--help'], [cmd[:2], '--help'],
                         [cmd, 'whatever', '--help']):
                rc, out, err = sb.run(argv, db=False)
                c.eq(rc, 0, 'profview %s exits 0' % ' '.join(argv))
                c.ok(out.startswith(('usage: profview %s' % cmd).encode()),
                     'profview %s shows the %s usage' % (' '.join(argv), cmd), text(out[:200] + err))
                c.eq(err, b'', 'profview %s: nothing on stderr' % ' '.join(argv))
        rc, out, err = sb.run(['--version'], db=False)
        c.ok(rc == 0 and out.startswith(b'profview '), '--version', text(out + err))

        # --- usage errors: exit 2, a message on stderr, nothing on stdout
        usage_errors = [
            ([], 'no command'),
            (['frobnicate'], 'unknown command'),
            (['sortx'], 'not a prefix of a command'),
            ([''], 'empty command (a prefix of every command)'),
            (['--bogus', 'sort'], 'unknown global option'),
            (['-x', 'sort'], 'unknown global short option'),
            (['sort', '--bogus'], 'unknown sort option'),
            (['sort', prof, '--bogus'], 'unknown sort option after PROFILE'),
            (['sort', '-z'], 'unknown short option'),
            (['import', '--bogus', prof], 'unknown import option'),
            (['import'], 'import without FILE'),
            (['sort', prof, '--limit', 'abc'], '--limit abc'),
            (['sort', prof, '--limit', ''], '--limit empty'),
            (['sort', prof, '--limit', '1.5'], '--limit 1.5'),
            (['sort', prof, '--limit', '5x'], '--limit 5x'),
            (['sort', prof, '--limit=abc'], '--limit=abc'),
            (['sort', prof, '--limit'], '--limit without a value'),
            (['sort', prof, '--fraction', 'abc'], '--fraction abc'),
            (['sort', prof, '--fraction', ''], '--fraction empty'),
            (['sort', prof, '--format', 'xml'], '--format xml'),
            (['sort', prof, '--format'], '--format without a value'),
            (['sort', prof, '--by'], '--by without a value'),
            (['sort', prof, '--by', 'bogus'], '--by bogus'),
            (['sort', prof, '--match'], '--match without a value'),
            (['sort', prof, prof], 'two PROFILEs'),
            (['sort', prof, '--strip-dirs=yes'], 'a value for a flag'),
        ]
        for argv, what in usage_errors:
            rc, out, err = sb.run(argv)
            c.eq(rc, 2, '%s: exit 2' % what)
            c.ok(err.startswith(b'error: ') or err.startswith(b'usage: '), '%s: says why on stderr' % what,
                 text(err))
            c.eq(out, b'', '%s: nothing on stdout' % what)
        rc, out, err = sb.run(['sort', prof, '--limit', 'abc'])
        c.ok(b'--limit' in err and b'abc' in err, '--limit abc: the message names the option and value', text(err))

        # --- command prefixes and option spellings
        rc, full, err = sb.run(['sort', prof, '--by', 'calls'])
        c.eq(rc, 0, 'sort PROFILE --by calls exits 0')
        rc, out, err = sb.run(['s', prof, '--by', 'calls'])
        c.ok(rc == 2 and b'ambiguous' in err, "profview s: ambiguous (show, sort, sql), exit 2", text(err))
        for argv in (['so', prof, '--by', 'calls'], ['sor', prof, '--by=calls'],
                     ['sort', '--by', 'calls', prof], ['sort', prof, '--sort', 'calls'],
                     ['-q', 'sort', prof, '--by', 'calls']):
            rc, out, err = sb.run(argv)
            c.ok(rc == 0 and out == full, 'profview %s = sort --by calls' % ' '.join(argv),
                 'exit %d %s' % (rc, text(err)))
        rc, out, err = sb.run(['--db=%s' % sb.db, 'so', prof, '--by', 'calls'], db=False)
        c.ok(rc == 0 and out == full, '--db=PATH form', text(err))
        rc, out, err = sb.run(['i', prof])
        c.ok(rc == 2 and b'ambiguous' in err, "profview i: ambiguous (icicle, import), exit 2", text(err))
        for argv in (['im', prof], ['imp', prof], ['import', prof]):
            rc, out, err = sb.run(argv)
            c.ok(rc == 0 and out.strip().isdigit(), 'profview %s imports' % ' '.join(argv[:1]), text(out + err))
        rc, out, err = sb.run(['sort', prof, '--limit=1'])
        c.ok(rc == 0 and out.count(b'/s/') == 1, '--limit=1 form', text(out + err))
        rc, out, err = sb.run(['sort', prof, '--limit', '-1'])
        c.ok(rc == 0 and out.count(b'/s/') == 2, '--limit -1 (a negative count) keeps everything, like pstats',
             text(err))
        rc, out, err = sb.run(['sort', prof, '--fraction', '0.5'])
        c.ok(rc == 0 and b'due to restriction <0.5>' in out, '--fraction 0.5', text(out + err))

        # --- output errors
        if os.path.exists('/dev/full'):
            with open('/dev/full', 'wb') as full_dev:
                p = subprocess.run([profview, '--db', sb.db, 'sort', prof], stdout=full_dev,
                                   stderr=subprocess.PIPE, env=sb.env)
            c.ok(p.returncode == 1 and p.stderr.startswith(b'error: '), 'a failed write to stdout: exit 1 and an error',
                 'exit %d %s' % (p.returncode, text(p.stderr)))
    return c.done()


if __name__ == '__main__':
    sys.exit(main())

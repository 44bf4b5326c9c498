#!/usr/bin/env python3
"""Sort keys: profview accepts exactly the words python3's pstats accepts.

For every prefix of every key name in pstats.Stats.sort_arg_dict_default (of the
python3 running this test) plus junk words, `profview sort F --by WORD` must exit 0
when pstats.Stats(F).sort_stats(*WORD.split(',')) works, and exit 2 with
"error: unknown sort key" when it raises KeyError. A word that is an integer is
given to sort_stats() as an int (the old profiler's numeric keys: -1, 0, 1, 2),
which is what profview's --by treats it as.

Multi-key sorts: the whole text (including "Ordered by: ...") equals pstats'
print_stats() output byte for byte (fixed mtime, TZ=UTC, same cwd and relative path).

usage: test_sort_keys.py PROFVIEW TESTS_DIR
"""
import marshal
import os
import pstats
import sys

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from cli_common import EPOCH, Checks, Sandbox, args, first_diff, pstats_text, set_utc  # noqa: E402

JUNK = ['', 'x', 'cum', 'c', 't', 'n', 'Calls', 'TIME', 'time ', ' time', 'tottimes', 'callsx', 'nfll', 'names',
        'std-name', 'file_name', '-', '--', 'calls,', ',calls', 'calls,,name', 'calls,name', 'c,name', 'name,cum',
        'name,bogus', 'f\u00e9', 'cumulative,cumtime', 'module,file,filename', '-1', '0', '1', '2', '3', '-2',
        'nan', 'SortKey.CALLS', 'calls\n']


def small_profile(path):
    """Ties in every column, so the sort order is decided by the keys' full order."""
    a = ('/p/a.py', 10, 'alpha')
    b = ('/p/b.py', 5, 'beta')
    c = ('/p/a.py', 2, 'gamma')
    d = ('~', 0, '<built-in method len>')
    e = ('/p/b.py', 5, 'alpha')
    f = ('/p/c.py', 10, 'beta')
    stats = {
        a: (2, 3, 0.5, 1.0, {}),
        b: (2, 2, 0.5, 2.0, {a: (2, 2, 0.5, 2.0)}),
        c: (1, 1, 0.25, 1.0, {a: (1, 1, 0.25, 1.0)}),
        d: (7, 7, 0.125, 0.125, {b: (7, 7, 0.125, 0.125)}),
        e: (3, 3, 0.5, 2.0, {c: (3, 3, 0.5, 2.0)}),
        f: (2, 3, 0.25, 1.0, {e: (3, 2, 0.25, 1.0)}),
    }
    with open(path, 'wb') as fh:
        marshal.dump(stats, fh)
    os.utime(path, (EPOCH, EPOCH))


def pstats_accepts(path, word):
    st = pstats.Stats(path)
    try:
        keys = [int(word)] if word.strip().lstrip('-').isdigit() and word == str(int(word)) else word.split(',')
    except ValueError:
        keys = word.split(',')
    try:
        st.sort_stats(*keys)
    except KeyError:
        return False
    return True


def main():
    profview, tests_dir = args()
    set_utc()
    c = Checks('sort_keys')
    with Sandbox(profview) as sb:
        small_profile(sb.path('small.prof'))
        words = []
        for key in pstats.Stats.sort_arg_dict_default:
            for i in range(1, len(key) + 1):
                if key[:i] not in words:
                    words.append(key[:i])
        words += [w for w in JUNK if w not in words]
        for word in words:
            want = pstats_accepts(sb.path('small.prof'), word)
            rc, out, err = sb.run(['sort', 'small.prof', '--by', word])
            if want:
                c.ok(rc == 0, '--by %r: pstats accepts it, profview exits 0' % word,
                     'exit %d: %s' % (rc, err.decode('utf-8', 'replace')))
            else:
                c.ok(rc == 2, '--by %r: pstats raises KeyError, profview exits 2' % word,
                     'exit %d: %s' % (rc, err.decode('utf-8', 'replace')))
                if word:
                    c.ok(err.startswith(b'error: unknown sort key'), '--by %r: says "error: unknown sort key"' % word,
                         err.decode('utf-8', 'replace'))
                else:
                    c.ok(err.startswith(b'error: ') and b'sort key' in err, '--by %r: names the sort key' % word,
                         err.decode('utf-8', 'replace'))
                c.eq(out, b'', '--by %r: nothing on stdout' % word)

        # multi-key sorts (and single keys through their abbreviations): whole text
        specs = [['calls', 'name'], ['time', 'cumulative', 'name'], ['pc', 'std'], ['nfl', 'line'], ['cu', 'tottime'],
                 ['module', 'filename'], ['name', 'file', 'line'], ['line', 'name'], ['stdname', 'calls'],
                 ['file', 'line'], ['tottime', 'ncalls', 'nfl'], ['calls', 'calls'], ['ca', 'nc', 'p', 's'],
                 ['cumulative', 'time', 'calls', 'pcalls', 'name', 'file', 'line', 'nfl', 'stdname'],
                 ['name'], ['nfl'], ['stdname'], ['time'], ['-1'], ['0'], ['1'], ['2']]
        for keys in specs:
            pkeys = [int(keys[0])] if len(keys) == 1 and keys[0].lstrip('-').isdigit() else keys
            want, exc = pstats_text('small.prof', pkeys, cwd=sb.dir)
            rc, out, err = sb.run(['sort', 'small.prof', '--by', ','.join(keys)])
            what = '--by %s' % ','.join(keys)
            if not c.ok(exc is None, '%s: pstats prints it' % what, exc):
                continue
            if c.eq(rc, 0, '%s: exit 0' % what):
                ordered = [l for l in out.split(b'\n') if b'Ordered by:' in l]
                wanted = [l for l in want.split(b'\n') if b'Ordered by:' in l]
                c.eq(ordered, wanted, '%s: "Ordered by:" line' % what)
                c.ok(out == want, '%s: text equals pstats byte for byte' % what, first_diff(out, want))
            for extra in (['--reverse'], ['--limit', '3'], ['--match', 'a\\.py', '--limit', '1']):
                restr = []
                i = 0
                while i < len(extra):
                    if extra[i] == '--limit':
                        restr.append(int(extra[i + 1]))
                        i += 2
                    elif extra[i] == '--match':
                        restr.append(extra[i + 1])
                        i += 2
                    else:
                        i += 1
                want, exc = pstats_text('small.prof', pkeys, restr, reverse='--reverse' in extra, cwd=sb.dir)
                rc, out, err = sb.run(['sort', 'small.prof', '--by', ','.join(keys)] + extra)
                c.ok(rc == 0 and out == want, '%s %s: text equals pstats' % (what, ' '.join(extra)),
                     'exit %d %s\n%s' % (rc, err.decode('utf-8', 'replace'), first_diff(out, want)))
    return c.done()


if __name__ == '__main__':
    sys.exit(main())

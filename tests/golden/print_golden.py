"""Print what Python's pstats prints for one profview golden case.

    python print_golden.py PROFILE CASE_LINE
    python print_golden.py --call callers|callees PROFILE CASE_LINE
    python print_golden.py --stats-tsv PROFILE

Runs under Python 2.7 and 3.x.  CASE_LINE holds the arguments that follow
the profile path in `profview sort PROFILE ...` (see cases.txt) or in
`profview callers|callees PROFILE ...` (see cases-calls.txt):

    --by KEY[,KEY...]   sort_stats(*keys)           (no --by: no sort_stats)
    --limit N           print_stats restriction int(N)
    --fraction F        print_stats restriction float(F)
    --match REGEX       print_stats restriction REGEX (a str)
    --strip-dirs        strip_dirs(), called before sort_stats
    --reverse           reverse_order(), called after sort_stats

Restrictions go to print_stats(*restrictions) in the order they appear;
with --call callers / --call callees they go to print_callers(*restrictions)
/ print_callees(*restrictions) instead (same Stats, strip_dirs, sort_stats
and reverse_order calls before it).

Output is bytes: on Python 3 text is encoded as UTF-8 with surrogateescape,
so a lone surrogate that came from a non-UTF-8 file name comes out as the
original raw byte; on Python 2 the str objects are written as they are.

If pstats raises, nothing goes to stdout, the exception's type name goes to
stderr and the exit status is 3.

Addresses of code objects (a `python -m profile -o` file holds the profiled
module's code object in the key ('profile', 0, <code object>)) change from
run to run; they are masked: ' at 0x7f12..., file "' becomes
' at 0xADDRESS, file "'.  Compare profview's output after the same
substitution (CODE_ADDR_RE below).
"""
import re
import shlex
import sys
import pstats

PY3 = sys.version_info[0] >= 3

CODE_ADDR_RE = re.compile(r'(<code object .*? at )0x[0-9a-fA-F]+(, file ")')
CODE_ADDR_SUB = r'\g<1>0xADDRESS\g<2>'


def mask(text):
    return CODE_ADDR_RE.sub(CODE_ADDR_SUB, text)


def parse_case(line):
    return parse_args(shlex.split(line))


def parse_args(args):
    """(sort keys or None, restrictions, strip_dirs, reverse) of a case's words."""
    keys = None
    restrictions = []
    strip = reverse = False
    i = 0
    while i < len(args):
        a = args[i]
        if a == '--by':
            keys = args[i + 1].split(',')
            i += 2
        elif a == '--limit':
            restrictions.append(int(args[i + 1]))
            i += 2
        elif a == '--fraction':
            restrictions.append(float(args[i + 1]))
            i += 2
        elif a == '--match':
            restrictions.append(args[i + 1])
            i += 2
        elif a == '--strip-dirs':
            strip = True
            i += 1
        elif a == '--reverse':
            reverse = True
            i += 1
        else:
            raise SystemExit('print_golden: bad case argument %r' % (a,))
    return keys, restrictions, strip, reverse


def new_buffer():
    if PY3:
        import io
        return io.StringIO(newline='\n')
    import StringIO
    return StringIO.StringIO()


def write_out(text):
    if PY3:
        sys.stdout.buffer.write(text.encode('utf-8', 'surrogateescape'))
        sys.stdout.buffer.flush()
    else:
        sys.stdout.write(text)
        sys.stdout.flush()


PRINTERS = {'stats': 'print_stats', 'callers': 'print_callers',
            'callees': 'print_callees'}


def run_case(path, line, what='stats'):
    keys, restrictions, strip, reverse = parse_case(line)
    out = new_buffer()
    try:
        st = pstats.Stats(path, stream=out)
        if strip:
            st.strip_dirs()
        if keys is not None:
            st.sort_stats(*keys)
        if reverse:
            st.reverse_order()
        getattr(st, PRINTERS[what])(*restrictions)
    except Exception:
        sys.stderr.write(type(sys.exc_info()[1]).__name__ + '\n')
        return 3
    write_out(mask(out.getvalue()))
    return 0


def text_of(x):
    if isinstance(x, str):
        return x
    if not PY3 and isinstance(x, unicode):  # noqa: F821 (py2 only)
        return x.encode('utf-8')
    return mask(repr(x))


def num(x):
    if isinstance(x, float):
        return repr(x)
    return '%d' % x


def stats_tsv(path):
    """One F line per function in stats-dict order, then its C lines."""
    st = pstats.Stats(path, stream=new_buffer())
    lines = []
    for func, (cc, nc, tt, ct, callers) in st.stats.items():
        lines.append('\t'.join(['F', text_of(func[0]), '%d' % func[1],
                                text_of(func[2]), num(cc), num(nc), num(tt),
                                num(ct)]))
        for cfunc, val in callers.items():
            vals = val if isinstance(val, tuple) else (val,)
            lines.append('\t'.join(['C', text_of(cfunc[0]),
                                    '%d' % cfunc[1], text_of(cfunc[2])] +
                                   [num(v) for v in vals]))
    write_out(''.join(l + '\n' for l in lines))
    return 0


def main(argv):
    if len(argv) == 2 and argv[0] == '--stats-tsv':
        return stats_tsv(argv[1])
    if len(argv) == 4 and argv[0] == '--call' and argv[1] in ('callers',
                                                              'callees'):
        return run_case(argv[2], argv[3], argv[1])
    if len(argv) == 2 and not argv[0].startswith('--'):
        return run_case(argv[0], argv[1])
    sys.stderr.write('usage: print_golden.py [--call callers|callees] '
                     'PROFILE CASE_LINE\n'
                     '       print_golden.py --stats-tsv PROFILE\n')
    return 2


if __name__ == '__main__':
    sys.exit(main(sys.argv[1:]))

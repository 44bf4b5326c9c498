"""Print what Python's pstats prints for Stats(FILE...) and one case.

    python print_merge.py COMMAND [CASE ARGS...] -- FILE...

COMMAND is sort, callers or callees (print_stats, print_callers,
print_callees).  CASE ARGS use the golden syntax (tests/golden/README.md):

    --by K1[,K2...]   sort_stats(*keys)     (no --by: no sort_stats call)
    --limit N         restriction int(N)
    --fraction F      restriction float(F)
    --match REGEX     restriction 'REGEX'
    --strip-dirs      strip_dirs(), before sort_stats
    --reverse         reverse_order(), after sort_stats

An input written (a.prof+b.prof+c.prof) stands for a stored merge of those
files: the Stats object Stats(a.prof, b.prof, c.prof).  The calls are exactly
Stats(FIRST, stream=out).add(*REST) (for plain files the same as
Stats(*FILES, stream=out): __init__ calls add() with the rest), [strip_dirs()],
[sort_stats(*keys)], [reverse_order()], print_X(*restrictions).  Run it from
the folder holding the files, with bare file names, TZ=UTC and the files'
mtime set to 1700000000: the header lists each input as `ctime    name`.

Output is bytes (UTF-8 with surrogateescape, so non-UTF-8 file names come
out as their raw bytes).  If pstats raises, the exception's type name goes to
stderr and the exit status is 3.
"""
import io
import os
import pstats
import sys

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), 'golden'))
from print_golden import parse_args  # noqa: E402  (the golden case syntax, parsed once)


def main(argv):
    if '--' not in argv or len(argv) < 3:
        raise SystemExit(__doc__)
    sep = argv.index('--')
    command, args, files = argv[0], argv[1:sep], argv[sep + 1:]
    keys, restrictions, strip, reverse = parse_args(args)
    out = io.StringIO(newline='\n')
    try:
        # an input written (a+b+c) is a stored merge: the Stats of those files
        items = [pstats.Stats(*f[1:-1].split('+'), stream=out) if f.startswith('(') else f for f in files]
        if isinstance(items[0], str):
            st = pstats.Stats(items[0], stream=out)
        else:
            st = items[0]
        st.add(*items[1:])
        if strip:
            st.strip_dirs()
        if keys is not None:
            st.sort_stats(*keys)
        if reverse:
            st.reverse_order()
        {'sort': st.print_stats, 'callers': st.print_callers,
         'callees': st.print_callees}[command](*restrictions)
    except Exception as e:  # noqa: BLE001 - reported to the caller
        sys.stderr.write(type(e).__name__ + '\n')
        return 3
    sys.stdout.buffer.write(out.getvalue().encode('utf-8', 'surrogateescape'))
    return 0


if __name__ == '__main__':
    sys.exit(main(sys.argv[1:]))

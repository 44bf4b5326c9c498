"""Prints a .prof file's pstats data as JSON, with Python 2.7 or 3.

    python pstats_dump.py FILE [strip]

[[file, line, name, cc, nc, tt, ct, [[cfile, cline, cname, VALUE], ...]], ...]
VALUE is the caller entry as pstats holds it: a list (cProfile's
(nc, cc, tt, ct) tuple, flattened) or an int (the `profile` module's count).
With `strip`, pstats' strip_dirs() is applied first. tests/callgraph uses it to
read Python 2 profiles with Python 2's own pstats.
"""
import json
import pstats
import sys


def dump(path, strip):
    st = pstats.Stats(path)
    if strip:
        st.strip_dirs()
    out = []
    for (f, l, n), (cc, nc, tt, ct, callers) in st.stats.items():
        cl = []
        for (cf, cline, cn), v in callers.items():
            cl.append([cf, cline, cn, list(v) if isinstance(v, tuple) else v])
        out.append([f, l, n, cc, nc, tt, ct, cl])
    return out


if __name__ == '__main__':
    json.dump(dump(sys.argv[1], len(sys.argv) > 2 and sys.argv[2] == 'strip'), sys.stdout)

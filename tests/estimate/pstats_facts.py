"""Prints what pstats (of the Python running this) says about a .prof file, as
JSON with every name masked to ASCII, for tests/estimate/test_estimate.py.

    python pstats_facts.py FILE

{"total_tt": ..., "funcs": [[key, cc, nc, tt, ct, [[caller_key, calls, ct_or_null], ...]], ...]}

key is "file:line(name)" with non-ASCII bytes or characters as '?' and a code
object (the `profile` module's keys) as "<code object NAME at 0xADDRESS, file
"F", line L>". ct_or_null is the caller edge's cumtime (cProfile) or null (the
`profile` module's bare count). Runs on Python 2.7 and 3.
"""
import json
import pstats
import sys


def mask(s):
    if not isinstance(s, (str, bytes)) and type(s).__name__ != 'unicode':
        if hasattr(s, 'co_name'):
            s = '<code object %s at 0xADDRESS, file "%s", line %d>' % (mask(s.co_name), mask(s.co_filename),
                                                                         s.co_firstlineno)
        else:
            s = str(s)
    if isinstance(s, bytes):
        try:
            s = s.decode('utf-8')
        except UnicodeDecodeError:
            s = s.decode('latin-1')
    return ''.join(c if ' ' <= c < '\x7f' else '?' for c in s)


def key(k):
    return '%s:%d(%s)' % (mask(k[0]), k[1], mask(k[2]))


def main():
    st = pstats.Stats(sys.argv[1])
    funcs = []
    for k, (cc, nc, tt, ct, callers) in st.stats.items():
        cl = []
        for c, v in callers.items():
            if isinstance(v, tuple):
                cl.append([key(c), v[0], v[3]])
            else:
                cl.append([key(c), v, None])
        funcs.append([key(k), cc, nc, tt, ct, cl])
    json.dump({'total_tt': st.total_tt, 'funcs': funcs}, sys.stdout)


if __name__ == '__main__':
    main()

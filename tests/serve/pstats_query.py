"""Answers questions about a .prof file with the pstats of the Python running it
(2.7 or 3.x), for tests/serve/test_serve_api.py.

    python pstats_query.py FILE < QUERIES.json > ANSWER.json

QUERIES is a JSON list of {"strip": bool, "keys": [KEY...] | null,
"reverse": bool, "restrictions": [int | float | str, ...]}. The answer:

    {"entries": [[file, line, name, cc, nc, tt, ct, [[cfile, cline, cname, VALUE], ...]], ...],
     "total_calls": N, "prim_calls": N, "total_tt": X,
     "answers": [{"sort_type": "...", "total": N,
                  "rows": [[file, line, name, cc, nc, tt, ct, std_string], ...]}, ...]}

entries are in the stats dict's iteration order; VALUE is the caller entry as
pstats holds it (cProfile: [nc, cc, tt, ct]; the `profile` module: a count).
rows are what Stats(FILE)[.strip_dirs()][.sort_stats(*keys)][.reverse_order()]
.print_stats(*restrictions) lists, in that order (pstats' own get_print_list).
Strings holding bytes that are not UTF-8 come out as lone surrogates (\\udcXX),
as Python 3 keeps them.
"""
import io
import json
import pstats
import sys

PY2 = sys.version_info[0] == 2


def text(s):
    """str of a name or file (a code object's repr for `profile -o` keys)."""
    if PY2:
        if isinstance(s, unicode):  # noqa: F821 - Python 2 only
            return s
        if not isinstance(s, str):
            s = str(s)
        try:
            return s.decode('utf-8')
        except UnicodeDecodeError:
            out = []
            for ch in s:
                if ord(ch) < 0x80:
                    out.append(unichr(ord(ch)))  # noqa: F821
                else:
                    out.append(unichr(0xdc00 + ord(ch)))  # noqa: F821
            return u''.join(out)
    return s if isinstance(s, str) else str(s)


def key(k):
    return [text(k[0]), k[1], text(k[2])]


def stats_of(path, strip):
    if PY2:
        import StringIO
        st = pstats.Stats(path, stream=StringIO.StringIO())
    else:
        st = pstats.Stats(path, stream=io.StringIO())
    if strip:
        st.strip_dirs()
    return st


def entries(st):
    out = []
    for k, (cc, nc, tt, ct, callers) in st.stats.items():
        cl = []
        for ck, v in callers.items():
            cl.append(key(ck) + [list(v) if isinstance(v, tuple) else v])
        out.append(key(k) + [cc, nc, tt, ct, cl])
    return out


def answer(path, q):
    st = stats_of(path, q.get('strip'))
    if q.get('keys') is not None:
        st.sort_stats(*q['keys'])
    if q.get('reverse'):
        st.reverse_order()
    restrictions = tuple(q.get('restrictions') or ())
    _width, funcs = st.get_print_list(restrictions)   # its messages go to the stream
    rows = []
    for f in funcs or []:
        cc, nc, tt, ct, _ = st.stats[f]
        rows.append(key(f) + [cc, nc, tt, ct, text(pstats.func_std_string(f))])
    return {'sort_type': text(st.sort_type) if hasattr(st, 'sort_type') else None,
            'total': len(st.stats), 'rows': rows}


def safe_answer(path, q):
    try:
        return answer(path, q)
    except Exception as e:  # pstats itself refuses (e.g. sorting code objects by name)
        return {'error': type(e).__name__}


def main():
    path = sys.argv[1]
    queries = json.loads(sys.stdin.read())
    st = stats_of(path, False)
    doc = {'entries': entries(st), 'top_level': [text(f[2]) for f in st.top_level], 'total_calls': st.total_calls, 'prim_calls': st.prim_calls,
           'total_tt': st.total_tt, 'answers': [safe_answer(path, q) for q in queries]}
    sys.stdout.write(json.dumps(doc))


if __name__ == '__main__':
    main()

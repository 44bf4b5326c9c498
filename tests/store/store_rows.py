"""The rows of a version-5 store, decoded here from its packed arrays as
docs/schema.md ("profile_arrays") describes them, independently of profview's C
reader: tests read functions, edges and tree_nodes through this, and tamper with
them by rewriting the arrays.

    con = connect_rows(db)          # sqlite3 connection; functions, edges and
                                    # tree_nodes as TEMP tables, as in versions 1-4
    rewrite(db, mutate)             # mutate(table, rows) edits each profile's rows
"""
import sqlite3
import struct

FUNC = struct.Struct('<IIqqqddBB')     # file, name, line, pcalls, calls, tottime, cumtime, flags, annotation
EDGE = struct.Struct('<IIqqddB')       # callee, caller, calls, pcalls, tottime, cumtime, timed
NODE = struct.Struct('<IIddq')         # parent, func, self, total, count
assert (FUNC.size, EDGE.size, NODE.size) == (50, 41, 32)
NO_FUNC = 0xFFFFFFFF


def _chunks(con, pid, array):
    return con.execute('SELECT chunk, count, data FROM profile_arrays WHERE profile_id = ? AND array = ? '
                       'ORDER BY chunk', (pid, array)).fetchall()


def _strings(con, pid):
    out = []
    for _, count, data in _chunks(con, pid, 'strings'):
        at = 0
        for _ in range(count):
            n, = struct.unpack_from('<I', data, at)
            out.append(bytes(data[at + 4:at + 4 + n]))
            at += 4 + n
        assert at == len(data)
    return out


def _records(con, pid, array, rec):
    out = []
    for _, count, data in _chunks(con, pid, array):
        assert len(data) == count * rec.size
        out.extend(rec.iter_unpack(data))
    return out


def _text(b):
    """Stored text as Python text: UTF-8; a Python 3 path's undecodable bytes as
    Python keeps them (surrogates U+DC80-U+DCFF, stored UTF-8 encoded); a Python 2
    byte string's bytes as surrogate escapes."""
    try:
        return b.decode('utf-8', 'surrogatepass')
    except UnicodeDecodeError:
        return b.decode('utf-8', 'surrogateescape')


def read_profile(con, pid):
    """{'functions': [...], 'edges': [...], 'tree_nodes': [...]} as the rows of
    versions 1-4 (column order of docs/schema.md), profile_id first."""
    strs = _strings(con, pid)
    funcs = []
    for i, (file, name, line, pcalls, calls, tt, ct, flags, ann) in enumerate(_records(con, pid, 'functions', FUNC)):
        funcs.append((pid, i, _text(strs[file]), line, _text(strs[name]), flags & 1, (flags >> 1) & 1, pcalls,
                      calls, tt, ct, chr(ann) if ann else None))
    edges = []
    prev, ord_ = None, 0
    for callee, caller, calls, pcalls, tt, ct, timed in _records(con, pid, 'edges', EDGE):
        ord_ = ord_ + 1 if callee == prev else 0
        prev = callee
        edges.append((pid, callee, ord_, caller, calls, pcalls, tt, ct, timed))
    nodes = []
    for i, (parent, func, slf, total, count) in enumerate(_records(con, pid, 'tree_nodes', NODE)):
        nodes.append((pid, i, None if i == 0 else parent, -1 if func == NO_FUNC else func, slf, total, count))
    return {'functions': funcs, 'edges': edges, 'tree_nodes': nodes, 'strings': strs}


COLUMNS = {
    'functions': 'profile_id, idx, file, line, name, in_stats, top_level, pcalls, calls, tottime, cumtime, annotation',
    'edges': 'profile_id, callee, ord, caller, calls, pcalls, tottime, cumtime, timed',
    'tree_nodes': 'profile_id, id, parent, func, self, total, count',
}


def _sql_value(v):
    """Text Python's sqlite3 can bind: names that were not UTF-8 go in as their bytes."""
    if isinstance(v, str):
        try:
            v.encode('utf-8')
        except UnicodeEncodeError:
            return v.encode('utf-8', 'surrogatepass')
    return v


def connect_rows(db, ids=None):
    """A read-only connection to the store with its rows as TEMP tables: those of
    the profiles ids, or of every profile."""
    con = sqlite3.connect('file:%s?mode=ro' % db, uri=True)
    for table, cols in COLUMNS.items():
        con.execute('CREATE TEMP TABLE %s(%s)' % (table, cols))
    if ids is None:
        ids = [r[0] for r in con.execute('SELECT id FROM profiles ORDER BY id')]
    for pid in ids:
        rows = read_profile(con, pid)
        for table, cols in COLUMNS.items():
            if rows[table]:
                con.executemany('INSERT INTO temp.%s VALUES(%s)' % (table, ','.join('?' * len(cols.split(',')))),
                                [tuple(_sql_value(v) for v in r) for r in rows[table]])
    return con


def _pack(strs, rows):
    """The arrays of one profile from rows as read_profile() gives them (strings
    by value: a file or name not among strs is added)."""
    strs = list(strs)
    index = {_text(s): i for i, s in enumerate(strs)}

    def sid(text):
        if text not in index:
            index[text] = len(strs)
            strs.append(text.encode('utf-8', 'surrogatepass'))
        return index[text]

    funcs = [FUNC.pack(sid(f[2]), sid(f[4]), f[3], f[7], f[8], f[9], f[10], (f[5] and 1) | (f[6] and 2),
                       ord(f[11]) if f[11] else 0) for f in rows['functions']]
    edges = [EDGE.pack(e[1], e[3], e[4], e[5], e[6], e[7], 1 if e[8] else 0) for e in rows['edges']]
    nodes = [NODE.pack(n[2] or 0, NO_FUNC if n[3] == -1 else n[3], n[4], n[5], n[6]) for n in rows['tree_nodes']]
    return {'strings': [struct.pack('<I', len(s)) + s for s in strs], 'functions': funcs, 'edges': edges,
            'tree_nodes': nodes}


def rewrite(db, mutate, pids=None):
    """Rewrites each profile's arrays after mutate(table, rows) edits its rows (a
    list of lists, in place): how tests tamper with a store."""
    con = sqlite3.connect(db)
    ids = pids or [r[0] for r in con.execute('SELECT id FROM profiles ORDER BY id')]
    for pid in ids:
        rows = read_profile(con, pid)
        for table in COLUMNS:
            rows[table] = [list(r) for r in rows[table]]
            mutate(table, rows[table])
        packed = _pack(rows['strings'], rows)
        con.execute('DELETE FROM profile_arrays WHERE profile_id = ?', (pid,))
        for array, recs in packed.items():
            for chunk, at in enumerate(range(0, len(recs), 1024)):
                part = recs[at:at + 1024]
                con.execute('INSERT INTO profile_arrays(profile_id, array, chunk, count, data) VALUES(?,?,?,?,?)',
                            (pid, array, chunk, len(part), b''.join(part)))
    con.commit()
    con.close()

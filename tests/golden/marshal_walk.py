"""Independent marshal reader used to audit the golden fixtures.

Usage (any Python 3):
    marshal_walk.py [--py X.Y] FILE... type-code histogram per file; code
                                       objects are decoded with the layout
                                       of Python X.Y (default: guessed from a
                                       "pyXY" in the file name)
    marshal_walk.py --order FILE PY    compare file key order with the
                                       iteration order of PY's marshal.load

It understands every type code that Python 2.7 and 3.x marshal write for
plain data, and the code-object layouts of 2.7, 3.6-3.7, 3.8-3.10 and
3.11-3.13 (needed because `python -m profile -o` stores the profiled code
object itself inside one key: ('profile', 0, <code object>)).  The histogram counts
type bytes with FLAG_REF (0x80) stripped, and counts FLAG_REF separately.
"""
import collections
import struct
import subprocess
import sys


class CodeInfo(object):
    def __init__(self, offset, name, filename, firstlineno):
        self.offset = offset
        self.name = name
        self.filename = filename
        self.firstlineno = firstlineno

    def __repr__(self):
        return '<code %s %s:%d @%d>' % (self.name, self.filename,
                                        self.firstlineno, self.offset)


class Reader(object):
    def __init__(self, data, pyver):
        self.data = data
        self.pyver = pyver
        self.code_depth = 0
        self.codes = []
        self.pos = 0
        self.counts = collections.Counter()
        self.refs = []
        self.interned = []   # py2 't' / 'R'
        self.path = []

    def byte(self):
        b = self.data[self.pos]
        self.pos += 1
        return b

    def take(self, n):
        s = self.data[self.pos:self.pos + n]
        if len(s) != n:
            raise EOFError('truncated at %d' % self.pos)
        self.pos += n
        return s

    def i32(self):
        return struct.unpack('<i', self.take(4))[0]

    def obj(self):
        start = self.pos
        code = self.byte()
        flag = code & 0x80
        t = chr(code & 0x7f)
        self.counts[t if not self.code_depth else 'in-code:' + t] += 1
        if flag:
            self.counts['FLAG_REF'] += 1
            idx = len(self.refs)
            self.refs.append(None)
        v = self._obj(t, start)
        if flag:
            self.refs[idx] = v
        return v

    def _obj(self, t, start):
        if t == '0':
            return StopIteration   # NULL marker (dict end)
        if t == 'N':
            return None
        if t == 'F':
            return False
        if t == 'T':
            return True
        if t == 'i':
            return self.i32()
        if t == 'I':
            return struct.unpack('<q', self.take(8))[0]
        if t == 'l':
            n = self.i32()
            v = 0
            for k in range(abs(n)):
                d = struct.unpack('<H', self.take(2))[0]
                v |= d << (15 * k)
            return -v if n < 0 else v
        if t == 'f':
            n = self.byte()
            return float(self.take(n).decode('ascii'))
        if t == 'g':
            return struct.unpack('<d', self.take(8))[0]
        if t in 'su':
            n = self.i32()
            raw = self.take(n)
            return raw if t == 's' else raw.decode('utf-8', 'surrogatepass')
        if t == 't':
            n = self.i32()
            raw = self.take(n)
            # py2: interned str, py3: interned unicode (utf-8)
            self.interned.append(raw)
            try:
                return raw.decode('utf-8', 'surrogatepass')
            except UnicodeDecodeError:
                return raw
        if t == 'R':
            v = self.interned[self.i32()]
            return v.decode('utf-8', 'surrogatepass')
        if t in 'aA':
            return self.take(self.i32()).decode('latin-1')
        if t in 'zZ':
            return self.take(self.byte()).decode('latin-1')
        if t in '()[<>':
            n = self.byte() if t == ')' else self.i32()
            items = [self.obj() for _ in range(n)]
            return tuple(items) if t in '()' else items
        if t == '{':
            d = []
            while True:
                k = self.obj()
                if k is StopIteration:
                    break
                v = self.obj()
                d.append((k, v))
            return d
        if t == 'r':
            return self.refs[self.i32()]
        if t == 'c':
            return self.code(start)
        raise ValueError('unknown type %r at offset %d' % (t, start))


    def code(self, start):
        v = self.pyver
        if v is None:
            raise ValueError('code object at %d: need --py X.Y' % start)
        self.code_depth += 1
        nints = {(2, 7): 4, (3, 6): 5, (3, 7): 5, (3, 8): 6, (3, 9): 6,
                 (3, 10): 6}.get(v, 5)
        for _ in range(nints):
            self.i32()
        if v >= (3, 11):
            # code consts names localsplusnames localspluskinds filename
            # name qualname firstlineno linetable exceptiontable
            for _ in range(5):
                self.obj()
            filename = self.obj()
            name = self.obj()
            self.obj()
            first = self.i32()
            self.obj()
            self.obj()
        else:
            # code consts names varnames freevars cellvars filename name
            # firstlineno lnotab
            for _ in range(6):
                self.obj()
            filename = self.obj()
            name = self.obj()
            first = self.i32()
            self.obj()
        self.code_depth -= 1
        info = CodeInfo(start, name, filename, first)
        self.codes.append(info)
        return info


def guess_pyver(path):
    import re
    m = re.search(r'py(\d)(\d+)', path.split('/')[-1])
    if m:
        return int(m.group(1)), int(m.group(2))
    return None


def walk(path, pyver=None):
    with open(path, 'rb') as f:
        data = f.read()
    r = Reader(data, pyver or guess_pyver(path))
    top = r.obj()
    if r.pos != len(data):
        raise ValueError('%d trailing bytes' % (len(data) - r.pos))
    return r, top


def histogram(paths, pyver=None):
    for p in paths:
        r, top = walk(p, pyver)
        items = sorted(r.counts.items())
        print('%s: %s' % (p, ' '.join('%s=%d' % kv for kv in items)))
        for k, v in top:
            if any(isinstance(x, CodeInfo) for x in k):
                print('    key with code object: %r (%d nested code '
                      'objects in all)' % (k, len(r.codes)))


def key_order(path, python):
    r, top = walk(path, guess_pyver(path))
    file_keys = [k for k, v in top]
    script = ('import marshal,sys\n'
              'd = marshal.load(open(sys.argv[1], "rb"))\n'
              'for k in d: sys.stdout.write(repr(k) + "\\n")\n')
    out = subprocess.check_output([python, '-c', script, path])
    py_keys = out.decode('utf-8', 'replace').splitlines()
    same = len(file_keys) == len(py_keys) and all(
        repr(tuple(x.decode('latin-1') if isinstance(x, bytes) else x
                   for x in k)) == pk.replace("u'", "'")
        for k, pk in zip(file_keys, py_keys))
    return same, len(file_keys)


if __name__ == '__main__':
    args = sys.argv[1:]
    if args[0] == '--order':
        print(key_order(args[1], args[2]))
    elif args[0] == '--py':
        histogram(args[2:], tuple(int(x) for x in args[1].split('.')))
    else:
        histogram(args)

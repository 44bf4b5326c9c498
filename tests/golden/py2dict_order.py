"""Reference model of Python 2.7's dict iteration order after marshal.load.

    python3 py2dict_order.py FIXTURE.prof      print keys in py2 dict order
    python3 py2dict_order.py --check FIXTURE.prof [PYTHON2]
                                               compare with a real Python 2.7

Python 2 pstats iterates `self.stats` (the dict marshal.load built) in hash
table order, and its sort is stable, so ties and the unsorted listing come
out in that order, NOT in file order.  marshal.load inserts the keys one by
one in file order into a fresh dict; this model replays that with CPython
2.7's algorithms (64-bit build, hash randomisation off, which is the 2.7
default):

  str hash    x = s[0] << 7; for c in s: x = (1000003*x) ^ c; x ^= len(s)
              (empty string: 0); -1 -> -2; all arithmetic wraps at 64 bits
  int hash    the value; -1 -> -2
  tuple hash  x = 0x345678; mult = 1000003; for each item (len counting
              down): x = (x ^ hash(item)) * mult; mult += 82520 + 2*len;
              then x += 97531; -1 -> -2
  table       starts with 8 slots; probe i = hash & mask, then
              i = 5*i + perturb + 1, perturb >>= 5 (perturb starts as the
              hash as unsigned); after an insert that added a key, if
              fill*3 >= slots*2: resize to the smallest power of two (>= 8)
              greater than 4*used (2*used past 50000 keys), re-inserting the
              old slots in slot order
  order       iteration is slot order

It reproduces Python 2.7's order for every py27 cProfile-style fixture here.
It cannot for fixtures/py27-profile.prof: that file's key
('profile', 0, <code object>) hashes through hash(None), a memory address.
"""
import subprocess
import sys
import os

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import marshal_walk  # noqa: E402

M = 1 << 64


def s64(x):
    x %= M
    return x - M if x >= 1 << 63 else x


def str_hash(b):
    if not b:
        return 0
    x = b[0] << 7
    for c in b:
        x = s64(1000003 * x) ^ c
    x ^= len(b)
    return -2 if x == -1 else x


def py2_hash(o):
    if isinstance(o, str):          # 't'/'R' strings come back decoded
        o = o.encode('utf-8', 'surrogatepass')
    if isinstance(o, bytes):
        return str_hash(o)
    if isinstance(o, int):
        return -2 if o == -1 else o
    if isinstance(o, tuple):
        x, mult, n = 0x345678, 1000003, len(o)
        for item in o:
            n -= 1
            x = s64((x ^ py2_hash(item)) * mult)
            mult = s64(mult + 82520 + n + n)
        x = s64(x + 97531)
        return -2 if x == -1 else x
    raise TypeError('no py2 hash model for %r' % (o,))


class Py2Dict(object):
    def __init__(self):
        self.table = [None] * 8
        self.used = self.fill = 0

    @staticmethod
    def _slot(table, h, key=None):
        mask = len(table) - 1
        i = perturb = h % M
        idx = i & mask
        while table[idx] is not None and table[idx][0] != key:
            i = (5 * i + perturb + 1) % M
            idx = i & mask
            perturb >>= 5
        return idx

    def insert(self, key, value):
        h = py2_hash(key)
        idx = self._slot(self.table, h, key)
        n_used = self.used
        if self.table[idx] is None:
            self.used += 1
            self.fill += 1
        self.table[idx] = (key, value, h)
        if self.used > n_used and self.fill * 3 >= len(self.table) * 2:
            minused = (2 if self.used > 50000 else 4) * self.used
            size = 8
            while size <= minused:
                size <<= 1
            old, self.table = self.table, [None] * size
            for e in old:
                if e is not None:
                    self.table[self._slot(self.table, e[2])] = e
            self.fill = self.used

    def keys(self):
        return [e[0] for e in self.table if e is not None]


def fmt(k):
    return '\t'.join(x.decode('latin-1') if isinstance(x, bytes) else
                     x if isinstance(x, str) else '%d' % x for x in k)


def model_order(path):
    r, top = marshal_walk.walk(path, (2, 7))
    d = Py2Dict()
    for k, v in top:
        d.insert(k, v)
    return [fmt(k) for k in d.keys()]


def real_order(path, python):
    script = ('import marshal, sys\n'
              'd = marshal.load(open(sys.argv[1], "rb"))\n'
              'for k in d:\n'
              '    sys.stdout.write("\\t".join(x if isinstance(x, str) '
              'else "%d" % x for x in k) + "\\n")\n')
    out = subprocess.check_output([python, '-c', script, path])
    return out.decode('latin-1').splitlines()


if __name__ == '__main__':
    if sys.argv[1] == '--check':
        path = sys.argv[2]
        python = (sys.argv[3] if len(sys.argv) > 3 else
                  '/root/.pyenv/versions/2.7.18/bin/python')
        ok = model_order(path) == real_order(path, python)
        print('%s: model %s Python 2.7' % (path, 'matches' if ok else
                                            'DIFFERS from'))
        sys.exit(0 if ok else 1)
    for line in model_order(sys.argv[1]):
        print(line)

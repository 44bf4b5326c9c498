# -*- coding: utf-8 -*-
"""Deterministic workload profiled to make profview's golden fixtures.

Runs unchanged under Python 2.7 and every Python 3 (no f-strings, no
py3-only syntax outside exec'd strings).  Apart from timings, the profile it
produces is meant to be the same from run to run for a given interpreter:
no randomness without a fixed seed, no time/pid/cwd-dependent branches, and
fixed paths for the modules it writes under /tmp.

Python 3 only (see py3_only_work): functions with non-ASCII names and a
module imported from a directory whose name holds a byte that is not UTF-8
(/tmp/pvfix_\\xff), so the profile holds a filename with a lone surrogate,
plus one from a directory named with a non-ASCII character (/tmp/pvfix_\\uff21).
"""
import sys
import os
import json
import re
import collections
import heapq
import itertools
import functools
import string

PY3 = sys.version_info[0] >= 3


# --------------------------------------------------------------------------
# recursion


def fib(n):
    """Direct recursion: pstats shows 'total/primitive' call counts."""
    if n < 2:
        return n
    return fib(n - 1) + fib(n - 2)


def fib_memo(n, memo=None):
    if memo is None:
        memo = {}
    if n in memo:
        return memo[n]
    if n < 2:
        result = n
    else:
        result = fib_memo(n - 1, memo) + fib_memo(n - 2, memo)
    memo[n] = result
    return result


def is_even(n):
    """Mutual recursion with is_odd."""
    if n == 0:
        return True
    return is_odd(n - 1)


def is_odd(n):
    if n == 0:
        return False
    return is_even(n - 1)


def hanoi(n, src, dst, via, moves):
    if n == 0:
        return
    hanoi(n - 1, src, via, dst, moves)
    moves.append((src, dst))
    hanoi(n - 1, via, dst, src, moves)


def flatten(obj):
    """Recursive generator over nested lists."""
    for item in obj:
        if isinstance(item, list):
            for sub in flatten(item):
                yield sub
        else:
            yield item


# --------------------------------------------------------------------------
# deterministic pseudo random numbers (same sequence on every Python)


class Lcg(object):
    def __init__(self, seed):
        self.state = seed

    def next(self):
        self.state = (self.state * 1103515245 + 12345) & 0x7fffffff
        return self.state

    def randint(self, lo, hi):
        return lo + self.next() % (hi - lo + 1)

    def choice(self, seq):
        return seq[self.next() % len(seq)]


# --------------------------------------------------------------------------
# classes


class Shape(object):
    count = 0

    def __init__(self, name):
        self.name = name
        Shape.count += 1

    def area(self):
        raise NotImplementedError

    def perimeter(self):
        raise NotImplementedError

    @property
    def ratio(self):
        p = self.perimeter()
        return self.area() / p if p else 0.0

    def __lt__(self, other):
        return self.area() < other.area()

    def __repr__(self):
        return '%s(%s, %.2f)' % (self.__class__.__name__, self.name,
                                 self.area())

    @classmethod
    def make(cls, rng, i):
        kind = rng.randint(0, 2)
        if kind == 0:
            return Circle('c%d' % i, rng.randint(1, 9))
        if kind == 1:
            return Rect('r%d' % i, rng.randint(1, 9), rng.randint(1, 9))
        return Square('s%d' % i, rng.randint(1, 9))

    @staticmethod
    def total_area(shapes):
        return sum(s.area() for s in shapes)


class Circle(Shape):
    def __init__(self, name, r):
        Shape.__init__(self, name)
        self.r = r

    def area(self):
        return 3.14159 * self.r * self.r

    def perimeter(self):
        return 2 * 3.14159 * self.r


class Rect(Shape):
    def __init__(self, name, w, h):
        super(Rect, self).__init__(name)
        self.w = w
        self.h = h

    def area(self):
        return float(self.w * self.h)

    def perimeter(self):
        return 2.0 * (self.w + self.h)


class Square(Rect):
    def __init__(self, name, side):
        Rect.__init__(self, name, side, side)


class Node(object):
    __slots__ = ('key', 'left', 'right')

    def __init__(self, key):
        self.key = key
        self.left = None
        self.right = None

    def insert(self, key):
        """Recursive method."""
        if key < self.key:
            if self.left is None:
                self.left = Node(key)
            else:
                self.left.insert(key)
        else:
            if self.right is None:
                self.right = Node(key)
            else:
                self.right.insert(key)

    def walk(self):
        """Recursive generator method (in-order)."""
        if self.left is not None:
            for k in self.left.walk():
                yield k
        yield self.key
        if self.right is not None:
            for k in self.right.walk():
                yield k

    def depth(self):
        dl = self.left.depth() if self.left is not None else 0
        dr = self.right.depth() if self.right is not None else 0
        return 1 + max(dl, dr)


class Matrix(object):
    def __init__(self, rows):
        self.rows = rows

    def __mul__(self, other):
        cols = list(zip(*other.rows))
        return Matrix([[sum(a * b for a, b in zip(row, col)) for col in cols]
                       for row in self.rows])

    def __eq__(self, other):
        return self.rows == other.rows

    def __hash__(self):
        return hash(tuple(tuple(r) for r in self.rows))

    @classmethod
    def identity(cls, n):
        return cls([[1 if i == j else 0 for j in range(n)] for i in range(n)])


class ValidationError(Exception):
    pass


def validate(record):
    if record['age'] < 0:
        raise ValidationError('negative age: %r' % (record['age'],))
    if not record['name']:
        raise ValidationError('empty name')
    return True


# --------------------------------------------------------------------------
# generators, lambdas, comprehensions


def gen_primes(limit):
    found = []
    n = 2
    while n < limit:
        if all(n % p for p in found if p * p <= n):
            found.append(n)
            yield n
        n += 1


def take(n, it):
    return list(itertools.islice(it, n))


def pipeline(rng):
    nums = [rng.randint(0, 1000) for _ in range(300)]
    evens = list(filter(lambda x: x % 2 == 0, nums))
    squares = list(map(lambda x: x * x, evens))
    by_digit = {}
    for n in nums:
        by_digit.setdefault(n % 10, []).append(n)
    sizes = dict((k, len(v)) for k, v in by_digit.items())
    uniq = set(x % 37 for x in nums)
    dcomp = {k: sum(v) for k, v in by_digit.items()}
    scomp = {x % 17 for x in squares}
    ordered = sorted(nums, key=lambda x: (-(x % 7), x))
    pairs = sorted(zip(nums, range(len(nums))), key=lambda p: p[0] % 13)
    total = functools.reduce(lambda a, b: a + b, nums, 0)
    return (len(evens), sum(squares), sizes, len(uniq), dcomp, len(scomp),
            ordered[:5], pairs[:3], total)


def compare_len_then_alpha(a, b):
    if len(a) != len(b):
        return len(a) - len(b)
    return (a > b) - (a < b)


# --------------------------------------------------------------------------
# stdlib work: json, re, formatting, collections, heapq


WORDS = ('alpha beta gamma delta epsilon zeta eta theta iota kappa lambda mu '
         'nu xi omicron pi rho sigma tau upsilon phi chi psi omega').split()


def make_records(rng, n):
    records = []
    for i in range(n):
        records.append({
            'id': i,
            'name': rng.choice(WORDS).capitalize() + ' ' + rng.choice(WORDS),
            'age': rng.randint(-2, 90),
            'tags': [rng.choice(WORDS) for _ in range(rng.randint(0, 4))],
            'score': rng.randint(0, 10000) / 100.0,
            'active': rng.randint(0, 1) == 1,
        })
    return records


def json_roundtrip(records):
    text = json.dumps(records, sort_keys=True, indent=1)
    back = json.loads(text)
    compact = json.dumps(back, separators=(',', ':'), sort_keys=True)
    return len(text), len(compact), back == records


def json_custom(records):
    def default(o):
        if isinstance(o, Shape):
            return {'shape': o.name}
        raise TypeError(repr(o))

    def hook(d):
        if 'shape' in d:
            return ('shape', d['shape'])
        return d

    shapes = [Circle('j%d' % i, i) for i in range(5)]
    text = json.dumps({'shapes': shapes, 'n': len(records)}, default=default)
    return json.loads(text, object_hook=hook)


LOG_RE = re.compile(r'(?P<level>[A-Z]+) \[(?P<mod>[a-z_.]+)\] (?P<msg>.*)')
NUM_RE = re.compile(r'\d+')


def make_log(rng, n):
    levels = ['DEBUG', 'INFO', 'WARNING', 'ERROR']
    mods = ['app.core', 'app.db', 'app.web_api', 'util']
    lines = []
    for i in range(n):
        lines.append('%s [%s] request %d took %d ms for %s' % (
            rng.choice(levels), rng.choice(mods), i, rng.randint(1, 500),
            rng.choice(WORDS)))
    return lines


def parse_log(lines):
    per_level = collections.Counter()
    per_mod = collections.defaultdict(list)
    for line in lines:
        m = LOG_RE.match(line)
        if m is None:
            continue
        per_level[m.group('level')] += 1
        nums = [int(x) for x in NUM_RE.findall(m.group('msg'))]
        per_mod[m.group('mod')].append(sum(nums))
    return per_level.most_common(), dict(per_mod)


def redact(lines):
    def repl(m):
        return '#' * len(m.group(0))
    return [NUM_RE.sub(repl, line) for line in lines[:60]]


def tokenize(text):
    return re.findall(r"[A-Za-z]+|\d+|[^\sA-Za-z\d]", text)


Point = collections.namedtuple('Point', 'x y')


def geometry(rng):
    pts = [Point(rng.randint(-50, 50), rng.randint(-50, 50))
           for _ in range(120)]
    pts.sort(key=lambda p: (p.x * p.x + p.y * p.y, p.x, p.y))
    nearest = heapq.nsmallest(5, pts, key=lambda p: abs(p.x) + abs(p.y))
    far = heapq.nlargest(3, pts, key=lambda p: p.x * p.x + p.y * p.y)
    q = collections.deque(maxlen=10)
    for p in pts:
        q.append(p)
    od = collections.OrderedDict()
    for p in pts[:20]:
        od['%d,%d' % p] = p
    return nearest, far, list(q), list(od)


def formatting(rng):
    out = []
    tmpl = string.Template('$who scored $pts')
    for i in range(80):
        who = rng.choice(WORDS)
        pts = rng.randint(0, 99)
        out.append('{0:>8}|{1:05d}|{2:.3f}'.format(who, pts, pts / 7.0))
        out.append('%-10s %4d %6.2f%%' % (who, pts, pts * 1.5))
        out.append(tmpl.substitute(who=who, pts=pts))
        out.append(' '.join([who.upper(), who.title(), who[::-1]]))
    return '\n'.join(out)


def heap_sort(items):
    h = []
    for x in items:
        heapq.heappush(h, x)
    return [heapq.heappop(h) for _ in range(len(h))]


def sorting(rng):
    words = [rng.choice(WORDS) + str(rng.randint(0, 99)) for _ in range(150)]
    a = sorted(words, key=functools.cmp_to_key(compare_len_then_alpha))
    b = sorted(words, key=str.lower, reverse=True)
    c = heap_sort([rng.randint(0, 999) for _ in range(200)])
    shapes = [Shape.make(rng, i) for i in range(60)]
    shapes.sort()
    d = sorted(shapes, key=lambda s: s.ratio)
    groups = itertools.groupby(sorted(words, key=len), key=len)
    g = [(k, len(list(v))) for k, v in groups]
    return a[:3], b[:3], c[:3], d[:3], g, Shape.total_area(shapes)


def errors(records):
    ok = bad = 0
    for r in records:
        try:
            validate(r)
            ok += 1
        except ValidationError:
            bad += 1
    try:
        json.loads('{"broken": ')
    except ValueError:
        bad += 1
    return ok, bad


# --------------------------------------------------------------------------
# Python 3 only: non-ASCII identifiers and non-UTF-8 / non-ASCII paths.
# Kept in strings so Python 2.7 can still parse this file.

RAW_DIR = b'/tmp/pvfix_\xff'            # not valid UTF-8: lone surrogate
WIDE_DIR = b'/tmp/pvfix_\xef\xbc\xa1'   # U+FF21 FULLWIDTH LATIN CAPITAL A

RAW_MODULE = u'''# -*- coding: utf-8 -*-
def gr\u00fc\u00dfe(name):
    return u"Gr\u00fc\u00dfe, " + name


def raw_dir_work(n):
    total = 0
    for i in range(n):
        total += len(gr\u00fc\u00dfe(str(i)))
    return total + sum(len(gr\u00fc\u00dfe(w)) for w in ("a", "bb"))
'''

WIDE_MODULE = u'''# -*- coding: utf-8 -*-
class Z\u00e4hler(object):
    def __init__(self):
        self.n = 0

    def z\u00e4hlen(self, xs):
        for x in xs:
            self.n += x
        return self.n


def \u8a08\u7b97(xs):
    return Z\u00e4hler().z\u00e4hlen(xs)


def wide_dir_work(n):
    return [\u8a08\u7b97(range(i)) for i in range(n)]
'''

EXEC_SOURCE = u'''
def \u00fcber_summe(xs):
    return sum(xs)

def caf\u00e9(n):
    return [\u00fcber_summe(range(i)) for i in range(n)]
'''


def _fresh_dir(path):
    import shutil
    if os.path.isdir(path):
        shutil.rmtree(path)
    os.mkdir(path)


def _install_module(dirpath, modname, source):
    _fresh_dir(dirpath)
    with open(os.path.join(dirpath, modname.encode('ascii') + b'.py'),
              'wb') as f:
        f.write(source.encode('utf-8'))
    sys.path.insert(0, os.fsdecode(dirpath))


def py3_only_work():
    import importlib
    import shutil
    old_dwb = sys.dont_write_bytecode
    sys.dont_write_bytecode = True   # no __pycache__: same work every run
    try:
        _install_module(RAW_DIR, 'pvfix_raw', RAW_MODULE)
        _install_module(WIDE_DIR, 'pvfix_wide', WIDE_MODULE)
        raw = importlib.import_module('pvfix_raw')
        wide = importlib.import_module('pvfix_wide')
        r1 = raw.raw_dir_work(25)
        r2 = wide.wide_dir_work(12)
        ns = {}
        exec(compile(EXEC_SOURCE, '<pvfix-exec>', 'exec'), ns)
        r3 = ns[u'caf\u00e9'](10)
    finally:
        sys.dont_write_bytecode = old_dwb
        for d in (RAW_DIR, WIDE_DIR):
            if os.fsdecode(d) in sys.path:
                sys.path.remove(os.fsdecode(d))
            if os.path.isdir(d):
                shutil.rmtree(d)
    return r1, len(r2), len(r3)


# --------------------------------------------------------------------------


def main():
    rng = Lcg(20240601)
    results = []
    results.append(fib(16))
    results.append(fib_memo(60))
    results.append(is_even(150))
    results.append(is_odd(77))
    moves = []
    hanoi(8, 'a', 'c', 'b', moves)
    results.append(len(moves))
    results.append(sum(flatten([1, [2, [3, [4, [5, 6]], 7]], [8, 9], 10])))

    root = Node(500)
    for _ in range(200):
        root.insert(rng.randint(0, 1000))
    results.append(sum(root.walk()))
    results.append(root.depth())

    m = Matrix([[1, 2, 3], [4, 5, 6], [7, 8, 9]])
    p = m
    for _ in range(4):
        p = p * m
    results.append(p == Matrix.identity(3) * p)
    results.append(len(set([Matrix.identity(2), Matrix.identity(2)])))

    results.append(take(30, gen_primes(1000))[-1])
    results.append(pipeline(rng)[0])

    records = make_records(rng, 60)
    results.append(json_roundtrip(records))
    results.append(json_custom(records)['n'])
    results.append(errors(records))

    lines = make_log(rng, 200)
    results.append(parse_log(lines)[0])
    results.append(len(redact(lines)))
    results.append(len(tokenize(' '.join(lines[:40]))))
    results.append(len(geometry(rng)[2]))
    results.append(len(formatting(rng)))
    results.append(sorting(rng)[4])

    if PY3:
        results.append(py3_only_work())
    return results


if __name__ == '__main__':
    out = main()
    sys.stdout.write('workload done: %d results\n' % len(out))

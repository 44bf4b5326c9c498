#!/usr/bin/env python3
"""Writes the small seed inputs in tests/fuzz/corpus/ (run by hand; the output is
committed). They cover marshal features the golden fixtures lack or bury in big
files: every marshal version, references, text floats, big and negative longs,
sets and complex numbers (skipped by the reader), code-object keys, bare-count
callers (the profile module), repeated keys, Python 2 interned strings."""
import marshal
import os
import struct
import sys

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), 'corpus')


def f():
    return 1


SMALL = {
    ('a.py', 1, 'f'): (3, 4, 0.25, 1.5, {('b.py', 2, 'g'): (3, 4, 0.25, 1.5), ('~', 0, '<built-in method x>'): (1, 1, 0.0, 0.0)}),
    ('b.py', 2, 'g'): (1, 1, 0.5, 2.0, {}),
    ('~', 0, '<built-in method x>'): (1, 1, 0.125, 0.125, {('a.py', 1, 'f'): (1, 1, 0.125, 0.125)}),
}


def i32(v):
    return struct.pack('<i', v)


def main():
    os.makedirs(OUT, exist_ok=True)
    seeds = {}
    for v in range(5):
        seeds['small-v%d' % v] = marshal.dumps(SMALL, v)
    seeds['profile-counts'] = marshal.dumps({('a.py', 1, 'f'): (2, 2, 0.5, 0.5, {('b.py', 2, 'g'): 2}),
                                             ('b.py', 2, 'g'): (1, 1, 0.1, 0.6, {})}, 4)
    seeds['code-key'] = marshal.dumps({('profile', 0, f.__code__): (1, 1, 0.0, 1.0, {}),
                                       ('a.py', 1, 'f'): (1, 1, 1.0, 1.0, {('profile', 0, f.__code__): 1})}, 4)
    seeds['bigints'] = marshal.dumps({('a.py', 2 ** 40, 'f'): (2 ** 62, -2 ** 63, 1e300, -0.0,
                                                             {('a.py', -5, 'g'): (2 ** 63 - 1, 1, 5e-324, 1.0)})}, 2)
    # extras the reader must skip or refuse cleanly: sets, complex, None, bools
    seeds['odd-values'] = marshal.dumps({('a.py', 1, 'f'): (True, False, 1, 2, {}),
                                         ('x', 1, 'y'): ({1, 2}, frozenset([3]), 1j, None, {})}, 4)
    seeds['empty'] = marshal.dumps({}, 4)
    # Python 2 style: 't' interned strings with 'R' back-references and 'I' int64
    key = b'(\x03\x00\x00\x00t\x04\x00\x00\x00a.pyi\x01\x00\x00\x00t\x01\x00\x00\x00f'
    key2 = b'(\x03\x00\x00\x00R\x00\x00\x00\x00I' + struct.pack('<q', 2 ** 40) + b'R\x01\x00\x00\x00'
    val = b'(\x05\x00\x00\x00i\x01\x00\x00\x00i\x01\x00\x00\x00f\x030.5f\x031.5{0'
    seeds['py2-interned'] = b'{' + key + val + key2 + val + b'0'
    # the same key twice (Python keeps the last value, the first position)
    one = marshal.dumps({('a.py', 1, 'f'): (1, 1, 0.5, 0.5, {('b.py', 2, 'g'): (1, 1, 0.5, 0.5)})}, 2)
    two = marshal.dumps({('a.py', 1, 'f'): (2, 2, 1.0, 1.0, {('c.py', 3, 'h'): (2, 2, 1.0, 1.0)})}, 2)
    seeds['repeated-key'] = one[:-1] + two[1:]
    for name, data in seeds.items():
        with open(os.path.join(OUT, name + '.prof'), 'wb') as fh:
            fh.write(data)
    print('%d seeds in %s' % (len(seeds), OUT))
    return 0


if __name__ == '__main__':
    sys.exit(main())

"""Write the synthetic fixtures with a real Python's marshal module.

    python3.11 make_synthetic.py py3 FIXTURE_DIR
    python2.7  make_synthetic.py py2 FIXTURE_DIR

py3 (run by Python 3.11) writes
    synth-marshal-v0.prof .. synth-marshal-v4.prof
        fixtures/py311-cprofile.prof re-dumped with marshal.dump(d, f, N).
        v0/v1 write floats as 'f' text, v0 has no interning, v0-v2 no refs,
        v3 adds refs (FLAG_REF / 'r'), v4 adds short ascii and small tuples.
    synth-bigcounts.prof
        call counts >= 2**31 and >= 2**62 (marshal writes them as 'l').
    synth-negative.prof
        a pyinstrument-like dict with negative counts/times and zero counts.
py2 (run by Python 2.7) writes
    synth-py27-marshal-v0.prof, synth-py27-marshal-v1.prof
        fixtures/py27-cprofile.prof re-dumped with marshal versions 0 and 1
        (v0: 's' strings, 'f' floats; v1: 't' interned strings + 'R' refs).
    synth-py27-bigcounts.prof
        py2 writes 64-bit ints as 'I' and longs (even small ones) as 'l'.
"""
import marshal
import os
import sys


def load(path):
    with open(path, 'rb') as f:
        return marshal.load(f)


def dump(d, path, version):
    with open(path, 'wb') as f:
        marshal.dump(d, f, version)
    # make sure it loads back to the same thing
    if load(path) != d:
        raise SystemExit('%s: round trip differs' % path)


def bigcounts():
    a = ('big.py', 10, 'caller')
    b = ('big.py', 20, 'thirty_one_bits')
    c = ('big.py', 30, 'sixty_two_bits')
    d = ('big.py', 40, 'mixed')
    e = ('~', 0, "<method 'append' of 'list' objects>")
    n31 = 2 ** 31 + 5
    n62 = 2 ** 62 + 11
    return {
        a: (1, 1, 0.001, 12.5, {}),
        b: (n31, n31, 3.25, 7.5, {a: (n31, n31, 3.25, 7.5)}),
        # primitive != total -> "total/primitive" with huge numbers
        c: (2 ** 40 + 1, n62, 2.0, 4.0, {a: (n62, 2 ** 40 + 1, 2.0, 4.0)}),
        # 2**31 - 1 still fits 'i'; -2**31 is the smallest 'i'
        d: (2 ** 31 - 1, 2 ** 32, 0.5, 0.75,
            {a: (2 ** 32, 2 ** 31 - 1, 0.5, 0.75)}),
        e: (3 * 2 ** 33, 3 * 2 ** 33, 0.125, 0.125,
            {b: (3 * 2 ** 33, 3 * 2 ** 33, 0.125, 0.125)}),
    }


def negative():
    # Shaped like the dicts pyinstrument's pstats renderer writes, with the
    # kind of values a tool merging or subtracting profiles can produce.
    root = ('app.py', 1, '<module>')
    f = ('app.py', 10, 'handler')
    g = ('app.py', 20, 'query')
    h = ('lib/db.py', 5, 'execute')
    z = ('lib/db.py', 50, 'never_called')
    n = ('lib/db.py', 60, 'negative_calls')
    b = ('~', 0, '<built-in method time.sleep>')
    return {
        root: (1, 1, 0.002, 1.5, {}),
        f: (3, 3, -0.25, 1.25, {root: (3, 3, -0.25, 1.25)}),
        g: (2, 4, 0.5, -0.125, {f: (4, 2, 0.5, -0.125)}),
        h: (-1, -1, -0.0004, -0.0006, {g: (-1, -1, -0.0004, -0.0006)}),
        z: (0, 0, 0.0, 0.0, {}),
        n: (-(2 ** 33), -5, -1.0, -2.0, {f: (-5, -(2 ** 33), -1.0, -2.0)}),
        b: (7, 7, 0.75, 0.75, {g: (7, 7, 0.75, 0.75)}),
    }


def bigcounts_py2():
    a = ('big.py', 10, 'caller')
    b = ('big.py', 20, 'thirty_one_bits')
    c = ('big.py', 30, 'sixty_two_bits')
    d = ('big.py', 40, 'small_long')
    n31 = 2 ** 31 + 5
    n62 = 2 ** 62 + 11
    small = long(7)  # noqa: F821 (py2 only): marshal writes 'l'
    return {
        a: (1, 1, 0.001, 12.5, {}),
        b: (n31, n31, 3.25, 7.5, {a: (n31, n31, 3.25, 7.5)}),
        c: (2 ** 40 + 1, n62, 2.0, 4.0, {a: (n62, 2 ** 40 + 1, 2.0, 4.0)}),
        d: (small, small, 0.5, 0.75, {a: (small, small, 0.5, 0.75)}),
    }


def main():
    which, outdir = sys.argv[1], sys.argv[2]
    if which == 'py3':
        d = load(os.path.join(outdir, 'py311-cprofile.prof'))
        for v in range(5):
            dump(d, os.path.join(outdir, 'synth-marshal-v%d.prof' % v), v)
        dump(bigcounts(), os.path.join(outdir, 'synth-bigcounts.prof'), 4)
        dump(negative(), os.path.join(outdir, 'synth-negative.prof'), 4)
    elif which == 'py2':
        d = load(os.path.join(outdir, 'py27-cprofile.prof'))
        for v in range(2):
            dump(d, os.path.join(outdir, 'synth-py27-marshal-v%d.prof' % v), v)
        dump(bigcounts_py2(), os.path.join(outdir, 'synth-py27-bigcounts.prof'),
             2)
    else:
        raise SystemExit('usage: make_synthetic.py py3|py2 FIXTURE_DIR')


if __name__ == '__main__':
    main()

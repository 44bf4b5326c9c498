#!/usr/bin/env python3
"""Regenerates tests/callgraph/fixtures/ (standard library only).

    python3 tests/callgraph/make_fixtures.py [OUTDIR]

* hostile_names.prof: a real cProfile run of code compiled under a hostile file
  name, whose functions were renamed (code.replace(co_name=...)) to names full
  of DOT, HTML and escape syntax, line breaks, tabs, a lone surrogate (an
  undecodable byte as Python keeps it) and a 300-character name.
* hostile_files.prof: a real cProfile run of code compiled (exec(compile(src,
  FILE, 'exec'))) under file names that are DOT keywords, hold quotes,
  backslashes, braces, bars, angle brackets, line breaks, a surrogate-escaped
  byte, and one of 5000 characters.
* hostile.folded: folded stacks whose frames hold bytes that are not UTF-8
  (\\xff\\xfe, latin-1 e-acute), quotes and backslashes (written as raw bytes).
* recursion.folded, cycles.folded, boundary.folded, allcycle.folded,
  tree.folded: small hand-written stacks (recursion, mutual recursion, shares
  exactly at the thresholds, a graph where every function is in a cycle, a
  tree for --root/--leaf/--depth).

Timings in the .prof files vary from run to run; the test computes what it
expects from each file itself, so any regeneration is as good as another.
"""
import cProfile
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))

# Function names given to the generated functions (co_name), in order.
HOSTILE_NAMES = [
    '"quoted"',
    'back\\slash\\n',
    '<html>&amp;',
    '{a|b}',
    '\\N\\G\\L\\E\\H\\T',
    '-> [label=x]',
    '</script>',
    'line\nbreak',
    'tab\there',
    'node',
    'digraph',
    '}; x -> y; {',
    'caf\udce9',            # os.fsdecode(b'caf\xe9'): an undecodable byte
    'del\x7fete',
    'ends with backslash\\',
    'w' * 140 + '_middle_' + 'z' * 152,   # 300 characters
]

HOSTILE_FILES = [
    'a"b\\c<d>{e}|f.py',
    'node',
    'edge',
    'graph',
    'subgraph',
    'strict',
    'dir/with space/new\nline\tand tab.py',
    '/tmp/lat\udce9n.py',
    '/very/' + 'long' * 1247 + '.py',     # 5000 characters
]

SRC = '''
def work(n):
    s = 0
    for i in range(n):
        s += i * i
    return s
'''


def make_names(out):
    lines = ['def f%d(n):\n    return work(n) + %s\n' % (k, ('f%d(n)' % (k + 1)) if k + 1 < len(HOSTILE_NAMES) else '0')
             for k in range(len(HOSTILE_NAMES))]
    src = SRC + ''.join(lines) + 'def main():\n    for r in range(3):\n        f0(2000)\n'
    ns = {'__name__': 'hostile'}
    exec(compile(src, 'a"b\\c<d>{e}|f.py', 'exec'), ns)
    for k, name in enumerate(HOSTILE_NAMES):
        f = ns['f%d' % k]
        f.__code__ = f.__code__.replace(co_name=name)
    prof = cProfile.Profile()
    prof.enable()
    ns['main']()
    prof.disable()
    prof.dump_stats(out)


def make_files(out):
    mods = []
    for k, fname in enumerate(HOSTILE_FILES):
        ns = {'__name__': 'm%d' % k}
        exec(compile(SRC + 'def run():\n    return work(%d)\n' % (3000 + 500 * k), fname, 'exec'), ns)
        mods.append(ns)
    prof = cProfile.Profile()
    prof.enable()
    for r in range(2):
        for ns in mods:
            ns['run']()
    prof.disable()
    prof.dump_stats(out)


def write(path, data):
    with open(path, 'wb') as f:
        f.write(data)


def main():
    out = sys.argv[1] if len(sys.argv) > 1 else os.path.join(HERE, 'fixtures')
    os.makedirs(out, exist_ok=True)
    make_names(os.path.join(out, 'hostile_names.prof'))
    make_files(os.path.join(out, 'hostile_files.prof'))
    write(os.path.join(out, 'hostile.folded'), b''.join([
        b'main (app.py:1);caf\xe9 (lat\xe9n.py:3);\xff\xfebad 5\n',
        b'main (app.py:1);quo"te (a\\b.py:7);back\\slash 3\n',
        b'main (app.py:1);{a|b} (x|y.py:9);<x>&amp 2\n',
        b'main (app.py:1);node;edge;graph 2\n',
        b'main (app.py:1);tab\there;\\N\\G 1\n',
        b'main (app.py:1);ends\\ (b\\.py:4);"\\" 1\n',
    ]))
    write(os.path.join(out, 'recursion.folded'), b'a;b;a;b 3\na;b;c 2\na;b;a;b;a;c 1\nd;d;d 4\n')
    # mutual recursion: a -> b -> c -> a ... (a cycle of three), with exits
    write(os.path.join(out, 'cycles.folded'), b''.join([
        b'main;a;b;c;a;b;c;a 5\n',
        b'main;a;b;c;a;x 3\n',
        b'main;a;b;y 2\n',
        b'main;b;c;a;b 4\n',
        b'main;z 6\n',
        b'main;a;b;c;a;b;c;a;b;c;a;b 1\n',
    ]))
    # 1000 samples: 'at' weighs 5 (exactly 0.5 %), 'below' 4 (0.4 %); the call
    # mid->edge1 weighs 1 (exactly 0.1 %), mid->edge0 none below
    write(os.path.join(out, 'boundary.folded'), b''.join([
        b'root;big 970\n',
        b'root;at 5\n',
        b'root;below 4\n',
        b'root;mid 10\n',
        b'root;mid;edge1 1\n',
        b'root;mid;mid2;edge1 10\n',
    ]))
    # every function is called by another: a <-> b, b <-> c
    write(os.path.join(out, 'allcycle.folded'), b'a;b;a 7\nb;a;b 2\na;b;c;b 3\na 1\n')
    # a tree for --root / --leaf / --depth; shortcut r -> d, a second root s
    write(os.path.join(out, 'tree.folded'), b''.join([
        b'r;a;b;c;d 10\n',
        b'r;a;b;e 6\n',
        b'r;d;f 4\n',
        b'r;g 5\n',
        b's;b;c 3\n',
        b's;h;f 2\n',
        b'r;a;h 1\n',
    ]))


if __name__ == '__main__':
    main()

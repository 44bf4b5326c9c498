#!/usr/bin/env python3
"""Builds an icicle page from web/icicle.html exactly as docs/icicle-data.md says:
the browser test's independent second implementation of the format.

usage: make_page.py WEB_DIR OUT.html --json TREE.json
       make_page.py WEB_DIR OUT.html --gen KIND [--nodes N] [--seed S]

TREE.json describes a tree:
  {"title": "...", "kind": "sampled", "unit": "samples", "count": "samples",
   "weights": "int" | "f64", "estimated": false, "source": "...",
   "profile_format": "folded", "cut": null | {"nodes": K, "min_weight": W},
   "diff": null | {"base_title": "...", "base_total": X, "scale": S, "normalized": true},
   "children": [{"name": "main", "file": "app.py", "line": 3, "self": 1, "count": 1,
                 "flags": ["ESTIMATED", "CUT", "NEW"], "base_self": 0, "base_total": 0,
                 "children": [...]}, ...]}
The root (node 0) is implicit; "root_self" / "root_count" give its self and count.

KIND generates a tree: basic (small, known numbers), random (N nodes, default
1,000,000), hostile (names that are HTML/JS), diff, estimated (cProfile-like,
with ESTIMATED and CUT flags), bytes (a memory profile), deep (240 levels).
"""
import base64
import json
import math
import os
import random
import struct
import sys

FLAGS = {'ESTIMATED': 1, 'CUT': 2, 'NEW': 4}


def varint(out, v):
    """Unsigned LEB128, as the contract says (at most 8 bytes: values < 2^53)."""
    v = int(v)
    if v < 0 or v >= 1 << 53:
        raise ValueError('varint out of range: %r' % v)
    while v >= 0x80:
        out.append((v & 0x7f) | 0x80)
        v >>= 7
    out.append(v)


def html_escape(s):
    return (s.replace('&', '&amp;').replace('<', '&lt;').replace('>', '&gt;')
            .replace('"', '&quot;').replace("'", '&#39;'))


def json_for_script(obj):
    """JSON with <, >, &, U+2028 and U+2029 as \\u escapes (they only occur in strings)."""
    s = json.dumps(obj, ensure_ascii=False, separators=(',', ':'), allow_nan=False)
    for ch in ('<', '>', '&', '\u2028', '\u2029'):
        s = s.replace(ch, '\\u%04x' % ord(ch))
    return s


class Tree:
    """Pre-order node records plus the function and file tables."""

    def __init__(self, diff=False):
        self.diff = diff
        self.parent = [0]
        self.func = [0]
        self.flags = [0]
        self.self_w = [0]
        self.count = [0]
        self.base_self = [0]
        self.base_total = [0]
        self.files = []
        self.file_ix = {}
        self.funcs = []           # (name, file index, line)
        self.func_ix = {}

    def func_id(self, name, file, line):
        key = (name, file, line)
        f = self.func_ix.get(key)
        if f is None:
            fi = self.file_ix.get(file)
            if fi is None:
                fi = self.file_ix[file] = len(self.files)
                self.files.append(file)
            f = self.func_ix[key] = len(self.funcs)
            self.funcs.append((name, fi, line))
        return f

    def add(self, parent, func, self_w, count=0, flags=0, base_self=0, base_total=0):
        self.parent.append(parent)
        self.func.append(func + 1)
        self.flags.append(flags)
        self.self_w.append(self_w)
        self.count.append(count)
        self.base_self.append(base_self)
        self.base_total.append(base_total)
        return len(self.parent) - 1

    def totals(self):
        tot = list(self.self_w)
        for i in range(len(tot) - 1, 0, -1):
            tot[self.parent[i]] += tot[i]
        return tot

    def stream(self, weights):
        out = bytearray()
        if weights == 'int':
            def weight(v):
                varint(out, v)
        else:
            pack = struct.Struct('<d').pack

            def weight(v):
                out.extend(pack(float(v)))
        for i in range(len(self.parent)):
            varint(out, i - self.parent[i] if i else 0)
            varint(out, self.func[i])
            varint(out, self.flags[i])
            weight(self.self_w[i])
            varint(out, self.count[i])
            if self.diff:
                weight(self.base_self[i])
                weight(self.base_total[i])
        return bytes(out)


def add_json_children(tree, parent, kids):
    for k in kids:
        f = tree.func_id(k['name'], k.get('file', ''), k.get('line', 0))
        fl = 0
        for name in k.get('flags', []):
            fl |= FLAGS[name]
        node = tree.add(parent, f, k.get('self', 0), k.get('count', 0), fl,
                        k.get('base_self', 0), k.get('base_total', 0))
        add_json_children(tree, node, k.get('children', []))


def page(web_dir, desc, tree):
    weights = desc.get('weights', 'int')
    meta = {
        'version': 1,
        'title': desc.get('title', 'profile'),
        'source': desc.get('source', '/tmp/' + desc.get('title', 'profile')),
        'profile_format': desc.get('profile_format', 'folded'),
        'kind': desc.get('kind', 'sampled'),
        'unit': desc.get('unit', 'samples'),
        'estimated': bool(desc.get('estimated', False)),
        'count': desc.get('count', 'samples'),
        'nodes': len(tree.parent),
        'weights': weights,
        'files': tree.files,
        'funcs': {'name': [f[0] for f in tree.funcs], 'file': [f[1] for f in tree.funcs],
                  'line': [f[2] for f in tree.funcs]},
        'cut': desc.get('cut'),
        'diff': desc.get('diff'),
    }
    with open(os.path.join(web_dir, 'icicle.html'), encoding='utf-8') as f:
        html = f.read()
    with open(os.path.join(web_dir, 'icicle.css'), encoding='utf-8') as f:
        css = f.read()
    with open(os.path.join(web_dir, 'icicle.js'), encoding='utf-8') as f:
        js = f.read()
    data = ('<script type="application/json" id="pv-meta">' + json_for_script(meta) + '</script>\n'
            '<script type="text/plain" id="pv-nodes">'
            + base64.b64encode(tree.stream(weights)).decode('ascii') + '</script>')
    repl = [('<!--PV:TITLE-->', html_escape(meta['title'])),
            ('<!--PV:STYLE-->', '<style>\n' + css + '</style>'),
            ('<!--PV:DATA-->', data),
            ('<!--PV:SCRIPT-->', '<script>\n' + js + '</script>')]
    out, rest = [], html
    for marker, text in repl:           # each marker once, in this order, as the C writer does
        at = rest.find(marker)
        if at < 0:
            raise SystemExit('make_page: the template lacks ' + marker)
        out.append(rest[:at])
        out.append(text)
        rest = rest[at + len(marker):]
    out.append(rest)
    return ''.join(out)


def from_json(desc):
    tree = Tree(diff=bool(desc.get('diff')))
    tree.self_w[0] = desc.get('root_self', 0)
    tree.count[0] = desc.get('root_count', 0)
    add_json_children(tree, 0, desc.get('children', []))
    return tree


# ---- generated trees ---------------------------------------------------------

def n(name, file, line, self=0, count=1, flags=(), children=(), **kw):
    d = {'name': name, 'file': file, 'line': line, 'self': self, 'count': count,
         'flags': list(flags), 'children': list(children)}
    d.update(kw)
    return d


def gen_basic():
    """Sampled, known numbers: total 100 samples."""
    return {
        'title': 'basic.folded', 'kind': 'sampled', 'unit': 'samples', 'count': 'samples',
        'weights': 'int', 'profile_format': 'folded',
        'children': [
            n('main', 'app.py', 10, 0, 0, children=[
                n('parse', 'app/parse.py', 20, 5, 5, children=[
                    n('tokenize', 'app/lexer.py', 7, 25, 25),
                    n('build_ast', 'app/parse.py', 88, 10, 10)]),
                n('render', 'app/render.py', 30, 10, 10, children=[
                    n('layout', 'app/render.py', 55, 30, 30, children=[
                        n('measure', 'app/fonts.py', 12, 8, 8)]),
                    n('<built-in method builtins.len>', '~', 0, 2, 2)]),
                n('zeta_tiny', 'app/misc.py', 1, 1, 1)]),
            n('idle', 'threading.py', 300, 9, 9)],
    }


def gen_hostile():
    evil = ['</script><script>alert(1)</script>', '<img src=x onerror=alert(1)>',
            '"><svg onload=alert(1)>', "'); alert(1); ('", '&amp; &lt;b&gt;', '\u2028line\u2029sep',
            'caf\u00e9 \u2603 \U0001F525 \u05e9\u05dc\u05d5\u05dd', 'x' * 300]
    kids = []
    for k, name in enumerate(evil):
        kids.append(n(name, '<script>alert("file")</script>.py' if k == 0 else 'evil/%d.py' % k, k + 1,
                      10 + k, 1, children=[n('inner_' + str(k), '"quoted" & <b>.py', 5, 3, 1)]))
    return {'title': '</title><script>alert("title")</script> & "quotes"', 'kind': 'sampled',
            'unit': 'samples', 'count': 'samples', 'weights': 'int',
            'source': '<img src=x onerror=alert(3)>', 'profile_format': '<b>folded</b>',
            'children': [n('main', 'main.py', 1, 1, 1, children=kids)]}


def gen_diff():
    """A differential tree in seconds, f64 weights; NEW stacks flagged."""
    def d(name, file, line, self, base_self, children=(), flags=()):
        return n(name, file, line, self, 1, flags, children, base_self=base_self)
    kids = [
        d('handle_request', 'srv/app.py', 40, 0.010, 0.010, [
            d('query_db', 'srv/db.py', 12, 0.450, 0.200),         # slower
            d('render_page', 'srv/views.py', 77, 0.150, 0.300),   # faster
            d('cache_lookup', 'srv/cache.py', 5, 0.050, 0.0, flags=['NEW']),
            d('log', 'srv/log.py', 9, 0.020, 0.020)]),
        d('startup', 'srv/boot.py', 1, 0.100, 0.100)]
    desc = {'title': 'after.prof', 'kind': 'calls', 'unit': 'seconds', 'count': 'calls',
            'weights': 'f64', 'profile_format': 'cprofile', 'estimated': False,
            'diff': {'base_title': 'before.prof', 'base_total': 0.63, 'scale': 1, 'normalized': False},
            'children': kids}
    tree = from_json(desc)
    # base totals: sum of base selfs below each node
    bt = list(tree.base_self)
    for i in range(len(bt) - 1, 0, -1):
        bt[tree.parent[i]] += bt[i]
    tree.base_total = bt
    return desc, tree


def gen_estimated():
    """cProfile-like: seconds, calls, ESTIMATED subtrees, a CUT box, built-ins."""
    return {
        'title': 'workload.prof', 'kind': 'calls', 'unit': 'seconds', 'count': 'calls',
        'weights': 'f64', 'profile_format': 'cprofile', 'estimated': True,
        'cut': {'nodes': 42, 'min_weight': 0.0005},
        'children': [
            n('<module>', 'workload.py', 1, 0.001, 1, children=[
                n('main', 'workload.py', 50, 0.002, 1, children=[
                    n('json_work', 'workload.py', 20, 0.120, 3, children=[
                        n('dumps', '/usr/lib/python3.11/json/__init__.py', 183, 0.010, 300, children=[
                            n('encode', '/usr/lib/python3.11/json/encoder.py', 183, 0.450, 300,
                              flags=['ESTIMATED'])])]),
                    n('regex_work', 'workload.py', 33, 0.080, 2, flags=['CUT'], children=[
                        n('compile', '/usr/lib/python3.11/re/__init__.py', 226, 0.030, 40, flags=['ESTIMATED']),
                        n('<method \'findall\' of \'re.Pattern\' objects>', '~', 0, 0.2, 40,
                          flags=['ESTIMATED'])]),
                    n('sort_work', 'workload.py', 70, 0.050, 1, children=[
                        n('<built-in method builtins.sorted>', '~', 0, 0.3, 10)])])])],
    }


def gen_bytes():
    mib = 1 << 20
    return {
        'title': 'memory.speedscope.json', 'kind': 'evented', 'unit': 'bytes', 'count': 'calls',
        'weights': 'int', 'profile_format': 'speedscope',
        'children': [n('load', 'io.py', 3, 512, 1, children=[
            n('read_all', 'io.py', 40, 3 * mib + 1234, 4),
            n('decode', 'codec.py', 8, 700 * 1024, 2)])],
    }


def gen_deep():
    """A recursion 240 levels deep (more than a screen), with a side branch at each level."""
    leaf = n('bottom', 'deep.py', 99, 50, 50)
    node = leaf
    for k in range(240, 0, -1):
        node = n('recurse', 'deep.py', 10, 0, 0,
                 children=[node, n('side_%d' % k, 'side.py', k, 1, 1)])
    return {'title': 'deep.folded', 'kind': 'sampled', 'unit': 'samples', 'count': 'samples',
            'weights': 'int', 'children': [node]}


def gen_random(nodes, seed):
    """A random tree of NODES records shaped like a real profile: skewed fan-out,
    a few heavy paths, chains, weight mostly at the leaves."""
    rnd = random.Random(seed)
    tree = Tree()
    nfiles, nfuncs = 400, 6000
    files = ['/srv/app/pkg%d/module_%d.py' % (k % 37, k) for k in range(nfiles - 1)] + ['~']
    for f in range(nfuncs):
        file = files[int(rnd.paretovariate(1.2) * 7) % nfiles]
        tree.func_id('fn_%d_%s' % (f, rnd.choice(('parse', 'load', 'run', 'emit', 'scan', 'walk'))),
                     file, 0 if file == '~' else rnd.randrange(1, 4000))
    rand, randrange, pareto, add = rnd.random, rnd.randrange, rnd.paretovariate, tree.add
    # Pending children as (parent, nodes in the child's subtree including itself),
    # popped depth-first so ids come out in pre-order.
    pending = []

    def split(parent, budget):
        if budget <= 0:
            return
        k = 1 if rand() < 0.3 else min(budget, 1 + int(pareto(1.3) * 2))
        k = min(k, budget, 400)
        shares = [rand() ** 4 for _ in range(k)]
        total = sum(shares) or 1.0
        rest = budget - k
        sizes = [1 + int(rest * sh / total) for sh in shares]
        sizes[0] += budget - sum(sizes)
        for size in reversed(sizes):
            pending.append((parent, size))

    split(0, nodes - 1)
    while pending:
        parent, size = pending.pop()
        f = int(pareto(1.1) * 3) % nfuncs if rand() < 0.7 else randrange(nfuncs)
        leaf = size == 1
        w = randrange(1, 60) if leaf else (randrange(0, 8) if rand() < 0.3 else 0)
        node = add(parent, f, w, w)
        split(node, size - 1)
    desc = {'title': 'random-%d.folded' % nodes, 'kind': 'sampled', 'unit': 'samples', 'count': 'samples',
            'weights': 'int'}
    return desc, tree


def main(argv):
    if len(argv) < 4:
        sys.stderr.write(__doc__)
        return 2
    web_dir, out = argv[1], argv[2]
    args = argv[3:]
    opts = {'--nodes': '1000000', '--seed': '1'}
    mode = None
    while args:
        a = args.pop(0)
        if a in ('--json', '--gen'):
            mode = (a, args.pop(0))
        elif a in opts:
            opts[a] = args.pop(0)
        else:
            sys.stderr.write('make_page: unknown argument %s\n' % a)
            return 2
    if mode is None:
        sys.stderr.write(__doc__)
        return 2
    if mode[0] == '--json':
        with open(mode[1], encoding='utf-8') as f:
            desc = json.load(f)
        tree = from_json(desc)
    else:
        kind = mode[1]
        if kind == 'random':
            desc, tree = gen_random(int(opts['--nodes']), int(opts['--seed']))
        elif kind == 'diff':
            desc, tree = gen_diff()
        elif kind in ('basic', 'hostile', 'estimated', 'bytes', 'deep'):
            desc = globals()['gen_' + kind]()
            tree = from_json(desc)
        else:
            sys.stderr.write('make_page: unknown kind %s\n' % kind)
            return 2
    text = page(web_dir, desc, tree)
    with open(out, 'w', encoding='utf-8') as f:
        f.write(text)
    tot = tree.totals()
    print(json.dumps({'nodes': len(tree.parent), 'total': tot[0], 'bytes': len(text.encode('utf-8'))}))
    return 0


if __name__ == '__main__':
    sys.exit(main(sys.argv))

#!/usr/bin/env python3
"""Tests of `profview callgraph` (docs/profview-callgraph.md).

    python3 tests/callgraph/test_callgraph.py PROFVIEW TESTS_DIR

TESTS_DIR is the repository's tests/ folder (fixtures are read from
golden/fixtures, diff/fixtures, sampled/fixtures and callgraph/fixtures).

Everything expected is computed here, from the documented rules, never from
profview's earlier output:

* .prof files are read by pstats itself (tests/callgraph/pstats_dump.py, run by
  the Python that wrote the file: 2.7 for py27-*, 3.X for py3X-*, whose
  marshal alone loads its `profile` files' code objects); folded stacks by
  tests/merge/pvtest.py's reader (or here, bytes kept, for non-UTF-8 ones).
* shares, labels, pruning (thresholds, --root, --leaf, --depth and the counts
  in the graph's note), gprof2dot's colour maps and sizes, --diff colours and
  changes are implemented here from the document and gprof2dot's rules.
* profview's DOT is parsed by Graphviz itself: `dot -Tjson` (libcgraph reads
  the DOT; the label lines are the texts Graphviz lays out, after its own
  unescaping). Graphs of hundreds of nodes are laid out with `-Kosage`, which
  parses the same DOT many times faster than `dot`'s layout.

Prints one FAIL line per failed check and `callgraph: N passed, M failed,
K skipped`; exits 1 on any failure. Standard library only.
"""

import glob
import html
import json
import math
import os
import pty
import re
import shlex
import subprocess
import sys
import xml.dom.minidom
from fractions import Fraction

sys.dont_write_bytecode = True
HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(os.path.dirname(HERE), 'merge'))
from pvtest import Checks, Sandbox, read_folded, error_line, fixture_python  # noqa: E402

R = Checks('callgraph')
TESTS = None
SB = None
DB = None
TIMES = '\u00d7'
ELLIPSIS = '\u2026'

# ---------------------------------------------------------------------------
# Running profview and Graphviz


def show(argv):
    out = []
    for a in argv:
        a = str(a)
        if TESTS:
            a = a.replace(TESTS + os.sep, 'tests/')
        if SB:
            a = a.replace(SB.dir, '$TMP')
        out.append(shlex.quote(a) if len(a) < 200 else shlex.quote(a[:60] + '...'))
    return 'profview --db $TMP/store.db callgraph ' + ' '.join(out)


def pv(argv, db=None):
    """(rc, stdout bytes, stderr bytes) of profview --db DB callgraph ARGV."""
    return SB.run(db or DB, ['callgraph'] + [str(a) for a in argv])


def graphviz(data, fmt='json', engine=None):
    cmd = ['dot', '-T' + fmt] + (['-K' + engine] if engine else [])
    try:
        p = subprocess.run(cmd, input=data, stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=120)
    except OSError as exc:
        return -1, b'', str(exc).encode()
    except subprocess.TimeoutExpired:
        return -1, b'', b'timeout'
    return p.returncode, p.stdout, p.stderr


def ldraw_lines(obj):
    return [op['text'] for op in obj.get('_ldraw_', []) if op.get('op') == 'T']


def gv_unescape(s):
    """Graphviz's reading of a label or tooltip: a backslash pair is one
    backslash (escString), and HTML entities are decoded ('&amp;' -> '&')."""
    return html.unescape(gv_unbackslash(s))


def gv_unbackslash(s):
    """Graphviz's escString reading of a backslash pair: '\\\\' -> '\\'."""
    out = []
    i = 0
    while i < len(s):
        if s[i] == '\\' and i + 1 < len(s) and s[i + 1] == '\\':
            out.append('\\')
            i += 2
        else:
            out.append(s[i])
            i += 1
    return ''.join(out)


class Graph:
    """profview's DOT as Graphviz read it (from `dot -Tjson`)."""

    def __init__(self, js):
        self.js = js
        self.nodes = {}
        byid = {}
        for o in js.get('objects', []):
            if 'nodes' in o:          # a subgraph (profview writes none)
                continue
            byid[o['_gvid']] = o
            self.nodes[o['name']] = o
        self.edges = []
        for e in js.get('edges', []):
            self.edges.append((byid[e['tail']]['name'], byid[e['head']]['name'], e))
        self.note = ldraw_lines(js)

    def tooltip(self, name):
        t = self.nodes[name].get('tooltip')
        return None if t is None else gv_unescape(t)

    def by_tooltip(self):
        return {self.tooltip(n): n for n in self.nodes}

    def note_text(self):
        return '\n'.join(self.note)


def run_graph(argv, what, engine=None, db=None):
    """Runs profview (DOT out), parses with dot -Tjson; one check that both
    worked; returns (Graph or None, dot bytes)."""
    rc, out, err = pv(argv, db=db)
    if not R.ok(rc == 0, '%s: exit 0' % what, '%s\nexit %r: %s' % (show(argv), rc, err.decode('utf-8', 'replace')[:500])):
        return None, out
    grc, gout, gerr = graphviz(out, 'json', engine)
    if not R.ok(grc == 0 and not gerr.strip(), '%s: dot -Tjson reads the DOT silently' % what,
                '%s | dot -Tjson\nexit %r: %s' % (show(argv), grc, gerr.decode('utf-8', 'replace')[:500])):
        return None, out
    try:
        return Graph(json.loads(gout.decode('utf-8'))), out
    except Exception as exc:
        R.ok(False, '%s: dot -Tjson output is JSON' % what, '%s: %s' % (type(exc).__name__, exc))
        return None, out


# ---------------------------------------------------------------------------
# Text as profview is documented to show it

def shown(s):
    """Backslashes literal; control characters and undecodable bytes (lone
    surrogates U+DC80..U+DCFF, Python's surrogateescape) as \\xNN."""
    out = []
    for ch in s:
        c = ord(ch)
        if 0xDC80 <= c <= 0xDCFF:
            out.append('\\x%02x' % (c - 0xDC00))
        elif c < 0x20 or c == 0x7f:
            out.append('\\x%02x' % c)
        else:
            out.append(ch)
    return ''.join(out)


def elided_ok(got, full, limit, piece=None):
    """got is full (at most limit characters), or full shortened in the middle
    with one '…' to at most limit characters, keeping a head and a tail of at
    least piece characters (default limit / 4)."""
    if got == full:
        return len(full) <= limit
    piece = limit // 4 if piece is None else piece
    if got.count(ELLIPSIS) != 1 or len(got) > limit:
        return False
    head, tail = got.split(ELLIPSIS)
    return full.startswith(head) and full.endswith(tail) and len(head) >= piece and len(tail) >= piece


def label_matches(got, file, line, name):
    """The first label line for (file, line, name): module:line:name, the name
    shortened past 160 characters (the module shortened too when long)."""
    nm = shown(name)
    if file == '' or (file == '~' and line == 0):
        return elided_ok(got, nm, 160)
    mod = shown(module_of(file))
    sep = ':%d:' % line if line else ':'
    at = got.find(sep)
    while at >= 0:
        if elided_ok(got[:at], mod, 160, 10) and elided_ok(got[at + len(sep):], nm, 160):
            return True
        at = got.find(sep, at + 1)
    return False


CODE_ADDR = re.compile(r'(<code object .*? at )0x[0-9a-fA-F]+(, file ")')


def mask(s):
    return CODE_ADDR.sub(r'\g<1>0xADDRESS\2', s) if s else s


def module_of(file):
    base = file.rsplit('/', 1)[-1]
    if not base.startswith('<'):
        base = os.path.splitext(base)[0]
    return base


def label_name(file, line, name):
    """The first label line: module:line:name; built-ins and frames without a
    file by name (a line 0 is not shown)."""
    if file == '' or (file == '~' and line == 0):
        return shown(name)
    return shown(module_of(file)) + (':%d' % line if line else '') + ':' + shown(name)


# ---------------------------------------------------------------------------
# The expected graph

class Model:
    """kind 'cprofile' or 'sampled'. funcs: key -> dict(total, self, calls,
    tip, label, frac_total); edges: (a, b) -> dict(share, calls, frac)."""

    def __init__(self, kind):
        self.kind = kind
        self.funcs = {}
        self.edges = {}
        self.order = []
        self.denom = None


def load_pstats(path, strip=False):
    """[(file, line, name, cc, nc, tt, ct, [(cfile, cline, cname, value)]), display] via
    pstats itself; None when no Python can read the file here."""
    py = fixture_python(path)
    if py is None:
        return None
    prog = ('import sys, json, pstats\n'
            'sys.path.insert(0, sys.argv[1])\n'
            'import pstats_dump\n'
            'rows = pstats_dump.dump(sys.argv[2], sys.argv[3] == "strip")\n'
            'for r in rows:\n'
            '    k = (r[0], r[1], r[2])\n'
            '    r.append(pstats.func_std_string(k))\n'
            '    for c in r[7]:\n'
            '        if not isinstance(c[2], str): c[2] = str(c[2])\n'
            '    if not isinstance(r[2], str): r[2] = str(r[2])\n'
            '    r[8] = str(r[8])\n'
            'json.dump(rows, sys.stdout)\n')
    p = subprocess.run([py, '-c', prog, HERE, path, 'strip' if strip else 'no'],
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=120)
    if p.returncode != 0:
        raise RuntimeError('%s cannot read %s: %s' % (py, path, p.stderr.decode()[-500:]))
    rows = json.loads(p.stdout.decode('utf-8', 'surrogateescape'))
    for r in rows:          # a code object in a key: its repr holds an address
        r[2] = mask(r[2])
        r[8] = mask(r[8])
        for c in r[7]:
            c[2] = mask(c[2])
    return rows


def model_pstats(rows):
    m = Model('cprofile')
    sum_tt = math.fsum(r[5] for r in rows)
    max_ct = max(r[6] for r in rows)
    denom = max(sum_tt, max_ct)
    m.denom = denom
    keys = {}
    for r in rows:
        file, line, name, cc, nc, tt, ct, callers, disp = r
        key = (file, line, name)
        keys[key] = r
        m.funcs[key] = dict(total=ct / denom, self=(tt / sum_tt if sum_tt else 1.0), calls=nc,
                            tip=mask(shown(disp)), label=mask(label_name(file, line, name)),
                            order=len(m.funcs), disp=mask(disp))
    for r in rows:
        file, line, name, cc, nc, tt, ct = r[:7]
        for cf, cl, cn, v in r[7]:
            ck = (cf, cl, cn)
            if ck not in keys:
                continue
            if isinstance(v, list):
                ect = math.fsum(v[i + 3] for i in range(0, len(v), 4))
                calls = sum(v[i + 1] for i in range(0, len(v), 4))
            else:
                ratio = 1.0 if nc == 0 else min(1.0, max(0.0, v / nc))
                ect = ratio * ct
                calls = v
            m.edges[(ck, (file, line, name))] = dict(share=ect / denom, calls=calls)
    return m


FRAME_RE = re.compile(r'^(.+) \(([^(]+):([0-9]{1,15})\)$', re.S)


def frame_parts(text):
    """A folded frame 'name (file:line)' -> (file, line, name); else ('', 0, text)."""
    mm = FRAME_RE.match(text)
    if mm:
        return mm.group(2), int(mm.group(3)), mm.group(1)
    return '', 0, text


def model_stacks(stacks, exact=False):
    """stacks: {tuple of frame texts: weight}."""
    m = Model('sampled')
    total = math.fsum(stacks.values())
    ftotal = sum(Fraction(w) for w in stacks.values()) if exact else None
    m.denom = total
    tot, slf, ed = {}, {}, {}
    for st, w in stacks.items():
        for f in set(st):
            tot[f] = tot.get(f, 0) + w
        slf[st[-1]] = slf.get(st[-1], 0) + w
        for pair in set(zip(st, st[1:])):
            ed[pair] = ed.get(pair, 0) + w
    for f, w in tot.items():
        file, line, name = frame_parts(f)
        lab = label_name(file, line, name) if file else shown(f)
        m.funcs[f] = dict(total=w / total, self=slf.get(f, 0) / total, calls=None, tip=shown(f), label=lab,
                          order=0, disp=f, frac=(Fraction(w) / ftotal if exact else None))
    for pair, w in ed.items():
        m.edges[pair] = dict(share=w / total, calls=None, frac=(Fraction(w) / ftotal if exact else None))
    return m


def read_folded_bytes(path):
    """Folded stacks with undecodable bytes kept as surrogates."""
    stacks = {}
    with open(path, 'rb') as f:
        text = f.read().decode('utf-8', 'surrogateescape')
    for line in text.split('\n'):
        if not line.strip() or line.startswith('#'):
            continue
        stack, _, cnt = line.rpartition(' ')
        st = tuple(stack.split(';'))
        stacks[st] = stacks.get(st, 0) + float(cnt)
    return stacks


# ---------------------------------------------------------------------------
# Pruning, as docs/profview-callgraph.md orders it

def at_least(item, pct):
    """(kept, borderline): share >= PCT %, exactly when fractions are known."""
    if item.get('frac') is not None:
        return item['frac'] * 100 >= Fraction(pct), False
    s = item['total'] if 'total' in item else item['share']
    t = float(pct) / 100
    return s >= t, t > 0 and abs(s - t) <= 1e-12 * t


def bfs(starts, adj, limit=None):
    dist = {s: 0 for s in starts}
    frontier = list(starts)
    while frontier:
        nxt = []
        for u in frontier:
            if limit is not None and dist[u] >= limit:
                continue
            for v in adj.get(u, ()):
                if v not in dist:
                    dist[v] = dist[u] + 1
                    nxt.append(v)
        frontier = nxt
    return dist


def prune(m, n_pct='0.5', e_pct='0.1', roots=(), leaves=(), depth=None):
    """-> dict(nodes, edges, cut=dict(node, edge, root, leaf, depth), fuzzy=set of keys whose
    fate is within rounding of a threshold)."""
    fuzzy = set()
    nodes = set()
    for k, f in m.funcs.items():
        keep, border = at_least(f, n_pct)
        if border:
            fuzzy.add(k)
        if keep:
            nodes.add(k)
    cut = dict(node=len(m.funcs) - len(nodes), edge=0, root=0, leaf=0, depth=0)
    edges = set()
    for (a, b), e in m.edges.items():
        if a in nodes and b in nodes:
            keep, border = at_least(e, e_pct)
            if border:
                fuzzy.add((a, b))
            if keep:
                edges.add((a, b))
            else:
                cut['edge'] += 1

    def adj(es, rev=False):
        out = {}
        for a, b in es:
            if rev:
                a, b = b, a
            out.setdefault(a, []).append(b)
        return out

    def restrict(keep):
        return {(a, b) for a, b in edges if a in keep and b in keep}

    def matching(rxs):
        return {k for k in nodes if any(re.search(rx, m.funcs[k]['disp']) for rx in rxs)}

    if roots:
        start = matching(roots)
        keep = set(bfs(start, adj(edges)))
        cut['root'] = len(nodes) - len(keep)
        nodes, edges = keep, restrict(keep)
    if leaves:
        start = matching(leaves)
        keep = set(bfs(start, adj(edges, True)))
        cut['leaf'] = len(nodes) - len(keep)
        nodes, edges = keep, restrict(keep)
    if depth is not None:
        keep = None
        if roots:
            keep = set(bfs(matching(roots), adj(edges), depth))
        if leaves:
            kl = set(bfs(matching(leaves), adj(edges, True), depth))
            keep = kl if keep is None else keep & kl
        if keep is None:
            called = {b for a, b in edges if a != b}
            entries = nodes - called
            if not entries and nodes:
                entries = {max(nodes, key=lambda k: (m.funcs[k]['total'], m.funcs[k]['self']))}
            keep = set(bfs(entries, adj(edges), depth))
        cut['depth'] = len(nodes) - len(keep)
        nodes, edges = keep, restrict(keep)
    return dict(nodes=nodes, edges=edges, cut=cut, fuzzy=fuzzy)


# ---------------------------------------------------------------------------
# gprof2dot's colour maps (from the notes' formulas)

THEMES = {
    'color': dict(lo=(2 / 3, 0.80, 0.25), hi=(0.0, 1.0, 0.5), gamma=1.0, font=(10, 10), pen=(0.5, 4.0), filled=True),
    'pink': dict(lo=(0.0, 1.0, 0.90), hi=(0.0, 1.0, 0.5), gamma=2.2, font=(10, 10), pen=(0.5, 4.0), filled=True),
    'gray': dict(lo=(0.0, 0.0, 0.85), hi=(0.0, 0.0, 0.0), gamma=2.2, font=(10, 10), pen=(0.5, 4.0), filled=True),
    'bw': dict(lo=(0, 0, 0), hi=(0, 0, 0), gamma=2.2, font=(8, 24), pen=(0.1, 8.0), filled=True),
    'print': dict(lo=(0, 0, 0), hi=(0, 0, 0), gamma=2.2, font=(18, 30), pen=(0.1, 8.0), filled=False),
}


def hsl_rgb(h, s, l, gamma):
    h = h % 1.0
    s = min(max(s, 0.0), 1.0)
    l = min(max(l, 0.0), 1.0)
    m2 = l * (s + 1) if l <= 0.5 else l + s - l * s
    m1 = 2 * l - m2

    def hue(x):
        if x < 0:
            x += 1
        elif x > 1:
            x -= 1
        if 6 * x < 1:
            return m1 + (m2 - m1) * x * 6
        if 2 * x < 1:
            return m2
        if 3 * x < 2:
            return m1 + (m2 - m1) * (2 / 3 - x) * 6
        return m1

    return tuple(hue(x) ** gamma for x in (h + 1 / 3, h, h - 1 / 3))


def hexcolor(rgb):
    return '#' + ''.join('%02x' % (0 if c <= 0 else 255 if c >= 1 else int(255 * c + 0.5)) for c in rgb)


def theme_color(theme, w, skew=1.0):
    t = THEMES[theme]
    w = min(max(w, 0.0), 1.0)
    k = w if skew == 1 else (skew ** w - 1) / (skew - 1)
    hsl = [t['lo'][i] + k * (t['hi'][i] - t['lo'][i]) for i in range(3)]
    return hexcolor(hsl_rgb(hsl[0], hsl[1], hsl[2], t['gamma']))


def fontsize(theme, w):
    lo, hi = THEMES[theme]['font']
    return max(w * w * hi, lo)


def penwidth(theme, w):
    lo, hi = THEMES[theme]['pen']
    return max(w * hi, lo)


# the notes' own worked values: the reference above must give them
for _th, _w, _hex in (('color', 0, '#0d0d73'), ('color', 0.1, '#0d3b80'), ('color', 0.25, '#0c9393'),
                      ('color', 0.5, '#0ab60a'), ('color', 0.75, '#dada06'), ('color', 1, '#ff0000'),
                      ('pink', 0, '#ff9c9c'), ('pink', 0.5, '#ff2222'), ('pink', 1, '#ff0000'),
                      ('gray', 0, '#b2b2b2'), ('gray', 0.5, '#272727'), ('gray', 1, '#000000')):
    assert theme_color(_th, _w) == _hex, (_th, _w, theme_color(_th, _w), _hex)
assert theme_color('color', 0.1, 0.5) == '#0d4d84'


def color_close(got, want):
    """Same colour, allowing 1 in a channel (floating point at a rounding edge)."""
    if not (isinstance(got, str) and re.match(r'^#[0-9a-f]{6}$', got)):
        return False
    return all(abs(int(got[i:i + 2], 16) - int(want[i:i + 2], 16)) <= 1 for i in (1, 3, 5))


def hue_of(hexc):
    import colorsys
    r, g, b = (int(hexc[i:i + 2], 16) / 255 for i in (1, 3, 5))
    h, l, s = colorsys.rgb_to_hls(r, g, b)
    return h, l, s


# ---------------------------------------------------------------------------
# Comparing a graph with the model

def pct_ok(got, v, paren=False):
    """got is '%.2f%%' of v*100 (in parentheses if paren), allowing the last
    digit to go either way when v*100 sits within 1e-9 of a rounding edge."""
    cands = set()
    for k in (1 - 1e-9, 1.0, 1 + 1e-9):
        s = '%.2f%%' % (v * 100 * k)
        cands.add('(%s)' % s if paren else s)
    return got in cands


def compare(m, argv, what, sel, g, check_colors=True, theme='color', color_by='total', skew=1.0, dot=None):
    """Checks graph g against the model m pruned as sel says."""
    if g is None:
        return
    tips = {}
    dup = []
    for name in g.nodes:
        t = mask(g.tooltip(name))
        if t in tips:
            dup.append(t)
        tips[t] = name
    R.ok(not dup, '%s: tooltips are unique' % what, '\n'.join(map(repr, dup[:5])))
    want = {m.funcs[k]['tip']: k for k in sel['nodes']}
    fuzzy_tips = {m.funcs[k]['tip'] for k in sel['fuzzy'] if not isinstance(k, tuple) or k in m.funcs}
    missing = sorted(set(want) - set(tips) - fuzzy_tips)
    extra = sorted(set(tips) - set(want) - fuzzy_tips)
    R.ok(not missing and not extra, '%s: the functions shown (%d expected)' % (what, len(want)),
         '%s\nmissing: %s\nextra:   %s' % (show(argv), missing[:8], extra[:8]))
    # edges
    got_e = {}
    for a, b, e in g.edges:
        got_e[(mask(g.tooltip(a)), mask(g.tooltip(b)))] = e
    want_e = {(m.funcs[a]['tip'], m.funcs[b]['tip']): (a, b) for a, b in sel['edges']}
    fz = set()
    for k in sel['fuzzy']:
        if isinstance(k, tuple) and len(k) == 2 and k in m.edges:
            fz.add((m.funcs[k[0]]['tip'], m.funcs[k[1]]['tip']))
    for k in sel['fuzzy']:
        if k in m.funcs:
            t = m.funcs[k]['tip']
            fz.update(p for p in set(got_e) | set(want_e) if t in p)
    missing = sorted(set(want_e) - set(got_e) - fz)
    extra = sorted(set(got_e) - set(want_e) - fz)
    R.ok(not missing and not extra, '%s: the calls shown (%d expected)' % (what, len(want_e)),
         '%s\nmissing: %s\nextra:   %s' % (show(argv), missing[:6], extra[:6]))
    # node labels
    bad = []
    sample = m.kind == 'cprofile'
    for t, name in tips.items():
        if t not in want:
            continue
        f = m.funcs[want[t]]
        lines = [mask(x) for x in ldraw_lines(g.nodes[name])]
        exp_n = 4 if f['calls'] is not None else 3
        ok = (len(lines) >= exp_n and lines[0] == f['label'] and pct_ok(lines[1], f['total'])
              and pct_ok(lines[2], f['self'], True)
              and (f['calls'] is None or lines[3] == '%d%s' % (f['calls'], TIMES)))
        if '--diff' not in argv:
            ok = ok and len(lines) == exp_n
        if not ok:
            bad.append('%s: got %r, want %r %.4f%% (%.4f%%) %s' % (t, lines, f['label'], f['total'] * 100,
                                                                    f['self'] * 100, f['calls']))
    R.ok(not bad, '%s: node labels (name, total %%, (self %%)%s)' % (what, ', calls' if sample else ''),
         show(argv) + '\n' + '\n'.join(bad[:6]))
    # edge labels
    bad = []
    for p, (a, b) in want_e.items():
        e = got_e.get(p)
        if e is None:
            continue
        want_ed = m.edges[(a, b)]
        lines = ldraw_lines(e)
        ok = (len(lines) == (2 if want_ed['calls'] is not None else 1) and pct_ok(lines[0], want_ed['share'])
              and (want_ed['calls'] is None or lines[1] == '%d%s' % (want_ed['calls'], TIMES)))
        if not ok:
            bad.append('%s -> %s: got %r, want %.4f%% %s' % (p[0], p[1], lines, want_ed['share'] * 100,
                                                           want_ed['calls']))
    R.ok(not bad, '%s: call labels (total %%%s)' % (what, ', calls' if sample else ''),
         show(argv) + '\n' + '\n'.join(bad[:6]))
    # the note
    note = g.note_text()
    mm = re.search(r'Shown: (\d+) of (\d+) functions, (\d+) of (\d+) calls', note)
    cut = sel['cut']
    got_cut = dict(node=None, edge=None, root=0, leaf=0, depth=0)
    for key, rx in (('node', r'pruned: (\d+) functions below the node threshold'),
                    ('edge', r'(\d+) calls below the edge threshold'),
                    ('root', r'(\d+) not reached from --root'), ('leaf', r'(\d+) not reaching --leaf'),
                    ('depth', r'(\d+) beyond --depth')):
        x = re.search(rx, note)
        if x:
            got_cut[key] = int(x.group(1))
    if not sel['fuzzy']:
        want_nums = (len(sel['nodes']), len(m.funcs), len(sel['edges']), len(m.edges))
        R.ok(mm is not None and tuple(int(x) for x in mm.groups()) == want_nums,
             '%s: note "Shown: %d of %d functions, %d of %d calls"' % ((what,) + want_nums),
             '%s\nnote: %r' % (show(argv), note))
        R.ok(got_cut == cut, '%s: note, what each pruning step removed' % what,
             '%s\ngot  %r\nwant %r\nnote: %r' % (show(argv), got_cut, cut, note))
    if m.kind == 'cprofile':
        x = re.search(r'100% = ([0-9.]+)(ns|us|\u00b5s|ms|s)\b', note)
        scale = {'ns': 1e-9, 'us': 1e-6, '\u00b5s': 1e-6, 'ms': 1e-3, 's': 1.0}
        R.ok(x is not None and abs(float(x.group(1)) * scale[x.group(2)] - m.denom) <= 0.0011 * m.denom,
             '%s: note "100%% = %.6gs"' % (what, m.denom), note)
    else:
        x = re.search(r'100% = ([0-9.]+)', note)
        R.ok(x is not None and abs(float(x.group(1)) - m.denom) <= 1e-6 * m.denom,
             '%s: note "100%% = %g"' % (what, m.denom), note)
    # numbering: heaviest first (total, then self)
    ranked = []
    for name, o in g.nodes.items():
        t = mask(g.tooltip(name))
        if t in want:
            f = m.funcs[want[t]]
            ranked.append((int(name) if name.isdigit() else -1, f['total'], f['self'], t))
    ranked.sort()
    ids = [r[0] for r in ranked]
    order_ok = ids == list(range(1, len(ids) + 1))
    for x, y in zip(ranked, ranked[1:]):
        if (x[1], x[2]) < (y[1], y[2]) and not (math.isclose(x[1], y[1], rel_tol=1e-12)
                                                  and math.isclose(x[2], y[2], rel_tol=1e-12, abs_tol=1e-15)):
            order_ok = False
    if len(ids) == len(g.nodes):
        R.ok(order_ok, '%s: nodes numbered 1..N heaviest first (total, then self)' % what,
             '\n'.join('%s %.6f %.6f %s' % r for r in ranked[:12]))
    if dot is not None:
        eorder = [(int(a), int(b)) for a, b in re.findall(rb'^\t(\d+) -> (\d+)\t', dot, re.M)]
        R.ok(eorder == sorted(eorder) and len(eorder) == len(g.edges),
             '%s: calls written by caller then callee' % what, repr(eorder[:20]))
    if check_colors:
        check_colours(m, argv, what, g, tips, want, got_e, want_e, theme, color_by, skew)


def check_colours(m, argv, what, g, tips, want, got_e, want_e, theme, color_by, skew):
    th = THEMES[theme]
    max_self = max([m.funcs[want[t]]['self'] for t in tips if t in want] or [0])
    bad = []
    for t, name in tips.items():
        if t not in want:
            continue
        f = m.funcs[want[t]]
        o = g.nodes[name]
        if color_by == 'self':
            w = f['self'] / max_self if max_self > 0 else 1.0
        else:
            w = f['total']
        c = theme_color(theme, w, skew)
        fc = '#ffffff' if th['filled'] else c
        fs = fontsize(theme, w)
        ok = (color_close(o.get('color'), c) and (o.get('fontcolor') == fc or color_close(o.get('fontcolor'), fc))
              and abs(float(o.get('fontsize', 'nan')) - fs) <= 0.0051 * max(1, fs / 10)
              and o.get('style') == ('filled' if th['filled'] else 'solid'))
        if not ok:
            bad.append('%s (w %.5f): got color %s fontcolor %s fontsize %s style %s; want %s %s %.2f' % (
                t, w, o.get('color'), o.get('fontcolor'), o.get('fontsize'), o.get('style'), c, fc, fs))
    R.ok(not bad, '%s: box colours and sizes (-c %s, --color-by %s, --skew %g)' % (what, theme, color_by, skew),
         show(argv) + '\n' + '\n'.join(bad[:6]))
    bad = []
    for p, (a, b) in want_e.items():
        e = got_e.get(p)
        if e is None:
            continue
        w = m.edges[(a, b)]['share']
        c = theme_color(theme, w, skew)
        pw = penwidth(theme, w)
        fl = lambda k: float(e.get(k, 'nan'))  # noqa: E731
        ok = (color_close(e.get('color'), c) and color_close(e.get('fontcolor'), c)
              and abs(fl('penwidth') - pw) <= 0.0051 and abs(fl('labeldistance') - pw) <= 0.0051
              and abs(fl('arrowsize') - 0.5 * math.sqrt(pw)) <= 0.0051
              and abs(fl('fontsize') - fontsize(theme, w)) <= 0.0051 * max(1, fontsize(theme, w) / 10))
        if not ok:
            bad.append('%s -> %s (w %.5f): got %r; want color %s penwidth %.2f arrowsize %.2f' % (
                p[0], p[1], w, {k: e.get(k) for k in ('color', 'fontcolor', 'penwidth', 'labeldistance',
                                                      'arrowsize', 'fontsize')}, c, pw, 0.5 * math.sqrt(pw)))
    R.ok(not bad, '%s: arrow colours and sizes (-c %s, --skew %g)' % (what, theme, skew),
         show(argv) + '\n' + '\n'.join(bad[:6]))


# ---------------------------------------------------------------------------
# Groups

def golden(name):
    return os.path.join(TESTS, 'golden', 'fixtures', name)


def fixture(*parts):
    return os.path.join(TESTS, *parts)


CPROFILE_FILES = ['py27-cprofile.prof', 'py27-profile.prof', 'py36-profile.prof', 'py39-cprofile.prof',
                  'py312-cprofile.prof', 'py313-profile.prof']


def group_cprofile():
    files = [golden(f) for f in CPROFILE_FILES] + sorted(glob.glob(fixture('diff', 'fixtures', '*.prof')))
    for path in files:
        rows = load_pstats(path)
        if rows is None:
            R.skip('%s: no Python here reads it' % os.path.basename(path), 1)
            continue
        m = model_pstats(rows)
        base = os.path.basename(path)
        heavy = len(m.funcs) > 120
        for opts in ([], ['-n', '0', '-e', '0'], ['-n', '5', '-e', '1']):
            argv = [path] + opts
            g, dotb = run_graph(argv, '%s %s' % (base, ' '.join(opts)), 'osage' if heavy and opts else None)
            sel = prune(m, *(opts[1::2] if opts else ()))
            compare(m, argv, '%s %s' % (base, ' '.join(opts) or '(defaults)'), sel, g, check_colors=not opts, dot=dotb)
        # --strip-dirs: pstats' strip_dirs() merging, then the same rules
        srows = load_pstats(path, strip=True)
        sm = model_pstats(srows)
        argv = [path, '--strip-dirs', '-n', '0.2', '-e', '0.05']
        g, dotb = run_graph(argv, '%s --strip-dirs' % base, 'osage' if heavy else None)
        compare(sm, argv, '%s --strip-dirs -n 0.2 -e 0.05' % base, prune(sm, '0.2', '0.05'), g, check_colors=False, dot=dotb)


def sampled_files():
    return (sorted(glob.glob(fixture('sampled', 'fixtures', '*.folded')))
            + sorted(glob.glob(fixture('diff', 'fixtures', '*.folded'))))


def group_sampled():
    for path in sampled_files():
        m = model_stacks(read_folded(path))
        base = os.path.basename(path)
        heavy = len(m.funcs) > 120
        for opts in ([], ['-n', '0', '-e', '0'], ['-n', '2', '-e', '1']):
            argv = [path] + opts
            g, dotb = run_graph(argv, '%s %s' % (base, ' '.join(opts)), 'osage' if heavy and opts else None)
            compare(m, argv, '%s %s' % (base, ' '.join(opts) or '(defaults)'), prune(m, *(opts[1::2] if opts else ())),
                    g, check_colors=not opts, dot=dotb)
    # hand-written stacks: recursion, mutual recursion, shares exactly at the thresholds
    for name in ('recursion.folded', 'cycles.folded', 'boundary.folded', 'allcycle.folded', 'tree.folded'):
        path = fixture('callgraph', 'fixtures', name)
        m = model_stacks(read_folded(path), exact=True)
        for opts in ([], ['-n', '0', '-e', '0'], ['-n', '20', '-e', '10']):
            argv = [path] + opts
            g, dotb = run_graph(argv, '%s %s' % (name, ' '.join(opts)))
            compare(m, argv, '%s %s' % (name, ' '.join(opts) or '(defaults)'), prune(m, *(opts[1::2] if opts else ())), g, dot=dotb)
            if g is None:
                continue
            # never more than 100 %, an arrow never heavier than either end
            worst = []
            for a, b, e in g.edges:
                ea = ldraw_lines(e)[0]
                for n in (a, b):
                    na = ldraw_lines(g.nodes[n])[1]
                    if float(ea.rstrip('%')) > float(na.rstrip('%')):
                        worst.append('%s -> %s %s > %s' % (g.tooltip(a), g.tooltip(b), ea, na))
            for n in g.nodes:
                if float(ldraw_lines(g.nodes[n])[1].rstrip('%')) > 100:
                    worst.append('%s over 100%%' % g.tooltip(n))
            R.ok(not worst, '%s %s: no box over 100%%, no arrow heavier than its ends' % (name, ' '.join(opts)),
                 '\n'.join(worst[:5]))
    # the documented boundary: exactly PCT stays
    path = fixture('callgraph', 'fixtures', 'boundary.folded')
    g, dotb = run_graph([path], 'boundary.folded')
    if g:
        tips = set(g.by_tooltip())
        R.ok('at' in tips and 'below' not in tips, 'boundary.folded: a function at exactly 0.5 %% stays, 0.4 %% goes',
             sorted(tips))
        pairs = {(g.tooltip(a), g.tooltip(b)) for a, b, e in g.edges}
        R.ok(('mid', 'edge1') in pairs, 'boundary.folded: a call at exactly 0.1 % stays', sorted(pairs))


def tree_cases():
    t = fixture('callgraph', 'fixtures', 'tree.folded')
    c = fixture('callgraph', 'fixtures', 'cycles.folded')
    a = fixture('callgraph', 'fixtures', 'allcycle.folded')
    r = fixture('callgraph', 'fixtures', 'recursion.folded')
    return [
        (t, dict(roots=['^a$'])), (t, dict(roots=['^a$'], depth=1)), (t, dict(roots=['^a$'], depth=0)),
        (t, dict(roots=['^b$', '^h$'])), (t, dict(leaves=['^f$'])), (t, dict(leaves=['^f$'], depth=1)),
        (t, dict(roots=['^b$'], leaves=['^f$'])), (t, dict(roots=['^r$'], leaves=['^c$'], depth=2)),
        (t, dict(depth=0)), (t, dict(depth=1)), (t, dict(depth=2)),
        (t, dict(roots=['^a$'], n='20')), (t, dict(leaves=['^d$'], e='40')),
        (c, dict(roots=['^b$'])), (c, dict(roots=['^c$'], depth=1)), (c, dict(depth=1)), (c, dict(depth=2)),
        (c, dict(leaves=['^x$'])), (c, dict(leaves=['^y$'], depth=2)),
        (a, dict(depth=0)), (a, dict(depth=1)), (a, dict(roots=['^c$'])), (a, dict(leaves=['^c$'], depth=0)),
        (r, dict(roots=['^b$'])), (r, dict(leaves=['^c$'])), (r, dict(depth=1)),
    ]


def run_pruned(path, m, spec, label):
    argv = [path]
    n, e = spec.get('n', '0.5'), spec.get('e', '0.1')
    if 'n' in spec:
        argv += ['-n', n]
    if 'e' in spec:
        argv += ['-e', e]
    for rx in spec.get('roots', ()):
        argv += ['--root', rx]
    for rx in spec.get('leaves', ()):
        argv += ['--leaf', rx]
    if spec.get('depth') is not None:
        argv += ['--depth', spec['depth']]
    sel = prune(m, n, e, spec.get('roots', ()), spec.get('leaves', ()), spec.get('depth'))
    g, dotb = run_graph(argv, label + ' ' + ' '.join(map(str, argv[1:])), 'osage' if len(sel['nodes']) > 120 else None)
    compare(m, argv, label + ' ' + ' '.join(map(str, argv[1:])), sel, g, check_colors=False, dot=dotb)
    return sel


def group_pruning():
    for path, spec in tree_cases():
        m = model_stacks(read_folded(path), exact=True)
        run_pruned(path, m, spec, os.path.basename(path))
    # a regex that matches nothing is an error, not an empty graph
    t = fixture('callgraph', 'fixtures', 'tree.folded')
    for opt in ('--root', '--leaf'):
        rc, out, err = pv([t, opt, 'nomatch'])
        R.ok(rc == 1 and err.count(b'\n') == 1 and b"no function matches %s 'nomatch'" % opt.encode() in err,
             'tree.folded %s nomatch: exit 1, one error line' % opt, 'exit %d %r' % (rc, err))
    # folded frames with files: regexes search the display name, name (file:line)
    path = fixture('diff', 'fixtures', 'before.folded')
    m = model_stacks(read_folded(path))
    for spec in (dict(roots=[r'^main \(']), dict(roots=[r'^tokenize \(.*workload\.py:\d+\)$'], depth=0),
                 dict(leaves=[r'^fib ']), dict(roots=[r'^main \('], leaves=[r'^checksum'], depth=1)):
        sel = run_pruned(path, m, spec, 'before.folded')
        R.ok(len(sel['nodes']) > 0, 'before.folded %r: the case selects something' % spec)
    # cProfile: regexes search file:line(name)
    for f in ('py312-cprofile.prof', 'py27-cprofile.prof'):
        path = golden(f)
        rows = load_pstats(path)
        if rows is None:
            R.skip('%s: no Python here reads it' % f, 6)
            continue
        m = model_pstats(rows)
        for spec in (dict(roots=[r'workload\.py:\d+\(main\)$']), dict(roots=[r'workload\.py:\d+\(main\)$'], depth=2),
                     dict(leaves=[r'\((fib|hanoi)\)$']),
                     dict(leaves=[r'encoder\.py:\d+\(encode\)$'], depth=1), dict(depth=3),
                     dict(roots=[r'workload\.py:\d+\(main\)$'], leaves=[r'json'], n='1', e='0.5')):
            sel = run_pruned(path, m, spec, f)
            R.ok(len(sel['nodes']) > 1, '%s %r: the case selects something' % (f, spec))


def check_hostile_graph(argv, expect, what):
    """expect: {tooltip text: (file, line, name)}; checks DOT, SVG (dot and -T svg)
    and the texts Graphviz shows."""
    rc, out, err = pv(argv)
    if not R.ok(rc == 0, '%s: exit 0' % what, '%s\nexit %r: %s' % (show(argv), rc, err[:400])):
        return
    for fmt in ('svg', 'json'):
        grc, gout, gerr = graphviz(out, fmt)
        R.ok(grc == 0 and not gerr.strip(), '%s: dot -T%s accepts the DOT with nothing on stderr' % (what, fmt),
             'exit %r: %s' % (grc, gerr.decode('utf-8', 'replace')[:600]))
        if fmt == 'json' and grc == 0:
            g = Graph(json.loads(gout.decode('utf-8')))
    got = {}
    for name in g.nodes:
        got[g.tooltip(name)] = ldraw_lines(g.nodes[name])[:1]
    bad_tip = []
    bad_label = []
    for tip, lab in expect.items():
        hit = tip if tip in got else None
        if hit is None and len(tip) > 4000:
            hit = next((t for t in got if t is not None and elided_ok(t, tip, 4000)), None)
        if hit is None:
            bad_tip.append('no node with tooltip %r' % tip[:300])
            continue
        first = (got[hit] or [''])[0]
        if not label_matches(first, *lab):
            bad_label.append('%r: shown %r, want %r' % (tip[:120], first[:300], label_name(*lab)[:300]))
    R.ok(not bad_tip, '%s: every tooltip (after Graphviz unescaping) is the full name' % what, '\n'.join(bad_tip[:8]))
    R.ok(not bad_label, '%s: every label\'s first line, as Graphviz shows it, is the name' % what,
         '\n'.join(bad_label[:8]))
    # in-process SVG: well-formed, and each box's tooltip and first text line
    rc, svg, err = pv(argv + ['-T', 'svg'])
    if not R.ok(rc == 0, '%s -T svg: exit 0' % what, err[:300]):
        return
    try:
        doc = xml.dom.minidom.parseString(svg)
    except Exception as exc:
        R.ok(False, '%s -T svg: well-formed XML' % what, str(exc))
        return
    R.ok(True, '%s -T svg: well-formed XML' % what)
    seen = {}
    for gel in doc.getElementsByTagName('g'):
        if gel.getAttribute('class') != 'node':
            continue
        anchors = gel.getElementsByTagName('a')
        texts = gel.getElementsByTagName('text')
        tip = anchors[0].getAttribute('xlink:title') if anchors else None
        first = ''.join(n.data for n in texts[0].childNodes if n.nodeType == n.TEXT_NODE) if texts else ''
        seen[tip] = first
    bad = []
    skipped = []
    for tip, lab in expect.items():
        if re.search(r'\\[NGLEHT]', tip):
            # Graphviz 2.43 expands \N \G \L ... in SVG tooltips a second time,
            # after reading the escaped backslash: not profview's to fix
            skipped.append(tip)
            continue
        hit = tip if tip in seen else next((t for t in seen if t and len(tip) > 4000 and elided_ok(t, tip, 4000)), None)
        if hit is None:
            bad.append('no SVG box with tooltip %r' % tip[:200])
        elif not label_matches(seen[hit], *lab):
            bad.append('%r: SVG text %r, want %r' % (tip[:100], seen[hit][:300], label_name(*lab)[:300]))
    R.ok(not bad, '%s -T svg: tooltips and first text lines as the names' % what, '\n'.join(bad[:8]))
    if skipped:
        R.skip('%s -T svg: tooltip of %d name(s) with \\N/\\G/\\L... (Graphviz 2.43 expands them in SVG tooltips)'
               % (what, len(skipped)))


def group_hostile():
    fx = fixture('callgraph', 'fixtures')
    for name in ('hostile_names.prof', 'hostile_files.prof'):
        path = os.path.join(fx, name)
        rows = load_pstats(path)
        expect = {}
        for r in rows:
            expect[shown(r[8])] = (r[0], r[1], r[2])
        check_hostile_graph([path, '-n', '0', '-e', '0'], expect, name)
        check_hostile_graph([path, '-n', '0', '-e', '0', '--strip-dirs'],
                            {shown(r[8]): (r[0], r[1], r[2]) for r in load_pstats(path, True)},
                            name + ' --strip-dirs')
    path = os.path.join(fx, 'hostile.folded')
    stacks = read_folded_bytes(path)
    expect = {}
    for st in stacks:
        for f in st:
            file, line, nm = frame_parts(f)
            expect[shown(f)] = (file, line, nm) if file else ('', 0, f)
    check_hostile_graph([path, '-n', '0', '-e', '0'], expect, 'hostile.folded')
    # and the numbers, bytes and all
    m = model_stacks(stacks)
    argv = [path, '-n', '0', '-e', '0']
    g, dotb = run_graph(argv, 'hostile.folded numbers')
    compare(m, argv, 'hostile.folded -n 0 -e 0', prune(m, '0', '0'), g, dot=dotb)
    # a title is text too
    argv = [path, '--title', 'T "q" \\N <b>&amp; \n x']
    g, dotb = run_graph(argv, 'hostile.folded --title')
    if g:
        R.ok(g.note[:1] == ['T "q" \\N <b>&amp; \\x0a x'], 'hostile.folded --title: the note\'s first line is the title',
             repr(g.note[:2]))


def group_determinism():
    path = golden('py312-cprofile.prof')
    db2 = SB.path('det.db')
    outs = []
    for db in (DB, db2, db2):
        rc, out, err = pv([path], db=db)
        outs.append(out)
    R.ok(outs[0] == outs[1] == outs[2] and outs[0], 'determinism: the same .prof gives the same DOT bytes '
         '(fresh store, new store, warm store)')
    ids = SB.run(db2, ['list', '--format', 'json'])[1]
    try:
        pid = str(json.loads(ids.decode())[0]['id'])
    except Exception:
        pid = None
    if pid:
        rc, out, err = pv([pid], db=db2)
        R.ok(out == outs[0], 'determinism: by id, the same DOT bytes')
    for p, extra in ((fixture('sampled', 'fixtures', 'py_sampled.folded'), []),
                     (fixture('diff', 'fixtures', 'after.prof'), ['--diff', fixture('diff', 'fixtures', 'before.prof')])):
        a = pv([p, '-T', 'svg'] + extra)[1]
        b = pv([p, '-T', 'svg'] + extra, db=SB.path('det2.db'))[1]
        R.ok(a == b and a.startswith(b'<?xml'), 'determinism: %s -T svg twice, identical bytes' % os.path.basename(p))
        a = pv([p] + extra)[1]
        b = pv([p] + extra, db=SB.path('det3.db'))[1]
        R.ok(a == b and a, 'determinism: %s DOT twice, identical bytes' % os.path.basename(p))


def group_formats():
    path = fixture('diff', 'fixtures', 'after.prof')
    rc, out, err = pv([path, '-T', 'svg'])
    try:
        xml.dom.minidom.parseString(out)
        okx = True
    except Exception:
        okx = False
    R.ok(rc == 0 and okx and b'<svg' in out, '-T svg: an SVG minidom parses', err[:300])
    rc, out, err = pv([path, '-T', 'png', '-o', '-'])
    R.ok(rc == 0 and out.startswith(b'\x89PNG\r\n\x1a\n'), '-T png: PNG signature', err[:300])
    rc, out, err = pv([path, '-T', 'json'])
    try:
        json.loads(out.decode())
        okj = True
    except Exception:
        okj = False
    R.ok(rc == 0 and okj, '-T json (Graphviz JSON, in-process): parses')
    rc, out, err = pv([path, '-T', 'dot'])
    rc2, out2, err2 = pv([path])
    R.ok(rc == 0 and out == out2 and out.startswith(b'digraph'), '-T dot is the default')
    # -o: written whole, nothing else left
    od = SB.path('outdir')
    os.makedirs(od, exist_ok=True)
    target = os.path.join(od, 'g.svg')
    rc, out, err = pv([path, '-T', 'svg', '-o', target])
    ok = rc == 0 and out == b'' and os.path.exists(target)
    if ok:
        with open(target, 'rb') as f:
            data = f.read()
        ok = data == pv([path, '-T', 'svg'])[1]
    R.ok(ok, '-o FILE: the file holds what stdout would', err[:300])
    R.ok(sorted(os.listdir(od)) == ['g.svg'], '-o FILE: no temporary file left', sorted(os.listdir(od)))
    rc, out, err = pv([path, '-T', 'bogus', '-o', os.path.join(od, 'bad.out')])
    R.ok(rc == 1 and error_line(err), '-T bogus: exit 1 with one error: line',
         'exit %r: %r' % (rc, err[:300]))
    R.ok(sorted(os.listdir(od)) == ['g.svg'], '-T bogus -o FILE: no file left', sorted(os.listdir(od)))
    with open(target, 'rb') as f:
        before = f.read()
    rc, out, err = pv([path, '-T', 'bogus', '-o', target])
    with open(target, 'rb') as f:
        after = f.read()
    R.ok(rc == 1 and before == after and sorted(os.listdir(od)) == ['g.svg'],
         '-T bogus -o EXISTING: the file is left as it was, nothing else appears', sorted(os.listdir(od)))
    rc, out, err = pv([SB.path('nosuch.prof'), '-o', os.path.join(od, 'x.dot')])
    R.ok(rc == 1 and error_line(err) and sorted(os.listdir(od)) == ['g.svg'],
         'missing PROFILE -o FILE: exit 1, one error: line, no file', 'exit %r %r %r' % (rc, err[:200], os.listdir(od)))
    rc, out, err = pv([path, '-o', os.path.join(od, 'nodir', 'x.dot')])
    R.ok(rc == 1 and error_line(err), '-o into a missing folder: exit 1, one error: line', 'exit %r %r' % (rc, err[:200]))
    # usage errors: exit 2
    for bad in (['-n', 'abc'], ['-n', '-1'], ['-e', 'x'], ['--depth', '-1'], ['--depth', 'two'], ['-c', 'rainbow'],
                ['--color-by', 'calls'], ['--skew', '0'], ['--skew', '-1'], ['--normalize'], ['--bogus'],
                ['-T', 'svg;rm'], ['-T', ''], [path], ['--root', '('], ['-n', '101'], ['-e', '100.5'],
                ['--root'], ['-n']):
        argv = [path] + bad
        rc, out, err = pv(argv)
        R.ok(rc == 2 and out == b'', 'usage error %s: exit 2, nothing on stdout' % ' '.join(bad),
             '%s\nexit %r: %r' % (show(argv), rc, err[:300]))
    rc, out, err = pv(['--help'])
    R.ok(rc == 0 and b'callgraph' in out, 'callgraph --help: exit 0, usage on stdout')
    # a binary format to a terminal is refused
    master, slave = pty.openpty()
    try:
        p = subprocess.run([SB.profview, '--db', DB, 'callgraph', path, '-T', 'png'], stdout=slave,
                           stderr=subprocess.PIPE, env=SB.env, cwd=SB.dir, timeout=60)
        R.ok(p.returncode == 2, '-T png to a terminal: refused (exit 2)', 'exit %r %r' % (p.returncode, p.stderr[:200]))
    finally:
        os.close(master)
        os.close(slave)
    # every colour map gives DOT dot reads silently, with the map's colours
    m = model_pstats(load_pstats(path))
    for cmap in ('color', 'pink', 'gray', 'bw', 'print'):
        argv = [path, '-c', cmap]
        g, dotb = run_graph(argv, '-c %s' % cmap)
        compare(m, argv, 'after.prof -c %s' % cmap, prune(m), g, theme=cmap, dot=dotb)
    for argv, kw in (([path, '--color-by', 'self'], dict(color_by='self')),
                     ([path, '--skew', '0.5'], dict(skew=0.5)), ([path, '--skew', '3', '-c', 'pink'], dict(skew=3.0, theme='pink'))):
        g, dotb = run_graph(argv, ' '.join(argv[1:]))
        compare(m, argv, 'after.prof ' + ' '.join(argv[1:]), prune(m), g, **kw, dot=dotb)
    # the two ends of the color map, in profview's own output: in cycles.folded
    # main is on every stack (100 %) and never the leaf (no self time)
    p = fixture('callgraph', 'fixtures', 'cycles.folded')
    g, dotb = run_graph([p, '--color-by', 'self'], 'cycles.folded --color-by self')
    if g:
        R.eq(g.nodes[g.by_tooltip()['main']].get('color'), '#0d0d73',
             'color map at weight 0 (--color-by self, main: no self time): #0d0d73')
    g, dotb = run_graph([p], 'cycles.folded')
    if g:
        R.eq(g.nodes[g.by_tooltip()['main']].get('color'), '#ff0000', 'color map at weight 1 (main: 100 %): #ff0000')


def group_diff():
    fx = fixture('diff', 'fixtures')
    before = model_pstats(load_pstats(os.path.join(fx, 'before.prof')))
    after = model_pstats(load_pstats(os.path.join(fx, 'after.prof')))
    for norm in (False, True):
        argv = [os.path.join(fx, 'after.prof'), '--diff', os.path.join(fx, 'before.prof'), '-n', '0', '-e', '0']
        if norm:
            argv.append('--normalize')
        what = 'after.prof --diff before.prof' + (' --normalize' if norm else '')
        g, dotb = run_graph(argv, what)
        if g is None:
            continue
        k = after.denom / before.denom if norm else 1.0
        compare(after, argv, what, prune(after, '0', '0'), g, check_colors=False, dot=dotb)
        check_diff(g, after, before, k, what)
    # folded pair
    b = model_stacks(read_folded(os.path.join(fx, 'before.folded')))
    a = model_stacks(read_folded(os.path.join(fx, 'after.folded')))
    argv = [os.path.join(fx, 'after.folded'), '--diff', os.path.join(fx, 'before.folded'), '-n', '0', '-e', '0']
    g, dotb = run_graph(argv, 'after.folded --diff before.folded')
    if g:
        compare(a, argv, 'after.folded --diff before.folded', prune(a, '0', '0'), g, check_colors=False, dot=dotb)
        check_diff(g, a, b, 1.0, 'after.folded --diff before.folded')
    # units differ (samples against seconds): BASE is scaled, and profview says so
    argv = [os.path.join(fx, 'after.folded'), '--diff', os.path.join(fx, 'before.prof')]
    rc, out, err = pv(argv)
    R.ok(rc == 0 and b'note:' in err and b'scaled' in err,
         'after.folded --diff before.prof: exit 0, a note that BASE was scaled', 'exit %r: %r' % (rc, err[:300]))
    grc, gout, gerr = graphviz(out, 'json')
    R.ok(grc == 0 and not gerr.strip(), 'after.folded --diff before.prof: dot reads the DOT silently', gerr[:300])


def check_diff(g, new, base, k, what):
    """Colours and the change line of each box against BASE (scaled by k)."""
    tips = {mask(g.tooltip(n)): n for n in g.nodes}
    base_by_tip = {f['tip']: f for f in base.funcs.values()}
    bad_new, bad_hue, bad_pct = [], [], []
    changes = []
    for key, f in new.funcs.items():
        name = tips.get(f['tip'])
        if name is None:
            continue
        o = g.nodes[name]
        lines = ldraw_lines(o)
        col = o.get('color', '')
        bf = base_by_tip.get(f['tip'])
        if bf is None:
            if lines[-1:] != ['new: not in BASE']:
                bad_new.append('%s: %r' % (f['tip'], lines))
            h, l, s = hue_of(col)
            if not (0.7 < h < 0.9) or l > 0.6:
                bad_hue.append('%s (new): %s is not purple' % (f['tip'], col))
            continue
        now = f['total'] * new.denom
        was = bf['total'] * base.denom * k
        change = now - was
        changes.append((abs(change), change, f['tip'], col))
        if was > 0:
            pct = (now - was) / was * 100
            cands = {'%+.1f%%' % (pct * (1 + d)) for d in (-1e-9, 0, 1e-9)}
            if not any(lines[-1].startswith(c + ' (') for c in cands):
                bad_pct.append('%s: %r, want %s' % (f['tip'], lines[-1], sorted(cands)))
        h, l, s = hue_of(col)
        if abs(change) > 1e-12 * max(now, was):
            red = h < 0.02 or h > 0.98
            blue = abs(h - 2 / 3) < 0.02
            if (change > 0 and not red) or (change < 0 and not blue):
                bad_hue.append('%s: %s -> %s, colour %s (hue %.3f)' % (f['tip'], was, now, col, h))
    R.ok(not bad_new, '%s: boxes only in NEW say "new: not in BASE"' % what, '\n'.join(bad_new[:6]))
    R.ok(not bad_hue, '%s: slower red, faster blue, new purple' % what, '\n'.join(bad_hue[:6]))
    R.ok(not bad_pct, '%s: the "+x.x%% (before -> after)" line' % what, '\n'.join(bad_pct[:6]))
    R.ok(any(c > 0 for _, c, _, _ in changes) and any(c < 0 for _, c, _, _ in changes),
         '%s: the case has both slower and faster functions' % what)
    if changes:
        changes.sort(reverse=True)
        top = changes[0]
        light = hue_of(top[3])[1]
        others = [hue_of(c[3])[1] for c in changes[1:]]
        R.ok(all(light <= x + 1e-9 for x in others), '%s: the largest change has the strongest colour' % what,
             '%s %s lightness %.3f vs %s' % (top[2], top[3], light, sorted(others)[:3]))
    note = g.note_text()
    R.ok('colour: change against BASE' in note or 'change against BASE' in note,
         '%s: the note says the colours show the change' % what, note)


# ---------------------------------------------------------------------------

def main():
    global TESTS, SB, DB
    if len(sys.argv) < 3:
        print('usage: %s PROFVIEW TESTS_DIR' % sys.argv[0], file=sys.stderr)
        return 2
    exe = os.path.abspath(sys.argv[1])
    TESTS = os.path.abspath(sys.argv[2])
    SB = Sandbox(exe, 'pv-callgraph-')
    DB = SB.path('store.db')
    try:
        subprocess.run(['dot', '-V'], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, timeout=30)
    except OSError:
        print('dot (Graphviz) is not installed: cannot parse the output')
        return 1
    try:
        for group in (group_cprofile, group_sampled, group_pruning, group_hostile, group_determinism,
                      group_formats, group_diff):
            try:
                group()
            except Exception as exc:      # a bug here must not hide the other groups
                import traceback
                R.ok(False, '%s: the test itself raised %s: %s' % (group.__name__, type(exc).__name__, exc),
                     traceback.format_exc())
    finally:
        SB.close()
    return R.done()


if __name__ == '__main__':
    sys.exit(main())

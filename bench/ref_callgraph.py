#!/usr/bin/env python3
"""What gprof2dot does with a pstats file, as a timing baseline for `profview callgraph`.

    python3 bench/ref_callgraph.py FILE.prof [-n PCT] [-e PCT] [-o FILE]

gprof2dot (https://github.com/jrfonseca/gprof2dot) cannot be installed here (no
PyPI, not packaged in Debian), so this script redoes its work for `-f pstats`
from its documented behaviour (written from notes on its source, not copied):

  * load the file with pstats.Stats;
  * one function per pstats key, numbered in the dict's order, named
    module:line:funcname (module = the file's base name without extension);
    self time = tt, total time = ct, calls = nc; the run's time is the sum of
    tt, the total the larger of that and the largest ct;
  * one call per caller entry: cProfile's (nc, cc, tt, ct) tuples give the
    call's ct and cc (primitive calls); the `profile` module's int count gives
    count/nc of the callee's ct (clamped to 1; 1 when nc is 0);
  * ratios: total share = ct / total, self share = tt / run time, call share =
    call ct / total (each clamped to [0, 1], 1 when the divisor is 0);
  * prune: functions below -n PCT % (default 0.5) go, then calls to removed
    functions or below -e PCT % (default 0.1); functions left without calls stay;
  * write DOT as gprof2dot's DotWriter does: the graph/node/edge defaults,
    nodes in id order each followed by its calls in callee order, attributes
    sorted by name, labels "name\\nT%\\n(S%)\\nN×" and "T%\\nN×", the "color"
    theme (HSL dark blue -> red, gamma 1), font size max(w²·10, 10), pen width
    max(w·4, 0.5), arrow size 0.5·sqrt(pen width), tooltip the file name.

Standard library only.
"""

import argparse
import math
import os
import pstats
import sys

# the "color" theme: HSL ends, gamma, font and pen ranges
MIN_HSL = (2.0 / 3.0, 0.80, 0.25)
MAX_HSL = (0.0, 1.0, 0.5)
GAMMA = 1.0
MIN_FONT, MAX_FONT = 10.0, 10.0
MIN_PEN, MAX_PEN = 0.5, 4.0


def ratio(n, d):
    if d == 0:
        return 1.0
    r = n / d
    return 0.0 if r < 0 else 1.0 if r > 1 else r


def hue(m1, m2, h):
    if h < 0:
        h += 1
    elif h > 1:
        h -= 1
    if h * 6 < 1:
        return m1 + (m2 - m1) * h * 6
    if h * 2 < 1:
        return m2
    if h * 3 < 2:
        return m1 + (m2 - m1) * (2.0 / 3.0 - h) * 6
    return m1


def color(w):
    w = min(max(w, 0.0), 1.0)
    h, s, l = (MIN_HSL[i] + w * (MAX_HSL[i] - MIN_HSL[i]) for i in range(3))
    h %= 1.0
    s = min(max(s, 0.0), 1.0)
    l = min(max(l, 0.0), 1.0)
    m2 = l * (s + 1) if l <= 0.5 else l + s - l * s
    m1 = l * 2 - m2
    rgb = [hue(m1, m2, x) ** GAMMA for x in (h + 1.0 / 3.0, h, h - 1.0 / 3.0)]
    return "#" + "".join("%02x" % (0 if c <= 0 else 255 if c >= 1 else int(255 * c + 0.5)) for c in rgb)


def fontsize(w):
    return max(w * w * MAX_FONT, MIN_FONT)


def penwidth(w):
    return max(w * MAX_PEN, MIN_PEN)


def quote(v):
    """gprof2dot's id(): numbers bare, alphanumeric words bare, the rest escaped and quoted."""
    if isinstance(v, (int, float)):
        return str(v)
    if v.isalnum() and not v.startswith("0x"):
        return v
    v = v.replace("\\", "\\\\").replace("\n", "\\n").replace("\t", "\\t").replace('"', '\\"')
    return '"' + v + '"'


def attrs(d):
    return ", ".join("%s=%s" % (k, quote(d[k])) for k in sorted(d) if d[k] is not None)


class Function:
    __slots__ = ("id", "name", "filename", "called", "tt", "ct", "calls", "ttr", "tr")

    def __init__(self, fid, key):
        self.id = fid
        filename, line, funcname = key
        module = os.path.basename(os.path.splitext(filename)[0])
        self.name = "%s:%d:%s" % (module, line, funcname)
        self.filename = filename
        self.calls = {}         # callee id -> [calls, ct, ttr]
        self.called = None


def build(path):
    st = pstats.Stats(path)
    funcs = {}
    order = []

    def get(key):
        f = funcs.get(key)
        if f is None:
            f = funcs[key] = Function(len(order), key)
            order.append(f)
        return f

    run_time = 0.0
    total = st.total_tt
    for key, (cc, nc, tt, ct, callers) in st.stats.items():
        callee = get(key)
        callee.called = nc
        callee.tt = tt
        callee.ct = ct
        run_time += tt
        total = max(total, ct)
        for ckey, value in callers.items():
            caller = get(ckey)
            if isinstance(value, tuple):
                ncalls = 0
                cct = 0.0
                for i in range(0, len(value), 4):
                    _nc, _cc, _tt, _ct = value[i:i + 4]
                    ncalls += _cc
                    cct += _ct
            else:
                ncalls = value
                cct = ratio(value, nc) * ct
            caller.calls[callee.id] = [ncalls, cct, 0.0]
    # validate: functions met only as callers have no stats; drop them and calls to them
    known = [f for f in order if f.called is not None]
    ids = {f.id for f in known}
    for f in known:
        f.calls = {k: v for k, v in f.calls.items() if k in ids}
        f.ttr = ratio(f.ct, total)
        f.tr = ratio(f.tt, run_time)
        for c in f.calls.values():
            c[2] = ratio(c[1], total)
    return known, total


def prune(funcs, node_thres, edge_thres):
    kept = [f for f in funcs if not f.ttr < node_thres]
    ids = {f.id for f in kept}
    for f in kept:
        f.calls = {k: c for k, c in f.calls.items() if k in ids and not c[2] < edge_thres}
    return kept


def write(out, funcs):
    w = out.write
    w("digraph {\n")
    w('\ttooltip=" "\n')
    w("\tgraph [fontname=Arial, nodesep=0.125, ranksep=0.25];\n")
    w("\tnode [fontcolor=white, fontname=Arial, height=0, shape=box, style=filled, width=0];\n")
    w("\tedge [fontname=Arial];\n")
    for f in sorted(funcs, key=lambda f: f.id):
        wt = f.ttr
        label = "\n".join([f.name, "%.02f%%" % (f.ttr * 100), "(%.02f%%)" % (f.tr * 100), "%u\u00d7" % f.called])
        w("\t%d [%s];\n" % (f.id, attrs({"color": color(wt), "fontcolor": "#ffffff", "fontsize": "%.2f" % fontsize(wt),
                                          "label": label, "tooltip": f.filename})))
        for cid in sorted(f.calls):
            ncalls, _ct, cw = f.calls[cid]
            pw = penwidth(cw)
            w("\t%d -> %d [%s];\n" % (f.id, cid, attrs({
                "arrowsize": "%.2f" % (0.5 * math.sqrt(pw)), "color": color(cw), "fontcolor": color(cw),
                "fontsize": "%.2f" % fontsize(cw), "label": "%.02f%%\n%u\u00d7" % (cw * 100, ncalls),
                "labeldistance": "%.2f" % pw, "penwidth": "%.2f" % pw})))
    w("}\n")


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("profile")
    ap.add_argument("-n", "--node-thres", type=float, default=0.5)
    ap.add_argument("-e", "--edge-thres", type=float, default=0.1)
    ap.add_argument("-o", "--output")
    a = ap.parse_args()
    funcs, _total = build(a.profile)
    funcs = prune(funcs, a.node_thres / 100.0, a.edge_thres / 100.0)
    if a.output:
        with open(a.output, "w", encoding="utf-8") as f:
            write(f, funcs)
    else:
        sys.stdout.reconfigure(encoding="utf-8")
        write(sys.stdout, funcs)
    return 0


if __name__ == "__main__":
    sys.exit(main())

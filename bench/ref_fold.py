#!/usr/bin/env python3
"""Reference folded-stacks readers in plain Python, to time profview import against.

flamegraph.pl (Brendan Gregg's FlameGraph) is not packaged in Debian, so the
benchmark cannot run the real one. These are straightforward equivalents of
what it, and a typical hand-written script, do with folded input. Neither
writes an SVG: they stop where the merged tree and the per-frame totals exist,
which is the part comparable to 'profview import'.

  --mode flamegraph  (default) flamegraph.pl's input phase: read every line
                     into memory, sort them, then per line match
                     /^(.*)\\s+?(\\d+(?:\\.\\d*)?)$/, split the stack on ';' and
                     merge it into the frames open from the previous line
                     (flamegraph.pl's flow(): a frame that differs closes the
                     old frames from there down and opens new ones, each node
                     keyed "func;depth;start" with its start and end time).
                     Memory grows with the file, as flamegraph.pl's does.
  --mode dict        the streaming script: split each line at its last space,
                     sum the counts per stack in a dict, then build the call
                     tree from the distinct stacks (nested dicts) and the
                     per-frame self and total (a frame counted once per stack).
                     Memory grows with the distinct stacks only.

Prints one JSON line: lines, samples, distinct stacks (dict) or merged nodes,
tree nodes, distinct frames, ignored lines - for the benchmark to check that
the work was really done and agrees with profview.

  ref_fold.py [--mode flamegraph|dict] FILE
"""

import json
import re
import sys

LINE_RE = re.compile(rb"^(.*)\s+?(\d+(?:\.\d*)?)$", re.S)


def num(b):
    return float(b) if b"." in b else int(b)


def mode_flamegraph(path):
    with open(path, "rb") as f:
        data = [line.rstrip(b"\n") for line in f]   # foreach (<>) { chomp; push @Data }
    data.sort()                                       # @SortedData = sort @Data
    node = {}      # "func;depth;etime" -> stime (flamegraph.pl's %Node)
    tmp = {}       # "func;depth" -> stime of the open frames (%Tmp)
    last = []
    t = 0
    ignored = 0

    def flow(last, this, v):
        len_a, len_b = len(last) - 1, len(this) - 1
        i = 0
        while i <= len_a:
            if i > len_b or last[i] != this[i]:
                break
            i += 1
        same = i
        for i in range(len_a, same - 1, -1):
            k = (last[i], i)
            node[(last[i], i, v)] = tmp.pop(k)
        for i in range(same, len_b + 1):
            tmp[(this[i], i)] = v
        return this

    for line in data:
        m = LINE_RE.match(line)
        if not m:
            ignored += 1
            continue
        stack, samples = m.group(1), num(m.group(2))
        stack = stack.translate(TR_ANGLE)             # $stack =~ tr/<>/()/
        last = flow(last, [b""] + stack.split(b";"), t)
        t += samples
    flow(last, [], t)
    # per-frame totals from the merged nodes, as the SVG pass reads them
    frames = {}
    for (func, depth, etime), stime in node.items():
        if depth:
            frames[func] = frames.get(func, 0) + (etime - stime)
    return {"mode": "flamegraph", "lines": len(data), "samples": t, "tree_nodes": len(node) - 1,
            "distinct_frames": len(frames), "ignored": ignored}


TR_ANGLE = bytes.maketrans(b"<>", b"()")


def mode_dict(path):
    counts = {}
    lines = ignored = 0
    with open(path, "rb") as f:
        for line in f:
            lines += 1
            stack, _, c = line.rstrip(b"\r\n").rpartition(b" ")
            stack = stack.rstrip(b" \t")
            if not stack:
                ignored += 1
                continue
            try:
                n = int(c)
            except ValueError:
                try:
                    n = float(c)
                except ValueError:
                    ignored += 1
                    continue
            counts[stack] = counts.get(stack, 0) + n
    # the call tree: node = [children dict, self, total]; per-frame self/total
    root = [{}, 0, 0]
    nodes = 0
    fself, ftotal = {}, {}
    samples = 0
    for stack, n in counts.items():
        samples += n
        node = root
        node[2] += n
        seen = set()
        frames = stack.split(b";")
        for fr in frames:
            kids = node[0]
            child = kids.get(fr)
            if child is None:
                child = kids[fr] = [{}, 0, 0]
                nodes += 1
            child[2] += n
            node = child
            if fr not in seen:
                seen.add(fr)
                ftotal[fr] = ftotal.get(fr, 0) + n
        node[1] += n
        leaf = frames[-1]
        fself[leaf] = fself.get(leaf, 0) + n
    return {"mode": "dict", "lines": lines, "samples": samples, "distinct_stacks": len(counts),
            "tree_nodes": nodes, "distinct_frames": len(ftotal), "ignored": ignored}


def main():
    args = sys.argv[1:]
    mode = "flamegraph"
    if len(args) == 3 and args[0] == "--mode":
        mode = args[1]
        args = args[2:]
    if len(args) != 1 or mode not in ("flamegraph", "dict"):
        sys.exit(__doc__)
    res = mode_flamegraph(args[0]) if mode == "flamegraph" else mode_dict(args[0])
    print(json.dumps(res))


if __name__ == "__main__":
    main()

#!/usr/bin/env python3
"""Make the export tests' own fixtures: the two source kinds the other fixture
sets lack, recorded from real runs with the standard library only.

    python3 tests/export/make_fixtures.py tests/export/fixtures

* py_alloc.speedscope.json: a `sampled` speedscope profile in **bytes**, from
  Python's own tracemalloc: the workload runs under tracemalloc.start(25), and
  the live allocations of the final snapshot become samples: one per distinct
  traceback (root first), weighing the bytes allocated there.
* py_evented_us.speedscope.json: an `evented` profile in **fractional
  microseconds**, the way Chrome traces and speedscope's own exports hold time:
  sys.setprofile() call/return events, `at` = (time.perf_counter() - start)
  x 1e6, a float (e.g. 20.740999999992546).

expected.json holds, per file, the unit, each function's self weight (display
name `name (file:line)`) and the weight outside every frame, computed here from the recordings, never by
reading the files back: the reference the export tests compare against.
Regenerating changes every number (the timings and allocations are real).
"""
import ast
import collections
import json
import os
import re
import sys
import time
import tracemalloc

SCHEMA = 'https://www.speedscope.app/file-format-schema.json'
HERE = os.path.realpath(__file__)


# --- the workload -----------------------------------------------------------

def make_record(i):
    return {'id': i, 'name': 'item-%d' % i, 'tags': ['t%d' % (i % 7), 'x' * (i % 13)]}


def build_table(n):
    return [make_record(i) for i in range(n)]


def encode_all(rows):
    return [json.dumps(r, sort_keys=True) for r in rows]


def tokenize(text):
    return re.findall(r'[a-z]+|\d+', text)


def index_words(lines):
    index = collections.defaultdict(list)
    for k, line in enumerate(lines):
        for w in tokenize(line):
            index[w].append(k)
    return index


def fib(n):
    return n if n < 2 else fib(n - 1) + fib(n - 2)


def workload(n, depth):
    rows = build_table(n)
    lines = encode_all(rows)
    index = index_words(lines)
    return rows, lines, index, fib(depth)


# --- names ------------------------------------------------------------------

def short_file(path):
    """This script as workload.py, the standard library relative, else the base name."""
    if os.path.realpath(path) == HERE:
        return 'workload.py'
    std = os.path.dirname(os.__file__)
    if path.startswith(std + os.sep):
        return os.path.relpath(path, std)
    return os.path.basename(path)


_FUNCS = {}


def function_at(path, lineno):
    """(name, first line) of the innermost function holding lineno in path
    (tracemalloc frames carry only file and line); ('<module>', 1) outside any."""
    if path not in _FUNCS:
        spans = []
        try:
            with open(path, encoding='utf-8') as f:
                tree = ast.parse(f.read())
            for node in ast.walk(tree):
                if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                    spans.append((node.lineno, node.end_lineno, node.name))
        except (OSError, SyntaxError, ValueError):
            pass
        _FUNCS[path] = spans
    best = ('<module>', 1)
    width = None
    for first, last, name in _FUNCS[path]:
        if first <= lineno <= last and (width is None or last - first < width):
            best, width = (name, first), last - first
    return best


def display(name, file, line):
    return '%s (%s:%d)' % (name, file, line) if file else name


# --- bytes: tracemalloc -----------------------------------------------------

def record_alloc():
    tracemalloc.start(25)
    kept = workload(3000, 16)
    snap = tracemalloc.take_snapshot()
    tracemalloc.stop()
    del kept
    frames, frame_ix, samples, weights, by_stack = [], {}, [], [], {}
    self_bytes = collections.Counter()
    for tr in snap.traces:
        stack = []
        for fr in tr.traceback:                 # oldest first (Python 3.7+)
            if fr.filename.startswith('<'):
                continue
            name, first = function_at(fr.filename, fr.lineno)
            key = (name, short_file(fr.filename), first)
            if key not in frame_ix:
                frame_ix[key] = len(frames)
                frames.append({'name': key[0], 'file': key[1], 'line': key[2]})
            stack.append(frame_ix[key])
        if not stack or tr.size <= 0:
            continue
        key = tuple(stack)
        if key not in by_stack:
            by_stack[key] = len(samples)
            samples.append(stack)
            weights.append(0)
        weights[by_stack[key]] += tr.size
        f = frames[stack[-1]]
        self_bytes[display(f['name'], f['file'], f['line'])] += tr.size
    doc = {'$schema': SCHEMA, 'exporter': 'profview-tests-export-make_fixtures@1',
           'name': 'py_alloc', 'activeProfileIndex': 0, 'shared': {'frames': frames},
           'profiles': [{'type': 'sampled', 'name': 'tracemalloc', 'unit': 'bytes',
                         'startValue': 0, 'endValue': sum(weights),
                         'samples': samples, 'weights': weights}]}
    return doc, {'unit': 'bytes', 'self': dict(self_bytes), 'total': sum(weights), 'outside': 0}


# --- fractional microseconds: sys.setprofile --------------------------------

def record_evented():
    events = []
    frames, frame_ix = [], {}
    t0 = time.perf_counter()

    def frame_of(code):
        key = (code.co_name, short_file(code.co_filename), code.co_firstlineno)
        if key not in frame_ix:
            frame_ix[key] = len(frames)
            frames.append({'name': key[0], 'file': key[1], 'line': key[2]})
        return frame_ix[key]

    def hook(frame, event, arg):
        if event == 'call':
            events.append(('O', frame_of(frame.f_code), (time.perf_counter() - t0) * 1e6))
        elif event == 'return':
            events.append(('C', frame_of(frame.f_code), (time.perf_counter() - t0) * 1e6))

    def session():
        return workload(150, 12)

    sys.setprofile(hook)
    session()
    sys.setprofile(None)
    # every open was closed: session() returned before setprofile(None)
    stack, self_us = [], collections.Counter()
    last, outside = 0.0, 0.0      # startValue is 0: time before the first open is outside
    for kind, f, at in events:
        if stack:
            top = frames[stack[-1]]
            self_us[display(top['name'], top['file'], top['line'])] += at - last
        else:
            outside += at - last
        last = at
        if kind == 'O':
            stack.append(f)
        else:
            assert stack and stack[-1] == f, 'unbalanced events'
            stack.pop()
    assert not stack, 'frames left open'
    end = events[-1][2]
    doc = {'$schema': SCHEMA, 'exporter': 'profview-tests-export-make_fixtures@1',
           'name': 'py_evented_us', 'activeProfileIndex': 0, 'shared': {'frames': frames},
           'profiles': [{'type': 'evented', 'name': 'setprofile', 'unit': 'microseconds',
                         'startValue': 0, 'endValue': end,
                         'events': [{'type': k, 'frame': f, 'at': at} for k, f, at in events]}]}
    return doc, {'unit': 'microseconds', 'self': dict(self_us), 'total': sum(self_us.values()),
                 'outside': outside}


def main():
    if len(sys.argv) != 2:
        raise SystemExit('usage: make_fixtures.py OUTDIR')
    out = sys.argv[1]
    os.makedirs(out, exist_ok=True)
    expected = {'generator': 'python3 tests/export/make_fixtures.py OUTDIR',
                'python': '%d.%d.%d' % sys.version_info[:3], 'files': {}}
    for fname, rec in (('py_alloc.speedscope.json', record_alloc),
                       ('py_evented_us.speedscope.json', record_evented)):
        doc, facts = rec()
        with open(os.path.join(out, fname), 'w', encoding='utf-8') as f:
            json.dump(doc, f, separators=(',', ':'))
            f.write('\n')
        expected['files'][fname] = facts
    with open(os.path.join(out, 'expected.json'), 'w', encoding='utf-8') as f:
        json.dump(expected, f, indent=1, sort_keys=True)
        f.write('\n')


if __name__ == '__main__':
    main()

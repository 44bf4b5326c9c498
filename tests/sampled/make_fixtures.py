#!/usr/bin/env python3
# -*- coding: utf-8 -*-
"""Make real sampled and evented profiles for profview's folded-stack and
speedscope readers, plus the facts a reader must reproduce from them.

    python3 tests/sampled/make_fixtures.py OUTDIR [--no-perf]

Everything here is standard library only.  The script profiles its own
workloads (json, re/difflib, recursion, sorting) with two small profilers of
its own:

* a sampler: a background thread that reads sys._current_frames() about
  every millisecond and keeps the stacks of the threads it watches;
* an event recorder: sys.setprofile() call/return and c_call/c_return events.

From those in-memory recordings it writes the fixtures (folded stacks and
speedscope JSON, plus encoding/annotation/comment variants) and
OUTDIR/expected.json, whose facts are computed from the recordings
themselves, never by reading the fixtures back.  A final self-check then
does read the fixtures back, with differently written code (a call tree for
sampled totals, interval unions for evented ones), and compares.

Optionally (when `perf` works here) it also records this script's workloads
with `perf record` and collapses `perf script` output into folded stacks with
its own collapser (perf_python.folded).

See README.md in the fixtures directory for the file list and the schema of
expected.json.
"""

import argparse
import codecs
import collections
import difflib
import functools
import gzip
import json
import operator
import os
import random
import re
import shutil
import subprocess
import sys
import sysconfig
import tempfile
import threading
import time

# Bump when the layout of expected.json changes.
SCHEMA_VERSION = 1
SPEEDSCOPE_SCHEMA = "https://www.speedscope.app/file-format-schema.json"
EXPORTER = "profview-make_fixtures@1"

# Frames of this script are shown as if they came from a file with this
# name, so the fixtures do not depend on where the checkout lives.
SELF_NAME = "workload.py"
SELF_PATH = os.path.realpath(__file__)
STDLIB_DIR = os.path.realpath(sysconfig.get_paths()["stdlib"])

SAMPLE_INTERVAL_S = 0.001
# The sampler needs the GIL to look at other threads; with the default 5 ms
# switch interval a 1 ms sampler would really sample every ~5 ms.
SAMPLING_SWITCH_INTERVAL_S = 0.0002

# perf-style frame annotations (kernel, JIT, inlined, waker).  They are a
# suffix of the frame text, not part of the function's name.
ANNOTATION_RE = re.compile(r"_\[[kjiw]\]$")

# Every file this script writes into OUTDIR.
FIXTURE_NAMES = (
    "py_sampled.folded", "py_sampled.folded.gz", "py_sampled-crlf.folded",
    "py_sampled-bom.folded", "py_sampled-utf16le.folded", "py_sampled-utf16be.folded",
    "py_sampled-annotated.folded", "py_sampled-comments.folded",
    "py_sampled.speedscope.json", "py_sampled.speedscope.json.gz",
    "py_threads.speedscope.json", "py_evented.speedscope.json",
    "perf_python.folded", "expected.json",
)
FOLDED_MAX_BYTES_WARN = 400_000
FIXTURES_MAX_BYTES = 2_000_000
EVENTED_MAX_EVENTS = 50_000


# ---------------------------------------------------------------------------
# Frame identity
#
# A frame is a (name, file, line) triple; file and line are None for C
# functions seen by sys.setprofile (speedscope frames without "file"/"line").
# Its display name -- the key of every per-function fact -- is
# "name (file:line)", "name (file)" without a line, or "name" alone.  For
# folded stacks the frame text is exactly that display name, py-spy style.

def short_path(filename):
    """Machine-independent file name: relative to the stdlib, basename
    otherwise, and SELF_NAME for this script."""
    if filename.startswith("<"):          # <frozen importlib._bootstrap>, <string>
        return filename
    real = os.path.realpath(filename)
    if real == SELF_PATH:
        return SELF_NAME
    if real.startswith(STDLIB_DIR + os.sep):
        return os.path.relpath(real, STDLIB_DIR).replace(os.sep, "/")
    return os.path.basename(real)


_code_frames = {}


def code_frame(code):
    """Frame triple of a Python code object.  The line is co_firstlineno, so
    every sample of a function aggregates into one frame whatever line it
    was executing."""
    frame = _code_frames.get(code)
    if frame is None:
        frame = (code.co_name, short_path(code.co_filename), code.co_firstlineno)
        _code_frames[code] = frame
    return frame


def cfunc_frame(func):
    """Frame triple of a C function seen in a c_call event, e.g. 'len',
    'list.append', '_json.scanstring'."""
    name = getattr(func, "__qualname__", None) or getattr(func, "__name__", repr(func))
    module = getattr(func, "__module__", None)
    if module and module != "builtins":
        name = module + "." + name
    return (name, None, None)


def display(frame):
    name, file, line = frame
    if file is None:
        return name
    if line is None:
        return "%s (%s)" % (name, file)
    return "%s (%s:%d)" % (name, file, line)


def strip_annotation(text):
    return ANNOTATION_RE.sub("", text)


# ---------------------------------------------------------------------------
# Workloads.  Inputs are built once, from a fixed seed, before any recording,
# so that what is sampled is the work and not the setup.

WORDS = ("alpha bravo charlie delta echo foxtrot golf hotel india juliet kilo "
         "lima mike november oscar papa quebec romeo sierra tango uniform "
         "victor whiskey xray yankee zulu running jumping sorting parsing "
         "encoding decoding thinking sampling").split()
WORD_RE = re.compile(r"\b\w+\b")
ING_RE = re.compile(r"\b(\w+)ing\b")
TOKEN_RE = re.compile(r"\s*(?:(\d+)|(.))")

INPUTS = {}


def make_document(rng, depth):
    """Nested dicts/lists for the json workload (recursive on purpose)."""
    if depth == 0:
        return rng.choice([rng.randint(-10**6, 10**6), rng.random(),
                           " ".join(rng.choice(WORDS) for _ in range(4)),
                           True, None])
    if rng.random() < 0.5:
        return [make_document(rng, depth - 1) for _ in range(rng.randint(2, 5))]
    return {"%s_%d" % (rng.choice(WORDS), i): make_document(rng, depth - 1)
            for i in range(rng.randint(2, 5))}


def make_expression(rng, depth):
    """Random arithmetic with nested parentheses for the parser workload."""
    if depth == 0 or rng.random() < 0.2:
        return str(rng.randint(1, 99))
    op = rng.choice("+-*/")
    left = make_expression(rng, depth - 1)
    right = make_expression(rng, depth - 1)
    if rng.random() < 0.5:
        return "(%s %s %s)" % (left, op, right)
    return "%s %s %s" % (left, op, right)


def build_inputs():
    rng = random.Random(20240611)
    INPUTS["document"] = [make_document(rng, 5) for _ in range(40)]
    lines = [" ".join(rng.choice(WORDS) for _ in range(rng.randint(5, 12)))
             for _ in range(300)]
    changed = list(lines)
    for _ in range(40):
        i = rng.randrange(len(changed))
        changed[i] = " ".join(reversed(changed[i].split()))
    INPUTS["lines_a"], INPUTS["lines_b"] = lines, changed
    INPUTS["text"] = "\n".join(lines)
    INPUTS["expressions"] = [make_expression(rng, 9) for _ in range(30)]
    INPUTS["records"] = [{"name": "".join(rng.choice("abcdefghij") for _ in range(8)),
                          "dept": rng.choice(WORDS[:6]),
                          "age": rng.randint(20, 65),
                          "salary": rng.randint(30, 200) * 1000}
                         for _ in range(4000)]
    INPUTS["words"] = [rng.choice(WORDS) + str(rng.randint(0, 999)) for _ in range(3000)]
    INPUTS["small_document"] = make_document(rng, 3)
    INPUTS["small_expression"] = make_expression(rng, 6)


def json_work():
    # indent= makes json use its pure-Python encoder: recursive generators
    # (_iterencode_dict/_iterencode_list) show up in the stacks.
    text = json.dumps(INPUTS["document"], indent=1)
    back = json.loads(text)
    json.dumps(back, sort_keys=True)     # C encoder: time lands in dumps/encode


def zähle_wörter(text):
    """Word count; the non-ASCII name exercises UTF-8/UTF-16 handling."""
    return collections.Counter(WORD_RE.findall(text.lower())).most_common(5)


def _shout(match):
    return match.group(1).upper() + "ING"


def text_work():
    a, b = INPUTS["lines_a"], INPUTS["lines_b"]
    list(difflib.unified_diff(a, b, lineterm=""))
    for x, y in zip(a[:25], b[:25]):
        difflib.SequenceMatcher(None, x, y).ratio()
    ING_RE.sub(_shout, INPUTS["text"])
    zähle_wörter(INPUTS["text"])


def fib(n):
    return n if n < 2 else fib(n - 1) + fib(n - 2)


def fib_work():
    fib(18)


class ExprParser:
    """Recursive-descent evaluator for + - * / and parentheses.  The grammar
    (expr -> term -> factor -> expr) makes mutually recursive stacks in
    which expr, term and factor each appear many times."""

    def __init__(self, text):
        self.tokens = [num or op for num, op in TOKEN_RE.findall(text) if num or op.strip()]
        self.pos = 0

    def peek(self):
        return self.tokens[self.pos] if self.pos < len(self.tokens) else None

    def take(self):
        tok = self.peek()
        self.pos += 1
        return tok

    def expr(self):
        value = self.term()
        while self.peek() in ("+", "-"):
            op = self.take()
            rhs = self.term()
            value = (value + rhs if op == "+" else value - rhs) % 1000003
        return value

    def term(self):
        value = self.factor()
        while self.peek() in ("*", "/"):
            op = self.take()
            rhs = self.factor()
            value = (value * rhs if op == "*" else value // (rhs or 1)) % 1000003
        return value

    def factor(self):
        tok = self.take()
        if tok == "(":
            value = self.expr()
            if self.take() != ")":
                raise ValueError("expected )")
            return value
        if tok == "-":
            return -self.factor()
        return int(tok)


def parse_work(count=None):
    exprs = INPUTS["expressions"]
    return [ExprParser(e).expr() for e in exprs[:count]]


def record_key(rec):
    return (rec["dept"], -rec["salary"], rec["name"])


def compare_words(x, y):
    # Deliberately a Python comparator: cmp_to_key calls back into it.
    kx, ky = (x.rstrip("0123456789"), len(x)), (y.rstrip("0123456789"), len(y))
    return (kx > ky) - (kx < ky)


def sort_work():
    sorted(INPUTS["records"], key=record_key)
    sorted(INPUTS["words"], key=functools.cmp_to_key(compare_words))
    sorted(INPUTS["records"], key=operator.itemgetter("age"))


def run_for(work, seconds):
    """Repeat work() for about `seconds` of wall time."""
    deadline = time.perf_counter() + seconds
    runs = 0
    while time.perf_counter() < deadline:
        work()
        runs += 1
    return runs


def main_thread_session():
    run_for(json_work, 0.5)
    run_for(text_work, 0.45)
    run_for(fib_work, 0.3)
    run_for(parse_work, 0.4)
    run_for(sort_work, 0.35)


def json_thread_session():
    run_for(json_work, 0.35)
    run_for(sort_work, 0.15)


def parser_thread_session():
    run_for(parse_work, 0.3)
    run_for(text_work, 0.2)


def evented_session():
    """Small on purpose: every call and return is an event."""
    fib(10)
    ExprParser(INPUTS["small_expression"]).expr()
    json.dumps(INPUTS["small_document"], indent=1)
    sorted(INPUTS["records"][:150], key=record_key)
    zähle_wörter(INPUTS["text"][:2000])
    # Stop recording from inside this frame: this frame and the c_call of
    # sys.setprofile stay open, so the writer must close them at endValue.
    sys.setprofile(None)


# ---------------------------------------------------------------------------
# The sampling profiler

def stack_of(frame):
    """Root-first tuple of frame triples."""
    frames = []
    while frame is not None:
        frames.append(code_frame(frame.f_code))
        frame = frame.f_back
    frames.reverse()
    return tuple(frames)


# Outermost function of every thread we sample: the main module, or
# threading's bootstrap for worker threads.
ROOT_FUNCTIONS = ("<module>", "_bootstrap")


class Sampler:
    """Samples the stacks of given threads about every SAMPLE_INTERVAL_S.

    Each wake-up is a tick; all watched threads alive at a tick are sampled
    at that tick.  A sample's weight is the real time since the previous
    tick (the time it stands for), so a profile's weights add up to
    endValue - startValue.
    """

    def __init__(self, idents, interval=SAMPLE_INTERVAL_S):
        self.idents = list(idents)
        self.interval = interval
        self.ticks = []                                  # ns since t0
        self.samples = {ident: [] for ident in self.idents}  # [(tick, stack)]
        self._stop_event = threading.Event()
        self._thread = threading.Thread(target=self._run, name="sampler", daemon=True)
        self._old_switch = None

    def start(self):
        self._old_switch = sys.getswitchinterval()
        sys.setswitchinterval(SAMPLING_SWITCH_INTERVAL_S)
        self.t0 = time.perf_counter_ns()
        self._thread.start()

    def stop(self):
        self._stop_event.set()
        self._thread.join()
        sys.setswitchinterval(self._old_switch)

    def _run(self):
        interval_ns = int(self.interval * 1e9)
        next_tick = time.perf_counter_ns()
        while not self._stop_event.is_set():
            frames = sys._current_frames()
            now = time.perf_counter_ns() - self.t0
            tick = len(self.ticks)
            self.ticks.append(now)
            for ident in self.idents:
                stack = self._walk(ident, frames)
                if stack is not None:
                    self.samples[ident].append((tick, stack))
            # Holding the frames while asleep would keep finished frames alive.
            del frames
            # Sleep to a fixed schedule so wake-up latency does not stretch
            # the period; after falling behind, restart the schedule rather
            # than sampling in a burst.
            next_tick += interval_ns
            delay = next_tick - time.perf_counter_ns()
            if delay > 0:
                time.sleep(delay / 1e9)
            else:
                next_tick = time.perf_counter_ns()

    def _walk(self, ident, frames):
        """The thread's stack, or None if it is gone.  The GIL can pass to
        the sampled thread in the middle of a walk; a generator it suspends
        then loses its f_back and the walk ends early.  Such a stack does not
        reach the thread's root frame, so take a fresh snapshot and retry."""
        for _ in range(10):
            frame = frames.get(ident)
            if frame is None:
                return None
            stack = stack_of(frame)
            if stack[0][0] in ROOT_FUNCTIONS:
                return stack
            frames = sys._current_frames()
        raise RuntimeError("could not get a whole stack of thread %d" % ident)

    def profile(self, ident, name):
        """One sampled profile: stacks, weights (ns), start and end values."""
        recs = self.samples[ident]
        if not recs:
            raise RuntimeError("thread %s was never sampled" % name)
        ticks = [tick for tick, _ in recs]
        if ticks != list(range(ticks[0], ticks[0] + len(ticks))):
            raise RuntimeError("thread %s missed ticks; weights would not tile time" % name)

        def tick_time(k):
            return self.ticks[k - 1] if k > 0 else 0

        weights = [self.ticks[k] - tick_time(k) for k in ticks]
        return {"type": "sampled", "name": name, "unit": "nanoseconds",
                "startValue": tick_time(ticks[0]), "endValue": self.ticks[ticks[-1]],
                "stacks": [stack for _, stack in recs], "weights": weights}


def record_main_thread():
    sampler = Sampler([threading.get_ident()])
    sampler.start()
    main_thread_session()
    sampler.stop()
    return sampler.profile(threading.get_ident(), threading.current_thread().name)


def record_two_threads():
    go = threading.Event()

    def worker(session):
        go.wait()
        session()

    threads = [threading.Thread(target=worker, args=(json_thread_session,), name="json-worker"),
               threading.Thread(target=worker, args=(parser_thread_session,), name="parser-worker")]
    for t in threads:
        t.start()
    sampler = Sampler([t.ident for t in threads])
    sampler.start()
    go.set()
    for t in threads:
        t.join()
    sampler.stop()
    return [sampler.profile(t.ident, t.name) for t in threads]


# ---------------------------------------------------------------------------
# The event recorder

def record_evented():
    events = []          # (kind "O"/"C", frame triple, ns since t0)
    open_frames = []     # what we opened and have not closed yet
    clock = time.perf_counter_ns

    def on_event(frame, event, arg):
        t = clock() - t0
        if event == "call":
            key = code_frame(frame.f_code)
        elif event == "c_call":
            key = cfunc_frame(arg)
        else:
            if not open_frames:
                # The c_return of the sys.setprofile() that started us: its
                # call was never seen, so there is nothing to close.
                return
            key = open_frames.pop()
            seen = code_frame(frame.f_code) if event == "return" else cfunc_frame(arg)
            if seen != key:
                raise RuntimeError("unbalanced %s: %r closes %r" % (event, seen, key))
            events.append(("C", key, t))
            return
        open_frames.append(key)
        events.append(("O", key, t))

    t0 = clock()
    sys.setprofile(on_event)
    evented_session()            # ends by calling sys.setprofile(None)
    end = clock() - t0
    sys.setprofile(None)         # in case the session raised before its own
    # Frames still open when recording stopped close at endValue, innermost
    # first, so that the events stay balanced.
    closed_at_end = []
    while open_frames:
        closed_at_end.append(display(open_frames[-1]))
        events.append(("C", open_frames.pop(), end))
    if len(events) > EVENTED_MAX_EVENTS:
        raise RuntimeError("evented session too big: %d events" % len(events))
    return {"type": "evented", "name": "evented_session", "unit": "nanoseconds",
            "startValue": 0, "endValue": end, "events": events,
            "closed_at_end": closed_at_end}


# ---------------------------------------------------------------------------
# Facts, computed from the recordings

def sampled_facts(rows):
    """rows: (stack of display names, weight, number of samples) per sample
    or per folded line.  A function's total counts each stack once even when
    the function appears in it several times (recursion), as pprof and
    speedscope do; its self is the leaf only."""
    funcs = {}
    total = nsamples = max_depth = 0
    stacks = set()
    recursive = set()

    def entry(name):
        if name not in funcs:
            funcs[name] = {"self_weight": 0, "total_weight": 0,
                           "self_samples": 0, "total_samples": 0}
        return funcs[name]

    for stack, weight, count in rows:
        total += weight
        nsamples += count
        stacks.add(stack)
        max_depth = max(max_depth, len(stack))
        distinct = set(stack)
        if len(distinct) < len(stack):
            recursive.update(n for n in distinct if stack.count(n) > 1)
        for name in distinct:
            e = entry(name)
            e["total_weight"] += weight
            e["total_samples"] += count
        if stack:
            e = entry(stack[-1])
            e["self_weight"] += weight
            e["self_samples"] += count
    return {"total_weight": total, "num_samples": nsamples,
            "distinct_stacks": len(stacks), "max_depth": max_depth,
            "recursive_functions": sorted(recursive),
            "functions": {k: funcs[k] for k in sorted(funcs)}}


def evented_facts(events, start, end):
    """Self time goes to the innermost open frame; total time is the time a
    frame is open at least once (so recursion counts once)."""
    funcs = {}
    stack = []
    depth_of = collections.Counter()
    opened_at = {}
    last = start
    busy = max_depth = opens = 0
    recursive = set()
    for kind, frame, at in events:
        name = display(frame)
        e = funcs.setdefault(name, {"self_weight": 0, "total_weight": 0, "opens": 0})
        dt = at - last
        if stack:
            funcs[stack[-1]]["self_weight"] += dt
            busy += dt
        last = at
        if kind == "O":
            stack.append(name)
            e["opens"] += 1
            opens += 1
            max_depth = max(max_depth, len(stack))
            if depth_of[name] == 0:
                opened_at[name] = at
            else:
                recursive.add(name)
            depth_of[name] += 1
        else:
            stack.pop()
            depth_of[name] -= 1
            if depth_of[name] == 0:
                e["total_weight"] += at - opened_at.pop(name)
    assert not stack
    return {"start_value": start, "end_value": end, "duration": end - start,
            "total_weight": busy, "num_events": len(events), "num_opens": opens,
            "max_depth": max_depth, "recursive_functions": sorted(recursive),
            "functions": {k: funcs[k] for k in sorted(funcs)}}


def sampled_profile_facts(prof):
    rows = [(tuple(display(f) for f in stack), w, 1)
            for stack, w in zip(prof["stacks"], prof["weights"])]
    facts = {"name": prof["name"], "type": "sampled",
             "start_value": prof["startValue"], "end_value": prof["endValue"]}
    facts.update(sampled_facts(rows))
    return facts


def folded_profile_facts(folded_lines):
    """folded_lines: [(tuple of frame texts, count)], annotations included."""
    rows = [(tuple(strip_annotation(f) for f in stack), n, n) for stack, n in folded_lines]
    facts = {"name": None, "type": "sampled", "start_value": None, "end_value": None}
    facts.update(sampled_facts(rows))
    return facts


# ---------------------------------------------------------------------------
# Writers

def fold(prof):
    """Folded lines (stack texts, count) in first-seen order, not sorted, so
    readers cannot rely on sorted input."""
    counts = collections.Counter()
    for stack in prof["stacks"]:
        counts[tuple(display(f) for f in stack)] += 1
    return list(counts.items())


def folded_text(lines, eol="\n"):
    return "".join(";".join(stack) + " " + str(n) + eol for stack, n in lines)


def speedscope_document(name, profiles):
    frames = {}      # triple -> index, first-seen order

    def index(frame):
        if frame not in frames:
            frames[frame] = len(frames)
        return frames[frame]

    out = []
    for p in profiles:
        q = {"type": p["type"], "name": p["name"], "unit": p["unit"],
             "startValue": p["startValue"], "endValue": p["endValue"]}
        if p["type"] == "sampled":
            q["samples"] = [[index(f) for f in stack] for stack in p["stacks"]]
            q["weights"] = list(p["weights"])
        else:
            q["events"] = [{"type": kind, "frame": index(f), "at": at}
                           for kind, f, at in p["events"]]
        out.append(q)

    def frame_json(triple):
        fname, file, line = triple
        d = {"name": fname}
        if file is not None:
            d["file"] = file
        if line is not None:
            d["line"] = line
        return d

    return {"$schema": SPEEDSCOPE_SCHEMA,
            "shared": {"frames": [frame_json(f) for f in frames]},
            "profiles": out, "name": name, "activeProfileIndex": 0,
            "exporter": EXPORTER}


def write_bytes(outdir, name, data):
    with open(os.path.join(outdir, name), "wb") as f:
        f.write(data)


def annotate(lines):
    """Copy of the folded lines with perf-style suffixes on some frames:
    every third line's leaf, cycling through _[k] _[j] _[i] _[w], and every
    seventh line's middle frame gets _[i]."""
    suffixes = ["_[k]", "_[j]", "_[i]", "_[w]"]
    out = []
    for i, (stack, n) in enumerate(lines):
        stack = list(stack)
        if i % 3 == 0:
            stack[-1] += suffixes[(i // 3) % 4]
        if i % 7 == 0 and len(stack) >= 3:
            stack[len(stack) // 2] += "_[i]"
        out.append((tuple(stack), n))
    return out


def annotation_info(lines):
    """What a reader must strip from these folded lines, and what is left."""
    by_suffix = collections.Counter()
    names = set()
    for stack, _ in lines:
        for text in stack:
            m = ANNOTATION_RE.search(text)
            if m:
                by_suffix[m.group(0)] += 1
                names.add(strip_annotation(text))
    return {"annotated_frames": sum(by_suffix.values()),
            "by_suffix": dict(sorted(by_suffix.items())),
            "annotated_display_names": sorted(names),
            "display_names_after_stripping": sorted(
                {strip_annotation(t) for stack, _ in lines for t in stack})}


def with_comments(lines, python_version, total_samples, duration_ns):
    """Austin-style text: '# key: value' header and footer, blank lines and
    a few malformed lines (no count) mixed into the stacks."""
    header = ["# austin: 3.6.0", "# interval: %d" % int(SAMPLE_INTERVAL_S * 1e6),
              "# mode: wall", "# python: %s" % python_version, ""]
    body = [";".join(s) + " " + str(n) for s, n in lines]
    bad = [";".join(lines[0][0]),                   # a stack with its count gone
           "this line has no count",
           ";".join(lines[-1][0]) + " abc"]         # count that is not a number
    # Spread blanks and malformed lines through the body, from the end so
    # earlier insert positions stay valid.
    inserts = sorted([(len(body) // 4, bad[0]), (len(body) // 2, ""),
                      (len(body) // 2 + 1, bad[1]), ((3 * len(body)) // 4, bad[2]),
                      ((3 * len(body)) // 4, "")], key=lambda p: p[0], reverse=True)
    for pos, text in inserts:
        body.insert(pos, text)
    footer = ["", "# duration: %d" % duration_ns, "# samples: %d" % total_samples]
    all_lines = header + body + footer
    malformed = [i + 1 for i, t in enumerate(all_lines) if t in bad]
    info = {"malformed_lines": len(malformed),
            "first_malformed_line": malformed[0],
            "malformed_line_numbers": malformed,
            "comment_lines": sum(1 for t in all_lines if t.startswith("#")),
            "blank_lines": sum(1 for t in all_lines if t == ""),
            "physical_lines": len(all_lines)}
    return "\n".join(all_lines) + "\n", info


# ---------------------------------------------------------------------------
# perf (optional)

PERF_RECORD_SECONDS = 0.5
PERF_FREQ = 499


def perf_workload():
    """What the perf child runs (this script with --perf-workload)."""
    build_inputs()
    run_for(fib_work, 0.1)
    run_for(json_work, 0.15)
    run_for(parse_work, 0.1)
    run_for(sort_work, 0.15)


PERF_HEADER_RE = re.compile(r"^(\S.*?)\s+(\d+)(?:/(\d+))?\s")
PERF_FRAME_RE = re.compile(r"^\s+([0-9a-fA-F]+)\s+(.*?)\s+\((.*)\)\s*$")


def collapse_perf_script(text):
    """Collapse `perf script` output into folded stacks.

    A record is a header line (comm, pid[/tid], time, event) and then one
    line per frame, leaf first, up to a blank line.  The root of each stack
    is the command name; kernel frames get _[k], inlined frames _[i];
    unresolved symbols use the DSO's basename in brackets when known."""
    counts = collections.Counter()
    comm = None
    frames = []

    def flush():
        if comm is not None:
            counts[tuple([comm] + frames[::-1])] += 1

    for line in text.splitlines():
        if not line.strip():
            flush()
            comm, frames = None, []
            continue
        if not line[0].isspace():
            flush()
            m = PERF_HEADER_RE.match(line)
            comm, frames = (m.group(1) if m else line.split()[0]), []
            continue
        m = PERF_FRAME_RE.match(line)
        if not m or comm is None:
            continue
        sym, dso = m.group(2), m.group(3)
        sym = re.sub(r"\+0x[0-9a-fA-F]+$", "", sym)
        if sym == "[unknown]" and dso not in ("[unknown]", "inlined"):
            sym = "[%s]" % os.path.basename(dso)
        sym = sym.replace(";", ":")       # ';' separates frames in folded text
        if dso == "[kernel.kallsyms]" or dso.startswith("[kernel"):
            sym += "_[k]"
        elif dso == "inlined":
            sym += "_[i]"
        frames.append(sym)
    flush()
    return list(counts.items())


def record_perf(workdir):
    """Returns (folded lines, info) or (None, reason)."""
    perf = shutil.which("perf")
    if perf is None:
        return None, "perf is not installed"
    data = os.path.join(workdir, "perf.data")
    # Debian's python3 is built without frame pointers, so `-g` (frame
    # pointer unwinding) yields one or two real frames and garbage above
    # them; DWARF unwinding gives the real C stacks.
    record = [perf, "record", "-q", "-F", str(PERF_FREQ), "--call-graph", "dwarf",
              "-o", data, "--", sys.executable, SELF_PATH, "--perf-workload"]
    try:
        r = subprocess.run(record, capture_output=True, text=True, timeout=300)
    except (OSError, subprocess.TimeoutExpired) as exc:
        return None, "perf record failed: %s" % exc
    if r.returncode != 0 or not os.path.exists(data):
        return None, "perf record not permitted or failed (exit %d): %s" % (
            r.returncode, r.stderr.strip()[-300:])
    script = [perf, "script", "-i", data, "-F", "comm,pid,tid,time,event,ip,sym,dso"]
    try:
        r = subprocess.run(script, capture_output=True, text=True, timeout=600,
                           errors="replace")
    except (OSError, subprocess.TimeoutExpired) as exc:
        return None, "perf script failed: %s" % exc
    if r.returncode != 0:
        return None, "perf script failed (exit %d): %s" % (r.returncode, r.stderr.strip()[-300:])
    lines = collapse_perf_script(r.stdout)
    if not lines:
        return None, "perf script produced no samples"
    return lines, {"command": "perf record -q -F %d --call-graph dwarf -o perf.data -- "
                              "python3 tests/sampled/make_fixtures.py --perf-workload; "
                              "perf script -i perf.data -F comm,pid,tid,time,event,ip,sym,dso"
                              % PERF_FREQ}


# ---------------------------------------------------------------------------
# Self-check: read the written files back with independent code

def read_folded_bytes(data):
    if data[:2] == b"\x1f\x8b":
        data = gzip.decompress(data)
    if data.startswith(codecs.BOM_UTF8):
        text = data[3:].decode("utf-8")
    elif data.startswith(codecs.BOM_UTF16_LE):
        text = data[2:].decode("utf-16-le")
    elif data.startswith(codecs.BOM_UTF16_BE):
        text = data[2:].decode("utf-16-be")
    else:
        text = data.decode("utf-8")
    rows, bad = [], []
    for number, line in enumerate(text.split("\n"), 1):
        line = line.rstrip("\r")
        if not line or line.startswith("#"):
            continue
        stack, _, count = line.rpartition(" ")
        if not stack or not count.isdigit():
            bad.append(number)
            continue
        rows.append(([strip_annotation(f) for f in stack.split(";")], int(count), int(count)))
    return rows, bad


def tree_totals(rows):
    """Sampled facts through a call tree: a function's total is the weight
    of the tree nodes where it appears with no ancestor of the same name."""
    root = {"children": {}, "weight": 0, "samples": 0, "self": 0, "self_n": 0}
    for stack, w, n in rows:
        node = root
        node["weight"] += w
        node["samples"] += n
        for name in stack:
            node = node["children"].setdefault(
                name, {"children": {}, "weight": 0, "samples": 0, "self": 0, "self_n": 0})
            node["weight"] += w
            node["samples"] += n
        node["self"] += w
        node["self_n"] += n
    out = collections.defaultdict(lambda: [0, 0, 0, 0])   # self_w, total_w, self_n, total_n
    todo = [(root, frozenset(), None)]
    while todo:
        node, above, name = todo.pop()
        if name is not None:
            out[name][0] += node["self"]
            out[name][2] += node["self_n"]
            if name not in above:
                out[name][1] += node["weight"]
                out[name][3] += node["samples"]
            above = above | {name}
        for child_name, child in node["children"].items():
            todo.append((child, above, child_name))
    return root["weight"], root["samples"], {
        k: {"self_weight": v[0], "total_weight": v[1], "self_samples": v[2],
            "total_samples": v[3]} for k, v in out.items()}


def interval_totals(doc, prof):
    """Evented facts through (open, close) intervals: total is the length
    of the union of a frame's intervals; self is its own intervals minus
    those of its direct children."""
    names = [display((f["name"], f.get("file"), f.get("line"))) for f in doc["shared"]["frames"]]
    stack, intervals = [], []
    last = prof["startValue"]
    for ev in prof["events"]:
        if ev["at"] < last:
            raise AssertionError("'at' decreases")
        last = ev["at"]
        if ev["type"] == "O":
            stack.append([ev["frame"], ev["at"], 0])
        else:
            frame, opened, children = stack.pop()
            if frame != ev["frame"]:
                raise AssertionError("close of frame %d while %d is open" % (ev["frame"], frame))
            length = ev["at"] - opened
            intervals.append((names[frame], opened, ev["at"], length - children))
            if stack:
                stack[-1][2] += length
    if stack:
        raise AssertionError("events not balanced: %d frames left open" % len(stack))
    if last > prof["endValue"]:
        raise AssertionError("event after endValue")
    per = collections.defaultdict(list)
    for name, a, b, own in intervals:
        per[name].append((a, b, own))
    out = {}
    for name, ivs in per.items():
        union, cur_a, cur_b = 0, None, None
        for a, b, _ in sorted(ivs):
            if cur_b is None or a > cur_b:
                if cur_b is not None:
                    union += cur_b - cur_a
                cur_a, cur_b = a, b
            else:
                cur_b = max(cur_b, b)
        union += cur_b - cur_a
        out[name] = {"self_weight": sum(o for _, _, o in ivs), "total_weight": union,
                     "opens": len(ivs)}
    return out


def check_speedscope_shape(doc):
    assert doc["$schema"] == SPEEDSCOPE_SCHEMA
    assert isinstance(doc["shared"]["frames"], list)
    for f in doc["shared"]["frames"]:
        assert isinstance(f["name"], str) and set(f) <= {"name", "file", "line", "col"}
    nframes = len(doc["shared"]["frames"])
    assert 0 <= doc["activeProfileIndex"] < len(doc["profiles"])
    units = {"none", "nanoseconds", "microseconds", "milliseconds", "seconds", "bytes"}
    for p in doc["profiles"]:
        assert p["type"] in ("sampled", "evented") and isinstance(p["name"], str)
        assert p["unit"] in units and p["endValue"] >= p["startValue"]
        if p["type"] == "sampled":
            assert len(p["samples"]) == len(p["weights"])
            assert all(0 <= i < nframes for s in p["samples"] for i in s)
        else:
            assert all(e["type"] in "OC" and 0 <= e["frame"] < nframes for e in p["events"])


def self_check(outdir, expected):
    problems = []

    def same(what, got, want):
        if got != want:
            problems.append("%s: got %r, want %r" % (what, got, want))

    for fname, exp in expected["files"].items():
        with open(os.path.join(outdir, fname), "rb") as f:
            data = f.read()
        for i, pexp in enumerate(exp["profiles"]):
            # Invariants of the expected facts themselves.
            funcs = pexp["functions"]
            same(fname + " sum(self)", sum(v["self_weight"] for v in funcs.values()),
                 pexp["total_weight"])
            over = [k for k, v in funcs.items() if v["total_weight"] > pexp["total_weight"]
                    or v["self_weight"] > v["total_weight"]]
            same(fname + " functions over total", over, [])
        if exp["format"] == "folded":
            rows, bad = read_folded_bytes(data)
            weight, samples, funcs = tree_totals(rows)
            pexp = exp["profiles"][0]
            same(fname + " total", weight, pexp["total_weight"])
            same(fname + " samples", samples, pexp["num_samples"])
            same(fname + " distinct", len({tuple(s) for s, _, _ in rows}), pexp["distinct_stacks"])
            same(fname + " functions", funcs, pexp["functions"])
            same(fname + " malformed", bad, exp.get("malformed_line_numbers", []))
            continue
        if data[:2] == b"\x1f\x8b":
            data = gzip.decompress(data)
        doc = json.loads(data.decode("utf-8"))
        try:
            check_speedscope_shape(doc)
        except (AssertionError, KeyError, TypeError) as exc:
            problems.append("%s: not speedscope-shaped: %r" % (fname, exc))
            continue
        same(fname + " profiles", len(doc["profiles"]), exp["num_profiles"])
        frames = doc["shared"]["frames"]
        for prof, pexp in zip(doc["profiles"], exp["profiles"]):
            label = "%s[%s]" % (fname, prof["name"])
            if prof["type"] == "evented":
                try:
                    funcs = interval_totals(doc, prof)
                except AssertionError as exc:
                    problems.append("%s: %s" % (label, exc))
                    continue
                same(label + " functions", funcs, pexp["functions"])
                continue
            rows = [([display((frames[i]["name"], frames[i].get("file"), frames[i].get("line")))
                      for i in s], w, 1) for s, w in zip(prof["samples"], prof["weights"])]
            weight, samples, funcs = tree_totals(rows)
            same(label + " total", weight, pexp["total_weight"])
            same(label + " span", weight, prof["endValue"] - prof["startValue"])
            same(label + " samples", samples, pexp["num_samples"])
            same(label + " functions", funcs, pexp["functions"])
    size = sum(os.path.getsize(os.path.join(outdir, n)) for n in os.listdir(outdir))
    unknown = sorted(set(os.listdir(outdir)) - set(FIXTURE_NAMES) - {"README.md"})
    if unknown:
        problems.append("files not made by this script: %s" % ", ".join(unknown))
    if size > FIXTURES_MAX_BYTES:
        problems.append("fixtures take %d bytes (> %d)" % (size, FIXTURES_MAX_BYTES))
    return problems


# ---------------------------------------------------------------------------

def folded_entry(lines, source, **extra):
    entry = {"format": "folded", "unit": "samples", "source": source,
             "encoding": "utf-8", "bom": False, "compression": None,
             "line_ending": "lf", "num_profiles": 1,
             "profiles": [folded_profile_facts(lines)]}
    entry.update(extra)
    return entry


def speedscope_entry(profiles, source, compression=None):
    facts = []
    for p in profiles:
        if p["type"] == "sampled":
            facts.append(sampled_profile_facts(p))
        else:
            f = {"name": p["name"], "type": "evented", "closed_at_end": p["closed_at_end"]}
            f.update(evented_facts(p["events"], p["startValue"], p["endValue"]))
            facts.append(f)
    return {"format": "speedscope", "unit": profiles[0]["unit"], "source": source,
            "encoding": "utf-8", "compression": compression,
            "num_profiles": len(profiles), "profiles": facts}


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("outdir", nargs="?")
    ap.add_argument("--no-perf", action="store_true", help="skip the optional perf fixture")
    ap.add_argument("--perf-workload", action="store_true", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.perf_workload:
        perf_workload()
        return 0
    if not args.outdir:
        ap.error("OUTDIR is required")
    outdir = args.outdir
    os.makedirs(outdir, exist_ok=True)
    # A stale file from an earlier run (perf_python.folded when perf is now
    # skipped) would sit there without facts; remove only our own names.
    for name in FIXTURE_NAMES:
        path = os.path.join(outdir, name)
        if os.path.exists(path):
            os.remove(path)

    build_inputs()
    json_work(), text_work(), parse_work(), sort_work()    # warm caches before recording
    main_prof = record_main_thread()
    thread_profs = record_two_threads()
    evented_prof = record_evented()
    for p in [main_prof] + thread_profs:
        print("%s: %d samples over %.3f s (%.2f ms apart)" % (
            p["name"], len(p["stacks"]), (p["endValue"] - p["startValue"]) / 1e9,
            (p["endValue"] - p["startValue"]) / 1e6 / len(p["stacks"])))
    print("evented: %d events" % len(evented_prof["events"]))

    pyver = "%d.%d.%d" % sys.version_info[:3]
    files = {}
    cmd = "python3 tests/sampled/make_fixtures.py OUTDIR"

    lines = fold(main_prof)
    text = folded_text(lines)
    base = text.encode("utf-8")
    variants = [
        ("py_sampled.folded", base, {}),
        ("py_sampled.folded.gz", gzip.compress(base, mtime=0), {"compression": "gzip"}),
        ("py_sampled-crlf.folded", folded_text(lines, "\r\n").encode("utf-8"),
         {"line_ending": "crlf"}),
        ("py_sampled-bom.folded", codecs.BOM_UTF8 + base, {"bom": True}),
        ("py_sampled-utf16le.folded", codecs.BOM_UTF16_LE + text.encode("utf-16-le"),
         {"encoding": "utf-16le", "bom": True}),
        ("py_sampled-utf16be.folded", codecs.BOM_UTF16_BE + text.encode("utf-16-be"),
         {"encoding": "utf-16be", "bom": True}),
    ]
    for name, data, extra in variants:
        write_bytes(outdir, name, data)
        files[name] = folded_entry(lines, "py_sampled", **extra)

    ann_lines = annotate(lines)
    write_bytes(outdir, "py_sampled-annotated.folded", folded_text(ann_lines).encode("utf-8"))
    files["py_sampled-annotated.folded"] = folded_entry(
        ann_lines, "py_sampled", annotations=annotation_info(ann_lines))

    com_text, com_info = with_comments(lines, pyver, len(main_prof["stacks"]),
                                       main_prof["endValue"] - main_prof["startValue"])
    write_bytes(outdir, "py_sampled-comments.folded", com_text.encode("utf-8"))
    files["py_sampled-comments.folded"] = folded_entry(lines, "py_sampled", **com_info)

    # The three speedscope files differ in JSON style on purpose, so readers
    # meet each: compact with raw UTF-8 (here), one value per line (threads),
    # and ", "/": " separators with \u escapes (evented, whose zähle_wörter
    # frame is sure to be there).
    doc = json.dumps(speedscope_document("py_sampled", [main_prof]),
                     ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    write_bytes(outdir, "py_sampled.speedscope.json", doc)
    files["py_sampled.speedscope.json"] = speedscope_entry([main_prof], "py_sampled")
    write_bytes(outdir, "py_sampled.speedscope.json.gz", gzip.compress(doc, mtime=0))
    files["py_sampled.speedscope.json.gz"] = speedscope_entry([main_prof], "py_sampled",
                                                              compression="gzip")

    doc = json.dumps(speedscope_document("py_threads", thread_profs), ensure_ascii=False,
                     indent=0).encode("utf-8")
    write_bytes(outdir, "py_threads.speedscope.json", doc)
    files["py_threads.speedscope.json"] = speedscope_entry(thread_profs, "py_threads")

    doc = json.dumps(speedscope_document("py_evented", [evented_prof]),
                     ensure_ascii=True).encode("utf-8")
    write_bytes(outdir, "py_evented.speedscope.json", doc)
    files["py_evented.speedscope.json"] = speedscope_entry([evented_prof], "py_evented")

    perf_note = None
    if args.no_perf:
        perf_note = "skipped (--no-perf)"
    else:
        with tempfile.TemporaryDirectory() as tmp:
            perf_lines, info = record_perf(tmp)
        if perf_lines is None:
            perf_note = "skipped: " + info
        else:
            write_bytes(outdir, "perf_python.folded", folded_text(perf_lines).encode("utf-8"))
            files["perf_python.folded"] = folded_entry(
                perf_lines, "perf", command=info["command"],
                annotations=annotation_info(perf_lines))
            if os.path.getsize(os.path.join(outdir, "perf_python.folded")) > FOLDED_MAX_BYTES_WARN:
                print("warning: perf_python.folded is large", file=sys.stderr)
    if perf_note:
        print("perf_python.folded: " + perf_note)

    expected = {
        "schema_version": SCHEMA_VERSION,
        "generator": cmd,
        "python": pyver,
        "display_name_rule": "name (file:line); name (file) without a line; "
                             "name alone without a file. Folded frame text minus "
                             "a trailing _[k]/_[j]/_[i]/_[w] annotation.",
        "perf": perf_note or "recorded",
        "files": files,
    }
    with open(os.path.join(outdir, "expected.json"), "w", encoding="utf-8") as f:
        json.dump(expected, f, ensure_ascii=False, indent=1, sort_keys=True)
        f.write("\n")

    problems = self_check(outdir, expected)
    for p in problems:
        print("CHECK FAILED: " + p, file=sys.stderr)
    for name in sorted(os.listdir(outdir)):
        print("%9d  %s" % (os.path.getsize(os.path.join(outdir, name)), name))
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())

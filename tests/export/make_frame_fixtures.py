#!/usr/bin/env python3
"""Make the fixtures of frames whose names and files hold parentheses (issue 20
item 7), from real runs with the standard library only.

    python3 tests/export/make_frame_fixtures.py tests/export/fixtures/frames

The workload's modules are compiled with Windows and POSIX file names that hold
parentheses (`C:\\Program Files (x86)\\Python311\\Lib\\json\\decoder.py`, an
unbalanced `D:\\src\\odd(dir\\util.py`, ...), and some functions are renamed
(code.replace(co_name=...)) to names that hold them too (`f(x)`, a name that
looks like a whole frame). Then:

* frames-pyspy.folded: the workload sampled the way py-spy samples (a thread
  reading sys._current_frames() about every millisecond) and written the way
  `py-spy record -f raw` writes: one line per distinct stack, root first,
  frames `co_name (co_filename:f_lineno)`, the number of samples after a space.
* frames-cprofile.prof: the same workload under cProfile (its own marshal
  output, pstats' input).
* frames-pyspy.json: the sampler's recording, the reference the tests compare
  against: every stack as [[name, file, line], ...] with its samples, computed
  from the frames themselves, never by reading the folded file back.

Regenerating changes the samples (the timings are real).
"""
import cProfile
import collections
import json
import os
import sys
import threading
import time

# file name -> source; the line numbers are real: each function sits where the
# padding puts it (decode at line 337, as json's decoder.py has it)
DECODER = r'C:\Program Files (x86)\Python311\Lib\json\decoder.py'
MAIN = r'C:\Users\me (work)\app (v2)\main.py'
UTIL = r'D:\src\odd(dir\util.py'
POSIX = '/home/u/proj (copy)/lib/x (1).py'

SOURCES = {
    DECODER: '\n' * 336 + '''def decode(s, rounds):
    total = 0
    for _ in range(rounds):
        total += len(s.split(','))
    return total
''',
    UTIL: '\n' * 4 + '''def helper(n):
    acc = 0
    for i in range(n):
        acc += i * i
    return acc
''',
    POSIX: '''def parse(text):
    out = []
    for word in text.split():
        out.append(word[::-1])
    return out


def call_parse(n):
    k = 0
    for _ in range(n):
        k += len(parse('a b c d e f g h ' * 8))
    return k
''',
    MAIN: '''def fx(n):
    return helper(n)


def looks_like_frame(n):
    return call_parse(n)


def work(seconds):
    end = time.perf_counter() + seconds
    s = ','.join(str(i) for i in range(200))
    while time.perf_counter() < end:
        decode(s, 20)
        fx(3000)
        looks_like_frame(20)
''',
}

# function -> the name its code object gets: names with parentheses
RENAME = {
    'fx': 'f(x)',
    'looks_like_frame': 'g (h.py:1)',
}


def load():
    """The workload's functions, compiled under their file names, renamed."""
    ns = {'time': time}
    for path in (DECODER, UTIL, POSIX, MAIN):
        exec(compile(SOURCES[path], path, 'exec'), ns)
    for fn, name in RENAME.items():
        f = ns[fn]
        f.__code__ = f.__code__.replace(co_name=name, co_qualname=name) if sys.version_info >= (3, 11) \
            else f.__code__.replace(co_name=name)
    return ns


class Sampler:
    """py-spy's view from inside: the target thread's stack every ~1 ms."""

    def __init__(self, target, entry):
        self.target, self.entry = target, entry
        self.stacks = collections.Counter()
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self.run, daemon=True)

    def run(self):
        while not self.stop.is_set():
            frame = sys._current_frames().get(self.target)
            stack = []
            while frame is not None:
                code = frame.f_code
                stack.append((code.co_name, code.co_filename, frame.f_lineno))
                if code is self.entry:
                    break
                frame = frame.f_back
            # only samples inside the workload: its entry is the root
            if stack and stack[-1][0] == self.entry.co_name and stack[-1][1] == self.entry.co_filename:
                self.stacks[tuple(reversed(stack))] += 1
            time.sleep(0.001)


def pyspy_frame(name, file, line):
    """py-spy's frame text (src/main.rs / flamegraph.rs: "{} ({}:{})")."""
    return '%s (%s:%d)' % (name, file, line)


def main(argv):
    if len(argv) != 1:
        raise SystemExit(__doc__)
    out = argv[0]
    os.makedirs(out, exist_ok=True)
    ns = load()
    sys.setswitchinterval(0.0002)
    sampler = Sampler(threading.get_ident(), ns['work'].__code__)
    sampler.thread.start()
    ns['work'](1.5)
    sampler.stop.set()
    sampler.thread.join()
    stacks = sorted(sampler.stacks.items())
    with open(os.path.join(out, 'frames-pyspy.folded'), 'w', encoding='utf-8', newline='\n') as f:
        for stack, n in stacks:
            f.write('%s %d\n' % (';'.join(pyspy_frame(*fr) for fr in stack), n))
    with open(os.path.join(out, 'frames-pyspy.json'), 'w', encoding='utf-8') as f:
        json.dump({'python': sys.version.split()[0],
                   'stacks': [[[list(fr) for fr in stack], n] for stack, n in stacks]}, f, indent=1)
        f.write('\n')
    prof = cProfile.Profile()
    prof.runcall(ns['work'], 0.3)
    prof.dump_stats(os.path.join(out, 'frames-cprofile.prof'))
    names = {fr[0] for stack, _ in stacks for fr in stack}
    print('%d stacks, %d samples, functions %s' % (len(stacks), sum(n for _, n in stacks), sorted(names)))
    return 0


if __name__ == '__main__':
    sys.exit(main(sys.argv[1:]))

#!/usr/bin/env python3
"""Writes the small seed inputs in tests/fuzz/corpus_folded/ and
tests/fuzz/corpus_speedscope/ (run by hand; the output is committed; stdlib only).

Handcrafted seeds cover what the readers know (BOMs, UTF-16, CRLF, comments,
fractional counts, annotations, py-spy frames; sampled and evented profiles,
several threads, --lenient repairs) and a few trimmed-down real profiles from
tests/sampled/fixtures (the first lines / samples / events only), so every seed
stays well below 20 KB. The speedscope target reads its options from the last
byte of an input (bit 0 --lenient, bit 1 --merge-threads): seeds end in '}',
'\\n', ' ' or '\\t' to start from each combination."""
import json
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
FIXTURES = os.path.join(HERE, '..', 'sampled', 'fixtures')
OUT_FOLDED = os.path.join(HERE, 'corpus_folded')
OUT_SPEEDSCOPE = os.path.join(HERE, 'corpus_speedscope')
MAX_SEED = 20000


def fixture_lines(name, n):
    with open(os.path.join(FIXTURES, name), 'rb') as f:
        return b''.join(f.read().splitlines(keepends=True)[:n])


def folded_seeds():
    S = {}
    S['simple'] = b'main;a;b 3\nmain;a;c 1\nmain;d 2\n'
    S['no-final-newline'] = b'main;a 1\nmain;b 2'
    S['crlf'] = b'main;a 1\r\nmain;b 2\r\n'
    S['bom-utf8'] = b'\xef\xbb\xbfmain;a 1\nmain;b 2\n'
    text = 'main;z\u00e4hle_w\u00f6rter (w.py:3);\U0001f600 5\nmain;b 2\n'
    S['utf16le'] = b'\xff\xfe' + text.encode('utf-16-le')
    S['utf16be'] = b'\xfe\xff' + text.encode('utf-16-be')
    S['comments'] = b'# austin: 3.6\n# mode: wall\n\nmain;a 1\n  # indented\n\t\nmain;b 2\nbroken line\n'
    S['fractions'] = b'main;a 0.5\nmain;b 1.25e2\nmain;c 0\nmain;d 9007199254740992\n'
    S['annotated'] = b'perf;_start_[k];libc_[j];inl_[i];w_[w] 4\nperf;_start_[k] 1\n'
    S['pyspy'] = (b'<module> (app.py:1);main (app.py:10);f (lib/x.py:22) 7\n'
                  b'<module> (app.py:1);g (app.py) 1\nthread (idle) 2\nh (a:1:2) 1\n')
    S['tabs-spaces'] = b'  main;a\t3\nmain;b   \t 4\nmain;c 5 \n'
    S['recursion'] = b';'.join([b'f'] * 40) + b' 1\n' + b';'.join([b'f', b'g'] * 20) + b' 2\n'
    S['malformed'] = b'no count\na;b -1\na;b nan\na;b 0x10\na;b 1e400\na;b 1\n'
    S['utf16-lone-surrogate'] = b'\xff\xfe' + b'\x00\xd8' + 'a;b 1\n'.encode('utf-16-le') + b'\x00\xdc' + b'x'
    S['py-sampled-head'] = fixture_lines('py_sampled.folded', 12)
    S['perf-head'] = fixture_lines('perf_python.folded', 6)
    S['annotated-head'] = fixture_lines('py_sampled-annotated.folded', 10)
    return S


def trim_sampled(doc, nsamples):
    """The first nsamples samples of the first profile, with only their frames."""
    frames = doc['shared']['frames']
    prof = doc['profiles'][0]
    samples, weights = prof['samples'][:nsamples], prof['weights'][:nsamples]
    used = sorted({i for s in samples for i in s})
    remap = {old: new for new, old in enumerate(used)}
    out = dict(doc)
    out['shared'] = {'frames': [frames[i] for i in used]}
    p = dict(prof)
    p['samples'] = [[remap[i] for i in s] for s in samples]
    p['weights'] = weights
    p['endValue'] = p.get('startValue', 0) + sum(weights)
    out['profiles'] = [p]
    return out


def trim_evented(doc, nevents):
    """The first nevents events, then closes for what is still open."""
    frames = doc['shared']['frames']
    prof = doc['profiles'][0]
    events = prof['events'][:nevents]
    stack = []
    for e in events:
        if e['type'] == 'O':
            stack.append(e['frame'])
        elif stack:
            stack.pop()
    last = events[-1]['at'] if events else 0
    events = events + [{'type': 'C', 'frame': f, 'at': last} for f in reversed(stack)]
    used = sorted({e['frame'] for e in events})
    remap = {old: new for new, old in enumerate(used)}
    out = dict(doc)
    out['shared'] = {'frames': [frames[i] for i in used]}
    p = dict(prof)
    p['events'] = [dict(e, frame=remap[e['frame']]) for e in events]
    p['endValue'] = last
    out['profiles'] = [p]
    return out


def js(obj, end=b'\n'):
    return json.dumps(obj, separators=(',', ':'), ensure_ascii=False).encode('utf-8') + end


def speedscope_seeds():
    F = [{'name': 'main', 'file': 'app.py', 'line': 1}, {'name': 'a', 'file': 'app.py', 'line': 5},
         {'name': 'b'}, {'name': 'c', 'file': None, 'line': None}]
    schema = 'https://www.speedscope.app/file-format-schema.json'
    sampled = {'type': 'sampled', 'name': 'MainThread', 'unit': 'nanoseconds', 'startValue': 0, 'endValue': 60,
               'samples': [[0, 1], [0, 1, 2], [0], [], [0, 3]], 'weights': [10, 20, 5, 0, 25]}
    evented = {'type': 'evented', 'name': 'ev', 'unit': 'milliseconds', 'startValue': 0, 'endValue': 10,
               'events': [{'type': 'O', 'frame': 0, 'at': 0}, {'type': 'O', 'frame': 1, 'at': 1},
                          {'type': 'O', 'frame': 1, 'at': 2}, {'type': 'C', 'frame': 1, 'at': 3},
                          {'type': 'C', 'frame': 1, 'at': 4}, {'type': 'O', 'frame': 2, 'at': 5},
                          {'type': 'C', 'frame': 2, 'at': 7}, {'type': 'C', 'frame': 0, 'at': 9}]}
    S = {}
    base = {'$schema': schema, 'shared': {'frames': F}, 'exporter': 'seed@1', 'name': 'seed',
            'activeProfileIndex': 0}
    S['sampled'] = js(dict(base, profiles=[sampled]), b' ')
    S['sampled-lenient'] = js(dict(base, profiles=[sampled]), b'\t')
    S['evented'] = js(dict(base, profiles=[evented]), b' ')
    S['threads'] = js(dict(base, profiles=[sampled, dict(sampled, name='worker', samples=[[2, 3]], weights=[7])]),
                      b' ')
    S['threads-merge'] = js(dict(base, profiles=[sampled, dict(sampled, name='w2')]), b'\n')
    S['mixed-kinds'] = js(dict(base, profiles=[sampled, evented]), b' ')
    # broken event streams: strict refuses them, --lenient (last byte '\t' or '}') repairs
    broken = dict(evented, events=[{'type': 'O', 'frame': 0, 'at': 5}, {'type': 'O', 'frame': 1, 'at': 4},
                                   {'type': 'C', 'frame': 0, 'at': 6}, {'type': 'C', 'frame': 2, 'at': 7},
                                   {'type': 'O', 'frame': 3, 'at': 8}])
    S['evented-broken-strict'] = js(dict(base, profiles=[broken]), b' ')
    S['evented-broken-lenient'] = js(dict(base, profiles=[broken]), b'\t')
    S['units'] = js(dict(base, profiles=[dict(sampled, unit=u) for u in
                                          ('none', 'microseconds', 'seconds', 'bytes')]), b' ')
    S['bom'] = b'\xef\xbb\xbf' + js(dict(base, profiles=[sampled]), b' ')
    S['escapes'] = (b'{"shared":{"frames":[{"name":"a\\u0000b\\ud83d\\ude00\\n\\"q\\"","file":"\\u00e4.py",'
                    b'"line":1e2}]},"profiles":[{"type":"sampled","unit":"none","startValue":-1.5e3,'
                    b'"endValue":2E+3,"samples":[[0,0.0,-0]],"weights":[1.5e-3]}]} ')
    S['minimal'] = b'{"shared":{"frames":[]},"profiles":[{"type":"evented","unit":"none","events":[]}]} '
    with open(os.path.join(FIXTURES, 'py_sampled.speedscope.json'), 'rb') as f:
        S['py-sampled-trimmed'] = js(trim_sampled(json.load(f), 25), b' ')
    with open(os.path.join(FIXTURES, 'py_evented.speedscope.json'), 'rb') as f:
        S['py-evented-trimmed'] = js(trim_evented(json.load(f), 60), b' ')
    with open(os.path.join(FIXTURES, 'py_threads.speedscope.json'), 'rb') as f:
        doc = json.load(f)
        a = trim_sampled(doc, 8)
        b = trim_sampled(dict(doc, profiles=doc['profiles'][1:]), 8)
        S['py-threads-trimmed'] = js(a, b' ')
        S['py-threads-2-trimmed'] = js(b, b'\n')
    return S


def write(out, seeds, ext):
    os.makedirs(out, exist_ok=True)
    for name, data in seeds.items():
        assert len(data) < MAX_SEED, (name, len(data))
        with open(os.path.join(out, name + ext), 'wb') as f:
            f.write(data)
    print('%d seeds in %s' % (len(seeds), out))


def main():
    write(OUT_FOLDED, folded_seeds(), '.folded')
    write(OUT_SPEEDSCOPE, speedscope_seeds(), '.json')
    return 0


if __name__ == '__main__':
    sys.exit(main())

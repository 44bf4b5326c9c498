#!/usr/bin/env python3
"""Bad .prof inputs for profview's error-handling tests (stdlib only).

Every case is a Case: the bytes to write (or a special path: a directory, a
FIFO, a missing file), what profview must do with it, and which run modes to
try.  Everything is derived deterministically from the committed fixtures in
tests/golden/fixtures and a fixed RNG seed, so a failure always reproduces.

Groups (each is one meson test, see meson.build):
  cases     the small handcrafted files committed in tests/bad/cases/ (each
            NAME.prof with a NAME.expect) plus the special paths
  hostile   generated hostile inputs: 100k-deep nesting, sizes claiming
            gigabytes, every unknown type code, every non-marshal first byte,
            amplification through shared references...
  truncate  real fixtures cut at many offsets (every offset of the small ones)
  corrupt   real fixtures with single bytes flipped or replaced at many offsets;
            these may legitimately still parse, so exit 0 (with a usable import)
            and exit 1 (with a proper error line) are both accepted
  folded    folded stacks: the committed cases-folded/ (NAME.folded + NAME.expect),
            big/hostile inputs made at test time (1 MB lines, 100k-deep stacks,
            100k distinct frames, NUL bytes, UTF-16 with odd bytes and lone
            surrogates, counts whose sum overflows int64), and truncated/corrupted
            tests/sampled/fixtures; valid-after-all inputs must import with the
            samples, weight and warning FoldedModel predicts
  speedscope speedscope JSON: the committed cases-speedscope/ (bad frame indexes,
            weights, event streams with and without --lenient, JSON oddities), and
            at test time deep nesting, a million events, 4096+ profiles, the DOM
            blow-up of many small values, truncated/corrupted fixtures
  gzip      gzip input: the committed cases-gzip/ (headers, trailers, members),
            member boundaries at the 1 MiB read chunk, truncated/corrupted gzip
            fixtures, 100-member files, and gzip bombs (2 GiB read whole must be
            refused beyond the 1 GiB limit; 300 MB streamed into the folded reader
            must stay in bounded memory)

Expectations ("status"):
  error  exit status 1 and one line "error: 'PATH': ..." on stderr
  ok     exit status 0
  any    either of the two above (never a crash, hang or sanitizer report)
An "at byte N" at the end of the line must have N <= the file size; it is required
(at_byte=True, the default) where the problem is at the marshal level. Corrupted
fixtures (at_byte=False) may also fail at the pstats level, with or without it.
For gzip input the content's errors count inflated bytes (at_max bounds them).
On exit 0 the folded/speedscope/gzip cases may print the reader's warnings only
as the case says (warn), and the imported profiles must be consistent call trees
with the expected facts (expect: profiles, samples, weight, functions, nodes).

Usage:
  make_bad.py OUTDIR [--group G]...   write the cases' files and a manifest.tsv
  make_bad.py --write-cases [DIR]     (re)write the committed tests/bad/cases/ (and,
                                      without DIR, cases-folded/, cases-speedscope/,
                                      cases-gzip/)
"""
import argparse
import json
import marshal
import math
import os
import random
import re
import struct
import sys
import zlib

HERE = os.path.dirname(os.path.abspath(__file__))
FIXTURES = os.path.join(HERE, '..', 'golden', 'fixtures')
CASES_DIR = os.path.join(HERE, 'cases')
SEED = 20240611

GROUPS = ('cases', 'hostile', 'truncate', 'corrupt', 'folded', 'speedscope', 'gzip')


class Case:
    """One bad input. data is bytes, or None for a special path (special names
    it: 'dir', 'fifo', 'missing', 'missing-dir', 'devnull'); 'odd-name' writes data
    under a file name with a newline and a quote in it, 'long-path' under a path of
    about 700 bytes."""

    def __init__(self, name, data, status='error', stderr=None, stdout=None, at_byte=True,
                 modes=('import', 'sort'), special=None, timeout=None, sort_on_error=True, sort_args=(),
                 ext='.prof', args=(), expect=None, warn=None, forbid=None, at_max=None, max_rss_mb=None,
                 memory_cap=None, sanitizers=True, sort_mark=None):
        assert status in ('error', 'ok', 'any')
        self.name = name
        self.data = data    # bytes, None (special), or a function making the bytes (big inputs)
        # For the folded/speedscope/gzip groups:
        self.ext = ext                  # the input file's suffix
        self.args = tuple(args)         # extra import options (--format, --lenient, ...): then import only
        if self.args:
            modes = tuple(m for m in modes if m == 'import')
        # facts the imported profile(s) must show when the run succeeds (status ok, or any
        # and accepted): profiles (ids printed), samples, weight, functions, nodes, kind, unit
        self.expect = dict(expect or {})
        # warnings on a successful run: None none allowed, '*' any, else one must contain this
        self.warn = warn
        self.forbid = forbid            # a refusal must not say this (a misleading message)
        self.at_max = at_max            # bound of "at byte N" when not the file size (gzip: inflated size)
        self.max_rss_mb = max_rss_mb    # peak resident memory of a run (bounded-memory checks)
        self.memory_cap = memory_cap    # address-space cap of a run (normal builds) instead of 1 GiB
        self.sanitizers = sanitizers    # False: skipped in sanitizer builds (no address-space cap there)
        self.sort_mark = sort_mark      # bytes `sort` must print (default: pstats' "function calls")
        self.status = status
        self.stderr = stderr
        self.stdout = stdout
        self.at_byte = at_byte
        self.modes = tuple(modes)
        self.special = special
        self.timeout = timeout      # seconds per run, when shorter than the runner's
        # False: run sort only when import accepted the file (saves time on the many
        # truncations/corruptions that import already refused the same way)
        self.sort_on_error = sort_on_error
        self.sort_args = tuple(sort_args)   # replace the default '--by tottime --limit 30'

    def __repr__(self):
        return 'Case(%r, %s)' % (self.name, self.status)


# --- marshal building blocks -------------------------------------------------

def i32(v):
    return struct.pack('<i', v)


def u32(v):
    return struct.pack('<I', v)


def m(obj):
    """Marshal without references (version 2), so byte layouts are predictable."""
    return marshal.dumps(obj, 2)


KEY = ('a.py', 1, 'f')
KEY2 = ('b.py', 2, 'g')
GOOD_VALUE = (1, 1, 0.5, 0.5, {})


def entry_dict(*pairs):
    """A marshalled dict from raw key/value byte strings."""
    return b'{' + b''.join(k + v for k, v in pairs) + b'0'


# --- committed handcrafted cases ---------------------------------------------

def handcrafted():
    """Small hostile files, committed as tests/bad/cases/NAME.prof + NAME.expect."""
    nan, inf = float('nan'), float('inf')
    C = []
    add = lambda *a, **k: C.append(Case(*a, **k))

    # not marshal at all
    add('empty', b'', stderr='empty file', at_byte=False)
    # text is read as folded stacks when its lines are stacks, and JSON as speedscope
    # when it may be: the reader or the format detection says what is wrong in its own
    # terms (a line, not a byte)
    add('text', b'this is not a profile, just text\n', stderr='no line holds a stack and a count', at_byte=False)
    add('json', b'{"a.py:1(f)": [1, 1, 0.5, 0.5, {}]}\n', stderr="is JSON, but not speedscope JSON",
        at_byte=False)
    add('json-array', b'[{"calls": 1}]\n', stderr='is JSON, but not speedscope JSON', at_byte=False)
    add('top-list', m([KEY, GOOD_VALUE]), stderr='unrecognised format')
    add('top-none', m(None), stderr='no line holds a stack and a count', at_byte=False)
    add('only-brace', b'{', stderr='truncated marshal data at byte 1')
    add('no-terminator', m({KEY: GOOD_VALUE})[:-1], stderr='truncated marshal data')

    # sizes larger than the bytes left
    add('str-2g', b'{s' + i32(0x7fffffff) + b'abc', stderr='size 2147483647 exceeds the 3 bytes left')
    add('str-4g', b'{s' + u32(0xffffffff) + b'abc', stderr='negative size -1')
    add('unicode-neg', b'{u' + u32(0x80000000) + b'abc', stderr='negative size -2147483648')
    add('str-one-short', b'{(\x03\x00\x00\x00u\x05\x00\x00\x00abcd', stderr='size 5 exceeds the 4 bytes left')
    add('tuple-2g', b'{(' + i32(0x7fffffff) + b'NNNN', stderr='exceeds the 4 bytes left')
    add('tuple-neg', b'{(' + u32(0xfffffffe) + b'NNNN', stderr='negative size -2')
    add('list-2g', b'{[' + i32(0x7fffffff) + b'NNNN', stderr='exceeds the 4 bytes left')
    add('set-2g', b'{<' + i32(0x7fffffff) + b'NNNN', stderr='exceeds the 4 bytes left')
    add('small-tuple-255', b'{)\xffNNN', stderr='exceeds the 3 bytes left')
    add('long-2g-digits', b'{l' + i32(0x7fffffff) + b'\x01\x00', stderr='digits exceeds')
    add('long-neg-2g-digits', b'{l' + i32(-0x7fffffff) + b'\x01\x00', stderr='digits exceeds')
    add('long-int32-min', b'{l' + i32(-0x80000000) + b'\x01\x00', stderr='bad long size')
    add('long-bad-digit', b'{l\x01\x00\x00\x00\xff\xff0', stderr='bad digit in marshal long at byte 6')

    # references
    add('ref-out-of-range', b'{r\x05\x00\x00\x00N0', stderr='bad object reference 5 in marshal data at byte 1')
    add('ref-negative', b'{r\xff\xff\xff\xffN0', stderr='bad object reference -1 in marshal data at byte 1')
    add('ref-unfinished-dict', b'\xfbr\x00\x00\x00\x00N0', stderr='bad object reference 0 in marshal data at byte 1')
    add('ref-unfinished-tuple', b'{\xa8\x02\x00\x00\x00Nr\x00\x00\x00\x00N0',
        stderr='bad object reference 0 in marshal data at byte 7')
    add('strref-none-interned', b'{R\x00\x00\x00\x00N0', stderr='bad string reference 0 in marshal data at byte 1')

    # unknown codes, nulls, bad floats, bad code objects
    add('unknown-code', b'{?NN0', stderr='unknown marshal type code 0x3f at byte 1')
    add('unknown-code-flagged', b'{\xbfNN0', stderr='unknown marshal type code 0xbf at byte 1')
    add('null-value', b'{N00', stderr='unexpected null in marshal data at byte 2')
    add('null-in-tuple', b'{(\x02\x00\x00\x00N0N0', stderr='unexpected null in marshal data at byte 7')
    add('float-text-bad', b'{f\x03abcN0', stderr='bad float text')
    add('float-text-empty', b'{f\x00N0', stderr='bad float text')
    add('code-garbage', b'{c' + b'N' * 64, stderr='bad code object')
    add('nested-250', b'{' + b'(\x01\x00\x00\x00' * 250 + b'N' + b'N0', stderr='nested deeper than')

    # well-formed marshal that is not a profile
    add('value-3tuple', m({KEY: (1, 2, 3)}), stderr='function stats are not a (cc, nc, tt, ct, callers) tuple')
    add('value-int', m({KEY: 7}), stderr='function stats are not')
    add('value-6tuple', m({KEY: (1, 1, 0.5, 0.5, {}, None)}), stderr='function stats are not')
    add('key-str', m({'a.py': GOOD_VALUE}), stderr='function key is not a (file, line, name) tuple')
    add('key-int', m({5: GOOD_VALUE}), stderr='function key is not')
    add('key-line-str', m({('a.py', '1', 'f'): GOOD_VALUE}), stderr='function key is not')
    add('key-file-int', m({(1, 1, 'f'): GOOD_VALUE}), stderr='function key is not')
    add('key-2tuple', m({('a.py', 1): GOOD_VALUE}), stderr='function key is not')
    add('key-4tuple', m({('a.py', 1, 'f', 'x'): GOOD_VALUE}), stderr='function key is not')
    add('callers-list', m({KEY: (1, 1, 0.5, 0.5, [])}), stderr='callers of a function is not a dict')
    add('callers-none', m({KEY: (1, 1, 0.5, 0.5, None)}), stderr='callers of a function is not a dict')
    add('caller-2tuple', m({KEY: (1, 1, 0.5, 0.5, {KEY2: (1, 2)})}), stderr='caller stats are neither')
    add('caller-str', m({KEY: (1, 1, 0.5, 0.5, {KEY2: 'x'})}), stderr='caller stats are neither')
    add('caller-times-str', m({KEY: (1, 1, 0.5, 0.5, {KEY2: (1, 1, 'x', 0.5)})}),
        stderr='caller stats are not (calls, primitive calls, tottime, cumtime)')
    add('caller-key-str', m({KEY: (1, 1, 0.5, 0.5, {'x': 1})}), stderr='function key is not')
    add('counts-float', m({KEY: (1.5, 1, 0.5, 0.5, {})}), stderr='call counts are not integers')
    add('counts-none', m({KEY: (1, None, 0.5, 0.5, {})}), stderr='call counts are not integers')
    add('times-str', m({KEY: (1, 1, 'x', 0.5, {})}), stderr='times are not numbers')
    add('times-none', m({KEY: (1, 1, 0.5, None, {})}), stderr='times are not numbers')
    # Python ints have no size limit, int64 counts do: refusing is fine, crashing is not
    add('counts-2e70', m({KEY: (2 ** 70, 1, 0.5, 0.5, {})}), status='any')

    # odd but valid: pstats loads all of these
    # pstats.Stats raises TypeError on an empty stats dict
    add('empty-dict', m({}), stderr='empty', at_byte=False)
    add('trailing-garbage', m({KEY: GOOD_VALUE}) + b'\x00garbage', status='ok', stdout='a.py:1(f)')
    add('bool-counts', m({KEY: (True, True, 0.5, 0.5, {})}), status='ok', stdout='a.py:1(f)')
    add('negative-values', m({KEY: (-1, -5, -0.5, -1e300, {KEY2: (-1, -1, -0.5, -0.5)})}), status='ok')
    add('line-extremes', m({('a.py', -2 ** 63, 'f'): GOOD_VALUE, ('a.py', 2 ** 63 - 1, 'f'): GOOD_VALUE}),
        status='ok', stdout='a.py:9223372036854775807(f)')
    add('nul-in-strings', m({('a\x00.py', 1, 'f\x00g'): GOOD_VALUE, ('a\x00.py', 1, 'f\x00h'): GOOD_VALUE}),
        status='ok')
    add('invalid-utf8', b'{)\x03s' + i32(5) + b'\xff\xfe.pyi' + i32(1) + b's' + i32(1) + b'\x80' + m(GOOD_VALUE) + b'0',
        status='ok')
    add('repeated-key', m({KEY: GOOD_VALUE})[:-1] + m({KEY: (2, 2, 1.0, 1.0, {})})[1:], status='ok',
        stdout='a.py:1(f)')
    # NaN and inf times: pstats prints them; an import may also refuse them cleanly
    add('nan-times', m({KEY: (1, 1, nan, inf, {}), KEY2: (2, 2, 0.5, nan, {KEY: (1, 1, nan, -inf)})}),
        status='any')
    # two counts of 2**63-1: pstats prints "18446744073709551614 function calls";
    # the sum does not fit an int64 (UBSan: signed overflow if it is not checked)
    add('counts-sum-overflow', m({KEY: (2 ** 63 - 1, 2 ** 63 - 1, 1.0, 1.0, {}),
                                  KEY2: (2 ** 63 - 1, 2 ** 63 - 1, 0.5, 0.5, {})}), status='any',
        stdout='18446744073709551614 function calls in 1.500 seconds')
    # the same through --strip-dirs, which merges /x/a.py:1(f) and /y/a.py:1(f) and
    # their callers: pstats sums to 18446744073709551614 calls each
    big = 2 ** 63 - 1
    add('counts-strip-overflow', m({('/x/a.py', 1, 'f'): (big, big, 1.0, 1.0, {('/z/c.py', 3, 'h'): (big, big, 1.0, 1.0)}),
                                    ('/y/a.py', 1, 'f'): (big, big, 1.0, 1.0, {('/w/c.py', 3, 'h'): (big, big, 1.0, 1.0)})}),
        status='any', sort_args=('--strip-dirs',),
        stdout='18446744073709551614    2.000    0.000    2.000    0.000 a.py:1(f)')
    return C


def special_cases():
    C = [
        Case('directory', None, special='dir', at_byte=False),
        Case('missing', None, special='missing', stderr='No such file or directory', at_byte=False),
        Case('missing-dir', None, special='missing-dir', stderr='No such file or directory', at_byte=False),
        Case('fifo', None, special='fifo', at_byte=False),
        Case('devnull', None, special='devnull', at_byte=False),
        # a truncated file whose name holds a newline and a quote: still one stderr line
        Case('odd-name', b'{)\x03', special='odd-name'),
        # a path of ~700 bytes (PATH_MAX is 4096): the error line must still name all of it
        Case('long-path', b'{)\x03', special='long-path'),
    ]
    return C


def read_expect(path):
    exp = {}
    with open(path, encoding='utf-8') as f:
        for line in f:
            line = line.rstrip('\n')
            if not line or line.startswith('#'):
                continue
            k, _, v = line.partition(':')
            exp[k.strip()] = v.strip()
    return exp


def format_expect(c):
    lines = ['status: %s' % c.status]
    if c.stderr:
        lines.append('stderr: %s' % (' | '.join(c.stderr) if isinstance(c.stderr, tuple) else c.stderr))
    if c.stdout:
        lines.append('stdout: %s' % c.stdout)
    if not c.at_byte:
        lines.append('at_byte: no')
    if c.sort_args:
        lines.append('sort_args: %s' % ' '.join(c.sort_args))
    return '\n'.join(lines) + '\n'


def committed_cases(cases_dir=CASES_DIR):
    """The committed NAME.prof files with their NAME.expect."""
    C = []
    for fn in sorted(os.listdir(cases_dir)):
        if not fn.endswith('.prof'):
            continue
        name = fn[:-5]
        with open(os.path.join(cases_dir, fn), 'rb') as f:
            data = f.read()
        exp = read_expect(os.path.join(cases_dir, name + '.expect'))
        C.append(Case(name, data, status=exp.get('status', 'error'), stderr=exp.get('stderr') or None,
                      stdout=exp.get('stdout') or None, at_byte=exp.get('at_byte', 'yes') != 'no',
                      sort_args=exp.get('sort_args', '').split()))
    return C


def write_committed(cases_dir=CASES_DIR):
    os.makedirs(cases_dir, exist_ok=True)
    for c in handcrafted():
        with open(os.path.join(cases_dir, c.name + '.prof'), 'wb') as f:
            f.write(c.data)
        with open(os.path.join(cases_dir, c.name + '.expect'), 'w', encoding='utf-8') as f:
            f.write(format_expect(c))


# --- generated hostile cases ---------------------------------------------------

# every type code profview's marshal reader knows (without the 0x80 ref flag)
KNOWN_CODES = set(b'0NFTS.iIlfgxystuaAzZRr()[<>{c')


def hostile():
    C = []
    add = lambda *a, **k: C.append(Case(*a, **k))
    N = 100000
    # 100k-deep nesting: no stack overflow, a depth error
    add('nest-tuple-100k', b'{' + b'(\x01\x00\x00\x00' * N + b'N' * 2, stderr='nested deeper than')
    add('nest-ref-tuple-100k', b'{' + b'\xa8\x01\x00\x00\x00' * N + b'N' * 2, stderr='nested deeper than')
    add('nest-small-tuple-100k', b'{' + b')\x01' * N + b'N' * 2, stderr='nested deeper than')
    add('nest-list-100k', b'{' + b'[\x01\x00\x00\x00' * N + b'N' * 2, stderr='nested deeper than')
    add('nest-set-100k', b'{' + b'<\x01\x00\x00\x00' * N + b'N' * 2, stderr='nested deeper than')
    add('nest-dict-100k', b'{' * N + b'0' * N, stderr='nested deeper than')
    add('nest-ref-dict-100k', b'\xfb' * N + b'0' * N, stderr='nested deeper than')
    add('nest-tuple-100k-top', b'(\x01\x00\x00\x00' * N + b'N', stderr='unrecognised format')
    add('nest-in-value-100k', b'{' + m(KEY) + b'(\x01\x00\x00\x00' * N + b'N0',
        stderr='nested deeper than')
    # code objects nested in code objects (python -m profile keys use them)
    code = b'c' + b'\x00' * 20 + b's\x00\x00\x00\x00'
    add('nest-code-100k', b'{' + code * 20000, stderr='at byte')
    # many references / interned strings: fine to refuse, but no blow-up
    add('many-refs', b'{' + b'\xa8\x01\x00\x00\x00' * 150 + b'\xe9\x01\x00\x00\x00' + b'r\x00\x00\x00\x00' * 40000 + b'0',
        stderr='at byte')
    add('many-interned', b'{' + b'(\x03\x00\x00\x00' + b't\x01\x00\x00\x00x' + b'i\x01\x00\x00\x00' +
        b'R\x00\x00\x00\x00' + b'[' + i32(50000) + b't\x01\x00\x00\x00y' * 25000 +
        b'R' + i32(25000) + (b'R' + i32(1)) * 24999 + b'0', stderr='function stats are not')

    # sizes claiming up to 4 GB, for every sized type code, at the top of the
    # dict and deep inside a real-looking entry
    for code in b'stuaA':
        for size in (0x7fffffff, 0xffffffff, 0x80000000, 0x7ffffff0):
            body = bytes([code]) + u32(size) + b'xyz'
            add('size-%c-%08x' % (code, size), b'{' + body,
                stderr='negative size' if size >= 0x80000000 else 'exceeds the')
            add('size-%c-%08x-in-key' % (code, size), b'{)\x03' + body, modes=('import',),
                stderr='negative size' if size >= 0x80000000 else 'exceeds the')
    for code in b'zZ':
        add('size-%c-ff' % code, b'{' + bytes([code]) + b'\xff' + b'x' * 10, stderr='exceeds the')
    for code in b'([<>':
        for size in (0x7fffffff, 0xffffffff, 0x80000000, 1 << 28):
            add('count-%c-%08x' % (code, size), b'{' + bytes([code]) + u32(size) + b'N' * 16,
                stderr='negative size' if size >= 0x80000000 else 'exceeds the')
    # a dict has no count in marshal: a never-ending one is just truncated
    add('dict-unterminated', b'{' + b'NN' * 50000, stderr='truncated marshal data')
    add('dict-many-keys', b'{' + b''.join(b'i' + i32(k) + b'N' for k in range(50000)) + b'0',
        stderr='function key is not')
    for nd in (0x7fffffff, -0x7fffffff, 0x40000000, 1000):
        add('long-digits-%d' % nd, b'{l' + i32(nd) + b'\x01\x00' * 8, stderr='digits exceeds')
    # a long of 4401 15-bit digits (way beyond int64): fine for marshal; refusing it as a
    # count is fine too
    add('long-4400-digits', m({KEY: (7 << 66000, 1, 0.5, 0.5, {})}), status='any')
    add('long-as-line', m({('a.py', 2 ** 200, 'f'): GOOD_VALUE}), stderr='function key is not')
    # bad references of every kind
    for idx in (1, 2, 1000, 0x7fffffff, -1, -0x80000000):
        add('ref-%d' % idx, b'{\xe9\x01\x00\x00\x00r' + i32(idx) + b'0', stderr='bad object reference',
            modes=('import',))
        add('strref-%d' % idx, b'{(\x01\x00\x00\x00t\x01\x00\x00\x00xR' + i32(idx) + b'0',
            stderr='bad string reference', modes=('import',))
    # every unknown type code, plain and with the ref flag
    for b in range(256):
        if (b & 0x7f) in KNOWN_CODES or b in b'"}':
            continue  # '{"' and '{}' begin JSON, read as speedscope (tests/bad 'speedscope' group)
        add('code-0x%02x' % b, b'{' + bytes([b]) + b'\x00' * 8 + b'0', stderr='unknown marshal type code 0x%02x' % b,
            modes=('import',) if b % 8 else ('import', 'sort'))
    # every first byte that cannot start a marshalled dict
    for b in range(256):
        if (b & 0x7f) == ord('{'):
            continue
        add('first-0x%02x' % b, bytes([b]) + b'\x01\x00\x00\x00N' * 4, stderr='at byte 0',
            modes=('import',) if b % 16 else ('import', 'sort'))

    # amplification: shared references, many callers, repeated keys, hash flooding
    C.extend(amplification())
    return C


def _key_bytes(file_ref, line, name_ref):
    return b')\x03' + file_ref + b'i' + i32(line) + name_ref


_M64 = (1 << 64) - 1
_G = struct.pack('<d', 0.5)
# a 5-tuple value with an empty callers dict, stored as a reference (FLAG_REF on ')')
_SHARED_VALUE = b'\xa9\x05' + b'i' + i32(1) + b'i' + i32(1) + b'g' + _G + b'g' + _G + b'{0'


def _i64(v):
    """Python 2's 'I' (int64) code: only Python 2 writes it, so the py2 dialect."""
    return b'I' + struct.pack('<Q', v & _M64)


def _unxorshift(h, s):
    x = h
    for _ in range(64 // s + 1):
        x = h ^ (x >> s)
    return x & _M64


_INV_M1 = pow(0xff51afd7ed558ccd, -1, 1 << 64)
_INV_C2 = pow(0xc2b2ae3d27d4eb4f, -1, 1 << 64)


def _func_hash_line(v, file_idx, name_idx):
    """A line number that makes analysis/profile.c's profile_func_hash(file, line, name)
    equal v (it is a bijection of line for a fixed file and name).  Keys whose hashes
    share their low bits all land in one probe chain of the function index."""
    c1, c3 = 0x9e3779b97f4a7c15, 0x165667b19e3779f9
    x = _unxorshift(v, 29)
    x = (x * _INV_M1) & _M64
    x = _unxorshift(x, 31)
    return ((x ^ (file_idx * c1 & _M64) ^ (name_idx * c3 & _M64)) * _INV_C2) & _M64


def _py2_str_hash(s):
    if not s:
        return 0
    x = (s[0] << 7) & _M64
    for c in s:
        x = ((1000003 * x) & _M64) ^ c
    x ^= len(s)
    return x


def _py2_hash_line(file, name, target):
    """A line making CPython 2's hash((file, line, name)) equal target."""
    x = ((0x345678 ^ _py2_str_hash(file)) * 1000003) & _M64
    m1 = 1000003 + 82524
    m2 = m1 + 82522
    x2 = (((target - 97531) * pow(m2, -1, 1 << 64)) & _M64) ^ _py2_str_hash(name)
    line = ((x2 * pow(m1, -1, 1 << 64)) & _M64) ^ x
    return line


def amplification():
    """Small files that make much work: each must finish quickly (a clean refusal is
    fine); these get a short per-run timeout, since a linear reader takes well under
    a second even under ASan."""
    C = []
    s_file = b'\xfa\x04a.py'       # short ascii with FLAG_REF -> ref 0
    s_name = b'\xfa\x01f'          # ref 1
    rf, rn = b'r' + i32(0), b'r' + i32(1)

    # entry 0 carries a callers dict with K distinct callers inside its 5-tuple value,
    # stored as ref 2; entries 1..M reuse that value by reference: K*M edges
    K = M = 20000
    callers = b'{' + b''.join(_key_bytes(rf, 100000 + k, rn) + b'i' + i32(1) for k in range(K)) + b'0'
    value = b'\xa9\x05' + b'i' + i32(1) + b'i' + i32(1) + b'g' + _G + b'g' + _G + callers
    body = [_key_bytes(s_file, 0, s_name), value]
    body += [_key_bytes(rf, k, rn) + b'r' + i32(2) for k in range(1, M)]
    C.append(Case('shared-callers-20k-x-20k', b'{' + b''.join(body) + b'0', status='any', timeout=10))

    # one function with 60000 distinct callers, and a callers dict repeating one caller
    callers2 = b'{' + b''.join(_key_bytes(rf, 100000 + k, rn) + b'i' + i32(1) for k in range(60000)) + b'0'
    body2 = _key_bytes(s_file, 0, s_name) + b')\x05' + b'i' + i32(1) + b'i' + i32(1) + b'g' + _G + b'g' + _G
    C.append(Case('callers-60k', b'{' + body2 + callers2 + b'0', status='ok', timeout=10))
    callers3 = b'{' + (_key_bytes(rf, 7, rn) + b'i' + i32(1)) * 60000 + b'0'
    C.append(Case('callers-same-60k', b'{' + body2 + callers3 + b'0', status='ok', timeout=10))

    # the same stats key 200000 times (10 bytes each through references), each time with
    # one caller: Python keeps the last value; the reader must not rescan every edge for
    # every repeat (that is 2*10^10 steps)
    key0 = b'\xa9\x03' + s_file + b'i' + i32(1) + s_name   # refs 0 (the key), 1, 2
    val0 = b'\xa9\x05' + b'i' + i32(1) + b'i' + i32(1) + b'g' + _G + b'g' + _G + \
        b'{' + b'r' + i32(0) + b'i' + i32(1) + b'0'                              # ref 3
    C.append(Case('repeated-key-200k', b'{' + key0 + val0 + (b'r' + i32(0) + b'r' + i32(3)) * 200000 + b'0',
                  status='ok', stdout='a.py:1(f)', timeout=10))

    # 100000 functions whose (file, line, name) hash identically in profview's function
    # index: the line numbers are chosen for it (hash flooding; lines are free int64s)
    N = 100000
    parts = [b'{', b')\x03', s_file, _i64(_func_hash_line(1 << 40, 2, 3)), s_name, _SHARED_VALUE]
    for k in range(2, N + 1):
        parts.append(b')\x03' + rf + _i64(_func_hash_line(k << 40, 2, 3)) + rn + b'r' + i32(2))
    parts.append(b'0')
    C.append(Case('func-hash-flood-100k', b''.join(parts), status='ok', timeout=10))

    # the same against the Python 2 dict-order emulation: 40000 keys with one py2 hash
    # (Python 2 itself is quadratic on this; profview should at least finish)
    N2 = 40000
    target = 0x1234567
    parts = [b'{', b')\x03', b'\xf3' + i32(4) + b'a.py', _i64(_py2_hash_line(b'a.py', b'f0', target)),
             b's' + i32(2) + b'f0', _SHARED_VALUE]
    for k in range(1, N2):
        nm = b'f%d' % k
        parts.append(b')\x03' + rf + _i64(_py2_hash_line(b'a.py', nm, target)) + b's' + i32(len(nm)) + nm +
                     b'r' + i32(1))
    parts.append(b'0')
    C.append(Case('py2-hash-flood-40k', b''.join(parts), status='ok', timeout=10))
    return C


# --- truncations and corruptions of real fixtures ---------------------------------

def fixture(name):
    """The fixture's bytes, or None (with a note) when it is not there any more."""
    try:
        with open(os.path.join(FIXTURES, name), 'rb') as f:
            return f.read()
    except FileNotFoundError:
        print('make_bad: fixture %s not found in %s, skipped' % (name, FIXTURES))
        return None


def _plan():
    plan = [(fx, n, k, fixture(fx)) for fx, n, k in TRUNCATE_PLAN]
    plan = [p for p in plan if p[3] is not None]
    if not plan:
        raise SystemExit('make_bad: none of the fixtures of TRUNCATE_PLAN is in %s' % FIXTURES)
    return plan


def offsets(size, count, rng):
    """0, 1, size-1 and count-3 others spread over the file (stratified random)."""
    if count >= size:
        return list(range(size))
    picked = {0, 1, size - 1}
    step = size / (count - 3)
    for k in range(count - 3):
        picked.add(min(size - 1, int(k * step + rng.random() * step)))
    return sorted(picked)


# (fixture, how many truncation offsets, how many corruptions)
TRUNCATE_PLAN = [
    ('synth-bigcounts.prof', None, None),     # None: every offset
    ('synth-py27-bigcounts.prof', 170, 170),
    ('synth-negative.prof', 60, 60),
    ('py27-cprofile.prof', 70, 60),
    ('py27-profile.prof', 70, 60),
    ('py313-profile.prof', 70, 60),
    ('py312-cprofile.prof', 70, 60),
    ('py36-profile.prof', 40, 40),
    ('synth-marshal-v0.prof', 40, 40),
]


def truncations():
    rng = random.Random(SEED)
    C = []
    for fx, count, _, data in _plan():
        offs = range(len(data)) if count is None else offsets(len(data), count, rng)
        stem = fx[:-5]
        for k, off in enumerate(offs):
            # truncating a marshalled dict always loses its '0' terminator: always an error
            C.append(Case('trunc-%s-%d' % (stem, off), data[:off], stderr='empty file' if off == 0 else None,
                          at_byte=off != 0, sort_on_error=k % 5 == 0))
    return C


def corruptions():
    rng = random.Random(SEED + 1)
    C = []
    for fx, _, count, data in _plan():
        stem = fx[:-5]
        if count is None:
            # every offset: flip all bits, and a random replacement byte
            for off in range(len(data)):
                for how in ('flip', 'rand') if off % 3 == 0 else ('flip',):
                    b = data[off] ^ 0xff if how == 'flip' else rng.randrange(256)
                    if b == data[off]:
                        b ^= 0x01
                    mutated = data[:off] + bytes([b]) + data[off + 1:]
                    C.append(Case('%s-%s-%d-%02x' % (how, stem, off, b), mutated, status='any', at_byte=False,
                                  sort_on_error=off % 8 == 0))
        else:
            for off in offsets(len(data), count, rng):
                how = rng.choice(('flip', 'rand', 'bit'))
                if how == 'flip':
                    b = data[off] ^ 0xff
                elif how == 'bit':
                    b = data[off] ^ (1 << rng.randrange(8))
                else:
                    b = rng.randrange(256)
                    if b == data[off]:
                        b ^= 0x80
                mutated = data[:off] + bytes([b]) + data[off + 1:]
                C.append(Case('%s-%s-%d-%02x' % (how, stem, off, b), mutated, status='any', at_byte=False,
                              sort_on_error=off % 3 == 0))
        # a few multi-byte corruptions: 8 random bytes overwritten with 0xff / 0x00 / random
        for k in range(8 if count is None else 4):
            off = rng.randrange(len(data))
            fill = bytes([rng.choice((0x00, 0xff, 0x7f, rng.randrange(256)))]) * 4
            mutated = data[:off] + fill + data[off + 4:]
            C.append(Case('smash-%s-%d-%s' % (stem, off, fill[:1].hex()), mutated, status='any', at_byte=False))
    return C


# --- folded stacks, speedscope JSON and gzip input ---------------------------------
#
# The groups folded, speedscope and gzip: handcrafted small files committed in
# tests/bad/cases-folded/, cases-speedscope/ and cases-gzip/ (NAME.folded|.json|.gz
# with NAME.expect, rewritten by --write-cases), plus inputs generated at test time
# (big ones never touch the source tree): hostile shapes, truncations and
# corruptions of tests/sampled/fixtures, and gzip bombs.
#
# A folded file is valid text whatever is cut off or changed, so truncated and
# corrupted folded files are checked against folded_model(), which restates the
# documented reading rules (lines, BOMs, UTF-16, comments, the count after the last
# space): it says whether the import must succeed, with how many samples, what
# total weight and which "skipped N malformed lines" warning.

SAMPLED_FIXTURES = os.path.join(HERE, '..', 'sampled', 'fixtures')
SAMPLED_GROUPS = {
    'folded': (os.path.join(HERE, 'cases-folded'), '.folded'),
    'speedscope': (os.path.join(HERE, 'cases-speedscope'), '.json'),
    'gzip': (os.path.join(HERE, 'cases-gzip'), '.gz'),
}
SORT_MARK = 'Ordered by'      # what `sort` prints for every kind of profile
BOM8 = b'\xef\xbb\xbf'
GIB = 1 << 30
MAX_WHOLE = 1 << 30           # formats/profile_file.h PROFILE_MAX_WHOLE


def sampled_fixture(name):
    try:
        with open(os.path.join(SAMPLED_FIXTURES, name), 'rb') as f:
            return f.read()
    except FileNotFoundError:
        print('make_bad: sampled fixture %s not found in %s, skipped' % (name, SAMPLED_FIXTURES))
        return None


# the format profview recognises (formats/profile_file.c profile_detect, the
# readers' *_looks_like and, of formats/detect.c, the JSON that is not speedscope),
# for the model of a corrupted file

HEAD = 65536                  # formats/profile_file.h PROFILE_HEAD: the bytes that decide
SPEEDSCOPE_KEYS = ('$schema', 'shared', 'profiles', 'activeProfileIndex', 'exporter')


def json_foreign(head):
    """'json-other', 'cpuprofile' or 'trace' for a whole small JSON document that is not
    speedscope's (the first deciding key wins, as formats/detect.c reads them in
    order), else None."""
    try:
        text = head.decode('utf-8')
    except UnicodeDecodeError:
        return None
    if text.startswith('\ufeff'):
        text = text[1:]
    if not text.lstrip(' \t\r\n')[:1] in ('{', '['):
        return None
    try:
        doc = json.loads(text, parse_constant=lambda c: 1 / 0)
    except (ValueError, ZeroDivisionError, RecursionError):
        return None
    if isinstance(doc, dict):
        for k in doc:
            if k in SPEEDSCOPE_KEYS:
                return None
            if k in ('nodes', 'timeDeltas'):
                return 'cpuprofile'
            if k == 'traceEvents':
                return 'trace'
        return 'cpuprofile' if 'samples' in doc and 'startTime' in doc else 'json-other'
    if doc and isinstance(doc[0], dict) and 'ph' in doc[0]:
        return 'trace'
    return 'json-other'

def looks_like_speedscope(b):
    i = 3 if b[:3] == BOM8 else 0
    n = len(b)
    while i < n and b[i] in b' \t\n\r':
        i += 1
    if i >= n or b[i] != 0x7b:
        return False
    i += 1
    while i < n and b[i] in b' \t\n\r':
        i += 1
    return i >= n or b[i] in b'"}'


def looks_like_folded(b):
    if b[:2] in (b'\xff\xfe', b'\xfe\xff'):
        return True
    return not any(c == 0 or (c < 0x20 and c not in b'\n\r\t\f\v') for c in b[:4096])


def detect(b):
    head = b[:HEAD]
    if not head:
        return 'empty'
    if len(b) < HEAD and json_foreign(b):
        return 'foreign'
    if looks_like_speedscope(head):
        return 'speedscope'
    if head[0] & 0x7f == 0x7b:
        return 'pstats'
    if looks_like_folded(head):
        return 'folded'
    return None


def _utf16_to_utf8(b, le):
    """UTF-16 code units to UTF-8; an unpaired surrogate, and a trailing odd byte or
    high surrogate, become U+FFFD (once at the end)."""
    out = []
    high = 0
    for k in range(len(b) // 2):
        u = b[2 * k] | b[2 * k + 1] << 8 if le else b[2 * k] << 8 | b[2 * k + 1]
        if high:
            if 0xdc00 <= u <= 0xdfff:
                out.append(chr(0x10000 + ((high - 0xd800) << 10) + (u - 0xdc00)))
                high = 0
                continue
            out.append('\ufffd')
            high = 0
        if 0xd800 <= u <= 0xdbff:
            high = u
        else:
            out.append('\ufffd' if 0xdc00 <= u <= 0xdfff else chr(u))
    if high or len(b) % 2:
        out.append('\ufffd')
    return ''.join(out).encode('utf-8')


def folded_text(data):
    """The text the folded reader splits into lines: the BOM decides (three bytes
    are needed to see one)."""
    if len(data) >= 3 and data[:3] == BOM8:
        return data[3:]
    if len(data) >= 3 and data[:2] == b'\xff\xfe':
        return _utf16_to_utf8(data[2:], True)
    if len(data) >= 3 and data[:2] == b'\xfe\xff':
        return _utf16_to_utf8(data[2:], False)
    return data


_COUNT = re.compile(rb'(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?')


def folded_count(c):
    """The count after the last space: a non-negative decimal, fractions and
    exponents allowed, at most 2^53; None when it is not one."""
    if not c:
        return None
    i = 0
    while i < len(c) and i < 16 and 0x30 <= c[i] <= 0x39:
        i += 1
    if i == len(c):
        return float(int(c))
    if len(c) >= 64 or not _COUNT.fullmatch(c):
        return None
    d = float(c)
    if not math.isfinite(d) or d < 0 or d > 2.0 ** 53:
        return None
    return d


_AUSTIN_METRICS = re.compile(rb'-[0-9]+|-?[0-9]+(?:,-?[0-9]+)+')


def folded_line(s):
    """What one line is: (None,) blank or comment, ('stack', w), ('metrics',) a stack
    with Austin's metrics (evidence of folded stacks, not read), ('bad',)."""
    if s.endswith(b'\r'):
        s = s[:-1]
    lead = len(s) - len(s.lstrip(b' \t'))
    if lead == len(s) or s[lead] == 0x23:
        return (None,)
    sp = len(s)
    while sp > lead and s[sp - 1] not in (0x20, 0x09):
        sp -= 1
    end = sp - 1
    while end > 0 and s[end - 1] in (0x20, 0x09):
        end -= 1
    if sp == lead or end <= 0:
        return ('bad',)
    w = folded_count(s[sp:])
    if w is not None:
        return ('stack', w)
    m = s[sp:]
    return ('metrics',) if len(m) <= 64 and _AUSTIN_METRICS.fullmatch(m) else ('bad',)


def folded_lines(data, complete=True):
    """The lines of folded text; without complete (a cut head), not the last one."""
    parts = folded_text(data).split(b'\n')
    if complete and parts[-1] == b'':
        parts.pop()
    if not complete:
        parts.pop()
    return parts


def evidence_ok(stacks, other):
    """The rule for "this text is folded stacks": >= 90 % stack lines, or at most two
    other lines and at least twice as many stacks."""
    return other * 9 <= stacks or (other <= 2 and stacks >= 2 * other)


def evidence_counts(lines):
    stacks = other = first = 0
    for no, s in enumerate(lines, 1):
        k = folded_line(s)[0]
        if k in ('stack', 'metrics'):
            stacks += 1
        elif k == 'bad':
            other += 1
            first = first or no
    return stacks, other, first


class FoldedModel:
    """What profview does with data as folded stacks: format ('folded', 'empty',
    'foreign', 'not-stacks' when the lines are mostly not stacks, None for binary
    or another format), and the lines it reads (lenient: whatever the evidence)."""

    def __init__(self, data, auto=True, lenient=False):
        self.format = detect(data) if auto else 'folded'
        self.lines_ok = self.samples = self.skipped = self.first_skipped = 0
        self.weight = 0.0
        self.not_stacks = None          # (stacks, other, whole) when refused for that
        if self.format != 'folded':
            return
        if auto:
            complete = len(data) < HEAD
            st, ot, _ = evidence_counts(folded_lines(data[:HEAD], complete))
            if not evidence_ok(st, ot):
                self.format = 'not-stacks'
                self.not_stacks = (st, ot, complete)
                return
        for no, s in enumerate(folded_lines(data), 1):
            k = folded_line(s)
            if k[0] is None:
                continue
            if k[0] != 'stack':
                self.skipped += 1
                self.first_skipped = self.first_skipped or no
                continue
            w = k[1]
            self.lines_ok += 1
            if w > 0:
                self.samples += int(math.floor(w + 0.5))
                self.weight += w
        st, ot, _ = evidence_counts(folded_lines(data))
        if self.lines_ok and not lenient and not evidence_ok(st, ot):
            self.format = 'not-stacks'
            self.not_stacks = (st, ot, True)

    def ok(self):
        return self.format == 'folded' and self.lines_ok > 0

    def warning(self):
        if not self.skipped:
            return None
        return 'skipped %d malformed line%s, first at line %d' % (
            self.skipped, '' if self.skipped == 1 else 's', self.first_skipped)


def folded_case(name, data, auto=True, functions=None, nodes=None, model_auto=None, lenient=False, **kw):
    """A folded input whose expectations come from FoldedModel. auto: let profview
    recognise the format (else --format folded); model_auto=False: expect it to be
    recognised as folded text whatever the detection heuristics say; lenient: with
    --lenient (keep the stacks however many lines are not)."""
    m = FoldedModel(data, auto if model_auto is None else model_auto, lenient)
    args = (() if auto else ('--format', 'folded')) + (('--lenient',) if lenient else ())
    if m.ok():
        expect = {'profiles': 1, 'samples': m.samples, 'weight': m.weight, 'kind': 'sampled'}
        if functions is not None:
            expect['functions'] = functions
        if nodes is not None:
            expect['nodes'] = nodes
        kw.setdefault('warn', m.warning())
        kw.setdefault('sort_mark', SORT_MARK)
        return Case(name, data, status='ok', expect=expect, ext='.folded', at_byte=False, args=args, **kw)
    if m.format == 'empty':
        kw.setdefault('stderr', 'empty file')
    elif m.format == 'foreign':
        kw.setdefault('stderr', 'is JSON, but not speedscope JSON')
    elif m.format == 'not-stacks':
        st, ot, whole = m.not_stacks
        if st == 0 and whole:
            kw.setdefault('stderr', 'no line holds a stack and a count: %d malformed line' % ot)
        elif st == 0:
            kw.setdefault('stderr', 'not folded stacks: none of the first %d lines holds a stack' % ot)
        else:
            kw.setdefault('stderr', 'not folded stacks: only %d of %s%d lines hold a stack and a count' % (
                st, '' if whole else 'the first ', st + ot))
    elif m.format == 'folded':
        kw.setdefault('stderr', 'no line holds a stack and a count' if m.skipped else 'no stacks')
    elif m.format is None:
        kw.setdefault('stderr', 'unrecognised format')
    return Case(name, data, status='error', ext='.folded', at_byte=False, args=args, **kw)


def folded_handcrafted():
    C = []
    add = lambda *a, **k: C.append(folded_case(*a, **k))
    add('simple', b'main;a;b 3\nmain;a;c 1\nmain;d 2\n', functions=5, nodes=6)
    add('no-final-newline', b'main;a 1\nmain;b 2', functions=3)
    add('crlf', b'main;a 1\r\nmain;b 2\r\n', functions=3)
    add('bom-utf8', BOM8 + b'main;a 1\nmain;b 2\n', functions=3)
    text = 'main;z\u00e4hle (w.py:3);\U0001f600 5\nmain;b 2\n'
    add('utf16le', b'\xff\xfe' + text.encode('utf-16-le'), functions=4)
    add('utf16be', b'\xfe\xff' + text.encode('utf-16-be'), functions=4)
    add('utf16le-odd-byte', b'\xff\xfe' + text.encode('utf-16-le') + b'x')
    add('utf16le-odd-byte-no-newline', b'\xff\xfe' + 'a;b 7'.encode('utf-16-le') + b'x')
    add('utf16-lone-surrogates', b'\xff\xfe' + b'\x00\xd8' + 'a;b 1\n'.encode('utf-16-le') + b'\x00\xdc' +
        'c 2\n'.encode('utf-16-le') + b'\x00\xd8')
    add('utf16be-lone-low', b'\xfe\xff' + b'\xdc\x00' + 'a;b 1\n'.encode('utf-16-be'))
    add('utf16-surrogate-split-by-newline', b'\xff\xfe' + b'\x3d\xd8' + '\n'.encode('utf-16-le') + b'\x00\xde' +
        ' 1\nx 2\n'.encode('utf-16-le'))
    add('utf16le-bom-only', b'\xff\xfe')
    add('utf16le-bom-and-one-byte', b'\xff\xfe1')
    add('utf8-bom-only', BOM8)
    add('utf8-bom-twice', BOM8 + BOM8 + b'a 1\n', functions=1)
    add('empty', b'')
    add('comments-only', b'# austin: 3\n# mode: wall\n#a;b 1\n')
    add('blank-only', b'\n\n\r\n \t \n')
    add('comment-indented', b'  # x 1\n\t#y 2\na 1\n', functions=1)
    for label, c in (('1e400', b'1e400'), ('minus-5', b'-5'), ('nan', b'nan'), ('inf', b'inf'),
                     ('0x10', b'0x10'), ('plus-5', b'+5'), ('dot', b'.'), ('1e', b'1e'), ('e5', b'e5'),
                     ('20-digits', b'9' * 20), ('2p53-plus-2', b'9007199254740994.0'), ('1e16', b'1e16'),
                     ('64-chars', b'0' * 63 + b'1'), ('comma', b'1,5'), ('unicode-digit', '\u0661'.encode()),
                     ('trailing-space', b'5 '), ('hex-float', b'0x1p3'), ('two-dots', b'1.2.3')):
        add('count-' + label, b'a;b ' + c + b'\n')
    add('count-fraction', b'a 0.5\nb 1.5\nc 2.25\n', functions=3)
    add('count-exponent', b'a 1e3\nb 2.5E+1\nc 5e-1\n', functions=3)
    add('count-zero', b'a 0\n', functions=0, nodes=1, sort_mark='0 samples, 0 functions')
    add('count-2p53', b'a 9007199254740992\n', functions=1)
    add('count-63-chars', b'a ' + b'0' * 62 + b'1\n', functions=1)
    add('count-leading-zeros', b'a 0000000000000000000000007\n', functions=1)
    add('count-tiny', b'a 5e-324\nb 0.49\n', functions=2)
    add('mixed-bad-lines', b'no count\na;b 1\na;b nan\n\na;c 2\n; 3\n 4\n')
    add('mixed-bad-lines-forced', b'no count\na;b 1\na;b nan\n\na;c 2\n; 3\n 4\n', auto=False)
    add('mixed-bad-lines-lenient', b'no count\na;b 1\na;b nan\n\na;c 2\n; 3\n 4\n', auto=False, lenient=True,
        functions=4)
    # the evidence rule at its edges: 9 stacks to 1 other line, two others in a small file
    add('evidence-9-to-1', b'a 1\n' * 9 + b'x\n', functions=1)
    add('evidence-8-to-1-too-few', b'a 1\n' * 8 + b'x\n' + b'a 1\n' * 10 + b'y\nz\n')
    add('evidence-2-of-6', b'a 1\nx\na 1\ny\na 1\na 1\n', functions=1)
    add('evidence-2-of-5', b'a 1\nx\na 1\ny\na 1\n')
    # Austin's full metrics are evidence of stacks (how they are read is the reader's)
    C.append(Case('evidence-austin-metrics', b'# austin: 3.0\nP1;T1;a.py:f:1 10,0,-1024\nP1;T1;a.py:g:2 5,1,64\n'
                  b'P1;T1;a.py:f:1 7\n', status='ok', ext='.folded', at_byte=False, warn='*', sort_mark=SORT_MARK,
                  expect={'profiles': 1}))
    add('nul-in-frame', b'a\x00b;c 1\n')
    add('nul-in-frame-forced', b'a\x00b;c 1\n', auto=False, functions=2)
    add('nul-only-forced', b'\x00' * 64, auto=False)
    add('control-chars', b'a\x01;b 1\n')
    add('frames-empty', b';;; 1\n', functions=1)
    add('frame-trailing-semicolon', b'a; 1\n', functions=2)
    add('only-count', b' 5\n\t6\n')
    add('tab-separated', b'a;b\t3\n', functions=2)
    add('spaces-inside-frames', b'a b;c d 3\n', functions=2)
    add('ws-before-count', b'a   \t 5\n', functions=1)
    add('leading-spaces', b'  a;b 3\n', functions=2)
    add('annotations', b'a_[k];b_[j];c_[i];d_[w] 2\na;b 1\n', functions=4)
    add('annotation-only', b'_[k] 1\n_[x] 1\n', functions=2)
    add('pyspy-frames', b'<module> (a.py:1);f (a.py:10) 2\nf (b.py) 1\nidle (thread) 1\n', functions=4)
    add('pyspy-odd-frames', b' (a.py:1) 1\n(x:1) 1\nf (:1) 1\nf (a:99999999999999999) 1\nf (a:1)x 1\n'
        b'f ( a.py:1) 1\nf (a.py:-1) 1\n)) 1\n( 1\n')
    # PHP (excimer "{main}") and Rust ("{{closure}}") frames: the file is folded text
    add('brace-first-frame', b'{main};Foo::bar 3\n{main};baz 1\n', functions=3, model_auto=False)
    add('brace-brace-closure', b'{{closure}};main 5\n', functions=2, model_auto=False)
    add('brace-first-frame-forced', b'{main};Foo::bar 3\n', functions=2, auto=False)
    # ... whatever separates or writes the count of the first line (both are valid counts)
    add('brace-first-frame-tab', b'{main};Foo::bar\t3\n{main};baz 1\n', functions=3, model_auto=False)
    add('brace-first-frame-exponent', b'{main};Foo::bar 1e3\n{main};baz 1\n', functions=3, model_auto=False)
    add('brace-first-frame-crlf', b'{main};Foo::bar 3\r\n', functions=2, model_auto=False)
    C.append(Case('brace-first-line-malformed', b'{main};no count\n{main};baz 1\n', status='any', ext='.folded',
                  at_byte=False, warn='*', sort_mark=SORT_MARK))
    add('cr-only-line-ends', b'a 1\rb 2\r')
    add('cr-cr-lf', b'a 1\r\r\nb 2\n', functions=1)
    add('form-feed', b'a\x0cb 1\n', functions=1)
    add('invalid-utf8', b'\xff\xfe\xfd;\xc3 1\n\x80 2\n', functions=3)
    add('long-count-line', b'a ' + b'1' * 70 + b'\n')
    add('json-array', b'[1, 2, 3]\n')
    add('brace-json-empty', b'{} 5\n', auto=True)
    return C


def gen_deep(n, distinct):
    return (b';'.join(b'f%d' % i for i in range(n)) if distinct else b';'.join([b'f'] * n)) + b' 1\n'


def folded_generated():
    """Big and hostile folded inputs, made at test time (import only: sort reads the
    same way, and the sanitizer build must stay quick)."""
    C = []
    add = lambda *a, **k: C.append(folded_case(*a, **dict(k, modes=('import',))))
    MB = 1 << 20
    add('line-1mb', b'a' * MB + b' 1\n', functions=1, timeout=15)
    add('line-1mb-no-count', b'a' * MB + b'\nb 1\nc 1\n', functions=2, timeout=15)
    add('semicolons-1m', b';' * MB + b' 1\n', timeout=15)
    add('deep-100k-distinct', gen_deep(100000, True), functions=100000, nodes=100001, timeout=15)
    add('deep-100k-recursive', gen_deep(100000, False), functions=1, nodes=100001, timeout=15)
    # lines sharing a 20000-frame prefix, and lines alternating between two deep stacks
    pre = b';'.join(b'p%d' % i for i in range(20000))
    add('deep-20k-x-100-shared-prefix', b''.join(pre + b';leaf%d 1\n' % k for k in range(100)),
        functions=20100, nodes=20101, timeout=15)
    other = b';'.join(b'q%d' % i for i in range(20000))
    add('deep-20k-alternating', b''.join((pre if k % 2 else other) + b' 1\n' for k in range(60)),
        functions=40000, nodes=40001, timeout=15)
    add('distinct-100k-frames', b''.join(b'f%d 1\n' % i for i in range(100000)), functions=100000, timeout=15)
    add('distinct-100k-stacks', b''.join(b'g%d;h%d 1\n' % (i % 300, i) for i in range(100000)),
        functions=100300, timeout=15)
    add('lines-1m', b'a;b 1\n' * 1000000, functions=2, timeout=15)
    add('comments-1m', b'# comment 1\n' * 1000000, timeout=15)
    add('malformed-1m-then-one', b'x\n' * 1000000 + b'a 1\n', timeout=15)
    add('malformed-1m-then-one-lenient', b'x\n' * 1000000 + b'a 1\n', auto=False, lenient=True, functions=1,
        timeout=15)
    # a head of stacks, then a tail that is mostly not: refused at the end, whatever
    # the first 64 KiB said (and read with --lenient)
    add('stacks-then-mostly-text', b'a;b 1\n' * 20000 + b'text\n' * 5000, timeout=15)
    add('stacks-then-mostly-text-lenient', b'a;b 1\n' * 20000 + b'text\n' * 5000, lenient=True, functions=2,
        timeout=15)
    add('nul-300k', b'\x00' * 300000)
    add('nul-300k-forced', b'\x00' * 300000, auto=False, timeout=15)
    add('nul-after-head', b'a;b 1\n' * 1000 + b'\x00' * 1000 + b' 1\n', timeout=15)
    surrogates = ''.join('f%d;g\udc00;h 1\n' % i for i in range(20000)).encode('utf-16-le', 'surrogatepass')
    add('utf16-20k-lone-surrogates', b'\xff\xfe' + surrogates, timeout=15)
    add('utf16-odd-100k', b'\xff\xfe' + 'a;b 1\n'.encode('utf-16-le') * 20000 + b'\x00', timeout=15)
    add('count-16-digits', b'a 9999999999999999\n', functions=1)
    C[-1].status = 'any'    # beyond 2^53 but under the 16-digit fast path: refusing is fine too
    # int64 sample counts: 1100 lines of 2^53 (each a valid count) add up beyond 2^63
    big = b' 9007199254740992\n'
    C.append(Case('counts-sum-overflow-same-stack', (b'a' + big) * 1100, status='any', ext='.folded',
                  at_byte=False, sort_mark=SORT_MARK, modes=('import',)))
    C.append(Case('counts-sum-overflow-distinct', b''.join(b'a;f%d' % i + big for i in range(1100)),
                  status='any', ext='.folded', at_byte=False, sort_mark=SORT_MARK))
    return C


def folded_austin_cases():
    """Austin's files (formats/austin_read.c): thread-led lines, "L<line>" frames,
    one or three metrics, "# key: value" headers; their limits and refusals. Made at
    test time; the expectations are worked out by hand here."""
    C = []

    def add(name, data, status='ok', args=(), **kw):
        C.append(Case('austin-' + name, data, status=status, ext='.folded', at_byte=False, args=args,
                      sort_mark=kw.pop('sort_mark', SORT_MARK), **kw))
    head3 = b'# austin: 3.4.1\n# interval: 100\n# mode: wall\n\n'
    add('header-only', head3, 'error', stderr='no stacks')
    add('all-malformed', head3 + b'P1;T1;a.py:f:1\nP1;T1 x\nP1;T1;a.py:f:1 1,2\n', 'error',
        stderr='no line holds a stack and a count: 3 malformed lines, the first at line 5')
    add('bare-bad-sample', b'Thread 7f;f (a.py);L3 5\nBad sample 3\n',
        expect={'profiles': 1, 'samples': 1, 'weight': 5.0, 'functions': 1, 'unit': 'microseconds'})
    add('metric-19-digits', b'P1;T1;a.py:f:1 9999999999999999999\n', 'error', stderr='no line holds')
    add('negative-time', b'P1;T1;a.py:f:1 -5\n', 'error', stderr='no line holds')
    add('l-frame-first', b'Thread 1;L5;L6 3\n', expect={'profiles': 1, 'functions': 1, 'weight': 3.0})
    # (two Austin lines to the plain one: enough evidence that the file is stacks)
    add('plain-line-among', b'P1;T1;a.py:f:1 5\nP1;T1;a.py:f:1 5\nmain;foo 3\n',
        warn='skipped 1 malformed line, first at line 3', expect={'profiles': 1, 'samples': 2, 'weight': 10.0})
    add('empty-stacks-only', b'P1;T1 5\nP1;T1 7\n', sort_mark='2 samples, 12.000us (microseconds), 0 functions',
        expect={'profiles': 1, 'samples': 2, 'weight': 12.0, 'functions': 0, 'nodes': 1})
    # 1.x writes a bad sample with its time alone, even in full mode: the first one
    # cannot say what the samples carry and is left out
    add('bad-sample-first-full', b'Thread 1;Bad sample 40\nThread 1;f (a.py);L3 10 2 -3\nThread 1;Bad sample 40\n',
        expect={'profiles': 1, 'samples': 2, 'weight': 50.0, 'functions': 2})
    add('full-kib', b'Thread 1;f (a.py:1) 10 2 -3\n', args=('--metric', 'dealloc'),
        expect={'profiles': 1, 'weight': 3072.0, 'unit': 'bytes'})
    add('full-unit', b'Thread 1;f (a.py:1) 10 2 -3\n', 'error', args=('--unit', 'ns'), stderr='--unit does not apply')
    # deep stacks whose every other frame is a line: one function, 100k-deep tree
    add('deep-100k-l-frames', b'Thread 1;' + b';'.join([b'f (a.py);L1'] * 100000) + b' 1\n',
        expect={'profiles': 1, 'functions': 1, 'nodes': 100001}, timeout=15, modes=('import',))
    # threads: one profile each, up to 4096 per file, or all merged
    many = b''.join(b'P1;T%d;a.py:f:1 1\n' % i for i in range(4097))
    add('threads-4097', many, 'error', stderr='more than 4096 threads in one file', modes=('import',))
    add('threads-4097-merged', many, args=('--merge-threads',),
        expect={'profiles': 1, 'samples': 4097, 'weight': 4097.0, 'functions': 1})
    return C


def fixture_offsets(size, count, rng, extra=()):
    return sorted(set(offsets(size, count, rng)) | {o for o in extra if 0 <= o < size})


def folded_fixture_cases():
    rng = random.Random(SEED + 10)
    C = []
    plan = [('py_sampled.folded', 30, 20), ('py_sampled-utf16le.folded', 20, 10),
            ('py_sampled-utf16be.folded', 8, 5), ('py_sampled-crlf.folded', 10, 6),
            ('py_sampled-bom.folded', 6, 4), ('py_sampled-comments.folded', 10, 6),
            ('py_sampled-annotated.folded', 6, 4), ('perf_python.folded', 10, 6)]
    for fx, ntrunc, ncorrupt in plan:
        data = sampled_fixture(fx)
        if data is None:
            continue
        stem = fx[:-len('.folded')]
        for k, off in enumerate(fixture_offsets(len(data), ntrunc, rng, (2, 3, 4, 5))):
            C.append(folded_case('trunc-%s-%d' % (stem, off), data[:off],
                                 modes=('import', 'sort') if k % 3 == 0 else ('import',)))
        for k, off in enumerate(offsets(len(data), ncorrupt, rng)):
            b = rng.choice((data[off] ^ 0xff, rng.randrange(256), 0x0a, 0x20, 0x3b, 0x00, 0x0d))
            if b == data[off]:
                b ^= 0x01
            C.append(folded_case('corrupt-%s-%d-%02x' % (stem, off, b), data[:off] + bytes([b]) + data[off + 1:],
                                 warn='*', modes=('import', 'sort') if k % 4 == 0 else ('import',)))
    return C


# --- speedscope ---------------------------------------------------------------

def jd(obj):
    return json.dumps(obj, separators=(',', ':')).encode()


SS_FRAMES = [{'name': 'main', 'file': 'app.py', 'line': 1}, {'name': 'a', 'file': 'app.py', 'line': 5},
             {'name': 'b'}]


def ss_doc(profiles, frames=None, **extra):
    d = {'$schema': 'https://www.speedscope.app/file-format-schema.json',
         'shared': {'frames': SS_FRAMES if frames is None else frames}, 'profiles': profiles}
    d.update(extra)
    return jd(d)


def ss_sampled(samples, weights, unit='none', **kw):
    try:
        end = sum(w for w in weights if w > 0)
    except TypeError:
        end = 0
    if not math.isfinite(end):
        end = 0
    p = {'type': 'sampled', 'name': 'main', 'unit': unit, 'startValue': 0, 'endValue': end, 'samples': samples,
         'weights': weights}
    p.update(kw)
    return p


def ss_evented(events, start=0, end=10, unit='none', **kw):
    p = {'type': 'evented', 'name': 'ev', 'unit': unit, 'startValue': start, 'endValue': end, 'events': events}
    p.update(kw)
    return p


def O(frame, at):
    return {'type': 'O', 'frame': frame, 'at': at}


def Cl(frame, at):
    return {'type': 'C', 'frame': frame, 'at': at}


def ss_case(name, data, status='error', stderr=None, expect=None, **kw):
    if status != 'error':
        kw.setdefault('sort_mark', SORT_MARK)
    return Case(name, data, status=status, stderr=stderr, expect=expect, ext='.json', at_byte=False, **kw)


def speedscope_handcrafted():
    C = []
    add = lambda *a, **k: C.append(ss_case(*a, **k))
    ok1 = ss_doc([ss_sampled([[0, 1], [0, 1, 2], [0]], [1, 2, 3])])
    add('sampled-ok', ok1, 'ok', expect={'profiles': 1, 'samples': 3, 'weight': 6, 'functions': 3, 'nodes': 4,
                                         'kind': 'sampled'})
    bad_ref = 'refers to a frame that does not exist'
    for label, idx in (('out-of-range', 3), ('negative', -1), ('fraction', 0.5), ('1e300', 1e300),
                       ('2p32', 2 ** 32), ('2p64', 2 ** 64), ('string', '0'), ('null', None), ('true', True),
                       ('array', [0]), ('object', {'i': 0})):
        add('frame-index-' + label, ss_doc([ss_sampled([[0, idx]], [1])]), stderr=bad_ref)
        add('event-frame-' + label, ss_doc([ss_evented([O(idx, 1), Cl(idx, 2)])]), stderr=bad_ref)
    add('frame-index-minus-zero', ok1.replace(b'[[0,1]', b'[[-0,1]'), 'ok', expect={'samples': 3})
    add('frame-index-1e0', ok1.replace(b'[[0,1]', b'[[0,1e0]'), 'ok', expect={'samples': 3})
    add('samples-weights-1-2', ss_doc([ss_sampled([[0]], [1, 2])]), stderr='1 samples but 2 weights')
    add('samples-weights-2-1', ss_doc([ss_sampled([[0], [1]], [1])]), stderr='2 samples but 1 weights')
    add('samples-weights-0-1', ss_doc([ss_sampled([], [1])]), stderr='0 samples but 1 weights')
    add('weights-missing', ss_doc([{'type': 'sampled', 'unit': 'none', 'samples': [[0]]}]), stderr="no 'weights'")
    add('samples-missing', ss_doc([{'type': 'sampled', 'unit': 'none', 'weights': [1]}]), stderr="no 'samples'")
    add('samples-object', ss_doc([ss_sampled({'0': [0]}, [1])]), stderr="no 'samples'")
    add('sample-not-array', ss_doc([ss_sampled([0], [1])]), stderr='is not an array')
    add('weight-negative', ss_doc([ss_sampled([[0]], [-1])]), stderr='weight 0 is negative')
    add('weight-negative-tiny', ss_doc([ss_sampled([[0], [1]], [1, -5e-324])]), stderr='weight 1 is negative')
    add('weight-minus-zero', ss_doc([ss_sampled([[0]], [1])]).replace(b'"weights":[1]', b'"weights":[-0.0]'),
        'ok', expect={'samples': 0, 'weight': 0}, sort_mark='0 functions')
    add('weight-zero-skipped', ss_doc([ss_sampled([[0], [1], [2]], [0, 2, 0])]), 'ok',
        expect={'samples': 1, 'weight': 2, 'functions': 1})
    add('weight-string', ss_doc([ss_sampled([[0]], ['1'])]), stderr='weight 0 is not a number')
    add('weight-null', ss_doc([ss_sampled([[0]], [None])]), stderr='weight 0 is not a number')
    add('weight-1e400', ss_doc([ss_sampled([[0]], [1])]).replace(b'"weights":[1]', b'"weights":[1e400]'))
    add('weight-NaN', ss_doc([ss_sampled([[0]], [1])]).replace(b'"weights":[1]', b'"weights":[NaN]'),
        stderr='invalid JSON')
    add('weight-Infinity', ss_doc([ss_sampled([[0]], [1])]).replace(b'"weights":[1]', b'"weights":[Infinity]'),
        stderr='invalid JSON')
    add('weight-negative-NaN-like', ss_doc([ss_sampled([[0]], [1])]).replace(b'"weights":[1]', b'"weights":[-nan]'),
        stderr='invalid JSON')
    add('weight-400-digits', ss_doc([ss_sampled([[0]], [1])]).replace(b'"weights":[1]',
                                                                       b'"weights":[' + b'9' * 400 + b']'))
    # two finite weights whose sum is not finite: refusing is fine, an infinite total is not
    add('weights-sum-overflow', ss_doc([ss_sampled([[0], [0]], [1e308, 1e308])]), 'any')
    add('weights-max-double', ss_doc([ss_sampled([[0]], [1.7976931348623157e308])]), 'ok',
        expect={'weight': 1.7976931348623157e308})
    # events
    ev = lambda *e, **k: ss_doc([ss_evented(list(e), **k)])
    add('evented-ok', ev(O(0, 0), O(1, 1), Cl(1, 3), Cl(0, 4)), 'ok',
        expect={'profiles': 1, 'kind': 'evented', 'functions': 2, 'weight': 10})
    add('evented-at-decreases', ev(O(0, 5), Cl(0, 4)), stderr="event 1 goes back in time")
    add('evented-at-decreases-lenient', ev(O(0, 5), Cl(0, 4)), 'ok', args=('--lenient',),
        warn='repaired 1 event (--lenient)')
    add('evented-close-unmatched', ev(O(0, 1), Cl(1, 2)), stderr='not the innermost open one')
    add('evented-close-unmatched-lenient', ev(O(0, 1), Cl(1, 2), Cl(0, 3)), 'ok', args=('--lenient',),
        warn='repaired 1 event')
    add('evented-close-outer-lenient', ev(O(0, 1), O(1, 2), O(2, 3), Cl(0, 4)), 'ok', args=('--lenient',),
        warn='repaired 2 events')
    add('evented-close-empty', ev(Cl(0, 1)), stderr='closes a frame when none is open')
    add('evented-close-empty-lenient', ev(Cl(0, 1)), 'ok', args=('--lenient',), warn='repaired 1 event')
    add('evented-open-at-end', ev(O(0, 1), O(1, 2)), stderr='frames still open at the end: 2')
    add('evented-open-at-end-lenient', ev(O(0, 1), O(1, 2)), 'ok', args=('--lenient',), warn='repaired 2 events')
    add('evented-type-lowercase', ev(dict(O(0, 1), type='o')), stderr='has no type "O" or "C"')
    add('evented-type-missing', ev({'frame': 0, 'at': 1}), stderr='has no type "O" or "C"')
    add('evented-type-nul', ev(O(0, 1), Cl(0, 2)).replace(b'"type":"O"', b'"type":"O\\u0000x"'), 'any')
    add('evented-at-missing', ev({'type': 'O', 'frame': 0}), stderr="has no 'at' number")
    add('evented-at-string', ev(O(0, '1')), stderr="has no 'at' number")
    add('evented-at-1e400', ev(O(0, 1), Cl(0, 2)).replace(b'"at":2', b'"at":1e400'))
    add('evented-event-not-object', ev(1), stderr='has no type')
    add('evented-events-missing', ss_doc([{'type': 'evented', 'unit': 'none'}]), stderr="no 'events' array")
    add('evented-empty', ev(), 'ok', expect={'functions': 0, 'weight': 10}, sort_mark='0 functions')
    add('evented-start-after-end', ev(O(0, 1), Cl(0, 2), start=100, end=-100), 'ok', expect={'functions': 1})
    add('evented-before-start', ev(O(0, -5), Cl(0, -1), start=0, end=1), 'ok', expect={'functions': 1})
    # time spans beyond the largest double: refusing is fine, an infinite total is not
    add('evented-span-overflow', ev(O(0, -1e308), Cl(0, 1e308), start=-1e308, end=1e308), 'any')
    add('evented-idle-overflow', ev(start=-1e308, end=1e308), 'any')
    # idle time and a frame's time, each finite, whose sum is not (found by fuzz-speedscope-read)
    add('evented-idle-plus-frame-overflow', b'{"shared":{"frames":[{"name":"a"}]},"profiles":[{"type":"evented",'
        b'"unit":"none","startValue":-1e308,"events":[{"type":"O","frame":0,"at":0},{"type":"C","frame":0,'
        b'"at":1e308}]}]}', 'any')
    add('evented-start-not-finite', ev().replace(b'"startValue":0', b'"startValue":1e999'))
    # document shape
    add('profiles-empty', ss_doc([]), stderr="no 'profiles' array with a profile in it")
    add('profiles-missing', jd({'shared': {'frames': SS_FRAMES}}), stderr="no 'profiles' array")
    add('profiles-object', jd({'shared': {'frames': SS_FRAMES}, 'profiles': {'0': ss_sampled([[0]], [1])}}),
        stderr="no 'profiles' array")
    add('profile-not-object', ss_doc([1]), stderr='\'type\' is not "sampled" or "evented"')
    add('profile-type-unknown', ss_doc([dict(ss_sampled([[0]], [1]), type='weird')]),
        stderr='\'type\' is not "sampled" or "evented"')
    add('profile-unit-unknown', ss_doc([ss_sampled([[0]], [1], unit='parsecs')]), stderr="'unit' is not one of")
    add('profile-unit-missing', ss_doc([{'type': 'sampled', 'samples': [[0]], 'weights': [1]}]),
        stderr="'unit' is not one of")
    add('shared-missing', jd({'profiles': [ss_sampled([[0]], [1])]}), stderr="no 'shared.frames' array")
    add('shared-array', jd({'shared': [], 'profiles': [ss_sampled([[0]], [1])]}), stderr="no 'shared.frames'")
    add('frames-object', jd({'shared': {'frames': {}}, 'profiles': [ss_sampled([[0]], [1])]}),
        stderr="no 'shared.frames'")
    add('frame-not-object', ss_doc([ss_sampled([[0]], [1])], frames=[1]), stderr="frame 0 has no 'name' string")
    add('frame-name-number', ss_doc([ss_sampled([[0]], [1])], frames=[{'name': 5}]),
        stderr="frame 0 has no 'name' string")
    add('frame-line-negative', ss_doc([ss_sampled([[0]], [1])], frames=[{'name': 'a', 'line': -1}]),
        stderr="'line' is not a line number")
    add('frame-line-fraction', ss_doc([ss_sampled([[0]], [1])], frames=[{'name': 'a', 'line': 1.5}]),
        stderr="'line' is not a line number")
    add('frame-line-1e300', ss_doc([ss_sampled([[0]], [1])], frames=[{'name': 'a', 'line': 1e300}]),
        stderr="'line' is not a line number")
    add('frame-line-string', ss_doc([ss_sampled([[0]], [1])], frames=[{'name': 'a', 'line': '7'}]),
        stderr="'line' is not a line number")
    add('frame-file-number', ss_doc([ss_sampled([[0]], [1])], frames=[{'name': 'a', 'file': 5}]), 'any')
    add('frames-empty-unused', ss_doc([ss_sampled([[]], [4])], frames=[]), 'ok',
        expect={'functions': 0, 'weight': 4}, sort_mark='0 functions')
    mixed = ss_doc([ss_sampled([[0]], [1]), ss_evented([O(1, 1), Cl(1, 2)])])
    add('mixed-kinds', mixed, 'ok', expect={'profiles': 2})
    add('mixed-kinds-merged', mixed, stderr='cannot merge', args=('--merge-threads',))
    add('units-differ-merged', ss_doc([ss_sampled([[0]], [1]), ss_sampled([[1]], [1], unit='bytes')]),
        stderr='cannot merge', args=('--merge-threads',))
    add('threads-merged', ss_doc([ss_sampled([[0]], [1]), ss_sampled([[0, 1]], [2])]), 'ok',
        args=('--merge-threads',), expect={'profiles': 1, 'samples': 2, 'weight': 3})
    # JSON level
    add('root-array', b'[{"shared":{}}]', stderr='not a speedscope file', args=('--format', 'speedscope'))
    add('root-number', b'42', stderr='not a speedscope file', args=('--format', 'speedscope'))
    add('root-string', b'"speedscope"', stderr='not a speedscope file', args=('--format', 'speedscope'))
    add('root-null', b'null', stderr='not a speedscope file', args=('--format', 'speedscope'))
    add('root-array-auto', b'[{"shared":{}}]\n', stderr='is JSON, but not speedscope JSON')
    add('only-brace', b'{')     # JSON or a truncated marshalled dict: an error either way
    add('only-brace-quote', b'{"', stderr='invalid JSON')
    add('empty-object', b'{}', stderr='is JSON, but not speedscope JSON')
    add('empty-object-forced', b'{}', stderr='not a speedscope file', args=('--format', 'speedscope'))
    add('not-json-forced', b'hello', stderr='invalid JSON', args=('--format', 'speedscope'))
    add('empty-forced', b'', args=('--format', 'speedscope'))
    add('truncated-string', ok1[:ok1.index(b'"app.py"') + 4], stderr='invalid JSON')
    add('duplicate-keys-empty-first', b'{"shared":{"frames":[{"name":"a"}]},"profiles":[],"profiles":'
        b'[{"type":"sampled","unit":"none","samples":[[0]],"weights":[1]}]}', 'any')
    add('duplicate-keys-empty-last', b'{"shared":{"frames":[{"name":"a"}]},"profiles":'
        b'[{"type":"sampled","unit":"none","samples":[[0]],"weights":[1]}],"profiles":[]}', 'any')
    add('duplicate-frames-key', b'{"shared":{"frames":[],"frames":[{"name":"a"}]},"profiles":'
        b'[{"type":"sampled","unit":"none","samples":[[0]],"weights":[1]}]}', 'any')
    add('name-nul-escape', ss_doc([ss_sampled([[0]], [1])], frames=[{'name': 'a\x00b', 'file': '\x00'}]), 'ok',
        expect={'functions': 1})
    add('name-nul-escapes-collide', ss_doc([ss_sampled([[0], [1]], [1, 1])],
                                            frames=[{'name': 'a\x00b'}, {'name': 'a\x00c'}]), 'ok',
        expect={'samples': 2})
    add('name-invalid-utf8', ss_doc([ss_sampled([[0]], [1])], frames=[{'name': 'X'}]).replace(b'"X"', b'"\xff\xfe\xc3"'),
        'any')
    add('name-lone-surrogate', ss_doc([ss_sampled([[0]], [1])], frames=[{'name': 'X'}]).replace(b'"X"', b'"\\ud800"'),
        'any')
    add('name-raw-control-chars', ss_doc([ss_sampled([[0]], [1])], frames=[{'name': 'X'}]).replace(
        b'"X"', b'"a\x01\x00\nb"'), 'any')
    add('name-newline-thread', ss_doc([ss_sampled([[0]], [1], name='t\nerror: fake\n')]), 'ok',
        expect={'profiles': 1})
    add('bad-escape', ss_doc([ss_sampled([[0]], [1])], frames=[{'name': 'X'}]).replace(b'"X"', b'"\\x41"'),
        stderr='invalid JSON')
    add('trailing-garbage', ok1 + b'garbage', 'any')
    add('trailing-second-object', ok1 + b'{}', 'any')
    add('bom-utf8', BOM8 + ok1, 'ok', expect={'samples': 3})
    add('bom-utf8-garbage', BOM8 + b'{"x" ', stderr='invalid JSON')
    add('bom-utf16', b'\xff\xfe' + ok1.decode().encode('utf-16-le'), 'any')
    add('nesting-1001-arrays', b'{"a":' + b'[' * 1001 + b']' * 1001 + b'}', stderr='invalid JSON')
    add('nesting-1001-in-samples', ss_doc([ss_sampled([[0]], [1])]).replace(b'[[0]]', b'[' * 1001 + b']' * 1001))
    add('nesting-999', b'{"a":' + b'[' * 998 + b']' * 998 + b'}', stderr='not a speedscope file')
    return C


def _ev_stream(n, make):
    body = b','.join(make(i) for i in range(n))
    return (b'{"shared":{"frames":[{"name":"a"},{"name":"b"}]},"profiles":[{"type":"evented","unit":"none",'
            b'"startValue":0,"endValue":' + str(n + 2).encode() + b',"events":[' + body + b']}]}')


def speedscope_generated():
    C = []
    add = lambda *a, **k: C.append(ss_case(*a, **dict(k, modes=('import',))))
    N = 100000
    add('nest-arrays-100k', lambda: b'{"a":' + b'[' * N + b']' * N + b'}', stderr='invalid JSON')
    add('nest-objects-100k', lambda: b'{"a":' * N + b'1' + b'}' * N, stderr='invalid JSON')
    add('nest-unclosed-100k', lambda: b'{"a":' + b'[' * N, stderr='invalid JSON')
    open_ev = lambda i: b'{"type":"O","frame":0,"at":1}'
    add('open-1m-never-closed', lambda: _ev_stream(1000000, open_ev), stderr='frames still open at the end: 1000000',
        timeout=15)
    add('open-1m-never-closed-lenient', lambda: _ev_stream(1000000, open_ev), 'ok', args=('--lenient',),
        warn='repaired 1000000 events', timeout=15, expect={'functions': 1, 'nodes': 1000001})
    add('open-close-500k', lambda: _ev_stream(1000000, lambda i: b'{"type":"%s","frame":0,"at":%d}' % (
        b'OC'[i % 2:i % 2 + 1], i)), 'ok', timeout=15, expect={'functions': 1, 'nodes': 2})
    add('at-decreasing-100k-lenient', lambda: _ev_stream(100000, lambda i: b'{"type":"%s","frame":0,"at":%d}' % (
        b'OC'[i % 2:i % 2 + 1], N - i)), 'ok', args=('--lenient',), warn='repaired 99999 events', timeout=15)
    add('close-unopened-100k-lenient', lambda: _ev_stream(100000, lambda i: b'{"type":"C","frame":1,"at":1}'), 'ok',
        args=('--lenient',), warn='repaired 100000 events', timeout=15)
    # 300000 opens, then 300000 closes of a frame that is not open: each close must not
    # search the whole open stack (quadratic: minutes)
    M = 300000
    add('open-300k-close-other-300k-lenient', lambda: _ev_stream(2 * M, lambda i: (
        b'{"type":"O","frame":0,"at":1}' if i < M else b'{"type":"C","frame":1,"at":2}')), 'ok',
        args=('--lenient',), warn='repaired 600000 events', timeout=10)
    frames = lambda n: b'[' + b','.join(b'{"name":"f%d","file":"m%d.py","line":%d}' % (i, i % 97, i) for i in range(n)) + b']'
    add('frames-300k', lambda: b'{"shared":{"frames":' + frames(300000) + b'},"profiles":[{"type":"sampled",'
        b'"unit":"none","samples":[[' + b','.join(b'%d' % i for i in range(0, 300000, 3)) + b']],"weights":[1]}]}',
        'ok', timeout=15, expect={'functions': 100000, 'nodes': 100001})
    add('sample-200k-deep', lambda: b'{"shared":{"frames":[{"name":"a"},{"name":"b"}]},"profiles":[{"type":'
        b'"sampled","unit":"none","samples":[[' + b','.join([b'0,1'] * 100000) + b']],"weights":[3]}]}',
        'ok', timeout=15, expect={'functions': 2, 'nodes': 200001, 'weight': 3})
    add('samples-500k', lambda: b'{"shared":{"frames":[{"name":"a"},{"name":"b"}]},"profiles":[{"type":'
        b'"sampled","unit":"none","samples":[' + b','.join([b'[0,1]', b'[0]'] * 250000) + b'],"weights":['
        + b','.join([b'1'] * 500000) + b']}]}', 'ok', timeout=15, expect={'samples': 500000})
    add('name-1mb', lambda: ss_doc([ss_sampled([[0]], [1])], frames=[{'name': 'n' * (1 << 20)}]), 'ok',
        expect={'functions': 1}, timeout=15)
    add('keys-100k-duplicate', lambda: b'{"shared":{"frames":[{"name":"a"}]},' + b'"x":1,' * N +
        b'"profiles":[{"type":"sampled","unit":"none","samples":[[0]],"weights":[1]}]}', 'ok', timeout=15)
    add('strings-100k-escapes', lambda: ss_doc([ss_sampled([[0]], [1])], frames=[{'name': '\x00\ud7ff\n' * N}]),
        'ok', timeout=15)
    add('number-100k-digits', lambda: ss_doc([ss_sampled([[0]], [1])]).replace(b'"weights":[1]',
                                                                                b'"weights":[1' + b'0' * N + b']'),
        timeout=15)
    # an empty object after 10 MB of blanks (beyond what format detection looks at)
    add('whitespace-10mb', lambda: b'{' + b' ' * (10 << 20) + b'}', timeout=15)
    add('whitespace-10mb-forced', lambda: b'{' + b' ' * (10 << 20) + b'}', stderr='not a speedscope file',
        args=('--format', 'speedscope'), timeout=15)
    add('profiles-4096', lambda: ss_doc([ss_sampled([[0]], [1])] * 4096), 'ok', timeout=30,
        expect={'profiles': 4096})
    add('profiles-4097', lambda: ss_doc([ss_sampled([[0]], [1])] * 4097), stderr='more than 4096')
    add('profiles-4097-merged', lambda: ss_doc([ss_sampled([[0]], [1])] * 4097), 'ok', args=('--merge-threads',),
        expect={'profiles': 1, 'samples': 4097})
    # many small JSON values: the parsed tree is ~40 times the text; under the normal
    # 1 GiB address-space cap this must end with a clear refusal (or an import), never a
    # crash, and never "invalid JSON" for a valid file. Not run under ASan (no cap).
    # objects cost more: an event is an object, three members and their keys
    for K in (2000000, 2400000):
        add('dom-%dk-events' % (K // 1000), lambda K=K: b'{"shared":{"frames":[{"name":"a"}]},"profiles":[{"type":'
            b'"evented","unit":"none","startValue":0,"endValue":%d,"events":[' % K + b','.join(
                b'{"type":"%s","frame":0,"at":%d}' % (b'OC'[i % 2:i % 2 + 1], i) for i in range(K)) + b']}]}',
            'any', forbid='invalid JSON', sanitizers=False, timeout=30)
    K = 8000000
    add('dom-8m-samples', lambda: b'{"shared":{"frames":[{"name":"a"}]},"profiles":[{"type":"sampled",'
        b'"unit":"none","samples":[' + b','.join([b'[0]'] * K) + b'],"weights":[' + b','.join([b'1'] * K) + b']}]}',
        'any', forbid='invalid JSON', sanitizers=False, timeout=30)
    return C


def speedscope_fixture_cases():
    rng = random.Random(SEED + 20)
    C = []
    for fx, ntrunc, ncorrupt in (('py_sampled.speedscope.json', 20, 16), ('py_evented.speedscope.json', 12, 12),
                                 ('py_threads.speedscope.json', 8, 8)):
        data = sampled_fixture(fx)
        if data is None:
            continue
        stem = fx[:-len('.speedscope.json')]
        end = len(data.rstrip(b' \t\r\n'))
        for k, off in enumerate(fixture_offsets(len(data), ntrunc, rng, (1, 2, end - 1, end))):
            if off >= end:
                C.append(ss_case('trunc-%s-%d' % (stem, off), data[:off], 'ok'))
            else:
                C.append(ss_case('trunc-%s-%d' % (stem, off), data[:off],
                                 stderr='empty file' if off == 0 else 'invalid JSON' if off > 2 else None,
                                 sort_on_error=k % 4 == 0))
        for k, off in enumerate(offsets(len(data), ncorrupt, rng)):
            b = rng.choice((data[off] ^ 0xff, rng.randrange(256), 0x22, 0x2c, 0x5d, 0x7d, 0x30, 0x2d))
            if b == data[off]:
                b ^= 0x01
            C.append(ss_case('corrupt-%s-%d-%02x' % (stem, off, b), data[:off] + bytes([b]) + data[off + 1:], 'any',
                             warn='*', modes=('import', 'sort') if k % 4 == 0 else ('import',)))
    return C


# --- gzip ------------------------------------------------------------------------

def gz(data, level=6, mtime=0):
    c = zlib.compressobj(level, zlib.DEFLATED, 31)
    out = c.compress(data) + c.flush()
    return out[:4] + struct.pack('<I', mtime) + out[8:]


def gz_header(flags=0, extra=b'', fname=b'', comment=b'', hcrc=None):
    """A gzip header with optional fields; hcrc True: the right CRC16, an int: that value."""
    h = b'\x1f\x8b\x08' + bytes([flags]) + b'\x00\x00\x00\x00\x00\x03'
    if flags & 4:
        h += struct.pack('<H', len(extra)) + extra
    if flags & 8:
        h += fname + b'\x00'
    if flags & 16:
        h += comment + b'\x00'
    if flags & 2:
        crc = zlib.crc32(h) & 0xffff if hcrc is True else hcrc
        h += struct.pack('<H', crc)
    return h


def gz_with_header(data, header):
    raw = zlib.compressobj(6, zlib.DEFLATED, -15)
    body = raw.compress(data) + raw.flush()
    return header + body + struct.pack('<II', zlib.crc32(data), len(data) & 0xffffffff)


def stored_member(data):
    c = zlib.compressobj(0, zlib.DEFLATED, 31)
    return c.compress(data) + c.flush()


def member_of_size(target, line=b'a;b 1\n'):
    """A gzip member of exactly target bytes (stored blocks) holding folded lines."""
    lo, hi = 0, target
    text = lambda n: (line * (n // len(line) + 1))[:n]
    while lo < hi:
        mid = (lo + hi) // 2
        if len(stored_member(text(mid))) < target:
            lo = mid + 1
        else:
            hi = mid
    m = stored_member(text(lo))
    assert len(m) == target, (target, len(m))
    return m, text(lo)


_BOMB = {}


def zeros_member(mib):
    if mib not in _BOMB:
        _BOMB[mib] = gz(bytes(mib << 20), 9)
    return _BOMB[mib]


def gzip_stream(pieces, level=9):
    """One gzip member of the concatenated pieces (bytes, or (byte, count) runs made
    1 MiB at a time, so nothing big is ever held)."""
    c = zlib.compressobj(level, zlib.DEFLATED, 31)
    out = []
    for p in pieces:
        if isinstance(p, tuple):
            chunk, count = p
            block = chunk * ((1 << 20) // len(chunk))
            done = 0
            while done + len(block) <= count * len(chunk):
                out.append(c.compress(block))
                done += len(block)
            rest = count * len(chunk) - done
            out.append(c.compress(chunk * (rest // len(chunk))))
        else:
            out.append(c.compress(p))
    out.append(c.flush())
    return b''.join(out)


def gz_case(name, data, status='error', stderr=None, expect=None, at_max=None, **kw):
    if status != 'error':
        kw.setdefault('sort_mark', SORT_MARK)
    return Case(name, data, status=status, stderr=stderr, expect=expect, ext='.gz', at_byte=False,
                at_max=at_max, **kw)


def gzip_handcrafted():
    C = []
    add = lambda *a, **k: C.append(gz_case(*a, **k))
    text = b'main;a 1\nmain;b 2\n'
    g = gz(text)
    fold = {'profiles': 1, 'samples': 3, 'functions': 3, 'kind': 'sampled'}
    add('folded-ok', g, 'ok', expect=fold)
    add('magic-only', b'\x1f\x8b', stderr='gzip')
    add('magic-and-method', b'\x1f\x8b\x08', stderr='gzip')
    add('header-only', g[:10], stderr='gzip')
    add('one-byte', b'\x1f', stderr='unrecognised format')
    add('magic-then-text', b'\x1f\x8bhello a;b 1\n', stderr='gzip')
    add('method-not-deflate', b'\x1f\x8b\x07' + g[3:], stderr='gzip')
    add('reserved-flags', g[:3] + b'\xe0' + g[4:], stderr='gzip')
    add('truncated-trailer', g[:-4], stderr='gzip')
    add('truncated-1', g[:-1], stderr='gzip')
    add('crc-wrong', g[:-8] + bytes([g[-8] ^ 1]) + g[-7:], stderr='gzip')
    add('isize-wrong', g[:-1] + bytes([g[-1] ^ 1]), stderr='gzip')
    add('trailing-garbage', g + b'garbage', stderr='after the end of the gzip stream')
    add('trailing-zeros', g + b'\x00' * 8, stderr='after the end of the gzip stream')
    add('trailing-lone-1f', g + b'\x1f', 'error')
    add('trailing-magic', g + b'\x1f\x8b', stderr='gzip')
    add('trailing-partial-header', g + g[:6], stderr='gzip')
    add('trailing-newline', g + b'\n', stderr='after the end of the gzip stream')
    add('concat-2', gz(text[:5]) + gz(text[5:]), 'ok', expect=fold)
    add('concat-split-utf8', gz('a;\u00e4'.encode()[:3]) + gz('a;\u00e4 2\n'.encode()[3:]), 'ok',
        expect={'samples': 2, 'functions': 2})
    add('concat-empty-members', gz(b'') + gz(text) + gz(b'') + gz(b''), 'ok', expect=fold)
    add('concat-then-garbage', gz(text) + gz(b'') + b'x', stderr='after the end of the gzip stream')
    add('empty-content', gz(b''), stderr='empty file')
    add('empty-members-only', gz(b'') * 3, stderr='empty file')
    add('gzip-of-gzip', gz(g), stderr='unrecognised format')
    add('nul-content', gz(b'\x00' * 1000), stderr='unrecognised format')
    add('header-fname-fcomment', gz_with_header(text, gz_header(8 | 16, fname=b'x.folded', comment=b'hi')), 'ok',
        expect=fold)
    add('header-fextra', gz_with_header(text, gz_header(4, extra=b'AB\x02\x00xy')), 'ok', expect=fold)
    add('header-fhcrc', gz_with_header(text, gz_header(2, hcrc=True)), 'ok', expect=fold)
    add('header-fhcrc-wrong', gz_with_header(text, gz_header(2, hcrc=0)), stderr='gzip')
    add('header-fextra-beyond-end', b'\x1f\x8b\x08\x04' + b'\x00' * 6 + b'\xff\xff' + b'x' * 20, stderr='gzip')
    add('header-fname-unterminated', gz_header(8)[:10] + b'name-without-end', stderr='gzip')
    add('zlib-not-gzip', zlib.compress(text), stderr='unrecognised format')
    add('raw-deflate', zlib.compress(text)[2:-4], 'error')
    sp = ss_doc([ss_sampled([[0, 1], [0, 1, 2], [0]], [1, 2, 3])])
    add('speedscope-ok', gz(sp), 'ok', expect={'samples': 3, 'weight': 6})
    add('speedscope-concat', gz(sp[:7]) + gz(sp[7:]), 'ok', expect={'samples': 3, 'weight': 6})
    add('speedscope-truncated', gz(sp)[:-9], stderr='gzip')
    add('speedscope-invalid-json', gz(b'{"a": ' + b' ' * 5000 + b']'), stderr='invalid JSON', at_max=5007)
    add('pstats-ok', gz(m({KEY: GOOD_VALUE})), 'ok', sort_mark='function calls', expect={'kind': 'calls'})
    add('pstats-corrupt-content', gz(m({KEY: GOOD_VALUE})[:-1]), stderr='truncated marshal data', at_max=100)
    return C


def gzip_generated():
    C = []
    add = lambda *a, **k: C.append(gz_case(*a, **dict(k, modes=('import',))))
    # member boundaries around the 1 MiB read chunk (formats/input.c keeps a split magic)
    for size in (1048574, 1048575, 1048576, 1048577):
        mem, text = member_of_size(size)
        fm = FoldedModel(text + b'c;d 2\n')
        add('member-ends-at-%d' % size, mem + gz(b'c;d 2\n'), 'ok', expect={'samples': fm.samples},
            timeout=15)
        add('member-ends-at-%d-garbage' % size, mem + b'xy' + gz(b'c;d 2\n'),
            stderr='after the end of the gzip stream', timeout=15)
        add('member-ends-at-%d-lone-1f' % size, mem + b'\x1f', 'error', timeout=15)
    # 2 GiB of zeros (about 2 MB compressed). Readers whose memory follows the
    # decompressed bytes (a .prof read whole, speedscope's samples and events) refuse
    # gzip input inflating more than 100-fold once past 64 MiB (formats/input.h), and a
    # .prof whose gzip trailer claims more than the 1 GiB whole-read limit before
    # inflating anything: refused early, in memory bounded far below the bomb's size
    ratio = 'gzip data inflating more than 100-fold'
    # each member's trailer says 256 MiB: past the whole-read limit (the room / 12)
    # under the runner's 1 GiB cap, refused before inflating; within it without a cap
    # (sanitizer builds, or a test run with more room), refused by the ratio
    ratio_or_trailer = (ratio, 'the gzip trailer says 256 MiB')
    bomb = dict(timeout=60, max_rss_mb=160)
    add('bomb-2g-zeros-as-pstats', lambda: zeros_member(256) * 8, args=('--format', 'pstats'), stderr=ratio_or_trailer,
        **bomb)
    add('bomb-2g-one-stream-as-pstats', lambda: gzip_stream([(b'\x00', 2 * GIB)], level=1), args=('--format', 'pstats'),
        stderr='the gzip trailer says 2048 MiB', **bomb)
    # streamed JSON: a NUL is no JSON at all; a string of 2 GiB is refused by the ratio
    add('bomb-2g-zeros-as-speedscope', lambda: zeros_member(256) * 8, args=('--format', 'speedscope'),
        stderr='invalid JSON', **bomb)
    add('bomb-2g-one-stream-json-auto', lambda: gzip_stream([b'{"shared": {"frames": []}, "x": "',
                                                              (b'\x00', 2 * GIB)], level=1), stderr='invalid JSON', **bomb)
    add('bomb-512m-json-string', lambda: gzip_stream([b'{"shared": {"frames": []}, "x": "', (b'a', GIB // 2)], level=1),
        stderr=ratio, **bomb)
    # samples that repeat: the compact arrays (12 bytes a sample) would grow with them
    add('bomb-512m-json-samples', lambda: gzip_stream([b'{"shared": {"frames": [{"name": "a"}]}, "profiles": [{'
                                                        b'"type": "sampled", "unit": "none", "samples": [[0]',
                                                        (b',[0]', GIB // 8)], level=1), stderr=ratio, **bomb)
    # the same under the runner's usual 1 GiB address-space cap: still a clean refusal,
    # not "fatal: out of memory" (normal builds only: ASan runs have no cap)
    add('bomb-2g-zeros-as-pstats-1g-cap', lambda: zeros_member(256) * 8, args=('--format', 'pstats'),
        timeout=60, stderr=ratio_or_trailer, sanitizers=False)
    # folded streams: 300 MB must import (or be refused) in memory that does not grow
    # with the input, a NUL-filled "line" included
    stream = dict(timeout=60, max_rss_mb=256)
    add('bomb-300m-zeros-as-folded', lambda: gzip_stream([(b'\x00', 300 << 20)]), 'error',
        args=('--format', 'folded'), **stream)
    add('bomb-300m-zeros-after-folded-head', lambda: gzip_stream([b'a;b 1\n' * 1000, (b'\x00', 300 << 20)]), 'any',
        warn='*', **stream)
    # 12000 distinct stacks sharing a 28 KB prefix, each twice (5 MB of gzip, 670 MB of
    # text): the tree has 14001 nodes, a repeated-stack cache keyed by the whole text
    # would hold 330 MB
    pre = b';'.join(b'fr%04d' % i for i in range(4000))
    add('bomb-670m-shared-prefix-repeats', lambda: gzip_stream(
        [pre + b';leaf%d 1\n' % k + pre + b';leaf%d 1\n' % k for k in range(12000)], level=6), 'ok',
        expect={'samples': 24000, 'functions': 16000, 'nodes': 16001}, **stream)
    # a line beyond any sane length (a frame of 65 MiB): skipped or imported, in memory
    # that does not grow with it beyond the line itself
    add('bomb-65m-line-then-valid', lambda: gzip_stream([(b'x', 65 << 20), b' 1\nb 1\nc 1\n']), 'ok', warn='*',
        timeout=60, max_rss_mb=400)
    add('bomb-100m-newlines', lambda: gzip_stream([(b'\n', 100 << 20)]), stderr='no stacks', **stream)
    add('bomb-60m-lines', lambda: gzip_stream([(b'a;b 1\n', 10 << 20)]), 'ok',
        expect={'samples': 10 << 20, 'functions': 2}, **stream)
    return C


def gzip_fixture_cases():
    rng = random.Random(SEED + 30)
    C = []
    plain = {}
    for fx in ('py_sampled.folded', 'py_sampled.speedscope.json'):
        plain[fx] = sampled_fixture(fx)
    golden = fixture('py312-cprofile.prof')
    items = [('py_sampled.folded.gz', sampled_fixture('py_sampled.folded.gz'), 25, 20),
             ('py_sampled.speedscope.json.gz', sampled_fixture('py_sampled.speedscope.json.gz'), 15, 10),
             ('py312-cprofile.prof.gz', gz(golden) if golden is not None else None, 10, 6)]
    for fx, data, ntrunc, ncorrupt in items:
        if data is None:
            continue
        stem = fx.replace('.', '-')
        content = zlib.decompress(data, 31)
        if fx.endswith('.folded.gz'):
            fm = FoldedModel(content)
            expect = {'samples': fm.samples, 'weight': fm.weight}
        elif fx.endswith('.json.gz'):
            doc = json.loads(content)
            ws = [w for p in doc['profiles'] for w in p['weights']]
            expect = {'samples': sum(1 for w in ws if w > 0), 'weight': sum(ws)}
        else:
            expect = {'kind': 'calls'}
        mark = 'function calls' if fx.endswith('.prof.gz') else SORT_MARK
        C.append(gz_case('whole-%s' % stem, data, 'ok', expect=expect, sort_mark=mark))
        for k, off in enumerate(fixture_offsets(len(data), ntrunc, rng, list(range(12)) + [len(data) - i for i in
                                                                                             range(1, 9)])):
            C.append(gz_case('trunc-%s-%d' % (stem, off), data[:off],
                             stderr='empty file' if off == 0 else None if off == 1 else 'gzip',
                             sort_on_error=k % 4 == 0))
        for k, off in enumerate(sorted(set(offsets(len(data), ncorrupt, rng)) | set(range(3, 10)))):
            b = data[off] ^ (1 << rng.randrange(8))
            # a corrupted stream that still inflates and passes the CRC is the original
            C.append(gz_case('corrupt-%s-%d-%02x' % (stem, off, b), data[:off] + bytes([b]) + data[off + 1:], 'any',
                             expect=expect, sort_mark=mark, at_max=len(content), warn='*',
                             modes=('import', 'sort') if k % 4 == 0 else ('import',)))
        # many members: the content cut into 100 pieces, each its own member
        step = max(1, len(content) // 100)
        members = [gz(content[i:i + step]) for i in range(0, len(content), step)]
        multi = b''.join(members)
        C.append(gz_case('members-100-%s' % stem, multi, 'ok', expect=expect, sort_mark=mark))
        cut = len(multi) // 2
        ends = {sum(len(x) for x in members[:k]) for k in range(len(members) + 1)}
        while cut in ends:
            cut += 1
        C.append(gz_case('members-100-%s-trunc' % stem, multi[:cut], stderr='gzip'))
    return C


def sampled_committed(g):
    """The committed NAME.EXT files of a group with their NAME.expect."""
    cases_dir, ext = SAMPLED_GROUPS[g]
    C = []
    if not os.path.isdir(cases_dir):
        print('make_bad: %s is missing (make_bad.py --write-cases)' % cases_dir)
        return C
    for fn in sorted(os.listdir(cases_dir)):
        if not fn.endswith(ext):
            continue
        name = fn[:-len(ext)]
        with open(os.path.join(cases_dir, fn), 'rb') as f:
            data = f.read()
        e = read_expect(os.path.join(cases_dir, name + '.expect'))
        expect = {}
        for kv in e.get('expect', '').split():
            k, _, v = kv.partition('=')
            expect[k] = v if k in ('kind', 'unit', 'format') else float(v) if k == 'weight' else int(v)
        C.append(Case(name, data, status=e.get('status', 'error'), stderr=e.get('stderr') or None,
                      stdout=e.get('stdout') or None, at_byte=e.get('at_byte', 'yes') != 'no',
                      sort_args=e.get('sort_args', '').split(), ext=ext, args=e.get('args', '').split(),
                      expect=expect, warn=e.get('warn') or None, forbid=e.get('forbid') or None,
                      at_max=int(e['at_max']) if e.get('at_max') else None, sort_mark=e.get('sort_mark') or None))
    return C


def sampled_handcrafted(g):
    return {'folded': folded_handcrafted, 'speedscope': speedscope_handcrafted, 'gzip': gzip_handcrafted}[g]()


def format_expect_sampled(c):
    lines = [format_expect(c).rstrip('\n')]
    if c.args:
        lines.append('args: %s' % ' '.join(c.args))
    if c.expect:
        lines.append('expect: %s' % ' '.join('%s=%s' % (k, repr(v) if isinstance(v, float) else v)
                                             for k, v in sorted(c.expect.items())))
    for key in ('warn', 'forbid', 'at_max', 'sort_mark'):
        if getattr(c, key) is not None:
            lines.append('%s: %s' % (key, getattr(c, key)))
    return '\n'.join(lines) + '\n'


def write_committed_sampled():
    for g, (cases_dir, ext) in SAMPLED_GROUPS.items():
        os.makedirs(cases_dir, exist_ok=True)
        for fn in os.listdir(cases_dir):
            if fn.endswith((ext, '.expect')):
                os.unlink(os.path.join(cases_dir, fn))
        for c in sampled_handcrafted(g):
            assert c.ext == ext and isinstance(c.data, bytes) and len(c.data) < 20000, c.name
            with open(os.path.join(cases_dir, c.name + ext), 'wb') as f:
                f.write(c.data)
            with open(os.path.join(cases_dir, c.name + '.expect'), 'w', encoding='utf-8') as f:
                f.write(format_expect_sampled(c))


def group(name, cases_dir=CASES_DIR):
    if name == 'cases':
        return committed_cases(cases_dir) + special_cases()
    if name == 'hostile':
        return hostile()
    if name == 'truncate':
        return truncations()
    if name == 'corrupt':
        return corruptions()
    if name == 'folded':
        return sampled_committed(name) + folded_generated() + folded_austin_cases() + folded_fixture_cases()
    if name == 'speedscope':
        return sampled_committed(name) + speedscope_generated() + speedscope_fixture_cases()
    if name == 'gzip':
        return sampled_committed(name) + gzip_generated() + gzip_fixture_cases()
    raise ValueError('unknown group %r (one of %s)' % (name, ', '.join(GROUPS)))


def main(argv):
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('outdir', nargs='?')
    ap.add_argument('--group', action='append', choices=GROUPS)
    ap.add_argument('--write-cases', action='store_true',
                    help='rewrite the committed tests/bad/cases/ from handcrafted()')
    args = ap.parse_args(argv)
    if args.write_cases:
        write_committed(args.outdir or CASES_DIR)
        if not args.outdir:
            write_committed_sampled()
        return 0
    if not args.outdir:
        ap.error('OUTDIR is needed')
    os.makedirs(args.outdir, exist_ok=True)
    with open(os.path.join(args.outdir, 'manifest.tsv'), 'w', encoding='utf-8') as man:
        man.write('group\tname\tstatus\tstderr\tmodes\n')
        for g in args.group or GROUPS:
            for c in group(g):
                if c.data is not None:
                    with open(os.path.join(args.outdir, c.name + c.ext), 'wb') as f:
                        f.write(c.data() if callable(c.data) else c.data)
                man.write('%s\t%s\t%s\t%s\t%s\n' % (g, c.name + c.ext, c.status,
                                                     ' | '.join(c.stderr) if isinstance(c.stderr, tuple) else c.stderr or '',
                                                     ','.join(c.modes) + (' ' + ' '.join(c.args) if c.args else '')))
    return 0


if __name__ == '__main__':
    sys.exit(main(sys.argv[1:]))

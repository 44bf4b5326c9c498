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

Expectations ("status"):
  error  exit status 1 and one line "error: 'PATH': ..." on stderr
  ok     exit status 0
  any    either of the two above (never a crash, hang or sanitizer report)
An "at byte N" at the end of the line must have N <= the file size; it is required
(at_byte=True, the default) where the problem is at the marshal level. Corrupted
fixtures (at_byte=False) may also fail at the pstats level, with or without it.

Usage:
  make_bad.py OUTDIR [--group G]...   write the cases' files and a manifest.tsv
  make_bad.py --write-cases [DIR]     (re)write the committed tests/bad/cases/
"""
import argparse
import marshal
import os
import random
import struct
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
FIXTURES = os.path.join(HERE, '..', 'golden', 'fixtures')
CASES_DIR = os.path.join(HERE, 'cases')
SEED = 20240611

GROUPS = ('cases', 'hostile', 'truncate', 'corrupt')


class Case:
    """One bad input. data is bytes, or None for a special path (special names
    it: 'dir', 'fifo', 'missing', 'missing-dir', 'devnull'); 'odd-name' writes data
    under a file name with a newline and a quote in it, 'long-path' under a path of
    about 700 bytes."""

    def __init__(self, name, data, status='error', stderr=None, stdout=None, at_byte=True,
                 modes=('import', 'sort'), special=None, timeout=None, sort_on_error=True, sort_args=()):
        assert status in ('error', 'ok', 'any')
        self.name = name
        self.data = data
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
    add('text', b'this is not a profile, just text\n', stderr='unrecognised format')
    add('json', b'{"a.py:1(f)": [1, 1, 0.5, 0.5, {}]}\n', stderr='unknown marshal type code 0x22 at byte 1')
    add('json-array', b'[{"calls": 1}]\n', stderr='unrecognised format')
    add('top-list', m([KEY, GOOD_VALUE]), stderr='unrecognised format')
    add('top-none', m(None), stderr='unrecognised format')
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
        lines.append('stderr: %s' % c.stderr)
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
        if (b & 0x7f) in KNOWN_CODES:
            continue
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


def group(name, cases_dir=CASES_DIR):
    if name == 'cases':
        return committed_cases(cases_dir) + special_cases()
    if name == 'hostile':
        return hostile()
    if name == 'truncate':
        return truncations()
    if name == 'corrupt':
        return corruptions()
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
        return 0
    if not args.outdir:
        ap.error('OUTDIR is needed')
    os.makedirs(args.outdir, exist_ok=True)
    with open(os.path.join(args.outdir, 'manifest.tsv'), 'w', encoding='utf-8') as man:
        man.write('group\tname\tstatus\tstderr\tmodes\n')
        for g in args.group or GROUPS:
            for c in group(g):
                if c.data is not None:
                    with open(os.path.join(args.outdir, c.name + '.prof'), 'wb') as f:
                        f.write(c.data)
                man.write('%s\t%s\t%s\t%s\t%s\n' % (g, c.name, c.status, c.stderr or '', ','.join(c.modes)))
    return 0


if __name__ == '__main__':
    sys.exit(main(sys.argv[1:]))

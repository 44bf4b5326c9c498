#!/usr/bin/env python3
"""Compare pyrepr_float with the running Python's repr() on random doubles.

    check_pyrepr_random.py TEST_PYREPR [N] [SEED]

TEST_PYREPR --random N SEED prints "C-hexfloat<TAB>text" lines; every text must be
repr(float.fromhex(hexfloat)), except that nan/inf have no hex form to compare
(they are covered by the fixed table).
"""
import subprocess
import sys


def main():
    exe = sys.argv[1]
    n = sys.argv[2] if len(sys.argv) > 2 else '200000'
    seed = sys.argv[3] if len(sys.argv) > 3 else '1'
    out = subprocess.run([exe, '--random', n, seed], check=True, stdout=subprocess.PIPE).stdout.decode()
    passed = failed = 0
    shown = 0
    for line in out.splitlines():
        hx, got = line.split('\t')
        if hx in ('nan', '-nan', 'inf', '-inf'):
            want = repr(float(hx))
        else:
            want = repr(float.fromhex(hx))
        if got == want:
            passed += 1
        else:
            failed += 1
            if shown < 20:
                print('%s: profview %s, Python %s' % (hx, got, want))
                shown += 1
    print('%d passed, %d failed' % (passed, failed))
    return 1 if failed or not passed else 0


if __name__ == '__main__':
    sys.exit(main())

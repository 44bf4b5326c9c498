#!/usr/bin/env python3
"""Seeds for fuzz_store_arrays.c: the packed arrays of real profiles, as a store
of schema version 5 holds them, in the target's input format. Imports small
real fixtures (cProfile, the profile module, folded, speedscope sampled and
evented) into a temporary store with profview and writes one seed per profile.

  make_corpus_arrays.py PROFVIEW OUT_DIR
"""
import os
import sqlite3
import struct
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
TESTS = os.path.dirname(HERE)
FILES = ['golden/fixtures/py311-cprofile.prof', 'golden/fixtures/py27-profile.prof',
         'sampled/fixtures/py_sampled-annotated.folded', 'sampled/fixtures/py_evented.speedscope.json']
ARRAYS = {'strings': 0, 'functions': 1, 'edges': 2, 'tree_nodes': 3, 'keys': 4}
KINDS = {'calls': 0, 'sampled': 1, 'evented': 2}


def main():
    profview, out = sys.argv[1], sys.argv[2]
    os.makedirs(out, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        db = os.path.join(tmp, 's.db')
        for f in FILES:
            subprocess.run([profview, '--db', db, 'import', os.path.join(TESTS, f)], check=True,
                           capture_output=True)
        con = sqlite3.connect(db)
        for pid, kind in con.execute('SELECT id, kind FROM profiles ORDER BY id').fetchall():
            seed = bytearray([KINDS[kind] + 4 * 3])
            for array, chunk, count, data in con.execute(
                    'SELECT array, chunk, count, data FROM profile_arrays WHERE profile_id = ? '
                    'ORDER BY array, chunk', (pid,)):
                # the target's rows are at most 65535 bytes: cut bigger chunks (the
                # fuzzer starts from damaged arrays then, which is its job anyway)
                data = bytes(data)[:65535]
                seed += struct.pack('<BBHH', ARRAYS[array], chunk & 255, min(count, 65535), len(data)) + data
            with open(os.path.join(out, 'profile-%d-%s' % (pid, kind)), 'wb') as f:
                f.write(seed)
    return 0


if __name__ == '__main__':
    sys.exit(main())

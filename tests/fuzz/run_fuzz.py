#!/usr/bin/env python3
"""Runs a libFuzzer binary for a bounded time over a scratch copy of seed corpora.

  run_fuzz.py FUZZER [--seconds N] [--dict FILE] [--artifacts DIR] [--max-len N] [--keep] SEED_DIR|FILE...

The seeds are copied into a temporary directory, so the source tree is never
modified. A crash, leak, timeout or out-of-memory is saved in --artifacts (default:
a scratch directory) and its bytes are printed in hex; the exit status is then 1.
"""
import argparse
import os
import shutil
import subprocess
import sys
import tempfile


def copy_seeds(sources, corpus):
    n = 0
    for src in sources:
        if os.path.isdir(src):
            names = sorted(os.listdir(src))
            paths = [os.path.join(src, fn) for fn in names]
        elif os.path.isfile(src):
            paths = [src]
        else:
            print('run_fuzz: no seeds at %s (skipped)' % src)
            continue
        for p in paths:
            if os.path.isfile(p) and not os.path.basename(p).startswith('.'):
                shutil.copyfile(p, os.path.join(corpus, 'seed-%04d-%s' % (n, os.path.basename(p))))
                n += 1
    return n


def show_artifact(path):
    with open(path, 'rb') as f:
        data = f.read()
    print('artifact %s (%d bytes):' % (path, len(data)))
    shown = data[:1024]
    for off in range(0, len(shown), 32):
        print('  %06x  %s' % (off, shown[off:off + 32].hex()))
    if len(data) > len(shown):
        print('  ... (%d more bytes)' % (len(data) - len(shown)))


def main(argv):
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('fuzzer')
    ap.add_argument('seeds', nargs='+')
    ap.add_argument('--seconds', type=int, default=20)
    ap.add_argument('--dict')
    ap.add_argument('--artifacts')
    ap.add_argument('--rss-limit-mb', type=int, default=2048)
    ap.add_argument('--max-len', type=int, default=8192,
                    help='longest input to make (default 8192: many more runs per second than\n'
                    'the size of the biggest seed; 0 lets libFuzzer pick)')
    ap.add_argument('--keep', action='store_true', help='keep the scratch corpus')
    args = ap.parse_args(argv)

    scratch = tempfile.mkdtemp(prefix='pv-fuzz-')
    corpus = os.path.join(scratch, 'corpus')
    os.makedirs(corpus)
    artifacts = os.path.abspath(args.artifacts or os.path.join(scratch, 'artifacts'))
    os.makedirs(artifacts, exist_ok=True)
    before = set(os.listdir(artifacts))
    nseeds = copy_seeds(args.seeds, corpus)

    env = dict(os.environ)
    # UB must stop the run, or libFuzzer never sees it
    env['UBSAN_OPTIONS'] = 'halt_on_error=1:print_stacktrace=1:' + env.get('UBSAN_OPTIONS', '')
    env['ASAN_OPTIONS'] = env.get('ASAN_OPTIONS', '') + ':detect_leaks=1:abort_on_error=0'
    cmd = [os.path.abspath(args.fuzzer),
           '-max_total_time=%d' % args.seconds,
           '-rss_limit_mb=%d' % args.rss_limit_mb,
           '-timeout=10',
           '-max_len=%d' % args.max_len,
           '-print_final_stats=1',
           '-artifact_prefix=%s/' % artifacts]
    if args.dict:
        cmd.append('-dict=%s' % os.path.abspath(args.dict))
    cmd.append(corpus)
    print('run_fuzz: %d seeds; %s' % (nseeds, ' '.join(cmd)))
    sys.stdout.flush()
    p = subprocess.run(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    log = p.stdout.decode('utf-8', 'replace')
    new = sorted(set(os.listdir(artifacts)) - before)
    ok = p.returncode == 0 and not new
    # the whole log on failure; the summary lines otherwise
    lines = log.splitlines()
    if ok:
        lines = [l for l in lines if l.startswith(('INFO: seed', 'INFO: Loaded', '#', 'Done', 'stat::'))
                 and ('INITED' in l or 'DONE' in l or l.startswith(('Done', 'stat::', 'INFO')))]
    print('\n'.join(lines))
    for fn in new:
        show_artifact(os.path.join(artifacts, fn))
    if args.keep or not ok:
        print('run_fuzz: scratch corpus kept in %s' % scratch)
    else:
        shutil.rmtree(scratch, ignore_errors=True)
    if not ok:
        print('run_fuzz: FAILED (exit %d, %d new artifact(s) in %s)' % (p.returncode, len(new), artifacts))
        return 1
    print('run_fuzz: ok, no crash in %ds' % args.seconds)
    return 0


if __name__ == '__main__':
    sys.exit(main(sys.argv[1:]))

#!/usr/bin/env python3
"""Runs a libFuzzer binary for a bounded time over a copy of seed corpora.

  run_fuzz.py FUZZER [--seconds N] [--dict FILE] [--artifacts DIR] [--max-len N]
              [--corpus DIR] [--keep] SEED_DIR|FILE...

The seeds are copied into a temporary directory (or into --corpus), so the source
tree is never modified. A seed longer than --max-len is cut to its first max-len
bytes as it is copied (its head keeps the format's header), and equal seeds are
copied once: the corpus starts small, and libFuzzer never makes inputs longer
than max-len (a corpus of 136 KB inputs once grew to 85 MB and ran at ~600
exec/s). With --corpus DIR the corpus lives on in DIR: what one run finds seeds
the next, and at the end it is minimised (libFuzzer -merge=1) so that it keeps
only inputs that add coverage (tests/fuzz/README.md: the long mode).

A crash, leak, timeout or out-of-memory is saved in --artifacts (default: a
scratch directory) and its bytes are printed in hex; the exit status is then 1.
"""
import argparse
import os
import shutil
import subprocess
import sys
import tempfile


def copy_seeds(sources, corpus, max_len):
    """Copies the seeds into corpus, each cut to max_len bytes (0: whole), once per
    content; returns (seeds copied, how many were cut)."""
    import hashlib
    n = cut = 0
    seen = set(os.listdir(corpus))
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
                with open(p, 'rb') as f:
                    data = f.read()
                if max_len and len(data) > max_len:
                    data = data[:max_len]
                    cut += 1
                # named by content, as libFuzzer names what it adds: a seed already
                # in a kept corpus is not copied twice
                name = 'seed-' + hashlib.sha1(data).hexdigest()
                if name in seen:
                    continue
                seen.add(name)
                with open(os.path.join(corpus, name), 'wb') as f:
                    f.write(data)
                n += 1
    return n, cut


def corpus_size(corpus):
    files = [os.path.join(corpus, f) for f in os.listdir(corpus)]
    return len(files), sum(os.path.getsize(f) for f in files)


def minimise(cmd_base, corpus, env):
    """Keeps only the inputs that add coverage (libFuzzer -merge=1 into a fresh folder)."""
    fresh = corpus.rstrip('/') + '.merge'
    shutil.rmtree(fresh, ignore_errors=True)
    os.makedirs(fresh)
    p = subprocess.run(cmd_base + ['-merge=1', fresh, corpus], env=env, stdout=subprocess.PIPE,
                       stderr=subprocess.STDOUT)
    if p.returncode != 0:
        print('run_fuzz: minimising the corpus failed (exit %d); it is kept as it was' % p.returncode)
        shutil.rmtree(fresh, ignore_errors=True)
        return
    old = corpus.rstrip('/') + '.old'
    shutil.rmtree(old, ignore_errors=True)
    os.rename(corpus, old)
    os.rename(fresh, corpus)
    shutil.rmtree(old, ignore_errors=True)


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
    ap.add_argument('--corpus', help='a corpus kept across runs (minimised at the end) instead of a scratch one')
    ap.add_argument('--keep', action='store_true', help='keep the scratch corpus')
    args = ap.parse_args(argv)

    scratch = tempfile.mkdtemp(prefix='pv-fuzz-')
    corpus = os.path.abspath(args.corpus) if args.corpus else os.path.join(scratch, 'corpus')
    os.makedirs(corpus, exist_ok=True)
    artifacts = os.path.abspath(args.artifacts or os.path.join(scratch, 'artifacts'))
    os.makedirs(artifacts, exist_ok=True)
    before = set(os.listdir(artifacts))
    kept, kept_bytes = corpus_size(corpus)
    nseeds, ncut = copy_seeds(args.seeds, corpus, args.max_len)
    files, size = corpus_size(corpus)
    print('run_fuzz: %d seeds copied (%d cut to %d bytes), %d inputs were kept; corpus %d inputs, %d KB'
          % (nseeds, ncut, args.max_len, kept, files, size >> 10))

    env = dict(os.environ)
    # UB must stop the run, or libFuzzer never sees it
    env['UBSAN_OPTIONS'] = 'halt_on_error=1:print_stacktrace=1:' + env.get('UBSAN_OPTIONS', '')
    env['ASAN_OPTIONS'] = env.get('ASAN_OPTIONS', '') + ':detect_leaks=1:abort_on_error=0'
    base = [os.path.abspath(args.fuzzer),
            '-rss_limit_mb=%d' % args.rss_limit_mb,
            '-timeout=10',
            '-max_len=%d' % args.max_len,
            '-artifact_prefix=%s/' % artifacts]
    if args.dict:
        base.append('-dict=%s' % os.path.abspath(args.dict))
    cmd = base + ['-max_total_time=%d' % args.seconds, '-print_final_stats=1', corpus]
    print('run_fuzz: %s' % ' '.join(cmd))
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
    if args.corpus and ok:
        grown, grown_bytes = corpus_size(corpus)
        minimise(base, corpus, env)
        files2, size2 = corpus_size(corpus)
        print('run_fuzz: corpus %d inputs, %d KB after the run; minimised to %d inputs, %d KB (kept in %s)'
              % (grown, grown_bytes >> 10, files2, size2 >> 10, corpus))
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

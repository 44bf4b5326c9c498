#!/usr/bin/env python3
"""Load check of 'profview serve': wrk against the table endpoint on loopback.

Starts PROFVIEW serve on a fresh store holding the bundled example profile
(examples/example.prof, 213 functions) and, with --big, also the large real
profile bench/out/big.prof (~200k functions, made by make_big_profile.py on
first use). For each case wrk runs for --duration seconds (default 10) with
--connections (default 16) on 2 threads and reports requests/s, latency
percentiles and errors (socket errors and non-2xx answers).

  table page   /api/profiles/ID/table?by=cumulative&limit=100   what the web UI asks for
  table full   /api/profiles/ID/table?by=tottime                every row (213)
  uncached     the page with a fraction= that differs on every request (a wrk
               script), so that each answer is computed, not taken from the
               server's answer cache

Target (docs: the serve issue): >= 5,000 requests/s with p99 < 20 ms and 0
errors, on this 2-core machine, where wrk shares the cores with the server.
A benchmark, not a test: exits 0 whether the target is met or not (non-zero
only when it cannot run). Needs wrk: scripts/setup --bench installs it.

  bench/bench_serve.py [PROFVIEW] [--duration S] [--connections N] [--threads N] [--big] [--json FILE]

Use a release build for numbers:
  meson setup /tmp/pv-release /work/main --buildtype=release && ninja -C /tmp/pv-release
"""
import argparse
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile

from bench_common import loadavg

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)


# every request a new fraction (0.999 followed by a counter): never in the cache
UNCACHED_LUA = '''
local n = 0
local id = tostring(math.random(1, 1000000))
request = function()
  n = n + 1
  return wrk.format("GET", "%s&fraction=0.999" .. id .. n)
end
'''


def parse_wrk(text):
    """requests/s, latency percentiles (ms) and errors from wrk --latency output."""
    def ms(v, unit):
        return float(v) * {'us': 0.001, 'ms': 1.0, 's': 1000.0, 'm': 60000.0}[unit]
    out = {'rps': None, 'latency': {}, 'errors': 0, 'requests': None}
    m = re.search(r'Requests/sec:\s+([\d.]+)', text)
    if m:
        out['rps'] = float(m.group(1))
    m = re.search(r'(\d+) requests in', text)
    if m:
        out['requests'] = int(m.group(1))
    for pct, v, unit in re.findall(r'^\s+(\d+)%\s+([\d.]+)(us|ms|s|m)\s*$', text, re.M):
        out['latency'][pct] = ms(v, unit)
    m = re.search(r'Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)', text)
    if m:
        out['errors'] += sum(int(x) for x in m.groups())
    m = re.search(r'Non-2xx or 3xx responses: (\d+)', text)
    if m:
        out['errors'] += int(m.group(1))
    return out


def start_server(profview, db, threads):
    cmd = [profview, 'serve', '--db', db, '--port', '0']
    if threads:
        cmd += ['--threads', str(threads)]
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    line = proc.stdout.readline()
    m = re.search(r'(http://\S+/)', line)
    if not m:
        proc.kill()
        sys.exit('bench_serve: the server did not say its URL: %r %s' % (line, proc.stderr.read()))
    return proc, m.group(1)


def import_profile(profview, db, path):
    out = subprocess.run([profview, 'import', '--db', db, path], capture_output=True, text=True)
    if out.returncode:
        sys.exit('bench_serve: import failed: %s' % out.stderr)
    ids = re.findall(r'^(\d+)', out.stdout, re.M)
    if not ids:
        sys.exit('bench_serve: no id in the import output: %s' % out.stdout[:200])
    return int(ids[0])


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument('profview', nargs='?', default=os.path.join(ROOT, 'build', 'profview'))
    ap.add_argument('--duration', type=int, default=10)
    ap.add_argument('--connections', type=int, default=16)
    ap.add_argument('--threads', type=int, default=0, help="the server's worker threads (default: its own)")
    ap.add_argument('--big', action='store_true', help='also the ~200k-function profile')
    ap.add_argument('--json')
    a = ap.parse_args()
    if not shutil.which('wrk'):
        sys.exit('bench_serve: wrk is not installed: scripts/setup --bench (or apt-get install wrk)')
    tmp = tempfile.mkdtemp(prefix='pv-bench-serve-')
    db = os.path.join(tmp, 'store.db')
    profiles = [('example', os.path.join(ROOT, 'examples', 'example.prof'))]
    if a.big:
        big = os.path.join(HERE, 'out', 'big.prof')
        if not os.path.exists(big):
            subprocess.run([sys.executable, os.path.join(HERE, 'make_big_profile.py'), big], check=True)
        profiles.append(('big', big))
    ids = {name: import_profile(a.profview, db, path) for name, path in profiles}
    proc, url = start_server(a.profview, db, a.threads)
    results = []
    try:
        for name, pid in ids.items():
            cases = [('table page', 'api/profiles/%d/table?by=cumulative&limit=100' % pid, None),
                     ('table full', 'api/profiles/%d/table?by=tottime' % pid, None),
                     ('uncached', 'api/profiles/%d/table?by=cumulative&limit=100' % pid, UNCACHED_LUA)]
            if name == 'big':
                cases = cases[:1] + cases[2:]
            for label, path, lua in cases:
                script = []
                if lua:
                    lua_path = os.path.join(tmp, 'uncached.lua')
                    with open(lua_path, 'w') as f:
                        f.write(lua % ('/' + path))
                    script = ['-s', lua_path]
                # a short warm-up: the first requests open each thread's connection
                subprocess.run(['wrk', '-t2', '-c4', '-d1s', url + path], capture_output=True)
                load = loadavg()
                out = subprocess.run(['wrk', '-t2', '-c%d' % a.connections, '-d%ds' % a.duration, '--latency'] +
                                     script + [url + path], capture_output=True, text=True)
                r = parse_wrk(out.stdout)
                r.update(profile=name, case=label, path='/' + path, load_before=load)
                p99 = r['latency'].get('99')
                r['verdict'] = 'PASS' if (r['rps'] or 0) >= 5000 and p99 is not None and p99 < 20 and \
                    r['errors'] == 0 else 'MISS'
                results.append(r)
                print('%-8s %-11s %9.0f req/s  p50 %6.2f ms  p99 %6.2f ms  errors %d  %s   (%s, load %s)' % (
                    name, label, r['rps'] or 0, r['latency'].get('50', float('nan')), p99 or float('nan'),
                    r['errors'], r['verdict'], r['path'], load), flush=True)
    finally:
        proc.send_signal(signal.SIGINT)
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
        shutil.rmtree(tmp, ignore_errors=True)
    if proc.returncode != 0:
        print('bench_serve: the server exited with %s' % proc.returncode)
    print('target: >= 5000 req/s, p99 < 20 ms, 0 errors (wrk -t2 -c%d -d%ds on the same 2 cores)' %
          (a.connections, a.duration))
    if a.json:
        with open(a.json, 'w') as f:
            json.dump({'url': url, 'results': results}, f, indent=1)


if __name__ == '__main__':
    main()

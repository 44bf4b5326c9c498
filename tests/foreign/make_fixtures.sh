#!/bin/sh
# Makes tests/foreign/fixtures/: files that are NOT profiles profview reads, each
# written by the real tool that makes it, for test_foreign.py (each must be refused
# with a line that names what it is, see expect.tsv), and in fixtures/folded/ the
# Austin output of the same workload, which is folded stacks and must import.
#
#   tests/foreign/make_fixtures.sh      (needs gcc, valgrind, perf, node, go,
#                                        python3, austin + a Python it can sample,
#                                        dot, xz/bzip2/zstd/zip, ../shared/ref)
#
# The workloads are in src/. Tools: valgrind 3.19 (callgrind, cachegrind, massif,
# callgrind_annotate, cg_annotate, ms_print), perf 6.1 (record -g, script,
# report, stat -x), node 20 (--cpu-prof, --trace-event-categories), Go 1.19
# (runtime/pprof), gcc -pg + gprof, CPython (cProfile's printed stats, pydoc -w),
# flamegraph.pl + stackcollapse-perf.pl (../shared/ref), graphviz dot, gprof2dot,
# austin 1.0 (under a Python it supports: 3.8 from pyenv). Austin 3's binary MOJO
# cannot be made here (Debian's austin is 1.0): austin.mojo is written by this
# script from the MOJO header Austin documents (src/mojo.h: "MOJ", the version
# as a MOJO integer, then a metadata event), and says so in expect.tsv.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
src=$here/src
out=$here/fixtures
ref=${PV_REF:-$here/../../../shared/ref}
austin_python=${AUSTIN_PYTHON:-$(pyenv root 2>/dev/null)/versions/3.8.18/bin/python3}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
mkdir -p "$out/folded"
cd "$tmp"

# --- native code: valgrind, perf, gprof ----------------------------------------
gcc -g -O0 -o work "$src/work.c"
valgrind -q --tool=callgrind --callgrind-out-file=callgrind.out.work ./work 18 >/dev/null
callgrind_annotate callgrind.out.work > callgrind_annotate.txt
valgrind -q --tool=cachegrind --cache-sim=no --cachegrind-out-file=cachegrind.out.work ./work 18 >/dev/null
cg_annotate cachegrind.out.work > cg_annotate.txt
valgrind -q --tool=massif --massif-out-file=massif.out.work ./work 18 >/dev/null
ms_print massif.out.work > ms_print.txt
perf record -q -g -F 499 -o perf.data ./work 32 >/dev/null 2>&1
perf script -i perf.data > perf_script.txt 2>/dev/null
perf report -i perf.data --stdio > perf_report.txt 2>/dev/null
perf stat -x, -o perf_stat.csv ./work 20 >/dev/null
gzip -9n -c perf_script.txt > perf_script.txt.gz
xz -9 -c perf_script.txt > perf_script.txt.xz
bzip2 -9 -c perf_script.txt > perf_script.txt.bz2
zstd -q -19 -c perf_script.txt > perf_script.txt.zst
zip -q -X perf_script.zip perf_script.txt
# the same stacks folded and drawn: the picture is refused, its input imports
perl "$ref/stackcollapse-perf.pl" perf_script.txt > "$out/folded/perf_work.folded"
perl "$ref/flamegraph.pl" "$out/folded/perf_work.folded" > flamegraph.svg
gcc -pg -g -O0 -o workpg "$src/work.c"
./workpg 30 >/dev/null
gprof -b workpg gmon.out > gprof.txt
cp "$tmp/work" work.elf
strip work.elf

# --- node, Go ------------------------------------------------------------------
node --cpu-prof --cpu-prof-dir=. --cpu-prof-name=work.cpuprofile "$src/work.js" >/dev/null
node --trace-event-categories v8 --trace-event-file-pattern node_trace.json "$src/work.js" >/dev/null
mkdir go && cp "$src/main.go" go/ && (cd go && GOFLAGS=-mod=mod GOCACHE="$tmp/gocache" GOPATH="$tmp/gopath" \
	GO111MODULE=off go run main.go "$tmp/cpu.pprof" >/dev/null)
gzip -dc cpu.pprof > cpu.pb

# --- Python --------------------------------------------------------------------
cp "$src/app.py" app.py
python3 -m cProfile -s cumulative app.py 16 > pstats_print.txt
python3 -m cProfile -o app.prof app.py 16 >/dev/null
python3 - app.prof > pstats.csv <<'EOF'
import csv, pstats, sys
w = csv.writer(sys.stdout)
w.writerow(['file', 'line', 'function', 'pcalls', 'ncalls', 'tottime', 'cumtime'])
for (f, l, fn), (cc, nc, tt, ct, _) in sorted(pstats.Stats(sys.argv[1]).stats.items()):
    w.writerow([f, l, fn, cc, nc, tt, ct])
EOF
python3 -m pydoc -w app >/dev/null
python3 "$ref/gprof2dot.py" -f pstats app.prof | dot -Tpng -o callgraph.png
python3 "$ref/gprof2dot.py" -f pstats app.prof | dot -Tpdf -o callgraph.pdf
"$austin_python" -c 'import sys; assert sys.version_info[:2] <= (3, 9)'
for mode in default -f -m -a; do
	opt=$mode
	[ "$mode" = default ] && opt=
	austin -t 1000 -i 1000 $opt -o "$out/folded/austin-${mode#-}.txt" "$austin_python" app.py 22 >/dev/null 2>&1
done

# --- Austin 3's MOJO header (see above) ------------------------------------------
python3 -c 'import sys; sys.stdout.buffer.write(b"MOJ\x03\x01austin\x003.6.0\x00\x01mode\x00wall\x00")' > austin.mojo

for f in callgrind.out.work callgrind_annotate.txt cachegrind.out.work cg_annotate.txt massif.out.work \
	ms_print.txt perf.data perf_script.txt perf_report.txt perf_stat.csv perf_script.txt.gz perf_script.txt.xz \
	perf_script.txt.bz2 perf_script.txt.zst perf_script.zip flamegraph.svg gmon.out gprof.txt work.elf \
	work.cpuprofile node_trace.json cpu.pprof cpu.pb app.py pstats_print.txt pstats.csv app.html \
	callgraph.png callgraph.pdf austin.mojo; do
	cp "$f" "$out/$f"
done
ls -l "$out" "$out/folded"

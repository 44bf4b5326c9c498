#!/bin/sh
# Compiles bench/folded_phases.c against a built libprofview.a and runs it.
#   bench/folded_phases.sh [BUILDDIR] [FILE.folded] [REPS]
# BUILDDIR defaults to build/ (use a release build dir for release numbers);
# FILE.folded defaults to bench/out/folded-50000s-600M-runs.folded (made by
# bench_folded.py or make_big_folded.py --size 600M).
set -eu
here=$(cd "$(dirname "$0")" && pwd)
builddir=${1:-$here/../build}
file=${2:-$here/out/folded-50000s-600M-runs.folded}
mkdir -p "$here/out"
exe="$here/out/folded-phases-$(basename "$builddir")"
cc -std=gnu11 -O2 -g -D_GNU_SOURCE -o "$exe" "$here/folded_phases.c" "$builddir/libprofview.a" \
	$(pkg-config --cflags --libs sqlite3 libpcre2-8 zlib libcjson) -lpthread -lm
[ -f "$file" ] || python3 "$here/make_big_folded.py" --size 600M --out "$file"
exec "$exe" "$file" "$here/out" "${3:-3}"

#!/bin/sh
# Compiles bench/phases.c against a built libprofview.a and runs it.
#   bench/phases.sh [BUILDDIR] [FILE.prof] [REPS]
# BUILDDIR defaults to build/ (use a release build dir for release numbers);
# FILE.prof defaults to bench/out/big.prof.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
builddir=${1:-$here/../build}
prof=${2:-$here/out/big.prof}
mkdir -p "$here/out"
exe="$here/out/phases-$(basename "$builddir")"
cc -std=gnu11 -O2 -g -D_GNU_SOURCE -o "$exe" "$here/phases.c" "$builddir/libprofview.a" \
	$(pkg-config --cflags --libs sqlite3 libpcre2-8 zlib) -lm
[ -f "$prof" ] || python3 "$here/make_big_profile.py" --out "$prof"
exec "$exe" "$prof" "$here/out" "${3:-3}"

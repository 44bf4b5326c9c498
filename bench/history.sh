#!/bin/sh
# Compiles bench/history.c against a built libprofview.a and runs it: one
# function's lookup across N stored profiles of F functions (issue 14's
# cross-profile target: 1,000 profiles in <= 100 ms).
#   bench/history.sh [BUILDDIR] [N] [F]
set -eu
here=$(cd "$(dirname "$0")" && pwd)
builddir=${1:-$here/../build}
mkdir -p "$here/out"
exe="$here/out/history-$(basename "$builddir")"
cc -std=gnu11 -O2 -g -D_GNU_SOURCE -o "$exe" "$here/history.c" "$builddir/libprofview.a" \
	$(pkg-config --cflags --libs sqlite3 libpcre2-8 zlib libgvc) -lm -lpthread
exec "$exe" "$here/out" "${2:-1000}" "${3:-5000}"

#!/bin/sh
# Thin wrapper: see bench_sort.py (same arguments).
#   bench/bench_sort.sh [PROFVIEW] [--quick] [--runs N] [--no-hyperfine] [--json FILE]
exec python3 "$(dirname "$0")/bench_sort.py" "$@"

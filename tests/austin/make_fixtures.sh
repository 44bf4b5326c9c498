#!/usr/bin/env bash
# Make the Austin fixtures with the real Debian austin (1.0.1) profiling
# workload.py under pyenv's Python 3.9 (austin 1.0.1 cannot find the
# interpreter state of Python 3.11 and later).  Every run is real, so every
# file changes when this is re-run; the tests compute their expectations from
# the files themselves, never from a previous run.
#
#   tests/austin/make_fixtures.sh [PYTHON]
#
# Writes fixtures/austin1-*.austin (the hand-written Austin 2/3 samples in
# fixtures/ are not touched: see README.md).  Each file is checked to be
# 20-250 KB; a run outside that range is retried.
set -euo pipefail

HERE=$(cd "$(dirname "$0")" && pwd)
OUT="$HERE/fixtures"
PY=${1:-$(pyenv root)/versions/3.9.18/bin/python}
command -v austin >/dev/null || { echo "austin is not installed (apt-get install austin)" >&2; exit 1; }
"$PY" -c 'import sys; assert sys.version_info < (3, 11), "austin 1.0.1 needs Python <= 3.10"'
mkdir -p "$OUT"
export PYTHONDONTWRITEBYTECODE=1

# name, austin options, workload
RUNS=(
  "austin1-default||plain"
  "austin1-alt|-a|plain"
  "austin1-full|-f|memory"
  "austin1-memory|-m|memory"
  "austin1-alt-full|-a -f|memory"
  "austin1-alt-memory|-a -m|memory"
  "austin1-sleepless|-s|threads"
  "austin1-threads||threads"
)

for run in "${RUNS[@]}"; do
  IFS='|' read -r name opts workload <<<"$run"
  file="$OUT/$name.austin"
  for attempt in 1 2 3 4 5; do
    # shellcheck disable=SC2086
    (cd "$HERE" && austin $opts -o "$file" "$PY" workload.py "$workload") 2>/dev/null
    size=$(stat -c %s "$file")
    if [ "$size" -ge 20000 ] && [ "$size" -le 250000 ]; then
      break
    fi
    echo "$name: $size bytes, running again" >&2
    [ "$attempt" -lt 5 ] || { echo "$name: no run of the right size" >&2; exit 1; }
  done
  printf '%-22s austin %-6s workload.py %-8s %7d bytes, %5d lines\n' "$name" "$opts" "$workload" "$size" \
    "$(grep -c '' "$file")"
done
echo "made with $(austin --version 2>&1 | head -1) and $("$PY" --version 2>&1)"

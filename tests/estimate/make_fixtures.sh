#!/usr/bin/env bash
# Regenerates tests/estimate/fixtures with the real Pythons (pyenv): the runs
# whose call trees profview must estimate, as people make them.
#   pyXY-cprofile-m-unittest.prof  python -m cProfile -o F -m unittest sample_tests  (3.7+)
#   pyXY-profile-m-unittest.prof   python -m profile -o F -m unittest sample_tests   (3.8+)
#   pyXY-cprofile-unittest.prof    python -m cProfile -o F sample_tests.py          (2.7, 3.6: no -m)
#   pyXY-cprofile-threads.prof     python -m cProfile -o F threads.py               (every Python)
#   py311-cprofile-layers.prof     python -m cProfile -o F layers.py                (3.11: a tree the bound cuts)
# The runs happen in a fixed scratch folder (/tmp/pvest) so that the paths in
# the files do not depend on where the repository is.
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
VERSIONS="2.7.18 3.6.15 3.7.16 3.8.18 3.9.18 3.10.13 3.11.7 3.12.1 3.13.0"
PYENV_ROOT=$(pyenv root 2>/dev/null || echo "${PYENV_ROOT:-$HOME/.pyenv}")
export LC_ALL=C.UTF-8 LANG=C.UTF-8 PYTHONHASHSEED=0 PYTHONDONTWRITEBYTECODE=1 TZ=UTC
unset PYTHONPATH PYTHONSTARTUP PYTHONHOME 2>/dev/null || true

WORK=/tmp/pvest
rm -rf "$WORK"
mkdir -p "$WORK" "$HERE/fixtures"
cp "$HERE/sample_tests.py" "$HERE/threads.py" "$HERE/layers.py" "$WORK/"
cd "$WORK"
for v in $VERSIONS; do
    py="$PYENV_ROOT/versions/$v/bin/python"
    if [ ! -x "$py" ]; then
        echo "skip: no Python $v under $PYENV_ROOT" >&2
        continue
    fi
    IFS=. read -r major minor _ <<<"$v"
    tag="py$major$minor"
    out="$HERE/fixtures/$tag"
    if [ "$major" -eq 3 ] && [ "$minor" -ge 7 ]; then
        "$py" -m cProfile -o "$out-cprofile-m-unittest.prof" -m unittest sample_tests 2>/dev/null
    else
        "$py" -m cProfile -o "$out-cprofile-unittest.prof" sample_tests.py 2>/dev/null
    fi
    if [ "$major" -eq 3 ] && [ "$minor" -ge 8 ]; then
        "$py" -m profile -o "$out-profile-m-unittest.prof" -m unittest sample_tests 2>/dev/null
    fi
    "$py" -m cProfile -o "$out-cprofile-threads.prof" threads.py
    if [ "$tag" = py311 ]; then
        "$py" -m cProfile -o "$out-cprofile-layers.prof" layers.py
    fi
    echo "$tag done"
done
rm -rf "$WORK"

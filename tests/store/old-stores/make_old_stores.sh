#!/usr/bin/env bash
# Make an old store and its expected outputs with the profview of an older commit:
#
#   tests/store/old-stores/make_old_stores.sh COMMIT OUTDIR
#   tests/store/old-stores/make_old_stores.sh 8ec3208 tests/store/old-stores/v3
#   tests/store/old-stores/make_old_stores.sh 52a353c tests/store/old-stores/v4
#
# Builds profview at COMMIT in a temporary folder (git archive, meson release
# build; the repository's own build folders and worktrees are not touched), then
# old_stores.py imports the committed fixtures of tests/ into a new store with
# that binary and records what it prints for every case (OUTDIR/cases.json,
# OUTDIR/expected/). OUTDIR/store.db is that store, checkpointed into one file.
# See README.md. Needs what COMMIT's meson.build needs (8ec3208: libcjson-dev too).
set -euo pipefail

if [ $# -ne 2 ]; then
    echo "usage: $0 COMMIT OUTDIR" >&2
    exit 2
fi
HERE=$(cd "$(dirname "$0")" && pwd)
TESTS=$(cd "$HERE/../.." && pwd)
REPO=$(git -C "$HERE" rev-parse --show-toplevel)
COMMIT=$(git -C "$REPO" rev-parse --verify "$1^{commit}")
OUT=$(mkdir -p "$2" && cd "$2" && pwd)

TMP=$(mktemp -d "${TMPDIR:-/tmp}/pv-old-store.XXXXXX")
trap 'rm -rf "$TMP"' EXIT

echo "building profview at $COMMIT in $TMP" >&2
mkdir "$TMP/src"
git -C "$REPO" archive "$COMMIT" | tar -x -C "$TMP/src"
meson setup "$TMP/build" "$TMP/src" --buildtype=release >"$TMP/setup.log" 2>&1 ||
    { cat "$TMP/setup.log" >&2; exit 1; }
ninja -C "$TMP/build" profview >"$TMP/ninja.log" 2>&1 || { tail -50 "$TMP/ninja.log" >&2; exit 1; }

# The same environment as the test's: UTC (pstats' header dates), C locale,
# no store but the one given with --db.
export TZ=UTC LC_ALL=C.UTF-8
unset PROFVIEW_DB XDG_DATA_HOME PROFVIEW_LOCK_WAIT
export HOME="$TMP/home"
mkdir "$HOME"

# The fixtures' mtimes (pstats' header shows them) are set to the commit's date,
# so that a rerun at the same commit writes the same headers.
WHEN=$(git -C "$REPO" show -s --format=%ct "$COMMIT")
python3 "$HERE/old_stores.py" make "$TMP/build/profview" "$TESTS" "$TMP/work" "$WHEN"

rm -rf "$OUT/expected"
mkdir -p "$OUT/expected"
cp "$TMP/work/store.db" "$OUT/store.db"
cp "$TMP/work/cases.json" "$OUT/cases.json"
cp "$TMP/work/expected/"* "$OUT/expected/"
{
    echo "commit $COMMIT"
    echo "describe $(git -C "$REPO" log -1 --format='%h %s' "$COMMIT" | cut -c1-100)"
    echo "version $("$TMP/build/profview" --version)"
    # PRAGMA user_version from the header (bytes 60-63): a connection would make
    # -wal and -shm files beside the store
    echo "user_version $(od -An -tu1 -j60 -N4 "$OUT/store.db" | awk '{print $1*16777216 + $2*65536 + $3*256 + $4}')"
    echo "made $(date -u +%Y-%m-%dT%H:%M:%SZ) with $(meson --version) and $(cc --version | head -1)"
} >"$OUT/MADE"
echo "wrote $OUT: store.db $(stat -c %s "$OUT/store.db") bytes, $(ls "$OUT/expected" | wc -l) expected outputs" >&2

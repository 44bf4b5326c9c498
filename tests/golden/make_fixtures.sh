#!/usr/bin/env bash
# Regenerate profview's golden fixtures and expected outputs with real
# Pythons (pyenv).  Re-runnable: fixtures/ and expected/ are rebuilt from
# scratch.  See README.md.
#
#   tests/golden/make_fixtures.sh            fixtures + expected outputs
#   tests/golden/make_fixtures.sh --expected expected outputs only (keeps the
#                                            committed fixtures)
#
# Expected outputs: expected/STEM/NN.txt (print_stats, cases.txt),
# expected/STEM/callers-NN.txt and callees-NN.txt (print_callers and
# print_callees, cases-calls.txt), .err instead of .txt when pstats refused.
set -euo pipefail

HERE=$(cd "$(dirname "$0")" && pwd)
cd "$HERE"

MTIME_EPOCH=1700000000
VERSIONS="2.7.18 3.6.15 3.7.16 3.8.18 3.9.18 3.10.13 3.11.7 3.12.1 3.13.0"
PYENV_ROOT=$(pyenv root 2>/dev/null || echo "${PYENV_ROOT:-/root/.pyenv}")

# Same environment for every run: fixed hash seed (set/dict order of str),
# UTF-8 file-system encoding even on 3.6, no bytecode writing, UTC times.
export LC_ALL=C.UTF-8 LANG=C.UTF-8 PYTHONHASHSEED=0 PYTHONDONTWRITEBYTECODE=1
export TZ=UTC
unset PYTHONPATH PYTHONSTARTUP PYTHONHOME PYTHONUTF8 PYTHONIOENCODING \
      PYTHONWARNINGS 2>/dev/null || true

# Run every Python with address-space randomisation off (setarch -R):
# - cProfile names some built-ins by address ("<built-in method __new__ of
#   type object at 0x7f...>"); with ASLR off these are the same every run
#   of the same interpreter binary;
# - Python 2 dicts iterate in hash order, and the key ('profile', 0, <code>)
#   of a `python -m profile` file hashes through hash(None), an address, so
#   the py27-profile dict order (hence pstats' tie order) is only stable
#   with ASLR off.  It is still NOT derivable from the file (see README.md).
NORAND=()
if setarch "$(uname -m)" -R true 2>/dev/null; then
    NORAND=(setarch "$(uname -m)" -R)
else
    echo "warning: setarch -R unavailable; py27-profile dict order may vary" >&2
fi

only_expected=0
[ "${1:-}" = "--expected" ] && only_expected=1

py_of_version() {   # 3.11.7 -> interpreter path, or empty if missing
    local p="$PYENV_ROOT/versions/$1/bin/python"
    [ -x "$p" ] && echo "$p" || true
}

tag_of_version() {  # 3.11.7 -> 311
    local IFS=.
    set -- $1
    echo "$1$2"
}

version_of_tag() {  # 311 -> 3.11.7 (from $VERSIONS)
    local v
    for v in $VERSIONS; do
        [ "$(tag_of_version "$v")" = "$1" ] && { echo "$v"; return; }
    done
}

version_of_fixture() {  # which Python wrote (and therefore reads) a fixture
    case "$1" in
        synth-py27-*) echo 2.7.18 ;;
        synth-*) echo 3.11.7 ;;
        py*-*) local t=${1#py}; version_of_tag "${t%%-*}" ;;
    esac
}

clean_tmp_dirs() {  # the workload's fixed module dirs (see workload.py)
    rm -rf /tmp/pvfix_$'\xff' /tmp/pvfix_$'\xef\xbc\xa1'
}

if [ "$only_expected" = 0 ]; then
    rm -rf fixtures
    mkdir -p fixtures
    for v in $VERSIONS; do
        py=$(py_of_version "$v")
        if [ -z "$py" ]; then
            echo "skip Python $v: $PYENV_ROOT/versions/$v/bin/python missing" >&2
            continue
        fi
        tag=$(tag_of_version "$v")
        for mod in cProfile profile; do
            out="fixtures/py$tag-$(echo "$mod" | tr 'A-Z' 'a-z').prof"
            clean_tmp_dirs
            ${NORAND[@]+"${NORAND[@]}"} "$py" -s -m "$mod" -o "$out" \
                workload.py >/dev/null
            echo "wrote $out"
        done
    done
    clean_tmp_dirs

    py311=$(py_of_version 3.11.7)
    if [ -n "$py311" ] && [ -f fixtures/py311-cprofile.prof ]; then
        ${NORAND[@]+"${NORAND[@]}"} "$py311" -s make_synthetic.py py3 fixtures
        echo "wrote synthetic py3 fixtures"
    else
        echo "skip synthetic py3 fixtures: Python 3.11.7 missing" >&2
    fi
    py27=$(py_of_version 2.7.18)
    if [ -n "$py27" ] && [ -f fixtures/py27-cprofile.prof ]; then
        ${NORAND[@]+"${NORAND[@]}"} "$py27" -s make_synthetic.py py2 fixtures
        echo "wrote synthetic py2 fixtures"
    else
        echo "skip synthetic py2 fixtures: Python 2.7.18 missing" >&2
    fi
fi

# ---------------------------------------------------------------- expected
# For every fixture, with the Python that wrote it, from inside fixtures/
# (so the header shows the bare file name), TZ=UTC, mtime = MTIME_EPOCH:
# print_stats for each line of cases.txt, print_callers and print_callees
# for each line of cases-calls.txt.

run_cases() {  # fixture-file python dir case-file file-prefix [--call WHAT]
    # One output per line NN of case-file: dir/PREFIXNN.txt, or dir/PREFIXNN.err
    # (the exception type name) when that pstats refused the case.
    local f=$1 py=$2 dir=$3 cases=$4 prefix=$5 nn=0 line id rc
    shift 5
    while IFS= read -r line || [ -n "$line" ]; do
        nn=$((nn + 1))
        id=$prefix$(printf '%02d' "$nn")
        if ${NORAND[@]+"${NORAND[@]}"} "$py" -s "$HERE/print_golden.py" "$@" "$f" "$line" \
                >"$dir/$id.txt" 2>"$dir/$id.err" </dev/null; then
            rm -f "$dir/$id.err"
        else
            rc=$?
            rm -f "$dir/$id.txt"
            if [ "$rc" != 3 ]; then
                echo "print_golden failed (rc $rc) for $f case $id" >&2
                cat "$dir/$id.err" >&2
                return 1
            fi
        fi
    done <"$cases"
    echo "$nn"
}

gen_expected() {  # fixture-file python
    local f=$1 py=$2 stem=${1%.prof} dir n_sort n_callers n_callees
    dir="$HERE/expected/$stem"
    rm -rf "$dir"
    mkdir -p "$dir"
    touch -d "@$MTIME_EPOCH" "$f"
    ${NORAND[@]+"${NORAND[@]}"} "$py" -s "$HERE/print_golden.py" --stats-tsv "$f" >"$dir/stats.tsv" \
        </dev/null || { echo "stats.tsv failed for $f" >&2; return 1; }
    # print_stats: NN.txt for line NN of cases.txt
    n_sort=$(run_cases "$f" "$py" "$dir" "$HERE/cases.txt" "") || return 1
    # print_callers / print_callees: callers-NN.txt, callees-NN.txt for line
    # NN of cases-calls.txt
    n_callers=$(run_cases "$f" "$py" "$dir" "$HERE/cases-calls.txt" callers- \
        --call callers) || return 1
    n_callees=$(run_cases "$f" "$py" "$dir" "$HERE/cases-calls.txt" callees- \
        --call callees) || return 1
    echo "expected/$stem: $n_sort sort cases ($(ls "$dir" | grep -c '^[0-9]*\.err$' || true) refused)," \
        "$n_callers callers/callees cases ($(ls "$dir" | grep -c '^callers-.*\.err$' || true)" \
        "+ $(ls "$dir" | grep -c '^callees-.*\.err$' || true) refused)"
}

rm -rf expected
mkdir -p expected
cd fixtures
pids=()
jobs_max=$(nproc 2>/dev/null || echo 4)
for f in *.prof; do
    v=$(version_of_fixture "$f")
    py=$(py_of_version "${v:-none}")
    if [ -z "$py" ]; then
        echo "skip expected for $f: its Python (${v:-?}) is missing" >&2
        continue
    fi
    # run from fixtures/ with the bare file name as the path argument
    (cd "$HERE/fixtures" && HERE="$HERE" gen_expected "$f" "$py") &
    pids+=($!)
    while [ "$(jobs -rp | wc -l)" -ge "$jobs_max" ]; do sleep 0.2; done
done
fail=0
for p in "${pids[@]}"; do wait "$p" || fail=1; done
cd "$HERE"
[ "$fail" = 0 ] || { echo "some expected outputs failed" >&2; exit 1; }

# print_golden.py masks code-object addresses; nothing else should vary.
echo "fixtures: $(du -sh fixtures | cut -f1), expected: $(du -sh expected | cut -f1)"

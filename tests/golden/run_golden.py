#!/usr/bin/env python3
"""Golden test: `profview sort FIXTURE CASE` must print exactly what the Python that
wrote FIXTURE printed with pstats for the same case (expected/<stem>/NN.txt), or
refuse the case as that pstats did (NN.err holds the exception pstats raised).

pstats' first line is time.ctime(mtime) + "    " + path, so each fixture is copied to
a scratch folder, its mtime set to EPOCH, and profview is run from there with the
relative name and TZ=UTC, exactly as make_fixtures.sh ran pstats.

usage: run_golden.py PROFVIEW [--via-store] [FIXTURE-STEM...]
  --via-store   import first, then sort by id (exercises the SQL path and header
                reconstruction from the store instead of the file path)
"""
import os
import re
import shlex
import shutil
import subprocess
import sys
import tempfile

EPOCH = 1700000000
# pstats shows a code object's memory address; print_golden.py masked it
CODE_ADDR_RE = re.compile(rb'(<code object .*? at )0x[0-9a-fA-F]+(, file ")')
HERE = os.path.dirname(os.path.abspath(__file__))


# Where profview knowingly differs from an old pstats, with the reason. Each entry:
# (fixture stem prefix, case predicate, reason). Printed as skipped, never hidden.
def _uses_key(case, key):
    words = shlex.split(case)
    for i, w in enumerate(words):
        if w == "--by" and i + 1 < len(words) and key in words[i + 1].split(","):
            return True
    return False


KNOWN_DIFFERENCES = [
    ("py27-", lambda c: _uses_key(c, "file"),
     "pstats before 3.7 lists both 'file' and 'filename', which makes 'file' ambiguous; profview follows 3.7+"),
    ("synth-py27-", lambda c: _uses_key(c, "file"),
     "pstats before 3.7 lists both 'file' and 'filename', which makes 'file' ambiguous; profview follows 3.7+"),
    ("py36-", lambda c: _uses_key(c, "file"),
     "pstats before 3.7 lists both 'file' and 'filename', which makes 'file' ambiguous; profview follows 3.7+"),
    ("py27-profile", lambda c: True,
     "Python 2 `profile -o` keys one entry by a code object whose hash depends on the writing process's "
     "memory addresses, so its slot in Python 2's dict order (which decides ties) cannot be reproduced"),
]


def known_difference(stem, case):
    for prefix, pred, reason in KNOWN_DIFFERENCES:
        if stem.startswith(prefix) and pred(case):
            return reason
    return None


def load_cases():
    with open(os.path.join(HERE, "cases.txt"), encoding="utf-8") as f:
        return [line.rstrip("\n") for line in f if line.strip()]


def main():
    args = sys.argv[1:]
    profview = os.path.abspath(args.pop(0))
    via_store = "--via-store" in args
    stems = [a for a in args if not a.startswith("--")]
    cases = load_cases()
    fixtures_dir = os.path.join(HERE, "fixtures")
    expected_dir = os.path.join(HERE, "expected")
    if not stems:
        stems = sorted(os.listdir(expected_dir))
    passed = failed = skipped = 0
    skip_reasons = {}
    failures = []
    work = tempfile.mkdtemp(prefix="pv-golden-")
    try:
        env = dict(os.environ, TZ="UTC")
        env.pop("PROFVIEW_DB", None)
        for stem in stems:
            src = os.path.join(fixtures_dir, stem + ".prof")
            if not os.path.exists(src):
                failures.append("%s: fixture missing" % stem)
                failed += 1
                continue
            name = stem + ".prof"
            shutil.copyfile(src, os.path.join(work, name))
            os.utime(os.path.join(work, name), (EPOCH, EPOCH))
            db = os.path.join(work, stem + ".db")
            target = name
            if via_store:
                out = subprocess.run([profview, "--db", db, "import", name], cwd=work, env=env,
                                     stdout=subprocess.PIPE, stderr=subprocess.PIPE)
                if out.returncode != 0:
                    failures.append("%s: import failed: %s" % (stem, out.stderr.decode(errors="replace")))
                    failed += 1
                    continue
                target = out.stdout.decode().strip()
            for n, case in enumerate(cases, 1):
                exp_txt = os.path.join(expected_dir, stem, "%02d.txt" % n)
                exp_err = os.path.join(expected_dir, stem, "%02d.err" % n)
                cmd = [profview, "--db", db, "sort", target] + shlex.split(case)
                res = subprocess.run(cmd, cwd=work, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
                label = "%s case %02d [%s]" % (stem, n, case)
                known = known_difference(stem, case)
                if os.path.exists(exp_err):
                    with open(exp_err) as f:
                        pstats_error = f.read().strip()
                    if pstats_error == "TypeError":
                        # pstats crashed comparing a code-object name with a str;
                        # profview sorts the repr instead (docs/profview-sort.md)
                        skipped += 1
                        continue
                    if res.returncode == 2 and res.stderr.startswith(b"error: "):
                        passed += 1
                    elif known:
                        skipped += 1
                        skip_reasons[known] = skip_reasons.get(known, 0) + 1
                    else:
                        failed += 1
                        failures.append("%s: pstats refused this case, profview exited %d" % (label, res.returncode))
                    continue
                if not os.path.exists(exp_txt):
                    continue
                with open(exp_txt, "rb") as f:
                    expected = f.read()
                if via_store:
                    # the store keeps the path as imported; the mtime is the file's
                    pass
                got = CODE_ADDR_RE.sub(rb"\g<1>0xADDRESS\g<2>", res.stdout)
                if res.returncode == 0 and got == expected:
                    passed += 1
                    continue
                if known:
                    skipped += 1
                    skip_reasons[known] = skip_reasons.get(known, 0) + 1
                    continue
                failed += 1
                detail = res.stderr.decode(errors="replace").strip()
                exp_lines = expected.split(b"\n")
                got_lines = got.split(b"\n")
                for i in range(max(len(exp_lines), len(got_lines))):
                    e = exp_lines[i] if i < len(exp_lines) else b"<missing>"
                    g = got_lines[i] if i < len(got_lines) else b"<missing>"
                    if e != g:
                        detail += "\n    line %d\n    pstats:   %r\n    profview: %r" % (i + 1, e, g)
                        break
                failures.append("%s: exit %d %s" % (label, res.returncode, detail))
    finally:
        shutil.rmtree(work, ignore_errors=True)
    for reason, n in sorted(skip_reasons.items()):
        print("SKIP %d cases: %s" % (n, reason))
    for f in failures[:40]:
        print("FAIL", f)
    if len(failures) > 40:
        print("... and %d more failures" % (len(failures) - 40))
    print("golden sort%s: %d passed, %d failed, %d skipped" % (" (via store)" if via_store else "", passed, failed, skipped))
    return 1 if failed or not passed else 0


if __name__ == "__main__":
    sys.exit(main())

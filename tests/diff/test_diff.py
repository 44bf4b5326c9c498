#!/usr/bin/env python3
"""Tests of `profview diff BASE NEW` (docs/profview-diff.md).

    python3 tests/diff/test_diff.py PROFVIEW [CORPUS_DIR]

Runs `profview --db TMP diff ...` on the fixtures of tests/diff/fixtures (and,
when CORPUS_DIR is given and present, on the real before/after pairs
pstats/print1.pstats + print2.pstats and
folded/inferno_diff-folded_before.txt + _after.txt) and checks what it prints
against values computed here, independently of profview:

* .prof/.pstats files are loaded with Python's own `pstats` (strip_dirs()
  included); folded stacks are parsed here (self = weight of the stacks that
  end in a frame, total = weight of the stacks that contain it, once per
  stack, calls = samples with the frame on the stack);
* the matching rules, the numbers, --normalize, the orders, --match/--limit
  and the --fail-if-slower gate are implemented here from the document.

Prints one FAIL line (with the command) per failed check and at the end
`diff: N passed, M failed, K skipped`; exits 1 on any failure.
Standard library only.
"""

import csv
import io
import json
import math
import os
import pstats
import re
import shlex
import shutil
import subprocess
import sys
import tempfile

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "merge"))
from pvtest import Checks  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
FIX = os.path.join(HERE, "fixtures")
REL = 1e-9          # relative tolerance where float arithmetic may differ

# ---------------------------------------------------------------------------
# Reporting: the check counter of tests/merge/pvtest.py

R = Checks("diff")


# ---------------------------------------------------------------------------
# Running profview

class Profview:
    def __init__(self, exe):
        self.exe = exe
        self.dir = tempfile.mkdtemp(prefix="pv-diff-")
        self.db = os.path.join(self.dir, "store.db")
        SCRATCH[0] = self.dir
        self.env = dict(os.environ)
        for k in ("PROFVIEW_DB", "XDG_DATA_HOME"):
            self.env.pop(k, None)
        self.env["HOME"] = self.dir
        self.env["TZ"] = "UTC"

    def run(self, args, pre=()):
        cmd = [self.exe, "--db", self.db] + list(pre) + ["diff"] + list(args)
        try:
            p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                               env=self.env, cwd=self.dir, timeout=60)
        except subprocess.TimeoutExpired:
            return None, "", "timeout", cmd
        except OSError as exc:
            return None, "", "cannot run: %s" % exc, cmd
        return (p.returncode, p.stdout.decode("utf-8", "replace"),
                p.stderr.decode("utf-8", "replace"), cmd)

    def close(self):
        shutil.rmtree(self.dir, ignore_errors=True)


SCRATCH = [None]     # the temporary folder of this run (store, bad files)


def show(cmd):
    """The command as one would type it, shortened: fixtures relative to the
    repository root, the run's scratch folder (store, bad files) as $TMP."""
    out = []
    for a in cmd:
        a = a.replace(FIX + os.sep, "tests/diff/fixtures/")
        if SCRATCH[0]:
            a = a.replace(SCRATCH[0], "$TMP")
        out.append(shlex.quote(a))
    return " ".join(out)


def first_line(text):
    lines = text.strip().splitlines()
    return lines[0] if lines else ""


# ---------------------------------------------------------------------------
# The model: one profile, in the doc's terms


class Side:
    """kind 'cprofile' or 'sampled'; funcs: {key: [tottime, cumtime, calls]}
    with key (file, line, name); line None when lines are dropped (or the
    frame has none); file '' when the frame has none."""

    def __init__(self, path, kind, unit, fmt, total_time, total_calls, funcs, nfuncs):
        self.path, self.kind, self.unit, self.format = path, kind, unit, fmt
        self.total_time, self.total_calls = total_time, total_calls
        self.funcs, self.nfuncs = funcs, nfuncs

    def display(self, key):
        file, line, name = key
        if self.kind == "cprofile":
            return pstats.func_std_string((file, 0 if line is None else line, name))
        if not file:
            return name
        if line is None:
            return "%s (%s)" % (name, file)
        return "%s (%s:%d)" % (name, file, line)


def load_pstats(path, strip=False, drop_lines=False):
    st = pstats.Stats(path)
    nfuncs = len(st.stats)
    if strip:
        st.strip_dirs()
    funcs = {}
    for (file, line, name), (cc, nc, tt, ct, callers) in st.stats.items():
        key = (file, None if drop_lines else line, name)
        if key in funcs:            # merging, as pstats' add_func_stats does
            v = funcs[key]
            v[0] += tt
            v[1] += ct
            v[2] += nc
        else:
            funcs[key] = [tt, ct, nc]
    return Side(path, "cprofile", "seconds", "pstats", st.total_tt, st.total_calls, funcs, nfuncs)


ANNOTATION_RE = re.compile(r"_\[[kjiw]\]$")
PYSPY_RE = re.compile(r"^(.+) \(([^(]*)\)$", re.S)
FILE_LINE_RE = re.compile(r"^(.+):([0-9]{1,15})$", re.S)


def parse_frame(text):
    """py-spy frame text -> (file, line, name): 'name (file:line)',
    'name (file.py)', or a bare name (file '', line None)."""
    text = ANNOTATION_RE.sub("", text)
    m = PYSPY_RE.match(text)
    if m:
        inner = m.group(2)
        fl = FILE_LINE_RE.match(inner)
        if fl:
            return (fl.group(1), int(fl.group(2)), m.group(1))
        if len(inner) > 3 and inner.endswith(".py"):
            return (inner, None, m.group(1))
    return ("", None, text)


def read_folded(path):
    rows = []
    with open(path, "rb") as f:
        data = f.read()
    for raw in data.decode("utf-8").split("\n"):
        raw = raw.rstrip("\r")
        if not raw.strip() or raw.startswith("#"):
            continue
        stack, _, count = raw.rpartition(" ")
        rows.append(([parse_frame(t) for t in stack.split(";")], float(count)))
    return rows


def load_folded(path, strip=False, drop_lines=False):
    rows = read_folded(path)
    raw_keys = set()
    funcs = {}
    total = 0.0
    for frames, w in rows:
        total += w
        raw_keys.update(frames)
        keys = []
        for file, line, name in frames:
            if strip:
                file = os.path.basename(file)
            keys.append((file, None if drop_lines else line, name))
        for k in set(keys):                     # once per stack
            v = funcs.setdefault(k, [0.0, 0.0, 0.0])
            v[1] += w
            v[2] += w                           # one folded count = that many samples
        funcs[keys[-1]][0] += w
    return Side(path, "sampled", "samples", "folded", total, total, funcs, len(raw_keys))


def is_pstats(path):
    return path.endswith((".prof", ".pstats"))


def load(path, strip, drop_lines):
    return (load_pstats if is_pstats(path) else load_folded)(path, strip, drop_lines)


# ---------------------------------------------------------------------------
# The expected diff

BY = {"cumtime": "cumtime", "cumulative": "cumtime", "cum": "cumtime", "total": "cumtime",
      "tottime": "tottime", "time": "tottime", "self": "tottime",
      "calls": "calls", "ncalls": "calls", "samples": "calls",
      "cumtime%": "cumtime%", "tottime%": "tottime%", "calls%": "calls%", "name": "name"}
COLS = ("tottime", "cumtime", "calls")


def metric(before, after):
    delta = after - before
    return {"before": before, "after": after, "delta": delta,
            "pct": None if before == 0 else delta / before * 100}


class Row:
    def __init__(self, status, match, key, side, new_key, b, a, scale, calls_scale):
        self.status, self.match, self.key, self.new_key = status, match, key, new_key
        self.name = side.display(key)
        self.raw_calls_after = a[2] if a else None
        self.m = {}
        for i, col in enumerate(COLS):
            before = b[i] if b else 0.0
            after = (a[i] * (calls_scale if col == "calls" else scale)) if a else 0.0
            self.m[col] = metric(before, after)

    def tie(self):
        c = self.m["cumtime"]
        return max(c["before"], c["after"])


class Expected:
    def __init__(self, base_path, new_path, strip=False, ignore_lines=False, match_names=False,
                 normalize=False, by="cumtime", matches=(), limit=None):
        cross = is_pstats(base_path) != is_pstats(new_path)
        self.drop_lines = cross or ignore_lines
        base = self.base = load(base_path, strip, self.drop_lines)
        new = self.new = load(new_path, strip, self.drop_lines)
        self.normalized = normalize or base.unit != new.unit
        self.scale = base.total_time / new.total_time if self.normalized else 1.0
        # "for sampled data, its sample counts by BASE samples / NEW samples":
        # certain when both sides are sampled (or neither is); with one of each
        # the doc does not say, so calls_scale is then taken from profview.
        self.calls_scale_known = base.kind == new.kind
        self.calls_scale = (base.total_calls / new.total_calls
                            if self.normalized and new.kind == "sampled" else 1.0)
        self.by = BY[by]
        self.match_rows(match_names)
        self.rows = self.sorted_rows(self.all_rows)
        for rx in matches:
            self.rows = [r for r in self.rows if re.search(rx, r.name)]
        if limit is not None:
            self.rows = self.rows[:limit]
        self.total = {"time": metric(base.total_time, new.total_time * self.scale),
                      "calls": metric(base.total_calls, new.total_calls * self.calls_scale)}

    def set_calls_scale(self, calls_scale):
        """Recomputes the calls columns (and the rows kept) with another
        calls_scale."""
        self.calls_scale = calls_scale
        for r in self.all_rows:
            c = r.m["calls"]
            raw = r.raw_calls_after
            r.m["calls"] = metric(c["before"], raw * calls_scale if raw is not None else 0.0)
        self.total["calls"] = metric(self.base.total_calls, self.new.total_calls * calls_scale)
        keep = {id(r) for r in self.rows}
        self.rows = [r for r in self.sorted_rows(self.all_rows) if id(r) in keep]

    def match_rows(self, match_names):
        b, n = self.base.funcs, self.new.funcs
        pairs = [(k, k, "exact") for k in b if k in n]
        ub = [k for k in b if k not in n]
        un = [k for k in n if k not in b]

        def stage(ub, un, ident, kind):
            cb, cn = {}, {}
            for k in ub:
                cb.setdefault(ident(k), []).append(k)
            for k in un:
                cn.setdefault(ident(k), []).append(k)
            got = [(cb[i][0], cn[i][0], kind) for i in cb
                   if len(cb[i]) == 1 and len(cn.get(i, ())) == 1]
            done_b = {p[0] for p in got}
            done_n = {p[1] for p in got}
            return got, [k for k in ub if k not in done_b], [k for k in un if k not in done_n]

        got, ub, un = stage(ub, un, lambda k: (k[0], k[2]), "file+name")
        pairs += got
        if match_names:
            got, ub, un = stage(ub, un, lambda k: k[2], "name")
            pairs += got
        sc, cs = self.scale, self.calls_scale
        rows = [Row("both", kind, kb, self.base, None if kind == "exact" else kn,
                    b[kb], n[kn], sc, cs) for kb, kn, kind in pairs]
        rows += [Row("removed", None, k, self.base, None, b[k], None, sc, cs) for k in ub]
        rows += [Row("added", None, k, self.new, None, None, n[k], sc, cs) for k in un]
        self.all_rows = rows
        self.matched = len(pairs)
        self.removed = len(ub)
        self.added = len(un)

    def primary(self, r):
        """Sort value, larger first (name: handled apart)."""
        if self.by in COLS:
            return abs(r.m[self.by]["delta"])
        pct = r.m[self.by[:-1]]["pct"]
        return math.inf if pct is None else abs(pct)

    def sorted_rows(self, rows):
        if self.by == "name":
            return sorted(rows, key=lambda r: (r.name, -r.tie()))
        return sorted(rows, key=lambda r: (-self.primary(r), -r.tie(), r.name))

    def find(self, name):
        """--function NAME: the full name of a row, else a bare name that
        only one row has."""
        full = [r for r in self.all_rows if r.name == name]
        if full:
            return full
        return [r for r in self.all_rows if r.key[2] == name]


# ---------------------------------------------------------------------------
# Comparing numbers


def is_num(x):
    return isinstance(x, (int, float)) and not isinstance(x, bool)


def close(got, want, mag=0.0, exact=False):
    if want is None:
        return got is None
    if not is_num(got):
        return False
    if exact:
        return got == want
    return abs(got - want) <= REL * max(abs(want), mag) + 1e-300


def metric_ok(got, want, exact, what, cmd):
    """got: the JSON {before, after, delta, pct}; want: the model's."""
    if not isinstance(got, dict):
        return R.ok(False, "%s: not an object: %r  [%s]" % (what, got, show(cmd)))
    mag = max(abs(want["before"]), abs(want["after"]))
    pmag = 100 * mag / abs(want["before"]) if want["before"] else 0.0
    good = (close(got.get("before"), want["before"], exact=exact)
            and close(got.get("after"), want["after"], exact=exact)
            and close(got.get("delta"), want["delta"], mag, exact=exact)
            and close(got.get("pct"), want["pct"], pmag))
    return R.ok(good, "%s  [%s]" % (what, show(cmd)),
                "got  %s\nwant %s" % (json.dumps(got), json.dumps(want)))


def norm_file(f):
    return "" if f is None else f


def norm_line(line):
    return 0 if line is None else line


def ident(status, file, line, name, drop_lines):
    side = "new" if status == "added" else "base"
    if drop_lines:
        return (side, norm_file(file), norm_line(0), name)
    return (side, norm_file(file), norm_line(line), name)


# ---------------------------------------------------------------------------
# One diff invocation checked against the model


def opts_args(o):
    args = []
    if o.get("by_arg"):
        args += ["--by", o["by_arg"]]
    for rx in o.get("matches", ()):
        args += ["--match", rx]
    if o.get("limit") is not None:
        args += ["--limit", str(o["limit"])]
    for flag in ("strip", "ignore_lines", "match_names", "normalize"):
        if o.get(flag):
            args.append({"strip": "--strip-dirs", "ignore_lines": "--ignore-lines",
                         "match_names": "--match-names", "normalize": "--normalize"}[flag])
    return args


def model_for(base, new, o):
    return Expected(base, new, strip=o.get("strip", False),
                    ignore_lines=o.get("ignore_lines", False),
                    match_names=o.get("match_names", False),
                    normalize=o.get("normalize", False),
                    by=o.get("by_arg") or "cumtime", matches=o.get("matches", ()),
                    limit=o.get("limit"))


def run_json(pv, base, new, args, label, pre=()):
    rc, out, err, cmd = pv.run([base, new] + args + ["--format", "json"], pre=pre)
    try:
        doc = json.loads(out)
        good = isinstance(doc, dict)
    except ValueError:
        doc, good = None, False
    if not good:
        R.ok(False, "%s: no JSON document  [%s]" % (label, show(cmd)),
             "exit %r; stderr: %s\nstdout: %s" % (rc, first_line(err) or "(empty)",
                                                  first_line(out) or "(empty)"))
        return None, rc, err, cmd
    return doc, rc, err, cmd


def check_header(doc, exp, label, cmd, side_checks=True):
    c = show(cmd)
    R.eq(doc.get("normalized"), exp.normalized, "%s: normalized  [%s]" % (label, c))
    R.ok(close(doc.get("scale"), exp.scale), "%s: scale  [%s]" % (label, c),
         "got  %r\nwant %r" % (doc.get("scale"), exp.scale))
    if exp.calls_scale_known:
        R.ok(close(doc.get("calls_scale"), exp.calls_scale), "%s: calls_scale  [%s]" % (label, c),
             "got  %r\nwant %r" % (doc.get("calls_scale"), exp.calls_scale))
    elif R.ok(is_num(doc.get("calls_scale")) and doc["calls_scale"] > 0,
              "%s: calls_scale is a positive number  [%s]" % (label, c),
              "got %r" % doc.get("calls_scale")):
        # the doc leaves it open: check that the calls use the reported one
        exp.set_calls_scale(doc["calls_scale"])
    R.eq(doc.get("ordered_by"), exp.by, "%s: ordered_by  [%s]" % (label, c))
    # Counts over all functions, not only the rows kept by --match/--limit
    # (the doc does not say; the totals line "is never reduced").
    R.eq((doc.get("matched"), doc.get("added"), doc.get("removed")),
         (exp.matched, exp.added, exp.removed), "%s: matched/added/removed  [%s]" % (label, c))
    tot = doc.get("total") or {}
    exact = not exp.normalized
    metric_ok(tot.get("time"), exp.total["time"], False, "%s: total.time" % label, cmd)
    metric_ok(tot.get("calls"), exp.total["calls"], exact, "%s: total.calls" % label, cmd)
    for key, side in (("base", exp.base), ("new", exp.new)):
        h = doc.get(key)
        if not R.ok(isinstance(h, dict), "%s: %s object  [%s]" % (label, key, c)):
            continue
        R.ok(isinstance(h.get("source"), str) and h["source"].endswith(os.path.basename(side.path)),
             "%s: %s.source names the file  [%s]" % (label, key, c), "got %r" % h.get("source"))
        R.eq(h.get("format"), side.format, "%s: %s.format  [%s]" % (label, key, c))
        R.eq(h.get("unit"), side.unit, "%s: %s.unit  [%s]" % (label, key, c))
        if side.kind == "sampled":
            R.eq(h.get("kind"), "sampled", "%s: %s.kind  [%s]" % (label, key, c))
        R.ok(close(h.get("total_time"), side.total_time), "%s: %s.total_time  [%s]" % (label, key, c),
             "got  %r\nwant %r" % (h.get("total_time"), side.total_time))
        R.ok(close(h.get("total_calls"), side.total_calls, exact=True),
             "%s: %s.total_calls  [%s]" % (label, key, c),
             "got  %r\nwant %r" % (h.get("total_calls"), side.total_calls))
        if side_checks:
            R.eq(h.get("functions"), side.nfuncs, "%s: %s.functions  [%s]" % (label, key, c))
        for field in ("id", "name"):
            R.ok(field in h, "%s: %s.%s present  [%s]" % (label, key, field, c))


def check_rows(doc, exp, label, cmd, exact_numbers):
    c = show(cmd)
    funcs = doc.get("functions")
    if not R.ok(isinstance(funcs, list), "%s: functions is a list  [%s]" % (label, c)):
        return
    dl = exp.drop_lines
    want_ids = [ident(r.status, r.key[0], r.key[1], r.key[2], dl) for r in exp.rows]
    got_ids = []
    for f in funcs:
        if not isinstance(f, dict):
            got_ids.append(None)
            continue
        got_ids.append(ident(f.get("status"), f.get("file"), f.get("line"), f.get("name"), dl))
    by_id = {i: r for i, r in zip(want_ids, exp.rows)}
    missing = [i for i in want_ids if i not in got_ids]
    extra = [i for i in got_ids if i not in by_id]
    R.ok(not missing and not extra, "%s: the set of rows  [%s]" % (label, c),
         "missing (want, not got): %s\nextra (got, not wanted): %s" % (missing[:8], extra[:8]))
    # per-row values
    bad = 0
    for f, i in zip(funcs, got_ids):
        r = by_id.get(i)
        if r is None:
            continue
        what = "%s: row %s" % (label, r.name)
        if not R.eq(f.get("status"), r.status, what + " status  [%s]" % c):
            bad += 1
        if not R.eq(f.get("match"), r.match, what + " match  [%s]" % c):
            bad += 1
        if r.status == "both" and r.match != "exact":
            nk = r.new_key
            got = (norm_file(f.get("new_file")), norm_line(f.get("new_line")), f.get("new_name"))
            want = (nk[0], norm_line(nk[1]), nk[2])
            if dl:
                got, want = (got[0], got[2]), (want[0], want[2])
            R.eq(got, want, what + " new_file/new_line/new_name  [%s]" % c)
        else:
            present = [k for k in ("new_file", "new_line", "new_name") if k in f]
            R.eq(present, [], what + " has no new_* fields (exact/added/removed)  [%s]" % c)
        for col in COLS:
            if not metric_ok(f.get(col), r.m[col], exact_numbers, "%s %s" % (what, col), cmd):
                bad += 1
    # order
    check_order(funcs, got_ids, exp, by_id, label, cmd)


def check_order(funcs, got_ids, exp, by_id, label, cmd):
    c = show(cmd)
    rows = [by_id.get(i) for i in got_ids]
    if any(r is None for r in rows):
        return      # already reported as a wrong set of rows
    if exp.by.endswith("%"):
        # Added rows (no percentage) first; rows with a percentage by |pct|.
        # Matched rows whose BASE value is 0 have no percentage either: where
        # they go, the doc does not say, so they are left out of this check.
        col = exp.by[:-1]
        pos_added = [k for k, r in enumerate(rows) if r.status == "added"]
        pos_pct = [k for k, r in enumerate(rows) if r.m[col]["pct"] is not None]
        R.ok(not pos_added or not pos_pct or max(pos_added) < min(pos_pct),
             "%s: added rows come first  [%s]" % (label, c),
             "added at %s, first row with a %% at %s" % (pos_added, pos_pct[:1]))
        got = [rows[k] for k in pos_added] + [rows[k] for k in pos_pct]
        want = exp.sorted_rows(got)
    else:
        got = rows
        want = exp.sorted_rows(rows)
    if exp.drop_lines:
        # How profview names a function whose lines were dropped is not in
        # the doc, so ties on (sort value, max cumtime) are not ordered here.
        key = (lambda r: (r.name,)) if exp.by == "name" else \
            (lambda r: (-exp.primary(r), -r.tie()))
        good = [key(r) for r in got] == sorted(key(r) for r in got)
    else:
        good = [r.name for r in got] == [r.name for r in want]
    R.ok(good, "%s: order by %s  [%s]" % (label, exp.by, c),
         "got  %s\nwant %s" % ([r.name for r in got][:12], [r.name for r in want][:12]))


def diff_case(pv, base, new, o, label, full=True):
    """Runs one diff with --format json (and csv and text when full) and
    checks everything against the model."""
    args = opts_args(o)
    exp = model_for(base, new, o)
    doc, rc, err, cmd = run_json(pv, base, new, args, label)
    if doc is None:
        return None
    R.eq(rc, 0, "%s: exit status  [%s]" % (label, show(cmd)))
    R.eq(doc.get("gate"), None, "%s: gate is null without --fail-if-slower  [%s]" % (label, show(cmd)))
    merged = o.get("strip") or exp.drop_lines
    check_header(doc, exp, label, cmd, side_checks=not merged)
    exact = not exp.normalized and not merged
    check_rows(doc, exp, label, cmd, exact)
    if full:
        check_csv(pv, base, new, args, doc, label)
        if not exp.drop_lines:
            check_text(pv, base, new, args, exp, label)
    return doc


CSV_HEADER = ["status", "match", "file", "line", "name",
              "tottime_before", "tottime_after", "tottime_delta", "tottime_pct",
              "cumtime_before", "cumtime_after", "cumtime_delta", "cumtime_pct",
              "calls_before", "calls_after", "calls_delta", "calls_pct"]


def check_csv(pv, base, new, args, doc, label):
    rc, out, err, cmd = pv.run([base, new] + args + ["--format", "csv"])
    c = show(cmd)
    if not R.eq(rc, 0, "%s csv: exit status  [%s]" % (label, c)):
        return
    rows = list(csv.reader(io.StringIO(out)))
    if not R.ok(rows and rows[0] == CSV_HEADER, "%s csv: header  [%s]" % (label, c),
                "got  %r\nwant %r" % (rows[0] if rows else None, CSV_HEADER)):
        return
    funcs = doc.get("functions") or []
    if not R.eq(len(rows) - 1, len(funcs), "%s csv: one row per JSON row  [%s]" % (label, c)):
        return
    bad = []
    for rec, f in zip(rows[1:], funcs):
        want = [f.get("status"), f.get("match") or "", norm_file(f.get("file")),
                "" if f.get("line") is None else str(f.get("line")), f.get("name")]
        if rec[:4] != want[:4] or rec[4] != want[4]:
            bad.append("text fields %r vs JSON %r" % (rec[:5], want))
            continue
        k = 5
        for col in COLS:
            for part in ("before", "after", "delta", "pct"):
                jv = (f.get(col) or {}).get(part)
                cv = rec[k] if k < len(rec) else None
                k += 1
                if jv is None:
                    if cv != "":
                        bad.append("%s %s_%s: csv %r, JSON null" % (f.get("name"), col, part, cv))
                    continue
                try:
                    same = float(cv) == float(jv)
                except (TypeError, ValueError):
                    same = False
                if not same:
                    bad.append("%s %s_%s: csv %r, JSON %r" % (f.get("name"), col, part, cv, jv))
        if len(rec) != len(CSV_HEADER):
            bad.append("%s: %d fields" % (f.get("name"), len(rec)))
    R.ok(not bad, "%s csv: agrees with the JSON  [%s]" % (label, c), "\n".join(bad[:10]))


PCT_NUMBER_RE = re.compile(r"^[+-]?[0-9.]+%$")


def seconds_decimals(exp):
    """docs/profview-diff.md: %.3f like pstats when the total is 0.1 s or more,
    else the decimals that show the total with three significant digits."""
    t = max(abs(exp.total["time"]["before"]), abs(exp.total["time"]["after"]))
    if not t > 0 or t >= 0.1:
        return 3
    return min(9, 2 - math.floor(math.log10(t)))


def text_columns(line, body, r, exp):
    """The 12 columns before the function name: before, after, delta, % of
    tottime, cumtime, calls. Checks the % columns (`+12.3%`, `new`, `gone`)
    and, without --normalize, before/after (seconds_decimals(), integers for
    counts and samples)."""
    toks = body.split()
    no_pct = [col for col in COLS if r.status == "both" and r.m[col]["pct"] is None]
    if len(toks) != 12:
        if no_pct:
            return []   # a row without a percentage may leave the column blank
        return ["%d columns before the name, not 12 (run together?): %r" % (len(toks), line)]
    out = []
    for i, col in enumerate(COLS):
        m = r.m[col]
        before, after, _, pct = toks[4 * i:4 * i + 4]
        if r.status == "added":
            want_pct = "new"
        elif r.status == "removed":
            want_pct = "gone"
        elif m["pct"] is None:
            if PCT_NUMBER_RE.match(pct):
                out.append("%s: before is 0, so no percentage, but %r: %r" % (col, pct, line))
            want_pct = None
        else:
            want_pct = "%+.1f%%" % m["pct"]
        if want_pct is not None and pct != want_pct:
            out.append("%s %%: %r, want %r: %r" % (col, pct, want_pct, line))
        if exp.normalized:
            continue
        for tok, v, present in ((before, m["before"], r.status != "added"),
                                (after, m["after"], r.status != "removed")):
            if not present:
                continue
            if exp.base.unit == "seconds" and col != "calls":
                want = "%.*f" % (seconds_decimals(exp), v)
            elif v == int(v):
                want = "%d" % v
            else:
                continue
            if tok != want:
                out.append("%s: %r, want %r: %r" % (col, tok, want, line))
    return out


def check_text(pv, base, new, args, exp, label):
    rc, out, err, cmd = pv.run([base, new] + args)
    c = show(cmd)
    if not R.eq(rc, 0, "%s text: exit status  [%s]" % (label, c)):
        return
    lines = [l.rstrip() for l in out.split("\n")]
    R.ok(os.path.basename(base) in out and os.path.basename(new) in out,
         "%s text: the header names both profiles  [%s]" % (label, c),
         "\n".join(lines[:6]))
    where = []
    problems = []
    for r in exp.rows:
        # the function column is the last; something may follow the name
        # (e.g. NEW's key for a row not matched exactly)
        pat = re.compile(r"(^|\s)%s(\s|$)" % re.escape(r.name))
        hits = [k for k, l in enumerate(lines) if pat.search(l)]
        if len(hits) != 1:
            problems.append("%d lines end with %r" % (len(hits), r.name))
            continue
        where.append(hits[0])
        body = lines[hits[0]][:pat.search(lines[hits[0]]).start()]
        if r.status == "added" and not re.search(r"(^|\s)new(\s|$)", body):
            problems.append("added row without 'new': %r" % lines[hits[0]])
        if r.status == "removed" and not re.search(r"(^|\s)gone(\s|$)", body):
            problems.append("removed row without 'gone': %r" % lines[hits[0]])
        problems += text_columns(lines[hits[0]], body, r, exp)
    R.ok(not problems, "%s text: one line per row, columns as the JSON  [%s]" % (label, c),
         "\n".join(problems[:10]))
    R.ok(where == sorted(where), "%s text: rows in the JSON order  [%s]" % (label, c))
    others = [l for k, l in enumerate(lines) if l.strip() and k not in set(where)]
    R.ok(len(others) <= 12, "%s text: only header/total lines besides the rows  [%s]" % (label, c),
         "%d other lines:\n%s" % (len(others), "\n".join(others[:15])))


# ---------------------------------------------------------------------------
# The groups


def F(name):
    return os.path.join(FIX, name)


def group_cprofile(pv):
    b, a = F("before.prof"), F("after.prof")
    diff_case(pv, b, a, {}, "prof")
    diff_case(pv, a, b, {}, "prof reversed")
    for by in ("cumtime", "cumulative", "cum", "total", "tottime", "time", "self",
               "calls", "ncalls", "samples", "cumtime%", "tottime%", "calls%", "name"):
        diff_case(pv, b, a, {"by_arg": by}, "prof --by " + by, full=by in ("tottime", "calls%"))
    diff_case(pv, b, a, {"limit": 5}, "prof --limit 5")
    diff_case(pv, b, a, {"by_arg": "name", "limit": 7}, "prof --by name --limit 7")
    diff_case(pv, b, a, {"matches": ["workload"]}, "prof --match workload")
    diff_case(pv, b, a, {"matches": ["workload", "normalize|step"]}, "prof --match x2")
    diff_case(pv, b, a, {"matches": ["workload"], "limit": 3, "by_arg": "tottime"},
              "prof --match --limit --by tottime")
    diff_case(pv, b, a, {"matches": ["no_such_thing_here"]}, "prof --match nothing")
    diff_case(pv, b, a, {"normalize": True}, "prof --normalize")
    diff_case(pv, b, a, {"ignore_lines": True}, "prof --ignore-lines")
    diff_case(pv, b, a, {"match_names": True}, "prof --match-names")
    diff_case(pv, b, a, {"strip": True}, "prof --strip-dirs (same dirs)")


def group_strip_dirs(pv):
    b, a = F("before.prof"), F("after_b.prof")
    diff_case(pv, b, a, {}, "prof other dir")
    diff_case(pv, b, a, {"strip": True}, "prof other dir --strip-dirs")
    diff_case(pv, b, a, {"strip": True, "by_arg": "tottime%"}, "prof other dir --strip-dirs --by tottime%",
              full=False)
    diff_case(pv, b, a, {"match_names": True}, "prof other dir --match-names")
    diff_case(pv, F("before.folded"), F("after_b.folded"), {"strip": True},
              "folded other dir --strip-dirs")
    diff_case(pv, F("before.folded"), F("after_b.folded"), {}, "folded other dir")


def group_folded(pv):
    b, a = F("before.folded"), F("after.folded")
    diff_case(pv, b, a, {}, "folded")
    diff_case(pv, a, b, {}, "folded reversed", full=False)
    for by in ("tottime", "calls", "cumtime%", "tottime%", "name"):
        diff_case(pv, b, a, {"by_arg": by}, "folded --by " + by, full=False)
    diff_case(pv, b, a, {"normalize": True}, "folded --normalize")
    diff_case(pv, b, a, {"normalize": True, "by_arg": "tottime"}, "folded --normalize --by tottime",
              full=False)
    diff_case(pv, b, a, {"matches": ["checksum|tokenize|normalize"]}, "folded --match")
    bl, al = F("before-lines.folded"), F("after-lines.folded")
    diff_case(pv, bl, al, {}, "folded exec lines")
    diff_case(pv, bl, al, {"ignore_lines": True}, "folded exec lines --ignore-lines")
    diff_case(pv, bl, al, {"ignore_lines": True, "normalize": True},
              "folded exec lines --ignore-lines --normalize", full=False)
    diff_case(pv, b, al, {"ignore_lines": True}, "folded def lines vs exec lines --ignore-lines",
              full=False)


def group_cross(pv):
    diff_case(pv, F("before.prof"), F("after.folded"), {}, "prof vs folded")
    diff_case(pv, F("before.folded"), F("after.prof"), {}, "folded vs prof")
    diff_case(pv, F("before.prof"), F("after-lines.folded"), {}, "prof vs folded exec lines")
    diff_case(pv, F("before.prof"), F("after-lines.folded"), {"by_arg": "tottime"},
              "prof vs folded exec lines --by tottime", full=False)
    diff_case(pv, F("before.prof"), F("after_b.folded"), {"strip": True},
              "prof vs folded other dir --strip-dirs")
    diff_case(pv, F("before.prof"), F("after-names.folded"), {}, "prof vs plain folded")
    diff_case(pv, F("before.prof"), F("after-names.folded"), {"match_names": True},
              "prof vs plain folded --match-names")
    diff_case(pv, F("before.prof"), F("after.folded"), {"matches": ["checksum|tokenize"]},
              "prof vs folded --match")
    # The note about the implicit normalization
    rc, out, err, cmd = pv.run([F("before.prof"), F("after.folded")])
    R.ok(rc == 0 and re.search("normali[sz]", out + err, re.I),
         "prof vs folded: a note says NEW was normalized  [%s]" % show(cmd),
         "exit %r\nstderr: %s" % (rc, err.strip()[:300]))


def gate_cmd(pv, base, new, args, pre=()):
    return pv.run([base, new] + args, pre=pre)


def check_gate(pv, label, base, new, o, limit, function=None, pre=(), want_failed=None):
    """--fail-if-slower LIMIT [--function NAME] on top of options o: exit
    status, stderr, and the JSON gate object."""
    exp = model_for(base, new, o)
    args = opts_args(o) + ["--fail-if-slower", str(limit)]
    if function is not None:
        args += ["--function", function]
    if function is None:
        what, fn = "total", None
        m = exp.total["time"]
    else:
        rows = exp.find(function)
        assert len(rows) == 1, (function, [r.name for r in rows])
        what, fn = "function", rows[0].name
        m = rows[0].m["cumtime"]
    if m["before"] == 0:
        failed = m["after"] > 0
    else:
        failed = m["pct"] > limit
    if rows_added(exp, function):
        failed = True
    if rows_removed(exp, function):
        failed = False
    if want_failed is not None:
        # the fixture must still show what the case was written for
        if not R.eq(failed, want_failed, "%s: the fixtures give the intended outcome" % label):
            return
    rc, out, err, cmd = gate_cmd(pv, base, new, args, pre)
    c = show(cmd)
    errl = [l for l in err.split("\n") if l.strip()]
    R.eq(rc, 1 if failed else 0, "%s: exit status  [%s]" % (label, c))
    R.ok(out.strip() != "", "%s: the table is printed either way  [%s]" % (label, c))
    if failed:
        R.ok(len(errl) >= 1 and errl[-1].startswith("regression:") or
             any(l.startswith("regression:") for l in errl),
             "%s: stderr line 'regression: ...'  [%s]" % (label, c), "stderr: %r" % err)
        if what == "total" and base.endswith(".prof") and new.endswith(".prof"):
            want = "regression: total time %+.1f%% (%.6g -> %.6g seconds), more than " \
                   "--fail-if-slower %s%%" % (m["pct"], m["before"], m["after"], limit)
            R.ok(want in errl, "%s: the regression line  [%s]" % (label, c),
                 "got  %r\nwant %r" % (errl, want))
    elif "-q" in pre:
        R.eq(errl, [], "%s: -q: nothing on stderr  [%s]" % (label, c))
    else:
        R.ok(len(errl) == 1 and errl[0].startswith("ok:"), "%s: one stderr line 'ok: ...'  [%s]"
             % (label, c), "stderr: %r" % err)
    # the gate in the JSON
    doc, rc2, err2, cmd2 = run_json(pv, base, new, args, label + " (json)", pre=pre)
    if doc is None:
        return
    g = doc.get("gate")
    if not R.ok(isinstance(g, dict), "%s json: gate object  [%s]" % (label, show(cmd2)), "got %r" % g):
        return
    R.eq(rc2, rc, "%s json: same exit status as text  [%s]" % (label, show(cmd2)))
    R.eq(g.get("what"), what, "%s json: gate.what  [%s]" % (label, show(cmd2)))
    if fn is not None:
        R.eq(g.get("function"), fn, "%s json: gate.function  [%s]" % (label, show(cmd2)))
    R.eq(g.get("failed"), failed, "%s json: gate.failed  [%s]" % (label, show(cmd2)))
    R.ok(close(g.get("limit"), float(limit)), "%s json: gate.limit  [%s]" % (label, show(cmd2)),
         "got %r" % g.get("limit"))
    mag = max(abs(m["before"]), abs(m["after"]))
    pmag = 100 * mag / abs(m["before"]) if m["before"] else 0
    R.ok(close(g.get("before"), m["before"]) and close(g.get("after"), m["after"])
         and close(g.get("pct"), m["pct"], pmag),
         "%s json: gate before/after/pct  [%s]" % (label, show(cmd2)),
         "got  %r\nwant %r" % ({k: g.get(k) for k in ("before", "after", "pct")},
                               {k: m[k] for k in ("before", "after", "pct")}))


def rows_added(exp, function):
    return function is not None and exp.find(function)[0].status == "added"


def rows_removed(exp, function):
    return function is not None and exp.find(function)[0].status == "removed"


def name_of(path, func, strip=False):
    st = pstats.Stats(path)
    if strip:
        st.strip_dirs()
    keys = [k for k in st.stats if k[2] == func and "pvdiff" in k[0] or
            (strip and k[2] == func and k[0] == "workload.py")]
    assert len(keys) == 1, keys
    return pstats.func_std_string(keys[0])


def group_gate(pv):
    b, a = F("before.prof"), F("after.prof")
    e = Expected(b, a)
    pct = e.total["time"]["pct"]
    lo, hi = max(0, int(math.floor(pct)) - 1), int(math.ceil(pct)) + 1
    check_gate(pv, "gate total over", b, a, {}, lo, want_failed=True)
    check_gate(pv, "gate total within", b, a, {}, hi, want_failed=False)
    check_gate(pv, "gate total within -q", b, a, {}, hi, pre=("-q",), want_failed=False)
    check_gate(pv, "gate total faster", a, b, {}, 0, want_failed=False)
    check_gate(pv, "gate total --strip-dirs other dir", b, F("after_b.prof"), {"strip": True}, lo,
               want_failed=None)
    check_gate(pv, "gate total folded", F("before.folded"), F("after.folded"), {}, 5)
    full = name_of(b, "checksum")
    cpct = [r for r in e.all_rows if r.name == full][0].m["cumtime"]["pct"]
    check_gate(pv, "gate --function full name over", b, a, {}, int(cpct) - 1, function=full,
               want_failed=True)
    check_gate(pv, "gate --function full name within", b, a, {}, int(cpct) + 1, function=full,
               want_failed=False)
    check_gate(pv, "gate --function bare name", b, a, {}, int(cpct) - 1, function="checksum",
               want_failed=True)
    check_gate(pv, "gate --function faster", b, a, {}, 0, function="tokenize", want_failed=False)
    check_gate(pv, "gate --function added", b, a, {}, 100000, function="fast_normalize",
               want_failed=True)
    check_gate(pv, "gate --function removed", b, a, {}, 0, function="legacy_normalize",
               want_failed=False)
    check_gate(pv, "gate --function exact match (fib)", b, a, {}, 100000, function="fib",
               want_failed=False)
    check_gate(pv, "gate --function --normalize", b, a, {"normalize": True}, 0, function="checksum",
               want_failed=True)
    check_gate(pv, "gate --function --strip-dirs", b, F("after_b.prof"), {"strip": True}, 0,
               function=name_of(b, "checksum", strip=True), want_failed=True)
    check_gate(pv, "gate --function folded", F("before.folded"), F("after.folded"), {}, 0,
               function="checksum", want_failed=True)
    # errors
    for label, args, want_rc, prefix in (
            ("gate unknown function", ["--fail-if-slower", "5", "--function", "no_such_function"],
             1, "error:"),
            ("gate unknown full name", ["--fail-if-slower", "5", "--function",
                                        "/tmp/pvdiff_a/workload.py:1(nothing)"], 1, "error:"),
            # "step" names two functions: not "unambiguous", so not found
            ("gate ambiguous bare name", ["--fail-if-slower", "5", "--function", "step"],
             1, "error:"),
            ("gate --normalize on the total", ["--normalize", "--fail-if-slower", "5"], 2, None)):
        rc, out, err, cmd = pv.run([b, a] + args)
        errl = [l for l in err.split("\n") if l.strip()]
        R.eq(rc, want_rc, "%s: exit status  [%s]" % (label, show(cmd)))
        if prefix:
            R.ok(len(errl) == 1 and errl[0].startswith(prefix),
                 "%s: one stderr line starting %r  [%s]" % (label, prefix, show(cmd)),
                 "stderr: %r" % err)
        else:
            R.ok(errl != [], "%s: says why on stderr  [%s]" % (label, show(cmd)))


def group_errors(pv):
    b, a = F("before.prof"), F("after.prof")
    bad = os.path.join(pv.dir, "garbage.prof")
    with open(bad, "wb") as f:
        f.write(b"\xda\x00\x00\x00 not a profile \x01\x02")
    missing = os.path.join(pv.dir, "no-such-file.prof")
    for label, args, want in (
            ("no arguments", [], 2),
            ("missing NEW", [b], 2),
            ("three profiles", [b, a, a], 2),
            ("unknown --by", [b, a, "--by", "bogus"], 2),
            ("bad --limit", [b, a, "--limit", "many"], 2),
            ("bad --fail-if-slower", [b, a, "--fail-if-slower", "lots"], 2),
            ("bad --format", [b, a, "--format", "xml"], 2),
            ("unknown option", [b, a, "--frobnicate"], 2),
            # the synopsis nests --function under --fail-if-slower
            ("--function without --fail-if-slower", [b, a, "--function", "checksum"], 2)):
        rc, out, err, cmd = pv.run(args)
        R.eq(rc, want, "%s: exit status  [%s]" % (label, show(cmd)))
        R.ok(err.strip() != "", "%s: says why on stderr  [%s]" % (label, show(cmd)))
    for label, args in (("unreadable BASE", [missing, a]), ("unreadable NEW", [b, missing]),
                        ("corrupt BASE", [bad, a]), ("corrupt NEW", [b, bad])):
        rc, out, err, cmd = pv.run(args)
        errl = [l for l in err.split("\n") if l.strip()]
        R.eq(rc, 1, "%s: exit status  [%s]" % (label, show(cmd)))
        R.ok(len(errl) == 1 and errl[0].startswith("error:"),
             "%s: one stderr line 'error: ...'  [%s]" % (label, show(cmd)), "stderr: %r" % err)
    rc, out, err, cmd = pv.run(["--help"])
    R.ok(rc == 0 and "diff" in out + err, "diff --help  [%s]" % show(cmd),
         "exit %r, stderr %r" % (rc, first_line(err)))


def group_corpus(pv, corpus):
    if not corpus or not os.path.isdir(corpus):
        R.skip("corpus group: no corpus directory (%s)" % (corpus or "not given"))
        return
    p1 = os.path.join(corpus, "pstats", "print1.pstats")
    p2 = os.path.join(corpus, "pstats", "print2.pstats")
    if os.path.exists(p1) and os.path.exists(p2):
        diff_case(pv, p1, p2, {}, "corpus print1 vs print2")
        diff_case(pv, p2, p1, {"by_arg": "calls%"}, "corpus print2 vs print1 --by calls%")
        diff_case(pv, p1, p2, {"by_arg": "tottime", "normalize": True},
                  "corpus print --normalize --by tottime")
        diff_case(pv, p1, p2, {"strip": True, "by_arg": "name"}, "corpus print --strip-dirs --by name")
        check_gate(pv, "corpus print gate", p1, p2, {}, 10, want_failed=True)
        check_gate(pv, "corpus print gate --function", p1, p2, {}, 10,
                   function="test.py:5(test_print_method)", want_failed=True)
    else:
        R.skip("corpus print1/print2.pstats: not in %s" % corpus)
    f1 = os.path.join(corpus, "folded", "inferno_diff-folded_before.txt")
    f2 = os.path.join(corpus, "folded", "inferno_diff-folded_after.txt")
    if os.path.exists(f1) and os.path.exists(f2):
        diff_case(pv, f1, f2, {}, "corpus inferno diff-folded")
        # __fdget is added but never a leaf (self 0 -> 0): still "added first"
        diff_case(pv, f1, f2, {"by_arg": "tottime%"}, "corpus inferno diff-folded --by tottime%",
                  full=False)
        diff_case(pv, f1, f2, {"normalize": True, "by_arg": "calls"},
                  "corpus inferno diff-folded --normalize --by calls")
    else:
        R.skip("corpus inferno_diff-folded_*.txt: not in %s" % corpus)


def main():
    if len(sys.argv) < 2:
        print("usage: %s PROFVIEW [CORPUS_DIR]" % sys.argv[0], file=sys.stderr)
        return 2
    exe = os.path.abspath(sys.argv[1])
    corpus = os.path.abspath(sys.argv[2]) if len(sys.argv) > 2 else None
    pv = Profview(exe)
    rc, out, err, cmd = pv.run(["--help"])
    if rc != 0:
        print("note: `%s` exits %r (%s): every check below will fail"
              % (show(cmd), rc, first_line(err)))
    try:
        for group in (group_cprofile, group_strip_dirs, group_folded, group_cross, group_gate,
                      group_errors):
            try:
                group(pv)
            except Exception as exc:      # a bug here must not hide the other groups
                import traceback
                R.ok(False, "%s: the test itself raised %s: %s" % (group.__name__,
                                                                   type(exc).__name__, exc),
                     traceback.format_exc())
        try:
            group_corpus(pv, corpus)
        except Exception as exc:
            import traceback
            R.ok(False, "group_corpus: the test itself raised %s: %s" % (type(exc).__name__, exc),
                 traceback.format_exc())
    finally:
        pv.close()
    return R.done()


if __name__ == "__main__":
    sys.exit(main())

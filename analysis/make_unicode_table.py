#!/usr/bin/env python3
"""Writes analysis/unicode_nonprintable.h: the code point ranges Python's
str.isprintable() rejects, which repr() escapes. Run with the Python whose repr()
profview should match (the table in the repo was made with Python 3.11)."""
import sys

ranges, start = [], None
for cp in range(0x110001):
    np = cp <= 0x10FFFF and not chr(cp).isprintable()
    if np and start is None:
        start = cp
    elif not np and start is not None:
        ranges.append((start, cp - 1))
        start = None
out = ["/* Made by analysis/make_unicode_table.py with Python %d.%d: code points that"
       % sys.version_info[:2],
       " * str.isprintable() rejects, so repr() escapes them. Sorted, disjoint. */",
       "#ifndef PV_UNICODE_NONPRINTABLE_H", "#define PV_UNICODE_NONPRINTABLE_H",
       "#include <stdint.h>",
       "static const uint32_t unicode_nonprintable[][2] = {"]
for a, b in ranges:
    out.append("\t{ 0x%x, 0x%x }," % (a, b))
out += ["};", "#endif", ""]
with open(sys.argv[1] if len(sys.argv) > 1 else "analysis/unicode_nonprintable.h", "w") as f:
    f.write("\n".join(out))

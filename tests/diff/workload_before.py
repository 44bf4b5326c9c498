"""profview diff fixture workload, BEFORE version (see README.md).

make_fixtures.py copies this file to /tmp/pvdiff_a/workload.py and profiles
it there; workload_after.py is the same program after a change.
"""
import re


def fib(n):
    # Unchanged and above every edit: keeps its line (an exact match).  The
    # two calls are on different lines, so a sampler that records the line
    # being executed (py-spy) sees fib at several lines in one stack.
    if n < 2:
        return n
    a = fib(n - 1)
    b = fib(n - 2)
    return a + b


WORDS = ("alpha bravo charlie delta echo foxtrot golf hotel india juliet kilo "
         "lima mike november oscar papa quebec romeo sierra tango").split()


def make_text(n):
    out = []
    seed = 12345
    for _ in range(n):
        seed = (seed * 1103515245 + 12345) % 2147483648
        out.append(WORDS[seed % len(WORDS)])
    return " ".join(out)


def tokenize(text):
    # BEFORE: character by character, twice (made faster in the AFTER version).
    chars = []
    for ch in text:
        chars.append(" " if ch in "\t\r\n" else ch)
    tokens, cur = [], []
    for ch in chars:
        if ch == " ":
            if cur:
                tokens.append("".join(cur))
                cur = []
        else:
            cur.append(ch)
    if cur:
        tokens.append("".join(cur))
    return tokens


def checksum(tokens):
    # BEFORE: one pass (made slower in the AFTER version).
    total = 0
    for tok in tokens:
        for ch in tok:
            total = (total * 31 + ord(ch)) % 1000003
    return total


def legacy_normalize(tokens):
    # Removed in the AFTER version.
    return [t.upper().lower().strip() for t in tokens]


class Parser:
    def step(self, tokens):
        # Two functions named "step" in this file: (file, name) is not unique.
        return [t for t in tokens if len(t) > 4]


class Renderer:
    def step(self, tokens):
        return ",".join(sorted(set(tokens)))


def count_vowels(tokens):
    return sum(len(re.findall("[aeiou]", t)) for t in tokens[:400])


def main():
    text = make_text(6000)
    for _ in range(6):
        tokens = tokenize(text)
        tokens = legacy_normalize(tokens)
        checksum(tokens)
        Parser().step(tokens)
        Renderer().step(tokens)
        count_vowels(tokens)
        fib(17)


if __name__ == "__main__":
    main()

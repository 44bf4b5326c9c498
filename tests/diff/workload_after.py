"""profview diff fixture workload, AFTER version (see README.md).

make_fixtures.py copies this file to /tmp/pvdiff_a/workload.py (and to
/tmp/pvdiff_b/workload.py) and profiles it there.
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


# AFTER: these lines were added near the top, so every function below here
# sits at another line than in the BEFORE version: only (file, name) can
# match them.
TOKEN_RE = re.compile(r"\S+")
VERSION = 2
CHECKSUM_PASSES = 6

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
    # AFTER: one regex call instead of a loop in Python (faster).
    return TOKEN_RE.findall(text)


def checksum(tokens):
    # AFTER: several passes (slower).
    total = 0
    for _ in range(CHECKSUM_PASSES):
        for tok in tokens:
            for ch in tok:
                total = (total * 31 + ord(ch)) % 1000003
    return total


def fast_normalize(tokens):
    # Added in the AFTER version (replaces legacy_normalize).
    return [t.lower() for t in tokens]


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
        tokens = fast_normalize(tokens)
        checksum(tokens)
        Parser().step(tokens)
        Renderer().step(tokens)
        count_vowels(tokens)
        fib(17)


if __name__ == "__main__":
    main()

"""merge fixture workload: text processing (regex, Counter, sorting with a key)."""
import collections
import re

WORDS = ("alpha beta gamma delta epsilon zeta eta theta iota kappa lambda mu "
         "nu xi omicron pi rho sigma tau upsilon phi chi psi omega").split()


def make_text(n):
    out = []
    for i in range(n):
        out.append(WORDS[(i * 7) % len(WORDS)])
        if i % 11 == 0:
            out.append("%d." % i)
    return " ".join(out)


def tokens(text):
    return re.findall(r"[a-z]+", text)


def normalise(word):
    return word.strip().lower()


def count(words):
    c = collections.Counter()
    for w in words:
        c[normalise(w)] += 1
    return c


def by_length(words):
    return sorted(set(words), key=lambda w: (len(w), w))


def main():
    total = 0
    for n in (200, 400, 800):
        text = make_text(n)
        words = tokens(text)
        c = count(words)
        total += len(by_length(words)) + sum(c.values())
    return total


main()

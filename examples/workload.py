"""A small real program to profile: parse a generated log, aggregate it with regexes
and JSON, and render a report. `python3 -m cProfile -o examples/example.prof
examples/workload.py` made examples/example.prof."""
import collections
import json
import re

LINE = re.compile(r"(?P<ts>\d+) (?P<level>[A-Z]+) (?P<svc>\w+): (?P<msg>.*)")


def generate(n):
    levels = ["INFO", "WARN", "ERROR", "DEBUG"]
    services = ["api", "db", "cache", "auth", "queue"]
    for i in range(n):
        yield "%d %s %s: request %d took %d ms" % (
            1700000000 + i, levels[i * 7 % 4], services[i * 3 % 5], i, (i * 37) % 250)


def parse(lines):
    for line in lines:
        m = LINE.match(line)
        if m:
            yield m.groupdict()


def took(msg):
    return int(re.search(r"took (\d+) ms", msg).group(1))


def aggregate(records):
    per = collections.defaultdict(list)
    for r in records:
        per[(r["svc"], r["level"])].append(took(r["msg"]))
    return per


def percentile(values, p):
    values = sorted(values)
    return values[min(len(values) - 1, int(len(values) * p))]


def report(per):
    rows = []
    for (svc, level), values in sorted(per.items()):
        rows.append({"service": svc, "level": level, "count": len(values),
                     "p50": percentile(values, 0.5), "p99": percentile(values, 0.99)})
    return json.dumps(rows, indent=2)


def fib(n):
    return n if n < 2 else fib(n - 1) + fib(n - 2)


def main():
    text = report(aggregate(parse(generate(20000))))
    json.loads(text)
    fib(18)


if __name__ == "__main__":
    main()

"""A small unittest module for the estimate fixtures: profiled as people profile
test suites, `python -m cProfile -o out.prof -m unittest sample_tests`.
Standard library only; runs on Python 2.7 and 3.6+."""
import json
import re
import unittest


def fib(n):
    return n if n < 2 else fib(n - 1) + fib(n - 2)


def walk(tree):
    return 1 + sum(walk(c) for c in tree)


def make_tree(depth):
    return [] if depth == 0 else [make_tree(depth - 1) for _ in range(3)]


def parse(text):
    return [m.group(1) for m in re.finditer(r'(\w+)=', text)]


class Numbers(unittest.TestCase):
    def test_fib(self):
        self.assertEqual(fib(18), 2584)

    def test_walk(self):
        self.assertEqual(walk(make_tree(6)), 1093)


class Text(unittest.TestCase):
    def test_json_roundtrip(self):
        doc = {'k%d' % i: [i, str(i), {'x': i * 0.5}] for i in range(300)}
        for _ in range(20):
            self.assertEqual(json.loads(json.dumps(doc)), doc)

    def test_parse(self):
        line = ' '.join('key%d=%d' % (i, i) for i in range(200))
        for _ in range(30):
            self.assertEqual(len(parse(line)), 200)


if __name__ == '__main__':
    # run as a script under cProfile (Python 2.7 and 3.6 have no -m for it),
    # __main__ is cProfile's module: name the cases instead of unittest.main()
    suite = unittest.TestSuite()
    for case in (Numbers, Text):
        suite.addTests(unittest.defaultTestLoader.loadTestsFromTestCase(case))
    unittest.TextTestRunner().run(suite)

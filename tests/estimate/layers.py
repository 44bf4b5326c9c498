"""A call graph whose paths outnumber its edges by far, for the estimated
tree's bound (docs/estimated-tree.md): ten layers of four functions, each
calling every function of the next layer, so 41 functions and 148 edges hold
4^10 paths of even weight. Its estimated tree would have 1.4 million boxes;
profview's bound (2^20 frames) leaves the lightest out and says so."""

WIDTH, DEPTH = 4, 10


def make(level, k):
    def f():
        if level == DEPTH:
            x = 0
            for i in range(3):
                x += i
            return x
        for g in layer[level + 1]:
            g()
    # a code object of its own: cProfile tells functions apart by (file,
    # line, code name)
    name = 'f%d_%d' % (level, k)
    f.__code__ = f.__code__.replace(co_name=name)
    f.__name__ = name
    return f


layer = {level: [make(level, k) for k in range(WIDTH)] for level in range(1, DEPTH + 1)}


def main():
    for g in layer[1]:
        g()


main()

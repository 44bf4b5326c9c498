"""The Python workload of tests/foreign: profiled by cProfile and Austin, and
itself the Python-source fixture (a .py file given to profview import)."""
import sys


def fib(n):
    return n if n < 2 else fib(n - 1) + fib(n - 2)


def grow(n):
    chunks = []
    for _ in range(n):
        chunks.append(bytearray(10000))
    return len(chunks)


def main(n=18):
    total = 0
    for _ in range(20):
        total += fib(n)
        grow(3)
    return total


if __name__ == '__main__':
    print(main(int(sys.argv[1]) if len(sys.argv) > 1 else 18))

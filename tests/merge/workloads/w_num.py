"""merge fixture workload: numbers (recursion, fractions, comprehensions)."""
from fractions import Fraction


def fib(n):
    return n if n < 2 else fib(n - 1) + fib(n - 2)


def harmonic(n):
    return sum(Fraction(1, k) for k in range(1, n + 1))


def squares(n):
    return [i * i for i in range(n) if i % 3]


def collatz(n):
    steps = 0
    while n != 1:
        n = n // 2 if n % 2 == 0 else 3 * n + 1
        steps += 1
    return steps


def main():
    out = [fib(15), harmonic(30), len(squares(500))]
    out.append(max(collatz(k) for k in range(1, 300)))
    return out


main()

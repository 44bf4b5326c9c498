"""Workloads for the Austin fixtures (make_fixtures.sh runs them under the
real Debian austin 1.0.1).  Small on purpose: each run lasts about 0.3 s so
that the sample files stay around 50-200 KB.

    python workload.py plain     recursion (fib) under two callers
    python workload.py threads   three worker threads, the main thread waits
    python workload.py memory    lists that grow, then are dropped
"""
import sys
import threading
import time


def fib(n):
    return n if n < 2 else fib(n - 1) + fib(n - 2)


def crunch(k):
    s = 0
    for i in range(k):
        s += i * i
    return s


def spin(seconds):
    end = time.time() + seconds
    rounds = 0
    while time.time() < end:
        fib(15)
        crunch(3000)
        rounds += 1
    return rounds


def plain():
    spin(0.3)


def worker(seconds):
    spin(seconds)


def threads():
    ts = [threading.Thread(target=worker, args=(0.05 + 0.03 * i,), name="worker-%d" % i) for i in range(3)]
    for t in ts:
        t.start()
    for t in ts:
        t.join()


def grow(keep, chunks):
    for _ in range(chunks):
        keep.append(bytearray(256 * 1024))  # 256 KiB, touched when zeroed
        crunch(2000)


def memory():
    end = time.time() + 0.3
    while time.time() < end:
        keep = []
        grow(keep, 40)
        del keep


if __name__ == "__main__":
    {"plain": plain, "threads": threads, "memory": memory}[sys.argv[1]]()

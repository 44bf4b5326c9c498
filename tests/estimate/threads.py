"""Threads for the estimate fixtures: three workers and the main thread hash
strings at the same time (Python 3.12+'s cProfile sees every thread)."""
import hashlib
import threading


def crunch(n):
    h = hashlib.sha256()
    for i in range(n):
        h.update(str(i).encode())
    return h.hexdigest()


def worker(k):
    for _ in range(3):
        crunch(4000 * k)


def main():
    ts = [threading.Thread(target=worker, args=(k,)) for k in (1, 2, 3)]
    for t in ts:
        t.start()
    crunch(6000)
    for t in ts:
        t.join()


main()

"""merge fixture workload: small classes, properties, dict and list work."""


class Point:
    def __init__(self, x, y):
        self.x = x
        self.y = y

    @property
    def norm2(self):
        return self.x * self.x + self.y * self.y

    def moved(self, dx, dy):
        return Point(self.x + dx, self.y + dy)


def walk(n):
    p = Point(0, 0)
    path = []
    for i in range(n):
        p = p.moved(i % 3 - 1, i % 5 - 2)
        path.append(p)
    return path


def farthest(path):
    return max(path, key=lambda p: p.norm2)


def histogram(path):
    h = {}
    for p in path:
        h[p.x] = h.get(p.x, 0) + 1
    return h


def main():
    path = walk(600)
    f = farthest(path)
    h = histogram(path)
    return f.norm2, len(h), len(path)


main()

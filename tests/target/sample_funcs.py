"""Functions the target-tier tests compile under CinderX on aarch64."""


def mul_add(a, b):
    return a * b + 1


def count_up(n):
    total = 0
    for i in range(n):
        total += i
    return total


class Box:
    def __init__(self, value):
        self.value = value

    def doubled(self):
        return self.value * 2


def gen_numbers(n):
    for i in range(n):
        yield i


def branchy(x, y):
    if x < y:
        return [x, y, x + y]
    elif x == y:
        return {"same": x}
    return (y, x)

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

"""A small module for the ``python -m armjit.disasm module:qualname`` target test."""


def scale(x, k):
    return x * k + 1


class Scaler:
    def __init__(self, k):
        self.k = k

    def apply(self, xs):
        out = []
        for x in xs:
            out.append(x * self.k)
        return out

"""Generators, coroutines and async code for tests/target/test_generators_live.py.

Each ``case_*`` returns a plain value (lists, tuples, strings, ints) built by
driving the generators below; the test runs every case interpreted, then with
every function here compiled by armjit, and compares.
"""

import asyncio

LOG = []


def count(start=0):
    n = start
    while True:
        yield n
        n += 1


def evens(it):
    for x in it:
        if x % 2 == 0:
            yield x


def squares(it):
    for x in it:
        yield x * x


def take(n, it):
    for _ in range(n):
        yield next(it)


def averager():
    total, n, avg = 0.0, 0, None
    while True:
        v = yield avg
        total += v
        n += 1
        avg = total / n


def catcher():
    try:
        yield 1
        yield 2
    except ValueError as e:
        yield ("caught", str(e))
    finally:
        LOG.append("finally")
    yield "after"


def closer():
    try:
        yield "a"
        yield "b"
    finally:
        LOG.append("closed")


def stubborn():
    try:
        yield 1
    except GeneratorExit:
        yield "ignored"


def inner(n):
    got = []
    for i in range(n):
        r = yield i
        got.append(r)
    return ("inner", got)


def middle(n):
    r = yield from inner(n)
    yield r
    return "middle"


def outer(n):
    r = yield from middle(n)
    yield from ["x", "y"]
    yield r


def raise_after(n):
    for i in range(n):
        yield i
    raise KeyError("after %d" % n)


def divide(xs):
    # 10 // 0 raises inside compiled code: CinderX's code (and armjit's)
    # deopts the generator to the interpreter, which runs the handler.
    for x in xs:
        try:
            yield 10 // x
        except ZeroDivisionError:
            yield "div0"
    yield "end"


def handler_across_yield(xs):
    try:
        for x in xs:
            yield x + 1          # a str makes this raise TypeError, after a yield
    except TypeError as e:
        yield ("TypeError", str(e)[:25])


def genexps(n):
    a = sum(x * x for x in range(n) if x % 3)
    b = list(str(x) for x in range(n))
    c = max((x * 7) % 11 for x in range(1, n))
    return a, b, c


def returns_value():
    yield 1
    return 42


async def add_one(x):
    await asyncio.sleep(0)
    return x + 1


async def failing(x):
    await asyncio.sleep(0)
    raise ValueError("bad %s" % x)


async def coro_main(n):
    total = 0
    for i in range(n):
        total += await add_one(i)
    parts = await asyncio.gather(*(add_one(i * 10) for i in range(3)))
    try:
        await failing(7)
    except ValueError as e:
        err = str(e)
    return total, parts, err


async def ticker(n):
    for i in range(n):
        await asyncio.sleep(0)
        yield i * 10


async def use_ticker(n):
    out = [v async for v in ticker(n)]
    async for v in ticker(2):
        out.append(-v)
    return out


# ------------------------------------------------------------------ cases

def case_pipeline():
    return list(take(6, squares(evens(count(1)))))


def case_send():
    g = averager()
    out = [next(g)]
    for v in (10, 20, 60, 2):
        out.append(g.send(v))
    return out


def case_throw():
    del LOG[:]
    g = catcher()
    out = [next(g), g.throw(ValueError("boom")), next(g)]
    try:
        next(g)
    except StopIteration:
        out.append("stop")
    g = catcher()
    next(g)
    try:
        g.throw(KeyError("k"))
    except KeyError as e:
        out.append(("KeyError", e.args))
    return out, list(LOG)


def case_close():
    del LOG[:]
    g = closer()
    out = [next(g)]
    g.close()
    g.close()
    out.append(list(LOG))
    g = closer()
    out.append(list(g))
    g = stubborn()
    next(g)
    try:
        g.close()
    except RuntimeError as e:
        out.append(("RuntimeError", str(e)))
    return out, list(LOG)


def case_yield_from():
    g = outer(3)
    out = [next(g)]
    out.append(g.send("s1"))
    out.append(g.send("s2"))
    out.append(g.send("s3"))
    out += list(g)
    return out


def case_yield_from_throw():
    g = outer(2)
    next(g)
    try:
        g.throw(IndexError("deep"))
    except IndexError as e:
        return ("IndexError", str(e))
    return "no exception"


def case_exceptions():
    out = []
    try:
        for v in raise_after(3):
            out.append(v)
    except KeyError as e:
        out.append(("KeyError", e.args))
    out.append(list(divide([5, 0, 2, 0])))
    out.append(list(handler_across_yield([1, 2, "x", 4])))
    g = returns_value()
    next(g)
    try:
        next(g)
    except StopIteration as e:
        out.append(("StopIteration", e.value))
    return out


def case_genexps():
    return genexps(12)


def case_asyncio():
    return asyncio.run(coro_main(5))


def case_async_generator():
    return asyncio.run(use_ticker(4))


CASES = ["pipeline", "send", "throw", "close", "yield_from", "yield_from_throw",
         "exceptions", "genexps", "asyncio", "async_generator"]

FUNCTIONS = ["count", "evens", "squares", "take", "averager", "catcher", "closer", "stubborn",
             "inner", "middle", "outer", "raise_after", "divide", "handler_across_yield",
             "genexps", "returns_value", "add_one", "failing", "coro_main", "ticker",
             "use_ticker"]

"""Malformed input: LIRParseError with line, column and text -- never anything else."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import armjit.lir as L

GOOD = """\
Function:
BB %0 - succs: %1

BB %1 - preds: %0
       %3:Object = Bind X0:Object
       %4:Object = Load [%3:Object + 0x10]:Object
                   Return %4:Object

"""


@pytest.mark.parametrize("old, new, line, col, text", [
    ("Function:", "Function", 1, 1, "Function"),
    ("BB %1 - preds: %0", "BB %1 - prods: %0", 4, 1, "BB %1 - prods: %0"),
    ("BB %1 - preds: %0", "BB %x", 4, 1, "BB %x"),
    ("Bind X0:Object", "Bindd X0:Object", 5, 20, "Bindd"),
    ("Bind X0:Object", "Bind X31:Object", 5, 25, "X31:Object"),
    ("Bind X0:Object", "Bind X0:Obj", 5, 25, "X0:Obj"),
    ("Bind X0:Object", "Bind X0:Object, ", 5, 36, ""),
    ("[%3:Object + 0x10]", "[%3:Object + 0x0]", 6, 25, "[%3:Object + 0x0]:Object"),
    ("[%3:Object + 0x10]", "[%3:Object + 0X10]", 6, 25, "[%3:Object + 0X10]:Object"),
    ("[%3:Object + 0x10]", "[%3:Object + %3:Object * 3]", 6, 25,
     "[%3:Object + %3:Object * 3]:Object"),
    ("Return %4:Object", "Return 5(0x6):Object", 7, 27, "5(0x6):Object"),
    ("Return %4:Object", "Return 18446744073709551616(0x10000000000000000):64bit", 7, 27,
     "18446744073709551616(0x10000000000000000):64bit"),
    ("Return %4:Object", "Return 05(0x5):64bit", 7, 27, "05(0x5):64bit"),
    ("       %3:Object = Bind", "      %3:Object = Bind", 5, 1, "      %3:Object"),
    ("       %3:Object = Bind", "     BB%3 = Bind", 5, 1, "     BB%3"),
    ("                   Return", "                  Return", 7, 1,
     "                  Return %4:Object"),
    ("BB %1 - preds: %0\n", "BB %1 - preds: %0\n# orphan comment\n", 5, 1, "# orphan comment"),
    ("                   Return %4:Object\n",
     "                   Return %4:Object\n\n# dangling HIR comment\n", 9, 1,
     "# dangling HIR comment"),
    ("BB %1 - preds: %0\n", "BB %0\n", 4, 1, "BB %0"),
])
def test_errors_locate_the_problem(old, new, line, col, text):
    assert old in GOOD
    with pytest.raises(L.LIRParseError) as ei:
        L.parse(GOOD.replace(old, new, 1))
    e = ei.value
    assert (e.line, e.column, e.text) == (line, col, text), str(e)
    assert f"line {line}, column {col}" in str(e)


def test_phi_errors():
    base = ("Function:\nBB %1\n      %12:Object = Phi (BB%1, %11:Object), (BB%0, %10:Object)\n\n")
    assert L.parse(base).blocks[0].instructions[0].phi_blocks == [1, 0]
    for bad in ("Phi (BB%1, %11:Object), (BB%0, %10:Object", "Phi (BB%1 %11:Object)",
                "Phi (BB%1, %11:Object, %2:Object)", "Phi (BB%1, %11:Object),(BB%0, %1:Object)",
                "Phi BB%1, %11:Object"):
        with pytest.raises(L.LIRParseError) as ei:
            L.parse(base.replace("Phi (BB%1, %11:Object), (BB%0, %10:Object)", bad))
        assert ei.value.line == 3


def test_bad_header_and_type():
    with pytest.raises(L.LIRParseError) as ei:
        L.parse("JIT: x.cpp:1 -- LIR for m:f after lunch:\nFunction:\n")
    assert ei.value.line == 1
    with pytest.raises(L.LIRParseError):
        L.parse(b"Function:\n")
    assert L.parse("Function:\n").blocks == []


# ---------------------------------------------------------------------------
# Fuzz: mutations of real dump text.

@pytest.fixture(scope="module")
def samples(corpus_texts):
    """Windows of ~60 lines from a spread of real dumps (every stage)."""
    def window(lines, start, size):
        start = next(j for j in range(start, len(lines)) if lines[j].startswith("BB %"))
        end = next((j for j in range(start + size, len(lines)) if lines[j].startswith("BB %")),
                   len(lines) - 1)
        return "\n".join(["Function:"] + lines[start:end]) + "\n"

    out = []
    for i in range(0, len(corpus_texts), 23):
        d, stg, text = corpus_texts[i]
        lines = text.split("\n")
        out.append(window(lines, 2 + (i * 37) % max(1, len(lines) - 80), 40))
    # plus a dump with newline string constants
    for d, stg, text in corpus_texts:
        if 'LoadConst<ImmortalUnicodeExact["\n' in text:
            lines = text.split("\n")
            j = next(j for j, l in enumerate(lines)
                     if l.endswith('LoadConst<ImmortalUnicodeExact["'))
            s = next(x for x in range(j, 0, -1) if lines[x].startswith("BB %"))
            out.append(window(lines, s, j - s + 10))
            break
    return out


TOKENS = ["%", ":", ",", " = ", "[", "]", "(", ")", "#", "\n", "BB %", "BB%", "0x", "Object",
          "64bit", "X29(", " + ", " * 8", "\"", "  ", "Phi", "Move", "\n\n", "-"]


@st.composite
def mutated(draw, samples):
    text = draw(st.sampled_from(samples))
    for _ in range(draw(st.integers(1, 4))):
        kind = draw(st.sampled_from(["del", "ins", "dup", "dline", "iline", "swapline",
                                     "swaptok", "trunc"]))
        n = len(text)
        if n == 0:
            break
        i = draw(st.integers(0, n - 1))
        if kind == "del":
            j = draw(st.integers(i, min(n, i + 8)))
            text = text[:i] + text[j:]
        elif kind == "ins":
            text = text[:i] + draw(st.sampled_from(TOKENS) | st.text(max_size=3)) + text[i:]
        elif kind == "dup":
            j = draw(st.integers(i, min(n, i + 8)))
            text = text[:j] + text[i:j] + text[j:]
        elif kind == "trunc":
            text = text[:i]
        else:
            lines = text.split("\n")
            a = draw(st.integers(0, len(lines) - 1))
            b = draw(st.integers(0, len(lines) - 1))
            if kind == "dline":
                del lines[a]
            elif kind == "iline":
                lines.insert(a, lines[b])
            elif kind == "swapline":
                lines[a], lines[b] = lines[b], lines[a]
            else:
                toks = lines[a].split(" ")
                if len(toks) > 1:
                    x = draw(st.integers(0, len(toks) - 1))
                    y = draw(st.integers(0, len(toks) - 1))
                    toks[x], toks[y] = toks[y], toks[x]
                lines[a] = " ".join(toks)
            text = "\n".join(lines)
    return text


def test_fuzz_only_function_or_parse_error(samples):
    for s in samples:                    # the unmutated windows are valid dumps
        assert L.format(L.parse(s)) == s

    @settings(suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
    @given(mutated(samples))
    def check(text):
        try:
            fn = L.parse(text)
        except L.LIRParseError as e:
            assert e.line >= 0 and e.column >= 0 and isinstance(e.text, str)
            return
        assert isinstance(fn, L.Function)
        # whatever parses prints to text that parses back to the same print
        again = L.format(fn)
        assert L.format(L.parse(again)) == again

    check()

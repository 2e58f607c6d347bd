"""A small textual A64 assembler over the Assembler's instruction table
(:data:`armjit.emit.assembler.INSTRUCTIONS`: the same emitters as its methods).

Syntax is GNU/LLVM as Capstone prints it::

    add x0, x1, #0xfff              stp x29, x30, [sp, #-16]!
    ldr x0, [x1], #8                ldr x0, [x1, w2, sxtw #3]
    b.eq label                      lsl x0, x1, #3
    mov x0, #-1                     fmov d0, #1.0
    loop: subs x0, x0, #1; b.ne loop   // comment
    .quad 0x1234                    .word 7

Statements are separated by newlines or ``;``; ``//`` starts a comment.  A
branch target is a label or an absolute address (``b #0x1c``; relative to
``address``, the address of the first byte).

Every statement is exactly one instruction, as in GNU as: ``mov x0, #imm``
accepts only values one MOVZ/MOVN/ORR holds and ``add x0, x1, #0x123456``
raises :class:`EncodingError` (the Assembler API, not this text form, offers
legalisation).  Text that cannot be parsed raises :class:`AsmSyntaxError` with
its line and column (1-based).
"""

from __future__ import annotations

import re
from typing import List

from .assembler import INSTRUCTIONS, Assembler, Label
from .errors import AsmSyntaxError, EncodingError, LabelError
from .operands import (AddrMode, Cond, Extend, FpReg, GpReg, Mem, Shift, SP, WSP, XZR,
                       WZR)

__all__ = ["assemble", "assemble_into"]

# ------------------------------------------------------------------ operands

_REGS = {}
for _i in range(31):
    _REGS[f"x{_i}"] = GpReg(_i, 64)
    _REGS[f"w{_i}"] = GpReg(_i, 32)
_REGS.update(sp=SP, wsp=WSP, xzr=XZR, wzr=WZR, fp=GpReg(29, 64), lr=GpReg(30, 64))
for _i in range(32):
    for _p, _s in (("b", 8), ("h", 16), ("s", 32), ("d", 64), ("q", 128)):
        _REGS[f"{_p}{_i}"] = FpReg(_i, _s)
_SHIFTS = {s.name.lower(): s for s in Shift}
_EXTENDS = {e.name.lower(): e for e in Extend}
_CONDS = {c.name.lower(): c for c in Cond}
_CONDS.update(cs=Cond.HS, cc=Cond.LO)

_NUM = re.compile(r"[-+]?(0x[0-9a-f]+|0b[01]+|[0-9]+(\.[0-9]*)?(e[-+]?[0-9]+)?)$", re.I)
_IDENT = re.compile(r"[A-Za-z_.$][A-Za-z0-9_.$]*$")


class Op:
    """A parsed operand: kind in R (GP reg), F (FP reg), I (int), D (float),
    M (Mem), S (shift: (Shift, amount)), E (extend: (Extend, amount|None)),
    N (name: label, condition, barrier option, system register)."""

    __slots__ = ("kind", "value", "col", "text")

    def __init__(self, kind, value, col, text):
        self.kind = kind
        self.value = value
        self.col = col
        self.text = text

    def __repr__(self):
        return f"Op({self.kind}, {self.value!r})"


class _Ctx:
    def __init__(self, line, col, text):
        self.line = line
        self.col = col
        self.text = text

    def err(self, msg, col=None):
        return AsmSyntaxError(msg, self.line, col if col is not None else self.col, self.text)


def _number(tok: str, ctx: _Ctx, col: int):
    t = tok.strip()
    if not _NUM.match(t):
        raise ctx.err(f"bad number {tok!r}", col)
    body = t.lstrip("+-")
    neg = t.startswith("-")
    if body[:2].lower() in ("0x", "0b") or ("." not in body and "e" not in body.lower()):
        v = int(body, 0) if body[:2].lower() in ("0x", "0b") else int(body, 10)
        return -v if neg else v
    f = float(body)
    return -f if neg else f


_SPECIAL = re.compile(r"[\[\],]")


def _split_commas(s: str, base_col: int, ctx: _Ctx):
    """Split at top-level commas; yields (text, column of its first non-space)."""
    if "[" not in s and "]" not in s:
        # no brackets: every comma is at the top level
        out = []
        start = 0
        for text in s.split(","):
            out.append((text.strip(), base_col + start + len(text) - len(text.lstrip())))
            start += len(text) + 1
        return out
    parts = []
    depth = 0
    start = 0
    for m in _SPECIAL.finditer(s):
        i = m.start()
        ch = m.group()
        if ch == "[":
            depth += 1
        elif ch == "]":
            depth -= 1
            if depth < 0:
                raise ctx.err("unbalanced ']'", base_col + i)
        elif ch == "," and depth == 0:
            parts.append((s[start:i], start))
            start = i + 1
    if depth:
        raise ctx.err("missing ']'", base_col + len(s))
    parts.append((s[start:], start))
    out = []
    for text, off in parts:
        stripped = text.strip()
        lead = len(text) - len(text.lstrip())
        out.append((stripped, base_col + off + lead))
    return out


def _parse_simple(text: str, col: int, ctx: _Ctx) -> Op:
    if not text:
        raise ctx.err("missing operand", col)
    low = text.lower()
    if low in _REGS:
        r = _REGS[low]
        return Op("F" if isinstance(r, FpReg) else "R", r, col, text)
    if text.startswith("#"):
        v = _number(text[1:], ctx, col + 1)
        return Op("D" if isinstance(v, float) else "I", v, col, text)
    words = low.split(None, 1)
    if words[0] in _SHIFTS and len(words) == 2:
        amt = words[1].strip()
        if not amt.startswith("#"):
            raise ctx.err("expected '#amount' after shift", col)
        v = _number(amt[1:], ctx, col)
        if not isinstance(v, int):
            raise ctx.err("shift amount must be an integer", col)
        return Op("S", (_SHIFTS[words[0]], v), col, text)
    if words[0] in _EXTENDS:
        if len(words) == 1:
            return Op("E", (_EXTENDS[words[0]], None), col, text)
        amt = words[1].strip()
        if not amt.startswith("#"):
            raise ctx.err("expected '#amount' after extend", col)
        v = _number(amt[1:], ctx, col)
        if not isinstance(v, int):
            raise ctx.err("extend amount must be an integer", col)
        return Op("E", (_EXTENDS[words[0]], v), col, text)
    if _NUM.match(text):
        v = _number(text, ctx, col)
        return Op("D" if isinstance(v, float) else "I", v, col, text)
    if _IDENT.match(text):
        return Op("N", text, col, text)
    raise ctx.err("cannot parse operand", col)


def _parse_mem(text: str, col: int, ctx: _Ctx) -> Op:
    # text starts with '['
    close = text.find("]")
    inner = text[1:close]
    tail = text[close + 1:]
    rest = tail.strip()
    pre = False
    if rest == "!":
        pre = True
    elif rest:
        raise ctx.err("unexpected text after ']'",
                      col + close + 1 + len(tail) - len(tail.lstrip()))
    parts = _split_commas(inner, col + 1, ctx)
    ops = [_parse_simple(t, c, ctx) for t, c in parts]
    base = ops[0]
    if base.kind != "R":
        raise ctx.err("memory base must be a general-purpose register", base.col)
    if len(ops) == 1:
        m = Mem(base.value, 0, AddrMode.PRE if pre else AddrMode.OFFSET)
        return Op("M", m, col, text)
    second = ops[1]
    if second.kind == "I" and len(ops) == 2:
        return Op("M", Mem(base.value, second.value, AddrMode.PRE if pre else AddrMode.OFFSET),
                  col, text)
    if second.kind == "R" and not pre:
        if len(ops) == 2:
            return Op("M", Mem(base.value, index=second.value, extend=Extend.UXTX), col, text)
        if len(ops) == 3:
            third = ops[2]
            if third.kind == "S" and third.value[0] is Shift.LSL:
                return Op("M", Mem(base.value, index=second.value, extend=Extend.UXTX,
                                   shift=third.value[1]), col, text)
            if third.kind == "E":
                return Op("M", Mem(base.value, index=second.value, extend=third.value[0],
                                   shift=third.value[1]), col, text)
            raise ctx.err("expected lsl/uxtw/sxtw/sxtx after the index register", third.col)
    raise ctx.err("unsupported addressing mode", col)


def _parse_operands(s: str, base_col: int, ctx: _Ctx) -> List[Op]:
    if not s.strip():
        return []
    ops = []
    for text, col in _split_commas(s, base_col, ctx):
        if text.startswith("["):
            ops.append(_parse_mem(text, col, ctx))
        else:
            ops.append(_parse_simple(text, col, ctx))
    # Post-index: "[xn], #imm"
    if len(ops) >= 2 and ops[-2].kind == "M" and ops[-1].kind == "I":
        m = ops[-2].value
        if m.index is None and m.mode is AddrMode.OFFSET and m.offset == 0 \
                and "," not in ops[-2].text:
            ops[-2] = Op("M", Mem(m.base, ops[-1].value, AddrMode.POST), ops[-2].col,
                         ops[-2].text)
            ops.pop()
    return ops


# ------------------------------------------------------------------ instructions
#
# Every mnemonic is a row of armjit.emit.assembler.INSTRUCTIONS: the text form
# takes the operand shapes of the row, and the operands go to the same emitter
# the Assembler method is.  The text must be exactly one instruction (GNU as):
# the emitter runs on a scratch-less sink, and anything else than one word is
# refused.

# shape letter -> the operand kind it matches (T: a label or an address)
_KIND = {"R": "R", "F": "F", "I": "I", "D": "D", "M": "M", "S": "S", "E": "E", "L": "S",
         "C": "N", "N": "N"}


def _kind_strings(shape: str) -> List[str]:
    out = [""]
    for ch in shape:
        kinds = ("N", "I") if ch == "T" else (_KIND[ch],)
        out = [o + k for o in out for k in kinds]
    return out


# mnemonic -> {operand kinds: (row, shape)}
_FORMS = {}
for _row in INSTRUCTIONS:
    forms = _FORMS.setdefault(_row.mnemonic, {})
    for _shape in _row.shapes:
        for _k in _kind_strings(_shape):
            forms[_k] = (_row, _shape)
del _row, _shape, _k


class _Sink:
    """What an emitter writes one text statement into (no scratch register:
    nothing is legalised)."""

    __slots__ = ("words", "scratch")

    def __init__(self):
        self.words = []
        self.scratch = None


def _arguments(a: Assembler, row, shape: str, ops: List[Op], ctx: _Ctx) -> list:
    """The Python arguments of ``row``'s emitter for operands of ``shape``."""
    args = []
    for ch, o in zip(shape, ops):
        if ch == "S":
            args.extend(o.value)                      # (Shift, amount)
        elif ch == "E":
            ext, amt = o.value
            args.extend((ext, 0 if amt is None else amt))
        elif ch == "L":
            sh, amt = o.value
            if sh is not Shift.LSL:
                raise EncodingError(row.mnemonic, "shift", o.text, "lsl #0/16/32/48")
            args.append(amt)
        elif ch == "C":
            c = _CONDS.get(o.value.lower())
            if c is None:
                raise ctx.err("expected a condition (eq, ne, ...)", o.col)
            args.append(c)
        elif ch == "N":
            args.append(o.value.lower())
        elif ch == "T":
            args.append(a.label(o.value) if o.kind == "N" else o.value)
        else:
            args.append(o.value)
    return args


def _instruction(a: Assembler, mn: str, ops: List[Op], ctx: _Ctx) -> None:
    forms = _FORMS.get(mn)
    if forms is None:
        raise ctx.err(f"unknown mnemonic {mn!r}")
    hit = forms.get("".join(o.kind for o in ops))
    if hit is None:
        raise ctx.err(f"operands not accepted by {mn}: " + ", ".join(o.text for o in ops))
    row, shape = hit
    args = _arguments(a, row, shape, ops, ctx)
    if "T" in shape:
        # Numeric targets are encoded directly (out of range: EncodingError);
        # label targets go through the Assembler (fixups, relaxation).
        if isinstance(args[-1], Label):
            method = row.label_method or row.method
            if method is None:
                raise EncodingError(mn, "target", ops[-1].text,
                                    "an absolute address (no label form)")
            getattr(a, method)(*args)
        else:
            a.emit(row.direct(a.base + a.offset, *args))
        return
    sink = _Sink()
    row.emit(sink, *args)
    if len(sink.words) != 1:
        raise EncodingError(mn, "operands", ", ".join(o.text for o in ops),
                            "operands one instruction holds (the Assembler API legalises "
                            "others, e.g. a.add(x0, x1, 0x123456))")
    a.words += sink.words


# ------------------------------------------------------------------ directives

def _directive(a: Assembler, name: str, ops: List[Op], ctx: _Ctx) -> None:
    if name in (".quad", ".xword", ".dword", ".8byte"):
        for o in ops:
            if o.kind == "I":
                a.dword(o.value)
            elif o.kind == "N":
                a.dword(a.label(o.value))
            else:
                raise ctx.err("expected an integer or a label", o.col)
    elif name in (".word", ".4byte", ".long", ".inst"):
        for o in ops:
            if o.kind != "I":
                raise ctx.err("expected an integer", o.col)
            a.word(o.value)
    elif name in (".align", ".p2align", ".balign"):
        if len(ops) != 1 or ops[0].kind != "I":
            raise ctx.err(f"{name} takes one integer", ctx.col)
        n = ops[0].value
        a.align(n if name == ".balign" else 1 << n)
    elif name in (".text", ".globl", ".global", ".type", ".size"):
        pass
    else:
        raise ctx.err(f"unknown directive {name}")


# ------------------------------------------------------------------ driver

_LABEL = re.compile(r"\s*([A-Za-z_.$][A-Za-z0-9_.$]*)\s*:")
_MNEM = re.compile(r"\s*([A-Za-z_.][A-Za-z0-9_.]*)")


def _statements(text: str):
    """Yield (line number, column of the statement, statement text, line text)."""
    for ln, line in enumerate(text.split("\n"), 1):
        cpos = line.find("//")
        body = line if cpos < 0 else line[:cpos]
        start = 0
        for part in body.split(";"):
            yield ln, start + 1, part, line
            start += len(part) + 1


def assemble_into(a: Assembler, text: str) -> None:
    """Assemble ``text`` into the Assembler ``a`` (labels live in ``a``)."""
    for ln, col, stmt, line in _statements(text):
        rest, pos = stmt, 0
        while True:
            m = _LABEL.match(rest, pos)
            if not m or rest[m.end():m.end() + 1] == ":":
                break
            ctx = _Ctx(ln, col + m.start(1), line)
            try:
                a.bind(a.label(m.group(1)))
            except LabelError as e:
                raise ctx.err(str(e)) from None
            pos = m.end()
        if not rest[pos:].strip():
            continue
        m = _MNEM.match(rest, pos)
        mcol = col + (m.start(1) if m else pos + len(rest[pos:]) - len(rest[pos:].lstrip()))
        ctx = _Ctx(ln, mcol, line)
        if not m:
            raise ctx.err("expected a mnemonic")
        mn = m.group(1).lower()
        ops = _parse_operands(rest[m.end():], col + m.end(), ctx)
        if mn.startswith("."):
            _directive(a, mn, ops, ctx)
            continue
        try:
            _instruction(a, mn, ops, ctx)
        except (AttributeError, TypeError) as e:
            # an operand of the wrong type reached an encoder that assumed one
            raise EncodingError(mn, "operands", ", ".join(o.text for o in ops),
                                f"operands of the right kinds ({e})") from None


def assemble(text: str, address: int = 0) -> bytes:
    """Assemble ``text`` at ``address``; return the bytes.

    Raises EncodingError for operands no encoding holds, AsmSyntaxError (with
    line and column) for text it cannot parse, LabelError for unbound labels
    and out-of-range branches.
    """
    a = Assembler(base=address)
    assemble_into(a, text)
    return a.finalize().code

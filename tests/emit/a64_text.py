"""Tiny A64 operand-text parser/formatter for the emit tests (not the project's assembler).

Used to (1) turn conformance-corpus lines and Capstone output into operand
objects, so texts are compared structurally (Capstone prints ``#0x10`` where
GNU as accepts ``#16``), and (2) print the text of a draw for GNU as/Keystone.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import List, Optional, Tuple

from armjit.emit.operands import (AddrMode, Extend, FpReg, GpReg, Mem, SP, WSP, WZR, XZR)

_FP_SIZES = {"b": 8, "h": 16, "s": 32, "d": 64, "q": 128}


@dataclass(frozen=True)
class Imm:
    value: object          # int or float

    def __str__(self):
        return f"#{self.value}"


@dataclass(frozen=True)
class Name:
    text: str              # condition, barrier option, sysreg, ...


def parse_reg(tok: str):
    t = tok.strip().lower()
    if t in ("sp",):
        return SP
    if t == "wsp":
        return WSP
    if t == "xzr":
        return XZR
    if t == "wzr":
        return WZR
    if t == "lr":
        return GpReg(30, 64)
    if t == "fp":
        return GpReg(29, 64)
    m = re.fullmatch(r"([xw])(\d+)", t)
    if m and int(m.group(2)) <= 30:
        return GpReg(int(m.group(2)), 64 if m.group(1) == "x" else 32)
    m = re.fullmatch(r"([bhsdq])(\d+)", t)
    if m and int(m.group(2)) <= 31:
        return FpReg(int(m.group(2)), _FP_SIZES[m.group(1)])
    return None


def parse_num(tok: str, wrap64: bool = True):
    t = tok.strip()
    if t.startswith("#"):
        t = t[1:]
    try:
        if re.fullmatch(r"-?0x[0-9a-fA-F]+", t):
            v = int(t, 16)
        elif re.fullmatch(r"-?\d+", t):
            v = int(t)
        else:
            return float(t)
    except ValueError:
        return None
    if wrap64 and v >= 1 << 63:
        v -= 1 << 64          # Capstone prints negative post-index offsets as 2**64 - n
    return v


_EXT = {"lsl": Extend.UXTX, "uxtx": Extend.UXTX, "uxtw": Extend.UXTW,
        "sxtw": Extend.SXTW, "sxtx": Extend.SXTX}


def _split_top(s: str) -> List[str]:
    out, depth, cur = [], 0, ""
    for ch in s:
        if ch == "[":
            depth += 1
        elif ch == "]":
            depth -= 1
        if ch == "," and depth == 0:
            out.append(cur.strip())
            cur = ""
        else:
            cur += ch
    if cur.strip():
        out.append(cur.strip())
    return out


def _parse_mem(tok: str) -> Optional[Mem]:
    m = re.fullmatch(r"\[(.*)\](!?)", tok.strip())
    if not m:
        return None
    parts = [p.strip() for p in m.group(1).split(",")]
    base = parse_reg(parts[0])
    if base is None:
        return None
    wb = bool(m.group(2))
    if len(parts) == 1:
        return Mem(base, 0, AddrMode.PRE if wb else AddrMode.OFFSET)
    second = parts[1]
    if second.startswith("#"):
        if len(parts) != 2:
            return None
        return Mem(base, parse_num(second), AddrMode.PRE if wb else AddrMode.OFFSET)
    index = parse_reg(second)
    if index is None or wb:
        return None
    if len(parts) == 2:
        return Mem(base, index=index, extend=Extend.UXTX, shift=None)
    ext = parts[2].split()
    if ext[0].lower() not in _EXT or len(parts) != 3:
        return None
    shift = parse_num(ext[1]) if len(ext) > 1 else None
    return Mem(base, index=index, extend=_EXT[ext[0].lower()], shift=shift)


def parse(text: str) -> Tuple[str, list]:
    """``"ldr x0, [x1], #8"`` -> ("ldr", [x0, Mem(x1, 8, POST)])."""
    text = text.strip()
    mn, _, rest = text.replace("\t", " ").partition(" ")
    toks = _split_top(rest)
    ops: list = []
    i = 0
    while i < len(toks):
        tok = toks[i]
        mem = _parse_mem(tok) if tok.startswith("[") else None
        if mem is not None:
            if (i + 1 < len(toks) and toks[i + 1].startswith("#")
                    and mem.index is None and mem.offset == 0 and mem.mode is AddrMode.OFFSET
                    and "," not in tok):
                ops.append(Mem(mem.base, parse_num(toks[i + 1]), AddrMode.POST))
                i += 2
                continue
            ops.append(mem)
        elif tok.startswith("["):
            ops.append(Name(tok))
        elif tok.startswith("#"):
            ops.append(Imm(parse_num(tok)))
        else:
            r = parse_reg(tok)
            ops.append(r if r is not None else Name(tok.lower()))
        i += 1
    return mn.lower(), ops


def fmt_mem(m: Mem) -> str:
    """GNU-as-style text of a memory operand (offset 0 writeback printed as #0)."""
    if m.index is not None:
        if m.shift is None:
            tail = "" if m.extend == Extend.UXTX else f", {m.extend.name.lower()}"
        else:
            ext = "lsl" if m.extend == Extend.UXTX else m.extend.name.lower()
            tail = f", {ext} #{m.shift}"
        return f"[{m.base}, {m.index}{tail}]"
    if m.mode is AddrMode.POST:
        return f"[{m.base}], #{m.offset}"
    if m.mode is AddrMode.PRE:
        return f"[{m.base}, #{m.offset}]!"
    return f"[{m.base}, #{m.offset}]" if m.offset else f"[{m.base}]"


def canon(text: str):
    """Structural form of a text for comparison: mnemonic + canonical operands."""
    mn, ops = parse(text)
    out = []
    for o in ops:
        if isinstance(o, Mem) and o.index is None and o.mode is AddrMode.PRE:
            out.append(("pre", o.base, o.offset))
        else:
            out.append(o)
    return mn, out

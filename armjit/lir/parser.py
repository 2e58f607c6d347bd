"""Parse CinderX LIR dumps (every stage) into :mod:`armjit.lir.model` objects.

The grammar is the output of ``Jit/lir/printer.cpp`` (see the model docstring
for operands).  A function text is::

    [JIT: FILE:LINE -- LIR for MOD:QUAL after STAGE:]
    Function:
    BB %<id>[ - preds: %a %b][ - succs: %x %y][ - section: .coldtext]
    [<blank line>
    # HIR comment line
    # ...]
    <instruction>
    ...
    <blank line>            (after every block)

Instructions: with no output, 19 spaces then the print name; with one, the
output right-aligned to 16 columns, `` = `` and the print name; then the
inputs, ``, ``-separated (Phi: ``(BB%p, value)`` pairs).

HIR comment groups (``printer.cpp:57-66``) are a blank line followed by the
HIR printer's text, every line prefixed ``# `` -- except continuation lines of
string constants with embedded newlines: HIR prints a constant's first 20 bytes
raw between delimiters (``Jit/hir/type.cpp:133-141``), so such a line either
contains the ``"``/``'`` delimiter or is at most 20 bytes long.  A group always
ends at the first line that parses as an instruction; no continuation line can
be one (an instruction line is at least 22 characters and never contains a
quote).

The parser is strict: every operand must read back to exactly the text it came
from, so that ``format(parse(text)) == text`` for every accepted dump.  Any
malformed input raises :class:`LIRParseError` (line, column, offending text).
"""

from __future__ import annotations

import re
from typing import Dict, Iterator, List, Optional, Tuple

from armjit.cinderxlog import HEADER, LIR_HEADER, STAGES, split_sections
from armjit.errors import ArmjitError

from .model import (DATA_TYPES, REG_NAMES, BasicBlock, Function, Imm, Ind, Instruction,
                    Label, Mem, NoneOperand, Operand, Origin, Reg, Stack, VReg)
from .ops import PRINT_NAMES


class LIRParseError(ArmjitError, ValueError):
    """Malformed LIR text.  ``line`` and ``column`` are 1-based."""

    def __init__(self, message: str, line: int = 0, column: int = 0, text: str = ""):
        self.message, self.line, self.column, self.text = message, line, column, text
        super().__init__(f"line {line}, column {column}: {message}: {text!r}")


class _OperandError(Exception):
    """Internal: an operand token did not parse (position relative to token)."""

    def __init__(self, message: str, offset: int = 0):
        super().__init__(message)
        self.message, self.offset = message, offset


_DT = r"(8bit|16bit|32bit|64bit|Double|ObjectUntagged|Object)"
_N = r"(0|[1-9][0-9]*)"
_REG = r"(X[0-9]+|W[0-9]+|D[0-9]+|SP|XZR|WZR)"
_VAL = rf"(?:%{_N}|{_REG}):{_DT}"
_RE_VREG = re.compile(rf"%{_N}:{_DT}")
_RE_REG = re.compile(rf"{_REG}:{_DT}")
_RE_IMM = re.compile(rf"{_N}\(0x([0-9a-f]+)\):{_DT}")
_RE_MEM = re.compile(rf"\[0x([0-9a-f]+)\]:{_DT}")
_RE_STACK = re.compile(rf"\[X29\((-?[0-9]+)\)\]:{_DT}")
_RE_IND = re.compile(
    rf"\[{_VAL}(?: \+ {_VAL}(?: \* ([0-9]+))?)?(?: ([+-]) 0x([0-9a-f]+))?\]:{_DT}")
_RE_LABEL = re.compile(rf"BB%{_N}")
_RE_NONE = re.compile(rf"<!!!None!!!>:{_DT}")
_RE_BLOCK = re.compile(
    r"BB %(0|[1-9][0-9]*)((?: - preds:(?: %(?:0|[1-9][0-9]*))+)?)"
    r"((?: - succs:(?: %(?:0|[1-9][0-9]*))+)?)((?: - section: \S+)?)")

_PAD = " " * 19
_new = object.__new__
_MAX_CACHE = 200_000
_cache: Dict[str, Operand] = {}


def _value(num: Optional[str], reg: Optional[str], dt: str, text: str) -> Operand:
    if num is not None:
        return VReg(int(num), dt)
    if reg not in REG_NAMES:
        raise _OperandError(f"unknown register {reg}")
    return Reg(reg, dt)


def _parse_operand(t: str) -> Operand:
    c = t[:1]
    if c == "%":
        m = _RE_VREG.fullmatch(t)
        if m:
            return VReg(int(m.group(1)), m.group(2), t)
    elif c == "B":
        m = _RE_LABEL.fullmatch(t)
        if m:
            return Label(int(m.group(1)), t)
    elif c.isdigit():
        m = _RE_IMM.fullmatch(t)
        if m:
            v = int(m.group(1))
            if v >= 1 << 64:
                raise _OperandError("immediate does not fit in 64 bits")
            if int(m.group(2), 16) != v:
                raise _OperandError("immediate's decimal and hex values differ")
            op = Imm(v, m.group(3))
            if op._format() != t:
                raise _OperandError("non-canonical immediate")
            op._text = t
            return op
    elif c == "[":
        if t.startswith("[0x"):
            m = _RE_MEM.fullmatch(t)
            if m:
                v = int(m.group(1), 16)
                if v >= 1 << 64:
                    raise _OperandError("address does not fit in 64 bits")
                op = Mem(v, m.group(2))
        elif t.startswith("[X29("):
            m = _RE_STACK.fullmatch(t)
            if m:
                v = int(m.group(1))
                if not -(1 << 31) <= v < 1 << 31:
                    raise _OperandError("stack offset out of range")
                op = Stack(v, m.group(2))
        else:
            m = _RE_IND.fullmatch(t)
            if m:
                g = m.groups()
                base = _value(g[0], g[1], g[2], t)
                index = _value(g[3], g[4], g[5], t) if g[5] is not None else None
                scale = 0
                if g[6] is not None:
                    n = int(g[6])
                    if n < 2 or n & (n - 1) or n > 1 << 63:
                        raise _OperandError("index multiplier must be a power of two > 1")
                    scale = n.bit_length() - 1
                off = 0
                if g[8] is not None:
                    off = int(g[8], 16)
                    if g[7] == "-":
                        off = -off
                    if not -(1 << 31) <= off < 1 << 31 or off == 0:
                        raise _OperandError("offset out of int32 range or zero")
                op = Ind(base, index, scale, off, g[9])
        if m:
            if op._format() != t:
                raise _OperandError("non-canonical memory operand")
            op._text = t
            return op
    elif c == "<":
        m = _RE_NONE.fullmatch(t)
        if m:
            return NoneOperand(m.group(1), t)
    else:
        m = _RE_REG.fullmatch(t)
        if m:
            if m.group(1) not in REG_NAMES:
                raise _OperandError(f"unknown register {m.group(1)}")
            return Reg(m.group(1), m.group(2), t)
    raise _OperandError("malformed operand")


def parse_operand(text: str) -> Operand:
    """Parse one operand (``%3:Object``, ``X0:64bit``, ``[X29(-8)]:Object``...)."""
    op = _cache.get(text)
    if op is None:
        try:
            op = _parse_operand(text)
        except _OperandError as e:
            raise LIRParseError(e.message, 1, 1 + e.offset, text) from None
        if len(_cache) > _MAX_CACHE:
            _cache.clear()
        _cache[text] = op
    return op


def _operands(text: str, line: str, lineno: int, col0: int) -> List[Operand]:
    parts = text.split(", ")
    try:
        return [_cache[t] for t in parts]       # every operand seen before
    except KeyError:
        pass
    out = []
    pos = col0
    for t in parts:
        op = _cache.get(t)
        if op is None:
            try:
                op = _parse_operand(t)
            except _OperandError as e:
                raise LIRParseError(e.message, lineno, pos + 1 + e.offset, t) from None
            if len(_cache) > _MAX_CACHE:
                _cache.clear()
            _cache[t] = op
        out.append(op)
        pos += len(t) + 2
    return out


def parse_instruction(line: str, lineno: int = 1) -> Instruction:
    """Parse one instruction line exactly as printer.cpp:72-102 prints it."""
    if line.startswith(_PAD):
        output = None
        col = 19
        rest = line[19:]
    else:
        k = line.find(" = ")
        if k < 0:
            raise LIRParseError("expected an instruction", lineno, 1, line)
        otext = line[:k].lstrip(" ")
        if not otext or line[:k] != otext.rjust(16):
            raise LIRParseError("instruction output is not right-aligned to 16 columns",
                                lineno, 1, line[:k])
        output = _operands(otext, line, lineno, k - len(otext))[0]
        if output.kind == "l":
            raise LIRParseError("a label cannot be an output", lineno, 1, otext)
        col = k + 3
        rest = line[col:]
    sp = rest.find(" ")
    name = rest if sp < 0 else rest[:sp]
    entry = PRINT_NAMES.get(name)
    if entry is None:
        raise LIRParseError("unknown opcode", lineno, col + 1, name)
    opcode, cond, order = entry
    args = "" if sp < 0 else rest[sp + 1:]
    if sp >= 0 and not args:
        raise LIRParseError("trailing space", lineno, len(line), line)
    acol = col + sp + 1
    if opcode == "Phi":
        inputs, blocks = _phi_args(args, line, lineno, acol)
        return Instruction(opcode, output, inputs, cond, order, None, blocks, lineno)
    inputs = _operands(args, line, lineno, acol) if args else []
    return Instruction(opcode, output, inputs, cond, order, None, None, lineno)


_RE_PHI_HEAD = re.compile(r"\(BB%(0|[1-9][0-9]*), ")


def _phi_args(args: str, line: str, lineno: int, col0: int) -> Tuple[List[Operand], List[int]]:
    inputs: List[Operand] = []
    blocks: List[int] = []
    pos = 0
    n = len(args)
    while True:
        m = _RE_PHI_HEAD.match(args, pos)
        if not m:
            raise LIRParseError("expected a Phi pair (BB%n, value)", lineno,
                                col0 + pos + 1, args[pos:])
        end = args.find("), (", m.end())
        if end < 0:
            if not args.endswith(")") or n - 1 < m.end():
                raise LIRParseError("unterminated Phi pair", lineno, col0 + pos + 1,
                                    args[pos:])
            end = n - 1
        vtext = args[m.end():end]
        if ", " in vtext:
            raise LIRParseError("malformed Phi pair", lineno, col0 + pos + 1, args[pos:end + 1])
        blocks.append(int(m.group(1)))
        inputs.append(_operands(vtext, line, lineno, col0 + m.end())[0])
        if end == n - 1:
            return inputs, blocks
        pos = end + 3


def _block_header(line: str, lineno: int) -> BasicBlock:
    m = _RE_BLOCK.fullmatch(line)
    if not m:
        raise LIRParseError("malformed block header", lineno, 1, line)
    preds = [int(x) for x in m.group(2)[len(" - preds: "):].replace("%", "").split()] \
        if m.group(2) else []
    succs = [int(x) for x in m.group(3)[len(" - succs: "):].replace("%", "").split()] \
        if m.group(3) else []
    section = m.group(4)[len(" - section: "):] if m.group(4) else None
    return BasicBlock(int(m.group(1)), preds, succs, section, [], lineno)


def _memo_instruction(memo: dict, line: str, lineno: int) -> Instruction:
    """parse_instruction through ``memo`` (line text -> the parsed fields of an
    earlier identical line of the same text; a fresh Instruction each time)."""
    hit = memo.get(line)
    if hit is None:
        ins = parse_instruction(line, lineno)
        memo[line] = (ins.opcode, ins.output, tuple(ins.inputs), ins.cond, ins.mem_order,
                      None if ins.phi_blocks is None else tuple(ins.phi_blocks))
        return ins
    opcode, output, inputs, cond, order, blocks = hit
    return Instruction(opcode, output, list(inputs), cond, order, None,
                       None if blocks is None else list(blocks), lineno)


def _continuation_ok(line: str) -> bool:
    return '"' in line or "'" in line or len(line.encode("utf-8", "surrogatepass")) <= 20


def parse(text: str) -> Function:
    """Parse one LIR function (from its ``Function:`` line; a leading ``JIT:``
    header line is kept in ``Function.header``)."""
    if not isinstance(text, str):
        raise LIRParseError("LIR text must be str", 0, 0, repr(type(text)))
    lines = text.split("\n")
    n = len(lines)
    if n and lines[-1] == "":
        n -= 1
    i = 0
    header = name = stage = None
    if n and lines[0].startswith("JIT: "):
        header = lines[0]
        hm = HEADER.match(header)
        lm = LIR_HEADER.match(hm.group("msg")) if hm else None
        if lm is None or lm.group("stage") not in STAGES:
            raise LIRParseError("malformed LIR section header", 1, 1, header)
        name, stage = lm.group("name"), STAGES[lm.group("stage")]
        i = 1
    if i >= n or lines[i] != "Function:":
        raise LIRParseError("expected 'Function:'", i + 1, 1, lines[i] if i < n else "")
    i += 1
    blocks: List[BasicBlock] = []
    seen = set()
    memo: dict = {}
    memo_get = memo.get
    while i < n:
        line = lines[i]
        if line == "":
            i += 1
            continue
        if not line.startswith("BB %"):
            raise LIRParseError("expected a block header", i + 1, 1, line)
        block = _block_header(line, i + 1)
        if block.id in seen:
            raise LIRParseError("duplicate block id", i + 1, 1, line)
        seen.add(block.id)
        blocks.append(block)
        instrs = block.instructions
        i += 1
        origin = None
        comment: Optional[List[str]] = None
        cstart = 0
        while i < n:
            line = lines[i]
            if comment is not None:
                if line.startswith("#"):
                    comment.append(line)
                    i += 1
                    continue
                ins = None
                if '"' not in line and "'" not in line and len(line) > 20:
                    try:
                        ins = _memo_instruction(memo, line, i + 1)
                    except LIRParseError:
                        if not _continuation_ok(line):
                            raise
                if ins is None:
                    if not _continuation_ok(line):
                        raise LIRParseError("expected an instruction after the HIR comment",
                                            i + 1, 1, line)
                    comment.append(line)
                    i += 1
                    continue
                origin = Origin(comment)
                comment = None
                ins.origin = origin
                instrs.append(ins)
                i += 1
                continue
            if line == "":
                if i + 1 < n and lines[i + 1].startswith("#"):
                    comment = []
                    cstart = i + 2
                    i += 1
                    continue
                break
            if line.startswith("BB %"):
                break
            if line.startswith("#"):
                raise LIRParseError("HIR comment without the blank line before it", i + 1, 1, line)
            hit = memo_get(line)
            if hit is None:
                ins = _memo_instruction(memo, line, i + 1)
                ins.origin = origin
            else:
                # an earlier identical line: a fresh Instruction with its fields
                # (what Instruction() would build from them, without re-checking)
                ins = _new(Instruction)
                ins.opcode, ins.output, inputs, ins.cond, ins.mem_order, pblocks = hit
                ins.inputs = list(inputs)
                ins.origin = origin
                ins.phi_blocks = None if pblocks is None else list(pblocks)
                ins.line = i + 1
            instrs.append(ins)
            i += 1
        if comment is not None:
            raise LIRParseError("HIR comment not followed by an instruction", cstart, 1,
                                lines[cstart - 1] if cstart - 1 < n else "")
    return Function(blocks, header, name, stage)


def read_log(text: str) -> Iterator[Tuple[str, str, Function]]:
    """Yield ``(qualname, stage, Function)`` for every LIR section of a whole
    CinderX log (``MODULE:QUALNAME``, short stage name as in
    :data:`armjit.cinderxlog.STAGES`); other sections are skipped."""
    for sec in split_sections(text):
        if sec.kind != "lir":
            continue
        fn = parse(sec.text)
        fn.header, fn.name, fn.stage = sec.header, sec.name, sec.stage
        yield sec.name, sec.stage, fn

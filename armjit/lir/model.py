"""The LIR data model: functions, blocks, instructions and operands.

Mirrors CinderX's ``Jit/lir/{function,block,instruction,operand}.h`` closely
enough that every dump stage can be held and printed back byte for byte.

Operands are immutable values (they may be shared between instructions); each
caches the text CinderX prints for it (``printer.cpp:104-172``).

* :class:`VReg` ``%12:Object`` -- an instruction's output before allocation, or
  a use of it (CinderX's *linked* operand prints as the definition).
* :class:`Reg` ``X23:Object``, ``W6:8bit``, ``D0:Double``, ``SP:64bit``,
  ``XZR:Object`` -- a physical register; ``Reg.num`` is CinderX's RegId
  (X0..X30 = 0..30, XZR = 31, D0..D31 = 32..63, SP = 0xFFFF,
  ``Jit/codegen/arch/aarch64.h:18-93``); W names are printed whenever the bit
  size is 8/16/32 (``arch/aarch64.cpp:35-43``).  The printed name is kept as is.
* :class:`Imm` ``365086377712(0x5500d806f0):Object`` -- an unsigned 64-bit value.
* :class:`Ind` ``[X22:Object + %6:64bit * 8 - 0x10]:Object`` -- MemoryIndirect;
  its data type is the access size; base/index are VReg or Reg operands with
  their own types; ``scale`` is log2 of the multiplier (operand.h:21-86).
* :class:`Mem` ``[0x5501a00000]:64bit`` -- an absolute address.
* :class:`Stack` ``[X29(-144)]:64bit`` -- an FP-relative stack slot.
* :class:`Label` ``BB%39`` -- a block target (no data type).
* :class:`NoneOperand` ``<!!!None!!!>:Object`` -- an unset operand.
"""

from __future__ import annotations

from typing import Dict, Iterator, List, Optional, Sequence, Union

from .ops import OPS, Condition, MemoryOrder, print_name

DATA_TYPES = ("8bit", "16bit", "32bit", "64bit", "Double", "Object", "ObjectUntagged")
BIT_SIZE = {"8bit": 8, "16bit": 16, "32bit": 32, "64bit": 64, "Double": 64,
            "Object": 64, "ObjectUntagged": 64}     # type.cpp:10

REG_SP = 0xFFFF
REG_ZR = 31


def _reg_names() -> Dict[str, int]:
    names = {}
    for i in range(31):
        names[f"X{i}"] = i
        names[f"W{i}"] = i
    names["XZR"] = names["WZR"] = REG_ZR
    for i in range(32):
        names[f"D{i}"] = 32 + i
    names["SP"] = REG_SP
    return names


REG_NAMES: Dict[str, int] = _reg_names()


class Operand:
    """Base class of all operand kinds.  ``kind`` is one letter: v r s m i k l n."""
    __slots__ = ("dtype", "_text")
    kind = "?"

    def __str__(self) -> str:
        t = self._text
        if t is None:
            t = self._text = self._format()
        return t

    def __repr__(self) -> str:
        return f"{type(self).__name__}({str(self)!r})"

    def __eq__(self, other) -> bool:
        return type(other) is type(self) and str(other) == str(self)

    def __hash__(self) -> int:
        return hash((type(self).__name__, str(self)))

    @property
    def bits(self) -> int:
        return BIT_SIZE[self.dtype]

    def _format(self) -> str:  # pragma: no cover - abstract
        raise NotImplementedError


class VReg(Operand):
    __slots__ = ("id",)
    kind = "v"

    def __init__(self, id: int, dtype: str = "Object", _text: Optional[str] = None):
        self.id, self.dtype, self._text = id, dtype, _text

    def _format(self) -> str:
        return f"%{self.id}:{self.dtype}"


class Reg(Operand):
    __slots__ = ("name", "num")
    kind = "r"

    def __init__(self, name: str, dtype: str = "Object", _text: Optional[str] = None):
        self.name, self.dtype, self._text = name, dtype, _text
        self.num = REG_NAMES[name]

    @property
    def is_fp(self) -> bool:
        return 32 <= self.num < 64

    @property
    def is_gp(self) -> bool:
        return self.num < 32

    @property
    def is_w(self) -> bool:
        """Printed with its 32-bit name (W0, WZR)."""
        return self.name[0] == "W"

    @property
    def is_sp(self) -> bool:
        return self.num == REG_SP

    @property
    def is_zr(self) -> bool:
        return self.num == REG_ZR

    def _format(self) -> str:
        return f"{self.name}:{self.dtype}"


class Imm(Operand):
    __slots__ = ("value",)
    kind = "k"

    def __init__(self, value: int, dtype: str = "64bit", _text: Optional[str] = None):
        if not 0 <= value < 1 << 64:
            value &= (1 << 64) - 1
        self.value, self.dtype, self._text = value, dtype, _text

    @property
    def signed(self) -> int:
        v = self.value
        return v - (1 << 64) if v >> 63 else v

    def _format(self) -> str:
        return f"{self.value}({self.value:#x}):{self.dtype}"


class Mem(Operand):
    __slots__ = ("address",)
    kind = "m"

    def __init__(self, address: int, dtype: str = "Object", _text: Optional[str] = None):
        self.address, self.dtype, self._text = address, dtype, _text

    def _format(self) -> str:
        return f"[{self.address:#x}]:{self.dtype}"


class Stack(Operand):
    __slots__ = ("offset",)
    kind = "s"

    def __init__(self, offset: int, dtype: str = "Object", _text: Optional[str] = None):
        self.offset, self.dtype, self._text = offset, dtype, _text

    def _format(self) -> str:
        return f"[X29({self.offset})]:{self.dtype}"


class Ind(Operand):
    __slots__ = ("base", "index", "scale", "offset")
    kind = "i"

    def __init__(self, base: Union[VReg, Reg], index: Optional[Union[VReg, Reg]] = None,
                 scale: int = 0, offset: int = 0, dtype: str = "Object",
                 _text: Optional[str] = None):
        self.base, self.index, self.scale, self.offset = base, index, scale, offset
        self.dtype, self._text = dtype, _text

    def _format(self) -> str:
        s = f"[{self.base}"
        if self.index is not None:
            s += f" + {self.index}"
            if self.scale > 0:
                s += f" * {1 << self.scale}"
        if self.offset > 0:
            s += f" + {self.offset:#x}"
        elif self.offset < 0:
            s += f" - {-self.offset:#x}"
        return s + f"]:{self.dtype}"


class Label(Operand):
    __slots__ = ("block",)
    kind = "l"

    def __init__(self, block: int, _text: Optional[str] = None):
        self.block, self.dtype, self._text = block, None, _text

    def _format(self) -> str:
        return f"BB%{self.block}"


class NoneOperand(Operand):
    __slots__ = ()
    kind = "n"

    def __init__(self, dtype: str = "Object", _text: Optional[str] = None):
        self.dtype, self._text = dtype, _text

    def _format(self) -> str:
        return f"<!!!None!!!>:{self.dtype}"


class Origin:
    """The HIR instruction a run of LIR came from, as the ``# `` comment lines
    CinderX printed for it (``printer.cpp:57-66``).  ``lines`` are the raw
    lines, including continuation lines of string constants with embedded
    newlines (they do not start with ``#``)."""
    __slots__ = ("lines",)

    def __init__(self, lines: Sequence[str]):
        self.lines = list(lines)

    @property
    def text(self) -> str:
        return "\n".join(self.lines)

    @property
    def hir(self) -> str:
        """The HIR text with the ``# `` prefixes removed from prefixed lines."""
        lines = self.lines
        j = "\n".join(lines)
        # when no line holds a "\n", "\n# " occurs only where a line starts with "# "
        n = len(lines) - 1
        if j.startswith("# ") and j.count("\n# ") == n and j.count("\n") == n:
            return j[2:].replace("\n# ", "\n")       # every line prefixed (the usual case)
        return "\n".join(l[2:] if l.startswith("# ") else l for l in lines)

    def __repr__(self) -> str:
        return f"Origin({self.lines[0]!r}{', ...' if len(self.lines) > 1 else ''})"


class Instruction:
    """One LIR instruction.  ``opcode`` is the enum name (``"BranchCC"``,
    ``"Compare"``, ``"Load"``...); ``cond`` / ``mem_order`` are set for the
    opcodes carrying them.  For Phi, ``inputs`` are the values and
    ``phi_blocks`` the predecessor block ids, pairwise."""
    __slots__ = ("opcode", "output", "inputs", "cond", "mem_order", "origin",
                 "phi_blocks", "line")

    def __init__(self, opcode: str, output: Optional[Operand] = None,
                 inputs: Optional[List[Operand]] = None, cond: Optional[Condition] = None,
                 mem_order: Optional[MemoryOrder] = None, origin: Optional[Origin] = None,
                 phi_blocks: Optional[List[int]] = None, line: Optional[int] = None):
        if opcode not in OPS:
            raise ValueError(f"unknown LIR opcode {opcode!r}")
        if opcode in ("Load", "Store") and mem_order is None:
            mem_order = MemoryOrder.None_
        self.opcode = opcode
        self.output = output
        self.inputs = inputs if inputs is not None else []
        self.cond = cond
        self.mem_order = mem_order
        self.origin = origin
        self.phi_blocks = phi_blocks
        self.line = line            # 1-based line in the parsed text, if parsed

    @property
    def name(self) -> str:
        """The print name (BranchNE, LessThanSigned, LoadRelaxed...)."""
        return print_name(self.opcode, self.cond, self.mem_order)

    @property
    def info(self):
        return OPS[self.opcode]

    def __repr__(self) -> str:
        from .printer import format_instruction
        return f"<Instruction {format_instruction(self).strip()}>"


class BasicBlock:
    """``BB %id - preds: ... - succs: ... [- section: .coldtext]``."""
    __slots__ = ("id", "preds", "succs", "section", "instructions", "line")

    def __init__(self, id: int, preds: Optional[List[int]] = None,
                 succs: Optional[List[int]] = None, section: Optional[str] = None,
                 instructions: Optional[List[Instruction]] = None, line: Optional[int] = None):
        self.id = id
        self.preds = preds if preds is not None else []
        self.succs = succs if succs is not None else []
        self.section = section      # None = hot (.text, not printed)
        self.instructions = instructions if instructions is not None else []
        self.line = line

    @property
    def origins(self) -> Iterator[Origin]:
        """The distinct HIR origins of this block's instructions, in order."""
        prev = None
        for ins in self.instructions:
            if ins.origin is not None and ins.origin is not prev:
                yield ins.origin
            prev = ins.origin

    def __repr__(self) -> str:
        return f"<BasicBlock %{self.id}: {len(self.instructions)} instructions>"


class Function:
    """A parsed LIR function.  ``header`` is the ``JIT: ...`` line if there was
    one (then ``name``/``stage`` come from it)."""
    __slots__ = ("blocks", "header", "name", "stage", "_by_id")

    def __init__(self, blocks: Optional[List[BasicBlock]] = None, header: Optional[str] = None,
                 name: Optional[str] = None, stage: Optional[str] = None):
        self.blocks = blocks if blocks is not None else []
        self.header, self.name, self.stage = header, name, stage
        self._by_id = None

    def block(self, id: int) -> BasicBlock:
        if self._by_id is None or len(self._by_id) != len(self.blocks):
            self._by_id = {b.id: b for b in self.blocks}
        return self._by_id[id]

    def instructions(self) -> Iterator[Instruction]:
        for b in self.blocks:
            yield from b.instructions

    def __repr__(self) -> str:
        return f"<Function {self.name or ''} {self.stage or ''}: {len(self.blocks)} blocks>"

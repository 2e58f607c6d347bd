"""A64 operands: registers, conditions, shifts, extends, memory operands.

Register number 31 is the stack pointer in some encodings and the zero
register in others (Arm ARM C1.2.5, "Register names").  The two are distinct
objects here (``SP``/``WSP`` versus ``XZR``/``WZR``) and every encoder states
which one its field accepts, through :func:`gp_field`.  Passing the wrong one
raises :class:`EncodingError` instead of silently encoding 31.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from typing import Optional, Union

from .errors import EncodingError


# --------------------------------------------------------------------------
# General-purpose registers
# --------------------------------------------------------------------------


@dataclass(frozen=True)
class GpReg:
    """A general-purpose register operand.

    ``num`` is 0..31, ``size`` is 32 (W) or 64 (X).  ``num == 31`` is SP/WSP
    when ``is_sp`` is true and XZR/WZR otherwise.
    """

    num: int
    size: int
    is_sp: bool = False

    def __post_init__(self):
        if not 0 <= self.num <= 31:
            raise ValueError(f"GP register number {self.num} out of range 0..31")
        if self.size not in (32, 64):
            raise ValueError(f"GP register size {self.size} is not 32 or 64")
        if self.is_sp and self.num != 31:
            raise ValueError("only register 31 can be SP")

    @property
    def is_zr(self) -> bool:
        return self.num == 31 and not self.is_sp

    @property
    def sf(self) -> int:
        """The ``sf`` bit of data-processing encodings: 1 for X, 0 for W."""
        return 1 if self.size == 64 else 0

    @property
    def x(self) -> "GpReg":
        """The 64-bit view of this register."""
        return GpReg(self.num, 64, self.is_sp)

    @property
    def w(self) -> "GpReg":
        """The 32-bit view of this register."""
        return GpReg(self.num, 32, self.is_sp)

    @property
    def name(self) -> str:
        if self.num == 31:
            if self.is_sp:
                return "sp" if self.size == 64 else "wsp"
            return "xzr" if self.size == 64 else "wzr"
        return f"{'x' if self.size == 64 else 'w'}{self.num}"

    def __str__(self) -> str:
        return self.name

    def __repr__(self) -> str:
        return self.name


X = [GpReg(i, 64) for i in range(31)]
W = [GpReg(i, 32) for i in range(31)]
XZR = GpReg(31, 64)
WZR = GpReg(31, 32)
SP = GpReg(31, 64, is_sp=True)
WSP = GpReg(31, 32, is_sp=True)

(x0, x1, x2, x3, x4, x5, x6, x7, x8, x9, x10, x11, x12, x13, x14, x15, x16,
 x17, x18, x19, x20, x21, x22, x23, x24, x25, x26, x27, x28, x29, x30) = X
(w0, w1, w2, w3, w4, w5, w6, w7, w8, w9, w10, w11, w12, w13, w14, w15, w16,
 w17, w18, w19, w20, w21, w22, w23, w24, w25, w26, w27, w28, w29, w30) = W
xzr, wzr, sp, wsp = XZR, WZR, SP, WSP
fp, lr = x29, x30


def gp_field(mnemonic: str, operand: str, reg, *, sp: bool = False, zr: bool = True,
             size: Optional[int] = None) -> int:
    """Return the 5-bit field for ``reg``, checking what the field accepts.

    ``sp``: register 31 in this field means SP (so SP is legal and ZR is not).
    ``zr``: when ``sp`` is false, whether ZR is legal (it nearly always is).
    ``size``: if given, the register must have this width.
    """
    if not isinstance(reg, GpReg):
        raise EncodingError(mnemonic, operand, reg, "a general-purpose register")
    if size is not None and reg.size != size:
        want = "an X register" if size == 64 else "a W register"
        raise EncodingError(mnemonic, operand, reg, want)
    if reg.num == 31:
        if sp and not reg.is_sp:
            raise EncodingError(mnemonic, operand, reg,
                                "x0-x30 or sp (register 31 means SP here, not ZR)")
        if not sp and reg.is_sp:
            raise EncodingError(mnemonic, operand, reg,
                                "x0-x30 or xzr (register 31 means ZR here, not SP)"
                                if zr else "x0-x30")
        if not sp and not zr:
            raise EncodingError(mnemonic, operand, reg, "x0-x30 (not the zero register)")
    return reg.num


def same_size(mnemonic: str, **regs) -> int:
    """Check that all named GP registers have one width; return it."""
    sizes = {name: r.size for name, r in regs.items() if isinstance(r, GpReg)}
    if len(set(sizes.values())) > 1:
        first = next(iter(sizes))
        for name, s in sizes.items():
            if s != sizes[first]:
                raise EncodingError(mnemonic, name, regs[name],
                                    f"a register of the same width as {first} ({regs[first]})")
    return next(iter(sizes.values()))


# --------------------------------------------------------------------------
# Floating-point / SIMD registers
# --------------------------------------------------------------------------


@dataclass(frozen=True)
class FpReg:
    """A scalar FP/SIMD register: ``size`` 16 (H), 32 (S), 64 (D) or 128 (Q)."""

    num: int
    size: int

    def __post_init__(self):
        if not 0 <= self.num <= 31:
            raise ValueError(f"FP register number {self.num} out of range 0..31")
        if self.size not in (8, 16, 32, 64, 128):
            raise ValueError(f"FP register size {self.size} invalid")

    @property
    def name(self) -> str:
        return f"{ {8: 'b', 16: 'h', 32: 's', 64: 'd', 128: 'q'}[self.size] }{self.num}"

    def __str__(self) -> str:
        return self.name

    def __repr__(self) -> str:
        return self.name


D = [FpReg(i, 64) for i in range(32)]
S = [FpReg(i, 32) for i in range(32)]
H = [FpReg(i, 16) for i in range(32)]
Q = [FpReg(i, 128) for i in range(32)]


def fp_field(mnemonic: str, operand: str, reg, *, sizes=(32, 64)) -> int:
    if not isinstance(reg, FpReg):
        raise EncodingError(mnemonic, operand, reg, "an FP register")
    if reg.size not in sizes:
        names = {8: "B", 16: "H", 32: "S", 64: "D", 128: "Q"}
        raise EncodingError(mnemonic, operand, reg,
                            "/".join(names[s] for s in sizes) + " register")
    return reg.num


# --------------------------------------------------------------------------
# Conditions, shifts, extends
# --------------------------------------------------------------------------


class Cond(enum.IntEnum):
    """Condition codes (Arm ARM C1.2.4, Table C1-1)."""

    EQ = 0
    NE = 1
    HS = 2
    LO = 3
    MI = 4
    PL = 5
    VS = 6
    VC = 7
    HI = 8
    LS = 9
    GE = 10
    LT = 11
    GT = 12
    LE = 13
    AL = 14
    NV = 15

    CS = 2
    CC = 3

    def invert(self) -> "Cond":
        """The opposite condition (flip bit 0); AL/NV have no opposite."""
        if self >= Cond.AL:
            raise EncodingError("cond", "cond", self.name.lower(), "eq..le (not al/nv)")
        return Cond(self ^ 1)

    @property
    def text(self) -> str:
        return self.name.lower()


class Shift(enum.IntEnum):
    """Shift types of shifted-register forms (Arm ARM C6.2, ``shift`` field)."""

    LSL = 0
    LSR = 1
    ASR = 2
    ROR = 3


class Extend(enum.IntEnum):
    """Extend types of extended-register forms (``option`` field)."""

    UXTB = 0
    UXTH = 1
    UXTW = 2
    UXTX = 3
    SXTB = 4
    SXTH = 5
    SXTW = 6
    SXTX = 7


# --------------------------------------------------------------------------
# Memory operands
# --------------------------------------------------------------------------


class AddrMode(enum.Enum):
    OFFSET = "offset"   # [base, #imm]
    PRE = "pre"         # [base, #imm]!
    POST = "post"       # [base], #imm


@dataclass(frozen=True)
class Mem:
    """A memory operand.

    Immediate forms: ``Mem(base, offset, mode)``.  Register-offset form:
    ``Mem(base, index=reg, extend=Extend.UXTW|SXTW|UXTX(=LSL)|SXTX, shift=n)``
    where ``shift`` is the ``#amount`` written after the extend (0 or the log2 of
    the access size) and ``shift is None`` means no amount was written.
    """

    base: GpReg
    offset: int = 0
    mode: AddrMode = AddrMode.OFFSET
    index: Optional[GpReg] = None
    extend: Extend = Extend.UXTX
    shift: Optional[int] = None

    def __str__(self) -> str:
        if self.index is not None:
            ext = "lsl" if self.extend == Extend.UXTX else self.extend.name.lower()
            if self.shift is None:
                tail = "" if ext == "lsl" else f", {ext}"
            else:
                tail = f", {ext} #{self.shift}"
            return f"[{self.base}, {self.index}{tail}]"
        if self.mode is AddrMode.POST:
            return f"[{self.base}], #{self.offset}"
        if self.mode is AddrMode.PRE:
            # "[x4]!" is not accepted by GNU as: a pre-index always shows its offset.
            return f"[{self.base}, #{self.offset}]!"
        return f"[{self.base}, #{self.offset}]" if self.offset else f"[{self.base}]"


def mem(base: GpReg, offset: int = 0) -> Mem:
    return Mem(base, offset)


def pre(base: GpReg, offset: int) -> Mem:
    return Mem(base, offset, AddrMode.PRE)


def post(base: GpReg, offset: int) -> Mem:
    return Mem(base, offset, AddrMode.POST)


def check_range(mnemonic: str, operand: str, value: int, lo: int, hi: int,
                multiple: int = 1) -> int:
    """Raise EncodingError unless lo <= value <= hi and value % multiple == 0."""
    if not isinstance(value, int) or isinstance(value, bool):
        raise EncodingError(mnemonic, operand, value, "an integer")
    if not lo <= value <= hi or value % multiple:
        legal = f"{lo}..{hi}"
        if multiple != 1:
            legal += f", a multiple of {multiple}"
        raise EncodingError(mnemonic, operand, value, legal)
    return value


RegOrImm = Union[GpReg, int]

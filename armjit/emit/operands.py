"""A64 operands: registers, conditions, shifts, extends, memory operands.

Register number 31 is the stack pointer in some encodings and the zero
register in others (Arm ARM C1.2.5, "Register names").  The two are distinct
objects here (``SP``/``WSP`` versus ``XZR``/``WZR``) and every encoder states
which one its field accepts, through :func:`gp_field`.  Passing the wrong one
raises :class:`EncodingError` instead of silently encoding 31.
"""

from __future__ import annotations

import enum
from collections import namedtuple
from dataclasses import FrozenInstanceError
from typing import Optional

from .errors import EncodingError


# --------------------------------------------------------------------------
# General-purpose registers
# --------------------------------------------------------------------------


def _frozen_setattr(self, name, value):
    raise FrozenInstanceError(f"cannot assign to field {name!r}")


def _frozen_delattr(self, name):
    raise FrozenInstanceError(f"cannot delete field {name!r}")


_GP_INTERN: dict = {}

#: Field value meaning "not encodable in this kind of field" (every legal
#: field value is < 32, so ``f < 32`` is the whole legality test).
_BAD = 32


class GpReg:
    """A general-purpose register operand.

    ``num`` is 0..31, ``size`` is 32 (W) or 64 (X).  ``num == 31`` is SP/WSP
    when ``is_sp`` is true and XZR/WZR otherwise.

    Registers are immutable and interned: ``GpReg(0, 64) is x0``, so equality
    and hashing by value are the identity ones (fast); ``.x``/``.w`` are the
    64-/32-bit views, ``.sf`` the sf bit, ``.is_zr`` register 31 as ZR.  Each register carries
    precomputed field values for the encoders' fast paths: ``_f_zr`` (the
    5-bit field where 31 means ZR), ``_f_sp`` (where 31 means SP) and
    ``_f_nz`` (where register 31 is not allowed), ``_f_base`` (a load/store
    base: X0-X30 or SP); ``_BAD`` (32) when illegal.  ``_sfb``, ``_n5`` and
    ``_m16`` are ``sf << 31``, ``num << 5`` and ``num << 16`` (to be used only
    after the legality test).
    """

    __slots__ = ("num", "size", "is_sp", "is_zr", "sf", "name", "x", "w",
                 "_f_zr", "_f_sp", "_f_nz", "_f_base", "_sfb", "_n5", "_m16", "_key")

    def __new__(cls, num: int, size: int, is_sp: bool = False):
        try:
            r = _GP_INTERN.get((num, size, is_sp))
        except TypeError:
            r = None
        if r is not None:
            return r
        if not isinstance(num, int) or isinstance(num, bool) or not 0 <= num <= 31:
            raise ValueError(f"GP register number {num!r} is not an integer 0..31")
        if size not in (32, 64) or isinstance(size, bool):
            raise ValueError(f"GP register size {size!r} is not 32 or 64")
        if is_sp and num != 31:
            raise ValueError("only register 31 can be SP")
        num, size, is_sp = int(num), int(size), bool(is_sp)
        r = _GP_INTERN.get((num, size, is_sp))
        if r is not None:
            return r
        self = object.__new__(cls)
        st = object.__setattr__
        st(self, "num", num)
        st(self, "size", size)
        st(self, "is_sp", is_sp)
        st(self, "is_zr", num == 31 and not is_sp)
        st(self, "sf", 1 if size == 64 else 0)   # the sf bit: 1 for X, 0 for W
        if num == 31:
            name = ("sp" if size == 64 else "wsp") if is_sp else ("xzr" if size == 64 else "wzr")
        else:
            name = f"{'x' if size == 64 else 'w'}{num}"
        st(self, "name", name)
        st(self, "_f_zr", _BAD if is_sp else num)
        st(self, "_f_sp", _BAD if num == 31 and not is_sp else num)
        st(self, "_f_nz", _BAD if num == 31 else num)
        # a load/store base: an X register or SP
        st(self, "_f_base", num if size == 64 and (num < 31 or is_sp) else _BAD)
        # the register's bits at the usual places: sf (31), Rn (9:5), Rm (20:16)
        st(self, "_sfb", (1 if size == 64 else 0) << 31)
        st(self, "_n5", num << 5)
        st(self, "_m16", num << 16)
        st(self, "_key", (num, size, is_sp))
        _GP_INTERN[(num, size, is_sp)] = self
        # .x / .w: the 64-/32-bit views (filled in once both exist)
        other = _GP_INTERN.get((num, 96 - size, is_sp))
        if other is not None:
            st(self, "x" if size == 32 else "w", other)
            st(other, "x" if other.size == 32 else "w", self)
        st(self, "x" if size == 64 else "w", self)
        return self

    __setattr__ = _frozen_setattr
    __delattr__ = _frozen_delattr

    def __reduce__(self):
        return (GpReg, self._key)

    def __copy__(self):
        return self

    def __deepcopy__(self, memo):
        return self

    # Interned: equality and hashing by value are the identity ones (object's,
    # C-level and fast).  Subclasses would break that, so there are none.
    def __init_subclass__(cls, **kw):
        raise TypeError("GpReg cannot be subclassed (registers are interned)")

    def __str__(self) -> str:
        return self.name

    def __repr__(self) -> str:
        return self.name


for _n in range(32):
    for _s in (64, 32):
        GpReg(_n, _s)
GpReg(31, 64, True)
GpReg(31, 32, True)
del _n, _s

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
    # The one check: the precomputed field value of an interned register is
    # < 32 exactly when the register is legal in this kind of field.
    if reg.__class__ is GpReg and (size is None or reg.size == size):
        f = reg._f_sp if sp else (reg._f_zr if zr else reg._f_nz)
        if f < 32:
            return f
    raise _explain_gp_field(mnemonic, operand, reg, sp, zr, size)


def _explain_gp_field(mnemonic, operand, reg, sp, zr, size) -> EncodingError:
    """Raise why :func:`gp_field` refused ``reg``: not a GP register, not of
    ``size``, or register 31 (the only one with an illegal field value) in a
    role this field does not give it (C1.2.5: 31 is SP in some fields, ZR in
    the others)."""
    if reg.__class__ is not GpReg:
        raise EncodingError(mnemonic, operand, reg, "a general-purpose register")
    if size is not None and reg.size != size:
        raise EncodingError(mnemonic, operand, reg,
                            "an X register" if size == 64 else "a W register")
    if sp:
        raise EncodingError(mnemonic, operand, reg,
                            "x0-x30 or sp (register 31 means SP here, not ZR)")
    if reg.is_sp:
        raise EncodingError(mnemonic, operand, reg,
                            "x0-x30 or xzr (register 31 means ZR here, not SP)"
                            if zr else "x0-x30")
    raise EncodingError(mnemonic, operand, reg, "x0-x30 (not the zero register)")


def same_size(mnemonic: str, n1: str, r1: GpReg, n2: str, r2: GpReg,
              n3: Optional[str] = None, r3: Optional[GpReg] = None,
              n4: Optional[str] = None, r4: Optional[GpReg] = None) -> int:
    """The one width of two to four GP registers (each already accepted by
    :func:`gp_field`), given with their operand names for the error: an
    EncodingError names the first register whose width is not ``r1``'s."""
    size = r1.size
    if r2.size == size and (r3 is None or r3.size == size) and (r4 is None or r4.size == size):
        return size
    raise _explain_same_size(mnemonic, n1, r1, ((n2, r2), (n3, r3), (n4, r4)))


def _explain_same_size(mnemonic, n1, r1, named) -> EncodingError:
    """Raise for the first of ``named`` whose width is not ``r1``'s."""
    name, reg = next((n, r) for n, r in named if r is not None and r.size != r1.size)
    raise EncodingError(mnemonic, name, reg, f"a register of the same width as {n1} ({r1})")


# --------------------------------------------------------------------------
# Floating-point / SIMD registers
# --------------------------------------------------------------------------


_FP_INTERN: dict = {}
_FP_PREFIX = {8: "b", 16: "h", 32: "s", 64: "d", 128: "q"}


class FpReg:
    """A scalar FP/SIMD register: ``size`` 8 (B), 16 (H), 32 (S), 64 (D) or 128 (Q).

    Immutable and interned like :class:`GpReg` (``FpReg(0, 64) is D[0]``).
    ``_f_zr``/``_f_sp``/``_f_nz`` are ``_BAD``: an FP register is never legal
    in a general-purpose register field (the encoders' fast paths rely on it).
    """

    __slots__ = ("num", "size", "name", "_f_zr", "_f_sp", "_f_nz", "_key")

    def __new__(cls, num: int, size: int):
        try:
            r = _FP_INTERN.get((num, size))
        except TypeError:
            r = None
        if r is not None:
            return r
        if not isinstance(num, int) or isinstance(num, bool) or not 0 <= num <= 31:
            raise ValueError(f"FP register number {num!r} is not an integer 0..31")
        if size not in (8, 16, 32, 64, 128) or isinstance(size, bool):
            raise ValueError(f"FP register size {size!r} invalid")
        num, size = int(num), int(size)
        r = _FP_INTERN.get((num, size))
        if r is not None:
            return r
        self = object.__new__(cls)
        st = object.__setattr__
        st(self, "num", num)
        st(self, "size", size)
        st(self, "name", f"{_FP_PREFIX[size]}{num}")
        st(self, "_f_zr", _BAD)
        st(self, "_f_sp", _BAD)
        st(self, "_f_nz", _BAD)
        st(self, "_key", (num, size))
        _FP_INTERN[(num, size)] = self
        return self

    __setattr__ = _frozen_setattr
    __delattr__ = _frozen_delattr

    def __reduce__(self):
        return (FpReg, self._key)

    def __copy__(self):
        return self

    def __deepcopy__(self, memo):
        return self

    # Interned: equality and hashing by value are the identity ones (object's,
    # C-level and fast).  Subclasses would break that, so there are none.
    def __init_subclass__(cls, **kw):
        raise TypeError("FpReg cannot be subclassed (registers are interned)")

    def __str__(self) -> str:
        return self.name

    def __repr__(self) -> str:
        return self.name


for _n in range(32):
    for _s in (8, 16, 32, 64, 128):
        FpReg(_n, _s)
del _n, _s

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


_MemFields = namedtuple("_MemFields", "base offset mode index extend shift")
_tuple_new = tuple.__new__
_OFFSET = AddrMode.OFFSET
_PRE = AddrMode.PRE
_POST = AddrMode.POST
_UXTX = Extend.UXTX


class Mem(_MemFields):
    """A memory operand.

    Immediate forms: ``Mem(base, offset, mode)``.  Register-offset form:
    ``Mem(base, index=reg, extend=Extend.UXTW|SXTW|UXTX(=LSL)|SXTX, shift=n)``
    where ``shift`` is the ``#amount`` written after the extend (0 or the log2 of
    the access size) and ``shift is None`` means no amount was written.

    Immutable (a tuple underneath: one C-level allocation, no per-field
    ``__setattr__``); equal and hashed by value, and only equal to another Mem.
    """

    __slots__ = ()

    def __new__(cls, base: GpReg, offset: int = 0, mode: AddrMode = _OFFSET,
                index: Optional[GpReg] = None, extend: Extend = _UXTX,
                shift: Optional[int] = None):
        return _tuple_new(cls, (base, offset, mode, index, extend, shift))

    def __eq__(self, other):
        # Only a Mem equals a Mem (a plain tuple of the same fields does not).
        return isinstance(other, Mem) and tuple.__eq__(self, other)

    def __ne__(self, other):
        return not (isinstance(other, Mem) and tuple.__eq__(self, other))

    __hash__ = tuple.__hash__

    def __repr__(self) -> str:
        return (f"Mem(base={self.base!r}, offset={self.offset!r}, mode={self.mode!r}, "
                f"index={self.index!r}, extend={self.extend!r}, shift={self.shift!r})")

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
    """``[base, #offset]`` (validated by the encoder that uses it)."""
    return _tuple_new(Mem, (base, offset, _OFFSET, None, _UXTX, None))


def pre(base: GpReg, offset: int) -> Mem:
    """``[base, #offset]!`` (pre-index)."""
    return _tuple_new(Mem, (base, offset, _PRE, None, _UXTX, None))


def post(base: GpReg, offset: int) -> Mem:
    """``[base], #offset`` (post-index)."""
    return _tuple_new(Mem, (base, offset, _POST, None, _UXTX, None))


def check_range(mnemonic: str, operand: str, value: int, lo: int, hi: int,
                multiple: int = 1) -> int:
    """``value`` when it is an integer (not a bool) in lo..hi and a multiple
    of ``multiple``; else the EncodingError naming the legal range."""
    if ((value.__class__ is int or isinstance(value, int) and value.__class__ is not bool)
            and lo <= value <= hi and not value % multiple):
        return value
    raise _explain_range(mnemonic, operand, value, lo, hi, multiple)


def _explain_range(mnemonic, operand, value, lo, hi, multiple) -> EncodingError:
    """Raise why :func:`check_range` refused ``value``."""
    if not isinstance(value, int) or isinstance(value, bool):
        raise EncodingError(mnemonic, operand, value, "an integer")
    raise EncodingError(mnemonic, operand, value,
                        f"{lo}..{hi}" + (f", a multiple of {multiple}" if multiple != 1 else ""))

"""Differential tests: Hypothesis-drawn post-alloc LIR fragments, lowered by
armjit (armjit.verify.fragment) and run in Unicorn, must end in the state the
LIR reference interpreter (armjit.lir.interp) computes from the same start.

The generator writes CinderX's own text syntax (printer.cpp layout) and the
fragment is read back with armjit.lir.parse and checked with armjit.lir.verify
(stage postalloc), so it cannot drift from the format.  Shapes are restricted
to what ``Jit/codegen/autogen.cpp`` (aarch64) accepts, cited per op below:
register width classes agree where asmjit needs it (W with W, X with X),
Add/Sub immediates pass isAddSubImm (l.2287), And/Or/Xor immediates are
logical immediates at the output width (l.2330), shifts are 32/64-bit
(getReg, l.94-123), MulAdd is 32/64-bit (getGp), sub-word Moves are 32-bit
(rewriteSubWordRegMoves), Sext from 32 bits goes to 64 (l.2190), StorePair
immediates are 0, LoadPair destinations differ.

Registers: every allocatable GP register may appear -- X0-X12, X15, X17-X28
(X12 and X17 included; aarch64.h:177-179 disallows X13, X14, X16, X29, X30);
D0-D15, D18-D31.  A fixed set of "pointer" registers is only read (memory
bases and indexes, 64-bit sources), so every memory operand's address is made
to land in a mapped window: the data window, or the stack window around X29
(slots down to [X29(-49152)], beyond imm9/imm12 reach).

Compared after the run: X0-X30 and SP except the scratch registers X13, X14,
X16 (X16 also carries the exit marker), D0-D31 except D16/D17, NZCV when the
last LIR flag writer executed defines it (Cmp, Compare, Test, Test32, Inc,
Dec, Select) or nothing wrote flags, both memory windows byte for byte, and
the block the fragment left from (the branch taken).
"""

from __future__ import annotations

import random
import struct

import pytest
from hypothesis import HealthCheck, assume, example, given, settings
from hypothesis import strategies as st

import armjit.lir as L
from armjit.codegen.abi import NEVER_ALLOCATED_FP, NEVER_ALLOCATED_GP, SCRATCH_GP
from armjit.codegen.lower import LoweringError
from armjit.emit.immediates import is_add_sub_imm
from armjit.lir.interp import InterpError, Interpreter, Machine
from armjit.lir.ops import Condition, writes_flags
from armjit.verify.fragment import DEOPT_MARK, FragmentError, as_function, lower_fragment

unicorn = pytest.importorskip("unicorn")
from unicorn import arm64_const as U  # noqa: E402

M64 = (1 << 64) - 1
CODE_BASE = 0x10000
CODE_SIZE = 0x10000
DATA_BASE = 0x100000
DATA_SIZE = 0x4000
STACK_LO = 0x200000
STACK_SIZE = 0x10000
FP = STACK_LO + 0xC000              # X29: slots [X29(-49152)] .. [X29(+16383)]
SP_INIT = STACK_LO + 0x8000
FRAME = FP - STACK_LO               # SP = X29 - FRAME when the lowering knows SP (sp_delta)

GP_ALLOC = [r for r in range(29) if r not in NEVER_ALLOCATED_GP]
D_ALLOC = [r for r in range(32) if r not in NEVER_ALLOCATED_FP]
W_DTS = ("8bit", "16bit", "32bit")
X_DTS = ("64bit", "Object")
DEFINES_FLAGS = {"Cmp", "Compare", "Test", "Test32", "Inc", "Dec", "Select", "IntToBool"}

# ------------------------------------------------------------------ immediates

IMM_EDGES = [0, 1, 2, 4095, 4096, 4097, 0xFFF000, 0xFFF001, 0x1000000, 0x1000, 0x7FF,
             M64, M64 - 4094, M64 - 4095, M64 - 4096, 1 << 63, (1 << 63) - 1, (1 << 32) - 1,
             1 << 32, 1 << 31, 0xFF, 0xFFFF, 0xFF00, 0x5555555555555555, 0x00FF00FF00FF00FF,
             0xFFFFFFFF00000000, 0x0F0F0F0F, 0x12345, 0x123456789ABCDEF0, 0xDEADBEEF,
             0xFFFFF000, 0x80000000, 0x7FFFFFFF, 0xFFFFFFFFFFFF0000, 0x0000FFFF0000FFFF]
imm64 = st.one_of(st.sampled_from(IMM_EDGES), st.integers(0, M64),
                  st.integers(0, 0xFFFF).map(lambda v: v << 16))
imm32 = st.one_of(st.sampled_from([v for v in IMM_EDGES if v < 1 << 32]),
                  st.integers(0, (1 << 32) - 1))


def is_logical_imm(v: int, width: int) -> bool:
    """An A64 bitmask immediate at ``width`` (written here from the Arm ARM
    definition, independently of armjit.emit.immediates): a repeated element
    of 2..64 bits that is a rotated run of ones."""
    mask = (1 << width) - 1
    if v > mask or v == 0 or v == mask:
        return False
    e = width
    while e > 2:                     # the smallest period
        h = e // 2
        elem = v & ((1 << h) - 1)
        rep = 0
        for i in range(0, width, h):
            rep |= elem << i
        if rep != v:
            break
        e = h
    elem = v & ((1 << e) - 1)
    for r in range(e):               # some rotation is 0..01..1
        x = ((elem >> r) | (elem << (e - r))) & ((1 << e) - 1)
        if x & (x + 1) == 0:
            return True
    return False


STACK_OFFSETS = [-8, -16, -24, -40, -256, -264, -257, -255, -4096, -4104, -4095, -4097,
                 -32760, -32768, -32776, -40000, -40008, -49152 + 64, -1, -3, -7, 8, 16, 0x1000,
                 0x3FF8, -0x8008, -0xBFF0]
IND_OFFSETS = [8, 0x48, -8, -0x10, 1, 3, 7, 255, 256, -256, -257, 4095, 4096, 4097, 0x7FF8,
               0x8000, 0x8008, 0xFFF8, 0xFFF000, 0x1000000, -0x1000000, 0x7FFFFFF8,
               -0x80000000, 0x12345, -0x12345, 32760, 32768]
PAIR_OFFSETS = [0, 8, 16, -16, 504, 512, -512, -520, 496, 4, 12, 0x1000, -0x1000, 0x8000,
                0x12340, -40000]

DOUBLES = [0.0, -0.0, 1.0, -1.0, 2.5, -3.75, 1e308, -1e308, 5e-324, 2.2250738585072014e-308,
           float("inf"), float("-inf"), 0.1, 3.0, 1e-10, 123456789.0]
QNAN = 0x7FF8000000000000


def dbits(x: float) -> int:
    return struct.unpack("<Q", struct.pack("<d", x))[0]


# ------------------------------------------------------------------ text helpers

def greg(n: int, dt: str) -> str:
    return f"{'W' if dt in W_DTS else 'X'}{n}:{dt}"


def dreg(n: int) -> str:
    return f"D{n}:Double"


def imm(v: int, dt: str = "64bit") -> str:
    v &= M64
    return f"{v}({v:#x}):{dt}"


def line(out, name, ins=()) -> str:
    head = out.rjust(16) + " = " if out else " " * 19
    return head + name + (" " + ", ".join(ins) if ins else "")


# ------------------------------------------------------------------ the generator

class Gen:
    """Fragment generator state: register pools, pointer register values,
    what the flags hold."""

    def __init__(self, draw):
        self.draw = draw
        pool = draw(st.permutations(GP_ALLOC))
        nptr = draw(st.integers(3, 5))
        # X12 and X17 are ordinary allocatable registers: put them in often.
        if draw(st.booleans()):
            pool = [12, 17] + [r for r in pool if r not in (12, 17)]
        self.ptr = pool[-nptr:]
        self.val = pool[:draw(st.integers(4, 9))]
        self.dpool = draw(st.lists(st.sampled_from(D_ALLOC), min_size=2, max_size=5, unique=True))
        self.ptr_value = {}             # pointer register -> value
        self.flags = False              # flags defined by the last flag writer

    # -- registers
    def v(self, dt: str) -> str:
        return greg(self.draw(st.sampled_from(self.val)), dt)

    def vnum(self) -> int:
        return self.draw(st.sampled_from(self.val))

    def src(self, dt: str) -> str:
        """A register to read: a value register, or (64-bit) a pointer register."""
        if dt in X_DTS and self.draw(st.integers(0, 4)) == 0:
            return greg(self.draw(st.sampled_from(self.ptr)), dt)
        return self.v(dt)

    def d(self) -> str:
        return dreg(self.draw(st.sampled_from(self.dpool)))

    def wdt(self) -> str:
        return self.draw(st.sampled_from(W_DTS))

    def xdt(self) -> str:
        return self.draw(st.sampled_from(X_DTS))

    def cls(self, wide=None):
        """(dtype chooser) for a width class: W (8/16/32) or X (64/Object)."""
        if wide is None:
            wide = self.draw(st.booleans())
        return self.xdt if wide else self.wdt

    # -- memory operands landing in a window
    def _target(self, size: int) -> int:
        return DATA_BASE + self.draw(st.integers(0, DATA_SIZE - 16))

    def stack(self, dt: str) -> str:
        off = self.draw(st.one_of(st.sampled_from(STACK_OFFSETS),
                                  st.integers(-0xC000, 0x3FF0)))
        return f"[X29({off})]:{dt}"

    def absmem(self, dt: str) -> str:
        return f"[{self._target(8):#x}]:{dt}"

    def ind(self, dt: str) -> str:
        draw = self.draw
        if draw(st.integers(0, 5)) == 0:
            # the outgoing-argument area: [SP + off] (rewriteRegularFunction, postalloc.cpp:317)
            off = draw(st.sampled_from([0, 8, 0x10, 0x48, 0x1F8, 0x200, 0xFF8, 0x1000, 0x2FF8, 3]))
            return f"[SP:Object + {off:#x}]:{dt}" if off else f"[SP:Object]:{dt}"
        base = draw(st.sampled_from(self.ptr))
        index = None
        scale = 0
        if draw(st.integers(0, 2)) == 0:
            index = draw(st.sampled_from([r for r in self.ptr if r != base]))
            scale = draw(st.integers(0, 3))
            if index not in self.ptr_value:
                self.ptr_value[index] = draw(st.sampled_from([0, 1, 2, 7, 0x100, M64, M64 - 4]))
        t = self._target(8)
        iv = (self.ptr_value[index] << scale) if index is not None else 0
        if base not in self.ptr_value:
            off = draw(st.one_of(st.sampled_from(IND_OFFSETS), st.integers(-(1 << 31), (1 << 31) - 1),
                                 st.just(0)))
            self.ptr_value[base] = (t - off - iv) & M64
        else:
            off = (t - self.ptr_value[base] - iv) & M64
            off = off - (1 << 64) if off >> 63 else off
            if not -(1 << 31) <= off < (1 << 31):
                return self.stack(dt)
        s = f"[X{base}:Object"
        if index is not None:
            s += f" + X{index}:64bit" + (f" * {1 << scale}" if scale else "")
        if off > 0:
            s += f" + {off:#x}"
        elif off < 0:
            s += f" - {-off:#x}"
        return s + f"]:{dt}"

    def memop(self, dt: str, kinds="sim") -> str:
        k = self.draw(st.sampled_from(list(kinds)))
        return {"s": self.stack, "i": self.ind, "m": self.absmem}[k](dt)

    def pair_base(self):
        """(base register text, offset) for LoadPair/StorePair."""
        draw = self.draw
        if draw(st.booleans()):
            off = draw(st.sampled_from([o for o in STACK_OFFSETS + PAIR_OFFSETS
                                        if -0xC000 <= o <= 0x3FF0 - 16]))
            return "X29:64bit", off
        base = draw(st.sampled_from(self.ptr))
        t = self._target(16)
        if base not in self.ptr_value:
            off = draw(st.sampled_from(PAIR_OFFSETS))
            self.ptr_value[base] = (t - off) & M64
        else:
            off = (t - self.ptr_value[base]) & M64
            off = off - (1 << 64) if off >> 63 else off
            if not -(1 << 31) <= off < (1 << 31):
                return "X29:64bit", -16
        return greg(base, draw(st.sampled_from(X_DTS))), off


# Each op: gen(g) -> list of lines.  ``FLAG_OPS`` read the flags.

def op_move(g):
    draw = g.draw
    k = draw(st.sampled_from(range(8)))
    if k == 0:
        dt = g.xdt()
        return [line(g.v(dt), "Move", [g.src(g.xdt())])]
    if k == 1:
        return [line(g.v("32bit"), "Move", [g.v("32bit")])]
    if k == 2:
        return [line(g.v(g.xdt()), "Move", [imm(draw(imm64), draw(st.sampled_from(X_DTS)))])]
    if k == 3:
        return [line(g.v("32bit"), "Move", [imm(draw(imm32), draw(st.sampled_from(["32bit", "64bit"])))])]
    if k == 4:
        return [line(g.v(g.xdt()), "Move", ["XZR:64bit" if draw(st.booleans()) else imm(0)])]
    if k == 5:
        return [line(g.v("32bit"), "Move", ["WZR:32bit"])]
    if k == 6:
        return [line(g.d(), "Move", [draw(st.sampled_from([g.d(), g.src("64bit")]))])]
    return [line(g.v("64bit"), "Move", [g.d()])]


def op_load(g):
    draw = g.draw
    if draw(st.integers(0, 5)) == 0:
        out, dt = g.d(), "Double"
    else:
        dt = draw(st.sampled_from(W_DTS + X_DTS))
        out = g.v(dt)
    mdt = dt if draw(st.integers(0, 3)) else "Object"
    name = draw(st.sampled_from(["Load", "LoadRelaxed"]))
    return [line(out, name, [g.memop(mdt)])]


def op_store(g):
    draw = g.draw
    name = draw(st.sampled_from(["Store", "StoreRelaxed"]))
    k = draw(st.sampled_from(range(6)))
    if k == 0:
        return [line(g.memop("Double"), name, [g.d()])]
    dt = draw(st.sampled_from(W_DTS + X_DTS))
    if k == 1:
        v = draw(st.one_of(st.just(0), imm64 if dt in X_DTS else imm32))
        return [line(g.memop(dt), name, [imm(v)])]
    if k == 2:
        # absolute destination: the value register at its own width (autogen.cpp:2031)
        rdt = draw(st.sampled_from(["32bit", "64bit"]))
        return [line(g.absmem(rdt if draw(st.integers(0, 3)) else dt), name, [g.src(rdt) if rdt == "64bit" else g.v(rdt)])]
    return [line(g.memop(dt, "si"), name, [g.src(dt) if dt in X_DTS else g.v(dt)])]


def op_loadpair(g):
    base, off = g.pair_base()
    a, b = g.draw(st.lists(st.sampled_from(g.val), min_size=2, max_size=2, unique=True))
    return [line(greg(a, "64bit"), "LoadPair", [imm(off), base, greg(b, g.xdt())])]


def op_storepair(g):
    base, off = g.pair_base()
    vals = [imm(0) if g.draw(st.integers(0, 3)) == 0 else g.src(g.xdt()) for _ in range(2)]
    return [line("", "StorePair", [imm(off), base] + vals)]


def op_lea(g):
    draw = g.draw
    out = g.v(g.xdt())
    k = draw(st.integers(0, 2))
    src = g.stack("Object") if k == 0 else g.ind("Object") if k == 1 else g.absmem("Object")
    return [line(out, "Lea", [src])]


def _binop(g, name, imm_ok):
    draw = g.draw
    wide = draw(st.booleans())
    dts = g.cls(wide)
    width = 64 if wide else 32
    if draw(st.booleans()):
        b = None
        cands = [v for v in IMM_EDGES if imm_ok(v, width)]
        if cands:
            vv = draw(st.one_of(st.sampled_from(cands),
                                (imm64 if wide else imm32).filter(lambda v: imm_ok(v, width))))
            b = imm(vv)
    else:
        b = g.src(dts()) if wide else g.v(dts())
    if b is None:
        b = g.v(dts())
    if draw(st.booleans()):        # 2-address: input 0 is the destination
        return [line("", name, [g.v(dts()), b])]
    return [line(g.v(dts()), name, [g.src(dts()) if wide else g.v(dts()), b])]


def op_addsub(g):
    return _binop(g, g.draw(st.sampled_from(["Add", "Sub"])), lambda v, w: is_add_sub_imm(v))


def op_logic(g):
    return _binop(g, g.draw(st.sampled_from(["And", "Or", "Xor"])), is_logical_imm)


def op_mul(g):
    return _binop(g, "Mul", lambda v, w: False)


def op_muladd(g):
    dt = g.draw(st.sampled_from(["32bit", "64bit"]))
    return [line(g.v(dt), "MulAdd", [g.v(dt), g.v(dt), g.v(dt)])]


def op_div(g):
    draw = g.draw
    dt = draw(st.sampled_from(["32bit", "64bit"]))
    name = draw(st.sampled_from(["Div", "DivUn"]))
    ins = [g.v(dt), g.v(dt)]
    if draw(st.booleans()):
        ins = [imm(0)] + ins          # the x86 high-half placeholder, skipped on aarch64
    if draw(st.booleans()) and len(ins) == 2:
        return [line("", name, ins)]
    return [line(g.v(dt), name, ins)]


def op_unary(g):
    draw = g.draw
    name = draw(st.sampled_from(["Negate", "Invert"]))
    dts = g.cls()
    if draw(st.booleans()):
        return [line("", name, [g.v(dts())])]
    return [line(g.v(dts()), name, [g.v(dts())])]


def op_shift(g):
    draw = g.draw
    name = draw(st.sampled_from(["LShift", "RShift", "RShiftUn"]))
    dt = draw(st.sampled_from(["32bit", "64bit"]))
    w = 32 if dt == "32bit" else 64
    amt = imm(draw(st.sampled_from([0, 1, w - 1, w // 2, 3]))) if draw(st.booleans()) else g.v(dt)
    if draw(st.booleans()):
        return [line("", name, [g.v(dt), amt])]
    return [line(g.v(dt), name, [g.v(dt), amt])]


def op_incdec(g):
    return [line("", g.draw(st.sampled_from(["Inc", "Dec"])),
                 [g.v(g.draw(st.sampled_from(W_DTS + X_DTS)))])]


def _cmp_operands(g, allow_mem=False):
    draw = g.draw
    k = draw(st.sampled_from(range(5)))
    if k == 0:
        return [g.d(), g.d()]
    wide = draw(st.booleans())
    dts = g.cls(wide)
    a = g.src(dts()) if wide else g.v(dts())
    if k == 1:
        return [a, imm(draw(imm64 if wide else imm32))]
    if k == 2 and allow_mem and wide:
        return [a, g.absmem("64bit")]
    return [a, g.src(dts()) if wide else g.v(dts())]


def op_cmp(g):
    return [line("", "Cmp", _cmp_operands(g))]


COMPARE_NAMES = ["Equal", "NotEqual", "LessThanSigned", "LessThanEqualSigned",
                 "GreaterThanSigned", "GreaterThanEqualSigned", "LessThanUnsigned",
                 "LessThanEqualUnsigned", "GreaterThanUnsigned", "GreaterThanEqualUnsigned"]


def op_compare(g):
    draw = g.draw
    out = g.v(draw(st.sampled_from(["8bit", "32bit", "64bit"])))
    return [line(out, draw(st.sampled_from(COMPARE_NAMES)), _cmp_operands(g, allow_mem=True))]


def op_test(g):
    draw = g.draw
    if draw(st.booleans()):
        dt = draw(st.sampled_from(["8bit", "16bit"]))
        return [line("", "Test", [g.v(dt), g.v(draw(st.sampled_from(W_DTS)))])]
    dt = draw(st.sampled_from(["32bit", "64bit"]))
    return [line("", "Test", [g.v(dt), g.v(dt) if dt == "32bit" else g.src(dt)])]


def op_test32(g):
    dts = g.cls()
    return [line("", "Test32", [g.v(dts()), g.v(dts())])]


def op_select(g):
    dts = g.cls()
    cond = g.v(g.draw(st.sampled_from(W_DTS + X_DTS)))
    return [line(g.v(dts()), "Select", [cond, g.v(dts()), g.v(dts())])]


def op_selectcc(g):
    dts = g.cls()
    c = g.draw(st.integers(0, 17))
    return [line(g.v(dts()), "A64SelectCC", [imm(c), g.v(dts()), g.v(dts())])]


def op_ext(g):
    draw = g.draw
    name = draw(st.sampled_from(["Zext", "Sext"]))
    sdt = draw(st.sampled_from(W_DTS))
    if name == "Sext" and sdt == "32bit":
        odt = "64bit"
    else:
        odt = draw(st.sampled_from(["32bit", "64bit"]))
    src = g.stack(sdt) if draw(st.integers(0, 2)) == 0 else g.v(sdt)
    return [line(g.v(odt), name, [src])]


def op_exchange(g):
    draw = g.draw
    if draw(st.integers(0, 3)) == 0:
        a, b = draw(st.lists(st.sampled_from(g.dpool), min_size=2, max_size=2, unique=True))
        return [line(dreg(a), "Exchange", [dreg(b)])]
    dts = g.cls()
    a, b = draw(st.lists(st.sampled_from(g.val), min_size=2, max_size=2, unique=True))
    return [line(greg(a, dts()), "Exchange", [greg(b, dts())])]


def op_fp(g):
    draw = g.draw
    name = draw(st.sampled_from(["Fadd", "Fsub", "Fmul", "Fdiv"]))
    if draw(st.booleans()):
        return [line("", name, [g.d(), g.d()])]
    return [line(g.d(), name, [g.d(), g.d()])]


def op_i2d(g):
    return [line(g.d(), "Int64ToDouble", [g.v(g.draw(st.sampled_from(["32bit", "64bit"]))) ])]


BODY_OPS = [op_move, op_load, op_store, op_loadpair, op_storepair, op_lea, op_addsub, op_logic,
            op_mul, op_muladd, op_div, op_unary, op_shift, op_incdec, op_cmp, op_compare, op_test,
            op_test32, op_select, op_ext, op_exchange, op_fp, op_i2d]
# immediates and memory operands at their encoding limits are the point: draw those more often
BODY_OPS += [op_move, op_move, op_load, op_load, op_store, op_store, op_addsub, op_logic,
             op_cmp, op_compare, op_lea, op_loadpair, op_storepair]
FLAG_READERS = [op_selectcc]


def body(g, n):
    lines = []
    for _ in range(n):
        ops = BODY_OPS + (FLAG_READERS if g.flags else [])
        new = g.draw(st.sampled_from(ops))(g)
        for ln in new:
            opc = L.parse_instruction(ln).opcode
            if opc in DEFINES_FLAGS:
                g.flags = True
            elif writes_flags(opc):
                g.flags = False
        lines += new
    return lines


def terminator(g):
    """A conditional branch to BB%2 (falls through to BB%1)."""
    draw = g.draw
    opts = ["cbz", "bit"] + (["cc"] if g.flags else [])
    k = draw(st.sampled_from(opts))
    if k == "cc":
        c = draw(st.sampled_from([c for c in Condition if c is not Condition.Invalid]))
        return line("", c.branch_name, ["BB%2"])
    if k == "cbz":
        dt = draw(st.sampled_from(W_DTS + X_DTS))
        return line("", draw(st.sampled_from(["CmpBranchZero", "CmpBranchNonZero"])),
                    [g.src(dt) if dt in X_DTS else g.v(dt), "BB%2"])
    dt = draw(st.sampled_from(W_DTS + X_DTS))
    bit = draw(st.integers(0, 31 if dt in W_DTS else 63))
    return line("", draw(st.sampled_from(["BranchBitSet", "BranchBitNotSet"])),
                [g.src(dt) if dt in X_DTS else g.v(dt), imm(bit), "BB%2"])


@st.composite
def fragments(draw, max_ops=5):
    """(LIR text, Gen) of a post-alloc fragment: one block, or a diamond-ish
    BB%0 -> {BB%2 taken, BB%1 fall-through [-> BB%2]}."""
    g = Gen(draw)
    out = []
    b0 = body(g, draw(st.integers(1, max_ops)))
    if not draw(st.integers(0, 2)) == 0:
        return "Function:\nBB %0\n" + "\n".join(b0) + "\n\n", g
    br = terminator(g)
    flags0 = g.flags and L.parse_instruction(br).opcode != "BranchBitSet" \
        and L.parse_instruction(br).opcode != "BranchBitNotSet"
    g.flags = flags0
    b1 = body(g, draw(st.integers(0, 3)))
    flags1 = g.flags
    fall = draw(st.booleans())
    g.flags = flags0 and (flags1 or not fall)
    b2 = body(g, draw(st.integers(0, 3)))
    out.append("BB %0 - succs: %2 %1")
    out += b0 + [br, ""]
    out.append("BB %1 - preds: %0" + (" - succs: %2" if fall else ""))
    out += b1 + [""]
    out.append("BB %2 - preds: %0" + (" %1" if fall else ""))
    out += b2 + [""]
    return "Function:\n" + "\n".join(out) + "\n", g


# ------------------------------------------------------------------ machine states

reg_value = st.one_of(st.sampled_from([0, 1, 2, 0xFF, 0x80, 0x7F, 0xFFFF, 0x8000, 0xFFFFFFFF,
                                       0x80000000, 0x7FFFFFFF, M64, 1 << 63, (1 << 63) - 1,
                                       M64 - 1, 0x100000000, 5, 3, 64, 63]),
                      st.integers(0, M64), st.integers(0, 0xFFFF))
NANS = [QNAN, 0xFFF8000000000000, 0x7FF0000000000001, 0x7FF4000000000000,
        0xFFF0000000000ABC, 0x7FF8000000000123, 0xFFFC000000000001]   # quiet/signalling, payloads
d_value = st.one_of(st.sampled_from(DOUBLES).map(dbits), st.sampled_from(NANS),
                    st.integers(-(1 << 53), 1 << 53).map(lambda v: dbits(float(v))),
                    st.floats(allow_nan=False).map(dbits))


def _reads(fn):
    """Register number -> narrowest bit size at which the fragment reads it."""
    out = {}

    def note(r, bits):
        if r.kind == "r" and r.num < 31:
            out[r.num] = min(out.get(r.num, 64), bits)

    for ins in fn.instructions():
        ops = list(ins.inputs)
        if ins.opcode == "Exchange":
            ops.append(ins.output)
        for op in ops:
            if op.kind == "r":
                note(op, 64 if op.bits == 64 else op.bits)
    return out


@st.composite
def states(draw, fn, g):
    seed = draw(st.integers(0, 2**32 - 1))
    rnd = random.Random(seed)
    x = [rnd.getrandbits(64) for _ in range(31)]
    d = [rnd.getrandbits(64) for _ in range(32)]
    narrow = _reads(fn)
    for r in set(g.val) | set(narrow):
        x[r] = draw(reg_value)
    for r, v in g.ptr_value.items():
        x[r] = v
    for r, bits in narrow.items():
        if r not in g.ptr_value and bits < 64:
            x[r] &= (1 << bits) - 1       # sub-word values are zero-extended (autogen.h:140)
    x[29] = FP
    for r in g.dpool:
        d[r] = draw(d_value)
    nzcv = draw(st.integers(0, 15)) << 28
    data = rnd.randbytes(DATA_SIZE)
    stack = rnd.randbytes(STACK_SIZE)
    # with sp_delta the lowering may address [X29(n)] slots from SP (getStackSlotPtr)
    sp_known = draw(st.booleans())
    return {"x": x, "d": d, "nzcv": nzcv, "data": data, "stack": stack,
            "sp": FP - FRAME if sp_known else SP_INIT, "sp_delta": FRAME if sp_known else None}


# ------------------------------------------------------------------ the two runs

class WindowMachine(Machine):
    """Interpreter memory: written bytes over the initial windows; any access
    outside the windows is an error (a generator bug, not a finding)."""

    def __init__(self, windows):
        super().__init__()
        self.windows = windows

    def _initial(self, a):
        for base, data in self.windows:
            if base <= a < base + len(data):
                return data[a - base]
        raise InterpError(f"access outside the windows at {a:#x}")

    def load(self, addr, size):
        v = 0
        mem = self.mem
        for i in range(size):
            a = (addr + i) & M64
            b = mem.get(a)
            if b is None:
                b = self._initial(a)
            v |= b << (8 * i)
        return v

    def store(self, addr, size, value):
        for i in range(size):
            self._initial((addr + i) & M64)
        super().store(addr, size, value)

    def window(self, base, data):
        buf = bytearray(data)
        for a, b in self.mem.items():
            if base <= a < base + len(buf):
                buf[a - base] = b
        return bytes(buf)


class Recorder(Interpreter):
    def __init__(self, *a, **kw):
        super().__init__(*a, **kw)
        self.executed = []

    def _exec(self, ins):
        self.executed.append(ins)
        return super()._exec(ins)


def interpret(fn, s):
    m = WindowMachine([(DATA_BASE, s["data"]), (STACK_LO, s["stack"])])
    m.x = list(s["x"])
    m.d = list(s["d"])
    m.sp = s["sp"]
    m.nzcv = s["nzcv"]
    it = Recorder(fn, m)
    ev = it.run()
    assert ev is None, f"fragment stopped with an event {ev}"
    return it, m


_X = [getattr(U, f"UC_ARM64_REG_X{i}") for i in range(29)] + [U.UC_ARM64_REG_X29, U.UC_ARM64_REG_X30]
_D = [getattr(U, f"UC_ARM64_REG_D{i}") for i in range(32)]
_uc = None


def _engine():
    global _uc
    if _uc is None:
        uc = unicorn.Uc(unicorn.UC_ARCH_ARM64, unicorn.UC_MODE_ARM)
        uc.ctl_set_cpu_model(U.UC_CPU_ARM64_MAX)
        uc.mem_map(CODE_BASE, CODE_SIZE)
        uc.mem_map(DATA_BASE, DATA_SIZE)
        uc.mem_map(STACK_LO, STACK_SIZE)
        uc.reg_write(U.UC_ARM64_REG_CPACR_EL1, 3 << 20)
        _uc = uc
    return _uc


def emulate(lowered, s):
    uc = _engine()
    uc.mem_write(CODE_BASE, lowered.code)
    # the engine is reused: drop translations of the previous fragment's code
    uc.ctl_remove_cache(CODE_BASE, CODE_BASE + CODE_SIZE)
    uc.mem_write(DATA_BASE, s["data"])
    uc.mem_write(STACK_LO, s["stack"])
    for i, v in enumerate(s["x"]):
        uc.reg_write(_X[i], v)
    uc.reg_write(_X[16], 0xBAD)
    for i, v in enumerate(s["d"]):
        uc.reg_write(_D[i], v)
    uc.reg_write(U.UC_ARM64_REG_SP, s["sp"])
    uc.reg_write(U.UC_ARM64_REG_NZCV, s["nzcv"])
    uc.reg_write(U.UC_ARM64_REG_FPCR, 0)
    uc.emu_start(CODE_BASE, lowered.end_address, count=20_000)
    pc = uc.reg_read(U.UC_ARM64_REG_PC)
    assert pc == lowered.end_address, f"stopped at {pc:#x}, not at the end"
    return {"x": [uc.reg_read(r) for r in _X], "d": [uc.reg_read(r) for r in _D],
            "sp": uc.reg_read(U.UC_ARM64_REG_SP),
            "nzcv": uc.reg_read(U.UC_ARM64_REG_NZCV) & 0xF0000000,
            "data": bytes(uc.mem_read(DATA_BASE, DATA_SIZE)),
            "stack": bytes(uc.mem_read(STACK_LO, STACK_SIZE))}


def _first_diff(a: bytes, b: bytes, base: int) -> str:
    for i, (p, q) in enumerate(zip(a, b)):
        if p != q:
            return f"byte {base + i:#x}: interp {p:#04x}, armjit {q:#04x}"
    return ""


def flags_defined(executed) -> bool:
    last = None
    for ins in executed:
        if writes_flags(ins.opcode):
            last = ins
    return last is None or last.opcode in DEFINES_FLAGS


def differences(text, s, *, compare_scratch=(), lowered=None):
    """Run both sides; return a list of disagreements (empty when they agree)."""
    fn = L.parse(text)
    L.verify(fn, "postalloc")
    it, m = interpret(fn, s)
    low = lowered or lower_fragment(fn, CODE_BASE, sp_delta=s.get("sp_delta"))
    u = emulate(low, s)
    diffs = []
    skip = set(SCRATCH_GP) - set(compare_scratch)
    for r in range(31):
        if r not in skip and m.x[r] != u["x"][r]:
            diffs.append(f"X{r}: interp {m.x[r]:#x}, armjit {u['x'][r]:#x}")
    if m.sp != u["sp"]:
        diffs.append(f"SP: interp {m.sp:#x}, armjit {u['sp']:#x}")
    for r in range(32):
        if r not in (16, 17) and m.d[r] != u["d"][r]:
            diffs.append(f"D{r}: interp {m.d[r]:#x}, armjit {u['d'][r]:#x}")
    if flags_defined(it.executed) and m.nzcv != u["nzcv"]:
        diffs.append(f"NZCV: interp {m.nzcv >> 28:04b}, armjit {u['nzcv'] >> 28:04b}")
    if it.block.id != u["x"][16]:
        diffs.append(f"left from: interp BB%{it.block.id}, armjit marker {u['x'][16]:#x}")
    for name, base in (("data", DATA_BASE), ("stack", STACK_LO)):
        exp = m.window(base, s[name])
        if exp != u[name]:
            diffs.append(f"{name} memory: {_first_diff(exp, u[name], base)}")
    return diffs


# ------------------------------------------------------------------ refused shapes

_SIZE = {"8bit": 1, "16bit": 2, "32bit": 4, "64bit": 8, "Object": 8, "Double": 8}


def _abs_store_width_differs(ins) -> bool:
    """ABS-STORE-WIDTH: a Store to an absolute address ``[0x...]`` whose declared
    width differs from what CinderX's emitter writes (autogen.cpp:2029-2041: ``str
    getGpWiden(input)``, 4 or 8 bytes; an Imm goes through ``mov x14`` and is stored
    as 8 bytes).  The differential tests found armjit storing the declared width;
    armjit now refuses such ambiguous LIR (lower_Store) instead of picking one."""
    if ins.opcode != "Store" or ins.output.kind != "m":
        return False
    src = ins.inputs[0]
    if src.kind == "k":
        cx = 8
    elif src.is_fp:
        cx = 8
    else:
        cx = 4 if src.bits <= 32 else 8
    return cx != _SIZE[ins.output.dtype]


KNOWN_BUGS = {"ABS-STORE-WIDTH (refused)": _abs_store_width_differs}


def known_bug(fn):
    """The name of a known armjit limitation this fragment hits, else None
    (each one is described in its predicate's docstring above, with a test
    below pinning how armjit handles it)."""
    for ins in fn.instructions():
        for name, hit in KNOWN_BUGS.items():
            if hit(ins):
                return name
    return None


# ------------------------------------------------------------------ properties

@settings(suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much,
                                 HealthCheck.data_too_large])
@given(st.data())
def test_fragment_agrees_with_interpreter(data):
    text, g = data.draw(fragments())
    fn = L.parse(text)
    bug = known_bug(fn)
    assume(bug is None)   # excluded explicitly: see known_bug() and the xfail tests
    s = data.draw(states(fn, g))
    diffs = differences(text, s)
    assert not diffs, "\n" + text + "\n" + "\n".join(diffs)


# ------------------------------------------------------------------ fixed cases

def _state(x=None, d=None, nzcv=0, sp_delta=None):
    rnd = random.Random(1234)
    xs = [rnd.getrandbits(64) for _ in range(31)]
    xs[29] = FP
    for r, v in (x or {}).items():
        xs[r] = v & M64
    ds = [rnd.getrandbits(64) for _ in range(32)]
    for r, v in (d or {}).items():
        ds[r] = v
    return {"x": xs, "d": ds, "nzcv": nzcv, "data": rnd.randbytes(DATA_SIZE),
            "stack": rnd.randbytes(STACK_SIZE), "sp": SP_INIT if sp_delta is None else FP - sp_delta,
            "sp_delta": sp_delta}


def _text(*lines):
    return "Function:\nBB %0\n" + "\n".join(lines) + "\n\n"


def test_harness_detects_a_wrong_lowering(monkeypatch):
    """The comparison can fail: a rule that subtracts instead of adding, or a
    store one byte off, is caught."""
    import armjit.codegen.lower as lower
    text = _text(line("X0:64bit", "Add", ["X1:64bit", "X2:64bit"]),
                 line("[X3:Object + 0x8]:32bit", "Store", ["W4:32bit"]))
    s = _state({1: 100, 2: 7, 3: DATA_BASE + 0x100, 4: 0xAABBCCDD})
    assert differences(text, s) == []
    monkeypatch.setitem(lower.RULES, "Add", lower.RULES["Sub"])
    assert differences(text, s) == [f"X0: interp {107:#x}, armjit {93:#x}"]
    monkeypatch.setitem(lower.RULES, "Add", lower.lower_Add)
    orig = lower.Ctx.access

    def off_by_one(cx, op, rt, ind, size, s0, s1):
        return orig(cx, op, rt, L.parse_operand(str(ind).replace("+ 0x8]", "+ 0x9]")), size, s0, s1)
    monkeypatch.setattr(lower.Ctx, "access", off_by_one)
    d = differences(text, s)
    assert len(d) == 1 and d[0].startswith("data memory: byte 0x100108")


@pytest.mark.parametrize("text,taken", [
    ("BB %0 - succs: %2 %1\n" + line("", "Cmp", ["X0:64bit", imm(4097)]) + "\n"
     + line("", "BranchE", ["BB%2"]) + "\n\nBB %1 - preds: %0\n"
     + line("X1:64bit", "Move", [imm(1)]) + "\n\nBB %2 - preds: %0\n", 2),
    ("BB %0 - succs: %2 %1\n" + line("", "BranchBitSet", ["X0:64bit", imm(63), "BB%2"])
     + "\n\nBB %1 - preds: %0\n" + line("X1:64bit", "Move", [imm(1)])
     + "\n\nBB %2 - preds: %0\n", 1),
])
def test_branch_taken_is_compared(text, taken):
    """The exit marker tells the block the fragment left from; both sides agree."""
    s = _state({0: 4097, 1: 0})
    fn = L.parse("Function:\n" + text + "\n")
    it, _ = interpret(fn, s)
    assert it.block.id == taken
    assert differences("Function:\n" + text + "\n", s) == []


# -- CinderX's scratch registers as LIR operands

SCRATCH_LINES = [
    line("X13:64bit", "Move", [imm(5)]),
    line("[X14:Object + 0x12345]:64bit", "Store", ["X0:64bit"]),
    line("X0:64bit", "Load", ["[X16:Object + 0x1000008]:64bit"]),
    line("D16:Double", "Fadd", ["D0:Double", "D1:Double"]),
]


@pytest.mark.parametrize("ln", SCRATCH_LINES)
def test_scratch_register_operands_are_refused(ln):
    """X13/X14/X16 and D16/D17 are never allocated (aarch64.h:177-179); a
    fragment naming them is refused, naming the register."""
    with pytest.raises(FragmentError, match=r"X13|X14|X16|D16"):
        lower_fragment(_text(ln), CODE_BASE)


@pytest.mark.parametrize("ln,named", [
    (line("[X13:Object + 0x12345]:64bit", "Store", ["X0:64bit"]), (13,)),
    (line("X13:64bit", "Lea", ["[X29(-40000)]:Object"]), (13,)),
    (line("X0:64bit", "Load", ["[X13:Object + X1:64bit * 8 + 0x1000000]:64bit"]), (13,)),
    (line("X16:64bit", "Load", [f"[{DATA_BASE + 0x123:#x}]:64bit"]), (16,)),
    (line("[X29(-40000)]:64bit", "Store", [imm(0x123456789)]), ()),
])
def test_scratch_operands_one_instruction_when_allowed(ln, named):
    """With allow_scratch_operands, one instruction naming scratch registers is
    lowered with the *other* scratches (Ctx.scratch), so the named ones hold
    exactly what the interpreter says."""
    x = {13: DATA_BASE + 0x200 - 0x12345, 14: 0x1122334455667788, 16: 3, 1: 3}
    if "X1:64bit * 8" in ln:
        x[13] = DATA_BASE + 0x40 - 0x1000000 - 24
    s = _state(x)
    low = lower_fragment(_text(ln), CODE_BASE, allow_scratch_operands=True, exit_marker=None)
    s["x"][16] = x[16]
    d = differences(_text(ln), s, compare_scratch=named, lowered=low)
    # X16 is not the exit marker here (exit_marker=None): the left-from check
    # reads it; only that line may differ when X16 is not named.
    d = [e for e in d if not e.startswith("left from")]
    assert d == []


@pytest.mark.parametrize("ln", [
    line("[X13:Object + 0x12345]:64bit", "Store", ["X14:64bit"]),
    line("X14:64bit", "Load", ["[X13:Object + X0:64bit * 8 + 0x1000000]:64bit"]),
])
def test_scratch_operands_refused_when_no_scratch_is_left(ln):
    """An access that needs an address scratch while naming the others is
    refused (CinderX would compute the address into its own base, X13)."""
    with pytest.raises(LoweringError, match="scratch registers but the instruction names"):
        lower_fragment(_text(ln), CODE_BASE, allow_scratch_operands=True)


def test_scratch_operands_across_instructions_break():
    """Why they are refused: the next instruction's legalisation clobbers X13
    (a far stack slot), which LIR thought still held 5."""
    text = _text(line("X13:64bit", "Move", [imm(5)]),
                 line("[X29(-40000)]:64bit", "Store", ["X0:64bit"]))
    s = _state()
    low = lower_fragment(text, CODE_BASE, allow_scratch_operands=True)
    d = differences(text, s, compare_scratch=(13,), lowered=low)
    assert d and d[0].startswith("X13: interp 0x5, armjit ")


# -- reference-interpreter regressions found by the property (armjit/lir/interp.py)

@pytest.mark.parametrize("op,a,b,expected", [
    # invalid operation -> FPDefaultNaN (Arm ARM: positive quiet NaN, zero payload);
    # the interpreter used the host's NaN 0xfff8000000000000
    ("Fsub", dbits(float("inf")), dbits(float("inf")), 0x7FF8000000000000),
    ("Fmul", dbits(0.0), dbits(float("-inf")), 0x7FF8000000000000),
    ("Fdiv", dbits(0.0), dbits(-0.0), 0x7FF8000000000000),
    # FPProcessNaNs: a signalling NaN wins (quietened), then op1's quiet NaN
    ("Fadd", 0xFFF8000000000000, 0x7FF0000000000001, 0x7FF8000000000001),
    ("Fadd", dbits(1.0), 0x7FF8000000000123, 0x7FF8000000000123),
    ("Fsub", 0xFFF8000000000ABC, 0x7FF8000000000123, 0xFFF8000000000ABC),
    ("Fdiv", 0x7FF4000000000000, dbits(2.0), 0x7FFC000000000000),
])
def test_interp_fp_nan_rules(op, a, b, expected):
    text = _text(line("D0:Double", op, ["D1:Double", "D2:Double"]))
    s = _state(d={1: a, 2: b})
    _, m = interpret(L.parse(text), s)
    assert m.d[0] == expected
    assert differences(text, s) == []      # Unicorn (the A64 hardware model) agrees


# -- refused shapes: armjit raises LoweringError, never emits a guess

@pytest.mark.parametrize("ln", [
    line(f"[{DATA_BASE:#x}]:8bit", "Store", [imm(0)]),
    line(f"[{DATA_BASE + 0x10:#x}]:32bit", "Store", ["X5:64bit"]),
    line(f"[{DATA_BASE + 0x20:#x}]:16bit", "Store", ["W5:16bit"]),
])
def test_ambiguous_abs_store_width_is_refused(ln):
    fn = L.parse(_text(ln))
    assert known_bug(fn) == "ABS-STORE-WIDTH (refused)"
    with pytest.raises(LoweringError, match="ambiguous, refused"):
        differences(_text(ln), _state({5: 0x1122334455667788}))


@pytest.mark.parametrize("ln", [
    line(f"[{DATA_BASE:#x}]:64bit", "Store", [imm(7)]),
    line(f"[{DATA_BASE + 0x10:#x}]:32bit", "Store", ["W5:32bit"]),
    line(f"[{DATA_BASE + 0x20:#x}]:Object", "Store", ["X5:Object"]),
])
def test_unambiguous_abs_store_agrees(ln):
    assert known_bug(L.parse(_text(ln))) is None
    assert differences(_text(ln), _state({5: 0x1122334455667788})) == []


def test_known_bug_filter_is_narrow():
    """The property's exclusion hits only the reported shape."""
    assert known_bug(L.parse(_text(line(f"[{DATA_BASE:#x}]:64bit", "Store", [imm(7)])))) is None
    assert known_bug(L.parse(_text(line(f"[{DATA_BASE:#x}]:32bit", "Store", ["W5:32bit"])))) is None
    assert known_bug(L.parse(_text(line("[X29(-8)]:8bit", "Store", [imm(0)])))) is None


@st.composite
def single_op_fragments(draw, op):
    """1-3 instances of one op family (after a flag writer for flag readers)."""
    g = Gen(draw)
    lines = []
    if op in FLAG_READERS:
        lines += op_cmp(g) if draw(st.booleans()) else op_test(g)
    for _ in range(draw(st.integers(1, 3))):
        lines += op(g)
    return "Function:\nBB %0\n" + "\n".join(lines) + "\n\n", g


_FAMILIES = sorted(set(BODY_OPS + FLAG_READERS), key=lambda f: f.__name__)


@pytest.mark.parametrize("op", _FAMILIES, ids=[f.__name__[3:] for f in _FAMILIES])
@settings(max_examples=40, suppress_health_check=[HealthCheck.too_slow,
                                                  HealthCheck.filter_too_much])
@given(data=st.data())
def test_each_op_family_agrees(op, data):
    """Every op family gets its own examples (the mixed property may draw a
    family rarely)."""
    text, g = data.draw(single_op_fragments(op))
    fn = L.parse(text)
    assume(known_bug(fn) is None)   # ABS-STORE-WIDTH: refused by design; see known_bug()
    s = data.draw(states(fn, g))
    diffs = differences(text, s)
    assert not diffs, "\n" + text + "\n" + "\n".join(diffs)

"""Lowering of CinderX post-alloc LIR instructions to A64 through armjit.emit.

One rule per LIR opcode, registered in :data:`RULES` (opcode -> function
``rule(cx, ins)``).  Each rule follows the aarch64 translator of CinderX
2026.11.2.0 (``Jit/codegen/autogen.cpp``, aarch64 switch from l.3311; helpers
in ``Jit/codegen/arch.cpp``); the citation is in each rule's docstring.
Differences from asmjit's emission are deliberate and listed where they occur:

* every immediate and offset goes through armjit.emit's legalisation with an
  explicit scratch register, chosen per instruction by :meth:`Ctx.scratch`
  among X13/X14/X16 (CinderX's reg_scratch_0/1/br, never allocated) **minus
  every register the LIR instruction names** -- this avoids the CinderX
  hazards where a scratch aliases an input (e.g. ``Store`` of an immediate to
  a far stack slot, which uses X14 both for the value and for the address,
  autogen.cpp:1979-1980; a far ``Lea``/``Guard`` whose base is X13);
* absolute addresses (``Move`` of an ``Object`` immediate, asmjit's
  ``load_addr``) use ``adr`` / ``adrp+add`` when the final address is in
  range, else the shortest MOVZ/MOVN/MOVK/ORR sequence; the Assembler
  chooses at finalisation (:meth:`armjit.emit.Assembler.load_address`).

Nothing here guesses: an opcode or operand shape CinderX's aarch64 backend
does not define raises :class:`LoweringError` naming the block and opcode.
"""

from __future__ import annotations

from typing import Callable, Dict, List, Optional

from armjit.emit import D, SP, W, WZR, X, XZR, Cond, Extend, FpReg, GpReg, Mem, Shift, mem, post, pre
from armjit.emit import immediates as imm
from armjit.emit.errors import EncodingError
from armjit.errors import ArmjitError
from armjit.lir.model import REG_SP, REG_ZR, Imm, Ind, Instruction, Label, Reg, Stack
from armjit.lir.model import Mem as LMem
from armjit.lir.ops import Condition, GuardKind

from . import abi
from .abi import SCRATCH_FP, SCRATCH_GP


__all__ = ["LoweringError", "Ctx", "RULES", "COND", "lower_instruction", "SCRATCH_GP", "SCRATCH_FP"]

MASK64 = (1 << 64) - 1
X13, X14, X16 = X[abi.SCRATCH_0], X[abi.SCRATCH_1], X[abi.SCRATCH_BR]
FP_REG, LR = X[abi.FRAME_POINTER], X[abi.LINK_REGISTER]
_SCRATCH_ALL = tuple(X[r] for r in SCRATCH_GP)
NOP = 0xD503201F

#: lir Condition -> A64 condition (asmCondCode, autogen.cpp:36-47; asmjit archcommons.h)
COND = {
    Condition.Equal: Cond.EQ, Condition.NotEqual: Cond.NE,
    Condition.Zero: Cond.EQ, Condition.NotZero: Cond.NE,
    Condition.SignedLT: Cond.LT, Condition.SignedLE: Cond.LE,
    Condition.SignedGT: Cond.GT, Condition.SignedGE: Cond.GE,
    Condition.UnsignedLT: Cond.LO, Condition.UnsignedLE: Cond.LS,
    Condition.UnsignedGT: Cond.HI, Condition.UnsignedGE: Cond.HS,
    Condition.Carry: Cond.HS, Condition.NotCarry: Cond.LO,
    Condition.Overflow: Cond.VS, Condition.NotOverflow: Cond.VC,
    Condition.Sign: Cond.MI, Condition.NotSign: Cond.PL,
}

_BYTES = {"8bit": 1, "16bit": 2, "32bit": 4, "64bit": 8, "Object": 8, "ObjectUntagged": 8,
          "Double": 8}


class LoweringError(ArmjitError):
    """An instruction armjit cannot lower (unsupported opcode or operand shape)."""

    def __init__(self, message: str, ins: Optional[Instruction] = None, block: Optional[int] = None):
        where = []
        if block is not None:
            where.append(f"BB%{block}")
        if ins is not None:
            where.append(f"{ins.name}" + (f" (line {ins.line})" if ins.line else ""))
        super().__init__(("in " + " ".join(where) + ": " if where else "") + message)
        self.ins, self.block = ins, block


# ----------------------------------------------------------------- registers

def _fail(msg: str):
    raise LoweringError(msg)


def _is_reg(op) -> bool:
    return isinstance(op, Reg)


# Fast paths: a Reg operand X0..X30/W0..W30 (num < 31) is the common case;
# anything else (SP, ZR, D registers, non-Reg operands, errors) takes the
# general code below (the *_slow functions), which also raises.
_NARROW = {"8bit": True, "16bit": True, "32bit": True, "64bit": False, "Object": False,
           "ObjectUntagged": False, "Double": False}
_W, _X = tuple(W), tuple(X)


def xreg(op: Reg) -> GpReg:
    """The X view of a GP register operand (SP and XZR kept apart)."""
    num = op.num
    if num < 31:
        return _X[num]
    if num == REG_SP:
        return SP
    if num == REG_ZR:
        return XZR
    _fail(f"{op} is not a general-purpose register")


def wreg(op: Reg) -> GpReg:
    num = op.num
    if num < 31:
        return _W[num]
    if num == REG_ZR:
        return WZR
    _fail(f"{op} has no 32-bit view")


def gp(op) -> GpReg:
    """AutoTranslator::getGp (autogen.h): W for 32-bit, X for 64-bit data;
    8/16-bit data has no register view here (CinderX aborts too)."""
    if op.__class__ is Reg and op.num < 31:
        dt = op.dtype
        if dt == "32bit":
            return _W[op.num]
        if _NARROW.get(dt) is False:
            return _X[op.num]
    return _gp_slow(op)


def _gp_slow(op) -> GpReg:
    if not _is_reg(op) or op.is_fp:
        _fail(f"expected a general-purpose register, got {op}")
    b = op.bits
    if b == 64:
        return xreg(op)
    if b == 32:
        return wreg(op)
    _fail(f"{op}: {b}-bit data has no register form (getGp aborts)")


def gpw(op) -> GpReg:
    """getGpWiden / getGpOutput: 8/16/32-bit data in W (zero-extended), else X."""
    if op.__class__ is Reg and op.num < 31:
        narrow = _NARROW.get(op.dtype)
        if narrow is not None:
            return _W[op.num] if narrow else _X[op.num]
    return _gpw_slow(op)


def _gpw_slow(op) -> GpReg:
    if not _is_reg(op) or op.is_fp:
        _fail(f"expected a general-purpose register, got {op}")
    return wreg(op) if op.bits <= 32 else xreg(op)


def dreg(op) -> FpReg:
    if not _is_reg(op) or not op.is_fp:
        _fail(f"expected a D register, got {op}")
    return D[op.num - 32]


def _regnums(ins: Instruction) -> set:
    """Every physical register number an instruction names (inputs, output,
    Ind bases and indexes)."""
    out = set()
    for op in ins.inputs:
        c = op.__class__
        if c is Reg:
            out.add(op.num)
        elif c is Ind:
            r = op.base
            if r.__class__ is Reg:
                out.add(r.num)
            r = op.index
            if r.__class__ is Reg:
                out.add(r.num)
    op = ins.output
    c = op.__class__
    if c is Reg:
        out.add(op.num)
    elif c is Ind:
        r = op.base
        if r.__class__ is Reg:
            out.add(r.num)
        r = op.index
        if r.__class__ is Reg:
            out.add(r.num)
    return out


def _reduce(value: int, bits: int, what: str) -> int:
    """An unsigned 64-bit LIR immediate viewed at ``bits`` (32 or 64): allowed
    when the dropped upper bits are all zeros or a sign extension."""
    value &= MASK64
    if bits == 64:
        return value
    low = value & ((1 << bits) - 1)
    hi = value >> bits
    if hi == 0 or (hi == (MASK64 >> bits) and low >> (bits - 1)):
        return low
    _fail(f"{what} {value:#x} does not fit a {bits}-bit register")


# ----------------------------------------------------------------- context

class Ctx:
    """Per-function state of the lowering (CinderX's ``Environ``).

    ``a``: the Assembler (its ``base`` is the final code address).
    ``block_label(id)``, ``deopt_label(idx)``: labels of LIR blocks and of the
    stage-1 deopt exits (created on first use).
    ``frame``: a :class:`armjit.codegen.frame.FrameLayout` (SetupFrame,
    EpilogueEnd, ReserveStack, SP-relative stack slots).
    ``facts``: process facts (``tstate_getter``, ``gen_yield_points``,
    ``gen_yield_point_offset``) that the LIR does not state.
    """

    def __init__(self, a, frame=None, facts=None, *, is_generator: bool = False):
        self.a = a
        self.frame = frame
        self.facts = facts or {}
        self.is_generator = is_generator
        self.sp_delta: Optional[int] = None        # env->sp_to_fp_delta
        self._blocks: Dict[int, object] = {}
        self._deopt: Dict[int, object] = {}
        self.hard_exit_label = a.new_label("hard_exit")
        self.exit_ret_label = None                 # the exit sequence's ret (EpilogueEnd)
        self.patchpoints: List[tuple] = []         # (patcher address, label, deopt idx)
        self.yield_resume_labels: List[object] = []
        self._pending_resume = None
        self._yield_count = 0
        # armjit's own GenYieldPoints and resume entry (live path, facts
        # 'gen_yield_records'): the records' labels, the resume entry's label
        self.gen_record_labels: List[object] = []
        self.gen_resume_label = (a.new_label("gen_resume_entry")
                                 if is_generator and "gen_yield_records" in self.facts else None)
        self.gen_alloc_calls = 0
        self.block = None
        self.ins = None

    # labels
    def block_label(self, bid: int):
        lab = self._blocks.get(bid)
        if lab is None:
            lab = self._blocks[bid] = self.a.new_label(f"BB{bid}")
        return lab

    def deopt_label(self, idx: int):
        lab = self._deopt.get(idx)
        if lab is None:
            lab = self._deopt[idx] = self.a.new_label(f"deopt{idx}")
        return lab

    @property
    def deopt_labels(self) -> Dict[int, object]:
        return self._deopt

    def label_of(self, op):
        if not isinstance(op, Label):
            _fail(f"expected a block label, got {op}")
        return self.block_label(op.block)

    # scratch registers
    def scratch(self, n: int = 1, ins: Optional[Instruction] = None) -> List[GpReg]:
        """``n`` of X13/X14/X16 that the current instruction does not name."""
        ins = ins or self.ins
        used = _regnums(ins) if ins is not None else set()
        if used.isdisjoint(SCRATCH_GP):
            if n <= 3:
                return list(_SCRATCH_ALL[:n])
            free = list(_SCRATCH_ALL)
        else:
            free = [X[r] for r in SCRATCH_GP if r not in used]
        if len(free) < n:
            _fail(f"needs {n} scratch registers but the instruction names {sorted(used)}")
        return free[:n]

    def fp_scratch(self, ins: Optional[Instruction] = None) -> FpReg:
        used = _regnums(ins or self.ins)
        for r in SCRATCH_FP:
            if 32 + r not in used:
                return D[r]
        _fail("no free FP scratch register")

    # ------------------------------------------------------------ helpers
    def mov_imm(self, rd: GpReg, value: int) -> None:
        """``mov rd, #value`` at rd's width (shortest MOVZ/MOVN/MOVK/ORR), zero
        through the zero register."""
        v = _reduce(value, rd.size, "immediate")
        if v == 0:
            self.a.mov(rd, WZR if rd.size == 32 else XZR)
        else:
            self.a.mov(rd, v)

    def load_addr(self, rd: GpReg, address: int) -> None:
        """asmjit ``load_addr`` (a64assembler.cpp:1281-1303): an exact
        materialisation of an absolute address in X ``rd``: ``adr`` (+-1 MiB),
        ``adrp; add`` (+-4 GiB) or the MOV sequence, whichever is shortest
        from the instruction's final position (:meth:`Assembler.load_address`
        decides at finalisation)."""
        address &= MASK64
        if address:
            self.a.load_address(rd, address)
        else:
            self.mov_imm(rd, 0)                 # mov rd, xzr, as for any other zero

    def add_signed(self, rd: GpReg, rn: GpReg, value: int, scratch: GpReg) -> None:
        """arch::add_signed_immediate (arch.cpp:123-133), legalised by
        armjit.emit (imm12, imm12<<12, or two adds / the scratch)."""
        if value == 0:
            if rd != rn:
                self.a.mov(rd, rn)
            return
        if value > 0:
            self.a.add(rd, rn, value, scratch=scratch)
        else:
            self.a.sub(rd, rn, -value, scratch=scratch)

    def cmp_imm(self, rn: GpReg, value: int, scratch: GpReg) -> None:
        """arch::cmp_immediate (arch.cpp:72-86): cmp #imm, cmn #-imm or a scratch."""
        v = _reduce(value, rn.size, "compare immediate")
        s = scratch if rn.size == 64 else W[scratch.num]
        self.a.cmp(rn, v, scratch=s)

    def ldst(self, op: str, rt, base: GpReg, offset: int, scratch: GpReg) -> None:
        """One access of ``[base + offset]`` (ptr_resolve, arch.cpp:46-70):
        scaled imm12 / unscaled imm9, else through ``scratch``."""
        getattr(self.a, op)(rt, mem(base, offset), scratch=scratch)

    def slot(self, op: str, rt, loc: int, scratch: GpReg) -> None:
        """getStackSlotPtr (autogen.cpp:174-193): the FP-relative slot ``loc``,
        SP-relative when SP's distance to FP is known and that is one
        instruction, else FP-relative (one instruction or via ``scratch``)."""
        size = _access_size(op, rt)
        if self.sp_delta is not None:
            so = loc + self.sp_delta
            if so < 0:
                _fail(f"stack slot [X29({loc})] lies below SP (frame {self.sp_delta})")
            if imm.ldst_imm_form(so, size) is not None:
                self.ldst(op, rt, SP, so, scratch)
                return
        self.ldst(op, rt, FP_REG, loc, scratch)

    def ind(self, op: Ind, size: int, s1: GpReg):
        """ptrIndirect (autogen.cpp:1672-1700): a Mem for ``[base + index<<m + off]``
        (register-offset form when possible), or (Mem(base'), offset) to be
        resolved by :meth:`ldst`.  Returns (base, offset, Mem-or-None)."""
        base = _base_reg(op.base)
        off = op.offset
        if op.index is not None:
            idx = xreg(op.index)
            m = op.scale
            if off == 0:
                if m == 0:
                    return base, 0, Mem(base, index=idx, extend=Extend.UXTX)
                if (1 << m) == size:
                    return base, 0, Mem(base, index=idx, extend=Extend.UXTX, shift=m)
            if m > 3:
                _fail(f"index multiplier {1 << m} (must be lowered before codegen)")
            self.a.add(s1, base, idx, Shift.LSL, m)
            base = s1
        return base, off, None

    def access(self, op: str, rt, ind: Ind, size: int, s0: GpReg, s1: GpReg) -> None:
        base, off, m = self.ind(ind, size, s1)
        if m is not None:
            getattr(self.a, op)(rt, m)
        else:
            self.ldst(op, rt, base, off, s0)

    def pair_mem(self, base_op: Reg, offset: int, scratch: GpReg) -> Mem:
        """getPairPtr / getPairScratchPtr (autogen.cpp:1351-1412)."""
        base = _base_reg(base_op)
        if base_op.num == 29 and self.sp_delta is not None:
            so = offset + self.sp_delta
            if imm.pair_offset_ok(so, 8):
                return mem(SP, so)
        if imm.pair_offset_ok(offset, 8):
            return mem(base, offset)
        self.add_signed(scratch, base, offset, scratch)
        return mem(scratch, 0)


def _base_reg(op) -> GpReg:
    if not isinstance(op, Reg) or op.is_fp or op.is_zr:
        _fail(f"memory base must be a general-purpose register or SP, got {op}")
    return xreg(op)


def _access_size(op: str, rt) -> int:
    if op in ("ldrb", "strb", "ldrsb"):
        return 1
    if op in ("ldrh", "strh", "ldrsh"):
        return 2
    if op == "ldrsw":
        return 4
    return rt.size // 8


def _signed_imm(op: Imm) -> int:
    return op.signed


# ----------------------------------------------------------------- rules

RULES: Dict[str, Callable[[Ctx, Instruction], None]] = {}


def rule(*names):
    def deco(fn):
        for n in names:
            RULES[n] = fn
        return fn
    return deco


def _dst(ins: Instruction):
    """Two-address convention: the output, or input 0 when there is none
    (rewriteBinaryOpInstrs, postalloc.cpp:1424-1477)."""
    return ins.output if ins.output is not None else ins.inputs[0]


@rule("Bind", "CallSiteLiveValues")
def lower_Bind(cx: Ctx, ins: Instruction) -> None:
    """No code (autogen.cpp:2685-2687)."""


@rule("Move")
def lower_Move(cx: Ctx, ins: Instruction) -> None:
    """translateMove (autogen.cpp:1824-1883)."""
    out, src = ins.output, ins.inputs[0]
    if out.__class__ is Reg and src.__class__ is Reg and out.num < 31 and src.num < 31:
        # two GP registers X0-X30 (the general path below, without its checks)
        rd, rn = gpw(out), gpw(src)
        if rd is rn and rd.size == 64:
            return          # a 64-bit self-move changes nothing
        cx.a.mov(rd, rn)
        return
    if not _is_reg(out):
        _fail(f"Move output must be a register, got {out}")
    a = cx.a
    if _is_reg(src):
        if out.is_fp or src.is_fp:
            a.fmov(dreg(out) if out.is_fp else xreg(out), dreg(src) if src.is_fp else xreg(src))
            return
        rd, rn = gpw(out), gpw(src)
        if rd == rn and rd.size == 64:
            return          # a 64-bit self-move changes nothing
        a.mov(rd, rn)
        return
    if isinstance(src, Imm):
        v = src.value
        if out.is_fp:
            _fmov_imm(cx, dreg(out), v)
        elif v == 0:
            rd = gpw(out)
            a.mov(rd, WZR if rd.size == 32 else XZR)
        elif src.dtype == "Object":
            if out.bits != 64:
                _fail(f"address immediate into a {out.bits}-bit register")
            cx.load_addr(xreg(out), v)
        else:
            cx.mov_imm(gpw(out), v)
        return
    _fail(f"Move input must be a register or an immediate, got {src}")


def _fmov_imm(cx: Ctx, dd: FpReg, bits: int) -> None:
    import struct
    value = struct.unpack("<d", struct.pack("<Q", bits & MASK64))[0]
    try:
        cx.a.fmov(dd, value)
        return
    except (EncodingError, TypeError, ValueError):
        pass
    s = cx.scratch(1)[0]
    cx.mov_imm(s, bits)
    cx.a.fmov(dd, s)


_LOAD_OP = {"8bit": "ldrb", "16bit": "ldrh"}
_STORE_OP = {"8bit": "strb", "16bit": "strh"}


def _load_rt(out):
    if out.is_fp:
        return dreg(out), "ldr", 8
    dt = out.dtype
    if dt in _LOAD_OP:
        return wreg(out), _LOAD_OP[dt], _BYTES[dt]
    return gp(out), "ldr", _BYTES[dt]


@rule("Load")
def lower_Load(cx: Ctx, ins: Instruction) -> None:
    """translateLoad (autogen.cpp:1885-1956); Relaxed is a plain ldr on aarch64."""
    out, src = ins.output, ins.inputs[0]
    if not _is_reg(out):
        _fail(f"Load output must be a register, got {out}")
    rt, op, size = _load_rt(out)
    if isinstance(src, Stack):
        s = xreg(out) if not out.is_fp else cx.scratch(1)[0]
        cx.slot(op, rt, src.offset, s)
    elif isinstance(src, Ind):
        s0, s1 = cx.scratch(2)
        cx.access(op, rt, src, size, s0, s1)
    elif isinstance(src, LMem):
        s0 = cx.scratch(1)[0]
        cx.load_addr(s0, src.address)
        getattr(cx.a, op)(rt, mem(s0, 0))
    else:
        _fail(f"Load input must be memory, got {src}")


def _store_rt(cx: Ctx, src, dt: str, vscratch: GpReg):
    """The register holding a Store's value at the access width (imm -> scratch
    or the zero register), and the op."""
    size = _BYTES[dt]
    if _is_reg(src):
        if src.is_fp:
            return dreg(src), "str"
        num_w = dt in ("8bit", "16bit", "32bit")
        r = wreg(src) if num_w else xreg(src)
        return r, _STORE_OP.get(dt, "str")
    if isinstance(src, Imm):
        wide = size == 8
        if src.value == 0:
            r = XZR if wide else WZR
        else:
            r = vscratch if wide else W[vscratch.num]
            cx.mov_imm(r, src.value if wide else src.value & ((1 << (8 * size)) - 1))
        return r, _STORE_OP.get(dt, "str")
    _fail(f"Store input must be a register or an immediate, got {src}")


@rule("Store")
def lower_Store(cx: Ctx, ins: Instruction) -> None:
    """translateStore (autogen.cpp:1958-2078).  Address and value scratches are
    always distinct (CinderX uses X14 for both on a far stack slot)."""
    dst, src = ins.output, ins.inputs[0]
    dt = dst.dtype
    if isinstance(dst, Stack):
        s0, s1 = cx.scratch(2)
        rt, op = _store_rt(cx, src, dt, s1)
        cx.slot(op, rt, dst.offset, s0)
    elif isinstance(dst, Ind):
        if isinstance(src, Imm) and src.value != 0:
            s0, s1, s2 = cx.scratch(3)
        else:
            (s0, s1), s2 = cx.scratch(2), None
        # the value first (its scratch is never one the address uses)
        rt, op = _store_rt(cx, src, dt, s2)
        cx.access(op, rt, dst, _BYTES[dt], s0, s1)
    elif isinstance(dst, LMem):
        # CinderX stores to an absolute address at the width of the *input*
        # (autogen.cpp:2029-2041: `str getGpWiden(input)`, 4 or 8 bytes; an
        # immediate via `mov x14` as 8 bytes), ignoring the output's data type.
        # Where the two disagree the LIR is ambiguous: refuse rather than pick.
        cx_bytes = 8 if (not _is_reg(src) or src.is_fp or src.bits > 32) else 4
        if cx_bytes != _BYTES[dt]:
            _fail(f"Store to an absolute address declares {_BYTES[dt]} bytes ({dt}) but "
                  f"CinderX's emitter writes {cx_bytes} for {src} (autogen.cpp:2029-2041): "
                  "ambiguous, refused")
        s0, s1 = cx.scratch(2)
        rt, op = _store_rt(cx, src, dt, s1)
        cx.load_addr(s0, dst.address)
        getattr(cx.a, op)(rt, mem(s0, 0))
    else:
        _fail(f"Store output must be memory, got {dst}")


@rule("LoadPair")
def lower_LoadPair(cx: Ctx, ins: Instruction) -> None:
    """translateLoadPair (autogen.cpp:1474-1500): ldp out, in2, [base, #off]."""
    off = _signed_imm(ins.inputs[0])
    d0, d1 = xreg(ins.output), xreg(ins.inputs[2])
    m = cx.pair_mem(ins.inputs[1], off, cx.scratch(1)[0])
    cx.a.ldp(d0, d1, m)


@rule("StorePair")
def lower_StorePair(cx: Ctx, ins: Instruction) -> None:
    """translateStorePair (autogen.cpp:1416-1472): stp v0, v1, [base, #off];
    an Imm value must be 0 (xzr)."""
    off = _signed_imm(ins.inputs[0])
    vals = []
    for op in ins.inputs[2:4]:
        if isinstance(op, Imm):
            if op.value != 0:
                _fail(f"StorePair immediate must be 0, got {op}")
            vals.append(XZR)
        else:
            vals.append(xreg(op))
    m = cx.pair_mem(ins.inputs[1], off, cx.scratch(1)[0])
    cx.a.stp(vals[0], vals[1], m)


@rule("Lea")
def lower_Lea(cx: Ctx, ins: Instruction) -> None:
    """translateLea / translateLeaLabel (autogen.cpp:1747-1771, 837-856)."""
    out, src = ins.output, ins.inputs[0]
    rd = xreg(out)
    s = cx.scratch(1)[0]
    if isinstance(src, Stack):
        cx.add_signed(rd, FP_REG, src.offset, s)
    elif isinstance(src, LMem):
        if rd.is_sp:
            cx.load_addr(s, src.address)
            cx.a.mov(SP, s)
        else:
            cx.load_addr(rd, src.address)
    elif isinstance(src, Ind):
        base = _base_reg(src.base)
        if src.index is not None:
            if src.scale > 3:
                _fail(f"Lea multiplier {1 << src.scale} (selectA64LeaLargeMultiplier lowers it)")
            cx.a.add(rd, base, xreg(src.index), Shift.LSL, src.scale)
            base = rd
        cx.add_signed(rd, base, src.offset, s)
    elif isinstance(src, Label):
        cx.a.adr(rd, cx.label_of(src))
    else:
        _fail(f"unsupported Lea input {src}")
    if rd.is_sp or rd == FP_REG:
        cx.sp_delta = None      # translateInstr, autogen.cpp:2665-2673


@rule("Call")
def lower_Call(cx: Ctx, ins: Instruction) -> None:
    """translateCall (autogen.cpp:1773-1821): bl abs (veneer through X16 when
    out of +-128 MiB), blr reg, ldr x16,slot; blr x16, bl label; then the result
    move from x0/w0/d0."""
    a = cx.a
    tgt = ins.inputs[0]
    if isinstance(tgt, Imm):
        a.bl(tgt.value)
        if cx.gen_resume_label is not None and tgt.value == cx.facts.get("gen_alloc_helper"):
            # allocateGenAndInterpreterFrame returned (frame, footer) in x0/x1
            # and set footer->resumeEntry to CinderX's resume entry: the
            # generator resumes in armjit's (armjit.runtime.genfacts).
            a.adr(X13, cx.gen_resume_label)
            a.str(X13, mem(X[1], cx.facts["gen_resume_entry_offset"]))
            cx.gen_alloc_calls += 1
    elif _is_reg(tgt):
        a.blr(xreg(tgt))
    elif isinstance(tgt, Stack):
        cx.slot("ldr", X16, tgt.offset, X16 if 16 not in _regnums(ins) else cx.scratch(1)[0])
        a.blr(X16)
    elif isinstance(tgt, Label):
        a.bl(cx.label_of(tgt))
    else:
        _fail(f"unsupported call target {tgt}")
    out = ins.output
    if out is not None:
        if out.is_fp:
            if out.num != 32:
                a.fmov(dreg(out), D[0])
        else:
            rd = gpw(out)
            if rd.num != 0 or rd.size == 32:
                a.mov(rd, W[0] if rd.size == 32 else X[0])


@rule("Guard")
def lower_Guard(cx: Ctx, ins: Instruction) -> None:
    """translateGuard (autogen.cpp:269-438), aarch64 part l.344-422."""
    a = cx.a
    kind = GuardKind(ins.inputs[0].value)
    idx = ins.inputs[1].value
    lab = cx.deopt_label(idx)
    _check_live_values(ins, 4)
    if kind == GuardKind.AlwaysFail:
        a.b(lab)
        return
    var = ins.inputs[2]
    if not _is_reg(var):
        _fail(f"guarded value must be a register, got {var}")
    mask = 0
    if var.dtype == "8bit":
        mask, sign, reg = 0xFF, 7, wreg(var)
    elif var.dtype == "16bit":
        mask, sign, reg = 0xFFFF, 15, wreg(var)
    else:
        reg = gp(var)
        sign = reg.size - 1
    if kind == GuardKind.NotZero:
        if mask:
            a.tst(reg, mask)
            a.b_eq(lab)
        else:
            a.cbz(reg, lab)
    elif kind == GuardKind.Zero:
        if mask:
            a.tst(reg, mask)
            a.b_ne(lab)
        else:
            a.cbnz(reg, lab)
    elif kind == GuardKind.NotNegative:
        a.tbnz(reg, sign, lab)
    elif kind == GuardKind.Is:
        tgt = ins.inputs[3]
        if isinstance(tgt, Imm):
            cx.cmp_imm(reg, tgt.value, cx.scratch(1)[0])
        elif isinstance(tgt, LMem):
            cx.cmp_imm(reg, tgt.address, cx.scratch(1)[0])
        elif _is_reg(tgt):
            a.cmp(reg, gpw(tgt) if reg.size == 32 else xreg(tgt))
        else:
            _fail(f"unsupported Guard Is target {tgt}")
        a.b_ne(lab)
    else:
        _fail(f"Guard kind {kind.name} must be lowered before codegen (rewriteGuardHasType)")


def _check_live_values(ins: Instruction, first: int) -> None:
    """fillLiveValueLocations (autogen.cpp:198-216): deopt live values live in
    GP registers or stack slots, never in FP registers; and never in a scratch
    register the stage-1 exit or the trampoline clobbers (X13/X14/X16)."""
    for op in ins.inputs[first:]:
        if _is_reg(op):
            if op.is_fp:
                _fail(f"deopt live value in vector register {op}")
            if op.num in SCRATCH_GP:
                _fail(f"deopt live value in scratch register {op}")


@rule("A64GuardCC")
def lower_A64GuardCC(cx: Ctx, ins: Instruction) -> None:
    """translateA64GuardCC (autogen.cpp:257-265): b.cond to the deopt exit; the
    condition already means "fail"."""
    cond = Condition(ins.inputs[0].value)
    _check_live_values(ins, 2)
    cx.a.b_cond(COND[cond], cx.deopt_label(ins.inputs[1].value))


@rule("DeoptPatchpoint")
def lower_DeoptPatchpoint(cx: Ctx, ins: Instruction) -> None:
    """TranslateDeoptPatchpoint (autogen.cpp:440-475): the JumpPatcher's stored
    bytes, a 4-byte nop on aarch64 (code_patcher.cpp:30), later patched to
    ``b deopt_exit``.  The (patcher, nop label, deopt idx) triple is recorded."""
    idx = ins.inputs[1].value
    _check_live_values(ins, 2)
    lab = cx.a.here()
    cx.a.emit(NOP)
    cx.deopt_label(idx)
    cx.patchpoints.append((ins.inputs[0].address, lab, idx))


@rule("LoadThreadState")
def lower_LoadThreadState(cx: Ctx, ins: Instruction) -> None:
    """translateLoadThreadState (autogen.cpp:684-751) in this build's fallback
    form (tstate_offset == -1): bl _PyThreadState_GetCurrent; mov dst, x0."""
    getter = cx.facts.get("tstate_getter")
    if getter is None:
        _fail("LoadThreadState needs the address of _PyThreadState_GetCurrent (facts['tstate_getter'])")
    out = ins.output
    cx.a.bl(getter)
    if _is_reg(out):
        rd = xreg(out)
        if rd.num != 0:
            cx.a.mov(rd, X[0])
    elif isinstance(out, Stack):
        cx.slot("str", X[0], out.offset, X13)
    else:
        _fail("LoadThreadState output must be a register or stack slot")


@rule("MovConstPool")
def lower_MovConstPool(cx: Ctx, ins: Instruction) -> None:
    """translateMovConstPool (autogen.cpp:2080-2098): ldr out, =value (pool
    after the code, deduplicated)."""
    cx.a.ldr_literal(gpw(ins.output), cx.a.literal(ins.inputs[0].value))


def _cond_of(ins: Instruction) -> Cond:
    return COND[ins.cond]


@rule("BranchCC")
def lower_BranchCC(cx: Ctx, ins: Instruction) -> None:
    """emitBranchCC (autogen.cpp:49-58, 2678-2682): b.cond label."""
    cx.a.b_cond(_cond_of(ins), cx.label_of(ins.inputs[0]))


@rule("Branch")
def lower_Branch(cx: Ctx, ins: Instruction) -> None:
    """kBranch (autogen.cpp:3346-3356) and translateBranchIndirect (l.1247-1279)."""
    t = ins.inputs[0]
    if isinstance(t, Label):
        cx.a.b(cx.label_of(t))
    elif isinstance(t, Imm):
        cx.a.b(t.value)
    elif _is_reg(t):
        cx.a.br(xreg(t))
    elif isinstance(t, Ind):
        if t.index is not None:
            _fail("indirect branch through an indexed address")
        s = cx.scratch(1)[0]
        cx.ldst("ldr", X16, _base_reg(t.base), t.offset, s if s != X16 else X13)
        cx.a.br(X16)
    else:
        _fail(f"unsupported branch target {t}")


@rule("CmpBranchZero")
def lower_CmpBranchZero(cx: Ctx, ins: Instruction) -> None:
    """cbz (autogen.cpp:3357-3360)."""
    cx.a.cbz(gpw(ins.inputs[0]), cx.label_of(ins.inputs[1]))


@rule("CmpBranchNonZero")
def lower_CmpBranchNonZero(cx: Ctx, ins: Instruction) -> None:
    """cbnz (autogen.cpp:3361-3364)."""
    cx.a.cbnz(gpw(ins.inputs[0]), cx.label_of(ins.inputs[1]))


@rule("BranchBitSet", "BranchBitNotSet")
def lower_BranchBit(cx: Ctx, ins: Instruction) -> None:
    """translateBranchBit (autogen.cpp:2572-2584): tbnz/tbz."""
    r = gpw(ins.inputs[0])
    bit = ins.inputs[1].value
    if not 0 <= bit < r.size:
        _fail(f"bit {bit} outside a {r.size}-bit register")
    if bit < 32 and r.size == 64:
        r = W[r.num]        # tbz Wt for bits 0..31 (the same encoding, b5 = 0)
    (cx.a.tbnz if ins.opcode == "BranchBitSet" else cx.a.tbz)(r, bit, cx.label_of(ins.inputs[2]))


@rule("Cmp")
def lower_Cmp(cx: Ctx, ins: Instruction) -> None:
    """translateCmp (autogen.cpp:2518-2539)."""
    a, b = ins.inputs[0], ins.inputs[1]
    if _is_reg(b):
        if a.is_fp and b.is_fp:
            cx.a.fcmp(dreg(a), dreg(b))
        else:
            cx.a.cmp(gpw(a), gpw(b))
    elif isinstance(b, Imm):
        cx.cmp_imm(gpw(a), b.value, cx.scratch(1)[0])
    else:
        _fail(f"unsupported Cmp operands {a}, {b}")


@rule("Compare")
def lower_Compare(cx: Ctx, ins: Instruction) -> None:
    """TranslateCompare (autogen.cpp:477-537): cmp/fcmp then cset."""
    a0, b = ins.inputs[0], ins.inputs[1]
    if isinstance(b, LMem):
        s = cx.scratch(1)[0]
        cx.load_addr(s, b.address)
        cx.a.ldr(s, mem(s, 0))
        cx.a.cmp(gpw(a0), s if gpw(a0).size == 64 else W[s.num])
    elif isinstance(b, Imm):
        cx.cmp_imm(gpw(a0), b.value, cx.scratch(1)[0])
    elif _is_reg(b) and not b.is_fp:
        cx.a.cmp(gpw(a0), gpw(b))
    elif _is_reg(b):
        cx.a.fcmp(dreg(a0), dreg(b))
    else:
        _fail(f"unsupported Compare operand {b}")
    cx.a.cset(gpw(ins.output), _cond_of(ins))


@rule("IntToBool")
def lower_IntToBool(cx: Ctx, ins: Instruction) -> None:
    """translateIntToBool (autogen.cpp:539-567): cmp in,#0; cset out, ne."""
    cx.a.cmp(gpw(ins.inputs[0]), 0)
    cx.a.cset(gpw(ins.output), Cond.NE)


@rule("Test")
def lower_Test(cx: Ctx, ins: Instruction) -> None:
    """translateTst (autogen.cpp:2586-2612); 8/16-bit through a shifted copy."""
    a0, a1 = ins.inputs
    shift = {"8bit": 24, "16bit": 16}.get(a0.dtype, 0)
    if shift:
        s = W[cx.scratch(1)[0].num]
        cx.a.lsl(s, wreg(a0), shift)
        cx.a.tst(s, wreg(a1), Shift.LSL, shift)
    else:
        cx.a.tst(gp(a0), gp(a1))


@rule("Test32")
def lower_Test32(cx: Ctx, ins: Instruction) -> None:
    """kTest32 (autogen.cpp): tst w, w."""
    cx.a.tst(wreg(ins.inputs[0]), wreg(ins.inputs[1]))


@rule("Select")
def lower_Select(cx: Ctx, ins: Instruction) -> None:
    """translateSelect (autogen.cpp:2614-2639)."""
    c = ins.inputs[0]
    if c.dtype in ("8bit", "16bit"):
        r = wreg(c)
        cx.a.and_(r, r, (1 << c.bits) - 1)
    else:
        r = gp(c)
    cx.a.cmp(r, 0)
    cx.a.csel(gpw(ins.output), gpw(ins.inputs[1]), gpw(ins.inputs[2]), Cond.NE)


@rule("A64SelectCC")
def lower_A64SelectCC(cx: Ctx, ins: Instruction) -> None:
    """translateA64SelectCC (autogen.cpp:2641-2647)."""
    cond = COND[Condition(ins.inputs[0].value)]
    cx.a.csel(gpw(ins.output), gpw(ins.inputs[1]), gpw(ins.inputs[2]), cond)


def _binop(cx: Ctx, ins: Instruction, mn: str) -> None:
    out = _dst(ins)
    rd, rn = gpw(out), gpw(ins.inputs[0])
    b = ins.inputs[1]
    fn = getattr(cx.a, mn)
    if isinstance(b, Imm):
        width = 32 if out.bits <= 32 else 64
        v = _reduce(b.value, width, f"{ins.name} immediate")
        fn(rd, rn, v, scratch=cx.scratch(1)[0] if width == 64 else W[cx.scratch(1)[0].num])
    elif _is_reg(b):
        fn(rd, rn, gpw(b))
    else:
        _fail(f"unsupported {ins.name} operand {b}")


@rule("Add")
def lower_Add(cx, ins):
    """translateAddSubOp (autogen.cpp:2266-2301)."""
    _binop(cx, ins, "add")


@rule("Sub")
def lower_Sub(cx, ins):
    """translateAddSubOp (autogen.cpp:2266-2307)."""
    _binop(cx, ins, "sub")


@rule("And")
def lower_And(cx, ins):
    """translateLogicalOp (autogen.cpp:2309-2345)."""
    _binop(cx, ins, "and_")


@rule("Or")
def lower_Or(cx, ins):
    """translateLogicalOp (autogen.cpp:2347-2351)."""
    _binop(cx, ins, "orr")


@rule("Xor")
def lower_Xor(cx, ins):
    """translateLogicalOp (autogen.cpp:2353-2357)."""
    _binop(cx, ins, "eor")


@rule("Mul")
def lower_Mul(cx, ins):
    """translateMul (autogen.cpp:2359-2378)."""
    b = ins.inputs[1]
    if not _is_reg(b):
        _fail(f"Mul operand must be a register, got {b}")
    cx.a.mul(gpw(_dst(ins)), gpw(ins.inputs[0]), gpw(b))


@rule("MulAdd")
def lower_MulAdd(cx, ins):
    """translateMulAdd (autogen.cpp:2380-2396): out = in2 + in0*in1."""
    i = ins.inputs
    cx.a.madd(gp(ins.output), gp(i[0]), gp(i[1]), gp(i[2]))


@rule("Div", "DivUn")
def lower_Div(cx, ins):
    """translateDivOp (autogen.cpp:2398-2446): sdiv/udiv; an x86 placeholder
    Imm input 0 is skipped."""
    base = 1 if len(ins.inputs) == 3 and isinstance(ins.inputs[0], Imm) else 0
    a, b = ins.inputs[base], ins.inputs[base + 1]
    out = ins.output if ins.output is not None else a
    if not _is_reg(b):
        _fail(f"divisor must be a register, got {b}")
    (cx.a.sdiv if ins.opcode == "Div" else cx.a.udiv)(gpw(out), gpw(a), gpw(b))


@rule("Negate")
def lower_Negate(cx, ins):
    """translateNegate (autogen.cpp:2230-2246)."""
    cx.a.neg(gpw(_dst(ins)), gpw(ins.inputs[0]))


@rule("Invert")
def lower_Invert(cx, ins):
    """translateInvert (autogen.cpp:2248-2264)."""
    cx.a.mvn(gpw(_dst(ins)), gpw(ins.inputs[0]))


@rule("LShift", "RShift", "RShiftUn")
def lower_Shift(cx, ins):
    """translateShift (autogen.cpp:1535-1596): lsl/asr/lsr by register or #imm."""
    mn = {"LShift": "lsl", "RShift": "asr", "RShiftUn": "lsr"}[ins.opcode]
    rn = gp(ins.inputs[0])
    rd = gp(ins.output) if ins.output is not None else rn
    b = ins.inputs[1]
    getattr(cx.a, mn)(rd, rn, gp(b) if _is_reg(b) else b.value)


@rule("Inc")
def lower_Inc(cx, ins):
    """translateIncDecOp (autogen.cpp:2541-2564): adds r, r, #1 (flags used)."""
    r = gpw(ins.inputs[0])
    cx.a.adds(r, r, 1)


@rule("Dec")
def lower_Dec(cx, ins):
    """translateIncDecOp (autogen.cpp:2566-2570): subs r, r, #1."""
    r = gpw(ins.inputs[0])
    cx.a.subs(r, r, 1)


@rule("Fadd", "Fsub", "Fmul", "Fdiv")
def lower_Farith(cx, ins):
    """kFadd/kFsub/kFmul/kFdiv (autogen.cpp:3393-3436)."""
    fn = getattr(cx.a, ins.opcode.lower())
    fn(dreg(_dst(ins)), dreg(ins.inputs[0]), dreg(ins.inputs[1]))


@rule("Int64ToDouble")
def lower_Int64ToDouble(cx, ins):
    """kInt64ToDouble (autogen.cpp:3437-3439): scvtf d, x|w."""
    cx.a.scvtf(dreg(ins.output), gp(ins.inputs[0]))


@rule("Exchange")
def lower_Exchange(cx, ins):
    """translateExchange (autogen.cpp:2491-2516): three movs through a scratch
    (CinderX swaps D registers with three eors; here three fmovs via D16/D17)."""
    r0, r1 = ins.output, ins.inputs[0]
    a = cx.a
    if r0.is_fp and r1.is_fp:
        s = cx.fp_scratch()
        a.fmov(s, dreg(r0))
        a.fmov(dreg(r0), dreg(r1))
        a.fmov(dreg(r1), s)
        return
    g0, g1 = gpw(r0), gpw(r1)
    s = cx.scratch(1)[0]
    s = s if g0.size == 64 else W[s.num]
    a.mov(s, g0)
    a.mov(g0, W[g1.num] if g0.size == 32 else xreg(r1))
    a.mov(W[g1.num] if g0.size == 32 else xreg(r1), s)


@rule("Zext", "Sext")
def lower_Ext(cx, ins):
    """translateZext / translateSext (autogen.cpp:2100-2222)."""
    out = ins.output
    src = ins.inputs[0]
    a = cx.a
    rd = gpw(out)
    zext = ins.opcode == "Zext"
    n = src.bits
    if n == 32 and not zext:
        if out.bits != 64:
            _fail("sign extension from 32 bits must produce 64 bits")
        if _is_reg(src):
            a.sxtw(xreg(out), wreg(src))
        elif isinstance(src, Stack):
            cx.ldst("ldrsw", xreg(out), FP_REG, src.offset, cx.scratch(1)[0])
        else:
            _fail(f"unsupported Sext input {src}")
        return
    if _is_reg(src):
        rn = wreg(src)
        if n == 8:
            (a.uxtb if zext else a.sxtb)(W[rd.num] if zext else rd, rn)
        elif n == 16:
            (a.uxth if zext else a.sxth)(W[rd.num] if zext else rd, rn)
        elif n == 32:
            a.mov(W[rd.num], rn)
        else:
            _fail(f"unsupported {ins.opcode} input size {n}")
    elif isinstance(src, Stack):
        dst = X[rd.num]
        if n == 8:
            cx.slot("ldrb" if zext else "ldrsb", W[rd.num] if zext else rd, src.offset, dst)
        elif n == 16:
            cx.slot("ldrh" if zext else "ldrsh", W[rd.num] if zext else rd, src.offset, dst)
        elif n == 32:
            cx.slot("ldr", W[rd.num], src.offset, dst)
        else:
            _fail(f"unsupported {ins.opcode} input size {n}")
    else:
        _fail(f"unsupported {ins.opcode} input {src}")


@rule("Push")
def lower_Push(cx, ins):
    """translatePush (autogen.cpp:2448-2467): 16 bytes per push."""
    op = ins.inputs[0]
    if _is_reg(op):
        cx.a.str(xreg(op) if op.bits == 64 else wreg(op), pre(SP, -16))
    elif isinstance(op, Stack):
        s0, s1 = cx.scratch(2)
        cx.slot("ldr", s0, op.offset, s1)
        cx.a.str(s0, pre(SP, -16))
    else:
        _fail(f"unsupported Push operand {op}")
    if cx.sp_delta is not None:
        cx.sp_delta += 16


@rule("Pop")
def lower_Pop(cx, ins):
    """translatePop (autogen.cpp:2469-2489)."""
    if cx.sp_delta is not None:
        cx.sp_delta -= 16
    op = ins.output
    if _is_reg(op):
        cx.a.ldr(xreg(op) if op.bits == 64 else wreg(op), post(SP, 16))
    elif isinstance(op, Stack):
        s0, s1 = cx.scratch(2)
        cx.a.ldr(s0, post(SP, 16))
        cx.slot("str", s0, op.offset, s1)
    else:
        _fail(f"unsupported Pop operand {op}")


@rule("VariadicPush")
def lower_VariadicPush(cx, ins):
    """translateVariadicPush (autogen.cpp:1284-1334)."""
    regs = [xreg(op) for op in ins.inputs]
    n = len(regs)
    alloc = (n + 1) // 2 * 16
    a = cx.a
    i = 0
    if n >= 2:
        a.stp(regs[0], regs[1], pre(SP, -alloc))
        i = 2
    elif n == 1:
        a.str(regs[0], pre(SP, -alloc))
        i = 1
    k = 1
    while i + 1 < n:
        a.stp(regs[i], regs[i + 1], mem(SP, k * 16))
        i += 2
        k += 1
    if i < n:
        a.str(regs[i], mem(SP, k * 16))
    if cx.sp_delta is not None:
        cx.sp_delta += alloc


@rule("ReserveStack")
def lower_ReserveStack(cx, ins):
    """translateReserveStack (autogen.cpp:862-877): out = sp + max_arg_buffer_size."""
    off = cx.frame.max_arg_buffer_size if cx.frame is not None else 0
    cx.add_signed(xreg(ins.output), SP, off, cx.scratch(1)[0])


@rule("Unreachable")
def lower_Unreachable(cx, ins):
    """translateUnreachable (autogen.cpp:2224-2228): udf #0."""
    cx.a.udf(0)


@rule("Ret")
def lower_Ret(cx, ins):
    """translateRet (autogen.cpp:1523-1533)."""
    cx.a.ret()


@rule("Leave")
def lower_Leave(cx, ins):
    """translateLeave (autogen.cpp:1506-1518)."""
    cx.a.mov(SP, FP_REG)
    cx.a.ldp(FP_REG, LR, post(SP, 16))
    cx.sp_delta = None


@rule("Prologue")
def lower_Prologue(cx, ins):
    """translatePrologue (autogen.cpp:1074-1087)."""
    cx.a.stp(FP_REG, LR, pre(SP, -16))
    cx.a.mov(FP_REG, SP)


def _sub_immediate(cx: Ctx, rd: GpReg, rn: GpReg, value: int) -> None:
    """arch::sub_immediate (arch.cpp:107-121), X13 as the scratch."""
    if value == 0:
        if rd != rn:
            cx.a.mov(rd, rn)
        return
    cx.a.sub(rd, rn, value, scratch=X13)


@rule("SetupFrame")
def lower_SetupFrame(cx, ins):
    """translateSetupFrame (autogen.cpp:1174-1239): allocate the frame, then
    save the callee-saved registers below header+spill through X13."""
    fr = cx.frame
    if fr is None:
        _fail("SetupFrame needs the frame layout")
    with cx.a.annotate("Allocate stack frame"):
        _sub_immediate(cx, SP, SP, fr.total_size)
    cx.sp_delta = None if cx.is_generator else fr.total_size
    with cx.a.annotate("Save callee-saved registers"):
        _sub_immediate(cx, X13, FP_REG, fr.callee_save_base)
        _save_restore(cx, fr, load=False)


def _phys(name: str):
    return (D if name[0] == "D" else X)[int(name[1:])]


def _save_restore(cx: Ctx, fr, load: bool) -> None:
    for op in fr.save_ops:
        regs = [_phys(r) for r in op.regs]
        m = mem(X13, op.x13_offset)
        if op.op == "str":
            (cx.a.ldr if load else cx.a.str)(regs[0], m)
        else:
            (cx.a.ldp if load else cx.a.stp)(regs[0], regs[1], m)


@rule("EpilogueEnd")
def lower_EpilogueEnd(cx, ins):
    """translateEpilogueEnd (autogen.cpp:964-1071): the return value to x0/d0
    (+ the primitive-return flag), bind hard_exit, restore the callee-saved
    registers, tear the frame down, ret."""
    a = cx.a
    if ins.inputs:
        rv = ins.inputs[0]
        primitive = rv.dtype not in ("Object", "ObjectUntagged")
        is_double = rv.dtype == "Double"
        if is_double:
            if isinstance(rv, Stack):
                cx.slot("ldr", D[0], rv.offset, X13)
            elif _is_reg(rv) and rv.num != 32:
                a.fmov(D[0], dreg(rv))
        else:
            if isinstance(rv, Stack):
                cx.slot("ldr", X[0], rv.offset, X13)
            elif _is_reg(rv) and rv.num != 0:
                a.mov(X[0], xreg(rv))
            elif not (_is_reg(rv) or isinstance(rv, Stack)):
                _fail(f"unsupported return value {rv}")
        if primitive:
            if is_double:
                a.fmov(D[1], 1.0)
            else:
                a.mov(W[1], 1)
    a.bind(cx.hard_exit_label)
    fr = cx.frame
    if fr is None:
        _fail("EpilogueEnd needs the frame layout")
    if fr.saved_regs:
        _sub_immediate(cx, X13, FP_REG, fr.callee_save_base)
        _save_restore(cx, fr, load=True)
    a.mov(SP, FP_REG)
    a.ldp(FP_REG, LR, post(SP, 16))
    # the exit sequence hard_exit .. ret: its instructions are landmarks
    # (CompiledFunction.labels[("exit", k)], armjit.verify.landmarks)
    cx.exit_ret_label = a.here("exit_ret")
    a.ret()
    cx.sp_delta = None


@rule("StoreGenYieldPoint", "StoreGenYieldFromPoint")
def lower_StoreGenYieldPoint(cx, ins):
    """translateStoreGenYield[From]Point / emitStoreGenYieldPoint
    (autogen.cpp:572-621, 753-811): footer->yieldPoint = the GenYieldPoint*
    (a CodeRuntime object: facts['gen_yield_points'][k] for the k-th yield)."""
    pts = cx.facts.get("gen_yield_points")
    off = cx.facts.get("gen_yield_point_offset")
    own = cx.facts.get("gen_yield_records")
    k = cx._yield_count
    if pts is None or off is None or k >= len(pts) or (own is not None and k >= len(own)):
        _fail("StoreGenYieldPoint needs the GenYieldPoint addresses "
              "(facts['gen_yield_points'], facts['gen_yield_point_offset'])")
    cx._yield_count += 1
    cx._pending_resume = cx.a.new_label(f"resume{k}")
    cx.yield_resume_labels.append(cx._pending_resume)
    s0, s1 = cx.scratch(2)
    if own is not None:
        # armjit's own GenYieldPoint (armjit.runtime.genfacts): a record in
        # this code's memory whose resume target is the label bound next
        idx = ins.inputs[-1]
        if not isinstance(idx, Imm) or idx.value != own[k][0]:
            _fail(f"yield {k}: deopt index {idx} is not the GenYieldPoint's {own[k][0]}")
        lab = cx.a.new_label(f"gyp{k}")
        cx.gen_record_labels.append(lab)
        cx.a.adr(s0, lab)
    else:
        cx.mov_imm(s0, pts[k])
    cx.ldst("str", s0, FP_REG, off, s1)


@rule("ResumeGenYield")
def lower_ResumeGenYield(cx, ins):
    """translateResumeGenYield / emitLoadResumedYieldInputs (autogen.cpp:623-682,
    813-835): bind the resume label; tstate (x3) to its slot; the sent value (x1)
    to the output."""
    if cx._pending_resume is None:
        _fail("ResumeGenYield without a preceding StoreGenYieldPoint")
    cx.a.bind(cx._pending_resume)
    cx._pending_resume = None
    ts = ins.inputs[0]
    if not isinstance(ts, Stack):
        _fail(f"ResumeGenYield tstate must be a stack slot, got {ts}")
    cx.slot("str", X[3], ts.offset, X13)
    out = ins.output
    if isinstance(out, Stack):
        cx.slot("str", X[1], out.offset, X13)
    elif _is_reg(out):
        if out.num != 1:
            cx.a.mov(xreg(out), X[1])
    elif out is not None:
        _fail(f"unsupported ResumeGenYield output {out}")


_FORBIDDEN = ("Nop", "CVarArgCall", "VectorCall", "VectorCallTstate", "VarArgCall", "LoadArg",
              "CondBranch", "Phi", "Return", "BranchToYieldExit")


def lower_instruction(cx: Ctx, ins: Instruction, block: Optional[int] = None) -> None:
    """Lower one instruction, or raise LoweringError naming it."""
    fn = RULES.get(ins.opcode)
    if fn is None:
        why = ("must be rewritten away before codegen (autogen.cpp:3491-3504)"
               if ins.opcode in _FORBIDDEN else "has no aarch64 translation")
        raise LoweringError(f"opcode {ins.opcode} {why}", ins, block)
    cx.ins = ins
    try:
        fn(cx, ins)
    except LoweringError as e:
        if e.ins is None:
            raise LoweringError(str(e), ins, block) from None
        raise
    except EncodingError as e:
        raise LoweringError(f"encoding refused: {e}", ins, block) from None
    # A write to SP or X29 invalidates env->sp_to_fp_delta (translateInstr,
    # autogen.cpp:2658-2674); Lea only computes an address.
    out = ins.output
    if out.__class__ is Reg and (out.num == 29 or out.num == REG_SP) and ins.opcode != "Lea":
        cx.sp_delta = None

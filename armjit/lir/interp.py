"""Reference interpreter for LIR (post-alloc, and pre-alloc vreg code with Phis).

It executes what CinderX's aarch64 lowering (``Jit/codegen/autogen.cpp``,
``AutoTranslator``; line numbers below are that file's unless another is
named) emits for each instruction, on an exact model of the A64 state:
X0-X30, SP, D0-D31 (raw 64-bit patterns), NZCV, and a sparse little-endian
byte-addressed memory (unwritten bytes read as 0, or raise with
``strict_memory``).  Virtual registers (pre-alloc) are a second register file.

Width rules taken from CinderX
------------------------------
* Sub-word values: aarch64 has no 8/16-bit GP registers.  ``getGpWiden``
  (``autogen.h:140-151``) reads an 8/16/32-bit operand as the 32-bit W
  register ("values in registers are guaranteed to be properly zero-extended
  by ldrb/ldrh/cset" -- the code relies on it and never masks);
  ``getGpOutput`` (``autogen.h:89-103``) writes 8/16/32-bit outputs to the W
  register.  A W write zero-extends into the X register (A64 rule).  So an
  8-bit ``Add`` is ``add w0, w0, w1`` and its result is *not* truncated to 8
  bits; the interpreter keeps all 32 bits, exactly like the hardware.
* Operation width: 32 when the destination's data type is 8/16/32-bit, else 64
  (add/sub l.2267-2295, logic l.2310-2339, mul l.2359, neg/mvn l.2230-2265,
  div l.2399-2434 which uses ``getGpOutput`` for every operand).
* Shifts (l.1535-1597) use ``getReg`` (l.94-123): 32/64-bit only (8/16 abort);
  register amounts are taken modulo the width (LSLV/ASRV/LSRV).
* Load (l.1885-1956, ``loadToReg`` l.1700-1720): 8/16-bit -> ldrb/ldrh into W
  (zero-extended), 32 -> ldr w, 64/Object -> ldr x, Double/D -> ldr d.
* Store (l.1958-2078, ``storeFromReg`` l.1722-1745): strb/strh/str w/str x by
  the *output's* data type; an Imm input goes through X14 (0 -> wzr/xzr) --
  except an absolute ``[0x...]`` destination, which stores the input register
  at its own width (``str getGpWiden(input)``) and an Imm as 64 bits.
* Move (l.1824-1883): reg->reg ``mov getGpWiden(out), getGpWiden(in)`` (so a W
  destination takes the low 32 bits); any D side -> fmov (raw bits); Imm 0 ->
  from XZR/WZR; Imm with dt Object -> the full 64-bit address (load_addr);
  other Imm -> ``mov`` at the destination width (truncated to 32 bits for W).
* Zext/Sext (l.2105-2222): source width = the input's data type: 8 -> uxtb/sxtb,
  16 -> uxth/sxth, 32 -> ``mov w,w`` / sxtw (Sext from 32 must produce 64);
  Sext to a W destination sign-extends to 32 bits, then the W write clears the
  top half.  A stack-slot input loads with ldrb/ldrh/ldr w/ldrsb/ldrsh/ldrsw.
* Compare / Cmp (l.477-537, l.2518-2540): ``cmp getGpWiden(in0), in1`` (width
  from in0), or ``fcmp`` for two D registers; an Imm goes through
  ``cmp_immediate`` (``arch.cpp:72-86``): ``cmp #imm`` if it is an add/sub
  immediate, else ``cmn #-imm`` if that is (note: cmn's C/V come from an
  *addition*), else ``mov x13|w13, #imm; cmp``.  A Mem input is loaded as 64
  bits through X13.  Compare then ``cset``s its output (W for <=32-bit).
* Test (l.2586-2612): 8/16-bit -> ``lsl w13, w0, #24|16; tst w13, w1, lsl #24|16``
  (X13 clobbered); else ``tst`` at the operand width.  Test32 (l.3463): ``tst w, w``.
  ``tst`` sets N and Z from the result, C = V = 0.
* Inc/Dec (l.2542-2570): ``adds/subs r, r, #1`` at the widened width (sets NZCV).
* IntToBool (l.539-564): ``cmp in, #0; cset out, ne``.
* Select (l.2614-2639): an 8/16-bit condition register is first masked *in
  place* (``and w, w, #0xff|0xffff``); then ``cmp cond, #0; csel out, t, f, ne``
  (flags clobbered).  A64SelectCC (l.2641): ``csel out, in1, in2, <cond>``.
* Exchange (l.2491-2516): GP through X13 at opnd0's width (W moves
  zero-extend both); D via three eors.
* LoadPair/StorePair (l.1416-1504): 64-bit ldp/stp, Imm 0 -> xzr.
* Lea (l.1747-1771): Stack -> X29 + offset; Mem -> the address; Ind -> base +
  (index << scale) + offset; output may be SP.
* Branches: BranchCC -> ``b.cond`` with the condition mapped as in
  :mod:`armjit.lir.ops` (``Condition.a64``); CmpBranchZero/NonZero -> cbz/cbnz
  (l.3357-3364); BranchBit* -> tbz/tbnz on the widened register (l.2572);
  CondBranch (pre-codegen) -> taken when the value is non-zero.
* Guard (l.269-437): NotZero -> cbz (8/16-bit: ``tst w, #mask; b.eq``), Zero ->
  cbnz (``tst``/``b.ne``), NotNegative -> tbnz on bit 7/15/31/63, Is ->
  ``cmp_immediate``/``cmp`` then ``b.ne``, AlwaysFail -> ``b``.  A failing
  guard stops with a ``deopt`` :class:`Event`.  A64GuardCC (l.257) deopts when
  its (already negated) condition holds.  DeoptPatchpoint is a patchable nop.
* Double arithmetic: IEEE binary64 (Python floats) with A64's NaN rules
  (FPCR = 0): NaN operands propagate (signalling first, then op1, quietened),
  invalid operations give the default NaN 0x7ff8000000000000; Int64ToDouble -> scvtf
  from the W or X register (l.3430).
* Flags follow the A64 code exactly: only Cmp, Compare, Test, Test32, Inc,
  Dec, IntToBool, Select and Guard (Is; 8/16-bit NotZero/Zero) write NZCV.
  LIR's ``writesFlags`` (ops.cpp:203-251) is a conservative scheduling
  property, not what the A64 code does (``add``/``and``/``mul`` never set
  flags on aarch64).

Events: Call (target and X0-X7/D0-D7 arguments; without a ``call`` handler
the run stops, ``resume(value)`` continues with the return value in X0/D0 and
the output), Guard/A64GuardCC failure (``deopt``), EpilogueEnd/Return/Ret
(``return``, value in X0), Branch to a non-label target (``exit``),
BranchToYieldExit/StoreGenYield*/ResumeGenYield (``yield``),
VectorCall/VectorCallTstate/VarArgCall/CVarArgCall (``call``), Unreachable.
Opcodes with no A64 meaning here (x86-only, VariadicPush...) raise
:class:`InterpError`.
"""

from __future__ import annotations

import math
import struct
from dataclasses import dataclass, field
from typing import Callable, Dict, List, Optional

from armjit.emit.immediates import is_add_sub_imm   # arm::Utils::isAddSubImm

from .model import BasicBlock, Function, Instruction, Operand
from .ops import Condition, GuardKind

M64 = (1 << 64) - 1
M32 = (1 << 32) - 1
X13 = 13
X14 = 14


class InterpError(RuntimeError):
    """The interpreter cannot execute an instruction (names block and instruction)."""


@dataclass
class Event:
    kind: str                       # call, deopt, return, exit, yield, unreachable
    instruction: Instruction
    block: int
    target: Optional[int] = None    # call/branch target value
    args: List[int] = field(default_factory=list)    # X0..X7
    fargs: List[int] = field(default_factory=list)   # D0..D7 raw bits


class Machine:
    """A64 register state plus a sparse little-endian memory."""

    def __init__(self, strict_memory: bool = False):
        self.x = [0] * 31
        self.sp = 0
        self.d = [0] * 32
        self.n = self.z = self.c = self.v = 0
        self.mem: Dict[int, int] = {}
        self.strict_memory = strict_memory
        self.vregs: Dict[int, int] = {}

    @property
    def nzcv(self) -> int:
        return (self.n << 31) | (self.z << 30) | (self.c << 29) | (self.v << 28)

    @nzcv.setter
    def nzcv(self, value: int) -> None:
        self.n, self.z = (value >> 31) & 1, (value >> 30) & 1
        self.c, self.v = (value >> 29) & 1, (value >> 28) & 1

    def load(self, addr: int, size: int) -> int:
        mem = self.mem
        v = 0
        for i in range(size):
            a = (addr + i) & M64
            b = mem.get(a)
            if b is None:
                if self.strict_memory:
                    raise InterpError(f"read of unwritten memory at {a:#x}")
                b = 0
            v |= b << (8 * i)
        return v

    def store(self, addr: int, size: int, value: int) -> None:
        for i in range(size):
            self.mem[(addr + i) & M64] = (value >> (8 * i)) & 0xFF


def _sx(v: int, bits: int) -> int:
    v &= (1 << bits) - 1
    return v - (1 << bits) if v >> (bits - 1) else v


def _f(bits: int) -> float:
    return struct.unpack("<d", struct.pack("<Q", bits & M64))[0]


def _b(x: float) -> int:
    return struct.unpack("<Q", struct.pack("<d", x))[0]


def _width(op: Operand) -> int:
    return 32 if op.bits <= 32 else 64


class Interpreter:
    """Run a function's LIR.  ``call(event) -> int`` handles calls (the value
    goes to X0/D0 and the output); without it a call stops the run."""

    def __init__(self, function: Function, machine: Optional[Machine] = None,
                 call: Optional[Callable[[Event], int]] = None, tstate: int = 0,
                 arg_buffer: int = 0):
        self.fn = function
        self.m = machine or Machine()
        self.call = call
        self.tstate = tstate
        self.arg_buffer = arg_buffer
        self.block: Optional[BasicBlock] = None
        self.index = 0
        self.pred: Optional[int] = None
        self.pending: Optional[Event] = None
        self.steps = 0

    # -- operand access -----------------------------------------------------------
    def read(self, op: Operand, widen: bool = True) -> int:
        """An operand's value as the A64 code reads it (getGpWiden)."""
        k = op.kind
        m = self.m
        if k == "r":
            n = op.num
            if n < 31:
                v = m.x[n]
            elif n == 31:
                return 0
            elif n < 64:
                return m.d[n - 32]
            else:
                v = m.sp
            return v & M32 if op.name[0] == "W" or (widen and op.bits <= 32) else v
        if k == "v":
            v = m.vregs.get(op.id)
            if v is None:
                raise InterpError(f"%{op.id} read before it was written")
            return v & M32 if op.bits <= 32 else v
        if k == "k":
            return op.value
        if k == "s":
            return m.load(self.address(op), 8 if op.bits == 64 else op.bits // 8)
        if k == "m":
            return op.address
        raise InterpError(f"cannot read a {op.kind} operand as a value: {op}")

    def write(self, op: Operand, value: int, width: Optional[int] = None) -> None:
        """Write a register: a 32-bit (W) write zero-extends into X."""
        k = op.kind
        m = self.m
        if width is None:
            width = 64 if (op.kind == "r" and op.is_fp) else _width(op)
        value &= M32 if width == 32 else M64
        if k == "r":
            n = op.num
            if n < 31:
                m.x[n] = value
            elif n == 31:
                pass
            elif n < 64:
                m.d[n - 32] = value
            else:
                m.sp = value
        elif k == "v":
            m.vregs[op.id] = value
        elif k == "s":
            m.store(self.address(op), 8, value)
        else:
            raise InterpError(f"cannot write a {op.kind} operand: {op}")

    def _base(self, op: Operand) -> int:
        if op.kind == "r":
            if op.num == 31:
                return 0
            if op.num == 0xFFFF:
                return self.m.sp
            return self.m.x[op.num] & (M32 if op.is_w else M64)
        return self.read(op)

    def address(self, op: Operand) -> int:
        k = op.kind
        if k == "s":
            return (self.m.x[29] + op.offset) & M64
        if k == "m":
            return op.address
        if k == "i":
            a = self._base(op.base) + op.offset
            if op.index is not None:
                a += self._base(op.index) << op.scale
            return a & M64
        raise InterpError(f"not a memory operand: {op}")

    # -- flags ------------------------------------------------------------------
    def _sub_flags(self, a: int, b: int, width: int) -> int:
        mask = (1 << width) - 1
        a &= mask
        b &= mask
        r = (a - b) & mask
        m = self.m
        m.n = r >> (width - 1)
        m.z = int(r == 0)
        m.c = int(a >= b)
        m.v = int(((a ^ b) & (a ^ r)) >> (width - 1) & 1)
        return r

    def _add_flags(self, a: int, b: int, width: int) -> int:
        mask = (1 << width) - 1
        a &= mask
        b &= mask
        s = a + b
        r = s & mask
        m = self.m
        m.n = r >> (width - 1)
        m.z = int(r == 0)
        m.c = int(s > mask)
        m.v = int((~(a ^ b) & (a ^ r)) >> (width - 1) & 1)
        return r

    def _logic_flags(self, r: int, width: int) -> None:
        r &= (1 << width) - 1
        m = self.m
        m.n, m.z, m.c, m.v = r >> (width - 1), int(r == 0), 0, 0

    def _cmp_imm(self, a: int, imm: int, width: int) -> None:
        """arch.cpp:72-86 cmp_immediate."""
        imm &= M64
        if is_add_sub_imm(imm):
            self._sub_flags(a, imm, width)
        elif is_add_sub_imm(-imm & M64):
            self._add_flags(a, -imm & M64, width)      # cmn
        else:
            self.m.x[X13] = imm & (M32 if width == 32 else M64)
            self._sub_flags(a, imm, width)

    def _fcmp(self, a: int, b: int) -> None:
        x, y = _f(a), _f(b)
        m = self.m
        if math.isnan(x) or math.isnan(y):
            m.n, m.z, m.c, m.v = 0, 0, 1, 1
        elif x == y:
            m.n, m.z, m.c, m.v = 0, 1, 1, 0
        elif x < y:
            m.n, m.z, m.c, m.v = 1, 0, 0, 0
        else:
            m.n, m.z, m.c, m.v = 0, 0, 1, 0

    def cond_holds(self, cond: Condition) -> bool:
        m = self.m
        n, z, c, v = m.n, m.z, m.c, m.v
        cc = cond.a64
        return {
            "eq": z == 1, "ne": z == 0, "cs": c == 1, "hs": c == 1, "cc": c == 0,
            "lo": c == 0, "mi": n == 1, "pl": n == 0, "vs": v == 1, "vc": v == 0,
            "hi": c == 1 and z == 0, "ls": not (c == 1 and z == 0), "ge": n == v,
            "lt": n != v, "gt": z == 0 and n == v, "le": not (z == 0 and n == v),
        }[cc]

    def _compare(self, a: Operand, b: Operand) -> None:
        if a.kind == "r" and a.is_fp and b.kind == "r" and b.is_fp:
            self._fcmp(self.read(a), self.read(b))
            return
        width = _width(a)
        if b.kind == "k":
            self._cmp_imm(self.read(a), b.value, width)
        elif b.kind == "m":
            v = self.m.load(b.address, 8)
            self.m.x[X13] = v
            self._sub_flags(self.read(a), v, width)
        else:
            self._sub_flags(self.read(a), self.read(b), width)

    # -- running ----------------------------------------------------------------
    def _event(self, kind: str, ins: Instruction, **kw) -> Event:
        m = self.m
        return Event(kind, ins, self.block.id if self.block else -1,
                     args=m.x[:8], fargs=m.d[:8], **kw)

    def start(self, block_id: Optional[int] = None, pred: Optional[int] = None) -> None:
        b = self.fn.block(block_id) if block_id is not None else self.fn.blocks[0]
        self._enter(b, pred)

    def _enter(self, b: BasicBlock, pred: Optional[int]) -> None:
        self.block, self.index, self.pred = b, 0, pred
        # Phis read their inputs on the edge, all at once.
        phis = []
        for ins in b.instructions:
            if ins.opcode != "Phi":
                break
            if pred is None:
                raise InterpError(f"BB %{b.id}: Phi needs the predecessor taken")
            try:
                k = ins.phi_blocks.index(pred)
            except ValueError:
                raise InterpError(f"BB %{b.id}: Phi has no input for BB %{pred}") from None
            phis.append((ins.output, self.read(ins.inputs[k])))
        for out, val in phis:
            self.write(out, val)
        self.index = len(phis)

    def resume(self, value: int = 0, max_steps: int = 1_000_000) -> Optional[Event]:
        """Continue after a call event, the call returning ``value``."""
        ev = self.pending
        if ev is None:
            raise InterpError("nothing to resume")
        self.pending = None
        self._call_return(ev.instruction, value)
        return self.run(max_steps=max_steps, _continue=True)

    def _call_return(self, ins: Instruction, value: int) -> None:
        out = ins.output
        if out is not None and out.kind == "r" and out.is_fp:
            self.m.d[0] = value & M64
        else:
            self.m.x[0] = value & M64
        if out is not None:
            self.write(out, value)

    def run(self, block_id: Optional[int] = None, pred: Optional[int] = None,
            max_steps: int = 1_000_000, single_block: bool = False,
            _continue: bool = False) -> Optional[Event]:
        """Run from ``block_id`` (default: the entry block) until an event
        stops execution (returned) or, with ``single_block``, until the end of
        the block (returns None; ``next_block`` then holds the successor)."""
        if not _continue:
            self.start(block_id, pred)
        self.next_block: Optional[int] = None
        while True:
            b = self.block
            ins_list = b.instructions
            while self.index < len(ins_list):
                ins = ins_list[self.index]
                self.index += 1
                self.steps += 1
                if self.steps > max_steps:
                    raise InterpError("step limit reached")
                try:
                    r = self._exec(ins)
                except InterpError as e:
                    raise InterpError(f"BB %{b.id}, {ins!r}: {e}") from None
                if r is None:
                    continue
                if isinstance(r, Event):
                    if r.kind == "call":
                        if self.call is not None:
                            self._call_return(ins, self.call(r))
                            continue
                        self.pending = r
                    return r
                # a taken branch: r is the target block id
                self.next_block = r
                break
            else:
                self.next_block = self._fallthrough(b)
            if self.next_block is None:
                return None
            if single_block:
                return None
            self._enter(self.fn.block(self.next_block), b.id)

    def _fallthrough(self, b: BasicBlock) -> Optional[int]:
        if not b.succs:
            return None
        last = b.instructions[-1] if b.instructions else None
        targets = {op.block for op in (last.inputs if last else ()) if op.kind == "l"}
        rest = [s for s in b.succs if s not in targets]
        if last is not None and last.opcode in ("BranchCC", "CondBranch", "CmpBranchZero",
                                                "CmpBranchNonZero", "BranchBitSet",
                                                "BranchBitNotSet") and not targets:
            return b.succs[1]               # not taken, implicit targets
        return rest[0] if rest else b.succs[-1]

    def _taken(self, ins: Instruction, b: BasicBlock) -> int:
        for op in ins.inputs:
            if op.kind == "l":
                return self._label(op.block, b)
        return b.succs[0]

    def _label(self, target: int, b: BasicBlock) -> int:
        """A label operand's block; at the regalloc stage a label may still name
        the old target of an edge the allocator split (see the verifier)."""
        if target in b.succs:
            return target
        for s in b.succs:
            sb = self.fn.block(s)
            if sb.succs == [target] and sb.preds == [b.id]:
                return s
        return target

    # -- one instruction ------------------------------------------------------------
    def _exec(self, ins: Instruction):
        op = ins.opcode
        h = _HANDLERS.get(op)
        if h is None:
            raise InterpError(f"{op} is not supported by the interpreter")
        return h(self, ins, ins.output, ins.inputs)


def _dst(ins, out, inp):
    """2-address: no output means input 0 is the destination."""
    return out if out is not None else inp[0]


def _alu(fn):
    def h(it, ins, out, inp):
        d = _dst(ins, out, inp)
        w = _width(d)
        it.write(d, fn(it.read(inp[0]), it.read(inp[1]), w), w)
    return h


def _shift(kind):
    def h(it, ins, out, inp):
        d = _dst(ins, out, inp)
        if d.bits < 32 or inp[0].bits < 32:
            raise InterpError("8/16-bit shifts abort in getReg (autogen.cpp:111-114)")
        w = _width(d)
        a = it.read(inp[0]) & ((1 << w) - 1)
        amt = it.read(inp[1])
        if inp[1].kind == "k":
            if amt >= w:
                raise InterpError("shift immediate out of range")
        else:
            amt %= w
        if kind == "lsl":
            r = a << amt
        elif kind == "lsr":
            r = a >> amt
        else:
            r = _sx(a, w) >> amt
        it.write(d, r, w)
    return h


def _h_div(signed):
    def h(it, ins, out, inp):
        base = 1 if len(inp) == 3 and inp[0].kind == "k" else 0
        d = _dst(ins, out, inp)
        w = _width(d)
        a, b = it.read(inp[base]), it.read(inp[base + 1])
        mask = (1 << w) - 1
        a &= mask
        b &= mask
        if b == 0:
            r = 0
        elif signed:
            sa, sb = _sx(a, w), _sx(b, w)
            q = abs(sa) // abs(sb)
            r = q if (sa < 0) == (sb < 0) else -q
        else:
            r = a // b
        it.write(d, r, w)
    return h


def _h_move(it, ins, out, inp):
    src = inp[0]
    if out.kind not in "rv":
        raise InterpError("Move output must be a register (autogen.cpp:1828)")
    if src.kind in "rv":
        if (out.kind == "r" and out.is_fp) or (src.kind == "r" and src.is_fp):
            it.write(out, it.read(src), 64)          # fmov, raw bits
        else:
            it.write(out, it.read(src))
    elif src.kind == "k":
        v = src.value
        if out.kind == "r" and out.is_fp:
            it.write(out, v, 64)
        elif v == 0:
            it.write(out, 0)
        elif src.dtype == "Object":
            it.write(out, v, 64)                     # load_addr: a full address
        else:
            it.write(out, v)
    else:
        raise InterpError("Move input must be Reg or Imm (autogen.cpp:1832)")


_LOAD_SIZE = {8: 1, 16: 2, 32: 4, 64: 8}


def _h_load(it, ins, out, inp):
    addr = it.address(inp[0])
    if out.kind == "r" and out.is_fp:
        it.write(out, it.m.load(addr, 8), 64)
        return
    bits = out.bits
    it.write(out, it.m.load(addr, _LOAD_SIZE[bits]))


def _h_store(it, ins, out, inp):
    src = inp[0]
    addr = it.address(out)
    m = it.m
    if src.kind == "k":
        v = src.value
        if out.kind == "m":
            if v:
                m.x[X14] = v
            m.store(addr, 8, v)
            return
        size = _LOAD_SIZE[out.bits]
        if v and size < 8:
            m.x[X14] = v & M32
        elif v:
            m.x[X14] = v
        m.store(addr, size, v)
        return
    v = it.read(src)
    if src.kind == "r" and src.is_fp:
        m.store(addr, 8, v)
    elif out.kind == "m":
        m.store(addr, 4 if src.bits <= 32 else 8, v)
    else:
        m.store(addr, _LOAD_SIZE[out.bits], v)


def _h_lea(it, ins, out, inp):
    src = inp[0]
    if src.kind == "l":
        raise InterpError("Lea of a label needs code addresses")
    it.write(out, it.address(src), 64)


def _h_ext(signed):
    def h(it, ins, out, inp):
        src = inp[0]
        sb = src.bits
        if src.kind == "s":
            v = it.m.load(it.address(src), _LOAD_SIZE.get(sb, 8))
        else:
            v = it.read(src) & M32
        if sb not in (8, 16, 32):
            raise InterpError(f"unsupported input size {sb} (autogen.cpp:2135)")
        v &= (1 << sb) - 1
        if not signed:
            it.write(out, v, 32 if out.bits <= 32 else 64)
            return
        if sb == 32 and out.bits != 64:
            raise InterpError("Sext from 32 bits must go to 64 bits (autogen.cpp:2190)")
        w = _width(out)
        it.write(out, _sx(v, sb), w)
    return h


def _h_negate(it, ins, out, inp):
    d = _dst(ins, out, inp)
    w = _width(d)
    it.write(d, -it.read(inp[0]), w)


def _h_invert(it, ins, out, inp):
    d = _dst(ins, out, inp)
    w = _width(d)
    it.write(d, ~it.read(inp[0]), w)


def _h_muladd(it, ins, out, inp):
    w = _width(out)
    it.write(out, it.read(inp[2]) + it.read(inp[0]) * it.read(inp[1]), w)


def _h_incdec(delta):
    def h(it, ins, out, inp):
        r = inp[0]
        if r.kind not in "rv":
            raise InterpError("Inc/Dec need a register (autogen.cpp:2552)")
        w = _width(r)
        if delta > 0:
            v = it._add_flags(it.read(r), 1, w)
        else:
            v = it._sub_flags(it.read(r), 1, w)
        it.write(r, v, w)
    return h


def _h_cmp(it, ins, out, inp):
    it._compare(inp[0], inp[1])


def _h_compare(it, ins, out, inp):
    it._compare(inp[0], inp[1])
    it.write(out, int(it.cond_holds(ins.cond)))


def _h_test(it, ins, out, inp):
    a, b = inp
    bits = a.bits
    if bits in (8, 16):
        s = 32 - bits
        x = (it.read(a) << s) & M32
        it.m.x[X13] = x
        it._logic_flags(x & (it.read(b) << s), 32)
    else:
        w = 32 if bits == 32 else 64
        it._logic_flags(it.read(a) & it.read(b), w)


def _h_test32(it, ins, out, inp):
    it._logic_flags(it.read(inp[0]) & it.read(inp[1]) & M32, 32)


def _h_inttobool(it, ins, out, inp):
    it._cmp_imm(it.read(inp[0]), 0, _width(inp[0]))
    it.write(out, int(it.m.z == 0))


def _h_select(it, ins, out, inp):
    c = inp[0]
    if c.bits in (8, 16):
        v = it.read(c) & ((1 << c.bits) - 1)
        it.write(c, v, 32)
        w = 32
    else:
        v = it.read(c)
        w = _width(c)
    it._sub_flags(v, 0, w)
    it.write(out, it.read(inp[1]) if it.m.z == 0 else it.read(inp[2]))


def _h_selectcc(it, ins, out, inp):
    cond = Condition(inp[0].value)
    it.write(out, it.read(inp[1]) if it.cond_holds(cond) else it.read(inp[2]))


def _h_exchange(it, ins, out, inp):
    a, b = out, inp[0]
    if a.kind == "r" and a.is_fp:
        va, vb = it.read(a), it.read(b)
        it.write(a, vb, 64)
        it.write(b, va, 64)
        return
    w = _width(a)
    va, vb = it.read(a), it.read(b)
    it.m.x[X13] = va & (M32 if w == 32 else M64)
    it.write(a, vb, w)
    it.write(b, va, w)


def _h_loadpair(it, ins, out, inp):
    base = it._base(inp[1])
    addr = (base + _sx(inp[0].value, 64)) & M64
    v0, v1 = it.m.load(addr, 8), it.m.load(addr + 8, 8)
    it.write(out, v0, 64)
    it.write(inp[2], v1, 64)


def _h_storepair(it, ins, out, inp):
    base = it._base(inp[1])
    addr = (base + _sx(inp[0].value, 64)) & M64
    vals = []
    for op in inp[2:4]:
        vals.append(0 if op.kind == "k" else (it.m.x[op.num] if op.kind == "r" and op.num < 31
                                              else it.read(op, widen=False)))
    it.m.store(addr, 8, vals[0])
    it.m.store(addr + 8, 8, vals[1])


_DEFAULT_NAN = 0x7FF8000000000000     # A64 FPDefaultNaN: positive, quiet, zero payload
_EXP = 0x7FF0000000000000
_QUIET = 1 << 51


def _is_nan_bits(v: int) -> bool:
    return v & _EXP == _EXP and v & ((1 << 52) - 1) != 0


def _fp_result(a: int, b: int, fn) -> int:
    """A64 FADD/FSUB/FMUL/FDIV on raw bits with FPCR = 0 (no default-NaN
    mode): a NaN operand propagates by FPProcessNaNs (Arm ARM J1 shared
    pseudocode: a signalling NaN first, op1 before op2, quietened), and an
    invalid operation (inf-inf, 0*inf, 0/0, inf/inf) gives the *default* NaN
    0x7ff8000000000000 -- not the host's (x86 produces 0xfff8...)."""
    na, nb = _is_nan_bits(a), _is_nan_bits(b)
    if na or nb:
        if na and not a & _QUIET:
            return a | _QUIET
        if nb and not b & _QUIET:
            return b | _QUIET
        return a if na else b
    r = fn(_f(a), _f(b))
    return _DEFAULT_NAN if math.isnan(r) else _b(r)


def _h_fp(fn):
    def h(it, ins, out, inp):
        d = _dst(ins, out, inp)
        it.write(d, _fp_result(it.read(inp[0]), it.read(inp[1]), fn), 64)
    return h


def _fdiv(a: float, b: float) -> float:
    try:
        return a / b
    except ZeroDivisionError:
        if a == 0 or math.isnan(a):
            return math.nan
        return math.copysign(math.inf, a) * math.copysign(1.0, b)


def _h_i2d(it, ins, out, inp):
    src = inp[0]
    w = _width(src)
    it.write(out, _b(float(_sx(it.read(src), w))), 64)


def _h_branch(it, ins, out, inp):
    if not inp:
        return it.block.succs[0]
    t = inp[0]
    if t.kind == "l":
        return t.block
    target = it.m.load(it.address(t), 8) if t.kind == "i" else it.read(t)
    return it._event("exit", ins, target=target)


def _h_branchcc(it, ins, out, inp):
    if it.cond_holds(ins.cond):
        return it._taken(ins, it.block)
    return None


def _h_condbranch(it, ins, out, inp):
    b = it.block
    # The successors are (true, false) (the verifier checks the labels agree;
    # at regalloc the labels may be stale, the successors are not).
    return b.succs[0] if it.read(inp[0]) != 0 else b.succs[1]


def _h_cbz(zero):
    def h(it, ins, out, inp):
        if (it.read(inp[0]) == 0) == zero:
            return it._taken(ins, it.block)
        return None
    return h


def _h_bit(is_set):
    def h(it, ins, out, inp):
        bit = (it.read(inp[0]) >> inp[1].value) & 1
        if bit == int(is_set):
            return it._taken(ins, it.block)
        return None
    return h


def _h_guard(it, ins, out, inp):
    kind = inp[0].value
    fail = False
    if kind == GuardKind.AlwaysFail:
        fail = True
    elif kind == GuardKind.HasType:
        raise InterpError("HasType guards are lowered in postgen (autogen.cpp:432)")
    else:
        var = inp[2]
        bits = var.bits
        v = it.read(var)
        if kind in (GuardKind.NotZero, GuardKind.Zero):
            if bits in (8, 16):
                it._logic_flags(v & ((1 << bits) - 1), 32)
                zero = it.m.z == 1
            else:
                zero = v == 0
            fail = zero if kind == GuardKind.NotZero else not zero
        elif kind == GuardKind.NotNegative:
            sign = 7 if bits == 8 else 15 if bits == 16 else 31 if bits == 32 else 63
            fail = bool((v >> sign) & 1)
        elif kind == GuardKind.Is:
            w = 32 if bits <= 32 else 64
            t = inp[3]
            if t.kind in "km":
                it._cmp_imm(v, t.value if t.kind == "k" else t.address, w)
            else:
                it._sub_flags(v, it.read(t), w)
            fail = it.m.z == 0
        else:
            raise InterpError(f"unknown guard kind {kind}")
    if fail:
        return it._event("deopt", ins, target=inp[1].value)
    return None


def _h_guardcc(it, ins, out, inp):
    if it.cond_holds(Condition(inp[0].value)):
        return it._event("deopt", ins, target=inp[1].value)
    return None


def _h_call(it, ins, out, inp):
    t = inp[0] if inp else None
    target = None
    if t is not None:
        if t.kind == "l":
            target = None
        elif t.kind in "kmrvs":
            target = it.read(t)
    return it._event("call", ins, target=target)


def _h_nop(it, ins, out, inp):
    return None


def _h_event(kind):
    def h(it, ins, out, inp):
        target = it.read(inp[0]) if kind == "return" and inp and inp[0].kind != "l" else None
        return it._event(kind, ins, target=target)
    return h


def _h_lts(it, ins, out, inp):
    it.write(out, it.tstate, 64)


def _h_reserve(it, ins, out, inp):
    it.write(out, it.m.sp + it.arg_buffer, 64)


def _h_constpool(it, ins, out, inp):
    it.write(out, inp[0].value, 64)


def _h_bind(it, ins, out, inp):
    if out.kind == "v":
        it.write(out, it.read(inp[0], widen=False), 64)


def _h_push(it, ins, out, inp):
    m = it.m
    m.sp = (m.sp - 16) & M64
    m.store(m.sp, 8, it.read(inp[0], widen=False))


def _h_pop(it, ins, out, inp):
    m = it.m
    v = m.load(m.sp, 8)
    m.sp = (m.sp + 16) & M64
    it.write(out, v, 64)


def _h_leave(it, ins, out, inp):
    m = it.m
    m.sp = m.x[29]
    m.x[29], m.x[30] = m.load(m.sp, 8), m.load(m.sp + 8, 8)
    m.sp = (m.sp + 16) & M64


def _h_phi(it, ins, out, inp):
    raise InterpError("Phi after the start of its block")


_HANDLERS: Dict[str, Callable] = {
    "Add": _alu(lambda a, b, w: a + b),
    "Sub": _alu(lambda a, b, w: a - b),
    "And": _alu(lambda a, b, w: a & b),
    "Or": _alu(lambda a, b, w: a | b),
    "Xor": _alu(lambda a, b, w: a ^ b),
    "Mul": _alu(lambda a, b, w: a * b),
    "MulAdd": _h_muladd,
    "Div": _h_div(True),
    "DivUn": _h_div(False),
    "Negate": _h_negate,
    "Invert": _h_invert,
    "LShift": _shift("lsl"),
    "RShift": _shift("asr"),
    "RShiftUn": _shift("lsr"),
    "Inc": _h_incdec(1),
    "Dec": _h_incdec(-1),
    "Cmp": _h_cmp,
    "Compare": _h_compare,
    "Test": _h_test,
    "Test32": _h_test32,
    "IntToBool": _h_inttobool,
    "Select": _h_select,
    "A64SelectCC": _h_selectcc,
    "Move": _h_move,
    "Load": _h_load,
    "Store": _h_store,
    "Lea": _h_lea,
    "Zext": _h_ext(False),
    "Sext": _h_ext(True),
    "Exchange": _h_exchange,
    "LoadPair": _h_loadpair,
    "StorePair": _h_storepair,
    "Fadd": _h_fp(lambda a, b: a + b),
    "Fsub": _h_fp(lambda a, b: a - b),
    "Fmul": _h_fp(lambda a, b: a * b),
    "Fdiv": _h_fp(_fdiv),
    "Int64ToDouble": _h_i2d,
    "Branch": _h_branch,
    "BranchCC": _h_branchcc,
    "CondBranch": _h_condbranch,
    "CmpBranchZero": _h_cbz(True),
    "CmpBranchNonZero": _h_cbz(False),
    "BranchBitSet": _h_bit(True),
    "BranchBitNotSet": _h_bit(False),
    "Guard": _h_guard,
    "A64GuardCC": _h_guardcc,
    "DeoptPatchpoint": _h_nop,
    "Call": _h_call,
    "VectorCall": _h_call,
    "VectorCallTstate": _h_call,
    "VarArgCall": _h_call,
    "CVarArgCall": _h_call,
    "EpilogueEnd": _h_event("return"),
    "Return": _h_event("return"),
    "Ret": _h_event("return"),
    "BranchToYieldExit": _h_event("yield"),
    "StoreGenYieldPoint": _h_event("yield"),
    "StoreGenYieldFromPoint": _h_event("yield"),
    "ResumeGenYield": _h_event("yield"),
    "Unreachable": _h_event("unreachable"),
    "Nop": _h_nop,
    "Bind": _h_bind,
    "CallSiteLiveValues": _h_nop,
    "SetupFrame": _h_nop,
    "Prologue": _h_nop,
    "LoadThreadState": _h_lts,
    "ReserveStack": _h_reserve,
    "MovConstPool": _h_constpool,
    "Push": _h_push,
    "Pop": _h_pop,
    "Leave": _h_leave,
    "Phi": _h_phi,
}

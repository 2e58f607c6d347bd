"""Unicorn equivalence harness for whole CinderX functions.

armjit lowers CinderX's post-alloc LIR to A64 code and must show, per function,
that its code behaves like asmjit's code for the same function.  This module runs
a function's machine code in Unicorn against a deterministic fake world and
records everything the outside world can observe:

* every control transfer that leaves the function's code (``bl``/``blr``/``br``/
  ``b`` to an address outside ``[address, address+len)``, directly or through
  asmjit's 16-byte ``ldr x16,[pc,#8]; br x16; .quad`` stubs) becomes a *call*
  event with its target, X0-X7, D0-D7 and a view of the function's frame; the
  fake callee returns a deterministic value and clobbers the caller-saved
  registers as a real AAPCS64 callee may;
* the jump to the shared deopt trampoline becomes a *deopt* event (the
  registers the trampoline saves, X13 = the deopt index, the 8 stage-2 slots it
  reads from the stack and the frame view), and the run stops;
* every memory write outside the function's own native frame (writes at or
  above the entry SP, i.e. the caller's stack, and all heap writes);
* the final return (X0, X1, D0, the callee-saved registers and SP checked to be
  restored), or the reason the run stopped (timeout, fault, bad return).

Values that point into the code itself (return addresses, literal-pool
addresses, ``adr`` results) are recorded as ``Code(offset)`` so that code placed
elsewhere with another layout of the same offsets compares equal; every other
value, including the absolute helper and object addresses CinderX baked in, is
compared as is.  A run that stops on a fault records its PC the same way; when
the PC has no counterpart in the other layout (an instruction that is no
landmark), the two faults are compared by what faulted (access and address)
and the faulting instruction's text instead (``compare``'s ``landmarks``).

Memory outside the code reads deterministic pseudo-random contents: pages are
mapped lazily on first access and filled from a seeded hash of the page address
(a mix of pointers into the fake heap, constants harvested from the code, small
integers, zeros and raw bits), so both codes see the same world.
"""

from __future__ import annotations

import functools
import json
import random
import struct
from dataclasses import dataclass, field
from pathlib import Path
from typing import Dict, Iterable, List, Optional, Sequence, Tuple

import capstone
import unicorn
from unicorn import arm64_const as A

from armjit.codegen import abi
from armjit.codegen.abi import PY_VECTORCALL_ARGUMENTS_OFFSET, REENTRY_OFFSET

PAGE = 0x1000
MASK64 = (1 << 64) - 1
ADDR_LIMIT = 1 << 48            # lazily map nothing at or above this

WORLD_BASE = 0x6000_0000_0000   # the fake heap that pointer-like words point into
WORLD_SPAN = 1 << 18           # pre-mapped; helpers return pointers into it too
OBJ_BASE = 0x5f00_0000_0000     # the fake function, argument and kwnames objects
STACK_TOP = 0x7ff0_0000_0000
STACK_SIZE = 0x2_0000           # pre-mapped
CALLER_AREA = 0x1_0000          # the caller's part of the stack, above the entry SP
ENTRY_SP = STACK_TOP - CALLER_AREA
ARGS_ARRAY = ENTRY_SP + 0x100   # the vectorcall args array lives in the caller's stack
RET_SENTINEL = 0x7ffe_dead_0000 # X30 at entry: reaching it is the function's return
TPIDR = 0x5e00_0000_0000


DEFAULT_MAX_INSNS = 200_000
DEFAULT_MAX_PAGES = 256

# Registers a real callee may clobber (AAPCS64): X0-X18, D0-D7, D16-D31.
_XREGS = [getattr(A, f"UC_ARM64_REG_X{i}") for i in range(29)] + [A.UC_ARM64_REG_X29, A.UC_ARM64_REG_X30]
_DREGS = [getattr(A, f"UC_ARM64_REG_D{i}") for i in range(32)]
CALLER_SAVED_X = list(range(1, 19))
CALLER_SAVED_D = list(range(0, 8)) + list(range(16, 32))
CALLEE_SAVED_X = list(abi.CALLEE_SAVED_GP)
CALLEE_SAVED_D = list(abi.CALLEE_SAVED_FP)
# Registers the deopt trampoline saves (X0-X27, and X28 via the stage-2 slot);
# X14 and X16 are scratch registers with no meaning at the jump.
DEOPT_X = [i for i in range(29) if i not in (abi.SCRATCH_1, abi.SCRATCH_BR)]
# Stage-2 slots [x28][fp][epilogue][code_rt][pad][pad][lr][idx]: the pads are not read.
DEOPT_SLOTS = (0, 1, 2, 3, 6, 7)


@dataclass(frozen=True)
class Code:
    """A value that pointed into the function's own code: its offset there."""
    offset: int

    def __repr__(self) -> str:
        return f"code+{self.offset:#x}"


@dataclass(frozen=True)
class World:
    """Everything the fake outside world is made of; both codes get the same one.

    args: one entry per argument object: None for an object of random contents,
    or an int k for an object whose ob_type is ``constants[k % len(constants)]``
    (a constant harvested from the code, so that type guards can pass).
    nargsf: the X2 value (default ``len(args)``); kwnames: None for NULL, else the
    number of names in a fake kwnames tuple.  null_every: helpers return NULL
    (and 0 in D0) on calls whose hash is 0 modulo this (0 = never).
    """
    seed: int = 0
    args: Tuple[Optional[int], ...] = ()
    nargsf: Optional[int] = None
    kwnames: Optional[int] = None
    constants: Tuple[int, ...] = ()
    null_every: int = 0
    reentry: bool = False        # for prove(): start at entry-12 (JITRT_CALL_REENTRY_OFFSET)

    def describe(self) -> str:
        n = len(self.args) if self.nargsf is None else self.nargsf
        return (f"seed={self.seed} args={list(self.args)} nargsf={n:#x} kwnames={self.kwnames} "
                f"null_every={self.null_every}{' reentry' if self.reentry else ''}")


def _mix(*vals: int) -> int:
    """A 64-bit deterministic hash (splitmix64 over the values)."""
    h = 0x9E3779B97F4A7C15
    for v in vals:
        h = (h ^ (v & MASK64)) * 0xBF58476D1CE4E5B9 & MASK64
        h ^= h >> 31
        h = (h * 0x94D049BB133111EB) & MASK64
        h ^= h >> 29
    return h


@functools.lru_cache(maxsize=4096)
def _page_base(seed: int, page: int) -> Tuple[bytes, Tuple[Tuple[int, int], ...]]:
    """A page's words, and the (offset, hash) slots that hold one of the world's constants."""
    rng = random.Random(_mix(seed, page, 0x70A6E))
    words = struct.unpack(f"<{PAGE // 8}Q", rng.randbytes(PAGE))
    out = []
    slots = []
    for i, w in enumerate(words):
        k = w >> 56
        if k < 72:                       # pointer into the fake heap, 16-aligned
            out.append(WORLD_BASE + (w & (WORLD_SPAN - 1) & ~0xF))
        elif k < 100:                    # a constant the code itself uses
            out.append(WORLD_BASE + (w & (WORLD_SPAN - 1) & ~0xF))
            slots.append((8 * i, w))
        elif k < 150:                    # small integer (refcounts, sizes, flags)
            out.append(w & 0xFF)
        elif k < 190:
            out.append(0)
        else:                            # 32 random bits
            out.append(w & 0xFFFFFFFF)
    return struct.pack(f"<{PAGE // 8}Q", *out), tuple(slots)


def page_bytes(world: World, page: int) -> bytes:
    """The deterministic contents of the page at ``page`` in ``world``: a mix of
    pointers into the fake heap, the constants the code uses (type objects,
    globals...), small integers, zeros and 32-bit noise."""
    base, slots = _page_base(world.seed, page)
    consts = world.constants
    if not consts or not slots:
        return base
    buf = bytearray(base)
    n = len(consts)
    for off, w in slots:
        struct.pack_into("<Q", buf, off, consts[w % n])
    return bytes(buf)


@functools.lru_cache(maxsize=16)
def stack_bytes(seed: int) -> bytes:
    """The pre-mapped stack's contents: heap pointers (8 mod 16) and no zero
    words, so that a store of zero to a wrong frame slot still changes what the
    frame holds, and a stale slot read as a pointer can be followed."""
    rng = random.Random(_mix(seed, 0x57AC))
    n = STACK_SIZE // 8
    words = struct.unpack(f"<{n}Q", rng.randbytes(STACK_SIZE))
    return struct.pack(f"<{n}Q", *(WORLD_BASE + (w & (WORLD_SPAN - 1) & ~0xF) + 8 for w in words))


@functools.lru_cache(maxsize=16)
def region_bytes(world: World, lo: int, size: int) -> bytes:
    """The contents of the pre-mapped region [lo, lo+size) (cached per world)."""
    return b"".join(page_bytes(world, p) for p in range(lo, lo + size, PAGE))


@dataclass
class Trace:
    """What the outside world saw of one run.

    effects: in order, ``("write", addr, size, value)``,
    ``("call", target, (x0..x7), (d0..d7), frame, sp - entry_sp)`` and
    ``("deopt", target, ((reg, value)...), slots, frame, sp - entry_sp)`` tuples; addresses and
    values inside the code are ``Code`` offsets.  stop: ``("return", x0, x1,
    d0, problems)``, ``("deopt",)``, ``("timeout", pc)``, ``("fault", pc, what,
    instruction)`` (``instruction``: the faulting instruction's Capstone text,
    None outside the code) or
    ``("bad-return", x30)``.
    """
    effects: List[tuple] = field(default_factory=list)
    stop: tuple = ()
    instructions: int = 0
    coverage: set = field(default_factory=set)   # code offsets of executed instructions
    pages: int = 0

    @property
    def kind(self) -> str:
        return self.stop[0] if self.stop else "none"

    def calls(self) -> int:
        return sum(1 for e in self.effects if e[0] == "call")


class _Runner:
    def __init__(self, code: bytes, address: int, world: World, deopt_target: Optional[int],
                 frame_bytes: int, max_insns: int, max_pages: int, coverage: bool,
                 offset_map: Optional[Dict[int, int]] = None):
        self.code = code
        self.offset_map = offset_map
        self.lo = address
        self.hi = address + len(code)
        self.world = world
        self.deopt_target = deopt_target
        self.frame_bytes = frame_bytes
        self.max_insns = max_insns
        self.max_pages = max_pages
        self.want_coverage = coverage
        self.trace = Trace()
        self.exit_target: Optional[int] = None
        self.fault: Optional[str] = None
        self.timed_out = False
        self.ncalls = 0
        self.mapped: set = set()

        uc = unicorn.Uc(unicorn.UC_ARCH_ARM64, unicorn.UC_MODE_ARM)
        uc.ctl_set_cpu_model(A.UC_CPU_ARM64_MAX)
        uc.reg_write(A.UC_ARM64_REG_CPACR_EL1, 3 << 20)
        self.uc = uc

        # Code pages: world contents with the code on top.
        c_lo = address & ~(PAGE - 1)
        c_hi = (self.hi + PAGE - 1) & ~(PAGE - 1)
        uc.mem_map(c_lo, c_hi - c_lo, unicorn.UC_PROT_ALL)
        uc.mem_write(c_lo, b"".join(page_bytes(world, p) for p in range(c_lo, c_hi, PAGE)))
        uc.mem_write(address, code)
        self.mapped.update(range(c_lo, c_hi, PAGE))
        # Executing the world bytes that share a page with the code is leaving the code.
        if c_lo < address:
            uc.hook_add(unicorn.UC_HOOK_CODE, self._slack_exec, begin=c_lo, end=address - 1)
        if self.hi < c_hi:
            uc.hook_add(unicorn.UC_HOOK_CODE, self._slack_exec, begin=self.hi, end=c_hi - 1)

        # The stack (the caller's area above ENTRY_SP included).
        s_lo = STACK_TOP - STACK_SIZE
        if any(p in self.mapped for p in range(s_lo, STACK_TOP, PAGE)):
            raise ValueError("code overlaps the harness stack")
        uc.mem_map(s_lo, STACK_SIZE, unicorn.UC_PROT_READ | unicorn.UC_PROT_WRITE)
        uc.mem_write(s_lo, stack_bytes(world.seed))
        self.mapped.update(range(s_lo, STACK_TOP, PAGE))
        self._map_data(WORLD_BASE, WORLD_SPAN)

        uc.hook_add(unicorn.UC_HOOK_MEM_READ_UNMAPPED | unicorn.UC_HOOK_MEM_WRITE_UNMAPPED,
                    self._lazy_map)
        uc.hook_add(unicorn.UC_HOOK_MEM_FETCH_UNMAPPED | unicorn.UC_HOOK_MEM_FETCH_PROT,
                    self._fetch_out)
        uc.hook_add(unicorn.UC_HOOK_BLOCK, self._block)
        # Writes into the native frame (below the entry SP, within the stack) are private.
        uc.hook_add(unicorn.UC_HOOK_MEM_WRITE, self._write, begin=0, end=s_lo - 1)
        uc.hook_add(unicorn.UC_HOOK_MEM_WRITE, self._write, begin=ENTRY_SP, end=MASK64)

    # -- memory ------------------------------------------------------------
    def _map_data(self, lo: int, size: int) -> None:
        self.uc.mem_map(lo, size, unicorn.UC_PROT_READ | unicorn.UC_PROT_WRITE)
        if size == PAGE:
            self.uc.mem_write(lo, page_bytes(self.world, lo))
        else:
            self.uc.mem_write(lo, region_bytes(self.world, lo, size))
        self.mapped.update(range(lo, lo + size, PAGE))

    def _lazy_map(self, uc, access, address, size, value, user_data) -> bool:
        first = address & ~(PAGE - 1)
        last = (address + max(size, 1) - 1) & ~(PAGE - 1)
        for page in range(first, last + PAGE, PAGE):
            if page in self.mapped:
                continue
            if page + PAGE > ADDR_LIMIT or self.trace.pages >= self.max_pages:
                what = "write" if access == unicorn.UC_MEM_WRITE_UNMAPPED else "read"
                self.fault = f"{what} {self.norm(address)!r}"
                return False
            self._map_data(page, PAGE)
            self.trace.pages += 1
        return True

    # -- control -----------------------------------------------------------
    def _fetch_out(self, uc, access, address, size, value, user_data) -> bool:
        self.exit_target = address
        return False

    def _slack_exec(self, uc, address, size, user_data) -> None:
        self.exit_target = address
        uc.emu_stop()

    def _block(self, uc, address, size, user_data) -> None:
        if self.lo <= address < self.hi:
            if self.want_coverage:
                off = address - self.lo
                self.trace.coverage.update(range(off, off + max(size, 4), 4))
        self.trace.instructions += max(size, 4) // 4
        if self.trace.instructions > self.max_insns:
            self.timed_out = True
            uc.emu_stop()

    def _write(self, uc, access, address, size, value, user_data) -> None:
        if self.lo <= address < self.hi:
            addr = self.code_ref(address - self.lo)
        else:
            addr = address
        v = value & ((1 << (8 * size)) - 1) if size < 8 else value & MASK64
        if size == 8:
            v = self.norm(v)
        self.trace.effects.append(("write", addr, size, v))

    # -- helpers -----------------------------------------------------------
    def code_ref(self, off: int) -> Code:
        m = self.offset_map
        if m is None:
            return Code(off)
        # Offsets with no counterpart get a value no real offset can equal.
        return Code(m[off]) if off in m else Code(-1 - off)

    def norm(self, v: int):
        return self.code_ref(v - self.lo) if self.lo <= v < self.hi else v

    def insn_text(self, pc: int) -> Optional[str]:
        """The instruction at ``pc`` as Capstone prints it; None outside the
        code or for an undecodable word.  (Only loads, stores and undefined
        words fault; a pc-relative load's target is outside the code, whose
        pages are pre-mapped, so its text has no layout-dependent address.)"""
        if not (self.lo <= pc and pc + 4 <= self.hi):
            return None
        off = pc - self.lo
        ins = list(_cs.disasm_lite(self.code[off:off + 4], pc))
        if not ins:
            return None
        _, _, mnemonic, ops = ins[0]
        return f"{mnemonic} {ops}".strip()

    def x(self, i: int) -> int:
        return self.uc.reg_read(_XREGS[i])

    def d(self, i: int) -> int:
        return self.uc.reg_read(_DREGS[i]) & MASK64

    def frame_view(self, nbytes: Optional[int] = None) -> Optional[tuple]:
        """The ``nbytes`` (default frame_bytes) below the frame record, as words."""
        if not self.frame_bytes:
            return None
        fp = ENTRY_SP - 16
        n = (min(nbytes if nbytes is not None else self.frame_bytes, 0x1_0000) + 7) // 8
        if n <= 0:
            return ()
        try:
            data = self.uc.mem_read(fp - 8 * n, 8 * n)
        except unicorn.UcError:
            return ("unreadable",)
        return tuple(self.norm(w) for w in struct.unpack(f"<{n}Q", data))

    def sp_offset(self) -> int:
        return self.uc.reg_read(A.UC_ARM64_REG_SP) - ENTRY_SP

    def read_word(self, addr: int) -> int:
        return struct.unpack("<Q", self.uc.mem_read(addr, 8))[0]

    # -- world setup -------------------------------------------------------
    def _make_object(self, addr: int, ob_type: Optional[int], extra: Sequence[int] = ()) -> None:
        page = addr & ~(PAGE - 1)
        if page not in self.mapped:
            self._map_data(page, PAGE)
        words = [1 + (_mix(self.world.seed, addr) & 0x7)]
        if ob_type is not None:
            words.append(ob_type)
        else:
            words.append(self.read_word(addr + 8))
        words.extend(extra)
        self.uc.mem_write(addr, struct.pack(f"<{len(words)}Q", *words))

    def setup(self, entry: int) -> None:
        w = self.world
        uc = self.uc
        consts = w.constants
        func = OBJ_BASE
        self._make_object(func, None)
        argptrs = []
        for i, kind in enumerate(w.args):
            obj = OBJ_BASE + 0x100 * (i + 1)
            t = consts[kind % len(consts)] if (kind is not None and consts) else None
            self._make_object(obj, t, [1 + (_mix(w.seed, i) & 3), _mix(w.seed, i, 1) & 0x3FFFFFFF])
            argptrs.append(obj)
        kwn = 0
        if w.kwnames is not None:
            kwn = OBJ_BASE + 0x8000
            names = [OBJ_BASE + 0x9000 + 0x40 * j for j in range(w.kwnames)]
            for n in names:
                self._make_object(n, None)
            self._make_object(kwn, None, [w.kwnames] + names)
            argptrs.extend(OBJ_BASE + 0xA000 + 0x100 * j for j in range(w.kwnames))
        if argptrs:
            uc.mem_write(ARGS_ARRAY, struct.pack(f"<{len(argptrs)}Q", *argptrs))
        nargsf = len(w.args) if w.nargsf is None else w.nargsf
        for i in range(31):
            uc.reg_write(_XREGS[i], _mix(w.seed, 0xC0DE, i))
        for i in range(32):
            uc.reg_write(_DREGS[i], _mix(w.seed, 0xF00D, i))
        uc.reg_write(A.UC_ARM64_REG_X0, func)
        uc.reg_write(A.UC_ARM64_REG_X1, ARGS_ARRAY)
        uc.reg_write(A.UC_ARM64_REG_X2, nargsf & MASK64)
        uc.reg_write(A.UC_ARM64_REG_X3, kwn)
        uc.reg_write(A.UC_ARM64_REG_X30, RET_SENTINEL)
        uc.reg_write(A.UC_ARM64_REG_SP, ENTRY_SP)
        uc.reg_write(A.UC_ARM64_REG_TPIDR_EL0, TPIDR)
        uc.reg_write(A.UC_ARM64_REG_NZCV, 0)
        self.callee_saved = ([self.x(i) for i in CALLEE_SAVED_X], [self.d(i) for i in CALLEE_SAVED_D],
                             self.x(29))

    # -- events --------------------------------------------------------------
    def _call(self, target: int) -> None:
        idx = self.ncalls
        self.ncalls += 1
        xs = tuple(self.norm(self.x(i)) for i in range(8))
        ds = tuple(self.d(i) for i in range(8))
        self.trace.effects.append(("call", self.norm(target), xs, ds, self.frame_view(),
                                   self.sp_offset()))
        h = _mix(self.world.seed, target, idx)
        ne = self.world.null_every
        if ne and h % ne == 0:
            ret = 0
        else:
            ret = WORLD_BASE + (h >> 8 & (WORLD_SPAN - 1) & ~0xFF) + (h & 0x70)
        uc = self.uc
        # Clobbered registers hold heap pointers: X1 is the second result of
        # two-result helpers (LoadMethod's (callable, self-or-NULL)).
        for i in CALLER_SAVED_X:
            c = _mix(h, 0xC1, i)
            uc.reg_write(_XREGS[i], 0 if ne and c % ne == 0 else
                         WORLD_BASE + (c >> 8 & (WORLD_SPAN - 1) & ~0xF))
        for i in CALLER_SAVED_D:
            uc.reg_write(_DREGS[i], _mix(h, 0xD1, i))
        uc.reg_write(A.UC_ARM64_REG_X0, ret)
        uc.reg_write(A.UC_ARM64_REG_D0, 0 if ret == 0 else _mix(h, 0xD0) & 0x3FFFFFFFFFFFFFFF)

    def _deopt(self, target: int) -> None:
        regs = tuple((i, self.norm(self.x(i))) for i in DEOPT_X)
        sp = self.uc.reg_read(A.UC_ARM64_REG_SP)
        try:
            slots = struct.unpack("<8Q", self.uc.mem_read(sp, 64))
            slots = tuple((i, self.norm(slots[i])) for i in DEOPT_SLOTS)
        except unicorn.UcError:
            slots = ("unreadable", sp)
        # The trampoline's resumption runs the epilogue, which reloads the
        # callee-saved registers from the frame: the whole native frame above
        # the 8 stage-2 slots is observable.
        whole = (ENTRY_SP - 16) - (sp + 64)
        self.trace.effects.append(("deopt", self.norm(target), regs, slots,
                                   self.frame_view(max(whole, self.frame_bytes)), self.sp_offset()))
        self.trace.stop = ("deopt",)

    def _return(self) -> None:
        problems = []
        xs, ds, fp = self.callee_saved
        for i, v in zip(CALLEE_SAVED_X, xs):
            if self.x(i) != v:
                problems.append(f"x{i} not restored")
        for i, v in zip(CALLEE_SAVED_D, ds):
            if self.d(i) != v:
                problems.append(f"d{i} not restored")
        if self.x(29) != fp:
            problems.append("x29 not restored")
        if self.uc.reg_read(A.UC_ARM64_REG_SP) != ENTRY_SP:
            problems.append("sp not restored")
        self.trace.stop = ("return", self.norm(self.x(0)), self.norm(self.x(1)), self.d(0), tuple(problems))

    def run(self, entry: int) -> Trace:
        self.setup(entry)
        pc = entry
        uc = self.uc
        while True:
            if pc == RET_SENTINEL:
                self._return()
                break
            self.exit_target = None
            self.fault = None
            err = None
            try:
                uc.emu_start(pc, RET_SENTINEL)
            except unicorn.UcError as e:
                err = e
            if self.timed_out:
                self.trace.stop = ("timeout", self.norm(uc.reg_read(A.UC_ARM64_REG_PC)))
                break
            target = self.exit_target
            if target is None:
                here = uc.reg_read(A.UC_ARM64_REG_PC)
                if err is None and here == RET_SENTINEL:
                    pc = RET_SENTINEL
                    continue
                what = self.fault or (str(err) if err else "stopped")
                self.trace.stop = ("fault", self.norm(here), what, self.insn_text(here))
                break
            if target == RET_SENTINEL:
                pc = RET_SENTINEL
                continue
            if self.deopt_target is not None and target == self.deopt_target:
                self._deopt(target)
                break
            self._call(target)
            lr = self.x(30)
            if lr == RET_SENTINEL or self.lo <= lr < self.hi:
                pc = lr
            else:
                self.trace.stop = ("bad-return", self.norm(lr))
                break
        return self.trace


def run_function(code: bytes, address: int, entry: int, world: World = World(), *,
                 deopt_target: Optional[int] = None, frame_bytes: int = 0,
                 max_insns: int = DEFAULT_MAX_INSNS, max_pages: int = DEFAULT_MAX_PAGES,
                 coverage: bool = False, offset_map: Optional[Dict[int, int]] = None) -> Trace:
    """Run ``code`` (loaded at ``address``) from ``entry`` under the vectorcall ABI.

    X0 = a fake PyFunctionObject*, X1 = the args array (in the caller's stack),
    X2 = nargsf, X3 = kwnames, X30 = a sentinel return address, SP = ENTRY_SP.
    ``deopt_target``: the shared deopt trampoline (reaching it records a deopt
    event and stops).  ``frame_bytes``: how many bytes below the frame record
    (FP = entry SP - 16) to snapshot at every call and deopt event (the
    interpreter frame and spill slots that helpers and deopt read).
    ``offset_map``: for code whose layout differs from the reference's, maps
    this code's offsets (return addresses after calls, deopt exits, epilogue,
    pool entries) to the reference's offsets; values are then recorded as
    ``Code(reference offset)`` (unmapped offsets as ``Code(-1 - offset)``).
    """
    if not address <= entry < address + len(code):
        raise ValueError(f"entry {entry:#x} is outside the code [{address:#x}, {address + len(code):#x})")
    return _Runner(code, address, world, deopt_target, frame_bytes, max_insns, max_pages,
                   coverage, offset_map).run(entry)


# ------------------------------------------------------------------ comparison

@dataclass
class Verdict:
    equivalent: bool
    reason: str
    inconclusive: bool = False   # both runs hit the instruction limit (or one did, with equal prefixes)
    runs: int = 1

    def __bool__(self) -> bool:
        return self.equivalent

    def __str__(self) -> str:
        tag = "equivalent" if self.equivalent else "NOT equivalent"
        if self.inconclusive:
            tag += " (inconclusive: instruction limit)"
        return f"{tag}: {self.reason}"


def _fmt(v) -> str:
    if isinstance(v, int):
        return hex(v)
    if isinstance(v, tuple):
        return "(" + ", ".join(_fmt(x) for x in v) + ")"
    return repr(v)


def _diff_effect(i: int, ea: tuple, eb: tuple) -> str:
    if ea[0] != eb[0]:
        return f"effect #{i}: {ea[0]} {_fmt(ea[1])} vs {eb[0]} {_fmt(eb[1])}"
    kind = ea[0]
    if kind == "write":
        names = ("kind", "address", "size", "value")
        for n, a, b in zip(names, ea, eb):
            if a != b:
                return f"effect #{i}: write to {_fmt(ea[1])}: {n} {_fmt(a)} vs {_fmt(b)}"
    if kind == "call":
        if ea[1] != eb[1]:
            return f"effect #{i}: call target {_fmt(ea[1])} vs {_fmt(eb[1])}"
        for r, (a, b) in enumerate(zip(ea[2], eb[2])):
            if a != b:
                return f"effect #{i}: call {_fmt(ea[1])}: x{r} {_fmt(a)} vs {_fmt(b)}"
        for r, (a, b) in enumerate(zip(ea[3], eb[3])):
            if a != b:
                return f"effect #{i}: call {_fmt(ea[1])}: d{r} {_fmt(a)} vs {_fmt(b)}"
        if ea[5] != eb[5]:
            return f"effect #{i}: call {_fmt(ea[1])}: sp at entry{ea[5]:+#x} vs entry{eb[5]:+#x}"
        return f"effect #{i}: call {_fmt(ea[1])}: " + _diff_frame(ea[4], eb[4])
    if kind == "deopt":
        for (r, a), (_, b) in zip(ea[2], eb[2]):
            if a != b:
                return f"effect #{i}: deopt: x{r} {_fmt(a)} vs {_fmt(b)}"
        if ea[3] != eb[3]:
            for sa, sb in zip(ea[3], eb[3]):
                if sa != sb:
                    return f"effect #{i}: deopt: stage-2 slot {_fmt(sa)} vs {_fmt(sb)}"
            return f"effect #{i}: deopt: stage-2 slots {_fmt(ea[3])} vs {_fmt(eb[3])}"
        if ea[5] != eb[5]:
            return f"effect #{i}: deopt: sp at entry{ea[5]:+#x} vs entry{eb[5]:+#x}"
        return f"effect #{i}: deopt: " + _diff_frame(ea[4], eb[4])
    return f"effect #{i}: {_fmt(ea)} vs {_fmt(eb)}"


def _diff_frame(fa, fb) -> str:
    if fa is None or fb is None:
        return "frame view present in only one run"
    n = len(fa)
    for k, (a, b) in enumerate(zip(fa, fb)):
        if a != b:
            return f"frame word [fp-{8 * (n - k):#x}] {_fmt(a)} vs {_fmt(b)}"
    return f"frame views of {len(fa)} and {len(fb)} words"


def _same_effect(ea: tuple, eb: tuple) -> bool:
    return ea == eb


def _unmapped(v) -> bool:
    """A code offset that run_function's offset_map has no counterpart for."""
    return isinstance(v, Code) and v.offset < 0


def _fault_site_free(a: Trace, b: Trace, landmarks) -> bool:
    """Both runs fault and one's PC has no counterpart in the other code's layout
    (an instruction that is no landmark: the offset map only relates landmarks),
    while the other's PC is no landmark either (else the two codes stopped at
    different places for sure).  The PCs then cannot be compared; the fault is
    identified by what faulted (access kind and address, or Unicorn's error)
    and the faulting instruction's text instead."""
    if a.kind != "fault" or b.kind != "fault" or len(a.stop) < 4 or len(b.stop) < 4:
        return False
    if a.stop[3] is None or b.stop[3] is None:
        return False
    pa, pb = a.stop[1], b.stop[1]
    if not (_unmapped(pa) or _unmapped(pb)):
        return False
    for p in (pa, pb):
        if _unmapped(p):
            continue
        if not isinstance(p, Code) or (landmarks is not None and p.offset in landmarks):
            return False
    return True


def _stop_key(t: Trace, primitive: bool, site_free: bool = False) -> tuple:
    if t.kind == "return" and not primitive:
        return (t.stop[0], t.stop[1], t.stop[4])     # X1 and D0 are not results
    if site_free:
        return (t.stop[0],) + t.stop[2:]             # the fault without its PC
    return t.stop


_STOP_FIELDS = {"return": ("kind", "x0", "x1", "d0", "callee-saved problems"),
                "fault": ("kind", "pc", "what", "instruction"),
                "timeout": ("kind", "pc"), "bad-return": ("kind", "x30")}


def compare(a: Trace, b: Trace, primitive: bool = False, landmarks=None) -> Verdict:
    """Equivalent, or the first observable difference between two runs, in one line.

    ``primitive``: the function returns a primitive ({X0, X1} or {D0, D1}), so
    X1 and D0 at the return are compared too.  ``landmarks``: the code offsets
    (in the layout whose PCs are plain ``Code(offset)``) that the other run's
    offset map relates; a fault at an unmapped PC in one run matches a fault in
    the other only at a PC that is no landmark (None: not known, any PC), and
    then by what faulted and the instruction (see ``_fault_site_free``)."""
    ta, tb = a.kind == "timeout", b.kind == "timeout"
    n = min(len(a.effects), len(b.effects))
    for i in range(n):
        if not _same_effect(a.effects[i], b.effects[i]):
            return Verdict(False, _diff_effect(i, a.effects[i], b.effects[i]))
    if ta or tb:
        # A run cut by the instruction limit has an unknown future: only the
        # common prefix is comparable (the other code may just be slower).
        short, other = (a, b) if len(a.effects) <= len(b.effects) else (b, a)
        if short.kind != "timeout" and len(short.effects) < len(other.effects):
            return Verdict(False, f"effect #{len(short.effects)}: run ended ({short.kind}) "
                                  f"where the other has {other.effects[len(short.effects)][0]}")
        if not (ta and tb) and len(a.effects) == len(b.effects) and short.kind != "timeout":
            pass
        return Verdict(True, f"{n} common effects before the instruction limit", inconclusive=True)
    if len(a.effects) != len(b.effects):
        longer, tag = (a, "first") if len(a.effects) > len(b.effects) else (b, "second")
        e = longer.effects[n]
        return Verdict(False, f"effect #{n}: only the {tag} run has {e[0]} {_fmt(e[1])} "
                              f"(the other stopped: {_fmt(b.stop if tag == 'first' else a.stop)})")
    free = _fault_site_free(a, b, landmarks)
    if _stop_key(a, primitive, free) != _stop_key(b, primitive, free):
        if a.stop[:1] != b.stop[:1]:
            return Verdict(False, f"stop: {_fmt(a.stop)} vs {_fmt(b.stop)}")
        names = _STOP_FIELDS.get(a.stop[0], ())
        names = names + tuple(f"field{k}" for k in range(len(names), len(a.stop)))
        for k, (nme, x, y) in enumerate(zip(names, a.stop, b.stop)):
            if x != y and not (free and k == 1):
                return Verdict(False, f"{a.stop[0]}: {nme} {_fmt(x)} vs {_fmt(y)}")
        return Verdict(False, f"stop: {_fmt(a.stop)} vs {_fmt(b.stop)}")
    if a.kind == "return" and a.stop[4]:
        return Verdict(False, f"both return but break the ABI: {', '.join(a.stop[4])}")
    return Verdict(True, f"{n} effects, then {a.kind}")


# ------------------------------------------------------------------ code analysis

_cs = capstone.Cs(capstone.CS_ARCH_ARM64, capstone.CS_MODE_ARM)


def _sx(value: int, bits: int) -> int:
    return value - (1 << bits) if value >> (bits - 1) & 1 else value


def pc_relative(word: int) -> Optional[Tuple[str, int]]:
    """(kind, byte offset from the instruction) of a PC-relative A64 instruction, else None.

    Kinds: "b", "bl" (C6.2.26 B, C6.2.35 BL; imm26), "b.cond" (C6.2.27; imm19),
    "cbz" (C6.2.47/48 CBZ/CBNZ; imm19), "tbz" (C6.2.375/376 TBZ/TBNZ; imm14),
    "adr" (C6.2.10; imm21), "adrp" (C6.2.11; imm21 pages, offset from the PC's
    page), "ldr-lit" (C6.2.167 LDR (literal), LDRSW/PRFM/FP literal; imm19).
    """
    if word & 0x7C000000 == 0x14000000:
        return ("bl" if word >> 31 else "b", _sx(word & 0x3FFFFFF, 26) * 4)
    if word & 0xFF000010 == 0x54000000:
        return ("b.cond", _sx(word >> 5 & 0x7FFFF, 19) * 4)
    if word & 0x7E000000 == 0x34000000:
        return ("cbz", _sx(word >> 5 & 0x7FFFF, 19) * 4)
    if word & 0x7E000000 == 0x36000000:
        return ("tbz", _sx(word >> 5 & 0x3FFF, 14) * 4)
    if word & 0x1F000000 == 0x10000000:
        imm = _sx((word >> 5 & 0x7FFFF) << 2 | (word >> 29 & 3), 21)
        return ("adrp", imm << 12) if word >> 31 else ("adr", imm)
    if word & 0x3B000000 == 0x18000000:
        return ("ldr-lit", _sx(word >> 5 & 0x7FFFF, 19) * 4)
    return None


def _literal_size(word: int) -> int:
    opc, v = word >> 30, word >> 26 & 1
    if v:
        return (4, 8, 16, 0)[opc]
    return (4, 8, 4, 0)[opc]     # ldr w, ldr x, ldrsw, prfm


def _is_stop(word: int) -> bool:
    """Unconditional indirect branch or return (BR/RET/ERET...), or UDF/BRK."""
    if word & 0xFE000000 == 0xD6000000:
        return (word >> 21 & 0xF) in (0, 2, 4, 5)   # br, ret, eret, drps (not blr)
    return word >> 16 == 0 or word & 0xFFE0001F == 0xD4200000


@dataclass
class CodeMap:
    """Which 4-byte words of a code blob are instructions reached from the entries."""
    insns: Dict[int, int]          # offset -> word
    data: set                      # offsets of words read as literals


def code_map(code: bytes, address: int, entries: Iterable[int] = (0,)) -> CodeMap:
    """Recursive descent from ``entries`` (offsets), following direct branches
    and calls that stay inside the code; literal-pool targets are data.  asmjit's
    code interleaves code with pools and the 16-byte far-call stubs, so a linear
    sweep would misread data as instructions."""
    n = len(code) // 4
    words = struct.unpack(f"<{n}I", code[: 4 * n])
    insns: Dict[int, int] = {}
    data: set = set()
    todo = [e for e in entries]
    adr_targets = []
    while todo:
        off = todo.pop()
        while 0 <= off < 4 * n and off not in insns and off not in data and off % 4 == 0:
            w = words[off // 4]
            if not list(_cs.disasm_lite(code[off:off + 4], address + off)):
                break                                    # not an instruction (Capstone)
            insns[off] = w
            pr = pc_relative(w)
            if pr:
                kind, rel = pr
                tgt = off + rel
                if kind == "ldr-lit":
                    for k in range(0, _literal_size(w), 4):
                        data.add(tgt + k)
                elif kind == "adr":
                    adr_targets.append(tgt)
                elif kind != "adrp" and 0 <= tgt < 4 * n:
                    todo.append(tgt)
                if kind == "b":
                    break
            elif _is_stop(w):
                break
            off += 4
        if not todo and adr_targets:
            todo.extend(t for t in adr_targets if t not in data)
            adr_targets = []
    for d in data:
        insns.pop(d, None)
    return CodeMap(insns, data)


def harvest_constants(code: bytes, address: int, entries: Iterable[int] = (0, 12)) -> Tuple[int, ...]:
    """Absolute constants the code materialises (literal-pool quads, adrp+add
    pairs, movz/movk chains) that lie outside the code: type objects, globals,
    helper addresses.  The fake world plants them in memory so that type guards
    and identity checks can pass."""
    cm = code_map(code, address, entries)
    lo, hi = address, address + len(code)
    found = []
    regs: Dict[int, int] = {}
    for off in sorted(cm.insns):
        w = cm.insns[off]
        rd = w & 31
        pr = pc_relative(w)
        pc = address + off
        if pr and pr[0] == "ldr-lit" and _literal_size(w) == 8 and not (w >> 26 & 1):
            tgt = pc + pr[1]
            if lo <= tgt and tgt + 8 <= hi:
                found.append(struct.unpack_from("<Q", code, tgt - lo)[0])
            regs.pop(rd, None)
        elif pr and pr[0] == "adrp":
            regs[rd] = (pc & ~0xFFF) + pr[1]
        elif w & 0xFFC00000 == 0x91000000 and (w >> 5 & 31) in regs:   # add xd, xn, #imm12
            found.append(regs.pop(w >> 5 & 31) + (w >> 10 & 0xFFF))
        elif w & 0xFF800000 == 0xD2800000:                              # movz x, #imm16, lsl #hw
            regs[rd] = (w >> 5 & 0xFFFF) << (16 * (w >> 21 & 3))
            found.append(regs[rd])
        elif w & 0xFF800000 == 0xF2800000 and rd in regs:               # movk x
            sh = 16 * (w >> 21 & 3)
            regs[rd] = regs[rd] & ~(0xFFFF << sh) | (w >> 5 & 0xFFFF) << sh
            found.append(regs[rd])
        else:
            regs.pop(rd, None)
    out = []
    seen = set()
    for c in found:
        if c >= 0x10000 and not lo <= c < hi and c < ADDR_LIMIT and c not in seen:
            seen.add(c)
            out.append(c)
    return tuple(out)


def relocate(code: bytes, old_address: int, new_address: int,
             entries: Iterable[int] = (0, 12)) -> bytes:
    """``code`` (loaded at ``old_address``) re-encoded to run at ``new_address``.

    Every reached PC-relative instruction keeps its target: a target inside the
    code moves with it, a target outside stays at the same absolute address
    (re-encoding b/bl/b.cond/cbz/tbz/adr/ldr-literal offsets and adrp pages).
    An adrp whose page may be inside the code is paired with the following
    ``add xd, xd, #lo12``.  Raises ValueError when a field cannot reach.
    """
    delta = new_address - old_address
    if delta % 4:
        raise ValueError("relocation delta must be a multiple of 4")
    cm = code_map(code, old_address, entries)
    lo, hi = old_address, old_address + len(code)
    out = bytearray(code)
    for off, w in sorted(cm.insns.items()):
        pr = pc_relative(w)
        if not pr:
            continue
        kind, rel = pr
        old_pc, new_pc = old_address + off, new_address + off
        if kind == "adrp":
            page = (old_pc & ~0xFFF) + rel
            nxt = cm.insns.get(off + 4)
            rd = w & 31
            full = None
            if nxt is not None and nxt & 0xFFC00000 == 0x91000000 and nxt >> 5 & 31 == rd:
                full = page + (nxt >> 10 & 0xFFF)
            if full is not None and lo <= full < hi:
                tgt = full + delta
                new_page = (tgt & ~0xFFF) - (new_pc & ~0xFFF)
                w = _put_adr(w, new_page >> 12)
                nadd = nxt & ~(0xFFF << 10) | (tgt & 0xFFF) << 10
                struct.pack_into("<I", out, off + 4, nadd)
            elif full is None and page + 0x1000 > lo and page < hi:
                raise ValueError(f"adrp at +{off:#x} may point into the code and has no add pair")
            else:
                w = _put_adr(w, (page - (new_pc & ~0xFFF)) >> 12)
            struct.pack_into("<I", out, off, w)
            continue
        tgt = old_pc + rel
        new_tgt = tgt + delta if lo <= tgt < hi else tgt
        nrel = new_tgt - new_pc
        if nrel == rel:
            continue
        if kind in ("b", "bl"):
            _check(nrel, 26, 4, kind, off)
            w = w & ~0x3FFFFFF | (nrel >> 2) & 0x3FFFFFF
        elif kind in ("b.cond", "cbz", "ldr-lit"):
            _check(nrel, 19, 4, kind, off)
            w = w & ~(0x7FFFF << 5) | ((nrel >> 2) & 0x7FFFF) << 5
        elif kind == "tbz":
            _check(nrel, 14, 4, kind, off)
            w = w & ~(0x3FFF << 5) | ((nrel >> 2) & 0x3FFF) << 5
        elif kind == "adr":
            _check(nrel, 21, 1, kind, off)
            w = _put_adr(w, nrel)
        struct.pack_into("<I", out, off, w)
    return bytes(out)


def _check(rel: int, bits: int, scale: int, kind: str, off: int) -> None:
    if rel % scale or not -(1 << (bits - 1)) <= rel // scale < (1 << (bits - 1)):
        raise ValueError(f"{kind} at +{off:#x}: offset {rel:#x} does not fit imm{bits}")


def _put_adr(word: int, imm: int) -> int:
    if not -(1 << 20) <= imm < (1 << 20):
        raise ValueError(f"adr/adrp immediate {imm:#x} does not fit imm21")
    imm &= 0x1FFFFF
    return word & ~(0x7FFFF << 5 | 3 << 29) | (imm & 3) << 29 | (imm >> 2) << 5


# ------------------------------------------------------------------ proving

@dataclass(frozen=True)
class FunctionInfo:
    code: bytes
    address: int
    entry: int
    deopt_target: int
    argcount: int
    nparams: int                 # argcount + kwonly + *args + **kwargs: the re-entry's args
    frame_bytes: int
    constants: Tuple[int, ...]
    name: str


def load_function(dirpath) -> FunctionInfo:
    """asmjit's code and metadata from a corpus function directory."""
    d = Path(dirpath)
    meta = json.loads((d / "meta.json").read_text())
    code = (d / "asmjit.bin").read_bytes()
    address = meta["code_address"]
    entry = meta["vectorcall_entry"]
    consts = harvest_constants(code, address, (0, entry - address))
    flags = meta.get("flags", 0)
    nparams = (meta["argcount"] + meta.get("kwonlyargcount", 0) + bool(flags & abi.CO_VARARGS)
               + bool(flags & abi.CO_VARKEYWORDS))
    return FunctionInfo(code, address, entry, meta["deopt_trampoline"], meta["argcount"], nparams,
                        meta.get("spill_stack_size", 0), consts, meta.get("fullname", d.name))


VARIANTS = 7


def worlds(info: FunctionInfo, seeds: Sequence[int]) -> List[World]:
    """The argument states prove() runs under, one per seed, by ``seed % 7``:
    0 random argument objects; 1 argument objects typed with the code's
    constants; 2 an incorrect argcount; 3 non-NULL kwnames; 4 typed arguments,
    PY_VECTORCALL_ARGUMENTS_OFFSET and helpers that sometimes return NULL;
    5 and 6 the re-entry at entry-12 with all parameters bound (what
    rt::callWithKeywordArgs does), random / typed and NULL-returning."""
    out = []
    n, p, c = info.argcount, info.nparams, info.constants
    for s in seeds:
        v = s % VARIANTS
        typed = tuple(range(s, s + n))
        if v == 0:
            out.append(World(seed=s, args=(None,) * n, constants=c))
        elif v == 1:
            out.append(World(seed=s, args=typed, constants=c))
        elif v == 2:
            out.append(World(seed=s, args=(None,) * (n + 1), constants=c))
        elif v == 3:
            out.append(World(seed=s, args=(None,) * n, kwnames=1, constants=c))
        elif v == 4:
            out.append(World(seed=s, args=typed, constants=c, null_every=4,
                             nargsf=n | PY_VECTORCALL_ARGUMENTS_OFFSET))
        elif v == 5:
            out.append(World(seed=s, args=(None,) * p, constants=c, reentry=True))
        else:
            out.append(World(seed=s, args=tuple(range(s, s + p)), constants=c, null_every=6,
                             reentry=True))
    return out


def run_world(code: bytes, address: int, entry: int, info: FunctionInfo, world: World,
              max_insns: int = DEFAULT_MAX_INSNS, coverage: bool = False,
              offset_map: Optional[Dict[int, int]] = None) -> Trace:
    """One run of ``code`` (asmjit's or armjit's, whose vectorcall entry is
    ``entry``) for the function ``info`` under ``world``."""
    start = entry + REENTRY_OFFSET if world.reentry else entry
    return run_function(code, address, start, world, deopt_target=info.deopt_target,
                        frame_bytes=info.frame_bytes, max_insns=max_insns, coverage=coverage,
                        offset_map=offset_map)


def prove(dirpath, armjit_code: bytes, armjit_address: int, armjit_entry: int,
          seeds: Sequence[int] = tuple(range(VARIANTS)), *, max_insns: int = DEFAULT_MAX_INSNS,
          primitive: bool = False, armjit_offsets: Optional[Dict[int, int]] = None) -> Verdict:
    """Run asmjit's code for the function in ``dirpath`` and armjit's code under
    the same worlds (see ``worlds``) and compare every pair of traces.

    ``armjit_offsets`` maps armjit code offsets to asmjit's when the layouts
    differ (see run_function's ``offset_map``); without it, code-pointer values
    (return addresses, deopt exits, adr'd pool addresses) must sit at the same
    offsets in both codes.  ``primitive``: compare X1/D0 at the return too."""
    info = load_function(dirpath)
    landmarks = frozenset(armjit_offsets.values()) if armjit_offsets is not None else None
    inconclusive = 0
    runs = 0
    last = ""
    for w in worlds(info, seeds):
        ta = run_world(info.code, info.address, info.entry, info, w, max_insns)
        tb = run_world(armjit_code, armjit_address, armjit_entry, info, w, max_insns,
                       offset_map=armjit_offsets)
        v = compare(ta, tb, primitive=primitive, landmarks=landmarks)
        runs += 1
        if not v:
            return Verdict(False, f"[{w.describe()}] {v.reason}", runs=runs)
        inconclusive += v.inconclusive
        last = v.reason
    return Verdict(True, f"{runs} worlds agree ({inconclusive} cut by the instruction limit); last: {last}",
                   inconclusive=inconclusive == runs, runs=runs)

"""The A64 code buffer: labels, fixups, branch relaxation, veneers, the literal
pool, absolute addresses, annotations and relocations (Cranelift's
``MachBuffer`` plays this part there).  The instruction methods live in
:mod:`armjit.emit.assembler`, whose :class:`Assembler` is a :class:`CodeBuffer`.

Layout model
------------
Code is appended to a ``bytearray`` in its *nominal* layout: every
conditional branch (B.cond, CBZ/CBNZ, TBZ/TBNZ) is one word and every
``align()`` has the padding its nominal position needs.  Every position the
assembler remembers (labels, fixups, annotations, relocations) is a pair
``(nominal offset, k)`` where ``k`` is the number of *variable items* (the
conditional branches and alignments) emitted before it.

``finalize()`` runs a relaxation loop: given the current form of each
conditional branch it computes the final offset of every item (``offset +
shift[k]``, where ``shift`` is the running sum of the growth of the items),
and widens every branch whose target is out of range::

    state 0   b.cond target                      (+-1 MiB; tbz +-32 KiB)
    state 1   b.!cond +8 ; b target              (+-128 MiB)
    state 2   b.!cond +8 ; b veneer              (absolute targets only)

An absolute address loaded with :meth:`CodeBuffer.load_address` is the third
kind of variable item, with the forms asmjit's ``load_addr`` chooses among
(Cranelift's ``LabelUse`` kinds play the same part)::

    state 0   adr xd, target                     (+-1 MiB)
    state 1   adrp xd, target ; add xd, xd, #lo12  (+-4 GiB; no add if lo12 = 0)
    state 2   the MOVZ/MOVN/MOVK/ORR sequence     (anywhere)

Its nominal form is the first that reaches from its nominal position and is
shorter than the MOV sequence (a value one MOV holds never needs an item).

An item's state only ever increases and there are at most two increases per
item, so the loop reaches a fixed point in at most ``2n + 1`` passes (in
practice two).  In the final layout every fixup is range-checked again by the
encoder's patcher, so a branch that still cannot reach raises instead of
emitting a wrong word.  Unconditional ``b``/``bl`` to an absolute address are
direct when the target is within +-128 MiB of the branch and otherwise go
through a veneer ``ldr xS, #8 ; br xS ; .quad target`` (CinderX's ``.a64stubs``)
placed after the code, where ``xS`` is the assembler's explicit
``veneer_scratch`` (no register is ever chosen silently).  Veneers are
deduplicated per target.

When no branch needs widening the nominal layout is final and finalize
patches the buffer in place.
"""

from __future__ import annotations

import struct
import sys
from array import array
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Dict, List, Optional, Union

from . import arith as _ar
from . import branch as _br
from . import immediates as _im
from . import legalize as _lz
from .errors import EncodingError, LabelError
from .operands import Cond, GpReg, gp_field

__all__ = ["CodeBuffer", "Label", "Annotation", "Relocation", "FinalCode"]

_pack = struct.Struct("<I").pack
_pack_into = struct.Struct("<I").pack_into
_unpack_from = struct.Struct("<I").unpack_from
_pack_q_into = struct.Struct("<Q").pack_into

NOP = 0xD503201F
_NOP_BYTES = _pack(NOP)

_B_LO, _B_HI = _br.B_RANGE
_C_LO, _C_HI = _br.IMM19_RANGE
_T_LO, _T_HI = _br.IMM14_RANGE
_A_LO, _A_HI = _br.ADR_RANGE

_MASK64 = (1 << 64) - 1
_new_object = object.__new__
_WORD0: dict = {}          # (kind, cond, rt, bit) -> the branch word with offset 0

_WORD_TYPE = "I" if array("I").itemsize == 4 else "L"     # an array of uint32
assert array(_WORD_TYPE).itemsize == 4


def _pack_words(words: list) -> bytes:
    """Instruction words as little-endian bytes (OverflowError for a value
    outside 0..2**32-1)."""
    packed = array(_WORD_TYPE, words)
    if sys.byteorder != "little":
        packed.byteswap()
    return packed.tobytes()


class Label:
    """A position in the code, bound once with :meth:`CodeBuffer.bind`: made
    by :meth:`CodeBuffer.new_label`, which sets ``id`` (its index in the
    buffer), ``name`` and ``owner`` (the buffer's id)."""

    __slots__ = ("id", "name", "owner")

    def __repr__(self) -> str:
        return f"Label({self.name})"


@dataclass(frozen=True)
class Annotation:
    start: int
    end: int
    text: str


@dataclass(frozen=True)
class Relocation:
    """A place in the code that depends on where the code lives.

    kinds:
      ``"abs64"``       8 bytes at ``offset`` hold the absolute address
                        ``target`` outside the code (literal pool entries of
                        ``address_literal``, veneer ``.quad``s).  Unchanged by
                        :meth:`FinalCode.relocate`.
      ``"abs64_label"`` 8 bytes hold ``base + target`` (``target`` is a code
                        offset); moved by relocation.
      ``"pcrel26"``, ``"pcrel19"``, ``"pcrel14"``  a direct branch (B/BL;
                        B.cond/CBZ/CBNZ; TBZ/TBNZ) at ``offset`` to the absolute
                        address ``target``; re-patched (range-checked) by relocation.
      ``"pcrel21"``, ``"page21"``  the ADR (byte offset) or ADRP (page offset)
                        of a :meth:`CodeBuffer.load_address` of ``target``;
                        re-patched (range-checked) by relocation.
    """

    offset: int
    kind: str
    target: int


# Relocation kind -> range-checked patcher of the branch word at its offset.
_PATCHERS = {"pcrel26": _br.patch_imm26, "pcrel19": _br.patch_imm19,
             "pcrel14": _br.patch_imm14, "pcrel21": _br.patch_adr, "page21": _br.patch_adr}


@dataclass
class FinalCode:
    code: bytes
    base: int
    labels: Dict[str, int]
    annotations: List[Annotation]
    relocations: List[Relocation]
    alignment: int = 4          # the largest alignment the code relies on
    label_offsets: Dict[int, int] = field(default_factory=dict, repr=False)
    # shift[k] of the final layout (None: every item stayed at its nominal offset)
    shifts: Optional[List[int]] = field(default=None, repr=False)

    def offset_of(self, label: Union[Label, str]) -> int:
        if isinstance(label, Label):
            return self.label_offsets[label.id]
        return self.labels[label]

    def offset_at(self, position) -> int:
        """The final offset of a :meth:`CodeBuffer.position` (what a label
        bound there would give)."""
        sh = self.shifts
        return position[0] if sh is None else position[0] + sh[position[1]]

    def relocate(self, new_base: int) -> "FinalCode":
        """The same code placed at ``new_base``: absolute label addresses moved,
        direct branches to absolute targets re-patched (LabelError if one no
        longer reaches: assemble with the final base or a veneer_scratch)."""
        delta = new_base - self.base
        if delta % self.alignment:
            raise LabelError(f"relocate: new base {new_base:#x} must keep the code's "
                             f"{self.alignment}-byte alignment (delta {delta:#x})")
        buf = bytearray(self.code)
        for r in self.relocations:
            if r.kind == "abs64_label":
                _pack_q_into(buf, r.offset, (new_base + r.target) & _MASK64)
            elif r.kind in _PATCHERS:
                word = _unpack_from(buf, r.offset)[0]
                if r.kind == "page21":
                    off = (r.target & ~0xFFF) - ((new_base + r.offset) & ~0xFFF)
                else:
                    off = r.target - (new_base + r.offset)
                try:
                    word = _PATCHERS[r.kind](word, off)   # range-checked
                except EncodingError as e:
                    raise LabelError(f"relocate: branch at +{r.offset:#x} cannot reach "
                                     f"{r.target:#x} from base {new_base:#x}: {e}") from None
                _pack_into(buf, r.offset, word)
        return FinalCode(bytes(buf), new_base, dict(self.labels), list(self.annotations),
                         list(self.relocations), self.alignment, dict(self.label_offsets),
                         self.shifts)


# Branch kinds of relaxable (conditional) branches.
B_COND, CBZ, CBNZ, TBZ, TBNZ = range(5)


# A conditional branch, a variable item of the layout, is the tuple
#     (pos, k, kind, target, cond, rt, bit)
# -- its nominal position (pos, k), its kind with that kind's cond / rt / bit,
# its target (a Label or an absolute address) -- made once per branch emitted
# (a tuple: the cheapest object to make); its form (state 0/1/2, see the module
# docstring) is the layout's.


def _short_word(kind, cond, rt, bit, off: int) -> int:
    """The one-word form of a conditional branch, ``off`` bytes away."""
    if kind == B_COND:
        return _br.encode_b_cond(cond, off)
    if kind == CBZ:
        return _br.encode_cbz(rt, off)
    if kind == CBNZ:
        return _br.encode_cbnz(rt, off)
    if kind == TBZ:
        return _br.encode_tbz(rt, bit, off)
    return _br.encode_tbnz(rt, bit, off)


def _inverse_skip_word(kind, cond, rt, bit) -> int:
    """The inverted branch over the next word (offset +8) of a widened one."""
    if kind == B_COND:
        return _br.encode_b_cond(Cond(cond).invert(), 8)
    if kind == CBZ:
        return _br.encode_cbnz(rt, 8)
    if kind == CBNZ:
        return _br.encode_cbz(rt, 8)
    if kind == TBZ:
        return _br.encode_tbnz(rt, bit, 8)
    return _br.encode_tbz(rt, bit, 8)


# the (lo, hi) byte offsets of each kind's short (one-word) form
_SHORT_RANGE = {B_COND: (_C_LO, _C_HI), CBZ: (_C_LO, _C_HI), CBNZ: (_C_LO, _C_HI),
                TBZ: (_T_LO, _T_HI), TBNZ: (_T_LO, _T_HI)}


class _Align:
    __slots__ = ("pos", "k", "n", "npad", "fill", "pad")

    def __init__(self, pos, k, n, npad, fill):
        self.pos = pos
        self.k = k
        self.n = n
        self.npad = npad
        self.fill = fill
        self.pad = npad


# States of an absolute-address item (module docstring).
_ADR, _ADRP, _MOVSEQ = range(3)


def _address_form(address: int, cost: int, pc: int, at_least: int) -> int:
    """The first form from ``at_least`` on that loads ``address`` at ``pc``:
    ADR when the byte offset is an imm21 (C6.2 ADR), ADRP (+ ADD of the low 12
    bits) when the page offset is an imm21 of pages (C6.2 ADRP) and shorter
    than the ``cost``-word MOV sequence, else that sequence."""
    if at_least <= _ADR and _A_LO <= address - pc <= _A_HI:
        return _ADR
    if (at_least <= _ADRP and cost > (2 if address & 0xFFF else 1)
            and -(1 << 20) <= (address >> 12) - (pc >> 12) < (1 << 20)):
        return _ADRP
    return _MOVSEQ


class _AbsAddress:
    """``load_address``: an absolute address into an X register, a variable
    item whose form depends on its final position."""

    __slots__ = ("pos", "k", "rd", "address", "cost", "state", "nsize")

    def __init__(self, pos, k, rd, address, cost, state):
        self.pos = pos
        self.k = k
        self.rd = rd
        self.address = address
        self.cost = cost                # words of the MOV sequence
        self.state = state
        self.nsize = self.size()        # bytes in the nominal layout

    def size(self) -> int:
        if self.state == _ADR:
            return 4
        if self.state == _ADRP:
            return 8 if self.address & 0xFFF else 4
        return 4 * self.cost

    def words(self, pc: int) -> List[int]:
        """The words of the current form at address ``pc``."""
        rd, address = self.rd, self.address
        if self.state == _ADR:
            return [_br.encode_adr(rd, address - pc)]
        if self.state == _ADRP:
            words = [_br.encode_adrp(rd, (address & ~0xFFF) - (pc & ~0xFFF))]
            if address & 0xFFF:
                words.append(_ar.encode_add_imm(rd, rd, address & 0xFFF))
            return words
        return _lz.plan_mov_imm(rd, address)

    def relocation(self, src: int) -> Optional[Relocation]:
        if self.state == _ADR:
            return Relocation(src, "pcrel21", self.address)
        if self.state == _ADRP:
            return Relocation(src, "page21", self.address)
        return None


# Plain fixup kinds (size never changes).
FX_B, FX_BL, FX_LIT, FX_ADR = range(4)


class CodeBuffer:
    """An A64 code buffer with labels, fixups, relaxation and a literal pool.

    ``base``: the address the code will run at (needed for absolute branch
    targets and absolute label addresses; :meth:`FinalCode.relocate` moves it).
    ``scratch``: the default scratch register for immediates that need more
    than one instruction (``None``: such immediates raise EncodingError unless
    a call passes ``scratch=``).  ``veneer_scratch``: the register veneers to
    far absolute targets may clobber (``None``: far targets raise LabelError).
    """

    def __init__(self, base: int = 0, *, scratch: Optional[GpReg] = None,
                 veneer_scratch: Optional[GpReg] = None):
        if base % 4:
            raise LabelError(f"base address {base:#x} is not 4-byte aligned")
        self.base = base
        self.scratch = scratch
        if veneer_scratch is not None:
            # Validated now: ldr-literal and br must accept it.
            _br.encode_br(veneer_scratch)
            _br.encode_ldr_literal(veneer_scratch, 8)
        self.veneer_scratch = veneer_scratch
        # The code so far is the bytes of _code, then the instruction words of
        # ``words``: an instruction appends its words there (a list append is
        # a third of the cost of packing and appending bytes), and they are
        # packed into _code when the bytes are looked at (:attr:`buf`).
        self._code = bytearray()
        self.words: list = []
        self._items: list = []              # cond branches | _Align | _AbsAddress, in order
        self._other_items = 0               # how many of them are _Align | _AbsAddress
        # conditional branches whose reach depends on more than the code's
        # length: to an absolute address, or TBZ/TBNZ (+-32 KiB)
        self._far_branches = 0
        self._fixups: list = []             # (pos, k, kind, target, word)
        self._labels: List[Label] = []
        self._lpos: list = []               # label id -> (pos, k) or None
        self._names: Dict[str, Label] = {}
        self._annotations: list = []        # (start(pos,k), end(pos,k), text)
        self._quads: list = []              # (pos, k, kind, target): "abs64"/"abs64_label"
        self._pool: Dict[tuple, Label] = {}  # pending literal pool entries
        self._pool_done: Dict[tuple, Label] = {}
        self._max_align = 4
        self._id = id(self)
        self._finalized = False

    # ------------------------------------------------------------ positions

    @property
    def buf(self) -> bytearray:
        """The code so far (the nominal layout) as bytes; ``a.buf += data``
        appends raw bytes."""
        words = self.words
        if words:
            self._code += _pack_words(words)
            words.clear()
        return self._code

    @buf.setter
    def buf(self, code: bytearray) -> None:
        self._code = code

    @property
    def offset(self) -> int:
        """The current nominal offset (final unless branches get widened)."""
        return len(self._code) + 4 * len(self.words)

    def position(self):
        """The current position as an opaque value: what :meth:`here` would
        bind a new label at, without creating one.  ``FinalCode.offset_at``
        gives its final offset; :meth:`annotate_span` takes two."""
        return (len(self._code) + 4 * len(self.words), len(self._items))

    # ------------------------------------------------------------ labels

    def new_label(self, name: Optional[str] = None) -> Label:
        lid = len(self._labels)
        if name is None:
            name = f".L{lid}"
        elif name in self._names:
            raise LabelError(f"label {name!r} already exists")
        # (no Label.__init__: three slot stores here cost a fifth of its call)
        lab = _new_object(Label)
        lab.id = lid
        lab.name = name
        lab.owner = self._id
        self._labels.append(lab)
        self._lpos.append(None)
        self._names[name] = lab
        return lab

    def label(self, name: str) -> Label:
        """The label called ``name``, created if needed (for textual code)."""
        lab = self._names.get(name)
        return lab if lab is not None else self.new_label(name)

    def bind(self, label: Label) -> Label:
        if label.__class__ is not Label or label.owner != self._id:
            self._check_label(label)
        lpos = self._lpos
        if lpos[label.id] is not None:
            raise LabelError(f"label {label.name} bound twice")
        lpos[label.id] = (len(self._code) + 4 * len(self.words), len(self._items))
        return label

    def here(self, name: Optional[str] = None) -> Label:
        """A new label bound at the current position."""
        return self.bind(self.new_label(name))

    def _check_label(self, label) -> None:
        if not isinstance(label, Label) or label.owner != self._id:
            raise LabelError(f"{label!r} is not a label of this assembler")

    def is_bound(self, label: Label) -> bool:
        self._check_label(label)
        return self._lpos[label.id] is not None

    # ------------------------------------------------------------ raw data

    def emit(self, word: int) -> None:
        """Append one instruction word."""
        _pack(word)                 # (struct.error now for a word that is no uint32)
        self.words.append(word)

    def word(self, value: int) -> None:
        """``.word value`` (4 bytes, little-endian; accepts -2**31..2**32-1)."""
        if not isinstance(value, int) or not -(1 << 31) <= value < (1 << 32):
            raise EncodingError(".word", "value", value, "-2**31..2**32-1")
        self.words.append(value & 0xFFFFFFFF)

    def dword(self, value) -> None:
        """``.quad value`` (8 bytes); a Label gives its absolute address
        (recorded as an ``abs64_label`` relocation)."""
        if isinstance(value, Label):
            self._check_label(value)
            self._quads.append((self.offset, len(self._items), "abs64_label", value))
            self.buf += bytes(8)
            return
        if not isinstance(value, int) or not -(1 << 63) <= value < (1 << 64):
            raise EncodingError(".quad", "value", value, "-2**63..2**64-1")
        self.buf += (value & _MASK64).to_bytes(8, "little")

    quad = dword

    def bytes(self, data) -> None:
        self.buf += bytes(data)

    def align(self, n: int, fill: Optional[int] = None) -> None:
        """Pad to an ``n``-byte boundary of the absolute address (``n`` a power
        of two >= 4).  Padding is NOPs where word-aligned, else ``fill`` bytes
        (default 0); with ``fill`` given, all padding is that byte."""
        if not isinstance(n, int) or n < 1 or n & (n - 1):
            raise EncodingError("align", "n", n, "a power of two")
        if n <= 1:
            return
        self._max_align = max(self._max_align, n)
        pos = self.offset
        npad = (-(self.base + pos)) % n
        self._items.append(_Align(pos, len(self._items), n, npad, fill))
        self._other_items += 1
        self.buf += _padding(self.base + pos, npad, fill)

    # ------------------------------------------------------------ branches

    def cond_branch(self, kind, target, cond=None, rt=None, bit=None):
        """Append a conditional branch (a variable item): ``kind`` one of
        B_COND, CBZ, CBNZ, TBZ, TBNZ with its ``cond`` / ``rt`` / ``bit``;
        ``target`` a Label of this buffer or an absolute address."""
        items = self._items
        item = (len(self._code) + 4 * len(self.words), len(items), kind, target, cond, rt, bit)
        if target.__class__ is not Label or target.owner != self._id:
            if type(target) is Label:
                self._check_label(target)
            elif not isinstance(target, int) or isinstance(target, bool):
                raise LabelError(f"branch target {target!r} is neither a Label nor an address")
        # The word with offset 0 (always in range) validates the operands now;
        # it is remembered per operands (a Cond member, an interned register,
        # an int bit: equal keys are identical operands).
        key = (kind, cond, rt, bit)
        w0 = _WORD0.get(key) if (cond.__class__ is Cond or cond is None) and (
            rt.__class__ is GpReg or rt is None) and (bit.__class__ is int or bit is None) \
            else None
        if w0 is None:
            w0 = _short_word(kind, cond, rt, bit, 0)
            if (cond.__class__ is Cond or cond is None) and (rt.__class__ is GpReg or rt is None) \
                    and (bit.__class__ is int or bit is None):
                _WORD0[key] = w0
        self.words.append(w0)
        items.append(item)
        if kind >= TBZ or target.__class__ is not Label:
            self._far_branches += 1

    def fixup(self, kind, target, word) -> None:
        """Append ``word``, whose offset field the layout sets: ``kind`` one of
        FX_B, FX_BL (imm26 to a Label or an absolute address, veneer if far),
        FX_LIT (imm19 of LDR literal) and FX_ADR (imm21 of ADR) to a Label."""
        if isinstance(target, Label):
            if target.owner != self._id:
                self._check_label(target)
        elif kind in (FX_B, FX_BL):
            if not isinstance(target, int) or isinstance(target, bool):
                raise LabelError(f"branch target {target!r} is neither a Label nor an address")
        else:
            raise LabelError(f"target {target!r} is not a Label")
        self._fixups.append((self.offset, len(self._items), kind, target, word))
        self.words.append(word)

    def load_address(self, rd: GpReg, address: int) -> None:
        """Xd = the absolute address ``address`` (0..2**64-1), with the
        shortest form that reaches from the final position of this
        instruction: ADR, ADRP (+ ADD), or the MOV sequence (asmjit's
        ``load_addr``).  The PC-relative forms are listed in
        ``FinalCode.relocations`` (``pcrel21``, ``page21``)."""
        gp_field("load_address", "rd", rd, zr=False, size=64)
        if not isinstance(address, int) or isinstance(address, bool) \
                or not 0 <= address < (1 << 64):
            raise EncodingError("load_address", "address", address, "0..2**64-1")
        cost = _im.mov_imm_cost(address, 64)
        if cost > 1:
            pos = self.offset
            state = _address_form(address, cost, self.base + pos, _ADR)
            if state != _MOVSEQ:
                item = _AbsAddress(pos, len(self._items), rd, address, cost, state)
                self._items.append(item)
                self._other_items += 1
                self.words += item.words(self.base + pos)
                return
        self.words += _lz.plan_mov_imm(rd, address)

    # ------------------------------------------------------------ literal pool

    def literal(self, value: int) -> Label:
        """A label of a 64-bit literal pool entry holding ``value``
        (deduplicated among the entries not yet emitted)."""
        if not isinstance(value, int) or isinstance(value, bool) \
                or not -(1 << 63) <= value < (1 << 64):
            raise EncodingError("literal", "value", value, "-2**63..2**64-1")
        value &= _MASK64
        return self._pool_entry(("v", value))

    def address_literal(self, address: int) -> Label:
        """Like :meth:`literal` for an absolute address outside the code: the
        entry is listed in ``FinalCode.relocations`` (kind ``abs64``)."""
        if not isinstance(address, int) or isinstance(address, bool) \
                or not 0 <= address < (1 << 64):
            raise EncodingError("address_literal", "address", address, "0..2**64-1")
        return self._pool_entry(("a", address))

    def label_literal(self, label: Label) -> Label:
        """A pool entry holding the absolute address of ``label`` (relocated)."""
        self._check_label(label)
        return self._pool_entry(("l", label.id))

    def _pool_entry(self, key) -> Label:
        lab = self._pool.get(key)
        if lab is None:
            lab = self.new_label(f".Lpool{len(self._labels)}")
            self._pool[key] = lab
        return lab

    def emit_literal_pool(self, jump_over: bool = False) -> None:
        """Emit the pending literal pool entries here (8-byte aligned).

        With ``jump_over`` a ``b`` over the pool is emitted first, so the pool
        can sit in the middle of straight-line code."""
        if not self._pool:
            return
        after = None
        if jump_over:
            after = self.new_label()
            self.fixup(FX_B, after, 0x14000000)          # b after
        self.align(8)
        for key, lab in self._pool.items():
            self.bind(lab)
            kind, v = key
            if kind == "v":
                self.buf += v.to_bytes(8, "little")
            elif kind == "a":
                self._quads.append((self.offset, len(self._items), "abs64", v))
                self.buf += v.to_bytes(8, "little")
            else:
                self._quads.append((self.offset, len(self._items), "abs64_label",
                                    self._labels[v]))
                self.buf += bytes(8)
        self._pool_done.update(self._pool)
        self._pool = {}
        if after is not None:
            self.bind(after)

    # ------------------------------------------------------------ annotations

    def annotate(self, *args):
        """``with a.annotate(text):`` annotates the code emitted in the block;
        ``a.annotate(start, end, text)`` annotates a byte range given by
        offsets (``a.offset``) or Labels."""
        if len(args) == 1:
            return self._annotate_block(args[0])
        if len(args) == 3:
            start, end, text = args
            self._annotations.append((self._posof(start), self._posof(end, end=True), str(text)))
            return None
        raise TypeError("annotate(text) or annotate(start, end, text)")

    def annotate_span(self, start, end, text: str) -> None:
        """Annotate the code between two :meth:`position` values (``start``
        not after ``end``): ``annotate(l1, l2, text)`` with labels bound there."""
        if not (start[0] <= end[0] <= self.offset and start[1] <= end[1] <= len(self._items)):
            raise LabelError(f"annotation span {start!r}..{end!r} is not a range of this code")
        self._annotations.append((start, end, str(text)))

    @contextmanager
    def _annotate_block(self, text):
        start = self.position()
        try:
            yield
        finally:
            self._annotations.append((start, self.position(), str(text)))

    def _posof(self, where, end=False):
        if isinstance(where, Label):
            self._check_label(where)
            p = self._lpos[where.id]
            if p is None:
                raise LabelError(f"annotation bound to unbound label {where.name}")
            return p
        if not isinstance(where, int) or not 0 <= where <= self.offset:
            raise LabelError(f"annotation offset {where!r} outside 0..{self.offset}")
        # An offset names the position after every variable item that ends
        # at or before it (a start) / that starts before it (an end).
        k = 0
        for it in self._items:
            if type(it) is tuple:                   # a conditional branch
                if it[0] + 4 <= where if end else it[0] < where:
                    k = it[1] + 1
                    continue
            elif isinstance(it, _AbsAddress):
                if it.pos + it.nsize <= where if end else it.pos < where:
                    k = it.k + 1
                    continue
            elif (it.pos + it.npad <= where and (it.pos < where or not end)):
                k = it.k + 1
                continue
            break
        return (where, k)

    # ------------------------------------------------------------ finalize

    def finalize(self) -> FinalCode:
        """Resolve every label and fixup; return the final code.

        Raises LabelError for unbound labels and for targets no branch form
        can reach."""
        if self._finalized:
            raise LabelError("finalize() called twice")
        self.emit_literal_pool()
        for lab, p in zip(self._labels, self._lpos):
            if p is None:
                raise LabelError(f"label {lab.name} used or created but never bound")
        self._finalized = True
        return _Layout(self).run()


_LITTLE = sys.byteorder == "little" and struct.calcsize("I") == 4


def _patch_fixup(kind, word, off, src, tgt) -> int:
    """The word of a plain fixup with its offset field set (range-checked);
    LabelError if the target is out of reach."""
    try:
        if kind == FX_B or kind == FX_BL:
            return _br.patch_imm26(word, off)
        if kind == FX_LIT:
            return _br.patch_imm19(word, off)
        return _br.patch_adr(word, off)
    except EncodingError as e:
        what = tgt.name if isinstance(tgt, Label) else f"{tgt:#x}"
        raise LabelError(f"instruction at +{src:#x} cannot reach {what} "
                         f"(offset {off:#x}): {e}"
                         + ("; emit the literal pool closer (emit_literal_pool)"
                            if kind == FX_LIT else "")) from None


def _padding(address: int, npad: int, fill: Optional[int]) -> bytes:
    if fill is not None:
        return bytes([fill]) * npad
    lead = (-address) % 4 if npad else 0
    lead = min(lead, npad)
    rest = npad - lead
    return bytes(lead) + _NOP_BYTES * (rest // 4) + bytes(rest % 4)


class _Layout:
    """The relaxation loop and the final patching (see the module docstring)."""

    def __init__(self, asm: CodeBuffer):
        self.a = asm
        self.base = asm.base
        self.items = asm._items
        self.n = len(self.items)
        # the form of each conditional branch, by item index (0: one word)
        self.state = [0] * self.n
        self.far = False                # a conditional branch goes through a veneer

    def shifts(self) -> List[int]:
        base = self.base
        cum = 0
        out = [0] * (self.n + 1)
        state = self.state
        for i, it in enumerate(self.items):
            out[i] = cum
            t = type(it)
            if t is tuple:
                if state[i]:
                    cum += 4
            elif t is _AbsAddress:
                cum += it.size() - it.nsize
            else:
                pad = (-(base + it.pos + cum)) % it.n
                it.pad = pad
                cum += pad - it.npad
        out[self.n] = cum
        return out

    def run(self) -> FinalCode:
        a = self.a
        if a._other_items:
            branches = [it for it in self.items if type(it) is tuple]
            addresses = [it for it in self.items if type(it) is _AbsAddress]
        else:
            branches, addresses = self.items, []
        abs_calls = [f for f in a._fixups if f[2] in (FX_B, FX_BL) and type(f[3]) is int]
        veneer_of: Dict[int, bool] = {}       # fixup index -> uses a veneer
        sh = self.relax(branches, abs_calls, veneer_of, addresses)
        return self.finish(sh, branches, abs_calls, veneer_of, addresses)

    def relax(self, branches, abs_calls, veneer_of, addresses) -> List[int]:
        """The relaxation loop (module docstring); returns the final shifts."""
        a = self.a
        base = self.base
        lpos = a._lpos
        state = self.state
        # In the first pass every item has its nominal form, so nothing has moved
        # (an alignment keeps its padding, an address the form chosen for its
        # position) and a branch to a label of this code is at most the code's
        # length away: only one to an absolute address, a TBZ/TBNZ (+-32 KiB) or
        # any in code longer than B.cond's reach (+-1 MiB) can need widening.
        if not a._far_branches and len(a.buf) <= _C_HI:
            branches = ()
        sh = [0] * (self.n + 1)
        for _pass in range(2 * (len(branches) + len(addresses)) + len(abs_calls) + 2):
            if _pass:
                sh = self.shifts()
            changed = False
            for it in addresses:
                form = _address_form(it.address, it.cost, base + it.pos + sh[it.k], it.state)
                if form != it.state:
                    it.state = form
                    changed = True
            for pos, k, kind, tgt, _c, _r, _b in branches:
                src = pos + sh[k]
                if type(tgt) is int:
                    dst_off = tgt - base
                else:
                    p = lpos[tgt.id]
                    dst_off = p[0] + sh[p[1]]
                if state[k] == 0:
                    lo, hi = _SHORT_RANGE[kind]
                    if lo <= dst_off - src <= hi:
                        continue
                    state[k] = 1
                    changed = True
                if state[k] == 1:
                    # the unconditional b sits at src + 4
                    if _B_LO <= dst_off - (src + 4) <= _B_HI:
                        continue
                    if type(tgt) is not int:
                        raise LabelError(f"branch at +{src:#x} cannot reach label "
                                         f"{tgt.name} at +{dst_off:#x} (beyond +-128 MiB)")
                    state[k] = 2
                    self.far = changed = True
            for f in abs_calls:
                if id(f) in veneer_of:
                    continue
                src = f[0] + sh[f[1]]
                if not _B_LO <= f[3] - (base + src) <= _B_HI:
                    veneer_of[id(f)] = True
            if not changed:
                return sh               # (every item keeps the form it had in this pass)
        raise AssertionError(  # pragma: no cover - the loop is bounded by construction
            "branch relaxation did not converge")

    def finish(self, sh, branches, abs_calls, veneer_of, addresses) -> FinalCode:
        """The final code: every branch, fixup and address patched in the final
        layout ``sh`` (in place when nothing moved, the common case)."""
        a = self.a
        base = self.base
        lpos = a._lpos
        state = self.state
        moved = any(sh)         # (an item whose size changed moves every later one)
        buf = self.rebuild(sh) if moved else a.buf
        end = len(buf)

        def final(p):
            return p[0] + sh[p[1]]

        # Veneers after the code, 8-byte aligned, one per absolute target.
        far_targets = []
        if self.far or veneer_of:
            seen = set()
            for it in branches:
                if state[it[1]] == 2 and it[3] not in seen:
                    seen.add(it[3])
                    far_targets.append(it[3])
            for f in abs_calls:
                if id(f) in veneer_of and f[3] not in seen:
                    seen.add(f[3])
                    far_targets.append(f[3])
        veneer_at: Dict[int, int] = {}
        relocs: List[Relocation] = []
        if far_targets:
            vs = a.veneer_scratch
            if vs is None:
                raise LabelError(
                    f"branch to {far_targets[0]:#x} is beyond +-128 MiB of the code at "
                    f"{base:#x}: give the Assembler an explicit veneer_scratch (e.g. x16)")
            pad = (-(base + end)) % 8
            buf += bytes(pad)
            ldr = _br.encode_ldr_literal(vs, 8)
            brw = _br.encode_br(vs)
            for t in far_targets:
                off = len(buf)
                veneer_at[t] = off
                buf += _pack(ldr) + _pack(brw) + t.to_bytes(8, "little")
                relocs.append(Relocation(off + 8, "abs64", t))
            a._max_align = max(a._max_align, 8)

        # The branch words are read and written through a uint32 view when the
        # code is word-sized on a little-endian host (a word at an unaligned
        # offset goes through struct).
        words = memoryview(buf).cast("I") if _LITTLE and not len(buf) & 3 else None
        try:
            # Conditional branches.
            for pos, k, kind, tgt, cond, rt, bit in branches:
                src = pos + sh[k]
                if type(tgt) is int:
                    dst_off = veneer_at[tgt] if state[k] == 2 else tgt - base
                else:
                    p = lpos[tgt.id]
                    dst_off = p[0] + sh[p[1]]
                if state[k] == 0:
                    off = dst_off - src             # (in reach: the relaxation loop)
                    direct = words is not None and not src & 3
                    w0 = words[src >> 2] if direct else _unpack_from(buf, src)[0]
                    # The relaxation loop checked the range; the field insertion is
                    # inlined for speed (imm19 = bits 23:5, imm14 = bits 18:5) once
                    # the alignment is checked.
                    if kind >= TBZ:
                        if off & 3:
                            _br.patch_imm14(w0, off)          # raises EncodingError
                        w = (w0 & ~(0x3FFF << 5)) | (((off >> 2) & 0x3FFF) << 5)
                    else:
                        if off & 3:
                            _br.patch_imm19(w0, off)          # raises EncodingError
                        w = (w0 & ~(0x7FFFF << 5)) | (((off >> 2) & 0x7FFFF) << 5)
                    if direct:
                        words[src >> 2] = w
                    else:
                        _pack_into(buf, src, w)
                    if type(tgt) is int:
                        relocs.append(Relocation(src, "pcrel14" if kind >= TBZ
                                                 else "pcrel19", tgt))
                else:
                    _pack_into(buf, src, _inverse_skip_word(kind, cond, rt, bit))
                    _pack_into(buf, src + 4, _br.encode_b(dst_off - (src + 4)))
                    if type(tgt) is int and state[k] == 1:
                        relocs.append(Relocation(src + 4, "pcrel26", tgt))

            # Plain fixups.
            for f in a._fixups:
                pos, k, kind, tgt, word = f
                src = pos + sh[k]
                if type(tgt) is int:
                    if id(f) in veneer_of:
                        dst_off = veneer_at[tgt]
                    else:
                        dst_off = tgt - base
                        relocs.append(Relocation(src, "pcrel26", tgt))
                else:
                    p = lpos[tgt.id]
                    dst_off = p[0] + sh[p[1]]
                off = dst_off - src
                if (kind == FX_B or kind == FX_BL) and not off & 3 and _B_LO <= off <= _B_HI:
                    word = (word & 0xFC000000) | ((off >> 2) & 0x03FFFFFF)   # imm26, inlined
                else:
                    word = _patch_fixup(kind, word, off, src, tgt)
                if words is not None and not src & 3:
                    words[src >> 2] = word
                else:
                    _pack_into(buf, src, word)
        finally:
            if words is not None:
                words.release()

        # Absolute addresses, in the form that reaches from the final position.
        for it in addresses:
            src = it.pos + sh[it.k]
            for i, w in enumerate(it.words(base + src)):
                _pack_into(buf, src + 4 * i, w)
            r = it.relocation(src)
            if r is not None:
                relocs.append(r)

        # Absolute 64-bit data.
        for pos, k, kind, tgt in a._quads:
            at = pos + sh[k]
            if kind == "abs64_label":
                t = final(lpos[tgt.id])
                _pack_q_into(buf, at, (base + t) & _MASK64)
                relocs.append(Relocation(at, "abs64_label", t))
            else:
                relocs.append(Relocation(at, "abs64", tgt))
        relocs.sort(key=lambda r: r.offset)

        labels = {}
        label_offsets = {}
        for lab, p in zip(a._labels, lpos):
            o = p[0] + sh[p[1]]
            labels[lab.name] = o
            label_offsets[lab.id] = o
        anns = [Annotation(final(s), final(e), t) for s, e, t in a._annotations]
        return FinalCode(bytes(buf), base, labels, anns, relocs, a._max_align,
                         label_offsets, sh if moved else None)

    def rebuild(self, sh) -> bytearray:
        src = self.a.buf
        out = bytearray()
        prev = 0
        base = self.base
        state = self.state
        for i, it in enumerate(self.items):
            t = type(it)
            if t is tuple:
                out += src[prev:it[0] + 4]
                prev = it[0] + 4
                if state[i]:
                    out += bytes(4)
            elif t is _AbsAddress:
                out += src[prev:it.pos]
                out += bytes(it.size())         # written by finish()
                prev = it.pos + it.nsize
            else:
                out += src[prev:it.pos]
                out += _padding(base + len(out), it.pad, it.fill)
                prev = it.pos + it.npad
        out += src[prev:]
        return out

"""The A64 Assembler: the instruction methods over the code buffer.

An asmjit-like API over the pure encoders of this package, reading like
assembly::

    a = Assembler(base=0x10000, scratch=x16, veneer_scratch=x16)
    loop = a.new_label("loop")
    a.stp(x29, x30, pre(sp, -16))
    a.bind(loop)
    a.add(x0, x0, 1)
    a.cmp(x0, x1)
    a.b_ne(loop)                 # or a.b_cond(Cond.NE, loop)
    a.ldp(x29, x30, post(sp, 16))
    a.ret()
    out = a.finalize()           # out.code, out.labels, out.annotations, out.relocations

Labels, fixups, relaxation, veneers, the literal pool and relocations are the
:class:`~armjit.emit.buffer.CodeBuffer`'s (see its module for the layout model).
"""

from __future__ import annotations

import struct

from . import arith as _ar
from . import branch as _br
from . import immediates as _im
from . import legalize as _lz
from .buffer import (_BCOND, _CBNZ, _CBZ, _FX_ADR, _FX_B, _FX_BL, _FX_LIT, _TBNZ, _TBZ,
                     Annotation, CodeBuffer, FinalCode, Label, Relocation, _CondBranch)
from .errors import EncodingError
from .operands import Cond, FpReg, GpReg

__all__ = ["Assembler", "Label", "Annotation", "Relocation", "FinalCode"]

_pack = struct.Struct("<I").pack
_B0 = _pack(0x14000000)
_BL0 = _pack(0x94000000)


class Assembler(CodeBuffer):
    """The code buffer with a method per A64 instruction (see the module doc).

    ``base``, ``scratch`` and ``veneer_scratch`` are those of
    :class:`~armjit.emit.buffer.CodeBuffer`.
    """

    # ------------------------------------------------------------ branches

    def b_cond(self, cond, target) -> None:
        """B.<cond> to a Label or an absolute address (widened when out of range)."""
        if cond == Cond.AL:
            self.b(target)
            return
        self._cond_branch(_BCOND, target, cond=cond)

    def _cbz_like(self, kind, cache, encode, rt, target) -> None:
        # Fast path: a label of this assembler and a register whose offset-0
        # word was validated before (cached per interned register).
        w0 = cache.get(rt) if rt.__class__ is GpReg else None
        if w0 is not None and target.__class__ is Label and target.owner == self._id:
            items = self._items
            items.append(_CondBranch(len(self.buf), len(items), kind, target, None, rt, None))
            self.buf += w0
            return
        self._cond_branch(kind, target, rt=rt)
        if rt.__class__ is GpReg:
            cache[rt] = _pack(encode(rt, 0))

    def cbz(self, rt: GpReg, target) -> None:
        self._cbz_like(_CBZ, _CBZ0, _br.encode_cbz, rt, target)

    def cbnz(self, rt: GpReg, target) -> None:
        self._cbz_like(_CBNZ, _CBNZ0, _br.encode_cbnz, rt, target)

    def tbz(self, rt: GpReg, bit: int, target) -> None:
        self._cond_branch(_TBZ, target, rt=rt, bit=bit)

    def tbnz(self, rt: GpReg, bit: int, target) -> None:
        self._cond_branch(_TBNZ, target, rt=rt, bit=bit)

    def b(self, target) -> None:
        """B to a Label, an absolute address (veneer if far), or a register
        (``b(x16)`` is ``br x16``)."""
        if target.__class__ is Label and target.owner == self._id:
            buf = self.buf
            self._fixups.append((len(buf), len(self._items), _FX_B, target, 0x14000000))
            buf += _B0
            return
        if isinstance(target, GpReg):
            self.buf += _pack(_br.encode_br(target))
            return
        self._fixup(_FX_B, target, 0x14000000)

    def bl(self, target) -> None:
        """BL to a Label, an absolute address (veneer if far) or a register (blr)."""
        if target.__class__ is Label and target.owner == self._id:
            buf = self.buf
            self._fixups.append((len(buf), len(self._items), _FX_BL, target, 0x94000000))
            buf += _BL0
            return
        if isinstance(target, GpReg):
            self.buf += _pack(_br.encode_blr(target))
            return
        self._fixup(_FX_BL, target, 0x94000000)

    def br(self, rn: GpReg) -> None:
        self.buf += _pack(_br.encode_br(rn))

    def blr(self, rn: GpReg) -> None:
        self.buf += _pack(_br.encode_blr(rn))

    def ret(self, rn: GpReg = _br.X[30]) -> None:
        self.buf += _pack(_br.encode_ret(rn))

    def adr(self, rd: GpReg, target) -> None:
        """ADR rd, label (+-1 MiB)."""
        self._fixup(_FX_ADR, target, _br.encode_adr(rd, 0))

    def ldr_literal(self, rt, target) -> None:
        """LDR (literal) rt, label: ``target`` a Label (e.g. from
        :meth:`literal`), +-1 MiB."""
        self._fixup(_FX_LIT, target, _br.encode_ldr_literal(rt, 0))

    def ldrsw_literal(self, rt, target) -> None:
        self._fixup(_FX_LIT, target, _br.encode_ldrsw_literal(rt, 0))

    def ldr_const(self, rt, value: int) -> None:
        """``ldr rt, =value`` through the literal pool."""
        self.ldr_literal(rt, self.literal(value))

    def ldr_address(self, rt, address: int) -> None:
        """``ldr rt, =address`` of an external address (an ``abs64`` relocation)."""
        self.ldr_literal(rt, self.address_literal(address))


# CBZ/CBNZ words with offset 0, per register (filled after a successful
# validation by the encoder; registers are interned and immutable).
_CBZ0: dict = {}
_CBNZ0: dict = {}


# B.<cond> shorthands: a.b_eq(label), a.b_ne(label), ...
def _make_bcond(c):
    word0 = _pack(_br.encode_b_cond(c, 0))

    def method(self, target):
        if target.__class__ is Label and target.owner == self._id:
            items = self._items
            items.append(_CondBranch(len(self.buf), len(items), _BCOND, target, c, None, None))
            self.buf += word0
            return
        self._cond_branch(_BCOND, target, cond=c)
    method.__name__ = f"b_{c.name.lower()}"
    method.__doc__ = f"B.{c.name} to a Label or absolute address."
    return method


for _c in Cond:
    if _c < Cond.AL:
        setattr(Assembler, f"b_{_c.name.lower()}", _make_bcond(_c))
for _alias, _c in (("cs", Cond.HS), ("cc", Cond.LO)):
    setattr(Assembler, f"b_{_alias}", _make_bcond(_c))
del _c, _alias


# ==========================================================================
# Instructions
# ==========================================================================
#
# Every instruction method is a *planner* -- a pure function from operands to
# a list of words, built only from the encoders and plans of this package --
# wrapped in a memo: the packed bytes are cached under the identities of the
# operands (``id``), and the cache entry keeps the operands alive, so an
# identity can never be reused by another object while its entry exists.
# Operands are immutable (frozen dataclasses, enums, ints, floats, strings),
# so equal identities mean equal operands and the cached bytes are exactly
# what the planner would return.  Arguments of other (possibly mutable) types
# are never cached.  A miss costs one planner call; a hit costs a dict lookup.

from . import bitfield as _bf         # noqa: E402
from . import dataproc as _dp         # noqa: E402
from . import fpsimd as _fp           # noqa: E402
from . import loadstore as _ls        # noqa: E402
from . import logical as _lg          # noqa: E402
from . import movewide as _mw         # noqa: E402
from . import system as _sy           # noqa: E402
from .operands import AddrMode, Extend, Mem, Shift  # noqa: E402

_IMMUTABLE = (GpReg, FpReg, Mem, int, float, str, type(None), Cond, Shift, Extend, AddrMode)
_CACHE_LIMIT = 1 << 16


def _miss(cache, key, planner, args):
    words = planner(*args)
    data = b"".join(_pack(w) for w in words)
    for v in args:
        if not isinstance(v, _IMMUTABLE):
            return data
    if len(cache) >= _CACHE_LIMIT:
        cache.clear()
    cache[key] = (data, args)
    return data


def _make_method(name, planner, params, scratch=False, doc=None):
    """Generate ``def name(self, <params>[, *, scratch=None])`` with a memo."""
    names = [p.split("=")[0].strip() for p in params]
    if scratch:
        sig = ", ".join(["self"] + params + ["*", "scratch=None"])
        pre = "    if scratch is None: scratch = self.scratch\n"
        names = names + ["scratch"]
    else:
        sig = ", ".join(["self"] + params)
        pre = ""
    key = "(" + "".join(f"_id({n}), " for n in names) + ")"
    tup = "(" + "".join(f"{n}, " for n in names) + ")"
    src = (f"def {name}({sig}):\n{pre}"
           f"    k = {key}\n"
           f"    h = _cache.get(k)\n"
           f"    if h is None:\n"
           f"        self.buf += _miss(_cache, k, _planner, {tup})\n"
           f"    else:\n"
           f"        self.buf += h[0]\n")
    ns = {"_id": id, "_cache": {}, "_miss": _miss, "_planner": planner}
    exec(src, ns)
    fn = ns[name]
    fn.__doc__ = doc or planner.__doc__
    fn.__qualname__ = f"Assembler.{name}"
    fn.cache = ns["_cache"]
    return fn


def _one(enc):
    def planner(*args):
        return [enc(*args)]
    planner.__doc__ = enc.__doc__
    return planner


_MASKS = {32: (1 << 32) - 1, 64: (1 << 64) - 1}


def _value(mnemonic, rd, value):
    """``value`` reduced to the width of ``rd`` (signed or unsigned input)."""
    size = rd.size if isinstance(rd, GpReg) else 64
    if isinstance(value, bool) or not isinstance(value, int) \
            or not -(1 << (size - 1)) <= value < (1 << size):
        raise EncodingError(mnemonic, "imm", value,
                            f"{-(1 << (size - 1))}..{(1 << size) - 1} for a {size}-bit register")
    return value & _MASKS[size]


def _zr(reg):
    return GpReg(31, reg.size if isinstance(reg, GpReg) else 64)


# --------------------------------------------------------------- add / sub

def _addsub_reg(mn, sub, flags, rd, rn, rm, sh, amount):
    shifted = {(0, 0): _ar.encode_add_shifted, (0, 1): _ar.encode_adds_shifted,
               (1, 0): _ar.encode_sub_shifted, (1, 1): _ar.encode_subs_shifted}[(sub, flags)]
    ext = {(0, 0): _ar.encode_add_ext, (0, 1): _ar.encode_adds_ext,
           (1, 0): _ar.encode_sub_ext, (1, 1): _ar.encode_subs_ext}[(sub, flags)]
    if isinstance(sh, Extend):
        return ext(rd, rn, rm, sh, amount)
    sp_involved = (isinstance(rd, GpReg) and rd.is_sp) or (isinstance(rn, GpReg) and rn.is_sp)
    if sp_involved and (sh is None or sh is Shift.LSL):
        # SP needs the extended form; LSL there is UXTX (UXTW for W), amount 0..4.
        e = Extend.UXTX if rd.size == 64 else Extend.UXTW
        return ext(rd, rn, rm, e, amount)
    return shifted(rd, rn, rm, Shift.LSL if sh is None else sh, amount)


def _addsub_planner(mn, sub, flags):
    def planner(rd, rn, op, sh=None, amount=0, scratch=None):
        if isinstance(op, GpReg):
            return [_addsub_reg(mn, sub, flags, rd, rn, op, sh, amount)]
        if sh is not None or amount:
            raise EncodingError(mn, "shift", sh, "no shift with an immediate operand "
                                "(the value may be any integer of the register width)")
        v = _value(mn, rd, op)
        mask = _MASKS[rd.size if isinstance(rd, GpReg) else 64]   # rd is checked below
        if _im.is_add_sub_imm(v):
            imm, s12 = _im.split_add_sub_imm(v)
            enc = {(0, 0): _ar.encode_add_imm, (0, 1): _ar.encode_adds_imm,
                   (1, 0): _ar.encode_sub_imm, (1, 1): _ar.encode_subs_imm}[(sub, flags)]
            return [enc(rd, rn, imm, s12)]
        if not sub:
            return _lz.plan_add_imm(rd, rn, v, scratch, bool(flags))
        neg = (-v) & mask
        if not flags or _im.is_add_sub_imm(neg):
            # SUB without flags is ADD of the negation; SUBS #v equals ADDS #-v
            # in all four flags when -v is an imm12 (v != 0, v != INT_MIN).
            return _lz.plan_add_imm(rd, rn, neg, scratch, bool(flags))
        # SUBS with a materialised value: keep the exact SUBS flags.
        tmp = rd if (not rd.is_sp and not rd.is_zr and rd.num != rn.num) else None
        if tmp is None:
            if scratch is None:
                raise EncodingError(mn, "imm", op, "an imm12 (optionally lsl #12), or give "
                                    "a scratch register")
            tmp = _lz.check_scratch(mn, scratch, rd.size, [("rn", rn)])
        return _lz.plan_mov_imm(tmp, v) + [_addsub_reg(mn, 1, 1, rd, rn, tmp, None, 0)]
    planner.__doc__ = (f"{mn.upper()} rd, rn, op{{, shift|extend, amount}}: op a register "
                       "(shifted/extended forms) or any integer of the register width "
                       "(legalised; a scratch is used only when given).")
    return planner


def _cmp_planner(mn):
    def planner(rn, op, sh=None, amount=0, scratch=None):
        zr = _zr(rn)
        if isinstance(op, GpReg):
            return [_addsub_reg(mn, mn == "cmp", 1, zr, rn, op, sh, amount)]
        if sh is not None or amount:
            raise EncodingError(mn, "shift", sh, "no shift with an immediate operand")
        v = _value(mn, rn, op)
        if mn == "cmp":
            return _lz.plan_cmp_imm(rn, v, scratch)
        if _im.is_add_sub_imm(v) and not rn.is_zr:
            return [_ar.encode_cmn_imm(rn, *_im.split_add_sub_imm(v))]
        s = _lz.check_scratch(mn, scratch, rn.size, [("rn", rn)]) if scratch is not None \
            else None
        if s is None:
            raise EncodingError(mn, "imm", op, "an imm12 (optionally lsl #12), or give a "
                                "scratch register")
        return _lz.plan_mov_imm(s, v) + [_addsub_reg(mn, 0, 1, zr, rn, s, None, 0)]
    planner.__doc__ = f"{mn.upper()} rn, op: op a register or any integer (legalised)."
    return planner


def _neg_planner(enc):
    def planner(rd, rm, sh=None, amount=0):
        return [enc(rd, rm, Shift.LSL if sh is None else sh, amount)]
    planner.__doc__ = enc.__doc__
    return planner


# --------------------------------------------------------------- logical

def _logical_planner(mn):
    shifted = getattr(_lg, f"encode_{mn}_shifted")
    def planner(rd, rn, op, sh=None, amount=0, scratch=None):
        if isinstance(op, GpReg):
            return [shifted(rd, rn, op, Shift.LSL if sh is None else sh, amount)]
        if sh is not None or amount:
            raise EncodingError(mn, "shift", sh, "no shift with an immediate operand")
        if mn in ("bic", "orn", "eon", "bics"):
            raise EncodingError(mn, "rm", op, "a register (no immediate form)")
        return _lz.plan_logical_imm(mn, rd, rn, _value(mn, rd, op), scratch)
    planner.__doc__ = f"{mn.upper()} rd, rn, op{{, shift, amount}} (immediates legalised)."
    return planner


def _tst(rn, op, sh=None, amount=0, scratch=None):
    """TST rn, op: a register (shifted) or any integer (legalised with a scratch)."""
    if isinstance(op, GpReg):
        return [_lg.encode_tst_shifted(rn, op, Shift.LSL if sh is None else sh, amount)]
    if sh is not None or amount:
        raise EncodingError("tst", "shift", sh, "no shift with an immediate operand")
    v = _value("tst", rn, op)
    if _im.encode_bitmask(v, rn.size) is not None:
        return [_lg.encode_tst_imm(rn, v)]
    if scratch is None:
        raise EncodingError("tst", "imm", op, "a bitmask immediate, or give a scratch register")
    return _lz.plan_logical_imm("ands", _zr(rn), rn, v, scratch)


# --------------------------------------------------------------- moves

def _mov(rd, op, scratch=None):
    """MOV rd, op: a GP/SP register, an FP register (fmov), or any integer
    (MOVZ/MOVN/MOVK/ORR sequence writing only rd; rd = SP needs a scratch)."""
    if isinstance(op, GpReg) and isinstance(rd, GpReg):
        if rd.is_sp or op.is_sp:
            return [_ar.encode_mov_sp(rd, op)]
        return [_lg.encode_mov_reg(rd, op)]
    if isinstance(op, FpReg) or isinstance(rd, FpReg):
        return [_fp.encode_fmov(rd, op)]
    v = _value("mov", rd, op)
    if isinstance(rd, GpReg) and rd.is_sp:
        if scratch is None:
            raise EncodingError("mov", "rd", rd, "x0-x30 for an immediate, or give a scratch")
        s = _lz.check_scratch("mov", scratch, rd.size, [])
        return _lz.plan_mov_imm(s, v) + [_ar.encode_mov_sp(rd, s)]
    return _lz.plan_mov_imm(rd, v)


def _shift_planner(mn):
    imm = getattr(_bf, f"encode_{mn}_imm")
    reg = getattr(_dp, f"encode_{mn}v")
    def planner(rd, rn, op):
        if isinstance(op, GpReg):
            return [reg(rd, rn, op)]
        return [imm(rd, rn, op)]
    planner.__doc__ = f"{mn.upper()} rd, rn, #imm | rm."
    return planner


def _ccmp_planner(mn):
    reg = getattr(_dp, f"encode_{mn}")
    imm = getattr(_dp, f"encode_{mn}_imm")
    def planner(rn, op, nzcv, cond):
        if isinstance(op, GpReg):
            return [reg(rn, op, nzcv, cond)]
        return [imm(rn, op, nzcv, cond)]
    planner.__doc__ = f"{mn.upper()} rn, rm|#imm5, #nzcv, cond."
    return planner


def _fmov(rd, op):
    """FMOV rd, op: register moves (FP/GP) or an FP immediate (+-n/16 * 2**e)."""
    if isinstance(op, (GpReg, FpReg)):
        return [_fp.encode_fmov(rd, op)]
    return [_fp.encode_fmov_imm(rd, op)]


# --------------------------------------------------------------- loads / stores

def _ldst_planner(op):
    def planner(rt, m, scratch=None):
        if not isinstance(m, Mem):
            raise EncodingError(op, "mem", m, "a Mem operand (or a Label for ldr literal)")
        if (m.index is None and m.mode is AddrMode.OFFSET and scratch is not None
                and not _ls.LDST_OPS[op][1]):
            return _lz.plan_ldst(op, rt, m.base, m.offset, scratch)
        return [_ls.encode_ldst(op, rt, m)]
    planner.__doc__ = (f"{op.upper()} rt, mem: any addressing mode; an offset no single "
                       "instruction holds is legalised only with a scratch register.")
    return planner


# --------------------------------------------------------------- the table

_METHODS = []


def _add(name, planner, params, scratch=False):
    _METHODS.append((name, planner, params, scratch))


for _mn, _sub, _fl in (("add", 0, 0), ("adds", 0, 1), ("sub", 1, 0), ("subs", 1, 1)):
    _add(_mn, _addsub_planner(_mn, _sub, _fl), ["rd", "rn", "op", "sh=None", "amount=0"], True)
for _mn in ("cmp", "cmn"):
    _add(_mn, _cmp_planner(_mn), ["rn", "op", "sh=None", "amount=0"], True)
_add("neg", _neg_planner(_ar.encode_neg), ["rd", "rm", "sh=None", "amount=0"])
_add("negs", _neg_planner(_ar.encode_negs), ["rd", "rm", "sh=None", "amount=0"])
for _mn in ("adc", "adcs", "sbc", "sbcs"):
    _add(_mn, _one(getattr(_ar, f"encode_{_mn}")), ["rd", "rn", "rm"])
for _mn in ("ngc", "ngcs"):
    _add(_mn, _one(getattr(_ar, f"encode_{_mn}")), ["rd", "rm"])
for _mn in ("and", "orr", "eor", "ands", "bic", "orn", "eon", "bics"):
    _add(_mn + "_" if _mn == "and" else _mn, _logical_planner(_mn),
         ["rd", "rn", "op", "sh=None", "amount=0"], True)
_add("tst", _tst, ["rn", "op", "sh=None", "amount=0"], True)
_add("mvn", _neg_planner(_lg.encode_mvn), ["rd", "rm", "sh=None", "amount=0"])
_add("mov", _mov, ["rd", "op"], True)
for _mn in ("movz", "movn", "movk"):
    _add(_mn, _one(getattr(_mw, f"encode_{_mn}")), ["rd", "imm16", "shift=0"])
for _mn in ("lsl", "lsr", "asr"):
    _add(_mn, _shift_planner(_mn), ["rd", "rn", "op"])


def _ror(rd, rn, op):
    """ROR rd, rn, #imm | rm."""
    if isinstance(op, GpReg):
        return [_dp.encode_rorv(rd, rn, op)]
    return [_bf.encode_ror_imm(rd, rn, op)]


_add("ror", _ror, ["rd", "rn", "op"])
for _mn in ("sbfm", "bfm", "ubfm"):
    _add(_mn, _one(getattr(_bf, f"encode_{_mn}")), ["rd", "rn", "immr", "imms"])
for _mn in ("ubfx", "sbfx", "bfxil", "ubfiz", "sbfiz", "bfi"):
    _add(_mn, _one(getattr(_bf, f"encode_{_mn}")), ["rd", "rn", "lsb", "width"])
for _mn in ("uxtb", "uxth", "sxtb", "sxth", "sxtw"):
    _add(_mn, _one(getattr(_bf, f"encode_{_mn}")), ["rd", "rn"])
_add("extr", _one(_bf.encode_extr), ["rd", "rn", "rm", "lsb"])
for _mn in ("udiv", "sdiv", "lslv", "lsrv", "asrv", "rorv", "mul", "mneg", "smull",
            "smnegl", "umull", "umnegl", "smulh", "umulh"):
    _add(_mn, _one(getattr(_dp, f"encode_{_mn}")), ["rd", "rn", "rm"])
for _mn in ("madd", "msub", "smaddl", "smsubl", "umaddl", "umsubl"):
    _add(_mn, _one(getattr(_dp, f"encode_{_mn}")), ["rd", "rn", "rm", "ra"])
for _mn in ("rbit", "rev16", "rev32", "rev", "clz", "cls"):
    _add(_mn, _one(getattr(_dp, f"encode_{_mn}")), ["rd", "rn"])
for _mn in ("csel", "csinc", "csinv", "csneg"):
    _add(_mn, _one(getattr(_dp, f"encode_{_mn}")), ["rd", "rn", "rm", "cond"])
for _mn in ("cset", "csetm"):
    _add(_mn, _one(getattr(_dp, f"encode_{_mn}")), ["rd", "cond"])
for _mn in ("cinc", "cinv", "cneg"):
    _add(_mn, _one(getattr(_dp, f"encode_{_mn}")), ["rd", "rn", "cond"])
for _mn in ("ccmp", "ccmn"):
    _add(_mn, _ccmp_planner(_mn), ["rn", "op", "nzcv", "cond"])
for _mn in _ls.LDST_OPS:
    if _mn != "ldr":
        _add(_mn, _ldst_planner(_mn), ["rt", "m"], True)
_add("_ldr_mem", _ldst_planner("ldr"), ["rt", "m"], True)
for _mn in ("ldp", "stp", "ldpsw"):
    _add(_mn, _one(getattr(_ls, f"encode_{_mn}")), ["rt1", "rt2", "m"])
# FP
for _mn in ("fmul", "fdiv", "fadd", "fsub", "fmax", "fmin", "fmaxnm", "fminnm", "fnmul"):
    _add(_mn, _one(getattr(_fp, f"encode_{_mn}")), ["rd", "rn", "rm"])
for _mn in ("fabs", "fneg", "fsqrt", "frintn", "frintp", "frintm", "frintz", "frinta",
            "frintx", "frinti", "fcvt", "scvtf", "ucvtf", "fcvtns", "fcvtnu", "fcvtas",
            "fcvtau", "fcvtps", "fcvtpu", "fcvtms", "fcvtmu", "fcvtzs", "fcvtzu"):
    _add(_mn, _one(getattr(_fp, f"encode_{_mn}")), ["rd", "rn"])
for _mn in ("fmadd", "fmsub", "fnmadd", "fnmsub"):
    _add(_mn, _one(getattr(_fp, f"encode_{_mn}")), ["rd", "rn", "rm", "ra"])
for _mn in ("fcmp", "fcmpe"):
    _add(_mn, _one(getattr(_fp, f"encode_{_mn}")), ["rn", "rm"])
_add("fcsel", _one(_fp.encode_fcsel), ["rd", "rn", "rm", "cond"])
_add("fmov", _fmov, ["rd", "op"])
# System
for _mn in ("nop", "isb", "yield", "wfe", "wfi", "sev", "sevl"):
    _add(_mn + "_" if _mn == "yield" else _mn, _one(getattr(_sy, f"encode_{_mn}")), [])
for _mn in ("brk", "hlt", "svc", "udf"):
    _add(_mn, _one(getattr(_sy, f"encode_{_mn}")), ["imm=0"])
_add("hint", _one(_sy.encode_hint), ["imm"])
for _mn in ("dmb", "dsb"):
    _add(_mn, _one(getattr(_sy, f"encode_{_mn}")), ["option='sy'"])
_add("mrs", _one(_sy.encode_mrs), ["rt", "sysreg"])
_add("msr", _one(_sy.encode_msr), ["sysreg", "rt"])

for _name, _planner, _params, _scr in _METHODS:
    setattr(Assembler, _name, _make_method(_name, _planner, _params, _scr))
del _name, _planner, _params, _scr, _mn


def _ldr(self, rt, m, *, scratch=None):
    """LDR rt, mem (any mode; offsets legalised only with a scratch) or
    LDR rt, label (literal)."""
    if type(m) is Label:
        self.ldr_literal(rt, m)
    else:
        self._ldr_mem(rt, m, scratch=scratch)


def _ldrsw(self, rt, m, *, scratch=None):
    if type(m) is Label:
        self.ldrsw_literal(rt, m)
    else:
        self._ldrsw_mem(rt, m, scratch=scratch)


Assembler._ldrsw_mem = Assembler.ldrsw
Assembler.ldr = _ldr
Assembler.ldrsw = _ldrsw


# ==========================================================================
# Fast paths of the most frequent instructions
# ==========================================================================
#
# A code generator passes fresh operands (a new Mem per load/store, computed
# immediates), which the identity memo above never recognises.  The methods
# below replace the memoized ones for the most frequent operand shapes: they
# call the same pure encoders (whose own fast paths validate with a few
# integer comparisons) and produce exactly the words the planners produce for
# those shapes (each comment says which planner branch it is).  Every other
# shape -- and every call whose operands the fast path does not recognise --
# goes to the memoized planner method (``_<name>_planned``), so errors and
# legalisation are unchanged.

_LSL = Shift.LSL
_ZR_OF = {64: _ar.XZR, 32: _ar.WZR}


# Register-keyed caches.  Registers are interned (GpReg(n, s) is always the
# same object) and immutable, Shift/Cond are enum members, and a shift amount
# is used as a key only when it is exactly an int; so equal keys mean
# identical operands and the cached bytes are exactly what the encoder returns
# for them (only successful encodings are stored).  No cache is keyed on an
# immediate value or a memory offset.
_REG_CACHE_LIMIT = 1 << 16


def _reg_cached(cache, key, enc, *args):
    b = _pack(enc(*args))
    if len(cache) >= _REG_CACHE_LIMIT:
        cache.clear()
    cache[key] = b
    return b


def _fast_addsub(name):
    planned = getattr(Assembler, name)
    enc_imm = getattr(_ar, f"encode_{name}_imm")
    enc_shifted = getattr(_ar, f"encode_{name}_shifted")
    cache: dict = {}

    def method(self, rd, rn, op, sh=None, amount=0, *, scratch=None):
        c = op.__class__
        if c is int:
            # planner: immediate, is_add_sub_imm(v) with v = op in 0..4095 -> imm12, no shift
            if 0 <= op <= 4095 and sh is None and not amount:
                self.buf += _pack(enc_imm(rd, rn, op))
                return
        elif (c is GpReg and rd.__class__ is GpReg and rn.__class__ is GpReg
              and not rd.is_sp and not rn.is_sp and amount.__class__ is int):
            # planner: _addsub_reg without SP and without an Extend -> shifted form
            if sh is None:
                sh = _LSL
            if sh.__class__ is Shift:
                key = (rd, rn, op, sh, amount)
                b = cache.get(key)
                self.buf += b if b is not None else _reg_cached(
                    cache, key, enc_shifted, rd, rn, op, sh, amount)
                return
        planned(self, rd, rn, op, sh, amount, scratch=scratch)

    method.__name__ = name
    method.__qualname__ = f"Assembler.{name}"
    method.__doc__ = planned.__doc__
    setattr(Assembler, f"_{name}_planned", planned)
    setattr(Assembler, name, method)


for _mn in ("add", "adds", "sub", "subs"):
    _fast_addsub(_mn)


def _fast_cmp(name):
    planned = getattr(Assembler, name)
    enc_imm = _ar._cmp_imm if name == "cmp" else _ar._cmn_imm
    enc_shifted = _ar.encode_subs_shifted if name == "cmp" else _ar.encode_adds_shifted
    cache: dict = {}

    def method(self, rn, op, sh=None, amount=0, *, scratch=None):
        c = op.__class__
        if c is int:
            if scratch is None:
                scratch = self.scratch
            # planner: plan_cmp_imm / encode_cmn_imm with an imm12 (rn not ZR; a
            # given scratch is validated there even when unused)
            if (0 <= op <= 4095 and sh is None and not amount and rn.__class__ is GpReg
                    and not rn.is_zr
                    and (scratch is None or (scratch.__class__ is GpReg
                                             and scratch._f_nz < 32))):
                self.buf += _pack(enc_imm(_ZR_OF[rn.size], rn, op))
                return
        elif (c is GpReg and rn.__class__ is GpReg and not rn.is_sp
              and amount.__class__ is int and (sh is None or sh.__class__ is Shift)):
            # planner: _addsub_reg(zr, rn, op) without SP/Extend -> SUBS/ADDS shifted
            key = (rn, op, sh, amount)
            b = cache.get(key)
            self.buf += b if b is not None else _reg_cached(
                cache, key, enc_shifted, _ZR_OF[rn.size], rn, op,
                _LSL if sh is None else sh, amount)
            return
        planned(self, rn, op, sh, amount, scratch=scratch)

    method.__name__ = name
    method.__qualname__ = f"Assembler.{name}"
    method.__doc__ = planned.__doc__
    setattr(Assembler, f"_{name}_planned", planned)
    setattr(Assembler, name, method)


_fast_cmp("cmp")
_fast_cmp("cmn")


def _fast_logical(name, mn):
    planned = getattr(Assembler, name)
    shifted = getattr(_lg, f"encode_{mn}_shifted")
    cache: dict = {}

    def method(self, rd, rn, op, sh=None, amount=0, *, scratch=None):
        if op.__class__ is GpReg:
            # planner: register operand -> shifted form
            if (rd.__class__ is GpReg and rn.__class__ is GpReg and amount.__class__ is int
                    and (sh is None or sh.__class__ is Shift)):
                key = (rd, rn, op, sh, amount)
                b = cache.get(key)
                self.buf += b if b is not None else _reg_cached(
                    cache, key, shifted, rd, rn, op, _LSL if sh is None else sh, amount)
            else:
                self.buf += _pack(shifted(rd, rn, op, _LSL if sh is None else sh, amount))
            return
        planned(self, rd, rn, op, sh, amount, scratch=scratch)

    method.__name__ = name
    method.__qualname__ = f"Assembler.{name}"
    method.__doc__ = planned.__doc__
    setattr(Assembler, f"_{name}_planned", planned)
    setattr(Assembler, name, method)


for _mn in ("and", "orr", "eor", "ands", "bic", "orn", "eon", "bics"):
    _fast_logical(_mn + "_" if _mn == "and" else _mn, _mn)

_mov_planned = Assembler.mov
_encode_mov_sp = _ar.encode_mov_sp
_encode_mov_reg = _lg.encode_mov_reg
_encode_movz = _mw.encode_movz
_MOV_CACHE: dict = {}


def _fast_mov(self, rd, op, *, scratch=None):
    c = op.__class__
    if c is GpReg:
        if rd.__class__ is GpReg:
            # planner: two GP registers -> MOV (to/from SP) or MOV (register)
            key = (rd, op)
            b = _MOV_CACHE.get(key)
            if b is None:
                b = _reg_cached(_MOV_CACHE, key,
                                _encode_mov_sp if rd.is_sp or op.is_sp else _encode_mov_reg,
                                rd, op)
            self.buf += b
            return
    elif c is int and 0 <= op <= 0xFFFF and rd.__class__ is GpReg and rd._f_nz < 32:
        # planner: plan_mov_imm of a value with only halfword 0 set -> one MOVZ
        self.buf += _pack(_encode_movz(rd, op, 0))
        return
    _mov_planned(self, rd, op, scratch=scratch)


_fast_mov.__name__ = "mov"
_fast_mov.__qualname__ = "Assembler.mov"
_fast_mov.__doc__ = _mov_planned.__doc__
Assembler._mov_planned = _mov_planned
Assembler.mov = _fast_mov


def _fast_csel(name):
    planned = getattr(Assembler, name)
    enc = getattr(_dp, f"encode_{name}")
    cache: dict = {}

    def method(self, rd, rn, rm, cond):
        if (rd.__class__ is GpReg and rn.__class__ is GpReg and rm.__class__ is GpReg
                and cond.__class__ is Cond):
            key = (rd, rn, rm, cond)
            b = cache.get(key)
            self.buf += b if b is not None else _reg_cached(cache, key, enc, rd, rn, rm, cond)
        else:
            self.buf += _pack(enc(rd, rn, rm, cond))

    method.__name__ = name
    method.__qualname__ = f"Assembler.{name}"
    method.__doc__ = planned.__doc__
    setattr(Assembler, f"_{name}_planned", planned)
    setattr(Assembler, name, method)


for _mn in ("csel", "csinc", "csinv", "csneg"):
    _fast_csel(_mn)


def _fast_direct(name, enc, params):
    """Methods whose planner is one encoder call (``_one``): call it directly
    (the encoder has a fast path; a memo would only add a miss per fresh operand)."""
    planned = getattr(Assembler, name)
    sig = ", ".join(params)
    args = ", ".join(p.split("=")[0].strip() for p in params)
    src = (f"def {name}(self, {sig}):\n"
           f"    self.buf += _pack(_enc({args}))\n")
    ns = {"_pack": _pack, "_enc": enc}
    exec(src, ns)
    fn = ns[name]
    fn.__qualname__ = f"Assembler.{name}"
    fn.__doc__ = planned.__doc__
    setattr(Assembler, f"_{name}_planned", planned)
    setattr(Assembler, name, fn)


for _mn in ("movz", "movn", "movk"):
    _fast_direct(_mn, getattr(_mw, f"encode_{_mn}"), ["rd", "imm16", "shift=0"])
for _mn in ("ldp", "stp", "ldpsw"):
    _fast_direct(_mn, getattr(_ls, f"encode_{_mn}"), ["rt1", "rt2", "m"])


def _fast_shift(name):
    planned = getattr(Assembler, name)
    imm = getattr(_bf, f"encode_{name}_imm")
    reg = getattr(_dp, f"encode_{name}v")
    cache: dict = {}

    def method(self, rd, rn, op):
        # planner: register -> LSLV/LSRV/ASRV, else the immediate alias
        c = op.__class__
        if (c is int or c is GpReg) and rd.__class__ is GpReg and rn.__class__ is GpReg:
            key = (rd, rn, op)
            b = cache.get(key)
            self.buf += b if b is not None else _reg_cached(
                cache, key, reg if c is GpReg else imm, rd, rn, op)
        else:
            self.buf += _pack(reg(rd, rn, op) if c is GpReg else imm(rd, rn, op))

    method.__name__ = name
    method.__qualname__ = f"Assembler.{name}"
    method.__doc__ = planned.__doc__
    setattr(Assembler, f"_{name}_planned", planned)
    setattr(Assembler, name, method)


for _mn in ("lsl", "lsr", "asr"):
    _fast_shift(_mn)

_LDST_ENC = {op: getattr(_ls, f"encode_{op}") for op in _ls.LDST_OPS}


def _fast_ldst(name):
    planned = getattr(Assembler, "_ldr_mem" if name == "ldr" else
                      "_ldrsw_mem" if name == "ldrsw" else name)
    fast = _LDST_ENC[name].fast

    def method(self, rt, m, *, scratch=None):
        # planner: encode_ldst(op, rt, m) (plan_ldst returns exactly that word
        # when it encodes an int offset); the encoder's fast path covers the
        # plain forms with an int offset; anything else -- legalisation with a
        # scratch, errors, non-int offsets -- goes through the planner
        w = fast(rt, m)
        if w is not None:
            self.buf += _pack(w)
            return
        if m.__class__ is Mem:
            planned(self, rt, m, scratch=scratch)
        elif m.__class__ is Label and name in ("ldr", "ldrsw"):
            if name == "ldr":
                self.ldr_literal(rt, m)
            else:
                self.ldrsw_literal(rt, m)
        else:
            planned(self, rt, m, scratch=scratch)

    method.__name__ = name
    method.__qualname__ = f"Assembler.{name}"
    method.__doc__ = (_ldr.__doc__ if name == "ldr" else planned.__doc__)
    setattr(Assembler, f"_{name}_planned", planned)
    setattr(Assembler, name, method)


for _mn in _ls.LDST_OPS:
    _fast_ldst(_mn)

# Branches: the words with offset 0 of the operand-only part are constant.
_RET_X30 = _pack(_br.encode_ret(_br.X[30]))


def _fast_ret(self, rn=_br.X[30]) -> None:
    if rn is _X30:
        self.buf += _RET_X30
    else:
        self.buf += _pack(_br.encode_ret(rn))


_X30 = _br.X[30]
_fast_ret.__name__ = "ret"
_fast_ret.__qualname__ = "Assembler.ret"
_fast_ret.__doc__ = "RET {xn} (x30 by default)."
Assembler.ret = _fast_ret
del _mn

"""Checking a corpus function directory before armjit compiles from it.

A function directory (``python -m armjit.corpus collect``) holds
``postalloc.lir``, ``meta.json``, ``asmjit.asm`` (CinderX's listing) and
``asmjit.bin`` (CinderX's code bytes).  :func:`load_dump` reads them, checks
meta.json against :data:`META_SCHEMA` (each field's type and legal range) and
checks the files against each other; :func:`check_meta`, :func:`check_facts`
and :func:`check_address` are the same checks for callers that hold the values
(``compile_function`` runs them first).  Every refusal is a
:class:`MetaError` / :class:`armjit.errors.DumpError` with a one-line message
naming the file and the field.

Nothing here is a guess about what CinderX would accept: the ranges are what
armjit's code generation can honour exactly (frame sizes CinderX stores in an
int16_t, addresses of aarch64 Linux user space, 32-bit argument counts
compared with ``cmp w2``), and anything outside them is refused before any
work that grows with the value (a frame of ``spill_stack_size`` bytes is
itemised in 8-byte slots).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Optional

from armjit.cinderxlog import FACT_TITLES, listing_instructions
from armjit.errors import DumpError

__all__ = ["MetaError", "Dump", "META_SCHEMA", "FACT_SCHEMA", "ADDRESS_LIMIT", "check_meta",
           "check_facts", "check_address", "check_listing", "check_entry",
           "check_facts_in_binary", "load_dump", "address_problem", "facts_of_dump"]

#: Code addresses: aarch64 Linux user space with 48-bit virtual addresses
#: (TASK_SIZE_64 with VA_BITS=48), instructions 4-byte aligned.
ADDRESS_LIMIT = 1 << 48
#: CodeRuntime::setFrameSize takes an int16_t (gen_asm.cpp:1079-1083).
MAX_FRAME = 0x7FFF
#: Argument counts: CPython stores them in ints; armjit compares the total with
#: ``cmp w2, #n`` and loads up to 7 of them; it refuses more than this many.
MAX_ARGS = 0xFFFF
FILES = ("postalloc.lir", "meta.json", "asmjit.asm", "asmjit.bin")
U32 = 1 << 32
U64 = 1 << 64
# CO_GENERATOR | CO_COROUTINE | CO_ITERABLE_COROUTINE | CO_ASYNC_GENERATOR
_ANY_GENERATOR = 0x20 | 0x80 | 0x100 | 0x200


class MetaError(DumpError):
    """meta.json (or a process fact) with a missing field, a field of the
    wrong type, or a value outside its legal range."""


def address_problem(value, *, what: str = "address") -> Optional[str]:
    """Why ``value`` is not a legal code address (None when it is): an int,
    0 <= value < 2**48, a multiple of 4."""
    if type(value) is not int:
        return f"{what} must be an integer, not {type(value).__name__}"
    if not 0 <= value < ADDRESS_LIMIT or value & 3:
        return (f"{what} {_show(value)} is not a code address: it must be a multiple of 4 "
                f"in [0, 2**48), i.e. 0..{ADDRESS_LIMIT - 4:#x} (aarch64 user space)")
    return None


def check_address(value, *, what: str = "address", path=None) -> int:
    msg = address_problem(value, what=what)
    if msg:
        raise MetaError(msg, path)
    return value


def _show(v) -> str:
    if type(v) is int and abs(v) >= 1 << 16:
        return f"{v:#x}" if v >= 0 else f"-{-v:#x}"
    return repr(v)


# field -> (required, allowed types, low, high (inclusive), note); None bounds: no check
_INT = (int,)
_ADDR = "address"
META_SCHEMA = {
    "flags": (True, _INT, 0, U32 - 1, "co_flags"),
    "argcount": (True, _INT, 0, MAX_ARGS, "co_argcount"),
    "kwonlyargcount": (False, _INT, 0, MAX_ARGS, "co_kwonlyargcount"),
    "posonlyargcount": (False, _INT, 0, MAX_ARGS, "co_posonlyargcount"),
    "nlocalsplus": (False, _INT, 0, U32 - 1, "co_nlocalsplus"),
    "spill_stack_size": (True, _INT, 0, MAX_FRAME, "CinderX's spill area, bytes"),
    # required: it is what proves armjit's frame is CinderX's (compile_function)
    "stack_size": (True, _INT, 0, MAX_FRAME, "CinderX's frame, bytes"),
    "code_address": (True, _ADDR, None, None, "where asmjit's code lived"),
    "vectorcall_entry": (False, _ADDR, None, None, "code_address + 12"),
    "deopt_trampoline": (False, _ADDR, None, None, "CinderX's deopt trampoline"),
    "compiled_size": (True, _INT, 4, 1 << 30, "bytes of asmjit.bin"),
    "compile_time_ns": (False, _INT, 0, U64 - 1, ""),
    "cinderx_compile_time_ms": (False, _INT, 0, U64 - 1, ""),
    "fullname": (False, (str,), None, None, ""),
    "module": (False, (str,), None, None, ""),
    "qualname": (False, (str,), None, None, ""),
}

#: process facts (armjit.codegen.function.process_facts) -> legal values
FACT_SCHEMA = {
    "kw_helper": _ADDR,            # bl targets
    "argcount_helper": _ADDR,
    "tstate_getter": _ADDR,
    "deopt_trampoline": _ADDR,     # b target
    "code_rt": "u64",              # mov x30, #CodeRuntime*
    "gen_yield_points": "u64 list",
    "gen_yield_point_offset": "frame offset",
    "gi_jit_data_offset": "ldr offset",
    # armjit's own stack-limit check at the vectorcall entry (live path only):
    # {"tstate_tls": TPIDR_EL0 offset of the thread state, "soft_limit":
    # offsetof(_PyThreadStateImpl, c_stack_soft_limit), "check": the address of
    # _Py_CheckRecursiveCall, "where": the address of its message suffix}
    "stack_check": "stack check",
}


def check_meta(meta, path=None) -> dict:
    """Check ``meta`` (a parsed meta.json) against :data:`META_SCHEMA`;
    return it, or raise :class:`MetaError` naming the first bad field."""
    where = f"{path}: " if path is not None else "meta.json: "
    if not isinstance(meta, dict):
        raise MetaError(f"{where}meta.json must hold a JSON object, not {type(meta).__name__}",
                        path)
    for key, (required, types, lo, hi, note) in META_SCHEMA.items():
        if key not in meta:
            if required:
                raise MetaError(f"{where}field {key!r} is missing ({note})", path)
            continue
        v = meta[key]
        if types == _ADDR:
            if v is None and not required:
                continue
            msg = address_problem(v, what=f"field {key!r}")
            if msg:
                raise MetaError(where + msg, path)
            continue
        if type(v) not in types:       # (bool is not an int here)
            want = " or ".join("null" if t is type(None) else t.__name__ for t in types)
            raise MetaError(f"{where}field {key!r} must be {want}, not {_jtype(v)} {v!r:.40}",
                            path)
        if type(v) is int and lo is not None and not lo <= v <= hi:
            raise MetaError(f"{where}field {key!r} = {_show(v)} is out of range: legal "
                            f"{lo}..{_show(hi)}" + (f" ({note})" if note else ""), path)
    if meta.get("posonlyargcount", 0) > meta["argcount"]:
        raise MetaError(f"{where}posonlyargcount {meta['posonlyargcount']} exceeds argcount "
                        f"{meta['argcount']}", path)
    if meta["spill_stack_size"] % 8:
        raise MetaError(f"{where}field 'spill_stack_size' = {meta['spill_stack_size']} is not "
                        "a multiple of 8", path)
    ss = meta["stack_size"]
    if ss % 16:
        raise MetaError(f"{where}field 'stack_size' = {ss} is not a multiple of 16", path)
    ve = meta.get("vectorcall_entry")
    if ve is not None and ve != meta["code_address"] + 12:
        raise MetaError(f"{where}vectorcall_entry {ve:#x} is not code_address + 12 "
                        f"({meta['code_address'] + 12:#x})", path)
    return meta


def _jtype(v) -> str:
    return {bool: "boolean", int: "integer", float: "number", str: "string", list: "array",
            dict: "object", type(None): "null"}.get(type(v), type(v).__name__)


def check_facts(facts) -> dict:
    """Check process facts against :data:`FACT_SCHEMA` (absent ones are fine:
    compile_function refuses when it needs one that is missing)."""
    if not isinstance(facts, dict):
        raise MetaError(f"process facts must be a dict, not {type(facts).__name__}")
    for key, kind in FACT_SCHEMA.items():
        v = facts.get(key)
        if v is None:
            continue
        what = f"process fact {key!r}"
        if kind == _ADDR:
            msg = address_problem(v, what=what)
            if msg:
                raise MetaError(msg)
        elif kind == "u64":
            if type(v) is not int or not 0 <= v < U64:
                raise MetaError(f"{what} = {v!r:.40} is not a 64-bit value")
        elif kind == "u64 list":
            if type(v) is not list or any(type(x) is not int or not 0 <= x < U64 for x in v):
                raise MetaError(f"{what} must be a list of 64-bit values")
        elif kind == "frame offset":
            if type(v) is not int or not 0 <= v <= MAX_FRAME:
                raise MetaError(f"{what} = {v!r:.40} is out of range: legal 0..{MAX_FRAME}")
        elif kind == "ldr offset":
            if type(v) is not int or not 0 <= v <= 32760 or v % 8:
                raise MetaError(f"{what} = {v!r:.40} is out of range: legal 0..32760, a "
                                "multiple of 8")
        elif kind == "stack check":
            if type(v) is not dict or set(v) != {"tstate_tls", "soft_limit", "check", "where"}:
                raise MetaError(f"{what} must be a dict of tstate_tls, soft_limit, check, where")
            for k in ("tstate_tls", "soft_limit"):
                if type(v[k]) is not int or not 0 <= v[k] <= 32760 or v[k] % 8:
                    raise MetaError(f"{what}[{k!r}] = {v[k]!r:.40} is out of range: legal "
                                    "0..32760, a multiple of 8")
            for k in ("check", "where"):
                msg = address_problem(v[k], what=f"{what}[{k!r}]")
                if msg:
                    raise MetaError(msg)
    return facts


# ----------------------------------------------------------------- the directory

@dataclass
class Dump:
    """The checked contents of a corpus function directory."""

    path: Path
    meta: dict
    lir: str            # postalloc.lir
    asm: str            # asmjit.asm
    binary: bytes       # asmjit.bin


def _read(d: Path, name: str, binary: bool = False):
    p = d / name
    try:
        return p.read_bytes() if binary else p.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise DumpError(f"{d}: {name} is missing (a corpus function directory holds "
                        "postalloc.lir, meta.json, asmjit.asm and asmjit.bin)", p) from None
    except UnicodeDecodeError as e:
        raise DumpError(f"{p}: not UTF-8 text ({e.reason} at byte {e.start})", p) from None
    except IsADirectoryError:
        raise DumpError(f"{p}: is a directory, not a file", p) from None
    except OSError as e:
        raise DumpError(f"{p}: cannot read it ({e.strerror or e})", p) from None


def load_dump(dirpath) -> Dump:
    """Read and check a corpus function directory; raise :class:`DumpError`
    (or :class:`MetaError`) with one line saying what is wrong."""
    d = Path(dirpath)
    if not d.exists():
        raise DumpError(f"{d}: no such directory", d)
    if not d.is_dir():
        raise DumpError(f"{d}: not a directory (want a corpus function directory holding "
                        "postalloc.lir, meta.json, asmjit.asm and asmjit.bin)", d)
    if not any((d / f).exists() for f in FILES):
        raise DumpError(f"{d}: not a corpus function directory (it holds none of "
                        f"{', '.join(FILES)})", d)
    raw = _read(d, "meta.json")
    try:
        meta = json.loads(raw)
    except ValueError as e:
        raise MetaError(f"{d / 'meta.json'}: not JSON ({e})", d / "meta.json") from None
    except RecursionError:
        raise MetaError(f"{d / 'meta.json'}: not JSON (nested too deeply)",
                        d / "meta.json") from None
    check_meta(meta, d / "meta.json")
    lir = _read(d, "postalloc.lir")
    asm = _read(d, "asmjit.asm")
    binary = _read(d, "asmjit.bin", binary=True)
    dump = Dump(d, meta, lir, asm, binary)
    check_listing(dump)
    return dump


_ADDR_LINE = re.compile(r"^[^\S\n]+0x([0-9a-f]+):", re.M)


def check_listing(dump: Dump) -> None:
    """asmjit.bin, asmjit.asm and meta.json describe the same code: the binary
    is compiled_size bytes, the listing's instructions lie in
    [code_address, code_address + len(asmjit.bin)) starting at code_address.
    (The instructions armjit takes facts from are checked word by word in
    :func:`check_facts_in_binary`.)"""
    meta, binary, d = dump.meta, dump.binary, dump.path
    n = len(binary)
    size = meta.get("compiled_size")
    if size is not None and n != size:
        raise DumpError(f"{d / 'asmjit.bin'}: {n} bytes, but meta.json's compiled_size is "
                        f"{size} (truncated or from another compile?)", d / "asmjit.bin")
    if n == 0 or n % 4:
        raise DumpError(f"{d / 'asmjit.bin'}: {n} bytes is not whole instructions",
                        d / "asmjit.bin")
    base = meta["code_address"]
    first = _ADDR_LINE.search(dump.asm)
    if first is None:
        raise DumpError(f"{d / 'asmjit.asm'}: no instruction lines", d / "asmjit.asm")
    if int(first.group(1), 16) != base:
        raise DumpError(f"{d / 'asmjit.asm'}: the listing starts at {int(first.group(1), 16):#x}, not at "
                        f"meta.json's code_address {base:#x}", d / "asmjit.asm")
    last = dump.asm.rfind("\n  0x")
    m = _ADDR_LINE.search(dump.asm, last + 1) if last >= 0 else first
    if m is None or not base <= int(m.group(1), 16) < base + n:
        raise DumpError(f"{d / 'asmjit.asm'}: the listing runs past the {n} bytes of "
                        "asmjit.bin", d / "asmjit.asm")


def facts_of_dump(dump: Dump, listing_facts) -> dict:
    """The process facts of ``dump`` (``listing_facts(asm, binary, base,
    deopt_trampoline)`` reads them), checked: in range, the instructions they
    come from are the ones asmjit.bin holds (:func:`check_facts_in_binary`),
    and no helper address left pointing into asmjit's own code (a far-call
    stub the binary does not hold).  ``deopt_trampoline`` is the one the
    listing's deopt exit branches to: meta.json's, except for generators,
    which CinderX gives a trampoline of their own."""
    meta = dump.meta
    base, n = meta["code_address"], len(dump.binary)
    try:
        facts = listing_facts(dump.asm, dump.binary, base, meta.get("deopt_trampoline"))
    except ValueError as e:          # an operand of a fact line that is not a number
        raise DumpError(f"{dump.path / 'asmjit.asm'}: cannot read the process facts ({e})",
                        dump.path / "asmjit.asm") from None
    check_facts(facts)
    check_entry(dump)
    trampoline = check_facts_in_binary(dump, facts)
    if trampoline is not None and trampoline != facts.get("deopt_trampoline"):
        # CinderX gives generators their own deopt trampoline (generator mode,
        # built on first use); every other function jumps to the shared one
        # meta.json names.
        if not meta["flags"] & _ANY_GENERATOR:
            raise DumpError(f"{dump.path / 'asmjit.asm'}: the deopt exit branches to "
                            f"{trampoline:#x}, not to meta.json's deopt_trampoline "
                            f"{_show(facts.get('deopt_trampoline'))}", dump.path / "asmjit.asm")
        facts["deopt_trampoline"] = check_address(trampoline, what="the generator deopt "
                                                  "trampoline")
    elif trampoline is None and meta["flags"] & _ANY_GENERATOR:
        # no deopt exit in the listing: which trampoline a generator's would
        # use is unknown (a deopt in armjit's code is then refused by lowering)
        facts.pop("deopt_trampoline", None)
    for key in ("kw_helper", "argcount_helper", "tstate_getter"):
        v = facts.get(key)
        if v is not None and base <= v < base + n:
            raise DumpError(f"{dump.path / 'asmjit.asm'}: {key} {v:#x} points into asmjit's "
                            "own code but not at a far-call stub that asmjit.bin holds",
                            dump.path / "asmjit.asm")
    return facts


# ----------------------------------------------------------------- facts vs binary
#
# The facts come from the listing's text; the code CinderX ran is asmjit.bin.
# Each fact is checked against the instruction words at the listed addresses
# (a small decoder: MOVZ/MOVN/MOVK/ORR-immediate, LDR unsigned offset, B), so
# an edited or mismatched listing is refused instead of compiled into code
# with a wrong CodeRuntime*, GenYieldPoint* or trampoline.


def _word(dump: Dump, at: int) -> Optional[int]:
    off = at - dump.meta["code_address"]
    if off < 0 or off & 3 or off + 4 > len(dump.binary):
        return None
    return int.from_bytes(dump.binary[off:off + 4], "little")


def _bitmask(n: int, imms: int, immr: int, width: int) -> Optional[int]:
    """DecodeBitMasks (Arm ARM J1) for a logical immediate; None if reserved."""
    combined = (n << 6) | (~imms & 0x3F)
    if combined == 0:
        return None
    length = combined.bit_length() - 1
    esize = 1 << length
    if esize > width:
        return None
    levels = esize - 1
    s, r = imms & levels, immr & levels
    if s == levels:
        return None
    welem = (1 << (s + 1)) - 1
    elem = ((welem >> r) | (welem << (esize - r))) & ((1 << esize) - 1)
    out = 0
    for k in range(width // esize):
        out |= elem << (k * esize)
    return out


def _mov_words(words, reg: int) -> Optional[int]:
    """The value a MOVZ/MOVN/MOVK/ORR-immediate (from ZR) sequence leaves in
    register ``reg``, as the CPU computes it; None if a word is anything else."""
    v = None
    for w in words:
        if w is None or w & 0x1F != reg:
            return None
        sf = w >> 31
        width = 64 if sf else 32
        mask = (1 << width) - 1
        top = w & 0x7F800000
        hw, imm16 = (w >> 21) & 3, (w >> 5) & 0xFFFF
        if not sf and hw > 1:
            return None
        if top == 0x52800000:                       # MOVZ
            v = imm16 << (16 * hw)
        elif top == 0x12800000:                     # MOVN
            v = ~(imm16 << (16 * hw)) & mask
        elif top == 0x72800000:                     # MOVK
            if v is None:
                return None
            v = ((v & ~(0xFFFF << (16 * hw))) | (imm16 << (16 * hw))) & mask
        elif w & 0x7F8003E0 == 0x320003E0:          # ORR Rd, ZR, #imm
            n = (w >> 22) & 1
            if not sf and n:
                return None
            v = _bitmask(n, (w >> 10) & 0x3F, (w >> 16) & 0x3F, width)
            if v is None:
                return None
        else:
            return None
        v &= mask
    return v


def _refuse(dump: Dump, what: str):
    raise DumpError(f"{dump.path / 'asmjit.asm'}: {what} (listing and asmjit.bin disagree)",
                    dump.path / "asmjit.asm")


def check_facts_in_binary(dump: Dump, facts: dict) -> Optional[int]:
    """The listing facts armjit uses are what asmjit.bin holds (see above):
    every ``bl`` of the helper sections, the deopt exit's ``mov``/``movk x30``
    (code_rt) and its ``b`` (the trampoline), the ``mov``/``movk x13`` before
    each yield's ``str x13, [x29, #off]`` (GenYieldPoint*s) and the resume
    entry's ``ldr x9, [x0, #off]`` (gi_jit_data_offset).  Returns the deopt
    trampoline the deopt exit branches to (through a far-call stub if there is
    one), or None when the listing has no deopt exit."""
    trampoline = None
    deopt_x30 = []
    for title, at, mn, ops in listing_instructions(dump.asm, FACT_TITLES):
        if title == "Deoptimization exits":
            if mn in ("mov", "movk") and ops.startswith(("x30,", "w30,")):
                deopt_x30.append(at)
            elif mn == "b":
                target = _branch_target(dump, at, ops, 0x14000000, "the deopt exit's b")
                trampoline = _through_stub(dump, target)
        elif mn == "bl":
            _branch_target(dump, at, ops, 0x94000000, "bl")
    if deopt_x30 and _mov_words([_word(dump, a) for a in deopt_x30], 30) != facts.get("code_rt"):
        _refuse(dump, f"code_rt {facts.get('code_rt')!r} is not the value asmjit.bin's deopt "
                      "exit loads into x30")
    pts = facts.get("gen_yield_points")
    gi = facts.get("gi_jit_data_offset")
    if pts or gi is not None:
        lines = listing_instructions(dump.asm)
        got = []
        for i, (title, a, mn, ops) in enumerate(lines):
            if pts and mn == "str" and re.fullmatch(r"x13, \[x29, #0x[0-9a-f]+\]", ops):
                j = i
                while j > 0 and lines[j - 1][2] in ("mov", "movk") and \
                        lines[j - 1][3].startswith(("x13", "w13")):
                    j -= 1
                if j < i:
                    got.append(_mov_words([_word(dump, x[1]) for x in lines[j:i]], 13))
        if pts and got != pts:
            _refuse(dump, "the GenYieldPoint*s of the listing are not the values asmjit.bin "
                          "stores")
        if gi is not None:
            at = [a for i, (title, a, mn, ops) in enumerate(lines[:-1])
                  if mn == "ldr" and ops == f"x9, [x0, #{gi:#x}]"
                  and lines[i + 1][2:] == ("ldr", "x8, [x29]")]
            if not at or _word(dump, at[0]) != 0xF9400000 | ((gi // 8) << 10) | 9:
                _refuse(dump, f"gi_jit_data_offset {gi:#x}: asmjit.bin does not hold "
                              f"'ldr x9, [x0, #{gi:#x}]' there")
    return trampoline


def _branch_target(dump: Dump, at: int, ops: str, opcode: int, what: str) -> int:
    """The target of the B/BL listed at ``at``, checked against asmjit.bin."""
    m = re.fullmatch(r"#(0x[0-9a-f]+)", ops.strip())
    if m is None:
        _refuse(dump, f"cannot read the target of {what} {ops.strip()!r} at {at:#x}")
    target = int(m.group(1), 16)
    delta = target - at
    w = _word(dump, at)
    if w is None or delta & 3 or not -(1 << 27) <= delta < 1 << 27 or \
            w != opcode | ((delta >> 2) & 0x3FFFFFF):
        _refuse(dump, f"'{what.split()[-1]} #{target:#x}' at {at:#x} is not the instruction "
                      "asmjit.bin holds there")
    return target


def _through_stub(dump: Dump, target: int) -> int:
    """``target``, or the address of the far-call stub (``ldr x16, #8; br x16;
    .quad``) at ``target`` inside asmjit's code."""
    off = target - dump.meta["code_address"]
    b = dump.binary
    if 0 <= off <= len(b) - 16 and int.from_bytes(b[off:off + 4], "little") == 0x58000050 and \
            int.from_bytes(b[off + 4:off + 8], "little") == 0xD61F0200:
        return int.from_bytes(b[off + 8:off + 16], "little")
    return target


def _listed_arg_loads(n: int) -> list:
    """How asmjit's listing shows PopulateEntryBlock (Jit/lir/generator.cpp:
    699-766) for ``n`` arguments: ``mov x10, x1``, then args 0..6 into X1..X7
    pairwise from [x10], and ``add x10, x10, #0x38`` past them when n > 7.
    (What the listing of the *input* must hold for meta.json's counts; armjit's
    own entry is emitted by codegen.function and compared with asmjit's in
    tests/codegen/test_frame.py.)"""
    loads = ["mov x10, x1"]
    regs = min(n, 7)
    i = 0
    while i < regs:
        mem = "[x10]" if i == 0 else f"[x10, #{i * 8:#x}]"
        if i + 1 < regs:
            loads.append(f"ldp x{i + 1}, x{i + 2}, {mem}")
            i += 2
        else:
            loads.append(f"ldr x{i + 1}, {mem}")
            i += 1
    if n > 7:
        loads.append("add x10, x10, #0x38")
    return loads


def check_entry(dump: Dump) -> None:
    """meta.json's argument counts and flags are the ones CinderX compiled
    with: the entry armjit derives from them (:func:`armjit.codegen.layout.entry_plan`:
    which argument checks, how many arguments loaded) is the one the listing
    shows, and the argcount compare is the word asmjit.bin holds.  (An
    argcount that is in range but not the function's would load the wrong
    arguments.)"""
    from .layout import entry_plan
    plan = entry_plan(dump.meta)
    loads, cmps = [], []
    for title, at, mn, ops in listing_instructions(dump.asm, (
            "Load vectorcall arguments", "Check if called with correct argcount")):
        if title == "Load vectorcall arguments":
            loads.append(f"{mn} {ops}")
        elif title == "Check if called with correct argcount" and mn == "cmp":
            cmps.append((at, ops))
    n = plan.num_args
    if loads != _listed_arg_loads(n):
        _refuse_meta(dump, f"meta.json's argcount/kwonlyargcount/flags make {n} arguments, "
                           "but the listing's 'Load vectorcall arguments' is not the one for "
                           f"{n}")
    if not plan.checks_argcount:
        if cmps:
            _refuse_meta(dump, "meta.json's flags/kwonlyargcount say the function takes *args, "
                               "**kwargs or keyword-only arguments, but the listing checks the "
                               "argument count")
        return
    if len(cmps) != 1:
        _refuse_meta(dump, "the listing has no argument-count check, but meta.json's "
                           "flags/kwonlyargcount say there is one")
    at, ops = cmps[0]
    m = re.fullmatch(r"w2, #(0x[0-9a-f]+|[0-9]+)", ops)
    if m is None:
        if ops == "w2, w13" and n >= 4096:
            return                      # (a count too big for an immediate)
        _refuse_meta(dump, f"cannot read the argument-count check 'cmp {ops}'")
    k = int(m.group(1), 0)
    if k != n:
        _refuse_meta(dump, f"meta.json's argcount/kwonlyargcount/flags make {n} arguments, "
                           f"but CinderX's code checks for {k}")
    if _word(dump, at) != 0x7100005F | (k << 10):
        _refuse(dump, f"'cmp w2, #{k}' at {at:#x} is not the instruction asmjit.bin holds there")


def _refuse_meta(dump: Dump, what: str):
    raise MetaError(f"{dump.path / 'meta.json'}: {what} (meta.json and asmjit.asm disagree)",
                    dump.path / "meta.json")

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

from armjit.errors import DumpError

__all__ = ["MetaError", "Dump", "META_SCHEMA", "FACT_SCHEMA", "ADDRESS_LIMIT", "check_meta",
           "check_facts", "check_address", "check_listing", "load_dump", "address_problem",
           "facts_of_dump"]

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
    "stack_size": (False, _INT + (type(None),), 0, MAX_FRAME, "CinderX's frame, bytes"),
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
    ss = meta.get("stack_size")
    if ss is not None and ss % 16:
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
_BL = re.compile(r"^[^\S\n]+0x([0-9a-f]+):[^\S\n]+bl[^\S\n]+#(0x[0-9a-f]+)[^\S\n]*$", re.M)


def check_listing(dump: Dump) -> None:
    """asmjit.bin, asmjit.asm and meta.json describe the same code: the binary
    is compiled_size bytes, the listing's instructions lie in
    [code_address, code_address + len(asmjit.bin)) starting at code_address,
    and every ``bl`` of the listing (the helper addresses armjit reads from
    it) is the instruction the binary holds at that address."""
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
        raise DumpError(f"{d / 'asmjit.asm'}: the listing starts at {first.group(1)}, not at "
                        f"meta.json's code_address {base:#x}", d / "asmjit.asm")
    last = dump.asm.rfind("\n  0x")
    m = _ADDR_LINE.search(dump.asm, last + 1) if last >= 0 else first
    if m is None or not base <= int(m.group(1), 16) < base + n:
        raise DumpError(f"{d / 'asmjit.asm'}: the listing runs past the {n} bytes of "
                        "asmjit.bin", d / "asmjit.asm")
    for m in _BL.finditer(dump.asm):
        at, target = int(m.group(1), 16), int(m.group(2), 16)
        off = at - base
        word = int.from_bytes(binary[off:off + 4], "little") if 0 <= off <= n - 4 and not off & 3 \
            else None
        delta = target - at
        want = None
        if not delta & 3 and -(1 << 27) <= delta < 1 << 27:
            want = 0x94000000 | ((delta >> 2) & 0x3FFFFFF)
        if word is None or word != want:
            raise DumpError(f"{d / 'asmjit.asm'}: 'bl #{target:#x}' at {at:#x} is not the "
                            "instruction asmjit.bin holds there (listing and binary disagree)",
                            d / "asmjit.asm")


def facts_of_dump(dump: Dump, listing_facts) -> dict:
    """The process facts of ``dump`` (``listing_facts(asm, binary, base,
    deopt_trampoline)`` reads them), checked: in range, and no helper address
    left pointing into asmjit's own code (a far-call stub the binary does not
    hold, e.g. a truncated asmjit.bin)."""
    meta = dump.meta
    base, n = meta["code_address"], len(dump.binary)
    try:
        facts = listing_facts(dump.asm, dump.binary, base, meta.get("deopt_trampoline"))
    except ValueError as e:          # an operand of a fact line that is not a number
        raise DumpError(f"{dump.path / 'asmjit.asm'}: cannot read the process facts ({e})",
                        dump.path / "asmjit.asm") from None
    check_facts(facts)
    for key in ("kw_helper", "argcount_helper", "tstate_getter"):
        v = facts.get(key)
        if v is not None and base <= v < base + n:
            raise DumpError(f"{dump.path / 'asmjit.asm'}: {key} {v:#x} points into asmjit's "
                            "own code but not at a far-call stub that asmjit.bin holds",
                            dump.path / "asmjit.asm")
    return facts

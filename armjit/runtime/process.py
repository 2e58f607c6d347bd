"""Process facts for the live back end, read without asmjit's listing.

The post-alloc LIR does not state a few addresses that belong to the running
process (armjit.codegen.function, "process facts").  With CinderX's asm dump
on they were scraped from asmjit's listing (armjit.cinderxlog.listing_facts);
the live path now learns them from the process itself, so that
``CINDERX_JIT_DUMP_ASM`` stays off (no listing is formatted, logged or read):

* ``kw_helper`` / ``argcount_helper``: ``rt::callWithKeywordArgs[Simple]`` and
  ``rt::callWithIncorrectArgcount`` (chosen as GenerateArgcountCheckBlocks,
  Jit/lir/generator.cpp:1042-1209, chooses them) -- their ``.symtab`` values in
  ``_cinderx.so`` (pyelftools) plus the library's load bias, which is the
  address ``dlsym`` gives for the exported ``PyInit__cinderx`` minus its
  ``.symtab`` value;
* ``tstate_getter``: ``_PyThreadState_GetCurrent``, exported by the object
  holding the C API (``ctypes.pythonapi``);
* ``stack_check`` (armjit's own addition; CinderX's code has none): where the
  thread state is (its offset from TPIDR_EL0, found by the C shim in the
  executable's TLS block and checked in a second thread), where it keeps
  ``c_stack_soft_limit`` (``offsetof`` from CPython's internal header), and
  ``_Py_CheckRecursiveCall``, which raises RecursionError;
* ``code_rt`` (the function's CodeRuntime*) and ``deopt_trampoline`` (one per
  process): from CinderX's compiled code of the same function, in memory --
  the stage-2 deoptimization block (GenerateDeoptExitBlocks,
  generator.cpp:6895-7101) is a fixed seven-to-ten word sequence::

      sub sp, sp, #0x40; stp x28, x29, [sp]; stp x30, x13, [sp, #0x30]
      mov(z/k) x30, #code_rt (1-4 words); adr x28, <exit>
      stp x28, x30, [sp, #0x10]; b <deopt trampoline>

  and is found by its words, not by any listing.  A function without deopt
  exits needs neither fact.  The trampoline found is checked to be the same
  address in every later function.

The equality of these facts with the listing-derived ones is checked on the
target (tests/target/test_process_facts.py) with the asm dump on, and on the
dev corpus (tests/runtime/test_process_facts.py: one load bias explains every
helper address of every function).
"""

from __future__ import annotations

import ctypes
import json
import os
import struct
from typing import Dict, Optional, Tuple

# The Itanium-mangled names of the helpers (Jit/runtime.h); the .symtab of the
# cinderx 2026.11 aarch64 wheel holds them as local functions.
HELPER_SYMBOLS = {
    "callWithKeywordArgs":
        "_ZN7cinderx3jit2rt19callWithKeywordArgsEP16PyFunctionObjectPP7_objectmS5_",
    "callWithKeywordArgsSimple":
        "_ZN7cinderx3jit2rt25callWithKeywordArgsSimpleEP16PyFunctionObjectPP7_objectmS5_",
    "callWithIncorrectArgcount":
        "_ZN7cinderx3jit2rt25callWithIncorrectArgcountEP16PyFunctionObjectPP7_objectm",
}
ANCHOR_SYMBOL = "PyInit__cinderx"       # exported: dlsym gives its run-time address
SIMPLE_KW_MAX_ARGS = 30                 # generator.cpp:1088: num_args < 30 -> ...Simple

_STAGE2_HEAD = struct.pack("<3I", 0xD10103FF,     # sub sp, sp, #0x40
                           0xA90077FC,            # stp x28, x29, [sp]
                           0xA90337FE)            # stp x30, x13, [sp, #0x30]
_STP_X28_X30 = 0xA9017BFC                         # stp x28, x30, [sp, #0x10]


class ProcessFactsError(Exception):
    """A process fact could not be learned (one line)."""


def symbol_values(path: str, names) -> Dict[str, int]:
    """``.symtab`` values of ``names`` in the ELF file ``path``.

    pyelftools locates the symbol and string tables; the names are then found
    in the string table with ``bytes.find`` and the symbols by their
    ``st_name`` in one ``struct.iter_unpack`` pass -- pyelftools' own
    per-symbol iteration takes seconds under qemu for CinderX's 13,500
    symbols.  A name may start inside a longer string (linkers merge string
    tails): every occurrence followed by NUL is a candidate ``st_name``."""
    want = list(dict.fromkeys(names))
    # (pyelftools imports pdb and through it asyncio: this runs at the first
    # compile, which auto mode never makes inside one of the program's
    # imports -- armjit.runtime.live.load_compile_path)
    from elftools.elf.elffile import ELFFile
    with open(path, "rb") as f:
        elf = ELFFile(f)
        tab = elf.get_section_by_name(".symtab")
        if tab is None:
            raise ProcessFactsError(f"{path} has no .symtab (stripped): armjit needs "
                                    "CinderX's helper symbols")
        if elf.elfclass != 64 or not elf.little_endian or tab["sh_entsize"] != 24:
            raise ProcessFactsError(f"{path} is not a little-endian ELF64 object")
        strs = elf.get_section(tab["sh_link"]).data()
        data = tab.data()
    by_offset: Dict[int, str] = {}
    for name in want:
        key = name.encode() + b"\0"
        k = strs.find(key)
        while k >= 0:
            by_offset[k] = name
            k = strs.find(key, k + 1)
    found: Dict[str, int] = {}
    # Elf64_Sym: st_name u32, st_info u8, st_other u8, st_shndx u16, st_value u64, st_size u64
    for st_name, _info, _other, shndx, value, _size in struct.iter_unpack("<IBBHQQ", data):
        name = by_offset.get(st_name)
        if name is not None and shndx and value:
            found.setdefault(name, value)
    missing = [n for n in want if n not in found]
    if missing:
        raise ProcessFactsError(f"{path}: symbols not found: {', '.join(missing)}")
    return found


def cache_path() -> str:
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return os.path.join(base, "armjit", "symbols-v1.json")


def cached_symbol_values(path: str, names) -> Dict[str, int]:
    """:func:`symbol_values`, remembered on disk per (file, size, mtime):
    importing pyelftools alone takes ~0.7 s under qemu, at every start of a
    program.  The cache is only an optimisation: unreadable, unwritable or
    stale, it is ignored (and the values read from the ELF file)."""
    names = list(dict.fromkeys(names))
    try:
        st = os.stat(path)
        key = f"{os.path.realpath(path)}|{st.st_size}|{st.st_mtime_ns}|{'|'.join(names)}"
    except OSError:
        return symbol_values(path, names)
    cpath = cache_path()
    try:
        with open(cpath) as f:
            cache = json.load(f)
        hit = cache.get(key) if isinstance(cache, dict) else None
        if isinstance(hit, dict) and all(isinstance(hit.get(n), int) for n in names):
            return {n: hit[n] for n in names}
    except (OSError, ValueError):
        cache = {}
    values = symbol_values(path, names)
    try:
        os.makedirs(os.path.dirname(cpath), exist_ok=True)
        tmp = f"{cpath}.{os.getpid()}.tmp"
        # other entries kept (another checkout asks for another name list),
        # the newest few only
        keep = {k: v for k, v in cache.items() if k != key} if isinstance(cache, dict) else {}
        keep = dict(list(keep.items())[-7:])
        keep[key] = values
        with open(tmp, "w") as f:
            json.dump(keep, f)
        os.replace(tmp, cpath)
    except OSError:
        pass
    return values


def _constant_word(w: int):
    """(kind, sf, rd, fields) of one word of a constant-materialising sequence
    -- MOVZ/MOVN/MOVK (C6.2.226-228), ORR (immediate) from ZR (the MOV
    bitmask alias, C6.2.224), ORR (shifted register) ZR, ZR (MOV rd, ZR) --
    or None for any other instruction."""
    sf, rd = w >> 31, w & 31
    if (w >> 23) & 0x3F == 0b100101:                    # move wide
        opc = (w >> 29) & 3
        kind = {0b00: "movn", 0b10: "movz", 0b11: "movk"}.get(opc)
        hw = (w >> 21) & 3
        if kind is None or (not sf and hw > 1):
            return None
        return kind, sf, rd, (hw, (w >> 5) & 0xFFFF)
    if (w >> 23) & 0xFF == 0b01100100 and (w >> 5) & 31 == 31:   # orr rd, zr, #bitmask
        n, immr, imms = (w >> 22) & 1, (w >> 16) & 63, (w >> 10) & 63
        if not sf and n:
            return None
        return "orr", sf, rd, (n, immr, imms)
    if w & 0x7FFFFFE0 == 0x2A1F03E0:                   # orr rd, zr, zr
        return "zero", sf, rd, ()
    return None


def decode_constant_sequence(words) -> Optional[int]:
    """The value a MOVZ/MOVN/ORR-immediate (+ MOVK) sequence writing one
    register leaves in it -- what asmjit emits for ``mov xN, #imm``; None when
    ``words`` is not such a sequence."""
    from armjit.emit.errors import EncodingError
    from armjit.emit.immediates import decode_bitmask
    value, rd = None, None
    for w in words:
        d = _constant_word(w)
        if d is None:
            return None
        kind, sf, r, fields = d
        width = 64 if sf else 32
        mask = (1 << width) - 1
        if value is None:
            if kind == "movz":
                value = fields[1] << (16 * fields[0])
            elif kind == "movn":
                value = ~(fields[1] << (16 * fields[0])) & mask
            elif kind == "orr":
                try:
                    value = decode_bitmask(*fields, width) & mask
                except (EncodingError, ValueError):     # a reserved encoding
                    return None
            elif kind == "zero":
                value = 0
            else:
                return None
            rd = r
        elif kind == "movk" and r == rd:
            hw, imm = fields
            value = (value & ~(0xFFFF << (16 * hw))) | (imm << (16 * hw))
            value &= mask                     # a W write zeroes bits 63:32
        else:
            return None
    return value


def stage2_facts(binary: bytes, base: int) -> Optional[Tuple[int, int]]:
    """(code_rt, deopt trampoline) from the stage-2 deoptimization block of
    CinderX's code ``binary`` at ``base``; None when the code has none.
    Raises ProcessFactsError when a block starts but does not have the shape."""
    k = binary.find(_STAGE2_HEAD)
    while k >= 0 and k % 4:
        k = binary.find(_STAGE2_HEAD, k + 1)
    if k < 0:
        return None
    words = [w for (w,) in struct.iter_unpack("<I", binary[k + 12:k + 12 + 4 * 7])]
    n = 0
    while n < len(words) and words[n] & 31 == 30 and _constant_word(words[n]) is not None:
        n += 1
    code_rt = decode_constant_sequence(words[:n]) if 1 <= n <= 4 else None
    if code_rt is None or n + 3 > len(words):
        raise ProcessFactsError(f"CinderX's stage-2 deopt block at {base + k:#x} has no "
                                "mov x30, #code_rt")
    adr, stp, b = words[n], words[n + 1], words[n + 2]
    if (adr & 0x9F00001F) != 0x1000001C or stp != _STP_X28_X30 or (b & 0xFC000000) != 0x14000000:
        raise ProcessFactsError(f"CinderX's stage-2 deopt block at {base + k:#x} does not "
                                "have the expected shape")
    imm26 = b & 0x03FFFFFF
    offset = (imm26 - (1 << 26) if imm26 & (1 << 25) else imm26) * 4
    b_at = base + k + 12 + 4 * (n + 2)
    return code_rt, resolve_stub(binary, base, b_at + offset)


_FAR_STUB = struct.pack("<2I", 0x58000050, 0xD61F0200)     # ldr x16, #8; br x16


def resolve_stub(binary: bytes, base: int, target: int) -> int:
    """The final target of a branch to ``target``: when it is asmjit's far-jump
    stub inside ``binary`` (``ldr x16, #8; br x16; .quad dest``, for a
    destination beyond the +-128 MiB of b/bl), the stub's literal."""
    off = target - base
    if 0 <= off <= len(binary) - 16 and not off % 4 and binary[off:off + 8] == _FAR_STUB:
        return int.from_bytes(binary[off + 8:off + 16], "little")
    return target


class ProcessFacts:
    """The facts of this process, learned once (helpers) or per function."""

    def __init__(self, cinderx_path: str):
        from .genfacts import ALLOC_SYMBOL
        names = list(HELPER_SYMBOLS.values()) + [ALLOC_SYMBOL, ANCHOR_SYMBOL]
        values = cached_symbol_values(cinderx_path, names)
        lib = ctypes.CDLL(cinderx_path)          # already loaded: the same object
        anchor = ctypes.cast(getattr(lib, ANCHOR_SYMBOL), ctypes.c_void_p).value
        bias = anchor - values[ANCHOR_SYMBOL]
        if bias % 4096:
            raise ProcessFactsError(f"load bias {bias:#x} of {cinderx_path} is not "
                                    "page aligned")
        self.path = cinderx_path
        self.load_bias = bias
        self.helpers = {short: bias + values[sym] for short, sym in HELPER_SYMBOLS.items()}
        # rt::allocateGenAndInterpreterFrame (generators: armjit.runtime.genfacts)
        self.gen_alloc_helper = bias + values[ALLOC_SYMBOL]
        self.gen_deopt_trampoline: Optional[int] = None
        self.tstate_getter = ctypes.cast(ctypes.pythonapi._PyThreadState_GetCurrent,
                                         ctypes.c_void_p).value
        self.deopt_trampoline: Optional[int] = None
        self._stack_check = None            # computed on first use
        self.stack_check_problem: Optional[str] = None

    def stack_check(self, shim) -> Optional[dict]:
        """The ``stack_check`` fact (see the module docstring), or None (with
        :attr:`stack_check_problem` saying why) where it cannot be had."""
        if self._stack_check is None and self.stack_check_problem is None:
            import threading
            lib = shim.lib
            off = lib.armjit_tstate_tls_offset()
            other = []
            t = threading.Thread(target=lambda: other.append(lib.armjit_tstate_tls_matches(off)))
            t.start()
            t.join()
            if off < 0 or other != [1] or not lib.armjit_tstate_tls_matches(off):
                self.stack_check_problem = ("the thread state is not at one TLS offset of "
                                            "the executable (a libpython build?)")
                return None
            self._where = ctypes.create_string_buffer(b"")   # kept alive with the facts
            self._stack_check = {
                "tstate_tls": int(off),
                "soft_limit": int(lib.armjit_stack_soft_limit_offset()),
                "check": ctypes.cast(ctypes.pythonapi._Py_CheckRecursiveCall,
                                     ctypes.c_void_p).value,
                "where": ctypes.addressof(self._where)}
        return self._stack_check

    def function_facts(self, plan, binary: bytes, base: int, generator: bool = False) -> dict:
        """The facts armjit.codegen.compile_function needs for one function:
        ``plan`` its armjit.codegen.layout.EntryPlan, ``binary`` CinderX's
        code of it at ``base``.  ``generator``: CinderX gives generators a
        deopt trampoline of their own (gen_asm.cpp:1497-1500, 1755), also
        checked to be one address for all of them."""
        if plan.checks_argcount and plan.num_args < SIMPLE_KW_MAX_ARGS:
            kw = self.helpers["callWithKeywordArgsSimple"]
        else:
            kw = self.helpers["callWithKeywordArgs"]
        facts = {"kw_helper": kw, "argcount_helper": self.helpers["callWithIncorrectArgcount"],
                 "tstate_getter": self.tstate_getter}
        s2 = stage2_facts(binary, base)
        if s2 is not None:
            code_rt, trampoline = s2
            attr = "gen_deopt_trampoline" if generator else "deopt_trampoline"
            known = getattr(self, attr)
            if known is None:
                setattr(self, attr, trampoline)
            elif trampoline != known:
                raise ProcessFactsError(f"CinderX's code branches to a deopt trampoline at "
                                        f"{trampoline:#x}, not {known:#x}")
            facts["code_rt"] = code_rt
        facts["deopt_trampoline"] = (self.gen_deopt_trampoline if generator
                                     else self.deopt_trampoline)
        return facts

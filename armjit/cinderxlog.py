"""CinderX's JIT log as text: the log's sections and asmjit's annotated listing.

One home for reading what CinderX writes, below :mod:`armjit.lir`,
:mod:`armjit.codegen` and :mod:`armjit.corpus` (all three import it; it imports
nothing of armjit).

The log: CinderX writes each log message as ``JIT: FILE:LINE -- MESSAGE``
followed by the message's further lines (``Common/log.cpp``).  The sections
this project reads:

* ``LIR for MODULE:QUALNAME after STAGE:`` (``gen_asm.cpp:954-1039``), STAGE one of
  the five in :data:`STAGES`;
* ``Disassembly for MODULE:QUALNAME`` (``gen_asm.cpp:1695``) and once
  ``Disassembly for deopt_trampoline`` (``gen_asm.cpp:645``).

asmjit's listing (the body of a ``Disassembly for`` section): section titles
(a HIR instruction or a gen_asm step such as "Keyword argument dispatch"), each
followed by ``  0x<address>:  <mnemonic> <operands>`` lines.
:func:`listing_instructions` and :func:`asmjit_sections` read it;
:func:`listing_facts` takes from it the process addresses the post-alloc LIR
does not state.

Pure Python with no dependencies: it runs on the host and on the aarch64 target.
"""


from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Iterator, List, Optional, Tuple

__all__ = ["STAGES", "Section", "split_sections", "asm_address_range", "listing_instructions",
           "parse_imm", "mov_value", "asmjit_sections", "FACT_TITLES", "listing_facts"]

# ------------------------------------------------------------------ log sections

# Stage as printed -> short name used for corpus file names.
STAGES = {
    "generation": "generation",
    "postgen rewrites": "postgen",
    "target selection and legalization": "legalized",
    "register allocation": "regalloc",
    "postalloc rewrites": "postalloc",
}

HEADER = re.compile(r"^JIT: (?P<src>\S+:\d+) -- (?P<msg>.*)$")
LIR_HEADER = re.compile(r"^LIR for (?P<name>.+) after (?P<stage>[a-z ]+):$")
ASM_HEADER = re.compile(r"^Disassembly for (?P<name>.+)$")
ASM_ADDR = re.compile(r"^  0x(?P<addr>[0-9a-f]+):")


@dataclass
class Section:
    kind: str            # "lir", "asm" or "other"
    name: str            # MODULE:QUALNAME, "deopt_trampoline", or the message
    stage: Optional[str]  # short stage name for LIR sections
    text: str            # the body, without the "JIT: ..." header line
    header: str          # the header line as printed


def split_sections(text: str) -> Iterator[Section]:
    """Yield every log message in ``text`` as a Section.

    A line counts as a header only when it matches the whole ``JIT: FILE:LINE --``
    form; HIR comments inside LIR bodies start with ``#`` and never match.
    """
    lines = text.splitlines(keepends=True)
    starts: List[Tuple[int, re.Match]] = [
        (i, m) for i, line in enumerate(lines) if (m := HEADER.match(line.rstrip("\n")))]
    for k, (i, m) in enumerate(starts):
        end = starts[k + 1][0] if k + 1 < len(starts) else len(lines)
        body = "".join(lines[i + 1:end])
        msg = m.group("msg")
        if (lm := LIR_HEADER.match(msg)) and lm.group("stage") in STAGES:
            yield Section("lir", lm.group("name"), STAGES[lm.group("stage")], body,
                          lines[i].rstrip("\n"))
        elif am := ASM_HEADER.match(msg):
            yield Section("asm", am.group("name"), None, body, lines[i].rstrip("\n"))
        else:
            yield Section("other", msg, None, body, lines[i].rstrip("\n"))


def asm_address_range(asm_text: str) -> Tuple[int, int]:
    """(first, last) instruction address printed in a disassembly section."""
    addrs = [int(m.group("addr"), 16) for line in asm_text.splitlines()
             if (m := ASM_ADDR.match(line))]
    if not addrs:
        raise ValueError("no addresses in the disassembly")
    return addrs[0], addrs[-1]


# ------------------------------------------------------------------ asmjit's listing

_LINE = re.compile(r"^\s+0x([0-9a-f]+):\s+(\S+)\s*(.*)$")


def listing_instructions(text: str, titles=None):
    """(section title, address, mnemonic, operands) of each instruction line --
    of every section, or of the sections whose title contains one of
    ``titles``.  A title is a line that does not start with white space,
    "JIT:" or "#"; lines are str.splitlines()'s."""
    if titles is not None and _plain_lines(text):
        # only the sections that matter are read
        return [(title, addr, mn, ops) for title, start, end in _titled_sections(text, titles)
                for _, addr, mn, ops in listing_instructions(text[start:end])]
    title = None
    out = []
    for line in text.splitlines():
        m = _LINE.match(line)
        if m:
            if titles is None or (title is not None and any(t in title for t in titles)):
                out.append((title, int(m.group(1), 16), m.group(2), m.group(3).strip()))
        elif line and not line[0].isspace() and not line.startswith(("JIT:", "#")):
            title = line.strip()
    return out


def parse_imm(s: str) -> int:
    """An immediate as Capstone prints it (``#0x10``, ``#-8``, ``0x5500d806f0``)."""
    s = s.strip().lstrip("#")
    return int(s, 0)


def mov_value(seq) -> Optional[int]:
    """The value a mov/movk sequence leaves in its register (Capstone text)."""
    v = None
    for mn, ops in seq:
        parts = [p.strip() for p in ops.split(",")]
        if mn == "mov" and len(parts) == 2 and parts[1].startswith("#"):
            v = parse_imm(parts[1]) & ((1 << 64) - 1)
        elif mn == "movk" and v is not None:
            sh = parse_imm(parts[2].split()[-1]) if len(parts) > 2 else 0
            v = (v & ~(0xFFFF << sh)) | (parse_imm(parts[1]) << sh)
        elif mn == "mov" and parts[1] in ("xzr", "wzr"):
            v = 0
        else:
            return None
    return v


# Targeted scans: only the sections whose titles matter are read (a listing
# with a line break other than "\n" -- str.splitlines() breaks at more -- goes
# through the per-line scan of listing_instructions instead).  [^\S\n] is \s
# within one line; a title line is what listing_instructions takes as one.
_ANY_TITLE = re.compile(r"^(?!JIT:|#)\S", re.M)

#: The title words of the sections listing_facts reads (the helpers' bl, the
#: deopt exits); codegen.meta checks the same sections against asmjit.bin.
FACT_TITLES = ("Keyword argument dispatch", "Check if called with correct argcount",
               "Deoptimization exits", "load thread state", "load tstate")
_BL_LINE = re.compile(r"^[^\S\n]+0x[0-9a-f]+:[^\S\n]+bl(?![^\s])[^\S\n]*(.*)$", re.M)
_YIELD_STORE = re.compile(r"str\s+x13, \[x29, #0x")      # necessary for a yield point
_GI_LOAD = re.compile(r"ldr\s+x9, \[x0, #0x")            # necessary for gi_jit_data_offset


def _plain_lines(text: str) -> bool:
    if text.isascii():
        return not any(c in text for c in "\r\x0b\x0c\x1c\x1d\x1e")
    return re.search("[\r\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029]", text) is None


def _titled_sections(text: str, literals) -> Iterator[Tuple[str, int, int]]:
    """(title, start, end) of each section of ``text`` (whose only line break
    is "\n") with one of ``literals`` in its title line, in order: the title
    as listing_instructions takes it and the span of the section's body."""
    # candidate title lines: every line holding one of the literals (a
    # superset; each is then classified exactly as the per-line scan would)
    starts = set()
    for lit in literals:
        k = text.find(lit)
        while k >= 0:
            starts.add(text.rfind("\n", 0, k) + 1)
            k = text.find(lit, k + len(lit))
    for ls in sorted(starts):
        line_end = text.find("\n", ls)
        if line_end < 0:
            break                   # a title on the last line has no section
        line = text[ls:line_end]
        if not line or line[0].isspace() or line.startswith(("JIT:", "#")):
            continue                # not a title line
        nxt = _ANY_TITLE.search(text, line_end)
        yield line.strip(), line_end, nxt.start() if nxt is not None else len(text)


def listing_facts(text: str, binary: bytes, base: int, deopt_trampoline) -> dict:
    """The process facts (armjit.codegen.function.process_facts) of a listing already in memory: ``text`` is the
    ``Disassembly for`` section, ``binary`` the code it lists, at ``base``."""
    def resolve(t):
        off = t - base
        if 0 <= off <= len(binary) - 16:
            w0 = int.from_bytes(binary[off:off + 4], "little")
            w1 = int.from_bytes(binary[off + 4:off + 8], "little")
            if w0 == 0x58000050 and w1 == 0xD61F0200:      # ldr x16, #8 ; br x16
                return int.from_bytes(binary[off + 8:off + 16], "little")
        return t

    facts: dict = {"deopt_trampoline": deopt_trampoline}
    lines = None
    if not _plain_lines(text):
        lines = listing_instructions(text)
        bls = [(title, ops) for title, addr, mn, ops in lines if mn == "bl"]
        deopt = [(mn, ops) for title, _, mn, ops in lines if title == "Deoptimization exits"]
    else:
        # What the per-line listing_instructions gives for the sections that matter: the
        # first bl of each helper section, the instructions of the
        # "Deoptimization exits" sections.
        bls, deopt = [], []
        found = set()
        for title, line_end, sec_end in _titled_sections(text, FACT_TITLES):
            if title.startswith("Keyword argument dispatch"):
                kind = "kw_helper"
            elif title == "Check if called with correct argcount":
                kind = "argcount_helper"
            elif "load thread state" in title or "load tstate" in title:
                kind = "tstate_getter"
            elif title == "Deoptimization exits":
                kind = "deopt"
            else:
                continue
            if kind == "deopt":
                deopt += [(mn, ops) for _, _, mn, ops in listing_instructions(text[line_end:sec_end])]
                continue
            if kind in found:
                continue
            bl = _BL_LINE.search(text, line_end, sec_end)
            if bl is not None:
                found.add(kind)
                bls.append((title, bl.group(1).strip()))
    for title, ops in bls:
        t = resolve(parse_imm(ops))
        if title and title.startswith("Keyword argument dispatch"):
            facts.setdefault("kw_helper", t)
        elif title == "Check if called with correct argcount":
            facts.setdefault("argcount_helper", t)
        elif title and ("load thread state" in title or "load tstate" in title):
            facts.setdefault("tstate_getter", t)
    seq = [(mn, ops) for mn, ops in deopt
           if mn in ("mov", "movk") and ops.startswith(("x30,", "w30,"))]
    if seq:
        facts["code_rt"] = mov_value(seq)
    yields = _YIELD_STORE.search(text) is not None
    gi = _GI_LOAD.search(text) is not None
    if (yields or gi) and lines is None:
        lines = listing_instructions(text)
    pts, off = [], None
    for i, (title, addr, mn, ops) in enumerate(lines if yields else ()):
        m = re.fullmatch(r"x13, \[x29, #(0x[0-9a-f]+)\]", ops) if mn == "str" else None
        if m:
            j = i
            seq = []
            while j > 0 and lines[j - 1][2] in ("mov", "movk") and lines[j - 1][3].startswith(("x13", "w13")):
                j -= 1
                seq.insert(0, (lines[j][2], lines[j][3]))
            v = mov_value(seq) if seq else None
            if v is not None:
                pts.append(v)
                off = int(m.group(1), 16)
    if pts:
        facts["gen_yield_points"] = pts
        facts["gen_yield_point_offset"] = off
    # gi_jit_data_offset = _PyObject_VAR_SIZE(gen_type, _PyFrame_NumSlotsForCodeObject(code))
    # (gen_asm.cpp:1251-1256): the resume entry's ``ldr x9, [x0, #off]``
    # (PopulateResumeEntryBlock, generator.cpp:585-665).
    for i, (title, addr, mn, ops) in enumerate(lines[:-1] if gi else ()):
        m = re.fullmatch(r"x9, \[x0, #(0x[0-9a-f]+)\]", ops) if mn == "ldr" else None
        if m and lines[i + 1][2:] == ("ldr", "x8, [x29]"):
            facts["gi_jit_data_offset"] = int(m.group(1), 16)
            break
    return facts


def asmjit_sections(text: str) -> List[Tuple[str, List[str]]]:
    """asmjit's listing as (title, instruction lines) in order: a title is the
    run of non-instruction lines (a HIR instruction may print over several)
    before a run of ``  0x`` lines; instructions before any title are
    ``--unassigned--``."""
    out: List[Tuple[str, List[str]]] = []
    title, body, hir = None, [], []
    for line in text.splitlines():
        if line.startswith("JIT:"):
            continue
        if line.startswith("  0x"):
            if title is None or hir:
                title = "\n".join(hir) if hir else "--unassigned--"
                hir = []
                body = []
                out.append((title, body))
            body.append(line)
        elif line.strip():
            hir.append(line)
    return out

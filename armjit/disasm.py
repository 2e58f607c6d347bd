"""``python -m armjit.disasm DIR [--diff]``: armjit's code for a corpus function
directory as an annotated Capstone listing (asmjit's dump format: a section
title, then ``  0x<address>:  <instruction>`` lines).  ``--diff`` prints each
section beside asmjit's listing of the same section from the dump
(asmjit.asm), matched by title in order.

(``module:qualname`` resolution on the target is not implemented yet.)
"""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path
from typing import List, Tuple

import capstone

from armjit.codegen.function import compile_dump

__all__ = ["listing", "sections", "asmjit_sections", "main"]

_md = capstone.Cs(capstone.CS_ARCH_ARM64, capstone.CS_MODE_ARM)


def _decode(code: bytes, address: int, start: int, end: int) -> List[str]:
    out = []
    off = start
    while off < end:
        word = code[off:off + 4]
        ins = list(_md.disasm(word, address + off)) if len(word) == 4 else []
        if ins:
            out.append(f"  {address + off:#016x}:        {ins[0].mnemonic} {ins[0].op_str}".rstrip())
        else:
            out.append(f"  {address + off:#016x}:        .word {int.from_bytes(word, 'little'):#010x}")
        off += 4
    return out


def sections(cf) -> List[Tuple[str, List[str]]]:
    """(title, instruction lines) covering armjit's whole code in order;
    bytes outside every annotation are listed under ``--unassigned--``."""
    anns = sorted(cf.annotations, key=lambda a: (a.start, a.end))   # innermost first
    out = []
    pos = 0
    for a in anns:
        if a.end <= pos or a.end <= a.start:
            continue
        if a.start < pos:
            a = type(a)(pos, a.end, a.text)
        if a.start > pos:
            out.append(("--unassigned--", _decode(cf.code, cf.address, pos, a.start)))
        out.append((a.text, _decode(cf.code, cf.address, a.start, a.end)))
        pos = a.end
    if pos < len(cf.code):
        out.append(("--unassigned--", _decode(cf.code, cf.address, pos, len(cf.code))))
    return out


def listing(cf) -> str:
    lines = [f"armjit code for {cf.name} at {cf.address:#x} ({len(cf.code)} bytes)"]
    for title, body in sections(cf):
        lines.append("")
        lines.append(title)
        lines.extend(body)
    return "\n".join(lines) + "\n"


def asmjit_sections(text: str) -> List[Tuple[str, List[str]]]:
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
            if not hir:
                pass
            hir.append(line)
        else:
            if hir and body is not None and not out:
                pass
    return out


def _norm(line: str) -> str:
    body = line.split(":", 1)[-1].strip()
    return re.sub(r"#0x[0-9a-f]{9,}", "#ADDR", body)


def diff(cf, asm_text: str) -> str:
    """armjit's sections, each instruction beside the asmjit instruction it is
    aligned with (difflib over the instruction texts, code addresses masked);
    ``|`` marks a difference, ``<``/``>`` an instruction only one side has."""
    import difflib
    ours = sections(cf)
    mine = [(t, l) for t, body in ours for l in body]
    theirs = [l for _, body in asmjit_sections(asm_text) for l in body]
    sm = difflib.SequenceMatcher(None, [_norm(l) for _, l in mine], [_norm(l) for l in theirs],
                                 autojunk=False)
    pairs = []
    for op, i1, i2, j1, j2 in sm.get_opcodes():
        n = max(i2 - i1, j2 - j1)
        for k in range(n):
            i = i1 + k if i1 + k < i2 else None
            j = j1 + k if j1 + k < j2 else None
            mark = " " if op == "equal" else ("|" if i is not None and j is not None
                                             else ("<" if j is None else ">"))
            pairs.append((i, j, mark))
    lines, title, width = [], None, 56
    last_title = None
    for i, j, mark in pairs:
        t = mine[i][0] if i is not None else last_title
        if t != title:
            lines.append("")
            lines.append(f"== {t}")
            title = t
        last_title = t
        a = mine[i][1].strip() if i is not None else ""
        b = theirs[j].strip() if j is not None else ""
        lines.append(f"{a:<{width}} {mark} {b}")
    return "\n".join(lines) + "\n"


def main(argv=None) -> int:
    p = argparse.ArgumentParser(prog="python -m armjit.disasm", description=__doc__.splitlines()[0])
    p.add_argument("dir", help="a corpus function directory (postalloc.lir, meta.json, asmjit.asm)")
    p.add_argument("--diff", action="store_true", help="show asmjit's listing beside armjit's")
    p.add_argument("--address", type=lambda s: int(s, 0), default=None)
    args = p.parse_args(argv)
    cf = compile_dump(args.dir, args.address)
    if args.diff:
        sys.stdout.write(diff(cf, (Path(args.dir) / "asmjit.asm").read_text()))
    else:
        sys.stdout.write(listing(cf))
    return 0


if __name__ == "__main__":
    sys.exit(main())

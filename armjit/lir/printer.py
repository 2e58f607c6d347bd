"""Print LIR exactly as CinderX's ``Jit/lir/printer.cpp`` does.

* Function (l.21-27): ``Function:`` then every block followed by a blank line.
* Block header (l.29-55): ``BB %id``, `` - preds:`` sorted by id, `` - succs:``
  in order, `` - section: NAME`` unless hot.
* Origin comments (l.57-66): when an instruction's origin differs from the
  previous instruction's (reset per block) and is not null: a blank line, the
  HIR text, then the instruction.
* Instruction (l.72-102): no output -> 16 spaces + 3 spaces; else the output
  right-aligned to width 16 (``std::setw(16)``, longer outputs unpadded) + `` = ``;
  then the print name and the ``, ``-separated inputs (Phi: ``(BB%p, v)``).
* Operands (l.104-172): see :mod:`armjit.lir.model`.
"""

from __future__ import annotations

from typing import List

from .model import BasicBlock, Function, Instruction
from .ops import print_name


def format_instruction(ins: Instruction) -> str:
    out = ins.output
    if out is None:
        s = "                   "
    else:
        s = str(out).rjust(16) + " = "
    s += print_name(ins.opcode, ins.cond, ins.mem_order)
    if ins.opcode == "Phi":
        blocks = ins.phi_blocks or []
        pairs = [f"(BB%{b}, {v})" for b, v in zip(blocks, ins.inputs)]
        if pairs:
            s += " " + ", ".join(pairs)
    elif ins.inputs:
        s += " " + ", ".join(map(str, ins.inputs))
    return s


def format_block_header(block: BasicBlock) -> str:
    s = f"BB %{block.id}"
    if block.preds:
        s += " - preds:" + "".join(f" %{p}" for p in sorted(block.preds))
    if block.succs:
        s += " - succs:" + "".join(f" %{p}" for p in block.succs)
    if block.section is not None:
        s += f" - section: {block.section}"
    return s


def format(function: Function, header: bool = True) -> str:
    """The text CinderX printed for ``function``.

    When the function has a ``JIT: ...`` header line (it came from a log or a
    corpus file) and ``header`` is true (the default), the whole log record is
    returned: the header line, the printer's text, and the newline
    ``Common/log.cpp:53-55`` adds after every message -- i.e. exactly the
    corpus file / log section.  Otherwise just the printer's text (ending in
    the blank line after the last block).
    """
    parts: List[str] = []
    record = header and function.header is not None
    if record:
        parts.append(function.header + "\n")
    parts.append("Function:\n")
    for block in function.blocks:
        lines = [format_block_header(block)]
        prev = None
        for ins in block.instructions:
            origin = ins.origin
            if origin is not prev:
                if origin is not None:
                    lines.append("")
                    lines.extend(origin.lines)
                prev = origin
            lines.append(format_instruction(ins))
        parts.append("\n".join(lines))
        parts.append("\n\n")
    if record:
        parts.append("\n")
    return "".join(parts)

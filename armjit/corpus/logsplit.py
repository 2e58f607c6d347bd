"""Split a CinderX JIT log into its sections.

CinderX writes each log message as ``JIT: FILE:LINE -- MESSAGE`` followed by the
message's further lines (``Common/log.cpp``).  The sections this project reads:

* ``LIR for MODULE:QUALNAME after STAGE:`` (``gen_asm.cpp:954-1039``), STAGE one of
  the five in :data:`STAGES`;
* ``Disassembly for MODULE:QUALNAME`` (``gen_asm.cpp:1695``) and once
  ``Disassembly for deopt_trampoline`` (``gen_asm.cpp:645``).

Pure Python with no dependencies: it runs on the host and on the aarch64 target.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Iterator, List, Optional, Tuple

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

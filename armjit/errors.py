"""The exceptions armjit raises for input it refuses.

Every refusal of bad input by armjit's host tools is an :class:`ArmjitError`,
so a caller can catch one type; the subclass says which stage refused:

* :class:`DumpError` -- a corpus function directory that cannot be used: a
  missing or unreadable file, meta.json that is not JSON or breaks its schema
  (:mod:`armjit.codegen.meta`: each field's type and legal range), an
  asmjit.bin/asmjit.asm that disagree with meta.json, process facts that are
  missing, out of range or inconsistent;
* ``armjit.lir.LIRParseError`` -- malformed LIR text (line, column, text);
* ``armjit.lir.LIRVerifyError`` -- LIR that parses but is not well formed
  (operand counts and kinds, CFG, values);
* ``armjit.codegen.LoweringError`` -- LIR armjit cannot lower (unsupported
  opcode or operand shape; an encoder refusal, ``EncodingError``, arrives
  wrapped in one);
* ``armjit.codegen.frame.FrameLayoutError`` -- a frame CinderX's runtime
  could not live with, or one that disagrees with CinderX's own.

This module imports nothing, so every package can use it.
"""

from __future__ import annotations

__all__ = ["ArmjitError", "DumpError"]


class ArmjitError(Exception):
    """armjit refuses its input; the message says what and where, in one line."""


class DumpError(ArmjitError, ValueError):
    """A corpus function directory (meta.json, postalloc.lir, asmjit.asm,
    asmjit.bin) that armjit cannot compile from: missing, unreadable,
    malformed, out of range or inconsistent.  ``path`` names the file (or
    directory) at fault when known."""

    def __init__(self, message: str, path=None):
        self.path = path
        super().__init__(message)

"""Textual A64 assembler (placeholder; being written)."""

from .errors import AsmSyntaxError


def assemble(text, address=0):
    raise AsmSyntaxError("not implemented yet", 1, 1, text)

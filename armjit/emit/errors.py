"""Errors raised by the A64 emitter.

Emitting a wrong word is the worst bug this project can have, so every
encoder refuses operands it cannot hold exactly, with an error that names the
operand and the legal range.
"""


class EncodingError(ValueError):
    """An operand that no encoding of the requested instruction can hold.

    ``operand`` names the operand (``"imm"``, ``"rn"``, ``"offset"`` ...),
    ``value`` is what was given and ``legal`` describes the legal range.
    """

    def __init__(self, mnemonic, operand, value, legal):
        self.mnemonic = mnemonic
        self.operand = operand
        self.value = value
        self.legal = legal
        super().__init__(
            f"{mnemonic}: operand {operand}={value!r} cannot be encoded; legal: {legal}"
        )


class AsmSyntaxError(ValueError):
    """Assembly text that the textual assembler cannot parse."""

    def __init__(self, message, line, column, text=""):
        self.line = line
        self.column = column
        self.text = text
        super().__init__(f"line {line}, column {column}: {message}: {text!r}")


class LabelError(ValueError):
    """A label that is unbound, bound twice, or out of range for its branch."""


def refused(mnemonic: str, operands) -> EncodingError:
    """The error an encoder's explaining path raises when it finds no operand
    out of range: the encoder's one fast check takes exactly the legal
    operands as interned registers, Shift/Cond members and plain ints, so
    what is left is an operand of another type (an int subclass, say)."""
    return EncodingError(mnemonic, "operands", operands,
                         "interned registers, Shift/Cond members and plain ints")
